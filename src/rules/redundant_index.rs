//! redundant-index — see rules/redundant-index.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Label, Severity};
use crate::model::{Index, Name};

pub static META: RuleMeta = RuleMeta {
    name: "redundant-index",
    category: Category::Design,
    default_severity: Severity::Warning,
    summary: "An index whose columns are a prefix of (or equal to) another index on the same table",
    doc: include_str!("../../rules/redundant-index.md"),
};

pub struct RedundantIndex;

/// Element `k` of an index: its column and operator class, `None` for an expression (or past
/// the end).
fn element(i: &Index, k: usize) -> Option<(&str, Option<&str>, Option<&str>)> {
    Some((
        i.columns.get(k)?.as_deref()?,
        i.opclasses.get(k).and_then(|o| o.as_deref()),
        i.sorts.get(k).and_then(|s| s.collation.as_deref()),
    ))
}

/// Whether `b`'s first elements sort as `a`'s do, read forwards or backwards (a B-tree scans
/// either way: `(x DESC, y)` serves what `(x, y DESC)` serves, not what `(x, y)` serves).
fn same_order(a: &Index, b: &Index) -> bool {
    let dir = |i: &Index, k: usize| i.sorts.get(k).map(|s| (s.desc, s.nulls_first));
    let back = |i: &Index, k: usize| {
        i.sorts
            .get(k)
            .map(|s| s.reversed())
            .map(|s| (s.desc, s.nulls_first))
    };
    let n = a.columns.len();
    (0..n).all(|k| dir(a, k) == dir(b, k)) || (0..n).all(|k| back(a, k) == dir(b, k))
}

/// Is `a` made useless by `b`? Same method, no predicates; `a`'s elements are a prefix of
/// `b`'s, and `b` carries every column `a` INCLUDEs (as a key or an INCLUDE column: else `a`
/// serves index-only scans `b` cannot); a unique `a` is only redundant to a unique `b` with the
/// very same columns. (Compared in place: the rule runs this for every pair of indexes on a
/// table.)
fn redundant_to(a: &Index, b: &Index) -> bool {
    if a.name == b.name || a.partial || b.partial || a.method != b.method || a.method != "btree" {
        return false;
    }
    let carried = |c: &Name| b.columns.iter().flatten().any(|k| k == c) || b.include.contains(c);
    if !a.include.iter().all(carried) {
        return false;
    }
    let plain = |i: &Index| i.columns.iter().all(Option::is_some);
    let (na, nb) = (a.columns.len(), b.columns.len());
    if !plain(a)
        || !plain(b)
        || na == 0
        || na > nb
        || (0..na).any(|k| element(a, k) != element(b, k))
        || !same_order(a, b)
    {
        return false;
    }
    let same = na == nb;
    match (a.unique, b.unique) {
        // Keep the constraint's index; between equals, report the later one.
        (true, true) => {
            same && match (a.constraint, b.constraint) {
                (true, false) => false,
                (false, true) => true,
                _ => a.origin > b.origin,
            }
        }
        (true, false) => false,
        (false, true) => true,
        // Two equal plain indexes: report the later one.
        (false, false) => !same || a.origin > b.origin,
    }
}

fn finding(ctx: &Context<'_>, a: &Index, b: &Index) -> Finding {
    let drop = a.key();
    let what = if a.columns.len() == b.columns.len() {
        "the same columns as"
    } else {
        "a prefix of"
    };
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: a.origin,
        message: format!(
            "index `{}` ({}) covers {what} `{}` ({}) on `{}`: every query it serves can use `{}`, yet every write maintains both",
            a.name,
            a.columns
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            b.name,
            b.columns
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            a.table,
            b.name
        ),
        help: Some(if a.constraint {
            format!(
                "drop the duplicate constraint behind `{}`; `{}` already enforces it",
                a.name, b.name
            )
        } else {
            format!("`DROP INDEX CONCURRENTLY {drop};`")
        }),
        labels: vec![Label {
            span: b.origin,
            message: format!("`{}` is created here ({})", b.name, ctx.place(b.origin)),
        }],
        fingerprint: format!("{}:{}", META.name, drop),
    }
}

