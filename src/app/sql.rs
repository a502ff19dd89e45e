//! Application scan, step 3: turn a [`Template`] into SQL text that sqlparser accepts —
//! interpolations and driver placeholders (`${x}`, `{x}`, `#{x}`, `$name`, `%s`, `%(n)s`, `?`,
//! `:name`) become `$n` parameters, or dummy identifiers where a name goes — and decide whether
//! the text is SQL at all.

use std::sync::LazyLock;

// ASCII-only byte regexes: the shapes only look at ASCII keywords and punctuation, and a
// Unicode-aware case-insensitive `\b`/`\s` pattern costs milliseconds to compile per process.
use regex::bytes::Regex;

use super::literal::{Chunk, Template};

/// Prefix of the identifiers that stand in for interpolations in identifier positions.
pub const DUMMY_IDENT: &str = "__dyn";

/// SQL text from a template, with anchors back into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substituted {
    pub sql: String,
    /// `(sql offset, file offset)` anchors, sorted by sql offset; between two anchors the
    /// mapping is one to one.
    pub offsets: Vec<(usize, usize)>,
    /// An interpolation sits where a table name goes.
    pub dynamic_relations: bool,
}

/// File offset of `sql_offset` through `anchors` (see [`Substituted::offsets`]).
#[must_use]
pub fn file_offset(anchors: &[(usize, usize)], sql_offset: usize) -> Option<usize> {
    let i = anchors.partition_point(|&(s, _)| s <= sql_offset);
    let (s, f) = *anchors.get(i.checked_sub(1)?)?;
    let linear = f + (sql_offset - s);
    // Never run past the next anchor's file offset (escapes and substitutions shrink/grow).
    Some(
        anchors
            .get(i)
            .map_or(linear, |&(_, next_f)| linear.min(next_f.max(f))),
    )
}

/// The template as SQL, when it is SQL.
#[must_use]
pub fn extract(template: &Template) -> Option<Substituted> {
    let sub = substitute(template);
    looks_like_sql(&sub.sql).then_some(sub)
}

const HOLE: char = '\0';

