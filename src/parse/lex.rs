//! Stage 2 helper: a tiny token scanner over one statement, for the places that must look at
//! words without sqlparser — recovering the target of an unparsable statement
//! ([`super::recover`]), stripping PL/pgSQL control words in `DO` bodies ([`super::doblock`]).
//! Whitespace and comments are skipped; strings and quoted identifiers are single tokens.

use std::ops::Range;

use super::split::{dollar_tag_end, is_ident_continue, is_ident_start};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A bare word (keyword or identifier).
    Word,
    /// A `"quoted identifier"`.
    Quoted,
    /// A string constant: `'...'`, `E'...'`, `$tag$...$tag$`.
    Str,
    Number,
    /// Any other single byte (`(`, `.`, `:`, `=`, ...).
    Punct(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub range: Range<usize>,
}

/// Iterates the tokens of `text[range]`. Never panics; an unterminated string or comment just
/// runs to the end.
pub(crate) struct Lexer<'a> {
    text: &'a str,
    i: usize,
    end: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str, range: Range<usize>) -> Self {
        let end = range.end.min(text.len());
        Self {
            text,
            i: range.start.min(end),
            end,
        }
    }

    fn at(&self, i: usize) -> u8 {
        if i < self.end {
            self.text.as_bytes().get(i).copied().unwrap_or(0)
        } else {
            0
        }
    }

    fn find_from(&self, from: usize, needle: &[u8]) -> Option<usize> {
        let hay = self.text.as_bytes().get(from..self.end)?;
        memchr::memmem::find(hay, needle).map(|p| from + p)
    }

    fn skip_blank(&mut self) {
        loop {
            let c = self.at(self.i);
            if self.i >= self.end {
                return;
            }
            if c.is_ascii_whitespace() {
                self.i += 1;
            } else if c == b'-' && self.at(self.i + 1) == b'-' {
                let hay = self
                    .text
                    .as_bytes()
                    .get(self.i..self.end)
                    .unwrap_or_default();
                self.i = memchr::memchr2(b'\n', b'\r', hay).map_or(self.end, |p| self.i + p);
            } else if c == b'/' && self.at(self.i + 1) == b'*' {
                let mut depth = 0usize;
                let mut j = self.i;
                while j < self.end {
                    if self.at(j) == b'/' && self.at(j + 1) == b'*' {
                        depth += 1;
                        j += 2;
                    } else if self.at(j) == b'*' && self.at(j + 1) == b'/' {
                        depth = depth.saturating_sub(1);
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                self.i = j.min(self.end);
            } else {
                return;
            }
        }
    }

    fn quoted_end(&self, open: usize, q: u8, backslash: bool) -> usize {
        let mut j = open + 1;
        while j < self.end {
            let c = self.at(j);
            if backslash && c == b'\\' {
                j += 2;
            } else if c == q {
                if self.at(j + 1) == q {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j += 1;
            }
        }
        self.end
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.skip_blank();
        let start = self.i;
        if start >= self.end {
            return None;
        }
        let c = self.at(start);
        let (kind, end) = match c {
            b'\'' => (Tok::Str, self.quoted_end(start, b'\'', false)),
            b'"' => (Tok::Quoted, self.quoted_end(start, b'"', false)),
            b'$' => match dollar_tag_end(self.text.as_bytes(), start, self.end) {
                Some(tag_end) => {
                    let tag = self.text.as_bytes().get(start..tag_end).unwrap_or_default();
                    let close = self
                        .find_from(tag_end, tag)
                        .map_or(self.end, |p| p + tag.len());
                    (Tok::Str, close)
                }
                None => (Tok::Punct(b'$'), start + 1),
            },
            b'0'..=b'9' => {
                let mut j = start + 1;
                while j < self.end && (is_ident_continue(self.at(j)) || self.at(j) == b'.') {
                    j += 1;
                }
                (Tok::Number, j)
            }
            _ if (c == b'E' || c == b'e') && self.at(start + 1) == b'\'' => {
                (Tok::Str, self.quoted_end(start + 1, b'\'', true))
            }
            _ if is_ident_start(c) => {
                let mut j = start + 1;
                while j < self.end && is_ident_continue(self.at(j)) {
                    j += 1;
                }
                (Tok::Word, j)
            }
            _ => {
                // one whole char (keeps ranges on char boundaries)
                let len = self
                    .text
                    .get(start..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                (Tok::Punct(c), start + len)
            }
        };
        let end = end.min(self.end);
        self.i = end;
        Some(Token {
            kind,
            range: start..end,
        })
    }
}

/// A token with its text, for matching keywords.
pub(crate) fn is_kw(text: &str, t: &Token, kw: &str) -> bool {
    t.kind == Tok::Word
        && text
            .get(t.range.clone())
            .is_some_and(|w| w.eq_ignore_ascii_case(kw))
}

/// The upper-cased word, if `t` is a word.
pub(crate) fn upper(text: &str, t: &Token) -> Option<String> {
    if t.kind == Tok::Word {
        text.get(t.range.clone()).map(str::to_ascii_uppercase)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_skip_comments_and_keep_strings_whole() {
        let t =
            "ALTER /* x /* y */ */ TABLE \"a\"\"b\".c -- z\n ADD 'it''s' E'\\'' $q$ ; $q$ 1.5 :=";
        let toks: Vec<(&str, Tok)> = Lexer::new(t, 0..t.len())
            .map(|k| (&t[k.range.clone()], k.kind))
            .collect();
        assert_eq!(
            toks,
            vec![
                ("ALTER", Tok::Word),
                ("TABLE", Tok::Word),
                ("\"a\"\"b\"", Tok::Quoted),
                (".", Tok::Punct(b'.')),
                ("c", Tok::Word),
                ("ADD", Tok::Word),
                ("'it''s'", Tok::Str),
                ("E'\\''", Tok::Str),
                ("$q$ ; $q$", Tok::Str),
                ("1.5", Tok::Number),
                (":", Tok::Punct(b':')),
                ("=", Tok::Punct(b'=')),
            ]
        );
    }

    #[test]
    fn unterminated_and_multibyte_do_not_panic() {
        for (t, n) in [
            ("'abc", 1),
            ("\"x", 1),
            ("$a$ b", 1),
            ("/* x", 0),
            ("«»", 1),
            ("a+", 2),
            ("E'\\", 1),
        ] {
            assert_eq!(Lexer::new(t, 0..t.len()).count(), n, "{t}");
            for k in Lexer::new(t, 0..t.len()) {
                assert!(t.get(k.range).is_some());
            }
        }
    }
}
