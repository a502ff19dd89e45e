//! Application scan → model: resolve the relations and columns (qualified, plain, INSERT and
//! UPDATE targets) of each extracted query against the FINAL catalog of the migration model
//! (the state the application runs against). Read by the `app-*` rules, the endpoint status
//! table, `check --format json` and the diagram view.

use crate::model::catalog::{Catalog, QualifiedName, Table};
use crate::model::ir::{Change, ColName, ConflictTarget, QueryRefs, RelRef};
use crate::model::lower::lower_sql;
use crate::model::replay::{SYSTEM_COLUMNS, not_column};
use crate::span::FileId;

use super::sql::DUMMY_IDENT;
use super::{AppScan, EmbeddedQuery};

/// What resolution found for one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Index into [`AppScan::queries`].
    pub query: usize,
    /// sqlparser could not parse the (substituted) text.
    pub unparsed: bool,
    /// File offsets of relation names that come from an interpolation (`FROM ${table}`): the
    /// query cannot be checked there. The literal's start when the text did not parse.
    pub dynamic: Vec<usize>,
    pub missing_relations: Vec<MissingRef>,
    pub missing_columns: Vec<MissingCol>,
}

/// A relation the catalog does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRef {
    /// The name to report: as written when qualified; when unqualified, in the first schema
    /// of the search path that exists (where an unqualified CREATE would put it).
    pub name: QualifiedName,
    /// As written in the query.
    pub written: String,
    /// Byte offset in the application file.
    pub at: usize,
}

/// A column none of the relations it can belong to has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCol {
    /// The relations searched: the qualifier's, or every relation in scope of a plain column.
    pub tables: Vec<QualifiedName>,
    /// `alias.column` or `column`, as written.
    pub written: String,
    pub column: String,
    pub at: usize,
}

impl MissingCol {
    /// `platform.a` or `platform.a or platform.b`.
    #[must_use]
    pub fn table_list(&self) -> String {
        let names: Vec<String> = self.tables.iter().map(ToString::to_string).collect();
        names.join(" or ")
    }
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
    /// Files the scan skipped or read lossily.
    pub diagnostics: Vec<super::AppDiagnostic>,
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
        diagnostics: scan.diagnostics.clone(),
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
        ..Resolved::default()
    };
    let changes = lower_sql(&q.sql, FileId::default());
    if changes.is_empty() {
        out.unparsed = true;
        if q.dynamic_relations {
            out.dynamic.push(q.span.start);
        }
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
            Change::Insert {
                table,
                columns,
                on_conflict,
                query,
                ..
            } => {
                let target = RelRef {
                    name: table.clone(),
                    alias: table.name.clone(),
                };
                let _ = r.relation(&target, &mut out);
                r.refs(query, None, &mut out);
                let mut targets: Vec<&ColName> = columns.iter().collect();
                if let Some(ConflictTarget::Columns(cols)) = on_conflict {
                    targets.extend(cols);
                }
                r.target_columns(&target, &targets, &mut out);
            }
            Change::Update {
                table, set, query, ..
            } => {
                r.refs(query, Some(table), &mut out);
                r.target_columns(table, &set.iter().collect::<Vec<_>>(), &mut out);
            }
            Change::Delete { table, query } => r.refs(query, Some(table), &mut out),
            _ => {}
        }
    }
    out.dynamic.sort_unstable();
    out.dynamic.dedup();
    out
}

struct Resolver<'a> {
    q: &'a EmbeddedQuery,
    catalog: &'a Catalog,
    search_path: &'a [String],
    assumed: &'a [String],
}

enum Lookup<'a> {
    Found(&'a Table),
    Assumed,
    Dynamic,
    Missing(QualifiedName),
}

/// A table whose columns can be checked: not a view, columns known.
fn checkable(t: &Table) -> bool {
    !t.kind.is_view() && !t.columns.is_empty()
}

/// A name that is no column of any table: a hidden system column, a keyword sqlparser reads as
/// an identifier, or one built from an interpolation.
fn never_missing(name: &str) -> bool {
    SYSTEM_COLUMNS.contains(&name) || not_column(name) || name.contains(DUMMY_IDENT)
}

