import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { categoryCode, CATEGORY_NAMES, isTriviallyEasy, suggestMargin } from '../../src/core/categories';
import { auditFile } from '../../src/core/node/auditFile';
import { buildRowVerdicts, rescoreReport } from '../../src/core/rescore';
import { CATEGORY_NONE, FLAG_BIT, flagList, ReportColumns, round3, ScoredView } from '../../src/core/scoredView';
import type { AuditReport, DistanceName, RowReport } from '../../src/core/types';
import { FindingTable, omittedMessage } from '../../src/extension/logic/findingTable';
import { DEFAULT_SEVERITIES, findings, type Finding, type SeveritySettings } from '../../src/extension/logic/findings';
import { refreshLabels } from '../../src/extension/logic/labelRefresh';
import { rowIndex } from '../../src/extension/logic/rowLookup';
import { countFindingsBefore, findingsBefore, findingStopsBefore, rescoreReportBefore } from '../support/before';
import { syntheticReport } from '../support/syntheticReport';

const root = join(__dirname, '..', '..');
const DISTANCES: readonly DistanceName[] = ['euclidean', 'squared-euclidean', 'cosine'];
const MARGINS = [0.05, 0.2, 0.45, 1];
const SEVERITIES: readonly SeveritySettings[] = [
  DEFAULT_SEVERITIES,
  { mislabeled: 'error', hard: 'off', 'trivially-easy': 'hint', 'near-duplicate': 'off', invalid: 'information', leak: 'hint', 'false-negative': 'hint' },
];

/** VS Code's own pick when a file has more diagnostics than it shows (ExtHostDiagnostics): by severity, then in list order. */
function vscodePick(list: readonly Finding[], limit: number): Finding[] {
  const kept = new Set<Finding>();
  for (const s of ['error', 'warning', 'information', 'hint']) {
    for (const f of list) if (f.severity === s && kept.size < limit) kept.add(f);
  }
  return list.filter((f) => kept.has(f));
}

/** Every check of the typed path against the code it replaces, on one report. */
function checkAgainstBefore(name: string, report: AuditReport): void {
  const columns = new ReportColumns(report);
  const index = rowIndex(report.rows);
  const everySeventh = new Set(report.rows.filter((_, i) => i % 7 === 3).map((r) => r.row));
  for (const distance of DISTANCES) {
    for (const margin of [...MARGINS, report.settings.margin]) {
      const before = rescoreReportBefore(report, margin, distance);
      const view = new ScoredView(columns, margin, distance);
      assert.deepEqual(view.summary, before.summary, `${name} ${margin} ${distance}: summary`);
      for (let i = 0; i < report.rows.length; i++) {
        const b = before.rows[i];
        assert.equal(view.category[i], b.category === null ? CATEGORY_NONE : CATEGORY_NAMES.indexOf(b.category));
        assert.deepEqual(flagList(view.flags[i]), [...new Set(b.flags)].sort((x, y) => FLAG_BIT[x] - FLAG_BIT[y]));
      }
      // byte for byte, key order included (an exported report is JSON)
      assert.equal(JSON.stringify(view.report()), JSON.stringify(before), `${name} ${margin} ${distance}: report`);
      assert.deepEqual(view.row(report.rows.length - 1), before.rows[report.rows.length - 1]);
      // "Set Margin…" suggests from the view's columns, where rows without distances are NaN
      const valid = before.rows.filter((r) => r.dAP !== null && r.dAN !== null);
      assert.equal(suggestMargin(view.dAP, view.dAN), suggestMargin(valid.map((r) => r.dAP ?? 0), valid.map((r) => r.dAN ?? 0)));
      for (const reviewed of [new Set<number>(), everySeventh]) {
        for (const severities of SEVERITIES) {
          const what = `${name} ${margin} ${distance}, ${reviewed.size} reviewed, hard ${severities.hard}`;
          const list = findingsBefore(before, reviewed, severities);
          const table = new FindingTable(view, reviewed, severities, index);
          assert.deepEqual(table.all(), list, `${what}: findings`);
          assert.equal(table.total, list.length);
          assert.deepEqual(table.counts, countFindingsBefore(before, reviewed), `${what}: counts`);
          assert.deepEqual(table.stops(), findingStopsBefore(list), `${what}: stops`);
          const flagged = new Set(list.map((f) => f.row));
          report.rows.forEach((r, i) => assert.equal(table.flagged(i), flagged.has(r.row)));
          for (const limit of [0, 7, Math.floor(list.length / 2), list.length + 1]) {
            const sel = table.forProblems(limit);
            assert.deepEqual(sel.shown, vscodePick(list, limit), `${what}: the first ${limit} for the Problems panel`);
            assert.equal(sel.omittedTotal, list.length - sel.shown.length);
            for (const k of Object.keys(sel.omitted) as Finding['kind'][]) {
              assert.equal(sel.omitted[k], list.filter((f) => f.kind === k).length - sel.shown.filter((f) => f.kind === k).length);
            }
          }
          // and the whole-report findings() of today's code path gives the same on the new rescoreReport
          assert.deepEqual(findings(view.report(), reviewed, severities), list);
        }
      }
    }
  }
  assert.equal(JSON.stringify(rescoreReport(report, 0.3, 'cosine')), JSON.stringify(rescoreReportBefore(report, 0.3, 'cosine')));
}

