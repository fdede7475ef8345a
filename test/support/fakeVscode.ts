/**
 * A stand-in for the parts of the `vscode` module the audit panel (src/extension/panel.ts) uses,
 * and a way to load the panel against it: for the unit tests and bench/panel-host.ts, which
 * drive the real panel code in plain Node. `postMessage` records what the panel posts; a test
 * may replace `onPost` to do what VS Code does with each message (serialise it).
 */
type Listener<T> = (e: T) => void;
export class FakeEvent<T> {
  listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>) => { this.listeners.push(l); return { dispose: () => { this.listeners = this.listeners.filter((x) => x !== l); } }; };
  fire(e: T): void { for (const l of this.listeners.slice()) l(e); }
}

export interface FakeUri { path: string; toString(): string }
export const uri = (path: string): FakeUri => ({ path, toString: () => `vscode-resource:${path}` });

export class FakePanel {
  readonly posted: unknown[] = [];
  /** Called with each message the panel posts, before it is recorded (VS Code serialises it here). */
  onPost: (m: unknown) => void = () => undefined;
  readonly received = new FakeEvent<unknown>();
  readonly viewState = new FakeEvent<void>();
  readonly disposed = new FakeEvent<void>();
  visible = true;
  title = '';
  disposeCount = 0;
  readonly webview = {
    html: '',
    options: {} as unknown,
    cspSource: 'https://csp.source',
    asWebviewUri: (u: FakeUri) => uri(u.path),
    postMessage: (m: unknown) => { this.onPost(m); this.posted.push(m); return Promise.resolve(true); },
    onDidReceiveMessage: this.received.event,
  };
  readonly onDidChangeViewState = this.viewState.event;
  readonly onDidDispose = this.disposed.event;
  constructor(readonly viewType: string, readonly options: unknown) {}
  reveal(): void { /* shown */ }
  dispose(): void { this.disposeCount++; this.disposed.fire(); }
}

export function fakeVscode() {
  const panels: FakePanel[] = [];
  const serializers: { viewType: string; serializer: { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> } }[] = [];
  return {
    panels, serializers,
    module: {
      Uri: { joinPath: (base: FakeUri, ...parts: string[]) => uri([base.path, ...parts].join('/')) },
      ViewColumn: { Beside: -2 },
      window: {
        createWebviewPanel: (viewType: string, _title: string, _col: unknown, options: unknown) => {
          const p = new FakePanel(viewType, options);
          panels.push(p);
          return p;
        },
        registerWebviewPanelSerializer: (viewType: string, serializer: { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> }) => {
          serializers.push({ viewType, serializer });
          return { dispose: () => undefined };
        },
      },
    },
  };
}

type PanelModule = typeof import('../../src/extension/panel');
type Loader = { _load(request: string, parent: unknown, isMain: boolean): unknown };

/** Loads src/extension/panel.ts with `vscode` resolved to `fake`; `restore` puts the loader back. */
export function loadPanelWith(fake: ReturnType<typeof fakeVscode>): { AuditPanel: PanelModule['AuditPanel']; restore(): void } {
  const loader = require('node:module') as Loader;
  const originalLoad = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? fake.module : originalLoad.call(this, request, parent, isMain);
  };
  const { AuditPanel } = require('../../src/extension/panel') as PanelModule;
  return { AuditPanel, restore: () => { loader._load = originalLoad; } };
}
