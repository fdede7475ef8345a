/** Moving between suspicious rows, and revealing a row (from the panel or a command). */
import * as vscode from 'vscode';
import type { AuditController } from './auditController';
import { nextStop } from './logic/findings';

/**
 * Opens the file and selects lines [startLine, endLine] (0-based), centred: in the editor that
 * already shows it, else in the first column, so that it never covers the audit panel.
 */
export async function revealLines(uri: vscode.Uri, startLine: number, endLine: number): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false, preview: false });
  const last = Math.min(Math.max(endLine, startLine), doc.lineCount - 1);
  const first = Math.min(startLine, last);
  editor.selection = new vscode.Selection(first, 0, last, doc.lineAt(last).text.length);
  editor.revealRange(new vscode.Range(first, 0, last, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** Reveals data row `row` (falls back to `line`, 1-based, when the row is not in an audit). */
export async function revealRow(controller: AuditController, uri: vscode.Uri, row: number, line: number): Promise<void> {
  const audit = controller.get(uri);
  const i = audit?.index.get(row);
  const r = audit && i !== undefined ? audit.audited.rows[i] : undefined;
  await revealLines(uri, (r?.line ?? line) - 1, (r?.endLine ?? line) - 1);
}

export async function goToFinding(controller: AuditController, dir: 1 | -1): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const audit = editor && controller.get(editor.document.uri);
  if (!editor || !audit) {
    void vscode.window.showInformationMessage('Triplet Audit: audit this file first (Triplet Audit: Audit Active File).');
    return;
  }
  const stop = nextStop(audit.findings.stops(), editor.selection.active.line, dir);
  if (!stop) { void vscode.window.showInformationMessage('Triplet Audit: no suspicious rows at this margin.'); return; }
  await revealLines(editor.document.uri, stop.startLine, stop.endLine);
}
