//! Report stage, GitHub writer: workflow commands (`::error file=...,line=...::message`) that
//! GitHub Actions turns into annotations on the pull request diff.

use std::io::Write;

use super::ReportInput;
use crate::diag::Severity;

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> std::io::Result<()> {
    for f in input.findings {
        let p = input.position(f.span);
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(p.file),
            p.line,
            p.column,
            p.end_line,
            p.end_column,
            escape_property(&format!("ogel-schema({})", f.rule)),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// Escape a command's message (GitHub's `escapeData`).
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (GitHub's `escapeProperty`): also `:` and `,`.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::{Format, sample::Sample};
    use super::*;

    #[test]
    fn github_snapshot() {
        insta::assert_snapshot!(Sample::new().output(Format::Github, false));
    }

    #[test]
    fn escaping_follows_github_rules() {
        assert_eq!(escape_data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // `%` first, so an escape sequence already in the text is not decoded by GitHub.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_command_per_finding_with_mapped_levels() {
        let out = Sample::new().output(Format::Github, false);
        let kinds: Vec<&str> = out.lines().filter_map(|l| l.split(' ').next()).collect();
        assert_eq!(kinds, ["::warning", "::error", "::error", "::notice"]);
        assert!(out.contains(
            "file=migrations/002 billing%2Cv2.sql,line=2,col=13,endLine=2,endColumn=25,"
        ));
        assert!(out.contains(
            "::relation \"users\" does not exist: dropped at line 1, 100%25 gone%0Asecond line\n"
        ));
    }
}
