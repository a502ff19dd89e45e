//! Test support: PostgreSQL as the judge. A throwaway server shared by the whole test binary,
//! one database per fixture, psql error collection, and the catalog read back in the JSON shape
//! of `ogel-schema model --format json` so the two can be compared.
//!
//! Nothing here skips: when the server binaries are missing, every test that needs them fails
//! and says how to install them (`.ci/run` does it).
//!
//! # What `PgError::line` means
//!
//! Files are piped to `psql -f -`, which reports `psql:<stdin>:LINE: ERROR:  ...`. LINE is the
//! 1-based line of the input where psql *sent* the statement: the line holding the statement's
//! terminating `;` (for a multi-line statement that is its LAST line; for a `DO $$ ... $$;`
//! block the line of the closing `$$;`; for a final statement without `;`, the last line of the
//! file). Several statements on one line share that line. psql's own `LINE n:` in the detail is
//! relative to the statement text with blank lines dropped, so it cannot give the first line;
//! map an error to a statement by the statement whose `;` sits on `line`.
//!
//! # Sessions
//!
//! Each file is applied in its own psql session (autocommit, `ON_ERROR_STOP=0`), so `SET
//! search_path` does not leak from one migration file into the next.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

/// How to get the server binaries; shown whenever they are missing.
const INSTALL_HINT: &str = "install PostgreSQL server binaries: `apt-get update && apt-get install -y postgresql` \
     (Debian/Ubuntu), or put initdb/pg_ctl/postgres/psql on PATH; `.ci/run` installs them";

/// The throwaway cluster. Created once per test binary by [`server`].
#[derive(Debug)]
pub struct Server {
    bindir: Option<PathBuf>,
    /// Root temp dir: holds `data/`, the socket and `server.log`. Removed by the watchdog.
    dir: PathBuf,
    /// Run initdb/pg_ctl as the `postgres` OS user (we are root, initdb refuses root).
    as_postgres: bool,
    next_db: AtomicUsize,
}

/// One database of the cluster.
#[derive(Debug, Clone)]
pub struct Db {
    pub name: String,
    server: &'static Server,
}

/// One error psql printed while applying SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgError {
    /// Line of the statement's terminating `;` (see the module docs).
    pub line: usize,
    /// The message after `ERROR:  `, e.g. `relation "x" does not exist`.
    pub message: String,
    /// The lines psql printed after it (`LINE n:`, caret, `DETAIL:`, `HINT:`, `CONTEXT:`).
    pub detail: String,
}

impl PgError {
    /// `true` for the follow-up errors inside a failed transaction block.
    #[must_use]
    pub fn is_aborted_transaction(&self) -> bool {
        self.message.starts_with("current transaction is aborted")
    }
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The server shared by the whole test binary, started on first use. Panics (fails the test)
/// with a message saying what to install when PostgreSQL is not available.
pub fn server() -> &'static Server {
    match SERVER.get_or_init(Server::start) {
        Ok(server) => server,
        Err(message) => panic!("PostgreSQL test server unavailable: {message}"),
    }
}

