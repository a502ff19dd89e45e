//! Stage 1 helper: migration versions and file-name conventions. Parses the version and the
//! descriptive name out of a migration file name, compares versions numerically part by part
//! (never overflowing), and orders names "naturally" (`2_x` before `10_x`).

use std::cmp::Ordering;
use std::fmt;

use super::{FileKind, Version};

impl Version {
    /// Build a version from its raw text (`"001"`, `"2.1"`, `"1_1"`, `"2024-01-01-120000"`).
    /// Parts are separated by `.` or `_`; dashes (diesel timestamps) are dropped so a dashed
    /// timestamp is one number. Returns `None` unless every part is a non-empty digit string.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        for part in raw.split(['.', '_']) {
            let digits: String = part.chars().filter(|c| *c != '-').collect();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            parts.push(strip_zeros(&digits).to_owned());
        }
        Some(Self {
            raw: raw.to_owned(),
            parts,
        })
    }

    /// Compare by number only: part by part, each part as an arbitrarily large integer; missing
    /// trailing parts count as zero, so `1 == 1.0` (as Flyway treats them) and `2 < 2.1 < 3`.
    #[must_use]
    pub fn numeric_cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        for i in 0..n {
            let a = self.parts.get(i).map_or("0", String::as_str);
            let b = other.parts.get(i).map_or("0", String::as_str);
            match digits_cmp(a, b) {
                Ordering::Equal => {}
                ord => return ord,
            }
        }
        Ordering::Equal
    }

    /// The numeric identity of the version (`001`, `1` and `1.0` share one key): used to find
    /// duplicate versions.
    #[must_use]
    pub fn key(&self) -> Vec<String> {
        let mut parts = self.parts.clone();
        while parts.len() > 1 && parts.last().is_some_and(|p| p == "0") {
            parts.pop();
        }
        parts
    }
}

/// Numeric order first ([`Version::numeric_cmp`]); versions that are numerically equal but
/// written differently (`001` vs `1`) are ordered by their raw text so `Ord` agrees with `Eq`.
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numeric_cmp(other)
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// `"007"` -> `"7"`, `"000"` -> `"0"`.
fn strip_zeros(digits: &str) -> &str {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() && !digits.is_empty() {
        "0"
    } else {
        trimmed
    }
}

/// Compare two digit strings as numbers of any size: leading zeros stripped, then the longer
/// is bigger, then lexical.
fn digits_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (strip_zeros(a), strip_zeros(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Natural, numeric-aware order of names: digit runs compare as numbers (`2_x < 10_x`), the
/// rest byte-wise; ties (`01` vs `1`) fall back to plain byte order so the order is total.
#[must_use]
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.is_empty(), y.is_empty()) {
            (true, true) => return a.cmp(b),
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let (cx, rx) = split_chunk(x);
        let (cy, ry) = split_chunk(y);
        let x_digit = cx.starts_with(|c: char| c.is_ascii_digit());
        let y_digit = cy.starts_with(|c: char| c.is_ascii_digit());
        let ord = match (x_digit, y_digit) {
            (true, true) => digits_cmp(cx, cy),
            _ => cx.cmp(cy),
        };
        if ord != Ordering::Equal {
            return ord;
        }
        x = rx;
        y = ry;
    }
}

/// Split off the leading run of ASCII digits, or of non-digits.
fn split_chunk(s: &str) -> (&str, &str) {
    let digit = s.starts_with(|c: char| c.is_ascii_digit());
    let end = s
        .find(|c: char| c.is_ascii_digit() != digit)
        .unwrap_or(s.len());
    s.split_at(end)
}

/// What a file name says about the file, before its content is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameInfo {
    pub kind: FileKind,
    pub version: Option<Version>,
    /// Descriptive part (`create_users`).
    pub name: String,
    pub reason: String,
    /// `true` for an unversioned file that could still be a forward migration when no file of
    /// its directory has a version (then files are applied in natural name order).
    pub unversioned: bool,
}

