import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildRowVerdicts } from '../../src/core/rescore';
import { isTriviallyEasyRow, ReportColumns, ScoredView, trivialRule, TRIVIAL_BY_GAP, TRIVIAL_NEVER, TRIVIAL_SCORED } from '../../src/core/scoredView';
import { posteriors, quantile } from '../../src/core/tripletScores';
import { auditFile } from '../../src/core/node/auditFile';
import type { AuditReport, RowReport } from '../../src/core/types';
import { applyCleaning, planCleaning } from '../../src/extension/logic/cleanCopy';
import { fieldValue, setFieldsEdit, type RowEdit } from '../../src/extension/logic/fieldEdits';
import type { Layout } from '../../src/extension/logic/records';
import { parseWebviewMessage, validationContext } from '../../src/protocol';

const root = join(__dirname, '..', '..');
const apply = (text: string, e: RowEdit) => text.slice(0, e.start) + e.newText + text.slice(e.end);

function tripletRow(over: Partial<RowReport>): RowReport {
  return {
    row: 0, line: 2, endLine: 2, category: 'easy', loss: 0, dAP: 0.5, dAN: 0.9, suspicion: 0.1, flags: [], fold: 0,
    neighbours: [], evidence: [], anchor: 'a', positive: 'p', negative: 'n', ...over,
  };
}

describe('explicit triplets: the flags that follow the scores', () => {
  it('a scored triplet is trivially easy when its score is at least 0.5 and it is ordered right, at any margin', () => {
    assert.equal(trivialRule({}), TRIVIAL_BY_GAP);
    assert.equal(trivialRule({ trivial: 0.5 }), TRIVIAL_SCORED);
    assert.equal(trivialRule({ trivial: 0.4999 }), TRIVIAL_NEVER);
    assert.equal(isTriviallyEasyRow(0.5, 0.51, 0.2, TRIVIAL_SCORED), true); // semi-hard, still random-like
    assert.equal(isTriviallyEasyRow(0.5, 0.5, 0.2, TRIVIAL_SCORED), false); // hard: ordered wrong
    assert.equal(isTriviallyEasyRow(0.5, 0.9, 0.2, TRIVIAL_BY_GAP), true);
    assert.equal(isTriviallyEasyRow(0.5, 0.89, 0.2, TRIVIAL_BY_GAP), false);
    assert.equal(isTriviallyEasyRow(0.1, 1.9, 0.2, TRIVIAL_NEVER), false);
  });

  it('the host\'s typed re-scoring, the row-by-row verdicts and the summary agree on random triplet reports', () => {
    fc.assert(fc.property(fc.array(fc.record({
      dAP: fc.float({ min: 0, max: 2, noNaN: true }), dAN: fc.float({ min: 0, max: 2, noNaN: true }),
      trivial: fc.option(fc.float({ min: 0, max: 1, noNaN: true }), { nil: undefined }), fn: fc.boolean(), susp: fc.float({ min: 0, max: 1, noNaN: true }),
    }), { minLength: 1, maxLength: 40 }), fc.float({ min: Math.fround(0.01), max: 1, noNaN: true }), (spec, margin) => {
      const rows = spec.map((s, i) => tripletRow({ row: i, line: i + 2, endLine: i + 2, dAP: s.dAP, dAN: s.dAN, suspicion: s.susp, trivial: s.trivial, flags: s.fn ? ['false-negative'] : [] }));
      const report = { kind: 'triplets', rows, settings: { margin: 0.2, distance: 'euclidean', suspicionThreshold: 0.5 }, summary: {} } as unknown as AuditReport;
      const view = new ScoredView(new ReportColumns(report), margin, 'euclidean');
      const built = buildRowVerdicts(rows.map((r) => ({ ...r, evidence: [], neighbours: [] })), { margin, distance: 'euclidean', suspicionThreshold: 0.5 });
      built.forEach((r, i) => {
        assert.deepEqual(view.row(i).flags, r.flags);
        // a false negative is kept apart from swaps: never also mislabeled
        if (r.flags.includes('false-negative')) assert.ok(!r.flags.includes('mislabeled'));
      });
      assert.equal(view.summary.triviallyEasy, built.filter((r) => r.flags.includes('trivially-easy')).length);
      assert.equal(view.summary.falseNegative ?? 0, built.filter((r) => r.flags.includes('false-negative')).length);
    }), { numRuns: 200 });
  });
});

