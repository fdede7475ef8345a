/**
 * A report re-scored at a margin and distance without rebuilding its rows. What the margin cannot
 * change (distances, the flags that do not follow it, the rows that have no triplet) is read into
 * typed columns once per report (`ReportColumns`); a re-score (`ScoredView`) is then one pass over
 * those columns writing category codes and flag bits, plus the summary counts: a millisecond or
 * two for 100,000 rows, where rebuilding every row object took hundreds. A row object, with its hinge
 * line, is made only for the rows something looks at (`row(i)`), or for all of them when a whole
 * report is wanted (`report()`, e.g. an export); both are exactly what rescoreReport gives.
 */
import { CATEGORY_NAMES, convertDistanceArray, fromEuclidean, toEuclidean, tripletLoss } from './categories';
import { flat } from './flat';
import type { AuditReport, Category, DistanceName, Flag, RowReport, Summary } from './types';
import { FLAGS } from './types';

export const HINGE_PREFIX = 'hinge: ';

/**
 * `v` rounded to 3 decimals as `(Math.round(v * 1000) / 1000).toString()` writes it, built from
 * the integer number of thousandths: a number with a fraction is several times slower to turn into
 * text, and the hinge line and the findings' messages write several per row. Below 10^12 the
 * shortest text of k/1000 is k/1000's own decimal digits (nearby multiples of 0.001 are distinct
 * doubles), which is what this writes; anything else goes through toString.
 */
export function round3(v: number): string {
  const k = Math.round(v * 1000);
  if (!(k > -1e15 && k < 1e15)) return (k / 1000).toString();
  const a = k < 0 ? -k : k;
  const whole = Math.floor(a / 1000), frac = a - whole * 1000;
  const sign = k < 0 ? '-' : '';
  if (frac === 0) return `${sign}${whole}`;
  // three digits, trailing zeros dropped
  const digits = frac < 10 ? `00${frac}` : frac < 100 ? `0${frac}` : `${frac}`;
  const end = digits.charCodeAt(2) !== 48 ? 3 : digits.charCodeAt(1) !== 48 ? 2 : 1;
  return `${sign}${whole}.${digits.slice(0, end)}`;
}

/** The evidence line that shows a row's hinge arithmetic at a margin. */
export function hingeLine(dAP: number, dAN: number, margin: number, loss: number, distance: DistanceName, category: Category): string {
  return flat(`${HINGE_PREFIX}L = max(d(a,p) - d(a,n) + m, 0) = max(${round3(dAP)} - ${round3(dAN)} + ${round3(margin)}, 0) = ${round3(loss)} (${distance}): ${category}`);
}

/** One bit per flag, in FLAGS order, so that a row's flag list is FLAGS filtered by its bits. */
export const FLAG_BIT: Readonly<Record<Flag, number>> = {
  mislabeled: 1, 'trivially-easy': 2, 'margin-violation': 4, 'near-duplicate': 8, invalid: 16, leak: 32, 'false-negative': 64,
};
/** Every combination of flag bits is below this. */
export const FLAG_COMBINATIONS = 128;
/** Category code of a row whose category is null (an invalid row). */
export const CATEGORY_NONE = 255;

/** Flag lists by bit set, built once: a row's list is a copy of one of these. */
const FLAG_LISTS: readonly (readonly Flag[])[] = Array.from({ length: FLAG_COMBINATIONS }, (_, bits) => FLAGS.filter((f) => (bits & FLAG_BIT[f]) !== 0));

export function flagBits(flags: readonly Flag[]): number {
  let bits = 0;
  for (const f of flags) bits |= FLAG_BIT[f];
  return bits;
}

export function flagList(bits: number): Flag[] {
  return FLAG_LISTS[bits].slice();
}

export function summarize(rows: readonly RowReport[]): Summary {
  const s: Summary = { easy: 0, semiHard: 0, hard: 0, mislabeled: 0, triviallyEasy: 0, marginViolation: 0, nearDuplicate: 0, invalid: 0 };
  for (const r of rows) {
    if (r.category === 'easy') s.easy++;
    else if (r.category === 'semi-hard') s.semiHard++;
    else if (r.category === 'hard') s.hard++;
    for (const f of r.flags) {
      if (f === 'mislabeled') s.mislabeled++;
      else if (f === 'trivially-easy') s.triviallyEasy++;
      else if (f === 'margin-violation') s.marginViolation++;
      else if (f === 'near-duplicate') s.nearDuplicate++;
      else if (f === 'false-negative') s.falseNegative = (s.falseNegative ?? 0) + 1;
      else if (f === 'leak') s.leak = (s.leak ?? 0) + 1;
      else s.invalid++;
    }
  }
  return s;
}

