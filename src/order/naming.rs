//! Stage 5 (order): the migration directory's naming convention (prefix, zero padding,
//! separator, suffix; sequential numbers or timestamps) and version arithmetic: which files keep
//! their version in a proposed order and which new versions fit between the neighbours.

use std::cmp::Ordering;

use crate::source::{SourceFile, Version};

/// How versions are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `001`, `2`, `0042`.
    Sequence,
    /// `YYYYMMDDHHMMSS` (14 digits) or `YYYYMMDDHHMM` (12 digits).
    Timestamp { digits: usize },
    /// Anything else (`2.1`): new versions get a `.N` part.
    Dotted,
}

/// How files of the main directory are named: `{prefix}{version}{sep}{name}{suffix}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convention {
    /// The main migration directory, as displayed (forward slashes); empty for the cwd.
    pub dir: String,
    pub prefix: String,
    /// Zero-padding width (0: no padding).
    pub width: usize,
    pub sep: String,
    pub suffix: String,
    pub mode: Mode,
}

impl Default for Convention {
    fn default() -> Self {
        Self {
            dir: String::new(),
            prefix: String::new(),
            width: 3,
            sep: "_".into(),
            suffix: ".sql".into(),
            mode: Mode::Sequence,
        }
    }
}

/// Split a display path into (directory, file name).
#[must_use]
pub fn split_path(display: &str) -> (&str, &str) {
    match display.rfind('/') {
        Some(i) => (
            display.get(..i).unwrap_or(""),
            display.get(i + 1..).unwrap_or(""),
        ),
        None => ("", display),
    }
}

/// `(prefix, sep, suffix)` of a file name around its version and descriptive name.
fn parts_of(file_name: &str, raw: &str, name: &str) -> Option<(String, String, String)> {
    let pos = file_name.find(raw)?;
    let prefix = file_name.get(..pos)?.to_owned();
    let rest = file_name.get(pos + raw.len()..)?;
    if !name.is_empty()
        && let Some(i) = rest.find(name)
    {
        return Some((
            prefix,
            rest.get(..i)?.to_owned(),
            rest.get(i + name.len()..)?.to_owned(),
        ));
    }
    let dot = rest.find('.').unwrap_or(rest.len());
    Some((prefix, "_".into(), rest.get(dot..)?.to_owned()))
}

