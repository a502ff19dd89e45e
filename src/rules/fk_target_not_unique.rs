//! fk-target-not-unique — see rules/fk-target-not-unique.md

use crate::diag::{Finding, Severity};
use crate::model::{Problem, ProblemKind, QualifiedName};

use super::common::{finding, problems};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "fk-target-not-unique",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A foreign key references columns without a primary key or unique constraint, or the wrong number of columns",
    doc: include_str!("../../rules/fk-target-not-unique.md"),
};

pub struct FkTargetNotUnique;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    table: &QualifiedName,
    target: &QualifiedName,
    message: String,
    help: String,
) -> Finding {
    finding(
        ctx,
        &META,
        p.span,
        &format!("{table}->{target}"),
        message,
        Some(help),
        Vec::new(),
    )
}

impl Rule for FkTargetNotUnique {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            let f = match &p.kind {
                ProblemKind::FkTargetNotUnique {
                    table,
                    target,
                    columns,
                } => build(
                    ctx,
                    p,
                    table,
                    target,
                    format!(
                        "there is no unique constraint matching given keys for referenced table \"{target}\": ({}) is neither its primary key nor unique",
                        columns.join(", ")
                    ),
                    format!(
                        "reference the primary key of `{target}`, or add `UNIQUE ({})` to it in an earlier statement",
                        columns.join(", ")
                    ),
                ),
                ProblemKind::FkNoPrimaryKey { table, target } => build(
                    ctx,
                    p,
                    table,
                    target,
                    format!(
                        "there is no primary key for referenced table \"{target}\": a foreign key without a column list references the primary key"
                    ),
                    format!(
                        "name the referenced columns (`REFERENCES {target} (col)`) or give `{target}` a primary key"
                    ),
                ),
                ProblemKind::FkColumnCount { table, target } => build(
                    ctx,
                    p,
                    table,
                    target,
                    format!(
                        "number of referencing and referenced columns for foreign key from \"{table}\" to \"{target}\" disagree"
                    ),
                    "list as many referenced columns as referencing ones".to_owned(),
                ),
                _ => continue,
            };
            out.push(f);
        }
    }
}
