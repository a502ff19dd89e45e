//! CLI layer: clap argument structs (their doc comments are the `--help` text), turning
//! arguments and `ogel-schema.toml` into validated [`crate::Settings`], running a command and
//! mapping the outcome to exit codes 0 (clean) / 1 (findings at or above `--fail-on`) /
//! 2 (tool error).

pub mod config;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use config::Config;

/// Exit code: no finding at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: at least one finding at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the tool could not do its job (bad arguments, unreadable input, I/O error).
pub const EXIT_ERROR: u8 = 2;

const AFTER_HELP: &str = "\
Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  tool error (bad arguments, missing path, unreadable config)

Examples:
  ogel-schema check fixtures/ogelbase
  ogel-schema check db/migrations --format sarif > ogel.sarif
  ogel-schema diagram > ERD.md
  ogel-schema model supabase/migrations --format json";

/// Static analysis of a PostgreSQL migration history: what exists, what is referenced but
/// missing, what is misdesigned, in which order the migrations must run — without a database.
#[derive(Debug, Parser)]
#[command(name = "ogel-schema", version, about, long_about = None, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Each subcommand's arguments are built only when it runs (`defer`): building all of them
// took ~0.15 ms of every run (docs/performance.md). A deferred subcommand takes the `///` doc
// of a flattened argument struct as its description, so argument structs carry `//`
// comments (tests/it/cli.rs checks every subcommand's help).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Find problems: references PostgreSQL will reject, order mistakes, design smells.
    ///
    /// Example: `ogel-schema check db/migrations --fail-on warning`
    Check(CheckArgs),
    /// Print the schema model replayed from the migrations (tables, columns, keys, origins).
    ///
    /// Example: `ogel-schema model supabase/migrations --format json`
    Model(ModelArgs),
    /// List every rule.
    ///
    /// Example: `ogel-schema rules --format markdown`
    Rules(RulesArgs),
    /// Print a rule's documentation page.
    ///
    /// Example: `ogel-schema explain missing-relation`
    Explain(ExplainArgs),
    /// Plan the order the migrations must run in: what breaks today, the stable order that fixes
    /// it, where a new migration must go, and the `git mv` lines. Changes no file.
    ///
    /// Example: `ogel-schema order fixtures/ogelbase --format json`
    Order(crate::order::cli::OrderArgs),
    /// Draft the migration that creates every relation used but never created.
    ///
    /// Example: `ogel-schema scaffold -o migrations/003_create_missing_tables.sql`
    Scaffold(crate::order::cli::ScaffoldArgs),
    /// Draw the schema: Markdown with Mermaid, Mermaid, ASCII, self-contained HTML, DOT, JSON.
    ///
    /// Example: `ogel-schema diagram db/migrations --format html -o schema.html`
    Diagram(crate::render::cli::DiagramArgs),
    /// Print a shell completion script to standard output.
    ///
    /// Example: `ogel-schema completions bash > ~/.local/share/bash-completion/completions/ogel-schema`
    Completions(CompletionsArgs),
}

// Which shell to write completions for.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell. Example: `ogel-schema completions zsh > ~/.zfunc/_ogel-schema`
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

