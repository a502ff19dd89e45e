//! PostgreSQL as judge for the application checks: for fixtures/ogelbase and every case of the
//! `app-*` rules (fixtures/rules/app-*/), replay the migrations in the real server, `PREPARE`
//! every extracted query whose table names are all written out (no interpolated table name),
//! and compare the queries PostgreSQL rejects for a missing relation or column with the queries
//! that carry an app-missing-relation / app-missing-column finding. The rule cases include
//! plain (unqualified) columns, INSERT column lists and UPDATE SET targets, and the traps where
//! a plain name is not a column of the relations in scope (output aliases, whole-row
//! references, subqueries, CTEs, function sources).

use std::collections::BTreeSet;

use crate::pg;
use crate::rules::{analyze_dir, cases};

/// `(rejected, flagged, checked)`: the queries of `fixture`'s app PostgreSQL rejects for a
/// missing relation or column, those ogel-schema flags (shown as `file: sql`), and how many
/// queries were prepared.
fn judge(fixture: &str) -> (Vec<String>, Vec<String>, usize) {
    let (analysis, config) = analyze_dir(fixture);
    let app = analysis
        .app
        .as_ref()
        .unwrap_or_else(|| panic!("{fixture} checks its app (`app = [...]`)"));
    let files: Vec<String> = analysis
        .project
        .applied()
        .map(|(_, f)| f.path.to_string_lossy().into_owned())
        .collect();
    let hint = format!("app_{}", fixture.rsplit('/').next().unwrap_or(fixture));
    let (db, _) = pg::apply_files(&hint, &files);

    let findings = ogel_schema::rules::run(&analysis, &config);
    let flagged_spans: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.starts_with("app-missing-"))
        .map(|f| f.span)
        .collect();

    let mut rejected = BTreeSet::new();
    let mut flagged = BTreeSet::new();
    let mut checked = 0;
    for (i, q) in app.queries.iter().enumerate() {
        if !app.resolved[i].dynamic.is_empty() {
            continue;
        }
        checked += 1;
        let file = app.file_ids[q.file];
        if flagged_spans
            .iter()
            .any(|s| s.file() == file && s.start() >= q.span.start && s.end() <= q.span.end)
        {
            flagged.insert(i);
        }
        let errors = db.apply_sql(&format!("PREPARE q AS {};\n", q.sql));
        if errors.iter().any(|e| {
            (e.message.starts_with("relation \"") || e.message.starts_with("column "))
                && e.message.ends_with("does not exist")
        }) {
            rejected.insert(i);
        }
    }
    let show = |set: &BTreeSet<usize>| -> Vec<String> {
        set.iter()
            .map(|&i| {
                let q = &app.queries[i];
                format!(
                    "{}: {}",
                    analysis.project.files[app.file_ids[q.file]].display, q.sql
                )
            })
            .collect()
    };
    (show(&rejected), show(&flagged), checked)
}

#[test]
fn postgres_rejects_exactly_the_flagged_app_queries() {
    let (rejected, flagged, checked) = judge("fixtures/ogelbase");
    assert!(checked >= 8, "only {checked} queries checked");
    assert!(!rejected.is_empty(), "the fixture has broken endpoints");
    assert_eq!(rejected, flagged);
}

#[test]
fn postgres_rejects_exactly_the_flagged_queries_of_the_app_rule_cases() {
    let mut dirs = Vec::new();
    for rule in [
        "app-missing-relation",
        "app-missing-column",
        "app-dynamic-relation",
    ] {
        let (bad, good) = cases(rule);
        dirs.extend(bad);
        dirs.extend(good);
    }
    assert!(
        dirs.iter().any(|d| d.ends_with("bad-plain-column"))
            && dirs.iter().any(|d| d.ends_with("good-plain-columns")),
        "{dirs:?}"
    );
    let mut total = 0;
    let mut rejected_total = 0;
    let mut mismatches = Vec::new();
    for dir in &dirs {
        let (rejected, flagged, checked) = judge(dir);
        total += checked;
        rejected_total += rejected.len();
        if rejected != flagged {
            mismatches.push(format!(
                "{dir}:\n  PostgreSQL rejects: {rejected:#?}\n  ogel-schema flags: {flagged:#?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(total >= 20, "only {total} queries checked");
    assert!(
        rejected_total >= 6,
        "only {rejected_total} rejected queries"
    );
}
