//! Tests for stage 2 (parse): whole-file parsing, offsets, DO bodies, ignores, robustness.
#![allow(clippy::panic, clippy::single_range_in_vec_init)]

use std::path::PathBuf;

use sqlparser::ast::Spanned;

use super::*;
use crate::source::lines::LineIndex;
use crate::source::{FileKind, Project};

pub(super) fn source(text: &str) -> SourceFile {
    SourceFile {
        path: PathBuf::from("001_x.sql"),
        display: "001_x.sql".into(),
        root: 0,
        version: None,
        name: "x".into(),
        kind: FileKind::Forward,
        reason: "test".into(),
        text: text.to_owned(),
        lines: LineIndex::new(text),
        forward_ranges: vec![0..text.len()],
    }
}

fn parse(text: &str) -> ParsedFile {
    parse_file_keep_ast(3, &source(text), &[])
}

fn slice<'a>(text: &'a str, s: &Span) -> &'a str {
    &text[s.start()..s.end()]
}

fn unparsable(p: &ParsedFile) -> Vec<(&str, bool, Option<&str>)> {
    p.diagnostics
        .iter()
        .filter_map(|d| match &d.kind {
            DiagKind::Unparsable {
                error,
                schema_relevant,
                recovered,
            } => Some((error.as_str(), *schema_relevant, recovered.as_deref())),
            _ => None,
        })
        .collect()
}

fn replacement(pattern: &str, value: &str) -> Replacement {
    Replacement {
        pattern: regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{e}")),
        value: value.into(),
    }
}

