//! Stage 2: split each applied file into statements with exact byte spans, apply template
//! replacements, parse each statement separately with sqlparser (PostgreSQL dialect), look
//! inside `DO` bodies for static DDL, and collect inline ignore comments.
//!
//! Input: a [`crate::source::SourceFile`]. Output: a [`ParsedFile`]. A statement that does not
//! parse becomes a [`crate::diag::Diagnostic`], never an abort.

pub(crate) mod command;
pub mod compat;
pub(crate) mod dialect;
mod doblock;
mod dump_forms;
mod ignore;
pub(crate) mod lex;
mod publication;
mod recover;
mod schema_elements;
mod sequence;
mod set_constraints;
pub mod split;
mod stream;
pub mod tokenize;

use std::ops::Range;

use crate::par::Threads;

use crate::diag::{DiagKind, Diagnostic};
use crate::source::SourceFile;
use crate::span::{FileId, Span};
use split::StatementKind;
pub use stream::{Feed, FileFeed, Whole, parse_all_while};

/// Where a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A top-level statement of the file.
    TopLevel,
    /// A static SQL statement found inside the body of the `DO` statement with this index in
    /// [`ParsedFile::statements`]. It runs when the DO block runs.
    DoBody {
        parent: usize,
        /// It sits in an `IF`/`ELSIF`/`ELSE`/`CASE`/loop branch or an exception handler, or in
        /// a block (or inside a block) with an `EXCEPTION` clause: it may not run, or its error
        /// may be caught.
        conditional: bool,
    },
}

/// A statement, parsed or not.
#[derive(Debug)]
pub struct Statement {
    /// The statement's bytes in the ORIGINAL file text (without the trailing `;`).
    pub span: Span,
    pub origin: Origin,
    /// The text handed to sqlparser (after `--replace` substitutions). Emptied once the
    /// statement is lowered (unless the AST is kept, see [`parse_file_keep_ast`]): the file's
    /// text and [`Self::span`] still hold it, and a second copy of every migration cost as much
    /// memory as the input itself.
    pub text: String,
    /// Maps byte offsets in `text` back to offsets in the original file.
    pub offsets: OffsetMap,
    /// The parsed AST, or `None` when sqlparser failed (a diagnostic was recorded) or for `DO`.
    pub ast: Option<Box<sqlparser::ast::Statement>>,
    /// For unparsable statements and `DO`: the leading keywords and target recovered by a
    /// token scan, e.g. `Recovered { verb: "ALTER TABLE", target: Some("platform.users"), .. }`.
    /// Boxed: most statements have none, and every statement is kept for the whole run.
    pub recovered: Option<Box<Recovered>>,
    /// Clauses blanked out so sqlparser could parse the statement (see [`compat`]).
    pub compat: Vec<compat::Compat>,
    /// sqlparser understood it (a DO statement counts as understood).
    pub parsed: bool,
    /// What the statement does, lowered right after parsing (the AST is then dropped, so
    /// memory stays proportional to the input, not to sqlparser's tree sizes). Boxed, and
    /// `None` once replay has dropped it (see [`Statement::change`]).
    pub ir: Option<Box<crate::model::ir::Change>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Upper-cased leading keywords: `ALTER TABLE`, `DROP INDEX`, `ALTER SEQUENCE`, `INSERT INTO`,
    /// `DO`, `CREATE MATERIALIZED VIEW`...
    pub verb: String,
    /// The object name as written (quotes kept), if one was found.
    pub target: Option<String>,
    /// The table named after `ON` for `CREATE INDEX/TRIGGER/POLICY` and `DROP TRIGGER/POLICY/RULE`.
    pub on: Option<String>,
    /// For `ALTER ...`: the first (up to two) upper-cased words after the target, e.g.
    /// `ALTER CONSTRAINT`, `ADD CONSTRAINT`, `OWNED BY`.
    pub action: Option<String>,
}

/// Piecewise-linear map from offsets in a statement's (possibly substituted) text to byte
/// offsets in the original file. With no substitution it is a single shift.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// Sorted `(offset_in_text, offset_in_file)` anchors (both non-decreasing, distinct text
    /// offsets); an offset maps linearly through the last anchor at or before it, but never past
    /// the next anchor's file offset. So inside a substituted region, offsets map into the
    /// original region, from its start, clamped to its end. Empty: the identity.
    pub anchors: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// A plain shift: `text` is `len` bytes copied from the file at `file_start`.
    #[must_use]
    pub fn shift(file_start: usize, len: usize) -> Self {
        Self {
            anchors: vec![(0, file_start), (len, file_start + len)],
        }
    }

    /// The span in file `file` of the text's byte range `range`.
    #[must_use]
    pub fn file_span(&self, file: FileId, range: Range<usize>) -> Span {
        Span::new(file, self.to_file(range.start), self.to_file(range.end))
    }

    /// The file byte offset of `text_offset`.
    #[must_use]
    pub fn to_file(&self, text_offset: usize) -> usize {
        let idx = self.anchors.partition_point(|(t, _)| *t <= text_offset);
        let Some(&(t, f)) = idx.checked_sub(1).and_then(|i| self.anchors.get(i)) else {
            return self.anchors.first().map_or(text_offset, |a| a.1);
        };
        let linear = f.saturating_add(text_offset - t);
        self.anchors
            .get(idx)
            .map_or(linear, |next| linear.min(next.1))
    }

    fn push(&mut self, t: usize, f: usize) {
        match self.anchors.last_mut() {
            Some(last) if last.0 == t => *last = (t, f),
            _ => self.anchors.push((t, f)),
        }
    }
}

