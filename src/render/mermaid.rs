//! Stage 6 (render): Mermaid `erDiagram` from the [`DiagramView`], written so real mermaid.js
//! draws every name as written (see shared/tools/README.md, "constructs that break"): every
//! entity is an alias `t_<safe>["schema.table"]`, types and attribute names go in backticks
//! when they need it, labels use mermaid's `#NN;` escapes, relationship labels are always
//! quoted. A diagram over GitHub's 50,000-character limit is split into blocks (by schema, then
//! connected component, then plain groups), with detail degraded first.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::model::QualifiedName;

use super::Detail;
use super::view::{DiagramView, EdgeView, Relationship, TableView, display_name};

/// GitHub's (and mermaid's default) `maxTextSize`.
pub const MAX_BLOCK: usize = 50_000;
/// What the packer aims for, leaving room for stubs and headers.
const PACK_TARGET: usize = 42_000;

/// One ```` ```mermaid ```` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub title: String,
    pub text: String,
    pub detail: Detail,
    pub tables: usize,
}

/// Escape text for a quoted mermaid label, comment or backticked word: `_` at a word edge,
/// `*`, `<`, `"`, `#`, `&`, `` ` `` and control characters as `#NN;` entities.
#[must_use]
pub fn escape_label(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '_' => {
                let prev = i.checked_sub(1).and_then(|j| chars.get(j));
                let next = chars.get(i + 1);
                let inner = prev.is_some_and(char::is_ascii_alphanumeric)
                    && next.is_some_and(char::is_ascii_alphanumeric);
                if inner {
                    out.push('_');
                } else {
                    out.push_str("#95;");
                }
            }
            '*' => out.push_str("#42;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#38;"),
            '`' => out.push_str("#96;"),
            ';' => out.push_str("#59;"),
            '\\' => out.push_str("#92;"),
            '~' => out.push_str("#126;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn has_edge_underscore(s: &str) -> bool {
    escape_label(s).contains("#95;")
}

/// An attribute type: bare when mermaid reads it as one word, else in backticks.
#[must_use]
pub fn attr_type(ty: &str) -> String {
    let ty = if ty.trim().is_empty() { "unknown" } else { ty };
    let bare = ty.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && ty
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_(),.[]-".contains(c))
        && !has_edge_underscore(ty);
    if bare {
        ty.to_string()
    } else {
        format!("`{}`", escape_label(ty))
    }
}

/// An attribute name: bare when it is a plain identifier (and not `pk`/`fk`/`uk`), else in
/// backticks.
#[must_use]
pub fn attr_name(name: &str) -> String {
    let keyword = ["pk", "fk", "uk"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k));
    let bare = !keyword
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !has_edge_underscore(name);
    if bare {
        name.to_string()
    } else if name.is_empty() {
        "`#95;`".to_string()
    } else {
        format!("`{}`", escape_label(name))
    }
}

