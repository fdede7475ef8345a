/**
 * The audit: cross-fitted training, out-of-fold embeddings and neighbours, scores, flags and the
 * report. Pure (no I/O): takes a parsed Dataset and the name of the backend that is running.
 */
import type { Dataset, LabeledDataset, TripletDataset } from './dataset';
import { InputError } from './dataset';
import type { AuditHooks, Stage } from './engineApi';
import { AbortError } from './engineApi';
import { DEFAULT_ENCODER, teacherColumnCount } from './encoder';
import { C_CANDIDATES, DEFAULT_LINEAR, NUMERIC_LINEAR } from './linear';
import { chooseLinearInputs, meanFitted, MIN_DF_CANDIDATES, runChoiceJobsInProcess, runFoldsInProcess, type ChoiceRunner, type LinearChoice, type FoldResult, type FoldRunner, type FoldTask } from './folds';
import { columnDf, featurizeWithBlocks, withMinDf, type BlockedFeatures, denseToCsr, normalizeText, rowDot, DEFAULT_FEATURIZER, TRIPLET_FEATURIZER, wordView, type Csr, type Featurizer, type FeaturizerOptions } from './featurize';
import { simToEuclidean } from './neighbours';
import { flat } from './flat';
import { pca2 } from './pca';
import { Rng } from './rng';
import { SAMPLED_DESCRIPTION } from './sampledTriplets';
import type { AuditOptions, AuditReport, Flag, RowReport, SampledTriplets, TripletReplacement } from './types';
import { buildRowVerdicts, summarize } from './rescore';
import { knnVotes, scoreLabeled, scoreTriplets, type FittedProbabilities, type LabeledEvidence } from './score';
import { crossFitTriplets, pickPartners, type TripletModelResult } from './tripletModel';
import { DEFAULT_TRIPLET_ENCODER } from './tripletEncoder';
import { runTripletFoldsInProcess, type TripletFoldResult, type TripletFoldRunner, type TripletFoldTask } from './tripletFold';
import { scoreTripletSignals, tripletErrorEvidence, TRIVIAL_SYNTHETIC_QUANTILE, type EncoderSignals, type TripletScoringInput } from './tripletScores';
import { DEFAULT_MINING } from './mining';
import { findLeaks, leakEvidence, LEAK_RULE, type LeakFound, type LeakItem } from './leaks';
import { baseName, trainableRows } from './multi';
import { labeledSpaceEvidence, mapVectors, planSpace, rowHash, rowText, tripletSpaceDistances, type SpacePlan, type SpaceVectors } from './space';
import type { EncoderWeights } from './encoder';

/** Past this many rows the report leaves out the raw embeddings (the panel's UMAP needs them). */
const EMBEDDING_IN_REPORT_MAX_ROWS = 20_000;
/** The most embedding values a report carries from a user's space (20,000 rows of the audit's own 64). */
const EMBEDDING_VALUES_MAX = EMBEDDING_IN_REPORT_MAX_ROWS * 64;
const SHORT_TEXT = 200;

class Progressor {
  private readonly t0 = Date.now();
  readonly timings: Record<string, number> = {};
  private stage: Stage = 'featurize';
  private stageStart = Date.now();
  constructor(private readonly hooks: AuditHooks) {}
  enter(stage: Stage, fraction: number, message: string): void {
    this.close();
    this.stage = stage; this.stageStart = Date.now();
    this.report(fraction, message);
  }
  report(fraction: number, message: string): void {
    if (this.hooks.signal?.aborted) throw new AbortError();
    this.hooks.onProgress?.({ stage: this.stage, fraction: Math.min(1, Math.max(0, fraction)), message });
  }
  close(): void {
    this.timings[this.stage] = (this.timings[this.stage] ?? 0) + (Date.now() - this.stageStart) / 1000;
    this.stageStart = Date.now();
  }
  total(): number { return (Date.now() - this.t0) / 1000; }
}

/**
 * The most epochs a fold trains for when early stopping decides. With the linear model as its
 * teacher the encoder no longer stops after 2-4 epochs (it does not memorise the noisy labels), so
 * the cap binds: 5 epochs at hidden width 48 keep the audit's CPU within 1.5x of the first wave's
 * encoder (TREC / AG News / ChnSentiCorp corrupted copies: 1.36x / 1.39x / 1.44x, measured in one
 * run; 10 epochs at width 64: 1.9x on TREC), for the same encoder AP and kNN accuracy within a point.
 */
export const MAX_EPOCHS = 5;

/**
 * Training rows a labeled fold's encoder may visit in all (epochs x rows per epoch) when early
 * stopping decides. On small files MAX_EPOCHS binds (every file of the quality benchmark: at most
 * 5 x 6,200 rows); on large ones the budget does, spread over at least two epochs (the fewest
 * that early stopping can judge) of a fresh random draw of rows each. A larger file gets no more
 * steps: past ~10,000 rows the encoder leads no score (the linear model does, on every row), it
 * supplies the neighbours and a tenth of the label score. 100,000 rows: 2 x 50,000 visits (was
 * 3 x 72,000 with a 200,000 budget: one fold's training 22.8 s).
 */
export const SAMPLE_BUDGET = 100_000;

export interface TrainingPlan {
  /** The most epochs (early stopping may end sooner). */
  epochs: number;
  /** Rows visited per epoch (all of them on small files). */
  epochRows: number;
}

export function labeledTraining(trainRows: number): TrainingPlan {
  const rows = Math.max(trainRows, 1);
  const epochs = Math.max(2, Math.min(MAX_EPOCHS, Math.ceil(SAMPLE_BUDGET / rows)));
  return { epochs, epochRows: Math.min(rows, Math.ceil(SAMPLE_BUDGET / epochs)) };
}

export function foldCount(requested: number, rows: number): number {
  return Math.max(2, Math.min(requested, rows));
}

/** Stratified fold assignment: each label's rows shuffled, then dealt round-robin. */
export function assignFolds(groups: Int32Array, folds: number, rng: Rng): Int32Array {
  const byGroup = new Map<number, number[]>();
  groups.forEach((g, i) => { const l = byGroup.get(g); if (l) l.push(i); else byGroup.set(g, [i]); });
  const out = new Int32Array(groups.length);
  let next = 0;
  for (const g of [...byGroup.keys()].sort((a, b) => a - b)) {
    const members = byGroup.get(g)!;
    rng.shuffle(members);
    for (const i of members) { out[i] = next; next = (next + 1) % folds; }
  }
  return out;
}

/**
 * The audit's progress (0..1) at the end of reading, at the start of featurisation and of the
 * folds, and at their end: roughly the stages' shares of the time (bench:perf, two threads:
 * 100,000 rows read 1.6 s, featurising 4.2 s, folds 55 s, scoring and the report 1.6 s; 1,000,000
 * rows 16 s, 45 s, 163 s, 22 s).
 */
