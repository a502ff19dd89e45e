//! Stage 2 helper: statements `pg_dump` writes that sqlparser 0.64 does not parse, read
//! exactly with the ALTER SEQUENCE reader's tokens. A schema dump is where many projects start
//! their history; each of these was an "unparsable statement" finding per type, per
//! partitioned index, per commented constraint:
//!
//! ```text
//! ALTER TYPE name OWNER TO role          ALTER DOMAIN name OWNER TO role
//! ALTER INDEX name ATTACH PARTITION index
//! ALTER TABLE [IF EXISTS] [ONLY] name CLUSTER ON index
//! ALTER TABLE [IF EXISTS] [ONLY] name ALTER CONSTRAINT c [[NOT] DEFERRABLE] [INITIALLY {DEFERRED | IMMEDIATE}]
//! COMMENT ON CONSTRAINT name ON [DOMAIN] table IS {'text' | NULL}
//! ALTER DOMAIN name {SET | DROP | ADD | RENAME CONSTRAINT | VALIDATE} ...   (the domain must exist)
//! ALTER DOMAIN name RENAME TO new | SET SCHEMA schema
//! ALTER TYPE name {ADD | DROP | ALTER | RENAME} ATTRIBUTE ...               (the type must exist)
//! ALTER TEXT SEARCH CONFIGURATION name {ADD | ALTER | DROP} MAPPING ...      (not modelled)
//! COMMENT ON TRIGGER name ON table IS {'text' | NULL}                        (the trigger must exist)
//! REINDEX [(...)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] [name]
//! CLUSTER [VERBOSE | (...)] [table [USING index]]     CLUSTER index ON table
//! ```
//!
//! REINDEX and CLUSTER are not pg_dump's but maintenance migrations run after changing
//! indexes: what they name must exist, and PostgreSQL refuses `REINDEX ... CONCURRENTLY`,
//! `REINDEX SCHEMA / DATABASE / SYSTEM` and a bare `CLUSTER` in a transaction block.
//!
//! (<https://www.postgresql.org/docs/current/sql-altertype.html>, `sql-alterindex.html`,
//! `sql-comment.html`, `sql-altertable.html`.) What PostgreSQL checks against the schema is
//! kept: the type, both indexes, the table's constraint, the table and its index must exist. A domain's constraint is not modelled (read
//! as a statement that changes nothing). Anything else stays unparsable, as before.

use super::OffsetMap;
use super::lex::Tok;
use super::sequence::Reader;
use crate::model::ir::{Change, ColName, ObjName, ReindexTarget};
use crate::span::FileId;

/// Read `text` as one of the forms above. `None` when it is not one this reader fully
/// understands.
pub(crate) fn parse(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    owner(text, offsets, file)
        .or_else(|| attach_index(text, offsets, file))
        .or_else(|| cluster_on(text, offsets, file))
        .or_else(|| alter_constraint(text, offsets, file))
        .or_else(|| alter_domain(text, offsets, file))
        .or_else(|| type_attribute(text, offsets, file))
        .or_else(|| text_search_mapping(text, offsets, file))
        .or_else(|| comment_on_constraint(text, offsets, file))
        .or_else(|| comment_on_trigger(text, offsets, file))
        .or_else(|| reindex(text, offsets, file))
        .or_else(|| cluster(text, offsets, file))
}

/// `REINDEX [(option, ...)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] name`
/// (the name optional for DATABASE and SYSTEM, which check nothing the model keeps).
fn reindex(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["REINDEX"])?;
    if r.kw_punct(b'(') {
        r.parenthesized()?;
    }
    let kind = ["INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"]
        .into_iter()
        .find(|k| r.eat(k))?;
    let concurrently = r.eat("CONCURRENTLY");
    let target = match kind {
        "INDEX" => ReindexTarget::Index(r.object_name()?),
        "TABLE" => ReindexTarget::Table(r.object_name()?),
        "SCHEMA" => ReindexTarget::Schema(r.col_name()?),
        _ => {
            if !r.at_end() && !r.kw_punct(b';') {
                r.ident(false)?;
            }
            ReindexTarget::Database(if kind == "SYSTEM" {
                "REINDEX SYSTEM"
            } else {
                "REINDEX DATABASE"
            })
        }
    };
    end(r).then_some(Change::Reindex {
        target,
        concurrently,
    })
}