/// Entity ids: `t_` + the name with everything but ASCII letters and digits as `_`, made
/// unique with a numeric suffix. Assigned in name order, so stable.
#[must_use]
pub fn entity_ids(view: &DiagramView) -> BTreeMap<QualifiedName, String> {
    let mut names: Vec<&QualifiedName> = view
        .tables
        .iter()
        .map(|t| &t.name)
        .chain(view.missing.iter().map(|m| &m.name))
        .collect();
    names.sort();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut ids = BTreeMap::new();
    for n in names {
        let base: String = format!("t_{}_{}", n.schema, n.name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut id = base.clone();
        let mut k = 2;
        while used.contains(&id) {
            id = format!("{base}_{k}");
            k += 1;
        }
        used.insert(id.clone());
        ids.insert(n.clone(), id);
    }
    ids
}

fn keys(c: &super::view::ColumnView) -> String {
    let mut k = Vec::new();
    if c.pk {
        k.push("PK");
    }
    if c.fk {
        k.push("FK");
    }
    if c.uk {
        k.push("UK");
    }
    k.join(", ")
}

fn entity(out: &mut String, id: &str, t: &TableView, detail: Detail) {
    let mut label = t.display.clone();
    if t.kind.is_view() {
        label.push_str(&format!(" ({})", t.kind.as_str().replace('_', " ")));
    }
    if let Some(h) = t.collapsed {
        label.push_str(&format!(" (+{h} more)"));
    }
    let _ = write!(out, "  {id}[\"{}\"]", escape_label(&label));
    let cols: Vec<&super::view::ColumnView> = match (detail, t.collapsed) {
        (Detail::Names, _) | (_, Some(_)) => Vec::new(),
        (Detail::Keys, None) => t.columns.iter().filter(|c| c.is_key()).collect(),
        (Detail::All, None) => t.columns.iter().collect(),
    };
    if cols.is_empty() {
        out.push('\n');
        return;
    }
    out.push_str(" {\n");
    for c in cols {
        let _ = write!(
            out,
            "    {} {}",
            attr_type(&c.data_type),
            attr_name(&c.name)
        );
        let k = keys(c);
        if !k.is_empty() {
            let _ = write!(out, " {k}");
        }
        if detail == Detail::All && !c.references.is_empty() {
            let targets: Vec<String> = c.references.iter().map(display_name).collect();
            let _ = write!(
                out,
                " \"{}\"",
                escape_label(&format!("→ {}", targets.join(", ")))
            );
        }
        out.push('\n');
    }
    out.push_str("  }\n");
}

fn relationship(out: &mut String, ids: &BTreeMap<QualifiedName, String>, e: &Relationship) {
    let (Some(from), Some(to)) = (ids.get(&e.from), ids.get(&e.to)) else {
        return;
    };
    let left = if e.optional { "|o" } else { "||" };
    let right = if e.one_to_one { "o|" } else { "o{" };
    let line = if e.kind == EdgeView::Declared {
        "--"
    } else {
        ".."
    };
    let label = match e.kind {
        EdgeView::Dangling => format!("{} (MISSING)", e.label),
        _ => e.label.clone(),
    };
    let _ = writeln!(
        out,
        "  {to} {left}{line}{right} {from} : \"{}\"",
        escape_label(&label)
    );
}

/// A missing table; the application endpoints using it (`--app`) as rows
/// `used_by GET "/api/... (file.ts:12)"`.
fn missing_entity(out: &mut String, id: &str, m: &super::view::MissingView) {
    let _ = write!(
        out,
        "  {id}[\"{}\"]",
        escape_label(&format!("{} (MISSING)", m.display))
    );
    let users: Vec<(&str, String)> = m
        .referenced_by
        .iter()
        .filter_map(|r| {
            let user = r.app_user.as_deref()?;
            let (method, what) = user
                .split_once(' ')
                .filter(|(m, _)| m.chars().all(|c| c.is_ascii_uppercase()))
                .unwrap_or(("app", user));
            let at = r.place.as_ref().map(super::view::Place::short);
            Some((
                method,
                at.map_or_else(|| what.to_owned(), |at| format!("{what} ({at})")),
            ))
        })
        .collect();
    if users.is_empty() {
        out.push('\n');
        return;
    }
    out.push_str(" {\n");
    for (method, what) in users {
        let _ = writeln!(
            out,
            "    used_by {} \"{}\"",
            attr_name(method),
            escape_label(what.as_str())
        );
    }
    out.push_str("  }\n");
}

/// Where each name's rows sit in the view: its table, its missing relation, the edges it
/// holds. Built once per [`blocks`], so rendering a set costs the set, not the whole view (the
/// size of each of 10,000 tables was measured by scanning every table and edge: 3 s).
struct Members<'v> {
    tables: BTreeMap<&'v QualifiedName, Vec<usize>>,
    missing: BTreeMap<&'v QualifiedName, Vec<usize>>,
    edges_from: BTreeMap<&'v QualifiedName, Vec<usize>>,
}

impl<'v> Members<'v> {
    fn new(view: &'v DiagramView) -> Self {
        let mut m = Self {
            tables: BTreeMap::new(),
            missing: BTreeMap::new(),
            edges_from: BTreeMap::new(),
        };
        for (i, t) in view.tables.iter().enumerate() {
            m.tables.entry(&t.name).or_default().push(i);
        }
        for (i, x) in view.missing.iter().enumerate() {
            m.missing.entry(&x.name).or_default().push(i);
        }
        for (i, e) in view.edges.iter().enumerate() {
            m.edges_from.entry(&e.from).or_default().push(i);
        }
        m
    }

    /// Positions in the view of the rows of `set`'s names, in the view's order.
    fn of(
        index: &BTreeMap<&'v QualifiedName, Vec<usize>>,
        set: &BTreeSet<QualifiedName>,
    ) -> Vec<usize> {
        let mut at: Vec<usize> = set
            .iter()
            .filter_map(|n| index.get(n))
            .flatten()
            .copied()
            .collect();
        at.sort_unstable();
        at
    }
}

