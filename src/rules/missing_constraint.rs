//! missing-constraint — see rules/missing-constraint.md

use crate::diag::{Finding, Severity};
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, ProblemKind};

use super::common::{finding, problems, why_text};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "missing-constraint",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A statement drops, alters or names a constraint or index that does not exist at that point",
    doc: include_str!("../../rules/missing-constraint.md"),
};

pub struct MissingConstraint;

fn build(ctx: &Context<'_>, p: &Problem, key: &ObjectKey, message: String) -> Finding {
    let why = ctx.analysis.model.why_missing(key, p.seq);
    let (object, what) = match key {
        ObjectKey::Constraint { table, name } => {
            (format!("{table}.{name}"), format!("constraint `{name}`"))
        }
        ObjectKey::Index { name } => (name.to_string(), format!("index `{name}`")),
        _ => (String::new(), String::new()),
    };
    let (because, label) = why_text(ctx, &why, &what);
    let because = match why {
        Why::NeverCreated => format!("no earlier statement creates {what}"),
        _ => because,
    };
    finding(
        ctx,
        &META,
        p.span,
        &object,
        format!("{message}: {because}"),
        Some(
            "use the name PostgreSQL gave it (`ogel-schema model` shows every constraint and index name), or `IF EXISTS` when it may be absent"
                .to_owned(),
        ),
        label.into_iter().collect(),
    )
}

impl Rule for MissingConstraint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            match &p.kind {
                ProblemKind::MissingConstraint { table, name } => {
                    let key = ObjectKey::Constraint {
                        table: table.clone(),
                        name: name.clone(),
                    };
                    let msg =
                        format!("constraint \"{name}\" of relation \"{table}\" does not exist");
                    out.push(build(ctx, p, &key, msg));
                }
                ProblemKind::MissingIndex { name, relation } => {
                    let key = ObjectKey::Index { name: name.clone() };
                    let what = if *relation { "relation" } else { "index" };
                    let msg = format!("{what} \"{name}\" does not exist");
                    out.push(build(ctx, p, &key, msg));
                }
                _ => {}
            }
        }
    }
}
