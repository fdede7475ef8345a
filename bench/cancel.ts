/**
 * npm run bench:cancel [-- --rows 1000000] [--after 2]
 *
 * Cancel as the extension does it: an audit job runs dist/worker.js in a job process through
 * AuditRunner and startJobProcess (the host's own code), and is aborted `--after` seconds into
 * each stage (reading, featurising, the folds). For each: the milliseconds until the job's
 * promise rejects (the panel says "cancelled") and until the job process is gone (its fold
 * threads with it), the job process's peak RSS, and this process's thread count before and after.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditRunner, JobError } from '../src/extension/auditRunner';
import { AUDIT_NICENESS, startJobProcess } from '../src/extension/jobProcess';
import type { Stage } from '../src/core/engineApi';
import { bigFile } from './bigFile';

const ROOT = join(__dirname, '..');
const threads = () => readdirSync('/proc/self/task').length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process's peak RSS in MiB (VmHWM), or undefined once it is gone (a zombie has none). */
function peakMiB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch { return undefined; }
}

async function cancelDuring(file: string, stage: Stage, afterS: number): Promise<string> {
  const runner = new AuditRunner(() => startJobProcess(join(ROOT, 'dist', 'worker.js'), AUDIT_NICENESS));
  const base = threads();
  const ac = new AbortController();
  let entered = 0, abortedAt = 0, lastMessage = '', peak = 0;
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
  const [pid] = runner.pids;
  const poll = setInterval(() => { peak = Math.max(peak, peakMiB(pid) ?? 0); }, 200);
  let outcome = 'finished before the cancel';
  try { await job; } catch (e) { outcome = e instanceof JobError ? e.kind : String(e); }
  const rejected = performance.now() - abortedAt;
  clearInterval(poll);
  while (peakMiB(pid) !== undefined && performance.now() - abortedAt < 30_000) await sleep(5);
  const gone = performance.now() - abortedAt;
  if (!abortedAt) return `${stage}: the job ended (${outcome}) before it was cancelled`;
  return `${stage} (+${afterS} s, at "${lastMessage}"): ${outcome}; promise rejected after ${rejected.toFixed(0)} ms, ` +
    `job process ${pid} gone after ${gone.toFixed(0)} ms (its peak RSS ${peak.toFixed(0)} MiB); this process's threads ${base} before, ${threads()} after`;
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
