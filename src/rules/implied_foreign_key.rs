//! implied-foreign-key — see rules/implied-foreign-key.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::graph::implied::{Basis, ImpliedRef};
use crate::model::Table;
use crate::model::catalog::quote_ident;
use crate::model::pgtype::{FkCompat, fk_compatible};

pub static META: RuleMeta = RuleMeta {
    name: "implied-foreign-key",
    category: Category::Design,
    default_severity: Severity::Info,
    summary: "A column named like an existing table (`team_id` -> `teams`) has no foreign key",
    doc: include_str!("../../rules/implied-foreign-key.md"),
};

pub struct ImpliedForeignKey;

/// Is `column` alone a primary key, unique constraint or full unique index of `t`?
pub(crate) fn is_unique(ctx: &Context<'_>, t: &Table, column: &str) -> bool {
    let one =
        |cols: &[crate::model::Name]| cols.len() == 1 && cols.first().is_some_and(|c| c == column);
    t.primary_key.as_ref().is_some_and(|k| one(&k.columns))
        || t.uniques.iter().any(|k| one(&k.columns))
        || ctx.analysis.model.catalog.indexes_on(&t.name).any(|i| {
            i.unique_columns()
                .is_some_and(|mut c| c.next() == Some(column) && c.next().is_none())
        })
}

fn finding(imp: &ImpliedRef, target: &Table, target_type: &str) -> Finding {
    let fk_name = format!("{}_{}_fkey", imp.table.name, imp.column);
    let alter = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({});",
        imp.table,
        quote_ident(&fk_name),
        quote_ident(&imp.column),
        imp.target,
        quote_ident(&imp.target_column)
    );
    let mut labels = vec![Label {
        span: target.origin,
        message: format!(
            "`{}.{}` ({target_type}) is created here",
            imp.target, imp.target_column
        ),
    }];
    if let Basis::Comment { origin, .. } = &imp.basis {
        labels.push(Label {
            span: *origin,
            message: format!("the column comment names `{}`", imp.target.name),
        });
    }
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: imp.column_span,
        message: format!(
            "`{}.{}` ({}) looks like a reference to `{}.{}` ({target_type}): {}, and no foreign key is declared",
            imp.table, imp.column, imp.column_type, imp.target, imp.target_column, imp.evidence
        ),
        help: Some(format!(
            "declare it, so PostgreSQL keeps the rows consistent: `{alter}` (validate existing rows first, or add NOT VALID and VALIDATE CONSTRAINT later)"
        )),
        labels,
        fingerprint: format!("{}:{}.{}", META.name, imp.table, imp.column),
    }
}

impl Rule for ImpliedForeignKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_graph(&self) -> bool {
        true
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cat = &ctx.analysis.model.catalog;
        for imp in ctx.graph().implied.iter().filter(|i| i.target_exists) {
            let Some(target) = cat.tables.get(&imp.target) else {
                continue;
            };
            let Some(key) = target.column(&imp.target_column) else {
                continue;
            };
            // Only suggest a constraint PostgreSQL would accept.
            if fk_compatible(&imp.column_type, &key.data_type) == FkCompat::Incompatible
                || !is_unique(ctx, target, &imp.target_column)
            {
                continue;
            }
            out.push(finding(imp, target, &key.data_type));
        }
    }
}
