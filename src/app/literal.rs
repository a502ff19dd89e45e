//! Application scan, step 2: read string literals out of a tree-sitter tree. A literal (or a
//! `+`/`.` concatenation of literals, or adjacent literals in Python/Ruby) becomes a
//! [`Template`]: text chunks with their file offsets and holes for interpolations.

use std::ops::Range;

use tree_sitter::Node;

use super::endpoint::Flat;
use super::lang::Language;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Literal text (escapes decoded) starting at file offset `at`; within a chunk, offsets map
    /// one to one only when `exact` (a decoded escape sequence is one chunk of its own).
    Text {
        text: String,
        at: usize,
        exact: bool,
    },
    /// An interpolation or a non-literal operand of a concatenation, at this file range.
    Hole(Range<usize>),
}

/// A string literal or a concatenation of literals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// File byte range of the whole literal / concatenation.
    pub span: Range<usize>,
    pub chunks: Vec<Chunk>,
}

/// Kinds whose node is a string literal we read.
fn is_string_kind(lang: Language, kind: &str) -> bool {
    match lang {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            matches!(kind, "string" | "template_string")
        }
        Language::Python => kind == "string",
        Language::Go => matches!(kind, "interpreted_string_literal" | "raw_string_literal"),
        Language::Rust => matches!(kind, "string_literal" | "raw_string_literal"),
        Language::Java => kind == "string_literal",
        Language::Kotlin => matches!(kind, "string_literal" | "multiline_string_literal"),
        Language::Ruby => matches!(kind, "string" | "heredoc_body"),
        Language::Php => matches!(kind, "string" | "encapsed_string" | "heredoc" | "nowdoc"),
    }
}

/// Kinds that join adjacent literals (`"a" "b"`).
fn is_adjacent_kind(kind: &str) -> bool {
    matches!(kind, "concatenated_string" | "chained_string")
}

/// A `+` (or PHP `.`) binary expression (`node`, of this `kind`).
fn is_concat(lang: Language, node: Node<'_>, kind: &str, src: &str) -> bool {
    if !matches!(
        kind,
        "binary_expression" | "binary_operator" | "binary" | "additive_expression"
    ) {
        return false;
    }
    let op = node.child_by_field_name("operator").or_else(|| {
        (0..node.child_count())
            .filter_map(|i| node.child(i))
            .find(|c| !c.is_named())
    });
    let want = if lang == Language::Php { "." } else { "+" };
    op.and_then(|o| src.get(o.byte_range())) == Some(want)
}

/// Delimiter kinds that are not part of a literal's content.
fn is_delimiter(node: Node<'_>) -> bool {
    !node.is_named()
        || matches!(
            node.kind(),
            "string_start"
                | "string_end"
                | "heredoc_start"
                | "heredoc_end"
                | "heredoc_beginning"
                | "nowdoc_start"
        )
}

fn is_content(kind: &str) -> bool {
    matches!(
        kind,
        "string_content"
            | "string_fragment"
            | "multiline_string_fragment"
            | "raw_string_literal_content"
            | "interpreted_string_literal_content"
            | "heredoc_content"
            | "nowdoc_string"
    )
}

/// Kinds that hold content further down (heredoc bodies).
fn is_container(kind: &str) -> bool {
    matches!(kind, "heredoc_body" | "nowdoc_body")
}

/// Every template in the tree, in source order. Literals that are part of a larger
/// concatenation are reported once, as the concatenation.
#[must_use]
pub fn templates(lang: Language, flat: &Flat<'_>, src: &str) -> Vec<Template> {
    let mut out = Vec::new();
    flat.each_with(&mut |node, kind, ancestors| {
        if let Some(t) = template_at(lang, node, kind, ancestors, src) {
            out.push(t);
        }
    });
    out.sort_by_key(|t| (t.span.start, t.span.end));
    out
}

