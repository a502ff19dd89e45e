//! Stage 3 (model), what a table must have and has from the tables it inherits from
//! (`INHERITS`, `PARTITION OF`, `ALTER TABLE ... INHERIT` / `ATTACH PARTITION`): the columns
//! and CHECK constraints PostgreSQL requires of a table that joins a parent, and the checks it
//! then has from it.
//!
//! PostgreSQL keeps a row for each on the child, counting the parents it comes from
//! (`coninhcount`) and whether the child declares it too (`conislocal`), and follows it
//! (`MergeWithExistingConstraint`, `ATExecDropConstraint`, `rename_constraint_internal`,
//! `MergeConstraintsIntoExisting`, `RemoveInheritance`):
//! - a check added to a parent (not `NO INHERIT`) reaches every child, merging with a child's
//!   check of that name (then not going further down that child); `ALTER TABLE ONLY` is refused
//!   when the table has children;
//! - dropped from a parent, it goes from a child that has it from that parent alone and does
//!   not declare it, and on down; after `ONLY`, the children keep it as their own;
//! - renamed on a parent, it is renamed in the children (`ONLY` refused when there are any);
//! - on the child it cannot be dropped or renamed on its own;
//! - `INHERIT` / `ATTACH PARTITION` need the child to have each of the parent's checks already,
//!   and `NO INHERIT` / `DETACH PARTITION` leave them as the child's own.

use super::Replayer;
use super::function_uses::inherited_check;
use crate::model::catalog::{Check, GeneratedAlways, Name, QualifiedName, RelationKind, Table};
use crate::model::{EventAction, ObjectKey, Refusal};
use crate::span::Span;

const INHERITED_HELP: &str = "a constraint a table has from its parent changes only with the \
                              parent's: alter the parent (without `ONLY`) instead";

/// How deep inheritance is followed (PostgreSQL refuses cycles; this bounds a model's).
const MAX_DEPTH: usize = 64;

/// Whether `table` is `of` or inherits from it, at any depth (PostgreSQL's circularity test).
fn descends_from(
    cat: &crate::model::catalog::Catalog,
    table: &QualifiedName,
    of: &QualifiedName,
) -> bool {
    let mut todo = vec![(table, 0)];
    while let Some((t, depth)) = todo.pop() {
        if t == of {
            return true;
        }
        if depth < MAX_DEPTH
            && let Some(t) = cat.tables.get(t)
        {
            todo.extend(t.parents.iter().map(|p| (p, depth + 1)));
        }
    }
    false
}

/// PostgreSQL's first refusal of table `child` joining `parent` for the columns both have
/// (`MergeAttributesIntoExisting`): each of the parent's must be in the child, of the same
/// type, NOT NULL where the parent's is, generated where the parent's is. `Err(())` when the
/// model cannot tell (a type spelt differently that may be the same, two generation
/// expressions).
fn column_refusal(child: &Table, parent: &Table) -> Result<Option<String>, ()> {
    for p in &parent.columns {
        let Some(c) = child.column(&p.name) else {
            return Ok(Some(format!(
                "child table is missing column \"{}\"",
                p.name
            )));
        };
        if c.data_type != p.data_type {
            if !crate::model::pgtype::surely_different(&c.data_type, &p.data_type) {
                return Err(());
            }
            return Ok(Some(format!(
                "child table \"{}\" has different type for column \"{}\"",
                child.name.name, p.name
            )));
        }
        if !p.nullable && c.nullable {
            return Ok(Some(format!(
                "column \"{}\" in child table must be marked NOT NULL",
                p.name
            )));
        }
        let generated = |always: GeneratedAlways| always == GeneratedAlways::Expression;
        match (generated(p.always), generated(c.always)) {
            (true, false) => {
                return Ok(Some(format!(
                    "column \"{}\" in child table must be a generated column",
                    p.name
                )));
            }
            (true, true) | (false, true) if p.default != c.default => return Err(()),
            _ => {}
        }
    }
    Ok(None)
}

