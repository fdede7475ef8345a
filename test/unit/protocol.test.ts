import * as assert from 'node:assert/strict';
import type { AuditReport, RowReport } from '../../src/core/types';
import {
  parseWebviewMessage, ReadyQueue, validationContext, type HostMessage, type ReportPartMessage, type ReportStartMessage,
} from '../../src/protocol';
import { ReportAssembly, ROWS_PER_PART } from '../../src/reportParts';
import { fakeVscode, FakePanel, loadPanelWith, uri, type FakeUri } from '../support/fakeVscode';
import { syntheticReport } from '../support/syntheticReport';

function row(row: number, line: number): RowReport {
  return {
    row, line, endLine: line, category: 'easy', loss: 0, dAP: 0.1, dAN: 0.9, suspicion: 0, flags: [], fold: 0,
    neighbours: [], evidence: [], label: 'A', text: `row ${row}`,
  };
}

function report(kind: AuditReport['kind'], rows: RowReport[]): AuditReport {
  return { kind, rows, labels: kind === 'labeled' ? ['A', 'B'] : [] } as Partial<AuditReport> as AuditReport;
}

describe('protocol: messages from the webview', () => {
  // rows 0..2 on lines 2, 3 and 5 (row 1 spans two lines)
  const labeled = validationContext(7, report('labeled', [row(0, 2), row(1, 3), row(2, 5)]));
  const triplets = validationContext(7, report('triplets', [row(0, 2)]));
  const ok = (data: unknown, ctx = labeled) => parseWebviewMessage(data, ctx);

  it('accepts each well-formed message', () => {
    assert.deepEqual(ok({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
    assert.deepEqual(ok({ type: 'reveal', reportId: 7, row: 2, line: 5 }), { ok: true, message: { type: 'reveal', reportId: 7, row: 2, line: 5 } });
    assert.equal(ok({ type: 'marginChanged', margin: 0.35, distance: 'cosine' }).ok, true);
    assert.deepEqual(ok({ type: 'applyFix', reportId: 7, row: 1, fix: 'relabel', label: 'B' }),
      { ok: true, message: { type: 'applyFix', reportId: 7, row: 1, fix: 'relabel', label: 'B' } });
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'mark-reviewed' }).ok, true);
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'swap' }, triplets).ok, true);
  });

  it('refuses what is not a message, or of an unknown type', () => {
    for (const bad of [null, undefined, 3, 'ready', [], {}, { type: 5 }, { type: 'eval', code: 'x' }, { type: '__proto__' }]) {
      assert.equal(ok(bad).ok, false, JSON.stringify(bad));
    }
  });

  it('refuses row indices out of range, or not integers', () => {
    for (const r of [-1, 3, 1.5, NaN, Infinity, '1', null, 2 ** 60]) {
      assert.equal(ok({ type: 'reveal', reportId: 7, row: r, line: 2 }).ok, false, String(r));
      assert.equal(ok({ type: 'applyFix', reportId: 7, row: r, fix: 'mark-reviewed' }).ok, false, String(r));
    }
  });

  it('refuses a line that is not where the row starts', () => {
    assert.equal(ok({ type: 'reveal', reportId: 7, row: 1, line: 4 }).ok, false);
    assert.equal(ok({ type: 'reveal', reportId: 7, row: 1 }).ok, false);
  });

  it('refuses messages about another report (stale clicks) or when no report is shown', () => {
    assert.equal(ok({ type: 'reveal', reportId: 6, row: 0, line: 2 }).ok, false);
    const none = validationContext(undefined, undefined);
    assert.equal(ok({ type: 'reveal', reportId: 7, row: 0, line: 2 }, none).ok, false);
    assert.equal(ok({ type: 'ready' }, none).ok, true);
  });

  it('refuses margins that are not finite and positive, and unknown distances', () => {
    for (const m of [0, -0.1, NaN, Infinity, -Infinity, '0.2', null]) {
      assert.equal(ok({ type: 'marginChanged', margin: m, distance: 'euclidean' }).ok, false, String(m));
    }
    assert.equal(ok({ type: 'marginChanged', margin: 0.2, distance: 'manhattan' }).ok, false);
  });

  it('refuses unknown fixes, labels not in the report, and fixes that do not fit the data', () => {
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'delete' }).ok, false);
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'relabel', label: 'C' }).ok, false);
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'relabel' }).ok, false);
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'mark-reviewed', label: 'A' }).ok, false);
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'swap' }).ok, false, 'swap on labeled rows');
    assert.equal(ok({ type: 'applyFix', reportId: 7, row: 0, fix: 'relabel', label: 'A' }, triplets).ok, false);
  });

  it('refuses extra fields', () => {
    assert.equal(ok({ type: 'ready', html: '<b>' }).ok, false);
    assert.equal(ok({ type: 'reveal', reportId: 7, row: 0, line: 2, uri: 'file:///etc/passwd' }).ok, false);
  });

  it('looks rows up by their row index, not their position in the array', () => {
    const ctx = validationContext(1, report('labeled', [row(10, 12), row(11, 13)]));
    assert.equal(parseWebviewMessage({ type: 'reveal', reportId: 1, row: 11, line: 13 }, ctx).ok, true);
    assert.equal(parseWebviewMessage({ type: 'reveal', reportId: 1, row: 1, line: 13 }, ctx).ok, false);
  });
});