/// A template substitution from `--replace REGEX VALUE`. `value` may use `$1`/`${name}` like
/// [`regex::Regex::replace_all`].
#[derive(Debug, Clone)]
pub struct Replacement {
    pub pattern: regex::Regex,
    pub value: String,
}

/// An inline suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The comment itself.
    pub span: Span,
    /// Rule names (or codes) listed. Empty: every rule.
    pub rules: Vec<String>,
    /// `Some(i)`: applies to statement `i` of [`ParsedFile::statements`] (the next statement
    /// after the comment, or the statement the comment sits in). `None`: see `file_wide`.
    pub statement: Option<usize>,
    /// `true` for `ignore-file`. `statement == None && !file_wide`: a dangling `ignore` with no
    /// statement after it (it suppresses nothing).
    pub file_wide: bool,
}

/// One file after splitting and parsing.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub file: FileId,
    /// Statements in file order; DO-body statements follow their DO statement.
    pub statements: Vec<Statement>,
    pub ignores: Vec<Ignore>,
    /// Sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl Statement {
    /// What the statement does ([`Change::Other`](crate::model::ir::Change::Other) when it
    /// was not lowered or its IR was dropped after replay).
    #[must_use]
    pub fn change(&self) -> &crate::model::ir::Change {
        static OTHER: crate::model::ir::Change = crate::model::ir::Change::Other;
        self.ir.as_deref().unwrap_or(&OTHER)
    }

    /// Convert a sqlparser `Location` (1-based line, 1-based char column, relative to
    /// [`Self::text`]; lines end at `\n` only, as sqlparser counts them) to a byte offset in
    /// the original file. Out-of-range positions clamp to the end of the line / text.
    /// Converting many positions: [`Self::positions`] indexes the lines once. Meaningful
    /// while [`Self::text`] is kept: during lowering, or after [`parse_file_keep_ast`].
    #[must_use]
    pub fn file_offset(&self, line: u64, column: u64) -> usize {
        self.positions().file_offset(line, column)
    }

    /// The file span of a sqlparser span; `None` for empty spans (line 0).
    #[must_use]
    pub fn file_span(&self, s: sqlparser::tokenizer::Span) -> Option<Span> {
        self.positions().file_span(s)
    }

    /// A converter from sqlparser locations to file offsets with the lines indexed once.
    #[must_use]
    pub fn positions(&self) -> Positions<'_> {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|p| p + 1));
        Positions {
            stmt: self,
            line_starts,
            ascii: self.text.is_ascii(),
        }
    }
}

/// sqlparser locations of one statement to file offsets (see [`Statement::positions`]).
pub struct Positions<'a> {
    stmt: &'a Statement,
    /// Byte offset in the statement text where each line starts.
    line_starts: Vec<usize>,
    /// Character columns are byte columns.
    ascii: bool,
}

impl Positions<'_> {
    /// See [`Statement::file_offset`].
    #[must_use]
    pub fn file_offset(&self, line: u64, column: u64) -> usize {
        self.stmt.offsets.to_file(self.text_offset(line, column))
    }

    /// See [`Statement::file_span`].
    #[must_use]
    pub fn file_span(&self, s: sqlparser::tokenizer::Span) -> Option<Span> {
        if s.start.line == 0 || s.end.line == 0 {
            return None;
        }
        let start = self.file_offset(s.start.line, s.start.column);
        let end = self.file_offset(s.end.line, s.end.column).max(start);
        Some(Span::new(self.stmt.span.file(), start, end))
    }

    /// Byte offset in the statement text of sqlparser's (line, column).
    #[must_use]
    pub fn text_offset(&self, line: u64, column: u64) -> usize {
        let text = &self.stmt.text;
        let line = usize::try_from(line).unwrap_or(usize::MAX).max(1);
        let col = usize::try_from(column)
            .unwrap_or(usize::MAX)
            .saturating_sub(1);
        let Some(&start) = self.line_starts.get(line - 1) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |next| next - 1);
        if self.ascii {
            return start + col.min(end - start);
        }
        let line_text = text.get(start..end).unwrap_or_default();
        start
            + line_text
                .char_indices()
                .nth(col)
                .map_or(end - start, |(i, _)| i)
    }
}