#[test]
fn statements_get_exact_spans_and_asts() {
    let t = "-- head\nCREATE TABLE a (id int PRIMARY KEY);\r\n\r\nINSERT INTO a VALUES (1)";
    let p = parse(t);
    assert_eq!(p.file, 3);
    assert_eq!(p.statements.len(), 2);
    assert_eq!(
        slice(t, &p.statements[0].span),
        "CREATE TABLE a (id int PRIMARY KEY)"
    );
    assert_eq!(slice(t, &p.statements[1].span), "INSERT INTO a VALUES (1)");
    assert!(
        p.statements
            .iter()
            .all(|s| s.ast.is_some() && s.origin == Origin::TopLevel && s.span.file() == 3)
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
}

#[test]
fn sqlparser_locations_map_to_file_offsets_with_crlf_and_multibyte() {
    let t = "SELECT 1;\r\nCREATE TABLE\r\n  \"café\".\"naïve\" (x int);";
    let p = parse(t);
    let s = &p.statements[1];
    let Some(sqlparser::ast::Statement::CreateTable(ct)) = s.ast.as_deref() else {
        panic!("{:?}", s.ast)
    };
    let name_span = ct.name.span();
    let got = s.file_span(name_span).unwrap_or_else(|| panic!("no span"));
    assert_eq!(slice(t, &got), "\"café\".\"naïve\"");
    assert_eq!(s.file_span(sqlparser::tokenizer::Span::empty()), None);
    // out of range positions clamp instead of panicking
    assert_eq!(s.file_offset(99, 1), s.span.end());
    assert_eq!(s.file_offset(1, 999), t.find("\r\n  \"").unwrap_or(0) + 1);
}

#[test]
fn unparsable_statement_reports_file_relative_position_and_recovers_target() {
    let t = "SELECT 1;\n\nALTER TABLE IF EXISTS ONLY public.t ALTER CONSTRAINT fk NOT DEFERRABLE NONSENSE;\nSELECT 2;";
    let p = parse(t);
    assert_eq!(p.statements.len(), 3);
    let bad = &p.statements[1];
    assert!(bad.ast.is_none());
    let rec = bad
        .recovered
        .clone()
        .unwrap_or_else(|| panic!("no recovery"));
    assert_eq!(rec.verb, "ALTER TABLE");
    assert_eq!(rec.target.as_deref(), Some("public.t"));
    let u = unparsable(&p);
    assert_eq!(u.len(), 1);
    let (error, relevant, recovered) = u[0];
    assert!(relevant);
    assert_eq!(recovered, Some("ALTER TABLE public.t"));
    assert!(error.contains("Line: 3, Column: "), "{error}");
    assert!(!error.starts_with("sql parser error"), "{error}");
    assert_eq!(
        p.diagnostics[0].span,
        Span::new(3, 11, 11 + slice(t, &bad.span).len())
    );
    assert!(p.statements[2].ast.is_some());
}

#[test]
fn unparsable_ddl_outside_the_model_is_not_schema_relevant() {
    let t = "ALTER SUBSCRIPTION live REFRESH PUBLICATION WITH (copy_data = false);\nALTER INDEX i SET (fillfactor = 70);\nALTER TABLE t ALTER COLUMN id SET (n_distinct = 100), ADD COLUMN x int;";
    let relevant: Vec<bool> = unparsable(&parse(t)).iter().map(|u| u.1).collect();
    assert_eq!(relevant, [false, false, true]);
}

#[test]
fn error_column_is_made_relative_to_the_file() {
    // The bad token `)` is on file line 2, column 22 (chars): `CREATE TABLE é (a int,)`.
    let t = "SELECT 1;\nCREATE TABLE é (a int,,);";
    let p = parse(t);
    let u = unparsable(&p);
    assert_eq!(u.len(), 1);
    let col = t
        .lines()
        .nth(1)
        .map(|l| l.chars().position(|c| c == ',').unwrap_or(0) + 2)
        .unwrap_or(0);
    assert!(
        u[0].0.contains(&format!("Line: 2, Column: {col}")),
        "{}",
        u[0].0
    );
}

#[test]
fn non_schema_failures_are_not_relevant() {
    let p = parse("SELECT 1 +;");
    assert_eq!(unparsable(&p).len(), 1);
    assert!(!unparsable(&p)[0].1);
    // A misspelt first word is no statement of PostgreSQL's: refused, not unparsable.
    let p = parse("SELEC 1;");
    assert!(unparsable(&p).is_empty());
    assert!(matches!(
        p.statements[0].ir.as_deref(),
        Some(crate::model::ir::Change::Rejected { .. })
    ));
}

#[test]
fn placeholders_suggest_replace_and_replacements_keep_offsets() {
    let t = "CREATE TABLE {{ index .Options \"Namespace\" }}.users (id int);";
    let p = parse(t);
    assert!(
        unparsable(&p)[0].0.contains("--replace"),
        "{:?}",
        unparsable(&p)
    );

    let r = [replacement(r"\{\{[^}]*\}\}", "auth")];
    let p = parse_file_keep_ast(0, &source(t), &r);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let s = &p.statements[0];
    assert_eq!(s.text, "CREATE TABLE auth.users (id int)");
    assert_eq!(slice(t, &s.span), &t[..t.len() - 1]);
    // `users` and `id` still point at the original file
    let users = s.text.find("users").unwrap_or(0);
    assert_eq!(s.offsets.to_file(users), t.find("users").unwrap_or(0));
    let id = s.text.find("id int").unwrap_or(0);
    assert_eq!(s.offsets.to_file(id), t.find("id int").unwrap_or(0));
    // inside the replaced region: from the region start, clamped to its end
    assert_eq!(s.offsets.to_file(13), 13);
    assert_eq!(s.offsets.to_file(14), 14);
    let Some(sqlparser::ast::Statement::CreateTable(ct)) = s.ast.as_deref() else {
        panic!()
    };
    let col = ct.columns[0].name.span;
    assert_eq!(
        s.file_span(col).map(|sp| slice(t, &sp).to_owned()),
        Some("id".to_owned())
    );
}

#[test]
fn chained_replacements_compose_offset_maps() {
    // shrink then grow, with a capture group
    let original = "SELECT ${schema}.a, ${x} FROM t";
    let r = [
        replacement(r"\$\{schema\}", "s"),
        replacement(r"\$\{(\w+)\}", "long_${1}_value"),
    ];
    let (text, map) = substitute(original, 100, &r);
    assert_eq!(text, "SELECT s.a, long_x_value FROM t");
    let a = text.find(".a").unwrap_or(0);
    assert_eq!(map.to_file(a), 100 + original.find(".a").unwrap_or(0));
    let from = text.find("FROM").unwrap_or(0);
    assert_eq!(map.to_file(from), 100 + original.find("FROM").unwrap_or(0));
    // the long value maps inside the original `${x}` (4 bytes), never past it
    let x = original.find("${x}").unwrap_or(0) + 100;
    let lv = text.find("long").unwrap_or(0);
    assert_eq!(map.to_file(lv), x);
    assert_eq!(map.to_file(lv + 8), x + 4);
    assert_eq!(map.to_file(text.len()), 100 + original.len());
    // monotone everywhere
    let mapped: Vec<usize> = (0..=text.len()).map(|i| map.to_file(i)).collect();
    assert!(mapped.windows(2).all(|w| w[0] <= w[1]));
    // no substitution: a single shift, and the identity map
    let (same, shift) = substitute("SELECT 1", 7, &r);
    assert_eq!(same, "SELECT 1");
    assert_eq!(shift.to_file(3), 10);
    assert_eq!(OffsetMap::default().to_file(5), 5);
}

#[test]
fn do_blocks_yield_their_static_statements() {
    let t = "CREATE TABLE t (a int);\n\
             DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'fk') THEN\n    \
             ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);\n  END IF;\n  \
             RAISE NOTICE 'done';\n  CREATE INDEX ix ON t (a);\nEND\n$$;\n\
             DO LANGUAGE plpgsql $body$ BEGIN DROP TABLE old; EXCEPTION WHEN undefined_table THEN NULL; END $body$;\n\
             SELECT 1;";
    let p = parse(t);
    assert!(unparsable(&p).is_empty(), "{:?}", unparsable(&p));
    let got: Vec<(&str, Origin, bool)> = p
        .statements
        .iter()
        .map(|s| (slice(t, &s.span), s.origin, s.ast.is_some()))
        .collect();
    assert_eq!(got.len(), 8, "{got:#?}");
    assert_eq!(got[0].1, Origin::TopLevel);
    assert!(got[1].0.starts_with("DO $$") && got[1].0.ends_with("$$"));
    assert_eq!((got[1].1, got[1].2), (Origin::TopLevel, false));
    assert_eq!(
        p.statements[1].recovered.as_ref().map(|r| r.verb.as_str()),
        Some("DO")
    );
    // The IF condition's subquery runs where the IF stands.
    assert_eq!(
        got[2],
        (
            "SELECT 1 FROM pg_constraint WHERE conname = 'fk'",
            Origin::DoBody {
                parent: 1,
                conditional: false
            },
            true
        )
    );
    assert_eq!(
        got[3],
        (
            "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)",
            Origin::DoBody {
                parent: 1,
                conditional: true
            },
            true
        )
    );
    assert_eq!(
        got[4],
        (
            "CREATE INDEX ix ON t (a)",
            Origin::DoBody {
                parent: 1,
                conditional: false
            },
            true
        )
    );
    assert!(got[5].0.starts_with("DO LANGUAGE"));
    assert_eq!(
        got[6],
        (
            "DROP TABLE old",
            Origin::DoBody {
                parent: 5,
                conditional: true
            },
            true
        )
    );
    assert_eq!(got[7], ("SELECT 1", Origin::TopLevel, true));
    // spans of body statements hold sqlparser positions too
    let ix = &p.statements[4];
    let Some(sqlparser::ast::Statement::CreateIndex(ci)) = ix.ast.as_deref() else {
        panic!("{:?}", ix.ast)
    };
    assert_eq!(
        ix.file_span(ci.table_name.span())
            .map(|s| slice(t, &s).to_owned()),
        Some("t".to_owned())
    );
}

#[test]
fn bad_sql_inside_do_is_unparsable_and_relevant() {
    let t = "DO $$ BEGIN ALTER TABLE x ALTER CONSTRAINT c DEFERRABLE NONSENSE; END $$;";
    let p = parse(t);
    let u = unparsable(&p);
    assert_eq!(u.len(), 1, "{u:?}");
    assert!(u[0].1);
    assert_eq!(u[0].2, Some("ALTER TABLE x"));
    assert_eq!(p.statements.len(), 2);
    assert_eq!(p.diagnostics[0].span.start(), t.find("ALTER").unwrap_or(0));
}

#[test]
fn create_function_bodies_are_not_extracted() {
    let t =
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE TABLE x (); END $$;";
    let p = parse(t);
    assert_eq!(p.statements.len(), 1);
    assert!(p.statements[0].ast.is_some(), "{:?}", p.diagnostics);
}

#[test]
fn nested_do_blocks_point_to_their_parent() {
    let t = "DO $a$ BEGIN DO $b$ BEGIN CREATE TABLE z (); END $b$; END $a$;";
    let p = parse(t);
    let origins: Vec<Origin> = p.statements.iter().map(|s| s.origin).collect();
    assert_eq!(
        origins,
        [
            Origin::TopLevel,
            Origin::DoBody {
                parent: 0,
                conditional: false
            },
            Origin::DoBody {
                parent: 1,
                conditional: false
            }
        ]
    );
    assert_eq!(slice(t, &p.statements[2].span), "CREATE TABLE z ()");
}

#[test]
fn psql_meta_is_a_diagnostic_not_a_statement() {
    let t = "\\set ON_ERROR_STOP on\nSELECT 1;\n";
    let p = parse(t);
    assert_eq!(p.statements.len(), 1);
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(
        p.diagnostics[0].kind,
        DiagKind::PsqlMeta {
            command: "\\set".into()
        }
    );
    assert_eq!(slice(t, &p.diagnostics[0].span), "\\set ON_ERROR_STOP on");
}

#[test]
fn unterminated_input_is_one_diagnostic_at_its_start() {
    let t = "SELECT 1;\nDO $body$ BEGIN CREATE TABLE x ();";
    let p = parse(t);
    assert_eq!(
        p.diagnostics,
        vec![Diagnostic {
            span: Span::new(3, 13, 19),
            kind: DiagKind::Unterminated {
                what: "dollar-quoted body $body$".into()
            }
        }]
    );
    assert_eq!(p.statements.len(), 2);
    let t = "INSERT INTO t VALUES ('oops);";
    let p = parse(t);
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(
        p.diagnostics[0].kind,
        DiagKind::Unterminated {
            what: "single-quoted string".into()
        }
    );
    assert_eq!(p.diagnostics[0].span.start(), 22);
    assert_eq!(
        p.statements[0]
            .recovered
            .as_ref()
            .and_then(|r| r.target.as_deref()),
        Some("t")
    );
}

#[test]
fn top_level_raise_is_rejected_by_postgres() {
    let p = parse("RAISE NOTICE 'hi';");
    assert!(
        p.diagnostics
            .iter()
            .any(|d| matches!(d.kind, DiagKind::RejectedByPostgres { .. }))
    );
    let p = parse("DO $$ BEGIN RAISE NOTICE 'hi'; END $$;");
    assert!(p.diagnostics.is_empty());
}

#[test]
fn only_forward_ranges_are_split() {
    let t = "-- migrate:up\nCREATE TABLE a ();\n-- migrate:down\nDROP TABLE a;\n";
    let mut f = source(t);
    let down = t.find("-- migrate:down").unwrap_or(0);
    f.forward_ranges = vec![0..down];
    let p = parse_file_keep_ast(0, &f, &[]);
    assert_eq!(p.statements.len(), 1);
    assert_eq!(slice(t, &p.statements[0].span), "CREATE TABLE a ()");
}

#[test]
fn ignores_attach_to_the_next_or_enclosing_statement() {
    let t = "-- ogel-schema: ignore-file naming\n\
             SELECT 1;\n\
             -- ogel-schema: ignore a, b -- legacy\n\
             CREATE TABLE x ();\n\
             CREATE TABLE y (\n  /* ogel-schema: ignore c */\n  id int\n);\n\
             DO $$ BEGIN\n  -- ogel-schema: ignore d\n  CREATE TABLE z ();\nEND $$;\n\
             -- ogel-schema: ignore e\n";
    let p = parse(t);
    let got: Vec<(Vec<String>, Option<&str>, bool)> = p
        .ignores
        .iter()
        .map(|i| {
            (
                i.rules.clone(),
                i.statement.map(|s| slice(t, &p.statements[s].span)),
                i.file_wide,
            )
        })
        .collect();
    let v = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            (v(&["naming"]), None, true),
            (v(&["a", "b"]), Some("CREATE TABLE x ()"), false),
            (
                v(&["c"]),
                Some("CREATE TABLE y (\n  /* ogel-schema: ignore c */\n  id int\n)"),
                false
            ),
            (v(&["d"]), Some("CREATE TABLE z ()"), false),
            (v(&["e"]), None, false),
        ]
    );
    assert_eq!(
        slice(t, &p.ignores[1].span),
        "-- ogel-schema: ignore a, b -- legacy"
    );
}

