/**
 * Line spans of csv-parse records. Lines are counted as editors count them: "\r\n", "\r" and "\n"
 * each end one line.
 *  - A record csv-parse reads comes, with `raw: true`, with its raw text (which starts with the
 *    empty lines skipped before it) and `info.bytes`, the byte offset just past it; a cursor over
 *    the text fed to the parser turns that offset into the exact end line.
 *  - A bad record (skipped with `skip_records_with_error`) comes as one or more errors, each with
 *    the raw text so far and `bytes`, the offset of the last field boundary: the record's start
 *    when the error is in its first field, else the delimiter before the failing field. Its end is
 *    known when the next record starts. Errors of the same record are merged into one.
 *  - Should neither apply, csv-parse's own count (`lines`) is used, corrected for its counting
 *    "\r\n" inside quotes as two lines (the drift, measured at the last exact point).
 */
import { countLineBreaks } from './table';

/** The fields csv-parse's CsvError carries that are used here. */
export interface CsvParseError {
  code?: string;
  message: string;
  lines?: number;
  /** Offset of the last field or record boundary before the error. */
  bytes?: number;
  /** Fields of the record completed before the error. */
  index?: number;
}

/** One CSV record (the header included) with its line span, or the error that made it unreadable. */
export interface CsvRecord {
  fields?: string[];
  line: number;
  endLine: number;
  error?: string;
  /** An unterminated quote: the rest of the file went into this record. */
  fatal?: boolean;
  /**
   * An unterminated quote: the text after the record's first line, which csv-parse read as part of
   * the quoted field. The reader reads it again as rows (csv.ts), so that one stray quote does not
   * take the rest of the file with it; the record itself is then its first line only.
   */
  rest?: string;
}

interface Pending {
  record: CsvRecord;
  raw: string;
  csvLine: number;
  unclosed: boolean;
  /** Where the record's text (blank lines before it included) starts, when known exactly (an error in its first field). */
  startByte?: number;
  /** The record's text from its first character to the end of the text, taken when the parser has finished. */
  exact?: string;
}

const UNCLOSED = 'CSV_QUOTE_NOT_CLOSED';

export class CsvLineTracker {
  /** Finished records in file order; the reader takes them from here. */
  readonly out: CsvRecord[] = [];
  /** How far csv-parse's line count runs ahead of the real one. */
  private drift = 0;
  private readonly cursor = new ByteLines();
  /** A bad record whose end is known only when the next record starts. */
  private pending?: Pending;

  constructor(
    private readonly delimiter: string,
    private readonly quote: string | null,
  ) {}

  /** Text as it is given to the parser (before it). */
  feed(text: string): void {
    this.cursor.feed(text);
  }

  /** A record csv-parse read: `csvLine` and `bytes` are its `info.lines` and `info.bytes`. */
  record(fields: string[], raw: string, csvLine: number, bytes: number): void {
    const { leading, body } = splitRaw(raw);
    const endLine = this.cursor.lineAt(bytes - 1);
    const line = endLine - countLineBreaks(body);
    this.settle(line - leading - 1);
    this.drift = csvLine - endLine;
    this.out.push({ fields, line, endLine });
  }

  skip(error: CsvParseError | undefined, raw = ''): void {
    const csvLine = error?.lines ?? 1;
    const unclosed = error?.code === UNCLOSED;
    const p = this.pending;
    // Another error in the same record: its raw text only grew, by exactly the lines csv-parse counted.
    if (p && raw.startsWith(p.raw) && csvLine - p.csvLine === countBreakChars(raw.slice(p.raw.length - 1, -1))) {
      this.drift += countCrlf(raw) - countCrlf(p.raw);
      p.raw = raw;
      p.csvLine = csvLine;
      p.record.endLine = csvLine - this.drift;
      p.unclosed ||= unclosed;
      return;
    }
    const split = splitRaw(raw);
    const { body } = split;
    let { leading } = split;
    // An error in the first field: where the record starts is read off the text itself. (csv-parse's
    // raw text drops characters of CRLF line endings, so blank lines counted in it can be too few.)
    const exact = error?.bytes !== undefined && error.index === 0 ? this.cursor.recordAt(error.bytes) : undefined;
    if (exact) leading = exact.leading;
    const line = exact?.line ?? this.startLine(error, body) ?? csvLine - this.drift - countCrlf(raw) - countLineBreaks(body);
    const last = line + countLineBreaks(body);
    this.settle(line - leading - 1);
    this.drift = csvLine - last;
    this.pending = { record: { line, endLine: last, error: describe(error) }, raw, csvLine, unclosed };
    if (exact) this.pending.startByte = error?.bytes;
  }

  /**
   * The first line of a bad record from the error's `bytes`: the start of the record's raw text
   * when the error is in the first field, else the delimiter that ends field `index - 1`.
   */
  private startLine(error: CsvParseError | undefined, body: string): number | undefined {
    if (error?.bytes === undefined || error.index === undefined || error.index === 0) return undefined;
    const d = delimiterBefore(body, error.index, this.delimiter, this.quote);
    return d < 0 ? undefined : this.cursor.lineAt(error.bytes) - countLineBreaks(body.slice(0, d));
  }

