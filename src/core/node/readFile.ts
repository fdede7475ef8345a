/** Reads a dataset file from disk, streaming it into the pure reader (src/core/read). */
import { createReadStream } from 'node:fs';
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

/**
 * Reads a .csv, .tsv / .tab, .jsonl / .ndjson or .json file. Throws InputError for a file that
 * cannot be audited at all; bad rows are kept, marked `invalid`, and listed in `problems`.
 * `onRead` hears how much of the file has been read (a fraction of its bytes).
 */
export async function readDatasetFile(path: string, options: ColumnOptions & { maxRows?: number } = {},
  onRead?: (fraction: number) => void): Promise<Dataset> {
  const format = formatFromPath(path);
  if (!format) {
    throw new InputError('unknown file type: use a .csv, .tsv, .tab, .jsonl, .ndjson or .json file', path);
  }
  let size = 0;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new InputError('not a file', path);
    size = s.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read the file: ${(e as Error).message}`, path);
  }
  const stream = createReadStream(path);
  try {
    // UTF-8, or UTF-16 by its byte order mark (textFile.ts)
    const bytes = onRead ? counted(stream, size, onRead) : stream as AsyncIterable<Buffer>;
    return await readDataset(decodeChunks(bytes), { ...options, file: path, format, csvParse });
  } catch (e) {
    // A file-system error while streaming (it has a `syscall`, as in "EISDIR: ..., read").
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') {
      throw new InputError(`cannot read the file: ${e.message}`, path);
    }
    throw e;
  } finally {
    stream.destroy();
  }
}