/// Substitute every interpolation and placeholder.
#[must_use]
pub fn substitute(template: &Template) -> Substituted {
    // 1. Flatten: text with NUL for each hole; raw anchors (raw offset, file offset).
    let mut raw = String::new();
    let mut raw_anchors: Vec<(usize, usize)> = Vec::new();
    for chunk in &template.chunks {
        match chunk {
            Chunk::Text { text, at, .. } => {
                raw_anchors.push((raw.len(), *at));
                raw.extend(text.chars().map(|c| if c == HOLE { ' ' } else { c }));
            }
            Chunk::Hole(range) => {
                raw_anchors.push((raw.len(), range.start));
                raw.push(HOLE);
            }
        }
    }
    // 2. Rewrite.
    let mut w = Writer::default();
    w.run(&raw);
    // 3. Compose anchors: sql -> raw (sync points) and raw -> file.
    let raw_to_file = |r: usize| file_offset(&raw_anchors, r).unwrap_or(template.span.start);
    let raw_to_sql = |r: usize| {
        let i = w.sync.partition_point(|&(_, sr)| sr <= r);
        i.checked_sub(1)
            .and_then(|i| w.sync.get(i))
            .map_or(r, |&(so, sr)| so + (r - sr))
    };
    let mut offsets: Vec<(usize, usize)> = Vec::new();
    for &(so, sr) in &w.sync {
        offsets.push((so, raw_to_file(sr)));
    }
    for &(r, f) in &raw_anchors {
        offsets.push((raw_to_sql(r), f));
    }
    offsets.sort_unstable();
    offsets.dedup_by_key(|a| a.0);
    Substituted {
        sql: w.out,
        offsets,
        dynamic_relations: w.dynamic,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Normal,
    Single,
    /// Inside a double-quoted identifier; `true` when it names a relation.
    Double(bool),
    Line,
    Block(u32),
}

#[derive(Default)]
struct Writer {
    out: String,
    /// `(sql offset, raw offset)` points after which the copy is one to one.
    sync: Vec<(usize, usize)>,
    params: usize,
    idents: usize,
    dynamic: bool,
}

impl Writer {
    fn run(&mut self, raw: &str) {
        let mut state = State::Normal;
        let mut dollar_tag: Option<String> = None;
        let mut i = 0;
        self.sync.push((0, 0));
        while i < raw.len() {
            let rest = raw.get(i..).unwrap_or_default();
            let Some(c) = rest.chars().next() else { break };
            let next = rest.get(c.len_utf8()..).unwrap_or_default();
            if let Some(tag) = &dollar_tag {
                if c == HOLE {
                    self.replace(i, 1, "x");
                } else if rest.starts_with(tag.as_str()) {
                    let n = tag.len();
                    self.copy(rest.get(..n).unwrap_or_default());
                    dollar_tag = None;
                    i += n;
                    continue;
                } else {
                    self.out.push(c);
                }
                i += c.len_utf8();
                continue;
            }
            match state {
                State::Single | State::Double(_) => {
                    let quote = if state == State::Single { '\'' } else { '"' };
                    if c == HOLE {
                        if let State::Double(rel) = state {
                            // A quoted name: a dummy identifier, recognisable downstream.
                            self.dynamic |= rel;
                            self.idents += 1;
                            let id = format!("{DUMMY_IDENT}{}", self.idents);
                            self.replace(i, 1, &id);
                        } else {
                            self.replace(i, 1, "x");
                        }
                    } else {
                        self.out.push(c);
                        if c == quote {
                            if next.starts_with(quote) {
                                self.out.push(quote);
                                i += 2;
                                continue;
                            }
                            state = State::Normal;
                        }
                    }
                    i += c.len_utf8();
                }
                State::Line => {
                    if c == HOLE {
                        self.replace(i, 1, "");
                    } else {
                        self.out.push(c);
                    }
                    if c == '\n' || c == '\r' {
                        state = State::Normal;
                    }
                    i += c.len_utf8();
                }
                State::Block(depth) => {
                    if c == HOLE {
                        self.replace(i, 1, "");
                        i += 1;
                    } else if rest.starts_with("*/") {
                        self.out.push_str("*/");
                        state = if depth <= 1 {
                            State::Normal
                        } else {
                            State::Block(depth - 1)
                        };
                        i += 2;
                    } else if rest.starts_with("/*") {
                        self.out.push_str("/*");
                        state = State::Block(depth + 1);
                        i += 2;
                    } else {
                        self.out.push(c);
                        i += c.len_utf8();
                    }
                }
                State::Normal => {
                    let consumed = self.normal(raw, i, c, next, &mut state, &mut dollar_tag);
                    i += consumed.max(1);
                }
            }
        }
    }

    /// One step in normal SQL text; returns the raw bytes consumed.
    fn normal(
        &mut self,
        raw: &str,
        i: usize,
        c: char,
        next: &str,
        state: &mut State,
        dollar: &mut Option<String>,
    ) -> usize {
        let after = |n: usize| raw.get(i + n..).unwrap_or_default();
        match c {
            HOLE => {
                self.hole(i, 1, after(1));
                1
            }
            '\'' => {
                self.out.push(c);
                *state = State::Single;
                1
            }
            '"' => {
                let rel = relation_before(&self.out);
                self.out.push(c);
                *state = State::Double(rel);
                1
            }
            '-' if next.starts_with('-') => {
                self.out.push_str("--");
                *state = State::Line;
                2
            }
            '/' if next.starts_with('*') => {
                self.out.push_str("/*");
                *state = State::Block(1);
                2
            }
            ':' if next.starts_with(':') || next.starts_with('=') => {
                self.copy(raw.get(i..i + 2).unwrap_or_default());
                2
            }
            ':' if next.starts_with(is_ident_start) && !self.out.ends_with(is_ident_char) => {
                let n = 1 + ident_len(next);
                self.hole(i, n, after(n));
                n
            }
            '$' => {
                if next.starts_with(|c: char| c.is_ascii_digit()) {
                    let n = 1 + next.bytes().take_while(u8::is_ascii_digit).count();
                    self.copy(raw.get(i..i + n).unwrap_or_default());
                    return n;
                }
                if next.starts_with('$') {
                    *dollar = Some("$$".to_owned());
                    self.out.push_str("$$");
                    return 2;
                }
                if next.starts_with('{')
                    && let Some(close) = next.find('}')
                {
                    let n = 2 + close;
                    self.hole(i, n, after(n));
                    return n;
                }
                let len = if next.starts_with(is_ident_start) {
                    ident_len(next)
                } else {
                    0
                };
                if len > 0 {
                    if next.get(len..).is_some_and(|s| s.starts_with('$')) {
                        let tag = format!("${}$", next.get(..len).unwrap_or_default());
                        self.out.push_str(&tag);
                        let n = tag.len();
                        *dollar = Some(tag);
                        return n;
                    }
                    let n = 1 + len;
                    self.hole(i, n, after(n));
                    return n;
                }
                self.out.push(c);
                1
            }
            '#' if next.starts_with('{') => match next.find('}') {
                Some(close) => {
                    let n = 2 + close;
                    self.hole(i, n, after(n));
                    n
                }
                None => {
                    self.out.push(c);
                    1
                }
            },
            '{' => match next.find('}') {
                Some(close)
                    if close < 80
                        && !next.get(..close).unwrap_or_default().contains(['\n', '{']) =>
                {
                    let n = 2 + close;
                    self.hole(i, n, after(n));
                    n
                }
                _ => {
                    self.out.push(c);
                    1
                }
            },
            '%' => {
                if next.starts_with('(')
                    && let Some(close) = next.find(')')
                    && next
                        .get(close + 1..)
                        .is_some_and(|s| s.starts_with(['s', 'd']))
                {
                    let n = close + 3;
                    self.hole(i, n, after(n));
                    return n;
                }
                let verb = next.chars().next();
                let then = next.get(1..).unwrap_or_default();
                if verb.is_some_and(|v| "sdvqifx".contains(v)) && !then.starts_with(is_ident_char) {
                    self.hole(i, 2, after(2));
                    return 2;
                }
                if next.starts_with('%') {
                    self.out.push_str("%%");
                    return 2;
                }
                self.out.push(c);
                1
            }
            '?' => {
                if next.starts_with(['|', '&']) {
                    self.out.push(c);
                    return 1;
                }
                let jsonb_key = self.out.trim_end().ends_with(is_ident_char)
                    && next.trim_start().starts_with('\'');
                if jsonb_key {
                    self.out.push(c);
                    return 1;
                }
                let n = 1 + next.bytes().take_while(u8::is_ascii_digit).count();
                self.hole(i, n, after(n));
                n
            }
            _ => {
                self.out.push(c);
                c.len_utf8()
            }
        }
    }

    fn copy(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Replace `raw_len` raw bytes at `raw_at` by `with`, keeping the offset map in sync.
    fn replace(&mut self, raw_at: usize, raw_len: usize, with: &str) {
        self.sync.push((self.out.len(), raw_at));
        self.out.push_str(with);
        self.sync.push((self.out.len(), raw_at + raw_len));
    }

    /// An interpolation in normal SQL text.
    fn hole(&mut self, raw_at: usize, raw_len: usize, after: &str) {
        match classify(&self.out, after) {
            HoleKind::Param => {
                self.params += 1;
                let p = format!("${}", self.params);
                self.replace(raw_at, raw_len, &p);
            }
            HoleKind::Ident { relation } => {
                self.idents += 1;
                self.dynamic |= relation;
                let id = format!("{DUMMY_IDENT}{}", self.idents);
                self.replace(raw_at, raw_len, &id);
            }
            HoleKind::Fragment => self.replace(raw_at, raw_len, " "),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoleKind {
    Param,
    Ident { relation: bool },
    Fragment,
}

const RELATION_KEYWORDS: [&str; 8] = [
    "from", "join", "into", "update", "table", "only", "truncate", "using",
];

const OPERAND_KEYWORDS: [&str; 40] = [
    "select",
    "where",
    "and",
    "or",
    "not",
    "limit",
    "offset",
    "by",
    "set",
    "values",
    "on",
    "when",
    "then",
    "else",
    "in",
    "is",
    "like",
    "ilike",
    "between",
    "returning",
    "having",
    "distinct",
    "as",
    "case",
    "any",
    "all",
    "exists",
    "interval",
    "fetch",
    "first",
    "next",
    "array",
    "row",
    "with",
    "similar",
    "to",
    "escape",
    "return",
    "over",
    "partition",
];

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn ident_len(s: &str) -> usize {
    s.char_indices()
        .find(|&(_, c)| !is_ident_char(c) || c == '$')
        .map_or(s.len(), |(i, _)| i)
}

/// The word before the end of `out`, skipping trailing whitespace and a qualifier chain
/// (`platform.`, `"x".`).
fn word_before(out: &str) -> String {
    let mut s = out.trim_end();
    while let Some(rest) = s.strip_suffix('.') {
        let rest = rest.trim_end();
        let qual = if let Some(r) = rest.strip_suffix('"') {
            r.rfind('"').map_or(r, |q| r.get(..q).unwrap_or_default())
        } else {
            rest.trim_end_matches(is_ident_char)
        };
        s = qual.trim_end();
    }
    let start = s.trim_end_matches(is_ident_char).len();
    s.get(start..).unwrap_or_default().to_ascii_lowercase()
}

/// True when a relation name would be written at the end of `out`.
fn relation_before(out: &str) -> bool {
    RELATION_KEYWORDS.contains(&word_before(out).as_str())
}

fn classify(out: &str, after: &str) -> HoleKind {
    let prev = out.chars().next_back();
    let next = after.chars().next();
    if relation_before(out) {
        return HoleKind::Ident { relation: true };
    }
    let glued_left = prev.is_some_and(|c| is_ident_char(c) || c == '.');
    let glued_right = next.is_some_and(|c| is_ident_char(c) || c == '.' || c == HOLE);
    if glued_left || glued_right {
        return HoleKind::Ident { relation: false };
    }
    let trimmed = out.trim_end();
    let word = word_before(out);
    if word == "as" {
        return HoleKind::Ident { relation: false };
    }
    if trimmed.is_empty() {
        return HoleKind::Fragment;
    }
    let ends_operand =
        trimmed.ends_with(|c: char| is_ident_char(c) || c == ')' || c == '\'' || c == '"');
    if ends_operand && !OPERAND_KEYWORDS.contains(&word.as_str()) {
        return HoleKind::Fragment;
    }
    HoleKind::Param
}

// ----- is it SQL? -----

const NAME: &str = r#"(?:"[^"]+"|[a-z_][a-z0-9_$]*)"#;

/// A query's shape after its first keyword, one regex per keyword, each built the first time
/// a literal starts with its keyword (building all six cost ~0.2 ms of a small scan).
type Shape = LazyLock<Option<Regex>, fn() -> Option<Regex>>;

fn shape(pattern: &str) -> Option<Regex> {
    let q = format!(r"{NAME}(?:\s*\.\s*{NAME})?");
    Regex::new(&format!(
        "(?is-u){}",
        pattern.replace("{q}", &q).replace("{NAME}", NAME)
    ))
    .ok()
}

static SHAPES: [(&str, Shape); 6] = [
    ("select", LazyLock::new(|| shape(r"^select\b"))),
    (
        "insert",
        LazyLock::new(|| {
            shape(
                r"^insert\s+into\s+{q}\s*(?:\(|values\b|select\b|default\b|overriding\b|as\b|with\b|\$|;|$)",
            )
        }),
    ),
    (
        "update",
        LazyLock::new(|| shape(r"^update\s+(?:only\s+)?{q}(?:\s+(?:as\s+)?{NAME})?\s+set\s")),
    ),
    (
        "delete",
        LazyLock::new(|| {
            shape(
                r"^delete\s+from\s+(?:only\s+)?{q}(?:\s+(?:as\s+)?{NAME})?\s*(?:where\b|using\b|returning\b|;|$)",
            )
        }),
    ),
    (
        "with",
        LazyLock::new(|| {
            shape(
                r"^with\s+(?:recursive\s+)?{NAME}\s*(?:\([^)]*\))?\s*as\s*(?:not\s+)?(?:materialized\s+)?\(",
            )
        }),
    ),
    ("merge", LazyLock::new(|| shape(r"^merge\s+into\s+{q}"))),
];

static SELECT_FROM: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?is-u)^select\s*(.*?)\bfrom\s+(?:only\s+)?(?:{NAME}|\(|\$\d)"#
    ))
    .ok()
});

static PARAM: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?-u)\$\d+").ok());

