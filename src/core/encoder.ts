/**
 * The triplet-trained encoder of labeled rows (explicit triplets need none: tripletModel.ts).
 *
 *   x (sparse TF-IDF / standardised features)
 *     -> embedding bag E [features x hidden]          (WebAssembly SIMD kernel, sparse SGD updates)
 *     -> relu(. + b1) W2 [hidden x dim], L2-normalised (TensorFlow.js, Adam)
 *     -> z, trained with a triplet loss (online semi-hard or batch-hard mining) plus a head that
 *        the scores use: cosine-softmax over class prototypes.
 *
 * The bag is outside TF.js because its gradient is sparse: TF.js would materialise a dense
 * features x hidden gradient per step (and the wasm backend has no UnsortedSegmentSum kernel).
 * TF.js computes the dense part and hands back d(loss)/d(bag output) for the sparse update.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Csr } from './featurize';
import type { Mining } from './types';
import { Rng } from './rng';
import { AbortError } from './engineApi';
import { BagKernel } from './bagKernel';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface EncoderConfig {
  hidden: number;
  dim: number;
  /** Number of classes for the classification head. */
  classes: number;
  /** Margin of the training loss, on Euclidean distance between normalised embeddings. */
  margin: number;
  mining: Mining;
  tripletWeight: number;
  batchSize: number;
  /**
   * Plain SGD rate of the bag. Row-wise Adagrad shrank the steps of frequent features and let rare
   * ones memorise noisy labels: on the corrupted copies (early stopping), Adagrad gave AP 0.740
   * TREC / 0.498 ChnSentiCorp, SGD 30: 0.732 / 0.522, SGD 150: 0.788 / 0.503, SGD 500: 0.773 / 0.490.
   */
  bagSgd: number;
  lrDense: number;
  /** Softmax scale of the cosine classifier. */
  scale: number;
  /**
   * The share of the teacher's probabilities (the fold's linear model on the same training rows)
   * in the head's targets, the rest being the given label; used when trainLabeled gets a teacher.
   */
  distill: number;
  /**
   * The teacher's columns (Encoder's `teacher`): the RMS, over the fold's training rows, of the
   * teacher's centred logits in the columns beside the bag's output; 0: none.
   */
  teacherScale: number;
}

/**
 * The fold's linear model (the encoder's teacher), for the teacher's columns: its weights W [cols
 * x classes] and bias b on the encoder's feature matrix, and the rows whose logits set the scale.
 */
export interface TeacherWeights {
  W: Float32Array;
  b: Float32Array;
  rows: ArrayLike<number>;
}

