//! `ogel-schema order` and `scaffold`, judged by PostgreSQL: the proposed order (with the
//! drafted migration inserted where the plan says, and the suggested renames run) replays with
//! zero errors, where today's order fails. Plus snapshots of the human and JSON output.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::pg;

/// Run the binary in `cwd`; (stdout, stderr, exit code).
fn run(cwd: &Path, args: &[&str]) -> (String, String, i32) {
    let out = assert_cmd::Command::cargo_bin("ogel-schema")
        .expect("binary")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run ogel-schema");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn order_json(cwd: &Path, path: &str) -> Value {
    let (stdout, stderr, code) = run(cwd, &["order", "--format", "json", path]);
    assert_eq!(code, 0, "order failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{stdout}"))
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Copy a fixture into a temp dir and carry out its plan there: write the scaffold at the
/// suggested path and run the suggested renames. Returns the dir and the plan it followed.
fn carry_out(fixture: &str) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&pg::crate_root().join(fixture), dir.path());
    let plan = order_json(dir.path(), ".");
    if let Some(new) = plan["proposed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["new"] == true)
    {
        let path = new["file"].as_str().unwrap();
        let (_, stderr, code) = run(dir.path(), &["scaffold", ".", "-o", path]);
        assert_eq!(code, 0, "scaffold failed: {stderr}");
        assert!(
            !stderr.contains("still missing"),
            "the draft does not cover everything:\n{stderr}"
        );
    }
    for r in plan["renames"].as_array().unwrap() {
        let from = dir.path().join(r["from"].as_str().unwrap());
        let to = dir.path().join(r["to"].as_str().unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(&from, &to).unwrap();
    }
    // The config names the emptied directories: follow the plan's advice and drop them.
    let emptied: Vec<String> = plan["emptied_directories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect();
    let config = dir.path().join("ogel-schema.toml");
    if !emptied.is_empty() && config.exists() {
        let text = std::fs::read_to_string(&config).unwrap();
        let mut table: toml::Table = text.parse().unwrap();
        if let Some(toml::Value::Array(roots)) = table.get_mut("migrations") {
            roots.retain(|r| !emptied.iter().any(|d| r.as_str() == Some(d.as_str())));
        }
        std::fs::write(&config, table.to_string()).unwrap();
    }
    (dir, plan)
}

/// The forward files `model` applies in `dir`, as absolute paths, in order.
fn applied(dir: &Path) -> Vec<String> {
    let (stdout, stderr, code) = run(dir, &["model", "--format", "json", "."]);
    assert_eq!(code, 0, "model failed: {stderr}");
    let model: Value = serde_json::from_str(&stdout).unwrap();
    pg::applied_migrations(&model)
        .into_iter()
        .map(|m| dir.join(m.file).to_string_lossy().into_owned())
        .collect()
}

fn pg_errors(hint: &str, files: &[String]) -> Vec<(String, usize, String)> {
    pg::apply_files(hint, files).1
}

/// After carrying out the plan: PostgreSQL replays everything, the model finds no missing
/// relation, and `order` has nothing left to say.
fn assert_plan_replays_clean(fixture: &str) -> Value {
    let (dir, plan) = carry_out(fixture);
    let files = applied(dir.path());
    let errors = pg_errors(fixture, &files);
    let sql: Vec<String> = files
        .iter()
        .map(|f| format!("-- {f}\n{}", std::fs::read_to_string(f).unwrap()))
        .collect();
    assert!(
        errors.is_empty(),
        "PostgreSQL errors in the proposed order:\n{errors:#?}\n\n{}",
        sql.join("\n")
    );
    let (stdout, _, _) = run(dir.path(), &["model", "--format", "json", "."]);
    let model: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        model["unresolved"],
        serde_json::json!([]),
        "model still finds missing objects"
    );
    // The migrations are fixed: no reference error is left in them. (Application queries of
    // OgelBase still name tables no migration creates: those are `app-*` findings.)
    let (stdout, stderr, _) = run(dir.path(), &["check", "--format", "json", "."]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let left: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["severity"] == "error" && !f["rule"].as_str().unwrap_or_default().starts_with("app-")
        })
        .collect();
    assert!(
        left.is_empty(),
        "check still reports errors after the plan: {left:#?}\n{stderr}"
    );
    let again = order_json(dir.path(), ".");
    assert_eq!(again["violations"], serde_json::json!([]));
    assert_eq!(
        again["changes"], false,
        "the plan is not stable:\n{again:#}"
    );
    plan
}

