//! Application scan (a side input next to the migration pipeline, read by the rules that check
//! application queries against the model): walk application source trees, find SQL embedded in
//! string literals (tree-sitter grammars for TS/JS, Python, Go, Rust, Java, Kotlin, Ruby, PHP),
//! rewrite it so sqlparser accepts it, and map files to the HTTP endpoints that run it.
//!
//! Steps: [`walk`] finds files → [`prefilter`] skips those that cannot hold a query or a
//! route → [`literal`] reads literals out of each tree → [`sql`]
//! substitutes placeholders and keeps what is SQL → [`endpoint`] finds handlers → [`scan`]
//! attaches each query to the endpoint whose handler contains it. Files are processed in
//! parallel; the output is in sorted file order.

pub mod endpoint;
pub mod lang;
pub mod literal;
pub mod prefilter;
pub mod resolve;
pub mod sql;
pub mod status;
pub mod walk;

use std::ops::Range;
use std::path::PathBuf;

use crate::par::Threads;

use crate::source::lines::LineIndex;
pub use lang::Language;

/// Files larger than this are skipped (generated bundles, minified code).
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Everything the scan found.
#[derive(Debug, Default)]
pub struct AppScan {
    /// Files that hold at least one query or endpoint, in scan order.
    pub files: Vec<AppFile>,
    pub queries: Vec<EmbeddedQuery>,
    pub endpoints: Vec<Endpoint>,
    pub diagnostics: Vec<AppDiagnostic>,
    /// How many source files were read (including those with nothing to report).
    pub scanned: usize,
}

/// One application source file that holds a query or an endpoint.
#[derive(Debug)]
pub struct AppFile {
    pub path: PathBuf,
    /// Relative to its root, forward slashes.
    pub display: String,
    pub language: Language,
    pub text: String,
    pub lines: LineIndex,
}

/// SQL found in a string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedQuery {
    /// Index into [`AppScan::files`].
    pub file: usize,
    /// Byte range of the literal (or concatenation) in the file.
    pub span: Range<usize>,
    /// Placeholders substituted, ready for sqlparser.
    pub sql: String,
    /// `(sql offset, file offset)` anchors; see [`EmbeddedQuery::file_offset`].
    pub offsets: Vec<(usize, usize)>,
    /// An interpolation sits where a table name goes (a dummy `__dynN` identifier stands in).
    pub dynamic_relations: bool,
    /// Index into [`AppScan::endpoints`].
    pub endpoint: Option<usize>,
}

impl EmbeddedQuery {
    /// The file byte offset of byte `sql_offset` of [`Self::sql`].
    #[must_use]
    pub fn file_offset(&self, sql_offset: usize) -> usize {
        sql::file_offset(&self.offsets, sql_offset).unwrap_or(self.span.start)
    }
}

/// An HTTP endpoint and the queries its handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `GET`, `POST`, ... or `ANY` when the handler does not check.
    pub method: String,
    /// `/api/platform/projects/[ref]`, `/users/{id}`, `/x/:id` — as written by the framework.
    pub route: String,
    /// Index into [`AppScan::files`].
    pub file: usize,
    /// 1-based line of the method branch / decorator / registration.
    pub line: usize,
    /// The handler (or the method's branch of a shared handler).
    pub handler_span: Range<usize>,
    /// Indices into [`AppScan::queries`], in file order.
    pub queries: Vec<usize>,
    /// Returns a hard-coded object literal and touches no database.
    pub mock: bool,
    /// Has queries, but answers with a hard-coded literal when they fail (`catch`/`except`).
    pub mock_fallback: bool,
}

/// Something the scan could not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDiagnostic {
    pub path: PathBuf,
    pub display: String,
    pub kind: AppDiagnosticKind,
    pub message: String,
}