/**
 * Measured on the corrupted copies (make_noisy seed 1, rate 0.1; TREC / SMS / AG News /
 * ChnSentiCorp): the encoder's own AP (head and kNN vote) against the linear model's, and the
 * out-of-fold kNN accuracy against the clean labels (linear model: 0.841 / 0.986 / 0.876 / 0.885).
 * Hidden 32, labels only (the first wave): AP ratio 0.81 / 0.97 / 0.81 / 0.78, kNN 0.808 / 0.975 /
 * 0.844 / 0.872. Hidden 64: 0.87 / 0.98 / 0.92 / 0.84, kNN 0.821 / 0.973 / 0.848 / 0.875.
 * Hidden 64 with the teacher's probabilities as targets: share 0.5: 0.94 / 1.00 / 0.94 / 0.77,
 * share 1: 0.97 / 1.00 / 0.96 / 0.92, kNN 0.835 / 0.983 / 0.858 / 0.869. The labels alone let the
 * encoder memorise the noisy ones within a few epochs (ten epochs without early stopping: kNN AP
 * on one TREC fold 0.61 -> 0.35); the teacher's regularised probabilities do not. Width 48 with at
 * most 5 epochs (audit.ts MAX_EPOCHS, for time): 0.98 / 1.00 / 0.94 / 0.91, kNN 0.824 / 0.985 /
 * 0.851 / 0.875. Tried on one fold
 * of TREC and AG News and left out: generalised cross-entropy (q = 0.7), L2 decay of the bag,
 * early stopping on accuracy with patience, a warm start of the bag from the linear weights
 * (each lowered the encoder's AP or its kNN accuracy); mining the triplet term by the teacher's most
 * likely class instead of the given label (seeds 1-3, rate 0.1: kNN accuracy TREC +0.005-0.009,
 * AG News 0.851 / 0.857 / 0.856 -> 0.857 / 0.852 / 0.852, ChnSentiCorp encoder AP 0.91 / 0.93 / 0.91
 * -> 0.88 / 0.87 / 0.84 of the linear model's).
 * Width 64 with the bag's rate 100 (36 copies, seeds 1-3, rates 0.05 / 0.1 / 0.2): kNN accuracy
 * within 2 points of the linear model's in 29 of 36 (width 48: 27), AG News within it in all 9,
 * but ChnSentiCorp lost: its encoder AP fell to 0.876-0.898 of the linear model's at rate 0.05 and
 * its kNN to 2.1-2.5 points below in 4 of 6 runs at rates 0.1-0.2 (width 48: within 2 in all 9),
 * the encoder AP reached 90% of the linear model's in 32 of 36 (width 48: 35), and the audit
 * took 1.28-1.44x the first wave's CPU (width 48: 1.23-1.33x), so width 48 stays. Also tried on
 * TREC and AG News at rates 0.1 / 0.2 (seeds 1-2) and left out: rates 75 / 300 / 600 (300: TREC
 * kNN 0.825 -> 0.804), the bag's rate decayed linearly to a tenth (TREC 0.801), softmax scale
 * 8 / 11 / 32 (32: TREC 0.763), triplet weight 0 / 0.5, 6 epochs, widths 80 / 96, the kNN vote
 * weighted by distance, and the bag fed only each row's largest entries up to 90% of its norm
 * (each within noise of width 64, or worse).
 * The teacher's columns (teacherScale, TeacherColumns): beside the bag's 48 columns, the fold's
 * linear model's centred logits and their negatives, frozen, scaled to RMS 0.25 on the fold's
 * training rows; the dense part, the head and the triplet loss train on top. The student no
 * longer has to rebuild its teacher from the features in five epochs (its head had stayed 2-3
 * points below the teacher's accuracy). 36 copies (seeds 1-3, rates 0.05 / 0.1 / 0.2): kNN
 * accuracy within 2 points of the linear model's in 36 of 36 (without: 27; TREC -0.8 to -1.9,
 * AG News -0.3 to -1.6, were -1.6 to -3.1 and -1.3 to -2.6); the encoder's AP on TREC 0.758-0.873
 * -> 0.793-0.895. Raw logits times 0.1 / 0.25 / 0.5 / 1 (TREC and AG News, seeds 1-2, rates 0.1 /
 * 0.2): only 0.25 was within 2 points in all 8 (1: AG News at rate 0.2 -2.8 / -2.7, worse than
 * without); the scale is measured to an RMS rather than fixed since the logits' RMS ranged
 * 0.55-1.44 across the shared files' copies. With two classes they cost (see
 * TEACHER_COLUMNS_MIN_CLASSES); a teacher with C / 5 for the columns, or columns from the features
 * in 2+ / 5+ training rows only, did not make two classes work. Also tried for the head: the
 * cross-fitted linear probabilities of the training rows as targets (kNN within 2 points on TREC
 * and AG News, but those models saw the fold's own labels; with nested models that did not, kNN
 * fell to 4-5 points below on TREC).
 */
export const DEFAULT_ENCODER: Omit<EncoderConfig, 'classes' | 'dim'> = {
  hidden: 48, margin: 0.2, mining: 'semi-hard', tripletWeight: 1, batchSize: 256,
  bagSgd: 150, lrDense: 0.005, scale: 16, distill: 1, teacherScale: 0.25,
};

/** An encoder's forward-shape weights (see Encoder.exportWeights). */
export interface EncoderWeights {
  E: Float32Array;
  b1: Float32Array;
  W2: Float32Array;
  featureDim: number;
  hidden: number;
  dim: number;
}

/**
 * The forward shape in plain JS on sparse rows (the reference the saved model is tested against):
 * z = relu(x E + b1) W2, L2-normalised, row-major [rows x dim].
 */
export function forwardWeights(w: EncoderWeights, x: Csr, rows: ArrayLike<number>): Float32Array {
  const { E, b1, W2, hidden: H, dim: D } = w;
  const z = new Float32Array(rows.length * D), h = new Float64Array(H);
  for (let q = 0; q < rows.length; q++) {
    const r = rows[q];
    h.fill(0);
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
      const v = x.values[p], o = x.indices[p] * H;
      for (let k = 0; k < H; k++) h[k] += v * E[o + k];
    }
    let norm = 0;
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let k = 0; k < H; k++) s += Math.max(0, h[k] + b1[k]) * W2[k * D + d];
      z[q * D + d] = s; norm += s * s;
    }
    const inv = 1 / (Math.sqrt(norm) + 1e-12);
    for (let d = 0; d < D; d++) z[q * D + d] *= inv;
  }
  return z;
}

export interface TrainHooks {
  signal?: AbortSignal;
  /** Called after each epoch with the fraction of training done. */
  onEpoch?(fraction: number): void;
}

