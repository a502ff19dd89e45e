//! Stage 6 (render): the one sorted [`DiagramView`] every diagram format reads. Built from the
//! analysis (final catalog, history), the graph (FK, implied and dangling edges, ghost tables)
//! and the findings; then narrowed by a [`Filter`] (focus, schema, globs, group). Everything
//! in it is sorted, so every writer is deterministic byte for byte.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::Analysis;
use crate::cli::config::Config;
use crate::diag::{Finding, Severity};
use crate::graph::{EdgeKind, Node, SchemaGraph};
use crate::model::history::Why;
use crate::model::{ObjectKey, ProblemKind, QualifiedName, RelationKind, Table};
use crate::span::{FileId, Span};

/// A place in a migration file, for people: `001_core.sql:7`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

impl Place {
    /// `file_name:line`, without the directories.
    #[must_use]
    pub fn short(&self) -> String {
        let name = self.file.rsplit('/').next().unwrap_or(&self.file);
        format!("{name}:{}", self.line)
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// `schema.table` as written for people (not quoted; every writer escapes it itself).
#[must_use]
pub fn display_name(name: &QualifiedName) -> String {
    format!("{}.{}", name.schema, name.name)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnView {
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    pub pk: bool,
    pub fk: bool,
    pub uk: bool,
    /// Referenced tables of the declared foreign keys this column is part of.
    pub references: Vec<QualifiedName>,
}

impl ColumnView {
    /// Part of a key (PK, FK or UNIQUE): kept at the `keys` detail level.
    #[must_use]
    pub fn is_key(&self) -> bool {
        self.pk || self.fk || self.uk
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingView {
    pub severity: Severity,
    pub rule: String,
    pub message: String,
    pub place: Option<Place>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableView {
    pub name: QualifiedName,
    pub display: String,
    pub kind: RelationKind,
    /// Columns in declaration order.
    pub columns: Vec<ColumnView>,
    pub origin: Option<Place>,
    /// Index into [`DiagramView::migrations`] of the file that created it.
    pub migration: Option<usize>,
    pub comment: Option<String>,
    pub findings: Vec<FindingView>,
    /// A hub reached by `--focus` but not expanded: how many neighbours were left out.
    pub collapsed: Option<usize>,
}

impl TableView {
    /// The worst severity among its findings.
    #[must_use]
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Who references a missing table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Reference {
    pub place: Option<Place>,
    /// The table the referencing statement or column belongs to.
    pub table: Option<QualifiedName>,
    /// `INSERT target`, `foreign key target`, `implied by column plan_id`, ...
    pub context: String,
    /// An application query (`--app`): the endpoint running it (`GET /api/...`), or
    /// `application code` when no endpoint does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingView {
    pub name: QualifiedName,
    pub display: String,
    pub referenced_by: Vec<Reference>,
    /// Never created / dropped at ... / renamed to ... / created later at ...
    pub why: String,
    pub findings: Vec<FindingView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeView {
    /// A declared foreign key.
    Declared,
    /// A column named like a table, no foreign key: a guess, drawn dashed.
    Implied,
    /// A statement uses a relation that does not exist: drawn dashed to the missing table.
    Dangling,
}

impl EdgeView {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeView::Declared => "declared",
            EdgeView::Implied => "implied",
            EdgeView::Dangling => "dangling",
        }
    }
}

/// A reference from `from` (the child, holding the columns) to `to` (the parent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relationship {
    pub from: QualifiedName,
    pub to: QualifiedName,
    pub kind: EdgeView,
    pub label: String,
    pub columns: Vec<String>,
    pub target_columns: Vec<String>,
    /// The FK columns are unique in `from`: at most one child per parent.
    pub one_to_one: bool,
    /// A nullable FK column: the child may have no parent.
    pub optional: bool,
    pub place: Option<Place>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationView {
    pub file: String,
    pub version: Option<String>,
    /// `CORE PLATFORM` from `001_core_platform.sql`.
    pub title: String,
    /// Not under the main migrations directory.
    pub outside_main_path: bool,
    /// Tables of the view created by this file, in creation order.
    pub tables: Vec<QualifiedName>,
    /// Relations that existed after this file ran (of those in the view), sorted. Empty unless
    /// the view was built with its history (see [`DiagramView::build`]).
    pub relations_after: Vec<QualifiedName>,
    /// Error findings located in this file.
    pub errors: usize,
    /// Statements of this file PostgreSQL would reject (from the replay): the migration fails.
    pub rejected: usize,
}

/// Everything a diagram shows, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagramView {
    pub title: String,
    /// Sorted by name.
    pub tables: Vec<TableView>,
    /// Referenced but never created, sorted by name.
    pub missing: Vec<MissingView>,
    /// Sorted by (from, to, kind, label).
    pub edges: Vec<Relationship>,
    /// Applied files in apply order.
    pub migrations: Vec<MigrationView>,
    /// Findings that belong to no table.
    pub other_findings: Vec<FindingView>,
    /// Diagram groups from ogel-schema.toml: name -> tables of the view, sorted.
    pub groups: BTreeMap<String, Vec<QualifiedName>>,
    /// What the filter did, for the reader ("focus on x, distance 1").
    pub notes: Vec<String>,
}

/// How to narrow a view. Empty = everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub focus: Option<String>,
    pub distance: usize,
    pub hub: usize,
    pub schemas: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub group: Option<String>,
}

/// A filter that cannot be applied.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FilterError {
    #[error("no table matches --focus `{0}`")]
    #[diagnostic(
        code(ogel_schema::unknown_table),
        help("give `schema.table` or a table name; `ogel-schema model` lists the tables")
    )]
    UnknownTable(String),
    #[error("`{0}` matches several tables: {1}")]
    #[diagnostic(code(ogel_schema::ambiguous_table), help("qualify it with its schema"))]
    AmbiguousTable(String, String),
    #[error("invalid glob `{0}`: {1}")]
    #[diagnostic(code(ogel_schema::bad_glob))]
    BadGlob(String, String),
    #[error("unknown group `{0}`")]
    #[diagnostic(
        code(ogel_schema::unknown_group),
        help("groups are defined in ogel-schema.toml: [groups] billing = [\"platform.invoice*\"]")
    )]
    UnknownGroup(String),
}

