/**
 * Refreshing flags after a label-only change, without re-training. The embeddings do not depend
 * on labels, so each changed row is re-judged against its cached nearest neighbours (the same
 * neighbours the audit found, their own votes excluded): the share of neighbours that carry the
 * new label gives the suspicion, the most common neighbour label the suggestion. Other rows keep
 * the engine's verdicts; only the labels they show for their neighbours are updated. Distances to
 * the nearest same-label and other-label rows (the row's triplet) stay as audited until the next
 * full audit.
 */
import type { AuditReport, RowReport } from '../../core/types';

export function neighbourVote(row: RowReport, label: string): { share: number; top: string; n: number } {
  const counts = new Map<string, number>();
  for (const nb of row.neighbours) counts.set(nb.label, (counts.get(nb.label) ?? 0) + 1);
  const n = row.neighbours.length;
  let top = label, best = counts.get(label) ?? 0;
  for (const [l, c] of counts) if (c > best) { top = l; best = c; }
  return { share: n ? (counts.get(label) ?? 0) / n : 1, top, n };
}

/** A new report with `changes` (index into report.rows → new label) applied. */
export function refreshLabels(report: AuditReport, changes: ReadonlyMap<number, string>): AuditReport {
  if (changes.size === 0) return report;
  const byRow = new Map<number, string>();
  for (const [i, label] of changes) byRow.set(report.rows[i].row, label);
  const threshold = report.settings.suspicionThreshold;
  const rows = report.rows.map((r, i): RowReport => {
    const touched = r.neighbours.some((nb) => byRow.has(nb.row));
    const neighbours = touched ? r.neighbours.map((nb) => (byRow.has(nb.row) ? { ...nb, label: byRow.get(nb.row) ?? nb.label } : nb)) : r.neighbours;
    const label = changes.get(i);
    if (label === undefined) return touched ? { ...r, neighbours } : r;
    const row: RowReport = { ...r, neighbours, label };
    const vote = neighbourVote(row, label);
    const suspicion = 1 - vote.share;
    const mislabeled = vote.n > 0 && vote.top !== label && suspicion >= threshold;
    row.suspicion = suspicion;
    row.suggestedLabel = mislabeled ? vote.top : undefined;
    row.flags = r.flags.filter((f) => f !== 'mislabeled');
    if (mislabeled) row.flags.unshift('mislabeled');
    const agree = Math.round(vote.share * vote.n);
    row.evidence = [
      `Relabeled "${r.label ?? ''}" → "${label}" after the audit; re-checked against the ${vote.n} cached nearest neighbours without re-training: ${agree} of ${vote.n} carry "${label}".`,
      ...(mislabeled ? [`Most neighbours carry "${vote.top}".`] : []),
      'd(a,p) and d(a,n) are from the audit before the relabel; re-audit to refresh them.',
    ];
    return row;
  });
  const labels = [...new Set([...report.labels, ...changes.values()])].sort();
  const mislabeledCount = rows.reduce((s, r) => s + (r.flags.includes('mislabeled') ? 1 : 0), 0);
  return { ...report, rows, labels, summary: { ...report.summary, mislabeled: mislabeledCount } };
}
