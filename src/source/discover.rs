//! Stage 1, discovery: turn the user's PATHs into a [`Project`] — find the migration
//! directory, classify every `.sql` file (forward / down / repeatable / ignored), read it
//! (never aborting for one bad file), and put the applied files into one version order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::ErrorKind;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::par::Threads;
use walkdir::WalkDir;

use super::lines::LineIndex;
use super::version::{NameInfo, classify_name, natural_cmp};
use super::{FileKind, Project, SourceError, SourceFile};
use crate::diag::{DiagKind, Diagnostic};
use crate::span::{FileId, Span};

/// Where projects usually keep their migrations, relative to the project root, in the order
/// they are tried.
pub const USUAL_PLACES: [&str; 7] = [
    "migrations",
    "db/migrations",
    "supabase/migrations",
    "prisma/migrations",
    "sql/migrations",
    "src/main/resources/db/migration",
    "database/migrations",
];

/// Discover the migrations under `inputs` (directories or files), relative to the current
/// directory. With no inputs, [`default_inputs`] of the current directory are used.
///
/// # Errors
/// A missing input ([`SourceError::NotFound`]), a directory holding no migrations
/// ([`SourceError::NothingFound`]) or a directory that cannot be listed ([`SourceError::Io`]).
pub fn discover(inputs: &[PathBuf]) -> Result<Project, SourceError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    discover_in(inputs, &cwd)
}

/// [`discover`] with an explicit current directory (used for display paths and when `inputs`
/// is empty).
///
/// # Errors
/// As [`discover`].
pub fn discover_in(inputs: &[PathBuf], cwd: &Path) -> Result<Project, SourceError> {
    if inputs.is_empty() {
        let defaults = default_inputs(cwd)?;
        return discover_in(&defaults, cwd);
    }
    let mut roots = Vec::with_capacity(inputs.len());
    for input in inputs {
        roots.push(resolve_input(input, cwd)?);
    }
    let all_files = roots.iter().all(|r| !r.is_dir);
    let mut seen = BTreeSet::new();
    let mut candidates = Vec::new();
    for (index, root) in roots.iter().enumerate() {
        let (mut found, via_link) = if root.is_dir {
            walk(&root.path, index)?
        } else {
            (vec![explicit(&root.path, index)], false)
        };
        // One file reached twice (two inputs, or a symbolic link in a directory) is taken
        // once: canonical paths (a few syscalls each, on all cores), the first of each kept.
        // A single directory without links cannot hold a file twice.
        if roots.len() > 1 || via_link {
            let ids = Threads::for_files(found.len()).map(&found, |c| identity(&c.path));
            let mut ids = ids.into_iter();
            found.retain(|_| ids.next().is_some_and(|id| seen.insert(id)));
        }
        settle_unversioned(&mut found);
        candidates.extend(found);
    }
    Threads::for_files(candidates.len()).for_each_mut(&mut candidates, Candidate::read);
    let main = roots
        .first()
        .filter(|r| r.is_dir)
        .map(|r| (r.path.as_path(), display(&r.path, cwd)));
    Ok(assemble(candidates, all_files, main.as_ref(), cwd))
}

/// The migration directory to use when the user gave no PATH: the first usual place under
/// `cwd` that holds `.sql` files, else `cwd` itself when it directly holds versioned migration
/// files.
///
/// # Errors
/// [`SourceError::NothingFound`] listing every place tried.
pub fn default_inputs(cwd: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let mut tried = Vec::new();
    for place in USUAL_PLACES {
        let dir = cwd.join(place);
        match place_state(&dir) {
            PlaceState::HasSql => return Ok(vec![dir]),
            state => tried.push(format!("{place} ({})", state.describe())),
        }
    }
    if holds_migrations_directly(cwd) {
        return Ok(vec![cwd.to_path_buf()]);
    }
    tried.push(". (no versioned .sql files)".to_owned());
    Err(SourceError::NothingFound {
        tried: tried.join(", "),
    })
}

/// One resolved input.
struct Root {
    path: PathBuf,
    is_dir: bool,
}

fn resolve_input(input: &Path, cwd: &Path) -> Result<Root, SourceError> {
    let meta = match fs::metadata(input) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(SourceError::NotFound(input.to_path_buf()));
        }
        Err(e) => {
            return Err(SourceError::Io {
                path: input.to_path_buf(),
                error: e.to_string(),
            });
        }
    };
    if !meta.is_dir() {
        return Ok(Root {
            path: input.to_path_buf(),
            is_dir: false,
        });
    }
    Ok(Root {
        path: migration_dir(input, cwd)?,
        is_dir: true,
    })
}

/// Pick the migration directory for a directory input: the directory itself when it directly
/// holds versioned migrations (or diesel/Prisma version directories); else the first usual
/// place below it holding `.sql` files; else the directory itself when it holds any `.sql`
/// file; else an error naming everything tried.
fn migration_dir(dir: &Path, cwd: &Path) -> Result<PathBuf, SourceError> {
    if holds_migrations_directly(dir) {
        return Ok(dir.to_path_buf());
    }
    let mut tried = vec![format!("{} (no versioned .sql files)", display(dir, cwd))];
    for place in USUAL_PLACES {
        let sub = dir.join(place);
        match place_state(&sub) {
            PlaceState::HasSql => return Ok(sub),
            state => tried.push(format!("{} ({})", display(&sub, cwd), state.describe())),
        }
    }
    if place_state(dir) == PlaceState::HasSql {
        return Ok(dir.to_path_buf());
    }
    Err(SourceError::NothingFound {
        tried: tried.join(", "),
    })
}

#[derive(Debug, PartialEq, Eq)]
enum PlaceState {
    Missing,
    NoSql,
    HasSql,
}

impl PlaceState {
    fn describe(&self) -> &'static str {
        match self {
            PlaceState::Missing => "not found",
            PlaceState::NoSql => "no .sql files",
            PlaceState::HasSql => "has .sql files",
        }
    }
}

