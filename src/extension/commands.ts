/** The commands of the "Triplet Audit" category and what the panel's events do. */
import * as vscode from 'vscode';
import type { AuditController } from './auditController';
import type { AuditRunner } from './auditRunner';
import { exportCleaned, exportReport } from './exportCommands';
import { markReviewedFix, negativeToPositiveFix, relabelFix, replaceNegativeFix, swapFix } from './fixes';
import { COMMANDS } from './logic/commandIds';
import { f3 } from './logic/findings';
import { setMarginCommand } from './marginCommand';
import { goToFinding, revealLines, revealRow } from './navigation';
import type { PanelBridge } from './panelBridge';
import type { PanelEvents, QuickFixKind } from './panelApi';
import type { ReviewedStore } from './reviewedStore';
import { writeMargin } from './settings';

export { COMMANDS };

export const SUPPORTED_FILE = /\.(csv|tsv|jsonl|json)$/i;

export interface CommandDeps {
  controller: AuditController;
  runner: AuditRunner;
  store: ReviewedStore;
  panel: () => PanelBridge;
}

async function auditUri(deps: CommandDeps, uri: vscode.Uri): Promise<void> {
  if (uri.scheme !== 'file') { void vscode.window.showErrorMessage('Triplet Audit: save the file to disk first.'); return; }
  if (!SUPPORTED_FILE.test(uri.path) || uri.path.endsWith('.triplet-audit-reviewed.json')) {
    void vscode.window.showErrorMessage('Triplet Audit reads .csv, .tsv, .jsonl and .json datasets.');
    return;
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const a = await deps.controller.audit(uri);
  if (!a) return;
  const s = a.view.summary;
  const choice = await vscode.window.showInformationMessage(
    `Triplet Audit: ${a.audited.rowCount} rows${a.source === 'cache' ? ' (cached)' : ''}: ${s.mislabeled} suspected mislabels, ${s.hard} hard, ${s.triviallyEasy} trivially easy at margin ${f3(a.view.margin)} (${a.view.distance}).`,
    'Open Panel');
  if (choice) deps.panel().open();
}

/** A fix asked for by the panel: same checks as the quick fixes, then the row is shown. */
export async function applyPanelFix(deps: CommandDeps, fileUri: string, row: number, fix: QuickFixKind, label?: string, replacement = 0): Promise<void> {
  const uri = vscode.Uri.parse(fileUri);
  const audit = deps.controller.get(uri);
  const index = audit?.index.get(row);
  if (!audit || index === undefined) { void vscode.window.showErrorMessage('Triplet Audit: that row is not in the current audit; audit the file again.'); return; }
  const doc = await vscode.workspace.openTextDocument(uri);
  const r = audit.view.row(index);
  const res = fix === 'relabel' ? relabelFix(doc, audit, index, label ?? r.suggestedLabel ?? '')
    : fix === 'swap' ? swapFix(doc, audit, index)
      : fix === 'replace-negative' ? replaceNegativeFix(doc, audit, index, replacement)
        : fix === 'negative-to-positive' ? negativeToPositiveFix(doc, audit, index, replacement)
          : await markReviewedFix(doc, audit, index, deps.store);
  if (!res.ok) { void vscode.window.showErrorMessage(`Triplet Audit: ${res.reason}`); return; }
  if (!(await vscode.workspace.applyEdit(res.edit))) { void vscode.window.showErrorMessage('Triplet Audit: the edit could not be applied.'); return; }
  if (fix === 'mark-reviewed') await deps.store.save(uri);
  else await revealLines(uri, r.line - 1, r.endLine - 1);
}

export function panelEvents(deps: CommandDeps): PanelEvents {
  return {
    reveal: (fileUri, row, line) => { void revealRow(deps.controller, vscode.Uri.parse(fileUri), row, line); },
    marginChanged: (margin, distance) => { void writeMargin(margin, distance); },
    applyFix: (fileUri, row, fix, label, replacement) => { void applyPanelFix(deps, fileUri, row, fix, label, replacement); },
  };
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const reg = vscode.commands.registerCommand;
  return [
    reg(COMMANDS.auditActiveFile, async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc) { void vscode.window.showInformationMessage('Triplet Audit: open a .csv, .tsv, .jsonl or .json dataset first.'); return; }
      await auditUri(deps, doc.uri);
    }),
    reg(COMMANDS.auditFile, async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : (await vscode.window.showOpenDialog({
        title: 'Audit a dataset', canSelectMany: false, filters: { Datasets: ['csv', 'tsv', 'jsonl', 'json'] },
      }))?.[0];
      if (target) await auditUri(deps, target);
    }),
    reg(COMMANDS.openPanel, () => deps.panel().open()),
    reg(COMMANDS.setMargin, () => setMarginCommand(deps.controller)),
    reg(COMMANDS.clearResults, () => deps.controller.clear()),
    reg(COMMANDS.exportReport, () => exportReport(deps.controller)),
    reg(COMMANDS.exportCleaned, () => exportCleaned(deps.controller, deps.runner)),
    reg(COMMANDS.nextSuspiciousRow, () => goToFinding(deps.controller, 1)),
    reg(COMMANDS.previousSuspiciousRow, () => goToFinding(deps.controller, -1)),
    reg(COMMANDS.cancelAudit, () => deps.controller.cancelAll()),
    reg(COMMANDS.saveReviewed, (uri: vscode.Uri) => deps.store.save(uri)),
    reg(COMMANDS.showRefusal, (reason: string) => { void vscode.window.showErrorMessage(`Triplet Audit: ${reason}`); }),
  ];
}