/// The template rooted at `node` (of this `kind`, with these `ancestors`, nearest last), when
/// `node` is a top-level literal expression.
fn template_at(
    lang: Language,
    node: Node<'_>,
    kind: &str,
    ancestors: &[Node<'_>],
    src: &str,
) -> Option<Template> {
    let is_literalish =
        is_string_kind(lang, kind) || is_adjacent_kind(kind) || is_concat(lang, node, kind, src);
    if !is_literalish {
        return None;
    }
    // Handled by an enclosing concatenation.
    if let Some(parent) = enclosing(ancestors) {
        let parent_kind = parent.kind();
        if is_adjacent_kind(parent_kind) || is_concat(lang, parent, parent_kind, src) {
            return None;
        }
        // PHP heredoc owns its heredoc_body; Ruby's heredoc_body stands alone.
        if is_string_kind(lang, parent_kind) {
            return None;
        }
    }
    if in_message_call(ancestors, src) {
        return None;
    }
    let mut chunks = Vec::new();
    if !expression(lang, node, src, &mut chunks) {
        return None;
    }
    Some(Template {
        span: node.byte_range(),
        chunks,
    })
}

/// Callee names whose string arguments are messages, never queries.
const MESSAGE_CALLEES: [&str; 24] = [
    "log",
    "info",
    "warn",
    "warning",
    "error",
    "debug",
    "trace",
    "fatal",
    "critical",
    "print",
    "println",
    "printf",
    "eprintln",
    "puts",
    "error_log",
    "logf",
    "infof",
    "warnf",
    "errorf",
    "debugf",
    "fatalf",
    "panic",
    "alert",
    "toast",
];

/// True when the literal with these `ancestors` (nearest last) is (part of) an argument of a
/// logging/printing call or of an error constructor (`logger.info('select ...')`,
/// `new Error("...")`, `tracing::warn!(...)`); looks at most 8 levels up.
fn in_message_call(ancestors: &[Node<'_>], src: &str) -> bool {
    for parent in ancestors.iter().rev().take(8) {
        match parent.kind() {
            "arguments"
            | "argument_list"
            | "token_tree"
            | "parenthesized_expression"
            | "concatenated_string"
            | "chained_string"
            | "binary_expression"
            | "binary_operator"
            | "binary"
            | "value_arguments"
            | "value_argument" => {}
            "call_expression"
            | "call"
            | "method_invocation"
            | "macro_invocation"
            | "new_expression"
            | "object_creation_expression"
            | "function_call_expression"
            | "member_call_expression" => {
                let callee = ["function", "macro", "constructor", "name", "method", "type"]
                    .iter()
                    .find_map(|f| parent.child_by_field_name(f))
                    .or_else(|| parent.named_child(0))
                    .and_then(|c| src.get(c.byte_range()))
                    .unwrap_or_default();
                let last = callee
                    .rsplit(['.', ':', '>'])
                    .next()
                    .unwrap_or(callee)
                    .trim_end_matches('!')
                    .to_ascii_lowercase();
                let constructor = matches!(
                    parent.kind(),
                    "new_expression" | "object_creation_expression"
                );
                return MESSAGE_CALLEES.contains(&last.as_str())
                    || (constructor && (last.ends_with("error") || last.ends_with("exception")));
            }
            _ => return false,
        }
    }
    false
}

/// The parent of a node with these `ancestors` (nearest last), skipping parentheses.
fn enclosing<'t>(ancestors: &[Node<'t>]) -> Option<Node<'t>> {
    ancestors
        .iter()
        .rev()
        .find(|p| p.kind() != "parenthesized_expression")
        .copied()
}

/// Append the chunks of an operand; returns whether it held at least one literal.
fn expression(lang: Language, node: Node<'_>, src: &str, out: &mut Vec<Chunk>) -> bool {
    let kind = node.kind();
    if is_string_kind(lang, kind) {
        literal(node, src, out);
        return true;
    }
    if is_adjacent_kind(kind) || is_concat(lang, node, kind, src) {
        let mut any = false;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "comment" {
                continue;
            }
            any |= expression(lang, child, src, out);
        }
        return any;
    }
    if kind == "parenthesized_expression"
        && node.named_child_count() == 1
        && let Some(inner) = node.named_child(0)
    {
        return expression(lang, inner, src, out);
    }
    out.push(Chunk::Hole(node.byte_range()));
    false
}

