//! Diagram benchmark (outside the pipeline, `harness = false`): generates the 1,500-table
//! synthetic migrations project with the pipeline bench's corpus generator
//! (benches/corpus.rs) and measures `ogel-schema diagram` in every format: building the view
//! once (discovery, parse, model, rules, graph, view), each renderer on that view (the HTML one
//! includes the layout), and the whole `diagram` command in process (view + render), as medians
//! of several runs.
//!
//! `cargo bench --bench render` runs everything;
//! `cargo bench --bench render -- --write-corpus DIR` only writes the corpus to DIR.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)] // the dump generator is the pipeline bench's
mod corpus;
mod timing;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use ogel_schema::cli::{Cli, Command};
use ogel_schema::render::ascii::{AsciiOptions, Charset};
use ogel_schema::render::cli::DiagramArgs;
use ogel_schema::render::{Detail, Format, RenderOptions};
use timing::time;

const TABLES: usize = 1_500;
const RUNS: usize = 7;
const FORMATS: &[(Format, &str)] = &[
    (Format::Markdown, "markdown"),
    (Format::Mermaid, "mermaid"),
    (Format::Ascii, "ascii"),
    (Format::Html, "html"),
    (Format::Dot, "dot"),
    (Format::Json, "json"),
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn diagram_args(dir: &Path, format: &str) -> DiagramArgs {
    let path = dir.to_string_lossy().into_owned();
    let cli = Cli::try_parse_from(["ogel-schema", "diagram", &path, "--format", format]).unwrap();
    match cli.command {
        Command::Diagram(a) => a,
        _ => panic!("not the diagram command"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write-corpus") {
        let dir = PathBuf::from(args.get(i + 1).expect("--write-corpus DIR"));
        corpus::write_migrations(&dir, TABLES).unwrap();
        println!("wrote {TABLES} tables to {}", dir.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let bytes = corpus::write_migrations(&dir, TABLES).unwrap();
    let cwd = tmp.path();

    let base = diagram_args(&dir, "json");
    let view = ogel_schema::render::cli::view(&base, cwd).unwrap();
    let view_time = time(RUNS, || {
        ogel_schema::render::cli::view(&base, cwd).unwrap();
    });
    println!(
        "corpus: {TABLES} tables in {} migration files, {bytes} bytes of SQL; view: {} tables, {} edges, {} missing",
        view.migrations.len(),
        view.tables.len(),
        view.edges.len(),
        view.missing.len()
    );
    println!(
        "build the view (discover + parse + model + rules + graph + view): {:8.1} ms",
        ms(view_time)
    );
    println!(
        "{:<10} {:>12} {:>14} {:>18}",
        "format", "output bytes", "render (ms)", "diagram total (ms)"
    );
    let opts = RenderOptions {
        detail: Detail::All,
        ascii: AsciiOptions {
            width: 100,
            charset: Charset::Unicode,
        },
    };
    for (format, name) in FORMATS {
        let out = ogel_schema::render::render(*format, &view, &opts).unwrap();
        let render = time(RUNS, || {
            ogel_schema::render::render(*format, &view, &opts).unwrap();
        });
        let args = diagram_args(&dir, name);
        let total = time(RUNS, || {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            ogel_schema::render::cli::run(&args, cwd, &mut out, &mut err).unwrap();
        });
        println!(
            "{name:<10} {:>12} {:>14.1} {:>18.1}",
            out.len(),
            ms(render),
            ms(total)
        );
    }
    println!(
        "medians of {RUNS} runs after a warm-up; machine: {} cores (std::thread::available_parallelism)",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    );
}
