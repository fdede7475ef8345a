/**
 * `triplet-audit mine`: turns labeled rows, (anchor, positive) pairs or triplets into triplets
 * with mined negatives. A triplet encoder is cross-fitted on the file (tripletFold.ts), and each
 * anchor's negatives are mined (mining.ts) in the space of the fold model that never trained on
 * it, from the file's own texts:
 *   - triplets: anchor and positive as given; training sees the given negatives;
 *   - pairs: anchor and positive as given; training has in-batch negatives only;
 *   - labeled rows (text): anchor = the row, positive = another row with its label (seeded draw),
 *     and a text of the same label is never a negative.
 * "Before" is what the triplets were (triplets), or what a random negative gives (pairs: another
 * anchor's positive; labeled rows: a row of another label), in the same out-of-fold space.
 */
import { assignFolds, foldCount, prepareTriplets, TRIPLET_ENCODER_EPOCHS, type PreparedTriplets } from './audit';
import { categoryCode, CATEGORY_NAMES, fromEuclidean } from './categories';
import type { Dataset } from './dataset';
import { InputError } from './dataset';
import { AbortError } from './engineApi';
import { featurizeWithBlocks, normalizeText, rowDot, TRIPLET_FEATURIZER } from './featurize';
import { cosToEuclidean, type MiningOptions } from './mining';
import { Rng } from './rng';
import { runTripletFoldsInProcess, NEAR_DUPLICATE_COS, type TripletFoldRunner, type TripletFoldTask } from './tripletFold';
import type { Category } from './types';

export interface MineOptions extends MiningOptions {
  seed: number;
  folds: number;
  /** Encoder epochs per fold (0: the audit's default). */
  epochs: number;
  dim: number;
}

export interface MinedTriplet {
  anchor: string;
  positive: string;
  negative: string;
  /** The data row the anchor came from, and the data row whose text is the negative (the row itself for a kept negative). */
  row: number;
  negativeRow: number;
  /** 'mined', or 'kept': a triplet's own negative, kept where no candidate was in the band. */
  source: 'mined' | 'kept';
  /** Out-of-fold distances (in the options' distance), the category at the margin, the rank of a mined negative. */
  dAP: number;
  dAN: number;
  category: Category;
  rank?: number;
}

export type CategoryTally = Record<Category, number>;

export interface MineResult {
  input: 'labeled' | 'triplets' | 'pairs';
  /** Usable input rows (anchors with a positive). */
  rows: number;
  triplets: MinedTriplet[];
  /** Categories before (the given or random negatives) and after (the written triplets). */
  before: CategoryTally;
  after: CategoryTally;
  /** Input rows with at least one mined negative, and without any. */
  mined: number;
  noCandidate: number;
  /** Mined negatives that are the anchor's own positive, the anchor, or a near-duplicate of either (lexical cosine >= 0.9): 0 by construction, counted again here. */
  ownPositiveOrDuplicate: number;
  /** Mined negatives whose out-of-fold distance lies in the band asked for (all of them, by construction). */
  inBand: number;
  description: string;
}

const tally = (): CategoryTally => ({ easy: 0, 'semi-hard': 0, hard: 0 });

interface Layout {
  input: MineResult['input'];
  texts: string[];
  /** Usable rows' data-row numbers, by triplet. */
  rowOf: number[];
  /** The data row of each text (x row). */
  textRow: number[];
  prep: PreparedTriplets;
  textGroup?: Int32Array;
  trainNegatives: boolean;
}

