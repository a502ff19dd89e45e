//! catalog-usage-mixing — see rules/catalog-usage-mixing.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::model::catalog::quote_ident;
use crate::model::{Column, ForeignKey, QualifiedName, Table};

pub static META: RuleMeta = RuleMeta {
    name: "catalog-usage-mixing",
    category: Category::Design,
    default_severity: Severity::Warning,
    summary: "One table holds both what can be bought (type, variant, price) and who uses how much of it (owner FK, quantity)",
    doc: include_str!("../../rules/catalog-usage-mixing.md"),
};

pub struct CatalogUsageMixing;

/// Name words that say what an item IS; one of them must be present.
const IDENTITY: &[&str] = &["type", "variant", "tier", "sku", "kind", "edition"];
/// Further catalog words (moved to the catalog table, but not enough alone).
const CATALOG: &[&str] = &[
    "name",
    "price",
    "description",
    "interval",
    "title",
    "features",
    "label",
    "currency",
];
/// Words that say how much of it an owner uses; one of them must be present.
const USAGE: &[&str] = &["quantity", "qty", "usage", "count", "used", "consumed"];
/// Per-owner state that goes with the usage.
const STATE: &[&str] = &["status", "enabled", "active"];
/// Words that say a row records something that happened (an event log, not holdings): in the
/// table's name (`usage_events`, `audit_log`) or beside the identity word (`action_type`), the
/// type names the event, not an item someone has, so there is no catalog to split out.
const EVENT: &[&str] = &[
    "action",
    "activity",
    "audit",
    "event",
    "history",
    "log",
    "operation",
    "request",
    "tracking",
];
/// Columns an owner references.
const OWNERS: &[&str] = &[
    "project",
    "organization",
    "org",
    "user",
    "account",
    "team",
    "workspace",
    "tenant",
    "customer",
    "member",
    "company",
];

fn has_word(col: &str, words: &[&str]) -> bool {
    col.split('_').any(|w| words.contains(&w))
}

fn has_event_word(name: &str) -> bool {
    name.split('_')
        .any(|w| EVENT.contains(&singular(w).as_str()))
}

fn singular(name: &str) -> String {
    if let Some(b) = name.strip_suffix("ies") {
        format!("{b}y")
    } else if let Some(b) = name.strip_suffix('s').filter(|b| !b.ends_with('s')) {
        b.to_string()
    } else {
        name.to_string()
    }
}

fn col_list(cols: &[&Column]) -> String {
    cols.iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn column_sql(c: &Column) -> String {
    format!(
        "{} {}{}",
        quote_ident(&c.name),
        c.data_type,
        if c.nullable { "" } else { " NOT NULL" }
    )
}

fn finding(t: &Table, owner: &ForeignKey, catalog: &[&Column], usage: &[&Column]) -> Finding {
    let item = singular(&t.name.name);
    let owner_word = owner
        .columns
        .first()
        .and_then(|c| c.strip_suffix("_id"))
        .unwrap_or("owner");
    let cat_name = QualifiedName::new(t.name.schema.clone(), format!("{item}_catalog"));
    let use_name = QualifiedName::new(
        t.name.schema.clone(),
        format!("{owner_word}_{}", t.name.name),
    );
    let id_type = t
        .primary_key
        .as_ref()
        .filter(|k| k.columns.len() == 1)
        .and_then(|k| k.columns.first())
        .and_then(|c| t.column(c))
        .map_or_else(|| "bigint".to_string(), |c| c.data_type.to_string());
    let mut cat_cols: Vec<String> = vec![format!("id {id_type} PRIMARY KEY")];
    cat_cols.extend(catalog.iter().map(|c| column_sql(c)));
    let mut use_cols: Vec<String> = vec![format!("id {id_type} PRIMARY KEY")];
    use_cols.extend(owner.columns.iter().filter_map(|c| t.column(c)).map(|c| {
        format!(
            "{} REFERENCES {} ({})",
            column_sql(c),
            owner.target,
            owner.target_columns.join(", ")
        )
    }));
    use_cols.push(format!(
        "{item}_id {id_type} NOT NULL REFERENCES {cat_name} (id)"
    ));
    use_cols.extend(usage.iter().map(|c| column_sql(c)));
    let labels = vec![Label {
        span: owner.origin,
        message: format!(
            "per-{owner_word} usage: `{}` references `{}`",
            owner.columns.join(", "),
            owner.target
        ),
    }]
    .into_iter()
    .chain(catalog.iter().map(|c| Label {
        span: c.origin,
        message: format!("catalog attribute `{}`", c.name),
    }))
    .chain(usage.iter().map(|c| Label {
        span: c.origin,
        message: format!("usage attribute `{}`", c.name),
    }))
    .collect();
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: t.origin,
        message: format!(
            "`{}` mixes catalog data ({}: what each {item} is) with per-{owner_word} usage ({}, {}: who has it and how much); every {owner_word} repeats the catalog attributes, and there is no single list of the {item}s that exist",
            t.name,
            col_list(catalog),
            owner.columns.join(", "),
            col_list(usage),
        ),
        help: Some(format!(
            "split it: `CREATE TABLE {cat_name} ({}); CREATE TABLE {use_name} ({});` then copy the distinct catalog rows and point each usage row at its catalog row",
            cat_cols.join(", "),
            use_cols.join(", "),
        )),
        labels,
        fingerprint: format!("{}:{}", META.name, t.name),
    }
}

