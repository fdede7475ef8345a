/**
 * The user's own space: embeddings from a file or from a model, in which the categories, the
 * distances, the neighbours and the map are measured instead of the audit's own encoder.
 *
 * Two kinds (design.md 4):
 *   - stacked: a saved audit's K fold encoders side by side ([rows x K dim], explicit triplets
 *     [rows x 3 x K dim]; `--save-model` / `--save-embeddings`), with each row's fold and a hash of
 *     its text (a triplet's three). When every usable row matches (same row, same text), the
 *     out-of-fold rule applies as in the audit that made them: a labeled row is measured in the
 *     space of the fold that did not train on it, against that fold's training rows; a triplet's
 *     three texts in that fold's space; so the audit is reproduced (its distances to float
 *     error). Rows that do not match (another file, edited rows) get one space: the mean of the K
 *     fold embeddings.
 *   - one space: any other embeddings or model. Every row is measured in it, against the other
 *     folds' rows (the audit's own folds, so that a row's positive and negative are never itself);
 *     that space may have been trained on these very rows: the categories are "as that model sees
 *     the data".
 * In both, the label scores still come from the audit's own out-of-fold models (the linear model
 * and the encoder's head); only the kNN vote counts the neighbours of the user's space.
 * Pure: the vectors come from node/spaceFiles.ts.
 */
import type { Dataset } from './dataset';
import { InputError } from './dataset';
import { approximateNeighbours, ivfParams, shouldUseIvf } from './ivf';
import { nearestNeighbours } from './neighbours';
import { Rng } from './rng';
import type { LabeledEvidence } from './score';
import { SAMPLED_DESCRIPTION, SAMPLED_TRIPLETS, sampleTriplets, unitDistance } from './sampledTriplets';
import type { SampledTriplets, SpaceInfo } from './types';

/** Vectors of the user's space for every data row of a dataset (usable or not), in row order. */
export interface SpaceVectors {
  /** Row-major [rows x perRow x width]. */
  values: Float32Array;
  width: number;
  /** 1 for labeled rows; 3 for explicit triplets (anchor, positive, negative). */
  perRow: 1 | 3;
  source: SpaceInfo['source'];
  path: string;
  /** What the vectors are (for the report's model.description). */
  what: string;
  stacked?: StackedLayout;
}

/** A saved audit's layout: K fold blocks of `dim` per vector, and the rows it saw. */
export interface StackedLayout {
  folds: number;
  dim: number;
  /** Per usable row of the audit that saved it: its row number, the hash of its text (rowHash) and its fold. */
  rows: { row: number; hash: string; fold: number }[];
}

/** FNV-1a, 64 bits (two 32-bit halves), of a string's UTF-16 units, as 16 hex digits. */
export function rowHash(text: string): string {
  let h1 = 0x811c9dc5, h2 = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 7);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** What a row's hash is of: its text, its three texts, or its numbers. */
export function rowText(ds: Dataset, i: number): string {
  if (ds.kind !== 'labeled') { const r = ds.rows[i]; return `${r.anchor}\u0000${r.positive}\u0000${r.negative}`; }
  const r = ds.rows[i];
  return r.text ?? Array.from(r.features ?? []).join(' ');
}

/** The fold of every usable row from a stacked layout, when every usable row matches it; else undefined. */
export function matchedFolds(ds: Dataset, valid: readonly { row: number }[], layout: StackedLayout): Int32Array | undefined {
  const byRow = new Map(layout.rows.map((r) => [r.row, r]));
  const out = new Int32Array(valid.length);
  for (let v = 0; v < valid.length; v++) {
    const saved = byRow.get(valid[v].row);
    if (!saved || saved.hash !== rowHash(rowText(ds, valid[v].row)) || saved.fold < 0 || saved.fold >= layout.folds) return undefined;
    out[v] = saved.fold;
  }
  return out;
}

/** How many usable rows a stacked layout matches (for the report when not all do). */
export function matchedCount(ds: Dataset, valid: readonly { row: number }[], layout: StackedLayout): number {
  const byRow = new Map(layout.rows.map((r) => [r.row, r.hash]));
  return valid.filter((r) => byRow.get(r.row) === rowHash(rowText(ds, r.row))).length;
}

/**
 * L2-normalised vectors [rows.length x dim] of `role` (0, or 1 / 2 for a triplet's positive /
 * negative) of the given data rows: fold block `block` of a stacked layout, their mean
 * (`block` 'mean'), or the whole vector of one space.
 */
