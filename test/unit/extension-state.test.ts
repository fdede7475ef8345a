import assert from 'node:assert/strict';
import { rescoreReport } from '../../src/core/rescore';
import type { AuditReport, RowReport } from '../../src/core/types';
import { AuditCache, retrainKey } from '../../src/extension/logic/auditCache';
import { applyCleaning, planCleaning } from '../../src/extension/logic/cleanCopy';
import { DEFAULT_SEVERITIES, countFindings, findingStops, findings, nextStop, rowRange } from '../../src/extension/logic/findings';
import { hashText } from '../../src/extension/logic/hash';
import { escapeMarkdown, hoverMarkdown } from '../../src/extension/logic/hoverText';
import { refreshLabels } from '../../src/extension/logic/labelRefresh';
import { parseReviewed, reviewedRows, serializeReviewed, withReviewed, withoutReviewed, emptyReviewed } from '../../src/extension/logic/reviewed';
import { digestText, labelOnlyChanges } from '../../src/extension/logic/rowDigest';
import { rowsInLines } from '../../src/extension/logic/rowLookup';

function row(p: Partial<RowReport> & { row: number; line: number }): RowReport {
  return {
    endLine: p.line, category: 'easy', loss: 0, dAP: 0.2, dAN: 1.5, suspicion: 0, flags: [], fold: 0,
    neighbours: [], evidence: [], ...p,
  };
}

function report(rows: RowReport[], over: Partial<AuditReport> = {}): AuditReport {
  return {
    version: 1, file: 'mem.csv', format: 'csv', kind: 'labeled', rowCount: rows.length,
    columns: { text: 'text', label: 'label' }, labels: ['a', 'b'],
    settings: { margin: 0.2, distance: 'euclidean', seed: 42, folds: 5, k: 3, backend: 'cpu', epochs: 1, dim: 8, mining: 'semi-hard', suspicionThreshold: 0.5 },
    model: { description: 'test', featureDim: 8, trainedRowsPerFold: [], epochsPerFold: [] }, folds: [], neighbourSearch: 'exact', timings: {},
    summary: { easy: 0, semiHard: 0, hard: 0, mislabeled: 0, triviallyEasy: 0, marginViolation: 0, nearDuplicate: 0, invalid: 0 },
    problems: [], rows, ...over,
  };
}

const CSV = 'text,label\nalpha one,a\n"beta, two",b\n"gamma\nthree",a\ndelta,b\n';
const nb = (r: number, label: string, distance: number) => ({ row: r, label, distance });
const sample = () => report([
  row({ row: 0, line: 2, label: 'a', neighbours: [nb(2, 'a', 0.3), nb(1, 'b', 0.5)] }),
  row({ row: 1, line: 3, label: 'b', neighbours: [nb(3, 'b', 0.3), nb(0, 'a', 0.5)] }),
  row({ row: 2, line: 4, endLine: 5, label: 'a', suggestedLabel: 'b', suspicion: 0.9, flags: ['mislabeled'], category: 'hard', dAP: 0.9, dAN: 0.4,
    neighbours: [nb(3, 'b', 0.1), nb(1, 'b', 0.2), nb(0, 'a', 0.3)], evidence: ['kNN: 1 of 3 are "a"'] }),
  row({ row: 3, line: 6, label: 'b', dAP: 0.5, dAN: 0.52, category: 'semi-hard', neighbours: [nb(2, 'a', 0.1), nb(1, 'b', 0.3)] }),
]);

