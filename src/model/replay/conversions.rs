//! Stage 3 (model), conversions PostgreSQL refuses while it reads a statement, whatever the
//! rows:
//! - a cast with no way to perform it, of a column of the table, in an `ALTER COLUMN ... TYPE
//!   ... USING`, a generated column, an index expression or predicate (`addr::integer` on an
//!   `inet`: `cannot cast type inet to integer`);
//! - a type change without `USING` between types with no assignment conversion (`column
//!   "code" cannot be cast automatically to type numeric`);
//! - one column UPDATE assigns to another of a type that does not convert in an assignment
//!   (`UPDATE t SET price = created_at`: `column "price" is of type numeric but expression is
//!   of type timestamp with time zone`). Judged only when the value is one bare column of the
//!   target and the statement reads no other relation (no `FROM`, no subquery that could make
//!   the name ambiguous).
//!
//! - a value INSERT writes (`VALUES` rows, a plain `SELECT`'s entries) or UPDATE sets that the
//!   column's type does not take: a string literal that is no input of it (`invalid input
//!   syntax for type integer: "abc"`), a number or builtin value of a type with no assignment
//!   conversion (`column "active" is of type boolean but expression is of type integer`), a
//!   label the column's enum lacks ([`Replayer::enum_label_refusal`]);
//! - two columns compared with no operator between their types
//!   ([`Replayer::comparisons_valid`]), and a column compared with a constant of a type it
//!   has no operator with or with a string that is no value of its type
//!   ([`Replayer::constants_refusal`]: `deleted = 0` on a boolean, `id = 'abc'` on a uuid).
//!
//! Types are judged when both are builtins [`pgtype`] knows, or one is an enum of the history
//! and the project writes no `CREATE CAST`: an enum converts to itself, and to and from the
//! string types by I/O conversion (from them only in an explicit cast); to nothing else.

use super::Replayer;
use crate::model::Refusal;
use crate::model::catalog::{Name, QualifiedName, Table, TypeKind};
use crate::model::ir::{ColName, ColumnCast, ColumnRef, Comparison, Constant, ConstantUse};
use crate::model::pgtype::{self, Comparand};
use crate::span::Span;

const NO_OPERATOR_HELP: &str = "compare with a constant of the column's type (a quoted literal \
                                such as `'2024-01-01'`), or cast one side explicitly";

/// The column a value names when it is a bare identifier (folded as PostgreSQL folds an
/// unquoted one; a double-quoted one as written); `None` for anything else, and for a
/// reserved keyword (`user` is `CURRENT_USER`, `default` is DEFAULT).
fn bare_column(value: &str) -> Option<String> {
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        return (!inner.is_empty() && !inner.contains('"')).then(|| inner.to_string());
    }
    let mut bytes = value.bytes();
    let first = bytes.next()?;
    let ident = (first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
    (ident && !pgtype::is_reserved_keyword(value)).then(|| value.to_ascii_lowercase())
}

/// The casts of `casts` whose column `t` has, with that column's type; none when a statement
/// the model could not read changed `t`.
pub(super) fn cast_sources<'c>(t: &Table, casts: &'c [ColumnCast]) -> Vec<(Name, &'c ColumnCast)> {
    if t.blind || t.columns_unknown {
        return Vec::new();
    }
    casts
        .iter()
        .filter_map(|cast| Some((t.column(&cast.column.name)?.data_type.clone(), cast)))
        .collect()
}

