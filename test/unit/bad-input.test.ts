/**
 * The bad-input corpus (test/support/badCorpus.ts) through the command line and through the job
 * process the extension runs (dist/worker.js): each file's outcome is what the corpus says, the
 * two say the same thing (the same message, the same problems on the same lines), and nothing
 * exits 1, prints a stack trace or hangs. Plus the files that change or vanish under the audit.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../../src/core/dataset';
import { readDatasetFile } from '../../src/core/node/readFile';
import type { AuditReport } from '../../src/core/types';
import { AuditRunner, JobError } from '../../src/extension/auditRunner';
import { startJobProcess } from '../../src/extension/jobProcess';
import { BAD_CASES, BAD_DIR, writeCleanFile, writeLargeCases } from '../support/badCorpus';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const WORKER = join(ROOT, 'dist', 'worker.js');
/** Longer than any case takes (the 50 MB line: a few seconds): a run past it is a hang. */
const HANG_MS = 120_000;

interface CliRun { code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }

function runCli(args: string[], timeoutMs = HANG_MS, onStderr?: (chunk: string) => void): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; onStderr?.(s); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - t0 }); });
  });
}

/** Runs `jobs` at most `width` at a time. */
async function pooled<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) { const i = next++; out[i] = await jobs[i](); }
  }));
  return out;
}

type JobOutcome = { ok: true; problems: string[]; report?: AuditReport } | { ok: false; kind: string; message: string; problems: string[] };

/**
 * The case through the job process as the extension runs it. A file the job reads and starts to
 * audit is stopped once it is past the reading (its problems have all been told by then, before
 * the too-few-rows check and the training): the audit itself is the CLI's, run above.
 */
async function runJob(file: string): Promise<JobOutcome> {
  const runner = new AuditRunner(() => startJobProcess(WORKER, 0));
  const problems: string[] = [];
  const ac = new AbortController();
  let pastReading = false;
  const timer = setTimeout(() => ac.abort(), HANG_MS);
  try {
    const done = await runner.run({ type: 'start', file, options: {} }, {
      signal: ac.signal,
      onProblem: (line, message) => problems.push(`${line}: ${message}`),
      onProgress: (p) => { if (p.stage !== 'read' && !pastReading) { pastReading = true; ac.abort(); } },
    });
    return { ok: true, report: done.report, problems };
  } catch (e) {
    if (!(e instanceof JobError)) return { ok: false, kind: 'thrown', message: String(e), problems };
    if (pastReading) return { ok: true, problems };
    // a job cancelled by the timer ran past HANG_MS: a hang
    return { ok: false, kind: ac.signal.aborted ? 'hang' : e.kind, message: e.message, problems };
  } finally {
    clearTimeout(timer);
    runner.dispose();
  }
}

/** "line 7: x" -> "x" */
const bare = (message: string) => message.replace(/^line \d+: /, '');

