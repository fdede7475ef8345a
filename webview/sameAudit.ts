/**
 * Whether a report the host sends is the one on show: the same audit again (a re-audit that found
 * the same, or the same rows stated at another margin or distance). Then the panel keeps its
 * components and only moves the margin and the reviewed marks, so a drag in progress is not
 * interrupted.
 */
import { toEuclidean } from '../src/core/categories';
import type { AuditReport, DistanceName, Flag, RowReport } from '../src/core/types';

const STATIC_FLAGS: readonly Flag[] = ['mislabeled', 'near-duplicate', 'invalid', 'leak', 'false-negative'];

function close(a: number | null, da: DistanceName, b: number | null, db: DistanceName): boolean {
  if (a === null || b === null) return a === b;
  const x = toEuclidean(a, da), y = toEuclidean(b, db);
  return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
}

function sameRow(x: RowReport, y: RowReport): boolean {
  return x.row === y.row && x.file === y.file && x.line === y.line && x.endLine === y.endLine && x.label === y.label
    && x.suggestedLabel === y.suggestedLabel && x.suggestedFix === y.suggestedFix && x.suspicion === y.suspicion
    && x.text === y.text && x.anchor === y.anchor && x.positive === y.positive && x.negative === y.negative
    && x.trivial === y.trivial && x.falseNegative === y.falseNegative
    && STATIC_FLAGS.every((f) => x.flags.includes(f) === y.flags.includes(f));
}

export function sameAudit(a: AuditReport, b: AuditReport): boolean {
  if (a.kind !== b.kind || a.rows.length !== b.rows.length || a.file !== b.file) return false;
  if (a.labels.join('\u0000') !== b.labels.join('\u0000') || a.model.description !== b.model.description) return false;
  const da = a.settings.distance, db = b.settings.distance;
  for (let i = 0; i < a.rows.length; i++) {
    const x = a.rows[i], y = b.rows[i];
    if (!sameRow(x, y) || !close(x.dAP, da, y.dAP, db) || !close(x.dAN, da, y.dAN, db)) return false;
  }
  return true;
}
