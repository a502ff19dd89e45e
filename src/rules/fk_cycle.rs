//! fk-cycle — see rules/fk-cycle.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::model::{QualifiedName, Table};

pub static META: RuleMeta = RuleMeta {
    name: "fk-cycle",
    category: Category::Design,
    default_severity: Severity::Info,
    summary: "Tables reference each other in a cycle of foreign keys",
    doc: include_str!("../../rules/fk-cycle.md"),
};

pub struct FkCycle;

fn finding(cycle: &[QualifiedName], first: &Table, tables: &[&Table]) -> Finding {
    let names: Vec<String> = cycle.iter().map(ToString::to_string).collect();
    let mut labels = Vec::new();
    for t in tables {
        for fk in t
            .foreign_keys
            .iter()
            .filter(|f| f.target != t.name && cycle.contains(&f.target))
        {
            labels.push(Label {
                span: fk.origin,
                message: format!("`{}` references `{}`", t.name, fk.target),
            });
        }
    }
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: first.origin,
        message: format!(
            "foreign keys form a cycle between {}: no insertion order satisfies them all, so rows must be inserted with a NULL first or with DEFERRABLE constraints, and deletes must break the cycle too",
            names.join(", ")
        ),
        help: Some(
            "make one key of the cycle nullable or `DEFERRABLE INITIALLY DEFERRED` (`ALTER TABLE ... ALTER CONSTRAINT ... DEFERRABLE INITIALLY DEFERRED;`), or move the back-reference into a join table".into(),
        ),
        labels,
        fingerprint: format!("{}:{}", META.name, names.join(",")),
    }
}

impl Rule for FkCycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_graph(&self) -> bool {
        true
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cat = &ctx.analysis.model.catalog;
        for cycle in ctx.graph().fk_cycles() {
            let tables: Vec<&Table> = cycle.iter().filter_map(|n| cat.tables.get(n)).collect();
            if let Some(first) = tables.iter().min_by_key(|t| t.origin) {
                out.push(finding(&cycle, first, &tables));
            }
        }
    }
}
