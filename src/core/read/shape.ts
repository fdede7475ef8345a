/**
 * Shape detection: which columns hold the triplet, or the label and the input (text, numeric
 * feature columns, or one embedding-vector column). Options name columns and override detection.
 */
import type { ColumnOptions } from '../types';
import { ReadError } from './table';

export type Shape =
  | { kind: 'triplets'; columns: { anchor: string; positive: string; negative: string } }
  | { kind: 'pairs'; columns: { anchor: string; positive: string } }
  | {
      kind: 'labeled';
      input: 'text' | 'features' | 'vector';
      columns: { text?: string; label: string; features?: string[]; vector?: string };
    };

type Role = 'anchor' | 'positive' | 'negative';
const ROLE_NAMES: Record<Role, string[]> = {
  anchor: ['anchor', 'query', 'question', 'sentence1', 'text1', 'a'],
  positive: ['positive', 'pos', 'positive_text', 'sentence2', 'text2', 'p'],
  negative: ['negative', 'neg', 'negative_text', 'hard_negative', 'sentence3', 'text3', 'n'],
};
const ROLE_OPTION = { anchor: 'anchorColumn', positive: 'positiveColumn', negative: 'negativeColumn' } as const;
const LABEL_NAMES = ['label', 'labels', 'class', 'category', 'target', 'y', 'intent', 'sentiment', 'tag'];
const TEXT_NAMES = ['text', 'sentence', 'review', 'content', 'body', 'message', 'question', 'title', 'document', 'utterance', 'query'];
const VECTOR_NAME = /^(embeddings?|vectors?|embs?|features?)$/;
/**
 * Two unnamed text columns are pairs when each has more than PAIR_MIN_DISTINCT distinct values
 * and at least PAIR_DISTINCT_SHARE of its values are distinct: a label repeats (a few classes).
 */
const PAIR_DISTINCT_SHARE = 0.5, PAIR_MIN_DISTINCT = 20;
/** Row identifiers: never features or text. */
const ID_NAME = /^(id|_id|idx|index|row|row_?id|uid|uuid)$/;
/** No name (or pandas' name for none): a row index when it holds numbers, else an unnamed column like any other. */
const NO_NAME = /^(unnamed: ?\d+|)$/;

/**
 * The shape of a table from its header and some of its readable rows (values by header index).
 * Throws ReadError when a column asked for is missing or the roles cannot be found.
 */
export function detectShape(header: string[], sampleRows: unknown[][], options: ColumnOptions = {}): Shape {
  const cols = new Columns(header, sampleRows);
  const tripletOption = options.anchorColumn ?? options.positiveColumn ?? options.negativeColumn;
  const labeledOption = options.textColumn ?? options.labelColumn ?? options.vectorColumn ?? options.featureColumns;
  const kind =
    options.kind ??
    (tripletOption !== undefined ? (options.negativeColumn === undefined && cols.pairRoles() ? 'pairs' : 'triplets')
      : labeledOption !== undefined ? 'labeled' : cols.tripletRoles() ? 'triplets' : cols.pairRoles() ? 'pairs' : 'labeled');
  if (kind === 'pairs') return pairShape(cols, options);
  return kind === 'triplets' ? tripletShape(cols, options) : labeledShape(cols, options);
}

/**
 * (anchor, positive) pairs: an anchor and a positive column by name and nothing named like a
 * label or a negative, or two text columns that both vary from row to row (a label repeats).
 */
function pairShape(cols: Columns, options: ColumnOptions): Shape {
  const taken = new Set<number>();
  const pick = (role: 'anchor' | 'positive', fallback: number) => {
    const i = cols.option(options[ROLE_OPTION[role]], role) ?? cols.byName(ROLE_NAMES[role], taken) ?? (taken.has(fallback) ? undefined : fallback);
    if (i === undefined) throw new ReadError(`no ${role} column found; ${cols.list()}`);
    taken.add(i);
    return cols.header[i];
  };
  const anchor = pick('anchor', 0);
  return { kind: 'pairs', columns: { anchor, positive: pick('positive', cols.header.indexOf(anchor) === 0 ? 1 : 0) } };
}

function tripletShape(cols: Columns, options: ColumnOptions): Shape {
  const taken = new Set<number>();
  const pick = (role: Role) => {
    const i = cols.option(options[ROLE_OPTION[role]], role) ?? cols.byName(ROLE_NAMES[role], taken);
    if (i === undefined) throw new ReadError(`no ${role} column found; ${cols.list()}`);
    taken.add(i);
    return cols.header[i];
  };
  return { kind: 'triplets', columns: { anchor: pick('anchor'), positive: pick('positive'), negative: pick('negative') } };
}

