/**
 * A dataset as the engine sees it after reading and shape detection: every data row in file
 * order, usable or not, with the line span it came from.
 */
import type { DatasetKind, FileFormat, Problem, SplitName } from './types';

export interface RowSpan {
  /** 0-based data-row index (header excluded), counting unusable rows too. */
  row: number;
  /** 1-based line where the row starts. */
  line: number;
  /** 1-based line where the row ends. */
  endLine: number;
  /** Multi-file datasets: the file the row is in (an index into `files`); the lines are that file's. */
  file?: number;
}

export interface LabeledRow extends RowSpan {
  /** Exactly one of text / features is set on a usable row. */
  text?: string;
  features?: Float32Array;
  label: string;
  /** Set when the row cannot be used; the reason names the problem. */
  invalid?: string;
}

export interface TripletRow extends RowSpan {
  anchor: string;
  positive: string;
  negative: string;
  invalid?: string;
}

interface DatasetBase {
  file: string;
  format: FileFormat;
  /** Column names in file order (JSONL: keys in first-seen order). */
  header: string[];
  problems: Problem[];
  /** Several files audited together (multi.ts): each file, its split and its rows' place; absent for one file. */
  files?: DatasetFile[];
}

export interface DatasetFile {
  file: string;
  format: FileFormat;
  header: string[];
  split: SplitName;
  /** Its rows are rows firstRow .. firstRow + rows - 1 of the dataset. */
  firstRow: number;
  rows: number;
  columns: LabeledDataset['columns'] | TripletDataset['columns'];
}

export interface LabeledDataset extends DatasetBase {
  kind: 'labeled';
  /** How rows are represented: text, numeric feature columns (standardised later), or a vector column. */
  input: 'text' | 'features' | 'vector';
  columns: { text?: string; label: string; features?: string[]; vector?: string };
  rows: LabeledRow[];
}

export interface TripletDataset extends DatasetBase {
  kind: 'triplets';
  columns: { anchor: string; positive: string; negative: string };
  rows: TripletRow[];
}

/** (anchor, positive) pairs: what `triplet-audit mine` turns into triplets (rows' `negative` is ''). */
export interface PairDataset extends DatasetBase {
  kind: 'pairs';
  columns: { anchor: string; positive: string };
  rows: TripletRow[];
}

export type Dataset = LabeledDataset | TripletDataset | PairDataset;

/** An input problem that makes the whole file unusable; the CLI exits with code 2 on it. */
export class InputError extends Error {
  constructor(message: string, readonly file: string, readonly line?: number) {
    super(line !== undefined ? `${file}:${line}: ${message}` : `${file}: ${message}`);
    this.name = 'InputError';
  }
}

export type { DatasetKind };
