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
 * Nearest centroids (largest inner product) of vectors, by the kernel: one point set of CHUNK
 * vectors at a time against the centroids in panels of CENTROID_BLOCK. Reused across searches.
 */
export class CentroidSearch {
  private readonly ps: PointSet;

  constructor(readonly z: Float32Array, readonly dim: number, readonly centroids: Float32Array, readonly kMax: number,
    useWasm: boolean, private readonly tick: Tick) {
    this.ps = new PointSet(CHUNK, dim, kMax, CENTROID_BLOCK, CHUNK, useWasm);
  }

  /**
   * The k nearest of the centroids `among` (ids, rows of `centroids`) to each vector z[rows[i]]:
   * [rows x k] centroid ids, best first, -1 where `among` has fewer than k.
   */
  async nearest(rows: ArrayLike<number>, among: ArrayLike<number>, k: number): Promise<Int32Array> {
    const { ps, z, dim, centroids } = this;
    const n = rows.length, m = among.length, out = new Int32Array(n * k).fill(-1);
    if (n === 0 || m === 0) return out;
    for (let s = 0; s < n; s += CHUNK) {
      const size = Math.min(CHUNK, n - s);
      for (let t = 0; t < size; t++) {
        ps.points.set(z.subarray(rows[s + t] * dim, rows[s + t] * dim + dim), t * dim);
        ps.idx[t] = t;
      }
      ps.reset(k, false);
      for (let c0 = 0; c0 < m; c0 += CENTROID_BLOCK) {
        const cn = Math.min(CENTROID_BLOCK, m - c0);
        for (let j = 0; j < cn; j++) ps.putVector(j, centroids, among[c0 + j] * dim, among[c0 + j], -1);
        ps.scan(size, 0, cn);
        await this.tick(size * cn * dim);
      }
      for (let t = 0; t < size; t++) out.set(ps.topPos.subarray(t * k, t * k + k), (s + t) * k);
    }
    return out;
  }
}

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
  const search = new CentroidSearch(z, dim, centroids, 1, opts.useWasm, opts.tick);
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
