/** The commands of the "Triplet Audit" category and what the panel's events do. */
import * as vscode from 'vscode';
import { splitFromName } from '../core/multi';
import type { SplitName } from '../core/types';
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

/** Why `uri` cannot be audited, or undefined when it can. */
function refusal(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file') return `save ${uri.path.split('/').pop() ?? 'the file'} to disk first.`;
  if (!SUPPORTED_FILE.test(uri.path) || uri.path.endsWith('.triplet-audit-reviewed.json')) return 'Triplet Audit reads .csv, .tsv, .jsonl and .json datasets.';
  return undefined;
}

async function auditUri(deps: CommandDeps, uri: vscode.Uri): Promise<void> {
  const bad = refusal(uri);
  if (bad) { void vscode.window.showErrorMessage(`Triplet Audit: ${bad}`); return; }
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

/**
 * Audits several files together (train / dev / test): the Explorer's multi-selection, in the
 * Explorer's order, or files picked in a dialog.
 */
export async function auditUris(deps: CommandDeps, uris: readonly vscode.Uri[]): Promise<void> {
  // train first, then other, dev, test (by name), each by path: the same files give the same report in any selection order
  const rank: Record<SplitName, number> = { train: 0, other: 1, dev: 2, test: 3 };
  const unique = [...new Map(uris.map((u) => [u.toString(), u])).values()]
    .sort((a, b) => rank[splitFromName(a.path)] - rank[splitFromName(b.path)] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (unique.length === 1) { await auditUri(deps, unique[0]); return; }
  for (const u of unique) {
    const bad = refusal(u);
    if (bad) { void vscode.window.showErrorMessage(`Triplet Audit: ${bad}`); return; }
  }
  for (const d of vscode.workspace.textDocuments) if (d.isDirty && unique.some((u) => u.toString() === d.uri.toString())) await d.save();
  const audits = await deps.controller.auditGroup(unique);
  if (!audits?.length) return;
  const report = audits[0].group?.report;
  const leaks = audits.reduce((t, a) => t + (a.findings.counts.leak ?? 0), 0);
  const mislabeled = audits.reduce((t, a) => t + a.findings.counts.mislabeled, 0);
  const splits = report?.files?.map((f) => `${f.path.split(/[\\/]/).pop()} (${f.split})`).join(', ') ?? '';
  const choice = await vscode.window.showInformationMessage(
    `Triplet Audit: ${report?.rowCount ?? 0} rows of ${splits}${audits[0].source === 'cache' ? ' (cached)' : ''}: ${leaks} rows repeated across files (leaks), ${mislabeled} suspected mislabels.`,
    'Open Panel');
  if (choice) deps.panel().open();
}

/** A fix asked for by the panel: same checks as the quick fixes, then the row is shown. */
export async function applyPanelFix(deps: CommandDeps, fileUri: string, row: number, fix: QuickFixKind, label?: string, replacement = 0): Promise<void> {
  // a multi-file audit's panel names rows of every file: the row's own file is edited
  const found = deps.controller.locate(vscode.Uri.parse(fileUri), row);
  if (!found) { void vscode.window.showErrorMessage('Triplet Audit: that row is not in the current audit; audit the file again.'); return; }
  const { audit, index } = found;
  const uri = audit.uri;
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
    reveal: (fileUri, row, line) => {
      const found = deps.controller.locate(vscode.Uri.parse(fileUri), row);
      void revealRow(deps.controller, found?.audit.uri ?? vscode.Uri.parse(fileUri), row, line);
    },
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
    reg(COMMANDS.auditSelectedFiles, async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
      // the Explorer passes the clicked file and the whole selection
      const picked = Array.isArray(uris) && uris.length ? uris : uri instanceof vscode.Uri ? [uri] : await vscode.window.showOpenDialog({
        title: 'Audit files together (train, dev, test)', canSelectMany: true, filters: { Datasets: ['csv', 'tsv', 'jsonl', 'json'] },
      });
      if (picked?.length) await auditUris(deps, picked);
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
