//! Stage 3 (model), the first row an INSERT certainly writes (`VALUES`, `DEFAULT VALUES`)
//! against the table's constraints PostgreSQL checks on every row: a NOT NULL column left
//! out with no default, or written NULL or DEFAULT without one (`null value in column
//! "email" of relation "users" violates not-null constraint`), and a partitioned table that
//! has no partition for any row (`no partition of relation "events" found for row`).
//!
//! Judged only where nothing else decides the row: not when the table has a trigger (a
//! BEFORE trigger may fill the column) or the history a rule (which may rewrite the INSERT),
//! not for a column of a domain (whose default applies), an identity, serial or generated
//! column, nor when the model does not know the table's columns. A `SELECT` source may
//! return no rows, so it is not judged.

use super::{Replayer, rows_match};
use crate::model::catalog::{GeneratedAlways, QualifiedName, RelationKind, TypeKind};
use crate::model::ir::ColName;
use crate::span::Span;

const NOT_NULL_HELP: &str = "write a value for the column, or give it a default first \
                             (ALTER TABLE ... ALTER COLUMN ... SET DEFAULT ...)";
const NO_PARTITION_HELP: &str = "create a partition for the rows first (CREATE TABLE ... \
                                 PARTITION OF ... FOR VALUES ..., or a DEFAULT partition)";

impl Replayer<'_> {
    /// The refusal of the first row of an INSERT of `columns` (`rows`: the `VALUES` rows as
    /// text, none for `DEFAULT VALUES`) into `qn`, reported at `at` (the table's name:
    /// PostgreSQL's run-time errors have no position).
    pub(super) fn check_inserted_row(
        &mut self,
        qn: &QualifiedName,
        columns: &[ColName],
        rows: &[Vec<String>],
        at: Span,
    ) {
        if self.catalog_blind || self.triggers_blind || self.rules_seen {
            return;
        }
        let Some(t) = self.cat.tables.get(qn) else {
            return;
        };
        if t.columns_unknown || t.blind || !t.triggers.is_empty() {
            return;
        }
        if t.kind == RelationKind::PartitionedTable {
            let partitioned = t.name.name.clone();
            if !self.cat.tables.values().any(|p| p.parents.contains(qn)) {
                let reason = format!("no partition of relation \"{partitioned}\" found for row");
                self.reject(crate::model::Refusal::new(reason, NO_PARTITION_HELP), at);
            }
            return;
        }
        if t.kind != RelationKind::Table || !(rows.is_empty() || rows_match(columns, rows)) {
            return;
        }
        let row = rows.first().map_or(&[][..], Vec::as_slice);
        let null_column = t.columns.iter().find(|col| {
            if col.nullable || col.generated || col.always != GeneratedAlways::No {
                return false;
            }
            let written = columns
                .iter()
                .position(|c| c.name == col.name)
                .and_then(|i| row.get(i))
                .map(|v| v.trim());
            let null = match written {
                None => col.default.is_none(),
                Some(v) if v.eq_ignore_ascii_case("NULL") => true,
                Some(v) if v.eq_ignore_ascii_case("DEFAULT") => col.default.is_none(),
                Some(_) => false,
            };
            null && !self.is_domain(&col.data_type)
        });
        if let Some(col) = null_column {
            let reason = format!(
                "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                col.name, t.name.name
            );
            self.reject(crate::model::Refusal::new(reason, NOT_NULL_HELP), at);
        }
    }

    /// Whether a column type (the model's spelling, `[]` allowed) is a type of the history
    /// other than an enum: a domain, whose default applies, or one like it.
    fn is_domain(&self, data_type: &str) -> bool {
        let name = data_type.strip_suffix("[]").unwrap_or(data_type);
        self.created_type(name)
            .is_some_and(|t| !matches!(t.kind, TypeKind::Enum { .. }))
    }

    /// Notes an unread statement that creates a rule.
    pub(super) fn note_unparsed_rule(&mut self, verb: Option<&str>) {
        if verb.is_some_and(|v| v.ends_with(" RULE")) {
            self.rules_seen = true;
        }
    }
}
