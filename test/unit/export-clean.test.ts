/**
 * Export Cleaned Dataset never overwrites its source: not by the same path, not through a link,
 * not with its audit log, not over the reviewed marks; and the copy keeps the source's encoding.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AuditRunner, JobError } from '../../src/extension/auditRunner';
import { startJobProcess } from '../../src/extension/jobProcess';
import { overwrites } from '../../src/extension/exportPaths';
import type { CleanAction } from '../../src/extension/logic/cleanCopy';
import type { CleanRequest } from '../../src/extension/worker/protocol';

const WORKER = resolve(__dirname, '..', '..', 'dist', 'worker.js');
const CSV = 'text,label\r\n"a, quoted",x\r\nb,y\r\nc,x\r\n';
const drop: CleanAction = { row: 1, line: 3, endLine: 3, ordinal: 0, action: 'drop', flags: ['invalid'], reason: 'test' };

describe('export cleaned dataset: never over its source', function () {
  this.timeout(60_000);
  let dir: string;
  let source: string;
  const runner = new AuditRunner(() => startJobProcess(WORKER, 0));
  const clean = (out: string, logFile = `${out}.audit-log.json`, file = source): Promise<unknown> => {
    const job: CleanRequest = { type: 'clean', file, out, logFile, format: 'csv', columns: { text: 'text', label: 'label' }, actions: [drop], mode: 'drop' };
    return runner.run(job);
  };

  before(function () {
    if (!existsSync(WORKER)) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'ta-clean-'));
    source = join(dir, 'data.csv');
  });
  beforeEach(() => writeFileSync(source, CSV));
  after(() => { runner.dispose(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('the job refuses the source as the copy, through a link to it, or as the log; the source is untouched', async () => {
    const link = join(dir, 'link.csv');
    symlinkSync(source, link);
    for (const [out, logFile] of [[source, `${source}.log`], [link, `${link}.log`], [join(dir, 'x.csv'), source], [join(dir, 'sub', '..', 'data.csv'), join(dir, 'y.log')]]) {
      await assert.rejects(clean(out, logFile), (e: unknown) => e instanceof JobError && e.kind === 'input'
        && /is the dataset itself; the cleaned copy never overwrites its source: choose another file$/.test(e.message), `${out} / ${logFile}`);
      assert.equal(readFileSync(source, 'utf8'), CSV, 'the source changed');
    }
  });

  it('a copy elsewhere drops the row, keeps every other byte, and leaves the source as it was', async () => {
    const out = join(dir, 'data.cleaned.csv');
    await clean(out);
    assert.equal(readFileSync(out, 'utf8'), 'text,label\r\n"a, quoted",x\r\nc,x\r\n');
    assert.equal(readFileSync(source, 'utf8'), CSV);
    assert.equal(JSON.parse(readFileSync(`${out}.audit-log.json`, 'utf8')).changes[0].applied, true);
  });

  it('a UTF-16 source gives a UTF-16 copy, with its byte order mark', async () => {
    const utf16 = join(dir, 'wide.csv');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV, 'utf16le')]));
    const out = join(dir, 'wide.cleaned.csv');
    await clean(out, `${out}.log`, utf16);
    const bytes = readFileSync(out);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
    assert.equal(bytes.subarray(2).toString('utf16le'), 'text,label\r\n"a, quoted",x\r\nc,x\r\n');
  });

  it('the host refuses a copy or a log over the dataset or its reviewed marks, before any job', () => {

    assert.match(overwrites('/d/data.csv', [['the cleaned copy', '/d/./data.csv']]) ?? '', /the cleaned copy would be written over the dataset data\.csv/);
    assert.match(overwrites('/d/data.csv', [['the cleaned copy', '/d/c.csv'], ['its audit log', '/d/data.csv']]) ?? '', /its audit log would be written over the dataset/);
    assert.match(overwrites('/d/data.csv', [['the cleaned copy', '/d/data.csv.triplet-audit-reviewed.json']]) ?? '', /over the reviewed marks of data\.csv/);
    assert.equal(overwrites('/d/data.csv', [['the cleaned copy', '/d/data.cleaned.csv'], ['its audit log', '/d/data.cleaned.csv.audit-log.json']]), undefined);
  });
});
