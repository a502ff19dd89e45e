//! Stage 2 helper: `ALTER SEQUENCE`, which sqlparser 0.64 cannot parse at all (every pg_dump
//! has two per serial column: `OWNER TO` and `OWNED BY`). A small, exact reader of
//! PostgreSQL's whole grammar (<https://www.postgresql.org/docs/current/sql-altersequence.html>)
//! turns the statement straight into the model's IR, as the DO-body reader does:
//!
//! ```text
//! ALTER SEQUENCE [IF EXISTS] name option...        -- AS type, INCREMENT [BY] n,
//!     MINVALUE n | NO MINVALUE, MAXVALUE n | NO MAXVALUE, START [WITH] n,
//!     RESTART [[WITH] n], CACHE n, [NO] CYCLE, OWNED BY {table.column | NONE}
//! ALTER SEQUENCE [IF EXISTS] name OWNER TO role | RENAME TO new | SET SCHEMA s
//!     | SET {LOGGED | UNLOGGED}
//! ```
//!
//! Anything else (a second comma-separated command, a float, a reserved word as a name, a
//! multi-word type...) is not read: the statement stays unparsable, exactly as before.
//!
//! The same reader takes the column forms of ALTER TABLE that sqlparser cannot parse (pg_dump,
//! Rails and Django write them), one action per statement, when sqlparser has failed:
//!
//! ```text
//! ALTER TABLE [IF EXISTS] [ONLY] name ALTER [COLUMN] column
//!     RESTART [[WITH] n] | SET GENERATED {ALWAYS | BY DEFAULT} | DROP IDENTITY [IF EXISTS]
//!     | SET STATISTICS n | SET STORAGE mode | SET COMPRESSION method
//!     | SET ( {n_distinct | n_distinct_inherited} = value [, ...] ) | RESET ( option [, ...] )
//! ```

use super::OffsetMap;
use super::lex::{Lexer, Tok, Token, is_kw};
use crate::model::ir::{
    AlterAction, AlterSequenceDef, AlterTarget, Change, ColName, ObjName, OwnedBy, SequenceAction,
    SequenceOption, SequenceOptionKind,
};
use crate::model::lower::fold_written;
use crate::model::pgtype::is_reserved_keyword;
use crate::span::{FileId, Span};

/// Folded identifiers with their text ranges, as in `a.b.c`.
type Parts = Vec<(String, std::ops::Range<usize>)>;

/// More tokens than any ALTER SEQUENCE needs: the statement is something else.
const MAX_TOKENS: usize = 96;

/// Read `text` as one of the ALTER TABLE ... ALTER COLUMN forms above. `None` when it is not
/// one, or not one this reader fully understands.
pub(crate) fn alter_column(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after(text, offsets, file, "TABLE")?;
    let change = r.alter_column()?;
    r.toks.get(r.i).is_none().then_some(change)
}

/// Read `text` (one statement, `offsets` mapping it into file `file`) as ALTER SEQUENCE.
/// `None` when it is not one, or not one this reader fully understands.
pub(crate) fn parse(text: &str, offsets: &OffsetMap, file: FileId) -> Option<Change> {
    let mut r = Reader::after(text, offsets, file, "SEQUENCE")?;
    let def = r.statement()?;
    r.toks
        .get(r.i)
        .is_none()
        .then(|| Change::AlterSequence(Box::new(def)))
}

pub(super) struct Reader<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pub(super) i: usize,
    offsets: &'a OffsetMap,
    file: FileId,
}

impl<'a> Reader<'a> {
    /// A reader of what follows `ALTER {object}` in `text`, or `None` when `text` does not
    /// start so or is longer than any statement read here.
    fn after(text: &'a str, offsets: &'a OffsetMap, file: FileId, object: &str) -> Option<Self> {
        Self::after_words(text, offsets, file, ["ALTER", object])
    }

    /// A reader of what follows the words `head` in `text` (see [`Reader::after`]).
    pub(super) fn after_words<const N: usize>(
        text: &'a str,
        offsets: &'a OffsetMap,
        file: FileId,
        head: [&str; N],
    ) -> Option<Self> {
        let mut lexer = Lexer::new(text, 0..text.len());
        let first: Vec<Token> = lexer.by_ref().take(N).collect();
        if first.len() != N || !first.iter().zip(head).all(|(t, w)| is_kw(text, t, w)) {
            return None;
        }
        let toks: Vec<Token> = lexer.take(MAX_TOKENS + 1).collect();
        (toks.len() <= MAX_TOKENS).then_some(Self {
            text,
            toks,
            i: 0,
            offsets,
            file,
        })
    }