export const READ_TO = 0.04;
const FEATURIZE_FROM = READ_TO, FOLDS_FROM = 0.15, FOLDS_TO = 0.92;

/** Featurises on the workers, reporting its two passes. */
function featurizeWith(workers: Workers, prog: Progressor, texts: readonly string[], opt: FeaturizerOptions, signal?: AbortSignal): Promise<BlockedFeatures> {
  return workers.featurize(texts, opt, signal, (done) => prog.report(FEATURIZE_FROM + (FOLDS_FROM - FEATURIZE_FROM) * done, `Featurising ${texts.length} texts: ${Math.round(done * 100)}%`));
}

/** The encoder's teacher's columns in the model's description (encoder.ts teacherColumnCount). */
function teacherColumnsText(classes: number): string {
  const n = teacherColumnCount(classes);
  if (n === 0) return '';
  return ` + ${2 * n} frozen columns (${n < classes ? `the top ${n} principal directions of the fold's logistic regression's centred logits,` : 'the fold\'s logistic regression\'s centred logits'} and their negatives)`;
}

/** Runs the fold tasks and turns the folds' progress into the audit's. */
async function runFolds(tasks: FoldTask[], prog: Progressor, runner: FoldRunner, signal: AbortSignal | undefined, rows: number): Promise<FoldResult[]> {
  const done = new Float64Array(tasks.length);
  prog.enter('train', FOLDS_FROM, `Training ${tasks.length} fold models on ${rows} rows`);
  return runner(tasks, (f, fraction, s) => {
    done[f] = fraction;
    const total = done.reduce((t, v) => t + v, 0) / tasks.length;
    prog.report(FOLDS_FROM + (FOLDS_TO - FOLDS_FROM) * total, `Folds: ${Math.round(total * 100)}% (fold ${f + 1}/${tasks.length}: ${s})`);
  }, signal);
}

/** JSON has no NaN: null in its place. */
const nanToNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** Where the heavy stages run: in this thread (the default), or on a pool (node/foldPool.ts). */
export interface Workers {
  featurize: Featurizer;
  runFolds: FoldRunner;
  /** The triplet encoder's folds (in this thread when absent). */
  runTripletFolds?: TripletFoldRunner;
  /** The file's choice of features and C (folds.ts chooseLinearInputs; in this thread when absent). */
  runChoice?: ChoiceRunner;
}

export const IN_PROCESS: Workers = { featurize: async (texts, opt) => featurizeWithBlocks(texts, opt), runFolds: runFoldsInProcess, runTripletFolds: runTripletFoldsInProcess, runChoice: runChoiceJobsInProcess };

/** What an audit may be given besides its data, and what it may hand back. */
export interface AuditExtras {
  /** The user's own space (space.ts): the categories, distances, neighbours and map are measured in it. */
  space?: SpaceVectors;
  /** Receives the cross-fitted encoder (with opts.saveModel / saveEmbeddings), to be saved (node/spaceFiles.ts). */
  keep?(kept: KeptAudit): void;
}

/** The audit's cross-fitted encoder as a saved model needs it: each fold's weights, each row's fold, its rows. */
export interface KeptAudit {
  kind: Dataset['kind'];
  weights: EncoderWeights[];
  /** Per usable row: its data row, its fold and the hash of its text (space.ts rowHash). */
  rows: { row: number; hash: string; fold: number }[];
  /**
   * Per fold, the embeddings of every usable row (with saveEmbeddings): labeled rows [rows x dim];
   * explicit triplets [3 rows x dim], the rows' anchors, then their positives, then their negatives.
   */
  z?: Float32Array[];
  dim: number;
  /** Labeled texts: the featurizer the audit used (its minDf chosen for the file). */
  featurizer?: FeaturizerOptions;
}

export async function auditDataset(ds: Dataset, opts: AuditOptions, backend: string, hooks: AuditHooks = {},
  workers: Workers = IN_PROCESS, extras: AuditExtras = {}): Promise<AuditReport> {
  if (ds.kind === 'pairs') {
    throw new InputError(`the file holds (anchor, positive) pairs (columns ${JSON.stringify(ds.columns.anchor)}, ${JSON.stringify(ds.columns.positive)}) and no negatives to audit: ` +
      'mine negatives for them with `triplet-audit mine FILE --out triplets.jsonl`, then audit that', ds.file);
  }
  const prog = new Progressor(hooks);
  const body = ds.kind === 'labeled' ? await auditLabeled(ds, opts, prog, hooks, workers, extras) : await auditTriplets(ds, opts, prog, hooks, workers, extras);
  prog.enter('report', 0.98, 'Writing the report');
  const rows = buildRowVerdicts(body.rows, opts);
  prog.close();
  const report: AuditReport = {
    version: 1,
    file: ds.file,
    format: ds.format,
    kind: ds.kind,
    rowCount: ds.rows.length,
    columns: ds.columns,
    labels: body.labels,
    settings: {
      margin: opts.margin, distance: opts.distance, seed: opts.seed, folds: body.folds.length, k: opts.k,
      backend, epochs: body.epochs, dim: opts.dim, mining: opts.mining, suspicionThreshold: opts.suspicionThreshold,
    },
    model: body.model,
    folds: body.folds,
    neighbourSearch: body.approximate ? 'approximate' : 'exact',
    map: body.map,
    embedding: body.embedding,
    sampledTriplets: body.sampledTriplets,
    timings: { ...prog.timings, total: prog.total() },
    summary: summarize(rows),
    problems: ds.problems,
    rows,
  };
  if (extras.space) {
    if (opts.embeddings) report.settings.embeddings = opts.embeddings;
    if (opts.model) report.settings.model = opts.model;
  }
  if (ds.files) {
    report.files = ds.files.map((f) => ({ path: f.file, format: f.format, split: f.split, firstRow: f.firstRow, rows: f.rows, columns: f.columns }));
    report.leakRule = LEAK_RULE;
    report.settings.trainOnTest = opts.trainOnTest === true;
  }
  return report;
}

/** "train.jsonl line 57" for a row of a multi-file dataset. */
function whereIs(ds: Dataset, r: { line: number; file?: number }): string {
  const f = r.file !== undefined ? ds.files?.[r.file] : undefined;
  return f ? `${baseName(f.file)} line ${r.line}` : `line ${r.line}`;
}

