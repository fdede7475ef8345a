// The UI suite: a person's walk through Triplet Audit in a real VS Code (code-server) in Chromium.
// Each step saves a screenshot under test-artifacts/e2e/. After a failed step the rest are not run
// (they build on each other) and count as failed.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { AuditReport } from '../../src/core/types';
import { DEFAULT_SEVERITIES, findings } from '../../src/extension/logic/findings';
import {
  activeTabTitle, applyCodeAction, attributes, cursorLine, gotoLine, notificationMessages,
  runCommand, showEditor, sleep, statusItem, waitFor, webviewFrame,
} from './workbench';

export interface Step { name: string; ok: boolean; detail: string; ms: number }

export interface UiOptions { page: Page; url: string; workspace: string; file: string; cli: string; shots: string }

/** The audit job processes of the installed extension now running (Linux: /proc), by their id. */
function jobProcesses(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes('triplet-audit.triplet-audit') && cmd.includes('dist/worker.js')) out.push(Number(name));
    } catch { /* gone */ }
  }
  return out;
}

type Counts = Record<string, number>;

/** easy / semi-hard / hard at margin m (README: easy when d(a,p) + m <= d(a,n), hard when d(a,n) <= d(a,p)). */
function categoryCounts(report: AuditReport, m: number): { easy: number; semiHard: number; hard: number } {
  const c = { easy: 0, semiHard: 0, hard: 0 };
  for (const r of report.rows) {
    if (r.dAP === null || r.dAN === null) continue;
    if (r.dAN <= r.dAP) c.hard += 1;
    else if (r.dAP + m <= r.dAN) c.easy += 1;
    else c.semiHard += 1;
  }
  return c;
}

async function panelCounts(frame: Frame): Promise<Counts> {
  const out: Counts = {};
  const boxes = frame.locator('.summary .count[data-count]');
  for (const box of await boxes.all()) {
    const key = (await box.getAttribute('data-count')) ?? '';
    out[key] = Number(((await box.locator('.count-value').textContent()) ?? '').trim());
  }
  return out;
}

/** The data rows whose label media/SAMPLE.md says was changed on purpose. */
function plantedRows(): number[] {
  const md = readFileSync(join(__dirname, '..', '..', 'media', 'SAMPLE.md'), 'utf8');
  return [...md.matchAll(/^\| (\d+) \| \d+ \|/gm)].map((m) => Number(m[1]));
}

