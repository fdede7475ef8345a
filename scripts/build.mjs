// The one build script: every bundle of the product is made here with esbuild.
//   node scripts/build.mjs [--watch] [--minify]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
const out = join(root, 'dist');
mkdirSync(out, { recursive: true });

const node = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, minify,
  // tfjs-node is optional and native: loaded at run time when present, never bundled.
  external: ['vscode', '@tensorflow/tfjs-node'],
  // tfjs's ESM entry points: their "main" (node) builds are not listed as having side effects,
  // so esbuild would drop the imports that register the backends' kernels.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};
const bundles = [
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { worker: 'src/extension/worker/jobWorker.ts' } },
  { ...node, entryPoints: { foldworker: 'src/core/node/foldWorker.ts' } },
  // the banner notes when the bundle starts loading, for the activation time the test API reports
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, banner: { js: '"use strict";\nvar __tripletAuditLoadStart = performance.now();' } },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, minify,
    entryPoints: { webview: 'webview/main.ts' }, logLevel: 'warning' },
  // the mocha suite that runs inside a real extension host (npm run test:e2e); not shipped
  { ...node, entryPoints: { index: 'test/e2e/host/index.ts' }, external: [...node.external, 'mocha'], outdir: 'out/e2e-host' },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(join(root, p))));

// The wasm backend loads its binaries from next to the bundle.
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(wasmDir, f), join(out, f));
}

const opts = bundles.map((b) => ({ ...b, absWorkingDir: root, outdir: b.outdir ? join(root, b.outdir) : out }));
if (watch) {
  for (const o of opts) await (await esbuild.context(o)).watch();
  console.log('watching...');
} else {
  await Promise.all(opts.map((o) => esbuild.build(o)));
  console.log(`built ${opts.map((o) => Object.keys(o.entryPoints)[0]).join(', ')} into dist/`);
}
