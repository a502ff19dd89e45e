//! Stage 3 (model): the ONLY module that matches on sqlparser's AST. It lowers one parsed
//! statement into one [`Change`] of our IR: identifiers case-folded as PostgreSQL does,
//! positions turned into file [`Span`]s, types spelled as `format_type` spells them.
//! sqlparser changes its AST every release; keeping the translation here keeps an upgrade
//! to this one file.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    self, AccessExpr, AlterColumnOperation, AlterTableOperation, AlterTypeOperation,
    ArrayElemTypeDef, AssignmentTarget, CharacterLength, ColumnOption, CommentObject,
    ConflictTarget as AstConflict, CopySource, DataType, ExactNumberInfo, Expr, FromTable,
    GeneratedAs, Ident, ObjectName, ObjectNamePart, ObjectType, OnInsert, Query, ReferentialAction,
    RenameTableNameKind, SchemaName, SelectItem, SetExpr, Statement, TableConstraint, TableFactor,
    TableObject, TimezoneInfo, UserDefinedTypeRepresentation, ViewColumnDef, Visit, Visitor,
};

use super::catalog::{GeneratedAlways, Name, ReplicaIdentity};
use super::ir::{
    AlterAction, AlterTarget, Call, Calls, Change, ColName, ColumnCast, ColumnDef, ColumnRef,
    CommentKind, Comparison, ConflictTarget, Constant, ConstantUse, Constants, ConstraintDef,
    ConstraintKind, DropKind, ExcludeDef, FkDef, FuncMove, FuncRef, IndexDef, NullConstant,
    ObjName, QueryRefs, RelRef, TableDef, TableKindDef, TypeRef, ValueFunctions, Volatility,
};
use super::pgtype;
use crate::parse;
use crate::parse::compat::Compat;
use crate::span::{FileId, Span};
use compact_str::ToCompactString;

mod foreign;
mod reserved;

/// PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes.
const MAX_IDENT_BYTES: usize = 63;

/// Lower one parsed statement. `plain_columns` enables collecting unqualified column
/// references (off inside DO bodies, where bare names may be PL/pgSQL variables).
#[must_use]
pub fn lower(stmt: &parse::Statement, file: FileId, plain_columns: bool) -> Change {
    lower_ast(stmt, stmt.ast.as_deref(), file, plain_columns)
}

/// [`lower`] with the AST given apart from the statement (the parser lowers straight from
/// sqlparser's output vector instead of moving the AST into the statement first).
#[must_use]
pub fn lower_ast(
    stmt: &parse::Statement,
    ast: Option<&sqlparser::ast::Statement>,
    file: FileId,
    plain_columns: bool,
) -> Change {
    let Some(ast) = ast else {
        let lw = Lowerer::new(stmt, file, false);
        return lw.unparsed();
    };
    let lw = Lowerer::new(stmt, file, plain_columns);
    lw.statement(ast)
}

/// Parse free-standing SQL text (an application query) with the PostgreSQL dialect and lower
/// each statement. Spans point into `sql` itself (file `file`, byte offsets of the text);
/// callers map them to their own file. Text sqlparser rejects lowers to nothing.
#[must_use]
pub fn lower_sql(sql: &str, file: FileId) -> Vec<Change> {
    let Ok(asts) = parse::tokenize::parse_statements(sql) else {
        return Vec::new();
    };
    asts.into_iter()
        .map(|ast| {
            let stmt = parse::Statement {
                span: Span::new(file, 0, sql.len()),
                origin: parse::Origin::TopLevel,
                text: sql.to_owned(),
                offsets: parse::OffsetMap::default(),
                ast: Some(Box::new(ast)),
                recovered: None,
                compat: Vec::new(),
                parsed: true,
                ir: None,
            };
            lower(&stmt, file, true)
        })
        .collect()
}

/// Fold an identifier as PostgreSQL does: unquoted -> ASCII lower case; then truncate.
#[must_use]
pub fn fold_ident(ident: &Ident) -> Name {
    let mut folded = Name::from(ident.value.as_str());
    if ident.quote_style.is_none() {
        folded.make_ascii_lowercase();
    }
    truncate_ident(folded)
}

fn truncate_ident(mut s: Name) -> Name {
    if s.len() > MAX_IDENT_BYTES {
        let cut = crate::source::lines::floor_char_boundary(&s, MAX_IDENT_BYTES);
        s.truncate(cut);
    }
    s
}

struct Lowerer<'a> {
    stmt: &'a parse::Statement,
    positions: parse::Positions<'a>,
    file: FileId,
    plain_columns: bool,
}

impl<'a> Lowerer<'a> {
    fn new(stmt: &'a parse::Statement, file: FileId, plain_columns: bool) -> Self {
        Self {
            stmt,
            positions: stmt.positions(),
            file,
            plain_columns,
        }
    }

    // ----- positions -------------------------------------------------------------------

    fn span_of(&self, s: sqlparser::tokenizer::Span) -> Span {
        self.positions.file_span(s).unwrap_or(self.stmt.span)
    }

    fn ident_span(&self, ident: &Ident) -> Span {
        self.span_of(ident.span)
    }

    fn col(&self, ident: &Ident) -> ColName {
        ColName {
            name: fold_ident(ident),
            span: self.ident_span(ident),
        }
    }

