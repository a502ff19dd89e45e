//! Stage 6 (order output): draft the new migration the plan inserts — one `CREATE TABLE` per
//! relation no migration creates, with the columns every later reference implies (INSERT column
//! lists, UPDATE SET targets, qualified columns of queries, FK pairs, ON CONFLICT targets),
//! types inferred from evidence (the column an FK pairs with, casts, `now()`, literals, the
//! column a value is selected from) and a comment naming that evidence (file:line) on every
//! guess. Statements are read through the IR (`model::lower`), never the AST.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::deps::{lowered, names};
use super::{Plan, Step, naming};
use crate::Analysis;
use crate::graph::implied::{NOT_TABLE_STEMS, matches_stem};
use crate::model::catalog::quote_ident;
use crate::model::ir::{AlterAction, Change, ColName, ConflictTarget, ConstraintKind, QueryRefs};
use crate::model::{EventAction, ObjectKey, QualifiedName, RefContext, Table};
use crate::span::{FileId, Span};

/// What to draft.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Also create implied-missing targets (`subscriptions.plan_id` -> `billing_plans`).
    pub include_implied: bool,
    /// Column prefixes naming external systems (`stripe_customer_id` implies no table); the
    /// config's `options.external_id_prefixes`.
    pub external_prefixes: Vec<String>,
}

/// A drafted migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffold {
    pub sql: String,
    /// Suggested display path (main directory, naming convention, planned version).
    pub path: String,
    pub tables: Vec<QualifiedName>,
}

/// How much a type guess is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Name = 1,
    Literal = 2,
    Cast = 3,
    Column = 4,
    FkByName = 5,
    FkPair = 6,
}

#[derive(Debug, Clone)]
struct Guess {
    strength: Strength,
    ty: String,
    why: String,
}

#[derive(Debug, Clone, Default)]
struct Col {
    uses: Vec<String>,
    types: Vec<Guess>,
    fk: Option<(QualifiedName, String, String)>,
    note: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Evidence {
    referenced: Vec<String>,
    cols: Vec<(String, Col)>,
    uniques: Vec<(Vec<String>, String)>,
    added_later: BTreeSet<String>,
    notes: Vec<String>,
    implied: Option<String>,
}

impl Evidence {
    fn col(&mut self, name: &str) -> &mut Col {
        let i = match self.cols.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.cols.push((name.to_owned(), Col::default()));
                self.cols.len() - 1
            }
        };
        &mut self.cols[i].1
    }

    fn use_col(&mut self, name: &str, what: &str) {
        let c = self.col(name);
        if !c.uses.iter().any(|u| u == what) {
            c.uses.push(what.to_owned());
        }
    }

    fn guess(&mut self, name: &str, g: Option<Guess>) {
        if let Some(g) = g {
            self.col(name).types.push(g);
        }
    }
}

struct Ctx<'a> {
    a: &'a Analysis,
}

