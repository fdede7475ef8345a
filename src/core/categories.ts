/**
 * Triplet categories at a margin, and the distances they are measured in. Pure and tiny: the
 * panel re-classifies 100,000 rows per frame with these, so no allocation in the hot loops.
 *
 * Boundaries, exactly as the domain guide states them:
 *   easy       d(a,p) + m <= d(a,n)      (loss 0)
 *   semi-hard  d(a,p) < d(a,n) < d(a,p) + m
 *   hard       d(a,n) <= d(a,p)          (loss >= m)
 */
import type { Category, DistanceName } from './types';

export const CATEGORY_EASY = 0;
export const CATEGORY_SEMI_HARD = 1;
export const CATEGORY_HARD = 2;
export const CATEGORY_NAMES: readonly Category[] = ['easy', 'semi-hard', 'hard'];

export function tripletLoss(dAP: number, dAN: number, margin: number): number {
  return Math.max(dAP - dAN + margin, 0);
}

export function categoryCode(dAP: number, dAN: number, margin: number): number {
  if (dAN <= dAP) return CATEGORY_HARD;
  if (dAP + margin <= dAN) return CATEGORY_EASY;
  return CATEGORY_SEMI_HARD;
}

export function classify(dAP: number, dAN: number, margin: number): Category {
  return CATEGORY_NAMES[categoryCode(dAP, dAN, margin)];
}

/**
 * Embeddings are L2-normalised, so every supported distance is a function of the Euclidean one:
 * squared = e^2, cosine distance = 1 - cos = e^2 / 2. The engine caches Euclidean distances and
 * any distance can be derived from them without re-embedding.
 */
export function fromEuclidean(e: number, distance: DistanceName): number {
  switch (distance) {
    case 'euclidean': return e;
    case 'squared-euclidean': return e * e;
    case 'cosine': return (e * e) / 2;
  }
}

export function toEuclidean(d: number, distance: DistanceName): number {
  switch (distance) {
    case 'euclidean': return d;
    case 'squared-euclidean': return Math.sqrt(Math.max(d, 0));
    case 'cosine': return Math.sqrt(Math.max(2 * d, 0));
  }
}

/** Every value of `values` (stated in `from`) in `to`: one loop next to the formulas, so nothing is called per value across modules. */
export function convertDistanceArray(values: Float64Array, from: DistanceName, to: DistanceName): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = fromEuclidean(toEuclidean(values[i], from), to);
  return out;
}

export interface CategoryCounts { easy: number; semiHard: number; hard: number; triviallyEasy: number }

/**
 * Re-classifies cached distances at a new margin in one pass. `out` receives the category codes;
 * `trivialGap` is how far beyond the margin a triplet must be to count as trivially easy.
 * `trivialRule`, per row (scoredView.ts's trivialRule): 0 never trivially easy, 1 by the gap,
 * 2 whenever the triplet is ordered right (a scored explicit triplet).
 */
export function reclassify(dAP: Float32Array | Float64Array, dAN: Float32Array | Float64Array,
  margin: number, out: Uint8Array, trivialGap = margin, trivialRule?: Uint8Array): CategoryCounts {
  let easy = 0, semiHard = 0, hard = 0, triviallyEasy = 0;
  const n = dAP.length;
  for (let i = 0; i < n; i++) {
    const p = dAP[i], q = dAN[i];
    if (q <= p) { out[i] = CATEGORY_HARD; hard++; }
    else if (p + margin <= q) {
      out[i] = CATEGORY_EASY; easy++;
      if (trivialRule ? trivialRule[i] === 2 || (trivialRule[i] === 1 && p + margin + trivialGap <= q) : p + margin + trivialGap <= q) triviallyEasy++;
    } else {
      out[i] = CATEGORY_SEMI_HARD; semiHard++;
      if (trivialRule?.[i] === 2) triviallyEasy++;
    }
  }
  return { easy, semiHard, hard, triviallyEasy };
}

/** Trivially easy: easy by at least `trivialGap` beyond the margin (default: one more margin). */
export function isTriviallyEasy(dAP: number, dAN: number, margin: number, trivialGap = margin): boolean {
  return dAP + margin + trivialGap <= dAN;
}

/** Margin presets, each naming the distance it means. */
export const MARGIN_PRESETS: readonly { id: string; label: string; margin: number; distance: DistanceName; detail: string }[] = [
  { id: 'facenet', label: 'FaceNet / pytorch-metric-learning', margin: 0.2, distance: 'euclidean', detail: '0.2 on L2-normalised embeddings (FaceNet used squared L2; pytorch-metric-learning L2)' },
  { id: 'sentence-transformers', label: 'sentence-transformers TripletLoss', margin: 5, distance: 'euclidean', detail: 'Euclidean, margin 5, unnormalised embeddings' },
  { id: 'tfa', label: 'TensorFlow Addons TripletSemiHardLoss', margin: 1.0, distance: 'squared-euclidean', detail: 'margin 1.0 on squared L2 of normalised embeddings' },
];

/**
 * A margin suggested by the data: the median of d(a,n) - d(a,p) over the triplets that are
 * ordered right, so that about half of them carry loss (semi-hard) at the suggested margin.
 */
export function suggestMargin(dAP: ArrayLike<number>, dAN: ArrayLike<number>): number {
  const gaps: number[] = [];
  for (let i = 0; i < dAP.length; i++) {
    const g = dAN[i] - dAP[i];
    if (g > 0 && Number.isFinite(g)) gaps.push(g);
  }
  if (gaps.length === 0) return 0.2;
  gaps.sort((a, b) => a - b);
  const m = gaps[Math.floor(gaps.length / 2)];
  return Math.round(m * 1000) / 1000;
}