describe('extension: row digests and label-only changes', () => {
  const rep = sample();
  const before = digestText(CSV, 'csv', rep.columns, rep.rows, 'h0');

  it('hashes each row\'s lines and reads its label', () => {
    assert.equal(before.rows.length, 4);
    assert.equal(before.rows[2].rowHash, hashText('"gamma\nthree",a'));
    assert.deepEqual(before.rows.map((r) => r.label), ['a', 'b', 'a', 'b']);
    assert.equal(before.recordCount, 4);
  });

  it('hashes CRLF files like LF files', () => {
    const crlf = digestText(CSV.replace(/\n/g, '\r\n'), 'csv', rep.columns, rep.rows, 'h1');
    assert.deepEqual(crlf.rows.map((r) => r.rowHash), before.rows.map((r) => r.rowHash));
  });

  it('sees a label-only change, and refuses anything else', () => {
    const relabeled = digestText(CSV.replace('"gamma\nthree",a', '"gamma\nthree",b'), 'csv', rep.columns, rep.rows, 'h2');
    assert.deepEqual([...(labelOnlyChanges(before, relabeled) ?? [])], [[2, 'b']]);
    const quoted = digestText(CSV.replace('delta,b', 'delta,"b"'), 'csv', rep.columns, rep.rows, 'h3');
    assert.equal(labelOnlyChanges(before, quoted)?.size, 0);
    assert.equal(labelOnlyChanges(before, digestText(CSV.replace('alpha one', 'alpha 1'), 'csv', rep.columns, rep.rows, 'x')), undefined);
    assert.equal(labelOnlyChanges(before, digestText(CSV + 'epsilon,a\n', 'csv', rep.columns, rep.rows, 'x')), undefined);
    assert.equal(labelOnlyChanges(before, digestText('\n' + CSV, 'csv', rep.columns, rep.rows, 'x')), undefined);
  });

  it('refreshes flags from cached neighbours without re-training', () => {
    const fixed = refreshLabels(rep, new Map([[2, 'b']]));
    const r2 = fixed.rows[2];
    assert.equal(r2.label, 'b');
    assert.equal(r2.flags.includes('mislabeled'), false);
    assert.equal(r2.suggestedLabel, undefined);
    assert.ok(Math.abs(r2.suspicion - 1 / 3) < 1e-9);
    assert.equal(fixed.rows[3].neighbours[0].label, 'b', 'neighbour lists show the new label');
    assert.equal(fixed.rows[1], rep.rows[1], 'untouched rows are shared');
    assert.equal(fixed.summary.mislabeled, 0);
    const wrong = refreshLabels(rep, new Map([[2, 'c']]));
    assert.deepEqual([wrong.rows[2].flags, wrong.rows[2].suggestedLabel, wrong.rows[2].suspicion], [['mislabeled'], 'b', 1]);
    assert.deepEqual(wrong.labels, ['a', 'b', 'c']);
    // rescoring keeps the refreshed verdict
    assert.equal(rescoreReport(fixed, 0.2, 'euclidean').rows[2].flags.includes('mislabeled'), false);
  });
});

describe('extension: cache', () => {
  it('keys on file, content and re-train settings, not margin or distance', () => {
    assert.equal(retrainKey({ margin: 0.2, distance: 'cosine', k: 10, seed: 1 }), retrainKey({ seed: 1, k: 10, margin: 5 }));
    assert.notEqual(retrainKey({ k: 10 }), retrainKey({ k: 5 }));
    const c = new AuditCache<string>(2);
    c.set('f', 'h1', 'k', 'one');
    assert.equal(c.get('f', 'h1', 'k'), 'one');
    assert.equal(c.get('f', 'h2', 'k'), undefined);
    assert.equal(c.get('g', 'h1', 'k'), undefined);
    c.set('f', 'h2', 'k', 'two');
    c.get('f', 'h1', 'k');
    c.set('f', 'h3', 'k', 'three');
    assert.equal(c.get('f', 'h2', 'k'), undefined, 'least recently used goes first');
    assert.equal(c.get('f', 'h1', 'k'), 'one');
    c.deleteFile('f');
    assert.equal(c.size, 0);
  });
});

