//! Stage 6 (render): one self-contained interactive HTML page (askama template
//! `templates/diagram.html`, inline CSS, JS and SVG, no network). The layout comes from
//! [`super::layout`]; the SVG is drawn by the template with auto-escaping, and the data the
//! script needs (neighbours, migration steps, groups) is embedded as JSON with `<` escaped,
//! so a table named `</script>` stays text.

use std::collections::BTreeMap;

use askama::Template;
use serde::Serialize;

use super::layout::{self, Size};
use super::view::{DiagramView, EdgeView, display_name};
use super::{Detail, RenderError};
use crate::diag::Severity;
use crate::model::QualifiedName;

const CHAR_W: f64 = 7.3;
const HEADER_H: i64 = 26;
const ROW_H: i64 = 16;
const MAX_CHARS: usize = 56;
/// With more tables than this in view, the page draws names only (rows are unreadable at
/// that zoom, and laying out tens of thousands of texts made every interaction slow).
const FAR_LIMIT: usize = 150;

pub struct Row {
    pub y: i64,
    pub text: String,
    pub marks: String,
    pub key: bool,
}

pub struct NodeOut {
    pub i: usize,
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub kh: i64,
    pub name: String,
    /// `schema.table`, uncut (the `data-name` the page's search and the tests use).
    pub full: String,
    pub class: &'static str,
    pub status: String,
    pub rows: Vec<Row>,
    pub key_rows: Vec<Row>,
    pub tip: String,
}

pub struct EdgeOut {
    pub a: usize,
    pub b: usize,
    pub d: String,
    /// The path when only key columns are shown (boxes are shorter); empty when the same.
    pub d_keys: String,
    pub class: &'static str,
    pub title: String,
}

pub struct FindingOut {
    pub node: String,
    pub severity: &'static str,
    pub rule: String,
    pub message: String,
    pub place: String,
    pub table: String,
}

pub struct RuleDoc {
    pub name: String,
    pub doc: String,
}

#[derive(Template)]
#[template(path = "diagram.html")]
pub struct Page {
    pub title: String,
    pub width: i64,
    pub height: i64,
    pub nodes: Vec<NodeOut>,
    pub edges: Vec<EdgeOut>,
    pub findings: Vec<FindingOut>,
    pub rules: Vec<RuleDoc>,
    pub migrations: Vec<String>,
    pub last_step: usize,
    pub schemas: Vec<String>,
    pub groups: Vec<String>,
    pub summary: String,
    pub data: String,
    /// [`FAR_LIMIT`], and whether the first view (everything) is already over it.
    pub far_limit: usize,
    pub far: bool,
}

#[derive(Serialize)]
struct NodeData {
    n: String,
    s: String,
    k: &'static str,
    adj: Vec<usize>,
    g: Vec<String>,
    /// A missing table: the first migration step (1-based) that references it; the slider
    /// shows it from there on.
    #[serde(skip_serializing_if = "Option::is_none")]
    f: Option<usize>,
}

/// What changed in a migration: the nodes that appear and disappear (the page replays them
/// to show the schema after any step; a full list per step is quadratic in size).
#[derive(Serialize)]
struct StepData {
    file: String,
    add: Vec<usize>,
    del: Vec<usize>,
}

#[derive(Serialize)]
struct Data {
    nodes: Vec<NodeData>,
    steps: Vec<StepData>,
}

fn text_w(s: &str) -> i64 {
    (unicode_width::UnicodeWidthStr::width(s) as f64 * CHAR_W).ceil() as i64
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_CHARS - 1).collect();
        t.push('…');
        t
    }
}

/// JSON that is safe inside `<script>`: `<`, `>`, `&` and line separators as `\u` escapes.
#[must_use]
pub fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn severity_class(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
        Some(Severity::Info) => "info",
        None => "ok",
    }
}