    fn idents<'b>(&self, name: &'b ObjectName) -> Vec<&'b Ident> {
        name.0
            .iter()
            .filter_map(|p| match p {
                ObjectNamePart::Identifier(i) => Some(i),
                ObjectNamePart::Function(_) => None,
            })
            .collect()
    }

    /// GRANT / REVOKE: the relations or schemas it names, and the columns of column
    /// privileges. Other objects (functions, types, databases, ...) are not modelled.
    fn privileges(
        &self,
        privileges: &ast::Privileges,
        objects: Option<&ast::GrantObjects>,
    ) -> Change {
        use ast::GrantObjects as G;
        if let Some(G::Functions(functions)) = objects {
            return Change::Privileges {
                relations: Vec::new(),
                columns: Vec::new(),
                schemas: Vec::new(),
                functions: functions.iter().map(|f| self.func_ref(f)).collect(),
            };
        }
        let (relations, schemas): (&[ObjectName], &[ObjectName]) = match objects {
            Some(G::Tables(names) | G::Sequences(names)) => (names, &[]),
            Some(
                G::Schemas(names)
                | G::AllTablesInSchema { schemas: names }
                | G::AllSequencesInSchema { schemas: names }
                | G::AllFunctionsInSchema { schemas: names }
                | G::AllProceduresInSchema { schemas: names }
                | G::AllRoutinesInSchema { schemas: names },
            ) => (&[], names),
            _ => return Change::Other,
        };
        let columns = match privileges {
            ast::Privileges::Actions(actions) => actions
                .iter()
                .filter_map(|a| match a {
                    ast::Action::Select { columns }
                    | ast::Action::Insert { columns }
                    | ast::Action::Update { columns }
                    | ast::Action::References { columns } => columns.as_ref(),
                    _ => None,
                })
                .flatten()
                .map(|c| self.col(c))
                .collect(),
            ast::Privileges::All { .. } => Vec::new(),
        };
        Change::Privileges {
            relations: relations.iter().map(|n| self.obj(n)).collect(),
            columns,
            schemas: schemas.iter().map(|n| self.obj(n)).collect(),
            functions: Vec::new(),
        }
    }

    fn obj(&self, name: &ObjectName) -> ObjName {
        let parts = self.idents(name);
        let span = match (parts.first(), parts.last()) {
            (Some(a), Some(b)) => {
                let (sa, sb) = (self.ident_span(a), self.ident_span(b));
                Span::new(self.file, sa.start(), sb.end().max(sa.start()))
            }
            _ => self.stmt.span,
        };
        let n = parts.len();
        let name_part = parts.last().map(|i| fold_ident(i)).unwrap_or_default();
        let schema = if n >= 2 {
            parts.get(n - 2).map(|i| fold_ident(i))
        } else {
            None
        };
        ObjName {
            schema,
            name: name_part,
            span,
        }
    }

    // ----- statements ------------------------------------------------------------------

    fn unparsed(&self) -> Change {
        let Some(rec) = &self.stmt.recovered else {
            return Change::Unparsed {
                verb: None,
                target: None,
            };
        };
        if rec.verb == "DO" {
            return Change::Do;
        }
        let target = rec.target.as_deref().map(|t| {
            let start = self
                .stmt
                .text
                .find(t)
                .map_or(self.stmt.span.start(), |i| self.stmt.offsets.to_file(i));
            let span = Span::new(self.file, start, start + t.len());
            recovered_name(t, span)
        });
        Change::Unparsed {
            verb: Some(rec.verb.clone()),
            target,
        }
    }

    /// `SELECT ... INTO [TEMP] name FROM ...`: PostgreSQL's other spelling of CREATE TABLE AS.
    fn select_into(&self, q: &Query) -> Option<Change> {
        let SetExpr::Select(sel) = &*q.body else {
            return None;
        };
        let into = sel.into.as_ref()?;
        let idents = match into.targets.as_slice() {
            [Expr::Identifier(i)] => vec![i.clone()],
            [Expr::CompoundIdentifier(parts)] => parts.clone(),
            _ => return None,
        };
        let name = self.obj(&ObjectName::from(idents));
        // The query without its INTO, whose target is not a column it reads.
        let mut query = q.clone();
        if let SetExpr::Select(s) = &mut *query.body {
            s.into = None;
        }
        let as_query = (self.query_refs(&query, None), output_names(&query));
        let as_star_of = self.star_of(&query);
        Some(Change::CreateTable(Box::new(TableDef {
            name,
            if_not_exists: false,
            kind: TableKindDef::Table,
            temporary: into.temporary,
            on_commit_drop: false,
            columns: Vec::new(),
            constraints: Vec::new(),
            partition_of: None,
            inherits: Vec::new(),
            like: Vec::new(),
            as_query: Some(as_query),
            as_star_of,
            partition_key: Vec::new(),
            partition_key_plain: false,
        })))
    }

    /// The columns of `table` a policy's `USING` and `WITH CHECK` name (see [`own_columns`]),
    /// and those they compare with string constants (see [`constant_uses`]).
    fn policy_columns(
        &self,
        table: &ObjName,
        clauses: [&Option<Expr>; 2],
    ) -> ([Vec<ColName>; 2], Constants) {
        let own = [table.name.as_str()];
        let columns = clauses.map(|c| {
            c.as_ref()
                .map(|e| own_columns(self, e, &own, true))
                .unwrap_or_default()
        });
        let labels = clauses
            .into_iter()
            .flatten()
            .flat_map(|e| constant_uses(self, e, &own))
            .collect();
        (columns, labels)
    }

    /// `PARTITION BY method (key, ...)`: every column the key uses, and whether each key part
    /// is a plain column.
    fn partition_key(&self, e: &Expr) -> (Vec<Name>, bool) {
        let columns = own_columns(self, e, &[], true);
        let plain = match e {
            Expr::Function(f) => match &f.args {
                ast::FunctionArguments::List(list) => list.args.iter().all(|a| {
                    matches!(
                        a,
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(Expr::Identifier(_)))
                    )
                }),
                _ => false,
            },
            _ => false,
        };
        (columns.into_iter().map(|c| c.name).collect(), plain)
    }

    /// The relation of `SELECT * FROM relation` (nothing else in the list, one FROM item
    /// without join, function arguments or column aliases, no WITH that could shadow it).
    fn star_of(&self, q: &Query) -> Option<ObjName> {
        let SetExpr::Select(sel) = &*q.body else {
            return None;
        };
        let [SelectItem::Wildcard(options)] = sel.projection.as_slice() else {
            return None;
        };
        let plain_star = options.opt_ilike.is_none()
            && options.opt_exclude.is_none()
            && options.opt_except.is_none()
            && options.opt_replace.is_none()
            && options.opt_rename.is_none()
            && options.opt_alias.is_none();
        let [from] = sel.from.as_slice() else {
            return None;
        };
        match &from.relation {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } if plain_star
                && !reserved::is_value_function(name)
                && q.with.is_none()
                && from.joins.is_empty()
                && alias.as_ref().is_none_or(|a| a.columns.is_empty()) =>
            {
                Some(self.obj(name))
            }
            _ => None,
        }
    }

    /// Whether the compat rewrite removed `note`'s clause from this statement.
    fn noted(&self, note: &Compat) -> bool {
        self.stmt.compat.contains(note)
    }

    /// `ALTER [MATERIALIZED] VIEW`, and `ALTER TABLE ... SET SCHEMA` read as one (see
    /// [`Compat::TableSetSchema`]).
    fn alter_view(&self, av: &ast::AlterView) -> Change {
        if self.noted(&Compat::TypeSetSchema) {
            return match &av.operation {
                ast::AlterViewOperation::SetSchema { schema_name } => {
                    let schema = self.obj(schema_name);
                    Change::AlterTypeSetSchema {
                        name: self.obj(&av.name),
                        schema: schema.name,
                        span: schema.span,
                    }
                }
                _ => Change::Other,
            };
        }
        let target = if self.noted(&Compat::TableSetSchema) {
            AlterTarget::Table
        } else if av.materialized {
            AlterTarget::MaterializedView
        } else {
            AlterTarget::View
        };
        let action = match &av.operation {
            ast::AlterViewOperation::RenameTo { new_name } => {
                AlterAction::RenameTable(self.obj(new_name))
            }
            ast::AlterViewOperation::SetSchema { schema_name } => {
                let schema = self.obj(schema_name);
                AlterAction::SetSchema {
                    schema: schema.name,
                    span: schema.span,
                }
            }
            ast::AlterViewOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => AlterAction::RenameColumn {
                from: self.col(old_column_name),
                to: self.col(new_column_name),
            },
            _ => AlterAction::Other,
        };
        Change::AlterTable {
            table: self.obj(&av.name),
            target,
            if_exists: av.if_exists,
            only: false,
            actions: vec![action],
        }
    }

    fn statement(&self, ast: &Statement) -> Change {
        let reserved = reserved::reserved_name(ast).map(|word| {
            let refusal = super::Refusal::new(
                format!("syntax error at or near \"{}\"", word.value),
                "a reserved word names a column or table only in double quotes (`\"order\"`, in \
                 every statement that uses it); or choose another name",
            );
            (self.ident_span(word), refusal)
        });
        let foreign = self.foreign_syntax(ast);
        // PostgreSQL's grammar stops at the first.
        let first = match (reserved, foreign) {
            (Some(r), Some(f)) => Some(if f.0.start() < r.0.start() { f } else { r }),
            (r, f) => r.or(f),
        };
        if let Some((at, refusal)) = first {
            let intended = Some(Box::new(self.statement_as_read(ast)));
            return Change::Rejected {
                refusal,
                at: Some(at),
                intended,
            };
        }
        self.statement_as_read(ast)
    }

    /// Where PostgreSQL's grammar stops in the statement at another SQL dialect's syntax that
    /// sqlparser read (see [`foreign::syntax`]), with its refusal: the word as written.
    fn foreign_syntax(&self, ast: &Statement) -> Option<(Span, super::Refusal)> {
        let text = &self.stmt.text;
        let (locate, help) = foreign::syntax(ast, text)?;
        let offset = |loc: sqlparser::tokenizer::Location| {
            if loc.line == 0 {
                return 0;
            }
            self.positions
                .text_offset(loc.line, loc.column)
                .min(text.len())
        };
        let (at, len) = match locate {
            foreign::Locate::ParenAfter(span) => {
                let after = offset(span.end);
                (after + text.get(after..)?.find('(')?, 1)
            }
            foreign::Locate::WordAfter(span, word) => {
                let after = offset(span.end);
                (
                    after + foreign::find_word(text.get(after..)?, &word)?,
                    word.len(),
                )
            }
            foreign::Locate::WordBefore(span, word) => {
                let before = offset(span.start);
                (foreign::rfind_word(text.get(..before)?, &word)?, word.len())
            }
            foreign::Locate::WordBetween(after, before, word) => {
                let (after, before) = (offset(after.end), offset(before.start));
                (
                    after + foreign::find_word(text.get(after..before)?, &word)?,
                    word.len(),
                )
            }
            foreign::Locate::At(span) => {
                let (start, end) = (offset(span.start), offset(span.end));
                (start, end.checked_sub(start)?)
            }
            foreign::Locate::CloseParenAfter(span) => {
                let after = offset(span.end);
                let open = after + text.get(after..)?.find('(')?;
                (open + text.get(open..)?.find(')')?, 1)
            }
        };
        let word = text.get(at..at + len).filter(|w| !w.is_empty())?;
        let refusal = super::Refusal::new(format!("syntax error at or near \"{word}\""), help);
        Some((
            self.stmt.offsets.file_span(self.file, at..at + len),
            refusal,
        ))
    }

    /// The change a statement makes if PostgreSQL reads it as sqlparser did.
    fn statement_as_read(&self, ast: &Statement) -> Change {
        match ast {
            Statement::CreateTable(ct) => self.create_table(ct),
            Statement::AlterTable(at) => Change::AlterTable {
                table: self.obj(&at.name),
                target: AlterTarget::Table,
                if_exists: at.if_exists,
                only: at.only,
                actions: at
                    .operations
                    .iter()
                    .flat_map(|op| self.alter_op(op))
                    .collect(),
            },
            Statement::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                ..
            } => Change::Drop {
                kind: match object_type {
                    ObjectType::Table => DropKind::Table,
                    ObjectType::View => DropKind::View,
                    ObjectType::MaterializedView => DropKind::MaterializedView,
                    ObjectType::Index => DropKind::Index,
                    ObjectType::Type => DropKind::Type,
                    ObjectType::Schema => DropKind::Schema,
                    ObjectType::Sequence => DropKind::Sequence,
                    _ => DropKind::Other,
                },
                names: names.iter().map(|n| self.obj(n)).collect(),
                if_exists: *if_exists,
                cascade: *cascade,
                concurrently: self.noted(&Compat::Concurrently),
            },
            Statement::DropDomain(d) => Change::Drop {
                kind: DropKind::Domain,
                names: vec![self.obj(&d.name)],
                if_exists: d.if_exists,
                cascade: matches!(d.drop_behavior, Some(ast::DropBehavior::Cascade)),
                concurrently: false,
            },
            Statement::AlterView(av) => self.alter_view(av),
            Statement::CreateIndex(ci) => self.create_index(ci),
            Statement::CreateType {
                name,
                representation,
            } => match representation {
                Some(UserDefinedTypeRepresentation::Enum { labels }) => Change::CreateEnum {
                    name: self.obj(name),
                    values: labels.iter().map(|l| l.value.clone()).collect(),
                },
                Some(UserDefinedTypeRepresentation::Range { options }) => {
                    let mut subtype = None;
                    let mut multirange = None;
                    for o in options {
                        match o {
                            ast::UserDefinedTypeRangeOption::Subtype(dt) => {
                                subtype =
                                    Some(self.type_ref(dt, sqlparser::ast::Spanned::span(name)));
                            }
                            ast::UserDefinedTypeRangeOption::MultirangeTypeName(m) => {
                                multirange = Some(self.obj(m));
                            }
                            _ => {}
                        }
                    }
                    match subtype {
                        Some(subtype) => Change::CreateRange {
                            name: self.obj(name),
                            subtype,
                            multirange,
                        },
                        None => Change::CreateCompositeType {
                            name: self.obj(name),
                        },
                    }
                }
                Some(UserDefinedTypeRepresentation::Composite { .. }) | None | Some(_) => {
                    Change::CreateCompositeType {
                        name: self.obj(name),
                    }
                }
            },
            Statement::AlterType(at) => match &at.operation {
                AlterTypeOperation::AddValue(av) => Change::AddEnumValue {
                    name: self.obj(&at.name),
                    value: av.value.value.clone(),
                    if_not_exists: av.if_not_exists,
                    position: av.position.as_ref().map(|p| match p {
                        ast::AlterTypeAddValuePosition::Before(i) => (true, i.value.clone()),
                        ast::AlterTypeAddValuePosition::After(i) => (false, i.value.clone()),
                    }),
                },
                AlterTypeOperation::RenameValue(rv) => Change::RenameEnumValue {
                    name: self.obj(&at.name),
                    from: rv.from.value.clone(),
                    to: rv.to.value.clone(),
                },
                AlterTypeOperation::Rename(r) => Change::AlterTypeRename {
                    name: self.obj(&at.name),
                    to: fold_ident(&r.new_name),
                },
            },
            Statement::CreateDomain(cd) => Change::CreateDomain {
                name: self.obj(&cd.name),
                base: self.type_ref(&cd.data_type, sqlparser::ast::Spanned::span(&cd.name)),
            },
            Statement::CreateView(cv) if self.noted(&Compat::RecursiveView) => {
                let name = self.obj(&cv.name);
                let mut query = self.query_refs(&*cv.query, None);
                let own = |r: &RelRef| {
                    r.name.name == name.name
                        && (r.name.schema.is_none() || r.name.schema == name.schema)
                };
                let aliases: Vec<Name> = query
                    .relations
                    .iter()
                    .filter(|r| own(r))
                    .map(|r| r.alias.clone())
                    .collect();
                query.relations.retain(|r| !own(r));
                query.columns.retain(|c| !aliases.contains(&c.qualifier));
                query.plain_columns.clear();
                query.constants.clear();
                Change::CreateView {
                    name,
                    materialized: false,
                    temporary: cv.temporary,
                    or_replace: cv.or_replace,
                    if_not_exists: cv.if_not_exists,
                    query,
                    columns: Some(cv.columns.iter().map(|c| fold_ident(&c.name)).collect()),
                    star_of: None,
                }
            }
            Statement::CreateView(cv) => Change::CreateView {
                name: self.obj(&cv.name),
                materialized: cv.materialized,
                temporary: cv.temporary,
                or_replace: cv.or_replace,
                if_not_exists: cv.if_not_exists,
                query: self.query_refs(&*cv.query, None),
                columns: view_column_names(&cv.columns, &cv.query),
                star_of: self.star_of(&cv.query),
            },
            Statement::CreateSequence {
                if_not_exists,
                name,
                ..
            } => Change::CreateSequence {
                name: self.obj(name),
                if_not_exists: *if_not_exists,
            },
            Statement::CreateExtension(ce) => Change::CreateExtension {
                name: fold_ident(&ce.name).to_string(),
                if_not_exists: ce.if_not_exists,
            },
            Statement::CreateFunction(cf) if self.noted(&Compat::Procedure) => {
                Change::OtherRoutines(vec![self.obj(&cf.name)])
            }
            Statement::CreateFunction(cf) => self.create_function(cf),
            Statement::DropFunction(df) => Change::DropFunction {
                functions: df.func_desc.iter().map(|f| self.func_ref(f)).collect(),
                if_exists: df.if_exists,
                cascade: matches!(df.drop_behavior, Some(ast::DropBehavior::Cascade)),
            },
            Statement::AlterFunction(af)
                if af.kind == ast::AlterFunctionKind::Function
                    && !self.noted(&Compat::Procedure) =>
            {
                let to = match &af.operation {
                    ast::AlterFunctionOperation::RenameTo { new_name } => {
                        FuncMove::Rename(fold_ident(new_name))
                    }
                    ast::AlterFunctionOperation::SetSchema { schema_name } => {
                        FuncMove::SetSchema(self.obj(schema_name).name)
                    }
                    // OWNER TO, SECURITY DEFINER, IMMUTABLE, SET search_path, ...: it must
                    // exist.
                    _ => {
                        return Change::AlterFunction {
                            function: self.func_ref(&af.function),
                            volatility: altered_volatility(&af.operation),
                        };
                    }
                };
                Change::MoveFunction {
                    function: self.func_ref(&af.function),
                    to,
                }
            }
            Statement::AlterFunction(af) => {
                // A procedure or aggregate renamed: both names are uncertain.
                let old = self.obj(&af.function.name);
                let new = match &af.operation {
                    ast::AlterFunctionOperation::RenameTo { new_name } => Some(ObjName {
                        schema: old.schema.clone(),
                        name: fold_ident(new_name),
                        span: old.span,
                    }),
                    _ => None,
                };
                Change::OtherRoutines(std::iter::once(old).chain(new).collect())
            }
            Statement::CreateProcedure { name, .. } => Change::OtherRoutines(vec![self.obj(name)]),
            Statement::CreateAggregate(ca) => Change::OtherRoutines(vec![self.obj(&ca.name)]),
            Statement::DropProcedure { proc_desc, .. } => {
                Change::OtherRoutines(proc_desc.iter().map(|f| self.obj(&f.name)).collect())
            }
            Statement::CreateTrigger(ct) => match &ct.exec_body {
                Some(body) => Change::CreateTrigger {
                    name: self.trigger_name(&ct.name),
                    table: self.obj(&ct.table_name),
                    function: self.obj(&body.func_desc.name),
                    or_replace: ct.or_replace,
                    instead_of: matches!(ct.period, Some(ast::TriggerPeriod::InsteadOf)),
                    row: matches!(
                        ct.trigger_object,
                        Some(
                            ast::TriggerObjectKind::For(ast::TriggerObject::Row)
                                | ast::TriggerObjectKind::ForEach(ast::TriggerObject::Row)
                        )
                    ),
                    calls: self.calls(&ct.condition),
                    when_columns: ct
                        .condition
                        .iter()
                        .flat_map(|e| own_columns(self, e, &["old", "new"], false))
                        .collect(),
                    when_constants: ct
                        .condition
                        .iter()
                        .flat_map(|e| constants_within(self, e, &["old", "new"], 0, false))
                        .collect(),
                    update_of: ct
                        .events
                        .iter()
                        .flat_map(|e| match e {
                            ast::TriggerEvent::Update(columns) => columns.as_slice(),
                            _ => &[],
                        })
                        .map(|c| self.col(c))
                        .collect(),
                },
                None => Change::Other,
            },
            Statement::DropTrigger(dt) => match &dt.table_name {
                Some(table) => Change::DropTrigger {
                    name: self.trigger_name(&dt.trigger_name),
                    table: self.obj(table),
                    if_exists: dt.if_exists,
                    cascade: matches!(dt.option, Some(ReferentialAction::Cascade)),
                },
                None => Change::Other,
            },
            Statement::AlterTrigger(at) => match &at.operation {
                ast::AlterTriggerOperation::Rename { new_name } => Change::RenameTrigger {
                    name: self.col(&at.name),
                    table: self.obj(&at.table_name),
                    to: fold_ident(new_name),
                },
                ast::AlterTriggerOperation::DependsOnExtension { .. } => Change::Other,
            },
            Statement::CreateSchema {
                schema_name,
                if_not_exists,
                ..
            } => {
                let (name, span) = match schema_name {
                    SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => {
                        let o = self.obj(n);
                        (o.name, o.span)
                    }
                    SchemaName::UnnamedAuthorization(i) => (fold_ident(i), self.ident_span(i)),
                };
                Change::CreateSchema {
                    name,
                    if_not_exists: *if_not_exists,
                    span,
                }
            }
            Statement::AlterSchema(a) => match a.operations.as_slice() {
                [ast::AlterSchemaOperation::Rename { name }] => Change::RenameSchema {
                    name: self.obj(&a.name),
                    to: self.obj(name).name,
                },
                _ => Change::Other,
            },
            Statement::Set(set) => {
                let change = self.set(set);
                let local = matches!(
                    set,
                    ast::Set::SingleAssignment {
                        scope: Some(ast::ContextModifier::Local),
                        ..
                    }
                );
                if local && matches!(change, Change::SetSearchPath(_) | Change::ResetSearchPath) {
                    Change::SetLocal(Box::new(change))
                } else {
                    change
                }
            }
            Statement::Reset(r)
                if format!("{r}")
                    .to_ascii_lowercase()
                    .contains("check_function_bodies") =>
            {
                Change::CheckFunctionBodies(true)
            }
            Statement::Reset(r) => {
                if format!("{r}").to_ascii_lowercase().contains("search_path")
                    || format!("{r}").to_ascii_lowercase().contains(" all")
                {
                    Change::ResetSearchPath
                } else {
                    Change::Other
                }
            }
            Statement::StartTransaction { .. } => Change::Begin,
            Statement::Commit { .. } => Change::Commit,
            Statement::Rollback {
                savepoint: None, ..
            } => Change::Rollback,
            Statement::Rollback {
                savepoint: Some(name),
                ..
            } => Change::RollbackTo(fold_ident(name)),
            Statement::Savepoint { name } => Change::Savepoint(fold_ident(name)),
            Statement::ReleaseSavepoint { name } => Change::ReleaseSavepoint(fold_ident(name)),
            Statement::Insert(ins) => self.insert(ins),
            Statement::Update(up) => self.update(up),
            Statement::Delete(del) => self.delete(del),
            Statement::Grant(g) => self.privileges(&g.privileges, g.objects.as_ref()),
            Statement::Revoke(r) => self.privileges(&r.privileges, r.objects.as_ref()),
            Statement::Truncate(t) => Change::Truncate {
                tables: t.table_names.iter().map(|t| self.obj(&t.name)).collect(),
            },
            Statement::Copy {
                source:
                    CopySource::Table {
                        table_name,
                        columns,
                    },
                ..
            } => Change::Copy {
                table: self.obj(table_name),
                columns: columns.iter().map(|c| self.col(c)).collect(),
            },
            Statement::Copy {
                source: CopySource::Query(q),
                ..
            } => Change::Query(self.query_refs(&**q, None)),
            Statement::Query(q) => set_config(q)
                .or_else(|| self.select_into(q))
                .unwrap_or_else(|| Change::Query(self.query_refs(&**q, None))),
            Statement::Comment {
                object_type,
                object_name,
                comment,
                if_exists,
            } => {
                // A dollar-quoted text, read by the compat rewrite.
                let text = self.stmt.compat.iter().find_map(|n| match n {
                    Compat::CommentText(t) => Some(t.clone()),
                    _ => None,
                });
                self.comment(
                    *object_type,
                    object_name,
                    *if_exists,
                    text.or_else(|| comment.clone()),
                )
            }
            Statement::CreatePolicy(cp) => {
                let table = self.obj(&cp.table_name);
                let (columns, constants) = self.policy_columns(&table, [&cp.using, &cp.with_check]);
                Change::CreatePolicy {
                    name: fold_ident(&cp.name).to_string(),
                    calls: [self.calls(&cp.using), self.calls(&cp.with_check)],
                    columns,
                    constants,
                    table,
                }
            }
            Statement::DropPolicy(dp) => Change::DropPolicy {
                table: self.obj(&dp.table_name),
                name: fold_ident(&dp.name).to_string(),
                if_exists: dp.if_exists,
            },
            Statement::AlterPolicy(ap) => match &ap.operation {
                ast::AlterPolicyOperation::Rename { new_name } => Change::RenamePolicy {
                    table: self.obj(&ap.table_name),
                    name: fold_ident(&ap.name).to_string(),
                    to: fold_ident(new_name).to_string(),
                },
                ast::AlterPolicyOperation::Apply {
                    using, with_check, ..
                } if using.is_some() || with_check.is_some() => {
                    let table = self.obj(&ap.table_name);
                    let (columns, constants) = self.policy_columns(&table, [using, with_check]);
                    Change::AlterPolicyExpressions {
                        name: fold_ident(&ap.name).to_string(),
                        calls: [
                            using.as_ref().map(|e| self.calls(e)),
                            with_check.as_ref().map(|e| self.calls(e)),
                        ],
                        columns,
                        constants,
                        table,
                    }
                }
                ast::AlterPolicyOperation::Apply { .. } => Change::Other,
            },
            Statement::AlterIndex {
                name,
                operation: ast::AlterIndexOperation::RenameIndex { index_name },
            } => Change::AlterIndexRename {
                index: self.obj(name),
                to: self.obj(index_name).name,
                if_exists: self.noted(&Compat::IfExists),
            },
            Statement::CreateRule(r) => Change::CreateRule {
                table: self.obj(&r.table_name),
            },
            Statement::Raise(_) => Change::Rejected {
                refusal: super::Refusal::new(
                    "RAISE is PL/pgSQL: PostgreSQL rejects it outside a DO block or function body",
                    crate::parse::RAISE_HELP,
                ),
                at: None,
                intended: None,
            },
            _ => Change::Other,
        }
    }

    fn create_function(&self, cf: &ast::CreateFunction) -> Change {
        let args = self.input_args(cf.args.as_deref().unwrap_or_default(), &cf.name);
        let returns_trigger = match &cf.return_type {
            Some(ast::FunctionReturnType::DataType(DataType::Trigger)) => Some(true),
            Some(ast::FunctionReturnType::DataType(DataType::Custom(n, _)))
                if n.to_string().eq_ignore_ascii_case("trigger") =>
            {
                Some(true)
            }
            Some(_) => Some(false),
            None => None,
        };
        let outputs = cf
            .args
            .iter()
            .flatten()
            .any(|a| matches!(a.mode, Some(ast::ArgMode::Out | ast::ArgMode::InOut)));
        let anchor = sqlparser::ast::Spanned::span(&cf.name);
        let returns = match &cf.return_type {
            _ if outputs => None,
            Some(ast::FunctionReturnType::DataType(DataType::Table(_))) | None => None,
            Some(ast::FunctionReturnType::DataType(dt)) => Some((self.type_ref(dt, anchor), false)),
            Some(ast::FunctionReturnType::SetOf(dt)) => Some((self.type_ref(dt, anchor), true)),
        };
        let language = |name: &str| {
            cf.language
                .as_ref()
                .is_some_and(|l| l.value.eq_ignore_ascii_case(name))
        };
        let plpgsql = language("plpgsql");
        let c_language = language("c") || language("internal");
        let (body_relations, body_queries) = self.sql_function_body(cf);
        let arg_names = cf
            .args
            .iter()
            .flatten()
            .filter(|a| !matches!(a.mode, Some(ast::ArgMode::Out)))
            .map(|a| a.name.as_ref().map(fold_ident))
            .collect();
        let inputs = cf
            .args
            .iter()
            .flatten()
            .filter(|a| !matches!(a.mode, Some(ast::ArgMode::Out)));
        Change::CreateFunction {
            name: self.obj(&cf.name),
            or_replace: cf.or_replace,
            args,
            arg_names,
            defaults: inputs.clone().filter(|a| a.default_expr.is_some()).count(),
            variadic: inputs
                .clone()
                .any(|a| matches!(a.mode, Some(ast::ArgMode::Variadic))),
            returns_trigger,
            returns,
            plpgsql,
            c_language,
            volatility: cf
                .behavior
                .as_ref()
                .map_or(Volatility::Volatile, volatility),
            sql_language: cf.language.is_none() || language("sql"),
            body_relations,
            body_queries,
        }
    }

    /// The types of a function's input arguments (IN, INOUT, VARIADIC; not OUT).
    fn input_args(&self, args: &[ast::OperateFunctionArg], name: &ObjectName) -> Vec<TypeRef> {
        let anchor = sqlparser::ast::Spanned::span(name);
        args.iter()
            .filter(|a| !matches!(a.mode, Some(ast::ArgMode::Out)))
            .map(|a| self.type_ref(&a.data_type, anchor))
            .collect()
    }

    fn func_ref(&self, f: &ast::FunctionDesc) -> FuncRef {
        FuncRef {
            name: self.obj(&f.name),
            args: f.args.as_ref().map(|a| self.input_args(a, &f.name)),
        }
    }

    /// A trigger's name (PostgreSQL allows no schema on it: the table's is used).
    fn trigger_name(&self, name: &ObjectName) -> ColName {
        let o = self.obj(name);
        ColName {
            name: o.name,
            span: o.span,
        }
    }

    /// What a `LANGUAGE sql` function body reads, when the body is only queries and DML
    /// (PostgreSQL analyses such bodies at CREATE FUNCTION): its queries when it is only
    /// SELECTs and the function names no argument, else its relations (see
    /// [`Change::CreateFunction`]). Their spans point at the body.
    fn sql_function_body(&self, cf: &ast::CreateFunction) -> (Vec<RelRef>, Vec<QueryRefs>) {
        let is_sql = cf
            .language
            .as_ref()
            .is_some_and(|l| l.value.eq_ignore_ascii_case("sql"));
        let body = match &cf.function_body {
            Some(
                ast::CreateFunctionBody::AsBeforeOptions { body, .. }
                | ast::CreateFunctionBody::AsAfterOptions(body),
            ) => body,
            _ => return (Vec::new(), Vec::new()),
        };
        let Expr::Value(v) = body else {
            return (Vec::new(), Vec::new());
        };
        let text = match &v.value {
            ast::Value::SingleQuotedString(s) => s.clone(),
            ast::Value::DollarQuotedString(d) => d.value.clone(),
            _ => return (Vec::new(), Vec::new()),
        };
        if !is_sql {
            return (Vec::new(), Vec::new());
        }
        let Ok(statements) = parse::tokenize::parse_statements(&text) else {
            return (Vec::new(), Vec::new());
        };
        let dml = statements.iter().all(|s| {
            matches!(
                s,
                Statement::Query(_)
                    | Statement::Insert(_)
                    | Statement::Update(_)
                    | Statement::Delete(_)
            )
        });
        if !dml {
            return (Vec::new(), Vec::new());
        }
        let span = self.span_of(v.span);
        let named = cf.args.iter().flatten().any(|a| a.name.is_some());
        if !named && statements.iter().all(|s| matches!(s, Statement::Query(_))) {
            let queries = statements
                .iter()
                .map(|s| {
                    let mut q = self.query_refs(s, None);
                    q.calls.clear();
                    q.constants.clear();
                    for r in &mut q.relations {
                        r.name.span = span;
                    }
                    for c in &mut q.columns {
                        c.column.span = span;
                    }
                    for c in &mut q.plain_columns {
                        c.span = span;
                    }
                    q
                })
                .collect();
            return (Vec::new(), queries);
        }
        let mut out = Vec::new();
        for s in &statements {
            let mut c = RefCollector::default_with(self);
            let _ = s.visit(&mut c);
            for mut r in c.relations {
                if r.name.schema.is_none() && c.ctes.contains(&r.name.name) {
                    continue;
                }
                r.name.span = span;
                out.push(r);
            }
            if let Statement::Insert(ins) = s
                && let TableObject::TableName(n) = &ins.table
            {
                let mut o = self.obj(n);
                o.span = span;
                out.push(RelRef {
                    alias: o.name.clone(),
                    name: o,
                });
            }
        }
        (out, Vec::new())
    }

    fn set(&self, set: &ast::Set) -> Change {
        if let ast::Set::SetNames { charset_name, .. } = set
            && charset_name.quote_style == Some('\'')
            && matches!(
                charset_name.value.to_ascii_lowercase().as_str(),
                "utf8mb4" | "utf8mb3"
            )
        {
            return Change::refused(
                super::Refusal::new(
                    format!(
                        "invalid value for parameter \"client_encoding\": \"{}\"",
                        charset_name.value
                    ),
                    "MySQL's name: PostgreSQL's encoding is `'UTF8'`",
                ),
                self.ident_span(charset_name),
            );
        }
        if let ast::Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        } = set
        {
            // `SET GLOBAL` is refused by the grammar first (see `foreign::syntax`).
            if let [name] = self.idents(variable).as_slice()
                && *scope != Some(ast::ContextModifier::Global)
                && let Some(help) = crate::parse::command::mysql_setting(&name.value)
            {
                return Change::refused(
                    super::Refusal::new(
                        format!(
                            "unrecognized configuration parameter \"{}\"",
                            fold_ident(name)
                        ),
                        help,
                    ),
                    self.ident_span(name),
                );
            }
            let var = self
                .idents(variable)
                .last()
                .map(|i| i.value.to_ascii_lowercase())
                .unwrap_or_default();
            if var == "check_function_bodies" {
                let on = values.first().map(|v| {
                    let text = v.to_string().trim_matches('\'').to_ascii_lowercase();
                    !matches!(text.as_str(), "false" | "off" | "0" | "no")
                });
                return Change::CheckFunctionBodies(on.unwrap_or(true));
            }
            if var == "search_path" {
                let mut schemas = Vec::new();
                for v in values {
                    match v {
                        Expr::Identifier(i) => schemas.push(fold_ident(i)),
                        Expr::Value(val) => {
                            if let ast::Value::SingleQuotedString(s) = &val.value {
                                schemas.extend(search_path_list(s));
                            } else if matches!(&val.value, ast::Value::Placeholder(_)) {
                                return Change::Other;
                            }
                        }
                        _ => {
                            let text = v.to_string().to_ascii_lowercase();
                            if text == "default" {
                                return Change::ResetSearchPath;
                            }
                        }
                    }
                }
                if schemas.iter().any(|s| s == "default") {
                    return Change::ResetSearchPath;
                }
                return Change::SetSearchPath(schemas);
            }
        }
        Change::Other
    }

    fn comment(
        &self,
        object_type: CommentObject,
        name: &ObjectName,
        if_exists: bool,
        text: Option<String>,
    ) -> Change {
        let kind = match object_type {
            CommentObject::Table => CommentKind::Table,
            CommentObject::Column => CommentKind::Column,
            CommentObject::View => CommentKind::View,
            CommentObject::MaterializedView => CommentKind::MaterializedView,
            CommentObject::Index => CommentKind::Index,
            CommentObject::Type | CommentObject::Domain => CommentKind::Type,
            CommentObject::Schema => CommentKind::Schema,
            _ => CommentKind::Other,
        };
        let policy = self.stmt.compat.iter().find_map(|n| match n {
            Compat::PolicyComment(p) => Some(p),
            _ => None,
        });
        if let (CommentObject::Table, Some(policy)) = (object_type, policy) {
            return Change::CommentOnPolicy {
                table: self.obj(name),
                name: policy.clone(),
            };
        }
        if object_type == CommentObject::Function {
            let args = self.stmt.compat.iter().find_map(|n| match n {
                Compat::CommentArguments(list) => Some(list.as_str()),
                _ => None,
            });
            return self.commented_function(name, args);
        }
        if kind == CommentKind::Column {
            let parts = self.idents(name);
            let (Some(col), rest) = (parts.last(), parts.len().saturating_sub(1)) else {
                return Change::Other;
            };
            let table_parts: Vec<Ident> = parts.iter().take(rest).map(|i| (*i).clone()).collect();
            if table_parts.is_empty() {
                return Change::Other;
            }
            let table_name = ObjectName(
                table_parts
                    .into_iter()
                    .map(ObjectNamePart::Identifier)
                    .collect(),
            );
            return Change::Comment {
                kind,
                target: self.obj(&table_name),
                column: Some(self.col(col)),
                if_exists,
                text,
            };
        }
        Change::Comment {
            kind,
            target: self.obj(name),
            column: None,
            if_exists,
            text,
        }
    }

    /// `COMMENT ON FUNCTION name[(args)]`: the argument list, kept aside by the compat
    /// rewrite, is read as `DROP FUNCTION`'s would be; one sqlparser does not read makes the
    /// statement nothing the replay checks.
    fn commented_function(&self, name: &ObjectName, args: Option<&str>) -> Change {
        let Some(list) = args else {
            return Change::CommentOnFunction(FuncRef {
                name: self.obj(name),
                args: None,
            });
        };
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let text = format!("DROP FUNCTION f({list})");
        let parsed = sqlparser::parser::Parser::parse_sql(&dialect, &text);
        let desc_args = match parsed.as_deref() {
            Ok([Statement::DropFunction(df)]) => df.func_desc.first().and_then(|f| f.args.clone()),
            _ => None,
        };
        match desc_args {
            Some(a) => Change::CommentOnFunction(FuncRef {
                name: self.obj(name),
                args: Some(self.input_args(&a, name)),
            }),
            None => Change::Other,
        }
    }

    // ----- CREATE TABLE ------------------------------------------------------------------

    fn create_table(&self, ct: &ast::CreateTable) -> Change {
        let name = self.obj(&ct.name);
        let columns = ct.columns.iter().map(|c| self.column_def(c)).collect();
        let constraints = ct
            .constraints
            .iter()
            .map(|c| self.table_constraint(c, false))
            .collect();
        let mut like = match &ct.like {
            Some(
                ast::CreateTableLikeKind::Parenthesized(l) | ast::CreateTableLikeKind::Plain(l),
            ) => {
                vec![(self.obj(&l.name), Vec::new())]
            }
            None => Vec::new(),
        };
        for note in &self.stmt.compat {
            if let Compat::Like {
                source,
                offset,
                options,
            } = note
            {
                let at = self
                    .stmt
                    .offsets
                    .file_span(self.file, *offset..offset + source.len());
                like.push((recovered_name(source, at), options.clone()));
            }
        }
        let as_query = ct.query.as_ref().map(|q| {
            let refs = self.query_refs(&**q, None);
            let names = output_names(q);
            (refs, names)
        });
        let as_star_of = ct.query.as_ref().and_then(|q| self.star_of(q));
        let (partition_key, partition_key_plain) = ct
            .partition_by
            .as_deref()
            .map(|e| self.partition_key(e))
            .unwrap_or_default();
        Change::CreateTable(Box::new(TableDef {
            name,
            if_not_exists: ct.if_not_exists,
            kind: if ct.partition_by.is_some() {
                TableKindDef::Partitioned
            } else {
                TableKindDef::Table
            },
            temporary: ct.temporary,
            on_commit_drop: matches!(ct.on_commit, Some(sqlparser::ast::OnCommit::Drop)),
            columns,
            constraints,
            partition_of: ct.partition_of.as_ref().map(|p| self.obj(p)),
            inherits: ct.inherits.iter().flatten().map(|p| self.obj(p)).collect(),
            like,
            as_query,
            as_star_of,
            partition_key,
            partition_key_plain,
        }))
    }

    fn column_def(&self, c: &ast::ColumnDef) -> ColumnDef {
        let name = self.col(&c.name);
        let ty = self.type_ref(&c.data_type, c.name.span);
        let mut def = ColumnDef {
            span: name.span,
            name: name.clone(),
            not_null: false,
            default: None,
            default_null: None,
            calls: Vec::new(),
            value_functions: Vec::new(),
            casts: Vec::new(),
            regclass: Vec::new(),
            identity: false,
            always: GeneratedAlways::No,
            expr_columns: Vec::new(),
            constraints: Vec::new(),
            ty,
        };
        for opt in &c.options {
            let cname = opt.name.as_ref().map(fold_ident);
            let span = def.span;
            match &opt.option {
                ColumnOption::NotNull => def.not_null = true,
                ColumnOption::Null => {}
                ColumnOption::Default(e) => {
                    def.default = Some(e.to_compact_string());
                    def.default_null = self.null_constant(e);
                    def.calls = self.calls(e);
                    def.regclass = self.regclass(e);
                    def.expr_columns = own_columns(self, e, &[], true);
                }
                ColumnOption::Generated {
                    generation_expr: None,
                    generated_as,
                    ..
                } => {
                    def.identity = true;
                    if *generated_as == GeneratedAs::Always {
                        def.always = GeneratedAlways::Identity;
                    }
                }
                ColumnOption::Identity(_) => def.identity = true,
                ColumnOption::Generated {
                    generation_expr: Some(e),
                    ..
                } => {
                    def.default = Some(e.to_compact_string());
                    def.calls = self.calls(e);
                    def.value_functions = self.value_functions(e);
                    def.casts = column_casts(self, e, &[]);
                    def.always = GeneratedAlways::Expression;
                    def.expr_columns = own_columns(self, e, &[], true);
                }
                ColumnOption::PrimaryKey(_) => def.constraints.push(ConstraintDef {
                    name: cname,
                    kind: ConstraintKind::PrimaryKey(vec![name.clone()]),
                    span,
                    include: Vec::new(),
                }),
                ColumnOption::Unique(_) => def.constraints.push(ConstraintDef {
                    name: cname,
                    kind: ConstraintKind::Unique(vec![name.clone()]),
                    span,
                    include: Vec::new(),
                }),
                ColumnOption::ForeignKey(fk) => {
                    let mut c = self.fk(fk, false);
                    if let ConstraintKind::ForeignKey(f) = &mut c.kind {
                        f.columns = vec![name.clone()];
                    }
                    c.name = cname.or(c.name);
                    def.constraints.push(c);
                }
                ColumnOption::Check(ch) => def.constraints.push(ConstraintDef {
                    name: cname.or_else(|| ch.name.as_ref().map(fold_ident)),
                    kind: ConstraintKind::Check {
                        expr: ch.expr.to_string(),
                        columns: expr_columns(self, &ch.expr),
                        calls: self.calls(&ch.expr),
                        constants: constant_uses(self, &ch.expr, &[]),
                        no_inherit: ch.no_inherit,
                    },
                    span,
                    include: Vec::new(),
                }),
                _ => {}
            }
        }
        def
    }

    fn table_constraint(&self, c: &TableConstraint, not_valid: bool) -> ConstraintDef {
        let span = self.span_of(sqlparser::ast::Spanned::span(c));
        match c {
            TableConstraint::PrimaryKey(pk) => ConstraintDef {
                name: pk.name.as_ref().map(fold_ident),
                kind: ConstraintKind::PrimaryKey(self.index_columns(&pk.columns)),
                span,
                include: pk.include.iter().map(|i| self.col(i)).collect(),
            },
            TableConstraint::Unique(u) => ConstraintDef {
                name: u.name.as_ref().map(fold_ident),
                kind: ConstraintKind::Unique(self.index_columns(&u.columns)),
                span,
                include: u.include.iter().map(|i| self.col(i)).collect(),
            },
            TableConstraint::ForeignKey(fk) => self.fk(fk, not_valid),
            TableConstraint::Check(ch) => ConstraintDef {
                name: ch.name.as_ref().map(fold_ident),
                kind: ConstraintKind::Check {
                    expr: ch.expr.to_string(),
                    columns: expr_columns(self, &ch.expr),
                    calls: self.calls(&ch.expr),
                    constants: constant_uses(self, &ch.expr, &[]),
                    no_inherit: ch.no_inherit,
                },
                span,
                include: Vec::new(),
            },
            TableConstraint::UniqueUsingIndex(u) | TableConstraint::PrimaryKeyUsingIndex(u) => {
                ConstraintDef {
                    name: u.name.as_ref().map(fold_ident),
                    kind: ConstraintKind::UsingIndex {
                        primary: matches!(c, TableConstraint::PrimaryKeyUsingIndex(_)),
                        index: fold_ident(&u.index_name).to_string(),
                    },
                    span,
                    include: Vec::new(),
                }
            }
            TableConstraint::Exclude(x) => ConstraintDef {
                name: x.name.as_ref().map(fold_ident),
                kind: ConstraintKind::Exclude(self.exclude(x)),
                span,
                include: Vec::new(),
            },
            _ => ConstraintDef {
                name: constraint_name(c).map(Into::into),
                kind: ConstraintKind::Other,
                span,
                include: Vec::new(),
            },
        }
    }

    fn exclude(&self, x: &ast::ExcludeConstraint) -> ExcludeDef {
        let mut mentions = Vec::new();
        let mut name_parts = Vec::new();
        let columns = x
            .elements
            .iter()
            .map(|e| match &e.column.column.expr {
                Expr::Identifier(i) => {
                    let cn = self.col(i);
                    mentions.push(cn.clone());
                    name_parts.push(cn.name.to_string());
                    Some(cn)
                }
                expr => {
                    mentions.extend(own_columns(self, expr, &[], true));
                    name_parts.push(index_name_part(expr).to_string());
                    None
                }
            })
            .collect();
        for i in &x.include {
            let cn = self.col(i);
            name_parts.push(cn.name.to_string());
            mentions.push(cn);
        }
        if let Some(p) = &x.where_clause {
            mentions.extend(own_columns(self, p, &[], true));
        }
        ExcludeDef {
            columns,
            name_parts,
            mentions,
            method: x
                .index_method
                .as_ref()
                .map(|m| m.value.to_ascii_lowercase()),
            partial: x.where_clause.is_some(),
        }
    }

    fn index_columns(&self, cols: &[ast::IndexColumn]) -> Vec<ColName> {
        cols.iter()
            .filter_map(|c| match &c.column.expr {
                Expr::Identifier(i) => Some(self.col(i)),
                _ => None,
            })
            .collect()
    }

    fn fk(&self, fk: &ast::ForeignKeyConstraint, not_valid: bool) -> ConstraintDef {
        let target = self.obj(&fk.foreign_table);
        let columns: Vec<ColName> = fk.columns.iter().map(|c| self.col(c)).collect();
        let span = match columns.first() {
            Some(c) => Span::new(
                self.file,
                c.span.start(),
                target.span.end().max(c.span.start()),
            ),
            None => target.span,
        };
        ConstraintDef {
            name: fk.name.as_ref().map(fold_ident),
            kind: ConstraintKind::ForeignKey(FkDef {
                columns,
                target_columns: fk.referred_columns.iter().map(|c| self.col(c)).collect(),
                target,
                on_delete: action(fk.on_delete.as_ref()).into(),
                on_update: action(fk.on_update.as_ref()).into(),
                not_valid,
            }),
            span,
            include: Vec::new(),
        }
    }

    /// `NULL`, parenthesised or cast (`::`, `CAST`), as a default (see [`NullConstant`]).
    fn null_constant(&self, e: &Expr) -> Option<NullConstant> {
        match e {
            Expr::Value(v) if v.value == ast::Value::Null => {
                Some(NullConstant { casts: Vec::new() })
            }
            Expr::Nested(inner) => self.null_constant(inner),
            Expr::Cast {
                kind: ast::CastKind::Cast | ast::CastKind::DoubleColon,
                expr,
                data_type,
                format: None,
            } => {
                let mut n = self.null_constant(expr)?;
                n.casts
                    .push(self.type_ref(data_type, sqlparser::ast::Spanned::span(expr.as_ref())));
                Some(n)
            }
            _ => None,
        }
    }

    // ----- types -----------------------------------------------------------------------

    fn type_ref(&self, dt: &DataType, anchor: sqlparser::tokenizer::Span) -> TypeRef {
        let span = self.span_of(anchor);
        let mut array = 0;
        let mut inner = dt;
        // `int[]`, `int ARRAY` (SQL's spelling), `ARRAY<int>`.
        while let DataType::Array(
            ArrayElemTypeDef::SquareBracket(t, _)
            | ArrayElemTypeDef::AngleBracket(t)
            | ArrayElemTypeDef::Qualified(t, _),
        ) = inner
        {
            array += 1;
            inner = t;
        }
        let (text, user, serial) = match inner {
            DataType::Custom(name, mods) => {
                let parts = self.idents(name);
                let last = parts.last().map(|i| i.value.clone()).unwrap_or_default();
                let quoted = parts.last().is_some_and(|i| i.quote_style.is_some());
                let in_catalog = parts.len() == 1
                    || parts
                        .first()
                        .is_some_and(|p| p.value.eq_ignore_ascii_case("pg_catalog"));
                let mods: Vec<String> = mods.iter().map(ToString::to_string).collect();
                let builtin = if in_catalog && !quoted {
                    pgtype::canonical_builtin(&last, &mods, None)
                        .or_else(|| pgtype::other_catalog_type(&last.to_ascii_lowercase(), &mods))
                } else if in_catalog && quoted && last == "char" {
                    Some("\"char\"".to_string())
                } else if in_catalog && quoted && pgtype::is_quoted_catalog_type(&last) {
                    pgtype::canonical_builtin(&last, &mods, None)
                } else if in_catalog && quoted {
                    pgtype::other_catalog_type(&last, &mods)
                } else {
                    None
                };
                match builtin {
                    // A quoted name got here only as written in lowercase: "serial" is serial.
                    Some(t) => (Name::from(t), None, pgtype::is_serial(&last)),
                    None => {
                        let o = self.obj(name);
                        (o.name.clone(), Some(o), false)
                    }
                }
            }
            other => match foreign::type_name(other) {
                // PostgreSQL reads a type name it does not have, unless the history creates one.
                Some(name) => {
                    let o = ObjName {
                        schema: None,
                        name: name.into(),
                        span,
                    };
                    (o.name.clone(), Some(o), false)
                }
                None => (self.builtin_text(other).into(), None, false),
            },
        };
        let text = if array > 0 {
            compact_str::format_compact!("{text}[]")
        } else {
            text
        };
        TypeRef {
            text,
            user,
            array,
            serial,
            span,
        }
    }

    fn builtin_text(&self, dt: &DataType) -> String {
        let len = |l: &Option<CharacterLength>| match l {
            Some(CharacterLength::IntegerLength { length, .. }) => vec![length.to_string()],
            _ => Vec::new(),
        };
        let prec = |p: &Option<u64>| p.map(|p| vec![p.to_string()]).unwrap_or_default();
        let exact = |e: &ExactNumberInfo| match e {
            ExactNumberInfo::None => Vec::new(),
            ExactNumberInfo::Precision(p) => vec![p.to_string()],
            ExactNumberInfo::PrecisionAndScale(p, s) => vec![p.to_string(), s.to_string()],
        };
        let tz = |t: &TimezoneInfo| match t {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => Some(true),
            _ => Some(false),
        };
        let canon = |name: &str, mods: Vec<String>, z: Option<bool>| {
            pgtype::canonical_builtin(name, &mods, z)
                .unwrap_or_else(|| dt.to_string().to_ascii_lowercase())
        };
        match dt {
            DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_) => "integer".into(),
            DataType::SmallInt(_) | DataType::Int2(_) => "smallint".into(),
            DataType::BigInt(_) | DataType::Int8(_) => "bigint".into(),
            DataType::Real | DataType::Float4 => "real".into(),
            DataType::DoublePrecision | DataType::Float8 => "double precision".into(),
            DataType::Double(e) | DataType::Float(e) => canon("float", exact(e), None),
            DataType::Numeric(e) | DataType::Decimal(e) | DataType::Dec(e) => {
                canon("numeric", exact(e), None)
            }
            DataType::Bool | DataType::Boolean => "boolean".into(),
            DataType::Text => "text".into(),
            DataType::Varchar(l) | DataType::CharacterVarying(l) | DataType::CharVarying(l) => {
                canon("varchar", len(l), None)
            }
            DataType::Char(l) | DataType::Character(l) => canon("char", len(l), None),
            DataType::Uuid => "uuid".into(),
            DataType::JSON => "json".into(),
            DataType::JSONB => "jsonb".into(),
            DataType::Bytea => "bytea".into(),
            DataType::Date => "date".into(),
            DataType::Timestamp(p, z) => canon("timestamp", prec(p), tz(z)),
            DataType::Time(p, z) => canon("time", prec(p), tz(z)),
            DataType::Interval { .. } => "interval".into(),
            DataType::Bit(p) => canon("bit", prec(p), None),
            DataType::BitVarying(p) | DataType::VarBit(p) => canon("varbit", prec(p), None),
            DataType::Regclass => "regclass".into(),
            DataType::TsVector => "tsvector".into(),
            DataType::TsQuery => "tsquery".into(),
            other => {
                let text = other.to_string();
                let lower = text.to_ascii_lowercase();
                pgtype::canonical_builtin(&lower, &[], None).unwrap_or(lower)
            }
        }
    }

    // ----- ALTER TABLE ------------------------------------------------------------------

    fn alter_op(&self, op: &AlterTableOperation) -> Vec<AlterAction> {
        let one = |a| vec![a];
        match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => one(AlterAction::AddColumn {
                def: self.column_def(column_def),
                if_not_exists: *if_not_exists,
            }),
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                drop_behavior,
                ..
            } => column_names
                .iter()
                .map(|c| AlterAction::DropColumn {
                    name: self.col(c),
                    if_exists: *if_exists,
                    cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
                })
                .collect(),
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => one(AlterAction::RenameColumn {
                from: self.col(old_column_name),
                to: self.col(new_column_name),
            }),
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::As(n) | RenameTableNameKind::To(n)) = table_name;
                one(AlterAction::RenameTable(self.obj(n)))
            }
            AlterTableOperation::AddConstraint {
                constraint,
                not_valid,
            } => one(AlterAction::AddConstraint(
                self.table_constraint(constraint, *not_valid),
            )),
            AlterTableOperation::DropConstraint {
                if_exists,
                name,
                drop_behavior,
            } => one(AlterAction::DropConstraint {
                name: fold_ident(name),
                if_exists: *if_exists,
                cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
                span: self.ident_span(name),
            }),
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                one(AlterAction::RenameConstraint {
                    from: fold_ident(old_name),
                    to: fold_ident(new_name),
                    span: self.ident_span(old_name),
                })
            }
            AlterTableOperation::ValidateConstraint { name } => {
                one(AlterAction::ValidateConstraint {
                    name: fold_ident(name),
                    span: self.ident_span(name),
                })
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let c = self.col(column_name);
                one(match op {
                    AlterColumnOperation::SetNotNull => AlterAction::SetNotNull(c),
                    AlterColumnOperation::DropNotNull => AlterAction::DropNotNull(c),
                    AlterColumnOperation::SetDefault { value } => AlterAction::SetDefault {
                        column: c,
                        expr: value.to_string(),
                        null: self.null_constant(value),
                        calls: self.calls(value),
                        regclass: self.regclass(value),
                        expr_columns: own_columns(self, value, &[], true),
                    },
                    AlterColumnOperation::DropDefault => AlterAction::DropDefault(c),
                    AlterColumnOperation::SetDataType {
                        data_type, using, ..
                    } => AlterAction::SetType {
                        ty: self.type_ref(data_type, column_name.span),
                        column: c,
                        using: using.is_some(),
                        casts: using
                            .as_ref()
                            .map(|e| column_casts(self, e, &[]))
                            .unwrap_or_default(),
                    },
                    AlterColumnOperation::AddGenerated { generated_as, .. } => {
                        AlterAction::AddIdentity {
                            always: *generated_as == Some(GeneratedAs::Always),
                            column: c,
                            sequence: self.stmt.compat.iter().find_map(|n| match n {
                                Compat::IdentitySequence(name) => {
                                    Some(recovered_name(name, self.stmt.span))
                                }
                                _ => None,
                            }),
                        }
                    }
                    AlterColumnOperation::GenericOptions { .. } => AlterAction::Other,
                })
            }
            AlterTableOperation::EnableRowLevelSecurity => one(AlterAction::EnableRls),
            AlterTableOperation::ReplicaIdentity { identity } => {
                use sqlparser::ast::ReplicaIdentity as Ri;
                one(AlterAction::ReplicaIdentity(match identity {
                    Ri::Default => ReplicaIdentity::Default,
                    Ri::Nothing => ReplicaIdentity::Nothing,
                    Ri::Full => ReplicaIdentity::Full,
                    Ri::Index(ix) => ReplicaIdentity::Index {
                        name: fold_ident(ix),
                    },
                }))
            }
            AlterTableOperation::DisableRowLevelSecurity => one(AlterAction::DisableRls),
            AlterTableOperation::AttachPartitionOf { partition, .. } => {
                one(AlterAction::AttachPartition(self.obj(partition)))
            }
            AlterTableOperation::DetachPartitionOf { partition, .. } => {
                one(AlterAction::DetachPartition(self.obj(partition)))
            }
            AlterTableOperation::Inherit { parent } => one(AlterAction::Inherit(self.obj(parent))),
            AlterTableOperation::NoInherit { parent } => {
                one(AlterAction::NoInherit(self.obj(parent)))
            }
            AlterTableOperation::DisableTrigger { name }
            | AlterTableOperation::EnableTrigger { name }
            | AlterTableOperation::EnableAlwaysTrigger { name }
            | AlterTableOperation::EnableReplicaTrigger { name }
                if name.quote_style.is_some()
                    || !["all", "user"].contains(&name.value.to_ascii_lowercase().as_str()) =>
            {
                one(AlterAction::TriggerState(self.col(name)))
            }
            _ => one(AlterAction::Other),
        }
    }

    // ----- CREATE INDEX ------------------------------------------------------------------

    fn create_index(&self, ci: &ast::CreateIndex) -> Change {
        let table = self.obj(&ci.table_name);
        let mut mentions = Vec::new();
        let elements = ci
            .columns
            .iter()
            .map(|c| match plain_index_column(&c.column.expr) {
                Some(i) => fold_ident(i),
                None => c.column.expr.to_compact_string(),
            })
            .collect();
        let include: Vec<ColName> = ci.include.iter().map(|i| self.col(i)).collect();
        let names = ci
            .columns
            .iter()
            .map(|c| index_name_part(&c.column.expr))
            .chain(include.iter().map(|c| c.name.clone()))
            .collect();
        let columns = ci
            .columns
            .iter()
            .map(|c| match plain_index_column(&c.column.expr) {
                Some(i) => {
                    let cn = self.col(i);
                    mentions.push(cn.clone());
                    Some(cn)
                }
                None => {
                    mentions.extend(own_columns(self, &c.column.expr, &[], true));
                    None
                }
            })
            .collect();
        // The predicate names the table's columns (PostgreSQL allows no subquery there).
        let own = [table.name.as_str()];
        let casts = [
            column_casts(self, &ci.columns, &own),
            ci.predicate
                .as_ref()
                .map(|p| column_casts(self, p, &own))
                .unwrap_or_default(),
        ];
        let mut predicate_constants = Vec::new();
        if let Some(p) = &ci.predicate {
            mentions.extend(own_columns(self, p, &[table.name.as_str()], true));
            predicate_constants = constant_uses(self, p, &[table.name.as_str()]);
        }
        mentions.extend(include.iter().cloned());
        Change::CreateIndex(Box::new(IndexDef {
            name: ci.name.as_ref().map(|n| self.obj(n)),
            table,
            only: self.noted(&Compat::OnlyKeyword),
            unique: ci.unique,
            if_not_exists: ci.if_not_exists,
            concurrently: ci.concurrently,
            columns,
            elements,
            names,
            include,
            mentions,
            partial: ci.predicate.is_some(),
            calls: tidy_calls([self.calls(&ci.columns), self.calls(&ci.predicate)].concat()),
            predicate_calls: self.calls(&ci.predicate),
            predicate_constants,
            casts,
            value_functions: [
                self.value_functions(&ci.columns),
                self.value_functions(&ci.predicate),
            ],
            method: ci
                .using
                .as_ref()
                .map(|u| u.to_string().to_ascii_lowercase()),
            opclasses: ci
                .columns
                .iter()
                .map(|c| {
                    c.operator_class
                        .as_ref()
                        .map(|o| o.to_string().to_ascii_lowercase())
                })
                .collect(),
            sorts: ci.columns.iter().map(element_sort).collect(),
            not_null_predicate: ci
                .predicate
                .as_ref()
                .and_then(|p| self.not_null_columns(p))
                .unwrap_or_default(),
        }))
    }

    // ----- DML ---------------------------------------------------------------------------

    fn insert(&self, ins: &ast::Insert) -> Change {
        let table = match &ins.table {
            TableObject::TableName(n) => self.obj(n),
            TableObject::TableFunction(_) | TableObject::TableQuery(_) => return Change::Other,
        };
        let columns = ins
            .columns
            .iter()
            .filter_map(|c| self.idents(c).last().map(|i| self.col(i)))
            .collect();
        let on_conflict = match &ins.on {
            Some(OnInsert::OnConflict(oc)) => match &oc.conflict_target {
                Some(AstConflict::Columns { columns, .. }) => Some(ConflictTarget::Columns(
                    columns.iter().map(|c| self.col(c)).collect(),
                )),
                Some(AstConflict::OnConstraint(n)) => {
                    let o = self.obj(n);
                    Some(ConflictTarget::Constraint(o.name.clone(), o.span))
                }
                None => None,
            },
            _ => None,
        };
        let query = ins
            .source
            .as_ref()
            .map(|q| self.query_refs(&**q, None))
            .unwrap_or_default();
        let values = ins.source.as_deref().map(source_rows).unwrap_or_default();
        let certain_rows = ins
            .source
            .as_deref()
            .is_none_or(|q| matches!(&*q.body, SetExpr::Values(_)));
        Change::Insert {
            table,
            columns,
            overriding: ins.overriding.is_some(),
            on_conflict,
            query,
            values,
            certain_rows,
        }
    }

    fn update(&self, up: &ast::Update) -> Change {
        let TableFactor::Table { name, alias, .. } = &up.table.relation else {
            return Change::Other;
        };
        let target = self.obj(name);
        let alias = alias
            .as_ref()
            .map_or_else(|| target.name.clone(), |a| fold_ident(&a.name));
        let values = up
            .assignments
            .iter()
            .flat_map(|a| match &a.target {
                AssignmentTarget::ColumnName(_) => vec![Some(a.value.to_string())],
                AssignmentTarget::Tuple(ns) => vec![None; ns.len()],
            })
            .collect();
        let set = up
            .assignments
            .iter()
            .flat_map(|a| match &a.target {
                AssignmentTarget::ColumnName(n) => self
                    .idents(n)
                    .last()
                    .map(|i| vec![self.col(i)])
                    .unwrap_or_default(),
                AssignmentTarget::Tuple(ns) => ns
                    .iter()
                    .filter_map(|n| self.idents(n).last().map(|i| self.col(i)))
                    .collect(),
            })
            .collect();
        let target_ref = RelRef {
            name: target,
            alias,
        };
        let query = self.query_refs(up, Some(&target_ref));
        Change::Update {
            table: target_ref,
            set,
            query,
            values,
        }
    }

    fn delete(&self, del: &ast::Delete) -> Change {
        let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &del.from;
        let Some(TableFactor::Table { name, alias, .. }) = from.first().map(|t| &t.relation) else {
            return Change::Other;
        };
        let target = self.obj(name);
        let alias = alias
            .as_ref()
            .map_or_else(|| target.name.clone(), |a| fold_ident(&a.name));
        let target_ref = RelRef {
            name: target,
            alias,
        };
        let query = self.query_refs(del, Some(&target_ref));
        Change::Delete {
            table: target_ref,
            query,
        }
    }

    /// The functions an AST node calls: in expressions and as `FROM` sources.
    fn calls<V: Visit>(&self, node: &V) -> Calls {
        struct CallCollector<'a, 'b> {
            lw: &'a Lowerer<'b>,
            out: Calls,
        }
        impl Visitor for CallCollector<'_, '_> {
            type Break = ();
            fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
                if let Expr::Function(f) = e {
                    let args = match &f.args {
                        // `CURRENT_TIMESTAMP` and the like: no function of the history's.
                        ast::FunctionArguments::None => return ControlFlow::Continue(()),
                        ast::FunctionArguments::Subquery(_) => 1,
                        ast::FunctionArguments::List(l) => l.args.len(),
                    };
                    let name = self.lw.obj(&f.name);
                    self.out.push(Call { name, args });
                }
                ControlFlow::Continue(())
            }
            fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
                let call = match tf {
                    TableFactor::Table {
                        name,
                        args: Some(a),
                        ..
                    } => Some((name, a.args.len())),
                    TableFactor::Function { name, args, .. } => Some((name, args.len())),
                    _ => None,
                };
                if let Some((name, args)) = call {
                    let name = self.lw.obj(name);
                    self.out.push(Call { name, args });
                }
                ControlFlow::Continue(())
            }
        }
        let mut c = CallCollector {
            lw: self,
            out: Vec::new(),
        };
        let _ = node.visit(&mut c);
        tidy_calls(c.out)
    }

    /// The SQL value functions an AST node uses (`CURRENT_TIMESTAMP`, `CURRENT_USER`...), in
    /// the order written. sqlparser reads them as calls without an argument list (or, for the
    /// time ones, with a precision); a quoted name is a column.
    fn value_functions<V: Visit>(&self, node: &V) -> ValueFunctions {
        let mut out = Vec::new();
        walk_own(node, usize::MAX, |e, _| {
            if let Expr::Function(f) = e
                && let [ast::ObjectNamePart::Identifier(i)] = f.name.0.as_slice()
                && i.quote_style.is_none()
            {
                let word = i.value.to_ascii_lowercase();
                let time = matches!(
                    word.as_str(),
                    "current_timestamp" | "current_time" | "localtime" | "localtimestamp"
                );
                let keyword = match &f.args {
                    ast::FunctionArguments::None => {
                        time || matches!(
                            word.as_str(),
                            "current_date"
                                | "current_user"
                                | "session_user"
                                | "user"
                                | "current_catalog"
                        )
                    }
                    ast::FunctionArguments::List(l) => time && l.args.len() == 1,
                    ast::FunctionArguments::Subquery(_) => false,
                };
                if keyword {
                    out.push(self.col(i));
                }
            }
        });
        out
    }

    /// The relations an expression names by `regclass` constants, as PostgreSQL reads them when
    /// it creates the expression: `'s'::regclass` (or `CAST`), and a string literal passed
    /// alone to `nextval`, `currval` or `setval` (PostgreSQL makes the unknown literal a
    /// `regclass`). A literal cast to `text` first is looked up only when called, and a name
    /// PostgreSQL would not read as one (three parts, an OID, odd syntax) is left out.
    fn regclass(&self, e: &Expr) -> Vec<ObjName> {
        struct Collector<'a, 'b> {
            lw: &'a Lowerer<'b>,
            out: Vec<ObjName>,
        }
        impl Collector<'_, '_> {
            fn literal(&mut self, e: &Expr) {
                if let Expr::Value(v) = e
                    && let ast::Value::SingleQuotedString(text) = &v.value
                    && let Some(name) = regclass_name(text, self.lw.span_of(v.span))
                {
                    self.out.push(name);
                }
            }
        }
        impl Visitor for Collector<'_, '_> {
            type Break = ();
            fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
                match e {
                    Expr::Cast {
                        expr, data_type, ..
                    } if is_regclass(data_type) => self.literal(expr),
                    Expr::Function(f) if is_sequence_function(&self.lw.obj(&f.name)) => {
                        if let ast::FunctionArguments::List(l) = &f.args
                            && let Some(ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(a))) =
                                l.args.first()
                        {
                            self.literal(a);
                        }
                    }
                    _ => {}
                }
                ControlFlow::Continue(())
            }
        }
        let mut c = Collector {
            lw: self,
            out: Vec::new(),
        };
        let _ = e.visit(&mut c);
        c.out
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        c.out
            .dedup_by(|a, b| (&a.schema, &a.name) == (&b.schema, &b.name));
        c.out
    }

    /// Relations and column references of any AST node. For UPDATE / DELETE, `target` is the
    /// statement's own table: it is left out of the relations but its alias qualifies columns.
    fn query_refs<V: Visit>(&self, node: &V, target: Option<&RelRef>) -> QueryRefs {
        let mut c = RefCollector {
            lw: self,
            ..RefCollector::default_with(self)
        };
        let _ = node.visit(&mut c);
        let mut relations: Vec<RelRef> = c.relations;
        if let Some(t) = target
            && let Some(pos) = relations
                .iter()
                .position(|r| r.name.name == t.name.name && r.name.schema == t.name.schema)
        {
            relations.remove(pos);
        }
        let relations: Vec<RelRef> = relations
            .into_iter()
            .filter(|r| r.name.schema.is_some() || !c.ctes.contains(&r.name.name))
            .collect();
        let mut known: Vec<&RelRef> = relations.iter().collect();
        if let Some(t) = target {
            known.push(t);
        }
        // `u.id` of `FROM user u`: the function's row has one column. Judged when no other
        // FROM item (or the target) has the alias.
        let value_row_miss = if c.value_rows.is_empty() {
            None
        } else {
            c.qualified
                .iter()
                .find(|cr| {
                    let mut rows = c.value_rows.iter().filter(|(a, _)| *a == cr.qualifier);
                    rows.next()
                        .is_some_and(|(_, column)| *column != cr.column.name)
                        && rows.next().is_none()
                        && c.factor_aliases
                            .iter()
                            .filter(|a| **a == cr.qualifier)
                            .count()
                            == 1
                        && known.iter().all(|r| r.alias != cr.qualifier)
                })
                .cloned()
        };
        let in_scope = |cr: &ColumnRef| {
            !c.opaque_aliases.contains(&cr.qualifier)
                && known.iter().filter(|r| r.alias == cr.qualifier).count() == 1
        };
        let columns = c
            .qualified
            .iter()
            .filter(|cr| in_scope(cr))
            .cloned()
            .collect();
        let comparisons = c
            .comparisons
            .iter()
            .filter(|cmp| in_scope(&cmp.left) && in_scope(&cmp.right))
            .cloned()
            .collect();
        let flat =
            !known.is_empty() && c.queries <= 1 && c.ctes.is_empty() && c.opaque_aliases.is_empty();
        let plain_columns = if self.plain_columns && flat {
            c.plain
                .into_iter()
                .filter(|p| !c.output_aliases.contains(&p.name))
                .collect()
        } else {
            Vec::new()
        };
        let constants = match known.as_slice() {
            [only] if self.plain_columns && flat => {
                constants_within(self, node, &[only.alias.as_str()], 1, true)
                    .into_iter()
                    .filter(|l| !c.output_aliases.contains(&l.column))
                    .collect()
            }
            _ => Vec::new(),
        };
        let qualified_constants = if known.len() > 1 && self.plain_columns && flat {
            let unique: Vec<&str> = known
                .iter()
                .filter(|r| known.iter().filter(|k| k.alias == r.alias).count() == 1)
                .map(|r| r.alias.as_str())
                .collect();
            let mut uses = vec![Vec::new(); unique.len()];
            for (at, c) in constants_of(self, node, &unique, 1, false) {
                if let Some(group) = at.and_then(|at| uses.get_mut(at)) {
                    group.push(c);
                }
            }
            unique
                .iter()
                .zip(uses)
                .filter(|(_, uses)| !uses.is_empty())
                .map(|(alias, uses)| (Name::from(*alias), uses))
                .collect()
        } else {
            Vec::new()
        };
        QueryRefs {
            relations,
            columns,
            plain_columns,
            calls: self.calls(node),
            constants,
            qualified_constants,
            value_row_miss,
            comparisons,
        }
    }
}

