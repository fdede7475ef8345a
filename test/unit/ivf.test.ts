import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { AbortError } from '../../src/core/engineApi';
import { approximateNeighbours, ivfParams, shouldUseIvf, IVF_MIN_PAIRS, type IvfStats } from '../../src/core/ivf';
import { PointSet } from '../../src/core/ivfKernel';
import { CentroidSearch, sphericalKMeans } from '../../src/core/kmeans';
import type { NeighbourResult } from '../../src/core/neighbours';
import { Rng } from '../../src/core/rng';

function normalise(z: Float32Array, dim: number): Float32Array {
  for (let i = 0; i < z.length / dim; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += z[i * dim + d] ** 2;
    for (let d = 0; d < dim; d++) z[i * dim + d] /= Math.sqrt(s) || 1;
  }
  return z;
}

/** Unit vectors around `clusters` random centres (label = cluster, a fraction `flip` relabeled). */
function clustered(rng: Rng, rows: number, dim: number, clusters: number, spread: number, flip = 0) {
  const centres = Float32Array.from({ length: clusters * dim }, () => rng.normal());
  const z = new Float32Array(rows * dim), labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = rng.int(clusters);
    labels[i] = rng.next() < flip ? rng.int(clusters) : c;
    for (let d = 0; d < dim; d++) z[i * dim + d] = centres[c * dim + d] + spread * rng.normal();
  }
  return { z: normalise(z, dim), labels };
}

/** Brute force in double precision, ties to the earlier reference: what neighbours.ts computes. */
function bruteForce(z: Float32Array, dim: number, queries: Int32Array, refs: Int32Array, k: number, labels?: Int32Array): NeighbourResult {
  const nq = queries.length;
  const res: NeighbourResult = {
    ids: new Int32Array(nq * k).fill(-1), sims: new Float32Array(nq * k).fill(-Infinity), k,
    sameId: new Int32Array(nq).fill(-1), sameSim: new Float32Array(nq).fill(-Infinity),
    otherId: new Int32Array(nq).fill(-1), otherSim: new Float32Array(nq).fill(-Infinity),
  };
  const sims = new Float64Array(refs.length);
  queries.forEach((q, i) => {
    refs.forEach((r, j) => { let s = 0; for (let d = 0; d < dim; d++) s += z[q * dim + d] * z[r * dim + d]; sims[j] = s; });
    // insertion into the top k; strict comparisons keep the earlier reference on ties
    const top: number[] = [];
    let same = -1, other = -1;
    sims.forEach((s, j) => {
      if (top.length < k || s > sims[top[top.length - 1]]) {
        let p = Math.min(top.length, k - 1);
        while (p > 0 && sims[top[p - 1]] < s) p--;
        top.splice(p, 0, j);
        if (top.length > k) top.pop();
      }
      if (!labels) return;
      if (labels[refs[j]] === labels[q]) { if (same < 0 || s > sims[same]) same = j; }
      else if (other < 0 || s > sims[other]) other = j;
    });
    top.forEach((j, t) => { res.ids[i * k + t] = refs[j]; res.sims[i * k + t] = sims[j]; });
    if (same >= 0) { res.sameId[i] = refs[same]; res.sameSim[i] = sims[same]; }
    if (other >= 0) { res.otherId[i] = refs[other]; res.otherSim[i] = sims[other]; }
  });
  return res;
}

function recallAt(approx: NeighbourResult, exact: NeighbourResult): number {
  const k = exact.k, nq = exact.ids.length / k;
  let hit = 0;
  for (let i = 0; i < nq; i++) {
    const want = new Set(exact.ids.subarray(i * k, i * k + k));
    for (let j = 0; j < k; j++) if (want.has(approx.ids[i * k + j])) hit++;
  }
  return hit / (nq * k);
}