function labeledShape(cols: Columns, options: ColumnOptions): Shape {
  const text = cols.option(options.textColumn, 'text');
  const vector = cols.option(options.vectorColumn, 'vector');
  const features = options.featureColumns?.map((f) => cols.option(f, 'feature') as number);
  const given = new Set([text, vector, ...(features ?? [])].filter((i): i is number => i !== undefined));
  const label = cols.option(options.labelColumn, 'label') ?? cols.byName(LABEL_NAMES, given) ?? guessLabel(cols, given);
  if (label === undefined) throw new ReadError(`no label column found; ${cols.list()}`);
  const name = (i: number) => cols.header[i];
  const labeled = (input: 'text' | 'features' | 'vector', c: { text?: string; features?: string[]; vector?: string }): Shape =>
    ({ kind: 'labeled', input, columns: { label: name(label), ...c } });

  if (text !== undefined) return labeled('text', { text: name(text) });
  if (vector !== undefined) return labeled('vector', { vector: name(vector) });
  if (features) return labeled('features', { features: features.map(name) });

  const others = cols.indices().filter((i) => i !== label && cols.norm[i] !== cols.norm[label] && !cols.isId(i));
  const byName = cols.byName(TEXT_NAMES, new Set([label]));
  if (byName !== undefined) return labeled('text', { text: name(byName) });
  const vectors = others.filter((i) => cols.isVector(i));
  if (vectors.length > 0) {
    const v = vectors.find((i) => VECTOR_NAME.test(cols.norm[i])) ?? vectors[0];
    return labeled('vector', { vector: name(v) });
  }
  const strings = others.filter((i) => cols.present(i).length > 0 && !cols.isNumeric(i));
  if (strings.length > 0) {
    const longest = strings.reduce((a, b) => (cols.averageLength(b) > cols.averageLength(a) ? b : a));
    return labeled('text', { text: name(longest) });
  }
  const numeric = others.filter((i) => cols.isNumeric(i));
  if (numeric.length > 0) return labeled('features', { features: numeric.map(name) });
  throw new ReadError(`no text, vector or numeric feature column found; ${cols.list()}`);
}

/**
 * No column is named like a label: with two columns, the one with fewer distinct values; with
 * numeric features, the one column that is not numeric.
 */
function guessLabel(cols: Columns, given: Set<number>): number | undefined {
  const free = cols.indices().filter((i) => !given.has(i) && !cols.isId(i));
  if (given.size > 0 && free.length === 1) return free[0];
  if (cols.header.length === 2 && given.size === 0) {
    const [a, b] = [0, 1].map((i) => ({ i, d: cols.distinct(i), len: cols.averageLength(i) }));
    return a.d < b.d || (a.d === b.d && a.len <= b.len) ? a.i : b.i;
  }
  const nonNumeric = free.filter((i) => !cols.isNumeric(i));
  if (nonNumeric.length === 1 && free.length > 1) return nonNumeric[0];
  return undefined;
}

/** The header with per-column statistics over the sample rows. */
class Columns {
  readonly norm: string[];
  constructor(
    readonly header: string[],
    private readonly rows: unknown[][],
  ) {
    this.norm = header.map((h) => h.trim().toLowerCase());
  }

  indices(): number[] {
    return this.header.map((_, i) => i);
  }