fn volatility(b: &ast::FunctionBehavior) -> Volatility {
    match b {
        ast::FunctionBehavior::Immutable => Volatility::Immutable,
        ast::FunctionBehavior::Stable => Volatility::Stable,
        ast::FunctionBehavior::Volatile => Volatility::Volatile,
    }
}

/// The volatility `ALTER FUNCTION ... IMMUTABLE | STABLE | VOLATILE` sets (the last written).
fn altered_volatility(op: &ast::AlterFunctionOperation) -> Option<Volatility> {
    let ast::AlterFunctionOperation::Actions { actions, .. } = op else {
        return None;
    };
    actions.iter().rev().find_map(|a| match a {
        ast::AlterFunctionAction::Behavior(b) => Some(volatility(b)),
        _ => None,
    })
}

/// Calls sorted by name, each once.
fn tidy_calls(mut calls: Calls) -> Calls {
    let key = |c: &Call| (c.name.schema.clone(), c.name.name.clone(), c.args);
    calls.sort_by_key(key);
    calls.dedup_by(|a, b| key(a) == key(b));
    calls
}

/// The rows an INSERT source provides, as SQL text: `VALUES` rows, or the projection of a
/// plain `SELECT` (one row; aliases dropped, `*` kept as written).
fn source_rows(q: &Query) -> Vec<Vec<String>> {
    match &*q.body {
        SetExpr::Values(v) => v
            .rows
            .iter()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect(),
        SetExpr::Select(s) => vec![
            s.projection
                .iter()
                .map(|item| match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        e.to_string()
                    }
                    other => other.to_string(),
                })
                .collect(),
        ],
        _ => Vec::new(),
    }
}

