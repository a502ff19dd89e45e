//! if-not-exists-skipped — see rules/if-not-exists-skipped.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::model::catalog::quote_ident;
use crate::model::{ProblemKind, QualifiedName};
use crate::span::Span;

pub static META: RuleMeta = RuleMeta {
    name: "if-not-exists-skipped",
    category: Category::Design,
    default_severity: Severity::Warning,
    summary: "`CREATE TABLE IF NOT EXISTS` is skipped because the table exists with different columns",
    doc: include_str!("../../rules/if-not-exists-skipped.md"),
};

pub struct IfNotExistsSkipped;

fn finding(
    ctx: &Context<'_>,
    span: Span,
    table: &QualifiedName,
    existing: Span,
    missing: &[crate::model::Name],
) -> Finding {
    let adds: Vec<String> = missing
        .iter()
        .map(|c| {
            format!(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {} <type>;",
                quote_ident(c)
            )
        })
        .collect();
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span,
        message: format!(
            "`CREATE TABLE IF NOT EXISTS {table}` does nothing: the table already exists (created at {}) without column(s) {}; PostgreSQL keeps the old definition, so these columns will not exist",
            ctx.place(existing),
            missing
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        help: Some(format!(
            "change the existing table explicitly: `{}`",
            adds.join(" ")
        )),
        labels: vec![Label {
            span: existing,
            message: format!("`{table}` is first created here"),
        }],
        fingerprint: format!("{}:{table}:{}", META.name, ctx.file_name(span.file())),
    }
}

impl Rule for IfNotExistsSkipped {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in &ctx.analysis.model.problems {
            if let ProblemKind::IfNotExistsSkipped {
                table,
                existing,
                missing_columns,
            } = &p.kind
                && !missing_columns.is_empty()
            {
                out.push(finding(ctx, p.span, table, *existing, missing_columns));
            }
        }
    }
}