/// Append the content of one literal node.
fn literal(node: Node<'_>, src: &str, out: &mut Vec<Chunk>) {
    if node.child_count() == 0 {
        // A leaf literal: strip quote characters and string prefixes by hand.
        let text = src.get(node.byte_range()).unwrap_or_default();
        let start = text.find(['"', '\'', '`']).map_or(0, |i| {
            let q = text.as_bytes().get(i).copied().unwrap_or(b'"');
            i + text[i..]
                .bytes()
                .take_while(|&b| b == q || b == b'#')
                .count()
        });
        let end = text.rfind(['"', '\'', '`']).map_or(text.len(), |i| {
            let mut j = i + 1;
            while j > start
                && matches!(text.as_bytes().get(j - 1), Some(b'"' | b'\'' | b'`' | b'#'))
            {
                j -= 1;
            }
            j
        });
        if start < end {
            push_text(out, &text[start..end], node.start_byte() + start);
        }
        return;
    }
    let children: Vec<Node<'_>> = (0..node.child_count())
        .filter_map(|i| node.child(i))
        .collect();
    let first = children.iter().position(|c| !is_delimiter(*c));
    let last = children.iter().rposition(|c| !is_delimiter(*c));
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    let mut prev_end: Option<usize> = None;
    for child in children.get(first..=last).unwrap_or_default() {
        if let Some(prev) = prev_end
            && child.start_byte() > prev
            && let Some(gap) = src.get(prev..child.start_byte())
        {
            push_text(out, gap, prev);
        }
        prev_end = Some(child.end_byte());
        let kind = child.kind();
        if is_delimiter(*child) {
            continue;
        } else if kind == "escape_sequence" {
            escape(*child, src, out);
        } else if is_content(kind) {
            content(*child, src, out);
        } else if is_container(kind) {
            literal(*child, src, out);
        } else {
            out.push(Chunk::Hole(child.byte_range()));
        }
    }
}

/// Content node: its text, with nested escape sequences decoded.
fn content(node: Node<'_>, src: &str, out: &mut Vec<Chunk>) {
    let mut pos = node.start_byte();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.kind() != "escape_sequence" {
            continue;
        }
        if let Some(text) = src.get(pos..child.start_byte()) {
            push_text(out, text, pos);
        }
        escape(child, src, out);
        pos = child.end_byte();
    }
    if let Some(text) = src.get(pos..node.end_byte()) {
        push_text(out, text, pos);
    }
}

fn push_text(out: &mut Vec<Chunk>, text: &str, at: usize) {
    if !text.is_empty() {
        out.push(Chunk::Text {
            text: text.to_owned(),
            at,
            exact: true,
        });
    }
}

/// A decoded escape sequence, as its own chunk.
fn escape(node: Node<'_>, src: &str, out: &mut Vec<Chunk>) {
    let raw = src.get(node.byte_range()).unwrap_or_default();
    let decoded = decode_escape(raw);
    out.push(Chunk::Text {
        text: decoded,
        at: node.start_byte(),
        exact: false,
    });
}

