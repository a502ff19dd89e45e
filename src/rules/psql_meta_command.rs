//! psql-meta-command — see rules/psql-meta-command.md

use crate::diag::{DiagKind, Diagnostic, Finding, Severity};

use super::common::{diagnostics, finding};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "psql-meta-command",
    category: Category::Hygiene,
    default_severity: Severity::Info,
    summary: "A psql backslash command (`\\set`, `\\i`, ...): only psql understands it, and it is not analysed",
    doc: include_str!("../../rules/psql-meta-command.md"),
};

pub struct PsqlMetaCommand;

fn build(ctx: &Context<'_>, d: &Diagnostic, command: &str) -> Finding {
    finding(
        ctx,
        &META,
        d.span,
        command,
        format!(
            "psql meta-command `{command}`: it works only when the file is run with psql, and its effect is not analysed"
        ),
        Some(
            "if your migration tool is not psql, replace it with SQL; `\\i`/`\\ir` includes must be listed as migrations themselves"
                .to_owned(),
        ),
        Vec::new(),
    )
}

impl Rule for PsqlMetaCommand {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in diagnostics(ctx) {
            if let DiagKind::PsqlMeta { command } = &d.kind {
                out.push(build(ctx, d, command));
            }
        }
    }
}
