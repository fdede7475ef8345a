/**
 * The findings of a re-scored report without building them: which kinds each row raises, as bits
 * in a typed array, with their counts, in one pass over the view's category codes and flag bits.
 * A Finding, with its message, is made only when something shows it: the Problems panel (at most
 * the few hundred VS Code keeps per file, see `forProblems`), a hover, a quick fix. Everything it
 * gives is what `findings()` / `countFindings()` / `findingStops()` give on the whole report.
 */
import { CATEGORY_EASY, CATEGORY_HARD, CATEGORY_SEMI_HARD } from '../../core/categories';
import { FLAG_BIT, FLAG_COMBINATIONS, type ScoredView } from '../../core/scoredView';
import {
  FINDING_ORDER, findingMessage, rowRange, type Finding, type FindingCounts, type FindingKind, type SeverityName, type SeveritySettings,
} from './findings';

/** One bit per kind, in FINDING_ORDER order, so that a row's findings come out in that order. */
const KIND_BIT: Readonly<Record<FindingKind, number>> = { invalid: 1, leak: 2, mislabeled: 4, 'false-negative': 8, hard: 16, 'near-duplicate': 32, 'trivially-easy': 64 };

/** A row's key: its flag bits (7) and its category code's low 2 bits (CATEGORY_NONE → 3). */
const KEYS = FLAG_COMBINATIONS * 4;
const key = (flags: number, category: number): number => (flags << 2) | (category & 3);

/** The kinds a row with this key raises, before severities and reviewed marks. */
function raisedBy(k: number): number {
  const flags = k >> 2, category = k & 3;
  let bits = 0;
  if (flags & FLAG_BIT.invalid) bits |= KIND_BIT.invalid;
  if (flags & FLAG_BIT.leak) bits |= KIND_BIT.leak;
  if (flags & FLAG_BIT.mislabeled) bits |= KIND_BIT.mislabeled;
  if (flags & FLAG_BIT['false-negative']) bits |= KIND_BIT['false-negative'];
  if (category === CATEGORY_HARD) bits |= KIND_BIT.hard;
  if (flags & FLAG_BIT['near-duplicate']) bits |= KIND_BIT['near-duplicate'];
  if (flags & FLAG_BIT['trivially-easy']) bits |= KIND_BIT['trivially-easy'];
  return bits;
}

const SEVERITY_ORDER: readonly Exclude<SeverityName, 'off'>[] = ['error', 'warning', 'information', 'hint'];

export interface ProblemsSelection {
  /** The findings to show, in row order. */
  shown: Finding[];
  /** How many of each kind are left out. */
  omitted: Record<FindingKind, number>;
  omittedTotal: number;
}

export interface Stop { row: number; startLine: number; endLine: number }

export class FindingTable {
  /** Per row: the kinds of finding it raises (KIND_BIT bits), after severities and reviewed marks. */
  readonly kinds: Uint8Array;
  readonly total: number;
  readonly byKind: Readonly<Record<FindingKind, number>>;
  /** The status bar's counts (countFindings). */
  readonly counts: Readonly<FindingCounts>;
  private stopList: readonly Stop[] | undefined;

  constructor(readonly view: ScoredView, reviewed: ReadonlySet<number>, readonly severities: SeveritySettings,
    index: ReadonlyMap<number, number>) {
    const n = view.n;
    const on = FINDING_ORDER.reduce((b, k) => (severities[k] === 'off' ? b : b | KIND_BIT[k]), 0);
    const table = new Uint8Array(KEYS);
    for (let k = 0; k < KEYS; k++) table[k] = raisedBy(k) & on;
    const isReviewed = new Uint8Array(n);
    for (const row of reviewed) {
      const i = index.get(row);
      if (i !== undefined) isReviewed[i] = 1;
    }
    // rows by key, reviewed rows apart: every count below follows from these two histograms
    const open = new Uint32Array(KEYS), marked = new Uint32Array(KEYS);
    const kinds = new Uint8Array(n);
    const { flags, category } = view;
    for (let i = 0; i < n; i++) {
      const k = key(flags[i], category[i]);
      if (isReviewed[i] === 0) { kinds[i] = table[k]; open[k]++; continue; }
      // a reviewed row raises nothing, unless it is invalid (a mark cannot make it usable)
      kinds[i] = flags[i] & FLAG_BIT.invalid ? table[k] : 0;
      marked[k]++;
    }
    this.kinds = kinds;
    const byKind: Record<FindingKind, number> = { invalid: 0, leak: 0, mislabeled: 0, 'false-negative': 0, hard: 0, 'near-duplicate': 0, 'trivially-easy': 0 };
    const c: FindingCounts = { mislabeled: 0, hard: 0, semiHard: 0, easy: 0, triviallyEasy: 0, nearDuplicate: 0, invalid: 0, reviewed: 0, leak: 0, falseNegative: 0 };
    for (let k = 0; k < KEYS; k++) {
      const m = open[k], r = marked[k];
      if (m + r === 0) continue;
      const f = k >> 2, cat = k & 3;
      const raising = f & FLAG_BIT.invalid ? m + r : m;
      for (const kind of FINDING_ORDER) if (table[k] & KIND_BIT[kind]) byKind[kind] += raising;
      if (f & FLAG_BIT.invalid) { c.invalid += m + r; continue; }
      c.reviewed += r;
      if (cat === CATEGORY_HARD) c.hard += m;
      else if (cat === CATEGORY_SEMI_HARD) c.semiHard += m;
      else if (cat === CATEGORY_EASY) c.easy += m;
      if (f & FLAG_BIT.mislabeled) c.mislabeled += m;
      if (f & FLAG_BIT['trivially-easy']) c.triviallyEasy += m;
      if (f & FLAG_BIT['near-duplicate']) c.nearDuplicate += m;
      if (f & FLAG_BIT.leak) c.leak += m;
      if (f & FLAG_BIT['false-negative']) c.falseNegative += m;
    }
    this.byKind = byKind;
    this.counts = c;
    this.total = FINDING_ORDER.reduce((s, k) => s + byKind[k], 0);
  }