/// The SVG path of an edge from `na` to `nb`, with box heights taken by `height` (all rows,
/// or key rows only): vertical when one box is above the other, sideways when they overlap in
/// height, a loop for a self-reference.
fn edge_path(
    na: &NodeOut,
    nb: &NodeOut,
    self_ref: bool,
    height: impl Fn(&NodeOut) -> i64,
) -> String {
    let (ha, hb) = (height(na), height(nb));
    let (ax, bx) = (na.x + na.w / 2, nb.x + nb.w / 2);
    if self_ref {
        let (x, y) = (na.x + na.w, na.y + 10);
        format!("M{x},{y} c40,0 40,30 0,30")
    } else if nb.y + hb <= na.y {
        let (ay, by) = (na.y, nb.y + hb);
        format!("M{ax},{ay} C{ax},{} {bx},{} {bx},{by}", ay - 45, by + 45)
    } else if na.y + ha <= nb.y {
        let (ay, by) = (na.y + ha, nb.y);
        format!("M{ax},{ay} C{ax},{} {bx},{} {bx},{by}", ay + 45, by - 45)
    } else {
        let (ay, by) = (na.y + 13, nb.y + 13);
        let (ax, bx) = if na.x < nb.x {
            (na.x + na.w, nb.x)
        } else {
            (na.x, nb.x + nb.w)
        };
        format!(
            "M{ax},{ay} C{},{ay} {},{by} {bx},{by}",
            (ax + bx) / 2,
            (ax + bx) / 2
        )
    }
}

/// The first migration step (1-based) with a statement referencing the missing table `m`;
/// 1 when no reference has a place. A table only the application uses (`--app`) appears at the
/// last step: the application runs against the final schema.
fn first_reference_step(view: &DiagramView, m: &super::view::MissingView) -> usize {
    if m.referenced_by.iter().all(|r| r.app_user.is_some()) {
        return view.migrations.len().max(1);
    }
    view.migrations
        .iter()
        .position(|mg| {
            m.referenced_by.iter().any(|r| {
                r.app_user.is_none() && r.place.as_ref().is_some_and(|p| p.file == mg.file)
            })
        })
        .map_or(1, |k| k + 1)
}

/// The migration steps as changes of the set of drawn relations.
fn steps(view: &DiagramView, index: &BTreeMap<&QualifiedName, usize>) -> Vec<StepData> {
    let mut before = std::collections::BTreeSet::new();
    view.migrations
        .iter()
        .map(|m| {
            let after: std::collections::BTreeSet<usize> = m
                .relations_after
                .iter()
                .filter_map(|r| index.get(r).copied())
                .collect();
            let step = StepData {
                file: m.file.clone(),
                add: after.difference(&before).copied().collect(),
                del: before.difference(&after).copied().collect(),
            };
            before = after;
            step
        })
        .collect()
}

