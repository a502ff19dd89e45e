//! How the executable starts (build.rs, src/main.rs): settings that exist only for speed
//! (docs/performance.md, "Start-up"), checked so a toolchain or dependency update that
//! silently undoes them fails here instead of showing up as a slower benchmark.

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;

/// build.rs links the executable at a fixed address (ELF type `ET_EXEC`, 2) unless it was
/// built with `OGEL_SCHEMA_PIE` set (then `ET_DYN`, 3, as cargo links by default).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_executable_is_linked_without_pie() {
    let bytes = std::fs::read(cargo_bin("ogel-schema")).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    let e_type = u16::from_le_bytes([bytes[16], bytes[17]]);
    let expected = if option_env!("OGEL_SCHEMA_PIE").is_some() {
        3
    } else {
        2
    };
    assert_eq!(e_type, expected, "ELF e_type (2 = EXEC, 3 = DYN/PIE)");
}

/// src/alloc.rs sets two mimalloc options by their index in mimalloc's option table; its
/// verbose start-up output lists every option by name, so a renumbered table shows here.
#[cfg(all(target_os = "linux", not(feature = "system-alloc")))]
#[test]
fn mimalloc_options_are_set_by_name() {
    let out = Command::cargo_bin("ogel-schema")
        .unwrap()
        .arg("--version")
        .env("MIMALLOC_VERBOSE", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("option 'destroy_on_exit': 2"), "{stderr}");
    assert!(
        stderr.contains("option 'arena_reserve': 65536 KiB"),
        "{stderr}"
    );
}

/// The executable (src/alloc.rs) allocates with glibc's malloc for a small job and switches to mimalloc when
/// discovery, the application scan or the analysis finds it large (`par::SMALL_FILES`,
/// `par::SMALL_SQL_BYTES`):
/// mimalloc reserves its first arena
/// (and says so in its verbose output) only then. Both runs must give their findings.
#[cfg(all(target_os = "linux", not(feature = "system-alloc")))]
#[test]
fn mimalloc_takes_over_only_for_large_jobs() {
    let run_with = |dir: &std::path::Path, app: Option<&std::path::Path>| {
        let mut cmd = Command::cargo_bin("ogel-schema").unwrap();
        cmd.args(["check", "--format", "json", "--fail-on", "never"]);
        if let Some(app) = app {
            cmd.arg("--app").arg(app);
        }
        let out = cmd.arg(dir).env("MIMALLOC_VERBOSE", "1").output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (report, stderr.contains("mimalloc: reserved"))
    };
    let run = |dir: &std::path::Path| run_with(dir, None);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (small, reserved) = run(&root.join("fixtures/ogelbase/migrations"));
    assert!(!reserved, "mimalloc used for a small job");
    assert!(!small["findings"].as_array().unwrap().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let mut sql = String::new();
    for i in 0..600 {
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, parent_id bigint REFERENCES t{i}(id), note text);\n"
        ));
    }
    sql.push_str("ALTER TABLE missing_table ADD COLUMN x int;\n");
    assert!(sql.len() > ogel_schema::par::SMALL_SQL_BYTES);
    std::fs::write(dir.path().join("001_tables.sql"), sql).unwrap();
    let (large, reserved) = run(dir.path());
    assert!(reserved, "mimalloc not used for a large job");
    let rules: Vec<&str> = large["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"missing-relation"), "{rules:?}");

    let many = tempfile::tempdir().unwrap();
    for i in 0..20 {
        std::fs::write(
            many.path().join(format!("{i:03}_t.sql")),
            format!("CREATE TABLE t{i} (id bigint PRIMARY KEY);\n"),
        )
        .unwrap();
    }
    let (_, reserved) = run(many.path());
    assert!(reserved, "mimalloc not used for 20 files");

    // Few migrations but 20 application files: the scan is a large job too.
    let app = tempfile::tempdir().unwrap();
    for i in 0..20 {
        std::fs::write(
            app.path().join(format!("q{i}.ts")),
            format!("export const q{i} = sql`SELECT id FROM t{i}`;\n"),
        )
        .unwrap();
    }
    let one = tempfile::tempdir().unwrap();
    std::fs::write(
        one.path().join("001_t.sql"),
        "CREATE TABLE t0 (id int PRIMARY KEY);\n",
    )
    .unwrap();
    let (report, reserved) = run_with(one.path(), Some(app.path()));
    assert!(reserved, "mimalloc not used for 20 application files");
    assert!(!report["findings"].as_array().unwrap().is_empty());
}
