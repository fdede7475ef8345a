/** Reads a dataset file from disk, streaming it into the pure reader (src/core/read). */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse, type Options } from 'csv-parse';
import { InputError, type Dataset } from '../dataset';
import { formatFromPath, readDataset, type CsvParse, type CsvParser } from '../read';
import type { ColumnOptions } from '../types';
import { decodeChunks } from './textFile';

/**
 * csv-parse's streaming `parse`, as the pure reader expects it. (csv-parse's typings do not model
 * `raw: true`, under which `on_record` receives `{ record, raw }`; hence the cast.)
 */
export const csvParse: CsvParse = (options) => parse(options as unknown as Options) as CsvParser;

/** The file's bytes, chunk by chunk, telling `onRead` the fraction read so far (at most a hundred times). */
async function* counted(stream: ReturnType<typeof createReadStream>, size: number, onRead: (fraction: number) => void): AsyncGenerator<Buffer> {
  let told = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const f = size > 0 ? Math.min(1, stream.bytesRead / size) : 1;
    if (f - told >= 0.01) { told = f; onRead(f); }
    yield chunk;
  }
  if (told < 1) onRead(1);
}

/** What identifies a file's content cheaply: a change to any of these means it was written. */
export interface FileStamp { dev: number; ino: number; size: number; mtimeMs: number }

function stampOf(s: Stats): FileStamp {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
}

/** The file's stamp now; InputError when it is gone or is not a file. */
export async function fileStamp(path: string): Promise<FileStamp> {
  let s: Stats;
  try {
    s = await stat(path);
  } catch (e) {
    throw fileError(e, path);
  }
  if (!s.isFile()) {
    const what = s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a named pipe (FIFO), which can be read only once' : s.isSocket() ? 'a socket' : 'not a regular file';
    throw new InputError(`this is ${what}, not a file; give the path of a .csv, .tsv, .jsonl or .json file (a pipe's data can be saved to one first)`, path);
  }
  return stampOf(s);
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Throws the InputError for a file that is gone or was written since `before`. */
export async function checkUnchanged(path: string, before: FileStamp, when: string): Promise<void> {
  let now: FileStamp;
  try {
    now = await fileStamp(path);
  } catch (e) {
    if (e instanceof InputError && /no such file/.test(e.message)) {
      throw new InputError(`the file was deleted or moved ${when}; nothing was audited: audit it again where it is now`, path);
    }
    throw e;
  }
  if (!sameStamp(before, now)) {
    const size = now.size !== before.size ? ` (${before.size.toLocaleString('en-US')} bytes, then ${now.size.toLocaleString('en-US')})` : '';
    throw new InputError(`the file changed ${when}${size}; nothing was audited: audit it again once it is no longer being written`, path);
  }
}

/** A file-system error as the InputError a user can act on, naming the file. */
export function fileError(e: unknown, path: string): InputError {
  if (e instanceof InputError) return e;
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return new InputError('no such file; check the path', path);
    case 'EACCES': case 'EPERM': return new InputError('permission denied: the file cannot be read; check its permissions', path);
    case 'EISDIR': return new InputError('this is a directory, not a file; give the path of a .csv, .tsv, .jsonl or .json file', path);
    case 'ENOTDIR': return new InputError('a part of the path is not a directory; check the path', path);
    case 'ELOOP': return new InputError('the path is a loop of symbolic links; check the path', path);
    case 'ENAMETOOLONG': return new InputError('the path is too long', path);
    case 'EMFILE': case 'ENFILE': return new InputError('too many files are open to read this one; close some programs and audit it again', path);
    case 'EIO': return new InputError('the disk could not read the file (input/output error); copy it elsewhere and audit the copy', path);
    default: return new InputError(`cannot read the file: ${err?.message ?? String(e)}`, path);
  }
}

/**
 * Reads a .csv, .tsv / .tab, .jsonl / .ndjson or .json file (UTF-8, or UTF-16 with its byte
 * order mark: textFile.ts). Throws InputError for a file that cannot be audited at all, including
 * one that is written while it is read; bad rows are kept, marked `invalid`, and listed in
 * `problems`. `onRead` hears how much of the file has been read (a fraction of its bytes); `since`
 * is the file's stamp when the caller started, so that a change before the read counts too.
 */
export async function readDatasetFile(path: string, options: ColumnOptions & { maxRows?: number } = {},
  onRead?: (fraction: number) => void, since?: FileStamp): Promise<Dataset> {
  const format = formatFromPath(path);
  if (!format) {
    throw new InputError('unknown file type: the name must end in .csv, .tsv, .tab, .jsonl, .ndjson or .json (the ending says how to read it)', path);
  }
  // `since`: the file as the caller first saw it (an audit's start), else as it is now
  const now = await fileStamp(path);
  const before = since ?? now;
  const stream = createReadStream(path);
  let dataset: Dataset;
  try {
    const bytes = onRead ? counted(stream, now.size, onRead) : stream as AsyncIterable<Buffer>;
    dataset = await readDataset(decodeChunks(bytes), { ...options, file: path, format, csvParse });
  } catch (e) {
    // A file-system error while streaming (it has a `syscall`, as in "EISDIR: ..., read").
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') throw fileError(e, path);
    throw e;
  } finally {
    stream.destroy();
  }
  // read whole or in part (maxRows): either way, what was read must be what the file holds
  await checkUnchanged(path, before, 'while it was read');
  return dataset;
}
