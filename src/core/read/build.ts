/**
 * From a table to a Dataset: detect the shape, convert every record to a row (unusable ones kept
 * with `invalid` and a problem), and refuse files that cannot be audited.
 */
import type { ColumnOptions, FileFormat, Problem } from '../types';
import type { Dataset, LabeledDataset, LabeledRow, PairDataset, RowSpan, TripletDataset, TripletRow } from '../dataset';
import { detectShape, isMissing, nonFinite, parseNumber, parseVector, type Shape } from './shape';
import { ReadError, jsonType, type Table, type TableRecord } from './table';

/** Rows used to detect the shape (the first readable ones). */
export const SAMPLE_ROWS = 1000;

type LabeledShape = Extract<Shape, { kind: 'labeled' }>;
type TripletShape = Extract<Shape, { kind: 'triplets' | 'pairs' }>;

/**
 * The longest text (a text, anchor, positive or negative cell) a row may hold: a million
 * characters, some 200 pages. Longer is a broken row (a quote or a line break missing, a file
 * pasted into a cell), and featurising it costs more than the whole rest of a file.
 */
export const MAX_TEXT_CHARS = 1_000_000;

/** The longest label: a label names a class; a longer one is a text in the wrong column. */
export const MAX_LABEL_CHARS = 1000;

/** What to do when the columns are not what the audit needs, for messages. */
const NAME_COLUMNS = 'name the columns with --text-column / --label-column (or --anchor-column, --positive-column, --negative-column), or tripletAudit.columns in VS Code';

export function buildDataset(table: Table, file: string, format: FileFormat, options: ColumnOptions = {}): Dataset {
  const { header, records } = table;
  const headerLine = table.headerLine ?? records[0]?.line ?? 1;
  if (records.length === 0) {
    if (header.length === 0) throw new ReadError(`the file is empty; ${EMPTY_ADVICE[format]}`, 1);
    throw new ReadError('the file has a header but no data rows; add rows below the header, one per line', headerLine);
  }
  // (an unterminated quote no longer takes the rest of the file: csv.ts reads on after it)
  const fail = (message: string, line?: number): never => {
    throw new ReadError(message, line);
  };
  const readable = records.filter((r) => r.values !== undefined);
  if (readable.length === 0) fail(noUsableRows(records), records[0].line);
  let shape: Shape;
  try {
    shape = detectShape(header, readable.slice(0, SAMPLE_ROWS).map((r) => r.values as unknown[]), options);
  } catch (e) {
    // a column problem: it is the header's (or, without one, the first row's keys')
    if (e instanceof ReadError && e.line === undefined) fail(`${e.message}; ${NAME_COLUMNS}`, headerLine);
    throw e;
  }
  const problems: Problem[] = (table.headerProblems ?? []).map((m) => ({ line: headerLine, message: `line ${headerLine}: ${m}`, severity: 'warning' }));
  const base = { file, format, header, problems };
  const dataset: Dataset =
    shape.kind === 'triplets'
      ? ({ ...base, kind: 'triplets', columns: shape.columns, rows: tripletRows(records, header, shape, problems) } satisfies TripletDataset)
      : shape.kind === 'pairs'
        ? ({ ...base, kind: 'pairs', columns: shape.columns, rows: tripletRows(records, header, shape, problems) } satisfies PairDataset)
        : ({ ...base, kind: 'labeled', input: shape.input, columns: shape.columns, rows: labeledRows(records, header, shape, problems) } satisfies LabeledDataset);

  const usable: Array<LabeledRow | TripletRow> = dataset.rows.filter((r) => r.invalid === undefined);
  if (usable.length === 0) fail(noUsableRows(dataset.rows), dataset.rows[0].line);
  if (dataset.kind === 'labeled') {
    const labels = new Set((usable as LabeledRow[]).map((r) => r.label));
    if (labels.size < 2) {
      const [only] = labels;
      fail(`only one label (${JSON.stringify(only)} in column ${JSON.stringify(dataset.columns.label)}) among the ${usable.length} usable row${usable.length === 1 ? '' : 's'}; `
        + `an audit tells labels apart, so it needs at least 2; if another column holds the labels, ${NAME_COLUMNS}`, headerLine);
    }
  }
  return dataset;
}

