/**
 * The three detectors of explicit triplets, each a small logistic regression (fitLogistic) fitted
 * per fold on the other folds' triplets as given against their synthetic corruptions, so that
 * every file decides what each signal is worth for it; every input is out of fold (the pair model
 * of tripletModel.ts, the encoder folds of tripletFold.ts, TF-IDF cosines).
 *
 * 1. Errors (the suspicion): as given against swapped and against a foreign positive (the
 *    partner's). Signals: the pair model's error log-odds, the lexical margin sim(a,n) - sim(a,p)
 *    and the encoder's margin cos(a,n) - cos(a,p).
 * 2. Trivially easy (a random negative): as given against the partner's positive as negative.
 *    Signals: the negative's cosine to the anchor, raw and against the positive's; the share of
 *    the file's texts (for other anchors) at least as close; the lexical cosine; the pair model's
 *    odds that it is unrelated rather than a negative; and, where the text also appears in another
 *    anchor's triplet, how much better it fits that anchor (random negatives are other anchors'
 *    texts: DSSM's, in-batch ones).
 * 3. False negatives: as given against another positive of the same anchor as negative (files
 *    where some anchors have several positives). Signals: the pair model's odds that the text is a
 *    positive rather than a negative (and the positive's), the encoder's and the lexical margins,
 *    the text's cosines to the positive, and how close it is to the anchor against the file's texts.
 *    Where no anchor has a second positive, the pair model's odds alone. A negative that the file
 *    also lists as a positive of the same anchor (or that is the positive) is a false negative
 *    whatever the model says: the data contradicts itself.
 *
 * The detectors of 2 and 3 give log density ratios (corrupted : as given, their training classes'
 * sizes divided out). The trivially-easy score puts its threshold (0.5) where the file's own
 * synthetic random negatives are (TRIVIAL_SYNTHETIC_QUANTILE); the false-negative score is a
 * posterior probability, the share of false negatives being estimated by EM (Saerens, Latinne &
 * Decaestecker 2002, "adjusting to new a priori probabilities"). Neither threshold is tuned to a
 * dataset: each file sets its own from its own triplets. A flag is a score of at least 0.5.
 */
import { flat } from './flat';
import { fitLogistic, type DetectorWeights, type TripletModelResult } from './tripletModel';

/** What the encoder folds measured, per triplet (tripletFold.ts's held arrays, merged). */
export interface EncoderSignals {
  cosAP: Float32Array; cosAN: Float32Array; cosPN: Float32Array;
  closerN: Float32Array; fitN: Float32Array; fitNRow: Int32Array; fitP: Float32Array; fitPRow: Int32Array; fitLexN: Float32Array; fitLexR: Float32Array;
  cosAR: Float32Array; closerR: Float32Array; fitR: Float32Array;
  cosAS: Float32Array; cosPS: Float32Array; closerS: Float32Array;
}

export interface TripletScoringInput {
  m: TripletModelResult;
  enc: EncoderSignals;
  fold: Int32Array;
  folds: number;
  /** Per triplet: a triplet of the same anchor with another positive (-1: none), and the lexical cosines of that positive with a and p. */
  sibling: Int32Array;
  simAS: Float32Array;
  simPS: Float32Array;
  /** Per triplet: the triplet whose positive its negative is, for the same anchor (itself: its own positive), or -1. */
  negativeIsPositiveOf: Int32Array;
  /** 1 where a triplet may train the detectors (multi-file audits keep test files' out); absent: all may. */
  trainable?: Uint8Array;
}

export interface Detector {
  /** Per fold: the weights of the named features, and the bias. */
  weights: { w: number[]; b: number }[];
  features: readonly string[];
  /**
   * Synthetic corruptions it learned from (all folds' triplets); the share of triplets it finds
   * corrupted; the log-odds at which a score is 0.5 (the trivially-easy detector's).
   */
  synthetic: number;
  prior: number;
  threshold?: number;
}

export interface TripletScoring {
  /** The error detector's out-of-fold log-odds (rank only) and its weights. */
  errorScore: Float32Array;
  errorWeights: DetectorWeights[];
  /** Posterior probabilities: the negative is random-like (trivially easy), the negative is a positive. */
  trivial: Float32Array;
  falseNegative: Float32Array;
  /** Their log density ratios (corrupted : as given), and those of the synthetic corruptions (out of fold). */
  trivialLlr: Float32Array;
  falseNegativeLlr: Float32Array;
  trivialSynth: Float32Array;
  falseNegativeSynth: Float32Array;
  trivialDetector: Detector;
  falseNegativeDetector: Detector;
}

const lg = (p: number) => Math.log(Math.max(p, 1e-6));
const nan0 = (v: number) => (Number.isFinite(v) ? v : 0);