/// Fold one identifier token as written (`Users` -> `users`, `"Users"` -> `Users`,
/// `"a""b"` -> `a"b`), for the hand-written parsers that read tokens, not sqlparser's AST.
#[must_use]
pub(crate) fn fold_written(token: &str) -> String {
    recovered_name(token, Span::default()).name.to_string()
}

/// `regclass` (or `pg_catalog.regclass`) as a cast's type.
fn is_regclass(ty: &DataType) -> bool {
    match ty {
        DataType::Regclass => true,
        DataType::Custom(name, modifiers) if modifiers.is_empty() => {
            let parts: Vec<&str> = name
                .0
                .iter()
                .filter_map(ObjectNamePart::as_ident)
                .map(|i| i.value.as_str())
                .collect();
            matches!(parts.as_slice(), [t] | ["pg_catalog", t] if t.eq_ignore_ascii_case("regclass"))
        }
        _ => false,
    }
}

/// `nextval`, `currval` or `setval` of PostgreSQL (unqualified or in `pg_catalog`).
fn is_sequence_function(name: &ObjName) -> bool {
    matches!(name.schema.as_deref(), None | Some("pg_catalog"))
        && matches!(name.name.as_str(), "nextval" | "currval" | "setval")
}

/// The relation name a `regclass` literal holds, read as PostgreSQL's `regclassin` reads it
/// (`SplitIdentifierString`: parts split by dots, spaces around them skipped, unquoted parts
/// folded to lower case, `""` in a quoted one), or `None` for an OID, three parts (another
/// database's) or a syntax PostgreSQL refuses.
fn regclass_name(text: &str, span: Span) -> Option<ObjName> {
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut parts: Vec<Name> = Vec::new();
    let mut rest = text.trim_start_matches(space);
    loop {
        let part: Name = if let Some(quoted) = rest.strip_prefix('"') {
            let mut part = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (i, '"') if quoted[i + 1..].starts_with('"') => {
                        part.push('"');
                        chars.next();
                    }
                    (i, '"') => break i + 1,
                    (_, c) => part.push(c),
                }
            };
            rest = &quoted[end..];
            Name::from(part)
        } else {
            let len = rest
                .find(|c: char| c == '.' || space(c))
                .unwrap_or(rest.len());
            let (word, after) = rest.split_at(len);
            rest = after;
            Name::from(word.to_ascii_lowercase())
        };
        if part.is_empty() {
            return None;
        }
        parts.push(truncate_ident(part));
        rest = rest.trim_start_matches(space);
        match rest.strip_prefix('.') {
            Some(after) => rest = after.trim_start_matches(space),
            None if rest.is_empty() => break,
            None => return None,
        }
    }
    let name = parts.pop()?;
    let schema = parts.pop();
    parts.is_empty().then_some(ObjName { schema, name, span })
}

