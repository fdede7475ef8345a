/**
 * The XSS battery: a dataset whose texts, labels, column names and file name are OWASP's
 * filter-evasion payloads, audited by the real CLI (so its suggested labels are payloads too),
 * shown in the real panel bundle under the page's real CSP and in the `--html` report. No payload
 * runs (alert() is recorded), none becomes an element, no element gets an inline handler, and the
 * panel's page keeps the strict policy: scripts by nonce only, nothing inline, nothing remote.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import type { AuditReport } from '../../src/core/types';
import { build, choose, launch, PanelPage, ROOT, until, watch, type Browser } from './harness';
import { FOREIGN_TAGS, XSS_PAYLOADS } from './xssPayloads';

/** Records what a payload would do if it ran, before any page script: alert and its kin, and a global flag. */
const TRAP = `(() => {
  window.__xss = [];
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    Object.defineProperty(window, name, { value: (...a) => { window.__xss.push(name + ':' + a.join(',')); }, configurable: false, writable: false });
  }
})();`;

const TEXT_COLUMN = `<img src=x onerror=alert('text column')>`;
const LABEL_COLUMN = `"><svg/onload=alert('label column')>`;
const FILE_NAME = `<img src=x onerror=alert('file')>'";.csv`;

/** The dataset: TREC questions (media/sample.csv), a payload appended to each text; each class named by a payload; some labels changed so that payloads get suggested. */
function hostileCsv(): { csv: string; labels: string[] } {
  const rows = (parse(readFileSync(join(ROOT, 'media', 'sample.csv')), { columns: true }) as Array<{ text: string; label: string }>);
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  const labels = classes.map((_, k) => XSS_PAYLOADS[(k * 7 + 2) % XSS_PAYLOADS.length]);
  const labelOf = new Map(classes.map((c, k) => [c, labels[k]]));
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const out = [`${q(TEXT_COLUMN)},${q(LABEL_COLUMN)}`];
  rows.slice(0, 240).forEach((r, i) => {
    // every eleventh row gets a wrong label: the audit suggests the right one, a payload
    const label = i % 11 === 5 ? labels[(classes.indexOf(r.label) + 1) % labels.length] : labelOf.get(r.label)!;
    out.push(`${q(`${XSS_PAYLOADS[i % XSS_PAYLOADS.length]} ${r.text}`)},${i === 17 ? '' : q(label)}`);
  });
  return { csv: `${out.join('\n')}\n`, labels };
}

/** What a search finds one row by: the question after the row's payload (the payloads repeat). */
function question(text: string): string {
  const p = XSS_PAYLOADS.find((x) => text.startsWith(`${x} `));
  return (p ? text.slice(p.length + 1) : text).slice(0, 40);
}

/** Every element of the page, in its light DOM and in every open shadow root (the toolkit's controls). */
const SCAN = `(() => {
  const all = [];
  // the toolkit's controls draw their own icons (svg) in their shadow roots, where no data goes: tags are counted in the light DOM
  const walk = (root, light) => { for (const e of root.querySelectorAll('*')) { all.push([e, light]); if (e.shadowRoot) walk(e.shadowRoot, false); } };
  walk(document, true);
  const handlers = [], urls = [], tags = {};
  for (const [e, light] of all) {
    const t = e.localName; if (light) tags[t] = (tags[t] || 0) + 1;
    for (const a of e.attributes) {
      if (/^on/i.test(a.name)) handlers.push(t + '[' + a.name + ']');
      if (/^(src|href|action|formaction|data|xlink:href|background|poster)$/i.test(a.name) && /^\\s*(javascript|data|vbscript):/i.test(a.value)) urls.push(t + '[' + a.name + '=' + a.value + ']');
    }
  }
  return { handlers, urls, tags, xss: window.__xss, count: all.length };
})()`;

interface Scan { handlers: string[]; urls: string[]; tags: Record<string, number>; xss: string[]; count: number }

async function scan(page: Page): Promise<Scan> { return (await page.evaluate(SCAN)) as Scan; }

function assertClean(s: Scan, where: string, baseline: Record<string, number>): void {
  assert.deepEqual(s.xss, [], `${where}: a payload ran`);
  assert.deepEqual(s.handlers, [], `${where}: an element has an inline event handler`);
  assert.deepEqual(s.urls, [], `${where}: an element has a script or data URL`);
  const foreign = FOREIGN_TAGS.filter((t) => s.tags[t]);
  assert.deepEqual(foreign, [], `${where}: elements from the data: ${foreign.map((t) => `${t} x${s.tags[t]}`).join(', ')}`);
  for (const t of ['script', 'meta', 'link', 'style', 'title', 'base', 'iframe']) {
    assert.equal(s.tags[t] ?? 0, baseline[t] ?? 0, `${where}: <${t}> elements`);
  }
}

