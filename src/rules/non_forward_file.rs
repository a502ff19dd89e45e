//! non-forward-file — see rules/non-forward-file.md

use crate::diag::{DiagKind, Diagnostic, Finding, Severity};

use super::common::{diagnostics, finding};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "non-forward-file",
    category: Category::Order,
    default_severity: Severity::Info,
    summary: "A down/rollback, test or other non-migration file sits in a migrations directory and is not applied",
    doc: include_str!("../../rules/non-forward-file.md"),
};

pub struct NonForwardFile;

fn build(ctx: &Context<'_>, d: &Diagnostic, file_kind: &str, reason: &str) -> Finding {
    let file = ctx.file_name(d.span.file());
    let what = match file_kind {
        "down" => "a down/rollback migration",
        _ => "not a forward migration",
    };
    finding(
        ctx,
        &META,
        d.span,
        file,
        format!("{file} is {what} ({reason}): it is left out of the replayed history"),
        Some(
            "keep only forward migrations in the directory, or add a glob to `ignore = [...]` in ogel-schema.toml to silence this"
                .to_owned(),
        ),
        Vec::new(),
    )
}

impl Rule for NonForwardFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in diagnostics(ctx) {
            if let DiagKind::NotForward { file_kind, reason } = &d.kind {
                out.push(build(ctx, d, file_kind, reason));
            }
        }
    }
}
