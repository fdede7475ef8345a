/**
 * Quick fixes as undoable WorkspaceEdits. Each first checks that the row's text in the document
 * is still the audited text (hash per audited row); if the document changed in a way that moved
 * or changed the row, the fix is refused with a reason instead of editing the wrong characters.
 * The checks and the edits are pure (logic/rowFix.ts); this file only speaks VS Code.
 */
import * as vscode from 'vscode';
import type { FileAudit } from './auditController';
import { checkRow, rowFixEdit, type AuditedRows, type DocLines, type RowFix } from './logic/rowFix';
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
