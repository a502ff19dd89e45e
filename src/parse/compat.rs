//! Stage 2 (parse): PostgreSQL syntax sqlparser 0.64 does not know, made parseable. When a
//! statement fails to parse, known unsupported clauses are blanked out char by char (so
//! every remaining identifier keeps its line and character column) and parsing is retried.
//! What was blanked is kept as a [`Compat`] note for the lowering, so no meaning is lost:
//! - `CREATE TABLE t (LIKE s INCLUDING ALL, x int)` (LIKE mixed with columns, LIKE options);
//! - `CREATE MATERIALIZED VIEW ... WITH [NO] DATA`;
//! - `CREATE INDEX ... ON ONLY t`;
//! - after CREATE TABLE's column list: `USING access_method`, `TABLESPACE name` and
//!   `WITHOUT OIDS` (storage only, nothing the model holds);
//! - `DROP INDEX CONCURRENTLY ...`;
//! - `ALTER INDEX IF EXISTS ... RENAME TO ...`;
//! - `ALTER TABLE [IF EXISTS] [ONLY] t SET SCHEMA s`, which sqlparser only knows for views: the
//!   word `TABLE` becomes `VIEW ` (same length) and [`Compat::TableSetSchema`] says so; the same
//!   for `ALTER TYPE t SET SCHEMA s` (`TYPE` becomes `VIEW`, [`Compat::TypeSetSchema`]).

use std::sync::LazyLock;

use regex::Regex;

/// Something the compat rewrite removed from the text handed to sqlparser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compat {
    /// A `LIKE source [INCLUDING|EXCLUDING option]...` table element. `offset` is the byte
    /// offset of `source` in the statement text.
    Like {
        source: String,
        offset: usize,
        options: Vec<String>,
    },
    /// `WITH [NO] DATA` after a materialized view's query.
    WithData,
    /// `ON ONLY` in CREATE INDEX.
    OnlyKeyword,
    /// `USING am`, `TABLESPACE name` or `WITHOUT OIDS` after CREATE TABLE's column list.
    StorageClause,
    /// `CONCURRENTLY` in DROP INDEX.
    Concurrently,
    /// `IF EXISTS` in ALTER INDEX.
    IfExists,
    /// `ALTER TABLE ... SET SCHEMA`, handed to sqlparser as `ALTER VIEW ... SET SCHEMA` (and
    /// without `ONLY`).
    TableSetSchema,
    /// `ALTER TYPE ... SET SCHEMA`, handed to sqlparser as `ALTER VIEW ... SET SCHEMA`.
    TypeSetSchema,
}

static CREATE_TABLE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?is)^\s*CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\b",
    )
    .ok()
});
static LIKE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)([(,]\s*)(LIKE\s+((?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?)((?:\s+(?:INCLUDING|EXCLUDING)\s+\w+)*))\s*(,?)"#,
    )
    .ok()
});
static WITH_DATA: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?is)\bWITH\s+(?:NO\s+)?DATA\s*$").ok());
static ON_ONLY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?is)^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b.*?\bON\s+(ONLY)\b").ok());

static DROP_INDEX_CONCURRENTLY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?is)^\s*DROP\s+INDEX\s+(CONCURRENTLY)\b").ok());
static ALTER_INDEX_IF_EXISTS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?is)^\s*ALTER\s+INDEX\s+(IF\s+EXISTS)\b").ok());
/// `ALTER TABLE [IF EXISTS] [ONLY] name SET SCHEMA schema`, the name one identifier or two
/// (quoted or not) and nothing after the schema.
static TABLE_SET_SCHEMA: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)^\s*ALTER\s+(TABLE)\s+(?:IF\s+EXISTS\s+)?(ONLY\s+)?(?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?\s+SET\s+SCHEMA\s+(?:"(?:[^"]|"")+"|[\w$]+)\s*$"#,
    )
    .ok()
});

static TYPE_SET_SCHEMA: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)^\s*ALTER\s+(TYPE)\s+(?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?\s+SET\s+SCHEMA\s+(?:"(?:[^"]|"")+"|[\w$]+)\s*$"#,
    )
    .ok()
});