/// Parse a recovered name like `platform."Users"` into an [`ObjName`].
fn recovered_name(text: &str, span: Span) -> ObjName {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                parts.push(finish(&mut cur, was_quoted));
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    parts.push(finish(&mut cur, was_quoted));
    let name = parts.pop().unwrap_or_default();
    ObjName {
        schema: parts.pop(),
        name,
        span,
    }
}

fn finish(cur: &mut String, quoted: bool) -> Name {
    let s = std::mem::take(cur);
    truncate_ident(Name::from(if quoted { s } else { s.to_ascii_lowercase() }))
}

fn action(a: Option<&ReferentialAction>) -> String {
    match a {
        None | Some(ReferentialAction::NoAction) => "NO ACTION",
        Some(ReferentialAction::Restrict) => "RESTRICT",
        Some(ReferentialAction::Cascade) => "CASCADE",
        Some(ReferentialAction::SetNull) => "SET NULL",
        Some(ReferentialAction::SetDefault) => "SET DEFAULT",
    }
    .to_string()
}

fn constraint_name(c: &TableConstraint) -> Option<String> {
    match c {
        TableConstraint::Index(_) | TableConstraint::FulltextOrSpatial(_) => None,
        other => {
            let text = other.to_string();
            let rest = text.strip_prefix("CONSTRAINT ")?;
            rest.split_whitespace()
                .next()
                .map(|s| s.trim_matches('"').to_string())
        }
    }
}

