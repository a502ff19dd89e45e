//! Stage 3 (model), the rows an INSERT certainly writes (`VALUES`, `DEFAULT VALUES`) against
//! what PostgreSQL checks on every row, in row order: a number out of its integer column's
//! range (`integer out of range`: the conversion runs before the constraints), a NOT NULL
//! column left out with no default, or written NULL or DEFAULT without one (`null value in
//! column "email" of relation "users" violates not-null constraint`), and a partitioned table
//! that has no partition for any row (`no partition of relation "events" found for row`).
//! What the statement's analysis refuses whatever the rows (a value of the wrong type) is
//! `conversions.rs`'s.
//!
//! Judged only where nothing else decides the row: not when the table has a trigger (a
//! BEFORE trigger may fill the column) or the history a rule (which may rewrite the INSERT),
//! not for a column of a domain (whose default applies), an identity, serial or generated
//! column, nor when the model does not know the table's columns. A `SELECT` source may
//! return no rows, so it is not judged. A partition is judged with the columns it has of its
//! partitioned table, unless one of its partitioned tables has a trigger (PostgreSQL runs
//! their row triggers for it too) or the column is an identity there (a partition takes it
//! from PostgreSQL 17 on); rows are counted against an inheritance child's columns, its
//! parents' merged with its own.

use super::{Replayer, rows_match};
use crate::model::Refusal;
use crate::model::catalog::{
    Column, GeneratedAlways, Name, QualifiedName, RelationKind, Table, TypeKind,
};
use crate::model::ir::{ColName, ObjName, QueryRefs};
use crate::span::Span;

const NOT_NULL_HELP: &str = "write a value for the column, or give it a default first \
                             (ALTER TABLE ... ALTER COLUMN ... SET DEFAULT ...)";
const OUT_OF_RANGE_HELP: &str = "write a number the column's type holds, or widen the column \
                                  first (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)";
const NO_PARTITION_HELP: &str = "create a partition for the rows first (CREATE TABLE ... \
                                 PARTITION OF ... FOR VALUES ..., or a DEFAULT partition)";