  /** The columns for a message: at most LIST_COLUMNS of them (a header may have 100,000), each name cut short. */
  list(): string {
    const h = this.header;
    if (h.length === 0) return 'the file has no columns';
    const shown = h.slice(0, LIST_COLUMNS).map((name) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name));
    const more = h.length > LIST_COLUMNS ? ` and ${(h.length - LIST_COLUMNS).toLocaleString('en-US')} more` : '';
    const empty = h.filter((name) => name.trim() === '').length;
    const unnamed = empty ? ` (${empty} without a name: name every column in the header)` : '';
    return `the ${h.length.toLocaleString('en-US')} columns are: ${shown.join(', ')}${more}${unnamed}`;
  }

  /** The column an option names (exactly, else ignoring case and spaces); throws when there is none. */
  option(name: string | undefined, what: string): number | undefined {
    if (name === undefined) return undefined;
    let i = this.header.indexOf(name);
    if (i < 0) i = this.norm.indexOf(name.trim().toLowerCase());
    if (i < 0) throw new ReadError(`no column ${JSON.stringify(name)} (asked for as the ${what} column); ${this.list()}`);
    return i;
  }

  /** The first column named like one of `names`, in the order of `names`, skipping `taken`. */
  byName(names: string[], taken: Set<number>): number | undefined {
    for (const n of names) {
      const i = this.norm.findIndex((h, j) => h === n && !taken.has(j));
      if (i >= 0) return i;
    }
    return undefined;
  }

  /** Share of a column's sample values that are distinct: texts vary, labels repeat. */
  distinctShare(i: number): number {
    const n = this.present(i).length;
    return n ? this.distinct(i) / n : 0;
  }

  /** Whether the columns look like (anchor, positive) pairs (pairShape). */
  pairRoles(): boolean {
    const named = (names: string[]) => this.byName(names, new Set()) !== undefined;
    if (named(LABEL_NAMES) || named(ROLE_NAMES.negative)) return false;
    if (named(ROLE_NAMES.anchor.filter((r) => r.length > 1)) && named(ROLE_NAMES.positive.filter((r) => r.length > 1))) return true;
    const texts = this.indices().filter((i) => !ID_NAME.test(this.norm[i]) && this.present(i).length > 0 && !this.isNumeric(i));
    return this.header.length === 2 && texts.length === 2 &&
      texts.every((i) => this.distinct(i) > PAIR_MIN_DISTINCT && this.distinctShare(i) >= PAIR_DISTINCT_SHARE);
  }

  tripletRoles(): boolean {
    const taken = new Set<number>();
    return (['anchor', 'positive', 'negative'] as const).every((role) => {
      const i = this.byName(ROLE_NAMES[role], taken);
      if (i !== undefined) taken.add(i);
      return i !== undefined;
    });
  }

  /** A row identifier: named like one, or without a name and holding numbers (a written-out row index). */
  isId(i: number): boolean {
    return ID_NAME.test(this.norm[i]) || (NO_NAME.test(this.norm[i]) && this.isNumeric(i));
  }

  /** Non-missing sample values of column i. */
  present(i: number): unknown[] {
    return this.rows.map((r) => r[i]).filter((v) => !isMissing(v));
  }

  /**
   * At least 95% of the sample's values are numbers (a stray bad value is a bad row, not a text
   * column); NaN, infinities and overflowing numbers count as numbers here (they are bad rows of a
   * numeric column, not text).
   */
  isNumeric(i: number): boolean {
    const vs = this.present(i);
    let numbers = 0, finite = 0;
    for (const v of vs) {
      if (parseNumber(v) !== undefined) { numbers++; finite++; } else if (nonFinite(v)) numbers++;
    }
    return finite > 0 && numbers >= 0.95 * vs.length;
  }

  isVector(i: number): boolean {
    const vs = this.present(i);
    return vs.length > 0 && vs.every((v) => parseVector(v, Array.isArray(v) ? 1 : 2) !== undefined);
  }

  distinct(i: number): number {
    return new Set(this.present(i).map(String)).size;
  }

  averageLength(i: number): number {
    const vs = this.present(i);
    return vs.length === 0 ? 0 : vs.reduce((s: number, v) => s + String(v).length, 0) / vs.length;
  }
}

export function isMissing(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** Columns named in a message (the rest are counted). */
const LIST_COLUMNS = 20;

/** A value that is meant as a number but is not a finite one: NaN, ±Infinity / inf, "1e999". */
export function nonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v !== 'string') return false;
  const s = v.trim();
  return NOT_FINITE.test(s) || (NUMBER.test(s) && !Number.isFinite(Number(s)));
}

/** A finite number from a JSON number or a decimal string; undefined otherwise. */
export function parseNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (!NUMBER.test(s)) return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined; // "1e999" is Infinity
}

/**
 * A vector from a JSON array of numbers or a string such as "[0.1, 0.2]" or "0.1 0.2 0.3";
 * undefined when it is not one or has fewer than `minLength` numbers.
 */
export function parseVector(v: unknown, minLength = 1): Float32Array | undefined {
  let parts: unknown[];
  if (Array.isArray(v)) parts = v;
  else if (typeof v === 'string') {
    let s = v.trim();
    if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
    parts = s.split(/[\s,;]+/).filter((p) => p !== '');
  } else return undefined;
  if (parts.length < minLength) return undefined;
  const out = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const x = parseNumber(parts[i]);
    if (x === undefined) return undefined;
    out[i] = x;
  }
  return out;
}
