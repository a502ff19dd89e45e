//! Never panic, on inputs nobody wrote by hand: migration directories assembled from the
//! statements of every fixture, mutated (cut short, words dropped, doubled or swapped for other
//! names, quotes and dollar quotes thrown in, bytes that are not UTF-8), then run through every
//! command and output format in process. A panic, or a machine format that does not parse,
//! fails the test with the seed and the files that caused it.
//!
//! The suite runs a fixed set of seeds (`fuzz_cases_from_the_fixtures`); a longer hunt:
//! `OGEL_FUZZ_CASES=20000 OGEL_FUZZ_SEED=7 cargo test --release --test it fuzz -- --nocapture`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use clap::Parser;
use ogel_schema::cli::{self, Cli};

/// splitmix64: a fixed seed gives the same cases on every machine.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Every statement-ish piece of every fixture's SQL, and every word that looks like a name.
struct Corpus {
    statements: Vec<String>,
    words: Vec<String>,
}

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

fn corpus() -> Corpus {
    let mut files = Vec::new();
    sql_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut files,
    );
    let mut statements = Vec::new();
    let mut words = std::collections::BTreeSet::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if text.len() > 200_000 {
            continue;
        }
        for piece in text.split_inclusive(";\n") {
            if !piece.trim().is_empty() {
                statements.push(piece.to_string());
            }
        }
        for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
            if word.len() > 2 && word.chars().next().is_some_and(char::is_alphabetic) {
                words.insert(word.to_string());
            }
        }
    }
    Corpus {
        statements,
        words: words.into_iter().collect(),
    }
}

const NOISE: &[&str] = &[
    "(",
    ")",
    "'",
    "\"",
    "$$",
    "$a$",
    ";",
    "--",
    "/*",
    "*/",
    "\\",
    "E'",
    "U&\"",
    ",",
    ".",
    "CASCADE",
    "IF EXISTS",
    "IF NOT EXISTS",
    "ONLY",
    "public.",
    "\"Odd \"\" Name\"",
    "é",
    "\u{0}",
    "ＡＢ",
    "🦀",
    "\r\n",
    "\t",
    "::",
    "[]",
    "NOT NULL",
    "PRIMARY KEY",
    "REFERENCES",
    "DEFAULT",
    "-- +migrate Down\n",
    "-- migrate:down\n",
    "-- Down Migration\n",
    "-- +goose Down\n",
    "BEGIN;\n",
    "COMMIT;\n",
    "SET search_path TO ''",
    "SET search_path TO other, public",
    "CREATE SCHEMA other;\n",
    "DROP TABLE IF EXISTS",
    "ALTER TABLE",
    "RENAME TO",
    "SET SCHEMA other",
    "INHERITS (",
    "PARTITION OF",
    "GENERATED ALWAYS AS IDENTITY",
    "USING btree",
    "WHERE",
    "AS",
    "(SELECT 1)",
    "DO $$ BEGIN",
    "END $$;",
    "CONCURRENTLY",
];

