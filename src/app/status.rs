//! Application scan → report: the endpoint status table printed after the findings of
//! `check --app` (human format only): Working (with DB) / Broken / Returns mock data.

use std::io::{self, Write};

use super::AppScan;
use super::resolve::AppReport;

/// Where one endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Working,
    Broken,
    Mock,
    /// No query reaches the handler and it returns no literal object.
    NoDatabase,
}

/// The status of endpoint `index`.
#[must_use]
pub fn status(scan: &AppScan, report: &AppReport, index: usize) -> Status {
    let Some(ep) = scan.endpoints.get(index) else {
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

/// Write the table. Sections appear only when they have endpoints.
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn Write, scan: &AppScan, report: &AppReport) -> io::Result<()> {
    if scan.endpoints.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<(Status, String, String, usize)> = scan
        .endpoints
        .iter()
        .enumerate()
        .map(|(i, ep)| {
            let name = format!("{} {}", ep.method, ep.route);
            let file = scan.files.get(ep.file).map_or("", |f| f.display.as_str());
            (status(scan, report, i), name, file.to_owned(), i)
        })
        .collect();
    rows.sort();
    writeln!(out)?;
    writeln!(out, "API ENDPOINT STATUS")?;
    let sections = [
        (Status::Working, "Working (with DB)"),
        (Status::Broken, "Broken (queries missing tables or columns)"),
        (Status::Mock, "Returns mock data"),
        (Status::NoDatabase, "No database access"),
    ];
    for (st, title) in sections {
        let here: Vec<_> = rows.iter().filter(|r| r.0 == st).collect();
        if here.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "  {title}: {}", here.len())?;
        for (_, name, file, i) in here {
            let mut line = format!("    {name:<56} {file}");
            let Some(ep) = scan.endpoints.get(*i) else {
                continue;
            };
            if st == Status::Working && ep.mock_fallback {
                line.push_str("  (mock fallback on error)");
            }
            writeln!(out, "{}", line.trim_end())?;
            if st == Status::Mock && ep.mock_fallback {
                writeln!(
                    out,
                    "      the query fails, the handler falls back to hard-coded data:"
                )?;
            }
            if st != Status::Working {
                broken_details(out, scan, report, &ep.queries)?;
            }
        }
    }
    Ok(())
}

fn broken_details(
    out: &mut dyn Write,
    scan: &AppScan,
    report: &AppReport,
    queries: &[usize],
) -> io::Result<()> {
    let mut lines: Vec<(String, usize, usize, String)> = Vec::new();
    for &qi in queries {
        let (Some(q), Some(r)) = (scan.queries.get(qi), report.resolved.get(qi)) else {
            continue;
        };
        let Some(file) = scan.files.get(q.file) else {
            continue;
        };
        for m in &r.missing_relations {
            let what = format!("missing table {}", m.name);
            lines.push((file.display.clone(), file.lines.line_of(m.at), m.at, what));
        }
        for m in &r.missing_columns {
            let what = format!("missing column {} ({})", m.written, m.table);
            lines.push((file.display.clone(), file.lines.line_of(m.at), m.at, what));
        }
    }
    lines.sort();
    lines.dedup();
    for (file, line, _, what) in lines {
        writeln!(out, "      {file}:{line}  {what}")?;
    }
    Ok(())
}
