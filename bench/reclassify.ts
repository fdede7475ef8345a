/**
 * How long re-classification at a new margin takes for 100,000 rows: the core's `reclassify` in
 * Node and in Chromium, and the panel's whole update in Chromium (re-classify, counts, histogram,
 * table rows in view, detail pane), each the median of 50 runs at different margins.
 * Input: a synthetic report of seeded random distances (a benchmark input, not a test result).
 *
 *   node scripts/build.mjs && npx tsx bench/reclassify.ts [rows]
 */
import { build as esbuild } from 'esbuild';
import { reclassify } from '../src/core/categories';
import { Rng } from '../src/core/rng';
import { median } from './stats';
import type { AuditReport, RowReport } from '../src/core/types';
import { build, launch, PanelPage, ROOT, until } from '../test/browser/harness';

const ROWS = Number(process.argv[2] ?? 100_000);
const RUNS = 50;
const FRAME_MS = 1000 / 60;
const margins = Array.from({ length: RUNS }, (_, k) => Math.round((0.05 + 0.01 * k) * 1000) / 1000);

function distances(n: number): { dAP: Float64Array; dAN: Float64Array } {
  const rng = new Rng(7);
  const dAP = new Float64Array(n), dAN = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dAP[i] = 0.2 + rng.next();
    dAN[i] = Math.max(0, dAP[i] + 0.3 * rng.normal() + 0.15);
  }
  return { dAP, dAN };
}

function syntheticReport(d: { dAP: Float64Array; dAN: Float64Array }): AuditReport {
  const rng = new Rng(11);
  const labels = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
  const rows: RowReport[] = Array.from(d.dAP, (p, i) => ({
    row: i, line: i + 2, endLine: i + 2, category: 'easy', loss: 0, dAP: p, dAN: d.dAN[i], suspicion: rng.next(),
    flags: rng.next() < 0.05 ? ['mislabeled'] : [], label: labels[i % labels.length], fold: i % 5,
    neighbours: [], evidence: [], text: `synthetic row ${i}: ${labels[rng.int(labels.length)]} ${rng.next().toString(36).slice(2, 10)}`,
  }));
  const x = Array.from(rows, (r) => (r.row % 8) + rng.normal()), y = Array.from(rows, (r) => Math.floor(r.row / 8) % 3 + rng.normal());
  return {
    version: 1, file: '/bench/synthetic.csv', format: 'csv', kind: 'labeled', rowCount: rows.length, columns: { text: 'text', label: 'label' },
    labels, settings: { margin: 0.2, distance: 'euclidean', seed: 42, folds: 5, k: 10, backend: 'synthetic', epochs: 0, dim: 64, mining: 'semi-hard', suspicionThreshold: 0.5 },
    model: { description: 'synthetic distances (benchmark input)', featureDim: 0, trainedRowsPerFold: [], epochsPerFold: [] }, folds: [], neighbourSearch: 'exact',
    timings: {}, summary: { easy: 0, semiHard: 0, hard: 0, mislabeled: 0, triviallyEasy: 0, marginViolation: 0, nearDuplicate: 0, invalid: 0 },
    problems: [], rows, map: { method: 'pca', x, y },
  };
}

function nodeRuns(d: { dAP: Float64Array; dAN: Float64Array }): number[] {
  const out = new Uint8Array(d.dAP.length);
  for (let k = 0; k < 5; k++) reclassify(d.dAP, d.dAN, margins[k], out); // warm up the JIT
  return margins.map((m) => {
    const t = performance.now();
    reclassify(d.dAP, d.dAN, m, out);
    return performance.now() - t;
  });
}

