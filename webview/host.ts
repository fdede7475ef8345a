/**
 * The panel's link to the extension host, or its stand-in in the standalone HTML report, where
 * `acquireVsCodeApi` does not exist: there the report comes from a JSON block in the page, and
 * nothing is posted (no editor to reveal rows in or fix them).
 */
import type { AuditReport } from '../src/core/types';
import { STANDALONE_REPORT_ID, type HostMessage, type WebviewMessage } from '../src/protocol';
import { splitReport } from '../src/reportParts';
import type { ColumnId, Filters, SortDir } from './rowView';

/** What the panel keeps across hiding and reloading (`getState` / `setState`). */
export interface PersistedState {
  v: 1;
  /** The file whose report this state belongs to; the panel serializer reopens it. */
  fileUri?: string;
  sort?: { column: ColumnId; dir: SortDir };
  filters?: Filters;
  /** Data-row index of the selected row. */
  selectedRow?: number;
  scrollTop?: number;
}

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code inside a webview only; absent in the standalone report.
  // eslint-disable-next-line no-var
  var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

export interface HostBridge {
  readonly standalone: boolean;
  post(message: WebviewMessage): void;
  loadState(): PersistedState | undefined;
  saveState(state: PersistedState): void;
  /** Delivers host messages (standalone: the embedded report once, in one part, asynchronously). */
  listen(handler: (message: HostMessage) => void): void;
}

const HOST_TYPES: readonly string[] = ['reportStart', 'reportPart', 'reviewed', 'setMargin', 'busy'];

function isHostMessage(v: unknown): v is HostMessage {
  return typeof v === 'object' && v !== null && HOST_TYPES.includes((v as { type?: unknown }).type as string);
}

function isState(v: unknown): v is PersistedState {
  return typeof v === 'object' && v !== null && (v as { v?: unknown }).v === 1;
}

export function connectHost(): HostBridge {
  const acquire = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi : undefined;
  if (acquire) {
    const api = acquire();
    return {
      standalone: false,
      post: (m) => api.postMessage(m),
      loadState: () => { const s = api.getState(); return isState(s) ? s : undefined; },
      saveState: (s) => api.setState(s),
      listen: (handler) => window.addEventListener('message', (e: MessageEvent<unknown>) => {
        if (isHostMessage(e.data)) handler(e.data);
      }),
    };
  }
  let memory: PersistedState | undefined;
  return {
    standalone: true,
    post: () => undefined,
    loadState: () => memory,
    saveState: (s) => { memory = s; },
    listen: (handler) => {
      const report = readEmbeddedReport();
      if (!report) return;
      // no host thread to spare here: the page has parsed the whole report already
      const split = splitReport(report, {
        reportId: 0, fileUri: report.file, margin: report.settings.margin, distance: report.settings.distance, reviewed: [],
      }, Math.max(1, report.rows.length));
      queueMicrotask(() => {
        handler(split.start);
        for (let k = 0; k < split.start.parts; k++) handler(split.part(k));
      });
    },
  };
}

function readEmbeddedReport(): AuditReport | undefined {
  const node = document.getElementById(STANDALONE_REPORT_ID);
  if (!node?.textContent) return undefined;
  return JSON.parse(node.textContent) as AuditReport;
}
