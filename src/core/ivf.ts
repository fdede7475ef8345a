/**
 * Approximate nearest neighbours by an inverted file (IVF), for audits too large for the exact
 * search of neighbours.ts: a fold of 1,000,000 rows is 200,000 queries x 800,000 references, 20
 * TFLOP exactly; this search does about 1% of that work. Same input, same result fields.
 *
 *  1. Spherical k-means (kmeans.ts) on a sample of the references: nlist centroids.
 *  2. Each reference goes to the list of its nearest centroid (with many lists, looked for in the
 *     nearest groups of centroids only: GROUPED_FROM). Within a list the references are grouped
 *     by label, each group starting at a panel block, so a scan can take one label's references
 *     or all the others'.
 *  3. Each query probes its nprobe nearest lists (found the same way): list by list, the queries
 *     probing it are scanned against all its references (ivfKernel.ts, WebAssembly SIMD), which
 *     keeps the list in cache while the queries stream past, and gives the top k and the nearest
 *     same-label and other-label rows.
 *  4. Labels. The nearest other-label reference is usually far outside the probed lists (clusters
 *     follow labels: on the 100,000-row benchmark the exact one is at distance 0.52 in the median,
 *     the 10th neighbour at ~0.1), and taking it from the probed lists alone left 41% of queries
 *     with none at all and 61% with another one (default parameters). So each query whose nearest same-label (other-
 *     label) reference is not within its top k searches on: its `extraProbes` nearest lists,
 *     not yet probed, that hold references with its label (with another label), scanning only
 *     those references. It is still approximate: see ivfParams for what was measured.
 *
 * Ties: equal similarities keep the reference earlier in `refs`, as the exact search does.
 * Every random choice comes from Rng(seed); the same input and seed give the same result.
 */
import { AbortError } from './engineApi';
import { PointSet } from './ivfKernel';
import { CentroidSearch, sphericalKMeans, type Tick } from './kmeans';
import { emptyNeighbours, type NeighbourInput, type NeighbourResult } from './neighbours';
import { Rng } from './rng';

export interface IvfParams {
  /** Inverted lists (k-means clusters of the references). */
  nlist: number;
  /** Lists each query scans for its top k. */
  nprobe: number;
  /** Further lists searched for the nearest same-label / other-label reference when the top k lacks it. */
  extraProbes: number;
}

export interface IvfStats extends IvfParams {
  /** Wall seconds of each phase. */
  seconds: { kmeans: number; assign: number; probe: number; scan: number; labels: number };
  /** Queries that searched on for their nearest same-label / other-label reference. */
  labelSearch: { same: number; other: number };
}

export interface IvfInput extends NeighbourInput, Partial<IvfParams> {
  seed: number;
  /** Lloyd iterations and sample size of the k-means (defaults: KMEANS_ITERATIONS, KMEANS_SAMPLE_PER_LIST x nlist). */
  iterations?: number;
  sample?: number;
  onStats?(stats: IvfStats): void;
}

/**
 * Above this many query x reference pairs in a fold the audit searches approximately. The exact
 * search costs 2 x 64 flops a pair (the fused kernel: 14-16 GFLOP/s on one thread, bench:perf), so
 * 4e9 pairs are ~35 s a fold, and it grows with the square of the rows; 1,000,000 rows would take
 * ~45 min a fold exactly, ~30 CPU s approximately. The 100,000-row benchmark (1.6e9 pairs a fold)
 * stays exact: ~14 s a fold there, against ~2 approximately with recall@10 0.99 (bench:recall).
 * With 5 folds the switch comes at ~158,000 rows.
 */
export const IVF_MIN_PAIRS = 4e9;

export function shouldUseIvf(queries: number, refs: number): boolean {
  return queries * refs > IVF_MIN_PAIRS;
}

