/**
 * The cleaned copy of a dataset: flagged rows dropped, relabeled, swapped or given a mined
 * negative (a false negative's replacement, another row's text), everything else
 * byte for byte as in the source (same format, same quoting), plus a log of what changed and why.
 * `planCleaning` decides from the report (host); `applyCleaning` edits the text (worker).
 */
import type { AuditReport, FileFormat, Flag } from '../../core/types';
import { formatJsonValue } from './jsonScan';
import { formatField, lineStarts, parseRecords, recordField, type DataRecord, type Layout } from './records';
import { ordinals, type RowDigest } from './rowDigest';

/** drop: drop every row with a data-error flag; fix: relabel / swap / replace the negative of what has a suggestion, drop the rest. */
export type CleanMode = 'drop' | 'fix';

export interface CleanAction {
  row: number;
  line: number;
  endLine: number;
  ordinal: number;
  action: 'drop' | 'relabel' | 'swap' | 'replace-negative';
  from?: string;
  to?: string;
  /** replace-negative: where the new negative's text is (the first mined replacement). */
  source?: { row: number; line: number; endLine: number; ordinal: number; field: 'positive' | 'negative' };
  flags: Flag[];
  reason: string;
}

export interface CleanLogEntry extends CleanAction { applied: boolean; note?: string }

const ERROR_FLAGS: readonly Flag[] = ['mislabeled', 'invalid', 'near-duplicate', 'false-negative'];

export function planCleaning(report: AuditReport, reviewed: ReadonlySet<number>, mode: CleanMode,
  digestRows?: readonly RowDigest[]): CleanAction[] {
  const ords = digestRows ? digestRows.map((d) => d.ordinal) : ordinals(report.rows);
  const position = new Map(report.rows.map((r, i) => [r.row, i]));
  const out: CleanAction[] = [];
  // a leak is dropped from the evaluation side (dev and test files): the training copy stays
  const evalFile = (r: AuditReport['rows'][number]) => r.file !== undefined && ['dev', 'test'].includes(report.files?.[r.file]?.split ?? '');
  report.rows.forEach((r, i) => {
    const errors = r.flags.filter((f) => ERROR_FLAGS.includes(f) || (f === 'leak' && evalFile(r)));
    if (!errors.length || (reviewed.has(r.row) && !errors.includes('invalid'))) return;
    const base = { row: r.row, line: r.line, endLine: r.endLine, ordinal: ords[i] ?? 0, flags: r.flags };
    const why = r.evidence.filter((e) => !e.startsWith('hinge: ')).join('; ');
    if (mode === 'fix' && errors.includes('mislabeled') && !errors.includes('invalid')) {
      if (r.label !== undefined && r.suggestedLabel !== undefined) {
        out.push({ ...base, action: 'relabel', from: r.label, to: r.suggestedLabel, reason: `suspected mislabel (suspicion ${r.suspicion.toFixed(3)}): ${why}` });
        return;
      }
      if (r.suggestedFix === 'swap-positive-negative') {
        out.push({ ...base, action: 'swap', reason: `positive and negative look swapped: ${why}` });
        return;
      }
    }
    const c = r.replacements?.[0], at = c && position.get(c.row);
    if (mode === 'fix' && c && at !== undefined && !errors.includes('invalid') && (errors.includes('false-negative') || errors.includes('near-duplicate')) && !errors.includes('mislabeled')) {
      const s = report.rows[at];
      out.push({ ...base, action: 'replace-negative', to: c.text, source: { row: c.row, line: s.line, endLine: s.endLine, ordinal: ords[at] ?? 0, field: c.field },
        reason: `${errors.join(', ')}: the negative replaced by row ${c.row}'s ${c.field}, mined in the semi-hard band: ${why}` });
      return;
    }
    out.push({ ...base, action: 'drop', reason: `${errors.join(', ')}: ${why}` });
  });
  return out;
}

interface Edit { start: number; end: number; newText: string }

function applyEdits(text: string, edits: Edit[], offset = 0): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '', pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.start - offset) + e.newText;
    pos = e.end - offset;
  }
  return out + text.slice(pos);
}

