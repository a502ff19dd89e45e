// Drives the interactive page of `ogel-schema diagram --format html` in headless Chromium
// (playwright-core from the ../shared/tools cache, launched offline with the network shut,
// the same way html-check does) and checks the DOM after each interaction against an
// expectation file written by tests/it/render.rs from the model:
//
//   node html_interact.mjs --tools DIR --expect EXPECT.json PAGE.html            # interactions
//   node html_interact.mjs --tools DIR --expect EXPECT.json --perf PAGE.html     # latencies
//
// EXPECT.json: { tables: [{name, schema, columns: [..], keys: [..]}], missing: [{name, schema, referenced_in: [file]}],
//   edges: [[from, to]], steps: [{file, tables: [..]}], findings: [{table, rule}],
//   groups: {name: [..]}, search: [{query, table}], limits: {load_ms, interaction_ms} }
//
// Prints one line per check and a summary; exit 0 when every check passed, 1 when one
// failed, 2 when the tools are not set up (the Rust test says how to fix that).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const toolsDir = opt('--tools');
const expectFile = opt('--expect');
const perf = argv.includes('--perf');
const file = argv[argv.length - 1];
if (!toolsDir || !expectFile || !file || !file.endsWith('.html')) {
  process.stderr.write('usage: html_interact.mjs --tools DIR --expect EXPECT.json [--perf] PAGE.html\n');
  process.exit(2);
}
const common = path.join(toolsDir, 'lib', 'common.mjs');
if (!fs.existsSync(common)) {
  process.stderr.write(`${common} is missing: install the tools with ../shared/tools/setup\n`);
  process.exit(2);
}
const { launchChromium, shutNetwork } = await import(pathToFileURL(common).href);
const want = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
const url = pathToFileURL(path.resolve(file)).href;

const failures = [];
let passed = 0;
function check(ok, what, detail = '') {
  if (ok) { passed += 1; process.stdout.write(`  ok   ${what}\n`); }
  else { failures.push(what); process.stdout.write(`  FAIL ${what}${detail ? `\n       ${detail}` : ''}\n`); }
}
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
const diff = (got, exp) => {
  const g = new Set(got), e = new Set(exp);
  return `missing: ${JSON.stringify([...e].filter((x) => !g.has(x)).slice(0, 8))}, ` +
    `unexpected: ${JSON.stringify([...g].filter((x) => !e.has(x)).slice(0, 8))}`;
};

