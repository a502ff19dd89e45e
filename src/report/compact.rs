//! Report stage, compact writer: `file:line:col: severity[rule] message`, one finding per line
//! (the `file:line:col` shape editors and terminals link).

use std::io::Write;

use super::ReportInput;

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> std::io::Result<()> {
    for f in input.findings {
        let p = input.position(f.span);
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            p.file,
            p.line,
            p.column,
            f.severity.as_str(),
            f.rule,
            one_line(&f.message)
        )?;
    }
    Ok(())
}

/// Keep one finding on one line: line breaks become spaces.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::{Format, sample::Sample};

    #[test]
    fn compact_snapshot() {
        insta::assert_snapshot!(Sample::new().output(Format::Compact, false));
    }

    #[test]
    fn every_line_matches_the_pattern() {
        let out = Sample::new().output(Format::Compact, false);
        let re = regex::Regex::new(r"^[^\r\n]+:\d+:\d+: (error|warning|info)\[[a-z0-9-]+\] \S.*$")
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(out.lines().count(), 4);
        for line in out.lines() {
            assert!(re.is_match(line), "{line:?}");
        }
        assert!(out.ends_with('\n'));
    }
}
