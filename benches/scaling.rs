//! Scaling benchmark (`harness = false`): histories of shapes that stress the history
//! questions (long dependency chains dropped with CASCADE, thousands of uses of missing
//! objects, renames, drops and re-creates, one table altered thousands of times, many files),
//! each written at `n` and `2n` units, and every command run on both as a process. The time
//! ratio of `2n` to `n` is ~2 for work linear in the input and ~4 for quadratic work; a ratio
//! above 3 is marked `<< quadratic?`, the sign of a scan inside a loop over the history.
//!
//! `cargo bench --bench scaling` runs everything (`SCALING_N` units, default 4,000; `RUNS`
//! runs per point, median, default 3);
//! `cargo bench --bench scaling -- --write DIR` only writes the histories to DIR.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod timing;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use timing::time;

/// A history shape: files (name, text) for `n` units.
type Shape = fn(usize) -> Vec<(String, String)>;

const SHAPES: &[(&str, Shape)] = &[
    ("view chain, dropped with CASCADE", view_chain),
    ("inheritance chain, dropped with CASCADE", inherit_chain),
    ("uses of a missing schema's table", missing_refs),
    ("tables renamed, each used after", renames),
    ("drop and re-create, each used", drop_recreate),
    ("one table altered n times", one_table),
    ("hub referenced by n tables, dropped", hub),
    ("missing columns of one table", missing_columns),
    ("rolled-back transactions", rollbacks),
    ("one file per table (n/4 files)", many_files),
];

const COMMANDS: &[&[&str]] = &[
    &["check", "--format", "json", "--fail-on", "never"],
    &["check", "--format", "sarif", "--fail-on", "never"],
    &["model", "--format", "json"],
    &["order", "--format", "json"],
    &["diagram", "--format", "mermaid"],
    &["diagram", "--format", "html"],
    &["diagram", "--format", "ascii"],
];

fn one_file(sql: String) -> Vec<(String, String)> {
    vec![("001_history.sql".to_string(), sql)]
}

fn view_chain(n: usize) -> Vec<(String, String)> {
    let mut s = String::from("CREATE TABLE base (id int PRIMARY KEY);\n");
    s.push_str("CREATE VIEW v0 AS SELECT * FROM base;\n");
    for i in 1..n {
        let _ = writeln!(s, "CREATE VIEW v{i} AS SELECT * FROM v{};", i - 1);
    }
    s.push_str("DROP TABLE base CASCADE;\n");
    one_file(s)
}

fn inherit_chain(n: usize) -> Vec<(String, String)> {
    let mut s = String::from("CREATE TABLE p0 (id int);\n");
    for i in 1..n {
        let _ = writeln!(s, "CREATE TABLE p{i} () INHERITS (p{});", i - 1);
    }
    s.push_str("DROP TABLE p0 CASCADE;\n");
    one_file(s)
}

fn missing_refs(n: usize) -> Vec<(String, String)> {
    let mut s = String::new();
    for i in 0..n {
        let _ = writeln!(
            s,
            "CREATE TABLE t{i} (id int PRIMARY KEY, user_id uuid REFERENCES auth.users (id));"
        );
    }
    one_file(s)
}

fn renames(n: usize) -> Vec<(String, String)> {
    let mut s = String::new();
    for i in 0..n {
        let _ = writeln!(s, "CREATE TABLE old{i} (id int PRIMARY KEY, a text);");
        let _ = writeln!(s, "CREATE INDEX ON old{i} (a);");
        let _ = writeln!(s, "ALTER TABLE old{i} RENAME TO new{i};");
        let _ = writeln!(s, "INSERT INTO new{i} (id, a) VALUES (1, 'x');");
    }
    one_file(s)
}

fn drop_recreate(n: usize) -> Vec<(String, String)> {
    let mut s = String::new();
    for _ in 0..n {
        s.push_str("CREATE TABLE d (id int PRIMARY KEY, a text);\n");
        s.push_str("CREATE VIEW dv AS SELECT a FROM d;\n");
        s.push_str("DROP TABLE d CASCADE;\n");
    }
    one_file(s)
}