describe('re-scoring on typed columns gives what rebuilding every row gave', function () {
  this.timeout(300_000);
  let audited: AuditReport;
  let invalidRows: AuditReport;
  let triplets: AuditReport;

  before(async () => {
    const quick = { epochs: 2, folds: 3, backend: 'cpu' as const };
    audited = await auditFile(join(root, 'media', 'sample.csv'), { ...quick, maxRows: 200 });
    invalidRows = await auditFile(join(root, 'test', 'fixtures', 'bad', 'ragged_rows.csv'), { ...quick, folds: 2 });
    triplets = await auditFile(join(root, '..', 'shared', 'datasets', 'nli_triplets_snli_dev.jsonl'), { ...quick, maxRows: 60 });
  });

  it('on an audit of media/sample.csv at several margins and every distance', () => {
    assert.ok(audited.summary.mislabeled > 0 && audited.summary.hard > 0);
    checkAgainstBefore('sample', audited);
  });

  it('on an audit with invalid rows, explicit triplets, a label refresh, and a report already re-scored to another distance', () => {
    assert.ok(invalidRows.summary.invalid > 0, 'ragged_rows.csv gives invalid rows');
    checkAgainstBefore('bad rows', invalidRows);
    checkAgainstBefore('triplets', triplets);
    const relabeled = refreshLabels(audited, new Map([[3, 'NUM'], [10, audited.rows[11].label ?? 'x']]));
    checkAgainstBefore('label refresh', relabeled);
    checkAgainstBefore('squared', rescoreReportBefore(audited, 0.7, 'squared-euclidean'));
  });

  it('on synthetic reports with exact ties and rows on the margin boundaries', () => {
    checkAgainstBefore('synthetic labeled', syntheticReport(1200, { seed: 1 }));
    checkAgainstBefore('synthetic triplets', syntheticReport(800, { kind: 'triplets', seed: 2 }));
  });
});

describe('the engine\'s verdicts (buildRowVerdicts)', () => {
  /** The rows as the engine hands them over: Euclidean distances, no verdict, no hinge line yet. */
  function engineRows(report: AuditReport): RowReport[] {
    return report.rows.map((r) => ({
      ...r, category: r.category === null ? null : 'easy', loss: r.category === null ? null : 0,
      flags: r.category === null ? r.flags.slice() : r.flags.filter((f) => f === 'near-duplicate'),
      neighbours: r.neighbours.map((nb) => ({ ...nb })), evidence: r.evidence.filter((e) => !e.startsWith('hinge: ')),
    }));
  }

  it('sets every row\'s verdict in place, in each distance, as the code it replaced gave them', () => {
    for (const report of [syntheticReport(1500, { seed: 3 }), syntheticReport(600, { kind: 'triplets', seed: 4 })]) {
      for (const distance of DISTANCES) {
        for (const margin of [0.05, 0.2, 1]) {
          const rows = engineRows(report);
          const objects = rows.slice();
          const out = buildRowVerdicts(rows, { margin, distance, suspicionThreshold: report.settings.suspicionThreshold });
          assert.equal(out, rows, 'the same array');
          assert.ok(out.every((r, i) => r === objects[i]), 'the same row objects');
          const before = rescoreReportBefore({ ...report, rows: engineRows(report) }, margin, distance);
          assert.equal(JSON.stringify(out), JSON.stringify(before.rows), `${report.kind} ${margin} ${distance}`);
        }
      }
    }
  });
});

describe('round3', () => {
  const slow = (v: number) => (Math.round(v * 1000) / 1000).toString();

  it('writes every number as (Math.round(v * 1000) / 1000).toString() does', () => {
    for (const v of [0, -0, 0.0005, -0.0005, 0.0004999, 0.001, -0.001, 0.1, 0.12, 0.1205, 1.9995, 2, -2.5, 999.9996, 1e12 - 0.0004, 1e12, 1e15, 1e21, -1e21, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 5e-324]) {
      assert.equal(round3(v), slow(v), String(v));
    }
    fc.assert(fc.property(fc.double(), (v) => round3(v) === slow(v)), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ min: -5, max: 5 }), (v) => round3(v) === slow(v)), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer({ min: -2e9, max: 2e9 }), (k) => round3(k / 1000) === slow(k / 1000) && round3(k / 1000 + 0.0005) === slow(k / 1000 + 0.0005)), { numRuns: 20_000 });
  });
});

