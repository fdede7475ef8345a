/**
 * The panel's webview bundle in headless Chromium, on a real audit of a shared dataset (made by
 * the CLI in `before`), with the host played by the test through the typed protocol.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { CATEGORY_NAMES } from '../../src/core/categories';
import { rescoreReport } from '../../src/core/rescore';
import { sampledLine, sampledShares } from '../../src/core/sampledTriplets';
import type { AuditReport } from '../../src/core/types';
import type { RevealMessage, WebviewMessage } from '../../src/protocol';
import { coreReclassify } from './expected';
import {
  ARTIFACTS, auditWithCli, build, choose, elementCount, launch, PanelPage, reportMessages, shownCounts, shownMargin, until,
  type Browser,
} from './harness';

const DATASET = 'trec_test.csv';
/** The toolkit's badge template carries a `style` attribute, which the strict CSP refuses (harmless). */
const KNOWN_CSP = /^style-src-attr inline .*webview\.js/;

describe(`audit panel (webview in Chromium, real audit of ${DATASET})`, function () {
  let browser: Browser;
  let report: AuditReport;
  let panel: PanelPage;

  before(function () {
    this.timeout(25 * 60_000);
    build();
    report = auditWithCli(DATASET);
  });

  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  beforeEach(async () => {
    panel = await PanelPage.open(browser.context);
    await panel.showReport(report);
  });
  afterEach(async () => {
    const csp = (await panel.cspViolations()).filter((v) => !KNOWN_CSP.test(v));
    assert.deepEqual(csp, [], 'Content-Security-Policy violations');
    assert.deepEqual(panel.log.errors.filter((e) => !/Content Security Policy/.test(e)), [], 'page errors');
    assert.deepEqual(panel.log.requests.filter((u) => !u.startsWith('https://webview.test/')), [], 'requests outside the webview');
    assert.deepEqual(panel.log.dialogs, [], 'dialogs');
    await panel.page.close();
  });

  const row = (k: number): Locator => panel.page.locator(`.grid-canvas .grid-row[aria-rowindex="${k + 2}"]`);
  const reveals = async () => (await panel.posted()).filter((m): m is RevealMessage => m.type === 'reveal');

  it('says ready first, then renders the report: counts, rows (virtualized), grid semantics', async () => {
    const posted = await panel.posted();
    assert.equal(posted[0].type, 'ready');
    const counts = await shownCounts(panel.page);
    const s = report.summary;
    assert.deepEqual(counts, {
      easy: s.easy, semiHard: s.semiHard, hard: s.hard, mislabeled: s.mislabeled, triviallyEasy: s.triviallyEasy,
      nearDuplicate: s.nearDuplicate, marginViolation: s.marginViolation, invalid: s.invalid,
    });
    const core = coreReclassify(report, report.settings.margin, report.settings.distance);
    assert.deepEqual([counts.easy, counts.semiHard, counts.hard, counts.triviallyEasy], [core.easy, core.semiHard, core.hard, core.triviallyEasy]);
    const grid = panel.page.locator('[role=grid]');
    assert.equal(await grid.getAttribute('aria-rowcount'), String(report.rows.length + 1));
    const domRows = await elementCount(panel.page, '.grid-canvas [role=row]:not([hidden])');
    assert.ok(domRows > 10 && domRows < 80, `only the rows in view are in the DOM (${domRows})`);
    assert.equal(await elementCount(panel.page, '[role=columnheader]'), 9);
    assert.match(await panel.page.locator('.row-count').innerText(), new RegExp(`^${report.rows.length} of ${report.rows.length} rows`));
    assert.match(await panel.page.locator('.meta').innerText(), new RegExp(report.settings.backend));
  });

  it('dragging the margin line re-classifies exactly as the core does, and tells the host', async () => {
    const canvas = panel.page.locator('.histogram-canvas');
    const box = await canvas.boundingBox();
    assert.ok(box);
    const before = await shownMargin(panel.page);
    await panel.page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
    await panel.page.mouse.down();
    for (let k = 1; k <= 10; k++) await panel.page.mouse.move(box.x + box.width * (0.55 + 0.03 * k), box.y + box.height / 2);
    await panel.page.mouse.up();
    const m = await shownMargin(panel.page);
    assert.notEqual(m, before, 'the margin moved');
    const counts = await shownCounts(panel.page);
    const core = coreReclassify(report, m, report.settings.distance);
    assert.deepEqual({ easy: counts.easy, semiHard: counts.semiHard, hard: counts.hard, triviallyEasy: counts.triviallyEasy },
      { easy: core.easy, semiHard: core.semiHard, hard: core.hard, triviallyEasy: core.triviallyEasy });
    // and every summary number as the engine's own re-scoring gives it
    const s = rescoreReport(report, m, report.settings.distance).summary;
    assert.deepEqual(counts, { ...s });
    // the categories shown in the table follow
    for (let k = 0; k < 8; k++) {
      const pos = Number(await row(k).getAttribute('data-position'));
      const j = core.rows.indexOf(report.rows[pos].row);
      assert.equal(await row(k).getAttribute('data-category'), CATEGORY_NAMES[core.codes[j]], `row ${pos}`);
    }
    const sent = await panel.waitForPost((msg) => msg.type === 'marginChanged' && msg.margin === m);
    assert.deepEqual(sent, { type: 'marginChanged', margin: m, distance: report.settings.distance });
  });

  it('the number field and the presets move the margin (and the distance) with the same counts as the core', async () => {
    const input = panel.page.locator('.margin-field input');
    await input.fill('0.37');
    await input.press('Enter');
    assert.equal(await shownMargin(panel.page), 0.37);
    let counts = await shownCounts(panel.page);
    let core = coreReclassify(report, 0.37, 'euclidean');
    assert.deepEqual([counts.easy, counts.semiHard, counts.hard], [core.easy, core.semiHard, core.hard]);
    await panel.page.locator('.preset-select').click();
    await panel.page.locator('.preset-select').getByRole('option', { name: /^TensorFlow Addons/ }).click();
    assert.equal(await shownMargin(panel.page), 1);
    assert.equal(await panel.page.evaluate(`document.querySelector('.distance-select').value`), 'squared-euclidean');
    counts = await shownCounts(panel.page);
    core = coreReclassify(report, 1, 'squared-euclidean');
    assert.deepEqual([counts.easy, counts.semiHard, counts.hard, counts.triviallyEasy], [core.easy, core.semiHard, core.hard, core.triviallyEasy]);
    await panel.waitForPost((msg) => msg.type === 'marginChanged' && msg.margin === 1 && msg.distance === 'squared-euclidean');
  });

  it('beside the histogram: the sampled training triplets\' shares at the panel\'s margin and distance, as the core counts them', async () => {
    assert.ok(report.sampledTriplets && report.sampledTriplets.dAP.length > 1000, 'the labeled report carries sampled triplets');
    const line = panel.page.locator('.sampled-triplets');
    assert.equal((await line.textContent())?.trim(), `Sampled triplets: ${sampledLine(report.sampledTriplets, report.settings.margin, report.settings.distance)}`);
    const input = panel.page.locator('.margin-field input');
    await input.fill('0.05');
    await input.press('Enter');
    await until(panel.page, `document.querySelector('.sampled-triplets').textContent.includes('m = 0.05:')`, 5_000);
    assert.equal((await line.textContent())?.trim(), `Sampled triplets: ${sampledLine(report.sampledTriplets, 0.05, 'euclidean')}`);
    const at = sampledShares(report.sampledTriplets, 0.05, 'euclidean');
    assert.ok(at.easy + at.semiHard + at.hard > 0.999 && at.semiHard < sampledShares(report.sampledTriplets, 0.3, 'euclidean').semiHard, 'a wider margin holds more semi-hard triplets');
  });

  it('a margin set by the host is applied without being echoed back', async () => {
    await panel.clearPosted();
    await panel.send({ type: 'setMargin', margin: 0.5, distance: 'euclidean' });
    await until(panel.page, `document.querySelector('.margin-field').value === '0.5'`);
    const counts = await shownCounts(panel.page);
    assert.equal(counts.easy, coreReclassify(report, 0.5, 'euclidean').easy);
    await panel.page.waitForTimeout(300);
    assert.deepEqual((await panel.posted()).filter((m: WebviewMessage) => m.type === 'marginChanged'), []);
  });

  it('the same audit sent again (a re-audit that found the same) keeps the view, moves the margin and adopts the new report id', async () => {
    await row(2).click();
    const pos = Number(await row(2).getAttribute('data-position'));
    await panel.clearPosted();
    await panel.sendReport(report, 2, { margin: 0.4 });
    await until(panel.page, `document.querySelector('.margin-field').value === '0.4'`);
    assert.equal(await panel.page.locator(`.grid-canvas .grid-row[data-position="${pos}"]`).getAttribute('aria-selected'), 'true');
    assert.equal((await shownCounts(panel.page)).hard, coreReclassify(report, 0.4, 'euclidean').hard);
    await row(3).click();
    const at = Number(await row(3).getAttribute('data-position'));
    assert.deepEqual(await reveals(), [{ type: 'reveal', reportId: 2, row: report.rows[at].row, line: report.rows[at].line }]);
  });

  it('a report comes in parts: a loading line counts its rows, the one on show stays, parts of an older one are dropped', async () => {
    const cell0 = panel.page.locator('.grid-canvas .grid-row[data-position="0"] .col-text');
    assert.equal(await cell0.textContent(), report.rows[0].text);
    const next: AuditReport = structuredClone(report), third: AuditReport = structuredClone(report);
    next.rows[0].text = 'the next audit';
    third.rows[0].text = 'the third audit';
    const a = reportMessages(next, 5, { perPart: 50 }), b = reportMessages(third, 6, { perPart: 50 });
    const total = report.rows.length.toLocaleString('en-US');
    await panel.sendAll(a.slice(0, 3));
    await until(panel.page, `document.querySelector('.loading').textContent === 'Loading the report… 100 of ${total} rows'`);
    assert.equal(await panel.page.locator('.loading').isVisible(), true);
    assert.equal(await cell0.textContent(), report.rows[0].text, 'the report on show stays while the next arrives');
    // a newer report starts; the rest of the older one arrives late and is dropped
    await panel.sendAll([b[0], ...a.slice(3), b[1]]);
    await until(panel.page, `document.querySelector('.loading').textContent === 'Loading the report… 50 of ${total} rows'`);
    assert.equal(await cell0.textContent(), report.rows[0].text);
    await panel.sendAll(b.slice(2));
    await until(panel.page, `document.querySelector('.loading').hidden`);
    await until(panel.page, `document.querySelector('.grid-canvas .grid-row[data-position="0"] .col-text').textContent === 'the third audit'`);
    assert.deepEqual(await shownCounts(panel.page), { ...report.summary });
    await row(0).click();
    assert.deepEqual((await reveals()).at(-1), { type: 'reveal', reportId: 6, row: report.rows[0].row, line: report.rows[0].line });
  });

  it('a margin set in the panel while a report arrives is kept when it is shown', async () => {
    const next: AuditReport = structuredClone(report);
    next.rows[0].text = 'the next audit';
    const parts = reportMessages(next, 7, { perPart: 100 });
    await panel.sendAll(parts.slice(0, 2));
    await until(panel.page, `!document.querySelector('.loading').hidden`);
    const input = panel.page.locator('.margin-field input');
    await input.fill('0.37');
    await input.press('Enter');
    await panel.waitForPost((m) => m.type === 'marginChanged' && m.margin === 0.37);
    await panel.sendAll(parts.slice(2));
    await until(panel.page, `document.querySelector('.grid-canvas .grid-row[data-position="0"] .col-text').textContent === 'the next audit'`);
    assert.equal(await shownMargin(panel.page), 0.37);
    const core = coreReclassify(next, 0.37, 'euclidean');
    const counts = await shownCounts(panel.page);
    assert.deepEqual([counts.easy, counts.semiHard, counts.hard], [core.easy, core.semiHard, core.hard]);
  });

  it('reviewed rows lose their data-error flags and say so; the host\'s reviewed marks change them in place', async () => {
    const pos = report.rows.findIndex((r) => r.flags.includes('mislabeled'));
    assert.ok(pos >= 0, 'the audit flags a row as mislabeled');
    const r = report.rows[pos];
    const counts = { ...report.summary };
    await choose(panel.page, 'Filter by flag', 'mislabeled');
    await panel.page.locator(`.grid-canvas .grid-row[data-position="${pos}"]`).click();
    const detail = panel.page.locator('.detail');
    assert.match(await detail.innerText(), /flags: [^\n]*mislabeled/);
    assert.doesNotMatch(await detail.innerText(), /Marked reviewed/);
    // marks for a report not on show are not applied
    await panel.send({ type: 'reviewed', reportId: 99, reviewed: report.rows.filter((x) => x.flags.includes('mislabeled')).map((x) => x.row) });
    await panel.send({ type: 'reviewed', reportId: 1, reviewed: [r.row] });
    await until(panel.page, `document.querySelector('[data-count="mislabeled"] vscode-badge').textContent === '${counts.mislabeled - 1}'`);
    assert.match(await panel.page.locator('.row-count').innerText(), new RegExp(`^${counts.mislabeled - 1} of `));
    assert.match(await detail.innerText(), /Marked reviewed: kept out of flags\./);
    assert.doesNotMatch(await detail.innerText(), /flags: [^\n]*mislabeled/);
    await panel.send({ type: 'reviewed', reportId: 1, reviewed: [] });
    await until(panel.page, `document.querySelector('[data-count="mislabeled"] vscode-badge').textContent === '${counts.mislabeled}'`);
    assert.match(await detail.innerText(), /flags: [^\n]*mislabeled/);
  });

  it('clicking a row posts reveal with that row and its line', async () => {
    await row(4).click();
    const [msg] = await reveals();
    const pos = Number(await row(4).getAttribute('data-position'));
    assert.deepEqual(msg, { type: 'reveal', reportId: 1, row: report.rows[pos].row, line: report.rows[pos].line });
    assert.equal(await row(4).locator('.col-row').innerText(), String(report.rows[pos].row));
    assert.equal(await row(4).locator('.col-line').innerText(), String(report.rows[pos].line));
    assert.equal(await row(4).getAttribute('aria-selected'), 'true');
    assert.match(await panel.page.locator('.detail h2').innerText(), new RegExp(`^Row ${report.rows[pos].row} · line ${report.rows[pos].line}`));
  });

  it('keyboard: arrows move the selection, Enter reveals; the grid tells a screen reader where it is', async () => {
    await row(0).click();
    await panel.clearPosted();
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowUp');
    await panel.page.keyboard.press('ArrowDown');
    assert.deepEqual(await reveals(), [], 'moving does not reveal');
    const grid = panel.page.locator('[role=grid]');
    const active = await grid.getAttribute('aria-activedescendant');
    assert.equal(active, await row(2).getAttribute('id'));
    assert.equal(await row(2).getAttribute('aria-selected'), 'true');
    assert.equal(await row(0).getAttribute('aria-selected'), 'false');
    await panel.page.keyboard.press('Enter');
    const pos = Number(await row(2).getAttribute('data-position'));
    assert.deepEqual(await reveals(), [{ type: 'reveal', reportId: 1, row: report.rows[pos].row, line: report.rows[pos].line }]);
    for (const sel of ['.margin-slider', '.margin-field', '.distance-select', '.preset-select', '.search-field']) {
      assert.ok(await panel.page.locator(sel).getAttribute('aria-label'), `${sel} has an aria-label`);
    }
  });

  it('sorts by a column and filters by category, flag, label and text', async () => {
    await panel.page.locator('[role=columnheader] button', { hasText: 'Suspicion' }).click();
    await panel.page.locator('[role=columnheader] button', { hasText: 'Suspicion' }).click();
    assert.equal(await panel.page.locator('[role=columnheader].col-suspicion').getAttribute('aria-sort'), 'descending');
    const top = Number(await row(0).getAttribute('data-position'));
    assert.equal(report.rows[top].suspicion, Math.max(...report.rows.map((r) => r.suspicion)));
    await choose(panel.page, 'Filter by category', 'hard');
    assert.match(await panel.page.locator('.row-count').innerText(), new RegExp(`^${report.summary.hard} of `));
    await choose(panel.page, 'Filter by flag', 'mislabeled');
    const both = report.rows.filter((r) => r.category === 'hard' && r.flags.includes('mislabeled')).length;
    assert.match(await panel.page.locator('.row-count').innerText(), new RegExp(`^${both} of `));
    await panel.page.locator('.search-field input').fill('what');
    const label = report.labels[0];
    await choose(panel.page, 'Filter by label', label);
    const expected = report.rows.filter((r) => r.category === 'hard' && r.flags.includes('mislabeled') && r.label === label
      && [r.text, r.label, r.suggestedLabel].join('\n').toLowerCase().includes('what')).length;
    await until(panel.page, `document.querySelector('.row-count').textContent.startsWith('${expected} of ')`);
  });

  it('the detail pane shows the evidence, the hinge arithmetic and the fixes; its buttons post messages', async () => {
    const flagged = report.rows.findIndex((r) => r.flags.includes('mislabeled') && r.suggestedLabel !== undefined);
    assert.ok(flagged >= 0, 'the audit flags at least one row with a suggested label');
    await choose(panel.page, 'Filter by flag', 'mislabeled');
    await panel.page.locator(`.grid-canvas .grid-row[data-position="${flagged}"]`).click();
    const detail = panel.page.locator('.detail');
    const r = report.rows[flagged];
    assert.match(await detail.locator('.hinge').innerText(), /L = max\(d\(a,p\) − d\(a,n\) \+ m, 0\) = max\(/);
    assert.equal(await detail.locator('.neighbour-table tr').count(), r.neighbours.length + 1);
    assert.match(await detail.innerText(), new RegExp(`suggested: ${r.suggestedLabel}`));
    await panel.clearPosted();
    await detail.locator('vscode-button', { hasText: 'Relabel' }).click();
    await detail.locator('vscode-button', { hasText: 'Mark reviewed' }).click();
    assert.deepEqual((await panel.posted()).filter((m) => m.type === 'applyFix'), [
      { type: 'applyFix', reportId: 1, row: r.row, fix: 'relabel', label: r.suggestedLabel },
      { type: 'applyFix', reportId: 1, row: r.row, fix: 'mark-reviewed' },
    ]);
    await detail.locator('.neighbour-table .link-button').first().click();
    const nb = r.neighbours[0].row;
    assert.deepEqual((await reveals()).at(-1), { type: 'reveal', reportId: 1, row: nb, line: report.rows.find((x) => x.row === nb)?.line });
  });

  it('the map draws every point, hover shows a row, click selects and reveals it', async () => {
    assert.match(await panel.page.locator('.map-caption').innerText(), new RegExp(`all ${report.rows.length} points drawn, none sampled`));
    const canvas = panel.page.locator('.map-canvas');
    const box = await canvas.boundingBox();
    assert.ok(box);
    let hit: { x: number; y: number } | undefined;
    search: for (let r = 0; r < Math.max(box.width, box.height) / 2; r += 4) {
      for (let a = 0; a < 360; a += 10) {
        const x = box.x + box.width / 2 + r * Math.cos((a * Math.PI) / 180), y = box.y + box.height / 2 + r * Math.sin((a * Math.PI) / 180);
        await panel.page.mouse.move(x, y);
        if (await panel.page.locator('.map-tooltip').isVisible()) { hit = { x, y }; break search; }
      }
    }
    assert.ok(hit, 'found a point under the pointer');
    // hover again where the point is and let the tooltip settle (it is redrawn on a later frame)
    await panel.page.mouse.move(hit.x, hit.y);
    await panel.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))');
    const tip = await panel.page.locator('.map-tooltip').innerText();
    const [, rowNo, line] = /^Row (\d+) · line (\d+)/.exec(tip) ?? [];
    await panel.page.mouse.click(hit.x, hit.y);
    assert.deepEqual((await reveals()).at(-1), { type: 'reveal', reportId: 1, row: Number(rowNo), line: Number(line) });
    assert.match(await panel.page.locator('.detail h2').innerText(), new RegExp(`^Row ${rowNo} `));
  });

  it('UMAP runs in the page when the report carries embeddings, seeded, and draws every point', async function () {
    if (!report.embedding) this.skip();
    this.timeout(180_000);
    await panel.page.locator('.map-bar vscode-button', { hasText: 'UMAP' }).click();
    await until(panel.page, `document.querySelector('.map-caption').textContent.startsWith('UMAP')`, 170_000);
    assert.match(await panel.page.locator('.map-caption').innerText(), new RegExp(`all ${report.rows.length} points drawn`));
  });

  it('state survives reloading the panel (getState/setState), and the host re-sends the report on ready', async () => {
    await choose(panel.page, 'Filter by category', 'hard');
    await row(3).click();
    const pos = Number(await row(3).getAttribute('data-position'));
    await panel.page.waitForTimeout(400);
    await panel.load(true);
    await panel.showReport(report, 2);
    assert.match(await panel.page.locator('.row-count').innerText(), new RegExp(`^${report.summary.hard} of `));
    assert.equal(await panel.page.locator(`.grid-canvas .grid-row[data-position="${pos}"]`).getAttribute('aria-selected'), 'true');
    assert.match(await panel.page.locator('.detail h2').innerText(), new RegExp(`^Row ${report.rows[pos].row} `));
  });

  it('dataset text is never HTML: markup in a cell shows as text and runs nothing', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const hostile: AuditReport = structuredClone(report);
    hostile.rows[1].text = evil;
    hostile.rows[2].text = '</script><script>alert(2)</script><b>bold</b>';
    hostile.rows[1].evidence = [...hostile.rows[1].evidence, '<img src=y onerror=alert(3)>'];
    hostile.rows[1].neighbours = [{ row: 2, label: '<svg onload=alert(4)>', distance: 0.5 }, ...hostile.rows[1].neighbours];
    await panel.sendReport(hostile, 3);
    await until(panel.page, `[...document.querySelectorAll('.grid-canvas .col-text')].some((c) => c.textContent === ${JSON.stringify(evil)})`);
    const cell = panel.page.locator('.grid-canvas .grid-row[data-position="1"] .col-text');
    assert.equal(await cell.textContent(), evil);
    await cell.click();
    assert.match(await panel.page.locator('.detail').innerText(), /<img src=y onerror=alert\(3\)>/);
    await panel.page.waitForTimeout(500);
    assert.equal(await elementCount(panel.page, 'img'), 0);
    assert.equal(await elementCount(panel.page, 'svg'), 0);
    assert.equal(await elementCount(panel.page, 'b'), 0);
    assert.deepEqual(panel.log.dialogs, []);
  });

  it('bidi controls, zero-width and control characters show as visible markers in the detail (emoji joiners stay)', async () => {
    const hostile: AuditReport = structuredClone(report);
    const pos = 3;
    hostile.rows[pos].text = 'invoice\u202eexe.txt and\u200bhidden\u2066iso\u2069 \u001b[31m 👩\u200d💻 tag\u{e0041}';
    hostile.rows[pos].evidence = [...hostile.rows[pos].evidence, 'evidence with \u200f a mark'];
    await panel.sendReport(hostile, 4);
    await until(panel.page, `document.querySelector('.grid-canvas .grid-row[data-position="${pos}"] .col-text')?.textContent === ${JSON.stringify(hostile.rows[pos].text)}`);
    await panel.page.locator(`.grid-canvas .grid-row[data-position="${pos}"]`).click();
    const field = panel.page.locator('.detail .field-text').first();
    const markers = (await field.locator('.invisible-char').evaluateAll((els) => els.map((e) => [e.textContent, e.getAttribute('title')]))) as Array<[string, string]>;
    assert.deepEqual(markers, [
      ['RLO', 'U+202E RIGHT-TO-LEFT OVERRIDE'], ['ZWSP', 'U+200B ZERO WIDTH SPACE'], ['LRI', 'U+2066 LEFT-TO-RIGHT ISOLATE'],
      ['PDI', 'U+2069 POP DIRECTIONAL ISOLATE'], ['ESC', 'U+001B CONTROL CHARACTER'], ['TAG A', 'U+E0041 TAG CHARACTER (invisible)'],
    ]);
    const shown = (await field.textContent()) ?? '';
    assert.doesNotMatch(shown, /[\u202e\u200b\u2066\u2069\u001b]|\u{e0041}/u, 'the characters themselves are not in the page');
    assert.ok(shown.includes('👩\u200d💻'), 'an emoji sequence keeps its joiner');
    assert.match(await panel.page.locator('.detail .invisible-note').innerText(), /This row holds 6 invisible characters/);
    const evidence = await panel.page.locator('.detail .evidence .invisible-char').allTextContents();
    assert.deepEqual(evidence, ['RLM']);
  });

  it('screenshot: the panel on the real audit, Dark Modern theme', async () => {
    // the most suspicious row selected, so the detail pane shows its evidence
    await panel.page.locator('[role=columnheader] button', { hasText: 'Suspicion' }).click();
    await panel.page.locator('[role=columnheader] button', { hasText: 'Suspicion' }).click();
    await row(0).click();
    mkdirSync(ARTIFACTS, { recursive: true });
    await panel.page.screenshot({ path: join(ARTIFACTS, 'panel-dark.png'), fullPage: true });
  });
});
