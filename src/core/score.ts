/**
 * Suspicion: how likely a row's label (or its triplet) is wrong, from out-of-fold evidence only,
 * and the evidence sentences that say why. Labeled rows: distances are Euclidean between
 * normalised embeddings (the report converts them). Explicit triplets: the detector of
 * tripletModel.ts.
 */
import { flat } from './flat';
import { simToEuclidean } from './neighbours';
import type { TripletModelResult } from './tripletModel';

export interface LabeledEvidence {
  k: number;
  /** [rows x k] out-of-fold neighbours (valid-row ids, -1 = none) and their cosine similarity. */
  nnIds: Int32Array;
  nnSims: Float32Array;
  sameId: Int32Array;
  sameSim: Float32Array;
  otherId: Int32Array;
  otherSim: Float32Array;
}

export interface LabeledScore {
  suspicion: number;
  suggested?: number;
  dAP: number;
  dAN: number;
  positive: number;
  negative: number;
  evidence: string[];
}

/**
 * Weights of the three out-of-fold label probabilities: the encoder's head, the kNN vote in its
 * space, and the linear model. Measured on the corrupted copies (AP TREC / SMS / AG / ChnSentiCorp):
 * head and kNN alone 0.775 / 0.952 / 0.731 / 0.564 and 0.518 / 0.936 / 0.539 / 0.610, the linear
 * model alone 0.861 / 0.976 / 0.810 / 0.763; equal weights 0.850 / 0.979 / 0.787 / 0.728; 0.1 / 0.1 / 1
 * 0.865 / 0.979 / 0.808 / 0.764. The encoder's signals break the linear model's near-ties.
 */
export const SCORING = { head: 0.1, knn: 0.1, linear: 1 };

/**
 * Per row, the probability of its given label under the models that trained on it (the mean over
 * the K - 1 folds whose training rows it was in; NaN where none was): the linear models' and the
 * encoder heads'. The label score of each model is the mean of this and its out-of-fold
 * probability (FITTED_SHARE). A regularised model does not fit every label it trains on: a row it
 * cannot fit, though it saw it, holds a label the rest of the data argues against, and the folds
 * that saw it are K - 1 models instead of one. The out-of-fold probability asks whether the label
 * follows from the other rows; this asks whether it can be learnt at all.
 */
export interface FittedProbabilities { linear: Float32Array; head: Float32Array }

/**
 * The share of the fitted probability in each model's score, against its out-of-fold one: an even
 * mean, the one choice that prefers neither. On the 36 corrupted copies (TREC, SMS spam, AG News,
 * ChnSentiCorp; seeds 1-3, rates 0.05 / 0.1 / 0.2) the blend's AP rose in 31 and fell in 5 (at
 * most 0.007), by 0.006 on average (AG News +0.006 to +0.034). On 16 of them (seeds 1-2, rates
 * 0.1 / 0.2), mean AP at shares 0 / 0.25 / 0.4 / 0.5 / 0.6 / 0.75 / 1: 0.8880 / 0.8921 / 0.8930 /
 * 0.8933 / 0.8934 / 0.8930 / 0.8915 (flat between 0.4 and 0.75: nothing to tune).
 */
export const FITTED_SHARE = 0.5;

/** A model's label score: its out-of-fold probability of the given label, averaged with the fitted one when there is one. */
export function withFitted(outOfFold: number, fitted: number): number {
  return Number.isNaN(fitted) ? outOfFold : (1 - FITTED_SHARE) * outOfFold + FITTED_SHARE * fitted;
}

/** The kNN vote: per row, the share of its out-of-fold neighbours in each class, [rows x classes]. */
export function knnVotes(y: Int32Array, ev: LabeledEvidence, classes: number): Float32Array {
  const k = ev.k, out = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) {
    let n = 0;
    for (let j = 0; j < k && ev.nnIds[i * k + j] >= 0; j++) { out[i * classes + y[ev.nnIds[i * k + j]]]++; n++; }
    for (let c = 0; c < classes; c++) out[i * classes + c] = n ? out[i * classes + c] / n : 1 / classes;
  }
  return out;
}

const pct = (p: number) => `${Math.round(p * 100)}%`;

/**
 * Each row's suspicion, 1 - the blend (SCORING) of its given label's probability under the
 * encoder's head and the linear model (each withFitted, when `fitted` is given) and its kNN vote;
 * the label it suggests, for as many of the most suspicious rows as confident learning counts
 * label errors (out-of-fold probabilities alone, below); its triplet and the evidence.
 */
