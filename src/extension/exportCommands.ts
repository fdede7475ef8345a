/** Export the report (JSON) and a cleaned copy of the dataset with its audit log. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditController } from './auditController';
import type { AuditRunner } from './auditRunner';
import { hashFile } from './fileHash';
import { planCleaning, type CleanMode } from './logic/cleanCopy';
import { withoutReviewed } from './logic/reviewed';
import { overwrites } from './exportPaths';

function needAudit(controller: AuditController) {
  const a = controller.current();
  if (!a) void vscode.window.showInformationMessage('Triplet Audit: audit a file first.');
  return a;
}

async function offerOpen(message: string, ...files: vscode.Uri[]): Promise<void> {
  const names = files.map((f) => `Open ${path.basename(f.fsPath)}`);
  const choice = await vscode.window.showInformationMessage(message, ...names);
  const i = choice ? names.indexOf(choice) : -1;
  if (i >= 0) await vscode.window.showTextDocument(files[i]);
}

export async function exportReport(controller: AuditController): Promise<void> {
  const a = needAudit(controller);
  if (!a) return;
  const target = await vscode.window.showSaveDialog({
    title: 'Export the audit report', filters: { JSON: ['json'] },
    defaultUri: a.uri.with({ path: a.uri.path.replace(/\.[^./]+$/, '') + '.triplet-audit.json' }),
  });
  if (!target) return;
  // the whole report at the current margin: every row object is built here (once per margin)
  await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(withoutReviewed(a.view.report(), a.reviewed), null, 2) + '\n', 'utf8'));
  await offerOpen(`Triplet Audit: wrote the report at margin ${a.view.margin} (${a.view.distance}).`, target);
}

export async function exportCleaned(controller: AuditController, runner: AuditRunner): Promise<void> {
  const a = needAudit(controller);
  if (!a) return;
  const modes: (vscode.QuickPickItem & { mode: CleanMode })[] = [
    { mode: 'fix', label: 'Fix what can be fixed, drop the rest', detail: 'Relabel suspected mislabels to the suggested label, swap swapped triplets; drop invalid, near-duplicate and unfixable flagged rows (and, in dev and test files, leaks).' },
    { mode: 'drop', label: 'Drop flagged rows', detail: 'Drop every row flagged mislabeled, invalid or near-duplicate (and, in dev and test files, leaks).' },
  ];
  const picked = await vscode.window.showQuickPick(modes, { title: 'Triplet Audit: cleaned copy', placeHolder: 'Reviewed rows are kept as they are.' });
  if (!picked) return;
  const actions = planCleaning(a.view.report(), a.reviewed, picked.mode, a.digest.rows);
  if (!actions.length) { void vscode.window.showInformationMessage('Triplet Audit: no flagged rows to clean.'); return; }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === a.uri.toString());
  if (doc?.isDirty || (await hashFile(a.uri.fsPath)) !== a.digest.contentHash) {
    void vscode.window.showErrorMessage('Triplet Audit: the file changed since the audit. Save it and audit it again before exporting a cleaned copy.');
    return;
  }
  const ext = path.extname(a.uri.path);
  const target = await vscode.window.showSaveDialog({
    title: 'Save the cleaned copy', filters: { [ext.slice(1).toUpperCase() || 'Data']: [ext.slice(1) || '*'] },
    defaultUri: a.uri.with({ path: a.uri.path.slice(0, a.uri.path.length - ext.length) + '.cleaned' + ext }),
  });
  if (!target) return;
  const logFile = vscode.Uri.file(target.fsPath + '.audit-log.json');
  const clash = overwrites(a.uri.fsPath, [['the cleaned copy', target.fsPath], ['its audit log', logFile.fsPath]]);
  if (clash) { void vscode.window.showErrorMessage(`Triplet Audit: ${clash}; the cleaned copy never overwrites its source: choose another file.`); return; }
  try {
    const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Triplet Audit: writing the cleaned copy', cancellable: true },
      async (_p, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        try {
          return await runner.run({ type: 'clean', file: a.uri.fsPath, out: target.fsPath, logFile: logFile.fsPath, format: a.audited.format, columns: a.audited.columns, actions, mode: picked.mode }, { signal: ac.signal });
        } finally { sub.dispose(); }
      });
    const count = (act: string) => res.log.filter((e) => e.applied && e.action === act).length;
    const skipped = res.log.filter((e) => !e.applied).length;
    await offerOpen(`Triplet Audit: cleaned copy written: ${count('drop')} dropped, ${count('relabel')} relabeled, ${count('swap')} swapped, ${count('replace-negative')} given a mined negative` +
      (skipped ? `, ${skipped} not applied (see the log)` : '') + '.', target, logFile);
  } catch (e) {
    void vscode.window.showErrorMessage(`Triplet Audit: ${e instanceof Error ? e.message : String(e)}`);
  }
}
