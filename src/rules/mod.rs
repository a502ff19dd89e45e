//! Stage 5: rules read the model, its history and the graph (never the AST) and produce
//! [`crate::diag::Finding`]s. One file per rule; registration is one `mod` line and one entry
//! in the sorted [`ALL`] list. [`run`] applies configured levels and inline ignores
//! (`-- ogel-schema: ignore <rule>`) and sorts the findings.

pub mod aborted_transaction;
pub mod app_dynamic_relation;
pub mod app_missing_column;
pub mod app_missing_relation;
pub mod catalog_usage_mixing;
mod common;
pub mod dependent_objects;
pub mod docs;
pub mod duplicate_object;
pub mod duplicate_version;
pub mod fk_cycle;
pub mod fk_target_not_unique;
pub mod fk_type_mismatch;
pub mod if_not_exists_skipped;
pub mod implied_foreign_key;
pub mod implied_reference_to_missing_table;
pub mod invalid_file;
pub mod missing_column;
pub mod missing_constraint;
pub mod missing_function;
pub mod missing_primary_key;
pub mod missing_relation;
pub mod missing_schema;
pub mod missing_type;
pub mod non_forward_file;
pub mod on_conflict_without_unique;
pub mod outside_main_path;
pub mod plaintext_secret;
pub mod policy_without_rls;
pub mod psql_meta_command;
pub mod redundant_index;
pub mod rejected_by_postgres;
pub mod rls_disabled;
pub mod rls_without_policy;
pub mod unindexed_foreign_key;
pub mod unparsable_statement;
pub mod unterminated_statement;
pub mod use_before_create;
pub mod wrong_object_kind;

use std::sync::OnceLock;

use serde::Serialize;

use crate::Analysis;
use crate::cli::config::Config;
use crate::diag::{Finding, Severity};
use crate::graph::SchemaGraph;
use crate::span::Span;

/// What kind of problem a rule finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    References,
    Order,
    Design,
    Security,
    Hygiene,
    App,
}

impl Category {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Category::References => "references",
            Category::Order => "order",
            Category::Design => "design",
            Category::Security => "security",
            Category::Hygiene => "hygiene",
            Category::App => "app",
        }
    }
}

/// A rule's metadata: everything `rules`, `explain`, SARIF and the docs need.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    /// Stable kebab-case name, e.g. `missing-relation`.
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// The Markdown doc page `rules/<name>.md`.
    #[serde(skip)]
    pub doc: &'static str,
}

/// Everything a rule may read.
pub struct Context<'a> {
    pub analysis: &'a Analysis,
    pub config: &'a Config,
    graph: OnceLock<SchemaGraph>,
}

impl<'a> Context<'a> {
    #[must_use]
    pub fn new(analysis: &'a Analysis, config: &'a Config) -> Self {
        Self {
            analysis,
            config,
            graph: OnceLock::new(),
        }
    }

    /// The schema graph, built on first use (one build; a second reader waits for it).
    pub fn graph(&self) -> &SchemaGraph {
        self.graph.get_or_init(|| {
            SchemaGraph::build(
                &self.analysis.model,
                &self.config.options.external_id_prefixes,
            )
        })
    }
    /// Display path of a file.
    #[must_use]
    pub fn file_name(&self, file: usize) -> &str {
        self.analysis
            .project
            .files
            .get(file)
            .map_or("", |f| f.display.as_str())
    }

    /// `file:line` of a span, for messages.
    #[must_use]
    pub fn place(&self, span: Span) -> String {
        match self.analysis.project.files.get(span.file()) {
            Some(f) => format!("{}:{}", f.display, f.lines.line_of(span.start())),
            None => String::from("?"),
        }
    }
}

/// A rule. Implementations live one per file in this folder.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Report findings with the rule's default severity; [`run`] applies configuration.
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>);
    /// Off unless configured (e.g. RLS rules outside the Supabase profile).
    fn enabled_by_default(&self, _config: &Config) -> bool {
        true
    }
    /// Reads [`Context::graph`]: [`run`] starts such rules last, once the graph is likely
    /// built (it is built while the others run). Only the schedule depends on this.
    fn reads_graph(&self) -> bool {
        false
    }
}

/// Every rule, sorted by name.
pub static ALL: &[&dyn Rule] = &[
    &aborted_transaction::AbortedTransaction,
    &app_dynamic_relation::AppDynamicRelation,
    &app_missing_column::AppMissingColumn,
    &app_missing_relation::AppMissingRelation,
    &catalog_usage_mixing::CatalogUsageMixing,
    &dependent_objects::DependentObjects,
    &duplicate_object::DuplicateObject,
    &duplicate_version::DuplicateVersion,
    &fk_cycle::FkCycle,
    &fk_target_not_unique::FkTargetNotUnique,
    &fk_type_mismatch::FkTypeMismatch,
    &if_not_exists_skipped::IfNotExistsSkipped,
    &implied_foreign_key::ImpliedForeignKey,
    &implied_reference_to_missing_table::ImpliedReferenceToMissingTable,
    &invalid_file::InvalidFile,
    &missing_column::MissingColumn,
    &missing_constraint::MissingConstraint,
    &missing_function::MissingFunction,
    &missing_primary_key::MissingPrimaryKey,
    &missing_relation::MissingRelation,
    &missing_schema::MissingSchema,
    &missing_type::MissingType,
    &non_forward_file::NonForwardFile,
    &on_conflict_without_unique::OnConflictWithoutUnique,
    &outside_main_path::OutsideMainPath,
    &plaintext_secret::PlaintextSecret,
    &policy_without_rls::PolicyWithoutRls,
    &psql_meta_command::PsqlMetaCommand,
    &redundant_index::RedundantIndex,
    &rejected_by_postgres::RejectedByPostgres,
    &rls_disabled::RlsDisabled,
    &rls_without_policy::RlsWithoutPolicy,
    &unindexed_foreign_key::UnindexedForeignKey,
    &unparsable_statement::UnparsableStatement,
    &unterminated_statement::UnterminatedStatement,
    &use_before_create::UseBeforeCreate,
    &wrong_object_kind::WrongObjectKind,
];

/// Rules that are not in [`ALL`] because [`run`] itself produces their findings.
pub static BUILTIN: &[&RuleMeta] = &[&UNUSED_IGNORE];

/// Metadata of every rule, sorted by name.
#[must_use]
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = ALL
        .iter()
        .map(|r| r.meta())
        .chain(BUILTIN.iter().copied())
        .collect();
    v.sort_by_key(|m| m.name);
    v
}

/// Look a rule up by name.
#[must_use]
pub fn find(name: &str) -> Option<&'static RuleMeta> {
    all_meta().into_iter().find(|m| m.name == name)
}

/// Run every enabled rule, apply levels and inline ignores, and sort.
#[must_use]
pub fn run(analysis: &Analysis, config: &Config) -> Vec<Finding> {
    run_in(&Context::new(analysis, config))
}

/// [`run`] in a context the caller keeps, to read its schema graph afterwards (built once).
#[must_use]
pub fn run_in(ctx: &Context<'_>) -> Vec<Finding> {
    let analysis = ctx.analysis;
    // Rules are independent readers of the model: run them on all cores, keep their order.
    // One worker builds the graph while the others start on the rules that do not read it.
    let (graph_last, graph_first): (Vec<usize>, Vec<usize>) =
        (0..ALL.len()).partition(|&i| ALL.get(i).is_some_and(|r| r.reads_graph()));
    let schedule: Vec<usize> = graph_first.into_iter().chain(graph_last).collect();
    let threads = analysis.threads;
    let ((), mut per_rule) = threads.join(
        || {
            ctx.graph();
        },
        || {
            threads.map(&schedule, |&i| {
                (
                    i,
                    ALL.get(i).map(|rule| check(*rule, ctx)).unwrap_or_default(),
                )
            })
        },
    );
    per_rule.sort_by_key(|(i, _)| *i);
    let per_rule = per_rule.into_iter().map(|(_, findings)| findings);
    let findings: Vec<Finding> = per_rule.flatten().collect();
    let findings = suppress(analysis, findings);
    sort_findings(analysis, findings)
}