/** Equal ids, except where two similarities are within rounding (their order is then free). */
function assertSameNeighbours(a: NeighbourResult, b: NeighbourResult): void {
  a.sims.forEach((s, j) => assert.ok(Math.abs(s - b.sims[j]) < 1e-5 || s === b.sims[j], `sim ${s} vs ${b.sims[j]} at ${j}`));
  a.ids.forEach((id, j) => {
    if (id === b.ids[j]) return;
    const near = (j % a.k > 0 && Math.abs(b.sims[j - 1] - b.sims[j]) < 1e-5) || (j % a.k < a.k - 1 && Math.abs(b.sims[j + 1] - b.sims[j]) < 1e-5);
    assert.ok(near, `id ${id} vs ${b.ids[j]} at ${j}`);
  });
}

const split = (n: number, every: number) => {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  return { queries: all.filter((i) => i % every === 0), refs: all.filter((i) => i % every !== 0) };
};

describe('approximate neighbours (inverted file)', () => {
  it('finds nearly all of the exact top 10 on clustered data with the default parameters', async () => {
    const dim = 32, { z, labels } = clustered(new Rng(1), 5000, dim, 60, 0.35);
    const { queries, refs } = split(5000, 5);
    let stats: IvfStats | undefined;
    const approx = await approximateNeighbours({ z, dim, queries, refs, labels, k: 10, seed: 3, onStats: (s) => { stats = s; } });
    const exact = bruteForce(z, dim, queries, refs, 10, labels);
    assert.deepEqual({ nlist: stats!.nlist, nprobe: stats!.nprobe }, { nlist: 63, nprobe: 8 });
    assert.ok(recallAt(approx, exact) > 0.95, `recall ${recallAt(approx, exact)}`);
    // returned similarities are the similarities of the returned rows, descending
    for (let i = 0; i < queries.length; i++) {
      for (let j = 0; j < 10; j++) {
        const r = approx.ids[i * 10 + j];
        let s = 0;
        for (let d = 0; d < dim; d++) s += z[queries[i] * dim + d] * z[r * dim + d];
        assert.ok(Math.abs(s - approx.sims[i * 10 + j]) < 1e-5);
        if (j) assert.ok(approx.sims[i * 10 + j] <= approx.sims[i * 10 + j - 1]);
      }
    }
  });

  it('is the exact search when every list is probed, top k and nearest same / other label', async () => {
    const dim = 16, rng = new Rng(2);
    const z = normalise(Float32Array.from({ length: 900 * dim }, () => rng.normal()), dim);
    const labels = Int32Array.from({ length: 900 }, () => rng.int(4));
    const { queries, refs } = split(900, 3);
    for (const useWasm of [true, false]) {
      const approx = await approximateNeighbours({ z, dim, queries, refs, labels, k: 7, seed: 1, nlist: 12, nprobe: 12, useWasm });
      const exact = bruteForce(z, dim, queries, refs, 7, labels);
      assertSameNeighbours(approx, exact);
      assert.deepEqual(approx.sameId, exact.sameId);
      assert.deepEqual(approx.otherId, exact.otherId);
    }
  });

  it('the label search finds the nearest other-label row the probed lists miss', async () => {
    // labels follow clusters, so the nearest other label is rarely in the nearest lists; and
    // one query in ten is mislabeled, so its nearest same label is not either
    const dim = 32, rng = new Rng(4), { z, labels } = clustered(rng, 6000, dim, 6, 0.3);
    const { queries, refs } = split(6000, 5);
    for (const q of queries) if (rng.next() < 0.1) labels[q] = (labels[q] + 1 + rng.int(5)) % 6;
    const exact = bruteForce(z, dim, queries, refs, 10, labels);
    const agree = (r: NeighbourResult, f: 'sameId' | 'otherId') => r[f].filter((id, i) => id === exact[f][i]).length / queries.length;
    const without = await approximateNeighbours({ z, dim, queries, refs, labels, k: 10, seed: 1, extraProbes: 0 });
    const withSearch = await approximateNeighbours({ z, dim, queries, refs, labels, k: 10, seed: 1 });
    assert.ok(agree(without, 'otherId') < 0.7, `without: ${agree(without, 'otherId')}`);
    assert.ok(agree(withSearch, 'otherId') > 0.85, `with: ${agree(withSearch, 'otherId')}`);
    assert.ok(agree(without, 'sameId') < 0.93, `without: ${agree(without, 'sameId')}`);
    assert.ok(agree(withSearch, 'sameId') > 0.95, `with: ${agree(withSearch, 'sameId')}`);
    // the label search only adds candidates: the top 10 keeps or gains exact neighbours
    assert.ok(recallAt(withSearch, exact) >= recallAt(without, exact));
    // and every same / other answer has the right label and its own similarity
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i], s = withSearch.sameId[i], o = withSearch.otherId[i];
      assert.ok(s >= 0 && labels[s] === labels[q] && o >= 0 && labels[o] !== labels[q]);
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += z[q * dim + d] * z[o * dim + d];
      assert.ok(Math.abs(dot - withSearch.otherSim[i]) < 1e-5);
    }
  });

  it('with many lists (found through groups of lists) recall stays high', async () => {
    const dim = 32, { z, labels } = clustered(new Rng(12), 12000, dim, 100, 0.4);
    const { queries, refs } = split(12000, 20);
    let stats: IvfStats | undefined;
    const approx = await approximateNeighbours({ z, dim, queries, refs, labels, k: 10, seed: 1, nlist: 300, onStats: (s) => { stats = s; } });
    assert.equal(stats!.nlist, 300);
    const exact = bruteForce(z, dim, queries, refs, 10, labels);
    assert.ok(recallAt(approx, exact) > 0.95, `recall ${recallAt(approx, exact)}`);
  });

  it('is deterministic for a seed', async () => {
    const dim = 16, { z, labels } = clustered(new Rng(5), 2000, dim, 20, 0.5);
    const { queries, refs } = split(2000, 4);
    const run = (seed: number) => approximateNeighbours({ z, dim, queries, refs, labels, k: 5, seed, nlist: 30, nprobe: 3 });
    assert.deepEqual(await run(9), await run(9));
  });

  it('agrees between WebAssembly and JS', async () => {
    const dim = 12, { z, labels } = clustered(new Rng(6), 1500, dim, 15, 0.5, 0.1);
    const { queries, refs } = split(1500, 3);
    const run = (useWasm: boolean) => approximateNeighbours({ z, dim, queries, refs, labels, k: 6, seed: 2, nlist: 20, nprobe: 4, extraProbes: 3, useWasm });
    const [w, j] = [await run(true), await run(false)];
    assertSameNeighbours(w, j);
    assert.ok(w.sameId.filter((id, i) => id === j.sameId[i]).length >= 0.99 * w.sameId.length);
    assert.ok(w.otherId.filter((id, i) => id === j.otherId[i]).length >= 0.99 * w.otherId.length);
  });

  it('pads when there are fewer references than k or than lists, and returns nothing for no queries or references', async () => {
    const dim = 8, rng = new Rng(7);
    const z = normalise(Float32Array.from({ length: 20 * dim }, () => rng.normal()), dim);
    const labels = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const queries = Int32Array.from([0, 1, 2]), refs = Int32Array.from([5, 6, 7, 8]);
    let stats: IvfStats | undefined;
    const r = await approximateNeighbours({ z, dim, queries, refs, labels, k: 6, seed: 1, nlist: 50, nprobe: 50, onStats: (s) => { stats = s; } });
    assert.equal(stats!.nlist, 4);
    const exact = bruteForce(z, dim, queries, refs, 6, labels);
    assertSameNeighbours(r, exact);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual([...r.ids.subarray(i * 6 + 4, i * 6 + 6)], [-1, -1]);
      assert.deepEqual([...r.sims.subarray(i * 6 + 4, i * 6 + 6)], [-Infinity, -Infinity]);
    }
    assert.deepEqual(r.sameId, exact.sameId);
    assert.deepEqual(r.otherId, exact.otherId);
    const none = await approximateNeighbours({ z, dim, queries, refs: new Int32Array(0), labels, k: 2, seed: 1 });
    assert.deepEqual([...none.ids], [-1, -1, -1, -1, -1, -1]);
    assert.deepEqual([...none.otherId], [-1, -1, -1]);
    assert.equal((await approximateNeighbours({ z, dim, queries: new Int32Array(0), refs, k: 2, seed: 1 })).ids.length, 0);
  });

  it('without labels, or with a label no reference has, still fills what it can', async () => {
    const dim = 8, { z, labels } = clustered(new Rng(8), 600, dim, 6, 0.4);
    labels[0] = 99; // only query 0 has it
    const { queries, refs } = split(600, 3);
    const exact = bruteForce(z, dim, queries, refs, 4, labels);
    const r = await approximateNeighbours({ z, dim, queries, refs, labels, k: 4, seed: 1, nlist: 10, nprobe: 10 });
    assert.equal(r.sameId[0], -1);
    assert.equal(r.otherId[0], exact.ids[0]);
    const unlabeled = await approximateNeighbours({ z, dim, queries, refs, k: 4, seed: 1, nlist: 10, nprobe: 10 });
    assertSameNeighbours(unlabeled, exact);
    assert.ok(unlabeled.sameId.every((id) => id === -1) && unlabeled.otherId.every((id) => id === -1));
  });

  it('equal similarities keep the reference earlier in refs, whatever the order the lists are scanned in', async () => {
    const dim = 8, rng = new Rng(10);
    const base = normalise(Float32Array.from({ length: 40 * dim }, () => rng.normal()), dim);
    // rows 40..79 copy rows 0..39 with another label; refs: row 0, the copies 50..79, the rows
    // 10..39. Labels group a list's references, first the label seen first in refs (row 0's):
    // the originals are scanned before their copies, which are earlier in refs
    const z = new Float32Array(80 * dim);
    z.set(base); z.set(base, 40 * dim);
    const labels = Int32Array.from({ length: 80 }, (_, i) => (i < 40 ? 0 : 1));
    const refs = Int32Array.from([0, ...Array.from({ length: 30 }, (_, i) => 50 + i), ...Array.from({ length: 30 }, (_, i) => 10 + i)]);
    const queries = Int32Array.from({ length: 10 }, (_, i) => 10 + 3 * i);
    for (const useWasm of [true, false]) {
      const r = await approximateNeighbours({ z, dim, queries, refs, labels, k: 2, seed: 1, nlist: 8, nprobe: 8, useWasm });
      for (let i = 0; i < queries.length; i++) assert.deepEqual([...r.ids.subarray(2 * i, 2 * i + 2)], [queries[i] + 40, queries[i]]);
    }
  });

  it('stops with an AbortError when cancelled, before or during the search', async () => {
    const dim = 64, rng = new Rng(11);
    const z = normalise(Float32Array.from({ length: 30000 * dim }, () => rng.normal()), dim);
    const { queries, refs } = split(30000, 5);
    const before = new AbortController();
    before.abort();
    await assert.rejects(approximateNeighbours({ z, dim, queries, refs, k: 10, seed: 1, signal: before.signal }), AbortError);
    // the search yields to the event loop as it goes: a timer set now runs at its first yield
    const during = new AbortController();
    setTimeout(() => during.abort(), 0);
    await assert.rejects(approximateNeighbours({ z, dim, queries, refs, k: 10, seed: 1, signal: during.signal }), AbortError);
  });

  it('parameters grow with the references; the audit switches to it on large folds only', () => {
    assert.deepEqual(ivfParams(80_000), { nlist: 283, nprobe: 8, extraProbes: 8 });
    assert.deepEqual(ivfParams(800_000), { nlist: 894, nprobe: 8, extraProbes: 8 });
    assert.deepEqual(ivfParams(30), { nlist: 5, nprobe: 5, extraProbes: 0 });
    assert.equal(shouldUseIvf(10_000, 40_000), false); // 50,000 rows, 5 folds
    assert.equal(shouldUseIvf(20_000, 80_000), false); // 100,000 rows: exact
    assert.equal(shouldUseIvf(40_000, 160_000), true); // 200,000 rows
    assert.equal(shouldUseIvf(200_000, 800_000), true); // 1,000,000 rows
    assert.equal(shouldUseIvf(IVF_MIN_PAIRS, 1), false);
  });
});

