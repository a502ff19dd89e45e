//! Benchmark corpus generator (outside the pipeline): writes deterministic synthetic migration
//! projects — a directory of ~1,000 migration files and one pg_dump-style file — so the
//! benchmark and `scripts/bench-peers` measure the same bytes on every machine.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// A tiny deterministic generator (64-bit LCG, Knuth's constants): same seed, same corpus.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const TYPES: &[&str] = &[
    "text",
    "integer",
    "bigint",
    "boolean",
    "timestamptz",
    "numeric(12,2)",
    "varchar(200)",
    "jsonb",
    "uuid",
    "date",
];

const WORDS: &[&str] = &[
    "account", "order", "invoice", "payment", "customer", "product", "shipment", "ticket",
    "project", "member", "audit", "event", "session", "report", "price", "stock", "region",
    "vendor", "contract", "task",
];

fn table_name(i: usize) -> String {
    let word = WORDS.get(i % WORDS.len()).copied().unwrap_or("t");
    format!("{word}_{i:05}")
}

fn literal(ty: &str, rng: &mut Lcg) -> String {
    match ty {
        "integer" | "bigint" => rng.below(100_000).to_string(),
        "boolean" => if rng.below(2) == 0 { "true" } else { "false" }.to_string(),
        "timestamptz" => format!(
            "'2024-0{}-1{} 10:00:00+00'",
            1 + rng.below(9),
            rng.below(10)
        ),
        "numeric(12,2)" => format!("{}.{:02}", rng.below(10_000), rng.below(100)),
        "jsonb" => format!("'{{\"k\": {}}}'", rng.below(1000)),
        "uuid" => format!(
            "'{:08x}-0000-4000-8000-{:012x}'",
            rng.below(u64::from(u32::MAX)),
            rng.below(1 << 40)
        ),
        "date" => format!("'2023-1{}-0{}'", rng.below(3), 1 + rng.below(9)),
        _ => format!(
            "'value {} of the {} kind'",
            rng.below(100_000),
            WORDS.first().copied().unwrap_or("x")
        ),
    }
}

/// How much of what real migration histories hold besides tables [`write_migrations`] writes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MigrationStyle {
    /// Tables, keys, indexes, a few ALTERs and seed rows (~680 bytes per table): every
    /// statement changes the schema, the worst case for the replay.
    Ddl,
    /// Also what real histories carry per table (~2 KB per table; 5,000 tables make ~10 MB in
    /// 1,000 files, the corpus): a comment block, `COMMENT ON`, row-level security and
    /// policies, a `GRANT`, a PL/pgSQL trigger function and its trigger, more seed rows.
    Full,
}

