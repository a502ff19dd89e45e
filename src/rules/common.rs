//! Stage 5 (rules), shared wording: how reference rules name objects, explain why a name was
//! missing (from the model's history) and build a [`Finding`]. Rules stay one short file each.

use crate::app::EmbeddedQuery;
use crate::app::resolve::Resolved;
use crate::cli::config::SUPABASE_RELATION_SCHEMAS;
use crate::diag::{Diagnostic, Finding, Label};
use crate::model::catalog::is_system_schema;
use crate::model::history::Why;
use crate::model::{ObjectKey, Problem, QualifiedName};
use crate::span::{FileId, Span};

use super::{Context, RuleMeta};

/// A finding with the rule's default severity and fingerprint `rule:object:file`.
pub(crate) fn finding(
    ctx: &Context<'_>,
    meta: &RuleMeta,
    span: Span,
    object: &str,
    message: String,
    help: Option<String>,
    labels: Vec<Label>,
) -> Finding {
    Finding {
        rule: meta.name,
        severity: meta.default_severity,
        span,
        message,
        help,
        labels,
        fingerprint: format!("{}:{}:{}", meta.name, object, ctx.file_name(span.file())),
    }
}

/// Every application query (`check --app`) with its resolution and the project file holding
/// it, in query order; nothing without `--app`.
pub(crate) fn app_queries<'a>(
    ctx: &'a Context<'_>,
) -> impl Iterator<Item = (&'a EmbeddedQuery, &'a Resolved, FileId)> + 'a {
    ctx.analysis.app.iter().flat_map(|app| {
        app.resolved.iter().filter_map(move |r| {
            let q = app.queries.get(r.query)?;
            let file = *app.file_ids.get(q.file)?;
            Some((q, r, file))
        })
    })
}

pub(crate) fn label(span: Span, message: impl Into<String>) -> Label {
    Label {
        span,
        message: message.into(),
    }
}

/// A name as PostgreSQL prints it in an error: as written, without the quotes.
pub(crate) fn pg_name(written: &str) -> String {
    written.replace('"', "")
}

/// The help for a relation no migration creates, in a schema no migration creates either
/// (`auth.users`): another tool or an extension probably creates it, so the help names the
/// configuration that says so (`[assume] relations`, or Supabase's profile). `None` for a
/// schema the migrations create, `public` and the system schemas.
pub(crate) fn created_elsewhere_help(ctx: &Context<'_>, name: &QualifiedName) -> Option<String> {
    let schema = name.schema.as_str();
    if schema == "public"
        || is_system_schema(schema)
        || ctx.analysis.model.ever_created(&ObjectKey::Schema {
            name: name.schema.clone(),
        })
    {
        return None;
    }
    let entry = toml_string(&format!("{}.{}", name.schema, name.name));
    let supabase = !ctx.config.options.supabase() && SUPABASE_RELATION_SCHEMAS.contains(&schema);
    Some(if supabase {
        format!(
            "no migration creates schema `{schema}`: if Supabase provides it, set `profile = \"supabase\"` under `[options]` in ogel-schema.toml; if another tool creates it, list it under `[assume]`: `relations = [{entry}]`; otherwise create it in an earlier migration, or fix the name"
        )
    } else {
        format!(
            "no migration creates schema `{schema}`: if an extension or another tool creates `{name}` before the migrations run, list it under `[assume]` in ogel-schema.toml: `relations = [{entry}]`; otherwise create it in an earlier migration, or fix the name"
        )
    })
}

/// The help for an object whose creation failed or was rolled back: mend that first.
pub(crate) fn create_failed_help(ctx: &Context<'_>, why: &Why) -> Option<String> {
    match why {
        Why::CreateFailed {
            at,
            rolled_back,
            later: false,
        } => Some(format!(
            "this error follows from {} {}: mend that first",
            if *rolled_back {
                "the rollback of the transaction that creates it at"
            } else {
                "the failure of"
            },
            ctx.place(*at)
        )),
        Why::CreateFailed {
            at,
            rolled_back,
            later: true,
        } => Some(format!(
            "{} at {}, and move it before this statement (`ogel-schema order` plans the files)",
            if *rolled_back {
                "keep the creation that is rolled back"
            } else {
                "mend the CREATE that fails"
            },
            ctx.place(*at)
        )),
        _ => None,
    }
}

