import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { featurize, featurizeWithBlocks, normalizeText, rowDot, TRIPLET_FEATURIZER, wordView, DEFAULT_FEATURIZER, type Csr } from '../../src/core/featurize';
import { LinearModel, DEFAULT_LINEAR } from '../../src/core/linear';
import { PairClassifier } from '../../src/core/pairSgd';
import {
  crossFitTriplets, errorOdds, fitLogistic, pairDistance, pairFeatures, pickPartners, PAIR_CLASSES,
} from '../../src/core/tripletModel';
import { assignGroupFolds } from '../../src/core/audit';
import { Rng } from '../../src/core/rng';
import { scoreTriplets } from '../../src/core/score';

const ROOT = join(__dirname, '..', '..');

function csr(rows: [number, number][][], cols: number): Csr {
  const indptr = new Int32Array(rows.length + 1), indices: number[] = [], values: number[] = [];
  rows.forEach((r, i) => { for (const [c, v] of r) { indices.push(c); values.push(v); } indptr[i + 1] = indices.length; });
  return { rows: rows.length, cols, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

/** Average precision of a ranking by score (ties by row order), as bench/quality.ts computes it. */
function averagePrecision(score: ArrayLike<number>, truth: Set<number>): number {
  const order = Array.from(score, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  let hits = 0, sum = 0;
  order.forEach((i, r) => { if (truth.has(i)) { hits++; sum += hits / (r + 1); } });
  return sum / truth.size;
}

describe('featurize: words and characters apart', () => {
  const texts = ['A cat sat on the mat.', 'The cat sat.', 'a dog ran on the mat', '酒店很好', '酒店很差', 'Ünïcödé wörds, wörds'];

  it('rows have ascending, distinct columns and unit norm, also past 4,096 entries (64-bit sort keys)', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `w${i} x${i % 7}`).join(' ');
    for (const opt of [TRIPLET_FEATURIZER, DEFAULT_FEATURIZER, { ...DEFAULT_FEATURIZER, minDf: 1 }]) {
      const x = featurize([...texts, long, long + ' end'], opt);
      assert.ok(x.indptr[x.rows] - x.indptr[x.rows - 1] > 4096 || opt.minDf > 1);
      for (let r = 0; r < x.rows; r++) {
        let norm = 0;
        for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
          if (p > x.indptr[r]) assert.ok(x.indices[p] > x.indices[p - 1], `row ${r} not ascending`);
          norm += x.values[p] ** 2;
        }
        if (x.indptr[r + 1] > x.indptr[r] && opt.wordShare === 0) assert.ok(Math.abs(norm - 1) < 1e-5, `row ${r} norm ${norm}`);
      }
    }
  });

  it('wordView gives what featurising the words alone gives', () => {
    const words = featurize(texts, { ...TRIPLET_FEATURIZER, charMin: 1, charMax: 0 });
    const view = wordView(featurizeWithBlocks(texts, TRIPLET_FEATURIZER));
    assert.equal(view.cols, words.cols);
    assert.deepEqual(Array.from(view.indptr), Array.from(words.indptr));
    assert.deepEqual(Array.from(view.indices), Array.from(words.indices));
    view.values.forEach((v, p) => assert.ok(Math.abs(v - words.values[p]) < 1e-6));
  });

  it('marks the word columns: a word shared by two texts is a word column of both', () => {
    const { x, isWord } = featurizeWithBlocks(['red apple', 'red pear'], { ...TRIPLET_FEATURIZER, minDf: 2 });
    // "red" (a word) and the letter trigrams " re", "red", "ed " are shared
    const shared = Array.from(x.indices.subarray(x.indptr[0], x.indptr[1]));
    assert.equal(shared.filter((c) => isWord[c]).length, 1);
    assert.equal(shared.filter((c) => !isWord[c]).length, 3);
  });
});

