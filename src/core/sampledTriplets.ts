/**
 * The dataset-level figure people tune a margin by: of the (a, p, n) triplets a semi-hard miner
 * would draw from labeled rows, which share is easy, semi-hard and hard at a margin. A miner (FaceNet's,
 * TensorFlow Addons', pytorch-metric-learning's) looks at every triplet of a random batch: an
 * anchor, another row of its label, a row of another label. So the sample is of such triplets,
 * drawn with a seeded generator: the anchor a random row, the positive a random other row of its
 * label, the negative a random row of another label, measured in the space of the fold model that
 * did not train on the anchor (positive and negative are that fold's training rows, as for the
 * rows' own triplets). Per-row triplets are different: each row's nearest positive and nearest
 * negative, the hardest it has; the sample is what a training batch holds.
 */
import { classify, fromEuclidean, suggestMargin } from './categories';
import type { Rng } from './rng';
import type { DistanceName, SampledTriplets } from './types';

/** Triplets sampled in all (split between the folds as their held-out rows are). */
export const SAMPLED_TRIPLETS = 10_000;

export const SAMPLED_DESCRIPTION = 'random (anchor, positive, negative) triplets as a training batch holds them: a random row, ' +
  'another random row of its label, a random row of another label, in the space of the fold model that did not train on the anchor';

/**
 * `count` triplets with anchors from `queries` and positives / negatives from `refs` (row ids;
 * `labels` per row), Euclidean distances from `dist`. An anchor whose label has no other row among
 * the references is drawn again (at most 4 x count draws in all); the negative is uniform over the
 * references of the other labels.
 */
export function sampleTriplets(queries: ArrayLike<number>, refs: ArrayLike<number>, labels: ArrayLike<number>,
  dist: (a: number, b: number) => number, count: number, rng: Rng): { dAP: Float32Array; dAN: Float32Array } {
  // the references grouped by label, each label a contiguous range of `grouped`
  const order = Array.from(refs).sort((u, v) => labels[u] - labels[v] || u - v);
  const grouped = Int32Array.from(order);
  const range = new Map<number, { from: number; to: number }>();
  grouped.forEach((r, i) => {
    const g = range.get(labels[r]);
    if (g) g.to = i + 1; else range.set(labels[r], { from: i, to: i + 1 });
  });
  const dAP = new Float32Array(count), dAN = new Float32Array(count);
  let m = 0;
  if (queries.length > 0 && range.size >= 2) {
    for (let tries = 0; m < count && tries < 4 * count; tries++) {
      const a = queries[rng.int(queries.length)];
      const own = range.get(labels[a]);
      if (!own) continue;
      const p = grouped[own.from + rng.int(own.to - own.from)];
      if (p === a) continue;
      let t = rng.int(grouped.length - (own.to - own.from));
      if (t >= own.from) t += own.to - own.from;
      dAP[m] = dist(a, p); dAN[m] = dist(a, grouped[t]); m++;
    }
  }
  return { dAP: dAP.slice(0, m), dAN: dAN.slice(0, m) };
}

/** Euclidean distance between rows a and b of row-major unit vectors z [rows x dim]. */
export function unitDistance(z: Float32Array, dim: number): (a: number, b: number) => number {
  return (a, b) => {
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += z[a * dim + d] * z[b * dim + d];
    return Math.sqrt(Math.max(0, 2 - 2 * dot));
  };
}

export interface SampledShares { easy: number; semiHard: number; hard: number; count: number }

/** The shares of the sampled triplets in each category at `margin`, measured in `distance`. */
export function sampledShares(s: SampledTriplets, margin: number, distance: DistanceName): SampledShares {
  let easy = 0, semiHard = 0, hard = 0;
  const n = s.dAP.length;
  for (let i = 0; i < n; i++) {
    const c = classify(fromEuclidean(s.dAP[i], distance), fromEuclidean(s.dAN[i], distance), margin);
    if (c === 'easy') easy++; else if (c === 'semi-hard') semiHard++; else hard++;
  }
  return n ? { easy: easy / n, semiHard: semiHard / n, hard: hard / n, count: n } : { easy: 0, semiHard: 0, hard: 0, count: 0 };
}

/**
 * A margin for the sampled triplets, in `distance`: the median of d(a,n) - d(a,p) over those ordered
 * right (categories.ts suggestMargin), so that about half of them carry loss at it.
 */
export function suggestSampledMargin(s: SampledTriplets, distance: DistanceName): number {
  return suggestMargin(Array.from(s.dAP, (d) => fromEuclidean(d, distance)), Array.from(s.dAN, (d) => fromEuclidean(d, distance)));
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

/** One line for the CLI and the panel: the shares at `margin` and the suggested margin's semi-hard share. */
export function sampledLine(s: SampledTriplets, margin: number, distance: DistanceName): string {
  const now = sampledShares(s, margin, distance);
  const m = suggestSampledMargin(s, distance);
  const then = sampledShares(s, m, distance);
  return `of ${now.count} sampled triplets (a miner's batch: random anchor, positive, negative) at m = ${margin}: ` +
    `${pct(now.easy)} easy, ${pct(now.semiHard)} semi-hard, ${pct(now.hard)} hard; suggested m = ${m} ` +
    `(${pct(then.semiHard)} semi-hard there, ${distance})`;
}
