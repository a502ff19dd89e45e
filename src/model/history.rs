//! Stage 3 (model): questions about the past, answered from the replay's events:
//! why a name did not resolve at a point (never created, created later, dropped, renamed),
//! which relations existed after a given migration, and where an object was defined.

use serde::Serialize;

use std::collections::{BTreeMap, BTreeSet};

use super::{Event, EventAction, Model, ObjectKey, QualifiedName};
use crate::span::{FileId, Span};

/// Why a relation (or type) was missing when a statement used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Why {
    /// No migration ever creates it.
    NeverCreated,
    /// A later statement creates it.
    CreatedLater { at: Span },
    /// It existed but was dropped before.
    Dropped { at: Span },
    /// It existed but was renamed before, or (`moved`) moved to another schema: `to` is the
    /// new name, schema-qualified when moved.
    Renamed {
        to: String,
        at: Span,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        moved: bool,
    },
    /// The statement at `at` meant to create it and failed, or (`rolled_back`) succeeded
    /// and its transaction was rolled back (ROLLBACK, a failure, the end of the file).
    CreateFailed { at: Span, rolled_back: bool },
}

impl Model {
    /// Why `object` did not exist at statement `seq`.
    #[must_use]
    pub fn why_missing(&self, object: &ObjectKey, seq: usize) -> Why {
        let mut last_gone: Option<Why> = None;
        // The statement of the newest create, drop or rename before `seq`.
        let mut last_seq = None;
        for e in self
            .events
            .iter()
            .filter(|e| e.seq < seq && &e.object == object)
        {
            match &e.action {
                EventAction::Dropped => last_gone = Some(Why::Dropped { at: e.span }),
                EventAction::Renamed(r) => {
                    last_gone = Some(Why::Renamed {
                        to: match &r.schema {
                            Some(s) => format!("{s}.{}", r.to),
                            None => r.to.to_string(),
                        },
                        at: e.span,
                        moved: r.schema.is_some(),
                    })
                }
                EventAction::Created => last_gone = None,
                _ => continue,
            }
            last_seq = Some(e.seq);
        }
        if let Some(u) = self
            .undone_creates
            .iter()
            .rfind(|u| u.seq < seq && &u.object == object)
            .filter(|u| last_seq.is_none_or(|l| u.seq > l))
        {
            return Why::CreateFailed {
                at: u.span,
                rolled_back: u.rolled_back,
            };
        }
        if let Some(w) = last_gone {
            return w;
        }
        match self.events.iter().find(|e| {
            e.seq > seq && &e.object == object && matches!(e.action, EventAction::Created)
        }) {
            Some(e) => Why::CreatedLater { at: e.span },
            None => Why::NeverCreated,
        }
    }

    /// Whether any statement of the history creates `object`.
    #[must_use]
    pub fn ever_created(&self, object: &ObjectKey) -> bool {
        self.events
            .iter()
            .any(|e| &e.object == object && matches!(e.action, EventAction::Created))
    }

    /// Relations that existed after the last statement of `file` (in apply order), by the
    /// create / drop / rename events. Sorted.
    #[must_use]
    pub fn relations_after(&self, file: FileId) -> Vec<QualifiedName> {
        let Some(pos) = self.file_order.iter().position(|f| *f == file) else {
            return Vec::new();
        };
        let files: BTreeSet<FileId> = self.file_order.iter().take(pos + 1).copied().collect();
        let mut live = BTreeSet::new();
        for e in &self.events {
            if self
                .statements
                .get(e.seq)
                .is_some_and(|st| files.contains(&st.file))
            {
                apply_relation_event(e, &mut live);
            }
        }
        live.into_iter().collect()
    }

    /// [`Model::relations_after`] for every file in apply order, in one pass over the events
    /// (asking file by file is quadratic: 300 migrations of 1,500 tables took ~0.3 s).
    #[must_use]
    pub fn relations_after_each(&self) -> Vec<(FileId, Vec<QualifiedName>)> {
        let pos: BTreeMap<FileId, usize> = self
            .file_order
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, i))
            .collect();
        let mut out = Vec::with_capacity(self.file_order.len());
        let mut live = BTreeSet::new();
        // Record the live set as the state after each file before position `upto`.
        let snapshot = |upto: usize, live: &BTreeSet<QualifiedName>, out: &mut Vec<_>| {
            let done = out.len();
            for f in self.file_order.iter().take(upto).skip(done) {
                out.push((*f, live.iter().cloned().collect()));
            }
        };
        for e in &self.events {
            let Some(&p) = self.statements.get(e.seq).and_then(|st| pos.get(&st.file)) else {
                continue;
            };
            if p < out.len() {
                // Events out of file order (never from the replay): answer file by file.
                return self
                    .file_order
                    .iter()
                    .map(|&f| (f, self.relations_after(f)))
                    .collect();
            }
            snapshot(p, &live, &mut out);
            apply_relation_event(e, &mut live);
        }
        snapshot(self.file_order.len(), &live, &mut out);
        out
    }

    /// The file that applies statement `seq`.
    #[must_use]
    pub fn file_of(&self, seq: usize) -> Option<FileId> {
        self.statements.get(seq).map(|s| s.file)
    }
}

/// Apply a create / drop / rename event of a relation to the set of live relations.
fn apply_relation_event(e: &Event, live: &mut BTreeSet<QualifiedName>) {
    if let ObjectKey::Relation { name } = &e.object {
        match &e.action {
            EventAction::Created => {
                live.insert(name.clone());
            }
            EventAction::Dropped => {
                live.remove(name);
            }
            EventAction::Renamed(r) => {
                live.remove(name);
                let schema = r.schema.as_ref().unwrap_or(&name.schema);
                live.insert(QualifiedName::new(schema.clone(), r.to.clone()));
            }
            _ => {}
        }
    }
}