export const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * An embedding bag for x whose table E is initialised Uniform(-a, a), a = sqrt(3 / hidden), row
 * by row from generators seeded by the row and `seed` (so a row's start does not depend on the others).
 */
export function seededBag(x: Csr, hidden: number, seed: number): BagKernel {
  const H = hidden, a = Math.sqrt(3 / H), bag = new BagKernel(x, H), E = bag.table;
  for (let id = 0; id < x.cols; id++) {
    let t = (seed ^ Math.imul(id, 0x9e3779b1)) | 0;
    for (let k = 0, o = id * H; k < H; k++) {
      t = (t + 0x6d2b79f5) | 0;
      let u = Math.imul(t ^ (t >>> 15), t | 1);
      u ^= u + Math.imul(u ^ (u >>> 7), u | 61);
      E[o + k] = (((u ^ (u >>> 14)) >>> 0) / 4294967296 * 2 - 1) * a;
    }
  }
  return bag;
}

/** An encoder's bag for x: `bag` when it was made for x, else a new seededBag (an encoder serves one feature matrix). */
export function bagOf(bag: BagKernel | undefined, x: Csr, hidden: number, seed: number): BagKernel {
  if (!bag) return seededBag(x, hidden, seed);
  if (bag.x !== x) throw new Error('an encoder serves one feature matrix');
  return bag;
}

/**
 * A trained encoder's forward weights, copied out (design.md 3): E [featureDim x hidden] (the
 * bag's table), b1 [hidden], W2 [hidden x dim]; the labeled and the triplet encoder have the
 * same forward shape, so one saved-model writer serves both.
 */
export function copyWeights(bag: BagKernel | undefined, b1: tf.Variable, w2: tf.Variable, cfg: { hidden: number; dim: number }, what: string): EncoderWeights {
  if (!bag) throw new Error(`exportWeights: ${what} has not been trained`);
  return {
    E: Float32Array.from(bag.table), b1: Float32Array.from(b1.dataSync() as Float32Array),
    W2: Float32Array.from(w2.dataSync() as Float32Array), featureDim: bag.x.cols, hidden: cfg.hidden, dim: cfg.dim,
  };
}

/**
 * The encoder's dense part on bag outputs h: relu(h + b1) W2, each row L2-normalised. `matMul`
 * may be a product whose gradient is computed differently (tripletEncoder.ts), never another value.
 */
export function encodeDense(h: tf.Tensor2D, b1: tf.Tensor, w2: tf.Tensor, matMul: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.matMul): tf.Tensor2D {
  const z = matMul(tf.relu(tf.add(h, b1)) as tf.Tensor2D, w2 as tf.Tensor2D);
  return tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
}

export class Encoder {
  readonly cfg: EncoderConfig;
  /** The embedding bag, made on first use for the feature matrix the encoder is given. */
  private bag?: BagKernel;
  private readonly bagSeed: number;
  /** The teacher's columns (TeacherColumns): frozen, beside the bag's output, with their negatives. */
  private readonly side?: TeacherColumns;
  /** Columns of the dense part's input: the bag's `hidden`, then the teacher's. */
  private readonly width: number;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  /** Class prototypes [dim x classes]. */
  private readonly head: tf.Variable;
  private readonly headBias: tf.Variable;
  private readonly optimizer: tf.Optimizer;
  private disposed = false;

  /**
   * `teacher` (with cfg.teacherScale > 0) adds the teacher's columns beside the bag's output: its
   * centred logits and their negatives, frozen, so that the dense part starts from everything
   * the linear model knows of a row and the triplet loss and the head shape the space from there.
   */
  constructor(cfg: EncoderConfig, rng: Rng, x?: Csr, teacher?: TeacherWeights) {
    this.cfg = cfg;
    const { dim } = cfg;
    if (teacher && cfg.teacherScale > 0 && teacherColumnCount(cfg.classes) > 0) {
      if (!x) throw new Error('internal: the teacher\'s columns need the feature matrix');
      this.side = new TeacherColumns(x, teacher, cfg.classes, cfg.teacherScale);
    }
    const hidden = this.width = cfg.hidden + 2 * (this.side?.classes ?? 0);
    this.bagSeed = rng.nextU32();
    const glorot = (r: number, c: number) => {
      const a = new Float32Array(r * c), g = Math.sqrt(2 / (r + c));
      for (let i = 0; i < a.length; i++) a[i] = rng.normal() * g;
      return tf.tensor2d(a, [r, c]);
    };
    // tidy disposes the initial values; the variables (kept by TF.js) survive it
    [this.b1, this.w2, this.head, this.headBias] = tf.tidy(() => [
      tf.variable(tf.zeros([hidden])), tf.variable(glorot(hidden, dim)),
      tf.variable(glorot(dim, cfg.classes)), tf.variable(tf.zeros([cfg.classes])),
    ]);
    this.optimizer = tf.train.adam(cfg.lrDense);
  }

  /** The bag for x (seededBag), made on first use. */
  private bagFor(x: Csr): BagKernel {
    return (this.bag = bagOf(this.bag, x, this.cfg.hidden, this.bagSeed));
  }

  /** Bag outputs h = x E for the given rows, into a [rows x hidden] buffer. */
  private bagForward(x: Csr, rows: ArrayLike<number>): Float32Array {
    const h = this.bagFor(x).forward(rows);
    const side = this.side;
    if (!side) return h;
    if (side.bag.x !== x) throw new Error('an encoder serves one feature matrix');
    const H = this.cfg.hidden, C = side.classes, W = this.width, l = side.logits(rows), out = new Float32Array(rows.length * W);
    for (let i = 0; i < rows.length; i++) {
      out.set(h.subarray(i * H, i * H + H), i * W);
      for (let c = 0; c < C; c++) { const v = l[i * C + c]; out[i * W + H + c] = v; out[i * W + H + C + c] = -v; }
    }
    return out;
  }

  /** Sparse SGD update of E from d(loss)/d(h). */
  private bagBackward(x: Csr, rows: ArrayLike<number>, dh: Float32Array): void {
    if (this.side) {
      // the teacher's columns are frozen: only the bag's part of dh moves E
      const H = this.cfg.hidden, W = this.width, own = new Float32Array(rows.length * H);
      for (let i = 0; i < rows.length; i++) own.set(dh.subarray(i * W, i * W + H), i * H);
      dh = own;
    }
    this.bagFor(x).backward(rows, dh, this.cfg.bagSgd);
  }

  private encode(h: tf.Tensor2D, b1: tf.Tensor, w2: tf.Tensor): tf.Tensor2D {
    return encodeDense(h, b1, w2);
  }

  /** Cosine-softmax class logits (plus a class bias). */
  private logits(z: tf.Tensor2D, head: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
    const cn = tf.div(head, tf.add(tf.norm(head, 'euclidean', 0, true), 1e-12));
    return tf.add(tf.mul(tf.matMul(z, cn as tf.Tensor2D), this.cfg.scale), bias) as tf.Tensor2D;
  }

  /** One optimisation step on the bag rows `rows`, with a loss built from their embeddings. */
  private async step(x: Csr, rows: Int32Array, hBuf: Float32Array, lossOf: (z: tf.Tensor2D, logits: tf.Tensor2D) => tf.Scalar): Promise<number> {
    const hT = tf.tensor2d(hBuf, [rows.length, this.width]);
    const { value, grads } = tf.valueAndGrads((h: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, head: tf.Tensor, bias: tf.Tensor) => {
      const z = this.encode(h as tf.Tensor2D, b1, w2);
      return lossOf(z, this.logits(z, head, bias));
    })([hT, this.b1, this.w2, this.head, this.headBias]);
    const [dh, g1, g2, gh, gb] = grads;
    this.optimizer.applyGradients({ [this.b1.name]: g1, [this.w2.name]: g2, [this.head.name]: gh, [this.headBias.name]: gb });
    const dhBuf = (await dh.data()) as Float32Array;
    const loss = (await value.data())[0];
    tf.dispose([hT, value, ...grads]);
    this.bagBackward(x, rows, dhBuf);
    return loss;
  }

  /**
   * Trains on labeled rows with online triplet mining and the classification head. With
   * `earlyStop`, `epochs` is a maximum: a held-back tenth of the rows measures the head's
   * cross-entropy after each epoch, and training stops once it no longer improves (more epochs
   * would memorise the noisy labels). Each epoch visits at most `epochRows` of the training rows,
   * a fresh random draw each time (large files: see labeledTraining in audit.ts). `teacher`,
   * [rows x classes] aligned with `rows`, gives the head soft targets (cfg.distill). Returns the
   * number of epochs run.
   */
  async trainLabeled(x: Csr, rows: Int32Array, labels: Int32Array, epochs: number, rng: Rng, hooks: TrainHooks = {},
    earlyStop = false, epochRows = Infinity, teacher?: Float32Array): Promise<number> {
    // positions in `rows` (the teacher's rows)
    let order = Int32Array.from(rows.keys());
    let val = new Int32Array(0);
    if (earlyStop && rows.length >= 50) {
      rng.shuffle(order);
      const nVal = Math.max(10, Math.round(rows.length / 10));
      val = Int32Array.from(order.subarray(0, nVal), (q) => rows[q]);
      order = order.slice(nVal);
    }
    const share = teacher ? this.cfg.distill : 0;
    let best = Infinity;
    const B = this.cfg.batchSize, C = this.cfg.classes;
    for (let ep = 0; ep < epochs; ep++) {
      rng.shuffle(order);
      const visit = Math.min(order.length, epochRows);
      for (let s = 0; s + 2 <= visit; s += B) {
        if (hooks.signal?.aborted) throw new AbortError();
        const at = order.subarray(s, Math.min(s + B, visit));
        const batch = Int32Array.from(at, (q) => rows[q]);
        const y = Int32Array.from(batch, (r) => labels[r]);
        const target = new Float32Array(batch.length * C);
        at.forEach((q, i) => {
          if (share > 0) for (let c = 0; c < C; c++) target[i * C + c] = share * teacher![q * C + c];
          target[i * C + y[i]] += 1 - share;
        });
        const hBuf = this.bagForward(x, batch);
        await this.step(x, batch, hBuf, (z, logits) => tf.tidy(() => {
          const ce = softmaxCrossEntropy(logits, tf.tensor2d(target, [batch.length, C]));
          if (this.cfg.tripletWeight <= 0) return ce;
          // The triplet term is mined and differentiated in JS on this step's embeddings; TF.js
          // receives its gradient G through the surrogate sum(z * G), whose gradient is exactly G.
          // The Gram matrix z z^T is read, not differentiated (transposed first: wasm matMul with
          // transposeB is ~10x slower).
          const zNow = z.dataSync() as Float32Array, gram = tf.matMul(z, tf.transpose(z)).dataSync() as Float32Array;
          const g = hingeGradient(zNow, this.cfg.dim, mineTriplets(zNow, this.cfg.dim, y, this.cfg.mining, 4, gram), this.cfg.margin, this.cfg.tripletWeight);
          return tf.add(ce, tf.sum(tf.mul(z, tf.tensor2d(g, z.shape)))) as tf.Scalar;
        }));
      }
      hooks.onEpoch?.((ep + 1) / epochs);
      await yieldToEventLoop();
      if (val.length > 0) {
        const { head } = await this.embed(x, val, hooks.signal);
        let ce = 0;
        val.forEach((r, i) => { ce -= Math.log(Math.max(head[i * C + labels[r]], 1e-7)); });
        ce /= val.length;
        if (ce > best * 0.995) return ep + 1;
        best = ce;
      }
    }
    return epochs;
  }

  /**
   * L2-normalised embeddings [rows x dim] and the head's class probabilities [rows x classes].
   */
  async embed(x: Csr, rows: ArrayLike<number>, signal?: AbortSignal): Promise<{ z: Float32Array; head: Float32Array }> {
    const D = this.cfg.dim, C = this.cfg.classes, H = this.width;
    const z = new Float32Array(rows.length * D), head = new Float32Array(rows.length * C);
    const chunk = 2048;
    for (let s = 0; s < rows.length; s += chunk) {
      if (signal?.aborted) throw new AbortError();
      const part = Array.prototype.slice.call(rows, s, Math.min(s + chunk, rows.length)) as number[];
      const hBuf = this.bagForward(x, part);
      const [zT, hT] = tf.tidy(() => {
        const zz = this.encode(tf.tensor2d(hBuf, [part.length, H]), this.b1, this.w2);
        const l = this.logits(zz, this.head, this.headBias);
        return [zz, tf.softmax(l)];
      });
      z.set((await zT.data()) as Float32Array, s * D);
      head.set((await hT.data()) as Float32Array, s * C);
      tf.dispose([zT, hT]);
      await yieldToEventLoop();
    }
    return { z, head };
  }

  /**
   * The trained forward shape's weights (design.md 3), copied out: E [featureDim x hidden] (the
   * bag's table), b1 [hidden], W2 [hidden x dim]. With them, z = normalise(relu(x E + b1) W2) is
   * what `embed` computes (to float error): the audit saves its fold encoders from these.
   */
  exportWeights(): EncoderWeights {
    const w = copyWeights(this.bag, this.b1, this.w2, this.cfg, 'the encoder');
    const side = this.side;
    if (!side) return w;
    // one bag of width hidden + the teacher's columns (its logits, then their negatives), their bias folded into b1
    const H = this.cfg.hidden, C = side.classes, Cp = side.bag.hidden, W = this.width, V = w.featureDim;
    const E = new Float32Array(V * W), T = side.bag.table;
    for (let i = 0; i < V; i++) {
      E.set(w.E.subarray(i * H, i * H + H), i * W);
      for (let c = 0; c < C; c++) { E[i * W + H + c] = T[i * Cp + c]; E[i * W + H + C + c] = -T[i * Cp + c]; }
    }
    for (let c = 0; c < C; c++) { w.b1[H + c] += side.bias[c]; w.b1[H + C + c] -= side.bias[c]; }
    return { ...w, E, hidden: W };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.b1, this.w2, this.head, this.headBias]);
    this.optimizer.dispose();
  }
}

