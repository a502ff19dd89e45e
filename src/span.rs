//! Shared position types: every stage speaks of places in migration files as a file index plus
//! a byte range into that file's original text. Lines and columns are derived at the edges by
//! [`crate::source::lines::LineIndex`].

use serde::Serialize;

/// Index of a file in [`crate::source::Project::files`].
pub type FileId = usize;

/// A byte range in the original text of one file.
///
/// Stored as three `u32`s (12 bytes instead of 24): the history holds a span per event and use,
/// and the catalog one per column, key and index. Discovery refuses files of 4 GiB or more, so
/// offsets fit; [`Span::new`] saturates rather than wraps if one ever does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    file: u32,
    start: u32,
    end: u32,
}

/// `usize` to `u32`, saturating.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Span {
    #[must_use]
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self {
            file: narrow(file),
            start: narrow(start),
            end: narrow(end),
        }
    }

    /// The file the span is in.
    #[must_use]
    pub fn file(&self) -> FileId {
        self.file as FileId
    }

    /// Byte offset of the start.
    #[must_use]
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Byte offset just past the end.
    #[must_use]
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// `start()..end()`.
    #[must_use]
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }

    /// Whether `inner` lies wholly inside this span, in the same file.
    #[must_use]
    pub fn contains(&self, inner: Span) -> bool {
        self.file == inner.file && self.start <= inner.start && inner.end <= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn accessors_round_trip_and_offsets_past_u32_saturate() {
        let s = Span::new(3, 10, 20);
        assert_eq!(
            (s.file(), s.start(), s.end(), s.range()),
            (3, 10, 20, 10..20)
        );
        assert_eq!(std::mem::size_of::<Span>(), 12);
        // Discovery refuses files this large; if one slipped through, nothing wraps around.
        let big = Span::new(0, usize::MAX, usize::MAX);
        assert_eq!(
            (big.start(), big.end()),
            (u32::MAX as usize, u32::MAX as usize)
        );
        assert!(Span::new(0, 1, 2) < Span::new(0, 1, 3) && Span::new(0, 9, 9) < Span::new(1, 0, 0));
    }
}
