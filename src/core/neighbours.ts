/**
 * Exact nearest neighbours of L2-normalised embeddings, block by block: a block of queries times
 * each chunk of the references, laid out [dim x chunk] (so the multiply needs no transpose), then
 * scanned (in WebAssembly, else JS) for the top k and, per query, the nearest reference with the
 * same label and with another label. Never holds more than one [block x chunk] similarity block.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AbortError } from './engineApi';
import { arena, instantiate, kernelModule } from './kernels/load';
import { SCAN_WASM_BASE64 } from './kernels/scanWasm';

interface ScanExports {
  memory: WebAssembly.Memory;
  scan(sim: number, rows: number, n: number, base: number, refLabel: number, qLabel: number, useLabels: number,
    topSim: number, topId: number, k: number, sameSim: number, sameId: number, otherSim: number, otherId: number): void;
}

/** References per multiply (columns of one reference chunk). */
const REF_CHUNK = 8192;

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
  /** false: the scan in JS (the tests compare the two). */
  useWasm?: boolean;
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
  // the references in column chunks of REF_CHUNK, each [dim x chunk]: the multiply of a query
  // block by one chunk keeps its output in cache (200 x 64 x 80,000 at once: 12 GFLOP/s on wasm;
  // by chunks of 8,192: 16-20)
  const chunks: { start: number; size: number; t: tf.Tensor2D }[] = [];
  for (let c0 = 0; c0 < nr; c0 += REF_CHUNK) {
    const size = Math.min(REF_CHUNK, nr - c0), rt = new Float32Array(dim * size);
    for (let j = 0; j < size; j++) {
      const o = refs[c0 + j] * dim;
      for (let d = 0; d < dim; d++) rt[d * size + j] = z[o + d];
    }
    chunks.push({ start: c0, size, t: tf.tensor2d(rt, [dim, size]) });
  }
  const refLabel = labels ? Int32Array.from(refs, (r) => labels[r]) : undefined;
  const block = inp.blockRows ?? 256;
  const scanner = inp.useWasm === false ? undefined : makeScanner(block, Math.min(REF_CHUNK, nr), nr, k, refLabel);
  try {
    for (let s = 0; s < nq; s += block) {
      if (inp.signal?.aborted) throw new AbortError();
      const e = Math.min(s + block, nq);
      const q = new Float32Array((e - s) * dim);
      for (let i = s; i < e; i++) q.set(z.subarray(queries[i] * dim, queries[i] * dim + dim), (i - s) * dim);
      const qT = tf.tensor2d(q, [e - s, dim]);
      scanner?.begin(Int32Array.from({ length: e - s }, (_, t) => (labels ? labels[queries[s + t]] : -1)));
      try {
        for (const c of chunks) {
          const simT = tf.matMul(qT, c.t);
          const sim = (await simT.data()) as Float32Array;
          simT.dispose();
          if (scanner) scanner.scan(sim, e - s, c.start, c.size);
          else for (let i = s; i < e; i++) scanRow(sim, (i - s) * c.size, c.size, c.start, refs, refLabel, labels ? labels[queries[i]] : -1, i, res);
        }
      } finally {
        qT.dispose();
      }
      scanner?.end(s, e - s, refs, res);
      await new Promise<void>((r) => setTimeout(r, 0));
    }
  } finally {
    tf.dispose(chunks.map((c) => c.t));
  }
  return res;
}

/**
 * The scan in WebAssembly (kernels/scan.wat; the JS loop below took ~4 ns per similarity): one
 * block of queries at a time, its running results kept in the module's memory.
 */
