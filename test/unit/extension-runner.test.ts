import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { AuditRunner, JobError } from '../../src/extension/auditRunner';
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
