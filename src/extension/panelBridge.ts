/**
 * Connects the audit panel (panel.ts, another engineer's) to the audits: shows the current file's
 * report, keeps the margin and busy line in step, and forwards the panel's events.
 */
import * as vscode from 'vscode';
import type { DistanceName } from '../core/types';
import type { AuditController, FileAudit } from './auditController';
import { AuditPanel } from './panel';
import type { AuditPanelHost, PanelEvents } from './panelApi';
import { readSettings } from './settings';

export class PanelBridge implements vscode.Disposable {
  private host: AuditPanelHost | undefined;
  private shown: string | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly context: vscode.ExtensionContext, private readonly controller: AuditController,
    private readonly events: PanelEvents) {
    this.disposables = [
      // A margin/distance change (uri undefined) is not re-sent as a report: the panel re-classifies
      // its cached distances itself on setMargin, which the configuration listener sends.
      controller.onDidChange((uri) => {
        const a = uri && controller.get(uri);
        const sameGroup = a?.group?.uris.some((u) => u.toString() === this.shown) === true;
        if (a && (this.shown === undefined || this.shown === a.uri.toString() || sameGroup || isActive(a.uri))) this.show(a);
      }),
      controller.onDidChangeBusy((b) => this.call((h) => h.setBusy(b === undefined ? undefined : `Auditing… ${b}`))),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        const a = e && controller.get(e.document.uri);
        if (a && this.shown !== a.uri.toString()) this.show(a);
      }),
    ];
  }

  /** Opens (or focuses) the panel on the current audit. */
  open(): void {
    this.host = AuditPanel.createOrShow(this.context, this.events);
    const s = readSettings();
    this.call((h) => h.setMargin(s.margin, s.distance));
    const a = this.controller.current();
    if (a) this.show(a);
  }

  /** A panel VS Code restored after a reload: it shows `fileUri`'s audit once there is one. */
  adopt(panel: AuditPanelHost, fileUri: string | undefined): void {
    this.host = panel;
    const s = readSettings();
    this.call((h) => h.setMargin(s.margin, s.distance));
    const a = fileUri ? this.controller.get(vscode.Uri.parse(fileUri)) : this.controller.current();
    if (a) this.show(a);
    else this.shown = fileUri;
  }

  setMargin(margin: number, distance: DistanceName): void {
    this.call((h) => h.setMargin(margin, distance));
  }

  private show(a: FileAudit): void {
    if (!this.host) return;
    this.shown = a.uri.toString();
    const g = a.group;
    if (g) {
      // a multi-file audit: the whole report (every file's rows, filtered by file in the panel),
      // under its first file's URI, with every file's reviewed marks (row numbers are the report's)
      const reviewed = new Set<number>();
      for (const u of g.uris) for (const r of this.controller.get(u)?.reviewed ?? []) reviewed.add(r);
      this.call((h) => h.showReport(g.uris[0].toString(), g.report, reviewed));
      return;
    }
    // the report as audited: no row re-scored or copied here (the panel re-scores at its margin)
    this.call((h) => h.showReport(a.uri.toString(), a.audited, a.reviewed));
  }

  /** A closed panel may throw on use; then it is forgotten until opened again. */
  private call(f: (h: AuditPanelHost) => void): void {
    if (!this.host) return;
    try { f(this.host); } catch { this.host = undefined; this.shown = undefined; }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.host = undefined;
  }
}

function isActive(uri: vscode.Uri): boolean {
  return vscode.window.activeTextEditor?.document.uri.toString() === uri.toString();
}
