//! Stage 5 (order): replay the project offline in another file order, optionally with an
//! extra (generated) migration inserted — the planner's way to check its own proposal before
//! anyone touches a file. Re-runs parse and model on copies of the files; maps file ids back.

use crate::source::{FileKind, Project, SourceFile, lines::LineIndex};
use crate::span::{FileId, Span};
use crate::{Analysis, Settings};

/// One entry of a simulated order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A file of the original project.
    File(FileId),
    /// A migration that does not exist yet (the scaffold), with its future display path.
    Extra { display: String, text: String },
}

/// A replay in another order.
#[derive(Debug)]
pub struct Simulation {
    pub analysis: Analysis,
    /// For each simulated file id: the original file id (`None` for an extra file).
    pub to_orig: Vec<Option<FileId>>,
}

impl Simulation {
    /// The original file of a simulated file id.
    #[must_use]
    pub fn orig(&self, file: FileId) -> Option<FileId> {
        self.to_orig.get(file).copied().flatten()
    }

    /// A simulated span in original file ids (`None` for spans in an extra file).
    #[must_use]
    pub fn orig_span(&self, span: Span) -> Option<Span> {
        self.orig(span.file())
            .map(|f| Span::new(f, span.start(), span.end()))
    }
}

/// Replay `order` (every entry applied, in that order) with the settings of the analysis.
#[must_use]
pub fn replay(analysis: &Analysis, settings: &Settings, order: &[Entry]) -> Simulation {
    let mut project = Project::default();
    let mut to_orig = Vec::new();
    for entry in order {
        match entry {
            Entry::File(id) => {
                let Some(f) = analysis.project.file(*id) else {
                    continue;
                };
                project.files.push(SourceFile {
                    path: f.path.clone(),
                    display: f.display.clone(),
                    root: f.root,
                    version: f.version.clone(),
                    name: f.name.clone(),
                    kind: f.kind,
                    reason: f.reason.clone(),
                    text: f.text.clone(),
                    lines: f.lines.clone(),
                    forward_ranges: f.forward_ranges.clone(),
                });
                to_orig.push(Some(*id));
            }
            Entry::Extra { display, text } => {
                #[allow(clippy::single_range_in_vec_init)] // one forward range: the whole file
                project.files.push(SourceFile {
                    path: display.into(),
                    display: display.clone(),
                    root: 0,
                    version: None,
                    name: String::new(),
                    kind: FileKind::Forward,
                    reason: "generated".into(),
                    text: text.clone(),
                    lines: LineIndex::new(text),
                    forward_ranges: vec![0..text.len()],
                });
                to_orig.push(None);
            }
        }
    }
    let threads = settings.threads_for(&project);
    let parsed = crate::parse::parse_all(&project, &settings.replacements, threads);
    let model = crate::model::build(&project, &parsed, &settings.model);
    Simulation {
        analysis: Analysis {
            project,
            parsed,
            model,
            app: None,
            threads,
        },
        to_orig,
    }
}
