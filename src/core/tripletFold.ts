/**
 * One cross-fitting fold of the triplet encoder (tripletEncoder.ts) as a self-contained task, so
 * that a pool of worker threads can run folds side by side: train on the other folds' triplets,
 * embed every text of the file, and measure the held-out triplets in that space, each only by a
 * model that never saw its anchor:
 *   - cos(a,p), cos(a,n), cos(p,n): the report's distances and categories;
 *   - how random the negative looks: the share of the file's texts (for other anchors) at least as
 *     close to the anchor as it is, and, where the text also appears in another anchor's triplet,
 *     how much better it fits that anchor (a random negative is another anchor's text);
 *   - the same for each triplet's synthetic corruptions, which the detectors (tripletScores.ts)
 *     learn from: its partner's positive as a random negative, and another positive of its own
 *     anchor (where the file has one) as a false negative;
 *   - mined replacement negatives (mining.ts) for every held triplet.
 * Tasks carry only typed arrays (and plain options), like folds.ts's labeled tasks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AbortError } from './engineApi';
import type { FoldStage } from './folds';
import type { Csr } from './featurize';
import { rowDot } from './featurize';
import { mineForAnchor, type MiningOptions } from './mining';
import { Rng } from './rng';
import type { EncoderWeights } from './encoder';
import { DEFAULT_TRIPLET_ENCODER, TripletEncoder, type TrainingTriplets, type TripletEncoderConfig } from './tripletEncoder';

export interface TripletFoldTask {
  kind: 'triplets';
  f: number;
  /** Fold of each triplet; triplets with one anchor share a fold. */
  fold: Int32Array;
  /** Featurised texts; the triplets name their rows. */
  x: Csr;
  /** Per triplet: rows of x (negative -1: a pair without one). */
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
  /** Per triplet: its anchor's group (triplets of one anchor). */
  group: Int32Array;
  /** Per row of x: its text's id after normalising (equal texts, equal ids). */
  textKey: Int32Array;
  /** Per triplet: the triplet whose positive is its synthetic random negative (-1: none). */
  partner: Int32Array;
  /** Per triplet: a triplet of the same anchor with another positive, its synthetic false negative (-1: none). */
  sibling: Int32Array;
  /** Rows of x that may be replacement negatives (one per distinct text). */
  pool: Int32Array;
  /** Per row of x, the group its text belongs to (-1: none): never mined for a triplet of that group (labeled rows: their label). */
  textGroup?: Int32Array;
  /** 1 where a triplet may train (multi-file audits keep test files' out); absent: all may. */
  trainable?: Uint8Array;
  /** Whether training sees the triplets' negatives (default true; false: they are a baseline, as `mine` gives pairs). */
  trainNegatives?: boolean;
  epochs: number;
  seed: number;
  encoder?: Partial<TripletEncoderConfig>;
  /** Mining: the options, or undefined for none. */
  mining?: MiningOptions;
  /** Return the embeddings of every row of x (the map uses fold 0's; --save-embeddings every fold's). */
  wantEmbedding: boolean;
  /** Return the trained encoder's weights (--save-model). */
  exportWeights?: boolean;
}