fn place(analysis: &Analysis, span: Span) -> Option<Place> {
    let f = analysis.project.files.get(span.file())?;
    Some(Place {
        file: f.display.clone(),
        line: f.lines.line_of(span.start()),
    })
}

fn finding_view(analysis: &Analysis, f: &Finding) -> FindingView {
    FindingView {
        severity: f.severity,
        rule: f.rule.to_string(),
        message: f.message.clone(),
        place: place(analysis, f.span),
    }
}

fn within(outer: Span, inner: Span) -> bool {
    outer.file() == inner.file()
        && outer.start() <= inner.start()
        && inner.start() < outer.end().max(outer.start() + 1)
}

/// All spans that belong to a table's definition.
fn table_spans(t: &Table) -> Vec<Span> {
    let mut v = vec![t.origin];
    v.extend(t.columns.iter().map(|c| c.origin));
    v.extend(t.primary_key.iter().chain(&t.uniques).map(|k| k.origin));
    v.extend(t.foreign_keys.iter().map(|k| k.origin));
    v.extend(t.checks.iter().map(|k| k.origin));
    v
}

/// `CORE PLATFORM` from a file's descriptive name.
fn migration_title(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect();
    words.join(" ")
}

/// Are `cols` covered exactly by a PK, UNIQUE constraint or non-partial unique index?
fn unique_columns(analysis: &Analysis, t: &Table, cols: &[crate::model::Name]) -> bool {
    use crate::model::catalog::{plain_columns, same_names};
    let want = cols.iter().map(|c| c.as_str());
    if cols.is_empty() {
        return false;
    }
    if t.primary_key
        .iter()
        .chain(&t.uniques)
        .any(|k| same_names(k.columns.iter().map(|c| c.as_str()), want.clone()))
    {
        return true;
    }
    analysis.model.catalog.indexes_on(&t.name).any(|i| {
        i.unique
            && !i.partial
            && plain_columns(&i.columns).is_some_and(|have| same_names(have, want.clone()))
    })
}

