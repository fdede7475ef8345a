/**
 * The records of a data file with their exact spans, for every format the engine reads, and the
 * spans of named fields inside them. Used for edits (one row's text) and by the worker (whole file).
 */
import type { FileFormat } from '../../core/types';
import { delimitedRecords, firstRecord, formatDelimitedField, type FieldSpan } from './delimited';
import { arrayElements, memberValue, objectMembers, skipWs } from './jsonScan';

export type { FieldSpan };

/** How to find fields in a file's rows: delimiter and header for CSV/TSV, keys for JSON(L). */
export interface Layout {
  format: FileFormat;
  /** CSV/TSV column names in file order. */
  header: string[];
}

export interface DataRecord {
  start: number;
  end: number;
  line: number;
  endLine: number;
  /** CSV/TSV: the record's fields. */
  fields?: FieldSpan[];
}

export interface ParsedText {
  layout: Layout;
  /** Offsets of the header record (CSV/TSV), for change detection. */
  headerSpan?: { start: number; end: number };
  records: DataRecord[];
}

export function delimiterOf(format: FileFormat): string {
  return format === 'tsv' ? '\t' : ',';
}

/** CSV fields may be quoted; TSV has no quoting (the engine reads quotes there as characters). */
export function quotingOf(format: FileFormat): boolean {
  return format === 'csv';
}

/** A CSV/TSV field's text for a new value in this format, or undefined when it cannot be written. */
export function formatField(format: FileFormat, value: string, wasQuoted: boolean): string | undefined {
  return formatDelimitedField(value, wasQuoted, delimiterOf(format), quotingOf(format));
}

/** Offsets where each line starts; line n (1-based) starts at result[n - 1]. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) out.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) out.push(i + 1);
  }
  return out;
}

/** 1-based line of an offset. */
export function lineOfOffset(starts: readonly number[], offset: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

/** Offset just past the text of line `line` (1-based), before its line break. */
export function lineEndOffset(text: string, starts: readonly number[], line: number): number {
  let e = line < starts.length ? starts[line] : text.length;
  if (e > starts[line - 1] && text.charCodeAt(e - 1) === 10) e--;
  if (e > starts[line - 1] && text.charCodeAt(e - 1) === 13) e--;
  return e;
}

export function parseRecords(text: string, format: FileFormat): ParsedText {
  if (format === 'csv' || format === 'tsv') {
    const it = delimitedRecords(text, delimiterOf(format), quotingOf(format));
    const first = it.next();
    if (first.done) return { layout: { format, header: [] }, records: [] };
    const records: DataRecord[] = [];
    for (const r of it) records.push(r);
    return {
      layout: { format, header: first.value.fields.map((f) => f.value) },
      headerSpan: { start: first.value.start, end: first.value.end }, records,
    };
  }
  const starts = lineStarts(text);
  const records: DataRecord[] = [];
  if (format === 'jsonl') {
    for (let l = 1; l <= starts.length; l++) {
      const s = skipWs(text, starts[l - 1]);
      const e = lineEndOffset(text, starts, l);
      if (s >= e) continue;
      let end = e;
      while (end > s && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
      records.push({ start: s, end, line: l, endLine: l });
    }
  } else {
    const open = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
    for (const el of arrayElements(text, open) ?? []) {
      records.push({ start: el.start, end: el.end, line: lineOfOffset(starts, el.start), endLine: lineOfOffset(starts, el.end - 1) });
    }
  }
  return { layout: { format, header: [] }, records };
}

/** The span of column `column` in a record of `text`: a CSV/TSV field or a JSON member's value. */
export function recordField(text: string, rec: DataRecord, layout: Layout, column: string): FieldSpan | undefined {
  if (rec.fields) {
    const i = layout.header.indexOf(column);
    return i >= 0 ? rec.fields[i] : undefined;
  }
  const m = objectMembers(text, rec.start)?.find((x) => x.key === column);
  if (!m) return undefined;
  return { start: m.valueStart, end: m.valueEnd, quoted: text[m.valueStart] === '"', value: memberValue(text, m) };
}

/**
 * The record of one row inside that row's own text (its lines, joined by "\n"). `ordinal` picks
 * among several rows that start on the same line (a JSON array written on one line).
 */
export function recordInRowText(rowText: string, layout: Layout, ordinal: number): DataRecord | undefined {
  if (layout.format === 'csv' || layout.format === 'tsv') {
    const r = firstRecord(rowText, delimiterOf(layout.format), quotingOf(layout.format));
    return r && ordinal === 0 ? r : undefined;
  }
  let i = firstObjectStart(rowText, layout.format);
  for (let k = 0; i >= 0; k++) {
    const members = objectMembers(rowText, i);
    if (!members) return undefined;
    const end = members.length ? closingBrace(rowText, members[members.length - 1].valueEnd) : closingBrace(rowText, i + 1);
    if (end < 0) return undefined;
    if (k === ordinal) return { start: i, end, line: 1, endLine: 1 };
    const comma = skipWs(rowText, end);
    if (rowText[comma] !== ',') return undefined;
    i = skipWs(rowText, comma + 1);
    if (rowText[i] !== '{') return undefined;
  }
  return undefined;
}

function closingBrace(text: string, from: number): number {
  const i = skipWs(text, from);
  return text[i] === '}' ? i + 1 : -1;
}

/** Where the row's object starts: after the line's indentation, a `[` or a `,` (JSON arrays). */
function firstObjectStart(text: string, format: FileFormat): number {
  const i = skipWs(text, 0);
  if (text[i] === '{') return i;
  if (format === 'jsonl') return -1;
  for (let j = i; j < text.length; j++) {
    if (text[j] !== '{') continue;
    let p = j - 1;
    while (p >= 0 && ' \t\n\r'.includes(text[p])) p--;
    if (p < 0 || text[p] === '[' || text[p] === ',') return j;
  }
  return -1;
}
