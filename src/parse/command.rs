//! Stage 2 helper: a top-level statement whose first word begins no statement of PostgreSQL's
//! grammar (`USE app;`, `REPLACE INTO ...`, `UNLOCK TABLES`, `DESCRIBE t`, `GO`, PL/pgSQL's
//! `PERFORM` or `IF` outside a function). PostgreSQL refuses it at that word (`syntax error at
//! or near "USE"`), whatever follows, so the refusal is certain before sqlparser (which reads
//! some of these as other dialects' statements) is asked. So is one that goes on as MySQL's
//! after a first word of PostgreSQL's (`INSERT IGNORE INTO`, `DELETE IGNORE FROM`, `LOCK
//! TABLES t WRITE`), at the word PostgreSQL stops at.

use super::OffsetMap;
use super::lex::{self, Lexer, Token};
use crate::model::Refusal;
use crate::model::ir::Change;
use crate::span::{FileId, Span};

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
    let word = lex::upper(text, &first)?;
    let (at, help) = if COMMAND_WORDS.binary_search(&word.as_str()).is_err() {
        (first, UNKNOWN_HELP)
    } else {
        second_word(text, &word, tokens)?
    };
    let written = text.get(at.range.clone())?;
    Some(Change::Rejected {
        refusal: Refusal::new(format!("syntax error at or near \"{written}\""), help),
        at: Some(Span::new(
            file,
            offsets.to_file(at.range.start),
            offsets.to_file(at.range.end),
        )),
        intended: None,
    })
}

const UNKNOWN_HELP: &str = "no PostgreSQL statement begins with this word: it is another \
                            database's command (MySQL's `USE`, `REPLACE`, `UNLOCK TABLES`, \
                            `DESCRIBE`; SQL Server's `GO`) or PL/pgSQL's, which runs only inside \
                            a function or a `DO` block";

/// The word PostgreSQL stops at in a statement that begins as one of its own but goes on as
/// MySQL's: `INSERT IGNORE INTO` (`INSERT` takes `INTO` next), `DELETE IGNORE FROM`
/// (`DELETE` takes `FROM`), `LOCK TABLES t WRITE` (`tables` is read as the table's name).
fn second_word(text: &str, verb: &str, mut tokens: Lexer<'_>) -> Option<(Token, &'static str)> {
    let second = tokens.next()?;
    let word = lex::upper(text, &second)?;
    match verb {
        "INSERT" if word != "INTO" => Some((
            second,
            "PostgreSQL's INSERT is `INSERT INTO t ...`; for MySQL's `INSERT IGNORE`, add \
             `ON CONFLICT DO NOTHING`",
        )),
        "DELETE" if word != "FROM" => Some((second, "PostgreSQL's DELETE is `DELETE FROM t ...`")),
        "LOCK" if word == "TABLES" => {
            let third = tokens.next()?;
            let next = lex::upper(text, &third)?;
            (next != "IN" && next != "NOWAIT").then_some((
                third,
                "PostgreSQL locks with `LOCK TABLE t IN ... MODE` inside a transaction, until \
                 it ends: there is no `UNLOCK TABLES`",
            ))
        }
        _ => None,
    }
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
