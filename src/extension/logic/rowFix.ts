/**
 * A quick fix on one audited row of a document, as a text edit, or the reason it is refused. Pure
 * (no `vscode`): fixes.ts turns the edit into a WorkspaceEdit; the unit tests run it on a model of
 * a document under random typing, undo and redo (test/unit/edit-property.test.ts).
 *
 * A fix first checks that the row's lines still hold the audited text (its hash): a row that moved
 * or changed is refused with the reason, so an edit never lands on the wrong characters.
 */
import type { RowReport } from '../../core/types';
import { relabelEdit, swapEdit, toPosition, type EditResult } from './fieldEdits';
import { hashText } from './hash';
import type { FileDigest } from './rowDigest';

/** The lines of a document (0-based), as VS Code's TextDocument gives them: without their line breaks. */
export interface DocLines {
  readonly lineCount: number;
  lineText(line: number): string;
  /** The encoding VS Code saves the document in ("utf8", "utf8bom", "latin1", ...), where known. */
  readonly encoding?: string;
}

/** What a fix needs of an audit. */
export interface AuditedRows {
  readonly rows: readonly Pick<RowReport, 'row' | 'line' | 'endLine'>[];
  readonly digest: FileDigest;
}

export type RowFix =
  | { kind: 'relabel'; label: string }
  | { kind: 'swap' }
  /** Replace a field's whole text (the negative by a mined one, issue 13's quick fix): the field keeps its quoting. */
  | { kind: 'replace'; column: string; text: string };

export interface Position { line: number; character: number }
export type FixEdit = { ok: true; start: Position; end: Position; newText: string } | { ok: false; reason: string };
export type CheckedRow = { ok: true; text: string } | { ok: false; reason: string };

/** The document's lines line..endLine (1-based), joined by "\n" as the digest hashed them. */
function rowText(doc: DocLines, line: number, endLine: number): string | undefined {
  if (line < 1 || endLine > doc.lineCount || endLine < line) return undefined;
  const parts: string[] = [];
  for (let l = line - 1; l <= endLine - 1; l++) parts.push(doc.lineText(l));
  return parts.join('\n');
}

/** The row's current text when it is still the audited text, else why not. */
export function checkRow(doc: DocLines, audit: AuditedRows, index: number): CheckedRow {
  const r = audit.rows[index];
  const d = audit.digest.rows[index];
  if (!r || !d) return { ok: false, reason: 'That row is not in the audit.' };
  const text = rowText(doc, r.line, r.endLine);
  if (text === undefined || hashText(text) !== d.rowHash) {
    return { ok: false, reason: `Row ${r.row} (line ${r.line}) changed since the audit: the document was edited so that the row moved or its text differs. Audit the file again, then apply the fix.` };
  }
  return { ok: true, text };
}

/**
 * A file that is not UTF-8 shown as UTF-8 holds U+FFFD where its bad bytes were; saving any edit
 * writes the whole text back, U+FFFD and all, and the bytes are lost. Refused, with what to do.
 */
function lossyReason(doc: DocLines, audit: AuditedRows): string | undefined {
  if (!audit.digest.lossy) return undefined;
  if (doc.encoding !== undefined && doc.encoding !== 'utf8' && doc.encoding !== 'utf8bom') return undefined;
  return 'The file is not valid UTF-8 (Latin-1 or Windows-1252?): VS Code shows its other bytes as \u{fffd}, and saving an edit would write \u{fffd} over every one of them. '
    + 'Convert the file to UTF-8 (Save with Encoding) and audit it again, then apply the fix.';
}

/** checkRow, and the file's bytes safe to save after an edit (lossyReason): what every edit of the data file asks first. */
export function checkEditable(doc: DocLines, audit: AuditedRows, index: number): CheckedRow {
  const row = checkRow(doc, audit, index);
  if (!row.ok) return row;
  const lossy = lossyReason(doc, audit);
  return lossy ? { ok: false, reason: lossy } : row;
}

/** The text edit of `fix` on row `index` of the document, or why it is refused. */
export function rowFixEdit(doc: DocLines, audit: AuditedRows, index: number, fix: RowFix): FixEdit {
  const row = checkEditable(doc, audit, index);
  if (!row.ok) return row;
  const { digest } = audit;
  const d = digest.rows[index];
  let res: EditResult;
  if (fix.kind === 'relabel') {
    const column = digest.columns.label;
    if (!column) return { ok: false, reason: 'This file has no label column.' };
    res = relabelEdit(row.text, digest.layout, d.ordinal, column, fix.label, d.label);
  } else if (fix.kind === 'swap') {
    const { positive, negative } = digest.columns;
    if (!positive || !negative) return { ok: false, reason: 'This file has no positive/negative columns.' };
    res = swapEdit(row.text, digest.layout, d.ordinal, positive, negative);
  } else {
    res = relabelEdit(row.text, digest.layout, d.ordinal, fix.column, fix.text);
  }
  if (!res.ok) return { ok: false, reason: `Cannot edit the row: ${res.reason}.` };
  const firstLine = audit.rows[index].line - 1;
  return { ok: true, start: toPosition(row.text, res.edit.start, firstLine), end: toPosition(row.text, res.edit.end, firstLine), newText: res.edit.newText };
}
