//! Stage 3 (model): replays the lowered statements in migration order into a [`Catalog`],
//! the way PostgreSQL would run them with psql, one file per session:
//! - each statement is atomic: one PostgreSQL rejects records a problem and changes nothing;
//! - `BEGIN ... COMMIT`: after an error the rest of the block is ignored and the whole block
//!   rolled back; a transaction left open at the end of a file is rolled back;
//! - a `DO` block is atomic too; its body statements run in order; a body statement under an
//!   IF or EXCEPTION handler that would fail is taken as skipped, not as an error;
//! - `SET search_path` lasts until the end of the file.
//! Every change is journaled so statement, DO and transaction rollbacks are exact.

use std::collections::BTreeSet;

use super::catalog::{
    Catalog, Check, Column, ForeignKey, Index, Key, QualifiedName, RelationKind, Table, TypeDef,
    TypeKind,
};
use super::ir::{
    AlterAction, Change, ColName, ColumnDef, CommentKind, ConflictTarget, ConstraintDef,
    ConstraintKind, DropKind, FkDef, IndexDef, ObjName, QueryRefs, RelRef, TableDef, TableKindDef,
    TypeRef,
};
use super::names::{choose_name, columns_addition};
use super::pgtype::{FkCompat, fk_compatible};
use super::{
    Event, EventAction, Model, ModelSettings, ObjectKey, Problem, ProblemKind, RefContext,
    StatementInfo, Use, lower,
};
use crate::parse::{Origin, ParsedFile};
use crate::source::Project;
use crate::span::Span;

/// Types that well-known extensions add; accepted once the extension is created.
const EXTENSION_TYPES: &[(&str, &[&str])] = &[
    ("citext", &["citext"]),
    ("hstore", &["hstore"]),
    ("ltree", &["ltree", "lquery", "ltxtquery"]),
    ("postgis", &["geometry", "geography", "box2d", "box3d"]),
    ("vector", &["vector", "halfvec", "sparsevec"]),
    ("cube", &["cube"]),
    ("isn", &["isbn", "isbn13", "ean13", "issn", "upc"]),
    ("pg_trgm", &[]),
];

/// System columns every table has.
const SYSTEM_COLUMNS: &[&str] = &["ctid", "xmin", "xmax", "cmin", "cmax", "tableoid", "oid"];

/// Bare words that are not column references.
const NOT_COLUMNS: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "current_role",
    "current_schema",
    "current_catalog",
    "session_user",
    "user",
    "localtime",
    "localtimestamp",
    "default",
    "true",
    "false",
    "null",
    "excluded",
    "new",
    "old",
];

/// Replay the whole project.
#[must_use]
pub fn build(project: &Project, parsed: &[ParsedFile], settings: &ModelSettings) -> Model {
    let mut r = Replayer::new(settings);
    for (file_id, file) in project.files.iter().enumerate() {
        if !file.is_applied() {
            continue;
        }
        let Some(pf) = parsed.get(file_id) else {
            continue;
        };
        r.model.file_order.push(file_id);
        r.run_file(pf);
    }
    r.model.catalog = r.cat;
    r.model
}

#[derive(Debug, Clone)]
enum Undo {
    Table(QualifiedName, Option<Table>),
    Index(QualifiedName, Option<Index>),
    Type(QualifiedName, Option<TypeDef>),
    Schema(String, Option<Span>),
    Sequence(QualifiedName, Option<Span>),
    Function(QualifiedName, Option<Span>),
    Extension(String, bool),
    SearchPath(Vec<String>),
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    journal: usize,
    events: usize,
    uses: usize,
}

struct Txn {
    mark: Mark,
    aborted: Option<Span>,
}

struct Replayer<'s> {
    settings: &'s ModelSettings,
    cat: Catalog,
    journal: Vec<Undo>,
    search_path: Vec<String>,
    model: Model,
    txn: Option<Txn>,
    /// Set when the current statement hit an error.
    failed: bool,
    /// Errors are not reported (conditional DO body statements).
    silent: bool,
    seq: usize,
    stmt_span: Span,
}

impl<'s> Replayer<'s> {
    fn new(settings: &'s ModelSettings) -> Self {
        let mut cat = Catalog::new();
        for s in &settings.assume_schemas {
            cat.schemas.insert(s.clone(), Span::default());
        }
        Self {
            settings,
            cat,
            journal: Vec::new(),
            search_path: settings.search_path.clone(),
            model: Model::default(),
            txn: None,
            failed: false,
            silent: false,
            seq: 0,
            stmt_span: Span::default(),
        }
    }

    // ----- driving ------------------------------------------------------------------------

    fn run_file(&mut self, pf: &ParsedFile) {
        self.search_path = self.settings.search_path.clone();
        let mut i = 0;
        while let Some(stmt) = pf.statements.get(i) {
            if matches!(stmt.origin, Origin::TopLevel) {
                let body_end = (i + 1..pf.statements.len())
                    .find(|&j| !matches!(pf.statements.get(j).map(|s| s.origin), Some(Origin::DoBody { parent, .. }) if parent == i))
                    .unwrap_or(pf.statements.len());
                if body_end > i + 1 {
                    self.run_do(pf, i, body_end);
                } else {
                    self.run_statement(pf, i);
                }
                i = body_end.max(i + 1);
            } else {
                i += 1;
            }
        }
        if let Some(txn) = self.txn.take() {
            // psql ends the session: an open transaction is rolled back.
            self.rollback_to(txn.mark);
        }
        self.journal.clear();
    }

    fn begin_statement(&mut self, pf: &ParsedFile, index: usize, in_do: bool) -> bool {
        let Some(stmt) = pf.statements.get(index) else {
            return false;
        };
        self.seq = self.model.statements.len();
        self.stmt_span = stmt.span;
        self.model.statements.push(StatementInfo {
            file: pf.file,
            index,
            span: stmt.span,
            parsed: stmt.ast.is_some(),
            failed: false,
            in_do,
        });
        true
    }

    fn mark(&self) -> Mark {
        Mark {
            journal: self.journal.len(),
            events: self.model.events.len(),
            uses: self.model.uses.len(),
        }
    }

    fn run_statement(&mut self, pf: &ParsedFile, index: usize) {
        if !self.begin_statement(pf, index, false) {
            return;
        }
        let Some(stmt) = pf.statements.get(index) else {
            return;
        };
        let change = lower::lower(stmt, pf.file, true);
        if let Some(txn) = &self.txn {
            if let Some(first) = txn.aborted {
                if !matches!(change, Change::Commit | Change::Rollback) {
                    self.problem(
                        ProblemKind::InAbortedTransaction { first_error: first },
                        stmt.span,
                    );
                    self.mark_failed();
                    return;
                }
            }
        }
        let mark = self.mark();
        self.failed = false;
        self.silent = false;
        self.apply(&change);
        self.finish_statement(mark);
    }

    fn finish_statement(&mut self, mark: Mark) {
        if self.failed {
            self.mark_failed();
            self.rollback_to(mark);
            if let Some(txn) = &mut self.txn {
                if txn.aborted.is_none() {
                    txn.aborted = Some(self.stmt_span);
                }
                let m = txn.mark;
                self.rollback_to(m);
            }
        } else if self.txn.is_none() {
            self.journal.clear();
        }
    }

    fn mark_failed(&mut self) {
        if let Some(s) = self.model.statements.get_mut(self.seq) {
            s.failed = true;
        }
    }

    fn run_do(&mut self, pf: &ParsedFile, do_index: usize, end: usize) {
        if !self.begin_statement(pf, do_index, false) {
            return;
        }
        if let Some(txn) = &self.txn {
            if let Some(first) = txn.aborted {
                let span = self.stmt_span;
                self.problem(
                    ProblemKind::InAbortedTransaction { first_error: first },
                    span,
                );
                self.mark_failed();
                return;
            }
        }
        if let Some(s) = self.model.statements.get_mut(self.seq) {
            s.parsed = true;
        }
        let do_seq = self.seq;
        let do_span = self.stmt_span;
        let mark = self.mark();
        let mut do_failed = false;
        for j in do_index + 1..end {
            let Some(stmt) = pf.statements.get(j) else {
                break;
            };
            let conditional = match stmt.origin {
                Origin::DoBody { .. } => do_body_conditional(&stmt.origin),
                Origin::TopLevel => false,
            };
            if !self.begin_statement(pf, j, true) {
                break;
            }
            let change = lower::lower(stmt, pf.file, false);
            let inner = self.mark();
            self.failed = false;
            self.silent = conditional;
            self.apply(&change);
            self.silent = false;
            if self.failed {
                self.rollback_to(inner);
                if !conditional {
                    self.mark_failed();
                    do_failed = true;
                    break;
                }
            }
        }
        self.seq = do_seq;
        self.stmt_span = do_span;
        self.failed = do_failed;
        self.finish_statement(mark);
    }

    fn rollback_to(&mut self, mark: Mark) {
        while self.journal.len() > mark.journal {
            let Some(undo) = self.journal.pop() else {
                break;
            };
            match undo {
                Undo::Table(k, v) => restore(&mut self.cat.tables, k, v),
                Undo::Index(k, v) => restore(&mut self.cat.indexes, k, v),
                Undo::Type(k, v) => restore(&mut self.cat.types, k, v),
                Undo::Schema(k, v) => restore(&mut self.cat.schemas, k, v),
                Undo::Sequence(k, v) => restore(&mut self.cat.sequences, k, v),
                Undo::Function(k, v) => restore(&mut self.cat.functions, k, v),
                Undo::Extension(k, had) => {
                    if had {
                        self.cat.extensions.insert(k);
                    } else {
                        self.cat.extensions.remove(&k);
                    }
                }
                Undo::SearchPath(p) => self.search_path = p,
            }
        }
        self.model.events.truncate(mark.events);
        self.model.uses.truncate(mark.uses);
    }

    // ----- recording ----------------------------------------------------------------------

    fn problem(&mut self, kind: ProblemKind, span: Span) {
        self.model.problems.push(Problem {
            seq: self.seq,
            span,
            kind,
        });
    }

    /// Record an error: PostgreSQL rejects the statement.
    fn error(&mut self, kind: ProblemKind, span: Span) {
        self.failed = true;
        if !self.silent {
            self.problem(kind, span);
        }
    }

    fn event(&mut self, object: ObjectKey, action: EventAction, span: Span) {
        self.model.events.push(Event {
            seq: self.seq,
            span,
            object,
            action,
        });
    }