/** Sets a row's leak flag, its evidence line and its `leak` field from what findLeaks found. */
function markLeak(out: RowReport, found: LeakFound, other: { row: number; line: number; file?: number; label?: string }, ds: Dataset, triplets: boolean): void {
  out.flags.push('leak');
  const where = `${whereIs(ds, other)} (row ${other.row}${other.label !== undefined ? `, label ${JSON.stringify(other.label)}` : ''})`;
  out.evidence.push(flat(leakEvidence(found, where, triplets ? found.role ?? 'anchor' : undefined)));
  out.leak = { row: other.row, exact: found.exact, edits: found.edits, similarity: found.similarity, ...(triplets && found.role ? { role: found.role } : {}) };
}

interface Body {
  rows: RowReport[];
  /** Whether any fold searched its neighbours approximately. */
  approximate?: boolean;
  labels: string[];
  folds: { fold: number; rows: number }[];
  epochs: number;
  model: AuditReport['model'];
  map?: AuditReport['map'];
  embedding?: AuditReport['embedding'];
  sampledTriplets?: AuditReport['sampledTriplets'];
}

function invalidRow(r: { row: number; line: number; endLine: number; invalid?: string; file?: number }): RowReport {
  const out: RowReport = {
    row: r.row, line: r.line, endLine: r.endLine, category: null, loss: null, dAP: null, dAN: null,
    suspicion: 0, flags: ['invalid'], fold: -1, neighbours: [], evidence: [r.invalid ?? 'unusable row'],
  };
  if (r.file !== undefined) out.file = r.file;
  return out;
}

function short(s: string): string {
  return s.length > SHORT_TEXT ? s.slice(0, SHORT_TEXT - 1) + '…' : s;
}

/**
 * The map (PCA of the embeddings) and, for small files, the embeddings themselves; with
 * `maxValues`, only when rows x dim stays under it (a user's space may be 768 wide).
 */
function mapAndEmbedding(z: Float32Array, valid: number[], rowCount: number, dim: number, seed: number, maxValues = Infinity) {
  const p = pca2(z, valid.length, dim, seed);
  const x = new Array<number>(rowCount).fill(0), y = new Array<number>(rowCount).fill(0);
  valid.forEach((r, v) => { x[r] = p.x[v]; y[r] = p.y[v]; });
  let embedding: AuditReport['embedding'];
  if (rowCount <= EMBEDDING_IN_REPORT_MAX_ROWS && rowCount * dim <= maxValues) {
    const values = new Array<number>(rowCount * dim).fill(0);
    valid.forEach((r, v) => { for (let d = 0; d < dim; d++) values[r * dim + d] = Math.round(z[v * dim + d] * 1e4) / 1e4; });
    embedding = { dim, values };
  }
  return { map: { method: 'pca' as const, x, y }, embedding };
}

/**
 * What every fold gives the report whatever the data: its training size, its epochs, and the map
 * from the fold that returned embeddings.
 */
function foldOutcome(results: FoldResult[], valid: readonly { row: number }[], rowCount: number, opts: AuditOptions) {
  let view: { map?: AuditReport['map']; embedding?: AuditReport['embedding'] } = {};
  const trainSizes: number[] = [], epochsRun: number[] = [];
  const sampled: SampledTriplets = { description: SAMPLED_DESCRIPTION, dAP: [], dAN: [] };
  for (const r of [...results].sort((a, b) => a.f - b.f)) {
    r.sampled?.dAP.forEach((d, i) => { sampled.dAP.push(d); sampled.dAN.push(r.sampled!.dAN[i]); });
    trainSizes[r.f] = r.trainRows;
    epochsRun[r.f] = r.epochsRun;
    if (r.z && r.f === 0) view = mapAndEmbedding(r.z, valid.map((v) => v.row), rowCount, opts.dim, opts.seed);
  }
  return { view, trainSizes, epochsRun, sampled };
}

/** The sampled triplets as the report keeps them (4 decimals, as the embedding values). */
function roundedTriplets(s: SampledTriplets): SampledTriplets | undefined {
  if (s.dAP.length === 0) return undefined;
  const r = (d: number) => Math.round(d * 1e4) / 1e4;
  return { description: s.description, dAP: s.dAP.map(r), dAN: s.dAN.map(r) };
}

/**
 * What the folds leave for scoring: the out-of-fold probabilities and neighbours, and the
 * near-duplicates (the one use of the features after the folds).
 */
interface LabeledCrossFit {
  fold: Int32Array;
  K: number;
  plan: TrainingPlan;
  earlyStop: boolean;
  probs: Float32Array;
  linear: Float32Array;
  /** Per row, its given label's probability under the folds' models that trained on it (folds.ts meanFitted). */
  fitted: FittedProbabilities;
  ev: LabeledEvidence;
  /** Per valid row, the row it nearly duplicates (a valid-row id), or -1. */
  dupOf: Int32Array;
  /** Multi-file audits: the valid rows that repeat a row of another file (leaks.ts). */
  leaks: Map<number, LeakFound>;
  /** 1 where a usable row trained (multi-file audits); absent: all did. */
  trainable?: Uint8Array;
  /** The fold encoders (and their embeddings), when they are to be saved. */
  kept?: { weights: EncoderWeights[]; z?: Float32Array[] };
  featureDim: number;
  /** The features' minDf (text input) and the linear models' C chosen for the file. */
  choice: LinearChoice;
  trainSizes: number[];
  epochsRun: number[];
  ivf?: FoldResult['ivf'];
  view: ReturnType<typeof foldOutcome>['view'];
  sampled: SampledTriplets;
}

/**
 * Featurises, runs the folds and finds the near-duplicates. The features and the folds' own
 * results live only in this function's frame, which ends when it returns, so they can be freed
 * before the report's rows are made: an async function keeps in its frame whatever it held across
 * an await, even after the variable is cleared (1,000,000 rows: ~3.6 GB of features held while
 * 1.5 GB of rows were made).
 */
