//! rls-without-policy — see rules/rls-without-policy.md

use super::rls_disabled::exposed;
use super::{Category, Context, Rule, RuleMeta};
use crate::cli::config::Config;
use crate::diag::{Finding, Label, Severity};
use crate::model::Table;

pub static META: RuleMeta = RuleMeta {
    name: "rls-without-policy",
    category: Category::Security,
    default_severity: Severity::Warning,
    summary: "Row-level security is enabled on an exposed table that has no policy, so the API sees no rows (Supabase profile)",
    doc: include_str!("../../rules/rls-without-policy.md"),
};

pub struct RlsWithoutPolicy;

fn finding(t: &Table) -> Finding {
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: t.rls_origin.unwrap_or(t.origin),
        message: format!(
            "row-level security is enabled on `{}` but no policy exists: every API query on it returns no rows and every write through the API fails",
            t.name
        ),
        help: Some(format!(
            "add the access you intend, e.g. `CREATE POLICY \"owners read\" ON {} FOR SELECT USING (auth.uid() = user_id);`; if only the service role may use it, say so in a comment and suppress this rule",
            t.name
        )),
        labels: vec![Label {
            span: t.origin,
            message: format!("`{}` is created here", t.name),
        }],
        fingerprint: format!("{}:{}", META.name, t.name),
    }
}

impl Rule for RlsWithoutPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn enabled_by_default(&self, config: &Config) -> bool {
        config.options.supabase()
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for t in
            exposed(ctx).filter(|t| t.rls_enabled && t.policies.is_empty() && !t.security_unknown)
        {
            out.push(finding(t));
        }
    }
}
