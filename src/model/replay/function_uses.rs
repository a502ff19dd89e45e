//! Stage 3 (model), what depends on a created function through an expression: a view's query,
//! a policy, a column default or generated column, a check constraint, an index, a trigger's
//! `WHEN`. PostgreSQL records the dependency when the expression is created
//! (`recordDependencyOnExpr`): `DROP FUNCTION ... CASCADE` drops those objects with the
//! function (a generated column is dropped, a default only loses its expression), and without
//! `CASCADE` the drop is refused.
//!
//! A call is resolved when its object is created ([`Replayer::resolve_calls`]). When the name
//! has one overload in the model and no function of PostgreSQL or of an extension can share it,
//! the use is certain; else it is recorded for every overload it may name, uncertain. Uncertain
//! uses never make the model claim a refusal; when their function goes with `CASCADE`, their
//! objects go too, and their names become uncertain (neither missing nor present is claimed).
//!
//! A call that resolves to no function at all fails its statement in PostgreSQL
//! (`function f(integer) does not exist`). That is claimed ([`Replayer::resolve_calls`]) only for
//! a name the project itself creates as a function somewhere (typically later: a policy
//! written before its helper), never for other names: PostgreSQL versions add functions, and a
//! name the history never creates may be a newer release's.

use std::collections::BTreeSet;

use super::Replayer;
use crate::model::ProblemKind;
use crate::model::catalog::{
    Check, Function, FunctionUse, GeneratedAlways, Name, QualifiedName, RelationKind,
};
use crate::model::ir::{AlterAction, Call, ColName, ObjName};
use crate::parse::split::is_ident_continue;
use crate::span::Span;

/// An object whose expression calls a function.
#[derive(Debug, Clone, PartialEq, Eq)]
enum User {
    /// A view or materialized view (`true`).
    View(QualifiedName, bool),
    Default(QualifiedName, Name),
    GeneratedColumn(QualifiedName, Name),
    Check(QualifiedName, Name),
    Policy(QualifiedName, String),
    Trigger(QualifiedName, Name),
    Index(QualifiedName),
}

impl User {
    /// As PostgreSQL's `DETAIL` names it (`view v`, `policy p on table t`).
    fn describe(&self) -> String {
        match self {
            User::View(v, false) => format!("view {v}"),
            User::View(v, true) => format!("materialized view {v}"),
            User::Default(t, c) => format!("default value for column {c} of table {t}"),
            User::GeneratedColumn(t, c) => format!("column {c} of table {t}"),
            User::Check(t, c) => format!("constraint {c} on table {t}"),
            User::Policy(t, p) => format!("policy {p} on table {t}"),
            User::Trigger(t, n) => format!("trigger {n} on table {t}"),
            User::Index(i) => format!("index {i}"),
        }
    }
}

/// Does one of `uses` name overload `args` of `qn`? `Some(certain)` when one does.
fn uses_overload(uses: &[FunctionUse], qn: &QualifiedName, args: &[Option<Name>]) -> Option<bool> {
    uses.iter()
        .filter(|u| u.function == *qn && u.args == args)
        .map(|u| u.certain)
        .reduce(|a, b| a || b)
}

/// The uses of an expression copied to another object (a partition's or child's column
/// default and checks, `LIKE ... INCLUDING`): PostgreSQL records them too, but whether the
/// copy is still the same expression is not followed, so they become uncertain.
pub(super) fn copied(uses: &[FunctionUse]) -> Vec<FunctionUse> {
    uses.iter()
        .map(|u| FunctionUse {
            certain: false,
            ..u.clone()
        })
        .collect()
}

/// A check `LIKE ... INCLUDING CONSTRAINTS` copies: the new table's own.
pub(super) fn copied_check(check: &Check) -> Check {
    Check {
        calls: copied(&check.calls),
        local: true,
        inherited: 0,
        ..check.clone()
    }
}

