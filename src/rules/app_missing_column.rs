//! app-missing-column — see rules/app-missing-column.md

use crate::diag::{Finding, Severity};
use crate::span::Span;

use super::common::finding;
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "app-missing-column",
    category: Category::App,
    default_severity: Severity::Error,
    summary: "An application query uses a column that the migrations never add to its table",
    doc: include_str!("../../rules/app-missing-column.md"),
};

pub struct AppMissingColumn;

impl Rule for AppMissingColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(app) = &ctx.analysis.app else {
            return;
        };
        for r in &app.resolved {
            let Some(q) = app.queries.get(r.query) else {
                continue;
            };
            let Some(&file) = app.file_ids.get(q.file) else {
                continue;
            };
            for m in &r.missing_columns {
                let span = Span::new(file, m.at, m.at + m.column.len());
                out.push(finding(
                    ctx,
                    &META,
                    span,
                    &format!("{}.{}", m.table, m.column),
                    format!(
                        "column {} does not exist: no migration adds \"{}\" to {}",
                        m.written, m.column, m.table
                    ),
                    Some(format!(
                        "add the column in a migration (`ALTER TABLE {} ADD COLUMN {} ...`), or fix the query",
                        m.table, m.column
                    )),
                    Vec::new(),
                ));
            }
        }
    }
}
