//! app-missing-column — see rules/app-missing-column.md

use crate::diag::{Finding, Severity};
use crate::span::Span;

use super::common::{app_queries, finding};
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
        for (_, r, file) in app_queries(ctx) {
            for m in &r.missing_columns {
                let span = Span::new(file, m.at, m.at + m.column.len());
                let tables = m.table_list();
                out.push(finding(
                    ctx,
                    &META,
                    span,
                    &format!("{tables}.{}", m.column),
                    format!(
                        "column {} does not exist: no migration adds \"{}\" to {tables}",
                        m.written, m.column
                    ),
                    Some(format!(
                        "add the column in a migration (`ALTER TABLE {} ADD COLUMN {} ...`), or fix the query",
                        m.tables.first().map(ToString::to_string).unwrap_or_default(),
                        m.column
                    )),
                    Vec::new(),
                ));
            }
        }
    }
}