export interface TripletFoldResult {
  kind: 'triplets';
  f: number;
  /** The held-out triplets, and per held triplet (in this order) what follows. */
  held: Int32Array;
  trainTriplets: number;
  epochs: number;
  cosAP: Float32Array;
  /** NaN where the triplet has no negative. */
  cosAN: Float32Array;
  /**
   * The report's d(a,p) and d(a,n) (NaN without a negative): Euclidean between the re-normalised
   * embeddings, computed from the vectors, not as sqrt(2 - 2 cos): the embeddings' float32 norms
   * are 1 to ~1e-7, which that formula turns into up to 5e-4 near 0 (an anchor repeated as its own
   * positive read 0.00049), so a saved space that measures the same vectors would not reproduce it.
   */
  dAP: Float32Array;
  dAN: Float32Array;
  cosPN: Float32Array;
  /** Share of the pool's texts for other anchors at least as close to the anchor as the negative (NaN: none). */
  closerN: Float32Array;
  /** max over other anchors' triplets holding the negative's text of cos(their anchor, text) - cos(a, text); NaN: no such triplet. */
  fitN: Float32Array;
  /** The lexical (TF-IDF cosine) gap of the same best-fitting triplet, for the negative and for the synthetic random negative. */
  fitLexN: Float32Array;
  fitLexR: Float32Array;
  /** The triplet of the best fit of fitN / fitP (-1: none), for the evidence. */
  fitNRow: Int32Array;
  fitPRow: Int32Array;
  /** fitN's measure for the positive's text (a foreign positive is another anchor's text too). */
  fitP: Float32Array;
  /** The same three for the synthetic random negative (the partner's positive); NaN without a partner. */
  cosAR: Float32Array;
  closerR: Float32Array;
  fitR: Float32Array;
  /** cos(a, .) of the synthetic false negative (the sibling's positive) and its cos with p; NaN without one. */
  cosAS: Float32Array;
  cosPS: Float32Array;
  closerS: Float32Array;
  /** Mined negatives, [held x numNegatives] rows of x (-1: fewer found), their cosine to the anchor and rank. */
  mined: Int32Array;
  minedCos: Float32Array;
  minedRank: Int32Array;
  /** [x.rows x dim] embeddings when asked for. */
  z?: Float32Array;
  /** The fold encoder's weights when asked for (exportWeights). */
  weights?: EncoderWeights;
}

/** The most pool texts an anchor is compared with (a seeded sample past it): bounds a fold's work on large files. */
export const POOL_MAX = 20_000;

/** Lexical cosine at or above which a candidate counts as a duplicate of the anchor or the positive. */
export const NEAR_DUPLICATE_COS = 0.9;

