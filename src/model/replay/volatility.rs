//! Stage 3 (model), PostgreSQL's refusal of an expression that must be immutable and is not:
//! an index's expressions and predicate (`functions in index expression must be marked
//! IMMUTABLE`), a generated column's expression (`generation expression is not immutable`).
//!
//! PostgreSQL judges the expression once its functions, operators and casts are resolved
//! (`contain_mutable_functions`). The model resolves no operator, and casts only of plain
//! columns, so it claims a refusal only for what is not immutable whatever the types:
//! - a SQL value function: `CURRENT_TIMESTAMP`, `CURRENT_DATE`, `CURRENT_USER`... (all stable);
//! - a call of a `pg_catalog` function none of whose overloads is immutable (`now()`,
//!   `random()`, `to_char(...)`, `concat(...)`; [`pgfunc::NOT_IMMUTABLE`]), passing as many
//!   arguments as one of them takes, when neither the project nor an extension has a function
//!   of that name;
//! - a call of a created function whose every overload of the name (along the search path) is
//!   declared STABLE or VOLATILE (the default), none in `LANGUAGE sql` (PostgreSQL may inline
//!   those and judge the body instead), one of them taking as many arguments as the call passes;
//! - a cast of a column of the table, of a builtin type, that PostgreSQL counts stable
//!   (`created_at::date` on a `timestamptz`; [`pgfunc::NOT_IMMUTABLE_CASTS`]).
//!
//! A name made uncertain (an unread CREATE or ALTER of a routine) is never judged.

use super::Replayer;
use crate::model::Refusal;
use crate::model::catalog::{Function, Table};
use crate::model::ir::{Call, ColName, ColumnCast, Volatility};
use crate::model::{pgfunc, pgtype};
use crate::span::Span;

/// Where an expression must be immutable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    IndexExpression,
    IndexPredicate,
    Generation,
}

impl Place {
    /// PostgreSQL's message.
    fn reason(self) -> &'static str {
        match self {
            Place::IndexExpression => "functions in index expression must be marked IMMUTABLE",
            Place::IndexPredicate => "functions in index predicate must be marked IMMUTABLE",
            Place::Generation => "generation expression is not immutable",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Place::IndexExpression => {
                "an index keeps the value computed when the row was written: index the column, \
                 or an IMMUTABLE function of it (declare a function of your own IMMUTABLE only \
                 if its result depends on its arguments alone)"
            }
            Place::IndexPredicate => {
                "a partial index's predicate is judged when the row is written, not when it is \
                 queried: compare with a constant, or keep the condition in the queries"
            }
            Place::Generation => {
                "a generated column is computed when the row is written and cannot depend on \
                 the time, the session or settings: use a trigger or a default instead, or \
                 immutable functions (concat() and format() are stable; || on text columns \
                 is not)"
            }
        }
    }
}

impl Replayer<'_> {
    /// PostgreSQL's refusal of an expression that must be immutable (at `place`) and calls
    /// `calls` and uses `value_functions`, when one of them is certainly not immutable: the
    /// first one in the text.
    pub(super) fn mutable_refusal(
        &self,
        (calls, value_functions): (&[Call], &[ColName]),
        (table, casts): (Option<&Table>, &[ColumnCast]),
        place: Place,
    ) -> Option<(Refusal, Span)> {
        let keywords = value_functions
            .iter()
            .map(|v| (v.span, format!("{} is stable", v.name.to_ascii_uppercase())));
        let called = calls.iter().filter_map(|c| {
            let word = self.call_volatility(c)?;
            Some((
                c.name.span,
                format!("{}() is {word}", super::written(&c.name)),
            ))
        });
        // A table changed by a statement the model could not read may have other types.
        let table = table.filter(|t| !t.blind && !t.columns_unknown);
        let cast = casts.iter().filter_map(|c| {
            let from = table?.column(&c.column.name)?.data_type.as_str();
            let from = pgtype::without_modifiers(from);
            // An enum's output function reads the catalog (its labels can be renamed).
            let enum_out = pgtype::is_string_type(&c.to) && self.created_enum(&from);
            let mutable = enum_out
                || pgfunc::NOT_IMMUTABLE_CASTS
                    .iter()
                    .any(|(f, to)| *f == from && to.contains(&c.to.as_str()));
            mutable.then(|| {
                let what = format!(
                    "the cast of {} ({from}) to {} is stable",
                    c.column.name, c.to
                );
                (c.column.span, what)
            })
        });
        let (span, what) = keywords
            .chain(called)
            .chain(cast)
            .min_by_key(|(s, _)| (s.file(), s.start()))?;
        let reason = format!("{}: {what}", place.reason());
        Some((Refusal::new(reason, place.help()), span))
    }

    /// How a call is not immutable, when that is certain whatever its arguments' types.
    fn call_volatility(&self, call: &Call) -> Option<&'static str> {
        let name = call.name.name.as_str();
        if self.routines_blind || self.uncertain.contains(&call.name.name) {
            return None;
        }
        let in_catalog = call
            .name
            .schema
            .as_deref()
            .is_none_or(|s| s == "pg_catalog");
        if in_catalog && pgfunc::PG_CATALOG.binary_search(&name).is_ok() {
            let i = pgfunc::NOT_IMMUTABLE
                .binary_search_by(|(n, _, _)| (*n).cmp(name))
                .ok()?;
            let (_, word, arities) = pgfunc::NOT_IMMUTABLE.get(i)?;
            let takes = arities.iter().any(|&(least, most)| {
                (usize::from(least)..=usize::from(most)).contains(&call.args)
            });
            let shadowed = self
                .cat
                .functions
                .keys()
                .any(|qn| qn.name == call.name.name)
                || self.extension_function(name);
            return (takes && !shadowed).then_some(word);
        }
        if self.function_unknowable(&call.name) {
            return None;
        }
        let overloads: Vec<&Function> = self
            .candidates(&call.name)
            .iter()
            .filter_map(|qn| self.cat.functions.get(qn))
            .flatten()
            .collect();
        if !overloads.iter().any(|f| f.args.len() == call.args) {
            return None;
        }
        let mut words = overloads.iter().map(|f| match f.volatility {
            _ if f.sql_language => None,
            Some(v @ (Volatility::Stable | Volatility::Volatile)) => Some(v.word()),
            Some(Volatility::Immutable) | None => None,
        });
        let first = words.next()??;
        let mut same = true;
        for w in words {
            same &= w? == first;
        }
        Some(if same { first } else { "stable or volatile" })
    }
}

