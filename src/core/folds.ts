/**
 * One cross-fitting fold of labeled rows as a self-contained task: train on the other folds,
 * embed, and gather the held-out rows' evidence. Tasks carry only typed arrays, so a pool of
 * worker threads can run them side by side (src/core/node/foldPool.ts); `runFoldsInProcess` runs
 * them one by one. (Explicit triplets need no encoder: tripletModel.ts cross-fits them.)
 */
import { AbortError } from './engineApi';
import { Encoder, DEFAULT_ENCODER, type EncoderConfig, type EncoderWeights } from './encoder';
import type { Csr } from './featurize';
import { LinearModel, C_CANDIDATES, DEFAULT_LINEAR } from './linear';
import { approximateNeighbours, ivfParams, shouldUseIvf, type IvfParams } from './ivf';
import { emptyNeighbours, nearestNeighbours, type NeighbourResult } from './neighbours';
import { Rng } from './rng';
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
   * keep two threads busy to the end.
   */
  part?: 'encoder' | 'linear';
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
  /** The C the linear model chose (0 in an encoder half's result). */
  linearC: number;
  nn: NeighbourResult;
  /** Set when the neighbours were searched approximately (an inverted file), with its parameters. */
  ivf?: IvfParams;
  z?: Float32Array;
  /** The fold's encoder, when the task asked for it. */
  weights?: EncoderWeights;
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

export async function runFold(task: FoldTask, onProgress: FoldProgress, signal?: AbortSignal): Promise<FoldResult> {
  const { f, x } = task;
  const { train, held } = splitFold(task.fold, f, task.trainable);
  if (task.part === 'linear') {
    const { linear, C: linearC } = fitLinear(task, train, held, signal);
    onProgress(f, 1, 'linear');
    return { kind: 'labeled', f, part: 'linear', held, trainRows: train.length, epochsRun: 0, probs: new Float32Array(0), linear, linearC, nn: emptyNeighbours(0, 0) };
  }
  const cfg: EncoderConfig = {
    ...DEFAULT_ENCODER, ...task.encoder, dim: task.dim, mining: task.mining,
    classes: task.classes,
  };
  const enc = new Encoder(cfg, Rng.derive(task.seed, `fold${f}`));
  const order = Rng.derive(task.seed, `order${f}`);
  const hooks = { signal, onEpoch: (t: number) => onProgress(f, 0.75 * t, 'train') };
  try {
    const C = task.classes;
    const { linear, C: linearC } = task.part === 'encoder' ? { linear: new Float32Array(0), C: 0 } : fitLinear(task, train, held, signal);
    const epochsRun = await enc.trainLabeled(x, train, task.y, task.epochs, order, hooks, task.earlyStop, task.epochRows);
    onProgress(f, 0.75, 'embed');
    const { z, head } = await enc.embed(x, Int32Array.from(task.fold.keys()), signal);
    const probs = new Float32Array(held.length * C);
    held.forEach((i, q) => probs.set(head.subarray(i * C, i * C + C), q * C));
    onProgress(f, 0.85, 'neighbours');
    const k = Math.max(1, Math.min(task.k, train.length));
    const search = { z, dim: task.dim, queries: held, refs: train, labels: task.y, k, signal };
    // past IVF_MIN_PAIRS query x reference pairs (~158,000 rows) the exact search would take minutes a fold
    const ivf = shouldUseIvf(held.length, train.length) ? ivfParams(train.length) : undefined;
    const nn = ivf ? await approximateNeighbours({ ...search, ...ivf, seed: Rng.derive(task.seed, `ivf${f}`).int(2 ** 31) }) : await nearestNeighbours(search);
    onProgress(f, 1, 'neighbours');
    return {
      kind: 'labeled', f, part: task.part, held, trainRows: train.length, epochsRun, probs, linear, linearC, nn, ivf, z: task.wantEmbedding ? z : undefined,
      ...(task.exportWeights ? { weights: enc.exportWeights() } : {}),
    };
  } finally {
    enc.dispose();
  }
}

