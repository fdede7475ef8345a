/**
 * CSV / TSV reading with csv-parse's streaming parser. csv-parse needs Node's `stream` and
 * `Buffer`, so the core does not import it: the caller passes its `parse` function
 * (`import { parse } from 'csv-parse'`; see node/readFile.ts).
 */
import { CsvLineTracker, describe, type CsvParseError, type CsvRecord } from './csvLines';
import { MAX_COLUMNS, ReadError, type Table, type TableRecord } from './table';

export type { CsvParseError, CsvRecord };

/** The options this reader gives csv-parse (a subset of csv-parse's `Options`). */
export interface CsvParseOptions {
  bom: boolean;
  delimiter: string;
  quote: string | null;
  record_delimiter: string[];
  relax_column_count: boolean;
  skip_empty_lines: boolean;
  skip_records_with_error: boolean;
  raw: boolean;
  on_record: (record: { record: string[]; raw?: string }, context: { lines: number; bytes: number; raw?: string }) => null;
  on_skip: (error: CsvParseError | undefined, raw: string | undefined) => undefined;
}

/** The part of csv-parse's Parser (a Node Transform stream) this reader uses. */
export interface CsvParser {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  end(callback: (error?: Error | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): unknown;
}

/** csv-parse's `parse(options)`. */
export type CsvParse = (options: CsvParseOptions) => CsvParser;

export interface CsvReadOptions {
  delimiter: ',' | '\t';
  /** A leading BOM is a byte order mark, not text (true unless the text is not the file's start). */
  bom?: boolean;
  /** false for TSV: quotes are ordinary characters. */
  quote: boolean;
  parse: CsvParse;
}

/**
 * Every record of the text (the header first) with its line span. Records csv-parse cannot read
 * come with `error` instead of `fields`; the reading goes on after them.
 */
export async function* csvRecords(chunks: AsyncIterable<string>, options: CsvReadOptions): AsyncGenerator<CsvRecord> {
  const tracker = new CsvLineTracker(options.delimiter, options.quote ? '"' : null);
  const parser = options.parse({
    bom: options.bom ?? true,
    delimiter: options.delimiter,
    quote: options.quote ? '"' : null,
    record_delimiter: ['\r\n', '\n', '\r'], // any line ending, even mixed in one file
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    on_record: ({ record, raw }, context) => {
      tracker.record(record, raw ?? context.raw ?? '', context.lines, context.bytes);
      return null; // nothing goes to the stream's readable side: the tracker collects the records
    },
    on_skip: (error, raw) => {
      tracker.skip(error, raw);
      return undefined;
    },
  });
  parser.on('error', () => undefined); // errors reach the write / end callbacks
  const write = (chunk: string) => {
    tracker.feed(chunk);
    return new Promise<void>((resolve, reject) => parser.write(chunk, (e) => (e ? reject(e) : resolve())));
  };
  const end = () => new Promise<void>((resolve, reject) => parser.end((e) => (e ? reject(e) : resolve())));
  let held = ''; // a chunk's last UTF-16 code unit when it is the first half of a surrogate pair
  try {
    for await (const chunk of chunks) {
      const text = held + chunk;
      const last = text.charCodeAt(text.length - 1);
      held = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : '';
      if (text.length > held.length) await write(held ? text.slice(0, -1) : text);
      yield* tracker.out.splice(0);
    }
    if (held) await write(held);
    await end();
    tracker.finish();
    yield* tracker.out.splice(0);
  } catch (e) {
    // Errors csv-parse cannot skip (none with the options above, but a CsvError has a code).
    const error = e as CsvParseError;
    if (typeof error?.code === 'string') throw new ReadError(`the file cannot be parsed: ${describe(error)}`, error.lines);
    throw e;
  } finally {
    parser.destroy();
  }
}

/**
 * csvRecords, going on after an unterminated quote: the text csv-parse read into the quoted field
 * (all the rest of the file) is read again from the line after the bad record's first line.
 */
async function* recoveringRecords(chunks: AsyncIterable<string>, first: CsvReadOptions): AsyncGenerator<CsvRecord> {
  let options = first;
  let source = chunks;
  let offset = 0;
  for (;;) {
    let again: { text: string; offset: number } | undefined;
    for await (const rec of csvRecords(source, options)) {
      const shifted: CsvRecord = { ...rec, line: rec.line + offset, endLine: rec.endLine + offset };
      if (rec.rest !== undefined) {
        again = { text: rec.rest, offset: offset + rec.line };
        delete shifted.rest;
      }
      yield shifted;
    }
    if (!again || again.text === '') return;
    const text = again.text;
    source = (async function* () { yield text; })();
    offset = again.offset;
    // the text read again is the middle of the file: a U+FEFF there is a character
    options = { ...options, bom: false };
  }
}

/** Reads a CSV / TSV file: the first record is the header; stops after `maxRows` data rows (0: no limit). */
export async function readCsvTable(
  chunks: AsyncIterable<string>,
  options: CsvReadOptions & { maxRows?: number },
): Promise<Table> {
  let header: string[] | undefined;
  let headerLine = 1;
  let headerProblems: string[] | undefined;
  const records: TableRecord[] = [];
  const maxRows = options.maxRows ?? 0;
  for await (const rec of recoveringRecords(chunks, options)) {
    if (header === undefined) {
      if (!rec.fields) throw new ReadError(`the header cannot be read: ${rec.error}; the first line must name the columns (e.g. text,label)`, rec.line);
      if (rec.fields.length > MAX_COLUMNS) {
        throw new ReadError(`the header has ${rec.fields.length.toLocaleString('en-US')} columns, more than the ${MAX_COLUMNS.toLocaleString('en-US')} an audit reads; `
          + 'keep the columns the audit needs (a text and a label, or a vector column holding "[0.1, 0.2, ...]")', rec.line);
      }
      ({ names: header, problems: headerProblems } = uniqueNames(rec.fields));
      headerLine = rec.line;
      continue;
    }
    const record: TableRecord = { row: records.length, line: rec.line, endLine: rec.endLine };
    if (!rec.fields) {
      record.error = rec.error ?? 'unreadable row';
      if (rec.fatal) record.fatal = true;
    } else if (rec.fields.length !== header.length) {
      const n = header.length;
      record.error = `expected ${n} field${n === 1 ? '' : 's'}, found ${rec.fields.length}`;
    } else {
      record.values = rec.fields;
    }
    records.push(record);
    if (maxRows > 0 && records.length >= maxRows) break;
  }
  const table: Table = { header: header ?? [], records };
  if (header) table.headerLine = headerLine;
  if (headerProblems?.length) table.headerProblems = headerProblems;
  return table;
}

/**
 * Header names made unique as pandas reads them: the second "text" is "text.1", the third
 * "text.2" (so `--text-column text.1` can pick it), a second column without a name
 * "Unnamed: 4" (its 0-based index); each renaming is a problem to tell.
 */
export function uniqueNames(fields: string[]): { names: string[]; problems: string[] } {
  const seen = new Map<string, number[]>();
  fields.forEach((f, i) => { const at = seen.get(f); if (at) at.push(i); else seen.set(f, [i]); });
  const taken = new Set(fields);
  const names = fields.slice();
  const problems: string[] = [];
  for (const [name, at] of seen) {
    if (at.length < 2) {
      if (name.trim() === '') problems.push(`column ${at[0] + 1} has no name: name every column in the header`);
      continue;
    }
    const renamed: string[] = [];
    for (let k = 1, suffix = 1; k < at.length; k++) {
      let next = name === '' ? `Unnamed: ${at[k]}` : '';
      if (!next || taken.has(next)) {
        while (taken.has(`${name}.${suffix}`)) suffix++;
        next = `${name}.${suffix}`;
      }
      names[at[k]] = next;
      taken.add(next);
      renamed.push(`column ${at[k] + 1} is read as ${JSON.stringify(next)}`);
    }
    problems.push(name === ''
      ? `columns ${at.map((i) => i + 1).join(', ')} have no name; ${renamed.join(', ')}: name every column in the header`
      : `the column name ${JSON.stringify(name)} appears ${at.length} times (columns ${at.map((i) => i + 1).join(', ')}); ${renamed.join(', ')}: give each column a name of its own`);
  }
  return { names, problems };
}
