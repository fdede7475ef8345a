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
import type { Csr } from '../featurize';
import type { BackendName } from '../types';

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

/**
 * Fold worker threads, started at once so they load TensorFlow.js while the file is read and
 * featurised; `runner` hands them the folds (one audit), `close` ends them (always call it).
 */
export class FoldPool {
  private readonly workers: Worker[] = [];
  private readonly retired = new Set<Worker>();

  constructor(backend: BackendName, workers = defaultWorkerCount()) {
    const script = foldWorkerScript();
    if (!script || workers <= 1) return;
    for (let i = 0; i < workers; i++) this.workers.push(new Worker(script, { workerData: { backend } }));
  }

  /** Runs the folds on the pool's threads (in-process when it has none). */
  readonly runner: FoldRunner = (tasks, onProgress, signal) => {
    if (this.workers.length === 0) return runFoldsInProcess(tasks, onProgress, signal);
    for (const t of tasks) shareCsr(t.x);
    return new Promise<FoldResult[]>((resolve, reject) => {
      const results: FoldResult[] = new Array(tasks.length);
      let next = 0, finished = 0, failed = false;
      const stop = (err: Error) => {
        if (failed) return;
        failed = true;
        signal?.removeEventListener('abort', onAbort);
        this.close();
        reject(err);
      };
      const onAbort = () => stop(new AbortError());
      if (signal?.aborted) { this.close(); reject(new AbortError()); return; }
      signal?.addEventListener('abort', onAbort, { once: true });
      const feed = (w: Worker) => {
        if (next >= tasks.length) { this.retire(w); return; }
        w.postMessage(tasks[next++]);
      };
      for (const w of this.workers) {
        w.on('message', (m: FoldWorkerReply) => {
          if (m.type === 'progress') onProgress(m.f, m.fraction, m.stage);
          else if (m.type === 'error') stop(new Error(m.message));
          else {
            results[m.result.f] = m.result;
            if (++finished === tasks.length) {
              signal?.removeEventListener('abort', onAbort);
              this.close();
              resolve(results);
            } else feed(w);
          }
        });
        w.on('error', (e) => stop(e));
        w.on('exit', (code) => { if (!this.retired.has(w)) stop(new Error(`a fold worker stopped unexpectedly (exit code ${code})`)); });
        feed(w);
      }
    });
  };

  /** Ends every thread of the pool (idempotent). */
  close(): void {
    for (const w of this.workers) this.retire(w);
  }

  private retire(w: Worker): void {
    if (this.retired.has(w)) return;
    this.retired.add(w);
    void w.terminate();
  }
}

/**
 * Moves the feature matrix's arrays into shared memory, in place, so that every fold thread reads
 * the one copy instead of receiving its own (100,000 rows: ~300 MB each).
 */
export function shareCsr(x: Csr): void {
  const share = <T extends Int32Array | Float32Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const out = make(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  x.indptr = share(x.indptr, (b) => new Int32Array(b));
  x.indices = share(x.indices, (b) => new Int32Array(b));
  x.values = share(x.values, (b) => new Float32Array(b));
}