/// The field names of composite field selections in an expression (`(home).city`,
/// `(split(a)).city`): sqlparser reads each as an identifier, but it names a field of the
/// value, not a column. Collectors [`Self::note`] each expression before its children.
#[derive(Default)]
struct FieldNames(BTreeSet<*const Ident>);

impl FieldNames {
    fn note(&mut self, e: &Expr) {
        let Expr::CompoundFieldAccess { access_chain, .. } = e else {
            return;
        };
        for access in access_chain {
            match access {
                AccessExpr::Dot(Expr::Identifier(i)) => {
                    self.0.insert(std::ptr::from_ref(i));
                }
                AccessExpr::Dot(Expr::CompoundIdentifier(parts)) => {
                    self.0.extend(parts.iter().map(std::ptr::from_ref));
                }
                _ => {}
            }
        }
    }

    fn is_field(&self, i: &Ident) -> bool {
        self.0.contains(&std::ptr::from_ref(i))
    }
}

/// The columns of one table an expression names outside any subquery, where every name can
/// only be that table's (a policy's `USING`, an index predicate, a trigger's `WHEN`): `c`
/// when `plain` (unquoted reserved words, composite fields and the `qualifiers` themselves,
/// whole-row references, left out) and `q.c` for `q` in `qualifiers` (the table's name, or
/// `old` / `new`). Names inside a subquery may be its own relations' and are not read.
fn own_columns(lw: &Lowerer<'_>, e: &Expr, qualifiers: &[&str], plain: bool) -> Vec<ColName> {
    let mut out = Vec::new();
    walk_own(e, 0, |e, fields| {
        if let Some(i) = own_column(e, fields, qualifiers, plain) {
            out.push(lw.col(i));
        }
    });
    out
}

