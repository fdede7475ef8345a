/**
 * The encoder's embedding bag: h = x E for sparse rows x and the table E [cols x hidden], and its
 * sparse SGD update. The kernels are WebAssembly SIMD (kernels/bag.wat), 4 floats per
 * instruction: measured in JS the same loops reached 0.1-0.5 GMAC/s and were most of an audit's
 * time. Where WebAssembly SIMD is missing, the same loops run in plain JS.
 */
import type { Csr } from './featurize';
import { BAG_WASM_BASE64 } from './kernels/bagWasm';

interface BagExports {
  memory: WebAssembly.Memory;
  forward(rows: number, n: number, indptr: number, indices: number, values: number, E: number, H: number, out: number): void;
  backward(rows: number, n: number, indptr: number, indices: number, values: number, E: number, H: number, dh: number, rate: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

function wasmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bin = atob(BAG_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

const PAGE = 65536;
const align = (n: number) => (n + 15) & ~15;

export class BagKernel {
  /** The table E, row-major [cols x hidden]; in WebAssembly memory when the kernels run there. */
  readonly table: Float32Array;
  readonly wasm: boolean;
  private readonly ex?: BagExports;
  private readonly at = { indptr: 0, indices: 0, values: 0, E: 0, rows: 0, out: 0 };
  private readonly rowsView?: Int32Array;
  private readonly outView?: Float32Array;

  /**
   * `maxBatch`: the most rows one call handles (longer calls are split). `useWasm: false` forces
   * the JS loops (the tests compare the two).
   */
  constructor(readonly x: Csr, readonly hidden: number, readonly maxBatch = 2048, useWasm = true) {
    const mod = useWasm && hidden % 4 === 0 ? wasmModule() : null;
    this.wasm = mod !== null;
    if (!mod) { this.table = new Float32Array(x.cols * hidden); return; }
    const nnz = x.indptr[x.rows];
    const at = this.at;
    let end = 0;
    const take = (bytes: number) => { const o = end; end = align(end + bytes); return o; };
    at.indptr = take(4 * (x.rows + 1)); at.indices = take(4 * nnz); at.values = take(4 * nnz);
    at.E = take(4 * x.cols * hidden); at.rows = take(4 * maxBatch); at.out = take(4 * maxBatch * hidden);
    const ex = new WebAssembly.Instance(mod, {}).exports as unknown as BagExports;
    const pages = Math.ceil(end / PAGE);
    const have = ex.memory.buffer.byteLength / PAGE;
    if (pages > have) ex.memory.grow(pages - have);
    const buf = ex.memory.buffer;
    new Int32Array(buf, at.indptr, x.rows + 1).set(x.indptr);
    new Int32Array(buf, at.indices, nnz).set(x.indices.subarray(0, nnz));
    new Float32Array(buf, at.values, nnz).set(x.values.subarray(0, nnz));
    this.ex = ex;
    this.table = new Float32Array(buf, at.E, x.cols * hidden);
    this.rowsView = new Int32Array(buf, at.rows, maxBatch);
    this.outView = new Float32Array(buf, at.out, maxBatch * hidden);
  }

  /** h = x E for the given rows, a fresh [rows x hidden] array. */
  forward(rows: ArrayLike<number>): Float32Array {
    const H = this.hidden, out = new Float32Array(rows.length * H);
    for (let s = 0; s < rows.length; s += this.maxBatch) {
      const n = Math.min(this.maxBatch, rows.length - s);
      if (this.ex) {
        for (let b = 0; b < n; b++) this.rowsView![b] = rows[s + b];
        this.ex.forward(this.at.rows, n, this.at.indptr, this.at.indices, this.at.values, this.at.E, H, this.at.out);
        out.set(this.outView!.subarray(0, n * H), s * H);
      } else {
        this.forwardJs(rows, s, n, out);
      }
    }
    return out;
  }

  /** x[r] E for one row, as a view that the next call overwrites. */
  forwardOne(r: number): Float32Array {
    const H = this.hidden;
    if (!this.ex) { const out = new Float32Array(H); this.forwardJs([r], 0, 1, out); return out; }
    this.rowsView![0] = r;
    this.ex.forward(this.at.rows, 1, this.at.indptr, this.at.indices, this.at.values, this.at.E, H, this.at.out);
    return this.outView!.subarray(0, H);
  }

  /** E[feature] -= rate * value * g for every feature of row r. */
  backwardOne(r: number, g: Float32Array, rate: number): void {
    if (!this.ex) { this.backwardJs([r], 0, 1, g, rate); return; }
    this.rowsView![0] = r;
    this.outView!.set(g.subarray(0, this.hidden));
    this.ex.backward(this.at.rows, 1, this.at.indptr, this.at.indices, this.at.values, this.at.E, this.hidden, this.at.out, rate);
  }

  /** E[feature] -= rate * value * dh[b] for every feature of every row b: plain SGD. */
  backward(rows: ArrayLike<number>, dh: Float32Array, rate: number): void {
    const H = this.hidden;
    for (let s = 0; s < rows.length; s += this.maxBatch) {
      const n = Math.min(this.maxBatch, rows.length - s);
      if (this.ex) {
        for (let b = 0; b < n; b++) this.rowsView![b] = rows[s + b];
        this.outView!.set(dh.subarray(s * H, (s + n) * H)); // the output buffer carries dh in
        this.ex.backward(this.at.rows, n, this.at.indptr, this.at.indices, this.at.values, this.at.E, H, this.at.out, rate);
      } else {
        this.backwardJs(rows, s, n, dh.subarray(s * H), rate);
      }
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
      const r = rows[b], o = (b - s) * H;
      for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
        const step = rate * x.values[p], e = x.indices[p] * H;
        for (let k = 0; k < H; k++) E[e + k] -= step * dh[o + k];
      }
    }
  }
}
