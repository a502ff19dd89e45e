//! Stage 3 (model): PostgreSQL type names. Spells builtin types the way `format_type` does
//! (so the model compares equal to the real catalog) and answers PostgreSQL's foreign-key
//! type compatibility question (an equality operator, possibly after an implicit cast).

use std::borrow::Cow;

/// Canonical `format_type` spelling of a builtin type, from its name as written (any case,
/// any alias) and its modifiers (`varchar(255)` -> name `varchar`, modifiers `["255"]`).
/// Returns `None` when the name is not a builtin type.
#[must_use]
pub fn canonical_builtin(name: &str, modifiers: &[String], tz: Option<bool>) -> Option<String> {
    let lower = name.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
    let m = modifiers.join(",");
    let with_mod = |base: &str| {
        if m.is_empty() {
            base.to_string()
        } else {
            format!("{base}({m})")
        }
    };
    let base = match lower {
        "int" | "integer" | "int4" | "serial" | "serial4" => "integer".to_string(),
        "smallint" | "int2" | "smallserial" | "serial2" => "smallint".to_string(),
        "bigint" | "int8" | "bigserial" | "serial8" => "bigint".to_string(),
        "real" | "float4" => "real".to_string(),
        "double precision" | "float8" | "double" => "double precision".to_string(),
        "float" => match modifiers.first().and_then(|p| p.parse::<u32>().ok()) {
            Some(p) if p <= 24 => "real".to_string(),
            _ => "double precision".to_string(),
        },
        // A precision alone has scale 0, which `format_type` spells: `numeric(20,0)`.
        "numeric" | "decimal" | "dec" if modifiers.len() == 1 => format!("numeric({m},0)"),
        "numeric" | "decimal" | "dec" => with_mod("numeric"),
        "bool" | "boolean" => "boolean".to_string(),
        "text" => "text".to_string(),
        "varchar" | "character varying" | "char varying" => with_mod("character varying"),
        "char" | "character" | "nchar" | "bpchar" => {
            if m.is_empty() && lower != "bpchar" {
                "character(1)".to_string()
            } else {
                with_mod("character")
            }
        }
        "\"char\"" => "\"char\"".to_string(),
        "name" => "name".to_string(),
        "uuid" | "json" | "jsonb" | "bytea" | "date" | "inet" | "cidr" | "macaddr" | "macaddr8"
        | "money" | "xml" | "tsvector" | "tsquery" | "oid" | "regclass" | "regtype" | "regproc"
        | "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle" | "int4range"
        | "int8range" | "numrange" | "tsrange" | "tstzrange" | "daterange" | "pg_lsn"
        | "txid_snapshot" | "pg_snapshot" | "jsonpath" | "xid" | "cid" | "tid"
        | "int4multirange" | "int8multirange" | "nummultirange" | "tsmultirange"
        | "tstzmultirange" | "datemultirange" | "regnamespace" | "regrole" | "regoper"
        | "regprocedure" | "regconfig" | "regdictionary" | "refcursor" => lower.to_string(),
        "interval" => with_mod("interval"),
        "bit" => {
            if m.is_empty() {
                "bit(1)".to_string()
            } else {
                with_mod("bit")
            }
        }
        "varbit" | "bit varying" => with_mod("bit varying"),
        "timestamptz" => time_name("timestamp", &m, true),
        "timestamp" => time_name("timestamp", &m, tz.unwrap_or(false)),
        "timetz" => time_name("time", &m, true),
        "time" => time_name("time", &m, tz.unwrap_or(false)),
        _ => return None,
    };
    Some(base)
}

/// A type of `pg_catalog` that [`canonical_builtin`] does not spell (`regoperator`, `xid8`,
/// `void`, `anyelement`, a system catalog's row type such as `pg_class`): its name as written
/// (already folded), with its modifiers.
#[must_use]
pub fn other_catalog_type(name: &str, modifiers: &[String]) -> Option<String> {
    super::pgfunc::PG_CATALOG_TYPES.binary_search(&name).ok()?;
    Some(if modifiers.is_empty() {
        name.to_string()
    } else {
        format!("{name}({})", modifiers.join(","))
    })
}

/// Whether a type, as the model spells it, is a pseudo-type (`record`, `void`, `anyelement`,
/// `"any"`...): PostgreSQL refuses a column of one.
#[must_use]
pub fn is_pseudo(data_type: &str) -> bool {
    super::pgfunc::PSEUDO_TYPES
        .binary_search(&data_type)
        .is_ok()
}

/// PostgreSQL's detail when a function's polymorphic result type cannot be deduced from its
/// input types (`RETURNS anyelement` with no polymorphic argument; its
/// check_valid_polymorphic_signature): `None` when it can, or the result is not polymorphic.
#[must_use]
pub fn polymorphic_result_refusal(result: &str, inputs: &[&str]) -> Option<String> {
    const FAMILY1: &[&str] = &[
        "anyelement",
        "anyarray",
        "anynonarray",
        "anyenum",
        "anyrange",
        "anymultirange",
    ];
    const FAMILY2: &[&str] = &[
        "anycompatible",
        "anycompatiblearray",
        "anycompatiblenonarray",
        "anycompatiblerange",
        "anycompatiblemultirange",
    ];
    let needs: &[&str] = match result {
        "anyrange" | "anymultirange" => &["anyrange", "anymultirange"],
        "anycompatiblerange" | "anycompatiblemultirange" => {
            &["anycompatiblerange", "anycompatiblemultirange"]
        }
        r if FAMILY1.contains(&r) => FAMILY1,
        r if FAMILY2.contains(&r) => FAMILY2,
        _ => return None,
    };
    if inputs.iter().any(|i| needs.contains(i)) {
        return None;
    }
    let list = match needs {
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
        [] => String::new(),
    };
    Some(format!(
        "a result of type {result} requires at least one input of type {list}"
    ))
}

/// Whether `name`, written in double quotes (so case-sensitive and no SQL alias), is a type of
/// `pg_catalog`: `"uuid"`, `"text"`, `"int4"`, `"timestamptz"` are (pg_dump and
/// `supabase db pull` quote them so), and so is `"serial"` (PostgreSQL compares the name as
/// parsed); `"integer"`, `"boolean"` (grammar aliases) and `"Text"` are not.
#[must_use]
pub fn is_quoted_catalog_type(name: &str) -> bool {
    let aliases = [
        "int",
        "integer",
        "smallint",
        "bigint",
        "real",
        "double precision",
        "double",
        "float",
        "decimal",
        "dec",
        "boolean",
        "character varying",
        "char varying",
        "character",
        "bit varying",
    ];
    name.bytes().all(|b| !b.is_ascii_uppercase())
        && !aliases.contains(&name)
        && canonical_builtin(name, &[], None).is_some()
}

fn time_name(base: &str, m: &str, tz: bool) -> String {
    let zone = if tz {
        "with time zone"
    } else {
        "without time zone"
    };
    if m.is_empty() {
        format!("{base} {zone}")
    } else {
        format!("{base}({m}) {zone}")
    }
}

