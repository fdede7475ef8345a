/**
 * The audit panel's entry point (bundled by scripts/build.mjs into dist/webview.js, for the
 * VS Code webview and for the standalone HTML report). It says `ready` to the host, then shows
 * each report the host sends: a start message and its parts (src/reportParts.ts), put back
 * together here while a loading line counts the rows; the report on show stays until the new one
 * is complete. Parts of any other report than the latest started are dropped.
 */
import {
  provideVSCodeDesignSystem, vsCodeBadge, vsCodeButton, vsCodeDropdown, vsCodeOption, vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import '../media/panel.css';
import type { HostMessage } from '../src/protocol';
import { ReportAssembly } from '../src/reportParts';
import { App, type ShownReport } from './app';
import { append, clear, el } from './dom';
import { connectHost, type HostBridge } from './host';
import { sameAudit } from './sameAudit';
import { Theme } from './theme';

/** Times building the panel for a report (the bench reads it). */
const RENDER_MEASURE = 'triplet-audit:render';

provideVSCodeDesignSystem().register(vsCodeBadge(), vsCodeButton(), vsCodeDropdown(), vsCodeOption(),
  vsCodeProgressRing(), vsCodeTextField());

class Panel {
  private app: App | undefined;
  /** The report arriving in parts, with the margin (used when no report is on show) and marks the host sent since it started. */
  private pending: { assembly: ReportAssembly; margin: number; distance: ShownReport['distance']; reviewed: readonly number[] } | undefined;
  private readonly loading: HTMLElement;
  private readonly root: HTMLElement;
  private readonly header: HTMLElement;
  private readonly title: HTMLElement;
  private readonly busy: HTMLElement;
  private readonly theme = new Theme();

  constructor(private readonly host: HostBridge) {
    document.body.classList.toggle('standalone', host.standalone);
    this.root = el('main', { class: 'panel' });
    this.header = el('header', { class: 'panel-header' });
    this.title = el('h1', {}, 'Triplet audit');
    this.busy = el('div', { class: 'busy', role: 'status', hidden: true });
    this.loading = el('div', { class: 'busy loading', role: 'status', hidden: true });
    append(this.header, this.title, this.busy, this.loading);
    if (host.standalone) this.header.appendChild(el('span', { class: 'muted standalone-note' }, 'Standalone report: editor links and fixes are off.'));
    const waiting = el('p', { class: 'muted waiting' }, 'Waiting for an audit report…');
    append(this.root, this.header, waiting);
    document.body.appendChild(this.root);
    host.listen((m) => this.receive(m));
    host.post({ type: 'ready' });
  }

  private receive(m: HostMessage): void {
    switch (m.type) {
      case 'reportStart': {
        // a newer report replaces one still arriving: its late parts are dropped by id
        let assembly: ReportAssembly;
        try { assembly = new ReportAssembly(m); } catch (e) { console.error(`triplet-audit: ${String(e)}`); break; }
        this.pending = { assembly, margin: m.margin, distance: m.distance, reviewed: m.reviewed };
        // the margin the host sends with a report is its latest: the report on show takes it now
        this.app?.hostMargin(m.margin, m.distance);
        this.progress();
        break;
      }
      case 'reportPart': {
        const p = this.pending;
        if (!p || !p.assembly.add(m)) break;
        this.progress();
        break;
      }
      case 'reviewed':
        if (this.pending?.assembly.reportId === m.reportId) this.pending.reviewed = m.reviewed;
        else if (this.app?.model.reportId === m.reportId) this.app.setReviewed(m.reviewed);
        break;
      case 'setMargin':
        if (this.pending) { this.pending.margin = m.margin; this.pending.distance = m.distance; }
        this.app?.hostMargin(m.margin, m.distance);
        break;
      case 'busy':
        clear(this.busy);
        this.busy.hidden = m.message === undefined;
        if (m.message !== undefined) append(this.busy, el('vscode-progress-ring', { 'aria-hidden': 'true' }), el('span', {}, m.message));
        break;
    }
  }

  /** Shows how much of the arriving report is in; shows the report once all of it is. */
  private progress(): void {
    const p = this.pending;
    if (!p) return;
    if (!p.assembly.complete) {
      const { received } = p.assembly, total = p.assembly.start.rowCount;
      this.loading.hidden = false;
      this.loading.textContent = `Loading the report… ${received.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`;
      const waiting = this.root.querySelector('.waiting');
      if (waiting) waiting.textContent = this.loading.textContent;
      return;
    }
    this.pending = undefined;
    this.loading.hidden = true;
    // the report on show has the latest margin: the host's (with the start, or setMargin since)
    // or one the user set while this report arrived, which the host is told and will not send back
    const at = this.app ? { margin: this.app.model.margin, distance: this.app.model.distance } : p;
    this.show({
      reportId: p.assembly.reportId, fileUri: p.assembly.start.fileUri, report: p.assembly.report(),
      margin: at.margin, distance: at.distance, reviewed: p.reviewed,
    });
  }

  private show(m: ShownReport): void {
    if (this.app && this.app.model.fileUri === m.fileUri && sameAudit(this.app.model.report, m.report)) {
      this.app.rescored(m.reportId, m.margin, m.distance);
      this.app.setReviewed(m.reviewed);
      return;
    }
    // a new audit of the same file keeps the view; a first report picks up the saved state
    const restored = this.app ? this.app.snapshot() : this.host.loadState();
    this.app?.dispose();
    this.root.querySelector('.waiting')?.remove();
    const start = performance.now();
    this.app = new App(m, this.host, this.theme, restored);
    // several files audited together: all their names
    this.title.textContent = `Triplet audit: ${m.report.files ? m.report.files.map((f) => fileName(f.path)).join(', ') : fileName(m.fileUri)}`;
    this.title.setAttribute('title', m.report.file);
    this.root.appendChild(this.app.element);
    this.host.saveState(this.app.snapshot());
    performance.clearMeasures(RENDER_MEASURE);
    performance.measure(RENDER_MEASURE, { start, end: performance.now() });
  }
}

function fileName(uri: string): string {
  const tail = uri.split(/[\\/]/).pop() ?? uri;
  try { return decodeURIComponent(tail); } catch { return tail; }
}

function start(): void { new Panel(connectHost()); }

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