  /** Call after the parser has finished: a bad record still open runs to the last line with text. */
  finish(): void {
    const p = this.pending;
    if (!p) return;
    // all the text is in now: an unclosed record's text to the end, exactly
    if (p.unclosed && p.startByte !== undefined) p.exact = this.cursor.recordAt(p.startByte).text;
    this.settle(this.cursor.lastTextLine());
  }

  private settle(endBefore: number): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    const r = p.record;
    r.endLine = Math.max(r.line, endBefore);
    if (p.unclosed) {
      r.fatal = true;
      const span = r.endLine > r.line ? `lines ${r.line}-${r.endLine} were` : 'the line was';
      r.error = `unterminated quote: a quoted field in this row is never closed, so ${span} read as one field`;
      // the text after the record's first line, exactly as fed where known (raw may lack CRLF's LF)
      const body = p.exact ?? splitRaw(p.raw + '\n').body;
      const eol = /\r\n|\r|\n/.exec(body);
      if (eol && r.endLine > r.line) {
        r.rest = body.slice(eol.index + eol[0].length);
        r.endLine = r.line;
        delete r.fatal;
        r.error = 'unterminated quote: a quoted field opened in this row is never closed; the row is skipped and the rows after it are read from the next line '
          + '(close the quote, or double each quote inside a quoted field: "")';
      }
    }
    this.out.push(r);
  }
}

/** A csv-parse error in words, without its line. */
export function describe(error: CsvParseError | undefined): string {
  switch (error?.code) {
    case 'INVALID_OPENING_QUOTE':
      return 'a quote (") inside an unquoted field; quote the whole field and double the quotes inside it';
    case 'CSV_INVALID_CLOSING_QUOTE': {
      const got = /got "(.)"/.exec(error.message)?.[1];
      return `a closing quote is followed by ${got ? JSON.stringify(got) : 'a character'} instead of a delimiter; quotes inside a quoted field must be doubled ("")`;
    }
    default:
      return (error?.message ?? 'unreadable row').replace(/\s*(at|on) line \d+/, '');
  }
}

/** Splits a raw record into the empty lines skipped before it and its text without the final line break. */
function splitRaw(raw: string): { leading: number; body: string } {
  const lead = /^[\r\n]*/.exec(raw)?.[0] ?? '';
  return { leading: countLineBreaks(lead), body: raw.slice(lead.length).replace(/(?:\r\n|\r|\n)$/, '') };
}

/**
 * Where field `k - 1` ends (k >= 1) in a record's text whose first k fields csv-parse read without
 * error: the offset of the delimiter after it, or -1.
 */
function delimiterBefore(text: string, k: number, delimiter: string, quote: string | null): number {
  let i = 0;
  for (let f = 0; f < k; f++) {
    if (quote !== null && text.startsWith(quote, i)) {
      // a quoted field: skip to its closing quote ("" is an escaped quote)
      for (i += quote.length; ; ) {
        const q = text.indexOf(quote, i);
        if (q < 0) return -1;
        i = q + quote.length;
        if (!text.startsWith(quote, i)) break;
        i += quote.length;
      }
    }
    const d = text.indexOf(delimiter, i);
    if (d < 0) return -1;
    if (f === k - 1) return d;
    i = d + delimiter.length;
  }
  return -1;
}

function countCrlf(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\r\n'); i !== -1; i = s.indexOf('\r\n', i + 2)) n++;
  return n;
}

/** Line breaks as csv-parse counts them: every "\r" and every "\n". */
function countBreakChars(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) n++;
  }
  return n;
}

/** Byte offsets (UTF-8, as csv-parse counts them) to lines, for offsets that never decrease. */
class ByteLines {
  private text = '';
  private pos = 0;
  private byte = 0;
  private line = 1;

  feed(text: string): void {
    this.text = this.text.slice(this.pos) + text;
    this.pos = 0;
  }

  /** The line of the character at byte offset `b`. */
  lineAt(b: number): number {
    const t = this.text;
    while (this.byte < b && this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      const pair = c >= 0xd800 && c <= 0xdbff && isLowSurrogate(t.charCodeAt(this.pos + 1));
      if (c === 13 && this.pos + 1 === t.length) break; // "\r": one line or half of "\r\n"? not known yet
      if (c === 10 || (c === 13 && t.charCodeAt(this.pos + 1) !== 10)) this.line++;
      this.byte += pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      this.pos += pair ? 2 : 1;
    }
    return this.line;
  }

  /**
   * The record that starts at byte `b` or after the blank lines there: its first line, the blank
   * lines before it, and its text from its first character to the end of what was fed (the text
   * before the last query is gone: ask no later than the next query).
   */
  recordAt(b: number): { line: number; leading: number; text: string } {
    const at = this.lineAt(b);
    const ahead = this.text.slice(this.pos);
    const prefix = /^[\r\n]*/.exec(ahead)?.[0] ?? '';
    const leading = countLineBreaks(prefix);
    return { line: at + leading, leading, text: ahead.slice(prefix.length) };
  }

  /** The last line holding something other than line breaks (after every query). */
  lastTextLine(): number {
    let line = this.line;
    let last = line;
    const t = this.text;
    for (let i = this.pos; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 10 || (c === 13 && t.charCodeAt(i + 1) !== 10)) line++;
      else if (c !== 13) last = line;
    }
    return last;
  }
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
