//! Stage 2 helper: `CREATE SCHEMA name [AUTHORIZATION role] CREATE TABLE ... CREATE VIEW ...
//! GRANT ...`. sqlparser reads CREATE SCHEMA without its schema elements; PostgreSQL runs each
//! element as its own statement, with the new schema first on the search_path, and the whole
//! statement is atomic. The statement is cut into its head (`CREATE SCHEMA name ...`) and its
//! elements, which the parser then reads one by one (`parse::schema_statement`).

use std::ops::Range;

use super::lex::{Lexer, Tok, is_kw};
use crate::model::lower::fold_written;

/// The parts of a CREATE SCHEMA with schema elements, as byte ranges of the statement text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Parts {
    /// `CREATE SCHEMA name [AUTHORIZATION role]`.
    pub head: Range<usize>,
    /// The schema's name, folded as PostgreSQL folds it.
    pub schema: String,
    /// Each element: `CREATE ...` or `GRANT ...`, up to the next one.
    pub elements: Vec<Range<usize>>,
}

/// A name token as PostgreSQL folds it (the lowering's rule: `fold_written`).
fn folded(text: &str, t: &super::lex::Token) -> Option<String> {
    matches!(t.kind, Tok::Word | Tok::Quoted)
        .then(|| text.get(t.range.clone()).map(fold_written))
        .flatten()
}

/// `None` unless `text` is a CREATE SCHEMA with at least one schema element (and without
/// `IF NOT EXISTS`, which PostgreSQL refuses with elements: sqlparser's error stands then).
pub(crate) fn split(text: &str) -> Option<Parts> {
    // Every statement comes here: look at two tokens before lexing the rest.
    let mut lexer = Lexer::new(text, 0..text.len());
    let head: Vec<_> = lexer.by_ref().take(2).collect();
    let is = |t: Option<&super::lex::Token>, w: &str| t.is_some_and(|t| is_kw(text, t, w));
    if !(is(head.first(), "CREATE") && is(head.get(1), "SCHEMA")) {
        return None;
    }
    let toks: Vec<_> = head.into_iter().chain(lexer).collect();
    let word = |i: usize, w: &str| toks.get(i).is_some_and(|t| is_kw(text, t, w));
    if word(2, "IF") {
        return None;
    }
    let (schema, mut i): (String, usize) = if word(2, "AUTHORIZATION") {
        (folded(text, toks.get(3)?)?, 4)
    } else {
        let name = folded(text, toks.get(2)?)?;
        (name, if word(3, "AUTHORIZATION") { 5 } else { 3 })
    };
    let head_end = toks.get(i.checked_sub(1)?)?.range.end;
    let mut starts = Vec::new();
    let mut depth = 0usize;
    while let Some(t) = toks.get(i) {
        match t.kind {
            Tok::Punct(b'(') => depth += 1,
            Tok::Punct(b')') => depth = depth.saturating_sub(1),
            _ if depth == 0 && (is_kw(text, t, "CREATE") || is_kw(text, t, "GRANT")) => {
                starts.push(t.range.start);
            }
            _ if starts.is_empty() => return None,
            _ => {}
        }
        i += 1;
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    let elements: Vec<Range<usize>> = starts
        .iter()
        .zip(ends)
        .map(|(&s, e)| s..s + text.get(s..e).map_or(0, |p| p.trim_end().len()))
        .collect();
    let fits = elements.iter().all(|e| {
        text.get(e.clone())
            .is_some_and(|element| element_fits(element, &schema))
    });
    (fits && !elements.is_empty()).then_some(Parts {
        head: 0..head_end,
        schema,
        elements,
    })
}

/// Is `element` one PostgreSQL takes in CREATE SCHEMA (`schema_stmt`: CREATE TABLE, INDEX,
/// SEQUENCE, TRIGGER, VIEW, or GRANT), naming no other schema for what it creates? Anything
/// else is PostgreSQL's error, and the statement stays sqlparser's error too.
fn element_fits(element: &str, schema: &str) -> bool {
    let toks: Vec<_> = Lexer::new(element, 0..element.len()).take(12).collect();
    let word = |i: usize, w: &str| toks.get(i).is_some_and(|t| is_kw(element, t, w));
    if word(0, "GRANT") {
        return true;
    }
    let mut i = 1;
    for optional in ["OR", "REPLACE", "UNIQUE", "RECURSIVE", "CONSTRAINT"] {
        if word(i, optional) {
            i += 1;
        }
    }
    let kind = ["TABLE", "INDEX", "SEQUENCE", "TRIGGER", "VIEW"]
        .into_iter()
        .find(|k| word(i, k));
    let Some(kind) = kind.filter(|_| word(0, "CREATE")) else {
        return false;
    };
    i += 1;
    if matches!(kind, "INDEX" | "TRIGGER") {
        return true;
    }
    if word(i, "IF") {
        i += 3;
    }
    let qualified = toks.get(i + 1).is_some_and(|t| t.kind == Tok::Punct(b'.'));
    !qualified || toks.get(i).and_then(|t| folded(element, t)).as_deref() == Some(schema)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn elements_are_cut_at_create_and_grant() {
        let text = "CREATE SCHEMA Reports AUTHORIZATION joe\n    CREATE TABLE daily (day date, n int)\n    CREATE VIEW recent AS SELECT day FROM daily WHERE n > (SELECT 1)\n    GRANT SELECT ON recent TO PUBLIC";
        let p = split(text).unwrap();
        assert_eq!(p.schema, "reports");
        assert_eq!(
            &text[p.head.clone()],
            "CREATE SCHEMA Reports AUTHORIZATION joe"
        );
        let parts: Vec<&str> = p.elements.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            parts,
            [
                "CREATE TABLE daily (day date, n int)",
                "CREATE VIEW recent AS SELECT day FROM daily WHERE n > (SELECT 1)",
                "GRANT SELECT ON recent TO PUBLIC"
            ]
        );
        let p = split("create schema authorization \"Ann\" create table t (id int)").unwrap();
        assert_eq!(p.schema, "Ann");
    }

    #[test]
    fn plain_create_schema_and_if_not_exists_are_left_alone() {
        assert_eq!(split("CREATE SCHEMA app"), None);
        assert_eq!(split("CREATE SCHEMA app AUTHORIZATION joe"), None);
        assert_eq!(
            split("CREATE SCHEMA IF NOT EXISTS app CREATE TABLE t (id int)"),
            None
        );
        assert_eq!(
            split("CREATE SCHEMA app junk CREATE TABLE t (id int)"),
            None
        );
        assert_eq!(split("CREATE TABLE t (id int)"), None);
        assert_eq!(
            split("CREATE SCHEMA z CREATE SCHEMA w CREATE TABLE t (id int)"),
            None
        );
        assert_eq!(split("CREATE SCHEMA z CREATE TABLE other.t (id int)"), None);
        assert_eq!(split("CREATE SCHEMA z CREATE TEMP TABLE t (id int)"), None);
        assert_eq!(split("CREATE SCHEMA z CREATE"), None);
        assert!(split("CREATE SCHEMA z CREATE TABLE IF NOT EXISTS z.t (id int) CREATE UNIQUE INDEX ON t (id)").is_some());
    }
}