/// `CLUSTER [VERBOSE | (option, ...)] [table [USING index]]` and the old `CLUSTER index ON
/// table`: with an index, the checks of `ALTER TABLE ... CLUSTER ON` (the table has the
/// index); a table alone must exist; nothing named, every clustered table.
fn cluster(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["CLUSTER"])?;
    if r.kw_punct(b'(') {
        r.parenthesized()?;
    }
    r.eat("VERBOSE");
    if r.at_end() || r.kw_punct(b';') {
        return end(r).then_some(Change::ClusterAll);
    }
    let first = r.object_name()?;
    let (table, index) = if r.eat("USING") {
        let index = r.col_name()?;
        (first, Some((index.name, index.span)))
    } else if r.eat("ON") {
        let table = r.object_name()?;
        (table, Some((first.name, first.span)))
    } else {
        (first, None)
    };
    if !end(r) {
        return None;
    }
    Some(match index {
        Some((name, span)) => Change::ClusterOn {
            index: ObjName {
                schema: table.schema.clone(),
                name,
                span,
            },
            table,
            if_exists: false,
        },
        None => Change::ClusterTable(table),
    })
}

/// `COMMENT ON TRIGGER name ON table IS {'text' | NULL}`.
fn comment_on_trigger(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["COMMENT", "ON", "TRIGGER"])?;
    let name = r.col_name()?;
    r.expect("ON")?;
    let table = r.object_name()?;
    comment_text(&mut r)?;
    end(r).then_some(Change::CommentOnTrigger { name, table })
}

/// `ALTER {TYPE | DOMAIN} name OWNER TO role`.
fn owner(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["ALTER", "TYPE"])
        .or_else(|| Reader::after_words(text, offsets, file, ["ALTER", "DOMAIN"]))?;
    let name = r.object_name()?;
    r.expect("OWNER")?;
    r.expect("TO")?;
    role(&mut r)?;
    end(r).then_some(Change::TypeMustExist(name))
}