/// Whether two column types, as the model spells them, are certainly different types: both
/// are common built-ins in PostgreSQL's canonical spelling (or arrays of them) and differ.
/// Anything else (a user type, a type with modifiers, a spelling the lowering did not
/// canonicalise) is not judged, so no conflict is ever claimed from a spelling difference.
#[must_use]
pub fn surely_different(a: &str, b: &str) -> bool {
    const PLAIN: &[&str] = &[
        "bigint",
        "boolean",
        "bytea",
        "date",
        "double precision",
        "integer",
        "interval",
        "json",
        "jsonb",
        "numeric",
        "real",
        "smallint",
        "text",
        "timestamp with time zone",
        "timestamp without time zone",
        "uuid",
    ];
    let known = |t: &str| PLAIN.contains(&t.trim_end_matches("[]"));
    known(a) && known(b) && a != b
}

/// `serial`, `bigserial`, ...: a column type that implies a sequence default and NOT NULL.
#[must_use]
pub fn is_serial(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
    )
}

/// Builtin type families whose members compare with each other (a btree operator family, or
/// an implicit cast into the referenced type's family).
fn family(ty: &str) -> Option<&'static str> {
    let base = ty.split('(').next().unwrap_or(ty).trim();
    Some(match base {
        "smallint" | "integer" | "bigint" => "int",
        "real" | "double precision" => "float",
        "numeric" => "numeric",
        "text" | "character varying" | "character" | "name" => "string",
        "date" | "timestamp without time zone" | "timestamp with time zone" => "datetime",
        "time without time zone" => "time",
        "time with time zone" => "timetz",
        "boolean" => "bool",
        "uuid" => "uuid",
        "bytea" => "bytea",
        "jsonb" => "jsonb",
        "inet" | "cidr" => "network",
        "interval" => "interval",
        "money" => "money",
        "oid" => "oid",
        "bit" | "bit varying" => "bit",
        "macaddr" => "macaddr",
        "macaddr8" => "macaddr8",
        "tsvector" => "tsvector",
        "tsquery" => "tsquery",
        _ => {
            if base.starts_with("timestamp(") && base.ends_with("with time zone")
                || base.starts_with("timestamp(") && base.ends_with("without time zone")
            {
                "datetime"
            } else if base.starts_with("time(") && base.ends_with("without time zone") {
                "time"
            } else if base.starts_with("time(") && base.ends_with("with time zone") {
                "timetz"
            } else {
                return None;
            }
        }
    })
}

/// The answer to "can a FK column of type `fk` reference a key column of type `pk`?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FkCompat {
    Compatible,
    Incompatible,
    /// A user or extension type we cannot judge: say nothing.
    Unknown,
}

/// Follows PostgreSQL: an equality operator in the key's operator family, or an implicit cast
/// from the FK type into the key type. Both arguments are canonical spellings; array types
/// end in `[]`. Domains must already be replaced by their base type.
#[must_use]
pub fn fk_compatible(fk: &str, pk: &str) -> FkCompat {
    if fk == pk {
        return FkCompat::Compatible;
    }
    let (fk_arr, pk_arr) = (fk.ends_with("[]"), pk.ends_with("[]"));
    if fk_arr != pk_arr {
        return match (
            family(fk.trim_end_matches("[]")),
            family(pk.trim_end_matches("[]")),
        ) {
            (Some(_), Some(_)) => FkCompat::Incompatible,
            _ => FkCompat::Unknown,
        };
    }
    let (fk_base, pk_base) = (fk.trim_end_matches("[]"), pk.trim_end_matches("[]"));
    match (family(fk_base), family(pk_base)) {
        (Some(a), Some(b)) if a == b => FkCompat::Compatible,
        // Implicit casts into the key's family: integers to numeric and floats, numeric to floats.
        (Some("int"), Some("numeric" | "float")) | (Some("numeric"), Some("float")) => {
            FkCompat::Compatible
        }
        (Some(_), Some(_)) => FkCompat::Incompatible,
        _ => FkCompat::Unknown,
    }
}