/// Never created / dropped at ... / renamed to ... / created later at ..., as of statement
/// `seq` (the end of the history: `usize::MAX`).
fn why_missing(analysis: &Analysis, name: &QualifiedName, seq: usize) -> String {
    let key = ObjectKey::Relation { name: name.clone() };
    match analysis.model.why_missing(&key, seq) {
        Why::NeverCreated => "never created".to_string(),
        Why::CreatedLater { at } => match place(analysis, at) {
            Some(p) => format!("created later, at {p}"),
            None => "created later".to_string(),
        },
        Why::Dropped { at } => match place(analysis, at) {
            Some(p) => format!("dropped at {p}"),
            None => "dropped".to_string(),
        },
        Why::Renamed { to, at, moved } => {
            let what = if moved { "moved" } else { "renamed" };
            match place(analysis, at) {
                Some(p) => format!("{what} to {to} at {p}"),
                None => format!("{what} to {to}"),
            }
        }
        Why::CreateFailed {
            at, rolled_back, ..
        } => {
            let what = if rolled_back {
                "its creation is rolled back"
            } else {
                "its CREATE fails"
            };
            match place(analysis, at) {
                Some(p) => format!("{what}, at {p}"),
                None => what.to_string(),
            }
        }
    }
}

impl DiagramView {
    /// Build the full view: every table of the final schema, every missing table, every edge.
    /// With `history`, each migration also lists the relations alive after it
    /// ([`MigrationView::relations_after`]: the JSON and HTML formats show it); without, those
    /// lists stay empty.
    #[must_use]
    pub fn build(
        analysis: &Analysis,
        graph: &SchemaGraph,
        findings: &[Finding],
        config: &Config,
        title: &str,
        history: bool,
    ) -> Self {
        let catalog = &analysis.model.catalog;
        // Migrations in apply order.
        let order: Vec<usize> = analysis.model.file_order.clone();
        // Every migration's live relations: migrations x relations names, so only for the
        // formats that show them (10,000 one-table migrations made it 4.8 GB).
        let after: BTreeMap<FileId, Vec<QualifiedName>> = if history {
            analysis.model.relations_after_each().into_iter().collect()
        } else {
            BTreeMap::new()
        };
        let mut errors_in: BTreeMap<FileId, usize> = BTreeMap::new();
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            *errors_in.entry(f.span.file()).or_default() += 1;
        }
        let mut rejected_in: BTreeMap<FileId, usize> = BTreeMap::new();
        for s in analysis.model.statements.iter().filter(|s| s.failed) {
            *rejected_in.entry(s.file).or_default() += 1;
        }
        let mut migrations: Vec<MigrationView> = order
            .iter()
            .filter_map(|&fid| {
                let f = analysis.project.files.get(fid)?;
                Some(MigrationView {
                    file: f.display.clone(),
                    version: f.version.as_ref().map(|v| v.raw.clone()),
                    title: migration_title(&f.name),
                    outside_main_path: f.root != 0,
                    tables: Vec::new(),
                    relations_after: after.get(&fid).cloned().unwrap_or_default(),
                    errors: errors_in.get(&fid).copied().unwrap_or(0),
                    rejected: rejected_in.get(&fid).copied().unwrap_or(0),
                })
            })
            .collect();
        let mig_of_file: BTreeMap<usize, usize> =
            order.iter().enumerate().map(|(i, f)| (*f, i)).collect();

