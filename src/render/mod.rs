//! Stage 6 (render): ER maps. [`view::DiagramView`] is the one sorted picture of the schema
//! (tables, keys, origins, FK / implied / dangling edges, missing tables, findings, migration
//! order) built from the analysis, the graph and the findings; every format reads only it:
//! [`markdown`] (Mermaid fences + findings + order), [`mermaid`], [`ascii`], [`html`] (askama,
//! self-contained, layout from [`layout`]), [`dot`] and [`json`]. [`cli`] is `ogel-schema
//! diagram`.

pub mod ascii;
pub mod cli;
pub mod dot;
pub mod html;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod mermaid;
pub mod view;

pub use view::{DiagramView, Filter, FilterError};

/// Output format of `ogel-schema diagram`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Title, legend, Mermaid diagram(s) in fences, findings per table, migration order.
    Markdown,
    /// A Mermaid `erDiagram` (fenced blocks when split).
    Mermaid,
    /// The terminal / PR-comment map.
    Ascii,
    /// One self-contained interactive page.
    Html,
    /// Graphviz.
    Dot,
    /// Versioned JSON.
    Json,
}

/// How many columns a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, clap::ValueEnum)]
pub enum Detail {
    /// Every column.
    #[default]
    All,
    /// Only PK, FK and UNIQUE columns.
    Keys,
    /// Table names only.
    Names,
}

impl Detail {
    /// The next lower level of detail.
    #[must_use]
    pub fn less(self) -> Option<Detail> {
        match self {
            Detail::All => Some(Detail::Keys),
            Detail::Keys => Some(Detail::Names),
            Detail::Names => None,
        }
    }

    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Detail::All => "all columns",
            Detail::Keys => "key columns only",
            Detail::Names => "table names only",
        }
    }
}

/// Everything a writer may need besides the view.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub detail: Detail,
    pub ascii: ascii::AsciiOptions,
}

/// A renderer failure.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RenderError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Filter(#[from] FilterError),
    #[error("cannot render the HTML page: {0}")]
    #[diagnostic(code(ogel_schema::template))]
    Template(String),
}

/// Render `view` in `format`.
///
/// # Errors
/// Only the HTML template can fail.
pub fn render(
    format: Format,
    view: &DiagramView,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let mut buf: Vec<u8> = Vec::new();
    let io = |e: std::io::Error| RenderError::Template(e.to_string());
    match format {
        Format::Markdown => markdown::write(&mut buf, view, opts.detail).map_err(io)?,
        Format::Mermaid => mermaid::write(&mut buf, view, opts.detail).map_err(io)?,
        Format::Ascii => ascii::write(&mut buf, view, &opts.ascii).map_err(io)?,
        Format::Dot => dot::write(&mut buf, view, opts.detail).map_err(io)?,
        Format::Json => json::write(&mut buf, view).map_err(io)?,
        Format::Html => return html::render(view, opts.detail),
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