impl NameInfo {
    fn new(kind: FileKind, version: Option<Version>, name: &str, reason: &str) -> Self {
        Self {
            kind,
            version,
            name: name.to_owned(),
            reason: reason.to_owned(),
            unversioned: false,
        }
    }
}

/// Flyway callback scripts (`afterMigrate.sql`, `beforeEachMigrate.sql`, ...).
const FLYWAY_CALLBACK_PREFIXES: [&str; 2] = ["before", "after"];

/// Classify a file by its name. `dir` is the name of the sub-directory holding the file when it
/// sits one level below the migration directory (diesel `<version>_<name>/up.sql`, Prisma
/// `<ts>_<name>/migration.sql`). Returns `None` for files that are not `.sql` at all (skipped
/// silently).
#[must_use]
pub fn classify_name(file: &str, dir: Option<&str>) -> Option<NameInfo> {
    let stem = strip_suffix_ci(file, ".sql")?;
    let lower = stem.to_ascii_lowercase();

    if let Some(dir) = dir {
        let layout = match lower.as_str() {
            "up" => Some((FileKind::Forward, "diesel up.sql")),
            "down" => Some((FileKind::Down, "diesel down.sql")),
            "migration" => Some((FileKind::Forward, "Prisma migration.sql")),
            _ => None,
        };
        if let Some((kind, reason)) = layout {
            return Some(match prefix_version(dir) {
                Some((version, name, _)) => NameInfo::new(kind, Some(version), name, reason),
                None => unversioned(kind, dir, reason),
            });
        }
    }

    if let Some(info) = flyway(stem) {
        return Some(info);
    }

    // Down / rollback forms.
    let down = [
        (".down", "down file (.down.sql)"),
        (".undo", "undo file (.undo.sql)"),
        ("_rollback", "rollback file"),
        ("-rollback", "rollback file"),
        (".rollback", "rollback file"),
    ];
    for (suffix, reason) in down {
        if let Some(base) = strip_suffix_ci(stem, suffix) {
            return Some(versioned_or_not(FileKind::Down, base, reason));
        }
    }
    if lower == "rollback" || lower.starts_with("rollback_") || lower.starts_with("rollback-") {
        return Some(versioned_or_not(FileKind::Down, stem, "rollback file"));
    }

    if is_test_name(&lower) {
        return Some(versioned_or_not(
            FileKind::Ignored,
            stem,
            "test file (test_*.sql / *_test.sql), not a migration",
        ));
    }

    if let Some(base) = strip_suffix_ci(stem, ".up") {
        return Some(versioned_or_not(
            FileKind::Forward,
            base,
            "golang-migrate up",
        ));
    }

    if let Some((version, name, timestamp)) = prefix_version(stem) {
        let reason = if timestamp {
            "timestamped"
        } else {
            "flat numbered"
        };
        return Some(NameInfo::new(
            FileKind::Forward,
            Some(version),
            name,
            reason,
        ));
    }

    // No version in the name.
    if lower.starts_with("seed") {
        return Some(NameInfo::new(
            FileKind::Ignored,
            None,
            stem,
            "seed data without a version, not a migration",
        ));
    }
    if is_flyway_callback(stem) {
        return Some(NameInfo::new(
            FileKind::Ignored,
            None,
            stem,
            "Flyway callback script, not a versioned migration",
        ));
    }
    Some(unversioned(
        FileKind::Forward,
        stem,
        "no version in the file name",
    ))
}

fn unversioned(kind: FileKind, name: &str, reason: &str) -> NameInfo {
    let mut info = NameInfo::new(kind, None, name, reason);
    info.unversioned = kind == FileKind::Forward;
    info
}

/// A down/test file keeps its version when it has one; its kind does not depend on it.
fn versioned_or_not(kind: FileKind, base: &str, reason: &str) -> NameInfo {
    match prefix_version(base) {
        Some((version, name, _)) => NameInfo::new(kind, Some(version), name, reason),
        None if kind == FileKind::Forward => unversioned(kind, base, reason),
        None => NameInfo::new(kind, None, base, reason),
    }
}

