/** What the core computes, in Node, for the report the panel shows: the tests' ground truth. */
import { fromEuclidean, reclassify, toEuclidean, type CategoryCounts } from '../../src/core/categories';
import type { AuditReport, DistanceName } from '../../src/core/types';

export interface CoreClassification extends CategoryCounts {
  /** Category codes of the rows that have a triplet, in report order. */
  codes: Uint8Array;
  rows: number[];
}

/** `reclassify` on the report's cached distances (re-expressed in `distance`) at `margin`. */
export function coreReclassify(report: AuditReport, margin: number, distance: DistanceName): CoreClassification {
  const valid = report.rows.filter((r) => typeof r.dAP === 'number' && typeof r.dAN === 'number');
  const from = report.settings.distance;
  const conv = (d: number) => (distance === from ? d : fromEuclidean(toEuclidean(d, from), distance));
  const dAP = Float64Array.from(valid, (r) => conv(r.dAP as number));
  const dAN = Float64Array.from(valid, (r) => conv(r.dAN as number));
  const codes = new Uint8Array(valid.length);
  const counts = reclassify(dAP, dAN, margin, codes);
  return { ...counts, codes, rows: valid.map((r) => r.row) };
}
