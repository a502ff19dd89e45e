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

/// Each subcommand's `--help` opens with its own description, the one the top-level `--help`
/// lists: subcommands are built only when used (`#[command(defer = true)]`), and a doc comment
/// on a flattened argument struct would then replace the subcommand's own.
#[test]
fn every_subcommand_help_starts_with_its_own_description() {
    let top = String::from_utf8(bin().arg("--help").output().unwrap().stdout).unwrap();
    for sub in SUBCOMMANDS {
        let text = String::from_utf8(bin().args([sub, "--help"]).output().unwrap().stdout).unwrap();
        let first = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches('.');
        let listed = top
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{sub} ")))
            .unwrap_or_default();
        assert!(
            !first.is_empty() && listed.ends_with(first),
            "`{sub} --help` starts with {first:?}, the list says {listed:?}"
        );
        assert!(
            text.contains("\n  -h, --help\n          Print help (see a summary with '-h')"),
            "`{sub} --help` is not the long help:\n{text}"
        );
    }
}

/// clap's own consistency checks, on every subcommand (deferred ones included).
#[test]
fn the_command_line_definition_passes_clap_debug_assert() {
    use clap::CommandFactory;
    ogel_schema::cli::Cli::command().debug_assert();
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

/// A Supabase CLI project (`supabase/config.toml` naming a project) is checked under the
/// Supabase profile without configuration, and says so; `profile = "none"` turns that off;
/// a value that means nothing is an error, not a silent default.
#[test]
fn a_supabase_project_is_detected_and_config_values_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("supabase/migrations")).unwrap();
    std::fs::write(root.join("supabase/config.toml"), "project_id = \"demo\"\n").unwrap();
    std::fs::write(
        root.join("supabase/migrations/20240101000000_init.sql"),
        "CREATE TABLE public.profiles (\n  id uuid PRIMARY KEY REFERENCES auth.users (id),\n  name text\n);\n\
         ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON public.profiles FOR SELECT USING (auth.uid() = id);\n\
         CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql AS $$\n\
         BEGIN INSERT INTO public.profiles (id) VALUES (NEW.id); RETURN NEW; END $$;\n\
         CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users\n\
           FOR EACH ROW EXECUTE PROCEDURE public.handle_new_user();\n\
         CREATE TRIGGER profiles_webhook AFTER INSERT ON public.profiles FOR EACH ROW\n\
           EXECUTE FUNCTION supabase_functions.http_request('https://example.com/hook', 'POST', '{}', '{}', '1000');\n",
    )
    .unwrap();
    let check = |config: Option<&str>| {
        if let Some(text) = config {
            std::fs::write(root.join("ogel-schema.toml"), text).unwrap();
        }
        let out = bin()
            .args(["check", "--format", "compact"])
            .current_dir(root)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = check(None);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // Supabase's tables, and the webhooks' trigger function in supabase_functions.
    assert!(!stdout.contains("missing-"), "{stdout}");
    assert!(!stdout.contains("unparsable"), "{stdout}");
    assert!(
        stderr.contains("note: supabase/config.toml found: checked as a Supabase project"),
        "{stderr}"
    );
    let (code, stdout, stderr) = check(Some("[options]\nprofile = \"none\"\n"));
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("error[missing-relation] relation \"auth.users\" does not exist"),
        "{stdout}"
    );
    assert!(!stderr.contains("note:"), "{stderr}");
    for (config, key) in [
        (
            "[options]\nprofile = \"supbase\"\n",
            "options.profile = \"supbase\"",
        ),
        ("fail_on = \"warnings\"\n", "fail_on = \"warnings\""),
    ] {
        let (code, stdout, stderr) = check(Some(config));
        assert_eq!(code, Some(2), "{stdout}{stderr}");
        // miette wraps the message: compare it with the wrapping taken out.
        let flat = stderr
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains(key) && flat.contains("the value must be one of"),
            "{stderr}"
        );
    }
}