describe('extension: diagnostics model', () => {
  it('puts findings on the row\'s lines, 1-based → 0-based', () => {
    assert.deepEqual(rowRange({ line: 4, endLine: 5 }), { startLine: 3, endLine: 4 });
    const list = findings(rescoreReport(sample(), 0.2, 'euclidean'), new Set(), { ...DEFAULT_SEVERITIES, hard: 'warning' });
    const mis = list.filter((f) => f.kind === 'mislabeled');
    assert.deepEqual(mis.map((f) => [f.row, f.startLine, f.endLine, f.severity]), [[2, 3, 4, 'warning']]);
    assert.match(mis[0].message, /labeled "a", the evidence points to "b"/);
    assert.match(mis[0].message, /Nearest: row 3 "b" at 0.1/);
    assert.ok(list.some((f) => f.kind === 'hard' && f.row === 2 && /loss = max\(0.9 - 0.4 \+ 0.2, 0\) = 0.7/.test(f.message)));
    // margin violations stay out of the Problems panel unless the user turns them on
    assert.equal(findings(rescoreReport(sample(), 0.2, 'euclidean'), new Set(), DEFAULT_SEVERITIES).some((f) => f.kind === 'hard'), false);
  });

  it('counts follow the margin, severities can be turned off, reviewed rows drop out', () => {
    const base = sample();
    const at = (m: number) => countFindings(rescoreReport(base, m, 'euclidean'), new Set());
    assert.deepEqual([at(0.05).semiHard, at(0.05).triviallyEasy], [1, 2]);
    assert.deepEqual([at(1.5).semiHard, at(1.5).triviallyEasy, at(1.5).hard], [3, 0, 1]);
    const view = rescoreReport(base, 0.2, 'euclidean');
    const off = findings(view, new Set(), { ...DEFAULT_SEVERITIES, hard: 'off', 'trivially-easy': 'off' });
    assert.deepEqual(off.map((f) => f.kind), ['mislabeled']);
    assert.equal(findings(view, new Set([2]), DEFAULT_SEVERITIES).some((f) => f.row === 2), false);
    assert.equal(countFindings(view, new Set([2])).reviewed, 1);
  });

  it('navigates between suspicious rows, wrapping around', () => {
    const stops = findingStops(findings(rescoreReport(sample(), 0.2, 'euclidean'), new Set(), DEFAULT_SEVERITIES));
    assert.deepEqual(stops.map((s) => s.row), [2]);
    const many = [{ startLine: 1, endLine: 1 }, { startLine: 3, endLine: 4 }, { startLine: 8, endLine: 8 }];
    assert.equal(nextStop(many, 0, 1), many[0]);
    assert.equal(nextStop(many, 3, 1), many[2]);
    assert.equal(nextStop(many, 9, 1), many[0]);
    assert.equal(nextStop(many, 4, -1), many[0]);
    assert.equal(nextStop(many, 0, -1), many[2]);
  });

  it('finds rows by editor line', () => {
    const rows = sample().rows;
    assert.deepEqual(rowsInLines(rows, 4, 4), [2]);
    assert.deepEqual(rowsInLines(rows, 0, 2), [0, 1]);
    assert.deepEqual(rowsInLines(rows, 6, 9), []);
  });

  it('writes a hover with distances, evidence and neighbours, escaping the data', () => {
    const view = rescoreReport(sample(), 0.2, 'euclidean');
    const md = hoverMarkdown(view.rows[2], view, (r) => view.rows[r]?.line, false);
    assert.match(md, /hard at margin 0\.2 \(euclidean\)/);
    assert.match(md, /d\(a,p\) = 0\.9 · d\(a,n\) = 0\.4 · loss = 0\.7/);
    assert.match(md, /\| 3 \| 6 \| b \| 0\.1 \|/);
    assert.equal(escapeMarkdown('a|b*c'), 'a\\|b\\*c');
  });
});

describe('extension: reviewed sidecar', () => {
  it('adds, dedupes, sorts and reads back marks; bad files read as empty', () => {
    let f = emptyReviewed('d.csv');
    f = withReviewed(f, { rowHash: 'b', line: 9, reviewedAt: 't' });
    f = withReviewed(f, { rowHash: 'a', line: 3, label: 'x', reviewedAt: 't' });
    f = withReviewed(f, { rowHash: 'b', line: 10, reviewedAt: 't2' });
    const text = serializeReviewed(f);
    assert.deepEqual(parseReviewed(text, 'd.csv').value.reviewed.map((e) => [e.rowHash, e.line]), [['a', 3], ['b', 10]]);
    assert.ok(parseReviewed('{', 'd.csv').error);
    assert.deepEqual(parseReviewed('{"reviewed":[{"line":1},{"rowHash":"z"}]}', 'd.csv').value.reviewed.map((e) => e.rowHash), ['z']);
  });

  it('a hand-edited sidecar loses nothing: entries without a rowHash, fields a person added, other top-level fields', () => {
    const hand = JSON.stringify({
      version: 1, file: 'd.csv', reviewer: 'ana', reviewed: [
        { rowHash: 'b', line: 9, reviewedAt: 't', note: 'checked with the annotator' },
        { line: 4, note: 'a mark without its hash' }, 'a stray string', { rowHash: 'a', line: '3', reviewedAt: 7 },
      ],
    });
    const parsed = parseReviewed(hand, 'd.csv');
    assert.equal(parsed.error, undefined);
    assert.match(parsed.warning ?? '', /2 of its entries have no "rowHash" and mark no row; they are kept as they are/);
    assert.deepEqual(parsed.value.reviewed.map((e) => e.rowHash), ['b', 'a']);
    const next = JSON.parse(serializeReviewed(withReviewed(parsed.value, { rowHash: 'c', line: 5, reviewedAt: 't2' }))) as Record<string, unknown> & { reviewed: unknown[] };
    assert.equal(next.reviewer, 'ana');
    assert.deepEqual(next.reviewed, [
      { rowHash: 'a', line: '3', reviewedAt: 7 }, { rowHash: 'c', line: 5, reviewedAt: 't2' },
      { rowHash: 'b', line: 9, reviewedAt: 't', note: 'checked with the annotator' },
      { line: 4, note: 'a mark without its hash' }, 'a stray string',
    ], 'every entry is still there, as written');
  });

  it('a corrupt sidecar is an error (its marks are unknown; nothing may be written over it)', () => {
    for (const [text, why] of [['{"reviewed": [', /not JSON/], ['[1, 2]', /not a JSON object with a "reviewed" array/], ['{"marks": []}', /no "reviewed" array/],
      ['<<<<<<< HEAD\n{"reviewed": []}\n=======\n', /not JSON/]] as const) {
      const p = parseReviewed(text, 'd.csv');
      assert.match(p.error ?? '', why, text);
      assert.deepEqual(p.value.reviewed, []);
    }
  });

  it('maps marked hashes to rows and keeps them out of the panel\'s flags', () => {
    const rep = sample();
    const digest = digestText(CSV, 'csv', rep.columns, rep.rows, 'h');
    const marked = reviewedRows(rep.rows, digest.rows, new Set([digest.rows[2].rowHash]));
    assert.deepEqual([...marked], [2]);
    assert.deepEqual(withoutReviewed(rep, marked).rows[2].flags, []);
  });
});

