// The hardening tests in the real extension host (issue 15): bad input shows the CLI's error word
// for word; two audits at once, the same file twice, the panel closed and reopened mid-audit, the
// job process killed with kill -9; a corrupt reviewed sidecar; random edits, undo and redo in the
// real editor. The workspace's extra files come from test/e2e/run.ts (copyHardeningFiles).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, promisify } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { TripletAuditApi } from '../../../src/extension/extension';
import { COMMANDS } from '../../../src/extension/logic/commandIds';
import { Rng } from '../../../src/core/rng';
import { processAlive } from '../../support/process';

const EXTENSION_ID = 'triplet-audit.triplet-audit';
const SOURCE = 'Triplet Audit';

function log(...args: unknown[]): void { console.log(`[ta-e2e] ${format(...args)}`); }
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs: number, everyMs = 50): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function api(): TripletAuditApi {
  const ext = vscode.extensions.getExtension<TripletAuditApi>(EXTENSION_ID);
  assert.ok(ext?.isActive, 'the extension is active (an earlier test activated it)');
  return ext.exports;
}

async function file(name: string): Promise<vscode.Uri> {
  const [uri] = await vscode.workspace.findFiles(name);
  assert.ok(uri, `${name} is not in the workspace (test/e2e/run.ts copies it)`);
  return uri;
}

function diagnostics(uri: vscode.Uri, kind?: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE
    && (kind === undefined || String(typeof d.code === 'object' ? d.code.value : d.code) === kind));
}

/** The CLI on `path`: exit code, the report's problems and invalid lines, or its one-line error. */
async function cli(path: string): Promise<{ code: number; error?: string; invalid?: number[] }> {
  const cliJs = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cliJs, path, '--format', 'json', '-q'],
      { maxBuffer: 64 << 20, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const report = JSON.parse(stdout) as { rows: Array<{ line: number; flags: string[] }> };
    return { code: 0, invalid: report.rows.filter((r) => r.flags.includes('invalid')).map((r) => r.line) };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, error: (err.stderr ?? '').trim().split('\n').at(-1)?.replace(/^triplet-audit: /, '') };
  }
}

/** Starts the audit command on `uri` without waiting for it (it ends with a message that stays until dismissed). */
function startAudit(uri: vscode.Uri): void {
  Promise.resolve(vscode.commands.executeCommand(COMMANDS.auditFile, uri)).catch((e: unknown) => log(`audit command failed: ${String(e)}`));
}

/** Resolves once the audit of `uri` has put its diagnostics up (any of them). */
function audited(uri: vscode.Uri, timeoutMs = 120_000): Promise<true> {
  return until(`the diagnostics of ${uri.fsPath}`, () => (diagnostics(uri).length > 0 ? true : undefined), timeoutMs);
}

/** Closes every editor tab of the audit panel. */
async function closePanelTabs(): Promise<number> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('tripletAudit.panel'));
  await vscode.window.tabGroups.close(tabs);
  return tabs.length;
}

function panelTabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('tripletAudit.panel')).map((t) => t.label);
}