/// `ty` without its modifiers, as PostgreSQL names a type in its cast errors:
/// `character varying(20)` -> `character varying`, `timestamp(3) with time zone` ->
/// `timestamp with time zone`, `numeric(10,2)[]` -> `numeric[]`.
#[must_use]
pub fn without_modifiers(ty: &str) -> Cow<'_, str> {
    let plain = !ty.contains(['(', ')', '\t', '\n', '\r'])
        && !ty.starts_with(' ')
        && !ty.ends_with(' ')
        && !ty.contains("  ");
    if plain {
        return Cow::Borrowed(ty);
    }
    let mut out = String::with_capacity(ty.len());
    let mut depth = 0usize;
    for ch in ty.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    Cow::Owned(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The string types every type converts to in an assignment (by I/O conversion).
const STRING_TYPES: &[&str] = &["text", "character varying", "character", "name"];

/// Whether `ty` (modifiers allowed) is a string type: every type converts to one in an
/// assignment (I/O conversion).
#[must_use]
pub fn is_string_type(ty: &str) -> bool {
    STRING_TYPES.contains(&&*without_modifiers(ty))
}

/// Builtin types whose assignment conversions [`assignment_castable`] knows, each with the
/// other non-string types it converts to (implicit and assignment casts of `pg_cast`), as
/// PostgreSQL 15 answers `ALTER COLUMN ... TYPE` without `USING` for every pair of them.
const ASSIGNMENT_CASTS: &[(&str, &[&str])] = &[
    (
        "smallint",
        &[
            "integer",
            "bigint",
            "numeric",
            "real",
            "double precision",
            "oid",
        ],
    ),
    (
        "integer",
        &[
            "smallint",
            "bigint",
            "numeric",
            "real",
            "double precision",
            "money",
            "oid",
        ],
    ),
    (
        "bigint",
        &[
            "smallint",
            "integer",
            "numeric",
            "real",
            "double precision",
            "money",
            "oid",
        ],
    ),
    (
        "numeric",
        &[
            "smallint",
            "integer",
            "bigint",
            "real",
            "double precision",
            "money",
        ],
    ),
    (
        "real",
        &[
            "smallint",
            "integer",
            "bigint",
            "numeric",
            "double precision",
        ],
    ),
    (
        "double precision",
        &["smallint", "integer", "bigint", "numeric", "real"],
    ),
    ("money", &["numeric"]),
    ("oid", &["integer", "bigint"]),
    ("text", &["\"char\""]),
    ("character varying", &["\"char\""]),
    ("character", &["\"char\""]),
    ("\"char\"", &[]),
    ("name", &[]),
    ("boolean", &[]),
    (
        "date",
        &["timestamp without time zone", "timestamp with time zone"],
    ),
    (
        "timestamp without time zone",
        &["date", "time without time zone", "timestamp with time zone"],
    ),
    (
        "timestamp with time zone",
        &[
            "date",
            "time without time zone",
            "time with time zone",
            "timestamp without time zone",
        ],
    ),
    (
        "time without time zone",
        &["time with time zone", "interval"],
    ),
    ("time with time zone", &["time without time zone"]),
    ("interval", &["time without time zone"]),
    ("uuid", &[]),
    ("json", &["jsonb"]),
    ("jsonb", &["json"]),
    ("bytea", &[]),
    ("inet", &["cidr"]),
    ("cidr", &["inet"]),
    ("macaddr", &[]),
    ("xml", &[]),
    ("bit", &[]),
    ("point", &[]),
    ("tsvector", &[]),
];

/// Whether `ty` (modifiers and a `[]` suffix allowed) is a builtin type whose conversions
/// [`assignment_castable`] knows.
#[must_use]
pub fn is_known_builtin(ty: &str) -> bool {
    let ty = without_modifiers(ty);
    let base = ty.strip_suffix("[]").unwrap_or(&ty);
    ASSIGNMENT_CASTS.iter().any(|(name, _)| *name == base)
}

/// Whether PostgreSQL converts a value of type `from` to type `to` in an assignment (an
/// implicit or assignment cast, or I/O conversion to a string type): what `ALTER COLUMN ...
/// TYPE` without `USING` needs for the column, and what a default needs. Both are the model's
/// spellings (modifiers and a `[]` suffix allowed); arrays convert element by element, and to
/// a string type. `None` when either type is not a builtin this knows (user types, domains,
/// enums, extension types): nothing is claimed about them.
#[must_use]
pub fn assignment_castable(from: &str, to: &str) -> Option<bool> {
    let (from, to) = (without_modifiers(from), without_modifiers(to));
    let known = |t: &str| ASSIGNMENT_CASTS.iter().find(|(name, _)| *name == t);
    let (from_elem, to_elem) = (from.strip_suffix("[]"), to.strip_suffix("[]"));
    let (from_base, to_base) = (from_elem.unwrap_or(&from), to_elem.unwrap_or(&to));
    let (from_known, _) = (known(from_base)?, known(to_base)?);
    Some(match (from_elem.is_some(), to_elem.is_some()) {
        (true, true) | (false, false) => {
            from_base == to_base
                || STRING_TYPES.contains(&to_base)
                || from_known.1.contains(&to_base)
        }
        (true, false) => STRING_TYPES.contains(&to_base),
        (false, true) => false,
    })
}

/// The explicit-only casts of `pg_cast` between the types of [`ASSIGNMENT_CASTS`]
/// (`castcontext = 'e'`, PostgreSQL 15).
const EXPLICIT_CASTS: &[(&str, &str)] = &[
    ("\"char\"", "integer"),
    ("bigint", "bit"),
    ("bit", "bigint"),
    ("bit", "integer"),
    ("boolean", "integer"),
    ("character", "xml"),
    ("character varying", "xml"),
    ("integer", "\"char\""),
    ("integer", "bit"),
    ("integer", "boolean"),
    ("jsonb", "bigint"),
    ("jsonb", "boolean"),
    ("jsonb", "double precision"),
    ("jsonb", "integer"),
    ("jsonb", "numeric"),
    ("jsonb", "real"),
    ("jsonb", "smallint"),
    ("text", "xml"),
];

/// Whether PostgreSQL has a cast from `from` to `to` at all (`x::to`, `CAST(x AS to)`): an
/// implicit, assignment or explicit cast, or I/O conversion from or to a string type; without
/// one the expression is refused when it is created (`cannot cast type inet to integer`).
/// `None` unless both are scalar builtins [`assignment_castable`] knows.
#[must_use]
pub fn explicit_castable(from: &str, to: &str) -> Option<bool> {
    let (from, to) = (without_modifiers(from), without_modifiers(to));
    if from.ends_with("[]") || to.ends_with("[]") {
        return None;
    }
    Some(
        assignment_castable(&from, &to)?
            || STRING_TYPES.contains(&&*from)
            || EXPLICIT_CASTS.contains(&(&*from, &*to)),
    )
}

/// Reserved words PostgreSQL reads as a call of a function without parentheses
/// (`func_expr_common_subexpr`): `current_user`, `user`, `current_date`, ...
pub(crate) const SQL_VALUE_FUNCTIONS: &[&str] = &[
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "localtime",
    "localtimestamp",
    "session_user",
    "user",
];

/// Whether `word` (any case, as written unquoted) is a PostgreSQL 15 keyword that cannot name
/// a column or a table unquoted (`ColId` in its grammar: the reserved and the
/// type/function-name keywords, `pg_get_keywords()` categories R and T): `order`, `USER`,
/// `group`, `left`, `verbose`.
#[must_use]
pub fn is_reserved_as_name(word: &str) -> bool {
    let mut buf = [0u8; KEYWORD_MAX];
    keyword_lower(word, &mut buf).is_some_and(|w| {
        may_be_keyword(&RESERVED_LENGTHS, w) && RESERVED_AS_NAME.binary_search(&w).is_ok()
    })
}

/// For each first letter, a bit per length of [`RESERVED_AS_NAME`]'s keywords: most names
/// (`organization_id`, `created_at`) are answered without a search.
const RESERVED_LENGTHS: [u32; 26] = lengths_by_letter(&[RESERVED_AS_NAME]);

/// [`RESERVED_LENGTHS`] for [`is_reserved_keyword`]'s lists.
const KEYWORD_LENGTHS: [u32; 26] =
    lengths_by_letter(&[RESERVED_AS_NAME, COLUMN_NAME_KEYWORDS, &["system_user"]]);

const fn lengths_by_letter(lists: &[&[&str]]) -> [u32; 26] {
    let mut masks = [0u32; 26];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let w = lists[l][i].as_bytes();
            // Lower-case ASCII keywords of at most KEYWORD_MAX bytes (a compile error otherwise).
            assert!(!w.is_empty() && w.len() <= KEYWORD_MAX && w[0].is_ascii_lowercase());
            masks[(w[0] - b'a') as usize] |= 1 << w.len();
            i += 1;
        }
        l += 1;
    }
    masks
}

/// Whether `word` (lower case, from [`keyword_lower`]) has the first letter and length of a
/// keyword in `masks`.
fn may_be_keyword(masks: &[u32; 26], word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.first().is_some_and(|&c| {
        c.is_ascii_lowercase()
            && masks
                .get(usize::from(c - b'a'))
                .is_some_and(|m| m & (1 << bytes.len()) != 0)
    })
}

/// The longest keyword's length (`current_timestamp`).
const KEYWORD_MAX: usize = 17;

/// `word` in lower case, in `buf`, when it could be a keyword (ASCII letters and underscores,
/// short enough); no allocation, as names are checked by the thousand.
fn keyword_lower<'b>(word: &str, buf: &'b mut [u8; KEYWORD_MAX]) -> Option<&'b str> {
    if word.is_empty() || word.len() > KEYWORD_MAX {
        return None;
    }
    for (b, c) in buf.iter_mut().zip(word.bytes()) {
        if !(c.is_ascii_alphabetic() || c == b'_') {
            return None;
        }
        *b = c.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..word.len()]).ok()
}