#[test]
fn parse_all_keeps_indices_and_skips_unapplied_files() {
    let mut down = source("DROP TABLE a;");
    down.kind = FileKind::Down;
    let project = Project {
        files: vec![source("CREATE TABLE a ();"), down, source("SELECT 1;")],
        diagnostics: vec![],
    };
    let parsed = parse_all(&project, &[], crate::par::Threads::Pool);
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed.iter().map(|p| p.file).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(
        parsed
            .iter()
            .map(|p| p.statements.len())
            .collect::<Vec<_>>(),
        [1, 0, 1]
    );
}

#[test]
fn many_statements_keep_order_under_parallel_parsing() {
    let t: String = (0..500)
        .map(|i| format!("CREATE TABLE t{i} (id int);\n"))
        .collect();
    let p = parse(&t);
    assert_eq!(p.statements.len(), 500);
    for (i, s) in p.statements.iter().enumerate() {
        assert_eq!(slice(&t, &s.span), format!("CREATE TABLE t{i} (id int)"));
        assert!(s.ast.is_some());
    }
}

// ---- robustness: none of these may panic or hang ----

#[test]
fn empty_and_blank_files() {
    for t in ["", "   \n\r\n", "-- only a comment", ";;;", "/* */"] {
        let p = parse(t);
        assert!(p.statements.is_empty() && p.diagnostics.is_empty(), "{t:?}");
    }
}