/** Rows of features of the triplets as given and of their corruptions, per triplet (NaN: no corruption). */
interface Design {
  names: readonly string[];
  given: (i: number) => number[];
  /** The corrupted versions of triplet i (none: []). */
  corrupted: (i: number) => number[][];
}

/**
 * Per fold f, a logistic regression on the other folds' triplets as given (0) against their
 * synthetic corruptions (1). Returns each triplet's log-odds under its fold's model, minus the log
 * of the training classes' sizes' ratio: log r, with r = f_corrupted / f_given the ratio of the
 * two densities; and the same for each synthetic corruption of the fold's own triplets (`synth`).
 */
function crossFit(d: Design, fold: Int32Array, K: number, trainable?: Uint8Array): { llr: Float32Array; synth: Float32Array; weights: { w: number[]; b: number }[]; synthetic: number } {
  const n = fold.length, F = d.names.length;
  const given = Array.from({ length: n }, (_, i) => d.given(i));
  const bad = Array.from({ length: n }, (_, i) => d.corrupted(i));
  const llr = new Float32Array(n), synth: number[] = [], weights: { w: number[]; b: number }[] = [];
  let synthetic = 0;
  for (const b of bad) synthetic += b.length;
  for (let f = 0; f < K; f++) {
    const X: number[] = [], y: number[] = [];
    let n0 = 0, n1 = 0;
    for (let i = 0; i < n; i++) {
      if (fold[i] === f || (trainable && trainable[i] === 0)) continue;
      X.push(...given[i]); y.push(0); n0++;
      for (const c of bad[i]) { X.push(...c); y.push(1); n1++; }
    }
    if (n0 === 0 || n1 === 0) { weights[f] = { w: new Array(F).fill(0), b: 0 }; continue; }
    const { w, b } = fitLogistic(Float64Array.from(X), F, Uint8Array.from(y));
    const bias = b - Math.log(n1 / n0);
    weights[f] = { w: Array.from(w), b: bias };
    const score = (v: number[]) => { let s = bias; for (let j = 0; j < F; j++) s += w[j] * v[j]; return s; };
    for (let i = 0; i < n; i++) {
      if (fold[i] !== f) continue;
      llr[i] = score(given[i]);
      for (const c of bad[i]) synth.push(score(c));
    }
  }
  return { llr, synth: Float32Array.from(synth), weights, synthetic };
}

/** The q-quantile of values (the lower one of two neighbours); NaN when there are none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!values.length) return NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * s.length)))];
}

/**
 * The trivially-easy score is 0.5 (the flag's threshold) where the detector's log-odds equal this
 * quantile of the file's own synthetic random negatives' (out of fold), and sigmoid(log-odds - that)
 * elsewhere: a negative is flagged when it looks at least as random as 98% of the random negatives
 * made from the file. A posterior probability was tried first (EM on the share of random negatives,
 * and the positive-unlabeled "max ratio" bound): the contaminated classifier's ratios are not
 * calibrated where they matter, and the estimated share came out 2-8% on copies with 10%, with
 * recall 0.18-0.61. The synthetic quantile (NLI copies, seed 1): SNLI precision 0.86 at recall
 * 0.80, MultiNLI 0.94 at 0.83; on copies without random negatives it flags 0-1% of the rows.
 */
export const TRIVIAL_SYNTHETIC_QUANTILE = 0.02;

/**
 * The share of corrupted triplets and each one's posterior, from likelihood ratios exp(llr), by
 * EM on the prior (Saerens et al. 2002). The prior stays within [1e-4, 0.5]: more than half of a
 * file corrupted would make "as given" the error.
 */
export function posteriors(llr: ArrayLike<number>, iterations = 100): { posterior: Float32Array; prior: number } {
  const n = llr.length, post = new Float32Array(n);
  if (n === 0) return { posterior: post, prior: 0 };
  let prior = 0.1;
  for (let it = 0; it < iterations; it++) {
    const o = Math.log(prior / (1 - prior));
    let sum = 0;
    for (let i = 0; i < n; i++) { post[i] = 1 / (1 + Math.exp(-(llr[i] + o))); sum += post[i]; }
    const next = Math.min(0.5, Math.max(1e-4, sum / n));
    if (Math.abs(next - prior) < 1e-6) { prior = next; break; }
    prior = next;
  }
  const o = Math.log(prior / (1 - prior));
  for (let i = 0; i < n; i++) post[i] = 1 / (1 + Math.exp(-(llr[i] + o)));
  return { posterior: post, prior };
}