/// Where the server binaries live: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/<v>/bin`, else `None` (use PATH).
fn find_bindir() -> Option<PathBuf> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres", "psql"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_all(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, bin)| has_all(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Single-quote for sh.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn output_text(out: &std::process::Output) -> String {
    format!(
        "exit {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

impl Server {
    fn bin(&self, name: &str) -> PathBuf {
        self.bindir
            .as_ref()
            .map_or_else(|| PathBuf::from(name), |d| d.join(name))
    }

    /// A command for a server program (initdb, pg_ctl), run as `postgres` when we are root.
    fn server_cmd(&self, name: &str) -> Command {
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(self.bin(name));
            cmd
        } else {
            Command::new(self.bin(name))
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn start() -> Result<Server, String> {
        let bindir = find_bindir();
        let found = |name: &str| match &bindir {
            Some(d) => d.join(name).is_file(),
            None => Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success()),
        };
        let missing: Vec<&str> = ["initdb", "pg_ctl", "postgres", "psql"]
            .into_iter()
            .filter(|b| !found(b))
            .collect();
        if !missing.is_empty() {
            return Err(format!("missing {}; {INSTALL_HINT}", missing.join(", ")));
        }
        let as_postgres = is_root();
        // Short path under /tmp: a unix socket path must stay below ~107 bytes.
        let dir = tempfile::Builder::new()
            .prefix("ogel-pg-")
            .tempdir_in("/tmp")
            .map_err(|e| format!("cannot create temp dir: {e}"))?
            .keep();
        let server = Server {
            bindir,
            dir,
            as_postgres,
            next_db: AtomicUsize::new(0),
        };
        // The watchdog first: it stops the server and removes the dir when this process exits,
        // however it exits (statics are never dropped), and also if the start below fails.
        server.spawn_watchdog()?;
        if as_postgres {
            let out = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&server.dir)
                .output()
                .map_err(|e| format!("chown: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "chown of {} to postgres failed: {}",
                    server.dir.display(),
                    output_text(&out)
                ));
            }
        }
        let out = server
            .server_cmd("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(server.data_dir())
            .output()
            .map_err(|e| format!("cannot run initdb ({e}); {INSTALL_HINT}"))?;
        if !out.status.success() {
            return Err(format!("initdb failed: {}", output_text(&out)));
        }
        let options = format!(
            "-c listen_addresses='' -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            server.dir.display()
        );
        let out = server
            .server_cmd("pg_ctl")
            .args(["-w", "-D"])
            .arg(server.data_dir())
            .arg("-l")
            .arg(server.dir.join("server.log"))
            .args(["-o", &options, "start"])
            .stdin(Stdio::null())
            // pg_ctl leaves the postmaster holding its stdout/stderr: never give it our pipes,
            // or reading its output would wait for the server to exit.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .status()
            .map_err(|e| format!("cannot run pg_ctl ({e}); {INSTALL_HINT}"))?;
        if !out.success() {
            let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
            return Err(format!("pg_ctl start failed ({out}); server.log:\n{log}"));
        }
        Ok(server)
    }

    fn spawn_watchdog(&self) -> Result<(), String> {
        let runner = if self.as_postgres {
            "runuser -u postgres -- "
        } else {
            ""
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             {runner}{pg_ctl} stop -m immediate -D {data} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            pg_ctl = sh_quote(&self.bin("pg_ctl").to_string_lossy()),
            data = sh_quote(&self.data_dir().to_string_lossy()),
            dir = sh_quote(&self.dir.to_string_lossy()),
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Own process group: a Ctrl-C on the test run must not kill the watchdog first.
            .process_group(0)
            .spawn()
            .map(drop)
            .map_err(|e| format!("cannot start the watchdog shell: {e}"))
    }

    /// A psql command connected to `db` over the unix socket, with no psqlrc and no notices.
    fn psql(&self, db: &str) -> Command {
        let mut cmd = Command::new(self.bin("psql"));
        cmd.arg("-h")
            .arg(&self.dir)
            .args(["-p", "5432", "-U", "postgres", "-d", db, "-X", "-q"])
            .env("PGOPTIONS", "-c client_min_messages=warning")
            .env("PGTZ", "UTC")
            .env_remove("PGSERVICE")
            .env_remove("PGHOSTADDR");
        cmd
    }

    /// Create a fresh, empty database. `name` is a hint (the fixture name); a counter makes
    /// it unique, so parallel tests may pass the same hint.
    pub fn create_db(&'static self, name: &str) -> Db {
        let n = self.next_db.fetch_add(1, Ordering::SeqCst);
        let mut clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        clean.truncate(40);
        let db_name = format!("t{n}_{clean}");
        let out = self
            .psql("postgres")
            .args([
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                &format!("CREATE DATABASE \"{db_name}\" TEMPLATE template0"),
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run psql: {e}; {INSTALL_HINT}"));
        assert!(
            out.status.success(),
            "CREATE DATABASE {db_name} failed: {}",
            output_text(&out)
        );
        Db {
            name: db_name,
            server: self,
        }
    }
}

/// Parse psql's stderr (input from `-f -`) into errors.
#[must_use]
pub fn parse_psql_errors(stderr: &str) -> Vec<PgError> {
    let mut errors: Vec<PgError> = Vec::new();
    let mut in_error = false;
    for text in stderr.lines() {
        if let Some(rest) = text.strip_prefix("psql:<stdin>:") {
            let (line, after) = rest.split_once(": ").unwrap_or((rest, ""));
            let Ok(line) = line.parse::<usize>() else {
                in_error = false;
                continue;
            };
            let (level, message) = after.split_once(":  ").unwrap_or(("", after));
            in_error = match level {
                "ERROR" | "FATAL" | "PANIC" => true,
                "WARNING" | "NOTICE" | "INFO" | "LOG" | "DEBUG" | "STATEMENT" => false,
                // psql's own errors (`invalid command \x`, ...) carry no level.
                _ => !after.starts_with("WARNING") && !after.starts_with("NOTICE"),
            };
            if in_error {
                // psql's own errors read `psql:<stdin>:7: error: invalid command \x`.
                let message = if level.is_empty() {
                    after.strip_prefix("error: ").unwrap_or(after)
                } else {
                    message
                };
                errors.push(PgError {
                    line,
                    message: message.to_owned(),
                    detail: String::new(),
                });
            }
        } else if in_error && let Some(last) = errors.last_mut() {
            if !last.detail.is_empty() {
                last.detail.push('\n');
            }
            last.detail.push_str(text);
        }
    }
    errors
}

impl Db {
    /// `pg_dump --schema-only` of the database: the schema PostgreSQL holds, as SQL.
    pub fn dump_schema(&self) -> String {
        let out = Command::new(self.server.bin("pg_dump"))
            .arg("-h")
            .arg(&self.server.dir)
            .args(["-p", "5432", "-U", "postgres", "--schema-only", &self.name])
            .env("PGTZ", "UTC")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run pg_dump: {e}; {INSTALL_HINT}"));
        assert!(
            out.status.success(),
            "pg_dump of {} failed: {}",
            self.name,
            output_text(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Apply the SQL file at `path` (piped through stdin, so the `postgres` user needs no
    /// access to it) and return every error psql printed, in order.
    pub fn apply_file(&self, path: &Path) -> Vec<PgError> {
        let sql = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        self.apply_sql(&sql)
    }

    /// Apply SQL text in one psql session: autocommit, `ON_ERROR_STOP=0` (keep going after an
    /// error, like a migration runner that ignores failures would), default verbosity.
    pub fn apply_sql(&self, sql: &str) -> Vec<PgError> {
        let mut child = self
            .server
            .psql(&self.name)
            .args([
                "-v",
                "ON_ERROR_STOP=0",
                "-v",
                "VERBOSITY=default",
                "-f",
                "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run psql: {e}; {INSTALL_HINT}"));
        let mut stdin = child.stdin.take().expect("psql stdin");
        let bytes = sql.as_bytes().to_vec();
        let writer = std::thread::spawn(move || {
            // psql may stop reading early (FATAL); a broken pipe is reported through its output.
            let _ = stdin.write_all(&bytes);
        });
        let out = child.wait_with_output().expect("wait for psql");
        let _ = writer.join();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Exit 0: done (errors or not, with ON_ERROR_STOP=0); 1: fatal; 2: connection lost.
        assert!(
            out.status.success() || out.status.code() == Some(3),
            "psql failed on database {}: {}",
            self.name,
            output_text(&out)
        );
        parse_psql_errors(&stderr)
    }

    /// Run a query returning ONE value (one row, one column) that is JSON, and parse it.
    /// Panics on any SQL error.
    pub fn query_json(&self, sql: &str) -> Value {
        let out = self
            .server
            .psql(&self.name)
            .args(["-v", "ON_ERROR_STOP=1", "-A", "-t"])
            .args(["-c", "SET search_path TO \"$user\", public", "-c", sql])
            .output()
            .unwrap_or_else(|e| panic!("cannot run psql: {e}; {INSTALL_HINT}"));
        assert!(
            out.status.success(),
            "query failed: {sql}\n{}",
            output_text(&out)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("query did not return one JSON value ({e}): {sql}\n{text}"))
    }

    /// Run a query and return its rows as JSON objects (column name -> value).
    pub fn query_rows(&self, sql: &str) -> Vec<Value> {
        let wrapped =
            format!("SELECT coalesce(json_agg(row_to_json(q)), '[]'::json) FROM ({sql}) AS q");
        match self.query_json(&wrapped) {
            Value::Array(rows) => rows,
            other => panic!("expected a JSON array, got {other}"),
        }
    }

    /// The catalog in the shape of `ogel-schema model --format json` (`schemas`, `tables`,
    /// `enums`), read from pg_catalog. See [`CATALOG_SQL`] for the exact choices.
    pub fn catalog(&self) -> Value {
        self.query_json(CATALOG_SQL)
    }
}

/// Reads the catalog as `{"schemas":[...],"tables":[...],"enums":[...],"sequences":[...],
/// "functions":[...]}` (a sequence's `owned_by` is the table column it is dropped with, from
/// `pg_depend`; a function's `args` are `oidvectortypes(proargtypes)`, its input types).
/// - A table's `triggers`: user triggers (not the internal ones behind foreign keys, not the
///   clones a partition gets from its parent), each with the function it executes.
///
/// - Skips pg_catalog, information_schema, pg_toast*, pg_temp* and objects of extensions.
/// - `kind`: a table that is a partition is `partition` (even if itself partitioned).
/// - `type` is `format_type(atttypid, atttypmod)` under search_path `"$user", public`.
/// - `default`: `pg_get_expr` of the default; identity columns report
///   `GENERATED ALWAYS|BY DEFAULT AS IDENTITY`, stored generated columns
///   `GENERATED ALWAYS AS (expr) STORED` (only presence is compared).
/// - Constraints and indexes a partition inherits from its parent (`conparentid <> 0`,
///   partition indexes) are left out: a partition lists only what was declared on it.
/// - `indexes` leaves out indexes backing a PRIMARY KEY / UNIQUE / EXCLUDE constraint; its
///   `columns` are the key columns: the column name as stored (unquoted), or for an expression
///   PostgreSQL's deparsed text (`pg_get_indexdef(oid, k, true)`, e.g. `lower(email)`);
///   INCLUDE columns, sort order and the WHERE of a partial index are not listed.
pub const CATALOG_SQL: &str = r#"
WITH nsp AS (
    SELECT n.oid, n.nspname
    FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                      AND d.objid = n.oid AND d.deptype = 'e')
),
rels AS (
    SELECT c.oid, nsp.nspname AS schema, c.relname AS name,
           CASE WHEN c.relispartition THEN 'partition'
                WHEN c.relkind = 'p' THEN 'partitioned_table'
                WHEN c.relkind = 'r' THEN 'table'
                WHEN c.relkind = 'v' THEN 'view'
                ELSE 'materialized_view' END AS kind,
           CASE c.relreplident WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
                WHEN 'i' THEN 'index' ELSE 'default' END AS replica_identity
    FROM pg_class c JOIN nsp ON nsp.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
),
cols AS (
    SELECT con.oid AS conoid,
           json_agg(a.attname ORDER BY k.ord) AS names
    FROM pg_constraint con
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
    GROUP BY con.oid
),
fcols AS (
    SELECT con.oid AS conoid,
           json_agg(a.attname ORDER BY k.ord) AS names
    FROM pg_constraint con
    CROSS JOIN LATERAL unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
    WHERE con.contype = 'f'
    GROUP BY con.oid
)
SELECT json_build_object(
  'schemas', (SELECT coalesce(json_agg(nspname ORDER BY nspname), '[]'::json) FROM nsp),
  'tables', (SELECT coalesce(json_agg(json_build_object(
      'schema', r.schema,
      'name', r.name,
      'kind', r.kind,
      'replica_identity', json_build_object('kind', r.replica_identity),
      'comment', obj_description(r.oid, 'pg_class'),
      'columns', (
          SELECT coalesce(json_agg(json_build_object(
              'name', a.attname,
              'type', format_type(a.atttypid, a.atttypmod),
              'nullable', NOT a.attnotnull,
              'default', CASE
                  WHEN a.attidentity = 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                  WHEN a.attidentity = 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY'
                  WHEN a.attgenerated = 's'
                      THEN 'GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                  ELSE pg_get_expr(ad.adbin, ad.adrelid) END,
              'comment', col_description(r.oid, a.attnum)
          ) ORDER BY a.attnum), '[]'::json)
          FROM pg_attribute a
          LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
          WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped),
      'primary_key', (
          SELECT json_build_object('name', con.conname, 'columns', cols.names)
          FROM pg_constraint con JOIN cols ON cols.conoid = con.oid
          WHERE con.conrelid = r.oid AND con.contype = 'p' AND con.conparentid = 0),
      'unique', (
          SELECT coalesce(json_agg(json_build_object('name', con.conname, 'columns', cols.names)
                                   ORDER BY con.conname), '[]'::json)
          FROM pg_constraint con JOIN cols ON cols.conoid = con.oid
          WHERE con.conrelid = r.oid AND con.contype = 'u' AND con.conparentid = 0),
      'foreign_keys', (
          SELECT coalesce(json_agg(json_build_object(
              'name', con.conname,
              'columns', cols.names,
              'references', json_build_object('schema', fn.nspname, 'table', fc.relname,
                                              'columns', fcols.names),
              'on_delete', CASE con.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT'
                  WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
              'on_update', CASE con.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT'
                  WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END
          ) ORDER BY con.conname), '[]'::json)
          FROM pg_constraint con
          JOIN cols ON cols.conoid = con.oid
          JOIN fcols ON fcols.conoid = con.oid
          JOIN pg_class fc ON fc.oid = con.confrelid
          JOIN pg_namespace fn ON fn.oid = fc.relnamespace
          WHERE con.conrelid = r.oid AND con.contype = 'f' AND con.conparentid = 0),
      'indexes', (
          SELECT coalesce(json_agg(json_build_object(
              'name', ic.relname,
              'columns', (SELECT json_agg(CASE WHEN i.indkey[k - 1] = 0
                                               THEN pg_get_indexdef(i.indexrelid, k, true)
                                               ELSE (SELECT a.attname FROM pg_attribute a
                                                     WHERE a.attrelid = i.indrelid
                                                       AND a.attnum = i.indkey[k - 1])::text
                                          END ORDER BY k)
                          FROM generate_series(1, i.indnkeyatts) AS k),
              'unique', i.indisunique
          ) ORDER BY ic.relname), '[]'::json)
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
          WHERE i.indrelid = r.oid AND NOT ic.relispartition
            AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                            WHERE con.conindid = i.indexrelid AND con.conrelid = r.oid
                              AND con.contype IN ('p', 'u', 'x'))),
      'triggers', (
          SELECT coalesce(json_agg(json_build_object(
              'name', tg.tgname,
              'function', pn.nspname || '.' || p.proname
          ) ORDER BY tg.tgname), '[]'::json)
          FROM pg_trigger tg
          JOIN pg_proc p ON p.oid = tg.tgfoid
          JOIN pg_namespace pn ON pn.oid = p.pronamespace
          WHERE tg.tgrelid = r.oid AND NOT tg.tgisinternal AND tg.tgparentid = 0)
  ) ORDER BY r.schema, r.name), '[]'::json) FROM rels r),
  'functions', (SELECT coalesce(json_agg(json_build_object(
      'schema', nsp.nspname,
      'name', p.proname,
      'args', oidvectortypes(p.proargtypes)
  ) ORDER BY nsp.nspname, p.proname, oidvectortypes(p.proargtypes)), '[]'::json)
      FROM pg_proc p JOIN nsp ON nsp.oid = p.pronamespace
      WHERE p.prokind = 'f'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                        AND d.objid = p.oid AND d.deptype = 'e')),
  'enums', (SELECT coalesce(json_agg(json_build_object(
      'schema', nsp.nspname,
      'name', t.typname,
      'values', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
  ) ORDER BY nsp.nspname, t.typname), '[]'::json)
      FROM pg_type t JOIN nsp ON nsp.oid = t.typnamespace
      WHERE t.typtype = 'e'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                        AND d.objid = t.oid AND d.deptype = 'e')),
  'sequences', (SELECT coalesce(json_agg(json_build_object(
      'schema', nsp.nspname,
      'name', c.relname,
      'owned_by', (SELECT json_build_object('table', tc.relname, 'column', a.attname)
                   FROM pg_depend d
                   JOIN pg_class tc ON tc.oid = d.refobjid
                   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
  ) ORDER BY nsp.nspname, c.relname), '[]'::json)
      FROM pg_class c JOIN nsp ON nsp.oid = c.relnamespace
      WHERE c.relkind = 'S'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype = 'e'))
)
"#;

// ---------------------------------------------------------------------------------------------
// Fixture projects: run the tool's `model`, replay its migrations in PostgreSQL.

/// The crate root: fixture paths and the paths `model` prints are relative to it.
#[must_use]
pub fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture project: `fixtures/ogelbase` and each directory under `fixtures/model/`,
/// as paths relative to the crate root, sorted.
#[must_use]
pub fn fixture_projects() -> Vec<String> {
    let mut out = vec!["fixtures/ogelbase".to_owned()];
    let mut cases: Vec<String> = std::fs::read_dir(crate_root().join("fixtures/model"))
        .expect("fixtures/model exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| format!("fixtures/model/{}", e.file_name().to_string_lossy()))
        .collect();
    cases.sort();
    out.extend(cases);
    out
}

/// One migration as listed by `model --format json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Path as printed (relative to the crate root).
    pub file: String,
    pub kind: String,
}

/// Run `ogel-schema model --format json <fixture>` from the crate root; panic with the tool's
/// output if it does not print a JSON object.
pub fn model_json(fixture: &str) -> Value {
    let out = assert_cmd::Command::cargo_bin("ogel-schema")
        .expect("the ogel-schema binary is built by cargo test")
        .args(["model", "--format", "json", fixture])
        .current_dir(crate_root())
        .output()
        .expect("run ogel-schema");
    let stdout = String::from_utf8_lossy(&out.stdout);
    match serde_json::from_str::<Value>(&stdout) {
        Ok(value @ Value::Object(_)) => value,
        _ => panic!(
            "`ogel-schema model --format json {fixture}` did not print a JSON object:\n{}",
            output_text(&out)
        ),
    }
}

/// The files to apply, in order: `migrations` entries with kind forward or repeatable.
pub fn applied_migrations(model: &Value) -> Vec<Migration> {
    let list = model["migrations"]
        .as_array()
        .unwrap_or_else(|| panic!("model JSON has no `migrations` array"));
    list.iter()
        .filter_map(|m| {
            let kind = m["kind"].as_str()?;
            let file = m["file"].as_str()?;
            matches!(kind, "forward" | "repeatable").then(|| Migration {
                file: file.to_owned(),
                kind: kind.to_owned(),
            })
        })
        .collect()
}

/// What PostgreSQL made of a fixture project.
#[derive(Debug)]
pub struct Replay {
    pub fixture: String,
    /// The model JSON the migration list came from.
    pub model: Value,
    /// Files applied, in order.
    pub files: Vec<String>,
    /// (file as printed by `model`, line of the `;`, message) for every psql error, in order.
    pub errors: Vec<(String, usize, String)>,
    /// [`Db::catalog`] after the last file.
    pub catalog: Value,
}

static REPLAYS: Mutex<BTreeMap<String, Arc<OnceLock<Arc<Replay>>>>> = Mutex::new(BTreeMap::new());

/// Apply files (paths relative to the crate root) in order, each in its own session, to a
/// fresh database; return the database and the errors tagged with the file.
pub fn apply_files(name_hint: &str, files: &[String]) -> (Db, Vec<(String, usize, String)>) {
    let db = server().create_db(name_hint);
    let mut errors = Vec::new();
    for file in files {
        for e in db.apply_file(&crate_root().join(file)) {
            errors.push((file.clone(), e.line, e.message));
        }
    }
    (db, errors)
}

/// Replay a fixture project in PostgreSQL (once per test binary; cached, thread-safe).
pub fn replay(fixture: &str) -> Arc<Replay> {
    let cell = {
        let mut map = REPLAYS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(map.entry(fixture.to_owned()).or_default())
    };
    Arc::clone(cell.get_or_init(|| {
        let model = model_json(fixture);
        let files: Vec<String> = applied_migrations(&model)
            .into_iter()
            .map(|m| m.file)
            .collect();
        let (db, errors) = apply_files(fixture, &files);
        let catalog = db.catalog();
        Arc::new(Replay {
            fixture: fixture.to_owned(),
            model,
            files,
            errors,
            catalog,
        })
    }))
}

/// The statements PostgreSQL rejects when the fixture's migrations (as ordered by `model`) are
/// applied: `(file, line of the statement's terminating ';', message)`.
pub fn pg_errors_for(fixture: &str) -> Vec<(String, usize, String)> {
    replay(fixture).errors.clone()
}

// ---------------------------------------------------------------------------------------------
// Comparison.

fn key(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn sorted_set(v: &Value) -> Value {
    let mut items: Vec<Value> = v.as_array().cloned().unwrap_or_default();
    items.sort_by_key(key);
    Value::Array(items)
}

/// The comparable part of a table: views keep only schema, name, kind and triggers; columns keep order
/// and their default becomes presence (`has_default`); sets are sorted; `origin` is dropped.
fn normalize_table(t: &Value) -> Value {
    let kind = t["kind"].as_str().unwrap_or("");
    // The model leaves an empty trigger list out.
    let triggers = match &t["triggers"] {
        Value::Null => json!([]),
        list => sorted_set(list),
    };
    if matches!(kind, "view" | "materialized_view") {
        return json!({
            "schema": t["schema"], "name": t["name"], "kind": kind, "triggers": triggers,
            "comment": t["comment"],
        });
    }
    let columns: Vec<Value> = t["columns"]
        .as_array()
        .map(|cols| {
            cols.iter()
                .map(|c| {
                    json!({
                        "name": c["name"],
                        "type": c["type"],
                        "nullable": c["nullable"],
                        "has_default": !c["default"].is_null(),
                        "comment": c["comment"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "schema": t["schema"],
        "name": t["name"],
        "kind": kind,
        // The model leaves the default out; an index identity compares by kind.
        "replica_identity": t["replica_identity"]["kind"].as_str().unwrap_or("default"),
        "columns": columns,
        "primary_key": t["primary_key"],
        "unique": sorted_set(&t["unique"]),
        "foreign_keys": sorted_set(&t["foreign_keys"]),
        "indexes": sorted_set(&loose_expressions(&t["indexes"])),
        "triggers": triggers,
        "comment": t["comment"],
    })
}

/// Index expressions compared loosely: the model keeps an expression as written, PostgreSQL
/// deparses it with the casts its types imply (`lower(name)` on a `varchar` column is
/// `lower(name::text)`). Casts to a plain type name, parentheses, blanks and letter case are
/// left out of both sides; function names, column names, operators and constants stay.
fn loose_expressions(indexes: &Value) -> Value {
    let mut indexes = indexes.clone();
    for ix in indexes.as_array_mut().into_iter().flatten() {
        for col in ix["columns"].as_array_mut().into_iter().flatten() {
            if let Some(text) = col.as_str().filter(|t| t.contains('(') || t.contains("::")) {
                *col = Value::String(loose_expression(text));
            }
        }
    }
    indexes
}

fn loose_expression(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            out.push(c);
            quoted = c != '\'';
            continue;
        }
        match c {
            '\'' => {
                quoted = true;
                out.push(c);
            }
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                // The type name: words (`character varying`), dots, quotes, `[]`.
                while chars
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || "_ .\"[]".contains(*c))
                {
                    chars.next();
                }
            }
            '(' | ')' => {}
            c if c.is_whitespace() => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn table_map(catalog: &Value) -> BTreeMap<String, Value> {
    catalog["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let name = format!(
                "{}.{}",
                t["schema"].as_str().unwrap_or("?"),
                t["name"].as_str().unwrap_or("?")
            );
            (name, normalize_table(t))
        })
        .collect()
}

/// `schema.name` -> `field` of each element of the `list` array (enums' values, sequences'
/// owners).
fn named_map(catalog: &Value, list: &str, field: &str) -> BTreeMap<String, Value> {
    catalog[list]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let name = format!(
                "{}.{}",
                e["schema"].as_str().unwrap_or("?"),
                e["name"].as_str().unwrap_or("?")
            );
            (name, e[field].clone())
        })
        .collect()
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn diff(pg: &Value, model: &Value) -> String {
    let (old, new) = (pretty(pg), pretty(model));
    similar::TextDiff::from_lines(old.as_str(), new.as_str())
        .unified_diff()
        .context_radius(3)
        .header("postgresql", "model")
        .to_string()
}

/// Compare the model's catalog with PostgreSQL's; `Err` holds a readable report naming the
/// fixture, each table and field that differ, with a unified diff (`-` PostgreSQL, `+` model).
pub fn compare_catalogs(fixture: &str, pg: &Value, model: &Value) -> Result<(), String> {
    let mut problems: Vec<String> = Vec::new();

    let schemas = |c: &Value| sorted_set(&c["schemas"]);
    if schemas(pg) != schemas(model) {
        problems.push(format!(
            "schemas differ:\n{}",
            diff(&schemas(pg), &schemas(model))
        ));
    }

    let (pg_tables, model_tables) = (table_map(pg), table_map(model));
    for (name, pt) in &pg_tables {
        match model_tables.get(name) {
            None => problems.push(format!(
                "table {name}: in PostgreSQL, missing from the model ({})",
                pt["kind"]
            )),
            Some(mt) => {
                for field in [
                    "kind",
                    "replica_identity",
                    "columns",
                    "primary_key",
                    "unique",
                    "foreign_keys",
                    "indexes",
                    "triggers",
                    "comment",
                ] {
                    if pt.get(field) != mt.get(field) {
                        problems.push(format!(
                            "table {name}: field `{field}` differs:\n{}",
                            diff(&pt[field], &mt[field])
                        ));
                    }
                }
            }
        }
    }
    for (name, mt) in &model_tables {
        if !pg_tables.contains_key(name) {
            problems.push(format!(
                "table {name}: in the model ({}), not in PostgreSQL",
                mt["kind"]
            ));
        }
    }

    for (what, list, field) in [
        ("enum", "enums", "values"),
        ("sequence", "sequences", "owned_by"),
    ] {
        let (pg_map, model_map) = (named_map(pg, list, field), named_map(model, list, field));
        for name in pg_map
            .keys()
            .chain(model_map.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            match (pg_map.get(name), model_map.get(name)) {
                (Some(p), Some(m)) if p != m => {
                    problems.push(format!("{what} {name}: {field} differ:\n{}", diff(p, m)));
                }
                (Some(_), None) => problems.push(format!(
                    "{what} {name}: in PostgreSQL, missing from the model"
                )),
                (None, Some(_)) => {
                    problems.push(format!("{what} {name}: in the model, not in PostgreSQL"))
                }
                _ => {}
            }
        }
    }

    // Functions by name and input types (the model leaves an empty list out).
    let functions = |c: &Value| -> std::collections::BTreeSet<String> {
        c["functions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                format!(
                    "{}.{}({})",
                    f["schema"].as_str().unwrap_or("?"),
                    f["name"].as_str().unwrap_or("?"),
                    f["args"].as_str().unwrap_or("?")
                )
            })
            .collect()
    };
    let (pg_functions, model_functions) = (functions(pg), functions(model));
    for f in pg_functions.difference(&model_functions) {
        problems.push(format!(
            "function {f}: in PostgreSQL, missing from the model"
        ));
    }
    for f in model_functions.difference(&pg_functions) {
        problems.push(format!("function {f}: in the model, not in PostgreSQL"));
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fixture {fixture}: the model's catalog differs from PostgreSQL's ({} problem(s)):\n\n{}",
            problems.len(),
            problems.join("\n")
        ))
    }
}