/// Parse every applied file of the project (in parallel on the pool). One [`ParsedFile`] per
/// file, same index; files that are not applied get an empty one.
#[must_use]
pub fn parse_all(
    project: &crate::source::Project,
    replacements: &[Replacement],
    threads: Threads,
) -> Vec<ParsedFile> {
    let files: Vec<(FileId, &SourceFile)> = project.files.iter().enumerate().collect();
    threads.map(&files, |&(id, file)| {
        parse_or_skip(id, file, replacements, threads)
    })
}

fn parse_or_skip(
    id: FileId,
    file: &SourceFile,
    replacements: &[Replacement],
    threads: Threads,
) -> ParsedFile {
    if file.is_applied() {
        parse_file_with(id, file, replacements, false, threads)
    } else {
        skipped(id)
    }
}

fn skipped(id: FileId) -> ParsedFile {
    ParsedFile {
        file: id,
        ..ParsedFile::default()
    }
}

/// What one top-level piece produced; `DoBody` parents are indices into `statements`.
#[derive(Default)]
struct Local {
    statements: Vec<Statement>,
    diagnostics: Vec<Diagnostic>,
    comments: Vec<Range<usize>>,
}

struct Ctx<'a> {
    file_id: FileId,
    file: &'a SourceFile,
    replacements: &'a [Replacement],
    /// Keep sqlparser's AST on each statement (tests); normally dropped after lowering.
    keep_ast: bool,
    /// Whether a long file's batches are parsed on all cores.
    threads: Threads,
}

/// How deep `DO` blocks inside `DO` bodies are followed.
const MAX_DO_DEPTH: usize = 4;

/// What to do with a top-level `RAISE`, which PostgreSQL rejects (PL/pgSQL only).
pub const RAISE_HELP: &str =
    "move it into a `DO $$ BEGIN ... END $$;` block or a function body, or remove it";

/// Split and parse one file (only inside its `forward_ranges`).
#[must_use]
pub fn parse_file(file_id: FileId, file: &SourceFile, replacements: &[Replacement]) -> ParsedFile {
    parse_file_with(file_id, file, replacements, false, Threads::Pool)
}

/// [`parse_file`], keeping sqlparser's AST on each statement (for tests and tools that
/// need the tree; memory grows with it).
#[must_use]
pub fn parse_file_keep_ast(
    file_id: FileId,
    file: &SourceFile,
    replacements: &[Replacement],
) -> ParsedFile {
    parse_file_with(file_id, file, replacements, true, Threads::Pool)
}

fn parse_file_with(
    file_id: FileId,
    file: &SourceFile,
    replacements: &[Replacement],
    keep_ast: bool,
    threads: Threads,
) -> ParsedFile {
    let ctx = Ctx {
        file_id,
        file,
        replacements,
        keep_ast,
        threads,
    };
    parse_cut(&ctx, cut(&ctx))
}

/// Parse a split file whole (its batches on all cores, when `ctx.threads` says so).
fn parse_cut(ctx: &Ctx<'_>, cut: Cut) -> ParsedFile {
    let chunks: Vec<&[(split::RawStatement, bool)]> = cut.pieces.chunks(BATCH).collect();
    let threads = if chunks.len() > 1 {
        ctx.threads
    } else {
        Threads::Caller
    };
    let batches: Vec<Local> = threads.map(&chunks, |batch| parse_batch(ctx, batch));
    let mut file = Assembler::new(ctx.file_id);
    for batch in batches {
        file.push(batch);
    }
    file.finish(&ctx.file.text, cut.tail);
    file.parsed
}

/// Top-level pieces per batch: the unit of parallel parsing within a file, and the unit in
/// which a long file is handed to the replay while the rest of it is still being parsed
/// (see [`parse_all_while`]).
const BATCH: usize = 64;

/// A file split into its top-level pieces (each with `true` when the input ends inside it),
/// and what the split itself found.
struct Cut {
    pieces: Vec<(split::RawStatement, bool)>,
    tail: Tail,
}

/// What a file's split found besides its statements: unterminated-input diagnostics and the
/// top-level comments. Added to the file after its last batch.
#[derive(Default)]
struct Tail {
    diagnostics: Vec<Diagnostic>,
    comments: Vec<Range<usize>>,
}

/// Split the file (only inside its `forward_ranges`).
fn cut(ctx: &Ctx<'_>) -> Cut {
    let text = ctx.file.text.as_str();
    let mut pieces = Vec::new();
    let mut tail = Tail::default();
    for range in &ctx.file.forward_ranges {
        let cut = split::split(text, range.clone());
        if let Some((at, what)) = cut.unterminated {
            tail.diagnostics.push(unterminated(ctx, at, what));
        }
        let open = cut.unterminated.map(|(at, _)| at);
        pieces.extend(cut.statements.into_iter().map(|r| {
            let broken =
                open.is_some_and(|at| r.span.start <= at && at < r.span.end.max(r.span.start + 1));
            (r, broken)
        }));
        tail.comments.extend(cut.comments);
    }
    Cut { pieces, tail }
}