export function scoreLabeled(inp: {
  y: Int32Array; probs: Float32Array; linear: Float32Array; fitted?: FittedProbabilities; classes: number; labels: string[]; ev: LabeledEvidence;
}): LabeledScore[] {
  const { y, probs, linear, fitted, classes: C, labels, ev } = inp;
  const wSum = SCORING.head + SCORING.knn + SCORING.linear;
  const k = ev.k;
  const out: LabeledScore[] = new Array(y.length);
  const pAll = new Float64Array(y.length * C);
  const share = knnVotes(y, ev, C);
  for (let i = 0; i < y.length; i++) {
    let n = 0;
    while (n < k && ev.nnIds[i * k + n] >= 0) n++;
    const votes = (c: number) => Math.round(share[i * C + c] * n);
    let best = -1, bestP = -1;
    const p = pAll.subarray(i * C, i * C + C);
    for (let c = 0; c < C; c++) {
      p[c] = (SCORING.head * probs[i * C + c] + SCORING.knn * share[i * C + c] + SCORING.linear * linear[i * C + c]) / wSum;
      if (p[c] > bestP) { bestP = p[c]; best = c; }
    }
    const given = y[i];
    const fitHead = fitted ? fitted.head[i] : NaN, fitLinear = fitted ? fitted.linear[i] : NaN;
    const pGiven = (SCORING.head * withFitted(probs[i * C + given], fitHead) + SCORING.knn * share[i * C + given] +
      SCORING.linear * withFitted(linear[i * C + given], fitLinear)) / wSum;
    const suspicion = Math.min(1, Math.max(0, 1 - pGiven));
    // the row's triplet: its nearest same-label and nearest other-label out-of-fold rows (the 1-NN margin)
    const positive = ev.sameId[i], negative = ev.otherId[i];
    const dAP = positive >= 0 ? simToEuclidean(ev.sameSim[i]) : 2;
    const dAN = negative >= 0 ? simToEuclidean(ev.otherSim[i]) : 2;
    const evidence: string[] = [];
    const q = JSON.stringify;
    if (n) {
      const top = best !== given ? best : -1;
      evidence.push(flat(`kNN: ${votes(given)} of ${n} nearest out-of-fold neighbours are labeled ${q(labels[given])}` +
        (top >= 0 ? `, ${votes(top)} are ${q(labels[top])}` : '')));
    }
    const probLine = (name: string, p: Float32Array, fit: number) => flat(`${name}: P(${q(labels[given])}) = ${pct(p[i * C + given])}` +
      (best !== given ? `, P(${q(labels[best])}) = ${pct(p[i * C + best])}` : '') +
      (Number.isNaN(fit) ? '' : `; trained on this row, P(${q(labels[given])}) = ${pct(fit)}`));
    // the linear classifier carries most of the score: its line comes first
    evidence.unshift(probLine('linear classifier (out-of-fold)', linear, fitLinear));
    evidence.push(probLine('encoder head (out-of-fold)', probs, fitHead));
    out[i] = { suspicion, dAP, dAN, positive, negative, evidence };
  }
  // Which rows carry a suggestion (and so can be flagged `mislabeled`): confident learning counts the
  // file's likely label errors, the rows for which another class is at least as likely as that
  // class's own rows are on average (out-of-fold); that many rows from the top of the suspicion
  // ranking get one. Each suggests confident learning's class where it has one, else the likeliest
  // other class. Flagging confident learning's own rows instead picks rows the ranking puts lower:
  // on 24 corrupted copies (TREC, SMS, AG News, ChnSentiCorp; seeds 1-2, rates 0.05 / 0.1 / 0.2)
  // this rule's F1 against the truth was higher on all 24, by 0.07 on average (README, Suspicion).
  const sum = new Float64Array(C), cnt = new Float64Array(C);
  y.forEach((c, i) => { sum[c] += pAll[i * C + c]; cnt[c]++; });
  const t = Float64Array.from(sum, (v, c) => (cnt[c] ? v / cnt[c] : 1));
  /** Row i's likeliest class other than its given one among those `allowed`, -1 if none is. */
  const likeliestOther = (i: number, allowed: (c: number) => boolean) => {
    let best = -1;
    for (let c = 0; c < C; c++) {
      if (c !== y[i] && allowed(c) && (best < 0 || pAll[i * C + c] > pAll[i * C + best])) best = c;
    }
    return best;
  };
  const claimed = y.map((_, i) => likeliestOther(i, (c) => pAll[i * C + c] >= t[c]));
  let count = claimed.reduce((n, c) => n + (c >= 0 ? 1 : 0), 0);
  // the count-th highest suspicion (a typed sort, 0.3 s at 1M rows where a comparator sort of the
  // rows took 2.2 s); rows above it get a suggestion, and rows at it in row order while the count lasts
  const cut = count ? Float64Array.from(out, (r) => r.suspicion).sort()[y.length - count] : Infinity;
  for (let i = 0; i < y.length; i++) if (out[i].suspicion > cut) count--;
  for (let i = 0; i < y.length; i++) {
    const s = out[i].suspicion;
    if (s > cut || (s === cut && count-- > 0)) out[i].suggested = claimed[i] >= 0 ? claimed[i] : likeliestOther(i, () => true);
  }
  return out;
}

