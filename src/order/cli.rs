//! CLI layer for `ogel-schema order` and `ogel-schema scaffold`: clap argument structs (their
//! doc comments are the `--help`), and the run functions. The only place of the order module
//! that writes a file (`scaffold -o`, atomically, never over an existing file without --force).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::cli::{CliError, EXIT_CLEAN, EXIT_ERROR, InputArgs, resolve};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderFormat {
    Human,
    Json,
    Mermaid,
}

// `ogel-schema order`: the order the migrations must run in, and what to rename or write so
// they do. Changes no file.
#[derive(Debug, Args)]
pub struct OrderArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format: human (default), json (versioned, for tools) or mermaid (the migration
    /// dependency graph as a `flowchart LR`). Example: `--format mermaid > order.mmd`
    #[arg(long, value_enum, default_value_t = OrderFormat::Human)]
    pub format: OrderFormat,
}

// `ogel-schema scaffold`: draft the migration that creates every relation the migrations use
// but none creates, with columns and types inferred from how they are used.
#[derive(Debug, Args)]
pub struct ScaffoldArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the migration to FILE instead of stdout (refuses to overwrite without --force).
    /// `ogel-schema order` suggests the name. Example: `-o migrations/003_create_missing_tables.sql`
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Overwrite FILE if it exists. Example: `-o new.sql --force`
    #[arg(long)]
    pub force: bool,

    /// Also create tables that columns only imply (`subscriptions.plan_id` with no
    /// `billing_plans` table anywhere). Example: `--include-implied`
    #[arg(long)]
    pub include_implied: bool,
}

fn inputs_text(input: &InputArgs) -> String {
    if input.paths.is_empty() {
        return String::new();
    }
    input
        .paths
        .iter()
        .map(|p| p.display().to_string().replace('\\', "/"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Resolve the inputs, analyse them keeping each statement's IR (the planner reads it again)
/// and plan the order.
fn planned(
    input: &InputArgs,
    cwd: &Path,
) -> Result<(crate::cli::Resolved, &'static crate::Analysis, super::Plan), CliError> {
    let mut resolved = resolve(input, cwd)?;
    resolved.settings.retain = crate::model::Retain::Ir;
    let analysis = crate::cli::analyze_for_exit(&resolved.settings)?;
    let plan = super::plan(analysis, &resolved.settings);
    Ok((resolved, analysis, plan))
}

/// Run `ogel-schema order`. Exit code 0 (the plan was printed; its content is not a failure).
///
/// # Errors
/// Bad arguments, no migrations, write errors.
pub fn run_order(
    args: &OrderArgs,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    let (_, analysis, plan) = planned(&args.input, cwd)?;
    match args.format {
        OrderFormat::Human => {
            super::render::human(out, &plan, analysis, &inputs_text(&args.input))?
        }
        OrderFormat::Json => super::render::json(out, &plan, analysis)?,
        OrderFormat::Mermaid => super::render::mermaid(out, &plan, analysis)?,
    }
    let _ = err;
    Ok(EXIT_CLEAN)
}

/// Run `ogel-schema scaffold`. Exit code 0; 2 when `-o FILE` exists without `--force`.
///
/// # Errors
/// Bad arguments, no migrations, write errors.
pub fn run_scaffold(
    args: &ScaffoldArgs,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    let (resolved, analysis, plan) = planned(&args.input, cwd)?;
    let opts = super::scaffold::Options {
        include_implied: args.include_implied,
        external_prefixes: resolved.config.options.external_id_prefixes.clone(),
    };
    let Some(draft) = super::scaffold::scaffold(&plan, &opts) else {
        writeln!(
            err,
            "ogel-schema: nothing to scaffold: every relation the migrations use is created by one of them"
        )?;
        return Ok(EXIT_CLEAN);
    };
    // Check the draft offline: replay the plan with it inserted.
    let check = super::simulate::replay(
        analysis,
        &resolved.settings,
        &plan.entries_with(Some(&draft.sql)),
    );
    let still: Vec<String> = check
        .analysis
        .model
        .problems
        .iter()
        .filter_map(|p| match &p.kind {
            crate::model::ProblemKind::MissingRelation { name, .. } => Some(name.to_string()),
            _ => None,
        })
        .collect();
    match &args.output {
        None => out.write_all(draft.sql.as_bytes())?,
        Some(path) => {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                cwd.join(path)
            };
            if path.exists() && !args.force {
                writeln!(
                    err,
                    "ogel-schema: {} exists; pass --force to overwrite it",
                    path.display()
                )?;
                return Ok(EXIT_ERROR);
            }
            write_atomic(&path, draft.sql.as_bytes())?;
            writeln!(err, "ogel-schema: wrote {}", path.display())?;
        }
    }
    let created: Vec<String> = draft.tables.iter().map(ToString::to_string).collect();
    writeln!(
        err,
        "ogel-schema: drafted {} relation(s): {}; suggested file: {}",
        created.len(),
        created.join(", "),
        draft.path
    )?;
    for r in &plan.renames {
        writeln!(err, "ogel-schema: then run: git mv {} {}", r.from, r.to)?;
    }
    for d in &plan.emptied {
        writeln!(
            err,
            "ogel-schema: then remove {d} from `migrations` in ogel-schema.toml (no migration is left in it)"
        )?;
    }
    if !still.is_empty() {
        writeln!(
            err,
            "ogel-schema: replayed with this draft, still missing: {}",
            still.join(", ")
        )?;
    }
    Ok(EXIT_CLEAN)
}

/// Write through a temporary file in the same directory, then rename over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "scaffold".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
