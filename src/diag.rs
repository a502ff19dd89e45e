//! Raw diagnostics raised by the early stages (discovery, splitting, parsing, replay) before any
//! rule sees them. They are plain data; the hygiene and reference rules turn them into findings.

use serde::Serialize;

use crate::span::{FileId, Span};

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What an early stage noticed. Each kind is mapped to exactly one rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DiagKind {
    /// The file could not be read at all (permissions, vanished, is a directory...).
    ReadError { error: String },
    /// The file is not valid UTF-8; `offset` is the first bad byte. It is analysed lossily.
    InvalidUtf8 { offset: usize },
    /// The file contains NUL bytes or other binary content and was not analysed.
    Binary { offset: usize },
    /// A statement sqlparser could not parse. `schema_relevant` when it looked like DDL or DML.
    Unparsable {
        error: String,
        schema_relevant: bool,
        /// What a token scan recovered, e.g. "ALTER TABLE platform.users".
        recovered: Option<String>,
    },
    /// The file ends inside a quote, a dollar-quoted body or a block comment.
    Unterminated { what: String },
    /// A psql meta-command (`\set`, `\i`, ...): not SQL, not analysed.
    PsqlMeta { command: String },
    /// Statement PostgreSQL rejects although sqlparser accepts it (e.g. top-level RAISE).
    RejectedByPostgres {
        reason: String,
        /// What to do instead ([`crate::model::Refusal`]).
        #[serde(skip)]
        help: Option<&'static str>,
    },
    /// Two forward migrations share one version.
    DuplicateVersion { version: String, other: FileId },
    /// A file kept off the forward path: down/rollback, test, README...
    NotForward { file_kind: String, reason: String },
    /// A forward migration found in a directory other than the main (first) one.
    OutsideMainPath { main: String },
}

/// A diagnostic with the place it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub span: Span,
    pub kind: DiagKind,
}

/// A secondary location that explains a finding ("dropped here", "created here, too late").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A finding: what a rule reports. Plain data; reporters render it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's kebab-case name, e.g. `missing-relation`.
    pub rule: &'static str,
    pub severity: Severity,
    /// The primary location.
    pub span: Span,
    /// What is wrong / what PostgreSQL does.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// Stable identity: rule + object (never a line number), e.g.
    /// `missing-relation:platform.organization_members:004_seed.sql`.
    pub fingerprint: String,
}
