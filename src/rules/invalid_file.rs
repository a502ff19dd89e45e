//! invalid-file — see rules/invalid-file.md

use crate::diag::{DiagKind, Diagnostic, Finding, Severity};

use super::common::{diagnostics, finding};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "invalid-file",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    summary: "A migration file that cannot be read, is binary, or is not valid UTF-8",
    doc: include_str!("../../rules/invalid-file.md"),
};

pub struct InvalidFile;

fn build(ctx: &Context<'_>, d: &Diagnostic, problem: &str, help: &str) -> Finding {
    let file = ctx.file_name(d.span.file());
    finding(
        ctx,
        &META,
        d.span,
        file,
        format!("{file}: {problem}"),
        Some(help.to_owned()),
        Vec::new(),
    )
}

impl Rule for InvalidFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in diagnostics(ctx) {
            let f = match &d.kind {
                DiagKind::ReadError { error } => build(
                    ctx,
                    d,
                    &format!("cannot be read ({error}); it was not analysed"),
                    "check the file's permissions and that it is a regular file",
                ),
                DiagKind::Binary { offset } => build(
                    ctx,
                    d,
                    &format!(
                        "contains a NUL byte at offset {offset}: it is binary, not SQL, and was not analysed"
                    ),
                    "remove it from the migrations directory, or restore the SQL it should hold",
                ),
                DiagKind::InvalidUtf8 { offset } => build(
                    ctx,
                    d,
                    &format!(
                        "is not valid UTF-8 (first bad byte at offset {offset}); it was analysed with the bad bytes replaced"
                    ),
                    "re-save the file as UTF-8 (PostgreSQL rejects invalid bytes in a UTF8 database)",
                ),
                _ => continue,
            };
            out.push(f);
        }
    }
}