/** Cosines [anchors x P] of the given rows of z with the pool's embeddings (row-major [P x D]), by TF.js's product. */
function poolCosines(z: Float32Array, D: number, rows: number[], zPool: Float32Array, P: number): Float32Array {
  const za = new Float32Array(rows.length * D);
  rows.forEach((r, q) => za.set(z.subarray(r * D, r * D + D), q * D));
  const t = tf.tidy(() => tf.matMul(tf.tensor2d(za, [rows.length, D]), tf.transpose(tf.tensor2d(zPool, [P, D]))));
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

export async function runTripletFold(task: TripletFoldTask, onProgress: (fraction: number, stage: FoldStage) => void = () => {},
  signal?: AbortSignal): Promise<TripletFoldResult> {
  const { f, fold, x, anchor, positive, negative, group, textKey } = task;
  const n = fold.length;
  const cfg: TripletEncoderConfig = { ...DEFAULT_TRIPLET_ENCODER, ...task.encoder };
  const D = cfg.dim;
  const train: number[] = [], held: number[] = [];
  for (let i = 0; i < n; i++) {
    if (fold[i] === f) held.push(i);
    else if (!task.trainable || task.trainable[i] !== 0) train.push(i);
  }
  const enc = new TripletEncoder(cfg, Rng.derive(task.seed, `tripletEncoder${f}`));
  let z: Float32Array;
  let weights: EncoderWeights | undefined;
  try {
    const t: TrainingTriplets = { anchor, positive, negative: task.trainNegatives === false ? new Int32Array(n).fill(-1) : negative, group };
    await enc.train(x, t, Int32Array.from(train), task.epochs, Rng.derive(task.seed, `tripletOrder${f}`),
      { signal, onEpoch: (e) => onProgress(0.8 * e, 'train') });
    onProgress(0.8, 'embed');
    z = await enc.embed(x, Int32Array.from({ length: x.rows }, (_, r) => r), signal);
    if (task.exportWeights) weights = enc.exportWeights();
  } finally {
    enc.dispose();
  }
  const cos = (u: number, v: number) => {
    let s = 0;
    const a = u * D, b = v * D;
    for (let k = 0; k < D; k++) s += z[a + k] * z[b + k];
    return s;
  };
  const norm = (u: number) => {
    let s = 0;
    for (let k = u * D; k < (u + 1) * D; k++) s += z[k] * z[k];
    return Math.sqrt(s);
  };
  /** Euclidean between the two rows' embeddings, each re-normalised (as space.ts measures a saved space). */
  const distance = (u: number, v: number) => {
    const iu = 1 / norm(u), iv = 1 / norm(v), a = u * D, b = v * D;
    let s = 0;
    for (let k = 0; k < D; k++) { const t = z[a + k] * iu - z[b + k] * iv; s += t * t; }
    return Math.sqrt(s);
  };

  // the pool, sampled past POOL_MAX, and where each text appears as a positive or a negative
  let pool = task.pool;
  if (pool.length > POOL_MAX) {
    const p = Int32Array.from(pool);
    Rng.derive(task.seed, `tripletPool${f}`).shuffle(p);
    pool = p.subarray(0, POOL_MAX).sort();
  }
  const appears = new Map<number, number[]>();
  for (let j = 0; j < n; j++) {
    for (const r of [positive[j], negative[j]]) {
      if (r < 0) continue;
      const l = appears.get(textKey[r]);
      if (l) { if (l[l.length - 1] !== j) l.push(j); } else appears.set(textKey[r], [j]);
    }
  }
  let fitRow = -1;
  const fit = (i: number, r: number, ca: number) => {
    let best = -Infinity;
    fitRow = -1;
    for (const j of appears.get(textKey[r]) ?? []) {
      if (group[j] === group[i]) continue;
      const v = cos(anchor[j], r) - ca;
      if (v > best) { best = v; fitRow = j; }
    }
    return best === -Infinity ? NaN : best;
  };
  // the positives' keys of each group: never mined as its negatives
  const groupPositives = new Map<number, Set<number>>();
  for (let j = 0; j < n; j++) {
    const s = groupPositives.get(group[j]);
    if (s) s.add(textKey[positive[j]]); else groupPositives.set(group[j], new Set([textKey[positive[j]]]));
  }

  const H = held.length, K = task.mining?.numNegatives ?? 0;
  const out: TripletFoldResult = {
    kind: 'triplets', f, held: Int32Array.from(held), trainTriplets: train.length, epochs: task.epochs,
    cosAP: new Float32Array(H), cosAN: new Float32Array(H).fill(NaN), cosPN: new Float32Array(H).fill(NaN),
    dAP: new Float32Array(H), dAN: new Float32Array(H).fill(NaN),
    closerN: new Float32Array(H).fill(NaN), fitN: new Float32Array(H).fill(NaN), fitP: new Float32Array(H).fill(NaN),
    fitNRow: new Int32Array(H).fill(-1), fitPRow: new Int32Array(H).fill(-1), fitLexN: new Float32Array(H).fill(NaN), fitLexR: new Float32Array(H).fill(NaN),
    cosAR: new Float32Array(H).fill(NaN), closerR: new Float32Array(H).fill(NaN), fitR: new Float32Array(H).fill(NaN),
    cosAS: new Float32Array(H).fill(NaN), cosPS: new Float32Array(H).fill(NaN), closerS: new Float32Array(H).fill(NaN),
    mined: new Int32Array(H * K).fill(-1), minedCos: new Float32Array(H * K), minedRank: new Int32Array(H * K),
    z: task.wantEmbedding ? z : undefined,
    ...(weights ? { weights } : {}),
  };
  // pool index of each text key, so that the few excluded texts of an anchor are found directly
  const poolOf = new Map<number, number>();
  pool.forEach((r, c) => poolOf.set(textKey[r], c));
  const P = pool.length;
  const zPool = new Float32Array(P * D);
  pool.forEach((r, c) => zPool.set(z.subarray(r * D, r * D + D), c * D));
  const BLOCK = 256;
  for (let q0 = 0; q0 < H; q0 += BLOCK) {
    if (signal?.aborted) throw new AbortError();
    onProgress(0.8 + 0.2 * q0 / H, 'score');
    const q1 = Math.min(H, q0 + BLOCK);
    const block = poolCosines(z, D, held.slice(q0, q1).map((i) => anchor[i]), zPool, P);
    for (let q = q0; q < q1; q++) {
      const i = held[q], a = anchor[i], p = positive[i], nn = negative[i], g = group[i];
      const row = block.subarray((q - q0) * P, (q - q0 + 1) * P);
      const own = groupPositives.get(g)!;
      // the pool's texts for other anchors: all but the anchor's own text and its positives
      const ownAt: number[] = [];
      for (const key of [...own, textKey[a]]) { const c = poolOf.get(key); if (c !== undefined && !ownAt.includes(c)) ownAt.push(c); }
      const others = P - ownAt.length;
      /** The share of the others at least as close to the anchor as cosine c. */
      const closer = (c: number) => {
        let k = 0;
        for (let t = 0; t < P; t++) k += +(row[t] >= c);
        for (const t of ownAt) k -= +(row[t] >= c);
        return others > 0 ? k / others : NaN;
      };
      const cp = cos(a, p);
      out.cosAP[q] = cp;
      out.dAP[q] = distance(a, p);
      out.fitP[q] = fit(i, p, cp); out.fitPRow[q] = fitRow;
      if (nn >= 0) {
        const cn = cos(a, nn);
        out.cosAN[q] = cn; out.cosPN[q] = cos(p, nn); out.dAN[q] = distance(a, nn);
        out.closerN[q] = closer(cn); out.fitN[q] = fit(i, nn, cn); out.fitNRow[q] = fitRow;
        if (fitRow >= 0) out.fitLexN[q] = rowDot(x, anchor[fitRow], x, nn) - rowDot(x, a, x, nn);
      }
      const pr = task.partner[i];
      if (pr >= 0) {
        const r = positive[pr], cr = cos(a, r);
        out.cosAR[q] = cr; out.closerR[q] = closer(cr); out.fitR[q] = fit(i, r, cr);
        if (fitRow >= 0) out.fitLexR[q] = rowDot(x, anchor[fitRow], x, r) - rowDot(x, a, x, r);
      }
      const sb = task.sibling[i];
      if (sb >= 0) {
        const s = positive[sb], cs = cos(a, s);
        out.cosAS[q] = cs; out.cosPS[q] = cos(p, s); out.closerS[q] = closer(cs);
      }
      if (K > 0 && task.mining) {
        const kn = nn >= 0 ? textKey[nn] : -1;
        const tg = task.textGroup;
        const excluded = (c: number) => ownAt.includes(c) || textKey[pool[c]] === kn || (tg !== undefined && tg[pool[c]] === g);
        // a near-duplicate of the anchor or the positive is passed over: a few spares are mined
        const picks = mineForAnchor(row, cp, { ...task.mining, numNegatives: 3 * K }, excluded);
        let k = 0;
        for (const m of picks) {
          const r = pool[m.candidate];
          if (rowDot(x, r, x, p) >= NEAR_DUPLICATE_COS || rowDot(x, r, x, a) >= NEAR_DUPLICATE_COS) continue;
          out.mined[q * K + k] = r; out.minedCos[q * K + k] = m.cos; out.minedRank[q * K + k] = m.rank;
          if (++k === K) break;
        }
      }
    }
  }
  onProgress(1, 'score');
  return out;
}

/** Progress of one triplet fold: the fraction of it done and its stage. */
export type TripletFoldProgress = (f: number, fraction: number, stage: FoldStage) => void;

export type TripletFoldRunner = (tasks: TripletFoldTask[], onProgress: TripletFoldProgress, signal?: AbortSignal) => Promise<TripletFoldResult[]>;

export const runTripletFoldsInProcess: TripletFoldRunner = async (tasks, onProgress, signal) => {
  const out: TripletFoldResult[] = [];
  for (const t of tasks) {
    if (signal?.aborted) throw new AbortError();
    out.push(await runTripletFold(t, (fraction, stage) => onProgress(t.f, fraction, stage), signal));
  }
  return out;
};