describe('protocol: the ready handshake queue', () => {
  it('posts nothing before ready, then the latest of each message type, in the order of those posts', () => {
    const sent: HostMessage[] = [];
    const q = new ReadyQueue<HostMessage>((m) => sent.push(m));
    q.post({ type: 'busy', message: 'reading' });
    q.post({ type: 'setMargin', margin: 0.2, distance: 'euclidean' });
    q.post({ type: 'busy', message: 'training' });
    q.post({ type: 'setMargin', margin: 0.3, distance: 'euclidean' });
    assert.deepEqual(sent, []);
    q.markReady();
    assert.deepEqual(sent, [
      { type: 'busy', message: 'training' },
      { type: 'setMargin', margin: 0.3, distance: 'euclidean' },
    ]);
    q.post({ type: 'busy' });
    assert.equal(sent.length, 3);
  });

  it('holds posts again once closed, and can forget them', () => {
    const sent: HostMessage[] = [];
    const q = new ReadyQueue<HostMessage>((m) => sent.push(m));
    q.markReady();
    q.close();
    q.post({ type: 'busy', message: 'x' });
    assert.equal(sent.length, 0);
    q.clear();
    q.markReady();
    assert.equal(sent.length, 0);
    assert.equal(q.isOpen, true);
  });
});

