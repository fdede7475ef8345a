/**
 * The bad-input corpus: files a user may open (test/fixtures/bad/, and the large ones written by
 * `writeLargeCases`) with the outcome each must have. Either exit 0, with the bad rows among the
 * report's problems on their lines, or exit 2, with one line naming the file (and the line, where
 * the trouble is in the text) and what to do. Never exit 1, a stack trace, or a hang.
 *
 * The expectations check outcomes (exit code, the problems' lines and messages), not whole
 * reports, so that the engine may change underneath. Used by test/unit/bad-input.test.ts (the CLI
 * and the job process) and bench/bad-input.ts (memory).
 *
 *     npx tsx test/support/badCorpus.ts DIR    writes the large cases into DIR
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';

export const BAD_DIR = resolve(__dirname, '..', 'fixtures', 'bad');

/** One problem the report must list: its line, a pattern of its message (after "line N: "), its severity. */
export interface ExpectedProblem { line: number; message: RegExp; severity: 'error' | 'warning' }

export type Outcome =
  | { exit: 0; problems: ExpectedProblem[]; rows?: number }
  /** `line` undefined: a verdict on the whole file (no line in it is at fault), said without one. */
  | { exit: 2; line?: number; message: RegExp };

export interface BadCase {
  /** The file's name: under test/fixtures/bad/, or written by writeLargeCases. */
  name: string;
  /** What the issue calls it. */
  what: string;
  outcome: Outcome;
  /** Written at test time (too large to commit). */
  large?: boolean;
  /** Made by the test itself (a directory, a FIFO, a missing file). */
  special?: 'directory' | 'fifo' | 'missing';
}

const err = (line: number, message: RegExp): ExpectedProblem => ({ line, message, severity: 'error' });
const warn = (line: number, message: RegExp): ExpectedProblem => ({ line, message, severity: 'warning' });
const every10 = (from: number, re: RegExp, make = err) => [0, 10, 20, 30].map((d) => make(from + d, re));

const NOT_UTF8 = /holds U\+FFFD .*not UTF-8; if the file is Latin-1 or Windows-1252, save it as UTF-8/;
const NOT_FINITE = /is not a finite number .*write a number, or leave the row out/;