impl Convention {
    /// Read the convention off the main directory's versioned files (first file wins for
    /// prefix / separator / suffix; padding and mode from all of them).
    #[must_use]
    pub fn detect(files: &[&SourceFile], main_dir: Option<&str>) -> Self {
        let mut c = Convention::default();
        let versioned: Vec<(&SourceFile, &Version)> = files
            .iter()
            .filter_map(|f| f.version.as_ref().map(|v| (*f, v)))
            .collect();
        if let Some(d) = main_dir {
            c.dir = d.trim_end_matches('/').to_owned();
        } else if let Some((f, _)) = versioned.first() {
            c.dir = split_path(&f.display).0.to_owned();
        }
        if let Some((f, v)) = versioned.first()
            && let Some((prefix, sep, suffix)) = parts_of(split_path(&f.display).1, &v.raw, &f.name)
        {
            c.prefix = prefix;
            c.sep = sep;
            c.suffix = suffix;
        }
        let raws: Vec<&str> = versioned.iter().map(|(_, v)| v.raw.as_str()).collect();
        c.width = raws
            .iter()
            .filter(|r| r.len() > 1 && r.starts_with('0'))
            .map(|r| r.len())
            .max()
            .unwrap_or(0);
        if raws.is_empty() {
            c.width = 3;
        }
        let digits = |r: &&str| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit());
        c.mode = if !raws.is_empty()
            && raws.iter().all(|r| {
                digits(r) && (r.len() == 14 || r.len() == 12) && timestamp_secs(r).is_some()
            }) {
            Mode::Timestamp {
                digits: raws.first().map_or(14, |r| r.len()),
            }
        } else if raws.iter().all(digits) {
            Mode::Sequence
        } else {
            Mode::Dotted
        };
        c
    }

    /// The file name for `version` and a descriptive `name`.
    #[must_use]
    pub fn file_name(&self, version: &str, name: &str) -> String {
        format!("{}{version}{}{name}{}", self.prefix, self.sep, self.suffix)
    }

    /// Display path in the main directory.
    #[must_use]
    pub fn path(&self, file_name: &str) -> String {
        if self.dir.is_empty() {
            file_name.to_owned()
        } else {
            format!("{}/{file_name}", self.dir)
        }
    }

    /// The numeric value of a version in this convention (seconds for timestamps).
    fn value(&self, v: &Version) -> Option<i128> {
        let raw = v.raw.as_str();
        match self.mode {
            Mode::Timestamp { .. } => timestamp_secs(raw),
            Mode::Sequence => raw.parse::<i128>().ok(),
            Mode::Dotted => None,
        }
    }

    fn format(&self, value: i128) -> Option<String> {
        match self.mode {
            Mode::Timestamp { digits } => secs_timestamp(value, digits),
            Mode::Sequence => Some(format!("{value:0width$}", width = self.width)),
            Mode::Dotted => None,
        }
    }

    /// Versions for a proposed order. `slots[i]` is the current version of the i-th entry
    /// (`None` for a new migration, or a file that must get a new number anyway), `weight[i]`
    /// how much keeping it is worth. Returns the version of every entry: kept ones as written,
    /// others between their neighbours. Files with a version that does not fit are renumbered
    /// (a longest increasing run of versions is kept; where no free number is left between two
    /// kept neighbours, the next one is renumbered too).
    #[must_use]
    pub fn assign(&self, slots: &[Option<&Version>], weight: &[u32]) -> Vec<String> {
        let n = slots.len();
        let mut kept = self.keep_feasible(slots, weight);
        let mut out: Vec<String> = vec![String::new(); n];
        let mut prev: Option<usize> = None; // index of the last assigned entry
        let mut prev_val: Option<i128> = None;
        let mut prev_ver: Option<Version> = None;
        let mut i = 0;
        while i < n {
            if kept.get(i).copied().unwrap_or(false)
                && let Some(Some(v)) = slots.get(i)
            {
                out[i].clone_from(&v.raw);
                prev = Some(i);
                prev_val = self.value(v);
                prev_ver = Some((*v).clone());
                i += 1;
                continue;
            }
            // A run of entries needing a number: i..j, j the next kept entry (or n).
            let next_kept = |from: usize, kept: &[bool]| {
                (from..n)
                    .find(|&k| kept.get(k).copied().unwrap_or(false))
                    .unwrap_or(n)
            };
            let mut j = next_kept(i, &kept);
            loop {
                let count = j - i;
                let hi = if j < n {
                    slots.get(j).copied().flatten()
                } else {
                    None
                };
                if let Some(vals) = self.between(prev_val, prev_ver.as_ref(), hi, count) {
                    for (k, v) in vals.into_iter().enumerate() {
                        if let Some(slot) = out.get_mut(i + k) {
                            *slot = v;
                        }
                    }
                    break;
                }
                // No room: renumber the next kept entry too.
                if let Some(flag) = kept.get_mut(j) {
                    *flag = false;
                }
                j = next_kept(j + 1, &kept);
            }
            let last = j - 1;
            prev = Some(last);
            prev_ver = out.get(last).and_then(|s| Version::parse(s));
            prev_val = prev_ver.as_ref().and_then(|v| self.value(v));
            i = j;
        }
        let _ = prev;
        out
    }

    /// `count` increasing versions strictly between `lo` and `hi` (`None` when they do not fit).
    fn between(
        &self,
        lo_val: Option<i128>,
        lo: Option<&Version>,
        hi: Option<&Version>,
        count: usize,
    ) -> Option<Vec<String>> {
        let count_i = i128::try_from(count).ok()?;
        if self.mode == Mode::Dotted {
            let base = lo.map_or_else(|| "0".to_owned(), |v| v.raw.clone());
            let vals: Vec<String> = (1..=count).map(|k| format!("{base}.{k}")).collect();
            let fits = hi.is_none_or(|h| {
                vals.last()
                    .and_then(|s| Version::parse(s))
                    .is_some_and(|v| v.numeric_cmp(h) == Ordering::Less)
            });
            return fits.then_some(vals);
        }
        let hi_val = match hi {
            Some(h) => Some(self.value(h)?),
            None => None,
        };
        let start = match (lo_val, hi_val) {
            (Some(l), _) => l + 1,
            (None, Some(h)) => {
                let s = h - count_i;
                if s < 0 {
                    return None;
                }
                s
            }
            (None, None) => 1,
        };
        if let Some(h) = hi_val
            && start + count_i > h
        {
            return None;
        }
        (0..count_i).map(|k| self.format(start + k)).collect()
    }
}

