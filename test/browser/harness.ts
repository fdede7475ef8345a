/**
 * Drives the panel's webview bundle in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core): serves the same page the extension builds (same CSP) from a fake webview
 * origin, stubs `acquireVsCodeApi` (posts are recorded; state lives in sessionStorage so it
 * survives a reload, as VS Code keeps it), and plays the host's side of the protocol.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeNonce, renderWebviewHtml } from '../../src/core/node/htmlReport';
import type { AuditReport } from '../../src/core/types';
import type { DistanceName } from '../../src/core/types';
import type { HostMessage, WebviewMessage } from '../../src/protocol';
import { splitReport } from '../../src/reportParts';
import { DARK_MODERN_BODY, DARK_MODERN_VARS } from './darkModern';

export const ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const DATASETS = resolve(ROOT, '..', 'shared', 'datasets');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ORIGIN = 'https://webview.test';

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

let built = false;

/** Builds every bundle once per run, so the tests drive the current sources. */
export function build(): void {
  if (built) return;
  built = true;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

const audits = new Map<string, AuditReport>();

/** A real audit by the CLI, once per run (the JSON stays under test-artifacts/reports/ to look at). */
export function auditWithCli(dataset: string, args: string[] = []): AuditReport {
  const key = [dataset, ...args].join(' ');
  const done = audits.get(key);
  if (done) return structuredClone(done);
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: the engine is not built yet');
  const dir = join(ARTIFACTS, 'reports');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${basename(dataset)}.json`);
  const r = spawnSync(process.execPath, [cli, join(DATASETS, dataset), '--format', 'json', '--out', out, '-q', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`the CLI failed (${r.status}):\n${r.stderr}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as AuditReport;
  audits.set(key, report);
  return structuredClone(report);
}

export interface Browser { context: BrowserContext; close(): Promise<void> }

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'triplet-audit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1440, height: 1000 },
  });
  return {
    context,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/** What the page did that a test may want to check. */
export interface PageLog { dialogs: string[]; errors: string[]; requests: string[] }

export function watch(page: Page): PageLog {
  const log: PageLog = { dialogs: [], errors: [], requests: [] };
  page.on('dialog', (d) => { log.dialogs.push(d.message()); void d.dismiss(); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('request', (r) => log.requests.push(r.url()));
  return log;
}

function initScript(stubVsCode: boolean): string {
  return `(() => {
  const vars = ${JSON.stringify(DARK_MODERN_VARS)};
  const body = ${JSON.stringify(DARK_MODERN_BODY)};
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample), true);
  ${stubVsCode ? `
  window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called once');
    acquired = true;
    const KEY = 'vscode-state';
    return {
      postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => { const s = sessionStorage.getItem(KEY); return s ? JSON.parse(s) : undefined; },
      setState: (s) => { sessionStorage.setItem(KEY, JSON.stringify(s)); return s; },
    };
  };
  // what VS Code does to a webview: theme variables on <html>, theme class on <body>
  let rootDone = false;
  const apply = (observer) => {
    if (!rootDone && document.documentElement) {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      rootDone = true;
    }
    if (document.body) {
      document.body.classList.add(body.className);
      document.body.setAttribute('data-vscode-theme-kind', body.kind);
      document.body.setAttribute('data-vscode-theme-name', body.name);
      observer && observer.disconnect();
    }
  };
  new MutationObserver((_, o) => apply(o)).observe(document, { childList: true, subtree: true });` : ''}
})();`;
}

/** The panel as VS Code would host it: same page, same CSP, a stubbed VS Code API. */
export class PanelPage {
  private constructor(readonly page: Page, readonly log: PageLog) {}

  static async open(context: BrowserContext): Promise<PanelPage> {
    const page = await context.newPage();
    const log = watch(page);
    const html = renderWebviewHtml({
      cspSource: ORIGIN, nonce: makeNonce(), scriptUri: `${ORIGIN}/dist/webview.js`, styleUri: `${ORIGIN}/dist/webview.css`,
    });
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) { await route.abort(); return; }
      if (url.pathname === '/index.html') { await route.fulfill({ contentType: 'text/html', body: html }); return; }
      const file = join(ROOT, url.pathname);
      if (url.pathname.startsWith('/dist/') && existsSync(file)) {
        await route.fulfill({ contentType: file.endsWith('.css') ? 'text/css' : 'text/javascript', body: readFileSync(file) });
      } else await route.fulfill({ status: 404, body: '' });
    });
    await page.addInitScript(initScript(true));
    const panel = new PanelPage(page, log);
    await panel.load();
    return panel;
  }

  /** (Re)loads the page and waits for the webview's `ready`. */
  async load(reload = false): Promise<void> {
    if (reload) await this.page.reload(); else await this.page.goto(`${ORIGIN}/index.html`);
    await this.waitForPost((m) => m.type === 'ready');
  }

  /** Posts a host message to the page as VS Code does (passed as JSON: much faster for big reports). */
  async send(message: HostMessage): Promise<void> {
    await this.page.evaluate((json) => {
      (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(JSON.parse(json), '*');
    }, JSON.stringify(message));
  }

  /** Posts several host messages in one go, each as its own message event, in order. */
  async sendAll(messages: HostMessage[]): Promise<void> {
    await this.page.evaluate((json) => {
      for (const m of JSON.parse(json) as unknown[]) (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*');
    }, JSON.stringify(messages));
  }

  /** Sends a report as the host does: its start message, then its parts. */
  async sendReport(report: AuditReport, reportId = 1, options: ReportOptions = {}): Promise<void> {
    await this.sendAll(reportMessages(report, reportId, options));
  }

  /** sendReport, then wait until the table has drawn its rows. */
  async showReport(report: AuditReport, reportId = 1, options: ReportOptions = {}): Promise<void> {
    await this.sendReport(report, reportId, options);
    await this.page.waitForSelector('.grid-canvas .grid-row[data-position]');
  }

  async posted(): Promise<WebviewMessage[]> {
    return (await this.page.evaluate('window.__posted')) as WebviewMessage[];
  }

  async clearPosted(): Promise<void> { await this.page.evaluate('window.__posted.length = 0'); }

  async waitForPost(pred: (m: WebviewMessage) => boolean, timeout = 10_000): Promise<WebviewMessage> {
    const until = Date.now() + timeout;
    for (;;) {
      const hit = (await this.posted()).find(pred);
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`no matching message was posted; posted: ${JSON.stringify(await this.posted()).slice(0, 500)}`);
      await this.page.waitForTimeout(25);
    }
  }

  async cspViolations(): Promise<string[]> { return (await this.page.evaluate('window.__csp')) as string[]; }
}

