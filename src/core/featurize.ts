/**
 * DSSM-style text features: hashed character n-grams (letter trigrams and their neighbours) and
 * word unigrams/bigrams, weighted by sublinear TF x IDF and L2-normalised, stored as a CSR matrix.
 * Unicode-aware: characters are code points, so Chinese text (no spaces) is served by its
 * character n-grams, and words are runs of letters, digits and marks in any script.
 */

export interface FeaturizerOptions {
  /** log2 of the number of hash buckets. */
  hashBits: number;
  /** Character n-gram lengths, inclusive. */
  charMin: number;
  charMax: number;
  /** Word n-gram lengths, inclusive. */
  wordMax: number;
  /**
   * Features in fewer rows than this are dropped: a feature of one row tells nothing about any
   * other row, and dropping them shrinks the model's table (which must stay cache-friendly).
   */
  minDf: number;
  /**
   * Share of each row's squared norm given to its word n-grams (the rest to character n-grams),
   * as a union of two separately normalised TF-IDF blocks does; 0 = one block for both.
   */
  wordShare: number;
}

/**
 * Character 1-4-grams: single characters carry meaning in Chinese (好, 差): on the corrupted
 * ChnSentiCorp copy AP rose from 0.503 (2-4-grams) to 0.613, while TREC moved 0.788 -> 0.776 and
 * AG News 0.731 -> 0.736 (the encoder's scores, before the linear model).
 * Words and characters as two blocks of equal weight (wordShare 0.5), for labeled rows: the out-of-fold
 * linear model's AP on the corrupted copies went from 0.861 / 0.976 / 0.810 / 0.769 (TREC / SMS /
 * AG News / ChnSentiCorp, one block) to 0.886 / 0.979 / 0.817 / 0.772: in one block the hundreds of
 * character n-grams drown the few words. Explicit triplets keep one block (TRIPLET_FEATURIZER).
 */
export const DEFAULT_FEATURIZER: FeaturizerOptions = { hashBits: 18, charMin: 1, charMax: 4, wordMax: 2, minDf: 2, wordShare: 0.5 };

/**
 * For explicit triplets, whose lexical signal is the cosine between two sentences: letter
 * trigrams (DSSM's word hashing) and word 1-2-grams in one block. On the corrupted NLI copies the
 * triplet detector's AP (SNLI / MultiNLI, make_noisy seeds 1 and 2) is the same as with character
 * 1-4-grams (0.753 / 0.709, 0.738 / 0.648 against 0.748 / 0.714, 0.732 / 0.655) from half the
 * entries; words alone lose (0.701 / 0.650, 0.686 / 0.580).
 */
export const TRIPLET_FEATURIZER: FeaturizerOptions = { ...DEFAULT_FEATURIZER, charMin: 3, charMax: 3, wordShare: 0 };

/**
 * Featurises texts (the audit's `featurize` stage), possibly on several threads
 * (node/foldPool.ts), telling `onProgress` the fraction done where it can.
 */
export type Featurizer = (texts: readonly string[], opt: FeaturizerOptions, signal?: AbortSignal, onProgress?: (done: number) => void) => Promise<BlockedFeatures>;

/** Row-major sparse matrix; row i holds indices[indptr[i]..indptr[i+1]) with their values. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/**
 * Words: runs of letters, digits and marks, except that each Han character is a word of its own
 * (as BERT's basic tokenizer splits CJK ideographs): Chinese has no spaces, and a run of Han
 * characters is a whole clause.
 */
const WORD = /\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}\p{M}])+/gu;

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** The words of a text as the features see them (normalizeText, then WORD): case, spacing and punctuation gone. */
export function textWords(text: string): string[] {
  return normalizeText(text).match(WORD) ?? [];
}

const SEED_CHAR = 0x811c9dc5;
const SEED_WORD = 0x050c5d1f;

/** One FNV-1a round over a 32-bit value (a code point or a word hash). */
function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function wordHash(w: string): number {
  let h = SEED_WORD;
  for (let i = 0; i < w.length; i++) h = mix(h, w.charCodeAt(i));
  return h;
}

/**
 * Whether words and characters hash into buckets of their own: whenever both are featurised, so
 * that the word columns can be told apart (Vocabulary.word, wordView) even in one block.
 */
function separateWords(opt: FeaturizerOptions): boolean {
  return opt.charMin <= opt.charMax && opt.wordMax > 0;
}