        // Tables, with columns in declaration order.
        let mut tables: Vec<TableView> = Vec::with_capacity(catalog.tables.len());
        for t in catalog.tables.values() {
            let pk: BTreeSet<&str> = t
                .primary_key
                .iter()
                .flat_map(|k| k.columns.iter().map(|c| c.as_str()))
                .collect();
            let mut uk: BTreeSet<&str> = t
                .uniques
                .iter()
                .filter(|k| k.columns.len() == 1)
                .flat_map(|k| k.columns.iter().map(|c| c.as_str()))
                .collect();
            for i in catalog.indexes_on(&t.name) {
                if i.unique
                    && !i.partial
                    && let [Some(c)] = i.columns.as_slice()
                {
                    uk.insert(c.as_str());
                }
            }
            let columns = t
                .columns
                .iter()
                .map(|c| {
                    let mut references: Vec<QualifiedName> = t
                        .foreign_keys
                        .iter()
                        .filter(|fk| fk.columns.contains(&c.name))
                        .map(|fk| fk.target.clone())
                        .collect();
                    references.sort();
                    references.dedup();
                    ColumnView {
                        name: c.name.to_string(),
                        data_type: c.data_type.to_string(),
                        nullable: c.nullable,
                        pk: pk.contains(c.name.as_str()),
                        fk: !references.is_empty(),
                        uk: uk.contains(c.name.as_str()) && !pk.contains(c.name.as_str()),
                        references,
                    }
                })
                .collect();
            tables.push(TableView {
                name: t.name.clone(),
                display: display_name(&t.name),
                kind: t.kind,
                columns,
                origin: place(analysis, t.origin),
                migration: mig_of_file.get(&t.origin.file()).copied(),
                comment: t.comment.clone(),
                findings: Vec::new(),
                collapsed: None,
            });
        }

        // Missing tables and who references them.
        let mut missing: Vec<MissingView> = Vec::new();
        let dangling_from: BTreeMap<Span, QualifiedName> = graph
            .edges()
            .into_iter()
            .filter(|(_, _, e)| e.kind == EdgeKind::Dangling)
            .map(|(from, _, e)| (e.span, from.clone()))
            .collect();
        for n in graph.graph.node_weights() {
            let Node::Ghost {
                name,
                referenced_at,
            } = n
            else {
                continue;
            };
            let mut refs: Vec<Reference> = Vec::new();
            let mut first_seq = None;
            for span in referenced_at {
                let problem = analysis.model.problems.iter().find(|p| {
                    p.span == *span
                        && matches!(&p.kind, ProblemKind::MissingRelation { name: n, .. } if n == name)
                });
                if first_seq.is_none() {
                    first_seq = problem.map(|p| p.seq);
                }
                let context = match problem.map(|p| &p.kind) {
                    Some(ProblemKind::MissingRelation { context, .. }) => {
                        context.describe().to_string()
                    }
                    _ => "reference".to_string(),
                };
                refs.push(Reference {
                    place: place(analysis, *span),
                    table: dangling_from.get(span).cloned(),
                    context,
                    app_user: None,
                });
            }
            for imp in graph.implied.iter().filter(|i| &i.target == name) {
                refs.push(Reference {
                    place: place(analysis, imp.column_span),
                    table: Some(imp.table.clone()),
                    context: format!("implied by column {}", imp.column),
                    app_user: None,
                });
            }
            refs.sort();
            refs.dedup();
            missing.push(MissingView {
                name: name.clone(),
                display: display_name(name),
                referenced_by: refs,
                why: first_seq.map_or_else(
                    || "never created".to_string(),
                    |seq| why_missing(analysis, name, seq),
                ),
                findings: Vec::new(),
            });
        }
        // Tables the application's queries use (`--app`): MISSING, "used by GET /api/...".
        for u in analysis
            .app
            .as_ref()
            .map(crate::app::status::missing_relations)
            .unwrap_or_default()
        {
            let user = u.endpoint.unwrap_or_else(|| "application code".to_owned());
            let reference = Reference {
                place: place(analysis, Span::new(u.file, u.at, u.at)),
                table: None,
                context: format!("used by {user}"),
                app_user: Some(user),
            };
            match missing.iter_mut().find(|m| m.name == u.name) {
                Some(m) => {
                    if !m.referenced_by.contains(&reference) {
                        m.referenced_by.push(reference);
                    }
                }
                None => missing.push(MissingView {
                    display: display_name(&u.name),
                    why: why_missing(analysis, &u.name, usize::MAX),
                    name: u.name,
                    referenced_by: vec![reference],
                    findings: Vec::new(),
                }),
            }
        }
        missing.sort_by(|a, b| a.name.cmp(&b.name));

