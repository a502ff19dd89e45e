//! Application scan, step 4: map a file to HTTP endpoints — Next.js `pages/api` and app-router
//! `route.ts` files, Express/Fastify `app.get('/x', h)`, FastAPI/Flask decorators, Go
//! `http.HandleFunc` / chi / gin / echo — and decide which byte ranges belong to each handler.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use tree_sitter::Node;

use super::lang::Language;

/// An endpoint found in one file, before queries are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub method: String,
    pub route: String,
    /// Byte offset the endpoint is reported at (method branch, decorator, registration call).
    pub at: usize,
    /// The handler body (or the method branch of a shared handler).
    pub handler: Range<usize>,
    /// Everything that runs for this endpoint in this file: the handler plus the local
    /// functions it calls, transitively.
    pub reach: Vec<Range<usize>>,
    /// The reach sends a literal object/array with a success status.
    pub sends_literal: bool,
    /// The reach sends a literal from a `catch`/`except` block.
    pub literal_in_catch: bool,
    /// The reach calls something that looks like a database client.
    pub db_call: bool,
}

const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Endpoints defined in one file. `path` is the file's path (its folders give Next.js routes).
#[must_use]
pub fn find(lang: Language, path: &Path, flat: &Flat<'_>, src: &str) -> Vec<Found> {
    let Some(root) = flat.root() else {
        return Vec::new();
    };
    let (functions, sites) = survey(lang, flat, src);
    let cx = Cx {
        src,
        root,
        flat,
        functions,
        sites,
    };
    let mut raw: Vec<(String, String, usize, Range<usize>)> = Vec::new();
    if lang.is_js_family() {
        if let Some(route) = next_pages_route(path) {
            raw.extend(cx.next_pages(&route));
        } else if let Some(route) = next_app_route(path) {
            raw.extend(cx.next_app(&route));
        }
        raw.extend(cx.express());
    } else if lang == Language::Python {
        raw.extend(cx.python_decorators());
    } else if lang == Language::Go {
        raw.extend(cx.go_routes());
    }
    raw.into_iter()
        .map(|(method, route, at, handler)| {
            let reach = cx.reach(handler.clone());
            let facts = cx.facts(&reach);
            Found {
                method,
                route,
                at,
                handler,
                reach,
                sends_literal: facts.sends_literal,
                literal_in_catch: facts.literal_in_catch,
                db_call: facts.db_call,
            }
        })
        .collect()
}

/// `pages/api/a/[b].ts` -> `/api/a/[b]`; `.../api/x/index.ts` -> `/api/x`.
#[must_use]
pub fn next_pages_route(path: &Path) -> Option<String> {
    let parts = components(path);
    let at = parts.windows(2).rposition(|w| {
        w.first().is_some_and(|p| p == "pages") && w.get(1).is_some_and(|a| a == "api")
    })?;
    let mut segs: Vec<String> = parts.get(at + 1..)?.to_vec();
    let last = segs.pop()?;
    let stem = last
        .rsplit_once('.')
        .map_or(last.as_str(), |(s, _)| s)
        .to_owned();
    if stem != "index" {
        segs.push(stem);
    }
    Some(format!("/{}", segs.join("/")))
}

/// `app/api/x/[id]/route.ts` -> `/api/x/[id]` (route groups `(g)` and slots `@s` dropped).
#[must_use]
pub fn next_app_route(path: &Path) -> Option<String> {
    let parts = components(path);
    let file = parts.last()?;
    if file.rsplit_once('.').map(|(s, _)| s) != Some("route") {
        return None;
    }
    let at = parts.iter().rposition(|p| p == "app")?;
    let segs: Vec<&str> = parts
        .get(at + 1..parts.len().saturating_sub(1))?
        .iter()
        .map(String::as_str)
        .filter(|s| !(s.starts_with('@') || s.starts_with('(') && s.ends_with(')')))
        .collect();
    Some(format!("/{}", segs.join("/")))
}

