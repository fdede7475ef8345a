import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../src/core/node/backend';
import { DEFAULT_ENCODER, Encoder, forwardWeights, principalDirections, TeacherColumns, TEACHER_COLUMNS_MAX, type EncoderWeights } from '../../src/core/encoder';
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

/** forwardWeights on the exported weights gives what the encoder's embed does (to float error). */
async function assertExportEmbeds(enc: Encoder, w: EncoderWeights, x: Csr, rows: Int32Array): Promise<void> {
  const { z } = await enc.embed(x, rows);
  const mine = forwardWeights(w, x, rows);
  let worst = 0;
  for (let i = 0; i < z.length; i++) worst = Math.max(worst, Math.abs(z[i] - mine[i]));
  assert.ok(worst < 1e-5, `forward differs by ${worst}`);
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
      await assertExportEmbeds(enc, w, x, all);
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

  it('principalDirections: the covariance\'s top eigenvectors, orthonormal, the largest entry of each positive', () => {
    // rows spread 3 along (1, 1, 0, 0)/sqrt 2, 1 along (0, 0, 1, 0), 0.01 along the rest
    const rng = new Rng(9), C = 4, n = 2000, l = new Float64Array(n * C);
    for (let i = 0; i < n; i++) {
      const a = 3 * rng.normal(), b = rng.normal();
      l[i * C] = a / Math.SQRT2 + 0.01 * rng.normal(); l[i * C + 1] = a / Math.SQRT2 + 0.01 * rng.normal();
      l[i * C + 2] = b + 0.01 * rng.normal(); l[i * C + 3] = 5 + 0.01 * rng.normal();
    }
    const V = principalDirections(l, C, 2), col = (k: number) => [0, 1, 2, 3].map((c) => V[c * 2 + k]);
    const near = (u: number[], v: number[]) => u.every((x, i) => Math.abs(x - v[i]) < 0.02);
    assert.ok(near(col(0), [Math.SQRT1_2, Math.SQRT1_2, 0, 0]), `first ${col(0)}`);
    assert.ok(near(col(1), [0, 0, 1, 0]), `second ${col(1)}`);
    const dot = col(0).reduce((t, x, i) => t + x * col(1)[i], 0);
    assert.ok(Math.abs(dot) < 1e-9);
  });

  it(`with more than ${TEACHER_COLUMNS_MAX + 1} classes are the logits' top ${TEACHER_COLUMNS_MAX} principal directions: never wider than the bag, and exported as they embed`, async () => {
    const { x, all } = fitted(300);
    // 30 classes: the sample's rows dealt round-robin
    const y30 = Int32Array.from(all, (r) => r % 30);
    const lin30 = new LinearModel(x, 30);
    lin30.fit(all, y30, new Rng(1), DEFAULT_LINEAR);
    const { W, b } = lin30.weights();
    const cols = new TeacherColumns(x, { W, b, rows: all }, 30, 0.25);
    assert.equal(cols.classes, TEACHER_COLUMNS_MAX);
    const l = cols.logits(all);
    let sq = 0;
    for (const v of l) sq += v * v;
    assert.ok(Math.abs(Math.sqrt(sq / l.length) - 0.25) < 1e-4);
    const enc = new Encoder({ ...DEFAULT_ENCODER, dim: 16, classes: 30 }, new Rng(3), x, { W, b, rows: all });
    try {
      await enc.trainLabeled(x, all, y30, 1, new Rng(4), {}, false, Infinity, lin30.predict(all));
      const w = enc.exportWeights();
      assert.equal(w.hidden, DEFAULT_ENCODER.hidden + 2 * TEACHER_COLUMNS_MAX);
      await assertExportEmbeds(enc, w, x, all);
    } finally { enc.dispose(); }
  });
});