describe('spherical k-means and the centroid search', () => {
  const tick = async () => undefined;

  it('k-means gives unit centroids; the grouped search is exact when it probes every group, close when it probes a few', async () => {
    const dim = 16, { z } = clustered(new Rng(13), 3000, dim, 12, 0.3);
    const rows = Int32Array.from({ length: 3000 }, (_, i) => i);
    const centroids = await sphericalKMeans(z, dim, rows, 40, { iterations: 5, sample: 2000, rng: new Rng(1), useWasm: true, tick });
    for (let c = 0; c < 40; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += centroids[c * dim + d] ** 2;
      assert.ok(Math.abs(s - 1) < 1e-5);
    }
    const flat = new CentroidSearch(z, dim, centroids, 40, 3, true, tick);
    const exact = await flat.nearestAll(rows, 3);
    const all = Int32Array.from({ length: 40 }, (_, c) => c);
    assert.deepEqual(await flat.nearest(rows, all, 3), exact);
    const everyGroup = new CentroidSearch(z, dim, centroids, 40, 6, true, tick);
    await everyGroup.group(6, 6, new Rng(2));
    assert.deepEqual(await everyGroup.nearestAll(rows, 3), exact);
    const someGroups = new CentroidSearch(z, dim, centroids, 40, 6, true, tick);
    await someGroups.group(6, 2, new Rng(2));
    const approx = await someGroups.nearestAll(rows, 1);
    const same = approx.filter((c, i) => c === exact[3 * i]).length;
    assert.ok(same > 0.9 * rows.length, `${same} of ${rows.length}`);
    // more wanted than the probed groups hold: those vectors are searched among all centroids
    const wide = new CentroidSearch(z, dim, centroids, 40, 20, true, tick);
    await wide.group(6, 1, new Rng(2));
    const wideFlat = new CentroidSearch(z, dim, centroids, 40, 20, true, tick);
    assert.deepEqual(await wide.nearestAll(rows, 20), await wideFlat.nearestAll(rows, 20));
  });
});

