//! Stage 6 (render): Graphviz DOT from the [`DiagramView`]. Node ids are the same safe
//! `t_...` ids as in Mermaid (always quoted); names only appear inside HTML-like labels,
//! escaped. Implied and dangling edges are dashed, missing tables are red dashed boxes.

use std::fmt::Write as _;

use super::Detail;
use super::mermaid::entity_ids;
use super::view::{DiagramView, EdgeView};

/// Escape text for a Graphviz HTML-like label.
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escape text for a double-quoted DOT string.
#[must_use]
pub fn escape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Write the graph.
///
/// # Errors
/// Write errors.
pub fn write(
    out: &mut dyn std::io::Write,
    view: &DiagramView,
    detail: Detail,
) -> std::io::Result<()> {
    let ids = entity_ids(view);
    let mut s = String::new();
    let _ = writeln!(s, "digraph \"{}\" {{", escape_quoted(&view.title));
    s.push_str("  graph [rankdir=RL, fontname=\"Helvetica\", nodesep=0.4, ranksep=1.0];\n");
    s.push_str("  node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n");
    s.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for t in &view.tables {
        let Some(id) = ids.get(&t.name) else { continue };
        let colour = match t.worst() {
            Some(crate::diag::Severity::Error) => "#f4cccc",
            Some(crate::diag::Severity::Warning) => "#fff2cc",
            _ => "#dde7f5",
        };
        let mut title = escape_html(&t.display);
        if t.kind.is_view() {
            let _ = write!(title, " ({})", t.kind.as_str().replace('_', " "));
        }
        let _ = write!(
            s,
            "  \"{id}\" [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\"><TR><TD BGCOLOR=\"{colour}\" COLSPAN=\"3\"><B>{title}</B></TD></TR>"
        );
        let cols: Vec<_> = match (detail, t.collapsed) {
            (Detail::Names, _) | (_, Some(_)) => Vec::new(),
            (Detail::Keys, None) => t.columns.iter().filter(|c| c.is_key()).collect(),
            (Detail::All, None) => t.columns.iter().collect(),
        };
        for c in cols {
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
            let _ = write!(
                s,
                "<TR><TD ALIGN=\"LEFT\">{}</TD><TD ALIGN=\"LEFT\">{}</TD><TD>{}</TD></TR>",
                escape_html(&c.name),
                escape_html(&c.data_type),
                k.join(",")
            );
        }
        if let Some(h) = t.collapsed {
            let _ = write!(s, "<TR><TD COLSPAN=\"3\">+{h} more neighbours</TD></TR>");
        }
        s.push_str("</TABLE>>];\n");
    }
    for m in &view.missing {
        let Some(id) = ids.get(&m.name) else { continue };
        let _ = writeln!(
            s,
            "  \"{id}\" [label=<<TABLE BORDER=\"1\" STYLE=\"dashed\" COLOR=\"#cc0000\" CELLBORDER=\"0\"><TR><TD><B>{}</B></TD></TR><TR><TD>MISSING ({})</TD></TR></TABLE>>];",
            escape_html(&m.display),
            escape_html(&m.why)
        );
    }
    for e in &view.edges {
        let (Some(a), Some(b)) = (ids.get(&e.from), ids.get(&e.to)) else {
            continue;
        };
        let style = match e.kind {
            EdgeView::Declared => "solid",
            EdgeView::Implied | EdgeView::Dangling => "dashed",
        };
        let head = if e.optional { "teeodot" } else { "teetee" };
        let tail = if e.one_to_one { "teeodot" } else { "crowodot" };
        let _ = writeln!(
            s,
            "  \"{a}\" -> \"{b}\" [label=<{}>, style={style}, dir=both, arrowhead={head}, arrowtail={tail}];",
            escape_html(&e.label)
        );
    }
    s.push_str("}\n");
    out.write_all(s.as_bytes())
}