impl Convention {
    /// Which entries keep their version: the maximum-weight strictly increasing subsequence
    /// that leaves enough free numbers between kept neighbours for the entries in between.
    fn keep_feasible(&self, slots: &[Option<&Version>], weight: &[u32]) -> Vec<bool> {
        let n = slots.len();
        let vals: Vec<Option<i128>> = slots
            .iter()
            .map(|s| s.and_then(|v| self.value(v)))
            .collect();
        let count = |x: usize| i128::try_from(x).unwrap_or(i128::MAX);
        let fits = |k: Option<usize>, i: usize| -> bool {
            let Some(Some(vi)) = slots.get(i) else {
                return false;
            };
            let between = count(k.map_or(i, |k| i - k - 1));
            if self.mode == Mode::Dotted {
                return k.is_none_or(|k| {
                    slots
                        .get(k)
                        .copied()
                        .flatten()
                        .is_some_and(|vk| vk.numeric_cmp(vi) == Ordering::Less)
                });
            }
            let Some(Some(x)) = vals.get(i) else {
                return false;
            };
            match k {
                None => *x >= between,
                Some(k) => match vals.get(k) {
                    Some(Some(y)) => x - y > between,
                    _ => false,
                },
            }
        };
        let mut best: Vec<Option<u64>> = vec![None; n];
        let mut from: Vec<Option<usize>> = vec![None; n];
        for i in 0..n {
            let w = u64::from(weight.get(i).copied().unwrap_or(1));
            let mut b = fits(None, i).then_some(w);
            let mut f = None;
            for k in 0..i {
                if let Some(Some(bk)) = best.get(k)
                    && fits(Some(k), i)
                    && b.is_none_or(|b| bk + w > b)
                {
                    b = Some(bk + w);
                    f = Some(k);
                }
            }
            best[i] = b;
            from[i] = f;
        }
        let mut kept = vec![false; n];
        let mut end = None;
        let mut max = 0;
        for (i, b) in best.iter().enumerate() {
            if let Some(b) = b
                && *b > max
            {
                max = *b;
                end = Some(i);
            }
        }
        while let Some(i) = end {
            kept[i] = true;
            end = from.get(i).copied().flatten();
        }
        kept
    }
}

// ----- timestamps (civil calendar, UTC, no leap seconds) ------------------------------------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn num(s: &str, range: std::ops::Range<usize>) -> Option<i64> {
    s.get(range)?.parse().ok()
}

