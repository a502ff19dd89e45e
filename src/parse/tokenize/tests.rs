use std::path::Path;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{TokenWithSpan, Tokenizer};

use super::{parse_statements, same_tokens, tokenize, without_blanks};

/// sqlparser's stream without its blanks (what [`tokenize`] makes).
fn theirs(sql: &str) -> Option<Vec<TokenWithSpan>> {
    let mut tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    without_blanks(&mut tokens);
    Some(tokens)
}

/// [`parse_statements`] (fast tokens, no blanks) parses what sqlparser parses from its own
/// stream: the same statements, or an error with the same message.
fn same_parse(sql: &str) {
    let ours = parse_statements(sql);
    let theirs = sqlparser::parser::Parser::parse_sql(&PostgreSqlDialect {}, sql);
    assert!(
        super::same_outcome(&ours, &theirs),
        "differs on {sql:?}:\n ours   {ours:?}\n theirs {theirs:?}"
    );
}

#[test]
fn blanks_left_out_change_no_parse() {
    for sql in [
        // The blank sqlparser's parser reads: a placeholder's sign must touch its name.
        "SELECT :x, :y",
        "SELECT : x",
        "SELECT :\n  x",
        "SELECT a[1:2], a[1 : 2], a[ : 2], a[1: ]",
        "SELECT @x",
        "SELECT @ x",
        // Optimizer hints (pg_hint_plan) are comments, read after the keyword.
        "SELECT /*+ SeqScan(t) */ * FROM t",
        "SELECT\n  /*+ SeqScan(t) */  /* not a hint */ --+ IndexScan(t)\n * FROM t",
        "UPDATE /*+ x */ t SET a = 1",
        "DELETE\t--+ y\nFROM t",
        "INSERT /*+ z */ INTO t VALUES (1)",
        // Errors name the same place.
        "CREATE TABLE t (\n  a int,\n  b\n)",
        "SELECT 1 +\n\n",
        "CREATE TABLE t (a int) ;; SELECT",
        "",
        "  \r\n ",
    ] {
        same_parse(sql);
    }
}

/// `Some` only when sqlparser's tokenizer makes exactly the same stream; returns whether the
/// fast path took it.
fn check(sql: &str) -> bool {
    match tokenize(sql) {
        Some(ours) => {
            let theirs = theirs(sql);
            assert!(
                theirs.as_deref().is_some_and(|t| same_tokens(t, &ours)),
                "differs on {sql:?}:\n ours   {ours:?}\n theirs {theirs:?}"
            );
            true
        }
        None => false,
    }
}

#[test]
fn migrations_forms_take_the_fast_path_and_match() {
    for sql in [
        "CREATE TABLE public.users (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  email text NOT NULL UNIQUE\n);",
        "create table \"Odd \"\"name\"\"\" (\"é\" int, naïve text default 'it''s', x numeric(10, 2));",
        "ALTER TABLE ONLY t ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES s.u(id) ON DELETE CASCADE;",
        "CREATE INDEX i ON t USING btree (lower(email)) WHERE deleted_at IS NULL AND n >= 0 AND m <= 1 AND k <> 2 AND j != 3 AND q < 4 AND r > 5;",
        "-- a comment\r\nSELECT 1 + 2 * 3 / 4 - 5, a || b, x::text, $1, $, f(a => 1, b := 2) /* c /* nested */ d */;\r",
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.x := $1; RETURN NEW; END $$;",
        "CREATE FUNCTION g() RETURNS int AS $body$ select $$x$$ $b$ $body$ LANGUAGE sql;",
        "DO $$$x$$;",
        "SELECT a[1], b [ 2 ] FROM t WHERE c = ANY ('{1,2}') AND d == e AND f => g;",
        "COMMENT ON TABLE t IS 'ünïcödé 🎉 text\nover lines';",
        "SELECT \t\t.a, t.* FROM t;",
        "SELECT x--comment at the end",
        "SELECT 1 <=-1, 2<+3",
        "INSERT INTO t VALUES (1301, 7772.32, 0.5, .25, 1., 0, 00.10);",
        "SELECT t.5, a.b.1, 3.(4)",
        "",
        "   \n\n  ",
    ] {
        assert!(check(sql), "not on the fast path: {sql:?}");
    }
}