// Where the migrations are and how to read them.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Migration directories or .sql files. A directory is ordered by its naming convention
    /// (numbered, timestamped, Flyway, golang-migrate, diesel, Prisma, dbmate); files are
    /// taken in the order given. Default: `migrations` from ogel-schema.toml, else
    /// migrations/, db/migrations/, supabase/migrations/, prisma/migrations/ ...
    /// Example: `ogel-schema check db/migrations extra/003_multi_db.sql`
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Configuration file (default: ogel-schema.toml in the given directory or the current one).
    /// Example: `--config ci/ogel-schema.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The search_path the migrations run with, when it is set outside the files.
    /// Example: `--search-path app,public`
    #[arg(long, value_name = "SCHEMAS", value_delimiter = ',')]
    pub search_path: Option<Vec<String>>,

    /// Substitute a template placeholder before parsing (repeatable); positions still point
    /// into the original file. Example: `--replace '\$\{schema\}' app`
    #[arg(long, num_args = 2, value_names = ["REGEX", "VALUE"], action = clap::ArgAction::Append)]
    pub replace: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
    Compact,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format. Machine formats (json, sarif, github, compact) print nothing else on
    /// stdout. Example: `--format sarif > results.sarif`
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,

    /// Exit with 1 when a finding at or above this severity is reported.
    /// Example: `--fail-on warning`
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Colour in human output (auto: only on a terminal, and never when NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Report only findings in migration files added or changed since this git ref
    /// (merge-base with HEAD), plus findings elsewhere that those files cause. The whole
    /// history is still analysed. Example: `--since origin/main`
    #[arg(long, value_name = "GIT_REF")]
    pub since: Option<String>,

    /// Hide findings recorded in this baseline file (matched by fingerprint: rule + object,
    /// not line). Entries that no longer match are reported as stale on stderr.
    /// Example: `--baseline .ogel-baseline.json`
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the current findings to a baseline file (before --baseline filtering).
    /// Example: `--write-baseline .ogel-baseline.json`
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Also check the SQL embedded in this application source directory against the
    /// migrations (repeatable; adds to `app = [...]` in ogel-schema.toml).
    /// Example: `--app apps/studio`
    #[arg(long, value_name = "DIR")]
    pub app: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format. Example: `--format json`
    #[arg(long, value_enum, default_value_t = ModelFormat::Text)]
    pub format: ModelFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format. Example: `--format markdown > rules/README.md`
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule's name. Example: `missing-relation`
    pub rule: String,
}

