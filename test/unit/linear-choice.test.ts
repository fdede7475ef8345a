import assert from 'node:assert/strict';
import { featurize } from '../../src/core/featurize';
import { chooseLinearInputs, mergeFoldParts, runFold, splitFold, type FoldTask } from '../../src/core/folds';
import { C_CANDIDATES, DEFAULT_LINEAR, LinearModel } from '../../src/core/linear';
import { initBackend } from '../../src/core/node/backend';
import { Rng } from '../../src/core/rng';

/** Two-class texts from two vocabularies that share some words, labels flipped at `noise`. */
function data(n: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const own = [['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime'], ['bolt', 'nut', 'gear', 'cog', 'axle', 'pump']];
  const shared = ['red', 'big', 'old', 'new', 'small', 'good', 'bad', 'one', 'two', 'some'];
  const texts: string[] = [], y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const words = Array.from({ length: 6 }, () => (rng.next() < 0.35 ? own[c][rng.int(6)] : shared[rng.int(shared.length)]));
    texts.push(words.join(' '));
    y[i] = rng.next() < noise ? 1 - c : c;
  }
  return { x: featurize(texts), y };
}

function chosen(noise: number) {
  const { x, y } = data(1500, noise, 3);
  return chooseLinearInputs({ x }, y, 2, 7);
}

describe('the linear model\'s C, chosen for the file by held-back likelihood', () => {
  it('is one of the candidates, regularising more when the labels are noisier', async () => {
    const clean = await chosen(0), noisy = await chosen(0.3);
    assert.ok(C_CANDIDATES.includes(clean.C) && C_CANDIDATES.includes(noisy.C));
    assert.equal(clean.C, Math.max(...C_CANDIDATES), `clean labels: the weakest regularisation (losses ${clean.losses})`);
    assert.equal(noisy.C, Math.min(...C_CANDIDATES), `30% flipped labels: the strongest (losses ${noisy.losses})`);
    assert.equal(clean.minDf, undefined, 'features given as they are: no minDf');
    assert.equal(clean.losses.length, 1);
    assert.equal(clean.losses[0].length, C_CANDIDATES.length);
  });

  it('is what the fold\'s linear model is fitted with', async () => {
    const n = 500, { x, y } = data(n, 0.1, 4);
    const fold = Int32Array.from({ length: n }, (_, i) => i % 5);
    const task: FoldTask = { kind: 'labeled', f: 0, fold, x, y, classes: 2, k: 5, dim: 8, mining: 'semi-hard', epochs: 1, earlyStop: false, seed: 7, wantEmbedding: false, epochRows: Infinity, part: 'linear', linear: { C: 2 } };
    // the fold's probabilities are those of a logistic regression fitted at C = 2 (and C matters)
    const { train, held } = splitFold(fold, 0);
    const fitted = (C: number) => {
      const lin = new LinearModel(x, 2);
      lin.fit(train, y, Rng.derive(7, 'linear0'), { ...DEFAULT_LINEAR, C });
      return Array.from(lin.predict(held));
    };
    const got = Array.from((await runFold(task, () => {})).linear);
    assert.deepEqual(got, fitted(2));
    assert.notDeepEqual(got, fitted(5));
  });
});

describe('a fold\'s fitted probabilities (its models\' on the rows they trained on)', () => {
  const n = 400, { x, y } = data(n, 0.1, 5);
  const fold = Int32Array.from({ length: n }, (_, i) => i % 4);
  const task: FoldTask = { kind: 'labeled', f: 1, fold, x, y, classes: 2, k: 5, dim: 8, mining: 'semi-hard', epochs: 2, earlyStop: false, seed: 9, wantEmbedding: false, epochRows: Infinity, linear: { C: 2 } };
  const { train } = splitFold(fold, 1);
  before(() => initBackend('cpu'));

  it('are, for the linear model, its probability of each training row\'s given label', async () => {
    const lin = new LinearModel(x, 2);
    lin.fit(train, y, Rng.derive(9, 'linear1'), { ...DEFAULT_LINEAR, C: 2 });
    const p = lin.predict(train);
    const got = (await runFold({ ...task, part: 'linear' }, () => {})).fitted?.linear;
    assert.deepEqual(Array.from(got ?? []), Array.from(train, (r, q) => p[q * 2 + y[r]]));
  });

  it('come from both halves of a fold, run together or apart (the pool merges them)', async () => {
    const whole = await runFold(task, () => {});
    const linearHalf = await runFold({ ...task, part: 'linear' }, () => {});
    const encoderHalf = await runFold({ ...task, part: 'encoder', teacher: linearHalf.teacher, teacherWeights: linearHalf.teacherWeights }, () => {});
    const merged = mergeFoldParts([linearHalf, encoderHalf]);
    for (const r of [whole, merged]) {
      assert.equal(r.fitted?.linear?.length, train.length);
      assert.equal(r.fitted?.head?.length, train.length);
      assert.ok(r.fitted!.head!.every((v) => v >= 0 && v <= 1), 'probabilities');
    }
    assert.deepEqual(Array.from(merged.fitted!.linear!), Array.from(whole.fitted!.linear!));
    assert.deepEqual(Array.from(merged.fitted!.head!), Array.from(whole.fitted!.head!));
    // trained on them, the models fit most of these rows' labels (9 in 10 are right; the head,
    // after two epochs, fewer)
    const fitRate = (v: Float32Array) => v.filter((p) => p > 0.5).length / v.length;
    assert.ok(fitRate(whole.fitted!.linear!) > 0.8, `linear ${fitRate(whole.fitted!.linear!)}`);
    assert.ok(fitRate(whole.fitted!.head!) > 0.6, `head ${fitRate(whole.fitted!.head!)}`);
  });
});