/// English words that never stand alone in a query.
const STOPWORDS: [&str; 12] = [
    "the", "your", "you", "please", "an", "this", "we", "our", "my", "its", "it's", "here",
];

/// Whether `sql` (already substituted) is a query: it starts with a DML keyword followed by
/// SQL structure, and does not read like a sentence.
#[must_use]
pub fn looks_like_sql(sql: &str) -> bool {
    let body = strip_leading(sql);
    let first: String = body.chars().take_while(char::is_ascii_alphabetic).collect();
    let lower = first.to_ascii_lowercase();
    let Some((_, shape)) = SHAPES.iter().find(|(k, _)| *k == lower) else {
        return false;
    };
    if !shape
        .as_ref()
        .is_some_and(|re| re.is_match(body.as_bytes()))
    {
        return false;
    }
    let words = unquoted_words(body);
    if words
        .iter()
        .any(|w| STOPWORDS.contains(&w.to_ascii_lowercase().as_str()))
    {
        return false;
    }
    let tail = body.trim_end().trim_end_matches(';').trim_end();
    if tail.ends_with(['.', '!', ':']) || tail.ends_with("...") {
        return false;
    }
    // "Select your plan" style: a Title-case keyword must be backed by a successful parse.
    let title_case = first.len() > 1
        && first.starts_with(|c: char| c.is_ascii_uppercase())
        && first.chars().skip(1).all(|c| c.is_ascii_lowercase());
    if lower == "select" {
        let with_from = SELECT_FROM
            .as_ref()
            .and_then(|re| re.captures(body.as_bytes()));
        match with_from {
            Some(caps) => {
                // The group starts after ASCII `select` and ends before ASCII `from`: both
                // ends are char boundaries.
                let list = caps
                    .get(1)
                    .and_then(|m| body.get(m.range()))
                    .unwrap_or_default()
                    .trim();
                if list.is_empty() || is_prose_list(list) {
                    return false;
                }
            }
            None => {
                // `SELECT 1`, `SELECT now()`: needs SQL punctuation and a clean parse.
                let without_params = PARAM.as_ref().map_or(body.as_bytes().into(), |re| {
                    re.replace_all(body.as_bytes(), &b""[..])
                });
                return without_params
                    .iter()
                    .any(|c| c.is_ascii_digit() || b"(*'".contains(c))
                    && parses(sql);
            }
        }
    }
    !title_case || (body.contains(|c: char| "*,=($".contains(c)) && parses(sql))
}

