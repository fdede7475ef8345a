/**
 * Rows marked reviewed, kept in the sidecar `<file>.triplet-audit-reviewed.json` next to the data
 * (commit it to share the review). Marking is a WorkspaceEdit on the sidecar, so it can be undone;
 * edits, undo, saves and outside changes to the sidecar all refresh the marks.
 *
 * A sidecar that cannot be read (not JSON, no "reviewed" array: a merge conflict, a hand edit gone
 * wrong) gives a warning, and no mark is written over it until it is fixed: its marks are unknown,
 * and rewriting it would lose them. Entries that mark nothing, and fields a person added, are kept.
 */
import * as vscode from 'vscode';
import { SIDECAR_SUFFIX, emptyReviewed, parseReviewed, serializeReviewed, sidecarPath, withReviewed, type ParsedReviewed, type ReviewedEntry, type ReviewedFile } from './logic/reviewed';

/** Tells the user about a sidecar: `error` it cannot be read, else `warning`. */
export type SidecarWarn = (sidecar: vscode.Uri, message: string) => void;

const defaultWarn: SidecarWarn = (_sidecar, message) => { void vscode.window.showWarningMessage(`Triplet Audit: ${message}`); };

export class ReviewedStore implements vscode.Disposable {
  private readonly marks = new Map<string, ParsedReviewed>();
  /** What was last said about each sidecar, so that a reload of the same text does not say it again. */
  private readonly told = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires with the data file's URI when its reviewed marks change. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly warn: SidecarWarn = defaultWarn) {
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

  /** The sidecar's text read (never written): its marks, and a warning when it is not all usable. */
  private parse(sidecar: vscode.Uri, text: string): ParsedReviewed {
    const data = ReviewedStore.dataUri(sidecar);
    const name = data.path.split('/').pop() ?? '';
    const parsed: ParsedReviewed = text.trim() ? parseReviewed(text, name) : { value: emptyReviewed(name) };
    const sidecarName = sidecar.path.split('/').pop() ?? '';
    const message = parsed.error
      ? `the reviewed marks in ${sidecarName} cannot be read: ${parsed.error}. It is left as it is, and no mark is written to it until it is fixed (or deleted).`
      : parsed.warning ? `${sidecarName}: ${parsed.warning}.` : undefined;
    const key = sidecar.toString();
    if (message && this.told.get(key) !== message) this.warn(sidecar, message);
    if (message) this.told.set(key, message); else this.told.delete(key);
    this.marks.set(data.toString(), parsed);
    return parsed;
  }

  private fromText(sidecar: vscode.Uri, text: string): void {
    this.parse(sidecar, text);
    this.changed.fire(ReviewedStore.dataUri(sidecar));
  }

  private async reload(sidecar: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === sidecar.toString());
    if (open?.isDirty) return;
    this.fromText(sidecar, await readOrEmpty(sidecar));
  }

  private async load(data: vscode.Uri): Promise<ParsedReviewed> {
    const hit = this.marks.get(data.toString());
    if (hit) return hit;
    const sidecar = ReviewedStore.sidecarUri(data);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === sidecar.toString());
    return this.parse(sidecar, open ? open.getText() : await readOrEmpty(sidecar));
  }

  async get(data: vscode.Uri): Promise<ReviewedFile> {
    return (await this.load(data)).value;
  }

  async hashes(data: vscode.Uri): Promise<Set<string>> {
    return new Set((await this.get(data)).reviewed.map((e) => e.rowHash));
  }

  /**
   * The edit that adds `entry` to the sidecar (creating it when missing), or why there is none. The
   * sidecar is read afresh (its document, else the disk), so that a change not yet seen is kept.
   */
  async markEdit(data: vscode.Uri, entry: ReviewedEntry): Promise<{ ok: true; edit: vscode.WorkspaceEdit } | { ok: false; reason: string }> {
    const sidecar = ReviewedStore.sidecarUri(data);
    const edit = new vscode.WorkspaceEdit();
    const name = data.path.split('/').pop() ?? '';
    if (!(await exists(sidecar))) {
      edit.createFile(sidecar, { ignoreIfExists: true, contents: Buffer.from(serializeReviewed(withReviewed(emptyReviewed(name), entry)), 'utf8') });
      return { ok: true, edit };
    }
    const doc = await vscode.workspace.openTextDocument(sidecar);
    const parsed = this.parse(sidecar, doc.getText());
    if (parsed.error) {
      return { ok: false, reason: `The reviewed marks in ${sidecar.path.split('/').pop()} cannot be read (${parsed.error}); fix or delete that file, then mark the row again.` };
    }
    edit.replace(sidecar, doc.validateRange(new vscode.Range(0, 0, doc.lineCount, 0)), serializeReviewed(withReviewed(parsed.value, entry)));
    return { ok: true, edit };
  }

  /** Saves the sidecar after a mark, so that the mark is on disk (and can be committed). */
  async save(data: vscode.Uri): Promise<void> {
    const sidecar = ReviewedStore.sidecarUri(data);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === sidecar.toString());
    if (doc?.isDirty) await doc.save();
    await this.reload(sidecar);
  }

  forget(): void { this.marks.clear(); this.told.clear(); }

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