/**
 * The flag bits of a row that no margin or distance changes: mislabeled (from its suspicion, the
 * rule the engine applies), near-duplicate, leak and invalid. A row without both distances (invalid)
 * keeps every flag it has. The panel reads the same bits from the report as audited, so what it
 * shows does not depend on the host having re-scored the rows.
 */
export function fixedFlagBits(r: RowReport, labeled: boolean, suspicionThreshold: number): number {
  if (r.dAP === null || r.dAN === null) return flagBits(r.flags);
  let bits = 0;
  for (const f of r.flags) if (f === 'near-duplicate' || f === 'invalid' || f === 'leak' || f === 'false-negative') bits |= FLAG_BIT[f];
  // a false negative is its own kind of error, with its own fix, not a swap
  if (r.suspicion >= suspicionThreshold && (!labeled || r.suggestedLabel !== undefined) && !(bits & FLAG_BIT['false-negative'])) bits |= FLAG_BIT.mislabeled;
  return bits;
}

/** How a row's trivially-easy flag follows the margin (trivialRule). */
export const TRIVIAL_NEVER = 0, TRIVIAL_BY_GAP = 1, TRIVIAL_SCORED = 2;

/** The score at or above which an explicit triplet's negative counts as far easier than the file's usual ones. */
export const TRIVIAL_SCORE_MIN = 0.5;

/**
 * Labeled rows (no `trivial` score): trivially easy when easy by one more margin, d(a,p) + 2m <= d(a,n).
 * Explicit triplets with a score: when the score is at least TRIVIAL_SCORE_MIN (the negative is as
 * unrelated as the file's random negatives: far easier than its usual ones) and the encoder orders
 * the triplet right, d(a,p) < d(a,n); never below the score. Not at the margin: the encoder puts
 * only ~80% of random negatives easy at 0.2 (NLI copies), which capped the flag's recall at 0.55-0.66.
 */
export function trivialRule(r: Pick<RowReport, 'trivial'>): number {
  return r.trivial === undefined ? TRIVIAL_BY_GAP : r.trivial >= TRIVIAL_SCORE_MIN ? TRIVIAL_SCORED : TRIVIAL_NEVER;
}

/** isTriviallyEasy (categories.ts) with a row's rule. */
export function isTriviallyEasyRow(dAP: number, dAN: number, margin: number, rule: number): boolean {
  return rule === TRIVIAL_BY_GAP ? dAP + margin + margin <= dAN : rule === TRIVIAL_SCORED && dAP < dAN;
}

/** A distance stated in `from` expressed in `to` (exact for L2-normalised embeddings). */
export function distanceConverter(from: DistanceName, to: DistanceName): (d: number) => number {
  return (d) => fromEuclidean(toEuclidean(d, from), to);
}

/** One pass over a report's rows for ReportColumns, in as many steps as its reader likes. */
interface ColumnsReading {
  readonly distances: { dAP: Float64Array; dAN: Float64Array };
  /** Reads up to `count` more rows; whether any are left. */
  read(count: number): boolean;
  done(): Pick<ReportColumns, 'scored' | 'fixedFlags' | 'keptCategory' | 'fixedSummary' | 'scoredCount' | 'trivial'>;
}

/**
 * What no margin or distance changes, read from a report once. A row is re-scored when it has
 * both distances; a row without them (invalid) keeps its category and flags as the report has them.
 */
export class ReportColumns {
  readonly n: number;
  /** 1 where the row has both d(a,p) and d(a,n). */
  readonly scored: Uint8Array;
  readonly scoredCount: number;
  /** Flag bits that stay whatever the margin: mislabeled (from the suspicion), near-duplicate, invalid. Unscored rows: all their flags. */
  readonly fixedFlags: Uint8Array;
  /** Unscored rows: the category code they keep (CATEGORY_NONE for null). */
  readonly keptCategory: Uint8Array;
  /** The part of every summary that no margin changes: unscored rows whole, fixed flags of scored rows. */
  readonly fixedSummary: Readonly<Summary>;
  /** Per row, how its trivially-easy flag follows the margin (trivialRule). */
  readonly trivial: Uint8Array;
  /** d(a,p), d(a,n) in each distance asked for so far (the report's own first); NaN where null. */
  private readonly byDistance = new Map<DistanceName, { dAP: Float64Array; dAN: Float64Array }>();

