//! unparsable-statement — see rules/unparsable-statement.md

use crate::diag::{DiagKind, Diagnostic, Finding, Severity};

use super::common::{diagnostics, finding, statement_head};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "unparsable-statement",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    summary: "A statement the SQL parser cannot read: its schema changes are only partly known (info when it does not touch the schema)",
    doc: include_str!("../../rules/unparsable-statement.md"),
};

pub struct UnparsableStatement;

fn build(
    ctx: &Context<'_>,
    d: &Diagnostic,
    error: &str,
    schema_relevant: bool,
    recovered: Option<&str>,
) -> Finding {
    let known = match recovered {
        Some(r) => format!("; only `{r}` was recovered from it"),
        None => "; nothing was recovered from it".to_owned(),
    };
    let mut help = String::from(
        "if it is valid PostgreSQL, the analysis of this statement is incomplete: add `-- ogel-schema: ignore unparsable-statement` above it to accept that",
    );
    if error.contains("template placeholder") || error.contains("{{") || error.contains("${") {
        help = "substitute the template placeholder before parsing: `--replace REGEX VALUE` (or `[[replace]]` in ogel-schema.toml)".to_owned();
    }
    let mut f = finding(
        ctx,
        &META,
        d.span,
        &statement_head(ctx, d.span),
        format!("cannot parse this statement: {error}{known}"),
        Some(help),
        Vec::new(),
    );
    if !schema_relevant {
        f.severity = Severity::Info;
    }
    f
}

impl Rule for UnparsableStatement {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in diagnostics(ctx) {
            if let DiagKind::Unparsable {
                error,
                schema_relevant,
                recovered,
            } = &d.kind
            {
                out.push(build(ctx, d, error, *schema_relevant, recovered.as_deref()));
            }
        }
    }
}
