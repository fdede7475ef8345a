/** Reads a dataset file, starts a backend and audits it: the engine as the CLI and the worker run it. */
import * as tf from '@tensorflow/tfjs-core';
import { auditDataset, IN_PROCESS, READ_TO, type AuditExtras, type KeptAudit } from '../audit';
import { readSpace, saveEmbeddings, saveModel } from './spaceFiles';
import type { Dataset } from '../dataset';
import { AbortError, type AuditFileFn, type AuditHooks } from '../engineApi';
import { baseName, combineDatasets } from '../multi';
import { formatFromPath } from '../read';
import { DEFAULT_OPTIONS, type AuditOptions, type AuditReport, type ColumnOptions } from '../types';
import { initBackend } from './backend';
import { FoldPool } from './foldPool';
import { readDatasetFile } from './readFile';
import { InputError } from '../dataset';

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

/** The column options of one file of several: the shared ones, then its own (by path as given, or base name). */
export function columnsFor(file: string, opts: AuditOptions): { options: ColumnOptions; mapped: boolean } {
  const own = opts.fileColumns?.[file] ?? opts.fileColumns?.[baseName(file)];
  return { options: { ...opts, ...own }, mapped: own !== undefined };
}

/**
 * Reads every file (one after the other, progress shared by their sizes' order) into one dataset:
 * one file as it is, several combined (multi.ts).
 */
async function readAll(files: readonly string[], opts: AuditOptions, hooks: AuditHooks): Promise<Dataset> {
  const parts: Dataset[] = [], mapped: boolean[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const { options, mapped: m } = columnsFor(file, opts);
    const ds = await readDatasetFile(file, { ...options, maxRows: opts.maxRows || undefined }, (read) => {
      if (hooks.signal?.aborted) throw new AbortError();
      const done = (i + read) / files.length;
      hooks.onProgress?.({ stage: 'read', fraction: READ_TO * done, message: `Reading ${file}: ${Math.round(read * 100)}%` });
    });
    parts.push(ds); mapped.push(m);
  }
  if (parts.length === 1) return parts[0];
  if (opts.splits && opts.splits.length !== files.length) {
    throw new InputError(`--splits names ${opts.splits.length} split(s) for ${files.length} files: give one per file, in order`, files.join(', '));
  }
  return combineDatasets(parts, opts.splits ?? [], mapped);
}

export const auditFile: AuditFileFn = (file, options = {}, hooks = {}) => auditFiles([file], options, hooks);

/** Audits one file, or several as one dataset with splits (each row keeps its file and line). */
export async function auditFiles(files: readonly string[], options: Partial<AuditOptions> = {}, hooks: AuditHooks = {}): Promise<AuditReport> {
  if (files.length === 0) throw new Error('auditFiles: no file');
  const opts = withDefaults(options);
  const file = files[0];
  // labeled rows: the threads start now and load TensorFlow.js while the file is read
  let pool = (await looksLikeTriplets(file, { ...opts, ...columnsFor(file, opts).options })) ? undefined : new FoldPool(opts.backend, opts.workers || undefined);
  try {
    hooks.onProgress?.({ stage: 'read', fraction: 0, message: `Reading ${files.join(', ')}` });
    const t0 = Date.now();
    const ds = await readAll(files, opts, hooks);
    const readSeconds = (Date.now() - t0) / 1000;
    for (const p of ds.problems) hooks.onProblem?.(p.line, p.message);
    const saving = opts.saveModel !== undefined || opts.saveEmbeddings !== undefined;
    if (saving && ds.kind === 'triplets') {
      throw new InputError('--save-model / --save-embeddings: explicit triplets are scored by a pair model, not by an encoder, so there is no encoder to save (labeled rows have one)', ds.file);
    }
    let report: AuditReport;
    let kept: KeptAudit | undefined;
    const extras: AuditExtras = saving ? { keep: (k) => { kept = k; } } : {};
    const t1 = Date.now();
    if (ds.kind === 'triplets') {
      pool?.close();
      pool = undefined;
      // the pair model needs no TensorFlow.js; a user's model does
      const backend = opts.model ? await initBackend(opts.backend) : NO_BACKEND;
      extras.space = await readSpace(opts, ds, hooks.signal);
      report = await auditDataset(ds, opts, backend, hooks, IN_PROCESS, extras);
    } else {
      pool ??= new FoldPool(opts.backend, opts.workers || undefined);
      const backend = await initBackend(opts.backend);
      if (opts.embeddings?.length || opts.model) hooks.onProgress?.({ stage: 'read', fraction: READ_TO, message: `Reading the space of ${opts.model ?? opts.embeddings?.join(', ')}` });
      const before = tf.memory().numTensors;
      extras.space = await readSpace(opts, ds, hooks.signal);
      report = await auditDataset(ds, opts, backend, hooks, { featurize: pool.featurize, runFolds: pool.runner }, extras);
      if (kept && opts.saveModel) await saveModel(opts.saveModel, ds, kept, report.model.description);
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0) throw new Error(`internal: ${leaked} tensors leaked by the audit`);
    }
    if (kept && opts.saveEmbeddings) await saveEmbeddings(opts.saveEmbeddings, ds, kept);
    // reading the user's space and saving the encoder, around the audit
    const spaceSeconds = extras.space || saving ? Math.max(0, (Date.now() - t1) / 1000 - report.timings.total) : 0;
    report.timings = { read: readSeconds, ...(spaceSeconds ? { space: spaceSeconds } : {}), ...report.timings, total: report.timings.total + readSeconds + spaceSeconds };
    return report;
  } finally {
    pool?.close();
  }
};
