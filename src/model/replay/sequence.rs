//! Stage 3 (model), replay of `ALTER SEQUENCE` with PostgreSQL's checks (`AlterSequence`,
//! `init_params`, `process_owned_by` in `sequence.c`; `RenameRelation`, `AlterTableNamespace`,
//! `ATExecChangeOwner` in `tablecmds.c`). Roles are not modelled, so `OWNER TO` is accepted
//! as is; the sequence's current parameters are not modelled, so only checks decidable from
//! the statement itself are made (`INCREMENT 0`, `MINVALUE 5 MAXVALUE 1`, ...).

use std::collections::BTreeSet;

use super::Replayer;
use crate::model::catalog::{Name, QualifiedName, RelationKind, Sequence, Table};
use crate::model::ir::{
    AlterAction, AlterSequenceDef, ObjName, OwnedBy, SequenceAction, SequenceOption,
    SequenceOptionKind,
};
use crate::model::names::choose_name;
use crate::model::{EventAction, ObjectKey, ProblemKind, RefContext};
use crate::span::Span;

impl Replayer<'_> {
    /// What `name` resolves to in pg_class's namespace (any relation kind), like
    /// `RangeVarGetRelid`: the first schema of the path holding that name.
    pub(super) fn lookup_pg_class(&self, name: &ObjName) -> Option<QualifiedName> {
        self.candidates(name)
            .into_iter()
            .find(|qn| self.cat.relation_name_taken(qn))
    }

    /// Whether a relation `name` the catalog does not hold may exist all the same: a system
    /// name, a name an unparsable statement may have created, an assumed relation.
    pub(super) fn unknowable(&self, name: &ObjName) -> bool {
        name.name.starts_with("pg_")
            || self.uncertain.contains(&name.name)
            || self.candidates(name).iter().any(|qn| self.assumed(qn))
    }

    /// Resolve the `regclass` constants of a column default as PostgreSQL does when it creates
    /// the default: the sequences they certainly name (a name found as a table or index, or
    /// one an unparsed statement or an assumed relation may hold, is left out), or `None`
    /// after the error of a name that finds no relation.
    pub(super) fn resolve_regclass(&mut self, names: &[ObjName]) -> Option<Vec<QualifiedName>> {
        let mut out = Vec::new();
        for name in names {
            let temp = matches!(name.schema.as_deref(), None | Some("pg_temp"))
                && self.temp_tables.contains(&name.name);
            if temp || self.unknowable(name) {
                continue;
            }
            match self.lookup_pg_class(name) {
                Some(qn) if self.cat.sequences.contains_key(&qn) => {
                    let defined = self.cat.sequences.get(&qn).map(|s| s.origin);
                    self.use_of(ObjectKey::Sequence { name: qn.clone() }, name.span, defined);
                    out.push(qn);
                }
                Some(_) => {}
                None => {
                    if let Some(s) = &name.schema
                        && !self.schema_exists(s)
                    {
                        if !self.uncertain.contains(s) {
                            let kind = ProblemKind::MissingSchema { name: s.clone() };
                            self.error(kind, name.span);
                            return None;
                        }
                        continue;
                    }
                    let qn = self.default_name(name);
                    let kind = self.missing_relation(qn, name, RefContext::Default);
                    self.error(kind, name.span);
                    return None;
                }
            }
        }
        Some(out)
    }

    /// The columns whose default certainly uses sequence `seq`, sorted.
    pub(super) fn sequence_users(&mut self, seq: &QualifiedName) -> Vec<(QualifiedName, Name)> {
        self.sync_dirty();
        let mut users: Vec<(QualifiedName, Name)> = self
            .cat
            .dependents(seq)
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.sequences.contains(seq))
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        users.sort();
        users
    }

    /// The users of the sequences `seqs` (besides the columns `exempt` says go anyway) as
    /// PostgreSQL's refusal to drop them without `CASCADE` lists them; users on a table an
    /// unparsed statement altered are left out (their default may have changed).
    /// `owner`: the sequences go with a column or table being dropped, so each dependent says
    /// which one it uses.
    pub(super) fn sequence_dependents(
        &mut self,
        seqs: &[QualifiedName],
        owner: bool,
        exempt: impl Fn(&QualifiedName, &str) -> bool,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for s in seqs {
            for (t, c) in self.sequence_users(s) {
                if exempt(&t, &c) || self.cat.tables.get(&t).is_none_or(|t| t.blind) {
                    continue;
                }
                let user = format!("default value for column {c} of table {t}");
                out.push(if owner {
                    format!("{user} (it uses sequence {s})")
                } else {
                    user
                });
            }
        }
        out
    }

    /// The sequences `seqs` go (`DROP SEQUENCE`, `CASCADE`, or with the column or table
    /// owning them), and the defaults that use them with them (the columns stay), except on
    /// `skip` (the table whose columns the caller is changing itself).
    pub(super) fn drop_sequences(
        &mut self,
        seqs: &[QualifiedName],
        skip: Option<&QualifiedName>,
        span: Span,
    ) {
        for s in seqs {
            for (t, c) in self.sequence_users(s) {
                if Some(&t) != skip
                    && let Some(col) = self.table_mut(&t).and_then(|t| t.column_mut(&c))
                {
                    drop_default(col);
                }
            }
            self.remove_sequence(s);
            let key = ObjectKey::Sequence { name: s.clone() };
            self.event(key, EventAction::Dropped, span);
        }
    }

    /// Sequence `from` is now `to` (a free name: renamed, or moved with its table or schema);
    /// the defaults that use it follow (PostgreSQL's dependency is on the sequence, not its
    /// name).
    pub(super) fn relocate_sequence(
        &mut self,
        from: &QualifiedName,
        to: QualifiedName,
        span: Span,
    ) {
        let Some(seq) = self.cat.sequences.get(from).cloned() else {
            return;
        };
        self.remove_sequence(from);
        self.put_sequence(to.clone(), seq);
        let action = if from.schema == to.schema {
            EventAction::renamed(from.name.clone(), to.name.clone())
        } else {
            EventAction::moved(from.name.clone(), to.schema.clone())
        };
        self.event(ObjectKey::Sequence { name: from.clone() }, action, span);
        for (t, c) in self.sequence_users(from) {
            if let Some(col) = self.table_mut(&t).and_then(|t| t.column_mut(&c)) {
                for s in &mut col.sequences {
                    if s == from {
                        to.clone_into(s);
                    }
                }
            }
        }
    }

    /// What kind of relation holds `qn` (it must be taken), for "is not a ..." errors.
    fn relation_kind(&self, qn: &QualifiedName) -> &'static str {
        match self.cat.tables.get(qn) {
            Some(t) => t.kind.as_str(),
            None if self.cat.indexes.contains_key(qn) => "index",
            None => "sequence",
        }
    }

    /// `ALTER TABLE name ...` where `name` is a sequence or an index, which PostgreSQL accepts
    /// for some actions: a rename (either), a move (a sequence). `false` when `name` is neither.
    pub(super) fn alter_table_on_sequence(
        &mut self,
        name: &ObjName,
        actions: &[AlterAction],
    ) -> bool {
        let Some(qn) = self.lookup_pg_class(name) else {
            return false;
        };
        if self.cat.indexes.contains_key(&qn) {
            if let [AlterAction::RenameTable(to)] = actions {
                self.rename_index(name, &to.name, false);
            }
            return true;
        }
        let Some(seq) = self.cat.sequences.get(&qn).cloned() else {
            return false;
        };
        self.use_of(
            ObjectKey::Sequence { name: qn.clone() },
            name.span,
            Some(seq.origin),
        );
        match actions {
            [AlterAction::RenameTable(to)] => self.rename_sequence(&qn, seq, &to.name, to.span),
            [AlterAction::SetSchema { schema, span }] => {
                self.move_sequence(&qn, seq, schema, *span);
            }
            // OWNER TO and the like; what PostgreSQL refuses on a sequence is not modelled.
            _ => {}
        }
        true
    }

    pub(super) fn alter_sequence(&mut self, def: &AlterSequenceDef) {
        let name = &def.name;
        let Some(qn) = self.lookup_pg_class(name) else {
            if !def.if_exists && !self.unknowable(name) {
                self.error(
                    self.missing_relation(self.default_name(name), name, RefContext::Alter),
                    name.span,
                );
            }
            return;
        };
        let Some(seq) = self.cat.sequences.get(&qn).cloned() else {
            let found = self.relation_kind(&qn);
            self.error(
                ProblemKind::WrongObjectKind {
                    name: qn,
                    expected: "sequence".into(),
                    found: found.into(),
                },
                name.span,
            );
            return;
        };
        let key = ObjectKey::Sequence { name: qn.clone() };
        self.use_of(key.clone(), name.span, Some(seq.origin));
        match &def.action {
            SequenceAction::Options(options) => self.sequence_options(&qn, seq, options),
            SequenceAction::OwnerTo => {
                self.event(key, altered("owner"), name.span);
            }
            SequenceAction::SetLogged(logged) => {
                let what = if *logged { "logged" } else { "unlogged" };
                self.event(key, altered(what), name.span);
            }
            SequenceAction::RenameTo { name: to, span } => {
                self.rename_sequence(&qn, seq, to, *span);
            }
            SequenceAction::SetSchema { schema, span } => {
                self.move_sequence(&qn, seq, schema, *span);
            }
        }
    }

    /// The option list: checks PostgreSQL makes whatever the sequence's current state, then
    /// `OWNED BY`.
    fn sequence_options(
        &mut self,
        qn: &QualifiedName,
        mut seq: Sequence,
        options: &[SequenceOption],
    ) {
        use SequenceOptionKind as K;
        let mut seen = BTreeSet::new();
        let (mut ty, mut min, mut max) = (None, None, None);
        let mut owned = None;
        for o in options {
            let key = match &o.kind {
                K::As(_) => "as",
                K::Increment(_) => "increment",
                K::MinValue(_) => "minvalue",
                K::MaxValue(_) => "maxvalue",
                K::Start(_) => "start",
                K::Restart(_) => "restart",
                K::Cache(_) => "cache",
                K::Cycle(_) => "cycle",
                K::OwnedBy(_) => "owned_by",
            };
            if !seen.insert(key) {
                return self.reject("conflicting or redundant options", o.span);
            }
            match &o.kind {
                K::As(None) => {
                    return self
                        .reject("sequence type must be smallint, integer, or bigint", o.span);
                }
                K::As(Some(t)) => ty = Some((*t, o.span)),
                K::Increment(0) => {
                    return self.reject("INCREMENT must not be zero", o.span);
                }
                K::Cache(n) if *n <= 0 => {
                    return self.reject(format!("CACHE ({n}) must be greater than zero"), o.span);
                }
                K::MinValue(Some(n)) => min = Some((*n, o.span)),
                K::MaxValue(Some(n)) => max = Some((*n, o.span)),
                K::OwnedBy(by) => owned = Some((by, o.span)),
                _ => {}
            }
        }
        if let Some((ty, _)) = ty {
            let (lo, hi) = int_range(ty);
            for (what, bound) in [("MAXVALUE", max), ("MINVALUE", min)] {
                if let Some((n, span)) = bound.filter(|(n, _)| *n < lo || *n > hi) {
                    return self.reject(
                        format!("{what} ({n}) is out of range for sequence data type {ty}"),
                        span,
                    );
                }
            }
        }
        if let (Some((lo, _)), Some((hi, span))) = (min, max)
            && lo >= hi
        {
            return self.reject(
                format!("MINVALUE ({lo}) must be less than MAXVALUE ({hi})"),
                span,
            );
        }
        for o in options {
            let (what, value) = match o.kind {
                K::Start(n) => ("START", n),
                K::Restart(Some(n)) => ("RESTART", n),
                _ => continue,
            };
            if let Some((lo, _)) = min.filter(|(lo, _)| value < *lo) {
                return self.reject(
                    format!("{what} value ({value}) cannot be less than MINVALUE ({lo})"),
                    o.span,
                );
            }
            if let Some((hi, _)) = max.filter(|(hi, _)| value > *hi) {
                return self.reject(
                    format!("{what} value ({value}) cannot be greater than MAXVALUE ({hi})"),
                    o.span,
                );
            }
        }
        if let Some((by, span)) = owned {
            if seq.identity {
                return self.reject("cannot change ownership of identity sequence", span);
            }
            seq.owned_by = match by {
                OwnedBy::Invalid => {
                    return self.reject(
                        "invalid OWNED BY option (specify OWNED BY table.column or OWNED BY NONE)",
                        span,
                    );
                }
                OwnedBy::Nobody => None,
                OwnedBy::Column { table, column } => {
                    let Some(tqn) = self.owning_table(qn, table) else {
                        return;
                    };
                    if !self.need_column(&tqn, column, RefContext::OwnedBy) {
                        return;
                    }
                    Some((tqn, column.name.to_string()))
                }
            };
        }
        let span = options.first().map_or(self.stmt_span, |o| o.span);
        self.put_sequence(qn.clone(), seq);
        self.event(
            ObjectKey::Sequence { name: qn.clone() },
            altered("options"),
            span,
        );
    }

    /// The table of `OWNED BY table.column`: it must exist, be a table or view, and be in the
    /// sequence's schema. `None` after recording an error (or for an assumed table).
    fn owning_table(&mut self, seq: &QualifiedName, table: &ObjName) -> Option<QualifiedName> {
        let Some(tqn) = self.lookup_pg_class(table) else {
            // Missing (an error), or assumed to exist (nothing more to check).
            return self
                .need_rel(table, RefContext::OwnedBy)
                .filter(|t| t.schema == seq.schema);
        };
        let kind = self.cat.tables.get(&tqn).map(|t| t.kind);
        if kind.is_none_or(|k| k == RelationKind::MaterializedView) {
            self.reject(
                format!(
                    "sequence cannot be owned by relation \"{}\" (a {})",
                    tqn.name,
                    self.relation_kind(&tqn).replace('_', " ")
                ),
                table.span,
            );
            return None;
        }
        let defined = self.cat.tables.get(&tqn).map(|t| t.origin);
        self.use_of(
            ObjectKey::Relation { name: tqn.clone() },
            table.span,
            defined,
        );
        if tqn.schema != seq.schema {
            self.reject(
                "sequence must be in same schema as table it is linked to",
                table.span,
            );
            return None;
        }
        Some(tqn)
    }

    fn rename_sequence(&mut self, qn: &QualifiedName, seq: Sequence, to: &Name, span: Span) {
        let new_qn = QualifiedName::new(qn.schema.clone(), to.clone());
        if self.cat.relation_name_taken(&new_qn) {
            self.duplicate_relation(ObjectKey::Relation { name: new_qn }, span);
            return;
        }
        // A serial column's default names the sequence; PostgreSQL shows the new name.
        if let Some((table, column)) = &seq.owned_by {
            let old = serial_default(&qn.name);
            let new = serial_default(to);
            if let Some(c) = self
                .table_mut(table)
                .and_then(|t| t.column_mut(column))
                .filter(|c| c.default.as_deref() == Some(old.as_str()))
            {
                c.default = Some(new.into());
            }
        }
        self.relocate_sequence(qn, new_qn, span);
    }

    fn move_sequence(&mut self, qn: &QualifiedName, seq: Sequence, schema: &Name, span: Span) {
        if !self.need_schema(schema, span) {
            return;
        }
        if let Some((table, _)) = &seq.owned_by {
            self.reject(
                format!(
                    "cannot move an owned sequence into another schema (sequence \"{}\" is linked to table \"{}\")",
                    qn.name, table.name
                ),
                span,
            );
            return;
        }
        if schema == qn.schema {
            return;
        }
        let new_qn = QualifiedName::new(schema.clone(), qn.name.clone());
        if self.cat.relation_name_taken(&new_qn) {
            self.duplicate_relation(ObjectKey::Relation { name: new_qn }, span);
            return;
        }
        self.relocate_sequence(qn, new_qn, span);
    }

    /// Create the sequence of a serial or identity column (PostgreSQL names it like
    /// `ChooseRelationName(table, column, "seq")`); `creating`: the table being created, not in
    /// the catalog yet. Returns the sequence's name.
    pub(super) fn column_sequence(
        &mut self,
        table: &QualifiedName,
        column: &str,
        span: Span,
        identity: bool,
        creating: Option<&Table>,
    ) -> String {
        let name = choose_name(&table.name, Some(column), "seq", |n| {
            self.name_taken_in_schema(&table.schema, n)
                || creating.is_some_and(|t| t.name.name == n)
        });
        let qn = QualifiedName::new(table.schema.clone(), name.clone());
        let seq = Sequence {
            origin: span,
            owned_by: Some((table.clone(), column.to_owned())),
            identity,
        };
        self.put_sequence(qn.clone(), seq);
        self.event(ObjectKey::Sequence { name: qn }, EventAction::Created, span);
        name
    }

    /// The sequence of an identity column under the name its `SEQUENCE NAME` gives (free, as
    /// checked by the caller).
    pub(super) fn identity_sequence(
        &mut self,
        table: &QualifiedName,
        column: &str,
        name: QualifiedName,
        span: Span,
    ) {
        let seq = Sequence {
            origin: span,
            owned_by: Some((table.clone(), column.to_owned())),
            identity: true,
        };
        self.put_sequence(name.clone(), seq);
        self.event(ObjectKey::Sequence { name }, EventAction::Created, span);
    }

    /// Sequences owned by `table` (any column, or only `column`), sorted.
    pub(super) fn owned_sequences(
        &self,
        table: &QualifiedName,
        column: Option<&str>,
    ) -> Vec<QualifiedName> {
        self.cat
            .sequences_owned_by(table)
            .filter(|(_, s)| {
                s.owned_by
                    .as_ref()
                    .is_some_and(|(t, c)| t == table && column.is_none_or(|col| col == c))
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The owner of sequences owned by `from` becomes `to` (a table or column rename).
    pub(super) fn reown_sequences(
        &mut self,
        from: (&QualifiedName, Option<&str>),
        to: (&QualifiedName, Option<&str>),
    ) {
        for k in self.owned_sequences(from.0, from.1) {
            if let Some(mut s) = self.cat.sequences.get(&k).cloned() {
                if let Some((t, c)) = &mut s.owned_by {
                    to.0.clone_into(t);
                    if let Some(col) = to.1 {
                        col.clone_into(c);
                    }
                }
                self.put_sequence(k, s);
            }
        }
    }
}

fn altered(what: &str) -> EventAction {
    EventAction::Altered { what: what.into() }
}

/// A column loses its default (`DROP DEFAULT`, or what the default used was dropped).
pub(super) fn drop_default(col: &mut crate::model::catalog::Column) {
    col.default = None;
    col.calls.clear();
    col.sequences.clear();
}

/// The default of a serial column using sequence `name` (see `column_from_def`).
pub(super) fn serial_default(name: &str) -> String {
    format!("nextval('{name}'::regclass)")
}

/// Bounds of a sequence data type.
fn int_range(ty: &str) -> (i64, i64) {
    match ty {
        "smallint" => (i16::MIN.into(), i16::MAX.into()),
        "integer" => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}
