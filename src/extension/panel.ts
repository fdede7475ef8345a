/**
 * The audit panel on the host side: one webview panel per extension context, with a strict CSP
 * (scripts by nonce, resources from dist/ and media/ only), a ready handshake (nothing is posted
 * before the webview says `ready`; posts wait in a queue), every incoming message validated, and
 * a serializer so the panel comes back after a reload. No `retainContextWhenHidden`: the webview
 * keeps its view state with getState/setState, and the host re-sends the report on `ready`.
 *
 * The report goes as the audit made it (no row re-scored or copied: the webview re-scores it at
 * the margin it is told), in parts posted one per turn of the event loop (src/reportParts.ts),
 * so that showing a 100,000-row audit never blocks the extension host for long. A margin change
 * posts only the margin; a reviewed mark only the reviewed rows.
 */
import * as vscode from 'vscode';
import { makeNonce, renderWebviewHtml } from '../core/node/htmlReport';
import type { AuditReport, DistanceName } from '../core/types';
import {
  parseWebviewMessage, ReadyQueue, validationContext, type HostMessage, type ValidationContext, type WebviewMessage,
} from '../protocol';
import { splitReport } from '../reportParts';
import type { AuditPanelHost, PanelEvents } from './panelApi';

const MARGIN_DEBOUNCE_MS = 250;

/** Called when VS Code restores a panel after a reload; `fileUri` is the file it showed. */
export type RestoreHandler = (panel: AuditPanel, fileUri: string | undefined) => void;

export class AuditPanel implements AuditPanelHost, vscode.Disposable {
  static readonly viewType = 'tripletAudit.panel';

  /** Shows the context's panel, creating it when there is none. */
  static createOrShow(context: vscode.ExtensionContext, events: PanelEvents): AuditPanel {
    const existing = AuditPanel.of(context);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(AuditPanel.viewType, 'Triplet Audit',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, AuditPanel.webviewOptions(context));
    return new AuditPanel(panel, context, events);
  }

