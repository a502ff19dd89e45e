//! Other SQL dialects' syntax (MySQL's above all; DuckDB, ClickHouse, BigQuery...) that
//! sqlparser reads and PostgreSQL does not: a type name PostgreSQL looks up as any type's
//! (`datetime`, `tinyint(1)`, `longtext`: `type "datetime" does not exist`), and forms its
//! grammar refuses (`int(11)`, `INT UNSIGNED`, `ENGINE=InnoDB`, a column's `COMMENT '...'`,
//! `ON DUPLICATE KEY UPDATE`, `UPDATE ... LIMIT 1`, `ALTER TABLE ... MODIFY COLUMN`, `RENAME
//! TABLE`: `syntax error at or near "..."`).

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, CreateTableLikeKind,
    CreateTableOptions, DataType, Delete, Expr, FunctionArguments, Ident, ObjectNamePart,
    ObjectType, OnInsert, Spanned, Statement,
};
use std::borrow::Cow;
use std::ops::ControlFlow;

use crate::model::pgtype::SQL_VALUE_FUNCTIONS;
use crate::parse::split::is_ident_continue;

use sqlparser::tokenizer::Span;

/// The name PostgreSQL reads for a type that sqlparser knows from another SQL dialect and
/// PostgreSQL does not have (`datetime`, `tinyint(1)`, `longtext`, `double`, `blob`,
/// `enum('a', 'b')`): a type name like any other there, which PostgreSQL looks up (`type
/// "datetime" does not exist`, unless the history creates a type or domain so named).
/// `None` for PostgreSQL's own types, and for the forms PostgreSQL refuses as syntax
/// (`int(11)`, `int unsigned`, `struct<...>`).
pub(super) fn type_name(dt: &DataType) -> Option<&'static str> {
    Some(match dt {
        DataType::Nvarchar(_) => "nvarchar",
        DataType::Clob(_) => "clob",
        DataType::Binary(_) => "binary",
        DataType::Varbinary(_) => "varbinary",
        DataType::Blob(_) => "blob",
        DataType::TinyBlob => "tinyblob",
        DataType::MediumBlob => "mediumblob",
        DataType::LongBlob => "longblob",
        DataType::Bytes(_) => "bytes",
        DataType::BigNumeric(_) => "bignumeric",
        DataType::BigDecimal(_) => "bigdecimal",
        DataType::TinyInt(_) => "tinyint",
        DataType::UTinyInt => "utinyint",
        DataType::USmallInt => "usmallint",
        DataType::MediumInt(_) => "mediumint",
        DataType::Int16 => "int16",
        DataType::Int32 => "int32",
        DataType::Int64 => "int64",
        DataType::Int128 => "int128",
        DataType::Int256 => "int256",
        DataType::HugeInt => "hugeint",
        DataType::UHugeInt => "uhugeint",
        DataType::UInt8 => "uint8",
        DataType::UInt16 => "uint16",
        DataType::UInt32 => "uint32",
        DataType::UInt64 => "uint64",
        DataType::UInt128 => "uint128",
        DataType::UInt256 => "uint256",
        DataType::UBigInt => "ubigint",
        DataType::Signed => "signed",
        DataType::Unsigned => "unsigned",
        DataType::Float32 => "float32",
        DataType::Float64 => "float64",
        DataType::Double(_) => "double",
        DataType::Date32 => "date32",
        DataType::Datetime(_) => "datetime",
        DataType::Datetime64(..) => "datetime64",
        DataType::TimestampNtz(_) => "timestamp_ntz",
        DataType::TinyText => "tinytext",
        DataType::MediumText => "mediumtext",
        DataType::LongText => "longtext",
        DataType::String(_) => "string",
        DataType::FixedString(_) => "fixedstring",
        DataType::Enum(..) => "enum",
        DataType::Set(_) => "set",
        DataType::Nullable(_) => "nullable",
        DataType::LowCardinality(_) => "lowcardinality",
        DataType::Tuple(_) => "tuple",
        _ => return None,
    })
}

