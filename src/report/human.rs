//! Report stage, human writer: each finding rendered by miette's graphical handler with a
//! source snippet (primary span, secondary labels in the same file, help, rule name as the
//! code), then the summary line. Fixed width, colour only when the caller asks for it.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{ReportInput, summary_line};
use crate::diag::{Finding, Severity};
use crate::source::lines::{LineIndex, floor_char_boundary};

/// Rendering width: fixed so output (and snapshots) do not depend on the terminal.
const WIDTH: usize = 80;

/// A file's text under its display name, borrowed (miette's `NamedSource` wants `'static`).
/// It also corrects the `file:line:col` miette prints in the snippet header: miette counts
/// the column in bytes, every other format counts chars. `text` has lone CRs turned into LFs
/// (see [`lone_cr_as_lf`]).
struct Source<'a> {
    name: &'a str,
    text: &'a str,
    lines: &'a LineIndex,
}

impl SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        // miette reads a `str` from its first byte for every label, and its line count is the
        // number of lines from the start of the file: it then merges two snippets whenever
        // the second starts before twice the first's line, printing every line between. So
        // read from the first context line on, and count only the lines read.
        let span_line = self.lines.line_of(span.offset());
        let first_line = span_line.saturating_sub(context_lines_before).max(1);
        let base = self
            .lines
            .line_start(first_line)
            .unwrap_or(0)
            .min(span.offset());
        let rest = self.text.get(base..).ok_or(MietteError::OutOfBounds)?;
        let inner = rest.read_span(
            &SourceSpan::new((span.offset() - base).into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        // Without context lines the contents start at the span, so the column is the span's.
        let column = if context_lines_before == 0 {
            self.lines
                .line_col(self.text, span.offset())
                .1
                .saturating_sub(1)
        } else {
            inner.column()
        };
        let data = inner.data();
        let read = LineIndex::new(std::str::from_utf8(data).unwrap_or_default());
        let line_count = read.line_count() - usize::from(data.ends_with(b"\n"));
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            data,
            SourceSpan::new((inner.span().offset() + base).into(), inner.span().len()),
            inner.line() + first_line - 1,
            column,
            line_count,
        )))
    }
}

/// One finding as a miette diagnostic.
struct Rendered<'a> {
    finding: &'a Finding,
    source: Option<Source<'a>>,
    labels: Vec<LabeledSpan>,
    /// Labels in other files (or a span in no known file), printed after the snippet.
    notes: Vec<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered")
            .field("finding", self.finding)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// A byte range clamped to `text` and to char boundaries, as miette's `SourceSpan`.
fn source_span(text: &str, start: usize, end: usize) -> SourceSpan {
    let start = floor_char_boundary(text, start);
    let end = floor_char_boundary(text, end.max(start));
    (start, end - start).into()
}

/// miette's snippet renderer ends lines at LF and CRLF but not at a lone CR, which it would
/// print raw (moving the terminal cursor). Same byte length, so every offset stays valid.
fn lone_cr_as_lf(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return Cow::Borrowed(text);
    }
    let fixed: String = text
        .char_indices()
        .map(|(i, c)| if lone(i) { '\n' } else { c })
        .collect();
    Cow::Owned(fixed)
}

