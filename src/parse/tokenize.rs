//! sqlparser's own tokens, made faster: the token stream `sqlparser::tokenizer::Tokenizer`
//! makes for PostgreSQL, byte for byte (tokens, values and spans), for the constructs
//! migrations are made of, and nothing for anything else.
//!
//! Tokenizing was more than half of sqlparser's time on our corpora (its tokenizer walks a
//! `Peekable<Chars>`, builds every word through a `String` and upper-cases it to look up the
//! keyword). [`tokenize`] walks bytes, slices values out of the text and looks keywords up in
//! a hash table; the parser is then fed the tokens with
//! `Parser::with_tokens_with_locations`, so what it parses is exactly what sqlparser's
//! tokenizer would have given it. Whenever the text holds anything whose tokenization is not
//! plainly reproduced here (escape strings `E'...'`, bit and hex strings, `U&'...'`,
//! numbers with an exponent, a radix or `_` separators, most operators, characters `Lexer::next`
//! has no arm for, an unterminated string or comment, `COPY`), [`tokenize`] returns `None` and the
//! caller uses sqlparser's tokenizer for that statement. Debug builds (every test) check each
//! stream made here against sqlparser's ([`parse_statements`]).
//!
//! Blanks (spaces, tabs, newlines) are left out of the stream, sqlparser's tokens too
//! ([`without_blanks`]): its tokenizer makes a token of every blank character, about two tokens
//! in three of an indented migration, and its parser steps over them again on every look
//! ahead. Its parser reads blanks in one place for PostgreSQL (a placeholder's `:` or `@` must
//! touch its name), so a blank right after those is kept; comments are kept (pg_hint_plan
//! hints are comments). Debug builds check that the statements parsed are those parsed from
//! sqlparser's own stream, blanks and all.

use sqlparser::ast::{DollarQuotedString, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::{ALL_KEYWORDS, ALL_KEYWORDS_INDEX, Keyword};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer, Whitespace, Word};

// sqlparser's PostgreSQL identifier bytes are the splitter's: ASCII letters, digits, `_`, `$`
// and any byte of a non-ASCII character.
use super::split::is_ident_continue;

/// Parse `sql` with sqlparser (PostgreSQL dialect), tokenized by [`tokenize`] where it can.
pub fn parse_statements(sql: &str) -> Result<Vec<Statement>, ParserError> {
    let mut tokens = TOKENS.take();
    if tokenize_into(sql, &mut tokens) {
        #[cfg(debug_assertions)]
        same_as_sqlparser(sql, &tokens);
    } else {
        // sqlparser's tokenizer, as `Parser::try_with_sql` runs it (`unescape` is its default).
        tokens.clear();
        if let Err(e) = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .with_unescape(true)
            .tokenize_with_location_into_buf(&mut tokens)
        {
            give_back(tokens);
            return Err(e.into());
        }
        without_blanks(&mut tokens);
    }
    let mut parser = Parser::new(&super::dialect::Postgres).with_tokens_with_locations(tokens);
    let parsed = parser.parse_statements();
    #[cfg(debug_assertions)]
    same_statements_as_sqlparser(sql, &parsed);
    give_back(parser.into_tokens());
    parsed
}

/// Keeps `tokens`' buffer for the thread's next statement, unless it is over [`KEEP_TOKENS`].
fn give_back(mut tokens: Vec<TokenWithSpan>) {
    if tokens.capacity() <= KEEP_TOKENS {
        tokens.clear();
        TOKENS.set(tokens);
    }
}

/// The largest buffer kept for the next statement (~5.6 MB): one huge statement's buffer is
/// freed rather than held for the rest of the run.
const KEEP_TOKENS: usize = 1 << 16;