  /** Reads the report's rows now, unless `reading` (of inTurns) has read them all already. */
  constructor(readonly report: AuditReport, reading = ReportColumns.reading(report)) {
    reading.read(Infinity);
    ({ scored: this.scored, fixedFlags: this.fixedFlags, keptCategory: this.keptCategory, fixedSummary: this.fixedSummary, scoredCount: this.scoredCount, trivial: this.trivial } = reading.done());
    this.n = report.rows.length;
    this.byDistance.set(report.settings.distance, reading.distances);
  }

  /**
   * The same columns, read `perTurn` rows at a time with `nextTurn` awaited in between: a large
   * report on the extension host's thread (100,000 freshly received rows took 20-40 ms at once).
   */
  static async inTurns(report: AuditReport, nextTurn: () => Promise<void>, perTurn = 20_000): Promise<ReportColumns> {
    const reading = ReportColumns.reading(report);
    while (reading.read(perTurn)) await nextTurn();
    return new ReportColumns(report, reading);
  }

  /** A pass over the rows, `read(count)` rows at a time (true while rows are left), then `done()`. */
  private static reading(report: AuditReport): ColumnsReading {
    const rows = report.rows, n = rows.length;
    const scored = new Uint8Array(n), fixedFlags = new Uint8Array(n), keptCategory = new Uint8Array(n).fill(CATEGORY_NONE), trivial = new Uint8Array(n);
    const distances = { dAP: new Float64Array(n), dAN: new Float64Array(n) };
    const labeled = report.kind === 'labeled', threshold = report.settings.suspicionThreshold;
    const unscored: RowReport[] = [];
    let mislabeled = 0, nearDuplicate = 0, invalid = 0, leak = 0, falseNegative = 0, i = 0;
    return {
      distances,
      read(count: number): boolean {
        for (const end = Math.min(n, i + count); i < end; i++) {
          const r = rows[i];
          distances.dAP[i] = r.dAP ?? NaN;
          distances.dAN[i] = r.dAN ?? NaN;
          const bits = fixedFlagBits(r, labeled, threshold);
          fixedFlags[i] = bits;
          if (r.dAP === null || r.dAN === null) {
            unscored.push(r);
            if (r.category !== null) keptCategory[i] = CATEGORY_NAMES.indexOf(r.category);
            continue;
          }
          scored[i] = 1;
          trivial[i] = trivialRule(r);
          if (bits & FLAG_BIT.mislabeled) mislabeled++;
          if (bits & FLAG_BIT['false-negative']) falseNegative++;
          if (bits & FLAG_BIT['near-duplicate']) nearDuplicate++;
          if (bits & FLAG_BIT.invalid) invalid++;
          if (bits & FLAG_BIT.leak) leak++;
        }
        return i < n;
      },
      done() {
        const fixedSummary = summarize(unscored);
        fixedSummary.mislabeled += mislabeled;
        fixedSummary.nearDuplicate += nearDuplicate;
        fixedSummary.invalid += invalid;
        if (leak > 0) fixedSummary.leak = (fixedSummary.leak ?? 0) + leak;
        if (falseNegative) fixedSummary.falseNegative = (fixedSummary.falseNegative ?? 0) + falseNegative;
        return { scored, fixedFlags, keptCategory, fixedSummary, scoredCount: n - unscored.length, trivial };
      },
    };
  }

  /** d(a,p) and d(a,n) of every row in `distance` (converted once, then cached); NaN where null. */
  distances(distance: DistanceName): { readonly dAP: Float64Array; readonly dAN: Float64Array } {
    let d = this.byDistance.get(distance);
    if (!d) {
      const from = this.report.settings.distance;
      const own = this.byDistance.get(from) as { dAP: Float64Array; dAN: Float64Array };
      const dAP = convertDistanceArray(own.dAP, from, distance), dAN = convertDistanceArray(own.dAN, from, distance);
      d = { dAP, dAN };
      this.byDistance.set(distance, d);
    }
    return d;
  }
}

/** A report at one margin and distance: category codes and flag bits per row, the summary, rows on demand. */
export class ScoredView {
  readonly margin: number;
  readonly distance: DistanceName;
  /** CATEGORY_EASY / SEMI_HARD / HARD, or CATEGORY_NONE, per row. */
  readonly category: Uint8Array;
  /** FLAG_BIT bits per row. */
  readonly flags: Uint8Array;
  readonly summary: Summary;
  /** d(a,p), d(a,n) per row in this view's distance; NaN where the row has none. */
  readonly dAP: Float64Array;
  readonly dAN: Float64Array;
  readonly settings: AuditReport['settings'];
  private whole: AuditReport | undefined;

