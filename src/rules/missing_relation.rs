//! missing-relation — see rules/missing-relation.md

use crate::diag::{Finding, Severity};
use crate::model::catalog::quote_ident;
use crate::model::history::Why;
use crate::model::{Problem, ProblemKind, QualifiedName, RefContext};

use super::common::{
    create_failed_help, created_elsewhere_help, finding, pg_name, problems, why_relation_missing,
    why_text,
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

/// An unqualified name that exists only in schemas the search path does not reach.
fn off_path(
    ctx: &Context<'_>,
    p: &Problem,
    written: &str,
    context: RefContext,
    elsewhere: &[QualifiedName],
) -> Finding {
    let list = |f: &dyn Fn(&QualifiedName) -> String| {
        elsewhere.iter().map(f).collect::<Vec<_>>().join(", ")
    };
    let found = list(&|q| format!("`{q}`"));
    let schemas = list(&|q| format!("`{}`", quote_ident(&q.schema)));
    let (verb, noun) = if elsewhere.len() == 1 {
        ("exists", "its schema is")
    } else {
        ("exist", "their schemas are")
    };
    finding(
        ctx,
        &META,
        p.span,
        &elsewhere
            .first()
            .map(ToString::to_string)
            .unwrap_or_default(),
        format!(
            "relation \"{}\" does not exist ({}): {found} {verb}, but {noun} not on the search_path",
            pg_name(written),
            context.describe()
        ),
        Some(format!(
            "qualify the name ({found}), or put {schemas} on the search_path first (`SET search_path` lasts until the end of the file)"
        )),
        Vec::new(),
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
                elsewhere,
            } = &p.kind
            else {
                continue;
            };
            let why = why_relation_missing(ctx, name, p.seq);
            if matches!(why, Why::CreatedLater { .. }) {
                continue; // use-before-create
            }
            // A rename or move says best where it went; otherwise the search path is the cause.
            if !elsewhere.is_empty() && !matches!(why, Why::Renamed { .. }) {
                out.push(off_path(ctx, p, written, *context, elsewhere));
                continue;
            }
            out.push(build(ctx, p, name, written, *context, &why));
        }
    }
}
