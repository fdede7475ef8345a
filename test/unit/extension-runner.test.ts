import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditRunner, JobError } from '../../src/extension/auditRunner';
import { startJobProcess, type JobChannel } from '../../src/extension/jobProcess';
import type { FileDigest } from '../../src/extension/logic/rowDigest';
import { resultMessages } from '../../src/extension/worker/result';
import { processAlive } from '../support/process';
import { syntheticReport } from '../support/syntheticReport';
import type { StartRequest } from '../../src/extension/worker/protocol';

/** A runner whose workers run `body` (plain JS, with `port` = parentPort and `job` = the request). */
function runnerOf(body: string): AuditRunner {
  const code = `const { parentPort: port } = require('node:worker_threads');
port.on('message', (job) => { if (job.type === 'cancel') return; ${body} });`;
  return new AuditRunner(() => new Worker(code, { eval: true }));
}

const start: StartRequest = { type: 'start', file: 'x.csv', options: {} };

describe('extension: audit runner (worker threads)', () => {
  it('relays progress and problems, resolves with the reply and leaves no worker', async () => {
    const runner = runnerOf(`
      port.postMessage({ type: 'progress', progress: { stage: 'train', fraction: 0.5, message: 'half' } });
      port.postMessage({ type: 'problem', line: 3, message: 'bad row' });
      port.postMessage({ type: 'done', report: { file: job.file }, digest: { rows: [] } });`);
    const seen: string[] = [];
    const done = await runner.run(start, {
      onProgress: (p) => seen.push(`${p.stage}:${p.fraction}`),
      onProblem: (line, m) => seen.push(`${line}:${m}`),
    });
    assert.equal(done.report.file, 'x.csv');
    assert.deepEqual(seen, ['train:0.5', '3:bad row']);
    assert.equal(runner.running, 0);
    assert.equal(runner.started('start'), 1);
    assert.equal(runner.started('digest'), 0);
  });

  it('cancel terminates a busy worker promptly', async () => {
    const runner = runnerOf('for (;;) {}');
    const ac = new AbortController();
    const p = runner.run(start, { signal: ac.signal });
    assert.equal(runner.running, 1);
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    await assert.rejects(p, (e: unknown) => e instanceof JobError && e.kind === 'cancelled');
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(runner.running, 0);
  });

  it('reports the worker\'s error kind, a crash and an unexpected reply', async () => {
    await assert.rejects(runnerOf(`port.postMessage({ type: 'error', kind: 'input', message: 'no label column' });`).run(start),
      (e: unknown) => e instanceof JobError && e.kind === 'input' && e.message === 'no label column');
    await assert.rejects(runnerOf('throw new Error("boom")').run(start),
      (e: unknown) => e instanceof JobError && e.kind === 'internal' && /boom/.test(e.message));
    await assert.rejects(runnerOf('process.exit(3)').run(start), (e: unknown) => e instanceof JobError && /exit code 3/.test(e.message));
    await assert.rejects(runnerOf(`port.postMessage({ type: 'digested', digest: {} });`).run(start), /unexpected reply/);
  });

  it('dispose terminates every live worker', async () => {
    const runner = runnerOf('for (;;) {}');
    const p = runner.run(start);
    runner.dispose();
    assert.equal(runner.running, 0);
    await assert.rejects(p, JobError);
  });

  it('an already aborted signal starts nothing', async () => {
    const runner = runnerOf('');
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(runner.run(start, { signal: ac.signal }), JobError);
    assert.equal(runner.running, 0);
    assert.equal(runner.started('start'), 0);
  });
});