const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
const problems = [];
await shutNetwork(context, (kind, u) => problems.push(`blocked ${kind}: ${u}`), { selfContained: true, allowUrl: url });
const page = await context.newPage();
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
page.on('pageerror', (e) => problems.push(`uncaught ${e.name}: ${e.message}`));
page.on('dialog', (d) => { problems.push(`dialog ${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
page.on('crash', () => problems.push('the page crashed'));

// ---- helpers running in the page ---------------------------------------------------------

// State of the map: shown / highlighted / neighbour / dimmed nodes by name, the viewBox.
const state = () => page.evaluate(() => {
  const nodes = [...document.querySelectorAll('#map .node')];
  const visible = (el) => el.getBoundingClientRect().width > 0;
  const names = (f) => nodes.filter(f).map((el) => el.getAttribute('data-name'));
  const vb = document.getElementById('map').getAttribute('viewBox').split(' ').map(Number);
  return {
    shown: names(visible),
    shownTables: names((el) => visible(el) && el.classList.contains('table')),
    hl: names((el) => el.classList.contains('hl')),
    nb: names((el) => el.classList.contains('nb')),
    dimmed: names((el) => visible(el) && Number(getComputedStyle(el).opacity) < 1),
    bright: names((el) => visible(el) && Number(getComputedStyle(el).opacity) === 1),
    edgesShown: [...document.querySelectorAll('#map .edge')].filter(visible).length,
    edgesHl: [...document.querySelectorAll('#map .edge')].filter((e) => e.classList.contains('hl') && Number(getComputedStyle(e).opacity) === 1).length,
    vb: { x: vb[0], y: vb[1], w: vb[2], h: vb[3] },
  };
});

// Centre of a node in SVG units, and the centre of the current viewBox.
const centred = (name) => page.evaluate((name) => {
  const el = [...document.querySelectorAll('#map .node')].find((e) => e.getAttribute('data-name') === name);
  if (!el) return null;
  const cx = Number(el.getAttribute('data-x')) + Number(el.getAttribute('data-w')) / 2;
  const cy = Number(el.getAttribute('data-y')) + Number(el.getAttribute('data-h')) / 2;
  const [x, y, w, h] = document.getElementById('map').getAttribute('viewBox').split(' ').map(Number);
  return Math.hypot(cx - (x + w / 2), cy - (y + h / 2));
}, name);

// Screen point on the header of a node (after making sure nothing else covers it).
const headPoint = (name) => page.evaluate((name) => {
  const el = [...document.querySelectorAll('#map .node')].find((e) => e.getAttribute('data-name') === name);
  if (!el) return null;
  const r = el.querySelector('rect.head').getBoundingClientRect();
  const x = r.left + Math.min(r.width / 2, 30), y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  return { x, y, hits: !!hit && hit.closest('.node') === el };
}, name);

// A screen point on the empty background of the map.
const backgroundPoint = () => page.evaluate(() => {
  const svg = document.getElementById('map');
  const r = svg.getBoundingClientRect();
  for (let y = r.top + 5; y < r.bottom; y += 7) {
    for (let x = r.left + 5; x < r.right; x += 7) {
      const hit = document.elementFromPoint(x, y);
      if (hit === svg) return { x, y };
    }
  }
  return null;
});

// Rows a node shows (the text of its visible column rows, marks excluded).
const rows = () => page.evaluate(() => {
  const out = {};
  for (const el of document.querySelectorAll('#map .node.table')) {
    out[el.getAttribute('data-name')] = [...el.querySelectorAll('g.all text, g.keys text')]
      .filter((t) => !t.classList.contains('marks') && t.getBoundingClientRect().width > 0)
      .map((t) => t.textContent);
  }
  return out;
});

// Of the shown tables that intersect the viewBox: those whose name is not drawn, and the
// column rows drawn for table `name`.
const drawn = (name) => page.evaluate((name) => {
  const [x, y, w, h] = document.getElementById('map').getAttribute('viewBox').split(' ').map(Number);
  const seen = (el) => el.getBoundingClientRect().width > 0;
  const unnamed = [];
  let rowsOf = null;
  for (const el of document.querySelectorAll('#map .node')) {
    if (!seen(el)) continue;
    const bx = Number(el.getAttribute('data-x')), by = Number(el.getAttribute('data-y'));
    const inside = bx < x + w && bx + Number(el.getAttribute('data-w')) > x && by < y + h && by + Number(el.getAttribute('data-h')) > y;
    if (inside && !seen(el.querySelector('text.name'))) unnamed.push(el.getAttribute('data-name'));
    if (el.getAttribute('data-name') === name) {
      rowsOf = [...el.querySelectorAll('g.all text, g.keys text')].filter((t) => !t.classList.contains('marks') && seen(t)).map((t) => t.textContent);
    }
  }
  return { unnamed, rowsOf };
}, name);
const columnsOf = (name) => {
  const t = want.tables.find((x) => x.name === name);
  if (t) return t.columns;
  const m = want.missing.find((x) => x.name === name);
  return m ? m.rows : ['MISSING'];
};

// Does the row text `text` (`name type`, maybe cut with …) show column `col`?
const showsColumn = (text, col) => text.startsWith(`${col} `) ||
  (text.endsWith('…') && `${col} `.startsWith(text.slice(0, -1)));

async function load() {
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 120000 });
  await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: 120000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  return Date.now() - t0;
}

// ---- the interactions --------------------------------------------------------------------

const allNames = [...want.tables.map((t) => t.name), ...want.missing.map((m) => m.name)];
const neighbours = (name) => {
  const s = new Set();
  for (const [a, b] of want.edges) { if (a === name && b !== name) s.add(b); if (b === name && a !== name) s.add(a); }
  return [...s];
};
const edgeCount = (name) => want.edges.filter(([a, b]) => a === name || b === name).length;

async function interactions() {
  await load();
  let s = await state();
  check(same(s.shown, allNames), `loaded: ${want.tables.length} tables and ${want.missing.length} missing tables shown`, diff(s.shown, allNames));
  check(s.dimmed.length === 0 && s.hl.length === 0, 'nothing dimmed or highlighted at first');
  const initialVb = s.vb;

  // Search a table and focus it.
  for (const q of want.search) {
    await page.fill('#search', q.query);
    await page.press('#search', 'Enter');
    s = await state();
    const off = await centred(q.table);
    check(same(s.hl, [q.table]) && off !== null && off < 1,
      `search ${JSON.stringify(q.query)} focuses ${q.table} (centred, highlighted)`, `hl=${JSON.stringify(s.hl)} off-centre=${off}`);
    const d = await drawn(q.table);
    check(d.unnamed.length === 0 && d.rowsOf.length === columnsOf(q.table).length && d.rowsOf.every((t, i) => showsColumn(t, columnsOf(q.table)[i])),
      `search ${JSON.stringify(q.query)}: every table in view shows its name, ${q.table} its ${columnsOf(q.table).length} column(s)`, JSON.stringify(d));
  }
  await page.fill('#search', 'no such table, surely');
  await page.press('#search', 'Enter');
  check(await page.$eval('#search', (e) => e.classList.contains('notfound')), 'a search with no match marks the search box');
  await page.keyboard.press('Escape');
  s = await state();
  check(s.hl.length === 0 && s.dimmed.length === 0, 'Escape clears the selection');

  // Click a table: it and its neighbours stay bright, the rest is dimmed.
  await page.click('#reset');
  const byDegree = [...want.tables].sort((a, b) => neighbours(b.name).length - neighbours(a.name).length || (a.name < b.name ? -1 : 1));
  for (const t of [byDegree[0], byDegree[byDegree.length - 1]]) {
    const p = await headPoint(t.name);
    check(p && p.hits, `the header of ${t.name} is clickable at fit-all zoom`);
    if (!p) continue;
    await page.mouse.click(p.x, p.y);
    // The page handles the click asynchronously to the driver: wait (bounded) until some table
    // is highlighted as the click's result, then check what it is.
    await page.waitForFunction((name) => {
      const hl = document.querySelector('#map .node.hl');
      return hl !== null && hl.getAttribute('data-name') === name;
    }, t.name, { timeout: 5000 }).catch(() => {});
    s = await state();
    const nb = neighbours(t.name);
    const bright = [t.name, ...nb];
    check(same(s.hl, [t.name]) && same(s.nb, nb), `click ${t.name}: highlighted, ${nb.length} neighbour(s) marked`, `hl=${JSON.stringify(s.hl)}; ${diff(s.nb, nb)}`);
    check(same(s.bright, bright) && s.dimmed.length === allNames.length - bright.length,
      `click ${t.name}: ${allNames.length - bright.length} other table(s) dimmed`, diff(s.bright, bright));
    check(s.edgesHl === edgeCount(t.name), `click ${t.name}: its ${edgeCount(t.name)} relationship(s) highlighted`, `got ${s.edgesHl}`);
  }
  const bg = await backgroundPoint();
  check(bg !== null, 'the map has empty background to click');
  if (bg) {
    await page.mouse.click(bg.x, bg.y);
    s = await state();
    check(s.hl.length === 0 && s.dimmed.length === 0, 'a click on the background clears the highlight');
  }

  // Key columns only.
  let r = await rows();
  const cols = Object.fromEntries(want.tables.map((t) => [t.name, t.columns]));
  const keys = Object.fromEntries(want.tables.map((t) => [t.name, t.keys]));
  const rowsMatch = (got, exp) => want.tables.filter((t) => {
    const g = got[t.name] || [], e = exp[t.name];
    return !(g.length === e.length && g.every((text, i) => showsColumn(text, e[i])));
  }).map((t) => `${t.name}: shows ${JSON.stringify(got[t.name])}, expected ${JSON.stringify(exp[t.name])}`);
  let bad = rowsMatch(r, cols);
  check(bad.length === 0, 'every table shows all its columns in declaration order', bad.slice(0, 3).join('\n       '));
  const boxes = () => page.evaluate(() => [...document.querySelectorAll('#map .edge')].map((e) => e.getAttribute('d')).join('|'));
  const pathsAll = await boxes();
  await page.check('#keys-only');
  r = await rows();
  bad = rowsMatch(r, keys);
  check(bad.length === 0, 'key columns only: every table shows exactly its PK / FK / UNIQUE columns', bad.slice(0, 3).join('\n       '));
  const hiddenCount = want.tables.reduce((k, t) => k + t.columns.length - t.keys.length, 0);
  check(hiddenCount > 0, `key columns only hides ${hiddenCount} non-key column(s)`);
  const edgesEndOnBoxes = await page.evaluate(() => {
    // every edge end touches its (now shorter) box: within 1 unit of its outline
    const box = (i) => { const g = document.getElementById(`n${i}`); const r = g.querySelector('rect.keys');
      return { x: Number(g.getAttribute('data-x')), y: Number(g.getAttribute('data-y')), w: Number(r.getAttribute('width')), h: Number(r.getAttribute('height')) }; };
    const near = (p, b) => p.x >= b.x - 1 && p.x <= b.x + b.w + 1 && p.y >= b.y - 1 && p.y <= b.y + b.h + 1;
    const bad = [];
    for (const e of document.querySelectorAll('#map .edge')) {
      const len = e.getTotalLength();
      const a = e.getPointAtLength(0), b = e.getPointAtLength(len);
      if (!near(a, box(e.getAttribute('data-a'))) || !near(b, box(e.getAttribute('data-b')))) bad.push(e.querySelector('title').textContent);
    }
    return bad;
  });
  check(edgesEndOnBoxes.length === 0, 'key columns only: every relationship still starts and ends on its boxes', edgesEndOnBoxes.slice(0, 3).join('; '));
  await page.uncheck('#keys-only');
  r = await rows();
  check(rowsMatch(r, cols).length === 0 && (await boxes()) === pathsAll, 'unchecking brings every column and the original paths back');

  // Pan and zoom.
  await page.click('#reset');
  s = await state();
  check(JSON.stringify(s.vb) === JSON.stringify(initialVb), 'reset restores the initial view');
  const rect = await page.$eval('#map', (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  const cx = rect.x + rect.w * 0.4, cy = rect.y + rect.h * 0.45;
  const at = (vb) => ({ x: vb.x + (cx - rect.x) / rect.w * vb.w, y: vb.y + (cy - rect.y) / rect.h * vb.h });
  await page.mouse.move(cx, cy);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((w) => Number(document.getElementById('map').getAttribute('viewBox').split(' ')[2]) < w, s.vb.w);
  const z = (await state()).vb;
  const p0 = at(s.vb), p1 = at(z);
  check(Math.abs(z.w - s.vb.w / 1.15) < 0.01 * s.vb.w && Math.hypot(p0.x - p1.x, p0.y - p1.y) < 0.5,
    'wheel zooms in around the pointer (viewBox 1.15x smaller, the point under the pointer stays)', `${JSON.stringify(s.vb)} -> ${JSON.stringify(z)}`);
  const start = await headPoint(want.tables[0].name);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 120, start.y + 60, { steps: 6 });
  await page.mouse.up();
  s = await state();
  const ex = z.x - 120 / rect.w * z.w, ey = z.y - 60 / rect.h * z.h;
  check(Math.abs(s.vb.x - ex) < 0.5 && Math.abs(s.vb.y - ey) < 0.5 && s.vb.w === z.w, 'dragging pans the map by the pointer movement', `${JSON.stringify(z)} -> ${JSON.stringify(s.vb)}`);
  check(s.hl.length === 0, 'a drag that starts on a table does not select it');

  // Migration slider: the schema as it was after each migration.
  await page.click('#reset');
  const last = want.steps.length;
  await page.focus('#step');
  await page.keyboard.press('Home');
  for (let k = 1; k <= last; k++) {
    if (k > 1) await page.keyboard.press('ArrowRight');
    s = await state();
    const exp = want.steps[k - 1].tables;
    const label = await page.$eval('#step-label', (e) => e.textContent);
    check(same(s.shownTables, exp) && label.includes(want.steps[k - 1].file),
      `slider at ${k}/${last} (${want.steps[k - 1].file}): the ${exp.length} table(s) of that moment`, `${diff(s.shownTables, exp)}; label ${JSON.stringify(label)}`);
    const missingShown = s.shown.filter((x) => !s.shownTables.includes(x));
    const upto = want.steps.slice(0, k).map((st) => st.file);
    // A table only the application uses appears at the last step (the app runs against the
    // final schema).
    const expMissing = want.missing.filter((m) => (m.app_only ? k === last
      : m.referenced_in.length === 0 || m.referenced_in.some((f) => upto.includes(f)))).map((m) => m.name);
    check(same(missingShown, expMissing), `slider at ${k}/${last}: missing tables shown once a migration up to there (or, used only by the app, at the end) references them`, diff(missingShown, expMissing));
    const edgesExp = want.edges.filter(([a, b]) => s.shown.includes(a) && s.shown.includes(b)).length;
    check(s.edgesShown === edgesExp, `slider at ${k}/${last}: the ${edgesExp} relationship(s) between shown tables`, `got ${s.edgesShown}`);
  }
  if (last > 1) {
    await page.keyboard.press('Home');
    const first = (await state()).shownTables.length;
    await page.keyboard.press('End');
    const end = (await state()).shownTables.length;
    check(first < end, `fewer tables after the first migration (${first}) than at the end (${end})`);
  }

  // Findings panel: each finding names its table, focuses it, and links its rule's doc.
  await page.click('#reset');
  const items = await page.$$eval('#findings .finding', (lis) => lis.map((li) => ({ table: li.getAttribute('data-table'), rule: li.getAttribute('data-rule') })));
  const key = (f) => `${f.table}|${f.rule}`;
  check(same(items.map(key), want.findings.map(key)), `findings panel lists the ${want.findings.length} finding(s) of the model`, diff(items.map(key), want.findings.map(key)));
  const lis = await page.$$('#findings .finding');
  const seen = new Set();
  for (const [i, f] of items.entries()) {
    if (!f.table || seen.has(f.table)) continue;
    seen.add(f.table);
    await lis[i].click({ position: { x: 3, y: 3 } });
    s = await state();
    const off = await centred(f.table);
    check(same(s.hl, [f.table]) && off !== null && off < 1, `finding ${f.rule} on ${f.table}: a click focuses the table`, `hl=${JSON.stringify(s.hl)} off=${off}`);
  }
  const rules = [...new Set(items.map((f) => f.rule))];
  for (const rule of rules) {
    const i = items.findIndex((f) => f.rule === rule);
    await (await lis[i].$('a.doc')).click();
    const doc = await page.evaluate((rule) => {
      const d = document.getElementById(`rule-${rule}`);
      return d ? { open: d.open, summary: d.querySelector('summary').textContent, text: d.querySelector('pre').textContent } : null;
    }, rule);
    check(doc && doc.open && doc.summary === rule && doc.text.includes('## What it does'), `finding ${rule}: its "rule doc" link opens the rule's documentation`);
  }

  // Schema / group filter.
  await page.click('#reset');
  const options = await page.$$eval('#filter option', (os) => os.map((o) => o.value).filter((v) => v));
  const schemas = [...new Set(allNames.map((nm) => [...want.tables, ...want.missing].find((t) => t.name === nm).schema))].sort();
  const expOptions = [...schemas.map((x) => `s:${x}`), ...Object.keys(want.groups).sort().map((g) => `g:${g}`)];
  check(JSON.stringify(options) === JSON.stringify(expOptions), `filter offers ${schemas.length} schema(s) and ${Object.keys(want.groups).length} group(s)`, JSON.stringify(options));
  for (const o of options) {
    await page.selectOption('#filter', o);
    s = await state();
    const exp = o.startsWith('s:')
      ? [...want.tables, ...want.missing].filter((t) => t.schema === o.slice(2)).map((t) => t.name)
      : want.groups[o.slice(2)];
    const edgesExp = want.edges.filter(([a, b]) => exp.includes(a) && exp.includes(b)).length;
    check(same(s.shown, exp) && s.edgesShown === edgesExp, `filter ${o}: only its ${exp.length} table(s) and ${edgesExp} relationship(s) shown`, diff(s.shown, exp));
  }
  if (options.length > 1) {
    // Searching a table the filter hides shows everything again and focuses it.
    const o = options[0];
    await page.selectOption('#filter', o);
    const other = want.tables.find((t) => `s:${t.schema}` !== o);
    if (other) {
      await page.fill('#search', other.name);
      await page.press('#search', 'Enter');
      s = await state();
      check(same(s.hl, [other.name]) && same(s.shown, allNames) && (await page.$eval('#filter', (e) => e.value)) === '',
        `searching ${other.name} while the filter hides it clears the filter and focuses it`);
    }
  }
}

// ---- responsiveness ----------------------------------------------------------------------

// Time from the event to the next painted frame, in the page.
async function timed(fn, arg) {
  return page.evaluate(async ([src, arg]) => {
    const f = new Function('arg', src); // eslint-disable-line no-new-func
    const t0 = performance.now();
    f(arg);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  }, [fn, arg]);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function responsiveness() {
  const loadMs = await load();
  const nodes = await page.$$eval('#map .node', (els) => els.length);
  check(nodes === want.tables.length + want.missing.length, `loaded ${nodes} tables`);
  const results = { load: [loadMs] };
  const first = await drawn(null);
  const namePx = await page.evaluate(() => { const svg = document.getElementById('map');
    return svg.getBoundingClientRect().width / Number(svg.getAttribute('viewBox').split(' ')[2]) * 12; });
  check(namePx < 4 ? first.unnamed.length === nodes : first.unnamed.length === 0,
    `at first the ${nodes} tables show their names only if readable (names would be ${namePx.toFixed(1)} px)`, `${first.unnamed.length} unnamed`);
  const names = want.search.map((q) => q.query);
  const picks = want.tables.filter((_, i) => i % Math.max(1, Math.floor(want.tables.length / 7)) === 3).slice(0, 7).map((t) => t.name);
  const run = async (label, src, args) => { results[label] = []; for (const a of args) results[label].push(await timed(src, a)); };
  await run('search + focus', `const s = document.getElementById('search'); s.value = arg;
    s.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`, names);
  const focused = await state();
  const lastQ = want.search[want.search.length - 1].table;
  const d = await drawn(lastQ);
  check(same(focused.hl, [lastQ]) && d.unnamed.length === 0 && d.rowsOf.length === columnsOf(lastQ).length,
    `the last search focused ${lastQ}: it shows its ${columnsOf(lastQ).length} columns, every table in view its name`, JSON.stringify(d));
  await page.click('#reset');
  await run('click highlight', `const el = [...document.querySelectorAll('#map .node')].find((e) => e.getAttribute('data-name') === arg);
    el.querySelector('rect.head').dispatchEvent(new MouseEvent('click', { bubbles: true }));`, picks);
  const clicked = await state();
  const lastPick = picks[picks.length - 1];
  check(same(clicked.hl, [lastPick]) && same(clicked.nb, neighbours(lastPick)), `the last click highlighted ${lastPick} and its neighbours`);
  await run('clear highlight', `document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))`, [0]);
  await run('key columns toggle', `document.getElementById('keys-only').click()`, [1, 2, 3, 4, 5, 6]);
  const last = want.steps.length;
  const stepsTo = [1, Math.ceil(last / 4), Math.ceil(last / 2), Math.ceil(3 * last / 4), last, 1, last];
  await run('slider move', `const s = document.getElementById('step'); s.value = String(arg);
    s.dispatchEvent(new Event('input', { bubbles: true }));`, stepsTo);
  await run('zoom (wheel)', `const svg = document.getElementById('map'); const r = svg.getBoundingClientRect();
    svg.dispatchEvent(new WheelEvent('wheel', { deltaY: arg, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));`, [-100, -100, -100, 100, 100, 100]);
  const opts = await page.$$eval('#filter option', (os) => os.map((o) => o.value));
  await run('filter change', `const f = document.getElementById('filter'); f.value = arg; f.dispatchEvent(new Event('change', { bubbles: true }));`, [...opts.slice(1, 4), '']);
  process.stdout.write(`  interaction latencies (ms, event to next frame) on ${want.tables.length} tables:\n`);
  for (const [label, xs] of Object.entries(results)) {
    const m = median(xs), mx = Math.max(...xs);
    process.stdout.write(`  PERF ${label}: median ${m.toFixed(1)} max ${mx.toFixed(1)} (n=${xs.length})\n`);
    const limit = label === 'load' ? want.limits.load_ms : want.limits.interaction_ms;
    check(m <= limit, `${label}: median ${m.toFixed(0)} ms within ${limit} ms`);
  }
}

try {
  if (perf) await responsiveness(); else await interactions();
} catch (e) {
  failures.push(`the run stopped: ${e.message.split('\n')[0]}`);
  process.stdout.write(`  FAIL the run stopped: ${e.stack}\n`);
}
await browser.close();
for (const p of problems) { failures.push(p); process.stdout.write(`  FAIL ${p}\n`); }
if (!problems.length) { passed += 1; process.stdout.write('  ok   no console error or warning, page error, dialog or blocked request\n'); }
process.stdout.write(`html_interact: ${passed} passed, ${failures.length} failed\n`);
process.exit(failures.length ? 1 : 0);
