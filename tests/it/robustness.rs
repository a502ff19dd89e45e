//! Never panic, on any input: every hostile input goes through the whole CLI (`check` and
//! `model`), must exit 0/1 (findings) or 2 (tool error) — never 101 (a panic) or a signal —
//! and the diagnostics must name the file.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("ogel-schema")
        .unwrap()
        .args(args)
        .arg(dir)
        .timeout(Duration::from_secs(600))
        .output()
        .unwrap()
}

/// Run `check` and `model` on a directory holding one migration with `bytes`.
fn survives(name: &str, bytes: &[u8]) -> String {
    survives_with(
        name,
        bytes,
        &[
            &["check", "--format", "json"],
            &["check", "--color", "never"],
            &["model", "--format", "json"],
        ],
    )
}

fn survives_with(name: &str, bytes: &[u8], commands: &[&[&str]]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(format!("001_{name}.sql")), bytes).unwrap();
    std::fs::write(
        tmp.path().join("002_after.sql"),
        "CREATE TABLE after_it (id int PRIMARY KEY);\n",
    )
    .unwrap();
    let mut all = String::new();
    for args in commands.iter().copied() {
        let out = run(tmp.path(), args);
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            matches!(code, Some(0..=2)),
            "{name}: `{}` exited with {code:?} (a panic is 101, a signal is None)\nstderr: {stderr}",
            args.join(" ")
        );
        assert!(!stderr.contains("panicked"), "{name}: panic: {stderr}");
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push_str(&stderr);
    }
    // The run goes on with the rest: the second migration is always modelled.
    let model = run(tmp.path(), &["model", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&model.stdout).unwrap();
    let names: Vec<&str> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"after_it"),
        "{name}: the file after it was not analysed: {names:?}"
    );
    all
}

#[test]
fn invalid_utf8_is_a_diagnostic_with_the_file() {
    let out = survives(
        "invalid_utf8",
        b"CREATE TABLE a (id int);\nSELECT '\xff\xfe';\n",
    );
    assert!(out.contains("001_invalid_utf8.sql"), "{out}");
}

#[test]
fn half_written_statement() {
    let out = survives("half", b"CREATE TABLE a (id int,\n  name text\n");
    assert!(out.contains("001_half.sql"), "{out}");
    survives(
        "half_dollar",
        b"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1",
    );
    survives("half_comment", b"/* never closed\nCREATE TABLE b (id int);");
    survives("half_quote", b"INSERT INTO a VALUES ('never closed);");
}

#[test]
fn syntax_sqlparser_does_not_know() {
    let out = survives(
        "unknown",
        b"ALTER TABLE a ALTER CONSTRAINT a_fk DEFERRABLE;\nCREATE TABLE x (id int) USING heap WITH (fillfactor=70) TABLESPACE pg_default;\nCREATE AGGREGATE s (int) (sfunc = int4pl, stype = int);\n{{ index .Options \"Namespace\" }}\n",
    );
    assert!(out.contains("001_unknown.sql"), "{out}");
}

#[test]
fn deep_nesting_and_long_lines() {
    let mut sql = String::from("SELECT ");
    sql.push_str(&"(".repeat(10_000));
    sql.push('1');
    sql.push_str(&")".repeat(10_000));
    sql.push_str(";\n");
    survives("deep", sql.as_bytes());
    let long = format!(
        "INSERT INTO t VALUES {};\n",
        vec!["(1, 'x')"; 50_000].join(",")
    );
    survives("long_line", long.as_bytes());
}