/// Byte ranges of `USING am`, `TABLESPACE name` and `WITHOUT OIDS` at parenthesis depth 0
/// after the first parenthesised list of a CREATE TABLE (its columns, or `PARTITION OF`'s
/// bounds come later and are skipped as parentheses too).
fn storage_clauses(text: &str) -> Vec<std::ops::Range<usize>> {
    use super::lex::{Lexer, Tok, is_kw};
    let toks: Vec<_> = Lexer::new(text, 0..text.len()).collect();
    let mut depth = 0usize;
    let mut seen_list = false;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        match t.kind {
            Tok::Punct(b'(') => depth += 1,
            Tok::Punct(b')') => {
                depth = depth.saturating_sub(1);
                seen_list |= depth == 0;
            }
            _ if depth == 0 && seen_list => {
                let next = toks.get(i + 1);
                let word_after = next.is_some_and(|n| matches!(n.kind, Tok::Word | Tok::Quoted));
                let storage =
                    (is_kw(text, t, "USING") || is_kw(text, t, "TABLESPACE")) && word_after;
                let oids =
                    is_kw(text, t, "WITHOUT") && next.is_some_and(|n| is_kw(text, n, "OIDS"));
                let pair = if storage || oids { next } else { None };
                if let Some(n) = pair {
                    out.push(t.range.start..n.range.end);
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Blank `range` of `text` char by char (newlines kept).
fn blank(text: &mut String, range: std::ops::Range<usize>) {
    let Some(part) = text.get(range.clone()) else {
        return;
    };
    let replaced: String = part
        .chars()
        .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
        .collect();
    text.replace_range(range, &replaced);
}

/// A parseable version of `text` and what was removed, or `None` when no rewrite applies.
/// The result has the same lines and character columns as `text` (not the same bytes).
#[must_use]
pub fn rewrite(text: &str) -> Option<(String, Vec<Compat>)> {
    let mut notes = Vec::new();
    let mut out = text.to_string();
    // Work on byte ranges of the ORIGINAL text, blanking from the end so earlier ranges stay valid.
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    if CREATE_TABLE.as_ref().is_some_and(|r| r.is_match(text))
        && let Some(re) = LIKE.as_ref()
    {
        for c in re.captures_iter(text) {
            let (Some(lead), Some(elem), Some(src), Some(trailing)) =
                (c.get(1), c.get(2), c.get(3), c.get(5))
            else {
                continue;
            };
            let options: Vec<String> = c
                .get(4)
                .map(|o| {
                    o.as_str()
                        .split_whitespace()
                        .map(str::to_ascii_uppercase)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .chunks(2)
                .map(|p| p.join(" "))
                .collect();
            notes.push(Compat::Like {
                source: src.as_str().to_string(),
                offset: src.start(),
                options,
            });
            // Blank the element and one separating comma: the trailing one if present,
            // else the leading one (when the element is not the first).
            let mut start = elem.start();
            let end = if trailing.as_str().is_empty() {
                elem.end()
            } else {
                trailing.end()
            };
            if trailing.as_str().is_empty() && lead.as_str().starts_with(',') {
                start = lead.start();
            }
            ranges.push(start..end);
        }
    }
    if CREATE_TABLE.as_ref().is_some_and(|r| r.is_match(text)) {
        let clauses = storage_clauses(text);
        if !clauses.is_empty() {
            notes.push(Compat::StorageClause);
            ranges.extend(clauses);
        }
    }
    if let Some(m) = WITH_DATA.as_ref().and_then(|r| r.find(text))
        && (text.to_ascii_uppercase().contains("MATERIALIZED")
            || CREATE_TABLE.as_ref().is_some_and(|r| r.is_match(text)))
    {
        notes.push(Compat::WithData);
        ranges.push(m.range());
    }
    if let Some(m) = ON_ONLY
        .as_ref()
        .and_then(|r| r.captures(text))
        .and_then(|c| c.get(1))
    {
        notes.push(Compat::OnlyKeyword);
        ranges.push(m.range());
    }
    for (re, note) in [
        (&DROP_INDEX_CONCURRENTLY, Compat::Concurrently),
        (&ALTER_INDEX_IF_EXISTS, Compat::IfExists),
    ] {
        if let Some(m) = re
            .as_ref()
            .and_then(|r| r.captures(text))
            .and_then(|c| c.get(1))
        {
            notes.push(note);
            ranges.push(m.range());
        }
    }
    if let Some(c) = TABLE_SET_SCHEMA.as_ref().and_then(|r| r.captures(text))
        && let Some(table) = c.get(1)
    {
        notes.push(Compat::TableSetSchema);
        out.replace_range(table.range(), "VIEW ");
        if let Some(only) = c.get(2) {
            ranges.push(only.range());
        }
    }
    if let Some(ty) = TYPE_SET_SCHEMA
        .as_ref()
        .and_then(|r| r.captures(text))
        .and_then(|c| c.get(1))
    {
        notes.push(Compat::TypeSetSchema);
        out.replace_range(ty.range(), "VIEW");
    }
    if notes.is_empty() {
        return None;
    }
    ranges.sort_by_key(|r| std::cmp::Reverse(r.start));
    for r in ranges {
        blank(&mut out, r);
    }
    Some((out, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_with_columns_is_blanked_and_noted() {
        let (text, notes) = rewrite("CREATE TABLE c (LIKE s INCLUDING ALL, note text)").unwrap();
        assert_eq!(
            text.trim_end(),
            "CREATE TABLE c (                      note text)"
        );
        assert_eq!(
            notes,
            vec![Compat::Like {
                source: "s".into(),
                offset: 21,
                options: vec!["INCLUDING ALL".into()]
            }]
        );
        let (text, _) = rewrite("CREATE TABLE c (a int, LIKE s)").unwrap();
        assert_eq!(text, "CREATE TABLE c (a int        )");
    }

    #[test]
    fn with_no_data_and_on_only() {
        let (t, n) = rewrite("CREATE MATERIALIZED VIEW v AS SELECT 1 WITH NO DATA").unwrap();
        assert!(!t.contains("DATA") && n == vec![Compat::WithData]);
        let (t, n) = rewrite("CREATE INDEX i ON ONLY t (a)").unwrap();
        assert_eq!(t, "CREATE INDEX i ON      t (a)");
        assert_eq!(n, vec![Compat::OnlyKeyword]);
    }

    #[test]
    fn drop_index_concurrently_and_alter_index_if_exists() {
        let (t, n) = rewrite("DROP INDEX CONCURRENTLY IF EXISTS i").unwrap();
        assert_eq!(t, "DROP INDEX              IF EXISTS i");
        assert_eq!(n, vec![Compat::Concurrently]);
        let (t, n) = rewrite("alter index if exists i rename to j").unwrap();
        assert_eq!(t, "alter index           i rename to j");
        assert_eq!(n, vec![Compat::IfExists]);
        // Only the statement's own leading keywords, not a name that happens to match.
        assert!(rewrite("DROP INDEX concurrently_idx CASCADE x").is_none());
    }

    #[test]
    fn storage_clauses_after_the_column_list_are_blanked() {
        let (t, n) = rewrite(
            "CREATE TABLE t (id int, \"using\" text) USING heap WITH (fillfactor = 70) TABLESPACE pg_default",
        )
        .unwrap();
        assert_eq!(
            t,
            "CREATE TABLE t (id int, \"using\" text)            WITH (fillfactor = 70)                      "
        );
        assert_eq!(n, vec![Compat::StorageClause]);
        let (t, _) = rewrite("CREATE TABLE t (id int) WITHOUT OIDS").unwrap();
        assert_eq!(t.trim_end(), "CREATE TABLE t (id int)");
        // Inside the list (an EXCLUDE's USING) nothing is touched.
        assert!(rewrite("CREATE TABLE t (r int, EXCLUDE USING gist (r WITH =))").is_none());
    }

    #[test]
    fn table_set_schema_is_read_as_a_view_statement() {
        let (t, n) = rewrite("ALTER TABLE IF EXISTS ONLY s.\"T\" SET SCHEMA app").unwrap();
        assert_eq!(t, "ALTER VIEW  IF EXISTS      s.\"T\" SET SCHEMA app");
        assert_eq!(n, vec![Compat::TableSetSchema]);
        let (t, _) = rewrite("alter table t\n  set schema \"App\"").unwrap();
        assert_eq!(t, "alter VIEW  t\n  set schema \"App\"");
        let (t, n) = rewrite("ALTER TYPE app.mood SET SCHEMA public").unwrap();
        assert_eq!(t, "ALTER VIEW app.mood SET SCHEMA public");
        assert_eq!(n, vec![Compat::TypeSetSchema]);
        // Other ALTER TABLE forms are left alone.
        assert!(rewrite("ALTER TABLE t SET SCHEMA app, ADD COLUMN x int").is_none());
        assert!(rewrite("ALTER TABLE t SET (fillfactor = 70)").is_none());
    }

    #[test]
    fn multibyte_blanking_keeps_char_columns() {
        let (t, _) = rewrite("CREATE TABLE c (LIKE \"é\", x int)").unwrap();
        assert_eq!(
            t.chars().count(),
            "CREATE TABLE c (LIKE \"é\", x int)".chars().count()
        );
    }
}
