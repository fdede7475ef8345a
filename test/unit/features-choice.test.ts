import assert from 'node:assert/strict';
import { columnDf, DEFAULT_FEATURIZER, featurize, featurizeWithBlocks, withMinDf, type Csr } from '../../src/core/featurize';
import { chooseLinearInputs, MIN_DF_CANDIDATES } from '../../src/core/folds';
import { C_CANDIDATES, DEFAULT_LINEAR } from '../../src/core/linear';
import { Rng } from '../../src/core/rng';

const share = DEFAULT_FEATURIZER.wordShare;

/** Texts with words shared by many rows, by a few and by one only (and a row of one rare word, an empty row). */
function texts(n: number, seed: number): string[] {
  const rng = new Rng(seed);
  const common = ['the', 'game', 'market', 'team', 'stock', 'won', 'fell', 'rose'];
  const out = Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 2 + rng.int(6) }, () => common[rng.int(common.length)]);
    if (rng.next() < 0.5) words.push(`rare${rng.int(n)}`);
    if (rng.next() < 0.3) words.push(`only${i}`);
    return words.join(' ');
  });
  out.push('zyxwv', '');
  return out;
}

function assertSameMatrix(got: Csr, want: Csr): void {
  assert.equal(got.rows, want.rows);
  assert.equal(got.cols, want.cols);
  assert.deepEqual(Array.from(got.indptr), Array.from(want.indptr));
  assert.deepEqual(Array.from(got.indices), Array.from(want.indices));
  got.values.forEach((v, p) => assert.ok(Math.abs(v - want.values[p]) < 1e-6, `entry ${p}: ${v} against ${want.values[p]}`));
}

describe('features at a file\'s own minDf', () => {
  it('derives from the minDf-1 features exactly what featurising at minDf 2 or 3 gives (all rows in place, or a subset)', () => {
    const t = texts(400, 1);
    for (const minDf of [2, 3]) {
      const want = featurize(t, { ...DEFAULT_FEATURIZER, minDf });
      const f1 = featurizeWithBlocks(t, { ...DEFAULT_FEATURIZER, minDf: 1 });
      assert.ok(f1.x.cols > want.cols, 'minDf 1 keeps more columns');
      const df = columnDf(f1.x);
      const rows = [5, 0, 401, 400, 17];
      const sub = withMinDf(f1.x, f1.isWord, df, minDf, share, rows);
      const wantSub: Csr = (() => {
        const indptr = new Int32Array(rows.length + 1), idx: number[] = [], val: number[] = [];
        rows.forEach((r, q) => {
          for (let p = want.indptr[r]; p < want.indptr[r + 1]; p++) { idx.push(want.indices[p]); val.push(want.values[p]); }
          indptr[q + 1] = idx.length;
        });
        return { rows: rows.length, cols: want.cols, indptr, indices: Int32Array.from(idx), values: Float32Array.from(val) };
      })();
      assertSameMatrix(sub, wantSub);
      assertSameMatrix(withMinDf(f1.x, f1.isWord, df, minDf, share), want);
    }
  });

  it('chooses the features and C whose held-back log-loss is lowest, the same for the same input', async () => {
    const rng = new Rng(5), n = 1200;
    const own = [['apple', 'pear', 'plum', 'fig'], ['bolt', 'nut', 'gear', 'cog']];
    const t: string[] = [], y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.int(2);
      const words = Array.from({ length: 3 }, () => (rng.next() < 0.6 ? own[y[i]][rng.int(4)] : own[1 - y[i]][rng.int(4)]));
      words.push(`pair${Math.floor(i / 2)}`);
      t.push(words.join(' '));
    }
    const f1 = featurizeWithBlocks(t, { ...DEFAULT_FEATURIZER, minDf: 1 });
    const choose = (seed: number) => chooseLinearInputs(f1, y, 2, seed, { minDfs: MIN_DF_CANDIDATES, wordShare: share });
    const a = await choose(42);
    assert.equal(a.losses.length, MIN_DF_CANDIDATES.length);
    const all = a.losses.flat();
    assert.equal(all.length, MIN_DF_CANDIDATES.length * C_CANDIDATES.length);
    assert.ok(all.every((l) => l > 0 && l < Math.log(2) + 0.1), `losses ${all.join(', ')}: near or below chance's ln 2`);
    const best = all.indexOf(Math.min(...all)), bi = Math.floor(best / C_CANDIDATES.length), bj = best % C_CANDIDATES.length;
    assert.equal(a.minDf, MIN_DF_CANDIDATES[bi]);
    // the one-standard-error rule may take a smaller C of the same features, if barely worse
    assert.ok(a.C <= C_CANDIDATES[bj]);
    assert.ok(a.losses[bi][C_CANDIDATES.indexOf(a.C)] <= all[best] * 1.05);
    assert.deepEqual(await choose(42), a);
    assert.notDeepEqual((await choose(43)).losses, a.losses, 'another seed draws other held-back rows');
  });

  it('keeps the default minDf and C, without a fit, for files too small to hold rows back', async () => {
    const t = texts(60, 2), y = Int32Array.from(t, (_, i) => i % 2);
    const got = await chooseLinearInputs(featurizeWithBlocks(t, { ...DEFAULT_FEATURIZER, minDf: 1 }), y, 2, 1, { minDfs: MIN_DF_CANDIDATES, wordShare: share });
    assert.deepEqual(got, { minDf: DEFAULT_FEATURIZER.minDf, C: DEFAULT_LINEAR.C, losses: [] });
  });

  it('draws its held-back rows from the rows that may train', async () => {
    // rows of a test file (not trainable) carry the opposite labels: were they drawn, the choice
    // would see them; with them left out the result equals the audit of the trainable rows alone
    const t = texts(600, 3), n = t.length, y = Int32Array.from(t, (s) => (s.includes('game') ? 1 : 0));
    const trainable = Uint8Array.from({ length: n }, (_, i) => (i < 500 ? 1 : 0));
    const f1 = featurizeWithBlocks(t, { ...DEFAULT_FEATURIZER, minDf: 1 });
    const yFlipped = Int32Array.from(y, (v, i) => (i < 500 ? v : 1 - v));
    const choose = (labels: Int32Array) => chooseLinearInputs(f1, labels, 2, 9, { minDfs: MIN_DF_CANDIDATES, wordShare: share, trainable });
    assert.deepEqual(await choose(yFlipped), await choose(y));
  });
});
