/**
 * The engine's entry points as the CLI, the worker and the extension see them. Implemented in
 * `audit.ts` (pure: takes a parsed Dataset) and `node/auditFile.ts` (reads a file, picks a backend).
 */
import type { AuditOptions, AuditReport } from './types';

export type Stage = 'read' | 'featurize' | 'train' | 'embed' | 'neighbours' | 'score' | 'report';

export interface Progress {
  stage: Stage;
  /** Fraction of the whole audit done, in [0, 1]. */
  fraction: number;
  message: string;
}

export interface AuditHooks {
  onProgress?(p: Progress): void;
  /** Aborting stops the audit at the next batch; the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /** Receives each problem (bad row) as soon as it is found. */
  onProblem?(line: number, message: string): void;
  /** Labeled rows: each out-of-fold signal of the label scores, for the quality benchmark (`--signals`). */
  onSignals?(s: LabelSignals): void;
}

/**
 * The out-of-fold label signals of a labeled audit, one entry per usable row: its data-row index,
 * its label id, and per signal a [rows x classes] row-major block of class probabilities.
 */
export interface LabelSignals {
  labels: string[];
  rows: number[];
  y: number[];
  /** Signal name -> [rows x classes] probabilities (the kNN vote as fractions of the neighbours). */
  probs: Record<string, number[]>;
  /**
   * Per row, its given label's probability under the folds' models that trained on it (their
   * mean), per model; null where no fold trained on the row.
   */
  fitted?: Record<string, (number | null)[]>;
}

export type AuditFileFn = (file: string, options?: Partial<AuditOptions>, hooks?: AuditHooks) => Promise<AuditReport>;

export class AbortError extends Error {
  constructor() { super('The audit was cancelled.'); this.name = 'AbortError'; }
}