async function crossFitLabeled(ds: LabeledDataset, valid: LabeledDataset['rows'], y: Int32Array, C: number, opts: AuditOptions,
  prog: Progressor, hooks: AuditHooks, workers: Workers, keep: boolean): Promise<LabeledCrossFit> {
  prog.enter('featurize', FEATURIZE_FROM, `Featurising ${valid.length} rows`);
  // multi-file audits: rows of test files are scored, never trained on (unless asked)
  const trainable = trainableRows(ds, valid, opts.trainOnTest === true);
  // the file's features and its linear models' C, chosen together (folds.ts chooseLinearInputs)
  const linearBase = ds.input === 'features' ? NUMERIC_LINEAR : {};
  // texts: featurised once at minDf 1, the chosen minDf's features derived from them (withMinDf)
  const text = ds.input === 'text';
  const feats: BlockedFeatures | { x: Csr; isWord?: undefined } = text
    ? await featurizeWith(workers, prog, valid.map((r) => r.text ?? ''), { ...DEFAULT_FEATURIZER, minDf: 1 }, hooks.signal)
    : { x: denseToCsr(valid.map((r) => r.features!), ds.input === 'features') };
  const t0 = Date.now(), wordShare = DEFAULT_FEATURIZER.wordShare;
  const df = text ? columnDf(feats.x) : undefined;
  const choice: LinearChoice = await chooseLinearInputs({ ...feats, df }, y, C, opts.seed,
    { ...(text ? { minDfs: MIN_DF_CANDIDATES, wordShare } : {}), linear: linearBase, trainable, run: workers.runChoice, signal: hooks.signal });
  const x = choice.minDf === undefined || choice.minDf === 1 ? feats.x : withMinDf(feats.x, feats.isWord!, df!, choice.minDf, wordShare);
  prog.timings.choose = (Date.now() - t0) / 1000;

  const K = foldCount(opts.folds, valid.length);
  const fold = trainable ? assignFoldsApart(y, trainable, K, opts.seed) : assignFolds(y, K, new Rng(opts.seed));
  const trainingRows = trainable ? trainable.reduce((t, v) => t + v, 0) : valid.length;
  // without --epochs: early stopping on a held-back tenth of each fold's training rows
  const earlyStop = !(opts.epochs > 0);
  const plan: TrainingPlan = earlyStop ? labeledTraining(Math.round(trainingRows * (K - 1) / K)) : { epochs: opts.epochs, epochRows: Infinity };
  const probs = new Float32Array(valid.length * C);
  const linear = new Float32Array(valid.length * C);
  const k = Math.max(1, Math.min(opts.k, valid.length - 1));
  const ev: LabeledEvidence = {
    k, nnIds: new Int32Array(valid.length * k).fill(-1), nnSims: new Float32Array(valid.length * k),
    sameId: new Int32Array(valid.length).fill(-1), sameSim: new Float32Array(valid.length),
    otherId: new Int32Array(valid.length).fill(-1), otherSim: new Float32Array(valid.length),
  };
  const tasks: FoldTask[] = Array.from({ length: K }, (_, f) => ({
    kind: 'labeled', f, fold, x, y, classes: C, k, dim: opts.dim, mining: opts.mining, epochs: plan.epochs, epochRows: plan.epochRows, earlyStop, seed: opts.seed,
    // every fold's embeddings when they are saved (the map still comes from fold 0's)
    wantEmbedding: f === 0 || opts.saveEmbeddings !== undefined,
    ...(trainable ? { trainable } : {}),
    ...(keep ? { exportWeights: true } : {}),
    linear: { ...linearBase, C: choice.C },
  }));
  const results = await runFolds(tasks, prog, workers.runFolds, hooks.signal, valid.length);
  const { view, trainSizes, epochsRun, sampled } = foldOutcome(results, valid, ds.rows.length, opts);
  const fitted = meanFitted(results, fold, trainable);
  for (const r of results) {
    r.held.forEach((i, q) => {
      probs.set(r.probs.subarray(q * C, q * C + C), i * C);
      linear.set(r.linear.subarray(q * C, q * C + C), i * C);
      ev.nnIds.set(r.nn.ids.subarray(q * r.nn.k, q * r.nn.k + k), i * k);
      ev.nnSims.set(r.nn.sims.subarray(q * r.nn.k, q * r.nn.k + k), i * k);
      ev.sameId[i] = r.nn.sameId[q]; ev.sameSim[i] = r.nn.sameSim[q];
      ev.otherId[i] = r.nn.otherId[q]; ev.otherSim[i] = r.nn.otherSim[q];
    });
  }
  // the scoring stage starts with the near-duplicates: the same normalised text, or a nearest
  // neighbour whose features have cosine >= 0.95 (rows are L2-normalised TF-IDF only for text input)
  // (within a file: across the files of a multi-file audit a repeat is a leak, below)
  prog.enter('score', FOLDS_TO, 'Scoring rows: near-duplicates');
  const fileOf = ds.files ? Int32Array.from(valid, (r) => r.file ?? 0) : undefined;
  const dupOf = ds.input === 'text' ? exactDuplicates(valid.map((r) => r.text ?? ''), fileOf) : new Int32Array(valid.length).fill(-1);
  if (ds.input === 'text') {
    for (let v = 0; v < valid.length; v++) {
      const nb = ev.nnIds[v * k];
      if (dupOf[v] < 0 && nb >= 0 && (!fileOf || fileOf[nb] === fileOf[v]) && rowDot(x, v, x, nb) >= 0.95) dupOf[v] = nb;
    }
  }
  let leaks = new Map<number, LeakFound>();
  if (fileOf && ds.input === 'text') {
    prog.report(FOLDS_TO + 0.01, 'Scoring rows: leaks between the files');
    const items: LeakItem[] = valid.map((r, v) => ({ text: r.text ?? '', row: v, file: fileOf[v], x: v, query: true }));
    const t0 = Date.now();
    leaks = await findLeaks(items, x, opts.seed, hooks.signal);
    prog.timings.leaks = (Date.now() - t0) / 1000;
  }
  const byFold = [...results].sort((a, b) => a.f - b.f);
  const kept = keep ? {
    weights: byFold.map((r) => { if (!r.weights) throw new Error(`internal: fold ${r.f} kept no weights`); return r.weights; }),
    z: opts.saveEmbeddings !== undefined ? byFold.map((r) => r.z ?? new Float32Array(0)) : undefined,
  } : undefined;
  return {
    fold, K, plan, earlyStop, probs, linear, fitted, ev, dupOf, leaks, trainable, kept, featureDim: x.cols, choice, trainSizes, epochsRun,
    ivf: results.find((r) => r.ivf)?.ivf, view, sampled,
  };
}