  /** Whether row i (an index into the report's rows) raises at least one finding. */
  flagged(i: number): boolean { return this.kinds[i] !== 0; }

  /** Row i's findings, in FINDING_ORDER. */
  rowFindings(i: number): Finding[] {
    const bits = this.kinds[i];
    const out: Finding[] = [];
    if (bits === 0) return out;
    const r = this.view.row(i);
    for (const kind of FINDING_ORDER) {
      if ((bits & KIND_BIT[kind]) === 0) continue;
      out.push({ kind, row: r.row, ...rowRange(r), severity: this.severities[kind] as Finding['severity'], message: findingMessage(r, kind, this.view.settings) });
    }
    return out;
  }

  /** Every finding, in row order (what `findings()` gives on the whole report). Costly on big reports. */
  all(): Finding[] {
    const out: Finding[] = [];
    for (let i = 0; i < this.kinds.length; i++) if (this.kinds[i] !== 0) out.push(...this.rowFindings(i));
    return out;
  }

  /** Rows that raise a finding other than trivially-easy, sorted by line: the stops of next/previous suspicious row (made once). */
  stops(): readonly Stop[] {
    this.stopList ??= this.makeStops();
    return this.stopList;
  }

  private makeStops(): Stop[] {
    const rows = this.view.columns.report.rows;
    const out: Stop[] = [];
    for (let i = 0; i < this.kinds.length; i++) {
      if ((this.kinds[i] & ~KIND_BIT['trivially-easy']) === 0) continue;
      const r = rows[i];
      out.push({ row: r.row, ...rowRange(r) });
    }
    return out.sort((a, b) => a.startLine - b.startLine || a.row - b.row);
  }

  /**
   * At most `limit` findings, the ones VS Code itself would keep when a file has more than it
   * shows (the most severe first, then in row order), and what is left out. VS Code passes at
   * most 1,000 diagnostics per file to the Problems panel and drops the rest after they are built,
   * so building more than that is work nobody sees.
   */
  forProblems(limit: number): ProblemsSelection {
    // how many of each severity VS Code would keep: all errors, then warnings, ... until `limit`
    const quota = new Map<Finding['severity'], number>();
    let left = limit;
    for (const s of SEVERITY_ORDER) {
      const have = FINDING_ORDER.reduce((sum, k) => (this.severities[k] === s ? sum + this.byKind[k] : sum), 0);
      quota.set(s, Math.min(have, left));
      left -= quota.get(s) as number;
    }
    // kinds whose severity still has room: rows raising none of them are skipped at the cost of one test
    const severityOf = (k: FindingKind) => this.severities[k] as Finding['severity'];
    let open = FINDING_ORDER.reduce((m, k) => (this.severities[k] !== 'off' && (quota.get(severityOf(k)) ?? 0) > 0 ? m | KIND_BIT[k] : m), 0);
    const shown: Finding[] = [];
    const omitted = { ...this.byKind };
    const kinds = this.kinds;
    for (let i = 0; i < kinds.length && open !== 0; i++) {
      const bits = kinds[i] & open;
      if (bits === 0) continue;
      const r = this.view.row(i);
      for (const kind of FINDING_ORDER) {
        if ((bits & KIND_BIT[kind]) === 0) continue;
        const s = severityOf(kind);
        const q = quota.get(s) as number;
        if (q === 0) continue;
        shown.push({ kind, row: r.row, ...rowRange(r), severity: s, message: findingMessage(r, kind, this.view.settings) });
        omitted[kind]--;
        quota.set(s, q - 1);
        if (q === 1) for (const k of FINDING_ORDER) if (severityOf(k) === s) open &= ~KIND_BIT[k];
      }
    }
    return { shown, omitted, omittedTotal: this.total - shown.length };
  }
}

const KIND_NAMES: Readonly<Record<FindingKind, string>> = {
  invalid: 'invalid', leak: 'leaks between files', mislabeled: 'suspected mislabels', hard: 'hard', 'near-duplicate': 'near-duplicates', 'trivially-easy': 'trivially easy',
  'false-negative': 'false negatives',
};

/** The line that stands in the Problems panel for the findings `forProblems` left out. */
export function omittedMessage(sel: ProblemsSelection, settings: { margin: number; distance: string }, perFile: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = FINDING_ORDER.filter((k) => sel.omitted[k] > 0).map((k) => `${n(sel.omitted[k])} ${KIND_NAMES[k]}`);
  return `${n(sel.omittedTotal)} more findings at margin ${settings.margin} (${settings.distance}) are not listed here: ` +
    `VS Code lists at most ${n(perFile)} problems per file, the most severe first. Not listed: ${parts.join(', ')}. ` +
    'Open the audit panel (Triplet Audit: Open Audit Panel) to see and filter every row; Go to Next Suspicious Row visits them all.';
}
