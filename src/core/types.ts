/**
 * The audit report and its settings: the contract between the engine, the command line, the
 * extension host and the panel. `version` changes when a field changes meaning.
 */

export type DistanceName = 'euclidean' | 'squared-euclidean' | 'cosine';
export type Category = 'easy' | 'semi-hard' | 'hard';
export type BackendName = 'auto' | 'node' | 'wasm' | 'cpu';
export type FileFormat = 'csv' | 'tsv' | 'jsonl' | 'json';
export type DatasetKind = 'labeled' | 'triplets';
export type Flag = 'mislabeled' | 'trivially-easy' | 'margin-violation' | 'near-duplicate' | 'invalid' | 'leak' | 'false-negative';
export type Mining = 'batch-hard' | 'semi-hard';

export const FLAGS: readonly Flag[] = ['mislabeled', 'trivially-easy', 'margin-violation', 'near-duplicate', 'invalid', 'leak', 'false-negative'];

/**
 * The role of a file audited with others (multi-file audits): from its name (train / dev / test,
 * see splits.ts) or --splits. Rows of `test` files train no model unless `trainOnTest` is set.
 */
export type SplitName = 'train' | 'dev' | 'test' | 'other';
export const SPLITS: readonly SplitName[] = ['train', 'dev', 'test', 'other'];

/** Which columns hold what; anything left out is detected from the header. */
export interface ColumnOptions {
  textColumn?: string;
  labelColumn?: string;
  anchorColumn?: string;
  positiveColumn?: string;
  negativeColumn?: string;
  /** Columns of numeric features; detected when the file has no text column. */
  featureColumns?: string[];
  /** A column holding an embedding vector (JSON array or space/comma separated numbers). */
  vectorColumn?: string;
  /** Force the shape instead of detecting it (`pairs`: (anchor, positive) pairs, which `mine` reads). */
  kind?: DatasetKind | 'pairs';
  /**
   * Multi-file audits: column options for one file, keyed by its path as given or its base name
   * (a file whose columns are named differently from the others' must be mapped here).
   */
  fileColumns?: Record<string, Omit<ColumnOptions, 'fileColumns'>>;
}

export interface AuditOptions extends ColumnOptions {
  margin: number;
  distance: DistanceName;
  seed: number;
  folds: number;
  k: number;
  backend: BackendName;
  /** Stop reading after this many data rows (0 = no limit). */
  maxRows: number;
  /** Training epochs per fold (0 = chosen from the data size). */
  epochs: number;
  /** Embedding width of the encoder's output. */
  dim: number;
  mining: Mining;
  /** Rows whose suspicion is at least this get the `mislabeled` flag. */
  suspicionThreshold: number;
  /** Worker threads that train folds side by side (0 = one per core, up to 4). Does not change the report. */
  workers: number;
  /** Multi-file audits: each file's split, in the files' order (default: from the file names). */
  splits?: SplitName[];
  /** Multi-file audits: let rows of test files train the models too (by default they are only scored). */
  trainOnTest?: boolean;
  /**
   * The user's own space (see space.ts): an embeddings file (.npy or JSONL) per data file, or one
   * for all of them in the files' order...
   */
  embeddings?: string[];
  /** ... or a TensorFlow.js model folder (model.json + weights + triplet-audit-model.json). */
  model?: string;
  /** Save the audit's cross-fitted encoder as a TensorFlow.js model in this folder. */
  saveModel?: string;
  /** Save the matching stacked embeddings (.npy, with its metadata beside it). */
  saveEmbeddings?: string;
}

export const DEFAULT_OPTIONS: AuditOptions = {
  margin: 0.2,
  distance: 'euclidean',
  seed: 42,
  folds: 5,
  k: 10,
  backend: 'auto',
  maxRows: 0,
  epochs: 0,
  dim: 64,
  mining: 'semi-hard',
  suspicionThreshold: 0.5,
  workers: 0,
};

export interface Neighbour {
  row: number;
  label: string;
  distance: number;
}

/** Explicit triplets: a text of the file proposed as the row's negative instead of its own. */
export interface TripletReplacement {
  /** The data row whose `field` holds the text. */
  row: number;
  field: 'positive' | 'negative';
  /** The text, shortened as the row's texts are. */
  text: string;
  /** d(a, text) under the row's out-of-fold encoder, in `settings.distance`. */
  distance: number;
  /** Its rank among the file's texts by similarity to the anchor (1 = most similar). */
  rank: number;
}

export interface RowReport {
  /** 0-based data-row index (header excluded). */
  row: number;
  /** 1-based line where the row starts in the file. */
  line: number;
  /** 1-based line where the row ends (differs from `line` when a quoted field spans lines). */
  endLine: number;
  /** null only on an `invalid` row, which has no triplet. */
  category: Category | null;
  loss: number | null;
  dAP: number | null;
  dAN: number | null;
  suspicion: number;
  flags: Flag[];
  /** Labeled data: the label in the file. */
  label?: string;
  /** Labeled data: the label the evidence points to, when it differs from `label`. */
  suggestedLabel?: string;
  /** Explicit triplets: the fix the evidence points to. */
  suggestedFix?: 'swap-positive-negative' | 'replace-positive' | 'replace-negative';
  /** Labeled data: the row used as positive / negative for dAP / dAN. */
  positiveRow?: number;
  negativeRow?: number;
  /** The fold whose model scored this row (it did not train on it). */
  fold: number;
  neighbours: Neighbour[];
  /** A sentence per signal that raised the suspicion, for "why was this flagged?". */
  evidence: string[];
  /** Short text of the row for tables (first 200 characters); absent for invalid rows. */
  text?: string;
  /** Explicit triplets: the three texts, shortened. */
  anchor?: string;
  positive?: string;
  negative?: string;
  /**
   * Explicit triplets: the probability that the negative is as unrelated to the anchor as a random
   * text of the file (the trivially-easy score: the flag at 0.5, with d(a,p) < d(a,n)).
   */
  trivial?: number;
  /** Explicit triplets: the probability that the negative is really a positive (flag `false-negative` at 0.5). */
  falseNegative?: number;
  /** Explicit triplets: mined replacement negatives (semi-hard at the audit's margin), for trivially easy rows and false negatives. */
  replacements?: TripletReplacement[];
  /** Multi-file audits: the file the row is in (an index into the report's `files`); `line` is a line of that file. */
  file?: number;
  /** Multi-file audits, `leak` rows: the row of another file that this row repeats (see leaks.ts). */
  leak?: LeakPair;
}