        // Edges.
        let mut edges: Vec<Relationship> = Vec::new();
        for (from, to, e) in graph.edges() {
            let t = catalog.tables.get(from);
            let (one_to_one, optional) = match (e.kind, t) {
                (EdgeKind::Declared | EdgeKind::Implied, Some(t)) => (
                    unique_columns(analysis, t, &e.columns),
                    e.columns
                        .iter()
                        .any(|c| t.column(c).is_some_and(|c| c.nullable)),
                ),
                _ => (false, true),
            };
            let kind = match e.kind {
                EdgeKind::Declared => EdgeView::Declared,
                EdgeKind::Implied => EdgeView::Implied,
                EdgeKind::Dangling => EdgeView::Dangling,
            };
            let label = match kind {
                EdgeView::Declared => e.columns.join(", "),
                EdgeView::Implied => format!("implied: {}", e.columns.join(", ")),
                EdgeView::Dangling => e.label.to_string(),
            };
            edges.push(Relationship {
                from: from.clone(),
                to: to.clone(),
                kind,
                label,
                columns: crate::model::catalog::strings(&e.columns),
                target_columns: crate::model::catalog::strings(&e.target_columns),
                one_to_one,
                optional,
                place: place(analysis, e.span),
            });
        }
        sort_edges(&mut edges);

        // Findings per table.
        let mut other_findings = Vec::new();
        let table_spans: Vec<(usize, Vec<Span>)> = catalog
            .tables
            .values()
            .enumerate()
            .map(|(i, t)| (i, table_spans(t)))
            .collect();
        // A finding belongs to the tables (and missing relations) its fingerprint names, by
        // display name or qualified name: looked up by name, not by comparing every finding
        // with every table (1,000 findings on a 1,500-table dump took 0.6 s that way).
        let mut named: FxHashMap<String, Vec<Named>> = FxHashMap::default();
        for (i, t) in tables.iter().enumerate() {
            for name in [t.display.clone(), t.name.to_string()] {
                named.entry(name).or_default().push(Named::Table(i));
            }
        }
        for (i, m) in missing.iter().enumerate() {
            for name in [m.display.clone(), m.name.to_string()] {
                named.entry(name).or_default().push(Named::Missing(i));
            }
        }
        for f in findings {
            let fv = finding_view(analysis, f);
            let mut targets: Vec<Named> = f
                .fingerprint
                .split(':')
                .filter_map(|token| named.get(token))
                .flatten()
                .copied()
                .collect();
            targets.sort_unstable();
            targets.dedup();
            let mut hit = false;
            for target in targets {
                let found = match target {
                    Named::Table(i) => tables.get_mut(i).map(|t| &mut t.findings),
                    Named::Missing(i) => missing.get_mut(i).map(|m| &mut m.findings),
                };
                if let Some(list) = found {
                    list.push(fv.clone());
                    hit = true;
                }
            }
            if !hit {
                for (i, spans) in &table_spans {
                    if spans.iter().any(|s| within(*s, f.span))
                        && let Some(t) = tables.get_mut(*i)
                    {
                        t.findings.push(fv.clone());
                        hit = true;
                    }
                }
            }
            if !hit {
                other_findings.push(fv);
            }
        }
        for t in &mut tables {
            t.findings.sort();
            t.findings.dedup();
        }
        for m in &mut missing {
            m.findings.sort();
            m.findings.dedup();
        }
        other_findings.sort();

        // Which migration created each table, in creation order.
        let mut by_origin: Vec<(usize, Span, QualifiedName)> = catalog
            .tables
            .values()
            .filter_map(|t| {
                Some((
                    *mig_of_file.get(&t.origin.file())?,
                    t.origin,
                    t.name.clone(),
                ))
            })
            .collect();
        by_origin.sort();
        for (m, _, name) in by_origin {
            if let Some(mv) = migrations.get_mut(m) {
                mv.tables.push(name);
            }
        }