fn components(path: &Path) -> Vec<String> {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

struct Cx<'t, 's, 'f> {
    src: &'s str,
    root: Node<'t>,
    flat: &'f Flat<'t>,
    /// Named functions in the file: name -> body ranges.
    functions: BTreeMap<String, Vec<Range<usize>>>,
    sites: Sites<'s>,
}

/// What [`Cx::reach`] and [`Cx::facts`] read, found in the one walk of the file that also
/// finds its functions: every call and every name passed as an argument, with byte ranges,
/// in document order (so by start). Walking the tree again for every handler, and for every
/// function each handler reaches, took more time than parsing the file.
#[derive(Default)]
struct Sites<'s> {
    calls: Vec<CallSite<'s>>,
    /// Identifiers passed as arguments (`apiWrapper(req, res, handler)`): they run too.
    arguments: Vec<(Range<usize>, &'s str)>,
    /// Python `return {...}` / `return [...]`, and whether it is in an `except` block.
    literal_returns: Vec<(Range<usize>, bool)>,
}

struct CallSite<'s> {
    range: Range<usize>,
    /// The called function's own name: `f` of `f(x)` and of `a.b.f(x)`.
    name: Option<&'s str>,
    /// The callee looks like a database client ([`is_db_callee`]).
    db: bool,
    /// Sends a literal object or array with a success status: `Some(from a catch block)`.
    sends_literal: Option<bool>,
}

/// The items of `items` (sorted by start) whose range lies within `range`.
fn within<'a, T>(
    items: &'a [T],
    range: &'a Range<usize>,
    of: fn(&T) -> &Range<usize>,
) -> impl Iterator<Item = &'a T> + 'a {
    let first = items.partition_point(|x| of(x).start < range.start);
    items
        .get(first..)
        .unwrap_or_default()
        .iter()
        .take_while(move |x| of(x).start <= range.end)
        .filter(move |x| of(x).end <= range.end)
}

#[derive(Default)]
struct Facts {
    sends_literal: bool,
    literal_in_catch: bool,
    db_call: bool,
}

type Raw = (String, String, usize, Range<usize>);

/// A call that may register a route: the method's name and the first and last arguments.
struct RouteCall<'n, 'x> {
    name: &'x str,
    first: Node<'n>,
    last: Node<'n>,
}

impl<'t> Cx<'t, '_, '_> {
    fn text(&self, node: Node<'_>) -> &str {
        self.src.get(node.byte_range()).unwrap_or_default()
    }

    /// Next.js pages router: method checks anywhere in the file (`req.method === 'GET'`,
    /// `switch (method) { case 'GET': ... }`); none -> one `ANY` endpoint for the file.
    fn next_pages(&self, route: &str) -> Vec<Raw> {
        let mut out = Vec::new();
        let mut guard: Vec<String> = Vec::new();
        self.flat.each_with(&mut |node, kind, ancestors| {
            if kind == "switch_statement" {
                let value = node
                    .child_by_field_name("value")
                    .map(|v| self.text(v))
                    .unwrap_or_default();
                if !value.contains("method") {
                    return;
                }
                let Some(body) = node.child_by_field_name("body") else {
                    return;
                };
                let cases: Vec<Node<'_>> = named_children(body)
                    .into_iter()
                    .filter(|c| c.kind() == "switch_case")
                    .collect();
                for (i, case) in cases.iter().enumerate() {
                    let Some(m) = case
                        .child_by_field_name("value")
                        .and_then(|v| self.method_string(v))
                    else {
                        continue;
                    };
                    // Fall-through: `case 'GET': case 'HEAD': body` shares the next body.
                    let end = cases
                        .get(i..)
                        .unwrap_or_default()
                        .iter()
                        .find(|c| {
                            c.child_by_field_name("body").is_some() || c.named_child_count() > 1
                        })
                        .map_or(case.end_byte(), Node::end_byte);
                    out.push((
                        m,
                        route.to_owned(),
                        case.start_byte(),
                        case.start_byte()..end,
                    ));
                }
            } else if kind == "binary_expression" {
                let Some((m, negated)) = self.method_comparison(node) else {
                    return;
                };
                if negated {
                    guard.push(m);
                    return;
                }
                let Some(branch) = ancestor_if(ancestors) else {
                    return;
                };
                out.push((m, route.to_owned(), node.start_byte(), branch.byte_range()));
            }
        });
        let whole = self
            .default_export()
            .unwrap_or_else(|| self.root.byte_range());
        for m in guard {
            if !out.iter().any(|o| o.0 == m) {
                out.push((m, route.to_owned(), whole.start, whole.clone()));
            }
        }
        if out.is_empty() {
            out.push(("ANY".to_owned(), route.to_owned(), whole.start, whole));
        }
        out.sort_by_key(|o| (o.2, o.0.clone()));
        out.dedup_by(|a, b| a.0 == b.0 && a.3 == b.3);
        out
    }

