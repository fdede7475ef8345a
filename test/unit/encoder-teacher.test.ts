import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../src/core/node/backend';
import { DEFAULT_ENCODER, Encoder, forwardWeights, TeacherColumns } from '../../src/core/encoder';
import { featurize, type Csr } from '../../src/core/featurize';
import { LinearModel, DEFAULT_LINEAR } from '../../src/core/linear';
import { Rng } from '../../src/core/rng';
import { parse } from 'csv-parse/sync';

const sample = join(__dirname, '..', '..', 'media', 'sample.csv');

/** The sample's first `n` texts and labels (6 classes), featurised, and a logistic regression fitted on them. */
function fitted(n: number, classOf = (label: string) => label) {
  const rows = (parse(readFileSync(sample, 'utf8'), { columns: true }) as { text: string; label: string }[]).slice(0, n);
  const x = featurize(rows.map((r) => r.text));
  const names = [...new Set(rows.map((r) => classOf(r.label)))];
  const y = Int32Array.from(rows, (r) => names.indexOf(classOf(r.label)));
  const all = Int32Array.from(rows.keys());
  const lin = new LinearModel(x, names.length);
  lin.fit(all, y, new Rng(1), DEFAULT_LINEAR);
  return { x, y, C: names.length, all, lin };
}

/** x's row r times the teacher's weights plus its bias: the teacher's logits (before softmax). */
function logitsOf(x: Csr, W: Float32Array, b: Float32Array, C: number, r: number): number[] {
  const out = Array.from(b);
  for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) for (let c = 0; c < C; c++) out[c] += x.values[p] * W[x.indices[p] * C + c];
  return out;
}

describe('the encoder\'s teacher columns', function () {
  this.timeout(120_000);
  before(() => initBackend('cpu'));

  it('carry the teacher\'s logits, centred over the classes and scaled to the RMS asked on its rows', () => {
    const { x, C, all, lin } = fitted(300);
    const { W, b } = lin.weights();
    const cols = new TeacherColumns(x, { W, b, rows: all }, C, 0.25);
    const l = cols.logits(all);
    let sq = 0;
    for (const v of l) sq += v * v;
    assert.ok(Math.abs(Math.sqrt(sq / l.length) - 0.25) < 1e-4, `RMS ${Math.sqrt(sq / l.length)}`);
    // one factor k for every row and class: l = k (logits - their mean over the classes)
    const p = lin.predict(all);
    let k = NaN;
    for (const r of [0, 7, 123, 299]) {
      const raw = logitsOf(x, W, b, C, r), mean = raw.reduce((s, v) => s + v, 0) / C;
      let rowSum = 0;
      for (let c = 0; c < C; c++) {
        rowSum += l[r * C + c];
        if (Number.isNaN(k)) k = l[r * C + c] / (raw[c] - mean);
        assert.ok(Math.abs(l[r * C + c] - k * (raw[c] - mean)) < 1e-4, `row ${r} class ${c}`);
        // and the teacher's probabilities are the softmax of the unscaled logits
        const z = raw.reduce((s, v) => s + Math.exp(v - raw[c]), 0);
        assert.ok(Math.abs(1 / z - p[r * C + c]) < 1e-4);
      }
      assert.ok(Math.abs(rowSum) < 1e-4, 'centred');
    }
    assert.ok(k > 0);
  });

  it('are frozen, and exportWeights folds them into one bag: forwardWeights reproduces embed', async () => {
    const { x, y, C, all, lin } = fitted(200);
    const { W, b } = lin.weights();
    const enc = new Encoder({ ...DEFAULT_ENCODER, dim: 16, classes: C }, new Rng(3), x, { W, b, rows: all });
    try {
      await enc.trainLabeled(x, all, y, 2, new Rng(4), {}, false, Infinity, lin.predict(all));
      const w = enc.exportWeights(), H = DEFAULT_ENCODER.hidden;
      assert.equal(w.hidden, H + 2 * C);
      assert.equal(w.E.length, x.cols * w.hidden);
      // the side columns are the untrained TeacherColumns' (logits, then their negatives)
      const fresh = new TeacherColumns(x, { W, b, rows: all }, C, DEFAULT_ENCODER.teacherScale);
      const Cp = fresh.bag.hidden;
      for (const i of [0, 5, Math.floor(x.cols / 2), x.cols - 1]) {
        for (let c = 0; c < C; c++) {
          assert.equal(w.E[i * w.hidden + H + c], fresh.bag.table[i * Cp + c]);
          assert.equal(w.E[i * w.hidden + H + C + c], -fresh.bag.table[i * Cp + c]);
        }
      }
      const { z } = await enc.embed(x, all);
      const mine = forwardWeights(w, x, all);
      let worst = 0;
      for (let i = 0; i < z.length; i++) worst = Math.max(worst, Math.abs(z[i] - mine[i]));
      assert.ok(worst < 1e-5, `forward differs by ${worst}`);
    } finally { enc.dispose(); }
  });

  it('are left out with two classes (TEACHER_COLUMNS_MIN_CLASSES)', async () => {
    const { x, y, C, all, lin } = fitted(200, (label) => (label === 'DESC' ? 'DESC' : 'other'));
    assert.equal(C, 2);
    const { W, b } = lin.weights();
    const enc = new Encoder({ ...DEFAULT_ENCODER, dim: 16, classes: C }, new Rng(3), x, { W, b, rows: all });
    try {
      await enc.trainLabeled(x, all, y, 1, new Rng(4), {}, false, Infinity, lin.predict(all));
      assert.equal(enc.exportWeights().hidden, DEFAULT_ENCODER.hidden);
    } finally { enc.dispose(); }
  });
});
