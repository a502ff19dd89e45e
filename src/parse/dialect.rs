//! sqlparser's PostgreSQL dialect with one shortcut: the prefix of an expression that is a plain
//! column name, a number or a string is read directly.
//!
//! sqlparser reads every expression prefix by first trying it as a typed string (`DATE
//! '2020-05-20'`): it parses a data type, and on a column name or a literal that attempt fails
//! and builds an error message (a `format!` of the token and its location) only to drop it.
//! On OgelBase's files that was ~11% of a whole check's instructions (callgrind; defaults,
//! checks and the values of INSERTs are made of such prefixes). [`Postgres::parse_prefix`]
//! takes the three cases where the attempt cannot succeed and returns what sqlparser's own
//! path returns for them; everything else (keywords, function calls, qualified names, `[`,
//! anything followed by a string) goes sqlparser's way.
//!
//! Everything else is PostgreSQL's dialect: each method PostgreSqlDialect overrides is passed
//! to it, and `dialect()` answers PostgreSqlDialect's type, so the parser's `dialect_of!`
//! checks see PostgreSQL. Debug builds (every test) parse each statement with sqlparser's own
//! dialect too and compare the trees (`tokenize::parse_statements`).

use sqlparser::ast::{Expr, ObjectName};
use sqlparser::dialect::{BindPlaceholderStyle, Dialect, PostgreSqlDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// PostgreSQL's dialect, reading plain prefixes directly (module docs).
#[derive(Debug, Default, Clone, Copy)]
pub struct Postgres;

/// Methods PostgreSqlDialect overrides (sqlparser 0.64), passed to it unchanged.
macro_rules! as_postgres {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret {
            PostgreSqlDialect {}.$name($($arg),*)
        })*
    };
}

impl Dialect for Postgres {
    fn dialect(&self) -> std::any::TypeId {
        std::any::TypeId::of::<PostgreSqlDialect>()
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        let first = parser.peek_token_ref();
        match &first.token {
            // sqlparser's own arms for these (after the typed string's attempt fails on them).
            Token::Number(..) | Token::SingleQuotedString(_) => {
                Some(parser.parse_value().map(Expr::Value))
            }
            Token::Word(w)
                if matches!(w.keyword, Keyword::TRUE | Keyword::FALSE | Keyword::NULL)
                    && plain_after_name(&parser.peek_nth_token_ref(1).token) =>
            {
                Some(parser.parse_value().map(Expr::Value))
            }
            Token::Word(w) if !special(w.keyword) => {
                if parser.peek_nth_token_ref(1).token == Token::LParen {
                    // A call without arguments (`now()`) before a follower that is no word
                    // (no `OVER`, `FILTER`...): reading it cannot fail. Other calls, whose
                    // arguments could fail to parse, go sqlparser's way (its memo of failed
                    // prefixes must see the same attempts).
                    if parser.peek_nth_token_ref(2).token != Token::RParen
                        || matches!(parser.peek_nth_token_ref(3).token, Token::Word(_))
                        || !plain_after_name(&parser.peek_nth_token_ref(3).token)
                    {
                        return None;
                    }
                    let name = ObjectName::from(vec![w.to_ident(first.span)]);
                    parser.advance_token();
                    return Some(parser.parse_function(name));
                }
                if !qualified_name_end(parser)
                    .is_some_and(|end| plain_after_name(&parser.peek_nth_token_ref(end).token))
                {
                    return None;
                }
                let ident = w.to_ident(first.span);
                parser.advance_token();
                Some(Ok(Expr::Identifier(ident)))
            }
            _ => None,
        }
    }

