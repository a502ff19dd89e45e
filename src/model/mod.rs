//! Stage 3: the schema model. `lower` translates each parsed statement into our IR (the only
//! place that touches sqlparser's AST); `replay` applies the IR in migration order the way
//! PostgreSQL would — a statement PostgreSQL rejects changes nothing — recording provenance,
//! history events, object uses and problems; `history` answers questions about the past
//! ("was this table dropped, renamed, created later?"); `json` is the versioned wire format.

pub mod catalog;
pub mod extensions;
pub mod history;
pub mod ir;
pub mod json;
pub mod lower;
pub mod namemap;
pub mod names;
pub mod pgfunc;
pub mod pgtype;
pub mod replay;
pub mod text;

pub use catalog::{
    Catalog, Column, Comment, ForeignKey, Index, Key, Name, Policy, QualifiedName, RelationKind,
    Sequence, Table, TypeDef, TypeKind,
};
pub use replay::{build, build_with};

use serde::Serialize;

use crate::span::{FileId, Span};

/// Settings that change how the history is replayed.
#[derive(Debug, Clone)]
pub struct ModelSettings {
    /// The search_path in force at the start of every file (PostgreSQL's default:
    /// `"$user", public`).
    pub search_path: Vec<String>,
    /// The role running the migrations, which `$user` stands for.
    pub user: String,
    /// Schemas assumed to exist before the first migration (e.g. Supabase's `auth`).
    pub assume_schemas: Vec<String>,
    /// Relations assumed to exist before the first migration (`auth.users`); `schema.*`
    /// assumes every relation of a schema.
    pub assume_relations: Vec<String>,
}

impl Default for ModelSettings {
    fn default() -> Self {
        Self {
            search_path: vec!["$user".into(), "public".into()],
            user: "postgres".into(),
            assume_schemas: Vec::new(),
            assume_relations: Vec::new(),
        }
    }
}

/// What of each file's parse stays in [`crate::Analysis::parsed`] once the file is replayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Retain {
    /// Every statement with its lowered IR (the order planner reads the IR again).
    Ir,
    /// Every statement (span, origin), without its IR.
    #[default]
    Statements,
    /// What reports need: diagnostics, ignore comments, and the statements of the files that
    /// have ignore comments (which statement an ignore covers). `check` and `model` keep no
    /// more, so memory follows the schema, not the statements.
    Reports,
}

/// One statement in apply order.
#[derive(Debug, Clone, Serialize)]
pub struct StatementInfo {
    pub file: FileId,
    /// Index into [`crate::parse::ParsedFile::statements`].
    pub index: usize,
    pub span: Span,
    /// Parsed by sqlparser (DO statements count as parsed when their body was read).
    pub parsed: bool,
    /// PostgreSQL would reject it (an error-level problem was found).
    pub failed: bool,
    /// Inside a DO body.
    pub in_do: bool,
}

/// An object a statement creates, changes or uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObjectKey {
    Schema {
        name: Name,
    },
    Relation {
        name: QualifiedName,
    },
    Column {
        table: QualifiedName,
        column: Name,
    },
    Constraint {
        table: QualifiedName,
        name: Name,
    },
    Index {
        name: QualifiedName,
    },
    Type {
        name: QualifiedName,
    },
    Sequence {
        name: QualifiedName,
    },
    /// A row-level-security policy (its name is unique per table).
    Policy {
        table: QualifiedName,
        name: Name,
    },
    /// A function, all overloads of one name.
    Function {
        name: QualifiedName,
    },
    /// A trigger (its name is unique per table).
    Trigger {
        table: QualifiedName,
        name: Name,
    },
}

/// What happened to an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EventAction {
    Created,
    Altered {
        what: Name,
    },
    /// Boxed: renames are rare, and the history holds one action per event.
    Renamed(Box<Rename>),
    Dropped,
    /// `CREATE ... IF NOT EXISTS` found the object and did nothing.
    SkippedExisting,
}

/// The names of a rename ([`EventAction::Renamed`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    pub from: Name,
    pub to: Name,
    /// The schema it moved to (`ALTER ... SET SCHEMA`); `None` when it stayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Name>,
}

impl EventAction {
    #[must_use]
    pub fn renamed(from: Name, to: Name) -> Self {
        Self::Renamed(Box::new(Rename {
            from,
            to,
            schema: None,
        }))
    }