/// A failure of the tool itself (exit code 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] crate::source::SourceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] config::ConfigError),
    #[error("invalid --replace pattern `{pattern}`: {error}")]
    #[diagnostic(
        code(ogel_schema::bad_regex),
        help("the first value of --replace is a regular expression (Rust regex syntax)")
    )]
    BadRegex { pattern: String, error: String },
    #[error("`{key} = {value:?}` in {file}: the value must be one of {allowed}")]
    #[diagnostic(code(ogel_schema::config_value))]
    BadConfigValue {
        key: &'static str,
        value: String,
        allowed: &'static str,
        file: String,
    },
    #[error("unknown rule `{0}`")]
    #[diagnostic(
        code(ogel_schema::unknown_rule),
        help("`ogel-schema rules` lists every rule")
    )]
    UnknownRule(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] crate::report::baseline::BaselineError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Since(#[from] crate::report::since::SinceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Diagram(#[from] crate::render::RenderError),
    #[error("cannot write output: {0}")]
    #[diagnostic(code(ogel_schema::io))]
    Io(#[from] std::io::Error),
}

/// The configuration and settings a command works with.
#[derive(Debug)]
pub struct Resolved {
    pub config: Config,
    pub settings: crate::Settings,
    /// Things the user should know about how the project is read (printed to stderr).
    pub notes: Vec<String>,
}

/// Values of `ogel-schema.toml` that serde accepts as strings but only some of which mean
/// something: a typo is an error, not a silent default.
fn check_values(config: &Config) -> Result<(), CliError> {
    let file = || {
        let path = config.dir.join("ogel-schema.toml");
        path.display().to_string()
    };
    if let Some(p) = &config.options.profile
        && !matches!(p.as_str(), "supabase" | "none")
    {
        return Err(CliError::BadConfigValue {
            key: "options.profile",
            value: p.clone(),
            allowed: "\"supabase\", \"none\"",
            file: file(),
        });
    }
    if let Some(f) = &config.fail_on
        && FailOn::from_str(f, true).is_err()
    {
        return Err(CliError::BadConfigValue {
            key: "fail_on",
            value: f.clone(),
            allowed: "\"error\", \"warning\", \"info\", \"never\"",
            file: file(),
        });
    }
    Ok(())
}

/// The Supabase CLI's `supabase/config.toml` beside or above one of the inputs (a project
/// root, its `supabase` directory, or `supabase/migrations`), if it names a project.
fn supabase_project(inputs: &[PathBuf]) -> Option<PathBuf> {
    inputs.iter().find_map(|input| {
        let named = |p: &Path| p.file_name().is_some_and(|n| n == "supabase");
        let mut candidates = vec![input.join("supabase").join("config.toml")];
        if named(input) {
            candidates.push(input.join("config.toml"));
        }
        if let Some(parent) = input.parent().filter(|p| named(p)) {
            candidates.push(parent.join("config.toml"));
        }
        candidates
            .into_iter()
            .find(|c| std::fs::read_to_string(c).is_ok_and(|text| text.contains("project_id")))
    })
}

/// Combine PATH arguments, the config file and flags into settings.
///
/// # Errors
/// An unreadable config, a bad regex, or no migrations to be found.
pub fn resolve(input: &InputArgs, cwd: &Path) -> Result<Resolved, CliError> {
    let mut config = match &input.config {
        Some(p) => Config::load(p)?,
        None => {
            let single_dir = match input.paths.as_slice() {
                [one] if one.is_dir() => Some(one.clone()),
                _ => None,
            };
            match single_dir {
                Some(d) => Config::find_in(&d)?
                    .or(Config::find_in(cwd)?)
                    .unwrap_or_default(),
                None => Config::find_in(cwd)?.unwrap_or_default(),
            }
        }
    };
    let inputs = if let [one] = input.paths.as_slice() {
        if one.is_dir() && config.dir == *one && !config.migrations.is_empty() {
            config.migration_paths()
        } else {
            input.paths.clone()
        }
    } else if !input.paths.is_empty() {
        input.paths.clone()
    } else if !config.migrations.is_empty() {
        config.migration_paths()
    } else {
        crate::source::default_inputs(cwd)?
    };
    check_values(&config)?;
    let mut notes = Vec::new();
    if config.options.profile.is_none()
        && let Some(found) = supabase_project(&inputs)
    {
        config.options.profile = Some("supabase".into());
        notes.push(format!(
            "{} found: checked as a Supabase project (profile \"supabase\": Supabase's auth, storage, realtime, vault and supabase_functions schemas are assumed, and the row-level-security rules are on); `profile = \"none\"` under [options] in ogel-schema.toml turns this off",
            found.strip_prefix(cwd).unwrap_or(&found).display()
        ));
    }
    let mut replacements = Vec::new();
    let cfg_pairs = config
        .replace
        .iter()
        .map(|r| (r.pattern.clone(), r.value.clone()));
    let cli_pairs = input.replace.chunks(2).filter_map(|c| match c {
        [a, b] => Some((a.clone(), b.clone())),
        _ => None,
    });
    for (pattern, value) in cfg_pairs.chain(cli_pairs) {
        let re = regex::Regex::new(&pattern).map_err(|e| CliError::BadRegex {
            pattern: pattern.clone(),
            error: e.to_string(),
        })?;
        replacements.push(crate::parse::Replacement { pattern: re, value });
    }
    let mut model = crate::model::ModelSettings::default();
    if let Some(sp) = input
        .search_path
        .clone()
        .or_else(|| config.search_path.clone())
    {
        model.search_path = sp;
    }
    model.assume_schemas.clone_from(&config.assume.schemas);
    model.assume_relations.clone_from(&config.assume.relations);
    if config.options.supabase() {
        for s in config::SUPABASE_SCHEMAS {
            if !model.assume_schemas.iter().any(|x| x == s) {
                model.assume_schemas.push(s.into());
            }
        }
        for s in config::SUPABASE_RELATION_SCHEMAS {
            model.assume_relations.push(format!("{s}.*"));
        }
    }
    let ignore = std::mem::take(&mut config.ignore);
    config.ignore.clone_from(&ignore);
    Ok(Resolved {
        settings: crate::Settings {
            inputs,
            replacements,
            model,
            ignore,
            retain: crate::model::Retain::Reports,
            threads: None,
        },
        config,
        notes,
    })
}

/// An analysis for a command after which the process exits: leaked, not dropped. Freeing a
/// large model's ~100k small allocations one by one took a sixth of a 3.4 MB run; the
/// operating system reclaims the memory at exit anyway.
fn for_exit(analysis: crate::Analysis) -> &'static mut crate::Analysis {
    Box::leak(Box::new(analysis))
}

