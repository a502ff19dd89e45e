//! Stage 6 (edge): writes sorted findings out as human text (miette), versioned JSON, SARIF
//! 2.1.0, GitHub workflow commands or compact one-line text, to any `&mut dyn Write`. Also
//! owns the report filters that never change the analysis: the baseline file and `--since`.
//!
//! Positions: spans are byte ranges; every writer converts them here, through
//! [`ReportFile::position`], to 1-based lines and 1-based columns counted in Unicode scalar
//! values (chars). SARIF declares this with `"columnKind": "unicodeCodePoints"`. Only the
//! human writer hands byte offsets straight to miette, which wants bytes.

pub mod baseline;
mod compact;
mod github;
mod human;
mod json;
mod sarif;
pub mod since;

use std::io::Write;

use crate::diag::{Finding, Severity};
use crate::rules::RuleMeta;
use crate::source::lines::LineIndex;
use crate::span::Span;

/// Everything a writer needs. Findings are already filtered and sorted (file order, offset,
/// rule) by the caller; writers keep that order.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub findings: &'a [Finding],
    /// Indexed by [`Span::file`].
    pub files: &'a [ReportFile<'a>],
    /// Every rule (SARIF lists them all in `tool.driver.rules`).
    pub rules: &'a [RuleMeta],
    pub summary: Summary,
    pub tool_version: &'a str,
    /// The endpoint status of `check --app` (JSON writes it; `None` without `--app`).
    pub endpoints: Option<&'a [crate::app::status::EndpointRow]>,
}

/// One file as the reporters see it.
#[derive(Debug, Clone, Copy)]
pub struct ReportFile<'a> {
    /// Relative path with forward slashes, as shown to users.
    pub display: &'a str,
    pub text: &'a str,
    pub lines: &'a LineIndex,
}

/// Counts shown at the end of a run (and in the JSON `summary` object).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Migration files analysed.
    pub files: usize,
    /// Statements analysed.
    pub statements: usize,
    /// Statements sqlparser did not understand (they are findings too).
    pub statements_unparsed: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings not shown because of `--baseline` or `--since`.
    pub hidden: usize,
}

impl Summary {
    /// Set the per-severity counts from `findings` (the other counts are left as they are).
    #[must_use]
    pub fn with_findings(mut self, findings: &[Finding]) -> Self {
        self.errors = 0;
        self.warnings = 0;
        self.infos = 0;
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
        self
    }

    /// Total number of findings reported.
    #[must_use]
    pub fn findings(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// miette snippets plus a summary line; for terminals.
    Human,
    /// Versioned JSON (`"version": 1`), see `docs/output-formats.md`.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// `file:line:col: severity[rule] message`, one per line.
    Compact,
}

impl Format {
    /// `true` for formats read by programs: nothing else may go to stdout with them, so the
    /// caller sends the summary line to stderr.
    #[must_use]
    pub fn is_machine(self) -> bool {
        !matches!(self, Format::Human)
    }
}

/// Write the report in `format`. `color` only affects [`Format::Human`] (the caller decides:
/// a terminal and no `NO_COLOR`).
///
/// # Errors
/// Only I/O errors from `out`.
pub fn write(
    format: Format,
    out: &mut dyn Write,
    input: &ReportInput,
    color: bool,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(out, input, color),
        Format::Json => json::write(out, input),
        Format::Sarif => sarif::write(out, input),
        Format::Github => github::write(out, input),
        Format::Compact => compact::write(out, input),
    }
}