impl Ctx<'_> {
    fn place(&self, span: Span) -> String {
        match self.a.project.file(span.file()) {
            Some(f) => format!(
                "{}:{}",
                naming::split_path(&f.display).1,
                f.lines.line_of(span.start())
            ),
            None => "?".into(),
        }
    }

    /// The relation an alias (or bare table name) of a query stands for.
    fn alias_table(&self, q: &QueryRefs, alias: &str) -> Option<&Table> {
        let r = q.relations.iter().find(|r| r.alias == alias)?;
        self.a
            .model
            .catalog
            .tables
            .values()
            .find(|t| names(&r.name, &t.name))
    }

    /// A type guess for a value expression as written.
    fn infer(&self, e: &str, q: &QueryRefs, at: &str) -> Option<Guess> {
        let t = e.trim();
        let lower = t.to_ascii_lowercase();
        if lower == "null" || lower == "default" || t.is_empty() {
            return None;
        }
        if let Some(ty) = cast_of(t) {
            return Some(Guess {
                strength: Strength::Cast,
                ty: ty.clone(),
                why: format!("{ty} from the cast in `{}` ({at})", clip(t)),
            });
        }
        let lit = |ty: &str, what: &str| {
            Some(Guess {
                strength: Strength::Literal,
                ty: ty.to_owned(),
                why: format!("{ty} from {what} `{}` ({at})", clip(t)),
            })
        };
        let func = lower.split('(').next().unwrap_or("").trim();
        if matches!(
            func,
            "now"
                | "current_timestamp"
                | "clock_timestamp"
                | "transaction_timestamp"
                | "statement_timestamp"
                | "localtimestamp"
        ) {
            return lit("timestamp with time zone", "the value");
        }
        if func == "current_date" {
            return lit("date", "the value");
        }
        if matches!(func, "gen_random_uuid" | "uuid_generate_v4") {
            return lit("uuid", "the value");
        }
        if let Some(inner) = t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            if is_uuid(inner) {
                return lit("uuid", "the literal");
            }
            if is_timestamp(inner) {
                return lit("timestamp with time zone", "the literal");
            }
            return lit("text", "the literal");
        }
        if lower == "true" || lower == "false" {
            return lit("boolean", "the literal");
        }
        if let Ok(n) = t.parse::<i64>() {
            return if i32::try_from(n).is_ok() {
                lit("integer", "the literal")
            } else {
                lit("bigint", "the literal")
            };
        }
        if t.parse::<f64>().is_ok() {
            return lit("numeric", "the literal");
        }
        // A column of another relation: `o.id`, or a bare column of the only relation.
        let ident =
            |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !s.is_empty();
        let (table, column) = match t.split_once('.') {
            Some((q_alias, c)) if ident(q_alias) && ident(c) => (
                self.alias_table(q, &q_alias.to_ascii_lowercase())?,
                c.to_ascii_lowercase(),
            ),
            None if ident(t) && q.relations.len() == 1 => {
                let alias = q
                    .relations
                    .first()
                    .map(|r| r.alias.clone())
                    .unwrap_or_default();
                (self.alias_table(q, &alias)?, lower.clone())
            }
            _ => return None,
        };
        let col = table.column(&column)?;
        Some(Guess {
            strength: Strength::Column,
            ty: col.data_type.to_string(),
            why: format!(
                "{} like {}.{} (`{}`, {at})",
                col.data_type,
                table.name,
                quote_ident(&column),
                clip(t)
            ),
        })
    }
}

fn clip(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 48 {
        format!("{}...", one.chars().take(45).collect::<String>())
    } else {
        one
    }
}

/// The type of a trailing `::type` cast outside quotes.
fn cast_of(t: &str) -> Option<String> {
    let mut in_quote = false;
    let mut last = None;
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b.get(i) {
            Some(b'\'') => in_quote = !in_quote,
            Some(b':') if !in_quote && b.get(i + 1) == Some(&b':') => {
                last = Some(i + 2);
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    let ty = t.get(last?..)?.trim().to_ascii_lowercase();
    let ok = !ty.is_empty()
        && ty.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '(' | ')' | ',' | '[' | ']')
        });
    ok.then(|| match ty.as_str() {
        "timestamptz" => "timestamp with time zone".to_owned(),
        "int" | "int4" => "integer".to_owned(),
        "int8" => "bigint".to_owned(),
        "bool" => "boolean".to_owned(),
        _ => ty,
    })
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b' '))
        && b.get(13) == Some(&b':')
        && b.iter().take(4).all(u8::is_ascii_digit)
}

/// A weak guess from the column name alone.
fn by_name(col: &str) -> Option<Guess> {
    let ty = if col.ends_with("_at") {
        "timestamp with time zone"
    } else if col.starts_with("is_") || col.starts_with("has_") {
        "boolean"
    } else if col.ends_with("_count") {
        "integer"
    } else {
        return None;
    };
    Some(Guess {
        strength: Strength::Name,
        ty: ty.to_owned(),
        why: format!("{ty} from the name {col}"),
    })
}

