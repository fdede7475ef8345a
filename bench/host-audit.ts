/**
 * npm run bench:host-audit [-- --rows 100000] [--runs 2]
 *
 * The extension host's side of an audit, with the host's own code (AuditRunner, startJobProcess
 * and dist/worker.js, as extension.ts wires them): a make_big.py file is audited in a job process
 * while this thread ticks every 10 ms, then installed as the controller does (the tables of
 * logic/auditTables.ts, the findings, the Problems panel's 999); prints the event loop's delay (perf_hooks, max and p99,
 * each sample including the 10 ms interval), the gaps between ticks over 30 ms, and the seconds.
 * The bound: no more than 50 ms at once. The report arrives in parts (worker/result.ts):
 * sent whole, a 100,000-row report blocked this thread for ~2 s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AuditRunner } from '../src/extension/auditRunner';
import { AUDIT_NICENESS, startJobProcess } from '../src/extension/jobProcess';
import { ScoredView } from '../src/core/scoredView';
import { auditTables } from '../src/extension/logic/auditTables';
import { FindingTable } from '../src/extension/logic/findingTable';
import { DEFAULT_SEVERITIES } from '../src/extension/logic/findings';
import { bigFile } from './bigFile';

const ROOT = join(__dirname, '..');

async function once(file: string): Promise<string> {
  const runner = new AuditRunner(() => startJobProcess(join(ROOT, 'dist', 'worker.js'), AUDIT_NICENESS));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const stalls: { atS: number; ms: number }[] = [];
  const t0 = performance.now();
  let last = t0;
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - last > 30) stalls.push({ atS: Math.round((last - t0) / 100) / 10, ms: Math.round(now - last) });
    last = now;
  }, 10);
  loop.enable();
  const done = await runner.run({ type: 'start', file, options: {} });
  const seconds = (performance.now() - t0) / 1000;
  // what the controller then does (auditController.ts install): the tables, a turn apart, then at
  // once the findings at the margin and the Problems panel's 999 of them (diagnostics.ts)
  const { report, digest } = done;
  const i0 = performance.now();
  const { columns, index, reviewed } = await auditTables(report, digest.rows, new Set());
  const i1 = performance.now();
  const view = new ScoredView(columns, report.settings.margin, report.settings.distance);
  new FindingTable(view, reviewed, DEFAULT_SEVERITIES, index).forProblems(999);
  const install = `the tables ${(i1 - i0).toFixed(1)} ms in three turns, then the findings ${(performance.now() - i1).toFixed(1)} ms`;
  // a little after the reply too: whatever the report's arrival leaves for the collector
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(tick);
  loop.disable();
  const worst = stalls.sort((a, b) => b.ms - a.ms).slice(0, 3).map((s) => `${s.ms} ms at ${s.atS} s`).join(', ') || 'none';
  return `${done.report.rows.length.toLocaleString('en')} rows in ${seconds.toFixed(1)} s: event loop max ${(loop.max / 1e6).toFixed(1)} ms, ` +
    `p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms; gaps over 30 ms: ${worst} (installing the report: ${install})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
  if (!existsSync(join(ROOT, 'dist', 'worker.js'))) throw new Error('dist/worker.js is missing: run npm run build');
  const rows = Number(values.rows ?? 100_000), runs = Number(values.runs ?? 2);
  const file = bigFile(rows);
  console.log(`The extension host's event loop while it audits ${file} (job process, report in parts):`);
  for (let i = 0; i < runs; i++) console.log(`  run ${i + 1}: ${await once(file)}`);
}

main().catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