thread_local! {
    /// One token buffer per thread, reused from statement to statement: a fresh vector per
    /// statement took memory of a new size each time, ~70 KiB of first-touched pages on
    /// OgelBase's 11 KB (docs/performance.md, "Release build and two allocators").
    static TOKENS: std::cell::Cell<Vec<TokenWithSpan>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Debug builds: the stream must be sqlparser's own, without its blanks.
#[cfg(debug_assertions)]
fn same_as_sqlparser(sql: &str, tokens: &[TokenWithSpan]) {
    let theirs = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()
        .map(|mut t| {
            without_blanks(&mut t);
            t
        });
    let same = theirs.as_deref().is_some_and(|t| same_tokens(t, tokens));
    debug_assert!(
        same,
        "fast tokenizer differs from sqlparser's on {sql:?}:\n ours {tokens:?}\n theirs {theirs:?}"
    );
}

/// Debug builds: what was parsed from the stream without blanks is what sqlparser parses
/// from its own stream (the same statements, or an error with the same message). Comparing
/// two trees recurses: texts over 2 KB (which the deep-nesting tests make thousands of levels
/// deep) are compared on a thread with a large stack, and texts over 64 KB not at all.
#[cfg(debug_assertions)]
fn same_statements_as_sqlparser(sql: &str, parsed: &Result<Vec<Statement>, ParserError>) {
    let compare = || {
        let theirs = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_statements());
        // At sqlparser's recursion limit its typed-string attempt (which `dialect::Postgres`
        // skips for plain prefixes) is one level deeper than the prefix: a statement nested
        // exactly to the limit parses here and is refused there.
        let at_limit = parsed.is_ok() && matches!(theirs, Err(ParserError::RecursionLimitExceeded));
        assert!(
            at_limit || same_outcome(parsed, &theirs),
            "parsing without blanks differs from sqlparser's on {sql:?}:\n ours   {parsed:?}\n theirs {theirs:?}"
        );
    };
    if sql.len() <= 2048 {
        compare();
    } else if sql.len() <= 64 * 1024 {
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(1 << 29)
                .spawn_scoped(s, compare)
                .map(|t| t.join().map_err(std::panic::resume_unwind))
                .ok();
        });
    }
}

/// The same statements, or errors with the same message.
#[cfg(any(test, debug_assertions))]
pub(super) fn same_outcome(
    a: &Result<Vec<Statement>, ParserError>,
    b: &Result<Vec<Statement>, ParserError>,
) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a == b,
        (Err(a), Err(b)) => a.to_string() == b.to_string(),
        _ => false,
    }
}

/// Removes the blank tokens (spaces, tabs, newlines) sqlparser's parser steps over, keeping
/// the one right after a `:` or `@` (the only blank its parser reads for PostgreSQL: a
/// placeholder's name must touch its sign) and every comment. What [`tokenize`] leaves out.
pub fn without_blanks(tokens: &mut Vec<TokenWithSpan>) {
    let mut after_sign = false;
    tokens.retain(|t| {
        let keep = !is_blank(&t.token) || after_sign;
        if keep {
            after_sign = matches!(t.token, Token::Colon | Token::AtSign);
        }
        keep
    });
}

fn is_blank(token: &Token) -> bool {
    matches!(
        token,
        Token::Whitespace(Whitespace::Space | Whitespace::Tab | Whitespace::Newline)
    )
}

/// Tokens and spans equal (`TokenWithSpan`'s own equality ignores spans).
pub fn same_tokens(a: &[TokenWithSpan], b: &[TokenWithSpan]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.token == y.token && x.span == y.span)
}

/// The tokens sqlparser's tokenizer makes of `sql` for PostgreSQL, less blanks
/// ([`without_blanks`]), or `None` when `sql` holds something this tokenizer leaves to
/// sqlparser's.
#[must_use]
pub fn tokenize(sql: &str) -> Option<Vec<TokenWithSpan>> {
    let mut out = Vec::new();
    tokenize_into(sql, &mut out).then_some(out)
}

/// [`tokenize`] into `out` (emptied first); `false` where it returns `None`.
fn tokenize_into(sql: &str, out: &mut Vec<TokenWithSpan>) -> bool {
    out.clear();
    // Migrations make about one token per seven to nine bytes without blanks (0.11-0.15 on the
    // corpora): one allocation, no copy as the vector grows.
    out.reserve(sql.len() / 6 + 4);
    let mut lexer = Lexer {
        text: sql,
        bytes: sql.as_bytes(),
        at: 0,
        line: 1,
        column: 1,
        out,
    };
    while lexer.at < lexer.bytes.len() {
        if lexer.next().is_none() {
            return false;
        }
    }
    let first_word = lexer.out.iter().find_map(|t| match &t.token {
        Token::Whitespace(_) => None,
        Token::Word(w) => Some(w.keyword),
        _ => Some(Keyword::NoKeyword),
    });
    // `COPY ... FROM STDIN;` makes sqlparser read the data after the `;`.
    first_word != Some(Keyword::COPY)
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    line: u64,
    column: u64,
    out: &'a mut Vec<TokenWithSpan>,
}