impl Replayer<'_> {
    /// PostgreSQL's refusal of the first cast of `sources` (from [`cast_sources`]) it has no
    /// way to perform, at the cast column.
    pub(super) fn uncastable(
        &mut self,
        sources: &[(Name, &ColumnCast)],
    ) -> Option<(Refusal, Span)> {
        let (from, cast) = sources
            .iter()
            .find(|(from, cast)| !self.castable(from, &cast.to))?;
        let refusal = Refusal::new(
            format!(
                "cannot cast type {} to {}",
                pgtype::without_modifiers(from),
                cast.to
            ),
            "PostgreSQL has no cast between these types: write the conversion as an expression \
             (through text, `c::text::uuid`, when the values' text is valid input for the new \
             type)",
        );
        Some((refusal, cast.column.span))
    }

    /// INSERT's values for its column list (rows matching it one to one), or UPDATE's, as
    /// PostgreSQL converts them while it reads the statement: the first of a type the column
    /// does not take ([`super::written_type_refusal`]) or that names no label of its
    /// column's enum, as PostgreSQL's refusal.
    pub(super) fn check_written_values<'v>(
        &mut self,
        qn: &QualifiedName,
        writes: impl Iterator<Item = (&'v ColName, &'v str)>,
    ) {
        // A view's column types are what the model infers of its query: not judged.
        let view = self.cat.tables.get(qn).is_some_and(|t| t.kind.is_view());
        for (column, value) in writes {
            // NULL and DEFAULT are any type's; a string type takes every value written
            // (numbers and booleans by I/O conversion in an assignment).
            if value.eq_ignore_ascii_case("NULL") || value.eq_ignore_ascii_case("DEFAULT") {
                continue;
            }
            let Some(ty) = self
                .known_column(qn, &column.name)
                .filter(|c| !pgtype::is_string_type(&c.data_type))
                .map(|c| c.data_type.to_string())
            else {
                continue;
            };
            let enum_type = !view && self.enum_without_casts(&ty);
            let refused_type = (!view)
                .then(|| {
                    let written = super::Written::Value;
                    super::written_type_refusal(&column.name, &ty, value, None, enum_type, written)
                })
                .flatten();
            let refusal = refused_type.or_else(|| self.enum_label_refusal(&ty, value));
            if let Some(refusal) = refusal {
                self.reject(refusal, column.span);
                return;
            }
        }
    }

    /// Refuses the first of `comparisons` (of a query whose relations are `resolved`, alias
    /// and name) between columns whose types have no comparison operator
    /// ([`pgtype::comparison_exists`]): `false` then. Judged on tables whose columns the
    /// model knows (not views: their column types are inferred), in a project that creates no
    /// cast or operator and no extension outside contrib.
    pub(super) fn comparisons_valid(
        &mut self,
        comparisons: &[Comparison],
        resolved: &[(Name, QualifiedName)],
    ) -> bool {
        if comparisons.is_empty() || !self.builtin_operators_only() {
            return true;
        }
        for cmp in comparisons {
            let (Some((left, l)), Some((right, r))) = (
                self.comparand_of(&cmp.left, resolved),
                self.comparand_of(&cmp.right, resolved),
            ) else {
                continue;
            };
            if !pgtype::comparison_exists(&l, &r) {
                let reason = format!("operator does not exist: {left} {} {right}", cmp.op);
                let help = "compare values of one type: cast one side explicitly (`a.id::text = \
                            b.ref`), or give the columns one type";
                self.reject(Refusal::new(reason, help), cmp.left.column.span);
                return false;
            }
        }
        true
    }

    /// Whether the comparison operators are PostgreSQL's builtin ones: the project creates
    /// no cast or operator and no extension outside contrib.
    fn builtin_operators_only(&self) -> bool {
        !self.unknown_extension() && !self.project_operators()
    }

    /// The type of column reference `c` (spelled as PostgreSQL prints it) and what it is to
    /// operator resolution, when its relation is a table whose columns the model knows.
    fn comparand_of(
        &self,
        c: &ColumnRef,
        resolved: &[(Name, QualifiedName)],
    ) -> Option<(String, Comparand)> {
        let t = self
            .cat
            .tables
            .get(super::sole_relation(resolved, &c.qualifier)?)?;
        if t.kind.is_view() || t.blind || t.columns_unknown {
            return None;
        }
        self.column_comparand(&t.column(&c.column.name)?.data_type)
    }

    /// A column's type `ty` spelled as PostgreSQL prints it, and what it is to operator
    /// resolution ([`Comparand`]; a domain compares as its base type).
    fn column_comparand(&self, ty: &str) -> Option<(String, Comparand)> {
        let base = self.base_type(ty);
        let comparand = match base.strip_suffix("[]") {
            Some(element) => Comparand::Array(self.comparand_name(element)?),
            None => match pgtype::comparison_family(&base) {
                Some(family) => Comparand::Family(family),
                None => Comparand::Enum(self.enum_name(&base)?),
            },
        };
        Some((pgtype::without_modifiers(ty).into_owned(), comparand))
    }

    /// [`Self::constants_refusal`] for table `qn` of the catalog, reported: `false` after a
    /// refusal.
    pub(super) fn constants_valid(
        &mut self,
        qn: &QualifiedName,
        constants: &[ConstantUse],
    ) -> bool {
        let refused = self
            .cat
            .tables
            .get(qn)
            .and_then(|t| self.constants_refusal(t, constants));
        self.reported(refused)
    }

    /// [`Self::constants_valid`] of the constants compared with columns qualified by an alias
    /// of a query's relations (`resolved`: each alias with its relation): the first refused,
    /// as written, is the statement's refusal.
    pub(super) fn qualified_constants_valid(
        &mut self,
        constants: &[(Name, Vec<ConstantUse>)],
        resolved: &[(Name, QualifiedName)],
    ) -> bool {
        let refused = constants
            .iter()
            .filter_map(|(alias, uses)| {
                let table = self
                    .cat
                    .tables
                    .get(super::sole_relation(resolved, alias)?)?;
                self.constants_refusal(table, uses)
            })
            .min_by_key(|(_, span)| span.start());
        self.reported(refused)
    }

    /// Reports `refused`, if any: `false` then.
    fn reported(&mut self, refused: Option<(Refusal, Span)>) -> bool {
        let Some((refusal, span)) = refused else {
            return true;
        };
        self.reject(refusal, span);
        false
    }

    /// The first of `constants` (compared with columns of `table`) that PostgreSQL refuses
    /// while it reads the statement, with its refusal and the constant's span: a label the
    /// column's enum lacks ([`Self::label_refusal`]); on a table (not a view: its column
    /// types are inferred) in a project that creates no cast, operator or extension outside
    /// contrib, also a number or boolean of a type with no comparison operator with the
    /// column's ([`pgtype::comparison_exists`]: `deleted = 0` on a `boolean`: `operator does
    /// not exist: boolean = integer`), a string compared with a `json` or `xml` column (no
    /// operator at all) and a string that is no input of the column's type
    /// ([`pgtype::input_error`]: `id = 'abc'` on a `uuid`).
    pub(super) fn constants_refusal(
        &self,
        table: &Table,
        constants: &[ConstantUse],
    ) -> Option<(Refusal, Span)> {
        if constants.is_empty() || table.blind || table.columns_unknown {
            return None;
        }
        let operators_known = || !table.kind.is_view() && self.builtin_operators_only();
        constants.iter().find_map(|u| {
            let ty = &table.column(&u.column)?.data_type;
            let refusal = match &u.constant {
                Constant::String(label) => self
                    .label_refusal(ty, label)
                    .or_else(|| operators_known().then(|| self.string_refusal(ty, label, u))?),
                Constant::Typed(constant) => {
                    operators_known().then(|| self.typed_refusal(ty, constant, u))?
                }
            }?;
            Some((refusal, u.span))
        })
    }

    /// PostgreSQL's refusal of string `label` compared with a column of type `ty`: no
    /// operator for `json` or `xml` (`json = unknown`; a list's strings are compared as its
    /// common type, not judged), or no input of the type.
    fn string_refusal(&self, ty: &str, label: &str, u: &ConstantUse) -> Option<Refusal> {
        let base = self.base_type(ty);
        let base = pgtype::without_modifiers(&base);
        if matches!(pgtype::comparison_family(&base), Some("json" | "xml")) {
            if u.listed {
                return None;
            }
            let ty = pgtype::without_modifiers(ty);
            let (left, right) = if u.first {
                ("unknown", &*ty)
            } else {
                (&*ty, "unknown")
            };
            let reason = format!("operator does not exist: {left} {} {right}", u.op);
            return Some(Refusal::new(reason, NO_OPERATOR_HELP));
        }
        let help = if base.ends_with("[]") {
            "compare with an array written `'{a,b}'` or `ARRAY['a', 'b']`, or test one element \
             (`'a' = ANY(column)`)"
        } else {
            "compare with a value of the column's type (an empty string is no number, boolean \
             or uuid), or cast the column to text (`column::text = '...'`)"
        };
        // `cidr` has no comparison of its own: PostgreSQL compares with `inet`'s operators, and
        // reads the string as an `inet`.
        let read_as = if base == "cidr" { "inet" } else { &base };
        Some(Refusal::new(pgtype::input_error(read_as, label)?, help))
    }

    /// PostgreSQL's refusal of a `constant` of a builtin type (a number's or `boolean`)
    /// compared with a column of type `ty`: no operator between the two types.
    fn typed_refusal(&self, ty: &str, constant: &str, u: &ConstantUse) -> Option<Refusal> {
        let (ty, comparand) = self.column_comparand(ty)?;
        let family = Comparand::Family(pgtype::comparison_family(constant)?);
        if pgtype::comparison_exists(&comparand, &family) {
            return None;
        }
        let (left, right) = if u.first {
            (constant, ty.as_str())
        } else {
            (ty.as_str(), constant)
        };
        let reason = format!("operator does not exist: {left} {} {right}", u.op);
        let help = if ty == "boolean" {
            "compare a boolean with `true` or `false` (`deleted = false`, or `NOT deleted`): \
             PostgreSQL does not read a number as a boolean"
        } else {
            NO_OPERATOR_HELP
        };
        Some(Refusal::new(reason, help))
    }

    /// An array's element type as [`Comparand::Array`] names it: a builtin type of a
    /// comparison family without modifiers, or an enum of the history.
    fn comparand_name(&self, element: &str) -> Option<String> {
        let plain = pgtype::without_modifiers(element);
        match pgtype::comparison_family(&plain) {
            Some(_) => Some(plain.into_owned()),
            None => self.enum_name(element),
        }
    }

    /// The schema-qualified name of the enum of the history that `ty` names.
    fn enum_name(&self, ty: &str) -> Option<String> {
        let def = self.created_type(ty)?;
        matches!(def.kind, TypeKind::Enum { .. })
            .then(|| format!("{}.{}", def.name.schema, def.name.name))
    }

    /// Refuse the first assignment of `set` whose value is a column of `qn` of a type that
    /// does not convert to the assigned column's (see the module).
    pub(super) fn check_assignment_types(
        &mut self,
        qn: &QualifiedName,
        set: &[ColName],
        values: &[Option<String>],
    ) {
        for (column, value) in set.iter().zip(values) {
            let Some(source) = value.as_deref().and_then(bare_column) else {
                continue;
            };
            let (Some(to), Some(from)) = (
                self.known_column(qn, &column.name)
                    .map(|c| c.data_type.to_string()),
                self.known_column(qn, &source)
                    .map(|c| c.data_type.to_string()),
            ) else {
                continue;
            };
            if !self.converts(&from, &to) {
                let refusal = Refusal::new(
                    format!(
                        "column \"{}\" is of type {} but expression is of type {}",
                        column.name,
                        pgtype::without_modifiers(&to),
                        pgtype::without_modifiers(&from)
                    ),
                    "convert the value explicitly (`SET c = other::type`, through text when \
                     the text form is valid input for the column's type)",
                );
                self.reject(refusal, column.span);
                return;
            }
        }
    }

    /// Whether a value of type `from` converts to `to` in an assignment; true when unknown.
    pub(super) fn converts(&mut self, from: &str, to: &str) -> bool {
        self.judge(from, to, false)
    }

    /// Whether PostgreSQL can cast a value of type `from` to `to` at all; true when unknown.
    fn castable(&mut self, from: &str, to: &str) -> bool {
        self.judge(from, to, true)
    }

    fn judge(&mut self, from: &str, to: &str, explicit: bool) -> bool {
        if from == to {
            return true;
        }
        let (from_enum, to_enum) = (self.enum_without_casts(from), self.enum_without_casts(to));
        if from_enum || to_enum {
            let io = (from_enum && pgtype::is_string_type(to))
                || (explicit && to_enum && pgtype::is_string_type(from));
            let other_known = if from_enum {
                to_enum || pgtype::is_known_builtin(to)
            } else {
                pgtype::is_known_builtin(from)
            };
            return io || !other_known;
        }
        let known = if explicit {
            pgtype::explicit_castable(from, to)
        } else {
            pgtype::assignment_castable(from, to)
        };
        known != Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::bare_column;

    #[test]
    fn bare_columns_are_read_as_postgresql_folds_them() {
        assert_eq!(bare_column("title").as_deref(), Some("title"));
        assert_eq!(bare_column("Title").as_deref(), Some("title"));
        assert_eq!(bare_column("\"Title\"").as_deref(), Some("Title"));
        assert_eq!(bare_column("user"), None);
        assert_eq!(bare_column("DEFAULT"), None);
        assert_eq!(bare_column("t.title"), None);
        assert_eq!(bare_column("title + 1"), None);
        assert_eq!(bare_column("'title'"), None);
        assert_eq!(bare_column("1"), None);
    }
}