/**
 * Files with fewer classes get no teacher's columns. With two, the columns carry one number per
 * row, the teacher's logit, which on its own training rows has partly learned their noisy labels;
 * the space collapses onto it and a held-out row's neighbours are the training rows the teacher
 * fitted to its side: out-of-fold kNN accuracy at 20% noise (seeds 1-2) fell 0.966 / 0.969 ->
 * 0.933 / 0.927 on SMS spam and 0.859 / 0.850 -> 0.850 / 0.845 on ChnSentiCorp (sms_1to50:
 * 0.982 -> 0.957), while with 4-50 classes it rose (figures beside DEFAULT_ENCODER).
 */
export const TEACHER_COLUMNS_MIN_CLASSES = 3;

/**
 * The most teacher's columns before their negatives: with more classes than one more than this,
 * the centred logits (of rank classes - 1) are projected onto their top principal directions on
 * the teacher's rows, so that the columns are never wider than the bag (2 x 24 = 48) however many
 * classes a file has. A synthetic file of 200 classes and 20,000 rows: all 400 columns took the
 * audit 43 -> 56 s, the 48 columns of 24 directions 40 -> 44 s. TREC's 50 fine classes (seed 1,
 * rates 0.1 / 0.2): kNN accuracy 0.758 / 0.737 with 24 directions, 0.768 / 0.752 with all 50
 * classes, 0.724 / 0.706 without the columns (the linear model 0.748 / 0.740).
 */