/// The project's usual primary key: `(type, clause, how many tables)`.
fn pk_convention(a: &Analysis) -> (String, String, usize, usize) {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut total = 0;
    for t in a
        .model
        .catalog
        .tables
        .values()
        .filter(|t| !t.kind.is_view())
    {
        total += 1;
        let Some(pk) = &t.primary_key else { continue };
        let [only] = pk.columns.as_slice() else {
            continue;
        };
        let Some(c) = t.column(only) else { continue };
        let clause = match (&c.data_type[..], c.default.as_deref(), c.generated) {
            ("uuid", Some(d), _) if d.to_ascii_lowercase().contains("uuid") => {
                format!("DEFAULT {d}")
            }
            ("bigint" | "integer", _, true) => "GENERATED BY DEFAULT AS IDENTITY".to_owned(),
            _ => continue,
        };
        *counts.entry((c.data_type.to_string(), clause)).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(k, n)| (*n, std::cmp::Reverse(k.clone())))
        .map_or_else(
            || {
                (
                    "bigint".into(),
                    "GENERATED BY DEFAULT AS IDENTITY".into(),
                    0,
                    total,
                )
            },
            |((ty, clause), n)| (ty, clause, n, total),
        )
}

/// Draft the migration for the plan; `None` when there is nothing to create.
#[must_use]
pub fn scaffold(plan: &Plan, opts: &Options) -> Option<Scaffold> {
    let a = &plan.planned.analysis;
    let ctx = Ctx { a };
    let mut targets: BTreeMap<QualifiedName, Evidence> = plan
        .missing
        .iter()
        .map(|m| (m.name.clone(), Evidence::default()))
        .collect();
    if opts.include_implied {
        let graph = crate::graph::SchemaGraph::build(&a.model, &opts.external_prefixes);
        for imp in graph.implied.iter().filter(|i| !i.target_exists) {
            if a.model.catalog.tables.contains_key(&imp.target) {
                continue;
            }
            let col_ty = a
                .model
                .catalog
                .tables
                .get(&imp.table)
                .and_then(|t| t.column(&imp.column))
                .map(|c| c.data_type.clone());
            let e = targets.entry(imp.target.clone()).or_default();
            e.implied = Some(format!(
                "{}.{} looks like a reference to it ({}); --include-implied",
                imp.table,
                quote_ident(&imp.column),
                imp.evidence
            ));
            if let Some(ty) = col_ty {
                let at = ctx.place(imp.column_span);
                e.guess(
                    &imp.target_column,
                    Some(Guess {
                        strength: Strength::FkPair,
                        ty: ty.to_string(),
                        why: format!(
                            "{ty} like {}.{} ({at})",
                            imp.table,
                            quote_ident(&imp.column)
                        ),
                    }),
                );
                e.use_col(
                    &imp.target_column,
                    &format!("implied key of {}.{} ({at})", imp.table, imp.column),
                );
            }
        }
    }
    if targets.is_empty() {
        return None;
    }

    // Where it goes, and what exists there.
    let (insert_at, version, path) = position(plan);
    let before_file: Option<FileId> = plan
        .steps
        .get(..insert_at)
        .and_then(|s| {
            s.iter().rev().find_map(|st| match st {
                Step::File { file, .. } => Some(*file),
                Step::New { .. } => None,
            })
        })
        .and_then(|orig| plan.planned.to_orig.iter().position(|x| *x == Some(orig)));
    let available: BTreeSet<QualifiedName> = before_file
        .map(|f| a.model.relations_after(f).into_iter().collect())
        .unwrap_or_default();
    let schemas_before: BTreeSet<String> = match before_file {
        Some(f) => {
            let pos = a.model.file_order.iter().position(|x| *x == f).unwrap_or(0);
            let files: BTreeSet<FileId> =
                a.model.file_order.iter().take(pos + 1).copied().collect();
            a.model
                .events
                .iter()
                .filter(|e| matches!(e.action, EventAction::Created))
                .filter(|e| a.model.file_of(e.seq).is_some_and(|x| files.contains(&x)))
                .filter_map(|e| match &e.object {
                    ObjectKey::Schema { name } => Some(name.to_string()),
                    _ => None,
                })
                .collect()
        }
        None => BTreeSet::new(),
    };

    // Evidence from every statement that mentions a target.
    let names_list: Vec<QualifiedName> = targets.keys().cloned().collect();
    for (seq, st) in a.model.statements.iter().enumerate() {
        let Some(change) = lowered(a, seq) else {
            continue;
        };
        let at = ctx.place(st.span);
        for qn in &names_list {
            let Some(e) = targets.get_mut(qn) else {
                continue;
            };
            collect(&ctx, qn, change, &at, e);
        }
    }

    // Render.
    let (pk_ty, pk_clause, pk_n, pk_total) = pk_convention(a);
    let mut sql = String::new();
    let neighbours = neighbours(plan, insert_at, a);
    let _ = writeln!(
        sql,
        "-- Migration {}: create the relations that later migrations use but none creates.",
        version.as_deref().unwrap_or("(new)")
    );
    let _ = writeln!(
        sql,
        "-- Drafted by `ogel-schema scaffold` from how the other migrations use them. Every column,\n\
         -- type and key is a GUESS from the evidence named in its comment: review before applying.\n\
         -- Place: {neighbours}."
    );
    let mut schemas: BTreeSet<&str> = BTreeSet::new();
    for qn in targets.keys() {
        if qn.schema != "public"
            && !schemas_before.contains(qn.schema.as_str())
            && schemas.insert(&qn.schema)
        {
            let _ = writeln!(
                sql,
                "\nCREATE SCHEMA IF NOT EXISTS {};",
                quote_ident(&qn.schema)
            );
        }
    }
    let scaffolded: BTreeSet<QualifiedName> = targets.keys().cloned().collect();
    // Names only column defaults use (`nextval('s')`): sequences, not tables.
    let sequences: BTreeSet<&QualifiedName> = plan
        .missing
        .iter()
        .filter(|m| {
            !m.used_at.is_empty() && m.used_at.iter().all(|(_, c)| *c == RefContext::Default)
        })
        .map(|m| &m.name)
        .collect();
    for (qn, mut e) in targets {
        let _ = writeln!(sql);
        if sequences.contains(&qn) {
            let _ = writeln!(sql, "-- {qn}: a sequence: column defaults name it");
            let _ = writeln!(sql, "CREATE SEQUENCE {qn};");
            continue;
        }
        if let Some(why) = &e.implied {
            let _ = writeln!(sql, "-- {qn}: {why}");
        }
        if !e.referenced.is_empty() {
            let _ = writeln!(sql, "-- {qn}: {}", e.referenced.join(", "));
        }
        for n in &e.notes {
            let _ = writeln!(sql, "-- {n}");
        }
        // Foreign keys by name, to relations that exist at this point.
        for (name, col) in &mut e.cols {
            let Some(stem) = name.strip_suffix("_id") else {
                continue;
            };
            if stem.is_empty()
                || NOT_TABLE_STEMS.contains(&stem)
                || col.fk.is_some()
                || *name == "id"
            {
                continue;
            }
            let mut cands: Vec<&QualifiedName> = available
                .iter()
                .filter(|t| matches_stem(&t.name, stem) && **t != qn)
                .collect();
            cands.sort_by_key(|t| (t.schema != qn.schema, t.name.len(), (*t).clone()));
            if let Some(target) = cands.first()
                && let Some(t) = a.model.catalog.tables.get(target)
                && let Some(key) = t.key_column().map(ToString::to_string)
                && let Some(kc) = t.column(&key)
            {
                col.types.push(Guess {
                    strength: Strength::FkByName,
                    ty: kc.data_type.to_string(),
                    why: format!("{} like {}.{}", kc.data_type, target, quote_ident(&key)),
                });
                col.fk = Some((
                    (*target).clone(),
                    key,
                    format!("FK: the name says {target}"),
                ));
            } else if let Some(other) = scaffolded
                .iter()
                .find(|t| matches_stem(&t.name, stem) && **t != qn)
            {
                col.note = Some(format!(
                    "may reference {other} (created here too); add the FK once the data allows"
                ));
            } else if !available.iter().any(|t| matches_stem(&t.name, stem)) {
                col.note = Some(format!("no table {stem}s exists here, so no foreign key"));
            }
        }
        let _ = writeln!(sql, "CREATE TABLE {qn} (");
        let mut lines: Vec<(Vec<String>, String)> = Vec::new();
        // Primary key.
        let id_pos = e.cols.iter().position(|(n, _)| n == "id");
        let id_col = id_pos.and_then(|i| e.cols.get(i).cloned());
        let (id_ty, id_why) = match id_col.as_ref().and_then(|(_, c)| best(&c.types)) {
            Some(g) => (g.ty.clone(), g.why.clone()),
            None => (
                pk_ty.clone(),
                format!("{pk_ty} like the primary keys of {pk_n} of {pk_total} tables here"),
            ),
        };
        let id_clause = if id_ty == pk_ty {
            format!(" {pk_clause}")
        } else if id_ty == "uuid" {
            " DEFAULT gen_random_uuid()".to_owned()
        } else if id_ty == "bigint" || id_ty == "integer" {
            " GENERATED BY DEFAULT AS IDENTITY".to_owned()
        } else {
            String::new()
        };
        let id_uses = id_col
            .as_ref()
            .map(|(_, c)| c.uses.join(", "))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "not referenced; a generated key".to_owned());
        lines.push((
            vec![format!("id: {id_uses}; {id_why}")],
            format!("id {id_ty}{id_clause} PRIMARY KEY"),
        ));
        for (name, col) in &e.cols {
            if name == "id" {
                continue;
            }
            if e.added_later.contains(name) {
                continue;
            }
            let g = best(&col.types).cloned().or_else(|| by_name(name));
            let (ty, why) = match &g {
                Some(g) => (g.ty.clone(), g.why.clone()),
                None => ("text".to_owned(), "text: no evidence of a type".to_owned()),
            };
            let mut comment = format!("{name}: {}; {why}", col.uses.join(", "));
            let others: BTreeSet<&str> = col
                .types
                .iter()
                .filter(|t| t.ty != ty)
                .map(|t| t.ty.as_str())
                .collect();
            if !others.is_empty() {
                let _ = write!(
                    comment,
                    " (also seen: {})",
                    others.into_iter().collect::<Vec<_>>().join(", ")
                );
            }
            let mut def = format!("{} {ty}", quote_ident(name));
            if let Some((target, key, why)) = &col.fk {
                let _ = write!(comment, "; {why}");
                let _ = write!(def, " REFERENCES {target} ({})", quote_ident(key));
            }
            if let Some(n) = &col.note {
                let _ = write!(comment, "; {n}");
            }
            lines.push((vec![comment], def));
        }
        let mut seen: BTreeSet<Vec<String>> = BTreeSet::new();
        seen.insert(vec!["id".to_owned()]);
        for (cols, why) in &e.uniques {
            let cols: Vec<String> = cols
                .iter()
                .filter(|c| !e.added_later.contains(*c))
                .cloned()
                .collect();
            if cols.is_empty() || !seen.insert(cols.clone()) {
                continue;
            }
            let list: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
            lines.push((
                vec![format!("UNIQUE: {why}")],
                format!("UNIQUE ({})", list.join(", ")),
            ));
        }
        let n = lines.len();
        for (i, (comments, def)) in lines.into_iter().enumerate() {
            for c in comments {
                let _ = writeln!(sql, "    -- {}", c.replace('\n', " "));
            }
            let comma = if i + 1 < n { "," } else { "" };
            let _ = writeln!(sql, "    {def}{comma}");
        }
        let _ = writeln!(sql, ");");
    }
    Some(Scaffold {
        sql,
        path,
        tables: scaffolded.into_iter().collect(),
    })
}

