//! unindexed-foreign-key — see rules/unindexed-foreign-key.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::model::catalog::{plain_columns, quote_ident, same_names};
use crate::model::{ForeignKey, Name, Table};

pub static META: RuleMeta = RuleMeta {
    name: "unindexed-foreign-key",
    category: Category::Design,
    default_severity: Severity::Info,
    summary: "A foreign key's columns are not the leading columns of any index",
    doc: include_str!("../../rules/unindexed-foreign-key.md"),
};

pub struct UnindexedForeignKey;

/// Does some full btree or GiST index (or the PK / a UNIQUE key, or an EXCLUDE constraint's
/// index) start with exactly these columns, in any order? A GiST index on plain scalar columns
/// (btree_gist, as EXCLUDE constraints use) answers the equality the check runs.
fn covered(ctx: &Context<'_>, t: &Table, fk: &ForeignKey) -> bool {
    let want = fk.columns.iter().map(Name::as_str);
    let n = fk.columns.len();
    let keys = t.primary_key.iter().chain(&t.uniques);
    keys.into_iter().any(|k| {
        k.columns
            .get(..n)
            .is_some_and(|lead| same_names(lead.iter().map(Name::as_str), want.clone()))
    }) || ctx
        .analysis
        .model
        .catalog
        .indexes_on(&t.name)
        .filter(|i| matches!(i.method.as_str(), "btree" | "gist"))
        // A partial index serves the check when its predicate only says the key columns are
        // not null: the check's `col = $1` implies it.
        .filter(|i| {
            !i.partial
                || (!i.not_null_predicate.is_empty()
                    && i.not_null_predicate.iter().all(|c| fk.columns.contains(c)))
        })
        .any(|i| {
            i.columns
                .get(..n)
                .and_then(plain_columns)
                .is_some_and(|lead| same_names(lead, want.clone()))
        })
}

/// A partial index that starts with the key's columns but whose predicate the check does
/// not meet (`WHERE worker_id IS NOT NULL AND status = 'doing'`).
fn partial_lead(ctx: &Context<'_>, t: &Table, fk: &ForeignKey) -> Option<Name> {
    let n = fk.columns.len();
    ctx.analysis
        .model
        .catalog
        .indexes_on(&t.name)
        .filter(|i| i.partial)
        .find(|i| {
            i.columns
                .get(..n)
                .and_then(plain_columns)
                .is_some_and(|lead| same_names(lead, fk.columns.iter().map(Name::as_str)))
        })
        .map(|i| i.name.clone())
}

fn finding(t: &Table, fk: &ForeignKey, partial: Option<&Name>) -> Finding {
    let cols: Vec<String> = fk.columns.iter().map(|c| quote_ident(c)).collect();
    let index_name = format!("idx_{}_{}", t.name.name, fk.columns.join("_"));
    let other = partial.map_or(String::new(), |p| {
        format!(" but the partial `{p}`, whose WHERE the check's lookup does not meet")
    });
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: fk.origin,
        message: format!(
            "foreign key `{}` on `{}` ({}) has no index starting with its column(s){other}: every DELETE or key UPDATE on `{}` scans `{}` to check it, and joins on it scan too",
            fk.name,
            t.name,
            fk.columns.join(", "),
            fk.target,
            t.name
        ),
        help: Some(format!(
            "`CREATE INDEX CONCURRENTLY {} ON {} ({});` (outside a transaction block)",
            quote_ident(&index_name),
            t.name,
            cols.join(", ")
        )),
        labels: vec![Label {
            span: t.origin,
            message: format!("`{}` is created here", t.name),
        }],
        fingerprint: format!("{}:{}.{}", META.name, t.name, fk.columns.join(",")),
    }
}

impl Rule for UnindexedForeignKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        // An unparsable ALTER TABLE may have added a key whose index covers it.
        for t in ctx
            .analysis
            .model
            .catalog
            .base_tables()
            .filter(|t| !t.blind)
        {
            for fk in &t.foreign_keys {
                if !covered(ctx, t, fk) {
                    out.push(finding(t, fk, partial_lead(ctx, t, fk).as_ref()));
                }
            }
        }
    }
}
