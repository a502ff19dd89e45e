//! Pipeline benchmark (outside the pipeline, `harness = false`): generates a synthetic corpus
//! (benches/corpus.rs) and measures, per corpus, bare single-threaded sqlparser parsing of the
//! same statements, `analyze` (discovery + parse + model), `analyze` + all rules, and the CLI
//! binary end to end (`check --format json`, wall time and peak RSS via `/usr/bin/time`). Then
//! the application scan of `check --app`: a generated 5,000-file TS/Python/Go tree, scanned in
//! parallel (rayon, all cores) and on one thread, and `check --app` end to end.
//!
//! `cargo bench --bench pipeline` runs everything;
//! `cargo bench --bench pipeline -- --write-corpus DIR` only writes the corpus to DIR (plus
//! `dump-full/`, the ~2.5 MB pg_dump file with owners, comments and grants, and `project-50/`,
//! 50 migration files, for `scripts/bench-peers`);
//! `<bench binary> --bare-parse FILE...` parses the files' statements with bare single-threaded
//! sqlparser once (the reference `scripts/bench-peers` times as a process).
//! `cargo bench --bench pipeline -- --app-only` runs only the application-scan part.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod corpus;
mod timing;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use corpus::{DumpStyle, MigrationStyle};
use ogel_schema::cli::{InputArgs, resolve};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use timing::time;

/// The same allocator as the binary (src/main.rs), switching to mimalloc at the same size of
/// job, so bare sqlparser and the pipeline are measured on equal terms.
#[global_allocator]
static GLOBAL: ogel_schema::alloc::Hybrid = ogel_schema::alloc::Hybrid;

const MIGRATION_TABLES: usize = 5_000;
const DUMP_TABLES: usize = 1_500;
const APP_FILES: usize = 5_000;

struct Case {
    name: &'static str,
    path: PathBuf,
    runs: usize,
}

/// Writes migrations/ (~10 MB, [`MigrationStyle::Full`]), migrations-ddl/ (the same 5,000
/// tables with DDL only), dump/ (lean), dump-full/, project-50/ (50 files, the pre-commit case)
/// and app/ (the 5,000-file application tree) under DIR; returns the ones the in-process
/// benchmark measures.
fn write_corpus(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let migrations = dir.join("migrations");
    let dump = dir.join("dump");
    let app = dir.join("app");
    corpus::write_migrations_styled(&migrations, MIGRATION_TABLES, MigrationStyle::Full).unwrap();
    corpus::write_migrations(&dir.join("migrations-ddl"), MIGRATION_TABLES).unwrap();
    corpus::write_dump(&dump, DUMP_TABLES, DumpStyle::Lean).unwrap();
    corpus::write_dump(&dir.join("dump-full"), DUMP_TABLES, DumpStyle::Full).unwrap();
    corpus::write_migrations(&dir.join("project-50"), 250).unwrap();
    corpus::write_app_tree(&app, APP_FILES, MIGRATION_TABLES).unwrap();
    (migrations, dump, app)
}