/// [`crate::analyze`], leaked (see [`for_exit`]).
///
/// # Errors
/// Those of [`crate::analyze`].
pub fn analyze_for_exit(
    settings: &crate::Settings,
) -> Result<&'static mut crate::Analysis, crate::source::SourceError> {
    Ok(for_exit(crate::analyze(settings)?))
}

/// Run the CLI; returns the process exit code.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, CliError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match cli.command {
        Command::Model(args) => {
            let resolved = resolve(&args.input, &cwd)?;
            let analysis = analyze_for_exit(&resolved.settings)?;
            match args.format {
                ModelFormat::Json => {
                    let doc = crate::model::json::document(&analysis.project, &analysis.model);
                    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
                    writeln!(out)?;
                }
                ModelFormat::Text => crate::model::text::write(out, analysis)?,
            }
            let _ = err;
            Ok(EXIT_CLEAN)
        }
        Command::Check(args) => check(&args, &cwd, out, err),
        Command::Order(args) => crate::order::cli::run_order(&args, &cwd, out, err),
        Command::Scaffold(args) => crate::order::cli::run_scaffold(&args, &cwd, out, err),
        Command::Diagram(args) => crate::render::cli::run(&args, &cwd, out, err),
        Command::Rules(args) => {
            crate::rules::docs::write_list(out, args.format)?;
            Ok(EXIT_CLEAN)
        }
        Command::Explain(args) => {
            let Some(rule) = crate::rules::find(&args.rule) else {
                return Err(CliError::UnknownRule(args.rule));
            };
            out.write_all(rule.doc.as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "ogel-schema", out);
            Ok(EXIT_CLEAN)
        }
    }
}

/// [`crate::analyze`], then the application source directories (`app = [...]` in the
/// config, then `extra` from `--app`, relative to `cwd`) scanned and their queries attached
/// (see [`crate::app::attach`]). The scan does not need the model, so it runs on its own
/// thread while the migrations are analysed.
///
/// # Errors
/// Those of [`crate::analyze`].
pub fn analyze_with_app(
    resolved: &Resolved,
    extra: &[PathBuf],
    cwd: &Path,
) -> Result<crate::Analysis, crate::source::SourceError> {
    let roots: Vec<PathBuf> = resolved
        .config
        .app_paths()
        .into_iter()
        .chain(extra.iter().map(|p| cwd.join(p)))
        .collect();
    if roots.is_empty() {
        return crate::analyze(&resolved.settings);
    }
    if let Some(missing) = roots.iter().find(|r| std::fs::symlink_metadata(r).is_err()) {
        return Err(crate::source::SourceError::AppNotFound(missing.clone()));
    }
    let (analysis, scan) = std::thread::scope(|scope| {
        let scan = scope.spawn(|| crate::app::scan(&roots));
        (crate::analyze(&resolved.settings), scan.join())
    });
    let mut analysis = analysis?;
    let scan = scan.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    crate::app::attach(&mut analysis, &scan, &resolved.settings.model);
    Ok(analysis)
}