/// Parse consecutive top-level pieces into one [`Local`] (`DoBody` parents relative to it).
fn parse_batch(ctx: &Ctx<'_>, pieces: &[(split::RawStatement, bool)]) -> Local {
    let mut local = Local::default();
    for (raw, broken) in pieces {
        match &raw.kind {
            StatementKind::PsqlMeta(command) => local.diagnostics.push(Diagnostic {
                span: Span::new(ctx.file_id, raw.span.start, raw.span.end),
                kind: DiagKind::PsqlMeta {
                    command: command.clone(),
                },
            }),
            StatementKind::Sql => piece(
                ctx,
                raw.span.clone(),
                None,
                Origin::TopLevel,
                *broken,
                0,
                &mut local,
            ),
        }
    }
    local
}

/// Builds a [`ParsedFile`] from its batches, in file order, then its [`Tail`]: one way for a
/// file parsed whole and for one handed over batch by batch, so both give the same file.
struct Assembler {
    parsed: ParsedFile,
    comments: Vec<Range<usize>>,
}

impl Assembler {
    fn new(file: FileId) -> Self {
        Self {
            parsed: skipped(file),
            comments: Vec::new(),
        }
    }

    /// Append the next batch; its `DoBody` parents become indices into the whole file.
    fn push(&mut self, batch: Local) {
        let base = self.parsed.statements.len();
        self.parsed
            .statements
            .extend(batch.statements.into_iter().map(|mut s| {
                if let Origin::DoBody { parent, .. } = &mut s.origin {
                    *parent += base;
                }
                s
            }));
        self.parsed.diagnostics.extend(batch.diagnostics);
        self.comments.extend(batch.comments);
    }

    /// After the last batch: the split's findings, the ignore comments, sorted diagnostics.
    fn finish(&mut self, text: &str, tail: Tail) {
        self.parsed.diagnostics.extend(tail.diagnostics);
        self.comments.extend(tail.comments);
        self.comments.sort_by_key(|c| (c.start, c.end));
        self.parsed.ignores = ignore::collect(
            self.parsed.file,
            text,
            &self.comments,
            &self.parsed.statements,
        );
        self.parsed.diagnostics.sort();
    }
}

fn unterminated(ctx: &Ctx<'_>, at: usize, what: &'static str) -> Diagnostic {
    let text = ctx.file.text.as_str();
    let (what, len) = match what {
        "dollar-quoted body" => {
            let tag_end = split::dollar_tag_end(text.as_bytes(), at, text.len()).unwrap_or(at + 1);
            (
                format!("{what} {}", text.get(at..tag_end).unwrap_or("$$")),
                tag_end - at,
            )
        }
        "block comment" => (what.to_owned(), 2),
        "COPY FROM stdin data" => (what.to_owned(), 0),
        _ => (what.to_owned(), 1),
    };
    let end = (at + len).min(text.len());
    Diagnostic {
        span: Span::new(ctx.file_id, at, end),
        kind: DiagKind::Unterminated { what },
    }
}