#[test]
fn invalid_utf8_and_binary_garbage() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| u8::try_from((i * 7919 + 13) % 256).unwrap_or(0))
        .collect();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let p = parse(&text);
    for s in &p.statements {
        assert!(text.get(s.span.range()).is_some());
    }
    let lossy =
        String::from_utf8_lossy(b"CREATE TABLE \xff\xfe (a int); SELECT '\xc3';").into_owned();
    let p = parse(&lossy);
    assert_eq!(p.statements.len(), 2);
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let depth = 10_000;
    let t = format!("SELECT {}1{};", "(".repeat(depth), ")".repeat(depth));
    let p = parse(&t);
    assert_eq!(p.statements.len(), 1);
    assert!(p.statements[0].ast.is_none());
    assert!(
        unparsable(&p)[0].0.contains("recursion"),
        "{:?}",
        unparsable(&p)
    );
}

#[test]
fn deep_nesting_of_every_shape_is_a_clean_error() {
    // Each runs on the default 2 MiB test thread, like a rayon worker.
    let n = 5_000;
    let shapes = [
        format!("SELECT ARRAY{}1{};", "[".repeat(n), "]".repeat(n)),
        format!("SELECT {}1;", "- ".repeat(n)),
        format!("SELECT {}true;", "NOT ".repeat(n)),
        format!("SELECT {}1{};", "(SELECT ".repeat(n), ")".repeat(n)),
        format!(
            "SELECT {}1{};",
            "CASE WHEN true THEN ".repeat(n),
            " END".repeat(n)
        ),
        format!("CREATE TABLE t (a int{});", "[]".repeat(n)),
        format!("SELECT * FROM {}t{};", "(".repeat(n), ")".repeat(n)),
        format!("SELECT 1 {}", "UNION SELECT 1 ".repeat(n)),
        format!("SELECT {}1{};", "f(".repeat(n), ")".repeat(n)),
        format!("SELECT 1{};", "::int".repeat(n)),
        format!("SELECT a{};", "[1]".repeat(n)),
        format!("SELECT 1 {};", "+ 1 ".repeat(n * 4)),
        format!(
            "CREATE TABLE t (a int CHECK ({}a{}));",
            "(".repeat(n),
            ")".repeat(n)
        ),
        format!("SELECT ROW{}1{};", "(ROW".repeat(n), ")".repeat(n + 1)),
    ];
    for sql in &shapes {
        let p = parse(sql);
        assert_eq!(p.statements.len(), 1, "{}", &sql[..40]);
    }
}

