/**
 * The audits the extension holds, one per file: runs them in the worker (with a cancellable
 * progress notification), caches them per file and content, re-scores them when the margin or
 * distance changes, refreshes labels without re-training on save, and applies reviewed marks.
 * Everything that shows results (diagnostics, status bar, panel) listens to `onDidChange`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ScoredView } from '../core/scoredView';
import type { Progress, Stage } from '../core/engineApi';
import type { AuditReport } from '../core/types';
import { AuditRunner, JobError, type JobHooks } from './auditRunner';
import { hashFile } from './fileHash';
import { AuditCache, retrainKey } from './logic/auditCache';
import { auditTables } from './logic/auditTables';
import { FindingTable } from './logic/findingTable';
import { fileDigest, fileReport, groupKey } from './logic/groups';
import { refreshLabels } from './logic/labelRefresh';
import { reviewedRows } from './logic/reviewed';
import { labelOnlyChanges, type FileDigest } from './logic/rowDigest';
import { throttle } from './logic/throttle';
import type { ReviewedStore } from './reviewedStore';
import { readSettings } from './settings';

export interface FileAudit {
  readonly uri: vscode.Uri;
  /** The report as the engine (or a label refresh) made it, in its own margin and distance. */
  readonly audited: AuditReport;
  /** What the audited text was, row by row: guards edits, detects label-only changes. */
  readonly digest: FileDigest;
  readonly retrain: string;
  readonly source: 'audit' | 'cache' | 'label-refresh';
  /**
   * `audited` re-scored at the current margin and distance: category codes and flag bits per row
   * and the summary; a row object (`view.row(i)`) or the whole report (`view.report()`) is built
   * only when asked for, so a margin change costs a pass over typed arrays, not 100,000 objects.
   */
  readonly view: ScoredView;
  /** Row numbers marked reviewed. */
  readonly reviewed: ReadonlySet<number>;
  /** Which rows raise which findings at the current margin, as bits (findings.flagged(i)); a Finding and its message are made only where shown. */
  readonly findings: FindingTable;
  /** row number → index into the report's rows (and the digest's). */
  readonly index: ReadonlyMap<number, number>;
  /** Set when the file was audited with others (a multi-file audit): `audited` holds this file's rows. */
  readonly group?: GroupAudit;
}

/** The files of a multi-file audit and its whole report (every file's rows; `files` says whose). */
export interface GroupAudit {
  readonly key: string;
  readonly uris: readonly vscode.Uri[];
  readonly report: AuditReport;
  /** This file's index in `uris` and `report.files`. */
  readonly index: number;
}

/** The shortest time between two progress updates of the notification and the status bar. */
const PROGRESS_EVERY_MS = 100;

export class AuditController implements vscode.Disposable {
  private readonly audits = new Map<string, FileAudit>();
  private readonly cache = new AuditCache<{ report: AuditReport; digest: FileDigest }>(16);
  private readonly running = new Map<string, AbortController>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  private readonly busyChanged = new vscode.EventEmitter<string | undefined>();
  private readonly disposables: vscode.Disposable[];
  private latestKey: string | undefined;
  private stage: Stage | undefined;
  private shownError: string | undefined;
  /** Fires with a file's URI when its results change, or undefined when all may have. */
  readonly onDidChange = this.changed.event;
  /** Fires with a progress line while an audit runs, undefined when it ends. */
  readonly onDidChangeBusy = this.busyChanged.event;

  constructor(private readonly runner: AuditRunner, private readonly reviewedStore: ReviewedStore,
    private readonly log: vscode.OutputChannel) {
    this.disposables = [this.changed, this.busyChanged, reviewedStore.onDidChange((u) => { void this.refreshReviewed(u); })];
  }

  get(uri: vscode.Uri): FileAudit | undefined { return this.audits.get(uri.toString()); }

  /** The last error message an audit showed, as shown (for the extension-host tests). */
  get lastError(): string | undefined { return this.shownError; }

  /** The stage the newest audit in flight last reported, if any. */
  get auditStage(): Stage | undefined { return this.stage; }

