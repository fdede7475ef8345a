/**
 * One cross-fitting fold of labeled rows as a self-contained task: train on the other folds,
 * embed, and gather the held-out rows' evidence. Tasks carry only typed arrays, so a pool of
 * worker threads can run them side by side (src/core/node/foldPool.ts); `runFoldsInProcess` runs
 * them one by one. (Explicit triplets need no encoder: tripletModel.ts cross-fits them.)
 */
import { AbortError } from './engineApi';
import { Encoder, DEFAULT_ENCODER, type EncoderConfig, type EncoderWeights } from './encoder';
import { columnDf, DEFAULT_FEATURIZER, withMinDf, type Csr } from './featurize';
import { LinearModel, C_CANDIDATES, DEFAULT_LINEAR, type LinearConfig } from './linear';
import { approximateNeighbours, ivfParams, shouldUseIvf, type IvfParams } from './ivf';
import { emptyNeighbours, nearestNeighbours, type NeighbourResult } from './neighbours';
import { Rng } from './rng';
import { SAMPLED_TRIPLETS, sampleTriplets, unitDistance } from './sampledTriplets';
import type { Mining } from './types';

interface FoldCommon {
  f: number;
  /** Fold of every valid row. */
  fold: Int32Array;
  /** 1 where a valid row may train (multi-file audits keep test rows out); absent: every row may. */
  trainable?: Uint8Array;
  x: Csr;
  dim: number;
  mining: Mining;
  /** Epochs, or with `earlyStop` the most epochs. */
  epochs: number;
  earlyStop: boolean;
  seed: number;
  /** Return the embeddings of all rows, for the map. */
  wantEmbedding: boolean;
  /** Return the trained encoder's weights (--save-model). */
  exportWeights?: boolean;
  encoder?: Partial<EncoderConfig>;
  /** The linear model's settings where they differ from DEFAULT_LINEAR (numeric columns: NUMERIC_LINEAR). */
  linear?: Partial<LinearConfig>;
}

export interface LabeledFoldTask extends FoldCommon {
  kind: 'labeled';
  y: Int32Array;
  classes: number;
  k: number;
  /** Training rows visited per epoch (Infinity: all). */
  epochRows: number;
  /**
   * Which half of the fold to run: the encoder (training, embedding, neighbours) or the linear
   * model; absent: both. A pool runs the halves on different threads so that five folds
   * keep two threads busy to the end. The encoder half needs `teacher` from the linear half.
   */
  part?: 'encoder' | 'linear';
  /**
   * The encoder half's teacher: the fold's linear model's probabilities on its training rows
   * ([train x classes], in the order of splitFold's `train`), the head's soft targets.
   */
  teacher?: Float32Array;
  /** The encoder half's teacher's weights (the encoder's teacher columns, encoder.ts). */
  teacherWeights?: { W: Float32Array; b: Float32Array };
}

export type FoldTask = LabeledFoldTask;

export interface LabeledFoldResult {
  kind: 'labeled';
  f: number;
  /** Set when only this half of the fold ran (its other fields are empty): see mergeFoldParts. */
  part?: 'encoder' | 'linear';
  held: Int32Array;
  trainRows: number;
  epochsRun: number;
  /** [held x classes] out-of-fold class probabilities of the encoder's head. */
  probs: Float32Array;
  /** [held x classes] out-of-fold class probabilities of the linear model. */
  linear: Float32Array;
  /** A linear half's result: its probabilities on the fold's training rows (the encoder's teacher). */
  teacher?: Float32Array;
  /** A linear half's result: its weights (LinearModel.weights), the encoder's teacher columns. */
  teacherWeights?: { W: Float32Array; b: Float32Array };
  /**
   * [train] each training row's probability of its given label under this fold's models, which
   * trained on it (in splitFold's order of the training rows): the linear model's, and the
   * encoder's head's (absent from a linear half's result).
   */
  fitted?: { linear?: Float32Array; head?: Float32Array };
  nn: NeighbourResult;
  /** Set when the neighbours were searched approximately (an inverted file), with its parameters. */
  ivf?: IvfParams;
  z?: Float32Array;
  /** The fold's encoder, when the task asked for it. */
  weights?: EncoderWeights;
  /** Sampled training triplets anchored on the held-out rows, in this fold's space (sampledTriplets.ts). */
  sampled?: { dAP: Float32Array; dAN: Float32Array };
}