async function auditLabeled(ds: LabeledDataset, opts: AuditOptions, prog: Progressor, hooks: AuditHooks, workers: Workers, extras: AuditExtras): Promise<Body> {
  const valid = ds.rows.filter((r) => !r.invalid);
  const labels: string[] = [];
  const labelId = new Map<string, number>();
  for (const r of valid) if (!labelId.has(r.label)) { labelId.set(r.label, labels.length); labels.push(r.label); }
  if (labels.length < 2) throw new InputError(`only one class (${JSON.stringify(labels[0] ?? '')}): a labeled audit needs at least two labels`, ds.file);
  const y = Int32Array.from(valid, (r) => labelId.get(r.label)!);
  const C = labels.length;
  const keep = extras.keep !== undefined && (opts.saveModel !== undefined || opts.saveEmbeddings !== undefined);
  const cross = await crossFitLabeled(ds, valid, y, C, opts, prog, hooks, workers, keep);
  const { fold, K, plan, earlyStop, probs, linear, fitted, dupOf, leaks, featureDim, choice, trainSizes, epochsRun, ivf } = cross;
  let { ev, view, sampled } = cross;
  // the user's own space: its neighbours give the distances, the positive and negative rows and
  // the kNN vote; the linear model and the head stay the audit's own, out of fold
  let space: SpacePlan | undefined;
  if (extras.space) {
    prog.report(FOLDS_TO + 0.015, `Measuring the rows in ${extras.space.path}`);
    space = planSpace(ds, valid, extras.space, fold);
    const rows = valid.map((r) => r.row);
    ({ ev, sampled } = await labeledSpaceEvidence(extras.space, space, rows, y, cross.trainable, opts.k, opts.seed, hooks.signal));
    const m = mapVectors(extras.space, space, rows);
    view = mapAndEmbedding(m.z, rows, ds.rows.length, m.dim, opts.seed, EMBEDDING_VALUES_MAX);
  }
  if (keep && cross.kept) {
    extras.keep?.({
      kind: 'labeled', weights: cross.kept.weights, z: cross.kept.z, dim: opts.dim,
      ...(choice.minDf !== undefined ? { featurizer: { ...DEFAULT_FEATURIZER, minDf: choice.minDf } } : {}),
      rows: valid.map((r, v) => ({ row: r.row, hash: rowHash(rowText(ds, r.row)), fold: fold[v] })),
    });
  }
  const k = ev.k;
  prog.report(FOLDS_TO + 0.02, 'Scoring rows: label scores and their evidence');
  const scored = scoreLabeled({ y, probs, linear, fitted, classes: C, labels, ev });
  hooks.onSignals?.({
    labels, rows: valid.map((r) => r.row), y: Array.from(y),
    probs: { linear: Array.from(linear), head: Array.from(probs), knn: Array.from(knnVotes(y, ev, C)) },
    fitted: { linear: Array.from(fitted.linear, nanToNull), head: Array.from(fitted.head, nanToNull) },
  });
  prog.report(FOLDS_TO + 0.04, 'Scoring rows: neighbours and flags');
  const out: RowReport[] = new Array(ds.rows.length);
  valid.forEach((r, v) => {
    const s = scored[v];
    const neighbours = [];
    for (let j = 0; j < k; j++) {
      const id = ev.nnIds[v * k + j];
      if (id < 0) break;
      neighbours.push({ row: valid[id].row, label: valid[id].label, distance: simToEuclidean(ev.nnSims[v * k + j]) });
    }
    const nearDup = dupOf[v];
    out[r.row] = {
      row: r.row, line: r.line, endLine: r.endLine, category: 'easy', loss: 0,
      dAP: s.dAP, dAN: s.dAN, suspicion: s.suspicion, flags: [], label: r.label,
      suggestedLabel: s.suggested !== undefined ? labels[s.suggested] : undefined,
      positiveRow: s.positive >= 0 ? valid[s.positive].row : undefined,
      negativeRow: s.negative >= 0 ? valid[s.negative].row : undefined,
      fold: fold[v], neighbours, evidence: s.evidence, // each score's own array
      text: r.text !== undefined ? short(r.text) : undefined,
    };
    if (nearDup >= 0) {
      out[r.row].flags.push('near-duplicate');
      out[r.row].evidence.push(flat(`near-duplicate of row ${valid[nearDup].row} (line ${valid[nearDup].line}, label ${JSON.stringify(valid[nearDup].label)})`));
    }
    if (r.file !== undefined) out[r.row].file = r.file;
    const leak = leaks.get(v);
    if (leak) markLeak(out[r.row], leak, valid[leak.of], ds, false);
  });
  for (const r of ds.rows) if (r.invalid) out[r.row] = invalidRow(r);
  const body: Body = {
    rows: out, labels, epochs: earlyStop ? 0 : plan.epochs, approximate: ivf !== undefined,
    folds: Array.from({ length: K }, (_, f) => ({ fold: f, rows: fold.filter((g) => g === f).length })),
    model: {
      description: `${ds.input === 'text' ? `hashed n-gram bag (${featureDim} buckets${choice.minDf !== undefined ? `: those in ${choice.minDf} rows or more` : ''})` : ds.input === 'features' ? `${featureDim} numeric columns (standardised)` : `a ${featureDim}-wide vector column`} -> ${DEFAULT_ENCODER.hidden}${teacherColumnsText(C)} -> relu -> ${opts.dim}, L2-normalised; ${opts.mining} triplet loss (margin ${DEFAULT_ENCODER.margin}, Euclidean) + a cosine-softmax head that learns the fold's logistic regression's probabilities on its training rows; ${K}-fold cross-fitted, ${earlyStop ? `early stopping on a held-back tenth (epochs ${epochsRun.join('/')}${plan.epochRows < Math.round(valid.length * (K - 1) / K) ? ` of ${plan.epochRows} sampled rows` : ''})` : `${plan.epochs} epochs`}; beside it, per fold, a logistic regression on the same features (C = ${choice.C}), which leads the label scores (each model's the mean of its out-of-fold probability of the given label and that of the folds that trained on the row); ${choice.losses.length ? `the features${choice.minDf !== undefined ? ` (minDf from ${MIN_DF_CANDIDATES.join(', ')})` : ''} and C (from ${C_CANDIDATES.join(', ')}) chosen together for the file by the likelihood of a held-back tenth of a seeded draw of its rows` : 'too few rows to choose the features and C: the defaults'}${ivf ? `; neighbours approximate: an inverted file of ${ivf.nlist} lists, ${ivf.nprobe} probed per row (recall@10 0.99 against the exact search on 100,000 rows, bench:recall)` : ''}`,
      featureDim, trainedRowsPerFold: trainSizes, epochsPerFold: epochsRun,
      choice: {
        ...(choice.minDf !== undefined ? { minDf: choice.minDf } : {}), C: choice.C,
        candidates: { ...(choice.minDf !== undefined ? { minDf: [...MIN_DF_CANDIDATES] } : {}), C: [...C_CANDIDATES] },
        losses: choice.losses.map((l) => l.map((v) => Math.round(v * 1e4) / 1e4)),
      },
    },
    ...view,
    sampledTriplets: roundedTriplets(sampled),
  };
  return space ? withSpace(body, space) : body;
}

/** The report's model with the user's space in front: what measured the rows, then what scored the labels. */
function withSpace(body: Body, space: SpacePlan): Body {
  const what = body.labels.length ? 'label scores (out-of-fold; the kNN vote counts the neighbours of that space)' : 'error scores (out-of-fold)';
  return { ...body, model: { ...body.model, description: `space: ${space.info.description}; ${what}: ${body.model.description}`, space: space.info } };
}