    /// `req.method === 'GET'` / `method !== "POST"` -> (method, negated).
    fn method_comparison(&self, node: Node<'_>) -> Option<(String, bool)> {
        let op = node.child_by_field_name("operator").map(|o| self.text(o))?;
        let negated = match op {
            "===" | "==" => false,
            "!==" | "!=" => true,
            _ => return None,
        };
        let l = node.child_by_field_name("left")?;
        let r = node.child_by_field_name("right")?;
        let is_method = |n: Node<'_>| {
            let t = self.text(n);
            t == "method" || t.ends_with(".method")
        };
        let m = if is_method(l) {
            self.method_string(r)
        } else if is_method(r) {
            self.method_string(l)
        } else {
            None
        }?;
        Some((m, negated))
    }

    fn method_string(&self, node: Node<'_>) -> Option<String> {
        let m = unquote(self.text(node)).to_ascii_uppercase();
        HTTP_METHODS.contains(&m.as_str()).then_some(m)
    }

    /// The range of `export default ...` (resolving an identifier to its function).
    fn default_export(&self) -> Option<Range<usize>> {
        for node in named_children(self.root) {
            if node.kind() != "export_statement" || !self.text(node).starts_with("export default") {
                continue;
            }
            if let Some(v) = node.child_by_field_name("value")
                && v.kind() == "identifier"
                && let Some(r) = self.functions.get(self.text(v)).and_then(|r| r.first())
            {
                return Some(r.clone());
            }
            return Some(node.byte_range());
        }
        None
    }

    /// App router: exported `GET`/`POST`/... functions.
    fn next_app(&self, route: &str) -> Vec<Raw> {
        let mut out = Vec::new();
        for node in named_children(self.root) {
            if node.kind() != "export_statement" {
                continue;
            }
            let Some(decl) = node.child_by_field_name("declaration") else {
                continue;
            };
            let mut named: Vec<(String, Node<'_>)> = Vec::new();
            if let Some(name) = decl.child_by_field_name("name") {
                named.push((self.text(name).to_owned(), decl));
            }
            for d in named_children(decl)
                .into_iter()
                .filter(|d| d.kind() == "variable_declarator")
            {
                if let Some(name) = d.child_by_field_name("name") {
                    named.push((self.text(name).to_owned(), d));
                }
            }
            for (name, n) in named {
                if HTTP_METHODS.contains(&name.as_str()) {
                    out.push((name, route.to_owned(), node.start_byte(), n.byte_range()));
                }
            }
        }
        out
    }

    /// `app.get('/x', handler)`, `router.post("/y", async (req, res) => ...)`.
    fn express(&self) -> Vec<Raw> {
        let mut out = Vec::new();
        self.flat.each(&mut |node, kind| {
            let Some(call) = self.route_call(node, kind, "member_expression", "property") else {
                return;
            };
            let prop = call.name.to_ascii_lowercase();
            let method = match prop.as_str() {
                "all" => "ANY".to_owned(),
                "del" => "DELETE".to_owned(),
                p if HTTP_METHODS.contains(&p.to_ascii_uppercase().as_str()) => {
                    p.to_ascii_uppercase()
                }
                _ => return,
            };
            if !matches!(call.first.kind(), "string" | "template_string") {
                return;
            }
            let route = unquote(self.text(call.first));
            if !route.starts_with('/') {
                return;
            }
            let handler = self.handler_of(call.last);
            out.push((method, route.to_owned(), node.start_byte(), handler));
        });
        out
    }

    /// `node` as a route registration `recv.name(first, ..., last)`: a call whose callee is a
    /// `callee_kind` node naming the method in its `name_field`, with two arguments or more.
    fn route_call<'n>(
        &self,
        node: Node<'n>,
        kind: &str,
        callee_kind: &str,
        name_field: &str,
    ) -> Option<RouteCall<'n, '_>> {
        if kind != "call_expression" {
            return None;
        }
        let callee = node.child_by_field_name("function")?;
        if callee.kind() != callee_kind {
            return None;
        }
        let name = self.text(callee.child_by_field_name(name_field)?);
        let args = named_children(node.child_by_field_name("arguments")?);
        if args.len() < 2 {
            return None;
        }
        Some(RouteCall {
            name,
            first: *args.first()?,
            last: *args.last()?,
        })
    }

    /// A handler argument: a function literal, or a name resolving to a local function.
    fn handler_of(&self, node: Node<'_>) -> Range<usize> {
        let name = match node.kind() {
            "identifier" => Some(self.text(node)),
            "selector_expression" | "member_expression" | "attribute" => node
                .child_by_field_name("field")
                .or_else(|| node.child_by_field_name("property"))
                .map(|f| self.text(f)),
            _ => None,
        };
        name.and_then(|n| self.functions.get(n))
            .and_then(|r| r.first())
            .cloned()
            .unwrap_or_else(|| node.byte_range())
    }

    /// `@app.get("/x")`, `@router.post("/y")`, `@app.route("/z", methods=["GET", "POST"])`.
    fn python_decorators(&self) -> Vec<Raw> {
        let mut out = Vec::new();
        self.flat.each(&mut |node, kind| {
            if kind != "decorated_definition" {
                return;
            }
            let Some(def) = node.child_by_field_name("definition") else {
                return;
            };
            for dec in named_children(node)
                .into_iter()
                .filter(|d| d.kind() == "decorator")
            {
                let Some(call) = named_children(dec).into_iter().find(|c| c.kind() == "call")
                else {
                    continue;
                };
                let Some(func) = call.child_by_field_name("function") else {
                    continue;
                };
                if func.kind() != "attribute" {
                    continue;
                }
                let Some(attr) = func
                    .child_by_field_name("attribute")
                    .map(|a| self.text(a).to_ascii_lowercase())
                else {
                    continue;
                };
                let Some(args) = call.child_by_field_name("arguments") else {
                    continue;
                };
                let args = named_children(args);
                let Some(route) = args
                    .first()
                    .filter(|a| a.kind() == "string")
                    .map(|a| unquote(self.text(*a)).to_owned())
                else {
                    continue;
                };
                if !route.starts_with('/') {
                    continue;
                }
                let methods: Vec<String> = match attr.as_str() {
                    "route" | "api_route" | "add_url_rule" => {
                        let listed: Vec<String> = args
                            .iter()
                            .filter(|a| a.kind() == "keyword_argument")
                            .filter(|a| {
                                a.child_by_field_name("name")
                                    .is_some_and(|n| self.text(n) == "methods")
                            })
                            .filter_map(|a| a.child_by_field_name("value"))
                            .flat_map(named_children)
                            .filter_map(|s| self.method_string(s))
                            .collect();
                        if listed.is_empty() {
                            vec!["GET".to_owned()]
                        } else {
                            listed
                        }
                    }
                    a if HTTP_METHODS.contains(&a.to_ascii_uppercase().as_str()) => {
                        vec![a.to_ascii_uppercase()]
                    }
                    _ => continue,
                };
                for m in methods {
                    out.push((m, route.clone(), dec.start_byte(), def.byte_range()));
                }
            }
        });
        out
    }

    /// `http.HandleFunc("/x", h)`, `mux.HandleFunc("GET /x", h)`, `r.HandleFunc(...).Methods("GET")`,
    /// chi `r.Get("/x", h)`, gin/echo `r.GET("/x", h)`.
    fn go_routes(&self) -> Vec<Raw> {
        let mut out = Vec::new();
        self.flat.each(&mut |node, kind| {
            let Some(call) = self.route_call(node, kind, "selector_expression", "field") else {
                return;
            };
            let upper = call.name.to_ascii_uppercase();
            let method = match call.name {
                "HandleFunc" | "Handle" | "Any" | "Route" => None,
                _ if HTTP_METHODS.contains(&upper.as_str()) => Some(upper),
                _ => return,
            };
            if !call.first.kind().ends_with("string_literal") {
                return;
            }
            let pattern = unquote(self.text(call.first));
            let (pat_method, route) = match pattern.split_once(' ') {
                Some((m, r)) if HTTP_METHODS.contains(&m) => (Some(m.to_owned()), r.trim()),
                _ => (None, pattern),
            };
            if !route.starts_with('/') {
                return;
            }
            let chained = node
                .parent()
                .filter(|p| p.kind() == "selector_expression")
                .filter(|p| {
                    p.child_by_field_name("field")
                        .is_some_and(|f| self.text(f) == "Methods")
                })
                .and_then(|p| p.parent())
                .and_then(|c| c.child_by_field_name("arguments"))
                .and_then(|a| {
                    named_children(a)
                        .into_iter()
                        .find_map(|s| self.method_string(s))
                });
            let method = method
                .or(pat_method)
                .or(chained)
                .unwrap_or_else(|| "ANY".to_owned());
            out.push((
                method,
                route.to_owned(),
                node.start_byte(),
                self.handler_of(call.last),
            ));
        });
        out
    }

    /// The handler plus every local function it calls, transitively; sorted, merged.
    fn reach(&self, handler: Range<usize>) -> Vec<Range<usize>> {
        let mut ranges = vec![handler];
        let mut i = 0;
        while let Some(r) = ranges.get(i).cloned() {
            i += 1;
            for name in self.calls_in(&r) {
                for f in self.functions.get(name).into_iter().flatten() {
                    if !ranges.iter().any(|x| x.start <= f.start && f.end <= x.end) {
                        ranges.push(f.clone());
                    }
                }
            }
        }
        ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    /// Names of the functions called inside `range`.
    fn calls_in(&self, range: &Range<usize>) -> Vec<&str> {
        let mut names: Vec<&str> = within(&self.sites.calls, range, |c| &c.range)
            .filter_map(|c| c.name)
            .chain(within(&self.sites.arguments, range, |a| &a.0).map(|a| a.1))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Response/DB facts about a reach.
    fn facts(&self, reach: &[Range<usize>]) -> Facts {
        let mut facts = Facts::default();
        let mut sends = |in_catch: bool| {
            if in_catch {
                facts.literal_in_catch = true;
            } else {
                facts.sends_literal = true;
            }
        };
        let mut db_call = false;
        for r in reach {
            for call in within(&self.sites.calls, r, |c| &c.range) {
                db_call |= call.db;
                if let Some(in_catch) = call.sends_literal {
                    sends(in_catch);
                }
            }
            for (_, in_catch) in within(&self.sites.literal_returns, r, |x| &x.0) {
                sends(*in_catch);
            }
        }
        facts.db_call = db_call;
        facts
    }
}

/// Whether a node with these `ancestors` is in a `catch` / `except` / `rescue` block.
fn in_catch(ancestors: &[Node<'_>]) -> bool {
    ancestors
        .iter()
        .any(|x| matches!(x.kind(), "catch_clause" | "except_clause" | "rescue"))
}

fn is_call(kind: &str) -> bool {
    matches!(kind, "call_expression" | "call" | "method_invocation")
}

/// `res.status(200).json`, `res.send`, `NextResponse.json`, `jsonify`, `c.JSON`, `Encode`.
fn is_response_callee(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        last,
        "json" | "send" | "JSON" | "jsonify" | "Encode" | "IndentedJSON" | "JSONResponse"
    ) || callee.ends_with("Response")
}

/// A `.status(4xx|5xx)` in the response chain.
fn error_status(callee: &str) -> bool {
    callee
        .find(".status(")
        .and_then(|i| callee.get(i + 8..))
        .is_some_and(|s| s.starts_with(['4', '5']))
}

/// A database-looking call: `queryPlatformDatabase`, `pool.query`, `db.select`, `prisma.x`,
/// `cursor.execute`, `supabase.from(...)`, `sql\`...\``.
fn is_db_callee(callee: &str) -> bool {
    let c = callee.to_ascii_lowercase();
    [
        "query",
        "execute",
        "exec",
        "sql",
        "prisma",
        "knex",
        "pool",
        "db.",
        "database",
        "cursor",
        "rpc",
        ".from",
        "findmany",
        "findunique",
        "findfirst",
        "session.",
    ]
    .iter()
    .any(|k| c.contains(k))
}

fn is_literal_value(lang: Language, node: Node<'_>) -> bool {
    match lang {
        Language::Python => matches!(node.kind(), "dictionary" | "list"),
        Language::Go => node.kind() == "composite_literal",
        _ => matches!(node.kind(), "object" | "array"),
    }
}

/// The `if` branch whose condition holds the node with these `ancestors` (nearest last).
fn ancestor_if<'t>(ancestors: &[Node<'t>]) -> Option<Node<'t>> {
    for x in ancestors.iter().rev() {
        if x.kind() == "if_statement" {
            return x.child_by_field_name("consequence");
        }
        if !matches!(x.kind(), "parenthesized_expression" | "binary_expression") {
            return None;
        }
    }
    None
}

