/**
 * npm run bench:rescore [-- rows]   (default 100,000 rows)
 *
 * What the extension host does when the margin or distance changes, on a synthetic report of
 * seeded random rows shaped like the engine's (test/support/syntheticReport.ts; a real audit of
 * 100,000 rows takes minutes): before, AuditController.derive() rebuilt every row
 * (rescoreReport) and built every finding with its message (test/support/before.ts keeps that
 * code); now it re-scores typed columns (ScoredView) and marks findings as bits (FindingTable), and
 * the diagnostics listener builds the 999 findings the Problems panel can show. No vscode calls
 * are timed. Before and after alternate in the same run, at a different margin each time; medians
 * and maxima of 20 runs. Also: reading the columns (once per audit) and the whole-report
 * rescoreReport that the command line, exports and the panel use.
 */
import { rescoreReport } from '../src/core/rescore';
import { ReportColumns, ScoredView } from '../src/core/scoredView';
import type { DistanceName } from '../src/core/types';
import { FindingTable } from '../src/extension/logic/findingTable';
import { DEFAULT_SEVERITIES } from '../src/extension/logic/findings';
import { rowIndex } from '../src/extension/logic/rowLookup';
import { countFindingsBefore, findingsBefore, rescoreReportBefore } from '../test/support/before';
import { syntheticReport } from '../test/support/syntheticReport';
import { median } from './stats';

const ROWS = Number(process.argv[2] ?? 100_000);
/** With --expose-gc (as the npm script runs it), each timed block starts on a collected heap, so neither path pays for the other's garbage. */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const RUNS = 20;
const FRAME_MS = 16;
const PROBLEMS = 999;

function line(what: string, xs: number[], extra = ''): void {
  console.log(`  ${what.padEnd(64)} median ${median(xs).toFixed(2).padStart(8)} ms, max ${Math.max(...xs).toFixed(2).padStart(8)} ms${extra}`);
}

function main(): void {
  let t = performance.now();
  const report = syntheticReport(ROWS);
  console.log(`synthetic report: ${ROWS.toLocaleString('en-US')} rows (made in ${((performance.now() - t) / 1000).toFixed(1)} s): ${JSON.stringify(report.summary)}`);
  const index = rowIndex(report.rows);
  const reviewed = new Set<number>();
  const sev = DEFAULT_SEVERITIES;

  const columnsMs: number[] = [];
  let columns = new ReportColumns(report);
  for (let k = 0; k < 5; k++) {
    collect();
    t = performance.now();
    columns = new ReportColumns(report);
    columnsMs.push(performance.now() - t);
  }
  let view = new ScoredView(columns, report.settings.margin, report.settings.distance);

  const before = { rescore: [] as number[], findings: [] as number[], total: [] as number[], status: [] as number[] };
  const after = { rescore: [] as number[], findings: [] as number[], derive: [] as number[], problems: [] as number[], total: [] as number[] };
  const distanceSwitch: number[] = [];
  let findingCount = 0;
  for (let k = 0; k < RUNS + 2; k++) {
    const margin = Math.round((0.05 + 0.02 * k) * 1000) / 1000;
    // before: AuditController.derive() as it was, then the status bar's countFindings
    collect();
    let t0 = performance.now();
    const old = rescoreReportBefore(report, margin, 'euclidean');
    const t1 = performance.now();
    const list = findingsBefore(old, reviewed, sev);
    const flagged = new Set(list.map((f) => f.row));
    const t2 = performance.now();
    countFindingsBefore(old, reviewed);
    const t3 = performance.now();
    // after: derive() now, then what the diagnostics listener builds (the status bar reads table.counts)
    collect();
    const a0 = performance.now();
    view = view.rescore(margin, 'euclidean');
    const a1 = performance.now();
    const table = new FindingTable(view, reviewed, sev, index);
    const a2 = performance.now();
    const sel = table.forProblems(PROBLEMS);
    const a3 = performance.now();
    if (k < 2) continue; // warm-up
    if (table.total !== list.length || sel.shown.length !== Math.min(PROBLEMS, list.length) || flagged.size === 0) throw new Error('the two paths disagree');
    findingCount = list.length;
    before.rescore.push(t1 - t0); before.findings.push(t2 - t1); before.total.push(t2 - t0); before.status.push(t3 - t2);
    after.rescore.push(a1 - a0); after.findings.push(a2 - a1); after.derive.push(a2 - a0); after.problems.push(a3 - a2); after.total.push(a3 - a0);
    // a distance change as well (each distance's columns are converted on first use, then cached)
    const d: DistanceName = (['squared-euclidean', 'cosine', 'euclidean'] as const)[k % 3];
    collect();
    t0 = performance.now();
    const other = view.rescore(margin, d);
    new FindingTable(other, reviewed, sev, index).forProblems(PROBLEMS);
    distanceSwitch.push(performance.now() - t0);
  }

  console.log(`\nre-scoring in the extension host at a new margin, ${ROWS.toLocaleString('en-US')} rows, ${RUNS} margins 0.09..0.47 (euclidean), ~${findingCount.toLocaleString('en-US')} findings:`);
  console.log(' before (derive: rescoreReport + findings + flagged set)');
  line('rescoreReport (every row object, hinge strings)', before.rescore);
  line('findings (every finding with its message) + flagged set', before.findings);
  line('derive() total', before.total);
  line('status bar countFindings (listener)', before.status);
  console.log(' after (derive: ScoredView + FindingTable; the diagnostics listener: forProblems)');
  line('ScoredView (category codes, flag bits, summary)', after.rescore);
  line('FindingTable (kinds per row, counts)', after.findings);
  line('derive() total', after.derive);
  line(`forProblems(${PROBLEMS}) (findings + messages for the Problems panel)`, after.problems);
  line('derive() + diagnostics findings', after.total, median(after.total) <= FRAME_MS ? `  (within ${FRAME_MS} ms)` : `  (OVER ${FRAME_MS} ms)`);
  line('same with a distance change each time', distanceSwitch);
  console.log(`  speed-up of derive(): ${(median(before.total) / median(after.derive)).toFixed(0)}x; with the diagnostics findings: ${(median(before.total) / median(after.total)).toFixed(0)}x`);

  console.log('\nonce per audit, and the whole report where one is wanted:');
  line('ReportColumns (read when an audit is installed; 5 runs)', columnsMs);
  const whole: number[] = [], wholeBefore: number[] = [];
  for (let k = 0; k < 7; k++) {
    const margin = 0.1 + 0.05 * k;
    collect();
    t = performance.now(); rescoreReportBefore(report, margin, 'euclidean'); wholeBefore.push(performance.now() - t);
    collect();
    t = performance.now(); rescoreReport(report, margin, 'euclidean'); whole.push(performance.now() - t);
  }
  line('rescoreReport before (7 runs)', wholeBefore);
  line('rescoreReport now: columns + view + every row (7 runs)', whole);
}

main();
