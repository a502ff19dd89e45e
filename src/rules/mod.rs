//! Stage 5: rules read the model, its history and the graph (never the AST) and produce
//! [`crate::diag::Finding`]s.

use serde::Serialize;

use crate::diag::Severity;

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