export type FoldResult = LabeledFoldResult;

/** Progress of one fold: the fraction of it done and its stage. */
export type FoldProgress = (f: number, fraction: number, stage: FoldStage) => void;

/** A fold's stages (`score`: the triplet encoder's, tripletFold.ts). */
export type FoldStage = 'train' | 'embed' | 'neighbours' | 'linear' | 'score';

export type FoldRunner = (tasks: FoldTask[], onProgress: FoldProgress, signal?: AbortSignal) => Promise<FoldResult[]>;

/** The fold's training rows (the other folds' rows that may train) and held-out rows. */
export function splitFold(fold: Int32Array, f: number, trainable?: Uint8Array): { train: Int32Array; held: Int32Array } {
  const idx = Int32Array.from(fold.keys());
  return { train: idx.filter((i) => fold[i] !== f && (!trainable || trainable[i] === 1)), held: idx.filter((i) => fold[i] === f) };
}

/**
 * Per row, the mean over the folds that trained on it of its given label's probability under
 * their models (FoldResult.fitted): the linear models' and the encoder heads'; NaN where no fold
 * trained on the row (rows that only get scored, in multi-file audits).
 */
export function meanFitted(results: readonly FoldResult[], fold: Int32Array, trainable?: Uint8Array): { linear: Float32Array; head: Float32Array } {
  const n = fold.length, sums = { linear: new Float64Array(n), head: new Float64Array(n) }, count = new Int32Array(n);
  for (const r of results) {
    const { train } = splitFold(fold, r.f, trainable);
    const { linear, head } = r.fitted ?? {};
    if (!linear || !head || linear.length !== train.length || head.length !== train.length) throw new Error(`internal: fold ${r.f} without its training rows' probabilities`);
    train.forEach((i, q) => { sums.linear[i] += linear[q]; sums.head[i] += head[q]; count[i]++; });
  }
  const mean = (s: Float64Array) => Float32Array.from(s, (v, i) => (count[i] ? v / count[i] : NaN));
  return { linear: mean(sums.linear), head: mean(sums.head) };
}

export async function runFold(task: FoldTask, onProgress: FoldProgress, signal?: AbortSignal): Promise<FoldResult> {
  const { f, x } = task;
  const { train, held } = splitFold(task.fold, f, task.trainable);
  if (task.part === 'linear') {
    const { linear, teacher, teacherWeights, fitted } = fitLinear(task, train, held, signal);
    onProgress(f, 1, 'linear');
    return {
      kind: 'labeled', f, part: 'linear', held, trainRows: train.length, epochsRun: 0, probs: new Float32Array(0), linear, teacher, teacherWeights,
      fitted: { linear: fitted }, nn: emptyNeighbours(0, 0),
    };
  }
  if (task.part === 'encoder' && (!task.teacher || !task.teacherWeights)) throw new Error('internal: an encoder half without its teacher');
  const cfg: EncoderConfig = {
    ...DEFAULT_ENCODER, ...task.encoder, dim: task.dim, mining: task.mining,
    classes: task.classes,
  };
  const { linear, teacher, teacherWeights, fitted } = task.part === 'encoder'
    ? { linear: new Float32Array(0), teacher: task.teacher, teacherWeights: task.teacherWeights!, fitted: undefined } : fitLinear(task, train, held, signal);
  const enc = new Encoder(cfg, Rng.derive(task.seed, `fold${f}`), x, { ...teacherWeights, rows: train });
  const order = Rng.derive(task.seed, `order${f}`);
  const hooks = { signal, onEpoch: (t: number) => onProgress(f, 0.75 * t, 'train') };
  try {
    const C = task.classes;
    const epochsRun = await enc.trainLabeled(x, train, task.y, task.epochs, order, hooks, task.earlyStop, task.epochRows, teacher);
    onProgress(f, 0.75, 'embed');
    const { z, head } = await enc.embed(x, Int32Array.from(task.fold.keys()), signal);
    const probs = new Float32Array(held.length * C);
    held.forEach((i, q) => probs.set(head.subarray(i * C, i * C + C), q * C));
    const fittedHead = givenProbability(head, train, task.y, C, (r) => r);
    onProgress(f, 0.85, 'neighbours');
    const k = Math.max(1, Math.min(task.k, train.length));
    const search = { z, dim: task.dim, queries: held, refs: train, labels: task.y, k, signal };
    // past IVF_MIN_PAIRS query x reference pairs (~158,000 rows) the exact search would take minutes a fold
    const ivf = shouldUseIvf(held.length, train.length) ? ivfParams(train.length) : undefined;
    const nn = ivf ? await approximateNeighbours({ ...search, ...ivf, seed: Rng.derive(task.seed, `ivf${f}`).int(2 ** 31) }) : await nearestNeighbours(search);
    onProgress(f, 1, 'neighbours');
    const sampled = sampleTriplets(held, train, task.y, unitDistance(z, task.dim), Math.ceil(SAMPLED_TRIPLETS * held.length / task.fold.length), Rng.derive(task.seed, `sample${f}`));
    return {
      kind: 'labeled', f, part: task.part, held, trainRows: train.length, epochsRun, probs, linear, fitted: { linear: fitted, head: fittedHead },
      nn, ivf, sampled, z: task.wantEmbedding ? z : undefined,
      ...(task.exportWeights ? { weights: enc.exportWeights() } : {}),
    };
  } finally {
    enc.dispose();
  }
}

