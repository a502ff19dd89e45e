//! Stage 4 (graph): implied references — a column whose name says it points at a table
//! (`team_id` -> `teams`, `plan_id` -> `billing_plans`) but that has no foreign key. The
//! evidence is listed so nothing pretends to be certain: a `COMMENT ON COLUMN` naming the
//! table, an existing table named like the column, statements referencing a missing table of
//! that name, or only the column name. External ids (`stripe_customer_id`), generic tracing
//! ids (`request_id`) and polymorphic references (`commentable_id` beside `commentable_type`)
//! are not references to one table.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Column, Model, ProblemKind, QualifiedName, RefContext, Table};
use crate::span::Span;

/// Stems that end in `_id` but do not name a table of the schema.
pub const NOT_TABLE_STEMS: &[&str] = &[
    "request",
    "trace",
    "span",
    "correlation",
    "session",
    "idempotency",
    "external",
    "object",
    "transaction",
    "client",
    "device",
    "installation",
    "tenant",
    "parent",
    "root",
    "source",
    "target",
    "remote",
    "upstream",
    "message",
    "thread",
    "job",
    "run",
    "build",
    "commit",
    "version",
    "revision",
    "batch",
];

/// Irregular plurals worth knowing (singular, plural).
const IRREGULAR: &[(&str, &str)] = &[
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("analysis", "analyses"),
    ("criterion", "criteria"),
];

/// Why a column is taken for a reference, strongest first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    /// `COMMENT ON COLUMN` names the target table.
    Comment { origin: Span, text: String },
    /// A table of the final schema is named like the column.
    TableName,
    /// Statements reference a relation of that name, which is never created.
    ReferencedElsewhere { at: Vec<Span> },
    /// Only the column name: no table of that name exists or is referenced.
    ColumnName,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ImpliedRef {
    pub table: QualifiedName,
    pub column: String,
    pub column_span: Span,
    /// The column's type (`format_type` spelling).
    pub column_type: String,
    pub target: QualifiedName,
    /// The target table exists in the final schema.
    pub target_exists: bool,
    /// The target's key column the reference would point at (`id`).
    pub target_column: String,
    /// Why we think so, e.g. "the column comment names `billing_plans`".
    pub evidence: String,
    pub basis: Basis,
}

/// Naive English plural / singular forms of a stem: `plan` -> plans; `company` -> companies.
fn plurals(stem: &str) -> Vec<String> {
    let mut v = vec![stem.to_string(), format!("{stem}s")];
    if let Some(base) = stem.strip_suffix('y') {
        v.push(format!("{base}ies"));
    }
    if stem.ends_with('s') || stem.ends_with('x') || stem.ends_with("ch") || stem.ends_with("sh") {
        v.push(format!("{stem}es"));
    }
    for (one, many) in IRREGULAR {
        if let Some(head) = stem.strip_suffix(one) {
            v.push(format!("{head}{many}"));
        }
    }
    v
}

/// The usual plural of a stem, for naming a table that does not exist.
fn plural(stem: &str) -> String {
    if let Some((head, many)) = IRREGULAR
        .iter()
        .find_map(|(one, many)| stem.strip_suffix(one).map(|h| (h, many)))
    {
        return format!("{head}{many}");
    }
    let vowel_before_y = stem
        .strip_suffix('y')
        .and_then(|b| b.chars().last())
        .is_some_and(|c| "aeiou".contains(c));
    if let (Some(base), false) = (stem.strip_suffix('y'), vowel_before_y) {
        format!("{base}ies")
    } else if stem.ends_with('s') || stem.ends_with('x') || stem.ends_with("ch") {
        format!("{stem}es")
    } else {
        format!("{stem}s")
    }
}

/// `table` is `stem`, its plural, or ends in `_<plural>` (`billing_plans` for `plan`).
#[must_use]
pub fn matches_stem(table: &str, stem: &str) -> bool {
    plurals(stem)
        .iter()
        .any(|p| table == p || table.ends_with(&format!("_{p}")))
}

/// Names by each of their tails at a word boundary (`app_users`: `app_users`, `users`), so
/// that [`matches_stem`] against every name is one lookup per plural, not a scan per column
/// (a scan was quadratic: 4,000 `hub_id` columns took seconds).
struct ByTail<'a, T> {
    tails: BTreeMap<&'a str, Vec<T>>,
}

impl<'a, T: Copy> ByTail<'a, T> {
    fn new(items: impl Iterator<Item = (&'a str, T)>) -> Self {
        let mut tails: BTreeMap<&'a str, Vec<T>> = BTreeMap::new();
        for (name, item) in items {
            tails.entry(name).or_default().push(item);
            for (i, _) in name.match_indices('_') {
                if let Some(tail) = name.get(i + 1..) {
                    tails.entry(tail).or_default().push(item);
                }
            }
        }
        Self { tails }
    }

    /// Every item whose name [`matches_stem`] `stem` (an item may come twice).
    fn matching(&self, stem: &str) -> impl Iterator<Item = T> + '_ {
        plurals(stem)
            .into_iter()
            .filter_map(|p| self.tails.get(p.as_str()))
            .flatten()
            .copied()
    }
}

