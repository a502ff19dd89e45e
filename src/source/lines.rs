//! Line index (part of stage 1, used by every later stage at its edges): converts byte offsets
//! in a file to 1-based (line, column) and back. Lines end at LF, CRLF or a lone CR. Columns
//! count Unicode scalar values (chars) by default; [`LineIndex::line_col_utf16`] counts UTF-16
//! code units (SARIF's default unit). This is the one place positions are converted.

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset at which each line starts. Always starts with 0. `u32`: files are under
    /// 4 GiB (discovery refuses larger ones), and the index is kept for every file of the run.
    starts: Vec<u32>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(rel) = memchr::memchr2(b'\n', b'\r', bytes.get(i..).unwrap_or_default()) {
            let at = i + rel;
            let next = if bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(u32::try_from(next).unwrap_or(u32::MAX));
            i = next;
        }
        Self { starts }
    }

    /// Number of lines (a file with no line break has one line; a trailing break opens a
    /// final empty line).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where 1-based `line` starts.
    #[must_use]
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).map(|&s| s as usize)
    }

    /// 1-based line containing byte `offset` (offsets past the end map to the last line).
    #[must_use]
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i, // i >= 1 because starts[0] == 0 <= offset
        }
    }

    /// 1-based (line, char column) of byte `offset` in `text`. An offset inside a multibyte
    /// character or past the end is clamped to the previous char boundary / the end.
    #[must_use]
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        self.line_col_by(text, offset, |s| s.chars().count())
    }

    /// Like [`Self::line_col`] but the column counts UTF-16 code units (1-based).
    #[must_use]
    pub fn line_col_utf16(&self, text: &str, offset: usize) -> (usize, usize) {
        self.line_col_by(text, offset, |s| s.encode_utf16().count())
    }

    fn line_col_by(
        &self,
        text: &str,
        offset: usize,
        width: impl Fn(&str) -> usize,
    ) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line).unwrap_or(0).min(offset);
        let col = text.get(start..offset).map_or(0, width);
        (line, col + 1)
    }

    /// Byte offset of 1-based (`line`, char `column`) in `text`, or `None` when the line does
    /// not exist. A column past the end of the line clamps to the line's end.
    #[must_use]
    pub fn offset(&self, text: &str, line: usize, column: usize) -> Option<usize> {
        let start = self.line_start(line)?;
        let end = self.line_start(line + 1).unwrap_or(text.len());
        let line_text = text.get(start..end)?;
        let skip = column.saturating_sub(1);
        let within = line_text.char_indices().nth(skip).map_or_else(
            || line_text.trim_end_matches(['\n', '\r']).len(),
            |(i, _)| i,
        );
        Some(start + within)
    }
}

/// The largest char boundary `<= offset` (and `<= text.len()`).
#[must_use]
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_crlf_and_lone_cr_all_end_lines() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 2), (2, 1));
        assert_eq!(idx.line_col(text, 5), (3, 1));
        assert_eq!(idx.line_col(text, 7), (4, 1));
        assert_eq!(idx.offset(text, 4, 1), Some(7));
    }

    #[test]
    fn crlf_column_at_end_of_line_does_not_count_the_break() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, 1, 99), Some(2));
        assert_eq!(idx.line_col(text, 2), (1, 3));
    }

    #[test]
    fn multibyte_columns_count_chars_and_utf16_units() {
        let text = "é😀x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(idx.line_col(text, x), (1, 3));
        assert_eq!(idx.line_col_utf16(text, x), (1, 4));
        assert_eq!(idx.offset(text, 1, 3), Some(x));
        // An offset inside a multibyte char clamps to its start.
        assert_eq!(idx.line_col(text, 1), (1, 1));
    }

    #[test]
    fn out_of_range_is_clamped_not_a_panic() {
        let text = "abc\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 100), (2, 1));
        assert_eq!(idx.offset(text, 9, 1), None);
        assert_eq!(LineIndex::new("").line_col("", 0), (1, 1));
    }
}
