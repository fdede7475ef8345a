import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { nearestNeighbours, type NeighbourResult } from '../../src/core/neighbours';
import { kernelModule } from '../../src/core/kernels/load';
import { SCAN_WASM_BASE64 } from '../../src/core/kernels/scanWasm';
import { AbortError } from '../../src/core/engineApi';
import { Rng } from '../../src/core/rng';

/** Row-major [n x dim] rows with normal entries, L2-normalised. */
function unitRows(rng: Rng, n: number, dim: number): Float32Array {
  const z = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) { const v = rng.normal(); z[i * dim + d] = v; s += v * v; }
    for (let d = 0; d < dim; d++) z[i * dim + d] /= Math.sqrt(s);
  }
  return z;
}

/**
 * Rows drawn from a small pool of vectors with entries in {-2 .. 2} / 4: every dot product is a
 * multiple of 1/16, exact in float32 whatever the order of the sum, and the many repeated rows
 * make many exact ties.
 */
function tiedRows(rng: Rng, n: number, dim: number, pool: number): Float32Array {
  const vectors = Array.from({ length: pool }, () => Array.from({ length: dim }, () => (rng.int(5) - 2) / 4));
  const z = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) z.set(vectors[rng.int(pool)], i * dim);
  return z;
}

const dot = (z: Float32Array, dim: number, a: number, b: number) => {
  let s = 0;
  for (let d = 0; d < dim; d++) s += z[a * dim + d] * z[b * dim + d];
  return s;
};

/** The answer by sorting every reference, in double precision: ties go to the earlier reference. */
function bruteForce(z: Float32Array, dim: number, queries: Int32Array, refs: Int32Array, labels: Int32Array | undefined, k: number): NeighbourResult {
  const nq = queries.length;
  const res: NeighbourResult = {
    ids: new Int32Array(nq * k).fill(-1), sims: new Float32Array(nq * k).fill(-Infinity), k,
    sameId: new Int32Array(nq).fill(-1), sameSim: new Float32Array(nq).fill(-Infinity),
    otherId: new Int32Array(nq).fill(-1), otherSim: new Float32Array(nq).fill(-Infinity),
  };
  queries.forEach((qi, t) => {
    const order = Array.from(refs.keys()).map((pos) => ({ pos, s: dot(z, dim, qi, refs[pos]) }))
      .sort((a, b) => b.s - a.s || a.pos - b.pos);
    order.slice(0, k).forEach((o, j) => { res.ids[t * k + j] = refs[o.pos]; res.sims[t * k + j] = o.s; });
    if (!labels) return;
    const same = order.find((o) => labels[refs[o.pos]] === labels[qi]), other = order.find((o) => labels[refs[o.pos]] !== labels[qi]);
    if (same) { res.sameId[t] = refs[same.pos]; res.sameSim[t] = same.s; }
    if (other) { res.otherId[t] = refs[other.pos]; res.otherSim[t] = other.s; }
  });
  return res;
}