function layoutOf(ds: Dataset, seed: number, folds: number): Layout {
  if (ds.kind === 'labeled') {
    if (ds.input !== 'text') throw new InputError('mining needs texts: this file\'s rows are numeric features or vectors', ds.file);
    const valid = ds.rows.filter((r) => !r.invalid && (r.text ?? '').trim());
    const labels = new Map<string, number>();
    const y = Int32Array.from(valid, (r) => { if (!labels.has(r.label)) labels.set(r.label, labels.size); return labels.get(r.label)!; });
    if (labels.size < 2) throw new InputError('mining labeled rows needs at least two labels', ds.file);
    const n = valid.length, texts = valid.map((r) => r.text!);
    const byLabel = new Map<number, number[]>();
    y.forEach((c, i) => { const l = byLabel.get(c); if (l) l.push(i); else byLabel.set(c, [i]); });
    const rng = Rng.derive(seed, 'minePairs');
    const positive = new Int32Array(n), negative = new Int32Array(n);
    const keep: number[] = [];
    for (let i = 0; i < n; i++) {
      const same = byLabel.get(y[i])!;
      if (same.length < 2) continue;
      let j = i;
      while (j === i) j = same[rng.int(same.length)];
      let k = i;
      while (y[k] === y[i]) k = rng.int(n);
      positive[i] = j; negative[i] = k; keep.push(i);
    }
    const K = foldCount(folds, keep.length);
    const fold = assignFolds(Int32Array.from(keep, (i) => y[i]), K, new Rng(seed));
    const keyMap = new Map<string, number>();
    const textKey = Int32Array.from(texts, (t) => { const k = normalizeText(t); if (!keyMap.has(k)) keyMap.set(k, keyMap.size); return keyMap.get(k)!; });
    const seen = new Set<number>(), pool: number[] = [];
    texts.forEach((_, r) => { if (!seen.has(textKey[r])) { seen.add(textKey[r]); pool.push(r); } });
    const m = keep.length;
    const prep: PreparedTriplets = {
      n: m, K, groups: Int32Array.from(keep, (i) => y[i]), fold, textKey, pool: Int32Array.from(pool),
      anchor: Int32Array.from(keep), positive: Int32Array.from(keep, (i) => positive[i]), negative: Int32Array.from(keep, (i) => negative[i]),
      partner: new Int32Array(m).fill(-1), sibling: new Int32Array(m).fill(-1), negativeIsPositiveOf: new Int32Array(m).fill(-1),
    };
    return { input: 'labeled', texts, rowOf: keep.map((i) => valid[i].row), textRow: valid.map((r) => r.row), prep, textGroup: y, trainNegatives: false };
  }
  const valid = ds.rows.filter((r) => !r.invalid);
  const n = valid.length;
  if (n < 2) throw new InputError('fewer than two usable rows to mine from', ds.file);
  const pairs = ds.kind === 'pairs';
  const texts = [...valid.map((r) => r.anchor), ...valid.map((r) => r.positive), ...(pairs ? [] : valid.map((r) => r.negative))];
  const prep = prepareTriplets(texts, n, { folds, seed }, valid.map((r) => r.anchor), !pairs);
  // pairs: the "before" negative is another anchor's positive (the random negative of DSSM-style data)
  if (pairs) prep.negative = Int32Array.from(prep.partner, (p) => (p >= 0 ? n + p : -1));
  const textRow = texts.map((_, r) => valid[r % n].row);
  return { input: pairs ? 'pairs' : 'triplets', texts, rowOf: valid.map((r) => r.row), textRow, prep, trainNegatives: !pairs };
}

