//! dependent-objects — see rules/dependent-objects.md

use crate::diag::{Finding, Severity};
use crate::model::{ObjectKey, Problem, ProblemKind};

use super::common::{describe_object, finding, problems};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "dependent-objects",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A DROP without CASCADE while other objects (foreign keys, views, policies) depend on the object",
    doc: include_str!("../../rules/dependent-objects.md"),
};

pub struct DependentObjects;

fn build(ctx: &Context<'_>, p: &Problem, object: &ObjectKey, dependents: &[String]) -> Finding {
    let (kind, name) = describe_object(object);
    finding(
        ctx,
        &META,
        p.span,
        &name,
        format!(
            "cannot drop {kind} {name} because other objects depend on it: {}",
            dependents.join(", ")
        ),
        Some(format!(
            "drop or change the dependent objects first, or use `CASCADE` if dropping them ({}) is intended",
            dependents.join(", ")
        )),
        Vec::new(),
    )
}

impl Rule for DependentObjects {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            if let ProblemKind::DependentObjects { object, dependents } = &p.kind {
                out.push(build(ctx, p, object, dependents));
            }
        }
    }
}
