//! Stage 5 (order): migration-level dependencies read from the model's provenance — a file
//! depends on the file that created an object it uses (`model.uses` with `defined_at`), on the
//! later file that creates an object it needed too early (`MissingRelation` & co. with
//! `why_missing` = created later), on the file whose failing `CREATE` would have made a missing
//! relation, and on the file that created the schema it creates in; a file that drops or renames
//! an object must stay after the files that use it first. Never from file names.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::Analysis;
use crate::model::catalog::Name;
use crate::model::history::Why;
use crate::model::ir::{Change, ObjName};
use crate::model::{EventAction, ObjectKey, ProblemKind, QualifiedName, Use};
use crate::span::{FileId, Span};

/// Why one file must run before another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DepKind {
    /// `after` uses an object `before` creates.
    Uses,
    /// `after` runs first today and fails: `before` creates the object later.
    CreatedLater,
    /// The object is missing because `before`'s CREATE statement fails; it is still the file
    /// meant to create it.
    FailingCreate,
    /// `after` creates objects in a schema `before` creates.
    Schema,
    /// `before` uses an object that `after` drops or renames.
    DropAfterUse,
}

/// `before` must run before `after`, because of `object`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dep {
    pub before: FileId,
    pub after: FileId,
    pub kind: DepKind,
    pub object: String,
    /// The relation (or type, schema) the object belongs to: a column's table.
    pub relation: String,
    /// Where `after` needs it (the use, the drop).
    pub at: Span,
    /// Where `before` provides it (the create, the use).
    pub source: Span,
}

/// A readable name for an object key.
#[must_use]
pub fn object_text(o: &ObjectKey) -> String {
    match o {
        ObjectKey::Schema { name } => format!("schema {name}"),
        ObjectKey::Relation { name } => name.to_string(),
        ObjectKey::Column { table, column } => format!("{table}.{column}"),
        ObjectKey::Constraint { table, name } => format!("constraint {name} on {table}"),
        ObjectKey::Policy { table, name } => format!("policy {name} on {table}"),
        ObjectKey::Index { name } => format!("index {name}"),
        ObjectKey::Type { name } => format!("type {name}"),
        ObjectKey::Sequence { name } => format!("sequence {name}"),
        ObjectKey::Function { name } => format!("function {name}"),
        ObjectKey::Trigger { table, name } => format!("trigger {name} on {table}"),
    }
}

/// The relation, type or schema an object belongs to, as text.
#[must_use]
pub fn owner_text(o: &ObjectKey) -> String {
    match o {
        ObjectKey::Column { table, .. }
        | ObjectKey::Constraint { table, .. }
        | ObjectKey::Policy { table, .. }
        | ObjectKey::Trigger { table, .. } => table.to_string(),
        other => object_text(other),
    }
}

/// The object a reference problem is about, if it is one.
#[must_use]
pub fn problem_object(model: &crate::model::Model, kind: &ProblemKind) -> Option<ObjectKey> {
    match kind {
        ProblemKind::MissingRelation { name, .. } => Some(model.relation_key(name)),
        ProblemKind::MissingColumn { table, column, .. } => Some(ObjectKey::Column {
            table: table.clone(),
            column: column.clone(),
        }),
        ProblemKind::MissingType { name, .. } => Some(ObjectKey::Type { name: name.clone() }),
        ProblemKind::MissingSchema { name } => Some(ObjectKey::Schema { name: name.clone() }),
        ProblemKind::MissingFunction { name, .. } => {
            Some(ObjectKey::Function { name: name.clone() })
        }
        _ => None,
    }
}

/// The IR of statement `seq` (lowered once, at parse time).
#[must_use]
pub fn lowered(analysis: &Analysis, seq: usize) -> Option<&Change> {
    let st = analysis.model.statements.get(seq)?;
    let stmt = analysis.parsed.get(st.file)?.statements.get(st.index)?;
    Some(stmt.change())
}

/// A relation a failing statement meant to create.
#[derive(Debug, Clone)]
pub struct Intended {
    pub name: ObjName,
    pub span: Span,
}

/// The objects failing CREATE TABLE / VIEW / TYPE / FUNCTION statements meant to create, by bare name,
/// each list in apply order.
#[derive(Debug, Default)]
pub struct FailedCreates(BTreeMap<Name, Vec<Intended>>);

