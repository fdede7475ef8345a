import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { auditFile, auditFiles } from '../../src/core/node/auditFile';
import { allowedEdits, findLeaks, leakWords, wordEdits, type LeakItem } from '../../src/core/leaks';
import { featurize } from '../../src/core/featurize';
import { combineDatasets, splitFromName } from '../../src/core/multi';
import { readDatasetFile } from '../../src/core/node/readFile';
import { InputError } from '../../src/core/dataset';
import { fileDigest, fileReport } from '../../src/extension/logic/groups';
import { planCleaning } from '../../src/extension/logic/cleanCopy';
import { digestText } from '../../src/extension/logic/rowDigest';
import { plantSplits, readJsonl, toJsonl } from '../../bench/plantLeaks';
import type { AuditReport } from '../../src/core/types';

const root = join(__dirname, '..', '..');
const AG_NEWS = join(root, '..', 'shared', 'datasets', 'ag_news_test.jsonl');
const quick = { epochs: 2, folds: 3, backend: 'cpu' as const };

/** Plain Levenshtein distance of two word lists (the reference wordEdits is held to). */
function levenshtein(a: readonly string[], b: readonly string[]): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

describe('leaks between files: the rule', () => {
  it('wordEdits is the word Levenshtein distance up to its cap, cap + 1 beyond', () => {
    const words = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 14 });
    fc.assert(fc.property(words, words, fc.integer({ min: 0, max: 4 }), (a, b, cap) => {
      const full = levenshtein(a, b);
      assert.equal(wordEdits(a, b, cap), full <= cap ? full : cap + 1);
    }), { numRuns: 400 });
  });

  it('normalises case, spacing and punctuation, deleting it inside words too', () => {
    assert.deepEqual(leakWords('The  CAT sat.'), ['the', 'cat', 'sat']);
    assert.deepEqual(leakWords("Microsoft Corp.'s &lt;MSFT.O&gt; rose"), leakWords('microsoft corps ltmsftogt rose'));
    assert.deepEqual(leakWords('好的酒店'), ['好', '的', '酒', '店']);
  });

  it('allows one word edit per ten words of the longer text, none under ten', () => {
    assert.equal(allowedEdits(9, 9), 0);
    assert.equal(allowedEdits(9, 10), 1);
    assert.equal(allowedEdits(35, 34), 3);
  });

  it('finds exact and one-word copies in other files only, with the pair; short texts must match exactly', async () => {
    const long = 'the central bank raised its key interest rate by half a point on tuesday citing inflation';
    const texts = [
      long, 'What is the capital of France ?', 'a sentence that appears twice in the same file only', 'unrelated words about football and the league table this week',
      // file 1: a one-word edit of `long`, a one-word variant of the short question, the same-file repeat, exact copy of row 3 in other case/punctuation
      long.replace('tuesday', 'monday'), 'What is the capital of Spain ?', 'a sentence that appears twice in the same file only', 'UNRELATED words, about football and the league table this week!',
    ];
    const files = [0, 0, 0, 0, 1, 1, 1, 1];
    // file 1's repeat of row 2 is a leak too (row 2 is in file 0): make file 0's copy unique first
    texts[2] = 'a sentence only file zero has in it';
    const x = featurize(texts);
    const items: LeakItem[] = texts.map((text, i) => ({ text, row: i, file: files[i], x: i, query: true }));
    const found = await findLeaks(items, x, 1);
    assert.deepEqual([...found.keys()].sort((a, b) => a - b), [0, 3, 4, 7]);
    assert.equal(found.get(4)!.of, 0);
    assert.equal(found.get(4)!.exact, false);
    assert.equal(found.get(4)!.edits, 1);
    assert.equal(found.get(7)!.of, 3);
    assert.equal(found.get(7)!.exact, true);
    assert.equal(found.get(0)!.of, 4);
  });
});