/// One walk of the file: its named functions (name -> ranges) and its [`Sites`].
fn survey<'s>(
    lang: Language,
    flat: &Flat<'_>,
    src: &'s str,
) -> (BTreeMap<String, Vec<Range<usize>>>, Sites<'s>) {
    let mut functions: BTreeMap<String, Vec<Range<usize>>> = BTreeMap::new();
    let mut sites = Sites::default();
    let text = |n: Node<'_>| src.get(n.byte_range()).unwrap_or_default();
    flat.each_with(&mut |n, kind, ancestors| {
        let named = match kind {
            "function_declaration"
            | "function_definition"
            | "method_declaration"
            | "generator_function_declaration" => n.child_by_field_name("name"),
            "variable_declarator" if lang.is_js_family() => {
                n.child_by_field_name("name").filter(|_| {
                    n.child_by_field_name("value").is_some_and(|v| {
                        matches!(
                            v.kind(),
                            "arrow_function" | "function_expression" | "function"
                        )
                    })
                })
            }
            _ => None,
        };
        if let Some(name) = named {
            functions
                .entry(text(name).to_owned())
                .or_default()
                .push(n.byte_range());
        }
        if is_call(kind) {
            let function = n.child_by_field_name("function");
            let name = function
                .or_else(|| n.child_by_field_name("method"))
                .and_then(|f| match f.kind() {
                    "identifier" => Some(text(f)),
                    "selector_expression" | "member_expression" | "attribute" => f
                        .child_by_field_name("field")
                        .or_else(|| f.child_by_field_name("property"))
                        .or_else(|| f.child_by_field_name("attribute"))
                        .map(text),
                    _ => None,
                });
            let callee = function.map(text).unwrap_or_default();
            let literal_arg = n
                .child_by_field_name("arguments")
                .is_some_and(|a| named_children(a).iter().any(|x| is_literal_value(lang, *x)));
            let sends = is_response_callee(callee) && literal_arg && !error_status(callee);
            sites.calls.push(CallSite {
                range: n.byte_range(),
                name,
                db: is_db_callee(callee),
                sends_literal: sends.then(|| in_catch(ancestors)),
            });
        } else if kind == "identifier"
            && ancestors
                .last()
                .is_some_and(|p| p.kind() == "arguments" || p.kind() == "argument_list")
        {
            sites.arguments.push((n.byte_range(), text(n)));
        } else if kind == "return_statement"
            && lang == Language::Python
            && named_children(n).iter().any(|x| is_literal_value(lang, *x))
        {
            sites
                .literal_returns
                .push((n.byte_range(), in_catch(ancestors)));
        }
    });
    (functions, sites)
}

