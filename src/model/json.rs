//! Stage 3 (model), wire format: `ogel-schema model --format json`. Versioned serde types kept
//! apart from the internal model (documented in docs/output-formats.md). Everything is sorted.

use serde::Serialize;

use super::catalog::{RelationKind, ReplicaIdentity, strings};
use super::{Model, ProblemKind, TypeKind};
use crate::source::Project;
use crate::span::Span;

pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct ModelDoc {
    pub version: u32,
    pub migrations: Vec<MigrationDoc>,
    pub schemas: Vec<String>,
    pub tables: Vec<TableDoc>,
    pub enums: Vec<EnumDoc>,
    pub sequences: Vec<SequenceDoc>,
    /// Functions the migrations create; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionDoc>,
    pub unresolved: Vec<UnresolvedDoc>,
}

#[derive(Debug, Serialize)]
pub struct FunctionDoc {
    pub schema: String,
    pub name: String,
    /// The input argument types, `format_type` spellings without modifiers (`integer, text`),
    /// what tells overloads apart; `?` for a type the model does not know.
    pub args: String,
}

#[derive(Debug, Serialize)]
pub struct TriggerDoc {
    pub name: String,
    /// The function it executes (`schema.name`), when the migrations created it.
    pub function: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MigrationDoc {
    pub file: String,
    pub version: Option<String>,
    pub name: String,
    pub kind: crate::source::FileKind,
    pub reason: String,
    pub root: usize,
}

#[derive(Debug, Serialize)]
pub struct TableDoc {
    pub schema: String,
    pub name: String,
    pub kind: &'static str,
    pub columns: Vec<ColumnDoc>,
    pub primary_key: Option<KeyDoc>,
    pub unique: Vec<KeyDoc>,
    pub foreign_keys: Vec<ForeignKeyDoc>,
    pub indexes: Vec<IndexDoc>,
    /// Set by `ALTER TABLE ... REPLICA IDENTITY`; left out while it is the default.
    #[serde(skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
    /// Made from a query whose output columns could not all be named; left out when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub columns_unknown: bool,
    /// An unparsable ALTER TABLE touched it; left out when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blind: bool,
    /// Left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<TriggerDoc>,
    /// `COMMENT ON TABLE` (or VIEW, ...) text; left out when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub origin: OriginDoc,
}

#[derive(Debug, Serialize)]
pub struct ColumnDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
    pub nullable: bool,
    pub default: Option<String>,
    /// `COMMENT ON COLUMN` text; left out when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct KeyDoc {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ForeignKeyDoc {
    pub name: String,
    pub columns: Vec<String>,
    pub references: ReferenceDoc,
    pub on_delete: String,
    pub on_update: String,
}

