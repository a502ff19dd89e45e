//! use-before-create — see rules/use-before-create.md

use crate::diag::{Finding, Severity};
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, ProblemKind};
use crate::span::Span;

use super::common::{finding, label, pg_name, problems};
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
            let (kind, key, written) = match &p.kind {
                ProblemKind::MissingRelation { name, written, .. } => (
                    "relation",
                    ObjectKey::Relation { name: name.clone() },
                    written,
                ),
                ProblemKind::MissingType { name, written } => {
                    ("type", ObjectKey::Type { name: name.clone() }, written)
                }
                ProblemKind::MissingFunction { name, written, .. } => (
                    "function",
                    ObjectKey::Function { name: name.clone() },
                    written,
                ),
                _ => continue,
            };
            if let Why::CreatedLater { at } = ctx.analysis.model.why_missing(&key, p.seq) {
                let name = match &key {
                    ObjectKey::Relation { name }
                    | ObjectKey::Type { name }
                    | ObjectKey::Function { name } => name.to_string(),
                    _ => String::new(),
                };
                out.push(build(ctx, p, kind, &name, written, at));
            }
        }
    }
}
