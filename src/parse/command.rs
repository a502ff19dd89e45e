//! Stage 2 helper: a top-level statement whose first word begins no statement of PostgreSQL's
//! grammar (`USE app;`, `REPLACE INTO ...`, `UNLOCK TABLES`, `DESCRIBE t`, `GO`, PL/pgSQL's
//! `PERFORM` or `IF` outside a function). PostgreSQL refuses it at that word (`syntax error at
//! or near "USE"`), whatever follows, so the refusal is certain before sqlparser (which reads
//! some of these as other dialects' statements) is asked. So is one that goes on as MySQL's
//! after a first word of PostgreSQL's (`INSERT IGNORE INTO`, `DELETE IGNORE FROM`, `LOCK
//! TABLES t WRITE`), at the word PostgreSQL stops at.

use super::OffsetMap;
use super::lex::{self, Lexer, Tok, Token};
use crate::model::Refusal;
use crate::model::ir::Change;
use crate::span::FileId;

/// The words a statement of PostgreSQL's grammar (`stmt` in `gram.y`, versions 12 to 17)
/// begins with, sorted. `RAISE` is PL/pgSQL's: refused with its own help elsewhere.
const COMMAND_WORDS: &[&str] = &[
    "ABORT",
    "ALTER",
    "ANALYSE",
    "ANALYZE",
    "BEGIN",
    "CALL",
    "CHECKPOINT",
    "CLOSE",
    "CLUSTER",
    "COMMENT",
    "COMMIT",
    "COPY",
    "CREATE",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DISCARD",
    "DO",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "GRANT",
    "IMPORT",
    "INSERT",
    "LISTEN",
    "LOAD",
    "LOCK",
    "MERGE",
    "MOVE",
    "NOTIFY",
    "PREPARE",
    "RAISE",
    "REASSIGN",
    "REFRESH",
    "REINDEX",
    "RELEASE",
    "RESET",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SECURITY",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "TRUNCATE",
    "UNLISTEN",
    "UPDATE",
    "VACUUM",
    "VALUES",
    "WITH",
];

/// PostgreSQL's refusal of `text` (a top-level statement, `offsets` mapping it to file `file`)
/// when its first token is a bare word no statement begins with.
pub(crate) fn unknown(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut tokens = Lexer::new(text, 0..text.len());
    let first = tokens.next()?;
    let (at, help) = match first.kind {
        // An operator where a statement begins (`# comment`, a stray `)`).
        Tok::Punct(c) if lone_operator(text, &first, c) || b"),[]".contains(&c) => {
            (first, UNKNOWN_HELP)
        }
        _ => {
            let word = lex::upper(text, &first)?;
            if COMMAND_WORDS.binary_search(&word.as_str()).is_err() {
                (first, UNKNOWN_HELP)
            } else {
                after_first_word(text, &word, tokens)?
            }
        }
    };
    let written = text.get(at.range.clone())?;
    Some(Change::refused(
        Refusal::new(format!("syntax error at or near \"{written}\""), help),
        offsets.file_span(file, at.range),
    ))
}

const UNKNOWN_HELP: &str = "no PostgreSQL statement begins with this word: it is another \
                            database's command (MySQL's `USE`, `REPLACE`, `UNLOCK TABLES`, \
                            `DESCRIBE`; SQL Server's `GO`) or PL/pgSQL's, which runs only inside \
                            a function or a `DO` block";

/// The word PostgreSQL stops at in a statement that begins as one of its own but goes on as
/// MySQL's: `INSERT IGNORE INTO` (`INSERT` takes `INTO` next), `DELETE IGNORE FROM`
/// (`DELETE` takes `FROM`), `LOCK TABLES t WRITE` (`tables` is read as the table's name), a
/// backquoted name where the statement names its table (`` CREATE TABLE `users` ``: a
/// backquote is an operator character to PostgreSQL).
fn after_first_word(
    text: &str,
    verb: &str,
    mut tokens: Lexer<'_>,
) -> Option<(Token, &'static str)> {
    let mut next = tokens.next()?;
    if matches!(verb, "INSERT" | "DELETE" | "LOCK")
        && let Some(word) = lex::upper(text, &next)
        && let Some(refused) = second_word(text, verb, &word, &next, &mut tokens)
    {
        return refused;
    }
    // Most statements have no backquote: their words need no reading.
    memchr::memchr(b'`', text.as_bytes())?;
    let mut words = vec![verb.to_string()];
    while let Some(word) = lex::upper(text, &next) {
        if words.len() >= 6 {
            return None;
        }
        words.push(word);
        next = tokens.next()?;
    }
    let named = NAME_PREFIXES.contains(&words.join(" ").as_str());
    (named && next.kind == Tok::Punct(b'`') && lone_operator(text, &next, b'`'))
        .then_some((next, BACKQUOTE_HELP))
}