/// Build the page model (layout included).
#[must_use]
pub fn page(view: &DiagramView, detail: Detail) -> Page {
    // Nodes: tables then missing tables, each in name order.
    let mut names: Vec<QualifiedName> = view.tables.iter().map(|t| t.name.clone()).collect();
    names.extend(view.missing.iter().map(|m| m.name.clone()));
    let index: BTreeMap<&QualifiedName, usize> =
        names.iter().enumerate().map(|(i, n)| (n, i)).collect();
    let mut nodes: Vec<NodeOut> = Vec::with_capacity(names.len());
    let mut sizes: Vec<Size> = Vec::with_capacity(names.len());
    for (i, t) in view.tables.iter().enumerate() {
        let mut title = t.display.clone();
        if t.kind.is_view() {
            title.push_str(&format!(" ({})", t.kind.as_str().replace('_', " ")));
        }
        if let Some(h) = t.collapsed {
            title.push_str(&format!(" (+{h})"));
        }
        let cols: Vec<&super::view::ColumnView> = match (detail, t.collapsed) {
            (Detail::Names, _) | (_, Some(_)) => Vec::new(),
            (Detail::Keys, None) => t.columns.iter().filter(|c| c.is_key()).collect(),
            (Detail::All, None) => t.columns.iter().collect(),
        };
        let mut w = text_w(&cut(&title)) + 24;
        let mut rows = Vec::new();
        let mut key_rows = Vec::new();
        for c in cols {
            let mut marks = Vec::new();
            if c.pk {
                marks.push("PK");
            }
            if c.fk {
                marks.push("FK");
            }
            if c.uk {
                marks.push("UK");
            }
            let text = cut(&format!("{} {}", c.name, c.data_type));
            let marks = marks.join(",");
            w = w.max(text_w(&text) + text_w(&marks) + 36);
            let row = |y: i64| Row {
                y,
                text: text.clone(),
                marks: marks.clone(),
                key: c.is_key(),
            };
            rows.push(row(HEADER_H + 14 + ROW_H * rows.len() as i64));
            if c.is_key() {
                key_rows.push(row(HEADER_H + 14 + ROW_H * key_rows.len() as i64));
            }
        }
        let h = HEADER_H + 8 + ROW_H * rows.len() as i64;
        let kh = HEADER_H + 8 + ROW_H * key_rows.len() as i64;
        let tip = match &t.origin {
            Some(p) => format!("{} — created at {p}", t.display),
            None => t.display.clone(),
        };
        sizes.push(Size { w, h });
        nodes.push(NodeOut {
            i,
            x: 0,
            y: 0,
            w,
            h,
            kh,
            name: cut(&title),
            full: t.display.clone(),
            class: "table",
            status: severity_class(t.worst()).to_string(),
            rows,
            key_rows,
            tip,
        });
    }
    for (k, m) in view.missing.iter().enumerate() {
        let i = view.tables.len() + k;
        let title = cut(&m.display);
        // The status row, then one row per application endpoint using it (`--app`).
        let texts: Vec<String> = std::iter::once(format!("MISSING ({})", m.why))
            .chain(
                m.referenced_by
                    .iter()
                    .filter_map(|r| r.app_user.as_ref().map(|u| format!("used by {u}"))),
            )
            .map(|t| cut(&t))
            .collect();
        let w = texts
            .iter()
            .skip(1)
            .map(|t| text_w(t))
            .chain([text_w(&title), text_w("MISSING (never created)")])
            .max()
            .unwrap_or_default()
            + 24;
        let h = HEADER_H + 8 + ROW_H * texts.len() as i64;
        let refs: Vec<String> = m
            .referenced_by
            .iter()
            .map(|r| {
                let at = r
                    .place
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                format!("{at} {}", r.context)
            })
            .collect();
        sizes.push(Size { w, h });
        nodes.push(NodeOut {
            i,
            x: 0,
            y: 0,
            w,
            h,
            kh: HEADER_H + 8 + ROW_H,
            name: title,
            full: m.display.clone(),
            class: "missing",
            status: "error".into(),
            rows: texts
                .into_iter()
                .enumerate()
                .map(|(k, text)| Row {
                    y: HEADER_H + 14 + ROW_H * k as i64,
                    text,
                    marks: String::new(),
                    key: true,
                })
                .collect(),
            key_rows: vec![Row {
                y: HEADER_H + 14,
                text: "MISSING".into(),
                marks: String::new(),
                key: true,
            }],
            tip: format!("{} — referenced by: {}", m.display, refs.join("; ")),
        });
    }
    let pairs: Vec<(usize, usize)> = view
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(&e.from)?, *index.get(&e.to)?)))
        .collect();
    let lay = layout::layout(&sizes, &pairs);
    for (n, p) in nodes.iter_mut().zip(&lay.pos) {
        n.x = p.x;
        n.y = p.y;
    }
    let mut edges = Vec::new();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (e, &(a, b)) in view.edges.iter().zip(&pairs) {
        let (Some(na), Some(nb)) = (nodes.get(a), nodes.get(b)) else {
            continue;
        };
        if let Some(v) = adj.get_mut(a) {
            v.push(b);
        }
        if let Some(v) = adj.get_mut(b) {
            v.push(a);
        }
        let d = edge_path(na, nb, a == b, |n| n.h);
        let d_keys = edge_path(na, nb, a == b, |n| n.kh);
        let class = match e.kind {
            EdgeView::Declared => "declared",
            EdgeView::Implied => "implied",
            EdgeView::Dangling => "dangling",
        };
        let card = if e.one_to_one { "1:1" } else { "N:1" };
        edges.push(EdgeOut {
            a,
            b,
            d_keys: if d_keys == d { String::new() } else { d_keys },
            d,
            class,
            title: format!(
                "{} → {} ({}, {card}{})",
                display_name(&e.from),
                display_name(&e.to),
                e.label,
                if e.optional { ", optional" } else { "" }
            ),
        });
    }
    for v in &mut adj {
        v.sort_unstable();
        v.dedup();
    }
    // Findings panel.
    let mut findings = Vec::new();
    let mut rule_names = std::collections::BTreeSet::new();
    let mut push = |node: Option<usize>, table: &str, f: &super::view::FindingView| {
        rule_names.insert(f.rule.clone());
        findings.push(FindingOut {
            node: node.map(|n| n.to_string()).unwrap_or_default(),
            severity: f.severity.as_str(),
            rule: f.rule.clone(),
            message: f.message.clone(),
            place: f
                .place
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            table: table.to_string(),
        });
    };
    for t in &view.tables {
        for f in &t.findings {
            push(index.get(&t.name).copied(), &t.display, f);
        }
    }
    for m in &view.missing {
        for f in &m.findings {
            push(index.get(&m.name).copied(), &m.display, f);
        }
    }
    for f in &view.other_findings {
        push(None, "", f);
    }
    let rules = rule_names
        .into_iter()
        .map(|name| RuleDoc {
            doc: crate::rules::find(&name)
                .map(|m| m.doc.to_string())
                .unwrap_or_default(),
            name,
        })
        .collect();
    // Script data.
    let mut groups_of: Vec<Vec<String>> = vec![Vec::new(); nodes.len()];
    for (g, members) in &view.groups {
        for m in members {
            if let Some(v) = index.get(m).and_then(|i| groups_of.get_mut(*i)) {
                v.push(g.clone());
            }
        }
    }
    let data = Data {
        nodes: names
            .iter()
            .zip(adj)
            .zip(groups_of)
            .enumerate()
            .map(|(i, ((n, adj), g))| NodeData {
                n: display_name(n),
                s: n.schema.to_string(),
                k: if i < view.tables.len() {
                    "table"
                } else {
                    "missing"
                },
                adj,
                g,
                f: i.checked_sub(view.tables.len())
                    .and_then(|k| view.missing.get(k))
                    .map(|m| first_reference_step(view, m)),
            })
            .collect(),
        steps: steps(view, &index),
    };
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    let mut schemas: Vec<String> = names.iter().map(|n| n.schema.to_string()).collect();
    schemas.sort();
    schemas.dedup();
    let (e, w, i) = view.finding_counts();
    let nodes_len = nodes.len();
    Page {
        title: view.title.clone(),
        width: lay.width.max(200),
        height: lay.height.max(200),
        nodes,
        edges,
        findings,
        rules,
        migrations: view.migrations.iter().map(|m| m.file.clone()).collect(),
        last_step: view.migrations.len(),
        schemas,
        groups: view.groups.keys().cloned().collect(),
        summary: format!(
            "{} tables, {} missing, {} relationships, {} migrations; findings: {e} error(s), {w} warning(s), {i} info",
            view.tables.len(),
            view.missing.len(),
            view.edges.len(),
            view.migrations.len()
        ),
        data: script_json(&json),
        far_limit: FAR_LIMIT,
        far: nodes_len > FAR_LIMIT,
    }
}

/// Render the page.
///
/// # Errors
/// A template failure (should not happen: the template is checked at compile time).
pub fn render(view: &DiagramView, detail: Detail) -> Result<String, RenderError> {
    let mut s = page(view, detail)
        .render()
        .map_err(|e| RenderError::Template(e.to_string()))?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_json_cannot_close_the_script() {
        let s = super::script_json(r#"{"n":"</script><script>alert(1)</script>"}"#);
        assert!(!s.contains("</"));
        assert!(!s.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["n"], "</script><script>alert(1)</script>");
    }
}
