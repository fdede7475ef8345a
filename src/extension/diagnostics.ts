/** The Problems panel: one diagnostic per finding, on the row's exact lines. */
import * as vscode from 'vscode';
import type { AuditController, FileAudit } from './auditController';
import type { Finding } from './logic/findings';

export const DIAGNOSTIC_SOURCE = 'Triplet Audit';

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
    this.collection.set(uri, audit.findings.map((f) => {
      const endChar = doc && f.endLine < doc.lineCount ? doc.lineAt(f.endLine).text.length : 0;
      const endLine = doc && f.endLine < doc.lineCount ? f.endLine : f.endLine + 1;
      const d = new vscode.Diagnostic(new vscode.Range(f.startLine, 0, endLine, endChar), f.message, SEVERITY[f.severity]);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = f.kind;
      return d;
    }));
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
