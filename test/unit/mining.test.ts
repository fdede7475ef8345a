import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { mineTriplets, hingeGradient } from '../../src/core/encoder';

/** Points on the unit circle at the given angles, as 2-D embeddings. */
const circle = (...deg: number[]) => Float32Array.from(deg.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));
const dist = (z: Float32Array, i: number, j: number) => Math.hypot(z[2 * i] - z[2 * j], z[2 * i + 1] - z[2 * j + 1]);

describe('online triplet mining', () => {
  // anchor 0 at 0°, its positive 1 at 40°, negatives at 30° (closer than the positive: hard),
  // 60° (farther than the positive: semi-hard at a large enough margin) and 150° (farther still)
  const z = circle(0, 40, 30, 60, 150);
  const y = [0, 0, 1, 1, 1];

  it('semi-hard: the nearest negative farther than the positive (FaceNet / TF Addons)', () => {
    const t = mineTriplets(z, 2, y, 'semi-hard');
    const k = t.a.findIndex((a, i) => a === 0 && t.p[i] === 1);
    assert.ok(k >= 0);
    assert.equal(t.n[k], 3);
    assert.ok(dist(z, 0, 3) > dist(z, 0, 1));
  });

  it('semi-hard: where no negative is farther than the positive, the farthest negative', () => {
    const zz = circle(0, 170, 30, 60);
    const t = mineTriplets(zz, 2, [0, 0, 1, 1], 'semi-hard');
    const k = t.a.findIndex((a, i) => a === 0 && t.p[i] === 1);
    assert.equal(t.n[k], 3);
  });

  it('batch-hard: the farthest positive and the nearest negative of each anchor', () => {
    const t = mineTriplets(z, 2, y, 'batch-hard');
    const k = t.a.indexOf(0);
    assert.equal(t.p[k], 1);
    assert.equal(t.n[k], 2);
    // every anchor with a positive and a negative in the batch gets one triplet
    assert.deepEqual(t.a, [0, 1, 2, 3, 4]);
  });

  it('never pairs a row with itself or mixes up positives and negatives', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 359 }), fc.integer({ min: 0, max: 2 })), { minLength: 2, maxLength: 24 }),
      fc.constantFrom('semi-hard' as const, 'batch-hard' as const), (pts, mining) => {
        const zz = circle(...pts.map((p) => p[0])), yy = pts.map((p) => p[1]);
        const t = mineTriplets(zz, 2, yy, mining);
        return t.a.every((a, i) => a !== t.p[i] && yy[a] === yy[t.p[i]] && yy[a] !== yy[t.n[i]]);
      }));
  });
});

describe('the hinge gradient handed to TF.js', () => {
  const loss = (z: Float32Array, t: { a: number[]; p: number[]; n: number[] }, m: number) =>
    t.a.reduce((s, a, i) => s + Math.max(dist(z, a, t.p[i]) - dist(z, a, t.n[i]) + m, 0), 0) / t.a.length;

  it('matches a finite-difference gradient of the mean hinge loss', () => {
    const z = Float32Array.from([0.9, 0.1, 0.2, 0.95, 0.7, 0.4, -0.3, 0.8]);
    const t = { a: [0, 1, 2], p: [1, 0, 3], n: [2, 3, 0] };
    const m = 0.5;
    const g = hingeGradient(z, 2, t, m, 1);
    const h = 1e-3;
    for (let i = 0; i < z.length; i++) {
      const zp = Float32Array.from(z), zm = Float32Array.from(z);
      zp[i] += h; zm[i] -= h;
      const num = (loss(zp, t, m) - loss(zm, t, m)) / (2 * h);
      assert.ok(Math.abs(num - g[i]) < 2e-3, `coordinate ${i}: ${num} vs ${g[i]}`);
    }
  });

  it('is zero for triplets already satisfied by the margin (easy ones teach nothing)', () => {
    const z = circle(0, 10, 170);
    const g = hingeGradient(z, 2, { a: [0], p: [1], n: [2] }, 0.2, 1);
    assert.ok(g.every((v) => v === 0));
  });
});
