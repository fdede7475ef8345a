/**
 * The reviewed-rows sidecar `<file>.triplet-audit-reviewed.json`: rows a person has looked at and
 * kept, identified by the hash of their text (so a mark survives rows moving, and lapses when the
 * row itself changes). Sorted by line and pretty-printed so it diffs well under version control.
 */
import type { AuditReport } from '../../core/types';

export const SIDECAR_SUFFIX = '.triplet-audit-reviewed.json';

export interface ReviewedEntry {
  rowHash: string;
  /** Where the row was when marked (1-based), for people reading the file. */
  line: number;
  label?: string;
  /** The row's first characters, for people reading the file. */
  text?: string;
  reviewedAt: string;
}

export interface ReviewedFile { version: 1; file: string; reviewed: ReviewedEntry[] }

export function sidecarPath(dataPath: string): string { return dataPath + SIDECAR_SUFFIX; }

export function emptyReviewed(file: string): ReviewedFile { return { version: 1, file, reviewed: [] }; }

/** Reads a sidecar leniently: entries without a string rowHash are dropped, bad JSON gives an error. */
export function parseReviewed(text: string, file: string): { value: ReviewedFile; error?: string } {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { return { value: emptyReviewed(file), error: `not JSON: ${(e as Error).message}` }; }
  const list = typeof data === 'object' && data !== null ? (data as { reviewed?: unknown }).reviewed : undefined;
  if (!Array.isArray(list)) return { value: emptyReviewed(file), error: 'no "reviewed" array' };
  const reviewed: ReviewedEntry[] = [];
  for (const e of list as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const o = e as Record<string, unknown>;
    if (typeof o.rowHash !== 'string') continue;
    reviewed.push({
      rowHash: o.rowHash,
      line: typeof o.line === 'number' ? o.line : 0,
      ...(typeof o.label === 'string' ? { label: o.label } : {}),
      ...(typeof o.text === 'string' ? { text: o.text } : {}),
      reviewedAt: typeof o.reviewedAt === 'string' ? o.reviewedAt : '',
    });
  }
  return { value: { version: 1, file, reviewed } };
}

export function withReviewed(f: ReviewedFile, entry: ReviewedEntry): ReviewedFile {
  const reviewed = f.reviewed.filter((e) => e.rowHash !== entry.rowHash).concat(entry);
  reviewed.sort((a, b) => a.line - b.line || a.rowHash.localeCompare(b.rowHash));
  return { ...f, reviewed };
}

export function serializeReviewed(f: ReviewedFile): string {
  return JSON.stringify(f, null, 2) + '\n';
}

/** The report rows (their `row` numbers) whose audited text hash is marked reviewed. */
export function reviewedRows(rows: readonly { row: number }[], hashes: readonly { rowHash: string }[], marked: ReadonlySet<string>): Set<number> {
  const out = new Set<number>();
  if (marked.size === 0) return out;
  for (let i = 0; i < rows.length && i < hashes.length; i++) if (marked.has(hashes[i].rowHash)) out.add(rows[i].row);
  return out;
}

/** The evidence line a reviewed row gets (the export writes it; the panel shows it). */
export const REVIEWED_EVIDENCE = 'Marked reviewed: kept out of flags.';

/** The report as exported: reviewed rows keep their distances but lose their data-error flags (the panel does the same from the row numbers). */
export function withoutReviewed(report: AuditReport, reviewed: ReadonlySet<number>): AuditReport {
  if (reviewed.size === 0) return report;
  const rows = report.rows.map((r) => (reviewed.has(r.row)
    ? { ...r, flags: r.flags.filter((f) => f === 'invalid'), evidence: [...r.evidence, REVIEWED_EVIDENCE] }
    : r));
  return { ...report, rows };
}