const KMEANS_ITERATIONS = 6;
const KMEANS_SAMPLE_PER_LIST = 32;
/**
 * From this many lists, references and queries find their nearest lists among the members of
 * their GROUP_PROBE nearest groups of lists (sqrt(nlist) groups; kmeans.ts, CentroidSearch.group).
 * At 1,000,000 rows (894 lists) that cut the assignment from 6.1 to 2.7 CPU seconds and the
 * probes from 2.0 to 1.0; at 100,000 rows (283 lists) recall@10 went from 0.9903 to 0.9891.
 */
const GROUPED_FROM = 256;
const GROUP_PROBE = 4;

/**
 * Parameters for `refs` references: nlist = sqrt(refs), nprobe = 8, extraProbes = 8. Measured on
 * the 100,000-row benchmark's embeddings (a trained fold encoder; npm run bench:recall):
 *  - recall@10 against the exact search, 20,000 queries x 80,000 references: 0.989 (nprobe 4:
 *    0.936; 16: 0.998; nlist 566 with nprobe 8: 0.974, with 16: 0.997).
 *  - by size, 5,000 queries against 5k / 10k / 20k / 40k / 80k references (nlist = sqrt): 0.998 /
 *    0.998 / 0.996 / 0.993 / 0.990, about -0.003 a doubling: ~0.98 expected at 800,000. (A
 *    synthetic 1,000,000-row fold, 10 noisy copies of each embedding, gave 0.995, an upper bound.)
 *  - extraProbes 8: the nearest other-label row is the exact one for 96% of queries and d(a,n) is
 *    off by more than 0.02 for 2.5% (without the label search: 39% and 59%; extraProbes 4: 89%
 *    and 9%); the nearest same-label row 99.6%.
 * k-means hardly matters (random centroids gave 0.985). Work per query grows as sqrt(refs): a
 * query scans nprobe x refs / nlist references; finding a row's nearest lists takes nlist
 * products, or fewer (GROUPED_FROM).
 * A 1,000,000-row fold (200,000 x 800,000) took 29 CPU s (19 of them the scan of step 3).
 */
export function ivfParams(refs: number): IvfParams {
  const nlist = Math.max(1, Math.min(refs, Math.round(Math.sqrt(refs))));
  const nprobe = Math.min(nlist, 8);
  return { nlist, nprobe, extraProbes: Math.min(nlist - nprobe, 8) };
}

/** Multiply-adds between yields to the event loop (~20-40 ms of work). */
const WORK_PER_YIELD = 3e8;

function ticker(signal: AbortSignal | undefined): Tick {
  let done = 0;
  return async (work: number) => {
    if (signal?.aborted) throw new AbortError();
    done += work;
    if (done < WORK_PER_YIELD) return;
    done = 0;
    await new Promise<void>((r) => setTimeout(r, 0));
    if (signal?.aborted) throw new AbortError();
  };
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;
/** Vectors per panel block (ivfKernel.ts); a label's group in a list starts at one. */
const BLOCK = 8;

/** Stable counting sort: the indices 0..keys.length-1 grouped by key (0 <= key < nkeys). */
function groupBy(keys: Int32Array, nkeys: number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(nkeys + 1);
  for (let i = 0; i < keys.length; i++) start[keys[i] + 1]++;
  for (let c = 0; c < nkeys; c++) start[c + 1] += start[c];
  const at = start.slice(0, nkeys), order = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) order[at[keys[i]]++] = i;
  return { start, order };
}

/** The inverted lists: each list's references by label (segments), each segment from a panel block. */
interface Lists {
  nlist: number;
  /** Positions in refs, by list, then label, then position. */
  members: Int32Array;
  /** Segments of list c: segStart[c] .. segStart[c + 1]. */
  segStart: Int32Array;
  /** Per segment: its (dense) label, its first member (it ends where the next begins), its first panel slot. */
  segLabel: Int32Array;
  segMember: Int32Array;
  segSlot: Int32Array;
  /** Panel slots of list c, padding included. */
  slots: Int32Array;
  maxSlots: number;
}

