/**
 * The report as the panel holds it: distances in typed arrays (only rows that have a triplet),
 * re-classified at the current margin with the core's `reclassify`, never re-implemented here.
 * The host sends the report as audited, so nothing here reads a row's category, loss, margin
 * flags or hinge line: they follow the panel's margin. The flags no margin changes come from the
 * core's rule (`fixedFlagBits`, as the host's re-scoring sets them), less those of reviewed rows.
 * No DOM: the components read from this and listen to its events.
 */
import {
  CATEGORY_EASY, CATEGORY_HARD, CATEGORY_NAMES, fromEuclidean, reclassify, toEuclidean, tripletLoss,
  type CategoryCounts,
} from '../src/core/categories';
import { FLAG_BIT, fixedFlagBits, HINGE_PREFIX, isTriviallyEasyRow, trivialRule } from '../src/core/scoredView';
import { FLAGS, type AuditReport, type DistanceName, type Flag, type RowReport } from '../src/core/types';
import { REVIEWED_EVIDENCE } from '../src/extension/logic/reviewed';
import { Emitter } from './emitter';

/** Category code of a row that has no triplet (an `invalid` row). */
export const CATEGORY_INVALID = 3;
/** The flags no margin changes (the others are worked out here at the panel's margin). */
const FIXED_MASK = FLAG_BIT.mislabeled | FLAG_BIT['near-duplicate'] | FLAG_BIT.invalid | FLAG_BIT.leak | FLAG_BIT['false-negative'];

export interface Counts extends CategoryCounts {
  marginViolation: number;
  mislabeled: number;
  nearDuplicate: number;
  invalid: number;
  falseNegative: number;
  /** Rows repeating a row of another file (multi-file audits). */
  leak: number;
}

export class AuditModel {
  readonly rows: readonly RowReport[];
  readonly n: number;
  /** Row position -> position among rows with a triplet, or -1. */
  readonly validPos: Int32Array;
  /** Position among valid rows -> row position. */
  readonly validRows: Uint32Array;
  /** Distances of the valid rows in the current distance; categories at the current margin. */
  dAP: Float64Array;
  dAN: Float64Array;
  readonly cat: Uint8Array;
  margin: number;
  distance: DistanceName;
  counts: Counts;
  /** Fired after every re-classification (margin or distance); `fromHost` marks outside changes. */
  readonly onChange = new Emitter<{ fromHost: boolean }>();
  private readonly rawAP: Float64Array;
  private readonly rawAN: Float64Array;
  /** Per row: the FLAG_BIT bits of the flags no margin changes, as audited (reviewed marks not applied). */
  private readonly audited: Uint8Array;
  /** The same with the reviewed marks applied: what the panel shows. */
  private readonly fixed: Uint8Array;
  private reviewedRows: ReadonlySet<number> = new Set();
  private staticCounts = { mislabeled: 0, nearDuplicate: 0, invalid: 0, leak: 0, falseNegative: 0 };
  /** Per valid row: how its trivially-easy flag follows the margin (scoredView.ts's trivialRule). */
  private readonly trivial: Uint8Array;

