// Small helpers that drive the VS Code workbench the way a person does: keys, clicks, reading the DOM.
import type { Frame, Locator, Page } from 'playwright-core';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function attributes(loc: Locator, name: string): Promise<string[]> {
  const out: string[] = [];
  for (const el of await loc.all()) out.push((await el.getAttribute(name).catch(() => null)) ?? '');
  return out;
}

/** F1, type the title, Enter; retries until the command is listed (the extension host may still be starting). */
export async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await waitFor(`command "${title}" in the palette`, async () => {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await page.keyboard.type(title);
    await sleep(500);
    // The exact title: a renamed command ("Audit Active File (old)") must not count.
    const names = (await page.locator('.quick-input-list .monaco-list-row .label-name').allTextContents()).map((t) => t.trim());
    if (names.includes(title)) return true;
    await page.keyboard.press('Escape');
    await sleep(1000);
    return false;
  }, timeoutMs, 0);
  await page.keyboard.press('Enter');
}

export async function quickOpen(page: Page, name: string): Promise<void> {
  // up to three tries: right after a panel or a reload the keys can reach the workbench before the
  // quick input has the focus (a fresh-clone CI run saw the list without the file for 20 s)
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.click();
    await input.fill('');
    await page.keyboard.type(name);
    try {
      await waitFor(`"${name}" in quick open`, async () =>
        (await attributes(page.locator('.quick-input-list .monaco-list-row'), 'aria-label')).some((r) => r.includes(name)), 15_000);
      break;
    } catch (e) {
      if (attempt === 3) throw new Error(`${(e as Error).message} (3 tries; the input held ${JSON.stringify(await input.inputValue().catch(() => '?'))})`);
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/**
 * Makes the file the active editor: a click on its tab where one is open (a reload restores the
 * open editors, and quick open's file search can lag far behind: a fresh-clone CI run saw it miss
 * the file for three tries of 15 s after a reload), else quick open.
 */
export async function showEditor(page: Page, name: string): Promise<void> {
  const tab = page.locator('.editor-group-container .tab').filter({ has: page.locator('.label-name', { hasText: name }) }).first();
  if (await tab.count()) await tab.click();
  else await quickOpen(page, name);
  await waitFor(`${name} as the active tab`, async () => (await activeTabTitle(page)) === name, 20_000);
}

export async function activeTabTitle(page: Page): Promise<string> {
  const tab = page.locator('.editor-group-container.active .tab.active .label-name').first();
  return ((await tab.textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim();
}

/** Text of a status bar item by (part of) its id, e.g. 'status.editor.selection' or 'tripletAudit.status'. */
export async function statusItem(page: Page, idPart: string): Promise<string> {
  const loc = page.locator(`.statusbar-item[id*="${idPart}"]`).first();
  if ((await loc.count()) === 0) return '';
  return ((await loc.textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim();
}

export async function cursorLine(page: Page): Promise<number | undefined> {
  const m = /Ln (\d+)/.exec(await statusItem(page, 'status.editor.selection'));
  return m ? Number(m[1]) : undefined;
}

export async function notificationMessages(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
}

/** The webview frame (an iframe in an iframe; its URL contains fake.html) that holds `selector`. */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  return waitFor(`a webview frame holding ${selector}`, async () => {
    for (const f of page.frames()) {
      if (!f.url().includes('fake.html')) continue;
      if ((await f.locator(selector).count().catch(() => 0)) > 0) return f;
    }
    return undefined;
  }, timeoutMs);
}

export async function gotoLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 5000 });
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await waitFor(`cursor on line ${line}`, async () => (await cursorLine(page)) === line, 5000);
}

/** Ctrl+. and pick the code action whose label starts with `label`. */
export async function applyCodeAction(page: Page, label: string): Promise<void> {
  await page.keyboard.press('Control+.');
  const rows = page.locator('.action-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 10_000 });
  const texts = await rows.allTextContents();
  if (!texts.some((t) => t.startsWith(label))) throw new Error(`no code action "${label}" among ${JSON.stringify(texts)}`);
  // Arrow down to the action, then Enter (as a person with the keyboard would).
  for (let k = 0; k < texts.length + 2; k++) {
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    const text = (await focused.count()) > 0 ? ((await focused.first().textContent()) ?? '') : '';
    if (text.startsWith(label)) { await page.keyboard.press('Enter'); return; }
    await page.keyboard.press('ArrowDown');
    await sleep(100);
  }
  throw new Error(`could not focus the code action "${label}"`);
}