function buildLists(assign: Int32Array, refLabel: Int32Array, nlabels: number, nlist: number): Lists {
  // (list, label, position) order: stable sorts by label, then by list
  const byLabel = groupBy(refLabel, nlabels).order;
  const byList = groupBy(Int32Array.from(byLabel, (p) => assign[p]), nlist);
  const members = Int32Array.from(byList.order, (i) => byLabel[i]);
  const segStart = new Int32Array(nlist + 1), slots = new Int32Array(nlist);
  const segLabel: number[] = [], segMember: number[] = [], segSlot: number[] = [];
  let maxSlots = 0;
  for (let c = 0; c < nlist; c++) {
    let slot = 0;
    for (let i = byList.start[c]; i < byList.start[c + 1]; i++) {
      const l = refLabel[members[i]];
      if (i === byList.start[c] || l !== refLabel[members[i - 1]]) {
        slot = roundUp(slot, BLOCK);
        segLabel.push(l); segMember.push(i); segSlot.push(slot);
      }
      slot++;
    }
    segStart[c + 1] = segLabel.length;
    slots[c] = roundUp(slot, BLOCK);
    maxSlots = Math.max(maxSlots, slots[c]);
  }
  segMember.push(members.length);
  return {
    nlist, members, segStart, slots, maxSlots,
    segLabel: Int32Array.from(segLabel), segMember: Int32Array.from(segMember), segSlot: Int32Array.from(segSlot),
  };
}

/** Context shared by the phases of one search. */
interface Search {
  z: Float32Array; dim: number; queries: Int32Array; refs: Int32Array;
  /** Dense label of each reference (0 without labels) and query (-1: no reference has it). */
  refLabel: Int32Array; qLabel: Int32Array; nlabels: number;
  k: number; lists: Lists; ps: PointSet; tick: Tick;
}

/** Puts list c's references in the panel: each segment from its slot, padding between. */
function packList(s: Search, c: number): void {
  const { ps, lists: L, z, dim, refs, refLabel } = s;
  let slot = 0;
  for (let g = L.segStart[c]; g < L.segStart[c + 1]; g++) {
    while (slot < L.segSlot[g]) ps.putPadding(slot++);
    for (let i = L.segMember[g]; i < L.segMember[g + 1]; i++) {
      const pos = L.members[i];
      ps.putVector(slot++, z, refs[pos] * dim, pos, refLabel[pos]);
    }
  }
  while (slot < L.slots[c]) ps.putPadding(slot++);
}

/**
 * Approximate `nearestNeighbours` (see the header). Parameters left out come from ivfParams;
 * nlist is at most the references, nprobe at most nlist (nprobe = nlist scans everything: the
 * exact answer, up to rounding).
 */