/// The keywords of [`is_reserved_as_name`], sorted.
const RESERVED_AS_NAME: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// PostgreSQL keywords that `quote_ident` always quotes: those of [`is_reserved_as_name`], the
/// column-name keywords (`pg_get_keywords()` category C), and `system_user` (reserved from
/// PostgreSQL 16 on).
#[must_use]
pub fn is_reserved_keyword(word: &str) -> bool {
    let mut buf = [0u8; KEYWORD_MAX];
    keyword_lower(word, &mut buf).is_some_and(|w| {
        may_be_keyword(&KEYWORD_LENGTHS, w)
            && (RESERVED_AS_NAME.binary_search(&w).is_ok()
                || COLUMN_NAME_KEYWORDS.binary_search(&w).is_ok()
                || w == "system_user")
    })
}

/// PostgreSQL 15's column-name keywords (category C): names of columns, not of functions or
/// types. Sorted.
const COLUMN_NAME_KEYWORDS: &[&str] = &[
    "between",
    "bigint",
    "bit",
    "boolean",
    "char",
    "character",
    "coalesce",
    "dec",
    "decimal",
    "exists",
    "extract",
    "float",
    "greatest",
    "grouping",
    "inout",
    "int",
    "integer",
    "interval",
    "least",
    "national",
    "nchar",
    "none",
    "normalize",
    "nullif",
    "numeric",
    "out",
    "overlay",
    "position",
    "precision",
    "real",
    "row",
    "setof",
    "smallint",
    "substring",
    "time",
    "timestamp",
    "treat",
    "trim",
    "values",
    "varchar",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// The type of an expression PostgreSQL types without looking at the project's objects: an SQL
/// value function (`CURRENT_TIMESTAMP`, `CURRENT_DATE`, `LOCALTIMESTAMP`...), a call with no
/// arguments of a builtin function that `pg_catalog` (searched first) always has (`now()`,
/// `gen_random_uuid()`...), or a boolean constant. `text` is the expression as written, any
/// case; `None` for anything else.
#[must_use]
pub fn builtin_value_type(text: &str) -> Option<&'static str> {
    const VALUES: &[(&str, &str)] = &[
        ("now()", "timestamp with time zone"),
        ("current_timestamp", "timestamp with time zone"),
        ("transaction_timestamp()", "timestamp with time zone"),
        ("statement_timestamp()", "timestamp with time zone"),
        ("clock_timestamp()", "timestamp with time zone"),
        ("localtimestamp", "timestamp without time zone"),
        ("current_date", "date"),
        ("current_time", "time with time zone"),
        ("localtime", "time without time zone"),
        ("gen_random_uuid()", "uuid"),
        ("true", "boolean"),
        ("false", "boolean"),
    ];
    let text = text.trim();
    // Without allocating: every default is asked.
    let bare = text
        .get(..11)
        .filter(|p| p.eq_ignore_ascii_case("pg_catalog."))
        .map_or(text, |_| &text[11..]);
    VALUES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(bare))
        .map(|(_, ty)| *ty)
}

/// What a comparison operand's type is to operator resolution: a builtin type of a family
/// whose members all compare with each other (`=`, `<>`, `<`, `>`, `<=`, `>=`: cross-type
/// operators or implicit casts) and with no other family, an enum of the history (each is its
/// own family: `anyenum = anyenum` wants one type; named schema-qualified), or an array of
/// one of those (the element type, builtin ones without modifiers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparand {
    Family(&'static str),
    Enum(String),
    Array(String),
}

/// The family of builtin type `ty` (the model's spelling, modifiers allowed) for
/// [`Comparand::Family`]; `None` for a type not listed (time, interval, money, the geometric
/// types, `tsquery`, `name`, `"char"`, `macaddr8`...: not checked against PostgreSQL).
#[must_use]
pub fn comparison_family(ty: &str) -> Option<&'static str> {
    Some(match &*without_modifiers(ty) {
        "smallint" | "integer" | "bigint" | "real" | "double precision" | "numeric" => "number",
        "text" | "character varying" | "character" => "string",
        "date" | "timestamp without time zone" | "timestamp with time zone" => "datetime",
        "uuid" => "uuid",
        "boolean" => "boolean",
        "bytea" => "bytea",
        "jsonb" => "jsonb",
        "json" => "json",
        "inet" | "cidr" => "network",
        "money" => "money",
        "macaddr" => "macaddr",
        "tsvector" => "tsvector",
        "bit" | "bit varying" => "bit",
        "xml" => "xml",
        "interval" => "interval",
        "time without time zone" => "time",
        "time with time zone" => "timetz",
        _ => return None,
    })
}

/// Families of [`comparison_family`] that compare with another one: `time` with `interval`
/// (an implicit cast) and with `time with time zone`, but `interval` not with `time with time
/// zone`.
const COMPARED_FAMILIES: &[(&str, &str)] = &[("interval", "time"), ("time", "timetz")];

/// Whether PostgreSQL finds a comparison operator (`=`, `<>`, `<`, `>`, `<=`, `>=`) between
/// a value of `left` and one of `right`, in a database with no `CREATE CAST` or `CREATE
/// OPERATOR` of the project's: within a family yes, across families no (but `time` with
/// `interval` and `time with time zone`), and never for `json` or `xml` (they have no
/// comparison at all). An array compares only with an array of the same type
/// (`anyarray = anyarray`: not `integer[] = bigint[]`, not `text[] = character varying[]`),
/// whatever its elements' operators (`json[] = json[]` fails only when run on rows).
/// tests/it/comparisons.rs holds every pair against PostgreSQL.
#[must_use]
pub fn comparison_exists(left: &Comparand, right: &Comparand) -> bool {
    use Comparand::{Array, Enum, Family};
    match (left, right) {
        (Family("json" | "xml"), _) | (_, Family("json" | "xml")) => false,
        (Family(l), Family(r)) => {
            l == r
                || COMPARED_FAMILIES
                    .iter()
                    .any(|&(a, b)| (a, b) == (*l, *r) || (b, a) == (*l, *r))
        }
        (Enum(l), Enum(r)) | (Array(l), Array(r)) => l == r,
        _ => false,
    }
}

/// PostgreSQL's type for a type name other SQL dialects have and PostgreSQL does not
/// (`datetime` is MySQL's `timestamp`), as advice for a column that names one.
#[must_use]
pub fn foreign_type_advice(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "datetime" | "datetime2" | "datetime64" | "timestamp_ntz" | "smalldatetime" => {
            "`timestamp` (or `timestamptz`, which keeps the instant whatever the session's time zone)"
        }
        "tinyint" | "utinyint" | "mediumint" | "int16" | "uint8" | "usmallint" => {
            "`smallint` or `integer` (`boolean` for MySQL's `tinyint(1)` flags)"
        }
        "int32" | "uint16" => "`integer`",
        "int64" | "uint32" | "ubigint" | "uint64" => "`bigint`",
        "int128" | "int256" | "hugeint" | "uhugeint" | "uint128" | "uint256" | "number"
        | "bignumeric" | "bigdecimal" => "`numeric`",
        "double" | "float64" => "`double precision`",
        "float32" => "`real`",
        "tinytext" | "mediumtext" | "longtext" | "string" | "clob" | "ntext" | "fixedstring" => {
            "`text` (or `varchar(n)` for a length limit)"
        }
        "nvarchar" | "varchar2" | "nvarchar2" => "`varchar(n)` or `text` (every string is Unicode)",
        "blob" | "tinyblob" | "mediumblob" | "longblob" | "binary" | "varbinary" | "bytes"
        | "raw" | "image" => "`bytea`",
        "date32" => "`date`",
        "year" => "`smallint` (or `date`)",
        "enum" | "set" => {
            "an enum type created first (`CREATE TYPE status AS ENUM ('a', 'b')`), or `text` with a \
             `CHECK (column IN (...))`; a SET is an array of one (`status[]`)"
        }
        "signed" | "unsigned" => "`integer` or `bigint` (with a `CHECK (column >= 0)`)",
        _ => return None,
    })
}

