/**
 * How a report travels from the extension host to the panel: one `reportStart` with everything
 * but the long arrays, then the rows (with their map points and embedding values) in parts.
 *
 * Why in parts: VS Code serialises every postMessage payload to JSON on the extension host's
 * thread, with a replacer that looks for ArrayBuffers (slower than a plain JSON.stringify). A
 * 100,000-row report is ~140 MB of JSON: seconds during which no other extension, and none of
 * ours, runs. A part of ROWS_PER_PART rows is ~0.33 MB, a few milliseconds; the host posts one
 * per turn of its event loop (panel.ts) and the webview puts them back together here.
 *
 * Pure (no `vscode`, no DOM, no Node): the host, the webview, the standalone page, the tests and
 * the benchmark share it.
 */
import type { AuditReport, DistanceName, RowReport } from './core/types';
import type { ReportHeader, ReportPartMessage, ReportStartMessage } from './protocol';

/**
 * Rows per part. Measured on a real 100,000-row audit (~1.3 KB of JSON a row) on a loaded 2-core
 * machine, serialised with a replacer as VS Code does: 2,000 rows took ~45 ms (median), too close
 * to the 50 ms the host's event loop may be blocked for; 500 rows ~9 ms, but up to ~30 ms when
 * the machine was busy or a collection ran; 250 rows ~3.5 ms, at most ~20 ms. More messages cost
 * the host next to nothing (one turn of its loop each).
 */
export const ROWS_PER_PART = 250;

/** Rows per part for this report: fewer when each row also carries its embedding (small files only). */
export function rowsPerPart(report: Pick<AuditReport, 'embedding'>, base = ROWS_PER_PART): number {
  const dim = report.embedding?.dim ?? 0;
  return Math.max(1, Math.floor(base / (1 + dim / 64)));
}

/** What the start message says besides the report. */
export interface ReportSending {
  reportId: number;
  fileUri: string;
  margin: number;
  distance: DistanceName;
  /** Data-row numbers marked reviewed. */
  reviewed: Iterable<number>;
}

export interface SplitReport {
  readonly start: ReportStartMessage;
  /** Part `index` (0 ≤ index < start.parts), built when asked for: slices of the report's arrays, no row copied. */
  part(index: number): ReportPartMessage;
}

/** Splits a report into a start message and `parts` part messages of `perPart` rows each. */
export function splitReport(report: AuditReport, sending: ReportSending, perPart = rowsPerPart(report)): SplitReport {
  const { rows, map, embedding, ...rest } = report;
  const n = rows.length;
  const size = Math.max(1, Math.floor(perPart));
  const header: ReportHeader = { ...rest };
  if (map) header.map = { method: map.method };
  if (embedding) header.embedding = { dim: embedding.dim };
  const start: ReportStartMessage = {
    type: 'reportStart', reportId: sending.reportId, fileUri: sending.fileUri, header, rowCount: n,
    rowsPerPart: size, parts: Math.ceil(n / size), margin: sending.margin, distance: sending.distance, reviewed: [...sending.reviewed],
  };
  return {
    start,
    part(index: number): ReportPartMessage {
      if (!Number.isInteger(index) || index < 0 || index >= start.parts) throw new RangeError(`no part ${index} of ${start.parts}`);
      const from = index * size, to = Math.min(n, from + size);
      const m: ReportPartMessage = { type: 'reportPart', reportId: sending.reportId, index, start: from, rows: rows.slice(from, to) };
      if (map) { m.mapX = map.x.slice(from, to); m.mapY = map.y.slice(from, to); }
      if (embedding) m.embedding = embedding.values.slice(from * embedding.dim, to * embedding.dim);
      return m;
    },
  };
}

/**
 * A report being put back together in the webview from its start message and parts. Parts may
 * come in any order; a part of another report, out of range or already taken is refused, so that
 * a report sent while another was still arriving never mixes rows with it.
 */
export class ReportAssembly {
  readonly reportId: number;
  private readonly rows: RowReport[];
  private readonly mapX: number[] | undefined;
  private readonly mapY: number[] | undefined;
  private readonly embedding: number[] | undefined;
  private readonly taken: Uint8Array;
  private partsTaken = 0;
  private rowsTaken = 0;

  constructor(readonly start: ReportStartMessage) {
    const { rowCount, rowsPerPart: size, parts } = start;
    if (!Number.isSafeInteger(rowCount) || rowCount < 0 || !Number.isSafeInteger(size) || size < 1 || parts !== Math.ceil(rowCount / size)) {
      throw new RangeError(`a report of ${rowCount} rows does not come in ${parts} parts of ${size}`);
    }
    this.reportId = start.reportId;
    this.rows = new Array<RowReport>(start.rowCount);
    this.taken = new Uint8Array(start.parts);
    if (start.header.map) { this.mapX = new Array<number>(start.rowCount); this.mapY = new Array<number>(start.rowCount); }
    if (start.header.embedding) this.embedding = new Array<number>(start.rowCount * start.header.embedding.dim);
  }

  get complete(): boolean { return this.partsTaken === this.start.parts; }

  /** Rows received so far (for the loading line). */
  get received(): number { return this.rowsTaken; }

  /** Takes a part of this report; false (and nothing changes) when it is not one, or not where its index says. */
  add(p: ReportPartMessage): boolean {
    const { start, rows } = p;
    if (p.reportId !== this.reportId || !Number.isInteger(p.index) || p.index < 0 || p.index >= this.start.parts || this.taken[p.index]) return false;
    // part k holds rows k * rowsPerPart onwards, rowsPerPart of them (the last one the rest)
    const at = p.index * this.start.rowsPerPart;
    if (start !== at || !Array.isArray(rows) || rows.length !== Math.min(this.start.rowsPerPart, this.start.rowCount - at)) return false;
    const dim = this.start.header.embedding?.dim ?? 0;
    if (this.mapX && (p.mapX?.length !== rows.length || p.mapY?.length !== rows.length)) return false;
    if (this.embedding && p.embedding?.length !== rows.length * dim) return false;
    for (let k = 0; k < rows.length; k++) this.rows[start + k] = rows[k];
    if (this.mapX && this.mapY && p.mapX && p.mapY) {
      for (let k = 0; k < rows.length; k++) { this.mapX[start + k] = p.mapX[k]; this.mapY[start + k] = p.mapY[k]; }
    }
    if (this.embedding && p.embedding) for (let k = 0; k < p.embedding.length; k++) this.embedding[start * dim + k] = p.embedding[k];
    this.taken[p.index] = 1;
    this.partsTaken++;
    this.rowsTaken += rows.length;
    return true;
  }

  /** The whole report, once every part is in. */
  report(): AuditReport {
    if (!this.complete) throw new Error(`report ${this.reportId} has ${this.rowsTaken} of ${this.start.rowCount} rows`);
    const { map, embedding, ...rest } = this.start.header;
    const report: AuditReport = { ...rest, rows: this.rows };
    if (map && this.mapX && this.mapY) report.map = { method: map.method, x: this.mapX, y: this.mapY };
    if (embedding && this.embedding) report.embedding = { dim: embedding.dim, values: this.embedding };
    return report;
  }
}
