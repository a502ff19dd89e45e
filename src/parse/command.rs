//! Stage 2 helper: a top-level statement whose first word begins no statement of PostgreSQL's
//! grammar (`USE app;`, `REPLACE INTO ...`, `UNLOCK TABLES`, `DESCRIBE t`, `GO`, PL/pgSQL's
//! `PERFORM` or `IF` outside a function). PostgreSQL refuses it at that word (`syntax error at
//! or near "USE"`), whatever follows, so the refusal is certain before sqlparser (which reads
//! some of these as other dialects' statements) is asked.

use super::OffsetMap;
use super::lex::{self, Lexer, Tok};
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
    let first = Lexer::new(text, 0..text.len()).next()?;
    if first.kind != Tok::Word {
        return None;
    }
    let word = lex::upper(text, &first)?;
    if COMMAND_WORDS.binary_search(&word.as_str()).is_ok() {
        return None;
    }
    let written = text.get(first.range.clone())?;
    Some(Change::Rejected {
        refusal: Refusal::new(
            format!("syntax error at or near \"{written}\""),
            "no PostgreSQL statement begins with this word: it is another database's command \
             (MySQL's `USE`, `REPLACE`, `LOCK TABLES`, `DESCRIBE`; SQL Server's `GO`) or \
             PL/pgSQL's, which runs only inside a function or a `DO` block",
        ),
        at: Some(Span::new(
            file,
            offsets.to_file(first.range.start),
            offsets.to_file(first.range.end),
        )),
        intended: None,
    })
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