describe('ScoredView', () => {
  const row = (p: Partial<RowReport> & { row: number }): RowReport => ({
    line: p.row + 2, endLine: p.row + 2, category: 'easy', loss: 0, dAP: 0.5, dAN: 1, suspicion: 0, flags: [], fold: 0,
    neighbours: [], evidence: [], label: 'a', ...p,
  });
  const report = (rows: RowReport[]): AuditReport => ({
    version: 1, file: 'mem.csv', format: 'csv', kind: 'labeled', rowCount: rows.length, columns: { text: 'text', label: 'label' }, labels: ['a', 'b'],
    settings: { margin: 0.2, distance: 'euclidean', seed: 1, folds: 2, k: 3, backend: 'cpu', epochs: 1, dim: 4, mining: 'semi-hard', suspicionThreshold: 0.5 },
    model: { description: 'test', featureDim: 4, trainedRowsPerFold: [], epochsPerFold: [] }, folds: [], neighbourSearch: 'exact', timings: {},
    summary: { easy: 0, semiHard: 0, hard: 0, mislabeled: 0, triviallyEasy: 0, marginViolation: 0, nearDuplicate: 0, invalid: 0 },
    problems: [], rows,
  });

  it('classifies exactly on the boundaries, as categoryCode and isTriviallyEasy do', () => {
    const m = 0.25;
    const pairs: [number, number][] = [[0.5, 0.5], [0.5, 0.75], [0.5, 0.7499999], [0.5, 1], [0.5, 0.9999999], [0.5, 0.4], [0, 0], [0.5, NaN], [2, 1e-12]];
    const view = new ScoredView(new ReportColumns(report(pairs.map(([dAP, dAN], i) => row({ row: i, dAP, dAN })))), m, 'euclidean');
    pairs.forEach(([p, q], i) => {
      assert.equal(view.category[i], categoryCode(p, q, m), `category of ${p}, ${q}`);
      assert.equal((view.flags[i] & FLAG_BIT['trivially-easy']) !== 0, isTriviallyEasy(p, q, m), `trivially easy ${p}, ${q}`);
      assert.equal((view.flags[i] & FLAG_BIT['margin-violation']) !== 0, categoryCode(p, q, m) !== 0);
    });
  });

  it('keeps rows without distances as they are, and reuses itself and its distances when nothing changed', () => {
    const invalid = row({ row: 1, dAP: null, dAN: null, category: null, loss: null, flags: ['invalid'], evidence: ['empty label'] });
    const columns = new ReportColumns(report([row({ row: 0, dAN: 0.8, suspicion: 0.9, suggestedLabel: 'b' }), invalid]));
    const view = new ScoredView(columns, 0.2, 'euclidean');
    assert.equal(view.row(1), invalid, 'an unscored row in its own distance is the audited object');
    assert.deepEqual(view.row(0).flags, ['mislabeled']);
    assert.equal(view.category[1], CATEGORY_NONE);
    assert.equal(view.rescore(0.2, 'euclidean'), view);
    assert.notEqual(view.rescore(0.3, 'euclidean'), view);
    assert.equal(columns.distances('cosine'), columns.distances('cosine'), 'a distance is converted once');
    assert.equal(view.report(), view.report(), 'the whole report is built once per view');
  });
});

describe('findings for the Problems panel', () => {
  it('says how many findings of each kind are left out, and where to see them', () => {
    const report = syntheticReport(400, { seed: 3 });
    const view = new ScoredView(new ReportColumns(report), 0.05, 'euclidean');
    const table = new FindingTable(view, new Set(), DEFAULT_SEVERITIES, rowIndex(report.rows));
    const sel = table.forProblems(10);
    assert.equal(sel.shown.length, 10);
    assert.ok(sel.shown.every((f) => f.severity === 'error' || f.severity === 'warning'), 'the most severe come first');
    const text = omittedMessage(sel, view, 1000);
    assert.match(text, new RegExp(`^${sel.omittedTotal} more findings at margin 0.05 \\(euclidean\\) are not listed here`));
    assert.match(text, /at most 1,000 problems per file/);
    assert.match(text, new RegExp(`${sel.omitted['trivially-easy']} trivially easy`));
    assert.match(text, /Open the audit panel/);
  });
});

describe('ReportColumns.inTurns', () => {
  it('reads the same columns as the constructor, over as many turns as the rows need', async () => {
    for (const report of [syntheticReport(1000, { seed: 11 }), syntheticReport(333, { kind: 'triplets', seed: 12 }), syntheticReport(0, { seed: 13 })]) {
      let turns = 0;
      const inTurns = await ReportColumns.inTurns(report, async () => { turns++; }, 100);
      const atOnce = new ReportColumns(report);
      assert.equal(turns, Math.max(0, Math.ceil(report.rows.length / 100) - 1));
      for (const k of ['n', 'scored', 'scoredCount', 'fixedFlags', 'keptCategory', 'fixedSummary'] as const) assert.deepEqual(inTurns[k], atOnce[k], k);
      for (const d of DISTANCES) assert.deepEqual(inTurns.distances(d), atOnce.distances(d));
      assert.deepEqual(new ScoredView(inTurns, 0.3, 'cosine').report(), new ScoredView(atOnce, 0.3, 'cosine').report());
    }
  });
});