function fieldEdit(text: string, rec: DataRecord, layout: Layout, a: CleanAction, columns: AuditReport['columns'],
  recordAt: (line: number, endLine: number, ordinal: number) => DataRecord | undefined): Edit | string {
  if (a.action === 'replace-negative') {
    const s = a.source, src = s && recordAt(s.line, s.endLine, s.ordinal);
    const from = s && src && columns[s.field] ? recordField(text, src, layout, columns[s.field]!) : undefined;
    const n = columns.negative ? recordField(text, rec, layout, columns.negative) : undefined;
    if (!from || !n) return 'the negative or its replacement was not found where the audit saw them';
    const raw = text.slice(n.start, n.end);
    const newText = layout.format === 'csv' || layout.format === 'tsv' ? formatField(layout.format, from.value, n.quoted) : formatJsonValue(from.value, raw);
    return newText === undefined ? `a ${layout.format.toUpperCase()} field cannot hold the replacement` : { start: n.start, end: n.end, newText };
  }
  if (a.action === 'relabel') {
    const f = columns.label ? recordField(text, rec, layout, columns.label) : undefined;
    if (!f) return 'label field not found';
    if (a.from !== undefined && f.value.trim() !== a.from.trim()) return `label is "${f.value}", not "${a.from}" as audited`;
    const raw = text.slice(f.start, f.end);
    const newText = layout.format === 'csv' || layout.format === 'tsv'
      ? formatField(layout.format, a.to ?? '', f.quoted) : formatJsonValue(a.to ?? '', raw);
    return newText === undefined ? `a ${layout.format.toUpperCase()} field cannot hold ${JSON.stringify(a.to)}` : { start: f.start, end: f.end, newText };
  }
  const p = columns.positive ? recordField(text, rec, layout, columns.positive) : undefined;
  const n = columns.negative ? recordField(text, rec, layout, columns.negative) : undefined;
  if (!p || !n) return 'positive/negative fields not found';
  const [x, y] = p.start < n.start ? [p, n] : [n, p];
  return { start: x.start, end: y.end, newText: text.slice(y.start, y.end) + text.slice(x.end, y.start) + text.slice(x.start, x.end) };
}

export function applyCleaning(text: string, format: FileFormat, columns: AuditReport['columns'],
  actions: readonly CleanAction[]): { text: string; log: CleanLogEntry[] } {
  const parsed = parseRecords(text, format);
  const byLine = new Map<number, DataRecord[]>();
  for (const r of parsed.records) {
    const list = byLine.get(r.line);
    if (list) list.push(r); else byLine.set(r.line, [r]);
  }
  const starts = lineStarts(text);
  const log: CleanLogEntry[] = [];
  const edits: Edit[] = [];
  const perRecord = new Map<DataRecord, Edit[]>();
  const dropped = new Set<DataRecord>();
  for (const a of actions) {
    const rec = byLine.get(a.line)?.[a.ordinal];
    if (!rec || rec.endLine !== a.endLine) { log.push({ ...a, applied: false, note: 'row not found where the audit saw it' }); continue; }
    if (a.action === 'drop') {
      dropped.add(rec);
      if (format !== 'json') edits.push({ start: starts[rec.line - 1], end: starts[rec.endLine] ?? text.length, newText: '' });
      log.push({ ...a, applied: true });
      continue;
    }
    const e = fieldEdit(text, rec, parsed.layout, a, columns, (line, endLine, ordinal) => {
      const r = byLine.get(line)?.[ordinal];
      return r && r.endLine === endLine ? r : undefined;
    });
    if (typeof e === 'string') { log.push({ ...a, applied: false, note: e }); continue; }
    if (format === 'json') perRecord.set(rec, [...(perRecord.get(rec) ?? []), e]); else edits.push(e);
    log.push({ ...a, applied: true });
  }
  if (format !== 'json') return { text: applyEdits(text, edits), log };
  const recs = parsed.records;
  if (!recs.length) return { text, log };
  const sep = recs.length > 1 ? text.slice(recs[0].end, recs[1].start) : ',\n';
  const kept = recs.filter((r) => !dropped.has(r)).map((r) => applyEdits(text.slice(r.start, r.end), perRecord.get(r) ?? [], r.start));
  return { text: text.slice(0, recs[0].start) + kept.join(sep) + text.slice(recs[recs.length - 1].end), log };
}
