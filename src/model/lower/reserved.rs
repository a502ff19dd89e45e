//! Reserved words where PostgreSQL's grammar wants a name (`ColId`): sqlparser reads
//! `ALTER TABLE user ...`, `order int` and `UNIQUE (order)` as names, PostgreSQL stops at the
//! word with a syntax error.

use sqlparser::ast::{
    self, AlterTableOperation, AssignmentTarget, ColumnOption, CommentObject, Expr, FromTable,
    Ident, ObjectName, ObjectType, RenameTableNameKind, Statement, TableConstraint, TableFactor,
    TableObject,
};

use crate::model::pgtype::{self, SQL_VALUE_FUNCTIONS};

/// The first word of a statement that PostgreSQL's grammar refuses because a reserved word
/// stands unquoted where a name must be an identifier (`ColId`): a relation named by
/// ALTER / DROP / INSERT / UPDATE / DELETE / TRUNCATE / COMMENT / CREATE INDEX / TRIGGER /
/// POLICY or REFERENCES (the first part of a qualified name: `public.user` is allowed, the
/// last part may be any word, `user.t` is not), a created table's, view's, index's, trigger's,
/// policy's or constraint's name, a column defined, altered, dropped, renamed, listed in a
/// key, an index or an INSERT, or assigned by UPDATE. Quoted names are always allowed.
///
/// Not judged: `FROM user` (PostgreSQL reads `user` there as the function `current_user`),
/// expressions, function names (`type_function_name` allows more words).
pub(super) fn reserved_name(ast: &Statement) -> Option<&Ident> {
    let mut names = Names(Vec::new());
    names.statement(ast);
    names
        .0
        .into_iter()
        .filter(|id| id.quote_style.is_none() && pgtype::is_reserved_as_name(&id.value))
        .min_by_key(|id| (id.span.start.line, id.span.start.column))
}

/// Whether a relation of FROM is one of [`SQL_VALUE_FUNCTIONS`], unquoted and unqualified:
/// PostgreSQL calls the function (`SELECT * FROM user` is one row, `current_user`).
pub(super) fn is_value_function(name: &ObjectName) -> bool {
    match name.0.as_slice() {
        [part] => part.as_ident().is_some_and(value_function),
        _ => false,
    }
}

fn value_function(id: &Ident) -> bool {
    id.quote_style.is_none()
        && SQL_VALUE_FUNCTIONS
            .iter()
            .any(|f| id.value.eq_ignore_ascii_case(f))
}

/// The identifiers of a statement that stand where PostgreSQL wants a `ColId`.
struct Names<'a>(Vec<&'a Ident>);

impl<'a> Names<'a> {
    fn ident(&mut self, id: &'a Ident) {
        self.0.push(id);
    }

    /// A qualified name (`qualified_name`, `any_name`): its first part.
    fn name(&mut self, n: &'a ObjectName) {
        if let Some(id) = n.0.first().and_then(|p| p.as_ident()) {
            self.ident(id);
        }
    }

    fn idents(&mut self, ids: &'a [Ident]) {
        ids.iter().for_each(|id| self.ident(id));
    }

    /// A column of a key written as a bare name.
    fn key_columns(&mut self, cols: &'a [ast::IndexColumn]) {
        for c in cols {
            if let Expr::Identifier(id) = &c.column.expr {
                self.ident(id);
            }
        }
    }

    /// A column of CREATE INDEX written as a bare name, except the SQL value functions:
    /// PostgreSQL reads `(current_user)` there as an expression.
    fn index_columns(&mut self, cols: &'a [ast::IndexColumn]) {
        for c in cols {
            if let Expr::Identifier(id) = &c.column.expr
                && !value_function(id)
            {
                self.ident(id);
            }
        }
    }