/// A check a child gets from one parent (not declared on the child).
pub(super) fn inherited_check(check: &Check) -> Check {
    Check {
        calls: copied(&check.calls),
        local: false,
        inherited: 1,
        ..check.clone()
    }
}

/// Add the names of the functions `CREATE [OR REPLACE] FUNCTION` creates in `text`, as
/// PostgreSQL folds them: the schema when written, and the name. A plain scan of the text: a
/// name written in a comment or a string counts too, which only widens what
/// [`Replayer::resolve_calls`] may claim to names the project writes as created functions.
pub(super) fn created_function_names(text: &str, out: &mut BTreeSet<(Option<Name>, Name)>) {
    /// Where the scan is in `CREATE [OR REPLACE] FUNCTION a.b`.
    #[derive(PartialEq)]
    enum State {
        Elsewhere,
        /// After FUNCTION, or after a dot of the name.
        Part,
        /// After a part of the name: a dot continues it.
        AfterPart,
    }
    let mut state = State::Elsewhere;
    let mut recent: [Option<Word<'_>>; 3] = [None, None, None];
    // The parts read so far (`schema`, `name`).
    let mut parts: Vec<Name> = Vec::new();
    let mut finish = |parts: &mut Vec<Name>| {
        let name = parts.pop();
        let schema = parts.pop();
        parts.clear();
        if let Some(name) = name {
            out.insert((schema, name));
        }
    };
    for w in (Words { text, at: 0 }) {
        match (&state, w) {
            (State::Part, Word::Ident(_) | Word::Quoted(_)) => {
                parts.push(w.folded());
                state = State::AfterPart;
                continue;
            }
            (State::AfterPart, Word::Dot) => {
                state = State::Part;
                continue;
            }
            (State::Elsewhere, _) => {}
            _ => {
                finish(&mut parts);
                state = State::Elsewhere;
            }
        }
        if let Word::Ident(i) = w
            && i.eq_ignore_ascii_case("function")
        {
            let is = |w: &Option<Word<'_>>, s: &str| matches!(w, Some(Word::Ident(x)) if x.eq_ignore_ascii_case(s));
            let [a, b, c] = &recent;
            if is(c, "create") || (is(a, "create") && is(b, "or") && is(c, "replace")) {
                state = State::Part;
            }
        }
        recent = [recent[1], recent[2], Some(w)];
    }
    finish(&mut parts);
}

#[derive(Debug, Clone, Copy)]
enum Word<'t> {
    Ident(&'t str),
    /// A double-quoted identifier's content.
    Quoted(&'t str),
    Dot,
    Other,
}

impl Word<'_> {
    fn folded(self) -> Name {
        match self {
            Word::Ident(i) => i.to_ascii_lowercase().into(),
            Word::Quoted(q) => q.replace("\"\"", "\"").into(),
            Word::Dot | Word::Other => Name::default(),
        }
    }
}

/// Identifiers, quoted identifiers, dots and one `Other` per run of anything else.
struct Words<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for Words<'t> {
    type Item = Word<'t>;
    fn next(&mut self) -> Option<Word<'t>> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let first = *bytes.get(start)?;
        if is_ident_continue(first) {
            let len = bytes[start..]
                .iter()
                .take_while(|&&b| is_ident_continue(b))
                .count();
            self.at = start + len;
            return Some(Word::Ident(
                self.text.get(start..self.at).unwrap_or_default(),
            ));
        }
        if first == b'"' {
            let mut end = start + 1;
            loop {
                match bytes.get(end) {
                    None => break,
                    Some(b'"') if bytes.get(end + 1) == Some(&b'"') => end += 2,
                    Some(b'"') => break,
                    Some(_) => end += 1,
                }
            }
            self.at = (end + 1).min(bytes.len());
            return Some(Word::Quoted(
                self.text.get(start + 1..end).unwrap_or_default(),
            ));
        }
        if first == b'.' {
            self.at = start + 1;
            return Some(Word::Dot);
        }
        // Whitespace alone separates words without being one.
        let len = bytes[start..]
            .iter()
            .take_while(|&&b| !is_ident_continue(b) && b != b'"' && b != b'.')
            .count();
        self.at = start + len;
        if bytes[start..self.at].iter().all(u8::is_ascii_whitespace) {
            return self.next();
        }
        Some(Word::Other)
    }
}