/**
 * The fold's logistic regression at the file's C (`task.linear.C`, chooseLinearInputs): [held x
 * classes] out-of-fold probabilities, its probabilities on the training rows (the encoder's
 * teacher) and, of those, each training row's given label's.
 */
function fitLinear(task: LabeledFoldTask, train: Int32Array, held: Int32Array, signal?: AbortSignal): {
  linear: Float32Array; teacher: Float32Array; teacherWeights: { W: Float32Array; b: Float32Array }; fitted: Float32Array;
} {
  const lin = new LinearModel(task.x, task.classes);
  lin.fit(train, task.y, Rng.derive(task.seed, `linear${task.f}`), { ...DEFAULT_LINEAR, ...task.linear }, signal);
  if (signal?.aborted) throw new AbortError();
  const teacher = lin.predict(train);
  return { linear: lin.predict(held), teacher, teacherWeights: lin.weights(), fitted: givenProbability(teacher, train, task.y, task.classes, (_, q) => q) };
}

/** [rows.length] p[at(row, q) * C + y[row]] for each rows[q]: the probability of each row's given label. */
function givenProbability(p: Float32Array, rows: Int32Array, y: Int32Array, C: number, at: (row: number, q: number) => number): Float32Array {
  return Float32Array.from(rows, (r, q) => p[at(r, q) * C + y[r]]);
}

/** Rows below which nothing is chosen (a tenth of them would be too few to tell). */
const CHOOSE_MIN_ROWS = 100;
/**
 * The most rows the choice is made on, and the row visits each candidate's fit may take. Six
 * candidates (two feature sets, three Cs) at 50,000 visits each, once per file, replace the
 * choice of C in every fold (three fits per fold, on the fold's training rows), which took a
 * third of an audit's CPU (ChnSentiCorp: 7.4 of 22.5 CPU seconds).
 */
const CHOOSE_ROWS = 20_000, CHOOSE_VISITS = 50_000;

/**
 * The featurizer's minDf candidates for labeled texts, the first kept on a tie; files too small to
 * choose keep DEFAULT_FEATURIZER's 2. Features of one row (df 1) let the model fit that row's
 * label alone: on texts cut to 9 characters they carry the signal (AG News, 10% noise, seed 1: AP
 * 0.326 at minDf 2, 0.368 at 1), on TREC's questions they cost AP (0.890 -> 0.879), where dropping
 * the features of two rows too gains (0.895 at 3; at 5: 0.887).
 */
export const MIN_DF_CANDIDATES: readonly number[] = [3, 1];

/** What chooseLinearInputs chose, and each candidate's held-back log-loss ([minDf][C]). */
export interface LinearChoice {
  /** Text input: the features kept are those in at least minDf rows. */
  minDf?: number;
  C: number;
  /** [feature set][C candidate] mean log-loss of the held-back rows; empty when too few rows to choose. */
  losses: number[][];
}

