/**
 * npm run bench:recall [-- --settings 283:8:8,566:16:8] [--1m]
 *
 * The approximate neighbour search (src/core/ivf.ts) against the exact one (neighbours.ts) on
 * realistic embeddings: the 100,000-row benchmark file through a trained fold encoder
 * (bench/embeddings.ts, cached). Queries are fold 0 (20,000 rows), references the other 80,000,
 * k = 10. For the default parameters and each --settings entry (nlist:nprobe:extraProbes):
 * recall@10 (|approximate top 10 n exact top 10| / 10, averaged over queries), how often the
 * nearest same-label and other-label rows are the exact ones, how often the other-label distance
 * (the audit's d(a,n)) is off by more than 0.02, and the time: wall seconds, and CPU seconds of
 * this process (the machine may be shared: CPU seconds are what the search costs).
 *
 * --1m: one fold of a synthetic 1,000,000-row audit (200,000 queries x 800,000 references), each
 * embedding a copy of one of the 100,000 with small noise (per-dimension sd 0.01, then
 * normalised): the time of the search at the default parameters, and recall@10 on 1% of its
 * queries against the exact search for those. The copies make neighbours easier to find than
 * real data would: read its recall as an upper bound, its time as the estimate.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/core/node/backend';
import { approximateNeighbours, ivfParams, type IvfParams, type IvfStats } from '../src/core/ivf';
import { nearestNeighbours, simToEuclidean, type NeighbourResult } from '../src/core/neighbours';
import { Rng } from '../src/core/rng';
import { EMBED_DIM, embeddings100k } from './embeddings';

const K = 10;

interface Timed<T> { value: T; wall: number; cpu: number }

async function timed<T>(f: () => Promise<T>): Promise<Timed<T>> {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** Agreement of `approx` with `exact` on the queries at `at` (rows of approx; rows of exact in order). */
function agreement(approx: NeighbourResult, exact: NeighbourResult, at: (i: number) => number) {
  const nq = exact.ids.length / K;
  let hit = 0, same = 0, other = 0, danOff = 0;
  for (let i = 0; i < nq; i++) {
    const a = at(i), want = new Set(exact.ids.subarray(i * K, i * K + K));
    for (let j = 0; j < K; j++) if (want.has(approx.ids[a * K + j])) hit++;
    if (approx.sameId[a] === exact.sameId[i]) same++;
    if (approx.otherId[a] === exact.otherId[i]) other++;
    const dan = (r: NeighbourResult, q: number) => (r.otherId[q] >= 0 ? simToEuclidean(r.otherSim[q]) : 2);
    if (Math.abs(dan(approx, a) - dan(exact, i)) > 0.02) danOff++;
  }
  return { recall: hit / (nq * K), same: same / nq, other: other / nq, danOff: danOff / nq };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const phases = (s: IvfStats) => Object.entries(s.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { settings: { type: 'string' }, '1m': { type: 'boolean' } } });
  const backend = await initBackend('auto');
  const e = await embeddings100k((s) => console.log(s));
  const rows = Int32Array.from(e.fold.keys());
  const queries = rows.filter((i) => e.fold[i] === 0), refs = rows.filter((i) => e.fold[i] !== 0);
  const input = { z: e.z, dim: EMBED_DIM, queries, refs, labels: e.labels, k: K };
  console.log(`100,000 rows: ${queries.length} queries x ${refs.length} references, ${EMBED_DIM}-d, k = ${K} (exact search on tf backend ${backend})`);
  const exact = await timed(() => nearestNeighbours(input));
  console.log(`  exact: ${exact.wall.toFixed(1)} s wall, ${exact.cpu.toFixed(1)} s CPU`);
  const settings: Partial<IvfParams>[] = [{}];
  for (const s of (values.settings ?? '').split(',').filter(Boolean)) {
    const [nlist, nprobe, extraProbes] = s.split(':').map(Number);
    settings.push({ nlist, nprobe, extraProbes });
  }
  for (const p of settings) {
    let stats: IvfStats | undefined;
    const run = await timed(() => approximateNeighbours({ ...input, ...p, seed: 1, onStats: (s) => { stats = s; } }));
    const a = agreement(run.value, exact.value, (i) => i);
    const st = stats!;
    console.log(`  IVF nlist ${st.nlist}, nprobe ${st.nprobe}, extraProbes ${st.extraProbes}${Object.keys(p).length ? '' : ' (defaults)'}: ` +
      `recall@10 ${a.recall.toFixed(4)}; nearest same label exact ${pct(a.same)}, other label ${pct(a.other)}, ` +
      `d(a,n) off by > 0.02 ${pct(a.danOff)}; ${run.wall.toFixed(1)} s wall, ${run.cpu.toFixed(1)} s CPU ` +
      `(${(exact.cpu / run.cpu).toFixed(0)}x less than exact; phases, wall s: ${phases(st)}; label search for ${st.labelSearch.same} / ${st.labelSearch.other} queries)`);
  }
  if (values['1m']) await oneMillion(e.z, e.labels);
}

async function oneMillion(z100k: Float32Array, labels100k: Int32Array): Promise<void> {
  const n = 1_000_000, dim = EMBED_DIM, base = labels100k.length, rng = new Rng(7);
  const z = new Float32Array(n * dim), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i % base;
    labels[i] = labels100k[b];
    let s = 0;
    for (let d = 0; d < dim; d++) { const v = z100k[b * dim + d] + 0.01 * rng.normal(); z[i * dim + d] = v; s += v * v; }
    for (let d = 0; d < dim; d++) z[i * dim + d] /= Math.sqrt(s);
  }
  const fold = Int32Array.from({ length: n }, () => rng.int(5));
  const rows = Int32Array.from(fold.keys());
  const queries = rows.filter((i) => fold[i] === 0), refs = rows.filter((i) => fold[i] !== 0);
  const p = ivfParams(refs.length);
  console.log(`\nsynthetic 1,000,000 rows, one fold: ${queries.length} queries x ${refs.length} references (nlist ${p.nlist}, nprobe ${p.nprobe}, extraProbes ${p.extraProbes})`);
  let stats: IvfStats | undefined;
  const run = await timed(() => approximateNeighbours({ z, dim, queries, refs, labels, k: K, seed: 1, onStats: (s) => { stats = s; } }));
  console.log(`  IVF: ${run.wall.toFixed(1)} s wall, ${run.cpu.toFixed(1)} s CPU (phases, wall s: ${phases(stats!)})`);
  const sample = Int32Array.from({ length: Math.ceil(queries.length / 100) }, (_, i) => 100 * i);
  const exact = await timed(() => nearestNeighbours({ z, dim, queries: Int32Array.from(sample, (i) => queries[i]), refs, labels, k: K }));
  const a = agreement(run.value, exact.value, (i) => sample[i]);
  console.log(`  on ${sample.length} of its queries (exact: ${exact.cpu.toFixed(1)} s CPU, so ~${(exact.cpu * queries.length / sample.length / 60).toFixed(0)} min for the fold): ` +
    `recall@10 ${a.recall.toFixed(4)}; nearest same label exact ${pct(a.same)}, other label ${pct(a.other)}, d(a,n) off by > 0.02 ${pct(a.danOff)}`);
}

main().catch((err: unknown) => { console.error(err instanceof Error ? err.message : err); process.exit(1); });