/** For each text, the first earlier row with the same normalised text (in the same file, when `fileOf` is given), or -1. */
function exactDuplicates(texts: string[], fileOf?: Int32Array): Int32Array {
  const first = new Map<string, number>();
  const out = new Int32Array(texts.length).fill(-1);
  texts.forEach((t, i) => {
    const norm = normalizeText(t);
    if (!norm) return;
    const n = fileOf ? `${fileOf[i]}\u0000${norm}` : norm;
    const f = first.get(n);
    if (f === undefined) first.set(n, i); else { out[i] = f; out[f] = out[f] >= 0 ? out[f] : i; }
  });
  return out;
}

/**
 * Explicit triplets: the triplet encoder's folds (tripletFold.ts, on the workers) and, meanwhile
 * in this thread, the pair model (tripletModel.ts); the detectors of tripletScores.ts weigh them.
 * The report's distances, categories and map are the encoder's, each triplet in the space of the
 * fold model that did not train on its anchor.
 */
async function auditTriplets(ds: TripletDataset, opts: AuditOptions, prog: Progressor, hooks: AuditHooks, workers: Workers, extras: AuditExtras): Promise<Body> {
  const valid = ds.rows.filter((r) => !r.invalid);
  const n = valid.length;
  if (n < 2) throw new InputError('fewer than two usable triplets', ds.file);
  prog.enter('featurize', FEATURIZE_FROM, `Featurising ${n} triplets`);
  const texts = [...valid.map((r) => r.anchor), ...valid.map((r) => r.positive), ...valid.map((r) => r.negative)];
  const blocks = featurizeWithBlocks(texts, TRIPLET_FEATURIZER);
  const x = blocks.x, words = wordView(blocks);
  const prep = prepareTriplets(texts, n, opts, valid.map((r) => r.anchor));
  const { fold, K, groups } = prep;
  // multi-file audits: test files' triplets train no model (the encoders, the pair model, the detectors)
  const trainable = trainableRows(ds, valid, opts.trainOnTest === true);
  const epochs = opts.epochs > 0 ? opts.epochs : TRIPLET_ENCODER_EPOCHS;
  const keep = extras.keep !== undefined && (opts.saveModel !== undefined || opts.saveEmbeddings !== undefined);
  const tasks: TripletFoldTask[] = Array.from({ length: K }, (_, f) => ({
    kind: 'triplets', f, fold, x, anchor: prep.anchor, positive: prep.positive, negative: prep.negative, group: groups,
    textKey: prep.textKey, partner: prep.partner, sibling: prep.sibling, pool: prep.pool, epochs, seed: opts.seed,
    encoder: { dim: opts.dim }, mining: { ...DEFAULT_MINING, margin: opts.margin, distance: opts.distance },
    // every fold's embeddings when they are saved (the map still comes from fold 0's)
    wantEmbedding: f === 0 || (keep && opts.saveEmbeddings !== undefined),
    ...(keep ? { exportWeights: true } : {}),
    ...(trainable ? { trainable } : {}),
  }));
  prog.enter('train', FOLDS_FROM, `Training ${K} fold encoders and pair models on ${n} triplets`);
  const done = new Float64Array(K + 1);
  const report = (message: string) => prog.report(FOLDS_FROM + (FOLDS_TO - FOLDS_FROM) * done.reduce((t, v) => t + v, 0) / (K + 1), message);
  const running = (workers.runTripletFolds ?? runTripletFoldsInProcess)(tasks, (f, fraction, stage) => {
    done[f] = fraction;
    report(`Encoder fold ${f + 1}/${K}: ${stage}`);
  }, hooks.signal);
  // the pair model needs no TensorFlow.js: it runs here while the encoder folds train on the workers
  let m: TripletModelResult;
  try {
    m = crossFitTriplets({ x, words, n, fold, folds: K, groups, seed: opts.seed, epochs: opts.epochs, partner: prep.partner, ...(trainable ? { trainable } : {}) },
      { signal: hooks.signal, onProgress: (t, message) => { done[K] = t; report(message); } });
  } catch (e) {
    await running.catch(() => undefined);
    throw e;
  }
  const results = await running;
  prog.enter('score', FOLDS_TO, 'Scoring triplets');
  const enc = mergeTripletFolds(results, n);
  const lex = (u: number, v: number) => rowDot(x, u, x, v);
  const simAS = Float32Array.from({ length: n }, (_, i) => (prep.sibling[i] >= 0 ? lex(i, n + prep.sibling[i]) : NaN));
  const simPS = Float32Array.from({ length: n }, (_, i) => (prep.sibling[i] >= 0 ? lex(n + i, n + prep.sibling[i]) : NaN));
  const inp: TripletScoringInput = { m, enc, fold, folds: K, sibling: prep.sibling, simAS, simPS, negativeIsPositiveOf: prep.negativeIsPositiveOf, ...(trainable ? { trainable } : {}) };
  const sc = scoreTripletSignals(inp);
  const encoderMargin = Float32Array.from({ length: n }, (_, i) => enc.cosAN[i] - enc.cosAP[i]);
  const scored = scoreTriplets({ ...m, score: sc.errorScore, detector: sc.errorWeights, fold, encoderMargin });
  const dist = (c: number) => simToEuclidean(c);
  const gaps = Float64Array.from({ length: n }, (_, i) => dist(enc.cosAN[i]) - dist(enc.cosAP[i])).sort();
  const gapMedian = gaps[Math.floor(n / 2)];
  const gapShare = (g: number) => { let lo = 0, hi = n; while (lo < hi) { const mid = (lo + hi) >> 1; if (gaps[mid] < g) lo = mid + 1; else hi = mid; } return lo / n; };
  let leaks = new Map<number, LeakFound>();
  if (ds.files) {
    prog.report(FOLDS_TO + 0.01, 'Scoring triplets: leaks between the files');
    const items: LeakItem[] = valid.flatMap((r, i) => [
      { text: r.anchor, row: i, file: r.file ?? 0, x: i, role: 'anchor' as const, query: true },
      { text: r.positive, row: i, file: r.file ?? 0, x: n + i, role: 'positive' as const, query: false },
    ]);
    const t0 = Date.now();
    leaks = await findLeaks(items, x, opts.seed, hooks.signal);
    prog.timings.leaks = (Date.now() - t0) / 1000;
  }
  // the user's own space: the triplets' distances (and the map) are measured in it; the error
  // scores, the trivially-easy and false-negative scores and the mined negatives stay our encoder's
  let space: SpacePlan | undefined, ext: { dAP: Float64Array; dAN: Float64Array } | undefined, userView: Pick<Body, 'map' | 'embedding'> | undefined;
  if (extras.space) {
    space = planSpace(ds, valid, extras.space, fold);
    const rows = valid.map((r) => r.row);
    ext = tripletSpaceDistances(extras.space, space, rows);
    const a = mapVectors(extras.space, space, rows);
    userView = mapAndEmbedding(a.z, rows, ds.rows.length, a.dim, opts.seed, EMBEDDING_VALUES_MAX);
  }
  if (keep) {
    // the fold encoders as labeled rows' are kept: the same forward shape, the featurizer aside
    const byFold = [...results].sort((a, b) => a.f - b.f);
    extras.keep?.({
      kind: 'triplets', dim: opts.dim,
      weights: byFold.map((r) => { if (!r.weights) throw new Error(`internal: triplet fold ${r.f} kept no weights`); return r.weights; }),
      z: opts.saveEmbeddings !== undefined ? byFold.map((r) => r.z ?? new Float32Array(0)) : undefined,
      rows: valid.map((r, i) => ({ row: r.row, hash: rowHash(rowText(ds, r.row)), fold: fold[i] })),
    });
  }
  const rowOf = (t: number) => valid[t].row;
  /** The data row and field of a row of x (a positive or a negative text). */
  const source = (r: number) => ({ row: valid[r % n].row, field: (r < 2 * n ? 'positive' : 'negative') as 'positive' | 'negative' });
  const out: RowReport[] = new Array(ds.rows.length);
  const counts = { falseNegative: 0 };
  valid.forEach((r, i) => {
    const s = scored[i];
    const dAP = ext ? ext.dAP[i] : enc.dAP[i], dAN = ext ? ext.dAN[i] : enc.dAN[i];
    const flags: Flag[] = s.nearDuplicate ? ['near-duplicate'] : [];
    const ev = tripletErrorEvidence(inp, sc, i, rowOf, gapShare(dist(enc.cosAN[i]) - dist(enc.cosAP[i])), gapMedian);
    const evidence = [...s.evidence];
    // a false negative, kept apart from swaps: the positive reads as one (a swapped triplet's does not)
    const fn = sc.falseNegative[i] >= 0.5 && (m.pairP[3 * i] >= m.pairP[3 * i + 1] || prep.negativeIsPositiveOf[i] >= 0);
    let fix = s.fix;
    if (fn) { flags.push('false-negative'); evidence.push(...ev.falseNegative); fix = 'replace-negative'; counts.falseNegative++; }
    if (sc.trivial[i] >= 0.5) evidence.push(...ev.trivial);
    const replacements: TripletReplacement[] = [];
    const R = results[0] ? resultsK(results) : 0;
    for (let k = 0; k < R; k++) {
      const c = enc.mined[i * R + k];
      if (c < 0) continue;
      replacements.push({ ...source(c), text: short(texts[c]), distance: dist(enc.minedCos[i * R + k]), rank: enc.minedRank[i * R + k] });
    }
    out[r.row] = {
      row: r.row, line: r.line, endLine: r.endLine, category: 'easy', loss: 0,
      dAP, dAN, suspicion: fn ? Math.min(s.suspicion, FALSE_NEGATIVE_SUSPICION_CAP) : s.suspicion, flags,
      suggestedFix: fix, fold: fold[i],
      neighbours: [
        { row: r.row, label: 'positive', distance: dAP },
        { row: r.row, label: 'negative', distance: dAN },
      ],
      evidence,
      anchor: short(r.anchor), positive: short(r.positive), negative: short(r.negative),
      trivial: round4(sc.trivial[i]), falseNegative: round4(sc.falseNegative[i]),
      ...(replacements.length ? { replacements } : {}),
    };
    if (r.file !== undefined) out[r.row].file = r.file;
    const leak = leaks.get(i);
    if (leak) markLeak(out[r.row], leak, valid[leak.of], ds, true);
  });
  for (const r of ds.rows) if (r.invalid) out[r.row] = invalidRow(r);
  const z0 = results.find((r) => r.z)?.z;
  const view = userView ?? (z0 ? mapAndEmbedding(z0.subarray(0, n * opts.dim), valid.map((v) => v.row), ds.rows.length, opts.dim, opts.seed, EMBEDDING_VALUES_MAX) : {});
  const pairEpochs = m.epochsPerFold[0] ?? 0;
  const w = (d: { weights: { w: number[] }[]; features: readonly string[] }) => d.features.map((f, j) => `${f} ${(d.weights.reduce((t, x) => t + x.w[j], 0) / d.weights.length).toFixed(2)}`).join(', ');
  const body: Body = {
    rows: out, labels: [], epochs,
    folds: Array.from({ length: K }, (_, f) => ({ fold: f, rows: fold.filter((g) => g === f).length })),
    model: {
      description: `triplet encoder: hashed letter-trigram and word bag (${x.cols} buckets) -> ${DEFAULT_TRIPLET_ENCODER.hidden} -> relu -> ${opts.dim}, L2-normalised; ` +
        `triplet loss (margin ${DEFAULT_TRIPLET_ENCODER.margin}, Euclidean) + in-batch negatives (MultipleNegativesRankingLoss, scale ${DEFAULT_TRIPLET_ENCODER.scale}, batch ${DEFAULT_TRIPLET_ENCODER.batchSize}), ${epochs} epochs; ` +
        `${K}-fold cross-fitted by anchor (the report's distances and map are its). ` +
        `Beside it, per fold, a pair model: a logistic regression (C = ${DEFAULT_LINEAR.C}, ${pairEpochs} epochs) telling an anchor's positive, its negative and another anchor's positive apart ` +
        `from the word 1-2-grams a text shares with its anchor or adds (of ${words.cols}) and the TF-IDF cosines of the two. ` +
        `Suspicion: a logistic regression on the pair model's odds of a swapped or unrelated positive, the lexical and the encoder's margins, trained on the other folds' triplets against synthetic swaps and unrelated positives. ` +
        `Trivially easy: a logistic regression against synthetic random negatives (each triplet with another anchor's positive), on ${w(sc.trivialDetector)}; score 0.5 where ${100 - 100 * TRIVIAL_SYNTHETIC_QUANTILE}% of them score above (${(100 * sc.trivialDetector.prior).toFixed(1)}% of the triplets reach it). ` +
        `False negatives: ${sc.falseNegativeDetector.features.length > 1 ? `a logistic regression against synthetic false negatives (another positive of the same anchor, ${sc.falseNegativeDetector.synthetic} triplets), on ${w(sc.falseNegativeDetector)}` : 'the pair model\'s odds (too few anchors with a second positive to learn from)'}; ` +
        `estimated share ${(100 * sc.falseNegativeDetector.prior).toFixed(1)}%, ${counts.falseNegative} flagged`,
      featureDim: x.cols, trainedRowsPerFold: results.map((r) => r.trainTriplets), epochsPerFold: results.map((r) => r.epochs),
    },
    ...view,
  };
  return space ? withSpace(body, space) : body;
}

