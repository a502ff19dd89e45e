//! Stage 3 (model), replay of functions and triggers with PostgreSQL's checks: a trigger's
//! table and function must exist (`CreateTrigger` in `trigger.c` looks up `f()` with no
//! arguments and requires `RETURNS trigger`), a trigger name is unique per table, `DROP` and
//! `ALTER FUNCTION` find the function by name and input argument types (`LookupFuncWithArgs`),
//! and a function a trigger executes cannot be dropped without `CASCADE`.
//!
//! Functions the history did not create are never called missing: PostgreSQL's own
//! ([`pgfunc::PG_CATALOG`]), those of a created contrib extension ([`pgfunc::EXTENSIONS`]),
//! any name once an extension of unknown contents is created, names an unparsed statement may
//! have created, and functions in assumed or system schemas.

use super::Replayer;
use crate::model::Refusal;
use crate::model::catalog::{
    Function, Name, QualifiedName, RelationKind, Trigger, is_system_schema,
};
use crate::model::ir::{
    Call, ColName, ConstantUse, FuncMove, FuncRef, ObjName, QueryRefs, RelRef, TypeRef, Volatility,
};
use crate::model::{EventAction, ObjectKey, ProblemKind, RefContext, extensions, pgfunc, pgtype};
use crate::span::Span;

/// How a signature names a type the history created (or a relation's row type).
fn type_identity(qn: &QualifiedName) -> String {
    format!("{}.{}", qn.schema, qn.name)
}

/// The argument and return types of a signature, as far as known.
fn signature_types(f: &Function) -> impl Iterator<Item = &Name> {
    let returned = f.returns.iter().filter_map(|(r, _)| r.as_ref());
    f.args.iter().flatten().chain(returned)
}

/// `Some(brackets)` when signature type `t` is type `id` or an array of it.
fn names_type<'t>(t: &'t str, id: &str) -> Option<&'t str> {
    let brackets = t.strip_prefix(id)?;
    brackets
        .bytes()
        .all(|b| b == b'[' || b == b']')
        .then_some(brackets)
}

/// What `CREATE FUNCTION` says of its body: its language, its volatility and, for `LANGUAGE
/// sql`, the relations it reads.
pub(super) struct Body<'a> {
    pub plpgsql: bool,
    /// `LANGUAGE c` or `internal` (see [`crate::model::ir::Change::CreateFunction`]).
    pub c_language: bool,
    /// `LANGUAGE sql` (or a SQL-standard body).
    pub sql_language: bool,
    pub volatility: Volatility,
    pub relations: &'a [RelRef],
    /// A body of queries, checked as a view's (see [`crate::model::ir::Change::CreateFunction`]).
    pub queries: &'a [QueryRefs],
}

/// A `CREATE FUNCTION`'s input arguments (IN, INOUT, VARIADIC).
pub(super) struct Inputs<'a> {
    pub types: &'a [TypeRef],
    /// As `types`; `None` for an unnamed one.
    pub names: &'a [Option<Name>],
    /// How many (the last ones) have a default.
    pub defaults: usize,
    /// The last is VARIADIC.
    pub variadic: bool,
}

/// How a trigger is declared, as far as PostgreSQL's checks of its table need it.
#[derive(Debug, Clone, Copy)]
pub(super) struct TriggerKind {
    pub or_replace: bool,
    pub instead_of: bool,
    pub row: bool,
}

/// A function looked up by name and argument types.
enum Lookup {
    /// Overload `.1` of the functions named `.0`.
    Found(QualifiedName, usize),
    /// The model cannot tell (an argument type it does not know, several candidates).
    Unsure,
    /// PostgreSQL finds no such function.
    Missing,
    /// Named without arguments, and several functions have the name.
    Ambiguous,
}

/// Do two argument lists name the same signature? `None` when a type is not known.
fn same_args(a: &[Option<Name>], b: &[Option<Name>]) -> Option<bool> {
    if a.len() != b.len() {
        return Some(false);
    }
    let mut certain = true;
    for (x, y) in a.iter().zip(b) {
        match (x, y) {
            (Some(x), Some(y)) if x != y => return Some(false),
            (Some(_), Some(_)) => {}
            _ => certain = false,
        }
    }
    certain.then_some(true)
}

