//! Report stage, `--since <git ref>` filter: the set of files changed since the merge-base of
//! the ref and `HEAD` (committed, staged, unstaged and untracked). The analysis always
//! replays the whole history; the caller only uses this set to choose which findings to show.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why the changed files could not be listed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SinceError {
    #[error("`--since` needs git, and running it failed")]
    #[diagnostic(
        code(ogel_schema::since::git_missing),
        help("install git or drop `--since`")
    )]
    GitMissing(#[source] std::io::Error),
    #[error("{} is not inside a git repository", dir.display())]
    #[diagnostic(
        code(ogel_schema::since::not_a_repo),
        help("`--since` compares against git history; run inside a checkout")
    )]
    NotARepo { dir: PathBuf },
    #[error("git does not know the ref `{git_ref}`{}", if *shallow { " (this clone is shallow)" } else { "" })]
    #[diagnostic(
        code(ogel_schema::since::unknown_ref),
        help(
            "fetch it first, e.g. `git fetch origin main --depth=1000`; in GitHub Actions use \
             `actions/checkout` with `fetch-depth: 0` (CI clones are shallow and have only the \
             checked-out branch)"
        )
    )]
    UnknownRef { git_ref: String, shallow: bool },
    #[error("`{git_ref}` and HEAD have no common ancestor{}", if *shallow { " in this shallow clone" } else { "" })]
    #[diagnostic(
        code(ogel_schema::since::no_merge_base),
        help(
            "deepen the history, e.g. `git fetch origin main --depth=1000` or `git fetch --unshallow`; \
             in GitHub Actions use `actions/checkout` with `fetch-depth: 0`"
        )
    )]
    NoMergeBase { git_ref: String, shallow: bool },
    #[error("`git {command}` failed: {stderr}")]
    #[diagnostic(code(ogel_schema::since::git))]
    Git { command: String, stderr: String },
}

/// Run git in `dir`; only failing to start it is an error here.
fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, SinceError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(SinceError::GitMissing)
}