/// One table's DDL and data as a migration would write it: CREATE TABLE with inline keys and
/// foreign keys to earlier tables, indexes, sometimes an ALTER, and a multi-row INSERT.
fn migration_table(i: usize, style: MigrationStyle, rng: &mut Lcg, sql: &mut String) {
    let full = style == MigrationStyle::Full;
    if full {
        let word = WORDS.get(i % WORDS.len()).copied().unwrap_or("t");
        let _ = writeln!(
            sql,
            "-- {}: {word} records of tenant shard {}.\n\
             -- Written by the {word} service; read by reporting and the admin console.\n\
             -- Rows are never deleted by the application: see the retention job.",
            table_name(i),
            i % 16
        );
    }
    let name = table_name(i);
    let ncols = 4 + rng.below(6) as usize;
    let mut cols: Vec<(String, &str)> = Vec::new();
    let _ = writeln!(sql, "CREATE TABLE {name} (");
    let _ = writeln!(
        sql,
        "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    );
    let mut fks = Vec::new();
    if i > 0 {
        for _ in 0..=rng.below(2) {
            let target = rng.below(i as u64) as usize;
            let col = format!("{}_id", table_name(target));
            if !fks.iter().any(|(c, _)| *c == col) {
                fks.push((col, target));
            }
        }
    }
    for (col, target) in &fks {
        let _ = writeln!(
            sql,
            "    {col} bigint NOT NULL REFERENCES {} (id) ON DELETE CASCADE,",
            table_name(*target)
        );
    }
    for c in 0..ncols {
        let ty = TYPES
            .get(rng.below(TYPES.len() as u64) as usize)
            .copied()
            .unwrap_or("text");
        let col = format!(
            "{}_{c}",
            WORDS.get((i + c) % WORDS.len()).copied().unwrap_or("c")
        );
        let not_null = if rng.below(3) == 0 { " NOT NULL" } else { "" };
        let _ = writeln!(sql, "    {col} {ty}{not_null},");
        cols.push((col, ty));
    }
    let _ = writeln!(sql, "    created_at timestamptz NOT NULL DEFAULT now()");
    sql.push_str(");\n\n");
    for (col, _) in &fks {
        let _ = writeln!(sql, "CREATE INDEX {name}_{col}_idx ON {name} ({col});");
    }
    if let Some((col, _)) = cols.first() {
        let _ = writeln!(
            sql,
            "CREATE INDEX {name}_{col}_idx ON {name} ({col}, created_at);"
        );
    }
    if full {
        table_extras(&name, &cols, sql);
    }
    // Rows only for tables without foreign keys, so every INSERT is valid.
    if fks.is_empty() {
        let names: Vec<&str> = cols.iter().map(|(c, _)| c.as_str()).collect();
        let _ = write!(sql, "\nINSERT INTO {name} ({}) VALUES", names.join(", "));
        for r in 0..if full { 12 } else { 8 } {
            let values: Vec<String> = cols.iter().map(|(_, ty)| literal(ty, rng)).collect();
            let sep = if r == 0 { "\n" } else { ",\n" };
            let _ = write!(sql, "{sep}    ({})", values.join(", "));
        }
        sql.push_str(";\n");
    }
    if rng.below(4) == 0 {
        let _ = writeln!(sql, "ALTER TABLE {name} ADD COLUMN note text;");
        let _ = writeln!(
            sql,
            "COMMENT ON COLUMN {name}.note IS 'Free text, added later.';"
        );
    }
    if rng.below(8) == 0
        && let Some((col, _)) = cols.get(1)
    {
        let _ = writeln!(sql, "ALTER TABLE {name} RENAME COLUMN {col} TO {col}_old;");
    }
    sql.push('\n');
}

/// What [`MigrationStyle::Full`] adds after a table: comments, row-level security with two
/// policies, a grant, and a trigger function with its trigger.
fn table_extras(name: &str, cols: &[(String, &str)], sql: &mut String) {
    let _ = writeln!(
        sql,
        "\nCOMMENT ON TABLE {name} IS 'One row per {name} record; see the service docs.';"
    );
    for (col, ty) in cols.iter().take(2) {
        let _ = writeln!(
            sql,
            "COMMENT ON COLUMN {name}.{col} IS 'The {col} value ({ty}), as the client sent it.';"
        );
    }
    let _ = writeln!(
        sql,
        "ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY {name}_read ON {name} FOR SELECT USING (created_at <= now());\n\
         CREATE POLICY {name}_insert ON {name} FOR INSERT WITH CHECK (true);\n\
         GRANT SELECT, INSERT, UPDATE ON {name} TO PUBLIC;\n\
         \n\
         CREATE FUNCTION {name}_touch() RETURNS trigger LANGUAGE plpgsql AS $$\n\
         BEGIN\n\
         \x20   NEW.created_at := COALESCE(NEW.created_at, now());\n\
         \x20   IF NEW.id IS NULL THEN\n\
         \x20       RAISE EXCEPTION '{name}: id must be set';\n\
         \x20   END IF;\n\
         \x20   RETURN NEW;\n\
         END;\n\
         $$;\n\
         \n\
         CREATE TRIGGER {name}_touch BEFORE INSERT OR UPDATE ON {name}\n\
         \x20   FOR EACH ROW EXECUTE FUNCTION {name}_touch();"
    );
}

/// ~1,000 numbered migration files holding `tables` tables (5 per file).
pub fn write_migrations(dir: &Path, tables: usize) -> io::Result<u64> {
    write_migrations_styled(dir, tables, MigrationStyle::Ddl)
}

/// [`write_migrations`] in the given style.
pub fn write_migrations_styled(
    dir: &Path,
    tables: usize,
    style: MigrationStyle,
) -> io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Lcg(0x6_e15c_4e3a);
    let mut total = 0u64;
    let per_file = 5;
    let files = tables.div_ceil(per_file);
    for f in 0..files {
        let mut sql = format!("-- migration {f}: generated by benches/corpus.rs\n\n");
        for i in f * per_file..((f + 1) * per_file).min(tables) {
            migration_table(i, style, &mut rng, &mut sql);
        }
        total += sql.len() as u64;
        std::fs::write(dir.join(format!("{:04}_batch_{f}.sql", f + 1)), sql)?;
    }
    Ok(total)
}

