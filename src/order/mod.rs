//! Stage 5 (order): the migration order planner. Reads the model's provenance (what each file
//! creates and uses, what failed and why) into a migration-level dependency graph, reports what
//! the current order breaks (uses before creates, FK cycles, duplicate versions, files outside
//! the main path), proposes the stable order that changes least — checked by replaying it
//! offline — with the point where a new migration must create what no file creates, and the
//! `git mv` lines that realise it. [`scaffold`] writes that new migration. Nothing here touches
//! a file on disk; [`cli`] is the only writer.

pub mod cli;
pub mod deps;
pub mod naming;
pub mod render;
pub mod scaffold;
pub mod simulate;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::diag::DiagKind;
use crate::model::history::Why;
use crate::model::ir::{AlterAction, Change, ConstraintKind, FkDef, ObjName};
use crate::model::{ObjectKey, ProblemKind, QualifiedName, RefContext};
use crate::source::FileKind;
use crate::span::{FileId, Span};
use crate::{Analysis, Settings};
use deps::{Dep, object_text, problem_object};
use naming::Convention;
use simulate::{Entry, Simulation};

/// The descriptive name of the new migration the plan inserts.
pub const NEW_MIGRATION_NAME: &str = "create_missing_tables";

/// One entry of the proposed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An existing file. `version` is its version in the plan (`None`: unversioned);
    /// `path` its display path in the plan (differs from today's when it must be renamed).
    File {
        file: FileId,
        version: Option<String>,
        path: String,
    },
    /// A migration to write (see [`scaffold`]): it must create `creates`.
    New {
        version: Option<String>,
        path: String,
        creates: Vec<QualifiedName>,
    },
}

/// What the current order gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// Used before the file that creates it runs.
    UsedBeforeCreated,
    /// Used, but the statement meant to create it fails.
    CreateFails,
    /// Used, and no migration creates it.
    NeverCreated,
    /// Used after it was dropped.
    UsedAfterDrop,
    /// Used after it was renamed.
    UsedAfterRename,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    pub kind: ViolationKind,
    pub object: String,
    /// Where it is used (original file ids).
    pub at: Span,
    /// Where it is created / dropped / renamed, when that is known.
    pub other: Option<Span>,
}

/// A foreign-key cycle between tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub tables: Vec<QualifiedName>,
    /// Where the cycle is already broken (an `ALTER TABLE ... ADD CONSTRAINT`), if it is.
    pub broken_at: Option<Span>,
    /// How to break it when the CREATE statements fail today.
    pub suggestion: Option<CycleBreak>,
}

