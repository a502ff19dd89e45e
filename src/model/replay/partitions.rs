//! Stage 3 (model), what partitions have from their partitioned table: the indexes that are
//! part of its indexes ([`Index::partition_of`], PostgreSQL's `relispartition` indexes), and
//! what becomes a partition's own when it is detached.
//!
//! PostgreSQL gives every partition an index for each index of its partitioned table: when
//! the partition is created `PARTITION OF` it or attached to it, and when an index or a key is
//! created on the partitioned table (not `ON ONLY` / `ALTER TABLE ONLY`, which pg_dump uses
//! before it attaches each partition's own index with `ALTER INDEX ... ATTACH PARTITION`). An
//! index the partition already has with the same definition and no parent joins instead
//! (`AttachPartitionEnsureIndexes`); otherwise a new one is named as `ChooseIndexName` names
//! it: `<partition>_pkey`, `<partition>_<columns>_key`, `_excl` or `_idx`, the first free. The
//! model keeps them so that their names are taken and can be used (`ALTER INDEX
//! events_2024_pkey RENAME ...`, `CLUSTER ... USING`), and refuses to drop one on its own;
//! they go with the index they are part of, and become the partition's own when it is
//! detached.

use super::Replayer;
use crate::model::Refusal;
use crate::model::catalog::{Exclusion, ForeignKey, Index, Key, Name, QualifiedName, Table};
use crate::model::names::{choose_name, columns_addition, index_columns_addition};
use crate::span::Span;

const DROP_PARTITION_INDEX_HELP: &str = "a partition's index that is part of its partitioned \
                                         table's index goes only with that index: drop the \
                                         partitioned table's index instead (or detach the \
                                         partition first)";

/// What an index backs, which decides the name of a partition's index made for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    PrimaryKey,
    Unique,
    Exclusion,
    Plain,
}

impl Role {
    fn of(table: &Table, index: &Index) -> Self {
        if !index.constraint {
            Self::Plain
        } else if table
            .primary_key
            .as_ref()
            .is_some_and(|k| k.name == index.name)
        {
            Self::PrimaryKey
        } else if table.exclusions.iter().any(|x| x.name == index.name) {
            Self::Exclusion
        } else {
            Self::Unique
        }
    }
}

/// `CompareIndexInfo`, on what the model knows of an index: the same elements, uniqueness,
/// method, operator classes, collations and partiality (a partial index's predicate is not kept: two
/// partial indexes alike in the rest are taken to match).
fn same_definition(a: &Index, b: &Index) -> bool {
    a.elements == b.elements
        && a.unique == b.unique
        && a.method == b.method
        && a.opclasses == b.opclasses
        // Collations count; directions do not (CompareIndexInfo reads no `indoption`).
        && a.sorts.iter().map(|s| &s.collation).eq(b.sorts.iter().map(|s| &s.collation))
        && a.partial == b.partial
}