/**
 * Appends the hashed ids of one text's n-grams to `out` (growing it as needed) and returns the
 * buffer and the count; ids repeat as often as their n-gram occurs.
 */
export function hashedNgrams(text: string, opt: FeaturizerOptions, out: Int32Array): { ids: Int32Array; count: number } {
  const mask = (1 << opt.hashBits) - 1;
  const norm = normalizeText(text);
  const cps: number[] = [32];
  for (const ch of norm) cps.push(ch.codePointAt(0)!);
  cps.push(32);
  const words = norm.match(WORD) ?? [];
  const wordBase = separateWords(opt) ? mask + 1 : 0;
  const wh = words.map(wordHash);
  let need = 0;
  for (let n = opt.charMin; n <= opt.charMax; n++) need += Math.max(0, cps.length - n + 1);
  for (let n = 1; n <= opt.wordMax; n++) need += Math.max(0, wh.length - n + 1);
  if (out.length < need) out = new Int32Array(Math.max(need, out.length * 2));
  let c = 0;
  for (let n = opt.charMin; n <= opt.charMax; n++) {
    const seed = mix(SEED_CHAR, n);
    for (let i = 0; i + n <= cps.length; i++) {
      let h = seed;
      for (let j = i; j < i + n; j++) h = mix(h, cps[j]);
      out[c++] = (h >>> 0) & mask;
    }
  }
  for (let n = 1; n <= opt.wordMax; n++) {
    const seed = mix(SEED_WORD, 0x100 + n);
    for (let i = 0; i + n <= wh.length; i++) {
      let h = seed;
      for (let j = i; j < i + n; j++) h = mix(h, wh[j]);
      out[c++] = wordBase + ((h >>> 0) & mask);
    }
  }
  return { ids: out, count: c };
}

/** The kept hash buckets and their weights: what pass two of featurisation needs. */
export interface Vocabulary {
  /** Column of each hash bucket, or -1 where the bucket is dropped (df < minDf). */
  column: Int32Array;
  /** Per column: its IDF, and 1 where it is a word n-gram (else a character n-gram). */
  idf: Float64Array;
  word: Uint8Array;
}

/** Hash buckets of `opt`: the length of a document-frequency table. */
export function bucketCount(opt: FeaturizerOptions): number {
  return (separateWords(opt) ? 2 : 1) << opt.hashBits;
}

export interface Counts {
  /** Per hash bucket: in how many of the texts it occurs. */
  df: Int32Array;
  /** Per text: how many distinct buckets it has (an upper bound of its entries in the matrix). */
  distinct: Int32Array;
}

/**
 * Pass one over texts[from..to): document frequencies, and each text's distinct buckets. Counts
 * from disjoint ranges add up, so the texts can be counted in parts on several threads.
 */
export function countBuckets(texts: readonly string[], opt: FeaturizerOptions, from = 0, to = texts.length): Counts {
  const df = new Int32Array(bucketCount(opt)), distinct = new Int32Array(to - from);
  // seen[id] = 1 + the last row that counted it: each row counts a bucket once, without sorting
  const seen = new Int32Array(df.length);
  let buf: Int32Array = new Int32Array(4096);
  for (let r = from; r < to; r++) {
    const got = hashedNgrams(texts[r], opt, buf);
    buf = got.ids;
    let d = 0;
    for (let j = 0; j < got.count; j++) {
      const id = buf[j];
      if (seen[id] !== r + 1) { seen[id] = r + 1; df[id]++; d++; }
    }
    distinct[r - from] = d;
  }
  return { df, distinct };
}

/**
 * The buckets kept (df >= minDf over all `rows` texts), numbered most frequent first: the model
 * tables (the encoder's bag, the linear weights) are read row by row per feature, and with the
 * frequent features side by side the reads mostly hit the cache (one ChnSentiCorp fold: bag
 * forward 3.8 -> 2.9 s, linear model 2.7 -> 2.1 s).
 */
export function vocabulary(df: Int32Array, rows: number, opt: FeaturizerOptions): Vocabulary {
  const charCols = 1 << opt.hashBits;
  const keptIds: number[] = [];
  for (let c = 0; c < df.length; c++) if (df[c] >= opt.minDf) keptIds.push(c);
  keptIds.sort((a, b) => df[b] - df[a] || a - b);
  const column = new Int32Array(df.length).fill(-1);
  const idf = new Float64Array(keptIds.length), word = new Uint8Array(keptIds.length);
  keptIds.forEach((id, c) => {
    column[id] = c;
    idf[c] = Math.log((rows + 1) / (df[id] + 1)) + 1;
    word[c] = id >= charCols || opt.charMin > opt.charMax ? 1 : 0;
  });
  return { column, idf, word };
}

