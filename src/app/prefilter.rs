//! Application scan, between steps 1 and 2: a byte-level prefilter run before a file is parsed. Could this
//! file hold a query or an endpoint? Generous on purpose (a false positive only costs a
//! parse); it lets a large tree skip most files unparsed.
//!
//! A file passes when it is a Next.js route file, or its bytes hold
//! - `select` as a word;
//! - `insert` then `into`, `delete` then `from`, `merge` then `into` within 200 bytes,
//!   `update` then `set` within 300 bytes, `with` then `as (` (or `as not materialized (`)
//!   within 300 bytes;
//! - a route registration: `.get(` `.post(` ... `.handlefunc(` with a first argument that is
//!   a string starting with `/` or with a method and ` /` (`"GET /x"`).
//!
//! Words are ASCII, case-insensitive, bounded by bytes other than `[0-9A-Za-z_]`. Written by
//! hand rather than as regexes: building the seven regexes took ~0.8 ms of every run that
//! scans an application, more than the scan of a small project itself. The tests hold this
//! code to the regexes it replaced.

use std::path::Path;

/// A first word, and optionally what must follow it within `window` bytes.
struct Pair {
    first: &'static [u8],
    then: Then,
    window: usize,
}

enum Then {
    Nothing,
    Word(&'static [u8]),
    /// `as` (after a word boundary), blanks, optionally `not` and `materialized` each followed
    /// by blanks, then `(`.
    AsParen,
}

const PAIRS: [Pair; 6] = [
    Pair {
        first: b"select",
        then: Then::Nothing,
        window: 0,
    },
    Pair {
        first: b"insert",
        then: Then::Word(b"into"),
        window: 200,
    },
    Pair {
        first: b"update",
        then: Then::Word(b"set"),
        window: 300,
    },
    Pair {
        first: b"delete",
        then: Then::Word(b"from"),
        window: 200,
    },
    Pair {
        first: b"with",
        then: Then::AsParen,
        window: 300,
    },
    Pair {
        first: b"merge",
        then: Then::Word(b"into"),
        window: 200,
    },
];

/// Method names of a route registration (`app.get(...)`, `http.HandleFunc(...)`).
const ROUTE_METHODS: [&[u8]; 14] = [
    b"get",
    b"post",
    b"put",
    b"patch",
    b"delete",
    b"del",
    b"all",
    b"head",
    b"options",
    b"route",
    b"api_route",
    b"handlefunc",
    b"handle",
    b"any",
];

/// Whether the file at `path` with this text is worth a parse.
#[must_use]
pub fn worth_parsing(path: &Path, text: &str) -> bool {
    if super::endpoint::next_pages_route(path).is_some()
        || super::endpoint::next_app_route(path).is_some()
    {
        return true;
    }
    let bytes = text.as_bytes();
    words(bytes).any(|(start, end)| {
        let word = bytes.get(start..end).unwrap_or(&[]);
        PAIRS.iter().any(|p| {
            word.eq_ignore_ascii_case(p.first) && {
                let window = bytes
                    .get(end..(end + p.window).min(bytes.len()))
                    .unwrap_or(&[]);
                match p.then {
                    Then::Nothing => true,
                    Then::Word(w) => words(window)
                        .any(|(s, e)| window.get(s..e).is_some_and(|x| x.eq_ignore_ascii_case(w))),
                    Then::AsParen => as_paren(window),
                }
            }
        })
    }) || route_registration(bytes)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The `(start, end)` of every maximal run of word bytes.
fn words(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + bytes.get(at..)?.iter().position(|&b| is_word_byte(b))?;
        let end = bytes
            .get(start..)?
            .iter()
            .position(|&b| !is_word_byte(b))
            .map_or(bytes.len(), |n| start + n);
        at = end;
        Some((start, end))
    })
}

/// The bytes after `at` once ASCII blanks (`\t \n \x0b \x0c \r` and space) are skipped.
fn skip_blanks(bytes: &[u8], at: usize) -> usize {
    at + bytes
        .get(at..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&b| is_blank(b))
        .count()
}

fn is_blank(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `bytes[at..]` starts with `word`, in any case.
fn starts_with_ci(bytes: &[u8], at: usize, word: &[u8]) -> bool {
    bytes
        .get(at..at + word.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(word))
}

/// `\bas\s*(?:not\s+)?(?:materialized\s+)?\(` anywhere in `window` (a word boundary before
/// `as` only: `asnot (` counts, as it did for the regex).
fn as_paren(window: &[u8]) -> bool {
    (0..window.len()).any(|i| {
        let boundary = i == 0 || window.get(i - 1).is_none_or(|&b| !is_word_byte(b));
        boundary && starts_with_ci(window, i, b"as") && {
            let mut at = skip_blanks(window, i + 2);
            for word in [&b"not"[..], b"materialized"] {
                let after = at + word.len();
                if starts_with_ci(window, at, word)
                    && window.get(after).is_some_and(|&b| is_blank(b))
                {
                    at = skip_blanks(window, after);
                }
            }
            window.get(at) == Some(&b'(')
        }
    })
}

/// `.name(` with `name` a route method, blanks allowed before and after `(`, then a quote
/// (`"`, `'` or a backtick) and `/` or letters followed by ` /`.
fn route_registration(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'.', bytes).any(|dot| {
        let start = dot + 1;
        // `api_route` is the only name with an underscore; a run of letters ends any other.
        let name_end = if starts_with_ci(bytes, start, b"api_route") {
            start + b"api_route".len()
        } else {
            start + letters(bytes, start)
        };
        let Some(name) = bytes.get(start..name_end) else {
            return false;
        };
        if !ROUTE_METHODS.iter().any(|m| name.eq_ignore_ascii_case(m)) {
            return false;
        }
        let at = skip_blanks(bytes, name_end);
        if bytes.get(at) != Some(&b'(') {
            return false;
        }
        let at = skip_blanks(bytes, at + 1);
        if !matches!(bytes.get(at), Some(b'"' | b'\'' | b'`')) {
            return false;
        }
        let at = at + 1;
        if bytes.get(at) == Some(&b'/') {
            return true;
        }
        let n = letters(bytes, at);
        n > 0 && bytes.get(at + n..at + n + 2) == Some(b" /")
    })
}

/// How many ASCII letters start `bytes[at..]`.
fn letters(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..)
        .unwrap_or(&[])
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