/** The number of mined negatives per triplet in fold results. */
function resultsK(results: TripletFoldResult[]): number {
  const r = results[0];
  return r.held.length ? r.mined.length / r.held.length : 0;
}

/** Rounds a score for the report (4 decimals, as the embedding's values). */
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * A false negative's suspicion (of a swap or a foreign positive) is capped below the default
 * threshold: the row is flagged as a false negative, with its own fix, not as a swap.
 */
const FALSE_NEGATIVE_SUSPICION_CAP = 0.49;

/** Epochs of each triplet encoder fold when --epochs does not say. */
export const TRIPLET_ENCODER_EPOCHS = 5;

/** What the triplet folds need besides the features: groups and folds, text ids, the pool, partners and siblings. */
export interface PreparedTriplets {
  n: number;
  K: number;
  groups: Int32Array;
  fold: Int32Array;
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
  textKey: Int32Array;
  pool: Int32Array;
  partner: Int32Array;
  sibling: Int32Array;
  negativeIsPositiveOf: Int32Array;
}

/**
 * Texts laid out anchors, positives, negatives (3n; negatives may be missing: `hasNegative`).
 * Triplets sharing an anchor text share a group and a fold, so no model sees a held-out anchor.
 */
export function prepareTriplets(texts: readonly string[], n: number, opts: Pick<AuditOptions, 'folds' | 'seed'>, anchors: readonly string[],
  hasNegative = true): PreparedTriplets {
  const anchorGroup = new Map<string, number>();
  const groups = Int32Array.from(anchors, (a) => {
    const key = normalizeText(a);
    if (!anchorGroup.has(key)) anchorGroup.set(key, anchorGroup.size);
    return anchorGroup.get(key)!;
  });
  const K = foldCount(opts.folds, anchorGroup.size);
  const fold = assignGroupFolds(groups, K, new Rng(opts.seed));
  const keys = new Map<string, number>();
  const textKey = Int32Array.from(texts, (t) => {
    const k = normalizeText(t);
    if (!keys.has(k)) keys.set(k, keys.size);
    return keys.get(k)!;
  });
  const seen = new Set<number>(), pool: number[] = [];
  for (let r = n; r < (hasNegative ? 3 : 2) * n; r++) if (!seen.has(textKey[r]) && texts[r].trim()) { seen.add(textKey[r]); pool.push(r); }
  const partner = pickPartners(fold, groups, K, Rng.derive(opts.seed, 'partners'));
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => { const l = members.get(g); if (l) l.push(i); else members.set(g, [i]); });
  const sibling = new Int32Array(n).fill(-1), negativeIsPositiveOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (const j of members.get(groups[i])!) {
      if (sibling[i] < 0 && j !== i && textKey[n + j] !== textKey[n + i]) sibling[i] = j;
      if (hasNegative && negativeIsPositiveOf[i] < 0 && textKey[n + j] === textKey[2 * n + i]) negativeIsPositiveOf[i] = j;
    }
  }
  return {
    n, K, groups, fold, textKey, pool: Int32Array.from(pool), partner, sibling, negativeIsPositiveOf,
    anchor: Int32Array.from({ length: n }, (_, i) => i), positive: Int32Array.from({ length: n }, (_, i) => n + i),
    negative: Int32Array.from({ length: n }, (_, i) => (hasNegative ? 2 * n + i : -1)),
  };
}