impl Replayer<'_> {
    /// An argument type as compared for a function's identity (see [`Function::args`]).
    fn arg_identity(&self, ty: &TypeRef) -> Option<Name> {
        let Some(user) = &ty.user else {
            return Some(pgtype::without_modifiers(&ty.text).into());
        };
        let brackets = "[]".repeat(ty.array);
        self.candidates(user)
            .into_iter()
            .find(|qn| self.cat.types.contains_key(qn) || self.cat.tables.contains_key(qn))
            .map(|qn| format!("{}{brackets}", type_identity(&qn)).into())
    }

    /// The functions (name, overload) whose argument or return types name type `qn` (a type,
    /// or a relation's row type), or an array of it: PostgreSQL records each signature's
    /// dependency on its types. Highest overload first, so dropping them in order keeps the
    /// other positions valid.
    pub(super) fn functions_using_type(&self, qn: &QualifiedName) -> Vec<(QualifiedName, usize)> {
        let id = type_identity(qn);
        let mut out: Vec<(QualifiedName, usize)> = self
            .cat
            .functions
            .iter()
            .flat_map(|(name, overloads)| {
                overloads
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| signature_types(f).any(|t| names_type(t, &id).is_some()))
                    .map(move |(i, _)| (name.clone(), i))
            })
            .collect();
        out.sort_by(|a, b| (&a.0, b.1).cmp(&(&b.0, a.1)));
        out
    }

    /// PostgreSQL's `function f(mood) depends on type mood` for each of [`Self::functions_using_type`].
    pub(super) fn describe_functions(&self, functions: &[(QualifiedName, usize)]) -> Vec<String> {
        functions
            .iter()
            .filter_map(|(qn, i)| {
                let f = self.cat.functions.get(qn)?.get(*i)?;
                Some(format!("function {qn}({})", f.display_args()))
            })
            .collect()
    }

    /// After type or relation `from` became `to` (renamed or moved), the signatures that named
    /// it name `to`: PostgreSQL's hold the type itself, not its name.
    pub(super) fn retype_signatures(&mut self, from: &QualifiedName, to: &QualifiedName) {
        let (old, new) = (type_identity(from), type_identity(to));
        let users: Vec<QualifiedName> = self
            .functions_using_type(from)
            .into_iter()
            .map(|(qn, _)| qn)
            .collect();
        for qn in users {
            let Some(mut overloads) = self.cat.functions.get(&qn).cloned() else {
                continue;
            };
            for f in &mut overloads {
                let returned = f.returns.iter_mut().filter_map(|(r, _)| r.as_mut());
                for t in f.args.iter_mut().flatten().chain(returned) {
                    if let Some(brackets) = names_type(t, &old) {
                        *t = format!("{new}{brackets}").into();
                    }
                }
            }
            self.put_functions(qn, overloads);
        }
    }

    fn arg_identities(&self, args: &[TypeRef]) -> Vec<Option<Name>> {
        args.iter().map(|t| self.arg_identity(t)).collect()
    }

    /// Do a function's schema (when written) and its argument types exist? When not, records
    /// PostgreSQL's error (`schema "s" does not exist`, `type "t" does not exist`), except
    /// under `IF EXISTS`, where PostgreSQL only notes that it skips the function.
    fn function_names_resolve(
        &mut self,
        name: &ObjName,
        args: &[TypeRef],
        if_exists: bool,
    ) -> bool {
        if let Some(s) = &name.schema
            && !self.schema_exists(s)
            && !self.uncertain.contains(s)
        {
            if !if_exists {
                let missing = ProblemKind::MissingSchema { name: s.clone() };
                self.error(missing, name.span);
            }
            return false;
        }
        let (silent, failed) = (self.silent, self.failed);
        self.silent |= if_exists;
        let ok = args.iter().all(|t| self.resolve_type(t).is_some());
        if if_exists {
            (self.silent, self.failed) = (silent, failed);
        }
        ok
    }

    /// What the validator of a function's language checks at CREATE (`check_function_bodies`):
    /// the relations a `LANGUAGE sql` body reads exist; PL/pgSQL compiles a trigger or event
    /// trigger function and refuses declared arguments (a trigger's arrive in `TG_ARGV`).
    fn body_compiles(
        &mut self,
        body: &Body<'_>,
        returns_trigger: Option<bool>,
        returns: Option<&(TypeRef, bool)>,
        args: &[TypeRef],
    ) -> bool {
        for r in body.relations {
            if self.need_rel(&r.name, RefContext::Select).is_none() {
                return false;
            }
        }
        for q in body.queries {
            if self.check_query(q).is_none() || self.failed {
                return false;
            }
        }
        if !body.plpgsql || args.is_empty() {
            return true;
        }
        let event = returns
            .is_some_and(|(t, setof)| !setof && t.user.is_none() && t.text == "event_trigger");
        let what = match (returns_trigger, event) {
            (Some(true), _) => "trigger",
            (_, true) => "event trigger",
            _ => return true,
        };
        let reason = format!("{what} functions cannot have declared arguments");
        let help = if event {
            "declare the event trigger function without arguments"
        } else {
            "declare the trigger function without arguments and read the trigger's arguments \
             from TG_ARGV"
        };
        self.reject(Refusal::new(reason, help), self.stmt_span);
        false
    }

    /// May an extension the history created have a function named `n`: a contrib one that
    /// creates it, or one outside contrib (of unknown contents)?
    pub(super) fn extension_function(&self, n: &str) -> bool {
        self.cat
            .extensions
            .iter()
            .any(|e| extensions::contrib_functions(e).is_none_or(|fs| fs.binary_search(&n).is_ok()))
    }

    /// `true` when a function of this name may exist without the history showing it.
    pub(super) fn function_unknowable(&self, name: &ObjName) -> bool {
        let n = name.name.as_str();
        if self.routines_blind || self.uncertain.contains(&name.name) {
            return true;
        }
        let in_catalog = name.schema.as_deref().is_none_or(|s| s == "pg_catalog");
        if in_catalog && pgfunc::PG_CATALOG.binary_search(&n).is_ok() {
            return true;
        }
        if self.extension_function(n) {
            return true;
        }
        let unknown_schema = |s: &str| {
            is_system_schema(s)
                || !self.cat.schemas.contains_key(s)
                || self.settings.assume_schemas.iter().any(|a| a == s)
        };
        match &name.schema {
            Some(s) => unknown_schema(s),
            None => self
                .path_schemas()
                .iter()
                .any(|s| self.cat.schemas.contains_key(s) && unknown_schema(s)),
        }
    }

    /// Find the function `name(args)` as PostgreSQL does: in its schema, or along the search
    /// path; with no argument list, the one function of that name.
    fn lookup_function(&self, name: &ObjName, args: Option<&[Option<Name>]>) -> Lookup {
        let mut unsure = false;
        let mut any: Vec<(QualifiedName, usize)> = Vec::new();
        for qn in self.candidates(name) {
            let Some(overloads) = self.cat.functions.get(&qn) else {
                continue;
            };
            for (i, f) in overloads.iter().enumerate() {
                match args {
                    None => any.push((qn.clone(), i)),
                    Some(args) => match same_args(&f.args, args) {
                        Some(true) => return Lookup::Found(qn, i),
                        Some(false) => {}
                        None => unsure = true,
                    },
                }
            }
        }
        if args.is_none() && any.len() == 1 {
            let (qn, i) = any.swap_remove(0);
            return Lookup::Found(qn, i);
        }
        if any.len() > 1 {
            return Lookup::Ambiguous;
        }
        if unsure {
            Lookup::Unsure
        } else {
            Lookup::Missing
        }
    }

    /// PostgreSQL's error for a function it cannot find, unless one may exist unseen.
    fn missing_function(&mut self, name: &ObjName, args: Option<&[TypeRef]>) {
        if self.function_unknowable(name) {
            return;
        }
        let args = args.map(|a| {
            a.iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        });
        let overloads = self
            .candidates(name)
            .iter()
            .filter_map(|qn| self.cat.functions.get(qn))
            .flatten()
            .map(Function::display_args)
            .collect();
        let kind = ProblemKind::MissingFunction {
            name: self.default_name(name),
            written: super::written(name),
            args,
            overloads,
            call: false,
        };
        self.error(kind, name.span);
    }

    /// PostgreSQL's refusal of a function named without arguments when several have the
    /// name, unless one of them may be gone unseen.
    fn ambiguous_function(&mut self, name: &ObjName) {
        if self.routines_blind || self.uncertain.contains(&name.name) {
            self.uncertain.insert(name.name.clone());
            return;
        }
        let reason = format!("function name \"{}\" is not unique", super::written(name));
        let help = "name the argument types to say which one: `DROP FUNCTION f(integer)`";
        self.reject(Refusal::new(reason, help), name.span);
    }

    fn put_functions(&mut self, qn: QualifiedName, overloads: Vec<Function>) {
        let old = if overloads.is_empty() {
            self.cat.functions.remove(&qn)
        } else {
            self.cat.functions.insert(qn.clone(), overloads)
        };
        self.journal.push(super::Undo::Function(qn, old));
    }

    /// `CREATE FUNCTION`, checked in PostgreSQL's order: the schema, the argument types, the
    /// return type (CreateFunction), an existing function of the same signature, then the
    /// body (the language's validator, ProcedureCreate's last step).
    pub(super) fn create_function(
        &mut self,
        name: &ObjName,
        or_replace: bool,
        inputs: &Inputs<'_>,
        (returns_trigger, returns): (Option<bool>, Option<&(TypeRef, bool)>),
        body: &Body<'_>,
    ) {
        let args = inputs.types;
        let Some(schema) = self.creation_schema(name) else {
            return;
        };
        if !self.function_names_resolve(name, args, false) {
            return;
        }
        // PostgreSQL makes a shell type of a missing return type only for C functions.
        if let Some((ty, _)) = returns.filter(|_| !body.c_language)
            && self.resolve_type(ty).is_none()
        {
            return;
        }
        if let Some((ty, _)) = returns.filter(|(t, _)| t.user.is_none()) {
            let inputs: Vec<&str> = args
                .iter()
                .filter(|a| a.user.is_none())
                .map(|a| a.text.as_str())
                .collect();
            if let Some(detail) = pgtype::polymorphic_result_refusal(&ty.text, &inputs) {
                let reason = format!("cannot determine result data type: {detail}");
                let help = "declare an argument of a polymorphic type the result can be deduced \
                            from, or a concrete result type";
                return self.reject(Refusal::new(reason, help), ty.span);
            }
        }
        let qn = QualifiedName::new(schema, name.name.clone());
        let f = Function {
            args: self.arg_identities(args),
            arg_names: inputs.names.to_vec(),
            defaults: inputs.defaults,
            variadic: inputs.variadic,
            returns_trigger,
            returns: returns.map(|(ty, setof)| (self.arg_identity(ty), *setof)),
            origin: name.span,
            volatility: Some(body.volatility),
            sql_language: body.sql_language,
        };
        let mut overloads = self.cat.functions.get(&qn).cloned().unwrap_or_default();
        let same = overloads
            .iter()
            .position(|o| same_args(&o.args, &f.args) == Some(true));
        if let Some(old) = same.and_then(|i| overloads.get(i)) {
            if !or_replace {
                let object = ObjectKey::Function { name: qn };
                let existing = old.origin;
                return self.error(ProblemKind::DuplicateObject { object, existing }, name.span);
            }
            let changed = matches!((old.returns_trigger, f.returns_trigger), (Some(a), Some(b)) if a != b)
                || matches!(
                    (&old.returns, &f.returns),
                    (Some((Some(a), x)), Some((Some(b), y))) if a != b || x != y
                );
            if changed {
                let help = "drop the function first (DROP FUNCTION), then create it again";
                let reason = "cannot change return type of existing function";
                return self.reject(Refusal::new(reason, help), name.span);
            }
            // PostgreSQL lets a replacement name an unnamed argument, not rename or unname one
            // (calls may pass arguments by name).
            let renamed = old.arg_names.iter().enumerate().find_map(|(j, o)| {
                let o = o.as_ref().filter(|o| !o.is_empty())?;
                (f.arg_names.get(j).and_then(Option::as_ref) != Some(o)).then_some(o)
            });
            if let Some(o) = renamed {
                let reason = format!("cannot change name of input parameter \"{o}\"");
                let help = "keep the parameter's name, or drop the function first (DROP \
                            FUNCTION with its argument types), then create it again";
                return self.reject(Refusal::new(reason, help), name.span);
            }
        }
        if self.function_bodies_checked && !self.body_compiles(body, returns_trigger, returns, args)
        {
            return;
        }
        // CREATE OR REPLACE of the same signature replaces it.
        match same {
            Some(i) => {
                if let Some(slot) = overloads.get_mut(i) {
                    *slot = f;
                }
            }
            None => overloads.push(f),
        }
        self.put_functions(qn.clone(), overloads);
        self.event(
            ObjectKey::Function { name: qn },
            EventAction::Created,
            name.span,
        );
    }

    /// The triggers (table, trigger name) that execute function `qn`.
    fn triggers_executing(&self, qn: &QualifiedName) -> Vec<(QualifiedName, Name)> {
        self.cat
            .tables
            .values()
            .flat_map(|t| {
                t.triggers
                    .iter()
                    .filter(|tr| tr.function.as_ref() == Some(qn))
                    .map(|tr| (t.name.clone(), tr.name.clone()))
            })
            .collect()
    }

    /// Remove overload `i` of `qn`; with `cascade`, the triggers executing it go too.
    /// Returns `false` (after the error) when triggers depend on it and `cascade` is off.
    pub(super) fn drop_overload(
        &mut self,
        qn: &QualifiedName,
        i: usize,
        cascade: bool,
        span: Span,
    ) -> bool {
        let Some(mut overloads) = self.cat.functions.get(qn).cloned() else {
            return true;
        };
        let args = overloads.get(i).map(|f| f.args.clone()).unwrap_or_default();
        // Triggers execute the function without arguments.
        let triggers = if args.is_empty() {
            self.triggers_executing(qn)
        } else {
            Vec::new()
        };
        if !cascade {
            let mut dependents: Vec<String> = triggers
                .iter()
                .map(|(t, n)| format!("trigger {n} on table {t}"))
                .collect();
            dependents.extend(self.certain_function_users(qn, &args));
            if !dependents.is_empty() {
                let object = ObjectKey::Function { name: qn.clone() };
                self.error(ProblemKind::DependentObjects { object, dependents }, span);
                return false;
            }
        }
        for (table, name) in triggers {
            self.annotate(&table, |t| t.triggers.retain(|tr| tr.name != name));
        }
        if cascade {
            self.drop_function_users(qn, &args, span);
        }
        if i < overloads.len() {
            overloads.remove(i);
        }
        let gone = overloads.is_empty();
        self.put_functions(qn.clone(), overloads);
        if gone {
            self.event(
                ObjectKey::Function { name: qn.clone() },
                EventAction::Dropped,
                span,
            );
        }
        true
    }

    /// `DROP FUNCTION`: PostgreSQL finds every function first and drops none if one is
    /// missing (without `IF EXISTS`).
    pub(super) fn drop_functions(&mut self, functions: &[FuncRef], if_exists: bool, cascade: bool) {
        let mut found = Vec::new();
        for f in functions {
            if !self.function_names_resolve(
                &f.name,
                f.args.as_deref().unwrap_or_default(),
                if_exists,
            ) {
                if self.failed {
                    return;
                }
                continue;
            }
            let args = f.args.as_deref().map(|a| self.arg_identities(a));
            match self.lookup_function(&f.name, args.as_deref()) {
                Lookup::Found(qn, i) => found.push((qn, i, f.name.span)),
                Lookup::Unsure => {
                    self.uncertain.insert(f.name.name.clone());
                }
                Lookup::Ambiguous => {
                    self.ambiguous_function(&f.name);
                    if self.failed {
                        return;
                    }
                }
                Lookup::Missing if if_exists => {}
                Lookup::Missing => {
                    self.missing_function(&f.name, f.args.as_deref());
                    if self.failed {
                        return;
                    }
                }
            }
        }
        // Highest overload first, so the other positions of the same name stay valid.
        found.sort_by(|a, b| (&a.0, b.1).cmp(&(&b.0, a.1)));
        found.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        for (qn, i, span) in found {
            if !self.drop_overload(&qn, i, cascade, span) {
                return;
            }
        }
    }

    /// Functions a statement names that must exist: `GRANT` / `REVOKE ... ON FUNCTION f(args),
    /// ...`, `COMMENT ON FUNCTION`, `ALTER FUNCTION ... OWNER TO` (PostgreSQL stops at the
    /// first it cannot find).
    pub(super) fn named_functions(&mut self, functions: &[FuncRef]) {
        for f in functions {
            let written = f.args.as_deref().unwrap_or_default();
            if !self.function_names_resolve(&f.name, written, false) {
                return;
            }
            let args = f.args.as_deref().map(|a| self.arg_identities(a));
            match self.lookup_function(&f.name, args.as_deref()) {
                Lookup::Found(qn, i) => {
                    let origin = self
                        .cat
                        .functions
                        .get(&qn)
                        .and_then(|o| o.get(i))
                        .map(|o| o.origin);
                    self.use_of(ObjectKey::Function { name: qn }, f.name.span, origin);
                }
                Lookup::Unsure => {}
                Lookup::Ambiguous => {
                    self.ambiguous_function(&f.name);
                    if self.failed {
                        return;
                    }
                }
                Lookup::Missing => {
                    self.missing_function(&f.name, f.args.as_deref());
                    if self.failed {
                        return;
                    }
                }
            }
        }
    }

    /// `ALTER FUNCTION f[(args)] IMMUTABLE | STABLE | VOLATILE`, after [`Self::named_functions`]
    /// found it. When the model cannot tell which overload it changed, every overload it may
    /// name gets an unknown volatility.
    pub(super) fn alter_volatility(&mut self, function: &FuncRef, to: Volatility) {
        if self.failed {
            return;
        }
        let args = function.args.as_deref().map(|a| self.arg_identities(a));
        let targets: Vec<(QualifiedName, Option<usize>)> =
            match self.lookup_function(&function.name, args.as_deref()) {
                Lookup::Found(qn, i) => vec![(qn, Some(i))],
                Lookup::Missing => Vec::new(),
                Lookup::Unsure | Lookup::Ambiguous => self
                    .candidates(&function.name)
                    .into_iter()
                    .map(|qn| (qn, None))
                    .collect(),
            };
        for (qn, index) in targets {
            let Some(mut overloads) = self.cat.functions.get(&qn).cloned() else {
                continue;
            };
            for (i, f) in overloads.iter_mut().enumerate() {
                match index {
                    Some(j) if i == j => f.volatility = Some(to),
                    Some(_) => {}
                    None => f.volatility = None,
                }
            }
            self.put_functions(qn, overloads);
        }
    }

    /// `ALTER FUNCTION f(args) RENAME TO` / `SET SCHEMA`.
    pub(super) fn move_function(&mut self, function: &FuncRef, to: &FuncMove) {
        let written_args = function.args.as_deref().unwrap_or_default();
        if !self.function_names_resolve(&function.name, written_args, false) {
            return;
        }
        let args = function.args.as_deref().map(|a| self.arg_identities(a));
        let (qn, i) = match self.lookup_function(&function.name, args.as_deref()) {
            Lookup::Found(qn, i) => (qn, i),
            Lookup::Missing => {
                return self.missing_function(&function.name, function.args.as_deref());
            }
            Lookup::Ambiguous => return self.ambiguous_function(&function.name),
            Lookup::Unsure => {
                self.uncertain.insert(function.name.name.clone());
                if let FuncMove::Rename(new) = to {
                    self.uncertain.insert(new.clone());
                }
                return;
            }
        };
        let target = match to {
            FuncMove::Rename(new) => QualifiedName::new(qn.schema.clone(), new.clone()),
            FuncMove::SetSchema(s) => {
                if !self.need_schema(s, function.name.span) {
                    return;
                }
                if *s == qn.schema {
                    return; // already there: PostgreSQL does nothing
                }
                QualifiedName::new(s.clone(), qn.name.clone())
            }
        };
        let Some(mut overloads) = self.cat.functions.get(&qn).cloned() else {
            return;
        };
        if i >= overloads.len() {
            return;
        }
        let f = overloads.remove(i);
        let mut at_target = self.cat.functions.get(&target).cloned().unwrap_or_default();
        let clash = at_target.iter().map(|o| same_args(&o.args, &f.args));
        if clash.clone().any(|same| same == Some(true)) {
            let reason = format!(
                "function {}({}) already exists in schema \"{}\"",
                target.name,
                f.args
                    .iter()
                    .map(|a| a.as_deref().unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join(", "),
                target.schema
            );
            let help =
                "drop or rename the function that has this name and these argument types first";
            return self.reject(Refusal::new(reason, help), function.name.span);
        }
        if clash.into_iter().any(|same| same.is_none()) {
            // It may clash: PostgreSQL may refuse it; the model cannot tell.
            self.uncertain.insert(target.name.clone());
            return;
        }
        let moved_args = f.args.clone();
        at_target.push(f);
        self.put_functions(qn.clone(), overloads);
        self.put_functions(target.clone(), at_target);
        self.follow_function(&qn, &moved_args, &target);
        let action = match to {
            FuncMove::Rename(new) => EventAction::renamed(qn.name.clone(), new.clone()),
            FuncMove::SetSchema(s) => EventAction::moved(qn.name.clone(), s.clone()),
        };
        self.event(ObjectKey::Function { name: qn }, action, function.name.span);
        self.event(
            ObjectKey::Function { name: target },
            EventAction::Created,
            function.name.span,
        );
    }

    /// Overload `args` of `qn` is now a function of `target`: the triggers executing it (a
    /// trigger function takes no arguments) and the expressions calling it follow.
    fn follow_function(
        &mut self,
        qn: &QualifiedName,
        args: &[Option<Name>],
        target: &QualifiedName,
    ) {
        if args.is_empty() {
            for (table, name) in self.triggers_executing(qn) {
                let to = target.clone();
                self.annotate(&table, |t| {
                    for tr in &mut t.triggers {
                        if tr.name == name {
                            tr.function = Some(to.clone());
                        }
                    }
                });
            }
        }
        self.retarget_function_uses(qn, args, target);
    }

    /// Every overload of `qn` moves to `target` (a free name: its schema was just renamed).
    pub(super) fn relocate_functions(
        &mut self,
        qn: &QualifiedName,
        target: &QualifiedName,
        span: Span,
    ) {
        let Some(overloads) = self.cat.functions.get(qn).cloned() else {
            return;
        };
        let args: Vec<Vec<Option<Name>>> = overloads.iter().map(|f| f.args.clone()).collect();
        self.put_functions(qn.clone(), Vec::new());
        self.put_functions(target.clone(), overloads);
        for a in &args {
            self.follow_function(qn, a, target);
        }
        let action = EventAction::moved(qn.name.clone(), target.schema.clone());
        self.event(ObjectKey::Function { name: qn.clone() }, action, span);
        self.event(
            ObjectKey::Function {
                name: target.clone(),
            },
            EventAction::Created,
            span,
        );
    }

    /// Where trigger `name` of table `qn` was created, if it exists.
    fn trigger_origin(&self, qn: &QualifiedName, name: &str) -> Option<Span> {
        self.cat
            .tables
            .get(qn)?
            .triggers
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.origin)
    }

    /// A trigger the model does not see may exist on `qn`: one an unparsed statement made or
    /// renamed, one a partition got from its partitioned table (row triggers are cloned to
    /// partitions; inheritance children get none), a table an unreadable ALTER touched.
    fn triggers_unknowable(&self, qn: &QualifiedName, name: &Name) -> bool {
        self.triggers_blind
            || self.uncertain.contains(name)
            || self
                .cat
                .tables
                .get(qn)
                .is_none_or(|t| t.blind || t.kind == RelationKind::Partition)
    }

    pub(super) fn create_trigger(
        &mut self,
        name: &ColName,
        table: &ObjName,
        function: &ObjName,
        kind: TriggerKind,
        (calls, when_columns, when_constants): (&[Call], &[ColName], &[ConstantUse]),
        update_of: &[ColName],
    ) {
        if let Some(refusal) = self.trigger_target_refusal(table, kind) {
            return self.reject(refusal, table.span);
        }
        let Some(qn) = self.need_rel(table, RefContext::Trigger) else {
            return;
        };
        // The WHEN condition is read before the function is looked up.
        if !self.need_columns(&qn, when_columns, RefContext::TriggerCondition)
            || !self.constants_valid(&qn, when_constants)
        {
            return;
        }
        if !self.function_names_resolve(function, &[], false) {
            return;
        }
        let executes = match self.lookup_function(function, Some(&[])) {
            Lookup::Found(fqn, i) => {
                let f = self.cat.functions.get(&fqn).and_then(|o| o.get(i));
                let (returns, origin) = (f.and_then(|f| f.returns_trigger), f.map(|f| f.origin));
                let key = ObjectKey::Function { name: fqn.clone() };
                self.use_of(key, function.span, origin);
                if returns == Some(false) {
                    let reason = format!(
                        "function {} must return type trigger",
                        super::written(function)
                    );
                    let help = "declare the function `RETURNS trigger`";
                    return self.reject(Refusal::new(reason, help), function.span);
                }
                Some(fqn)
            }
            Lookup::Unsure | Lookup::Ambiguous => None,
            Lookup::Missing => {
                self.missing_function(function, Some(&[]));
                if self.failed {
                    return;
                }
                None
            }
        };
        if !self.cat.tables.contains_key(&qn) {
            return; // assumed / system relation
        }
        if let Some(existing) = self.trigger_origin(&qn, &name.name)
            && !kind.or_replace
        {
            let object = ObjectKey::Trigger {
                table: qn,
                name: name.name.clone(),
            };
            return self.error(ProblemKind::DuplicateObject { object, existing }, name.span);
        }
        let Some(calls) = self.resolve_calls(calls) else {
            return;
        };
        let mut columns: Vec<Name> = update_of
            .iter()
            .chain(when_columns)
            .map(|c| c.name.clone())
            .collect();
        columns.sort();
        columns.dedup();
        let trigger = Trigger {
            name: name.name.clone(),
            function: executes,
            origin: name.span,
            calls,
            columns,
        };
        self.annotate(&qn, |t| {
            t.triggers.retain(|x| x.name != trigger.name);
            t.triggers.push(trigger);
            t.triggers.sort_by(|a, b| a.name.cmp(&b.name));
        });
    }

    /// PostgreSQL's refusal of a trigger on this relation (`CreateTriggerFiringOn`): only
    /// tables take BEFORE / AFTER row triggers, only views INSTEAD OF ones, and those must
    /// be row triggers; sequences, indexes and materialized views take none.
    fn trigger_target_refusal(&self, table: &ObjName, kind: TriggerKind) -> Option<Refusal> {
        if kind.instead_of && !kind.row {
            let help = "write INSTEAD OF triggers FOR EACH ROW";
            return Some(Refusal::new(
                "INSTEAD OF triggers must be FOR EACH ROW",
                help,
            ));
        }
        let qn = self.lookup_pg_class(table)?;
        let name = &qn.name;
        let Some(t) = self.cat.tables.get(&qn) else {
            let what = if self.cat.indexes.contains_key(&qn) {
                "indexes"
            } else {
                "sequences"
            };
            let reason =
                format!("relation \"{name}\" cannot have triggers (not supported for {what})");
            return Some(Refusal::new(reason, "put the trigger on a table or a view"));
        };
        match t.kind {
            RelationKind::MaterializedView => Some(Refusal::new(
                format!(
                    "relation \"{name}\" cannot have triggers (not supported for materialized views)"
                ),
                "put the trigger on the tables the materialized view reads, or refresh it from a job",
            )),
            RelationKind::View if kind.row && !kind.instead_of => Some(Refusal::new(
                format!(
                    "\"{name}\" is a view: views cannot have row-level BEFORE or AFTER triggers"
                ),
                "use an INSTEAD OF trigger on the view, or put the trigger on its table",
            )),
            RelationKind::Table | RelationKind::PartitionedTable | RelationKind::Partition
                if kind.instead_of =>
            {
                Some(Refusal::new(
                    format!("\"{name}\" is a table: tables cannot have INSTEAD OF triggers"),
                    "use a BEFORE or AFTER trigger on a table",
                ))
            }
            _ => None,
        }
    }

    /// The table of a DROP / ALTER TRIGGER, when the model holds it.
    pub(super) fn trigger_table(
        &mut self,
        table: &ObjName,
        if_exists: bool,
    ) -> Option<QualifiedName> {
        let qn = match self.lookup_rel(table) {
            Ok(qn) => qn,
            Err(_) if if_exists || self.uncertain.contains(&table.name) => return None,
            Err(_) => return self.need_rel(table, RefContext::Trigger),
        };
        let defined = self.cat.tables.get(&qn).map(|t| t.origin)?;
        self.use_of(
            ObjectKey::Relation { name: qn.clone() },
            table.span,
            Some(defined),
        );
        Some(qn)
    }

    fn missing_trigger(&mut self, name: &ColName, qn: &QualifiedName) {
        let reason = format!(
            "trigger \"{}\" for table \"{}\" does not exist",
            name.name, qn.name
        );
        self.reject(reason, name.span);
    }

    /// `ALTER TABLE ... ENABLE / DISABLE TRIGGER name`: the trigger must exist.
    pub(super) fn trigger_state(&mut self, qn: &QualifiedName, name: &ColName) {
        if self.cat.tables.contains_key(qn) {
            self.has_trigger(qn, name, true);
        }
    }

    /// Does table `qn` have trigger `name`? When not, and `claim`, PostgreSQL's refusal,
    /// unless the trigger may exist unseen.
    pub(super) fn has_trigger(&mut self, qn: &QualifiedName, name: &ColName, claim: bool) -> bool {
        if self.trigger_origin(qn, &name.name).is_some() {
            return true;
        }
        if claim && !self.triggers_unknowable(qn, &name.name) {
            self.missing_trigger(name, qn);
        }
        false
    }

    pub(super) fn drop_trigger(&mut self, name: &ColName, table: &ObjName, if_exists: bool) {
        let Some(qn) = self.trigger_table(table, if_exists) else {
            return;
        };
        if !self.has_trigger(&qn, name, !if_exists) {
            return;
        }
        self.annotate(&qn, |t| t.triggers.retain(|x| x.name != name.name));
    }

    pub(super) fn rename_trigger(&mut self, name: &ColName, table: &ObjName, to: &Name) {
        let Some(qn) = self.trigger_table(table, false) else {
            return;
        };
        if self.trigger_origin(&qn, &name.name).is_none() {
            if !self.triggers_unknowable(&qn, &name.name) {
                self.missing_trigger(name, &qn);
            } else {
                self.uncertain.insert(to.clone());
            }
            return;
        }
        if *to == name.name {
            return; // PostgreSQL accepts renaming a trigger to its own name (unlike a policy)
        }
        if let Some(existing) = self.trigger_origin(&qn, to) {
            let object = ObjectKey::Trigger {
                table: qn,
                name: to.clone(),
            };
            return self.error(ProblemKind::DuplicateObject { object, existing }, name.span);
        }
        self.annotate(&qn, |t| {
            for x in &mut t.triggers {
                if x.name == name.name {
                    x.name.clone_from(to);
                }
            }
            t.triggers.sort_by(|a, b| a.name.cmp(&b.name));
        });
    }

    /// `DROP SCHEMA s CASCADE`: its functions go, and the triggers executing them.
    pub(super) fn drop_schema_functions(&mut self, schema: &str, span: Span) {
        let names: Vec<QualifiedName> = self
            .cat
            .functions
            .keys()
            .filter(|k| k.schema == schema)
            .cloned()
            .collect();
        for qn in names {
            while let Some(n) = self.cat.functions.get(&qn).map(Vec::len).filter(|n| *n > 0) {
                self.drop_overload(&qn, n - 1, true, span);
            }
        }
    }
}

#[test]
fn same_args_is_certain_only_with_known_types() {
    let t = |s: &str| Some(Name::from(s));
    assert_eq!(same_args(&[], &[]), Some(true));
    assert_eq!(same_args(&[t("integer")], &[t("integer")]), Some(true));
    assert_eq!(same_args(&[t("integer")], &[t("text")]), Some(false));
    assert_eq!(same_args(&[t("integer")], &[]), Some(false));
    assert_eq!(same_args(&[None], &[t("text")]), None);
    assert_eq!(same_args(&[None, t("a")], &[t("x"), t("b")]), Some(false));
}
