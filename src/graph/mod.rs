//! Stage 4: a petgraph view of the model. Nodes are relations of the final schema plus
//! "ghost" nodes for relations that are referenced but never created; edges are declared
//! foreign keys, implied references (a column named like a table, no FK) and dangling
//! references (a statement names a relation that does not exist). Every list this module
//! returns is sorted.

pub mod implied;

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::{Model, Name, ProblemKind, QualifiedName, RefContext};
use crate::span::Span;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    Table {
        name: QualifiedName,
    },
    /// Referenced but never created (or gone by the end of the history).
    Ghost {
        name: QualifiedName,
        referenced_at: Vec<Span>,
    },
}

impl Node {
    #[must_use]
    pub fn name(&self) -> &QualifiedName {
        match self {
            Node::Table { name } | Node::Ghost { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// A declared FOREIGN KEY.
    Declared,
    /// A column named like the target table, with no FK.
    Implied,
    /// A statement references a relation that does not exist at that point.
    Dangling,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub kind: EdgeKind,
    /// FK constraint name, or the column for implied edges, or the context for dangling ones.
    pub label: Name,
    pub columns: Vec<Name>,
    pub target_columns: Vec<Name>,
    pub span: Span,
}

/// The graph plus a name index.
#[derive(Debug, Default)]
pub struct SchemaGraph {
    pub graph: DiGraph<Node, Edge>,
    /// Node of each name: lookups only, never iterated (output order comes from the graph's
    /// sorted views, e.g. [`SchemaGraph::edges`]).
    pub index: FxHashMap<QualifiedName, NodeIndex>,
    pub implied: Vec<implied::ImpliedRef>,
}

impl SchemaGraph {
    /// Build from the final model. `external_prefixes` configures the implied-reference
    /// heuristic.
    #[must_use]
    pub fn build(model: &Model, external_prefixes: &[String]) -> Self {
        let mut g = SchemaGraph::default();
        g.index.reserve(model.catalog.tables.len());
        for name in model.catalog.tables.keys() {
            let ix = g.graph.add_node(Node::Table { name: name.clone() });
            g.index.insert(name.clone(), ix);
        }
        // statement_table looks events and uses up by statement: the replay records them in
        // statement order.
        debug_assert!(model.events.is_sorted_by_key(|e| e.seq));
        debug_assert!(model.uses.is_sorted_by_key(|u| u.seq));
        // Ghosts: relations whose reference failed, and that do not exist at the end. A
        // sequence a default names is no table of the map.
        let mut ghosts: BTreeMap<QualifiedName, Vec<(Span, RefContext, Option<QualifiedName>)>> =
            BTreeMap::new();
        for p in &model.problems {
            if let ProblemKind::MissingRelation { name, context, .. } = &p.kind {
                if model.catalog.tables.contains_key(name) || *context == RefContext::Default {
                    continue;
                }
                let from = statement_table(model, p.seq);
                ghosts
                    .entry(name.clone())
                    .or_default()
                    .push((p.span, *context, from));
            }
        }
        g.implied = implied::find(model, external_prefixes);
        for imp in g.implied.iter().filter(|i| !i.target_exists) {
            ghosts.entry(imp.target.clone()).or_default();
        }
        for (name, refs) in &ghosts {
            let mut at: Vec<Span> = refs.iter().map(|r| r.0).collect();
            at.sort();
            at.dedup();
            let ix = g.graph.add_node(Node::Ghost {
                name: name.clone(),
                referenced_at: at,
            });
            g.index.insert(name.clone(), ix);
        }
        for t in model.catalog.tables.values() {
            let Some(&from) = g.index.get(&t.name) else {
                continue;
            };
            for fk in &t.foreign_keys {
                if let Some(&to) = g.index.get(&fk.target) {
                    g.graph.add_edge(
                        from,
                        to,
                        Edge {
                            kind: EdgeKind::Declared,
                            label: fk.name.clone(),
                            columns: fk.columns.clone(),
                            target_columns: fk.target_columns.clone(),
                            span: fk.origin,
                        },
                    );
                }
            }
        }
        for imp in &g.implied {
            if let (Some(&from), Some(&to)) = (g.index.get(&imp.table), g.index.get(&imp.target)) {
                g.graph.add_edge(
                    from,
                    to,
                    Edge {
                        kind: EdgeKind::Implied,
                        label: imp.column.as_str().into(),
                        columns: vec![imp.column.as_str().into()],
                        target_columns: vec![imp.target_column.as_str().into()],
                        span: imp.column_span,
                    },
                );
            }
        }
        for (name, refs) in &ghosts {
            let Some(&to) = g.index.get(name) else {
                continue;
            };
            let mut seen = BTreeSet::new();
            for (span, ctx, from) in refs {
                let Some(from) = from.as_ref().and_then(|f| g.index.get(f)) else {
                    continue;
                };
                if seen.insert((*from, *ctx)) {
                    g.graph.add_edge(
                        *from,
                        to,
                        Edge {
                            kind: EdgeKind::Dangling,
                            label: ctx.describe().into(),
                            columns: Vec::new(),
                            target_columns: Vec::new(),
                            span: *span,
                        },
                    );
                }
            }
        }
        g
    }

    /// Names of the ghost (missing) relations, sorted.
    #[must_use]
    pub fn ghosts(&self) -> Vec<&QualifiedName> {
        let mut v: Vec<&QualifiedName> = self
            .graph
            .node_weights()
            .filter(|n| matches!(n, Node::Ghost { .. }))
            .map(Node::name)
            .collect();
        v.sort();
        v
    }

    /// Edges as (from, to, edge), sorted by from, to, kind, label.
    #[must_use]
    pub fn edges(&self) -> Vec<(&QualifiedName, &QualifiedName, &Edge)> {
        let mut v: Vec<_> = self
            .graph
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                Some((
                    self.graph.node_weight(a)?.name(),
                    self.graph.node_weight(b)?.name(),
                    self.graph.edge_weight(e)?,
                ))
            })
            .collect();
        v.sort_by(|x, y| (x.0, x.1, x.2.kind, &x.2.label).cmp(&(y.0, y.1, y.2.kind, &y.2.label)));
        v
    }

    /// Foreign-key cycles (strongly connected components with more than one table, or a
    /// table referencing itself is NOT a cycle worth reporting). Each sorted; list sorted.
    #[must_use]
    pub fn fk_cycles(&self) -> Vec<Vec<QualifiedName>> {
        // A view of the declared edges, not a copy of the graph.
        let declared = petgraph::visit::EdgeFiltered::from_fn(&self.graph, |e| {
            e.weight().kind == EdgeKind::Declared
        });
        let mut out: Vec<Vec<QualifiedName>> = petgraph::algo::tarjan_scc(&declared)
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let mut names: Vec<QualifiedName> = c
                    .iter()
                    .filter_map(|ix| self.graph.node_weight(*ix))
                    .map(|n| n.name().clone())
                    .collect();
                names.sort();
                names
            })
            .collect();
        out.sort();
        out
    }
}

/// The table a statement is "about" (its INSERT/UPDATE/ALTER target or the table created),
/// used to draw dangling edges from it.
fn statement_table(model: &Model, seq: usize) -> Option<QualifiedName> {
    // Events and uses are recorded in statement order: look at this statement's only.
    let events = model.events.partition_point(|e| e.seq < seq)
        ..model.events.partition_point(|e| e.seq <= seq);
    let uses =
        model.uses.partition_point(|u| u.seq < seq)..model.uses.partition_point(|u| u.seq <= seq);
    let mut best: Option<QualifiedName> = None;
    for e in model.events.get(events).unwrap_or_default() {
        if let crate::model::ObjectKey::Relation { name } = &e.object {
            best = Some(name.clone());
        }
    }
    if best.is_some() {
        return best;
    }
    model
        .uses
        .get(uses)
        .unwrap_or_default()
        .iter()
        .find_map(|u| match &u.object {
            crate::model::ObjectKey::Relation { name } => Some(name.clone()),
            _ => None,
        })
        .filter(|n| model.catalog.tables.contains_key(n))
}