    /// Past a balanced `( ... )` starting here (`None` if none starts or it does not end).
    pub(super) fn parenthesized(&mut self) -> Option<()> {
        self.punct(b'(')?;
        let mut depth = 1usize;
        while depth > 0 {
            match self.peek(0)?.kind {
                Tok::Punct(b'(') => depth += 1,
                Tok::Punct(b')') => depth -= 1,
                _ => {}
            }
            self.i += 1;
        }
        Some(())
    }

    /// Past a trailing `;`, if any.
    pub(super) fn eat_semicolon(&mut self) {
        if self.kw_punct(b';') {
            self.i += 1;
        }
    }

    /// Whether every token is read.
    /// Past everything left (a clause this reader does not need to understand).
    pub(super) fn skip_rest(&mut self) {
        self.i = self.toks.len();
    }

    pub(super) fn at_end(&self) -> bool {
        self.toks.get(self.i).is_none()
    }

    pub(super) fn peek(&self, n: usize) -> Option<&Token> {
        self.toks.get(self.i + n)
    }

    pub(super) fn kw(&self, k: &str) -> bool {
        self.peek(0).is_some_and(|t| is_kw(self.text, t, k))
    }

    pub(super) fn eat(&mut self, k: &str) -> bool {
        let hit = self.kw(k);
        if hit {
            self.i += 1;
        }
        hit
    }

    pub(super) fn expect(&mut self, k: &str) -> Option<()> {
        self.eat(k).then_some(())
    }

    pub(super) fn span(&self, from: usize, to: usize) -> Span {
        self.offsets.file_span(self.file, from..to)
    }

