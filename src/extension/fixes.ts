/**
 * Quick fixes as undoable WorkspaceEdits. Each first checks that the row's text in the document
 * is still the audited text (hash per audited row); if the document changed in a way that moved
 * or changed the row, the fix is refused with a reason instead of editing the wrong characters.
 * The checks and the edits are pure (logic/rowFix.ts); this file only speaks VS Code.
 */
import * as vscode from 'vscode';
import type { FileAudit } from './auditController';
import { fieldValue, setFieldsEdit, toPosition, type EditResult } from './logic/fieldEdits';
import { checkEditable, checkRow, rowFixEdit, type AuditedRows, type DocLines, type RowFix } from './logic/rowFix';
import type { ReviewedStore } from './reviewedStore';

export type FixResult = { ok: true; edit: vscode.WorkspaceEdit } | { ok: false; reason: string };

function lines(doc: vscode.TextDocument): DocLines {
  return { lineCount: doc.lineCount, lineText: (l) => doc.lineAt(l).text, encoding: (doc as { encoding?: string }).encoding };
}

function rows(audit: FileAudit): AuditedRows {
  return { rows: audit.audited.rows, digest: audit.digest };
}

/** The row's current text when it is still the audited text, else why not. */
export function checkedRow(doc: vscode.TextDocument, audit: FileAudit, index: number): { ok: true; text: string } | { ok: false; reason: string } {
  return checkRow(lines(doc), rows(audit), index);
}

/** The row's text when an edit may be made to it: unchanged since the audit, and the file's bytes safe to save. */
function editableRow(doc: vscode.TextDocument, audit: FileAudit, index: number): { ok: true; text: string } | { ok: false; reason: string } {
  return checkEditable(lines(doc), rows(audit), index);
}

function toWorkspaceEdit(uri: vscode.Uri, text: string, firstLine: number, res: EditResult): FixResult {
  if (!res.ok) return { ok: false, reason: `Cannot edit the row: ${res.reason}.` };
  const s = toPosition(text, res.edit.start, firstLine);
  const e = toPosition(text, res.edit.end, firstLine);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(s.line, s.character, e.line, e.character), res.edit.newText);
  return { ok: true, edit };
}

function fixEdit(doc: vscode.TextDocument, audit: FileAudit, index: number, fix: RowFix): FixResult {
  const res = rowFixEdit(lines(doc), rows(audit), index, fix);
  if (!res.ok) return res;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(res.start.line, res.start.character, res.end.line, res.end.character), res.newText);
  return { ok: true, edit };
}

export function relabelFix(doc: vscode.TextDocument, audit: FileAudit, index: number, label: string): FixResult {
  return fixEdit(doc, audit, index, { kind: 'relabel', label });
}

export function swapFix(doc: vscode.TextDocument, audit: FileAudit, index: number): FixResult {
  return fixEdit(doc, audit, index, { kind: 'swap' });
}

export async function markReviewedFix(doc: vscode.TextDocument, audit: FileAudit, index: number, store: ReviewedStore): Promise<FixResult> {
  const row = checkedRow(doc, audit, index);
  if (!row.ok) return row;
  const r = audit.audited.rows[index];
  const edit = await store.markEdit(doc.uri, {
    rowHash: audit.digest.rows[index].rowHash, line: r.line,
    ...(r.label !== undefined ? { label: r.label } : {}),
    text: row.text.slice(0, 80), reviewedAt: new Date().toISOString(),
  });
  return edit;
}

/**
 * The full text of a row's k-th mined replacement negative, read from the document: the row
 * that holds it must be unchanged since the audit too (the report keeps only 200 characters).
 */
function replacementText(doc: vscode.TextDocument, audit: FileAudit, index: number, k: number): { ok: true; text: string } | { ok: false; reason: string } {
  const c = audit.audited.rows[index]?.replacements?.[k];
  if (!c) return { ok: false, reason: 'The audit mined no such replacement for this row.' };
  const column = audit.digest.columns[c.field];
  const at = audit.index.get(c.row);
  if (!column || at === undefined) return { ok: false, reason: `Row ${c.row}, which holds the replacement, is not in the audit.` };
  const source = checkedRow(doc, audit, at);
  if (!source.ok) return source;
  const v = fieldValue(source.text, audit.digest.layout, audit.digest.rows[at].ordinal, column);
  return v.ok ? { ok: true, text: v.value } : { ok: false, reason: `Cannot read row ${c.row}'s ${c.field}: ${v.reason}.` };
}

/** Replaces the row's negative with its k-th mined replacement (the text of another row). */
export function replaceNegativeFix(doc: vscode.TextDocument, audit: FileAudit, index: number, k: number): FixResult {
  const row = editableRow(doc, audit, index);
  if (!row.ok) return row;
  const { negative } = audit.digest.columns;
  if (!negative) return { ok: false, reason: 'This file has no negative column.' };
  const text = replacementText(doc, audit, index, k);
  if (!text.ok) return text;
  const r = audit.audited.rows[index];
  return toWorkspaceEdit(doc.uri, row.text, r.line - 1, setFieldsEdit(row.text, audit.digest.layout, audit.digest.rows[index].ordinal, [{ column: negative, value: text.text }]));
}

/**
 * A false negative moved to the positive: the negative becomes the positive, and the k-th mined
 * replacement the negative (the old positive goes).
 */
export function negativeToPositiveFix(doc: vscode.TextDocument, audit: FileAudit, index: number, k: number): FixResult {
  const row = editableRow(doc, audit, index);
  if (!row.ok) return row;
  const { positive, negative } = audit.digest.columns;
  if (!positive || !negative) return { ok: false, reason: 'This file has no positive/negative columns.' };
  const text = replacementText(doc, audit, index, k);
  if (!text.ok) return text;
  const { layout } = audit.digest, ordinal = audit.digest.rows[index].ordinal;
  const neg = fieldValue(row.text, layout, ordinal, negative);
  if (!neg.ok) return { ok: false, reason: `Cannot edit the row: ${neg.reason}.` };
  const r = audit.audited.rows[index];
  return toWorkspaceEdit(doc.uri, row.text, r.line - 1, setFieldsEdit(row.text, layout, ordinal, [{ column: positive, value: neg.value }, { column: negative, value: text.text }]));
}

/**
 * Removes a row from its file: its whole lines, line break included (the natural fix of a leak:
 * the evaluation split's copy goes). Rows of a JSON array are refused: their commas are the
 * cleaned copy's business (Export Cleaned Dataset).
 */
export function removeRowFix(doc: vscode.TextDocument, audit: FileAudit, index: number): FixResult {
  const row = editableRow(doc, audit, index);
  if (!row.ok) return row;
  if (audit.audited.format === 'json') return { ok: false, reason: 'A row of a JSON array is not removed in place; use Export Cleaned Dataset.' };
  const r = audit.audited.rows[index];
  if (r.line === r.endLine && doc.lineCount === 1) return { ok: false, reason: 'It is the file\'s only line.' };
  const edit = new vscode.WorkspaceEdit();
  // from the row's first line to the start of the line after it; the last line takes the line break before it
  const range = r.endLine < doc.lineCount
    ? new vscode.Range(r.line - 1, 0, r.endLine, 0)
    : new vscode.Range(Math.max(0, r.line - 2), r.line >= 2 ? doc.lineAt(r.line - 2).text.length : 0, r.endLine - 1, doc.lineAt(r.endLine - 1).text.length);
  edit.delete(doc.uri, range);
  return { ok: true, edit };
}
