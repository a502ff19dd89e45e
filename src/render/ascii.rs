//! Stage 6 (render): the ASCII/Unicode schema map for terminals and PR comments, in the style
//! of the hand-drawn OgelBase map but computed: one section per migration, a box per table
//! with key markers and a status, references with 1 / N cardinality, boxes for missing tables
//! listing who references them, the migration order and a summary. No line is ever wider than
//! `--width` display columns.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::diag::Severity;
use crate::model::QualifiedName;

use super::view::{DiagramView, EdgeView, FindingView, Relationship, TableView, display_name};

/// Box drawing and status words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Charset {
    /// Box-drawing characters and emoji status marks.
    #[default]
    Unicode,
    /// Plain ASCII: `+--+`, `|`, `->`, `[EXISTS]`.
    Ascii,
}

#[derive(Debug, Clone, Copy)]
pub struct AsciiOptions {
    pub width: usize,
    pub charset: Charset,
}

impl Default for AsciiOptions {
    fn default() -> Self {
        Self {
            width: 100,
            charset: Charset::Unicode,
        }
    }
}

struct Glyphs {
    h: &'static str,
    v: &'static str,
    tl: &'static str,
    tr: &'static str,
    bl: &'static str,
    br: &'static str,
    lt: &'static str,
    rt: &'static str,
    arrow: &'static str,
    dashed_arrow: &'static str,
    branch: &'static str,
    last: &'static str,
    dashed_branch: &'static str,
    dashed_last: &'static str,
    ellipsis: &'static str,
    exists: &'static str,
    missing: &'static str,
    error: &'static str,
    warning: &'static str,
    info: &'static str,
    order: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    h: "─",
    v: "│",
    tl: "┌",
    tr: "┐",
    bl: "└",
    br: "┘",
    lt: "├",
    rt: "┤",
    arrow: "→",
    dashed_arrow: "⇢",
    branch: "├─→",
    last: "└─→",
    dashed_branch: "├┄→",
    dashed_last: "└┄→",
    ellipsis: "…",
    exists: "✅ EXISTS",
    missing: "❌ MISSING",
    error: "❌",
    warning: "⚠️",
    info: "ℹ️",
    order: " → ",
};

const ASCII: Glyphs = Glyphs {
    h: "-",
    v: "|",
    tl: "+",
    tr: "+",
    bl: "+",
    br: "+",
    lt: "+",
    rt: "+",
    arrow: "->",
    dashed_arrow: "~>",
    branch: "+->",
    last: "`->",
    dashed_branch: "+~>",
    dashed_last: "`~>",
    ellipsis: "~",
    exists: "[EXISTS]",
    missing: "[MISSING]",
    error: "[ERROR]",
    warning: "[WARNING]",
    info: "[INFO]",
    order: " -> ",
};

/// Display width of `s` in a terminal.
#[must_use]
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `w` columns, ending with `ellipsis` when cut.
fn fit(s: &str, w: usize, ellipsis: &str) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let room = w.saturating_sub(width(ellipsis));
    let mut out = String::new();
    let mut used = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let cw = c.width().unwrap_or(0);
        if used + cw > room {
            break;
        }
        out.push(c);
        used += cw;
        // Keep a variation selector with its base character.
        while let Some(&n) = chars.peek() {
            if n.width().unwrap_or(0) == 0
                && used + width(&format!("{out}{n}")) - width(&out) <= room
            {
                out.push(n);
                chars.next();
            } else {
                break;
            }
        }
    }
    // A zero-width joiner sequence may still widen the text: trim until it fits.
    while width(&out) > room {
        out.pop();
    }
    if w >= width(ellipsis) {
        out.push_str(ellipsis);
    }
    out
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

/// Control characters in names would break the layout: show them as `?`.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

struct Map<'a> {
    g: &'static Glyphs,
    w: usize,
    lines: Vec<String>,
    view: &'a DiagramView,
    /// The drawn edges (not dangling) by their table and by their target, each list in the
    /// view's order: a table looks up its own instead of scanning every edge per column.
    edges_from: BTreeMap<&'a QualifiedName, Vec<&'a Relationship>>,
    edges_to: BTreeMap<&'a QualifiedName, Vec<&'a Relationship>>,
}

