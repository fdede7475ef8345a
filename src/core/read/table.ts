/**
 * A file read into rows of values before its shape is known: what every format reader returns.
 * Pure: no Node, no DOM.
 */

export interface TableRecord {
  /** 0-based data-row index (header excluded), counting unusable records too. */
  row: number;
  /** 1-based line where the record starts. */
  line: number;
  /** 1-based line where the record ends. */
  endLine: number;
  /** Values by header index; absent when the record could not be read. */
  values?: unknown[];
  /** Why the record could not be read, without a line prefix. */
  error?: string;
  /** The error stopped the reading: the rest of the file went into this record (an unterminated quote). */
  fatal?: boolean;
}

export interface Table {
  /** Column names in file order (JSONL / JSON: keys in first-seen order). */
  header: string[];
  /** The line of the header (CSV / TSV); absent where the names come from the rows' keys. */
  headerLine?: number;
  /** Problems of the header itself (duplicate names): warnings, with the header's line. */
  headerProblems?: string[];
  records: TableRecord[];
}

/**
 * The most columns (CSV / TSV header fields, JSON keys) a file may have: each row's values are kept
 * by column, so a table of a million columns is gigabytes before it is audited. Wider data belongs
 * in one vector column ("[0.1, 0.2, ...]").
 */
export const MAX_COLUMNS = 100_000;

/** A file that cannot be audited at all; readDataset turns it into an InputError naming the file. */
export class ReadError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = 'ReadError';
  }
}

/** Line breaks in `s`, counting "\r\n", a lone "\r" and a lone "\n" as one each (as editors do). */
export function countLineBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (s.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/**
 * Splits text chunks into lines as editors count them: "\r\n", a lone "\r" and a lone "\n" each
 * end one (a file saved with old Mac line endings, or a mix, has as many lines as the editor shows).
 * A leading BOM is dropped.
 */
export async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<{ text: string; line: number }> {
  // The current line's pieces: only each new chunk is searched for breaks, so a line of 50 MB
  // costs one join, not a search of everything so far for every chunk.
  let pending: string[] = [];
  let line = 0;
  /** The previous chunk ended with "\r": a "\n" starting this one belongs to it. */
  let afterCr = false;
  const take = (last: string) => {
    pending.push(last);
    let s = pending.length === 1 ? pending[0] : pending.join('');
    pending = [];
    line++;
    if (line === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    return { text: s, line };
  };
  for await (const chunk of chunks) {
    let start = afterCr && chunk.charCodeAt(0) === 10 ? 1 : 0;
    afterCr = false;
    const breaks = new Breaks(chunk);
    for (let i = breaks.next(start); i !== -1; i = breaks.next(start)) {
      yield take(chunk.slice(start, i));
      const cr = chunk.charCodeAt(i) === 13;
      if (cr && i + 1 === chunk.length) afterCr = true; // a "\n" may follow in the next chunk
      start = i + (cr && chunk.charCodeAt(i + 1) === 10 ? 2 : 1);
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
  }
  if (pending.some((p) => p.length > 0)) yield take('');
}

/** Offsets of the next "\r" or "\n" in a string, for positions that never decrease (each searched for once). */
class Breaks {
  private n = -2;
  private r = -2;
  constructor(private readonly s: string) {}
  next(from: number): number {
    if (this.n !== -1 && this.n < from) this.n = this.s.indexOf('\n', from);
    if (this.r !== -1 && this.r < from) this.r = this.s.indexOf('\r', from);
    return this.r === -1 ? this.n : this.n === -1 ? this.r : Math.min(this.n, this.r);
  }
}

/** Short description of a JSON value's type for messages: "array", "null", "number", ... */
export function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
