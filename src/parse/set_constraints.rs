//! Stage 2 helper: `SET CONSTRAINTS {ALL | name [, ...]} {DEFERRED | IMMEDIATE}`, which
//! sqlparser 0.64 does not parse and Django writes before changing a foreign key
//! (`SET CONSTRAINTS "..._fk_..." IMMEDIATE; ALTER TABLE ...`). It changes no schema: read
//! exactly (<https://www.postgresql.org/docs/current/sql-set-constraints.html>) as
//! [`Change::Other`], so it is not reported as a statement the tool does not understand.
//! Anything else stays unparsable, as before. Not checked: PostgreSQL refuses a name that no
//! deferrable constraint of the search path's schemas has; the model does not hold
//! deferrability (Django names the constraint it has just created).

use super::OffsetMap;
use super::sequence::Reader;
use crate::model::ir::Change;
use crate::span::FileId;

/// Read `text` as SET CONSTRAINTS. `None` when it is not one this reader fully understands.
pub(crate) fn parse(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after_words(text, offsets, file, ["SET", "CONSTRAINTS"])?;
    if !r.eat("ALL") {
        loop {
            r.object_name()?;
            if r.punct(b',').is_none() {
                break;
            }
        }
    }
    if !r.eat("DEFERRED") {
        r.expect("IMMEDIATE")?;
    }
    r.eat_semicolon();
    r.at_end().then_some(Change::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_set_constraints_exactly() {
        let read = |t: &str| parse(t, &OffsetMap::default(), 0).is_some();
        assert!(read("SET CONSTRAINTS ALL DEFERRED"));
        assert!(read(
            "SET CONSTRAINTS \"library_book_author_id_3f8b1c2e_fk_library_author_id\" IMMEDIATE;"
        ));
        assert!(read("set constraints a, s.b deferred"));
        for t in [
            "SET CONSTRAINTS ALL",
            "SET CONSTRAINTS a b IMMEDIATE",
            "SET CONSTRAINTS a, IMMEDIATE",
            "SET CONSTRAINTS ALL LATER",
            "SET search_path = a",
            "SET CONSTRAINTS select IMMEDIATE",
        ] {
            assert!(!read(t), "{t}");
        }
    }
}