const EMPTY_ADVICE: Record<FileFormat, string> = {
  csv: 'a CSV dataset has a header line (e.g. text,label) and a row per line',
  tsv: 'a TSV dataset has a header line (e.g. text<TAB>label) and a row per line',
  jsonl: 'a JSON Lines dataset has one object per line (e.g. {"text": "...", "label": "..."})',
  json: 'a JSON dataset is an array of objects (e.g. [{"text": "...", "label": "..."}])',
};

function noUsableRows(rows: Array<{ line: number; invalid?: string; error?: string }>): string {
  const first = rows.find((r) => r.invalid ?? r.error);
  const why = first ? `, the first at line ${first.line}: ${first.invalid ?? first.error}` : '';
  return `no usable rows: ${rows.length === 1 ? 'the one row has a problem' : `all ${rows.length} rows have problems`}${why}; fix the rows, or if the columns were taken wrongly, ${NAME_COLUMNS}`;
}

/** Collects a row's problems; `invalid` is the first error. */
class RowCheck {
  invalid?: string;
  constructor(
    private readonly span: RowSpan,
    private readonly problems: Problem[],
  ) {}
  error(message: string): void {
    this.invalid ??= message;
    this.add(message, 'error');
  }
  warn(message: string): void {
    this.add(message, 'warning');
  }
  private add(message: string, severity: Problem['severity']): void {
    this.problems.push({ line: this.span.line, row: this.span.row, message: `line ${this.span.line}: ${message}`, severity });
  }
}

/** A string cell: text as is, numbers / booleans with String(); undefined (and an error) otherwise. */
function stringCell(values: unknown[], i: number, what: string, check: RowCheck): string | undefined {
  const v = values[i];
  if (v === undefined || v === null) check.error(`missing ${what}`);
  else if (typeof v === 'object') check.error(`${what} is a JSON ${jsonType(v)}, not a string`);
  else return String(v);
  return undefined;
}

/**
 * A text cell (text, anchor, positive, negative): refused when too long to be a row, and told
 * about when it shows that the file was not read as it was written.
 */
function textCell(values: unknown[], i: number, what: string, check: RowCheck, required = false): string | undefined {
  const s = stringCell(values, i, what, check);
  if (s === undefined) return undefined;
  if (s.length > MAX_TEXT_CHARS) {
    check.error(`${what} is ${s.length.toLocaleString('en-US')} characters long, more than the ${MAX_TEXT_CHARS.toLocaleString('en-US')} a row may hold; is a closing quote or a line break missing?`);
    return undefined;
  }
  // a labeled row's empty text is a row like any other (it is judged by its label); a triplet needs all three texts
  if (s.trim() === '') {
    if (required) check.error(`empty ${what}: a triplet needs an anchor, a positive and a negative; fill it in or leave the row out`);
    else check.warn(`empty ${what}`);
  }
  if (s.includes('\ufffd')) check.warn(`${what} holds U+FFFD (\u{fffd}), the mark of bytes that are not UTF-8; if the file is Latin-1 or Windows-1252, save it as UTF-8`);
  if (s.includes('\0')) check.warn(`${what} holds NUL bytes; is the file UTF-16 without a byte order mark, or binary?`);
  return s;
}