export async function mineDataset(ds: Dataset, opts: MineOptions, runner: TripletFoldRunner = runTripletFoldsInProcess,
  hooks: { signal?: AbortSignal; onProgress?(fraction: number, message: string): void } = {}): Promise<MineResult> {
  const L = layoutOf(ds, opts.seed, opts.folds);
  const { prep, texts } = L;
  const n = prep.n;
  hooks.onProgress?.(0.02, `Featurising ${texts.length} texts`);
  const { x } = featurizeWithBlocks(texts, TRIPLET_FEATURIZER);
  const epochs = opts.epochs > 0 ? opts.epochs : TRIPLET_ENCODER_EPOCHS;
  const tasks: TripletFoldTask[] = Array.from({ length: prep.K }, (_, f) => ({
    kind: 'triplets', f, fold: prep.fold, x, anchor: prep.anchor, positive: prep.positive, negative: prep.negative, group: prep.groups,
    textKey: prep.textKey, partner: prep.partner, sibling: prep.sibling, pool: prep.pool, textGroup: L.textGroup, trainNegatives: L.trainNegatives,
    epochs, seed: opts.seed, encoder: { dim: opts.dim }, mining: opts, wantEmbedding: false,
  }));
  const done = new Float64Array(prep.K);
  const results = await runner(tasks, (f, fraction, stage) => {
    done[f] = fraction;
    hooks.onProgress?.(0.05 + 0.9 * done.reduce((t, v) => t + v, 0) / prep.K, `Fold ${f + 1}/${prep.K}: ${stage}`);
  }, hooks.signal);
  if (hooks.signal?.aborted) throw new AbortError();
  const d = (c: number) => fromEuclidean(cosToEuclidean(c), opts.distance);
  const cat = (dAP: number, dAN: number) => CATEGORY_NAMES[categoryCode(dAP, dAN, opts.margin)];
  const before = tally(), after = tally();
  const out: { i: number; t: MinedTriplet }[] = [];
  let mined = 0, noCandidate = 0, own = 0, inBand = 0;
  const K = opts.numNegatives;
  // the anchor's own positives (every one its group has), for the check of what was mined
  const groupPositives = new Map<number, number[]>();
  for (let i = 0; i < n; i++) { const l = groupPositives.get(prep.groups[i]); if (l) l.push(prep.positive[i]); else groupPositives.set(prep.groups[i], [prep.positive[i]]); }
  for (const r of results) {
    r.held.forEach((i, q) => {
      const a = prep.anchor[i], p = prep.positive[i], neg = prep.negative[i];
      const dAP = d(r.cosAP[q]);
      if (neg >= 0 && Number.isFinite(r.cosAN[q])) before[cat(dAP, d(r.cosAN[q]))]++;
      let got = 0;
      for (let k = 0; k < K; k++) {
        const c = r.mined[q * K + k];
        if (c < 0) continue;
        got++;
        const dAN = d(r.minedCos[q * K + k]);
        const category = cat(dAP, dAN);
        after[category]++;
        if (opts.band === 'any' || (opts.band === 'hard' ? dAN < dAP + opts.margin : dAP < dAN && dAN < dAP + opts.margin)) inBand++;
        const key = normalizeText(texts[c]);
        const positives = groupPositives.get(prep.groups[i])!;
        if (key === normalizeText(texts[a]) || positives.some((pp) => normalizeText(texts[pp]) === key) ||
          rowDot(x, c, x, a) >= NEAR_DUPLICATE_COS || rowDot(x, c, x, p) >= NEAR_DUPLICATE_COS) own++;
        out.push({ i, t: { anchor: texts[a], positive: texts[p], negative: texts[c], row: L.rowOf[i], negativeRow: L.textRow[c], source: 'mined', dAP, dAN, category, rank: r.minedRank[q * K + k] } });
      }
      if (got > 0) { mined++; return; }
      noCandidate++;
      if (L.input === 'triplets' && neg >= 0) {
        const dAN = d(r.cosAN[q]), category = cat(dAP, dAN);
        after[category]++;
        out.push({ i, t: { anchor: texts[a], positive: texts[p], negative: texts[neg], row: L.rowOf[i], negativeRow: L.rowOf[i], source: 'kept', dAP, dAN, category } });
      }
    });
  }
  // in the input's order, each anchor's negatives hardest first
  out.sort((u, v) => u.i - v.i);
  const bandText = opts.band === 'semi-hard' ? `semi-hard at margin ${opts.margin} (${opts.distance})` : opts.band === 'hard' ? `d(a,n) < d(a,p) + ${opts.margin} (${opts.distance})` : 'any distance';
  const ranks = opts.rangeMin > 1 || opts.rangeMax > 0 ? `, ranks ${opts.rangeMin || 1}-${opts.rangeMax || 'end'}` : '';
  return {
    input: L.input, rows: n, triplets: out.map((o) => o.t), before, after, mined, noCandidate, ownPositiveOrDuplicate: own, inBand,
    description: `${prep.K}-fold cross-fitted triplet encoder (${epochs} epochs); up to ${K} negatives per anchor from the file's ${prep.pool.length} distinct texts, ` +
      `${bandText}${ranks}, skipping candidates closer to the anchor than ${opts.positiveShare} x the positive's cosine (NV-Retriever), the anchor's own positives and near-duplicates`,
  };
}
