//! Stage 3 (model): the intermediate representation. `lower.rs` turns each parsed statement
//! into one [`Change`] in these terms (names already case-folded, positions already file
//! spans); `replay.rs` applies them. Nothing here depends on sqlparser.

use super::catalog::Name;
use crate::span::Span;

/// A function's declared volatility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Volatility {
    Immutable,
    Stable,
    #[default]
    Volatile,
}

impl Volatility {
    /// As PostgreSQL's `CREATE FUNCTION` spells it, lowercase.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Volatility::Immutable => "immutable",
            Volatility::Stable => "stable",
            Volatility::Volatile => "volatile",
        }
    }
}

/// A possibly schema-qualified object name as written, case-folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjName {
    pub schema: Option<Name>,
    pub name: Name,
    pub span: Span,
}

/// A column name as written, case-folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColName {
    pub name: Name,
    pub span: Span,
}

/// A column type as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    /// PostgreSQL's canonical spelling for builtins (`integer`, `character varying(20)`), or
    /// the user type's folded name (schema resolution happens at replay).
    pub text: Name,
    /// For a non-builtin type: its name, to resolve against created types.
    pub user: Option<ObjName>,
    /// Array dimensions (`text[]` = 1).
    pub array: usize,
    /// `serial` / `bigserial` / `smallserial`: implies NOT NULL and a sequence default.
    pub serial: bool,
    pub span: Span,
}