/// The application scan (`check --app`) of the generated tree: in-process in parallel and on
/// one thread, then the CLI with and without `--app` on the synthetic migrations.
fn app_scan(app: &Path, migrations: &Path) {
    let roots = vec![app.to_path_buf()];
    let scan = ogel_schema::app::scan(&roots);
    let bytes: u64 = walkdir::WalkDir::new(app)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
        .sum();
    let resolved = settings(migrations);
    let mut analysis = ogel_schema::analyze(&resolved.settings).unwrap();
    ogel_schema::app::attach(&mut analysis, &scan, &resolved.settings.model);
    let report = analysis.app.as_ref().unwrap();
    let broken = (0..report.queries.len())
        .filter(|&q| report.broken(q))
        .count();
    let parallel = time(5, || {
        std::hint::black_box(ogel_schema::app::scan(&roots));
    });
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let single = time(3, || {
        one.install(|| std::hint::black_box(ogel_schema::app::scan(&roots)));
    });
    let (m, a) = (migrations.to_str().unwrap(), app.to_str().unwrap());
    let without = cli_time(3, &["check", "--format", "json", "--fail-on", "never", m]);
    let with = cli_time(
        3,
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--app",
            a,
            m,
        ],
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "app scan: {} files, {:.1} MB; {} with a query or an endpoint, {} queries, {} endpoints, {} queries broken (expected 0)",
        scan.scanned,
        bytes as f64 / 1e6,
        scan.files.len(),
        scan.queries.len(),
        scan.endpoints.len(),
        broken
    );
    println!(
        "app scan: parallel {:.1} ms ({:.0} files/s, {:.1} MB/s); one thread {:.1} ms; speed-up {:.2}x",
        ms(parallel),
        scan.scanned as f64 / parallel.as_secs_f64(),
        mb_s(bytes, parallel),
        ms(single),
        single.as_secs_f64() / parallel.as_secs_f64()
    );
    println!(
        "cli check synthetic migrations: {:.1} ms; with --app (5,000 files): {:.1} ms (+{:.1} ms)",
        ms(without),
        ms(with),
        ms(with) - ms(without)
    );
}

/// Bare single-threaded sqlparser over every statement (ogel-schema's splitter finds them):
/// (statements, statements sqlparser accepted).
fn bare_parse(texts: &[String]) -> (usize, usize) {
    let (mut all, mut ok) = (0usize, 0usize);
    for t in texts {
        for s in ogel_schema::parse::split::split(t, 0..t.len()).statements {
            let sql = t.get(s.span).unwrap_or("");
            all += 1;
            ok += usize::from(Parser::parse_sql(&PostgreSqlDialect {}, sql).is_ok());
        }
    }
    (all, ok)
}

fn mb_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn settings(path: &Path) -> ogel_schema::cli::Resolved {
    let input = InputArgs {
        paths: vec![path.to_path_buf()],
        config: None,
        search_path: None,
        replace: Vec::new(),
    };
    resolve(&input, Path::new(".")).unwrap()
}

/// Run the CLI under `/usr/bin/time -f %e %M`: (wall seconds, peak RSS KiB, exit code).
fn cli_run(args: &[&str]) -> Option<(f64, u64, i32)> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(env!("CARGO_BIN_EXE_ogel-schema"))
        .args(args)
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last()?;
    let mut it = last.split_whitespace();
    let secs: f64 = it.next()?.parse().ok()?;
    let kib: u64 = it.next()?.parse().ok()?;
    Some((secs, kib, out.status.code().unwrap_or(-1)))
}