/** A runner whose jobs are processes running `body` (plain JS, with `send` = process.send and `job` = the request). */
const jobDirs: string[] = [];
after(() => { for (const d of jobDirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function processRunnerOf(body: string, niceness = 0): { runner: AuditRunner; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ta-job-'));
  jobDirs.push(dir);
  const script = join(dir, 'job.js');
  writeFileSync(script, `const send = (m) => process.send(m);
process.on('message', (job) => { if (job.type === 'cancel') return; ${body} });`);
  return { runner: new AuditRunner(() => startJobProcess(script, niceness)), script };
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const t0 = Date.now();
  while (processAlive(pid)) {
    if (Date.now() - t0 > withinMs) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

describe('extension: audit runner (job processes)', function () {
  this.timeout(20_000);

  it('relays progress and problems over the IPC channel, resolves with the reply and leaves no process', async () => {
    const { runner } = processRunnerOf(`
      send({ type: 'progress', progress: { stage: 'train', fraction: 0.5, message: 'half' } });
      send({ type: 'problem', line: 3, message: 'bad row' });
      send({ type: 'done', report: { file: job.file, rows: [{ row: 0, values: new Float32Array([0.5]) }] }, digest: { rows: [] } });`);
    const seen: string[] = [];
    let pid: number | undefined;
    const done = await runner.run(start, {
      onProgress: (p) => { seen.push(`${p.stage}:${p.fraction}`); pid = runner.pids[0]; },
      onProblem: (line, m) => seen.push(`${line}:${m}`),
    });
    assert.equal(done.report.file, 'x.csv');
    // V8 serialisation, as between threads: typed arrays arrive as typed arrays
    assert.deepEqual((done.report.rows[0] as unknown as { values: Float32Array }).values, new Float32Array([0.5]));
    assert.deepEqual(seen, ['train:0.5', '3:bad row']);
    assert.equal(runner.running, 0);
    assert.deepEqual(runner.pids, []);
    assert.ok(pid !== undefined && await gone(pid, 2000), 'the job process still runs');
  });

  it('cancel kills a busy process promptly', async () => {
    const { runner } = processRunnerOf('for (;;) {}');
    const ac = new AbortController();
    const p = runner.run(start, { signal: ac.signal });
    const [pid] = runner.pids;
    assert.ok(pid > 0);
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await assert.rejects(p, (e: unknown) => e instanceof JobError && e.kind === 'cancelled');
    assert.ok(await gone(pid, 2000), 'the job process still runs after the cancel');
    assert.ok(Date.now() - t0 < 2500);
    assert.equal(runner.running, 0);
  });

  it('a crash reports what the process printed; an exit without a reply its code', async () => {
    await assert.rejects(processRunnerOf('throw new Error("boom in the job")').runner.run(start),
      (e: unknown) => e instanceof JobError && e.kind === 'internal' && /boom in the job/.test(e.message) && /exited with code 1/.test(e.message));
    await assert.rejects(processRunnerOf('process.exit(3)').runner.run(start), (e: unknown) => e instanceof JobError && /exit code 3/.test(e.message));
    await assert.rejects(processRunnerOf(`send({ type: 'error', kind: 'input', message: 'no label column' });`).runner.run(start),
      (e: unknown) => e instanceof JobError && e.kind === 'input' && e.message === 'no label column');
  });

  it('a job process killed from outside (kill -9) is a clear error, and the next job runs', async () => {
    const { runner } = processRunnerOf(`if (job.file === 'ok.csv') send({ type: 'done', report: { file: job.file, rows: [] }, digest: { rows: [] } }); else setInterval(() => {}, 1000);`);
    const p = runner.run(start);
    const [pid] = runner.pids;
    setTimeout(() => process.kill(pid, 'SIGKILL'), 200);
    await assert.rejects(p, (e: unknown) => e instanceof JobError && e.kind === 'internal'
      && /^the audit's process was ended by SIGKILL before it finished \(killed from outside, or the system ran out of memory\); nothing was audited: audit the file again/.test(e.message));
    assert.equal(runner.running, 0);
    const next = await runner.run({ ...start, file: 'ok.csv' });
    assert.equal(next.report.file, 'ok.csv');
  });

  it('dispose kills every live process', async () => {
    const { runner } = processRunnerOf('for (;;) {}');
    const p = runner.run(start);
    const [pid] = runner.pids;
    runner.dispose();
    await assert.rejects(p, JobError);
    assert.ok(await gone(pid, 2000));
  });

  it('runs every thread of the job process at the niceness, from its start, and leaves this process\'s alone (Linux)', async function () {
    if (process.platform !== 'linux') this.skip();
    const niceOf = (stat: string) => Number(stat.split(') ')[1].split(' ')[16]);
    // the job reports its threads' niceness once it has started a worker thread of its own
    const { runner } = processRunnerOf(`
      const { Worker } = require('node:worker_threads');
      const w = new Worker('setInterval(() => {}, 1000)', { eval: true });
      w.on('online', () => {
        const fs = require('node:fs');
        const nice = fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync('/proc/self/task/' + t + '/stat', 'utf8'));
        send({ type: 'done', report: { nice }, digest: { rows: [] } });
      });`, 7);
    const done = await runner.run(start);
    const nice = (done.report as unknown as { nice: string[] }).nice.map(niceOf);
    assert.ok(nice.length >= 3, `only ${nice.length} threads`);
    assert.deepEqual([...new Set(nice)], [7]);
    const mine = readdirSync('/proc/self/task').map((t) => niceOf(readFileSync(`/proc/self/task/${t}/stat`, 'utf8')));
    assert.deepEqual([...new Set(mine)], [0], 'this process\'s threads kept their priority');
  });

  it('the job bundle ends its process, in the middle of an audit, when the host goes away', async function () {
    const worker = join(__dirname, '..', '..', 'dist', 'worker.js');
    const data = join(__dirname, '..', '..', '..', 'shared', 'datasets', 'ag_news_test.jsonl');
    if (!existsSync(worker) || !existsSync(data)) this.skip();
    const child = spawn(process.execPath, [worker], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // an audit of 7,600 rows takes seconds; the host leaves as soon as it is under way
    const started = new Promise<void>((resolve) => child.on('message', (m: { type?: string }) => { if (m.type === 'progress') resolve(); }));
    child.send({ type: 'start', file: data, options: { backend: 'cpu' } });
    await started;
    const t0 = Date.now();
    child.disconnect();
    assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 3000))]), 0);
    assert.ok(Date.now() - t0 < 3000);
  });
});

describe('extension: audit runner (a result in parts)', () => {
  /** A job that answers with `messages` once asked. */
  function scripted(messages: unknown[]): JobChannel & { terminated: boolean } {
    const e = new EventEmitter() as EventEmitter & JobChannel & { terminated: boolean };
    e.terminated = false;
    e.postMessage = () => { setImmediate(() => { for (const m of messages) e.emit('message', m); }); };
    e.terminate = () => { e.terminated = true; };
    return e;
  }

  it('puts a report and digest sent in parts back together, and resolves once the last part is in', async () => {
    const report = syntheticReport(120, { seed: 8 });
    const digest: FileDigest = {
      contentHash: 'c', layout: {} as FileDigest['layout'], columns: report.columns, recordCount: 120, headerHash: 'h',
      rows: report.rows.map((_, i) => ({ rowHash: `a${i}`, restHash: `b${i}`, ordinal: 0 })),
    };
    const job = scripted([{ type: 'progress', progress: { stage: 'report', fraction: 0.98, message: 'x' } }, ...resultMessages('done', digest, report, 50)]);
    const runner = new AuditRunner(() => job);
    const done = await runner.run(start);
    assert.deepEqual(done, { type: 'done', report, digest });
    assert.equal(job.terminated, true);
    assert.equal(runner.running, 0);
  });

  it('fails, naming the fault, when a part is missing or out of place', async () => {
    const report = syntheticReport(120, { seed: 8 });
    const digest: FileDigest = {
      contentHash: 'c', layout: {} as FileDigest['layout'], columns: report.columns, recordCount: 120, headerHash: 'h',
      rows: report.rows.map((_, i) => ({ rowHash: `a${i}`, restHash: `b${i}`, ordinal: 0 })),
    };
    const [first, p0, , p2] = [...resultMessages('done', digest, report, 50)];
    await assert.rejects(new AuditRunner(() => scripted([first, p0, p2])).run(start),
      (e: unknown) => e instanceof JobError && e.kind === 'internal' && /part 2 of a result out of place/.test(e.message));
    // a digest where an audit's report was asked for
    await assert.rejects(new AuditRunner(() => scripted([...resultMessages('digested', digest, undefined, 500)])).run(start), /unexpected reply digested to start/);
  });
});
