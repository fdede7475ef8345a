/**
 * The encoder's embedding bag: h = x E for sparse rows x and the table E [cols x hidden], and its
 * sparse SGD update. The kernels are WebAssembly SIMD (kernels/bag.wat), 4 floats per
 * instruction: measured in JS the same loops reached 0.1-0.5 GMAC/s and were most of an audit's
 * time. Where WebAssembly SIMD is missing, the same loops run in plain JS.
 */
import type { Csr } from './featurize';
import { BAG_WASM_BASE64 } from './kernels/bagWasm';
import { arena, instantiate, kernelModule } from './kernels/load';

interface BagExports {
  memory: WebAssembly.Memory;
  forward(rows: number, n: number, indptr: number, indices: number, values: number, E: number, H: number, out: number): void;
  backward(rows: number, n: number, indptr: number, indices: number, values: number, E: number, H: number, dh: number, rate: number): void;
}

/** Feature entries (index, value) the WebAssembly buffers hold per call, at least one whole row. */
const ENTRY_CAPACITY = 1 << 20;
/**
 * Up to this many entries x is copied into the module's memory once (its calls then name rows);
 * past it each call copies its rows in, so that large files are not held twice per model.
 */
const RESIDENT_ENTRIES = 1 << 23;

export class BagKernel {
  /** The table E, row-major [cols x hidden]; in WebAssembly memory when the kernels run there. */
  readonly table: Float32Array;
  private readonly ex?: BagExports;
  private readonly at = { indptr: 0, indices: 0, values: 0, E: 0, rows: 0, out: 0 };
  /** x lives in the module's memory (small files), or each call's rows are copied in. */
  private readonly resident: boolean = false;
  /** Whether the kernels run in WebAssembly (else in JS). */
  get wasm(): boolean { return this.ex !== undefined; }
  /** Views of the call buffers. */
  private readonly buf?: { rows: Int32Array; indptr: Int32Array; indices: Int32Array; values: Float32Array; out: Float32Array };

  /**
   * `maxBatch`: the most rows one call handles (longer calls are split, and so are calls whose
   * rows hold more feature entries than the buffers). `useWasm: false` forces the JS loops (the
   * tests compare the two).
   */
  constructor(readonly x: Csr, readonly hidden: number, readonly maxBatch = 2048, useWasm = true) {
    const mod = useWasm && hidden % 4 === 0 ? kernelModule(BAG_WASM_BASE64) : null;
    if (!mod) { this.table = new Float32Array(x.cols * hidden); return; }
    const nnz = x.indptr[x.rows];
    this.resident = nnz <= RESIDENT_ENTRIES;
    let capacity = nnz;
    if (!this.resident) {
      let widest = 0;
      for (let r = 0; r < x.rows; r++) widest = Math.max(widest, x.indptr[r + 1] - x.indptr[r]);
      capacity = Math.max(widest, ENTRY_CAPACITY);
    }
    const at = this.at, layout = arena(), take = layout.take;
    at.E = take(4 * x.cols * hidden); at.rows = take(4 * maxBatch); at.out = take(4 * maxBatch * hidden);
    at.indptr = take(4 * ((this.resident ? x.rows : maxBatch) + 1)); at.indices = take(4 * capacity); at.values = take(4 * capacity);
    const ex = instantiate<BagExports>(mod, layout.size);
    const mem = ex.memory.buffer;
    this.ex = ex;
    this.table = new Float32Array(mem, at.E, x.cols * hidden);
    this.buf = {
      rows: new Int32Array(mem, at.rows, maxBatch), indptr: new Int32Array(mem, at.indptr, (this.resident ? x.rows : maxBatch) + 1),
      indices: new Int32Array(mem, at.indices, capacity), values: new Float32Array(mem, at.values, capacity),
      out: new Float32Array(mem, at.out, maxBatch * hidden),
    };
    if (this.resident) {
      this.buf.indptr.set(x.indptr.subarray(0, x.rows + 1));
      for (let p = 0; p < nnz; p++) { this.buf.indices[p] = x.indices[p]; this.buf.values[p] = x.values[p]; }
    } else {
      for (let i = 0; i < maxBatch; i++) this.buf.rows[i] = i;
    }
  }