/// A default written as the null constant, and the types of the casts around it (none for a
/// bare `NULL`). PostgreSQL stores no default for it when the cooked expression is still a
/// constant: the column's type has no modifier and is no domain, and every cast is to that type
/// (replay decides, knowing the column's type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NullConstant {
    pub casts: Vec<TypeRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: ColName,
    pub ty: TypeRef,
    pub not_null: bool,
    pub default: Option<Name>,
    /// The default is the null constant: `NULL`, `(NULL)`, `NULL::t`, `CAST(NULL AS t)`, with
    /// the types it is cast to (see [`NullConstant`]).
    pub default_null: Option<NullConstant>,
    /// The functions the default or generation expression calls (see [`Calls`]).
    pub calls: Calls,
    /// The SQL value functions a generation expression uses (see [`ValueFunctions`]).
    pub value_functions: ValueFunctions,
    /// The casts of the table's columns a generation expression makes.
    pub casts: Vec<ColumnCast>,
    /// The relations the default names by `regclass` constants (`nextval('s')`,
    /// `'s'::regclass`): PostgreSQL looks them up when the default is created and depends on
    /// the relation found, not on its name.
    pub regclass: Vec<ObjName>,
    /// GENERATED ... AS IDENTITY.
    pub identity: bool,
    /// GENERATED ALWAYS (an identity or a stored expression).
    pub always: super::catalog::GeneratedAlways,
    /// The plain names the default or generation expression uses as columns: a generation
    /// expression's must be the table's columns; a default may use none (PostgreSQL: `cannot
    /// use column reference in DEFAULT expression`).
    pub expr_columns: Vec<ColName>,
    /// Inline constraints (PRIMARY KEY, UNIQUE, REFERENCES, CHECK) with this column filled in.
    pub constraints: Vec<ConstraintDef>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintDef {
    pub name: Option<Name>,
    pub kind: ConstraintKind,
    pub span: Span,
    /// `PRIMARY KEY (...) INCLUDE (...)` / `UNIQUE (...) INCLUDE (...)`: columns the index
    /// carries but the key does not (they count in the automatic name).
    pub include: Vec<ColName>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    PrimaryKey(Vec<ColName>),
    Unique(Vec<ColName>),
    /// `columns` are the columns the expression mentions (for PostgreSQL's auto-naming, which
    /// counts them whether the check is written on a column or on the table, and for what a
    /// DROP COLUMN drops).
    Check {
        expr: String,
        columns: Vec<Name>,
        calls: Calls,
        constants: Constants,
        /// `NO INHERIT`: the tables that inherit from this one do not get it.
        no_inherit: bool,
    },
    ForeignKey(FkDef),
    /// `UNIQUE USING INDEX i` / `PRIMARY KEY USING INDEX i`: an existing index becomes the
    /// constraint.
    UsingIndex {
        primary: bool,
        index: String,
    },
    /// `EXCLUDE [USING method] (element WITH operator, ...) [INCLUDE (...)] [WHERE (...)]`:
    /// an index-backed constraint.
    Exclude(ExcludeDef),
    /// Others we do not model beyond their name.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludeDef {
    /// Each element: a plain column, or `None` for an expression.
    pub columns: Vec<Option<ColName>>,
    /// Each element as written (`room`, `lower(name)`), then the INCLUDE columns: what
    /// PostgreSQL names the constraint after (an expression counts as `expr`).
    pub name_parts: Vec<String>,
    /// Every column the elements, INCLUDE and WHERE mention: each must exist, and dropping
    /// one drops the constraint.
    pub mentions: Vec<ColName>,
    /// `USING method`, lowercase (`gist` when written so); `None` for the default (btree).
    pub method: Option<String>,
    pub partial: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FkDef {
    pub columns: Vec<ColName>,
    pub target: ObjName,
    /// Empty: the target's primary key.
    pub target_columns: Vec<ColName>,
    pub on_delete: Name,
    pub on_update: Name,
    pub not_valid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKindDef {
    Table,
    Partitioned,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDef {
    pub name: ObjName,
    pub if_not_exists: bool,
    pub kind: TableKindDef,
    pub temporary: bool,
    /// `ON COMMIT DROP` (a temporary table that ends with its transaction).
    pub on_commit_drop: bool,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<ConstraintDef>,
    pub partition_of: Option<ObjName>,
    pub inherits: Vec<ObjName>,
    /// `LIKE source [INCLUDING ...]` elements, with their upper-cased options.
    pub like: Vec<(ObjName, Vec<String>)>,
    /// CREATE TABLE ... AS SELECT: the relations it reads and its output column names (`None`
    /// when they cannot all be named: `SELECT *`, an unnamed expression).
    pub as_query: Option<(QueryRefs, Option<Vec<Name>>)>,
    /// CREATE TABLE ... AS `SELECT * FROM source` (one relation, no join, alias columns or
    /// CTE): the new table's columns are the source's.
    pub as_star_of: Option<ObjName>,
    /// `PARTITION BY ...`: the columns its key uses, and whether the key is plain columns only
    /// (`LIST (a)`, `RANGE (a, b)`; not an expression).
    pub partition_key: Vec<Name>,
    pub partition_key_plain: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlterAction {
    AddColumn {
        def: ColumnDef,
        if_not_exists: bool,
    },
    DropColumn {
        name: ColName,
        if_exists: bool,
        cascade: bool,
    },
    RenameColumn {
        from: ColName,
        to: ColName,
    },
    SetType {
        column: ColName,
        ty: TypeRef,
        /// A `USING` expression converts the old values (not the default).
        using: bool,
        /// The casts of the table's columns in the `USING` expression (`c::uuid`).
        casts: Vec<ColumnCast>,
    },
    SetNotNull(ColName),
    DropNotNull(ColName),
    SetDefault {
        column: ColName,
        expr: String,
        /// As [`ColumnDef::default_null`].
        null: Option<NullConstant>,
        calls: Calls,
        regclass: Vec<ObjName>,
        /// As [`ColumnDef::expr_columns`]: a default may use none.
        expr_columns: Vec<ColName>,
    },
    DropDefault(ColName),
    /// `ADD GENERATED ... AS IDENTITY`, with the sequence's name when `SEQUENCE NAME` gives it.
    AddIdentity {
        column: ColName,
        sequence: Option<ObjName>,
        /// `GENERATED ALWAYS`.
        always: bool,
    },
    AddConstraint(ConstraintDef),
    DropConstraint {
        name: Name,
        if_exists: bool,
        cascade: bool,
        span: Span,
    },
    RenameConstraint {
        from: Name,
        to: Name,
        span: Span,
    },
    ValidateConstraint {
        name: Name,
        span: Span,
    },
    RenameTable(ObjName),
    /// `ALTER COLUMN c RESTART` / `SET GENERATED ...`: the column must be an identity column.
    IdentityOption {
        column: ColName,
        /// `SET GENERATED ALWAYS` (true) or `BY DEFAULT` (false); `None` for `RESTART`.
        always: Option<bool>,
    },
    /// `ALTER COLUMN c DROP IDENTITY [IF EXISTS]`.
    DropIdentity {
        column: ColName,
        if_exists: bool,
    },
    /// `ALTER COLUMN c DROP EXPRESSION [IF EXISTS]`: a stored generated column becomes a plain
    /// one (read by `parse/sequence.rs`).
    DropExpression {
        column: ColName,
        if_exists: bool,
    },
    /// `ALTER COLUMN c SET STATISTICS / STORAGE / COMPRESSION / (n_distinct = ..)` and `RESET
    /// (..)`: storage and planner settings only; the column must exist.
    ColumnStorage(ColName),
    /// `SET SCHEMA schema`: the relation, its indexes and owned sequences move there.
    SetSchema {
        schema: Name,
        span: Span,
    },
    EnableRls,
    DisableRls,
    ReplicaIdentity(super::catalog::ReplicaIdentity),
    /// `ENABLE` / `DISABLE [ALWAYS | REPLICA] TRIGGER name` (not `ALL` / `USER`).
    TriggerState(ColName),
    AttachPartition(ObjName),
    DetachPartition(ObjName),
    Inherit(ObjName),
    NoInherit(ObjName),
    /// Something we accept but that does not change the modelled catalog.
    Other,
}

/// The object type an ALTER statement names: PostgreSQL's `ALTER TABLE` accepts any relation
/// (a view, a sequence...), `ALTER VIEW` only a view, `ALTER MATERIALIZED VIEW` only one of those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlterTarget {
    Table,
    View,
    MaterializedView,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropKind {
    Table,
    View,
    MaterializedView,
    Index,
    Type,
    Domain,
    Schema,
    Sequence,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    pub name: Option<ObjName>,
    pub table: ObjName,
    /// `ON ONLY table`: a partitioned table's index without its partitions' indexes.
    pub only: bool,
    pub unique: bool,
    pub if_not_exists: bool,
    pub concurrently: bool,
    /// Plain columns are `Some`; expressions `None` (their column mentions are in `mentions`).
    pub columns: Vec<Option<ColName>>,
    /// Each element as written (`email`, `lower(email)`).
    pub elements: Vec<Name>,
    /// Each element as PostgreSQL names the index after it (`email`, `lower`, `expr`), then
    /// the INCLUDE columns (`ChooseIndexColumnNames` takes both).
    pub names: Vec<Name>,
    /// `INCLUDE (...)` columns.
    pub include: Vec<ColName>,
    pub mentions: Vec<ColName>,
    pub partial: bool,
    /// The functions its expressions and predicate call.
    pub calls: Calls,
    /// The functions its predicate calls (PostgreSQL checks the predicate's first: `functions
    /// in index predicate must be marked IMMUTABLE`).
    pub predicate_calls: Calls,
    /// The SQL value functions its expressions and its predicate use.
    pub value_functions: [ValueFunctions; 2],
    /// The casts of the table's columns its expressions and its predicate make.
    pub casts: [Vec<ColumnCast>; 2],
    /// The columns its predicate compares with constants.
    pub predicate_constants: Constants,
    /// `USING method`, lowercase; `None` for the default (btree).
    pub method: Option<String>,
    /// Operator class per element, `None` for the default.
    pub opclasses: Vec<Option<String>>,
    /// Collation and direction per element.
    pub sorts: Vec<super::catalog::ElementSort>,
    /// The columns of a predicate that only says they are not null.
    pub not_null_predicate: Vec<Name>,
}

/// The functions an expression calls, sorted and without repeats. PostgreSQL records a
/// dependency on each function an expression resolves to: a view, policy, default, generated
/// column, check constraint, index or trigger condition goes with `DROP FUNCTION ... CASCADE`
/// and keeps the function from being dropped without it.
pub type Calls = Vec<Call>;

/// The SQL value functions an expression uses, as written: `CURRENT_TIMESTAMP`, `CURRENT_DATE`,
/// `LOCALTIME`, `CURRENT_USER`, `SESSION_USER`... (keywords, not calls of functions; PostgreSQL
/// counts all of them stable).
pub type ValueFunctions = Vec<ColName>;

/// A cast of a column of the table (`created_at::date`, `CAST(c AS text)`): to the type
/// `to`, as PostgreSQL spells it (`timestamp without time zone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnCast {
    pub column: ColName,
    pub to: Name,
}

/// A column compared with a constant outside subqueries (`status = 'paid'`, `deleted = 0`,
/// `id IN ('a', 'b')`, `n BETWEEN 1 AND 9`, `x IS DISTINCT FROM true`): PostgreSQL finds the
/// operator for the column's type and the constant's while it reads the statement, and reads
/// a string constant as a value of the column's type (an enum's label, a uuid...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstantUse {
    pub column: Name,
    pub constant: Constant,
    /// The operator PostgreSQL looks for (`=`, `<>`, `<`, `<=`, `>`, `>=`; `<>` for `NOT IN`,
    /// `>=` and `<=` for `BETWEEN`, `<` and `>` for `NOT BETWEEN`, `=` for `IS DISTINCT FROM`).
    pub op: &'static str,
    /// Written before the column (`0 = deleted`): PostgreSQL names its type first.
    pub first: bool,
    /// An item of an `IN` list: PostgreSQL may compare the list's common type instead.
    pub listed: bool,
    /// The constant.
    pub span: Span,
}

/// A constant compared with a column (see [`ConstantUse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constant {
    /// A plain string literal (`'paid'`): of no type until PostgreSQL reads it as one.
    String(String),
    /// A number or a boolean, of the builtin type PostgreSQL gives it (`integer`, `bigint`,
    /// `numeric`, `boolean`).
    Typed(&'static str),
}

pub type Constants = Vec<ConstantUse>;

/// A function call: the name as written (`f`, `util.f`) and how many arguments it passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub name: ObjName,
    pub args: usize,
}

/// Relations and columns a query (or the query part of a statement) reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryRefs {
    pub relations: Vec<RelRef>,
    /// Qualified column references `alias.col` whose qualifier names a relation of the query.
    pub columns: Vec<ColumnRef>,
    /// Plain column references (output aliases left out), only collected when the query is flat:
    /// at least one relation, no subquery, CTE or function source. Each must then belong to one
    /// of the relations in scope (`relations` plus an UPDATE/DELETE target); readers that need
    /// the owner check that exactly one relation is in scope.
    pub plain_columns: Vec<ColName>,
    /// The functions the query calls (in expressions and as `FROM` sources): PostgreSQL's
    /// parse analysis finds each, and a view records a dependency on it.
    pub calls: Calls,
    /// The columns compared with constants (see [`ConstantUse`]), when the query is flat
    /// (as for `plain_columns`) with one relation in scope.
    pub constants: Constants,
    /// With two or more relations in scope (a join, an UPDATE ... FROM), the flat query's
    /// columns qualified by an alias (`p.archived = 0`) compared with constants, by alias:
    /// each alias names one relation of the query, in no subquery.
    pub qualified_constants: Vec<(Name, Constants)>,
    /// A column of a SQL value function's row that it does not have (`u.id` of `FROM user
    /// u`: PostgreSQL calls `current_user` there, one column named `u`).
    pub value_row_miss: Option<ColumnRef>,
    /// Comparisons of two qualified column references (as `columns`: each qualifier names
    /// one relation of the query), in the order written.
    pub comparisons: Vec<Comparison>,
}

