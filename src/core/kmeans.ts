/**
 * Spherical k-means for the inverted file (ivf.ts): the embeddings are L2-normalised, so a
 * vector's cluster is the centroid of largest inner product and a centroid is its members' mean
 * scaled to unit length. Lloyd's iterations on a random sample of the vectors: the inverted file
 * needs a partition into compact cells, not converged centroids, and the assignment of every
 * vector afterwards costs as much as one iteration over all of them.
 */
import { PointSet } from './ivfKernel';
import type { Rng } from './rng';

/** Called with the multiply-adds done since the last call; may yield, and throws when cancelled. */
export type Tick = (work: number) => Promise<void>;

/** Vectors assigned per kernel call, and centroids per panel (32 KiB of floats at 64-d: stays in L1/L2). */
const CHUNK = 4096;
const CENTROID_BLOCK = 128;

/**
 * Nearest centroids (largest inner product) of vectors, by the kernel: CHUNK vectors at a time
 * against the centroids, a panel of CENTROID_BLOCK at a time. After `group`, the search among all
 * centroids scans only the members of the nearest groups.
 */
export class CentroidSearch {
  private readonly ps: PointSet;
  private groups?: { centroids: Float32Array; all: Int32Array; start: Int32Array; members: Int32Array; probe: number };

  constructor(readonly z: Float32Array, readonly dim: number, readonly centroids: Float32Array, readonly count: number,
    readonly kMax: number, private readonly useWasm: boolean, private readonly tick: Tick) {
    this.ps = new PointSet(CHUNK, dim, kMax, CENTROID_BLOCK, CHUNK, useWasm);
  }

  /**
   * Groups the centroids (spherical k-means of the centroids), so that nearestAll compares a
   * vector with the `groups` group centroids and then with the members of its `probe` nearest
   * groups only: groups + probe x count / groups products instead of count. Approximate: a vector
   * may miss a nearer centroid in a group it does not probe (for an inverted file that only
   * moves a reference to the next nearest list, or a query's probes to the next nearest lists).
   */
  async group(groups: number, probe: number, rng: Rng): Promise<void> {
    const all = Int32Array.from({ length: this.count }, (_, c) => c);
    const centroids = await sphericalKMeans(this.centroids, this.dim, all, groups, {
      iterations: GROUP_ITERATIONS, sample: this.count, rng, useWasm: this.useWasm, tick: this.tick,
    });
    const flat = new CentroidSearch(this.centroids, this.dim, centroids, groups, 1, this.useWasm, this.tick);
    const of = await flat.nearest(all, Int32Array.from({ length: groups }, (_, g) => g), 1);
    const start = new Int32Array(groups + 1);
    for (const g of of) start[g + 1]++;
    for (let g = 0; g < groups; g++) start[g + 1] += start[g];
    const at = start.slice(0, groups), members = new Int32Array(this.count);
    of.forEach((g, c) => { members[at[g]++] = c; });
    this.groups = { centroids, all: Int32Array.from({ length: groups }, (_, g) => g), start, members, probe: Math.min(probe, groups, this.kMax) };
  }

  /**
   * The k nearest of all the centroids to each vector z[rows[i]] (approximate after group):
   * [rows x k] ids, best first; -1 only where there are fewer than k centroids.
   */
  async nearestAll(rows: ArrayLike<number>, k: number): Promise<Int32Array> {
    const G = this.groups;
    if (!G) return this.nearest(rows, Int32Array.from({ length: this.count }, (_, c) => c), k);
    const { ps } = this, n = rows.length, out = new Int32Array(n * k).fill(-1), probe = G.probe;
    const near = new Int32Array(CHUNK * probe), inGroup = new Int32Array(G.all.length + 1);
    const probing = new Int32Array(CHUNK * probe);
    for (let s = 0; s < n; s += CHUNK) {
      const size = this.load(rows, s);
      ps.reset(probe, false);
      await this.scanAll(size, G.centroids, G.all);
      near.set(ps.topPos.subarray(0, size * probe));
      // the points probing each group, then each group's members against them
      inGroup.fill(0);
      for (let i = 0; i < size * probe; i++) inGroup[near[i] + 1]++;
      for (let g = 0; g < G.all.length; g++) inGroup[g + 1] += inGroup[g];
      const at = inGroup.slice(0, G.all.length);
      for (let i = 0; i < size * probe; i++) probing[at[near[i]]++] = Math.floor(i / probe);
      ps.reset(k, false);
      for (let g = 0; g < G.all.length; g++) {
        const m = inGroup[g + 1] - inGroup[g];
        if (m === 0) continue;
        ps.idx.set(probing.subarray(inGroup[g], inGroup[g + 1]));
        await this.scanAll(m, this.centroids, G.members.subarray(G.start[g], G.start[g + 1]));
      }
      for (let t = 0; t < size; t++) out.set(ps.topPos.subarray(t * k, t * k + k), (s + t) * k);
    }
    // a vector whose probed groups hold fewer than k centroids: searched among all of them
    const short = Int32Array.from({ length: n }, (_, i) => i).filter((i) => out[i * k + k - 1] < 0);
    if (short.length && this.count >= k) {
      const found = await this.nearest(Int32Array.from(short, (i) => rows[i]), Int32Array.from({ length: this.count }, (_, c) => c), k);
      short.forEach((i, t) => out.set(found.subarray(t * k, t * k + k), i * k));
    }
    return out;
  }