/// `app/big.js: larger than 2 MiB (3145728 bytes): not scanned`, the path as migration files
/// are shown.
impl std::fmt::Display for AppDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = display_path(&self.path, &self.display);
        let message = &self.message;
        match self.kind {
            AppDiagnosticKind::Unreadable => write!(f, "{path}: cannot be read: {message}"),
            AppDiagnosticKind::NotUtf8 => write!(f, "{path}: not UTF-8: {message}"),
            AppDiagnosticKind::TooLarge => write!(
                f,
                "{path}: larger than {} MiB ({message}): not scanned",
                MAX_FILE_BYTES / 1024 / 1024
            ),
            AppDiagnosticKind::ParseFailed => write!(f, "{path}: {message}: not scanned"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AppDiagnosticKind {
    /// The file or a directory could not be read.
    Unreadable,
    /// Not UTF-8: read lossily, offsets refer to the lossy text.
    NotUtf8,
    /// Larger than [`MAX_FILE_BYTES`]: skipped.
    TooLarge,
    /// The grammar produced no tree.
    ParseFailed,
}

/// Scan the application source under `roots` (directories or files).
#[must_use]
pub fn scan(roots: &[PathBuf]) -> AppScan {
    let (found, errors) = walk::discover(roots);
    let mut out = AppScan {
        scanned: found.len(),
        ..AppScan::default()
    };
    for (path, message) in errors {
        let display = walk::slashed(&path);
        out.diagnostics.push(AppDiagnostic {
            path,
            display,
            kind: AppDiagnosticKind::Unreadable,
            message,
        });
    }
    let results: Vec<FileScan> =
        Threads::for_app_files(found.len()).map_init(&found, Parsers::default, scan_file);
    for r in results {
        out.diagnostics.extend(r.diagnostics);
        let Some(file) = r.file else { continue };
        if r.queries.is_empty() && r.endpoints.is_empty() {
            continue;
        }
        let file_ix = out.files.len();
        let q_base = out.queries.len();
        let e_base = out.endpoints.len();
        for mut q in r.queries {
            q.file = file_ix;
            q.endpoint = q.endpoint.map(|e| e + e_base);
            out.queries.push(q);
        }
        for mut e in r.endpoints {
            e.file = file_ix;
            e.queries.iter_mut().for_each(|q| *q += q_base);
            out.endpoints.push(e);
        }
        out.files.push(file);
    }
    out
}

/// Add the scanned application files to `analysis.project` (as [`FileKind::Ignored`] files,
/// reason "application source", so finding spans work in every reporter) and store the
/// resolution of every query against the final catalog in `analysis.app`.
///
/// [`FileKind::Ignored`]: crate::source::FileKind::Ignored
pub fn attach(
    analysis: &mut crate::Analysis,
    scan: &AppScan,
    settings: &crate::model::ModelSettings,
) {
    let search_path: Vec<String> = settings
        .search_path
        .iter()
        .map(|s| {
            if s == "$user" {
                settings.user.clone()
            } else {
                s.clone()
            }
        })
        .collect();
    let mut report = resolve::resolve(
        scan,
        &analysis.model.catalog,
        &search_path,
        &settings.assume_relations,
    );
    for f in &scan.files {
        report.file_ids.push(analysis.project.files.len());
        analysis.project.files.push(crate::source::SourceFile {
            path: f.path.clone(),
            display: display_path(&f.path, &f.display),
            root: 0,
            version: None,
            name: f.display.clone(),
            kind: crate::source::FileKind::Ignored,
            reason: "application source".to_owned(),
            text: f.text.clone(),
            lines: LineIndex::new(&f.text),
            forward_ranges: Vec::new(),
        });
    }
    analysis.app = Some(report);
}

/// The path relative to the current directory when possible (as migration files are shown).
fn display_path(path: &std::path::Path, fallback: &str) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(&cwd)
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() { fallback.to_owned() } else { s }
}

/// Scan one file's text (no disk access): its queries and endpoints, with file-local indices.
#[must_use]
pub fn scan_text(
    path: &std::path::Path,
    language: Language,
    text: &str,
) -> (Vec<EmbeddedQuery>, Vec<Endpoint>) {
    let mut parsers = Parsers::default();
    let Some(tree) = parsers.parse(language, text) else {
        return (Vec::new(), Vec::new());
    };
    let lines = LineIndex::new(text);
    analyse(path, language, text, &lines, &tree)
}

struct FileScan {
    file: Option<AppFile>,
    queries: Vec<EmbeddedQuery>,
    endpoints: Vec<Endpoint>,
    diagnostics: Vec<AppDiagnostic>,
}

/// One tree-sitter parser per language, per worker thread.
#[derive(Default)]
struct Parsers {
    by_lang: Vec<(Language, tree_sitter::Parser)>,
}

impl Parsers {
    fn parse(&mut self, lang: Language, text: &str) -> Option<tree_sitter::Tree> {
        if !self.by_lang.iter().any(|(l, _)| *l == lang) {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&lang.grammar()).ok()?;
            self.by_lang.push((lang, parser));
        }
        let (_, parser) = self.by_lang.iter_mut().find(|(l, _)| *l == lang)?;
        parser.parse(text, None)
    }
}

