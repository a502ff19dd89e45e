//! Stage 2 helper: `CREATE PUBLICATION` and `ALTER PUBLICATION`, which sqlparser 0.64 does not
//! parse (Supabase projects write `ALTER PUBLICATION supabase_realtime ADD TABLE ...` in their
//! migrations). The publication itself is not modelled; what PostgreSQL checks against the
//! schema is: every table named exists (with the columns of its column list), every schema of
//! `TABLES IN SCHEMA` exists. Read with the ALTER SEQUENCE reader's tokens, exactly
//! (<https://www.postgresql.org/docs/current/sql-createpublication.html>):
//!
//! ```text
//! CREATE PUBLICATION name [FOR ALL TABLES | FOR object [, ...]] [WITH ( parameter [= value] [, ...] )]
//! ALTER PUBLICATION name {ADD | SET | DROP} object [, ...]
//! ALTER PUBLICATION name SET ( parameter [= value] [, ...] ) | OWNER TO role | RENAME TO new
//!   object: TABLE [ONLY] table [*] [( column [, ...] )] [WHERE ( expression )] [, ...]
//!         | TABLES IN SCHEMA {schema | CURRENT_SCHEMA} [, ...]
//! ```
//!
//! Anything else stays unparsable, as before.

use super::OffsetMap;
use super::sequence::Reader;
use crate::model::ir::{Change, ColName};
use crate::span::FileId;

/// Read `text` as CREATE or ALTER PUBLICATION. `None` when it is not one, or not one this
/// reader fully understands.
pub(crate) fn parse(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let (mut r, create) = match Reader::after_words(text, offsets, file, ["ALTER", "PUBLICATION"]) {
        Some(r) => (r, false),
        None => (
            Reader::after_words(text, offsets, file, ["CREATE", "PUBLICATION"])?,
            true,
        ),
    };
    r.ident(false)?;
    let mut change = Change::Publication {
        tables: Vec::new(),
        schemas: Vec::new(),
    };
    if create {
        if r.eat("FOR") {
            if r.eat("ALL") {
                r.expect("TABLES")?;
            } else {
                objects(&mut r, &mut change)?;
            }
        }
        if r.eat("WITH") {
            r.parenthesized()?;
        }
    } else if r.eat("ADD") || r.eat("DROP") {
        objects(&mut r, &mut change)?;
    } else if r.eat("SET") {
        if r.kw_punct(b'(') {
            r.parenthesized()?;
        } else {
            objects(&mut r, &mut change)?;
        }
    } else if r.eat("OWNER") || r.eat("RENAME") {
        r.expect("TO")?;
        r.peek(0)?;
        r.i += 1;
    } else {
        return None;
    }
    r.eat_semicolon();
    r.at_end().then_some(change)
}

/// `TABLE ... | TABLES IN SCHEMA ...`, comma-separated; a name after a comma continues the
/// kind before it.
fn objects(r: &mut Reader<'_>, change: &mut Change) -> Option<()> {
    let Change::Publication { tables, schemas } = change else {
        return None;
    };
    let mut in_schema = false;
    let mut first = true;
    loop {
        if r.eat("TABLES") {
            r.expect("IN")?;
            r.expect("SCHEMA")?;
            in_schema = true;
        } else if r.eat("TABLE") {
            in_schema = false;
        } else if first {
            return None;
        }
        first = false;
        if in_schema {
            if r.eat("CURRENT_SCHEMA") {
                // The first schema of the search path: nothing to check here.
            } else {
                let schema = r.col_name()?;
                schemas.push((schema.name, schema.span));
            }
        } else {
            r.eat("ONLY");
            let name = r.object_name()?;
            if r.kw_punct(b'*') {
                r.i += 1;
            }
            let mut columns = Vec::new();
            if r.kw_punct(b'(') {
                r.i += 1;
                loop {
                    let (column, range) = r.ident(false)?;
                    columns.push(ColName {
                        name: column.into(),
                        span: r.span(range.start, range.end),
                    });
                    if r.punct(b',').is_none() {
                        break;
                    }
                }
                r.punct(b')')?;
            }
            if r.eat("WHERE") {
                r.parenthesized()?;
            }
            tables.push((name, columns));
        }
        if r.punct(b',').is_none() {
            return Some(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<(Vec<String>, Vec<String>)> {
        let offsets = OffsetMap::default();
        let Change::Publication { tables, schemas } = parse(text, &offsets, 0)? else {
            return None;
        };
        let tables = tables
            .iter()
            .map(|(t, cols)| {
                let name = match &t.schema {
                    Some(s) => format!("{s}.{}", t.name),
                    None => t.name.to_string(),
                };
                let cols: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
                format!("{name}({})", cols.join(","))
            })
            .collect();
        let schemas = schemas.iter().map(|(s, _)| s.to_string()).collect();
        Some((tables, schemas))
    }

    #[test]
    fn reads_the_tables_and_schemas_publications_name() {
        assert_eq!(
            read("ALTER PUBLICATION supabase_realtime ADD TABLE public.messages"),
            Some((vec!["public.messages()".into()], vec![]))
        );
        assert_eq!(
            read(
                "alter publication p set table only a *, \"B\" (id, \"Name\") where (id > 0 and (x)), tables in schema s, t"
            ),
            Some((
                vec!["a()".into(), "B(id,Name)".into()],
                vec!["s".into(), "t".into()]
            ))
        );
        assert_eq!(
            read("CREATE PUBLICATION p FOR TABLE a, b WITH (publish = 'insert')"),
            Some((vec!["a()".into(), "b()".into()], vec![]))
        );
        assert_eq!(
            read("CREATE PUBLICATION p FOR ALL TABLES"),
            Some((vec![], vec![]))
        );
        assert_eq!(read("CREATE PUBLICATION p"), Some((vec![], vec![])));
        assert_eq!(
            read("ALTER PUBLICATION p DROP TABLES IN SCHEMA CURRENT_SCHEMA, x"),
            Some((vec![], vec!["x".into()]))
        );
        assert_eq!(
            read("ALTER PUBLICATION p SET (publish = 'insert, update')"),
            Some((vec![], vec![]))
        );
        assert_eq!(
            read("ALTER PUBLICATION p OWNER TO postgres"),
            Some((vec![], vec![]))
        );
        assert_eq!(
            read("ALTER PUBLICATION p RENAME TO q"),
            Some((vec![], vec![]))
        );
    }

    #[test]
    fn leaves_what_it_does_not_know_unread() {
        for text in [
            "ALTER PUBLICATION p ADD a",
            "ALTER PUBLICATION p ADD TABLE",
            "ALTER PUBLICATION p ADD TABLE a (",
            "ALTER PUBLICATION p ADD TABLE a WHERE (x",
            "ALTER PUBLICATION p ADD TABLE a b",
            "ALTER PUBLICATION p REFRESH",
            "CREATE PUBLICATION p FOR TABLE select",
            "ALTER SUBSCRIPTION s ADD TABLE a",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
