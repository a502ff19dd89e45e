//! Stage 2 helper: `DO` blocks. sqlparser has no `DO` support, and real migrations hide DDL in
//! them (conditional `CREATE TYPE`, `ADD CONSTRAINT` guarded by `IF NOT EXISTS`). This module
//! finds the body of a `DO` statement and cuts the static SQL statements out of the PL/pgSQL,
//! stripping control words (`BEGIN`, `IF ... THEN`, `EXCEPTION WHEN ... THEN`, `LOOP`...) and
//! skipping PL/pgSQL-only statements (`RAISE`, `PERFORM`, assignments, dynamic `EXECUTE`...).
//! `EXECUTE 'one statement'` with a plain string is that statement: it is cut out of the
//! string (when no escape changes offsets), so what it creates is modelled like the rest.

use std::ops::Range;

use super::lex::{Lexer, Tok, Token, is_kw, upper};
use super::split::{StatementKind, split};

/// Where the PL/pgSQL source of a `DO` statement lies, as byte offsets in the file text
/// (inside the quotes).
pub(crate) fn find_body(text: &str, span: Range<usize>) -> Option<Range<usize>> {
    let mut toks = Lexer::new(text, span);
    let first = toks.next()?;
    if !is_kw(text, &first, "DO") {
        return None;
    }
    let mut body = None;
    let mut language_ok = true;
    while let Some(t) = toks.next() {
        if is_kw(text, &t, "LANGUAGE") {
            let lang = toks.next()?;
            let name = text
                .get(lang.range.clone())?
                .trim_matches(|c| c == '\'' || c == '"');
            language_ok = name.eq_ignore_ascii_case("plpgsql");
        } else if t.kind == Tok::Str && body.is_none() {
            body = Some(t.range);
        } else {
            return None;
        }
    }
    let r = body?;
    if !language_ok {
        return None;
    }
    string_contents(text, r)
}

/// The contents of the string constant at `r` (dollar-quoted, or single-quoted without an
/// escape that would change offsets), as file offsets.
fn string_contents(text: &str, r: Range<usize>) -> Option<Range<usize>> {
    let raw = text.get(r.clone())?;
    if raw.starts_with('$') {
        let tag_len = raw.get(1..)?.find('$')? + 2;
        let tag = raw.get(..tag_len)?;
        if raw.len() < 2 * tag_len || !raw.ends_with(tag) {
            return None; // unterminated
        }
        Some(r.start + tag_len..r.end - tag_len)
    } else {
        // '...': only when no escape changes offsets.
        let inner = raw.strip_prefix('\'')?.strip_suffix('\'')?;
        (!inner.contains('\'') && !inner.contains('\\')).then(|| r.start + 1..r.end - 1)
    }
}

/// One static SQL statement found in a `DO` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Extracted {
    pub span: Range<usize>,
    /// In a branch or loop, in an exception handler, or in a block with an `EXCEPTION`
    /// clause: it may not run, or its error may be caught.
    pub conditional: bool,
    /// `EXECUTE` of a computed string (`format('DROP POLICY %I ON t', ...)`, `'...' || x`):
    /// `span` is its first string constant that starts with CREATE, ALTER or DROP, a fragment
    /// of the statement it runs, which cannot be read as the statement itself.
    pub dynamic: bool,
    /// `EXECUTE format('template', v)` in a `FOREACH v IN ARRAY [...]` loop over string
    /// constants: `span` is the template, to be read once per element with its placeholders
    /// (`%I`, `%1$I`, `%s`, `%L`) filled in. Empty otherwise.
    pub each: Vec<String>,
    /// Text of `span` that is PL/pgSQL, not SQL, to be read as blanks: the `INTO [STRICT]
    /// target, ...` of a `SELECT` that stores its row in variables.
    pub blank: Option<Range<usize>>,
}

/// A statement found, before its blocks' EXCEPTION clauses are known: (span, in a branch,
/// enclosing blocks, dynamic, elements, blank).
type Found = (
    Range<usize>,
    bool,
    Vec<usize>,
    bool,
    Vec<String>,
    Option<Range<usize>>,
);

/// The result of [`extract`].
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub statements: Vec<Extracted>,
    pub comments: Vec<Range<usize>>,
    pub unterminated: Option<(usize, &'static str)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Block(usize),
    If,
    Case,
    Loop,
    Handler,
}

/// PL/pgSQL statements that are never static SQL.
const SKIP: &[&str] = &[
    "ASSERT", "CLOSE", "COMMIT", "CONTINUE", "EXECUTE", "EXIT", "FETCH", "GET", "MOVE", "NULL",
    "OPEN", "PERFORM", "RAISE", "RETURN", "ROLLBACK",
];

