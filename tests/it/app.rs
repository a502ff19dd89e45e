//! PostgreSQL as judge for the application checks: replay fixtures/ogelbase's migrations in the
//! real server, `PREPARE` every non-dynamic query extracted from fixtures/ogelbase/app, and
//! compare the queries PostgreSQL rejects for a missing relation or column with the queries
//! that carry an app-missing-relation / app-missing-column finding.

use std::collections::BTreeSet;

use crate::pg;
use crate::rules::analyze_dir;

#[test]
fn postgres_rejects_exactly_the_flagged_app_queries() {
    let fixture = "fixtures/ogelbase";
    let (analysis, config) = analyze_dir(fixture);
    let app = analysis
        .app
        .as_ref()
        .expect("fixtures/ogelbase checks its app");
    assert!(!app.queries.is_empty());
    let files: Vec<String> = analysis
        .project
        .applied()
        .map(|(_, f)| f.path.to_string_lossy().into_owned())
        .collect();
    let (db, _) = pg::apply_files("app_ogelbase", &files);

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
        if q.dynamic_relations {
            continue;
        }
        checked += 1;
        let file = app.file_ids[q.file];
        if flagged_spans
            .iter()
            .any(|s| s.file == file && s.start >= q.span.start && s.end <= q.span.end)
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
    assert!(checked >= 8, "only {checked} queries checked");
    assert!(!rejected.is_empty(), "the fixture has broken endpoints");
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
    assert_eq!(show(&rejected), show(&flagged));
}