fn place_state(dir: &Path) -> PlaceState {
    if !dir.is_dir() {
        return PlaceState::Missing;
    }
    let any_sql = entries(dir).any(|e| {
        e.file_type().is_file() && classify_name(&e.file_name().to_string_lossy(), None).is_some()
    });
    if any_sql {
        PlaceState::HasSql
    } else {
        PlaceState::NoSql
    }
}

/// Does `dir` itself hold versioned migration files (or diesel/Prisma version directories)?
fn holds_migrations_directly(dir: &Path) -> bool {
    entries(dir).filter(|e| e.file_type().is_file()).any(|e| {
        let parent = (e.depth() == 2).then(|| parent_name(e.path()));
        let file = e.file_name().to_string_lossy();
        let Some(info) = classify_name(&file, parent.as_deref()) else {
            return false;
        };
        let versioned = info.version.is_some() || info.kind == FileKind::Repeatable;
        // At depth 2 only the layouts count (`<version>_<name>/up.sql`); a versioned file
        // deeper down could be `db/migrations/001.sql` below a project root.
        let layout = matches!(
            file.to_ascii_lowercase().as_str(),
            "up.sql" | "down.sql" | "migration.sql"
        );
        versioned && (e.depth() == 1 || layout)
    })
}

/// Non-hidden entries up to depth 2, sorted by name. Unreadable entries are skipped.
fn entries(dir: &Path) -> impl Iterator<Item = walkdir::DirEntry> {
    WalkDir::new(dir)
        .min_depth(1)
        .max_depth(2)
        .follow_links(true)
        .sort_by(|a, b| a.file_name().cmp(b.file_name()))
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
}

fn parent_name(path: &Path) -> String {
    path.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A file on its way into the project.
struct Candidate {
    path: PathBuf,
    /// Path relative to its migration directory (forward slashes), for natural ordering.
    rel: String,
    root: usize,
    info: NameInfo,
    explicit: bool,
    text: String,
    lines: LineIndex,
    problem: Option<DiagKind>,
    forward_ranges: Vec<Range<usize>>,
}

impl Candidate {
    fn new(path: PathBuf, rel: String, root: usize, info: NameInfo, explicit: bool) -> Self {
        Self {
            path,
            rel,
            root,
            info,
            explicit,
            text: String::new(),
            lines: LineIndex::default(),
            problem: None,
            forward_ranges: Vec::new(),
        }
    }

    /// Read the file and, for forward files, find dbmate / goose up sections.
    fn read(&mut self) {
        let (text, problem) = read_text(&self.path);
        self.lines = LineIndex::new(&text);
        self.text = text;
        self.problem = problem;
        let whole = 0..self.text.len();
        self.forward_ranges = vec![whole];
        if self.info.kind != FileKind::Forward {
            return;
        }
        if let Some((ranges, tool)) = up_sections(&self.text) {
            self.forward_ranges = ranges;
            self.info.reason = if self.explicit {
                format!("given explicitly, {tool} up section")
            } else {
                format!("{tool} up section")
            };
        }
    }
}

fn explicit(path: &Path, root: usize) -> Candidate {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = classify_name(&file, None);
    let name_of = |n: &NameInfo| n.name.clone();
    let info = NameInfo {
        kind: FileKind::Forward,
        // Keep a version only if the name really carries one (for duplicate checks).
        version: parsed.as_ref().and_then(|n| n.version.clone()),
        name: parsed.as_ref().map_or_else(|| file.clone(), name_of),
        reason: "given explicitly".to_owned(),
        unversioned: false,
    };
    Candidate::new(path.to_path_buf(), file, root, info, true)
}

/// Walk one migration directory (depth 2 at most, hidden entries skipped, sorted). Also says
/// whether a symbolic link was followed (then one file may have been reached twice).
fn walk(dir: &Path, root: usize) -> Result<(Vec<Candidate>, bool), SourceError> {
    // The directory itself must be listable; entries below that fail are skipped.
    fs::read_dir(dir).map_err(|e| SourceError::Io {
        path: dir.to_path_buf(),
        error: e.to_string(),
    })?;
    let mut out = Vec::new();
    let mut via_link = false;
    for entry in entries(dir) {
        via_link |= entry.path_is_symlink();
        if !entry.file_type().is_file() {
            continue;
        }
        let parent = (entry.depth() == 2).then(|| parent_name(entry.path()));
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(info) = classify_name(&file, parent.as_deref()) else {
            continue;
        };
        let rel = match &parent {
            Some(p) => format!("{p}/{file}"),
            None => file,
        };
        out.push(Candidate::new(entry.into_path(), rel, root, info, false));
    }
    Ok((out, via_link))
}

/// Unversioned files of one migration directory: if some file there has a version, they are
/// ignored; if none has, they are all applied in natural name order.
fn settle_unversioned(found: &mut [Candidate]) {
    let any_version = found
        .iter()
        .any(|c| !c.explicit && c.info.version.is_some());
    for c in found
        .iter_mut()
        .filter(|c| c.info.unversioned && !c.explicit)
    {
        if any_version {
            c.info.kind = FileKind::Ignored;
            "no version in the file name".clone_into(&mut c.info.reason);
        } else {
            "no versions: natural name order".clone_into(&mut c.info.reason);
        }
    }
}

/// A canonical identity so one file given twice (or via two roots) is taken once.
fn identity(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Read a file: NUL bytes mean binary (text left empty); invalid UTF-8 is decoded lossily. A
/// UTF-8 byte-order mark is dropped. Offsets are into the text after the mark.
fn read_text(path: &Path) -> (String, Option<DiagKind>) {
    let failed = |error: String| (String::new(), Some(DiagKind::ReadError { error }));
    let mut bytes = match read_bytes(path) {
        Ok(Some(bytes)) => bytes,
        // Spans hold u32 offsets (crate::span::Span).
        Ok(None) => {
            return failed(
                "the file is 4 GiB or larger; ogel-schema reads migration files up to 4 GiB"
                    .to_owned(),
            );
        }
        Err(e) => return failed(e.to_string()),
    };
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if let Some(offset) = memchr::memchr(0, &bytes) {
        return (String::new(), Some(DiagKind::Binary { offset }));
    }
    // Valid UTF-8 (the usual case) becomes the text without a copy.
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                Some(DiagKind::InvalidUtf8 { offset }),
            )
        }
    }
}

