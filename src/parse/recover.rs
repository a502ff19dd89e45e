//! Stage 2 helper: when sqlparser cannot parse a statement, a light token scan still recovers
//! what it does — the leading verb (`ALTER TABLE`, `DROP INDEX`, `INSERT INTO`...) and its
//! target as written — so later stages can say "unparsable ALTER TABLE on platform.users".

use super::Recovered;
use super::lex::{Lexer, Tok, Token, is_kw, upper};

/// Leading keywords that make a statement matter for the schema (DDL, DML, privileges).
const SCHEMA_VERBS: &[&str] = &[
    "ALTER", "COMMENT", "COPY", "CREATE", "DELETE", "DROP", "GRANT", "INSERT", "MERGE", "REVOKE",
    "TRUNCATE", "UPDATE",
];

/// Object types the model does not hold and whose DDL cannot change what it holds (relations,
/// columns, types, indexes, constraints): an unparsable CREATE / ALTER / DROP of one leaves the
/// model complete.
const OUTSIDE_MODEL: &[&str] = &[
    "AGGREGATE",
    "CAST",
    "COLLATION",
    "CONSTRAINT TRIGGER",
    "CONVERSION",
    "DATABASE",
    "DEFAULT PRIVILEGES",
    "EVENT TRIGGER",
    "FUNCTION",
    "GROUP",
    "LANGUAGE",
    "OPERATOR",
    "PROCEDURE",
    "PUBLICATION",
    "ROLE",
    "ROUTINE",
    "SERVER",
    "STATISTICS",
    "SUBSCRIPTION",
    "SYSTEM",
    "TABLESPACE",
    "TEXT SEARCH",
    "TRIGGER",
    "USER",
];

/// At most this many tokens are looked at.
const MAX_TOKENS: usize = 64;

/// The upper-cased first word of `text`, if it starts with a word.
pub(crate) fn leading_keyword(text: &str) -> Option<String> {
    let t = Lexer::new(text, 0..text.len()).next()?;
    upper(text, &t)
}

/// `true` when the statement's leading keyword is DDL/DML (see [`SCHEMA_VERBS`]).
pub(crate) fn is_schema_relevant(text: &str) -> bool {
    leading_keyword(text).is_some_and(|k| SCHEMA_VERBS.contains(&k.as_str()))
}

/// `true` when a recovered statement cannot have changed the model: `GRANT` / `REVOKE`,
/// `ALTER ... OWNER TO`, DDL of an object type in [`OUTSIDE_MODEL`] (`ALTER PUBLICATION
/// supabase_realtime ADD TABLE ...`, a function, a trigger), a comment on one of those or on a
/// policy, or an `ALTER INDEX` that sets or resets storage parameters, a tablespace or column
/// statistics.
pub(crate) fn outside_model(r: &Recovered) -> bool {
    // Privileges are not modelled: a grant changes nothing the model holds.
    if matches!(r.verb.as_str(), "GRANT" | "REVOKE") {
        return true;
    }
    if let Some(ty) = r.verb.strip_prefix("COMMENT ON ") {
        return ty == "POLICY" || OUTSIDE_MODEL.contains(&ty);
    }
    let Some((verb, ty)) = r.verb.split_once(' ') else {
        return false;
    };
    if !matches!(verb, "CREATE" | "ALTER" | "DROP") {
        return false;
    }
    let owner = verb == "ALTER" && r.action.as_deref() == Some("OWNER TO");
    owner
        || OUTSIDE_MODEL.contains(&ty)
        || (verb == "ALTER"
            && ty == "INDEX"
            && r.action.as_deref().is_some_and(|a| {
                let first = a.split(' ').next().unwrap_or_default();
                matches!(first, "SET" | "RESET" | "ALTER")
            }))
}

struct Cursor<'a> {
    text: &'a str,
    toks: Vec<Token>,
    i: usize,
}