#[test]
fn unterminated_dollar_and_huge_single_line() {
    let p = parse("DO $$ BEGIN CREATE TABLE x (); END");
    assert_eq!(p.diagnostics.len(), 1);
    let values: Vec<String> = (0..20_000).map(|i| format!("({i}, 'v{i}')")).collect();
    let t = format!("INSERT INTO t (a, b) VALUES {};", values.join(", "));
    let p = parse(&t);
    assert!(p.statements[0].ast.is_some());
    let end = p.statements[0].file_offset(1, u64::try_from(t.chars().count()).unwrap_or(0));
    assert_eq!(end, t.len() - 1);
}

#[test]
fn hostile_identifiers() {
    let long = "x".repeat(100_000);
    let t = format!(
        "CREATE TABLE \"a;b\"\"--c/*\" (\"$$\" int, \"日本\" text, {long} int);\n\
         CREATE TABLE \"\u{202e}evil\" ();\nCREATE TABLE $$x$$ ();\nCREATE TABLE e'x' ();"
    );
    let p = parse(&t);
    assert_eq!(p.statements.len(), 4);
    assert!(p.statements[0].ast.is_some(), "{:?}", p.diagnostics);
    assert!(p.statements[1].ast.is_some());
}

#[test]
fn big_file_of_create_tables() {
    // 20 MB runs in about a second in release; the debug test stays small.
    let one = "CREATE TABLE IF NOT EXISTS public.t (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x;y', \
               created_at timestamptz DEFAULT now());\n";
    let t = one.repeat(2_000);
    let p = parse(&t);
    assert_eq!(p.statements.len(), 2_000);
    assert!(p.diagnostics.is_empty());
}

