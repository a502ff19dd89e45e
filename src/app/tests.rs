//! Tests of the whole scan over the fixture trees: `fixtures/ogelbase/app` (the seed's API
//! status table) and `fixtures/app/<lang>` (markers in comments say what must be found).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn line_of_sql(scan: &AppScan, q: &EmbeddedQuery, needle: &str) -> usize {
    let at = q
        .sql
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {}", q.sql));
    scan.files[q.file].lines.line_of(q.file_offset(at))
}

fn endpoint<'a>(scan: &'a AppScan, method: &str, route: &str) -> &'a Endpoint {
    scan.endpoints
        .iter()
        .find(|e| e.method == method && e.route == route)
        .unwrap_or_else(|| panic!("no endpoint {method} {route}"))
}

fn sql_of(scan: &AppScan, e: &Endpoint) -> String {
    e.queries
        .iter()
        .map(|&q| scan.queries[q].sql.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ogelbase_endpoints_methods_and_queries() {
    let scan = scan(&[fixture("ogelbase/app")]);
    assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
    let got: BTreeSet<(&str, &str)> = scan
        .endpoints
        .iter()
        .map(|e| (e.method.as_str(), e.route.as_str()))
        .collect();
    let want: BTreeSet<(&str, &str)> = [
        ("GET", "/api/platform/organizations"),
        ("GET", "/api/platform/organizations/[slug]"),
        ("GET", "/api/platform/projects"),
        ("GET", "/api/platform/projects/[ref]"),
        ("POST", "/api/platform/projects/create"),
        ("GET", "/api/platform/organizations/[slug]/usage"),
        ("GET", "/api/platform/projects/[ref]/billing/addons"),
        ("GET", "/api/platform/projects/[ref]/infra-monitoring"),
        ("GET", "/api/platform/profile"),
        ("GET", "/api/platform/organizations/[slug]/billing/plans"),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    assert_eq!(
        scan.endpoints.len(),
        want.len(),
        "one endpoint per route and method"
    );
    // Helpers under lib/ hold no SQL; every query belongs to an endpoint.
    assert!(
        scan.files
            .iter()
            .all(|f| f.display.starts_with("pages/api/platform/"))
    );
    for q in &scan.queries {
        let e = q
            .endpoint
            .expect("every ogelbase query is inside a handler");
        assert!(
            scan.endpoints[e]
                .queries
                .contains(&(scan.queries.iter().position(|x| x == q).unwrap()))
        );
        assert!(!q.dynamic_relations, "{}", q.sql);
        assert!(sql::parses(&q.sql), "does not parse: {}", q.sql);
    }

    // The three broken endpoints point at the missing tables, at the seed's lines.
    let usage = endpoint(&scan, "GET", "/api/platform/organizations/[slug]/usage");
    let q = usage
        .queries
        .iter()
        .map(|&i| &scan.queries[i])
        .find(|q| q.sql.contains("organization_members"))
        .unwrap();
    assert_eq!(line_of_sql(&scan, q, "platform.organization_members"), 69);
    assert_eq!(line_of_sql(&scan, q, "p.db_size_bytes"), 66);
    let addons = endpoint(&scan, "GET", "/api/platform/projects/[ref]/billing/addons");
    let q = addons
        .queries
        .iter()
        .map(|&i| &scan.queries[i])
        .find(|q| q.sql.contains("project_addons"))
        .unwrap();
    assert_eq!(line_of_sql(&scan, q, "platform.project_addons"), 96);
    assert_eq!(line_of_sql(&scan, q, "pa.project_id = $1"), 98);
    let infra = endpoint(
        &scan,
        "GET",
        "/api/platform/projects/[ref]/infra-monitoring",
    );
    let q = infra
        .queries
        .iter()
        .map(|&i| &scan.queries[i])
        .find(|q| q.sql.contains("project_metrics"))
        .unwrap();
    assert_eq!(line_of_sql(&scan, q, "platform.project_metrics"), 69);
    assert_eq!(line_of_sql(&scan, q, "pm.project_id"), 70);

    // The working endpoints query the tables that exist.
    for (method, route, tables) in [
        (
            "GET",
            "/api/platform/organizations",
            &["platform.organizations"][..],
        ),
        (
            "GET",
            "/api/platform/organizations/[slug]",
            &["platform.organizations"][..],
        ),
        (
            "GET",
            "/api/platform/projects",
            &["platform.projects", "platform.organizations"][..],
        ),
        (
            "GET",
            "/api/platform/projects/[ref]",
            &["platform.projects", "platform.credentials"][..],
        ),
        (
            "POST",
            "/api/platform/projects/create",
            &[
                "platform.organizations",
                "platform.projects",
                "platform.credentials",
            ][..],
        ),
    ] {
        let e = endpoint(&scan, method, route);
        let text = sql_of(&scan, e);
        for t in tables {
            assert!(text.contains(t), "{route} should query {t}");
        }
        assert!(!e.mock && !e.mock_fallback, "{route}");
    }
    let create = endpoint(&scan, "POST", "/api/platform/projects/create");
    assert_eq!(create.queries.len(), 3);

    // Mock data.
    let profile = endpoint(&scan, "GET", "/api/platform/profile");
    assert!(profile.mock && profile.queries.is_empty());
    let plans = endpoint(
        &scan,
        "GET",
        "/api/platform/organizations/[slug]/billing/plans",
    );
    assert!(!plans.mock && plans.mock_fallback);
    assert!(sql_of(&scan, plans).contains("platform.billing_plans"));
    let mocks: Vec<&str> = scan
        .endpoints
        .iter()
        .filter(|e| e.mock)
        .map(|e| e.route.as_str())
        .collect();
    assert_eq!(mocks, ["/api/platform/profile"]);
}

/// What the markers of one fixture file expect, and what the scan found, as comparable rows.
fn marker_rows(scan: &AppScan, file: &AppFile, fi: usize) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut want = BTreeSet::new();
    let lines: Vec<&str> = file.text.split('\n').collect();
    let is_marker = |l: &str| l.contains("expect:");
    for (i, line) in lines.iter().enumerate() {
        let Some(pos) = line.find("expect:") else {
            continue;
        };
        let target = (i + 1..lines.len())
            .find(|&j| !is_marker(lines[j]))
            .map_or(0, |j| j + 1);
        let spec = line[pos + 7..].trim();
        if let Some(rest) = spec.strip_prefix("endpoint") {
            want.insert(format!("endpoint {target} {}", rest.trim()));
        } else if let Some(rest) = spec.strip_prefix("sql") {
            let dynamic = rest.contains("dynamic");
            let owner = rest.find('@').map(|a| rest[a + 1..].trim().to_owned());
            want.insert(format!("sql {target} dynamic={dynamic} owner={owner:?}"));
        }
    }
    let mut got = BTreeSet::new();
    for e in scan.endpoints.iter().filter(|e| e.file == fi) {
        let mock = if e.mock { " mock" } else { "" };
        got.insert(format!(
            "endpoint {} {} {}{mock}",
            e.line, e.method, e.route
        ));
    }
    for q in scan.queries.iter().filter(|q| q.file == fi) {
        let owner = q
            .endpoint
            .map(|e| format!("{} {}", scan.endpoints[e].method, scan.endpoints[e].route));
        got.insert(format!(
            "sql {} dynamic={} owner={owner:?}",
            file.lines.line_of(q.span.start),
            q.dynamic_relations
        ));
    }
    (want, got)
}

#[test]
fn per_language_fixtures_match_their_markers() {
    let root = fixture("app");
    let scan = scan(std::slice::from_ref(&root));
    assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
    let mut failures = Vec::new();
    let mut languages = BTreeSet::new();
    let mut marked_files = 0;
    for (fi, file) in scan.files.iter().enumerate() {
        languages.insert(file.language);
        let (want, got) = marker_rows(&scan, file, fi);
        marked_files += usize::from(!want.is_empty());
        for missing in want.difference(&got) {
            failures.push(format!("{}: missing  {missing}", file.display));
        }
        for extra in got.difference(&want) {
            failures.push(format!("{}: unexpected {extra}", file.display));
        }
    }
    // Files with markers that produced nothing at all would be invisible above.
    let (found, _) = walk::discover(&[root]);
    for f in &found {
        let text = std::fs::read_to_string(&f.path).unwrap();
        if text.contains("expect:") && !scan.files.iter().any(|x| x.display == f.display) {
            failures.push(format!("{}: has markers but nothing was found", f.display));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(marked_files >= 10);
    for lang in [
        Language::TypeScript,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
        Language::Kotlin,
        Language::Ruby,
        Language::Php,
    ] {
        assert!(
            languages.contains(&lang),
            "no fixture hit for {}",
            lang.name()
        );
    }
}

#[test]
fn every_static_fixture_query_parses() {
    let scan = scan(&[fixture("app"), fixture("ogelbase/app")]);
    let mut checked = 0;
    for q in scan.queries.iter().filter(|q| !q.dynamic_relations) {
        let parsed =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, &q.sql);
        assert!(
            parsed.is_ok(),
            "{}: {:?}\n{}",
            scan.files[q.file].display,
            parsed.err(),
            q.sql
        );
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} queries checked");
}

#[test]
fn dynamic_queries_name_a_dummy_relation() {
    let scan = scan(&[fixture("app")]);
    let dynamic: Vec<_> = scan
        .queries
        .iter()
        .filter(|q| q.dynamic_relations)
        .collect();
    assert!(dynamic.len() >= 8);
    for q in dynamic {
        assert!(q.sql.contains(sql::DUMMY_IDENT), "{}", q.sql);
    }
}

#[test]
fn next_routes_from_paths() {
    use endpoint::{next_app_route, next_pages_route};
    assert_eq!(
        next_pages_route(Path::new(
            "apps/studio/pages/api/platform/projects/[ref]/billing/addons.ts"
        ))
        .as_deref(),
        Some("/api/platform/projects/[ref]/billing/addons")
    );
    assert_eq!(
        next_pages_route(Path::new("pages/api/platform/profile/index.ts")).as_deref(),
        Some("/api/platform/profile")
    );
    assert_eq!(next_pages_route(Path::new("src/pages/about.tsx")), None);
    assert_eq!(
        next_app_route(Path::new("app/(admin)/api/@modal/users/[id]/route.ts")).as_deref(),
        Some("/api/users/[id]")
    );
    assert_eq!(next_app_route(Path::new("app/api/users/page.tsx")), None);
}

#[test]
fn switch_cases_split_one_handler_into_methods() {
    let src = r"
export default async function handler(req, res) {
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return list(req, res)
    case 'POST': {
      await db.query('INSERT INTO t (a) VALUES ($1)', [req.body.a])
      return res.status(201).json({})
    }
  }
}
async function list(req, res) {
  const r = await db.query('SELECT a FROM t')
  res.json(r.rows)
}
";
    let (queries, endpoints) =
        scan_text(Path::new("pages/api/things.ts"), Language::TypeScript, src);
    let methods: Vec<&str> = endpoints.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["GET", "HEAD", "POST"]);
    let owner = |needle: &str| {
        let q = queries.iter().find(|q| q.sql.contains(needle)).unwrap();
        endpoints[q.endpoint.unwrap()].method.clone()
    };
    assert_eq!(owner("SELECT"), "GET");
    assert_eq!(owner("INSERT"), "POST");
    assert!(endpoints.iter().all(|e| !e.mock));
}

#[test]
fn a_literal_response_next_to_a_db_call_is_not_mock() {
    let src = "app.get('/x', async (req, res) => { const n = await prisma.user.count(); res.json({ n }) })";
    let (_, endpoints) = scan_text(Path::new("server.js"), Language::JavaScript, src);
    assert_eq!(endpoints.len(), 1);
    assert!(!endpoints[0].mock);
    let src = "app.get('/x', (req, res) => res.status(404).json({ error: 'nope' }))";
    let (_, endpoints) = scan_text(Path::new("server.js"), Language::JavaScript, src);
    assert!(!endpoints[0].mock, "an error response is not mock data");
}

#[test]
fn unreadable_and_oversized_files_are_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("big.js"),
        "x".repeat(usize::try_from(MAX_FILE_BYTES).unwrap() + 1),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("latin1.py"),
        b"q = 'SELECT id FROM t' # caf\xe9\n",
    )
    .unwrap();
    let scan = scan(&[dir.path().to_path_buf()]);
    let kinds: Vec<_> = scan
        .diagnostics
        .iter()
        .map(|d| (d.display.as_str(), d.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("big.js", AppDiagnosticKind::TooLarge),
            ("latin1.py", AppDiagnosticKind::NotUtf8)
        ]
    );
    assert_eq!(scan.queries.len(), 1);
    assert_eq!(scan.scanned, 2);
}

