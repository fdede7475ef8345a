import * as assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng';
import type { AuditReport } from '../../src/core/types';
import type { ReportPartMessage, ReportStartMessage } from '../../src/protocol';
import { ReportAssembly, rowsPerPart, ROWS_PER_PART, splitReport, type SplitReport } from '../../src/reportParts';
import { syntheticReport } from '../support/syntheticReport';

/** What crosses postMessage: VS Code serialises each message to JSON. */
const viaJson = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;

/** A synthetic audit with a PCA map and embeddings, as the engine writes them for small files. */
function withMapAndEmbedding(n: number, dim: number, seed: number): AuditReport {
  const report = syntheticReport(n, { seed });
  const rng = new Rng(seed + 100);
  report.map = { method: 'pca', x: Array.from({ length: n }, () => rng.normal()), y: Array.from({ length: n }, () => rng.normal()) };
  report.embedding = { dim, values: Array.from({ length: n * dim }, () => rng.normal()) };
  return report;
}

const sending = (reportId: number) => ({ reportId, fileUri: 'file:///d.csv', margin: 0.3, distance: 'cosine' as const, reviewed: new Set([4, 1]) });
const parts = (split: SplitReport) => Array.from({ length: split.start.parts }, (_, k) => viaJson(split.part(k)));

describe('report parts: a report split for postMessage and put back together', () => {
  it('puts the report back as it was, map and embedding included, whatever the order of the parts', () => {
    const report = withMapAndEmbedding(103, 8, 1);
    const split = splitReport(report, sending(7), 10);
    assert.equal(split.start.parts, 11);
    assert.deepEqual(split.start.reviewed, [4, 1]);
    const inOrder = new ReportAssembly(viaJson(split.start));
    for (const p of parts(split)) {
      assert.equal(inOrder.complete, false);
      assert.ok(inOrder.add(p));
    }
    assert.equal(inOrder.complete, true);
    assert.deepEqual(inOrder.report(), report);

    const shuffled = parts(split);
    new Rng(9).shuffle(shuffled);
    const any = new ReportAssembly(viaJson(split.start));
    for (const p of shuffled) assert.ok(any.add(p));
    assert.deepEqual(any.report(), report);
  });

  it('the start carries no row, map coordinate or embedding value: its size does not grow with the report', () => {
    const small = splitReport(withMapAndEmbedding(50, 16, 2), sending(1)).start;
    const large = splitReport(withMapAndEmbedding(5000, 16, 2), sending(1)).start;
    assert.deepEqual(Object.keys(large.header).filter((k) => k === 'rows'), []);
    assert.deepEqual(large.header.map, { method: 'pca' });
    assert.deepEqual(large.header.embedding, { dim: 16 });
    // only numbers get longer (row count, parts, the summary's counts)
    assert.ok(JSON.stringify(large).length < JSON.stringify(small).length + 64, `${JSON.stringify(large).length} vs ${JSON.stringify(small).length}`);
  });

  it('refuses parts of another report, repeated, out of range or not where their index says; nothing changes', () => {
    const report = withMapAndEmbedding(25, 4, 3);
    const split = splitReport(report, sending(2), 10);
    const a = new ReportAssembly(viaJson(split.start));
    const good = viaJson(split.part(1));
    const bad: ReportPartMessage[] = [
      { ...good, reportId: 1 },
      { ...good, index: 3 },
      { ...good, index: -1 },
      { ...good, index: 0 },
      { ...good, start: 11 },
      { ...good, rows: good.rows.slice(1) },
      { ...good, mapX: good.mapX?.slice(1) },
      { ...good, embedding: good.embedding?.slice(4) },
    ];
    for (const p of bad) assert.equal(a.add(p), false, JSON.stringify({ ...p, rows: p.rows.length, mapX: p.mapX?.length, embedding: p.embedding?.length }));
    assert.equal(a.received, 0);
    assert.ok(a.add(good));
    assert.equal(a.add(good), false, 'a repeat');
    assert.equal(a.received, 10);
    assert.throws(() => a.report(), /10 of 25 rows/);
    assert.ok(a.add(viaJson(split.part(0))));
    assert.ok(a.add(viaJson(split.part(2))));
    assert.deepEqual(a.report(), report);
  });

  it('refuses a start whose parts cannot hold its rows', () => {
    const start = splitReport(syntheticReport(30, { seed: 5 }), sending(1), 10).start;
    for (const bad of [{ parts: 2 }, { parts: 4 }, { rowsPerPart: 0 }, { rowCount: -1 }, { rowCount: 1.5 }] as Partial<ReportStartMessage>[]) {
      assert.throws(() => new ReportAssembly({ ...start, ...bad }), RangeError, JSON.stringify(bad));
    }
  });

  it('a report without rows is complete at its start', () => {
    const empty = { ...syntheticReport(3, { seed: 6 }), rows: [], rowCount: 0 };
    const split = splitReport(empty, sending(1));
    assert.equal(split.start.parts, 0);
    const a = new ReportAssembly(viaJson(split.start));
    assert.equal(a.complete, true);
    assert.deepEqual(a.report(), empty);
    assert.throws(() => split.part(0), RangeError);
  });

  it('parts hold ROWS_PER_PART rows, fewer when each row brings its embedding', () => {
    assert.equal(rowsPerPart({}), ROWS_PER_PART);
    assert.equal(rowsPerPart({ embedding: { dim: 64, values: [] } }), ROWS_PER_PART / 2);
    assert.ok(rowsPerPart({ embedding: { dim: 100_000, values: [] } }) >= 1);
    const split = splitReport(syntheticReport(2 * ROWS_PER_PART + 1, { seed: 7 }), sending(1));
    assert.deepEqual(Array.from({ length: split.start.parts }, (_, k) => split.part(k).rows.length), [ROWS_PER_PART, ROWS_PER_PART, 1]);
  });
});