/**
 * Pass two over texts[from..to): writes each text's TF-IDF row, L2-normalised (or, with wordShare,
 * its word and character blocks normalised to their shares) and sorted by column, into
 * `indices`/`values` from `slot[r - from]` on (room for its distinct buckets, as counted in pass
 * one), and returns the entries written per text (its kept buckets). Rows of disjoint ranges go
 * to disjoint slots, so threads can fill one shared matrix; `compactRows` closes the gaps.
 */
export function featurizeRows(texts: readonly string[], opt: FeaturizerOptions, vocab: Vocabulary,
  indices: Int32Array, values: Float32Array, slot: Int32Array, from = 0, to = texts.length): Int32Array {
  const { column, idf, word } = vocab;
  // per bucket, within the current row: 1 + the row that last saw it, and its count
  const seen = new Int32Array(column.length), count = new Int32Array(column.length);
  // per column, within the current row: its weight
  const weight = new Float64Array(idf.length);
  let buf: Int32Array = new Int32Array(4096), cols: Int32Array = new Int32Array(4096);
  const written = new Int32Array(to - from);
  for (let r = from; r < to; r++) {
    const got = hashedNgrams(texts[r], opt, buf);
    buf = got.ids;
    if (cols.length < got.count) cols = new Int32Array(Math.max(got.count, 2 * cols.length));
    let m = 0;
    for (let j = 0; j < got.count; j++) {
      const id = buf[j];
      if (seen[id] !== r + 1) {
        seen[id] = r + 1; count[id] = 1;
        if (column[id] >= 0) buf[m++] = id; // the distinct kept buckets, compacted in place (m <= j)
      } else count[id]++;
    }
    let normC = 0, normW = 0;
    for (let j = 0; j < m; j++) {
      const c = column[buf[j]];
      const v = Math.fround(1 + Math.log(count[buf[j]])) * idf[c];
      weight[c] = v; cols[j] = c;
      if (word[c]) normW += v * v; else normC += v * v;
    }
    // one L2 norm over the row, or each block scaled to its share when both are present
    const split = opt.wordShare > 0 && normW > 0 && normC > 0;
    const norm = Math.sqrt(normC + normW) || 1;
    const sc = Math.sqrt(1 - opt.wordShare) / Math.sqrt(normC), sw = Math.sqrt(opt.wordShare) / Math.sqrt(normW);
    const sorted = cols.subarray(0, m).sort();
    const o = slot[r - from];
    for (let j = 0; j < m; j++) {
      const c = sorted[j];
      indices[o + j] = c;
      values[o + j] = split ? weight[c] * (word[c] ? sw : sc) : weight[c] / norm;
    }
    written[r - from] = m;
  }
  return written;
}

/** Slots of `sizes` entries laid end to end: the start of each, and the total at the end. */
export function slots(sizes: Int32Array): Int32Array {
  const at = new Int32Array(sizes.length + 1);
  for (let r = 0; r < sizes.length; r++) at[r + 1] = at[r] + sizes[r];
  return at;
}

/**
 * The CSR matrix from rows written at `slot` (featurizeRows): moves each row down to close the
 * gaps (in place, so the arrays may be shared memory) and returns views of the filled part.
 */
export function compactRows(rows: number, cols: number, indices: Int32Array, values: Float32Array, slot: Int32Array, written: Int32Array): Csr {
  const indptr = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    const from = slot[r], to = indptr[r], m = written[r];
    if (from !== to) { indices.copyWithin(to, from, from + m); values.copyWithin(to, from, from + m); }
    indptr[r + 1] = to + m;
  }
  return { rows, cols: Math.max(cols, 1), indptr, indices: indices.subarray(0, indptr[rows]), values: values.subarray(0, indptr[rows]) };
}

/**
 * Featurises texts into an L2-normalised TF-IDF CSR matrix whose columns are the hash buckets
 * kept (df >= minDf), renumbered densely. IDF is computed over the given texts, which uses no
 * label and so is safe to share across cross-fitting folds. Two passes (counting, then
 * weighting) that hold no more than the output; node/foldPool.ts runs both in parts on threads.
 */