export async function approximateNeighbours(inp: IvfInput): Promise<NeighbourResult> {
  const { z, dim, queries, refs, labels, k } = inp;
  const nq = queries.length, nr = refs.length;
  const res = emptyNeighbours(nq, k);
  if (nq === 0 || nr === 0) return res;
  if (inp.signal?.aborted) throw new AbortError();
  const auto = ivfParams(nr);
  const nlist = Math.max(1, Math.min(nr, Math.round(inp.nlist ?? auto.nlist)));
  const nprobe = Math.max(1, Math.min(nlist, Math.round(inp.nprobe ?? auto.nprobe)));
  const extraProbes = labels ? Math.max(0, Math.min(nlist - nprobe, Math.round(inp.extraProbes ?? auto.extraProbes))) : 0;
  const useWasm = inp.useWasm !== false, tick = ticker(inp.signal);
  const seconds = { kmeans: 0, assign: 0, probe: 0, scan: 0, labels: 0 };
  let t0 = Date.now();
  const lap = (phase: keyof typeof seconds) => { const t = Date.now(); seconds[phase] = (t - t0) / 1000; t0 = t; };

  const dense = new Map<number, number>();
  const refLabel = new Int32Array(nr), qLabel = new Int32Array(nq);
  if (labels) {
    for (let i = 0; i < nr; i++) {
      const l = labels[refs[i]];
      let d = dense.get(l);
      if (d === undefined) { d = dense.size; dense.set(l, d); }
      refLabel[i] = d;
    }
    for (let i = 0; i < nq; i++) qLabel[i] = dense.get(labels[queries[i]]) ?? -1;
  }
  const nlabels = Math.max(1, dense.size);

  const rng = new Rng(inp.seed);
  const centroids = await sphericalKMeans(z, dim, refs, nlist, {
    iterations: inp.iterations ?? KMEANS_ITERATIONS, sample: inp.sample ?? KMEANS_SAMPLE_PER_LIST * nlist, rng, useWasm, tick,
  });
  lap('kmeans');
  const centroidSearch = new CentroidSearch(z, dim, centroids, nlist, Math.max(GROUP_PROBE, Math.min(nlist, nprobe + extraProbes)), useWasm, tick);
  if (nlist >= GROUPED_FROM) await centroidSearch.group(Math.round(Math.sqrt(nlist)), GROUP_PROBE, rng);
  const lists = buildLists(await centroidSearch.nearestAll(refs, 1), refLabel, nlabels, nlist);
  lap('assign');
  const probes = await centroidSearch.nearestAll(queries, nprobe);
  const probed = groupBy(probes, nlist);
  let maxQueries = 0;
  for (let c = 0; c < nlist; c++) maxQueries = Math.max(maxQueries, probed.start[c + 1] - probed.start[c]);
  lap('probe');

  const ps = new PointSet(nq, dim, k, lists.maxSlots, Math.max(maxQueries, nq), useWasm);
  for (let i = 0; i < nq; i++) {
    ps.points.set(z.subarray(queries[i] * dim, queries[i] * dim + dim), i * dim);
    ps.label[i] = qLabel[i];
  }
  ps.reset(k, labels !== undefined);
  const s: Search = { z, dim, queries, refs, refLabel, qLabel, nlabels, k, lists, ps, tick };
  for (let c = 0; c < nlist; c++) {
    const m = probed.start[c + 1] - probed.start[c];
    if (m === 0 || lists.slots[c] === 0) continue;
    packList(s, c);
    for (let t = 0; t < m; t++) ps.idx[t] = Math.floor(probed.order[probed.start[c] + t] / nprobe);
    ps.scan(m, 0, lists.slots[c]);
    await tick(m * lists.slots[c] * dim);
  }
  lap('scan');
  const labelSearch = { same: 0, other: 0 };
  if (labels && extraProbes > 0) Object.assign(labelSearch, await searchLabels(s, centroidSearch, probes, nprobe, extraProbes));
  lap('labels');

  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < k; j++) {
      const pos = ps.topPos[i * k + j];
      if (pos >= 0) { res.ids[i * k + j] = refs[pos]; res.sims[i * k + j] = ps.topSim[i * k + j]; }
    }
    if (ps.samePos[i] >= 0) { res.sameId[i] = refs[ps.samePos[i]]; res.sameSim[i] = ps.sameSim[i]; }
    if (ps.otherPos[i] >= 0) { res.otherId[i] = refs[ps.otherPos[i]]; res.otherSim[i] = ps.otherSim[i]; }
  }
  inp.onStats?.({ nlist, nprobe, extraProbes, seconds, labelSearch });
  return res;
}

/**
 * Step 4 of the header: for each query whose nearest same-label (other-label) reference is not
 * within its top k, the `extra` nearest lists it has not probed that hold references with its
 * label (another label), and in them only those references. A list's other segments hold nothing
 * the query needs, and the probed lists are not scanned twice (a reference offered twice could
 * take two places in a top k).
 */