/// 5,000 generated files (500 with a query); run with `--ignored --nocapture` (and `--release`) to time it.
#[test]
#[ignore = "timing"]
fn five_thousand_files() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..5000 {
        let sub = dir.path().join(format!("pkg{}", i % 50));
        std::fs::create_dir_all(&sub).unwrap();
        // One file in ten holds a query; the rest are ordinary modules.
        let head = if i % 10 == 0 {
            format!("  return db.query(`SELECT id, name FROM app.items_{i} WHERE id = ${{id}}`)\n")
        } else {
            format!("  return cache.get(`item-{i}-${{id}}`) ?? null\n")
        };
        let body = format!(
            "import {{ db, cache }} from './db'\nexport async function f{i}(id: string) {{\n{head}}}\n{}",
            "export const pad = [1, 2, 3].map((x) => x * 2)\n".repeat(40)
        );
        std::fs::write(sub.join(format!("f{i}.ts")), body).unwrap();
    }
    let t = std::time::Instant::now();
    let scan = scan(&[dir.path().to_path_buf()]);
    let took = t.elapsed();
    println!(
        "scanned {} files, {} queries in {took:?}",
        scan.scanned,
        scan.queries.len()
    );
    assert_eq!(scan.queries.len(), 500);
}

/// Scan the tree named by `OGEL_APP_SCAN` (robustness and speed on real code).
#[test]
#[ignore = "needs OGEL_APP_SCAN"]
fn scan_a_real_tree() {
    let Ok(root) = std::env::var("OGEL_APP_SCAN") else {
        return;
    };
    let t = std::time::Instant::now();
    let (found, _) = walk::discover(&[PathBuf::from(&root)]);
    println!("walk: {} files in {:?}", found.len(), t.elapsed());
    let texts: Vec<(PathBuf, String)> = found
        .iter()
        .filter_map(|f| Some((f.path.clone(), std::fs::read_to_string(&f.path).ok()?)))
        .collect();
    println!(
        "read: {} bytes in {:?}",
        texts.iter().map(|t| t.1.len()).sum::<usize>(),
        t.elapsed()
    );
    let pass = texts
        .iter()
        .filter(|(p, s)| prefilter::worth_parsing(p, s))
        .count();
    println!("prefilter: {pass} pass in {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let scan = scan(&[PathBuf::from(root)]);
    println!(
        "{} files scanned, {} kept, {} queries ({} parse), {} endpoints, {} diagnostics in {:?}",
        scan.scanned,
        scan.files.len(),
        scan.queries.len(),
        scan.queries.iter().filter(|q| sql::parses(&q.sql)).count(),
        scan.endpoints.len(),
        scan.diagnostics.len(),
        t.elapsed()
    );
    for q in scan
        .queries
        .iter()
        .filter(|q| !sql::parses(&q.sql))
        .take(15)
    {
        let f = &scan.files[q.file];
        println!(
            "-- {}:{}\n{}",
            f.display,
            f.lines.line_of(q.span.start),
            q.sql.trim()
        );
    }
}

/// The ancestors `Flat::each_with` hands out are the `Node::parent` chains, and the kinds each
/// node's, for every node of a file and for a walk started inside it.
#[test]
fn each_with_hands_out_the_parent_chain() {
    let text =
        std::fs::read_to_string(fixture("app/typescript/server.ts")).expect("a TypeScript fixture");
    let tree = Parsers::default()
        .parse(Language::TypeScript, &text)
        .expect("a tree");
    let chain = |n: tree_sitter::Node<'_>| {
        let mut out = Vec::new();
        let mut up = n.parent();
        while let Some(p) = up {
            out.push(p.id());
            up = p.parent();
        }
        out.reverse();
        out
    };
    let mut inner = None;
    let mut visited = 0;
    endpoint::Flat::new(tree.root_node()).each_with(&mut |n, kind, ancestors| {
        visited += 1;
        assert_eq!(kind, n.kind());
        let ids: Vec<usize> = ancestors.iter().map(tree_sitter::Node::id).collect();
        assert_eq!(ids, chain(n), "{}", n.kind());
        if ancestors.len() == 4 && n.child_count() > 0 && inner.is_none() {
            inner = Some(n);
        }
    });
    assert!(visited > 100);
    let inner = inner.expect("a node 4 deep with children");
    let mut in_inner = 0;
    endpoint::Flat::new(inner).each_with(&mut |n, _, ancestors| {
        in_inner += 1;
        let ids: Vec<usize> = ancestors.iter().map(tree_sitter::Node::id).collect();
        assert_eq!(ids, chain(n));
    });
    let mut plain = 0;
    endpoint::Flat::new(inner).each(&mut |_, _| plain += 1);
    assert!(in_inner > 1);
    assert_eq!(in_inner, plain);
}
