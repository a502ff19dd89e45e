//! rejected-by-postgres — see rules/rejected-by-postgres.md

use crate::diag::{DiagKind, Finding, Severity};
use crate::model::ProblemKind;
use crate::span::Span;

use super::common::{diagnostics, finding, problems, statement_head};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "rejected-by-postgres",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    summary: "A statement the SQL parser accepts but PostgreSQL rejects (a top-level RAISE, ...)",
    doc: include_str!("../../rules/rejected-by-postgres.md"),
};

pub struct RejectedByPostgres;

fn build(ctx: &Context<'_>, span: Span, reason: &str) -> Finding {
    finding(
        ctx,
        &META,
        span,
        &statement_head(ctx, span),
        format!("PostgreSQL rejects this statement: {reason}"),
        Some(
            "move it into a `DO $$ BEGIN ... END $$;` block or a function body, or remove it"
                .to_owned(),
        ),
        Vec::new(),
    )
}

impl Rule for RejectedByPostgres {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut seen = Vec::new();
        for p in problems(ctx) {
            if let ProblemKind::Rejected { reason } = &p.kind {
                seen.push(p.span);
                out.push(build(ctx, p.span, reason));
            }
        }
        // The parser flags some statements the model never sees as parsed (a RAISE sqlparser
        // cannot read): report those too, once.
        for d in diagnostics(ctx) {
            if let DiagKind::RejectedByPostgres { reason } = &d.kind
                && !seen.iter().any(|s| {
                    s.file() == d.span.file()
                        && s.start() <= d.span.start()
                        && d.span.start() <= s.end()
                })
            {
                out.push(build(ctx, d.span, reason));
            }
        }
    }
}