/// Render the tables and missing tables named in `set` (plus stubs for tables they reference
/// in other blocks) as one `erDiagram`.
fn render_set(
    view: &DiagramView,
    ids: &BTreeMap<QualifiedName, String>,
    members: &Members<'_>,
    set: &BTreeSet<QualifiedName>,
    detail: Detail,
    title: &str,
) -> String {
    let mut out = String::from("erDiagram\n");
    let _ = writeln!(out, "  %% {}", title.replace(['\n', '\r'], " "));
    for t in Members::of(&members.tables, set)
        .into_iter()
        .filter_map(|i| view.tables.get(i))
    {
        if let Some(id) = ids.get(&t.name) {
            entity(&mut out, id, t, detail);
        }
    }
    for m in Members::of(&members.missing, set)
        .into_iter()
        .filter_map(|i| view.missing.get(i))
    {
        if let Some(id) = ids.get(&m.name) {
            missing_entity(&mut out, id, m);
        }
    }
    // An edge is drawn in the block of the table holding the reference; a referenced table
    // from another block appears there as a stub.
    let edges: Vec<&Relationship> = Members::of(&members.edges_from, set)
        .into_iter()
        .filter_map(|i| view.edges.get(i))
        .collect();
    let mut stubs: BTreeSet<&QualifiedName> = BTreeSet::new();
    for e in &edges {
        if !set.contains(&e.to) {
            stubs.insert(&e.to);
        }
    }
    for s in &stubs {
        if let Some(id) = ids.get(*s) {
            let missing = if view.is_missing(s) { " (MISSING)" } else { "" };
            let _ = writeln!(
                out,
                "  {id}[\"{}\"]",
                escape_label(&format!("{}{missing} (other block)", display_name(s)))
            );
        }
    }
    for e in edges {
        relationship(&mut out, ids, e);
    }
    out
}

fn all_names(view: &DiagramView) -> BTreeSet<QualifiedName> {
    view.tables
        .iter()
        .map(|t| t.name.clone())
        .chain(view.missing.iter().map(|m| m.name.clone()))
        .collect()
}

/// The most detailed rendering of `set` (starting at `detail`) that fits in a block.
fn best(
    view: &DiagramView,
    ids: &BTreeMap<QualifiedName, String>,
    members: &Members<'_>,
    set: &BTreeSet<QualifiedName>,
    detail: Detail,
    title: &str,
) -> Option<Block> {
    let mut d = detail;
    loop {
        let text = render_set(view, ids, members, set, d, title);
        if text.len() <= MAX_BLOCK {
            return Some(Block {
                title: title.to_string(),
                text,
                detail: d,
                tables: set.len(),
            });
        }
        d = d.less()?;
    }
}