export function featurize(texts: readonly string[], opt: FeaturizerOptions = DEFAULT_FEATURIZER): Csr {
  return featurizeWithBlocks(texts, opt).x;
}

/** Features and, per column, whether it is a word n-gram (1) or a character n-gram (0). */
export interface BlockedFeatures {
  x: Csr;
  isWord: Uint8Array;
}

/** featurize, in this thread, also telling which columns are word n-grams (Vocabulary.word). */
export function featurizeWithBlocks(texts: readonly string[], opt: FeaturizerOptions = DEFAULT_FEATURIZER): BlockedFeatures {
  const { df, distinct } = countBuckets(texts, opt);
  const vocab = vocabulary(df, texts.length, opt);
  const slot = slots(distinct);
  const indices = new Int32Array(slot[texts.length]), values = new Float32Array(slot[texts.length]);
  const written = featurizeRows(texts, opt, vocab, indices, values, slot);
  return { x: compactRows(texts.length, vocab.idf.length, indices, values, slot, written), isWord: vocab.word };
}

/** Per column of x, the rows it occurs in (a row lists a column once). */
export function columnDf(x: Csr): Int32Array {
  const df = new Int32Array(x.cols);
  for (let p = 0; p < x.indptr[x.rows]; p++) df[x.indices[p]]++;
  return df;
}

/**
 * Rows `rows` of x (featurised with minDf = 1, columns most frequent first) as featurising them
 * with a larger minDf gives them: the columns whose df (over every row of x, `df`) is at least
 * minDf are a prefix of x's, with the same IDF; each row's kept entries are scaled back to the
 * norms featurizeRows gives (each block to its share where both remain, else the row to 1). Equal
 * to featurising with that minDf up to float rounding (~1e-7). Without `rows`, every row of x, in
 * place (x's arrays are reused; x is not to be read afterwards).
 */
export function withMinDf(x: Csr, isWord: Uint8Array, df: Int32Array, minDf: number, wordShare: number, rows?: ArrayLike<number>): Csr {
  let cut = 0;
  while (cut < x.cols && df[cut] >= minDf) cut++;
  for (let c = cut; c < x.cols; c++) if (df[c] >= minDf) throw new Error('internal: withMinDf needs columns sorted by df');
  const n = rows ? rows.length : x.rows;
  let size = 0;
  if (rows) for (let q = 0; q < n; q++) size += x.indptr[rows[q] + 1] - x.indptr[rows[q]];
  const inPlace = !rows;
  const indices = inPlace ? x.indices : new Int32Array(size), values = inPlace ? x.values : new Float32Array(size);
  const indptr = new Int32Array(n + 1);
  let o = 0;
  for (let q = 0; q < n; q++) {
    const r = rows ? rows[q] : q, from = o;
    let sw = 0, sc = 0;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
      const c = x.indices[p];
      if (c >= cut) continue;
      const v = x.values[p];
      if (isWord[c]) sw += v * v; else sc += v * v;
      indices[o] = c; values[o] = v; o++;
    }
    const split = wordShare > 0 && sw > 0 && sc > 0;
    const all = 1 / (Math.sqrt(sw + sc) || 1), fw = Math.sqrt(wordShare / sw), fc = Math.sqrt((1 - wordShare) / sc);
    for (let p = from; p < o; p++) values[p] *= split ? (isWord[indices[p]] ? fw : fc) : all;
    indptr[q + 1] = o;
  }
  return { rows: n, cols: Math.max(cut, 1), indptr, indices: indices.subarray(0, o), values: values.subarray(0, o) };
}

/**
 * The word n-gram columns of featurised rows alone, renumbered in their order and each row
 * L2-normalised: the TF-IDF weights are those of featurising the words alone (the same counts and
 * document frequencies), without hashing the texts again.
 */
export function wordView({ x, isWord }: BlockedFeatures): Csr {
  const column = new Int32Array(x.cols).fill(-1);
  let cols = 0;
  for (let c = 0; c < x.cols; c++) if (isWord[c]) column[c] = cols++;
  const indptr = new Int32Array(x.rows + 1);
  for (let r = 0; r < x.rows; r++) {
    let m = 0;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) if (column[x.indices[p]] >= 0) m++;
    indptr[r + 1] = indptr[r] + m;
  }
  const indices = new Int32Array(indptr[x.rows]), values = new Float32Array(indptr[x.rows]);
  for (let r = 0; r < x.rows; r++) {
    let norm = 0, o = indptr[r];
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) if (column[x.indices[p]] >= 0) norm += x.values[p] * x.values[p];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
      const c = column[x.indices[p]];
      if (c >= 0) { indices[o] = c; values[o++] = x.values[p] * scale; }
    }
  }
  return { rows: x.rows, cols: Math.max(cols, 1), indptr, indices, values };
}