/// How much of pg_dump's per-object boilerplate [`write_dump`] writes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DumpStyle {
    /// Tables, sequences, keys and indexes only (~0.9 KB per table).
    Lean,
    /// Also what a real `pg_dump` adds per object: `-- Name: ...; Owner:` headers, `OWNER TO`,
    /// `COMMENT ON`, `GRANT` (~1.7 KB per table; 1,500 tables make a ~2.5 MB file).
    Full,
}

/// One pg_dump-style file: SET lines, bare CREATE TABLE, sequences, then every constraint as
/// `ALTER TABLE ONLY`, indexes and foreign keys at the end, the way pg_dump orders them.
pub fn write_dump(dir: &Path, tables: usize, style: DumpStyle) -> io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let full = style == DumpStyle::Full;
    let owner = if full { "; Owner: app_owner" } else { "" };
    let mut rng = Lcg(0xd00d_f00d);
    let mut head = String::from(
        "--\n-- PostgreSQL database dump (synthetic, benches/corpus.rs)\n--\n\n\
         SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET client_encoding = 'UTF8';\n\
         SET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\n\
         SET check_function_bodies = false;\nSET default_tablespace = '';\n\n\
         CREATE SCHEMA app;\n\n",
    );
    let mut tail = String::new();
    let mut fks = String::new();
    let mut acl = String::new();
    for i in 0..tables {
        let name = format!("app.{}", table_name(i));
        let short = table_name(i);
        let _ = writeln!(
            head,
            "--\n-- Name: {short}; Type: TABLE; Schema: app{owner}\n--\n"
        );
        let _ = writeln!(head, "CREATE TABLE {name} (\n    id bigint NOT NULL,");
        if i > 0 {
            let target = rng.below(i as u64) as usize;
            let _ = writeln!(head, "    parent_id bigint,");
            if full {
                let _ = writeln!(
                    fks,
                    "--\n-- Name: {short} {short}_parent_fkey; Type: FK CONSTRAINT; Schema: app{owner}\n--\n"
                );
            }
            let _ = writeln!(
                fks,
                "ALTER TABLE ONLY {name}\n    ADD CONSTRAINT {short}_parent_fkey FOREIGN KEY (parent_id) REFERENCES app.{}(id);\n",
                table_name(target)
            );
            if full {
                let _ = writeln!(
                    tail,
                    "--\n-- Name: {short}_parent_idx; Type: INDEX; Schema: app{owner}\n--\n"
                );
            }
            let _ = writeln!(
                tail,
                "CREATE INDEX {short}_parent_idx ON {name} USING btree (parent_id);\n"
            );
        }
        for c in 0..3 + rng.below(5) {
            let ty = TYPES
                .get(rng.below(TYPES.len() as u64) as usize)
                .copied()
                .unwrap_or("text");
            let _ = writeln!(head, "    col_{c} {ty},");
        }
        head.push_str("    updated_at timestamp with time zone DEFAULT now() NOT NULL\n);\n\n");
        if full {
            let _ = writeln!(head, "\nALTER TABLE {name} OWNER TO app_owner;\n");
            let _ = writeln!(
                head,
                "--\n-- Name: TABLE {short}; Type: COMMENT; Schema: app{owner}\n--\n\n\
                 COMMENT ON TABLE {name} IS 'The {short} records (generated).';\n"
            );
            let _ = writeln!(
                head,
                "--\n-- Name: {short}_id_seq; Type: SEQUENCE; Schema: app{owner}\n--\n"
            );
        }
        let _ = writeln!(
            head,
            "CREATE SEQUENCE app.{short}_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;\n"
        );
        if full {
            let _ = writeln!(
                head,
                "\nALTER SEQUENCE app.{short}_id_seq OWNER TO app_owner;\n"
            );
        }
        let _ = writeln!(
            head,
            "ALTER SEQUENCE app.{short}_id_seq OWNED BY {name}.id;\n"
        );
        let _ = writeln!(
            head,
            "ALTER TABLE ONLY {name} ALTER COLUMN id SET DEFAULT nextval('app.{short}_id_seq'::regclass);\n"
        );
        if full {
            let _ = writeln!(
                tail,
                "--\n-- Name: {short} {short}_pkey; Type: CONSTRAINT; Schema: app{owner}\n--\n"
            );
        }
        let _ = writeln!(
            tail,
            "ALTER TABLE ONLY {name}\n    ADD CONSTRAINT {short}_pkey PRIMARY KEY (id);\n"
        );
        if full {
            let _ = writeln!(
                acl,
                "--\n-- Name: TABLE {short}; Type: ACL; Schema: app{owner}\n--\n\n\
                 GRANT SELECT ON TABLE {name} TO app_reader;\n"
            );
        }
    }
    let sql = format!("{head}{tail}{fks}{acl}--\n-- PostgreSQL database dump complete\n--\n");
    std::fs::write(dir.join("dump.sql"), &sql)?;
    Ok(sql.len() as u64)
}

