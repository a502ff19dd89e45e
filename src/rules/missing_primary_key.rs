//! missing-primary-key — see rules/missing-primary-key.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::model::catalog::quote_ident;
use crate::model::{RelationKind, Table};

pub static META: RuleMeta = RuleMeta {
    name: "missing-primary-key",
    category: Category::Design,
    default_severity: Severity::Warning,
    summary: "A table has no primary key",
    doc: include_str!("../../rules/missing-primary-key.md"),
};

pub struct MissingPrimaryKey;

fn finding(t: &Table) -> Finding {
    // A UNIQUE key over NOT NULL columns can simply be promoted.
    let promotable = t.uniques.iter().find(|k| {
        k.columns
            .iter()
            .all(|c| t.column(c).is_some_and(|c| !c.nullable))
    });
    let (help, labels) = match promotable {
        Some(k) => {
            let cols: Vec<String> = k.columns.iter().map(|c| quote_ident(c)).collect();
            (
                format!(
                    "promote the unique key: `ALTER TABLE {} ADD PRIMARY KEY ({});`",
                    t.name,
                    cols.join(", ")
                ),
                vec![Label {
                    span: k.origin,
                    message: format!("`{}` is UNIQUE and NOT NULL", k.columns.join(", ")),
                }],
            )
        }
        None => (
            format!(
                "add one: `ALTER TABLE {} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;` (or `ADD PRIMARY KEY (...)` over the columns that identify a row)",
                t.name
            ),
            Vec::new(),
        ),
    };
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: t.origin,
        message: format!(
            "table `{}` has no primary key: rows cannot be addressed one by one, other tables cannot reference it, and logical replication cannot replicate its UPDATEs and DELETEs",
            t.name
        ),
        help: Some(help),
        labels,
        fingerprint: format!("{}:{}", META.name, t.name),
    }
}

impl Rule for MissingPrimaryKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for t in ctx.analysis.model.catalog.tables.values() {
            // Partitions get their key from the partitioned parent.
            if matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable)
                && t.primary_key.is_none()
            {
                out.push(finding(t));
            }
        }
    }
}
