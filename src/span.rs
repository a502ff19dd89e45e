//! Shared position types: every stage speaks of places in migration files as a file index plus
//! a byte range into that file's original text. Lines and columns are derived at the edges by
//! [`crate::source::lines::LineIndex`].

use serde::Serialize;

/// Index of a file in [`crate::source::Project::files`].
pub type FileId = usize;

/// A byte range in the original text of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    #[must_use]
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self { file, start, end }
    }
}