impl Rule for CatalogUsageMixing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_graph(&self) -> bool {
        true
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for t in ctx.analysis.model.catalog.base_tables() {
            if has_event_word(&t.name.name) {
                continue;
            }
            // Owned by exactly the owners, referencing no catalog (declared or implied).
            let owner_fk = |f: &&ForeignKey| {
                f.columns.len() == 1
                    && f.columns
                        .first()
                        .and_then(|c| c.strip_suffix("_id"))
                        .is_some_and(|w| OWNERS.contains(&w))
            };
            let Some(owner) = t.foreign_keys.iter().find(owner_fk) else {
                continue;
            };
            let other_ref = t.foreign_keys.iter().any(|f| !owner_fk(&f))
                || ctx.graph().implied.iter().any(|i| i.table == t.name);
            if other_ref {
                continue;
            }
            let is_fk = |c: &Column| t.foreign_keys.iter().any(|f| f.columns.contains(&c.name));
            let catalog: Vec<&Column> = t
                .columns
                .iter()
                .filter(|c| {
                    !is_fk(c) && (has_word(&c.name, IDENTITY) || has_word(&c.name, CATALOG))
                })
                .collect();
            let usage: Vec<&Column> = t
                .columns
                .iter()
                .filter(|c| {
                    !is_fk(c)
                        && !catalog.iter().any(|k| k.name == c.name)
                        && (has_word(&c.name, USAGE) || has_word(&c.name, STATE))
                })
                .collect();
            if catalog
                .iter()
                .any(|c| has_word(&c.name, IDENTITY) && !has_event_word(&c.name))
                && usage.iter().any(|c| has_word(&c.name, USAGE))
            {
                out.push(finding(t, owner, &catalog, &usage));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::implied_reference_to_missing_table::tests::check;

    #[test]
    fn ogelbase_addons_mix_catalog_and_usage_and_nothing_else_does() {
        let hits: Vec<_> = check("fixtures/ogelbase")
            .into_iter()
            .filter(|f| f.rule == super::META.name)
            .collect();
        assert_eq!(hits.len(), 1, "{hits:#?}");
        let h = &hits[0];
        assert_eq!(h.fingerprint, "catalog-usage-mixing:platform.addons");
        let help = h.help.as_deref().unwrap_or("");
        assert!(help.contains("platform.addon_catalog (id uuid PRIMARY KEY, addon_type text NOT NULL, addon_variant text NOT NULL)"), "{help}");
        assert!(help.contains("platform.project_addons"), "{help}");
        assert!(help.contains("quantity integer NOT NULL"), "{help}");
    }
}