/// Parse one statement at `span` (file offsets) and push it (and, for `DO`, its body's
/// statements) to `out`. `broken`: the input ends inside it (already diagnosed).
fn piece(
    ctx: &Ctx<'_>,
    span: Range<usize>,
    blank: Option<Range<usize>>,
    origin: Origin,
    broken: bool,
    depth: usize,
    out: &mut Local,
) {
    let original = ctx.file.text.get(span.clone()).unwrap_or_default();
    let blanked = blank.and_then(|b| {
        blanked(
            original,
            b.start.checked_sub(span.start)?..b.end.checked_sub(span.start)?,
        )
    });
    let original = blanked.as_deref().unwrap_or(original);
    let file_span = Span::new(ctx.file_id, span.start, span.end);
    if recover::leading_keyword(original).as_deref() == Some("DO") {
        do_statement(ctx, span, origin, depth, out);
        return;
    }
    if origin == Origin::TopLevel
        && let Some(parts) = schema_elements::split(original)
    {
        schema_statement(ctx, span, parts, depth, out);
        return;
    }
    let (text, offsets) = substitute(original, span.start, ctx.replacements);
    let mut statement = Statement {
        span: file_span,
        origin,
        text,
        offsets,
        ast: None,
        recovered: None,
        compat: Vec::new(),
        parsed: false,
        ir: None,
    };
    if broken {
        statement.recovered = recover::recover(&statement.text).map(Box::new);
        push_lowered(ctx, statement, None, out);
        return;
    }
    if origin == Origin::TopLevel
        && recover::leading_keyword(&statement.text).as_deref() == Some("RAISE")
    {
        out.diagnostics.push(Diagnostic {
            span: file_span,
            kind: DiagKind::RejectedByPostgres {
                reason: "RAISE is PL/pgSQL: outside a DO block or function body PostgreSQL rejects it as a syntax error".to_owned(),
                help: Some(RAISE_HELP),
            },
        });
    }
    if origin == Origin::TopLevel
        && let Some(change) = command::unknown(&statement.text, &statement.offsets, ctx.file_id)
    {
        statement.ir = Some(Box::new(change));
        keep(ctx, statement, out);
        return;
    }
    if let Some(change) = sequence::parse(&statement.text, &statement.offsets, ctx.file_id) {
        statement.parsed = true;
        statement.ir = Some(Box::new(change));
        keep(ctx, statement, out);
        return;
    }
    let mut parsed = tokenize::parse_statements(&statement.text);
    if parsed.is_err()
        && let Some(change) =
            sequence::alter_column(&statement.text, &statement.offsets, ctx.file_id)
                .or_else(|| publication::parse(&statement.text, &statement.offsets, ctx.file_id))
                .or_else(|| {
                    set_constraints::parse(&statement.text, &statement.offsets, ctx.file_id)
                })
                .or_else(|| dump_forms::parse(&statement.text, &statement.offsets, ctx.file_id))
    {
        statement.parsed = true;
        statement.ir = Some(Box::new(change));
        keep(ctx, statement, out);
        return;
    }
    if parsed.is_err()
        && let Some((text, notes)) = compat::rewrite(&statement.text)
    {
        let retry = tokenize::parse_statements(&text);
        if retry.is_ok() {
            parsed = retry;
            statement.compat = notes;
        }
    }
    // The AST stays in sqlparser's vector and is lowered from there: `ast::Statement` is
    // ~3.4 KB, and moving it into a box cost two copies per statement. Only callers that keep
    // the AST get it boxed into the statement.
    let (mut asts, error) = match parsed {
        Ok(asts) => {
            let n = asts.len();
            let error = (n > 1).then(|| {
                format!("read as {n} statements (a `--replace` value or an unusual construct added a separator); only the first is analysed")
            });
            (asts, error)
        }
        Err(e) => (
            Vec::new(),
            Some(error_text(ctx, &statement, &e.to_string())),
        ),
    };
    if let Some(error) = &error
        && asts.is_empty()
        && let Some(change) = cut_off(ctx, &statement.text, &span, error)
    {
        statement.ir = Some(Box::new(change));
        keep(ctx, statement, out);
        return;
    }
    if let Some(error) = error {
        let recovered = recover::recover(&statement.text);
        if asts.is_empty() {
            statement.recovered = recovered.clone().map(Box::new);
        }
        out.diagnostics.push(Diagnostic {
            span: file_span,
            kind: DiagKind::Unparsable {
                error,
                schema_relevant: recover::is_schema_relevant(&statement.text)
                    && !recovered.as_ref().is_some_and(recover::outside_model),
                recovered: recovered.map(|r| describe(&r)),
            },
        });
    }
    if ctx.keep_ast && !asts.is_empty() {
        statement.ast = Some(Box::new(asts.swap_remove(0)));
        push_lowered(ctx, statement, None, out);
    } else {
        push_lowered(ctx, statement, asts.first(), out);
    }
}

