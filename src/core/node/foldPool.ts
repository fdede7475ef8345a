/**
 * A pool of worker threads for the heavy parts of an audit: featurisation (in row ranges) and the
 * cross-fitting folds (one job, a fold or half of a labeled fold, per thread at a time), so an
 * audit uses every core. Each fold is seeded on its own and the features do not depend on the
 * ranges, so the report does not depend on how many threads ran it. Aborting terminates the
 * threads at once.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AbortError } from '../engineApi';
import { foldJobs, mergeFoldParts, runChoiceJobsInProcess, runFoldsInProcess, withTeacher, type ChoiceJob, type ChoiceRunner, type FoldProgress, type FoldResult, type FoldRunner, type FoldTask } from '../folds';
import { bucketCount, compactRows, featurizeWithBlocks, slots, vocabulary, type Csr, type Featurizer, type FeaturizerOptions, type Vocabulary } from '../featurize';
import type { BackendName } from '../types';
import { runTripletFoldsInProcess, type TripletFoldResult, type TripletFoldRunner, type TripletFoldTask } from '../tripletFold';

export type FoldWorkerRequest =
  | { type: 'fold'; task: FoldTask }
  /** One fold of the triplet encoder (tripletFold.ts). */
  | { type: 'tripletFold'; task: TripletFoldTask }
  /** Pass one of featurisation over a range of texts, which the thread keeps for pass two. */
  | { type: 'count'; texts: string[]; opt: FeaturizerOptions }
  /** Pass two over the kept texts, written into the shared arrays at `slot`. */
  | { type: 'rows'; vocab: Vocabulary; indices: Int32Array; values: Float32Array; slot: Int32Array }
  /** One feature set's fits of the file's choice of features and C (folds.ts chooseLinearInputs). */
  | { type: 'choice'; job: ChoiceJob };

export type FoldWorkerReply =
  | { type: 'progress'; f: number; fraction: number; stage: Parameters<FoldProgress>[2] }
  | { type: 'done'; result: FoldResult }
  | { type: 'tripletDone'; result: TripletFoldResult }
  | { type: 'counted'; df: Int32Array; distinct: Int32Array }
  | { type: 'written'; written: Int32Array }
  | { type: 'chosen'; losses: Float64Array[] }
  | { type: 'error'; message: string };

