// Mocha inside the real extension host (code-server's), loaded through `extensionTestsPath`.
// Bundled by test/e2e/hostSuite.ts into out/e2e-host/index.js; `vscode` and `mocha` stay external.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/logic/commandIds';

const EXTENSION_ID = 'triplet-audit.triplet-audit';

async function until<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function run(): Promise<void> {
  // Mark the reporter's lines: they reach the test runner among the workbench's own console output.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]): void => { console.log(`[ta-e2e] ${format(...args)}`); };
  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false, reporter: 'spec' });
  const suite = Mocha.Suite.create(mocha.suite, 'Triplet Audit in the extension host');

  suite.addTest(new Mocha.Test('the extension is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  }));

  suite.addTest(new Mocha.Test('every command id is registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = Object.values(COMMANDS).filter((id) => !all.has(id));
    assert.deepEqual(missing, []);
  }));

  suite.addTest(new Mocha.Test('auditing sample.csv puts mislabel diagnostics on the CLI lines', async () => {
    const [file] = await vscode.workspace.findFiles('sample.csv');
    assert.ok(file, 'sample.csv not in the workspace');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    // The expectation: the extension's own command line on the same file, default settings.
    const cli = join(ext.extensionPath, 'dist', 'cli.js');
    const json = execFileSync(process.execPath, [cli, file.fsPath, '--format', 'json'],
      { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const report = JSON.parse(json.toString('utf8')) as { rows: { line: number; flags: string[] }[] };
    const expectedLines = report.rows.filter((r) => r.flags.includes('mislabeled')).map((r) => r.line);
    assert.ok(expectedLines.length > 0, 'the CLI flagged no row');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    // Not awaited: the command ends with an information message that stays until dismissed.
    void vscode.commands.executeCommand(COMMANDS.auditActiveFile);
    const lines = await until('mislabel diagnostics', () => {
      const found = vscode.languages.getDiagnostics(file)
        .filter((d) => d.source === 'Triplet Audit' && String(typeof d.code === 'object' ? d.code.value : d.code) === 'mislabeled')
        .map((d) => d.range.start.line + 1);
      return found.length > 0 ? found.sort((a, b) => a - b) : undefined;
    }, 120_000);
    assert.deepEqual(lines, expectedLines);
  }));

  return new Promise((resolveP, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host tests failed`)) : resolveP()));
  });
}
