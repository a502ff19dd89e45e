//! Application scan, step 1: find the application source files under the roots, honouring
//! `.gitignore` and skipping dependency/build folders, in a deterministic (sorted) order.

use std::path::{Path, PathBuf};

use super::lang::Language;

/// Folder names never descended into, whatever the ignore files say.
pub const SKIPPED_DIRS: [&str; 6] = ["node_modules", "target", "vendor", "dist", ".git", ".next"];

/// A source file found under one of the roots.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// Display path: relative to its root (or the file name when the root is a file), with
    /// forward slashes.
    pub display: String,
    pub path: PathBuf,
    pub language: Language,
}

/// Every file with a known language under `roots`, sorted by (root order, display path).
/// Directory entries that cannot be read are returned as `(path, message)` errors.
#[must_use]
pub fn discover(roots: &[PathBuf]) -> (Vec<Found>, Vec<(PathBuf, String)>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        let mut here = Vec::new();
        if root.is_file() {
            if let Some(language) = Language::from_path(root) {
                let display = root
                    .file_name()
                    .map_or_else(|| slashed(root), |n| n.to_string_lossy().into_owned());
                here.push(Found {
                    display,
                    path: root.clone(),
                    language,
                });
            }
            found.extend(here);
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .standard_filters(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| {
                !(entry.file_type().is_some_and(|t| t.is_dir())
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    errors.push((root.clone(), err.to_string()));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let Some(language) = Language::from_path(path) else {
                continue;
            };
            let rel = path.strip_prefix(root).unwrap_or(path);
            here.push(Found {
                display: slashed(rel),
                path: path.to_path_buf(),
                language,
            });
        }
        here.sort();
        found.extend(here);
    }
    (found, errors)
}

/// `path` with forward slashes.
#[must_use]
pub fn slashed(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            std::path::Component::RootDir => Some(String::new()),
            std::path::Component::ParentDir => Some("..".to_owned()),
            std::path::Component::CurDir | std::path::Component::Prefix(_) => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn skips_ignored_and_dependency_dirs_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (p, body) in [
            ("b/z.ts", "x"),
            ("a.py", "x"),
            ("node_modules/pkg/index.js", "x"),
            ("vendor/x.go", "x"),
            ("target/debug/a.rs", "x"),
            ("dist/bundle.js", "x"),
            ("gen/out.ts", "x"),
            ("notes.md", "x"),
            (".gitignore", "gen/\n"),
        ] {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        let (found, errors) = discover(&[root.to_path_buf()]);
        assert!(errors.is_empty());
        let names: Vec<_> = found.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(names, ["a.py", "b/z.ts"]);
    }

    #[test]
    fn a_file_root_is_taken_as_is() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("q.go");
        std::fs::write(&file, "package q").unwrap();
        let (found, _) = discover(&[file]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].display, "q.go");
        assert_eq!(found[0].language, Language::Go);
    }
}
