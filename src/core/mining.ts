/**
 * Mined replacement negatives (sentence-transformers' mine_hard_negatives and NV-Retriever are
 * the anchors): for one anchor, the file's own texts ranked by similarity to it in an encoder
 * that did not train on the anchor, then
 *   1. ranks: only candidates ranked rangeMin..rangeMax (1-based, most similar first; EBR took
 *      its negatives from ranks 101-500);
 *   2. the positive-aware filter (NV-Retriever's TopK-PercPos): a candidate more similar to the
 *      anchor than `positiveShare` (95%) of the positive's similarity is a likely false negative
 *      and is skipped;
 *   3. the band: by default semi-hard at the margin, d(a,p) < d(a,n) < d(a,p) + m (in the
 *      margin's distance, as the report's categories), or `hard` (d(a,n) <= d(a,p) + m,
 *      any candidate that carries loss) or `any`;
 * and never the anchor itself, one of its positives, or a text equal to either after normalising.
 * Pure and small, so that the tests can pin every rule.
 */
import { fromEuclidean } from './categories';
import type { DistanceName } from './types';

export type MiningBand = 'semi-hard' | 'hard' | 'any';

export interface MiningOptions {
  /** Replacement negatives per anchor. */
  numNegatives: number;
  /** Margin of the band, in `distance` (between normalised embeddings). */
  margin: number;
  distance: DistanceName;
  band: MiningBand;
  /** 1-based, inclusive rank range of the candidates (0 = no bound). */
  rangeMin: number;
  rangeMax: number;
  /** NV-Retriever's filter: skip candidates with cos(a, c) > positiveShare * cos(a, p); 0 = off. */
  positiveShare: number;
}

export const DEFAULT_MINING: MiningOptions = { numNegatives: 3, margin: 0.2, distance: 'euclidean', band: 'semi-hard', rangeMin: 0, rangeMax: 0, positiveShare: 0.95 };

/** EBR's (Huang et al. 2020) rank range, as a preset. */
export const EBR_RANKS = { rangeMin: 101, rangeMax: 500 } as const;

/** Euclidean distance between unit vectors with cosine c. */
export const cosToEuclidean = (c: number) => Math.sqrt(Math.max(0, 2 - 2 * c));

/** Whether a candidate at distance dAN lies in the band, given the anchor's d(a,p) (both in the margin's distance). */
export function inBand(dAP: number, dAN: number, margin: number, band: MiningBand): boolean {
  if (band === 'any') return true;
  if (band === 'hard') return dAN < dAP + margin;
  return dAP < dAN && dAN < dAP + margin;
}

/** Whether NV-Retriever's positive-aware filter keeps a candidate (cosines to the anchor). */
export function passesPositiveFilter(cosCandidate: number, cosPositive: number, share: number): boolean {
  return !(share > 0) || cosCandidate <= share * cosPositive;
}

export interface MinedNegative {
  /** The candidate's index in the caller's candidate list. */
  candidate: number;
  /** Its 1-based rank by similarity to the anchor among the candidates left after exclusion. */
  rank: number;
  cos: number;
}

/**
 * Picks up to numNegatives candidates for one anchor. `cos[c]` is candidate c's cosine to the
 * anchor, `cosPositive` the positive's; `excluded(c)` names candidates that may never be
 * negatives (the anchor, its positives, their duplicates). Candidates are ranked by cosine, ties
 * by index; those that pass every rule are taken in rank order (most similar first: within the
 * band, the hardest first, as mine_hard_negatives takes them). Deterministic: no randomness.
 */
export function mineForAnchor(cos: ArrayLike<number>, cosPositive: number, opts: MiningOptions,
  excluded: (c: number) => boolean = () => false): MinedNegative[] {
  const d = (c: number) => fromEuclidean(cosToEuclidean(c), opts.distance);
  const dAP = d(cosPositive);
  const take = (c: number) => passesPositiveFilter(cos[c], cosPositive, opts.positiveShare) && inBand(dAP, d(cos[c]), opts.margin, opts.band);
  const ranked = opts.rangeMin > 1 || opts.rangeMax > 0;
  if (!ranked) {
    // no ranks asked for: the band's members alone are sorted, and each one's rank counted
    const hits: number[] = [];
    for (let c = 0; c < cos.length; c++) if (Number.isFinite(cos[c]) && take(c) && !excluded(c)) hits.push(c);
    hits.sort((a, b) => cos[b] - cos[a] || a - b);
    return hits.slice(0, opts.numNegatives).map((c) => {
      let rank = 1;
      for (let t = 0; t < cos.length; t++) if (t !== c && Number.isFinite(cos[t]) && (cos[t] > cos[c] || (cos[t] === cos[c] && t < c)) && !excluded(t)) rank++;
      return { candidate: c, rank, cos: cos[c] };
    });
  }
  const order: number[] = [];
  for (let c = 0; c < cos.length; c++) if (Number.isFinite(cos[c]) && !excluded(c)) order.push(c);
  order.sort((a, b) => cos[b] - cos[a] || a - b);
  const lo = Math.max(1, opts.rangeMin || 1), hi = opts.rangeMax > 0 ? Math.min(opts.rangeMax, order.length) : order.length;
  const out: MinedNegative[] = [];
  for (let r = lo; r <= hi && out.length < opts.numNegatives; r++) if (take(order[r - 1])) out.push({ candidate: order[r - 1], rank: r, cos: cos[order[r - 1]] });
  return out;
}
