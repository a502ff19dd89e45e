//! missing-function — see rules/missing-function.md

use crate::diag::{Finding, Severity};
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, ProblemKind, QualifiedName};

use super::common::{create_failed_help, finding, pg_name, problems, why_text};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "missing-function",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A trigger executes, an expression calls, or DROP / ALTER / COMMENT / GRANT ... FUNCTION names, a function that does not exist at that point",
    doc: include_str!("../../rules/missing-function.md"),
};

pub struct MissingFunction;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    name: &QualifiedName,
    written: &str,
    args: Option<&str>,
    overloads: &[String],
    why: &Why,
) -> Finding {
    let (mut because, label) = why_text(ctx, why, &format!("`{name}`"));
    if !overloads.is_empty() {
        let list: Vec<String> = overloads
            .iter()
            .map(|a| format!("{}({a})", pg_name(written)))
            .collect();
        because = format!("there is only {}", list.join(", "));
    }
    // PostgreSQL's wording: with an argument list, the signature; without, the name.
    let what = match args {
        Some(args) => format!("function {}({args}) does not exist", pg_name(written)),
        None => format!("could not find a function named \"{}\"", pg_name(written)),
    };
    finding(
        ctx,
        &META,
        p.span,
        &name.to_string(),
        format!("{what}: {because}"),
        Some(create_failed_help(ctx, why).unwrap_or_else(|| {
            "create the function (`CREATE FUNCTION ... RETURNS trigger` for a trigger) in an earlier migration, create the extension that provides it, or fix the name and argument types"
                .to_owned()
        })),
        label.into_iter().collect(),
    )
}

impl Rule for MissingFunction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            let ProblemKind::MissingFunction {
                name,
                written,
                args,
                overloads,
                call,
            } = &p.kind
            else {
                continue;
            };
            // A call's argument types are not modelled: PostgreSQL names them (`f(integer)`).
            let args = if *call { Some("...") } else { args.as_deref() };
            let key = ObjectKey::Function { name: name.clone() };
            let why = ctx.analysis.model.why_missing(&key, p.seq);
            if matches!(why, Why::CreatedLater { .. }) {
                continue; // use-before-create
            }
            out.push(build(ctx, p, name, written, args, overloads, &why));
        }
    }
}