impl Cursor<'_> {
    fn kw(&self, k: &str) -> bool {
        self.toks
            .get(self.i)
            .is_some_and(|t| is_kw(self.text, t, k))
    }

    fn eat(&mut self, k: &str) -> bool {
        let hit = self.kw(k);
        if hit {
            self.i += 1;
        }
        hit
    }

    /// Eat a sequence of keywords only if all are present.
    fn eat_all(&mut self, ks: &[&str]) -> bool {
        let all = ks.iter().enumerate().all(|(n, k)| {
            self.toks
                .get(self.i + n)
                .is_some_and(|t| is_kw(self.text, t, k))
        });
        if all {
            self.i += ks.len();
        }
        all
    }

    fn word(&mut self) -> Option<String> {
        let w = upper(self.text, self.toks.get(self.i)?)?;
        self.i += 1;
        Some(w)
    }

    /// An object type: `TABLE`, `MATERIALIZED VIEW`, `FOREIGN DATA WRAPPER`, ...
    fn object_type(&mut self) -> Option<String> {
        let first = self.word()?;
        let mut out = first.clone();
        let follow: &[&str] = match first.as_str() {
            "MATERIALIZED" => &["VIEW"],
            "FOREIGN" => &["TABLE", "DATA"],
            "DATA" => &["WRAPPER"],
            "EVENT" | "CONSTRAINT" => &["TRIGGER"],
            "TEXT" => &["SEARCH"],
            "DEFAULT" => &["PRIVILEGES"],
            "ACCESS" => &["METHOD"],
            "OPERATOR" => &["CLASS", "FAMILY"],
            "USER" => &["MAPPING"],
            _ => &[],
        };
        for f in follow {
            if self.eat(f) {
                out.push(' ');
                out.push_str(f);
                if *f == "DATA" && self.eat("WRAPPER") {
                    out.push_str(" WRAPPER");
                }
                break;
            }
        }
        if first == "TEXT"
            && out.ends_with("SEARCH")
            && let Some(w) = self.word()
        {
            out.push(' ');
            out.push_str(&w);
        }
        Some(out)
    }

    /// A possibly qualified name as written: `a`, `"A"."b"`, `s.t`.
    fn name(&mut self) -> Option<String> {
        let is_ident = |t: &Token| matches!(t.kind, Tok::Word | Tok::Quoted);
        let first = self.toks.get(self.i).filter(|t| is_ident(t))?;
        let start = first.range.start;
        let mut end = first.range.end;
        self.i += 1;
        while self
            .toks
            .get(self.i)
            .is_some_and(|t| t.kind == Tok::Punct(b'.'))
            && self.toks.get(self.i + 1).is_some_and(is_ident)
        {
            end = self.toks.get(self.i + 1).map_or(end, |t| t.range.end);
            self.i += 2;
        }
        self.text.get(start..end).map(str::to_owned)
    }

    /// Advance to just after the next `ON` at parenthesis depth 0.
    fn seek_on(&mut self) -> bool {
        let mut depth = 0i32;
        while let Some(t) = self.toks.get(self.i) {
            self.i += 1;
            match t.kind {
                Tok::Punct(b'(') => depth += 1,
                Tok::Punct(b')') => depth -= 1,
                Tok::Word if depth == 0 && is_kw(self.text, t, "ON") => return true,
                _ => {}
            }
        }
        false
    }

    /// The first words after the target, e.g. `ADD CONSTRAINT`, `ALTER CONSTRAINT`.
    fn action(&mut self) -> Option<String> {
        let mut words = Vec::new();
        while words.len() < 2 {
            let Some(w) = self.word() else { break };
            words.push(w);
        }
        (!words.is_empty()).then(|| words.join(" "))
    }
}