fn one_table(n: usize) -> Vec<(String, String)> {
    let mut s = String::from("CREATE TABLE wide (id int PRIMARY KEY);\n");
    for i in 0..n {
        let _ = writeln!(s, "ALTER TABLE wide ADD COLUMN c{i} int;");
        let _ = writeln!(s, "CREATE INDEX wide_c{i} ON wide (c{i});");
    }
    one_file(s)
}

fn hub(n: usize) -> Vec<(String, String)> {
    let mut s = String::from("CREATE TABLE hub (id int PRIMARY KEY);\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "CREATE TABLE spoke{i} (id int PRIMARY KEY, hub_id int REFERENCES hub (id));"
        );
    }
    s.push_str("DROP TABLE hub CASCADE;\n");
    one_file(s)
}

fn missing_columns(n: usize) -> Vec<(String, String)> {
    let mut s = String::from("CREATE TABLE mc (id int PRIMARY KEY);\n");
    for i in 0..n {
        let _ = writeln!(s, "CREATE INDEX mc_{i} ON mc (nope{i});");
    }
    one_file(s)
}

fn rollbacks(n: usize) -> Vec<(String, String)> {
    let mut s = String::new();
    for i in 0..n {
        let _ = writeln!(
            s,
            "BEGIN;\nCREATE TABLE rb{i} (id int PRIMARY KEY);\nROLLBACK;\nCREATE INDEX ON rb{i} (id);"
        );
    }
    one_file(s)
}

fn many_files(n: usize) -> Vec<(String, String)> {
    let files = n / 4;
    (0..files)
        .map(|i| {
            let body = if i == 0 {
                "CREATE TABLE f0 (id int PRIMARY KEY);\n".to_string()
            } else {
                format!(
                    "CREATE TABLE f{i} (id int PRIMARY KEY, prev int REFERENCES f{} (id));\n\
                     CREATE INDEX ON f{i} (prev);\n",
                    i - 1
                )
            };
            (format!("{i:06}_f{i}.sql"), body)
        })
        .collect()
}

fn write(dir: &Path, files: &[(String, String)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn run(runs: usize, dir: &Path, command: &[&str]) -> Duration {
    time(runs, || {
        Command::new(env!("CARGO_BIN_EXE_ogel-schema"))
            .args(command)
            .arg(dir)
            .output()
            .unwrap()
    })
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = env_number("SCALING_N", 4_000);
    let runs = env_number("RUNS", 3);
    let tmp = tempfile::tempdir().unwrap();
    let root = match args.iter().position(|a| a == "--write") {
        Some(i) => PathBuf::from(args.get(i + 1).expect("--write DIR")),
        None => tmp.path().to_path_buf(),
    };
    let dirs: Vec<(&str, PathBuf, PathBuf)> = SHAPES
        .iter()
        .enumerate()
        .map(|(i, (name, shape))| {
            let small = root.join(format!("{i:02}-n"));
            let big = root.join(format!("{i:02}-2n"));
            write(&small, &shape(n));
            write(&big, &shape(2 * n));
            (*name, small, big)
        })
        .collect();
    if args.iter().any(|a| a == "--write") {
        println!(
            "wrote {} shapes at n = {n} and 2n to {}",
            SHAPES.len(),
            root.display()
        );
        return;
    }
    println!("n = {n} units, median of {runs} runs, ms at n / at 2n (ratio)");
    for (name, small, big) in &dirs {
        println!("\n{name}");
        for command in COMMANDS {
            let a = run(runs, small, command).as_secs_f64() * 1e3;
            let b = run(runs, big, command).as_secs_f64() * 1e3;
            let ratio = b / a.max(1e-9);
            let mark = if ratio > 3.0 { "  << quadratic?" } else { "" };
            println!(
                "  {:<34} {a:>9.1} {b:>9.1} ({ratio:.2}){mark}",
                command.join(" ")
            );
        }
    }
}