impl Replayer<'_> {
    /// `ALTER TABLE child INHERIT parent`: PostgreSQL's refusal, in its order, `None` when
    /// it takes it (or the model cannot tell).
    pub(super) fn inherit_refusal(
        &self,
        child: &QualifiedName,
        parent: &QualifiedName,
    ) -> Option<String> {
        let c = self.cat.tables.get(child)?;
        let p = self.cat.tables.get(parent)?;
        if c.kind == RelationKind::PartitionedTable {
            return Some("cannot change inheritance of partitioned table".into());
        }
        if self.cat.is_partition(c) {
            return Some("cannot change inheritance of a partition".into());
        }
        if p.kind == RelationKind::PartitionedTable {
            return Some(format!(
                "cannot inherit from partitioned table \"{}\"",
                parent.name
            ));
        }
        if self.cat.is_partition(p) {
            return Some("cannot inherit from a partition".into());
        }
        if p.kind.is_view() {
            return Some(format!(
                "ALTER action INHERIT cannot be performed on relation \"{}\"",
                parent.name
            ));
        }
        if descends_from(&self.cat, parent, child) {
            return Some("circular inheritance not allowed".into());
        }
        if c.parents.contains(parent) {
            return Some(format!(
                "relation \"{}\" would be inherited from more than once",
                parent.name
            ));
        }
        self.joining_refusal(c, p)
    }

    /// `ALTER TABLE child NO INHERIT parent`: PostgreSQL's refusal, `None` when it takes it
    /// (or the model cannot tell: a parent it does not hold, a table an unread ALTER touched).
    pub(super) fn no_inherit_refusal(
        &self,
        child: &QualifiedName,
        parent: &crate::model::ir::ObjName,
    ) -> Option<String> {
        let c = self.cat.tables.get(child)?;
        if c.kind == RelationKind::PartitionedTable {
            return Some("cannot change inheritance of partitioned table".into());
        }
        if self.cat.is_partition(c) {
            return Some("cannot change inheritance of a partition".into());
        }
        let pqn = self.lookup_rel(parent).ok()?;
        self.cat.tables.get(&pqn)?;
        (!c.blind && !c.parents.contains(&pqn)).then(|| {
            format!(
                "relation \"{}\" is not a parent of relation \"{}\"",
                pqn.name, child.name
            )
        })
    }

    /// `ALTER TABLE parent ATTACH PARTITION child`: PostgreSQL's refusal for what the child
    /// is and has (after "is already a partition"), `None` when it takes it (or the model
    /// cannot tell).
    pub(super) fn attach_refusal(
        &self,
        child: &QualifiedName,
        parent: &QualifiedName,
    ) -> Option<String> {
        let c = self.cat.tables.get(child)?;
        let p = self.cat.tables.get(parent)?;
        if !c.parents.is_empty() {
            return Some("cannot attach inheritance child as partition".into());
        }
        // A partitioned table's partitions are its children too: they may come along.
        if self.cat.children(child).any(|t| !self.cat.is_partition(t)) {
            return Some("cannot attach inheritance parent as partition".into());
        }
        if descends_from(&self.cat, parent, child) {
            return Some("circular inheritance not allowed".into());
        }
        if c.blind || p.blind || c.columns_unknown || p.columns_unknown {
            return None;
        }
        if let Some(extra) = c.columns.iter().find(|x| p.column(&x.name).is_none()) {
            return Some(format!(
                "table \"{}\" contains column \"{}\" not found in parent \"{}\"",
                child.name, extra.name, parent.name
            ));
        }
        self.joining_refusal(c, p)
    }

    /// The columns and checks `child` must have to join `parent`.
    fn joining_refusal(&self, c: &Table, p: &Table) -> Option<String> {
        if c.blind || p.blind || c.columns_unknown || p.columns_unknown {
            return None;
        }
        if let Some(refusal) = column_refusal(c, p).ok()? {
            return Some(refusal);
        }
        let missing = p
            .checks
            .iter()
            .filter(|k| !k.no_inherit)
            .find(|k| !c.checks.iter().any(|x| x.name == k.name))?;
        Some(format!(
            "child table is missing constraint \"{}\"",
            missing.name
        ))
    }

    /// What depends on the children's copies of column `column` of `table` (those a DROP
    /// COLUMN takes with it, the copies it has from the parent): their generated columns and
    /// triggers, as PostgreSQL lists them.
    pub(super) fn column_dependents_below(
        &self,
        table: &QualifiedName,
        column: &str,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let mut todo = vec![(table.clone(), 0)];
        while let Some((parent, depth)) = todo.pop() {
            if depth > MAX_DEPTH {
                continue;
            }
            for child in self.cat.children(&parent) {
                if child.blind || !child.column(column).is_some_and(|c| c.inherited) {
                    continue;
                }
                let (generated, triggers) = super::column_dependents(child, column);
                let name = &child.name;
                out.extend(
                    generated
                        .iter()
                        .map(|g| format!("column {g} of table {name}")),
                );
                out.extend(
                    triggers
                        .iter()
                        .map(|g| format!("trigger {g} on table {name}")),
                );
                todo.push((child.name.clone(), depth + 1));
            }
        }
        out
    }

    fn child_names(&self, of: &QualifiedName) -> Vec<QualifiedName> {
        self.cat.children(of).map(|t| t.name.clone()).collect()
    }

    /// A check was added to `parent` (its origin is `origin`): the children get it.
    pub(super) fn inherit_new_check(&mut self, parent: &QualifiedName, origin: Span) {
        let Some(check) = self
            .cat
            .tables
            .get(parent)
            .and_then(|t| {
                t.checks
                    .iter()
                    .find(|c| c.origin == origin && !c.no_inherit)
            })
            .cloned()
        else {
            return;
        };
        self.sync_dirty();
        self.push_check_down(parent, &check, 0);
        self.sync_dirty();
    }

    fn push_check_down(&mut self, parent: &QualifiedName, check: &Check, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for child in self.child_names(parent) {
            let Some(t) = self.table_mut(&child) else {
                continue;
            };
            if let Some(own) = t.checks.iter_mut().find(|c| c.name == check.name) {
                own.inherited = own.inherited.saturating_add(1);
                continue;
            }
            t.checks.push(inherited_check(check));
            self.push_check_down(&child, check, depth + 1);
        }
    }

    /// `DROP CONSTRAINT name` on `parent` dropped a check: its children's copies follow.
    pub(super) fn drop_check_down(&mut self, parent: &QualifiedName, name: &str, only: bool) {
        self.sync_dirty();
        self.drop_check_below(parent, name, only, 0);
        self.sync_dirty();
    }

    fn drop_check_below(&mut self, parent: &QualifiedName, name: &str, only: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let span = self.stmt_span;
        for child in self.child_names(parent) {
            let Some(t) = self.table_mut(&child) else {
                continue;
            };
            let Some(at) = t
                .checks
                .iter()
                .position(|c| c.name == name && c.inherited > 0)
            else {
                continue;
            };
            let c = &mut t.checks[at];
            if only {
                c.inherited -= 1;
                c.local = true;
            } else if c.inherited == 1 && !c.local {
                t.checks.remove(at);
                let object = ObjectKey::Constraint {
                    table: child.clone(),
                    name: name.into(),
                };
                self.event(object, EventAction::Dropped, span);
                self.drop_check_below(&child, name, false, depth + 1);
            } else {
                c.inherited -= 1;
            }
        }
    }

    /// `RENAME CONSTRAINT from TO to` on `parent` renamed a check: so are the children's.
    pub(super) fn rename_check_down(&mut self, parent: &QualifiedName, from: &str, to: &Name) {
        let mut todo = vec![(parent.clone(), 0)];
        while let Some((table, depth)) = todo.pop() {
            if depth > MAX_DEPTH {
                continue;
            }
            for child in self.child_names(&table) {
                let renamed = self.table_mut(&child).is_some_and(|t| {
                    t.checks
                        .iter_mut()
                        .find(|c| c.name == from && c.inherited > 0)
                        .map(|c| c.name.clone_from(to))
                        .is_some()
                });
                if renamed {
                    todo.push((child, depth + 1));
                }
            }
        }
        self.sync_dirty();
    }

    /// PostgreSQL's refusal to drop (`drop`) or rename check `name` of `table` that it has
    /// from a parent.
    pub(super) fn inherited_check_refusal(
        &self,
        table: &QualifiedName,
        name: &str,
        drop: bool,
    ) -> Option<Refusal> {
        let t = self.cat.tables.get(table)?;
        t.checks
            .iter()
            .find(|c| c.name == name && c.inherited > 0)?;
        let reason = if drop {
            format!(
                "cannot drop inherited constraint \"{name}\" of relation \"{}\"",
                table.name
            )
        } else {
            format!("cannot rename inherited constraint \"{name}\"")
        };
        Some(Refusal::new(reason, INHERITED_HELP))
    }

    /// `table`'s check `name`, if its children have it (not `NO INHERIT`).
    fn inheritable_check(&self, table: &QualifiedName, name: &str) -> Option<&Check> {
        self.cat
            .tables
            .get(table)?
            .checks
            .iter()
            .find(|c| c.name == name && !c.no_inherit)
    }

    /// `RENAME CONSTRAINT from` of a check of `table` that a descendant also has from a parent
    /// outside `table`'s tree (two parents' checks merged): PostgreSQL refuses to rename it
    /// there (`coninhcount` above the parents it counts in the tree).
    pub(super) fn rename_check_refusal_below(
        &self,
        table: &QualifiedName,
        from: &str,
    ) -> Option<Refusal> {
        self.inheritable_check(table, from)?;
        let mut tree = vec![table.clone()];
        tree.extend(self.cat.descendants(table));
        let merged = tree.iter().skip(1).any(|d| {
            self.cat.tables.get(d).is_some_and(|d| {
                let in_tree = d.parents.iter().filter(|p| tree.contains(p)).count();
                d.checks
                    .iter()
                    .any(|c| c.name == from && usize::from(c.inherited) > in_tree)
            })
        });
        merged.then(|| {
            Refusal::new(
                format!("cannot rename inherited constraint \"{from}\""),
                INHERITED_HELP,
            )
        })
    }

    /// `ALTER TABLE ONLY table RENAME CONSTRAINT from ...` of a check the children inherit.
    pub(super) fn only_rename_check_refusal(
        &self,
        table: &QualifiedName,
        from: &str,
    ) -> Option<Refusal> {
        self.inheritable_check(table, from)?;
        self.cat.children(table).next()?;
        let reason = format!("inherited constraint \"{from}\" must be renamed in child tables too");
        Some(Refusal::new(
            reason,
            "leave out `ONLY`: the name changes in every child",
        ))
    }

    /// `INHERIT parent` / `ATTACH PARTITION` taken: the checks `child` has of the parent's
    /// become inherited (a partition's, inherited only: PostgreSQL drops them with the
    /// parent's).
    pub(super) fn merge_parent_checks(
        &mut self,
        child: &QualifiedName,
        parent: &QualifiedName,
        partition: bool,
    ) {
        let wanted = self.inheritable_checks(parent);
        if let Some(t) = self.table_mut(child) {
            for k in t.checks.iter_mut().filter(|k| wanted.contains(&k.name)) {
                k.inherited = k.inherited.saturating_add(1);
                k.local &= !partition;
            }
        }
    }

    /// The names of the checks of `parent` its children have (not `NO INHERIT`).
    fn inheritable_checks(&self, parent: &QualifiedName) -> Vec<Name> {
        self.cat.tables.get(parent).map_or_else(Vec::new, |p| {
            p.checks
                .iter()
                .filter(|k| !k.no_inherit)
                .map(|k| k.name.clone())
                .collect()
        })
    }

    /// `NO INHERIT parent` / `DETACH PARTITION`: the checks `child` has from `parent` count
    /// one parent fewer, and become its own when none is left.
    pub(super) fn leave_parent_checks(&mut self, child: &QualifiedName, parent: &QualifiedName) {
        let names = self.inheritable_checks(parent);
        if let Some(t) = self.table_mut(child) {
            for k in t.checks.iter_mut() {
                if k.inherited > 0 && names.contains(&k.name) {
                    k.inherited -= 1;
                    if k.inherited == 0 {
                        k.local = true;
                    }
                }
            }
        }
    }
}