/// Create `table` without its FK to `target`, then add the FK once both exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleBreak {
    pub table: QualifiedName,
    pub target: QualifiedName,
    /// The CREATE TABLE whose inline FK must go.
    pub create_at: Span,
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ...;`
    pub sql: String,
}

/// Forward migrations sharing a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub version: String,
    pub files: Vec<FileId>,
}

/// A relation that no migration creates, and who needs it (in the proposed order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub name: QualifiedName,
    /// Uses, original file ids, in apply order of the plan.
    pub used_at: Vec<(Span, RefContext)>,
    /// The first file (in the plan) that needs it.
    pub first_file: FileId,
}

/// A rename the user should run (`git mv from to`); nothing is renamed by the tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub file: FileId,
    pub from: String,
    pub to: String,
}

/// An error PostgreSQL would still raise in the proposed order (besides the missing relations
/// the new migration creates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remaining {
    pub at: Span,
    pub message: String,
}

/// The whole analysis of the order.
#[derive(Debug)]
pub struct Plan {
    /// Forward files in today's apply order.
    pub current: Vec<FileId>,
    /// Repeatable files: applied after all versioned ones, never moved.
    pub repeatable: Vec<FileId>,
    pub steps: Vec<Step>,
    /// Every file-level dependency found (original file ids), sorted.
    pub deps: Vec<Dep>,
    pub violations: Vec<Violation>,
    pub cycles: Vec<Cycle>,
    pub duplicates: Vec<Duplicate>,
    /// Forward files outside the main path (DiagKind::OutsideMainPath).
    pub outside: Vec<FileId>,
    pub missing: Vec<Missing>,
    pub renames: Vec<Rename>,
    /// Directories (display paths) that hold no applied migration once the renames are done:
    /// drop them from the configured `migrations` roots.
    pub emptied: Vec<String>,
    pub remaining: Vec<Remaining>,
    pub convention: Convention,
    /// The replay in the proposed order (without the new migration).
    pub planned: Simulation,
}

impl Plan {
    /// `true` when the proposed order differs from today's or a file must be written/renamed.
    #[must_use]
    pub fn changes_anything(&self) -> bool {
        !self.renames.is_empty()
            || self.steps.iter().any(|s| matches!(s, Step::New { .. }))
            || self
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::File { file, .. } => Some(*file),
                    Step::New { .. } => None,
                })
                .ne(self.current.iter().copied())
    }

    /// The new migration, if the plan needs one: (position in `steps`, version, path, creates).
    #[must_use]
    pub fn new_migration(&self) -> Option<(usize, Option<&str>, &str, &[QualifiedName])> {
        self.steps.iter().enumerate().find_map(|(i, s)| match s {
            Step::New {
                version,
                path,
                creates,
            } => Some((i, version.as_deref(), path.as_str(), creates.as_slice())),
            Step::File { .. } => None,
        })
    }

    /// The files before which a new migration goes, as simulation entries with `text`
    /// inserted at the planned position (for checking a scaffold offline).
    #[must_use]
    pub fn entries_with(&self, text: Option<&str>) -> Vec<Entry> {
        let mut out = Vec::new();
        for s in &self.steps {
            match s {
                Step::File { file, .. } => out.push(Entry::File(*file)),
                Step::New { path, .. } => {
                    if let Some(t) = text {
                        out.push(Entry::Extra {
                            display: path.clone(),
                            text: t.to_owned(),
                        });
                    }
                }
            }
        }
        out.extend(self.repeatable.iter().map(|f| Entry::File(*f)));
        out
    }
}

/// Stable topological order: Kahn's algorithm always taking the ready file with the smallest
/// key (outside-the-main-path flag, then today's position). When a cycle leaves nothing ready,
/// the smallest remaining file is taken anyway (the cycle is reported separately).
fn stable_topo(files: &[FileId], key: &BTreeMap<FileId, (u8, usize)>, deps: &[Dep]) -> Vec<FileId> {
    let set: BTreeSet<FileId> = files.iter().copied().collect();
    let mut preds: BTreeMap<FileId, BTreeSet<FileId>> = BTreeMap::new();
    let mut succs: BTreeMap<FileId, BTreeSet<FileId>> = BTreeMap::new();
    for d in deps {
        if set.contains(&d.before) && set.contains(&d.after) && d.before != d.after {
            preds.entry(d.after).or_default().insert(d.before);
            succs.entry(d.before).or_default().insert(d.after);
        }
    }
    let k = |f: FileId| key.get(&f).copied().unwrap_or((u8::MAX, usize::MAX));
    let mut indeg: BTreeMap<FileId, usize> = files
        .iter()
        .map(|f| (*f, preds.get(f).map_or(0, BTreeSet::len)))
        .collect();
    let mut ready: BinaryHeap<Reverse<((u8, usize), FileId)>> = indeg
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(f, _)| Reverse((k(*f), *f)))
        .collect();
    let mut done: BTreeSet<FileId> = BTreeSet::new();
    let mut out = Vec::with_capacity(files.len());
    while out.len() < set.len() {
        let next = match ready.pop() {
            Some(Reverse((_, f))) if !done.contains(&f) => f,
            Some(_) => continue,
            None => {
                // A cycle: take the smallest remaining file.
                match set
                    .iter()
                    .filter(|f| !done.contains(f))
                    .min_by_key(|f| k(**f))
                {
                    Some(f) => *f,
                    None => break,
                }
            }
        };
        done.insert(next);
        out.push(next);
        for s in succs.get(&next).into_iter().flatten() {
            if let Some(n) = indeg.get_mut(s) {
                *n = n.saturating_sub(1);
                if *n == 0 && !done.contains(s) {
                    ready.push(Reverse((k(*s), *s)));
                }
            }
        }
    }
    out
}

fn map_deps(sim: &Simulation) -> Vec<Dep> {
    deps::dependencies(&sim.analysis)
        .into_iter()
        .filter_map(|d| {
            Some(Dep {
                before: sim.orig(d.before)?,
                after: sim.orig(d.after)?,
                at: sim.orig_span(d.at)?,
                source: sim.orig_span(d.source)?,
                ..d
            })
        })
        .collect()
}

/// A short description of a replay problem.
#[must_use]
pub fn describe(kind: &ProblemKind) -> String {
    match kind {
        ProblemKind::MissingRelation { name, context, .. } => {
            format!("relation {name} does not exist ({})", context.describe())
        }
        ProblemKind::MissingColumn { table, column, .. } => {
            format!("column {column} of {table} does not exist")
        }
        ProblemKind::MissingType { name, .. } => format!("type {name} does not exist"),
        ProblemKind::MissingSchema { name } => format!("schema {name} does not exist"),
        ProblemKind::MissingFunction { name, args, .. } => match args {
            Some(args) => format!("function {name}({args}) does not exist"),
            None => format!("function {name} does not exist"),
        },
        ProblemKind::DuplicateObject { object, .. } => {
            format!("{} already exists", object_text(object))
        }
        ProblemKind::InAbortedTransaction { .. } => {
            "ignored: an earlier statement of the transaction failed".into()
        }
        ProblemKind::Rejected { reason, .. } => format!("PostgreSQL rejects it: {reason}"),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "rejected".into())
            .replace('_', " "),
    }
}

/// Plan the order of the analysed project. `settings` are the ones the analysis ran with (the
/// proposal is replayed with them).
#[must_use]
pub fn plan(analysis: &Analysis, settings: &Settings) -> Plan {
    let project = &analysis.project;
    let model = &analysis.model;
    let kind_of = |f: FileId| project.file(f).map(|x| x.kind);
    let current: Vec<FileId> = model
        .file_order
        .iter()
        .copied()
        .filter(|f| kind_of(*f) == Some(FileKind::Forward))
        .collect();
    let repeatable: Vec<FileId> = model
        .file_order
        .iter()
        .copied()
        .filter(|f| kind_of(*f) == Some(FileKind::Repeatable))
        .collect();
    let mut main_dir: Option<String> = None;
    let mut outside: Vec<FileId> = Vec::new();
    let mut dup_groups: BTreeMap<String, BTreeSet<FileId>> = BTreeMap::new();
    for d in &project.diagnostics {
        match &d.kind {
            DiagKind::OutsideMainPath { main } => {
                outside.push(d.span.file());
                main_dir.get_or_insert_with(|| main.clone());
            }
            DiagKind::DuplicateVersion { version, other } => {
                let g = dup_groups.entry(version.clone()).or_default();
                g.insert(*other);
                g.insert(d.span.file());
            }
            _ => {}
        }
    }
    outside.sort_unstable();
    outside.dedup();
    let key: BTreeMap<FileId, (u8, usize)> = current
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, (u8::from(outside.contains(f)), i)))
        .collect();

    // Order, then replay it and learn what only that replay reveals, until nothing changes.
    let mut all_deps: BTreeSet<Dep> = deps::dependencies(analysis).into_iter().collect();
    let entries = |order: &[FileId]| -> Vec<Entry> {
        order
            .iter()
            .chain(&repeatable)
            .map(|f| Entry::File(*f))
            .collect()
    };
    let as_vec = |s: &BTreeSet<Dep>| s.iter().cloned().collect::<Vec<_>>();
    let mut order = stable_topo(&current, &key, &as_vec(&all_deps));
    let mut planned = simulate::replay(analysis, settings, &entries(&order));
    for _ in 0..5 {
        let before = all_deps.len();
        all_deps.extend(map_deps(&planned));
        if all_deps.len() == before {
            break;
        }
        let next = stable_topo(&current, &key, &as_vec(&all_deps));
        if next == order {
            break;
        }
        order = next;
        planned = simulate::replay(analysis, settings, &entries(&order));
    }
    let deps: Vec<Dep> = all_deps.into_iter().collect();

    let missing = missing_relations(&planned, &order);
    let remaining = remaining_errors(&planned, &missing);

    // Steps: the order, with the new migration before the first file that needs it.
    let insert_before = missing
        .iter()
        .filter_map(|m| order.iter().position(|f| *f == m.first_file))
        .min();
    let main_files: Vec<&crate::source::SourceFile> = current
        .iter()
        .filter(|f| !outside.contains(f))
        .filter_map(|f| project.file(*f))
        .collect();
    let convention = Convention::detect(&main_files, main_dir.as_deref());
    let all_versioned = current
        .iter()
        .all(|f| project.file(*f).is_some_and(|x| x.version.is_some()));
    let mut slots: Vec<Option<&crate::source::Version>> = Vec::new();
    let mut weight: Vec<u32> = Vec::new();
    let mut layout: Vec<Option<FileId>> = Vec::new();
    for (i, f) in order.iter().enumerate() {
        if insert_before == Some(i) {
            slots.push(None);
            weight.push(0);
            layout.push(None);
        }
        slots.push(project.file(*f).and_then(|x| x.version.as_ref()));
        weight.push(if outside.contains(f) { 1 } else { 3 });
        layout.push(Some(*f));
    }
    let versions: Vec<Option<String>> = if all_versioned {
        convention
            .assign(&slots, &weight)
            .into_iter()
            .map(Some)
            .collect()
    } else {
        vec![None; slots.len()]
    };
    let mut creates: Vec<QualifiedName> = missing.iter().map(|m| m.name.clone()).collect();
    creates.sort();
    let mut steps = Vec::new();
    let mut renames = Vec::new();
    for (slot, version) in layout.iter().zip(versions) {
        match slot {
            None => {
                let v = version.clone().unwrap_or_default();
                let file_name = if v.is_empty() {
                    format!("{NEW_MIGRATION_NAME}.sql")
                } else {
                    convention.file_name(&v, NEW_MIGRATION_NAME)
                };
                steps.push(Step::New {
                    version,
                    path: convention.path(&file_name),
                    creates: creates.clone(),
                });
            }
            Some(f) => {
                let Some(src) = project.file(*f) else {
                    continue;
                };
                let is_outside = outside.contains(f);
                let old_raw = src.version.as_ref().map(|v| v.raw.as_str());
                let path = match (&version, old_raw) {
                    (Some(v), Some(raw)) if is_outside => {
                        let _ = raw;
                        convention.path(&convention.file_name(v, &src.name))
                    }
                    (Some(v), Some(raw)) if v != raw => {
                        let (dir, name) = naming::split_path(&src.display);
                        let renamed = name.replacen(raw, v, 1);
                        if dir.is_empty() {
                            renamed
                        } else {
                            format!("{dir}/{renamed}")
                        }
                    }
                    _ => src.display.clone(),
                };
                if path != src.display {
                    renames.push(Rename {
                        file: *f,
                        from: src.display.clone(),
                        to: path.clone(),
                    });
                }
                steps.push(Step::File {
                    file: *f,
                    version,
                    path,
                });
            }
        }
    }

    let moved: BTreeSet<FileId> = renames.iter().map(|r| r.file).collect();
    let mut emptied: Vec<String> = renames
        .iter()
        .filter(|r| outside.contains(&r.file))
        .map(|r| naming::split_path(&r.from).0.to_owned())
        .filter(|dir| {
            project.applied().all(|(id, f)| {
                moved.contains(&id) || naming::split_path(&f.display).0 != dir.as_str()
            })
        })
        .collect();
    emptied.sort();
    emptied.dedup();
    let duplicates = dup_groups
        .into_iter()
        .map(|(version, files)| Duplicate {
            version,
            files: files.into_iter().collect(),
        })
        .collect();
    Plan {
        violations: violations(analysis),
        cycles: fk_cycles(analysis, &planned, settings),
        current,
        repeatable,
        steps,
        deps,
        duplicates,
        outside,
        missing,
        renames,
        emptied,
        remaining,
        convention,
        planned,
    }
}

/// What today's order gets wrong: every failed reference, with why.
fn violations(analysis: &Analysis) -> Vec<Violation> {
    let model = &analysis.model;
    let intended = deps::failed_creates(analysis);
    let mut out = Vec::new();
    for p in &model.problems {
        let Some(object) = problem_object(model, &p.kind) else {
            continue;
        };
        let (kind, other) = match model.why_missing(&object, p.seq) {
            Why::CreatedLater { at } => (ViolationKind::UsedBeforeCreated, Some(at)),
            Why::Dropped { at } => (ViolationKind::UsedAfterDrop, Some(at)),
            Why::Renamed { at, .. } => (ViolationKind::UsedAfterRename, Some(at)),
            Why::NeverCreated | Why::CreateFailed { .. } => match &object {
                ObjectKey::Relation { name } => match deps::failing_create(&intended, name) {
                    Some(i) => (ViolationKind::CreateFails, Some(i.span)),
                    None => (ViolationKind::NeverCreated, None),
                },
                _ => (ViolationKind::NeverCreated, None),
            },
        };
        out.push(Violation {
            kind,
            object: object_text(&object),
            at: p.span,
            other,
        });
    }
    out.sort_by_key(|v| (v.at, v.kind));
    out.dedup();
    out
}

/// Relations no migration creates (nor means to), as the planned replay sees them.
fn missing_relations(planned: &Simulation, order: &[FileId]) -> Vec<Missing> {
    let model = &planned.analysis.model;
    let intended = deps::failed_creates(&planned.analysis);
    let mut by_name: BTreeMap<QualifiedName, Vec<(usize, Span, RefContext)>> = BTreeMap::new();
    for p in &model.problems {
        let ProblemKind::MissingRelation { name, context, .. } = &p.kind else {
            continue;
        };
        let object = model.relation_key(name);
        if !matches!(
            model.why_missing(&object, p.seq),
            Why::NeverCreated | Why::CreateFailed { .. }
        ) || deps::failing_create(&intended, name).is_some()
            || model.ever_created(&object)
        {
            continue;
        }
        if let Some(span) = planned.orig_span(p.span) {
            by_name
                .entry(name.clone())
                .or_default()
                .push((p.seq, span, *context));
        }
    }
    let pos = |f: FileId| order.iter().position(|x| *x == f).unwrap_or(usize::MAX);
    by_name
        .into_iter()
        .filter_map(|(name, mut uses)| {
            uses.sort_by_key(|u| (u.0, u.1));
            let first_file = uses.iter().map(|u| u.1.file()).min_by_key(|f| pos(*f))?;
            Some(Missing {
                name,
                used_at: uses.into_iter().map(|u| (u.1, u.2)).collect(),
                first_file,
            })
        })
        .collect()
}

fn remaining_errors(planned: &Simulation, missing: &[Missing]) -> Vec<Remaining> {
    let model = &planned.analysis.model;
    let gone: BTreeSet<&QualifiedName> = missing.iter().map(|m| &m.name).collect();
    let needs_gone = |p: &crate::model::Problem| match &p.kind {
        ProblemKind::MissingRelation { name, .. } => gone.contains(name),
        _ => false,
    };
    // The statements that fail for a missing relation the new migration creates, and so what
    // fails only because such a statement's CREATE did.
    let failing: Vec<Span> = model
        .problems
        .iter()
        .filter(|p| needs_gone(p))
        .filter_map(|p| model.statements.get(p.seq).map(|st| st.span))
        .collect();
    let follows = |p: &crate::model::Problem| {
        let ProblemKind::MissingRelation { name, .. } = &p.kind else {
            return false;
        };
        let why = model.why_missing(&model.relation_key(name), p.seq);
        matches!(why, Why::CreateFailed { at, later: false, .. } if failing.iter().any(|st| st.contains(at)))
    };
    let mut out: Vec<Remaining> = model
        .problems
        .iter()
        .filter(|p| p.kind.is_error())
        .filter(|p| !needs_gone(p) && !follows(p))
        .filter_map(|p| {
            Some(Remaining {
                at: planned.orig_span(p.span)?,
                message: describe(&p.kind),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.at, &a.message).cmp(&(b.at, &b.message)));
    out.dedup();
    out
}

/// One declared FK as the statements write it (whether or not they succeed).
#[derive(Debug, Clone)]
struct FkWritten {
    from: QualifiedName,
    to: QualifiedName,
    /// Inside the CREATE TABLE of `from` (vs `ALTER TABLE ... ADD CONSTRAINT`).
    inline: bool,
    seq: usize,
    span: Span,
    failed: bool,
    name: Option<String>,
    fk: FkDef,
}

/// Resolve a name as written against the relations we know of (unqualified: any schema).
fn resolve(obj: &ObjName, known: &BTreeMap<&str, &QualifiedName>) -> QualifiedName {
    if let Some(s) = &obj.schema {
        return QualifiedName::new(s.clone(), obj.name.clone());
    }
    known
        .get(obj.name.as_str())
        .map(|k| (*k).clone())
        .unwrap_or_else(|| QualifiedName::new("public", obj.name.clone()))
}

/// FK cycles: from the foreign keys the statements declare (also those of failing CREATE
/// statements, which never reach the catalog) and from the final schema's graph.
fn fk_cycles(analysis: &Analysis, planned: &Simulation, settings: &Settings) -> Vec<Cycle> {
    let model = &analysis.model;
    let _ = settings;
    let mut known: BTreeSet<QualifiedName> = model.catalog.tables.keys().cloned().collect();
    for e in &model.events {
        if let ObjectKey::Relation { name } = &e.object {
            known.insert(name.clone());
        }
    }
    for p in &model.problems {
        if let ProblemKind::MissingRelation { name, .. } = &p.kind {
            known.insert(name.clone());
        }
    }
    // An unqualified name resolves to the first relation of that name in (schema, name) order.
    let mut by_name: BTreeMap<&str, &QualifiedName> = BTreeMap::new();
    for k in &known {
        by_name.entry(k.name.as_str()).or_insert(k);
    }
    let known = by_name;
    let mut fks: Vec<FkWritten> = Vec::new();
    for (seq, st) in model.statements.iter().enumerate() {
        match deps::lowered(analysis, seq) {
            Some(Change::CreateTable(t)) => {
                let from = resolve(&t.name, &known);
                let inline_cols = t.columns.iter().flat_map(|c| c.constraints.iter());
                for c in inline_cols.chain(t.constraints.iter()) {
                    if let ConstraintKind::ForeignKey(fk) = &c.kind {
                        fks.push(FkWritten {
                            from: from.clone(),
                            to: resolve(&fk.target, &known),
                            inline: true,
                            seq,
                            span: st.span,
                            failed: st.failed,
                            name: c.name.clone().map(|n| n.to_string()),
                            fk: fk.clone(),
                        });
                    }
                }
            }
            Some(Change::AlterTable { table, actions, .. }) => {
                let from = resolve(table, &known);
                for a in actions {
                    if let AlterAction::AddConstraint(c) = a
                        && let ConstraintKind::ForeignKey(fk) = &c.kind
                    {
                        fks.push(FkWritten {
                            from: from.clone(),
                            to: resolve(&fk.target, &known),
                            inline: false,
                            seq,
                            span: st.span,
                            failed: st.failed,
                            name: c.name.clone().map(|n| n.to_string()),
                            fk: fk.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    let mut g: DiGraph<QualifiedName, usize> = DiGraph::new();
    let mut ix: BTreeMap<QualifiedName, NodeIndex> = BTreeMap::new();
    let mut node = |g: &mut DiGraph<QualifiedName, usize>, q: &QualifiedName| {
        *ix.entry(q.clone()).or_insert_with(|| g.add_node(q.clone()))
    };
    for (i, fk) in fks.iter().enumerate() {
        if fk.from != fk.to {
            let a = node(&mut g, &fk.from);
            let b = node(&mut g, &fk.to);
            g.add_edge(a, b, i);
        }
    }
    let mut out: Vec<Cycle> = Vec::new();
    for comp in petgraph::algo::tarjan_scc(&g) {
        if comp.len() < 2 {
            continue;
        }
        let mut tables: Vec<QualifiedName> = comp
            .iter()
            .filter_map(|n| g.node_weight(*n).cloned())
            .collect();
        tables.sort();
        let inside: Vec<&FkWritten> = fks
            .iter()
            .filter(|f| f.from != f.to && tables.contains(&f.from) && tables.contains(&f.to))
            .collect();
        let broken_at = inside
            .iter()
            .filter(|f| !f.inline && !f.failed)
            .map(|f| f.span)
            .min();
        let suggestion = if inside.iter().any(|f| f.inline && f.failed) {
            inside
                .iter()
                .filter(|f| f.inline)
                .min_by_key(|f| f.seq)
                .map(|f| cycle_break(f))
        } else {
            None
        };
        out.push(Cycle {
            tables,
            broken_at,
            suggestion,
        });
    }
    // Cycles in the final schema that the statements above did not show (should not happen,
    // but the graph is the reference).
    let graph = crate::graph::SchemaGraph::build(&planned.analysis.model, &[]);
    for tables in graph.fk_cycles() {
        if !out.iter().any(|c| c.tables == tables) {
            out.push(Cycle {
                tables,
                broken_at: None,
                suggestion: None,
            });
        }
    }
    out.sort_by(|a, b| a.tables.cmp(&b.tables));
    out
}

fn cycle_break(f: &FkWritten) -> CycleBreak {
    use crate::model::catalog::quote_ident;
    let cols: Vec<&str> = f.fk.columns.iter().map(|c| c.name.as_str()).collect();
    let name = f.name.clone().unwrap_or_else(|| {
        let mut n = format!("{}_{}_fkey", f.from.name, cols.join("_"));
        n.truncate(63);
        n
    });
    let targets: Vec<String> =
        f.fk.target_columns
            .iter()
            .map(|c| quote_ident(&c.name))
            .collect();
    let target_cols = if targets.is_empty() {
        String::new()
    } else {
        format!(" ({})", targets.join(", "))
    };
    let mut actions = String::new();
    if f.fk.on_delete != "NO ACTION" && !f.fk.on_delete.is_empty() {
        actions.push_str(&format!(" ON DELETE {}", f.fk.on_delete));
    }
    if f.fk.on_update != "NO ACTION" && !f.fk.on_update.is_empty() {
        actions.push_str(&format!(" ON UPDATE {}", f.fk.on_update));
    }
    CycleBreak {
        table: f.from.clone(),
        target: f.to.clone(),
        create_at: f.span,
        sql: format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}{target_cols}{actions};",
            f.from,
            quote_ident(&name),
            cols.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", "),
            f.to
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use crate::model::ProblemKind;

    /// A statement still failing in the proposed order says why, as PostgreSQL would.
    #[test]
    fn a_rejected_statement_is_described_by_its_reason() {
        let kind = ProblemKind::Rejected {
            reason: "cannot drop columns from view".into(),
            help: None,
        };
        assert_eq!(
            describe(&kind),
            "PostgreSQL rejects it: cannot drop columns from view"
        );
    }
}
