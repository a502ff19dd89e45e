//! Stage 2 helper: inline suppression comments.
//!
//! `-- ogel-schema: ignore rule-a, rule-b -- optional reason` applies to the statement that
//! follows the comment (or, when the comment sits inside a statement with nothing after it
//! there, to that statement). `-- ogel-schema: ignore-file rule-a` applies to the whole file.
//! `/* ogel-schema: ignore x */` works too. No rule list means every rule.

use std::ops::Range;

use super::{Ignore, Statement};
use crate::span::{FileId, Span};

const PREFIX: &str = "ogel-schema:";

/// Parse one comment (with its `--` or `/* */` delimiters). `Some((file_wide, rules))` when it
/// is a directive.
pub(crate) fn directive(comment: &str) -> Option<(bool, Vec<String>)> {
    let inner = if let Some(rest) = comment.strip_prefix("--") {
        rest
    } else {
        let rest = comment.strip_prefix("/*")?;
        rest.strip_suffix("*/").unwrap_or(rest)
    };
    let inner = inner.trim_start();
    let rest = inner
        .get(..PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(PREFIX))
        .and(inner.get(PREFIX.len()..))?;
    let rest = rest.trim_start();
    let (file_wide, rest) = if let Some(r) = strip_word(rest, "ignore-file") {
        (true, r)
    } else {
        (false, strip_word(rest, "ignore")?)
    };
    let list = rest.split("--").next().unwrap_or_default();
    let rules = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    Some((file_wide, rules))
}

/// `rest` after `word` when `word` is followed by the end or whitespace.
fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    let rest = s.get(word.len()..)?;
    (head.eq_ignore_ascii_case(word) && rest.chars().next().is_none_or(char::is_whitespace))
        .then_some(rest)
}

/// Collect the directives among `comments` and attach each to a statement.
pub(crate) fn collect(
    file: FileId,
    text: &str,
    comments: &[Range<usize>],
    statements: &[Statement],
) -> Vec<Ignore> {
    let mut out = Vec::new();
    for c in comments {
        let Some((file_wide, rules)) = text.get(c.clone()).and_then(directive) else {
            continue;
        };
        let statement = if file_wide {
            None
        } else {
            attach(c, statements)
        };
        out.push(Ignore {
            span: Span::new(file, c.start, c.end),
            rules,
            statement,
            file_wide,
        });
    }
    out.sort_by_key(|i| (i.span.start(), i.span.end()));
    out
}

/// The statement a comment at `c` applies to: the first statement after it within the
/// innermost statement containing it; else that containing statement; else `None`.
fn attach(c: &Range<usize>, statements: &[Statement]) -> Option<usize> {
    let container = statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.span.start() <= c.start && c.end <= s.span.end())
        .max_by_key(|(i, s)| (s.span.start(), std::cmp::Reverse(s.span.end()), *i))
        .map(|(i, _)| i);
    let limit = container
        .and_then(|i| statements.get(i))
        .map_or(usize::MAX, |s| s.span.end());
    let next = statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.span.start() >= c.end && s.span.end() <= limit)
        .min_by_key(|(i, s)| (s.span.start(), *i))
        .map(|(i, _)| i);
    next.or(container)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(c: &str) -> Option<(bool, Vec<String>)> {
        directive(c)
    }

    #[test]
    fn directive_forms() {
        assert_eq!(
            d("-- ogel-schema: ignore a, b -- because"),
            Some((false, vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            d("--ogel-schema:ignore a b"),
            Some((false, vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            d("-- ogel-schema: ignore-file REF001"),
            Some((true, vec!["REF001".into()]))
        );
        assert_eq!(
            d("/* ogel-schema: ignore x */"),
            Some((false, vec!["x".into()]))
        );
        assert_eq!(d("-- ogel-schema: ignore"), Some((false, vec![])));
        assert_eq!(d("-- ogel-schema: ignored x"), None);
        assert_eq!(d("-- just a comment"), None);
        assert_eq!(d("-- ogel-schema: ignorefile x"), None);
        assert_eq!(d("-- ogel-sch"), None);
        assert_eq!(
            d("/* ogel-schema: ignore é"),
            Some((false, vec!["é".into()]))
        );
    }
}