export function spaceRows(s: SpaceVectors, rows: ArrayLike<number>, role: number, block: number | 'mean'): { z: Float32Array; dim: number } {
  const st = s.stacked;
  const dim = st ? st.dim : s.width;
  const z = new Float32Array(rows.length * dim);
  const tmp = new Float64Array(dim);
  for (let q = 0; q < rows.length; q++) {
    const base = (rows[q] * s.perRow + role) * s.width;
    tmp.fill(0);
    const blocks = st ? (block === 'mean' ? Array.from({ length: st.folds }, (_, f) => f) : [block]) : [0];
    for (const f of blocks) {
      const o = base + f * dim;
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += s.values[o + d] * s.values[o + d];
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let d = 0; d < dim; d++) tmp[d] += s.values[o + d] * inv;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += tmp[d] * tmp[d];
    if (!(norm > 0)) throw new InputError(`the vector of data row ${rows[q]} is all zeros: it has no direction to measure a distance by`, s.path);
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) z[q * dim + d] = tmp[d] * inv;
  }
  return { z, dim };
}

function foldsIn(fold: Int32Array): number {
  return fold.reduce((m, f) => Math.max(m, f), 0) + 1;
}

/** How the rows are measured: each in its fold's block (out-of-fold), or all in one space. */
export interface SpacePlan {
  /** Per usable row, the fold whose block measures it and whose training rows it is measured against. */
  fold: Int32Array;
  folds: number;
  /** 'block': fold f's rows in block f; otherwise one space for all (a plain space, or the mean of the blocks). */
  blocks: 'block' | 'one';
  info: SpaceInfo;
}

/**
 * The plan for a dataset: a stacked layout whose rows all match keeps its folds; anything else is
 * one space measured against the audit's own folds (`ownFold`).
 */
export function planSpace(ds: Dataset, valid: readonly { row: number }[], s: SpaceVectors, ownFold: Int32Array): SpacePlan {
  const base = { source: s.source, path: s.path };
  const st = s.stacked;
  // labeled rows are measured against other rows; a triplet, its own three texts
  const labeled = ds.kind === 'labeled';
  if (st) {
    const matched = matchedFolds(ds, valid, st);
    if (matched) {
      const rule = labeled
        ? 'every row measured in the space of the fold that did not train on it, against that fold\'s training rows'
        : 'every triplet\'s three texts measured in the space of the fold that never saw its anchor';
      return {
        fold: matched, folds: st.folds, blocks: 'block',
        info: { ...base, dim: st.dim, rule: 'out-of-fold', folds: st.folds, description: `${s.what}: ${st.folds} fold spaces of ${st.dim} dimensions; ${rule} (the audit that saved it, reproduced)` },
      };
    }
    const n = matchedCount(ds, valid, st);
    return {
      fold: ownFold, folds: foldsIn(ownFold), blocks: 'one',
      info: { ...base, dim: st.dim, rule: 'one-space', folds: st.folds, description: `${s.what}: ${n} of ${valid.length} rows are the rows it was saved with, so not its folds but one space, the mean of its ${st.folds} fold embeddings (${st.dim} dimensions); categories as that model sees the data` },
    };
  }
  return {
    fold: ownFold, folds: foldsIn(ownFold), blocks: 'one',
    info: { ...base, dim: s.width, rule: 'one-space', description: `${s.what}: one space of ${s.width} dimensions, L2-normalised; ${labeled ? 'every row measured against the other folds\' rows' : 'every triplet\'s three texts measured in it'}; categories as that model sees the data (it may have been trained on these rows)` },
  };
}

/**
 * The neighbour evidence of labeled rows in the user's space, laid out as the audit's own
 * (LabeledEvidence: top k, nearest same-label and other-label row), so that the same scoring turns
 * it into d(a,p), d(a,n), the positive and negative rows and the kNN vote. Rows of fold f are
 * searched against fold f's training rows (not fold f, `trainable`), exactly (or with the inverted
 * file past the audit's own threshold, seeded as the audit seeds it).
 */