fn is_test_name(lower: &str) -> bool {
    lower == "test"
        || lower.starts_with("test_")
        || lower.starts_with("test-")
        || lower.ends_with("_test")
        || lower.ends_with("-test")
        || lower.rsplit_once('.').is_some_and(|(_, ext)| ext == "test")
}

fn is_flyway_callback(stem: &str) -> bool {
    FLYWAY_CALLBACK_PREFIXES.iter().any(|p| {
        stem.strip_prefix(p)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    })
}

/// Flyway names: `V<ver>__<desc>` (versioned), `U<ver>__<desc>` (undo), `R__<desc>`
/// (repeatable). Version parts are separated by `.` or `_`.
fn flyway(stem: &str) -> Option<NameInfo> {
    let mut chars = stem.chars();
    let prefix = chars.next()?.to_ascii_uppercase();
    let rest = chars.as_str();
    if prefix == 'R' {
        let desc = rest.strip_prefix("__")?;
        return Some(NameInfo::new(
            FileKind::Repeatable,
            None,
            desc,
            "Flyway repeatable",
        ));
    }
    let (kind, reason) = match prefix {
        'V' => (FileKind::Forward, "Flyway versioned"),
        'U' => (FileKind::Down, "Flyway undo"),
        _ => return None,
    };
    let (raw, desc) = rest.split_once("__")?;
    let version = Version::parse(raw)?;
    Some(NameInfo::new(kind, Some(version), desc, reason))
}

/// The leading version of a name: `001_x`, `1-x`, `20240101120000_x`, `2024-01-01-120000_x`
/// (diesel), `001` alone. Returns the version, the descriptive rest, and whether it looks like
/// a timestamp. A number glued to letters (`2fa_setup`) is not a version.
fn prefix_version(s: &str) -> Option<(Version, &str, bool)> {
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits_end == 0 {
        return None;
    }
    // Dashed timestamp (diesel): 4-digit year, then `-digits` groups, then `_` or the end.
    if digits_end == 4 {
        let run_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(s.len());
        let run = s.get(..run_end).unwrap_or_default();
        let after = s.get(run_end..).unwrap_or_default();
        let groups_ok = run.split('-').all(|g| !g.is_empty());
        if run.contains('-') && groups_ok && (after.is_empty() || after.starts_with('_')) {
            let version = Version::parse(run)?;
            return Some((version, trim_separators(after), true));
        }
    }
    let (digits, after) = s.split_at(dotted_end(s, digits_end));
    if !(after.is_empty() || after.starts_with(['_', '-', '.', ' '])) {
        return None;
    }
    let version = Version::parse(digits)?;
    let timestamp = digits.len() >= 12 && (digits.starts_with("19") || digits.starts_with("20"));
    Some((version, trim_separators(after), timestamp))
}

