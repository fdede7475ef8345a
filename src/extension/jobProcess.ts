/**
 * The audit's jobs run in a child process of the extension host, not in a thread of it. A thread
 * shares the host's address space, its V8 platform threads and its libuv thread pool: while an
 * audit's threads started (loading TensorFlow.js, compiling WebAssembly, mapping memory), the
 * host's own thread was seen waiting on a futex for 35 ms and on a pipe read, and stalled 40-76 ms
 * (test/e2e/host, schedstat and /proc/<tid>/stack sampled every millisecond). A process shares none
 * of that, runs every one of its threads at a lower priority from its first milliseconds, and a
 * crash in it (a native abort, running out of memory) cannot take the extension host down.
 * No `vscode` import: the benchmarks and the unit tests start jobs the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { setPriority } from 'node:os';

/**
 * What AuditRunner needs of a job's runner: a worker thread (`Worker` has this shape) or a job
 * process (ProcessChannel).
 */
export interface JobChannel {
  /** The process's id, for a job process. */
  readonly pid?: number;
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * The niceness of the extension's audits (0-19): every thread of the job process runs at it, the
 * fold threads it starts too (a thread starts at its creator's), so that the editor comes first.
 */
export const AUDIT_NICENESS = 10;

/** How much of a job process's standard error is kept for the message when it dies. */
const STDERR_TAIL = 4096;

/**
 * `node -e` code that lowers the priority (niceness `n`, 0-19) of every thread the process has so
 * far (Linux: one setpriority per thread id; threads started later inherit it) or of the process
 * (elsewhere), then loads `script`.
 */
function niceProcessBoot(script: string, n: number): string {
  return `if (${n} > 0) {
  const os = require('node:os');
  let tids = [0];
  try { tids = require('node:fs').readdirSync('/proc/self/task').map(Number); } catch { /* not Linux: 0 is the process */ }
  for (const tid of tids) { try { os.setPriority(tid, ${n}); } catch { /* not allowed */ } }
}
require(${JSON.stringify(script)});`;
}

/** A job process as a JobChannel: messages over its IPC channel (V8 serialisation, as a worker's). */
export class ProcessChannel extends EventEmitter implements JobChannel {
  private stderr = '';
  private ended = false;

  constructor(private readonly child: ChildProcess) {
    super();
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr = (this.stderr + s).slice(-STDERR_TAIL); });
    child.on('message', (m: unknown) => this.emit('message', m));
    child.on('error', (e: Error) => { this.ended = true; this.emit('error', e); });
    // 'close' (not 'exit'): by then standard error has been read to its end
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const ours = this.ended;
      this.ended = true;
      const tail = this.stderr.trim();
      if (code !== 0 && tail) {
        // what the process printed is the message; this side's stack would say nothing
        const message = `${tail}\n(the job process exited with ${signal ?? `code ${code}`})`;
        this.emit('error', Object.assign(new Error(message), { stack: message }));
      } else if (signal !== null && !ours) {
        // ended from outside (kill -9, the system out of memory): say so, not "exit code -1"
        const message = `the audit's process was ended by ${signal} before it finished (killed from outside, or the system ran out of memory); `
          + 'nothing was audited: audit the file again, and if it ran out of memory, audit fewer rows (tripletAudit.maxRows)';
        this.emit('error', Object.assign(new Error(message), { stack: message }));
      } else this.emit('exit', code ?? -1);
    });
  }

  /** The job process's id (while it runs). */
  get pid(): number | undefined { return this.child.pid; }

  postMessage(message: unknown): void {
    if (!this.ended && this.child.connected) this.child.send(message as object);
  }

  /** Ends the process at once (SIGKILL: nothing it holds needs a clean exit). Idempotent. */
  terminate(): void {
    if (!this.ended && this.child.exitCode === null && this.child.signalCode === null) {
      this.ended = true; // ours: its close is not news
      this.child.kill('SIGKILL');
    }
  }
}

/**
 * Starts `script` (a bundle that serves JobRequests on process.send, worker/jobWorker.ts) in a
 * child process of this one's Node (VS Code's own: ELECTRON_RUN_AS_NODE makes Electron act as
 * Node), at `niceness`: set by this process as soon as the child exists, so that the threads the
 * child's Node starts inherit it, and again by the child for every thread it has (niceProcessBoot).
 */
export function startJobProcess(script: string, niceness: number): ProcessChannel {
  const n = Math.max(0, Math.min(19, Math.floor(niceness)));
  const child = spawn(process.execPath, ['-e', niceProcessBoot(script, n)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    windowsHide: true,
  });
  if (n > 0 && child.pid !== undefined) {
    try { setPriority(child.pid, n); } catch { /* not allowed; the child lowers it itself */ }
  }
  return new ProcessChannel(child);
}
