import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../src');
const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);

describe('extension: pure modules', () => {
  it('src/extension/logic imports neither vscode nor Node (so mocha, the worker and the webview can use it)', () => {
    const dir = join(root, 'extension/logic');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const bad = imports(join(dir, f)).filter((m) => m === 'vscode' || m.startsWith('node:') || !m.startsWith('.'));
      assert.deepEqual(bad, [], `${f} imports ${bad.join(', ')}`);
    }
  });

  it('the worker, its protocol and the runner never import vscode', () => {
    for (const f of ['extension/worker/jobWorker.ts', 'extension/worker/protocol.ts', 'extension/auditRunner.ts', 'extension/fileHash.ts']) {
      assert.ok(!imports(join(root, f)).includes('vscode'), f);
    }
  });
});
