/**
 * Realistic 64-d embeddings for the neighbour benchmarks: the 100,000-row labeled file of
 * ../shared/bench/make_big.py, featurised, one fold encoder trained on folds 1-4 (as an audit
 * would), and every row embedded. Random Gaussian vectors have no cluster structure and would
 * understate what an approximate search achieves on real data, hence this. The embeddings are
 * cached under the OS temp folder (z100k.f32, z100k.labels.i32): training takes about a minute.
 * Delete them to train anew (after a change to the encoder or its training plan).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { assignFolds, labeledTraining } from '../src/core/audit';
import { DEFAULT_ENCODER, Encoder } from '../src/core/encoder';
import { featurize } from '../src/core/featurize';
import { Rng } from '../src/core/rng';
import { bigFile } from './bigFile';

export const EMBED_DIM = 64;

export interface Embedded {
  z: Float32Array;
  labels: Int32Array;
  /** Fold of each row (5 folds, stratified, seed 1): queries = fold 0, references = the rest. */
  fold: Int32Array;
  rows: number;
}


/** The embeddings of the 100,000-row file, from the cache or trained now (needs a tf backend set). */
export async function embeddings100k(log: (s: string) => void = () => undefined): Promise<Embedded> {
  const rows = 100_000;
  const zFile = join(tmpdir(), 'z100k.f32'), yFile = join(tmpdir(), 'z100k.labels.i32');
  let z: Float32Array, labels: Int32Array;
  if (existsSync(zFile) && existsSync(yFile)) {
    z = new Float32Array(new Uint8Array(readFileSync(zFile)).buffer);
    labels = new Int32Array(new Uint8Array(readFileSync(yFile)).buffer);
  } else {
    log('embedding the 100,000-row file once (featurise, train one fold encoder, embed); cached afterwards');
    const recs = parse(readFileSync(bigFile(rows), 'utf8'), { columns: true }) as { text: string; label: string }[];
    const x = featurize(recs.map((r) => r.text));
    const names = [...new Set(recs.map((r) => String(r.label)))];
    const index = new Map(names.map((n, i) => [n, i]));
    labels = Int32Array.from(recs, (r) => index.get(String(r.label))!);
    const fold = assignFolds(labels, 5, new Rng(1));
    const idx = Int32Array.from(fold.keys());
    const train = idx.filter((i) => fold[i] !== 0);
    const enc = new Encoder({ ...DEFAULT_ENCODER, dim: EMBED_DIM, mining: 'semi-hard', classes: names.length }, new Rng(3));
    const plan = labeledTraining(train.length);
    await enc.trainLabeled(x, train, labels, plan.epochs, new Rng(4), {}, true, plan.epochRows);
    z = (await enc.embed(x, idx)).z;
    enc.dispose();
    writeFileSync(zFile, new Uint8Array(z.buffer, z.byteOffset, z.byteLength));
    writeFileSync(yFile, new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
  }
  if (z.length !== rows * EMBED_DIM || labels.length !== rows) throw new Error(`stale cache ${zFile}: delete it`);
  return { z, labels, fold: assignFolds(labels, 5, new Rng(1)), rows };
}