export const TEACHER_COLUMNS_MAX = 24;

/**
 * The teacher's columns a file of `classes` classes gets, before their negatives: none below
 * TEACHER_COLUMNS_MIN_CLASSES, one per class up to TEACHER_COLUMNS_MAX + 1 classes (their centred
 * logits have rank classes - 1), past that TEACHER_COLUMNS_MAX principal directions.
 */
export function teacherColumnCount(classes: number): number {
  if (classes < TEACHER_COLUMNS_MIN_CLASSES) return 0;
  return classes > TEACHER_COLUMNS_MAX + 1 ? TEACHER_COLUMNS_MAX : classes;
}

/** The most rows whose logits choose the principal directions (TEACHER_COLUMNS_MAX). */
const PCA_ROWS = 2_000;

/** Rows x classes below which a fold's teacher's logits are computed once for all rows (else per batch). */
const TEACHER_CACHE_MAX = 1 << 22;

/**
 * The teacher's columns: its logits centred over the classes (softmax does not see a shift common
 * to the classes), scaled so that their RMS over the teacher's rows is `scale`, as a frozen bag
 * [cols x classes, padded to 4] and a bias; the encoder feeds them and their negatives (relu keeps
 * both signs) beside its bag's output. The scale is measured, not fixed, because the logits' size
 * varies with the file and its C (RMS 0.55-1.44 on the shared sets' corrupted copies).
 */
