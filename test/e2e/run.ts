// `npm run test:e2e`: installs what it needs (idempotently), packages the VSIX, installs it into a
// fresh code-server, runs the UI suite in Debian's Chromium through playwright-core, then the mocha
// suite in the extension host on copies of ../shared/datasets (test/e2e/host/index.ts).
// Exits non-zero when any step fails; the last line is `N passed, M failed`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startCodeServer, installVsix, type CodeServer } from './server';
import { ensureAptPackages, ensureCodeServer, ROOT } from './setup';
import { runHostSuite } from './hostSuite';
import { runUi, type Step } from './ui';
import { plantSplits, readJsonl, writeSplits } from '../../bench/plantLeaks';

const CHROMIUM = '/usr/bin/chromium';
const SUITE_TIMEOUT_MS = 10 * 60_000;
const SHOTS = join(ROOT, 'test-artifacts', 'e2e');
/** Real data for the extension-host suite: shared/ lies beside the repo (as in CI's clone). */
const DATASETS = join(ROOT, '..', 'shared', 'datasets');
const HOST_DATASETS = ['trec_test.csv', 'ag_news_test.jsonl'];
/** The multi-file test: train / dev / test splits of AG News's first rows, with rows planted across them (bench/plantLeaks.ts). */
const SPLIT_ROWS = 1200, SPLIT_PLANTS = 20, SPLIT_SEED = 1;

const t0 = Date.now();
const steps: Step[] = [];
let server: CodeServer | undefined;
let context: BrowserContext | undefined;
let runDir: string | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await context?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    if (runDir) {
      try { copyFileSync(join(runDir, 'code-server.log'), join(SHOTS, 'code-server.log')); } catch { /* not started */ }
      rmSync(runDir, { recursive: true, force: true });
    }
  })().catch(() => undefined);
  return cleaning;
}

function chromiumVersion(): string {
  try { return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return 'unknown'; }
}

