//! Report stage, SARIF writer: one SARIF 2.1.0 run for GitHub code scanning and other viewers.
//! Every rule is listed in `tool.driver.rules`; columns count Unicode code points, declared by
//! the run's `columnKind`; file URIs are relative to `%SRCROOT%` (the repository checkout).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::{Position, ReportInput};
use crate::diag::Severity;
use crate::rules::RuleMeta;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// `partialFingerprints` key; bump the suffix if the fingerprint recipe ever changes.
const FINGERPRINT_KEY: &str = "ogelSchema/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'a str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'a str>,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<&'a str>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    category: String,
    tags: [String; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(p: Position) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_path(p.file),
            uri_base_id: SRCROOT,
        },
        region: Region {
            start_line: p.line,
            start_column: p.column,
            end_line: p.end_line,
            end_column: p.end_column,
        },
    }
}

/// Percent-encode a relative forward-slash path into a URI reference: everything but RFC 3986
/// unreserved characters and `/` is encoded byte by byte (UTF-8).
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    out
}

/// The "What it does" section of a rule page, else its summary.
fn full_description(rule: &RuleMeta) -> String {
    let mut lines = rule
        .doc
        .lines()
        .skip_while(|l| l.trim() != "## What it does")
        .skip(1);
    let body: Vec<&str> = lines
        .by_ref()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.starts_with('#'))
        .collect();
    let text = body.join("\n").trim().to_owned();
    if text.is_empty() {
        rule.summary.to_owned()
    } else {
        text
    }
}

fn rule(r: &RuleMeta) -> Rule<'_> {
    let category = serde_json::to_value(r.category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let has_doc = !r.doc.trim().is_empty();
    Rule {
        id: r.name,
        name: r.name,
        short_description: Text {
            text: r.summary.to_owned(),
        },
        full_description: Text {
            text: full_description(r),
        },
        help: Help {
            text: if has_doc { r.doc } else { r.summary },
            markdown: has_doc.then_some(r.doc),
        },
        default_configuration: Configuration {
            level: level(r.default_severity),
        },
        properties: RuleProperties {
            tags: [category.clone()],
            category,
        },
    }
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> std::io::Result<()> {
    let rule_index: BTreeMap<&str, usize> = input
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name, i))
        .collect();
    let results = input
        .findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            SarifResult {
                rule_id: f.rule,
                rule_index: rule_index.get(f.rule).copied(),
                level: level(f.severity),
                message: Text { text },
                locations: [Location {
                    id: None,
                    physical_location: physical(input.position(f.span)),
                    message: None,
                }],
                related_locations: f
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| Location {
                        id: Some(i),
                        physical_location: physical(input.position(l.span)),
                        message: Some(Text {
                            text: l.message.clone(),
                        }),
                    })
                    .collect(),
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
            }
        })
        .collect();
    let information_uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "ogel-schema",
                    version: input.tool_version,
                    information_uri,
                    rules: input.rules.iter().map(rule).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Format, sample::Sample};
    use super::*;

    /// The official schema's two `language` patterns end in a stray `]` (ECMAScript's Annex B
    /// accepts it, the crate's meta-schema `regex` check does not). It is replaced, in memory
    /// only, by what it means; nothing we emit has a `language`.
    const BAD_PATTERN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;

    fn validator() -> jsonschema::Validator {
        let text = include_str!("../../tests/data/sarif-2.1.0.json");
        assert!(
            text.contains(BAD_PATTERN),
            "schema file changed: revisit BAD_PATTERN"
        );
        let text = text.replace(BAD_PATTERN, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| unreachable!("SARIF schema does not compile: {e}"))
    }

    #[test]
    fn sarif_snapshot() {
        insta::assert_snapshot!(Sample::new().output(Format::Sarif, false));
    }

    #[test]
    fn sarif_validates_against_the_official_schema() {
        let out = Sample::new().output(Format::Sarif, false);
        let log: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        let errors: Vec<String> = validator()
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn the_validator_is_not_a_rubber_stamp() {
        let out = Sample::new().output(Format::Sarif, false);
        let mut log: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        log["runs"][0]["results"][0]["level"] = "fatal".into();
        assert!(!validator().is_valid(&log));
        log["runs"][0]["results"][0]["level"] = "error".into();
        log["runs"][0]["columnKind"] = "bytes".into();
        assert!(!validator().is_valid(&log));
    }

    #[test]
    fn results_point_into_the_rule_list_with_char_columns() {
        let out = Sample::new().output(Format::Sarif, false);
        let log: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(3)
        );
        let results = run["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(results.len(), 4);
        for r in &results {
            let idx = r["ruleIndex"].as_u64().unwrap_or(u64::MAX);
            let rule_id =
                &run["tool"]["driver"]["rules"][usize::try_from(idx).unwrap_or(usize::MAX)]["id"];
            assert_eq!(&r["ruleId"], rule_id);
        }
        let usres = &results[1];
        assert_eq!(usres["level"], "error");
        let region = &usres["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (
                region["startLine"].as_u64(),
                region["startColumn"].as_u64(),
                region["endColumn"].as_u64()
            ),
            (Some(4), Some(25), Some(30))
        );
        assert_eq!(
            usres["partialFingerprints"][FINGERPRINT_KEY],
            "missing-relation:public.usres:001_init.sql"
        );
        assert_eq!(
            usres["relatedLocations"][0]["message"]["text"],
            "`users` created here"
        );
        assert_eq!(results[3]["level"], "note");
        assert_eq!(
            results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "migrations/002%20billing%2Cv2.sql"
        );
    }

    #[test]
    fn uri_paths_are_percent_encoded_utf8() {
        assert_eq!(
            uri_path("db/migrations/001_init.sql"),
            "db/migrations/001_init.sql"
        );
        assert_eq!(uri_path("a b/é#?.sql"), "a%20b/%C3%A9%23%3F.sql");
    }

    #[test]
    fn full_description_is_the_what_it_does_section() {
        let rules = crate::report::sample::rules();
        assert_eq!(
            full_description(&rules[0]),
            "Finds references to tables that do not exist yet.\nAcross files."
        );
        assert_eq!(full_description(&rules[1]), rules[1].summary);
    }
}
