//! ogel-schema: static analysis of a PostgreSQL migration history.
//!
//! The pipeline flows one way: [`source`] discovers migration files and orders them →
//! [`parse`] splits each file into statements with exact byte spans and parses each with
//! sqlparser (a failure is a diagnostic, never an abort) → [`model`] lowers the AST into our
//! own vocabulary (only `model::lower` touches sqlparser's AST) and replays it into a catalog
//! with provenance → [`graph`] builds a petgraph view → [`rules`] turn the model into findings →
//! [`report`] and [`render`] write them out. [`analyze`] runs the whole pipeline.

pub mod alloc;
pub mod app;
pub mod cli;
pub mod diag;
pub mod graph;
pub mod model;
pub mod order;
pub mod par;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
pub mod span;

use std::path::PathBuf;

/// Everything the analysis needs besides the files themselves.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Directories or files, in the order given (`source::discover` semantics).
    pub inputs: Vec<PathBuf>,
    /// `--replace` substitutions applied before parsing.
    pub replacements: Vec<parse::Replacement>,
    pub model: model::ModelSettings,
    /// Glob patterns of files to leave out.
    pub ignore: Vec<String>,
    /// What of each file's parse stays in [`Analysis::parsed`] after replay.
    pub retain: model::Retain,
    /// Threads or not for parsing, replay and rules; `None` decides by the SQL's size
    /// ([`par::SMALL_SQL_BYTES`]).
    pub threads: Option<par::Threads>,
}

impl Settings {
    /// [`Self::threads`], or by the size of `project`'s SQL when unset.
    #[must_use]
    pub fn threads_for(&self, project: &source::Project) -> par::Threads {
        self.threads
            .unwrap_or_else(|| par::Threads::for_sql(project))
    }
}

/// The result of the pipeline up to the model.
#[derive(Debug)]
pub struct Analysis {
    pub project: source::Project,
    pub parsed: Vec<parse::ParsedFile>,
    pub model: model::Model,
    /// Application queries resolved against the model (`check --app`); see [`app::attach`].
    pub app: Option<app::resolve::AppReport>,
    /// Whether the steps after discovery run on all cores (the rules follow it).
    pub threads: par::Threads,
}

/// Run discovery, parsing and replay.
///
/// # Errors
/// When discovery finds nothing to analyse (a missing path, an empty directory).
pub fn analyze(settings: &Settings) -> Result<Analysis, source::SourceError> {
    let mut project = source::discover(&settings.inputs)?;
    if !settings.ignore.is_empty() {
        source::apply_ignores(&mut project, &settings.ignore);
    }
    let threads = settings.threads_for(&project);
    // Replay follows the parser file by file instead of waiting for every file.
    let (parsed, model) =
        parse::parse_all_while(&project, &settings.replacements, threads, |parsed| {
            model::build_with(&project, parsed, &settings.model, settings.retain)
        });
    Ok(Analysis {
        project,
        parsed,
        model,
        app: None,
        threads,
    })
}
