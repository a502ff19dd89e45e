//! Stage 4 (graph): implied references — a column whose name says it points at a table
//! (`team_id` -> `teams`, `plan_id` -> `billing_plans`) but that has no foreign key. The
//! evidence is listed so nothing pretends to be certain. External ids (`stripe_customer_id`)
//! and generic tracing ids (`request_id`) are not references.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Model, ProblemKind, QualifiedName, Table};
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

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ImpliedRef {
    pub table: QualifiedName,
    pub column: String,
    pub column_span: Span,
    pub target: QualifiedName,
    /// The target table exists in the final schema.
    pub target_exists: bool,
    /// The target's key column the reference would point at (`id`).
    pub target_column: String,
    /// Why we think so, e.g. "column name plan_id; table billing_plans is referenced in 004_seed.sql:12".
    pub evidence: String,
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
    v
}

/// Does `table` name what `stem` (the part before `_id`) says: `plan` -> `plans`,
/// `billing_plans`.
#[must_use]
pub fn matches_stem(table: &str, stem: &str) -> bool {
    plurals(stem)
        .iter()
        .any(|p| table == p || table.ends_with(&format!("_{p}")))
}

/// Every implied reference in the final schema, sorted.
#[must_use]
pub fn find(model: &Model, external_prefixes: &[String]) -> Vec<ImpliedRef> {
    let cat = &model.catalog;
    // Names referenced somewhere but never resolved: candidates for missing targets.
    let missing: BTreeSet<QualifiedName> = model
        .problems
        .iter()
        .filter_map(|p| match &p.kind {
            ProblemKind::MissingRelation { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for t in cat.tables.values().filter(|t| !t.kind.is_view()) {
        for col in &t.columns {
            let Some(stem) = col.name.strip_suffix("_id") else {
                continue;
            };
            if stem.is_empty() || NOT_TABLE_STEMS.contains(&stem) || has_fk(t, &col.name) {
                continue;
            }
            let first = stem.split('_').next().unwrap_or(stem);
            if external_prefixes
                .iter()
                .any(|p| p == first || stem.starts_with(&format!("{p}_")))
            {
                continue;
            }
            if !id_like(&col.data_type) {
                continue;
            }
            // 1. An existing table, same schema first.
            let mut existing: Vec<&Table> = cat
                .tables
                .values()
                .filter(|c| {
                    !c.kind.is_view() && c.name != t.name && matches_stem(&c.name.name, stem)
                })
                .collect();
            existing.sort_by_key(|c| {
                (
                    c.name.schema != t.name.schema,
                    c.name.name.len(),
                    c.name.clone(),
                )
            });
            if let Some(target) = existing.first() {
                let Some(key) = key_column(target) else {
                    continue;
                };
                out.push(ImpliedRef {
                    table: t.name.clone(),
                    column: col.name.clone(),
                    column_span: col.origin,
                    target: target.name.clone(),
                    target_exists: true,
                    target_column: key,
                    evidence: format!(
                        "column name `{}` matches table `{}`, and no foreign key is declared",
                        col.name, target.name.name
                    ),
                });
                continue;
            }
            // 2. A missing relation referenced elsewhere, or named in the column's comment.
            let referenced = missing.iter().find(|m| matches_stem(&m.name, stem));
            let (target, evidence) = match referenced {
                Some(m) => (
                    m.clone(),
                    format!(
                        "column name `{}`; `{}` is referenced elsewhere but never created",
                        col.name, m
                    ),
                ),
                None => (
                    QualifiedName::new(t.name.schema.clone(), format!("{stem}s")),
                    format!(
                        "column name `{}`; no table `{stem}s` (or `*_{stem}s`) exists",
                        col.name
                    ),
                ),
            };
            out.push(ImpliedRef {
                table: t.name.clone(),
                column: col.name.clone(),
                column_span: col.origin,
                target,
                target_exists: false,
                target_column: "id".into(),
                evidence,
            });
        }
    }
    out.sort();
    out
}

fn has_fk(t: &Table, column: &str) -> bool {
    t.foreign_keys
        .iter()
        .any(|f| f.columns.iter().any(|c| c == column))
}

fn id_like(ty: &str) -> bool {
    matches!(
        ty,
        "uuid" | "integer" | "bigint" | "smallint" | "text" | "character varying"
    ) || ty.starts_with("character varying(")
}

/// The single-column primary key (or `id`) of a table.
fn key_column(t: &Table) -> Option<String> {
    match &t.primary_key {
        Some(k) if k.columns.len() == 1 => k.columns.first().cloned(),
        _ => t.column("id").map(|c| c.name.clone()),
    }
}
