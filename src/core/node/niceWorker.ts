/**
 * Worker threads at a lower priority (Linux): the extension gives its audits niceness 10, so that
 * the editor's own threads get the cores first. No heavy imports: the extension host loads this.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The niceness of an audit started by the extension: its job worker and its fold threads. */
export const AUDIT_NICENESS = 10;

/**
 * Lowers the calling thread's priority (Linux: setpriority on the thread's own id, which
 * /proc/thread-self names); elsewhere, or when not allowed, does nothing.
 */
export function niceThisThread(niceness: number): void {
  if (!(niceness > 0)) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) setPriority(tid, Math.min(19, niceness));
  } catch { /* not Linux, or not allowed: run at the caller's priority */ }
}

/**
 * A worker running `script` whose thread lowers its priority before it loads the script: loading
 * a bundle with TensorFlow.js is most of a worker's start, and with the priority set only by the
 * bundle's own code, in the real-editor tests the host's event loop still stalled 63-73 ms while
 * the audit's threads started.
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
