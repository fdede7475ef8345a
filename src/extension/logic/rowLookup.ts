/** Finding report rows by editor line (rows are in file order, so their lines are sorted). */
import type { RowReport } from '../../core/types';

/** Indexes into `rows` of the rows that overlap 0-based editor lines [startLine, endLine]. */
export function rowsInLines(rows: readonly Pick<RowReport, 'line' | 'endLine'>[], startLine: number, endLine: number): number[] {
  const lo1 = startLine + 1, hi1 = endLine + 1;
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].endLine < lo1) lo = mid + 1; else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < rows.length && rows[i].line <= hi1; i++) if (rows[i].endLine >= lo1) out.push(i);
  return out;
}

/** row number → index into rows. */
export function rowIndex(rows: readonly Pick<RowReport, 'row'>[]): Map<number, number> {
  const m = new Map<number, number>();
  rows.forEach((r, i) => m.set(r.row, i));
  return m;
}