fn git_ok(dir: &Path, args: &[&str]) -> Result<Vec<u8>, SinceError> {
    let out = git(dir, args)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(SinceError::Git {
            command: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

fn is_shallow(top: &Path) -> bool {
    git_ok(top, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|o| o.starts_with(b"true"))
}

/// NUL-separated paths (git's `-z` output).
fn split_z(out: &[u8]) -> impl Iterator<Item = &[u8]> {
    out.split(|b| *b == 0).filter(|p| !p.is_empty())
}

#[cfg(unix)]
fn path_of(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_of(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Files changed since the merge-base of `git_ref` and `HEAD`: `git diff --name-only <base>`
/// (committed since, staged and unstaged, deleted too) plus untracked, not ignored files.
///
/// `repo_dir` is any directory inside the repository. The paths returned are absolute: the
/// repository's top level (as `git rev-parse --show-toplevel` prints it) joined with the
/// path git reports. Compare them with canonicalised file paths.
///
/// # Errors
/// A [`SinceError`]: no git, not a repository, an unknown ref (typical of shallow CI clones),
/// no merge-base, or another git failure.
pub fn changed_files(repo_dir: &Path, git_ref: &str) -> Result<BTreeSet<PathBuf>, SinceError> {
    let top = git(repo_dir, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return Err(SinceError::NotARepo {
            dir: repo_dir.to_owned(),
        });
    }
    let top = path_of(
        String::from_utf8_lossy(&top.stdout)
            .trim_end_matches(['\n', '\r'])
            .as_bytes(),
    );

    // A ref that starts with `-` would be read as an option.
    let verify = format!("{git_ref}^{{commit}}");
    let known = !git_ref.is_empty()
        && !git_ref.starts_with('-')
        && git(&top, &["rev-parse", "--verify", "--quiet", &verify])?
            .status
            .success();
    if !known {
        return Err(SinceError::UnknownRef {
            git_ref: git_ref.to_owned(),
            shallow: is_shallow(&top),
        });
    }

    let base = git(&top, &["merge-base", git_ref, "HEAD"])?;
    if !base.status.success() {
        let stderr = String::from_utf8_lossy(&base.stderr).trim().to_owned();
        return Err(if stderr.is_empty() {
            SinceError::NoMergeBase {
                git_ref: git_ref.to_owned(),
                shallow: is_shallow(&top),
            }
        } else {
            SinceError::Git {
                command: format!("merge-base {git_ref} HEAD"),
                stderr,
            }
        });
    }
    let base = String::from_utf8_lossy(&base.stdout).trim().to_owned();

    let mut files = BTreeSet::new();
    let diff = git_ok(
        &top,
        &["diff", "--name-only", "--no-renames", "-z", &base, "--"],
    )?;
    files.extend(split_z(&diff).map(|p| top.join(path_of(p))));
    let untracked = git_ok(
        &top,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "--full-name",
            "-z",
        ],
    )?;
    files.extend(split_z(&untracked).map(|p| top.join(path_of(p))));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run git in `dir` for a test, with a fixed identity and no user config.
    fn run(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output();
        assert!(
            out.as_ref().is_ok_and(|o| o.status.success()),
            "git {args:?}: {out:?}"
        );
    }

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            assert!(std::fs::create_dir_all(parent).is_ok());
        }
        assert!(std::fs::write(path, text).is_ok());
    }

    /// main: 001 and 002, then 005 after feature branched off. feature: commits 003, then
    /// edits 001 in the worktree and adds an untracked 004 and an ignored `debug.log`.
    fn repo() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let d = tmp.path();
        run(d, &["init", "-q", "-b", "main"]);
        write(d, ".gitignore", "*.log\n");
        write(d, "db/001_init.sql", "create table a (id int);\n");
        write(d, "db/002 two.sql", "create table b (id int);\n");
        run(d, &["add", "."]);
        run(d, &["commit", "-q", "-m", "base"]);
        run(d, &["checkout", "-q", "-b", "feature"]);
        write(d, "db/003_three.sql", "create table c (id int);\n");
        run(d, &["add", "."]);
        run(d, &["commit", "-q", "-m", "three"]);
        run(d, &["checkout", "-q", "main"]);
        write(d, "db/005_main_only.sql", "create table e (id int);\n");
        run(d, &["add", "."]);
        run(d, &["commit", "-q", "-m", "main moves on"]);
        run(d, &["checkout", "-q", "feature"]);
        write(d, "db/001_init.sql", "create table a (id bigint);\n");
        write(d, "db/004_é.sql", "create table d (id int);\n");
        write(d, "db/debug.log", "noise\n");
        tmp
    }

    fn top(tmp: &tempfile::TempDir) -> PathBuf {
        let out = Command::new("git")
            .arg("-C")
            .arg(tmp.path())
            .args(["rev-parse", "--show-toplevel"])
            .output();
        let out = out
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        PathBuf::from(out)
    }

    #[test]
    fn changed_since_merge_base_plus_untracked() {
        let tmp = repo();
        let top = top(&tmp);
        // Asked from a subdirectory: paths are still absolute from the top level.
        let got = changed_files(&tmp.path().join("db"), "main");
        let want: BTreeSet<PathBuf> = ["db/001_init.sql", "db/003_three.sql", "db/004_é.sql"]
            .into_iter()
            .map(|p| top.join(p))
            .collect();
        assert_eq!(got.ok(), Some(want));
    }

    #[test]
    fn nothing_changed_since_head() {
        let tmp = repo();
        run(tmp.path(), &["add", "."]);
        run(tmp.path(), &["commit", "-q", "-m", "all"]);
        let got = changed_files(tmp.path(), "HEAD");
        assert_eq!(got.ok(), Some(BTreeSet::new()));
    }

    #[test]
    fn unknown_ref_says_how_to_fetch() {
        let tmp = repo();
        let err = changed_files(tmp.path(), "origin/main");
        assert!(
            matches!(&err, Err(SinceError::UnknownRef { git_ref, shallow: false }) if git_ref == "origin/main")
        );
        let help = err
            .err()
            .and_then(|e| miette::Diagnostic::help(&e).map(|h| h.to_string()))
            .unwrap_or_default();
        assert!(
            help.contains("fetch-depth: 0") && help.contains("git fetch origin main --depth="),
            "{help}"
        );
        assert!(matches!(
            changed_files(tmp.path(), "--all"),
            Err(SinceError::UnknownRef { .. })
        ));
    }

    #[test]
    fn unrelated_history_has_no_merge_base() {
        let tmp = repo();
        run(tmp.path(), &["checkout", "-q", "--orphan", "lonely"]);
        run(tmp.path(), &["commit", "-q", "-m", "lonely"]);
        let err = changed_files(tmp.path(), "main");
        assert!(
            matches!(err, Err(SinceError::NoMergeBase { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn outside_a_repository() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let err = changed_files(tmp.path(), "main");
        assert!(matches!(err, Err(SinceError::NotARepo { .. })), "{err:?}");
    }
}