        let mut view = DiagramView {
            title: title.to_string(),
            tables,
            missing,
            edges,
            migrations,
            other_findings,
            groups: BTreeMap::new(),
            notes: Vec::new(),
        };
        for (group, globs) in &config.groups {
            let members = match glob_set(globs) {
                Ok(set) => view
                    .tables
                    .iter()
                    .filter(|t| matches(&set, t))
                    .map(|t| t.name.clone())
                    .collect(),
                Err(_) => Vec::new(),
            };
            view.groups.insert(group.clone(), members);
        }
        view
    }

    /// Look a table (or missing table) up.
    #[must_use]
    pub fn table(&self, name: &QualifiedName) -> Option<&TableView> {
        self.tables
            .binary_search_by(|t| t.name.cmp(name))
            .ok()
            .and_then(|i| self.tables.get(i))
    }

    /// `true` when `name` is a missing table of the view.
    #[must_use]
    pub fn is_missing(&self, name: &QualifiedName) -> bool {
        self.missing.binary_search_by(|m| m.name.cmp(name)).is_ok()
    }

    /// Findings of the view by severity: (errors, warnings, infos).
    #[must_use]
    pub fn finding_counts(&self) -> (usize, usize, usize) {
        let all = self
            .tables
            .iter()
            .flat_map(|t| &t.findings)
            .chain(self.missing.iter().flat_map(|m| &m.findings))
            .chain(&self.other_findings);
        let mut seen = BTreeSet::new();
        let (mut e, mut w, mut i) = (0, 0, 0);
        for f in all {
            if !seen.insert(f) {
                continue;
            }
            match f.severity {
                Severity::Error => e += 1,
                Severity::Warning => w += 1,
                Severity::Info => i += 1,
            }
        }
        (e, w, i)
    }

    /// Narrow the view. Tables left out take their edges with them; missing tables stay when
    /// something kept references them (or they match the filter themselves).
    ///
    /// # Errors
    /// An unknown or ambiguous `--focus` table, an invalid glob, an unknown group.
    pub fn filter(mut self, f: &Filter, config: &Config) -> Result<Self, FilterError> {
        let all: Vec<QualifiedName> = self
            .tables
            .iter()
            .map(|t| t.name.clone())
            .chain(self.missing.iter().map(|m| m.name.clone()))
            .collect();
        let mut keep: BTreeSet<QualifiedName> = all.iter().cloned().collect();
        let mut collapsed: BTreeMap<QualifiedName, usize> = BTreeMap::new();
        let mut notes = Vec::new();

        if !f.schemas.is_empty() {
            keep.retain(|n| f.schemas.iter().any(|s| s == n.schema));
            notes.push(format!("schema: {}", f.schemas.join(", ")));
        }
        if !f.include.is_empty() {
            let set = glob_set(&f.include)?;
            keep.retain(|n| name_matches(&set, n));
            notes.push(format!("include: {}", f.include.join(", ")));
        }
        if !f.exclude.is_empty() {
            let set = glob_set(&f.exclude)?;
            keep.retain(|n| !name_matches(&set, n));
            notes.push(format!("exclude: {}", f.exclude.join(", ")));
        }
        if let Some(g) = &f.group {
            let globs = config
                .groups
                .get(g)
                .ok_or_else(|| FilterError::UnknownGroup(g.clone()))?;
            let set = glob_set(globs)?;
            keep.retain(|n| name_matches(&set, n));
            notes.push(format!("group: {g}"));
        }
        if let Some(focus) = &f.focus {
            let start = resolve_table(&all, focus)?;
            // Undirected neighbourhood over the kept names.
            let mut adj: BTreeMap<&QualifiedName, BTreeSet<&QualifiedName>> = BTreeMap::new();
            for e in &self.edges {
                if e.from == e.to || !keep.contains(&e.from) || !keep.contains(&e.to) {
                    continue;
                }
                adj.entry(&e.from).or_default().insert(&e.to);
                adj.entry(&e.to).or_default().insert(&e.from);
            }
            let mut dist: BTreeMap<QualifiedName, usize> = BTreeMap::new();
            let mut queue = VecDeque::new();
            dist.insert(start.clone(), 0);
            queue.push_back(start.clone());
            while let Some(n) = queue.pop_front() {
                let d = dist.get(&n).copied().unwrap_or(0);
                let neighbours = adj.get(&n).map(BTreeSet::len).unwrap_or(0);
                if d > 0 && neighbours > f.hub {
                    // A hub: shown, not expanded.
                    let hidden = adj
                        .get(&n)
                        .map(|s| s.iter().filter(|x| !dist.contains_key(**x)).count())
                        .unwrap_or(0);
                    collapsed.insert(n.clone(), hidden);
                    continue;
                }
                if d >= f.distance {
                    continue;
                }
                if let Some(ns) = adj.get(&n) {
                    for m in ns {
                        if !dist.contains_key(*m) {
                            dist.insert((*m).clone(), d + 1);
                            queue.push_back((*m).clone());
                        }
                    }
                }
            }
            keep.retain(|n| dist.contains_key(n));
            notes.push(format!(
                "focus: {} (distance {}, hubs with more than {} neighbours collapsed)",
                display_name(&start),
                f.distance,
                f.hub
            ));
            // Collapsed hubs whose hidden count is 0 are plain tables.
            collapsed.retain(|_, hidden| *hidden > 0);
        }
        if keep.len() == all.len() && notes.is_empty() {
            return Ok(self);
        }
        // Missing tables referenced by a kept table stay visible (who references them is the
        // point), unless a schema/glob filter removed them on purpose.
        self.tables.retain(|t| keep.contains(&t.name));
        for t in &mut self.tables {
            if let Some(h) = collapsed.get(&t.name) {
                t.collapsed = Some(*h);
            }
        }
        self.missing.retain(|m| keep.contains(&m.name));
        self.edges
            .retain(|e| keep.contains(&e.from) && keep.contains(&e.to));
        for m in &mut self.migrations {
            m.tables.retain(|n| keep.contains(n));
            m.relations_after.retain(|n| keep.contains(n));
        }
        for members in self.groups.values_mut() {
            members.retain(|n| keep.contains(n));
        }
        self.notes = notes;
        Ok(self)
    }
}