/// Call `each` on every expression of `node` outside queries nested deeper than `max_depth`
/// (0: none; 1: a query's own clauses), with the composite field names seen so far.
fn walk_own<N: Visit>(node: &N, max_depth: usize, each: impl FnMut(&Expr, &FieldNames)) {
    struct V<F> {
        max_depth: usize,
        depth: usize,
        fields: FieldNames,
        each: F,
    }
    impl<F: FnMut(&Expr, &FieldNames)> Visitor for V<F> {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            self.fields.note(e);
            if self.depth <= self.max_depth {
                (self.each)(e, &self.fields);
            }
            ControlFlow::Continue(())
        }
    }
    let _ = node.visit(&mut V {
        max_depth,
        depth: 0,
        fields: FieldNames::default(),
        each,
    });
}

/// The column of the table an expression names (see [`own_columns`]): `c` when `plain` (not
/// an unquoted reserved word, a composite's field or one of the `qualifiers` itself, a
/// whole-row reference), `q.c` or `s.q.c` for `q` in `qualifiers` (the schema is not compared).
/// (sqlparser reads SQL's niladic functions, `current_user`, `current_schema`, `localtime`...,
/// as identifiers: unquoted reserved words are no columns.)
fn own_column<'e>(
    e: &'e Expr,
    fields: &FieldNames,
    qualifiers: &[&str],
    plain: bool,
) -> Option<&'e Ident> {
    own_column_of(e, fields, qualifiers, plain).map(|(_, c)| c)
}

/// [`own_column`], with the index in `qualifiers` of the qualifier written before the column
/// (`None` for a plain column).
fn own_column_of<'e>(
    e: &'e Expr,
    fields: &FieldNames,
    qualifiers: &[&str],
    plain: bool,
) -> Option<(Option<usize>, &'e Ident)> {
    let qualifier = |i: &Ident| {
        let folded = fold_ident(i);
        qualifiers.iter().position(|q| *q == folded.as_str())
    };
    match e {
        Expr::Identifier(i) => {
            let reserved = i.quote_style.is_none() && pgtype::is_reserved_as_name(&i.value);
            (plain && !reserved && !fields.is_field(i) && qualifier(i).is_none())
                .then_some((None, i))
        }
        Expr::CompoundIdentifier(parts) => match parts.as_slice() {
            [.., q, c]
                if parts.len() <= 3 && !parts.first().is_some_and(|f| fields.is_field(f)) =>
            {
                qualifier(q).map(|at| (Some(at), c))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The casts of the table's own columns in a node (see [`own_column`]), outside subqueries.
fn column_casts<N: Visit>(lw: &Lowerer<'_>, node: &N, qualifiers: &[&str]) -> Vec<ColumnCast> {
    let mut out = Vec::new();
    walk_own(node, 0, |e, fields| {
        if let Expr::Cast {
            expr, data_type, ..
        } = e
            && let Some(column) = own_column(expr, fields, qualifiers, true)
        {
            let to = lw.type_ref(data_type, column.span);
            if to.user.is_none() && to.array == 0 {
                out.push(ColumnCast {
                    column: lw.col(column),
                    to: pgtype::without_modifiers(&to.text).into(),
                });
            }
        }
    });
    out
}

/// The columns an expression compares with constants outside subqueries (see
/// [`ConstantUse`]): `status = 'paid'` (either side; `=`, `<>`, `<`, `<=`, `>`, `>=`, `IS
/// [NOT] DISTINCT FROM`), `status [NOT] IN ('paid', ...)`, `n [NOT] BETWEEN 1 AND 9`, where
/// the column is a plain name or one qualified by a name of `qualifiers` (see
/// [`own_column`]). What the column's type makes of the constant is for replay to say.
fn constant_uses(lw: &Lowerer<'_>, e: &Expr, qualifiers: &[&str]) -> Constants {
    constants_within(lw, e, qualifiers, 0, true)
}

/// A constant as PostgreSQL types it, with its span: a plain string literal, a number
/// (`-1`, `(2.5)`) or `true` / `false`.
fn constant_of(lw: &Lowerer<'_>, e: &Expr) -> Option<(Constant, Span)> {
    let (e, negative) = match e {
        Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => (&**expr, true),
        Expr::UnaryOp {
            op: ast::UnaryOperator::Plus,
            expr,
        } => (&**expr, false),
        _ => (e, false),
    };
    let e = match e {
        Expr::Nested(inner) => &**inner,
        _ => e,
    };
    let Expr::Value(v) = e else {
        return None;
    };
    let constant = match &v.value {
        ast::Value::SingleQuotedString(s) if !negative => Constant::String(s.clone()),
        ast::Value::Number(n, false) => Constant::Typed(pgtype::number_constant_type(n, negative)?),
        ast::Value::Boolean(_) if !negative => Constant::Typed("boolean"),
        _ => return None,
    };
    Some((constant, lw.span_of(v.span)))
}

/// A comparison operator as PostgreSQL names it (`=`, `<>` for `!=` too, `<`, `<=`, `>`,
/// `>=`); `None` for other operators.
fn comparison_operator(op: &ast::BinaryOperator) -> Option<&'static str> {
    Some(match op {
        ast::BinaryOperator::Eq => "=",
        ast::BinaryOperator::NotEq => "<>",
        ast::BinaryOperator::Lt => "<",
        ast::BinaryOperator::LtEq => "<=",
        ast::BinaryOperator::Gt => ">",
        ast::BinaryOperator::GtEq => ">=",
        _ => return None,
    })
}

/// [`constant_uses`] of a node, in queries nested at most `max_depth` deep (1: a query's own
/// clauses); plain column names only when `plain` (a trigger's `WHEN` has `OLD.c`, `NEW.c`).
fn constants_within<N: Visit>(
    lw: &Lowerer<'_>,
    node: &N,
    qualifiers: &[&str],
    max_depth: usize,
    plain: bool,
) -> Constants {
    constants_of(lw, node, qualifiers, max_depth, plain)
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

/// [`constants_within`], each with the index in `qualifiers` of its column's qualifier
/// (`None` for a plain column): one walk for every relation of a join.
fn constants_of<N: Visit>(
    lw: &Lowerer<'_>,
    node: &N,
    qualifiers: &[&str],
    max_depth: usize,
    plain: bool,
) -> Vec<(Option<usize>, ConstantUse)> {
    let mut out = Vec::new();
    walk_own(node, max_depth, |e, fields| {
        let column = |e| own_column_of(e, fields, qualifiers, plain);
        let mut push = |(at, column): (Option<usize>, &Ident),
                        op: &'static str,
                        first: bool,
                        listed: bool,
                        e: &Expr| {
            if let Some((constant, span)) = constant_of(lw, e) {
                out.push((
                    at,
                    ConstantUse {
                        column: fold_ident(column),
                        constant,
                        op,
                        first,
                        listed,
                        span,
                    },
                ));
            }
        };
        match e {
            Expr::BinaryOp { left, op, right } => {
                let Some(op) = comparison_operator(op) else {
                    return;
                };
                if let Some(c) = column(left) {
                    push(c, op, false, false, right);
                } else if let Some(c) = column(right) {
                    push(c, op, true, false, left);
                }
            }
            Expr::IsDistinctFrom(left, right) | Expr::IsNotDistinctFrom(left, right) => {
                if let Some(c) = column(left) {
                    push(c, "=", false, false, right);
                } else if let Some(c) = column(right) {
                    push(c, "=", true, false, left);
                }
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                if let Some(c) = column(expr) {
                    let (low_op, high_op) = if *negated { ("<", ">") } else { (">=", "<=") };
                    push(c, low_op, false, false, low);
                    push(c, high_op, false, false, high);
                }
            }
            Expr::In {
                expr,
                target: ast::InTarget::List(list),
                negated,
                ..
            } => {
                if let Some(c) = column(expr) {
                    let op = if *negated { "<>" } else { "=" };
                    // PostgreSQL reads the strings as the list's common type, which items
                    // other than strings and NULL may change: then only the others are kept.
                    let string = |item: &Expr| {
                        matches!(constant_of(lw, item), Some((Constant::String(_), _)))
                    };
                    let null =
                        |item: &Expr| matches!(item, Expr::Value(v) if v.value == ast::Value::Null);
                    let strings = list.iter().all(|item| string(item) || null(item));
                    for item in list.iter().filter(|item| strings || !string(item)) {
                        push(c, op, false, true, item);
                    }
                }
            }
            _ => {}
        }
    });
    out
}

/// Column names an expression mentions, in order of first appearance (for CHECK naming and
/// what a DROP COLUMN takes): [`own_columns`]' plain names, each once.
fn expr_columns(lw: &Lowerer<'_>, e: &Expr) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::new();
    for c in own_columns(lw, e, &[], true) {
        if !out.contains(&c.name) {
            out.push(c.name);
        }
    }
    out
}

/// The schemas of a search_path written as one string (`SET search_path = 'a, "B"'`,
/// `set_config('search_path', 'a, b', false)`): split at commas, quoted names kept as written,
/// others folded; an empty string is an empty path.
fn search_path_list(s: &str) -> impl Iterator<Item = Name> + '_ {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            (if p.len() >= 2 && p.starts_with('"') && p.ends_with('"') {
                p.get(1..p.len() - 1)
                    .unwrap_or_default()
                    .replace("\"\"", "\"")
            } else {
                p.to_ascii_lowercase()
            })
            .into()
        })
}