impl Replayer<'_> {
    /// Resolve an expression's calls as PostgreSQL does when the expression is created: the
    /// created functions each may name (see the module), or `None` after the error of a call
    /// that finds no function (claimed only for a function the project creates where the call
    /// could find it).
    pub(super) fn resolve_calls(&mut self, calls: &[Call]) -> Option<Vec<FunctionUse>> {
        let mut out = Vec::new();
        for Call { name: call, args } in calls {
            let found: Vec<(QualifiedName, &Function)> = self
                .candidates(call)
                .into_iter()
                .filter_map(|qn| self.cat.functions.get(&qn).map(|fs| (qn, fs)))
                .flat_map(|(qn, fs)| fs.iter().map(move |f| (qn.clone(), f)))
                .collect();
            // No overload takes as many arguments (and no function PostgreSQL or an extension
            // has may share the name): `function f(integer, integer) does not exist`.
            if let Some((qn, _)) = found.first()
                && !found.iter().any(|(_, f)| f.takes(*args))
                && !self.function_unknowable(call)
            {
                let kind = ProblemKind::MissingFunction {
                    name: qn.clone(),
                    written: super::written(call),
                    args: None,
                    overloads: found.iter().map(|(_, f)| f.display_inputs()).collect(),
                    call: true,
                };
                self.error(kind, call.span);
                return None;
            }
            let overloads: Vec<(QualifiedName, Vec<Option<Name>>)> = found
                .into_iter()
                .map(|(qn, f)| (qn, f.args.clone()))
                .collect();
            if overloads.is_empty() {
                if let Some(kind) = self.missing_call(call) {
                    self.error(kind, call.span);
                    return None;
                }
                continue;
            }
            // One overload, and the call passes as many arguments as it declares: anything else
            // (argument defaults, VARIADIC, a call PostgreSQL would refuse) is left uncertain.
            let certain = overloads.len() == 1
                && overloads.first().is_some_and(|(_, a)| a.len() == *args)
                && !self.function_unknowable(call);
            out.extend(overloads.into_iter().map(|(function, args)| FunctionUse {
                function,
                args,
                certain,
            }));
        }
        Some(out)
    }

    /// PostgreSQL's error for a call that finds no function, when it is claimed.
    fn missing_call(&mut self, call: &ObjName) -> Option<ProblemKind> {
        // `s.f()` with no schema `s` yet: PostgreSQL stops at the schema.
        if let Some(schema) = &call.schema
            && !self.schema_exists(schema)
            && !self.uncertain.contains(schema)
            && self.project_creates(call)
        {
            let name = schema.clone();
            return Some(ProblemKind::MissingSchema { name });
        }
        if self.function_unknowable(call) || !self.project_creates(call) {
            return None;
        }
        Some(ProblemKind::MissingFunction {
            name: self.default_name(call),
            written: super::written(call),
            args: None,
            overloads: Vec::new(),
            call: true,
        })
    }

    /// Does the project create a function this call could find: of its name, in its schema
    /// when it is written (or with no schema written: `SET search_path TO s` then `CREATE
    /// FUNCTION f` makes `s.f`), else in a schema of the search path (or with no schema
    /// written)?
    /// A function created in a schema off the path (Supabase's `extensions`, which its roles'
    /// own search path holds) is not one.
    fn project_creates(&mut self, call: &ObjName) -> bool {
        let project = self.project;
        let path = self.path_schemas();
        let created = self.project_functions.get_or_insert_with(|| {
            let mut names = BTreeSet::new();
            for (_, f) in project.iter().flat_map(|p| p.applied()) {
                created_function_names(&f.text, &mut names);
            }
            names
        });
        let found_in =
            |schema: Option<&Name>| created.contains(&(schema.cloned(), call.name.clone()));
        match &call.schema {
            Some(s) => found_in(Some(s)) || found_in(None),
            None => found_in(None) || path.iter().any(|s| found_in(Some(s))),
        }
    }

    /// Every object that uses overload `args` of `qn`, with whether the use is certain.
    fn users_of(&self, qn: &QualifiedName, args: &[Option<Name>]) -> Vec<(User, bool)> {
        let mut users = Vec::new();
        for t in self.cat.tables.values() {
            let name = &t.name;
            if let Some(c) = uses_overload(&t.calls, qn, args) {
                let materialized = t.kind == RelationKind::MaterializedView;
                users.push((User::View(name.clone(), materialized), c));
            }
            for col in &t.columns {
                if let Some(c) = uses_overload(&col.calls, qn, args) {
                    let user = if col.always == GeneratedAlways::Expression {
                        User::GeneratedColumn(name.clone(), col.name.clone())
                    } else {
                        User::Default(name.clone(), col.name.clone())
                    };
                    users.push((user, c));
                }
            }
            for ck in &t.checks {
                if let Some(c) = uses_overload(&ck.calls, qn, args) {
                    users.push((User::Check(name.clone(), ck.name.clone()), c));
                }
            }
            for p in &t.policies {
                let [using, check] = &p.calls;
                let c = uses_overload(using, qn, args).into_iter();
                if let Some(c) = c
                    .chain(uses_overload(check, qn, args))
                    .reduce(|a, b| a || b)
                {
                    users.push((User::Policy(name.clone(), p.name.clone()), c));
                }
            }
            for tr in &t.triggers {
                if let Some(c) = uses_overload(&tr.calls, qn, args) {
                    users.push((User::Trigger(name.clone(), tr.name.clone()), c));
                }
            }
        }
        for (key, i) in self.cat.indexes.iter() {
            if let Some(c) = uses_overload(&i.calls, qn, args) {
                users.push((User::Index(key.clone()), c));
            }
        }
        users
    }

    /// What certainly uses overload `args` of `qn`, as PostgreSQL's refusal to drop it
    /// without `CASCADE` lists it.
    pub(super) fn certain_function_users(
        &self,
        qn: &QualifiedName,
        args: &[Option<Name>],
    ) -> Vec<String> {
        self.users_of(qn, args)
            .iter()
            .filter(|(_, certain)| *certain)
            .map(|(u, _)| u.describe())
            .collect()
    }

    /// `DROP FUNCTION ... CASCADE` of overload `args` of `qn`: what uses it goes too.
    pub(super) fn drop_function_users(
        &mut self,
        qn: &QualifiedName,
        args: &[Option<Name>],
        span: Span,
    ) {
        for (user, certain) in self.users_of(qn, args) {
            self.drop_user(&user, certain, span);
        }
    }

    fn drop_user(&mut self, user: &User, certain: bool, span: Span) {
        let unsure = |r: &mut Self, name: &str| {
            if !certain {
                r.uncertain.insert(name.into());
            }
        };
        match user {
            User::View(v, _) => {
                if self.cat.tables.contains_key(v) {
                    unsure(self, &v.name);
                    self.drop_relation(v, true, span);
                }
            }
            User::Default(t, c) => {
                if let Some(t) = self.table_mut(t)
                    && let Some(col) = t.columns.iter_mut().find(|x| x.name == *c)
                {
                    super::sequence::drop_default(col);
                }
            }
            // A generated column the function may not be behind stays (a miss, never a claim).
            User::GeneratedColumn(t, c) if certain => {
                let name = ColName {
                    name: c.clone(),
                    span,
                };
                let drop = AlterAction::DropColumn {
                    name,
                    if_exists: true,
                    cascade: true,
                };
                if let Some(to) = self.alter_action(t, &drop) {
                    debug_assert_eq!(&to, t, "dropping a column renames nothing");
                }
            }
            User::GeneratedColumn(..) => {}
            User::Check(t, c) => {
                unsure(self, c);
                if let Some(t) = self.table_mut(t) {
                    t.checks.retain(|x| x.name != *c);
                }
            }
            User::Policy(t, p) => {
                unsure(self, p);
                self.annotate(t, |t| t.policies.retain(|x| x.name != *p));
            }
            User::Trigger(t, n) => {
                unsure(self, n);
                self.annotate(t, |t| t.triggers.retain(|x| x.name != *n));
            }
            User::Index(i) => {
                unsure(self, &i.name);
                self.drop_index(i, span);
            }
        }
    }

    /// `ALTER FUNCTION ... RENAME TO` / `SET SCHEMA` moved overload `args` of `from` to `to`:
    /// what uses it follows (PostgreSQL's dependencies are on the function, not its name).
    pub(super) fn retarget_function_uses(
        &mut self,
        from: &QualifiedName,
        args: &[Option<Name>],
        to: &QualifiedName,
    ) {
        let users: Vec<User> = self
            .users_of(from, args)
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        let retarget = |uses: &mut Vec<FunctionUse>| {
            for u in uses.iter_mut() {
                if u.function == *from && u.args == args {
                    u.function = to.clone();
                }
            }
        };
        for user in users {
            match &user {
                User::View(t, _) => {
                    if let Some(t) = self.table_mut(t) {
                        retarget(&mut t.calls);
                    }
                }
                User::Default(t, c) | User::GeneratedColumn(t, c) => {
                    if let Some(t) = self.table_mut(t)
                        && let Some(col) = t.columns.iter_mut().find(|x| x.name == *c)
                    {
                        retarget(&mut col.calls);
                    }
                }
                User::Check(t, c) => {
                    if let Some(t) = self.table_mut(t)
                        && let Some(ck) = t.checks.iter_mut().find(|x| x.name == *c)
                    {
                        retarget(&mut ck.calls);
                    }
                }
                User::Policy(t, p) => self.annotate(t, |t| {
                    if let Some(p) = t.policies.iter_mut().find(|x| x.name == *p) {
                        p.calls.iter_mut().for_each(retarget);
                    }
                }),
                User::Trigger(t, n) => self.annotate(t, |t| {
                    if let Some(tr) = t.triggers.iter_mut().find(|x| x.name == *n) {
                        retarget(&mut tr.calls);
                    }
                }),
                User::Index(i) => {
                    if let Some(mut ix) = self.cat.indexes.get(i).cloned() {
                        retarget(&mut ix.calls);
                        self.put_index(ix);
                    }
                }
            }
        }
    }
}

#[test]
fn created_function_names_are_read_as_postgresql_folds_them() {
    let mut names = BTreeSet::new();
    let text = "CREATE FUNCTION public.Is_Member(o int) ...;\n\
                create or replace\n  function \"CamelCase\"() ...;\n\
                CREATE OR REPLACE FUNCTION util . helper ();\n\
                CREATE FUNCTION \"we\"\"ird\".x() ...;\n\
                DROP FUNCTION dropped(); ALTER FUNCTION altered() RENAME TO renamed;\n\
                SELECT create_function(); -- create function in_comment\n\
                CREATE TRIGGER t BEFORE INSERT ON x EXECUTE FUNCTION not_created();\n\
                CREATE FUNCTION";
    created_function_names(text, &mut names);
    let names: Vec<String> = names
        .iter()
        .map(|(s, n)| format!("{}.{n}", s.as_deref().unwrap_or("-")))
        .collect();
    assert_eq!(
        names,
        [
            "-.CamelCase",
            "-.in_comment",
            "public.is_member",
            "util.helper",
            "we\"ird.x"
        ],
        "a comment counts (see the doc); DROP, ALTER, EXECUTE FUNCTION do not"
    );
}
