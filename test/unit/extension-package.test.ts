import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/extension/logic/commandIds';

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  activationEvents: string[]; engines: { vscode: string };
  contributes: { commands: { command: string; category?: string }[]; configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> } };
};

describe('extension: package manifest', () => {
  it('ships every bundle the build makes except the CLI, and no source maps', () => {
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    const build = readFileSync(join(root, 'scripts/build.mjs'), 'utf8');
    // bundles into dist/ (a bundle with its own `outdir`, like the e2e host suite, is not shipped)
    const bundles = [...build.matchAll(/entryPoints: \{ (\w+):[^\n]*/g)].filter((m) => !m[0].includes('outdir:'))
      .map((m) => m[1]).filter((b) => b !== 'cli');
    assert.ok(bundles.includes('extension') && bundles.includes('worker'));
    for (const b of bundles) assert.ok(ignore.includes(`!dist/${b}.js`), `.vscodeignore must allow dist/${b}.js`);
    assert.equal(ignore[ignore.findIndex((l) => l && !l.startsWith('#'))], '**', 'allow-list: everything excluded first');
    assert.ok(!ignore.some((l) => l.startsWith('!') && l.endsWith('.map')));
  });

  it('contributes every command with the category, activates only on them and the panel', () => {
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.deepEqual([...contributed].sort(), Object.values(COMMANDS).sort());
    assert.ok(pkg.contributes.commands.every((c) => c.category === 'Triplet Audit'));
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.deepEqual(pkg.activationEvents.filter((e) => !contributed.includes(e.replace('onCommand:', ''))), ['onWebviewPanel:tripletAudit.panel']);
    assert.equal(pkg.engines.vscode, '^1.100.0');
  });

  it('describes every setting', () => {
    const props = pkg.contributes.configuration.properties;
    for (const k of ['margin', 'distance', 'columns', 'folds', 'k', 'seed', 'backend', 'maxRows', 'reauditOnSave']) {
      const p = props[`tripletAudit.${k}`];
      assert.ok(p && (p.description ?? p.markdownDescription), k);
    }
  });
});
