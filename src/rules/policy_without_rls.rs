//! policy-without-rls — see rules/policy-without-rls.md

use super::{Category, Context, Rule, RuleMeta};
use crate::cli::config::Config;
use crate::diag::{Finding, Label, Severity};
use crate::model::{Policy, Table};

pub static META: RuleMeta = RuleMeta {
    name: "policy-without-rls",
    category: Category::Security,
    default_severity: Severity::Warning,
    summary: "A table has row-level-security policies but row-level security is not enabled, so they are ignored (Supabase profile)",
    doc: include_str!("../../rules/policy-without-rls.md"),
};

pub struct PolicyWithoutRls;

fn finding(t: &Table, p: &Policy) -> Finding {
    let mut labels = vec![Label {
        span: t.origin,
        message: format!("`{}` is created here", t.name),
    }];
    if let Some(at) = t.rls_origin {
        labels.push(Label {
            span: at,
            message: "row-level security is disabled here".into(),
        });
    }
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: p.origin,
        message: format!(
            "policy `{}` on `{}` is never applied: row-level security is not enabled on the table, so every role with table privileges sees every row",
            p.name, t.name
        ),
        help: Some(format!(
            "`ALTER TABLE {} ENABLE ROW LEVEL SECURITY;`",
            t.name
        )),
        labels,
        fingerprint: format!("{}:{}:{}", META.name, t.name, p.name),
    }
}

impl Rule for PolicyWithoutRls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn enabled_by_default(&self, config: &Config) -> bool {
        config.options.supabase()
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for t in ctx
            .analysis
            .model
            .catalog
            .tables
            .values()
            .filter(|t| !t.rls_enabled && !t.blind && !t.security_unknown)
        {
            for p in &t.policies {
                out.push(finding(t, p));
            }
        }
    }
}
