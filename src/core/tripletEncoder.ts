/**
 * The triplet-trained encoder of explicit triplets (and of the pairs and rows `mine` reads): the
 * encoder's forward shape (encoder.ts: a sparse TF-IDF row x -> x E in the WebAssembly bag ->
 * relu(. + b1) W2 -> L2-normalised), trained on a file's own (anchor, positive, negative) triplets
 * with two losses on each batch of B triplets:
 *   - the triplet loss max(d(a,p) - d(a,n) + m, 0) on Euclidean distance, as the report measures it;
 *   - MultipleNegativesRankingLoss (sentence-transformers; Henderson et al. 2017): the softmax
 *     cross-entropy of scale * cos(a_i, .) over the batch's B positives and B negatives, the right
 *     answer being p_i: every other triplet's texts are in-batch negatives. Positives of another
 *     triplet with the same anchor are masked out (they are right answers too).
 * The triplet loss alone only orders each triplet's own texts; the in-batch negatives teach the
 * space what is unrelated to an anchor, which the trivially-easy score and the mined negatives
 * read (a text about another scene should be far).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { BagKernel } from './bagKernel';
import { bagOf, copyWeights, encodeDense, yieldToEventLoop, type EncoderWeights } from './encoder';
import { AbortError } from './engineApi';
import type { Csr } from './featurize';
import type { Rng } from './rng';

/**
 * tf.matMul whose gradient transposes its operands explicitly: the wasm backend's product with a
 * transposed operand, which autograd's gradient of matMul asks for, is ~4x slower than a transpose
 * and a plain product (a [128 x 64] x [64 x 256] product: 1.8 ms against 0.44 ms).
 */