/// Cut the static SQL statements out of the PL/pgSQL `body` (file offsets).
pub(crate) fn extract(text: &str, body: Range<usize>) -> Body {
    let cut = split(text, body);
    let mut frames: Vec<Frame> = Vec::new();
    let mut has_exception: Vec<bool> = Vec::new();
    let mut in_declare = false;
    // (span, in a branch, enclosing blocks, dynamic, elements)
    let mut found: Vec<Found> = Vec::new();
    // Variables declared with an array of string constants (`arr text[] := ARRAY['a', 'b']`).
    let mut arrays: Vec<(String, Vec<String>)> = Vec::new();
    // Open `FOREACH v IN ARRAY ...` loops over known elements: (frame depth, v, elements).
    let mut foreach: Vec<(usize, String, Vec<String>)> = Vec::new();

    for piece in &cut.statements {
        if piece.kind != StatementKind::Sql {
            continue;
        }
        let toks: Vec<Token> = Lexer::new(text, piece.span.clone()).collect();
        let mut i = 0;
        let rest = loop {
            let Some(t) = toks.get(i) else { break None };
            let kw = upper(text, t);
            if t.kind == Tok::Punct(b'<')
                && toks.get(i + 1).is_some_and(|n| n.kind == Tok::Punct(b'<'))
            {
                // <<label>>
                i = skip_label(&toks, i);
                continue;
            }
            match kw.as_deref() {
                Some("DECLARE") => {
                    in_declare = true;
                    if let Some(a) = toks.get(i + 1..).and_then(|d| declared_array(text, d)) {
                        arrays.push(a);
                    }
                    break None;
                }
                Some("BEGIN") => {
                    in_declare = false;
                    frames.push(Frame::Block(has_exception.len()));
                    has_exception.push(false);
                    i += 1;
                }
                _ if in_declare => {
                    if let Some(a) = toks.get(i..).and_then(|d| declared_array(text, d)) {
                        arrays.push(a);
                    }
                    break None;
                }
                Some("IF") => {
                    // Its condition is evaluated where the IF stands: a subquery there
                    // (`IF NOT EXISTS (SELECT 1 FROM t ...)`) is a query of the block.
                    let end = skip_until(text, &toks, i + 1, "THEN");
                    let (branch, blocks) = context(&frames);
                    for query in subqueries(text, toks.get(i + 1..end).unwrap_or(&[])) {
                        found.push((query, branch, blocks.clone(), false, Vec::new(), None));
                    }
                    frames.push(Frame::If);
                    i = end + 1;
                }
                Some("ELSIF" | "ELSEIF") => i = skip_past(text, &toks, i + 1, "THEN"),
                Some("ELSE") => i += 1,
                Some("CASE") => {
                    frames.push(Frame::Case);
                    i = skip_until(text, &toks, i + 1, "WHEN");
                }
                Some("WHEN") => i = skip_past(text, &toks, i + 1, "THEN"),
                Some("EXCEPTION") => {
                    if let Some(Frame::Block(b)) =
                        frames.iter().rev().find(|f| matches!(f, Frame::Block(_)))
                        && let Some(flag) = has_exception.get_mut(*b)
                    {
                        *flag = true;
                    }
                    frames.push(Frame::Handler);
                    i += 1;
                }
                Some("LOOP") => {
                    frames.push(Frame::Loop);
                    i += 1;
                }
                Some("WHILE" | "FOR" | "FOREACH") => {
                    let end = skip_until(text, &toks, i + 1, "LOOP");
                    // `FOR r IN SELECT ... LOOP`: the query runs where the loop starts, before
                    // any of its body (and runs even if it returns no row).
                    let header = toks.get(i + 1..end).unwrap_or(&[]);
                    if kw.as_deref() == Some("FOR")
                        && let Some(query) = loop_query(text, header)
                    {
                        let (branch, blocks) = context(&frames);
                        found.push((query, branch, blocks, false, Vec::new(), None));
                    }
                    frames.push(Frame::Loop);
                    if kw.as_deref() == Some("FOREACH")
                        && let Some((var, elements)) = foreach_array(text, header, &arrays)
                    {
                        foreach.push((frames.len(), var, elements));
                    }
                    i = end + 1;
                }
                Some("END") => {
                    let what = toks.get(i + 1).and_then(|n| upper(text, n));
                    let pop_to = |frames: &mut Vec<Frame>, want: fn(&Frame) -> bool| {
                        while let Some(f) = frames.pop() {
                            if want(&f) {
                                break;
                            }
                        }
                    };
                    match what.as_deref() {
                        Some("IF") => pop_to(&mut frames, |f| *f == Frame::If),
                        Some("LOOP") => pop_to(&mut frames, |f| *f == Frame::Loop),
                        Some("CASE") => pop_to(&mut frames, |f| *f == Frame::Case),
                        _ => pop_to(&mut frames, |f| matches!(f, Frame::Block(_))),
                    }
                    foreach.retain(|(depth, ..)| *depth <= frames.len());
                    break None;
                }
                _ => break Some(i),
            }
        };
        let Some(i) = rest else { continue };
        let (Some(first), Some(tail)) = (toks.get(i), toks.get(i..)) else {
            continue;
        };
        let mut each = Vec::new();
        let blank = select_into(text, tail);
        let (span, dynamic) = match executed_string(text, tail) {
            Some(inner) => (inner, false),
            None if blank.is_some() => (first.range.start..piece.span.end, false),
            None if is_static_sql(text, tail) => {
                let end = returning_into(text, tail).unwrap_or(piece.span.end);
                (first.range.start..end, false)
            }
            None => match formatted_in_loop(text, tail, &foreach) {
                Some((template, elements)) => {
                    each = elements;
                    (template, false)
                }
                None => match computed_ddl(text, tail) {
                    Some(fragment) => (fragment, true),
                    None => continue,
                },
            },
        };
        let (branch, blocks) = context(&frames);
        found.push((span, branch, blocks, dynamic, each, blank));
    }

    let statements = found
        .into_iter()
        .map(|(span, branch, blocks, dynamic, each, blank)| Extracted {
            span,
            dynamic,
            each,
            blank,
            conditional: dynamic
                || branch
                || blocks
                    .iter()
                    .any(|b| has_exception.get(*b).copied().unwrap_or(false)),
        })
        .collect();
    Body {
        statements,
        comments: cut.comments,
        unterminated: cut.unterminated,
    }
}