describe('bad input: the corpus through the CLI and the job process', function () {
  this.timeout(15 * 60_000);
  let dir: string;
  const paths = new Map<string, string>();
  const cli = new Map<string, CliRun & { report?: AuditReport }>();
  const job = new Map<string, JobOutcome>();

  before(async function () {
    if (!existsSync(CLI) || !existsSync(WORKER)) {
      const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    dir = mkdtempSync(join(tmpdir(), 'ta-bad-'));
    const large = await writeLargeCases(join(dir, 'large'));
    for (const c of BAD_CASES) {
      const p = c.large ? large[c.name] : c.special ? join(dir, c.name) : join(BAD_DIR, c.name);
      if (c.special === 'directory') mkdirSync(p);
      if (c.special === 'fifo') assert.equal(spawnSync('mkfifo', [p]).status, 0, 'mkfifo');
      paths.set(c.name, p);
    }
    // every case through both, two at a time (the machine has two cores)
    const runs = await pooled(BAD_CASES.flatMap((c) => [
      async () => {
        const out = join(dir, `${c.name}.report.json`);
        const r = await runCli([paths.get(c.name)!, '--format', 'json', '--out', out]);
        cli.set(c.name, { ...r, report: r.code === 0 ? JSON.parse(readFileSync(out, 'utf8')) as AuditReport : undefined });
      },
      async () => { job.set(c.name, await runJob(paths.get(c.name)!)); },
    ]), 2);
    assert.equal(runs.length, BAD_CASES.length * 2);
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it(`covers the issue's list: ${BAD_CASES.length} files, each with its outcome`, () => {
    assert.ok(BAD_CASES.length >= 40);
    for (const c of BAD_CASES) assert.ok(c.large || c.special || existsSync(join(BAD_DIR, c.name)), `${c.name} is missing from test/fixtures/bad/`);
  });

  for (const c of BAD_CASES) {
    it(`${c.what} (${c.name}): ${c.outcome.exit === 0 ? `exit 0, ${c.outcome.problems.length} problem(s) on their lines` : 'exit 2, one line that says what to do'}`, () => {
      const r = cli.get(c.name);
      assert.ok(r, 'not run');
      const path = paths.get(c.name)!;
      assert.notEqual(r.signal, 'SIGKILL', `the CLI ran past ${HANG_MS / 1000} s (a hang)`);
      assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, 'a stack trace or an internal error');
      assert.equal(r.code, c.outcome.exit, `exit ${r.code}; stderr: ${r.stderr.slice(-600)}`);
      const j = job.get(c.name);
      assert.ok(j, 'the job process was not run');
      if (c.outcome.exit === 2) {
        // (the progress it printed before it knew, then the one line)
        const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^\[\s*\d+%\] /.test(l));
        assert.equal(lines.length, 1, `one line, not: ${r.stderr}`);
        const at = c.outcome.line === undefined ? '' : `:${c.outcome.line}`;
        assert.ok(lines[0].startsWith(`triplet-audit: ${path}${at}: `), `names the file${at ? ' and the line' : ''}: ${lines[0]}`);
        if (c.outcome.line === undefined) assert.doesNotMatch(lines[0].slice(`triplet-audit: ${path}`.length), /^:\d+:/);
        assert.match(lines[0], c.outcome.message);
        // the extension's job says exactly the same
        assert.equal(j.ok, false, 'the job process audited what the CLI refused');
        if (!j.ok) {
          assert.equal(j.kind, 'input', `the job's error is ${j.kind}: ${j.message}`);
          assert.equal(`triplet-audit: ${j.message}`, lines[0]);
        }
        return;
      }
      const report = r.report;
      assert.ok(report);
      if (c.outcome.rows !== undefined) assert.equal(report.rowCount, c.outcome.rows, 'rows');
      const got = report.problems.map((p) => ({ line: p.line, severity: p.severity, message: bare(p.message) }));
      assert.deepEqual(got.map((p) => `${p.line} ${p.severity}`), c.outcome.problems.map((p) => `${p.line} ${p.severity}`), 'problems on these lines');
      c.outcome.problems.forEach((p, k) => assert.match(got[k].message, p.message, `line ${p.line}`));
      // each problem also went to standard error as file:line: message, and nothing else did but progress
      for (const line of r.stderr.trimEnd().split('\n')) {
        if (/^\[\s*\d+%\] |^backend: /.test(line)) continue;
        assert.ok(got.some((p) => line === `${path}:${p.line}: ${p.message}`), `an unexpected line on standard error: ${line}`);
      }
      // every row is in the report, each invalid one with its problem
      assert.equal(report.rows.length, report.rowCount);
      for (const row of report.rows.filter((x) => x.flags.includes('invalid'))) {
        assert.ok(report.problems.some((p) => p.line === row.line && p.severity === 'error'), `invalid row at line ${row.line} without a problem`);
      }
      assert.equal(j.ok, true, j.ok ? '' : `the job process failed: ${j.message}`);
      if (j.ok) assert.deepEqual(j.problems, report.problems.map((p) => `${p.line}: ${p.message}`), 'the job reports the same problems');
    });
  }
});

describe('bad input: a file written or deleted under the audit', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ta-moving-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a file that changes while it is read is refused, naming the file and what to do', async () => {
    const file = join(dir, 'growing.csv');
    await writeCleanFile(file, 4 << 20);
    let wrote = false;
    await assert.rejects(readDatasetFile(file, {}, () => {
      if (!wrote) { appendFileSync(file, 'What was appended while the file was read ?,DESC\n'); wrote = true; }
    }), (e: unknown) => e instanceof InputError && e.message.startsWith(`${file}: `)
      && /: the file changed while it was read \([\d,]+ bytes, then [\d,]+\); nothing was audited: audit it again once it is no longer being written$/.test(e.message));
    assert.ok(wrote);
  });

  it('the CLI: a file rewritten while it is read or audited exits 2 with one line', async () => {
    const file = join(dir, 'rewritten.csv');
    await writeCleanFile(file, 2 << 20);
    let done = false;
    const r = await runCli([file, '--format', 'json', '--out', join(dir, 'r.json')], HANG_MS, (s) => {
      // as soon as it reads, the file is written again (as an editor or a download would)
      if (!done && /Reading/.test(s)) { done = true; appendFileSync(file, 'What changed under the audit ?,DESC\n'); }
    });
    assert.ok(done, 'the CLI said it was reading');
    assert.equal(r.code, 2, r.stderr.slice(-400));
    const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
    assert.match(last, new RegExp(`^triplet-audit: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the file changed (while it was read|during the audit) .*audit it again once it is no longer being written$`));
  });

  it('a file deleted while the job runs: the job process and the CLI say so, and nothing is reported', async () => {
    for (const via of ['job', 'cli'] as const) {
      const file = join(dir, `deleted-${via}.csv`);
      await writeCleanFile(file, 30_000);
      let message: string;
      if (via === 'job') {
        const runner = new AuditRunner(() => startJobProcess(WORKER, 0));
        let gone = false;
        const err = await runner.run({ type: 'start', file, options: {} }, {
          onProgress: (p) => { if (!gone && p.stage === 'train') { gone = true; unlinkSync(file); } },
        }).then(() => undefined, (e: unknown) => e);
        runner.dispose();
        assert.ok(gone, 'the audit reached its training');
        assert.ok(err instanceof JobError && err.kind === 'input', String(err));
        message = err.message;
      } else {
        let gone = false;
        const r = await runCli([file, '--format', 'json', '--out', join(dir, 'd.json')], HANG_MS, (s) => {
          if (!gone && /Training|Folds/.test(s)) { gone = true; unlinkSync(file); }
        });
        assert.ok(gone, 'the audit reached its training');
        assert.equal(r.code, 2, r.stderr.slice(-400));
        assert.ok(!existsSync(join(dir, 'd.json')), 'a report was written');
        message = (r.stderr.trimEnd().split('\n').at(-1) ?? '').replace(/^triplet-audit: /, '');
      }
      assert.equal(message, `${file}: the file was deleted or moved during the audit; nothing was audited: audit it again where it is now`);
    }
  });

  it('the CLI never writes its report over the dataset', async () => {
    const file = join(dir, 'data.csv');
    await writeCleanFile(file, 20_000);
    const before = readFileSync(file);
    for (const flag of ['--out', '--html']) {
      const r = await runCli([file, flag, file]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /is the dataset itself; writing the report there would overwrite it: choose another path/);
      assert.ok(readFileSync(file).equals(before));
    }
    const r = await runCli([file, '--out', join(dir, 'no', 'such', 'dir', 'r.json')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trimEnd().split('\n').at(-1) ?? '', /^triplet-audit: cannot write .*r\.json: ENOENT.*; choose another path$/);
  });
});
