//! Stage 2: split each applied file into statements with exact byte spans, apply template
//! replacements, parse each statement separately with sqlparser (PostgreSQL dialect), look
//! inside `DO` bodies for static DDL, and collect inline ignore comments.
//!
//! Input: a [`crate::source::SourceFile`]. Output: a [`ParsedFile`]. A statement that does not
//! parse becomes a [`crate::diag::Diagnostic`], never an abort.

pub mod split;

use crate::diag::Diagnostic;
use crate::span::{FileId, Span};

/// Where a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A top-level statement of the file.
    TopLevel,
    /// A static SQL statement found inside the body of the top-level `DO` statement with this
    /// index in [`ParsedFile::statements`]. It runs when the DO block runs.
    DoBody { parent: usize },
}

/// A statement, parsed or not.
#[derive(Debug)]
pub struct Statement {
    /// The statement's bytes in the ORIGINAL file text (without the trailing `;`).
    pub span: Span,
    pub origin: Origin,
    /// The text handed to sqlparser (after `--replace` substitutions).
    pub text: String,
    /// Maps byte offsets in `text` back to offsets in the original file.
    pub offsets: OffsetMap,
    /// The parsed AST, or `None` when sqlparser failed (a diagnostic was recorded).
    pub ast: Option<sqlparser::ast::Statement>,
    /// For unparsable statements: the leading keywords and target recovered by a token scan,
    /// e.g. `Recovered { verb: "ALTER TABLE", target: Some("platform.users") }`.
    pub recovered: Option<Recovered>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Upper-cased leading keywords: `ALTER TABLE`, `DROP INDEX`, `ALTER SEQUENCE`, `INSERT INTO`...
    pub verb: String,
    /// The object name as written (quotes kept), if one was found.
    pub target: Option<String>,
}

/// Piecewise-linear map from offsets in a statement's (possibly substituted) text to byte
/// offsets in the original file. With no substitution it is a single shift.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// Sorted `(offset_in_text, offset_in_file)` anchors; an offset maps through the last
    /// anchor at or before it. Inside a replaced region everything maps to the region's start.
    pub anchors: Vec<(usize, usize)>,
}

/// An inline suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The comment itself.
    pub span: Span,
    /// Rule names (or codes) listed.
    pub rules: Vec<String>,
    /// `Some(i)`: applies to statement `i` of [`ParsedFile::statements`] (the next statement
    /// after the comment, or the statement the comment sits in). `None`: `ignore-file`.
    pub statement: Option<usize>,
}

/// One file after splitting and parsing.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub file: FileId,
    /// Statements in file order; DO-body statements follow their DO statement.
    pub statements: Vec<Statement>,
    pub ignores: Vec<Ignore>,
    pub diagnostics: Vec<Diagnostic>,
}
