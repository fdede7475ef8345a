/**
 * UMAP of the report's embeddings, in the page, seeded so the same report gives the same map.
 * Runs in slices between frames so the panel stays responsive, and stops when cancelled.
 */
import { UMAP } from 'umap-js';
import { Rng } from '../src/core/rng';

export interface UmapJob {
  /** Resolves with one (x, y) per given row, or undefined when cancelled. */
  readonly result: Promise<{ x: Float64Array; y: Float64Array } | undefined>;
  cancel(): void;
}

/** Rows are indices into the embedding (row-major, `dim` values each). */
export function runUmap(embedding: { dim: number; values: number[] }, rows: Uint32Array, seed: number,
  onProgress: (fraction: number, message: string) => void): UmapJob {
  let cancelled = false;
  const rng = new Rng(seed);
  const result = (async () => {
    const { dim, values } = embedding;
    const data = Array.from(rows, (i) => values.slice(i * dim, (i + 1) * dim));
    const umap = new UMAP({ nComponents: 2, nNeighbors: Math.max(2, Math.min(15, data.length - 1)), random: () => rng.next() });
    onProgress(0, `UMAP: finding neighbours of ${data.length} points…`);
    await nextFrame();
    if (cancelled) return undefined;
    const epochs = umap.initializeFit(data);
    for (let e = 0; e < epochs;) {
      if (cancelled) return undefined;
      const until = performance.now() + 12;
      while (e < epochs && performance.now() < until) { umap.step(); e++; }
      onProgress(e / epochs, `UMAP: epoch ${e} of ${epochs}`);
      await nextFrame();
    }
    const out = umap.getEmbedding();
    return { x: Float64Array.from(out, (p) => p[0]), y: Float64Array.from(out, (p) => p[1]) };
  })();
  return { result, cancel: () => { cancelled = true; } };
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