async function searchLabels(s: Search, centroids: CentroidSearch, probes: Int32Array, nprobe: number, extra: number): Promise<{ same: number; other: number }> {
  const { ps, lists: L, qLabel, nlabels, k, queries } = s;
  const nq = qLabel.length, nlist = L.nlist;
  const listOfSeg = new Int32Array(L.segLabel.length);
  for (let c = 0; c < nlist; c++) listOfSeg.fill(c, L.segStart[c], L.segStart[c + 1]);
  const segsByLabel = groupBy(L.segLabel, nlabels);
  /** Lists holding only label l hold no other-label reference. */
  const pureLabel = new Int32Array(nlist).fill(-1);
  for (let c = 0; c < nlist; c++) if (L.segStart[c + 1] - L.segStart[c] === 1) pureLabel[c] = L.segLabel[L.segStart[c]];
  const nonEmpty = Int32Array.from({ length: nlist }, (_, c) => c).filter((c) => L.segStart[c + 1] > L.segStart[c]);

  // queries in need, by label (index nlabels: queries whose label no reference has)
  const needSame: number[][] = Array.from({ length: nlabels }, () => []);
  const needOther: number[][] = Array.from({ length: nlabels + 1 }, () => []);
  let same = 0, other = 0;
  for (let i = 0; i < nq; i++) {
    const kth = ps.topSim[i * k + k - 1], l = qLabel[i];
    if (l >= 0 && !(ps.samePos[i] >= 0 && ps.sameSim[i] >= kth)) { needSame[l].push(i); same++; }
    if (!(ps.otherPos[i] >= 0 && ps.otherSim[i] >= kth)) { needOther[l < 0 ? nlabels : l].push(i); other++; }
  }

  // jobs: (list, query, kind: 0 = the query's label, 1 = the other labels)
  const cap = (same + other) * extra;
  const jobList = new Int32Array(cap), jobQuery = new Int32Array(cap), jobKind = new Int32Array(cap);
  let jobs = 0;
  const width = Math.min(nlist, nprobe + extra);
  const addJobs = async (need: number[], among: ArrayLike<number>, kind: number) => {
    if (need.length === 0) return;
    const found = await centroids.nearest(need.map((i) => queries[i]), among, width);
    need.forEach((i, t) => {
      let taken = 0;
      for (let j = 0; j < width && taken < extra; j++) {
        const c = found[t * width + j];
        if (c < 0) break;
        if (probes.subarray(i * nprobe, i * nprobe + nprobe).includes(c)) continue;
        jobList[jobs] = c; jobQuery[jobs] = i; jobKind[jobs] = kind; jobs++;
        taken++;
      }
    });
  };
  for (let l = 0; l <= nlabels; l++) {
    if (l < nlabels) {
      const segs = segsByLabel.order.subarray(segsByLabel.start[l], segsByLabel.start[l + 1]);
      await addJobs(needSame[l], Int32Array.from(segs, (g) => listOfSeg[g]), 0);
    }
    await addJobs(needOther[l], l < nlabels ? nonEmpty.filter((c) => pureLabel[c] !== l) : nonEmpty, 1);
  }

  // list by list; within a list by kind and label, so that a group scans one or two ranges
  const key = new Int32Array(jobs);
  for (let j = 0; j < jobs; j++) key[j] = jobKind[j] * (nlabels + 1) + (qLabel[jobQuery[j]] < 0 ? nlabels : qLabel[jobQuery[j]]);
  const byKey = groupBy(key, 2 * (nlabels + 1)).order;
  const byList = groupBy(Int32Array.from(byKey, (j) => jobList[j]), nlist);
  for (let c = 0; c < nlist; c++) {
    const a = byList.start[c], b = byList.start[c + 1];
    if (a === b) continue;
    packList(s, c);
    for (let g = a; g < b;) {
      const first = byKey[byList.order[g]];
      let h = g;
      for (; h < b && key[byKey[byList.order[h]]] === key[first]; h++) ps.idx[h - g] = jobQuery[byKey[byList.order[h]]];
      const m = h - g, l = qLabel[jobQuery[first]];
      // the query's label segment in this list: [from, to), empty at the end if none
      let from = L.slots[c], to = L.slots[c];
      for (let seg = L.segStart[c]; seg < L.segStart[c + 1]; seg++) {
        if (L.segLabel[seg] === l) { from = L.segSlot[seg]; to = from + L.segMember[seg + 1] - L.segMember[seg]; }
      }
      if (jobKind[first] === 0) ps.scan(m, from, to);
      else { ps.scan(m, 0, from); ps.scan(m, roundUp(to, BLOCK), L.slots[c]); }
      await s.tick(m * L.slots[c] * s.dim);
      g = h;
    }
  }
  return { same, other };
}