/// `ALTER INDEX name ATTACH PARTITION index` (PostgreSQL's grammar has no `IF EXISTS` here).
fn attach_index(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["ALTER", "INDEX"])?;
    let index = r.object_name()?;
    r.expect("ATTACH")?;
    r.expect("PARTITION")?;
    let partition = r.object_name()?;
    end(r).then_some(Change::AttachIndex { index, partition })
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name`: a reader past it, the table, and `IF EXISTS`.
fn alter_table<'a>(
    text: &'a str,
    offsets: &'a OffsetMap,
    file: FileId,
) -> Option<(Reader<'a>, ObjName, bool)> {
    let mut r = Reader::after_words(text, offsets, file, ["ALTER", "TABLE"])?;
    let if_exists = r.eat("IF");
    if if_exists {
        r.expect("EXISTS")?;
    }
    r.eat("ONLY");
    let table = r.object_name()?;
    Some((r, table, if_exists))
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name CLUSTER ON index`.
fn cluster_on(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let (mut r, table, if_exists) = alter_table(text, offsets, file)?;
    r.expect("CLUSTER")?;
    r.expect("ON")?;
    let index = r.col_name()?;
    let index = ObjName {
        schema: table.schema.clone(),
        name: index.name,
        span: index.span,
    };
    end(r).then_some(Change::ClusterOn {
        table,
        index,
        if_exists,
    })
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name ALTER CONSTRAINT c [[NOT] DEFERRABLE] [INITIALLY
/// {DEFERRED | IMMEDIATE}]` (Django and Rails write it to change a foreign key's timing).
fn alter_constraint(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let (mut r, table, if_exists) = alter_table(text, offsets, file)?;
    r.expect("ALTER")?;
    r.expect("CONSTRAINT")?;
    let ColName { name, span } = r.col_name()?;
    loop {
        if r.eat("NOT") {
            r.expect("DEFERRABLE")?;
        } else if r.eat("INITIALLY") {
            if !r.eat("DEFERRED") {
                r.expect("IMMEDIATE")?;
            }
        } else if !r.eat("DEFERRABLE") {
            break;
        }
    }
    end(r).then_some(Change::AlterConstraint {
        table,
        name,
        span,
        if_exists,
    })
}

/// `ALTER DOMAIN name ...`, which sqlparser does not read. A rename or a move is modelled as
/// for a type; the rest changes what the model does not keep (a domain's default, NOT NULL,
/// constraints), so the domain must exist and that is all.
fn alter_domain(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["ALTER", "DOMAIN"])?;
    let name = r.object_name()?;
    if r.eat("RENAME") {
        if r.eat("TO") {
            let (to, _) = r.ident(false)?;
            return end(r).then_some(Change::AlterTypeRename {
                name,
                to: to.into(),
            });
        }
        r.expect("CONSTRAINT")?;
    } else if r.eat("SET") {
        if r.eat("SCHEMA") {
            let schema = r.col_name()?;
            return end(r).then_some(Change::AlterTypeSetSchema {
                name,
                schema: schema.name,
                span: schema.span,
            });
        }
    } else if !(r.eat("DROP") || r.eat("ADD") || r.eat("VALIDATE")) {
        return None;
    }
    r.skip_rest();
    Some(Change::TypeMustExist(name))
}

/// `ALTER TYPE name {ADD | DROP | ALTER | RENAME} ATTRIBUTE ...` (a composite type's
/// attributes are not modelled: the type must exist).
fn type_attribute(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["ALTER", "TYPE"])?;
    let name = r.object_name()?;
    if !(r.eat("ADD") || r.eat("DROP") || r.eat("ALTER") || r.eat("RENAME")) {
        return None;
    }
    r.expect("ATTRIBUTE")?;
    r.skip_rest();
    Some(Change::TypeMustExist(name))
}

/// `ALTER TEXT SEARCH CONFIGURATION name {ADD | ALTER | DROP} MAPPING ...`, which pg_dump writes
/// once per token type of a configuration it dumps: text search configurations are not
/// modelled, so it is read as a statement that changes nothing the model keeps.
fn text_search_mapping(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["ALTER", "TEXT"])?;
    r.expect("SEARCH")?;
    r.expect("CONFIGURATION")?;
    r.object_name()?;
    if !(r.eat("ADD") || r.eat("ALTER") || r.eat("DROP")) {
        return None;
    }
    r.expect("MAPPING")?;
    r.skip_rest();
    Some(Change::Other)
}

/// `COMMENT ON CONSTRAINT name ON [DOMAIN] table IS {'text' | NULL}`.
fn comment_on_constraint(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["COMMENT", "ON"])?;
    r.expect("CONSTRAINT")?;
    let name = r.col_name()?;
    r.expect("ON")?;
    let domain = r.eat("DOMAIN");
    let table = r.object_name()?;
    comment_text(&mut r)?;
    if !end(r) {
        return None;
    }
    Some(if domain {
        Change::Other
    } else {
        Change::CommentOnConstraint {
            table,
            name: name.name,
            span: name.span,
        }
    })
}

/// `IS {'text' | NULL}`, the end of a `COMMENT ON`.
fn comment_text(r: &mut Reader<'_>) -> Option<()> {
    r.expect("IS")?;
    if !r.eat("NULL") {
        (r.peek(0)?.kind == Tok::Str).then_some(())?;
        r.i += 1;
    }
    Some(())
}

