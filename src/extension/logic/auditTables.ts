/**
 * What an installed audit keeps that no setting changes: the report's columns (read once; every
 * re-score reuses them), the row index and the reviewed rows, made over several turns of the event
 * loop: on a freshly received 100,000-row report the columns took 20-40 ms and the index 11-20 ms,
 * and made at once with the findings they held the extension host up for ~70 ms (npm run
 * bench:host-audit).
 */
import { ReportColumns } from '../../core/scoredView';
import type { AuditReport } from '../../core/types';
import { reviewedRows } from './reviewed';
import type { RowDigest } from './rowDigest';
import { rowIndex } from './rowLookup';

export interface AuditTables {
  columns: ReportColumns;
  /** row number → index into the report's rows (and the digest's). */
  index: Map<number, number>;
  /** Row numbers marked reviewed. */
  reviewed: Set<number>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function auditTables(report: AuditReport, digestRows: readonly RowDigest[], reviewedHashes: ReadonlySet<string>): Promise<AuditTables> {
  const columns = await ReportColumns.inTurns(report, nextTurn);
  await nextTurn();
  const index = rowIndex(report.rows);
  const reviewed = reviewedRows(report.rows, digestRows, reviewedHashes);
  await nextTurn();
  return { columns, index, reviewed };
}
