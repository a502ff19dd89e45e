//! Application scan → model: resolve the relations and qualified columns of each extracted
//! query against the FINAL catalog of the migration model (the state the application runs
//! against). Read by the `app-*` rules and the endpoint status table.

use crate::model::catalog::{Catalog, QualifiedName};
use crate::model::ir::{Change, QueryRefs, RelRef};
use crate::model::lower::lower_sql;
use crate::span::FileId;

use super::{AppScan, EmbeddedQuery};

/// Prefix of the identifiers the extractor substitutes for interpolated table names.
const DYNAMIC_PREFIX: &str = "__dyn";

/// What resolution found for one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Index into [`AppScan::queries`].
    pub query: usize,
    /// sqlparser could not parse the (substituted) text.
    pub unparsed: bool,
    /// A table name comes from an interpolation: it cannot be checked.
    pub dynamic: bool,
    pub missing_relations: Vec<MissingRef>,
    pub missing_columns: Vec<MissingCol>,
}

/// A relation the catalog does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRef {
    /// The name PostgreSQL would look for (first search-path schema when unqualified).
    pub name: QualifiedName,
    /// As written in the query.
    pub written: String,
    /// Byte offset in the application file.
    pub at: usize,
}

/// A qualified column the resolved relation does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCol {
    pub table: QualifiedName,
    /// `alias.column` as written.
    pub written: String,
    pub column: String,
    pub at: usize,
}

/// Resolution results, one per query, in query order.
#[derive(Debug, Default)]
pub struct AppReport {
    pub resolved: Vec<Resolved>,
    /// The scan's queries and endpoints (file indices are [`AppScan::files`] indices).
    pub queries: Vec<EmbeddedQuery>,
    pub endpoints: Vec<super::Endpoint>,
    /// `AppScan::files` index -> `Project::files` id (set by [`super::attach`]).
    pub file_ids: Vec<FileId>,
}

impl AppReport {
    /// The query has a missing relation or column.
    #[must_use]
    pub fn broken(&self, query: usize) -> bool {
        self.resolved
            .get(query)
            .is_some_and(|r| !r.missing_relations.is_empty() || !r.missing_columns.is_empty())
    }
}

/// Resolve every query of `scan` against `catalog`. `search_path` is the schema search path
/// (`$user` already expanded or left out); `assumed` are relations assumed to exist
/// (`schema.name` or `schema.*`).
#[must_use]
pub fn resolve(
    scan: &AppScan,
    catalog: &Catalog,
    search_path: &[String],
    assumed: &[String],
) -> AppReport {
    let resolved = scan
        .queries
        .iter()
        .enumerate()
        .map(|(i, q)| resolve_query(i, q, catalog, search_path, assumed))
        .collect();
    AppReport {
        resolved,
        queries: scan.queries.clone(),
        endpoints: scan.endpoints.clone(),
        file_ids: Vec::new(),
    }
}

fn resolve_query(
    index: usize,
    q: &EmbeddedQuery,
    catalog: &Catalog,
    search_path: &[String],
    assumed: &[String],
) -> Resolved {
    let mut out = Resolved {
        query: index,
        dynamic: q.dynamic_relations,
        ..Resolved::default()
    };
    let changes = lower_sql(&q.sql, FileId::default());
    if changes.is_empty() {
        out.unparsed = true;
        return out;
    }
    let r = Resolver {
        q,
        catalog,
        search_path,
        assumed,
    };
    for change in &changes {
        match change {
            Change::Query(refs) => r.refs(refs, None, &mut out),
            Change::Insert { table, query, .. } => {
                let target = RelRef {
                    name: table.clone(),
                    alias: table.name.clone(),
                };
                r.refs(query, Some(&target), &mut out);
            }
            Change::Update { table, query, .. } | Change::Delete { table, query } => {
                r.refs(query, Some(table), &mut out);
            }
            _ => {}
        }
    }
    out
}

struct Resolver<'a> {
    q: &'a EmbeddedQuery,
    catalog: &'a Catalog,
    search_path: &'a [String],
    assumed: &'a [String],
}

enum Lookup<'a> {
    Found(&'a crate::model::catalog::Table),
    Assumed,
    Dynamic,
    Missing(QualifiedName),
}