/// One line such as `3 errors, 5 warnings, 1 info in 4 files (52 statements analysed, 1 not
/// understood)`. No trailing newline.
#[must_use]
pub fn summary_line(summary: &Summary) -> String {
    let mut counts = Vec::new();
    if summary.errors > 0 {
        counts.push(plural(summary.errors, "error", "errors"));
    }
    if summary.warnings > 0 {
        counts.push(plural(summary.warnings, "warning", "warnings"));
    }
    if summary.infos > 0 {
        counts.push(plural(summary.infos, "info", "infos"));
    }
    let head = if counts.is_empty() {
        "no findings".to_owned()
    } else {
        counts.join(", ")
    };
    let mut details = vec![format!(
        "{} analysed",
        plural(summary.statements, "statement", "statements")
    )];
    if summary.statements_unparsed > 0 {
        details.push(format!("{} not understood", summary.statements_unparsed));
    }
    if summary.hidden > 0 {
        details.push(format!(
            "{} hidden by --baseline/--since",
            plural(summary.hidden, "finding", "findings")
        ));
    }
    format!(
        "{head} in {} ({})",
        plural(summary.files, "file", "files"),
        details.join(", ")
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A span resolved to display path and 1-based (line, char column) positions. The end is
/// exclusive: `end_column` is the column just after the last character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Shown when a span names a file the reporter was not given (a caller bug, never a panic).
pub(crate) const UNKNOWN_FILE: &str = "<unknown>";

impl ReportFile<'_> {
    fn position(&self, span: Span) -> Position<'_> {
        let (line, column) = self.lines.line_col(self.text, span.start());
        let (end_line, end_column) = self.lines.line_col(self.text, span.end().max(span.start()));
        Position {
            file: self.display,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

impl<'a> ReportInput<'a> {
    pub(crate) fn file(&self, span: Span) -> Option<&'a ReportFile<'a>> {
        self.files.get(span.file())
    }

    pub(crate) fn position(&self, span: Span) -> Position<'a> {
        match self.files.get(span.file()) {
            Some(f) => f.position(span),
            None => Position {
                file: UNKNOWN_FILE,
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        }
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! One shared sample for every writer's tests: two files (one with CRLF line ends and
    //! multibyte identifiers), findings of every severity, labels in the same file and in
    //! another file, characters that need escaping.

    use super::{ReportFile, ReportInput, Summary};
    use crate::diag::{Finding, Label, Severity};
    use crate::rules::{Category, RuleMeta};
    use crate::source::lines::LineIndex;
    use crate::span::Span;

    pub const FILE0: &str = "001_init.sql";
    pub const TEXT0: &str = "CREATE TABLE users (id int PRIMARY KEY);\n\nCREATE TABLE café (\n    ü_id int REFERENCES usres(id)\n);\n";
    pub const FILE1: &str = "migrations/002 billing,v2.sql";
    pub const TEXT1: &str = "DROP TABLE users;\r\nINSERT INTO users VALUES (1); -- 100%\r\n";

    pub fn rules() -> Vec<RuleMeta> {
        vec![
            RuleMeta {
                name: "missing-relation",
                category: Category::References,
                default_severity: Severity::Error,
                summary: "A statement names a table that does not exist at that point",
                doc: "# missing-relation\n\n## What it does\n\nFinds references to tables that do not exist yet.\nAcross files.\n\n## Why is this bad?\n\nPostgreSQL rejects the migration.\n",
            },
            RuleMeta {
                name: "table-without-primary-key",
                category: Category::Design,
                default_severity: Severity::Warning,
                summary: "A table has no primary key",
                doc: "",
            },
            RuleMeta {
                name: "unparsable-statement",
                category: Category::Hygiene,
                default_severity: Severity::Info,
                summary: "sqlparser could not parse a statement",
                doc: "# unparsable-statement\n",
            },
        ]
    }

    fn span_of(file: usize, text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap_or(0);
        Span::new(file, start, start + needle.len())
    }

    pub fn findings() -> Vec<Finding> {
        vec![
            Finding {
                rule: "table-without-primary-key",
                severity: Severity::Warning,
                span: span_of(0, TEXT0, "café"),
                message: "table café has no primary key".into(),
                help: Some("add `PRIMARY KEY (ü_id)` or an identity column".into()),
                labels: vec![],
                fingerprint: "table-without-primary-key:public.café".into(),
            },
            Finding {
                rule: "missing-relation",
                severity: Severity::Error,
                span: span_of(0, TEXT0, "usres"),
                message: "relation \"usres\" does not exist".into(),
                help: Some("did you mean `users`?".into()),
                labels: vec![Label {
                    span: span_of(0, TEXT0, "users"),
                    message: "`users` created here".into(),
                }],
                fingerprint: "missing-relation:public.usres:001_init.sql".into(),
            },
            Finding {
                rule: "missing-relation",
                severity: Severity::Error,
                span: span_of(1, TEXT1, "users VALUES"),
                message:
                    "relation \"users\" does not exist: dropped at line 1, 100% gone\nsecond line"
                        .into(),
                help: None,
                labels: vec![
                    Label {
                        span: span_of(1, TEXT1, "DROP TABLE users"),
                        message: "dropped here".into(),
                    },
                    Label {
                        span: span_of(0, TEXT0, "CREATE TABLE users"),
                        message: "created here".into(),
                    },
                ],
                fingerprint: "missing-relation:public.users:migrations/002 billing,v2.sql".into(),
            },
            Finding {
                rule: "unparsable-statement",
                severity: Severity::Info,
                span: Span::new(1, TEXT1.len(), TEXT1.len()),
                message: "empty statement at end of file".into(),
                help: None,
                labels: vec![],
                fingerprint: "unparsable-statement:migrations/002 billing,v2.sql:2".into(),
            },
        ]
    }

    /// Owned data the borrowed [`ReportInput`] points into.
    pub struct Sample {
        pub findings: Vec<Finding>,
        pub rules: Vec<RuleMeta>,
        pub lines: [LineIndex; 2],
    }

    impl Sample {
        pub fn new() -> Self {
            Self {
                findings: findings(),
                rules: rules(),
                lines: [LineIndex::new(TEXT0), LineIndex::new(TEXT1)],
            }
        }

        pub fn files(&self) -> [ReportFile<'_>; 2] {
            [
                ReportFile {
                    display: FILE0,
                    text: TEXT0,
                    lines: &self.lines[0],
                },
                ReportFile {
                    display: FILE1,
                    text: TEXT1,
                    lines: &self.lines[1],
                },
            ]
        }

        pub fn render(&self, f: impl FnOnce(&ReportInput) -> std::io::Result<()>) {
            let files = self.files();
            let summary = Summary {
                files: 2,
                statements: 5,
                statements_unparsed: 1,
                hidden: 0,
                ..Summary::default()
            }
            .with_findings(&self.findings);
            let input = ReportInput {
                findings: &self.findings,
                files: &files,
                rules: &self.rules,
                summary,
                tool_version: "0.0.0-test",
                endpoints: None,
            };
            let r = f(&input);
            assert!(r.is_ok(), "{r:?}");
        }

        /// Render `format` to a string.
        pub fn output(&self, format: super::Format, color: bool) -> String {
            let mut out = Vec::new();
            self.render(|input| super::write(format, &mut out, input, color));
            String::from_utf8(out).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_counts_and_plurals() {
        let s = Summary {
            files: 4,
            statements: 52,
            statements_unparsed: 1,
            errors: 3,
            warnings: 5,
            infos: 1,
            hidden: 0,
        };
        assert_eq!(
            summary_line(&s),
            "3 errors, 5 warnings, 1 info in 4 files (52 statements analysed, 1 not understood)"
        );
        let s = Summary {
            files: 1,
            statements: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s),
            "no findings in 1 file (1 statement analysed)"
        );
        let s = Summary {
            files: 2,
            statements: 3,
            errors: 1,
            hidden: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s),
            "1 error in 2 files (3 statements analysed, 2 findings hidden by --baseline/--since)"
        );
    }

    #[test]
    fn with_findings_counts_severities() {
        let s = Summary::default().with_findings(&sample::findings());
        assert_eq!((s.errors, s.warnings, s.infos, s.findings()), (2, 1, 1, 4));
    }

    #[test]
    fn positions_count_chars_and_survive_crlf_and_bad_indices() {
        let sample = sample::Sample::new();
        let files = sample.files();
        let input = ReportInput {
            findings: &[],
            files: &files,
            rules: &[],
            summary: Summary::default(),
            tool_version: "x",
            endpoints: None,
        };
        // `usres` on line 4 after `    ü_id int REFERENCES ` (24 chars, 25 bytes).
        let p = input.position(sample.findings[1].span);
        assert_eq!((p.line, p.column, p.end_line, p.end_column), (4, 25, 4, 30));
        // CRLF: line 2 of file 1 starts after `\r\n`.
        let p = input.position(sample.findings[2].span);
        assert_eq!(
            (p.file, p.line, p.column, p.end_column),
            (sample::FILE1, 2, 13, 25)
        );
        // A span into a file we were not given, or past the end, does not panic.
        let p = input.position(Span::new(7, 3, 9));
        assert_eq!(p.file, UNKNOWN_FILE);
        let p = input.position(Span::new(0, 10_000, 5));
        assert_eq!((p.line, p.column), (6, 1));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use crate::diag::{Finding, Label, Severity};

    /// Spans past the end, reversed, inside a multibyte char or into a missing file: every
    /// format still writes something sensible and nothing panics.
    #[test]
    fn bad_spans_never_panic() {
        let text = "é\rb\r\ncc";
        let lines = LineIndex::new(text);
        let files = [ReportFile {
            display: "x.sql",
            text,
            lines: &lines,
        }];
        let finding = |span: Span| Finding {
            rule: "r",
            severity: Severity::Error,
            span,
            message: "m".into(),
            help: None,
            labels: vec![Label {
                span: Span::new(3, 1, 2),
                message: "elsewhere".into(),
            }],
            fingerprint: "r:x".into(),
        };
        let findings = vec![
            finding(Span::new(0, 1, 1)),
            finding(Span::new(0, 6, 2)),
            finding(Span::new(0, 999, 1999)),
            finding(Span::new(9, 0, 1)),
        ];
        let input = ReportInput {
            findings: &findings,
            files: &files,
            rules: &[],
            summary: Summary::default(),
            tool_version: "t",
            endpoints: None,
        };
        for format in [
            Format::Human,
            Format::Json,
            Format::Sarif,
            Format::Github,
            Format::Compact,
        ] {
            let mut out = Vec::new();
            assert!(write(format, &mut out, &input, false).is_ok(), "{format:?}");
            assert!(!out.is_empty());
        }
        let mut out = Vec::new();
        assert!(write(Format::Compact, &mut out, &input, false).is_ok());
        let out = String::from_utf8_lossy(&out);
        let positions: Vec<&str> = out.lines().filter_map(|l| l.split(": ").next()).collect();
        assert_eq!(
            positions,
            ["x.sql:1:1", "x.sql:3:1", "x.sql:3:3", "<unknown>:1:1"]
        );
    }

    /// A lone CR ends a line for miette too, so the human header agrees with the others.
    #[test]
    fn human_lines_agree_with_lone_cr() {
        let text = "a\rb\rcc;";
        let lines = LineIndex::new(text);
        let files = [ReportFile {
            display: "cr.sql",
            text,
            lines: &lines,
        }];
        let findings = vec![Finding {
            rule: "r",
            severity: Severity::Warning,
            span: Span::new(0, 4, 6),
            message: "m".into(),
            help: None,
            labels: vec![],
            fingerprint: "r".into(),
        }];
        let input = ReportInput {
            findings: &findings,
            files: &files,
            rules: &[],
            summary: Summary::default(),
            tool_version: "t",
            endpoints: None,
        };
        let mut out = Vec::new();
        assert!(write(Format::Human, &mut out, &input, false).is_ok());
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains("[cr.sql:3:1]"), "{out}");
        assert!(!out.contains('\r'), "{out:?}");
        assert!(out.contains(" 3 │ cc;"), "{out}");
    }
}
