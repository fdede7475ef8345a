/**
 * npm run bench:rescore [-- rows]   (default 100,000 rows)
 *
 * What the extension host does when the margin or distance changes, on a synthetic report of
 * seeded random rows shaped like the engine's (test/support/syntheticReport.ts; a real audit of
 * 100,000 rows takes minutes): before, AuditController.derive() rebuilt every row
 * (rescoreReport) and built every finding with its message (test/support/before.ts keeps that
 * code); now it re-scores typed columns (ScoredView) and marks findings as bits (FindingTable), and
 * the diagnostics listener builds the 999 findings the Problems panel can show. No vscode calls
 * are timed. Wall times, and CPU times of the process for the totals (on a shared machine the
 * wall time also counts time the core spent on other processes). Both in the same run, at the same 20 margins (medians and maxima), the new path
 * first: the old one leaves so much garbage that collecting it would land in whatever runs next.
 * Also: reading the columns (once per audit) and the whole-report rescoreReport that the command
 * line, exports and the panel use.
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
const RUNS = 20;
const WARM_UP = 2;
const FRAME_MS = 16;
const PROBLEMS = 999;
const margins = Array.from({ length: RUNS + WARM_UP }, (_, k) => Math.round((0.05 + 0.02 * k) * 1000) / 1000);

/**
 * Between phases: a full collection (with --expose-gc, as the npm script runs it), then a pause
 * for V8's concurrent sweeping to finish, so that no phase pays for an earlier one's garbage
 * (the old path leaves hundreds of MB of it).
 */
async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
}

function line(what: string, xs: number[], extra = ''): void {
  console.log(`  ${what.padEnd(64)} median ${median(xs).toFixed(2).padStart(8)} ms, max ${Math.max(...xs).toFixed(2).padStart(8)} ms${extra}`);
}

/** CPU milliseconds this process has used: on a shared machine, wall time also counts the time other processes had the core. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `f` at each margin; the warm-up runs are not kept. */
function timed<T extends Record<string, number>>(f: (margin: number, k: number) => T): Record<keyof T, number[]> {
  const out = {} as Record<keyof T, number[]>;
  margins.forEach((m, k) => {
    const times = f(m, k);
    if (k < WARM_UP) return;
    for (const key of Object.keys(times) as (keyof T)[]) (out[key] ??= []).push(times[key]);
  });
  return out;
}

async function main(): Promise<void> {
  let t = performance.now();
  const report = syntheticReport(ROWS);
  console.log(`synthetic report: ${ROWS.toLocaleString('en-US')} rows (made in ${((performance.now() - t) / 1000).toFixed(1)} s): ${JSON.stringify(report.summary)}`);
  const index = rowIndex(report.rows);
  const reviewed = new Set<number>();
  const sev = DEFAULT_SEVERITIES;

  await settle();
  const columnsMs: number[] = [];
  let columns = new ReportColumns(report);
  for (let k = 0; k < 5; k++) {
    t = performance.now();
    columns = new ReportColumns(report);
    columnsMs.push(performance.now() - t);
  }

  // after: derive() now, then what the diagnostics listener builds (the status bar reads table.counts)
  await settle();
  let view = new ScoredView(columns, report.settings.margin, report.settings.distance);
  const totals: number[] = [];
  const after = timed((margin) => {
    const c0 = cpuMs();
    const a0 = performance.now();
    view = view.rescore(margin, 'euclidean');
    const a1 = performance.now();
    const table = new FindingTable(view, reviewed, sev, index);
    const a2 = performance.now();
    table.forProblems(PROBLEMS);
    const a3 = performance.now();
    const c3 = cpuMs();
    totals.push(table.total);
    return { rescore: a1 - a0, findings: a2 - a1, derive: a2 - a0, problems: a3 - a2, total: a3 - a0, cpu: c3 - c0 };
  });
  // a distance change each time as well (each distance is converted on first use, then cached)
  await settle();
  const switched = timed((margin, k) => {
    const t0 = performance.now();
    const other = view.rescore(margin, (['squared-euclidean', 'cosine', 'euclidean'] as const)[k % 3] as DistanceName);
    new FindingTable(other, reviewed, sev, index).forProblems(PROBLEMS);
    return { total: performance.now() - t0 };
  });

  // before: AuditController.derive() as it was, then the status bar's countFindings
  await settle();
  const before = timed((margin, k) => {
    const c0 = cpuMs();
    const t0 = performance.now();
    const old = rescoreReportBefore(report, margin, 'euclidean');
    const t1 = performance.now();
    const list = findingsBefore(old, reviewed, sev);
    const flagged = new Set(list.map((f) => f.row));
    const t2 = performance.now();
    const c2 = cpuMs();
    countFindingsBefore(old, reviewed);
    const t3 = performance.now();
    if (list.length !== totals[k] || flagged.size === 0) throw new Error('the two paths disagree');
    return { rescore: t1 - t0, findings: t2 - t1, total: t2 - t0, status: t3 - t2, cpu: c2 - c0 };
  });

  console.log(`\nre-scoring in the extension host at a new margin, ${ROWS.toLocaleString('en-US')} rows, ${RUNS} margins ${margins[WARM_UP]}..${margins[margins.length - 1]} (euclidean), ` +
    `${Math.min(...totals).toLocaleString('en-US')}..${Math.max(...totals).toLocaleString('en-US')} findings:`);
  console.log(' before (derive: rescoreReport + findings + flagged set)');
  line('rescoreReport (every row object, hinge strings)', before.rescore);
  line('findings (every finding with its message) + flagged set', before.findings);
  line('derive() total', before.total);
  line('  the same in CPU time of this process', before.cpu);
  line('status bar countFindings (listener)', before.status);
  console.log(' after (derive: ScoredView + FindingTable; the diagnostics listener: forProblems)');
  line('ScoredView (category codes, flag bits, summary)', after.rescore);
  line('FindingTable (kinds per row, counts)', after.findings);
  line('derive() total', after.derive);
  line(`forProblems(${PROBLEMS}) (findings + messages for the Problems panel)`, after.problems);
  const verdict = (xs: number[]) => (median(xs) <= FRAME_MS ? `  (within ${FRAME_MS} ms)` : `  (OVER ${FRAME_MS} ms)`);
  line('derive() + diagnostics findings', after.total, verdict(after.total));
  line('  the same in CPU time of this process', after.cpu, verdict(after.cpu));
  line('same with a distance change each time', switched.total);
  console.log(`  speed-up of derive(): ${(median(before.total) / median(after.derive)).toFixed(0)}x; with the diagnostics findings: ${(median(before.total) / median(after.total)).toFixed(0)}x`);

  console.log('\nonce per audit, and the whole report where one is wanted:');
  line('ReportColumns (read when an audit is installed; 5 runs)', columnsMs);
  const whole: number[] = [], wholeBefore: number[] = [];
  for (let k = 0; k < 7; k++) {
    const margin = 0.1 + 0.05 * k;
    await settle();
    t = performance.now(); rescoreReportBefore(report, margin, 'euclidean'); wholeBefore.push(performance.now() - t);
    await settle();
    t = performance.now(); rescoreReport(report, margin, 'euclidean'); whole.push(performance.now() - t);
  }
  line('rescoreReport before (7 runs)', wholeBefore);
  line('rescoreReport now: columns + view + every row (7 runs)', whole);
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
