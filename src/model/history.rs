//! Stage 3 (model): questions about the past, answered from the replay's events:
//! why a name did not resolve at a point (never created, created later, dropped, renamed),
//! which relations existed after a given migration, and where an object was defined.

use serde::Serialize;

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use super::{Event, EventAction, Model, ObjectKey, QualifiedName, UndoneCreate};
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
    /// `later`: that statement comes after the use (and no later statement creates it), so
    /// mending it is not enough: it must also come first.
    CreateFailed {
        at: Span,
        rolled_back: bool,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        later: bool,
    },
}

/// The events and undone creates of each object, by position, so that a history question
/// costs the object's own events, not the whole history's (asking per problem was quadratic:
/// 10,000 statements each using a missing table took seconds).
#[derive(Debug, Default)]
pub struct HistoryIndex {
    /// The lengths of [`Model::events`], [`Model::undone_creates`] and
    /// [`Model::undone_events`] it was built from.
    built_from: (usize, usize, usize),
    /// Hash of the object -> positions in `events` / `undone_creates` (objects whose hashes
    /// collide share a list; every use compares the object).
    events: FxHashMap<u64, Vec<u32>>,
    undone: FxHashMap<u64, Vec<u32>>,
    undone_events: FxHashMap<u64, Vec<u32>>,
}

fn key_hash(object: &ObjectKey) -> u64 {
    let mut h = FxHasher::default();
    object.hash(&mut h);
    h.finish()
}

/// The positions an index holds for `object`'s hash.
fn positions<'a>(index: &'a FxHashMap<u64, Vec<u32>>, object: &ObjectKey) -> &'a [u32] {
    index.get(&key_hash(object)).map_or(&[][..], Vec::as_slice)
}

/// The items of `all` at `positions`, or every item when there is no index to ask.
fn at_positions<'a, T>(all: &'a [T], positions: Option<&'a [u32]>) -> impl Iterator<Item = &'a T> {
    let indexed = positions
        .into_iter()
        .flatten()
        .filter_map(|&i| all.get(i as usize));
    let scanned = positions
        .is_none()
        .then_some(all.iter())
        .into_iter()
        .flatten();
    indexed.chain(scanned)
}

impl HistoryIndex {
    fn build(model: &Model) -> Self {
        let mut index = Self {
            built_from: (
                model.events.len(),
                model.undone_creates.len(),
                model.undone_events.len(),
            ),
            ..Self::default()
        };
        for (i, e) in model.events.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            index.events.entry(key_hash(&e.object)).or_default().push(i);
        }
        for (i, u) in model.undone_creates.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            index.undone.entry(key_hash(&u.object)).or_default().push(i);
        }
        for (i, (_, e)) in model.undone_events.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            let positions = index.undone_events.entry(key_hash(&e.object)).or_default();
            positions.push(i);
        }
        index
    }
}

impl Model {
    /// The index of the finished history (built on first use). `None` while the history is
    /// still growing (or too long to index), and the callers scan instead.
    fn history_index(&self) -> Option<&HistoryIndex> {
        let index = self.history.get_or_init(|| HistoryIndex::build(self));
        let lengths = (
            self.events.len(),
            self.undone_creates.len(),
            self.undone_events.len(),
        );
        (index.built_from == lengths
            && u32::try_from(self.events.len()).is_ok()
            && u32::try_from(self.undone_creates.len()).is_ok()
            && u32::try_from(self.undone_events.len()).is_ok())
        .then_some(index)
    }

    /// The events of `object`, in order.
    pub fn events_of<'a>(&'a self, object: &'a ObjectKey) -> impl Iterator<Item = &'a Event> {
        let positions = self.history_index().map(|ix| positions(&ix.events, object));
        at_positions(&self.events, positions).filter(move |e| &e.object == object)
    }

    /// The undone creates of `object`, in order.
    fn undone_of<'a>(&'a self, object: &'a ObjectKey) -> impl Iterator<Item = &'a UndoneCreate> {
        let positions = self.history_index().map(|ix| positions(&ix.undone, object));
        at_positions(&self.undone_creates, positions).filter(move |u| &u.object == object)
    }

