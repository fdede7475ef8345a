/** JSON Lines: one JSON object per line; blank lines are skipped. */
import { describeJsonError } from './jsonSyntax';
import { MAX_COLUMNS, jsonType, textLines, type Table, type TableRecord } from './table';

export async function readJsonlTable(chunks: AsyncIterable<string>, maxRows = 0): Promise<Table> {
  const header: string[] = [];
  const index = new Map<string, number>();
  const records: TableRecord[] = [];
  for await (const { text, line } of textLines(chunks)) {
    if (text.trim() === '') continue;
    const parsed = parseJson(text);
    const result = 'error' in parsed ? parsed : objectValues(parsed.value, header, index);
    records.push(tableRecord(records.length, line, line, result));
    if (maxRows > 0 && records.length >= maxRows) break;
  }
  return { header, records };
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    // our own words and column: V8's message quotes the line, which may hold anything
    return { error: describeJsonError(text, false).message };
  }
}

/** A table record (built without object spread, which is slow on hundreds of thousands of rows). */
export function tableRecord(row: number, line: number, endLine: number, result: { values: unknown[] } | { error: string }): TableRecord {
  const record: TableRecord = { row, line, endLine };
  if ('error' in result) record.error = result.error;
  else record.values = result.values;
  return record;
}

/** An object's values by header index, adding its new keys to the header; or why it is not an object. */
export function objectValues(
  value: unknown,
  header: string[],
  index: Map<string, number>,
): { values: unknown[] } | { error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `expected a JSON object, found ${jsonType(value)}` };
  }
  const values: unknown[] = [];
  for (const [key, v] of Object.entries(value)) {
    let i = index.get(key);
    if (i === undefined) {
      if (header.length >= MAX_COLUMNS) {
        return { error: `the object adds keys past the ${MAX_COLUMNS.toLocaleString('en-US')} the file may have in all; keep the keys the audit needs (a text and a label, or a vector)` };
      }
      i = header.length;
      header.push(key);
      index.set(key, i);
    }
    values[i] = v;
  }
  return { values };
}