  /**
   * The k nearest of the centroids `among` (ids) to each vector z[rows[i]], exactly: [rows x k]
   * centroid ids, best first, -1 where `among` has fewer than k.
   */
  async nearest(rows: ArrayLike<number>, among: ArrayLike<number>, k: number): Promise<Int32Array> {
    const n = rows.length, out = new Int32Array(n * k).fill(-1);
    if (among.length === 0) return out;
    for (let s = 0; s < n; s += CHUNK) {
      const size = this.load(rows, s);
      this.ps.reset(k, false);
      await this.scanAll(size, this.centroids, among);
      for (let t = 0; t < size; t++) out.set(this.ps.topPos.subarray(t * k, t * k + k), (s + t) * k);
    }
    return out;
  }

  /** Loads the vectors z[rows[s..]] (a chunk) as points 0.. and names them in idx; returns how many. */
  private load(rows: ArrayLike<number>, s: number): number {
    const { ps, z, dim } = this, size = Math.min(CHUNK, rows.length - s);
    for (let t = 0; t < size; t++) {
      ps.points.set(z.subarray(rows[s + t] * dim, rows[s + t] * dim + dim), t * dim);
      ps.idx[t] = t;
    }
    return size;
  }

  /** Scans points idx[0..n) against the vectors `ids` of `source` (results name them by id). */
  private async scanAll(n: number, source: Float32Array, ids: ArrayLike<number>): Promise<void> {
    const { ps, dim } = this;
    for (let c0 = 0; c0 < ids.length; c0 += CENTROID_BLOCK) {
      const cn = Math.min(CENTROID_BLOCK, ids.length - c0);
      for (let j = 0; j < cn; j++) ps.putVector(j, source, ids[c0 + j] * dim, ids[c0 + j], -1);
      ps.scan(n, 0, cn);
      await this.tick(n * cn * dim);
    }
  }
}

const GROUP_ITERATIONS = 10;

export interface KMeansOptions {
  iterations: number;
  /** Vectors the iterations run on (a random sample of `rows`; all of them when fewer). */
  sample: number;
  rng: Rng;
  useWasm: boolean;
  tick: Tick;
}

/**
 * `clusters` unit centroids, row-major [clusters x dim], of the vectors z[rows[i]]; clusters <=
 * rows.length. Starts from distinct sampled vectors; a cluster left empty restarts at a random
 * sampled vector.
 */
export async function sphericalKMeans(z: Float32Array, dim: number, rows: Int32Array, clusters: number,
  opts: KMeansOptions): Promise<Float32Array> {
  const { rng } = opts, n = rows.length;
  const size = Math.min(n, Math.max(opts.sample, clusters));
  // a partial Fisher-Yates shuffle: the first `size` entries are a uniform sample
  const order = Int32Array.from(rows);
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  const sample = order.subarray(0, size);
  const centroids = new Float32Array(clusters * dim);
  for (let c = 0; c < clusters; c++) centroids.set(z.subarray(sample[c] * dim, sample[c] * dim + dim), c * dim);
  const all = Int32Array.from({ length: clusters }, (_, c) => c);
  const search = new CentroidSearch(z, dim, centroids, clusters, 1, opts.useWasm, opts.tick);
  const sum = new Float64Array(clusters * dim), count = new Int32Array(clusters);
  for (let it = 0; it < opts.iterations; it++) {
    const nearest = await search.nearest(sample, all, 1);
    sum.fill(0); count.fill(0);
    for (let i = 0; i < size; i++) {
      const c = nearest[i], o = sample[i] * dim, so = c * dim;
      count[c]++;
      for (let d = 0; d < dim; d++) sum[so + d] += z[o + d];
    }
    for (let c = 0; c < clusters; c++) {
      const so = c * dim;
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += sum[so + d] * sum[so + d];
      if (count[c] === 0 || norm === 0) {
        const r = sample[rng.int(size)];
        centroids.set(z.subarray(r * dim, r * dim + dim), so);
        continue;
      }
      norm = Math.sqrt(norm);
      for (let d = 0; d < dim; d++) centroids[so + d] = sum[so + d] / norm;
    }
  }
  return centroids;
}