/// Strip string quotes and Python/Go/JS prefixes.
fn unquote(s: &str) -> &str {
    let s = s.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    s.trim_matches(|c| matches!(c, '"' | '\'' | '`'))
}

fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// A tree (or subtree) walked once: its nodes in document order with their depths. Every step
/// of a file's scan that visits all nodes (literal templates, the survey of functions and
/// calls, each router's route finder) reads this instead of walking the tree again with a
/// tree-sitter cursor: those walks were a seventh of the application scan's time on OgelBase.
pub struct Flat<'t> {
    /// The walk's first node and its descendants, in document order, each with its depth
    /// below the first node and its kind (read once: `Node::kind` measures and checks the
    /// grammar's C string at every call, and the steps ask each node's kind several times).
    nodes: Vec<(Node<'t>, usize, &'t str)>,
    /// The first node's own ancestors, outermost first.
    above: Vec<Node<'t>>,
}

impl<'t> Flat<'t> {
    /// Walk `node` and its descendants (iterative: no recursion limit).
    #[must_use]
    pub fn new(node: Node<'t>) -> Self {
        let mut above: Vec<Node<'t>> = Vec::new();
        let mut up = node.parent();
        while let Some(p) = up {
            above.push(p);
            up = p.parent();
        }
        above.reverse();
        let mut nodes = Vec::with_capacity(node.descendant_count());
        let mut cursor = node.walk();
        let mut depth = 0;
        let mut descend = true;
        loop {
            if descend {
                let node = cursor.node();
                nodes.push((node, depth, node.kind()));
                if cursor.goto_first_child() {
                    depth += 1;
                    continue;
                }
            }
            if depth == 0 {
                break;
            }
            if cursor.goto_next_sibling() {
                descend = true;
                continue;
            }
            if !cursor.goto_parent() {
                break;
            }
            depth -= 1;
            if depth == 0 {
                break;
            }
            descend = false;
        }
        Self { nodes, above }
    }

    /// The node the walk started at.
    #[must_use]
    pub fn root(&self) -> Option<Node<'t>> {
        self.nodes.first().map(|(n, _, _)| *n)
    }

    /// Visit every node in document order, with its kind and its ancestors, nearest last
    /// (starting with the first node's own). Read a parent from them, not with `Node::parent`: tree-sitter
    /// finds a parent by descending from the root, which made the scan quadratic in a
    /// file's depth.
    pub fn each_with(&self, f: &mut impl FnMut(Node<'t>, &'t str, &[Node<'t>])) {
        let mut ancestors = self.above.clone();
        let base = ancestors.len();
        for &(node, depth, kind) in &self.nodes {
            ancestors.truncate(base + depth);
            f(node, kind, &ancestors);
            ancestors.push(node);
        }
    }

    /// Visit every node in document order, with its kind.
    pub fn each(&self, f: &mut impl FnMut(Node<'t>, &'t str)) {
        for &(node, _, kind) in &self.nodes {
            f(node, kind);
        }
    }
}
