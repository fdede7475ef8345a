import assert from 'node:assert/strict';
import { pca2 } from '../../src/core/pca';
import { Rng } from '../../src/core/rng';

/** The projection as it was made before the covariance matrix: power iteration over the rows themselves. */
function pcaOverRows(z: Float32Array, rows: number, dim: number, seed: number): { x: number[]; y: number[] } {
  const mean = new Float64Array(dim);
  for (let i = 0; i < rows; i++) for (let d = 0; d < dim; d++) mean[d] += z[i * dim + d] / rows;
  const rng = new Rng(seed);
  const comps: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: dim }, () => rng.normal());
    for (let it = 0; it < 50; it++) {
      const w = new Float64Array(dim);
      for (let i = 0; i < rows; i++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += (z[i * dim + d] - mean[d]) * v[d];
        for (let d = 0; d < dim; d++) w[d] += dot * (z[i * dim + d] - mean[d]);
      }
      for (const u of comps) {
        let p = 0;
        for (let d = 0; d < dim; d++) p += w[d] * u[d];
        for (let d = 0; d < dim; d++) w[d] -= p * u[d];
      }
      const n = Math.hypot(...w) || 1;
      v = w.map((t) => t / n);
    }
    comps.push(v);
  }
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < rows; i++) {
    let a = 0, b = 0;
    for (let d = 0; d < dim; d++) { const t = z[i * dim + d] - mean[d]; a += t * comps[0][d]; b += t * comps[1][d]; }
    x.push(Math.round(a * 1e4) / 1e4); y.push(Math.round(b * 1e4) / 1e4);
  }
  return { x, y };
}

describe('pca2 (the panel\'s map)', () => {
  it('finds the two directions of largest spread, in order', () => {
    const rng = new Rng(3), rows = 2000, dim = 8;
    const z = new Float32Array(rows * dim);
    // spread 5 along dimension 2, 2 along dimension 6, 0.1 elsewhere
    for (let i = 0; i < rows; i++) for (let d = 0; d < dim; d++) z[i * dim + d] = rng.normal() * (d === 2 ? 5 : d === 6 ? 2 : 0.1) + 1;
    const { x, y } = pca2(z, rows, dim, 1);
    const corr = (a: number[], d: number) => {
      const b = Array.from({ length: rows }, (_, i) => z[i * dim + d]);
      const ma = a.reduce((s, v) => s + v, 0) / rows, mb = b.reduce((s, v) => s + v, 0) / rows;
      let sab = 0, saa = 0, sbb = 0;
      for (let i = 0; i < rows; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
      return Math.abs(sab / Math.sqrt(saa * sbb));
    };
    assert.ok(corr(x, 2) > 0.999, `x follows dimension 2: ${corr(x, 2)}`);
    assert.ok(corr(y, 6) > 0.99, `y follows dimension 6: ${corr(y, 6)}`);
  });

  it('gives the map the power iteration over the rows gave, to its 4 decimals', () => {
    const rng = new Rng(9), rows = 1500, dim = 64;
    const z = new Float32Array(rows * dim);
    for (let i = 0; i < rows; i++) {
      let n = 0;
      for (let d = 0; d < dim; d++) { const v = rng.normal() * (1 + (d % 7)); z[i * dim + d] = v; n += v * v; }
      for (let d = 0; d < dim; d++) z[i * dim + d] /= Math.sqrt(n);
    }
    const now = pca2(z, rows, dim, 42), before = pcaOverRows(z, rows, dim, 42);
    let worst = 0;
    for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(now.x[i] - before.x[i]), Math.abs(now.y[i] - before.y[i]));
    assert.ok(worst <= 2e-4, `largest difference ${worst}`);
  });
});
