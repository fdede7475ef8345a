/**
 * The detector for explicit triplets: cross-fitted on the file's own triplets, in plain
 * TypeScript (no TensorFlow.js, no worker threads: SNLI's 3,253 triplets take ~0.5 s of CPU).
 *
 * 1. The pair model: given an anchor and a text, is the text the anchor's positive, its
 *    negative, or unrelated to it? A three-class logistic regression (pairSgd.ts) on features of
 *    the pair (pairFeatures). Each fold's model trains on the other folds' triplets: (anchor,
 *    positive), (anchor, negative), and as unrelated (anchor, the positive of another triplet of
 *    the same fold), the in-batch negatives of contrastive training.
 * 2. The odds of an error (errorOdds): the triplet read three ways under the pair model: as
 *    given (p a positive, n a negative), swapped (p a negative, n a positive), or with an
 *    unrelated positive (p unrelated, n a negative); the log of the two errors' likelihood over
 *    the reading as given. A third kind of error, a negative that is really a positive, is not
 *    scored: with a positive that reads as one, it looks like the hard negatives the pair model
 *    learned from, and most such triplets in a file are just that.
 * 3. The detector (fitLogistic): a logistic regression on those log-odds and the lexical margin
 *    sim(a,n) - sim(a,p) (TF-IDF cosines), trained per fold on the other folds' triplets as given
 *    against their synthetic corruptions (swapped, and with another triplet's positive), so that
 *    each file decides what each signal is worth.
 *
 * Measured on the corrupted NLI copies (AP SNLI / MultiNLI, make_noisy seeds 1, 2, 3): the
 * lexical margin alone 0.433 / 0.583, 0.412 / 0.536, 0.414 / 0.563; the pair model's odds alone
 * 0.739 / 0.648, 0.726 / 0.603, 0.745 / 0.646; the detector 0.752 / 0.711, 0.738 / 0.652,
 * 0.756 / 0.709 (it weighs the lexical margin more on MultiNLI, whose pairs the model reads worse).
 * Tried and left out (AP of an earlier version, SNLI / MultiNLI seed 1): unrelated texts drawn
 * from negatives as well as positives (odds 0.780 / 0.641 against 0.789 / 0.677); a third error
 * reading, a negative that is really a positive (0.761 / 0.653 against 0.789 / 0.677). Character
 * n-grams in the shared / new features raised the detector's AP by 0.01-0.06 (seeds 1 and 2) for
 * 8x the entries and 5-8x the training time.
 */
import { AbortError } from './engineApi';
import { rowDot, type Csr } from './featurize';
import { DEFAULT_LINEAR, type LinearConfig } from './linear';
import { Rng } from './rng';
import { PairClassifier } from './pairSgd';

/** The pair model's classes, in the order of its probabilities. */
export const PAIR_CLASSES = ['positive', 'negative', 'unrelated'] as const;
const POS = 0, NEG = 1, UNREL = 2;

/** A linear model gets each cosine raw and one-hot in which tenth of [0, 1] it falls. */
const COSINE_BINS = 10;

function cosineBin(c: number): number {
  return Math.min(COSINE_BINS - 1, Math.max(0, Math.floor(c * COSINE_BINS)));
}

/**
 * Features of (anchor, text) pairs, one row per pair: each word n-gram of the text (a column of
 * `words`) as shared with the anchor (columns 0..W-1, the geometric mean of the two weights) or
 * new in the text (W..2W-1, the text's weight); then the cosine of the two rows of `x` and of
 * `words`, each raw and one-hot in COSINE_BINS bins. Each row's columns ascend. Also returns
 * the first cosine (the lexical similarity) of each pair.
 */
