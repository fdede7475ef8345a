import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BagKernel } from '../../src/core/bagKernel';
import { compactRows, countBuckets, featurize, featurizeRows, slots, vocabulary, DEFAULT_FEATURIZER, type Csr } from '../../src/core/featurize';
import { LinearModel } from '../../src/core/linear';
import { mineTriplets } from '../../src/core/encoder';
import { labeledTraining, MAX_EPOCHS, SAMPLE_BUDGET } from '../../src/core/audit';
import { Rng } from '../../src/core/rng';

const ROOT = join(__dirname, '..', '..');

/** A random sparse matrix with sorted, distinct columns per row. */
function randomCsr(rng: Rng, rows: number, cols: number, perRow: number): Csr {
  const indptr = new Int32Array(rows + 1), indices: number[] = [], values: number[] = [];
  for (let r = 0; r < rows; r++) {
    const set = new Set<number>();
    const m = 1 + Math.floor(rng.next() * perRow);
    while (set.size < Math.min(m, cols)) set.add(Math.floor(rng.next() * cols));
    for (const c of [...set].sort((a, b) => a - b)) { indices.push(c); values.push(rng.normal()); }
    indptr[r + 1] = indices.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

describe('the embedding-bag kernel (WebAssembly SIMD)', () => {
  it('the committed modules are the .wat files compiled (npm run build:wasm rewrites them)', async () => {
    const wasm = await import(join(ROOT, 'scripts', 'wasm.mjs')) as { compileWat(src: string, name: string): Promise<string>; moduleText(name: string, b64: string): string };
    const dir = join(ROOT, 'src', 'core', 'kernels');
    const wats = readdirSync(dir).filter((f) => f.endsWith('.wat'));
    assert.deepEqual(wats.sort(), ['bag.wat', 'ivf.wat', 'scan.wat']);
    for (const f of wats) {
      const name = f.slice(0, -4);
      const expected = wasm.moduleText(name, await wasm.compileWat(readFileSync(join(dir, f), 'utf8'), f));
      assert.equal(readFileSync(join(dir, `${name}Wasm.ts`), 'utf8'), expected, `${name}Wasm.ts is stale: npm run build:wasm`);
    }
  });

  it('runs in WebAssembly on Node, and agrees with the JS loops on forward and SGD updates', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(4, 8, 32), (seed, H) => {
      const rng = new Rng(seed);
      const x = randomCsr(rng, 40, 300, 20);
      const wasm = new BagKernel(x, H, 16), js = new BagKernel(x, H, 16, false);
      assert.equal(wasm.wasm, true);
      assert.equal(js.wasm, false);
      for (let i = 0; i < wasm.table.length; i++) wasm.table[i] = js.table[i] = rng.normal();
      const rows = Int32Array.from({ length: 37 }, () => Math.floor(rng.next() * x.rows)); // > maxBatch: split
      const close = (a: Float32Array, b: Float32Array) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-4 * (1 + Math.abs(b[i])), `${v} vs ${b[i]} at ${i}`));
      close(wasm.forward(rows), js.forward(rows));
      const dh = Float32Array.from({ length: rows.length * H }, () => rng.normal());
      wasm.backward(rows, dh, 0.1); js.backward(rows, dh, 0.1);
      close(wasm.table, js.table);
      close(wasm.forwardOne(rows[3]), js.forward([rows[3]]));
    }), { numRuns: 20 });
  });

  it('forward is x E: one row with one feature returns that row of the table scaled', () => {
    const x: Csr = { rows: 1, cols: 3, indptr: Int32Array.from([0, 1]), indices: Int32Array.from([2]), values: Float32Array.from([2]) };
    const k = new BagKernel(x, 4);
    k.table.set([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(k.forward([0])), [2, 4, 6, 8]);
  });
});

