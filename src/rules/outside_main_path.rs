//! outside-main-path — see rules/outside-main-path.md

use crate::diag::{DiagKind, Diagnostic, Finding, Severity};

use super::common::{diagnostics, finding};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "outside-main-path",
    category: Category::Order,
    default_severity: Severity::Warning,
    summary: "A forward migration lives outside the main migrations directory, where the migration tool will not find it",
    doc: include_str!("../../rules/outside-main-path.md"),
};

pub struct OutsideMainPath;

fn build(ctx: &Context<'_>, d: &Diagnostic, main: &str) -> Finding {
    let file = ctx.file_name(d.span.file());
    finding(
        ctx,
        &META,
        d.span,
        file,
        format!(
            "{file} is outside the main migrations directory {main}: a migration tool pointed at {main} never applies it, although it is analysed here in version order"
        ),
        Some(format!(
            "move it into {main} with a version after the last migration, or drop it from the inputs if it is not part of this history"
        )),
        Vec::new(),
    )
}

impl Rule for OutsideMainPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in diagnostics(ctx) {
            if let DiagKind::OutsideMainPath { main } = &d.kind {
                out.push(build(ctx, d, main));
            }
        }
    }
}
