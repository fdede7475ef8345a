/**
 * Margin- and distance-dependent parts of the report: category, loss, the flags that follow the
 * margin, the hinge arithmetic and the summary. Re-scoring at a new margin or distance only
 * re-runs this on cached distances; nothing is re-trained. The work is done on typed columns
 * (scoredView.ts); rescoreReport builds every row object from them, for callers that want a whole
 * report. The extension host keeps the columns and builds rows only where it needs them.
 */
import { classify, isTriviallyEasy, tripletLoss } from './categories';
import { distanceConverter, FLAG_BIT, fixedFlagBits, flagList, HINGE_PREFIX, hingeLine, ReportColumns, ScoredView, summarize } from './scoredView';
import type { AuditReport, DistanceName, RowReport } from './types';

export { summarize };

interface Scoring { margin: number; distance: DistanceName; suspicionThreshold: number }

/** Sets category, loss, margin-dependent flags and the hinge line of a row whose distances are in `s.distance`. */
function applyVerdict(r: RowReport, s: Scoring, labeled: boolean): RowReport {
  if (r.dAP === null || r.dAN === null) return r;
  const category = classify(r.dAP, r.dAN, s.margin);
  const loss = tripletLoss(r.dAP, r.dAN, s.margin);
  // the flags no margin changes by the one rule ScoredView uses, then the margin's own
  let bits = fixedFlagBits(r, labeled, s.suspicionThreshold);
  if (category !== 'easy') bits |= FLAG_BIT['margin-violation'];
  if (isTriviallyEasy(r.dAP, r.dAN, s.margin)) bits |= FLAG_BIT['trivially-easy'];
  return {
    ...r, category, loss, flags: flagList(bits),
    evidence: [...r.evidence.filter((e) => !e.startsWith(HINGE_PREFIX)), hingeLine(r.dAP, r.dAN, s.margin, loss, s.distance, category)],
  };
}

function convertDistances(r: RowReport, from: DistanceName, to: DistanceName): RowReport {
  if (from === to) return r;
  const c = distanceConverter(from, to);
  return {
    ...r,
    dAP: r.dAP === null ? null : c(r.dAP),
    dAN: r.dAN === null ? null : c(r.dAN),
    neighbours: r.neighbours.map((nb) => ({ ...nb, distance: c(nb.distance) })),
  };
}

/**
 * Rows from the engine carry Euclidean distances; this converts them and sets every verdict, in
 * place: the rows are the engine's own, and 1,000,000 of them are ~1.5 GB of objects that a copy
 * would double.
 */
export function buildRowVerdicts(rows: RowReport[], s: Scoring): RowReport[] {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (s.distance !== 'euclidean') Object.assign(r, convertDistances(r, 'euclidean', s.distance));
    const v = applyVerdict(r, s, r.label !== undefined);
    if (v !== r) { r.category = v.category; r.loss = v.loss; r.flags = v.flags; r.evidence = v.evidence; }
  }
  return rows;
}

/** The report at a new margin and distance, from its cached distances (no re-training). */
export function rescoreReport(report: AuditReport, margin: number, distance: DistanceName): AuditReport {
  return new ScoredView(new ReportColumns(report), margin, distance).report();
}