/// `SELECT [pg_catalog.]set_config('search_path', '...', false)`, which pg_dump writes at the
/// top of every dump (with an empty path): a `SET search_path` (a `SET LOCAL` for a
/// transaction-local `set_config(..., true)`). `None` for any other query.
fn set_config(q: &Query) -> Option<Change> {
    let SetExpr::Select(sel) = &*q.body else {
        return None;
    };
    if q.with.is_some() || !sel.from.is_empty() || sel.selection.is_some() {
        return None;
    }
    let [
        SelectItem::UnnamedExpr(Expr::Function(f))
        | SelectItem::ExprWithAlias {
            expr: Expr::Function(f),
            ..
        },
    ] = sel.projection.as_slice()
    else {
        return None;
    };
    let name = f.name.to_string().to_ascii_lowercase();
    if name != "set_config" && name != "pg_catalog.set_config" {
        return None;
    }
    let ast::FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let value = |i: usize| match list.args.get(i) {
        Some(ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(Expr::Value(v)))) => {
            Some(&v.value)
        }
        _ => None,
    };
    match (value(0), value(1), value(2), list.args.len()) {
        (
            Some(ast::Value::SingleQuotedString(setting)),
            Some(ast::Value::SingleQuotedString(path)),
            Some(ast::Value::Boolean(local)),
            3,
        ) if setting.eq_ignore_ascii_case("search_path") => {
            let set = Change::SetSearchPath(search_path_list(path).collect());
            Some(if *local {
                Change::SetLocal(Box::new(set))
            } else {
                set
            })
        }
        (
            Some(ast::Value::SingleQuotedString(setting)),
            Some(ast::Value::SingleQuotedString(value)),
            Some(ast::Value::Boolean(_)),
            3,
        ) if setting.eq_ignore_ascii_case("check_function_bodies") => {
            let off = matches!(
                value.to_ascii_lowercase().as_str(),
                "false" | "off" | "0" | "no"
            );
            Some(Change::CheckFunctionBodies(!off))
        }
        _ => None,
    }
}

/// Output column names of a query's top-level SELECT list (CREATE TABLE AS, views), named as
/// PostgreSQL names them (`FigureColname`: an alias, a column, a function's name, through
/// casts); `None` when one cannot be named statically (`*`, a constant, an operator, a set
/// operation).
/// A view's column names: those of its column list, then the query's own for the rest; `None`
/// when the query's are not all certain (or the list is longer, which PostgreSQL refuses).
fn view_column_names(list: &[ViewColumnDef], q: &Query) -> Option<Vec<Name>> {
    let mut names = output_names(q)?;
    if list.len() > names.len() {
        return None;
    }
    for (name, c) in names.iter_mut().zip(list) {
        *name = fold_ident(&c.name);
    }
    Some(names)
}

/// The name PostgreSQL gives an expression's output column (`FigureColname`), when it is a
/// name: a column's, or the function's an expression calls.
fn figure(e: &Expr) -> Option<Name> {
    match e {
        Expr::Identifier(i) => Some(fold_ident(i)),
        Expr::CompoundIdentifier(p) => p.last().map(fold_ident),
        Expr::Function(f) => match f.name.0.last() {
            Some(ObjectNamePart::Identifier(i)) => Some(fold_ident(i)),
            _ => None,
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::Collate { expr, .. } => figure(expr),
        Expr::Case { .. } => Some("case".into()),
        _ => None,
    }
}

/// The column an index element names, which PostgreSQL keeps as a column and not an
/// expression: `b`, `b COLLATE "C"` (the element's own collation), `(b)` (a bare column
/// reference in parentheses is still one).
impl Lowerer<'_> {
    /// `a IS NOT NULL [AND b IS NOT NULL ...]`: its columns; `None` for any other predicate.
    fn not_null_columns(&self, e: &Expr) -> Option<Vec<Name>> {
        match e {
            Expr::IsNotNull(inner) => Some(vec![self.col(plain_index_column(inner)?).name]),
            Expr::Nested(inner) => self.not_null_columns(inner),
            Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::And,
                right,
            } => {
                let mut cols = self.not_null_columns(left)?;
                cols.extend(self.not_null_columns(right)?);
                Some(cols)
            }
            _ => None,
        }
    }
}

/// An index element's collation and direction, as PostgreSQL stores them.
fn element_sort(c: &ast::IndexColumn) -> crate::model::catalog::ElementSort {
    let desc = matches!(c.column.options.sort, Some(ast::OrderBySort::Desc));
    let collation = match &c.column.expr {
        Expr::Collate { collation, .. } => Some(collation.to_string()),
        _ => None,
    };
    crate::model::catalog::ElementSort {
        collation,
        desc,
        nulls_first: c.column.options.nulls_first.unwrap_or(desc),
    }
}

fn plain_index_column(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Identifier(i) => Some(i),
        Expr::Collate { expr, .. } => match &**expr {
            Expr::Identifier(i) => Some(i),
            _ => None,
        },
        Expr::Nested(inner) => match &**inner {
            Expr::Identifier(i) => Some(i),
            Expr::Nested(_) => plain_index_column(inner),
            _ => None,
        },
        _ => None,
    }
}

/// What PostgreSQL names an index after for this element (`FigureIndexColname`, else `expr`).
fn index_name_part(e: &Expr) -> Name {
    figure(e).unwrap_or_else(|| "expr".into())
}

fn output_names(q: &Query) -> Option<Vec<Name>> {
    let SetExpr::Select(sel) = &*q.body else {
        return None;
    };
    sel.projection
        .iter()
        .map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(fold_ident(alias)),
            SelectItem::UnnamedExpr(e) => figure(e),
            _ => None,
        })
        .collect()
}

struct RefCollector<'a, 'b> {
    lw: &'a Lowerer<'b>,
    relations: Vec<RelRef>,
    ctes: BTreeSet<Name>,
    /// Aliases of derived tables, table functions and CTE references: not base tables.
    opaque_aliases: BTreeSet<Name>,
    output_aliases: BTreeSet<Name>,
    qualified: Vec<ColumnRef>,
    plain: Vec<ColName>,
    queries: usize,
    fields: FieldNames,
    /// The alias of every FROM item, or its name when it has none.
    factor_aliases: Vec<Name>,
    /// SQL value functions in FROM (`FROM user u`): the alias and the one column of their
    /// row (named by the column alias, else the alias, else the function).
    value_rows: Vec<(Name, Name)>,
    comparisons: Vec<Comparison>,
}

impl<'a, 'b> RefCollector<'a, 'b> {
    fn default_with(lw: &'a Lowerer<'b>) -> Self {
        Self {
            lw,
            relations: Vec::new(),
            ctes: BTreeSet::new(),
            opaque_aliases: BTreeSet::new(),
            output_aliases: BTreeSet::new(),
            qualified: Vec::new(),
            plain: Vec::new(),
            queries: 0,
            fields: FieldNames::default(),
            factor_aliases: Vec::new(),
            value_rows: Vec::new(),
            comparisons: Vec::new(),
        }
    }
}

impl RefCollector<'_, '_> {
    /// A data-modifying query (`WITH x AS (INSERT INTO t (a, b) ... RETURNING id)`): its
    /// INSERT target is read like a relation of the query, and the columns an INSERT lists or
    /// an UPDATE sets are qualified references to its target (each must exist).
    fn data_modifying(&mut self, body: &SetExpr) {
        let (target, columns): (Option<(ObjName, Name)>, Vec<&ObjectName>) = match body {
            SetExpr::Insert(Statement::Insert(ins)) => match &ins.table {
                TableObject::TableName(n) => {
                    let o = self.lw.obj(n);
                    let alias = ins
                        .table_alias
                        .as_ref()
                        .map_or_else(|| o.name.clone(), |a| fold_ident(&a.alias));
                    (Some((o, alias)), ins.columns.iter().collect())
                }
                TableObject::TableFunction(_) | TableObject::TableQuery(_) => return,
            },
            SetExpr::Update(Statement::Update(up)) => {
                let alias = match &up.table.relation {
                    TableFactor::Table { name, alias, .. } => alias
                        .as_ref()
                        .map_or_else(|| self.lw.obj(name).name.clone(), |a| fold_ident(&a.name)),
                    _ => return,
                };
                let columns: Vec<&ObjectName> = up
                    .assignments
                    .iter()
                    .flat_map(|a| match &a.target {
                        AssignmentTarget::ColumnName(c) => vec![c],
                        AssignmentTarget::Tuple(cs) => cs.iter().collect(),
                    })
                    .collect();
                // The UPDATE's table is a table factor: the visitor records it.
                return self.qualify(&alias, &columns);
            }
            _ => return,
        };
        if let Some((o, alias)) = target {
            if o.schema.is_none() && self.ctes.contains(&o.name) {
                return;
            }
            self.relations.push(RelRef {
                name: o,
                alias: alias.clone(),
            });
            self.qualify(&alias, &columns);
        }
    }

    /// `q.c` (two parts, the first no field of a composite value) as a column reference.
    fn qualified_ref(&self, e: &Expr) -> Option<ColumnRef> {
        let Expr::CompoundIdentifier(parts) = e else {
            return None;
        };
        let [q, c] = parts.as_slice() else {
            return None;
        };
        (!self.fields.is_field(q)).then(|| ColumnRef {
            qualifier: fold_ident(q),
            column: self.lw.col(c),
        })
    }

    fn qualify(&mut self, alias: &Name, columns: &[&ObjectName]) {
        for c in columns {
            if let Some(last) = self.lw.idents(c).last() {
                self.qualified.push(ColumnRef {
                    qualifier: alias.clone(),
                    column: self.lw.col(last),
                });
            }
        }
    }
}

impl Visitor for RefCollector<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        self.queries += 1;
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.ctes.insert(fold_ident(&cte.alias.name));
            }
        }
        if let SetExpr::Select(sel) = &*q.body {
            for item in &sel.projection {
                if let SelectItem::ExprWithAlias { alias, .. } = item {
                    self.output_aliases.insert(fold_ident(alias));
                }
            }
        }
        self.data_modifying(&q.body);
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
        match tf {
            // `FROM user`, `FROM current_date`: PostgreSQL calls the function.
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } if reserved::is_value_function(name) => {
                let function = self.lw.obj(name).name;
                let (alias, column) = match alias {
                    Some(a) => {
                        let alias = fold_ident(&a.name);
                        let column = a
                            .columns
                            .first()
                            .map_or_else(|| alias.clone(), |c| fold_ident(&c.name));
                        (alias, column)
                    }
                    None => (function.clone(), function),
                };
                self.factor_aliases.push(alias.clone());
                self.value_rows.push((alias.clone(), column));
                self.opaque_aliases.insert(alias);
                self.queries += 1;
            }
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let o = self.lw.obj(name);
                let alias_name = alias
                    .as_ref()
                    .map_or_else(|| o.name.clone(), |a| fold_ident(&a.name));
                self.factor_aliases.push(alias_name.clone());
                if o.schema.is_none() && self.ctes.contains(&o.name) {
                    self.opaque_aliases.insert(alias_name.clone());
                } else {
                    self.relations.push(RelRef {
                        name: o,
                        alias: alias_name.clone(),
                    });
                }
            }
            TableFactor::Table { alias: Some(a), .. }
            | TableFactor::Derived { alias: Some(a), .. }
            | TableFactor::TableFunction { alias: Some(a), .. }
            | TableFactor::Function { alias: Some(a), .. }
            | TableFactor::UNNEST { alias: Some(a), .. } => {
                self.factor_aliases.push(fold_ident(&a.name));
                self.opaque_aliases.insert(fold_ident(&a.name));
                self.queries += 1;
            }
            _ => {
                self.queries += 1;
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        self.fields.note(e);
        match e {
            Expr::CompoundIdentifier(parts)
                if parts.first().is_some_and(|p| self.fields.is_field(p)) => {}
            Expr::Identifier(i) if self.fields.is_field(i) => {}
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let n = parts.len();
                if let (Some(q), Some(c)) = (parts.get(n - 2), parts.get(n - 1)) {
                    self.qualified.push(ColumnRef {
                        qualifier: fold_ident(q),
                        column: self.lw.col(c),
                    });
                }
            }
            Expr::Identifier(i) if i.quote_style != Some('\'') => self.plain.push(self.lw.col(i)),
            Expr::Subquery(_) | Expr::Exists { .. } => self.queries += 1,
            Expr::BinaryOp { left, op, right } => {
                let Some(op) = comparison_operator(op) else {
                    return ControlFlow::Continue(());
                };
                if let (Some(left), Some(right)) =
                    (self.qualified_ref(left), self.qualified_ref(right))
                {
                    self.comparisons.push(Comparison { left, op, right });
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

#[test]
fn regclass_literals_are_read_as_postgresql_reads_them() {
    let read = |text: &str| {
        regclass_name(text, Span::new(0, 0, 0))
            .map(|n| format!("{}.{}", n.schema.as_deref().unwrap_or("-"), n.name))
    };
    assert_eq!(read("Order_IDs").as_deref(), Some("-.order_ids"));
    assert_eq!(read(" public . s ").as_deref(), Some("public.s"));
    assert_eq!(
        read("\"My \"\"Seq\".\"X.y\"").as_deref(),
        Some("My \"Seq.X.y")
    );
    assert_eq!(
        read("a-b").as_deref(),
        Some("-.a-b"),
        "any word up to a dot or space"
    );
    for refused in [
        "", "12345", "a.b.c", "a b", "a.", ".a", "\"\"", "\"open", "\"a\"b",
    ] {
        assert_eq!(read(refused), None, "{refused:?}");
    }
}
