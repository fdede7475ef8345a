/**
 * How a job's result (an audit's report and digest, or a digest) travels from the job process to
 * the extension host: a `resultStart` with everything but the rows, then the rows in parts.
 *
 * Why in parts: the host deserialises each message on its own thread, in one piece. A 100,000-row
 * report sent whole blocked it for ~2 s (the same as a worker thread's postMessage); a part of
 * RESULT_ROWS_PER_PART rows takes a few milliseconds, and the host's event loop turns between
 * parts. The report's rows, map and embedding are cut as for the panel (reportParts.ts).
 *
 * Pure: the job (jobWorker.ts), the host (auditRunner.ts) and the tests share it.
 */
import { ReportAssembly, splitReport } from '../../reportParts';
import type { AuditReport } from '../../core/types';
import type { FileDigest, RowDigest } from '../logic/rowDigest';
import type { DigestedMessage, DoneMessage, ResultPartMessage, ResultStartMessage } from './protocol';

/**
 * Rows per part: a 100,000-row audit's report and digest deserialise at ~20 µs a row, so 250 rows
 * are ~5 ms, and the ~0.35 MB of a part is read in a few turns of the host's loop.
 */
export const RESULT_ROWS_PER_PART = 250;

/** The messages that carry a result: its start, then its parts in order. */
export function* resultMessages(reply: ResultStartMessage['reply'], digest: FileDigest, report?: AuditReport,
  perPart = RESULT_ROWS_PER_PART): Generator<ResultStartMessage | ResultPartMessage> {
  const { rows: digestRows, ...digestHead } = digest;
  const rowCount = digestRows.length, size = Math.max(1, Math.floor(perPart));
  if (report && report.rows.length !== rowCount) throw new Error(`internal: a report of ${report.rows.length} rows with a digest of ${rowCount}`);
  const split = report && splitReport(report, { reportId: 0, fileUri: report.file, margin: report.settings.margin, distance: report.settings.distance, reviewed: [] }, size);
  const parts = Math.ceil(rowCount / size);
  yield { type: 'resultStart', reply, digest: digestHead, rowCount, rowsPerPart: size, parts, report: split?.start };
  for (let index = 0; index < parts; index++) {
    yield { type: 'resultPart', index, digestRows: digestRows.slice(index * size, (index + 1) * size), report: split?.part(index) };
  }
}

/** A result being put back together on the host, from its start and its parts (in order). */
export class ResultAssembly {
  private readonly digestRows: RowDigest[] = [];
  private readonly report?: ReportAssembly;
  private next = 0;

  constructor(readonly start: ResultStartMessage) {
    const { rowCount, rowsPerPart, parts } = start;
    if (!Number.isSafeInteger(rowCount) || rowCount < 0 || !Number.isSafeInteger(rowsPerPart) || rowsPerPart < 1 || parts !== Math.ceil(rowCount / rowsPerPart)) {
      throw new RangeError(`a result of ${rowCount} rows does not come in ${parts} parts of ${rowsPerPart}`);
    }
    if (start.reply === 'done' && !start.report) throw new RangeError('an audit\'s result without its report');
    if (start.report) {
      if (start.report.rowCount !== rowCount || start.report.parts !== parts) throw new RangeError('the report and the digest are cut differently');
      this.report = new ReportAssembly(start.report);
    }
  }

  get complete(): boolean { return this.next === this.start.parts; }

  /** Takes the next part; false (and nothing changes) when it is not the next one or not whole. */
  add(p: ResultPartMessage): boolean {
    const { rowsPerPart, rowCount } = this.start;
    if (p.index !== this.next || !Array.isArray(p.digestRows) || p.digestRows.length !== Math.min(rowsPerPart, rowCount - p.index * rowsPerPart)) return false;
    if (this.report && !(p.report && this.report.add(p.report))) return false;
    for (const r of p.digestRows) this.digestRows.push(r);
    this.next++;
    return true;
  }

  /** The job's reply, once every part is in. */
  result(): DoneMessage | DigestedMessage {
    if (!this.complete) throw new Error(`a result has ${this.next} of ${this.start.parts} parts`);
    const digest: FileDigest = { ...this.start.digest, rows: this.digestRows };
    return this.report ? { type: 'done', report: this.report.report(), digest } : { type: 'digested', digest };
  }
}