/// String constants without escapes (`'resource'`), as written between the quotes.
fn plain_string(text: &str, t: &Token) -> Option<String> {
    let inner = text
        .get(t.range.clone())?
        .strip_prefix('\'')?
        .strip_suffix('\'')?;
    (t.kind == Tok::Str && !inner.contains(['\'', '\\'])).then(|| inner.to_owned())
}

/// `ARRAY['a', 'b', ...]` (string constants only) at the start of `toks`, with the tokens used.
fn array_literal(text: &str, toks: &[Token]) -> Option<(Vec<String>, usize)> {
    if !toks.first().is_some_and(|t| is_kw(text, t, "ARRAY"))
        || toks.get(1).map(|t| &t.kind) != Some(&Tok::Punct(b'['))
    {
        return None;
    }
    let mut out = Vec::new();
    let mut k = 2;
    loop {
        out.push(plain_string(text, toks.get(k)?)?);
        match toks.get(k + 1)?.kind {
            Tok::Punct(b',') => k += 2,
            Tok::Punct(b']') => return Some((out, k + 2)),
            _ => return None,
        }
    }
}

/// A DECLARE line `name text[] := ARRAY['a', 'b'];` (or `DEFAULT`): the name and the elements.
fn declared_array(text: &str, toks: &[Token]) -> Option<(String, Vec<String>)> {
    let name = toks.first().filter(|t| t.kind == Tok::Word)?;
    let at = toks
        .iter()
        .position(|t| t.kind == Tok::Punct(b'=') || is_kw(text, t, "DEFAULT"))?;
    let (elements, used) = array_literal(text, toks.get(at + 1..)?)?;
    (toks.len() <= at + 1 + used + 1).then(|| {
        (
            text.get(name.range.clone())
                .unwrap_or_default()
                .to_ascii_lowercase(),
            elements,
        )
    })
}

/// `FOREACH v IN ARRAY <array>` over known string constants: `v` and the elements.
fn foreach_array(
    text: &str,
    header: &[Token],
    arrays: &[(String, Vec<String>)],
) -> Option<(String, Vec<String>)> {
    let [var, in_kw, array_kw, rest @ ..] = header else {
        return None;
    };
    if var.kind != Tok::Word || !is_kw(text, in_kw, "IN") || !is_kw(text, array_kw, "ARRAY") {
        return None;
    }
    let var = text.get(var.range.clone())?.to_ascii_lowercase();
    let elements = match rest {
        [name] if name.kind == Tok::Word => {
            let name = text.get(name.range.clone())?.to_ascii_lowercase();
            arrays.iter().rev().find(|(n, _)| *n == name)?.1.clone()
        }
        _ => {
            let (elements, used) = array_literal(text, rest)?;
            (used == rest.len()).then_some(elements)?
        }
    };
    (!elements.is_empty()).then_some((var, elements))
}