fn original_order(fixture: &str) -> Vec<String> {
    pg::applied_migrations(&pg::model_json(fixture))
        .into_iter()
        .map(|m| m.file)
        .collect()
}

#[test]
fn ogelbase_plan_reads_like_the_map() {
    let (stdout, _, code) = run(pg::crate_root(), &["order", "fixtures/ogelbase"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(
            "001 -> 002 -> new 003 (create the missing tables) -> 004 -> 005 (the current multi-db 003)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(
        "git mv fixtures/ogelbase/multi-db/003_multi_database.sql fixtures/ogelbase/migrations/005_multi_database.sql"
    ));
    assert!(
        stdout.contains(
            "A new migration between 002 and 004 must create platform.organization_members"
        )
    );
}

#[test]
fn ogelbase_original_order_fails_in_postgresql() {
    let errors = pg_errors("ogelbase_orig", &original_order("fixtures/ogelbase"));
    assert!(
        errors.iter().any(|e| e.2.contains("organization_members")),
        "{errors:?}"
    );
}

/// The fixture fails in PostgreSQL in today's order, `message` among its errors.
fn assert_fails_today_with(fixture: &str, label: &str, message: &str) {
    let errors = pg_errors(label, &original_order(fixture));
    assert!(errors.iter().any(|e| e.2.contains(message)), "{errors:?}");
}

/// The new migrations a plan proposes.
fn new_steps(plan: &Value) -> Vec<&Value> {
    plan["proposed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["new"] == true)
        .collect()
}

#[test]
fn ogelbase_scaffold_at_the_planned_position_replays_clean() {
    let plan = assert_plan_replays_clean("fixtures/ogelbase");
    let new = new_steps(&plan);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["file"], "migrations/003_create_missing_tables.sql");
    assert_eq!(
        new[0]["creates"],
        serde_json::json!(["platform.organization_members"])
    );
}

#[test]
fn missing_tables_scaffold_replays_clean() {
    let original = original_order("fixtures/order/missing_tables");
    assert!(!pg_errors("missing_orig", &original).is_empty());
    let plan = assert_plan_replays_clean("fixtures/order/missing_tables");
    // Timestamps: the new migration sits one second after its predecessor.
    assert_eq!(
        plan["proposed"][1]["file"],
        "20240101090001_create_missing_tables.sql"
    );
}

#[test]
fn missing_sequence_is_drafted_as_a_sequence_and_replays_clean() {
    assert_fails_today_with(
        "fixtures/order/missing_sequence",
        "missing_seq_orig",
        "relation \"invoice_numbers\" does not exist",
    );
    // The seed's INSERT fails in PostgreSQL unless the draft makes ticket_ids a sequence
    // (nextval of a table: `"ticket_ids" is not a sequence`).
    let plan = assert_plan_replays_clean("fixtures/order/missing_sequence");
    let new = new_steps(&plan);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["creates"], serde_json::json!(["public.ticket_ids"]));
    assert_eq!(plan["remaining"], serde_json::json!([]), "{plan:#}");
}

#[test]
fn out_of_order_fails_today_and_replays_clean_in_the_proposed_order() {
    assert_fails_today_with(
        "fixtures/order/out_of_order",
        "ooo_orig",
        "relation \"customers\" does not exist",
    );
    let plan = assert_plan_replays_clean("fixtures/order/out_of_order");
    let renames: Vec<&str> = plan["renames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        renames,
        [
            "git mv 002_customers.sql 000_customers.sql",
            "git mv 003_products.sql 002_products.sql"
        ]
    );
    assert_eq!(plan["duplicates"][0]["version"], "003");
}

