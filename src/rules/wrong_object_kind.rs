//! wrong-object-kind — see rules/wrong-object-kind.md

use crate::diag::{Finding, Severity};
use crate::model::{Problem, ProblemKind, QualifiedName};

use super::common::{finding, problems};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "wrong-object-kind",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A statement treats an object as the wrong kind (DROP TABLE on a view, a foreign key to a view...)",
    doc: include_str!("../../rules/wrong-object-kind.md"),
};

pub struct WrongObjectKind;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    name: &QualifiedName,
    expected: &str,
    found: &str,
) -> Finding {
    finding(
        ctx,
        &META,
        p.span,
        &name.to_string(),
        format!(
            "\"{name}\" is not a {expected}: it is {} {found}",
            if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            }
        ),
        Some(format!(
            "use the statement for a {found} (e.g. `DROP {} ...`), or fix the name",
            found.to_uppercase()
        )),
        Vec::new(),
    )
}

impl Rule for WrongObjectKind {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            if let ProblemKind::WrongObjectKind {
                name,
                expected,
                found,
            } = &p.kind
            {
                out.push(build(ctx, p, name, expected, found));
            }
        }
    }
}
