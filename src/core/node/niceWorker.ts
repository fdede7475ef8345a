/**
 * Worker threads at a lower priority (Linux): the extension gives its audits niceness 10, so that
 * the editor's own threads get the cores first (the job process, src/extension/jobProcess.ts, and
 * the fold threads it starts, which inherit it anyway). No heavy imports: the extension host loads this.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The niceness of an audit started by the extension: its job process and its fold threads. */
export const AUDIT_NICENESS = 10;

/**
 * A worker running `script` whose thread lowers its own priority (Linux: setpriority on the
 * thread's id, which /proc/thread-self names; elsewhere, or when not allowed, nothing) before it
 * loads the script, since loading a bundle with TensorFlow.js is most of a worker's start.
 */
export function niceWorker(script: string, niceness: number, options: WorkerOptions = {}): Worker {
  if (!(niceness > 0)) return new Worker(script, options);
  const boot = `try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) require('node:os').setPriority(tid, ${Math.min(19, Math.floor(niceness))});
} catch { /* not Linux, or not allowed */ }
require(${JSON.stringify(script)});`;
  return new Worker(boot, { ...options, eval: true });
}