  /** `reviewed`: data-row numbers a person marked reviewed (shown without their data-error flags). */
  constructor(readonly report: AuditReport, readonly fileUri: string, public reportId: number, margin: number, distance: DistanceName,
    reviewed: Iterable<number> = []) {
    this.rows = report.rows;
    this.n = report.rows.length;
    this.validPos = new Int32Array(this.n).fill(-1);
    this.audited = new Uint8Array(this.n);
    this.fixed = new Uint8Array(this.n);
    const labeled = report.kind === 'labeled', threshold = report.settings.suspicionThreshold;
    const valid: number[] = [];
    for (let i = 0; i < this.n; i++) {
      const r = this.rows[i];
      if (hasTriplet(r)) { this.validPos[i] = valid.length; valid.push(i); }
      this.audited[i] = fixedFlagBits(r, labeled, threshold) & FIXED_MASK;
    }
    this.applyReviewed(new Set(reviewed));
    this.validRows = Uint32Array.from(valid);
    const m = valid.length;
    this.rawAP = new Float64Array(m);
    this.rawAN = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const r = this.rows[valid[j]];
      this.rawAP[j] = r.dAP as number;
      this.rawAN[j] = r.dAN as number;
    }
    this.trivial = Uint8Array.from(valid, (i) => trivialRule(this.rows[i]));
    this.dAP = this.rawAP;
    this.dAN = this.rawAN;
    this.cat = new Uint8Array(m);
    this.distance = report.settings.distance;
    this.margin = margin;
    this.counts = this.classify();
    this.setDistance(distance, margin, true);
  }

  /** A multi-file audit's files, or undefined for one file. */
  get files(): AuditReport['files'] { return this.report.files; }

  /** The file of row i (0 for a one-file report). */
  fileOf(i: number): number { return this.rows[i].file ?? 0; }

  /** A file's base name. */
  fileName(f: number): string {
    const path = this.report.files?.[f]?.path ?? this.report.file;
    return path.split(/[\\/]/).pop() ?? path;
  }

  /** Per file: the positions among valid rows (`dAP`, `cat`) of its rows with a triplet. */
  validByFile(): Uint32Array[] {
    const files = this.report.files?.length ?? 1;
    const lists: number[][] = Array.from({ length: files }, () => []);
    for (let j = 0; j < this.validRows.length; j++) lists[this.fileOf(this.validRows[j])]?.push(j);
    return lists.map((l) => Uint32Array.from(l));
  }

  /** Per file: rows and the counts at the current margin (what the split table shows). */
  fileCounts(): { rows: number; easy: number; semiHard: number; hard: number; mislabeled: number; leak: number; invalid: number }[] {
    const files = this.report.files?.length ?? 1;
    const out = Array.from({ length: files }, () => ({ rows: 0, easy: 0, semiHard: 0, hard: 0, mislabeled: 0, leak: 0, invalid: 0 }));
    for (let i = 0; i < this.n; i++) {
      const c = out[this.fileOf(i)];
      if (!c) continue;
      c.rows++;
      const cat = this.category(i);
      if (cat === CATEGORY_INVALID) c.invalid++;
      else if (cat === CATEGORY_EASY) c.easy++;
      else if (cat === CATEGORY_HARD) c.hard++;
      else c.semiHard++;
      if (this.fixed[i] & FLAG_BIT.mislabeled) c.mislabeled++;
      if (this.fixed[i] & FLAG_BIT.leak) c.leak++;
    }
    return out;
  }

  /** The distance the report's numbers were computed in. */
  get reportDistance(): DistanceName { return this.report.settings.distance; }

  get validCount(): number { return this.validRows.length; }

  /** Re-classifies every row at a new margin (the hot path: one pass, no allocation). */
  setMargin(margin: number, fromHost = false): void {
    if (!(margin > 0) || !Number.isFinite(margin)) return;
    this.margin = margin;
    this.counts = this.classify();
    this.onChange.fire({ fromHost });
  }

  /** Re-expresses the cached distances in another distance (exact for L2-normalised embeddings). */
  setDistance(distance: DistanceName, margin: number, fromHost = false): void {
    if (distance !== this.distance) {
      const from = this.reportDistance;
      if (distance === from) { this.dAP = this.rawAP; this.dAN = this.rawAN; }
      else {
        this.dAP = this.rawAP.map((d) => fromEuclidean(toEuclidean(d, from), distance));
        this.dAN = this.rawAN.map((d) => fromEuclidean(toEuclidean(d, from), distance));
      }
      this.distance = distance;
    }
    this.setMargin(margin, fromHost);
  }

  /** Converts a distance the report states (e.g. a neighbour's) into the current distance. */
  convert(d: number): number {
    return this.distance === this.reportDistance ? d : fromEuclidean(toEuclidean(d, this.reportDistance), this.distance);
  }

  /** Category code at the current margin, or CATEGORY_INVALID. */
  category(i: number): number {
    const j = this.validPos[i];
    return j < 0 ? CATEGORY_INVALID : this.cat[j];
  }

  categoryName(i: number): string {
    const c = this.category(i);
    return c === CATEGORY_INVALID ? 'invalid' : CATEGORY_NAMES[c];
  }

  /** d(a,p), d(a,n) of row i in the current distance, or undefined for an invalid row. */
  distances(i: number): { dAP: number; dAN: number } | undefined {
    const j = this.validPos[i];
    return j < 0 ? undefined : { dAP: this.dAP[j], dAN: this.dAN[j] };
  }

  loss(i: number): number | undefined {
    const d = this.distances(i);
    return d && tripletLoss(d.dAP, d.dAN, this.margin);
  }

  /** The row's flags at the current margin: the margin-dependent ones are recomputed. */
  flags(i: number): Flag[] {
    return FLAGS.filter((f) => this.hasFlag(i, f));
  }

  hasFlag(i: number, flag: Flag): boolean {
    const j = this.validPos[i];
    if (flag === 'trivially-easy') return j >= 0 && isTriviallyEasyRow(this.dAP[j], this.dAN[j], this.margin, this.trivial[j]);
    if (flag === 'margin-violation') return j >= 0 && this.cat[j] !== CATEGORY_EASY;
    return (this.fixed[i] & FLAG_BIT[flag]) !== 0;
  }

  isReviewed(i: number): boolean { return this.reviewedRows.has(this.rows[i].row); }

  /** Why the row was flagged, as the detail pane lists it: the evidence without the audit's hinge line (the pane shows its own, at the current margin). */
  evidence(i: number): string[] {
    const lines = this.rows[i].evidence.filter((e) => !e.startsWith(HINGE_PREFIX));
    if (this.isReviewed(i)) lines.push(REVIEWED_EVIDENCE);
    return lines;
  }

  /** New reviewed marks (data-row numbers); false when they are the ones in use. Listeners are not told: the caller redraws. */
  setReviewed(reviewed: Iterable<number>): boolean {
    const next = new Set(reviewed);
    if (next.size === this.reviewedRows.size && [...next].every((r) => this.reviewedRows.has(r))) return false;
    this.applyReviewed(next);
    this.counts = this.classify();
    return true;
  }

  /** Finds a row position by its data-row index. */
  positionOfRow(row: number): number {
    const r = this.rows[row];
    if (r && r.row === row) return row;
    return this.rows.findIndex((x) => x.row === row);
  }

  private applyReviewed(reviewed: ReadonlySet<number>): void {
    this.reviewedRows = reviewed;
    let mislabeled = 0, nearDuplicate = 0, invalid = 0, leak = 0, falseNegative = 0;
    for (let i = 0; i < this.n; i++) {
      // a reviewed row keeps only `invalid`, as the export's withoutReviewed leaves it
      const bits = reviewed.size && reviewed.has(this.rows[i].row) ? this.audited[i] & FLAG_BIT.invalid : this.audited[i];
      this.fixed[i] = bits;
      if (bits & FLAG_BIT.mislabeled) mislabeled++;
      if (bits & FLAG_BIT['near-duplicate']) nearDuplicate++;
      if (bits & FLAG_BIT.invalid) invalid++;
      if (bits & FLAG_BIT.leak) leak++;
      if (bits & FLAG_BIT['false-negative']) falseNegative++;
    }
    this.staticCounts = { mislabeled, nearDuplicate, invalid, leak, falseNegative };
  }

  private classify(): Counts {
    const c = reclassify(this.dAP, this.dAN, this.margin, this.cat, this.margin, this.trivial);
    // as the engine's rescore: every triplet that carries loss violates the margin
    return { ...c, marginViolation: c.semiHard + c.hard, ...this.staticCounts };
  }
}

export function hasTriplet(r: RowReport): boolean {
  return typeof r.dAP === 'number' && typeof r.dAN === 'number' && Number.isFinite(r.dAP) && Number.isFinite(r.dAN);
}
