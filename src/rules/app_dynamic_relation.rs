//! app-dynamic-relation — see rules/app-dynamic-relation.md

use crate::diag::{Finding, Severity};
use crate::span::Span;

use super::common::{app_queries, finding};
use super::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    name: "app-dynamic-relation",
    category: Category::App,
    default_severity: Severity::Info,
    summary: "An application query takes its table name from a variable: it cannot be checked",
    doc: include_str!("../../rules/app-dynamic-relation.md"),
};

pub struct AppDynamicRelation;

impl Rule for AppDynamicRelation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, r, file) in app_queries(ctx) {
            let text = ctx
                .analysis
                .project
                .files
                .get(file)
                .map_or("", |f| f.text.as_str());
            for &at in &r.dynamic {
                let written = interpolation_at(text, at);
                out.push(finding(
                    ctx,
                    &META,
                    Span::new(file, at, at + written.len()),
                    written,
                    format!(
                        "the table name comes from `{written}`: this query cannot be checked against the migrations"
                    ),
                    Some(
                        "nothing to fix if the name is chosen from known tables; write the query once per table to have it checked"
                            .to_owned(),
                    ),
                    Vec::new(),
                ));
            }
        }
    }
}

/// The interpolation (`${table}`, `{t}`, `#{t}`, `%s`) or the name starting at `at` in `text`.
fn interpolation_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or_default();
    let end = if rest.starts_with(['$', '{', '#']) && rest.get(1..).is_some_and(|r| r.contains('}'))
    {
        rest.find('}').map_or(0, |i| i + 1)
    } else {
        rest.find(|c: char| c.is_whitespace() || "`'\";,()+".contains(c))
            .unwrap_or(rest.len())
    };
    let end = if end == 0 || end > 80 {
        rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i)
    } else {
        end
    };
    rest.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::interpolation_at;

    #[test]
    fn the_interpolation_is_taken_whole() {
        assert_eq!(interpolation_at("FROM ${table} WHERE", 5), "${table}");
        assert_eq!(interpolation_at("FROM {t}", 5), "{t}");
        assert_eq!(interpolation_at("FROM %s WHERE", 5), "%s");
        assert_eq!(interpolation_at("\" + table + \"", 4), "table");
        assert_eq!(interpolation_at("x", 5), "");
    }
}