fn best(types: &[Guess]) -> Option<&Guess> {
    // The strongest; among equals, the first seen.
    let mut out: Option<&Guess> = None;
    for g in types {
        if out.is_none_or(|o| g.strength > o.strength) {
            out = Some(g);
        }
    }
    out
}

/// Where the migration goes: (index in the plan's steps, version, display path).
fn position(plan: &Plan) -> (usize, Option<String>, String) {
    if let Some((i, v, p, _)) = plan.new_migration() {
        return (i, v.map(str::to_owned), p.to_owned());
    }
    // Nothing missing (only implied targets): after the last migration.
    let owned: Vec<Option<crate::source::Version>> = plan
        .steps
        .iter()
        .map(|s| match s {
            Step::File {
                version: Some(v), ..
            } => crate::source::Version::parse(v),
            _ => None,
        })
        .collect();
    let mut slots: Vec<Option<&crate::source::Version>> =
        owned.iter().map(Option::as_ref).collect();
    slots.push(None);
    let mut weight = vec![3; slots.len()];
    if let Some(w) = weight.last_mut() {
        *w = 0;
    }
    let all = plan.convention.assign(&slots, &weight);
    let v = all.last().cloned().unwrap_or_default();
    let name = plan.convention.file_name(&v, super::NEW_MIGRATION_NAME);
    (plan.steps.len(), Some(v), plan.convention.path(&name))
}