fn scan_file(parsers: &mut Parsers, found: &walk::Found) -> FileScan {
    let mut res = FileScan {
        file: None,
        queries: Vec::new(),
        endpoints: Vec::new(),
        diagnostics: Vec::new(),
    };
    let diag = |kind, message: String| AppDiagnostic {
        path: found.path.clone(),
        display: found.display.clone(),
        kind,
        message,
    };
    match std::fs::metadata(&found.path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            res.diagnostics.push(diag(
                AppDiagnosticKind::TooLarge,
                format!("{} bytes", meta.len()),
            ));
            return res;
        }
        Ok(_) => {}
        Err(e) => {
            res.diagnostics
                .push(diag(AppDiagnosticKind::Unreadable, e.to_string()));
            return res;
        }
    }
    let bytes = match std::fs::read(&found.path) {
        Ok(b) => b,
        Err(e) => {
            res.diagnostics
                .push(diag(AppDiagnosticKind::Unreadable, e.to_string()));
            return res;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            res.diagnostics.push(diag(
                AppDiagnosticKind::NotUtf8,
                "read with replacement characters".to_owned(),
            ));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    if !prefilter::worth_parsing(&found.path, &text) {
        return res;
    }
    let Some(tree) = parsers.parse(found.language, &text) else {
        res.diagnostics.push(diag(
            AppDiagnosticKind::ParseFailed,
            format!("{} grammar gave no tree", found.language.name()),
        ));
        return res;
    };
    let lines = LineIndex::new(&text);
    let (queries, endpoints) = analyse(&found.path, found.language, &text, &lines, &tree);
    res.queries = queries;
    res.endpoints = endpoints;
    res.file = Some(AppFile {
        path: found.path.clone(),
        display: found.display.clone(),
        language: found.language,
        text,
        lines,
    });
    res
}

/// Queries and endpoints of one parsed file; `file` fields are 0 and indices file-local.
fn analyse(
    path: &std::path::Path,
    language: Language,
    text: &str,
    lines: &LineIndex,
    tree: &tree_sitter::Tree,
) -> (Vec<EmbeddedQuery>, Vec<Endpoint>) {
    // One walk of the tree, read by both steps.
    let flat = endpoint::Flat::new(tree.root_node());
    let mut queries: Vec<EmbeddedQuery> = literal::templates(language, &flat, text)
        .iter()
        .filter_map(|t| {
            let s = sql::extract(t)?;
            Some(EmbeddedQuery {
                file: 0,
                span: t.span.clone(),
                sql: s.sql,
                offsets: s.offsets,
                dynamic_relations: s.dynamic_relations,
                endpoint: None,
            })
        })
        .collect();
    let found = endpoint::find(language, path, &flat, text);
    let mut endpoints: Vec<Endpoint> = found
        .iter()
        .map(|f| Endpoint {
            method: f.method.clone(),
            route: f.route.clone(),
            file: 0,
            line: lines.line_of(f.at),
            handler_span: f.handler.clone(),
            queries: Vec::new(),
            mock: false,
            mock_fallback: false,
        })
        .collect();
    // Attach each query to the endpoint with the tightest reach range holding it; a file with a
    // single endpoint owns all its queries.
    for (qi, q) in queries.iter_mut().enumerate() {
        let best = found
            .iter()
            .enumerate()
            .filter_map(|(ei, f)| {
                let r = f
                    .reach
                    .iter()
                    .find(|r| r.start <= q.span.start && q.span.end <= r.end)?;
                Some((r.end - r.start, ei))
            })
            .min();
        let owner = best
            .map(|(_, ei)| ei)
            .or_else(|| (endpoints.len() == 1).then_some(0));
        if let Some(ei) = owner {
            q.endpoint = Some(ei);
            if let Some(e) = endpoints.get_mut(ei) {
                e.queries.push(qi);
            }
        }
    }
    for (e, f) in endpoints.iter_mut().zip(&found) {
        e.mock = e.queries.is_empty() && !f.db_call && f.sends_literal;
        e.mock_fallback = !e.queries.is_empty() && f.literal_in_catch;
    }
    (queries, endpoints)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