export class TeacherColumns {
  readonly bag: BagKernel;
  readonly bias: Float32Array;
  /** [x.rows x classes], when small enough (TEACHER_CACHE_MAX). */
  private readonly cache?: Float32Array;

  /** The columns before their negatives: the classes, or TEACHER_COLUMNS_MAX principal directions. */
  readonly classes: number;

  constructor(x: Csr, t: TeacherWeights, classes: number, scale: number) {
    let C = classes;
    let W = new Float32Array(x.cols * C), b = new Float32Array(C);
    let mean = 0;
    for (let c = 0; c < C; c++) mean += t.b[c] / C;
    for (let c = 0; c < C; c++) b[c] = t.b[c] - mean;
    for (let i = 0; i < x.cols; i++) {
      let m = 0;
      for (let c = 0; c < C; c++) m += t.W[i * C + c] / C;
      for (let c = 0; c < C; c++) W[i * C + c] = t.W[i * C + c] - m;
    }
    const K = teacherColumnCount(C);
    if (K < C) {
      // the centred logits' top principal directions V [C x K] on the teacher's rows: W V, b V
      // from at most PCA_ROWS of the teacher's rows, evenly spaced
      const step = Math.max(1, t.rows.length / PCA_ROWS), some: number[] = [];
      for (let q = 0; q < t.rows.length; q += step) some.push(t.rows[Math.floor(q)]);
      const V = principalDirections(linearLogits(x, W, b, C, some), C, K);
      // W V in TensorFlow.js, a block of features at a time (features x classes x K: 1.3 GFLOP at
      // 262,144 features and 200 classes, ~2 s per fold in plain JS)
      const WV = new Float32Array(x.cols * K), bV = new Float32Array(K), Vt = tf.tensor2d(Float32Array.from(V), [C, K]);
      for (let s0 = 0; s0 < x.cols; s0 += 8192) {
        const n = Math.min(8192, x.cols - s0);
        const part = tf.tidy(() => tf.matMul(tf.tensor2d(W.subarray(s0 * C, (s0 + n) * C), [n, C]), Vt));
        WV.set(part.dataSync() as Float32Array, s0 * K);
        part.dispose();
      }
      Vt.dispose();
      for (let k = 0; k < K; k++) { let v = 0; for (let c = 0; c < C; c++) v += b[c] * V[c * K + k]; bV[k] = v; }
      W = WV; b = bV; C = K;
    }
    this.classes = C;
    const Cp = Math.ceil(C / 4) * 4;
    this.bag = new BagKernel(x, Cp);
    const T = this.bag.table, bias = this.bias = b;
    for (let i = 0; i < x.cols; i++) for (let c = 0; c < C; c++) T[i * Cp + c] = W[i * C + c];
    const l = this.compute(t.rows);
    let sq = 0;
    for (let i = 0; i < l.length; i++) sq += l[i] * l[i];
    const rms = Math.sqrt(sq / Math.max(l.length, 1));
    const k = rms > 1e-12 ? scale / rms : 0;
    for (let i = 0; i < T.length; i++) T[i] *= k;
    for (let c = 0; c < C; c++) bias[c] *= k;
    if (x.rows * C <= TEACHER_CACHE_MAX) this.cache = this.compute(Int32Array.from(x.indptr.subarray(1).keys()));
  }

