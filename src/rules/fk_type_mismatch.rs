//! fk-type-mismatch — see rules/fk-type-mismatch.md

use crate::diag::{Finding, Severity};
use crate::model::{Problem, ProblemKind};

use super::common::{finding, problems};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "fk-type-mismatch",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A foreign key column's type cannot be compared with the referenced column's type",
    doc: include_str!("../../rules/fk-type-mismatch.md"),
};

pub struct FkTypeMismatch;

struct Mismatch<'a> {
    table: &'a str,
    column: &'a str,
    column_type: &'a str,
    target: &'a str,
    target_column: &'a str,
    target_type: &'a str,
}

fn build(ctx: &Context<'_>, p: &Problem, m: &Mismatch<'_>) -> Finding {
    finding(
        ctx,
        &META,
        p.span,
        &format!("{}.{}->{}", m.table, m.column, m.target),
        format!(
            "foreign key constraint cannot be implemented: key columns \"{}\" and \"{}\" are of incompatible types: {} and {}",
            m.column, m.target_column, m.column_type, m.target_type
        ),
        Some(format!(
            "declare `{}.{}` as {} (the type of `{}.{}`)",
            m.table, m.column, m.target_type, m.target, m.target_column
        )),
        Vec::new(),
    )
}

impl Rule for FkTypeMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            let ProblemKind::FkTypeMismatch {
                table,
                column,
                column_type,
                target,
                target_column,
                target_type,
            } = &p.kind
            else {
                continue;
            };
            let (table, target) = (table.to_string(), target.to_string());
            let m = Mismatch {
                table: &table,
                column,
                column_type,
                target: &target,
                target_column,
                target_type,
            };
            out.push(build(ctx, p, &m));
        }
    }
}