impl Resolver<'_> {
    fn refs(&self, refs: &QueryRefs, target: Option<&RelRef>, out: &mut Resolved) {
        let mut tables: Vec<(&str, Option<&Table>)> = Vec::new();
        for rel in target.into_iter().chain(&refs.relations) {
            let table = self.relation(rel, out);
            tables.push((&rel.alias, table));
        }
        for c in &refs.columns {
            let mut matching = tables.iter().filter(|(a, _)| *a == c.qualifier);
            let (Some((_, Some(t))), None) = (matching.next(), matching.next()) else {
                continue;
            };
            if checkable(t) && t.column(&c.column.name).is_none() {
                self.missing_column(vec![t], &format!("{}.", c.qualifier), &c.column, out);
            }
        }
        // A plain column must belong to one of the relations in scope; the lowering only
        // lists them for a flat query (no subquery, CTE or function source) and without the
        // output aliases. Any relation that cannot be checked could hold it.
        let scope: Option<Vec<&Table>> = tables
            .iter()
            .map(|(_, t)| t.filter(|t| checkable(t)))
            .collect();
        let Some(scope) = scope.filter(|s| !s.is_empty()) else {
            return;
        };
        for c in &refs.plain_columns {
            // `row_to_json(u)`: a relation's name or alias is its whole row.
            let whole_row = tables.iter().any(|(alias, _)| *alias == c.name);
            if !whole_row && scope.iter().all(|t| t.column(&c.name).is_none()) {
                self.missing_column(scope.clone(), "", c, out);
            }
        }
    }

    /// INSERT column list / ON CONFLICT columns / UPDATE SET targets: columns of `target`.
    fn target_columns(&self, target: &RelRef, cols: &[&ColName], out: &mut Resolved) {
        let Lookup::Found(t) = self.lookup(target) else {
            return;
        };
        if !checkable(t) {
            return;
        }
        for c in cols {
            if t.column(&c.name).is_none() {
                self.missing_column(vec![t], "", c, out);
            }
        }
    }

    fn missing_column(
        &self,
        tables: Vec<&Table>,
        qualifier: &str,
        c: &ColName,
        out: &mut Resolved,
    ) {
        if never_missing(&c.name) {
            return;
        }
        let m = MissingCol {
            tables: tables.iter().map(|t| t.name.clone()).collect(),
            written: format!("{qualifier}{}", c.name),
            column: c.name.to_string(),
            at: self.q.file_offset(c.span.start()),
        };
        if !out.missing_columns.contains(&m) {
            out.missing_columns.push(m);
        }
    }

    /// Look `rel` up, recording a missing or dynamic relation; the table when it is known.
    fn relation(&self, rel: &RelRef, out: &mut Resolved) -> Option<&Table> {
        match self.lookup(rel) {
            Lookup::Found(t) => Some(t),
            Lookup::Assumed => None,
            Lookup::Dynamic => {
                let span = &rel.name.span;
                let inner = self
                    .q
                    .sql
                    .get(span.range())
                    .and_then(|t| t.find(DUMMY_IDENT))
                    .unwrap_or(0);
                out.dynamic.push(self.q.file_offset(span.start() + inner));
                None
            }
            Lookup::Missing(name) => {
                let m = MissingRef {
                    name,
                    written: written(rel),
                    at: self.q.file_offset(rel.name.span.start()),
                };
                if !out.missing_relations.contains(&m) {
                    out.missing_relations.push(m);
                }
                None
            }
        }
    }

    fn lookup(&self, rel: &RelRef) -> Lookup<'_> {
        let name = &rel.name;
        if name.name.contains(DUMMY_IDENT)
            || name
                .schema
                .as_deref()
                .is_some_and(|s| s.contains(DUMMY_IDENT))
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
        // Named where an unqualified CREATE would put it, as the replay names a missing
        // relation: the first schema of the search path that exists (a `"$user"` schema
        // nobody created is skipped by PostgreSQL too).
        let shown = if name.schema.is_some() {
            candidates.into_iter().next()
        } else {
            candidates
                .into_iter()
                .find(|c| self.catalog.schemas.contains_key(&c.schema))
        };
        Lookup::Missing(shown.unwrap_or_else(|| QualifiedName::new("public", name.name.clone())))
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
        None => rel.name.name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Language;
    use std::path::Path;

    fn catalog(sql: &str) -> crate::model::Model {
        // One directory per call: tests run in parallel.
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("001_schema.sql");
        std::fs::write(&f, sql).unwrap();
        let settings = crate::Settings {
            inputs: vec![f],
            ..crate::Settings::default()
        };
        crate::analyze(&settings).unwrap().model
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

    /// An unqualified missing relation is named in the first search-path schema that exists,
    /// as the replay names one: `"$user"` (here `postgres`, never created) is skipped, as
    /// PostgreSQL skips it, so the report and its `[assume]` hint say `public.orgs`.
    #[test]
    fn missing_relation_is_named_in_the_first_existing_schema() {
        let m = catalog("create table users (id int primary key);");
        let (s, _) = scan(
            "export default async function h(req, res) {\n  await db.query(`SELECT * FROM orgs JOIN nope.t ON true`);\n}\n",
        );
        let path = ["postgres".to_owned(), "public".to_owned()];
        let rep = resolve(&s, &m.catalog, &path, &[]);
        let names: Vec<String> = rep.resolved[0]
            .missing_relations
            .iter()
            .map(|r| format!("{}.{}", r.name.schema, r.name.name))
            .collect();
        assert_eq!(names, ["public.orgs", "nope.t"]);
    }

    /// `(written, tables)` of the missing columns of the one query in a handler running `sql`.
    fn missing_columns(m: &crate::model::Model, sql: &str) -> Vec<(String, String)> {
        let (s, _) = scan(&format!(
            "export default async function h(req, res) {{\n  await db.query(`{sql}`, [a]);\n}}\n"
        ));
        assert_eq!(s.queries.len(), 1, "not extracted: {sql}");
        let rep = resolve(&s, &m.catalog, &["public".to_owned()], &[]);
        rep.resolved[0]
            .missing_columns
            .iter()
            .map(|c| (c.written.clone(), c.table_list()))
            .collect()
    }

    #[test]
    fn plain_columns_are_checked_against_every_relation_in_scope() {
        let m = catalog(
            "create table users (id int primary key, name text);\
             create table orgs (id int primary key, slug text);\
             create view user_names as select name from users;",
        );
        let flagged = |sql: &str| missing_columns(&m, sql);
        let one = |w: &str, t: &str| vec![(w.to_owned(), t.to_owned())];
        assert_eq!(
            flagged("SELECT id, email FROM users WHERE name = $1"),
            one("email", "public.users")
        );
        assert_eq!(
            flagged("SELECT name, slug, nope FROM users u JOIN orgs o ON o.id = u.id"),
            one("nope", "public.users or public.orgs")
        );
        assert_eq!(
            flagged("INSERT INTO users (id, email) VALUES ($1, $2)"),
            one("email", "public.users")
        );
        assert_eq!(
            flagged("UPDATE users SET email = $1 WHERE id = $2"),
            one("email", "public.users")
        );
        assert_eq!(
            flagged("UPDATE users u SET name = slug FROM orgs o WHERE o.id = u.id AND zip = 1"),
            one("zip", "public.users or public.orgs")
        );
        // No false positives: output aliases, whole-row references, keywords, system columns,
        // subqueries, CTEs, function sources, views, unknown relations, interpolated names.
        for clean in [
            "SELECT count(*) AS n FROM users GROUP BY name ORDER BY n",
            "SELECT row_to_json(u) FROM users u",
            "SELECT current_date, ctid FROM users",
            "SELECT id FROM users WHERE id IN (SELECT id FROM orgs WHERE zip = 1)",
            "WITH x AS (SELECT id AS zip FROM users) SELECT zip FROM x",
            "SELECT g, name FROM users, generate_series(1, 3) g",
            "SELECT anything FROM user_names",
            "SELECT anything FROM users JOIN elsewhere e ON e.id = users.id",
            "SELECT ${col}_at FROM users",
            "SELECT name FROM users WHERE id = ${id}",
        ] {
            assert_eq!(flagged(clean), Vec::<(String, String)>::new(), "{clean}");
        }
    }

    #[test]
    fn dynamic_relations_are_located_and_value_placeholders_are_not() {
        let m = catalog("create table users (id int primary key, name text);");
        for (src, dynamic) in [
            (
                "`SELECT * FROM ${table} WHERE id = ${id}`",
                Some("${table}"),
            ),
            ("`SELECT * FROM public.${t}`", Some("${t}")),
            (
                "\"SELECT * FROM \" + table + \" WHERE id = $1\"",
                Some("table"),
            ),
            ("`SELECT * FROM \"${t}\" WHERE id = 1`", Some("${t}")),
            (
                "`SELECT * FROM audit_${year} WHERE id = 1`",
                Some("${year}"),
            ),
            (
                "`SELECT name FROM users WHERE id = ${id} AND name = $2`",
                None,
            ),
            (
                "\"SELECT name FROM users WHERE id = ? OR name = :name\"",
                None,
            ),
        ] {
            let (s, text) = scan(&format!(
                "export default async function h(req, res) {{\n  await db.query({src});\n}}\n"
            ));
            assert_eq!(s.queries.len(), 1, "{src}");
            let rep = resolve(&s, &m.catalog, &["public".to_owned()], &[]);
            let r = &rep.resolved[0];
            assert!(r.missing_relations.is_empty(), "{src}: {r:?}");
            let at: Vec<&str> = r.dynamic.iter().map(|&a| &text[a..]).collect();
            match dynamic {
                Some(hole) => {
                    assert_eq!(at.len(), 1, "{src}: {r:?}");
                    assert!(at[0].starts_with(hole), "{src}: at {:?}", at[0]);
                }
                None => assert!(at.is_empty(), "{src}: {r:?}"),
            }
        }
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