fn char_cut(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One statement, changed in one of a few ways (or not at all, so that whole statements
/// meet each other across files: a drop of a table another file created, a rename, ...).
fn mutate(rng: &mut Rng, corpus: &Corpus, statement: &str) -> String {
    let s = statement.to_string();
    let words: Vec<(usize, usize)> = word_spans(&s);
    match rng.below(10) {
        0..=3 => s,
        4 => {
            let at = char_cut(&s, rng.below(s.len() + 1));
            s[..at].to_string()
        }
        5 | 6 if !words.is_empty() => {
            let (a, b) = *rng.pick(&words);
            let with = match rng.below(3) {
                0 => String::new(),
                1 => format!("{} {}", &s[a..b], &s[a..b]),
                _ => rng.pick(&corpus.words).clone(),
            };
            format!("{}{}{}", &s[..a], with, &s[b..])
        }
        7 | 8 => {
            let at = char_cut(&s, rng.below(s.len() + 1));
            format!("{} {} {}", &s[..at], rng.pick(NOISE), &s[at..])
        }
        _ => {
            let at = char_cut(&s, rng.below(s.len() + 1));
            let other = rng.pick(&corpus.statements);
            let cut = char_cut(other, rng.below(other.len() + 1));
            format!("{}{}", &s[..at], &other[cut..])
        }
    }
}

fn word_spans(s: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let word = c.is_alphanumeric() || c == '_';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(a)) => {
                spans.push((a, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(a) = start {
        spans.push((a, s.len()));
    }
    spans
}

/// A migration directory of 1-5 files from `rng`: (file name, bytes).
fn case(rng: &mut Rng, corpus: &Corpus) -> Vec<(String, Vec<u8>)> {
    let files = 1 + rng.below(5);
    (0..files)
        .map(|i| {
            let mut text = String::new();
            for _ in 0..1 + rng.below(12) {
                let statement = rng.pick(&corpus.statements).clone();
                text.push_str(&mutate(rng, corpus, &statement));
            }
            let mut bytes = text.into_bytes();
            if rng.chance(3) && !bytes.is_empty() {
                let at = rng.below(bytes.len());
                bytes[at] = [0xFF, 0xC3, 0x80, 0xE2][rng.below(4)];
            }
            (format!("{:03}_case.sql", i + 1), bytes)
        })
        .collect()
}

const COMMANDS: &[&[&str]] = &[
    &["check", "--format", "json"],
    &["check", "--format", "sarif"],
    &["check", "--format", "github"],
    &["check", "--format", "compact"],
    &["check", "--color", "never"],
    &["model", "--format", "json"],
    &["model"],
    &["diagram", "--format", "markdown"],
    &["diagram", "--format", "mermaid"],
    &["diagram", "--format", "ascii"],
    &["diagram", "--format", "html"],
    &["diagram", "--format", "dot"],
    &["diagram", "--format", "json"],
    &["order"],
    &["scaffold"],
];

/// Run one command in process; `Err` with what went wrong.
fn run(dir: &Path, command: &[&str]) -> Result<(), String> {
    let mut argv = vec!["ogel-schema"];
    argv.extend_from_slice(command);
    let dir = dir.to_string_lossy().to_string();
    argv.push(&dir);
    let cli = Cli::try_parse_from(&argv).map_err(|e| format!("arguments: {e}"))?;
    let mut out = Vec::new();
    let mut err = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| cli::run(cli, &mut out, &mut err)));
    match result {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {message}"))
        }
        Ok(Err(e)) => Err(format!("tool error: {e}")),
        Ok(Ok(code)) if code > 1 => Err(format!("exit {code}: {}", String::from_utf8_lossy(&err))),
        Ok(Ok(_)) => {
            let json = command.contains(&"json") || command.contains(&"sarif");
            if json && serde_json::from_slice::<serde_json::Value>(&out).is_err() {
                return Err("the output is not JSON".to_string());
            }
            Ok(())
        }
    }
}

/// Run `cases` cases from `seed`; every failure with its seed and files.
fn hunt(seed: u64, cases: usize, every_command: bool) -> Vec<String> {
    let corpus = corpus();
    assert!(
        corpus.statements.len() > 500,
        "the fixtures give {} statements",
        corpus.statements.len()
    );
    let mut failures = Vec::new();
    for n in 0..cases {
        let case_seed = seed.wrapping_mul(1_000_003).wrapping_add(n as u64);
        let mut rng = Rng(case_seed);
        let files = case(&mut rng, &corpus);
        let tmp = tempfile::tempdir().unwrap();
        for (name, bytes) in &files {
            std::fs::write(tmp.path().join(name), bytes).unwrap();
        }
        let commands: Vec<&[&str]> = if every_command {
            COMMANDS.to_vec()
        } else {
            vec![COMMANDS[0], *rng.pick(COMMANDS), *rng.pick(COMMANDS)]
        };
        for command in commands {
            if let Err(why) = run(tmp.path(), command) {
                let kept = std::env::temp_dir().join(format!("ogel-fuzz-{case_seed}"));
                let _ = std::fs::create_dir_all(&kept);
                for (name, bytes) in &files {
                    let _ = std::fs::write(kept.join(name), bytes);
                }
                failures.push(format!(
                    "case seed {case_seed}: `{}`: {why}\n  files kept in {}",
                    command.join(" "),
                    kept.display()
                ));
                break;
            }
        }
    }
    failures
}

/// A number from the environment variable `name`, if set and valid.
pub(crate) fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn fuzz_cases_from_the_fixtures() {
    let cases = env_number("OGEL_FUZZ_CASES");
    let seed = env_number("OGEL_FUZZ_SEED").unwrap_or(1);
    // Panics print their message as they happen; the summary below names the cases.
    let failures = match cases {
        Some(cases) => hunt(seed, cases, false),
        None => hunt(seed, 150, true),
    };
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