describe('the triplet pair model', () => {
  // texts: 0 anchor, 1 shares word 0 with it, 2 shares nothing
  const words = csr([[[0, 0.6], [1, 0.8]], [[0, 0.8], [2, 0.6]], [[3, 1]]], 4);
  const x = csr([[[0, 1]], [[0, 0.6], [1, 0.8]], [[1, 1]]], 2);

  it('pair features: shared n-grams (geometric mean), new ones (offset W), cosines raw and binned', () => {
    const { features: f, similarity } = pairFeatures(x, words, [0, 0], [1, 2]);
    const row = (r: number) => Array.from(f.indices.subarray(f.indptr[r], f.indptr[r + 1]));
    const val = (r: number) => Array.from(f.values.subarray(f.indptr[r], f.indptr[r + 1]));
    const W = 4, dense = 2 * W;
    // pair (0, 1): word 0 shared, word 2 new; cosine of x = 0.6 (bin 6), of words = 0.48 (bin 4)
    assert.deepEqual(row(0), [0, W + 2, dense + 6, dense + 10, dense + 11 + 4, dense + 21]);
    const v0 = val(0);
    assert.ok(Math.abs(v0[0] - Math.sqrt(0.6 * 0.8)) < 1e-6 && Math.abs(v0[1] - 0.6) < 1e-6);
    assert.ok(Math.abs(v0[3] - 0.6) < 1e-6 && Math.abs(v0[5] - 0.48) < 1e-6);
    // pair (0, 2): nothing shared, cosines 0
    assert.deepEqual(row(1), [W + 3, dense + 0, dense + 10, dense + 11, dense + 21]);
    assert.deepEqual(Array.from(similarity), [rowDot(x, 0, x, 1), rowDot(x, 0, x, 2)]);
    assert.equal(f.cols, dense + 22);
  });

  it('error odds: the swapped and the unrelated-positive readings against the triplet as given', () => {
    const p = [0.2, 0.7, 0.1], q = [0.6, 0.3, 0.1]; // [positive, negative, unrelated]
    const e = errorOdds(p, 0, q, 0);
    assert.ok(Math.abs(e.swap - Math.log((0.7 * 0.6) / (0.2 * 0.3))) < 1e-12);
    assert.ok(Math.abs(e.unrelated - Math.log(0.1 / 0.2)) < 1e-12);
    assert.ok(Math.abs(e.odds - Math.log((0.7 * 0.6 + 0.1 * 0.3) / (0.2 * 0.3))) < 1e-12);
    // reading the triplet the other way round turns the swap odds over
    assert.ok(Math.abs(errorOdds(q, 0, p, 0).swap + e.swap) < 1e-12);
    assert.deepEqual([...PAIR_CLASSES], ['positive', 'negative', 'unrelated']);
  });

  it('the distance follows P(positive): 0 at certainty, sqrt(2) at none, cosine distance 1 - P', () => {
    assert.equal(pairDistance(1), 0);
    assert.ok(Math.abs(pairDistance(0) - Math.SQRT2) < 1e-12);
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
      assert.ok(Math.abs(pairDistance(a) ** 2 / 2 - (1 - a)) < 1e-12);
      if (a > b) assert.ok(pairDistance(a) <= pairDistance(b));
    }));
  });

  it('logistic regression by Newton recovers the weights that generated the labels', () => {
    const rng = new Rng(1), n = 20_000, X = new Float64Array(2 * n), y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      X[2 * i] = 3 * rng.normal(); X[2 * i + 1] = 0.2 * rng.normal();
      y[i] = rng.next() < 1 / (1 + Math.exp(-(0.7 * X[2 * i] + 2 * X[2 * i + 1] - 1))) ? 1 : 0;
    }
    const { w, b } = fitLogistic(X, 2, y);
    assert.ok(Math.abs(w[0] - 0.7) < 0.05 && Math.abs(w[1] - 2) < 0.4 && Math.abs(b + 1) < 0.1, `${Array.from(w)} ${b}`);
  });

  it('partners come from the same fold with another anchor, or none', () => {
    const fold = Int32Array.from([0, 0, 0, 1, 1, 2]), groups = Int32Array.from([0, 0, 1, 2, 2, 3]);
    const partner = pickPartners(fold, groups, 3, new Rng(5));
    partner.forEach((j, i) => {
      if (fold[i] === 1 || fold[i] === 2) { assert.equal(j, -1); return; }
      assert.equal(fold[j], fold[i]);
      assert.notEqual(groups[j], groups[i]);
    });
  });

  it('the classifier fits as LinearModel does (same SGD, same settings)', () => {
    const rng = new Rng(3), rows = 600, cols = 50, entries: [number, number][][] = [];
    const y = Int32Array.from({ length: rows }, (_, r) => r % 3);
    for (let r = 0; r < rows; r++) {
      const set = new Set<number>([y[r] * 10 + rng.int(10), y[r] * 10 + rng.int(10)]);
      for (let k = 0; k < 4; k++) set.add(rng.int(cols));
      entries.push([...set].sort((a, b) => a - b).map((c) => [c, 0.4]));
    }
    const m = csr(entries, cols), train = Int32Array.from({ length: 400 }, (_, i) => i), held = Array.from({ length: 200 }, (_, i) => 400 + i);
    const ours = new PairClassifier(m), theirs = new LinearModel(m, 3);
    assert.equal(ours.fit(train, y, new Rng(9), DEFAULT_LINEAR), theirs.fit(train, y, new Rng(9), DEFAULT_LINEAR));
    const a = ours.predict(held), b = theirs.predict(held);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5));
    let right = 0;
    held.forEach((r, i) => { const p = Array.from(a.subarray(3 * i, 3 * i + 3)); if (p.indexOf(Math.max(...p)) === y[r]) right++; });
    assert.ok(right / held.length > 0.8);
  });
});

