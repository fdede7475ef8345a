/**
 * Runs worker jobs (audit, digest, clean) in dist/worker.js, one worker per job. Cancelling
 * terminates the worker at once, so nothing keeps running; dispose terminates any still alive.
 * No `vscode` import: the host wires cancellation tokens to an AbortSignal.
 */
import { Worker } from 'node:worker_threads';
import type { Progress } from '../core/engineApi';
import {
  isWorkerMessage, type CleanRequest, type CleanedMessage, type DigestRequest, type DigestedMessage,
  type DoneMessage, type JobRequest, type StartRequest,
} from './worker/protocol';

export type JobErrorKind = 'input' | 'internal' | 'cancelled';

export class JobError extends Error {
  constructor(message: string, readonly kind: JobErrorKind) { super(message); this.name = 'JobError'; }
}

export interface JobHooks {
  onProgress?(p: Progress): void;
  onProblem?(line: number, message: string): void;
  signal?: AbortSignal;
}

type ReplyOf<J extends JobRequest> = J extends StartRequest ? DoneMessage : J extends DigestRequest ? DigestedMessage
  : J extends CleanRequest ? CleanedMessage : never;

const REPLY: Record<JobRequest['type'], string> = { start: 'done', digest: 'digested', clean: 'cleaned' };

export class AuditRunner {
  private readonly live = new Set<Worker>();
  private readonly startedByType: Record<JobRequest['type'], number> = { start: 0, digest: 0, clean: 0 };
  constructor(private readonly createWorker: () => Worker) {}

  /** How many workers are running now (0 after every job, cancelled or not). */
  get running(): number { return this.live.size; }

  /** How many jobs of `type` were started (a worker created) so far; `start` is an audit that trains. */
  started(type: JobRequest['type']): number { return this.startedByType[type]; }

  run<J extends JobRequest>(job: J, hooks: JobHooks = {}): Promise<ReplyOf<J>> {
    return new Promise<ReplyOf<J>>((resolve, reject) => {
      if (hooks.signal?.aborted) { reject(new JobError('The audit was cancelled.', 'cancelled')); return; }
      const worker = this.createWorker();
      this.startedByType[job.type] += 1;
      this.live.add(worker);
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        hooks.signal?.removeEventListener('abort', onAbort);
        this.live.delete(worker);
        void worker.terminate();
        settle();
      };
      const onAbort = () => finish(() => reject(new JobError('The audit was cancelled.', 'cancelled')));
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.type === 'progress') hooks.onProgress?.(m.progress);
        else if (m.type === 'problem') hooks.onProblem?.(m.line, m.message);
        else if (m.type === 'error') finish(() => reject(new JobError(m.message, m.kind)));
        else if (m.type === REPLY[job.type]) finish(() => resolve(m as ReplyOf<J>));
        else finish(() => reject(new JobError(`unexpected reply ${m.type} to ${job.type}`, 'internal')));
      });
      worker.on('error', (e: Error) => finish(() => reject(new JobError(e.stack ?? e.message, 'internal'))));
      worker.on('exit', (code: number) => finish(() => reject(new JobError(`the audit worker stopped (exit code ${code})`, 'internal'))));
      worker.postMessage(job);
    });
  }

  dispose(): void {
    for (const w of this.live) void w.terminate();
    this.live.clear();
  }
}
