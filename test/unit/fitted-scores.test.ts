import assert from 'node:assert/strict';
import { meanFitted, splitFold, type FoldResult } from '../../src/core/folds';
import { emptyNeighbours } from '../../src/core/neighbours';
import { FITTED_SHARE, SCORING, scoreLabeled } from '../../src/core/score';
import { noNeighbours } from '../support/evidence';

/** A fold's result carrying only what meanFitted reads: its fitted probabilities, `value(row)` for each training row. */
function foldResult(f: number, fold: Int32Array, trainable: Uint8Array | undefined, value: (row: number) => number): FoldResult {
  const { train, held } = splitFold(fold, f, trainable);
  const v = Float32Array.from(train, value);
  return {
    kind: 'labeled', f, held, trainRows: train.length, epochsRun: 0, probs: new Float32Array(0), linear: new Float32Array(0),
    fitted: { linear: v, head: v.map((p) => p / 2) }, nn: emptyNeighbours(0, 0),
  };
}

describe('the label scores\' fitted probabilities', () => {
  it('are, per row, the mean over the folds that trained on it; NaN where none did', () => {
    const n = 12, K = 3;
    const fold = Int32Array.from({ length: n }, (_, i) => i % K);
    // rows 10 and 11 only get scored (a test file of a multi-file audit)
    const trainable = Uint8Array.from({ length: n }, (_, i) => (i < 10 ? 1 : 0));
    // fold f's model gives row r the probability (r + f) / 100
    const results = [0, 1, 2].map((f) => foldResult(f, fold, trainable, (r) => (r + f) / 100));
    const got = meanFitted(results, fold, trainable);
    for (let r = 0; r < n; r++) {
      if (r >= 10) {
        assert.ok(Number.isNaN(got.linear[r]) && Number.isNaN(got.head[r]), `row ${r} never trained`);
        continue;
      }
      const trainedBy = [0, 1, 2].filter((f) => f !== r % K);
      const want = trainedBy.reduce((t, f) => t + (r + f) / 100, 0) / trainedBy.length;
      assert.ok(Math.abs(got.linear[r] - want) < 1e-6, `row ${r}: ${got.linear[r]} against ${want}`);
      assert.ok(Math.abs(got.head[r] - want / 2) < 1e-6);
    }
  });

  it('refuse a fold without them', () => {
    const fold = Int32Array.from({ length: 6 }, (_, i) => i % 2);
    const bare = { ...foldResult(0, fold, undefined, () => 0.5), fitted: undefined };
    assert.throws(() => meanFitted([bare, foldResult(1, fold, undefined, () => 0.5)], fold), /fold 0 without its training rows' probabilities/);
  });

  describe('in scoreLabeled', () => {
    // three rows, two classes, no neighbours (the kNN vote is then even: 1/2 each)
    const C = 2, n = 3, labels = ['a', 'b'];
    const y = Int32Array.from([0, 1, 0]);
    const linear = Float32Array.from([0.9, 0.1, 0.3, 0.7, 0.2, 0.8]);
    const probs = Float32Array.from([0.8, 0.2, 0.4, 0.6, 0.3, 0.7]);
    const ev = noNeighbours(n);
    const fitted = { linear: Float32Array.from([0.95, 0.8, NaN]), head: Float32Array.from([0.9, 0.5, NaN]) };
    const outOfFold = scoreLabeled({ y, probs, linear, classes: C, labels, ev });
    const withFit = scoreLabeled({ y, probs, linear, fitted, classes: C, labels, ev });
    const blend = (head: number, lin: number) => 1 - (SCORING.head * head + SCORING.knn * 0.5 + SCORING.linear * lin) / (SCORING.head + SCORING.knn + SCORING.linear);
    const mix = (oof: number, fit: number) => (1 - FITTED_SHARE) * oof + FITTED_SHARE * fit;

    it('average each model\'s out-of-fold probability of the given label with its fitted one', () => {
      assert.ok(Math.abs(outOfFold[1].suspicion - blend(0.6, 0.7)) < 1e-6);
      assert.ok(Math.abs(withFit[0].suspicion - blend(mix(0.8, 0.9), mix(0.9, 0.95))) < 1e-6);
      assert.ok(Math.abs(withFit[1].suspicion - blend(mix(0.6, 0.5), mix(0.7, 0.8))) < 1e-6);
      // row 1: the models that trained on it fit its label better than the fold that held it out
      assert.ok(withFit[1].suspicion < outOfFold[1].suspicion);
    });

    it('leave a row no fold trained on to its out-of-fold score', () => {
      assert.equal(withFit[2].suspicion, outOfFold[2].suspicion);
    });

    it('leave the suggested labels, and their number, to the out-of-fold probabilities, and say both in the evidence', () => {
      assert.deepEqual(withFit.map((s) => s.suggested), outOfFold.map((s) => s.suggested));
      assert.match(withFit[1].evidence[0], /^linear classifier \(out-of-fold\): P\("b"\) = 70%; trained on this row, P\("b"\) = 80%$/);
      assert.ok(!withFit[2].evidence.some((e) => e.includes('trained on this row')), 'row 2 never trained');
    });
  });
});