/// Every failing CREATE TABLE / VIEW / TYPE / FUNCTION statement's target (and a table's serial
/// columns' sequences).
#[must_use]
pub fn failed_creates(analysis: &Analysis) -> FailedCreates {
    let mut out = FailedCreates::default();
    // The sequences of a failing CREATE TABLE's serial and identity columns.
    let mut sequences: BTreeMap<usize, Vec<&QualifiedName>> = BTreeMap::new();
    for u in &analysis.model.undone_creates {
        if let ObjectKey::Sequence { name } = &u.object
            && !u.rolled_back
        {
            sequences.entry(u.seq).or_default().push(name);
        }
    }
    for (seq, st) in analysis.model.statements.iter().enumerate() {
        if !st.failed {
            continue;
        }
        for name in sequences.get(&seq).into_iter().flatten() {
            out.0.entry(name.name.clone()).or_default().push(Intended {
                name: ObjName {
                    schema: Some(name.schema.clone()),
                    name: name.name.clone(),
                    span: st.span,
                },
                span: st.span,
            });
        }
        let name = match lowered(analysis, seq).map(Change::intended) {
            Some(Change::CreateTable(t)) => &t.name,
            Some(
                Change::CreateView { name, .. }
                | Change::CreateEnum { name, .. }
                | Change::CreateDomain { name, .. }
                | Change::CreateCompositeType { name }
                | Change::CreateRange { name, .. }
                | Change::CreateFunction { name, .. },
            ) => name,
            _ => continue,
        };
        out.0.entry(name.name.clone()).or_default().push(Intended {
            name: name.clone(),
            span: st.span,
        });
    }
    out
}

/// Does a name as written denote `qn`? Unqualified names match any schema.
#[must_use]
pub fn names(obj: &ObjName, qn: &QualifiedName) -> bool {
    obj.name == qn.name && obj.schema.as_ref().is_none_or(|s| *s == qn.schema)
}

/// The failing statement meant to create `qn`, if any (the first one).
#[must_use]
pub fn failing_create<'a>(failed: &'a FailedCreates, qn: &QualifiedName) -> Option<&'a Intended> {
    failed.0.get(&qn.name)?.iter().find(|i| names(&i.name, qn))
}

/// All dependencies of one replay, in the analysis's own file ids, sorted and deduplicated.
#[must_use]
pub fn dependencies(analysis: &Analysis) -> Vec<Dep> {
    let model = &analysis.model;
    let file_of = |seq: usize| model.file_of(seq);
    let mut out: BTreeSet<Dep> = BTreeSet::new();
    let mut push =
        |before: FileId, after: FileId, kind, object: &ObjectKey, at: Span, source: Span| {
            if before != after {
                out.insert(Dep {
                    before,
                    after,
                    kind,
                    object: object_text(object),
                    relation: owner_text(object),
                    at,
                    source,
                });
            }
        };
    // 1. Successful uses of objects created in another file.
    for u in &model.uses {
        let (Some(after), Some(def)) = (file_of(u.seq), u.defined_at) else {
            continue;
        };
        push(def.file(), after, DepKind::Uses, &u.object, u.span, def);
    }
    // 2. Failed uses: created later, or by a failing CREATE elsewhere.
    let intended = failed_creates(analysis);
    for p in &model.problems {
        let (Some(object), Some(after)) = (problem_object(model, &p.kind), file_of(p.seq)) else {
            continue;
        };
        match model.why_missing(&object, p.seq) {
            Why::CreatedLater { at } => {
                push(at.file(), after, DepKind::CreatedLater, &object, p.span, at)
            }
            Why::NeverCreated | Why::CreateFailed { .. } => {
                if let ObjectKey::Relation { name } = &object
                    && let Some(i) = failing_create(&intended, name)
                {
                    push(
                        i.span.file(),
                        after,
                        DepKind::FailingCreate,
                        &object,
                        p.span,
                        i.span,
                    );
                }
            }
            Why::Dropped { .. } | Why::Renamed { .. } => {}
        }
    }
    // 3. Schemas: creating in a schema another file created.
    let mut schema_created: BTreeMap<&str, Span> = BTreeMap::new();
    for e in &model.events {
        if let (ObjectKey::Schema { name }, EventAction::Created) = (&e.object, &e.action) {
            schema_created.entry(name.as_str()).or_insert(e.span);
        }
    }
    for e in &model.events {
        let schema = match &e.object {
            ObjectKey::Relation { name }
            | ObjectKey::Type { name }
            | ObjectKey::Sequence { name }
            | ObjectKey::Index { name } => &name.schema,
            _ => continue,
        };
        if !matches!(e.action, EventAction::Created) {
            continue;
        }
        if let (Some(&at), Some(after)) = (schema_created.get(schema.as_str()), file_of(e.seq)) {
            push(
                at.file(),
                after,
                DepKind::Schema,
                &ObjectKey::Schema {
                    name: schema.clone(),
                },
                e.span,
                at,
            );
        }
    }
    // 4. Drops and renames stay after the uses before them.
    let mut uses_of: BTreeMap<&ObjectKey, Vec<&Use>> = BTreeMap::new();
    for u in &model.uses {
        uses_of.entry(&u.object).or_default().push(u);
    }
    for e in &model.events {
        if !matches!(e.action, EventAction::Dropped | EventAction::Renamed(_)) {
            continue;
        }
        let Some(dropper) = file_of(e.seq) else {
            continue;
        };
        let uses = uses_of.get(&e.object).map_or(&[][..], Vec::as_slice);
        for u in uses.iter().filter(|u| u.seq < e.seq) {
            if let Some(user) = file_of(u.seq) {
                push(
                    user,
                    dropper,
                    DepKind::DropAfterUse,
                    &e.object,
                    e.span,
                    u.span,
                );
            }
        }
    }
    out.into_iter().collect()
}