/// A statement PostgreSQL's grammar refuses because it ends inside parentheses: more `(` than
/// `)` outside strings, quoted names and comments, never fewer on the way, and sqlparser ran out
/// of input where PostgreSQL's grammar does too (a statement cut off, `CREATE TABLE t (id int`
/// at the end of a file: `syntax error at end of input`; before its `;`: `... at or near ";"`).
/// `span`: the statement's file offsets; `error`: sqlparser's.
fn cut_off(
    ctx: &Ctx<'_>,
    text: &str,
    span: &Range<usize>,
    error: &str,
) -> Option<crate::model::ir::Change> {
    if !error.contains("found: EOF") {
        return None;
    }
    let mut depth = 0usize;
    for t in lex::Lexer::new(text, 0..text.len()) {
        match t.kind {
            lex::Tok::Punct(b'(') => depth += 1,
            lex::Tok::Punct(b')') => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    if depth == 0 {
        return None;
    }
    let file = ctx.file.text.as_bytes();
    let (reason, at) = if file.get(span.end) == Some(&b';') {
        ("syntax error at or near \";\"", span.end..span.end + 1)
    } else {
        (
            "syntax error at end of input",
            span.end.saturating_sub(1)..span.end,
        )
    };
    Some(crate::model::ir::Change::refused(
        crate::model::Refusal::new(
            reason,
            "the statement ends inside parentheses: close each `(` (the statement may be cut \
             off, or a `)` lost)",
        ),
        Span::new(ctx.file_id, at.start, at.end),
    ))
}

/// Lower the statement (from `ast`, else its own kept AST) to the model's IR and keep it.
fn push_lowered(
    ctx: &Ctx<'_>,
    mut statement: Statement,
    ast: Option<&sqlparser::ast::Statement>,
    out: &mut Local,
) {
    let ir = {
        let ast = ast.or(statement.ast.as_deref());
        statement.parsed = ast.is_some();
        let plain_columns = matches!(statement.origin, Origin::TopLevel);
        crate::model::lower::lower_ast(&statement, ast, ctx.file_id, plain_columns)
    };
    statement.ir = Some(Box::new(ir));
    keep(ctx, statement, out);
}

/// Keep a statement that has its IR: its AST, its text copy and the offset map of that copy
/// are dropped (unless the caller keeps the AST), so memory follows the IR, not sqlparser's
/// trees or the input twice.
fn keep(ctx: &Ctx<'_>, mut statement: Statement, out: &mut Local) {
    if !ctx.keep_ast {
        statement.ast = None;
        statement.text = String::new();
        statement.offsets = OffsetMap::default();
    }
    out.statements.push(statement);
}

/// `ALTER TABLE platform.users`, `CREATE INDEX ix ON t`.
fn describe(r: &Recovered) -> String {
    let mut s = r.verb.clone();
    for part in [
        r.target.as_deref(),
        r.on.as_deref().map(|_| "ON"),
        r.on.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        s.push(' ');
        s.push_str(part);
    }
    s
}

/// `EXECUTE` of a computed string in a DO body (`span`: the string constant that starts the
/// DDL it runs): not read as a statement. Its verb tells the replay which objects may have
/// changed unseen; a warning says the analysis is incomplete from here.
fn dynamic_statement(ctx: &Ctx<'_>, span: Range<usize>, origin: Origin, out: &mut Local) {
    let fragment = ctx.file.text.get(span.clone()).unwrap_or_default();
    let recovered = recover::recover(fragment);
    let verb = recovered.as_ref().map(|r| r.verb.clone());
    out.diagnostics.push(Diagnostic {
        span: Span::new(ctx.file_id, span.start, span.end),
        kind: DiagKind::Unparsable {
            error: "EXECUTE runs a statement computed at run time (format(...), a variable, ||): \
                    what it creates, changes or drops is not known, so the checks that depend on \
                    those objects are off after it"
                .to_owned(),
            schema_relevant: true,
            recovered: verb.clone(),
        },
    });
    let ir = crate::model::ir::Change::Dynamic {
        verbs: dynamic_verbs(fragment),
    };
    out.statements.push(Statement::read_here(
        ctx, span, origin, recovered, ir, false,
    ));
}

/// What each statement of a computed EXECUTE's template does (`format($$ ALTER TABLE %I ENABLE
/// ROW LEVEL SECURITY; CREATE POLICY ... $$, t)`), as far as its words tell: the verb it
/// starts with, `ALTER TABLE ROW LEVEL SECURITY` for an ALTER TABLE that only enables,
/// disables or forces row-level security, `?` where nothing is recognised. A fragment that
/// is not a whole template (`'ALTER TABLE ' || t || ...`) is one statement with its verb.
fn dynamic_verbs(fragment: &str) -> Vec<String> {
    let cut = split::split(fragment, 0..fragment.len());
    cut.statements
        .iter()
        .filter(|piece| piece.kind == StatementKind::Sql)
        .filter_map(|piece| fragment.get(piece.span.clone()))
        .map(|text| {
            if rls_only(text) {
                return "ALTER TABLE ROW LEVEL SECURITY".to_owned();
            }
            recover::recover(text).map_or_else(|| "?".to_owned(), |r| r.verb)
        })
        .collect()
}

/// `ALTER TABLE [IF EXISTS] [ONLY] <name> {ENABLE | DISABLE | [NO] FORCE} ROW LEVEL SECURITY`
/// and nothing else (comments aside), the name being a word, a quoted name or a placeholder
/// (`%I`, `%1$I`, `%s`), qualified or not.
fn rls_only(text: &str) -> bool {
    let toks: Vec<lex::Token> = lex::Lexer::new(text, 0..text.len()).collect();
    let word = |i: usize| toks.get(i).and_then(|t| lex::upper(text, t));
    let mut i = 2;
    if word(0).as_deref() != Some("ALTER") || word(1).as_deref() != Some("TABLE") {
        return false;
    }
    if word(i).as_deref() == Some("IF") && word(i + 1).as_deref() == Some("EXISTS") {
        i += 2;
    }
    if word(i).as_deref() == Some("ONLY") {
        i += 1;
    }
    // The name: everything up to the first keyword of the action.
    let action = (i..toks.len()).find(|&k| {
        matches!(
            word(k).as_deref(),
            Some("ENABLE" | "DISABLE" | "FORCE" | "NO")
        )
    });
    let Some(k) = action.filter(|&k| k > i) else {
        return false;
    };
    let words: Vec<String> = (k..toks.len())
        .map(|j| word(j).unwrap_or_else(|| ";".to_owned()))
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["ENABLE" | "DISABLE" | "FORCE", "ROW", "LEVEL", "SECURITY"]
            | [
                "ENABLE" | "DISABLE" | "FORCE",
                "ROW",
                "LEVEL",
                "SECURITY",
                ";"
            ]
            | ["NO", "FORCE", "ROW", "LEVEL", "SECURITY"]
            | ["NO", "FORCE", "ROW", "LEVEL", "SECURITY", ";"]
    )
}

impl Statement {
    /// A statement the parse module reads itself, without sqlparser (a DO statement, a
    /// computed EXECUTE): its text, what was recovered from it, its IR.
    fn read_here(
        ctx: &Ctx<'_>,
        span: Range<usize>,
        origin: Origin,
        recovered: Option<Recovered>,
        ir: crate::model::ir::Change,
        parsed: bool,
    ) -> Self {
        let text = ctx.file.text.get(span.clone()).unwrap_or_default();
        Statement {
            span: Span::new(ctx.file_id, span.start, span.end),
            origin,
            text: text.to_owned(),
            offsets: OffsetMap::shift(span.start, text.len()),
            ast: None,
            recovered: recovered.map(Box::new),
            compat: Vec::new(),
            parsed,
            ir: Some(Box::new(ir)),
        }
    }
}

/// `CREATE SCHEMA s CREATE TABLE ... CREATE VIEW ...`: run like a DO block (atomic, every
/// part a statement of its body): the head creates the schema, which then leads the
/// search_path while the elements run, as PostgreSQL's CreateSchemaCommand does.
fn schema_statement(
    ctx: &Ctx<'_>,
    span: Range<usize>,
    parts: schema_elements::Parts,
    depth: usize,
    out: &mut Local,
) {
    use crate::model::ir::Change;
    let index = out.statements.len();
    let head = span.start + parts.head.start..span.start + parts.head.end;
    let recovered = Recovered {
        verb: "CREATE SCHEMA".to_owned(),
        // The schema's name as it could be written (`AUTHORIZATION role` alone: the role's).
        target: Some(crate::model::catalog::quote_ident(&parts.schema).to_string()),
        on: None,
        action: None,
    };
    out.statements.push(Statement::read_here(
        ctx,
        span.clone(),
        Origin::TopLevel,
        Some(recovered),
        Change::Do,
        true,
    ));
    let origin = Origin::DoBody {
        parent: index,
        conditional: false,
    };
    piece(ctx, head.clone(), None, origin, false, depth + 1, out);
    let schema = crate::model::catalog::Name::from(parts.schema.as_str());
    out.statements.push(Statement::read_here(
        ctx,
        head.end..head.end,
        origin,
        None,
        Change::PushSearchPath(schema),
        true,
    ));
    for e in parts.elements {
        piece(
            ctx,
            span.start + e.start..span.start + e.end,
            None,
            origin,
            false,
            depth + 1,
            out,
        );
    }
    out.statements.push(Statement::read_here(
        ctx,
        span.end..span.end,
        origin,
        None,
        Change::PopSearchPath,
        true,
    ));
}

fn do_statement(ctx: &Ctx<'_>, span: Range<usize>, origin: Origin, depth: usize, out: &mut Local) {
    let text = ctx.file.text.as_str();
    let index = out.statements.len();
    let recovered = Recovered {
        verb: "DO".to_owned(),
        target: None,
        on: None,
        action: None,
    };
    let ir = crate::model::ir::Change::Do;
    out.statements.push(Statement::read_here(
        ctx,
        span.clone(),
        origin,
        Some(recovered),
        ir,
        true,
    ));
    if depth >= MAX_DO_DEPTH {
        return;
    }
    let Some(body) = doblock::find_body(text, span) else {
        return;
    };
    let inner = doblock::extract(text, body);
    out.comments.extend(inner.comments);
    let open = inner.unterminated.map(|(at, _)| at);
    if let Some((at, what)) = inner.unterminated {
        out.diagnostics.push(unterminated(ctx, at, what));
    }
    let outer_conditional = matches!(
        origin,
        Origin::DoBody {
            conditional: true,
            ..
        }
    );
    for e in inner.statements {
        let broken = open.is_some_and(|at| e.span.start <= at && at < e.span.end);
        let origin = Origin::DoBody {
            parent: index,
            conditional: e.conditional || outer_conditional,
        };
        if e.dynamic {
            dynamic_statement(ctx, e.span, origin, out);
        } else if !e.each.is_empty() {
            formatted_statements(ctx, e.span, &e.each, origin, depth, out);
        } else {
            piece(ctx, e.span, e.blank, origin, broken, depth + 1, out);
        }
    }
}

/// `text` with the bytes of `range` (char boundaries) turned into spaces: the same length, so
/// every offset stays where it was.
fn blanked(text: &str, range: Range<usize>) -> Option<String> {
    let (before, rest) = text.split_at_checked(range.start)?;
    let after = rest.get(range.len()..)?;
    Some(format!("{before}{}{after}", " ".repeat(range.len())))
}

/// `format`'s placeholders for its first argument: `%I` (`%1$I`), `%s`, `%L`.
static PLACEHOLDERS: std::sync::LazyLock<[Option<regex::Regex>; 3]> =
    std::sync::LazyLock::new(|| {
        [r"%(?:1\$)?I", r"%(?:1\$)?s", r"%(?:1\$)?L"].map(|p| regex::Regex::new(p).ok())
    });

/// `EXECUTE format('template', v)` in a `FOREACH v IN ARRAY ['a', 'b']` loop: the template's
/// statements once per element, with `%I` / `%1$I` filled in as `format` does (`quote_ident`),
/// `%s` as is and `%L` as a literal. They map back to the template's text.
fn formatted_statements(
    ctx: &Ctx<'_>,
    template: Range<usize>,
    elements: &[String],
    origin: Origin,
    depth: usize,
    out: &mut Local,
) {
    let cut = split::split(&ctx.file.text, template);
    for element in elements {
        // As `format` fills them: an identifier quoted as needed, the text as is, a literal.
        let values = [
            crate::model::catalog::quote_ident(element),
            element.clone(),
            format!("'{}'", element.replace('\'', "''")),
        ];
        let mut replacements: Vec<Replacement> = ctx.replacements.to_vec();
        replacements.extend(PLACEHOLDERS.iter().zip(values).filter_map(|(re, v)| {
            Some(Replacement {
                pattern: re.as_ref()?.clone(),
                value: v.replace('$', "$$"),
            })
        }));
        let filled = Ctx {
            replacements: &replacements,
            ..*ctx
        };
        for s in cut
            .statements
            .iter()
            .filter(|s| s.kind == StatementKind::Sql)
        {
            piece(&filled, s.span.clone(), None, origin, false, depth + 1, out);
        }
    }
}

/// Apply the replacements in order to `original` (which starts at `file_start` in the file).
fn substitute(
    original: &str,
    file_start: usize,
    replacements: &[Replacement],
) -> (String, OffsetMap) {
    let mut text = original.to_owned();
    let mut map = OffsetMap::shift(file_start, original.len());
    for r in replacements {
        if let Some((t, m)) = substitute_one(&text, &map, r) {
            text = t;
            map = m;
        }
    }
    (text, map)
}

fn substitute_one(text: &str, map: &OffsetMap, r: &Replacement) -> Option<(String, OffsetMap)> {
    let mut out = String::with_capacity(text.len());
    let mut anchors = OffsetMap::default();
    let mut last = 0;
    let mut any = false;
    let copy = |out: &mut String, anchors: &mut OffsetMap, a: usize, b: usize| {
        anchors.push(out.len(), map.to_file(a));
        for &(t, f) in &map.anchors {
            if a < t && t < b {
                anchors.push(out.len() + t - a, f);
            }
        }
        out.push_str(text.get(a..b).unwrap_or_default());
    };
    for caps in r.pattern.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        any = true;
        copy(&mut out, &mut anchors, last, m.start());
        anchors.push(out.len(), map.to_file(m.start()));
        caps.expand(&r.value, &mut out);
        last = m.end();
    }
    if !any {
        return None;
    }
    copy(&mut out, &mut anchors, last, text.len());
    anchors.push(out.len(), map.to_file(text.len()));
    Some((out, anchors))
}