/// One rule's findings at its configured level (none when it is off).
fn check(rule: &dyn Rule, ctx: &Context<'_>) -> Vec<Finding> {
    let config = ctx.config;
    let meta = rule.meta();
    let level = config.rules.get(meta.name).copied();
    let enabled = match level {
        Some(l) => l.severity().is_some(),
        None => rule.enabled_by_default(config),
    };
    let mut out = Vec::new();
    if !enabled {
        return out;
    }
    rule.check(ctx, &mut out);
    if let Some(sev) = level.and_then(crate::cli::config::Level::severity) {
        for f in &mut out {
            f.severity = sev;
        }
    }
    out
}

/// Apply `-- ogel-schema: ignore` comments. An ignore that suppresses nothing is reported.
fn suppress(analysis: &Analysis, findings: Vec<Finding>) -> Vec<Finding> {
    let mut used = std::collections::BTreeSet::new();
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let mut suppressed = false;
        if let Some(pf) = analysis
            .parsed
            .get(f.span.file())
            .filter(|pf| !pf.ignores.is_empty())
        {
            // Statements are sorted by start (a DO body's statements sit inside their DO):
            // walk back from the last one starting at or before the finding.
            let upto = pf
                .statements
                .partition_point(|s| s.span.start() <= f.span.start());
            let mut containing: Vec<usize> = Vec::new();
            for i in (0..upto).rev() {
                let Some(s) = pf.statements.get(i) else { break };
                if f.span.start() <= s.span.end().max(s.span.start()) {
                    containing.push(i);
                }
                if matches!(s.origin, crate::parse::Origin::TopLevel) {
                    break;
                }
            }
            for (k, ig) in pf.ignores.iter().enumerate() {
                let applies = match ig.statement {
                    None => ig.file_wide,
                    Some(i) => containing.contains(&i),
                };
                if applies
                    && (ig.rules.is_empty() || ig.rules.iter().any(|r| r == f.rule || r == "all"))
                {
                    used.insert((f.span.file(), k));
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    for pf in &analysis.parsed {
        for (k, ig) in pf.ignores.iter().enumerate() {
            if !used.contains(&(pf.file, k)) {
                kept.push(Finding {
                    rule: UNUSED_IGNORE.name,
                    severity: UNUSED_IGNORE.default_severity,
                    span: ig.span,
                    message: format!(
                        "this ignore comment suppresses nothing ({})",
                        ig.rules.join(", ")
                    ),
                    help: Some(
                        "remove the comment, or fix the rule name; `ogel-schema rules` lists them"
                            .into(),
                    ),
                    labels: Vec::new(),
                    fingerprint: format!(
                        "{}:{}:{}",
                        UNUSED_IGNORE.name,
                        ig.rules.join(","),
                        file_display(analysis, pf.file)
                    ),
                });
            }
        }
    }
    kept
}

fn file_display(analysis: &Analysis, file: usize) -> &str {
    analysis
        .project
        .files
        .get(file)
        .map_or("", |f| f.display.as_str())
}

/// Sort by file apply order, offset, then rule; drop exact duplicates.
#[must_use]
pub fn sort_findings(analysis: &Analysis, mut findings: Vec<Finding>) -> Vec<Finding> {
    let n = analysis.project.files.len();
    findings.sort_by(|a, b| {
        (
            a.span.file().min(n),
            a.span.start(),
            a.span.end(),
            a.rule,
            &a.message,
        )
            .cmp(&(
                b.span.file().min(n),
                b.span.start(),
                b.span.end(),
                b.rule,
                &b.message,
            ))
    });
    findings.dedup();
    findings
}

/// The rule [`run`] uses for ignore comments that suppress nothing.
pub static UNUSED_IGNORE: RuleMeta = RuleMeta {
    name: "unused-ignore",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    summary: "An `-- ogel-schema: ignore` comment that suppresses no finding",
    doc: include_str!("../../rules/unused-ignore.md"),
};
