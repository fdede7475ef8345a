/** Reads a dataset file, starts a backend and audits it: the engine as the CLI and the worker run it. */
import * as tf from '@tensorflow/tfjs-core';
import { auditDataset, READ_TO } from '../audit';
import { AbortError, type AuditFileFn } from '../engineApi';
import { DEFAULT_OPTIONS, type AuditOptions } from '../types';
import { initBackend } from './backend';
import { FoldPool } from './foldPool';
import { readDatasetFile } from './readFile';

export function withDefaults(options: Partial<AuditOptions> = {}): AuditOptions {
  const o: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;
  return o as unknown as AuditOptions;
}

export const auditFile: AuditFileFn = async (file, options = {}, hooks = {}) => {
  const opts = withDefaults(options);
  const cpu0 = process.cpuUsage();
  // the threads start now and load TensorFlow.js while the file is read (both shapes train encoders)
  const pool = new FoldPool(opts.backend, opts.workers || undefined);
  try {
    hooks.onProgress?.({ stage: 'read', fraction: 0, message: `Reading ${file}` });
    const t0 = Date.now();
    const ds = await readDatasetFile(file, { ...opts, maxRows: opts.maxRows || undefined }, (read) => {
      if (hooks.signal?.aborted) throw new AbortError();
      hooks.onProgress?.({ stage: 'read', fraction: READ_TO * read, message: `Reading ${file}: ${Math.round(read * 100)}%` });
    });
    const readSeconds = (Date.now() - t0) / 1000;
    for (const p of ds.problems) hooks.onProblem?.(p.line, p.message);
    const backend = await initBackend(opts.backend);
    const before = tf.memory().numTensors;
    const report = await auditDataset(ds, opts, backend, hooks, { featurize: pool.featurize, runFolds: pool.runner, runTripletFolds: pool.runTripletFolds });
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new Error(`internal: ${leaked} tensors leaked by the audit`);
    // cpu: the process's CPU seconds, its threads' included (the machine may be shared: wall time alone misleads)
    const cpu = process.cpuUsage(cpu0);
    report.timings = { read: readSeconds, ...report.timings, total: report.timings.total + readSeconds, cpu: (cpu.user + cpu.system) / 1e6 };
    return report;
  } finally {
    pool.close();
  }
};