export interface LeakPair {
  /** The other row (`row` numbering of the report). */
  row: number;
  /** The same text after normalisation (case, Unicode forms, spacing, punctuation), or lightly edited. */
  exact: boolean;
  /** Word edits (insert, delete, replace a word) between the two normalised texts. */
  edits: number;
  /** Cosine of the two rows' TF-IDF features. */
  similarity: number;
  /** Explicit triplets: which text of the other row the anchor repeats. */
  role?: 'anchor' | 'positive';
}

/** A file of a multi-file audit. */
export interface ReportFile {
  path: string;
  format: FileFormat;
  split: SplitName;
  /** Its rows are report rows firstRow .. firstRow + rows - 1. */
  firstRow: number;
  rows: number;
  columns: AuditReport['columns'];
}

export interface Problem {
  /** Multi-file audits: the file (an index into the report's `files`). */
  file?: number;
  line: number;
  row?: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface Summary {
  easy: number;
  semiHard: number;
  hard: number;
  mislabeled: number;
  triviallyEasy: number;
  marginViolation: number;
  nearDuplicate: number;
  invalid: number;
  /** Explicit triplets: rows flagged `false-negative` (absent when none). */
  falseNegative?: number;
  /** Rows that repeat a row of another file (multi-file audits; absent when none). */
  leak?: number;
}

/**
 * Labeled rows: random (a, p, n) triplets as a training batch holds them (sampledTriplets.ts),
 * for the share of easy / semi-hard / hard triplets at a margin. Distances are Euclidean between
 * L2-normalised embeddings whatever `settings.distance` says (convert with categories.ts fromEuclidean).
 */
export interface SampledTriplets {
  description: string;
  dAP: number[];
  dAN: number[];
}

export interface AuditReport {
  version: 1;
  file: string;
  format: FileFormat;
  kind: DatasetKind;
  rowCount: number;
  columns: { text?: string; label?: string; anchor?: string; positive?: string; negative?: string; features?: string[]; vector?: string };
  labels: string[];
  settings: {
    margin: number;
    distance: DistanceName;
    seed: number;
    folds: number;
    k: number;
    backend: string;
    epochs: number;
    dim: number;
    mining: Mining;
    suspicionThreshold: number;
    /** Multi-file audits: whether test files' rows trained the models. */
    trainOnTest?: boolean;
    /** The user's embeddings file(s) or model folder the categories come from (model.space says how). */
    embeddings?: string[];
    model?: string;
  };
  model: {
    description: string; featureDim: number; trainedRowsPerFold: number[]; epochsPerFold: number[];
    /**
     * Labeled rows: the logistic regressions' C and (texts) the features kept, those in at least
     * `minDf` rows, chosen together for the file from `candidates` by the held-back log-loss of a
     * logistic regression (`losses[feature set][C]`; empty when the file was too small to choose).
     */
    choice?: { minDf?: number; C: number; candidates: { minDf?: number[]; C: number[] }; losses: number[][] };
    /** Set when the categories, distances and map come from the user's own space (space.ts). */
    space?: SpaceInfo;
  };
  /** fold f scored the rows whose `fold` is f; it trained on all the others. */
  folds: { fold: number; rows: number }[];
  neighbourSearch: 'exact' | 'approximate';
  /** 2-D PCA of the embeddings of fold 0's model, one point per row (invalid rows at 0,0). */
  map?: { method: 'pca'; x: number[]; y: number[] };
  /** The same embeddings, row-major [rowCount x dim], for UMAP in the panel (small files only). */
  embedding?: { dim: number; values: number[] };
  /** Labeled rows: sampled training triplets, for the share of each category at a margin. */
  sampledTriplets?: SampledTriplets;
  timings: Record<string, number>;
  summary: Summary;
  problems: Problem[];
  rows: RowReport[];
  /** Multi-file audits: the files, in the order given; absent for one file. */
  files?: ReportFile[];
  /** Multi-file audits: how near-duplicate leaks were found (the rule and its threshold). */
  leakRule?: string;
}

/** The user's own space (an embeddings file or a model) that the categories were computed in. */
export interface SpaceInfo {
  source: 'embeddings' | 'model';
  /** The file(s) or folder. */
  path: string;
  dim: number;
  /**
   * `out-of-fold`: a saved audit's K fold spaces with its folds, each row measured in the space of
   * the fold that did not train on it; `one-space`: one space for every row ("as that model sees
   * the data", in-sample).
   */
  rule: 'out-of-fold' | 'one-space';
  folds?: number;
  description: string;
}