    fn statement(&mut self, ast: &'a Statement) {
        match ast {
            Statement::CreateTable(ct) => {
                self.name(&ct.name);
                for c in &ct.columns {
                    self.column(c);
                }
                ct.constraints.iter().for_each(|c| self.constraint(c));
                if let Some(
                    ast::CreateTableLikeKind::Parenthesized(like)
                    | ast::CreateTableLikeKind::Plain(like),
                ) = &ct.like
                {
                    self.name(&like.name);
                }
                ct.inherits.iter().flatten().for_each(|n| self.name(n));
            }
            Statement::AlterTable(at) => {
                self.name(&at.name);
                at.operations.iter().for_each(|op| self.alter_op(op));
            }
            Statement::Drop {
                object_type:
                    ObjectType::Table
                    | ObjectType::View
                    | ObjectType::MaterializedView
                    | ObjectType::Index
                    | ObjectType::Sequence
                    | ObjectType::Type,
                names,
                ..
            } => names.iter().for_each(|n| self.name(n)),
            Statement::Insert(ins) => {
                if let TableObject::TableName(n) = &ins.table {
                    self.name(n);
                }
                ins.columns.iter().for_each(|c| self.name(c));
            }
            Statement::Update(up) => {
                if let TableFactor::Table { name, .. } = &up.table.relation {
                    self.name(name);
                }
                for a in &up.assignments {
                    match &a.target {
                        AssignmentTarget::ColumnName(c) => self.name(c),
                        AssignmentTarget::Tuple(cs) => cs.iter().for_each(|c| self.name(c)),
                    }
                }
            }
            Statement::Delete(del) => {
                if let FromTable::WithFromKeyword(from) = &del.from {
                    for t in from {
                        if let TableFactor::Table { name, .. } = &t.relation {
                            self.name(name);
                        }
                    }
                }
            }
            Statement::Truncate(t) => t.table_names.iter().for_each(|t| self.name(&t.name)),
            Statement::Comment {
                object_type:
                    CommentObject::Table
                    | CommentObject::Column
                    | CommentObject::View
                    | CommentObject::MaterializedView
                    | CommentObject::Index
                    | CommentObject::Sequence,
                object_name,
                ..
            } => self.name(object_name),
            Statement::CreateIndex(ci) => {
                ci.name.iter().for_each(|n| self.name(n));
                self.name(&ci.table_name);
                self.index_columns(&ci.columns);
                self.idents(&ci.include);
            }
            Statement::CreateView(cv) => self.name(&cv.name),
            Statement::CreateTrigger(ct) => {
                self.name(&ct.name);
                self.name(&ct.table_name);
            }
            Statement::DropTrigger(dt) => {
                self.name(&dt.trigger_name);
                dt.table_name.iter().for_each(|n| self.name(n));
            }
            Statement::CreatePolicy(cp) => {
                self.ident(&cp.name);
                self.name(&cp.table_name);
            }
            Statement::DropPolicy(dp) => {
                self.ident(&dp.name);
                self.name(&dp.table_name);
            }
            _ => {}
        }
    }

    fn column(&mut self, c: &'a ast::ColumnDef) {
        self.ident(&c.name);
        for o in &c.options {
            if let Some(name) = &o.name {
                self.ident(name);
            }
            if let ColumnOption::ForeignKey(fk) = &o.option {
                self.name(&fk.foreign_table);
                self.idents(&fk.referred_columns);
            }
        }
    }

    fn constraint(&mut self, c: &'a TableConstraint) {
        match c {
            TableConstraint::PrimaryKey(pk) => {
                pk.name.iter().for_each(|n| self.ident(n));
                self.key_columns(&pk.columns);
                self.idents(&pk.include);
            }
            TableConstraint::Unique(u) => {
                u.name.iter().for_each(|n| self.ident(n));
                self.key_columns(&u.columns);
                self.idents(&u.include);
            }
            TableConstraint::ForeignKey(fk) => {
                fk.name.iter().for_each(|n| self.ident(n));
                self.idents(&fk.columns);
                self.name(&fk.foreign_table);
                self.idents(&fk.referred_columns);
            }
            TableConstraint::Check(ck) => ck.name.iter().for_each(|n| self.ident(n)),
            _ => {}
        }
    }

    fn alter_op(&mut self, op: &'a AlterTableOperation) {
        match op {
            AlterTableOperation::AddColumn { column_def, .. } => self.column(column_def),
            AlterTableOperation::AddConstraint { constraint, .. } => self.constraint(constraint),
            AlterTableOperation::AlterColumn { column_name, .. } => self.ident(column_name),
            AlterTableOperation::DropColumn { column_names, .. } => self.idents(column_names),
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                self.ident(old_column_name);
                self.ident(new_column_name);
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                self.ident(old_name);
                self.ident(new_name);
            }
            AlterTableOperation::DropConstraint { name, .. }
            | AlterTableOperation::ValidateConstraint { name } => self.ident(name),
            AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::As(n) | RenameTableNameKind::To(n),
            } => self.name(n),
            _ => {}
        }
    }
}