fn sort_edges(edges: &mut [Relationship]) {
    edges.sort_by(|a, b| {
        (&a.from, &a.to, a.kind, &a.label, &a.place)
            .cmp(&(&b.from, &b.to, b.kind, &b.label, &b.place))
    });
}

fn glob_set(globs: &[String]) -> Result<globset::GlobSet, FilterError> {
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(false)
            .build()
            .map_err(|e| FilterError::BadGlob(g.clone(), e.to_string()))?;
        b.add(glob);
    }
    b.build()
        .map_err(|e| FilterError::BadGlob(globs.join(", "), e.to_string()))
}

fn name_matches(set: &globset::GlobSet, n: &QualifiedName) -> bool {
    set.is_match(display_name(n)) || set.is_match(&n.name)
}

fn matches(set: &globset::GlobSet, t: &TableView) -> bool {
    name_matches(set, &t.name)
}

/// `schema.table` or a bare table name (unique across schemas).
fn resolve_table(all: &[QualifiedName], wanted: &str) -> Result<QualifiedName, FilterError> {
    if let Some(n) = all.iter().find(|n| display_name(n) == wanted) {
        return Ok(n.clone());
    }
    let bare: Vec<&QualifiedName> = all.iter().filter(|n| n.name == wanted).collect();
    match bare.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(FilterError::UnknownTable(wanted.to_string())),
        many => Err(FilterError::AmbiguousTable(
            wanted.to_string(),
            many.iter()
                .map(|n| display_name(n))
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// A table or missing relation of the view a finding's fingerprint names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Named {
    Table(usize),
    Missing(usize),
}