impl Map<'_> {
    fn line(&mut self, s: &str) {
        let s = clean(s);
        let s = fit(s.trim_end(), self.w, self.g.ellipsis);
        self.lines.push(s);
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    fn banner(&mut self, rows: &[String]) {
        let inner = self.w.saturating_sub(4);
        let g = self.g;
        self.line(&format!(
            "{}{}{}",
            g.tl,
            g.h.repeat(self.w.saturating_sub(2)),
            g.tr
        ));
        for r in rows {
            let text = fit(&clean(r), inner, g.ellipsis);
            self.line(&format!("{} {} {}", g.v, pad(&text, inner), g.v));
        }
        self.line(&format!(
            "{}{}{}",
            g.bl,
            g.h.repeat(self.w.saturating_sub(2)),
            g.br
        ));
    }

    /// A box at indent 4: title with a status on its right, then rows with annotations.
    fn table_box(&mut self, title: &str, status: &str, rows: &[(String, String)]) {
        let g = self.g;
        let max_inner = (self.w * 45 / 100).max(12);
        let content = rows
            .iter()
            .map(|(r, _)| width(&clean(r)))
            .chain(std::iter::once(width(&clean(title))))
            .max()
            .unwrap_or(0);
        let inner = content.clamp(10, max_inner);
        let border = g.h.repeat(inner + 2);
        self.line(&format!("    {}{border}{}", g.tl, g.tr));
        let t = fit(&clean(title), inner, g.ellipsis);
        self.line(&format!("    {} {} {} {status}", g.v, pad(&t, inner), g.v));
        if !rows.is_empty() {
            self.line(&format!("    {}{border}{}", g.lt, g.rt));
        }
        for (r, note) in rows {
            let t = fit(&clean(r), inner, g.ellipsis);
            self.line(&format!("    {} {} {}{note}", g.v, pad(&t, inner), g.v));
        }
        self.line(&format!("    {}{border}{}", g.bl, g.br));
    }

    fn short(&self, of: &QualifiedName, from_schema: &str) -> String {
        if of.schema == from_schema {
            of.name.to_string()
        } else {
            display_name(of)
        }
    }

    fn severity_mark(&self, s: Severity) -> &'static str {
        match s {
            Severity::Error => self.g.error,
            Severity::Warning => self.g.warning,
            Severity::Info => self.g.info,
        }
    }

    fn status(&self, t: &TableView) -> String {
        let worst = t
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .max_by(|a, b| a.severity.cmp(&b.severity).then(b.cmp(a)));
        match worst {
            None => self.g.exists.to_string(),
            Some(f) => {
                let more = t.findings.len() - 1;
                let extra = if more > 0 {
                    format!(" (+{more})")
                } else {
                    String::new()
                };
                format!(
                    "{} {}{extra}",
                    self.severity_mark(f.severity),
                    f.rule.to_uppercase().replace('-', " ")
                )
            }
        }
    }

    fn findings(&mut self, findings: &[FindingView]) {
        for f in findings {
            let at = f
                .place
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let mark = self.severity_mark(f.severity);
            self.line(&format!("      {mark} {}: {}{at}", f.rule, f.message));
        }
    }

    fn table(&mut self, t: &TableView) {
        let view = self.view;
        let schema = t.name.schema.clone();
        let mut rows: Vec<(String, String)> = Vec::new();
        if let Some(h) = t.collapsed {
            rows.push((
                format!("{} {h} more neighbours (hub)", self.g.ellipsis),
                String::new(),
            ));
        } else {
            for c in &t.columns {
                let mut marks = Vec::new();
                if c.pk {
                    marks.push("PK");
                }
                if c.fk {
                    marks.push("FK");
                }
                if c.uk {
                    marks.push("UNIQUE");
                }
                let text = if marks.is_empty() {
                    c.name.clone()
                } else {
                    format!("{} ({})", c.name, marks.join(", "))
                };
                let mut notes = Vec::new();
                let from = self.edges_from.get(&t.name).map_or(&[][..], Vec::as_slice);
                for e in from.iter().filter(|e| e.columns.first() == Some(&c.name)) {
                    let card = if e.one_to_one { "1:1" } else { "N:1" };
                    let target = self.short(&e.to, &schema);
                    notes.push(match (e.kind, view.is_missing(&e.to)) {
                        (EdgeView::Implied, true) => format!(
                            "{} {} {target} (MISSING, implied)",
                            self.g.dashed_arrow, self.g.error
                        ),
                        (EdgeView::Implied, false) => {
                            format!("{} {target} {card} (implied, no FK)", self.g.dashed_arrow)
                        }
                        _ => format!("{} {target} {card}", self.g.arrow),
                    });
                }
                rows.push((text, notes.join("  ")));
            }
        }
        let mut title = t.display.clone();
        if t.kind.is_view() {
            title.push_str(&format!(" ({})", t.kind.as_str().replace('_', " ")));
        }
        let status = self.status(t);
        self.table_box(&title, &status, &rows);
        self.incoming(&t.name, &schema);
        self.findings(&t.findings);
        self.blank();
    }

    /// Who references `name`, under its box.
    fn incoming(&mut self, name: &QualifiedName, schema: &str) {
        let inc: Vec<&Relationship> = self.edges_to.get(name).cloned().unwrap_or_default();
        if inc.is_empty() {
            return;
        }
        self.line(&format!("      {} 1", self.g.v));
        let n = inc.len();
        for (i, e) in inc.iter().enumerate() {
            let last = i + 1 == n;
            let glyph = match (e.kind, last) {
                (EdgeView::Declared, false) => self.g.branch,
                (EdgeView::Declared, true) => self.g.last,
                (_, false) => self.g.dashed_branch,
                (_, true) => self.g.dashed_last,
            };
            let card = if e.one_to_one { "1" } else { "N" };
            let mut tags = Vec::new();
            if e.optional {
                tags.push("optional");
            }
            if e.kind == EdgeView::Implied {
                tags.push("implied, no FK");
            }
            let tag = if tags.is_empty() {
                String::new()
            } else {
                format!(" ({})", tags.join(", "))
            };
            let who = self.short(&e.from, schema);
            self.line(&format!(
                "      {glyph} {card} {who}.{}{tag}",
                e.columns.join(", ")
            ));
        }
    }
}

