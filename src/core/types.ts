/**
 * The audit report and its settings: the contract between the engine, the command line, the
 * extension host and the panel. `version` changes when a field changes meaning.
 */

export type DistanceName = 'euclidean' | 'squared-euclidean' | 'cosine';
export type Category = 'easy' | 'semi-hard' | 'hard';
export type BackendName = 'auto' | 'node' | 'wasm' | 'cpu';
export type FileFormat = 'csv' | 'tsv' | 'jsonl' | 'json';
export type DatasetKind = 'labeled' | 'triplets';
export type Flag = 'mislabeled' | 'trivially-easy' | 'margin-violation' | 'near-duplicate' | 'invalid' | 'false-negative';
export type Mining = 'batch-hard' | 'semi-hard';

export const FLAGS: readonly Flag[] = ['mislabeled', 'trivially-easy', 'margin-violation', 'near-duplicate', 'invalid', 'false-negative'];

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
   * text of the file (the trivially-easy score; the flag also needs the triplet easy at the margin).
   */
  trivial?: number;
  /** Explicit triplets: the probability that the negative is really a positive (flag `false-negative` at 0.5). */
  falseNegative?: number;
  /** Explicit triplets: mined replacement negatives (semi-hard at the audit's margin), for trivially easy rows and false negatives. */
  replacements?: TripletReplacement[];
}

export interface Problem {
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
  };
  model: { description: string; featureDim: number; trainedRowsPerFold: number[]; epochsPerFold: number[] };
  /** fold f scored the rows whose `fold` is f; it trained on all the others. */
  folds: { fold: number; rows: number }[];
  neighbourSearch: 'exact' | 'approximate';
  /** 2-D PCA of the embeddings of fold 0's model, one point per row (invalid rows at 0,0). */
  map?: { method: 'pca'; x: number[]; y: number[] };
  /** The same embeddings, row-major [rowCount x dim], for UMAP in the panel (small files only). */
  embedding?: { dim: number; values: number[] };
  timings: Record<string, number>;
  summary: Summary;
  problems: Problem[];
  rows: RowReport[];
}