/// `EXECUTE format('template', v [, v ...])` where `v` is the variable of an open FOREACH
/// over known elements: the template's contents and the elements.
fn formatted_in_loop(
    text: &str,
    toks: &[Token],
    foreach: &[(usize, String, Vec<String>)],
) -> Option<(Range<usize>, Vec<String>)> {
    let [execute, format, open, template, args @ ..] = toks else {
        return None;
    };
    if !is_kw(text, execute, "EXECUTE")
        || !is_kw(text, format, "FORMAT")
        || open.kind != Tok::Punct(b'(')
        || template.kind != Tok::Str
    {
        return None;
    }
    // `, v` repeated, then `)`.
    let (close, pairs) = args.split_last()?;
    if close.kind != Tok::Punct(b')') || pairs.is_empty() || pairs.len() % 2 != 0 {
        return None;
    }
    let mut var = None;
    for pair in pairs.chunks(2) {
        let [comma, v] = pair else { return None };
        let name = text.get(v.range.clone())?.to_ascii_lowercase();
        if comma.kind != Tok::Punct(b',')
            || v.kind != Tok::Word
            || var.as_ref().is_some_and(|w| *w != name)
        {
            return None;
        }
        var = Some(name);
    }
    let var = var?;
    let (_, _, elements) = foreach.iter().rev().find(|(_, v, _)| *v == var)?;
    Some((
        string_contents(text, template.range.clone())?,
        elements.clone(),
    ))
}

/// Whether a statement at this point is in a branch or loop, and the blocks around it.
fn context(frames: &[Frame]) -> (bool, Vec<usize>) {
    let branch = frames.iter().any(|f| !matches!(f, Frame::Block(_)));
    let blocks = frames
        .iter()
        .filter_map(|f| match f {
            Frame::Block(b) => Some(*b),
            _ => None,
        })
        .collect();
    (branch, blocks)
}

/// The query of `FOR target [, target...] IN query` (the tokens between `FOR` and `LOOP`),
/// when it is a `SELECT` or `WITH` query, or `EXECUTE` of one plain string: not an integer
/// range, a computed `EXECUTE`, or a cursor.
fn loop_query(text: &str, header: &[Token]) -> Option<Range<usize>> {
    let at = header.iter().position(|t| is_kw(text, t, "IN"))?;
    let targets = header.get(..at)?;
    let names_only = !targets.is_empty()
        && targets
            .iter()
            .all(|t| matches!(t.kind, Tok::Word | Tok::Quoted | Tok::Punct(b',' | b'.')));
    let query = header.get(at + 1..)?;
    let (first, last) = (query.first()?, query.last()?);
    if !names_only {
        return None;
    }
    if is_kw(text, first, "SELECT") || is_kw(text, first, "WITH") {
        return Some(first.range.start..last.range.end);
    }
    // `FOR r IN EXECUTE 'SELECT ...'`: a plain string, without USING.
    executed_string(text, query)
}

