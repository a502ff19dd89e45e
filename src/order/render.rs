//! Stage 6 (order output): the plan as human text (read like a hand-written "correct order
//! should be"), as versioned JSON for tools, and as a Mermaid flowchart of the migration
//! dependency graph. Writers take `&mut dyn Write`; the order of everything is the plan's.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use serde::Serialize;

use super::{Plan, Step, ViolationKind, naming};
use crate::Analysis;
use crate::span::{FileId, Span};

/// Version of the JSON document (`"version"`); bumped on incompatible changes.
pub const JSON_VERSION: u32 = 1;

fn place(a: &Analysis, span: Span) -> String {
    match a.project.file(span.file()) {
        Some(f) => format!("{}:{}", f.display, f.lines.line_of(span.start())),
        None => "?".into(),
    }
}

fn display(a: &Analysis, f: FileId) -> &str {
    a.project.file(f).map_or("?", |x| x.display.as_str())
}

/// Short label of a file: its version, else its name.
fn short(a: &Analysis, f: FileId) -> String {
    a.project.file(f).map_or_else(
        || "?".into(),
        |x| {
            x.version.as_ref().map_or_else(
                || naming::split_path(&x.display).1.to_owned(),
                |v| v.raw.clone(),
            )
        },
    )
}

/// The label of each step in the plan (its planned version, else its file name).
fn step_labels(plan: &Plan, a: &Analysis) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| match s {
            Step::File {
                version: Some(v), ..
            } => v.clone(),
            Step::File { file, .. } => short(a, *file),
            Step::New { version, path, .. } => format!(
                "new {}",
                version
                    .clone()
                    .unwrap_or_else(|| naming::split_path(path).1.to_owned())
            ),
        })
        .collect()
}

/// For each step: the labels of the steps it needs, with the relations it needs from each.
fn needs_detail(plan: &Plan, a: &Analysis) -> Vec<Vec<(String, BTreeSet<String>)>> {
    let labels = step_labels(plan, a);
    let pos: BTreeMap<FileId, usize> = plan
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            Step::File { file, .. } => Some((*file, i)),
            Step::New { .. } => None,
        })
        .collect();
    let new_pos = plan.new_migration().map(|n| n.0);
    plan.steps
        .iter()
        .map(|s| {
            let Step::File { file, .. } = s else {
                return Vec::new();
            };
            let mut by: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
            for d in plan.deps.iter().filter(|d| d.after == *file) {
                if let Some(p) = pos.get(&d.before) {
                    by.entry(*p).or_default().insert(d.relation.clone());
                }
            }
            if let Some(n) = new_pos {
                for m in &plan.missing {
                    if m.used_at.iter().any(|u| u.0.file() == *file) {
                        by.entry(n).or_default().insert(m.name.to_string());
                    }
                }
            }
            by.into_iter()
                .filter_map(|(i, rels)| Some((labels.get(i)?.clone(), rels)))
                .collect()
        })
        .collect()
}

/// Up to `n` names, then how many more.
fn some_of(names: &BTreeSet<String>, n: usize) -> String {
    let mut v: Vec<&str> = names.iter().map(String::as_str).take(n).collect();
    let more = names.len().saturating_sub(n);
    let extra = format!("+{more} more");
    if more > 0 {
        v.push(&extra);
    }
    v.join(", ")
}

/// For each step: the labels of the steps it needs.
fn needs(plan: &Plan, a: &Analysis) -> Vec<Vec<String>> {
    needs_detail(plan, a)
        .into_iter()
        .map(|v| v.into_iter().map(|(label, _)| label).collect())
        .collect()
}

fn failing_files(a: &Analysis) -> BTreeSet<FileId> {
    a.model
        .statements
        .iter()
        .filter(|s| s.failed)
        .map(|s| s.file)
        .collect()
}