describe('triplet scores and evidence', () => {
  // four triplets: uninformative, swapped-looking, unrelated-positive-looking, near-duplicate negative
  const pairP = Float32Array.from([1 / 3, 1 / 3, 1 / 3, 0.1, 0.8, 0.1, 0.05, 0.05, 0.9, 0.8, 0.1, 0.1]);
  const pairN = Float32Array.from([1 / 3, 1 / 3, 1 / 3, 0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.7, 0.2, 0.1]);
  const odds = Array.from({ length: 4 }, (_, i) => errorOdds(pairP, 3 * i, pairN, 3 * i));
  const ev = {
    pairP, pairN,
    swap: Float32Array.from(odds, (o) => o.swap), unrelated: Float32Array.from(odds, (o) => o.unrelated), odds: Float32Array.from(odds, (o) => o.odds),
    simAP: Float32Array.from([0.3, 0.2, 0.05, 0.5]), simAN: Float32Array.from([0.3, 0.4, 0.1, 0.95]), simPN: Float32Array.from([0.2, 0.1, 0.1, 0.5]),
    score: Float32Array.from([0, 3, 2, 1]), fold: Int32Array.from([0, 0, 1, 1]),
    detector: [{ odds: 0.7, lexical: 1.5, bias: -2 }, { odds: 0.6, lexical: 1.2, bias: -1.5 }],
  };
  const s = scoreTriplets(ev);

  it('names the likelier error reading as the fix, none where no reading beats the triplet as given', () => {
    assert.deepEqual(s.map((x) => x.fix), [undefined, 'swap-positive-negative', 'replace-positive', 'replace-negative']);
    assert.deepEqual(s.map((x) => x.nearDuplicate), [false, false, false, true]);
  });

  it('suspicion follows the detector score; the evidence quotes the pair model, the odds, the lexical cosines and the fold\'s weights', () => {
    const order = [...s.keys()].sort((a, b) => s[b].suspicion - s[a].suspicion);
    assert.deepEqual(order, [1, 2, 3, 0]);
    assert.equal(s[1].evidence[0], 'pair model (out-of-fold): P(positive | anchor, positive) = 10%, P(positive | anchor, negative) = 80%, P(unrelated | anchor, positive) = 10%');
    assert.equal(s[1].evidence[1], 'odds against the triplet as given: swapped 64 : 1, unrelated positive 1 : 1');
    assert.equal(s[1].evidence[2], 'lexical: sim(a,p) = 0.20, sim(a,n) = 0.40, sim(p,n) = 0.10');
    assert.match(s[2].evidence[3], /^detector: 0\.60 x log-odds [\d.]+ \+ 1\.20 x lexical margin 0\.05 /);
    assert.match(s[3].evidence[4], /near-duplicate of the anchor/);
  });
});

