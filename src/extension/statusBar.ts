/** The status bar item: counts at the current margin for the active file; click opens the panel. */
import * as vscode from 'vscode';
import type { AuditController } from './auditController';
import { f3, statusText } from './logic/findings';

export class AuditStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tripletAudit.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[];
  private busy: string | undefined;

  constructor(private readonly controller: AuditController, openPanelCommand: string) {
    this.item.name = 'Triplet Audit';
    this.item.command = openPanelCommand;
    this.disposables = [
      this.item,
      controller.onDidChange(() => this.update()),
      controller.onDidChangeBusy((b) => { this.busy = b; this.update(); }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    ];
    this.update();
  }

  private update(): void {
    if (this.busy !== undefined) {
      this.item.text = `$(sync~spin) Triplet Audit ${this.busy}`;
      this.item.tooltip = 'An audit is running (cancel it from its notification).';
      this.item.show();
      return;
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    const audit = active ? this.controller.get(active) : undefined;
    if (!audit) { this.item.hide(); return; }
    const c = audit.findings.counts;
    const { margin, distance } = audit.view;
    this.item.text = statusText(c);
    this.item.tooltip = new vscode.MarkdownString([
      `**Triplet Audit** at margin ${f3(margin)} (${distance})`, '',
      `${c.mislabeled} suspected mislabels · ${c.hard} hard · ${c.semiHard} semi-hard · ${c.easy} easy (${c.triviallyEasy} trivially)`, '',
      `${c.nearDuplicate} near-duplicates · ${c.invalid} invalid · ${c.reviewed} reviewed`, '',
      'Click to open the audit panel.',
    ].join('\n'));
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