    fn use_of(&mut self, object: ObjectKey, span: Span, defined_at: Option<Span>) {
        self.model.uses.push(Use {
            seq: self.seq,
            span,
            object,
            defined_at,
        });
    }

    // ----- journaled catalog access -------------------------------------------------------

    fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        let old = self.cat.tables.get(name)?.clone();
        self.journal.push(Undo::Table(name.clone(), Some(old)));
        self.cat.tables.get_mut(name)
    }

    fn put_table(&mut self, t: Table) {
        let old = self.cat.tables.get(&t.name).cloned();
        self.journal.push(Undo::Table(t.name.clone(), old));
        self.cat.tables.insert(t.name.clone(), t);
    }

    fn remove_table(&mut self, name: &QualifiedName) -> Option<Table> {
        let old = self.cat.tables.remove(name)?;
        self.journal
            .push(Undo::Table(name.clone(), Some(old.clone())));
        Some(old)
    }

    fn put_index(&mut self, i: Index) {
        let key = QualifiedName::new(i.schema.clone(), i.name.clone());
        let old = self.cat.indexes.get(&key).cloned();
        self.journal.push(Undo::Index(key.clone(), old));
        self.cat.indexes.insert(key, i);
    }

    fn remove_index(&mut self, key: &QualifiedName) -> Option<Index> {
        let old = self.cat.indexes.remove(key)?;
        self.journal
            .push(Undo::Index(key.clone(), Some(old.clone())));
        Some(old)
    }

    fn put_type(&mut self, t: TypeDef) {
        let old = self.cat.types.get(&t.name).cloned();
        self.journal.push(Undo::Type(t.name.clone(), old));
        self.cat.types.insert(t.name.clone(), t);
    }

    fn remove_type(&mut self, key: &QualifiedName) {
        if let Some(old) = self.cat.types.remove(key) {
            self.journal.push(Undo::Type(key.clone(), Some(old)));
        }
    }

    fn put_sequence(&mut self, key: QualifiedName, span: Span) {
        let old = self.cat.sequences.insert(key.clone(), span);
        self.journal.push(Undo::Sequence(key, old));
    }

    fn remove_sequence(&mut self, key: &QualifiedName) {
        if let Some(old) = self.cat.sequences.remove(key) {
            self.journal.push(Undo::Sequence(key.clone(), Some(old)));
        }
    }

    // ----- names ---------------------------------------------------------------------------

    fn path_schemas(&self) -> Vec<String> {
        self.search_path
            .iter()
            .map(|s| {
                if s == "$user" {
                    self.settings.user.clone()
                } else {
                    s.clone()
                }
            })
            .collect()
    }

    fn schema_exists(&self, s: &str) -> bool {
        self.cat.schemas.contains_key(s) || is_system_schema(s)
    }

    /// Schema an unqualified CREATE puts its object in.
    fn creation_schema(&mut self, name: &ObjName) -> Option<String> {
        if let Some(s) = &name.schema {
            if !self.schema_exists(s) {
                self.error(ProblemKind::MissingSchema { name: s.clone() }, name.span);
                return None;
            }
            return Some(s.clone());
        }
        let found = self
            .path_schemas()
            .into_iter()
            .find(|s| self.cat.schemas.contains_key(s));
        if found.is_none() {
            self.error(ProblemKind::NoSchemaSelected, name.span);
        }
        found
    }

    fn assumed(&self, qn: &QualifiedName) -> bool {
        is_system_schema(&qn.schema)
            || self.settings.assume_relations.iter().any(|a| {
                a == &format!("{}.{}", qn.schema, qn.name) || a == &format!("{}.*", qn.schema)
            })
    }

    /// Resolve a relation name like PostgreSQL's search: `Ok` with the name found (or an
    /// assumed / system relation), `Err` with the name it would have had.
    fn lookup_rel(&self, name: &ObjName) -> Result<QualifiedName, QualifiedName> {
        if let Some(s) = &name.schema {
            let qn = QualifiedName::new(s.clone(), name.name.clone());
            return if self.cat.tables.contains_key(&qn) || self.assumed(&qn) {
                Ok(qn)
            } else {
                Err(qn)
            };
        }
        if name.name.starts_with("pg_") {
            return Ok(QualifiedName::new("pg_catalog", name.name.clone()));
        }
        let schemas = self.path_schemas();
        for s in &schemas {
            let qn = QualifiedName::new(s.clone(), name.name.clone());
            if self.cat.tables.contains_key(&qn) || (self.schema_exists(s) && self.assumed(&qn)) {
                return Ok(qn);
            }
        }
        let guess = schemas
            .iter()
            .find(|s| self.cat.schemas.contains_key(*s))
            .or(schemas.last())
            .cloned()
            .unwrap_or_else(|| "public".into());
        Err(QualifiedName::new(guess, name.name.clone()))
    }

    /// Resolve a relation that must exist; records the use or the missing-relation error.
    fn need_rel(&mut self, name: &ObjName, context: RefContext) -> Option<QualifiedName> {
        match self.lookup_rel(name) {
            Ok(qn) => {
                let defined = self.cat.tables.get(&qn).map(|t| t.origin);
                self.use_of(ObjectKey::Relation { name: qn.clone() }, name.span, defined);
                Some(qn)
            }
            Err(qn) => {
                let written = written(name);
                self.error(
                    ProblemKind::MissingRelation {
                        name: qn,
                        written,
                        context,
                    },
                    name.span,
                );
                None
            }
        }
    }

    /// Check that `column` exists on `table` (skipped for views and assumed relations).
    fn need_column(
        &mut self,
        table: &QualifiedName,
        column: &ColName,
        context: RefContext,
    ) -> bool {
        let Some(t) = self.cat.tables.get(table) else {
            return true;
        };
        if t.kind.is_view()
            || t.column(&column.name).is_some()
            || SYSTEM_COLUMNS.contains(&column.name.as_str())
        {
            if let Some(c) = t.column(&column.name) {
                let key = ObjectKey::Column {
                    table: table.clone(),
                    column: column.name.clone(),
                };
                let origin = c.origin;
                self.use_of(key, column.span, Some(origin));
            }
            return true;
        }
        self.error(
            ProblemKind::MissingColumn {
                table: table.clone(),
                column: column.name.clone(),
                context,
            },
            column.span,
        );
        false
    }

    /// Resolve a column type: the `format_type` text, or `None` after recording an error.
    fn resolve_type(&mut self, ty: &TypeRef) -> Option<String> {
        let Some(user) = &ty.user else {
            return Some(ty.text.clone());
        };
        let suffix = if ty.array > 0 { "[]" } else { "" };
        let candidates: Vec<QualifiedName> = match &user.schema {
            Some(s) => vec![QualifiedName::new(s.clone(), user.name.clone())],
            None => self
                .path_schemas()
                .into_iter()
                .map(|s| QualifiedName::new(s, user.name.clone()))
                .collect(),
        };
        for qn in &candidates {
            if let Some(def) = self.cat.types.get(qn) {
                let origin = def.origin;
                self.use_of(
                    ObjectKey::Type { name: qn.clone() },
                    user.span,
                    Some(origin),
                );
                return Some(format!("{}{suffix}", type_display(qn)));
            }
            if let Some(t) = self.cat.tables.get(qn) {
                let origin = t.origin;
                self.use_of(
                    ObjectKey::Relation { name: qn.clone() },
                    user.span,
                    Some(origin),
                );
                return Some(format!("{}{suffix}", type_display(qn)));
            }
        }
        if user.schema.is_none()
            || user.schema.as_deref() == Some("public")
            || user.schema.as_deref() == Some("extensions")
        {
            for (ext, types) in EXTENSION_TYPES {
                if types.contains(&user.name.as_str()) && self.cat.extensions.contains(*ext) {
                    return Some(format!("{}{suffix}", user.name));
                }
            }
        }
        if candidates.iter().any(|qn| self.assumed(qn)) {
            return Some(format!("{}{suffix}", user.name));
        }
        let name = candidates
            .into_iter()
            .next()
            .unwrap_or_else(|| QualifiedName::new("public", user.name.clone()));
        self.error(
            ProblemKind::MissingType {
                name,
                written: written(user),
            },
            user.span,
        );
        None
    }

    /// The base type of a domain, for FK compatibility.
    fn base_type(&self, text: &str) -> String {
        let (name, arr) = match text.strip_suffix("[]") {
            Some(n) => (n, "[]"),
            None => (text, ""),
        };
        let qn = match name.split_once('.') {
            Some((s, n)) => QualifiedName::new(s.trim_matches('"'), n.trim_matches('"')),
            None => QualifiedName::new("public", name.trim_matches('"')),
        };
        match self.cat.types.get(&qn).map(|t| &t.kind) {
            Some(TypeKind::Domain { base }) => format!("{base}{arr}"),
            _ => text.to_string(),
        }
    }

    // ----- apply ---------------------------------------------------------------------------

    fn apply(&mut self, change: &Change) {
        match change {
            Change::CreateSchema {
                name,
                if_not_exists,
                span,
            } => {
                if self.cat.schemas.contains_key(name) {
                    if *if_not_exists {
                        self.event(
                            ObjectKey::Schema { name: name.clone() },
                            EventAction::SkippedExisting,
                            *span,
                        );
                    } else {
                        let existing = self.cat.schemas.get(name).copied().unwrap_or_default();
                        self.error(
                            ProblemKind::DuplicateObject {
                                object: ObjectKey::Schema { name: name.clone() },
                                existing,
                            },
                            *span,
                        );
                    }
                } else {
                    self.journal.push(Undo::Schema(name.clone(), None));
                    self.cat.schemas.insert(name.clone(), *span);
                    self.event(
                        ObjectKey::Schema { name: name.clone() },
                        EventAction::Created,
                        *span,
                    );
                }
            }
            Change::SetSearchPath(p) => {
                self.journal
                    .push(Undo::SearchPath(self.search_path.clone()));
                self.search_path.clone_from(p);
            }
            Change::ResetSearchPath => {
                self.journal
                    .push(Undo::SearchPath(self.search_path.clone()));
                self.search_path = self.settings.search_path.clone();
            }
            Change::Begin => {
                if self.txn.is_none() {
                    self.journal.clear();
                    self.txn = Some(Txn {
                        mark: self.mark(),
                        aborted: None,
                    });
                }
            }
            Change::Commit | Change::Rollback => {
                if let Some(txn) = self.txn.take() {
                    if txn.aborted.is_some() || matches!(change, Change::Rollback) {
                        self.rollback_to(txn.mark);
                    }
                    self.journal.clear();
                }
            }
            Change::CreateTable(def) => self.create_table(def),
            Change::AlterTable {
                table,
                if_exists,
                actions,
            } => self.alter_table(table, *if_exists, actions),
            Change::Drop {
                kind,
                names,
                if_exists,
                cascade,
            } => {
                for n in names {
                    self.drop(*kind, n, *if_exists, *cascade);
                    if self.failed {
                        break;
                    }
                }
            }
            Change::CreateIndex(def) => self.create_index(def),
            Change::AlterIndexRename { index, to } => self.rename_index(index, to),
            Change::CreateEnum { name, values } => {
                self.create_type(
                    name,
                    TypeKind::Enum {
                        values: values.clone(),
                    },
                );
            }
            Change::AddEnumValue {
                name,
                value,
                if_not_exists,
            } => self.add_enum_value(name, value, *if_not_exists),
            Change::CreateDomain { name, base } => {
                if let Some(base) = self.resolve_type(base) {
                    self.create_type(name, TypeKind::Domain { base });
                }
            }
            Change::CreateCompositeType { name } => self.create_type(name, TypeKind::Composite),
            Change::CreateView {
                name,
                materialized,
                or_replace,
                if_not_exists,
                query,
            } => {
                self.create_view(name, *materialized, *or_replace, *if_not_exists, query);
            }
            Change::CreateSequence {
                name,
                if_not_exists,
            } => {
                let Some(schema) = self.creation_schema(name) else {
                    return;
                };
                let qn = QualifiedName::new(schema, name.name.clone());
                if self.cat.relation_name_taken(&qn) {
                    if !*if_not_exists {
                        let existing = self.existing_relation_span(&qn);
                        self.error(
                            ProblemKind::DuplicateObject {
                                object: ObjectKey::Sequence { name: qn },
                                existing,
                            },
                            name.span,
                        );
                    }
                } else {
                    self.put_sequence(qn.clone(), name.span);
                    self.event(
                        ObjectKey::Sequence { name: qn },
                        EventAction::Created,
                        name.span,
                    );
                }
            }
            Change::CreateExtension { name, .. } => {
                if !self.cat.extensions.contains(name) {
                    self.journal.push(Undo::Extension(name.clone(), false));
                    self.cat.extensions.insert(name.clone());
                }
            }
            Change::CreateFunction { name } => {
                if let Some(schema) = self.creation_schema(name) {
                    let qn = QualifiedName::new(schema, name.name.clone());
                    let old = self.cat.functions.insert(qn.clone(), name.span);
                    self.journal.push(Undo::Function(qn, old));
                }
            }
            Change::Insert {
                table,
                columns,
                on_conflict,
                query,
                ..
            } => {
                self.check_query(query, RefContext::Select);
                let Some(qn) = self.need_rel(table, RefContext::Insert) else {
                    return;
                };
                for c in columns {
                    self.need_column(&qn, c, RefContext::Insert);
                }
                if let Some(ConflictTarget::Columns(cols)) = on_conflict {
                    self.check_on_conflict(&qn, cols);
                }
            }
            Change::Update {
                table, set, query, ..
            } => {
                let Some(qn) = self.need_rel(&table.name, RefContext::Update) else {
                    return;
                };
                for c in set {
                    self.need_column(&qn, c, RefContext::Update);
                }
                self.check_query_with_target(query, Some((table, &qn)));
            }
            Change::Delete { table, query } => {
                let Some(qn) = self.need_rel(&table.name, RefContext::Delete) else {
                    return;
                };
                self.check_query_with_target(query, Some((table, &qn)));
            }
            Change::Truncate { tables } => {
                for t in tables {
                    self.need_rel(t, RefContext::Truncate);
                }
            }
            Change::Copy { table, columns } => {
                if let Some(qn) = self.need_rel(table, RefContext::Copy) {
                    for c in columns {
                        self.need_column(&qn, c, RefContext::Copy);
                    }
                }
            }
            Change::Query(q) => self.check_query(q, RefContext::Select),
            Change::Comment {
                kind,
                target,
                column,
                ..
            } => self.comment(*kind, target, column.as_ref()),
            Change::CreatePolicy { table, name } => {
                if let Some(qn) = self.need_rel(table, RefContext::Policy) {
                    let dup = self
                        .cat
                        .tables
                        .get(&qn)
                        .is_some_and(|t| t.policies.contains(name));
                    if dup {
                        let existing = self
                            .cat
                            .tables
                            .get(&qn)
                            .map(|t| t.origin)
                            .unwrap_or_default();
                        self.error(
                            ProblemKind::DuplicateObject {
                                object: ObjectKey::Constraint {
                                    table: qn,
                                    name: name.clone(),
                                },
                                existing,
                            },
                            table.span,
                        );
                    } else if let Some(t) = self.table_mut(&qn) {
                        t.policies.push(name.clone());
                        t.policies.sort();
                    }
                }
            }
            Change::Rejected { reason } => {
                let span = self.stmt_span;
                self.error(
                    ProblemKind::Rejected {
                        reason: reason.clone(),
                    },
                    span,
                );
            }
            Change::Unparsed {
                target: Some(t), ..
            } => {
                if let Ok(qn) = self.lookup_rel(t) {
                    let defined = self.cat.tables.get(&qn).map(|t| t.origin);
                    self.use_of(ObjectKey::Relation { name: qn }, t.span, defined);
                }
            }
            Change::Do | Change::Other | Change::Unparsed { .. } => {}
        }
    }

    fn existing_relation_span(&self, qn: &QualifiedName) -> Span {
        self.cat
            .tables
            .get(qn)
            .map(|t| t.origin)
            .or_else(|| self.cat.indexes.get(qn).map(|i| i.origin))
            .or_else(|| self.cat.sequences.get(qn).copied())
            .unwrap_or_default()
    }

    // ----- queries -------------------------------------------------------------------------

    fn check_query(&mut self, q: &QueryRefs, context: RefContext) {
        self.check_query_with_target(&QueryRefs { ..q.clone() }, None);
        let _ = context;
    }

    fn check_query_with_target(
        &mut self,
        q: &QueryRefs,
        target: Option<(&RelRef, &QualifiedName)>,
    ) {
        let mut resolved: Vec<(String, QualifiedName)> = Vec::new();
        if let Some((r, qn)) = target {
            resolved.push((r.alias.clone(), qn.clone()));
        }
        let mut all_ok = true;
        for r in &q.relations {
            match self.need_rel(&r.name, RefContext::Select) {
                Some(qn) => resolved.push((r.alias.clone(), qn)),
                None => all_ok = false,
            }
        }
        if !all_ok {
            return;
        }
        for c in &q.columns {
            let matches: Vec<&QualifiedName> = resolved
                .iter()
                .filter(|(a, _)| a == &c.qualifier)
                .map(|(_, q)| q)
                .collect();
            if let [qn] = matches.as_slice() {
                let qn = (*qn).clone();
                self.need_column(&qn, &c.column, RefContext::Select);
            }
        }
        if let [(_, qn)] = resolved.as_slice() {
            let qn = qn.clone();
            for c in &q.plain_columns {
                if NOT_COLUMNS.contains(&c.name.as_str()) {
                    continue;
                }
                self.need_column(&qn, c, RefContext::Select);
            }
        }
    }

    fn check_on_conflict(&mut self, qn: &QualifiedName, cols: &[ColName]) {
        let Some(t) = self.cat.tables.get(qn) else {
            return;
        };
        if t.kind.is_view() {
            return;
        }
        let want: BTreeSet<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        let ok = self.cat.indexes_on(qn).any(|i| {
            i.unique && i.columns.iter().all(Option::is_some) && {
                let have: BTreeSet<&str> = i.columns.iter().flatten().map(String::as_str).collect();
                have == want
            }
        });
        if !ok && !want.is_empty() {
            let span = match (cols.first(), cols.last()) {
                (Some(a), Some(b)) => Span::new(a.span.file, a.span.start, b.span.end),
                _ => self.stmt_span,
            };
            self.error(
                ProblemKind::OnConflictNoUnique {
                    table: qn.clone(),
                    columns: cols.iter().map(|c| c.name.clone()).collect(),
                },
                span,
            );
        }
    }

    // ----- CREATE TABLE --------------------------------------------------------------------

    fn create_table(&mut self, def: &TableDef) {
        if def.temporary {
            return;
        }
        let Some(schema) = self.creation_schema(&def.name) else {
            return;
        };
        let qn = QualifiedName::new(schema.clone(), def.name.name.clone());
        if self.cat.relation_name_taken(&qn) {
            let existing = self.existing_relation_span(&qn);
            if def.if_not_exists {
                let missing_columns = match self.cat.tables.get(&qn) {
                    Some(t) => def
                        .columns
                        .iter()
                        .filter(|c| t.column(&c.name.name).is_none())
                        .map(|c| c.name.name.clone())
                        .collect(),
                    None => Vec::new(),
                };
                self.problem(
                    ProblemKind::IfNotExistsSkipped {
                        table: qn.clone(),
                        existing,
                        missing_columns,
                    },
                    def.name.span,
                );
                self.event(
                    ObjectKey::Relation { name: qn },
                    EventAction::SkippedExisting,
                    def.name.span,
                );
            } else {
                self.error(
                    ProblemKind::DuplicateObject {
                        object: ObjectKey::Relation { name: qn },
                        existing,
                    },
                    def.name.span,
                );
            }
            return;
        }
        let mut table = Table {
            name: qn.clone(),
            kind: match def.kind {
                TableKindDef::Partitioned => RelationKind::PartitionedTable,
                TableKindDef::Table => RelationKind::Table,
            },
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            parents: Vec::new(),
            reads: Vec::new(),
            comment: None,
            rls_enabled: false,
            policies: Vec::new(),
            origin: def.name.span,
        };
        let mut inherited_fks: Vec<ForeignKey> = Vec::new();
        let mut parent_keys: Vec<(bool, Vec<String>)> = Vec::new();
        // Columns that come from elsewhere first: PARTITION OF, INHERITS, LIKE.
        if let Some(parent) = &def.partition_of {
            let Some(pqn) = self.need_rel(parent, RefContext::PartitionParent) else {
                return;
            };
            let Some(p) = self.cat.tables.get(&pqn).cloned() else {
                return;
            };
            if p.kind != RelationKind::PartitionedTable {
                self.error(
                    ProblemKind::WrongObjectKind {
                        name: pqn,
                        expected: "partitioned table".into(),
                        found: p.kind.as_str().into(),
                    },
                    parent.span,
                );
                return;
            }
            table.kind = if def.kind == TableKindDef::Partitioned {
                RelationKind::PartitionedTable
            } else {
                RelationKind::Partition
            };
            table.columns = p
                .columns
                .iter()
                .map(|c| Column {
                    origin: def.name.span,
                    ..c.clone()
                })
                .collect();
            table.checks = p.checks.clone();
            table.parents.push(pqn);
            if let Some(pk) = &p.primary_key {
                parent_keys.push((true, pk.columns.clone()));
            }
            for u in &p.uniques {
                parent_keys.push((false, u.columns.clone()));
            }
            inherited_fks = p.foreign_keys.clone();
        }
        for parent in &def.inherits {
            let Some(pqn) = self.need_rel(parent, RefContext::Inherits) else {
                return;
            };
            let Some(p) = self.cat.tables.get(&pqn).cloned() else {
                return;
            };
            for c in &p.columns {
                if table.column(&c.name).is_none() {
                    table.columns.push(Column {
                        default: c.default.clone(),
                        origin: def.name.span,
                        ..c.clone()
                    });
                }
            }
            for ch in &p.checks {
                if !table.checks.iter().any(|x| x.name == ch.name) {
                    table.checks.push(ch.clone());
                }
            }
            table.parents.push(pqn);
        }
        for like in &def.like {
            let Some(lqn) = self.need_rel(like, RefContext::Like) else {
                return;
            };
            let Some(l) = self.cat.tables.get(&lqn).cloned() else {
                return;
            };
            for c in &l.columns {
                table.columns.push(Column {
                    default: None,
                    generated: false,
                    origin: like.span,
                    ..c.clone()
                });
            }
        }
        if let Some((refs, names)) = &def.as_query {
            self.check_query(refs, RefContext::Select);
            if self.failed {
                return;
            }
            for n in names {
                table.columns.push(Column {
                    name: n.clone(),
                    data_type: "unknown".into(),
                    nullable: true,
                    default: None,
                    generated: false,
                    origin: def.name.span,
                });
            }
        }
        let mut constraints: Vec<ConstraintDef> = Vec::new();
        for c in &def.columns {
            if let Some(existing) = table.columns.iter_mut().find(|x| x.name == c.name.name) {
                if def.inherits.is_empty() && def.partition_of.is_none() {
                    let existing_span = existing.origin;
                    self.error(
                        ProblemKind::DuplicateObject {
                            object: ObjectKey::Column {
                                table: qn.clone(),
                                column: c.name.name.clone(),
                            },
                            existing: existing_span,
                        },
                        c.name.span,
                    );
                    return;
                }
                // Merged with the inherited / partition parent's column: options add up.
                if c.not_null {
                    existing.nullable = false;
                }
                if c.default.is_some() {
                    existing.default.clone_from(&c.default);
                }
                constraints.extend(c.constraints.iter().cloned());
                continue;
            }
            let Some(col) = self.column_from_def(&qn, c, &table) else {
                return;
            };
            table.columns.push(col);
            constraints.extend(c.constraints.iter().cloned());
        }
        constraints.extend(def.constraints.iter().cloned());
        let mut fks: Vec<(ConstraintDef, FkDef)> = Vec::new();
        for c in &constraints {
            match &c.kind {
                ConstraintKind::ForeignKey(fk) => fks.push((c.clone(), fk.clone())),
                _ => {
                    if !self.add_constraint(&mut table, c, true) {
                        return;
                    }
                }
            }
        }
        // Keys cloned from the partition parent.
        for (is_pk, cols) in parent_keys {
            let taken = |n: &str| self.name_taken_in_schema(&schema, n);
            if is_pk {
                if table.primary_key.is_none() {
                    let name = choose_name(&table.name.name, None, "pkey", taken);
                    table.primary_key = Some(Key {
                        name,
                        columns: cols,
                        origin: def.name.span,
                    });
                }
            } else {
                let add = columns_addition(&cols);
                let name = choose_name(&table.name.name, Some(&add), "key", taken);
                table.uniques.push(Key {
                    name,
                    columns: cols,
                    origin: def.name.span,
                });
            }
        }
        // Put the table in place first so self-references resolve, then add FKs.
        self.put_table(table.clone());
        self.index_keys(&table);
        for fk in inherited_fks {
            if let Some(t) = self.table_mut(&qn) {
                t.foreign_keys.push(ForeignKey {
                    origin: def.name.span,
                    ..fk
                });
            }
        }
        for (c, fk) in &fks {
            if !self.add_fk(&qn, c, fk) {
                return;
            }
        }
        self.event(
            ObjectKey::Relation { name: qn.clone() },
            EventAction::Created,
            def.name.span,
        );
        if let Some(t) = self.cat.tables.get(&qn).cloned() {
            for col in &t.columns {
                self.event(
                    ObjectKey::Column {
                        table: qn.clone(),
                        column: col.name.clone(),
                    },
                    EventAction::Created,
                    col.origin,
                );
            }
        }
    }

    fn column_from_def(
        &mut self,
        table: &QualifiedName,
        c: &ColumnDef,
        existing: &Table,
    ) -> Option<Column> {
        let data_type = self.resolve_type(&c.ty)?;
        let mut col = Column {
            name: c.name.name.clone(),
            data_type,
            nullable: !(c.not_null || c.identity || c.ty.serial),
            default: c.default.clone(),
            generated: c.identity || c.ty.serial,
            origin: c.span,
        };
        if c.ty.serial {
            let seq_name = choose_name(&table.name, Some(&c.name.name), "seq", |n| {
                self.name_taken_in_schema(&table.schema, n) || existing.name.name == n
            });
            let seq = QualifiedName::new(table.schema.clone(), seq_name);
            col.default = Some(format!("nextval('{}'::regclass)", seq.name));
            self.put_sequence(seq, c.span);
        }
        Some(col)
    }

    fn name_taken_in_schema(&self, schema: &str, name: &str) -> bool {
        self.cat
            .relation_name_taken(&QualifiedName::new(schema, name))
    }

    fn constraint_taken(&self, schema: &str, name: &str, table: &Table) -> bool {
        table.constraint_names().any(|n| n == name)
            || self.name_taken_in_schema(schema, name)
            || self
                .cat
                .tables
                .values()
                .filter(|t| t.name.schema == schema)
                .any(|t| t.constraint_names().any(|n| n == name))
    }

    /// Add a PK / UNIQUE / CHECK constraint to a table being built or altered.
    fn add_constraint(&mut self, table: &mut Table, c: &ConstraintDef, creating: bool) -> bool {
        let schema = table.name.schema.clone();
        if let Some(name) = &c.name {
            let dup = table.constraint_names().any(|n| n == name)
                || (matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey(_) | ConstraintKind::Unique(_)
                ) && self.name_taken_in_schema(&schema, name));
            if dup {
                self.error(
                    ProblemKind::DuplicateObject {
                        object: ObjectKey::Constraint {
                            table: table.name.clone(),
                            name: name.clone(),
                        },
                        existing: table.origin,
                    },
                    c.span,
                );
                return false;
            }
        }
        match &c.kind {
            ConstraintKind::PrimaryKey(cols) | ConstraintKind::Unique(cols) => {
                for col in cols {
                    if table.column(&col.name).is_none() {
                        self.error(
                            ProblemKind::MissingColumn {
                                table: table.name.clone(),
                                column: col.name.clone(),
                                context: RefContext::Index,
                            },
                            col.span,
                        );
                        return false;
                    }
                }
                let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
                let is_pk = matches!(c.kind, ConstraintKind::PrimaryKey(_));
                if is_pk {
                    if let Some(pk) = &table.primary_key {
                        let existing = pk.origin;
                        self.error(
                            ProblemKind::DuplicateObject {
                                object: ObjectKey::Constraint {
                                    table: table.name.clone(),
                                    name: pk.name.clone(),
                                },
                                existing,
                            },
                            c.span,
                        );
                        return false;
                    }
                    let name = c.name.clone().unwrap_or_else(|| {
                        choose_name(&table.name.name, None, "pkey", |n| {
                            self.constraint_taken(&schema, n, table)
                        })
                    });
                    for n in &names {
                        if let Some(col) = table.column_mut(n) {
                            col.nullable = false;
                        }
                    }
                    table.primary_key = Some(Key {
                        name,
                        columns: names,
                        origin: c.span,
                    });
                } else {
                    let add = columns_addition(&names);
                    let name = c.name.clone().unwrap_or_else(|| {
                        choose_name(&table.name.name, Some(&add), "key", |n| {
                            self.constraint_taken(&schema, n, table)
                        })
                    });
                    table.uniques.push(Key {
                        name,
                        columns: names,
                        origin: c.span,
                    });
                }
                if !creating {
                    self.index_keys(table);
                }
                true
            }
            ConstraintKind::Check { expr, columns } => {
                let name = c.name.clone().unwrap_or_else(|| {
                    let col = if columns.len() == 1 {
                        columns.first().map(String::as_str)
                    } else {
                        None
                    };
                    choose_name(&table.name.name, col, "check", |n| {
                        self.constraint_taken(&schema, n, table)
                    })
                });
                table.checks.push(Check {
                    name,
                    expr: expr.clone(),
                    origin: c.span,
                });
                true
            }
            ConstraintKind::Other => true,
            ConstraintKind::ForeignKey(_) => true,
        }
    }

    /// Make sure every PK / UNIQUE constraint of `table` has its backing index.
    fn index_keys(&mut self, table: &Table) {
        let keys: Vec<&Key> = table.primary_key.iter().chain(&table.uniques).collect();
        for k in keys {
            let key = QualifiedName::new(table.name.schema.clone(), k.name.clone());
            if self
                .cat
                .indexes
                .get(&key)
                .is_some_and(|i| i.table == table.name)
            {
                continue;
            }
            self.put_index(Index {
                name: k.name.clone(),
                schema: table.name.schema.clone(),
                table: table.name.clone(),
                columns: k.columns.iter().cloned().map(Some).collect(),
                unique: true,
                partial: false,
                constraint: true,
                origin: k.origin,
            });
        }
    }

    /// Validate and add a foreign key to the (already stored) table `qn`.
    fn add_fk(&mut self, qn: &QualifiedName, c: &ConstraintDef, fk: &FkDef) -> bool {
        let Some(table) = self.cat.tables.get(qn).cloned() else {
            return false;
        };
        for col in &fk.columns {
            if table.column(&col.name).is_none() {
                self.error(
                    ProblemKind::MissingColumn {
                        table: qn.clone(),
                        column: col.name.clone(),
                        context: RefContext::ForeignKey,
                    },
                    col.span,
                );
                return false;
            }
        }
        let Some(tqn) = self.need_rel(&fk.target, RefContext::ForeignKey) else {
            return false;
        };
        let Some(target) = self.cat.tables.get(&tqn).cloned() else {
            // An assumed relation: nothing to check against.
            return self.store_fk(
                qn,
                c,
                fk,
                &tqn,
                fk.target_columns.iter().map(|c| c.name.clone()).collect(),
            );
        };
        if target.kind.is_view() {
            self.error(
                ProblemKind::WrongObjectKind {
                    name: tqn,
                    expected: "table".into(),
                    found: target.kind.as_str().into(),
                },
                fk.target.span,
            );
            return false;
        }
        let target_columns: Vec<String> = if fk.target_columns.is_empty() {
            match &target.primary_key {
                Some(pk) => pk.columns.clone(),
                None => {
                    self.error(
                        ProblemKind::FkNoPrimaryKey {
                            table: qn.clone(),
                            target: tqn,
                        },
                        fk.target.span,
                    );
                    return false;
                }
            }
        } else {
            for col in &fk.target_columns {
                if target.column(&col.name).is_none() {
                    self.error(
                        ProblemKind::MissingColumn {
                            table: tqn.clone(),
                            column: col.name.clone(),
                            context: RefContext::ForeignKey,
                        },
                        col.span,
                    );
                    return false;
                }
            }
            let want: BTreeSet<&str> = fk.target_columns.iter().map(|c| c.name.as_str()).collect();
            let unique = self.cat.indexes_on(&tqn).any(|i| {
                i.unique && !i.partial && i.columns.iter().all(Option::is_some) && {
                    let have: BTreeSet<&str> =
                        i.columns.iter().flatten().map(String::as_str).collect();
                    have == want && i.columns.len() == want.len()
                }
            });
            if !unique {
                self.error(
                    ProblemKind::FkTargetNotUnique {
                        table: qn.clone(),
                        target: tqn,
                        columns: fk.target_columns.iter().map(|c| c.name.clone()).collect(),
                    },
                    fk.target.span,
                );
                return false;
            }
            fk.target_columns.iter().map(|c| c.name.clone()).collect()
        };
        if target_columns.len() != fk.columns.len() {
            self.error(
                ProblemKind::FkColumnCount {
                    table: qn.clone(),
                    target: tqn,
                },
                c.span,
            );
            return false;
        }
        for (col, tcol) in fk.columns.iter().zip(&target_columns) {
            let (Some(a), Some(b)) = (table.column(&col.name), target.column(tcol)) else {
                continue;
            };
            let (ta, tb) = (self.base_type(&a.data_type), self.base_type(&b.data_type));
            if fk_compatible(&ta, &tb) == FkCompat::Incompatible {
                self.error(
                    ProblemKind::FkTypeMismatch {
                        table: qn.clone(),
                        column: col.name.clone(),
                        column_type: a.data_type.clone(),
                        target: tqn.clone(),
                        target_column: tcol.clone(),
                        target_type: b.data_type.clone(),
                    },
                    col.span,
                );
                return false;
            }
        }
        self.store_fk(qn, c, fk, &tqn, target_columns)
    }

    fn store_fk(
        &mut self,
        qn: &QualifiedName,
        c: &ConstraintDef,
        fk: &FkDef,
        tqn: &QualifiedName,
        target_columns: Vec<String>,
    ) -> bool {
        let Some(table) = self.cat.tables.get(qn).cloned() else {
            return false;
        };
        let cols: Vec<String> = fk.columns.iter().map(|c| c.name.clone()).collect();
        let name = match &c.name {
            Some(n) => {
                if table.constraint_names().any(|x| x == n) {
                    self.error(
                        ProblemKind::DuplicateObject {
                            object: ObjectKey::Constraint {
                                table: qn.clone(),
                                name: n.clone(),
                            },
                            existing: table.origin,
                        },
                        c.span,
                    );
                    return false;
                }
                n.clone()
            }
            None => {
                let add = columns_addition(&cols);
                choose_name(&qn.name, Some(&add), "fkey", |n| {
                    self.constraint_taken(&qn.schema, n, &table)
                })
            }
        };
        let new = ForeignKey {
            name: name.clone(),
            columns: cols,
            target: tqn.clone(),
            target_columns,
            on_delete: fk.on_delete.clone(),
            on_update: fk.on_update.clone(),
            not_valid: fk.not_valid,
            origin: c.span,
        };
        if let Some(t) = self.table_mut(qn) {
            t.foreign_keys.push(new);
        }
        self.event(
            ObjectKey::Constraint {
                table: qn.clone(),
                name,
            },
            EventAction::Created,
            c.span,
        );
        true
    }

    // ----- ALTER TABLE ---------------------------------------------------------------------

    fn alter_table(&mut self, table: &ObjName, if_exists: bool, actions: &[AlterAction]) {
        let qn = match self.lookup_rel(table) {
            Ok(qn) => qn,
            Err(qn) => {
                if !if_exists {
                    self.error(
                        ProblemKind::MissingRelation {
                            name: qn,
                            written: written(table),
                            context: RefContext::Alter,
                        },
                        table.span,
                    );
                }
                return;
            }
        };
        if !self.cat.tables.contains_key(&qn) {
            return; // assumed / system relation
        }
        let defined = self.cat.tables.get(&qn).map(|t| t.origin);
        self.use_of(
            ObjectKey::Relation { name: qn.clone() },
            table.span,
            defined,
        );
        let mut current = qn;
        for a in actions {
            if let Some(next) = self.alter_action(&current, a) {
                current = next;
            }
            if self.failed {
                return;
            }
        }
    }

    /// Apply one action; returns the table's new name after a rename.
    fn alter_action(&mut self, qn: &QualifiedName, a: &AlterAction) -> Option<QualifiedName> {
        let mut t = self.cat.tables.get(qn)?.clone();
        match a {
            AlterAction::AddColumn { def, if_not_exists } => {
                if let Some(existing) = t.column(&def.name.name) {
                    if !*if_not_exists {
                        let existing = existing.origin;
                        self.error(
                            ProblemKind::DuplicateObject {
                                object: ObjectKey::Column {
                                    table: qn.clone(),
                                    column: def.name.name.clone(),
                                },
                                existing,
                            },
                            def.name.span,
                        );
                    }
                    return None;
                }
                let col = self.column_from_def(qn, def, &t)?;
                t.columns.push(col);
                let mut fks = Vec::new();
                for c in &def.constraints {
                    if let ConstraintKind::ForeignKey(fk) = &c.kind {
                        fks.push((c.clone(), fk.clone()));
                    } else if !self.add_constraint(&mut t, c, false) {
                        return None;
                    }
                }
                self.replace_table(t);
                self.event(
                    ObjectKey::Column {
                        table: qn.clone(),
                        column: def.name.name.clone(),
                    },
                    EventAction::Created,
                    def.name.span,
                );
                for (c, fk) in fks {
                    if !self.add_fk(qn, &c, &fk) {
                        return None;
                    }
                }
            }
            AlterAction::DropColumn {
                name,
                if_exists,
                cascade,
            } => {
                if t.column(&name.name).is_none() {
                    if !*if_exists {
                        self.error(
                            ProblemKind::MissingColumn {
                                table: qn.clone(),
                                column: name.name.clone(),
                                context: RefContext::Alter,
                            },
                            name.span,
                        );
                    }
                    return None;
                }
                let dependents = self.fks_into(qn, Some(&name.name));
                if !dependents.is_empty() && !*cascade {
                    self.error(
                        ProblemKind::DependentObjects {
                            object: ObjectKey::Column {
                                table: qn.clone(),
                                column: name.name.clone(),
                            },
                            dependents: dependents
                                .iter()
                                .map(|(t, f)| format!("constraint {f} on table {t}"))
                                .collect(),
                        },
                        name.span,
                    );
                    return None;
                }
                for (other, fk) in dependents {
                    if other != *qn {
                        if let Some(o) = self.table_mut(&other) {
                            o.foreign_keys.retain(|f| f.name != fk);
                        }
                    }
                }
                let n = name.name.as_str();
                t.columns.retain(|c| c.name != n);
                if t.primary_key
                    .as_ref()
                    .is_some_and(|k| k.columns.iter().any(|c| c == n))
                {
                    t.primary_key = None;
                }
                t.uniques.retain(|k| !k.columns.iter().any(|c| c == n));
                t.foreign_keys.retain(|f| {
                    !f.columns.iter().any(|c| c == n)
                        && !(f.target == *qn && f.target_columns.iter().any(|c| c == n))
                });
                t.checks.retain(|c| !c.expr.contains(n));
                let doomed: Vec<QualifiedName> = self
                    .cat
                    .indexes_on(qn)
                    .filter(|i| i.columns.iter().any(|c| c.as_deref() == Some(n)))
                    .map(|i| QualifiedName::new(i.schema.clone(), i.name.clone()))
                    .collect();
                for d in doomed {
                    self.remove_index(&d);
                }
                self.replace_table(t);
                self.event(
                    ObjectKey::Column {
                        table: qn.clone(),
                        column: name.name.clone(),
                    },
                    EventAction::Dropped,
                    name.span,
                );
            }
            AlterAction::RenameColumn { from, to } => {
                if t.column(&from.name).is_none() {
                    self.error(
                        ProblemKind::MissingColumn {
                            table: qn.clone(),
                            column: from.name.clone(),
                            context: RefContext::Alter,
                        },
                        from.span,
                    );
                    return None;
                }
                if let Some(existing) = t.column(&to.name) {
                    let existing = existing.origin;
                    self.error(
                        ProblemKind::DuplicateObject {
                            object: ObjectKey::Column {
                                table: qn.clone(),
                                column: to.name.clone(),
                            },
                            existing,
                        },
                        to.span,
                    );
                    return None;
                }
                let rename = |v: &mut Vec<String>| {
                    for c in v.iter_mut() {
                        if *c == from.name {
                            c.clone_from(&to.name);
                        }
                    }
                };
                if let Some(c) = t.column_mut(&from.name) {
                    c.name.clone_from(&to.name);
                }
                if let Some(pk) = &mut t.primary_key {
                    rename(&mut pk.columns);
                }
                for u in &mut t.uniques {
                    rename(&mut u.columns);
                }
                for f in &mut t.foreign_keys {
                    rename(&mut f.columns);
                }
                self.replace_table(t);
                // FKs (in any table) that point at the renamed column, and indexes on it.
                let pointing: Vec<QualifiedName> = self
                    .cat
                    .tables
                    .values()
                    .filter(|o| {
                        o.foreign_keys
                            .iter()
                            .any(|f| f.target == *qn && f.target_columns.contains(&from.name))
                    })
                    .map(|o| o.name.clone())
                    .collect();
                for o in pointing {
                    if let Some(o) = self.table_mut(&o) {
                        for f in &mut o.foreign_keys {
                            if f.target == *qn {
                                rename(&mut f.target_columns);
                            }
                        }
                    }
                }
                let idx: Vec<Index> = self.cat.indexes_on(qn).cloned().collect();
                for mut i in idx {
                    for c in i.columns.iter_mut().flatten() {
                        if *c == from.name {
                            c.clone_from(&to.name);
                        }
                    }
                    self.put_index(i);
                }
                self.event(
                    ObjectKey::Column {
                        table: qn.clone(),
                        column: from.name.clone(),
                    },
                    EventAction::Renamed {
                        from: from.name.clone(),
                        to: to.name.clone(),
                    },
                    from.span,
                );
            }
            AlterAction::SetType { column, ty } => {
                let new_type = self.resolve_type(ty)?;
                let Some(c) = t.column_mut(&column.name) else {
                    self.error(
                        ProblemKind::MissingColumn {
                            table: qn.clone(),
                            column: column.name.clone(),
                            context: RefContext::Alter,
                        },
                        column.span,
                    );
                    return None;
                };
                c.data_type = new_type;
                self.replace_table(t);
                self.altered(qn, &column.name, "type", column.span);
            }
            AlterAction::SetNotNull(column) | AlterAction::DropNotNull(column) => {
                let in_pk = t
                    .primary_key
                    .as_ref()
                    .is_some_and(|k| k.columns.contains(&column.name));
                let Some(c) = t.column_mut(&column.name) else {
                    self.error(
                        ProblemKind::MissingColumn {
                            table: qn.clone(),
                            column: column.name.clone(),
                            context: RefContext::Alter,
                        },
                        column.span,
                    );
                    return None;
                };
                let set = matches!(a, AlterAction::SetNotNull(_));
                if !set && in_pk {
                    self.error(
                        ProblemKind::DependentObjects {
                            object: ObjectKey::Column {
                                table: qn.clone(),
                                column: column.name.clone(),
                            },
                            dependents: vec!["the primary key".into()],
                        },
                        column.span,
                    );
                    return None;
                }
                c.nullable = !set;
                self.replace_table(t);
                self.altered(
                    qn,
                    &column.name,
                    if set { "set not null" } else { "drop not null" },
                    column.span,
                );
            }
            AlterAction::SetDefault { column, expr } => {
                let Some(c) = t.column_mut(&column.name) else {
                    self.error(
                        ProblemKind::MissingColumn {
                            table: qn.clone(),
                            column: column.name.clone(),
                            context: RefContext::Alter,
                        },
                        column.span,
                    );
                    return None;
                };
                c.default = Some(expr.clone());
                self.replace_table(t);
                self.altered(qn, &column.name, "default", column.span);
            }
            AlterAction::DropDefault(column) | AlterAction::AddIdentity(column) => {
                let identity = matches!(a, AlterAction::AddIdentity(_));
                let Some(c) = t.column_mut(&column.name) else {
                    self.error(
                        ProblemKind::MissingColumn {
                            table: qn.clone(),
                            column: column.name.clone(),
                            context: RefContext::Alter,
                        },
                        column.span,
                    );
                    return None;
                };
                if identity {
                    c.generated = true;
                    c.nullable = false;
                } else {
                    c.default = None;
                }
                self.replace_table(t);
            }
            AlterAction::AddConstraint(c) => {
                if let ConstraintKind::ForeignKey(fk) = &c.kind {
                    self.add_fk(qn, c, fk);
                } else if self.add_constraint(&mut t, c, false) {
                    let name = c.name.clone().unwrap_or_default();
                    self.replace_table(t);
                    self.event(
                        ObjectKey::Constraint {
                            table: qn.clone(),
                            name,
                        },
                        EventAction::Created,
                        c.span,
                    );
                }
            }
            AlterAction::DropConstraint {
                name,
                if_exists,
                cascade,
                span,
            } => {
                if !t.constraint_names().any(|n| n == name) {
                    if !*if_exists {
                        self.error(
                            ProblemKind::MissingConstraint {
                                table: qn.clone(),
                                name: name.clone(),
                            },
                            *span,
                        );
                    }
                    return None;
                }
                let key_cols = t
                    .primary_key
                    .iter()
                    .chain(&t.uniques)
                    .find(|k| &k.name == name)
                    .map(|k| k.columns.clone());
                if let Some(cols) = key_cols {
                    let dependents: Vec<(QualifiedName, String)> = self
                        .cat
                        .tables
                        .values()
                        .flat_map(|o| {
                            o.foreign_keys
                                .iter()
                                .filter(|f| f.target == *qn && same_set(&f.target_columns, &cols))
                                .map(|f| (o.name.clone(), f.name.clone()))
                                .collect::<Vec<_>>()
                        })
                        .filter(|(o, _)| o != qn || !*cascade)
                        .collect();
                    if !dependents.is_empty() && !*cascade {
                        self.error(
                            ProblemKind::DependentObjects {
                                object: ObjectKey::Constraint {
                                    table: qn.clone(),
                                    name: name.clone(),
                                },
                                dependents: dependents
                                    .iter()
                                    .map(|(t, f)| format!("constraint {f} on table {t}"))
                                    .collect(),
                            },
                            *span,
                        );
                        return None;
                    }
                    for (o, f) in dependents {
                        if let Some(o) = self.table_mut(&o) {
                            o.foreign_keys.retain(|x| x.name != f);
                        }
                    }
                    t = self.cat.tables.get(qn)?.clone();
                    self.remove_index(&QualifiedName::new(qn.schema.clone(), name.clone()));
                }
                if t.primary_key.as_ref().is_some_and(|k| &k.name == name) {
                    t.primary_key = None;
                }
                t.uniques.retain(|k| &k.name != name);
                t.foreign_keys.retain(|f| &f.name != name);
                t.checks.retain(|c| &c.name != name);
                self.replace_table(t);
                self.event(
                    ObjectKey::Constraint {
                        table: qn.clone(),
                        name: name.clone(),
                    },
                    EventAction::Dropped,
                    *span,
                );
            }
            AlterAction::RenameConstraint { from, to, span } => {
                if !t.constraint_names().any(|n| n == from) {
                    self.error(
                        ProblemKind::MissingConstraint {
                            table: qn.clone(),
                            name: from.clone(),
                        },
                        *span,
                    );
                    return None;
                }
                for k in t.primary_key.iter_mut().chain(t.uniques.iter_mut()) {
                    if &k.name == from {
                        k.name.clone_from(to);
                        if let Some(mut i) =
                            self.remove_index(&QualifiedName::new(qn.schema.clone(), from.clone()))
                        {
                            i.name.clone_from(to);
                            self.put_index(i);
                        }
                    }
                }
                for f in &mut t.foreign_keys {
                    if &f.name == from {
                        f.name.clone_from(to);
                    }
                }
                for c in &mut t.checks {
                    if &c.name == from {
                        c.name.clone_from(to);
                    }
                }
                self.replace_table(t);
                self.event(
                    ObjectKey::Constraint {
                        table: qn.clone(),
                        name: from.clone(),
                    },
                    EventAction::Renamed {
                        from: from.clone(),
                        to: to.clone(),
                    },
                    *span,
                );
            }
            AlterAction::ValidateConstraint { name, span } => {
                if !t.foreign_keys.iter().any(|f| &f.name == name)
                    && !t.checks.iter().any(|c| &c.name == name)
                {
                    self.error(
                        ProblemKind::MissingConstraint {
                            table: qn.clone(),
                            name: name.clone(),
                        },
                        *span,
                    );
                    return None;
                }
                for f in &mut t.foreign_keys {
                    if &f.name == name {
                        f.not_valid = false;
                    }
                }
                self.replace_table(t);
            }
            AlterAction::RenameTable(new) => return self.rename_table(qn, new),
            AlterAction::EnableRls | AlterAction::DisableRls => {
                t.rls_enabled = matches!(a, AlterAction::EnableRls);
                self.replace_table(t);
            }
            AlterAction::AttachPartition(part) => {
                let pqn = self.need_rel(part, RefContext::Alter)?;
                if let Some(p) = self.table_mut(&pqn) {
                    p.kind = RelationKind::Partition;
                    p.parents = vec![qn.clone()];
                }
            }
            AlterAction::DetachPartition(part) => {
                let pqn = self.need_rel(part, RefContext::Alter)?;
                if let Some(p) = self.table_mut(&pqn) {
                    p.kind = RelationKind::Table;
                    p.parents.clear();
                }
            }
            AlterAction::Inherit(parent) => {
                let pqn = self.need_rel(parent, RefContext::Inherits)?;
                t.parents.push(pqn);
                self.replace_table(t);
            }
            AlterAction::NoInherit(parent) => {
                if let Ok(pqn) = self.lookup_rel(parent) {
                    t.parents.retain(|p| *p != pqn);
                    self.replace_table(t);
                }
            }
            AlterAction::Other => {}
        }
        None
    }

    fn altered(&mut self, qn: &QualifiedName, column: &str, what: &str, span: Span) {
        self.event(
            ObjectKey::Column {
                table: qn.clone(),
                column: column.to_string(),
            },
            EventAction::Altered { what: what.into() },
            span,
        );
    }

    fn replace_table(&mut self, t: Table) {
        self.put_table(t);
    }

    /// FKs in any table that reference `table` (optionally: that use `column`).
    fn fks_into(
        &self,
        table: &QualifiedName,
        column: Option<&str>,
    ) -> Vec<(QualifiedName, String)> {
        self.cat
            .tables
            .values()
            .flat_map(|o| {
                o.foreign_keys
                    .iter()
                    .filter(|f| {
                        f.target == *table
                            && column.is_none_or(|c| f.target_columns.iter().any(|x| x == c))
                    })
                    .filter(|_| o.name != *table || column.is_some())
                    .map(|f| (o.name.clone(), f.name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn rename_table(&mut self, qn: &QualifiedName, new: &ObjName) -> Option<QualifiedName> {
        let new_qn = QualifiedName::new(qn.schema.clone(), new.name.clone());
        if self.cat.relation_name_taken(&new_qn) {
            let existing = self.existing_relation_span(&new_qn);
            self.error(
                ProblemKind::DuplicateObject {
                    object: ObjectKey::Relation { name: new_qn },
                    existing,
                },
                new.span,
            );
            return None;
        }
        let mut t = self.remove_table(qn)?;
        t.name = new_qn.clone();
        for f in &mut t.foreign_keys {
            if f.target == *qn {
                f.target = new_qn.clone();
            }
        }
        self.put_table(t);
        let others: Vec<QualifiedName> = self
            .cat
            .tables
            .values()
            .filter(|o| {
                o.foreign_keys.iter().any(|f| f.target == *qn)
                    || o.reads.contains(qn)
                    || o.parents.contains(qn)
            })
            .map(|o| o.name.clone())
            .collect();
        for o in others {
            if let Some(o) = self.table_mut(&o) {
                for f in &mut o.foreign_keys {
                    if f.target == *qn {
                        f.target = new_qn.clone();
                    }
                }
                for r in o.reads.iter_mut().chain(o.parents.iter_mut()) {
                    if r == qn {
                        *r = new_qn.clone();
                    }
                }
            }
        }
        let idx: Vec<Index> = self.cat.indexes_on(qn).cloned().collect();
        for mut i in idx {
            i.table = new_qn.clone();
            self.put_index(i);
        }
        self.event(
            ObjectKey::Relation { name: qn.clone() },
            EventAction::Renamed {
                from: qn.name.clone(),
                to: new_qn.name.clone(),
            },
            new.span,
        );
        Some(new_qn)
    }

    // ----- DROP ----------------------------------------------------------------------------

    fn drop(&mut self, kind: DropKind, name: &ObjName, if_exists: bool, cascade: bool) {
        match kind {
            DropKind::Table | DropKind::View | DropKind::MaterializedView => {
                let qn = match self.lookup_rel(name) {
                    Ok(qn) if self.cat.tables.contains_key(&qn) => qn,
                    Ok(_) => return,
                    Err(qn) => {
                        if !if_exists {
                            self.error(
                                ProblemKind::MissingRelation {
                                    name: qn,
                                    written: written(name),
                                    context: RefContext::Drop,
                                },
                                name.span,
                            );
                        }
                        return;
                    }
                };
                let found = self.cat.tables.get(&qn).map(|t| t.kind);
                let ok = match (kind, found) {
                    (DropKind::View, Some(RelationKind::View))
                    | (DropKind::MaterializedView, Some(RelationKind::MaterializedView)) => true,
                    (DropKind::Table, Some(k)) => !k.is_view(),
                    _ => false,
                };
                if !ok {
                    let expected = match kind {
                        DropKind::View => "view",
                        DropKind::MaterializedView => "materialized view",
                        _ => "table",
                    };
                    self.error(
                        ProblemKind::WrongObjectKind {
                            name: qn,
                            expected: expected.into(),
                            found: found.map_or("nothing", RelationKind::as_str).into(),
                        },
                        name.span,
                    );
                    return;
                }
                self.drop_relation(&qn, cascade, name.span);
            }
            DropKind::Index => {
                let candidates: Vec<QualifiedName> = match &name.schema {
                    Some(s) => vec![QualifiedName::new(s.clone(), name.name.clone())],
                    None => self
                        .path_schemas()
                        .into_iter()
                        .map(|s| QualifiedName::new(s, name.name.clone()))
                        .collect(),
                };
                let Some(key) = candidates
                    .into_iter()
                    .find(|k| self.cat.indexes.contains_key(k))
                else {
                    if !if_exists {
                        let qn = QualifiedName::new(
                            name.schema.clone().unwrap_or_else(|| "public".into()),
                            name.name.clone(),
                        );
                        self.error(ProblemKind::MissingIndex { name: qn }, name.span);
                    }
                    return;
                };
                if self.cat.indexes.get(&key).is_some_and(|i| i.constraint) {
                    self.error(
                        ProblemKind::DependentObjects {
                            object: ObjectKey::Index { name: key.clone() },
                            dependents: vec![format!("constraint {}", key.name)],
                        },
                        name.span,
                    );
                    return;
                }
                self.remove_index(&key);
                self.event(
                    ObjectKey::Index { name: key },
                    EventAction::Dropped,
                    name.span,
                );
            }
            DropKind::Type | DropKind::Domain => {
                let candidates: Vec<QualifiedName> = match &name.schema {
                    Some(s) => vec![QualifiedName::new(s.clone(), name.name.clone())],
                    None => self
                        .path_schemas()
                        .into_iter()
                        .map(|s| QualifiedName::new(s, name.name.clone()))
                        .collect(),
                };
                let Some(key) = candidates
                    .into_iter()
                    .find(|k| self.cat.types.contains_key(k))
                else {
                    if !if_exists {
                        let qn = QualifiedName::new(
                            name.schema.clone().unwrap_or_else(|| "public".into()),
                            name.name.clone(),
                        );
                        self.error(
                            ProblemKind::MissingType {
                                name: qn,
                                written: written(name),
                            },
                            name.span,
                        );
                    }
                    return;
                };
                let display = type_display(&key);
                let users: Vec<(QualifiedName, String)> = self
                    .cat
                    .tables
                    .values()
                    .flat_map(|t| {
                        t.columns
                            .iter()
                            .filter(|c| {
                                c.data_type == display || c.data_type == format!("{display}[]")
                            })
                            .map(|c| (t.name.clone(), c.name.clone()))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                if !users.is_empty() && !cascade {
                    self.error(
                        ProblemKind::DependentObjects {
                            object: ObjectKey::Type { name: key },
                            dependents: users
                                .iter()
                                .map(|(t, c)| format!("column {c} of table {t}"))
                                .collect(),
                        },
                        name.span,
                    );
                    return;
                }
                for (t, c) in users {
                    if let Some(t) = self.table_mut(&t) {
                        t.columns.retain(|x| x.name != c);
                    }
                }
                self.remove_type(&key);
                self.event(
                    ObjectKey::Type { name: key },
                    EventAction::Dropped,
                    name.span,
                );
            }
            DropKind::Schema => {
                let s = name.name.clone();
                if !self.cat.schemas.contains_key(&s) {
                    if !if_exists {
                        self.error(ProblemKind::MissingSchema { name: s }, name.span);
                    }
                    return;
                }
                let members: Vec<QualifiedName> = self
                    .cat
                    .tables
                    .keys()
                    .filter(|k| k.schema == s)
                    .cloned()
                    .collect();
                let types: Vec<QualifiedName> = self
                    .cat
                    .types
                    .keys()
                    .filter(|k| k.schema == s)
                    .cloned()
                    .collect();
                if (!members.is_empty() || !types.is_empty()) && !cascade {
                    self.error(
                        ProblemKind::DependentObjects {
                            object: ObjectKey::Schema { name: s },
                            dependents: members
                                .iter()
                                .chain(&types)
                                .map(ToString::to_string)
                                .collect(),
                        },
                        name.span,
                    );
                    return;
                }
                for m in members {
                    if self.cat.tables.contains_key(&m) {
                        self.drop_relation(&m, true, name.span);
                    }
                }
                for t in types {
                    self.remove_type(&t);
                }
                let seqs: Vec<QualifiedName> = self
                    .cat
                    .sequences
                    .keys()
                    .filter(|k| k.schema == s)
                    .cloned()
                    .collect();
                for q in seqs {
                    self.remove_sequence(&q);
                }
                let old = self.cat.schemas.remove(&s);
                self.journal.push(Undo::Schema(s.clone(), old));
                self.event(
                    ObjectKey::Schema { name: s },
                    EventAction::Dropped,
                    name.span,
                );
            }
            DropKind::Sequence => {
                let candidates: Vec<QualifiedName> = match &name.schema {
                    Some(s) => vec![QualifiedName::new(s.clone(), name.name.clone())],
                    None => self
                        .path_schemas()
                        .into_iter()
                        .map(|s| QualifiedName::new(s, name.name.clone()))
                        .collect(),
                };
                match candidates
                    .into_iter()
                    .find(|k| self.cat.sequences.contains_key(k))
                {
                    Some(k) => self.remove_sequence(&k),
                    None => {
                        if !if_exists {
                            let qn = QualifiedName::new(
                                name.schema.clone().unwrap_or_else(|| "public".into()),
                                name.name.clone(),
                            );
                            self.error(
                                ProblemKind::MissingRelation {
                                    name: qn,
                                    written: written(name),
                                    context: RefContext::Drop,
                                },
                                name.span,
                            );
                        }
                    }
                }
            }
            DropKind::Other => {}
        }
    }

    /// Drop a relation; with `cascade`, FKs pointing at it and views reading it go too.
    fn drop_relation(&mut self, qn: &QualifiedName, cascade: bool, span: Span) {
        let fks = self.fks_into(qn, None);
        let views: Vec<QualifiedName> = self
            .cat
            .tables
            .values()
            .filter(|t| t.reads.contains(qn))
            .map(|t| t.name.clone())
            .collect();
        let children: Vec<QualifiedName> = self
            .cat
            .tables
            .values()
            .filter(|t| {
                t.parents.contains(qn)
                    && t.kind != RelationKind::Partition
                    && t.kind != RelationKind::PartitionedTable
            })
            .map(|t| t.name.clone())
            .collect();
        let partitions: Vec<QualifiedName> = self
            .cat
            .tables
            .values()
            .filter(|t| {
                t.parents.contains(qn)
                    && matches!(
                        t.kind,
                        RelationKind::Partition | RelationKind::PartitionedTable
                    )
            })
            .map(|t| t.name.clone())
            .collect();
        if !cascade && (!fks.is_empty() || !views.is_empty() || !children.is_empty()) {
            let mut dependents: Vec<String> = fks
                .iter()
                .map(|(t, f)| format!("constraint {f} on table {t}"))
                .collect();
            dependents.extend(views.iter().map(|v| format!("view {v}")));
            dependents.extend(children.iter().map(|c| format!("table {c}")));
            self.error(
                ProblemKind::DependentObjects {
                    object: ObjectKey::Relation { name: qn.clone() },
                    dependents,
                },
                span,
            );
            return;
        }
        for (t, f) in fks {
            if let Some(t) = self.table_mut(&t) {
                t.foreign_keys.retain(|x| x.name != f);
            }
        }
        for v in views.into_iter().chain(children).chain(partitions) {
            if self.cat.tables.contains_key(&v) && v != *qn {
                self.drop_relation(&v, true, span);
            }
        }
        let idx: Vec<QualifiedName> = self
            .cat
            .indexes_on(qn)
            .map(|i| QualifiedName::new(i.schema.clone(), i.name.clone()))
            .collect();
        for i in idx {
            self.remove_index(&i);
        }
        let seqs: Vec<QualifiedName> = self
            .cat
            .tables
            .get(qn)
            .map(|t| {
                t.columns
                    .iter()
                    .filter_map(|c| c.default.as_deref())
                    .filter_map(|d| {
                        d.strip_prefix("nextval('")
                            .and_then(|r| r.split('\'').next())
                    })
                    .map(|s| QualifiedName::new(qn.schema.clone(), s.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        for s in seqs {
            self.remove_sequence(&s);
        }
        self.remove_table(qn);
        self.event(
            ObjectKey::Relation { name: qn.clone() },
            EventAction::Dropped,
            span,
        );
    }

    // ----- indexes, types, views, comments -------------------------------------------------

    fn create_index(&mut self, def: &IndexDef) {
        let Some(tqn) = self.need_rel(&def.table, RefContext::Index) else {
            return;
        };
        let Some(table) = self.cat.tables.get(&tqn).cloned() else {
            return;
        };
        for c in &def.mentions {
            if table.column(&c.name).is_none() {
                self.error(
                    ProblemKind::MissingColumn {
                        table: tqn.clone(),
                        column: c.name.clone(),
                        context: RefContext::Index,
                    },
                    c.span,
                );
                return;
            }
        }
        let schema = tqn.schema.clone();
        let name = match &def.name {
            Some(n) => n.name.clone(),
            None => {
                let cols: Vec<String> = def
                    .columns
                    .iter()
                    .map(|c| {
                        c.as_ref()
                            .map_or_else(|| "expr".to_string(), |c| c.name.clone())
                    })
                    .collect();
                let add = columns_addition(&cols);
                choose_name(&tqn.name, Some(&add), "idx", |n| {
                    self.name_taken_in_schema(&schema, n)
                })
            }
        };
        let key = QualifiedName::new(schema.clone(), name.clone());
        let span = def.name.as_ref().map_or(def.table.span, |n| n.span);
        if self.cat.relation_name_taken(&key) {
            if !def.if_not_exists {
                let existing = self.existing_relation_span(&key);
                self.error(
                    ProblemKind::DuplicateObject {
                        object: ObjectKey::Index { name: key },
                        existing,
                    },
                    span,
                );
            }
            return;
        }
        self.put_index(Index {
            name,
            schema,
            table: tqn,
            columns: def
                .columns
                .iter()
                .map(|c| c.as_ref().map(|c| c.name.clone()))
                .collect(),
            unique: def.unique,
            partial: def.partial,
            constraint: false,
            origin: span,
        });
        self.event(ObjectKey::Index { name: key }, EventAction::Created, span);
    }

    fn rename_index(&mut self, index: &ObjName, to: &str) {
        let candidates: Vec<QualifiedName> = match &index.schema {
            Some(s) => vec![QualifiedName::new(s.clone(), index.name.clone())],
            None => self
                .path_schemas()
                .into_iter()
                .map(|s| QualifiedName::new(s, index.name.clone()))
                .collect(),
        };
        let Some(key) = candidates
            .into_iter()
            .find(|k| self.cat.indexes.contains_key(k))
        else {
            let qn = QualifiedName::new(
                index.schema.clone().unwrap_or_else(|| "public".into()),
                index.name.clone(),
            );
            self.error(ProblemKind::MissingIndex { name: qn }, index.span);
            return;
        };
        let new_key = QualifiedName::new(key.schema.clone(), to.to_string());
        if self.cat.relation_name_taken(&new_key) {
            let existing = self.existing_relation_span(&new_key);
            self.error(
                ProblemKind::DuplicateObject {
                    object: ObjectKey::Index { name: new_key },
                    existing,
                },
                index.span,
            );
            return;
        }
        if let Some(mut i) = self.remove_index(&key) {
            i.name = to.to_string();
            if i.constraint {
                if let Some(t) = self.table_mut(&i.table) {
                    for k in t.primary_key.iter_mut().chain(t.uniques.iter_mut()) {
                        if k.name == key.name {
                            k.name = to.to_string();
                        }
                    }
                }
            }
            self.put_index(i);
        }
    }

    fn create_type(&mut self, name: &ObjName, kind: TypeKind) {
        let Some(schema) = self.creation_schema(name) else {
            return;
        };
        let qn = QualifiedName::new(schema, name.name.clone());
        // Types share pg_type with every table's row type.
        if let Some(existing) = self
            .cat
            .types
            .get(&qn)
            .map(|t| t.origin)
            .or_else(|| self.cat.tables.get(&qn).map(|t| t.origin))
        {
            self.error(
                ProblemKind::DuplicateObject {
                    object: ObjectKey::Type { name: qn },
                    existing,
                },
                name.span,
            );
            return;
        }
        self.put_type(TypeDef {
            name: qn.clone(),
            kind,
            origin: name.span,
        });
        self.event(
            ObjectKey::Type { name: qn },
            EventAction::Created,
            name.span,
        );
    }

    fn add_enum_value(&mut self, name: &ObjName, value: &str, if_not_exists: bool) {
        let candidates: Vec<QualifiedName> = match &name.schema {
            Some(s) => vec![QualifiedName::new(s.clone(), name.name.clone())],
            None => self
                .path_schemas()
                .into_iter()
                .map(|s| QualifiedName::new(s, name.name.clone()))
                .collect(),
        };
        let Some(key) = candidates
            .into_iter()
            .find(|k| self.cat.types.contains_key(k))
        else {
            let qn = QualifiedName::new(
                name.schema.clone().unwrap_or_else(|| "public".into()),
                name.name.clone(),
            );
            self.error(
                ProblemKind::MissingType {
                    name: qn,
                    written: written(name),
                },
                name.span,
            );
            return;
        };
        let Some(mut def) = self.cat.types.get(&key).cloned() else {
            return;
        };
        if let TypeKind::Enum { values } = &mut def.kind {
            if values.iter().any(|v| v == value) {
                if !if_not_exists {
                    let existing = def.origin;
                    self.error(
                        ProblemKind::DuplicateObject {
                            object: ObjectKey::Type { name: key },
                            existing,
                        },
                        name.span,
                    );
                }
                return;
            }
            values.push(value.to_string());
            self.put_type(def);
            self.event(
                ObjectKey::Type { name: key },
                EventAction::Altered {
                    what: format!("add value {value}"),
                },
                name.span,
            );
        }
    }

    fn create_view(
        &mut self,
        name: &ObjName,
        materialized: bool,
        or_replace: bool,
        if_not_exists: bool,
        query: &QueryRefs,
    ) {
        self.check_query(query, RefContext::View);
        if self.failed {
            return;
        }
        let Some(schema) = self.creation_schema(name) else {
            return;
        };
        let qn = QualifiedName::new(schema, name.name.clone());
        let kind = if materialized {
            RelationKind::MaterializedView
        } else {
            RelationKind::View
        };
        if self.cat.relation_name_taken(&qn) {
            let replace_ok = or_replace && self.cat.tables.get(&qn).is_some_and(|t| t.kind == kind);
            if !replace_ok {
                if !if_not_exists {
                    let existing = self.existing_relation_span(&qn);
                    self.error(
                        ProblemKind::DuplicateObject {
                            object: ObjectKey::Relation { name: qn },
                            existing,
                        },
                        name.span,
                    );
                }
                return;
            }
        }
        let mut reads: Vec<QualifiedName> = query
            .relations
            .iter()
            .filter_map(|r| self.lookup_rel(&r.name).ok())
            .collect();
        reads.sort();
        reads.dedup();
        self.put_table(Table {
            name: qn.clone(),
            kind,
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            parents: Vec::new(),
            reads,
            comment: None,
            rls_enabled: false,
            policies: Vec::new(),
            origin: name.span,
        });
        self.event(
            ObjectKey::Relation { name: qn },
            EventAction::Created,
            name.span,
        );
    }

    fn comment(&mut self, kind: CommentKind, target: &ObjName, column: Option<&ColName>) {
        match kind {
            CommentKind::Table
            | CommentKind::View
            | CommentKind::MaterializedView
            | CommentKind::Column => {
                let Some(qn) = self.need_rel(target, RefContext::Comment) else {
                    return;
                };
                if let Some(c) = column {
                    self.need_column(&qn, c, RefContext::Comment);
                }
            }
            CommentKind::Schema => {
                if !self.schema_exists(&target.name) {
                    self.error(
                        ProblemKind::MissingSchema {
                            name: target.name.clone(),
                        },
                        target.span,
                    );
                }
            }
            CommentKind::Index | CommentKind::Type | CommentKind::Other => {}
        }
    }
}

fn restore<K: Ord, V>(map: &mut std::collections::BTreeMap<K, V>, k: K, v: Option<V>) {
    match v {
        Some(v) => {
            map.insert(k, v);
        }
        None => {
            map.remove(&k);
        }
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    a == b
}

fn is_system_schema(s: &str) -> bool {
    s == "pg_catalog" || s == "information_schema" || s.starts_with("pg_temp") || s == "pg_toast"
}

/// How a type name prints in `format_type` with the default search_path.
fn type_display(qn: &QualifiedName) -> String {
    let name = super::catalog::quote_ident(&qn.name);
    if qn.schema == "public" {
        name
    } else {
        format!("{}.{name}", super::catalog::quote_ident(&qn.schema))
    }
}

/// A name as the user wrote it (folded), for messages.
fn written(n: &ObjName) -> String {
    match &n.schema {
        Some(s) => format!("{s}.{}", n.name),
        None => n.name.clone(),
    }
}

/// Is a DO-body statement guarded (IF branch or EXCEPTION handler)?
fn do_body_conditional(origin: &Origin) -> bool {
    matches!(
        origin,
        Origin::DoBody {
            conditional: true,
            ..
        }
    )
}