/// The type PostgreSQL gives a number constant written `text` (negated when `negative`):
/// `integer` when its value fits in 32 bits, else `bigint` when it fits in 64, else
/// `numeric`; `numeric` with a point or an exponent (`1.5`, `.5`, `1e3`). `None` for other
/// spellings (PostgreSQL 16's `0x1F` and `1_000`).
#[must_use]
pub fn number_constant_type(text: &str, negative: bool) -> Option<&'static str> {
    let bytes = text.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        let Ok(n) = text.parse::<i128>() else {
            return Some("numeric");
        };
        let n = if negative { -n } else { n };
        return Some(if i32::try_from(n).is_ok() {
            "integer"
        } else if i64::try_from(n).is_ok() {
            "bigint"
        } else {
            "numeric"
        });
    }
    decimal_number(text, false).then_some("numeric")
}

/// Whether `text` is a decimal number without sign or blanks: digits with a point and an
/// exponent (`1.5e3`, `.5`, `5.`, `1E-3`), at least one digit before the exponent and one in
/// it; `_` among the digits when `underscores` (PostgreSQL 16's input).
fn decimal_number(text: &str, underscores: bool) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit() || (underscores && b == b'_'))
    };
    let has_digit = |s: &str| s.bytes().any(|b| b.is_ascii_digit());
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    digits(whole)
        && digits(fraction)
        && has_digit(mantissa)
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            digits(e) && has_digit(e)
        })
}

/// PostgreSQL's error for string `value` read as a value of `data_type` (a default's literal
/// is converted when the default is created), for the types whose input every supported
/// PostgreSQL version reads alike: the integers (PostgreSQL 16 added `0x1F` and `1_000`, so
/// those are not claimed), `numeric`, `real` and `double precision` (only what no version
/// reads as a number: see `number_input`), `boolean` and `uuid`, an array's first character
/// (`{`, or `[` for dimensions, after blanks), and for the date and time types only a blank
/// string and MySQL's zero date (`'0000-00-00'`, `'0000-00-00 00:00:00'`): their other inputs
/// depend on settings (`DateStyle`, time zone abbreviations). `None` when the value is valid
/// or the type is another one.
#[must_use]
pub fn input_error(data_type: &str, value: &str) -> Option<String> {
    if data_type.ends_with("[]") {
        // array_in: blanks, then `{` or dimensions (`[1:2]={...}`).
        let rest = value.trim_start_matches(PG_SPACE);
        return (!rest.starts_with(['{', '[']))
            .then(|| format!("malformed array literal: \"{value}\""));
    }
    let ty = without_modifiers(data_type);
    let valid = match &*ty {
        "smallint" => integer_input(value, i64::from(i16::MIN), i64::from(i16::MAX)),
        "integer" => integer_input(value, i64::from(i32::MIN), i64::from(i32::MAX)),
        "bigint" => integer_input(value, i64::MIN, i64::MAX),
        "numeric" | "real" | "double precision" => Ok(number_input(value)),
        "boolean" => Ok(boolean_input(value)),
        "uuid" => Ok(uuid_input(value)),
        "json" | "jsonb" => {
            return (!json_input(value)).then(|| "invalid input syntax for type json".to_owned());
        }
        "date" | "timestamp without time zone" | "timestamp with time zone"
            if matches!(value, "0000-00-00" | "0000-00-00 00:00:00") =>
        {
            return Some(format!("date/time field value out of range: \"{value}\""));
        }
        "date" | "timestamp without time zone" | "timestamp with time zone" => {
            Ok(date_input(value))
        }
        "time without time zone" | "time with time zone" | "interval" => {
            Ok(!value.trim_matches(PG_SPACE).is_empty())
        }
        // An address without a digit is one only with a `:` (IPv6's `::`, `abcd::`).
        "inet" | "cidr" => Ok(value.contains(|c: char| c.is_ascii_digit() || c == ':')),
        _ => return None,
    };
    let name = match &*ty {
        "timestamp without time zone" => "timestamp",
        "time without time zone" => "time",
        other => other,
    };
    match valid {
        Ok(true) => None,
        Ok(false) => Some(format!("invalid input syntax for type {name}: \"{value}\"")),
        Err(()) => Some(format!("value \"{value}\" is out of range for type {name}")),
    }
}

/// Whether `value` may be a date or a timestamp as PostgreSQL reads one whatever its
/// `DateStyle` and time zone settings: not blank, and with a digit or one of the special words
/// (`today`, `tomorrow`, `yesterday`, `now`, `epoch`, `infinity`: every other date is written
/// with numbers; `'now()'` is read as `now`). A value with digits is taken (its reading
/// depends on the settings), as is MySQL's zero date's refusal, judged before.
fn date_input(value: &str) -> bool {
    const SPECIAL: [&str; 6] = ["today", "tomorrow", "yesterday", "now", "epoch", "infinity"];
    let lower = value.trim_matches(PG_SPACE).to_ascii_lowercase();
    !lower.is_empty()
        && (lower.contains(|c: char| c.is_ascii_digit())
            || SPECIAL.iter().any(|w| lower.contains(w)))
}

/// Whether `value` may be JSON text as PostgreSQL's `json` and `jsonb` read it (RFC 8259, as
/// serde_json reads it). What serde_json refuses and PostgreSQL may take is taken: nesting
/// deeper than serde_json's limit, numbers beyond a double's range (`1e400`), and a lone
/// surrogate escape (`"\ud800"`: `json` takes it, `jsonb` does not; `jsonb` also refuses
/// `\u0000`, which is taken here too).
fn json_input(value: &str) -> bool {
    use serde_json::error::Category;
    let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(value) else {
        return true;
    };
    let message = e.to_string();
    !matches!(e.classify(), Category::Syntax | Category::Eof)
        || message.starts_with("recursion limit exceeded")
        || message.starts_with("number out of range")
        || message.contains("surrogate")
}

/// The blanks PostgreSQL's input functions skip (C's `isspace`).
const PG_SPACE: [char; 6] = [' ', '\t', '\n', '\r', '\x0B', '\x0C'];