/**
 * The file's features and its logistic regressions' C, chosen together from its own held-back
 * rows: a seeded draw of at most CHOOSE_ROWS rows that may train, nine tenths to fit and a tenth
 * to judge, for every feature set (texts: each of `minDfs`, from the features at minDf 1,
 * `withMinDf`; other input: the features as they are) and every C of C_CANDIDATES; the pair whose
 * fit gives the held-back tenth, its labels as noisy as the rest, the highest likelihood, then in
 * its features the smallest C within one standard error of it (the one-standard-error rule: the
 * more regularised model where the data cannot tell them apart; SMS spam as 12 numeric columns,
 * losses 0.3338 / 0.3334 / 0.3333 at C = 1 / 2 / 5, AP 0.938 at C = 1 and 0.930 at 5). The best
 * C falls as labels get noisier, and how noisy they are is what an audit cannot know beforehand.
 * One choice for the file, before the folds (its candidates keep different columns, which the
 * folds share); the rows judged are later scored by folds, but two feature sets and three Cs are
 * too few choices to fit their noise.
 */
export async function chooseLinearInputs(f: ChoiceFeatures, y: Int32Array, classes: number, seed: number, opts: ChoiceOptions = {}): Promise<LinearChoice> {
  const plan = planLinearChoice(f, y, classes, seed, opts);
  return plan.decide(await (opts.run ?? runChoiceJobsInProcess)(plan.jobs, opts.signal));
}

/** The features chooseLinearInputs chooses from: texts' at minDf 1 with their blocks (and df, if known), or any other. */
export interface ChoiceFeatures {
  x: Csr;
  isWord?: Uint8Array;
  /** columnDf(x), when the caller has it. */
  df?: Int32Array;
}

export interface ChoiceOptions {
  /** Texts: the minDf candidates (MIN_DF_CANDIDATES); none: the features are used as they are. */
  minDfs?: readonly number[];
  wordShare?: number;
  /** The linear model's settings but C (numeric columns: NUMERIC_LINEAR). */
  linear?: Partial<LinearConfig>;
  trainable?: Uint8Array;
  /** Where the fits run (a pool's threads: node/foldPool.ts); this thread when absent. */
  run?: ChoiceRunner;
  signal?: AbortSignal;
}

/**
 * One feature set's fits for chooseLinearInputs, self-contained (typed arrays) so that a pool's
 * thread can run it: a logistic regression per C of C_CANDIDATES on rows `fit` of x.
 */
export interface ChoiceJob {
  x: Csr;
  fit: Int32Array;
  val: Int32Array;
  y: Int32Array;
  classes: number;
  /** The fit's settings but C. */
  cfg: LinearConfig;
  seed: number;
}

/** Per C of C_CANDIDATES, each held-back row's log-loss. */
export function runChoiceJob(job: ChoiceJob, signal?: AbortSignal): Float64Array[] {
  const { x, fit, val, y, classes } = job;
  const lin = new LinearModel(x, classes);
  return C_CANDIDATES.map((C) => {
    lin.reset();
    lin.fit(fit, y, Rng.derive(job.seed, 'linearChoiceFit'), { ...job.cfg, C }, signal);
    if (signal?.aborted) throw new AbortError();
    const p = lin.predict(val);
    return Float64Array.from(val, (r, q) => -Math.log(Math.max(p[q * classes + y[r]], 1e-7)));
  });
}

/** Runs choice jobs (in this thread, or on a pool's threads: node/foldPool.ts), results in order. */
export type ChoiceRunner = (jobs: ChoiceJob[], signal?: AbortSignal) => Promise<Float64Array[][]>;

export const runChoiceJobsInProcess: ChoiceRunner = async (jobs, signal) => jobs.map((j) => runChoiceJob(j, signal));

