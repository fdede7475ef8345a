/**
 * The panel's row model as it was before the host sent reports as audited (webview/model.ts at
 * commit ca8d473), kept verbatim but for its imports: it read the static flags and the evidence
 * from rows the host had re-scored (and stripped of reviewed rows' flags). The oracle that
 * test/unit/panel-model.test.ts compares the new model with. Not used by the product. Issue 13's
 * rules written in plainly: the false-negative count, and a scored triplet's trivially-easy flag
 * (its score and d(a,p) < d(a,n), not the second margin).
 */
import {
  CATEGORY_EASY, CATEGORY_NAMES, fromEuclidean, isTriviallyEasy, reclassify, toEuclidean, tripletLoss,
  type CategoryCounts,
} from '../../src/core/categories';
import { FLAGS, type AuditReport, type DistanceName, type Flag, type RowReport } from '../../src/core/types';
import { Emitter } from '../../webview/emitter';

/** Category code of a row that has no triplet (an `invalid` row). */
const CATEGORY_INVALID = 3;
const MARGIN_FLAGS: readonly Flag[] = ['trivially-easy', 'margin-violation'];

interface Counts extends CategoryCounts {
  marginViolation: number;
  mislabeled: number;
  nearDuplicate: number;
  invalid: number;
  falseNegative: number;
}

export class AuditModelBefore {
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
  private readonly staticCounts: { mislabeled: number; nearDuplicate: number; invalid: number; falseNegative: number };

  constructor(readonly report: AuditReport, readonly fileUri: string, public reportId: number, margin: number, distance: DistanceName) {
    this.rows = report.rows;
    this.n = report.rows.length;
    this.validPos = new Int32Array(this.n).fill(-1);
    const valid: number[] = [];
    let mislabeled = 0, nearDuplicate = 0, invalid = 0, falseNegative = 0;
    for (let i = 0; i < this.n; i++) {
      const r = this.rows[i];
      if (hasTriplet(r)) { this.validPos[i] = valid.length; valid.push(i); }
      if (r.flags.includes('mislabeled')) mislabeled++;
      if (r.flags.includes('near-duplicate')) nearDuplicate++;
      if (r.flags.includes('invalid')) invalid++;
      if (r.flags.includes('false-negative')) falseNegative++;
    }
    this.staticCounts = { mislabeled, nearDuplicate, invalid, falseNegative };
    this.validRows = Uint32Array.from(valid);
    const m = valid.length;
    this.rawAP = new Float64Array(m);
    this.rawAN = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const r = this.rows[valid[j]];
      this.rawAP[j] = r.dAP as number;
      this.rawAN[j] = r.dAN as number;
    }
    this.dAP = this.rawAP;
    this.dAN = this.rawAN;
    this.cat = new Uint8Array(m);
    this.distance = report.settings.distance;
    this.margin = margin;
    this.counts = this.classify();
    this.setDistance(distance, margin, true);
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
    const t = this.rows[i].trivial;
    if (flag === 'trivially-easy') return j >= 0 && (t === undefined ? isTriviallyEasy(this.dAP[j], this.dAN[j], this.margin) : t >= 0.5 && this.dAP[j] < this.dAN[j]);
    if (flag === 'margin-violation') return j >= 0 && this.cat[j] !== CATEGORY_EASY;
    return !MARGIN_FLAGS.includes(flag) && this.rows[i].flags.includes(flag);
  }

  /** Finds a row position by its data-row index. */
  positionOfRow(row: number): number {
    const r = this.rows[row];
    if (r && r.row === row) return row;
    return this.rows.findIndex((x) => x.row === row);
  }

  private classify(): Counts {
    const c = reclassify(this.dAP, this.dAN, this.margin, this.cat);
    c.triviallyEasy = 0;
    for (let j = 0; j < this.validRows.length; j++) if (this.hasFlag(this.validRows[j], 'trivially-easy')) c.triviallyEasy++;
    // as the engine's rescore: every triplet that carries loss violates the margin
    return { ...c, marginViolation: c.semiHard + c.hard, ...this.staticCounts };
  }
}

function hasTriplet(r: RowReport): boolean {
  return typeof r.dAP === 'number' && typeof r.dAN === 'number' && Number.isFinite(r.dAP) && Number.isFinite(r.dAN);
}