/// Timing check, run by hand: `cargo test --release --lib parse::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release by hand"]
fn timing_20mb() {
    let one = "CREATE TABLE IF NOT EXISTS public.t (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x;y', \
               created_at timestamptz DEFAULT now()); -- c\n";
    let t = one.repeat(20_000_000 / one.len());
    let start = std::time::Instant::now();
    let s = split::split(&t, 0..t.len());
    let split_time = start.elapsed();
    let start = std::time::Instant::now();
    let mut n = 0;
    for r in s.statements.iter().take(20_000) {
        let text = &t[r.span.clone()];
        n += sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(text)
            .and_then(|mut p| p.parse_statements())
            .map_or(0, |v| v.len());
    }
    eprintln!(
        "sqlparser alone, 20k statements sequential: {:?} ({n})",
        start.elapsed()
    );
    let start = std::time::Instant::now();
    let p = parse(&t);
    let parse_time = start.elapsed();
    let start = std::time::Instant::now();
    drop(p);
    eprintln!("drop {:?}", start.elapsed());
    let p = parse(&t);
    assert_eq!(p.statements.len(), s.statements.len());
    let mb = f64::from(u32::try_from(t.len()).unwrap_or(0)) / 1e6;
    eprintln!(
        "{mb:.1} MB, {} statements: split {split_time:?} ({:.0} MB/s), parse_file {parse_time:?}",
        s.statements.len(),
        mb / split_time.as_secs_f64()
    );
}

