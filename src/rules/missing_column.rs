//! missing-column — see rules/missing-column.md

use crate::diag::{Finding, Severity};
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, ProblemKind, QualifiedName, RefContext};

use super::common::{create_failed_help, finding, problems, why_text};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "missing-column",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "A statement names a column its table does not have at that point of the history",
    doc: include_str!("../../rules/missing-column.md"),
};

pub struct MissingColumn;

fn build(
    ctx: &Context<'_>,
    p: &Problem,
    table: &QualifiedName,
    column: &str,
    context: RefContext,
    why: &Why,
) -> Finding {
    let (because, label) = why_text(ctx, why, &format!("`{table}.{column}`"));
    let because = match why {
        Why::NeverCreated => format!("`{table}` has no column `{column}`"),
        _ => because,
    };
    let help = match why {
        Why::Renamed { to, .. } => format!("use the new name `{to}`"),
        Why::CreatedLater { .. } => {
            "move the statement that adds the column before this one".to_owned()
        }
        Why::CreateFailed { .. } => create_failed_help(ctx, why).unwrap_or_default(),
        _ => format!(
            "add the column (`ALTER TABLE {table} ADD COLUMN {column} ...`) in an earlier migration, or fix the name"
        ),
    };
    finding(
        ctx,
        &META,
        p.span,
        &format!("{table}.{column}"),
        format!(
            "column \"{column}\" of relation \"{table}\" does not exist ({}): {because}",
            context.describe()
        ),
        Some(help),
        label.into_iter().collect(),
    )
}

impl Rule for MissingColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            let ProblemKind::MissingColumn {
                table,
                column,
                context,
            } = &p.kind
            else {
                continue;
            };
            let key = ObjectKey::Column {
                table: table.clone(),
                column: column.clone(),
            };
            let why = ctx.analysis.model.why_missing(&key, p.seq);
            out.push(build(ctx, p, table, column, *context, &why));
        }
    }
}
