//! Stage 6 (render): the diagram as versioned JSON — tables, edges with their kind
//! (declared / implied / dangling), missing tables, findings and the migration order, exactly
//! as the [`DiagramView`] holds them. `version` changes when a field is removed or changes
//! meaning; new fields may be added within a version.

use serde::Serialize;

use super::view::DiagramView;

/// The wire format version of `diagram --format json`.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: &'static str,
    #[serde(flatten)]
    view: &'a DiagramView,
}

/// Write the document, pretty-printed, with a final newline.
///
/// # Errors
/// Write errors.
pub fn write(out: &mut dyn std::io::Write, view: &DiagramView) -> std::io::Result<()> {
    let doc = Document {
        version: VERSION,
        tool: "ogel-schema",
        view,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
    writeln!(out)
}
