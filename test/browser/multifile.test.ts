/**
 * The panel on a multi-file audit (train / dev / test splits of AG News's first rows with rows
 * planted across them, audited together by the CLI): the File column and filter, the files side by
 * side at the current margin, one histogram per file, the leaks.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify } from '../../src/core/categories';
import type { AuditReport } from '../../src/core/types';
import { plantSplits, readJsonl, writeSplits } from '../../bench/plantLeaks';
import { ARTIFACTS, build, choose, elementCount, launch, PanelPage, shownCounts, type Browser } from './harness';

const ROOT = join(__dirname, '..', '..');

describe('audit panel on several files audited together (webview in Chromium)', function () {
  let browser: Browser;
  let report: AuditReport;
  let panel: PanelPage;

  before(function () {
    this.timeout(10 * 60_000);
    build();
    const dir = join(ARTIFACTS, 'splits');
    mkdirSync(dir, { recursive: true });
    const made = writeSplits(dir, plantSplits(readJsonl(join(ROOT, '..', 'shared', 'datasets', 'ag_news_test.jsonl')).slice(0, 600), 'text', 3, 12));
    const out = join(dir, 'report.json');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...made.planted, '--format', 'json', '-q', '--out', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the CLI failed (${r.status}): ${r.stderr}`);
    report = JSON.parse(readFileSync(out, 'utf8')) as AuditReport;
  });
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });
  beforeEach(async () => {
    panel = await PanelPage.open(browser.context);
    await panel.showReport(report);
  });
  afterEach(async () => { await panel.page.close(); });

  /** The files table as the panel shows it: one array of cell texts per file. */
  const splitsTable = async () => (await panel.page.locator('table.splits tr[data-file]').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))) as string[][];

  /** Per file at margin m: rows, hard, semi-hard, easy, mislabels, leaks (from the report's distances). */
  const expected = (m: number) => report.files!.map((f) => {
    const rows = report.rows.slice(f.firstRow, f.firstRow + f.rows);
    const cat = (c: string) => rows.filter((r) => r.dAP !== null && classify(r.dAP, r.dAN!, m) === c).length;
    return [f.rows, cat('hard'), cat('semi-hard'), cat('easy'), rows.filter((r) => r.flags.includes('mislabeled')).length, rows.filter((r) => r.flags.includes('leak')).length];
  });
  const shown = (t: string[][]) => t.map((c) => [Number(c[2]), parseInt(c[3], 10), parseInt(c[4], 10), parseInt(c[5], 10), Number(c[6]), Number(c[7])]);

  it('shows each file side by side at the current margin, with one histogram per file and the leak count', async () => {
    const t = await splitsTable();
    assert.deepEqual(t.map((c) => [c[0], c[1]]), [['train.jsonl', 'train'], ['dev.jsonl', 'dev'], ['test.jsonl', 'test']]);
    assert.deepEqual(shown(t), expected(report.settings.margin));
    assert.equal(await elementCount(panel.page, '.split-histograms .histogram-canvas'), 3);
    const labels = await panel.page.locator('.split-histograms .histogram-canvas').evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''));
    expected(report.settings.margin).forEach((e, f) => assert.ok(labels[f].includes(`${e[1]} hard`), labels[f]));
    assert.equal((await shownCounts(panel.page)).leak, report.summary.leak);
    assert.ok((report.summary.leak ?? 0) >= 12);
    assert.equal(await elementCount(panel.page, '[role=columnheader]'), 10, 'a File column');
    mkdirSync(join(ARTIFACTS, 'browser'), { recursive: true });
    await panel.page.screenshot({ path: join(ARTIFACTS, 'browser', 'panel-multifile.png'), fullPage: true });
  });

  it('a new margin moves every file\'s shares as the core classifies them', async () => {
    const input = panel.page.locator('.margin-field input');
    await input.fill('0.05');
    await input.press('Enter');
    assert.deepEqual(shown(await splitsTable()), expected(0.05));
  });

  it('filters the rows by file, and a row names its file', async () => {
    await choose(panel.page, 'Filter by file', 'dev.jsonl (dev)');
    const dev = report.files![1].rows;
    assert.match(await panel.page.locator('.row-count').innerText(), new RegExp(`^${dev} of ${report.rows.length} rows`));
    const first = await panel.page.locator('.grid-canvas .grid-row[aria-rowindex="2"]').getAttribute('aria-label');
    assert.match(first ?? '', /line \d+ of dev\.jsonl/);
    await choose(panel.page, 'Filter by flag', 'leak');
    const leaks = report.rows.filter((r) => r.file === 1 && r.flags.includes('leak')).length;
    assert.match(await panel.page.locator('.row-count').innerText(), new RegExp(`^${leaks} of `));
  });
});