    /// The events of `object` before statement `seq`, as the history stood when it ran: with
    /// the events of a transaction that a later statement rolled back. In order.
    fn events_before<'a>(&'a self, object: &'a ObjectKey, seq: usize) -> Vec<&'a Event> {
        let positions = self
            .history_index()
            .map(|ix| positions(&ix.undone_events, object));
        let undone = at_positions(&self.undone_events, positions)
            .filter(|(undone_at, e)| &e.object == object && e.seq < seq && *undone_at >= seq)
            .map(|(_, e)| e);
        let mut events: Vec<&Event> = self
            .events_of(object)
            .filter(|e| e.seq < seq)
            .chain(undone)
            .collect();
        events.sort_by_key(|e| e.seq);
        events
    }

    /// Why `object` did not exist at statement `seq`.
    #[must_use]
    pub fn why_missing(&self, object: &ObjectKey, seq: usize) -> Why {
        let mut last_gone: Option<Why> = None;
        // The statement of the newest create, drop or rename before `seq`.
        let mut last_seq = None;
        for e in self.events_before(object, seq) {
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
            .undone_of(object)
            .filter(|u| u.seq < seq)
            .last()
            .filter(|u| last_seq.is_none_or(|l| u.seq > l))
        {
            return Why::CreateFailed {
                at: u.span,
                rolled_back: u.rolled_back,
                later: false,
            };
        }
        if let Some(w) = last_gone {
            return w;
        }
        if let Some(e) = self
            .events_of(object)
            .find(|e| e.seq > seq && matches!(e.action, EventAction::Created))
        {
            return Why::CreatedLater { at: e.span };
        }
        match self.undone_of(object).find(|u| u.seq > seq) {
            Some(u) => Why::CreateFailed {
                at: u.span,
                rolled_back: u.rolled_back,
                later: true,
            },
            None => Why::NeverCreated,
        }
    }

    /// The object a missing relation `name` is about: the sequence of that name when the
    /// history only ever has it as a sequence (created, meant to be created, renamed, moved:
    /// `nextval('s')` in a default before `CREATE SEQUENCE s`), else the table, view or index.
    #[must_use]
    pub fn relation_key(&self, name: &QualifiedName) -> ObjectKey {
        let relation = ObjectKey::Relation { name: name.clone() };
        let sequence = ObjectKey::Sequence { name: name.clone() };
        let meant =
            |key| self.events_of(key).next().is_some() || self.undone_of(key).next().is_some();
        if !meant(&relation) && meant(&sequence) {
            sequence
        } else {
            relation
        }
    }

    /// Whether any statement of the history creates `object`.
    #[must_use]
    pub fn ever_created(&self, object: &ObjectKey) -> bool {
        self.events_of(object)
            .any(|e| matches!(e.action, EventAction::Created))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: usize, name: &str, action: EventAction) -> Event {
        Event {
            seq,
            span: Span::default(),
            object: ObjectKey::Relation {
                name: QualifiedName::new("public", name),
            },
            action,
        }
    }

    /// The index answers like a scan, and a history that grew after the index was built is
    /// scanned, not answered from the stale index.
    #[test]
    fn history_index_answers_like_a_scan_and_never_goes_stale() {
        let a = ObjectKey::Relation {
            name: QualifiedName::new("public", "a"),
        };
        let mut m = Model::default();
        m.events.push(event(0, "b", EventAction::Created));
        m.events.push(event(1, "a", EventAction::Created));
        m.events.push(event(3, "a", EventAction::Dropped));
        assert!(m.ever_created(&a));
        assert_eq!(
            m.why_missing(&a, 0),
            Why::CreatedLater {
                at: Span::default()
            }
        );
        assert_eq!(
            m.why_missing(&a, 5),
            Why::Dropped {
                at: Span::default()
            }
        );
        assert_eq!(m.events_of(&a).count(), 2);
        // Built by now; grow the history behind it.
        m.events.push(event(6, "a", EventAction::Created));
        m.events.push(event(7, "c", EventAction::Created));
        assert_eq!(
            m.events_of(&a).map(|e| e.seq).collect::<Vec<_>>(),
            [1, 3, 6]
        );
        assert_eq!(
            m.why_missing(&a, 5),
            Why::Dropped {
                at: Span::default()
            }
        );
        assert_eq!(
            m.why_missing(&a, 4),
            Why::Dropped {
                at: Span::default()
            }
        );
        let c = ObjectKey::Relation {
            name: QualifiedName::new("public", "c"),
        };
        assert!(m.ever_created(&c));
        assert_eq!(
            m.why_missing(&c, 2),
            Why::CreatedLater {
                at: Span::default()
            }
        );
    }
}