/// Recover the verb and target of a statement by scanning its first tokens.
pub(crate) fn recover(text: &str) -> Option<Recovered> {
    let toks: Vec<Token> = Lexer::new(text, 0..text.len()).take(MAX_TOKENS).collect();
    let mut c = Cursor { text, toks, i: 0 };
    let first = c.word()?;
    let mut target = None;
    let mut on = None;
    let mut action = None;
    let verb = match first.as_str() {
        "CREATE" => {
            c.eat_all(&["OR", "REPLACE"]);
            while [
                "UNIQUE",
                "TEMP",
                "TEMPORARY",
                "UNLOGGED",
                "GLOBAL",
                "LOCAL",
                "RECURSIVE",
                "TRUSTED",
                "PROCEDURAL",
            ]
            .iter()
            .any(|m| c.eat(m))
            {}
            let ty = c.object_type()?;
            c.eat("CONCURRENTLY");
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            if !c.kw("ON") {
                target = c.name();
            }
            if matches!(
                ty.as_str(),
                "INDEX" | "TRIGGER" | "CONSTRAINT TRIGGER" | "POLICY"
            ) && c.seek_on()
            {
                c.eat("ONLY");
                on = c.name();
            }
            format!("CREATE {ty}")
        }
        "ALTER" | "DROP" => {
            let ty = c.object_type()?;
            c.eat("CONCURRENTLY");
            c.eat_all(&["IF", "EXISTS"]);
            c.eat("ONLY");
            target = c.name();
            if first == "ALTER" && target.is_some() {
                if c.toks.get(c.i).is_some_and(|t| t.kind == Tok::Punct(b'*')) {
                    c.i += 1;
                }
                action = c.action();
            }
            if first == "DROP"
                && matches!(ty.as_str(), "TRIGGER" | "POLICY" | "RULE")
                && c.seek_on()
            {
                on = c.name();
            }
            format!("{first} {ty}")
        }
        "INSERT" | "MERGE" => {
            c.eat("INTO");
            target = c.name();
            format!("{first} INTO")
        }
        "DELETE" => {
            c.eat("FROM");
            c.eat("ONLY");
            target = c.name();
            "DELETE FROM".to_owned()
        }
        "UPDATE" | "TRUNCATE" | "COPY" => {
            c.eat("TABLE");
            c.eat("ONLY");
            target = c.name();
            first
        }
        "COMMENT" => {
            c.eat("ON");
            let ty = c.object_type()?;
            target = c.name();
            format!("COMMENT ON {ty}")
        }
        "GRANT" | "REVOKE" => {
            if c.seek_on() && !c.kw("ALL") {
                // `ON TABLE x` / `ON SCHEMA x` / `ON x`: if what follows the first word is
                // already the end of the name list, that word was the name.
                let save = c.i;
                let ends_list = |t: &Token| {
                    t.kind == Tok::Punct(b',') || is_kw(text, t, "TO") || is_kw(text, t, "FROM")
                };
                if c.object_type().is_some() && c.toks.get(c.i).is_none_or(ends_list) {
                    c.i = save;
                }
                target = c.name();
            }
            first
        }
        _ => first,
    };
    Some(Recovered {
        verb,
        target,
        on,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(text: &str) -> (String, Option<String>, Option<String>, Option<String>) {
        let r = recover(text).unwrap_or(Recovered {
            verb: String::new(),
            target: None,
            on: None,
            action: None,
        });
        (r.verb, r.target, r.on, r.action)
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_owned())
    }

    #[test]
    fn alter_and_drop_targets() {
        assert_eq!(
            rec("ALTER TABLE IF EXISTS ONLY platform.\"Users\" ALTER CONSTRAINT fk DEFERRABLE"),
            (
                "ALTER TABLE".into(),
                s("platform.\"Users\""),
                None,
                s("ALTER CONSTRAINT")
            )
        );
        assert_eq!(
            rec("alter sequence s.seq owned by t.id"),
            ("ALTER SEQUENCE".into(), s("s.seq"), None, s("OWNED BY"))
        );
        assert_eq!(
            rec("DROP INDEX CONCURRENTLY IF EXISTS idx_a, idx_b"),
            ("DROP INDEX".into(), s("idx_a"), None, None)
        );
        assert_eq!(
            rec("DROP MATERIALIZED VIEW mv"),
            ("DROP MATERIALIZED VIEW".into(), s("mv"), None, None)
        );
        assert_eq!(
            rec("DROP TRIGGER trg ON public.t"),
            ("DROP TRIGGER".into(), s("trg"), s("public.t"), None)
        );
    }

    #[test]
    fn create_targets() {
        assert_eq!(
            rec("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY s.t USING btree (a)"),
            ("CREATE INDEX".into(), s("ix"), s("s.t"), None)
        );
        assert_eq!(
            rec("CREATE INDEX ON t (a)"),
            ("CREATE INDEX".into(), None, s("t"), None)
        );
        assert_eq!(
            rec("create or replace temp table if not exists x.y (a int)"),
            ("CREATE TABLE".into(), s("x.y"), None, None)
        );
        assert_eq!(
            rec("CREATE FOREIGN DATA WRAPPER w"),
            ("CREATE FOREIGN DATA WRAPPER".into(), s("w"), None, None)
        );
        assert_eq!(
            rec("CREATE POLICY p ON t USING (true)"),
            ("CREATE POLICY".into(), s("p"), s("t"), None)
        );
    }

    #[test]
    fn dml_and_misc_targets() {
        assert_eq!(rec("INSERT INTO a.b (x) VALUES (1)").1, s("a.b"));
        assert_eq!(rec("INSERT INTO a.b (x) VALUES (1)").0, "INSERT INTO");
        assert_eq!(rec("DELETE FROM ONLY t WHERE x").1, s("t"));
        assert_eq!(rec("UPDATE t SET a = 1").1, s("t"));
        assert_eq!(rec("TRUNCATE TABLE ONLY t").1, s("t"));
        assert_eq!(
            rec("COMMENT ON COLUMN t.c IS 'x'"),
            ("COMMENT ON COLUMN".into(), s("t.c"), None, None)
        );
        assert_eq!(
            rec("GRANT SELECT ON TABLE t TO r"),
            ("GRANT".into(), s("t"), None, None)
        );
        assert_eq!(
            rec("GRANT SELECT ON t TO r"),
            ("GRANT".into(), s("t"), None, None)
        );
        assert_eq!(rec("GRANT ALL ON ALL TABLES IN SCHEMA s TO r").1, None);
        assert_eq!(rec("DO $$ BEGIN END $$").0, "DO");
        assert_eq!(rec("VACUUM t").0, "VACUUM");
        assert_eq!(recover("(SELECT 1)"), None);
        assert_eq!(recover(""), None);
    }

    #[test]
    fn relevance() {
        assert!(is_schema_relevant("  -- c\n alter table x"));
        assert!(is_schema_relevant("merge into x"));
        assert!(!is_schema_relevant("SELECT 1"));
        assert!(!is_schema_relevant("DO $$ $$"));
        assert!(!is_schema_relevant("'x'"));
        let outside = |text: &str| recover(text).is_some_and(|r| outside_model(&r));
        assert!(outside(
            "ALTER PUBLICATION supabase_realtime ADD TABLE public.messages"
        ));
        assert!(outside("create statistics s (dependencies) on a, b from t"));
        assert!(outside("ALTER INDEX IF EXISTS i SET (fillfactor = 70)"));
        assert!(outside("ALTER INDEX i ALTER COLUMN 1 SET STATISTICS 100"));
        assert!(!outside("ALTER INDEX i RENAME TO j"));
        assert!(!outside("ALTER TABLE t SET (fillfactor = 70)"));
        assert!(!outside("CREATE TABLE publication (id int)"));
        assert!(outside(
            "CREATE OR REPLACE PROCEDURE app.p(d date) LANGUAGE plpgsql AS $$ $$"
        ));
        assert!(outside(
            "CREATE TRIGGER \"t\" AFTER INSERT ON x EXECUTE FUNCTION f('a')"
        ));
        assert!(outside("COMMENT ON POLICY \"p\" ON t IS 'x'"));
        assert!(outside("GRANT USAGE ON TYPE api.mood TO anon"));
        assert!(outside("revoke all on language sql from public"));
        assert!(!outside("COMMENT ON TABLE t IS 'x'"));
        // Owners are not modelled.
        assert!(outside(
            "ALTER TYPE \"public\".\"status\" OWNER TO \"postgres\""
        ));
        assert!(!outside("ALTER TYPE status RENAME ATTRIBUTE a TO b"));
    }
}