describe('the linear model', () => {
  // two classes told apart by one feature each, plus a shared noise feature
  const rng = new Rng(3);
  const n = 200;
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const x: Csr = {
    rows: n, cols: 3, indptr: Int32Array.from({ length: n + 1 }, (_, i) => 2 * i),
    indices: Int32Array.from({ length: 2 * n }, (_, j) => (j % 2 === 0 ? y[j >> 1] : 2)),
    values: Float32Array.from({ length: 2 * n }, (_, j) => (j % 2 === 0 ? 0.8 : 0.6 * (rng.next() < 0.5 ? 1 : -1))),
  };
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const fit = (C: number, seed = 1) => {
    const m = new LinearModel(x, 2);
    m.fit(rows, y, new Rng(seed), { C, epochs: 10, eta0: 0.5, averageFrom: 4, rowBudget: 1e9 });
    return m.predict(rows);
  };

  it('learns a separable problem; probabilities sum to 1', () => {
    const p = fit(5);
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(p[2 * i] + p[2 * i + 1] - 1) < 1e-5);
      assert.ok(p[2 * i + y[i]] > 0.8, `row ${i}: P(true class) = ${p[2 * i + y[i]]}`);
    }
  });

  it('is deterministic for a seed, and a smaller C (more L2) makes it less confident', () => {
    assert.deepEqual(fit(5, 7), fit(5, 7));
    const mean = (p: Float32Array) => y.reduce((t, c, i) => t + p[2 * i + c], 0) / n;
    assert.ok(mean(fit(0.01)) < mean(fit(5)));
  });
});

describe('featurisation blocks', () => {
  it('word n-grams get wordShare of each row\'s squared norm, character n-grams the rest', () => {
    const texts = ['the cat sat on the mat', 'the cat ran', 'a dog sat on the mat', 'the dog ran'];
    const x = featurize(texts, { ...DEFAULT_FEATURIZER, minDf: 1, wordShare: 0.3 });
    const xc = featurize(texts, { ...DEFAULT_FEATURIZER, minDf: 1, wordShare: 0.3, wordMax: 0 }); // characters only
    for (let r = 0; r < x.rows; r++) {
      const rest = Array.from(x.values.subarray(x.indptr[r], x.indptr[r + 1]));
      assert.ok(Math.abs(rest.reduce((t, v) => t + v * v, 0) - 1) < 1e-5);
      // the character features are the character-only row scaled by sqrt(0.7); the rest are words
      for (const v of xc.values.subarray(xc.indptr[r], xc.indptr[r + 1])) {
        const at = rest.findIndex((w) => Math.abs(w - v * Math.sqrt(0.7)) < 1e-6);
        assert.ok(at >= 0, `row ${r}: character feature ${v} not found scaled`);
        rest.splice(at, 1);
      }
      assert.ok(Math.abs(rest.reduce((t, v) => t + v * v, 0) - 0.3) < 1e-5, `row ${r}: word share`);
    }
  });

  it('Han characters are words of their own', () => {
    const x = featurize(['酒店很好', '很好', '酒店很差'], { ...DEFAULT_FEATURIZER, minDf: 2, charMin: 5, charMax: 5 });
    // with no character n-grams kept (5-grams), only words remain: 很, 好, 很好, 酒, 店, 酒店, 店很 ...
    assert.ok(x.indptr[1] - x.indptr[0] >= 4, `features of row 0: ${x.indptr[1] - x.indptr[0]}`);
  });
});