// ----- application source tree (the `check --app` scan) -----

/// A host language of the generated application: file header, helper function, a route that
/// queries a table, a route answering with a literal, and the path. `{word}`, `{n}`, `{h}`,
/// `{i}` and `{table}` are filled in.
struct AppLang {
    header: &'static str,
    helper: &'static str,
    sql_route: &'static str,
    mock_route: &'static str,
    /// Where route files go, and where the other files go.
    route_path: &'static str,
    path: &'static str,
}

const APP_LANGS: [AppLang; 3] = [
    AppLang {
        header: "import type { NextApiRequest, NextApiResponse } from \"next\"\nimport { db } from \"../../lib/db\"\n\n",
        helper: "export function format{h}(value: number, unit = \"{word}\"): string {\n  if (value > {n}) {\n    console.log(\"select a smaller {word} range\", value)\n  }\n  return `${value.toFixed(2)} ${unit}`\n}\n\n",
        sql_route: "export default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  const { rows } = await db.query(`\n    SELECT t.id, t.created_at\n    FROM {table} t\n    WHERE t.id = ${req.query.id}\n    ORDER BY t.created_at DESC\n    LIMIT 50`)\n  res.status(200).json(rows)\n}\n",
        mock_route: "export default function handler(req: NextApiRequest, res: NextApiResponse) {\n  res.status(200).json({ plan: \"Select your plan\", items: [] })\n}\n",
        route_path: "pages/api/{word}s/{i}.ts",
        path: "lib/{word}s/{i}.ts",
    },
    AppLang {
        header: "from fastapi import APIRouter\n\nfrom app.db import db\n\nrouter = APIRouter()\n\n",
        helper: "\ndef helper_{h}(value: float, unit: str = \"{word}\") -> str:\n    if value > {n}:\n        log.info(\"select from cache failed for %s\", unit)\n    return f\"{value:.2f} {unit}\"\n\n",
        sql_route: "\n@router.get(\"/{word}/{item_id}\")\nasync def read_{i}(item_id: int):\n    return await db.fetch(\n        \"SELECT t.id, t.created_at FROM {table} t WHERE t.id = %s\", item_id\n    )\n",
        mock_route: "\n@router.get(\"/{word}/status\")\nasync def status_{i}():\n    return {\"status\": \"ok\", \"note\": \"Update your profile\"}\n",
        route_path: "app/routers/{word}_{i}.py",
        path: "app/services/{word}_{i}.py",
    },
    AppLang {
        header: "package handlers\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"net/http\"\n)\n\n",
        helper: "func format{h}(value float64) string {\n\tif value > {n} {\n\t\tfmt.Println(\"delete from the cart first\")\n\t}\n\treturn fmt.Sprintf(\"%.2f {word}\", value)\n}\n\n",
        sql_route: "func Register{i}(mux *http.ServeMux) {\n\tmux.HandleFunc(\"GET /{word}/{id}\", func(w http.ResponseWriter, r *http.Request) {\n\t\trows, _ := db.Query(\"SELECT t.id, t.created_at FROM {table} t WHERE t.id = $1\", r.PathValue(\"id\"))\n\t\tjson.NewEncoder(w).Encode(rows)\n\t})\n}\n",
        mock_route: "func Register{i}(mux *http.ServeMux) {\n\tmux.HandleFunc(\"GET /{word}/health\", func(w http.ResponseWriter, r *http.Request) {\n\t\tjson.NewEncoder(w).Encode(map[string]string{\"status\": \"ok\"})\n\t})\n}\n",
        route_path: "internal/handlers/{word}_{i}.go",
        path: "internal/{word}s/{word}_{i}.go",
    },
];