/**
 * The fold's logistic regression, its C chosen from C_CANDIDATES (linear.ts): [held x classes]
 * out-of-fold probabilities, and the C.
 */
function fitLinear(task: LabeledFoldTask, train: Int32Array, held: Int32Array, signal?: AbortSignal): { linear: Float32Array; C: number } {
  const lin = new LinearModel(task.x, task.classes);
  const C = chooseC(lin, task, train, signal);
  lin.reset();
  lin.fit(train, task.y, Rng.derive(task.seed, `linear${task.f}`), { ...DEFAULT_LINEAR, C }, signal);
  if (signal?.aborted) throw new AbortError();
  return { linear: lin.predict(held), C };
}

/** Training rows below which C is not chosen (a tenth of them would be too few to tell). */
const CHOOSE_C_MIN_ROWS = 100;
/**
 * The most training rows C is chosen on, and the row visits each candidate's fit may take: the
 * whole choice costs no more than ~0.75 of the final fit on a large file (100,000 rows: all three
 * candidates at the final fit's cost made the audit 62 -> 79 s), and on the benchmark's files (at
 * most 6,300 training rows) it is the choice made on all of them.
 */
const CHOOSE_C_ROWS = 20_000, CHOOSE_C_VISITS = 50_000;

/**
 * The C whose fit on nine tenths of the training rows (a seeded draw of at most CHOOSE_C_ROWS)
 * gives the other tenth, its labels as noisy as the rest, the highest likelihood; the fold's
 * held-out rows take no part.
 */
function chooseC(lin: LinearModel, task: LabeledFoldTask, train: Int32Array, signal?: AbortSignal): number {
  if (train.length < CHOOSE_C_MIN_ROWS) return DEFAULT_LINEAR.C;
  const order = Int32Array.from(train);
  Rng.derive(task.seed, `linearC${task.f}`).shuffle(order);
  const drawn = order.subarray(0, Math.min(order.length, CHOOSE_C_ROWS));
  const nVal = Math.round(drawn.length / 10);
  const val = drawn.subarray(0, nVal), fit = drawn.subarray(nVal);
  const K = task.classes;
  let best = DEFAULT_LINEAR.C, bestLoss = Infinity;
  for (const C of C_CANDIDATES) {
    lin.reset();
    lin.fit(fit, task.y, Rng.derive(task.seed, `linear${task.f}`), { ...DEFAULT_LINEAR, C, rowBudget: Math.min(DEFAULT_LINEAR.rowBudget, CHOOSE_C_VISITS) }, signal);
    if (signal?.aborted) throw new AbortError();
    const p = lin.predict(val);
    let loss = 0;
    val.forEach((r, i) => { loss -= Math.log(Math.max(p[i * K + task.y[r]], 1e-7)); });
    if (loss < bestLoss) { bestLoss = loss; best = C; }
  }
  return best;
}

/**
 * The jobs a pool runs for one fold: its encoder half and its linear half (so that five folds
 * spread over two threads without one thread running the fifth alone), or the task as it is
 * when it is a half already. Share of the fold's work in each (for progress): measured on a 100,000-row
 * fold, the linear model took ~6 s of ~35.
 */
export function foldJobs(task: FoldTask): { task: FoldTask; share: number }[] {
  if (task.part) return [{ task, share: 1 }];
  return [{ task: { ...task, part: 'encoder' }, share: 0.8 }, { task: { ...task, part: 'linear', wantEmbedding: false }, share: 0.2 }];
}

/** One fold's result from the results of its jobs (in foldJobs's order). */
export function mergeFoldParts(parts: FoldResult[]): FoldResult {
  if (parts.length === 1) return parts[0];
  const [enc, lin] = parts;
  return { ...enc, part: undefined, linear: lin.linear, linearC: lin.linearC };
}

export const runFoldsInProcess: FoldRunner = async (tasks, onProgress, signal) => {
  const out: FoldResult[] = [];
  for (const t of tasks) {
    if (signal?.aborted) throw new AbortError();
    out.push(await runFold(t, onProgress, signal));
  }
  return out;
};
