//! implied-reference-to-missing-table — see rules/implied-reference-to-missing-table.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::graph::implied::{Basis, ImpliedRef};
use crate::model::catalog::quote_ident;

pub static META: RuleMeta = RuleMeta {
    name: "implied-reference-to-missing-table",
    category: Category::Design,
    default_severity: Severity::Warning,
    summary: "A column points at a table by its name or comment (`plan_id` -> `billing_plans`), but no migration creates that table",
    doc: include_str!("../../rules/implied-reference-to-missing-table.md"),
};

pub struct ImpliedReferenceToMissingTable;

fn finding(imp: &ImpliedRef) -> Finding {
    let mut labels = Vec::new();
    match &imp.basis {
        Basis::Comment { origin, text } => labels.push(Label {
            span: *origin,
            message: format!("the column comment says: {text}"),
        }),
        Basis::ReferencedElsewhere { at } => {
            labels.extend(at.iter().map(|s| Label {
                span: *s,
                message: format!("`{}` is referenced here, and does not exist", imp.target),
            }));
        }
        Basis::TableName | Basis::ColumnName => {}
    }
    let fk_name = format!("{}_{}_fkey", imp.table.name, imp.column);
    let key_type = &imp.column_type;
    let create = format!(
        "CREATE TABLE {} ({} {key_type} PRIMARY KEY, ...); ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({});",
        imp.target,
        quote_ident(&imp.target_column),
        imp.table,
        quote_ident(&fk_name),
        quote_ident(&imp.column),
        imp.target,
        quote_ident(&imp.target_column),
    );
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: imp.column_span,
        message: format!(
            "`{}.{}` looks like a reference to `{}`, which no migration creates ({}); there is no foreign key, so nothing stops it from holding ids that match no row",
            imp.table, imp.column, imp.target, imp.evidence
        ),
        help: Some(format!(
            "add a migration that creates the table and declares the key: `{create}`; if `{}` holds an id from another system, prefix it with that system's name (prefixes in `options.external_id_prefixes` are never references) or suppress with `-- ogel-schema: ignore {}`",
            imp.column, META.name
        )),
        labels,
        fingerprint: format!("{}:{}.{}", META.name, imp.table, imp.column),
    }
}

impl Rule for ImpliedReferenceToMissingTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for imp in ctx.graph.implied.iter().filter(|i| !i.target_exists) {
            out.push(finding(imp));
        }
    }
}