impl Rule for RedundantIndex {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cat = &ctx.analysis.model.catalog;
        for t in cat.tables.keys() {
            let idx: Vec<&Index> = cat.indexes_on(t).collect();
            for a in &idx {
                // The longest covering index is the one to keep.
                let keeper = idx
                    .iter()
                    .filter(|b| redundant_to(a, b))
                    .max_by_key(|b| (b.columns.len(), b.unique, std::cmp::Reverse(b.origin)));
                if let Some(b) = keeper {
                    out.push(finding(ctx, a, b));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redundant_to;
    use crate::model::{Index, QualifiedName};
    use crate::span::Span;

    fn ix(name: &str, cols: &[&str], unique: bool, at: usize) -> Index {
        Index {
            name: name.into(),
            schema: "public".into(),
            table: QualifiedName::new("public", "t"),
            columns: cols.iter().map(|c| Some((*c).into())).collect(),
            elements: cols.iter().map(|c| (*c).into()).collect(),
            names: cols.iter().map(|c| (*c).into()).collect(),
            unique,
            partial: false,
            constraint: false,
            origin: Span::new(0, at, at + 1),
            method: "btree".into(),
            opclasses: vec![None; cols.len()],
            sorts: vec![crate::model::catalog::ElementSort::default(); cols.len()],
            not_null_predicate: Vec::new(),
            calls: Vec::new(),
            partition_of: None,
            include: Vec::new(),
            mentions: cols.iter().map(|c| (*c).into()).collect(),
        }
    }

    #[test]
    fn include_columns_count() {
        let with = |name: &str, cols: &[&str], include: &[&str], unique: bool, at: usize| Index {
            include: include.iter().map(|c| (*c).into()).collect(),
            ..ix(name, cols, unique, at)
        };
        let a_bc = with("a_bc", &["x"], &["b", "c"], false, 1);
        let ua_b = with("ua_b", &["x"], &["b"], true, 2);
        let a = ix("a", &["x"], false, 3);
        let ab = ix("ab", &["x", "b"], false, 4);
        // `a_bc` carries c, which `ua_b` does not: not redundant to it.
        assert!(!redundant_to(&a_bc, &ua_b));
        // A plain index is covered by one with the same key and more INCLUDE columns.
        assert!(redundant_to(&a, &a_bc));
        // An INCLUDE column the other index has as a key column is carried.
        let a_b = with("a_b", &["x"], &["b"], false, 5);
        assert!(redundant_to(&a_b, &ab));
        assert!(!redundant_to(&a_bc, &ab));
    }

    #[test]
    fn uniqueness_and_prefixes() {
        let a = ix("a", &["x"], false, 1);
        let ab = ix("ab", &["x", "y"], false, 2);
        let ua = ix("ua", &["x"], true, 3);
        let uab = ix("uab", &["x", "y"], true, 4);
        assert!(redundant_to(&a, &ab));
        assert!(!redundant_to(&ab, &a));
        assert!(redundant_to(&a, &ua));
        assert!(!redundant_to(&ua, &a));
        assert!(!redundant_to(&ua, &uab));
        let a2 = ix("a2", &["x"], false, 5);
        assert!(redundant_to(&a2, &a) && !redundant_to(&a, &a2));
        let mut gin = ix("g", &["x", "y"], false, 6);
        gin.method = "gin".into();
        assert!(!redundant_to(&a, &gin));
        let mut pattern = ix("p", &["x", "y"], false, 7);
        pattern.opclasses = vec![Some("text_pattern_ops".into()), None];
        assert!(!redundant_to(&a, &pattern));
        // Directions: one column either way; several only all alike or all reversed.
        let desc = |s: &mut crate::model::catalog::ElementSort| {
            s.desc = true;
            s.nulls_first = true;
        };
        let mut x_desc_y = ix("xdy", &["x", "y"], false, 8);
        desc(&mut x_desc_y.sorts[0]);
        assert!(redundant_to(&a, &x_desc_y));
        assert!(!redundant_to(&ab, &x_desc_y) && !redundant_to(&x_desc_y, &ab));
        let mut both_desc = ix("dd", &["x", "y"], false, 9);
        both_desc.sorts.iter_mut().for_each(desc);
        assert!(redundant_to(&both_desc, &ab));
        let mut nulls_first = ix("nf", &["x", "y"], false, 10);
        nulls_first.sorts[1].nulls_first = true;
        assert!(!redundant_to(&ab, &nulls_first) && redundant_to(&a, &nulls_first));
        // Another collation is another order.
        let mut c = ix("c", &["x"], false, 11);
        c.sorts[0].collation = Some("\"C\"".into());
        assert!(!redundant_to(&c, &ab) && !redundant_to(&a, &c));
    }
}