function makeScanner(block: number, chunk: number, nr: number, k: number, refLabel: Int32Array | undefined) {
  const mod = kernelModule(SCAN_WASM_BASE64);
  if (!mod) return undefined;
  const layout = arena(), take = (words: number) => layout.take(4 * words);
  const at = {
    sim: take(block * chunk), refLabel: take(nr), qLabel: take(block), topSim: take(block * k), topId: take(block * k),
    sameSim: take(block), sameId: take(block), otherSim: take(block), otherId: take(block),
  };
  const ex = instantiate<ScanExports>(mod, layout.size);
  const mem = ex.memory.buffer;
  const v = {
    sim: new Float32Array(mem, at.sim, block * chunk), qLabel: new Int32Array(mem, at.qLabel, block),
    topSim: new Float32Array(mem, at.topSim, block * k), topId: new Int32Array(mem, at.topId, block * k),
    sameSim: new Float32Array(mem, at.sameSim, block), sameId: new Int32Array(mem, at.sameId, block),
    otherSim: new Float32Array(mem, at.otherSim, block), otherId: new Int32Array(mem, at.otherId, block),
  };
  if (refLabel) new Int32Array(mem, at.refLabel, nr).set(refLabel);
  return {
    begin(qLabels: Int32Array): void {
      v.qLabel.set(qLabels);
      v.topSim.fill(-Infinity); v.topId.fill(-1);
      v.sameSim.fill(-Infinity); v.sameId.fill(-1); v.otherSim.fill(-Infinity); v.otherId.fill(-1);
    },
    scan(sim: Float32Array, rows: number, start: number, size: number): void {
      v.sim.set(sim.subarray(0, rows * size));
      ex.scan(at.sim, rows, size, start, at.refLabel + 4 * start, at.qLabel, refLabel ? 1 : 0,
        at.topSim, at.topId, k, at.sameSim, at.sameId, at.otherSim, at.otherId);
    },
    end(s: number, rows: number, refs: Int32Array, res: NeighbourResult): void {
      for (let t = 0; t < rows; t++) {
        const i = s + t;
        for (let j = 0; j < k; j++) {
          const pos = v.topId[t * k + j];
          res.ids[i * k + j] = pos >= 0 ? refs[pos] : -1;
          res.sims[i * k + j] = v.topSim[t * k + j];
        }
        if (v.sameId[t] >= 0) { res.sameId[i] = refs[v.sameId[t]]; res.sameSim[i] = v.sameSim[t]; }
        if (v.otherId[t] >= 0) { res.otherId[i] = refs[v.otherId[t]]; res.otherSim[i] = v.otherSim[t]; }
      }
    },
  };
}

/** Merges one chunk of a query's similarities (references start..start+n) into its results. */
function scanRow(sim: Float32Array, off: number, n: number, start: number, refs: Int32Array, refLabel: Int32Array | undefined,
  label: number, qi: number, res: NeighbourResult): void {
  const k = res.k, base = qi * k, ids = res.ids, sims = res.sims;
  let worst = sims[base + k - 1];
  let same = res.sameSim[qi], sameJ = -1, other = res.otherSim[qi], otherJ = -1;
  for (let j = 0; j < n; j++) {
    const s = sim[off + j];
    if (refLabel) {
      if (refLabel[start + j] === label) { if (s > same) { same = s; sameJ = j; } }
      else if (s > other) { other = s; otherJ = j; }
    }
    if (s > worst) {
      // insertion into the sorted top-k list (descending similarity; ties keep the earlier row)
      let p = k - 1;
      while (p > 0 && sims[base + p - 1] < s) { sims[base + p] = sims[base + p - 1]; ids[base + p] = ids[base + p - 1]; p--; }
      sims[base + p] = s; ids[base + p] = refs[start + j];
      worst = sims[base + k - 1];
    }
  }
  if (sameJ >= 0) { res.sameId[qi] = refs[start + sameJ]; res.sameSim[qi] = same; }
  if (otherJ >= 0) { res.otherId[qi] = refs[start + otherJ]; res.otherSim[qi] = other; }
}

/** Euclidean distance between two L2-normalised vectors from their cosine similarity. */
export function simToEuclidean(sim: number): number {
  return Math.sqrt(Math.max(0, 2 - 2 * sim));
}
