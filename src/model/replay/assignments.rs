//! Stage 3 (model), the type of a column UPDATE assigns another column of its table to
//! (`UPDATE t SET price = created_at`): PostgreSQL converts the value in an assignment while
//! it reads the statement, and refuses it when no implicit or assignment cast (nor I/O
//! conversion to a string type) exists (`column "price" is of type numeric but expression is
//! of type timestamp with time zone`), whatever the rows.
//!
//! Judged only when the value is one bare column of the target, the statement reads no other
//! relation (no `FROM`, no subquery that could make the name ambiguous), and both types are
//! builtins [`pgtype::assignment_castable`] knows or enums of the history without a
//! `CREATE CAST` (an enum converts only to itself and to the string types).

use super::Replayer;
use crate::model::catalog::QualifiedName;
use crate::model::ir::ColName;
use crate::model::{Refusal, pgtype};

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

impl Replayer<'_> {
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
            if to != from && !self.converts(&from, &to) {
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
    fn converts(&mut self, from: &str, to: &str) -> bool {
        let (from_enum, to_enum) = (self.enum_without_casts(from), self.enum_without_casts(to));
        if from_enum || to_enum {
            // An enum converts to itself (`from == to` is checked first) and, by I/O
            // conversion, to the string types; nothing converts to one.
            let to_string = pgtype::is_string_type(to);
            let other_known = if from_enum {
                to_enum || pgtype::is_known_builtin(to)
            } else {
                pgtype::is_known_builtin(from)
            };
            return !other_known || (from_enum && !to_enum && to_string);
        }
        pgtype::assignment_castable(from, to) != Some(false)
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
