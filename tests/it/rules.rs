//! Rules as data: every rule has a doc page and good/bad fixture cases under
//! `fixtures/rules/<rule>/`, and each bad case's findings of that rule are exactly the lines
//! marked `-- expect: <rule>` (see fixtures/rules/README.md). Also: the committed rule list is
//! current, `ALL` is sorted, and snapshots of `check fixtures/ogelbase`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ogel_schema::Analysis;
use ogel_schema::cli::config::Config;
use ogel_schema::diag::Finding;
use ogel_schema::par::Threads;

use crate::pg;

/// The headings every rule page carries (clippy / ruff / oxc).
const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Configuration",
    "## Related",
];

/// `bad-*` and `good-*` case directories of a rule, relative to the crate root, sorted.
pub fn cases(rule: &str) -> (Vec<String>, Vec<String>) {
    let dir = pg::crate_root().join("fixtures/rules").join(rule);
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            continue;
        }
        let rel = format!("fixtures/rules/{rule}/{name}");
        if name.starts_with("bad-") {
            bad.push(rel);
        } else if name.starts_with("good-") {
            good.push(rel);
        }
    }
    bad.sort();
    good.sort();
    (bad, good)
}

/// Every case directory of every rule (`fixtures/rules/*/*`), sorted.
pub fn all_case_dirs() -> Vec<String> {
    let mut out = Vec::new();
    let root = pg::crate_root().join("fixtures/rules");
    let mut rules: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    rules.sort();
    for rule in rules {
        let (bad, good) = cases(&rule);
        out.extend(bad);
        out.extend(good);
    }
    out
}

/// Analyse a fixture directory (relative to the crate root, which is the test's working
/// directory) the way `check DIR` does: its ogel-schema.toml, if any, decides inputs,
/// search_path, assumptions and rule levels.
pub fn analyze_dir(dir: &str) -> (Analysis, Config) {
    analyze_dir_with(dir, None)
}

/// [`analyze_dir`] with the analysis' threads chosen (`None`: by size, as the CLI does).
fn analyze_dir_with(dir: &str, threads: Option<Threads>) -> (Analysis, Config) {
    let input = ogel_schema::cli::InputArgs {
        paths: vec![PathBuf::from(dir)],
        config: None,
        search_path: None,
        replace: Vec::new(),
    };
    let mut resolved = ogel_schema::cli::resolve(&input, pg::crate_root())
        .unwrap_or_else(|e| panic!("{dir}: cannot resolve inputs: {e}"));
    resolved.settings.threads = threads;
    // The judge and the rule cases map findings to statements: keep every statement's span
    // (`check` itself keeps only what its reports need).
    resolved.settings.retain = ogel_schema::model::Retain::Statements;
    // `app = [...]` in the case's ogel-schema.toml: check the application queries too.
    let analysis = ogel_schema::cli::analyze_with_app(&resolved, &[], pg::crate_root())
        .unwrap_or_else(|e| panic!("{dir}: analysis failed: {e}"));
    (analysis, resolved.config)
}

/// A small project stays on one thread, a large one uses the pool (`ogel_schema::par`): both
/// give the same model and the same findings, on every rule case and on OgelBase.
#[test]
fn one_thread_and_the_pool_give_the_same_model_and_findings() {
    let mut dirs = all_case_dirs();
    dirs.push("fixtures/ogelbase".to_owned());
    dirs.push("fixtures/hostile".to_owned());
    for dir in &dirs {
        let outcome = |threads| {
            let (analysis, config) = analyze_dir_with(dir, Some(threads));
            let model = ogel_schema::model::json::document(&analysis.project, &analysis.model);
            let findings = ogel_schema::rules::run(&analysis, &config);
            (
                serde_json::to_string(&model).unwrap_or_default(),
                format!("{findings:?}"),
                analysis.threads,
            )
        };
        let (pool_model, pool_findings, pool) = outcome(Threads::Pool);
        let (one_model, one_findings, one) = outcome(Threads::Caller);
        assert_eq!((pool, one), (Threads::Pool, Threads::Caller));
        assert!(pool_model.len() > 100, "{dir}: empty model?");
        assert_eq!(pool_model, one_model, "{dir}: models differ");
        assert_eq!(pool_findings, one_findings, "{dir}: findings differ");
    }
}

/// `(display path, line)` of a finding's primary span.
fn place(analysis: &Analysis, f: &Finding) -> (String, usize) {
    span_place(analysis, f.span)
}

/// `(display path, line)` where a span starts.
fn span_place(analysis: &Analysis, span: ogel_schema::span::Span) -> (String, usize) {
    let file = &analysis.project.files[span.file()];
    (file.display.clone(), file.lines.line_of(span.start()))
}

