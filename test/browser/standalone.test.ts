/**
 * The standalone HTML report (`triplet-audit FILE --html out.html`): one self-contained file with
 * the panel's UI, opened from disk in Chromium with no VS Code and no network.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jsonForScript, renderHtmlReport } from '../../src/core/node/htmlReport';
import type { AuditReport } from '../../src/core/types';
import { ARTIFACTS, auditWithCli, build, elementCount, launch, shownCounts, watch, type Browser } from './harness';

describe('standalone HTML report (file:// in Chromium)', function () {
  let browser: Browser;
  let report: AuditReport;

  before(function () {
    this.timeout(25 * 60_000);
    build();
    report = auditWithCli('trec_test.csv');
  });
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('escapes every < in the embedded JSON, so dataset text cannot close the script', () => {
    const json = jsonForScript({ text: '</script><script>alert(1)</script>' });
    assert.ok(!json.includes('<'));
    assert.deepEqual(JSON.parse(json), { text: '</script><script>alert(1)</script>' });
  });

  it('works offline: renders the report, editor links and fixes off, markup in the data inert', async () => {
    const hostile: AuditReport = structuredClone(report);
    hostile.rows[0].text = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = renderHtmlReport(hostile, { title: 'TREC test <audit>' });
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two script elements close');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'standalone-report.html');
    writeFileSync(file, html);
    const page = await browser.context.newPage();
    const log = watch(page);
    try {
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('.grid-canvas .grid-row[data-position]');
      assert.equal(await page.title(), 'TREC test <audit>');
      const counts = await shownCounts(page);
      assert.equal(counts.easy, report.summary.easy);
      assert.equal(counts.hard, report.summary.hard);
      assert.equal(await page.locator('.grid-canvas .grid-row[data-position="0"] .col-text').textContent(), hostile.rows[0].text);
      await page.locator('.grid-canvas .grid-row[data-position="0"]').click();
      assert.match(await page.locator('.detail').innerText(), /Open the report in VS Code to apply fixes/);
      assert.equal(await elementCount(page, '.reveal-button'), 0);
      assert.equal(await elementCount(page, '.fix-buttons'), 0);
      assert.match(await page.locator('.standalone-note').innerText(), /Standalone report/);
      assert.match(await page.locator('.map-caption').innerText(), /points drawn/);
      await page.waitForTimeout(300);
      assert.equal(await elementCount(page, 'img'), 0);
      assert.deepEqual(log.dialogs, []);
      assert.deepEqual(log.errors.filter((e) => !/Content Security Policy.*style/.test(e)), []);
      assert.deepEqual(log.requests, [pathToFileURL(file).href], 'nothing but the file itself is loaded');
    } finally {
      await page.close();
    }
  });
});
