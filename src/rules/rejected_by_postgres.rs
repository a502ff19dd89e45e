//! rejected-by-postgres — see rules/rejected-by-postgres.md

use crate::diag::{DiagKind, Finding, Severity};
use crate::model::ProblemKind;
use crate::span::Span;

use super::common::{diagnostics, finding, problems, statement_head};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "rejected-by-postgres",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    summary: "A statement the SQL parser accepts but PostgreSQL rejects (a top-level RAISE, ...)",
    doc: include_str!("../../rules/rejected-by-postgres.md"),
};

pub struct RejectedByPostgres;

fn build(ctx: &Context<'_>, span: Span, reason: &str) -> Finding {
    finding(
        ctx,
        &META,
        span,
        &statement_head(ctx, span),
        format!("PostgreSQL rejects this statement: {reason}"),
        help(reason).map(str::to_owned),
        Vec::new(),
    )
}

/// What to do instead, for the refusals that have one way out; none for the others (their
/// message says what is wrong, and a generic hint would mislead).
fn help(reason: &str) -> Option<&'static str> {
    if reason.starts_with("RAISE is PL/pgSQL") {
        Some("move it into a `DO $$ BEGIN ... END $$;` block or a function body, or remove it")
    } else if reason.ends_with("CONCURRENTLY cannot run inside a transaction block") {
        Some("run it in a migration of its own, outside a transaction block")
    } else if reason.ends_with("CONCURRENTLY cannot be executed from a function") {
        Some("run it as a top-level statement, not inside a DO block or a function")
    } else if reason.starts_with("cannot change name of view column") {
        Some(
            "rename a view's column with `ALTER VIEW ... RENAME COLUMN`; a replacement keeps the \
             view's columns in order and may add new ones at the end",
        )
    } else if reason.ends_with("is an identity column") {
        Some(
            "an identity column's value comes from its identity: `ALTER COLUMN ... DROP \
             IDENTITY` first, or change the identity (`SET GENERATED`, `RESTART`)",
        )
    } else if reason.contains("is of type boolean but default expression is of type") {
        Some(
            "write `DEFAULT false` or `DEFAULT true`: PostgreSQL does not read a number as a boolean",
        )
    } else if reason == "cannot drop columns from view" {
        Some(
            "keep the view's columns in order (new ones may follow them), or `DROP VIEW` it \
             and create it again",
        )
    } else {
        None
    }
}

impl Rule for RejectedByPostgres {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut seen = Vec::new();
        for p in problems(ctx) {
            if let ProblemKind::Rejected { reason } = &p.kind {
                seen.push(p.span);
                out.push(build(ctx, p.span, reason));
            }
        }
        // The parser flags some statements the model never sees as parsed (a RAISE sqlparser
        // cannot read): report those too, once.
        for d in diagnostics(ctx) {
            if let DiagKind::RejectedByPostgres { reason } = &d.kind
                && !seen.iter().any(|s| {
                    s.file() == d.span.file()
                        && s.start() <= d.span.start()
                        && d.span.start() <= s.end()
                })
            {
                out.push(build(ctx, d.span, reason));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::help;

    /// The DO-block advice is for RAISE only; a refusal without one way out gets no advice.
    #[test]
    fn help_fits_the_refusal() {
        assert!(help("RAISE is PL/pgSQL: outside a DO block").is_some_and(|h| h.contains("DO $$")));
        assert!(
            help("CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
                .is_some_and(|h| h.contains("outside a transaction"))
        );
        assert!(
            help("cannot change name of view column \"a\" to \"b\"")
                .is_some_and(|h| h.contains("RENAME COLUMN"))
        );
        assert!(help("cannot drop columns from view").is_some_and(|h| h.contains("DROP VIEW")));
        assert!(
            help("column \"a\" of relation \"t\" is an identity column")
                .is_some_and(|h| h.contains("DROP IDENTITY"))
        );
        assert_eq!(
            help("cannot alter type of a column used by a view or rule"),
            None
        );
    }
}
