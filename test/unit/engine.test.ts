import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { auditFile } from '../../src/core/node/auditFile';
import { rescoreReport } from '../../src/core/rescore';
import { reportJson } from '../../src/core/reportJson';
import { classify, fromEuclidean } from '../../src/core/categories';
import type { AuditReport } from '../../src/core/types';

const root = join(__dirname, '..', '..');
const sample = join(root, 'media', 'sample.csv');
const quick = { maxRows: 150, epochs: 3, folds: 3, backend: 'cpu' as const };

describe('the audit engine', function () {
  this.timeout(120_000);
  let report: AuditReport;

  before(async () => {
    report = await auditFile(sample, quick);
  });

  it('has one row per data row, in file order, with lines and categories', () => {
    assert.equal(report.rowCount, 150);
    assert.equal(report.rows.length, 150);
    report.rows.forEach((r, i) => {
      assert.equal(r.row, i);
      assert.ok(r.line >= i + 2);
      assert.ok(r.suspicion >= 0 && r.suspicion <= 1);
      assert.equal(r.category, classify(r.dAP!, r.dAN!, report.settings.margin));
    });
    // the sample has no quoted newlines, so row i is on line i + 2
    assert.equal(report.rows[149].line, 151);
  });

  it('writes its JSON in pieces, byte for byte what JSON.stringify gives', () => {
    const pieces = [...reportJson(report)];
    assert.ok(pieces.length > report.rows.length, 'one piece per row at least');
    assert.equal(pieces.join(''), JSON.stringify(report));
    const sparse = { ...report, embedding: undefined, rows: report.rows.slice(0, 3) };
    assert.equal([...reportJson(sparse)].join(''), JSON.stringify(sparse));
  });

  it('says which fold scored each row, and every fold scored some', () => {
    assert.equal(report.folds.length, 3);
    assert.equal(report.folds.reduce((s, f) => s + f.rows, 0), 150);
    for (const f of report.folds) assert.equal(report.rows.filter((r) => r.fold === f.fold).length, f.rows);
  });

  it('gives evidence with every flagged row: neighbours and the hinge arithmetic', () => {
    const flagged = report.rows.filter((r) => r.flags.includes('mislabeled'));
    assert.ok(flagged.length > 0);
    for (const r of flagged) {
      assert.ok(r.suggestedLabel && r.suggestedLabel !== r.label);
      assert.ok(r.neighbours.length > 0);
      assert.ok(r.evidence.some((e) => e.startsWith('hinge: ')));
    }
  });

  it('is deterministic: same input and settings give the same report', async () => {
    const again = await auditFile(sample, quick);
    const strip = (r: AuditReport) => JSON.stringify({ ...r, timings: {} });
    assert.equal(strip(again), strip(report));
  });

  it('a different seed gives a different model', async () => {
    const other = await auditFile(sample, { ...quick, seed: 7 });
    assert.notDeepEqual(other.rows.map((r) => r.suspicion), report.rows.map((r) => r.suspicion));
  });

  it('leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    await auditFile(sample, { ...quick, maxRows: 60 });
    assert.equal(tf.memory().numTensors, before);
  });

  it('re-scores at a new margin and distance from cached distances', () => {
    const r2 = rescoreReport(report, 0.5, 'squared-euclidean');
    r2.rows.forEach((r, i) => {
      const e = report.rows[i];
      assert.ok(Math.abs(r.dAP! - fromEuclidean(e.dAP!, 'squared-euclidean')) < 1e-9);
      assert.equal(r.category, classify(r.dAP!, r.dAN!, 0.5));
      assert.equal(r.flags.includes('margin-violation'), r.category !== 'easy');
    });
    const back = rescoreReport(r2, report.settings.margin, 'euclidean');
    assert.deepEqual(back.summary, report.summary);
  });

  it('audits explicit triplets', async () => {
    const lines = readFileSync(join(root, '..', 'shared', 'datasets', 'nli_triplets_snli_dev.jsonl'), 'utf8').split('\n').slice(0, 90).join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'ta-')), f = join(dir, 'tri.jsonl');
    writeFileSync(f, lines + '\n');
    const tensors = tf.memory().numTensors;
    const r = await auditFile(f, { epochs: 2, folds: 3, backend: 'cpu' }).finally(() => rmSync(dir, { recursive: true, force: true }));
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(r.kind, 'triplets');
    assert.equal(r.rows.length, 90);
    // the triplet encoder's distances and map (design point 3's forward shape), the pair model beside it
    assert.equal(r.settings.backend, 'cpu');
    assert.match(r.model.description, /triplet encoder/);
    assert.match(r.model.description, /pair model/);
    assert.deepEqual(r.model.epochsPerFold, [2, 2, 2]);
    assert.equal(r.map?.x.length, 90);
    assert.equal(r.embedding?.dim, r.settings.dim);
    assert.equal(r.embedding?.values.length, 90 * r.settings.dim);
    for (let i = 0; i < 90; i++) {
      const v = r.embedding!.values.slice(i * r.settings.dim, (i + 1) * r.settings.dim);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-3, `row ${i}'s anchor embedding is L2-normalised`);
    }
    for (const row of r.rows) {
      assert.ok(row.dAP! >= 0 && row.dAP! <= 2 && row.dAN! >= 0 && row.dAN! <= 2 && row.suspicion >= 0 && row.suspicion <= 1);
      assert.ok(row.trivial! >= 0 && row.trivial! <= 1 && row.falseNegative! >= 0 && row.falseNegative! <= 1);
      assert.equal(row.category, classify(row.dAP!, row.dAN!, r.settings.margin));
      assert.deepEqual(row.neighbours.map((nb) => [nb.label, nb.distance]), [['positive', row.dAP], ['negative', row.dAN]]);
      assert.equal(row.flags.includes('trivially-easy'), row.trivial! >= 0.5 && row.dAP! < row.dAN!);
      assert.ok(row.evidence.some((e) => e.startsWith('detector: ')) && row.evidence.some((e) => e.startsWith('hinge: ')));
    }
  });
});