/** The summary's counts as the panel shows them. */
export async function shownCounts(page: Page): Promise<Record<string, number>> {
  return (await page.evaluate(`Object.fromEntries([...document.querySelectorAll('[data-count]')]
    .map((e) => [e.dataset.count, Number(e.querySelector('vscode-badge').textContent)]))`)) as Record<string, number>;
}

/** The margin the panel uses, as its number field shows it. */
export async function shownMargin(page: Page): Promise<number> {
  return Number(await page.evaluate(`document.querySelector('.margin-field').value`));
}

/** Opens a toolkit dropdown (by its aria-label) and picks an option by its exact text. */
export async function choose(page: Page, dropdown: string, option: string): Promise<void> {
  const dd = page.locator(`vscode-dropdown[aria-label=${JSON.stringify(dropdown)}]`);
  await dd.click();
  await dd.getByRole('option', { name: option, exact: true }).click();
}

/** Polls a condition evaluated in the page (no string eval in the page: its CSP forbids it). */
export async function until(page: Page, expression: string, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await page.waitForTimeout(25);
  }
}

export async function elementCount(page: Page, selector: string): Promise<number> {
  return (await page.evaluate(`document.querySelectorAll(${JSON.stringify(selector)}).length`)) as number;
}

export interface ReportOptions {
  fileUri?: string;
  margin?: number;
  distance?: DistanceName;
  reviewed?: number[];
  /** Rows per part (the host's default when absent). */
  perPart?: number;
}

/** The messages the host posts for a report: the start, then every part (src/reportParts.ts). */
export function reportMessages(report: AuditReport, reportId = 1, options: ReportOptions = {}): HostMessage[] {
  const split = splitReport(report, {
    reportId, fileUri: options.fileUri ?? `file://${report.file}`, margin: options.margin ?? report.settings.margin,
    distance: options.distance ?? report.settings.distance, reviewed: options.reviewed ?? [],
  }, options.perPart);
  return [split.start, ...Array.from({ length: split.start.parts }, (_, k) => split.part(k))];
}
