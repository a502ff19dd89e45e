//! Generated documentation stays current: `docs/cli.md` is the `--help` of every command.
//! Regenerate with `OGEL_UPDATE_DOCS=1 cargo test --test it docs` (never done under CI).

use assert_cmd::Command;

use crate::pg::crate_root;

fn help(args: &[&str]) -> String {
    let out = Command::cargo_bin("ogel-schema")
        .unwrap()
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

fn subcommands() -> Vec<String> {
    let top = help(&[]);
    let mut names = Vec::new();
    let mut in_commands = false;
    for line in top.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            let Some(name) = line
                .strip_prefix("  ")
                .and_then(|l| l.split_whitespace().next())
            else {
                break;
            };
            if name != "help" {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[test]
fn cli_md_is_the_current_help() {
    let mut doc = String::from(
        "# CLI reference\n\nGenerated from `--help`; a test (`tests/it/docs.rs`) fails when it is stale.\n\n",
    );
    doc.push_str("## ogel-schema\n\n```text\n");
    doc.push_str(&help(&[]));
    doc.push_str("```\n");
    let subs = subcommands();
    assert!(
        subs.iter().any(|s| s == "check") && subs.iter().any(|s| s == "model"),
        "{subs:?}"
    );
    for sub in subs {
        doc.push_str(&format!("\n## ogel-schema {sub}\n\n```text\n"));
        doc.push_str(&help(&[&sub]));
        doc.push_str("```\n");
    }
    let path = crate_root().join("docs/cli.md");
    if std::env::var_os("OGEL_UPDATE_DOCS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(&path, &doc).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == doc,
        "docs/cli.md is stale: run `OGEL_UPDATE_DOCS=1 cargo test --test it docs` and commit it"
    );
}