fn prepare<'a>(
    input: &ReportInput<'a>,
    texts: &'a [Cow<'a, str>],
    finding: &'a Finding,
) -> Rendered<'a> {
    let file = input.file(finding.span);
    let text = texts.get(finding.span.file()).map(AsRef::as_ref);
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    if let Some(file) = file {
        labels.push(LabeledSpan::new_primary_with_span(
            None,
            source_span(file.text, finding.span.start(), finding.span.end()),
        ));
    } else {
        let p = input.position(finding.span);
        notes.push(format!("at {}:{}:{}", p.file, p.line, p.column));
    }
    for label in &finding.labels {
        match file {
            Some(file) if label.span.file() == finding.span.file() => {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.message.clone()),
                    source_span(file.text, label.span.start(), label.span.end()),
                ));
            }
            _ => {
                let p = input.position(label.span);
                notes.push(format!(
                    "{} (see {}:{}:{})",
                    label.message, p.file, p.line, p.column
                ));
            }
        }
    }
    Rendered {
        finding,
        source: file.zip(text).map(|(f, text)| Source {
            name: f.display,
            text,
            lines: f.lines,
        }),
        labels,
        notes,
    }
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput, color: bool) -> std::io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .with_urls(false);
    let texts: Vec<Cow<str>> = input.files.iter().map(|f| lone_cr_as_lf(f.text)).collect();
    for finding in input.findings {
        let rendered = prepare(input, &texts, finding);
        let mut text = String::new();
        handler
            .render_report(&mut text, &rendered)
            .map_err(std::io::Error::other)?;
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
        for note in &rendered.notes {
            writeln!(out, "  note: {note}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(&input.summary))
}

#[cfg(test)]
mod tests {
    use super::super::{Format, sample::Sample};

    #[test]
    fn human_snapshot() {
        insta::assert_snapshot!(Sample::new().output(Format::Human, false));
    }

    #[test]
    fn no_colour_unless_asked() {
        let sample = Sample::new();
        assert!(!sample.output(Format::Human, false).contains('\u{1b}'));
        assert!(sample.output(Format::Human, true).contains('\u{1b}'));
    }

    #[test]
    fn labels_in_other_files_become_notes_and_lines_fit_the_width() {
        let out = Sample::new().output(Format::Human, false);
        assert!(
            out.contains("\n  note: created here (see 001_init.sql:1:1)\n"),
            "{out}"
        );
        // miette's header column is corrected to chars: `usres` is at 4:25, not byte 4:26.
        assert!(out.contains("[001_init.sql:4:25]"), "{out}");
        assert!(out.contains("dropped here"));
        assert!(out.trim_end().ends_with(
            "2 errors, 1 warning, 1 info in 2 files (5 statements analysed, 1 not understood)"
        ));
        for line in out.lines() {
            assert!(line.chars().count() <= super::WIDTH, "{line:?}");
        }
    }
}

#[cfg(test)]
mod snippets {
    use super::super::{Format, ReportFile, ReportInput, Summary, write};
    use crate::diag::{Finding, Label, Severity};
    use crate::source::lines::LineIndex;
    use crate::span::Span;

    /// A label far from its finding (a table created hundreds of lines up, in a dump) gets its
    /// own snippet; one on a neighbouring line shares the finding's. miette alone merged them
    /// whenever the finding's line was below twice the label's, printing every line between.
    #[test]
    fn a_far_label_gets_its_own_snippet_and_the_lines_between_are_not_printed() {
        let mut text: String = (1..=300).map(|i| format!("SELECT {i};\n")).collect();
        text.push_str("ALTER TABLE far ADD COLUMN x int;\n");
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span::new(0, start, start + needle.len())
        };
        let findings = [Finding {
            rule: "missing-relation",
            severity: Severity::Error,
            span: at("far ADD"),
            message: "it".into(),
            help: None,
            labels: vec![
                Label {
                    span: at("SELECT 200;"),
                    message: "far away".into(),
                },
                Label {
                    span: at("SELECT 300;"),
                    message: "close by".into(),
                },
            ],
            fingerprint: "x".into(),
        }];
        let lines = LineIndex::new(&text);
        let files = [ReportFile {
            display: "001.sql",
            text: &text,
            lines: &lines,
        }];
        let input = ReportInput {
            findings: &findings,
            files: &files,
            rules: &[],
            summary: Summary::default().with_findings(&findings),
            tool_version: "0",
            endpoints: None,
        };
        let mut out = Vec::new();
        write(Format::Human, &mut out, &input, false).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("╭─[001.sql:").count(), 2, "{out}");
        assert!(out.contains("╭─[001.sql:200:1]"), "{out}");
        assert!(
            out.contains("╭─[001.sql:301:13]"),
            "the finding names its snippet: {out}"
        );
        for shown in [199, 200, 201, 299, 300, 301] {
            assert!(out.contains(&format!(" {shown} │ ")), "line {shown}: {out}");
        }
        for hidden in [198, 202, 250, 298] {
            assert!(
                !out.contains(&format!(" {hidden} │ ")),
                "line {hidden}: {out}"
            );
        }
    }
}