/// The finding's message ends with `tail`.
fn assert_message_ends(f: &Finding, tail: &str) {
    assert!(
        f.message.ends_with(tail),
        "{f:#?}\nexpected it to end with: {tail}"
    );
}

/// Marked lines: `(path relative to the crate root, line) -> count` of `-- expect: <rule>`
/// markers for `rule` in every file under `dir` (bytes read lossily: binary fixtures too).
fn expected(dir: &str, rule: &str) -> BTreeMap<(String, usize), usize> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(pg::crate_root().join(dir))
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let rel = entry
            .path()
            .strip_prefix(pg::crate_root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (i, line) in text.split('\n').enumerate() {
            let Some((_, after)) = line.split_once("-- expect:") else {
                continue;
            };
            let n = after
                .split(|c: char| c == ',' || c.is_whitespace())
                .take_while(|w| {
                    w.is_empty() || w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                })
                .filter(|w| *w == rule)
                .count();
            if n > 0 {
                *out.entry((rel.clone(), i + 1)).or_insert(0) += n;
            }
        }
    }
    out
}

fn found(
    analysis: &Analysis,
    findings: &[Finding],
    rule: &str,
) -> BTreeMap<(String, usize), usize> {
    let mut out = BTreeMap::new();
    for f in findings.iter().filter(|f| f.rule == rule) {
        *out.entry(place(analysis, f)).or_insert(0) += 1;
    }
    out
}