/// Long dependency chains (each view reads the one before, each table inherits the one
/// before), then dropped at the root with CASCADE: the replay drops them depth first without
/// recursing (2,000 views overflowed the replay thread's stack), and every command that walks
/// the schema copes with the depth.
#[test]
fn long_dependency_chains_dropped_with_cascade() {
    let mut sql = String::from(
        "CREATE TABLE base (id int PRIMARY KEY);\nCREATE VIEW v0 AS SELECT * FROM base;\n",
    );
    for i in 1..5_000 {
        sql.push_str(&format!("CREATE VIEW v{i} AS SELECT * FROM v{};\n", i - 1));
    }
    sql.push_str("CREATE TABLE p0 (id int);\n");
    for i in 1..5_000 {
        sql.push_str(&format!("CREATE TABLE p{i} () INHERITS (p{});\n", i - 1));
    }
    let kept = sql.clone();
    sql.push_str("DROP TABLE base CASCADE;\nDROP TABLE p0 CASCADE;\n");
    let commands: &[&[&str]] = &[
        &["check", "--format", "json"],
        &["model", "--format", "json"],
        &["diagram", "--format", "dot"],
        &["order"],
    ];
    survives_with("chains_dropped", sql.as_bytes(), commands);
    survives_with("chains_kept", kept.as_bytes(), commands);
    // Everything in the chains is gone after the drops; only the second file's table is left.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("001_chains.sql"), &sql).unwrap();
    let out = run(tmp.path(), &["model", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["tables"].as_array().map(Vec::len), Some(0), "{doc}");
}

#[test]
fn binary_garbage_and_empty_files() {
    let garbage: Vec<u8> = (0u32..20_000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    survives("garbage", &garbage);
    survives("empty", b"");
    survives("only_comments", b"-- nothing here\n/* or here */\n");
    survives("nul", b"CREATE TABLE a (id int);\0\0\0");
}

#[test]
fn hostile_identifiers() {
    survives(
        "hostile",
        "CREATE TABLE \"<script>alert(1)</script>\" (\"end\" int, \"a\"\"b\" text, \"😀\" text, \"line\nbreak\" int);\n\
         CREATE TABLE \"x]\\\"{}\" (id int REFERENCES \"<script>alert(1)</script>\" (\"end\"));\n\
         CREATE TABLE a_very_long_name_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (id int);\n"
            .as_bytes(),
    );
}

#[test]
fn a_ten_megabyte_file() {
    // What 10 MB migration files usually hold: data seeds. (70,000 CREATE TABLEs in one
    // file are measured by the benchmark in release mode, not here.)
    let mut sql = String::with_capacity(10 << 20);
    sql.push_str("CREATE TABLE seed (id bigint PRIMARY KEY, name text NOT NULL, note text);\n");
    let mut id = 0u64;
    while sql.len() < 10 << 20 {
        sql.push_str("INSERT INTO seed (id, name, note) VALUES\n");
        let rows: Vec<String> = (0..2_000)
            .map(|_| {
                id += 1;
                format!("({id}, 'name {id}', 'a note; with a semicolon and ''quotes''')")
            })
            .collect();
        sql.push_str(&rows.join(",\n"));
        sql.push_str(";\n");
    }
    survives_with(
        "ten_mb",
        sql.as_bytes(),
        &[
            &["check", "--format", "compact"],
            &["model", "--format", "json"],
        ],
    );
}

#[test]
fn a_wrong_path_is_a_clear_tool_error() {
    let out = Command::cargo_bin("ogel-schema")
        .unwrap()
        .args(["check", "/no/such/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/no/such/dir"), "{stderr}");
}

#[test]
fn a_wrong_app_path_is_a_clear_tool_error() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ogelbase/migrations");
    for command in ["check", "diagram"] {
        let out = Command::cargo_bin("ogel-schema")
            .unwrap()
            .args([command, "--app", "/no/such/app", fixture])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("application source not found: /no/such/app"),
            "{command}: {stderr}"
        );
    }
}

/// Application files the scan cannot read whole are named on stderr; the run goes on and the
/// machine format on stdout stays clean.
#[test]
fn skipped_app_files_are_notes_naming_them() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("latin1.ts"), b"const q = 'SELECT \xe9 FROM t'\n").unwrap();
    std::fs::write(src.join("bundle.js"), vec![b'a'; 3 * 1024 * 1024]).unwrap();
    std::fs::write(src.join("ok.ts"), "const q = `SELECT id FROM nowhere`\n").unwrap();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ogelbase/migrations");
    let out = Command::cargo_bin("ogel-schema")
        .unwrap()
        .args(["check", "--format", "json", "--app"])
        .arg(tmp.path())
        .arg(fixture)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("src/latin1.ts: not UTF-8: read with replacement characters"),
        "{stderr}"
    );
    assert!(
        stderr.contains("src/bundle.js: larger than 2 MiB (3145728 bytes): not scanned"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().is_some_and(|m| m.contains("nowhere"))),
        "the readable file was still checked"
    );
}

/// Regression: an enum label written as a dollar-quoted string is valid PostgreSQL that
/// sqlparser cannot read; a later use of the type must not be reported as missing.
#[test]
fn regression_unparsed_create_type_is_not_reported_missing() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("001_init.sql"),
        "CREATE TYPE mood AS ENUM ($q$ok$q$);\nCREATE TABLE b (id int PRIMARY KEY, m mood);\n",
    )
    .unwrap();
    let out = run(tmp.path(), &["check", "--format", "compact"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("error["),
        "a statement PostgreSQL accepts got an error:\n{text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
}
