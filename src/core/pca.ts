/** A 2-D PCA projection by power iteration with deflation (seeded, so the map is reproducible). */
import { Rng } from './rng';

export function pca2(z: Float32Array, rows: number, dim: number, seed: number): { x: number[]; y: number[] } {
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
  const x: number[] = new Array(rows), y: number[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    let a = 0, b = 0;
    for (let d = 0; d < dim; d++) { const t = z[i * dim + d] - mean[d]; a += t * comps[0][d]; b += t * comps[1][d]; }
    x[i] = Math.round(a * 1e4) / 1e4; y[i] = Math.round(b * 1e4) / 1e4;
  }
  return { x, y };
}