  /** Puts rows[s..] in the call buffers (their ids, or their entries), as many as fit; returns how many. */
  private pack(rows: ArrayLike<number>, s: number): number {
    const { x } = this, b = this.buf!;
    if (this.resident) {
      const n = Math.min(this.maxBatch, rows.length - s);
      for (let t = 0; t < n; t++) b.rows[t] = rows[s + t];
      return n;
    }
    let n = 0, w = 0;
    b.indptr[0] = 0;
    while (s + n < rows.length && n < this.maxBatch) {
      const r = rows[s + n], p0 = x.indptr[r], len = x.indptr[r + 1] - p0;
      if (w + len > b.indices.length) break;
      // an element loop: set() from a SharedArrayBuffer-backed array (the fold threads share x) is slow
      const xi = x.indices, xv = x.values, bi = b.indices, bv = b.values;
      for (let t = 0; t < len; t++) { bi[w + t] = xi[p0 + t]; bv[w + t] = xv[p0 + t]; }
      w += len;
      b.indptr[++n] = w;
    }
    return n;
  }

  /** h = x E for the given rows, a fresh [rows x hidden] array. */
  forward(rows: ArrayLike<number>): Float32Array {
    const H = this.hidden, out = new Float32Array(rows.length * H);
    if (!this.ex) { this.forwardJs(rows, 0, rows.length, out); return out; }
    for (let s = 0; s < rows.length;) {
      const n = this.pack(rows, s);
      this.ex.forward(this.at.rows, n, this.at.indptr, this.at.indices, this.at.values, this.at.E, H, this.at.out);
      out.set(this.buf!.out.subarray(0, n * H), s * H);
      s += n;
    }
    return out;
  }

  /** x[r] E for one row, as a view that the next call overwrites. */
  forwardOne(r: number): Float32Array {
    const H = this.hidden;
    if (!this.ex) { const out = new Float32Array(H); this.forwardJs([r], 0, 1, out); return out; }
    this.pack([r], 0);
    this.ex.forward(this.at.rows, 1, this.at.indptr, this.at.indices, this.at.values, this.at.E, H, this.at.out);
    return this.buf!.out.subarray(0, H);
  }

  /** E[feature] -= rate * value * g for every feature of row r. */
  backwardOne(r: number, g: Float32Array, rate: number): void {
    if (!this.ex) { this.backwardJs([r], 0, 1, g, rate); return; }
    this.pack([r], 0);
    this.buf!.out.set(g.subarray(0, this.hidden));
    this.ex.backward(this.at.rows, 1, this.at.indptr, this.at.indices, this.at.values, this.at.E, this.hidden, this.at.out, rate);
  }

  /** E[feature] -= rate * value * dh[b] for every feature of every row b: plain SGD. */
  backward(rows: ArrayLike<number>, dh: Float32Array, rate: number): void {
    const H = this.hidden;
    if (!this.ex) { this.backwardJs(rows, 0, rows.length, dh, rate); return; }
    for (let s = 0; s < rows.length;) {
      const n = this.pack(rows, s);
      this.buf!.out.set(dh.subarray(s * H, (s + n) * H)); // the output buffer carries dh in
      this.ex.backward(this.at.rows, n, this.at.indptr, this.at.indices, this.at.values, this.at.E, H, this.at.out, rate);
      s += n;
    }
  }

  private forwardJs(rows: ArrayLike<number>, s: number, n: number, out: Float32Array): void {
    const { x, hidden: H, table: E } = this;
    for (let b = s; b < s + n; b++) {
      const r = rows[b], o = b * H;
      for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
        const v = x.values[p], e = x.indices[p] * H;
        for (let k = 0; k < H; k++) out[o + k] += v * E[e + k];
      }
    }
  }

  private backwardJs(rows: ArrayLike<number>, s: number, n: number, dh: Float32Array, rate: number): void {
    const { x, hidden: H, table: E } = this;
    for (let b = s; b < s + n; b++) {
      const r = rows[b], o = b * H;
      for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
        const step = rate * x.values[p], e = x.indices[p] * H;
        for (let k = 0; k < H; k++) E[e + k] -= step * dh[o + k];
      }
    }
  }
}
