/** Reads a dataset file, starts a backend and audits it: the engine as the CLI and the worker run it. */
import * as tf from '@tensorflow/tfjs-core';
import { auditDataset, READ_TO, type AuditExtras, type KeptAudit } from '../audit';
import { readSpace, saveEmbeddings, saveModel } from './spaceFiles';
import type { Dataset } from '../dataset';
import { AbortError, type AuditFileFn, type AuditHooks } from '../engineApi';
import { baseName, combineDatasets } from '../multi';
import { DEFAULT_OPTIONS, type AuditOptions, type AuditReport, type ColumnOptions } from '../types';
import { initBackend } from './backend';
import { FoldPool } from './foldPool';
import { checkUnchanged, fileStamp, readDatasetFile, type FileStamp } from './readFile';
import { checkEnoughRows } from '../read/enough';
import { formatFromPath } from '../read';
import { InputError } from '../dataset';

export function withDefaults(options: Partial<AuditOptions> = {}): AuditOptions {
  const o: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;
  return o as unknown as AuditOptions;
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
async function readAll(files: readonly string[], opts: AuditOptions, hooks: AuditHooks, stamps: ReadonlyArray<FileStamp | undefined>): Promise<Dataset> {
  const parts: Dataset[] = [], mapped: boolean[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const { options, mapped: m } = columnsFor(file, opts);
    const ds = await readDatasetFile(file, { ...options, maxRows: opts.maxRows || undefined }, (read) => {
      if (hooks.signal?.aborted) throw new AbortError();
      const done = (i + read) / files.length;
      hooks.onProgress?.({ stage: 'read', fraction: READ_TO * done, message: `Reading ${file}: ${Math.round(read * 100)}%` });
    }, stamps[i]);
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
  const cpu0 = process.cpuUsage();
  // a directory, a pipe or a missing file is refused before anything starts; each file's stamp is
  // checked after its read and after the audit (a file written meanwhile has other lines now)
  const stamps: Array<FileStamp | undefined> = [];
  for (const f of files) stamps.push(formatFromPath(f) ? await fileStamp(f) : undefined);
  // the threads start now and load TensorFlow.js while the files are read (both shapes train encoders)
  const pool = new FoldPool(opts.backend, opts.workers || undefined);
  try {
    hooks.onProgress?.({ stage: 'read', fraction: 0, message: `Reading ${files.join(', ')}` });
    const t0 = Date.now();
    const ds = await readAll(files, opts, hooks, stamps);
    const readSeconds = (Date.now() - t0) / 1000;
    for (const p of ds.problems) hooks.onProblem?.(p.line, p.message);
    checkEnoughRows(ds, opts.folds);
    const saving = opts.saveModel !== undefined || opts.saveEmbeddings !== undefined;
    let kept: KeptAudit | undefined;
    const extras: AuditExtras = saving ? { keep: (k) => { kept = k; } } : {};
    const t1 = Date.now();
    const backend = await initBackend(opts.backend);
    if (opts.embeddings?.length || opts.model) hooks.onProgress?.({ stage: 'read', fraction: READ_TO, message: `Reading the space of ${opts.model ?? opts.embeddings?.join(', ')}` });
    const before = tf.memory().numTensors;
    extras.space = await readSpace(opts, ds, hooks.signal);
    const report = await auditDataset(ds, opts, backend, hooks, { featurize: pool.featurize, runFolds: pool.runner, runTripletFolds: pool.runTripletFolds, runChoice: pool.runChoice }, extras);
    if (kept && opts.saveModel) await saveModel(opts.saveModel, ds, kept, report.model.description);
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new Error(`internal: ${leaked} tensors leaked by the audit`);
    if (kept && opts.saveEmbeddings) await saveEmbeddings(opts.saveEmbeddings, ds, kept);
    // reading the user's space and saving the encoder, around the audit
    const spaceSeconds = extras.space || saving ? Math.max(0, (Date.now() - t1) / 1000 - report.timings.total) : 0;
    // cpu: the process's CPU seconds, its threads' included (the machine may be shared: wall time alone misleads)
    const cpu = process.cpuUsage(cpu0);
    report.timings = {
      read: readSeconds, ...(spaceSeconds ? { space: spaceSeconds } : {}), ...report.timings,
      total: report.timings.total + readSeconds + spaceSeconds, cpu: (cpu.user + cpu.system) / 1e6,
    };
    for (let i = 0; i < files.length; i++) {
      const stamp = stamps[i];
      if (stamp) await checkUnchanged(files[i], stamp, 'during the audit');
    }
    return report;
  } finally {
    pool.close();
  }
};