#[test]
fn other_forms_are_left_to_sqlparser() {
    for sql in [
        "SELECT E'a\\nb'",
        "SELECT B'101', X'ff', N'x', U&'\\0041'",
        "SELECT 1e3",
        "SELECT 1.5e-3",
        "SELECT 0x1F",
        "SELECT 0b101",
        "SELECT 1_000",
        "SELECT 1.5_5",
        "SELECT 12L",
        "SELECT 1..2",
        "SELECT 1.2.3",
        "SELECT 1.e5",
        "SELECT 12abc",
        "SELECT a @> b, c ~ d, e #> f, g & h, i ^ j, k % l, m ?| n",
        "SELECT a->>'b', a -> 'b'",
        "SELECT a <<= b, c >>= d, e <-> f, g ||/ h, i !~ j",
        "SELECT 'unterminated",
        "SELECT \"unterminated",
        "SELECT $$unterminated",
        "SELECT 1 /* unterminated",
        "COPY t FROM STDIN;\n1\n\\.\n",
        "SELECT a\u{c}b",
        "SELECT $é$ x $é$",
        "SELECT ._a",
        "SELECT {a}",
    ] {
        if tokenize(sql).is_some() {
            // Allowed only if it is exactly sqlparser's stream; none of these is expected.
            check(sql);
            panic!("expected sqlparser's tokenizer for {sql:?}");
        }
    }
}

/// Deterministic pseudo-random texts made of the pieces tokenizers disagree on: all of them,
/// then only those the fast path takes (inside and outside strings, comments, identifiers).
#[test]
fn random_texts_match_whenever_taken() {
    const TRICKY: &[&str] = &[
        "@", "#", "%", "&", "~", "^", "?", "`", "\\", "{", "}", "L", "0x", "1e", "_1", "E", "B",
        "N", "X", "U", "\u{c}", "COPY", "e5", "E-3", "_2", "0b1", "0o7", "0x1f",
    ];
    const PIECES: &[&str] = &[
        " ", "  ", "\t", "\n", "\r", "\r\n", "a", "e", "u", "b", "n", "x", "_", "$", "$$", "$t$",
        "1", "0", "9", "12.5", ".5", "1.", ".", "'", "''", "\"", "\"\"", "-", "--", "/", "/*",
        "*/", "*", "+", "<", ">", "=", "!", "|", "||", ":", "::", ";", ",", "(", ")", "[", "]",
        "é", "€", "🎉", "\u{a0}", "select", "CREATE", "table", "copy", "from", "stdin",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (round, tricky) in [(0, true), (1, false)] {
        let mut taken = 0;
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let i = next() as usize;
                    if tricky && i.is_multiple_of(4) {
                        TRICKY[i / 4 % TRICKY.len()]
                    } else {
                        PIECES[i % PIECES.len()]
                    }
                })
                .collect();
            taken += usize::from(check(&text));
            same_parse(&text);
        }
        // The fast path must be exercised, not just declined.
        assert!(
            taken > 2_000 + 3_000 * round,
            "only {taken} random texts took the fast path (tricky: {tricky})"
        );
    }
}

/// Every statement of every fixture: equal whenever taken, and most are taken.
#[test]
fn fixture_statements_match_and_mostly_take_the_fast_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let (mut all, mut taken) = (0usize, 0usize);
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if entry.path().extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        for s in crate::parse::split::split(&text, 0..text.len()).statements {
            let Some(sql) = text.get(s.span) else {
                continue;
            };
            all += 1;
            taken += usize::from(check(sql));
            same_parse(sql);
        }
    }
    assert!(all > 1_000, "{all} statements");
    assert!(
        taken * 10 > all * 9,
        "{taken} of {all} statements took the fast path"
    );
}

/// The hashed lookup agrees with sqlparser's on every keyword, in any case, and on
/// near misses.
#[test]
fn keyword_lookup_is_sqlparsers() {
    use sqlparser::keywords::{ALL_KEYWORDS, ALL_KEYWORDS_INDEX, Keyword};
    use sqlparser::tokenizer::Token;
    let lookup = |w: &str| match Token::make_word(w, None) {
        Token::Word(word) => word.keyword,
        _ => Keyword::NoKeyword,
    };
    for (k, index) in ALL_KEYWORDS.iter().zip(ALL_KEYWORDS_INDEX) {
        let lower = k.to_lowercase();
        let mixed: String = k
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect();
        for w in [
            k.to_string(),
            lower.clone(),
            mixed,
            format!("{k}X"),
            format!("_{k}"),
        ] {
            assert_eq!(super::keyword(&w), lookup(&w), "{w}");
        }
        assert_eq!(super::keyword(&lower), *index);
    }
    for w in ["", "x", "é", "selecté", &"A".repeat(100)] {
        assert_eq!(super::keyword(w), lookup(w), "{w}");
    }
}
