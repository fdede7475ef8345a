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

export interface ReviewedFile {
  version: 1;
  file: string;
  /** The marks: entries with a string rowHash (any other fields a person added are kept on them). */
  reviewed: ReviewedEntry[];
  /** Entries of the "reviewed" array that are not marks (no rowHash), kept as written, after the marks. */
  kept?: unknown[];
  /** Other top-level fields of the file, kept as written. */
  extra?: Record<string, unknown>;
}

export function sidecarPath(dataPath: string): string { return dataPath + SIDECAR_SUFFIX; }

export function emptyReviewed(file: string): ReviewedFile { return { version: 1, file, reviewed: [] }; }

export interface ParsedReviewed {
  value: ReviewedFile;
  /** The file cannot be used: it is not JSON, or has no "reviewed" array. Nothing may be written over it. */
  error?: string;
  /** The file is used, but some of it marks nothing (kept as it is). */
  warning?: string;
}

/**
 * Reads a sidecar leniently and loses nothing: entries without a string rowHash mark nothing but
 * are kept (`kept`), as are fields a person added to an entry or to the file (`extra`). A file
 * that is not JSON, or has no "reviewed" array, is an error: its marks are unknown, and the store
 * writes nothing over it until it is fixed.
 */
export function parseReviewed(text: string, file: string): ParsedReviewed {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { return { value: emptyReviewed(file), error: `it is not JSON (${(e as Error).message.split('\n')[0]})` }; }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { value: emptyReviewed(file), error: 'it is not a JSON object with a "reviewed" array' };
  const { reviewed: list, version: _version, file: _file, ...extra } = data as Record<string, unknown>;
  if (!Array.isArray(list)) return { value: emptyReviewed(file), error: 'it has no "reviewed" array' };
  const reviewed: ReviewedEntry[] = [];
  const kept: unknown[] = [];
  for (const e of list as unknown[]) {
    const o = typeof e === 'object' && e !== null && !Array.isArray(e) ? e as Record<string, unknown> : undefined;
    if (!o || typeof o.rowHash !== 'string') { kept.push(e); continue; }
    // the entry as written, every field kept (a hand-written "line": "3" too): only its rowHash is read
    reviewed.push({ ...o } as unknown as ReviewedEntry);
  }
  const value: ReviewedFile = { version: 1, file, reviewed };
  if (kept.length) value.kept = kept;
  if (Object.keys(extra).length) value.extra = extra;
  const warning = kept.length ? `${kept.length} of its entries have no "rowHash" and mark no row; they are kept as they are` : undefined;
  return warning ? { value, warning } : { value };
}

export function withReviewed(f: ReviewedFile, entry: ReviewedEntry): ReviewedFile {
  const reviewed = f.reviewed.filter((e) => e.rowHash !== entry.rowHash).concat(entry);
  reviewed.sort((a, b) => lineOf(a) - lineOf(b) || a.rowHash.localeCompare(b.rowHash));
  return { ...f, reviewed };
}

/** An entry's line for sorting, whatever a person wrote there. */
function lineOf(e: ReviewedEntry): number {
  const n = Number(e.line);
  return Number.isFinite(n) ? n : 0;
}

export function serializeReviewed(f: ReviewedFile): string {
  return JSON.stringify({ version: f.version, file: f.file, ...f.extra, reviewed: [...f.reviewed, ...(f.kept ?? [])] }, null, 2) + '\n';
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