/**
 * Folds when some rows are only scored (test files): the rows that train are dealt as assignFolds
 * deals them (stratified by label); the others apart, shuffled with their own generator and dealt
 * without their labels, so that nothing but a test row's own score depends on a test label.
 */
export function assignFoldsApart(groups: Int32Array, trainable: Uint8Array, folds: number, seed: number): Int32Array {
  const out = new Int32Array(groups.length);
  for (const [want, rng] of [[1, new Rng(seed)], [0, Rng.derive(seed, 'scored only')]] as const) {
    const idx = Int32Array.from(groups.keys()).filter((i) => trainable[i] === want);
    const dealt = assignFolds(want === 1 ? Int32Array.from(idx, (i) => groups[i]) : new Int32Array(idx.length), folds, rng);
    idx.forEach((i, t) => { out[i] = dealt[t]; });
  }
  return out;
}

/** The folds' per-held-triplet arrays laid out per triplet. */
export function mergeTripletFolds(results: TripletFoldResult[], n: number): EncoderSignals & { dAP: Float32Array; dAN: Float32Array; mined: Int32Array; minedCos: Float32Array; minedRank: Int32Array } {
  const R = results.length ? resultsK(results) : 0;
  const f32 = () => new Float32Array(n).fill(NaN), i32 = () => new Int32Array(n).fill(-1);
  const out = {
    dAP: f32(), dAN: f32(),
    cosAP: f32(), cosAN: f32(), cosPN: f32(), closerN: f32(), fitN: f32(), fitNRow: i32(), fitP: f32(), fitPRow: i32(), fitLexN: f32(), fitLexR: f32(),
    cosAR: f32(), closerR: f32(), fitR: f32(), cosAS: f32(), cosPS: f32(), closerS: f32(),
    mined: new Int32Array(n * R).fill(-1), minedCos: new Float32Array(n * R), minedRank: new Int32Array(n * R),
  };
  const keys = ['dAP', 'dAN', 'cosAP', 'cosAN', 'cosPN', 'closerN', 'fitN', 'fitNRow', 'fitP', 'fitPRow', 'fitLexN', 'fitLexR', 'cosAR', 'closerR', 'fitR', 'cosAS', 'cosPS', 'closerS'] as const;
  for (const r of results) {
    r.held.forEach((i, q) => {
      for (const k of keys) out[k][i] = r[k][q];
      for (let k = 0; k < R; k++) {
        out.mined[i * R + k] = r.mined[q * R + k]; out.minedCos[i * R + k] = r.minedCos[q * R + k]; out.minedRank[i * R + k] = r.minedRank[q * R + k];
      }
    });
  }
  return out;
}

/** Folds over groups (all members of a group share a fold), groups shuffled then dealt. */
export function assignGroupFolds(groups: Int32Array, folds: number, rng: Rng): Int32Array {
  let count = 0;
  for (const g of groups) count = Math.max(count, g + 1);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  rng.shuffle(order);
  const groupFold = new Int32Array(count);
  order.forEach((g, i) => { groupFold[g] = i % folds; });
  return Int32Array.from(groups, (g) => groupFold[g]);
}