export function pairFeatures(x: Csr, words: Csr, anchors: ArrayLike<number>, texts: ArrayLike<number>): { features: Csr; similarity: Float32Array } {
  const W = words.cols, dense = 2 * W, m = anchors.length;
  const { indptr: wp, indices: wi, values: wv } = words;
  const indptr = new Int32Array(m + 1);
  for (let k = 0; k < m; k++) indptr[k + 1] = indptr[k] + (wp[texts[k] + 1] - wp[texts[k]]) + 4;
  const indices = new Int32Array(indptr[m]), values = new Float32Array(indptr[m]), similarity = new Float32Array(m);
  for (let k = 0; k < m; k++) {
    const a = anchors[k], t = texts[k];
    let o = indptr[k];
    // the shared n-grams, then the new ones: each ascending, and shared < W <= new
    for (let pass = 0; pass < 2; pass++) {
      let p = wp[a];
      for (let q = wp[t]; q < wp[t + 1]; q++) {
        const j = wi[q];
        while (p < wp[a + 1] && wi[p] < j) p++;
        const shared = p < wp[a + 1] && wi[p] === j;
        if (pass === 0 && shared) { indices[o] = j; values[o++] = Math.sqrt(wv[p] * wv[q]); }
        if (pass === 1 && !shared) { indices[o] = W + j; values[o++] = wv[q]; }
      }
    }
    const cx = (similarity[k] = rowDot(x, a, x, t)), cw = rowDot(words, a, words, t);
    indices[o] = dense + cosineBin(cx); values[o++] = 1;
    indices[o] = dense + COSINE_BINS; values[o++] = cx;
    indices[o] = dense + COSINE_BINS + 1 + cosineBin(cw); values[o++] = 1;
    indices[o] = dense + 2 * COSINE_BINS + 1; values[o++] = cw;
  }
  return { features: { rows: m, cols: dense + 2 * (COSINE_BINS + 1), indptr, indices, values }, similarity };
}

/** Log of a probability, floored so that a confident model gives large but finite odds. */
const lg = (p: number) => Math.log(Math.max(p, 1e-6));

export interface ErrorOdds {
  /** log L(swapped) / L(as given). */
  swap: number;
  /** log L(unrelated positive) / L(as given). */
  unrelated: number;
  /** log (L(swapped) + L(unrelated positive)) / L(as given). */
  odds: number;
}

/**
 * The error readings of a triplet against the reading as given, from the pair model's class
 * probabilities of its positive (`p`, at `po`) and its negative (`q`, at `qo`). With classes
 * balanced in training, P(class | pair) is proportional to the pair's likelihood under the class.
 */
export function errorOdds(p: ArrayLike<number>, po: number, q: ArrayLike<number>, qo: number): ErrorOdds {
  const swap = lg(p[po + NEG]) + lg(q[qo + POS]) - lg(p[po + POS]) - lg(q[qo + NEG]);
  // an unrelated positive keeps the negative a negative: P(negative | n) cancels
  const unrelated = lg(p[po + UNREL]) - lg(p[po + POS]);
  const hi = Math.max(swap, unrelated);
  return { swap, unrelated, odds: hi + Math.log(Math.exp(swap - hi) + Math.exp(unrelated - hi)) };
}

/**
 * Logistic regression on a few dense features ([rows x d], row-major) by Newton's method, the
 * features standardised and a light L2 penalty (1e-4 per row) keeping separable data finite.
 * Returns the weights and the bias on the features' own scale.
 */
export function fitLogistic(X: Float64Array, d: number, y: Uint8Array, iterations = 25): { w: Float64Array; b: number } {
  const n = y.length, D = d + 1;
  const mean = new Float64Array(d), sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (X[i * d + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  // the standardised features with a constant 1 for the bias, [rows x D]
  const Z = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) Z[i * D + j] = (X[i * d + j] - mean[j]) / sd[j];
    Z[i * D + d] = 1;
  }
  const beta = new Float64Array(D), g = new Float64Array(D), H = new Float64Array(D * D);
  for (let it = 0; it < iterations; it++) {
    gradientAndHessian(Z, D, y, beta, g, H);
    for (let j = 0; j < d; j++) { g[j] += 1e-4 * n * beta[j]; H[j * D + j] += 1e-4 * n; }
    const step = solve(H, g, D);
    let change = 0;
    for (let j = 0; j < D; j++) { beta[j] -= step[j]; change = Math.max(change, Math.abs(step[j])); }
    if (change < 1e-6) break;
  }
  const w = Float64Array.from({ length: d }, (_, j) => beta[j] / sd[j]);
  let b = beta[d];
  for (let j = 0; j < d; j++) b -= w[j] * mean[j];
  return { w, b };
}