impl Replayer<'_> {
    /// What `key` backs: for a partition's index, what the index it is part of backs (the
    /// partition does not list the key it inherits).
    fn index_role(&self, key: &QualifiedName) -> Role {
        let mut at = key.clone();
        // A chain is as long as the partition tree is deep; the bound only stops a cycle.
        for _ in 0..=self.cat.indexes.len() {
            let Some(index) = self.cat.indexes.get(&at) else {
                break;
            };
            match &index.partition_of {
                Some(parent) => at = (**parent).clone(),
                None => {
                    return self
                        .cat
                        .tables
                        .get(&index.table)
                        .map_or(Role::Plain, |t| Role::of(t, index));
                }
            }
        }
        Role::Plain
    }

    /// The partitions of `table` (one level down), in name order.
    fn partitions_of(&mut self, table: &QualifiedName) -> Vec<QualifiedName> {
        self.sync_dirty();
        let mut found: Vec<QualifiedName> = self
            .cat
            .children(table)
            .filter(|t| self.cat.is_partition(t))
            .map(|t| t.name.clone())
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// The indexes of `table` a new partition of it gets one of, in the order they were
    /// created (PostgreSQL clones them in OID order, which decides the names when two would
    /// be named alike): by the statement that made each (a partition's index has the span of
    /// the statement that made it, not of the index it is part of).
    fn indexes_to_clone(&self, table: &QualifiedName) -> Vec<QualifiedName> {
        let mut list: Vec<(Span, QualifiedName)> = self
            .cat
            .every_index_on(table)
            .map(|i| (i.origin, i.key()))
            .collect();
        list.sort();
        list.into_iter().map(|(_, k)| k).collect()
    }

    /// Index `index` of a partitioned table reaches each of the table's partitions (CREATE
    /// INDEX without `ON ONLY`, a key added without `ALTER TABLE ONLY`).
    pub(super) fn index_into_partitions(&mut self, index: &QualifiedName) {
        let Some(table) = self.cat.indexes.get(index).map(|i| i.table.clone()) else {
            return;
        };
        for partition in self.partitions_of(&table) {
            self.index_into_partition(index, &partition, true);
        }
    }

    /// A new partition (`PARTITION OF`, `ATTACH PARTITION`) gets an index for each of its
    /// partitioned table's.
    /// `join_own`: an equal index the partition has joins (ATTACH PARTITION); `CREATE TABLE
    /// ... PARTITION OF` makes new ones before the table's own keys and indexes exist.
    pub(super) fn partition_indexes(
        &mut self,
        partition: &QualifiedName,
        parent: &QualifiedName,
        join_own: bool,
    ) {
        for index in self.indexes_to_clone(parent) {
            self.index_into_partition(&index, partition, join_own);
        }
    }

    /// `index` reaches `partition` and, through the index it gets, the partition's own
    /// partitions.
    fn index_into_partition(
        &mut self,
        index: &QualifiedName,
        partition: &QualifiedName,
        join_own: bool,
    ) {
        let mut todo = vec![(index.clone(), partition.clone())];
        let mut steps = 0usize;
        while let Some((index, partition)) = todo.pop() {
            steps += 1;
            if steps > self.cat.tables.len() + 1 {
                break; // a cycle of parents: not a tree PostgreSQL can have
            }
            let Some(child) = self.partition_index(&index, &partition, join_own) else {
                continue;
            };
            for sub in self.partitions_of(&partition) {
                todo.push((child.clone(), sub));
            }
        }
    }

    /// The index of `partition` that is part of `index`: one it has that matches, else a new
    /// one. `None` when the index or the partition is not in the model.
    fn partition_index(
        &mut self,
        index: &QualifiedName,
        partition: &QualifiedName,
        join_own: bool,
    ) -> Option<QualifiedName> {
        let parent = self.cat.indexes.get(index)?.clone();
        let table = self.cat.tables.get(partition)?;
        let role = self.index_role(index);
        let matched = self
            .cat
            .every_index_on(partition)
            .filter(|i| join_own && i.partition_of.is_none() && same_definition(i, &parent))
            .find(|i| role == Role::Plain || Role::of(table, i) == role)
            .cloned();
        if let Some(mut own) = matched {
            let key = own.key();
            own.partition_of = Some(Box::new(index.clone()));
            if role != Role::Plain {
                self.leave_key_lists(partition, &own.name);
            }
            self.put_index(own);
            return Some(key);
        }
        let schema = partition.schema.clone();
        let (label, addition) = match role {
            Role::PrimaryKey => ("pkey", None),
            Role::Unique => ("key", Some(index_columns_addition(&parent.names))),
            Role::Exclusion => ("excl", Some(index_columns_addition(&parent.names))),
            Role::Plain => ("idx", Some(index_columns_addition(&parent.names))),
        };
        self.sync_dirty();
        let name = choose_name(&partition.name, addition.as_deref(), label, |n| {
            self.name_taken_in_schema(&schema, n)
                || (role != Role::Plain && self.cat.constraint_name_taken(&schema, n))
        });
        let key = QualifiedName::new(schema.clone(), name.clone());
        self.put_index(Index {
            name: name.into(),
            schema,
            table: partition.clone(),
            origin: self.stmt_span,
            partition_of: Some(Box::new(index.clone())),
            ..parent
        });
        Some(key)
    }

    /// A key that has become part of the parent's key leaves the partition's lists (the
    /// model lists what is declared on each table, as the judge compares).
    pub(super) fn leave_key_lists(&mut self, table: &QualifiedName, name: &str) {
        if let Some(mut t) = self.cat.tables.get(table).cloned() {
            if t.primary_key.as_ref().is_some_and(|k| k.name == name) {
                t.primary_key = None;
            }
            t.uniques.retain(|k| k.name != name);
            t.exclusions.retain(|x| x.name != name);
            self.replace_table(t);
        }
    }

    /// `DETACH PARTITION`: the partition's indexes that were part of its parent's become its
    /// own, and so do the keys they back and the foreign keys it had from its parent and the
    /// parent's partitioned ancestors (under the names its copies have).
    pub(super) fn detach_partition(&mut self, partition: &QualifiedName, parent: &QualifiedName) {
        self.detach_partition_indexes(partition, parent);
        let Some(mut t) = self.cat.tables.get(partition).cloned() else {
            return;
        };
        let mut chain = vec![&t];
        chain.extend(self.cat.with_partition_ancestors(parent));
        let inherited = fk_copies(&chain);
        if inherited.is_empty() {
            return;
        }
        self.sync_dirty();
        t.fk_names
            .retain(|(o, _)| !inherited.iter().any(|f| f.origin == *o));
        for mut fk in inherited {
            // A copy made while the partition had a constraint of its parent's key's name was
            // named as ChooseConstraintName names it.
            if t.constraint_names().any(|n| n == fk.name) {
                fk.name = self.fk_copy_name(&t, &fk);
            }
            t.foreign_keys.push(fk);
        }
        self.replace_table(t);
    }

    /// `ATTACH PARTITION`: the partition gets a copy of each foreign key of its new
    /// partitioned table and that table's ancestors. A validated foreign key of its own that
    /// matches one (columns, referenced table and columns, actions) becomes that copy under
    /// its own name, as `tryAttachPartitionForeignKey` adopts it; a copy under a name the
    /// partition already uses is named as ChooseConstraintName names it.
    pub(super) fn attach_foreign_keys(
        &mut self,
        partition: &QualifiedName,
        parent: &QualifiedName,
    ) {
        let Some(mut t) = self.cat.tables.get(partition).cloned() else {
            return;
        };
        let copies = {
            let mut chain = vec![&t];
            chain.extend(self.cat.with_partition_ancestors(parent));
            fk_copies(&chain)
        };
        if copies.is_empty() {
            return;
        }
        for copy in copies {
            let adopted = t.foreign_keys.iter().position(|own| {
                !own.not_valid
                    && own.columns == copy.columns
                    && own.target == copy.target
                    && own.target_columns == copy.target_columns
                    && own.on_delete == copy.on_delete
                    && own.on_update == copy.on_update
            });
            if let Some(at) = adopted {
                let own = t.foreign_keys.remove(at);
                t.fk_names.push((copy.origin, own.name));
            } else if t.constraint_names().any(|n| n == copy.name) {
                let name = self.fk_copy_name(&t, &copy);
                t.fk_names.push((copy.origin, name));
            }
        }
        self.sync_dirty();
        self.replace_table(t);
    }

    /// Does `table` have a primary key: its own, or (a partition's) the index of its partitioned
    /// table's that it has a part of (not after `ALTER TABLE ONLY`, until pg_dump attaches the
    /// partition's own)?
    pub(super) fn has_primary_key(&self, table: &QualifiedName) -> bool {
        self.cat
            .tables
            .get(table)
            .is_some_and(|t| t.primary_key.is_some())
            || self
                .cat
                .every_index_on(table)
                .any(|i| i.partition_of.is_some() && self.index_role(&i.key()) == Role::PrimaryKey)
    }

    /// The primary key columns partition `table` would get from `parent` and its partitioned
    /// ancestors (where the key is declared), if `parent` has one.
    pub(super) fn parent_primary_key(&self, parent: &QualifiedName) -> Option<&Key> {
        if !self.has_primary_key(parent) {
            return None;
        }
        self.cat
            .with_partition_ancestors(parent)
            .into_iter()
            .find_map(|t| t.primary_key.as_ref())
    }

    /// The names of the copies of foreign keys a new partition of `parent` gets: the names
    /// `parent` has for its own and for its copies.
    pub(super) fn new_partition_fk_names(
        &self,
        parent: &QualifiedName,
    ) -> impl Iterator<Item = Name> {
        let own = self
            .cat
            .tables
            .get(parent)
            .map(|p| {
                p.foreign_keys
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        own.into_iter()
            .chain(self.inherited_fks(parent).into_iter().map(|f| f.name))
    }

    /// A primary key `index` just added to partitioned table `table` reaches its partitions:
    /// one with a primary key of its own on other columns refuses it (on the same columns,
    /// its index joins).
    pub(super) fn second_primary_key_below(
        &mut self,
        table: &QualifiedName,
        index: &QualifiedName,
    ) -> Option<String> {
        let pk = self
            .cat
            .tables
            .get(table)?
            .primary_key
            .clone()
            .filter(|k| k.name == index.name)?;
        self.partitions_below(table).iter().find_map(|p| {
            let part = self.cat.tables.get(p)?;
            let own = part.primary_key.as_ref()?;
            (own.columns != pk.columns || own.include != pk.include)
                .then(|| super::multiple_primary_keys(part))
        })
    }

    /// The partitions of `table`, and theirs, down the partition tree.
    fn partitions_below(&mut self, table: &QualifiedName) -> Vec<QualifiedName> {
        let mut found = Vec::new();
        let mut todo = self.partitions_of(table);
        while let Some(p) = todo.pop() {
            if found.len() > self.cat.tables.len() {
                break; // a cycle of parents: not a tree PostgreSQL can have
            }
            todo.extend(self.partitions_of(&p));
            found.push(p);
        }
        found
    }

    /// A primary key added to partitioned table `table` makes its columns NOT NULL in every
    /// partition, as in the table.
    pub(super) fn primary_key_not_null_below(&mut self, table: &QualifiedName) {
        let Some(pk) = self
            .cat
            .tables
            .get(table)
            .and_then(|t| t.primary_key.clone())
        else {
            return;
        };
        for p in self.partitions_below(table) {
            if let Some(t) = self.table_mut(&p) {
                for c in t
                    .columns
                    .iter_mut()
                    .filter(|c| pk.columns.contains(&c.name))
                {
                    c.nullable = false;
                }
            }
        }
        self.sync_dirty();
    }

    /// The name ChooseConstraintName gives partition `t`'s copy of `fk` when the parent's
    /// name is taken on `t`: `<partition>_<columns>_fkey`, the first free.
    fn fk_copy_name(&self, t: &Table, fk: &ForeignKey) -> Name {
        let add = columns_addition(&fk.columns);
        let schema = &t.name.schema;
        choose_name(&t.name.name, Some(&add), "fkey", |n| {
            t.constraint_names().any(|c| c == n) || self.cat.constraint_name_taken(schema, n)
        })
        .into()
    }

    /// The foreign keys partition `table` has from its partitioned ancestors, each under the
    /// name its copy has.
    pub(super) fn inherited_fks(&self, table: &QualifiedName) -> Vec<ForeignKey> {
        fk_copies(&self.cat.with_partition_ancestors(table))
    }

    /// Foreign key `origin` of `table` (its own, or its copy of an ancestor's) is renamed from
    /// `name`: the copies its partitions have keep the name they were made with.
    pub(super) fn keep_fk_copy_names(&mut self, table: &QualifiedName, origin: Span, name: &Name) {
        for p in self.partitions_of(table) {
            if let Some(t) = self.table_mut(&p)
                && !t.fk_names.iter().any(|(o, _)| *o == origin)
            {
                t.fk_names.push((origin, name.clone()));
            }
        }
        self.sync_dirty();
    }

    fn detach_partition_indexes(&mut self, partition: &QualifiedName, parent: &QualifiedName) {
        let attached: Vec<(QualifiedName, Role)> = self
            .cat
            .every_index_on(partition)
            .filter(|i| {
                i.partition_of
                    .as_ref()
                    .and_then(|p| self.cat.indexes.get(p))
                    .is_some_and(|p| p.table == *parent)
            })
            .map(|i| (i.key(), self.index_role(&i.key())))
            .collect();
        for (key, role) in attached {
            let Some(mut own) = self.cat.indexes.get(&key).cloned() else {
                continue;
            };
            own.partition_of = None;
            let columns = own.columns.iter().flatten().cloned().collect::<Vec<_>>();
            let (name, origin, include) = (own.name.clone(), own.origin, own.include.clone());
            self.put_index(own);
            let Some(mut t) = self.cat.tables.get(partition).cloned() else {
                continue;
            };
            match role {
                Role::PrimaryKey => {
                    t.primary_key = Some(Key {
                        name,
                        columns,
                        origin,
                        include,
                    });
                }
                Role::Unique => t.uniques.push(Key {
                    name,
                    columns,
                    origin,
                    include,
                }),
                Role::Exclusion => t.exclusions.push(Exclusion {
                    name,
                    columns,
                    origin,
                }),
                Role::Plain => continue,
            }
            self.replace_table(t);
        }
    }

    /// Is `name` a constraint partition `table` has from its partitioned ancestors (a key
    /// its index is part of, or a foreign key PostgreSQL cloned into it)? Such a constraint
    /// is not the partition's to drop.
    pub(super) fn inherited_constraint(&self, table: &QualifiedName, name: &str) -> bool {
        if !self
            .cat
            .tables
            .get(table)
            .is_some_and(|t| self.cat.is_partition(t))
        {
            return false;
        }
        self.partition_key_index(table, name)
            || self.inherited_fks(table).iter().any(|f| f.name == name)
    }

    /// Is `name` a key partition `table` has from its partitioned table (the constraint of an
    /// index that is part of the parent's)?
    pub(super) fn partition_key_index(&self, table: &QualifiedName, name: &str) -> bool {
        self.cat
            .every_index_on(table)
            .any(|i| i.partition_of.is_some() && i.constraint && i.name == name)
    }

    /// An index changed its key (renamed, or moved with its table to another schema): the
    /// partitions' indexes that are part of it follow.
    pub(super) fn rekey_partition_indexes(&mut self, old: &QualifiedName, new: &QualifiedName) {
        for key in self.cat.index_partitions(old).to_vec() {
            if let Some(mut child) = self.cat.indexes.get(&key).cloned() {
                child.partition_of = Some(Box::new(new.clone()));
                self.put_index(child);
            }
        }
    }

    /// `DROP INDEX` of an index that is part of its partitioned table's: PostgreSQL's
    /// refusal, `None` for any other index.
    pub(super) fn partition_index_refusal(&self, key: &QualifiedName) -> Option<Refusal> {
        let parent = self.cat.indexes.get(key)?.partition_of.as_ref()?;
        self.cat.indexes.get(parent)?;
        let reason = format!(
            "cannot drop index {} because index {} requires it",
            key.name, parent.name
        );
        Some(Refusal::new(reason, DROP_PARTITION_INDEX_HELP))
    }
}

/// The copies `chain[0]` has of the foreign keys of `chain[1..]` (a partition and its
/// partitioned ancestors, nearest first), each named as the copy is: by the nearest table of
/// the chain that names it (a renamed copy), or else by its owner.
fn fk_copies(chain: &[&Table]) -> Vec<ForeignKey> {
    // `below` are the tables between the owner and the partition, nearest the partition first.
    let named_below = |below: &[&Table], fk: &ForeignKey| {
        below
            .iter()
            .find_map(|t| t.fk_names.iter().find(|(o, _)| *o == fk.origin))
            .map_or_else(|| fk.name.clone(), |(_, n)| n.clone())
    };
    chain
        .iter()
        .enumerate()
        .skip(1)
        .flat_map(|(at, a)| {
            a.foreign_keys.iter().map(move |fk| {
                let mut copy = fk.clone();
                copy.name = named_below(&chain[..at], fk);
                copy
            })
        })
        .collect()
}
