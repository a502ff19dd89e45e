//! duplicate-version — see rules/duplicate-version.md

use crate::diag::{DiagKind, Diagnostic, Finding, Severity};

use super::common::{diagnostics, finding, label};
use super::{Category, Context, Rule, RuleMeta};
use crate::span::{FileId, Span};

pub static META: RuleMeta = RuleMeta {
    name: "duplicate-version",
    category: Category::Order,
    default_severity: Severity::Error,
    summary: "Two forward migrations share one version number",
    doc: include_str!("../../rules/duplicate-version.md"),
};

pub struct DuplicateVersion;

fn build(ctx: &Context<'_>, d: &Diagnostic, version: &str, other: FileId) -> Finding {
    finding(
        ctx,
        &META,
        d.span,
        version,
        format!(
            "version {version} is used twice: {} and {}; migration tools refuse the second or apply them in an arbitrary order",
            ctx.file_name(other),
            ctx.file_name(d.span.file())
        ),
        Some(
            "renumber one of them to a version after the last applied one (`ogel-schema order` plans it)"
                .to_owned(),
        ),
        vec![label(
            Span::new(other, 0, 0),
            format!("version {version} is also used here"),
        )],
    )
}

impl Rule for DuplicateVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in diagnostics(ctx) {
            if let DiagKind::DuplicateVersion { version, other } = &d.kind {
                out.push(build(ctx, d, version, *other));
            }
        }
    }
}
