//! missing-type — see rules/missing-type.md

use crate::diag::{Finding, Severity};
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, ProblemKind, QualifiedName, pgtype};

use super::common::{create_failed_help, finding, pg_name, problems, why_text};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "missing-type",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A column or cast uses a type (enum, domain, extension type) that does not exist at that point",
    doc: include_str!("../../rules/missing-type.md"),
};

pub struct MissingType;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    name: &QualifiedName,
    written: &str,
    why: &Why,
) -> Finding {
    let (because, label) = why_text(ctx, why, &format!("`{name}`"));
    finding(
        ctx,
        &META,
        p.span,
        &name.to_string(),
        format!("type \"{}\" does not exist: {because}", pg_name(written)),
        Some(create_failed_help(ctx, why).unwrap_or_else(|| {
            match pgtype::foreign_type_advice(&name.name).filter(|_| matches!(why, Why::NeverCreated)) {
                Some(advice) => format!(
                    "`{}` is another SQL dialect's type (MySQL, SQL Server, Oracle, DuckDB...); PostgreSQL's is {advice}",
                    pg_name(written)
                ),
                None => "create the type (`CREATE TYPE`, `CREATE DOMAIN`) or the extension that provides it in an earlier migration, or fix the name"
                    .to_owned(),
            }
        })),
        label.into_iter().collect(),
    )
}

impl Rule for MissingType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            let ProblemKind::MissingType { name, written } = &p.kind else {
                continue;
            };
            let key = ObjectKey::Type { name: name.clone() };
            let why = ctx.analysis.model.why_missing(&key, p.seq);
            if matches!(why, Why::CreatedLater { .. }) {
                continue; // use-before-create
            }
            out.push(build(ctx, p, name, written, &why));
        }
    }
}