function labeledRows(records: TableRecord[], header: string[], shape: LabeledShape, problems: Problem[]): LabeledRow[] {
  const { columns, input } = shape;
  const at = columnIndex(header);
  const labelAt = at(columns.label);
  const labelWhat = `label (column ${JSON.stringify(columns.label)})`;
  const textAt = columns.text === undefined ? -1 : at(columns.text);
  const textWhat = `text (column ${JSON.stringify(columns.text)})`;
  const featureAt = (columns.features ?? []).map(at);
  const vectorAt = columns.vector === undefined ? -1 : at(columns.vector);
  const vectorName = JSON.stringify(columns.vector);
  const dim = vectorAt < 0 ? 0 : commonLength(records, vectorAt);
  // Rows are object literals, never spreads: spreading is slow on hundreds of thousands of rows.
  return records.map((rec) => {
    const row: LabeledRow = { row: rec.row, line: rec.line, endLine: rec.endLine, label: '' };
    const check = new RowCheck(row, problems);
    const values = rec.values;
    if (!values) {
      check.error(rec.error ?? 'unreadable row');
    } else {
      row.label = stringCell(values, labelAt, labelWhat, check) ?? '';
      if (!check.invalid && row.label.trim() === '') check.error(`empty ${labelWhat}`);
      if (row.label.length > MAX_LABEL_CHARS) {
        check.error(`${labelWhat} is ${row.label.length.toLocaleString('en-US')} characters long: a label names a class in at most ${MAX_LABEL_CHARS.toLocaleString('en-US')}; is a delimiter missing?`);
        row.label = '';
      }
      if (input === 'text') {
        const text = textCell(values, textAt, textWhat, check);
        if (text !== undefined) row.text = text;
      } else if (input === 'features') {
        const f = new Float32Array(featureAt.length);
        featureAt.forEach((i, k) => {
          const x = parseNumber(values[i]);
          if (x === undefined) check.error(`column ${JSON.stringify(header[i])}: ${describeValue(values[i], 'a number')}`);
          else f[k] = x;
        });
        row.features = f;
      } else {
        const v = parseVector(values[vectorAt]);
        if (v === undefined) check.error(`column ${vectorName}: ${describeValue(values[vectorAt], 'a vector of numbers')}`);
        else if (v.length !== dim) check.error(`column ${vectorName}: the vector has ${v.length} values, expected ${dim}`);
        else row.features = v;
      }
    }
    if (check.invalid !== undefined) row.invalid = check.invalid;
    return row;
  });
}

/** Triplet rows, or pairs' rows (their `negative` stays ''). */
function tripletRows(records: TableRecord[], header: string[], shape: TripletShape, problems: Problem[]): TripletRow[] {
  const at = columnIndex(header);
  const roles = (shape.kind === 'pairs' ? ['anchor', 'positive'] as const : ['anchor', 'positive', 'negative'] as const).map((role) => {
    const name = (shape.columns as Record<string, string>)[role];
    return { role, at: at(name), what: `${role} (column ${JSON.stringify(name)})` };
  });
  return records.map((rec) => {
    const row: TripletRow = { row: rec.row, line: rec.line, endLine: rec.endLine, anchor: '', positive: '', negative: '' };
    const check = new RowCheck(row, problems);
    const values = rec.values;
    if (!values) check.error(rec.error ?? 'unreadable row');
    else {
      for (const { role, at, what } of roles) {
        const s = textCell(values, at, what, check, true);
        if (s !== undefined) row[role] = s;
      }
    }
    if (check.invalid !== undefined) row.invalid = check.invalid;
    return row;
  });
}

/** A column's index by name, looked up in a map (header.indexOf per column is quadratic in a wide file). */
function columnIndex(header: string[]): (name: string) => number {
  const index = new Map<string, number>();
  header.forEach((h, i) => { if (!index.has(h)) index.set(h, i); });
  return (name) => index.get(name) ?? -1;
}

/** The most common vector length among the first readable records. */
function commonLength(records: TableRecord[], i: number): number {
  const counts = new Map<number, number>();
  let seen = 0;
  for (const r of records) {
    const v = r.values && parseVector(r.values[i]);
    if (!v) continue;
    counts.set(v.length, (counts.get(v.length) ?? 0) + 1);
    if (++seen >= SAMPLE_ROWS) break;
  }
  let best = 0;
  let bestCount = 0;
  for (const [len, n] of counts) if (n > bestCount) [best, bestCount] = [len, n];
  return best;
}

/** "empty value, expected a number" / "\"abc\" is not a number" / "\"NaN\" is not a finite number". */
function describeValue(v: unknown, expected: string): string {
  if (isMissing(v)) return `empty value, expected ${expected}`;
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
  const shown = JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
  if (nonFinite(v)) return `${shown} is not a finite number (NaN, an infinity, or too large for a double); write a number, or leave the row out`;
  return `${shown} is not ${expected}`;
}
