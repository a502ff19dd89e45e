//! duplicate-object — see rules/duplicate-object.md

use crate::diag::{Finding, Severity};
use crate::model::{ObjectKey, Problem, ProblemKind};
use crate::span::Span;

use super::common::{describe_object, finding, label, problems};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "duplicate-object",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A statement creates a table, index, constraint, type, column or schema that already exists",
    doc: include_str!("../../rules/duplicate-object.md"),
};

pub struct DuplicateObject;

/// PostgreSQL's wording: `relation "x" already exists`, `column "c" of relation "t" ...`.
fn pg_wording(object: &ObjectKey) -> String {
    match object {
        ObjectKey::Schema { name } => format!("schema \"{name}\""),
        ObjectKey::Relation { name } | ObjectKey::Sequence { name } => {
            format!("relation \"{name}\"")
        }
        ObjectKey::Index { name } => {
            format!("relation \"{name}\" (index names share the schema's namespace with tables)")
        }
        ObjectKey::Column { table, column } => {
            format!("column \"{column}\" of relation \"{table}\"")
        }
        ObjectKey::Constraint { table, name } => {
            format!("constraint \"{name}\" for relation \"{table}\"")
        }
        ObjectKey::Type { name } => format!("type \"{name}\""),
        ObjectKey::Policy { table, name } => format!("policy \"{name}\" for table \"{table}\""),
        ObjectKey::Function { name } => {
            format!("function \"{name}\" with the same argument types")
        }
        ObjectKey::Trigger { table, name } => {
            format!("trigger \"{name}\" for relation \"{table}\"")
        }
    }
}

fn build(ctx: &Context<'_>, p: &Problem, object: &ObjectKey, existing: Span) -> Finding {
    let (kind, name) = describe_object(object);
    let known = existing != Span::default();
    let mut message = format!("{} already exists", pg_wording(object));
    if known {
        message.push_str(&format!(": created at {}", ctx.place(existing)));
    }
    finding(
        ctx,
        &META,
        p.span,
        &name,
        message,
        Some(format!(
            "give the new {kind} another name, drop the old one first, or remove this statement if it repeats an earlier migration"
        )),
        if known {
            vec![label(
                existing,
                format!("the {kind} `{name}` is created here"),
            )]
        } else {
            Vec::new()
        },
    )
}

impl Rule for DuplicateObject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            if let ProblemKind::DuplicateObject { object, existing } = &p.kind {
                out.push(build(ctx, p, object, *existing));
            }
        }
    }
}
