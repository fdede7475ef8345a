/**
 * The inner loop of the approximate neighbour search (ivf.ts): a set of points, each with running
 * results (its top k, and its nearest vector with its label and with another label), scanned
 * against a panel of vectors (one inverted list, or a block of centroids). It runs in
 * WebAssembly SIMD (kernels/ivf.wat): tiles of 4 points x 8 vectors, 4 floats per instruction,
 * which a JS loop cannot approach (V8 does not vectorise); where WebAssembly SIMD is missing the
 * same loop runs in JS. The point set, its results and the panel all live in the module's memory,
 * so a scan copies nothing.
 */
import { IVF_WASM_BASE64 } from './kernels/ivfWasm';
import { arena, instantiate, kernelModule } from './kernels/load';

interface IvfExports {
  memory: WebAssembly.Memory;
  setup(points: number, dim: number, k: number, topSim: number, topPos: number, sameSim: number, samePos: number,
    otherSim: number, otherPos: number, label: number, useLabels: number): void;
  scan(idx: number, n: number, panel: number, slots: number, slotPos: number, slotLabel: number): void;
}

/** Vectors per panel block (the kernel's tile is 4 points x 8 vectors). */
const BLOCK = 8;
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;
const REGIONS = ['points', 'label', 'topSim', 'topPos', 'sameSim', 'samePos', 'otherSim', 'otherPos', 'idx', 'panel', 'slotPos', 'slotLabel'] as const;
type Region = (typeof REGIONS)[number];

export class PointSet {
  /** Row-major [(rows + 1) x dim]; row `rows` pads the last tile and its results are ignored. */
  readonly points: Float32Array;
  /** Label of each point (-1 for none). */
  readonly label: Int32Array;
  /** [(rows + 1) x k]: similarities descending; positions of the panel vectors (-1: none). */
  readonly topSim: Float32Array;
  readonly topPos: Int32Array;
  readonly sameSim: Float32Array;
  readonly samePos: Int32Array;
  readonly otherSim: Float32Array;
  readonly otherPos: Int32Array;
  /** Points to scan, by row (scan's first n). */
  readonly idx: Int32Array;
  /** The panel: vector j's value d at [((j >> 3) * dim + d) * 8 + (j & 7)]; see putVector. */
  readonly panel: Float32Array;
  readonly slotPos: Int32Array;
  readonly slotLabel: Int32Array;
  private k = 1;
  private useLabels = false;
  private readonly ex?: IvfExports;
  /** Byte offsets of the buffers in the module's memory (with WebAssembly). */
  private readonly at: Record<Region, number>;

  get wasm(): boolean { return this.ex !== undefined; }

  /**
   * `rows` points, at most `kMax` results each, panels of up to `panelVectors` vectors, scans of
   * up to `idxCapacity` points. `useWasm: false` forces the JS loop (the tests compare the two).
   */
  constructor(readonly rows: number, readonly dim: number, readonly kMax: number, panelVectors: number, idxCapacity: number, useWasm = true) {
    const slots = roundUp(Math.max(panelVectors, 1), BLOCK), idxCap = roundUp(Math.max(idxCapacity, 1), 4), n = rows + 1;
    const sizes: Record<Region, number> = {
      points: n * dim, label: n, topSim: n * kMax, topPos: n * kMax, sameSim: n, samePos: n, otherSim: n, otherPos: n,
      idx: idxCap, panel: slots * dim, slotPos: slots, slotLabel: slots,
    };
    const mod = useWasm ? kernelModule(IVF_WASM_BASE64) : null;
    this.at = { ...sizes };
    let buf: ArrayBuffer | undefined;
    if (mod) {
      const layout = arena();
      for (const key of REGIONS) this.at[key] = layout.take(4 * sizes[key]);
      this.ex = instantiate<IvfExports>(mod, layout.size);
      buf = this.ex.memory.buffer;
    }
    const f32 = (key: Region) => (buf ? new Float32Array(buf, this.at[key], sizes[key]) : new Float32Array(sizes[key]));
    const i32 = (key: Region) => (buf ? new Int32Array(buf, this.at[key], sizes[key]) : new Int32Array(sizes[key]));
    this.points = f32('points'); this.label = i32('label').fill(-1);
    this.topSim = f32('topSim'); this.topPos = i32('topPos');
    this.sameSim = f32('sameSim'); this.samePos = i32('samePos');
    this.otherSim = f32('otherSim'); this.otherPos = i32('otherPos');
    this.idx = i32('idx'); this.panel = f32('panel'); this.slotPos = i32('slotPos'); this.slotLabel = i32('slotLabel');
  }

