//! Line index: converts byte offsets in a file to (line, character column) and back.
//! Lines end at LF, CRLF or a lone CR. Columns count Unicode scalar values (chars), 1-based.
//! UTF-16 columns (for SARIF) are also available.

#[derive(Debug, Default, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts. Always starts with 0.
    starts: Vec<usize>,
}
