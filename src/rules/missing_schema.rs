//! missing-schema — see rules/missing-schema.md

use crate::diag::{Finding, Severity};
use crate::model::catalog::{Name, quote_ident};
use crate::model::{Problem, ProblemKind};

use super::common::{finding, problems};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "missing-schema",
    category: Category::References,
    default_severity: Severity::Error,
    summary: "An object is created in or looked up from a schema that does not exist, or no schema is selected",
    doc: include_str!("../../rules/missing-schema.md"),
};

pub struct MissingSchema;

fn build(ctx: &Context<'_>, p: &Problem, schema: Result<&str, &[Name]>) -> Finding {
    match schema {
        Ok(name) => finding(
            ctx,
            &META,
            p.span,
            name,
            format!("schema \"{name}\" does not exist"),
            Some(format!(
                "add `CREATE SCHEMA IF NOT EXISTS {name};` to an earlier migration, or list it under `[assume] schemas` in ogel-schema.toml when another tool creates it"
            )),
            Vec::new(),
        ),
        Err(path) => finding(
            ctx,
            &META,
            p.span,
            "search_path",
            if path.is_empty() {
                "no schema has been selected to create in: the search_path is empty".to_owned()
            } else {
                let path: Vec<String> = path.iter().map(|s| format!("`{}`", quote_ident(s))).collect();
                format!(
                    "no schema has been selected to create in: no schema of the search_path ({}) exists",
                    path.join(", ")
                )
            },
            Some(
                "qualify the name (`app.users`), or create a schema on the search_path first (`SET search_path` lasts until the end of the file)"
                    .to_owned(),
            ),
            Vec::new(),
        ),
    }
}

impl Rule for MissingSchema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in problems(ctx) {
            match &p.kind {
                ProblemKind::MissingSchema { name } => out.push(build(ctx, p, Ok(name))),
                ProblemKind::NoSchemaSelected { path } => out.push(build(ctx, p, Err(path))),
                _ => {}
            }
        }
    }
}