impl Replayer<'_> {
    /// PostgreSQL's refusal of an INSERT whose rows and target columns do not pair up, row by
    /// row as its analysis reads them (`rows`: the `VALUES` rows or a plain `SELECT`'s
    /// projection, as text): a row of another length than the first (`VALUES lists must all
    /// be the same length`), more expressions than the target columns (the listed ones, or the
    /// table's when none are listed), fewer than the listed ones. A `*` or `alias.*` of a
    /// `SELECT` counts the columns of its one relation (`query`'s, no function called), when
    /// the model knows them; otherwise the row is not counted. Without a column list the
    /// table's columns must be known. `at`: the table's name.
    pub(super) fn check_insert_arity(
        &mut self,
        qn: &QualifiedName,
        columns: &[ColName],
        rows: &[Vec<String>],
        query: &QueryRefs,
        at: Span,
    ) {
        let targets = if columns.is_empty() {
            self.known_column_count(qn)
        } else {
            Some(columns.len())
        };
        let Some(lengths) = rows
            .iter()
            .map(|row| self.row_length(row, query))
            .collect::<Option<Vec<usize>>>()
        else {
            return;
        };
        let Some(&first) = lengths.first() else {
            return;
        };
        for len in lengths {
            let (reason, span) = if len != first {
                ("VALUES lists must all be the same length", at)
            } else if targets.is_some_and(|n| len > n) {
                ("INSERT has more expressions than target columns", at)
            } else if let Some(missing) = columns.get(len) {
                (
                    "INSERT has more target columns than expressions",
                    missing.span,
                )
            } else {
                continue;
            };
            let help = "write one value for each target column in every row (`DEFAULT` \
                        for a column left to its default), or list the columns written";
            self.reject(Refusal::new(reason, help), span);
            return;
        }
    }

    /// The number of columns of table `qn` when the model knows them all: a table, partition
    /// or partitioned table that is not blind, nor any table it inherits from or is a
    /// partition of (whose columns it has, merged as PostgreSQL merges them).
    fn known_column_count(&self, qn: &QualifiedName) -> Option<usize> {
        let t = self.cat.tables.get(qn)?;
        let known = !self.catalog_blind
            && matches!(
                t.kind,
                RelationKind::Table | RelationKind::PartitionedTable | RelationKind::Partition
            )
            && self
                .lineage(qn)?
                .iter()
                .all(|a| !a.blind && !a.columns_unknown);
        known.then_some(t.columns.len())
    }

    /// Table `qn` and every table it inherits from or is a partition of, each once; `None`
    /// when one of them is not in the catalog.
    fn lineage(&self, qn: &QualifiedName) -> Option<Vec<&Table>> {
        let mut out: Vec<&Table> = Vec::new();
        let mut todo = vec![qn];
        while let Some(next) = todo.pop() {
            let t = self.cat.tables.get(next)?;
            if out.iter().any(|seen| std::ptr::eq(*seen, t)) {
                continue;
            }
            todo.extend(t.parents.iter());
            out.push(t);
        }
        Some(out)
    }

    /// How many values a row of an INSERT's source has: its items, a `*` or `alias.*` counted
    /// as the columns of `query`'s one relation ([`Self::known_column_count`]); `None` when a
    /// `*` cannot be counted.
    fn row_length(&self, row: &[String], query: &QueryRefs) -> Option<usize> {
        let mut len = 0;
        for item in row {
            len += if item.ends_with('*') {
                let [r] = query.relations.as_slice() else {
                    return None;
                };
                let star = item == "*" || item.strip_suffix(".*") == Some(r.alias.as_str());
                if !star || !query.calls.is_empty() {
                    return None;
                }
                self.known_column_count(&self.lookup_rel(&r.name).ok()?)?
            } else {
                1
            };
        }
        Some(len)
    }

    /// The refusal of the first row PostgreSQL refuses of an INSERT of `columns` (`rows`: the
    /// `VALUES` rows as text, none for `DEFAULT VALUES`) into `qn`, reported at `at` (the
    /// table's name: PostgreSQL's run-time errors have no position).
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
        if t.columns_unknown || t.blind || t.rules || !t.triggers.is_empty() {
            return;
        }
        if t.kind == RelationKind::PartitionedTable {
            let partitioned = t.name.name.clone();
            if !self.cat.tables.values().any(|p| p.parents.contains(qn)) {
                let reason = format!("no partition of relation \"{partitioned}\" found for row");
                self.reject(Refusal::new(reason, NO_PARTITION_HELP), at);
            }
            return;
        }
        let partition = t.kind == RelationKind::Partition;
        if !(t.kind == RelationKind::Table || partition)
            || !(rows.is_empty() || rows_match(columns, rows))
        {
            return;
        }
        // A partition runs its partitioned tables' row triggers too (PostgreSQL clones them),
        // and takes their identity columns from PostgreSQL 17 on: such a column is not judged.
        let mut inherited_identity = Vec::new();
        if partition {
            let Some(lineage) = self.lineage(qn) else {
                return;
            };
            if lineage.iter().any(|a| !a.triggers.is_empty() || a.blind) {
                return;
            }
            inherited_identity = lineage
                .iter()
                .flat_map(|a| &a.columns)
                .filter(|c| {
                    c.default.as_deref() == Some(super::IDENTITY_DEFAULT)
                        || c.always != GeneratedAlways::No
                })
                .map(|c| c.name.clone())
                .collect();
        }
        // `DEFAULT VALUES` writes one row of defaults.
        let no_values: &[Vec<String>] = &[Vec::new()];
        let rows = if rows.is_empty() { no_values } else { rows };
        if let Some(refusal) = rows
            .iter()
            .find_map(|row| self.row_refusal(t, columns, row, &inherited_identity))
        {
            self.reject(refusal, at);
        }
    }

    /// PostgreSQL's refusal of one row an INSERT of `columns` writes into `t` (a table whose
    /// columns are known): a number out of its integer column's range (converted before any
    /// constraint is checked), then a NOT NULL column left NULL.
    fn row_refusal(
        &self,
        t: &Table,
        columns: &[ColName],
        row: &[String],
        skip: &[Name],
    ) -> Option<Refusal> {
        let written = |col: &Column| {
            columns
                .iter()
                .position(|c| c.name == col.name)
                .and_then(|i| row.get(i))
                .map(|v| v.trim())
        };
        let out_of_range = t.columns.iter().find_map(|col| {
            let range = integer_range(&col.data_type)?;
            let value: i128 = written(col)?.parse().ok()?;
            (!range.contains(&value)).then(|| format!("{} out of range", col.data_type))
        });
        if let Some(reason) = out_of_range {
            return Some(Refusal::new(reason, OUT_OF_RANGE_HELP));
        }
        let null_column = t.columns.iter().find(|col| {
            if col.nullable
                || col.generated
                || col.always != GeneratedAlways::No
                || skip.contains(&col.name)
            {
                return false;
            }
            let null = match written(col) {
                None => col.default.is_none(),
                Some(v) if v.eq_ignore_ascii_case("NULL") => true,
                Some(v) if v.eq_ignore_ascii_case("DEFAULT") => col.default.is_none(),
                Some(_) => false,
            };
            null && !self.is_domain(&col.data_type)
        })?;
        let reason = format!(
            "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
            null_column.name, t.name.name
        );
        Some(Refusal::new(reason, NOT_NULL_HELP))
    }

    /// Whether a column type (the model's spelling, `[]` allowed) is a type of the history
    /// other than an enum: a domain, whose default applies, or one like it.
    fn is_domain(&self, data_type: &str) -> bool {
        let name = data_type.strip_suffix("[]").unwrap_or(data_type);
        self.created_type(name)
            .is_some_and(|t| !matches!(t.kind, TypeKind::Enum { .. }))
    }

    /// `CREATE RULE ... TO table`: marks the table (a rule rewrites the statements that
    /// target it); when the model does not know it, every table.
    pub(super) fn create_rule(&mut self, table: &ObjName) {
        let found = self.lookup_rel(table).ok();
        match found.and_then(|qn| self.table_mut(&qn)) {
            Some(t) => t.rules = true,
            None => self.rules_seen = true,
        }
    }

    /// Notes an unread statement that creates a rule.
    pub(super) fn note_unparsed_rule(&mut self, verb: Option<&str>) {
        if verb.is_some_and(|v| v.ends_with(" RULE")) {
            self.rules_seen = true;
        }
    }
}

/// The values a column of an integer type holds (the model spells them `smallint`, `integer`,
/// `bigint`).
fn integer_range(data_type: &str) -> Option<std::ops::RangeInclusive<i128>> {
    Some(match data_type {
        "smallint" => i128::from(i16::MIN)..=i128::from(i16::MAX),
        "integer" => i128::from(i32::MIN)..=i128::from(i32::MAX),
        "bigint" => i128::from(i64::MIN)..=i128::from(i64::MAX),
        _ => return None,
    })
}
