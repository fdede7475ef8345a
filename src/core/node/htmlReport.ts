/**
 * The pages that host the audit panel: the VS Code webview's (scripts by nonce, assets by URI)
 * and the standalone HTML report (`triplet-audit FILE --html out.html`), which inlines the same
 * bundle, its CSS and the report so that it works offline in any browser.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STANDALONE_REPORT_ID } from '../../protocol';
import type { AuditReport } from '../types';

/** A fresh nonce for a Content-Security-Policy: 128 bits from the OS's CSPRNG. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element: no `<` at all, so `</script>` cannot appear. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * JavaScript that is safe inside a <script> element. `<\/` and `\x3C` mean the same as `</` and
 * `<` in strings, templates and regular expressions, where these sequences occur in a bundle.
 */
export function scriptForHtml(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '\\x3C!--');
}

export interface WebviewPageParts {
  /** `webview.cspSource`: the origin the webview's resources are served from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title?: string;
}

/**
 * The policy of both pages: nothing by default; scripts only by nonce; styles from the webview's
 * own files, or by nonce (the toolkit reads the nonce from a `csp-nonce` meta for its one probe).
 */
export function contentSecurityPolicy(nonce: string, source?: string): string {
  const from = source ? `${source} ` : '';
  return [
    "default-src 'none'",
    `img-src ${from}data:`,
    `font-src ${from}data:`,
    `style-src ${from}'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** The skeleton both pages share: policy, nonce meta, viewport; `head` and `body` fill in the rest. */
function page(o: { csp: string; nonce: string; title: string; head: string; body: string; bodyClass?: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(o.csp)}">
<meta property="csp-nonce" content="${escapeHtml(o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.head}<title>${escapeHtml(o.title)}</title>
</head>
<body${o.bodyClass ? ` class="${o.bodyClass}"` : ''}>
${o.body}</body>
</html>
`;
}

/** The VS Code webview's page: everything it runs and shows comes from `dist/`. */
export function renderWebviewHtml(p: WebviewPageParts): string {
  return page({
    csp: contentSecurityPolicy(p.nonce, p.cspSource), nonce: p.nonce, title: p.title ?? 'Triplet audit',
    head: `<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">\n`,
    body: `<script nonce="${escapeHtml(p.nonce)}" src="${escapeHtml(p.scriptUri)}"></script>\n`,
  });
}

/** Where the built bundle lives: next to the CLI bundle (dist/), or dist/ from the sources. */
export function findWebviewAssets(dir?: string): { script: string; style: string } {
  const candidates = dir ? [dir] : [__dirname, join(__dirname, '..', '..', '..', 'dist')];
  for (const d of candidates) {
    const script = join(d, 'webview.js'), style = join(d, 'webview.css');
    if (existsSync(script) && existsSync(style)) return { script, style };
  }
  throw new Error(`webview.js / webview.css not found in ${candidates.join(' or ')}: run \`node scripts/build.mjs\` first`);
}

/**
 * A self-contained HTML report with the panel's UI. Dataset text stays data: the report is a JSON
 * block with every `<` escaped, and the page shows it with textContent only. No editor links.
 */
export function renderHtmlReport(report: AuditReport, opts: { title?: string; assetsDir?: string } = {}): string {
  const assets = findWebviewAssets(opts.assetsDir);
  const js = scriptForHtml(readFileSync(assets.script, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
  const css = readFileSync(assets.style, 'utf8').replace(/\/\*# sourceMappingURL=.*?\*\/\s*$/, '').replace(/<\/(style)/gi, '<\\/$1');
  const nonce = makeNonce();
  const title = opts.title ?? `Triplet audit: ${report.file.split(/[\\/]/).pop() ?? report.file}`;
  return page({
    csp: contentSecurityPolicy(nonce), nonce, title, bodyClass: 'standalone',
    head: `<meta name="color-scheme" content="dark light">\n<style nonce="${nonce}">\n${css}\n</style>\n`,
    body: `<script type="application/json" id="${STANDALONE_REPORT_ID}">${jsonForScript(report)}</script>\n<script nonce="${nonce}">\n${js}\n</script>\n`,
  });
}