/// `001 -> 002 -> new 003 (create the missing tables) -> 004 -> 005 (the current multi-db 003)`.
#[must_use]
pub fn proposed_line(plan: &Plan, a: &Analysis) -> String {
    let labels = step_labels(plan, a);
    plan.steps
        .iter()
        .zip(labels)
        .map(|(s, label)| match s {
            Step::New { .. } => format!("{label} (create the missing tables)"),
            Step::File { file, path, .. } => {
                let Some(src) = a.project.file(*file) else {
                    return label;
                };
                let was = short(a, *file);
                if plan.outside.contains(file) {
                    let (dir, _) = naming::split_path(&src.display);
                    let dir = naming::split_path(dir).1;
                    format!("{label} (the current {dir} {was})")
                } else if *path != src.display {
                    format!("{label} (the current {was})")
                } else {
                    label
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Today's order: `001 -> 002 -> 003 (outside the main path) -> 004 (fails)`.
#[must_use]
pub fn current_line(plan: &Plan, a: &Analysis) -> String {
    let failing = failing_files(a);
    plan.current
        .iter()
        .map(|f| {
            let mut notes = Vec::new();
            if plan.outside.contains(f) {
                notes.push("outside the main path");
            }
            if failing.contains(f) {
                notes.push("fails");
            }
            if notes.is_empty() {
                short(a, *f)
            } else {
                format!("{} ({})", short(a, *f), notes.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn violation_text(kind: ViolationKind, object: &str, other: Option<String>) -> String {
    match (kind, other) {
        (ViolationKind::UsedBeforeCreated, Some(o)) => {
            format!("uses {object} before it is created (at {o})")
        }
        (ViolationKind::CreateFails, Some(o)) => {
            format!("uses {object}, whose CREATE at {o} fails")
        }
        (ViolationKind::UsedAfterDrop, Some(o)) => {
            format!("uses {object} after it is dropped (at {o})")
        }
        (ViolationKind::UsedAfterRename, Some(o)) => {
            format!("uses {object} after it is renamed (at {o})")
        }
        _ => format!("uses {object}, which no migration creates"),
    }
}

/// The human report. `inputs` is how the user named the project (for the scaffold command).
///
/// # Errors
/// Write errors.
pub fn human(out: &mut dyn Write, plan: &Plan, a: &Analysis, inputs: &str) -> io::Result<()> {
    writeln!(
        out,
        "Migration order ({} forward migrations)",
        plan.current.len()
    )?;
    writeln!(out)?;
    writeln!(out, "Current order:")?;
    writeln!(out, "  {}", current_line(plan, a))?;
    writeln!(out)?;

    let mut problems = 0;
    let mut section = |out: &mut dyn Write, title: &str| -> io::Result<()> {
        if problems == 0 {
            writeln!(out, "What breaks:")?;
        }
        problems += 1;
        writeln!(out, "  {title}")
    };
    for v in &plan.violations {
        let other = v.other.map(|s| place(a, s));
        section(
            out,
            &format!(
                "{}  {}",
                place(a, v.at),
                violation_text(v.kind, &v.object, other)
            ),
        )?;
    }
    for f in &plan.outside {
        section(
            out,
            &format!(
                "{}  is outside the main path ({})",
                display(a, *f),
                if plan.convention.dir.is_empty() {
                    "."
                } else {
                    &plan.convention.dir
                }
            ),
        )?;
    }
    for d in &plan.duplicates {
        let files: Vec<&str> = d.files.iter().map(|f| display(a, *f)).collect();
        section(
            out,
            &format!(
                "version {} is used by {} files: {}",
                d.version,
                files.len(),
                files.join(", ")
            ),
        )?;
    }
    for c in &plan.cycles {
        let names: Vec<String> = c.tables.iter().map(ToString::to_string).collect();
        let status = match (&c.suggestion, c.broken_at) {
            (Some(b), _) => format!(
                "no order can create them: create {} without its foreign key to {} ({}), then run:\n      {}",
                b.table,
                b.target,
                place(a, b.create_at),
                b.sql
            ),
            (None, Some(at)) => format!("already broken by ALTER TABLE at {}", place(a, at)),
            (None, None) => "present in the final schema".into(),
        };
        section(
            out,
            &format!("foreign-key cycle {}: {status}", names.join(" -> ")),
        )?;
    }
    if problems == 0 {
        writeln!(
            out,
            "Nothing breaks because of the order: every migration only uses what earlier ones create."
        )?;
    }
    writeln!(out)?;

    writeln!(out, "Proposed order:")?;
    writeln!(out, "  {}", proposed_line(plan, a))?;
    writeln!(out)?;
    let labels = step_labels(plan, a);
    let needs: Vec<Vec<String>> = needs_detail(plan, a)
        .into_iter()
        .map(|v| {
            v.into_iter()
                .map(|(label, rels)| format!("{label} ({})", some_of(&rels, 3)))
                .collect()
        })
        .collect();
    let width = labels.iter().map(String::len).max().unwrap_or(0);
    let pwidth = plan
        .steps
        .iter()
        .map(|s| match s {
            Step::File { path, .. } | Step::New { path, .. } => path.len(),
        })
        .max()
        .unwrap_or(0);
    for ((s, label), need) in plan.steps.iter().zip(&labels).zip(&needs) {
        let (path, mut notes) = match s {
            Step::New { path, creates, .. } => {
                let names: Vec<String> = creates.iter().map(ToString::to_string).collect();
                (
                    path.as_str(),
                    vec![format!("NEW: must create {}", names.join(", "))],
                )
            }
            Step::File { file, path, .. } => {
                let mut n = Vec::new();
                if *path != display(a, *file) {
                    n.push(format!("now {}", display(a, *file)));
                }
                (path.as_str(), n)
            }
        };
        if !need.is_empty() {
            notes.push(format!("needs {}", need.join(", ")));
        }
        let line = format!("  {label:<width$}  {path:<pwidth$}  {}", notes.join("; "));
        writeln!(out, "{}", line.trim_end())?;
    }
    if let Some((i, _, path, creates)) = plan.new_migration() {
        writeln!(out)?;
        let prev = i.checked_sub(1).and_then(|p| labels.get(p));
        let next = labels.get(i + 1);
        let names: Vec<String> = creates.iter().map(ToString::to_string).collect();
        let place_text = match (prev, next) {
            (Some(p), Some(n)) => format!("between {p} and {n}"),
            (None, Some(n)) => format!("before {n}"),
            (Some(p), None) => format!("after {p}"),
            (None, None) => String::new(),
        };
        writeln!(
            out,
            "A new migration {place_text} must create {}:",
            names.join(", ")
        )?;
        for m in &plan.missing {
            let uses: Vec<String> = m.used_at.iter().map(|u| place(a, u.0)).collect();
            writeln!(out, "  {}  needed at {}", m.name, uses.join(", "))?;
        }
        writeln!(
            out,
            "  draft it with: ogel-schema scaffold {inputs} -o {path}"
        )?;
    }
    if !plan.renames.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Renames to run yourself (ogel-schema changes no file; a renamed migration that was \
             already applied somewhere is a new migration to your migration tool):"
        )?;
        for r in &plan.renames {
            writeln!(out, "  git mv {} {}", r.from, r.to)?;
        }
        for d in &plan.emptied {
            writeln!(
                out,
                "  then remove {d} from `migrations` in ogel-schema.toml (no migration is left in it)"
            )?;
        }
    }
    if !plan.remaining.is_empty() {
        writeln!(out)?;
        if plan.missing.is_empty() {
            writeln!(out, "Still failing in the proposed order:")?;
        } else {
            writeln!(
                out,
                "Still failing in the proposed order (besides the missing relations above):"
            )?;
        }
        for r in &plan.remaining {
            writeln!(out, "  {}  {}", place(a, r.at), r.message)?;
        }
    }
    if !plan.changes_anything() && plan.remaining.is_empty() {
        writeln!(out)?;
        writeln!(out, "The current order is fine.")?;
    }
    Ok(())
}

// ----- JSON ----------------------------------------------------------------------------------

#[derive(Serialize)]
struct Loc {
    file: String,
    line: usize,
}

fn loc(a: &Analysis, span: Span) -> Loc {
    Loc {
        file: display(a, span.file()).to_owned(),
        line: a
            .project
            .file(span.file())
            .map_or(0, |f| f.lines.line_of(span.start())),
    }
}

#[derive(Serialize)]
struct Doc {
    version: u32,
    current: Vec<CurrentFile>,
    proposed: Vec<ProposedStep>,
    changes: bool,
    violations: Vec<JViolation>,
    cycles: Vec<JCycle>,
    duplicates: Vec<JDuplicate>,
    outside_main_path: Vec<String>,
    missing: Vec<JMissing>,
    renames: Vec<JRename>,
    /// Directories left without migrations by the renames (drop them from the config).
    emptied_directories: Vec<String>,
    remaining: Vec<JRemaining>,
    dependencies: Vec<JDep>,
}

#[derive(Serialize)]
struct CurrentFile {
    file: String,
    version: Option<String>,
    outside_main_path: bool,
    fails: bool,
}

#[derive(Serialize)]
struct ProposedStep {
    label: String,
    file: String,
    /// Today's path, when the file must be renamed or moved.
    was: Option<String>,
    version: Option<String>,
    new: bool,
    creates: Vec<String>,
    needs: Vec<String>,
}

#[derive(Serialize)]
struct JViolation {
    kind: ViolationKind,
    object: String,
    at: Loc,
    other: Option<Loc>,
}

#[derive(Serialize)]
struct JCycle {
    tables: Vec<String>,
    broken_at: Option<Loc>,
    #[serde(rename = "break")]
    suggestion: Option<JBreak>,
}

#[derive(Serialize)]
struct JBreak {
    table: String,
    target: String,
    create_at: Loc,
    sql: String,
}

#[derive(Serialize)]
struct JDuplicate {
    version: String,
    files: Vec<String>,
}

#[derive(Serialize)]
struct JMissing {
    name: String,
    first_needed_by: String,
    used_at: Vec<JUse>,
}

#[derive(Serialize)]
struct JUse {
    file: String,
    line: usize,
    context: crate::model::RefContext,
}

#[derive(Serialize)]
struct JRename {
    from: String,
    to: String,
    command: String,
}

#[derive(Serialize)]
struct JRemaining {
    at: Loc,
    message: String,
}

#[derive(Serialize)]
struct JDep {
    before: String,
    after: String,
    kinds: BTreeSet<super::deps::DepKind>,
    objects: BTreeSet<String>,
}

/// The versioned JSON document.
///
/// # Errors
/// Write errors.
pub fn json(out: &mut dyn Write, plan: &Plan, a: &Analysis) -> io::Result<()> {
    let failing = failing_files(a);
    let labels = step_labels(plan, a);
    let needs = needs(plan, a);
    let mut deps: BTreeMap<(usize, usize), JDep> = BTreeMap::new();
    let order_of = |f: FileId| {
        plan.current
            .iter()
            .position(|x| *x == f)
            .unwrap_or(usize::MAX)
    };
    for d in &plan.deps {
        let e = deps
            .entry((order_of(d.before), order_of(d.after)))
            .or_insert_with(|| JDep {
                before: display(a, d.before).to_owned(),
                after: display(a, d.after).to_owned(),
                kinds: BTreeSet::new(),
                objects: BTreeSet::new(),
            });
        e.kinds.insert(d.kind);
        e.objects.insert(d.object.clone());
    }
    let doc = Doc {
        version: JSON_VERSION,
        current: plan
            .current
            .iter()
            .map(|f| CurrentFile {
                file: display(a, *f).to_owned(),
                version: a
                    .project
                    .file(*f)
                    .and_then(|x| x.version.as_ref().map(|v| v.raw.clone())),
                outside_main_path: plan.outside.contains(f),
                fails: failing.contains(f),
            })
            .collect(),
        proposed: plan
            .steps
            .iter()
            .zip(labels)
            .zip(needs)
            .map(|((s, label), needs)| match s {
                Step::File {
                    file,
                    version,
                    path,
                } => ProposedStep {
                    label,
                    file: path.clone(),
                    was: (path != display(a, *file)).then(|| display(a, *file).to_owned()),
                    version: version.clone(),
                    new: false,
                    creates: Vec::new(),
                    needs,
                },
                Step::New {
                    version,
                    path,
                    creates,
                } => ProposedStep {
                    label,
                    file: path.clone(),
                    was: None,
                    version: version.clone(),
                    new: true,
                    creates: creates.iter().map(ToString::to_string).collect(),
                    needs,
                },
            })
            .collect(),
        changes: plan.changes_anything(),
        violations: plan
            .violations
            .iter()
            .map(|v| JViolation {
                kind: v.kind,
                object: v.object.clone(),
                at: loc(a, v.at),
                other: v.other.map(|o| loc(a, o)),
            })
            .collect(),
        cycles: plan
            .cycles
            .iter()
            .map(|c| JCycle {
                tables: c.tables.iter().map(ToString::to_string).collect(),
                broken_at: c.broken_at.map(|s| loc(a, s)),
                suggestion: c.suggestion.as_ref().map(|b| JBreak {
                    table: b.table.to_string(),
                    target: b.target.to_string(),
                    create_at: loc(a, b.create_at),
                    sql: b.sql.clone(),
                }),
            })
            .collect(),
        duplicates: plan
            .duplicates
            .iter()
            .map(|d| JDuplicate {
                version: d.version.clone(),
                files: d.files.iter().map(|f| display(a, *f).to_owned()).collect(),
            })
            .collect(),
        outside_main_path: plan
            .outside
            .iter()
            .map(|f| display(a, *f).to_owned())
            .collect(),
        missing: plan
            .missing
            .iter()
            .map(|m| JMissing {
                name: m.name.to_string(),
                first_needed_by: display(a, m.first_file).to_owned(),
                used_at: m
                    .used_at
                    .iter()
                    .map(|(s, c)| JUse {
                        file: display(a, s.file()).to_owned(),
                        line: loc(a, *s).line,
                        context: *c,
                    })
                    .collect(),
            })
            .collect(),
        renames: plan
            .renames
            .iter()
            .map(|r| JRename {
                from: r.from.clone(),
                to: r.to.clone(),
                command: format!("git mv {} {}", r.from, r.to),
            })
            .collect(),
        emptied_directories: plan.emptied.clone(),
        remaining: plan
            .remaining
            .iter()
            .map(|r| JRemaining {
                at: loc(a, r.at),
                message: r.message.clone(),
            })
            .collect(),
        dependencies: deps.into_values().collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

// ----- Mermaid -------------------------------------------------------------------------------

/// Text for a quoted Mermaid label: `"` and the characters Mermaid treats specially become
/// entity codes.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The migration dependency graph in the proposed order (`flowchart LR`): an arrow from the
/// migration that creates something to the one that needs it; the new migration dashed.
///
/// # Errors
/// Write errors.
pub fn mermaid(out: &mut dyn Write, plan: &Plan, a: &Analysis) -> io::Result<()> {
    let labels = step_labels(plan, a);
    writeln!(out, "flowchart LR")?;
    let mut ids: BTreeMap<FileId, String> = BTreeMap::new();
    let mut new_id = None;
    for (i, (s, label)) in plan.steps.iter().zip(&labels).enumerate() {
        let id = format!("m{i}");
        let name = match s {
            Step::File { path, .. } | Step::New { path, .. } => naming::split_path(path).1,
        };
        match s {
            Step::File { file, .. } => {
                ids.insert(*file, id.clone());
                writeln!(
                    out,
                    "    {id}[\"{}\"]",
                    mermaid_text(&format!("{label} {name}"))
                )?;
            }
            Step::New { creates, .. } => {
                let names: Vec<String> = creates.iter().map(ToString::to_string).collect();
                writeln!(
                    out,
                    "    {id}[\"{}\"]",
                    mermaid_text(&format!("{label} {name}: {}", names.join(", ")))
                )?;
                new_id = Some(id);
            }
        }
    }
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for d in &plan.deps {
        if let (Some(x), Some(y)) = (ids.get(&d.before), ids.get(&d.after)) {
            edges
                .entry((x.clone(), y.clone()))
                .or_default()
                .insert(d.relation.clone());
        }
    }
    let mut edge_list: Vec<(&(String, String), &BTreeSet<String>)> = edges.iter().collect();
    edge_list.sort_by_key(|((x, y), _)| {
        (
            x.trim_start_matches('m').parse::<usize>().unwrap_or(0),
            y.trim_start_matches('m').parse::<usize>().unwrap_or(0),
        )
    });
    for ((x, y), objects) in edge_list {
        let label = some_of(objects, 2);
        writeln!(out, "    {x} -->|\"{}\"| {y}", mermaid_text(&label))?;
    }
    if let Some(n) = &new_id {
        let mut targets: BTreeSet<&String> = BTreeSet::new();
        for m in &plan.missing {
            for (s, _) in &m.used_at {
                if let Some(id) = ids.get(&s.file()) {
                    targets.insert(id);
                }
            }
        }
        for t in targets {
            writeln!(out, "    {n} -.->|\"missing\"| {t}")?;
        }
        writeln!(out, "    classDef new stroke-dasharray: 5 5")?;
        writeln!(out, "    class {n} new")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::mermaid_text;

    #[test]
    fn mermaid_labels_escape_what_breaks_a_quoted_label() {
        assert_eq!(
            mermaid_text("a\"b#c<d>&e|f`g\nh"),
            "a#quot;b#35;c#lt;d#gt;#amp;e#124;f#96;g h"
        );
    }
}
