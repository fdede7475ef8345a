/**
 * npm run bench:panel-host [-- rows | report.json] [--embedding]
 *   default: a synthetic report of 100,000 rows; --embedding gives a synthetic one a PCA map and
 *   64-dimensional embeddings, as the engine writes for files of up to 20,000 rows
 *
 * What the extension host does for the audit panel, before and after the report went to the
 * webview as audited and in parts: opening the panel on an audit, changing the margin with the
 * panel open, and marking a row reviewed with the panel open. The host's side only, without the
 * VS Code API's own work, except the one part of it that runs on the host's thread and grows
 * with the message: VS Code serialises each postMessage payload to JSON there, with a replacer
 * that looks for ArrayBuffers (extHostWebviewMessaging.ts); `serialize` below does the same.
 *
 * "after" drives the real AuditPanel (src/extension/panel.ts) against the stand-in vscode module
 * of the unit tests; "before" is the old host path, kept here: PanelBridge.show rebuilt the whole
 * re-scored report (ScoredView.report(), withoutReviewed) and AuditPanel posted it in one message
 * after building the row -> line map that validates the webview's messages.
 *
 * Measured:
 *  - longest slice: the longest time the event loop did not turn while the host worked, seen by
 *    a setImmediate probe that runs throughout (so garbage collection pauses count, as they do
 *    for every other extension in the host); and the CPU time the process used in that slice and
 *    in its most CPU-hungry slice (on a shared machine a slice's wall time may include time the
 *    OS gave the core to another process; process CPU also counts V8's helper threads);
 *  - host total: the sum of those slices (wall time while the host worked, less the probe's own
 *    idle ticks), and the CPU time of the process over the same span (the machine is shared:
 *    wall time also counts time other processes had the core);
 *  - for the parts, the longest and median serialisation of one message.
 * Each case runs RUNS times (medians, and the worst), "after" first: "before" leaves hundreds of
 * MB of garbage, which a full collection and a pause clear between phases (--expose-gc).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Rng } from '../src/core/rng';
import { ReportColumns, ScoredView } from '../src/core/scoredView';
import type { AuditReport, DistanceName } from '../src/core/types';
import { FindingTable } from '../src/extension/logic/findingTable';
import { DEFAULT_SEVERITIES } from '../src/extension/logic/findings';
import { withoutReviewed } from '../src/extension/logic/reviewed';
import { rowIndex } from '../src/extension/logic/rowLookup';
import type { HostMessage } from '../src/protocol';
import { ReportAssembly } from '../src/reportParts';
import { fakeVscode, loadPanelWith, uri, type FakePanel } from '../test/support/fakeVscode';
import { syntheticReport } from '../test/support/syntheticReport';
import { median } from './stats';

const ARGS = process.argv.slice(2);
const ARG = ARGS.find((a) => !a.startsWith('--')) ?? '100000';
const EMBEDDING_DIM = 64;
const RUNS = 3;
const BUDGET_MS = 50;

/** JSON.stringify with a replacer of the shape VS Code's serializeWebviewMessage uses (buffers sent apart). */
function serialize(message: unknown): string {
  const buffers: ArrayBufferLike[] = [];
  return JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof ArrayBuffer) { buffers.push(value); return { $$vscode_array_buffer_reference$$: true, index: buffers.length - 1 }; }
    if (ArrayBuffer.isView(value)) { buffers.push(value.buffer); return { $$vscode_array_buffer_reference$$: true, index: buffers.length - 1 }; }
    return value;
  });
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * Runs `work` (which may go on over several turns of the event loop; it resolves when the host
 * is done) while a probe records each turn, and returns the gaps between the probe's ticks.
 */
async function probed(work: () => Promise<void>): Promise<{ gaps: number[]; cpuGaps: number[]; cpu: number }> {
  const ticks: number[] = [], cpus: number[] = [];
  let on = true;
  const tick = () => { ticks.push(performance.now()); cpus.push(cpuMs()); if (on) setImmediate(tick); };
  setImmediate(tick);
  await turn();
  await turn();
  const c0 = cpuMs();
  await work();
  const cpu = cpuMs() - c0;
  on = false;
  await turn();
  const gaps: number[] = [], cpuGaps: number[] = [];
  for (let k = 1; k < ticks.length; k++) { gaps.push(ticks[k] - ticks[k - 1]); cpuGaps.push(cpus[k] - cpus[k - 1]); }
  return { gaps, cpuGaps, cpu };
}

