//! app-missing-relation — see rules/app-missing-relation.md

use crate::diag::{Finding, Severity};
use crate::model::ProblemKind;
use crate::span::Span;

use super::common::{app_queries, created_elsewhere_help, finding, label};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "app-missing-relation",
    category: Category::App,
    default_severity: Severity::Error,
    summary: "An application query reads or writes a table that no migration creates",
    doc: include_str!("../../rules/app-missing-relation.md"),
};

pub struct AppMissingRelation;

impl Rule for AppMissingRelation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, r, file) in app_queries(ctx) {
            for m in &r.missing_relations {
                let span = Span::new(file, m.at, m.at + m.written.len());
                // Where the migrations also use the missing name.
                let also: Vec<_> = ctx
                    .analysis
                    .model
                    .problems
                    .iter()
                    .filter(|p| matches!(&p.kind, ProblemKind::MissingRelation { name, .. } if *name == m.name))
                    .collect();
                let mut message = format!(
                    "relation \"{}\" does not exist: no migration leaves {} in place",
                    m.written, m.name
                );
                if let Some(first) = also.first() {
                    message.push_str(&format!(
                        "; the migrations reference it at {} too",
                        ctx.place(first.span)
                    ));
                }
                let labels = also
                    .iter()
                    .map(|p| label(p.span, "the migrations use it here too"))
                    .collect();
                out.push(finding(
                    ctx,
                    &META,
                    span,
                    &m.name.to_string(),
                    message,
                    Some(created_elsewhere_help(ctx, &m.name).unwrap_or_else(|| {
                        format!(
                            "add a migration that creates {}, or change the query to use an existing table",
                            m.name
                        )
                    })),
                    labels,
                ));
            }
        }
    }
}
