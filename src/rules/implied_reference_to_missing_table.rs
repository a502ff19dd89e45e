//! implied-reference-to-missing-table — see rules/implied-reference-to-missing-table.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::graph::implied::{Basis, ImpliedRef, matches_stem};
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
    // The column name alone is weak evidence: ORMs name roles (`author_id` -> users),
    // single-table inheritance (`priority_id` -> a shared table) and ordinals (`sequence_id`)
    // the same way. Reported, but below the level a CI gate fails on by default.
    let severity = match imp.basis {
        Basis::ColumnName => Severity::Info,
        _ => META.default_severity,
    };
    Finding {
        rule: META.name,
        severity,
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

/// Relations assumed to exist outside the migrations (`assume.relations`, and Supabase's
/// `auth.*`, ... under `profile = "supabase"`) may hold the table a bare column name means
/// (`user_id` -> `auth.users`): then the name alone proves nothing.
fn assumed_may_hold(ctx: &Context<'_>, imp: &ImpliedRef) -> bool {
    let stem = imp.column.strip_suffix("_id").unwrap_or(&imp.column);
    let supabase = ctx.config.options.supabase();
    ctx.config
        .assume
        .relations
        .iter()
        .map(|c| c.as_str())
        .chain(supabase.then_some("auth.*"))
        .any(|a| {
            let name = a.rsplit('.').next().unwrap_or(a);
            name == "*" || matches_stem(name, stem)
        })
}

impl Rule for ImpliedReferenceToMissingTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_graph(&self) -> bool {
        true
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for imp in ctx.graph().implied.iter().filter(|i| !i.target_exists) {
            if imp.basis == Basis::ColumnName && assumed_may_hold(ctx, imp) {
                continue;
            }
            out.push(finding(imp));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};

    use crate::cli::InputArgs;

    /// Findings of every rule on a fixture directory (its ogel-schema.toml applies).
    pub(crate) fn check(dir: &str) -> Vec<crate::diag::Finding> {
        let input = InputArgs {
            paths: vec![PathBuf::from(dir)],
            config: None,
            search_path: None,
            replace: Vec::new(),
        };
        let r = crate::cli::resolve(&input, Path::new(".")).unwrap();
        let a = crate::analyze(&r.settings).unwrap();
        crate::rules::run(&a, &r.config)
    }

    #[test]
    fn ogelbase_plan_id_points_at_missing_billing_plans_by_its_comment() {
        let f = check("fixtures/ogelbase");
        let hits: Vec<_> = f.iter().filter(|f| f.rule == super::META.name).collect();
        assert_eq!(hits.len(), 1, "{hits:#?}");
        let h = hits[0];
        assert_eq!(
            h.fingerprint,
            "implied-reference-to-missing-table:platform.subscriptions.plan_id"
        );
        assert!(
            h.message.contains("`platform.billing_plans`"),
            "{}",
            h.message
        );
        assert!(
            h.labels
                .iter()
                .any(|l| l.message.contains("References billing_plans.id"))
        );
        // External ids are never references.
        assert!(!f.iter().any(|f| f.fingerprint.contains("stripe_")));
    }
}