/** chooseLinearInputs in two steps: the jobs (one per feature set), and the choice from their results. */
function planLinearChoice(f: ChoiceFeatures, y: Int32Array, classes: number, seed: number, opts: ChoiceOptions):
  { jobs: ChoiceJob[]; decide(perRow: Float64Array[][]): LinearChoice } {
  const { minDfs = [], wordShare = 0, linear = {}, trainable } = opts;
  const text = minDfs.length > 0;
  const rows = trainable ? Int32Array.from(trainable.keys()).filter((r) => trainable[r] === 1) : Int32Array.from(y.keys());
  if (rows.length < CHOOSE_MIN_ROWS) {
    return { jobs: [], decide: () => ({ ...(text ? { minDf: DEFAULT_FEATURIZER.minDf } : {}), C: linear.C ?? DEFAULT_LINEAR.C, losses: [] }) };
  }
  Rng.derive(seed, 'linearChoice').shuffle(rows);
  const drawn = rows.subarray(0, Math.min(rows.length, CHOOSE_ROWS));
  const nVal = Math.round(drawn.length / 10);
  const df = text ? f.df ?? columnDf(f.x) : undefined;
  const base = { ...DEFAULT_LINEAR, ...linear };
  const cfg = { ...base, rowBudget: Math.min(base.rowBudget, CHOOSE_VISITS * (base.rowBudget / DEFAULT_LINEAR.rowBudget)) };
  // texts: each feature set is the drawn rows' own matrix (rows 0..n-1); else the drawn rows of x as they are
  const local = text ? Int32Array.from(drawn.keys()) : drawn;
  const split = { val: local.slice(0, nVal), fit: local.slice(nVal), y: text ? Int32Array.from(drawn, (r) => y[r]) : y, classes, cfg, seed };
  const jobs = text
    ? minDfs.map((minDf): ChoiceJob => ({ x: withMinDf(f.x, f.isWord!, df!, minDf, wordShare, drawn), ...split }))
    : [{ x: f.x, ...split }];
  const decide = (perRow: Float64Array[][]): LinearChoice => {
    const losses = perRow.map((set) => set.map((l) => l.reduce((t, v) => t + v, 0) / nVal));
    let best = { i: 0, j: 0, loss: Infinity };
    losses.forEach((set, i) => set.forEach((loss, j) => { if (loss < best.loss) best = { i, j, loss }; }));
    // the one-standard-error rule for C, in the chosen features: the most regularised C whose loss
    // is within one standard error (of its paired per-row difference) of the best
    for (let j = 0; j < best.j; j++) {
      const a = perRow[best.i][j], b = perRow[best.i][best.j];
      let m = 0, m2 = 0;
      for (let q = 0; q < nVal; q++) { const d = a[q] - b[q]; m += d; m2 += d * d; }
      m /= nVal;
      const se = Math.sqrt(Math.max(0, m2 / nVal - m * m) / Math.max(1, nVal - 1));
      if (m <= se) { best = { i: best.i, j, loss: losses[best.i][j] }; break; }
    }
    return { ...(text ? { minDf: minDfs[best.i] } : {}), C: C_CANDIDATES[best.j], losses };
  };
  return { jobs, decide };
}

/**
 * The jobs a pool runs for one fold: its linear half, then its encoder half, which learns from the
 * linear half's teacher (so that five folds spread over two threads without one thread running the
 * fifth alone), or the task as it is when it is a half already. Share of the fold's work in each
 * (for progress): measured on a 100,000-row fold, the linear model took ~6 s of ~35.
 */
export function foldJobs(task: FoldTask): { task: FoldTask; share: number }[] {
  if (task.part) return [{ task, share: 1 }];
  return [{ task: { ...task, part: 'linear', wantEmbedding: false, exportWeights: false }, share: 0.2 }, { task: { ...task, part: 'encoder' }, share: 0.8 }];
}

/** The encoder half's task, with the teacher its linear half made. */
export function withTeacher(encoderHalf: FoldTask, linearHalf: FoldResult): FoldTask {
  return { ...encoderHalf, teacher: linearHalf.teacher, teacherWeights: linearHalf.teacherWeights };
}

/** One fold's result from the results of its jobs (in foldJobs's order). */
export function mergeFoldParts(parts: FoldResult[]): FoldResult {
  if (parts.length === 1) return parts[0];
  const [lin, enc] = parts;
  return { ...enc, part: undefined, linear: lin.linear, fitted: { ...enc.fitted, linear: lin.fitted?.linear } };
}

export const runFoldsInProcess: FoldRunner = async (tasks, onProgress, signal) => {
  const out: FoldResult[] = [];
  for (const t of tasks) {
    if (signal?.aborted) throw new AbortError();
    out.push(await runFold(t, onProgress, signal));
  }
  return out;
};
