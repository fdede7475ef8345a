/**
 * Exact nearest neighbours of L2-normalised embeddings, block by block: a block of queries times
 * the reference matrix laid out [dim x refs] (so the multiply needs no transpose), scanned in JS
 * for the top k and, per query, the nearest reference with the same label and with another
 * label. Never holds more than one [block x refs] similarity block.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AbortError } from './engineApi';

export interface NeighbourResult {
  /** [queries x k] reference row ids (-1 where fewer than k references) and similarities. */
  ids: Int32Array;
  sims: Float32Array;
  k: number;
  /** Per query: nearest reference with the same / another label (-1 if none), and its similarity. */
  sameId: Int32Array;
  sameSim: Float32Array;
  otherId: Int32Array;
  otherSim: Float32Array;
}

export interface NeighbourInput {
  /** Embeddings, row-major [rows x dim], L2-normalised. */
  z: Float32Array;
  dim: number;
  queries: Int32Array;
  refs: Int32Array;
  /** Label id per row (same indexing as z); absent for unlabeled data. */
  labels?: Int32Array;
  k: number;
  blockRows?: number;
  signal?: AbortSignal;
}

export async function nearestNeighbours(inp: NeighbourInput): Promise<NeighbourResult> {
  const { z, dim, queries, refs, labels, k } = inp;
  const nq = queries.length, nr = refs.length;
  const res: NeighbourResult = {
    ids: new Int32Array(nq * k).fill(-1), sims: new Float32Array(nq * k).fill(-Infinity), k,
    sameId: new Int32Array(nq).fill(-1), sameSim: new Float32Array(nq).fill(-Infinity),
    otherId: new Int32Array(nq).fill(-1), otherSim: new Float32Array(nq).fill(-Infinity),
  };
  if (nq === 0 || nr === 0) return res;
  const rt = new Float32Array(dim * nr);
  for (let j = 0; j < nr; j++) {
    const o = refs[j] * dim;
    for (let d = 0; d < dim; d++) rt[d * nr + j] = z[o + d];
  }
  const refT = tf.tensor2d(rt, [dim, nr]);
  const refLabel = labels ? Int32Array.from(refs, (r) => labels[r]) : undefined;
  const block = inp.blockRows ?? Math.max(16, Math.min(1024, Math.floor(4_000_000 / nr)));
  try {
    for (let s = 0; s < nq; s += block) {
      if (inp.signal?.aborted) throw new AbortError();
      const e = Math.min(s + block, nq);
      const q = new Float32Array((e - s) * dim);
      for (let i = s; i < e; i++) q.set(z.subarray(queries[i] * dim, queries[i] * dim + dim), (i - s) * dim);
      const simT = tf.tidy(() => tf.matMul(tf.tensor2d(q, [e - s, dim]), refT));
      const sim = (await simT.data()) as Float32Array;
      simT.dispose();
      for (let i = s; i < e; i++) scanRow(sim, (i - s) * nr, nr, refs, refLabel, labels ? labels[queries[i]] : -1, i, res);
      await new Promise<void>((r) => setTimeout(r, 0));
    }
  } finally {
    refT.dispose();
  }
  return res;
}

function scanRow(sim: Float32Array, off: number, nr: number, refs: Int32Array, refLabel: Int32Array | undefined,
  label: number, qi: number, res: NeighbourResult): void {
  const k = res.k, base = qi * k, ids = res.ids, sims = res.sims;
  let worst = sims[base + k - 1];
  let same = -Infinity, sameJ = -1, other = -Infinity, otherJ = -1;
  for (let j = 0; j < nr; j++) {
    const s = sim[off + j];
    if (refLabel) {
      if (refLabel[j] === label) { if (s > same) { same = s; sameJ = j; } }
      else if (s > other) { other = s; otherJ = j; }
    }
    if (s > worst) {
      // insertion into the sorted top-k list (descending similarity; ties keep the earlier row)
      let p = k - 1;
      while (p > 0 && sims[base + p - 1] < s) { sims[base + p] = sims[base + p - 1]; ids[base + p] = ids[base + p - 1]; p--; }
      sims[base + p] = s; ids[base + p] = refs[j];
      worst = sims[base + k - 1];
    }
  }
  if (sameJ >= 0) { res.sameId[qi] = refs[sameJ]; res.sameSim[qi] = same; }
  if (otherJ >= 0) { res.otherId[qi] = refs[otherJ]; res.otherSim[qi] = other; }
}

/** Euclidean distance between two L2-normalised vectors from their cosine similarity. */
export function simToEuclidean(sim: number): number {
  return Math.sqrt(Math.max(0, 2 - 2 * sim));
}