/** The log loss's gradient g and Hessian H at beta (a function of its own, which V8 optimises whole). */
function gradientAndHessian(Z: Float64Array, D: number, y: Uint8Array, beta: Float64Array, g: Float64Array, H: Float64Array): void {
  g.fill(0); H.fill(0);
  for (let i = 0, o = 0; i < y.length; i++, o += D) {
    let s = 0;
    for (let j = 0; j < D; j++) s += beta[j] * Z[o + j];
    const p = 1 / (1 + Math.exp(-s)), e = p - y[i], h = p * (1 - p);
    for (let j = 0; j < D; j++) {
      g[j] += e * Z[o + j];
      for (let k = 0; k < D; k++) H[j * D + k] += h * Z[o + j] * Z[o + k];
    }
  }
}

/** Solves A x = g for a small symmetric positive definite A ([D x D]) by Gaussian elimination. */
function solve(A: Float64Array, g: Float64Array, D: number): Float64Array {
  const M = Float64Array.from(A), x = Float64Array.from(g);
  for (let c = 0; c < D; c++) {
    const piv = M[c * D + c] || 1e-12;
    for (let r = c + 1; r < D; r++) {
      const f = M[r * D + c] / piv;
      for (let k = c; k < D; k++) M[r * D + k] -= f * M[c * D + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = D - 1; c >= 0; c--) {
    for (let k = c + 1; k < D; k++) x[c] -= M[c * D + k] * x[k];
    x[c] /= M[c * D + c] || 1e-12;
  }
  return x;
}

/**
 * For each triplet, another triplet of its fold whose anchor differs (-1 where the fold has
 * none): its positive is the unrelated text of the pair model and of the synthetic corruptions.
 * The same fold, so that a fold's training pairs take their texts from its training triplets only.
 */
export function pickPartners(fold: Int32Array, groups: Int32Array, folds: number, rng: Rng): Int32Array {
  const members: number[][] = Array.from({ length: folds }, () => []);
  fold.forEach((f, i) => members[f].push(i));
  return Int32Array.from(fold, (f, i) => {
    const m = members[f];
    for (let tries = 0; tries < 16; tries++) {
      const j = m[rng.int(m.length)];
      if (groups[j] !== groups[i]) return j;
    }
    return m.find((j) => groups[j] !== groups[i]) ?? -1;
  });
}

export interface TripletModelInput {
  /**
   * TF-IDF rows of characters and words (the lexical similarity), and of word n-grams only:
   * anchors at rows 0..n-1, positives n..2n-1, negatives 2n..3n-1 of both.
   */
  x: Csr;
  words: Csr;
  n: number;
  /** The fold of each triplet (triplets with one anchor share a fold) and its anchor's group. */
  fold: Int32Array;
  folds: number;
  groups: Int32Array;
  seed: number;
  /** Epochs of the pair model; 0 = the linear model's default. */
  epochs: number;
  /** Each triplet's partner (pickPartners), when the caller drew them already. */
  partner?: Int32Array;
  /** 1 where a triplet may train (multi-file audits keep test files' out); absent: all may. */
  trainable?: Uint8Array;
}

/** The detector's weights in one fold: score = odds * error log-odds + lexical * margin + bias. */
export interface DetectorWeights { odds: number; lexical: number; /** The encoder's margin (tripletScores.ts). */ encoder?: number; bias: number }

export interface TripletModelResult {
  /** [n x 3] out-of-fold P(positive, negative, unrelated | anchor, text) of each positive and negative. */
  pairP: Float32Array;
  pairN: Float32Array;
  /** [n x 3] the same for each triplet's partner's positive (its synthetic random negative; zeros without a partner). */
  pairR: Float32Array;
  /** Per triplet, the triplet whose positive is its unrelated text (-1: none): pickPartners. */
  partner: Int32Array;
  /** Per triplet, its error readings against the reading as given (errorOdds). */
  swap: Float32Array;
  unrelated: Float32Array;
  odds: Float32Array;
  /** The error log-odds of each triplet's synthetic corruptions: swapped, and with the partner's positive (0 without one). */
  oddsSwapped: Float32Array;
  oddsForeign: Float32Array;
  /** Lexical cosine similarities (rows of x); simAR: of the anchor and its partner's positive. */
  simAR: Float32Array;
  simAP: Float32Array;
  simAN: Float32Array;
  simPN: Float32Array;
  /** The detector's out-of-fold log-odds that the triplet is wrong (rank only: see fitLogistic). */
  score: Float32Array;
  detector: DetectorWeights[];
  /** Columns of the pair model's features. */
  featureDim: number;
  /** Training triplets and epochs of each fold's pair model. */
  trainedPerFold: number[];
  epochsPerFold: number[];
}

export interface ModelHooks {
  signal?: AbortSignal;
  onProgress?(fraction: number, message: string): void;
}

/** The linear model's settings for the pair model, with `epochs` when given (averaging the same share). */
function pairConfig(epochs: number): LinearConfig {
  if (!(epochs > 0)) return DEFAULT_LINEAR;
  const share = DEFAULT_LINEAR.averageFrom / DEFAULT_LINEAR.epochs;
  return { ...DEFAULT_LINEAR, epochs, averageFrom: Math.max(1, Math.ceil(epochs * share)) };
}

export function crossFitTriplets(inp: TripletModelInput, hooks: ModelHooks = {}): TripletModelResult {
  const { x, words, n, fold, folds: K, seed } = inp;
  const partner = inp.partner ?? pickPartners(fold, inp.groups, K, Rng.derive(seed, 'partners'));
  // pair rows 3i, 3i + 1, 3i + 2: (anchor, positive), (anchor, negative), (anchor, partner's positive)
  const anchors = new Int32Array(3 * n), texts = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) {
    anchors[3 * i] = anchors[3 * i + 1] = anchors[3 * i + 2] = i;
    texts[3 * i] = n + i; texts[3 * i + 1] = 2 * n + i; texts[3 * i + 2] = n + Math.max(partner[i], 0);
  }
  const { features: X, similarity } = pairFeatures(x, words, anchors, texts);
  const y = Int32Array.from({ length: 3 * n }, (_, r) => r % 3);
  // out-of-fold P(class | pair row), [3n x 3]
  const probs = new Float32Array(9 * n);
  const cfg = pairConfig(inp.epochs);
  const trainedPerFold: number[] = [], epochsPerFold: number[] = [];
  for (let f = 0; f < K; f++) {
    if (hooks.signal?.aborted) throw new AbortError();
    hooks.onProgress?.(f / (K + 1), `Pair model: fold ${f + 1}/${K}`);
    const train: number[] = [], held: number[] = [];
    for (let i = 0; i < n; i++) {
      if (fold[i] === f) { held.push(3 * i, 3 * i + 1, 3 * i + 2); continue; }
      if (inp.trainable && inp.trainable[i] === 0) continue;
      train.push(3 * i, 3 * i + 1);
      if (partner[i] >= 0) train.push(3 * i + 2);
    }
    const model = new PairClassifier(X);
    epochsPerFold[f] = model.fit(Int32Array.from(train), y, Rng.derive(seed, `pair${f}`), cfg, hooks.signal);
    if (hooks.signal?.aborted) throw new AbortError();
    const p = model.predict(held);
    for (let q = 0; q < held.length; q++) for (let c = 0; c < 3; c++) probs[3 * held[q] + c] = p[3 * q + c];
    trainedPerFold[f] = train.filter((r) => r % 3 === 0).length;
  }
  hooks.onProgress?.(K / (K + 1), 'Detector: weighing the pair model against the lexical margin');

  // P(. | anchor, positive) at 9i, (anchor, negative) at 9i + 3, (anchor, partner's positive) at 9i + 6
  const simAP = new Float32Array(n), simAN = new Float32Array(n), simAR = new Float32Array(n), simPN = new Float32Array(n);
  const swap = new Float32Array(n), unrelated = new Float32Array(n), odds = new Float32Array(n);
  // the error log-odds of each triplet's synthetic corruptions: swapped, and with the partner's positive
  const oddsSwapped = new Float32Array(n), oddsForeign = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    simAP[i] = similarity[3 * i]; simAN[i] = similarity[3 * i + 1]; simAR[i] = similarity[3 * i + 2];
    simPN[i] = rowDot(x, n + i, x, 2 * n + i);
    const e = errorOdds(probs, 9 * i, probs, 9 * i + 3);
    swap[i] = e.swap; unrelated[i] = e.unrelated; odds[i] = e.odds;
    oddsSwapped[i] = errorOdds(probs, 9 * i + 3, probs, 9 * i).odds;
    oddsForeign[i] = errorOdds(probs, 9 * i + 6, probs, 9 * i + 3).odds;
  }
  const score = new Float32Array(n), detector: DetectorWeights[] = [];
  const feats = new Float64Array(6 * n), labels = new Uint8Array(3 * n);
  for (let f = 0; f < K; f++) {
    // the other folds' triplets as given (0) against their corruptions (1); their pair
    // probabilities are out of fold too, from models that did see fold f (as in any stacking)
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (fold[i] === f || (inp.trainable && inp.trainable[i] === 0)) continue;
      feats[2 * m] = odds[i]; feats[2 * m + 1] = simAN[i] - simAP[i]; labels[m++] = 0;
      feats[2 * m] = oddsSwapped[i]; feats[2 * m + 1] = simAP[i] - simAN[i]; labels[m++] = 1;
      if (partner[i] >= 0) { feats[2 * m] = oddsForeign[i]; feats[2 * m + 1] = simAN[i] - simAR[i]; labels[m++] = 1; }
    }
    const { w, b } = m > 0 ? fitLogistic(feats.subarray(0, 2 * m), 2, labels.subarray(0, m)) : { w: [1, 0], b: 0 };
    detector[f] = { odds: w[0], lexical: w[1], bias: b };
    for (let i = 0; i < n; i++) if (fold[i] === f) score[i] = w[0] * odds[i] + w[1] * (simAN[i] - simAP[i]) + b;
  }
  hooks.onProgress?.(1, 'Detector done');
  const pairP = new Float32Array(3 * n), pairN = new Float32Array(3 * n), pairR = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    pairP.set(probs.subarray(9 * i, 9 * i + 3), 3 * i);
    pairN.set(probs.subarray(9 * i + 3, 9 * i + 6), 3 * i);
    if (partner[i] >= 0) pairR.set(probs.subarray(9 * i + 6, 9 * i + 9), 3 * i);
  }
  return {
    pairP, pairN, pairR, partner, oddsSwapped, oddsForeign, simAR, swap, unrelated, odds, simAP, simAN, simPN, score, detector,
    featureDim: X.cols, trainedPerFold, epochsPerFold,
  };
}

/**
 * The distance the report gives a pair: sqrt(2 (1 - P(positive | anchor, text))), the Euclidean
 * distance between unit vectors whose cosine is the pair model's P(positive), so that the cosine
 * distance of the report is 1 - P(positive) and the categories follow the pair model.
 */
export function pairDistance(pPositive: number): number {
  return Math.sqrt(2 * Math.max(0, 1 - pPositive));
}