/// Write the map.
///
/// # Errors
/// Write errors.
pub fn write(
    out: &mut dyn std::io::Write,
    view: &DiagramView,
    opts: &AsciiOptions,
) -> std::io::Result<()> {
    out.write_all(render(view, opts).as_bytes())
}

/// The map as a string.
#[must_use]
pub fn render(view: &DiagramView, opts: &AsciiOptions) -> String {
    let g: &'static Glyphs = match opts.charset {
        Charset::Unicode => &UNICODE,
        Charset::Ascii => &ASCII,
    };
    let mut edges_from: BTreeMap<&QualifiedName, Vec<&Relationship>> = BTreeMap::new();
    let mut edges_to: BTreeMap<&QualifiedName, Vec<&Relationship>> = BTreeMap::new();
    for e in view.edges.iter().filter(|e| e.kind != EdgeView::Dangling) {
        edges_from.entry(&e.from).or_default().push(e);
        edges_to.entry(&e.to).or_default().push(e);
    }
    let mut m = Map {
        g,
        w: opts.width.max(40),
        lines: Vec::new(),
        view,
        edges_from,
        edges_to,
    };
    let (errors, warnings, infos) = view.finding_counts();
    let mut head = vec![
        format!("{} SCHEMA MAP", view.title.to_uppercase()),
        format!(
            "{} tables, {} missing, {} migrations, {} relationships",
            view.tables.len(),
            view.missing.len(),
            view.migrations.len(),
            view.edges.len()
        ),
    ];
    head.extend(view.notes.iter().cloned());
    m.banner(&head);
    m.blank();

    let by_name = |n: &QualifiedName| view.table(n);
    for (i, mig) in view.migrations.iter().enumerate() {
        let version = mig.version.clone().unwrap_or_else(|| format!("#{}", i + 1));
        let mut rows = vec![format!("MIGRATION {version} - {}", mig.title)];
        let mut second = mig.file.clone();
        if mig.outside_main_path {
            second.push_str("  (outside the main migrations directory)");
        }
        rows.push(second);
        m.banner(&rows);
        m.blank();
        let mut said = 0;
        if mig.rejected > 0 {
            m.line(&format!(
                "  {} FAILS: PostgreSQL rejects {} statement(s) of this file",
                g.error, mig.rejected
            ));
            said += 1;
        }
        // Statements of this file that use missing tables.
        for miss in &view.missing {
            for r in miss
                .referenced_by
                .iter()
                .filter(|r| r.place.as_ref().is_some_and(|p| p.file == mig.file))
                .filter(|r| !r.context.starts_with("implied"))
            {
                let at = r.place.as_ref().map(|p| p.line).unwrap_or_default();
                m.line(&format!(
                    "  {} line {at}: {} {} {} (MISSING)",
                    g.error, r.context, g.arrow, miss.display
                ));
                said += 1;
            }
        }
        if mig.tables.is_empty() {
            m.line("  (creates no tables)");
            said += 1;
        }
        if said > 0 {
            m.blank();
        }
        for name in &mig.tables {
            if let Some(t) = by_name(name) {
                m.table(t);
            }
        }
    }
    let orphans: Vec<&TableView> = view
        .tables
        .iter()
        .filter(|t| t.migration.is_none())
        .collect();
    if !orphans.is_empty() {
        m.banner(&["NOT CREATED BY AN APPLIED MIGRATION".to_string()]);
        m.blank();
        for t in orphans {
            m.table(t);
        }
    }
    if !view.missing.is_empty() {
        m.banner(&[
            "MISSING TABLES - referenced, never created".to_string(),
            "(PostgreSQL fails where a statement uses them)".to_string(),
        ]);
        m.blank();
        for miss in &view.missing {
            let mut rows = vec![("referenced by:".to_string(), String::new())];
            for r in &miss.referenced_by {
                let at = r
                    .place
                    .as_ref()
                    .map(super::view::Place::short)
                    .unwrap_or_default();
                let who = r
                    .table
                    .as_ref()
                    .map(|t| format!(" ({})", m.short(t, &miss.name.schema)))
                    .unwrap_or_default();
                rows.push((at, format!(" {}{who}", r.context)));
            }
            let status = format!("{} ({})", g.missing, miss.why);
            m.table_box(&miss.display, &status, &rows);
            m.incoming(&miss.name, &miss.name.schema);
            m.findings(&miss.findings);
            m.blank();
        }
    }
    if !view.other_findings.is_empty() {
        m.banner(&["OTHER FINDINGS".to_string()]);
        m.blank();
        let f = view.other_findings.clone();
        m.findings(&f);
        m.blank();
    }

    m.banner(&["MIGRATION ORDER".to_string()]);
    m.blank();
    let steps: Vec<String> = view
        .migrations
        .iter()
        .enumerate()
        .map(|(i, mig)| {
            let v = mig.version.clone().unwrap_or_else(|| format!("#{}", i + 1));
            if mig.rejected > 0 {
                format!("{v} {} fails", g.error)
            } else {
                v
            }
        })
        .collect();
    // Wrap the chain at the width.
    let mut cur = String::from(" ");
    for (i, s) in steps.iter().enumerate() {
        let piece = if i == 0 {
            format!(" {s}")
        } else {
            format!("{}{s}", g.order)
        };
        if width(&cur) + width(&piece) > m.w && width(&cur) > 2 {
            let done = std::mem::replace(&mut cur, String::from("   "));
            m.line(&done);
        }
        cur.push_str(&piece);
    }
    m.line(&cur);
    for mig in view.migrations.iter().filter(|x| x.outside_main_path) {
        m.line(&format!(
            "  {} {} is outside the main migrations directory",
            g.warning, mig.file
        ));
    }
    m.blank();

    m.banner(&["SUMMARY".to_string()]);
    m.blank();
    for (i, mig) in view.migrations.iter().enumerate() {
        let v = mig.version.clone().unwrap_or_else(|| format!("#{}", i + 1));
        let mark = if mig.rejected > 0 {
            g.error
        } else {
            g.exists.split(' ').next().unwrap_or("")
        };
        let fails = if mig.rejected > 0 { "  (fails)" } else { "" };
        m.line(&format!(
            "  {mark} {:<6} {:<32} {} table(s){fails}",
            v,
            fit(&mig.title, 32, g.ellipsis),
            mig.tables.len()
        ));
    }
    m.line(&format!(
        "  {} {} table(s) missing",
        g.error,
        view.missing.len()
    ));
    m.line(&format!(
        "  findings: {errors} error(s), {warnings} warning(s), {infos} info"
    ));
    let mut s = String::new();
    for l in &m.lines {
        let _ = writeln!(s, "{l}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_exceeds_the_width() {
        for w in 1..30 {
            let s = fit("⚠️ a very long 名前 with ✅ emoji and text", w, "…");
            assert!(width(&s) <= w.max(1), "{w}: {s}");
        }
        assert_eq!(fit("short", 10, "…"), "short");
    }

    #[test]
    fn pad_fills_to_width() {
        assert_eq!(width(&pad("名前", 6)), 6);
    }
}
