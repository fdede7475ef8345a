/**
 * Messages between the extension host and the audit job (dist/worker.js, in a job process of its
 * own, ../jobProcess.ts). One process runs one job and is ended when it ends; cancelling ends it,
 * so nothing keeps running.
 */
import type { FileDigest, RowDigest, RowSpanLike } from '../logic/rowDigest';
import type { CleanAction, CleanLogEntry } from '../logic/cleanCopy';
import type { Progress } from '../../core/engineApi';
import type { AuditOptions, AuditReport, FileFormat } from '../../core/types';
import type { ReportPartMessage, ReportStartMessage } from '../../protocol';

export type { FileDigest };

/**
 * Host → worker: audit `file`, or `files` together (a multi-file audit: `file` is the first); the
 * worker replies with progress / problem, then done or error.
 */
export interface StartRequest { type: 'start'; file: string; files?: string[]; options: Partial<AuditOptions> }

/** Host → worker: digest `file` at the rows of an earlier audit (re-audit on save); replies digested. */
export interface DigestRequest { type: 'digest'; file: string; format: FileFormat; columns: AuditReport['columns']; rows: RowSpanLike[] }

/** Host → worker: write a cleaned copy of `file` to `out` and its log to `logFile`; replies cleaned. */
export interface CleanRequest {
  type: 'clean'; file: string; out: string; logFile: string;
  format: FileFormat; columns: AuditReport['columns']; actions: CleanAction[]; mode: string;
}

/** Host → worker: stop at the next batch (the host terminates the worker right after anyway). */
export interface CancelRequest { type: 'cancel' }

export type WorkerRequest = StartRequest | DigestRequest | CleanRequest | CancelRequest;
export type JobRequest = Exclude<WorkerRequest, CancelRequest>;

/** Worker → host: how far the audit is. */
export interface ProgressMessage { type: 'progress'; progress: Progress }
/** Worker → host: a bad row, as soon as it is found. */
export interface ProblemMessage { type: 'problem'; line: number; message: string }
/** Worker → host: the audit's report and the digest of the text it read (whole, or put together from a result's parts). */
export interface DoneMessage { type: 'done'; report: AuditReport; digest: FileDigest }
/** Worker → host: the digest asked for (whole, or put together from a result's parts). */
export interface DigestedMessage { type: 'digested'; digest: FileDigest }
/**
 * Worker → host: a `done` or `digested` reply begins, sent in parts (result.ts): the digest
 * without its rows and, for an audit, the report's start (reportParts.ts); `parts` resultPart
 * messages follow, in order, each with `rowsPerPart` rows (the last one the rest).
 */
export interface ResultStartMessage {
  type: 'resultStart';
  reply: 'done' | 'digested';
  digest: Omit<FileDigest, 'rows'>;
  rowCount: number;
  rowsPerPart: number;
  parts: number;
  report?: ReportStartMessage;
}
/** Worker → host: part `index` of a result: its digest rows and, for an audit, the same rows of the report. */
export interface ResultPartMessage { type: 'resultPart'; index: number; digestRows: RowDigest[]; report?: ReportPartMessage }
/** Worker → host: the cleaned copy is written. */
export interface CleanedMessage { type: 'cleaned'; log: CleanLogEntry[]; bytes: number }
/** Worker → host: the job failed; `input` means the file is unusable, `internal` a bug. */
export interface ErrorMessage { type: 'error'; message: string; kind: 'input' | 'internal' | 'cancelled' }

export type WorkerMessage = ProgressMessage | ProblemMessage | DoneMessage | DigestedMessage | CleanedMessage | ErrorMessage
  | ResultStartMessage | ResultPartMessage;
export type FinalMessage = DoneMessage | DigestedMessage | CleanedMessage;

export function isWorkerMessage(v: unknown): v is WorkerMessage {
  if (typeof v !== 'object' || v === null) return false;
  const t = (v as { type?: unknown }).type;
  return t === 'progress' || t === 'problem' || t === 'done' || t === 'digested' || t === 'cleaned' || t === 'error'
    || t === 'resultStart' || t === 'resultPart';
}