/// `s` as a TOML basic string, quotes and escapes included.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// `(kind, name)` of an object, e.g. `("relation", "platform.users")`.
pub(crate) fn describe_object(object: &ObjectKey) -> (&'static str, String) {
    match object {
        ObjectKey::Schema { name } => ("schema", name.to_string()),
        ObjectKey::Relation { name } => ("relation", name.to_string()),
        ObjectKey::Column { table, column } => ("column", format!("{table}.{column}")),
        ObjectKey::Constraint { table, name } => ("constraint", format!("{name} on {table}")),
        ObjectKey::Index { name } => ("index", name.to_string()),
        ObjectKey::Type { name } => ("type", name.to_string()),
        ObjectKey::Sequence { name } => ("sequence", name.to_string()),
        ObjectKey::Policy { table, name } => ("policy", format!("{name} on {table}")),
        ObjectKey::Function { name } => ("function", name.to_string()),
        ObjectKey::Trigger { table, name } => ("trigger", format!("{name} on {table}")),
    }
}

/// Model problems with an error-level kind, in replay order.
pub(crate) fn problems<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = &'a Problem> {
    ctx.analysis.model.problems.iter()
}

/// Every raw diagnostic: discovery's, then each parsed file's.
pub(crate) fn diagnostics<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = &'a Diagnostic> {
    ctx.analysis.project.diagnostics.iter().chain(
        ctx.analysis
            .parsed
            .iter()
            .flat_map(|p| p.diagnostics.iter()),
    )
}

/// Why relation `name` is missing at statement `seq` (see [`crate::model::Model::relation_key`]).
pub(crate) fn why_relation_missing(ctx: &Context<'_>, name: &QualifiedName, seq: usize) -> Why {
    let model = &ctx.analysis.model;
    model.why_missing(&model.relation_key(name), seq)
}

/// The sentence and label explaining a missing object from its history (no label when it
/// was never created: nothing to point at). `CreatedLater` is for `use-before-create`.
pub(crate) fn why_text(ctx: &Context<'_>, why: &Why, what: &str) -> (String, Option<Label>) {
    match why {
        Why::NeverCreated => (format!("no migration creates {what}"), None),
        Why::Dropped { at } => (
            format!("{what} was dropped earlier, at {}", ctx.place(*at)),
            Some(label(*at, "dropped here")),
        ),
        Why::Renamed { to, at, moved } => {
            let verb = if *moved { "moved" } else { "renamed" };
            (
                format!("{what} was {verb} to `{to}` earlier, at {}", ctx.place(*at)),
                Some(label(*at, format!("{verb} to `{to}` here"))),
            )
        }
        Why::CreatedLater { at } => (
            format!("{what} is only created later, at {}", ctx.place(*at)),
            Some(label(*at, "created here, too late")),
        ),
        Why::CreateFailed {
            at,
            rolled_back: false,
            later: false,
        } => (
            format!(
                "{what} was not created: its CREATE at {} fails",
                ctx.place(*at)
            ),
            Some(label(*at, "this CREATE fails")),
        ),
        Why::CreateFailed {
            at,
            rolled_back: false,
            later: true,
        } => (
            format!(
                "{what} is not created yet: its CREATE, later at {}, fails",
                ctx.place(*at)
            ),
            Some(label(*at, "this later CREATE fails")),
        ),
        Why::CreateFailed {
            at,
            rolled_back: true,
            later: true,
        } => (
            format!(
                "{what} is only created later, at {}, and its transaction is rolled back",
                ctx.place(*at)
            ),
            Some(label(*at, "created here, too late, then rolled back")),
        ),
        Why::CreateFailed {
            at,
            rolled_back: true,
            later: false,
        } => (
            format!(
                "{what} is created at {}, but its transaction is rolled back",
                ctx.place(*at)
            ),
            Some(label(*at, "created here, then rolled back")),
        ),
    }
}

/// The first words of the text at `span` (whitespace collapsed, at most 60 characters): a
/// fingerprint part that survives lines moving.
pub(crate) fn statement_head(ctx: &Context<'_>, span: Span) -> String {
    let text = ctx
        .analysis
        .project
        .files
        .get(span.file())
        .and_then(|f| f.text.get(span.range()))
        .unwrap_or_default();
    let mut head = String::new();
    for word in text.split_whitespace() {
        if head.chars().count() + word.chars().count() > 60 {
            break;
        }
        if !head.is_empty() {
            head.push(' ');
        }
        head.push_str(word);
    }
    head
}