/// Connected components of `set` (over edges inside it), each sorted, in order of their
/// first name.
fn components(view: &DiagramView, set: &BTreeSet<QualifiedName>) -> Vec<Vec<QualifiedName>> {
    let names: Vec<&QualifiedName> = set.iter().collect();
    let pos: BTreeMap<&QualifiedName, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while let Some(&px) = p.get(x) {
            if px == x {
                break;
            }
            let gp = p.get(px).copied().unwrap_or(px);
            if let Some(slot) = p.get_mut(x) {
                *slot = gp;
            }
            x = px;
        }
        x
    }
    for e in &view.edges {
        if let (Some(&a), Some(&b)) = (pos.get(&e.from), pos.get(&e.to)) {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            if ra != rb {
                let (lo, hi) = (ra.min(rb), ra.max(rb));
                if let Some(slot) = parent.get_mut(hi) {
                    *slot = lo;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<QualifiedName>> = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push((*n).clone());
    }
    groups.into_values().collect()
}

/// Split the view into blocks that each fit in [`MAX_BLOCK`] characters.
#[must_use]
pub fn blocks(view: &DiagramView, detail: Detail) -> Vec<Block> {
    let ids = entity_ids(view);
    let everything = all_names(view);
    // 1. The whole diagram, degrading detail.
    let members = Members::new(view);
    if let Some(b) = best(view, &ids, &members, &everything, detail, &view.title) {
        return vec![b];
    }
    // 2. By schema; 3. by connected component inside a schema; 4. plain groups.
    let mut by_schema: BTreeMap<String, BTreeSet<QualifiedName>> = BTreeMap::new();
    for n in everything {
        by_schema.entry(n.schema.to_string()).or_default().insert(n);
    }
    let mut out = Vec::new();
    for (schema, set) in &by_schema {
        let title = format!("{}: schema {schema}", view.title);
        if let Some(b) = best(view, &ids, &members, set, detail, &title) {
            out.push(b);
            continue;
        }
        // Size of one name at the key level, to pack components.
        let cost = |n: &QualifiedName| -> usize {
            let one: BTreeSet<QualifiedName> = std::iter::once(n.clone()).collect();
            render_set(view, &ids, &members, &one, Detail::Keys, "").len()
        };
        let mut bins: Vec<(BTreeSet<QualifiedName>, usize)> = Vec::new();
        let mut current: (BTreeSet<QualifiedName>, usize) = (BTreeSet::new(), 0);
        for comp in components(view, set) {
            let sizes: Vec<usize> = comp.iter().map(&cost).collect();
            let total: usize = sizes.iter().sum();
            if total <= PACK_TARGET && current.1 + total <= PACK_TARGET {
                current.0.extend(comp);
                current.1 += total;
                continue;
            }
            if total <= PACK_TARGET {
                bins.push(std::mem::take(&mut current));
                current = (comp.into_iter().collect(), total);
                continue;
            }
            // A component too big on its own: cut it into groups in name order.
            for (n, s) in comp.into_iter().zip(sizes) {
                if current.1 + s > PACK_TARGET && !current.0.is_empty() {
                    bins.push(std::mem::take(&mut current));
                }
                current.0.insert(n);
                current.1 += s;
            }
        }
        if !current.0.is_empty() {
            bins.push(current);
        }
        let n = bins.len();
        for (i, (set, _)) in bins.into_iter().enumerate() {
            let title = format!("{}: schema {schema}, part {} of {n}", view.title, i + 1);
            match best(view, &ids, &members, &set, detail, &title) {
                Some(b) => out.push(b),
                None => {
                    // Still too big with names only (huge stubs): halve until it fits.
                    let v: Vec<QualifiedName> = set.into_iter().collect();
                    for chunk in v.chunks(v.len().div_ceil(2).max(1)) {
                        let s: BTreeSet<QualifiedName> = chunk.iter().cloned().collect();
                        if let Some(b) = best(view, &ids, &members, &s, Detail::Names, &title) {
                            out.push(b);
                        }
                    }
                }
            }
        }
    }
    out
}

/// `--format mermaid`: one diagram; when it had to be split, each block in its own
/// ```` ```mermaid ```` fence (one `.mmd` file cannot hold two diagrams).
///
/// # Errors
/// Write errors.
pub fn write(
    out: &mut dyn std::io::Write,
    view: &DiagramView,
    detail: Detail,
) -> std::io::Result<()> {
    write_blocks(out, view, &blocks(view, detail))
}

/// [`write`] with the blocks already split (the CLI also reports how many there are).
///
/// # Errors
/// Write errors.
pub fn write_blocks(
    out: &mut dyn std::io::Write,
    view: &DiagramView,
    blocks: &[Block],
) -> std::io::Result<()> {
    match blocks {
        [one] => out.write_all(one.text.as_bytes()),
        many => {
            writeln!(
                out,
                "%% {}: {} tables, split into {} diagrams (GitHub renders at most {MAX_BLOCK} characters per diagram)",
                view.title.replace(['\n', '\r'], " "),
                view.tables.len() + view.missing.len(),
                many.len()
            )?;
            for b in many {
                writeln!(out, "\n```mermaid")?;
                out.write_all(b.text.as_bytes())?;
                writeln!(out, "```")?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_escape_markdown_and_html() {
        assert_eq!(escape_label("_tmp_"), "#95;tmp#95;");
        assert_eq!(escape_label("user_roles"), "user_roles");
        assert_eq!(
            escape_label("a<b \"c\" *d*"),
            "a#60;b #quot;c#quot; #42;d#42;"
        );
        assert_eq!(escape_label("x.y-z"), "x.y-z");
    }

    #[test]
    fn types_with_spaces_go_in_backticks() {
        assert_eq!(attr_type("integer"), "integer");
        assert_eq!(attr_type("numeric(10,2)"), "numeric(10,2)");
        assert_eq!(attr_type("numeric(10, 2)"), "`numeric(10, 2)`");
        assert_eq!(
            attr_type("timestamp with time zone"),
            "`timestamp with time zone`"
        );
        assert_eq!(attr_type("\"char\""), "`#quot;char#quot;`");
        assert_eq!(attr_type(""), "unknown");
    }

    #[test]
    fn key_words_and_odd_names_go_in_backticks() {
        assert_eq!(attr_name("id"), "id");
        assert_eq!(attr_name("pk"), "`pk`");
        assert_eq!(attr_name("Fk"), "`Fk`");
        assert_eq!(attr_name("2fa"), "`2fa`");
        assert_eq!(attr_name("created at"), "`created at`");
        assert_eq!(attr_name("_x_"), "`#95;x#95;`");
        assert_eq!(attr_name("end"), "end");
    }
}
