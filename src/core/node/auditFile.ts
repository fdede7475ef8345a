/** Reads a dataset file, starts a backend and audits it: the engine as the CLI and the worker run it. */
import * as tf from '@tensorflow/tfjs-core';
import { auditDataset, READ_TO } from '../audit';
import { AbortError, type AuditFileFn } from '../engineApi';
import { formatFromPath } from '../read';
import { checkEnoughRows } from '../read/enough';
import { DEFAULT_OPTIONS, type AuditOptions, type AuditReport } from '../types';
import { initBackend } from './backend';
import { FoldPool } from './foldPool';
import { checkUnchanged, fileStamp, readDatasetFile } from './readFile';

/** The report's backend for explicit triplets, whose detector needs no TensorFlow.js (tripletModel.ts). */
export const NO_BACKEND = 'none';

/** Rows read to tell explicit triplets from labeled rows before the whole file is read. */
const PEEK_ROWS = 50;

export function withDefaults(options: Partial<AuditOptions> = {}): AuditOptions {
  const o: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;
  return o as unknown as AuditOptions;
}

/**
 * Whether the file looks like explicit triplets from its first rows, so that the fold threads
 * start only for labeled rows. A JSON array is read whole, so it is not peeked at; a file whose
 * first rows do not tell counts as labeled (and the pool closes if the whole file says otherwise).
 */
async function looksLikeTriplets(file: string, opts: AuditOptions): Promise<boolean> {
  if (opts.kind) return opts.kind === 'triplets';
  if (formatFromPath(file) === 'json') return false;
  try {
    return (await readDatasetFile(file, { ...opts, maxRows: PEEK_ROWS })).kind === 'triplets';
  } catch {
    return false;
  }
}

export const auditFile: AuditFileFn = async (file, options = {}, hooks = {}) => {
  const opts = withDefaults(options);
  // a directory, a pipe or a missing file is refused before anything starts (a FIFO would block the peek)
  const stamp = formatFromPath(file) ? await fileStamp(file) : undefined;
  // labeled rows: the threads start now and load TensorFlow.js while the file is read
  let pool = (await looksLikeTriplets(file, opts)) ? undefined : new FoldPool(opts.backend, opts.workers || undefined);
  try {
    hooks.onProgress?.({ stage: 'read', fraction: 0, message: `Reading ${file}` });
    const t0 = Date.now();
    const ds = await readDatasetFile(file, { ...opts, maxRows: opts.maxRows || undefined }, (read) => {
      if (hooks.signal?.aborted) throw new AbortError();
      hooks.onProgress?.({ stage: 'read', fraction: READ_TO * read, message: `Reading ${file}: ${Math.round(read * 100)}%` });
    }, stamp);
    const readSeconds = (Date.now() - t0) / 1000;
    for (const p of ds.problems) hooks.onProblem?.(p.line, p.message);
    checkEnoughRows(ds, opts.folds);
    let report: AuditReport;
    if (ds.kind === 'triplets') {
      pool?.close();
      pool = undefined;
      report = await auditDataset(ds, opts, NO_BACKEND, hooks);
    } else {
      pool ??= new FoldPool(opts.backend, opts.workers || undefined);
      const backend = await initBackend(opts.backend);
      const before = tf.memory().numTensors;
      report = await auditDataset(ds, opts, backend, hooks, { featurize: pool.featurize, runFolds: pool.runner });
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0) throw new Error(`internal: ${leaked} tensors leaked by the audit`);
    }
    report.timings = { read: readSeconds, ...report.timings, total: report.timings.total + readSeconds };
    // the report's lines are the file's as read: a file rewritten meanwhile has other lines now
    if (stamp) await checkUnchanged(file, stamp, 'during the audit');
    return report;
  } finally {
    pool?.close();
  }
};