/// `YYYYMMDDHHMMSS` (or `YYYYMMDDHHMM`, counted in minutes) as a count since 1970.
fn timestamp_secs(raw: &str) -> Option<i128> {
    let (y, mo, d, h, mi) = (
        num(raw, 0..4)?,
        num(raw, 4..6)?,
        num(raw, 6..8)?,
        num(raw, 8..10)?,
        num(raw, 10..12)?,
    );
    if !(1900..=2999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
    {
        return None;
    }
    let minutes = i128::from(days_from_civil(y, mo, d)) * 1440 + i128::from(h * 60 + mi);
    match raw.len() {
        12 => Some(minutes),
        14 => {
            let s = num(raw, 12..14)?;
            (s <= 59).then_some(minutes * 60 + i128::from(s))
        }
        _ => None,
    }
}

fn secs_timestamp(value: i128, digits: usize) -> Option<String> {
    let (minutes, secs) = if digits == 14 {
        (value.div_euclid(60), Some(value.rem_euclid(60)))
    } else {
        (value, None)
    };
    let days = i64::try_from(minutes.div_euclid(1440)).ok()?;
    let m = minutes.rem_euclid(1440);
    let (y, mo, d) = civil_from_days(days);
    let mut s = format!("{y:04}{mo:02}{d:02}{:02}{:02}", m / 60, m % 60);
    if let Some(sec) = secs {
        s.push_str(&format!("{sec:02}"));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn seq(width: usize) -> Convention {
        Convention {
            width,
            ..Convention::default()
        }
    }

    #[test]
    fn ogelbase_numbers() {
        let (a, b, d, c) = (v("001"), v("002"), v("004"), v("003"));
        let slots = [Some(&a), Some(&b), None, Some(&d), Some(&c)];
        let got = seq(3).assign(&slots, &[2, 2, 0, 2, 1]);
        assert_eq!(got, ["001", "002", "003", "004", "005"]);
    }

    #[test]
    fn no_room_renumbers_the_next() {
        let (a, b, c) = (v("1"), v("2"), v("3"));
        let slots = [Some(&a), Some(&b), None, Some(&c)];
        assert_eq!(seq(0).assign(&slots, &[1, 1, 0, 1]), ["1", "2", "3", "4"]);
    }

    #[test]
    fn moved_file_gets_a_number_after_its_new_neighbour() {
        // 001 needs 003: order 002, 003, 001.
        let (a, b, c) = (v("001"), v("002"), v("003"));
        let slots = [Some(&b), Some(&c), Some(&a)];
        assert_eq!(seq(3).assign(&slots, &[1, 1, 1]), ["002", "003", "004"]);
    }

    #[test]
    fn one_rename_rather_than_a_cascade() {
        // 001 needs 002: order 002, 001, 003. Renumber 002 to 000 (one rename), not 001 and 003.
        let (a, b, c) = (v("001"), v("002"), v("003"));
        let slots = [Some(&b), Some(&a), Some(&c)];
        assert_eq!(seq(3).assign(&slots, &[1, 1, 1]), ["000", "001", "003"]);
    }

    #[test]
    fn duplicate_versions_renumber_the_second() {
        let (a, b, b2, c) = (v("1"), v("5"), v("5"), v("9"));
        let slots = [Some(&a), Some(&b), Some(&b2), Some(&c)];
        assert_eq!(seq(0).assign(&slots, &[1, 1, 1, 1]), ["1", "5", "6", "9"]);
    }

    #[test]
    fn out_of_order_with_a_duplicate() {
        // Planned: 002 customers, 001 orders, 003 products, 003 prices, 004 seed.
        let (a, b, c, c2, d) = (v("001"), v("002"), v("003"), v("003"), v("004"));
        let slots = [Some(&b), Some(&a), Some(&c), Some(&c2), Some(&d)];
        assert_eq!(
            seq(3).assign(&slots, &[3, 3, 3, 3, 3]),
            ["000", "001", "002", "003", "004"]
        );
    }

    #[test]
    fn timestamps_between_neighbours() {
        let c = Convention {
            mode: Mode::Timestamp { digits: 14 },
            width: 0,
            ..Convention::default()
        };
        let (a, b) = (v("20231231235959"), v("20240101000005"));
        let slots = [Some(&a), None, Some(&b)];
        assert_eq!(
            c.assign(&slots, &[1, 0, 1]),
            ["20231231235959", "20240101000000", "20240101000005"]
        );
        let (x, y) = (v("20240229120000"), v("20240229120001"));
        let slots = [Some(&x), None, Some(&y)];
        assert_eq!(
            c.assign(&slots, &[1, 0, 1]),
            ["20240229120000", "20240229120001", "20240229120002"]
        );
    }

    #[test]
    fn timestamp_roundtrip() {
        for raw in ["20240229235959", "19991231000000", "20991231235959"] {
            let s = timestamp_secs(raw).unwrap();
            assert_eq!(secs_timestamp(s, 14).unwrap(), raw);
        }
        assert!(timestamp_secs("20241301000000").is_none());
    }

    #[test]
    fn convention_of_flyway_names() {
        assert_eq!(
            parts_of("V2__add_users.sql", "2", "add_users"),
            Some(("V".into(), "__".into(), ".sql".into()))
        );
        assert_eq!(
            parts_of("000001_init.up.sql", "000001", "init"),
            Some((String::new(), "_".into(), ".up.sql".into()))
        );
    }
}