export async function labeledSpaceEvidence(s: SpaceVectors, plan: SpacePlan, validRows: readonly number[], y: Int32Array,
  trainable: Uint8Array | undefined, kWanted: number, seed: number, signal?: AbortSignal): Promise<{ ev: LabeledEvidence; sampled: SampledTriplets }> {
  const n = validRows.length;
  const k = Math.max(1, Math.min(kWanted, n - 1));
  const ev: LabeledEvidence = {
    k, nnIds: new Int32Array(n * k).fill(-1), nnSims: new Float32Array(n * k),
    sameId: new Int32Array(n).fill(-1), sameSim: new Float32Array(n),
    otherId: new Int32Array(n).fill(-1), otherSim: new Float32Array(n),
  };
  let one: { z: Float32Array; dim: number } | undefined;
  const sampled: SampledTriplets = { description: SAMPLED_DESCRIPTION.replace('the fold model that did not train on the anchor', plan.blocks === 'block' ? 'the fold model that did not train on the anchor' : 'that space'), dAP: [], dAN: [] };
  for (let f = 0; f < plan.folds; f++) {
    const space = plan.blocks === 'block' ? spaceRows(s, validRows, 0, f) : (one ??= spaceRows(s, validRows, 0, 'mean'));
    const queries = Int32Array.from({ length: n }, (_, i) => i).filter((i) => plan.fold[i] === f);
    const refs = Int32Array.from({ length: n }, (_, i) => i).filter((i) => plan.fold[i] !== f && (!trainable || trainable[i] === 1));
    if (queries.length === 0 || refs.length === 0) continue;
    const kk = Math.max(1, Math.min(kWanted, refs.length));
    const search = { z: space.z, dim: space.dim, queries, refs, labels: y, k: kk, signal };
    const nn = shouldUseIvf(queries.length, refs.length)
      ? await approximateNeighbours({ ...search, ...ivfParams(refs.length), seed: Rng.derive(seed, `ivf${f}`).int(2 ** 31) })
      : await nearestNeighbours(search);
    const m = Math.min(k, kk);
    queries.forEach((i, q) => {
      ev.nnIds.set(nn.ids.subarray(q * nn.k, q * nn.k + m), i * k);
      ev.nnSims.set(nn.sims.subarray(q * nn.k, q * nn.k + m), i * k);
      ev.sameId[i] = nn.sameId[q]; ev.sameSim[i] = nn.sameSim[q];
      ev.otherId[i] = nn.otherId[q]; ev.otherSim[i] = nn.otherSim[q];
    });
    // the training triplets of this fold's anchors, in the same space (indices of validRows)
    const t = sampleTriplets(queries, refs, y, unitDistance(space.z, space.dim), Math.ceil(SAMPLED_TRIPLETS * queries.length / n), Rng.derive(seed, `sample${f}`));
    t.dAP.forEach((d, i) => { sampled.dAP.push(d); sampled.dAN.push(t.dAN[i]); });
  }
  return { ev, sampled };
}

/** The vectors the map and the panel's UMAP show: fold 0's block (as the audit maps fold 0's model), or the one space. */
export function mapVectors(s: SpaceVectors, plan: SpacePlan, validRows: readonly number[], role = 0): { z: Float32Array; dim: number } {
  return spaceRows(s, validRows, role, plan.blocks === 'block' ? 0 : 'mean');
}

/**
 * Explicit triplets in the user's space: per usable triplet, d(a,p) and d(a,n) (Euclidean between
 * normalised vectors), each row's three texts in its fold's block (out-of-fold) or in one space.
 */
export function tripletSpaceDistances(s: SpaceVectors, plan: SpacePlan, validRows: readonly number[]): { dAP: Float64Array; dAN: Float64Array } {
  const n = validRows.length;
  const dAP = new Float64Array(n), dAN = new Float64Array(n);
  const dist = (a: Float32Array, b: Float32Array, i: number, dim: number) => {
    let s2 = 0;
    for (let d = 0; d < dim; d++) { const t = a[i * dim + d] - b[i * dim + d]; s2 += t * t; }
    return Math.sqrt(s2);
  };
  const byBlock = plan.blocks === 'block' ? Array.from({ length: plan.folds }, (_, f) => f) : ['mean' as const];
  for (const b of byBlock) {
    const idx = b === 'mean' ? validRows.map((_, i) => i) : validRows.map((_, i) => i).filter((i) => plan.fold[i] === b);
    const rows = idx.map((i) => validRows[i]);
    const [a, p, ng] = [0, 1, 2].map((role) => spaceRows(s, rows, role, b));
    idx.forEach((i, q) => { dAP[i] = dist(a.z, p.z, q, a.dim); dAN[i] = dist(a.z, ng.z, q, a.dim); });
  }
  return { dAP, dAN };
}