/// sqlparser's message, without its `sql parser error: ` prefix, with `Line: N, Column: M`
/// made relative to the file, and a hint when a template placeholder is left.
fn error_text(ctx: &Ctx<'_>, statement: &Statement, message: &str) -> String {
    let mut msg = message
        .strip_prefix("sql parser error: ")
        .unwrap_or(message)
        .to_owned();
    if let Some((line, column, range)) = find_location(&msg) {
        let offset = statement.file_offset(line, column);
        let (fl, fc) = ctx.file.lines.line_col(&ctx.file.text, offset);
        msg.replace_range(range, &format!("Line: {fl}, Column: {fc}"));
    }
    if has_placeholder(&statement.text) {
        msg.push_str(" (the statement contains a template placeholder; substitute it with `--replace REGEX VALUE`)");
    }
    msg
}

/// Find `Line: N, Column: M` in a message.
fn find_location(msg: &str) -> Option<(u64, u64, Range<usize>)> {
    let start = msg.rfind("Line: ")?;
    let rest = msg.get(start + 6..)?;
    let line_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let line = rest.get(..line_len)?.parse().ok()?;
    let rest = rest.get(line_len..)?.strip_prefix(", Column: ")?;
    let col_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let column = rest.get(..col_len)?.parse().ok()?;
    let end = start + 6 + line_len + ", Column: ".len() + col_len;
    Some((line, column, start..end))
}

fn has_placeholder(text: &str) -> bool {
    text.contains("{{") || text.contains("${")
}

#[cfg(test)]
mod tests;
