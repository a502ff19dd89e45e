//! Stage 3 (model), human side: `ogel-schema model --format text`, a readable summary of
//! the replayed schema with each table's origin.

use std::io::{self, Write};

use crate::Analysis;

/// Write the summary.
///
/// # Errors
/// When `out` fails.
pub fn write(out: &mut dyn Write, analysis: &Analysis) -> io::Result<()> {
    let project = &analysis.project;
    let model = &analysis.model;
    let applied = project.files.iter().filter(|f| f.is_applied()).count();
    let tables = model
        .catalog
        .tables
        .values()
        .filter(|t| !t.kind.is_view())
        .count();
    let views = model.catalog.tables.len() - tables;
    writeln!(
        out,
        "{applied} migration(s) applied, {} not applied; {tables} table(s), {views} view(s), {} type(s)",
        project.files.len() - applied,
        model.catalog.types.len()
    )?;
    writeln!(out)?;
    writeln!(out, "Migrations:")?;
    for f in &project.files {
        writeln!(
            out,
            "  {:<16} {:<10} {}  ({})",
            f.version.as_ref().map_or("-", |v| v.raw.as_str()),
            format!("{:?}", f.kind).to_lowercase(),
            f.display,
            f.reason
        )?;
    }
    for t in model.catalog.tables.values() {
        writeln!(out)?;
        let origin = project
            .files
            .get(t.origin.file())
            .map(|f| format!("{}:{}", f.display, f.lines.line_of(t.origin.start())))
            .unwrap_or_default();
        writeln!(out, "{} ({})  {origin}", t.name, t.kind.as_str())?;
        let w = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let tw = t
            .columns
            .iter()
            .map(|c| c.data_type.len())
            .max()
            .unwrap_or(0);
        for c in &t.columns {
            let mut marks = Vec::new();
            if t.primary_key
                .as_ref()
                .is_some_and(|k| k.columns.contains(&c.name))
            {
                marks.push("PK".to_string());
            }
            if t.foreign_keys.iter().any(|f| f.columns.contains(&c.name)) {
                marks.push("FK".to_string());
            }
            if t.uniques
                .iter()
                .any(|k| k.columns.len() == 1 && k.columns.contains(&c.name))
            {
                marks.push("UNIQUE".to_string());
            }
            writeln!(
                out,
                "  {:<w$}  {:<tw$}  {:<8}  {}{}",
                c.name,
                c.data_type,
                if c.nullable { "null" } else { "not null" },
                marks.join(","),
                c.default
                    .as_ref()
                    .map(|d| format!("  default {d}"))
                    .unwrap_or_default()
            )?;
        }
        for fk in &t.foreign_keys {
            writeln!(
                out,
                "  FK {} ({}) -> {} ({}) ON DELETE {}",
                fk.name,
                fk.columns.join(", "),
                fk.target,
                fk.target_columns.join(", "),
                fk.on_delete
            )?;
        }
        for u in &t.uniques {
            writeln!(out, "  UNIQUE {} ({})", u.name, u.columns.join(", "))?;
        }
        for i in model.catalog.indexes_on(&t.name).filter(|i| !i.constraint) {
            let cols: Vec<&str> = i
                .columns
                .iter()
                .map(|c| c.as_deref().unwrap_or("<expr>"))
                .collect();
            writeln!(
                out,
                "  {}INDEX {} ({})",
                if i.unique { "UNIQUE " } else { "" },
                i.name,
                cols.join(", ")
            )?;
        }
        for tr in &t.triggers {
            let function = tr.function.as_ref().map_or_else(
                || "(not created by the migrations)".to_owned(),
                |f| format!("{f}()"),
            );
            writeln!(out, "  TRIGGER {} -> {function}", tr.name)?;
        }
    }
    let functions: Vec<String> = model
        .catalog
        .functions
        .iter()
        .flat_map(|(qn, overloads)| {
            overloads
                .iter()
                .map(move |f| format!("  {qn}({})", f.display_args()))
        })
        .collect();
    if !functions.is_empty() {
        writeln!(out)?;
        writeln!(out, "Functions:")?;
        for f in functions {
            writeln!(out, "{f}")?;
        }
    }
    let unresolved: Vec<_> = model
        .problems
        .iter()
        .filter(|p| p.kind.is_error())
        .collect();
    if !unresolved.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{} statement problem(s) PostgreSQL would reject; run `ogel-schema check` for details.",
            unresolved.len()
        )?;
    }
    Ok(())
}
