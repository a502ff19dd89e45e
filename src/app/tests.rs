//! Tests of the whole scan over the fixture trees.

use std::path::{Path, PathBuf};

use super::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

#[test]
#[ignore = "exploration aid"]
fn dump_ogelbase() {
    let scan = scan(&[fixture("ogelbase/app")]);
    for e in &scan.endpoints {
        println!(
            "{} {} {}:{} mock={} fb={} q={:?}",
            e.method,
            e.route,
            scan.files[e.file].display,
            e.line,
            e.mock,
            e.mock_fallback,
            e.queries
        );
    }
    for (i, q) in scan.queries.iter().enumerate() {
        let f = &scan.files[q.file];
        println!(
            "#{i} {}:{} dyn={} ep={:?} parses={}\n{}",
            f.display,
            f.lines.line_of(q.span.start),
            q.dynamic_relations,
            q.endpoint,
            sql::parses(&q.sql),
            q.sql
        );
    }
    println!("{:?}", scan.diagnostics);
}
