//! on-conflict-without-unique — see rules/on-conflict-without-unique.md

use crate::diag::{Finding, Severity};
use crate::model::{Problem, ProblemKind, QualifiedName};

use super::common::{finding, problems};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "on-conflict-without-unique",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "`INSERT ... ON CONFLICT (cols)` names columns no unique index or constraint covers",
    doc: include_str!("../../rules/on-conflict-without-unique.md"),
};

pub struct OnConflictWithoutUnique;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    table: &QualifiedName,
    columns: &[crate::model::Name],
) -> Finding {
    let cols = columns.join(", ");
    finding(
        ctx,
        &META,
        p.span,
        &format!("{table}({cols})"),
        format!(
            "there is no unique or exclusion constraint matching the ON CONFLICT specification: `{table}` has no unique index on ({cols})"
        ),
        Some(format!(
            "add `UNIQUE ({cols})` to `{table}` (or a unique index) in an earlier migration, or use the columns of an existing one"
        )),
        Vec::new(),
    )
}

impl Rule for OnConflictWithoutUnique {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            if let ProblemKind::OnConflictNoUnique { table, columns } = &p.kind {
                out.push(build(ctx, p, table, columns));
            }
        }
    }
}