/// A select list of two or more bare words and no punctuation (`a plan`, `returned rows`):
/// an implicit alias in theory, a sentence in practice.
fn is_prose_list(list: &str) -> bool {
    if list.contains(|c: char| !(c.is_alphanumeric() || c == '_' || c.is_whitespace())) {
        return false;
    }
    let words = list
        .split_whitespace()
        .filter(|w| !matches!(w.to_ascii_lowercase().as_str(), "distinct" | "all"))
        .count();
    words >= 2
}

/// Whether sqlparser (PostgreSQL dialect) accepts the text.
#[must_use]
pub fn parses(sql: &str) -> bool {
    sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, sql).is_ok()
}

/// Skip whitespace, comments and opening parentheses.
fn strip_leading(sql: &str) -> &str {
    let mut s = sql;
    loop {
        let t = s.trim_start().trim_start_matches('(').trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            s = rest
                .find('\n')
                .map_or("", |n| rest.get(n..).unwrap_or_default());
        } else if let Some(rest) = t.strip_prefix("/*") {
            s = rest
                .find("*/")
                .map_or("", |n| rest.get(n + 2..).unwrap_or_default());
        } else {
            return t;
        }
    }
}

/// Words outside quotes and comments.
fn unquoted_words(sql: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut quote: Option<char> = None;
    let mut start: Option<usize> = None;
    for (i, c) in sql.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' || c == '\'' && start.is_some() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            words.push(sql.get(s..i).unwrap_or_default());
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
        }
    }
    if let Some(s) = start {
        words.push(sql.get(s..).unwrap_or_default());
    }
    words
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn tpl(parts: &[Result<&str, &str>]) -> Template {
        // Ok(text) / Err(hole text); offsets: the concatenation of parts.
        let mut chunks = Vec::new();
        let mut at = 0;
        for p in parts {
            match p {
                Ok(t) => {
                    chunks.push(Chunk::Text {
                        text: (*t).to_owned(),
                        at,
                        exact: true,
                    });
                    at += t.len();
                }
                Err(h) => {
                    chunks.push(Chunk::Hole(at..at + h.len()));
                    at += h.len();
                }
            }
        }
        Template {
            span: 0..at,
            chunks,
        }
    }

    fn sub(s: &str) -> Substituted {
        substitute(&tpl(&[Ok(s)]))
    }

    #[test]
    fn value_holes_become_parameters() {
        let t = tpl(&[
            Ok("SELECT * FROM platform.projects WHERE ref = "),
            Err("${ref}"),
            Ok(" LIMIT "),
            Err("${n}"),
        ]);
        let s = substitute(&t);
        assert_eq!(
            s.sql,
            "SELECT * FROM platform.projects WHERE ref = $1 LIMIT $2"
        );
        assert!(!s.dynamic_relations);
        assert!(parses(&s.sql));
    }

    #[test]
    fn relation_holes_become_identifiers() {
        for (parts, want) in [
            (
                vec![Ok("SELECT * FROM "), Err("${t}"), Ok(" WHERE a = 1")],
                "SELECT * FROM __dyn1 WHERE a = 1",
            ),
            (
                vec![Ok("SELECT * FROM platform."), Err("${t}")],
                "SELECT * FROM platform.__dyn1",
            ),
            (
                vec![Ok("SELECT * FROM "), Err("${s}"), Ok(".users")],
                "SELECT * FROM __dyn1.users",
            ),
            (
                vec![Ok("INSERT INTO \""), Err("${t}"), Ok("\" (a) VALUES (1)")],
                "INSERT INTO \"__dyn1\" (a) VALUES (1)",
            ),
            (
                vec![Ok("UPDATE "), Err("${t}"), Ok(" SET a = "), Err("${v}")],
                "UPDATE __dyn1 SET a = $1",
            ),
        ] {
            let s = substitute(&tpl(&parts));
            assert_eq!(s.sql, want);
            assert!(s.dynamic_relations, "{want}");
            assert!(parses(&s.sql), "{want}");
        }
    }

    #[test]
    fn column_and_fragment_holes() {
        let s = substitute(&tpl(&[
            Ok("SELECT id, "),
            Err("${col}"),
            Ok("_at FROM t ORDER BY "),
            Err("a"),
            Ok(" "),
            Err("d"),
        ]));
        assert_eq!(s.sql, "SELECT id, __dyn1_at FROM t ORDER BY $1  ");
        assert!(!s.dynamic_relations);
        let s = substitute(&tpl(&[Ok("SELECT * FROM t "), Err("${where}")]));
        assert_eq!(s.sql, "SELECT * FROM t  ");
        assert!(parses(&s.sql));
    }

    #[test]
    fn text_placeholders() {
        assert_eq!(
            sub("SELECT * FROM t WHERE a = %s AND b = %(name)s").sql,
            "SELECT * FROM t WHERE a = $1 AND b = $2"
        );
        assert_eq!(
            sub("SELECT * FROM t WHERE a = ? AND b = ?2").sql,
            "SELECT * FROM t WHERE a = $1 AND b = $2"
        );
        assert_eq!(
            sub("SELECT a::text FROM t WHERE a = :id").sql,
            "SELECT a::text FROM t WHERE a = $1"
        );
        assert_eq!(
            sub("SELECT * FROM t WHERE a = $1 AND b = #{b}").sql,
            "SELECT * FROM t WHERE a = $1 AND b = $1"
        );
        let s = sub("SELECT * FROM %s WHERE id = %d");
        assert_eq!(s.sql, "SELECT * FROM __dyn1 WHERE id = $1");
        assert!(s.dynamic_relations);
        let s = sub("SELECT * FROM {table} WHERE id = {id}");
        assert_eq!(s.sql, "SELECT * FROM __dyn1 WHERE id = $1");
        let s = sub("SELECT * FROM $table WHERE id = ${id}");
        assert_eq!(s.sql, "SELECT * FROM __dyn1 WHERE id = $1");
    }

    #[test]
    fn quotes_comments_and_dollar_bodies_are_left_alone() {
        let src = "SELECT '%s ? :x {y}', \"a?b\" FROM t -- what? :no\nWHERE b ? 'k' AND c ?| d AND e = $$ ? $$";
        assert_eq!(sub(src).sql, src);
        let s = substitute(&tpl(&[
            Ok("SELECT * FROM t WHERE name LIKE '%"),
            Err("${q}"),
            Ok("%'"),
        ]));
        assert_eq!(s.sql, "SELECT * FROM t WHERE name LIKE '%x%'");
    }

    #[test]
    fn offsets_map_back_to_the_file() {
        let t = tpl(&[
            Ok("SELECT * FROM t WHERE a = "),
            Err("${value}"),
            Ok(" AND b = 1"),
        ]);
        let s = substitute(&t);
        let sql_b = s.sql.find("b = 1").unwrap();
        let file = "SELECT * FROM t WHERE a = ${value} AND b = 1";
        assert_eq!(file_offset(&s.offsets, sql_b), file.find("b = 1"));
        assert_eq!(
            file_offset(&s.offsets, s.sql.find("$1").unwrap()),
            file.find("${value}")
        );
    }

    #[test]
    fn sql_is_recognised() {
        for yes in [
            "SELECT * FROM platform.organizations",
            "  select id, name\n  from users where id = $1",
            "(SELECT 1)",
            "SELECT now()",
            "INSERT INTO platform.projects (name) VALUES ($1) RETURNING *",
            "UPDATE platform.projects SET status = $1 WHERE id = $2",
            "UPDATE projects p SET status = $1",
            "DELETE FROM sessions WHERE expires_at < now()",
            "WITH recent AS (SELECT 1) SELECT * FROM recent",
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
            "-- fetch\nSELECT a FROM b",
        ] {
            assert!(looks_like_sql(yes), "should be SQL: {yes}");
        }
    }

    #[test]
    fn prose_is_not_sql() {
        for no in [
            "Select your organization",
            "select a plan from the list below",
            "Select plan from dropdown",
            "Selecting from cache",
            "select",
            "Update your profile",
            "update failed: db from replica",
            "Delete from the cart",
            "Delete project",
            "Insert into cart",
            "With great power comes great responsibility",
            "select all",
            "Select $1",
            "SELECT FROM",
            "Merge request",
            "Failed to select from table: %s",
            "select returned   rows from cache",
            "select from users failed: $1",
        ] {
            assert!(!looks_like_sql(no), "should not be SQL: {no}");
        }
    }
}