/// Wall time of the CLI measured here (finer than /usr/bin/time's 10 ms).
fn cli_time(runs: usize, args: &[&str]) -> Duration {
    time(runs, || {
        let _ = Command::new(env!("CARGO_BIN_EXE_ogel-schema"))
            .args(args)
            .output()
            .unwrap();
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write-corpus") {
        let dir = PathBuf::from(args.get(i + 1).expect("--write-corpus DIR"));
        let (m, d, a) = write_corpus(&dir);
        println!(
            "wrote {}, {} and {} (and dump-full, project-50)",
            m.display(),
            d.display(),
            a.display()
        );
        return;
    }
    ogel_schema::par::on_large_job(ogel_schema::alloc::large_job);
    if let Some(i) = args.iter().position(|a| a == "--bare-parse") {
        let files = &args[i + 1..];
        // The binary's decisions of a large job (src/par.rs), which switch the allocator: by
        // files before reading them, by bytes before parsing. The parse stays on one thread.
        let _ = ogel_schema::par::Threads::for_files(files.len());
        let texts: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        let _ = ogel_schema::par::Threads::for_sql_bytes(texts.iter().map(String::len).sum());
        let (all, ok) = bare_parse(&texts);
        eprintln!("bare sqlparser: {all} statements, {ok} parsed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (migrations, dump, app) = write_corpus(tmp.path());
    if args.iter().any(|a| a == "--app-only") {
        app_scan(&app, &migrations);
        return;
    }
    let ogelbase = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ogelbase");
    let cases = [
        Case {
            name: "synthetic migrations",
            path: migrations.clone(),
            runs: 5,
        },
        Case {
            name: "DDL-only migrations",
            path: migrations.with_file_name("migrations-ddl"),
            runs: 5,
        },
        Case {
            name: "pg_dump file",
            path: dump,
            runs: 5,
        },
        Case {
            name: "OgelBase fixture",
            path: ogelbase,
            runs: 21,
        },
    ];
    println!(
        "{:<22} {:>6} {:>9} {:>7} | {:>10} {:>10} {:>10} | {:>7} {:>7} | {:>10} {:>10} {:>6}",
        "corpus",
        "files",
        "bytes",
        "stmts",
        "bare parse",
        "analyze",
        "+rules",
        "an/bare",
        "all/bare",
        "cli check",
        "cli RSS",
        "RSS/in"
    );
    for case in &cases {
        let resolved = settings(&case.path);
        let analysis = ogel_schema::analyze(&resolved.settings).unwrap();
        let files = analysis.project.files.len();
        let texts: Vec<String> = analysis
            .project
            .files
            .iter()
            .map(|f| f.text.clone())
            .collect();
        let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
        let stmts: usize = texts
            .iter()
            .map(|t| {
                ogel_schema::parse::split::split(t, 0..t.len())
                    .statements
                    .len()
            })
            .sum();
        let findings = ogel_schema::rules::run(&analysis, &resolved.config).len();
        drop(analysis);

        let bare = time(case.runs, || {
            std::hint::black_box(bare_parse(&texts));
        });
        let analyze = time(case.runs, || {
            std::hint::black_box(ogel_schema::analyze(&resolved.settings).unwrap())
        });
        let all = time(case.runs, || {
            let a = ogel_schema::analyze(&resolved.settings).unwrap();
            let findings = std::hint::black_box(ogel_schema::rules::run(&a, &resolved.config));
            (a, findings)
        });
        let path = case.path.to_str().unwrap();
        let check_args = ["check", "--format", "json", "--fail-on", "never", path];
        let cli = cli_time(case.runs, &check_args);
        let rss = cli_run(&check_args).map_or(0, |(_, kib, _)| kib);
        println!(
            "{:<22} {:>6} {:>9} {:>7} | {:>10} {:>10} {:>10} | {:>7.2} {:>7.2} | {:>10} {:>10} {:>6.1}",
            case.name,
            files,
            bytes,
            stmts,
            format!("{:.1} ms", bare.as_secs_f64() * 1e3),
            format!("{:.1} ms", analyze.as_secs_f64() * 1e3),
            format!("{:.1} ms", all.as_secs_f64() * 1e3),
            analyze.as_secs_f64() / bare.as_secs_f64(),
            all.as_secs_f64() / bare.as_secs_f64(),
            format!("{:.1} ms", cli.as_secs_f64() * 1e3),
            format!("{:.1} MB", rss as f64 / 1024.0),
            rss as f64 * 1024.0 / bytes as f64,
        );
        println!(
            "{:<22} throughput MB/s: bare {:.1}, analyze {:.1}, analyze+rules {:.1}, cli {:.1}; {} findings",
            "",
            mb_s(bytes, bare),
            mb_s(bytes, analyze),
            mb_s(bytes, all),
            mb_s(bytes, cli),
            findings
        );
        if case.name.starts_with("OgelBase") {
            let model_args = ["model", "--format", "json", path];
            let model = cli_time(case.runs, &model_args);
            println!(
                "{:<22} cli `model --format json`: {:.1} ms median of {} (target < 30 ms)",
                "",
                model.as_secs_f64() * 1e3,
                case.runs
            );
        }
    }
    app_scan(&app, &migrations);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(hwm) = status.lines().find(|l| l.starts_with("VmHWM")) {
        println!(
            "bench process peak ({hwm}) — all in-process cases together, texts held in memory"
        );
    }
    println!(
        "machine: {} cores (std::thread::available_parallelism)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}
