//! use-before-create — see rules/use-before-create.md

use crate::diag::{Finding, Severity};
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, ProblemKind};
use crate::span::Span;

use super::common::{finding, label, pg_name, problems, why_relation_missing};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "use-before-create",
    category: Category::Order,
    default_severity: Severity::Error,
    summary: "A table or type is used before the migration that creates it runs",
    doc: include_str!("../../rules/use-before-create.md"),
};

pub struct UseBeforeCreate;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    kind: &str,
    name: &str,
    written: &str,
    created: Span,
) -> Finding {
    let same_file = created.file() == p.span.file();
    let help = if same_file {
        format!("move the statement that creates `{name}` above this one")
    } else {
        format!(
            "create `{name}` before this migration: move or renumber {} so it runs earlier (`ogel-schema order` plans it)",
            ctx.file_name(created.file())
        )
    };
    finding(
        ctx,
        &META,
        p.span,
        name,
        format!(
            "{kind} \"{}\" does not exist yet: it is only created later, at {}",
            pg_name(written),
            ctx.place(created)
        ),
        Some(help),
        vec![label(
            created,
            format!("`{name}` is created here, too late"),
        )],
    )
}

impl Rule for UseBeforeCreate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            let model = &ctx.analysis.model;
            let (kind, name, why, written) = match &p.kind {
                ProblemKind::MissingRelation { name, written, .. } => {
                    let why = why_relation_missing(ctx, name, p.seq);
                    ("relation", name, why, written)
                }
                ProblemKind::MissingType { name, written } => {
                    let why = model.why_missing(&ObjectKey::Type { name: name.clone() }, p.seq);
                    ("type", name, why, written)
                }
                ProblemKind::MissingFunction { name, written, .. } => {
                    let key = ObjectKey::Function { name: name.clone() };
                    ("function", name, model.why_missing(&key, p.seq), written)
                }
                _ => continue,
            };
            if let Why::CreatedLater { at } = why {
                out.push(build(ctx, p, kind, &name.to_string(), written, at));
            }
        }
    }
}
