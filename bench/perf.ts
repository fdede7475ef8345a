/**
 * npm run bench:perf [-- --sizes 10000,100000] [--1m] [--runs N]
 *
 * For each size: a synthetic labeled file from ../shared/bench/make_big.py (cached under the OS
 * temp folder), audited end to end by the built CLI at default settings in a child process:
 * seconds of every stage, rows per second and peak RSS (the process's VmHWM, worker threads
 * included). Then the neighbour stage alone, one fold's shape (N/5 queries against 4N/5
 * references, 64-d), in GFLOP/s beside a BLAS multiply of the same shapes (numpy, installed from
 * Debian's python3-numpy if absent): on one thread beside numpy on one, and on a thread per core
 * at once (as the audit's folds run) beside numpy on all cores. Then the margin
 * re-scoring of the audited report (median of 20): the core's typed-array reclassify (as the
 * panel does), the extension host's path (ScoredView + FindingTable + the findings the Problems
 * panel shows; bench/rescore.ts has it against the old code) and the whole-report rescoreReport
 * (exports, the command line). Short runs are repeated (--runs, default 3 below 20,000 rows) and
 * their median reported. Past 200,000 rows the report is read without its rows (1,000,000 rows
 * make 1.4 GB of JSON), so re-scoring is measured up to that size.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { reclassify } from '../src/core/categories';
import { rescoreReport } from '../src/core/rescore';
import { ReportColumns, ScoredView } from '../src/core/scoredView';
import { FindingTable } from '../src/extension/logic/findingTable';
import { DEFAULT_SEVERITIES } from '../src/extension/logic/findings';
import { rowIndex } from '../src/extension/logic/rowLookup';
import { BENCH_CACHE, bigFile } from './bigFile';
import { median } from './stats';
import type { AuditReport } from '../src/core/types';

const ROOT = join(__dirname, '..');


/** Past this many rows the report is read without its rows (1,000,000 rows: 1.4 GB of JSON, past V8's longest string). */
const WHOLE_REPORT_MAX_ROWS = 200_000;

/**
 * The report's fields before its rows (timings, summary, model: everything but `rows`, which
 * reportJson writes last), read from the start of the file.
 */
function reportHead(file: string): AuditReport {
  const ROWS = '"rows":[';
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(1 << 24);
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) throw new Error(`${file}: no rows field`);
      chunks.push(Buffer.from(buf.subarray(0, got)));
      const text = Buffer.concat(chunks).toString('utf8');
      const at = text.indexOf(ROWS);
      if (at >= 0) return { ...JSON.parse(`${text.slice(0, at)}"rows":[]}`), rows: [] } as AuditReport;
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the CLI on `file`; resolves with its wall seconds, peak RSS (MiB) and report (without rows when `whole` is false). */
function audit(file: string, whole: boolean): Promise<{ wall: number; peakMiB: number; report: AuditReport }> {
  const out = join(BENCH_CACHE, 'report.json');
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), file, '--format', 'json', '--out', out, '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
  let peakKiB = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch { /* exited */ }
  }, 50);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      clearInterval(poll);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) { reject(new Error(`the CLI exited with ${code} on ${file}`)); return; }
      resolve({ wall, peakMiB: peakKiB / 1024, report: whole ? JSON.parse(readFileSync(out, 'utf8')) as AuditReport : reportHead(out) });
    });
  });
}

/**
 * One fold's neighbour search (N/5 queries against 4N/5 references, 64-d, k = 10) on random unit
 * vectors: its seconds and the floating-point operations of the multiply it contains. Run in
 * worker threads (neighbourStageOnThreads), one or one per core.
 */
const NEIGHBOUR_STAGE = `async function neighbourStage(n, seed, ready) {
  const { nearestNeighbours } = require(${JSON.stringify(join(ROOT, 'src', 'core', 'neighbours.ts'))});
  const { Rng } = require(${JSON.stringify(join(ROOT, 'src', 'core', 'rng.ts'))});
  const dim = 64, rng = new Rng(seed);
  const z = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) { const v = rng.normal(); z[i * dim + d] = v; s += v * v; }
    for (let d = 0; d < dim; d++) z[i * dim + d] /= Math.sqrt(s);
  }
  const q = Math.round(n / 5);
  const queries = Int32Array.from({ length: q }, (_, i) => i);
  const refs = Int32Array.from({ length: n - q }, (_, i) => q + i);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 8);
  await ready();
  const t0 = performance.now();
  await nearestNeighbours({ z, dim, queries, refs, labels, k: 10 });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, flop: 2 * q * refs.length * dim, q, r: refs.length };
}`;

type StageResult = { seconds: number; flop: number; q: number; r: number };

/**
 * The stage on `threads` worker threads at once (the audit runs folds side by side), started
 * together once every thread has made its data: GFLOP/s of all of them over the slowest's seconds.
 */
async function neighbourStageOnThreads(n: number, threads: number): Promise<{ seconds: number; gflops: number; q: number; r: number }> {
  const code = `require('tsx/cjs'); const { parentPort, workerData } = require('node:worker_threads');
${NEIGHBOUR_STAGE}
const ready = () => new Promise((go) => { parentPort.once('message', go); parentPort.postMessage({ ready: true }); });
neighbourStage(workerData.n, workerData.seed, ready).then((r) => parentPort.postMessage(r));`;
  const workers = Array.from({ length: threads }, (_, i) => new Worker(code, { eval: true, workerData: { n, seed: i + 1 } }));
  const next = (w: Worker) => new Promise<unknown>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await Promise.all(workers.map(next));
  const done = workers.map(next);
  for (const w of workers) w.postMessage('go');
  const results = (await Promise.all(done)) as StageResult[];
  for (const w of workers) void w.terminate();
  const seconds = Math.max(...results.map((r) => r.seconds));
  return { seconds, gflops: results.reduce((t, r) => t + r.flop, 0) / seconds / 1e9, q: results[0].q, r: results[0].r };
}

