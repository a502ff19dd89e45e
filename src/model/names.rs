//! Stage 3 (model): PostgreSQL's automatic object names (`makeObjectName`,
//! `ChooseRelationName`, `ChooseConstraintName`): `orders_pkey`, `orders_user_id_fkey`,
//! `orders_email_key1`. The model must pick the same names PostgreSQL picks, or a later
//! `DROP CONSTRAINT orders_user_id_fkey` would look wrong.

use crate::source::lines::floor_char_boundary;

const NAMEDATALEN_MINUS_1: usize = 63;

/// `makeObjectName(name1, name2, label)`: `name1_name2_label`, shortening the longer of the
/// two names until the whole fits in 63 bytes.
#[must_use]
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = 0;
    if name2.is_some() {
        overhead += 1;
    }
    if !label.is_empty() {
        overhead += label.len() + 1;
    }
    let avail = NAMEDATALEN_MINUS_1.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = String::with_capacity(NAMEDATALEN_MINUS_1);
    out.push_str(
        name1
            .get(..floor_char_boundary(name1, n1))
            .unwrap_or_default(),
    );
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(n.get(..floor_char_boundary(n, n2)).unwrap_or_default());
    }
    if !label.is_empty() {
        out.push('_');
        out.push_str(label);
    }
    out
}

/// `ChooseRelationName` / `ChooseConstraintName`: the first of `name1_name2_label`,
/// `..._label1`, `..._label2`, ... that `taken` does not reject.
#[must_use]
pub fn choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let mut candidate = make_object_name(name1, name2, label);
    let mut pass = 0u32;
    while taken(&candidate) {
        pass += 1;
        candidate = make_object_name(name1, name2, &format!("{label}{pass}"));
        if pass > 10_000 {
            break;
        }
    }
    candidate
}

/// Column-name addition for index and foreign-key names: names joined by `_`, stopping
/// once the result reaches NAMEDATALEN (as `ChooseIndexNameAddition` does).
#[must_use]
pub fn columns_addition<S: AsRef<str>>(columns: &[S]) -> String {
    let mut out = String::new();
    for c in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(c.as_ref());
        if out.len() > NAMEDATALEN_MINUS_1 {
            break;
        }
    }
    out
}

/// [`columns_addition`] of an index's column names as PostgreSQL names them
/// (`ChooseIndexColumnNames`): a name that repeats an earlier one gets the first number that
/// makes it new, `UNIQUE (code) INCLUDE (code)` is `t_code_code1_key`, an index on
/// `(lower(a), lower(b))` is `t_lower_lower1_idx`.
#[must_use]
pub fn index_columns_addition<S: AsRef<str>>(columns: &[S]) -> String {
    let repeats = columns
        .iter()
        .enumerate()
        .any(|(i, c)| columns[..i].iter().any(|e| e.as_ref() == c.as_ref()));
    if !repeats {
        return columns_addition(columns);
    }
    let mut names: Vec<String> = Vec::with_capacity(columns.len());
    for c in columns {
        let orig = c.as_ref();
        let mut name = orig.to_owned();
        let mut i = 1u32;
        while names.contains(&name) {
            let n = i.to_string();
            let keep = floor_char_boundary(orig, NAMEDATALEN_MINUS_1 - n.len());
            name = format!("{}{n}", orig.get(..keep).unwrap_or_default());
            i += 1;
        }
        names.push(name);
    }
    columns_addition(&names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_columns_repeated_are_numbered() {
        assert_eq!(index_columns_addition(&["code", "code"]), "code_code1");
        assert_eq!(
            index_columns_addition(&["lower", "lower", "lower1", "lower"]),
            "lower_lower1_lower11_lower2"
        );
        assert_eq!(index_columns_addition(&["a", "b"]), "a_b");
    }

    #[test]
    fn names_like_postgres() {
        assert_eq!(make_object_name("orders", None, "pkey"), "orders_pkey");
        assert_eq!(
            make_object_name("orders", Some("user_id"), "fkey"),
            "orders_user_id_fkey"
        );
        let long = "a".repeat(60);
        let n = make_object_name(&long, Some("col"), "key");
        assert_eq!(n.len(), 63);
        assert!(n.ends_with("_col_key"));
        assert_eq!(
            choose_name("t", Some("a"), "key", |n| n == "t_a_key"),
            "t_a_key1"
        );
    }
}