/** What scoreTriplets reads: the pair model's out-of-fold results, and which fold scored each triplet. */
export type TripletEvidence = Pick<TripletModelResult, 'pairP' | 'pairN' | 'swap' | 'unrelated' | 'odds' | 'simAP' | 'simAN' | 'simPN' | 'score' | 'detector'> & {
  fold: Int32Array;
  /** The encoder's cos(a,n) - cos(a,p), when the detector weighed it. */
  encoderMargin?: Float32Array;
};

export interface TripletScore {
  suspicion: number;
  fix?: 'swap-positive-negative' | 'replace-positive' | 'replace-negative';
  nearDuplicate: boolean;
  evidence: string[];
}

const NEAR_DUPLICATE_SIM = 0.9;
const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const f2 = (v: number) => v.toFixed(2);
/** Odds as "3.2 : 1", readable from 1e-4 to 1e4. */
const odds = (logOdds: number) => {
  const o = Math.exp(Math.max(-30, Math.min(30, logOdds)));
  return `${o >= 100 ? Math.round(o) : o >= 0.01 ? Number(o.toPrecision(2)) : '< 0.01'} : 1`;
};

/** (v - mean) / sd over the file. */
function standardise(v: Float32Array): Float32Array {
  const n = v.length || 1;
  let m = 0;
  for (const t of v) m += t / n;
  let q = 0;
  for (const t of v) q += (t - m) ** 2 / n;
  const sd = Math.sqrt(q) || 1;
  return v.map((t) => (t - m) / sd);
}

export function scoreTriplets(ev: TripletEvidence): TripletScore[] {
  const n = ev.score.length;
  const out: TripletScore[] = new Array(n);
  // the detector's log-odds rank the triplets; its scale is that of its synthetic corruptions, so
  // the suspicion puts 0.5 (the flag's threshold) two standard deviations above the file's average
  const z = standardise(ev.score);
  for (let i = 0; i < n; i++) {
    const suspicion = sigmoid(2 * (z[i] - 2));
    const nearDuplicate = ev.simPN[i] >= NEAR_DUPLICATE_SIM || ev.simAN[i] >= NEAR_DUPLICATE_SIM;
    const w = ev.detector[ev.fold[i]];
    const errorLogOdds = ev.odds[i];
    const margin = ev.simAN[i] - ev.simAP[i];
    const evidence = [
      `pair model (out-of-fold): P(positive | anchor, positive) = ${pct(ev.pairP[3 * i])}, P(positive | anchor, negative) = ${pct(ev.pairN[3 * i])}, ` +
        `P(unrelated | anchor, positive) = ${pct(ev.pairP[3 * i + 2])}`,
      `odds against the triplet as given: swapped ${odds(ev.swap[i])}, unrelated positive ${odds(ev.unrelated[i])}`,
      `lexical: sim(a,p) = ${f2(ev.simAP[i])}, sim(a,n) = ${f2(ev.simAN[i])}, sim(p,n) = ${f2(ev.simPN[i])}`,
      `detector: ${f2(w.odds)} x log-odds ${f2(errorLogOdds)} + ${f2(w.lexical)} x lexical margin ${f2(margin)}` +
        (w.encoder !== undefined && ev.encoderMargin ? ` + ${f2(w.encoder)} x encoder margin ${f2(ev.encoderMargin[i])}` : '') +
        ' (weights learned from this file\'s triplets against synthetic swaps and unrelated positives)',
    ].map(flat);
    let fix: TripletScore['fix'];
    if (nearDuplicate) { fix = 'replace-negative'; evidence.push(`the negative is a near-duplicate of the ${ev.simPN[i] >= NEAR_DUPLICATE_SIM ? 'positive' : 'anchor'}`); }
    // the likelier error reading, where it is likelier than the triplet as given: on the corrupted
    // NLI copies (seed 1) the right fix for 266/325 (SNLI) and 286/332 (MultiNLI) corrupted rows,
    // and a fix for every flagged row
    else if (Math.max(ev.swap[i], ev.unrelated[i]) > 0) fix = ev.swap[i] >= ev.unrelated[i] ? 'swap-positive-negative' : 'replace-positive';
    out[i] = { suspicion, fix, nearDuplicate, evidence };
  }
  return out;
}