describe('extension: cleaned copy', () => {
  const rep = sample();
  rep.rows[1] = { ...rep.rows[1], flags: ['near-duplicate'], evidence: ['near-duplicate of row 0'] };

  it('relabels in place (same quoting) and drops what cannot be fixed', () => {
    const plan = planCleaning(rep, new Set(), 'fix');
    assert.deepEqual(plan.map((a) => [a.row, a.action, a.to]), [[1, 'drop', undefined], [2, 'relabel', 'b']]);
    const out = applyCleaning(CSV, 'csv', rep.columns, plan);
    assert.equal(out.text, 'text,label\nalpha one,a\n"gamma\nthree",b\ndelta,b\n');
    assert.ok(out.log.every((e) => e.applied));
    assert.match(out.log[1].reason, /suspected mislabel/);
  });

  it('drops flagged rows, keeps reviewed ones, logs rows it cannot find', () => {
    const plan = planCleaning(rep, new Set([1]), 'drop');
    assert.deepEqual(plan.map((a) => a.row), [2]);
    assert.equal(applyCleaning(CSV, 'csv', rep.columns, plan).text, 'text,label\nalpha one,a\n"beta, two",b\ndelta,b\n');
    const moved = applyCleaning('text,label\n\n' + CSV.slice(11), 'csv', rep.columns, plan);
    assert.equal(moved.log[0].applied, false);
  });

  it('keeps a JSON array valid and JSONL line-per-row', () => {
    const json = '[\n  {"text": "a", "label": "a"},\n  {"text": "b", "label": "a"},\n  {"text": "c", "label": "b"}\n]\n';
    const jrep = report([
      row({ row: 0, line: 2, label: 'a', flags: ['mislabeled'], suggestedLabel: 'b', suspicion: 0.9 }),
      row({ row: 1, line: 3, label: 'a' }),
      row({ row: 2, line: 4, label: 'b', flags: ['invalid'], evidence: ['bad'] }),
    ], { format: 'json' });
    const fixed = applyCleaning(json, 'json', jrep.columns, planCleaning(jrep, new Set(), 'fix'));
    assert.equal(fixed.text, '[\n  {"text": "a", "label": "b"},\n  {"text": "b", "label": "a"}\n]\n');
    assert.deepEqual(JSON.parse(fixed.text), [{ text: 'a', label: 'b' }, { text: 'b', label: 'a' }]);
    const dropped = applyCleaning(json, 'json', jrep.columns, planCleaning(jrep, new Set(), 'drop'));
    assert.deepEqual(JSON.parse(dropped.text), [{ text: 'b', label: 'a' }]);
    const jsonl = '{"text":"a","label":"a"}\n{"text":"b","label":"a"}\n';
    const l = applyCleaning(jsonl, 'jsonl', jrep.columns, planCleaning(report([row({ row: 0, line: 1, label: 'a', flags: ['mislabeled'], suggestedLabel: 'b', suspicion: 1 })]), new Set(), 'fix'));
    assert.equal(l.text, '{"text":"a","label":"b"}\n{"text":"b","label":"a"}\n');
  });

  it('swaps triplets whose positive and negative look swapped', () => {
    const trip = 'anchor,positive,negative\nq,"neg, really",pos\n';
    const trep = report([row({ row: 0, line: 2, flags: ['mislabeled'], suggestedFix: 'swap-positive-negative', suspicion: 0.9 })],
      { kind: 'triplets', columns: { anchor: 'anchor', positive: 'positive', negative: 'negative' } });
    const out = applyCleaning(trip, 'csv', trep.columns, planCleaning(trep, new Set(), 'fix'));
    assert.equal(out.text, 'anchor,positive,negative\nq,pos,"neg, really"\n');
  });
});