export const ERROR_FEATURES = ['pair model error log-odds', 'lexical margin', 'encoder margin'] as const;
export const TRIVIAL_FEATURES = ['cos(a,n)', 'cos(a,n) - cos(a,p)', 'share of texts as close', 'lexical sim(a,n)', 'pair model unrelated odds', 'fits another anchor by', 'fits another anchor by (lexical)', 'text in another anchor\'s triplet'] as const;
export const FALSE_NEGATIVE_FEATURES = ['pair model positive odds of n', 'encoder margin', 'lexical margin', 'cos(p,n)', 'lexical sim(p,n)', 'share of texts as close', 'pair model positive odds of p'] as const;

/** The false-negative probability of a negative that the file also lists as a positive of the same anchor. */
export const CONTRADICTION_P = 0.999;

/**
 * The prior of a false negative when the file has too few anchors with a second positive to learn
 * from: EM on the pair model's odds alone flagged 8 of 60 clean SNLI triplets.
 */
export const FALLBACK_PRIOR = 0.01;

/** Fewest synthetic false negatives (all folds) for their detector; fewer: the pair model's odds alone. */
export const MIN_SYNTHETIC_FALSE_NEGATIVES = 30;

export function scoreTripletSignals(inp: TripletScoringInput): TripletScoring {
  const { m, enc, fold, folds: K, sibling } = inp;
  const n = fold.length;
  const pos = (p: Float32Array, i: number) => lg(p[3 * i]) - lg(p[3 * i + 1]);
  const unrel = (p: Float32Array, i: number) => lg(p[3 * i + 2]) - lg(p[3 * i + 1]);

  // 1. errors
  const err = crossFit({
    names: ERROR_FEATURES,
    given: (i) => [m.odds[i], m.simAN[i] - m.simAP[i], enc.cosAN[i] - enc.cosAP[i]],
    corrupted: (i) => {
      const out = [[m.oddsSwapped[i], m.simAP[i] - m.simAN[i], enc.cosAP[i] - enc.cosAN[i]]];
      if (m.partner[i] >= 0) out.push([m.oddsForeign[i], m.simAN[i] - m.simAR[i], enc.cosAN[i] - enc.cosAR[i]]);
      return out;
    },
  }, fold, K, inp.trainable);
  const errorWeights: DetectorWeights[] = err.weights.map(({ w, b }) => ({ odds: w[0], lexical: w[1], encoder: w[2], bias: b }));

  // 2. trivially easy
  const trivialRow = (cos: number, cosP: number, closer: number, sim: number, unrelOdds: number, fit: number, fitLex: number) =>
    [cos, cos - cosP, nan0(closer), sim, unrelOdds, nan0(fit), nan0(fitLex), Number.isFinite(fit) ? 1 : 0];
  const triv = crossFit({
    names: TRIVIAL_FEATURES,
    given: (i) => trivialRow(enc.cosAN[i], enc.cosAP[i], enc.closerN[i], m.simAN[i], unrel(m.pairN, i), enc.fitN[i], enc.fitLexN[i]),
    corrupted: (i) => (m.partner[i] >= 0 && Number.isFinite(enc.cosAR[i])
      ? [trivialRow(enc.cosAR[i], enc.cosAP[i], enc.closerR[i], m.simAR[i], unrel(m.pairR, i), enc.fitR[i], enc.fitLexR[i])] : []),
  }, fold, K, inp.trainable);

  // 3. false negatives
  let synthetic = 0;
  for (let i = 0; i < n; i++) if (sibling[i] >= 0 && (!inp.trainable || inp.trainable[i] !== 0)) synthetic++;
  let fnLlr: Float32Array, fnWeights: { w: number[]; b: number }[], fnFeatures: readonly string[], fnSynth: Float32Array | undefined;
  if (synthetic >= MIN_SYNTHETIC_FALSE_NEGATIVES) {
    const fnRow = (posOdds: number, cos: number, sim: number, cosP: number, simP: number, closer: number, i: number) =>
      [posOdds, cos - enc.cosAP[i], sim - m.simAP[i], cosP, simP, nan0(closer), pos(m.pairP, i)];
    const pairS = (i: number) => lg(m.pairP[3 * sibling[i]]) - lg(m.pairP[3 * sibling[i] + 1]);
    const fn = crossFit({
      names: FALSE_NEGATIVE_FEATURES,
      given: (i) => fnRow(pos(m.pairN, i), enc.cosAN[i], m.simAN[i], enc.cosPN[i], m.simPN[i], enc.closerN[i], i),
      corrupted: (i) => (sibling[i] >= 0
        ? [fnRow(pairS(i), enc.cosAS[i], inp.simAS[i], enc.cosPS[i], inp.simPS[i], enc.closerS[i], i)] : []),
    }, fold, K, inp.trainable);
    fnLlr = fn.llr; fnWeights = fn.weights; fnFeatures = FALSE_NEGATIVE_FEATURES; fnSynth = fn.synth;
  } else {
    // the pair model's classes are balanced in training: its odds are a likelihood ratio already
    fnLlr = Float32Array.from({ length: n }, (_, i) => pos(m.pairN, i));
    fnWeights = Array.from({ length: K }, () => ({ w: [1], b: 0 }));
    fnFeatures = [FALSE_NEGATIVE_FEATURES[0]];
  }
  const tAt = quantile(triv.synth, TRIVIAL_SYNTHETIC_QUANTILE);
  const trivial = triv.llr.map((v) => 1 / (1 + Math.exp(-(v - tAt))));
  let flaggedShare = 0;
  for (const v of trivial) flaggedShare += +(v >= 0.5) / n;
  // without synthetic false negatives the pair model's odds alone, at a prior of FALLBACK_PRIOR: a
  // negative is flagged only when the pair model reads it as a positive with odds of about 99 : 1
  const f = fnSynth ? posteriors(fnLlr) : { posterior: fnLlr.map((v) => 1 / (1 + Math.exp(-(v + Math.log(FALLBACK_PRIOR / (1 - FALLBACK_PRIOR)))))), prior: FALLBACK_PRIOR };
  // the file contradicting itself outweighs any model (and stays out of the model's estimated share)
  for (let i = 0; i < n; i++) if (inp.negativeIsPositiveOf[i] >= 0) { fnLlr[i] = Math.max(fnLlr[i], 20); f.posterior[i] = Math.max(f.posterior[i], CONTRADICTION_P); }
  return {
    errorScore: err.llr, errorWeights,
    trivial, falseNegative: f.posterior, trivialLlr: triv.llr, falseNegativeLlr: fnLlr,
    trivialSynth: triv.synth, falseNegativeSynth: fnSynth ?? new Float32Array(0),
    trivialDetector: { weights: triv.weights, features: TRIVIAL_FEATURES, synthetic: triv.synthetic, prior: flaggedShare, threshold: tAt },
    falseNegativeDetector: { weights: fnWeights, features: fnFeatures, synthetic, prior: f.prior },
  };
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const f2 = (v: number) => v.toFixed(2);

/** The evidence lines of the trivially-easy and false-negative readings of triplet i (`rowOf`: a triplet's data row). */
export function tripletErrorEvidence(inp: TripletScoringInput, s: TripletScoring, i: number, rowOf: (t: number) => number,
  gapShare: number, gapMedian: number): { trivial: string[]; falseNegative: string[] } {
  const { m, enc } = inp;
  const dist = (c: number) => Math.sqrt(Math.max(0, 2 - 2 * c));
  const trivial = [
    `trivially easy: P = ${pct(s.trivial[i])}; the negative is farther from the anchor than the positive by ${f2(dist(enc.cosAN[i]) - dist(enc.cosAP[i]))} ` +
      `(encoder, out-of-fold), more than ${pct(gapShare)} of the file's triplets (median ${f2(gapMedian)}); ` +
      `${pct(enc.closerN[i])} of the file's texts for other anchors are at least as close to the anchor (a random text: about 50%); ` +
      `pair model P(unrelated | a, n) = ${pct(m.pairN[3 * i + 2])}, lexical sim(a,n) = ${f2(m.simAN[i])}`,
  ];
  if (Number.isFinite(enc.fitN[i]) && enc.fitNRow[i] >= 0) {
    trivial.push(`the negative is also a text of row ${rowOf(enc.fitNRow[i])}, for another anchor, which it fits ${enc.fitN[i] >= 0 ? 'better' : 'worse'}: cosine ${f2(enc.cosAN[i] + enc.fitN[i])} against ${f2(enc.cosAN[i])} here`);
  }
  const j = inp.negativeIsPositiveOf[i];
  const falseNegative = [
    `false negative: P = ${pct(s.falseNegative[i])}; pair model P(positive | a, n) = ${pct(m.pairN[3 * i])} (P(positive | a, p) = ${pct(m.pairP[3 * i])}); ` +
      `d(a,n) - d(a,p) = ${f2(dist(enc.cosAN[i]) - dist(enc.cosAP[i]))} (encoder), sim(a,n) - sim(a,p) = ${f2(m.simAN[i] - m.simAP[i])} (lexical)`,
  ];
  if (j >= 0) falseNegative.push(j === i ? 'the negative is the positive (the same text)' : `the negative is the positive of row ${rowOf(j)}, for the same anchor`);
  return { trivial: trivial.map(flat), falseNegative: falseNegative.map(flat) };
}