/// Where PostgreSQL's grammar stops in a column type only another dialect writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// At the `(` of a display width on one of its integer keywords (`int(11)`, `bigint(20)`).
    Paren,
    /// At a word after the type (`unsigned`, `zerofill`).
    Word(&'static str),
}

/// [`Stop`] for a column's type; `None` for a type PostgreSQL's grammar reads.
pub(super) fn stop(dt: &DataType) -> Option<Stop> {
    use DataType as D;
    match dt {
        D::Int(Some(_)) | D::Integer(Some(_)) | D::SmallInt(Some(_)) | D::BigInt(Some(_)) => {
            Some(Stop::Paren)
        }
        D::IntUnsigned(width)
        | D::IntegerUnsigned(width)
        | D::SmallIntUnsigned(width)
        | D::BigIntUnsigned(width) => Some(if width.is_some() {
            Stop::Paren
        } else {
            Stop::Word("unsigned")
        }),
        D::TinyIntUnsigned(_)
        | D::MediumIntUnsigned(_)
        | D::Int2Unsigned(_)
        | D::Int4Unsigned(_)
        | D::Int8Unsigned(_)
        | D::RealUnsigned
        | D::DoubleUnsigned(_)
        | D::DoublePrecisionUnsigned
        | D::DecUnsigned(_)
        | D::DecimalUnsigned(_) => Some(Stop::Word("unsigned")),
        D::Zerofill(inner) => Some(stop(inner).unwrap_or(Stop::Word("zerofill"))),
        _ => None,
    }
}

