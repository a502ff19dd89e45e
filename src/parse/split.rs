//! Stage 2a: a psql-aware statement splitter. It cuts a byte range of a file into statements
//! with exact byte spans, without any regex and without allocating per byte. It knows
//! single-quoted strings (`''`, and backslash escapes in `E'...'`), quoted identifiers,
//! `$tag$` bodies, `--` and nested `/* */` comments, psql backslash lines, `COPY ... FROM stdin`
//! data blocks and SQL-standard `BEGIN ATOMIC ... END` routine bodies.
//!
//! The same splitter cuts PL/pgSQL `DO` bodies (see [`super::doblock`]).

use std::ops::Range;

/// What kind of piece the splitter found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementKind {
    /// An SQL statement.
    Sql,
    /// A psql meta-command line; the string is the command word, e.g. `\set`.
    PsqlMeta(String),
}

/// One statement as cut by the splitter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStatement {
    /// From the first byte of the first token to the end of the last token before the
    /// terminating `;` (exclusive of the `;`). Always on char boundaries.
    pub span: Range<usize>,
    pub kind: StatementKind,
    /// `true` when a `;` ended it (psql meta lines end at the line break: always `true`).
    pub terminated: bool,
}

/// The result of [`split`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pub statements: Vec<RawStatement>,
    /// Every `--` and `/* */` comment (including the delimiters), in order.
    pub comments: Vec<Range<usize>>,
    /// The input ended inside something: where it was opened, and what it was
    /// (`"single-quoted string"`, `"dollar-quoted body"`, `"block comment"`,
    /// `"quoted identifier"`, `"COPY FROM stdin data"`).
    pub unterminated: Option<(usize, &'static str)>,
}