    as_postgres! {
        fn supports_cte_materialization(&self) -> bool;
        fn identifier_quote_style(&self, identifier: &str) -> Option<char>;
        fn ordered_bind_placeholder_style(&self) -> Option<BindPlaceholderStyle>;
        fn is_delimited_identifier_start(&self, ch: char) -> bool;
        fn is_identifier_start(&self, ch: char) -> bool;
        fn is_identifier_part(&self, ch: char) -> bool;
        fn supports_unicode_string_literal(&self) -> bool;
        fn is_reserved_for_identifier(&self, kw: Keyword) -> bool;
        fn is_table_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool;
        fn supports_string_literal_column_alias(&self, explicit: bool) -> bool;
        fn supports_string_literal_table_alias(&self, explicit: bool) -> bool;
        fn is_custom_operator_part(&self, ch: char) -> bool;
        fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>>;
        fn supports_filter_during_aggregation(&self) -> bool;
        fn supports_group_by_expr(&self) -> bool;
        fn supports_drop_group(&self) -> bool;
        fn supports_alter_user_as_alter_role(&self) -> bool;
        fn supports_create_group(&self) -> bool;
        fn supports_create_role_if_not_exists(&self) -> bool;
        fn prec_value(&self, prec: Precedence) -> u8;
        fn allow_extract_custom(&self) -> bool;
        fn allow_extract_single_quotes(&self) -> bool;
        fn supports_create_index_with_clause(&self) -> bool;
        fn supports_sql_option_without_value(&self) -> bool;
        fn supports_explain_with_utility_options(&self) -> bool;
        fn supports_listen_notify(&self) -> bool;
        fn supports_exclude_constraint(&self) -> bool;
        fn supports_factorial_operator(&self) -> bool;
        fn supports_bitwise_shift_operators(&self) -> bool;
        fn supports_tilde_like_match_operator(&self) -> bool;
        fn supports_comparison_in_between_low_bound(&self) -> bool;
        fn supports_comment_on(&self) -> bool;
        fn supports_load_extension(&self) -> bool;
        fn supports_named_fn_args_with_colon_operator(&self) -> bool;
        fn supports_named_fn_args_with_expr_name(&self) -> bool;
        fn supports_named_fn_args_with_assignment_operator(&self) -> bool;
        fn supports_empty_projections(&self) -> bool;
        fn supports_nested_comments(&self) -> bool;
        fn supports_copy_from_stdin_data(&self) -> bool;
        fn supports_string_escape_constant(&self) -> bool;
        fn supports_numeric_literal_underscores(&self) -> bool;
        fn supports_non_decimal_integer_literals(&self) -> bool;
        fn supports_array_typedef_with_brackets(&self) -> bool;
        fn supports_geometric_types(&self) -> bool;
        fn supports_order_by_using_operator(&self) -> bool;
        fn supports_set_names(&self) -> bool;
        fn supports_alter_column_type_using(&self) -> bool;
        fn supports_left_associative_joins_without_parens(&self) -> bool;
        fn supports_notnull_operator(&self) -> bool;
        fn supports_interval_options(&self) -> bool;
        fn is_interval_qualifier(&self, kw: Keyword) -> bool;
        fn supports_insert_table_alias(&self) -> bool;
        fn supports_create_table_like_parenthesized(&self) -> bool;
        fn supports_select_wildcard_with_alias(&self) -> bool;
        fn supports_comma_separated_trim(&self) -> bool;
        fn supports_xml_expressions(&self) -> bool;
        fn is_custom_type_typed_string(&self, first_keyword: Keyword, qualified: bool) -> bool;
        fn supports_aliased_function_args(&self) -> bool;
        fn supports_comment_optimizer_hint(&self) -> bool;
        fn supports_add_column_if_not_exists(&self) -> bool;
        fn supports_attach_partition_of(&self) -> bool;
        fn supports_detach_partition_of(&self) -> bool;
        fn supports_table_inheritance_markers(&self) -> bool;
        fn supports_column_generic_options(&self) -> bool;
    }
}

/// Whether a name (a word that is no keyword) followed by `next` is, for sqlparser, a plain
/// identifier: its typed-string attempt reads the name as a custom type and fails (no `(` of
/// type modifiers, no `.` of a qualified name, no `[` or `ARRAY` of an array type, no string
/// after it), and the word then is no function call (`(`), no introducer (`_utf8'...'`) and
/// no lambda (PostgreSQL has none).
fn plain_after_name(next: &Token) -> bool {
    match next {
        Token::Word(w) => !matches!(w.keyword, Keyword::ARRAY | Keyword::ZEROFILL),
        Token::Comma
        | Token::RParen
        | Token::EOF
        | Token::SemiColon
        | Token::DoubleColon
        | Token::Eq
        | Token::DoubleEq
        | Token::Neq
        | Token::Lt
        | Token::Gt
        | Token::LtEq
        | Token::GtEq
        | Token::Plus
        | Token::Minus
        | Token::Mul
        | Token::Div
        | Token::Mod
        | Token::StringConcat => true,
        _ => false,
    }
}

