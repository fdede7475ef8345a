/**
 * npm run bench:cancel [-- --rows 1000000] [--after 2]
 *
 * Cancel as the extension does it: an audit job runs in dist/worker.js through AuditRunner (the
 * host's own class), and is aborted `--after` seconds into each stage (reading, featurising, the
 * folds). For each: the milliseconds until the job's promise rejects (the panel says
 * "cancelled"), until the host process is back to its thread count from before the job (every
 * worker thread, the fold threads included, has ended), and the process's RSS then.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { AuditRunner, JobError } from '../src/extension/auditRunner';
import type { Stage } from '../src/core/engineApi';
import { bigFile } from './bigFile';

const ROOT = join(__dirname, '..');
const threads = () => readdirSync('/proc/self/task').length;
const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function cancelDuring(file: string, stage: Stage, afterS: number): Promise<string> {
  const runner = new AuditRunner(() => new Worker(join(ROOT, 'dist', 'worker.js')));
  const base = threads();
  const ac = new AbortController();
  let entered = 0, abortedAt = 0, lastMessage = '';
  const job = runner.run({ type: 'start', file, options: {} }, {
    signal: ac.signal,
    onProgress: (p) => {
      lastMessage = `${Math.round(p.fraction * 100)}% ${p.message}`;
      if (p.stage === stage && !entered) {
        entered = performance.now();
        setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, afterS * 1000);
      }
    },
  });
  let outcome = 'finished before the cancel';
  try { await job; } catch (e) { outcome = e instanceof JobError ? e.kind : String(e); }
  const rejected = performance.now() - abortedAt;
  while (threads() > base && performance.now() - abortedAt < 30_000) await sleep(5);
  const gone = performance.now() - abortedAt;
  if (!abortedAt) return `${stage}: the job ended (${outcome}) before it was cancelled`;
  return `${stage} (+${afterS} s, at "${lastMessage}"): ${outcome}; promise rejected after ${rejected.toFixed(0)} ms, ` +
    `threads back to ${base} after ${gone.toFixed(0)} ms (now ${threads()}), RSS ${rssMiB().toFixed(0)} MiB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, after: { type: 'string' } } });
  if (!existsSync(join(ROOT, 'dist', 'worker.js'))) throw new Error('dist/worker.js is missing: run npm run build');
  const rows = Number(values.rows ?? 1_000_000), after = Number(values.after ?? 2);
  const file = bigFile(rows);
  console.log(`Cancelling a ${rows.toLocaleString('en')}-row audit (${file}) ${after} s into each stage:`);
  for (const stage of ['read', 'featurize', 'train'] as Stage[]) {
    console.log('  ' + await cancelDuring(file, stage, after));
    await sleep(1000);
  }
}

main().catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
