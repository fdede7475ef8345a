/**
 * Rows marked reviewed, kept in the sidecar `<file>.triplet-audit-reviewed.json` next to the data
 * (commit it to share the review). Marking is a WorkspaceEdit on the sidecar, so it can be undone;
 * edits, undo, saves and outside changes to the sidecar all refresh the marks.
 */
import * as vscode from 'vscode';
import { SIDECAR_SUFFIX, emptyReviewed, parseReviewed, serializeReviewed, sidecarPath, withReviewed, type ReviewedEntry, type ReviewedFile } from './logic/reviewed';

export class ReviewedStore implements vscode.Disposable {
  private readonly marks = new Map<string, ReviewedFile>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires with the data file's URI when its reviewed marks change. */
  readonly onDidChange = this.changed.event;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/*${SIDECAR_SUFFIX}`);
    const reload = (u: vscode.Uri) => { void this.reload(u); };
    this.disposables.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.path.endsWith(SIDECAR_SUFFIX) && e.contentChanges.length) this.fromText(e.document.uri, e.document.getText());
      }));
  }

  static sidecarUri(data: vscode.Uri): vscode.Uri { return data.with({ path: sidecarPath(data.path) }); }

  private static dataUri(sidecar: vscode.Uri): vscode.Uri {
    return sidecar.with({ path: sidecar.path.slice(0, -SIDECAR_SUFFIX.length) });
  }

  private fromText(sidecar: vscode.Uri, text: string): void {
    const data = ReviewedStore.dataUri(sidecar);
    const name = data.path.split('/').pop() ?? '';
    this.marks.set(data.toString(), text.trim() ? parseReviewed(text, name).value : emptyReviewed(name));
    this.changed.fire(data);
  }

  private async reload(sidecar: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === sidecar.toString());
    if (open?.isDirty) return;
    this.fromText(sidecar, await readOrEmpty(sidecar));
  }

  async get(data: vscode.Uri): Promise<ReviewedFile> {
    const hit = this.marks.get(data.toString());
    if (hit) return hit;
    const sidecar = ReviewedStore.sidecarUri(data);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === sidecar.toString());
    const text = open ? open.getText() : await readOrEmpty(sidecar);
    const name = data.path.split('/').pop() ?? '';
    const value = text.trim() ? parseReviewed(text, name).value : emptyReviewed(name);
    this.marks.set(data.toString(), value);
    return value;
  }

  async hashes(data: vscode.Uri): Promise<Set<string>> {
    return new Set((await this.get(data)).reviewed.map((e) => e.rowHash));
  }

  /** The edit that adds `entry` to the sidecar (creating it when missing). */
  async markEdit(data: vscode.Uri, entry: ReviewedEntry): Promise<vscode.WorkspaceEdit> {
    const sidecar = ReviewedStore.sidecarUri(data);
    const next = serializeReviewed(withReviewed(await this.get(data), entry));
    const edit = new vscode.WorkspaceEdit();
    if (!(await exists(sidecar))) {
      edit.createFile(sidecar, { ignoreIfExists: true, contents: Buffer.from(next, 'utf8') });
    } else {
      const doc = await vscode.workspace.openTextDocument(sidecar);
      edit.replace(sidecar, doc.validateRange(new vscode.Range(0, 0, doc.lineCount, 0)), next);
    }
    return edit;
  }

  /** Saves the sidecar after a mark, so that the mark is on disk (and can be committed). */
  async save(data: vscode.Uri): Promise<void> {
    const sidecar = ReviewedStore.sidecarUri(data);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === sidecar.toString());
    if (doc?.isDirty) await doc.save();
    await this.reload(sidecar);
  }

  forget(): void { this.marks.clear(); }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

async function exists(u: vscode.Uri): Promise<boolean> {
  try { await vscode.workspace.fs.stat(u); return true; } catch { return false; }
}

async function readOrEmpty(u: vscode.Uri): Promise<string> {
  try { return Buffer.from(await vscode.workspace.fs.readFile(u)).toString('utf8'); } catch { return ''; }
}
