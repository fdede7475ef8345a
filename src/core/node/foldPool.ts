/**
 * Runs cross-fitting folds on a pool of worker threads, one fold per worker at a time, so an
 * audit uses every core. Each fold is seeded on its own, so the report does not depend on how
 * many workers ran it. Aborting terminates the workers at once.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AbortError } from '../engineApi';
import { runFoldsInProcess, type FoldProgress, type FoldResult, type FoldRunner } from '../folds';

export type FoldWorkerReply =
  | { type: 'progress'; f: number; fraction: number; stage: Parameters<FoldProgress>[2] }
  | { type: 'done'; result: FoldResult }
  | { type: 'error'; message: string };

/** The bundled worker script; absent when running from source (tests), where folds run in-process. */
export function foldWorkerScript(): string | undefined {
  const p = join(__dirname, 'foldworker.js');
  return existsSync(p) ? p : undefined;
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/** A FoldRunner on `workers` threads (in-process when 1, or when the worker script is missing). */
export function foldPoolRunner(backend: string, workers = defaultWorkerCount()): FoldRunner {
  const script = foldWorkerScript();
  if (!script || workers <= 1) return runFoldsInProcess;
  return (tasks, onProgress, signal) => new Promise<FoldResult[]>((resolve, reject) => {
    const results: FoldResult[] = new Array(tasks.length);
    const pool: Worker[] = [];
    let next = 0, finished = 0, failed = false;
    const retired = new Set<Worker>();
    const retire = (w: Worker) => { retired.add(w); void w.terminate(); };
    const stop = (err: Error) => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of pool) retire(w);
      reject(err);
    };
    const onAbort = () => stop(new AbortError());
    if (signal?.aborted) return reject(new AbortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (w: Worker) => {
      if (next >= tasks.length) { retire(w); return; }
      w.postMessage(tasks[next++]);
    };
    for (let i = 0; i < Math.min(workers, tasks.length); i++) {
      const w = new Worker(script, { workerData: { backend } });
      pool.push(w);
      w.on('message', (m: FoldWorkerReply) => {
        if (m.type === 'progress') onProgress(m.f, m.fraction, m.stage);
        else if (m.type === 'error') stop(new Error(m.message));
        else {
          results[m.result.f] = m.result;
          if (++finished === tasks.length) {
            signal?.removeEventListener('abort', onAbort);
            for (const x of pool) retire(x);
            resolve(results);
          } else feed(w);
        }
      });
      w.on('error', (e) => stop(e));
      w.on('exit', (code) => { if (!retired.has(w)) stop(new Error(`a fold worker stopped unexpectedly (exit code ${code})`)); });
      feed(w);
    }
  });
}