describe('several files audited together', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'ta-multi-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const rows = readJsonl(AG_NEWS).slice(0, 600);
  const planted = plantSplits(rows, 'text', 7, 12);
  const names = ['train.jsonl', 'dev.jsonl', 'test.jsonl'];
  const paths = names.map((n, i) => { const p = join(dir, n); writeFileSync(p, toJsonl(planted.planted[i])); return p; });
  let report: AuditReport;

  before(async () => {
    report = await auditFiles(paths, quick);
  });

  it('splits are told from file names', () => {
    assert.deepEqual(['data/train.jsonl', 'x_dev.csv', 'valid.tsv', 'TEST-2.jsonl', 'eval_set.json', 'notes.jsonl', 'contest.csv'].map(splitFromName),
      ['train', 'dev', 'dev', 'test', 'test', 'other', 'other']);
  });

  it('numbers rows across the files and keeps each row\'s file and line', () => {
    assert.deepEqual(report.files?.map((f) => [f.path, f.split, f.firstRow, f.rows]), paths.map((p, i) => [p, ['train', 'dev', 'test'][i], planted.planted.slice(0, i).reduce((t, s) => t + s.length, 0), planted.planted[i].length]));
    report.rows.forEach((r, i) => assert.equal(r.row, i));
    for (const [f, file] of (report.files ?? []).entries()) {
      report.rows.slice(file.firstRow, file.firstRow + file.rows).forEach((r, k) => { assert.equal(r.file, f); assert.equal(r.line, k + 1); });
    }
  });

  it('flags every planted copy as a leak, on its own file and line, with the row it repeats', () => {
    const at = (file: number, line: number) => report.rows.find((r) => r.file === file && r.line === line)!;
    for (const p of planted.plants) {
      const r = at(p.file, p.line);
      assert.ok(r.flags.includes('leak'), `${names[p.file]}:${p.line} (${p.edit}) not flagged`);
      const other = report.rows[r.leak!.row];
      assert.notEqual(other.file, r.file);
      assert.ok(r.evidence.some((e) => e.startsWith('leak: ') && e.includes(`${names[other.file!]} line ${other.line}`)), r.evidence.join(' | '));
    }
    assert.equal(report.summary.leak, report.rows.filter((r) => r.flags.includes('leak')).length);
    assert.ok(report.leakRule?.includes('per 10 words'));
  });

  it('rows of the test file train nothing: changing their labels changes no other row\'s scores', async () => {
    const labels = [...new Set(rows.map((r) => String(r.label)))];
    const test = planted.planted[2].map((r, i) => (i % 3 === 0 ? { ...r, label: labels[(labels.indexOf(String(r.label)) + 1) % labels.length] } : r));
    const other = join(dir, 'other', 'test.jsonl');
    mkdirSync(join(dir, 'other'), { recursive: true });
    writeFileSync(other, toJsonl(test));
    const changed = await auditFiles([paths[0], paths[1], other], quick);
    const testFrom = report.files![2].firstRow;
    for (let i = 0; i < testFrom; i++) {
      assert.equal(changed.rows[i].suspicion, report.rows[i].suspicion, `row ${i}`);
      assert.equal(changed.rows[i].dAP, report.rows[i].dAP);
      assert.equal(changed.rows[i].dAN, report.rows[i].dAN);
    }
    // nor another test row's: its models and neighbours never saw a test label
    let same = 0;
    for (let i = testFrom; i < report.rows.length; i++) {
      if (test[i - testFrom].label !== planted.planted[2][i - testFrom].label) continue;
      same++;
      assert.equal(changed.rows[i].suspicion, report.rows[i].suspicion, `test row ${i}`);
      assert.equal(changed.rows[i].dAP, report.rows[i].dAP);
    }
    assert.ok(same > 50);
    assert.equal(changed.settings.trainOnTest, false);
    // with --train-on-test they do train: some train row's scores move
    const trained = await auditFiles([paths[0], paths[1], other], { ...quick, trainOnTest: true });
    assert.equal(trained.settings.trainOnTest, true);
    assert.ok(trained.model.trainedRowsPerFold.every((n, f) => n > changed.model.trainedRowsPerFold[f]));
  });

  it('refuses files of another shape or other columns, naming the file; a mapped file is accepted', async () => {
    const renamed = join(dir, 'renamed_test.jsonl');
    writeFileSync(renamed, toJsonl(planted.planted[2].slice(0, 40).map((r) => ({ sentence: r.text, label: r.label }))));
    await assert.rejects(auditFiles([paths[0], renamed], quick), (e: Error) => e instanceof InputError && e.message.startsWith(`${renamed}: its columns differ`) && e.message.includes('--map'));
    const triplets = join(dir, 'triplets_dev.jsonl');
    writeFileSync(triplets, toJsonl([{ anchor: 'a b', positive: 'a c', negative: 'x y' }, { anchor: 'c d', positive: 'c e', negative: 'z w' }]));
    await assert.rejects(auditFiles([paths[0], triplets], quick), (e: Error) => e instanceof InputError && e.message.includes(triplets) && e.message.includes('explicit triplets'));
    const mapped = await auditFiles([paths[0], renamed], { ...quick, fileColumns: { 'renamed_test.jsonl': { textColumn: 'sentence' } } });
    assert.deepEqual(mapped.files?.map((f) => f.columns.text), ['text', 'sentence']);
  });

  it('keeps each file\'s problems with its file and line', async () => {
    const a = await readDatasetFile(paths[0]);
    const bad = join(dir, 'bad_dev.jsonl');
    writeFileSync(bad, '{"text": "one", "label": "World"}\nnot json\n{"text": "two", "label": "Sports"}\n');
    const b = await readDatasetFile(bad);
    const ds = combineDatasets([a, b], ['train', 'dev']);
    assert.equal(ds.problems.length, 1);
    assert.equal(ds.problems[0].file, 1);
    assert.equal(ds.problems[0].line, 2);
    assert.ok(ds.problems[0].message.startsWith('bad_dev.jsonl: line 2'));
  });

  it('a cleaned copy drops leaks from dev and test files, not from the train file', () => {
    // rows whose only data-error flag is leak
    const onlyLeak = (flags: readonly string[]) => flags.includes('leak') && !flags.some((f) => ['mislabeled', 'invalid', 'near-duplicate'].includes(f));
    const leaksOf = (i: number) => fileReport(report, i).rows.filter((r) => onlyLeak(r.flags)).map((r) => r.row);
    const dropped = (i: number) => planCleaning(fileReport(report, i), new Set(), 'drop').filter((a) => onlyLeak(a.flags)).map((a) => a.row);
    assert.ok(leaksOf(0).length > 0 && leaksOf(2).length > 0);
    assert.deepEqual(dropped(0), []);
    assert.deepEqual(dropped(1), leaksOf(1));
    assert.deepEqual(dropped(2), leaksOf(2));
  });

  it('a one-file report is as it was: no files, no file or leak fields on its rows', async () => {
    const one = await auditFile(paths[0], quick);
    assert.equal(one.files, undefined);
    assert.equal(one.leakRule, undefined);
    assert.ok(one.rows.every((r) => !('file' in r) && !('leak' in r)));
    assert.ok(!('leak' in one.summary));
    assert.ok(!('trainOnTest' in one.settings));
  });

  it('the host shows each file its own rows and digest', () => {
    const texts = paths.map((p) => readFileSync(p, 'utf8'));
    const parts = report.files!.map((f, i) => digestText(texts[i], f.format, f.columns, report.rows.slice(f.firstRow, f.firstRow + f.rows), `h${i}`));
    const digest = { ...parts[0], rows: parts.flatMap((d) => d.rows), files: parts.map(({ rows: _r, ...h }) => h) };
    for (let i = 0; i < 3; i++) {
      const sub = fileReport(report, i);
      assert.equal(sub.file, paths[i]);
      assert.equal(sub.rows.length, report.files![i].rows);
      assert.equal(sub.rows[0], report.rows[report.files![i].firstRow]);
      assert.equal(sub.summary.leak, sub.rows.filter((r) => r.flags.includes('leak')).length || undefined);
      assert.deepEqual(fileDigest(digest, report.files!, i), parts[i]);
    }
  });
});