/** The probe's tick when nothing else runs: subtracted from each gap for the total. */
async function idleTick(): Promise<number> {
  const { gaps } = await probed(async () => { for (let k = 0; k < 2000; k++) await turn(); });
  return median(gaps);
}

interface Measure {
  longest: number; longestCpu: number; maxCpu: number; over: number; total: number; cpu: number;
  messages: number; bytes: number; serializeMax: number; serializeMedian: number;
}

function summarise({ gaps, cpuGaps, cpu }: { gaps: number[]; cpuGaps: number[]; cpu: number }, idle: number, serialized: { ms: number; bytes: number }[]): Measure {
  const busy = gaps.map((g) => Math.max(0, g - idle));
  const k = gaps.indexOf(Math.max(...gaps));
  return {
    longest: gaps[k], longestCpu: cpuGaps[k], maxCpu: Math.max(...cpuGaps), over: gaps.filter((g) => g > BUDGET_MS).length,
    total: busy.reduce((s, g) => s + g, 0), cpu, messages: serialized.length,
    bytes: serialized.reduce((s, x) => s + x.bytes, 0),
    serializeMax: Math.max(0, ...serialized.map((x) => x.ms)), serializeMedian: serialized.length ? median(serialized.map((x) => x.ms)) : 0,
  };
}

function loadReport(): AuditReport {
  if (existsSync(ARG)) return JSON.parse(readFileSync(ARG, 'utf8')) as AuditReport;
  const report = syntheticReport(Number(ARG));
  if (ARGS.includes('--embedding')) {
    const rng = new Rng(17), n = report.rows.length;
    report.map = { method: 'pca', x: Array.from({ length: n }, () => rng.normal()), y: Array.from({ length: n }, () => rng.normal()) };
    report.embedding = { dim: EMBEDDING_DIM, values: Array.from({ length: n * EMBEDDING_DIM }, () => rng.normal() / 8) };
  }
  return report;
}

