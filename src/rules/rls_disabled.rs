//! rls-disabled — see rules/rls-disabled.md

use super::{Category, Context, Rule, RuleMeta};
use crate::cli::config::Config;
use crate::diag::{Finding, Label, Severity};
use crate::model::{RelationKind, Table};

pub static META: RuleMeta = RuleMeta {
    name: "rls-disabled",
    category: Category::Security,
    default_severity: Severity::Warning,
    summary: "A table in an API-exposed schema does not have row-level security enabled (Supabase profile)",
    doc: include_str!("../../rules/rls-disabled.md"),
};

pub struct RlsDisabled;

/// Tables (not views, not partitions: RLS is checked on the parent) in exposed schemas.
pub(crate) fn exposed<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = &'a Table> + 'a {
    let schemas = &ctx.config.options.exposed_schemas;
    ctx.analysis.model.catalog.tables.values().filter(move |t| {
        matches!(t.kind, RelationKind::Table | RelationKind::PartitionedTable)
            && schemas.iter().any(|s| s.as_str() == t.name.schema)
    })
}

fn finding(t: &Table) -> Finding {
    let mut labels = Vec::new();
    if let Some(at) = t.rls_origin {
        labels.push(Label {
            span: at,
            message: "row-level security is disabled here".into(),
        });
    }
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: t.origin,
        message: format!(
            "`{}` is in the exposed schema `{}` but row-level security is not enabled: anyone holding the API key can read and change every row through the API",
            t.name, t.name.schema
        ),
        help: Some(format!(
            "`ALTER TABLE {0} ENABLE ROW LEVEL SECURITY;` then grant access with policies, e.g. `CREATE POLICY \"owners read\" ON {0} FOR SELECT USING (auth.uid() = user_id);`",
            t.name
        )),
        labels,
        fingerprint: format!("{}:{}", META.name, t.name),
    }
}

impl Rule for RlsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn enabled_by_default(&self, config: &Config) -> bool {
        config.options.supabase()
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        // An unparsable ALTER TABLE may have enabled it (`Table::blind`).
        for t in exposed(ctx).filter(|t| !t.rls_enabled && !t.blind && !t.security_unknown) {
            out.push(finding(t));
        }
    }
}
