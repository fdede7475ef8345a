/**
 * What the host remembers of the audited text, per audited row: a hash of the row's text (to
 * refuse an edit when the row moved or changed) and a hash of the row without its label field (to
 * tell a label-only change, which needs no re-training, from any other change).
 */
import type { AuditReport, FileFormat } from '../../core/types';
import { hashText, normalizeEol } from './hash';
import { lineEndOffset, lineStarts, parseRecords, recordField, type DataRecord, type Layout } from './records';

export interface RowSpanLike { row: number; line: number; endLine: number }

export interface RowDigest {
  /** Hash of the row's lines (line..endLine), line endings normalised. */
  rowHash: string;
  /** Same without the label field's characters; equals rowHash when there is no label field. */
  restHash: string;
  /** The label field's value, when the file has one. */
  label?: string;
  /** Which of the rows starting on this line it is (0 unless a JSON array shares a line). */
  ordinal: number;
}

export interface FileDigest {
  /** sha256 of the file's bytes as audited. */
  contentHash: string;
  layout: Layout;
  /** Column names from the report, so that edits can find their fields. */
  columns: AuditReport['columns'];
  recordCount: number;
  headerHash: string;
  /** Parallel to report.rows. */
  rows: RowDigest[];
  /**
   * The bytes are not valid UTF-8 (a Latin-1 file, say): read as UTF-8 they hold U+FFFD where
   * the bad bytes were, and an editor that saves the text writes U+FFFD over them.
   */
  lossy?: boolean;
  /**
   * A multi-file audit's digest: each file's own head (its rows are this digest's rows
   * firstRow .. firstRow + rows - 1 of the report's `files`); the fields above are the first file's.
   */
  files?: FileDigestHead[];
}

export type FileDigestHead = Omit<FileDigest, 'rows' | 'files'>;

/** Which of the rows starting on the same line each span is. */
export function ordinals(spans: readonly RowSpanLike[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    out.push(i > 0 && spans[i - 1].line === spans[i].line ? out[i - 1] + 1 : 0);
  }
  return out;
}

/** The text of lines line..endLine (1-based), joined by "\n". */
export function rowTextOf(text: string, starts: readonly number[], line: number, endLine: number): string {
  const s = starts[line - 1] ?? text.length;
  return normalizeEol(text.slice(s, lineEndOffset(text, starts, Math.min(endLine, starts.length))));
}

export function digestText(text: string, format: FileFormat, columns: AuditReport['columns'],
  spans: readonly RowSpanLike[], contentHash: string, lossy = false): FileDigest {
  const parsed = parseRecords(text, format);
  const starts = lineStarts(text);
  const byLine = new Map<number, DataRecord[]>();
  for (const r of parsed.records) {
    const list = byLine.get(r.line);
    if (list) list.push(r); else byLine.set(r.line, [r]);
  }
  const ords = ordinals(spans);
  const rows = spans.map((s, i): RowDigest => {
    const from = starts[s.line - 1] ?? text.length;
    const to = lineEndOffset(text, starts, Math.min(s.endLine, starts.length));
    const raw = text.slice(from, Math.max(from, to));
    const rowHash = hashText(normalizeEol(raw));
    const rec = byLine.get(s.line)?.[ords[i]];
    const f = rec && columns.label ? recordField(text, rec, parsed.layout, columns.label) : undefined;
    if (!f || f.start < from || f.end > to) return { rowHash, restHash: rowHash, ordinal: ords[i] };
    const rest = raw.slice(0, f.start - from) + raw.slice(f.end - from);
    return { rowHash, restHash: hashText(normalizeEol(rest)), label: f.value, ordinal: ords[i] };
  });
  const headerHash = parsed.headerSpan ? hashText(text.slice(parsed.headerSpan.start, parsed.headerSpan.end)) : '';
  const digest: FileDigest = { contentHash, layout: parsed.layout, columns, recordCount: parsed.records.length, headerHash, rows };
  if (lossy) digest.lossy = true;
  return digest;
}

/**
 * The label changes between two digests of the same file, by index into report.rows; undefined
 * when anything other than label fields changed (then only a full audit is right).
 */
export function labelOnlyChanges(before: FileDigest, after: FileDigest): Map<number, string> | undefined {
  if (before.recordCount !== after.recordCount || before.headerHash !== after.headerHash
    || before.rows.length !== after.rows.length || before.layout.format !== after.layout.format) return undefined;
  const changes = new Map<number, string>();
  for (let i = 0; i < before.rows.length; i++) {
    const a = before.rows[i], b = after.rows[i];
    if (a.restHash !== b.restHash) return undefined;
    if (a.rowHash === b.rowHash) continue;
    if (b.label === undefined || a.label === undefined) return undefined;
    if (a.label !== b.label) changes.set(i, b.label);
  }
  return changes;
}