describe('explicit triplets: scores', () => {
  it('posteriors: EM finds the share of errors when the likelihood ratios separate them', () => {
    const llr = [...Array.from({ length: 900 }, () => -8), ...Array.from({ length: 100 }, () => 8)];
    const { posterior, prior } = posteriors(llr);
    assert.ok(Math.abs(prior - 0.1) < 0.01, `prior ${prior}`);
    assert.ok(posterior[0] < 0.01 && posterior[999] > 0.99);
  });

  it('quantile: the lower neighbour, NaN when empty', () => {
    assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
    assert.equal(quantile([5, 1, 3, 2, 4], 0), 1);
    assert.equal(quantile([5, 1, 3, 2, 4], 1), 5);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });

  it('an audit flags a negative that the file lists as a positive of the same anchor as a false negative, with replacements', async function () {
    this.timeout(120_000);
    const lines = readFileSync(join(root, '..', 'shared', 'datasets', 'nli_triplets_snli_dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 120)
      .map((l) => JSON.parse(l) as { anchor: string; positive: string; negative: string });
    // two triplets of one anchor whose negatives are each other's positives
    lines.push({ anchor: 'A dog runs across a green field.', positive: 'A dog is outside.', negative: 'An animal runs on grass.' });
    lines.push({ anchor: 'A dog runs across a green field.', positive: 'An animal runs on grass.', negative: 'A cat sleeps on a sofa.' });
    const f = join(require('node:os').tmpdir(), `ta-fn-${process.pid}.jsonl`);
    require('node:fs').writeFileSync(f, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await auditFile(f, { epochs: 2, folds: 3, backend: 'cpu' }).finally(() => require('node:fs').rmSync(f, { force: true }));
    const fn = r.rows[120];
    assert.ok(fn.flags.includes('false-negative'), `flags ${fn.flags.join(', ')}; ${fn.evidence.join(' | ')}`);
    assert.ok(!fn.flags.includes('mislabeled'));
    assert.equal(fn.suggestedFix, 'replace-negative');
    assert.ok(fn.falseNegative! >= 0.99);
    assert.ok(fn.evidence.some((e) => e === 'the negative is the positive of row 121, for the same anchor'), fn.evidence.join(' | '));
    assert.ok(fn.replacements?.length, 'a false negative gets replacement negatives');
    for (const c of fn.replacements!) {
      assert.notEqual(c.text, 'An animal runs on grass.');
      assert.notEqual(c.text, 'A dog is outside.');
      assert.ok(c.distance > fn.dAP! && c.distance < fn.dAP! + r.settings.margin, 'semi-hard at the margin');
    }
    assert.equal(r.summary.falseNegative, r.rows.filter((x) => x.flags.includes('false-negative')).length);
  });
});

describe('extension: setting fields to a mined negative', () => {
  const jsonl: Layout = { format: 'jsonl', header: [] };
  const csv: Layout = { format: 'csv', header: ['anchor', 'positive', 'negative'] };

  it('replaces the negative only, keeping the other fields and the quoting', () => {
    const row = '{"anchor": "a", "positive": "p", "negative": "old \\"n\\""}';
    const r = setFieldsEdit(row, jsonl, 0, [{ column: 'negative', value: 'new "n", é' }]);
    assert.ok(r.ok);
    assert.equal(apply(row, r.edit), '{"anchor": "a", "positive": "p", "negative": "new \\"n\\", é"}');
    const c = setFieldsEdit('a,p,old', csv, 0, [{ column: 'negative', value: 'x, y' }]);
    assert.ok(c.ok);
    assert.equal(apply('a,p,old', c.edit), 'a,p,"x, y"');
  });

  it('moves the negative to the positive and puts the replacement in the negative, in one edit', () => {
    const row = '"a","p","n"';
    const neg = fieldValue(row, csv, 0, 'negative');
    assert.ok(neg.ok);
    const r = setFieldsEdit(row, csv, 0, [{ column: 'negative', value: 'r' }, { column: 'positive', value: neg.value }]);
    assert.ok(r.ok);
    assert.equal(apply(row, r.edit), '"a","n","r"');
  });

  it('refuses a missing field', () => {
    assert.equal(setFieldsEdit('{"anchor": "a"}', jsonl, 0, [{ column: 'negative', value: 'x' }]).ok, false);
  });
});

describe('protocol: the mined-negative fixes', () => {
  const rows: RowReport[] = [tripletRow({ row: 0, line: 2 })];
  const ctx = validationContext(3, { kind: 'triplets', rows, labels: [] } as unknown as AuditReport);
  const labeled = validationContext(3, { kind: 'labeled', rows: [{ ...rows[0], label: 'A' }], labels: ['A', 'B'] } as unknown as AuditReport);
  it('accepts a replacement index with the fixes that use one, on triplets only', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'applyFix', reportId: 3, row: 0, fix: 'replace-negative', replacement: 2 }, ctx),
      { ok: true, message: { type: 'applyFix', reportId: 3, row: 0, fix: 'replace-negative', replacement: 2 } });
    assert.equal(parseWebviewMessage({ type: 'applyFix', reportId: 3, row: 0, fix: 'negative-to-positive', replacement: 0 }, ctx).ok, true);
    assert.equal(parseWebviewMessage({ type: 'applyFix', reportId: 3, row: 0, fix: 'replace-negative' }, ctx).ok, false);
    assert.equal(parseWebviewMessage({ type: 'applyFix', reportId: 3, row: 0, fix: 'replace-negative', replacement: -1 }, ctx).ok, false);
    assert.equal(parseWebviewMessage({ type: 'applyFix', reportId: 3, row: 0, fix: 'replace-negative', replacement: 0 }, labeled).ok, false);
    assert.equal(parseWebviewMessage({ type: 'applyFix', reportId: 3, row: 0, fix: 'swap', replacement: 0 }, ctx).ok, false);
  });
});