describe('the triplet detector on SNLI triplets', function () {
  this.timeout(60_000);
  const lines = readFileSync(join(ROOT, '..', 'shared', 'datasets', 'nli_triplets_snli_dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 1200);
  const clean = lines.map((l) => JSON.parse(l) as { anchor: string; positive: string; negative: string });

  /** The triplets with 8% corrupted as make_noisy.py does: half swapped, half another anchor's positive. */
  function corrupt(seed: number) {
    const rng = new Rng(seed), t = clean.map((r) => ({ ...r })), truth = new Set<number>();
    const picked = Array.from(t.keys());
    rng.shuffle(picked);
    picked.slice(0, Math.round(0.08 * t.length)).forEach((i, j) => {
      truth.add(i);
      if (j % 2 === 0) [t[i].positive, t[i].negative] = [t[i].negative, t[i].positive];
      else {
        let k = rng.int(t.length);
        while (t[k].anchor === t[i].anchor) k = rng.int(t.length);
        t[i].positive = clean[k].positive;
      }
    });
    return { t, truth };
  }

  function fit(t: { anchor: string; positive: string; negative: string }[], seed = 42) {
    const n = t.length;
    const blocks = featurizeWithBlocks([...t.map((r) => r.anchor), ...t.map((r) => r.positive), ...t.map((r) => r.negative)], TRIPLET_FEATURIZER);
    const ids = new Map<string, number>();
    const groups = Int32Array.from(t, (r) => { const k = normalizeText(r.anchor); if (!ids.has(k)) ids.set(k, ids.size); return ids.get(k)!; });
    const fold = assignGroupFolds(groups, 5, new Rng(seed));
    return { fold, m: crossFitTriplets({ x: blocks.x, words: wordView(blocks), n, fold, folds: 5, groups, seed, epochs: 0 }) };
  }

  it('ranks corrupted triplets far above the lexical margin (the TF-IDF anchor)', () => {
    const { t, truth } = corrupt(1);
    const { m } = fit(t);
    const detector = averagePrecision(m.score, truth);
    const lexical = averagePrecision(Array.from(m.simAN, (v, i) => v - m.simAP[i]), truth);
    assert.ok(detector > lexical + 0.1, `detector AP ${detector}, lexical ${lexical}`);
    assert.ok(detector > 0.5, `detector AP ${detector}`);
    // the detector learned to use both signals
    for (const w of m.detector) assert.ok(w.odds > 0 && w.lexical > 0, JSON.stringify(w));
  });

  it('scores each triplet with a pair model that never saw it: swapping one triplet swaps its probabilities', () => {
    const { t } = corrupt(2);
    const i = 17, swapped = t.map((r) => ({ ...r }));
    [swapped[i].positive, swapped[i].negative] = [swapped[i].negative, swapped[i].positive];
    const a = fit(t).m, b = fit(swapped).m;
    assert.deepEqual(Array.from(b.pairP.subarray(3 * i, 3 * i + 3)), Array.from(a.pairN.subarray(3 * i, 3 * i + 3)));
    assert.deepEqual(Array.from(b.pairN.subarray(3 * i, 3 * i + 3)), Array.from(a.pairP.subarray(3 * i, 3 * i + 3)));
  });

  it('is deterministic for a seed, and another seed gives other folds', () => {
    const { t } = corrupt(3);
    const a = fit(t).m, b = fit(t).m, c = fit(t, 7).m;
    assert.deepEqual(Array.from(a.score), Array.from(b.score));
    assert.notDeepEqual(Array.from(a.score), Array.from(c.score));
  });
});
