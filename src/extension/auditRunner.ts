/**
 * Runs jobs (audit, digest, clean) of dist/worker.js, one job process (jobProcess.ts) or worker
 * per job. Cancelling ends it at once, so nothing keeps running; dispose ends any still alive.
 * No `vscode` import: the host wires cancellation tokens to an AbortSignal.
 */
import type { Progress } from '../core/engineApi';
import type { JobChannel } from './jobProcess';
import { ResultAssembly } from './worker/result';
import {
  isWorkerMessage, type CleanRequest, type CleanedMessage, type DigestRequest, type DigestedMessage,
  type DoneMessage, type FinalMessage, type JobRequest, type ResultPartMessage, type ResultStartMessage, type StartRequest,
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
  private readonly live = new Set<JobChannel>();
  private readonly startedByType: Record<JobRequest['type'], number> = { start: 0, digest: 0, clean: 0 };
  constructor(private readonly createJob: () => JobChannel) {}

  /** How many jobs are running now (0 after every job, cancelled or not). */
  get running(): number { return this.live.size; }

  /** The process ids of the jobs running now that are processes. */
  get pids(): number[] { return [...this.live].flatMap((j) => (j.pid !== undefined ? [j.pid] : [])); }

  /** How many jobs of `type` were started (a process or worker created) so far; `start` is an audit that trains. */
  started(type: JobRequest['type']): number { return this.startedByType[type]; }

  run<J extends JobRequest>(job: J, hooks: JobHooks = {}): Promise<ReplyOf<J>> {
    return new Promise<ReplyOf<J>>((resolve, reject) => {
      if (hooks.signal?.aborted) { reject(new JobError('The audit was cancelled.', 'cancelled')); return; }
      const channel = this.createJob();
      this.startedByType[job.type] += 1;
      this.live.add(channel);
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        hooks.signal?.removeEventListener('abort', onAbort);
        this.live.delete(channel);
        void channel.terminate();
        settle();
      };
      const onAbort = () => finish(() => reject(new JobError('The audit was cancelled.', 'cancelled')));
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      let result: ResultAssembly | undefined;
      const reply = (m: FinalMessage) => {
        if (m.type === REPLY[job.type]) finish(() => resolve(m as ReplyOf<J>));
        else finish(() => reject(new JobError(`unexpected reply ${m.type} to ${job.type}`, 'internal')));
      };
      /** A reply that comes in parts (worker/result.ts): put together, then replied. */
      const takePart = (m: ResultStartMessage | ResultPartMessage) => {
        try {
          if (m.type === 'resultStart') result = new ResultAssembly(m);
          else if (!result?.add(m)) throw new Error(`part ${m.index} of a result out of place`);
          if (result.complete) reply(result.result());
        } catch (e) {
          finish(() => reject(new JobError(`the job's result could not be read: ${(e as Error).message}`, 'internal')));
        }
      };
      channel.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.type === 'progress') hooks.onProgress?.(m.progress);
        else if (m.type === 'problem') hooks.onProblem?.(m.line, m.message);
        else if (m.type === 'error') finish(() => reject(new JobError(m.message, m.kind)));
        else if (m.type === 'resultStart' || m.type === 'resultPart') takePart(m);
        else reply(m);
      });
      channel.on('error', (e: Error) => finish(() => reject(new JobError(e.stack ?? e.message, 'internal'))));
      channel.on('exit', (code: number) => finish(() => reject(new JobError(`the audit job stopped (exit code ${code})`, 'internal'))));
      channel.postMessage(job);
    });
  }

  dispose(): void {
    for (const w of this.live) void w.terminate();
    this.live.clear();
  }
}
