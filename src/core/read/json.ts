/**
 * A JSON array of objects. The file is read whole; each row's lines are found by scanning the
 * text for where each element of the top-level array starts and ends.
 */
import { describeJsonError } from './jsonSyntax';
import { objectValues, tableRecord } from './jsonl';
import { ReadError, jsonType, type Table, type TableRecord } from './table';

export async function readJsonTable(chunks: AsyncIterable<string>, maxRows = 0): Promise<Table> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new ReadError('the file is empty; a JSON dataset is an array of objects (e.g. [{"text": "...", "label": "..."}])', 1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const { message, line } = describeJsonError(text, false);
    throw new ReadError(`${message}; fix the JSON (a JSON Lines file, one object per line, is read row by row and skips bad lines)`, line);
  }
  if (!Array.isArray(data)) throw new ReadError(`expected a JSON array of objects, found ${jsonType(data)}; a JSON dataset is an array of objects (e.g. [{"text": "...", "label": "..."}]), and a JSON Lines file (.jsonl) one object per line`, 1);
  if (data.length === 0) throw new ReadError('the JSON array is empty; add objects to it, one per row', 1);
  const spans = elementSpans(text);
  const lineOf = lineCounter(text);
  const header: string[] = [];
  const index = new Map<string, number>();
  const records: TableRecord[] = [];
  const n = maxRows > 0 ? Math.min(maxRows, data.length) : data.length;
  for (let row = 0; row < n; row++) {
    const [start, end] = spans[row];
    records.push(tableRecord(row, lineOf(start), lineOf(end), objectValues(data[row], header, index)));
  }
  return { header, records };
}

/** [first, last] character offsets of each element of the top-level array of valid JSON text. */
export function elementSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      last = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (depth === 1 && (c === ',' || c === ']')) {
      if (start >= 0) spans.push([start, last]);
      start = -1;
      if (c === ']') depth = 0;
      continue;
    }
    if (depth === 1 && start < 0) start = i;
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    last = i;
  }
  return spans;
}

/** lineOf(offset) for offsets that never decrease between calls. */
function lineCounter(text: string): (offset: number) => number {
  let pos = 0;
  let line = 1;
  return (offset) => {
    for (; pos < offset; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 10 || (c === 13 && text.charCodeAt(pos + 1) !== 10)) line++;
    }
    return line;
  };
}
