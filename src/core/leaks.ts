/**
 * Leakage between the files of a multi-file audit: a row of one file that repeats a row of another
 * (a test row that is also in train is the commonest silent bug of an evaluation).
 *
 * The rule, stated in every multi-file report (`leakRule`):
 *   - exact: the same words after normalising Unicode forms, case and spacing and deleting
 *     punctuation and symbols (leakWords), so "The cat sat." and "the cat sat" are the same row,
 *     and so are "Corp.'s &lt;MSFT.O&gt;" and "Corps &ltMSFTO&gt" (punctuation deleted, not split on);
 *   - near: at most one word edit (insert, delete or replace a word) per LEAK_WORDS_PER_EDIT words
 *     of the longer text. A copy with one word changed in a sentence of ten words or more is a
 *     leak; below ten words the texts must match exactly, because there one word is usually
 *     another question or another fact ("What is the capital of France" / "of Spain" in TREC), not
 *     an edit of the same one. The threshold is in words, not in a similarity, so that it means
 *     the same on every file: a cosine threshold moves with the length of the texts and the
 *     vocabulary of the file.
 * Candidates for the near rule are each row's few nearest rows of the other files by the cosine
 * of their TF-IDF features (a one-word edit of a ten-word text keeps most of its character
 * n-grams), searched exactly in a count sketch of the features (SKETCH_DIM wide) with the
 * neighbour kernel; each candidate is then checked word by word.
 * Explicit triplets: the anchor of a row, among the anchors and positives of other files' rows.
 */
import type { Csr } from './featurize';
import { normalizeText, rowDot, textWords } from './featurize';
import { nearestNeighbours } from './neighbours';
import { approximateNeighbours, ivfParams, shouldUseIvf } from './ivf';
import { Rng } from './rng';
import { AbortError } from './engineApi';

export const LEAK_PREFIX = 'leak: ';
/** One word edit allowed per this many words of the longer text (see above). */
export const LEAK_WORDS_PER_EDIT = 10;
/** Width of the count sketch the candidates are searched in. */
const SKETCH_DIM = 128;
/** Candidates checked per row. */
const CANDIDATES = 4;
/**
 * Candidates whose sketched cosine is below this are not checked: a text within one edit per ten
 * words of another has a feature cosine well above it, and the sketch's error (sd ~ 1/sqrt(128)
 * ~ 0.09 on unit vectors) does not take it this low.
 */
const MIN_SKETCH_SIM = 0.4;

export const LEAK_RULE = `exact: the same words after normalising Unicode forms, case and spacing and deleting punctuation; ` +
  `near: at most one word edit (insert, delete or replace a word) per ${LEAK_WORDS_PER_EDIT} words of the longer text ` +
  `(texts under ${LEAK_WORDS_PER_EDIT} words must match exactly: there one word is usually another question, not an edit), ` +
  `checked on each row's ${CANDIDATES} nearest rows of the other files by TF-IDF cosine`;

/**
 * A text's words for the leak rule: normalised (normalizeText), punctuation and symbols deleted
 * (so that "Corp.'s" and "Corps" are one word, as a copy with its punctuation stripped writes it),
 * then split into words as the features split them (each Han character a word).
 */
export function leakWords(text: string): string[] {
  return textWords(normalizeText(text).replace(/[\p{P}\p{S}]/gu, ''));
}

/** The most word edits two texts of these lengths may differ by and still be one text. */
export function allowedEdits(wordsA: number, wordsB: number): number {
  return Math.floor(Math.max(wordsA, wordsB) / LEAK_WORDS_PER_EDIT);
}

/**
 * Word-level Levenshtein distance of a and b if it is at most `cap`, else cap + 1 (a band of
 * width 2 cap + 1 around the diagonal, so O(length x cap)).
 */
export function wordEdits(a: readonly string[], b: readonly string[], cap: number): number {
  const n = a.length, m = b.length;
  if (Math.abs(n - m) > cap) return cap + 1;
  const INF = cap + 1;
  let prev = new Int32Array(m + 1), cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j <= cap ? j : INF;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - cap), hi = Math.min(m, i + cap);
    cur.fill(INF);
    cur[0] = i <= cap ? i : INF;
    let best = cur[0];
    for (let j = lo; j <= hi; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      const v = Math.min(sub, prev[j] + 1, cur[j - 1] + 1, INF);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > cap) return INF;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[m], INF);
}

/** One text that may leak or be leaked: a labeled row's text, or an anchor / positive of a triplet. */
export interface LeakItem {
  text: string;
  /** The dataset's valid-row id the text belongs to. */
  row: number;
  file: number;
  /** Its row of the feature matrix. */
  x: number;
  role?: 'anchor' | 'positive';
  /** Whether it is looked up in other files (labeled texts, anchors), and whether it can be found there (all). */
  query: boolean;
}

export interface LeakFound {
  /** The valid-row id of the row it repeats. */
  of: number;
  exact: boolean;
  edits: number;
  words: number;
  similarity: number;
  /** Triplets: which text of the other row the anchor repeats (or, on the other side, which of this row's texts is repeated). */
  role?: 'anchor' | 'positive';
  /** This row is the one repeated (the other row's search found it). */
  found: 'query' | 'partner';
}