/// Whether `value` may be a number as some supported PostgreSQL version reads one for
/// `numeric`, `real` or `double precision`: blanks around it, a sign, then digits with a point
/// and an exponent (`1.5e3`, `.5`, `5.`), `NaN`, `Infinity` or `inf` in any case; PostgreSQL
/// 16's `_` between digits and `0x` / `0o` / `0b` prefixes (and C's hexadecimal floats) are
/// taken as numbers, not judged.
fn number_input(value: &str) -> bool {
    let trimmed = value.trim_matches(PG_SPACE);
    let body = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity")
        || ["0x", "0o", "0b"].iter().any(|p| lower.starts_with(p))
    {
        return true;
    }
    decimal_number(body, true)
}

/// Whether `value` is an integer as PostgreSQL reads one (`Err` when it is one out of
/// `min..=max`). Blanks around it and a sign are allowed; so are PostgreSQL 16's forms
/// (`0x`, `0o`, `0b` prefixes, `_` between digits), whose range is not checked.
fn integer_input(value: &str, min: i64, max: i64) -> Result<bool, ()> {
    let trimmed = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = trimmed
        .strip_prefix(['+', '-'])
        .unwrap_or(trimmed)
        .as_bytes();
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        return match trimmed.parse::<i128>() {
            Ok(n) if (i128::from(min)..=i128::from(max)).contains(&n) => Ok(true),
            _ => Err(()),
        };
    }
    let (radix, body): (u32, &[u8]) = match digits {
        [b'0', b'x' | b'X', rest @ ..] => (16, rest),
        [b'0', b'o' | b'O', rest @ ..] => (8, rest),
        [b'0', b'b' | b'B', rest @ ..] => (2, rest),
        _ => (10, digits),
    };
    let digit = |b: &u8| char::from(*b).is_digit(radix);
    // PostgreSQL 16: underscores only between digits.
    let ok = !body.is_empty()
        && body
            .split(|b| *b == b'_')
            .all(|g| !g.is_empty() && g.iter().all(digit));
    Ok(ok)
}

/// Whether `value` is a boolean as PostgreSQL's `boolin` reads one: blanks around it, any
/// case, `true` / `false` / `yes` / `no` or a prefix of one (`t`, `fa`; `o` alone is
/// ambiguous), `on`, `off` (or `of`), `1`, `0`.
fn boolean_input(value: &str) -> bool {
    let word = value
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase();
    let prefix_of = |full: &str| !word.is_empty() && full.starts_with(word.as_str());
    prefix_of("true")
        || prefix_of("false")
        || prefix_of("yes")
        || prefix_of("no")
        || (word.len() >= 2 && (prefix_of("on") || prefix_of("off")))
        || word == "1"
        || word == "0"
}