  constructor(readonly columns: ReportColumns, margin: number, distance: DistanceName) {
    const n = columns.n;
    const { dAP, dAN } = columns.distances(distance);
    const { scored, fixedFlags, keptCategory, trivial } = columns;
    const category = new Uint8Array(n), flags = new Uint8Array(n);
    const MV = FLAG_BIT['margin-violation'], TE = FLAG_BIT['trivially-easy'];
    let easy = 0, hard = 0, triviallyEasy = 0;
    // categoryCode and isTriviallyEasyRow, written without branches: the distances are in no
    // order, so branches would be mispredicted about every other row (several times slower).
    // h, e, t are 0/1 and 0 on unscored rows; the test suite checks this against both.
    for (let i = 0; i < n; i++) {
      const p = dAP[i], q = dAN[i], s = scored[i], g = trivial[i];
      const h = +(q <= p) & s;
      const e = +(p + margin <= q) & (h ^ 1) & s;
      const t = ((+(p + margin + margin <= q) & g) | (+(p < q) & (g >> 1))) & s;
      category[i] = s ? (h << 1) | ((h | e) ^ 1) : keptCategory[i];
      flags[i] = fixedFlags[i] | ((e ^ 1) & s ? MV : 0) | (t ? TE : 0);
      easy += e; hard += h; triviallyEasy += t;
    }
    const fixed = columns.fixedSummary, marginViolation = columns.scoredCount - easy;
    this.summary = {
      easy: fixed.easy + easy, semiHard: fixed.semiHard + marginViolation - hard, hard: fixed.hard + hard,
      mislabeled: fixed.mislabeled, triviallyEasy: fixed.triviallyEasy + triviallyEasy,
      marginViolation: fixed.marginViolation + marginViolation, nearDuplicate: fixed.nearDuplicate, invalid: fixed.invalid,
    };
    if (fixed.falseNegative) this.summary.falseNegative = fixed.falseNegative;
    if (fixed.leak !== undefined) this.summary.leak = fixed.leak;
    this.margin = margin;
    this.distance = distance;
    this.category = category;
    this.flags = flags;
    this.dAP = dAP;
    this.dAN = dAN;
    this.settings = { ...columns.report.settings, margin, distance };
  }

  get n(): number { return this.columns.n; }

  /** Row i as a RowReport at this margin and distance, the same as rescoreReport's. */
  row(i: number): RowReport {
    const r = this.columns.report.rows[i];
    const from = this.columns.report.settings.distance, to = this.distance;
    const c = from === to ? undefined : distanceConverter(from, to);
    const neighbours = c ? r.neighbours.map((nb) => ({ ...nb, distance: c(nb.distance) })) : r.neighbours;
    if (this.columns.scored[i] === 0) {
      return c ? { ...r, dAP: r.dAP === null ? null : c(r.dAP), dAN: r.dAN === null ? null : c(r.dAN), neighbours } : r;
    }
    const dAP = this.dAP[i], dAN = this.dAN[i];
    const category = CATEGORY_NAMES[this.category[i]];
    const loss = tripletLoss(dAP, dAN, this.margin);
    const evidence: string[] = [];
    for (const e of r.evidence) if (!e.startsWith(HINGE_PREFIX)) evidence.push(e);
    evidence.push(hingeLine(dAP, dAN, this.margin, loss, this.distance, category));
    const out: RowReport = { ...r, dAP, dAN, neighbours, category, loss, flags: flagList(this.flags[i]), evidence };
    if (c && r.replacements) out.replacements = r.replacements.map((m) => ({ ...m, distance: c(m.distance) }));
    return out;
  }

  /** The whole report at this margin and distance (made once, then kept): rescoreReport's result. */
  report(): AuditReport {
    if (!this.whole) {
      const rows = new Array<RowReport>(this.n);
      for (let i = 0; i < rows.length; i++) rows[i] = this.row(i);
      this.whole = { ...this.columns.report, settings: this.settings, rows, summary: { ...this.summary } };
    }
    return this.whole;
  }

  /** The same report at another margin or distance, sharing the columns. */
  rescore(margin: number, distance: DistanceName): ScoredView {
    return margin === this.margin && distance === this.distance ? this : new ScoredView(this.columns, margin, distance);
  }
}