/// The bytes of a file, or `None` when it is 4 GiB or larger (not read).
fn read_bytes(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > u64::from(u32::MAX) {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// A marker line of a tool that keeps up and down SQL in one file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Marker {
    Up,
    Down,
}

/// dbmate (`-- migrate:up` / `-- migrate:down`), goose (`-- +goose Up` / `-- +goose Down`),
/// sql-migrate (`-- +migrate Up` / `-- +migrate Down`) and node-pg-migrate (`-- Up Migration` /
/// `-- Down Migration`) sections: the byte ranges of the up sections (the marker lines
/// themselves excluded), and the tool's name. `None` when the file has no such marker. With
/// only down markers, the text before the first one is the up part, except for
/// node-pg-migrate's plain-words markers, which count only beside an up marker (a comment
/// that happens to begin "down migration ..." is prose).
fn up_sections(text: &str) -> Option<(Vec<Range<usize>>, &'static str)> {
    let mut ranges = Vec::new();
    let mut open: Option<usize> = None;
    let mut tool = None;
    let mut saw_up = false;
    let mut first_down = None;
    for (start, end, line) in lines_with_breaks(text) {
        let Some((marker, which)) = marker(line) else {
            continue;
        };
        tool.get_or_insert(which);
        if let Some(from) = open.take() {
            ranges.push(from..start);
        }
        match marker {
            Marker::Up => {
                saw_up = true;
                open = Some(end);
            }
            Marker::Down => {
                first_down.get_or_insert(start);
            }
        }
    }
    if let Some(from) = open {
        ranges.push(from..text.len());
    }
    let tool = tool?;
    if !saw_up && tool == "node-pg-migrate" {
        return None;
    }
    if !saw_up {
        let before_down = 0..first_down.unwrap_or(text.len());
        ranges = vec![before_down];
    }
    Some((ranges, tool))
}

fn marker(line: &str) -> Option<(Marker, &'static str)> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let word_end = |s: &str, w: &str| {
        s.get(..w.len()).is_some_and(|h| h.eq_ignore_ascii_case(w))
            && s.get(w.len()..)
                .is_some_and(|t| t.is_empty() || t.starts_with(char::is_whitespace))
    };
    if let Some(after) = rest.strip_prefix("migrate:") {
        if word_end(after, "up") {
            return Some((Marker::Up, "dbmate"));
        }
        if word_end(after, "down") {
            return Some((Marker::Down, "dbmate"));
        }
    }
    if let Some(after) = rest.strip_prefix("+goose") {
        let after = after.trim_start();
        if word_end(after, "up") {
            return Some((Marker::Up, "goose"));
        }
        if word_end(after, "down") {
            return Some((Marker::Down, "goose"));
        }
    }
    if let Some(after) = rest.strip_prefix("+migrate") {
        let after = after.trim_start();
        if word_end(after, "up") {
            return Some((Marker::Up, "sql-migrate"));
        }
        if word_end(after, "down") {
            return Some((Marker::Down, "sql-migrate"));
        }
    }
    // node-pg-migrate: `--[\s-]*(up|down)\s+migration`, case-insensitive.
    let words = rest.trim_start_matches(|c: char| c == '-' || c.is_whitespace());
    for (w, m) in [("up", Marker::Up), ("down", Marker::Down)] {
        if words
            .get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w))
            && let Some(tail) = words.get(w.len()..)
            && tail.starts_with(char::is_whitespace)
            && word_end(tail.trim_start(), "migration")
        {
            return Some((m, "node-pg-migrate"));
        }
    }
    None
}

/// Lines as `(start, end_after_break, content_without_break)`; breaks are LF, CRLF or CR.
fn lines_with_breaks(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let rest = bytes.get(start..).unwrap_or_default();
        let (content_end, next) = match memchr::memchr2(b'\n', b'\r', rest) {
            Some(i) => {
                let at = start + i;
                let crlf = bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n');
                (at, if crlf { at + 2 } else { at + 1 })
            }
            None => (bytes.len(), bytes.len()),
        };
        pos = next;
        Some((
            start,
            next,
            text.get(start..content_end).unwrap_or_default(),
        ))
    })
}

/// Order everything and build the project.
fn assemble(
    candidates: Vec<Candidate>,
    all_files: bool,
    main: Option<&(&Path, String)>,
    cwd: &Path,
) -> Project {
    let (mut forward, rest): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .partition(|c| c.info.kind == FileKind::Forward);
    let (mut repeatable, mut others): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .partition(|c| c.info.kind == FileKind::Repeatable);
    if !all_files {
        forward.sort_by(forward_order);
    }
    repeatable.sort_by(|a, b| {
        natural_cmp(&a.info.name, &b.info.name)
            .then(a.root.cmp(&b.root))
            .then_with(|| natural_cmp(&a.rel, &b.rel))
    });
    others.sort_by(|a, b| a.path.cmp(&b.path));

    let mut project = Project::default();
    let mut first_of_version: BTreeMap<Vec<String>, FileId> = BTreeMap::new();
    for c in forward.into_iter().chain(repeatable).chain(others) {
        let id = project.files.len();
        let whole = Span::new(id, 0, 0);
        let applied = matches!(c.info.kind, FileKind::Forward | FileKind::Repeatable);
        if applied {
            if let Some(problem) = c.problem.clone() {
                let span = match problem {
                    // Point at the replacement character that stands for the bad byte.
                    DiagKind::InvalidUtf8 { offset } => Span::new(
                        id,
                        offset,
                        (offset + '\u{FFFD}'.len_utf8()).min(c.text.len()),
                    ),
                    _ => whole,
                };
                project.diagnostics.push(Diagnostic {
                    span,
                    kind: problem,
                });
            }
        } else if !paired_down_file(&c.info, &first_of_version) {
            project.diagnostics.push(Diagnostic {
                span: whole,
                kind: DiagKind::NotForward {
                    file_kind: kind_name(c.info.kind).to_owned(),
                    reason: c.info.reason.clone(),
                },
            });
        }
        if c.info.kind == FileKind::Forward
            && let Some(version) = &c.info.version
            && let Some(key) = migration_identity(&c.info)
        {
            match first_of_version.get(&key) {
                Some(&other) => project.diagnostics.push(Diagnostic {
                    span: whole,
                    kind: DiagKind::DuplicateVersion {
                        version: version.raw.clone(),
                        other,
                    },
                }),
                None => {
                    first_of_version.insert(key, id);
                }
            }
        }
        if applied
            && c.root != 0
            && !all_files
            && let Some((main_path, main_display)) = main
            && !c.path.starts_with(main_path)
        {
            project.diagnostics.push(Diagnostic {
                span: whole,
                kind: DiagKind::OutsideMainPath {
                    main: main_display.clone(),
                },
            });
        }
        project.files.push(SourceFile {
            display: display(&c.path, cwd),
            path: c.path,
            root: c.root,
            version: c.info.version,
            name: c.info.name,
            kind: c.info.kind,
            reason: c.info.reason,
            text: c.text,
            lines: c.lines,
            forward_ranges: c.forward_ranges,
        });
    }
    project.diagnostics.sort();
    project
}

