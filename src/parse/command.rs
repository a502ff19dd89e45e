//! Stage 2 helper: a top-level statement whose first word begins no statement of PostgreSQL's
//! grammar (`USE app;`, `REPLACE INTO ...`, `UNLOCK TABLES`, `DESCRIBE t`, `GO`, PL/pgSQL's
//! `PERFORM` or `IF` outside a function). PostgreSQL refuses it at that word (`syntax error at
//! or near "USE"`), whatever follows, so the refusal is certain before sqlparser (which reads
//! some of these as other dialects' statements) is asked. So is one that goes on as MySQL's
//! after a first word of PostgreSQL's (`INSERT IGNORE INTO`, `DELETE IGNORE FROM`, `LOCK
//! TABLES t WRITE`), at the word PostgreSQL stops at; and MySQL's `SHOW`s (`SHOW TABLES`,
//! `SHOW COLUMNS FROM t`), which PostgreSQL's `SHOW name` cannot be.

use super::OffsetMap;
use super::lex::{self, Lexer, Tok, Token};
use crate::model::Refusal;
use crate::model::ir::Change;
use crate::model::pgtype;
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
            } else if word == "SHOW" {
                let (range, reason) = show(text, tokens)?;
                return Some(Change::refused(
                    Refusal::new(reason, SHOW_HELP),
                    offsets.file_span(file, range),
                ));
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
    {
        match second_word(text, verb, &word, &next, &mut tokens) {
            Second::Refused(at, help) => return Some((at, help)),
            Second::Accepted => return None,
            Second::Undecided => {}
        }
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

/// What the second word of a statement decides (see [`after_first_word`]).
enum Second {
    /// PostgreSQL stops at this token, with this help.
    Refused(Token, &'static str),
    /// Not refused here.
    Accepted,
    /// The words after it decide (a backquoted name).
    Undecided,
}

fn second_word(
    text: &str,
    verb: &str,
    word: &str,
    second: &Token,
    tokens: &mut Lexer<'_>,
) -> Second {
    match verb {
        "INSERT" if word != "INTO" => Second::Refused(
            second.clone(),
            "PostgreSQL's INSERT is `INSERT INTO t ...`; for MySQL's `INSERT IGNORE`, add \
             `ON CONFLICT DO NOTHING`",
        ),
        "DELETE" if word != "FROM" => {
            Second::Refused(second.clone(), "PostgreSQL's DELETE is `DELETE FROM t ...`")
        }
        "LOCK" if word == "TABLES" => {
            let third = tokens.next();
            let refused = third.filter(|t| match lex::upper(text, t) {
                Some(next) => next != "IN" && next != "NOWAIT",
                None => t.kind == Tok::Punct(b'`') && lone_operator(text, t, b'`'),
            });
            match refused {
                Some(t) => Second::Refused(
                    t,
                    "PostgreSQL locks with `LOCK TABLE t IN ... MODE` inside a transaction, \
                     until it ends: there is no `UNLOCK TABLES`",
                ),
                None => Second::Accepted,
            }
        }
        _ => Second::Undecided,
    }
}

/// What PostgreSQL says of a `SHOW` (its first word read, `tokens` after it) of another
/// dialect's (`SHOW TABLES`, `SHOW COLUMNS FROM t`, `SHOW CREATE TABLE t`, `SHOW FULL
/// PROCESSLIST`): its `SHOW` takes one setting's name (or `ALL`, `TIME ZONE`, `TRANSACTION
/// ISOLATION LEVEL`, `SESSION AUTHORIZATION`) and nothing after it. The range PostgreSQL stops
/// at and its message: `unrecognized configuration parameter "tables"` for one name that is
/// MySQL's word or setting, else a syntax error. `SHOW name` of any other name is not judged
/// (PostgreSQL's, an extension's or a later version's setting may be so named).
fn show(text: &str, mut tokens: Lexer<'_>) -> Option<(std::ops::Range<usize>, String)> {
    let name = tokens.next()?;
    let word = lex::upper(text, &name)?;
    if matches!(word.as_str(), "ALL" | "TIME" | "TRANSACTION" | "SESSION") {
        return None;
    }
    let syntax = |range: std::ops::Range<usize>| {
        let written = text.get(range.clone())?;
        Some((range, format!("syntax error at or near \"{written}\"")))
    };
    if pgtype::is_reserved_as_name(&word) {
        return syntax(name.range);
    }
    match tokens.next() {
        Some(t) if t.kind == Tok::Punct(b'.') => None,
        Some(t) if t.kind != Tok::Punct(b';') => syntax(t.range),
        _ => (MYSQL_SHOW_WORDS.binary_search(&word.as_str()).is_ok()
            || mysql_setting(&word).is_some())
        .then(|| {
            let reason = format!(
                "unrecognized configuration parameter \"{}\"",
                word.to_ascii_lowercase()
            );
            (name.range, reason)
        }),
    }
}

/// Words MySQL's `SHOW` takes alone (`SHOW TABLES`, `SHOW VARIABLES`, `SHOW WARNINGS`...): no
/// PostgreSQL version has a setting so named. Sorted.
const MYSQL_SHOW_WORDS: &[&str] = &[
    "BINLOG",
    "CATALOGS",
    "CHARSET",
    "COLLATION",
    "COLUMNS",
    "DATABASES",
    "ENGINES",
    "ERRORS",
    "EVENTS",
    "FIELDS",
    "FUNCTIONS",
    "GRANTS",
    "INDEX",
    "INDEXES",
    "KEYS",
    "OBJECTS",
    "PLUGINS",
    "PRIVILEGES",
    "PROCESSLIST",
    "PROFILES",
    "SCHEMAS",
    "STATUS",
    "TABLES",
    "TRIGGERS",
    "VARIABLES",
    "VIEWS",
    "WARNINGS",
];

const SHOW_HELP: &str = "PostgreSQL's `SHOW` shows one setting (`SHOW search_path`): list \
                         tables and columns with psql's `\\dt` and `\\d table`, or query \
                         `information_schema.tables` and `information_schema.columns`";

/// Settings of MySQL's (and MariaDB's) sessions that migrations ported from it set
/// (`SET FOREIGN_KEY_CHECKS = 0`): no PostgreSQL version has a setting so named, and a name
/// without a dot is no extension's (`unrecognized configuration parameter`). With the help
/// for it.
pub(crate) fn mysql_setting(name: &str) -> Option<&'static str> {
    const SETTINGS: &[&str] = &[
        "auto_increment_increment",
        "auto_increment_offset",
        "autocommit",
        "big_tables",
        "character_set_client",
        "character_set_connection",
        "character_set_database",
        "character_set_filesystem",
        "character_set_results",
        "character_set_server",
        "collation_connection",
        "collation_database",
        "collation_server",
        "default_storage_engine",
        "explicit_defaults_for_timestamp",
        "foreign_key_checks",
        "group_concat_max_len",
        "innodb_lock_wait_timeout",
        "innodb_strict_mode",
        "interactive_timeout",
        "lock_wait_timeout",
        "max_allowed_packet",
        "net_buffer_length",
        "old_alter_table",
        "sql_auto_is_null",
        "sql_big_selects",
        "sql_log_bin",
        "sql_mode",
        "sql_notes",
        "sql_quote_show_create",
        "sql_require_primary_key",
        "sql_safe_updates",
        "sql_warnings",
        "storage_engine",
        "time_zone",
        "tx_isolation",
        "unique_checks",
        "wait_timeout",
    ];
    let name = name.to_ascii_lowercase();
    SETTINGS.binary_search(&name.as_str()).ok()?;
    Some(match name.as_str() {
        "foreign_key_checks" => {
            "a MySQL setting: PostgreSQL checks every foreign key; to load rows in any order, \
             declare the keys `DEFERRABLE` and `SET CONSTRAINTS ALL DEFERRED` in the \
             transaction, or create the keys after the rows"
        }
        "time_zone" => "a MySQL setting: PostgreSQL's is `SET TIME ZONE 'UTC'` (`timezone`)",
        "tx_isolation" => {
            "a MySQL setting: PostgreSQL's is `SET TRANSACTION ISOLATION LEVEL ...` \
             (`transaction_isolation`)"
        }
        _ => "a MySQL setting PostgreSQL does not have: leave it out",
    })
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
    fn mysql_show_words_are_sorted_for_the_binary_search() {
        assert!(MYSQL_SHOW_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn mysql_settings_are_found_in_any_case_and_postgresql_ones_are_not() {
        assert!(mysql_setting("FOREIGN_KEY_CHECKS").is_some());
        for name in [
            "auto_increment_increment",
            "autocommit",
            "sql_mode",
            "wait_timeout",
        ] {
            assert!(mysql_setting(name).is_some(), "{name}");
        }
        for name in [
            "search_path",
            "statement_timeout",
            "timezone",
            "transaction_isolation",
        ] {
            assert!(mysql_setting(name).is_none(), "{name}");
        }
    }

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