  /** The audit of the active editor's file, else the one shown last. */
  current(): FileAudit | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    return (active && this.get(active)) ?? (this.latestKey !== undefined ? this.audits.get(this.latestKey) : undefined);
  }

  all(): FileAudit[] { return [...this.audits.values()]; }

  /** Audits `uri`, from the cache when its content and re-train settings were audited before. */
  async audit(uri: vscode.Uri, force = false): Promise<FileAudit | undefined> {
    const s = readSettings(uri);
    const retrain = retrainKey(s.options);
    try {
      if (!force) {
        const hit = this.cache.get(uri.toString(), await hashFile(uri.fsPath), retrain);
        if (hit) return await this.install(uri, hit.report, hit.digest, retrain, 'cache');
      }
      const name = path.basename(uri.fsPath);
      const done = await this.withProgress(uri, `Triplet Audit: auditing ${name}`,
        (hooks) => this.runner.run({ type: 'start', file: uri.fsPath, options: s.options }, hooks));
      this.cache.set(uri.toString(), done.digest.contentHash, retrain, { report: done.report, digest: done.digest });
      this.log.appendLine(`${name}: audited ${done.report.rowCount} rows in ${(done.report.timings.total ?? 0).toFixed(1)} s (${done.report.model.description}).`);
      return await this.install(uri, done.report, done.digest, retrain, 'audit');
    } catch (e) {
      this.showError(e);
      return undefined;
    }
  }

  /**
   * Audits `uris` together, as one dataset with splits (a multi-file audit), from the cache when
   * their contents and the re-train settings were audited together before. Each file gets its
   * own FileAudit (its rows, its diagnostics); `group` ties them together.
   */
  async auditGroup(uris: readonly vscode.Uri[], force = false): Promise<FileAudit[] | undefined> {
    if (uris.length === 1) { const one = await this.audit(uris[0], force); return one && [one]; }
    const s = readSettings(uris[0]);
    const retrain = retrainKey(s.options);
    const key = groupKey(uris.map((u) => u.toString()));
    try {
      const hash = (await Promise.all(uris.map((u) => hashFile(u.fsPath)))).join(',');
      if (!force) {
        const hit = this.cache.get(key, hash, retrain);
        if (hit) return await this.installGroup(uris, hit.report, hit.digest, retrain, 'cache');
      }
      const names = uris.map((u) => path.basename(u.fsPath)).join(', ');
      const done = await this.withProgress(uris[0], `Triplet Audit: auditing ${names} together`,
        (hooks) => this.runner.run({ type: 'start', file: uris[0].fsPath, files: uris.map((u) => u.fsPath), options: s.options }, hooks));
      this.cache.set(key, hash, retrain, { report: done.report, digest: done.digest });
      this.log.appendLine(`${names}: audited ${done.report.rowCount} rows together in ${(done.report.timings.total ?? 0).toFixed(1)} s (${done.report.model.description}).`);
      return await this.installGroup(uris, done.report, done.digest, retrain, 'audit');
    } catch (e) {
      this.showError(e);
      return undefined;
    }
  }

  /**
   * Re-audit on save: nothing when the content is as audited; the cached result when this content
   * was audited before; a label refresh without re-training when only label fields changed;
   * otherwise a full audit.
   */
  async onSaved(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const prev = this.audits.get(key);
    const s = readSettings(doc.uri);
    if (!prev || !s.reauditOnSave || doc.uri.scheme !== 'file') return;
    const retrain = retrainKey(s.options);
    try {
      const hash = await hashFile(doc.uri.fsPath);
      if (hash === prev.digest.contentHash && retrain === prev.retrain) return;
      // a file audited with others: the files again, together (a cached result when they were audited so before)
      if (prev.group) { await this.auditGroup(prev.group.uris); return; }
      const hit = this.cache.get(key, hash, retrain);
      if (hit) { await this.install(doc.uri, hit.report, hit.digest, retrain, 'cache'); return; }
      if (retrain === prev.retrain && prev.audited.kind === 'labeled' && prev.audited.columns.label) {
        const { digest } = await this.runner.run({
          type: 'digest', file: doc.uri.fsPath, format: prev.audited.format, columns: prev.audited.columns,
          rows: prev.audited.rows.map(({ row, line, endLine }) => ({ row, line, endLine })),
        });
        const changes = labelOnlyChanges(prev.digest, digest);
        if (changes) {
          const report = refreshLabels(prev.audited, changes);
          this.cache.set(key, digest.contentHash, retrain, { report, digest });
          this.log.appendLine(`${path.basename(doc.uri.fsPath)}: ${changes.size} label(s) changed; flags refreshed from cached neighbours, no re-training.`);
          await this.install(doc.uri, report, digest, retrain, 'label-refresh');
          return;
        }
      }
    } catch (e) {
      this.showError(e);
      return;
    }
    await this.audit(doc.uri, true);
  }

  /** Margin, distance or severities changed: re-score every audit from its cached distances. */
  rescoreAll(): void {
    for (const a of this.audits.values()) this.audits.set(a.uri.toString(), this.derive(a));
    this.changed.fire(undefined);
  }

  /** Cancels the audits in flight. */
  cancelAll(): void {
    for (const ac of this.running.values()) ac.abort();
  }

  clear(): void {
    this.cancelAll();
    this.audits.clear();
    this.cache.clear();
    this.reviewedStore.forget();
    this.latestKey = undefined;
    this.changed.fire(undefined);
  }

  private async refreshReviewed(uri: vscode.Uri): Promise<void> {
    const a = this.get(uri);
    if (!a) return;
    const hashes = await this.reviewedStore.hashes(uri);
    const reviewed = reviewedRows(a.audited.rows, a.digest.rows, hashes);
    this.audits.set(uri.toString(), this.derive({ ...a, reviewed }));
    this.changed.fire(uri);
  }

  /** The audit at the current margin, distance and severities (the view is kept when only severities or marks changed). */
  private derive(a: Omit<FileAudit, 'findings'>): FileAudit {
    const s = readSettings(a.uri);
    const view = a.view.rescore(s.margin, s.distance);
    return { ...a, view, findings: new FindingTable(view, a.reviewed, s.severities, a.index) };
  }

  private async install(uri: vscode.Uri, report: AuditReport, digest: FileDigest, retrain: string,
    source: FileAudit['source'], group?: GroupAudit): Promise<FileAudit> {
    const { columns, index, reviewed } = await auditTables(report, digest.rows, await this.reviewedStore.hashes(uri));
    const audit = this.derive({
      uri, audited: report, digest, retrain, source,
      view: new ScoredView(columns, report.settings.margin, report.settings.distance), reviewed, index,
      ...(group ? { group } : {}),
    });
    this.audits.set(uri.toString(), audit);
    this.latestKey = uri.toString();
    this.changed.fire(uri);
    return audit;
  }

  /** Installs a multi-file audit: each file's rows as its own FileAudit, tied by `group`; the first file's is the latest. */
  private async installGroup(uris: readonly vscode.Uri[], report: AuditReport, digest: FileDigest, retrain: string,
    source: FileAudit['source']): Promise<FileAudit[]> {
    const files = report.files;
    if (!files || files.length !== uris.length) throw new Error(`internal: a report of ${files?.length ?? 1} files for ${uris.length}`);
    const key = groupKey(uris.map((u) => u.toString()));
    const out: FileAudit[] = [];
    for (let i = uris.length - 1; i >= 0; i--) {
      out[i] = await this.install(uris[i], fileReport(report, i), fileDigest(digest, files, i), retrain, source, { key, uris, report, index: i });
    }
    return out;
  }

  /** The audit that holds `row`: `uri`'s own, or, for a multi-file audit, the file of its group that has the row. */
  locate(uri: vscode.Uri, row: number): { audit: FileAudit; index: number } | undefined {
    const a = this.get(uri);
    if (!a) return undefined;
    const own = a.index.get(row);
    if (own !== undefined) return { audit: a, index: own };
    const r = a.group?.report.rows[row];
    const other = r?.row === row && r.file !== undefined ? a.group?.uris[r.file] : undefined;
    const b = other && this.get(other);
    const i = b && b.group?.key === a.group?.key ? b.index.get(row) : undefined;
    return b && i !== undefined ? { audit: b, index: i } : undefined;
  }

  private withProgress<T>(uri: vscode.Uri, title: string, job: (hooks: JobHooks) => Promise<T>): Thenable<T> {
    const key = uri.toString();
    this.running.get(key)?.abort();
    const ac = new AbortController();
    this.running.set(key, ac);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const sub = token.onCancellationRequested(() => ac.abort());
      let shown = 0;
      const name = path.basename(uri.fsPath);
      // the notification and the status bar follow the newest progress, at most ten times a second
      const show = throttle((p: Progress) => {
        const pct = Math.max(shown, Math.min(100, Math.round(p.fraction * 100)));
        progress.report({ increment: pct - shown, message: p.message });
        shown = pct;
        this.busyChanged.fire(`${pct}%`);
      }, PROGRESS_EVERY_MS);
      try {
        return await job({
          signal: ac.signal,
          onProgress: (p) => {
            this.stage = p.stage;
            show.push(p);
          },
          // a multi-file audit's problems name their file already
          onProblem: (line, message) => this.log.appendLine(/^[^:\s]+: line \d+/.test(message) ? message : `${name}:${line}: ${message.replace(/^line \d+: /, '')}`),
        });
      } finally {
        show.cancel();
        sub.dispose();
        if (this.running.get(key) === ac) this.running.delete(key);
        this.stage = undefined;
        this.busyChanged.fire(undefined);
      }
    });
  }

  private showError(e: unknown): void {
    if (e instanceof JobError && e.kind === 'cancelled') {
      void vscode.window.showInformationMessage('Triplet Audit: the audit was cancelled.');
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    this.log.appendLine(`error: ${message}`);
    const first = message.split('\n')[0];
    this.shownError = e instanceof JobError && e.kind === 'internal'
      ? `Triplet Audit failed: ${first} (details in the Triplet Audit output)` : `Triplet Audit: ${first}`;
    void vscode.window.showErrorMessage(this.shownError);
  }

  dispose(): void {
    this.cancelAll();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.audits.clear();
  }
}