    /// `ALTER ... SET SCHEMA`: the name stays, the schema changes.
    #[must_use]
    pub fn moved(name: Name, schema: Name) -> Self {
        Self::Renamed(Box::new(Rename {
            from: name.clone(),
            to: name,
            schema: Some(schema),
        }))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Position of the statement in [`Model::statements`].
    pub seq: usize,
    pub span: Span,
    pub object: ObjectKey,
    pub action: EventAction,
}

/// A use of an existing object (for migration dependencies and the graph).
#[derive(Debug, Clone, Serialize)]
pub struct Use {
    pub seq: usize,
    pub span: Span,
    pub object: ObjectKey,
    /// Where the used object was created (`None` for objects assumed or built in).
    pub defined_at: Option<Span>,
}

/// Where a name was referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefContext {
    ForeignKey,
    Insert,
    Update,
    Delete,
    Truncate,
    Copy,
    Select,
    View,
    PartitionParent,
    Inherits,
    Like,
    Index,
    Alter,
    Drop,
    Comment,
    Policy,
    /// The table of `CREATE` / `DROP` / `ALTER TRIGGER`.
    Trigger,
    ColumnType,
    OnConflict,
    /// `ALTER SEQUENCE ... OWNED BY table.column`.
    OwnedBy,
    /// `GRANT` / `REVOKE ... ON`.
    Grant,
    /// A sequence a column default names (`nextval('s')`, `'s'::regclass`).
    Default,
    /// A column a CHECK constraint's expression names.
    Check,
    /// A column a policy's `USING` / `WITH CHECK` expression names.
    PolicyExpression,
    /// A column a trigger's `WHEN` condition names (`OLD.c`, `NEW.c`).
    TriggerCondition,
    /// A column a generated column's expression names.
    Generation,
    /// A table of `CREATE` / `ALTER PUBLICATION`.
    Publication,
    Recovered,
}

impl RefContext {
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            RefContext::ForeignKey => "foreign key target",
            RefContext::Insert => "INSERT target",
            RefContext::Update => "UPDATE target",
            RefContext::Delete => "DELETE target",
            RefContext::Truncate => "TRUNCATE target",
            RefContext::Copy => "COPY target",
            RefContext::Select => "query source",
            RefContext::View => "view source",
            RefContext::PartitionParent => "partition parent",
            RefContext::Inherits => "INHERITS parent",
            RefContext::Like => "LIKE source",
            RefContext::Index => "CREATE INDEX target",
            RefContext::Alter => "ALTER target",
            RefContext::Drop => "DROP target",
            RefContext::Comment => "COMMENT target",
            RefContext::Policy => "policy target",
            RefContext::Trigger => "trigger table",
            RefContext::ColumnType => "column type",
            RefContext::OnConflict => "ON CONFLICT target",
            RefContext::OwnedBy => "OWNED BY table",
            RefContext::Grant => "GRANT target",
            RefContext::Default => "sequence named by a column default",
            RefContext::Check => "CHECK expression",
            RefContext::PolicyExpression => "policy expression",
            RefContext::TriggerCondition => "trigger WHEN condition",
            RefContext::Generation => "generation expression",
            RefContext::Publication => "publication member",
            RefContext::Recovered => "target",
        }
    }
}

/// PostgreSQL's refusal of a statement that sqlparser accepts: its message, and what to do
/// instead when there is one way out (a refusal without one gets no advice: a generic hint
/// would mislead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub help: Option<&'static str>,
}

impl Refusal {
    #[must_use]
    pub fn new(reason: impl Into<String>, help: &'static str) -> Self {
        Self {
            reason: reason.into(),
            help: Some(help),
        }
    }
}

impl From<&str> for Refusal {
    fn from(reason: &str) -> Self {
        reason.to_owned().into()
    }
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Self { reason, help: None }
    }
}

impl From<Refusal> for ProblemKind {
    fn from(r: Refusal) -> Self {
        Self::Rejected {
            reason: r.reason,
            help: r.help,
        }
    }
}

