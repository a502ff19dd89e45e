//! PostgreSQL as judge of the model: every fixture project is replayed in a real server and
//! its catalog must equal the one `ogel-schema model --format json` builds offline. Also checks
//! the fixtures themselves (`-- expect-pg-error` markers) and the harness (catalog reader,
//! psql error parser, comparison).

use std::path::Path;

use serde_json::Value;

use crate::pg::{self, PgError};

/// The core judge: for every fixture project, apply the migrations `model` lists, in its
/// order, and compare PostgreSQL's catalog with the model's.
#[test]
fn model_catalog_matches_postgresql_for_every_fixture() {
    let mut failures = Vec::new();
    for fixture in pg::fixture_projects() {
        let replay = pg::replay(&fixture);
        if let Err(report) = pg::compare_catalogs(&fixture, &replay.catalog, &replay.model) {
            let errors: Vec<String> = replay
                .errors
                .iter()
                .map(|(file, line, message)| format!("  {file}:{line}: {message}"))
                .collect();
            failures.push(format!(
                "{report}\nPostgreSQL errors while applying {} file(s):\n{}\n",
                replay.files.len(),
                if errors.is_empty() {
                    "  (none)".to_owned()
                } else {
                    errors.join("\n")
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Migration order used to check the fixtures WITHOUT the tool: the roots from
/// `ogel-schema.toml` (`migrations = [...]`) or the fixture dir, every `.sql` file except
/// `.down.sql`, by leading number, then path.
fn independent_order(fixture: &str) -> Vec<String> {
    let dir = pg::crate_root().join(fixture);
    let roots: Vec<String> = std::fs::read_to_string(dir.join("ogel-schema.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("migrations").and_then(|m| m.as_array()).cloned())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_else(|| vec![".".to_owned()]);
    let mut files: Vec<(u128, String)> = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(dir.join(root)).into_iter().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.file_type().is_file()
                || !name.ends_with(".sql")
                || name.ends_with(".down.sql")
            {
                continue;
            }
            let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
            let rel = entry
                .path()
                .strip_prefix(pg::crate_root())
                .unwrap_or(entry.path());
            files.push((
                digits.parse().unwrap_or(u128::MAX),
                rel.to_string_lossy().replace('\\', "/"),
            ));
        }
    }
    files.sort();
    files.into_iter().map(|(_, f)| f).collect()
}

/// Lines holding `-- expect-pg-error` (the first line of a statement PostgreSQL must reject).
fn expect_markers(file: &str) -> Vec<usize> {
    let text = std::fs::read_to_string(pg::crate_root().join(file)).unwrap();
    text.split('\n')
        .enumerate()
        .filter(|(_, l)| l.contains("-- expect-pg-error"))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Every error PostgreSQL raises on a fixture is deliberate: errors and markers pair up in
/// order, each marker on or before its error's line (psql reports the `;` line) and after
/// the previous error.
#[test]
fn fixture_errors_are_exactly_the_marked_ones() {
    let mut problems = Vec::new();
    for fixture in pg::fixture_projects() {
        let files = independent_order(&fixture);
        assert!(!files.is_empty(), "{fixture}: no .sql files");
        let (_db, errors) = pg::apply_files(&fixture, &files);
        for file in &files {
            let markers = expect_markers(file);
            let lines: Vec<usize> = errors
                .iter()
                .filter(|(f, _, _)| f == file)
                .map(|(_, l, _)| *l)
                .collect();
            let paired = markers.len() == lines.len()
                && markers
                    .iter()
                    .zip(&lines)
                    .enumerate()
                    .all(|(i, (m, l))| m <= l && (i == 0 || lines[i - 1] < *m));
            if !paired {
                let listed: Vec<String> = errors
                    .iter()
                    .filter(|(f, _, _)| f == file)
                    .map(|(_, l, m)| format!("    line {l}: {m}"))
                    .collect();
                problems.push(format!(
                    "{file}: markers on lines {markers:?}, errors:\n{}",
                    listed.join("\n")
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "fixture errors and markers disagree:\n{}",
        problems.join("\n")
    );
}

fn table<'a>(catalog: &'a Value, schema: &str, name: &str) -> &'a Value {
    catalog["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["schema"] == schema && t["name"] == name)
        .unwrap_or_else(|| panic!("no table {schema}.{name} in {catalog:#}"))
}

fn column_names(t: &Value) -> Vec<&str> {
    t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// The catalog reader itself, on the OgelBase fixture replayed without the tool.
#[test]
fn catalog_reader_reads_ogelbase() {
    let fixture = "fixtures/ogelbase";
    let (db, errors) = pg::apply_files("reader_ogelbase", &independent_order(fixture));
    let messages: Vec<&str> = errors.iter().map(|(_, _, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        vec!["relation \"platform.organization_members\" does not exist"; 2]
    );
    let seed_lines: Vec<usize> = errors.iter().map(|(_, l, _)| *l).collect();
    assert_eq!(
        seed_lines,
        vec![42, 46],
        "psql reports the line of the statement's `;`"
    );

    let catalog = db.catalog();
    assert_eq!(
        catalog["schemas"],
        serde_json::json!(["platform", "public"])
    );
    let tables = catalog["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 16, "13 tables from 001+002, 3 from 003");
    assert!(
        tables
            .iter()
            .all(|t| t["schema"] == "platform" && t["kind"] == "table")
    );

    let projects = table(&catalog, "platform", "projects");
    assert_eq!(
        projects["primary_key"],
        serde_json::json!({"name": "projects_pkey", "columns": ["id"]})
    );
    assert_eq!(
        projects["unique"],
        serde_json::json!([{"name": "projects_ref_key", "columns": ["ref"]}])
    );
    assert_eq!(
        projects["foreign_keys"],
        serde_json::json!([{
            "name": "projects_organization_id_fkey",
            "columns": ["organization_id"],
            "references": {"schema": "platform", "table": "organizations", "columns": ["id"]},
            "on_delete": "CASCADE",
            "on_update": "NO ACTION",
        }])
    );
    let index_names: Vec<&str> = projects["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        index_names,
        ["idx_projects_organization_id", "idx_projects_status"],
        "pkey/unique-backing indexes are left out"
    );
    let id = &projects["columns"][0];
    assert_eq!(
        (
            id["type"].as_str(),
            id["nullable"].as_bool(),
            id["default"].as_str()
        ),
        (Some("uuid"), Some(false), Some("gen_random_uuid()"))
    );
    let r#ref = &projects["columns"][3];
    assert_eq!(
        (r#ref["name"].as_str(), r#ref["type"].as_str()),
        (Some("ref"), Some("character varying(20)"))
    );

    let subscriptions = table(&catalog, "platform", "subscriptions");
    assert!(column_names(subscriptions).contains(&"plan_id"));
    let fk_columns: Vec<&Value> = subscriptions["foreign_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["columns"])
        .collect();
    assert_eq!(
        fk_columns,
        [&serde_json::json!(["organization_id"])],
        "plan_id has no FK"
    );

    let alerts = table(&catalog, "platform", "usage_alerts");
    let channels = alerts["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "channels")
        .unwrap();
    assert_eq!(channels["type"], "text[]");
    let addons = table(&catalog, "platform", "addons");
    assert_eq!(
        addons["indexes"],
        serde_json::json!([{"name": "idx_addons_project_type", "columns": ["project_id", "addon_type"], "unique": true}])
    );
    let metrics = table(&catalog, "platform", "database_metrics");
    assert_eq!(
        column_names(metrics),
        ["id", "database_id", "metric_type", "value", "timestamp"]
    );
    assert_eq!(metrics["columns"][0]["type"], "bigint");
    assert!(
        metrics["columns"][0]["default"]
            .as_str()
            .unwrap()
            .starts_with("nextval(")
    );
}

/// Kinds, partitions, inheritance, identity, enums in other schemas, expression indexes.
#[test]
fn catalog_reader_reads_edge_cases() {
    let (db, _) = pg::apply_files(
        "reader_edges",
        &[
            "fixtures/model/partitions/001_partitions.sql".to_owned(),
            "fixtures/model/partitions/002_attach.sql".to_owned(),
            "fixtures/model/inheritance/001_inherits.sql".to_owned(),
            "fixtures/model/enums/001_use_before_define.sql".to_owned(),
            "fixtures/model/enums/002_alter_type.sql".to_owned(),
            "fixtures/model/views/001_views.sql".to_owned(),
            "fixtures/model/serial_identity/001_columns.sql".to_owned(),
            "fixtures/model/case_folding/001_tables.sql".to_owned(),
        ],
    );
    let catalog = db.catalog();
    let kind = |s: &str, n: &str| table(&catalog, s, n)["kind"].as_str().unwrap().to_owned();
    assert_eq!(kind("public", "measurements"), "partitioned_table");
    assert_eq!(kind("public", "measurements_2024"), "partition");
    assert_eq!(kind("public", "measurements_2025"), "partition");
    assert_eq!(kind("public", "open_orders"), "view");
    assert_eq!(kind("public", "order_totals"), "materialized_view");
    let part = table(&catalog, "public", "measurements_2024");
    assert_eq!(
        part["primary_key"],
        Value::Null,
        "inherited PK of a partition is left out"
    );
    assert_eq!(part["indexes"], serde_json::json!([]));
    assert_eq!(part["foreign_keys"], serde_json::json!([]));
    assert_eq!(column_names(part), ["device_id", "measured_at", "value"]);

    let trucks = table(&catalog, "public", "trucks");
    assert_eq!(
        column_names(trucks),
        ["id", "owner_id", "plate", "wheels", "payload_kg"]
    );
    assert_eq!(trucks["primary_key"], Value::Null);
    assert_eq!(
        trucks["columns"][0]["nullable"], false,
        "NOT NULL of the inherited PK column"
    );

    let issues = table(&catalog, "public", "issues");
    assert_eq!(issues["columns"][1]["type"], "ticket_priority");
    assert_eq!(issues["columns"][2]["type"], "billing.invoice_state[]");
    let enums = &catalog["enums"];
    assert_eq!(
        *enums,
        serde_json::json!([
            {"schema": "billing", "name": "invoice_state", "values": ["draft", "open", "void", "settled"]},
            {"schema": "public", "name": "ticket_priority", "values": ["low", "medium", "high", "urgent"]},
        ])
    );
    let counters = table(&catalog, "public", "counters");
    let defaults: Vec<Option<&str>> = counters["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["default"].as_str())
        .collect();
    assert_eq!(defaults[3], Some("GENERATED ALWAYS AS IDENTITY"));
    assert_eq!(defaults[4], Some("GENERATED BY DEFAULT AS IDENTITY"));
    assert_eq!(defaults[6], Some("GENERATED ALWAYS AS ((f * 2)) STORED"));
    assert_eq!(counters["columns"][2]["type"], "smallint");
    let owned: Vec<(&str, &str, &str)> = catalog["sequences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| matches!(s["owned_by"]["table"].as_str(), Some("counters" | "legacy")))
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["owned_by"]["table"].as_str().unwrap_or("-"),
                s["owned_by"]["column"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        owned,
        [
            ("counters_a_seq", "counters", "a"),
            ("counters_b_seq", "counters", "b"),
            ("counters_c_seq", "counters", "c"),
            ("counters_d_seq", "counters", "d"),
            ("counters_e_seq", "counters", "e"),
            ("legacy_id_seq", "legacy", "id"),
        ],
        "serial and identity sequences, owned by their column"
    );

    let quoted = table(&catalog, "public", "Users");
    assert_eq!(column_names(quoted), ["Id", "FullName", "nickname"]);
    let posts = table(&catalog, "public", "posts");
    assert_eq!(
        posts["indexes"],
        serde_json::json!([
            {"name": "Posts_Editor_Idx", "columns": ["Editor"], "unique": false},
            {"name": "posts_author_idx", "columns": ["author_id"], "unique": false},
        ]),
        "index columns are raw names, never quoted"
    );
}

#[test]
fn expression_and_include_index_columns() {
    let db = pg::server().create_db("reader_indexes");
    let errors =
        db.apply_file(&pg::crate_root().join("fixtures/model/unique_indexes/001_indexes.sql"));
    assert_eq!(errors, Vec::<PgError>::new());
    let catalog = db.catalog();
    let accounts = table(&catalog, "public", "accounts");
    assert_eq!(
        accounts["indexes"],
        serde_json::json!([
            {"name": "accounts_email_live_idx", "columns": ["email"], "unique": true},
            {"name": "accounts_lower_email_idx", "columns": ["lower(email)"], "unique": false},
            {"name": "accounts_org_idx", "columns": ["org_id"], "unique": false},
        ])
    );
    let unique: Vec<&str> = accounts["unique"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        unique,
        ["accounts_org_username_key", "accounts_username_key"]
    );
}

#[test]
fn psql_error_lines_and_details_are_parsed() {
    let db = pg::server().create_db("parser");
    let errors = db.apply_sql(
        "-- one\nCREATE TABLE a (id int);\nSELECT\n  nope\n  FROM a;\nSELECT 1; SELECT * FROM zz;\n\\frobnicate\n",
    );
    let got: Vec<(usize, &str)> = errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (5, "column \"nope\" does not exist"),
            (6, "relation \"zz\" does not exist"),
            (7, "invalid command \\frobnicate"),
        ]
    );
    assert!(
        errors[0].detail.starts_with("LINE 2:   nope"),
        "{:?}",
        errors[0].detail
    );
    let rows = db.query_rows("SELECT 1 AS one, 'x' AS two");
    assert_eq!(rows, [serde_json::json!({"one": 1, "two": "x"})]);
}

#[test]
fn comparison_names_fixture_table_and_field() {
    let catalog = serde_json::json!({
        "schemas": ["public"],
        "tables": [{"schema": "public", "name": "t", "kind": "table",
            "columns": [{"name": "id", "type": "integer", "nullable": false, "default": "nextval('t_id_seq'::regclass)"}],
            "primary_key": {"name": "t_pkey", "columns": ["id"]}, "unique": [], "foreign_keys": [],
            "indexes": [{"name": "b", "columns": ["id"], "unique": false}, {"name": "a", "columns": ["id"], "unique": false}]},
            {"schema": "public", "name": "v", "kind": "view", "columns": [{"name": "x", "type": "integer", "nullable": true, "default": null}]}],
        "enums": [],
    });
    // Same up to set order, default spelling, view columns and origin: equal.
    let mut same = catalog.clone();
    same["tables"][0]["indexes"]
        .as_array_mut()
        .unwrap()
        .reverse();
    same["tables"][0]["columns"][0]["default"] = serde_json::json!("nextval('t_id_seq')");
    same["tables"][0]["origin"] = serde_json::json!({"file": "x.sql", "line": 1});
    same["tables"][1]["columns"] = serde_json::json!([]);
    assert_eq!(pg::compare_catalogs("fx", &catalog, &same), Ok(()));

    let mut other = catalog.clone();
    other["tables"][0]["columns"][0]["type"] = serde_json::json!("bigint");
    other["tables"][1]["kind"] = serde_json::json!("materialized_view");
    let report = pg::compare_catalogs("fixtures/model/x", &catalog, &other).unwrap_err();
    assert!(report.contains("fixture fixtures/model/x"), "{report}");
    assert!(
        report.contains("table public.t: field `columns` differs"),
        "{report}"
    );
    assert!(
        report.contains("-    \"type\": \"integer\"")
            && report.contains("+    \"type\": \"bigint\""),
        "{report}"
    );
    assert!(
        report.contains("table public.v: field `kind` differs"),
        "{report}"
    );
    let mut missing = catalog.clone();
    missing["tables"].as_array_mut().unwrap().remove(1);
    let report = pg::compare_catalogs("fx", &catalog, &missing).unwrap_err();
    assert!(
        report.contains("table public.v: in PostgreSQL, missing from the model"),
        "{report}"
    );
}

#[test]
fn every_fixture_file_says_what_it_exercises() {
    let mut missing = Vec::new();
    for fixture in pg::fixture_projects() {
        for entry in walkdir::WalkDir::new(pg::crate_root().join(&fixture))
            .into_iter()
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "sql") {
                let text = std::fs::read_to_string(path).unwrap();
                if !text.starts_with("-- ") {
                    missing.push(
                        path.strip_prefix(pg::crate_root())
                            .unwrap_or(Path::new("?"))
                            .display()
                            .to_string(),
                    );
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fixture files without a leading comment: {missing:?}"
    );
}