/// The columns a statement defines or retypes, with their types, in order: CREATE TABLE's,
/// ALTER TABLE's ADD COLUMN and ALTER COLUMN ... TYPE.
pub(super) fn column_types(ast: &Statement) -> Vec<(&Ident, &DataType)> {
    match ast {
        Statement::CreateTable(ct) => ct.columns.iter().map(|c| (&c.name, &c.data_type)).collect(),
        Statement::AlterTable(at) => at
            .operations
            .iter()
            .filter_map(|op| match op {
                AlterTableOperation::AddColumn { column_def, .. } => {
                    Some((&column_def.name, &column_def.data_type))
                }
                AlterTableOperation::AlterColumn {
                    column_name,
                    op: AlterColumnOperation::SetDataType { data_type, .. },
                } => Some((column_name, data_type)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Where PostgreSQL's grammar stops in a statement of another dialect's syntax, as found in
/// the statement's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Locate {
    /// The first `(` after this span (a column's name: `int(11)`).
    ParenAfter(Span),
    /// The first standalone word after this span (`COMMENT`, `UNSIGNED`, `DUPLICATE`).
    WordAfter(Span, Cow<'static, str>),
    /// The last standalone word before this span (`LIMIT` before its count, `MODIFY` before
    /// the column).
    WordBefore(Span, Cow<'static, str>),
    /// The first standalone word between these two spans (`USING` between an index's name and
    /// its table).
    WordBetween(Span, Span, Cow<'static, str>),
    /// The first `)` after the first `(` after this span (`CURRENT_TIMESTAMP()`).
    CloseParenAfter(Span),
    /// The word at this span (`SET GLOBAL x`'s `x`).
    At(Span),
}

const WIDTH_HELP: &str = "PostgreSQL's integer types take no display width (`int(11)` is \
                          MySQL's): write `integer` or `bigint`";
const UNSIGNED_HELP: &str = "PostgreSQL has no unsigned or zero-filled numbers (MySQL's): use \
                             the signed type, wider if the values need it, and a `CHECK \
                             (column >= 0)`";

/// The first place of `ast` where PostgreSQL's grammar refuses another dialect's syntax that
/// sqlparser read, with the help for it; `None` when there is none. `text` is the statement's.
pub(super) fn syntax(ast: &Statement, text: &str) -> Option<(Locate, &'static str)> {
    statement_syntax(ast).or_else(|| value_function_call(ast, text))
}

fn statement_syntax(ast: &Statement) -> Option<(Locate, &'static str)> {
    for (name, dt) in column_types(ast) {
        match stop(dt) {
            Some(Stop::Paren) => return Some((Locate::ParenAfter(name.span), WIDTH_HELP)),
            Some(Stop::Word(w)) => {
                return Some((Locate::WordAfter(name.span, w.into()), UNSIGNED_HELP));
            }
            None => {}
        }
    }
    match ast {
        Statement::CreateTable(ct) => {
            let column_option = ct.columns.iter().find_map(|c| {
                c.options.iter().find_map(|o| match o.option {
                    ColumnOption::Comment(_) => Some((
                        Locate::WordAfter(c.name.span, "comment".into()),
                        "PostgreSQL comments a column with its own statement: `COMMENT ON \
                         COLUMN table.column IS '...'`",
                    )),
                    ColumnOption::CharacterSet(_) => Some((
                        Locate::WordAfter(c.name.span, "character".into()),
                        "a PostgreSQL database has one encoding for all its text: leave out \
                         `CHARACTER SET` (a column may name a `COLLATE`)",
                    )),
                    _ => None,
                })
            });
            if column_option.is_some() {
                return column_option;
            }
            if let Some(CreateTableLikeKind::Plain(_)) = &ct.like {
                return Some((
                    Locate::WordAfter(ct.name.span(), "like".into()),
                    "PostgreSQL copies a table's columns inside the parentheses: `CREATE TABLE \
                     new (LIKE old INCLUDING ALL)`",
                ));
            }
            let CreateTableOptions::Plain(options) = &ct.table_options else {
                return None;
            };
            // The first MySQL option's first word (`ENGINE`, `DEFAULT` of `DEFAULT CHARSET`,
            // `COMMENT`), after the last column's name. PostgreSQL's own (`TABLESPACE` after
            // `PARTITION OF`) land here too.
            let word = options.iter().find_map(|o| {
                let text = o.to_string();
                let word = text
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()?
                    .to_ascii_lowercase();
                MYSQL_TABLE_OPTIONS.contains(&word.as_str()).then_some(word)
            })?;
            let after = ct
                .columns
                .last()
                .map_or_else(|| ct.name.span(), |c| c.name.span);
            Some((
                Locate::WordAfter(after, word.into()),
                "PostgreSQL has no table options such as `ENGINE`, `DEFAULT CHARSET` or \
                 `AUTO_INCREMENT` (MySQL's): leave them out (`COMMENT ON TABLE` for a comment, \
                 an identity column or a sequence's `START WITH` for a first id)",
            ))
        }
        Statement::Insert(insert) => match &insert.on {
            Some(OnInsert::DuplicateKeyUpdate(_)) => Some((
                Locate::WordAfter(insert.table.span(), "duplicate".into()),
                "PostgreSQL's upsert is `ON CONFLICT (key columns) DO UPDATE SET column = \
                 EXCLUDED.column`",
            )),
            _ => None,
        },
        Statement::Update(update) => limit(update.limit.as_ref()),
        Statement::Delete(Delete { limit: l, .. }) => limit(l.as_ref()),
        Statement::AlterTable(at) => at.operations.iter().find_map(|op| match op {
            AlterTableOperation::ModifyColumn { col_name, .. } => Some((
                Locate::WordBefore(col_name.span, "modify".into()),
                MODIFY_HELP,
            )),
            AlterTableOperation::ChangeColumn { old_name, .. } => Some((
                Locate::WordBefore(old_name.span, "change".into()),
                MODIFY_HELP,
            )),
            AlterTableOperation::DropForeignKey { name, .. } => Some((
                Locate::WordBefore(name.span, "foreign".into()),
                "PostgreSQL drops a foreign key as any constraint: `DROP CONSTRAINT name`",
            )),
            // MySQL's `DROP INDEX name`: PostgreSQL reads `index` as a column's name and
            // stops at the index's.
            AlterTableOperation::DropIndex { name } => Some((
                Locate::At(name.span),
                "PostgreSQL drops an index with its own statement: `DROP INDEX name`",
            )),
            AlterTableOperation::DropPrimaryKey { .. } => Some((
                Locate::WordAfter(at.name.span(), "primary".into()),
                "PostgreSQL drops a primary key as any constraint: `DROP CONSTRAINT \
                 table_pkey` (its name)",
            )),
            _ => None,
        }),
        // MySQL's `CREATE INDEX name USING BTREE ON t (...)`: PostgreSQL's method follows the
        // table (sqlparser keeps one `using` for both places).
        Statement::CreateIndex(ci) => match (&ci.name, &ci.using) {
            (Some(name), Some(_)) => Some((
                Locate::WordBetween(name.span(), ci.table_name.span(), "using".into()),
                "PostgreSQL names the index method after the table: `CREATE INDEX name ON \
                 table USING btree (columns)`",
            )),
            _ => None,
        },
        // MySQL's `DROP INDEX name ON t`.
        Statement::Drop {
            object_type: ObjectType::Index,
            table: Some(table),
            ..
        } => Some((
            Locate::WordBefore(table.span(), "on".into()),
            "PostgreSQL's index names are unique in their schema: `DROP INDEX name` (qualified \
             with the schema if need be)",
        )),
        Statement::Set(set) => set_syntax(set),
        Statement::RenameTable(_) => Some((
            Locate::WordAfter(Span::empty(), "rename".into()),
            "PostgreSQL renames a table with `ALTER TABLE old RENAME TO new`",
        )),
        _ => None,
    }
}

/// MySQL's `SET GLOBAL x = ...` (PostgreSQL reads `GLOBAL` as the setting's name and stops at
/// `x`) and `SET NAMES utf8mb4` (PostgreSQL's encoding is a string constant, and takes no
/// `COLLATE`).
fn set_syntax(set: &ast::Set) -> Option<(Locate, &'static str)> {
    match set {
        ast::Set::SingleAssignment {
            scope: Some(ast::ContextModifier::Global),
            variable,
            ..
        } => Some((
            Locate::At(variable.0.first()?.span()),
            "PostgreSQL sets a setting for the server in postgresql.conf or with `ALTER SYSTEM \
             SET name = value`; `SET` is the session's",
        )),
        ast::Set::SetNames {
            charset_name,
            collation_name,
        } => {
            let help = "PostgreSQL's `SET NAMES` takes the client encoding as a string and no \
                        collation (`SET NAMES 'UTF8'`); the database's encoding is fixed when it \
                        is created";
            if charset_name.quote_style.is_none() {
                Some((Locate::At(charset_name.span), help))
            } else if collation_name.is_some() {
                Some((Locate::WordAfter(charset_name.span, "collate".into()), help))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The first SQL value function ([`SQL_VALUE_FUNCTIONS`] but `current_schema`, which is a
/// function too) called with parentheses PostgreSQL refuses: any list after
/// `CURRENT_DATE`, `CURRENT_USER`... (`syntax error at or near "("`), an empty one after
/// `CURRENT_TIMESTAMP`, `CURRENT_TIME`, `LOCALTIME`, `LOCALTIMESTAMP` (`... near ")"`), as
/// MySQL and SQL Server write them. Only statements whose text has one of these words before
/// a `(` are walked.
fn value_function_call(ast: &Statement, text: &str) -> Option<(Locate, &'static str)> {
    if !word_before_paren(text, SQL_VALUE_FUNCTIONS) {
        return None;
    }
    let mut found = None;
    let _ = ast::visit_expressions(ast, |e: &Expr| {
        if let Expr::Function(f) = e
            && let [ObjectNamePart::Identifier(id)] = f.name.0.as_slice()
            && id.quote_style.is_none()
            && let FunctionArguments::List(list) = &f.args
        {
            let word = id.value.to_ascii_lowercase();
            let time = matches!(
                word.as_str(),
                "current_timestamp" | "current_time" | "localtime" | "localtimestamp"
            );
            let at = if time {
                list.args
                    .is_empty()
                    .then_some(Locate::CloseParenAfter(id.span))
            } else {
                (word != "current_schema" && SQL_VALUE_FUNCTIONS.contains(&word.as_str()))
                    .then_some(Locate::ParenAfter(id.span))
            };
            if let Some(at) = at {
                found = Some((
                    at,
                    "PostgreSQL writes `CURRENT_TIMESTAMP`, `CURRENT_DATE`, `CURRENT_USER`... \
                     without parentheses (the time ones may take a precision: \
                     `CURRENT_TIMESTAMP(3)`); `now()` is a function",
                ));
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    found
}

/// Whether `text` has one of `words` (ASCII, any case) standing alone just before a `(`,
/// blanks allowed between.
fn word_before_paren(text: &str, words: &[&str]) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'(', bytes).any(|i| {
        let end = bytes[..i]
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        let start = bytes[..end]
            .iter()
            .rposition(|&c| !is_ident_continue(c))
            .map_or(0, |p| p + 1);
        let word = &bytes[start..end];
        words
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
    })
}

/// The first words of MySQL's table options (`ENGINE=InnoDB`, `DEFAULT CHARSET=utf8mb4`,
/// `AUTO_INCREMENT=1000`, `ROW_FORMAT=DYNAMIC`...).
const MYSQL_TABLE_OPTIONS: &[&str] = &[
    "auto_increment",
    "avg_row_length",
    "character",
    "charset",
    "checksum",
    "collate",
    "comment",
    "default",
    "engine",
    "key_block_size",
    "max_rows",
    "min_rows",
    "pack_keys",
    "row_format",
    "stats_persistent",
];

const MODIFY_HELP: &str = "PostgreSQL changes a column with `ALTER TABLE t ALTER COLUMN c TYPE \
                           ...`, `SET / DROP NOT NULL`, `SET DEFAULT`, and renames it with \
                           `RENAME COLUMN c TO d`";

/// `UPDATE ... LIMIT n` and `DELETE ... LIMIT n` (MySQL's).
fn limit(l: Option<&sqlparser::ast::Expr>) -> Option<(Locate, &'static str)> {
    Some((
        Locate::WordBefore(l?.span(), "limit".into()),
        "PostgreSQL's UPDATE and DELETE take no LIMIT: choose the rows in the WHERE clause \
         (`WHERE id IN (SELECT id FROM t ... LIMIT n)`)",
    ))
}

/// The byte offset of the first `word` (ASCII, any case) standing alone in `text`.
pub(super) fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| {
        bytes
            .get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
            && !i
                .checked_sub(1)
                .is_some_and(|p| is_ident_continue(bytes[p]))
            && !bytes
                .get(i + word.len())
                .is_some_and(|&b| is_ident_continue(b))
    })
}

/// The byte offset of the last `word` (ASCII, any case) standing alone in `text`.
pub(super) fn rfind_word(text: &str, word: &str) -> Option<usize> {
    let mut last = None;
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| find_word(rest, word)) {
        last = Some(from + at);
        from += at + word.len();
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_function_word_before_a_parenthesis_is_found() {
        let words = SQL_VALUE_FUNCTIONS;
        assert!(word_before_paren("DEFAULT CURRENT_TIMESTAMP ()", words));
        assert!(word_before_paren("select user(", words));
        assert!(!word_before_paren("select my_user()", words));
        assert!(!word_before_paren("(user)", words));
    }
}