async function main(): Promise<void> {
  const t = performance.now();
  const report = loadReport();
  const n = report.rows.length;
  console.log(`${existsSync(ARG) ? ARG : 'synthetic report'}: ${n.toLocaleString('en-US')} rows, ${report.kind}${report.map ? ', PCA map' : ''}${report.embedding ? `, embedding dim ${report.embedding.dim}` : ''} (loaded in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const fileUri = 'file:///bench/report.csv';
  const margin = report.settings.margin, distance: DistanceName = report.settings.distance;
  // a few marks, as a person leaves them
  const reviewed = new Set(report.rows.filter((_, i) => i % 997 === 5).map((r) => r.row));
  const index = rowIndex(report.rows);
  const columns = new ReportColumns(report);

  const fake = fakeVscode();
  const { AuditPanel, restore } = loadPanelWith(fake);
  const events = { reveal: () => undefined, marginChanged: () => undefined, applyFix: () => undefined };
  let serialized: { ms: number; bytes: number }[] = [];
  const record = (m: unknown) => {
    const s0 = performance.now();
    const json = serialize(m);
    serialized.push({ ms: performance.now() - s0, bytes: json.length });
  };
  /** A fresh ready panel whose posts are serialised as VS Code does; what it posted is kept out of the heap. */
  const openPanel = () => {
    const host = AuditPanel.createOrShow({ extensionUri: uri('/ext'), subscriptions: [] } as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    p.received.fire({ type: 'ready' });
    return { host, p };
  };
  const drain = async (p: FakePanel, until: (m: HostMessage) => boolean) => {
    while (!(p.posted as HostMessage[]).some(until)) await turn();
  };

  const idle = await idleTick();
  const results: Record<string, Measure[]> = {};
  const keep = (name: string, m: Measure) => { (results[name] ??= []).push(m); };

  // ---- after ----
  for (let run = 0; run < RUNS; run++) {
    await settle();
    // opening the panel on an audit (bridge.open: setMargin, then showReport of the audit as it is)
    const { host, p } = openPanel();
    p.onPost = record;
    serialized = [];
    let lastId = 0;
    const open = await probed(async () => {
      host.setMargin(margin, distance);
      host.showReport(fileUri, report, reviewed);
      const start = (p.posted as HostMessage[]).find((m) => m.type === 'reportStart');
      lastId = start?.type === 'reportStart' ? start.reportId : -1;
      const parts = start?.type === 'reportStart' ? start.parts : 0;
      await drain(p, (m) => m.type === 'reportPart' && m.index === parts - 1);
    });
    keep('open: after', summarise(open, idle, serialized));
    if (run === 0) {
      // what was posted is the report: put it together as the webview does
      const posted = p.posted as HostMessage[];
      const a = new ReportAssembly(posted.find((m) => m.type === 'reportStart') as Extract<HostMessage, { type: 'reportStart' }>);
      for (const m of posted) if (m.type === 'reportPart' && m.reportId === lastId) a.add(m);
      if (!a.complete || a.report().rows.length !== n) throw new Error('the parts do not make the report');
    }
    p.posted.length = 0;

    // a margin change with the panel open: AuditController.derive() (re-score, findings) and the panel's setMargin
    serialized = [];
    const m2 = margin + 0.05 * (run + 1);
    let view = new ScoredView(columns, margin, distance);
    const change = await probed(async () => {
      view = view.rescore(m2, distance);
      new FindingTable(view, reviewed, DEFAULT_SEVERITIES, index);
      host.setMargin(m2, distance);
    });
    keep('margin change: after', summarise(change, idle, serialized));

    // a row marked reviewed with the panel open: the same audit with one more mark
    serialized = [];
    const more = new Set(reviewed).add(report.rows[n >> 1].row);
    const mark = await probed(async () => { host.showReport(fileUri, report, more); });
    keep('mark reviewed: after', summarise(mark, idle, serialized));
    host.dispose();
  }

  // ---- before ----
  /** The old bridge.show + AuditPanel.showReport + post: every row rebuilt, one message. */
  const showBefore = (view: ScoredView, marks: ReadonlySet<number>, reportId: number) => {
    const shown = withoutReviewed(view.report(), marks);
    const lines = new Map<number, number>();
    for (const r of shown.rows) lines.set(r.row, r.line);
    record({ type: 'report', reportId, fileUri, report: shown, margin: view.margin, distance: view.distance });
    return lines;
  };
  for (let run = 0; run < RUNS; run++) {
    await settle();
    serialized = [];
    // a new audit's view: its report() is built on first use
    let view = new ScoredView(columns, margin, distance);
    const open = await probed(async () => { showBefore(view, reviewed, 1); });
    keep('open: before', summarise(open, idle, serialized));

    await settle();
    serialized = [];
    const m2 = margin + 0.05 * (run + 1);
    const change = await probed(async () => {
      view = view.rescore(m2, distance);
      new FindingTable(view, reviewed, DEFAULT_SEVERITIES, index);
      record({ type: 'setMargin', margin: m2, distance });
    });
    keep('margin change: before', summarise(change, idle, serialized));

    await settle();
    serialized = [];
    // derive() keeps the view when only marks change, so its report() is reused; the message is whole again
    view.report();
    const more = new Set(reviewed).add(report.rows[n >> 1].row);
    const mark = await probed(async () => { showBefore(view, more, 2); });
    keep('mark reviewed: before', summarise(mark, idle, serialized));
  }
  restore();

  console.log(`\nthe extension host's work for the panel, ${n.toLocaleString('en-US')} rows, ${RUNS} runs each (median, worst); probe idle tick ${idle.toFixed(3)} ms:`);
  const f = (x: number) => x.toFixed(1).padStart(8);
  for (const name of ['open', 'margin change', 'mark reviewed']) {
    for (const when of ['before', 'after']) {
      const ms = results[`${name}: ${when}`];
      const col = (k: keyof Measure) => ms.map((m) => m[k]);
      const longest = col('longest');
      const verdict = Math.max(...longest) <= BUDGET_MS ? `within ${BUDGET_MS} ms` : `OVER ${BUDGET_MS} ms`;
      console.log(`  ${`${name}, ${when}`.padEnd(24)} longest slice ${f(median(longest))} ms (worst ${f(Math.max(...longest))}, ${verdict};`
        + ` its CPU ${f(median(col('longestCpu')))} ms; most CPU in a slice ${f(median(col('maxCpu')))} ms; slices over ${BUDGET_MS} ms: ${col('over').join('/')})`);
      console.log(`  ${''.padEnd(24)} host total ${f(median(col('total')))} ms, CPU ${f(median(col('cpu')))} ms;`
        + ` ${ms[0].messages} message(s), ${(ms[0].bytes / 1e6).toFixed(2)} MB JSON, serialising one: max ${f(median(col('serializeMax')))} ms, median ${median(col('serializeMedian')).toFixed(2)} ms`);
    }
  }
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