/// `a.x = b.y` (or `<>`, `<`, `>`, `<=`, `>=`): PostgreSQL must find an operator for the two
/// columns' types while it reads the statement, whatever the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub left: ColumnRef,
    pub op: &'static str,
    pub right: ColumnRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelRef {
    pub name: ObjName,
    /// The alias, or the bare table name when there is none.
    pub alias: Name,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    pub qualifier: Name,
    pub column: ColName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictTarget {
    Columns(Vec<ColName>),
    Constraint(Name, Span),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    Table,
    Column,
    View,
    MaterializedView,
    Index,
    Type,
    Schema,
    Other,
}

/// What a `REINDEX` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReindexTarget {
    Index(ObjName),
    Table(ObjName),
    Schema(ColName),
    /// `DATABASE` or `SYSTEM`: the statement as PostgreSQL names it in its refusal
    /// (`REINDEX DATABASE`, `REINDEX SYSTEM`).
    Database(&'static str),
}

/// `ALTER SEQUENCE [IF EXISTS] name ...`, read by `parse::sequence` (sqlparser 0.64 cannot
/// parse ALTER SEQUENCE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterSequenceDef {
    pub name: ObjName,
    pub if_exists: bool,
    pub action: SequenceAction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceAction {
    /// `AS`, `INCREMENT`, `MINVALUE`, ..., `OWNED BY`, in the order written (at least one).
    Options(Vec<SequenceOption>),
    /// `OWNER TO role` (roles are not modelled).
    OwnerTo,
    /// `RENAME TO name`: the new name, folded.
    RenameTo { name: Name, span: Span },
    /// `SET SCHEMA schema`.
    SetSchema { schema: Name, span: Span },
    /// `SET LOGGED` (true) / `SET UNLOGGED` (false).
    SetLogged(bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceOption {
    pub kind: SequenceOptionKind,
    /// The whole option as written.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceOptionKind {
    /// `AS type`: `smallint`, `integer` or `bigint`; `None` for any other type (PostgreSQL
    /// rejects it).
    As(Option<&'static str>),
    Increment(i64),
    /// `MINVALUE n` / `NO MINVALUE` (`None`).
    MinValue(Option<i64>),
    /// `MAXVALUE n` / `NO MAXVALUE` (`None`).
    MaxValue(Option<i64>),
    Start(i64),
    /// `RESTART [[WITH] n]`.
    Restart(Option<i64>),
    Cache(i64),
    /// `CYCLE` (true) / `NO CYCLE` (false).
    Cycle(bool),
    OwnedBy(OwnedBy),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedBy {
    /// `OWNED BY NONE`.
    Nobody,
    /// `OWNED BY [schema.]table.column`.
    Column { table: ObjName, column: ColName },
    /// `OWNED BY name` with a single name other than NONE (PostgreSQL rejects it).
    Invalid,
}

/// A function as DROP / ALTER FUNCTION name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncRef {
    pub name: ObjName,
    /// The input argument types, or `None` when no list is written (`DROP FUNCTION f`: the
    /// only function of that name).
    pub args: Option<Vec<TypeRef>>,
}

/// Where `ALTER FUNCTION` moves a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuncMove {
    Rename(Name),
    SetSchema(Name),
}

/// What one statement does, in our vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreateSchema {
        name: Name,
        if_not_exists: bool,
        span: Span,
    },
    /// `ALTER SCHEMA name RENAME TO to`: everything in it moves along.
    RenameSchema {
        name: ObjName,
        to: Name,
    },
    SetSearchPath(Vec<Name>),
    ResetSearchPath,
    /// `SET LOCAL search_path ...` or `set_config('search_path', ..., true)`: the inner
    /// [`Change::SetSearchPath`] or [`Change::ResetSearchPath`], in force until the
    /// transaction block ends (none outside one: PostgreSQL warns and ignores it).
    SetLocal(Box<Change>),
    /// `SAVEPOINT name`.
    Savepoint(Name),
    /// `RELEASE [SAVEPOINT] name`.
    ReleaseSavepoint(Name),
    /// `ROLLBACK TO [SAVEPOINT] name`.
    RollbackTo(Name),
    /// While a CREATE SCHEMA's elements run, its schema leads the search_path.
    PushSearchPath(Name),
    PopSearchPath,
    /// `SET check_function_bodies = false` (pg_dump writes it): CREATE FUNCTION then skips
    /// what it would check in the body.
    CheckFunctionBodies(bool),
    Begin,
    Commit,
    Rollback,
    CreateTable(Box<TableDef>),
    AlterTable {
        table: ObjName,
        /// `ALTER TABLE` (any relation), `ALTER VIEW` or `ALTER MATERIALIZED VIEW`.
        target: AlterTarget,
        if_exists: bool,
        /// `ALTER TABLE ONLY t`: a key added to a partitioned table is not added to its
        /// partitions (pg_dump adds theirs and attaches them).
        only: bool,
        actions: Vec<AlterAction>,
    },
    Drop {
        kind: DropKind,
        names: Vec<ObjName>,
        if_exists: bool,
        cascade: bool,
        /// `DROP INDEX CONCURRENTLY`.
        concurrently: bool,
    },
    CreateIndex(Box<IndexDef>),
    AlterIndexRename {
        index: ObjName,
        to: Name,
        if_exists: bool,
    },
    CreateEnum {
        name: ObjName,
        values: Vec<String>,
    },
    AddEnumValue {
        name: ObjName,
        value: String,
        if_not_exists: bool,
        /// `BEFORE 'x'` (true) or `AFTER 'x'` (false).
        position: Option<(bool, String)>,
    },
    RenameEnumValue {
        name: ObjName,
        from: String,
        to: String,
    },
    /// `ALTER TYPE name RENAME TO to`.
    AlterTypeRename {
        name: ObjName,
        to: Name,
    },
    /// `ALTER TYPE name SET SCHEMA schema` (read through [`crate::parse::compat`]).
    AlterTypeSetSchema {
        name: ObjName,
        schema: Name,
        span: Span,
    },
    CreateDomain {
        name: ObjName,
        base: TypeRef,
    },
    CreateCompositeType {
        name: ObjName,
    },
    /// `CREATE TYPE name AS RANGE (SUBTYPE = t, [MULTIRANGE_TYPE_NAME = m, ] ...)`: PostgreSQL
    /// also makes the multirange type and the constructor functions.
    CreateRange {
        name: ObjName,
        subtype: TypeRef,
        multirange: Option<ObjName>,
    },
    CreateView {
        name: ObjName,
        materialized: bool,
        /// `CREATE TEMP VIEW`.
        temporary: bool,
        or_replace: bool,
        if_not_exists: bool,
        query: QueryRefs,
        /// The output column names, when all are known statically and no column list renames
        /// them (see `TableDef::as_query`).
        columns: Option<Vec<Name>>,
        /// `SELECT * FROM t` (plain, one table): PostgreSQL expands the star into every column
        /// `t` has then, and the view depends on each.
        star_of: Option<ObjName>,
    },
    CreateSequence {
        name: ObjName,
        if_not_exists: bool,
    },
    AlterSequence(Box<AlterSequenceDef>),
    CreateExtension {
        name: String,
        if_not_exists: bool,
    },
    CreateFunction {
        name: ObjName,
        or_replace: bool,
        /// The input argument types (IN, INOUT, VARIADIC): with the name, the function's
        /// identity. OUT arguments are not part of it.
        args: Vec<TypeRef>,
        /// The input arguments' names (`None` for an unnamed one), as `args`.
        arg_names: Vec<Option<Name>>,
        /// How many input arguments have a `DEFAULT` (the last ones), and whether the last is
        /// `VARIADIC`: how many arguments a call may pass.
        defaults: usize,
        variadic: bool,
        /// `RETURNS trigger`: `Some(true)`; another return type: `Some(false)`.
        returns_trigger: Option<bool>,
        /// `RETURNS [SETOF] type` (`true` for SETOF); `None` for `RETURNS TABLE`, OUT / INOUT
        /// parameters (their row type is not modelled) or no RETURNS clause.
        returns: Option<(TypeRef, bool)>,
        /// `LANGUAGE plpgsql`: its body is compiled at CREATE (with `check_function_bodies`).
        plpgsql: bool,
        /// `LANGUAGE c` or `internal`: a missing return type becomes a shell type (a NOTICE);
        /// in any other language it is an error.
        c_language: bool,
        /// `IMMUTABLE` / `STABLE` / `VOLATILE` (the default).
        volatility: Volatility,
        /// `LANGUAGE sql`, or a body in SQL-standard form (no LANGUAGE): PostgreSQL may inline
        /// such a function where it judges an expression's volatility.
        sql_language: bool,
        /// Relations read by a `LANGUAGE sql` body of plain queries / DML, which PostgreSQL
        /// checks at CREATE time (unless `check_function_bodies` is off). Empty for other bodies,
        /// and when `body_queries` holds them.
        body_relations: Vec<RelRef>,
        /// A `LANGUAGE sql` body of `SELECT`s only, of a function with no named argument (a
        /// name in the body can then only be a column): each query's relations and columns,
        /// all at the body's span. Empty for other bodies.
        body_queries: Vec<QueryRefs>,
    },
    /// `DROP FUNCTION f(args), ...`.
    DropFunction {
        functions: Vec<FuncRef>,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER FUNCTION f(args) RENAME TO name` / `SET SCHEMA schema`.
    MoveFunction {
        function: FuncRef,
        to: FuncMove,
    },
    /// Procedures and aggregates, created or dropped: the model does not hold them, but they
    /// share the functions' names, so these names become uncertain.
    OtherRoutines(Vec<ObjName>),
    /// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name ... ON table ... EXECUTE FUNCTION f(...)`.
    CreateTrigger {
        name: ColName,
        table: ObjName,
        /// The trigger function; the arguments written after it are strings passed to it, so
        /// PostgreSQL looks up `f()` without arguments.
        function: ObjName,
        or_replace: bool,
        /// `INSTEAD OF` (else BEFORE or AFTER).
        instead_of: bool,
        /// `FOR EACH ROW` (else FOR EACH STATEMENT, the default).
        row: bool,
        /// The functions its `WHEN` condition calls.
        calls: Calls,
        /// The table's columns its `WHEN` condition names (`OLD.c`, `NEW.c`).
        when_columns: Vec<ColName>,
        /// The columns its `WHEN` condition compares with constants.
        when_constants: Constants,
        /// `UPDATE OF` columns.
        update_of: Vec<ColName>,
    },
    DropTrigger {
        name: ColName,
        table: ObjName,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER TRIGGER name ON table RENAME TO to`.
    RenameTrigger {
        name: ColName,
        table: ObjName,
        to: Name,
    },
    Insert {
        table: ObjName,
        columns: Vec<ColName>,
        /// `OVERRIDING SYSTEM VALUE` or `OVERRIDING USER VALUE`.
        overriding: bool,
        on_conflict: Option<ConflictTarget>,
        query: QueryRefs,
        /// The rows as SQL text, one expression per column: the `VALUES` rows, or the
        /// projection of a plain `SELECT` source (aliases dropped). Used as type evidence.
        values: Vec<Vec<String>>,
        /// The statement writes rows whatever the data: `VALUES` or `DEFAULT VALUES` (a
        /// `SELECT` may return none).
        certain_rows: bool,
    },
    Update {
        table: RelRef,
        set: Vec<ColName>,
        query: QueryRefs,
        /// The assigned expression of each `set` column as SQL text (`None` inside a tuple
        /// assignment). Used as type evidence.
        values: Vec<Option<String>>,
    },
    Delete {
        table: RelRef,
        query: QueryRefs,
    },
    Truncate {
        tables: Vec<ObjName>,
    },
    Copy {
        table: ObjName,
        columns: Vec<ColName>,
    },
    Query(QueryRefs),
    Comment {
        kind: CommentKind,
        target: ObjName,
        column: Option<ColName>,
        if_exists: bool,
        /// The comment text; `None` for `IS NULL` (removes the comment).
        text: Option<String>,
    },
    /// `COMMENT ON FUNCTION f[(args)] IS ...`: the function must exist (found as `GRANT ... ON
    /// FUNCTION` finds it).
    CommentOnFunction(FuncRef),
    /// `ALTER FUNCTION f[(args)] OWNER TO / SECURITY DEFINER / IMMUTABLE / SET ...`: the
    /// function must exist. `volatility`: the last `IMMUTABLE` / `STABLE` / `VOLATILE` written.
    AlterFunction {
        function: FuncRef,
        volatility: Option<Volatility>,
    },
    /// `ALTER TYPE / DOMAIN name OWNER TO role` (read by `parse/dump_forms.rs`): the type
    /// must exist.
    TypeMustExist(ObjName),
    /// `REINDEX [(...)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] name` (read
    /// by `parse/dump_forms.rs`): what it names must exist, and PostgreSQL runs `CONCURRENTLY`,
    /// `SCHEMA`, `DATABASE` and `SYSTEM` only outside a transaction block and a function.
    Reindex {
        target: ReindexTarget,
        concurrently: bool,
    },
    /// `CLUSTER [VERBOSE] table` without an index (read by `parse/dump_forms.rs`): the table
    /// must exist.
    ClusterTable(ObjName),
    /// `CLUSTER [VERBOSE]` (every table clustered before): outside a transaction block only.
    ClusterAll,
    /// `COMMENT ON TRIGGER name ON table IS ...`: the trigger must exist on the table.
    CommentOnTrigger {
        name: ColName,
        table: ObjName,
    },
    /// `ALTER TABLE [IF EXISTS] [ONLY] table CLUSTER ON index`: the table must exist (unless
    /// `IF EXISTS`) and have the index (named in the table's schema).
    ClusterOn {
        table: ObjName,
        index: ObjName,
        if_exists: bool,
    },
    /// `ALTER TABLE t ALTER CONSTRAINT c [NOT] DEFERRABLE ...`: the constraint must exist and
    /// be a foreign key (read by `parse/dump_forms.rs`; its timing is not modelled).
    AlterConstraint {
        table: ObjName,
        name: Name,
        span: Span,
        if_exists: bool,
    },
    /// `ALTER INDEX index ATTACH PARTITION partition`: both indexes must exist.
    AttachIndex {
        index: ObjName,
        partition: ObjName,
    },
    /// `COMMENT ON CONSTRAINT name ON table IS ...`: the table must have the constraint.
    CommentOnConstraint {
        table: ObjName,
        name: Name,
        span: Span,
    },
    /// `COMMENT ON POLICY name ON table IS ...`: the policy must exist.
    CommentOnPolicy {
        table: ObjName,
        name: String,
    },
    CreatePolicy {
        table: ObjName,
        name: String,
        /// The functions its `USING` and its `WITH CHECK` expression call.
        calls: [Calls; 2],
        /// The table's columns each expression (`USING`, `WITH CHECK`) names outside
        /// subqueries: each must exist, and the policy depends on them.
        columns: [Vec<ColName>; 2],
        /// The columns the two expressions compare with constants.
        constants: Constants,
    },
    /// `ALTER POLICY name ON table ... USING (...) / WITH CHECK (...)`: new expressions (the
    /// calls of each clause written; `None` for a clause left as it was).
    AlterPolicyExpressions {
        table: ObjName,
        name: String,
        calls: [Option<Calls>; 2],
        /// As `CreatePolicy::columns` and `constants`, of the clauses written.
        columns: [Vec<ColName>; 2],
        constants: Constants,
    },
    DropPolicy {
        table: ObjName,
        name: String,
        if_exists: bool,
    },
    /// `ALTER POLICY name ON table RENAME TO to`.
    RenamePolicy {
        table: ObjName,
        name: String,
        to: String,
    },
    /// A statement PostgreSQL rejects although sqlparser accepts it, at the word it stops at
    /// when known (else the statement), with what it meant to do when that is known (a CREATE
    /// TABLE that fails on a reserved word still tells later statements why the table is
    /// missing).
    Rejected {
        refusal: super::Refusal,
        at: Option<Span>,
        intended: Option<Box<Change>>,
    },
    /// A `DO` block: its body statements follow separately.
    Do,
    /// `EXECUTE` of a computed string in a DO block, with the verb of each statement its text
    /// holds (`DROP POLICY`, `CREATE TABLE`, `ALTER TABLE ROW LEVEL SECURITY`, `?` for one not
    /// recognised): objects of those kinds may change unseen.
    Dynamic {
        verbs: Vec<String>,
    },
    /// `GRANT` / `REVOKE` on relations (`ON [TABLE | SEQUENCE] name, ...`, with the columns of
    /// column privileges), on functions (`ON FUNCTION f(args)`) or on schemas (`ON SCHEMA s`, `ON ALL {TABLES | SEQUENCES | FUNCTIONS
    /// | PROCEDURES | ROUTINES} IN SCHEMA s`): each must exist. Roles are not modelled.
    Privileges {
        relations: Vec<ObjName>,
        columns: Vec<ColName>,
        schemas: Vec<ObjName>,
        /// `ON FUNCTION f(args), ...`.
        functions: Vec<FuncRef>,
    },
    /// Parsed, but nothing we model (ANALYZE, a grant on a function, ...).
    Other,
    /// `CREATE PUBLICATION ... FOR TABLE ...` / `ALTER PUBLICATION ... {ADD | SET | DROP}
    /// {TABLE ... | TABLES IN SCHEMA ...}`: the publications are not modelled, the tables (with
    /// their column lists) and schemas they name must exist.
    Publication {
        tables: Vec<(ObjName, Vec<ColName>)>,
        schemas: Vec<(Name, Span)>,
    },
    /// `CREATE RULE ... TO table`: rules are not modelled, but one may rewrite the INSERTs of
    /// its table.
    CreateRule {
        table: ObjName,
    },
    /// Not parsed; a token scan may have recovered the target.
    Unparsed {
        verb: Option<String>,
        target: Option<ObjName>,
    },
}

impl Change {
    /// A statement PostgreSQL refuses as a whole, at `at`, with nothing it meant to do kept.
    #[must_use]
    pub fn refused(refusal: crate::model::Refusal, at: Span) -> Change {
        Change::Rejected {
            refusal,
            at: Some(at),
            intended: None,
        }
    }

    /// What the statement meant to do: the change itself, or what a rejected one intended.
    #[must_use]
    pub fn intended(&self) -> &Change {
        match self {
            Change::Rejected {
                intended: Some(inner),
                ..
            } => inner,
            other => other,
        }
    }
}
