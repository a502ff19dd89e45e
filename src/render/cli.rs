//! CLI layer for stage 6: `ogel-schema diagram` — arguments (their doc comments are the
//! `--help`), running the pipeline, building and filtering the [`DiagramView`], writing the
//! output atomically or comparing it with a committed file (`--check`).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::ascii::{AsciiOptions, Charset};
use super::view::{DiagramView, Filter};
use super::{Detail, Format, RenderOptions};
use crate::cli::{CliError, EXIT_CLEAN, EXIT_FINDINGS, InputArgs};

// Arguments of `ogel-schema diagram`.
#[derive(Debug, Args)]
pub struct DiagramArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format: markdown (Mermaid fences + findings + migration order), mermaid, ascii
    /// (terminal / PR comment map), html (one self-contained interactive page), dot, json.
    /// Example: `--format html -o schema.html`
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    /// Write to FILE (atomically: a temporary file renamed into place) instead of stdout.
    /// Example: `-o docs/schema.md`
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Compare FILE with what would be generated now: exit 0 when equal, 1 with a unified diff
    /// when stale. Example: `--check docs/schema.md`
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub check: Option<PathBuf>,

    /// Columns to show (Mermaid degrades further by itself to stay under GitHub's limit).
    /// Example: `--detail keys`
    #[arg(long, value_enum, default_value_t = Detail::All)]
    pub detail: Detail,

    /// ascii: maximum line width in terminal columns; no line is wider (minimum 40).
    /// Example: `--width 80`
    #[arg(long, default_value_t = 100, value_name = "COLUMNS")]
    pub width: usize,

    /// ascii: box drawing with Unicode and emoji, or plain ASCII and status words.
    /// Example: `--charset ascii`
    #[arg(long, value_enum, default_value_t = Charset::Unicode)]
    pub charset: Charset,

    /// Show only the neighbourhood of this table (`schema.table` or a unique table name).
    /// Example: `--focus platform.projects --distance 2`
    #[arg(long, value_name = "TABLE")]
    pub focus: Option<String>,

    /// With --focus: how many relationships away to go. Example: `--distance 2`
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub distance: usize,

    /// With --focus: a table with more than K neighbours is shown collapsed and not expanded
    /// through. Example: `--hub 20`
    #[arg(long, default_value_t = 12, value_name = "K")]
    pub hub: usize,

    /// Only tables of this schema (repeatable). Example: `--schema billing`
    #[arg(long, value_name = "SCHEMA")]
    pub schema: Vec<String>,

    /// Only tables matching a glob on `schema.table` or `table` (repeatable).
    /// Example: `--include 'platform.invoice*'`
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Leave out tables matching a glob (repeatable). Example: `--exclude '*_archive'`
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Only the tables of a group from `[groups]` in ogel-schema.toml.
    /// Example: `--group billing`
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,

    /// Title of the map (default: the project directory's name). Example: `--title OgelBase`
    #[arg(long)]
    pub title: Option<String>,

    /// Also read the SQL embedded in this application source directory (repeatable; adds to
    /// `app = [...]` in ogel-schema.toml): tables only the application uses appear as MISSING,
    /// "used by GET /api/...". Example: `--app apps/studio`
    #[arg(long, value_name = "DIR")]
    pub app: Vec<PathBuf>,
}

fn default_title(input: &InputArgs, config_dir: &Path, cwd: &Path) -> String {
    let name_of = |p: &Path| {
        let p = if p.as_os_str().is_empty() || p == Path::new(".") {
            cwd.to_path_buf()
        } else {
            cwd.join(p)
        };
        let mut name = p.file_name().map(|s| s.to_string_lossy().into_owned());
        if name.as_deref() == Some("migrations")
            && let Some(parent) = p.parent().and_then(Path::file_name)
        {
            name = Some(parent.to_string_lossy().into_owned());
        }
        name
    };
    let from_config = (!config_dir.as_os_str().is_empty())
        .then(|| name_of(config_dir))
        .flatten();
    from_config
        .or_else(|| input.paths.first().and_then(|p| name_of(p)))
        .or_else(|| name_of(cwd))
        .unwrap_or_else(|| "schema".to_string())
}

/// Build the view for these arguments.
///
/// # Errors
/// Discovery, configuration and filter errors.
pub fn view(args: &DiagramArgs, cwd: &Path) -> Result<DiagramView, CliError> {
    let resolved = crate::cli::resolve(&args.input, cwd)?;
    let analysis = crate::cli::analyze_with_app(&resolved, &args.app, cwd)?;
    // The rules' context builds the schema graph once; the view reads the same one.
    let rules = crate::rules::Context::new(&analysis, &resolved.config);
    let findings = crate::rules::run_in(&rules);
    let graph = rules.graph();
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| default_title(&args.input, &resolved.config.dir, cwd));
    let history = matches!(args.format, Format::Json | Format::Html);
    let view = DiagramView::build(
        &analysis,
        graph,
        &findings,
        &resolved.config,
        &title,
        history,
    );
    let filter = Filter {
        focus: args.focus.clone(),
        distance: args.distance,
        hub: args.hub,
        schemas: args.schema.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        group: args.group.clone(),
    };
    view.filter(&filter, &resolved.config)
        .map_err(|e| CliError::Diagram(e.into()))
}

/// Write `bytes` to `path` through a temporary file in the same directory.
///
/// # Errors
/// I/O errors; the temporary file is removed on failure.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "diagram".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Run `ogel-schema diagram`.
///
/// # Errors
/// Discovery, configuration, filter and I/O errors.
pub fn run(
    args: &DiagramArgs,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    let view = view(args, cwd)?;
    let opts = RenderOptions {
        detail: args.detail,
        ascii: AsciiOptions {
            width: args.width,
            charset: args.charset,
        },
    };
    let text = if matches!(args.format, Format::Mermaid | Format::Markdown) {
        // Split once: the writer and the notice below share the blocks.
        let blocks = super::mermaid::blocks(&view, args.detail);
        if blocks.len() > 1 {
            writeln!(
                err,
                "ogel-schema: the diagram is over {} characters; split into {} Mermaid blocks",
                super::mermaid::MAX_BLOCK,
                blocks.len()
            )?;
        }
        if args.format == Format::Mermaid {
            let mut buf = Vec::new();
            super::mermaid::write_blocks(&mut buf, &view, &blocks)?;
            String::from_utf8_lossy(&buf).into_owned()
        } else {
            super::markdown::render_blocks(&view, args.detail, &blocks)
        }
    } else {
        super::render(args.format, &view, &opts).map_err(CliError::Diagram)?
    };
    if let Some(path) = &args.check {
        let path = cwd.join(path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            return Ok(EXIT_CLEAN);
        }
        let shown = path.display().to_string();
        let diff = similar::TextDiff::from_lines(&current, &text);
        write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&shown, &format!("{shown} (generated now)"))
        )?;
        writeln!(
            err,
            "ogel-schema: {shown} is stale; regenerate it with the same command and -o instead of --check"
        )?;
        return Ok(EXIT_FINDINGS);
    }
    match &args.output {
        Some(path) => write_atomically(&cwd.join(path), text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(EXIT_CLEAN)
}