/// What the second word of a statement decides (see [`after_first_word`]): `Some(None)` when
/// it decides the statement is not refused here.
fn second_word(
    text: &str,
    verb: &str,
    word: &str,
    second: &Token,
    tokens: &mut Lexer<'_>,
) -> Option<Option<(Token, &'static str)>> {
    match verb {
        "INSERT" if word != "INTO" => Some(Some((
            second.clone(),
            "PostgreSQL's INSERT is `INSERT INTO t ...`; for MySQL's `INSERT IGNORE`, add \
             `ON CONFLICT DO NOTHING`",
        ))),
        "DELETE" if word != "FROM" => Some(Some((
            second.clone(),
            "PostgreSQL's DELETE is `DELETE FROM t ...`",
        ))),
        "LOCK" if word == "TABLES" => {
            let third = tokens.next();
            let refused = third.filter(|t| match lex::upper(text, t) {
                Some(next) => next != "IN" && next != "NOWAIT",
                None => t.kind == Tok::Punct(b'`') && lone_operator(text, t, b'`'),
            });
            Some(refused.map(|t| {
                (
                    t,
                    "PostgreSQL locks with `LOCK TABLE t IN ... MODE` inside a transaction, \
                     until it ends: there is no `UNLOCK TABLES`",
                )
            }))
        }
        _ => None,
    }
}

/// The words before a table's (or index's, view's, database's) name in the statements MySQL's
/// dumps write with backquoted names: PostgreSQL's grammar takes no operator there.
const NAME_PREFIXES: &[&str] = &[
    "ALTER TABLE",
    "ALTER TABLE IF EXISTS",
    "CREATE DATABASE",
    "CREATE INDEX",
    "CREATE OR REPLACE VIEW",
    "CREATE TABLE",
    "CREATE TABLE IF NOT EXISTS",
    "CREATE TEMPORARY TABLE",
    "CREATE TEMPORARY TABLE IF NOT EXISTS",
    "CREATE UNIQUE INDEX",
    "CREATE VIEW",
    "DELETE FROM",
    "DROP DATABASE",
    "DROP DATABASE IF EXISTS",
    "DROP TABLE",
    "DROP TABLE IF EXISTS",
    "DROP VIEW",
    "DROP VIEW IF EXISTS",
    "INSERT INTO",
    "TRUNCATE",
    "TRUNCATE TABLE",
    "UPDATE",
];

const BACKQUOTE_HELP: &str = "PostgreSQL quotes names with double quotes (`\"users\"`), or \
                              needs none for lower-case names: a backquote is MySQL's";

/// Whether the token at `t` (a `c`) is an operator of that one character to PostgreSQL's
/// lexer: `c` is one of its operator characters and no other follows it.
fn lone_operator(text: &str, t: &Token, c: u8) -> bool {
    const OPERATOR: &[u8] = b"~!@#^&|`?+-*/%<>=";
    OPERATOR.contains(&c)
        && !text
            .as_bytes()
            .get(t.range.end)
            .is_some_and(|b| OPERATOR.contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_are_sorted_for_the_binary_search() {
        assert!(COMMAND_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    fn refused(text: &str) -> Option<(String, usize, usize)> {
        match unknown(text, &OffsetMap::shift(10, text.len()), 0)? {
            Change::Rejected {
                refusal,
                at: Some(at),
                ..
            } => Some((refusal.reason, at.start(), at.end())),
            _ => None,
        }
    }

    #[test]
    fn backquoted_names_and_operators_where_statements_begin_are_refused() {
        let text = "CREATE TABLE IF NOT EXISTS `users` (id int)";
        let at = 10 + text.find('`').unwrap_or_default();
        assert_eq!(
            refused(text),
            Some(("syntax error at or near \"`\"".into(), at, at + 1))
        );
        assert_eq!(
            refused("# a MySQL comment\nCREATE TABLE t (id int)"),
            Some(("syntax error at or near \"#\"".into(), 10, 11))
        );
        for fine in [
            "SELECT `a`",
            "CREATE TABLE t (`a` int)",
            "CREATE TABLE ``users`` (id int)",
            "#> x",
            "CREATE TABLE \"users\" (id int)",
        ] {
            assert_eq!(refused(fine), None, "{fine}");
        }
    }

    #[test]
    fn the_first_word_is_refused_as_written_after_comments() {
        let text = "-- MySQL's\n/* a */ use app";
        let at = 10 + text.find("use").unwrap_or_default();
        assert_eq!(
            refused(text),
            Some(("syntax error at or near \"use\"".into(), at, at + 3))
        );
        for fine in [
            "select 1",
            "(SELECT 1) UNION SELECT 2",
            "\"USE\" x",
            "Values (1)",
            "",
        ] {
            assert_eq!(refused(fine), None, "{fine}");
        }
    }
}