/// Whether `value` is a uuid as PostgreSQL's `uuid_in` reads one: 32 hexadecimal digits, a
/// `-` allowed after any group of four, the whole optionally in braces; no blanks.
fn uuid_input(value: &str) -> bool {
    let bytes = value.as_bytes();
    let braced = bytes.first() == Some(&b'{');
    let mut i = usize::from(braced);
    for n in 0..16 {
        let hex = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(i) && hex(i + 1)) {
            return false;
        }
        i += 2;
        if n % 2 == 1 && n < 15 && bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    if braced {
        if bytes.get(i) != Some(&b'}') {
            return false;
        }
        i += 1;
    }
    i == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers PostgreSQL 15 gave to `ALTER COLUMN c TYPE to` (no USING) on a column of type
    /// `from`; the table was checked against all 2,116 pairs of 46 types (scalars, arrays,
    /// modifiers) when it was written.
    /// `pg_get_keywords()` of PostgreSQL 15, categories R and T, sorted for the binary search.
    #[test]
    fn reserved_as_name_is_sorted_and_complete() {
        assert!(RESERVED_AS_NAME.windows(2).all(|w| w[0] < w[1]));
        assert!(COLUMN_NAME_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_reserved_keyword("int") && is_reserved_keyword("order"));
        assert!(is_reserved_keyword("system_user") && !is_reserved_keyword("key"));
        assert_eq!(RESERVED_AS_NAME.len(), 100);
        for word in [
            "order",
            "USER",
            "Group",
            "left",
            "verbose",
            "current_timestamp",
        ] {
            assert!(is_reserved_as_name(word), "{word}");
        }
        for word in [
            "key", "type", "name", "value", "position", "int", "order1", "",
        ] {
            assert!(!is_reserved_as_name(word), "{word}");
        }
        let longest = RESERVED_AS_NAME
            .iter()
            .chain(COLUMN_NAME_KEYWORDS)
            .map(|w| w.len());
        assert_eq!(longest.max(), Some(KEYWORD_MAX));
        // The first-letter-and-length filter lets every keyword through, in any case.
        for word in RESERVED_AS_NAME {
            assert!(
                is_reserved_as_name(word) && is_reserved_keyword(word),
                "{word}"
            );
            assert!(is_reserved_as_name(&word.to_uppercase()), "{word}");
        }
        for word in COLUMN_NAME_KEYWORDS {
            assert!(
                is_reserved_keyword(word) && !is_reserved_as_name(word),
                "{word}"
            );
            assert!(is_reserved_keyword(&word.to_uppercase()), "{word}");
        }
    }

    #[test]
    fn assignment_casts_as_postgresql_answers() {
        for (from, to, ok) in [
            ("text", "integer", false),
            ("character varying(20)", "numeric(10,2)", false),
            ("integer", "text", true),
            ("uuid", "character(5)", true),
            ("integer", "boolean", false),
            ("boolean", "integer", false),
            ("numeric(10,2)", "integer", true),
            ("bigint", "money", true),
            ("money", "integer", false),
            ("text", "\"char\"", true),
            ("name", "\"char\"", false),
            ("timestamp(3) with time zone", "date", true),
            ("date", "time without time zone", false),
            ("time(2) without time zone", "interval", true),
            ("json", "jsonb", true),
            ("text", "jsonb", false),
            ("inet", "cidr", true),
            ("integer[]", "bigint[]", true),
            ("text[]", "integer[]", false),
            ("integer[]", "text", true),
            ("text", "text[]", false),
            ("integer", "integer[]", false),
            ("bit(1)", "bit(5)", true),
            ("integer", "bit(5)", false),
        ] {
            assert_eq!(assignment_castable(from, to), Some(ok), "{from} -> {to}");
        }
        assert_eq!(assignment_castable("mood", "text"), None);
        assert_eq!(assignment_castable("text", "public.mood"), None);
        assert_eq!(assignment_castable("citext", "integer"), None);
        assert_eq!(without_modifiers("numeric(10,2)[]"), "numeric[]");
        assert_eq!(
            without_modifiers("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(
            without_modifiers(" character\tvarying (20) "),
            "character varying"
        );
        assert_eq!(without_modifiers("double  precision"), "double precision");
        // Most types are already in that form: borrowed, not copied.
        assert!(matches!(
            without_modifiers("timestamp with time zone"),
            Cow::Borrowed(_)
        ));
    }

    fn c(name: &str, m: &[&str]) -> Option<String> {
        canonical_builtin(
            name,
            &m.iter().map(|s| (*s).to_string()).collect::<Vec<_>>(),
            None,
        )
    }

    #[test]
    fn spells_like_format_type() {
        assert_eq!(c("INT4", &[]).as_deref(), Some("integer"));
        assert_eq!(
            c("varchar", &["255"]).as_deref(),
            Some("character varying(255)")
        );
        assert_eq!(c("numeric", &["10", "2"]).as_deref(), Some("numeric(10,2)"));
        assert_eq!(c("decimal", &["20"]).as_deref(), Some("numeric(20,0)"));
        assert_eq!(
            c("timestamptz", &[]).as_deref(),
            Some("timestamp with time zone")
        );
        assert_eq!(
            c("timestamp", &["3"]).as_deref(),
            Some("timestamp(3) without time zone")
        );
        assert_eq!(c("char", &[]).as_deref(), Some("character(1)"));
        assert_eq!(c("float", &["10"]).as_deref(), Some("real"));
        assert_eq!(c("mood", &[]), None);
    }

    #[test]
    fn only_canonical_builtins_are_judged_different() {
        assert!(surely_different("integer", "bigint"));
        assert!(surely_different("text[]", "text"));
        assert!(!surely_different("integer", "integer"));
        for (a, b) in [
            ("text", "character varying(10)"),
            ("text", "mood"),
            ("public.mood", "mood"),
            ("int4", "integer"),
        ] {
            assert!(!surely_different(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        assert!(is_reserved_keyword("user"));
        assert!(is_reserved_keyword("order"));
        assert!(!is_reserved_keyword("users"));
    }

    #[test]
    fn fk_compatibility_follows_postgres() {
        assert_eq!(fk_compatible("integer", "bigint"), FkCompat::Compatible);
        for t in [
            "uuid",
            "text",
            "int4",
            "timestamptz",
            "varchar",
            "bpchar",
            "bool",
            "serial",
        ] {
            assert!(is_quoted_catalog_type(t), "{t}");
        }
        for t in [
            "integer",
            "boolean",
            "Serial",
            "Text",
            "UUID",
            "double precision",
            "citext",
        ] {
            assert!(!is_quoted_catalog_type(t), "{t}");
        }
        assert_eq!(fk_compatible("text", "uuid"), FkCompat::Incompatible);
        assert_eq!(
            fk_compatible("character varying(20)", "text"),
            FkCompat::Compatible
        );
        assert_eq!(
            fk_compatible("integer", "numeric(10,0)"),
            FkCompat::Compatible
        );
        assert_eq!(fk_compatible("numeric", "integer"), FkCompat::Incompatible);
        assert_eq!(fk_compatible("uuid", "mood"), FkCompat::Unknown);
        assert_eq!(
            fk_compatible("timestamp with time zone", "timestamp without time zone"),
            FkCompat::Compatible
        );
    }

    /// Checked against PostgreSQL 15 (`SELECT pg_typeof(n)`).
    #[test]
    fn number_constants_are_typed_as_postgresql_types_them() {
        let ty = number_constant_type;
        assert_eq!(ty("0", false), Some("integer"));
        assert_eq!(ty("2147483647", false), Some("integer"));
        assert_eq!(ty("2147483648", false), Some("bigint"));
        assert_eq!(ty("2147483648", true), Some("integer"));
        assert_eq!(ty("2147483649", true), Some("bigint"));
        assert_eq!(ty("9223372036854775808", true), Some("bigint"));
        assert_eq!(ty("9223372036854775808", false), Some("numeric"));
        assert_eq!(
            ty("99999999999999999999999999999999999999999", false),
            Some("numeric")
        );
        for n in ["1.5", ".5", "5.", "1e3", "1E-3", "2.5e+10"] {
            assert_eq!(ty(n, false), Some("numeric"), "{n}");
        }
        for n in ["0x1F", "1_000", "", ".", "1e", "e3", "1.2.3", "1e3.5"] {
            assert_eq!(ty(n, false), None, "{n}");
        }
    }

    /// PostgreSQL 15's answers (`SELECT '...'::json`), JSON text and not.
    #[test]
    fn json_input_is_postgresql_s() {
        let cases: &[(&str, bool)] = &[
            ("", false),
            (" ", false),
            ("x", false),
            ("abc", false),
            ("{}", true),
            ("[]", true),
            ("true", true),
            ("TRUE", false),
            ("null", true),
            ("1", true),
            ("-0", true),
            ("01", false),
            ("1.", false),
            (".5", false),
            ("1e400", true),
            ("-1e400", true),
            ("NaN", false),
            ("\"a\"", true),
            ("\"\\ud800\"", true),
            ("\"\\udc00\"", true),
            ("\"\\ud83d\\ude00\"", true),
            ("\"\\u0000\"", true),
            ("{\"a\":1,}", false),
            ("[1,]", false),
            ("{\"a\" 1}", false),
            ("'single'", false),
            (
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                true,
            ),
            ("1 2", false),
            ("\"tab\there\"", false),
            ("{\"a\":1}{\"b\":2}", false),
            ("\u{feff}{}", false),
            (" {} ", true),
            ("{\"a\":1, \"a\":2}", true),
            ("[1e5, 2E-3, -0.0]", true),
            ("\"\\x\"", false),
            ("\"\\/\"", true),
            ("\n[1]\n", true),
            ("1,299.00", false),
            ("{\"k\": [1, 2, {\"x\": null}]}", true),
            ("tru", false),
            ("[\"\\u00e9\"]", true),
            ("1e", false),
            ("-", false),
            ("[1 2]", false),
            ("{a:1}", false),
        ];
        for (value, valid) in cases {
            assert_eq!(json_input(value), *valid, "{value:?}");
            assert_eq!(
                input_error("jsonb", value).is_none(),
                *valid || value.contains("\\ud8") || value.contains("\\udc"),
                "{value:?}"
            );
        }
    }

    /// Checked against PostgreSQL 15 (`SELECT 'v'::type`), and PostgreSQL 16's integer forms
    /// left unclaimed.
    #[test]
    fn input_errors_are_postgresql_s() {
        for (ty, value, error) in [
            ("numeric(10,2)", " 1.5e3 ", None),
            ("numeric", "-.5", None),
            ("numeric", "5.", None),
            ("numeric", "NaN", None),
            ("numeric", "-Infinity", None),
            ("real", "inf", None),
            ("double precision", "0x1p3", None),
            ("numeric", "1_000", None),
            (
                "numeric(10,2)",
                "",
                Some("invalid input syntax for type numeric: \"\""),
            ),
            (
                "numeric",
                "abc",
                Some("invalid input syntax for type numeric: \"abc\""),
            ),
            (
                "numeric",
                "1,5",
                Some("invalid input syntax for type numeric: \"1,5\""),
            ),
            (
                "numeric",
                "$5",
                Some("invalid input syntax for type numeric: \"$5\""),
            ),
            (
                "numeric",
                "1e",
                Some("invalid input syntax for type numeric: \"1e\""),
            ),
            (
                "numeric",
                "1.2.3",
                Some("invalid input syntax for type numeric: \"1.2.3\""),
            ),
            (
                "numeric",
                ".",
                Some("invalid input syntax for type numeric: \".\""),
            ),
            (
                "real",
                "x",
                Some("invalid input syntax for type real: \"x\""),
            ),
            (
                "double precision",
                "",
                Some("invalid input syntax for type double precision: \"\""),
            ),
            ("date", "2024-01-01", None),
            ("timestamp with time zone", "now", None),
            ("date", "today", None),
            (
                "timestamp with time zone",
                "",
                Some("invalid input syntax for type timestamp with time zone: \"\""),
            ),
            (
                "timestamp without time zone",
                " ",
                Some("invalid input syntax for type timestamp: \" \""),
            ),
            (
                "time without time zone",
                "",
                Some("invalid input syntax for type time: \"\""),
            ),
            (
                "time with time zone",
                "",
                Some("invalid input syntax for type time with time zone: \"\""),
            ),
            (
                "interval",
                "",
                Some("invalid input syntax for type interval: \"\""),
            ),
            (
                "date",
                "0000-00-00 00:00:00",
                Some("date/time field value out of range: \"0000-00-00 00:00:00\""),
            ),
            (
                "timestamp with time zone",
                "0000-00-00",
                Some("date/time field value out of range: \"0000-00-00\""),
            ),
            ("integer[]", " {1,2}", None),
            ("text[]", "[1:1]={a}", None),
            ("text[]", "{}", None),
            ("mood[]", "b", Some("malformed array literal: \"b\"")),
            ("integer[]", "", Some("malformed array literal: \"\"")),
            ("integer", " 42 ", None),
            ("integer", "-2147483648", None),
            ("integer", "+7", None),
            ("integer", "0x1F", None),
            ("integer", "1_000", None),
            (
                "integer",
                "",
                Some("invalid input syntax for type integer: \"\""),
            ),
            (
                "integer",
                "x",
                Some("invalid input syntax for type integer: \"x\""),
            ),
            (
                "integer",
                "1.5",
                Some("invalid input syntax for type integer: \"1.5\""),
            ),
            (
                "integer",
                "1__0",
                Some("invalid input syntax for type integer: \"1__0\""),
            ),
            (
                "integer",
                "_1",
                Some("invalid input syntax for type integer: \"_1\""),
            ),
            (
                "integer",
                "2147483648",
                Some("value \"2147483648\" is out of range for type integer"),
            ),
            (
                "smallint",
                "40000",
                Some("value \"40000\" is out of range for type smallint"),
            ),
            ("bigint", "9223372036854775807", None),
            (
                "bigint",
                "9223372036854775808",
                Some("value \"9223372036854775808\" is out of range for type bigint"),
            ),
            ("boolean", "t", None),
            ("boolean", " FALSE ", None),
            ("boolean", "ye", None),
            ("boolean", "of", None),
            ("boolean", "1", None),
            (
                "boolean",
                "o",
                Some("invalid input syntax for type boolean: \"o\""),
            ),
            (
                "boolean",
                "",
                Some("invalid input syntax for type boolean: \"\""),
            ),
            (
                "boolean",
                "10",
                Some("invalid input syntax for type boolean: \"10\""),
            ),
            (
                "boolean",
                "truee",
                Some("invalid input syntax for type boolean: \"truee\""),
            ),
            ("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", None),
            ("uuid", "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}", None),
            ("uuid", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", None),
            ("uuid", "", Some("invalid input syntax for type uuid: \"\"")),
            (
                "uuid",
                " a0eebc999c0b4ef8bb6d6bb9bd380a11",
                Some("invalid input syntax for type uuid: \" a0eebc999c0b4ef8bb6d6bb9bd380a11\""),
            ),
            (
                "uuid",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
                Some("invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\""),
            ),
            (
                "uuid",
                "a0e-ebc999c0b4ef8bb6d6bb9bd380a11",
                Some("invalid input syntax for type uuid: \"a0e-ebc999c0b4ef8bb6d6bb9bd380a11\""),
            ),
            ("text", "anything", None),
            (
                "date",
                "not a date",
                Some("invalid input syntax for type date: \"not a date\""),
            ),
            (
                "timestamp with time zone",
                "N/A",
                Some("invalid input syntax for type timestamp with time zone: \"N/A\""),
            ),
            (
                "timestamp without time zone",
                "{}",
                Some("invalid input syntax for type timestamp: \"{}\""),
            ),
            ("date", " Tomorrow ", None),
            ("date", "now()", None),
            ("timestamp with time zone", "today UTC", None),
            ("date", "-infinity", None),
            ("date", "01/02/2024", None),
            ("date", "Jan 5 99", None),
            (
                "inet",
                "localhost",
                Some("invalid input syntax for type inet: \"localhost\""),
            ),
            (
                "cidr",
                "x",
                Some("invalid input syntax for type cidr: \"x\""),
            ),
            ("inet", "::", None),
            ("inet", "abcd::", None),
            ("inet", "10.0.0.1/8", None),
            ("inet", "999.1.1.1", None),
        ] {
            assert_eq!(input_error(ty, value).as_deref(), error, "{ty} {value:?}");
        }
    }

    #[test]
    fn builtin_values_have_their_types() {
        for (text, ty) in [
            ("now()", Some("timestamp with time zone")),
            ("NOW()", Some("timestamp with time zone")),
            ("pg_catalog.now()", Some("timestamp with time zone")),
            ("CURRENT_TIMESTAMP", Some("timestamp with time zone")),
            ("CURRENT_DATE", Some("date")),
            ("LOCALTIMESTAMP", Some("timestamp without time zone")),
            ("gen_random_uuid()", Some("uuid")),
            ("TRUE", Some("boolean")),
            ("now() + interval '1 day'", None),
            ("CURRENT_TIMESTAMP(3)", None),
            ("public.now()", None),
            ("uuid_generate_v4()", None),
        ] {
            assert_eq!(builtin_value_type(text), ty, "{text}");
        }
    }

    /// Some pairs of PostgreSQL 15's answers (`SELECT NULL::from::to`); the whole 31 x 31
    /// table was compared when the function was written.
    #[test]
    fn explicit_casts_are_postgresql_s() {
        for (from, to, castable) in [
            ("bigint", "boolean", false),
            ("integer", "boolean", true),
            ("boolean", "integer", true),
            ("inet", "integer", false),
            ("inet", "numeric", false),
            ("date", "boolean", false),
            ("text", "uuid", true),
            ("name", "inet", true),
            ("uuid", "text", true),
            ("jsonb", "integer", true),
            ("json", "integer", false),
            ("timestamp with time zone", "date", true),
            ("numeric(10,2)", "bigint", true),
            ("bigint", "uuid", false),
        ] {
            assert_eq!(
                explicit_castable(from, to),
                Some(castable),
                "{from} -> {to}"
            );
        }
        assert_eq!(explicit_castable("mood", "integer"), None);
        assert_eq!(explicit_castable("text[]", "integer"), None);
    }
}
