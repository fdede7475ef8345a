/**
 * The messages between the extension host and the audit panel's webview, shared by both sides.
 * Pure (no `vscode`, no DOM): the host validates every message from the webview with
 * `parseWebviewMessage` before acting on it, and queues its own posts in a `ReadyQueue` until
 * the webview says it is ready.
 */
import type { AuditReport, DistanceName, RowReport } from './core/types';
import type { QuickFixKind } from './extension/panelApi';

export type { QuickFixKind };

export const DISTANCES: readonly DistanceName[] = ['euclidean', 'squared-euclidean', 'cosine'];

/** The id of the JSON block that carries the report in the standalone HTML page (no host there). */
export const STANDALONE_REPORT_ID = 'triplet-audit-report';
export const QUICK_FIXES: readonly QuickFixKind[] = ['relabel', 'swap', 'mark-reviewed', 'replace-negative', 'negative-to-positive'];
/** The fixes that use one of a row's mined replacement negatives (`replacement`: its index). */
export const REPLACEMENT_FIXES: readonly QuickFixKind[] = ['replace-negative', 'negative-to-positive'];

// ---- host -> webview ---------------------------------------------------------------------

/**
 * The report without its long parts: `rows`, the map's coordinates and the embedding's values
 * travel in `reportPart` messages (src/reportParts.ts), so that no single post makes the host
 * serialise a whole report (100,000 rows are ~140 MB of JSON).
 */
export type ReportHeader = Omit<AuditReport, 'rows' | 'map' | 'embedding'> & {
  map?: { method: 'pca' };
  embedding?: { dim: number };
};

/**
 * Host -> webview: a report begins (sent after `ready`, and whenever the report changes); its
 * rows follow in `parts` `reportPart` messages with the same `reportId`. The report is the one
 * the audit made, in its own margin and distance: the panel re-scores it at `margin` and
 * `distance` itself, and leaves the data-error flags off the `reviewed` rows.
 */
export interface ReportStartMessage {
  type: 'reportStart';
  /** Changes with every report the host sends, so that late clicks on an old one are refused and its late parts ignored. */
  reportId: number;
  fileUri: string;
  header: ReportHeader;
  /** How many rows the parts carry in all (the report's `rows.length`). */
  rowCount: number;
  /** Part k holds rows k * rowsPerPart onwards: rowsPerPart of them, the last part the rest. */
  rowsPerPart: number;
  /** ceil(rowCount / rowsPerPart) */
  parts: number;
  margin: number;
  distance: DistanceName;
  /** Data-row numbers (`row`) a person marked reviewed. */
  reviewed: number[];
}

/** Host -> webview: rows `start` .. `start + rows.length - 1` of report `reportId`, with their map points and embeddings. */
export interface ReportPartMessage {
  type: 'reportPart';
  reportId: number;
  /** 0-based, below the start message's `parts`. */
  index: number;
  start: number;
  rows: RowReport[];
  mapX?: number[];
  mapY?: number[];
  /** The embedding values of these rows, row-major (`rows.length * dim`). */
  embedding?: number[];
}

/** Host -> webview: the reviewed marks of report `reportId` changed (the rows did not). */
export interface ReviewedMessage { type: 'reviewed'; reportId: number; reviewed: number[] }

/** Host -> webview: the margin or distance was changed outside the panel (command, setting). */
export interface SetMarginMessage { type: 'setMargin'; margin: number; distance: DistanceName }

/** Host -> webview: an audit is running (`message` set) or none is (`message` absent). */
export interface BusyMessage { type: 'busy'; message?: string }

export type HostMessage = ReportStartMessage | ReportPartMessage | ReviewedMessage | SetMarginMessage | BusyMessage;

// ---- webview -> host ---------------------------------------------------------------------

/** Webview -> host: the page has loaded and listens; the host posts nothing before this. */
export interface ReadyMessage { type: 'ready' }

/** Webview -> host: reveal this row (0-based data row, 1-based line) of report `reportId`. */
export interface RevealMessage { type: 'reveal'; reportId: number; row: number; line: number }

/** Webview -> host: the user moved the margin or changed the distance. */
export interface MarginChangedMessage { type: 'marginChanged'; margin: number; distance: DistanceName }

/** Webview -> host: the user pressed a quick-fix button; `label` only for `relabel`, `replacement` only for REPLACEMENT_FIXES. */
export interface ApplyFixMessage { type: 'applyFix'; reportId: number; row: number; fix: QuickFixKind; label?: string; replacement?: number }

export type WebviewMessage = ReadyMessage | RevealMessage | MarginChangedMessage | ApplyFixMessage;

// ---- validation (host side) ----------------------------------------------------------------

/** What the host knows about the report on show, to check messages against. */
export interface ValidationContext {
  reportId: number | undefined;
  kind: AuditReport['kind'] | undefined;
  labels: readonly string[];
  /** The 1-based start line of data row `row`, or undefined when there is no such row. */
  lineOf(row: number): number | undefined;
}

export type ParseResult = { ok: true; message: WebviewMessage } | { ok: false; reason: string };

/**
 * Builds the context for a report: rows are looked up by their `row` index, not array position.
 * The lookup is built on the first message that names a row, not when a report is shown (100,000
 * rows take a while, and most reports get no click before the next one).
 */