#[cfg(test)]
mod tests {
    use crate::model::ProblemKind;

    fn refusals(sql: &str) -> Vec<String> {
        let model = super::super::tests::model_of(sql);
        model
            .problems
            .iter()
            .filter_map(|p| match &p.kind {
                ProblemKind::Rejected { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }

    /// Each refusal was compared with PostgreSQL 15's.
    #[test]
    fn refuses_what_is_never_immutable() {
        let got = refusals(
            "CREATE TABLE t (a int, ts timestamptz, first text, last text);
CREATE INDEX i1 ON t (a) WHERE ts > now();
CREATE INDEX i2 ON t (a) WHERE ts > CURRENT_TIMESTAMP(3);
CREATE INDEX i3 ON t ((to_char(ts, 'YYYY')));
ALTER TABLE t ADD COLUMN full_name text GENERATED ALWAYS AS (concat(first, ' ', last)) STORED;
ALTER TABLE t ADD COLUMN who text GENERATED ALWAYS AS (current_user) STORED;
CREATE FUNCTION f(int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN $1; END $$;
CREATE INDEX i4 ON t ((f(a)));
ALTER FUNCTION f(int) IMMUTABLE;
CREATE INDEX i5 ON t ((f(a)));
CREATE FUNCTION g(int) RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN $1; END $$;
CREATE INDEX i6 ON t (a) WHERE g(a) > 0;",
        );
        assert_eq!(
            got,
            [
                "functions in index predicate must be marked IMMUTABLE: now() is stable",
                "functions in index predicate must be marked IMMUTABLE: CURRENT_TIMESTAMP is stable",
                "functions in index expression must be marked IMMUTABLE: to_char() is stable",
                "generation expression is not immutable: concat() is stable",
                "generation expression is not immutable: CURRENT_USER is stable",
                "functions in index expression must be marked IMMUTABLE: f() is volatile",
                "functions in index predicate must be marked IMMUTABLE: g() is stable",
            ]
        );
    }

    /// What PostgreSQL 15 accepts, or what the model cannot judge, is not refused.
    #[test]
    fn leaves_what_may_be_immutable() {
        let got = refusals(
            "CREATE TABLE t (a int, ts timestamp, name text);
CREATE INDEX i1 ON t ((date_trunc('day', ts)));
CREATE INDEX i2 ON t ((lower(name)));
CREATE FUNCTION s(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 $$;
CREATE INDEX i3 ON t ((s(a)));
CREATE FUNCTION now(int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT $1 $$;
CREATE INDEX i4 ON t (a) WHERE a > now(1);
CREATE FUNCTION h(int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN $1; END $$;
CREATE FUNCTION h(text) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN 1; END $$;
CREATE INDEX i5 ON t ((h(name)));
ALTER TABLE t ADD COLUMN d timestamp DEFAULT now();",
        );
        assert!(got.is_empty(), "{got:?}");
    }
}
