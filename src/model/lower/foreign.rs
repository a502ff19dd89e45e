//! Types sqlparser reads from other SQL dialects (MySQL, DuckDB, ClickHouse, BigQuery...)
//! that PostgreSQL does not: a name it looks up as any type's (`datetime`, `tinyint(1)`,
//! `longtext`: `type "datetime" does not exist`) or a form its grammar refuses (`int(11)`,
//! `int unsigned`: `syntax error at or near "("`).

use sqlparser::ast::{AlterColumnOperation, AlterTableOperation, DataType, Ident, Statement};

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

/// The byte offset of the first `word` (ASCII, any case) standing alone in `text`.
pub(super) fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    (0..bytes.len()).find(|&i| {
        bytes
            .get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
            && !i.checked_sub(1).is_some_and(|p| ident(bytes[p]))
            && !bytes.get(i + word.len()).is_some_and(|&b| ident(b))
    })
}