export function addHardeningTests(suite: Mocha.Suite): void {
  suite.addTest(new Mocha.Test('bad input: the extension shows the CLI\'s one-line error word for word, and its invalid rows as diagnostics', async () => {
    const a = api();
    for (const name of ['bad/empty.csv', 'bad/two_classes_one_row_each.csv', 'bad/trailing_comma.json']) {
      const uri = await file(name);
      const expected = await cli(uri.fsPath);
      assert.equal(expected.code, 2, `the CLI refuses ${name}`);
      const before = a.lastError;
      await vscode.commands.executeCommand(COMMANDS.auditFile, uri);
      const shown = await until(`the error of ${name}`, () => (a.lastError !== before ? a.lastError : undefined), 60_000);
      assert.equal(shown, `Triplet Audit: ${expected.error}`);
      assert.equal(a.runningJobs, 0);
      log(`${name}: ${shown}`);
    }
    const ragged = await file('bad/ragged_rows.csv');
    const expected = await cli(ragged.fsPath);
    assert.equal(expected.code, 0);
    startAudit(ragged);
    await audited(ragged);
    await until('the invalid rows\' diagnostics', () => diagnostics(ragged, 'invalid').length === expected.invalid?.length, 10_000);
    assert.deepEqual(diagnostics(ragged, 'invalid').map((d) => d.range.start.line + 1).sort((x, y) => x - y), expected.invalid);
  }));

  suite.addTest(new Mocha.Test('two audits of different files at once, then the same file twice: each ends, the newer of a file wins, no job is left', async () => {
    const a = api();
    const [x, y] = [await file('small-a.csv'), await file('small-b.csv')];
    const started = a.jobsStarted('start');
    startAudit(x);
    startAudit(y);
    await until('two jobs at once', () => a.runningJobs === 2, 30_000, 10);
    const pids = [...a.jobPids];
    await Promise.all([audited(x), audited(y)]);
    await until('no running job', () => a.runningJobs === 0, 10_000);
    assert.equal(a.jobsStarted('start'), started + 2);
    for (const pid of pids) await until(`job ${pid} to end`, () => !processAlive(pid), 5_000);
    // the same file twice: the first is cancelled (its process ends), the second's result is shown
    const z = await file('small-c.csv');
    startAudit(z);
    const first = await until('the first audit\'s job', () => a.jobPids[0], 30_000, 10);
    startAudit(z);
    await until('the second audit\'s job', () => a.jobsStarted('start') === started + 4, 30_000, 10);
    await until(`the first job ${first} to end`, () => !processAlive(first), 5_000);
    await audited(z);
    await until('no running job', () => a.runningJobs === 0, 10_000);
    const once = diagnostics(z);
    assert.equal(new Set(once.map((d) => `${d.range.start.line}:${d.message}`)).size, once.length, 'no diagnostic twice');
    log(`two at once: jobs ${pids.join(', ')} ended; the same file twice: ${once.length} diagnostics, once each`);
  }));

  suite.addTest(new Mocha.Test('the panel closed and reopened mid-audit shows the audit when it ends', async () => {
    const a = api();
    const uri = await file('small-d.csv');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await vscode.commands.executeCommand(COMMANDS.openPanel);
    await until('the panel', () => panelTabLabels().length === 1, 10_000);
    Promise.resolve(vscode.commands.executeCommand(COMMANDS.auditActiveFile)).catch(() => undefined);
    await until('the audit\'s job', () => a.runningJobs > 0, 30_000, 10);
    assert.equal(await closePanelTabs(), 1);
    await sleep(300);
    await vscode.commands.executeCommand(COMMANDS.openPanel);
    await until('the panel again', () => panelTabLabels().length === 1, 10_000);
    await audited(uri);
    await until('the panel to show small-d.csv', () => panelTabLabels()[0] === 'Triplet Audit: small-d.csv', 10_000);
    assert.equal(a.runningJobs, 0);
    await closePanelTabs();
  }));

  suite.addTest(new Mocha.Test('the job process killed with kill -9 mid-audit: a clear error, no job left, and the next audit works', async () => {
    const a = api();
    const uri = await file('small-a.csv');
    await vscode.commands.executeCommand(COMMANDS.clearResults);
    const before = a.lastError;
    startAudit(uri);
    const pid = await until('the audit\'s job', () => a.jobPids[0], 30_000, 10);
    await until('the audit to read', () => a.auditStage !== undefined, 30_000, 10);
    process.kill(pid, 'SIGKILL');
    const shown = await until('the error', () => (a.lastError !== before ? a.lastError : undefined), 10_000);
    assert.match(shown ?? '', /^Triplet Audit failed: the audit's process was ended by SIGKILL before it finished \(killed from outside, or the system ran out of memory\); nothing was audited: audit the file again/);
    assert.equal(a.runningJobs, 0);
    assert.deepEqual(diagnostics(uri), []);
    startAudit(uri);
    await audited(uri);
    assert.equal(a.lastError, shown, 'no new error');
    log(`kill -9 of job ${pid}: "${shown}"; the next audit put up ${diagnostics(uri).length} diagnostics`);
  }));

  suite.addTest(new Mocha.Test('a corrupt reviewed sidecar: a warning, the mark refused with the reason, the file left as it was', async () => {
    const a = api();
    const uri = await file('small-b.csv');
    const sidecar = `${uri.fsPath}.triplet-audit-reviewed.json`;
    const corrupt = '<<<<<<< HEAD\n{"version": 1, "reviewed": [{"rowHash": "abc", "line": 4}]}\n=======\n';
    writeFileSync(sidecar, corrupt);
    await vscode.commands.executeCommand(COMMANDS.clearResults);
    const warned = a.lastWarning;
    startAudit(uri);
    await audited(uri);
    const warning = await until('the warning', () => (a.lastWarning !== warned ? a.lastWarning : undefined), 10_000);
    assert.match(warning ?? '', /the reviewed marks in small-b\.csv\.triplet-audit-reviewed\.json cannot be read: it is not JSON .*no mark is written to it until it is fixed/);
    const d = diagnostics(uri)[0];
    await vscode.workspace.openTextDocument(uri); // code actions are asked of an open document
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, undefined, 50);
    const mark = actions.find((x) => x.title.startsWith('Mark row'));
    assert.ok(mark, `no mark action among: ${actions.map((x) => x.title).join(' | ')}`);
    assert.equal(mark.edit, undefined, 'the mark would write the sidecar');
    assert.equal(mark.command?.command, COMMANDS.showRefusal);
    assert.match(String(mark.command?.arguments?.[0]), /cannot be read \(it is not JSON .*\); fix or delete that file, then mark the row again/);
    assert.equal(readFileSync(sidecar, 'utf8'), corrupt, 'the sidecar changed');
  }));

  suite.addTest(new Mocha.Test('random typing, relabels, undo and redo in the real editor (CSV, quoted, CRLF): always valid, the original bytes after undoing all', async () => {
    const a = api();
    const uri = await file('small-c.csv');
    // (an earlier test cleared the results: audit it again, so that its rows have fixes)
    if (!diagnostics(uri, 'mislabeled').length) { startAudit(uri); await audited(uri); }
    const disk = readFileSync(uri.fsPath);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    assert.equal(doc.eol, vscode.EndOfLine.CRLF);
    const original = doc.getText();
    const rng = new Rng(15);
    const valid = () => {
      const rows = parseCsv(doc.getText(), { skip_empty_lines: true }) as string[][];
      assert.ok(rows.every((r) => r.length === 2), 'a row with another number of fields');
    };
    let applied = 0, refused = 0, typed = 0, undone = 0;
    for (let step = 0; step < 40; step++) {
      const r = rng.next();
      if (r < 0.35) {
        // type a letter at the start of a random data line (before its first character: always inside the first field)
        const line = 1 + Math.floor(rng.next() * (doc.lineCount - 2));
        const text = doc.lineAt(line).text;
        if (!text || text.startsWith('"')) continue;
        await editor.edit((e) => e.insert(new vscode.Position(line, 0), 'q'));
        typed++;
      } else if (r < 0.7) {
        const flagged = diagnostics(uri, 'mislabeled');
        if (!flagged.length) continue;
        const d = flagged[Math.floor(rng.next() * flagged.length)];
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range);
        const relabel = actions.find((x) => x.title.startsWith('Relabel row'));
        if (!relabel) continue;
        if (relabel.edit) { assert.ok(await vscode.workspace.applyEdit(relabel.edit)); applied++; } else {
          assert.match(String(relabel.command?.arguments?.[0]), /changed since the audit/);
          refused++;
        }
      } else if (r < 0.9) { await vscode.commands.executeCommand('undo'); undone++; } else await vscode.commands.executeCommand('redo');
      valid();
    }
    for (let k = 0; k < 200 && doc.getText() !== original; k++) await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), original, 'undoing everything gives the original text');
    assert.ok(Buffer.from(doc.getText(), 'utf8').equals(disk), 'and the original bytes');
    assert.equal(doc.isDirty, false);
    assert.ok(readFileSync(uri.fsPath).equals(disk), 'the file on disk is untouched');
    assert.equal(a.runningJobs, 0);
    assert.ok(applied > 0 && typed > 0 && undone > 0, 'the run applied fixes, typed and undid');
    log(`real editor: ${typed} typed, ${applied} relabels applied, ${refused} refused (row changed), ${undone} undos; back to the original ${disk.length} bytes`);
  }));
}
