/**
 * The report as JSON text in pieces, row by row: byte for byte what JSON.stringify(report) gives,
 * without ever holding it as one string (1,000,000 rows make ~1.4 GB of JSON, past the longest
 * string V8 can build).
 */
import type { AuditReport } from './types';

export function* reportJson(report: AuditReport): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(report)) {
    if (value === undefined || typeof value === 'function') continue;
    const head = `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (key !== 'rows') { yield head + JSON.stringify(value); continue; }
    const rows = value as AuditReport['rows'];
    yield head + '[';
    for (let i = 0; i < rows.length; i++) yield (i > 0 ? ',' : '') + (rows[i] === undefined ? 'null' : JSON.stringify(rows[i]));
    yield ']';
  }
  yield first ? '{}' : '}';
}