export const matMulFastGrad = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [
      tf.matMul(dy, tf.transpose(saved[1]) as tf.Tensor2D),
      tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

export interface TripletEncoderConfig {
  hidden: number;
  dim: number;
  /** Margin of the training triplet loss, Euclidean between normalised embeddings. */
  margin: number;
  /** Weight of the in-batch (MNRL) loss beside the triplet loss; 0 = the triplet loss alone. */
  inBatch: number;
  /** Weight of the triplet loss. */
  tripletWeight: number;
  /** Whether the batch's negatives are in-batch candidates too (MNRL with hard negatives). */
  negativesInBatch: boolean;
  /** Cosine scale of the in-batch softmax (sentence-transformers' default 20). */
  scale: number;
  batchSize: number;
  /** Plain SGD rate of the bag (its gradient is sparse: see encoder.ts). */
  bagSgd: number;
  lrDense: number;
}

export const DEFAULT_TRIPLET_ENCODER: TripletEncoderConfig = {
  hidden: 64, dim: 64, margin: 0.2, inBatch: 1, tripletWeight: 1, negativesInBatch: true, scale: 20, batchSize: 128, bagSgd: 50, lrDense: 0.005,
};

/** What one training triplet names: rows of x (the featurised texts) and the anchor's group. */
export interface TrainingTriplets {
  /** Rows of x per triplet; `negative` may be -1 (a pair: in-batch negatives only). */
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
  /** Triplets with the same group share their anchor (their positives are not each other's negatives). */
  group: Int32Array;
}

export interface TripletTrainHooks {
  signal?: AbortSignal;
  onEpoch?(fraction: number): void;
}

export class TripletEncoder {
  private bag?: BagKernel;
  private readonly bagSeed: number;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly optimizer: tf.Optimizer;
  private disposed = false;

  constructor(readonly cfg: TripletEncoderConfig, rng: Rng) {
    const { hidden, dim } = cfg;
    this.bagSeed = rng.nextU32();
    const a = new Float32Array(hidden * dim), g = Math.sqrt(2 / (hidden + dim));
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * g;
    [this.b1, this.w2] = tf.tidy(() => [tf.variable(tf.zeros([hidden])), tf.variable(tf.tensor2d(a, [hidden, dim]))]);
    this.optimizer = tf.train.adam(cfg.lrDense);
  }

  private bagFor(x: Csr): BagKernel {
    return (this.bag = bagOf(this.bag, x, this.cfg.hidden, this.bagSeed));
  }

  /**
   * Trains for `epochs` passes over the triplets `use` (indices into `t`), in a fresh seeded
   * order each pass. Returns the mean loss of the last epoch.
   */
  async train(x: Csr, t: TrainingTriplets, use: Int32Array, epochs: number, rng: Rng, hooks: TripletTrainHooks = {}): Promise<number> {
    const B = this.cfg.batchSize, order = Int32Array.from(use);
    let last = 0;
    for (let ep = 0; ep < epochs; ep++) {
      rng.shuffle(order);
      let sum = 0, steps = 0;
      for (let s = 0; s + 2 <= order.length; s += B) {
        if (hooks.signal?.aborted) throw new AbortError();
        sum += await this.step(x, t, order.subarray(s, Math.min(s + B, order.length)));
        steps++;
      }
      last = steps ? sum / steps : 0;
      hooks.onEpoch?.((ep + 1) / epochs);
      await yieldToEventLoop();
    }
    return last;
  }

  /**
   * One step on a batch of triplets: rows anchors, positives, negatives (a triplet without a
   * negative, a pair, repeats its positive there, weighed 0 in the triplet loss and masked out of
   * the in-batch candidates: TF.js's gather would need a kernel the wasm backend lacks).
   */
  private async step(x: Csr, t: TrainingTriplets, batch: Int32Array): Promise<number> {
    const b = batch.length, { hidden: H, margin, scale, inBatch } = this.cfg;
    const rows = new Int32Array(3 * b), hasNeg = new Float32Array(b);
    let m = 0;
    batch.forEach((q, i) => {
      rows[i] = t.anchor[q]; rows[b + i] = t.positive[q];
      const neg = t.negative[q];
      rows[2 * b + i] = neg >= 0 ? neg : t.positive[q];
      if (neg >= 0) { hasNeg[i] = 1; m++; }
    });
    // in-batch candidates of anchor i: the b positives, then the b negatives; another triplet's
    // positive with the same anchor is masked (a right answer too), and so is a missing negative
    const mask = new Float32Array(2 * b * b);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < b; j++) {
        if (j !== i && t.group[batch[j]] === t.group[batch[i]]) mask[i * 2 * b + j] = -1e4;
        if (!hasNeg[j] || !this.cfg.negativesInBatch) mask[i * 2 * b + b + j] = -1e4;
      }
    }
    const hBuf = this.bagFor(x).forward(rows);
    const hT = tf.tensor2d(hBuf, [rows.length, H]);
    const { value, grads } = tf.valueAndGrads((h: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor) => {
      const z = encodeDense(h as tf.Tensor2D, b1, w2, matMulFastGrad);
      const za = tf.slice(z, [0, 0], [b, -1]), zp = tf.slice(z, [b, 0], [b, -1]), zn = tf.slice(z, [2 * b, 0], [b, -1]);
      let loss: tf.Tensor = tf.scalar(0);
      if (m > 0 && this.cfg.tripletWeight > 0) {
        const dap = tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(za, zp)), 1), 1e-9));
        const dan = tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(za, zn)), 1), 1e-9));
        loss = tf.mul(tf.div(tf.sum(tf.mul(tf.relu(tf.add(tf.sub(dap, dan), margin)), tf.tensor1d(hasNeg))), m), this.cfg.tripletWeight);
      }
      if (inBatch > 0) {
        const cand = tf.slice(z, [b, 0], [2 * b, -1]);
        const logits = tf.add(tf.mul(matMulFastGrad(za, tf.transpose(cand) as tf.Tensor2D), scale), tf.tensor2d(mask, [b, 2 * b]));
        // |logits| <= scale on unit vectors (masked ones -> exp 0): no max to subtract, whose
        // gradient (an Equal mask) was the step's slowest kernel
        const lse = tf.log(tf.sum(tf.exp(logits), 1));
        const own = tf.mul(tf.sum(tf.mul(za, zp), 1), scale);
        loss = tf.add(loss, tf.mul(tf.mean(tf.sub(lse, own)), inBatch));
      }
      return loss as tf.Scalar;
    })([hT, this.b1, this.w2]);
    const [dh, g1, g2] = grads;
    this.optimizer.applyGradients({ [this.b1.name]: g1, [this.w2.name]: g2 });
    const dhBuf = (await dh.data()) as Float32Array;
    const loss = (await value.data())[0];
    tf.dispose([hT, value, ...grads]);
    this.bagFor(x).backward(rows, dhBuf, this.cfg.bagSgd);
    return loss;
  }

  /** L2-normalised embeddings [rows x dim] of rows of x. */
  async embed(x: Csr, rows: ArrayLike<number>, signal?: AbortSignal): Promise<Float32Array> {
    const D = this.cfg.dim, H = this.cfg.hidden, z = new Float32Array(rows.length * D), chunk = 2048;
    for (let s = 0; s < rows.length; s += chunk) {
      if (signal?.aborted) throw new AbortError();
      const part = Array.prototype.slice.call(rows, s, Math.min(s + chunk, rows.length)) as number[];
      const hBuf = this.bagFor(x).forward(part);
      const zT = tf.tidy(() => encodeDense(tf.tensor2d(hBuf, [part.length, H]), this.b1, this.w2));
      z.set((await zT.data()) as Float32Array, s * D);
      zT.dispose();
    }
    return z;
  }

  /**
   * The fold encoder's weights {E [features x hidden], b1, W2 [hidden x dim]} (design point 3), as
   * Encoder.exportWeights gives them: the same forward shape, so one saved-model writer serves both.
   */
  exportWeights(): EncoderWeights {
    return copyWeights(this.bag, this.b1, this.w2, this.cfg, 'the triplet encoder');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.b1, this.w2]);
    this.optimizer.dispose();
  }
}