/** Dot product of two CSR rows (sorted indices); cosine similarity for normalised rows. */
export function rowDot(a: Csr, i: number, b: Csr, j: number): number {
  let p = a.indptr[i]; const pe = a.indptr[i + 1];
  let q = b.indptr[j]; const qe = b.indptr[j + 1];
  let s = 0;
  while (p < pe && q < qe) {
    const x = a.indices[p], y = b.indices[q];
    if (x === y) { s += a.values[p] * b.values[q]; p++; q++; }
    else if (x < y) p++;
    else q++;
  }
  return s;
}

/**
 * Dense rows (numeric feature columns or embedding vectors) as a CSR matrix, so the encoder has
 * one input type. Features are standardised per column (mean 0, sd 1); vectors are used as given.
 */
export function denseToCsr(rowsIn: readonly Float32Array[], standardize: boolean): Csr {
  const n = rowsIn.length;
  const dim = n ? rowsIn[0].length : 0;
  const mean = new Float64Array(dim), sd = new Float64Array(dim).fill(1);
  if (standardize && n > 0) {
    for (const r of rowsIn) for (let c = 0; c < dim; c++) mean[c] += r[c] / n;
    const v = new Float64Array(dim);
    for (const r of rowsIn) for (let c = 0; c < dim; c++) v[c] += (r[c] - mean[c]) ** 2 / n;
    for (let c = 0; c < dim; c++) sd[c] = Math.sqrt(v[c]) || 1;
  }
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * dim);
  const values = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    indptr[r + 1] = (r + 1) * dim;
    for (let c = 0; c < dim; c++) {
      indices[r * dim + c] = c;
      values[r * dim + c] = standardize ? (rowsIn[r][c] - mean[c]) / sd[c] : rowsIn[r][c];
    }
  }
  return { rows: n, cols: dim, indptr, indices, values };
}


/** A vocabulary as a saved model keeps it: the hash bucket of each column, in column order, and its IDF. */
export interface SavedVocabulary {
  buckets: number[];
  idf: number[];
}

export function saveVocabulary(v: Vocabulary): SavedVocabulary {
  const buckets = new Array<number>(v.idf.length);
  v.column.forEach((c, id) => { if (c >= 0) buckets[c] = id; });
  return { buckets, idf: Array.from(v.idf) };
}

/** The vocabulary `saveVocabulary` kept, for featurising other texts as the saved model's file was. */
export function loadVocabulary(saved: SavedVocabulary, opt: FeaturizerOptions): Vocabulary {
  const n = bucketCount(opt), charCols = 1 << opt.hashBits;
  if (saved.buckets.length !== saved.idf.length) throw new RangeError(`a vocabulary of ${saved.buckets.length} buckets and ${saved.idf.length} IDF values`);
  const column = new Int32Array(n).fill(-1);
  const word = new Uint8Array(saved.buckets.length);
  saved.buckets.forEach((id, c) => {
    if (!Number.isInteger(id) || id < 0 || id >= n) throw new RangeError(`bucket ${id} is outside the featurizer's ${n}`);
    column[id] = c;
    word[c] = id >= charCols || opt.charMin > opt.charMax ? 1 : 0;
  });
  return { column, idf: Float64Array.from(saved.idf), word };
}

/** The vocabulary of `texts` (what featurize builds its columns from). */
export function vocabularyOf(texts: readonly string[], opt: FeaturizerOptions): Vocabulary {
  return vocabulary(countBuckets(texts, opt).df, texts.length, opt);
}

/** Featurises texts with a given vocabulary (a saved model's), as `featurize` does with the texts' own. */
export function featurizeWithVocabulary(texts: readonly string[], opt: FeaturizerOptions, vocab: Vocabulary): Csr {
  const { distinct } = countBuckets(texts, opt);
  const slot = slots(distinct);
  const indices = new Int32Array(slot[texts.length]), values = new Float32Array(slot[texts.length]);
  const written = featurizeRows(texts, opt, vocab, indices, values, slot);
  return compactRows(texts.length, vocab.idf.length, indices, values, slot, written);
}
