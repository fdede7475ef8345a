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
 * order mark: textFile.ts). Throws InputError for a file that cannot be audited at all; bad rows
 * are kept, marked `invalid`, and listed in `problems`. `onRead` hears how much of the file has
 * been read (a fraction of its bytes).
 */
export async function readDatasetFile(path: string, options: ColumnOptions & { maxRows?: number } = {},
  onRead?: (fraction: number) => void): Promise<Dataset> {
  const format = formatFromPath(path);
  if (!format) {
    throw new InputError('unknown file type: the name must end in .csv, .tsv, .tab, .jsonl, .ndjson or .json (the ending says how to read it)', path);
  }
  const now = await fileStamp(path);
  const stream = createReadStream(path);
  try {
    const bytes = onRead ? counted(stream, now.size, onRead) : stream as AsyncIterable<Buffer>;
    return await readDataset(decodeChunks(bytes), { ...options, file: path, format, csvParse });
  } catch (e) {
    // A file-system error while streaming (it has a `syscall`, as in "EISDIR: ..., read").
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') throw fileError(e, path);
    throw e;
  } finally {
    stream.destroy();
  }
}
