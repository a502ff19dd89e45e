//! missing-relation — see rules/missing-relation.md

use crate::diag::{Finding, Severity};
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, ProblemKind, QualifiedName, RefContext};

use super::common::{
    create_failed_help, created_elsewhere_help, finding, pg_name, problems, why_text,
};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "missing-relation",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A statement uses a table or view that does not exist at that point of the history",
    doc: include_str!("../../rules/missing-relation.md"),
};

pub struct MissingRelation;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    name: &QualifiedName,
    written: &str,
    context: RefContext,
    why: &Why,
) -> Finding {
    let (because, label) = why_text(ctx, why, &format!("`{name}`"));
    let help = match why {
        Why::Renamed { to, .. } => Some(format!(
            "use the new name `{to}`, or create `{name}` in an earlier migration"
        )),
        Why::NeverCreated => created_elsewhere_help(ctx, name),
        Why::CreateFailed { .. } => create_failed_help(ctx, why),
        _ => None,
    }
    .unwrap_or_else(|| {
        format!(
            "create `{name}` in an earlier migration (`ogel-schema scaffold` drafts one), or fix the name"
        )
    });
    finding(
        ctx,
        &META,
        p.span,
        &name.to_string(),
        format!(
            "relation \"{}\" does not exist ({}): {because}",
            pg_name(written),
            context.describe()
        ),
        Some(help),
        label.into_iter().collect(),
    )
}

impl Rule for MissingRelation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            let ProblemKind::MissingRelation {
                name,
                written,
                context,
            } = &p.kind
            else {
                continue;
            };
            let key = ObjectKey::Relation { name: name.clone() };
            let why = ctx.analysis.model.why_missing(&key, p.seq);
            if matches!(why, Why::CreatedLater { .. }) {
                continue; // use-before-create
            }
            out.push(build(ctx, p, name, written, *context, &why));
        }
    }
}