/// Split `text[range]` into statements. Offsets in the result are offsets into `text`.
/// A range that is out of bounds or not on char boundaries is clamped; never panics.
#[must_use]
pub fn split(text: &str, range: Range<usize>) -> Split {
    let mut end = range.end.min(text.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut start = range.start.min(end);
    while start < end && !text.is_char_boundary(start) {
        start += 1;
    }
    let mut scanner = Scanner {
        b: text.as_bytes(),
        begin: start,
        end,
        out: Split::default(),
        cur: Current::default(),
    };
    scanner.run(start);
    scanner.out
}

/// `true` for bytes that may continue an identifier (PostgreSQL allows `$` after the first
/// character; every byte of a multibyte char counts).
#[inline]
pub(crate) fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// `true` for bytes that may start an identifier.
#[inline]
pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Recognises the statement head `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Head {
    #[default]
    Start,
    Create,
    CreateOr,
    CreateOrReplace,
    Routine,
    Copy,
    Other,
}

/// What the scanner knows about the statement being read.
#[derive(Debug, Default)]
struct Current {
    start: Option<usize>,
    last_end: usize,
    head: Head,
    /// The previous word was `BEGIN` (routine) or `FROM` (copy).
    prev_marker: bool,
    /// `BEGIN ATOMIC` / `CASE` nesting inside a routine body.
    atomic_depth: usize,
    copy_from_stdin: bool,
}

struct Scanner<'a> {
    b: &'a [u8],
    begin: usize,
    end: usize,
    out: Split,
    cur: Current,
}

impl Scanner<'_> {
    #[inline]
    fn at(&self, i: usize) -> u8 {
        if i < self.end {
            self.b.get(i).copied().unwrap_or(0)
        } else {
            0
        }
    }

    /// Record a token occupying `from..to`.
    #[inline]
    fn token(&mut self, from: usize, to: usize) {
        if self.cur.start.is_none() {
            self.cur = Current {
                start: Some(from),
                ..Current::default()
            };
        }
        self.cur.last_end = to;
    }

    fn finish(&mut self, terminated: bool) {
        if let Some(start) = self.cur.start.take() {
            self.out.statements.push(RawStatement {
                span: start..self.cur.last_end.max(start),
                kind: StatementKind::Sql,
                terminated,
            });
        }
    }

    fn run(&mut self, mut i: usize) {
        while i < self.end {
            let c = self.at(i);
            i = match c {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i + 1,
                b';' => {
                    if self.cur.atomic_depth > 0 {
                        self.token(i, i + 1);
                        i + 1
                    } else {
                        let copy = self.cur.copy_from_stdin && self.cur.start.is_some();
                        self.finish(true);
                        if copy {
                            self.skip_copy_data(i + 1)
                        } else {
                            i + 1
                        }
                    }
                }
                b'-' if self.at(i + 1) == b'-' => {
                    let e = self.line_end(i);
                    self.out.comments.push(i..e);
                    e
                }
                b'/' if self.at(i + 1) == b'*' => self.block_comment(i),
                b'\'' => self.quoted(i, i, b'\'', false, "single-quoted string"),
                b'"' => self.quoted(i, i, b'"', false, "quoted identifier"),
                b'$' => self.dollar(i),
                b'\\' if self.cur.start.is_none() => self.meta_line(i),
                b'0'..=b'9' => {
                    let mut j = i + 1;
                    while j < self.end && (is_ident_continue(self.at(j)) || self.at(j) == b'.') {
                        j += 1;
                    }
                    self.token(i, j);
                    j
                }
                _ if c >= 0x80 && self.cur.start.is_none() && self.b.get(i..i + 3) == Some(BOM) => {
                    i + 3
                }
                _ if is_ident_start(c) => self.word(i),
                _ => {
                    self.token(i, i + 1);
                    i + 1
                }
            };
        }
        self.finish(false);
    }

    /// End of the line containing `i` (the offset of its `\n`/`\r`, or the range end).
    fn line_end(&self, i: usize) -> usize {
        let hay = self.b.get(i..self.end).unwrap_or_default();
        memchr::memchr2(b'\n', b'\r', hay).map_or(self.end, |p| i + p)
    }

    /// Start of the next line after `i`.
    fn next_line(&self, i: usize) -> usize {
        let e = self.line_end(i);
        if self.at(e) == b'\r' && self.at(e + 1) == b'\n' {
            e + 2
        } else {
            (e + 1).min(self.end)
        }
    }

    fn block_comment(&mut self, start: usize) -> usize {
        let mut depth = 0usize;
        let mut i = start;
        while i < self.end {
            let hay = self.b.get(i..self.end).unwrap_or_default();
            let Some(p) = memchr::memchr2(b'*', b'/', hay) else {
                break;
            };
            let j = i + p;
            if self.at(j) == b'/' && self.at(j + 1) == b'*' {
                depth += 1;
                i = j + 2;
            } else if self.at(j) == b'*' && self.at(j + 1) == b'/' {
                depth = depth.saturating_sub(1);
                i = j + 2;
                if depth == 0 {
                    self.out.comments.push(start..i);
                    return i;
                }
            } else {
                i = j + 1;
            }
        }
        self.unterminated(start, "block comment");
        self.out.comments.push(start..self.end);
        self.end
    }

    fn unterminated(&mut self, at: usize, what: &'static str) {
        if self.out.unterminated.is_none() {
            self.out.unterminated = Some((at, what));
        }
    }

    /// A quoted string or identifier opened at `open` (the quote), belonging to a token
    /// starting at `token_start` (differs for `E'...'`).
    fn quoted(
        &mut self,
        token_start: usize,
        open: usize,
        q: u8,
        backslash: bool,
        what: &'static str,
    ) -> usize {
        let mut i = open + 1;
        loop {
            let hay = self.b.get(i..self.end).unwrap_or_default();
            let found = if backslash {
                memchr::memchr2(q, b'\\', hay)
            } else {
                memchr::memchr(q, hay)
            };
            let Some(p) = found else {
                self.token(token_start, self.end);
                self.unterminated(open, what);
                return self.end;
            };
            let j = i + p;
            if self.at(j) == b'\\' {
                i = j + 2;
                if i >= self.end {
                    self.token(token_start, self.end);
                    self.unterminated(open, what);
                    return self.end;
                }
            } else if self.at(j + 1) == q {
                i = j + 2;
            } else {
                self.token(token_start, j + 1);
                return j + 1;
            }
        }
    }

    /// `$` at `i`: a `$tag$` body, a `$1` parameter or a lone `$`.
    fn dollar(&mut self, i: usize) -> usize {
        if i > self.begin && is_ident_continue(self.b.get(i - 1).copied().unwrap_or(0)) {
            self.token(i, i + 1);
            return i + 1;
        }
        let Some(tag_end) = dollar_tag_end(self.b, i, self.end) else {
            self.token(i, i + 1);
            return i + 1;
        };
        let tag = self.b.get(i..tag_end).unwrap_or_default();
        let hay = self.b.get(tag_end..self.end).unwrap_or_default();
        if let Some(p) = memchr::memmem::find(hay, tag) {
            let close = tag_end + p + tag.len();
            self.token(i, close);
            close
        } else {
            self.token(i, self.end);
            self.unterminated(i, "dollar-quoted body");
            self.end
        }
    }

    fn meta_line(&mut self, i: usize) -> usize {
        let e = self.line_end(i);
        let line = self.b.get(i..e).unwrap_or_default();
        let trimmed = line.len()
            - line
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
        let cmd_len = line
            .iter()
            .skip(1)
            .take_while(|c| !c.is_ascii_whitespace() && **c != b'\\')
            .count()
            + 1;
        let command = String::from_utf8_lossy(line.get(..cmd_len).unwrap_or_default()).into_owned();
        self.out.statements.push(RawStatement {
            span: i..i + trimmed,
            kind: StatementKind::PsqlMeta(command),
            terminated: true,
        });
        e
    }

    /// An identifier or keyword starting at `i`; updates the statement-head tracking.
    fn word(&mut self, i: usize) -> usize {
        let mut j = i + 1;
        while j < self.end && is_ident_continue(self.at(j)) {
            j += 1;
        }
        // E'...' escape strings (also e'...').
        if j == i + 1 && (self.at(i) == b'E' || self.at(i) == b'e') && self.at(j) == b'\'' {
            return self.quoted(i, j, b'\'', true, "single-quoted string");
        }
        let is_first = self.cur.start.is_none();
        self.token(i, j);
        let w = self.b.get(i..j).unwrap_or_default();
        let eq = |k: &str| w.eq_ignore_ascii_case(k.as_bytes());
        let cur = &mut self.cur;
        cur.head = match cur.head {
            Head::Start if is_first && eq("CREATE") => Head::Create,
            Head::Start if is_first && eq("COPY") => Head::Copy,
            Head::Create if eq("OR") => Head::CreateOr,
            Head::CreateOr if eq("REPLACE") => Head::CreateOrReplace,
            Head::Create | Head::CreateOrReplace if eq("FUNCTION") || eq("PROCEDURE") => {
                Head::Routine
            }
            Head::Routine => {
                if (cur.prev_marker && eq("ATOMIC")) || (cur.atomic_depth > 0 && eq("CASE")) {
                    cur.atomic_depth += 1;
                } else if cur.atomic_depth > 0 && eq("END") {
                    cur.atomic_depth -= 1;
                }
                cur.prev_marker = eq("BEGIN");
                Head::Routine
            }
            Head::Copy => {
                if cur.prev_marker && eq("STDIN") {
                    cur.copy_from_stdin = true;
                }
                cur.prev_marker = eq("FROM");
                Head::Copy
            }
            _ => Head::Other,
        };
        j
    }

    /// After `COPY ... FROM stdin;`: skip the data lines up to and including a `\.` line.
    fn skip_copy_data(&mut self, after_semicolon: usize) -> usize {
        let mut line = self.next_line(after_semicolon);
        while line < self.end {
            let e = self.line_end(line);
            let text = self.b.get(line..e).unwrap_or_default();
            if text.trim_ascii() == b"\\." {
                return e;
            }
            line = self.next_line(line);
        }
        if line >= self.end && self.next_line(after_semicolon) < self.end {
            self.unterminated(after_semicolon, "COPY FROM stdin data");
        }
        self.end
    }
}

/// If a dollar-quote opener `$tag$` starts at `i` (which holds `$`), the offset just past it.
pub(crate) fn dollar_tag_end(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let at = |k: usize| if k < end { b.get(k).copied() } else { None };
    let first = at(i + 1)?;
    if first == b'$' {
        return Some(i + 2);
    }
    if !is_ident_start(first) {
        return None;
    }
    let mut j = i + 2;
    loop {
        let c = at(j)?;
        if c == b'$' {
            return Some(j + 1);
        }
        if !(c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80) {
            return None;
        }
        j += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(text: &str) -> Vec<&str> {
        let s = split(text, 0..text.len());
        s.statements.iter().map(|r| &text[r.span.clone()]).collect()
    }

    #[test]
    fn simple_statements_with_exact_spans() {
        let t = "  CREATE TABLE a (x int) ;\n-- c\nDROP TABLE a;";
        assert_eq!(sql(t), ["CREATE TABLE a (x int)", "DROP TABLE a"]);
        let s = split(t, 0..t.len());
        assert!(
            s.statements
                .iter()
                .all(|r| r.terminated && r.kind == StatementKind::Sql)
        );
        assert_eq!(s.statements[0].span.start, 2);
        assert_eq!(s.comments, vec![27..31]);
        assert_eq!(s.unterminated, None);
    }

    #[test]
    fn empty_statements_produce_nothing() {
        assert!(sql(";;\n ; -- x\n/* y */;").is_empty());
        assert!(sql("").is_empty());
    }

    #[test]
    fn last_statement_without_semicolon_is_unterminated_flag() {
        let t = "SELECT 1; SELECT 2 -- trailing\n";
        let s = split(t, 0..t.len());
        assert_eq!(sql(t), ["SELECT 1", "SELECT 2"]);
        assert!(s.statements[0].terminated);
        assert!(!s.statements[1].terminated);
        assert_eq!(s.unterminated, None);
    }

    #[test]
    fn semicolons_inside_strings_identifiers_and_comments_do_not_split() {
        let t = "INSERT INTO t VALUES ('a;b', 'it''s;', E'x\\';y', \"we;ird\"\"q\") /* c; /* nested; */ still; */ ;\
                 SELECT 1 -- no; split\n;";
        assert_eq!(
            sql(t),
            [
                "INSERT INTO t VALUES ('a;b', 'it''s;', E'x\\';y', \"we;ird\"\"q\")",
                "SELECT 1"
            ]
        );
        let s = split(t, 0..t.len());
        assert_eq!(s.comments.len(), 2);
        assert_eq!(&t[s.comments[0].clone()], "/* c; /* nested; */ still; */");
        assert_eq!(&t[s.comments[1].clone()], "-- no; split");
    }

    #[test]
    fn plain_string_backslash_is_not_an_escape() {
        let t = "SELECT 'a\\'; SELECT 2;";
        assert_eq!(sql(t), ["SELECT 'a\\'", "SELECT 2"]);
    }

    #[test]
    fn dollar_quotes_with_and_without_tags() {
        let t = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\
                 DO $body$ BEGIN PERFORM 1; $x$ inner; $x$ END $body$;\
                 SELECT $1, a$b$c FROM t;";
        assert_eq!(
            sql(t),
            [
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                "DO $body$ BEGIN PERFORM 1; $x$ inner; $x$ END $body$",
                "SELECT $1, a$b$c FROM t"
            ]
        );
    }

    #[test]
    fn dollar_tag_with_multibyte_chars() {
        let t = "SELECT $é$ ; $é$; SELECT 'ü';";
        assert_eq!(sql(t), ["SELECT $é$ ; $é$", "SELECT 'ü'"]);
    }

    #[test]
    fn crlf_and_cr_line_endings() {
        let t = "SELECT 1 -- c;\r\n;\r\nSELECT 2;\rSELECT 3 -- x\rFROM t;";
        assert_eq!(sql(t), ["SELECT 1", "SELECT 2", "SELECT 3 -- x\rFROM t"]);
        let s = split(t, 0..t.len());
        assert_eq!(&t[s.comments[0].clone()], "-- c;");
        assert_eq!(&t[s.comments[1].clone()], "-- x");
    }

    #[test]
    fn multibyte_identifiers_and_spans() {
        let t = "CREATE TABLE café (naïve text);\nINSERT INTO café VALUES ('日本;語');";
        assert_eq!(
            sql(t),
            [
                "CREATE TABLE café (naïve text)",
                "INSERT INTO café VALUES ('日本;語')"
            ]
        );
    }

    #[test]
    fn psql_meta_lines() {
        let t = "\\set ON_ERROR_STOP on\nSELECT 1;\n  \\i other.sql  \r\nSELECT 2\n\\echo x;\n;";
        let s = split(t, 0..t.len());
        let got: Vec<(&str, StatementKind)> = s
            .statements
            .iter()
            .map(|r| (&t[r.span.clone()], r.kind.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "\\set ON_ERROR_STOP on",
                    StatementKind::PsqlMeta("\\set".into())
                ),
                ("SELECT 1", StatementKind::Sql),
                ("\\i other.sql", StatementKind::PsqlMeta("\\i".into())),
                // inside a statement a backslash is just a byte
                ("SELECT 2\n\\echo x", StatementKind::Sql),
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies_are_not_split() {
        let t = "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\n\
                 BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT 3;\nEND;\n\
                 CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n\
                 SELECT 'begin atomic'; BEGIN; END;";
        assert_eq!(
            sql(t),
            [
                "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\n\
                 BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT 3;\nEND",
                "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END",
                "SELECT 'begin atomic'",
                "BEGIN",
                "END"
            ]
        );
    }

    #[test]
    fn case_end_outside_routines_is_ignored() {
        let t = "SELECT CASE WHEN true THEN 1 END; SELECT 2;";
        assert_eq!(sql(t), ["SELECT CASE WHEN true THEN 1 END", "SELECT 2"]);
    }

    #[test]
    fn copy_from_stdin_data_is_skipped() {
        let t =
            "COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'\n\\.\nSELECT 1;\ncopy t to stdout;\nSELECT 2;";
        assert_eq!(
            sql(t),
            [
                "COPY t (a, b) FROM stdin",
                "SELECT 1",
                "copy t to stdout",
                "SELECT 2"
            ]
        );
        let t2 = "COPY t FROM STDIN;\r\n1\r\n\\.\r\nSELECT 1;";
        assert_eq!(sql(t2), ["COPY t FROM STDIN", "SELECT 1"]);
        let t3 = "COPY t FROM stdin;\n1\n";
        assert_eq!(
            split(t3, 0..t3.len()).unterminated,
            Some((18, "COPY FROM stdin data"))
        );
    }

    #[test]
    fn unterminated_things_are_reported_where_they_start() {
        for (t, at, what) in [
            ("SELECT 'abc", 7, "single-quoted string"),
            ("SELECT 1; DO $$ BEGIN", 13, "dollar-quoted body"),
            ("SELECT 1; /* a /* b */", 10, "block comment"),
            ("SELECT \"abc", 7, "quoted identifier"),
            ("SELECT E'abc\\'", 8, "single-quoted string"),
            ("SELECT E'abc\\", 8, "single-quoted string"),
        ] {
            let s = split(t, 0..t.len());
            assert_eq!(s.unterminated, Some((at, what)), "{t}");
        }
        let t = "SELECT 1; DO $$ BEGIN";
        assert_eq!(sql(t), ["SELECT 1", "DO $$ BEGIN"]);
    }

    #[test]
    fn sub_range_only() {
        let t = "SELECT 0; -- migrate:up\nCREATE TABLE a (x int);\n-- migrate:down\nDROP TABLE a;";
        let start = t.find("CREATE").unwrap_or(0);
        let end = t.find("-- migrate:down").unwrap_or(0);
        let s = split(t, start..end);
        assert_eq!(s.statements.len(), 1);
        assert_eq!(&t[s.statements[0].span.clone()], "CREATE TABLE a (x int)");
        // out-of-range and mid-char ranges are clamped
        let u = "é;é";
        let s = split(u, 1..100);
        assert_eq!(s.statements.len(), 1);
        assert_eq!(&u[s.statements[0].span.clone()], "é");
    }

    #[test]
    fn bom_is_skipped() {
        assert_eq!(sql("\u{feff}SELECT 1;"), ["SELECT 1"]);
    }

    #[test]
    fn fuzz_random_bytes_never_panic_and_spans_are_valid() {
        // xorshift, deterministic
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let alphabet = b"$$$''\"\";;;--//**\\\nE e(a)b_\r1\xC3\xA9\xFF\x00CASEND";
        for round in 0..3000 {
            let len = (round % 200) + 1;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let pick = usize::try_from(state % 1000).unwrap_or(0);
                bytes.push(if pick < 700 {
                    alphabet[pick % alphabet.len()]
                } else {
                    u8::try_from(state >> 56).unwrap_or(0)
                });
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let s = split(&text, 0..text.len());
            let mut prev = 0;
            for st in &s.statements {
                assert!(st.span.start >= prev && st.span.start <= st.span.end);
                assert!(
                    text.get(st.span.clone()).is_some(),
                    "{text:?} {:?}",
                    st.span
                );
                prev = st.span.end;
            }
            for c in &s.comments {
                assert!(text.get(c.clone()).is_some());
            }
        }
    }
}
