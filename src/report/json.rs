//! Report stage, JSON writer: the versioned wire format of `check --format json`. These serde
//! structs are the contract (see `docs/output-formats.md`); they are separate from the internal
//! [`crate::diag::Finding`] so refactoring the pipeline cannot change the output by accident.

use std::io::Write;

use serde::Serialize;

use super::{ReportInput, Summary};
use crate::app::status::{EndpointRow, MissingKind};

/// Bumped only on breaking changes to the shape below.
pub(crate) const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool<'a>,
    findings: Vec<WireFinding<'a>>,
    summary: WireSummary,
    /// Only with `--app` (added in 0.x without a version bump: additive).
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoints: Option<Vec<WireEndpoint<'a>>>,
}

#[derive(Serialize)]
struct WireEndpoint<'a> {
    method: &'a str,
    route: &'a str,
    file: &'a str,
    line: usize,
    status: &'static str,
    mock_fallback: bool,
    missing: Vec<WireMissing<'a>>,
}

#[derive(Serialize)]
struct WireMissing<'a> {
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    table: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct WireFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: Option<&'a str>,
    fingerprint: &'a str,
    labels: Vec<WireLabel<'a>>,
}

#[derive(Serialize)]
struct WireLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct WireSummary {
    files: usize,
    statements: usize,
    statements_unparsed: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    hidden: usize,
}

impl From<Summary> for WireSummary {
    fn from(s: Summary) -> Self {
        Self {
            files: s.files,
            statements: s.statements,
            statements_unparsed: s.statements_unparsed,
            findings: s.findings(),
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
            hidden: s.hidden,
        }
    }
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> std::io::Result<()> {
    let findings = input
        .findings
        .iter()
        .map(|f| {
            let p = input.position(f.span);
            WireFinding {
                rule: f.rule,
                severity: f.severity.as_str(),
                file: p.file,
                line: p.line,
                column: p.column,
                end_line: p.end_line,
                end_column: p.end_column,
                message: &f.message,
                help: f.help.as_deref(),
                fingerprint: &f.fingerprint,
                labels: f
                    .labels
                    .iter()
                    .map(|l| {
                        let p = input.position(l.span);
                        WireLabel {
                            file: p.file,
                            line: p.line,
                            column: p.column,
                            end_line: p.end_line,
                            end_column: p.end_column,
                            message: &l.message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let report = Report {
        version: JSON_VERSION,
        tool: Tool {
            name: "ogel-schema",
            version: input.tool_version,
        },
        findings,
        summary: input.summary.into(),
        endpoints: input.endpoints.map(|rows| endpoints(input, rows)),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

fn endpoints<'a>(input: &ReportInput<'a>, rows: &'a [EndpointRow]) -> Vec<WireEndpoint<'a>> {
    use crate::span::Span;
    rows.iter()
        .map(|r| WireEndpoint {
            method: &r.method,
            route: &r.route,
            file: input.position(Span::new(r.file, 0, 0)).file,
            line: r.line,
            status: r.status.as_str(),
            mock_fallback: r.mock_fallback,
            missing: r
                .missing
                .iter()
                .map(|m| {
                    let p = input.position(Span::new(m.file, m.at, m.at));
                    WireMissing {
                        kind: match m.kind {
                            MissingKind::Relation => "relation",
                            MissingKind::Column => "column",
                        },
                        name: &m.name,
                        table: &m.table,
                        file: p.file,
                        line: p.line,
                        column: p.column,
                    }
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Format, sample::Sample};

    #[test]
    fn json_snapshot() {
        insta::assert_snapshot!(Sample::new().output(Format::Json, false));
    }

    #[test]
    fn json_parses_and_positions_count_chars() {
        let out = Sample::new().output(Format::Json, false);
        assert!(out.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(v["version"], 1);
        assert_eq!(v["tool"]["name"], "ogel-schema");
        let f = &v["findings"][1];
        assert_eq!(
            (
                f["line"].as_u64(),
                f["column"].as_u64(),
                f["end_column"].as_u64()
            ),
            (Some(4), Some(25), Some(30))
        );
        assert_eq!(f["labels"][0]["message"], "`users` created here");
        // CRLF file: line 2, column after `INSERT INTO `.
        let f = &v["findings"][2];
        assert_eq!(
            (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
            (Some("migrations/002 billing,v2.sql"), Some(2), Some(13))
        );
        assert!(f["help"].is_null());
        assert_eq!(v["summary"]["findings"], 4);
        assert_eq!(v["summary"]["errors"], 2);
    }
}