  /** Restores panels after a reload (register once, at activation). */
  static registerSerializer(context: vscode.ExtensionContext, events: PanelEvents, onRestore: RestoreHandler): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(AuditPanel.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        panel.webview.options = AuditPanel.webviewOptions(context);
        const restored = AuditPanel.of(context) ? undefined : new AuditPanel(panel, context, events);
        if (!restored) { panel.dispose(); return; }
        onRestore(restored, fileUriOf(state));
      },
    });
  }

  /** The panel lives in the context's subscriptions (disposed on deactivation); no module state. */
  private static of(context: vscode.ExtensionContext): AuditPanel | undefined {
    return context.subscriptions.find((d): d is AuditPanel => d instanceof AuditPanel && !d.disposed);
  }

  private static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
    };
  }

  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly queue: ReadyQueue<HostMessage>;
  private reportId = 0;
  private current: { fileUri: string; report: AuditReport; reviewed: ReadonlySet<number> } | undefined;
  /** Stops the report being posted in parts, if one is. */
  private stopStream: (() => void) | undefined;
  private validation: ValidationContext = validationContext(undefined, undefined);
  private margin: { margin: number; distance: DistanceName } | undefined;
  private busy: string | undefined;
  private marginTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly context: vscode.ExtensionContext,
    private readonly events: PanelEvents) {
    const webview = panel.webview;
    this.queue = new ReadyQueue((m) => { void this.post(m); });
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidChangeViewState(() => { if (!panel.visible) { this.queue.close(); this.stopStream?.(); } }),
      panel.onDidDispose(() => this.dispose()),
    );
    context.subscriptions.push(this);
  }

  showReport(fileUri: string, report: AuditReport, reviewed: ReadonlySet<number>): void {
    this.assertOpen();
    const before = this.current;
    this.current = { fileUri, report, reviewed: new Set(reviewed) };
    this.panel.title = `Triplet Audit: ${baseName(fileUri)}${report.files && report.files.length > 1 ? ` + ${report.files.length - 1} more` : ''}`;
    if (before?.fileUri === fileUri && before.report === report) {
      // the audit on show (or on its way): at most its reviewed marks changed; a webview that is
      // not ready gets everything on `ready`
      if (!sameRows(before.reviewed, reviewed) && this.queue.isOpen && this.validation.reportId !== undefined) {
        void this.post({ type: 'reviewed', reportId: this.validation.reportId, reviewed: [...reviewed] });
      }
      return;
    }
    this.sendReport();
  }

  setMargin(margin: number, distance: DistanceName): void {
    this.assertOpen();
    if (!Number.isFinite(margin) || margin <= 0) return;
    // the echo of the panel's own change (through settings) is not sent back
    if (this.margin && this.margin.margin === margin && this.margin.distance === distance) return;
    this.margin = { margin, distance };
    this.queue.post({ type: 'setMargin', margin, distance });
  }

  setBusy(message: string | undefined): void {
    this.assertOpen();
    this.busy = message;
    this.queue.post(message === undefined ? { type: 'busy' } : { type: 'busy', message });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.marginTimer !== undefined) clearTimeout(this.marginTimer);
    this.stopStream?.();
    this.queue.clear();
    const i = this.context.subscriptions.indexOf(this);
    if (i >= 0) this.context.subscriptions.splice(i, 1);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('The audit panel is closed.');
  }

  private post(m: HostMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }

  /**
   * Posts the current report to a ready webview under a new id: the start now, then one part per
   * turn of the event loop, each after the last one was delivered. A new report, a hidden panel
   * or a closed one stops it; the webview drops what it had of a report it gets no more parts of.
   */
  private sendReport(): void {
    this.stopStream?.();
    const c = this.current;
    if (!c || !this.queue.isOpen) {
      // nothing on show that a message could name
      this.validation = validationContext(undefined, undefined);
      return;
    }
    this.reportId++;
    this.validation = validationContext(this.reportId, c.report);
    const m = this.margin ?? { margin: c.report.settings.margin, distance: c.report.settings.distance };
    const split = splitReport(c.report, { reportId: this.reportId, fileUri: c.fileUri, margin: m.margin, distance: m.distance, reviewed: c.reviewed });
    let stopped = false;
    const stop = () => { stopped = true; };
    this.stopStream = stop;
    // setImmediate, not a resolved promise: the loop runs its timers and I/O between two parts
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    void (async () => {
      try {
        if (!(await this.post(split.start))) return;
        for (let k = 0; k < split.start.parts && !stopped; k++) {
          await nextTurn();
          if (stopped || !(await this.post(split.part(k)))) return;
        }
      } catch (e) {
        console.warn(`triplet-audit: posting the report to the panel stopped: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        if (this.stopStream === stop) this.stopStream = undefined;
      }
    })();
  }

  private receive(data: unknown): void {
    const parsed = parseWebviewMessage(data, this.validation);
    if (!parsed.ok) {
      console.warn(`triplet-audit: refused a message from the panel: ${parsed.reason}`);
      return;
    }
    this.handle(parsed.message);
  }

  private handle(m: WebviewMessage): void {
    const fileUri = this.current?.fileUri;
    switch (m.type) {
      case 'ready':
        // a (re)loaded webview has nothing: send the whole state (its margin is in the report's start), then post directly
        this.queue.close();
        this.queue.clear();
        this.queue.markReady();
        this.sendReport();
        if (this.busy !== undefined) this.queue.post({ type: 'busy', message: this.busy });
        break;
      case 'reveal':
        if (fileUri) this.events.reveal(fileUri, m.row, m.line);
        break;
      case 'applyFix':
        if (fileUri) this.events.applyFix(fileUri, m.row, m.fix, m.label, m.replacement);
        break;
      case 'marginChanged':
        this.margin = { margin: m.margin, distance: m.distance };
        if (this.marginTimer !== undefined) clearTimeout(this.marginTimer);
        this.marginTimer = setTimeout(() => {
          this.marginTimer = undefined;
          if (this.margin) this.events.marginChanged(this.margin.margin, this.margin.distance);
        }, MARGIN_DEBOUNCE_MS);
        break;
    }
  }
}

function sameRows(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  if (a.size !== b.size) return false;
  for (const r of a) if (!b.has(r)) return false;
  return true;
}

function fileUriOf(state: unknown): string | undefined {
  const uri = typeof state === 'object' && state !== null ? (state as { fileUri?: unknown }).fileUri : undefined;
  return typeof uri === 'string' ? uri : undefined;
}

function baseName(uri: string): string {
  const tail = uri.split('/').pop() ?? uri;
  try { return decodeURIComponent(tail); } catch { return tail; }
}
