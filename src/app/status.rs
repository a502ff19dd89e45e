//! Application scan → report: where each endpoint stands — Working (with DB) / Broken / Returns
//! mock data — and what it is missing, as one sorted list of [`EndpointRow`]s read by the table
//! printed after the findings of `check --app`, the `endpoints` array of `check --format json`
//! and the diagram view (missing tables "used by GET /api/...").

use std::io::{self, Write};

use super::resolve::AppReport;
use crate::model::QualifiedName;
use crate::source::SourceFile;
use crate::span::FileId;

/// Where one endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Working,
    Broken,
    Mock,
    /// No query reaches the handler and it returns no literal object.
    NoDatabase,
}

impl Status {
    /// The wire name (`check --format json`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::Broken => "broken",
            Status::Mock => "mock_data",
            Status::NoDatabase => "no_database",
        }
    }

    /// The table's section title.
    fn title(self) -> &'static str {
        match self {
            Status::Working => "Working (with DB)",
            Status::Broken => "Broken (queries missing tables or columns)",
            Status::Mock => "Returns mock data",
            Status::NoDatabase => "No database access",
        }
    }
}

/// The status of endpoint `index` of `report`.
#[must_use]
pub fn status(report: &AppReport, index: usize) -> Status {
    let Some(ep) = report.endpoints.get(index) else {
        return Status::NoDatabase;
    };
    let broken = ep.queries.iter().any(|&q| report.broken(q));
    if broken && ep.mock_fallback {
        // The query fails and the handler answers with its hard-coded fallback.
        Status::Mock
    } else if broken {
        Status::Broken
    } else if ep.mock {
        Status::Mock
    } else if ep.queries.is_empty() {
        Status::NoDatabase
    } else {
        Status::Working
    }
}

/// What a missing name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MissingKind {
    Relation,
    Column,
}

/// A relation or column an application query uses that the migrations do not leave in place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingUse {
    /// Project file id of the application file.
    pub file: FileId,
    /// 1-based line.
    pub line: usize,
    /// Byte offset in the file.
    pub at: usize,
    pub kind: MissingKind,
    /// `platform.organization_members` (relation, as PostgreSQL looks it up) or
    /// `p.db_size_bytes` (column, as written).
    pub name: String,
    /// Columns: the relations searched (`platform.projects`); relations: empty.
    pub table: String,
}

/// One endpoint with its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRow {
    pub status: Status,
    pub method: String,
    pub route: String,
    /// Project file id of the file defining it.
    pub file: FileId,
    pub line: usize,
    /// Has queries, and answers with hard-coded data when they fail.
    pub mock_fallback: bool,
    /// Sorted by file, offset.
    pub missing: Vec<MissingUse>,
}

impl EndpointRow {
    /// `GET /api/platform/projects`.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{} {}", self.method, self.route)
    }
}

/// Every missing relation and column of `queries`, sorted by place, without repeats.
#[must_use]
pub fn missing_uses(
    report: &AppReport,
    files: &[SourceFile],
    queries: &[usize],
) -> Vec<MissingUse> {
    let mut out: Vec<MissingUse> = Vec::new();
    for &qi in queries {
        let (Some(q), Some(r)) = (report.queries.get(qi), report.resolved.get(qi)) else {
            continue;
        };
        let Some(&file) = report.file_ids.get(q.file) else {
            continue;
        };
        let line = |at: usize| files.get(file).map_or(0, |f| f.lines.line_of(at));
        for m in &r.missing_relations {
            out.push(MissingUse {
                file,
                line: line(m.at),
                at: m.at,
                kind: MissingKind::Relation,
                name: m.name.to_string(),
                table: String::new(),
            });
        }
        for m in &r.missing_columns {
            out.push(MissingUse {
                file,
                line: line(m.at),
                at: m.at,
                kind: MissingKind::Column,
                name: m.written.clone(),
                table: m.table_list(),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every endpoint, sorted by status, then `METHOD route`, then file.
#[must_use]
pub fn rows(report: &AppReport, files: &[SourceFile]) -> Vec<EndpointRow> {
    let mut rows: Vec<EndpointRow> = report
        .endpoints
        .iter()
        .enumerate()
        .filter_map(|(i, ep)| {
            let file = *report.file_ids.get(ep.file)?;
            let status = status(report, i);
            Some(EndpointRow {
                status,
                method: ep.method.clone(),
                route: ep.route.clone(),
                file,
                line: ep.line,
                mock_fallback: ep.mock_fallback,
                missing: if status == Status::Working {
                    Vec::new()
                } else {
                    missing_uses(report, files, &ep.queries)
                },
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.status, a.name(), a.file, a.line).cmp(&(b.status, b.name(), b.file, b.line))
    });
    rows
}

/// A relation an application query uses and no migration leaves in place, with its user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RelationUse {
    pub name: QualifiedName,
    pub file: FileId,
    pub at: usize,
    /// `GET /api/...` of the endpoint running the query, when one does.
    pub endpoint: Option<String>,
}

/// Every missing relation of every query, sorted.
#[must_use]
pub fn missing_relations(report: &AppReport) -> Vec<RelationUse> {
    let mut out: Vec<RelationUse> = Vec::new();
    for (q, r) in report.queries.iter().zip(&report.resolved) {
        let Some(&file) = report.file_ids.get(q.file) else {
            continue;
        };
        let endpoint = q
            .endpoint
            .and_then(|e| report.endpoints.get(e))
            .map(|e| format!("{} {}", e.method, e.route));
        for m in &r.missing_relations {
            out.push(RelationUse {
                name: m.name.clone(),
                file,
                at: m.at,
                endpoint: endpoint.clone(),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Write the table (files shown relative to their application root). Sections appear only
/// when they have endpoints.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn Write, report: &AppReport, files: &[SourceFile]) -> io::Result<()> {
    let rows = rows(report, files);
    if rows.is_empty() {
        return Ok(());
    }
    let name_of = |file: FileId| files.get(file).map_or("", |f| f.name.as_str());
    writeln!(out)?;
    writeln!(out, "API ENDPOINT STATUS")?;
    for st in [
        Status::Working,
        Status::Broken,
        Status::Mock,
        Status::NoDatabase,
    ] {
        let here: Vec<&EndpointRow> = rows.iter().filter(|r| r.status == st).collect();
        if here.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "  {}: {}", st.title(), here.len())?;
        for row in here {
            let mut line = format!("    {:<56} {}", row.name(), name_of(row.file));
            if st == Status::Working && row.mock_fallback {
                line.push_str("  (mock fallback on error)");
            }
            writeln!(out, "{}", line.trim_end())?;
            if st == Status::Mock && row.mock_fallback {
                writeln!(
                    out,
                    "      the query fails, the handler falls back to hard-coded data:"
                )?;
            }
            for m in &row.missing {
                let what = match m.kind {
                    MissingKind::Relation => format!("missing table {}", m.name),
                    MissingKind::Column => format!("missing column {} ({})", m.name, m.table),
                };
                writeln!(out, "      {}:{}  {what}", name_of(m.file), m.line)?;
            }
        }
    }
    Ok(())
}
