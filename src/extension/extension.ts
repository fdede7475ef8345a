/**
 * The extension host side of Triplet Audit: wires the worker runner, the audits, the editor
 * features (diagnostics, hover, quick fixes, status bar, navigation) and the panel together.
 * Activated only by its commands and its panel; everything it creates is disposed with it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobRequest } from './worker/protocol';
import { AuditController } from './auditController';
import { AuditRunner } from './auditRunner';
import { AUDIT_NICENESS, startJobProcess } from './jobProcess';
import { AuditCodeActions } from './codeActions';
import { COMMANDS, panelEvents, registerCommands, type CommandDeps } from './commands';
import { AuditDiagnostics } from './diagnostics';
import { AuditHover } from './hover';
import { AuditPanel } from './panel';
import { PanelBridge } from './panelBridge';
import { ReviewedStore } from './reviewedStore';
import { readSettings, SECTION } from './settings';
import { AuditStatusBar } from './statusBar';

const DATA_FILES: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.{csv,tsv,jsonl,json}' },
];

/**
 * What activate() returns (`vscode.extensions.getExtension(...).exports`): read-only counters,
 * for the extension-host tests (test/e2e/host) to see what runs, not to drive anything.
 */
export interface TripletAuditApi {
  /** Jobs (dist/worker.js in a child process, one per job) alive now; a cancelled audit's is gone at once. */
  readonly runningJobs: number;
  /** The process ids of those jobs. */
  readonly jobPids: readonly number[];
  /** The stage (read, featurize, train, ...) an audit in flight last reported, if any. */
  readonly auditStage: string | undefined;
  /** Jobs started since activation, by type: `start` is an audit that trains, `digest` a label check. */
  jobsStarted(type: JobRequest['type']): number;
  /** The last error message an audit showed, word for word, and the last warning about a reviewed-marks file. */
  readonly lastError: string | undefined;
  readonly lastWarning: string | undefined;
  /** Milliseconds this extension took to activate: loading its bundle (from its first line), and activate() itself. */
  readonly activation: { loadMs?: number; activateMs: number };
}

/** Set by the bundle's first line (scripts/build.mjs); absent when this module runs unbundled. */
declare const __tripletAuditLoadStart: number | undefined;

export function activate(context: vscode.ExtensionContext): TripletAuditApi {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('Triplet Audit');
  // each job in a process of its own, at a low priority, so that the editor comes first
  const runner = new AuditRunner(() => startJobProcess(path.join(context.extensionPath, 'dist', 'worker.js'), AUDIT_NICENESS));
  let lastWarning: string | undefined;
  const store = new ReviewedStore((_sidecar, message) => {
    lastWarning = `Triplet Audit: ${message}`;
    void vscode.window.showWarningMessage(lastWarning);
  });
  const controller = new AuditController(runner, store, output);
  const deps: CommandDeps = { controller, runner, store, panel: () => bridge };
  const events = panelEvents(deps);
  const bridge = new PanelBridge(context, controller, events);
  context.subscriptions.push(
    output, { dispose: () => runner.dispose() }, store, controller, bridge,
    AuditPanel.registerSerializer(context, events, (panel, fileUri) => bridge.adopt(panel, fileUri)),
    new AuditDiagnostics(controller),
    new AuditStatusBar(controller, COMMANDS.openPanel),
    vscode.languages.registerHoverProvider(DATA_FILES, new AuditHover(controller)),
    vscode.languages.registerCodeActionsProvider(DATA_FILES, new AuditCodeActions(controller, store), AuditCodeActions.metadata),
    ...registerCommands(deps),
    vscode.workspace.onDidSaveTextDocument((doc) => { void controller.onSaved(doc); }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const rescore = ['margin', 'distance', 'severity'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
      if (!rescore) return;
      controller.rescoreAll();
      const s = readSettings();
      bridge.setMargin(s.margin, s.distance);
    }),
  );
  const activation = {
    loadMs: typeof __tripletAuditLoadStart === 'number' ? activateStart - __tripletAuditLoadStart : undefined,
    activateMs: performance.now() - activateStart,
  };
  return {
    activation,
    get runningJobs() { return runner.running; },
    get jobPids() { return runner.pids; },
    get auditStage() { return controller.auditStage; },
    get lastError() { return controller.lastError; },
    get lastWarning() { return lastWarning; },
    jobsStarted: (type) => runner.started(type),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions, disposed by VS Code.
}