describe('the cleaned copy: a false negative gets its first mined negative', () => {
  it('copies the replacement row\'s full field into the negative, keeps the rest byte for byte', () => {
    const text = '{"anchor": "a", "positive": "p", "negative": "really a positive"}\n{"anchor": "b", "positive": "a long text that the report shortens", "negative": "m"}\n';
    const rows: RowReport[] = [
      tripletRow({ row: 0, line: 1, endLine: 1, flags: ['false-negative'], falseNegative: 0.9, suggestedFix: 'replace-negative',
        replacements: [{ row: 1, field: 'positive', text: 'a long text…', distance: 0.8, rank: 3 }] }),
      tripletRow({ row: 1, line: 2, endLine: 2 }),
    ];
    const report = { kind: 'triplets', rows, columns: { anchor: 'anchor', positive: 'positive', negative: 'negative' } } as unknown as AuditReport;
    const plan = planCleaning(report, new Set(), 'fix');
    assert.deepEqual(plan.map((a) => a.action), ['replace-negative']);
    const out = applyCleaning(text, 'jsonl', report.columns, plan);
    assert.equal(out.text, '{"anchor": "a", "positive": "p", "negative": "a long text that the report shortens"}\n' + text.split('\n')[1] + '\n');
    assert.ok(out.log[0].applied);
    assert.deepEqual(planCleaning(report, new Set(), 'drop').map((a) => a.action), ['drop']);
  });
});
