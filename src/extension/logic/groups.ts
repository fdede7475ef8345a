/**
 * A multi-file audit on the host: one report for all the files (rows numbered one after the other,
 * each with its `file`), shown per file. Each file gets the report of its own rows (the rows keep
 * their numbers, so that a neighbour, a positive or a leak in another file keeps pointing at the
 * right row) and its own digest, so that its diagnostics, hovers, quick fixes and reviewed marks
 * work as for a file audited alone. Pure: no `vscode`.
 */
import { summarize } from '../../core/scoredView';
import type { AuditReport, ReportFile, RowReport } from '../../core/types';
import type { FileDigest, FileDigestHead } from './rowDigest';

/** The report of file `i` of a multi-file report: its rows (same objects, same numbers), problems and counts. */
export function fileReport(report: AuditReport, i: number): AuditReport {
  const files = report.files;
  if (!files || !files[i]) throw new RangeError(`the report has no file ${i}`);
  const f = files[i];
  const rows = report.rows.slice(f.firstRow, f.firstRow + f.rows);
  const out: AuditReport = {
    ...report, file: f.path, format: f.format, columns: f.columns, rowCount: f.rows, rows,
    summary: summarize(rows), problems: report.problems.filter((p) => p.file === i),
  };
  // the map and the embeddings are the group's (the panel shows the whole report)
  delete out.map;
  delete out.embedding;
  return out;
}

/** File `i`'s digest from a multi-file digest (rows parallel to the whole report's). */
export function fileDigest(digest: FileDigest, files: readonly ReportFile[], i: number): FileDigest {
  const head: FileDigestHead | undefined = digest.files?.[i];
  if (!head) throw new RangeError(`the digest has no file ${i}`);
  const f = files[i];
  return { ...head, rows: digest.rows.slice(f.firstRow, f.firstRow + f.rows) };
}

/** "train.jsonl line 57" for a row of the whole report; undefined when there is no such row. */
export function rowPlace(report: AuditReport, row: number): { file: number; line: number; name: string } | undefined {
  const r: RowReport | undefined = report.rows[row]?.row === row ? report.rows[row] : report.rows.find((x) => x.row === row);
  if (!r) return undefined;
  const file = r.file ?? 0;
  const path = report.files?.[file]?.path ?? report.file;
  return { file, line: r.line, name: path.split(/[\\/]/).pop() ?? path };
}

/** A group's key: its files in order. */
export function groupKey(paths: readonly string[]): string {
  return paths.join('\n');
}
