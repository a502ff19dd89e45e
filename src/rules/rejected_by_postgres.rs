//! rejected-by-postgres — see rules/rejected-by-postgres.md

use crate::diag::{DiagKind, Finding, Severity};
use crate::model::ProblemKind;
use crate::span::Span;

use super::common::{diagnostics, finding, problems, statement_head};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "rejected-by-postgres",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    summary: "A statement the SQL parser accepts but PostgreSQL rejects (a top-level RAISE, ...)",
    doc: include_str!("../../rules/rejected-by-postgres.md"),
};

pub struct RejectedByPostgres;

fn build(ctx: &Context<'_>, span: Span, reason: &str, help: Option<&str>) -> Finding {
    finding(
        ctx,
        &META,
        span,
        &statement_head(ctx, span),
        format!("PostgreSQL rejects this statement: {reason}"),
        help.map(str::to_owned),
        Vec::new(),
    )
}

impl Rule for RejectedByPostgres {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut seen = Vec::new();
        for p in problems(ctx) {
            if let ProblemKind::Rejected { reason, help } = &p.kind {
                seen.push(p.span);
                out.push(build(ctx, p.span, reason, *help));
            }
        }
        // The parser flags some statements the model never sees as parsed (a RAISE sqlparser
        // cannot read): report those too, once.
        for d in diagnostics(ctx) {
            if let DiagKind::RejectedByPostgres { reason, help } = &d.kind
                && !seen.iter().any(|s| {
                    s.file() == d.span.file()
                        && s.start() <= d.span.start()
                        && d.span.start() <= s.end()
                })
            {
                out.push(build(ctx, d.span, reason, *help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Each refusal carries its own way out from where it is found (the DO-block advice only
    /// under RAISE); a refusal without one way out gets no advice.
    #[test]
    fn help_fits_the_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let sql = "RAISE NOTICE 'x';
CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, a text DEFAULT 'x', b int, flag boolean);
BEGIN;
CREATE INDEX CONCURRENTLY ti ON t (a);
COMMIT;
CREATE TABLE w (id int PRIMARY KEY, a int, b int);
CREATE VIEW v AS SELECT id, a FROM w;
CREATE OR REPLACE VIEW v AS SELECT id FROM w;
CREATE OR REPLACE VIEW v AS SELECT id, b AS c FROM w;
ALTER TABLE w ALTER COLUMN a TYPE bigint;
ALTER TABLE t ALTER COLUMN id SET DEFAULT 1;
ALTER TABLE t ALTER COLUMN a TYPE int USING a::int;
ALTER TABLE t ALTER COLUMN b TYPE uuid;
ALTER TABLE t ADD COLUMN d timestamptz DEFAULT 0;
ALTER TABLE t ADD COLUMN e boolean DEFAULT 0;
ALTER TABLE t ALTER COLUMN a TYPE int;
";
        std::fs::write(dir.path().join("001_x.sql"), sql).unwrap();
        let findings = crate::rules::implied_reference_to_missing_table::tests::check(
            dir.path().to_str().unwrap(),
        );
        let help = |needle: &str| {
            let hits: Vec<_> = findings
                .iter()
                .filter(|f| f.rule == super::META.name && f.message.contains(needle))
                .collect();
            assert_eq!(hits.len(), 1, "{needle}: {findings:#?}");
            hits[0].help.clone()
        };
        let has = |needle: &str, advice: &str| {
            assert!(
                help(needle).is_some_and(|h| h.contains(advice)),
                "{needle}: {:?}",
                help(needle)
            );
        };
        has("RAISE is PL/pgSQL", "DO $$");
        has(
            "CONCURRENTLY cannot run inside a transaction block",
            "outside a transaction",
        );
        has("cannot drop columns from view", "DROP VIEW");
        has("cannot change name of view column", "RENAME COLUMN");
        has("is an identity column", "DROP IDENTITY");
        has("default for column \"a\" cannot be cast", "DROP DEFAULT");
        has(
            "column \"b\" cannot be cast automatically to type uuid",
            "USING",
        );
        has("is of type timestamp with time zone but default", "now()");
        has("is of type boolean but default", "DEFAULT false");
        has("statement: column \"a\" cannot be cast", "USING");
        assert_eq!(help("used by a view or rule"), None);
        assert_eq!(
            findings
                .iter()
                .filter(|f| f.rule == super::META.name)
                .count(),
            11,
            "{findings:#?}"
        );
    }
}