fn check(
    args: &CheckArgs,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    use crate::report::{self, ReportFile, ReportInput, Summary};
    let resolved = resolve(&args.input, cwd)?;
    for note in &resolved.notes {
        writeln!(err, "ogel-schema: note: {note}")?;
    }
    let analysis: &crate::Analysis = for_exit(analyze_with_app(&resolved, &args.app, cwd)?);
    for d in analysis.app.iter().flat_map(|app| &app.diagnostics) {
        writeln!(err, "ogel-schema: note: {d}")?;
    }
    let mut findings = crate::rules::run(analysis, &resolved.config);
    let files: Vec<ReportFile<'_>> = analysis
        .project
        .files
        .iter()
        .map(|f| ReportFile {
            display: &f.display,
            text: &f.text,
            lines: &f.lines,
        })
        .collect();
    let mut hidden = 0;
    if let Some(path) = &args.write_baseline {
        report::baseline::Baseline::from_findings(&findings, &files).save(path)?;
    }
    if let Some(git_ref) = &args.since {
        let changed = report::since::changed_files(cwd, git_ref)?;
        let is_changed: Vec<bool> = analysis
            .project
            .files
            .iter()
            .map(|f| std::fs::canonicalize(&f.path).is_ok_and(|p| changed.contains(&p)))
            .collect();
        let touched = |file: usize| is_changed.get(file).copied().unwrap_or(false);
        let before = findings.len();
        findings
            .retain(|f| touched(f.span.file()) || f.labels.iter().any(|l| touched(l.span.file())));
        hidden += before - findings.len();
    }
    if let Some(path) = &args.baseline {
        let baseline = report::baseline::Baseline::load(path)?;
        let (kept, suppressed, stale) = baseline.apply(findings);
        findings = kept;
        hidden += suppressed;
        for s in stale {
            writeln!(
                err,
                "ogel-schema: stale baseline entry (matches nothing now, remove it): {} {} {}",
                s.rule, s.file, s.fingerprint
            )?;
        }
    }
    let fail_on = args
        .fail_on
        .or_else(|| {
            resolved
                .config
                .fail_on
                .as_deref()
                .and_then(|s| FailOn::from_str(s, true).ok())
        })
        .unwrap_or(FailOn::Error);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
        }
    };
    let summary = Summary {
        files: analysis
            .project
            .files
            .iter()
            .filter(|f| f.is_applied())
            .count(),
        statements: analysis.model.statements.len(),
        statements_unparsed: analysis
            .model
            .statements
            .iter()
            .filter(|s| !s.parsed)
            .count(),
        hidden,
        ..Summary::default()
    }
    .with_findings(&findings);
    let rules: Vec<crate::rules::RuleMeta> =
        crate::rules::all_meta().into_iter().copied().collect();
    let format = match args.format {
        CheckFormat::Human => report::Format::Human,
        CheckFormat::Json => report::Format::Json,
        CheckFormat::Sarif => report::Format::Sarif,
        CheckFormat::Github => report::Format::Github,
        CheckFormat::Compact => report::Format::Compact,
    };
    let endpoints = analysis
        .app
        .as_ref()
        .map(|app| crate::app::status::rows(app, &analysis.project.files));
    let input = ReportInput {
        findings: &findings,
        files: &files,
        rules: &rules,
        summary,
        tool_version: env!("CARGO_PKG_VERSION"),
        endpoints: endpoints.as_deref(),
    };
    report::write(format, out, &input, color)?;
    if let (Some(app), false) = (&analysis.app, format.is_machine()) {
        crate::app::status::write(out, app, &analysis.project.files)?;
    }
    if format.is_machine() {
        writeln!(err, "{}", report::summary_line(&summary))?;
    }
    let unreadable = analysis
        .project
        .diagnostics
        .iter()
        .any(|d| matches!(d.kind, crate::diag::DiagKind::ReadError { .. }));
    let threshold = match fail_on {
        FailOn::Info => Some(crate::diag::Severity::Info),
        FailOn::Warning => Some(crate::diag::Severity::Warning),
        FailOn::Error => Some(crate::diag::Severity::Error),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| findings.iter().any(|f| f.severity >= t));
    Ok(if unreadable {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
