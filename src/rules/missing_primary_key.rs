//! missing-primary-key — see rules/missing-primary-key.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::model::catalog::{ReplicaIdentity, quote_ident};
use crate::model::{RelationKind, Table};
use crate::span::Span;

pub static META: RuleMeta = RuleMeta {
    name: "missing-primary-key",
    category: Category::Design,
    default_severity: Severity::Warning,
    summary: "A table has no primary key",
    doc: include_str!("../../rules/missing-primary-key.md"),
};

pub struct MissingPrimaryKey;

/// A key that already identifies rows: a UNIQUE constraint, or a unique index (not partial,
/// plain columns), over NOT NULL columns. `index` names the index to promote with `USING
/// INDEX`; a constraint's columns are promoted instead.
struct Identifying<'a> {
    columns: Vec<&'a str>,
    origin: Span,
    index: Option<&'a str>,
}

fn identifying<'a>(ctx: &'a Context<'_>, t: &'a Table) -> Option<Identifying<'a>> {
    let not_null = |c: &str| t.column(c).is_some_and(|c| !c.nullable);
    let from_constraint = t
        .uniques
        .iter()
        .find(|k| k.columns.iter().all(|c| not_null(c)))
        .map(|k| Identifying {
            columns: k.columns.iter().map(|c| c.as_str()).collect(),
            origin: k.origin,
            index: None,
        });
    from_constraint.or_else(|| {
        ctx.analysis
            .model
            .catalog
            .indexes_on(&t.name)
            .filter(|i| !i.constraint && i.method == "btree")
            .find_map(|i| {
                let columns: Vec<&str> = i.unique_columns()?.collect();
                columns.iter().all(|c| not_null(c)).then(|| Identifying {
                    columns,
                    origin: i.origin,
                    index: Some(i.name.as_str()),
                })
            })
    })
}

fn finding(ctx: &Context<'_>, t: &Table) -> Finding {
    let key = identifying(ctx, t);
    // With a replica identity set, logical replication has what it needs.
    let replication = matches!(
        t.replica_identity,
        ReplicaIdentity::Default | ReplicaIdentity::Nothing
    )
    .then_some("logical replication cannot replicate its UPDATEs and DELETEs");
    let (message, help, labels) = match &key {
        Some(k) => {
            let cols = k.columns.join(", ");
            let cost = replication.map_or_else(
                || "tools that look for a primary key (ORMs, admin tools) find none".to_owned(),
                |r| format!("{r}, and tools that look for a primary key find none"),
            );
            let promote = match k.index {
                Some(index) => format!(
                    "`ALTER TABLE {} ADD PRIMARY KEY USING INDEX {};`",
                    t.name,
                    quote_ident(index)
                ),
                None => format!(
                    "`ALTER TABLE {} ADD PRIMARY KEY ({});`",
                    t.name,
                    k.columns
                        .iter()
                        .map(|c| quote_ident(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            (
                format!(
                    "table `{}` has no primary key: its unique key ({cols}) over NOT NULL columns identifies rows, but {cost}",
                    t.name
                ),
                format!("promote the unique key: {promote}"),
                vec![Label {
                    span: k.origin,
                    message: format!("`{cols}` is UNIQUE and NOT NULL"),
                }],
            )
        }
        None => (
            format!(
                "table `{}` has no primary key: rows cannot be addressed one by one, other tables cannot reference it{}",
                t.name,
                replication.map_or_else(String::new, |r| format!(", and {r}"))
            ),
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
        message,
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
            // An unparsable ALTER TABLE may have added one (`Table::blind`).
            if matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable)
                && !ctx.analysis.model.catalog.is_partition(t)
                && t.primary_key.is_none()
                && !t.blind
            {
                out.push(finding(ctx, t));
            }
        }
    }
}
