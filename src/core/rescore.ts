/**
 * Margin- and distance-dependent parts of the report: category, loss, the flags that follow the
 * margin, the hinge arithmetic and the summary. Re-scoring at a new margin or distance only
 * re-runs this on cached distances; nothing is re-trained. The work is done on typed columns
 * (scoredView.ts); rescoreReport builds every row object from them, for callers that want a whole
 * report. The extension host keeps the columns and builds rows only where it needs them.
 */
import { classify, tripletLoss } from './categories';
import { distanceConverter, FLAG_BIT, fixedFlagBits, flagList, HINGE_PREFIX, hingeLine, isTriviallyEasyRow, ReportColumns, ScoredView, summarize, trivialRule } from './scoredView';
import type { AuditReport, DistanceName, RowReport } from './types';

export { summarize };

interface Scoring { margin: number; distance: DistanceName; suspicionThreshold: number }

/**
 * Rows from the engine carry Euclidean distances; this converts them and sets every verdict
 * (category, loss, the flags that follow the margin, the hinge line), in place: the rows are the
 * engine's own, and 1,000,000 of them are ~1.5 GB of objects that a copy, even one row at a time,
 * would add to (as garbage made faster than it is collected).
 */
export function buildRowVerdicts(rows: RowReport[], s: Scoring): RowReport[] {
  const convert = s.distance !== 'euclidean' ? distanceConverter('euclidean', s.distance) : undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.dAP === null || r.dAN === null) continue;
    if (convert) {
      r.dAP = convert(r.dAP); r.dAN = convert(r.dAN);
      for (const nb of r.neighbours) nb.distance = convert(nb.distance);
      if (r.replacements) for (const c of r.replacements) c.distance = convert(c.distance);
    }
    const category = classify(r.dAP, r.dAN, s.margin);
    const loss = tripletLoss(r.dAP, r.dAN, s.margin);
    // the flags no margin changes by the one rule ScoredView uses, then the margin's own
    let bits = fixedFlagBits(r, r.label !== undefined, s.suspicionThreshold);
    if (category !== 'easy') bits |= FLAG_BIT['margin-violation'];
    if (isTriviallyEasyRow(r.dAP, r.dAN, s.margin, trivialRule(r))) bits |= FLAG_BIT['trivially-easy'];
    r.category = category; r.loss = loss; r.flags = flagList(bits);
    const hinge = r.evidence.findIndex((e) => e.startsWith(HINGE_PREFIX));
    if (hinge >= 0) r.evidence.splice(hinge, 1);
    r.evidence.push(hingeLine(r.dAP, r.dAN, s.margin, loss, s.distance, category));
  }
  return rows;
}

/** The report at a new margin and distance, from its cached distances (no re-training). */
export function rescoreReport(report: AuditReport, margin: number, distance: DistanceName): AuditReport {
  return new ScoredView(new ReportColumns(report), margin, distance).report();
}