/// The outermost parenthesised `SELECT` / `WITH` queries of an expression, as file offsets.
fn subqueries(text: &str, toks: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut open: Option<(usize, usize)> = None; // (depth inside, start)
    for (k, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Punct(b'(') => {
                depth += 1;
                let query = toks
                    .get(k + 1)
                    .is_some_and(|n| is_kw(text, n, "SELECT") || is_kw(text, n, "WITH"));
                if open.is_none()
                    && query
                    && let Some(n) = toks.get(k + 1)
                {
                    open = Some((depth, n.range.start));
                }
            }
            Tok::Punct(b')') => {
                if let Some((d, start)) = open
                    && d == depth
                    && let Some(prev) = k.checked_sub(1).and_then(|p| toks.get(p))
                {
                    out.push(start..prev.range.end);
                    open = None;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    out
}

/// `EXECUTE 'statement'`: the one SQL statement inside the string, as file offsets. Not for
/// a computed string (`format(...)`, a variable, `||`), `USING` parameters or `INTO`.
fn executed_string(text: &str, toks: &[Token]) -> Option<Range<usize>> {
    let [first, s] = toks else {
        return None;
    };
    if !is_kw(text, first, "EXECUTE") || s.kind != Tok::Str {
        return None;
    }
    let inner = string_contents(text, s.range.clone())?;
    let cut = split(text, inner);
    match cut.statements.as_slice() {
        [one] if one.kind == StatementKind::Sql && cut.unterminated.is_none() => {
            Some(one.span.clone())
        }
        _ => None,
    }
}

/// `EXECUTE` of a computed string that runs DDL: the contents of its first string constant
/// that starts with CREATE, ALTER or DROP.
fn computed_ddl(text: &str, toks: &[Token]) -> Option<Range<usize>> {
    if !toks.first().is_some_and(|t| is_kw(text, t, "EXECUTE")) {
        return None;
    }
    // A string with escapes is not read, but its place inside the quotes still shows it.
    let inside = |t: &Token| {
        string_contents(text, t.range.clone())
            .or_else(|| Some(t.range.start + 1..t.range.end.checked_sub(1)?))
            .filter(|r| r.start <= r.end)
    };
    toks.iter()
        .filter(|t| t.kind == Tok::Str)
        .filter_map(inside)
        .find(|inner| {
            // Its first word, after blanks and comments.
            Lexer::new(text, inner.clone()).next().is_some_and(|first| {
                ["CREATE", "ALTER", "DROP"]
                    .iter()
                    .any(|v| is_kw(text, &first, v))
            })
        })
}

/// Index just past a `<<label>>` starting at `i`.
fn skip_label(toks: &[Token], i: usize) -> usize {
    let mut j = i + 2;
    while let Some(t) = toks.get(j) {
        if t.kind == Tok::Punct(b'>') && toks.get(j + 1).is_some_and(|n| n.kind == Tok::Punct(b'>'))
        {
            return j + 2;
        }
        j += 1;
    }
    j
}

/// Index of the first `kw` at parenthesis and CASE depth 0 from `i` (or the end).
fn skip_until(text: &str, toks: &[Token], i: usize, kw: &str) -> usize {
    let mut paren = 0i32;
    let mut case = 0usize;
    let mut j = i;
    while let Some(t) = toks.get(j) {
        match t.kind {
            Tok::Punct(b'(') => paren += 1,
            Tok::Punct(b')') => paren -= 1,
            Tok::Word if paren == 0 => {
                if case == 0 && is_kw(text, t, kw) {
                    return j;
                }
                if is_kw(text, t, "CASE") {
                    case += 1;
                } else if case > 0 && is_kw(text, t, "END") {
                    case -= 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    j
}

/// Index just past the first `kw` at depth 0 from `i`.
fn skip_past(text: &str, toks: &[Token], i: usize, kw: &str) -> usize {
    skip_until(text, toks, i, kw) + 1
}

/// The `INTO [STRICT] target [, ...]` of a PL/pgSQL `[WITH ...] SELECT ... INTO variables ...`
/// (anywhere in the statement at depth 0, as PL/pgSQL allows): the bytes from `INTO` to the
/// last target. `None` for other statements or an `INTO` not followed by targets. (Given to
/// sqlparser whole, `WITH ... SELECT x INTO v` read as `CREATE TABLE v AS`.)
fn select_into(text: &str, toks: &[Token]) -> Option<Range<usize>> {
    let first = toks.first()?;
    let select = if is_kw(text, first, "SELECT") {
        0
    } else if is_kw(text, first, "WITH") {
        skip_until(text, toks, 1, "SELECT")
    } else {
        return None;
    };
    let into = skip_until(text, toks, select + 1, "INTO");
    let start = toks.get(into)?.range.start;
    let end = targets_end(text, toks, into + 1)?;
    Some(start..toks.get(end - 1)?.range.end)
}

/// Index just past the `[STRICT] target [, target ...]` list starting at `j` (each a name or
/// a qualified name, `rec.field`), or `None` if no target starts there.
fn targets_end(text: &str, toks: &[Token], mut j: usize) -> Option<usize> {
    if toks.get(j).is_some_and(|t| is_kw(text, t, "STRICT")) {
        j += 1;
    }
    loop {
        match toks.get(j).map(|t| t.kind) {
            Some(Tok::Word | Tok::Quoted) => j += 1,
            _ => return None,
        }
        match toks.get(j).map(|t| t.kind) {
            Some(Tok::Punct(b'.' | b',')) => j += 1,
            _ => return Some(j),
        }
    }
}

/// Where the SQL of `INSERT / UPDATE / DELETE / MERGE ... RETURNING ... INTO [STRICT] target
/// [, ...]` ends (the end of the text before that `INTO`): PL/pgSQL's `INTO` stores the returned
/// row in variables and is not SQL. `None` when there is no such `INTO` at the end.
fn returning_into(text: &str, toks: &[Token]) -> Option<usize> {
    let returning = skip_until(text, toks, 0, "RETURNING");
    let into = skip_until(text, toks, returning + 1, "INTO");
    let before = toks.get(..into)?.last()?;
    (targets_end(text, toks, into + 1)? == toks.len()).then_some(before.range.end)
}

/// `false` for PL/pgSQL-only statements: `RAISE`, `PERFORM`, `x := ...`, `SELECT ... INTO var`...
fn is_static_sql(text: &str, toks: &[Token]) -> bool {
    let Some(first) = toks.first() else {
        return false;
    };
    if let Some(kw) = upper(text, first) {
        if SKIP.contains(&kw.as_str()) {
            return false;
        }
        if kw == "SELECT" && skip_until(text, toks, 1, "INTO") < toks.len() {
            return false; // SELECT ... INTO variable
        }
    }
    // assignment: name [. name]* [ '[' ... ']' ] (:= | =)
    let mut j = 0;
    while toks
        .get(j)
        .is_some_and(|t| matches!(t.kind, Tok::Word | Tok::Quoted))
    {
        j += 1;
        if toks.get(j).is_some_and(|t| t.kind == Tok::Punct(b'.')) {
            j += 1;
        } else {
            break;
        }
    }
    if j == 0 {
        return true;
    }
    if toks.get(j).is_some_and(|t| t.kind == Tok::Punct(b'[')) {
        while toks.get(j).is_some_and(|t| t.kind != Tok::Punct(b']')) {
            j += 1;
        }
        j += 1;
    }
    let assign = match toks.get(j).map(|t| t.kind) {
        Some(Tok::Punct(b'=')) => true,
        Some(Tok::Punct(b':')) => toks.get(j + 1).is_some_and(|t| t.kind == Tok::Punct(b'=')),
        _ => false,
    };
    !assign
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(t: &str) -> Option<&str> {
        find_body(t, 0..t.len()).and_then(|r| t.get(r))
    }

    /// The statements found, their PL/pgSQL parts cut out (`[...]` where bytes are blanked).
    /// The statements [`stmts`] reads out of `t` are `want`.
    #[track_caller]
    fn assert_stmts(t: &str, want: &[(&str, bool)]) {
        let got = stmts(t);
        let got: Vec<(&str, bool)> = got.iter().map(|(s, c)| (s.as_str(), *c)).collect();
        assert_eq!(got, want);
    }

    fn stmts(t: &str) -> Vec<(String, bool)> {
        let body = find_body(t, 0..t.len()).unwrap_or(0..0);
        extract(t, body)
            .statements
            .iter()
            .map(|e| {
                let text = match &e.blank {
                    Some(b) => format!(
                        "{}[...]{}",
                        &t[e.span.start..b.start],
                        &t[b.end..e.span.end]
                    ),
                    None => t[e.span.clone()].to_owned(),
                };
                (text, e.conditional)
            })
            .collect()
    }

    #[test]
    fn finds_bodies() {
        assert_eq!(body_of("DO $$ BEGIN END $$"), Some(" BEGIN END "));
        assert_eq!(body_of("DO $body$BEGIN END$body$"), Some("BEGIN END"));
        assert_eq!(body_of("DO LANGUAGE plpgsql $x$ y $x$"), Some(" y "));
        assert_eq!(body_of("DO $x$ y $x$ LANGUAGE 'plpgsql'"), Some(" y "));
        assert_eq!(body_of("DO 'BEGIN END'"), Some("BEGIN END"));
        assert_eq!(body_of("DO 'BEGIN RAISE ''x''; END'"), None);
        assert_eq!(body_of("DO LANGUAGE plv8 $$ x $$"), None);
        assert_eq!(body_of("DO $$ unterminated"), None);
        assert_eq!(body_of("SELECT $$ x $$"), None);
    }

    #[test]
    fn unconditional_statements() {
        let t = "DO $$\nDECLARE\n  n int := 0;\n  m text;\nBEGIN\n  CREATE TABLE a (id int);\n  \
                 n := 1;\n  m = 'x';\n  RAISE NOTICE 'hi; there';\n  PERFORM pg_sleep(0);\n  \
                 EXECUTE 'CREATE TABLE dyn (x int)';\n  SELECT count(*) INTO n FROM a;\n  \
                 GET DIAGNOSTICS n = ROW_COUNT;\n  ALTER TABLE a ADD COLUMN b int;\n  NULL;\n  RETURN;\nEND\n$$";
        assert_stmts(
            t,
            &[
                ("CREATE TABLE a (id int)", false),
                ("CREATE TABLE dyn (x int)", false),
                ("SELECT count(*) [...] FROM a", false),
                ("ALTER TABLE a ADD COLUMN b int", false),
            ],
        );
    }

    #[test]
    fn returning_into_variables_is_cut_off() {
        let t = "DO $$\nDECLARE id_ bigint; r record;\nBEGIN\n  \
                 INSERT INTO a (x) VALUES (1) RETURNING id INTO id_;\n  \
                 UPDATE a SET x = 2 WHERE id = id_ RETURNING id, x INTO STRICT r.a, r.b;\n  \
                 DELETE FROM a WHERE x IN (SELECT x FROM b) RETURNING (SELECT 1) INTO id_;\n  \
                 INSERT INTO a (x) SELECT y FROM c RETURNING x INTO id_, \"Q\";\n  \
                 INSERT INTO a (x) VALUES (3) RETURNING id INTO id_ + 1;\n  \
                 INSERT INTO a (x) VALUES (4);\nEND $$";
        assert_stmts(
            t,
            &[
                ("INSERT INTO a (x) VALUES (1) RETURNING id", false),
                ("UPDATE a SET x = 2 WHERE id = id_ RETURNING id, x", false),
                (
                    "DELETE FROM a WHERE x IN (SELECT x FROM b) RETURNING (SELECT 1)",
                    false,
                ),
                ("INSERT INTO a (x) SELECT y FROM c RETURNING x", false),
                // not a list of targets: left whole (sqlparser says what it cannot read)
                (
                    "INSERT INTO a (x) VALUES (3) RETURNING id INTO id_ + 1",
                    false,
                ),
                ("INSERT INTO a (x) VALUES (4)", false),
            ],
        );
    }

    #[test]
    fn select_into_variables_is_blanked() {
        let t = "DO $$\nDECLARE n int; r record;\nBEGIN\n  \
                 SELECT count(*) INTO n FROM a WHERE k = 'x';\n  \
                 SELECT INTO STRICT r.a, r.b x, y FROM b;\n  \
                 SELECT (SELECT 1 FROM c LIMIT 1) INTO \"N\";\n  \
                 SELECT x INTO 1 FROM d;\n  \
                 WITH w AS (SELECT x FROM f) SELECT sum(x) INTO n FROM w;\n  \
                 WITH w AS (SELECT 1) INSERT INTO g SELECT * FROM w;\n  \
                 SELECT 1 FROM e;\nEND $$";
        assert_stmts(
            t,
            &[
                ("SELECT count(*) [...] FROM a WHERE k = 'x'", false),
                ("SELECT [...] x, y FROM b", false),
                ("SELECT (SELECT 1 FROM c LIMIT 1) [...]", false),
                // `INTO 1` stores nothing: not PL/pgSQL's form, skipped as before
                (
                    "WITH w AS (SELECT x FROM f) SELECT sum(x) [...] FROM w",
                    false,
                ),
                ("WITH w AS (SELECT 1) INSERT INTO g SELECT * FROM w", false),
                ("SELECT 1 FROM e", false),
            ],
        );
    }

    #[test]
    fn executed_strings() {
        let t = "DO $$ BEGIN\n  EXECUTE $x$CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'$x$;\n  \
                 IF true THEN EXECUTE 'DROP TABLE a'; END IF;\n  \
                 EXECUTE format('CREATE TABLE %I (x int)', 'b');\n  EXECUTE 'CREATE TABLE c ()' USING 1;\n  \
                 EXECUTE 'CREATE TABLE d (); CREATE TABLE e ()';\n  EXECUTE 'CREATE TABLE ''f'' ()';\nEND $$";
        assert_stmts(
            t,
            &[
                (
                    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                    false,
                ),
                ("DROP TABLE a", true),
                // Computed, or with parameters: only the fragment, marked dynamic.
                ("CREATE TABLE %I (x int)", true),
                ("CREATE TABLE c ()", true),
                ("CREATE TABLE d (); CREATE TABLE e ()", true),
                ("CREATE TABLE ''f'' ()", true),
            ],
        );
        let body = find_body(t, 0..t.len()).unwrap_or(0..0);
        let dynamic: Vec<bool> = extract(t, body)
            .statements
            .iter()
            .map(|e| e.dynamic)
            .collect();
        assert_eq!(dynamic, [false, false, true, true, true, true]);
    }

    #[test]
    fn conditional_branches_and_loops() {
        let t = "DO $$ BEGIN\n IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n  \
                 CREATE TYPE mood AS ENUM ('a');\n ELSIF (CASE WHEN true THEN 1 END) = 1 THEN\n  \
                 CREATE TABLE b ();\n ELSE\n  DROP TABLE c;\n END IF;\n CREATE INDEX i ON b (x);\n \
                 FOR r IN SELECT * FROM t LOOP\n  UPDATE t SET x = 1;\n END LOOP;\n <<lbl>> LOOP DELETE FROM t; EXIT; END LOOP;\n\
                 CASE x WHEN 1 THEN INSERT INTO t VALUES (1); ELSE NULL; END CASE;\n\
                 COMMENT ON TABLE t IS 'x';\nEND $$";
        assert_stmts(
            t,
            &[
                // An IF condition's subquery runs where the IF stands.
                ("SELECT 1 FROM pg_type WHERE typname = 'mood'", false),
                ("CREATE TYPE mood AS ENUM ('a')", true),
                ("CREATE TABLE b ()", true),
                ("DROP TABLE c", true),
                ("CREATE INDEX i ON b (x)", false),
                // The loop's query runs where the loop starts; its body may not run.
                ("SELECT * FROM t", false),
                ("UPDATE t SET x = 1", true),
                ("DELETE FROM t", true),
                ("INSERT INTO t VALUES (1)", true),
                ("COMMENT ON TABLE t IS 'x'", false),
            ],
        );
    }

    #[test]
    fn loop_queries_but_not_ranges_cursors_or_computed_strings() {
        let t = "DO $$ DECLARE r record; BEGIN\n IF x THEN FOR r IN SELECT 1 FROM a LOOP END LOOP; END IF;\n \
                 FOR i IN 1..10 LOOP END LOOP;\n FOR i IN REVERSE 10..1 LOOP END LOOP;\n \
                 FOR r IN c(1) LOOP END LOOP;\n FOR r IN EXECUTE format('SELECT 1 FROM %I', t) LOOP END LOOP;\n \
                 FOR r IN EXECUTE 'SELECT 1 FROM b' USING 1 LOOP END LOOP;\n \
                 FOR \"R\", s IN EXECUTE 'SELECT 1, 2 FROM b' LOOP END LOOP;\n \
                 FOR r IN WITH w AS (SELECT 1) SELECT * FROM w LOOP END LOOP;\nEND $$";
        assert_stmts(
            t,
            &[
                ("SELECT 1 FROM a", true),
                ("SELECT 1, 2 FROM b", false),
                ("WITH w AS (SELECT 1) SELECT * FROM w", false),
            ],
        );
    }

    /// `EXECUTE format(template, v)` in `FOREACH v IN ARRAY` over string constants (declared,
    /// or written in the loop) is the template once per element; anything less certain stays
    /// a computed string.
    #[test]
    fn formatted_templates_in_loops_over_known_arrays() {
        let each = |t: &str| -> Vec<(String, Vec<String>, bool)> {
            let body = find_body(t, 0..t.len()).unwrap_or(0..0);
            extract(t, body)
                .statements
                .iter()
                .map(|e| {
                    (
                        t[e.span.clone()].trim().to_owned(),
                        e.each.clone(),
                        e.dynamic,
                    )
                })
                .collect()
        };
        let t = "DO $do$ DECLARE\n i text;\n arr text[] := array['resource', 'script'];\nBEGIN\n \
                 FOREACH i IN ARRAY arr LOOP\n  EXECUTE FORMAT($$ ALTER TABLE %1$I ENABLE ROW LEVEL SECURITY $$, i);\n \
                 END LOOP;\n FOREACH i IN ARRAY ARRAY['a'] LOOP EXECUTE format('DROP TABLE %I', i, i); END LOOP;\n \
                 FOREACH i IN ARRAY other LOOP EXECUTE format('DROP TABLE %I', i); END LOOP;\n \
                 FOREACH i IN ARRAY arr LOOP EXECUTE format('DROP TABLE %I', lower(i)); END LOOP;\n \
                 EXECUTE format('DROP TABLE %I', i);\nEND $do$";
        let got = each(t);
        let words = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
        assert_eq!(
            got,
            [
                (
                    "ALTER TABLE %1$I ENABLE ROW LEVEL SECURITY".to_owned(),
                    words(&["resource", "script"]),
                    false
                ),
                ("DROP TABLE %I".to_owned(), words(&["a"]), false),
                // An array not known, an argument that is not the loop variable, no loop.
                ("DROP TABLE %I".to_owned(), Vec::new(), true),
                ("DROP TABLE %I".to_owned(), Vec::new(), true),
                ("DROP TABLE %I".to_owned(), Vec::new(), true),
            ]
        );
    }

    #[test]
    fn exception_clause_makes_the_block_conditional() {
        let t = "DO $$\nBEGIN\n  CREATE TABLE x (a int);\n  BEGIN\n    ALTER TABLE x ADD CONSTRAINT c UNIQUE (a);\n  \
                 EXCEPTION WHEN duplicate_object THEN\n    NULL;\n    DROP TABLE y;\n  END;\n  CREATE TABLE z ();\nEND $$";
        assert_stmts(
            t,
            &[
                ("CREATE TABLE x (a int)", false),
                ("ALTER TABLE x ADD CONSTRAINT c UNIQUE (a)", true),
                ("DROP TABLE y", true),
                ("CREATE TABLE z ()", false),
            ],
        );
        let outer = "DO $$ BEGIN CREATE TABLE x (); EXCEPTION WHEN others THEN NULL; END $$";
        assert_eq!(stmts(outer), [("CREATE TABLE x ()".to_owned(), true)]);
    }

    #[test]
    fn nested_dollar_bodies_stay_whole() {
        let t = "DO $do$ BEGIN CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; END $do$";
        assert_stmts(
            t,
            &[(
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                false,
            )],
        );
    }
}