fn neighbours(plan: &Plan, i: usize, a: &Analysis) -> String {
    let name = |s: Option<&Step>| match s {
        Some(Step::File { file, path, .. }) => {
            let _ = a;
            let _ = file;
            Some(naming::split_path(path).1.to_owned())
        }
        _ => None,
    };
    match (
        name(i.checked_sub(1).and_then(|p| plan.steps.get(p))),
        name(
            plan.steps
                .get(i + 1)
                .or(plan.steps.get(i))
                .filter(|s| matches!(s, Step::File { .. })),
        ),
    ) {
        (Some(p), Some(n)) if n != p => format!("after {p}, before {n}"),
        (Some(p), _) => format!("after {p}"),
        (None, Some(n)) => format!("before {n}"),
        (None, None) => "the first migration".to_owned(),
    }
}

/// Record what `change` says about relation `qn`.
fn collect(ctx: &Ctx<'_>, qn: &QualifiedName, change: &Change, at: &str, e: &mut Evidence) {
    let col_at = |c: &ColName| ctx.place(c.span);
    let refd = |e: &mut Evidence, what: &str| {
        let s = format!("{what} ({at})");
        if !e.referenced.contains(&s) {
            e.referenced.push(s);
        }
    };
    // `others`: relations in scope besides `q.relations` (an UPDATE/DELETE target); plain
    // columns belong to `qn` only when it is alone in scope.
    let query = |e: &mut Evidence, q: &QueryRefs, what: &str, others: usize| {
        for r in q.relations.iter().filter(|r| names(&r.name, qn)) {
            for c in q.columns.iter().filter(|c| c.qualifier == r.alias) {
                e.use_col(&c.column.name, &format!("{what} {}", col_at(&c.column)));
            }
            if q.relations.len() + others == 1 {
                for c in &q.plain_columns {
                    e.use_col(&c.name, &format!("{what} {}", col_at(c)));
                }
            }
        }
    };
    match change {
        Change::Insert {
            table,
            columns,
            on_conflict,
            query: q,
            values,
            ..
        } => {
            query(e, q, "query", 0);
            if !names(table, qn) {
                return;
            }
            refd(e, "INSERT target");
            if columns.is_empty() {
                e.notes.push(format!(
                    "INSERT without a column list at {at}: its columns are unknown"
                ));
            }
            for (i, c) in columns.iter().enumerate() {
                e.use_col(&c.name, &format!("INSERT {}", col_at(c)));
                let g = values
                    .iter()
                    .filter_map(|row| row.get(i))
                    .find_map(|v| ctx.infer(v, q, at));
                e.guess(&c.name, g);
            }
            if let Some(ConflictTarget::Columns(cols)) = on_conflict {
                for c in cols {
                    e.use_col(&c.name, &format!("ON CONFLICT {}", col_at(c)));
                }
                e.uniques.push((
                    cols.iter().map(|c| c.name.to_string()).collect(),
                    format!("ON CONFLICT target at {at} needs a unique constraint"),
                ));
            }
        }
        Change::Update {
            table,
            set,
            query: q,
            values,
        } => {
            if !names(&table.name, qn) {
                query(e, q, "query", 1);
                return;
            }
            refd(e, "UPDATE target");
            for (i, c) in set.iter().enumerate() {
                e.use_col(&c.name, &format!("UPDATE SET {}", col_at(c)));
                let g = values
                    .get(i)
                    .and_then(Option::as_deref)
                    .and_then(|v| ctx.infer(v, q, at));
                e.guess(&c.name, g);
            }
            for c in q.columns.iter().filter(|c| c.qualifier == table.alias) {
                e.use_col(&c.column.name, &format!("UPDATE {}", col_at(&c.column)));
            }
            if q.relations.is_empty() {
                for c in &q.plain_columns {
                    e.use_col(&c.name, &format!("UPDATE {}", col_at(c)));
                }
            }
        }
        Change::Delete { table, query: q } => {
            if !names(&table.name, qn) {
                query(e, q, "query", 1);
                return;
            }
            refd(e, "DELETE target");
            for c in q.columns.iter().filter(|c| c.qualifier == table.alias) {
                e.use_col(&c.column.name, &format!("DELETE {}", col_at(&c.column)));
            }
            if q.relations.is_empty() {
                for c in &q.plain_columns {
                    e.use_col(&c.name, &format!("DELETE {}", col_at(c)));
                }
            }
        }
        Change::Query(q) => {
            if q.relations.iter().any(|r| names(&r.name, qn)) {
                refd(e, "query source");
            }
            query(e, q, "query", 0);
        }
        Change::CreateView { query: q, .. } => {
            if q.relations.iter().any(|r| names(&r.name, qn)) {
                refd(e, "view source");
            }
            query(e, q, "view", 0);
        }
        Change::CreateTable(t) => {
            if let Some((q, _)) = &t.as_query {
                query(e, q, "CREATE TABLE AS", 0);
            }
            let inline = t
                .columns
                .iter()
                .flat_map(|c| c.constraints.iter().map(move |k| (Some(c), k)));
            let table_level = t.constraints.iter().map(|k| (None, k));
            for (_, k) in inline.chain(table_level) {
                let ConstraintKind::ForeignKey(fk) = &k.kind else {
                    continue;
                };
                if !names(&fk.target, qn) {
                    continue;
                }
                refd(e, &format!("foreign key target of {}", t.name.name));
                let targets: Vec<String> = if fk.target_columns.is_empty() {
                    vec!["id".to_owned()]
                } else {
                    fk.target_columns
                        .iter()
                        .map(|c| c.name.to_string())
                        .collect()
                };
                for (src, tgt) in fk.columns.iter().zip(&targets) {
                    let ty = t.columns.iter().find(|c| c.name.name == src.name).map(|c| {
                        if c.ty.serial {
                            if c.ty.text == "smallint" {
                                "smallint".to_owned()
                            } else if c.ty.text == "integer" {
                                "integer".to_owned()
                            } else {
                                "bigint".to_owned()
                            }
                        } else {
                            c.ty.text.to_string()
                        }
                    });
                    e.use_col(tgt, &format!("FK from {}.{} ({at})", t.name.name, src.name));
                    if let Some(ty) = ty {
                        e.guess(
                            tgt,
                            Some(Guess {
                                strength: Strength::FkPair,
                                ty: ty.clone(),
                                why: format!(
                                    "{ty} like {}.{} ({at})",
                                    t.name.name,
                                    quote_ident(&src.name)
                                ),
                            }),
                        );
                    }
                }
                if targets != ["id"] {
                    e.uniques.push((
                        targets,
                        format!("foreign key target at {at} needs a unique constraint"),
                    ));
                }
            }
        }
        Change::AlterTable { table, actions, .. } => {
            let on_target = names(table, qn);
            if on_target {
                refd(e, "ALTER target");
            }
            for act in actions {
                match act {
                    AlterAction::AddColumn { def, .. } if on_target => {
                        e.added_later.insert(def.name.name.to_string());
                    }
                    AlterAction::DropColumn { name: c, .. }
                    | AlterAction::RenameColumn { from: c, .. }
                    | AlterAction::SetType { column: c, .. }
                    | AlterAction::SetNotNull(c)
                    | AlterAction::DropNotNull(c)
                    | AlterAction::SetDefault { column: c, .. }
                    | AlterAction::DropDefault(c)
                    | AlterAction::AddIdentity { column: c, .. }
                        if on_target =>
                    {
                        e.use_col(&c.name, &format!("ALTER {}", col_at(c)));
                    }
                    AlterAction::AddConstraint(k) => match &k.kind {
                        ConstraintKind::ForeignKey(fk) if names(&fk.target, qn) => {
                            refd(e, "foreign key target");
                            let src_table = ctx
                                .a
                                .model
                                .catalog
                                .tables
                                .values()
                                .find(|t| names(table, &t.name));
                            let targets: Vec<String> = if fk.target_columns.is_empty() {
                                vec!["id".to_owned()]
                            } else {
                                fk.target_columns
                                    .iter()
                                    .map(|c| c.name.to_string())
                                    .collect()
                            };
                            for (src, tgt) in fk.columns.iter().zip(&targets) {
                                e.use_col(
                                    tgt,
                                    &format!("FK from {}.{} ({at})", table.name, src.name),
                                );
                                let ty = src_table
                                    .and_then(|t| t.column(&src.name))
                                    .map(|c| c.data_type.clone());
                                if let Some(ty) = ty {
                                    e.guess(
                                        tgt,
                                        Some(Guess {
                                            strength: Strength::FkPair,
                                            why: format!(
                                                "{ty} like {}.{} ({at})",
                                                table.name,
                                                quote_ident(&src.name)
                                            ),
                                            ty: ty.to_string(),
                                        }),
                                    );
                                }
                            }
                            if targets != ["id"] {
                                e.uniques.push((
                                    targets,
                                    format!("foreign key target at {at} needs a unique constraint"),
                                ));
                            }
                        }
                        ConstraintKind::PrimaryKey(cols) | ConstraintKind::Unique(cols)
                            if on_target =>
                        {
                            for c in cols {
                                e.use_col(&c.name, &format!("constraint {}", col_at(c)));
                            }
                        }
                        ConstraintKind::ForeignKey(fk) if on_target => {
                            for c in &fk.columns {
                                e.use_col(&c.name, &format!("FK {}", col_at(c)));
                            }
                        }
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        Change::CreateIndex(ix) if names(&ix.table, qn) => {
            refd(e, "CREATE INDEX target");
            for c in ix.columns.iter().flatten().chain(&ix.mentions) {
                e.use_col(&c.name, &format!("index {}", col_at(c)));
            }
            if ix.unique {
                let cols: Vec<String> = ix
                    .columns
                    .iter()
                    .flatten()
                    .map(|c| c.name.to_string())
                    .collect();
                let _ = cols;
            }
        }
        Change::Copy { table, columns } if names(table, qn) => {
            refd(e, "COPY target");
            for c in columns {
                e.use_col(&c.name, &format!("COPY {}", col_at(c)));
            }
        }
        Change::Comment {
            target,
            column: Some(c),
            ..
        } if names(target, qn) => {
            e.use_col(&c.name, &format!("COMMENT {}", col_at(c)));
        }
        _ => {}
    }
}
