//! Stage 1: find migration files, read them, classify them (forward / down / repeatable /
//! ignored) and order them by version (numerically, by parts), flagging duplicates.
//!
//! Input: the PATHs the user gave (directories or files). Output: a [`Project`].

pub mod discover;
pub mod lines;
pub mod version;

use std::path::PathBuf;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::span::FileId;
use lines::LineIndex;

pub use discover::{USUAL_PLACES, default_inputs, discover, discover_in};

/// Everything discovered: files in apply order (forward files first, in order; then the others),
/// and what discovery noticed.
#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Project {
    /// Bytes of SQL in the applied files.
    #[must_use]
    pub fn sql_bytes(&self) -> usize {
        self.applied().map(|(_, f)| f.text.len()).sum()
    }

    /// The applied files (forward and repeatable), in apply order, with their ids.
    pub fn applied(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_applied())
    }

    /// The file with this id, if any.
    #[must_use]
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id)
    }
}

/// How a file takes part in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Applied in order.
    Forward,
    /// A down / rollback migration: recognised, never applied.
    Down,
    /// Flyway `R__` repeatable: applied after all versioned ones.
    Repeatable,
    /// Not a migration (test file, README, ...): reported, never applied.
    Ignored,
}

/// A migration version, compared numerically part by part: `2 < 10`, `0009 < 00010`,
/// `2 < 2.1 < 3`. Timestamps are just big numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Version {
    /// The version as written in the file name, e.g. `"V2.1"` -> `"2.1"`, `"001"`.
    pub raw: String,
    /// Numeric parts with leading zeros stripped (kept as digit strings: no overflow).
    #[serde(skip)]
    pub parts: Vec<String>,
}

/// One file of the project, with its text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as found on disk.
    pub path: PathBuf,
    /// Display path: relative to the current directory when possible, forward slashes.
    pub display: String,
    /// Index of the input (directory or file argument) this file came from. 0 is the main path.
    pub root: usize,
    pub version: Option<Version>,
    /// Descriptive part of the name (`create_users` for `001_create_users.sql`).
    pub name: String,
    pub kind: FileKind,
    /// Why discovery classified it so ("flat numbered", "golang-migrate down file", ...).
    pub reason: String,
    /// The text (lossily decoded if it was not UTF-8; empty if unreadable).
    pub text: String,
    pub lines: LineIndex,
    /// Byte ranges of `text` that hold forward SQL. Usually the whole file; for dbmate files
    /// only the `-- migrate:up` section(s).
    pub forward_ranges: Vec<std::ops::Range<usize>>,
}

impl SourceFile {
    /// `true` when the file is applied as part of the forward history.
    #[must_use]
    pub fn is_applied(&self) -> bool {
        matches!(self.kind, FileKind::Forward | FileKind::Repeatable)
    }
}

/// Index of a file within [`Project::files`].
pub type Id = FileId;

/// Errors that stop discovery entirely (nothing to analyse).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SourceError {
    #[error("path not found: {0}")]
    #[diagnostic(
        code(ogel_schema::path_not_found),
        help("check the path; give a migrations directory or .sql files")
    )]
    NotFound(PathBuf),
    #[error("application source not found: {0}")]
    #[diagnostic(
        code(ogel_schema::app_not_found),
        help("check the path given to `--app` or listed in `app = [...]` in ogel-schema.toml")
    )]
    AppNotFound(PathBuf),
    #[error("no migrations found: tried {tried}")]
    #[diagnostic(
        code(ogel_schema::no_migrations),
        help(
            "pass a directory (`ogel-schema check db/migrations`) or set `migrations = [\"...\"]` in ogel-schema.toml"
        )
    )]
    NothingFound { tried: String },
    #[error("cannot read {path}: {error}")]
    #[diagnostic(code(ogel_schema::read_dir))]
    Io { path: PathBuf, error: String },
}

/// Mark files whose display path matches one of the glob `patterns` (from the config's
/// `ignore`) as [`FileKind::Ignored`]. Invalid patterns are skipped.
pub fn apply_ignores(project: &mut Project, patterns: &[String]) {
    let mut builder = globset::GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = globset::Glob::new(p) {
            builder.add(g);
        }
    }
    let Ok(set) = builder.build() else { return };
    for f in &mut project.files {
        if set.is_match(&f.display) || set.is_match(&f.path) {
            f.kind = FileKind::Ignored;
            f.reason = "ignored by configuration".into();
        }
    }
}
