//! Report stage, baseline filter: `--write-baseline FILE` records today's findings by
//! fingerprint; `--baseline FILE` hides the findings it lists (count-aware) so only new ones
//! are reported. Analysis is never affected, only what is shown.
//!
//! The file is versioned JSON, sorted, so it diffs well and only ever shrinks: entries that
//! match nothing any more are returned as stale for the caller to report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ReportFile;
use crate::diag::Finding;

/// Bumped only on breaking changes to the file format.
pub const BASELINE_VERSION: u32 = 1;

/// One baselined finding. Only `fingerprint` is used for matching; the other fields are for
/// the humans reviewing the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub message: String,
}

/// The wire format of the baseline file.
#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<BaselineEntry>,
}

/// A set of accepted findings (a multiset: a fingerprint listed twice hides two findings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Sorted.
    entries: Vec<BaselineEntry>,
}

/// Why a baseline file could not be read or written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("cannot read baseline file {}", path.display())]
    #[diagnostic(code(ogel_schema::baseline::read), help("create it with `--write-baseline {}`", path.display()))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("baseline file {} is not valid baseline JSON", path.display())]
    #[diagnostic(
        code(ogel_schema::baseline::parse),
        help(
            "expected {{\"version\": 1, \"findings\": [{{\"fingerprint\": ...}}]}}; regenerate it with `--write-baseline`"
        )
    )]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("baseline file {} has version {found}, this ogel-schema reads version {BASELINE_VERSION}", path.display())]
    #[diagnostic(
        code(ogel_schema::baseline::version),
        help("regenerate it with `--write-baseline`")
    )]
    Version { path: PathBuf, found: u32 },
    #[error("cannot write baseline file {}", path.display())]
    #[diagnostic(code(ogel_schema::baseline::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Baseline {
    /// Record `findings`; `files` gives the display path of each [`crate::span::Span::file`].
    #[must_use]
    pub fn from_findings(findings: &[Finding], files: &[ReportFile]) -> Self {
        let entries = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.to_owned(),
                file: files
                    .get(f.span.file())
                    .map_or(super::UNKNOWN_FILE, |file| file.display)
                    .to_owned(),
                message: f.message.clone(),
            })
            .collect();
        Self::from_entries(entries)
    }

    fn from_entries(mut entries: Vec<BaselineEntry>) -> Self {
        entries.sort();
        Self { entries }
    }

    /// The entries, sorted by fingerprint (then rule, file, message).
    #[must_use]
    pub fn entries(&self) -> &[BaselineEntry] {
        &self.entries
    }

    /// Parse baseline JSON (`path` is only used in errors).
    ///
    /// # Errors
    /// [`BaselineError::Parse`] or [`BaselineError::Version`].
    pub fn parse(text: &str, path: &Path) -> Result<Self, BaselineError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            version: u32,
        }
        // Check the version first so a future format gives a version error, not a parse error.
        let version: VersionOnly =
            serde_json::from_str(text).map_err(|source| BaselineError::Parse {
                path: path.to_owned(),
                source,
            })?;
        if version.version != BASELINE_VERSION {
            return Err(BaselineError::Version {
                path: path.to_owned(),
                found: version.version,
            });
        }
        let file: BaselineFile =
            serde_json::from_str(text).map_err(|source| BaselineError::Parse {
                path: path.to_owned(),
                source,
            })?;
        Ok(Self::from_entries(file.findings))
    }

    /// Read a baseline file.
    ///
    /// # Errors
    /// [`BaselineError::Read`], [`BaselineError::Parse`] or [`BaselineError::Version`].
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// The file's content: pretty JSON, sorted, with a trailing newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let file = BaselineFile {
            version: BASELINE_VERSION,
            findings: self.entries.clone(),
        };
        // Serialising plain strings and integers cannot fail.
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Write the file.
    ///
    /// # Errors
    /// [`BaselineError::Write`].
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.to_json()).map_err(|source| BaselineError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// Split `findings` into those not in the baseline (kept, order preserved) and the number
    /// suppressed. Matching is by fingerprint and count-aware: an entry suppresses at most one
    /// finding. Entries that suppressed nothing are returned (sorted) as stale.
    #[must_use]
    pub fn apply(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize, Vec<BaselineEntry>) {
        // For each fingerprint, the entries not used yet (popped from the back).
        let mut unused: BTreeMap<&str, Vec<&BaselineEntry>> = BTreeMap::new();
        for entry in &self.entries {
            unused
                .entry(entry.fingerprint.as_str())
                .or_default()
                .push(entry);
        }
        let mut suppressed = 0;
        let kept = findings
            .into_iter()
            .filter(
                |f| match unused.get_mut(f.fingerprint.as_str()).and_then(Vec::pop) {
                    Some(_) => {
                        suppressed += 1;
                        false
                    }
                    None => true,
                },
            )
            .collect();
        let mut stale: Vec<BaselineEntry> = unused.into_values().flatten().cloned().collect();
        stale.sort();
        (kept, suppressed, stale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::Sample;

    fn baseline_of_sample() -> (Sample, Baseline) {
        let sample = Sample::new();
        let baseline = Baseline::from_findings(&sample.findings, &sample.files());
        (sample, baseline)
    }

    #[test]
    fn written_file_is_sorted_versioned_json() {
        let (_, baseline) = baseline_of_sample();
        let json = baseline.to_json();
        insta::assert_snapshot!(json);
        let fps: Vec<&str> = baseline
            .entries()
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut sorted = fps.clone();
        sorted.sort_unstable();
        assert_eq!(fps, sorted);
        assert!(json.ends_with("}\n"));
    }

    #[test]
    fn round_trip_through_a_file() {
        let (_, baseline) = baseline_of_sample();
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("baseline.json");
        assert!(baseline.save(&path).is_ok());
        let loaded = Baseline::load(&path);
        assert_eq!(loaded.ok(), Some(baseline));
    }

    #[test]
    fn everything_baselined_is_suppressed_and_new_findings_are_kept() {
        let (sample, baseline) = baseline_of_sample();
        let (kept, suppressed, stale) = baseline.apply(sample.findings.clone());
        assert!(kept.is_empty());
        assert_eq!(suppressed, 4);
        assert!(stale.is_empty());

        let mut findings = sample.findings.clone();
        let mut new = findings[1].clone();
        new.fingerprint = "missing-relation:public.brand_new:003.sql".into();
        findings.insert(2, new.clone());
        let (kept, suppressed, _) = baseline.apply(findings);
        assert_eq!(kept, vec![new]);
        assert_eq!(suppressed, 4);
    }

    #[test]
    fn matching_is_count_aware() {
        let (sample, _) = baseline_of_sample();
        let one = sample.findings[0].clone();
        // Listed once, found twice: one is still reported.
        let baseline = Baseline::from_findings(std::slice::from_ref(&one), &sample.files());
        let (kept, suppressed, stale) = baseline.apply(vec![one.clone(), one.clone()]);
        assert_eq!((kept.len(), suppressed, stale.len()), (1, 1, 0));
        // Listed twice, found once: one entry is stale.
        let baseline = Baseline::from_findings(&[one.clone(), one.clone()], &sample.files());
        let (kept, suppressed, stale) = baseline.apply(vec![one.clone()]);
        assert_eq!((kept.len(), suppressed), (0, 1));
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].fingerprint, one.fingerprint);
    }

    #[test]
    fn fixed_findings_become_stale_entries() {
        let (sample, baseline) = baseline_of_sample();
        let remaining = vec![sample.findings[0].clone()];
        let (kept, suppressed, stale) = baseline.apply(remaining);
        assert!(kept.is_empty());
        assert_eq!(suppressed, 1);
        let stale_fps: Vec<&str> = stale.iter().map(|e| e.fingerprint.as_str()).collect();
        assert_eq!(
            stale_fps,
            [
                "missing-relation:public.users:migrations/002 billing,v2.sql",
                "missing-relation:public.usres:001_init.sql",
                "unparsable-statement:migrations/002 billing,v2.sql:2",
            ]
        );
        assert_eq!(stale[1].file, "001_init.sql");
    }

    #[test]
    fn bad_files_give_typed_errors() {
        let p = Path::new("b.json");
        assert!(matches!(
            Baseline::parse("{", p),
            Err(BaselineError::Parse { .. })
        ));
        assert!(matches!(
            Baseline::parse(r#"{"version": 2, "findings": 7}"#, p),
            Err(BaselineError::Version { found: 2, .. })
        ));
        assert!(matches!(
            Baseline::parse(r#"{"version": 1, "findings": [{"rule": "x"}]}"#, p),
            Err(BaselineError::Parse { .. })
        ));
        assert!(matches!(
            Baseline::load(Path::new("/nonexistent/ogel/b.json")),
            Err(BaselineError::Read { .. })
        ));
        // Only the fingerprint is required.
        let b = Baseline::parse(r#"{"version": 1, "findings": [{"fingerprint": "r:x"}]}"#, p);
        assert_eq!(b.ok().map(|b| b.entries().len()), Some(1));
    }
}