/// Merged forward order: versioned files by version, then root, then name; unversioned files
/// (natural-order directories, explicit files without a number) after them by root, then
/// natural name. A total order, so sorting is deterministic.
fn forward_order(a: &Candidate, b: &Candidate) -> Ordering {
    let by_version = match (&a.info.version, &b.info.version) {
        (Some(x), Some(y)) => x.numeric_cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_version
        .then(a.root.cmp(&b.root))
        .then_with(|| natural_cmp(&a.rel, &b.rel))
}

/// A down file of a migration tool's own convention (golang-migrate's `.down.sql`, diesel's
/// `down.sql`, Flyway's `U` undo, `.undo.sql`) beside the forward migration of its version: the
/// layout the tool asks for, not worth a finding. (Forward files are numbered first, so
/// `forward_versions` holds them all.)
fn paired_down_file(
    info: &super::version::NameInfo,
    forward_versions: &BTreeMap<Vec<String>, FileId>,
) -> bool {
    const CONVENTIONS: [&str; 4] = [
        "down file (.down.sql)",
        "undo file (.undo.sql)",
        "diesel down.sql",
        "Flyway undo",
    ];
    info.kind == FileKind::Down
        && CONVENTIONS.contains(&info.reason.as_str())
        && migration_identity(info).is_some_and(|k| forward_versions.contains_key(&k))
}

/// What makes two forward migrations the same one for their tool: the version as a number for
/// most tools (golang-migrate, Flyway, sqlx: `001` is `1`); diesel's version string, dashes
/// left out (`00000000000000` and `000000000000000` are two versions, as Lemmy has them); a
/// Prisma migration's whole directory name (two may share a timestamp). `None`: unversioned.
fn migration_identity(info: &super::version::NameInfo) -> Option<Vec<String>> {
    let version = info.version.as_ref()?;
    Some(match info.reason.as_str() {
        "diesel up.sql" | "diesel down.sql" => {
            vec!["diesel".to_owned(), version.raw.replace('-', "")]
        }
        "Prisma migration.sql" => vec!["prisma".to_owned(), version.raw.clone(), info.name.clone()],
        _ => version.key(),
    })
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Forward => "forward",
        FileKind::Down => "down",
        FileKind::Repeatable => "repeatable",
        FileKind::Ignored => "ignored",
    }
}