/// The look-ahead index just past a name and its `.name` parts (the first token is a name),
/// what sqlparser's typed-string attempt reads as the type's (qualified) name; `None` past
/// four parts (each look-ahead walks the tokens from the parser's position).
fn qualified_name_end(parser: &Parser) -> Option<usize> {
    let mut n = 1;
    while parser.peek_nth_token_ref(n).token == Token::Period
        && matches!(parser.peek_nth_token_ref(n + 1).token, Token::Word(_))
    {
        if n > 6 {
            return None;
        }
        n += 2;
    }
    Some(n)
}

/// Keywords sqlparser 0.64 reads specially at the start of an expression: as a data type in
/// `parse_data_type_helper` (its typed-string attempt may then succeed), as an expression in
/// `parse_expr_prefix_by_reserved_word` (`CASE`, `CURRENT_TIMESTAMP`, `ARRAY`...) or as a
/// geometric type; and `XML` (an unquoted `xml` custom type makes a typed string). Every
/// keyword those functions name is listed; any other keyword before a plain follower is a
/// column name to sqlparser, as a word that is no keyword is.
#[rustfmt::skip]
fn special(keyword: Keyword) -> bool {
    matches!(
        keyword,
        Keyword::ANY | Keyword::APPROXIMATE | Keyword::XML | Keyword::ARRAY | Keyword::BIGDECIMAL |
        Keyword::BIGINT | Keyword::BIGNUMERIC | Keyword::BINARY | Keyword::BIT | Keyword::BLOB |
        Keyword::BOOL | Keyword::BOOLEAN | Keyword::BOX | Keyword::BYTEA | Keyword::BYTES |
        Keyword::CASE | Keyword::CAST | Keyword::CEIL | Keyword::CHAR | Keyword::CHARACTER |
        Keyword::CIRCLE | Keyword::CLOB | Keyword::CONVERT | Keyword::CURRENT_CATALOG |
        Keyword::CURRENT_DATE | Keyword::CURRENT_TIME | Keyword::CURRENT_TIMESTAMP |
        Keyword::CURRENT_USER | Keyword::DATE | Keyword::DATE32 | Keyword::DATETIME |
        Keyword::DATETIME64 | Keyword::DEC | Keyword::DECIMAL | Keyword::DOUBLE | Keyword::ENUM
        | Keyword::ENUM16 | Keyword::ENUM8 | Keyword::EXISTS | Keyword::EXTRACT | Keyword::FALSE
        | Keyword::FIXEDSTRING | Keyword::FLOAT | Keyword::FLOAT32 | Keyword::FLOAT4 |
        Keyword::FLOAT64 | Keyword::FLOAT8 | Keyword::FLOOR | Keyword::HUGEINT | Keyword::INT |
        Keyword::INT128 | Keyword::INT16 | Keyword::INT2 | Keyword::INT256 | Keyword::INT32 |
        Keyword::INT4 | Keyword::INT64 | Keyword::INT8 | Keyword::INTEGER | Keyword::INTERVAL |
        Keyword::JSON | Keyword::JSONB | Keyword::LAMBDA | Keyword::LARGE | Keyword::LINE |
        Keyword::LOCALTIME | Keyword::LOCALTIMESTAMP | Keyword::LONG | Keyword::LONGBLOB |
        Keyword::LONGTEXT | Keyword::LOWCARDINALITY | Keyword::LSEG | Keyword::MAP |
        Keyword::MATCH | Keyword::MEDIUMBLOB | Keyword::MEDIUMINT | Keyword::MEDIUMTEXT |
        Keyword::NESTED | Keyword::NOT | Keyword::NULL | Keyword::NULLABLE | Keyword::NUMERIC |
        Keyword::NVARCHAR | Keyword::OBJECT | Keyword::OVERLAY | Keyword::PATH |
        Keyword::PERCENTILE_DISC | Keyword::POINT | Keyword::POLYGON | Keyword::POSITION |
        Keyword::PRECISION | Keyword::PRIOR | Keyword::REAL | Keyword::REGCLASS |
        Keyword::SAFE_CAST | Keyword::SELECT | Keyword::SESSION_USER | Keyword::SET |
        Keyword::SIGNED | Keyword::SMALLINT | Keyword::STRING | Keyword::STRUCT |
        Keyword::SUBSTR | Keyword::SUBSTRING | Keyword::TABLE | Keyword::TEXT | Keyword::TIME |
        Keyword::TIMESTAMP | Keyword::TIMESTAMPTZ | Keyword::TIMESTAMP_NTZ | Keyword::TIMETZ |
        Keyword::TINYBLOB | Keyword::TINYINT | Keyword::TINYTEXT | Keyword::TRIGGER |
        Keyword::TRIM | Keyword::TRUE | Keyword::TRY_CAST | Keyword::TRY_CONVERT |
        Keyword::TSQUERY | Keyword::TSVECTOR | Keyword::TUPLE | Keyword::TYPE | Keyword::UBIGINT
        | Keyword::UHUGEINT | Keyword::UINT128 | Keyword::UINT16 | Keyword::UINT256 |
        Keyword::UINT32 | Keyword::UINT64 | Keyword::UINT8 | Keyword::UNION | Keyword::UNSIGNED
        | Keyword::USER | Keyword::USMALLINT | Keyword::UTINYINT | Keyword::UUID |
        Keyword::VARBINARY | Keyword::VARBIT | Keyword::VARCHAR | Keyword::VARYING |
        Keyword::WITH | Keyword::WITHOUT | Keyword::ZONE
    )
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::{Dialect, PostgreSqlDialect};
    use sqlparser::parser::Parser;

    use super::Postgres;
    use crate::parse::tokenize::{parse_statements, same_outcome};

    /// Whether the shortcut reads the prefix of `expr` itself.
    fn taken(expr: &str) -> bool {
        let mut parser = Parser::new(&Postgres).try_with_sql(expr).unwrap();
        Postgres.parse_prefix(&mut parser).is_some()
    }

    #[test]
    fn plain_prefixes_are_taken_and_the_rest_left_to_sqlparser() {
        let plain = "a | a, b | a) | a::text | a = 1 | a AND b | a IS NULL | t.a | s.t.a + 1 | \
                     \"Quoted\" | 1 | 1.5e3 | 'x' || b | TRUE | NULL) | id | status IN (1) | \
                     name = 'x' | now() | gen_random_uuid(), | now()::text | name() = 1";
        for expr in plain.split(" | ") {
            assert!(taken(expr), "{expr}");
        }
        // Typed strings, array types, calls, keywords sqlparser reads its own way.
        let other = "a 'x' | a[1] | a ARRAY | f(1) 'x' | s.f(a) | date '2020-01-01' | \
                     CURRENT_TIMESTAMP | TRUE 'x' | a.* | f( | _utf8 'x' | int | point | f(a) | \
                     now() OVER () | now() 'x' | now()[1] | now() ARRAY | now().a | \
                     id 'x' | xml | (a) | -a | a -> 'k'";
        for expr in other.split(" | ") {
            assert!(!taken(expr), "{expr}");
        }
    }

    /// Deterministic pseudo-random expressions, in the places migrations write them, parse
    /// to exactly what sqlparser's own PostgreSQL dialect parses (or fail with its message).
    #[test]
    fn random_expressions_parse_as_with_sqlparsers_dialect() {
        let pieces: Vec<&str> = "a b \"Q\" t.c s.t.c f( now() g(a) 1 2.5 'x' TRUE FALSE NULL ( ) \
             [ ] [1] ARRAY ZEROFILL xml XML _utf8 int text date interval timestamp WITH TIME \
             ZONE :: + - * / % || = <> < >= -> ->> , . AND OR IS NOT IN LIKE BETWEEN CASE WHEN \
             THEN ELSE END COLLATE DESC status name id type key e'x' $1 $$b$$ ; point OVER FILTER"
            .split_whitespace()
            .collect();
        let places = [
            ("SELECT ", " FROM t"),
            ("CREATE TABLE t (c int DEFAULT ", ")"),
            ("CREATE TABLE t (c int CHECK (", "))"),
            ("INSERT INTO t VALUES (", ")"),
            ("UPDATE t SET c = ", " WHERE c > 0"),
            ("CREATE INDEX i ON t (", ")"),
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        let mut parsed = 0;
        for _ in 0..30_000 {
            let len = 1 + next() % 8;
            let expr: Vec<&str> = (0..len).map(|_| pieces[next() % pieces.len()]).collect();
            let (before, after) = places[next() % places.len()];
            let sql = format!("{before}{}{after}", expr.join(" "));
            let ours = parse_statements(&sql);
            let theirs = Parser::parse_sql(&PostgreSqlDialect {}, &sql);
            assert!(
                same_outcome(&ours, &theirs),
                "differs on {sql:?}:\n ours   {ours:?}\n theirs {theirs:?}"
            );
            parsed += usize::from(ours.is_ok());
        }
        // Statements that parse, not only errors, are compared.
        assert!(parsed > 3_000, "only {parsed} random statements parsed");
    }
}
