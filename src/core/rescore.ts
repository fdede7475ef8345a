/**
 * Margin- and distance-dependent parts of the report: category, loss, the flags that follow the
 * margin, the hinge arithmetic and the summary. Re-scoring at a new margin or distance only
 * re-runs this on cached distances; nothing is re-trained.
 */
import { classify, fromEuclidean, isTriviallyEasy, toEuclidean, tripletLoss } from './categories';
import type { AuditReport, DistanceName, Flag, RowReport, Summary } from './types';
import { FLAGS } from './types';

const HINGE = 'hinge: ';
const f3 = (v: number) => (Math.round(v * 1000) / 1000).toString();

interface Scoring { margin: number; distance: DistanceName; suspicionThreshold: number }

/** Sets category, loss, margin-dependent flags and the hinge line of a row whose distances are in `s.distance`. */
function applyVerdict(r: RowReport, s: Scoring, labeled: boolean): RowReport {
  if (r.dAP === null || r.dAN === null) return r;
  const category = classify(r.dAP, r.dAN, s.margin);
  const loss = tripletLoss(r.dAP, r.dAN, s.margin);
  const flags = new Set<Flag>(r.flags.filter((f) => f === 'near-duplicate' || f === 'invalid'));
  if (r.suspicion >= s.suspicionThreshold && (!labeled || r.suggestedLabel !== undefined)) flags.add('mislabeled');
  if (category !== 'easy') flags.add('margin-violation');
  if (isTriviallyEasy(r.dAP, r.dAN, s.margin)) flags.add('trivially-easy');
  const hinge = `${HINGE}L = max(d(a,p) - d(a,n) + m, 0) = max(${f3(r.dAP)} - ${f3(r.dAN)} + ${f3(s.margin)}, 0) = ${f3(loss)} (${s.distance}): ${category}`;
  return {
    ...r, category, loss, flags: FLAGS.filter((f) => flags.has(f)),
    evidence: [...r.evidence.filter((e) => !e.startsWith(HINGE)), hinge],
  };
}

function convertDistances(r: RowReport, from: DistanceName, to: DistanceName): RowReport {
  if (from === to) return r;
  const c = (d: number) => fromEuclidean(toEuclidean(d, from), to);
  return {
    ...r,
    dAP: r.dAP === null ? null : c(r.dAP),
    dAN: r.dAN === null ? null : c(r.dAN),
    neighbours: r.neighbours.map((nb) => ({ ...nb, distance: c(nb.distance) })),
  };
}

/** Rows from the engine carry Euclidean distances; this converts them and sets every verdict. */
export function buildRowVerdicts(rows: RowReport[], s: Scoring): RowReport[] {
  return rows.map((r) => applyVerdict(convertDistances(r, 'euclidean', s.distance), s, r.label !== undefined));
}

/** The report at a new margin and distance, from its cached distances (no re-training). */
export function rescoreReport(report: AuditReport, margin: number, distance: DistanceName): AuditReport {
  const s: Scoring = { margin, distance, suspicionThreshold: report.settings.suspicionThreshold };
  const rows = report.rows.map((r) => applyVerdict(convertDistances(r, report.settings.distance, distance), s, report.kind === 'labeled'));
  return { ...report, settings: { ...report.settings, margin, distance }, rows, summary: summarize(rows) };
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
      else s.invalid++;
    }
  }
  return s;
}