describe('exact neighbours (WebAssembly SIMD kernel, JS reference)', () => {
  it('the kernel compiles here, so the WebAssembly path is the one compared', () => {
    assert.notEqual(kernelModule(SCAN_WASM_BASE64), null);
  });

  it('equal brute force exactly on data full of ties, in WebAssembly and in JS, for any shape', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({
        seed: fc.integer({ min: 1, max: 1e6 }), nq: fc.integer({ min: 1, max: 30 }), nr: fc.integer({ min: 1, max: 200 }),
        dim: fc.integer({ min: 1, max: 11 }), k: fc.integer({ min: 1, max: 12 }), pool: fc.integer({ min: 1, max: 12 }),
        blockRows: fc.constantFrom(1, 3, 16, 256), slabRefs: fc.constantFrom(8, 24, 100_000), labeled: fc.boolean(),
      }),
      async ({ seed, nq, nr, dim, k, pool, blockRows, slabRefs, labeled }) => {
        const rng = new Rng(seed), n = nq + nr;
        const z = tiedRows(rng, n, dim, pool);
        // labels 0..2, and 3 only among the queries: their same-label neighbour does not exist
        const labels = labeled ? Int32Array.from({ length: n }, (_, i) => (i < nq && rng.next() < 0.2 ? 3 : rng.int(3))) : undefined;
        const queries = Int32Array.from({ length: nq }, (_, i) => i);
        const refs = Int32Array.from({ length: nr }, (_, i) => nq + i);
        rng.shuffle(refs);
        const expected = bruteForce(z, dim, queries, refs, labels, k);
        const inp = { z, dim, queries, refs, labels, k, blockRows, slabRefs };
        assert.deepEqual(await nearestNeighbours(inp), expected);
        assert.deepEqual(await nearestNeighbours({ ...inp, useWasm: false }), expected);
      }), { numRuns: 60 });
  });

  it('on unit vectors: the same bits in WebAssembly and JS, and brute force to float32 rounding', async () => {
    const rng = new Rng(9), n = 9000, dim = 13, k = 5;
    const z = unitRows(rng, n, dim);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
    const queries = Int32Array.from({ length: 41 }, (_, i) => i * 3);
    const refs = Int32Array.from({ length: n - 200 }, (_, i) => 200 + i); // several chunks of the kernel
    const wasm = await nearestNeighbours({ z, dim, queries, refs, labels, k, blockRows: 16 });
    assert.deepEqual(await nearestNeighbours({ z, dim, queries, refs, labels, k, blockRows: 16, useWasm: false }), wasm);
    assert.deepEqual(await nearestNeighbours({ z, dim, queries, refs, labels, k, slabRefs: 3000 }), wasm, 'three slabs');
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6;
    queries.forEach((qi, t) => {
      const sims = Array.from(refs, (r) => dot(z, dim, qi, r));
      const kth = wasm.sims[t * k + k - 1];
      for (let j = 0; j < k; j++) {
        const id = wasm.ids[t * k + j];
        assert.ok(close(wasm.sims[t * k + j], dot(z, dim, qi, id)), `query ${qi}, neighbour ${j}`);
        if (j > 0) assert.ok(wasm.sims[t * k + j] <= wasm.sims[t * k + j - 1]);
      }
      const chosen = new Set(wasm.ids.subarray(t * k, t * k + k));
      refs.forEach((r, pos) => { if (!chosen.has(r)) assert.ok(sims[pos] <= kth + 1e-6, `query ${qi}: reference ${r} beats the k-th`); });
      const best = (same: boolean) => Math.max(...sims.filter((_, pos) => (labels[refs[pos]] === labels[qi]) === same));
      assert.ok(close(wasm.sameSim[t], best(true)) && close(dot(z, dim, qi, wasm.sameId[t]), wasm.sameSim[t]));
      assert.ok(close(wasm.otherSim[t], best(false)) && close(dot(z, dim, qi, wasm.otherId[t]), wasm.otherSim[t]));
      assert.equal(labels[wasm.sameId[t]], labels[qi]);
      assert.notEqual(labels[wasm.otherId[t]], labels[qi]);
    });
  });

  it('fewer references than k: the rest is -1 / -Infinity; unlabeled data has no same / other', async () => {
    const z = Float32Array.from([1, 0, 0, 1, 0.6, 0.8]);
    const r = await nearestNeighbours({ z, dim: 2, queries: Int32Array.from([0]), refs: Int32Array.from([1, 2]), k: 3 });
    assert.deepEqual(Array.from(r.ids), [2, 1, -1]);
    assert.deepEqual(Array.from(r.sims), [Math.fround(0.6), 0, -Infinity]);
    assert.deepEqual([r.sameId[0], r.otherId[0], r.sameSim[0], r.otherSim[0]], [-1, -1, -Infinity, -Infinity]);
  });

  it('stops at the next block once the signal is aborted', async () => {
    const rng = new Rng(4), n = 2000, dim = 8;
    const z = unitRows(rng, n, dim);
    const ac = new AbortController();
    const run = nearestNeighbours({ z, dim, queries: Int32Array.from({ length: 100 }, (_, i) => i), refs: Int32Array.from({ length: n - 100 }, (_, i) => 100 + i), k: 3, blockRows: 16, signal: ac.signal });
    ac.abort();
    await assert.rejects(run, AbortError);
  });
});
