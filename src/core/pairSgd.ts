/**
 * The pair model's classifier: three-class logistic regression fitted by SGD exactly as
 * LinearModel (linear.ts) fits it (L2 as scikit-learn's C, the 1 / (1 + eta0 lambda t) schedule,
 * the weights averaged over the last epochs), in plain loops: a pair row holds ~16 entries, where
 * LinearModel's per-row calls into its WebAssembly kernel cost more than the sums (the whole audit
 * of the corrupted SNLI copy, median of 5: 1.97 s of CPU with LinearModel, 1.46 s with these loops).
 */
import type { Csr } from './featurize';
import type { LinearConfig } from './linear';
import type { Rng } from './rng';

export class PairClassifier {
  /**
   * Weights [cols x 3], stored scaled: true weights are w * scale. Float32 as LinearModel's: the
   * table of a file's pairs then fits a core's cache (SNLI: 286 KB; a fold 46 -> 39 ms).
   */
  private readonly w: Float32Array;
  private readonly bias = new Float64Array(3);
  private scale = 1;
  /** SGD steps taken. */
  private t = 0;

  constructor(readonly x: Csr) {
    this.w = new Float32Array(3 * x.cols);
  }

  /** Fits on rows `rows` of x with classes y[row] in 0..2; returns the number of epochs run. */
  fit(rows: Int32Array, y: Int32Array, rng: Rng, cfg: LinearConfig, signal?: AbortSignal): number {
    const n = rows.length, W = this.w;
    if (n === 0) return 0;
    const epochs = Math.max(1, Math.min(cfg.epochs, Math.ceil(cfg.rowBudget / n)));
    // the same share of the epochs averaged as cfg.averageFrom gives of cfg.epochs
    const averageFrom = Math.max(1, epochs - Math.round((cfg.epochs - cfg.averageFrom + 1) * epochs / cfg.epochs) + 1);
    const order = Int32Array.from(rows);
    const avgW = new Float64Array(W.length), avgB = new Float64Array(3);
    let snaps = 0;
    for (let ep = 0; ep < epochs; ep++) {
      if (signal?.aborted) return ep;
      rng.shuffle(order);
      this.epoch(order, y, cfg.eta0, 1 / (cfg.C * n));
      if (ep + 1 >= averageFrom) { snaps++; accumulate(avgW, avgB, W, this.bias, this.scale); }
    }
    for (let i = 0; i < W.length; i++) W[i] = avgW[i] / snaps;
    for (let k = 0; k < 3; k++) this.bias[k] = avgB[k] / snaps;
    this.scale = 1;
    return epochs;
  }

  /** One pass of SGD over `order` (its own function, so that V8 optimises it whole after the first epoch). */
  private epoch(order: Int32Array, y: Int32Array, eta0: number, lambda: number): void {
    const W = this.w, bias = this.bias, { indptr, indices, values } = this.x;
    let scale = this.scale, t = this.t;
    for (let q = 0; q < order.length; q++) {
      const r = order[q], p0 = indptr[r], p1 = indptr[r + 1];
      const eta = eta0 / (1 + eta0 * lambda * t++);
      let s0 = 0, s1 = 0, s2 = 0;
      for (let k = p0; k < p1; k++) {
        const v = values[k], o = 3 * indices[k];
        s0 += v * W[o]; s1 += v * W[o + 1]; s2 += v * W[o + 2];
      }
      s0 = s0 * scale + bias[0]; s1 = s1 * scale + bias[1]; s2 = s2 * scale + bias[2];
      const m = Math.max(s0, s1, s2);
      let e0 = Math.exp(s0 - m), e1 = Math.exp(s1 - m), e2 = Math.exp(s2 - m);
      const z = e0 + e1 + e2;
      // d(loss)/d(logit) = p - onehot(y)
      e0 /= z; e1 /= z; e2 /= z;
      const c = y[r];
      if (c === 0) e0 -= 1; else if (c === 1) e1 -= 1; else e2 -= 1;
      // shrink every weight by (1 - eta * lambda) through the shared scale
      scale *= 1 - eta * lambda;
      if (scale < 1e-6) { for (let i = 0; i < W.length; i++) W[i] *= scale; scale = 1; }
      const step = eta / scale;
      for (let k = p0; k < p1; k++) {
        const v = values[k] * step, o = 3 * indices[k];
        W[o] -= v * e0; W[o + 1] -= v * e1; W[o + 2] -= v * e2;
      }
      bias[0] -= eta * e0; bias[1] -= eta * e1; bias[2] -= eta * e2;
    }
    this.scale = scale; this.t = t;
  }

  /** Class probabilities of the given rows, [rows x 3]. */
  predict(rows: ArrayLike<number>): Float32Array {
    const out = new Float32Array(3 * rows.length), W = this.w, { indptr, indices, values } = this.x;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      let s0 = this.bias[0], s1 = this.bias[1], s2 = this.bias[2];
      for (let k = indptr[r]; k < indptr[r + 1]; k++) {
        const v = values[k] * this.scale, o = 3 * indices[k];
        s0 += v * W[o]; s1 += v * W[o + 1]; s2 += v * W[o + 2];
      }
      const m = Math.max(s0, s1, s2), e0 = Math.exp(s0 - m), e1 = Math.exp(s1 - m), e2 = Math.exp(s2 - m), z = e0 + e1 + e2;
      out[3 * i] = e0 / z; out[3 * i + 1] = e1 / z; out[3 * i + 2] = e2 / z;
    }
    return out;
  }
}

/** Adds the true weights (w * scale) and the bias to the running sums of the averaged model. */
function accumulate(avgW: Float64Array, avgB: Float64Array, W: Float32Array, bias: Float64Array, scale: number): void {
  for (let i = 0; i < W.length; i++) avgW[i] += W[i] * scale;
  for (let k = 0; k < 3; k++) avgB[k] += bias[k];
}