describe('featurisation in parts', () => {
  const texts = readFileSync(join(__dirname, '..', '..', 'media', 'sample.csv'), 'utf8').split('\n').slice(1, 301).map((l) => l.split(',')[0]);

  it('counts of disjoint row ranges add up to the counts of all rows', () => {
    const all = countBuckets(texts, DEFAULT_FEATURIZER);
    const a = countBuckets(texts, DEFAULT_FEATURIZER, 0, 120), b = countBuckets(texts, DEFAULT_FEATURIZER, 120, 300);
    assert.deepEqual(Array.from(a.df, (v, i) => v + b.df[i]), Array.from(all.df));
    assert.deepEqual([...a.distinct, ...b.distinct], Array.from(all.distinct));
  });

  it('rows written range by range into one shared matrix, then compacted, are the matrix of all rows', () => {
    const whole = featurize(texts);
    const { df, distinct } = countBuckets(texts, DEFAULT_FEATURIZER);
    const vocab = vocabulary(df, texts.length, DEFAULT_FEATURIZER);
    const slot = slots(distinct);
    const indices = new Int32Array(new SharedArrayBuffer(4 * slot[texts.length])), values = new Float32Array(new SharedArrayBuffer(4 * slot[texts.length]));
    // the later range first, as threads may finish in any order
    const second = featurizeRows(texts.slice(170), DEFAULT_FEATURIZER, vocab, indices, values, slot.subarray(170));
    const first = featurizeRows(texts.slice(0, 170), DEFAULT_FEATURIZER, vocab, indices, values, slot.subarray(0, 170));
    const parts = compactRows(texts.length, vocab.idf.length, indices, values, slot, Int32Array.from([...first, ...second]));
    assert.equal(parts.cols, whole.cols);
    assert.deepEqual(Array.from(parts.indptr), Array.from(whole.indptr));
    assert.deepEqual(Array.from(parts.indices), Array.from(whole.indices));
    assert.deepEqual(Array.from(parts.values), Array.from(whole.values));
    // each row's entries are its distinct kept buckets: at most its distinct buckets, sorted by column
    for (let r = 0; r < texts.length; r++) {
      assert.ok(whole.indptr[r + 1] - whole.indptr[r] <= distinct[r]);
      for (let j = whole.indptr[r] + 1; j < whole.indptr[r + 1]; j++) assert.ok(whole.indices[j - 1] < whole.indices[j]);
    }
  });
});

describe('mining with the Gram matrix', () => {
  it('gives the same triplets as computing the dot products', () => {
    const rng = new Rng(5);
    const B = 24, D = 8;
    const z = Float32Array.from({ length: B * D }, () => rng.normal());
    for (let i = 0; i < B; i++) { let s = 0; for (let d = 0; d < D; d++) s += z[i * D + d] ** 2; for (let d = 0; d < D; d++) z[i * D + d] /= Math.sqrt(s); }
    const gram = new Float32Array(B * B);
    for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) { let s = 0; for (let d = 0; d < D; d++) s += z[i * D + d] * z[j * D + d]; gram[i * B + j] = s; }
    const y = Int32Array.from({ length: B }, (_, i) => i % 3);
    assert.deepEqual(mineTriplets(z, D, y, 'semi-hard', 4, gram), mineTriplets(z, D, y, 'semi-hard'));
  });
});

describe('training budgets', () => {
  it('small files train up to MAX_EPOCHS on every row; large ones spread the sample budget over at least two epochs', () => {
    assert.deepEqual(labeledTraining(4_400), { epochs: MAX_EPOCHS, epochRows: 4_400 });
    assert.deepEqual(labeledTraining(30_000), { epochs: 4, epochRows: 25_000 });
    assert.deepEqual(labeledTraining(80_000), { epochs: 2, epochRows: 50_000 });
    assert.deepEqual(labeledTraining(800_000), { epochs: 2, epochRows: 50_000 });
    for (const rows of [1, 999, 10_000, 12_345, 99_999, 1_000_000]) {
      const p = labeledTraining(rows);
      assert.ok(p.epochs * p.epochRows <= SAMPLE_BUDGET + p.epochs, `budget kept at ${rows} rows`);
      assert.ok(p.epochRows <= rows && p.epochs >= 2 && p.epochs <= MAX_EPOCHS);
    }
  });

  it('the linear model runs fewer epochs once rows x epochs would pass its row budget', () => {
    const x = randomCsr(new Rng(2), 100, 50, 5);
    const y = Int32Array.from({ length: 100 }, (_, i) => i % 2);
    const rows = Int32Array.from({ length: 100 }, (_, i) => i);
    const run = (rowBudget: number) => new LinearModel(x, 2).fit(rows, y, new Rng(1), { C: 5, epochs: 10, eta0: 0.5, averageFrom: 4, rowBudget });
    assert.equal(run(1e9), 10);
    assert.equal(run(300), 3);
    assert.equal(run(10), 1);
  });
});
