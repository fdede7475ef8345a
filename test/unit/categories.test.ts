import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  classify, tripletLoss, reclassify, fromEuclidean, toEuclidean, isTriviallyEasy, suggestMargin,
  CATEGORY_EASY, CATEGORY_SEMI_HARD, CATEGORY_HARD,
} from '../../src/core/categories';

describe('triplet categories (boundaries as in the domain guide)', () => {
  const m = 0.25; // exact in binary floating point, so the equalities below are exact

  it('easy when d(a,p) + m <= d(a,n): the equality is easy, with loss 0', () => {
    assert.equal(classify(0.5, 0.75, m), 'easy');
    assert.equal(tripletLoss(0.5, 0.75, m), 0);
    assert.equal(classify(0.5, 1.5, m), 'easy');
  });

  it('semi-hard when d(a,p) < d(a,n) < d(a,p) + m, with loss in (0, m)', () => {
    assert.equal(classify(0.5, 0.625, m), 'semi-hard');
    const l = tripletLoss(0.5, 0.625, m);
    assert.ok(l > 0 && l < m);
    // just above d(a,p) and just below d(a,p) + m
    assert.equal(classify(0.5, 0.5 + 1e-9, m), 'semi-hard');
    assert.equal(classify(0.5, 0.75 - 1e-9, m), 'semi-hard');
  });

  it('hard when d(a,n) <= d(a,p): the equality is hard, with loss exactly m', () => {
    assert.equal(classify(0.5, 0.5, m), 'hard');
    assert.equal(tripletLoss(0.5, 0.5, m), m);
    assert.equal(classify(0.75, 0.5, m), 'hard');
    assert.ok(tripletLoss(0.75, 0.5, m) >= m);
  });

  it('categories agree with the loss for any distances and margin', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 4, noNaN: true }), fc.double({ min: 0, max: 4, noNaN: true }),
      fc.double({ min: 1e-6, max: 5, noNaN: true }), (p, n, mm) => {
        const c = classify(p, n, mm), l = tripletLoss(p, n, mm);
        if (c === 'easy') return l === 0;
        if (c === 'hard') return l >= mm;
        return l > 0 && l < mm + 1e-12;
      }));
  });

  it('reclassify counts match classify row by row', () => {
    const dAP = Float32Array.from([0.5, 0.5, 0.5, 0.75, 0.1]);
    const dAN = Float32Array.from([0.75, 0.625, 0.5, 0.5, 1.0]);
    const out = new Uint8Array(5);
    const c = reclassify(dAP, dAN, m, out);
    assert.deepEqual([...out], [CATEGORY_EASY, CATEGORY_SEMI_HARD, CATEGORY_HARD, CATEGORY_HARD, CATEGORY_EASY]);
    assert.deepEqual(c, { easy: 2, semiHard: 1, hard: 2, triviallyEasy: 1 });
    assert.equal(isTriviallyEasy(0.1, 1.0, m), true);
    assert.equal(isTriviallyEasy(0.5, 0.75, m), false);
  });

  it('distances convert through the Euclidean distance of normalised embeddings', () => {
    for (const d of ['euclidean', 'squared-euclidean', 'cosine'] as const) {
      for (const e of [0, 0.3, 1, 1.7, 2]) assert.ok(Math.abs(toEuclidean(fromEuclidean(e, d), d) - e) < 1e-12);
    }
    // unit vectors at 90 degrees: Euclidean sqrt(2), squared 2, cosine distance 1
    assert.ok(Math.abs(fromEuclidean(Math.SQRT2, 'squared-euclidean') - 2) < 1e-12);
    assert.ok(Math.abs(fromEuclidean(Math.SQRT2, 'cosine') - 1) < 1e-12);
  });

  it('suggests the median gap of the rightly ordered triplets as margin', () => {
    assert.equal(suggestMargin([0.1, 0.2, 0.3, 0.5], [0.2, 0.5, 0.9, 0.4]), 0.3);
  });
});