  /** The columns' logits (before their negatives) of the given rows, [rows x classes]. */
  logits(rows: ArrayLike<number>): Float32Array {
    const C = this.classes, cache = this.cache;
    if (!cache) return this.compute(rows);
    const out = new Float32Array(rows.length * C);
    for (let i = 0; i < rows.length; i++) out.set(cache.subarray(rows[i] * C, rows[i] * C + C), i * C);
    return out;
  }

  private compute(rows: ArrayLike<number>): Float32Array {
    const C = this.classes, Cp = this.bag.hidden, out = new Float32Array(rows.length * C);
    for (let s0 = 0; s0 < rows.length; s0 += 2048) {
      const part = Array.prototype.slice.call(rows, s0, Math.min(s0 + 2048, rows.length)) as number[];
      const h = this.bag.forward(part);
      for (let i = 0; i < part.length; i++) for (let c = 0; c < C; c++) out[(s0 + i) * C + c] = h[i * Cp + c] + this.bias[c];
    }
    return out;
  }
}

/** x[rows] W + b in plain JS, [rows x C] (the rows that choose the principal directions, once). */
function linearLogits(x: Csr, W: Float32Array, b: Float32Array, C: number, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * C);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i], o = i * C;
    for (let c = 0; c < C; c++) out[o + c] = b[c];
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
      const v = x.values[p], w = x.indices[p] * C;
      for (let c = 0; c < C; c++) out[o + c] += v * W[w + c];
    }
  }
  return out;
}

/** The top K eigenvectors of the covariance of the rows of l [n x C], as V [C x K] (ml-matrix's symmetric eigendecomposition). */
export function principalDirections(l: Float64Array, C: number, K: number): Float64Array {
  const n = l.length / C, mean = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) mean[c] += l[i * C + c] / n;
  const cov = new Float64Array(C * C), d = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) d[c] = l[i * C + c] - mean[c];
    for (let a = 0; a < C; a++) { const da = d[a]; for (let c = a; c < C; c++) cov[a * C + c] += da * d[c]; }
  }
  const m = Matrix.zeros(C, C);
  for (let a = 0; a < C; a++) for (let c = a; c < C; c++) { m.set(a, c, cov[a * C + c]); m.set(c, a, cov[a * C + c]); }
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const vals = e.realEigenvalues, vecs = e.eigenvectorMatrix;
  const order = Array.from(vals.keys()).sort((a, c) => vals[c] - vals[a] || a - c).slice(0, K);
  const V = new Float64Array(C * K);
  order.forEach((j, k) => {
    // a sign that does not depend on the solver: the largest entry positive
    let big = 0;
    for (let c = 0; c < C; c++) if (Math.abs(vecs.get(c, j)) > Math.abs(big)) big = vecs.get(c, j);
    const sgn = big < 0 ? -1 : 1;
    for (let c = 0; c < C; c++) V[c * K + k] = sgn * vecs.get(c, j);
  });
  return V;
}

