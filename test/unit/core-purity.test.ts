import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The pure core must run in Node, a worker and the webview: no vscode, no DOM, no Node outside core/node. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/core stays pure', () => {
  const core = join(__dirname, '..', '..', 'src', 'core');
  // import/export statements (at the start of a line, so not in comments) and require() calls
  const imports = (p: string) => [...readFileSync(p, 'utf8').matchAll(/^\s*(?:import|export)\b[^;'"]*?(?:from\s*)?['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]);

  it('no file under src/core imports vscode', () => {
    for (const f of files(core)) assert.ok(!imports(f).includes('vscode'), `${f} imports vscode`);
  });

  it('only src/core/node imports Node built-ins or csv-parse', () => {
    for (const f of files(core)) {
      if (f.includes(`${join('core', 'node')}`)) continue;
      const bad = imports(f).filter((m) => m.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'csv-parse', 'stream'].includes(m));
      assert.deepEqual(bad, [], `${f} imports ${bad.join(', ')}`);
    }
  });

  it('nothing under src/core imports from src/extension (the extension builds on the core, not the reverse)', () => {
    for (const f of files(core)) {
      const bad = imports(f).filter((m) => m.includes('extension/'));
      assert.deepEqual(bad, [], `${f} imports ${bad.join(', ')}`);
    }
  });

  it('no file under src/core uses the DOM', () => {
    for (const f of files(core)) {
      const src = readFileSync(f, 'utf8');
      assert.ok(!/\b(document|window)\./.test(src), `${f} uses the DOM`);
    }
  });
});
