import * as assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { Rng } from '../../src/core/rng';
import type { AuditReport } from '../../src/core/types';
import type { FileDigest } from '../../src/extension/logic/rowDigest';
import type { ResultPartMessage, ResultStartMessage } from '../../src/extension/worker/protocol';
import { RESULT_ROWS_PER_PART, ResultAssembly, resultMessages } from '../../src/extension/worker/result';
import { syntheticReport } from '../support/syntheticReport';

/** What crosses the job process's IPC channel: V8 serialisation. */
const viaIpc = <T>(m: T): T => deserialize(serialize(m)) as T;

function digestOf(report: AuditReport): FileDigest {
  return {
    contentHash: 'abc', layout: { kind: 'delimited', delimiter: ',' } as unknown as FileDigest['layout'], columns: report.columns,
    recordCount: report.rows.length, headerHash: 'h',
    rows: report.rows.map((r, i) => ({ rowHash: `r${i}`, restHash: `s${i}`, label: r.label, ordinal: 0 })),
  };
}

function withMap(n: number, seed: number): AuditReport {
  const report = syntheticReport(n, { seed });
  const rng = new Rng(seed);
  report.map = { method: 'pca', x: Array.from({ length: n }, () => rng.normal()), y: Array.from({ length: n }, () => rng.normal()) };
  report.embedding = { dim: 4, values: Array.from({ length: 4 * n }, () => rng.normal()) };
  return report;
}

function assemble(messages: (ResultStartMessage | ResultPartMessage)[]): ResultAssembly {
  const [start, ...parts] = messages;
  assert.equal(start.type, 'resultStart');
  const a = new ResultAssembly(start as ResultStartMessage);
  for (const p of parts) assert.ok(a.add(p as ResultPartMessage), `part ${(p as ResultPartMessage).index} refused`);
  return a;
}

describe('job results: an audit\'s report and digest sent in parts and put back together', () => {
  it('puts an audit\'s report (map and embedding included) and its digest back as they were', () => {
    const report = withMap(1003, 2), digest = digestOf(report);
    const messages = [...resultMessages('done', digest, report, 100)].map(viaIpc);
    assert.equal(messages.length, 1 + 11);
    const a = assemble(messages);
    assert.equal(a.complete, true);
    assert.deepEqual(a.result(), { type: 'done', report, digest });
  });

  it('a digest alone, and an empty one', () => {
    const digest = digestOf(syntheticReport(10, { seed: 3 }));
    assert.deepEqual(assemble([...resultMessages('digested', digest, undefined, 3)].map(viaIpc)).result(), { type: 'digested', digest });
    const empty = { ...digest, rows: [] };
    const start = [...resultMessages('digested', empty)];
    assert.equal(start.length, 1);
    const a = new ResultAssembly(start[0] as ResultStartMessage);
    assert.equal(a.complete, true);
    assert.deepEqual(a.result(), { type: 'digested', digest: empty });
  });

  it('no part carries more than its share: the start holds no row, a part RESULT_ROWS_PER_PART rows', () => {
    const report = withMap(2000, 4);
    const [start, ...parts] = [...resultMessages('done', digestOf(report), report)];
    assert.ok(serialize(start).length < 4096, `the start is ${serialize(start).length} bytes`);
    assert.ok(parts.every((p) => (p as ResultPartMessage).digestRows.length <= RESULT_ROWS_PER_PART && ((p as ResultPartMessage).report?.rows.length ?? 0) <= RESULT_ROWS_PER_PART));
  });

  it('refuses a part out of order, a part of the wrong size and a start that cannot hold its rows', () => {
    const report = syntheticReport(50, { seed: 5 });
    const [start, p0, p1] = [...resultMessages('done', digestOf(report), report, 20)].map(viaIpc) as [ResultStartMessage, ResultPartMessage, ResultPartMessage];
    const a = new ResultAssembly(start);
    assert.equal(a.add(p1), false);
    assert.equal(a.add({ ...p0, digestRows: p0.digestRows.slice(1) }), false);
    assert.equal(a.add({ ...p0, report: undefined }), false);
    assert.ok(a.add(p0));
    assert.equal(a.add(p0), false);
    assert.throws(() => a.result(), /1 of 3 parts/);
    assert.throws(() => new ResultAssembly({ ...start, parts: 2 }), RangeError);
    assert.throws(() => new ResultAssembly({ ...start, report: undefined }), /without its report/);
    assert.throws(() => [...resultMessages('done', { ...digestOf(report), rows: [] }, report)], /a report of 50 rows with a digest of 0/);
  });
});