/// Every implied reference in the final schema, sorted.
#[must_use]
pub fn find(model: &Model, external_prefixes: &[String]) -> Vec<ImpliedRef> {
    let cat = &model.catalog;
    // Relations referenced somewhere but never resolved (and still missing at the end).
    let mut missing: BTreeMap<QualifiedName, Vec<Span>> = BTreeMap::new();
    for p in &model.problems {
        if let ProblemKind::MissingRelation { name, context, .. } = &p.kind
            && !cat.tables.contains_key(name)
            && *context != RefContext::Default
        {
            missing.entry(name.clone()).or_default().push(p.span);
        }
    }
    let index = Index {
        tables: ByTail::new(
            cat.tables
                .values()
                .filter(|t| !t.kind.is_view())
                .map(|t| (t.name.name.as_str(), t)),
        ),
        missing: ByTail::new(missing.iter().map(|(m, at)| (m.name.as_str(), (m, at)))),
        text_keys: cat.tables.values().any(|t| {
            !t.kind.is_view()
                && t.key_column()
                    .and_then(|k| t.column(k))
                    .is_some_and(|c| is_text(&c.data_type))
        }),
    };
    let mut out = Vec::new();
    for t in cat.tables.values().filter(|t| !t.kind.is_view()) {
        // A partition's columns are its parent's (created PARTITION OF it or attached), and
        // so are its foreign keys (PostgreSQL clones them into every partition): the parent
        // speaks for them.
        if cat.is_partition(t) {
            continue;
        }
        for col in &t.columns {
            if let Some(r) = implied_for(model, &index, t, col, external_prefixes) {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

/// What [`implied_for`] looks names up in: the tables (not views) of the final schema and the
/// relations referenced but missing at the end.
struct Index<'a> {
    tables: ByTail<'a, &'a Table>,
    missing: ByTail<'a, (&'a QualifiedName, &'a Vec<Span>)>,
    /// Some table is keyed by a text column: only then may a text column's name alone say
    /// it holds another table's key.
    text_keys: bool,
}

/// Is this column an external id (`stripe_customer_id`) by its first word?
#[must_use]
pub fn is_external(column: &str, external_prefixes: &[String]) -> bool {
    let first = column.split('_').next().unwrap_or(column);
    external_prefixes.iter().any(|p| p == first)
}

fn implied_for(
    model: &Model,
    index: &Index<'_>,
    t: &Table,
    col: &Column,
    external_prefixes: &[String],
) -> Option<ImpliedRef> {
    let cat = &model.catalog;
    let stem = col.name.strip_suffix("_id")?;
    if stem.is_empty()
        || NOT_TABLE_STEMS.contains(&stem)
        || has_fk(t, &col.name)
        || is_external(&col.name, external_prefixes)
        || !id_like(&col.data_type)
    {
        return None;
    }
    let make = |target: &Table, evidence: String, basis: Basis| {
        Some(ImpliedRef {
            table: t.name.clone(),
            column: col.name.to_string(),
            column_span: col.origin,
            column_type: col.data_type.to_string(),
            target: target.name.clone(),
            target_exists: true,
            target_column: target.key_column()?.to_string(),
            evidence,
            basis,
        })
    };
    let make_missing = |target: QualifiedName, evidence: String, basis: Basis| ImpliedRef {
        table: t.name.clone(),
        column: col.name.to_string(),
        column_span: col.origin,
        column_type: col.data_type.to_string(),
        target,
        target_exists: false,
        target_column: "id".into(),
        evidence,
        basis,
    };
    // 1. The column's comment names the table.
    if let Some(c) = &col.comment
        && let Some(named) = comment_target(&c.text, stem, &t.name.schema, model)
    {
        let basis = Basis::Comment {
            origin: c.origin,
            text: c.text.clone(),
        };
        let evidence = format!("the column comment names `{}`", named.name);
        return match cat.tables.get(&named).filter(|x| !x.kind.is_view()) {
            Some(target) if target.name != t.name => make(target, evidence, basis),
            Some(_) => None,
            None => Some(make_missing(named, evidence, basis)),
        };
    }
    // The table's own identifier (`users.user_id`) names the table it is in. Only the
    // exact name: `order_items.item_id` may well point at `items`.
    if plurals(stem).iter().any(|p| *p == t.name.name) {
        return None;
    }
    // A polymorphic reference (Rails, Laravel: `commentable_type` beside `commentable_id`)
    // names its table per row: the column name alone points at no one table.
    if t.column(&format!("{stem}_type")).is_some() {
        return None;
    }
    // 2. An existing table named like the whole stem, then like its last words
    //    (`owner_user_id` -> `users`); same schema first, then the shortest name.
    let words: Vec<&str> = stem.split('_').collect();
    for skip in 0..words.len() {
        let sub = words.get(skip..).map(|w| w.join("_")).unwrap_or_default();
        if skip > 0 && NOT_TABLE_STEMS.contains(&sub.as_str()) {
            continue;
        }
        let mut existing: Vec<&Table> = index
            .tables
            .matching(&sub)
            .filter(|c| c.name != t.name)
            .collect();
        existing.sort_by_key(|c| {
            (
                c.name.schema != t.name.schema,
                c.name.name.len(),
                c.name.clone(),
            )
        });
        if let Some(target) = existing.first() {
            let evidence = if skip == 0 {
                format!("the column name matches table `{}`", target.name.name)
            } else {
                format!(
                    "the column name ends in `{sub}_id`, which matches table `{}`",
                    target.name.name
                )
            };
            return make(target, evidence, Basis::TableName);
        }
    }
    // 3. A missing relation of that name referenced by other statements.
    if let Some((m, at)) = index.missing.matching(stem).min_by_key(|(m, _)| *m) {
        let evidence = format!(
            "`{}` is referenced by {} statement(s) but never created",
            m.name,
            at.len()
        );
        return Some(make_missing(
            m.clone(),
            evidence,
            Basis::ReferencedElsewhere { at: at.clone() },
        ));
    }
    // 4. Only the name, and only a one-word name (`plan_id`): a guess at `jwt_secrets` from
    //    `jwt_secret_id` would not be evidence of anything.
    if stem.contains('_') {
        return None;
    }
    // A text column where no table has a text key holds something else: an ActivityPub
    // `actor_id` is a URL (Lemmy), an `external_id` a string from elsewhere.
    if is_text(&col.data_type) && !index.text_keys {
        return None;
    }
    let guess = plural(stem);
    Some(make_missing(
        QualifiedName::new(t.name.schema.clone(), guess.clone()),
        format!("no table `{guess}` (or `*_{guess}`) exists in any migration"),
        Basis::ColumnName,
    ))
}

/// The table a column comment names: a word matching the stem (`billing_plans.id` for
/// `plan_id`), or the word after "references" / "refers to" / "points to".
fn comment_target(text: &str, stem: &str, schema: &str, model: &Model) -> Option<QualifiedName> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let qualify = |word: &str| -> Option<QualifiedName> {
        let parts: Vec<&str> = word.split('.').collect();
        match parts.as_slice() {
            [table] => Some(QualifiedName::new(schema, *table)),
            [a, b, ..] if parts.len() >= 3 => Some(QualifiedName::new(*a, *b)),
            [a, b] if model.catalog.schemas.contains_key(*a) && !b.ends_with("id") => {
                Some(QualifiedName::new(*a, *b))
            }
            [a, _] => Some(QualifiedName::new(schema, *a)),
            _ => None,
        }
    };
    // A bare English word ("the plan") is prose, not a table name.
    let named = |w: &str| {
        w.contains(['_', '.'])
            || model
                .catalog
                .tables
                .keys()
                .any(|k| k.name == w.split('.').next().unwrap_or(w))
    };
    for w in words.iter().filter(|w| named(w)) {
        if let Some(q) = qualify(w).filter(|q| matches_stem(&q.name, stem)) {
            return Some(q);
        }
    }
    for (i, w) in words.iter().enumerate() {
        let next = match *w {
            "references" | "referencing" => words.get(i + 1),
            "refers" | "points" | "fk" => {
                words.get(i + 2).filter(|_| words.get(i + 1) == Some(&"to"))
            }
            _ => None,
        };
        if let Some(q) = next.filter(|n| named(n)).and_then(|n| qualify(n)) {
            return Some(q);
        }
    }
    None
}

fn has_fk(t: &Table, column: &str) -> bool {
    t.foreign_keys
        .iter()
        .any(|f| f.columns.iter().any(|c| c == column))
}

fn is_text(ty: &str) -> bool {
    ty == "text" || ty == "character varying" || ty.starts_with("character varying(")
}

fn id_like(ty: &str) -> bool {
    matches!(
        ty,
        "uuid" | "integer" | "bigint" | "smallint" | "text" | "character varying"
    ) || ty.starts_with("character varying(")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_forms() {
        assert_eq!(plural("plan"), "plans");
        assert_eq!(plural("company"), "companies");
        assert_eq!(plural("key"), "keys");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("person"), "people");
        assert!(matches_stem("billing_plans", "plan"));
        assert!(matches_stem("people", "person"));
        assert!(!matches_stem("airplans", "plan"));
    }

    #[test]
    fn comment_names_table() {
        let model = Model::default();
        let q = comment_target(
            "References billing_plans.id (the plan catalog)",
            "plan",
            "platform",
            &model,
        );
        assert_eq!(q, Some(QualifiedName::new("platform", "billing_plans")));
        let q = comment_target("Refers to app.tiers.id", "plan", "platform", &model);
        assert_eq!(q, Some(QualifiedName::new("app", "tiers")));
        assert_eq!(
            comment_target("The plan the customer chose", "plan", "p", &model),
            None
        );
    }

    #[test]
    fn external_ids() {
        let p = vec!["stripe".to_string()];
        assert!(is_external("stripe_customer_id", &p));
        assert!(!is_external("customer_id", &p));
    }
}