/// Where a dotted version that starts `s` ends, `end` being where its first digits end:
/// `1.2.0_x` is version `1.2.0`, and procrastinate's `00.05.00_01_x` is `00.05.00_01` (the
/// `_NN` numbers after a dotted version order the files of one release). Without a dot,
/// `end`: `001_002_x` is version `001`.
fn dotted_end(s: &str, end: usize) -> usize {
    let bytes = s.as_bytes();
    // The end of the digit group after the separator at `at`, if one is there.
    let group = |at: usize, sep: u8| {
        if bytes.get(at) != Some(&sep) {
            return None;
        }
        let len = bytes
            .get(at + 1..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (len > 0).then_some(at + 1 + len)
    };
    let mut at = end;
    while let Some(next) = group(at, b'.') {
        at = next;
    }
    if at == end {
        return end;
    }
    // `_NN` groups, each followed by a separator or the end (not `_2fa`).
    while let Some(next) = group(at, b'_') {
        if !matches!(bytes.get(next), None | Some(b'_' | b'-' | b' ')) {
            break;
        }
        at = next;
    }
    at
}

fn trim_separators(s: &str) -> &str {
    s.trim_start_matches(['_', '-', '.', ' '])
}

/// `strip_suffix`, ASCII case-insensitive.
fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(head)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v(raw: &str) -> Version {
        Version::parse(raw).unwrap()
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(v("2") < v("10"));
        assert!(v("0009") < v("00010"));
        assert!(v("2") < v("2.1"));
        assert!(v("2.1") < v("3"));
        assert!(v("2.1") < v("2.10"));
        assert!(v("2.9") < v("2.10"));
        assert!(v("1_1") < v("1_2"));
        assert_eq!(v("001").numeric_cmp(&v("1")), Ordering::Equal);
        assert_eq!(v("1").numeric_cmp(&v("1.0")), Ordering::Equal);
        assert_eq!(v("001").key(), v("1.0").key());
        assert_ne!(v("1").key(), v("1.1").key());
        // Ord agrees with Eq: numerically equal but differently written are not Equal.
        assert_ne!(v("001").cmp(&v("1")), Ordering::Equal);
    }

    #[test]
    fn huge_versions_do_not_overflow() {
        let big = "9".repeat(60);
        let bigger = format!("1{}", "0".repeat(60));
        assert!(v(&big) < v(&bigger));
        assert!(v("20240101120000") < v("20240101120001"));
        assert_eq!(
            v(&format!("000{big}")).numeric_cmp(&v(&big)),
            Ordering::Equal
        );
    }

    #[test]
    fn version_parse_rejects_garbage() {
        assert!(Version::parse("").is_none());
        assert!(Version::parse("1..2").is_none());
        assert!(Version::parse("1a").is_none());
        assert_eq!(v("2.1").parts, ["2", "1"]);
        assert_eq!(v("000").parts, ["0"]);
        assert_eq!(v("2024-01-01-120000").parts, ["20240101120000"]);
    }

    #[test]
    fn natural_order() {
        let mut names = vec![
            "10_b.sql", "2_a.sql", "1_c.sql", "01_d.sql", "a.sql", "B.sql",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "1_c.sql", "01_d.sql", "2_a.sql", "10_b.sql", "B.sql", "a.sql"
            ]
        );
        // Numerically equal digit runs fall back to byte order: a total order.
        assert_eq!(natural_cmp("01_x", "1_x"), Ordering::Less);
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
        assert_eq!(natural_cmp("file2", "file10"), Ordering::Less);
    }

    fn info(file: &str) -> NameInfo {
        classify_name(file, None).unwrap()
    }

    #[test]
    fn flat_and_timestamped() {
        let i = info("001_create_users.sql");
        assert_eq!(
            (i.kind, i.name.as_str()),
            (FileKind::Forward, "create_users")
        );
        assert_eq!(i.version.unwrap().raw, "001");
        assert_eq!(i.reason, "flat numbered");
        let i = info("1-init.sql");
        assert_eq!(
            (i.version.unwrap().raw.as_str(), i.name.as_str()),
            ("1", "init")
        );
        let i = info("20240101120000_add_orgs.sql");
        assert_eq!(i.reason, "timestamped");
        assert_eq!(i.name, "add_orgs");
        let i = info("2024-01-01-120000_diesel.sql");
        assert_eq!(i.reason, "timestamped");
        assert_eq!(i.version.unwrap().parts, ["20240101120000"]);
        let i = info("007.sql");
        assert_eq!(
            (i.version.unwrap().raw.as_str(), i.name.as_str()),
            ("007", "")
        );
        // Upper-case extension still SQL.
        assert_eq!(info("002_X.SQL").kind, FileKind::Forward);
        // A dotted version, with the numbers that order one release's files (procrastinate).
        let i = info("00.05.00_02_drop_started_at_column.sql");
        assert_eq!(
            (i.version.unwrap().parts, i.name.as_str()),
            (
                vec!["0".into(), "5".into(), "0".into(), "2".into()],
                "drop_started_at_column"
            )
        );
        let i = info("1.2.0_2fa_setup.sql");
        assert_eq!(
            (i.version.unwrap().raw.as_str(), i.name.as_str()),
            ("1.2.0", "2fa_setup")
        );
        let i = info("001_002_x.sql");
        assert_eq!(
            (i.version.unwrap().raw.as_str(), i.name.as_str()),
            ("001", "002_x")
        );
        assert_eq!(info("001.create_users.sql").version.unwrap().raw, "001");
    }

    #[test]
    fn not_sql_is_skipped() {
        assert!(classify_name("README.md", None).is_none());
        assert!(classify_name("migration_lock.toml", None).is_none());
        assert!(classify_name("sql", None).is_none());
    }

    #[test]
    fn flyway_names() {
        let i = info("V1__init.sql");
        assert_eq!(
            (i.kind, i.name.as_str(), i.reason.as_str()),
            (FileKind::Forward, "init", "Flyway versioned")
        );
        assert_eq!(i.version.unwrap().raw, "1");
        assert_eq!(info("V2.1__x.sql").version.unwrap().parts, ["2", "1"]);
        assert_eq!(info("V1_1__x.sql").version.unwrap().parts, ["1", "1"]);
        let r = info("R__views.sql");
        assert_eq!(
            (r.kind, r.name.as_str(), r.version),
            (FileKind::Repeatable, "views", None)
        );
        let u = info("U3__drop.sql");
        assert_eq!((u.kind, u.reason.as_str()), (FileKind::Down, "Flyway undo"));
        // Not Flyway: a V without a number, an R without `__`.
        assert!(info("Vx__y.sql").unversioned);
        assert!(info("README.sql").unversioned);
        let cb = info("afterMigrate.sql");
        assert_eq!(cb.kind, FileKind::Ignored);
        // "after_party.sql" is not a callback name.
        assert!(info("after_party.sql").unversioned);
    }

    #[test]
    fn up_down_and_rollback() {
        let up = info("3_users.up.sql");
        assert_eq!(
            (up.kind, up.reason.as_str(), up.name.as_str()),
            (FileKind::Forward, "golang-migrate up", "users")
        );
        let down = info("3_users.down.sql");
        assert_eq!(down.kind, FileKind::Down);
        assert_eq!(down.version.unwrap().raw, "3");
        assert_eq!(info("004_x_rollback.sql").kind, FileKind::Down);
        assert_eq!(info("rollback-004.sql").kind, FileKind::Down);
        assert_eq!(info("004_x.undo.sql").kind, FileKind::Down);
        assert_eq!(info("rollback.sql").kind, FileKind::Down);
    }

    #[test]
    fn test_and_seed_files() {
        assert_eq!(info("test_users.sql").kind, FileKind::Ignored);
        assert_eq!(info("users_test.sql").kind, FileKind::Ignored);
        assert_eq!(info("seed.sql").kind, FileKind::Ignored);
        // A numbered seed migration is a migration.
        assert_eq!(info("005_seed_plans.sql").kind, FileKind::Forward);
        // "latest" / "contest" contain "test" but are not test files.
        assert!(info("latest.sql").unversioned);
        assert_eq!(info("006_contest.sql").kind, FileKind::Forward);
        // `2fa_setup.sql`: the number is part of a word, not a version.
        assert!(info("2fa_setup.sql").unversioned);
    }

    #[test]
    fn layout_directories() {
        let up = classify_name("up.sql", Some("2024-01-01-120000_create_users")).unwrap();
        assert_eq!(
            (up.kind, up.name.as_str(), up.reason.as_str()),
            (FileKind::Forward, "create_users", "diesel up.sql")
        );
        let down = classify_name("down.sql", Some("00000000000000_diesel_initial_setup")).unwrap();
        assert_eq!(down.kind, FileKind::Down);
        let p = classify_name("migration.sql", Some("20240101120000_init")).unwrap();
        assert_eq!(
            (p.reason.as_str(), p.version.unwrap().raw.as_str()),
            ("Prisma migration.sql", "20240101120000")
        );
        let no_version = classify_name("up.sql", Some("misc")).unwrap();
        assert!(no_version.unversioned);
        // Other names inside a sub-directory are classified by their own name.
        let nested = classify_name("V2__x.sql", Some("v2")).unwrap();
        assert_eq!(nested.reason, "Flyway versioned");
    }
}
