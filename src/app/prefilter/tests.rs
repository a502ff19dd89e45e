use std::path::Path;

use regex::bytes::Regex;

use super::worth_parsing;

type Pair = (Regex, Option<Regex>, usize);

/// The regexes the prefilter replaced, kept as its specification.
static PAIRS: std::sync::LazyLock<[Pair; 7]> = std::sync::LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).unwrap();
    [
        (re(r"(?i-u)\bselect\b"), None, 0),
        (re(r"(?i-u)\binsert\b"), Some(re(r"(?i-u)\binto\b")), 200),
        (re(r"(?i-u)\bupdate\b"), Some(re(r"(?i-u)\bset\b")), 300),
        (re(r"(?i-u)\bdelete\b"), Some(re(r"(?i-u)\bfrom\b")), 200),
        (
            re(r"(?i-u)\bwith\b"),
            Some(re(r"(?i-u)\bas\s*(?:not\s+)?(?:materialized\s+)?\(")),
            300,
        ),
        (re(r"(?i-u)\bmerge\b"), Some(re(r"(?i-u)\binto\b")), 200),
        (
            re(
                r#"(?i-u)\.(?:get|post|put|patch|delete|del|all|head|options|route|api_route|handlefunc|handle|any)\s*\(\s*["'`](?:/|[A-Z]+ /)"#,
            ),
            None,
            0,
        ),
    ]
});

fn by_regex(text: &str) -> bool {
    let bytes = text.as_bytes();
    PAIRS.iter().any(|(first, then, window)| {
        first.find_iter(bytes).any(|m| {
            then.as_ref().is_none_or(|then| {
                let end = (m.end() + window).min(bytes.len());
                then.is_match(&bytes[m.end()..end])
            })
        })
    })
}

const UTIL: &str = "src/util.ts";

#[test]
fn skips_files_without_sql_words_or_routes() {
    let p = Path::new(UTIL);
    assert!(!worth_parsing(
        p,
        "export const add = (a: number, b: number) => a + b\nmap.get(key)\n"
    ));
    assert!(!worth_parsing(
        p,
        "delete cache[key]; const x = { with: 1 }"
    ));
    assert!(!worth_parsing(p, "const selected = 1; preselect()"));
    assert!(worth_parsing(p, "const q = 'Select your organization'"));
    assert!(worth_parsing(
        p,
        "db.query('UPDATE ' + t +\n  ' SET a = 1')"
    ));
    assert!(worth_parsing(p, "`WITH t AS NOT\tMATERIALIZED (select 1)`"));
    assert!(worth_parsing(p, "router.post(\"/x\", h)"));
    assert!(worth_parsing(p, "r.HandleFunc( 'GET /x', h)"));
    assert!(worth_parsing(p, "@app.api_route(`/x`)"));
    assert!(!worth_parsing(p, "r.HandleFunc(\"GET/x\", h)"));
    assert!(worth_parsing(
        Path::new("pages/api/a.ts"),
        "export default () => null"
    ));
}

#[test]
fn every_case_agrees_with_the_regexes() {
    let cases = [
        "select",
        "xselect",
        "select_",
        "_select",
        "SeLeCt!",
        "insert into",
        "insert\ninto",
        "insertinto",
        "insert intox",
        "update t set",
        "update t settle",
        "delete from",
        "with x as (",
        "with x as(",
        "with x asnot (",
        "with x as not(",
        "with x as not (",
        "with x as materialized (",
        "with x as not materialized (",
        "with x as materialized not (",
        "with x bas (",
        "with_ as (",
        "merge into",
        ".get('/')",
        ".get ( \"/\"",
        ".GET(`GET /`",
        ".get('GET/')",
        ".get('G /",
        ".getx('/')",
        ".api_route('/')",
        ".api_routex('/')",
        ".api_get('/')",
        ".del('/')",
        ".delete( '/')",
        ".Handle(\"/\")",
        ".route(\t'/')",
        "é.get('/')",
        "select\u{e9}",
        "\u{e9}select",
        "..get('/')",
        ".get(",
        ".",
        "",
    ];
    for text in cases {
        assert_eq!(
            worth_parsing(Path::new(UTIL), text),
            by_regex(text),
            "{text:?}"
        );
    }
    // The second word at the edge of each window, whole or cut (`settle` cut to `set` counts).
    for (first, then) in [
        ("insert", "into"),
        ("update", "set"),
        ("delete", "from"),
        ("merge", "into"),
        ("with", "as ("),
        ("update", "settle"),
    ] {
        let mut passing = 0;
        for gap in 190..310 {
            let text = format!("{first}{}{then}", " ".repeat(gap));
            let got = worth_parsing(Path::new(UTIL), &text);
            assert_eq!(got, by_regex(&text), "{first} +{gap} {then}");
            passing += usize::from(got);
        }
        assert!((1..120).contains(&passing), "{first} {then}: {passing}");
    }
}

/// Pieces of the patterns, glued at random (deterministic), with windows long enough to cut a
/// second word in two: the prefilter must say what the regexes said on every text.
#[test]
fn random_texts_agree_with_the_regexes() {
    const PIECES: &[&str] = &[
        "select",
        "SELECT",
        "insert",
        "into",
        "INTO",
        "update",
        "set",
        "delete",
        "from",
        "with",
        "as",
        "AS",
        "not",
        "materialized",
        "merge",
        " ",
        "  ",
        "\t",
        "\n",
        "(",
        ")",
        "'",
        "\"",
        "`",
        "/",
        " /",
        "GET",
        ".",
        ".get",
        ".post",
        ".del",
        ".delete",
        ".api_route",
        ".handle",
        ".handlefunc",
        ".any",
        ".all",
        "x",
        "_",
        "1",
        "é",
        "-",
        ";",
        "= ",
    ];
    let filler = "z ".repeat(60);
    let mut state: u64 = 0x5851_f42d_4c95_7f2d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut passed = 0;
    for _ in 0..30_000 {
        let len = (next() % 16) as usize;
        let text: String = (0..len)
            .map(|_| {
                let i = next() as usize;
                if i.is_multiple_of(23) {
                    filler.as_str()
                } else {
                    PIECES[i % PIECES.len()]
                }
            })
            .collect();
        let got = worth_parsing(Path::new(UTIL), &text);
        assert_eq!(got, by_regex(&text), "{text:?}");
        passed += usize::from(got);
    }
    // Both answers must be common, or the comparison proves little.
    assert!(
        (2_000..28_000).contains(&passed),
        "{passed} of 30000 passed"
    );
}