/** A seeded count sketch of sparse rows: column c adds sign(c) x_c to bucket h(c); rows L2-normalised. */
export function countSketch(x: Csr, rows: readonly number[], dim: number, seed: number): Float32Array {
  const z = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    const o = i * dim;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
      let h = Math.imul(x.indices[p] ^ seed, 0x9e3779b1);
      h ^= h >>> 15; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13;
      z[o + ((h >>> 1) % dim)] += (h & 1 ? 1 : -1) * x.values[p];
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += z[o + d] * z[o + d];
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) z[o + d] *= s;
  });
  return z;
}

/**
 * The leaks among `items`: for every valid row whose text (labeled) or anchor (triplets) repeats
 * an item of another file, what it repeats; both rows of a pair are marked (the one found gets
 * `found: 'partner'`). Rows with no leak are absent.
 */
export async function findLeaks(items: readonly LeakItem[], x: Csr, seed: number, signal?: AbortSignal): Promise<Map<number, LeakFound>> {
  const words = items.map((it) => leakWords(it.text));
  const keys = words.map((w) => w.join(' '));
  const out = new Map<number, LeakFound>();
  const record = (q: number, r: number, exact: boolean, edits: number) => {
    const a = items[q], b = items[r];
    const similarity = Math.round(rowDot(x, a.x, x, b.x) * 1e4) / 1e4;
    const n = Math.max(words[q].length, words[r].length);
    if (!out.has(a.row)) out.set(a.row, { of: b.row, exact, edits, words: n, similarity, role: b.role, found: 'query' });
    if (!out.has(b.row)) out.set(b.row, { of: a.row, exact, edits, words: n, similarity, role: b.role, found: 'partner' });
  };
  // exact: the first item with the key in each file, so a query finds one in another file at once
  const byKey = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (!keys[i]) return;
    const list = byKey.get(keys[i]);
    if (!list) byKey.set(keys[i], [i]);
    else if (!list.some((j) => items[j].file === it.file)) list.push(i);
  });
  const open: number[] = [];
  items.forEach((it, i) => {
    if (!it.query || !keys[i]) return;
    const other = byKey.get(keys[i])!.find((j) => items[j].file !== it.file);
    if (other !== undefined) record(i, other, true, 0);
    else if (words[i].length >= LEAK_WORDS_PER_EDIT && !out.has(it.row)) open.push(i);
  });
  if (open.length === 0) return out;
  // near: each open query's nearest items of other files in the sketch, checked word by word
  const candidates = items.map((_, i) => i).filter((i) => words[i].length >= LEAK_WORDS_PER_EDIT - 1);
  const slot = new Int32Array(items.length).fill(-1);
  candidates.forEach((i, s) => { slot[i] = s; });
  const z = countSketch(x, candidates.map((i) => items[i].x), SKETCH_DIM, seed);
  const files = [...new Set(open.map((i) => items[i].file))].sort((a, b) => a - b);
  // when every item is looked up (labeled texts) the relation is symmetric: each file's rows need
  // only the earlier files' (a pair is found from its later row), half the search
  const symmetric = items.every((it) => it.query);
  for (const f of files) {
    if (signal?.aborted) throw new AbortError();
    const queries = Int32Array.from(open.filter((i) => items[i].file === f), (i) => slot[i]);
    const refs = Int32Array.from(candidates.filter((i) => (symmetric ? items[i].file < f : items[i].file !== f)), (i) => slot[i]);
    if (queries.length === 0 || refs.length === 0) continue;
    const k = Math.min(CANDIDATES, refs.length);
    // past the folds' threshold the inverted file searches (recall@10 0.99 at 100,000 rows, bench:recall)
    const search = { z, dim: SKETCH_DIM, queries, refs, k, signal };
    const nn = shouldUseIvf(queries.length, refs.length)
      ? await approximateNeighbours({ ...search, ...ivfParams(refs.length), seed: Rng.derive(seed, `leaks${f}`).int(2 ** 31) })
      : await nearestNeighbours(search);
    queries.forEach((s, qi) => {
      const q = candidates[s];
      if (out.get(items[q].row)?.found === 'query') return;
      for (let j = 0; j < k; j++) {
        const id = nn.ids[qi * k + j];
        if (id < 0 || nn.sims[qi * k + j] < MIN_SKETCH_SIM) break;
        const r = candidates[id];
        const cap = allowedEdits(words[q].length, words[r].length);
        const edits = wordEdits(words[q], words[r], cap);
        if (edits <= cap) { record(q, r, false, edits); break; }
      }
    });
  }
  return out;
}

/** The evidence line of a leak: what is repeated, where, and by which rule. */
export function leakEvidence(found: LeakFound, where: string, tripletRole?: 'anchor' | 'positive'): string {
  const what = found.exact
    ? 'the same text (after normalising case, spacing and punctuation)'
    : `nearly the same text (${found.edits} word edit${found.edits === 1 ? '' : 's'} in ${found.words} words, at most 1 per ${LEAK_WORDS_PER_EDIT} allowed; TF-IDF cosine ${found.similarity.toFixed(3)})`;
  if (!tripletRole) return `${LEAK_PREFIX}${what} as ${where}`;
  return found.found === 'query'
    ? `${LEAK_PREFIX}the anchor is ${what} as the ${found.role ?? 'anchor'} of ${where}`
    : `${LEAK_PREFIX}the ${found.role ?? 'anchor'} is ${what} as the anchor of ${where}`;
}