  /** Forgets every point's results; from now on each keeps its top k (and, with labels, its same/other). */
  reset(k: number, useLabels: boolean): void {
    if (k < 1 || k > this.kMax) throw new RangeError(`k must be in 1..${this.kMax}`);
    this.k = k; this.useLabels = useLabels;
    const n = (this.rows + 1) * k;
    this.topSim.fill(-Infinity, 0, n); this.topPos.fill(-1, 0, n);
    this.sameSim.fill(-Infinity); this.samePos.fill(-1); this.otherSim.fill(-Infinity); this.otherPos.fill(-1);
    const a = this.at;
    this.ex?.setup(a.points, this.dim, k, a.topSim, a.topPos, a.sameSim, a.samePos, a.otherSim, a.otherPos, a.label, useLabels ? 1 : 0);
  }

  /** Panel vector j := src[off .. off + dim), with its position (what results name) and label. */
  putVector(j: number, src: Float32Array, off: number, pos: number, label: number): void {
    const dim = this.dim, p = this.panel;
    let o = (j >> 3) * dim * BLOCK + (j & 7);
    for (let d = 0; d < dim; d++, o += BLOCK) p[o] = src[off + d];
    this.slotPos[j] = pos; this.slotLabel[j] = label;
  }

  /** Panel vector j := padding, which is never taken (NaN: every comparison with it is false). */
  putPadding(j: number): void {
    const dim = this.dim, p = this.panel;
    let o = (j >> 3) * dim * BLOCK + (j & 7);
    for (let d = 0; d < dim; d++, o += BLOCK) p[o] = NaN;
    this.slotPos[j] = -1; this.slotLabel[j] = -1;
  }

  /**
   * Merges the similarities of points idx[0..n) to panel vectors [from, to) into their results.
   * `from` must be a multiple of 8 (a block starts there); vectors from `to` to the end of its
   * block are made padding.
   */
  scan(n: number, from: number, to: number): void {
    if (from % BLOCK !== 0) throw new RangeError('a scan starts at a block');
    if (n === 0 || to <= from) return;
    const m = roundUp(n, 4), end = roundUp(to, BLOCK);
    this.idx.fill(this.rows, n, m);
    for (let j = to; j < end; j++) this.putPadding(j);
    if (this.ex) {
      this.ex.scan(this.at.idx, m, this.at.panel + 4 * from * this.dim, end - from, this.at.slotPos + 4 * from, this.at.slotLabel + 4 * from);
    } else {
      this.scanJs(n, from, end);
    }
  }

  /** The kernel's loop in JS: the same results (similarities summed in double precision). */
  private scanJs(n: number, from: number, end: number): void {
    const { dim, points, panel } = this;
    const acc = new Float64Array(BLOCK);
    for (let t = 0; t < n; t++) {
      const q = this.idx[t], qo = q * dim;
      for (let b = from; b < end; b += BLOCK) {
        acc.fill(0);
        let o = b * dim;
        for (let d = 0; d < dim; d++, o += BLOCK) {
          const x = points[qo + d];
          for (let l = 0; l < BLOCK; l++) acc[l] += x * panel[o + l];
        }
        for (let l = 0; l < BLOCK; l++) this.offer(q, Math.fround(acc[l]), b + l);
      }
    }
  }

  private offer(q: number, s: number, slot: number): void {
    const pos = this.slotPos[slot];
    if (this.useLabels) {
      if (this.slotLabel[slot] === this.label[q]) {
        if (s > this.sameSim[q] || (s === this.sameSim[q] && pos < this.samePos[q])) { this.sameSim[q] = s; this.samePos[q] = pos; }
      } else if (s > this.otherSim[q] || (s === this.otherSim[q] && pos < this.otherPos[q])) { this.otherSim[q] = s; this.otherPos[q] = pos; }
    }
    const k = this.k, base = q * k, sims = this.topSim, ids = this.topPos;
    let p = k - 1;
    if (!(s > sims[base + p] || (s === sims[base + p] && pos < ids[base + p]))) return;
    while (p > 0 && (sims[base + p - 1] < s || (sims[base + p - 1] === s && ids[base + p - 1] > pos))) {
      sims[base + p] = sims[base + p - 1]; ids[base + p] = ids[base + p - 1]; p--;
    }
    sims[base + p] = s; ids[base + p] = pos;
  }
}