describe('protocol: the host panel (AuditPanel with a stand-in vscode module)', () => {
  let fake: ReturnType<typeof fakeVscode>;
  let AuditPanel: ReturnType<typeof loadPanelWith>['AuditPanel'];
  let restore: () => void;
  const calls: string[] = [];
  const events = {
    reveal: (f: string, r: number, l: number) => calls.push(`reveal ${f} ${r} ${l}`),
    marginChanged: (m: number, d: string) => calls.push(`margin ${m} ${d}`),
    applyFix: (f: string, r: number, fix: string, label?: string) => calls.push(`fix ${f} ${r} ${fix} ${label ?? ''}`),
  };
  const context = () => ({ extensionUri: uri('/ext'), subscriptions: [] as { dispose(): void }[] });
  const sample = report('labeled', [row(0, 2), row(1, 3)]);
  sample.settings = { margin: 0.2, distance: 'euclidean' } as AuditReport['settings'];

  before(() => {
    fake = fakeVscode();
    ({ AuditPanel, restore } = loadPanelWith(fake));
  });
  after(() => restore());
  beforeEach(() => { calls.length = 0; });

  it('builds a strict page: CSP with a nonce, resources from dist/ and media/ only, no retained context', () => {
    const ctx = context();
    AuditPanel.createOrShow(ctx as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    const opts = p.options as { enableScripts: boolean; localResourceRoots: FakeUri[]; retainContextWhenHidden?: boolean };
    assert.deepEqual(opts.localResourceRoots.map((u) => u.path), ['/ext/dist', '/ext/media']);
    assert.equal(opts.retainContextWhenHidden, undefined);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(p.webview.html.replace(/&#39;/g, "'"))?.[1];
    assert.ok(nonce && nonce.length >= 22, 'a nonce of 128 random bits');
    assert.match(p.webview.html.replace(/&#39;/g, "'"), /default-src 'none'/);
    assert.match(p.webview.html, new RegExp(`<script nonce="${nonce.replace(/[+/]/g, '\\$&')}" src="vscode-resource:/ext/dist/webview.js">`));
    assert.equal(AuditPanel.createOrShow(ctx as never, events), AuditPanel.createOrShow(ctx as never, events), 'one panel per context');
  });

  const types = (ms: unknown[]) => ms.map((m) => (m as HostMessage).type);
  /** Lets the panel post what it has to post: turns of the event loop until nothing new comes. */
  async function drain(p: FakePanel): Promise<void> {
    for (let seen = -1; seen !== p.posted.length;) {
      seen = p.posted.length;
      for (let k = 0; k < 4; k++) await new Promise((r) => setImmediate(r));
    }
  }
  /** The report the webview puts together from what was posted under `reportId`. */
  function assembled(posted: unknown[], reportId: number): AuditReport {
    const mine = (posted as HostMessage[]).filter((m) => (m.type === 'reportStart' || m.type === 'reportPart') && m.reportId === reportId);
    const start = mine.find((m): m is ReportStartMessage => m.type === 'reportStart');
    assert.ok(start, `a start message for report ${reportId}`);
    const a = new ReportAssembly(JSON.parse(JSON.stringify(start)) as ReportStartMessage);
    for (const m of mine) if (m.type === 'reportPart') assert.ok(a.add(JSON.parse(JSON.stringify(m)) as ReportPartMessage), `part ${m.index} fits`);
    return a.report();
  }
  /** An audit big enough to go in several parts (src/reportParts.ts ROWS_PER_PART rows each). */
  const big = syntheticReport(3 * ROWS_PER_PART + 100, { seed: 3 });

  it('posts nothing before ready; on each ready it sends the whole state', async () => {
    const ctx = context();
    const host = AuditPanel.createOrShow(ctx as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    host.setMargin(0.3, 'cosine');
    host.showReport('file:///d.csv', sample, new Set([1]));
    host.setBusy('Auditing…');
    assert.deepEqual(p.posted, []);
    p.received.fire({ type: 'ready' });
    await drain(p);
    assert.deepEqual(types(p.posted), ['reportStart', 'busy', 'reportPart']);
    assert.deepEqual({ ...(p.posted[0] as object), header: undefined }, {
      type: 'reportStart', reportId: 1, fileUri: 'file:///d.csv', header: undefined, rowCount: 2, rowsPerPart: ROWS_PER_PART, parts: 1,
      margin: 0.3, distance: 'cosine', reviewed: [1],
    });
    // the rows as audited: the same objects' content, nothing re-scored
    assert.deepEqual(assembled(p.posted, 1), sample);
    // hidden, then shown again: the webview reloads and says ready; the host sends it all again, under a new id
    p.visible = false;
    p.viewState.fire();
    host.setBusy(undefined);
    assert.equal(p.posted.length, 3);
    p.received.fire({ type: 'ready' });
    await drain(p);
    assert.deepEqual(types(p.posted.slice(3)), ['reportStart', 'reportPart']);
    assert.deepEqual(assembled(p.posted, 2), sample);
  });

  it('posts a big report in parts, one per turn of the event loop, that put together give the report back', async () => {
    const host = AuditPanel.createOrShow(context() as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    p.received.fire({ type: 'ready' });
    host.showReport('file:///big.csv', big, new Set());
    assert.deepEqual(types(p.posted), ['reportStart'], 'only the start before the host\'s loop turns');
    await new Promise((r) => setImmediate(r));
    assert.ok(types(p.posted).filter((t) => t === 'reportPart').length <= 1, 'at most one part per turn');
    await drain(p);
    const parts = (p.posted as HostMessage[]).filter((m): m is ReportPartMessage => m.type === 'reportPart');
    assert.deepEqual(parts.map((m) => m.index), [0, 1, 2, 3]);
    assert.ok(parts.every((m) => m.rows.length <= ROWS_PER_PART));
    assert.deepEqual(assembled(p.posted, 1), big);
    // the rows posted are the audit's own objects, not copies
    assert.equal(parts[1].rows[0], big.rows[ROWS_PER_PART]);
  });

  it('a new report while one is in parts: no part of the old one after the new start, and the new one whole', async () => {
    const host = AuditPanel.createOrShow(context() as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    p.received.fire({ type: 'ready' });
    host.showReport('file:///big.csv', big, new Set());
    await new Promise((r) => setImmediate(r));
    const other = syntheticReport(2 * ROWS_PER_PART, { seed: 4 });
    host.showReport('file:///other.csv', other, new Set([5]));
    await drain(p);
    const posted = p.posted as HostMessage[];
    const second = posted.findIndex((m) => m.type === 'reportStart' && m.reportId === 2);
    assert.ok(second > 0);
    assert.deepEqual(posted.slice(second + 1).filter((m) => m.type === 'reportPart' && m.reportId !== 2), []);
    assert.ok(posted.slice(0, second).filter((m) => m.type === 'reportPart').length < 4, 'the first report was cut short');
    assert.deepEqual(assembled(posted, 2), other);
    // a click on the first report is refused now
    const warn = console.warn;
    const refused: string[] = [];
    console.warn = (msg: string) => refused.push(msg);
    try { p.received.fire({ type: 'reveal', reportId: 1, row: 0, line: big.rows[0].line }); } finally { console.warn = warn; }
    assert.equal(refused.length, 1);
    p.received.fire({ type: 'reveal', reportId: 2, row: 0, line: other.rows[0].line });
    assert.deepEqual(calls, [`reveal file:///other.csv 0 ${other.rows[0].line}`]);
  });

  it('hiding or closing the panel stops the parts', async () => {
    for (const close of ['hide', 'dispose'] as const) {
      const host = AuditPanel.createOrShow(context() as never, events);
      const p = fake.panels.at(-1) as FakePanel;
      p.received.fire({ type: 'ready' });
      host.showReport('file:///big.csv', big, new Set());
      await new Promise((r) => setImmediate(r));
      if (close === 'hide') { p.visible = false; p.viewState.fire(); } else host.dispose();
      const at = p.posted.length;
      await drain(p);
      assert.equal(p.posted.length, at, `nothing posted after ${close}`);
      assert.ok(types(p.posted).filter((t) => t === 'reportPart').length < 4, close);
    }
  });

  it('a margin change posts the margin only; the same report with other reviewed marks posts the marks only', async () => {
    const host = AuditPanel.createOrShow(context() as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    p.received.fire({ type: 'ready' });
    host.showReport('file:///big.csv', big, new Set());
    await drain(p);
    let at = p.posted.length;
    host.setMargin(0.5, 'cosine');
    await drain(p);
    assert.deepEqual(p.posted.slice(at), [{ type: 'setMargin', margin: 0.5, distance: 'cosine' }]);
    at = p.posted.length;
    host.showReport('file:///big.csv', big, new Set([7, 3]));
    host.showReport('file:///big.csv', big, new Set([3, 7]));
    await drain(p);
    assert.deepEqual(p.posted.slice(at), [{ type: 'reviewed', reportId: 1, reviewed: [7, 3] }]);
    // another report object (a re-audit, a label refresh) is sent whole, at the margin in use
    at = p.posted.length;
    host.showReport('file:///big.csv', structuredClone(big), new Set([3, 7]));
    await drain(p);
    assert.deepEqual((p.posted[at] as ReportStartMessage).reviewed, [3, 7]);
    assert.equal((p.posted[at] as ReportStartMessage).margin, 0.5);
    assert.deepEqual(assembled(p.posted, 2), big);
  });

  it('acts on valid messages only, and debounces margin changes', async () => {
    const host = AuditPanel.createOrShow(context() as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    host.showReport('file:///d.csv', sample, new Set());
    p.received.fire({ type: 'ready' });
    const refused: string[] = [];
    const warn = console.warn;
    console.warn = (msg: string) => refused.push(msg);
    try {
      p.received.fire({ type: 'reveal', reportId: 1, row: 1, line: 3 });
      p.received.fire({ type: 'reveal', reportId: 1, row: 5, line: 3 });
      p.received.fire({ type: 'applyFix', reportId: 1, row: 0, fix: 'relabel', label: 'B' });
      p.received.fire({ type: 'applyFix', reportId: 1, row: 0, fix: 'relabel', label: '<img>' });
      p.received.fire({ command: 'reveal', row: 0 });
      for (const m of [0.21, 0.22, 0.23]) p.received.fire({ type: 'marginChanged', margin: m, distance: 'euclidean' });
      p.received.fire({ type: 'marginChanged', margin: -1, distance: 'euclidean' });
    } finally {
      console.warn = warn;
    }
    assert.equal(refused.length, 4, refused.join('\n'));
    assert.deepEqual(calls, ['reveal file:///d.csv 1 3', 'fix file:///d.csv 0 relabel B']);
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(calls.slice(2), ['margin 0.23 euclidean']);
    // the echo of that change does not go back to the webview
    const before = p.posted.length;
    host.setMargin(0.23, 'euclidean');
    assert.equal(p.posted.length, before);
  });

  it('disposes once, leaves the context, and refuses use afterwards', () => {
    const ctx = context();
    const host = AuditPanel.createOrShow(ctx as never, events);
    const p = fake.panels.at(-1) as FakePanel;
    assert.equal(ctx.subscriptions.length, 1);
    host.dispose();
    host.dispose();
    assert.equal(p.disposeCount, 1);
    assert.equal(ctx.subscriptions.length, 0);
    assert.throws(() => host.showReport('file:///d.csv', sample, new Set()), /closed/);
    assert.notEqual(AuditPanel.createOrShow(ctx as never, events), host, 'a new panel after the old one closed');
  });

  it('the serializer restores a panel with the file it showed', async () => {
    const ctx = context();
    const restored: [unknown, string | undefined][] = [];
    AuditPanel.registerSerializer(ctx as never, events, (panel, fileUri) => restored.push([panel, fileUri]));
    const { serializer, viewType } = fake.serializers.at(-1) as (typeof fake.serializers)[number];
    assert.equal(viewType, AuditPanel.viewType);
    const p = new FakePanel(viewType, {});
    await serializer.deserializeWebviewPanel(p, { v: 1, fileUri: 'file:///d.csv' });
    assert.equal(restored.length, 1);
    assert.equal(restored[0][1], 'file:///d.csv');
    assert.deepEqual((p.webview.options as { localResourceRoots: FakeUri[] }).localResourceRoots.map((u) => u.path), ['/ext/dist', '/ext/media']);
    assert.match(p.webview.html, /Content-Security-Policy/);
    assert.equal(AuditPanel.createOrShow(ctx as never, events), restored[0][0]);
  });
});