/// Display path: relative to `cwd` when below it, else as given; forward slashes; no `./`.
#[must_use]
pub fn display(path: &Path, cwd: &Path) -> String {
    let shown = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let mut slashed = shown.to_string_lossy().into_owned();
    if std::path::MAIN_SEPARATOR == '\\' {
        slashed = slashed.replace('\\', "/");
    }
    let mut s = slashed.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s.is_empty() {
        ".".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    fn manifest() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn fixture(case: &str) -> PathBuf {
        manifest().join("fixtures/discovery").join(case)
    }

    fn run(inputs: &[PathBuf]) -> Project {
        discover_in(inputs, &manifest()).unwrap()
    }

    #[test]
    fn a_file_of_4_gib_or_more_is_a_read_error_not_read() {
        // Sparse: no disk space and no time, yet its length is past what a span can address.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("001_huge.sql");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(u64::from(u32::MAX) + 1)
            .unwrap();
        let (text, problem) = read_text(&path);
        assert!(text.is_empty());
        assert!(
            matches!(&problem, Some(DiagKind::ReadError { error }) if error.contains("4 GiB")),
            "{problem:?}"
        );
        let project = run(&[path]);
        assert_eq!(project.files.len(), 1);
        assert!(project.files[0].text.is_empty());
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_invalid_utf8_is_decoded_lossily() {
        let dir = tempfile::tempdir().unwrap();
        let bom = dir.path().join("001_bom.sql");
        std::fs::write(&bom, b"\xEF\xBB\xBFSELECT 1;").unwrap();
        assert_eq!(read_text(&bom), ("SELECT 1;".to_owned(), None));
        let bad = dir.path().join("002_bad.sql");
        std::fs::write(&bad, b"SELECT '\xFF';").unwrap();
        let (text, problem) = read_text(&bad);
        assert_eq!(text, "SELECT '\u{FFFD}';");
        assert!(
            matches!(problem, Some(DiagKind::InvalidUtf8 { offset: 8 })),
            "{problem:?}"
        );
    }

    /// File names (last path component, or `dir/file` for layout files) of applied files.
    fn applied_names(p: &Project) -> Vec<String> {
        p.applied().map(|(_, f)| short(f)).collect()
    }

    fn short(f: &SourceFile) -> String {
        let parts: Vec<&str> = f.display.rsplit('/').take(2).collect();
        match parts.as_slice() {
            [file, dir] if matches!(*file, "up.sql" | "down.sql" | "migration.sql") => {
                format!("{dir}/{file}")
            }
            [file, ..] => (*file).to_owned(),
            [] => String::new(),
        }
    }

    /// The text of a file's up sections, joined.
    fn up_text(f: &SourceFile) -> String {
        f.forward_ranges
            .iter()
            .map(|r| &f.text[r.clone()])
            .collect()
    }

    fn by_name<'a>(p: &'a Project, name: &str) -> (FileId, &'a SourceFile) {
        p.files
            .iter()
            .enumerate()
            .find(|(_, f)| short(f) == name)
            .unwrap_or_else(|| {
                panic!(
                    "no file {name} in {:?}",
                    p.files.iter().map(short).collect::<Vec<_>>()
                )
            })
    }

    fn diags_of(p: &Project, id: FileId) -> Vec<&DiagKind> {
        p.diagnostics
            .iter()
            .filter(|d| d.span.file() == id)
            .map(|d| &d.kind)
            .collect()
    }

    #[test]
    fn flat_numbers_sort_numerically_not_lexically() {
        let p = run(&[fixture("flat-numeric")]);
        assert_eq!(applied_names(&p), ["1-a.sql", "2_b.sql", "10_c.sql"]);
        let (_, f) = by_name(&p, "1-a.sql");
        assert_eq!((f.name.as_str(), f.reason.as_str()), ("a", "flat numbered"));
        assert_eq!(f.display, "fixtures/discovery/flat-numeric/1-a.sql");
        assert_eq!(f.forward_ranges, [0..f.text.len()]);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);

        let p = run(&[fixture("zero-padded")]);
        assert_eq!(applied_names(&p), ["0009_x.sql", "00010_y.sql"]);
    }

    #[test]
    fn dotted_release_versions_keep_their_order_numbers() {
        // procrastinate's `<release>_<nn>_<name>.sql`: one release, several ordered files.
        let p = run(&[fixture("dotted-releases")]);
        assert_eq!(
            applied_names(&p),
            [
                "00.00.00_01_initial.sql",
                "00.05.00_01_add_queue.sql",
                "00.05.00_02_index_queue.sql",
                "00.9.00_01_lock.sql",
                "00.10.00_01_pre_priority.sql",
                "00.10.00_50_post_heartbeat.sql",
            ]
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    }

    #[test]
    fn supabase_project_root_finds_its_migrations() {
        let p = run(&[fixture("supabase-project")]);
        assert_eq!(
            applied_names(&p),
            ["20240101120000_init.sql", "20240102000000_more.sql"]
        );
        assert!(p.files.iter().all(|f| f.reason == "timestamped"));
        // seed.sql sits outside supabase/migrations: not part of the project at all.
        assert_eq!(p.files.len(), 2);
        // Giving the supabase directory itself finds migrations/ too.
        let q = run(&[fixture("supabase-project/supabase")]);
        assert_eq!(applied_names(&q), applied_names(&p));
    }

    #[test]
    fn flyway_versions_then_repeatables() {
        let p = run(&[fixture("flyway-project")]);
        assert_eq!(
            applied_names(&p),
            [
                "V1__init.sql",
                "V1_1__e.sql",
                "V2__b.sql",
                "V2.1__c.sql",
                "V3__d.sql",
                "R__a_funcs.sql",
                "R__views.sql"
            ]
        );
        let (_, r) = by_name(&p, "R__views.sql");
        assert_eq!((r.kind, r.name.as_str()), (FileKind::Repeatable, "views"));
        // Flyway's undo of V2, beside V2: the tool's own layout, no finding.
        let (id, u) = by_name(&p, "U2__undo_b.sql");
        assert_eq!(u.kind, FileKind::Down);
        assert!(diags_of(&p, id).is_empty());
        let (_, cb) = by_name(&p, "afterMigrate.sql");
        assert_eq!(cb.kind, FileKind::Ignored);
        // Applied files come first, then the others.
        let first_other = p.files.iter().position(|f| !f.is_applied()).unwrap();
        assert_eq!(first_other, 7);
        assert!(p.files[first_other..].iter().all(|f| !f.is_applied()));
    }

    #[test]
    fn golang_migrate_up_down_pairs() {
        let p = run(&[fixture("golang-migrate")]);
        assert_eq!(
            applied_names(&p),
            ["000001_init.up.sql", "000002_users.up.sql"]
        );
        let (_, up) = by_name(&p, "000002_users.up.sql");
        assert_eq!(
            (up.name.as_str(), up.reason.as_str()),
            ("users", "golang-migrate up")
        );
        let downs: Vec<_> = p
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Down)
            .map(short)
            .collect();
        assert_eq!(downs, ["000001_init.down.sql", "000002_users.down.sql"]);
        // Each down file pairs with its up file: golang-migrate's layout, no finding.
        let not_forward = p
            .diagnostics
            .iter()
            .filter(|d| matches!(d.kind, DiagKind::NotForward { .. }))
            .count();
        assert_eq!(not_forward, 0);
    }

    /// A down file without its forward migration, and an ad-hoc rollback file, are still
    /// reported.
    #[test]
    fn unpaired_and_ad_hoc_down_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("001_a.up.sql", "CREATE TABLE a (id int);"),
            ("001_a.down.sql", "DROP TABLE a;"),
            ("002_b.down.sql", "DROP TABLE b;"),
            ("003_c.sql", "CREATE TABLE c (id int);"),
            ("003_c_rollback.sql", "DROP TABLE c;"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let p = run(&[dir.path().to_path_buf()]);
        let mut reported: Vec<String> = p
            .diagnostics
            .iter()
            .filter(|d| matches!(d.kind, DiagKind::NotForward { .. }))
            .filter_map(|d| p.files.get(d.span.file()))
            .map(short)
            .collect();
        reported.sort();
        assert_eq!(reported, ["002_b.down.sql", "003_c_rollback.sql"]);
    }

    #[test]
    fn diesel_directories() {
        let p = run(&[fixture("diesel-project")]);
        assert_eq!(
            applied_names(&p),
            [
                "00000000000000_diesel_initial_setup/up.sql",
                "2024-01-01-120000_create_users/up.sql"
            ]
        );
        let (_, f) = by_name(&p, "2024-01-01-120000_create_users/up.sql");
        assert_eq!(
            (f.name.as_str(), f.reason.as_str()),
            ("create_users", "diesel up.sql")
        );
        assert_eq!(f.version.as_ref().unwrap().raw, "2024-01-01-120000");
        let (_, d) = by_name(&p, "2024-01-01-120000_create_users/down.sql");
        assert_eq!(d.kind, FileKind::Down);
    }

    #[test]
    fn prisma_directories() {
        let p = run(&[fixture("prisma-project")]);
        assert_eq!(
            applied_names(&p),
            [
                "20240101120000_init/migration.sql",
                "20240201120000_add_posts/migration.sql"
            ]
        );
        assert_eq!(p.files.len(), 2, "toml and schema.prisma are skipped");
        assert_eq!(p.files[1].name, "add_posts");
    }

    #[test]
    fn node_pg_migrate_up_sections() {
        let p = run(&[fixture("node-pg-migrate-project")]);
        assert_eq!(
            applied_names(&p),
            [
                "1700000000000_users.sql",
                "1700000100000_users-email-index.sql"
            ]
        );
        let (_, f) = by_name(&p, "1700000000000_users.sql");
        assert_eq!(f.reason, "node-pg-migrate up section");
        let up = up_text(f);
        assert!(
            up.contains("CREATE TABLE users") && !up.contains("DROP TABLE"),
            "{up}"
        );
    }

    #[test]
    fn dbmate_up_sections() {
        let p = run(&[fixture("dbmate-project")]);
        assert_eq!(
            applied_names(&p),
            ["20240101120000_users.sql", "20240102120000_index.sql"]
        );
        let (_, f) = by_name(&p, "20240101120000_users.sql");
        assert_eq!(f.reason, "dbmate up section");
        let up = up_text(f);
        assert_eq!(up, "CREATE TABLE users (id int);\n\n");
        let (_, g) = by_name(&p, "20240102120000_index.sql");
        let up: String = g
            .forward_ranges
            .iter()
            .map(|r| &g.text[r.clone()])
            .collect();
        assert_eq!(up, "CREATE INDEX CONCURRENTLY i ON users (id);\n");
    }

    #[test]
    fn dbmate_and_goose_sections_with_any_line_ending() {
        for nl in ["\n", "\r\n", "\r"] {
            let text = format!(
                "-- comment before{nl}-- migrate:up{nl}CREATE TABLE a (id int);{nl}-- migrate:down{nl}DROP TABLE a;{nl}-- migrate:up{nl}SELECT 1;"
            );
            let (ranges, tool) = up_sections(&text).unwrap();
            assert_eq!(tool, "dbmate");
            let parts: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
            assert_eq!(
                parts,
                [
                    format!("CREATE TABLE a (id int);{nl}").as_str(),
                    "SELECT 1;"
                ]
            );
        }
        let goose = "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (id int);\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE a;\n";
        let (ranges, tool) = up_sections(goose).unwrap();
        assert_eq!(tool, "goose");
        assert_eq!(ranges.len(), 1);
        assert!(goose[ranges[0].clone()].contains("CREATE TABLE a"));
        assert!(!goose[ranges[0].clone()].contains("DROP"));
        // Only a down marker: what precedes it is the up part.
        let (ranges, _) =
            up_sections("CREATE TABLE a ();\n-- migrate:down\nDROP TABLE a;").unwrap();
        assert_eq!(ranges, [0..19]);
        // Look-alikes are not markers.
        assert!(up_sections("-- migrate:upgrade later\n-- +goose Upwards\nSELECT 1;").is_none());
        let sql_migrate =
            "-- +migrate Up\nCREATE TABLE a (id int);\n-- +migrate Down\nDROP TABLE a;\n";
        let (ranges, tool) = up_sections(sql_migrate).unwrap();
        assert_eq!(tool, "sql-migrate");
        assert_eq!(
            &sql_migrate[ranges[0].clone()],
            "CREATE TABLE a (id int);\n"
        );
        let npm = "-- Up Migration\nCREATE TABLE a (id int);\n\n-- Down Migration\nDROP TABLE a;\n";
        let (ranges, tool) = up_sections(npm).unwrap();
        assert_eq!(tool, "node-pg-migrate");
        assert_eq!(&npm[ranges[0].clone()], "CREATE TABLE a (id int);\n\n");
        // Without an up marker, node-pg-migrate's words are prose, not a section.
        assert!(
            up_sections("CREATE TABLE a (id int);\n-- down migration exists elsewhere\nSELECT 1;")
                .is_none()
        );
        assert!(up_sections("-- up migrations are applied in order\nSELECT 1;").is_none());
    }

    #[test]
    fn dbmate_crlf_file_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            "-- migrate:up\r\nCREATE TABLE a (id int);\r\n-- migrate:down\r\nDROP TABLE a;\r\n";
        fs::write(dir.path().join("20240101000000_a.sql"), text).unwrap();
        let p = run(&[dir.path().to_path_buf()]);
        let f = &p.files[0];
        assert_eq!(f.reason, "dbmate up section");
        assert_eq!(f.forward_ranges, [15..41]);
        assert_eq!(&f.text[15..41], "CREATE TABLE a (id int);\r\n");
    }

    #[test]
    fn duplicate_versions_are_kept_and_flagged() {
        let p = run(&[fixture("duplicates")]);
        assert_eq!(
            applied_names(&p),
            ["005_a.sql", "006_b.sql", "006_c.sql", "007_d.sql"]
        );
        let (first, _) = by_name(&p, "006_b.sql");
        let (second, _) = by_name(&p, "006_c.sql");
        assert_eq!(
            diags_of(&p, second),
            [&DiagKind::DuplicateVersion {
                version: "006".to_owned(),
                other: first
            }]
        );
        assert_eq!(p.diagnostics.len(), 1);
    }

    /// Each tool's own idea of "the same version": a number for flat files, diesel's version
    /// string (Lemmy ships `00000000000000_diesel_initial_setup` and
    /// `000000000000000_forbid_diesel_cli`), a Prisma migration's directory name.
    #[test]
    fn duplicate_versions_as_each_tool_sees_them() {
        let dir = tempfile::tempdir().unwrap();
        let migration = |rel: &str| {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "SELECT 1;").unwrap();
        };
        for rel in [
            "diesel/00000000000000_setup/up.sql",
            "diesel/00000000000000_setup/down.sql",
            "diesel/000000000000000_forbid/up.sql",
            "diesel/000000000000000_forbid/down.sql",
            "diesel/2024-01-01-000000_a/up.sql",
            "diesel/20240101000000_b/up.sql",
            "prisma/20240101000000_a/migration.sql",
            "prisma/20240101000000_b/migration.sql",
            "flat/001_a.sql",
            "flat/1_b.sql",
        ] {
            migration(rel);
        }
        let duplicates = |sub: &str| {
            let p = run(&[dir.path().join(sub)]);
            let kinds: Vec<String> = p
                .diagnostics
                .iter()
                .map(|d| match &d.kind {
                    DiagKind::DuplicateVersion { version, .. } => format!("duplicate {version}"),
                    other => format!("{other:?}"),
                })
                .collect();
            kinds
        };
        assert_eq!(duplicates("diesel"), ["duplicate 20240101000000"]);
        assert_eq!(duplicates("prisma"), Vec::<String>::new());
        assert_eq!(duplicates("flat"), ["duplicate 1"]);
    }

    #[test]
    fn tests_rollbacks_and_unversioned_files_are_kept_off_the_path() {
        let p = run(&[fixture("mixed-junk")]);
        assert_eq!(applied_names(&p), ["001_x.sql", "002_y.sql"]);
        // README.md and notes.txt are not .sql: skipped silently.
        assert_eq!(p.files.len(), 6);
        let kind_reason = |n: &str| {
            let (id, f) = by_name(&p, n);
            assert_eq!(diags_of(&p, id).len(), 1, "{n}: one NotForward");
            (f.kind, f.reason.clone())
        };
        assert_eq!(kind_reason("003_z_rollback.sql").0, FileKind::Down);
        assert_eq!(kind_reason("test_users.sql").0, FileKind::Ignored);
        assert_eq!(kind_reason("users_test.sql").0, FileKind::Ignored);
        assert_eq!(
            kind_reason("schema.sql"),
            (FileKind::Ignored, "no version in the file name".to_owned())
        );
        // The kept-off files are sorted by path.
        let rest: Vec<String> = p.files[2..].iter().map(short).collect();
        assert_eq!(
            rest,
            [
                "003_z_rollback.sql",
                "schema.sql",
                "test_users.sql",
                "users_test.sql"
            ]
        );
    }

    #[test]
    fn no_versions_means_natural_name_order() {
        let p = run(&[fixture("unversioned")]);
        assert_eq!(
            applied_names(&p),
            ["init.sql", "orders2.sql", "orders10.sql"]
        );
        assert!(
            p.applied()
                .all(|(_, f)| f.reason == "no versions: natural name order")
        );
        assert_eq!(by_name(&p, "seed.sql").1.kind, FileKind::Ignored);
        assert_eq!(by_name(&p, "test_orders.sql").1.kind, FileKind::Ignored);
    }

    #[test]
    fn several_roots_merge_into_one_order() {
        let main = fixture("multi-root/main");
        let p = run(&[main, fixture("multi-root/extra")]);
        assert_eq!(
            applied_names(&p),
            ["001_a.sql", "002_b.sql", "003_c.sql", "003_c2.sql"]
        );
        let (b, bf) = by_name(&p, "002_b.sql");
        assert_eq!(bf.root, 1);
        assert_eq!(
            diags_of(&p, b),
            [&DiagKind::OutsideMainPath {
                main: "fixtures/discovery/multi-root/main".to_owned()
            }]
        );
        let (c, _) = by_name(&p, "003_c.sql");
        let (c2, _) = by_name(&p, "003_c2.sql");
        assert!(diags_of(&p, c).is_empty());
        let kinds = diags_of(&p, c2);
        assert!(kinds.contains(&&DiagKind::DuplicateVersion {
            version: "003".to_owned(),
            other: c
        }));
        assert_eq!(kinds.len(), 2);
    }

    #[test]
    fn explicit_files_keep_the_given_order() {
        let dir = fixture("flat-numeric");
        let inputs = [
            dir.join("10_c.sql"),
            dir.join("1-a.sql"),
            dir.join("2_b.sql"),
        ];
        let p = run(&inputs);
        assert_eq!(applied_names(&p), ["10_c.sql", "1-a.sql", "2_b.sql"]);
        assert!(
            p.files
                .iter()
                .all(|f| f.reason == "given explicitly" && f.kind == FileKind::Forward)
        );
        assert_eq!(
            p.files.iter().map(|f| f.root).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert!(
            p.diagnostics.is_empty(),
            "no outside-main noise for explicit files"
        );
        // The same file twice is taken once.
        let p = run(&[dir.join("2_b.sql"), dir.join("2_b.sql")]);
        assert_eq!(p.files.len(), 1);
        // A down file given explicitly is applied: the user decides.
        let p = run(&[fixture("golang-migrate/000001_init.down.sql")]);
        assert_eq!(p.files[0].kind, FileKind::Forward);
    }

    #[test]
    fn explicit_file_next_to_a_directory_joins_the_version_order() {
        let extra = fixture("zero-padded/0009_x.sql");
        let p = run(&[fixture("flat-numeric"), extra]);
        assert_eq!(
            applied_names(&p),
            ["1-a.sql", "2_b.sql", "0009_x.sql", "10_c.sql"]
        );
        let (id, f) = by_name(&p, "0009_x.sql");
        assert_eq!(f.reason, "given explicitly");
        assert!(matches!(
            diags_of(&p, id).as_slice(),
            [DiagKind::OutsideMainPath { .. }]
        ));
        // A directory given twice contributes its files once.
        let p = run(&[fixture("flat-numeric"), fixture("flat-numeric")]);
        assert_eq!(p.files.len(), 3);
        assert!(p.diagnostics.is_empty());
    }

    /// One directory is walked once and needs no canonical paths, unless a symbolic link was
    /// followed: a link to a sibling file (or to a subdirectory) would read a file twice.
    #[cfg(unix)]
    #[test]
    fn a_file_reached_through_a_link_is_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("001_a.sql"), "CREATE TABLE a (id int);").unwrap();
        fs::create_dir(dir.path().join("002_b")).unwrap();
        fs::write(dir.path().join("002_b/up.sql"), "CREATE TABLE b (id int);").unwrap();
        let p = run(&[dir.path().to_path_buf()]);
        assert_eq!(applied_names(&p).len(), 2);
        std::os::unix::fs::symlink(dir.path().join("001_a.sql"), dir.path().join("003_a.sql"))
            .unwrap();
        std::os::unix::fs::symlink(dir.path().join("002_b"), dir.path().join("004_b")).unwrap();
        let p = run(&[dir.path().to_path_buf()]);
        assert_eq!(
            p.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
            [
                dir.path().join("001_a.sql"),
                dir.path().join("002_b/up.sql")
            ],
            "the link and the linked directory's file were dropped as repeats"
        );
        assert_eq!(p.files[0].lines.line_count(), 1);
    }

    #[test]
    fn odd_bytes_never_abort() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("001_ok.sql"), "SELECT 1;").unwrap();
        fs::write(dir.path().join("002_latin1.sql"), b"SELECT 'caf\xE9';").unwrap();
        fs::write(
            dir.path().join("003_binary.sql"),
            b"\x89PNG\r\n\x1a\n\0\0\0",
        )
        .unwrap();
        fs::write(dir.path().join("004_empty.sql"), b"").unwrap();
        fs::write(dir.path().join("005_bom.sql"), b"\xEF\xBB\xBFSELECT 1;").unwrap();
        let p = run(&[dir.path().to_path_buf()]);
        assert_eq!(p.files.len(), 5);

        let (id, f) = by_name(&p, "002_latin1.sql");
        assert_eq!(f.text, "SELECT 'caf\u{FFFD}';");
        assert_eq!(
            p.diagnostics
                .iter()
                .find(|d| d.span.file() == id)
                .map(|d| (&d.kind, d.span)),
            Some((&DiagKind::InvalidUtf8 { offset: 11 }, Span::new(id, 11, 14)))
        );
        assert_eq!(&f.text[11..14], "\u{FFFD}");

        let (id, f) = by_name(&p, "003_binary.sql");
        assert_eq!(
            (f.text.as_str(), f.forward_ranges.clone()),
            ("", vec![0..0])
        );
        assert_eq!(diags_of(&p, id), [&DiagKind::Binary { offset: 8 }]);

        let (id, f) = by_name(&p, "004_empty.sql");
        assert_eq!((f.kind, f.text.as_str()), (FileKind::Forward, ""));
        assert!(diags_of(&p, id).is_empty());

        let (_, f) = by_name(&p, "005_bom.sql");
        assert_eq!(f.text, "SELECT 1;");
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_file_is_a_diagnostic() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("001_secret.sql");
        fs::write(&path, "SELECT 1;").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read(&path).is_ok() {
            return; // running as root: permissions are not enforced
        }
        let p = run(&[dir.path().to_path_buf()]);
        assert_eq!(p.files[0].text, "");
        assert!(matches!(
            diags_of(&p, 0).as_slice(),
            [DiagKind::ReadError { .. }]
        ));
    }

    #[test]
    fn missing_path_is_an_error() {
        let err = discover_in(&[fixture("does-not-exist")], &manifest()).unwrap_err();
        assert!(matches!(err, SourceError::NotFound(p) if p.ends_with("does-not-exist")));
    }

    #[test]
    fn empty_directory_names_what_was_tried() {
        let dir = tempfile::tempdir().unwrap();
        let err = discover_in(&[dir.path().to_path_buf()], &manifest()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, SourceError::NothingFound { .. }));
        for place in USUAL_PLACES {
            assert!(msg.contains(place), "{place} missing from: {msg}");
        }
        assert!(msg.contains("not found"), "{msg}");

        let err = discover_in(&[fixture("no-sql")], &manifest()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("fixtures/discovery/no-sql (no versioned .sql files)"),
            "{msg}"
        );
        assert!(
            msg.contains("fixtures/discovery/no-sql/db/migrations (not found)"),
            "{msg}"
        );
    }

    #[test]
    fn default_inputs_find_the_usual_place() {
        assert_eq!(
            default_inputs(&fixture("prisma-project")).unwrap(),
            [fixture("prisma-project/prisma/migrations")]
        );
        assert_eq!(
            default_inputs(&fixture("flat-numeric")).unwrap(),
            [fixture("flat-numeric")]
        );
        let err = default_inputs(&fixture("no-sql")).unwrap_err();
        assert!(err.to_string().contains("supabase/migrations (not found)"));
        // No inputs at all: discover uses the defaults of the working directory.
        let p = discover_in(&[], &fixture("dbmate-project")).unwrap();
        assert_eq!(p.files.len(), 2);
        assert_eq!(p.files[0].display, "db/migrations/20240101120000_users.sql");
    }

    #[test]
    fn display_paths() {
        let cwd = Path::new("/work/proj");
        assert_eq!(
            display(Path::new("/work/proj/db/001.sql"), cwd),
            "db/001.sql"
        );
        assert_eq!(
            display(Path::new("/elsewhere/001.sql"), cwd),
            "/elsewhere/001.sql"
        );
        assert_eq!(display(Path::new("./db/001.sql"), cwd), "db/001.sql");
        assert_eq!(display(Path::new("."), cwd), ".");
    }

    #[test]
    fn hidden_directories_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        fs::write(dir.path().join(".git/001_x.sql"), "SELECT 1;").unwrap();
        fs::write(dir.path().join(".002_hidden.sql"), "SELECT 1;").unwrap();
        fs::write(dir.path().join("003_y.sql"), "SELECT 1;").unwrap();
        let p = run(&[dir.path().to_path_buf()]);
        assert_eq!(applied_names(&p), ["003_y.sql"]);
        assert_eq!(p.files.len(), 1);
    }
}
