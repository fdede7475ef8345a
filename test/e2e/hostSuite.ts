// The second suite: mocha inside the real extension host. The server starts an extension host only
// when a workbench connects, so a browser page is the thin client; the test runner's exit code
// reaches the page through `codeAutomationExit`, mocha's output through console messages.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import type { BrowserContext } from 'playwright-core';

export interface HostSuiteOptions { context: BrowserContext; url: string; port: number; root: string; workspace: string }

/** The suite's bundle, made by scripts/build.mjs (npm run package builds it before the suites run). */
export function bundleHostSuite(root: string): string {
  const outfile = join(root, 'out', 'e2e-host', 'index.js'); // under the repo, so `mocha` resolves from its node_modules
  if (!existsSync(outfile)) throw new Error(`${outfile} is missing: run node scripts/build.mjs`);
  return outfile;
}

/** Resolves with the extension host test runner's exit code (0: all passed). */
export async function runHostSuite(o: HostSuiteOptions, timeoutMs = 300_000): Promise<number> {
  const testsPath = bundleHostSuite(o.root);
  const remote = (p: string): string => `vscode-remote://127.0.0.1:${o.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(o.root)],
    ['extensionTestsPath', remote(testsPath)],
  ];
  const page = await o.context.newPage();
  try {
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((r) => { exit = r; });
    await page.exposeFunction('codeAutomationExit', (code: number) => { exit(code); });
    page.on('console', (msg) => {
      void Promise.all(msg.args().map((a) => a.jsonValue().catch(() => ''))).then((args: unknown[]) => {
        if (process.env.TA_E2E_DEBUG) console.log('  [console]', msg.type(), JSON.stringify(args).slice(0, 400));
        // The host's console.log arrives as ['%c INFO', css, ...args]; the reporter marks its lines.
        const text = format(...args.slice(2));
        if (text.startsWith('[ta-e2e] ')) console.log(`  [host] ${text.slice(9).trimEnd().replace(/\n/g, '\n  [host] ')}`);
      });
    });
    await page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((r) => { timer = setTimeout(() => r(-1), timeoutMs); });
    const code = await Promise.race([exited, timeout]);
    if (timer) clearTimeout(timer);
    if (code === -1) throw new Error(`the extension host tests did not finish within ${timeoutMs / 1000} s`);
    return code;
  } finally {
    await page.close().catch(() => undefined);
  }
}