describe('the inverted-file kernel (WebAssembly SIMD)', () => {
  it('agrees with its JS loop: top k, nearest same and other label, ranges and padding', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }),
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 21 }), (seed, rows, vectors, k, dim) => {
        const rng = new Rng(seed);
        const sets = [new PointSet(rows, dim, k, vectors, rows), new PointSet(rows, dim, k, vectors, rows, false)];
        assert.equal(sets[0].wasm, true);
        assert.equal(sets[1].wasm, false);
        // coarse values (multiples of 1/4) make sums exact in both, with many ties
        const pts = Float32Array.from({ length: rows * dim }, () => rng.int(5) / 4 - 0.5);
        const vec = Float32Array.from({ length: vectors * dim }, () => rng.int(5) / 4 - 0.5);
        const lab = Int32Array.from({ length: vectors }, () => rng.int(3));
        const idx = Int32Array.from({ length: rows }, (_, i) => i).filter(() => rng.next() < 0.8);
        const from = 8 * rng.int(Math.ceil(vectors / 8)), pos = Int32Array.from({ length: vectors }, () => rng.int(1000));
        for (const ps of sets) {
          ps.points.set(pts);
          for (let i = 0; i < rows; i++) ps.label[i] = i % 3;
          ps.reset(k, seed % 2 === 0);
          for (let j = 0; j < vectors; j++) ps.putVector(j, vec, j * dim, pos[j], lab[j]);
          ps.idx.set(idx);
          ps.scan(idx.length, from, vectors);
          ps.scan(idx.length, 0, from);
        }
        const [w, j] = sets;
        for (const f of ['topSim', 'topPos', 'sameSim', 'samePos', 'otherSim', 'otherPos'] as const) {
          assert.deepEqual(w[f].subarray(0, rows * (f.startsWith('top') ? k : 1)), j[f].subarray(0, rows * (f.startsWith('top') ? k : 1)), f);
        }
        // a point never scanned keeps empty results
        for (let i = 0; i < rows; i++) if (!idx.includes(i)) assert.equal(w.topPos[i * k], -1);
      }), { numRuns: 60 });
  });
});