/// One application file (TS / Python / Go in turn) and its relative path. About one in ten
/// runs SQL against a table of [`write_migrations`] (`id`, `created_at`: every table has them),
/// about one in seven is a route answering with a literal, the rest is ordinary code without
/// SQL (helpers whose strings say "select", "delete from": traps for the extractor).
fn app_file(i: usize, rng: &mut Lcg, tables: usize) -> (String, String) {
    let lang = APP_LANGS.get(i % APP_LANGS.len()).unwrap_or(&APP_LANGS[0]);
    let word = WORDS.get(i % WORDS.len()).copied().unwrap_or("x");
    let table = table_name(rng.below(tables.max(1) as u64) as usize);
    let index = format!("{i:05}");
    let fill = |t: &str, h: usize, n: u64| {
        t.replace("{word}", word)
            .replace("{table}", &table)
            .replace("{i}", &index)
            .replace("{h}", &h.to_string())
            .replace("{n}", &n.to_string())
    };
    let mut text = lang.header.to_owned();
    for h in 0..3 + rng.below(5) as usize {
        text.push_str(&fill(lang.helper, h, rng.below(10_000)));
    }
    let route = match rng.below(100) {
        0..10 => Some(lang.sql_route),
        10..25 => Some(lang.mock_route),
        _ => None,
    };
    if let Some(r) = route {
        text.push_str(&fill(r, 0, 0));
    }
    let path = if route.is_some() {
        lang.route_path
    } else {
        lang.path
    };
    (fill(path, 0, 0), text)
}

/// An application tree of `files` source files (TS / Python / Go, a third each) whose queries
/// name tables of a [`write_migrations`] corpus of `tables` tables. Returns the bytes written.
pub fn write_app_tree(dir: &Path, files: usize, tables: usize) -> io::Result<u64> {
    let mut rng = Lcg(0x0a44_7733);
    let mut total = 0u64;
    for i in 0..files {
        let (rel, text) = app_file(i, &mut rng, tables);
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        total += text.len() as u64;
        std::fs::write(path, text)?;
    }
    Ok(total)
}