describe('XSS battery: hostile cells, labels, column names, file name and suggested labels', function () {
  let browser: Browser;
  let report: AuditReport;
  let html: string;
  let dir: string;
  let labels: string[];

  before(function () {
    this.timeout(10 * 60_000);
    build();
    dir = mkdtempSync(join(tmpdir(), 'ta-xss-'));
    const data = hostileCsv();
    labels = data.labels;
    const file = join(dir, FILE_NAME);
    writeFileSync(file, data.csv);
    const out = join(dir, 'report.json');
    html = join(dir, 'report.html');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), file, '--format', 'json', '--out', out, '--html', html, '-q',
      '--text-column', TEXT_COLUMN, '--label-column', LABEL_COLUMN], { encoding: 'utf8', timeout: 9 * 60_000 });
    assert.equal(r.status, 0, r.stderr);
    report = JSON.parse(readFileSync(out, 'utf8')) as AuditReport;
  });
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  it(`the dataset carries ${XSS_PAYLOADS.length} payloads into every field the panel shows`, () => {
    assert.ok(XSS_PAYLOADS.length >= 20);
    assert.equal(report.file.endsWith(FILE_NAME), true);
    assert.deepEqual(report.columns, { text: TEXT_COLUMN, label: LABEL_COLUMN });
    assert.deepEqual([...report.labels].sort(), [...labels].sort());
    // (the report cuts texts at 200 characters: a longer payload is there cut, and whole as a label)
    const shown = [...report.rows.map((r) => r.text ?? ''), ...report.labels].join('\n');
    for (const p of XSS_PAYLOADS) assert.ok(shown.includes(p.length < 190 ? p : p.slice(0, 150)), `payload not in the report: ${p}`);
    assert.ok(XSS_PAYLOADS.filter((p) => p.length >= 190).every((p) => report.labels.includes(p)));
    assert.ok(report.rows.some((r) => r.suggestedLabel !== undefined && labels.includes(r.suggestedLabel)), 'a payload is a suggested label');
    assert.ok(report.rows.some((r) => r.flags.includes('invalid') && r.evidence.some((e) => e.includes(LABEL_COLUMN))), 'a column name is in an invalid row\'s evidence');
  });

  it('in the panel (the real bundle, its CSP, the host played by the test): nothing runs, nothing becomes an element', async function () {
    this.timeout(180_000);
    const panel = await PanelPage.open(browser.context);
    await panel.page.addInitScript(TRAP);
    await panel.load(true);
    try {
      const baseline = (await scan(panel.page)).tags;
      const fileUri = `file://${report.file}`;
      await panel.showReport(report, 1, { fileUri });
      // the title names the file, as text
      assert.equal(await panel.page.locator('h1').textContent(), `Triplet audit: ${FILE_NAME}`);
      // each row shows its payload as text
      const cell = panel.page.locator('.grid-canvas .grid-row[data-position="0"] .col-text');
      assert.equal(await cell.textContent(), report.rows[0].text);
      // the detail of flagged rows with a suggested label (a payload), of the invalid row (the column name), of others
      const picks = [
        ...report.rows.filter((r) => r.suggestedLabel !== undefined).slice(0, 3), report.rows.find((r) => r.flags.includes('invalid')),
        ...report.rows.slice(0, XSS_PAYLOADS.length),
      ].filter((r): r is AuditReport['rows'][number] => r !== undefined && question(r.text ?? '').length >= 10);
      const search = panel.page.locator('.search-field input');
      for (const r of picks) {
        const pos = report.rows.indexOf(r);
        // the grid shows only the rows in view: a search brings this one up
        await search.fill(question(r.text ?? ''));
        const row = `.grid-canvas .grid-row[data-position="${pos}"]:not([hidden])`;
        await until(panel.page, `!!document.querySelector('${row}')`);
        // the grid may redraw the filtered rows under the first click (the search applies after
        // the row is already in view): click again until the detail follows
        const shown = `document.querySelector('.detail h2')?.textContent.startsWith('Row ${r.row} ')`;
        for (let tries = 1; ; tries++) {
          await panel.page.locator(row).click();
          try { await until(panel.page, shown, tries < 3 ? 2_000 : 10_000); break; } catch (e) { if (tries >= 3) throw e; }
        }
        const detail = await panel.page.locator('.detail').innerText();
        // (a text with U+2028 shows it as a marker: visible.ts)
        if (r.text && !/[\u2028\u2029]/.test(r.text)) assert.ok(detail.includes(r.text), `row ${r.row}'s text shows as text`);
        if (r.suggestedLabel) assert.ok(detail.includes(`Relabel as “${r.suggestedLabel}”`), 'the suggested label shows as text');
        assertClean(await scan(panel.page), `row ${r.row}'s detail`, baseline);
      }
      await search.fill('');
      // the invalid row (no text: found by its category): its evidence quotes the label column's name
      await choose(panel.page, 'Filter by category', 'invalid');
      await panel.page.locator('.grid-canvas .grid-row[data-position]:not([hidden])').first().click();
      assert.ok((await panel.page.locator('.detail').innerText()).includes(LABEL_COLUMN), 'the column name shows as text');
      assertClean(await scan(panel.page), 'the invalid row\'s detail', baseline);
      await choose(panel.page, 'Filter by category', 'All categories');
      // the labels in the filter and the dropdown of the fix
      await choose(panel.page, 'Filter by label', labels[0]);
      assertClean(await scan(panel.page), 'filtered by a payload label', baseline);
      // hover the map: its tooltip shows a row's text
      const box = await panel.page.locator('.map-canvas').boundingBox();
      assert.ok(box);
      for (let k = 0; k < 40; k++) await panel.page.mouse.move(box.x + (k % 8 + 0.5) * box.width / 8, box.y + (Math.floor(k / 8) + 0.5) * box.height / 5);
      await panel.page.waitForTimeout(500);
      const s = await scan(panel.page);
      assertClean(s, 'the whole panel', baseline);
      assert.deepEqual(panel.log.dialogs, [], 'dialogs');
      assert.deepEqual(panel.log.requests.filter((u) => !u.startsWith('https://webview.test/')), [], 'requests outside the webview');
      // nothing was even tried: a blocked inline script or handler would show as a CSP violation
      assert.deepEqual((await panel.cspViolations()).filter((v) => /^script-src|^default-src|^img-src|^frame-src|^object-src/.test(v)), []);
    } finally {
      await panel.page.close();
    }
  });

  it('the panel\'s page keeps its strict CSP: nonce scripts only, no inline handlers or unsafe sources, nothing remote', async () => {
    const panel = await PanelPage.open(browser.context);
    try {
      const csp = (await panel.page.evaluate(`document.querySelector('meta[http-equiv="Content-Security-Policy"]').content`)) as string;
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      assert.deepEqual(directives['default-src'], ["'none'"]);
      assert.equal(directives['script-src'].length, 1);
      const nonce = /^'nonce-([A-Za-z0-9+/=]{22,})'$/.exec(directives['script-src'][0])?.[1];
      assert.ok(nonce, `script-src is a nonce only: ${directives['script-src'].join(' ')}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|\*|https?:\/\/(?!webview\.test)/);
      const scripts = (await panel.page.evaluate(`[...document.scripts].map((s) => [s.nonce, s.src, s.textContent.length])`)) as Array<[string, string, number]>;
      assert.ok(scripts.length > 0 && scripts.every(([n, src, inline]) => n === nonce && src.startsWith('https://webview.test/dist/') && inline === 0), JSON.stringify(scripts));
      const source = (await panel.page.evaluate('document.documentElement.outerHTML')) as string;
      assert.doesNotMatch(source.replace(/<script[^>]*><\/script>/g, ''), /\son[a-z]+\s*=/i, 'an inline handler in the page');
      // an inline script or a handler injected now is refused by the policy
      await panel.page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s);
        const d = document.createElement('div'); d.setAttribute('onclick', 'window.__ran = 2'); document.body.appendChild(d); d.click(); })()`);
      assert.equal(await panel.page.evaluate('window.__ran'), undefined);
    } finally {
      await panel.page.close();
    }
  });

  it('in the --html report (file://, its own CSP): nothing runs, nothing becomes an element', async function () {
    this.timeout(120_000);
    const text = readFileSync(html, 'utf8');
    assert.equal((text.match(/<\/script>/gi) ?? []).length, 2, 'only the two script elements close');
    assert.equal((text.match(/<script/gi) ?? []).length, 2, 'only the two script elements open');
    assert.doesNotMatch(text.replace(/<script[\s\S]*?<\/script>/gi, ''), /<(img|svg|iframe|a|base|meta http-equiv="refresh)\b/i, 'markup from the data outside the scripts');
    const page = await browser.context.newPage();
    const log = watch(page);
    await page.addInitScript(TRAP);
    try {
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('.grid-canvas .grid-row[data-position]');
      // the page's own elements, counted in its text outside the scripts (the data is inside one)
      const outside = text.replace(/<script[\s\S]*?<\/script>/gi, '');
      const baseline: Record<string, number> = { script: 2 };
      for (const t of ['meta', 'link', 'style', 'title', 'base', 'iframe']) baseline[t] = (outside.match(new RegExp(`<${t}[\\s>]`, 'gi')) ?? []).length;
      assert.equal(await page.title(), `Triplet audit: ${FILE_NAME}`);
      for (let k = 0; k < 12; k++) {
        await page.locator('.grid-canvas .grid-row[data-position]:not([hidden])').nth(k).click();
        assertClean(await scan(page), `standalone, row ${k}`, baseline);
      }
      const pos = report.rows.findIndex((r) => r.suggestedLabel !== undefined);
      await page.locator('.search-field input').fill(question(report.rows[pos].text ?? ''));
      const row = `.grid-canvas .grid-row[data-position="${pos}"]:not([hidden])`;
      await until(page, `!!document.querySelector('${row}')`);
      await page.locator(row).click();
      assert.ok((await page.locator('.detail').innerText()).includes(`Relabel as “${report.rows[pos].suggestedLabel}”`));
      assertClean(await scan(page), 'standalone, a suggested label', baseline);
      assert.deepEqual(log.dialogs, []);
      assert.deepEqual(log.requests, [pathToFileURL(html).href], 'nothing but the file itself is loaded');
    } finally {
      await page.close();
    }
  });
});