/// A long file (more pieces than [`stream::STREAM_MIN`]) handed to the replay batch by batch
/// gives the same parse and the same model as parsing it whole, with DO bodies, ignore
/// comments, psql meta-commands, unparsable statements, transactions and an unterminated end
/// spread across batch edges; and a consumer that reads nothing still gets the whole file.
/// Short files around it are parsed by the workers or by the consumer while it waits; on
/// pools of 1, 2 and 4 threads and on the calling thread, every file and the model are the
/// same.
#[test]
fn a_long_file_handed_over_in_batches_equals_the_whole_parse() {
    use crate::model::{self, ModelSettings, Retain};
    use crate::par::Threads;
    let mut t = String::from("CREATE TABLE t0 (id int PRIMARY KEY);\nBEGIN;\n");
    for i in 1..2400 {
        t.push_str(&match i % 8 {
            0 => format!("-- ogel-schema: ignore unindexed-foreign-key\nCREATE TABLE t{i} (id int PRIMARY KEY, p int REFERENCES t0 (id));\n"),
            1 => format!("DO $$ BEGIN CREATE TABLE d{i} (id int); IF true THEN DROP TABLE d{i}; END IF; END $$;\n"),
            2 => format!("ALTER TABLE t{} ADD COLUMN c{i} int;\n", i - 2),
            3 => format!("CREATE TABLE bad{i} (id int) WITH OIDS garbage;\n"),
            4 => "\\set x 1\n".to_owned(),
            5 => "COMMIT;\nBEGIN;\n".to_owned(),
            6 => format!("CREATE INDEX ON t{} (id);\nINSERT INTO missing{i} VALUES (1);\n", i - 6),
            _ => format!("COMMENT ON TABLE t{} IS 'x';\n", i - 7),
        });
    }
    t.push_str("COMMIT;\nSELECT 'never closed");
    // Longer than the consumer parses itself, so it is streamed and the consumer helps with
    // its batches.
    assert!(t.len() > stream::HELP_MAX_BYTES, "{}", t.len());
    let short = |i: usize| {
        source(&format!(
            "CREATE TABLE s{i} (id int PRIMARY KEY, t int REFERENCES t0 (id));\nALTER TABLE s{i} ADD COLUMN x{i} int;\n"
        ))
    };
    let mut files: Vec<SourceFile> = (0..6).map(short).collect();
    files.insert(0, source("CREATE TABLE t0 (id int PRIMARY KEY);\n"));
    files.insert(4, source(&t));
    let project = Project {
        files,
        diagnostics: vec![],
    };
    let whole: Vec<ParsedFile> = (0..project.files.len())
        .map(|id| parse_file(id, &project.files[id], &[]))
        .collect();
    assert!(whole[4].statements.len() > stream::STREAM_MIN);
    assert!(!whole[4].ignores.is_empty());
    assert!(whole[4].diagnostics.len() > 100);
    let whole_model = model::build(&project, &whole, &ModelSettings::default());

    let json =
        |m: &model::Model| serde_json::to_string(&model::json::document(&project, m)).unwrap();
    let check = |threads: Threads| {
        let (parsed, streamed_model) = parse_all_while(&project, &[], threads, |parsed| {
            model::build_with(&project, parsed, &ModelSettings::default(), Retain::Ir)
        });
        assert_eq!(format!("{parsed:?}"), format!("{whole:?}"));
        assert_eq!(json(&streamed_model), json(&whole_model));
        assert_eq!(
            format!("{:?}", streamed_model.problems),
            format!("{:?}", whole_model.problems)
        );
        let (parsed, ()) = parse_all_while(&project, &[], threads, |_| ());
        assert_eq!(format!("{parsed:?}"), format!("{whole:?}"));
    };
    // On a pool the long file is streamed in batches; on the calling thread (and on a pool of
    // one thread) every file is parsed whole before the replay.
    for size in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(size)
            .build()
            .unwrap();
        pool.install(|| check(Threads::Pool));
    }
    check(Threads::Caller);
}