/** The bundled worker script; absent when running from source (tests), where folds run in-process. */
export function foldWorkerScript(): string | undefined {
  const p = join(__dirname, 'foldworker.js');
  return existsSync(p) ? p : undefined;
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

interface Pending {
  resolve(reply: FoldWorkerReply): void;
  reject(err: Error): void;
  onProgress?(m: Extract<FoldWorkerReply, { type: 'progress' }>): void;
}

/**
 * Worker threads, started at once so they load TensorFlow.js while the file is read;
 * `featurize` and `runner` hand them work (one audit), `close` ends them (always call it).
 */
export class FoldPool {
  private readonly workers: Worker[] = [];
  private readonly retired = new Set<Worker>();
  private readonly pending = new Map<Worker, Pending>();
  private failure: Error | undefined;

  constructor(backend: BackendName, workers = defaultWorkerCount()) {
    const script = foldWorkerScript();
    if (!script || workers <= 1) return;
    for (let i = 0; i < workers; i++) {
      // a thread starts at its creator's priority: in the extension's job process, a low one (jobProcess.ts)
      const w = new Worker(script, { workerData: { backend } });
      w.on('message', (m: FoldWorkerReply) => {
        const p = this.pending.get(w);
        if (!p) return;
        if (m.type === 'progress') { p.onProgress?.(m); return; }
        this.pending.delete(w);
        if (m.type === 'error') p.reject(new Error(m.message)); else p.resolve(m);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => { if (!this.retired.has(w)) this.fail(new Error(`a worker thread stopped unexpectedly (exit code ${code})`)); });
      this.workers.push(w);
    }
  }

  /** One request to one thread; rejects if any thread fails or the pool closes meanwhile. */
  private call(w: Worker, req: FoldWorkerRequest, onProgress?: Pending['onProgress']): Promise<FoldWorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(w, { resolve, reject, onProgress });
      w.postMessage(req);
    });
  }

  /** Runs `body`, failing it with AbortError as soon as `signal` aborts (the threads end at once). */
  private async guarded<T>(signal: AbortSignal | undefined, body: () => Promise<T>): Promise<T> {
    if (signal?.aborted) { this.close(); throw new AbortError(); }
    const onAbort = () => this.fail(new AbortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await body();
    } catch (e) {
      this.fail(e as Error);
      throw this.failure ?? e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Featurises in contiguous row ranges, one per thread: pass one counts, the vocabulary is made
   * here from the summed counts, pass two writes every range's rows into one shared matrix
   * (which the fold threads then read without copies). In-process when the pool has no threads.
   */
  readonly featurize: Featurizer = async (texts, opt, signal, onProgress) => {
    if (this.workers.length === 0) return featurizeWithBlocks(texts, opt);
    return this.guarded(signal, async () => {
      const n = texts.length, W = this.workers.length;
      const bounds = Array.from({ length: W + 1 }, (_, i) => Math.round((i * n) / W));
      const counted = await Promise.all(this.workers.map((w, i) =>
        this.call(w, { type: 'count', texts: texts.slice(bounds[i], bounds[i + 1]), opt })));
      const df = new Int32Array(bucketCount(opt)), distinct = new Int32Array(n);
      counted.forEach((m, i) => {
        if (m.type !== 'counted') throw new Error(`internal: a worker answered ${m.type} to count`);
        for (let c = 0; c < df.length; c++) df[c] += m.df[c];
        distinct.set(m.distinct, bounds[i]);
      });
      // counting and weighting cost about the same (both hash every text)
      onProgress?.(0.5);
      const vocab = vocabulary(df, n, opt);
      const slot = slots(distinct);
      const indices = new Int32Array(new SharedArrayBuffer(4 * slot[n])), values = new Float32Array(new SharedArrayBuffer(4 * slot[n]));
      const wrote = await Promise.all(this.workers.map((w, i) =>
        this.call(w, { type: 'rows', vocab, indices, values, slot: slot.subarray(bounds[i], bounds[i + 1]) })));
      const written = new Int32Array(n);
      wrote.forEach((m, i) => {
        if (m.type !== 'written') throw new Error(`internal: a worker answered ${m.type} to rows`);
        written.set(m.written, bounds[i]);
      });
      onProgress?.(1);
      return { x: compactRows(n, vocab.idf.length, indices, values, slot, written), isWord: vocab.word };
    });
  };

  /**
   * Runs the folds on the pool's threads (in-process when it has none), as the jobs of foldJobs:
   * each idle thread takes the next job, every fold's linear half first (they are short, and each
   * encoder half learns from its fold's linear half), then the encoder halves, which wait for
   * their linear half if it is still running on another thread.
   */
  readonly runner: FoldRunner = (tasks, onProgress, signal) => {
    if (this.workers.length === 0) return runFoldsInProcess(tasks, onProgress, signal);
    for (const t of tasks) shareCsr(t.x);
    const perFold = tasks.map(foldJobs);
    const jobs = perFold.flatMap((js, f) => js.map((j, part) => ({ ...j, f, part }))).sort((a, b) => a.part - b.part || a.f - b.f);
    // per fold: the fraction done of each of its jobs, weighted by the job's share
    const done = perFold.map((js) => new Float64Array(js.length));
    const fraction = (f: number) => perFold[f].reduce((t, j, i) => t + j.share * done[f][i], 0);
    // per fold and job: its result, once settled
    const settled = perFold.map((js) => js.map(() => {
      let resolve!: (r: FoldResult) => void;
      const promise = new Promise<FoldResult>((r) => { resolve = r; });
      return { promise, resolve };
    }));
    let next = 0;
    const drain = async (w: Worker): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++];
        let task = job.task;
        if (job.part > 0) {
          const linearHalf = await settled[job.f][0].promise;
          task = withTeacher(job.task, linearHalf);
          // handed on: the merge keeps only the linear half's out-of-fold probabilities (the
          // teacher's weights are features x classes, per fold, until every fold is done)
          linearHalf.teacher = linearHalf.teacherWeights = undefined;
        }
        const m = await this.call(w, { type: 'fold', task }, (p) => {
          done[p.f][job.part] = p.fraction;
          onProgress(p.f, fraction(p.f), p.stage);
        });
        if (m.type !== 'done') throw new Error(`internal: a worker answered ${m.type} to a fold`);
        settled[job.f][job.part].resolve(m.result);
      }
      this.retire(w);
    };
    return this.guarded(signal, async () => {
      await Promise.all(this.workers.map(drain));
      return Promise.all(settled.map((s) => Promise.all(s.map((j) => j.promise)).then(mergeFoldParts)));
    });
  };

  /**
   * Runs the triplet encoder's folds on the pool's threads, one fold per idle thread (in-process
   * when the pool has none). Each fold is seeded on its own: the results do not depend on the threads.
   */
  readonly runTripletFolds: TripletFoldRunner = (tasks, onProgress, signal) => {
    if (this.workers.length === 0) return runTripletFoldsInProcess(tasks, onProgress, signal);
    for (const t of tasks) shareCsr(t.x);
    return this.guarded(signal, () => this.spread(tasks, async (w, task) => {
      const m = await this.call(w, { type: 'tripletFold', task }, (p) => onProgress(p.f, p.fraction, p.stage));
      if (m.type !== 'tripletDone') throw new Error(`internal: a worker answered ${m.type} to a triplet fold`);
      return m.result;
    }, (w) => this.retire(w)));
  };

  /**
   * Runs the choice's jobs (one per feature set) on the pool's threads, one job per idle thread
   * (in-process when the pool has none); the threads stay for the folds. Each job is seeded on its
   * own: the results do not depend on the threads.
   */
  readonly runChoice: ChoiceRunner = (jobs, signal) => {
    if (this.workers.length === 0) return runChoiceJobsInProcess(jobs, signal);
    for (const j of jobs) shareCsr(j.x);
    return this.guarded(signal, () => this.spread(jobs, async (w, job) => {
      const m = await this.call(w, { type: 'choice', job });
      if (m.type !== 'chosen') throw new Error(`internal: a worker answered ${m.type} to a choice`);
      return m.losses;
    }));
  };

  /**
   * Runs `run` on every item, each idle thread taking the next; results in the items' order.
   * `done` is called on a thread when no item is left for it.
   */
  private async spread<T, R>(items: readonly T[], run: (w: Worker, item: T) => Promise<R>, done?: (w: Worker) => void): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    await Promise.all(this.workers.map(async (w) => {
      while (next < items.length) {
        const i = next++;
        results[i] = await run(w, items[i]);
      }
      done?.(w);
    }));
    return results;
  }

  /** Fails every request in flight and ends the threads. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.close();
  }

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