    /// Byte offset where the previous token ends.
    fn last_end(&self) -> usize {
        self.i
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.range.end)
    }

    /// One identifier, folded, with its text range. `label`: after a dot, where PostgreSQL
    /// accepts any keyword (`ColLabel`); elsewhere a reserved word is not a name (`ColId`).
    pub(super) fn ident(&mut self, label: bool) -> Option<(String, std::ops::Range<usize>)> {
        let t = self.peek(0)?.clone();
        let raw = self.text.get(t.range.clone())?;
        let ok = match t.kind {
            Tok::Word => label || !is_reserved_keyword(raw),
            Tok::Quoted => raw.len() >= 2 && raw.ends_with('"'),
            _ => false,
        };
        let name = fold_written(raw);
        if !ok || name.is_empty() {
            return None;
        }
        self.i += 1;
        Some((name, t.range))
    }

    /// One identifier ([`Reader::ident`], not a label) with its span in the file.
    pub(super) fn col_name(&mut self) -> Option<ColName> {
        let (name, range) = self.ident(false)?;
        Some(ColName {
            name: name.into(),
            span: self.span(range.start, range.end),
        })
    }

    /// `a`, `a.b`, `a.b.c`...: the folded parts.
    fn dotted(&mut self) -> Option<Parts> {
        let mut parts = vec![self.ident(false)?];
        while self.peek(0).is_some_and(|t| t.kind == Tok::Punct(b'.')) {
            self.i += 1;
            parts.push(self.ident(true)?);
        }
        Some(parts)
    }

    /// `[schema.]name`; a catalog-qualified name (`db.schema.name`) is not read.
    pub(super) fn object_name(&mut self) -> Option<ObjName> {
        let mut parts = self.dotted()?;
        if parts.len() > 2 {
            return None;
        }
        let start = parts.first()?.1.start;
        let (name, last) = parts.pop()?;
        Some(ObjName {
            schema: parts.pop().map(|p| p.0).map(Into::into),
            name: name.into(),
            span: self.span(start, last.end),
        })
    }

    /// An integer, signed or not.
    fn integer(&mut self) -> Option<()> {
        if self.peek(0).is_some_and(|t| t.kind == Tok::Punct(b'-')) {
            self.i += 1;
        }
        let t = self.peek(0)?;
        (t.kind == Tok::Number
            && self
                .text
                .get(t.range.clone())?
                .bytes()
                .all(|b| b.is_ascii_digit()))
        .then(|| self.i += 1)
    }

    /// One bare word (a storage mode, a compression method).
    fn word(&mut self) -> Option<()> {
        (self.peek(0)?.kind == Tok::Word).then(|| self.i += 1)
    }

    /// Whether the next token is the punctuation `p` (not consumed).
    pub(super) fn kw_punct(&self, p: u8) -> bool {
        self.peek(0).is_some_and(|t| t.kind == Tok::Punct(p))
    }

    pub(super) fn punct(&mut self, p: u8) -> Option<()> {
        self.kw_punct(p).then(|| self.i += 1)
    }

    /// A column's attribute options: `(n_distinct = -0.5, n_distinct_inherited = 10)` after
    /// SET, `(n_distinct)` after RESET. Only the two options PostgreSQL has for a column: any
    /// other name is an error there, so the statement stays unread here.
    fn attribute_options(&mut self, with_values: bool) -> Option<()> {
        self.punct(b'(')?;
        loop {
            let t = self.peek(0)?;
            let name = self.text.get(t.range.clone())?.to_ascii_lowercase();
            if t.kind != Tok::Word
                || !matches!(name.as_str(), "n_distinct" | "n_distinct_inherited")
            {
                return None;
            }
            self.i += 1;
            if with_values {
                self.punct(b'=')?;
                if self.kw_punct(b'-') {
                    self.i += 1;
                }
                let value = self.peek(0)?;
                if !matches!(value.kind, Tok::Number | Tok::Str) {
                    return None;
                }
                self.i += 1;
            }
            if self.punct(b',').is_none() {
                return self.punct(b')');
            }
        }
    }

    fn alter_column(&mut self) -> Option<Change> {
        let if_exists =
            self.kw("IF") && self.peek(1).is_some_and(|t| is_kw(self.text, t, "EXISTS"));
        if if_exists {
            self.i += 2;
        }
        self.eat("ONLY");
        let table = self.object_name()?;
        self.expect("ALTER")?;
        self.eat("COLUMN");
        let (name, range) = self.ident(false)?;
        let column = ColName {
            name: name.into(),
            span: self.span(range.start, range.end),
        };
        let action = if self.eat("RESTART") {
            if self.eat("WITH") || self.peek(0).is_some_and(|t| t.kind != Tok::Punct(b';')) {
                self.integer()?;
            }
            AlterAction::IdentityOption {
                column,
                always: None,
            }
        } else if self.eat("DROP") {
            let expression = self.eat("EXPRESSION");
            if !expression {
                self.expect("IDENTITY")?;
            }
            let if_exists =
                self.kw("IF") && self.peek(1).is_some_and(|t| is_kw(self.text, t, "EXISTS"));
            if if_exists {
                self.i += 2;
            }
            if expression {
                AlterAction::DropExpression { column, if_exists }
            } else {
                AlterAction::DropIdentity { column, if_exists }
            }
        } else if self.eat("RESET") {
            self.attribute_options(false)?;
            AlterAction::ColumnStorage(column)
        } else {
            self.expect("SET")?;
            if self.kw_punct(b'(') {
                self.attribute_options(true)?;
                AlterAction::ColumnStorage(column)
            } else if self.eat("GENERATED") {
                let always = self.eat("ALWAYS");
                if !always {
                    self.expect("BY")?;
                    self.expect("DEFAULT")?;
                }
                AlterAction::IdentityOption {
                    column,
                    always: Some(always),
                }
            } else {
                if self.eat("STATISTICS") {
                    self.integer()?;
                } else if self.eat("STORAGE") || self.eat("COMPRESSION") {
                    self.word()?;
                } else {
                    return None;
                }
                AlterAction::ColumnStorage(column)
            }
        };
        Some(Change::AlterTable {
            table,
            target: AlterTarget::Table,
            if_exists,
            only: false,
            actions: vec![action],
        })
    }

    fn statement(&mut self) -> Option<AlterSequenceDef> {
        let if_exists =
            self.kw("IF") && self.peek(1).is_some_and(|t| is_kw(self.text, t, "EXISTS"));
        if if_exists {
            self.i += 2;
        }
        let name = self.object_name()?;
        let action = self.action()?;
        Some(AlterSequenceDef {
            name,
            if_exists,
            action,
        })
    }

    fn action(&mut self) -> Option<SequenceAction> {
        if self.eat("OWNER") {
            self.expect("TO")?;
            let t = self.peek(0)?;
            let raw = self.text.get(t.range.clone())?.to_ascii_lowercase();
            let role = match t.kind {
                Tok::Word => {
                    !is_reserved_keyword(&raw)
                        || matches!(
                            raw.as_str(),
                            "current_user" | "current_role" | "session_user"
                        )
                }
                Tok::Quoted => raw.len() > 2 && raw.ends_with('"'),
                _ => false,
            };
            self.i += 1;
            return role.then_some(SequenceAction::OwnerTo);
        }
        if self.eat("RENAME") {
            self.expect("TO")?;
            let (name, range) = self.ident(false)?;
            return Some(SequenceAction::RenameTo {
                name: name.into(),
                span: self.span(range.start, range.end),
            });
        }
        if self.eat("SET") {
            if self.eat("SCHEMA") {
                let (schema, range) = self.ident(false)?;
                return Some(SequenceAction::SetSchema {
                    schema: schema.into(),
                    span: self.span(range.start, range.end),
                });
            }
            if self.eat("LOGGED") {
                return Some(SequenceAction::SetLogged(true));
            }
            self.expect("UNLOGGED")?;
            return Some(SequenceAction::SetLogged(false));
        }
        let mut options = Vec::new();
        while self.peek(0).is_some() {
            let start = self.peek(0)?.range.start;
            let kind = self.option()?;
            options.push(SequenceOption {
                kind,
                span: self.span(start, self.last_end()),
            });
        }
        (!options.is_empty()).then_some(SequenceAction::Options(options))
    }

    fn option(&mut self) -> Option<SequenceOptionKind> {
        use SequenceOptionKind as K;
        let word = self
            .text
            .get(self.peek(0).filter(|t| t.kind == Tok::Word)?.range.clone())?
            .to_ascii_uppercase();
        self.i += 1;
        Some(match word.as_str() {
            "AS" => K::As(self.int_type()?),
            "INCREMENT" => {
                self.eat("BY");
                K::Increment(self.number()?)
            }
            "MINVALUE" => K::MinValue(Some(self.number()?)),
            "MAXVALUE" => K::MaxValue(Some(self.number()?)),
            "START" => {
                self.eat("WITH");
                K::Start(self.number()?)
            }
            "RESTART" => {
                if self.eat("WITH") {
                    K::Restart(Some(self.number()?))
                } else {
                    K::Restart(self.number_ahead().then(|| self.number()).flatten())
                }
            }
            "CACHE" => K::Cache(self.number()?),
            "CYCLE" => K::Cycle(true),
            "NO" => {
                if self.eat("MINVALUE") {
                    K::MinValue(None)
                } else if self.eat("MAXVALUE") {
                    K::MaxValue(None)
                } else {
                    self.expect("CYCLE")?;
                    K::Cycle(false)
                }
            }
            "OWNED" => {
                self.expect("BY")?;
                K::OwnedBy(self.owned_by()?)
            }
            _ => return None,
        })
    }

    /// `AS type`: which integer type it names, `Some(None)` for any other (single) type name.
    fn int_type(&mut self) -> Option<Option<&'static str>> {
        let first = self.peek(0)?.clone();
        let parts = match first.kind {
            // The SQL-standard spellings are keywords, not names (`"integer"` is no type).
            Tok::Word => {
                let w = self.text.get(first.range.clone())?.to_ascii_lowercase();
                let standard = match w.as_str() {
                    "smallint" => Some("smallint"),
                    "int" | "integer" => Some("integer"),
                    "bigint" => Some("bigint"),
                    _ => None,
                };
                if standard.is_some() {
                    self.i += 1;
                    return self.no_type_suffix().then_some(standard);
                }
                self.dotted()?
            }
            _ => self.dotted()?,
        };
        if !self.no_type_suffix() {
            return None;
        }
        let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        let ty = match names.as_slice() {
            [n] | ["pg_catalog", n] => match *n {
                "int2" => Some("smallint"),
                "int4" => Some("integer"),
                "int8" => Some("bigint"),
                _ => None,
            },
            [_, _] => None,
            _ => return None,
        };
        Some(ty)
    }

    /// No `(`typmod`)` or `[]` follows a type name (such types are not read).
    fn no_type_suffix(&self) -> bool {
        !self
            .peek(0)
            .is_some_and(|t| matches!(t.kind, Tok::Punct(b'(' | b'[')))
    }

    /// The next token starts a number.
    fn number_ahead(&self) -> bool {
        self.peek(0)
            .is_some_and(|t| matches!(t.kind, Tok::Number | Tok::Punct(b'-' | b'+')))
    }

    /// `[+|-]digits` fitting a bigint.
    fn number(&mut self) -> Option<i64> {
        let mut sign = "";
        if let Some(t) = self.peek(0) {
            match t.kind {
                Tok::Punct(b'-') => sign = "-",
                Tok::Punct(b'+') => sign = "+",
                _ => {}
            }
        }
        if !sign.is_empty() {
            self.i += 1;
        }
        let t = self.peek(0).filter(|t| t.kind == Tok::Number)?;
        let digits = self.text.get(t.range.clone())?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.i += 1;
        format!("{sign}{digits}").parse().ok()
    }

    /// After `OWNED BY`: `NONE`, `table.column` or `schema.table.column`.
    fn owned_by(&mut self) -> Option<OwnedBy> {
        let mut parts = self.dotted_allowing_none()?;
        Some(match parts.len() {
            1 if parts.first().is_some_and(|p| p.0 == "none") => OwnedBy::Nobody,
            1 => OwnedBy::Invalid,
            2 | 3 => {
                let (column, crange) = parts.pop()?;
                let (table, trange) = parts.pop()?;
                let schema = parts.pop();
                let start = schema.as_ref().map_or(trange.start, |s| s.1.start);
                OwnedBy::Column {
                    table: ObjName {
                        schema: schema.map(|s| s.0).map(Into::into),
                        name: table.into(),
                        span: self.span(start, trange.end),
                    },
                    column: ColName {
                        name: column.into(),
                        span: self.span(crange.start, crange.end),
                    },
                }
            }
            _ => return None,
        })
    }

    /// [`Self::dotted`], where the first part may also be the keyword `NONE`.
    fn dotted_allowing_none(&mut self) -> Option<Parts> {
        if self.kw("NONE") {
            let t = self.peek(0)?.clone();
            self.i += 1;
            let dot = self.peek(0).is_some_and(|t| t.kind == Tok::Punct(b'.'));
            return (!dot).then(|| vec![("none".to_owned(), t.range)]);
        }
        self.dotted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<AlterSequenceDef> {
        match parse(text, &OffsetMap::default(), 0)? {
            Change::AlterSequence(def) => Some(*def),
            _ => None,
        }
    }

    fn options(text: &str) -> Vec<SequenceOptionKind> {
        match read(text).map(|d| d.action) {
            Some(SequenceAction::Options(o)) => o.into_iter().map(|o| o.kind).collect(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn alter_column_forms_are_read_and_nothing_else() {
        let action = |text: &str| match alter_column(text, &OffsetMap::default(), 0) {
            Some(Change::AlterTable { actions, .. }) => actions.into_iter().next(),
            _ => None,
        };
        assert!(matches!(
            action("ALTER TABLE ONLY public.t ALTER COLUMN id RESTART WITH 5"),
            Some(AlterAction::IdentityOption { always: None, .. })
        ));
        assert!(matches!(
            action("alter table t alter id set generated by default"),
            Some(AlterAction::IdentityOption {
                always: Some(false),
                ..
            })
        ));
        assert!(matches!(
            action("ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS"),
            Some(AlterAction::IdentityOption {
                always: Some(true),
                ..
            })
        ));
        assert!(matches!(
            action("ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS"),
            Some(AlterAction::DropIdentity {
                if_exists: true,
                ..
            })
        ));
        assert!(matches!(
            action("ALTER TABLE t ALTER COLUMN c SET STATISTICS -1"),
            Some(AlterAction::ColumnStorage(_))
        ));
        for storage in [
            "ALTER TABLE ONLY t ALTER COLUMN c SET (n_distinct = -0.5)",
            "alter table t alter c set (N_DISTINCT=50, n_distinct_inherited = '10')",
            "ALTER TABLE t ALTER COLUMN c RESET (n_distinct, n_distinct_inherited)",
        ] {
            assert!(
                matches!(action(storage), Some(AlterAction::ColumnStorage(_))),
                "{storage}"
            );
        }
        for other in [
            "ALTER TABLE t ALTER COLUMN c SET (fillfactor = 50)",
            "ALTER TABLE t ALTER COLUMN c SET (n_distinct)",
            "ALTER TABLE t ALTER COLUMN c SET (n_distinct = 1",
            "ALTER TABLE t ALTER COLUMN c SET (n_distinct = 1,)",
            "ALTER TABLE t ALTER COLUMN c RESET (n_distinct = 1)",
            "ALTER TABLE t ALTER COLUMN c SET STATISTICS 1.5",
            "ALTER TABLE t ALTER COLUMN c SET STORAGE EXTERNAL, ADD COLUMN d int",
            "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
            "ALTER TABLE t ALTER COLUMN c RESTART WITH",
            "ALTER SEQUENCE s RESTART",
        ] {
            assert!(action(other).is_none(), "{other}");
        }
    }

    #[test]
    fn names_fold_like_postgres() {
        let d = read("alter sequence IF EXISTS App.\"T_id\"\"seq\" restart").unwrap();
        assert!(d.if_exists);
        assert_eq!(d.name.schema.as_deref(), Some("app"));
        assert_eq!(d.name.name, "T_id\"seq");
        assert_eq!((d.name.span.start(), d.name.span.end()), (25, 40));
        let d = read("ALTER SEQUENCE if RESTART").unwrap();
        assert!(!d.if_exists);
        assert_eq!(d.name.name, "if");
        let long = format!("ALTER SEQUENCE {} CYCLE", "s".repeat(70));
        assert_eq!(read(&long).unwrap().name.name.len(), 63);
    }

    #[test]
    fn every_option() {
        use SequenceOptionKind as K;
        assert_eq!(
            options(
                "ALTER SEQUENCE s AS bigint INCREMENT BY -2 INCREMENT 3 MINVALUE -10 NO MINVALUE \
                 MAXVALUE +99 NO MAXVALUE START WITH 5 START 6 RESTART RESTART WITH 7 RESTART 8 \
                 CACHE 20 CYCLE NO CYCLE"
            ),
            vec![
                K::As(Some("bigint")),
                K::Increment(-2),
                K::Increment(3),
                K::MinValue(Some(-10)),
                K::MinValue(None),
                K::MaxValue(Some(99)),
                K::MaxValue(None),
                K::Start(5),
                K::Start(6),
                K::Restart(None),
                K::Restart(Some(7)),
                K::Restart(Some(8)),
                K::Cache(20),
                K::Cycle(true),
                K::Cycle(false),
            ]
        );
        assert_eq!(
            options("ALTER SEQUENCE s MINVALUE -9223372036854775808"),
            vec![K::MinValue(Some(i64::MIN))]
        );
    }

    #[test]
    fn as_types() {
        use SequenceOptionKind as K;
        for (ty, want) in [
            ("smallint", Some("smallint")),
            ("INT", Some("integer")),
            ("integer", Some("integer")),
            ("int2", Some("smallint")),
            ("\"int4\"", Some("integer")),
            ("pg_catalog.int8", Some("bigint")),
            ("text", None),
            ("\"integer\"", None),
            ("public.int8", None),
        ] {
            assert_eq!(
                options(&format!("ALTER SEQUENCE s AS {ty}")),
                vec![K::As(want)],
                "{ty}"
            );
        }
    }

    #[test]
    fn owned_by() {
        use SequenceOptionKind as K;
        let o = options("ALTER SEQUENCE app.t_id_seq OWNED BY app.t.id");
        let [K::OwnedBy(OwnedBy::Column { table, column })] = o.as_slice() else {
            panic!("{o:?}");
        };
        assert_eq!(
            (
                table.schema.as_deref(),
                table.name.as_str(),
                column.name.as_str()
            ),
            (Some("app"), "t", "id")
        );
        assert_eq!((table.span.start(), table.span.end()), (37, 42));
        assert_eq!((column.span.start(), column.span.end()), (43, 45));
        let o = options("ALTER SEQUENCE s OWNED BY \"T\".\"Id\"");
        let [K::OwnedBy(OwnedBy::Column { table, column })] = o.as_slice() else {
            panic!("{o:?}");
        };
        assert_eq!((table.schema.as_deref(), table.name.as_str()), (None, "T"));
        assert_eq!(column.name, "Id");
        for none in ["NONE", "none", "\"none\""] {
            assert_eq!(
                options(&format!("ALTER SEQUENCE s OWNED BY {none}")),
                vec![K::OwnedBy(OwnedBy::Nobody)]
            );
        }
        assert_eq!(
            options("ALTER SEQUENCE s OWNED BY t"),
            vec![K::OwnedBy(OwnedBy::Invalid)]
        );
    }

    #[test]
    fn other_forms_and_comments() {
        let action = |t: &str| read(t).map(|d| d.action);
        assert_eq!(
            action("ALTER SEQUENCE s OWNER TO app_owner"),
            Some(SequenceAction::OwnerTo)
        );
        assert_eq!(
            action("ALTER SEQUENCE s OWNER TO CURRENT_USER"),
            Some(SequenceAction::OwnerTo)
        );
        assert_eq!(
            action("ALTER SEQUENCE s OWNER TO \"Admin\""),
            Some(SequenceAction::OwnerTo)
        );
        assert!(matches!(
            action("ALTER SEQUENCE s RENAME TO \"New\""),
            Some(SequenceAction::RenameTo { name, .. }) if name == "New"
        ));
        assert!(matches!(
            action("ALTER SEQUENCE s SET SCHEMA Other"),
            Some(SequenceAction::SetSchema { schema, .. }) if schema == "other"
        ));
        assert_eq!(
            action("ALTER SEQUENCE s SET LOGGED"),
            Some(SequenceAction::SetLogged(true))
        );
        assert_eq!(
            action("ALTER SEQUENCE s SET UNLOGGED"),
            Some(SequenceAction::SetLogged(false))
        );
        let d =
            read("-- lead\nALTER /* a /* nested */ */ SEQUENCE s -- x\n RESTART\n WITH 1").unwrap();
        assert_eq!(d.name.name, "s");
        assert_eq!(
            d.action,
            SequenceAction::Options(vec![SequenceOption {
                kind: SequenceOptionKind::Restart(Some(1)),
                span: Span::new(0, 52, 67),
            }])
        );
    }

    #[test]
    fn garbage_stays_unparsable() {
        for text in [
            "ALTER SEQUENCE",
            "ALTER SEQUENCE s",
            "ALTER SEQUENCE IF EXISTS",
            "ALTER SEQUENCE s RESTART WITH",
            "ALTER SEQUENCE s INCREMENT BY 1.5",
            "ALTER SEQUENCE s INCREMENT BY 1e3",
            "ALTER SEQUENCE s INCREMENT BY x",
            "ALTER SEQUENCE s MINVALUE 99999999999999999999",
            "ALTER SEQUENCE s CACHE",
            "ALTER SEQUENCE s NO",
            "ALTER SEQUENCE s NO START",
            "ALTER SEQUENCE s OWNED t.c",
            "ALTER SEQUENCE s OWNED BY a.b.c.d",
            "ALTER SEQUENCE s OWNED BY NONE.x",
            "ALTER SEQUENCE s OWNER TO a, SET LOGGED",
            "ALTER SEQUENCE s OWNER app",
            "ALTER SEQUENCE s OWNER TO select",
            "ALTER SEQUENCE s RENAME TO a.b",
            "ALTER SEQUENCE s RENAME a",
            "ALTER SEQUENCE s SET SCHEMA",
            "ALTER SEQUENCE s SET (fillfactor = 10)",
            "ALTER SEQUENCE s AS double precision",
            "ALTER SEQUENCE s AS int4[]",
            "ALTER SEQUENCE s AS numeric(10)",
            "ALTER SEQUENCE s SEQUENCE NAME x",
            "ALTER SEQUENCE s RESTART 1 garbage",
            "ALTER SEQUENCE s RESTART 'x'",
            "ALTER SEQUENCE select RESTART",
            "ALTER SEQUENCE \"\" RESTART",
            "ALTER SEQUENCE db.s.t RESTART",
            "ALTER SEQUENCE U&\"s\" RESTART",
            "ALTER TABLE s RENAME TO t",
            "ALTER SEQUENCES s RESTART",
            "CREATE SEQUENCE s",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
