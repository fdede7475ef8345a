/**
 * Reading a dataset file's text into a Dataset. Pure: the text comes as an async iterable of
 * string chunks, and CSV / TSV need csv-parse's `parse` passed in (node/readFile.ts does both).
 */
import type { Dataset } from '../dataset';
import { InputError } from '../dataset';
import type { ColumnOptions, FileFormat } from '../types';
import { buildDataset } from './build';
import { readCsvTable, type CsvParse } from './csv';
import { readJsonTable } from './json';
import { readJsonlTable } from './jsonl';
import { ReadError, type Table } from './table';

export { buildDataset, SAMPLE_ROWS } from './build';
export { csvRecords, readCsvTable, type CsvParse, type CsvParseOptions, type CsvParser, type CsvRecord, type CsvReadOptions } from './csv';
export { readJsonTable } from './json';
export { readJsonlTable } from './jsonl';
export { detectShape, parseNumber, parseVector, type Shape } from './shape';
export { ReadError, countLineBreaks, type Table, type TableRecord } from './table';

export interface ReadOptions extends ColumnOptions {
  /** The file name used in messages and in the Dataset. */
  file: string;
  format: FileFormat;
  /** Stop after this many data rows (0 or absent: no limit); the rest of the text is not read. */
  maxRows?: number;
  /** csv-parse's `parse`, needed for CSV and TSV. */
  csvParse?: CsvParse;
}

/** The format a file name implies: .csv, .tsv / .tab, .jsonl / .ndjson, .json; undefined otherwise. */
export function formatFromPath(path: string): FileFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  switch (ext) {
    case 'csv':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'json':
      return 'json';
    default:
      return undefined;
  }
}

/** Reads and checks a dataset; throws InputError for a file that cannot be audited at all. */
export async function readDataset(chunks: AsyncIterable<string>, options: ReadOptions): Promise<Dataset> {
  try {
    const table = await readTable(chunks, options);
    return buildDataset(table, options.file, options.format, options);
  } catch (e) {
    if (e instanceof ReadError) throw new InputError(e.message, options.file, e.line);
    throw e;
  }
}

export function readTable(chunks: AsyncIterable<string>, options: ReadOptions): Promise<Table> {
  const maxRows = options.maxRows ?? 0;
  switch (options.format) {
    case 'csv':
    case 'tsv': {
      if (!options.csvParse) throw new Error('readDataset: CSV and TSV need the csvParse option (csv-parse\'s parse)');
      const tsv = options.format === 'tsv';
      return readCsvTable(chunks, { delimiter: tsv ? '\t' : ',', quote: !tsv, parse: options.csvParse, maxRows });
    }
    case 'jsonl':
      return readJsonlTable(chunks, maxRows);
    case 'json':
      return readJsonTable(chunks, maxRows);
  }
}
