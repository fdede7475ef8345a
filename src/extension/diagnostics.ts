/**
 * The Problems panel: one diagnostic per finding, on the row's exact lines. VS Code hands at most
 * 1,000 diagnostics per file to the Problems panel (the most severe first) and drops the rest
 * after the extension has built them, so a file with more findings gets the ones VS Code would
 * keep plus one line saying how many more there are and where to see them. That also keeps a
 * re-score of 100,000 rows from building tens of thousands of messages on the extension host.
 */
import * as vscode from 'vscode';
import type { AuditController, FileAudit } from './auditController';
import { omittedMessage } from './logic/findingTable';
import type { Finding } from './logic/findings';

export const DIAGNOSTIC_SOURCE = 'Triplet Audit';
/** ExtHostDiagnostics' limit per file (VS Code's own, not a setting). */
export const MAX_PROBLEMS_PER_FILE = 1000;
/** The code of the line that stands for the findings left out. */
export const MORE_FINDINGS_CODE = 'more-findings';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint,
};

export class AuditDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('triplet-audit');
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: AuditController) {
    this.subscription = controller.onDidChange((uri) => this.update(uri));
  }

  private update(uri: vscode.Uri | undefined): void {
    if (uri) { this.set(uri, this.controller.get(uri)); return; }
    this.collection.clear();
    for (const a of this.controller.all()) this.set(a.uri, a);
  }

  private set(uri: vscode.Uri, audit: FileAudit | undefined): void {
    if (!audit) { this.collection.delete(uri); return; }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const lineLength = (line: number) => (doc && line < doc.lineCount ? doc.lineAt(line).text.length : 0);
    // one place is kept for the line about the rest, so that VS Code drops nothing itself
    const selection = audit.findings.forProblems(MAX_PROBLEMS_PER_FILE - 1);
    const list = selection.shown.map((f) => {
      const endChar = lineLength(f.endLine);
      const endLine = doc && f.endLine < doc.lineCount ? f.endLine : f.endLine + 1;
      const d = new vscode.Diagnostic(new vscode.Range(f.startLine, 0, endLine, endChar), f.message, SEVERITY[f.severity]);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = f.kind;
      return d;
    });
    if (selection.omittedTotal > 0) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, lineLength(0)),
        omittedMessage(selection, audit.view, MAX_PROBLEMS_PER_FILE), vscode.DiagnosticSeverity.Information);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = MORE_FINDINGS_CODE;
      list.push(d);
    }
    this.collection.set(uri, list);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
