//! unterminated-statement — see rules/unterminated-statement.md

use crate::diag::{DiagKind, Diagnostic, Finding, Severity};

use super::common::{diagnostics, finding};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "unterminated-statement",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    summary: "The file ends inside a quoted string, dollar-quoted body or block comment",
    doc: include_str!("../../rules/unterminated-statement.md"),
};

pub struct UnterminatedStatement;

fn build(ctx: &Context<'_>, d: &Diagnostic, what: &str) -> Finding {
    finding(
        ctx,
        &META,
        d.span,
        what,
        format!(
            "unterminated {what}: it runs to the end of the file, so everything after this point is swallowed into one broken statement"
        ),
        Some(format!("close the {what}")),
        Vec::new(),
    )
}

impl Rule for UnterminatedStatement {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in diagnostics(ctx) {
            if let DiagKind::Unterminated { what } = &d.kind {
                out.push(build(ctx, d, what));
            }
        }
    }
}