/** The core function bundled for the browser, run in a blank page. */
async function browserCoreRuns(page: PanelPage['page'], n: number): Promise<number[]> {
  const bundle = await esbuild({
    stdin: { contents: "export { reclassify } from './src/core/categories'; export { Rng } from './src/core/rng';", resolveDir: ROOT, loader: 'ts' },
    bundle: true, format: 'iife', globalName: 'core', platform: 'browser', write: false, target: 'es2022',
  });
  await page.goto('about:blank');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  return page.evaluate(({ n, margins }) => {
    type Core = { reclassify(a: Float64Array, b: Float64Array, m: number, o: Uint8Array): unknown; Rng: new (s: number) => { next(): number; normal(): number } };
    const { reclassify: rc, Rng: R } = (globalThis as unknown as { core: Core }).core;
    const rng = new R(7);
    const dAP = new Float64Array(n), dAN = new Float64Array(n), out = new Uint8Array(n);
    for (let i = 0; i < n; i++) { dAP[i] = 0.2 + rng.next(); dAN[i] = Math.max(0, dAP[i] + 0.3 * rng.normal() + 0.15); }
    for (let k = 0; k < 5; k++) rc(dAP, dAN, margins[k], out);
    return margins.map((m) => { const t = performance.now(); rc(dAP, dAN, m, out); return performance.now() - t; });
  }, { n, margins });
}

/** The panel's whole margin update, timed by the panel itself (performance measure). */
async function panelRuns(panel: PanelPage, report: AuditReport): Promise<{ times: number[]; loadMs: number; buildMs: number; domRows: number }> {
  const t = Date.now();
  await panel.sendReport(report);
  await panel.page.waitForSelector('.grid-canvas .grid-row[data-position]', { timeout: 120_000 });
  const loadMs = Date.now() - t;
  const buildMs = (await panel.page.evaluate(`performance.getEntriesByName('triplet-audit:render').at(-1).duration`)) as number;
  const times: number[] = [];
  for (const m of [0.31, 0.32, 0.33, ...margins]) {
    await panel.send({ type: 'setMargin', margin: m, distance: 'euclidean' });
    await until(panel.page, `document.querySelector('.margin-field').value === '${m}'`);
    times.push((await panel.page.evaluate(`performance.getEntriesByName('triplet-audit:margin').at(-1).duration`)) as number);
  }
  const domRows = (await panel.page.evaluate(`document.querySelectorAll('.grid-canvas [role=row]:not([hidden])').length`)) as number;
  // scrolling to the end shows the last row, still with only the rows in view in the DOM
  await panel.page.evaluate(`document.querySelector('.grid-viewport').scrollTop = 1e9`);
  await until(panel.page, `!!document.querySelector('.grid-canvas .grid-row[data-position="${report.rows.length - 1}"]:not([hidden])')`);
  return { times: times.slice(3), loadMs, buildMs, domRows };
}

async function main(): Promise<void> {
  build();
  const d = distances(ROWS);
  const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
  console.log(`re-classification at a new margin, ${ROWS} rows, median of ${RUNS} runs (a frame at 60 Hz is ${FRAME_MS.toFixed(1)} ms)`);
  const line = (what: string, ms: number, extra = '') => console.log(`  ${what.padEnd(44)} ${fmt(ms).padStart(10)}${extra}`);
  line(`core reclassify, Node ${process.version}`, median(nodeRuns(d)));
  const browser = await launch();
  try {
    const version = browser.context.browser()?.version() ?? 'unknown';
    const blank = await browser.context.newPage();
    line(`core reclassify, Chromium ${version}`, median(await browserCoreRuns(blank, ROWS)));
    await blank.close();
    const panel = await PanelPage.open(browser.context);
    const r = await panelRuns(panel, syntheticReport(d));
    const med = median(r.times);
    line('whole panel update in Chromium', med, ` (max ${fmt(Math.max(...r.times))}): re-classify, counts, histogram, rows in view, detail`);
    console.log(`  ${med < FRAME_MS ? 'within' : 'OVER'} one animation frame; table rows in the DOM: ${r.domRows} of ${ROWS}; report to first render: ${r.loadMs} ms (building the panel: ${r.buildMs.toFixed(0)} ms)`);
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });

