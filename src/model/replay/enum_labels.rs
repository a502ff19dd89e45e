//! Stage 3 (model), string constants PostgreSQL turns into a label of an enum of the
//! history's while it reads the statement: a column's default (`DEFAULT 'draft'`, `DEFAULT
//! 'draft'::status`, created, added or set), a value INSERT writes into an enum column (`VALUES`
//! rows, or a plain `SELECT`'s), a value UPDATE sets. The label must be one of the type's
//! (`invalid input value for enum status: "archived"`: labels are exact, case and spaces
//! count), and one that `ALTER TYPE ... ADD VALUE` added in the current transaction block
//! cannot be used before the block commits (`unsafe use of new value "archived" of enum type
//! status`).
//!
//! Only plain literals are judged (not `E'...'` strings, arrays or other expressions), and only
//! against an enum whose labels the model knows: created by the history, and not made uncertain
//! by a statement it could not read.

use super::Replayer;
use crate::model::Refusal;
use crate::model::catalog::{QualifiedName, TypeKind};
use crate::model::ir::ColName;
use crate::span::Span;

const UNKNOWN_LABEL_HELP: &str = "an enum's labels are exact (case and spaces count): use one \
                                  of its labels, or add this one first (ALTER TYPE ... ADD \
                                  VALUE)";
const UNSAFE_LABEL_HELP: &str = "New enum values must be committed before they can be used: \
                                 end the transaction block (COMMIT) after ALTER TYPE ... ADD \
                                 VALUE, and use the label after it";

/// The label of a plain string literal (`'it''s'`), with the type it is cast to when it is
/// written `'label'::type` (as written, folded by the caller's comparison).
pub(super) fn literal_label(text: &str) -> Option<(String, Option<&str>)> {
    let body = text.strip_prefix('\'')?;
    // The closing quote: the first one not doubled.
    let mut end = None;
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            end = Some(i);
            break;
        }
        i += 1;
    }
    let end = end?;
    let label = body.get(..end)?.replace("''", "'");
    let rest = body.get(end + 1..)?;
    if rest.is_empty() {
        return Some((label, None));
    }
    let cast = rest.strip_prefix("::")?;
    let plain = cast
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'"' | b'$'));
    (plain && !cast.is_empty()).then_some((label, Some(cast)))
}

impl Replayer<'_> {
    /// PostgreSQL's refusal of `expr` (SQL text) as a value of a column of type `column_type`,
    /// when it is a string literal naming no label of that enum, or a label added in the
    /// current transaction block.
    pub(super) fn enum_label_refusal(&self, column_type: &str, expr: &str) -> Option<Refusal> {
        let (label, cast) = literal_label(expr)?;
        // A literal cast to the column's own type, as the model prints it (or qualified with
        // `public.`, as pg_dump writes it); another cast is not judged here.
        if let Some(cast) = cast.map(str::to_ascii_lowercase)
            && cast != column_type
            && cast.strip_prefix("public.") != Some(column_type)
        {
            return None;
        }
        self.label_refusal(column_type, &label)
    }

    /// PostgreSQL's refusal of string constant `label` read as a value of `column_type`, when
    /// that is an enum of the history's that lacks the label or added it in the current
    /// transaction block.
    pub(super) fn label_refusal(&self, column_type: &str, label: &str) -> Option<Refusal> {
        let def = self.created_type(column_type)?;
        let TypeKind::Enum { values } = &def.kind else {
            return None;
        };
        if self.uncertain.contains(&def.name.name) {
            return None;
        }
        if !values.iter().any(|v| v == label) {
            let reason = format!("invalid input value for enum {column_type}: \"{label}\"");
            return Some(Refusal::new(reason, UNKNOWN_LABEL_HELP));
        }
        let added_now = self.txn.as_ref().is_some_and(|t| {
            t.enum_labels
                .iter()
                .any(|(n, l)| *n == def.name && l == label)
        });
        added_now.then(|| {
            let reason = format!("unsafe use of new value \"{label}\" of enum type {column_type}");
            Refusal::new(reason, UNSAFE_LABEL_HELP)
        })
    }

    /// The columns an INSERT without a column list writes, in the table's order, as many as
    /// its rows have values (all rows alike), each at `span`; none when the table's column
    /// order is not certain (a child of a parent, whose columns come first) or the rows differ.
    pub(super) fn implicit_insert_columns(
        &self,
        qn: &QualifiedName,
        span: Span,
        rows: &[Vec<String>],
    ) -> Vec<ColName> {
        let Some(t) = self
            .cat
            .tables
            .get(qn)
            .filter(|t| !t.blind && !t.columns_unknown && t.parents.is_empty())
        else {
            return Vec::new();
        };
        let Some(n) = rows.first().map(Vec::len) else {
            return Vec::new();
        };
        if n > t.columns.len() || rows.iter().any(|r| r.len() != n) {
            return Vec::new();
        }
        t.columns
            .iter()
            .take(n)
            .map(|c| ColName {
                name: c.name.clone(),
                span,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::literal_label;

    #[test]
    fn literals_are_read_as_postgresql_reads_them() {
        let label = |t: &str| literal_label(t).map(|(l, c)| (l, c.map(str::to_owned)));
        assert_eq!(label("'draft'"), Some(("draft".into(), None)));
        assert_eq!(label("'it''s'"), Some(("it's".into(), None)));
        assert_eq!(label("''"), Some((String::new(), None)));
        assert_eq!(
            label("'draft'::status"),
            Some(("draft".into(), Some("status".into())))
        );
        assert_eq!(label("'a' || 'b'"), None);
        assert_eq!(label("E'a'"), None);
        assert_eq!(label("'a'::text[]"), None);
        assert_eq!(label("'unterminated"), None);
        assert_eq!(label("lower('A')"), None);
    }
}