#[derive(Debug, Serialize)]
pub struct ReferenceDoc {
    pub schema: String,
    pub table: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct IndexDoc {
    pub name: String,
    /// Each element: a column name, or the expression as written (`lower(email)`).
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Serialize)]
pub struct OriginDoc {
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Serialize)]
pub struct EnumDoc {
    pub schema: String,
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SequenceDoc {
    pub schema: String,
    pub name: String,
    /// `OWNED BY`: the column (of a table in the same schema) the sequence is dropped with.
    pub owned_by: Option<OwnedByDoc>,
}

#[derive(Debug, Serialize)]
pub struct OwnedByDoc {
    pub table: String,
    pub column: String,
}

#[derive(Debug, Serialize)]
pub struct UnresolvedDoc {
    pub kind: &'static str,
    pub name: String,
    pub context: Option<String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

fn origin(project: &Project, span: Span) -> OriginDoc {
    match project.files.get(span.file()) {
        Some(f) => OriginDoc {
            file: f.display.clone(),
            line: f.lines.line_of(span.start()),
        },
        None => OriginDoc {
            file: String::new(),
            line: 0,
        },
    }
}

/// Build the document.
#[must_use]
pub fn document(project: &Project, model: &Model) -> ModelDoc {
    let migrations = project
        .files
        .iter()
        .map(|f| MigrationDoc {
            file: f.display.clone(),
            version: f.version.as_ref().map(|v| v.raw.clone()),
            name: f.name.clone(),
            kind: f.kind,
            reason: f.reason.clone(),
            root: f.root,
        })
        .collect();
    let cat = &model.catalog;
    let tables = cat
        .tables
        .values()
        .map(|t| {
            let mut unique: Vec<KeyDoc> = t
                .uniques
                .iter()
                .map(|k| KeyDoc {
                    name: k.name.to_string(),
                    columns: strings(&k.columns),
                })
                .collect();
            unique.sort_by(|a, b| a.name.cmp(&b.name));
            let mut foreign_keys: Vec<ForeignKeyDoc> = t
                .foreign_keys
                .iter()
                .map(|f| ForeignKeyDoc {
                    name: f.name.to_string(),
                    columns: strings(&f.columns),
                    references: ReferenceDoc {
                        schema: f.target.schema.to_string(),
                        table: f.target.name.to_string(),
                        columns: strings(&f.target_columns),
                    },
                    on_delete: f.on_delete.to_string(),
                    on_update: f.on_update.to_string(),
                })
                .collect();
            foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
            let indexes = cat
                .indexes_on(&t.name)
                .filter(|i| !i.constraint)
                .map(|i| IndexDoc {
                    name: i.name.to_string(),
                    columns: strings(&i.elements),
                    unique: i.unique,
                })
                .collect();
            TableDoc {
                schema: t.name.schema.to_string(),
                name: t.name.name.to_string(),
                // A partition that is partitioned again is a partition, as PostgreSQL says
                // (`relispartition`).
                kind: if cat.is_partition(t) {
                    RelationKind::Partition.as_str()
                } else {
                    t.kind.as_str()
                },
                columns: t
                    .columns
                    .iter()
                    .map(|c| ColumnDoc {
                        name: c.name.to_string(),
                        data_type: c.data_type.to_string(),
                        nullable: c.nullable,
                        default: c.default.as_ref().map(ToString::to_string),
                        comment: c.comment.as_ref().map(|k| k.text.clone()),
                    })
                    .collect(),
                primary_key: t.primary_key.as_ref().map(|k| KeyDoc {
                    name: k.name.to_string(),
                    columns: strings(&k.columns),
                }),
                unique,
                foreign_keys,
                indexes,
                replica_identity: t.replica_identity.clone(),
                columns_unknown: t.columns_unknown,
                blind: t.blind,
                triggers: t
                    .triggers
                    .iter()
                    .map(|tr| TriggerDoc {
                        name: tr.name.to_string(),
                        function: tr.function.as_ref().map(ToString::to_string),
                    })
                    .collect(),
                comment: t.comment.clone(),
                origin: origin(project, t.origin),
            }
        })
        .collect();
    let enums = cat
        .types
        .values()
        .filter_map(|t| match &t.kind {
            TypeKind::Enum { values } => Some(EnumDoc {
                schema: t.name.schema.to_string(),
                name: t.name.name.to_string(),
                values: values.clone(),
            }),
            _ => None,
        })
        .collect();
    let sequences = cat
        .sequences
        .iter()
        .map(|(k, s)| SequenceDoc {
            schema: k.schema.to_string(),
            name: k.name.to_string(),
            owned_by: s.owned_by.as_ref().map(|(t, c)| OwnedByDoc {
                table: t.name.to_string(),
                column: c.clone(),
            }),
        })
        .collect();
    let mut functions: Vec<FunctionDoc> = cat
        .functions
        .iter()
        .flat_map(|(qn, overloads)| {
            overloads.iter().map(move |f| FunctionDoc {
                schema: qn.schema.to_string(),
                name: qn.name.to_string(),
                args: f.display_args(),
            })
        })
        .collect();
    functions.sort_by(|a, b| (&a.schema, &a.name, &a.args).cmp(&(&b.schema, &b.name, &b.args)));
    let mut unresolved: Vec<UnresolvedDoc> = model
        .problems
        .iter()
        .filter_map(|p| {
            let (kind, name, context) = match &p.kind {
                ProblemKind::MissingRelation { name, context, .. } => (
                    "relation",
                    name.to_string(),
                    Some(context.describe().to_string()),
                ),
                ProblemKind::MissingColumn {
                    table,
                    column,
                    context,
                } => (
                    "column",
                    format!("{table}.{column}"),
                    Some(context.describe().to_string()),
                ),
                ProblemKind::MissingType { name, .. } => ("type", name.to_string(), None),
                ProblemKind::MissingSchema { name } => ("schema", name.to_string(), None),
                ProblemKind::MissingFunction { name, .. } => ("function", name.to_string(), None),
                _ => return None,
            };
            let f = project.files.get(p.span.file())?;
            let (line, column) = f.lines.line_col(&f.text, p.span.start());
            Some(UnresolvedDoc {
                kind,
                name,
                context,
                file: f.display.clone(),
                line,
                column,
            })
        })
        .collect();
    unresolved.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.name).cmp(&(&b.file, b.line, b.column, &b.name))
    });
    ModelDoc {
        version: VERSION,
        migrations,
        schemas: cat.schemas.keys().map(ToString::to_string).collect(),
        tables,
        enums,
        sequences,
        functions,
        unresolved,
    }
}