#[test]
fn fk_cycle_fails_in_every_order_and_the_suggested_break_works() {
    let fixture = "fixtures/order/fk_cycle";
    let files = original_order(fixture);
    assert!(!pg_errors("cycle_fwd", &files).is_empty());
    let mut reversed = files.clone();
    reversed.swap(0, 1);
    assert!(!pg_errors("cycle_rev", &reversed).is_empty());

    let plan = order_json(pg::crate_root(), fixture);
    let cycle = &plan["cycles"][0];
    assert_eq!(
        cycle["tables"],
        serde_json::json!(["public.teams", "public.users"])
    );
    let sql = cycle["break"]["sql"].as_str().unwrap();
    assert_eq!(
        sql,
        "ALTER TABLE public.teams ADD CONSTRAINT teams_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users (id);"
    );
    // Carry out the break: drop the inline FK of the CREATE the plan names, add it after.
    let dir = tempfile::tempdir().unwrap();
    let create_at = cycle["break"]["create_at"]["file"].as_str().unwrap();
    let mut out: Vec<String> = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(pg::crate_root().join(f)).unwrap();
        let text = if f == create_at {
            text.replace(" REFERENCES users (id)", "")
        } else {
            text
        };
        let p = dir.path().join(Path::new(f).file_name().unwrap());
        std::fs::write(&p, text).unwrap();
        out.push(p.to_string_lossy().into_owned());
        if f.ends_with("002_users.sql") {
            let alter = dir.path().join("002b_break.sql");
            std::fs::write(&alter, sql).unwrap();
            out.push(alter.to_string_lossy().into_owned());
        }
    }
    let errors = pg_errors("cycle_fixed", &out);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn fk_cycle_already_broken_needs_nothing() {
    let plan = order_json(pg::crate_root(), "fixtures/order/fk_cycle_broken");
    assert_eq!(plan["changes"], false);
    assert_eq!(plan["cycles"][0]["break"], Value::Null);
    assert_eq!(plan["cycles"][0]["broken_at"]["line"], 8);
    assert!(
        pg_errors(
            "cycle_ok",
            &original_order("fixtures/order/fk_cycle_broken")
        )
        .is_empty()
    );
}

#[test]
fn scaffold_output_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&pg::crate_root().join("fixtures/ogelbase"), dir.path());
    let target: PathBuf = dir.path().join("new.sql");
    std::fs::write(&target, "keep me").unwrap();
    let (_, stderr, code) = run(dir.path(), &["scaffold", ".", "-o", "new.sql"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--force"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    let (_, stderr, code) = run(dir.path(), &["scaffold", ".", "-o", "new.sql", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("CREATE TABLE platform.organization_members ("));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn include_implied_creates_billing_plans_and_still_replays_clean() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&pg::crate_root().join("fixtures/ogelbase"), dir.path());
    let (sql, stderr, code) = run(dir.path(), &["scaffold", ".", "--include-implied"]);
    assert_eq!(code, 0, "{stderr}");
    // The column comment on subscriptions.plan_id names `billing_plans` (as the seed map does).
    assert!(
        sql.contains("CREATE TABLE platform.billing_plans ("),
        "{sql}"
    );
    assert!(sql.contains("subscriptions.plan_id"), "{sql}");
    assert!(
        !sql.contains("stripe"),
        "external ids imply no table:\n{sql}"
    );
    let path = dir.path().join("migrations/003_create_missing_tables.sql");
    std::fs::write(&path, &sql).unwrap();
    let files = applied(dir.path());
    let errors = pg_errors("implied", &files);
    assert!(errors.is_empty(), "{errors:?}\n{sql}");
}

// ----- snapshots -------------------------------------------------------------------------------

#[test]
fn snapshot_ogelbase_human() {
    let (stdout, _, _) = run(pg::crate_root(), &["order", "fixtures/ogelbase"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn snapshot_ogelbase_json() {
    let (stdout, _, _) = run(
        pg::crate_root(),
        &["order", "--format", "json", "fixtures/ogelbase"],
    );
    insta::assert_snapshot!(stdout);
}

#[test]
fn snapshot_ogelbase_mermaid() {
    let (stdout, _, _) = run(
        pg::crate_root(),
        &["order", "--format", "mermaid", "fixtures/ogelbase"],
    );
    insta::assert_snapshot!(stdout);
}

#[test]
fn snapshot_ogelbase_scaffold() {
    let (stdout, _, _) = run(pg::crate_root(), &["scaffold", "fixtures/ogelbase"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn snapshot_fk_cycle_human() {
    let (stdout, _, _) = run(pg::crate_root(), &["order", "fixtures/order/fk_cycle"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn snapshot_fk_cycle_json() {
    let (stdout, _, _) = run(
        pg::crate_root(),
        &["order", "--format", "json", "fixtures/order/fk_cycle"],
    );
    insta::assert_snapshot!(stdout);
}
