//! CLI surface tests: shell completions, `--version`, and the `--help` of every subcommand.

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("ogel-schema").unwrap()
}

const SUBCOMMANDS: &[&str] = &[
    "check",
    "model",
    "rules",
    "explain",
    "order",
    "scaffold",
    "diagram",
    "completions",
];

#[test]
fn completions_for_each_shell_mention_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let output = bin().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "completions {shell} failed");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("check"), "{shell} completions lack `check`");
        assert!(
            text.contains("diagram"),
            "{shell} completions lack `diagram`"
        );
        assert!(
            text.contains("ogel-schema"),
            "{shell} completions lack the binary name"
        );
    }
}

#[test]
fn completions_reject_an_unknown_shell() {
    let output = bin().args(["completions", "cmd.exe"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn version_prints_the_crate_version() {
    let output = bin().arg("--version").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text.trim(),
        format!("ogel-schema {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_subcommand_help_exits_zero_and_shows_an_example() {
    for sub in SUBCOMMANDS {
        let output = bin().args([sub, "--help"]).output().unwrap();
        assert!(output.status.success(), "`{sub} --help` failed");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            text.contains(&format!("Example: `ogel-schema {sub}")),
            "`{sub} --help` shows no example:\n{text}"
        );
    }
}

#[test]
fn top_level_help_lists_every_subcommand() {
    let output = bin().arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for sub in SUBCOMMANDS {
        assert!(text.contains(sub), "--help does not list `{sub}`");
    }
}