export const BAD_CASES: BadCase[] = [
  { name: 'empty.csv', what: 'empty file', outcome: { exit: 2, line: 1, message: /the file is empty; a CSV dataset has a header line/ } },
  { name: 'empty.jsonl', what: 'empty file (JSONL, blank lines only)', outcome: { exit: 2, line: 1, message: /the file is empty; a JSON Lines dataset has one object per line/ } },
  { name: 'header_only.csv', what: 'header only', outcome: { exit: 2, line: 1, message: /the file has a header but no data rows; add rows below the header/ } },
  { name: 'one_row.csv', what: 'one row', outcome: { exit: 2, line: 1, message: /only one label \("NUM" in column "label"\) among the 1 usable row; an audit tells labels apart/ } },
  { name: 'one_class.csv', what: 'one class only', outcome: { exit: 2, line: 1, message: /only one label \("DESC" in column "label"\) among the 40 usable rows/ } },
  { name: 'two_classes_one_row_each.csv', what: 'two classes with one row each', outcome: { exit: 2, message: /too few rows per label to audit: 2 labels .*\("NUM": 1, "DESC": 1\), none with at least 3 rows.*add rows/ } },
  { name: 'too_few_rows_per_fold.csv', what: 'too few rows per fold', outcome: { exit: 2, message: /too few rows to audit: 12 usable rows for 5 folds; .*at least 4 rows per fold.*use 3 folds \(--folds 3/ } },
  { name: 'triplets_too_few.jsonl', what: 'too few triplets', outcome: { exit: 2, message: /too few triplets to audit: 5 usable triplets for 5 folds; .*add triplets/ } },
  { name: 'unterminated_quote_end.csv', what: 'unterminated quote at the end', outcome: { exit: 0, rows: 41, problems: [err(42, /^unterminated quote: a quoted field in this row is never closed/)] } },
  { name: 'unterminated_quote_middle.csv', what: 'unterminated quote in the middle', outcome: { exit: 0, rows: 41, problems: [err(22, /^unterminated quote: .*the row is skipped and the rows after it are read from the next line/)] } },
  { name: 'unterminated_quote_header.csv', what: 'unterminated quote in the header', outcome: { exit: 2, line: 1, message: /the header cannot be read: .*the first line must name the columns/ } },
  { name: 'ragged_rows.csv', what: 'ragged rows (too many / too few fields)', outcome: { exit: 0, rows: 42, problems: [err(17, /^expected 2 fields, found 5$/), err(18, /^expected 2 fields, found 1$/)] } },
  { name: 'duplicate_header.csv', what: 'duplicate header names', outcome: { exit: 0, rows: 40, problems: [warn(1, /the column name "text" appears 2 times \(columns 1, 3\); column 3 is read as "text\.1"/)] } },
  { name: 'empty_header_names.csv', what: 'empty header names', outcome: { exit: 0, rows: 40, problems: [warn(1, /columns 1, 3 have no name; column 3 is read as "Unnamed: 2": name every column/)] } },
  { name: 'bom_utf8.csv', what: 'UTF-8 byte order mark (and CRLF)', outcome: { exit: 0, rows: 40, problems: [] } },
  { name: 'bom_utf16le.csv', what: 'UTF-16 LE byte order mark', outcome: { exit: 0, rows: 40, problems: [] } },
  { name: 'bom_utf16be.tsv', what: 'UTF-16 BE byte order mark', outcome: { exit: 0, rows: 40, problems: [] } },
  { name: 'mixed_eol.csv', what: 'CRLF / LF / CR mixed (a bad row on line 32 proves the count)', outcome: { exit: 0, rows: 40, problems: [err(32, /^expected 2 fields, found 3$/)] } },
  { name: 'mixed_eol.jsonl', what: 'CRLF / LF / CR mixed in JSONL (a broken line 26)', outcome: { exit: 0, rows: 40, problems: [err(26, /^invalid JSON at the end of the text: expected a value$/)] } },
  { name: 'cr_only.jsonl', what: 'CR-only line endings in JSONL', outcome: { exit: 0, rows: 40, problems: [] } },
  { name: 'latin1.csv', what: 'Latin-1 bytes', outcome: { exit: 0, rows: 40, problems: every10(6, NOT_UTF8, warn) } },
  { name: 'invalid_utf8.csv', what: 'invalid UTF-8 bytes', outcome: { exit: 0, rows: 41, problems: [warn(12, NOT_UTF8)] } },
  { name: 'nul_bytes.csv', what: 'NUL bytes', outcome: { exit: 0, rows: 41, problems: [warn(12, /holds NUL bytes; is the file UTF-16 without a byte order mark, or binary\?/)] } },
  { name: 'labels_all_numbers.csv', what: 'a label column that is all numbers', outcome: { exit: 0, rows: 40, problems: [] } },
  { name: 'labels_all_blank.csv', what: 'a label column that is all blank', outcome: { exit: 2, line: 2, message: /no usable rows: all 40 rows have problems, the first at line 2: empty label \(column "label"\); fix the rows/ } },
  { name: 'nan_infinity.csv', what: 'NaN / Infinity / "1e999" in numeric columns', outcome: { exit: 0, rows: 40, problems: [err(7, NOT_FINITE), err(14, NOT_FINITE), err(22, NOT_FINITE), err(29, NOT_FINITE)] } },
  { name: 'nan_infinity.jsonl', what: '1e999 as a JSON number', outcome: { exit: 0, rows: 40, problems: [err(9, NOT_FINITE)] } },
  { name: 'vectors_unequal.jsonl', what: 'vectors of unequal length', outcome: { exit: 0, rows: 40, problems: every10(4, /^column "vector": the vector has 5 values, expected 4$/) } },
  { name: 'broken_lines.jsonl', what: 'a JSONL with broken lines', outcome: { exit: 0, rows: 40, problems: every10(7, /^invalid JSON at the end of the text: expected a closing quote/) } },
  { name: 'trailing_comma.jsonl', what: 'a JSONL line with a trailing comma', outcome: { exit: 0, rows: 40, problems: [err(10, /^invalid JSON at column \d+: expected a member after this ',' \(a trailing comma is not JSON\)$/)] } },
  { name: 'trailing_comma.json', what: 'a JSON array with a trailing comma', outcome: { exit: 2, line: 41, message: /invalid JSON at column \d+: expected a value after this ',' \(a trailing comma is not JSON\); fix the JSON/ } },
  { name: 'top_level_number.jsonl', what: 'a JSONL whose line is a number', outcome: { exit: 2, line: 1, message: /no usable rows: the one row has a problem, the first at line 1: expected a JSON object, found number/ } },
  { name: 'top_level_number.json', what: 'a JSON file that is a number', outcome: { exit: 2, line: 1, message: /expected a JSON array of objects, found number; a JSON dataset is an array of objects/ } },
  { name: 'array_of_non_objects.json', what: 'a JSON array of non-objects', outcome: { exit: 2, line: 1, message: /no usable rows: all 5 rows have problems, the first at line 1: expected a JSON object, found number/ } },
  { name: 'nested_array_cell.jsonl', what: 'a cell nested 100,000 arrays deep', outcome: { exit: 0, rows: 40, problems: [err(4, /^text \(column "text"\) is a JSON array, not a string$/)] } },
  { name: 'triplets_empty_positive.jsonl', what: 'a triplet file with empty positives', outcome: { exit: 0, rows: 40, problems: [3, 11, 19, 27, 35].map((l) => err(l, /^empty positive \(column "positive"\): a triplet needs an anchor, a positive and a negative/)) } },
  { name: 'line_50mb.csv', what: 'a 50 MB single line', large: true, outcome: { exit: 0, rows: 41, problems: [err(22, /^text \(column "text"\) is 52,428,800 characters long, more than the 1,000,000 a row may hold; is a closing quote or a line break missing\?$/)] } },
  { name: 'columns_1m.csv', what: '1,000,000 columns', large: true, outcome: { exit: 2, line: 1, message: /the header has 1,000,000 columns, more than the 100,000 an audit reads; keep the columns the audit needs/ } },
  { name: 'labels_10k.csv', what: 'a label column with 10,000 distinct labels', large: true, outcome: { exit: 2, message: /column "label" does not look like labels: 10,000 distinct values among 17,998 usable rows, and 9,998 rows \(most\) have a value found fewer than 3 times.*--label-column/ } },
  { name: 'directory.csv', what: 'a directory passed as FILE', special: 'directory', outcome: { exit: 2, message: /this is a directory, not a file; give the path of a \.csv/ } },
  { name: 'fifo.csv', what: 'a FIFO passed as FILE', special: 'fifo', outcome: { exit: 2, message: /this is a named pipe \(FIFO\), which can be read only once, not a file/ } },
  { name: 'missing.csv', what: 'a file that is not there', special: 'missing', outcome: { exit: 2, message: /no such file; check the path/ } },
];

/** The rows the generated files are made of: TREC questions (as in media/sample.csv). */
const QUESTIONS: Array<[string, string]> = [
  ['How far is it from Denver to Aspen ?', 'NUM'], ['What is a caldera ?', 'DESC'], ['Who was the first woman in space ?', 'HUM'],
  ['Where is the Orinoco River ?', 'LOC'], ['What does NASA stand for ?', 'ABBR'], ['What color is a giraffe \'s tongue ?', 'ENTY'],
  ['When was the Berlin Wall built ?', 'NUM'], ['Why is the sky blue ?', 'DESC'], ['Who invented the telephone ?', 'HUM'],
  ['What is the capital of Peru ?', 'LOC'],
];

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const line of lines) if (!out.write(line)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** Writes the large cases (about 80 MB in all) into `dir`; returns their paths by name. */
export async function writeLargeCases(dir: string): Promise<Record<string, string>> {
  mkdirSync(dir, { recursive: true });
  const paths: Record<string, string> = {};
  // 20 questions, one row with a 50 MB text (line 22), 20 more
  paths['line_50mb.csv'] = join(dir, 'line_50mb.csv');
  await writeLines(paths['line_50mb.csv'], (function* () {
    yield 'text,label\n';
    for (let i = 0; i < 20; i++) yield `${QUESTIONS[i % 10][0]} (${i}),${QUESTIONS[i % 10][1]}\n`;
    const block = 'x'.repeat(1 << 20);
    for (let k = 0; k < 50; k++) yield block;
    yield ',DESC\n';
    for (let i = 20; i < 40; i++) yield `${QUESTIONS[i % 10][0]} (${i}),${QUESTIONS[i % 10][1]}\n`;
  })());
  // a header of 1,000,000 columns (about 7 MB) and two rows of as many fields
  paths['columns_1m.csv'] = join(dir, 'columns_1m.csv');
  await writeLines(paths['columns_1m.csv'], (function* () {
    const n = 1_000_000;
    yield Array.from({ length: n }, (_, i) => (i === 0 ? 'label' : `c${i}`)).join(',') + '\n';
    for (let r = 0; r < 2; r++) yield Array.from({ length: n }, (_, i) => (i === 0 ? (r ? 'up' : 'down') : String((r * i) % 7))).join(',') + '\n';
  })());
  // 17,998 rows, 10,000 labels: two of 4,000 rows, and 9,998 that occur once (ids in the label column)
  paths['labels_10k.csv'] = join(dir, 'labels_10k.csv');
  await writeLines(paths['labels_10k.csv'], (function* () {
    yield 'text,label\n';
    for (let i = 0; i < 17_998; i++) yield `${QUESTIONS[i % 10][0]} (${i}),${i < 8000 ? ['yes', 'no'][i % 2] : `id${i}`}\n`;
  })());
  return paths;
}

/** A clean file of about `bytes` bytes (TREC-like questions in 6 labels, texts of ~`width` characters): the memory reference. */
export async function writeCleanFile(path: string, bytes: number, width = 60): Promise<void> {
  await writeLines(path, (function* () {
    yield 'text,label\n';
    let size = 11;
    for (let i = 0; size < bytes; i++) {
      const [q, label] = QUESTIONS[i % 10];
      let text = `${q.slice(0, -2)} number ${i}`;
      while (text.length < width) text += ` ${QUESTIONS[(i * 7 + text.length) % 10][0].split(' ')[2]}`;
      const line = `${text} ?,${label}\n`;
      size += Buffer.byteLength(line);
      yield line;
    }
  })());
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) { console.error('usage: npx tsx test/support/badCorpus.ts DIR'); process.exit(2); }
  void writeLargeCases(dir).then((p) => { for (const [name, path] of Object.entries(p)) console.log(`${name}: ${path}`); });
}