/// PostgreSQL's operator characters (sqlparser's `is_custom_operator_part`): after most
/// operators they make a longer, custom operator.
fn is_operator_part(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// sqlparser's keyword lookup (`keyword_lookup`: the keyword whose spelling is the word in
/// ASCII upper case), by hashing instead of a binary search over ~900 strings.
fn keyword(word: &str) -> Keyword {
    let bytes = word.as_bytes();
    let mut upper = [0u8; LONGEST_KEYWORD];
    let Some(upper) = upper.get_mut(..bytes.len()) else {
        return Keyword::NoKeyword;
    };
    for (u, b) in upper.iter_mut().zip(bytes) {
        *u = b.to_ascii_uppercase();
    }
    let mut slot = keyword_hash(upper);
    loop {
        match KEYWORD_SLOTS.get(slot).copied() {
            Some(i) if i != u16::MAX => {
                let i = usize::from(i);
                if ALL_KEYWORDS.get(i).is_some_and(|k| k.as_bytes() == upper) {
                    return ALL_KEYWORDS_INDEX
                        .get(i)
                        .copied()
                        .unwrap_or(Keyword::NoKeyword);
                }
                slot = (slot + 1) % KEYWORD_SLOTS.len();
            }
            _ => return Keyword::NoKeyword,
        }
    }
}

/// Open addressing over `ALL_KEYWORDS`' indexes (`u16::MAX`: empty), about four slots per
/// keyword, built at compile time.
static KEYWORD_SLOTS: [u16; SLOTS] = keyword_slots();

/// A power of two, over four slots per keyword.
const SLOTS: usize = 4096;

// At most half full, so probing stays short and always ends (a compile error otherwise).
const _: () = assert!(ALL_KEYWORDS.len() <= SLOTS / 2);

/// The longest keyword's length.
const LONGEST_KEYWORD: usize = longest_keyword();

/// FNV-1a of the upper-cased word, as a slot.
const fn keyword_hash(upper: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < upper.len() {
        h = (h ^ upper[i] as u32).wrapping_mul(0x0100_0193);
        i += 1;
    }
    h as usize % SLOTS
}

const fn keyword_slots() -> [u16; SLOTS] {
    let mut slots = [u16::MAX; SLOTS];
    let mut i = 0;
    while i < ALL_KEYWORDS.len() && i < u16::MAX as usize {
        let mut slot = keyword_hash(ALL_KEYWORDS[i].as_bytes());
        while slots[slot] != u16::MAX {
            slot = (slot + 1) % SLOTS;
        }
        slots[slot] = i as u16;
        i += 1;
    }
    slots
}

const fn longest_keyword() -> usize {
    let (mut longest, mut i) = (0, 0);
    while i < ALL_KEYWORDS.len() {
        if ALL_KEYWORDS[i].len() > longest {
            longest = ALL_KEYWORDS[i].len();
        }
        i += 1;
    }
    longest
}

impl Lexer<'_> {
    fn location(&self) -> Location {
        Location {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    /// Move to byte `to`, counting lines and characters (columns count characters).
    fn advance_to(&mut self, to: usize) {
        for &b in self.bytes.get(self.at..to).unwrap_or_default() {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        self.at = to;
    }

    /// Push `token` for the text from the current position to byte `to`.
    fn push_to(&mut self, to: usize, token: Token) {
        let start = self.location();
        self.advance_to(to);
        self.out.push(TokenWithSpan {
            token,
            span: Span::new(start, self.location()),
        });
    }

    /// Push `token` for the next `len` ASCII bytes (no newline among them).
    fn push_ascii(&mut self, len: usize, token: Token) {
        let start = self.location();
        self.at += len;
        self.column += len as u64;
        self.out.push(TokenWithSpan {
            token,
            span: Span::new(start, self.location()),
        });
    }

    fn slice(&self, range: std::ops::Range<usize>) -> Option<&str> {
        self.text.get(range)
    }

    /// One token; `None` for what this tokenizer leaves to sqlparser's.
    fn next(&mut self) -> Option<()> {
        let b = self.peek(0)?;
        let next = self.peek(1);
        match b {
            b' ' | b'\t' | b'\n' | b'\r' if !self.after_colon() => self.blanks(),
            b' ' => self.push_ascii(1, Token::Whitespace(Whitespace::Space)),
            b'\t' => self.push_ascii(1, Token::Whitespace(Whitespace::Tab)),
            b'\n' => self.push_to(self.at + 1, Token::Whitespace(Whitespace::Newline)),
            b'\r' => {
                let len = if next == Some(b'\n') { 2 } else { 1 };
                self.push_to(self.at + len, Token::Whitespace(Whitespace::Newline));
            }
            b'(' => self.push_ascii(1, Token::LParen),
            b')' => self.push_ascii(1, Token::RParen),
            b',' => self.push_ascii(1, Token::Comma),
            b';' => self.push_ascii(1, Token::SemiColon),
            b'[' => self.push_ascii(1, Token::LBracket),
            b']' => self.push_ascii(1, Token::RBracket),
            b'+' => self.push_ascii(1, Token::Plus),
            b'*' => self.push_ascii(1, Token::Mul),
            b'=' => match next {
                Some(b'>') => self.push_ascii(2, Token::RArrow),
                Some(b'=') => self.push_ascii(2, Token::DoubleEq),
                _ => self.push_ascii(1, Token::Eq),
            },
            b':' => match next {
                Some(b':') => self.push_ascii(2, Token::DoubleColon),
                Some(b'=') => self.push_ascii(2, Token::Assignment),
                _ => self.push_ascii(1, Token::Colon),
            },
            b'.' => match next {
                Some(b'_') => return None,
                Some(b'0'..=b'9') => self.number()?,
                _ => self.push_ascii(1, Token::Period),
            },
            b'-' => match next {
                Some(b'-') => self.line_comment(),
                Some(n) if is_operator_part(n) => return None,
                _ => self.push_ascii(1, Token::Minus),
            },
            b'/' => match next {
                Some(b'*') => self.block_comment()?,
                _ => self.push_ascii(1, Token::Div),
            },
            b'<' => {
                let after = self.peek(2);
                match next {
                    Some(b'=') => match after {
                        Some(b'+' | b'-') => self.push_ascii(2, Token::LtEq),
                        Some(a) if is_operator_part(a) => return None,
                        _ => self.push_ascii(2, Token::LtEq),
                    },
                    Some(b'>') => match after {
                        Some(a) if is_operator_part(a) => return None,
                        _ => self.push_ascii(2, Token::Neq),
                    },
                    Some(b'+') => self.push_ascii(1, Token::Lt),
                    Some(n) if is_operator_part(n) => return None,
                    _ => self.push_ascii(1, Token::Lt),
                }
            }
            b'>' => {
                let after = self.peek(2);
                match next {
                    Some(b'=') => match after {
                        Some(a) if is_operator_part(a) => return None,
                        _ => self.push_ascii(2, Token::GtEq),
                    },
                    Some(n) if is_operator_part(n) => return None,
                    _ => self.push_ascii(1, Token::Gt),
                }
            }
            b'!' => match next {
                Some(b'=') => self.push_ascii(2, Token::Neq),
                _ => return None,
            },
            b'|' => match (next, self.peek(2)) {
                (Some(b'|'), Some(a)) if a == b'/' || is_operator_part(a) => return None,
                (Some(b'|'), _) => self.push_ascii(2, Token::StringConcat),
                _ => return None,
            },
            b'0'..=b'9' => self.number()?,
            b'\'' => self.string()?,
            b'"' => self.quoted_identifier()?,
            b'$' => self.dollar()?,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | 0x80.. => self.word()?,
            _ => return None,
        }
        Some(())
    }

    /// Whether the last token is a `:` (the blank after it is kept: [`without_blanks`]).
    fn after_colon(&self) -> bool {
        matches!(self.out.last(), Some(t) if t.token == Token::Colon)
    }

    /// Steps over blanks without making tokens of them.
    fn blanks(&mut self) {
        let mut end = self.at;
        while self
            .bytes
            .get(end)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            end += 1;
        }
        self.advance_to(end);
    }

    /// `-- ...` up to (not including) the end of the line.
    fn line_comment(&mut self) {
        let from = self.at + 2;
        let end = memchr::memchr2(b'\n', b'\r', self.bytes.get(from..).unwrap_or_default())
            .map_or(self.bytes.len(), |i| from + i);
        let comment = self.slice(from..end).unwrap_or_default().to_owned();
        self.push_to(
            end,
            Token::Whitespace(Whitespace::SingleLineComment {
                comment,
                prefix: "--".to_owned(),
            }),
        );
    }

    /// `/* ... */`, nested; unterminated is left to sqlparser (its error).
    fn block_comment(&mut self) -> Option<()> {
        let from = self.at + 2;
        let (mut depth, mut i) = (1usize, from);
        while i < self.bytes.len() {
            match (self.bytes[i], self.bytes.get(i + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    i += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    if depth == 0 {
                        let comment = self.slice(from..i)?.to_owned();
                        self.push_to(
                            i + 2,
                            Token::Whitespace(Whitespace::MultiLineComment(comment)),
                        );
                        return Some(());
                    }
                    i += 2;
                }
                _ => i += 1,
            }
        }
        None
    }

    /// Digits, or digits and a fraction (`12`, `7772.32`, `1.`, `.5`), not followed by anything
    /// that makes it another kind of number or glues a word to it.
    fn number(&mut self) -> Option<()> {
        let digits = |mut i: usize| {
            while self.bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let from = self.at;
        let mut end = digits(from);
        if self.bytes.get(end) == Some(&b'.') {
            end = digits(end + 1);
        }
        // `_` separators, a second `.`, exponents, `0x`, `L`, words glued to digits.
        if self
            .bytes
            .get(end)
            .is_some_and(|&b| is_ident_continue(b) || b == b'.')
        {
            return None;
        }
        let value = self.slice(from..end)?.to_owned();
        self.push_ascii(end - from, Token::Number(value, false));
        Some(())
    }

    /// The text between the quote at the current position and its closing `quote`, a doubled
    /// quote standing for one, and the byte after the closing quote; `None` if unterminated.
    fn quoted(&self, quote: u8) -> Option<(String, usize)> {
        let from = self.at + 1;
        let mut i = from;
        let mut doubled = false;
        loop {
            let q = i + memchr::memchr(quote, self.bytes.get(i..)?)?;
            if self.bytes.get(q + 1) == Some(&quote) {
                doubled = true;
                i = q + 2;
            } else {
                let raw = self.slice(from..q)?;
                let value = if doubled {
                    let one = char::from(quote).to_string();
                    raw.replace(&one.repeat(2), &one)
                } else {
                    raw.to_owned()
                };
                return Some((value, q + 1));
            }
        }
    }

    /// `'...'` with `''` for a quote (standard strings: no backslash escapes).
    fn string(&mut self) -> Option<()> {
        let (value, end) = self.quoted(b'\'')?;
        self.push_to(end, Token::SingleQuotedString(value));
        Some(())
    }

    /// `"..."` with `""` for a quote: a word that is never a keyword.
    fn quoted_identifier(&mut self) -> Option<()> {
        let (value, end) = self.quoted(b'"')?;
        let token = Token::Word(Word {
            value,
            quote_style: Some('"'),
            keyword: Keyword::NoKeyword,
        });
        self.push_to(end, token);
        Some(())
    }

    /// `$$...$$`, `$tag$...$tag$` or a `$1` placeholder, as sqlparser reads them: its tag may
    /// start with a digit, unlike PostgreSQL's (the splitter's `dollar_tag_end`).
    fn dollar(&mut self) -> Option<()> {
        let tag_from = self.at + 1;
        let mut tag_end = tag_from;
        while self
            .bytes
            .get(tag_end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            tag_end += 1;
        }
        match self.bytes.get(tag_end) {
            // sqlparser reads a Unicode letter or digit into the tag.
            Some(&b) if b >= 0x80 => None,
            Some(b'$') => {
                let tag = self.slice(tag_from..tag_end)?;
                let body = tag_end + 1;
                let end = if tag.is_empty() {
                    memchr::memmem::find(self.bytes.get(body..)?, b"$$")?
                } else {
                    let delimiter = format!("${tag}$");
                    memchr::memmem::find(self.bytes.get(body..)?, delimiter.as_bytes())?
                };
                let value = self.slice(body..body + end)?.to_owned();
                let token = Token::DollarQuotedString(DollarQuotedString {
                    value,
                    tag: (!tag.is_empty()).then(|| tag.to_owned()),
                });
                self.push_to(body + end + tag.len() + 2, token);
                Some(())
            }
            _ => {
                let placeholder = self.slice(self.at..tag_end)?.to_owned();
                self.push_ascii(tag_end - self.at, Token::Placeholder(placeholder));
                Some(())
            }
        }
    }

    /// A keyword or an unquoted identifier; the letters that start literals (`E'`, `B'`,
    /// `N'`, `X'`, `U&`) are left to sqlparser.
    fn word(&mut self) -> Option<()> {
        let from = self.at;
        let first = self.bytes[from];
        let next = self.peek(1);
        let literal = match first.to_ascii_uppercase() {
            b'B' => matches!(next, Some(b'\'' | b'"')),
            b'E' | b'N' | b'X' => next == Some(b'\''),
            b'U' => next == Some(b'&'),
            _ => false,
        };
        if literal {
            return None;
        }
        let mut end = from + 1;
        while self.bytes.get(end).is_some_and(|&b| is_ident_continue(b)) {
            end += 1;
        }
        let value = self.slice(from..end)?;
        let token = Token::Word(Word {
            keyword: keyword(value),
            value: value.to_owned(),
            quote_style: None,
        });
        if first < 0x80 && self.bytes[from..end].is_ascii() {
            self.push_ascii(end - from, token);
        } else {
            self.push_to(end, token);
        }
        Some(())
    }
}

#[cfg(test)]
mod tests;