function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  const mx = tf.max(logits, 1, true);
  const shifted = tf.sub(logits, mx);
  const lse = tf.log(tf.sum(tf.exp(shifted), 1, true));
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.sub(shifted, lse)), 1))) as tf.Scalar;
}

/**
 * Online mining in plain JS on the batch's current embeddings (the selection carries no gradient,
 * and TF.js's [B x B x B] masked reductions cost seconds per step). Returns triplets of batch
 * positions; `gram` (z z^T), when given, saves computing the dot products. Semi-hard as FaceNet /
 * TensorFlow Addons define it: for every anchor-positive pair, the nearest negative farther than
 * the positive; where none is, the farthest negative.
 * Batch-hard (Hermans et al.): per anchor, the farthest positive and the nearest negative.
 */
export function mineTriplets(z: Float32Array, dim: number, y: ArrayLike<number>, mining: Mining, maxPerAnchor = 4,
  gram?: Float32Array): { a: number[]; p: number[]; n: number[] } {
  const B = y.length;
  // on unit vectors d = sqrt(2 - 2 cos) falls as the cosine rises: the mining compares cosines
  let sim = gram;
  if (!sim) {
    sim = new Float32Array(B * B);
    for (let i = 0; i < B; i++) {
      for (let j = i + 1; j < B; j++) {
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += z[i * dim + k] * z[j * dim + k];
        sim[i * B + j] = sim[j * B + i] = dot;
      }
    }
  }
  const a: number[] = [], p: number[] = [], n: number[] = [];
  for (let i = 0; i < B; i++) {
    const o = i * B;
    if (mining === 'batch-hard') {
      let hp = -1, hpS = Infinity, hn = -1, hnS = -Infinity;
      for (let j = 0; j < B; j++) {
        if (j === i) continue;
        const v = sim[o + j];
        if (y[j] === y[i]) { if (v < hpS) { hpS = v; hp = j; } } else if (v > hnS) { hnS = v; hn = j; }
      }
      if (hp >= 0 && hn >= 0) { a.push(i); p.push(hp); n.push(hn); }
      continue;
    }
    // the farthest negative, the fallback of every positive of this anchor
    let far = -1, farS = Infinity;
    for (let k = 0; k < B; k++) if (y[k] !== y[i] && sim[o + k] < farS) { farS = sim[o + k]; far = k; }
    if (far < 0) continue;
    // positives in a rotating order, so that capping them per anchor does not favour early rows
    for (let t = 1, taken = 0; t < B && taken < maxPerAnchor; t++) {
      const j = (i + t) % B;
      if (y[j] !== y[i]) continue;
      taken++;
      const sap = sim[o + j];
      let semi = -1, semiS = -Infinity;
      for (let k = 0; k < B; k++) {
        const v = sim[o + k];
        if (v < sap && v > semiS && y[k] !== y[i]) { semiS = v; semi = k; }
      }
      a.push(i); p.push(j); n.push(semi >= 0 ? semi : far);
    }
  }
  return { a, p, n };
}

/**
 * Gradient of weight * mean over triplets of max(d(a,p) - d(a,n) + margin, 0) with respect to
 * the embeddings z [B x dim] (Euclidean distance).
 */
export function hingeGradient(z: Float32Array, dim: number, t: { a: number[]; p: number[]; n: number[] }, margin: number, weight: number): Float32Array {
  const g = new Float32Array(z.length);
  const T = t.a.length;
  if (T === 0) return g;
  const dist = (u: number, v: number) => {
    let s = 0;
    for (let k = 0; k < dim; k++) { const d = z[u * dim + k] - z[v * dim + k]; s += d * d; }
    return Math.sqrt(s) + 1e-9;
  };
  const w = weight / T;
  for (let i = 0; i < T; i++) {
    const a = t.a[i], p = t.p[i], n = t.n[i];
    const dap = dist(a, p), dan = dist(a, n);
    if (dap - dan + margin <= 0) continue;
    for (let k = 0; k < dim; k++) {
      const up = (z[a * dim + k] - z[p * dim + k]) / dap, un = (z[a * dim + k] - z[n * dim + k]) / dan;
      g[a * dim + k] += w * (up - un);
      g[p * dim + k] -= w * up;
      g[n * dim + k] += w * un;
    }
  }
  return g;
}