/// Something replay noticed. Error-level kinds are what PostgreSQL rejects: the statement
/// changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    MissingRelation {
        name: QualifiedName,
        written: Name,
        context: RefContext,
        /// For a name written without a schema: relations of that name that existed then in
        /// schemas the search path did not reach (sorted).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        elsewhere: Vec<QualifiedName>,
    },
    MissingColumn {
        table: QualifiedName,
        column: Name,
        context: RefContext,
    },
    MissingType {
        name: QualifiedName,
        written: Name,
    },
    MissingSchema {
        name: Name,
    },
    /// A function looked up by name and input argument types (`args`, the types between the
    /// parentheses; `None` when none were written) that does not exist: a trigger's function,
    /// a DROP or ALTER FUNCTION target.
    MissingFunction {
        name: QualifiedName,
        written: Name,
        args: Option<String>,
        /// The argument types of the functions of that name that do exist then (for the
        /// message), each as `integer, text`.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        overloads: Vec<String>,
        /// Called in an expression (a view's query, a policy, a default, a check, an index, a
        /// trigger's `WHEN`): looked up by the call's argument types, which are not modelled.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        call: bool,
    },
    MissingConstraint {
        table: QualifiedName,
        name: Name,
    },
    MissingIndex {
        name: QualifiedName,
        /// Looked up as any relation (`ALTER INDEX`: PostgreSQL says `relation "i" does not
        /// exist`), not as an index (`DROP INDEX`, `USING INDEX`).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        relation: bool,
    },
    DuplicateObject {
        object: ObjectKey,
        existing: Span,
    },
    FkTargetNotUnique {
        table: QualifiedName,
        target: QualifiedName,
        columns: Vec<Name>,
    },
    FkNoPrimaryKey {
        table: QualifiedName,
        target: QualifiedName,
    },
    FkColumnCount {
        table: QualifiedName,
        target: QualifiedName,
    },
    FkTypeMismatch {
        table: QualifiedName,
        column: Name,
        column_type: Name,
        target: QualifiedName,
        target_column: Name,
        target_type: Name,
    },
    OnConflictNoUnique {
        table: QualifiedName,
        columns: Vec<Name>,
    },
    DependentObjects {
        object: ObjectKey,
        dependents: Vec<String>,
    },
    WrongObjectKind {
        name: QualifiedName,
        expected: Name,
        found: Name,
    },
    NotNullWithoutValue {
        table: QualifiedName,
        column: Name,
    },
    /// An unqualified CREATE when no schema of the search path (`path`, as resolved) exists.
    NoSchemaSelected {
        path: Vec<Name>,
    },
    /// A statement after an error inside BEGIN ... COMMIT: PostgreSQL ignores it.
    InAbortedTransaction {
        first_error: Span,
    },
    /// A statement PostgreSQL rejects although sqlparser accepts it: PostgreSQL's message, and
    /// the way out when there is one ([`Refusal`]).
    Rejected {
        reason: String,
        #[serde(skip)]
        help: Option<&'static str>,
    },
    /// `CREATE TABLE IF NOT EXISTS` skipped because the table exists — with a different
    /// definition when `missing_columns` is not empty.
    IfNotExistsSkipped {
        table: QualifiedName,
        existing: Span,
        missing_columns: Vec<Name>,
    },
}

impl ProblemKind {
    /// Does PostgreSQL reject the statement?
    #[must_use]
    pub fn is_error(&self) -> bool {
        !matches!(self, ProblemKind::IfNotExistsSkipped { .. })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub seq: usize,
    pub span: Span,
    pub kind: ProblemKind,
}

/// The replayed history: the final catalog plus everything that happened on the way.
#[derive(Debug, Default)]
pub struct Model {
    pub catalog: Catalog,
    pub statements: Vec<StatementInfo>,
    pub events: Vec<Event>,
    pub uses: Vec<Use>,
    pub problems: Vec<Problem>,
    /// Apply-order index of each file's first statement, by FileId (files in apply order).
    pub file_order: Vec<FileId>,
    /// Creations that did not take effect, in apply order.
    pub undone_creates: Vec<UndoneCreate>,
    /// Events a transaction's rollback undid, with the statement that undid them (the failing
    /// statement, ROLLBACK, the end of the file): until then they were the history.
    pub undone_events: Vec<(usize, Event)>,
    /// Events and undone creates by object, for the history questions once replay is done.
    pub(crate) history: std::sync::OnceLock<history::HistoryIndex>,
}

/// A creation that did not take effect: the statement meant to create `object` and
/// PostgreSQL rejects it, or it succeeded and its transaction was rolled back (ROLLBACK, a
/// failure in it, or the end of the file with the transaction still open).
#[derive(Debug, Clone)]
pub struct UndoneCreate {
    pub seq: usize,
    /// The created name in the statement.
    pub span: Span,
    pub object: ObjectKey,
    /// It succeeded, and its transaction was rolled back.
    pub rolled_back: bool,
}