export function validationContext(reportId: number | undefined, report: AuditReport | undefined): ValidationContext {
  let lines: Map<number, number> | undefined;
  const lineOf = (row: number): number | undefined => {
    if (!lines) {
      lines = new Map();
      for (const r of report?.rows ?? []) lines.set(r.row, r.line);
    }
    return lines.get(row);
  };
  return { reportId, kind: report?.kind, labels: report?.labels ?? [], lineOf };
}

type Fields = Record<string, unknown>;

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Fields, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  return extra.length ? `unexpected field(s) ${extra.join(', ')}` : undefined;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function fail(reason: string): ParseResult { return { ok: false, reason }; }

/** The row and line of a reveal / fix must name a row of the report on show. */
function checkRow(o: Fields, ctx: ValidationContext, withLine: boolean): string | undefined {
  if (ctx.reportId === undefined) return 'no report is shown';
  if (o.reportId !== ctx.reportId) return `stale or unknown reportId ${String(o.reportId)}`;
  if (!isIndex(o.row)) return 'row must be a non-negative integer';
  const line = ctx.lineOf(o.row);
  if (line === undefined) return `row ${o.row} is not in the report`;
  if (withLine && o.line !== line) return `row ${o.row} starts on line ${line}, not ${String(o.line)}`;
  return undefined;
}

/** Checks a message from the webview; anything malformed, out of range or unknown is refused. */
export function parseWebviewMessage(data: unknown, ctx: ValidationContext): ParseResult {
  if (!isObject(data) || typeof data.type !== 'string') return fail('not a message object');
  const o = data;
  switch (o.type) {
    case 'ready': {
      const bad = onlyKeys(o, ['type']);
      return bad ? fail(bad) : { ok: true, message: { type: 'ready' } };
    }
    case 'reveal': {
      const bad = onlyKeys(o, ['type', 'reportId', 'row', 'line']) ?? checkRow(o, ctx, true);
      if (bad) return fail(bad);
      return { ok: true, message: { type: 'reveal', reportId: o.reportId as number, row: o.row as number, line: o.line as number } };
    }
    case 'marginChanged': {
      const bad = onlyKeys(o, ['type', 'margin', 'distance']);
      if (bad) return fail(bad);
      if (typeof o.margin !== 'number' || !Number.isFinite(o.margin) || o.margin <= 0) return fail('margin must be a finite number > 0');
      if (!DISTANCES.includes(o.distance as DistanceName)) return fail(`unknown distance ${String(o.distance)}`);
      return { ok: true, message: { type: 'marginChanged', margin: o.margin, distance: o.distance as DistanceName } };
    }
    case 'applyFix': {
      const bad = onlyKeys(o, ['type', 'reportId', 'row', 'fix', 'label', 'replacement']) ?? checkRow(o, ctx, false);
      if (bad) return fail(bad);
      const fix = o.fix as QuickFixKind;
      if (!QUICK_FIXES.includes(fix)) return fail(`unknown fix ${String(o.fix)}`);
      if (REPLACEMENT_FIXES.includes(fix)) {
        if (ctx.kind !== 'triplets') return fail(`${fix} applies to explicit triplets only`);
        if (!isIndex(o.replacement) || o.replacement > 99) return fail(`${fix} needs the index of a mined replacement`);
      } else if (o.replacement !== undefined) return fail(`${fix} takes no replacement`);
      if (fix === 'relabel') {
        if (ctx.kind !== 'labeled') return fail('relabel applies to labeled data only');
        if (typeof o.label !== 'string' || !ctx.labels.includes(o.label)) return fail('relabel needs one of the report\'s labels');
      } else if (o.label !== undefined) return fail(`${fix} takes no label`);
      if (fix === 'swap' && ctx.kind !== 'triplets') return fail('swap applies to explicit triplets only');
      const message: ApplyFixMessage = { type: 'applyFix', reportId: o.reportId as number, row: o.row as number, fix };
      if (fix === 'relabel') message.label = o.label as string;
      if (REPLACEMENT_FIXES.includes(fix)) message.replacement = o.replacement as number;
      return { ok: true, message };
    }
    default:
      return fail(`unknown message type ${JSON.stringify(o.type).slice(0, 40)}`);
  }
}

// ---- the ready handshake (host side) ---------------------------------------------------------

/**
 * Holds the host's posts until the webview is ready. The messages it carries set state (a
 * margin, a busy line), so while closed only the latest of each type is kept, in order. A report
 * does not wait here: the panel streams it in parts once the webview is ready, and streams it
 * again on the next `ready`.
 */
export class ReadyQueue<T extends { type: string }> {
  private open = false;
  private pending: T[] = [];
  constructor(private readonly send: (message: T) => void) {}

  get isOpen(): boolean { return this.open; }

  post(message: T): void {
    if (this.open) { this.send(message); return; }
    this.pending = this.pending.filter((m) => m.type !== message.type);
    this.pending.push(message);
  }

  /** The webview said it is ready: send what waited, then post directly. */
  markReady(): void {
    this.open = true;
    const waiting = this.pending;
    this.pending = [];
    for (const m of waiting) this.send(m);
  }

  /** The webview went away (hidden, reloading): hold posts again until the next `ready`. */
  close(): void { this.open = false; }

  /** Forgets what waits (the host re-posts its full state on the next `ready`). */
  clear(): void { this.pending = []; }
}