/** The command line's report on `file`, with the default settings (the extension's defaults too). */
export function cliReport(cli: string, file: string | string[]): AuditReport {
  const json = execFileSync(process.execPath, [cli, ...(Array.isArray(file) ? file : [file]), '--format', 'json'], { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(json.toString('utf8')) as AuditReport;
}

export async function runUi(o: UiOptions): Promise<Step[]> {
  const { page } = o;
  const original = readFileSync(o.file);
  const originalLines = original.toString('utf8').split('\n');
  // The expectation comes from the command line on the same file, with the same (default) settings.
  const report = cliReport(o.cli, o.file);
  const mislabeled = report.rows.filter((r) => r.flags.includes('mislabeled'));
  const expectedLines = mislabeled.map((r) => r.line);
  let target = mislabeled[0];
  let panelBefore: Counts = {};
  let panel: Frame | undefined;

  const steps: Step[] = [];
  let failed = false;
  let n = 0;
  const step = async (name: string, body: () => Promise<string>): Promise<void> => {
    n += 1;
    const t0 = Date.now();
    if (failed) { steps.push({ name, ok: false, detail: 'not run: an earlier step failed', ms: 0 }); return; }
    let ok = true;
    let detail: string;
    try { detail = await body(); } catch (e) { ok = false; failed = true; detail = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e); }
    const shot = join(o.shots, `${String(n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    await page.screenshot({ path: shot }).catch(() => undefined);
    steps.push({ name, ok, detail, ms: Date.now() - t0 });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ''}`);
  };
  const check = (cond: boolean, message: string): void => { if (!cond) throw new Error(message); };

  await step('workbench loads the workspace', async () => {
    await page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sample.csv' }).waitFor({ timeout: 60_000 });
    return `CLI expects ${mislabeled.length} mislabeled rows of ${report.rowCount}`;
  });

  await step('open sample.csv', async () => {
    await showEditor(page, 'sample.csv');
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor({ timeout: 20_000 });
    return '';
  });

  await step('Audit Active File shows progress and finishes', async () => {
    await runCommand(page, 'Triplet Audit: Audit Active File');
    const t0 = Date.now();
    await waitFor('the progress notification', async () =>
      (await notificationMessages(page)).some((m) => m.includes('auditing sample.csv')), 30_000, 50);
    const seenAfter = Date.now() - t0;
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'visible', timeout: 2000 }).catch(() => undefined);
    await sleep(300); // the toast slides in
    await page.screenshot({ path: join(o.shots, '03a-progress.png') }).catch(() => undefined);
    await waitFor('the progress notification to close', async () =>
      !(await notificationMessages(page)).some((m) => m.includes('auditing sample.csv')), 300_000);
    const status = await waitFor('the status bar counts', async () => {
      const s = await statusItem(page, 'tripletAudit.status');
      return s.includes('mislabeled') ? s : undefined;
    }, 30_000);
    check(status.includes(`${report.summary.mislabeled} mislabeled`), `status bar "${status}" != CLI ${report.summary.mislabeled} mislabeled`);
    return `progress seen after ${seenAfter} ms; done in ${((Date.now() - t0) / 1000).toFixed(1)} s; status bar: ${status}`;
  });

  await step('Problems panel shows the mislabels on the CLI lines', async () => {
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Control+F');
    await page.keyboard.type('Suspected mislabel');
    let last = '';
    const seen = await waitFor('mislabel rows in the Problems panel (filtered, settled)', async () => {
      const labels = await attributes(page.locator('.markers-panel .monaco-list-row'), 'aria-label');
      const lines = labels.filter((l) => l.includes('Suspected mislabel')).map((l) => Number(/at line (\d+)/i.exec(l)?.[1] ?? NaN));
      const key = lines.join(',');
      const settled = key === last && lines.length >= Math.min(5, expectedLines.length);
      last = key;
      return settled ? lines : undefined;
    }, 20_000, 500);
    // The list is virtualized: the visible rows must be the first expected lines, in order.
    check(seen.every((line, i) => line === expectedLines[i]), `Problems lines ${seen.join(',')} != CLI lines ${expectedLines.slice(0, seen.length).join(',')}`);
    const problems = await statusItem(page, 'status.problems');
    // The Problems panel holds what is likely wrong (margin violations are off by default): at most
    // 60 entries on the sample, its planted labels among them as far as the audit finds them.
    const entries = findings(report, new Set(), DEFAULT_SEVERITIES);
    const shown = (problems.match(/\d+/g) ?? []).map(Number).reduce((a, b) => a + b, 0);
    check(shown === entries.length, `status bar problems "${problems}" (${shown}) != ${entries.length} findings of the CLI report at the default severities`);
    check(entries.length <= 60, `${entries.length} Problems entries on the sample at the defaults (at most 60)`);
    const planted = plantedRows();
    const caught = planted.filter((row) => entries.some((f) => f.row === row && f.kind === 'mislabeled'));
    const flagged = planted.filter((row) => report.rows[row].flags.includes('mislabeled'));
    check(planted.length === 20 && caught.length === flagged.length && caught.length >= 10,
      `planted labels among the Problems entries: ${caught.length} of ${planted.length} (the CLI flags ${flagged.length})`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+J'); // hide the panel area again: room for the audit panel
    return `lines ${seen.join(',')} (CLI: ${expectedLines.slice(0, seen.length).join(',')}, …); status bar problems: ${problems}; ` +
      `${entries.length} entries, ${caught.length} of the ${planted.length} planted labels among them`;
  });

  await step('panel opens with the summary', async () => {
    await runCommand(page, 'Triplet Audit: Open Audit Panel');
    panel = await webviewFrame(page, '.summary .count[data-count="mislabeled"] .count-value');
    const frame = panel;
    panelBefore = await waitFor('the summary counts', async () => {
      const c = await panelCounts(frame);
      return c.mislabeled === report.summary.mislabeled ? c : undefined;
    }, 20_000).catch(async () => { throw new Error(`panel counts ${JSON.stringify(await panelCounts(frame))} != CLI summary ${JSON.stringify(report.summary)}`); });
    check(panelBefore.hard === report.summary.hard && panelBefore.semiHard === report.summary.semiHard,
      `panel ${JSON.stringify(panelBefore)} != CLI ${JSON.stringify(report.summary)}`);
    return JSON.stringify(panelBefore);
  });

  await step('setting the margin in the panel changes the counts', async () => {
    if (!panel) throw new Error('no panel');
    const frame = panel;
    // A margin that moves rows between categories on this data (distances from the CLI report).
    const margin = [1, 0.05, 0.5, 0.01].find((m) => { const c = categoryCounts(report, m); return c.easy !== panelBefore.easy || c.semiHard !== panelBefore.semiHard; });
    if (margin === undefined) throw new Error('no candidate margin changes the categories of this data');
    const expected = categoryCounts(report, margin);
    // The number field is a <vscode-text-field>; its input lives in an open shadow root. Locator
    // actions focus that input first, so no keystroke can land in the editor.
    const field = frame.locator('.margin-field input');
    await field.click();
    await field.fill(String(margin));
    await field.press('Enter');
    const after = await waitFor('the counts to change', async () => {
      const c = await panelCounts(frame);
      return c.hard !== panelBefore.hard || c.semiHard !== panelBefore.semiHard || c.easy !== panelBefore.easy ? c : undefined;
    }, 15_000);
    const setting = ((await frame.locator('.count-setting').textContent()) ?? '').trim();
    check(setting.includes(`m = ${margin} `), `panel setting "${setting}" does not show margin ${margin}`);
    // Rows on a category boundary may round either way: allow one row of difference.
    const close = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) <= 1;
    check(close(after.easy, expected.easy) && close(after.semiHard, expected.semiHard) && close(after.hard, expected.hard),
      `panel counts ${JSON.stringify(after)} at margin ${margin} != expected from the CLI distances ${JSON.stringify(expected)}`);
    return `margin ${report.settings.margin} -> ${margin}: ${JSON.stringify(panelBefore)} -> ${JSON.stringify(after)} (${setting})`;
  });

  await step('clicking a flagged row selects it in the editor', async () => {
    if (!panel) throw new Error('no panel');
    const rows = panel.locator('.grid-row[role=row]:not(.grid-header)');
    const labels = await attributes(rows, 'aria-label');
    const i = labels.findIndex((l) => {
      const line = Number(/line (\d+)/.exec(l)?.[1]);
      return l.includes('mislabeled') && report.rows.some((r) => r.line === line && r.flags.includes('mislabeled') && r.suggestedLabel !== undefined);
    });
    check(i >= 0, `no flagged row with a suggested label among the visible rows: ${labels.slice(0, 5).join(' / ')}`);
    const line = Number(/line (\d+)/.exec(labels[i] ?? '')?.[1]);
    target = report.rows.find((r) => r.line === line) ?? target;
    // The grid is virtualised and recycles its row elements: were the click itself to scroll the
    // row into view, the element under the pointer could show another row by then. So: scroll it
    // to the middle first, let the grid re-render, then find it again by its label and click.
    const byLabel = () => panel!.locator(`.grid-row[role=row][aria-label=${JSON.stringify(labels[i])}]`);
    await byLabel().evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await sleep(500);
    await byLabel().click();
    await waitFor(`the editor on line ${line}`, async () => (await cursorLine(page)) === line && (await activeTabTitle(page)) === 'sample.csv', 10_000)
      .catch(async () => { throw new Error(`editor shows "${await activeTabTitle(page)}" Ln ${await cursorLine(page)}, expected sample.csv Ln ${line}`); });
    return `"${labels[i]}" -> sample.csv, ${await statusItem(page, 'status.editor.selection')}`;
  });

  await step('relabel quick fix changes only that label', async () => {
    // Focus the editor that shows sample.csv (the panel has focus) and put the cursor on the row.
    await page.locator('.tab', { hasText: 'sample.csv' }).first().click();
    await gotoLine(page, target.line);
    const suggestion = target.suggestedLabel ?? '';
    await applyCodeAction(page, `Relabel row ${target.row} to "${suggestion}"`);
    await sleep(500);
    await page.keyboard.press('Control+S');
    const expected = originalLines.slice();
    expected[target.line - 1] = (originalLines[target.line - 1] ?? '').replace(/,[^,]*$/, `,${suggestion}`);
    const now = await waitFor('the saved relabel', async () => {
      const t = readFileSync(o.file, 'utf8');
      return t !== original.toString('utf8') ? t.split('\n') : undefined;
    }, 10_000);
    const changed = now.map((l, k) => (l !== originalLines[k] ? k + 1 : 0)).filter((k) => k > 0);
    check(changed.length === 1 && changed[0] === target.line && now.length === originalLines.length, `lines changed: ${changed.join(',')} (expected only ${target.line})`);
    check(now[target.line - 1] === expected[target.line - 1], `line ${target.line} is ${JSON.stringify(now[target.line - 1])}, expected ${JSON.stringify(expected[target.line - 1])}`);
    return `line ${target.line}: ${JSON.stringify(originalLines[target.line - 1])} -> ${JSON.stringify(now[target.line - 1])}`;
  });

  await step('undo restores the file byte for byte', async () => {
    await page.keyboard.press('Control+Z');
    await sleep(300);
    await page.keyboard.press('Control+S');
    await waitFor('the file to equal the original', async () => Buffer.compare(readFileSync(o.file), original) === 0, 10_000);
    return `${original.length} bytes identical`;
  });

  await step('Audit Selected Files Together on an Explorer multi-selection of train / dev / test', async () => {
    const names = ['train.jsonl', 'dev.jsonl', 'test.jsonl'];
    const expected = cliReport(o.cli, names.map((n) => join(o.workspace, n)));
    const explorerRow = (name: string) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    // select the three (a click may land while the editor opens the previous one: check, and again)
    await waitFor('the three files selected in the Explorer', async () => {
      await explorerRow(names[0]).click();
      await sleep(300);
      await explorerRow(names[1]).click({ modifiers: ['Control'] });
      await sleep(300);
      await explorerRow(names[2]).click({ modifiers: ['Control'] });
      await sleep(300);
      const selected = await Promise.all(names.map(async (n) => (await explorerRow(n).getAttribute('aria-selected')) === 'true'));
      return selected.every(Boolean);
    }, 30_000, 500);
    await explorerRow(names[2]).click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: 'Audit Selected Files Together' }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    const single = await page.locator('.monaco-menu .action-item', { hasText: 'Audit File…' }).count();
    check(single === 0, '"Audit File…" is offered on a multi-selection');
    // a menu item takes its click on release; a click that lands while the menu still animates
    // only highlights it, so Enter on the highlighted item, as a person would press it
    await item.hover();
    await sleep(300);
    await item.click();
    await sleep(500);
    if (await item.isVisible().catch(() => false)) await page.keyboard.press('Enter');
    const done = await waitFor('the multi-file audit\'s message', async () =>
      (await notificationMessages(page)).find((m) => m.includes('rows of train.jsonl (train), dev.jsonl (dev), test.jsonl (test)')), 300_000);
    check(done.includes(`${expected.rowCount} rows`) && done.includes(`${expected.summary.leak ?? 0} rows repeated across files (leaks)`),
      `"${done}" != CLI: ${expected.rowCount} rows, ${expected.summary.leak} leaks`);
    // the open panel follows: the whole report, with the files side by side
    const frame = await webviewFrame(page, 'table.splits');
    const files = await waitFor('the panel\'s files table', async () => {
      const cells = await frame.locator('table.splits tr[data-file] td:first-child').allTextContents();
      return cells.length === 3 ? cells : undefined;
    }, 20_000);
    check(files.join(',') === names.join(','), `panel files ${files.join(',')}`);
    const leaks = Number(((await frame.locator('.summary .count[data-count="leak"] .count-value').textContent()) ?? '').trim());
    check(leaks === expected.summary.leak, `panel leaks ${leaks} != CLI ${expected.summary.leak}`);
    await sleep(500);
    return `${done}; panel: ${files.join(', ')}, ${leaks} leaks`;
  });

  await step('window reload mid-audit: no orphan job process, the panel comes back, the next audit works', async () => {
    await showEditor(page, 'reload.csv');
    await runCommand(page, 'Triplet Audit: Audit Active File');
    const jobs = await waitFor('the audit\'s job process', async () => { const j = jobProcesses(); return j.length ? j : undefined; }, 30_000, 20);
    const t0 = Date.now();
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitFor(`the job process ${jobs.join(', ')} to end`, async () => jobs.every((pid) => { try { process.kill(pid, 0); return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return true; } }), 30_000, 100);
    const gone = Date.now() - t0;
    // the panel that was open before the reload is restored by its serializer
    await webviewFrame(page, 'main.panel', 60_000);
    await showEditor(page, 'reload.csv');
    await runCommand(page, 'Triplet Audit: Audit Active File');
    await waitFor('the audit after the reload', async () => (await notificationMessages(page)).some((m) => /^Triplet Audit: 500 rows/.test(m)), 180_000);
    check(jobProcesses().filter((p) => jobs.includes(p)).length === 0, 'an old job process is still there');
    return `job process(es) ${jobs.join(', ')} gone within ${gone} ms of the reload; the panel restored; the next audit finished`;
  });

  return steps;
}
