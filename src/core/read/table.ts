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
  records: TableRecord[];
}

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

/** Splits text chunks into lines ("\n"-terminated, a trailing "\r" dropped, a leading BOM dropped). */
export async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<{ text: string; line: number }> {
  let rest = '';
  let line = 0;
  const clean = (s: string) => {
    if (line === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  for await (const chunk of chunks) {
    rest += chunk;
    let start = 0;
    for (let i = rest.indexOf('\n'); i !== -1; i = rest.indexOf('\n', start)) {
      line++;
      yield { text: clean(rest.slice(start, i)), line };
      start = i + 1;
    }
    rest = rest.slice(start);
  }
  if (rest.length > 0) {
    line++;
    yield { text: clean(rest), line };
  }
}

/** Short description of a JSON value's type for messages: "array", "null", "number", ... */
export function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