/// What a computed EXECUTE's template does, statement by statement: an ALTER TABLE that only
/// switches row-level security is told apart from one that may change columns.
#[test]
fn computed_templates_are_read_statement_by_statement() {
    // A pattern that does not compile would silently leave its placeholder unfilled.
    assert!(PLACEHOLDERS.iter().all(Option::is_some));
    let verbs = |t: &str| dynamic_verbs(t);
    assert_eq!(
        verbs(
            " -- enable it\n ALTER TABLE %1$I ENABLE ROW LEVEL SECURITY;\n \
             CREATE POLICY p ON %1$I USING (%1$I.owner = current_user);\n \
             ALTER TABLE IF EXISTS ONLY public.%I FORCE ROW LEVEL SECURITY;\n \
             ALTER TABLE \"x\" NO FORCE ROW LEVEL SECURITY"
        ),
        [
            "ALTER TABLE ROW LEVEL SECURITY",
            "CREATE POLICY",
            "ALTER TABLE ROW LEVEL SECURITY",
            "ALTER TABLE ROW LEVEL SECURITY"
        ]
    );
    assert_eq!(
        verbs("ALTER TABLE %I ENABLE ROW LEVEL SECURITY, ADD COLUMN x int"),
        ["ALTER TABLE"]
    );
    assert_eq!(
        verbs("ALTER TABLE %I ADD COLUMN x int; DROP TABLE %I"),
        ["ALTER TABLE", "DROP TABLE"]
    );
    // Only the start of the statement (`'ALTER TABLE ' || t || ...`): its verb.
    assert_eq!(verbs("ALTER TABLE "), ["ALTER TABLE"]);
}

/// What [`cut_off`] claims rests on sqlparser's error text for running out of input: held here
/// so that a sqlparser that words it otherwise fails a test instead of dropping the refusal.
#[test]
fn statements_ending_inside_parentheses_are_refused_only_when_the_parser_ran_out_too() {
    let refusal = |text: &str| {
        let p = parse(text);
        p.statements.iter().find_map(|s| match s.ir.as_deref() {
            Some(crate::model::ir::Change::Rejected { refusal, at, .. }) => Some((
                refusal.reason.to_string(),
                at.map(|a| slice(text, &a).to_string()),
            )),
            _ => None,
        })
    };
    let end = Some((
        "syntax error at end of input".to_string(),
        Some("t".to_string()),
    ));
    assert_eq!(refusal("CREATE TABLE t (id int, note text"), end);
    assert_eq!(
        refusal("CREATE TABLE t (id int, note text;\nSELECT 1;"),
        Some((
            "syntax error at or near \";\"".to_string(),
            Some(";".to_string())
        ))
    );
    // An error before the end is PostgreSQL's to name: no claim, an unparsable statement.
    assert_eq!(refusal("CREATE TABLE t (id int,, note text"), None);
    // More `)` than `(` on the way, or all closed: not this refusal.
    assert_eq!(refusal("CREATE TABLE t (id int)) (note text"), None);
}