/// A role: a name, or `CURRENT_USER` / `SESSION_USER` / `CURRENT_ROLE` (reserved words).
fn role(r: &mut Reader<'_>) -> Option<()> {
    if r.eat("CURRENT_USER") || r.eat("SESSION_USER") || r.eat("CURRENT_ROLE") {
        return Some(());
    }
    r.ident(false).map(|_| ())
}

/// Past a trailing `;`, every token read.
fn end(mut r: Reader<'_>) -> bool {
    r.eat_semicolon();
    r.at_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(t: &str) -> Option<String> {
        parse(t, &OffsetMap::default(), 0).map(|c| match c {
            Change::TypeMustExist(n) => format!("type {n:?}"),
            Change::AttachIndex {
                index, partition, ..
            } => {
                format!("attach {} {}", index.name, partition.name)
            }
            Change::CommentOnConstraint { table, name, .. } => {
                format!("comment {name} {}", table.name)
            }
            Change::ClusterOn { table, index, .. } => {
                format!("cluster {} {}", table.name, index.name)
            }
            Change::AlterConstraint { table, name, .. } => {
                format!("alter constraint {} {name}", table.name)
            }
            Change::AlterTypeRename { name, to } => format!("rename {} {to}", name.name),
            Change::AlterTypeSetSchema { name, schema, .. } => {
                format!("move {} {schema}", name.name)
            }
            Change::Other => "other".to_string(),
            Change::CreateRule { table } => format!("rule {}", table.name),
            Change::Reindex {
                target,
                concurrently,
            } => format!("reindex {target:?} {concurrently}"),
            Change::ClusterTable(t) => format!("cluster {}", t.name),
            Change::ClusterAll => "cluster all".to_string(),
            Change::CommentOnTrigger { name, table } => {
                format!("comment trigger {} {}", name.name, table.name)
            }
            _ => "?".to_string(),
        })
    }

    #[test]
    fn maintenance_and_trigger_comments() {
        let reads = |t: &str| read(t).unwrap_or_else(|| "none".to_string());
        assert!(
            reads("REINDEX (VERBOSE, TABLESPACE x) INDEX CONCURRENTLY s.i;")
                .starts_with("reindex Index")
        );
        assert!(reads("reindex index concurrently s.i").ends_with("true"));
        assert!(reads("REINDEX TABLE t").starts_with("reindex Table"));
        assert!(reads("REINDEX SCHEMA app").starts_with("reindex Schema"));
        assert!(reads("REINDEX DATABASE").contains("REINDEX DATABASE"));
        assert!(reads("REINDEX SYSTEM mydb;").contains("REINDEX SYSTEM"));
        assert_eq!(reads("CLUSTER t USING i;"), "cluster t i");
        assert_eq!(reads("CLUSTER i ON s.t"), "cluster t i");
        assert_eq!(reads("CLUSTER (VERBOSE) s.t"), "cluster t");
        assert_eq!(reads("CLUSTER VERBOSE;"), "cluster all");
        assert_eq!(
            reads("COMMENT ON TRIGGER trg ON s.t IS 'x';"),
            "comment trigger trg t"
        );
        assert_eq!(
            reads("COMMENT ON TRIGGER trg ON t IS NULL"),
            "comment trigger trg t"
        );
        for not_ours in [
            "REINDEX",
            "REINDEX INDEX",
            "REINDEX TABLE a.b.c",
            "REINDEX (VERBOSE INDEX i",
            "REINDEX INDEX i extra",
            "CLUSTER t USING",
            "CLUSTER t USING i j",
            "COMMENT ON TRIGGER trg ON t IS 1",
            "COMMENT ON TRIGGER trg IS 'x'",
        ] {
            assert_eq!(reads(not_ours), "none", "{not_ours}");
        }
    }

    #[test]
    fn reads_what_pg_dump_writes_exactly() {
        assert!(
            read("ALTER TYPE public.mood OWNER TO postgres;")
                .is_some_and(|s| s.starts_with("type"))
        );
        assert!(read("ALTER DOMAIN app.email OWNER TO \"Admin\"").is_some());
        assert!(read("alter type t owner to current_user").is_some());
        assert_eq!(
            read("ALTER INDEX public.logs_at_idx ATTACH PARTITION public.logs_2026_at_idx;")
                .as_deref(),
            Some("attach logs_at_idx logs_2026_at_idx")
        );
        assert_eq!(
            read("ALTER TABLE ONLY public.users CLUSTER ON users_pkey;").as_deref(),
            Some("cluster users users_pkey")
        );
        for domain in [
            "ALTER DOMAIN app.zip SET DEFAULT '00000'",
            "ALTER DOMAIN app.zip DROP NOT NULL",
            "ALTER DOMAIN app.zip ADD CONSTRAINT c CHECK (VALUE <> '') NOT VALID",
            "ALTER DOMAIN app.zip DROP CONSTRAINT IF EXISTS c CASCADE",
            "ALTER DOMAIN app.zip RENAME CONSTRAINT c TO d",
            "ALTER DOMAIN app.zip VALIDATE CONSTRAINT c",
            "ALTER TYPE app.zip ADD ATTRIBUTE note text",
            "ALTER TYPE app.zip RENAME ATTRIBUTE note TO remark CASCADE",
        ] {
            assert!(read(domain).is_some_and(|r| r.contains("zip")), "{domain}");
        }
        assert_eq!(
            read("ALTER DOMAIN zip RENAME TO postcode").as_deref(),
            Some("rename zip postcode")
        );
        assert_eq!(
            read("ALTER DOMAIN zip SET SCHEMA app").as_deref(),
            Some("move zip app")
        );
        assert_eq!(read("ALTER DOMAIN zip FROB"), None);
        assert_eq!(
            read("ALTER TEXT SEARCH CONFIGURATION public.my_english\n    ADD MAPPING FOR asciiword WITH english_stem;").as_deref(),
            Some("other")
        );
        assert_eq!(
            read("ALTER TEXT SEARCH CONFIGURATION c RENAME TO d MAPPING"),
            None
        );
        assert_eq!(read("ALTER TYPE zip ADD VALUE 'x'"), None);
        assert_eq!(
            read(
                "ALTER TABLE IF EXISTS t ALTER CONSTRAINT t_fk NOT DEFERRABLE INITIALLY IMMEDIATE"
            )
            .as_deref(),
            Some("alter constraint t t_fk")
        );
        assert_eq!(
            read("COMMENT ON CONSTRAINT role_ok ON public.members IS 'c';").as_deref(),
            Some("comment role_ok members")
        );
        assert_eq!(
            read("COMMENT ON CONSTRAINT \"Ck\" ON DOMAIN d IS NULL").as_deref(),
            Some("other")
        );
        for t in [
            "ALTER TYPE mood OWNER TO",
            "ALTER TYPE mood OWNER postgres",
            "ALTER TYPE mood ADD VALUE 'x'",
            "ALTER TYPE mood OWNER TO a b",
            "ALTER INDEX i ATTACH PARTITION",
            "ALTER INDEX i RENAME TO j",
            "ALTER INDEX IF EXISTS i ATTACH PARTITION j",
            "COMMENT ON CONSTRAINT c ON t IS 1",
            "COMMENT ON CONSTRAINT c ON t",
            "COMMENT ON TABLE t IS 'x'",
            "ALTER TYPE a.b.c OWNER TO x",
            "ALTER TABLE t CLUSTER ON s.i",
            "ALTER TABLE t ALTER CONSTRAINT c DEFERRABLE junk",
            "ALTER TABLE t ALTER CONSTRAINT c NOT",
            "ALTER TABLE t CLUSTER i",
        ] {
            assert_eq!(read(t), None, "{t}");
        }
    }
}