describe('the triplet-audit command line', function () {
  this.timeout(120_000);
  const cli = join(root, 'dist', 'cli.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'ta-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the JSON report contract', () => {
    const r = run(sample, '--format', 'json', '--max-rows', '80', '--epochs', '2', '--folds', '2', '--backend', 'cpu', '-q');
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    for (const k of ['version', 'file', 'format', 'kind', 'rowCount', 'settings', 'summary', 'problems', 'rows']) assert.ok(k in rep, k);
    assert.equal(rep.version, 1);
    assert.equal(rep.settings.backend, 'cpu');
    for (const k of ['row', 'line', 'category', 'loss', 'dAP', 'dAN', 'suspicion', 'flags', 'neighbours']) assert.ok(k in rep.rows[0], k);
  });

  it('gives the same report whether folds (and the choice of features and C) run on one thread or on a pool of workers', () => {
    const args = [sample, '--format', 'json', '--max-rows', '150', '--epochs', '2', '--folds', '3', '--backend', 'cpu', '-q'];
    const one = run(...args, '--workers', '1'), two = run(...args, '--workers', '2');
    assert.equal(one.status, 0, one.stderr);
    assert.equal(two.status, 0, two.stderr);
    assert.equal(JSON.parse(two.stdout).model.choice.losses.length, 2, 'the choice ran (two feature sets)');
    const strip = (t: string) => JSON.stringify({ ...JSON.parse(t), timings: {} });
    assert.equal(strip(two.stdout), strip(one.stdout));
  });

  it('audits explicit triplets, bad rows included', () => {
    const f = join(dir, 'tri.jsonl');
    const lines = readFileSync(join(root, '..', 'shared', 'datasets', 'nli_triplets_snli_dev.jsonl'), 'utf8').split('\n').slice(0, 60);
    lines.splice(5, 0, '{"anchor": "no positive here"}');
    writeFileSync(f, lines.join('\n') + '\n');
    const r = run(f, '--format', 'json', '--folds', '3');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /backend: (wasm|cpu|node)/);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.rows.length, 61);
    assert.deepEqual(rep.rows[5].flags, ['invalid']);
    assert.ok(rep.rows.filter((x: { flags: string[] }) => !x.flags.includes('invalid')).every((x: { dAP: number }) => x.dAP >= 0));
  });

  it('exits 2 with one readable line on an unusable file', () => {
    const f = join(dir, 'one.csv');
    writeFileSync(f, 'text,label\na,x\nb,x\n');
    const r = run(f, '-q');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^triplet-audit: \S*one\.csv:1: only one label/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('exits 2 on a missing file and on bad arguments', () => {
    assert.equal(run(join(dir, 'nope.csv'), '-q').status, 2);
    const bad = run(sample, '--margin', 'abc');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--margin/);
  });

  it('reports a bad row with its line and audits the rest', () => {
    const f = join(dir, 'bad.csv');
    const rows = readFileSync(sample, 'utf8').split('\n').slice(0, 61);
    rows.splice(10, 0, 'an extra,field,here');
    writeFileSync(f, rows.join('\n') + '\n');
    const r = run(f, '--format', 'json', '--epochs', '2', '--folds', '2', '--backend', 'cpu', '-q');
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.rows.length, 61);
    assert.ok(rep.problems.some((p: { line: number }) => p.line === 11));
    assert.deepEqual(rep.rows[9].flags, ['invalid']);
  });
});
