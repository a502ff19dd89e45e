//! aborted-transaction — see rules/aborted-transaction.md

use crate::diag::{Finding, Severity};
use crate::model::{Problem, ProblemKind};
use crate::span::Span;

use super::common::{finding, label, problems, statement_head};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "aborted-transaction",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A statement after an error inside BEGIN ... COMMIT: PostgreSQL ignores it and rolls the block back",
    doc: include_str!("../../rules/aborted-transaction.md"),
};

pub struct AbortedTransaction;

fn build(ctx: &Context<'_>, p: &Problem, first_error: Span) -> Finding {
    finding(
        ctx,
        &META,
        p.span,
        &statement_head(ctx, p.span),
        format!(
            "current transaction is aborted, commands ignored until end of transaction block: the statement at {} failed, so this one never runs and COMMIT rolls the whole block back",
            ctx.place(first_error)
        ),
        Some(
            "fix the first error in the transaction block; everything after it depends on it"
                .to_owned(),
        ),
        vec![label(first_error, "the first error in this transaction")],
    )
}

impl Rule for AbortedTransaction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            if let ProblemKind::InAbortedTransaction { first_error } = &p.kind {
                out.push(build(ctx, p, *first_error));
            }
        }
    }
}