function finish(code: number): never {
  const passed = steps.filter((s) => s.ok).length;
  console.log(`Total time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`Chromium: ${chromiumVersion()}`);
  console.log(`${passed} passed, ${steps.length - passed} failed`);
  process.exit(code);
}

async function setupStep(name: string, body: () => Promise<void> | void): Promise<void> {
  const s0 = Date.now();
  try {
    await body();
    steps.push({ name, ok: true, detail: '', ms: Date.now() - s0 });
    console.log(`PASS ${name} (${((Date.now() - s0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    steps.push({ name, ok: false, detail: String(e), ms: Date.now() - s0 });
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

/** Bad inputs of test/fixtures/bad/ the extension-host suite audits (their CLI outcome is the expectation). */
const HOST_BAD = ['empty.csv', 'two_classes_one_row_each.csv', 'trailing_comma.json', 'ragged_rows.csv'];

/**
 * The hardening tests' files: bad inputs under bad/, and three 150-row copies of media/sample.csv
 * (CRLF, quoted fields) to audit at once, twice, with the panel closed, with the job killed.
 */
function copyHardeningFiles(workspace: string): void {
  mkdirSync(join(workspace, 'bad'));
  for (const name of HOST_BAD) copyFileSync(join(ROOT, 'test', 'fixtures', 'bad', name), join(workspace, 'bad', name));
  const lines = readFileSync(join(ROOT, 'media', 'sample.csv'), 'utf8').split(/\r?\n/).slice(0, 151).join('\r\n') + '\r\n';
  for (const name of ['small-a.csv', 'small-b.csv', 'small-c.csv', 'small-d.csv']) writeFileSync(join(workspace, name), lines);
}

/** Copies the host suite's datasets into `workspace`, writable (shared/ is read-only; a test edits one). */
function copyDatasets(workspace: string): void {
  if (!existsSync(DATASETS)) {
    throw new Error(`${DATASETS} is missing: the extension-host suite audits real datasets from ../shared/datasets, the shared/ folder beside this repository`);
  }
  for (const name of HOST_DATASETS) {
    const from = join(DATASETS, name);
    if (!existsSync(from)) throw new Error(`${from} is missing: the extension-host suite audits it`);
    copyFileSync(from, join(workspace, name));
    chmodSync(join(workspace, name), 0o644);
  }
  writeFileSync(join(workspace, TRIPLETS_FILE), randomNegatives(readFileSync(join(DATASETS, 'nli_triplets_snli_dev.jsonl'), 'utf8')));
  copySplits(join(workspace, 'splits'));
}

/** The host suite's triplet file: SNLI's first 400 triplets, every tenth negative another row's positive (a random negative). */
const TRIPLETS_FILE = 'snli_random_negatives.jsonl';
function randomNegatives(text: string): string {
  const rows = text.split('\n').filter(Boolean).slice(0, 400).map((l) => JSON.parse(l) as { anchor: string; positive: string; negative: string });
  rows.forEach((r, i) => { if (i % 10 === 5) r.negative = rows[(i + 200) % rows.length].positive; });
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** Copies the planted train / dev / test splits and truth.json into `dir` (made once, in the run folder). */
function copySplits(dir: string): void {
  if (!runDir) throw new Error('no run folder');
  const made = join(runDir, 'splits-made');
  if (!existsSync(made)) {
    const planted = plantSplits(readJsonl(join(DATASETS, 'ag_news_test.jsonl')).slice(0, SPLIT_ROWS), 'text', SPLIT_SEED, SPLIT_PLANTS);
    writeSplits(made, planted);
  }
  mkdirSync(dir, { recursive: true });
  for (const f of ['train.jsonl', 'dev.jsonl', 'test.jsonl']) copyFileSync(join(made, 'planted', f), join(dir, f));
  copyFileSync(join(made, 'truth.json'), join(dir, 'truth.json'));
}

async function main(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  await setupStep('install apt packages and code-server (if missing)', () => { ensureAptPackages(); ensureCodeServer(); });
  await setupStep('package the VSIX', () => {
    const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}${r.stderr}`);
  });
  runDir = mkdtempSync(join(tmpdir(), 'triplet-audit-e2e-'));
  const dir = runDir;
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  const file = join(workspace, 'sample.csv');
  copyFileSync(join(ROOT, 'media', 'sample.csv'), file);
  // audited in the reload step (a file not audited before, so that a job runs)
  copyFileSync(join(ROOT, 'media', 'sample.csv'), join(workspace, 'reload.csv'));
  // the UI's multi-selection: the same planted splits as the host suite's, at the workspace's root
  copySplits(workspace);
  await setupStep('install the VSIX into a fresh code-server', () => installVsix(dir, join(ROOT, 'triplet-audit.vsix')));
  let url = '';
  await setupStep('start code-server', async () => { server = await startCodeServer(dir); url = server.url; });
  await setupStep('start Chromium', async () => {
    context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: { width: 1500, height: 950 },
    });
  });
  if (!context) throw new Error('no browser');
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(30_000);
  const cli = join(ROOT, 'dist', 'cli.js');
  steps.push(...await runUi({ page, url, workspace, file, cli, shots: SHOTS }));
  await page.close();

  // Second suite: mocha in the extension host, on fresh copies of real datasets.
  const hostWorkspace = join(dir, 'workspace-host');
  mkdirSync(hostWorkspace);
  await setupStep(`copy ${HOST_DATASETS.join(' and ')} from ../shared/datasets, write ${TRIPLETS_FILE} from its SNLI triplets, and plant ${SPLIT_PLANTS} rows across train / dev / test splits of the first ${SPLIT_ROWS} of AG News`, () => copyDatasets(hostWorkspace));
  await setupStep('copy the hardening tests\' files (bad inputs, small copies of the sample)', () => copyHardeningFiles(hostWorkspace));
  const port = server?.port ?? 0;
  const browser = context;
  await setupStep('extension-host suite (mocha, extensionTestsPath)', async () => {
    const code = await runHostSuite({ context: browser, url, port, root: ROOT, workspace: hostWorkspace });
    if (code !== 0) throw new Error(`extension host tests exited with ${code}`);
  });
}

const watchdog = setTimeout(() => {
  console.log(`FAIL the suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes`);
  steps.push({ name: 'suite time limit', ok: false, detail: '', ms: 0 });
  void cleanup().then(() => finish(1));
}, SUITE_TIMEOUT_MS);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => { console.log(`interrupted (${sig})`); void cleanup().then(() => finish(130)); });
}

main()
  .catch((e: unknown) => { if (!steps.some((s) => !s.ok)) { steps.push({ name: 'suite', ok: false, detail: String(e), ms: 0 }); console.log(`FAIL ${String(e)}`); } })
  .then(cleanup)
  .then(() => { clearTimeout(watchdog); finish(steps.length > 0 && steps.every((s) => s.ok) ? 0 : 1); });
