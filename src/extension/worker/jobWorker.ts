/**
 * The audit's job: runs one job (audit, digest or clean) off the extension host's thread and
 * posts typed messages back (protocol.ts). The extension runs it in a child process
 * (../jobProcess.ts), messages over process.send. The host ends it when the job ends; it also
 * ends when the host goes away.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { applyCleaning } from '../logic/cleanCopy';
import { digestText } from '../logic/rowDigest';
import { AbortError } from '../../core/engineApi';
import { InputError } from '../../core/dataset';
import type { AuditReport } from '../../core/types';
import { auditFiles } from '../../core/node/auditFile';
import { fileError, fileStamp } from '../../core/node/readFile';
import { decodeBytes, encodeText, type TextEncodingName } from '../../core/node/textFile';
import type { FileDigest } from '../logic/rowDigest';

import type { JobRequest, WorkerMessage, WorkerRequest } from './protocol';
import { resultMessages } from './result';

/** The file's text as the engine decodes it (textFile.ts: UTF-8, or UTF-16 by its mark), and the hash of its bytes. */
async function readText(file: string): Promise<{ text: string; hash: string; encoding: TextEncodingName; lossy: boolean }> {
  // a directory or a FIFO is refused first: reading a FIFO would wait for a writer for ever
  await fileStamp(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw fileError(e, file);
  }
  const { text, encoding } = decodeBytes(bytes);
  return { text, encoding, lossy: encoding === 'utf8' && !isUtf8(bytes), hash: createHash('sha256').update(bytes).digest('hex') };
}

/** Whether `a` and `b` name the same file (the same path, or one file by two names: a link, another case). */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch { return false; }
}

async function run(job: JobRequest, post: (m: WorkerMessage) => void, signal: AbortSignal): Promise<void> {
  switch (job.type) {
    case 'start': {
      const files = job.files ?? [job.file];
      // Hash what the engine is about to read, so that the digest matches the report.
      const before = await Promise.all(files.map(readText));
      const report: AuditReport = await auditFiles(files, job.options, {
        signal,
        onProgress: (progress) => post({ type: 'progress', progress }),
        onProblem: (line, message) => post({ type: 'problem', line, message }),
      });
      const after = await Promise.all(files.map(readText));
      after.forEach((a, i) => {
        if (a.hash !== before[i].hash) throw new InputError('the file changed during the audit; nothing was audited: audit it again once it is no longer being written', files[i]);
      });
      // in parts, so that the host is never blocked for long by reading it (result.ts)
      for (const m of resultMessages('done', auditDigest(report, before), report)) post(m);
      return;
    }
    case 'digest': {
      const { text, hash, lossy } = await readText(job.file);
      for (const m of resultMessages('digested', digestText(text, job.format, job.columns, job.rows, hash, lossy))) post(m);
      return;
    }
    case 'clean': {
      // the copy and its log never go over the dataset (the host checks the paths too; this checks the files)
      for (const target of [job.out, job.logFile]) {
        if (await sameFile(target, job.file)) throw new InputError(`${target} is the dataset itself; the cleaned copy never overwrites its source: choose another file`, job.file);
      }
      const { text, encoding } = await readText(job.file);
      const result = applyCleaning(text, job.format, job.columns, job.actions);
      // in the source's encoding (a UTF-16 file stays UTF-16, its byte order mark kept)
      const bytes = encodeText(result.text, encoding);
      await writeFile(job.out, bytes);
      await writeFile(job.logFile, JSON.stringify({
        source: job.file, output: job.out, mode: job.mode, generatedAt: new Date().toISOString(), changes: result.log,
      }, null, 2) + '\n', 'utf8');
      post({ type: 'cleaned', log: result.log, bytes: bytes.length });
    }
  }
}

/** The digest of the texts an audit read: one file's, or a multi-file audit's (every file's rows, in order, and each file's head). */
function auditDigest(report: AuditReport, texts: { text: string; hash: string; lossy: boolean }[]): FileDigest {
  if (!report.files) return digestText(texts[0].text, report.format, report.columns, report.rows, texts[0].hash, texts[0].lossy);
  const parts = report.files.map((f, i) => digestText(texts[i].text, f.format, f.columns, report.rows.slice(f.firstRow, f.firstRow + f.rows), texts[i].hash, texts[i].lossy));
  return { ...parts[0], rows: parts.flatMap((d) => d.rows), files: parts.map(({ rows: _rows, ...head }) => head) };
}

function errorMessage(e: unknown): WorkerMessage {
  if (e instanceof AbortError) return { type: 'error', kind: 'cancelled', message: e.message };
  if (e instanceof InputError) return { type: 'error', kind: 'input', message: e.message };
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string') return { type: 'error', kind: 'input', message: fileError(err, err.path ?? '').message };
  return { type: 'error', kind: 'internal', message: err instanceof Error ? err.stack ?? err.message : String(e) };
}

const send = process.send?.bind(process);
if (send) {
  // after the host has gone (the process is about to exit on 'disconnect') there is no one to tell
  const post = (m: WorkerMessage) => { if (process.connected) send(m); };
  const controller = new AbortController();
  // the extension host went away (or closed the channel): nothing is left to do the job for
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: WorkerRequest) => {
    if (m.type === 'cancel') { controller.abort(); return; }
    run(m, post, controller.signal).catch((e: unknown) => post(errorMessage(e)));
  });
}