impl Resolver<'_> {
    fn refs(&self, refs: &QueryRefs, target: Option<&RelRef>, out: &mut Resolved) {
        let mut tables: Vec<(&str, Option<&crate::model::catalog::Table>)> = Vec::new();
        for rel in target.into_iter().chain(&refs.relations) {
            match self.lookup(rel) {
                Lookup::Found(t) => tables.push((&rel.alias, Some(t))),
                Lookup::Assumed => tables.push((&rel.alias, None)),
                Lookup::Dynamic => {
                    out.dynamic = true;
                    tables.push((&rel.alias, None));
                }
                Lookup::Missing(name) => {
                    let m = MissingRef {
                        name,
                        written: written(rel),
                        at: self.q.file_offset(rel.name.span.start),
                    };
                    if !out.missing_relations.contains(&m) {
                        out.missing_relations.push(m);
                    }
                    tables.push((&rel.alias, None));
                }
            }
        }
        for c in &refs.columns {
            let mut matching = tables.iter().filter(|(a, _)| *a == c.qualifier);
            let (Some((_, Some(t))), None) = (matching.next(), matching.next()) else {
                continue;
            };
            // Views and relations without known columns cannot be checked.
            if t.kind.is_view() || t.columns.is_empty() || t.column(&c.column.name).is_some() {
                continue;
            }
            if is_system_column(&c.column.name) {
                continue;
            }
            out.missing_columns.push(MissingCol {
                table: t.name.clone(),
                written: format!("{}.{}", c.qualifier, c.column.name),
                column: c.column.name.clone(),
                at: self.q.file_offset(c.column.span.start),
            });
        }
    }

    fn lookup(&self, rel: &RelRef) -> Lookup<'_> {
        let name = &rel.name;
        if name.name.starts_with(DYNAMIC_PREFIX)
            || name
                .schema
                .as_deref()
                .is_some_and(|s| s.starts_with(DYNAMIC_PREFIX))
        {
            return Lookup::Dynamic;
        }
        let candidates: Vec<QualifiedName> = match &name.schema {
            Some(s) => vec![QualifiedName::new(s.clone(), name.name.clone())],
            None => self
                .search_path
                .iter()
                .chain(std::iter::once(&"pg_catalog".to_owned()))
                .map(|s| QualifiedName::new(s.clone(), name.name.clone()))
                .collect(),
        };
        for c in &candidates {
            if let Some(t) = self.catalog.tables.get(c) {
                return Lookup::Found(t);
            }
            if self.is_assumed(c) {
                return Lookup::Assumed;
            }
        }
        // System catalogs are not in the model.
        let unqualified_catalog = name.schema.is_none() && name.name.starts_with("pg_");
        if unqualified_catalog
            || name
                .schema
                .as_deref()
                .is_some_and(|s| s == "pg_catalog" || s == "information_schema")
        {
            return Lookup::Assumed;
        }
        let first = candidates
            .into_iter()
            .next()
            .unwrap_or_else(|| QualifiedName::new("public", name.name.clone()));
        Lookup::Missing(first)
    }

    fn is_assumed(&self, name: &QualifiedName) -> bool {
        self.assumed.iter().any(|a| {
            let (s, n) = a.split_once('.').unwrap_or(("public", a.as_str()));
            s == name.schema && (n == "*" || n == name.name)
        })
    }
}

fn written(rel: &RelRef) -> String {
    match &rel.name.schema {
        Some(s) => format!("{s}.{}", rel.name.name),
        None => rel.name.name.clone(),
    }
}

/// PostgreSQL's hidden columns, present on every table.
fn is_system_column(name: &str) -> bool {
    matches!(
        name,
        "ctid" | "xmin" | "xmax" | "cmin" | "cmax" | "tableoid" | "oid"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Language;
    use std::path::Path;

    fn catalog(sql: &str) -> crate::model::Model {
        let dir = std::env::temp_dir().join(format!("ogel-resolve-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let f = dir.join(format!("001_{}.sql", sql.len()));
        let _ = std::fs::write(&f, sql);
        let settings = crate::Settings {
            inputs: vec![f.clone()],
            ..crate::Settings::default()
        };
        let a = crate::analyze(&settings).unwrap();
        let _ = std::fs::remove_file(&f);
        a.model
    }

    fn scan(src: &str) -> (AppScan, String) {
        let (queries, endpoints) =
            crate::app::scan_text(Path::new("pages/api/x.ts"), Language::TypeScript, src);
        let s = AppScan {
            queries,
            endpoints,
            ..AppScan::default()
        };
        (s, src.to_owned())
    }

    #[test]
    fn finds_missing_relation_and_column() {
        let m = catalog("create table users (id int primary key, name text);");
        let (s, text) = scan(
            "export default async function h(req, res) {\n  const r = await db.query(`SELECT u.id, u.email FROM users u JOIN orgs o ON o.id = u.id`);\n  res.json(r)\n}\n",
        );
        assert_eq!(s.queries.len(), 1, "{s:?}");
        let rep = resolve(&s, &m.catalog, &["public".to_owned()], &[]);
        let r = &rep.resolved[0];
        assert_eq!(
            r.missing_relations.len(),
            1,
            "{r:?} {:?} {:?}",
            s.queries,
            m.catalog.tables.keys().collect::<Vec<_>>()
        );
        assert_eq!(r.missing_relations[0].written, "orgs");
        assert_eq!(
            r.missing_columns.len(),
            1,
            "{r:?} {:?} {:?}",
            s.queries,
            m.catalog.tables.keys().collect::<Vec<_>>()
        );
        assert_eq!(r.missing_columns[0].written, "u.email");
        assert!(text[r.missing_columns[0].at..].starts_with("email"));
        assert!(text[r.missing_relations[0].at..].starts_with("orgs"));
    }

    #[test]
    fn resolved_queries_are_clean() {
        let m = catalog("create schema app; create table app.items (id int, label text);");
        let (s, _) = scan(
            "export default async function h(req, res) {\n  await db.query(`UPDATE app.items i SET label = $1 WHERE i.id = $2`, [a, b]);\n}\n",
        );
        let rep = resolve(&s, &m.catalog, &["public".to_owned()], &[]);
        assert_eq!(rep.resolved.len(), 1);
        assert!(!rep.broken(0), "{:?}", rep.resolved);
    }
}