/// Decode one escape sequence (`\n`, `\"`, `\u{41}`, `\x41`, ...); unknown ones lose their
/// backslash, a NUL becomes a space (NUL marks holes later).
#[must_use]
pub fn decode_escape(raw: &str) -> String {
    let Some(body) = raw.strip_prefix('\\') else {
        return raw.to_owned();
    };
    let mut chars = body.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let rest: String = chars.collect();
    let hex = |s: &str| {
        u32::from_str_radix(s.trim_matches(|c| c == '{' || c == '}'), 16)
            .ok()
            .and_then(char::from_u32)
    };
    match first {
        'n' => "\n".to_owned(),
        't' => "\t".to_owned(),
        'r' => "\r".to_owned(),
        '0' if rest.is_empty() => " ".to_owned(),
        '\n' | '\r' => String::new(), // line continuation
        'u' | 'x' | 'U' => hex(&rest).map_or_else(
            || rest.clone(),
            |c| {
                if c == '\0' {
                    " ".to_owned()
                } else {
                    c.to_string()
                }
            },
        ),
        other => {
            let mut s = other.to_string();
            s.push_str(&rest);
            s
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    pub(crate) fn parse(lang: Language, src: &str) -> tree_sitter::Tree {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&lang.grammar()).unwrap();
        parser.parse(src, None).unwrap()
    }

    /// Render a template as text with `{hole}` markers.
    fn render(t: &Template, src: &str) -> String {
        t.chunks
            .iter()
            .map(|c| match c {
                Chunk::Text { text, .. } => text.clone(),
                Chunk::Hole(r) => format!("{{{}}}", &src[r.clone()]),
            })
            .collect()
    }

    fn all(lang: Language, src: &str) -> Vec<String> {
        let tree = parse(lang, src);
        templates(lang, &Flat::new(tree.root_node()), src)
            .iter()
            .map(|t| render(t, src))
            .collect()
    }

    #[test]
    fn typescript_template_and_concat() {
        let got = all(
            Language::TypeScript,
            "const q = `SELECT * FROM ${t} WHERE a = ${b}`; const r = 'a\\n' + x + \"b\";",
        );
        assert_eq!(got, ["SELECT * FROM {${t}} WHERE a = {${b}}", "a\n{x}b"]);
    }

    #[test]
    fn python_fstring_and_adjacent() {
        let got = all(
            Language::Python,
            "q = (f\"SELECT {a} FROM x \"\n  \"WHERE y\")\nr = r'raw'\n",
        );
        assert_eq!(got, ["SELECT {{a}} FROM x WHERE y", "raw"]);
    }

    #[test]
    fn go_raw_and_interpreted() {
        let got = all(
            Language::Go,
            "package m\nvar q = `SELECT * FROM x ` + \"WHERE \\n y\"\n",
        );
        assert_eq!(got, ["SELECT * FROM x WHERE \n y"]);
    }

    #[test]
    fn rust_raw_string() {
        let got = all(
            Language::Rust,
            "const Q: &str = r#\"SELECT \"a\" FROM x\"#; const R: &str = \"a\\tb\";",
        );
        assert_eq!(got, ["SELECT \"a\" FROM x", "a\tb"]);
    }

    #[test]
    fn java_concat_and_text_block() {
        let got = all(
            Language::Java,
            "class A { String q = \"SELECT a \" + \"FROM x\"; String t = \"\"\"\n  SELECT 1\n  \"\"\"; }",
        );
        assert_eq!(got, ["SELECT a FROM x", "\n  SELECT 1\n  "]);
    }

    #[test]
    fn kotlin_templates() {
        let got = all(
            Language::Kotlin,
            r#"val q = "SELECT * FROM $t WHERE a = ${b}"
val r = """SELECT 1""""#,
        );
        // Simple `$name` interpolation stays text; the SQL step turns it into a hole.
        assert_eq!(got, ["SELECT * FROM $t WHERE a = {${b}}", "SELECT 1"]);
    }

    #[test]
    fn ruby_interpolation_adjacent_and_heredoc() {
        let got = all(
            Language::Ruby,
            "q = \"SELECT * FROM #{t} WHERE a = 1\"\nr = 'x' 'y'\ns = <<~SQL\n  SELECT * FROM #{u}\nSQL\n",
        );
        assert_eq!(
            got,
            [
                "SELECT * FROM {#{t}} WHERE a = 1",
                "xy",
                "\n  SELECT * FROM {#{u}}\n"
            ]
        );
    }

    #[test]
    fn php_encapsed_concat_and_heredoc() {
        let got = all(
            Language::Php,
            "<?php $q = \"SELECT * FROM $t WHERE a = {$b}\"; $r = 'SELECT ' . 'FROM x'; $s = <<<SQL\nSELECT * FROM {$u}\nSQL;\n",
        );
        assert_eq!(
            got,
            [
                "SELECT * FROM {$t} WHERE a = {$b}",
                "SELECT FROM x",
                "SELECT * FROM {$u}"
            ]
        );
    }

    #[test]
    fn chunk_offsets_point_into_the_file() {
        let src = "let q = 'ab\\ncd';";
        let tree = parse(Language::JavaScript, src);
        let t = &templates(Language::JavaScript, &Flat::new(tree.root_node()), src)[0];
        let Chunk::Text { at, .. } = &t.chunks[2] else {
            panic!()
        };
        assert_eq!(&src[*at..*at + 2], "cd");
        assert_eq!(&src[t.span.clone()], "'ab\\ncd'");
    }
}