function ensureNumpy(): boolean {
  if (spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) return true;
  console.log('numpy is missing: installing python3-numpy (apt)');
  spawnSync('apt-get', ['install', '-y', '-q', 'python3-numpy'], { stdio: 'inherit' });
  return spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

/** numpy's GFLOP/s for Q [q x 64] @ R^T [64 x r] in blocks of 1024 queries (the stage's shapes). */
function blas(q: number, r: number, threads: number): number {
  const py = `
import numpy as np, time
rng = np.random.default_rng(1)
Q = rng.standard_normal((${q}, 64), dtype=np.float32); RT = np.ascontiguousarray(rng.standard_normal((${r}, 64), dtype=np.float32).T)
t0 = time.perf_counter()
for s in range(0, ${q}, 1024):
    S = Q[s:s + 1024] @ RT
print(2 * ${q} * ${r} * 64 / (time.perf_counter() - t0) / 1e9)`;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const res = spawnSync('python3', ['-c', py], { encoding: 'utf8', env });
  if (res.status !== 0) throw new Error(`numpy benchmark failed: ${res.stderr}`);
  return Number(res.stdout.trim());
}

/** Margin re-scoring of an audited report, median of 20: the core's, the extension host's and the whole report's. */
function rescoring(report: AuditReport): void {
  const valid = report.rows.filter((r) => r.dAP !== null && r.dAN !== null);
  const dAP = Float64Array.from(valid, (r) => r.dAP!), dAN = Float64Array.from(valid, (r) => r.dAN!);
  const codes = new Uint8Array(valid.length);
  const core: number[] = [], host: number[] = [], whole: number[] = [];
  const columns = new ReportColumns(report), index = rowIndex(report.rows);
  for (let k = 0; k < 20; k++) {
    let t0 = performance.now();
    reclassify(dAP, dAN, 0.05 + 0.02 * k, codes);
    core.push(performance.now() - t0);
    t0 = performance.now();
    new FindingTable(new ScoredView(columns, 0.05 + 0.02 * k, 'euclidean'), new Set(), DEFAULT_SEVERITIES, index).forProblems(999);
    host.push(performance.now() - t0);
    t0 = performance.now();
    rescoreReport(report, 0.05 + 0.02 * k, 'euclidean');
    whole.push(performance.now() - t0);
  }
  console.log(`  margin re-scoring, median of 20: core reclassify (typed arrays, as the panel does) ${median(core).toFixed(2)} ms; ` +
    `extension host (ScoredView + FindingTable + 999 findings for the Problems panel) ${median(host).toFixed(2)} ms; ` +
    `rescoreReport (every row object, for exports and the command line) ${median(whole).toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, '1m': { type: 'boolean' }, runs: { type: 'string' } } });
  const sizes = (values.sizes ?? '10000,100000').split(',').map(Number);
  if (values['1m']) sizes.push(1_000_000);
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build');
  const haveNumpy = ensureNumpy();
  console.log('Triplet Audit performance\n');
  for (const n of sizes) {
    const file = bigFile(n);
    const runs = Number(values.runs ?? (n < 20_000 ? 3 : 1));
    const results: Awaited<ReturnType<typeof audit>>[] = [];
    const whole = n <= WHOLE_REPORT_MAX_ROWS;
    for (let i = 0; i < runs; i++) results.push(await audit(file, whole));
    const wall = median(results.map((r) => r.wall));
    const peak = median(results.map((r) => r.peakMiB));
    const report = results[0].report;
    const stages = Object.keys(report.timings).filter((k) => k !== 'total');
    const stageText = stages.map((k) => `${k} ${median(results.map((r) => r.report.timings[k] ?? 0)).toFixed(1)}`).join(', ');
    console.log(`${n.toLocaleString('en')} rows (${runs} run${runs > 1 ? 's' : ''}, median): ${wall.toFixed(1)} s wall, ${Math.round(n / wall).toLocaleString('en')} rows/s, peak RSS ${Math.round(peak)} MiB`);
    console.log(`  stages (s): ${stageText}; neighbour search: ${report.neighbourSearch}`);
    if (whole) rescoring(report);
    else console.log(`  margin re-scoring: not measured (the report's ${n.toLocaleString('en')} rows are not read back; the targets are for 100,000)`);
    const m = Math.min(n, 100_000);
    const nb = await neighbourStageOnThreads(m, 1);
    const cores = availableParallelism();
    const both = await neighbourStageOnThreads(m, cores);
    let one = '', all = '';
    if (haveNumpy) {
      const b1 = blas(nb.q, nb.r, 1), bAll = blas(nb.q, nb.r, 0);
      one = `; numpy BLAS on one thread ${b1.toFixed(1)} GFLOP/s (ratio ${(nb.gflops / b1).toFixed(2)})`;
      all = `; numpy BLAS on all cores ${bAll.toFixed(1)} GFLOP/s (ratio ${(both.gflops / bAll).toFixed(2)})`;
    }
    console.log(`  neighbour stage, one fold (${nb.q} x ${nb.r} x 64) on one thread: ${nb.seconds.toFixed(2)} s, ${nb.gflops.toFixed(1)} GFLOP/s${one}`);
    console.log(`  the same on ${cores} threads at once (as the audit's folds run): ${both.seconds.toFixed(2)} s, ${both.gflops.toFixed(1)} GFLOP/s${all}\n`);
  }
}

main().catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