fn describe(analysis: &Analysis, findings: &[Finding], rule: &str) -> String {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            let (file, line) = place(analysis, f);
            format!("    {file}:{line}: {}", f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fixture walker: every rule has a complete doc page, a bad and a good case; each bad
/// case reports exactly its marked lines, each good case nothing of that rule.
#[test]
fn every_rule_has_docs_and_fixtures_and_they_hold() {
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    for meta in ogel_schema::rules::all_meta() {
        let rule = meta.name;
        let doc_path = pg::crate_root().join(format!("rules/{rule}.md"));
        match std::fs::read_to_string(&doc_path) {
            Ok(doc) => {
                for h in HEADINGS {
                    if !doc.lines().any(|l| l.trim_end() == *h) {
                        missing.push(format!("rules/{rule}.md: heading `{h}`"));
                    }
                }
                if doc != meta.doc {
                    missing.push(format!(
                        "rules/{rule}.md: differs from the rule's `doc` (include_str! the page)"
                    ));
                }
            }
            Err(_) => missing.push(format!("rules/{rule}.md")),
        }
        let (bad, good) = cases(rule);
        if bad.is_empty() {
            missing.push(format!("fixtures/rules/{rule}/bad-*/"));
        }
        if good.is_empty() {
            missing.push(format!("fixtures/rules/{rule}/good-*/"));
        }
        for dir in &bad {
            let (analysis, config) = analyze_dir(dir);
            let findings = ogel_schema::rules::run(&analysis, &config);
            let want = expected(dir, rule);
            let got = found(&analysis, &findings, rule);
            if want.is_empty() {
                wrong.push(format!("{dir}: no `-- expect: {rule}` marker"));
            } else if want != got {
                wrong.push(format!(
                    "{dir}: {rule} expected at {want:?}\n  but found at {got:?}\n{}",
                    describe(&analysis, &findings, rule)
                ));
            }
        }
        for dir in &good {
            let (analysis, config) = analyze_dir(dir);
            let findings = ogel_schema::rules::run(&analysis, &config);
            if findings.iter().any(|f| f.rule == rule) {
                wrong.push(format!(
                    "{dir}: a good case, but {rule} reports:\n{}",
                    describe(&analysis, &findings, rule)
                ));
            }
        }
    }
    let mut report = String::new();
    if !missing.is_empty() {
        report.push_str(&format!(
            "missing ({}):\n  {}\n",
            missing.len(),
            missing.join("\n  ")
        ));
    }
    if !wrong.is_empty() {
        report.push_str(&format!(
            "wrong ({}):\n  {}\n",
            wrong.len(),
            wrong.join("\n  ")
        ));
    }
    assert!(report.is_empty(), "{report}");
}

/// Every fixture case directory belongs to a rule that exists (no orphans after a rename).
#[test]
fn fixture_dirs_name_existing_rules() {
    let names: Vec<&str> = ogel_schema::rules::all_meta()
        .iter()
        .map(|m| m.name)
        .collect();
    let orphans: Vec<String> = std::fs::read_dir(pg::crate_root().join("fixtures/rules"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !names.contains(&n.as_str()))
        .collect();
    assert!(
        orphans.is_empty(),
        "fixture dirs for unknown rules: {orphans:?}"
    );
}

#[test]
fn all_is_sorted_and_names_are_unique() {
    let names: Vec<&str> = ogel_schema::rules::ALL
        .iter()
        .map(|r| r.meta().name)
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        names, sorted,
        "ALL must be sorted by name, without duplicates"
    );
    let all: Vec<&str> = ogel_schema::rules::all_meta()
        .iter()
        .map(|m| m.name)
        .collect();
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(
        all, unique,
        "a builtin rule shares a name with a rule in ALL"
    );
    for name in all {
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "rule name `{name}` is not kebab-case"
        );
    }
}

#[test]
fn rules_readme_is_current() {
    let mut out = Vec::new();
    ogel_schema::rules::docs::write_list(&mut out, ogel_schema::cli::RulesFormat::Markdown)
        .unwrap();
    let generated = String::from_utf8(out).unwrap();
    let committed =
        std::fs::read_to_string(pg::crate_root().join("rules/README.md")).unwrap_or_default();
    assert!(
        committed == generated,
        "rules/README.md is stale: run `cargo run -q -- rules --format markdown > rules/README.md`"
    );
}

/// `ogel-schema check fixtures/ogelbase` run from the crate root.
fn check_ogelbase(format: &str) -> String {
    let out = assert_cmd::Command::cargo_bin("ogel-schema")
        .unwrap()
        .args([
            "check",
            "fixtures/ogelbase",
            "--color",
            "never",
            "--format",
            format,
        ])
        .current_dir(pg::crate_root())
        .env_remove("GITHUB_ACTIONS")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn redact_version(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn ogelbase_check_human_snapshot() {
    insta::assert_snapshot!(redact_version(&check_ogelbase("human")));
}

#[test]
fn ogelbase_check_json_snapshot() {
    insta::assert_snapshot!(redact_version(&check_ogelbase("json")));
}

/// The acceptance the project exists for: both statements of 004 that use
/// organization_members are reported, and the stray 003.
#[test]
fn ogelbase_reports_organization_members_and_the_stray_003() {
    let (analysis, config) = analyze_dir("fixtures/ogelbase");
    let findings = ogel_schema::rules::run(&analysis, &config);
    let members: Vec<(String, usize)> = findings
        .iter()
        .filter(|f| f.rule == "missing-relation" && f.message.contains("organization_members"))
        .map(|f| place(&analysis, f))
        .collect();
    assert_eq!(
        members,
        [
            (
                "fixtures/ogelbase/migrations/004_seed_data.sql".to_owned(),
                40
            ),
            (
                "fixtures/ogelbase/migrations/004_seed_data.sql".to_owned(),
                44
            ),
        ],
        "{findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f.rule == "outside-main-path"
            && place(&analysis, f).0 == "fixtures/ogelbase/multi-db/003_multi_database.sql"),
        "{findings:#?}"
    );
}

#[test]
fn missing_relation_says_why_a_create_did_not_take_effect_and_where_to_declare_outside_tables() {
    let dir = "fixtures/rules/missing-relation/bad-create-failed";
    let (analysis, config) = analyze_dir(dir);
    let findings = ogel_schema::rules::run(&analysis, &config);
    let at = |file: &str, line: usize| {
        let want = (format!("{dir}/{file}"), line);
        findings
            .iter()
            .find(|f| f.rule == "missing-relation" && place(&analysis, f) == want)
            .unwrap_or_else(|| panic!("no missing-relation at {want:?}: {findings:#?}"))
    };
    // auth.users: a schema no migration creates, one Supabase provides.
    let users = at("001_profiles.sql", 3);
    assert_message_ends(users, "no migration creates `auth.users`");
    let help = users.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("no migration creates schema `auth`")
            && help.contains(r#"`profile = "supabase"` under `[options]`"#)
            && help.contains(r#"`relations = ["auth.users"]`"#),
        "{help}"
    );
    // profiles: its CREATE failed (on auth.users); the label points at it.
    let profiles = at("002_use.sql", 2);
    assert_message_ends(
        profiles,
        &format!("`public.profiles` was not created: its CREATE at {dir}/001_profiles.sql:2 fails"),
    );
    let labels: Vec<(String, usize)> = profiles
        .labels
        .iter()
        .map(|l| span_place(&analysis, l.span))
        .collect();
    assert_eq!(labels, [(format!("{dir}/001_profiles.sql"), 2)]);
    assert!(
        profiles
            .help
            .as_deref()
            .is_some_and(|h| h.contains(&format!("failure of {dir}/001_profiles.sql:2"))),
        "{profiles:#?}"
    );
    // post: in `public`, a plain typo: no advice about [assume].
    let post = at("002_use.sql", 5);
    assert!(
        post.help
            .as_deref()
            .is_some_and(|h| !h.contains("[assume]")),
        "{post:#?}"
    );
    // posts: created, then rolled back with the transaction tags failed in.
    let posts = at("002_use.sql", 8);
    assert_message_ends(
        posts,
        &format!(
            "`public.posts` is created at {dir}/002_use.sql:4, but its transaction is rolled back"
        ),
    );
    // Under Supabase's profile auth.users is assumed: profiles is created, and only the
    // typo and the rolled-back table remain.
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for name in ["001_profiles.sql", "002_use.sql"] {
        std::fs::copy(pg::crate_root().join(dir).join(name), tmp.path().join(name))
            .unwrap_or_else(|e| panic!("copy {name}: {e}"));
    }
    std::fs::write(
        tmp.path().join("ogel-schema.toml"),
        "[options]\nprofile = \"supabase\"\n",
    )
    .unwrap_or_else(|e| panic!("write config: {e}"));
    let (analysis, config) = analyze_dir(&tmp.path().to_string_lossy());
    let left: Vec<(String, usize)> = ogel_schema::rules::run(&analysis, &config)
        .iter()
        .filter(|f| f.rule == "missing-relation")
        .map(|f| {
            let (file, line) = place(&analysis, f);
            (file.rsplit('/').next().unwrap_or_default().to_owned(), line)
        })
        .collect();
    assert_eq!(
        left,
        [("002_use.sql".to_owned(), 5), ("002_use.sql".to_owned(), 8)]
    );
}

/// The one finding of `rule` in case `dir`.
fn only_finding(dir: &str, rule: &str) -> Finding {
    let (analysis, config) = analyze_dir(dir);
    let mut of_rule: Vec<Finding> = ogel_schema::rules::run(&analysis, &config)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect();
    assert_eq!(of_rule.len(), 1, "{of_rule:#?}");
    of_rule.remove(0)
}

#[test]
fn names_off_the_search_path_and_an_empty_path_are_said_so() {
    // A table that exists in a schema the path does not reach is not "never created".
    let users = only_finding(
        "fixtures/rules/missing-relation/bad-off-search-path",
        "missing-relation",
    );
    assert_message_ends(
        &users,
        "`app.users` exists, but its schema is not on the search_path",
    );
    assert!(
        users
            .help
            .as_deref()
            .is_some_and(|h| h.contains("qualify the name (`app.users`)")),
        "{users:#?}"
    );
    // pg_dump's set_config('search_path', '', false) leaves nowhere to create in.
    let sessions = only_finding(
        "fixtures/rules/missing-schema/bad-empty-search-path",
        "missing-schema",
    );
    assert_message_ends(
        &sessions,
        "no schema has been selected to create in: the search_path is empty",
    );
    // And after a move, the old name's message says where the relation went.
    let dir = "fixtures/rules/missing-relation/bad-used-after-set-schema";
    let invoices = only_finding(dir, "missing-relation");
    assert_message_ends(
        &invoices,
        &format!(
            "`public.invoices` was moved to `billing.invoices` earlier, at {dir}/001_move.sql:4"
        ),
    );
}

#[test]
fn missing_primary_key_says_what_a_unique_key_or_a_replica_identity_already_gives() {
    let dir = "fixtures/rules/missing-primary-key/bad-unique-key-only";
    let (analysis, config) = analyze_dir(dir);
    let findings = ogel_schema::rules::run(&analysis, &config);
    let of = |table: &str| {
        findings
            .iter()
            .find(|f| f.rule == "missing-primary-key" && f.message.contains(table))
            .unwrap_or_else(|| panic!("no finding for {table}: {findings:#?}"))
    };
    let migrations = of("`public.schema_migrations`");
    assert_eq!(
        migrations.message,
        "table `public.schema_migrations` has no primary key: its unique key (version) over NOT NULL columns identifies rows, but logical replication cannot replicate its UPDATEs and DELETEs, and tools that look for a primary key find none"
    );
    assert_eq!(
        migrations.help.as_deref(),
        Some(
            "promote the unique key: `ALTER TABLE public.schema_migrations ADD PRIMARY KEY USING INDEX unique_schema_migrations;`"
        )
    );
    let events = of("`public.events`");
    assert_eq!(
        events.message,
        "table `public.events` has no primary key: rows cannot be addressed one by one, other tables cannot reference it"
    );
}
