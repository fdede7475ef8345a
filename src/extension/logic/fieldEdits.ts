/**
 * Quick-fix edits computed on one row's text: relabel (replace exactly the label field's
 * characters, keeping the file's quoting), swap positive/negative (exchange the two fields'
 * exact texts), and set text fields to new values (a mined negative). Offsets are into the row
 * text; `toPosition` maps them into the document.
 */
import { formatJsonValue } from './jsonScan';
import { formatField, recordField, recordInRowText, type FieldSpan, type Layout } from './records';

export interface RowEdit { start: number; end: number; newText: string }
export type EditResult = { ok: true; edit: RowEdit } | { ok: false; reason: string };

function field(rowText: string, layout: Layout, ordinal: number, column: string): FieldSpan | string {
  const rec = recordInRowText(rowText, layout, ordinal);
  if (!rec) return 'the row could not be read';
  const f = recordField(rowText, rec, layout, column);
  return f ?? `the row has no "${column}" field`;
}

/** Replaces the label field's text with `newLabel`; `expected` is the label the audit saw. */
export function relabelEdit(rowText: string, layout: Layout, ordinal: number, labelColumn: string,
  newLabel: string, expected?: string): EditResult {
  const f = field(rowText, layout, ordinal, labelColumn);
  if (typeof f === 'string') return { ok: false, reason: f };
  if (expected !== undefined && f.value.trim() !== expected.trim()) {
    return { ok: false, reason: `its label is now "${f.value}", not "${expected}" as audited` };
  }
  const raw = rowText.slice(f.start, f.end);
  const newText = layout.format === 'csv' || layout.format === 'tsv'
    ? formatField(layout.format, newLabel, f.quoted)
    : formatJsonValue(newLabel, raw);
  if (newText === undefined) return { ok: false, reason: `a ${layout.format.toUpperCase()} field cannot hold ${JSON.stringify(newLabel)}` };
  return { ok: true, edit: { start: f.start, end: f.end, newText } };
}

/** Exchanges the positive and negative fields' texts (each keeps its own quoting). */
export function swapEdit(rowText: string, layout: Layout, ordinal: number, positiveColumn: string,
  negativeColumn: string): EditResult {
  const p = field(rowText, layout, ordinal, positiveColumn);
  if (typeof p === 'string') return { ok: false, reason: p };
  const n = field(rowText, layout, ordinal, negativeColumn);
  if (typeof n === 'string') return { ok: false, reason: n };
  const [a, b] = p.start < n.start ? [p, n] : [n, p];
  const newText = rowText.slice(b.start, b.end) + rowText.slice(a.end, b.start) + rowText.slice(a.start, a.end);
  return { ok: true, edit: { start: a.start, end: b.end, newText } };
}

/** A row-text offset as a 0-based document position, given the row's first line (0-based). */
export function toPosition(rowText: string, offset: number, firstLine: number): { line: number; character: number } {
  let line = firstLine, lineStart = 0;
  for (let i = rowText.indexOf('\n'); i >= 0 && i < offset; i = rowText.indexOf('\n', i + 1)) {
    line++; lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/** The value of a field of one row (a JSON string's value unescaped, a CSV field unquoted), or why not. */
export function fieldValue(rowText: string, layout: Layout, ordinal: number, column: string): { ok: true; value: string } | { ok: false; reason: string } {
  const f = field(rowText, layout, ordinal, column);
  return typeof f === 'string' ? { ok: false, reason: f } : { ok: true, value: f.value };
}

/**
 * Sets text fields of one row to new values, each keeping its own quoting: one edit over the span
 * from the first field to the last (the characters between them unchanged).
 */
export function setFieldsEdit(rowText: string, layout: Layout, ordinal: number, values: { column: string; value: string }[]): EditResult {
  const spans: { f: FieldSpan; newText: string }[] = [];
  for (const { column, value } of values) {
    const f = field(rowText, layout, ordinal, column);
    if (typeof f === 'string') return { ok: false, reason: f };
    const raw = rowText.slice(f.start, f.end);
    const newText = layout.format === 'csv' || layout.format === 'tsv' ? formatField(layout.format, value, f.quoted) : formatJsonValue(value, raw);
    if (newText === undefined) return { ok: false, reason: `a ${layout.format.toUpperCase()} field cannot hold ${JSON.stringify(value)}` };
    spans.push({ f, newText });
  }
  if (!spans.length) return { ok: false, reason: 'no field to set' };
  spans.sort((a, b) => a.f.start - b.f.start);
  let text = '';
  for (let k = 0; k < spans.length; k++) {
    if (k > 0) text += rowText.slice(spans[k - 1].f.end, spans[k].f.start);
    text += spans[k].newText;
  }
  return { ok: true, edit: { start: spans[0].f.start, end: spans[spans.length - 1].f.end, newText: text } };
}
