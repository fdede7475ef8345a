/**
 * A CSV/TSV tokenizer that keeps every field's exact place in the text. CSV has RFC 4180 quoting
 * (fields in double quotes, "" inside them, line breaks allowed inside quotes); TSV has none, as
 * the engine reads it (quotes are ordinary characters). The engine parses with csv-parse; this one
 * exists because edits must replace a field's exact characters.
 */
export interface FieldSpan {
  /** Offset of the field's first character (its opening quote when quoted). */
  start: number;
  /** Offset just past the field (past its closing quote when quoted). */
  end: number;
  quoted: boolean;
  /** The field's value: quotes removed and "" unescaped. */
  value: string;
}

export interface DelimitedRecord {
  start: number;
  /** Offset just past the record's last field (before its line break). */
  end: number;
  /** 1-based lines where the record starts and ends. */
  line: number;
  endLine: number;
  fields: FieldSpan[];
}

const QUOTE = 34, LF = 10, CR = 13;

/** Every record of `text` in order; empty lines are skipped, as the engine skips them. */
export function* delimitedRecords(text: string, delimiter: string, quoting = true): Generator<DelimitedRecord> {
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (c === LF) { pos++; line++; continue; }
    if (c === CR) { pos += text.charCodeAt(pos + 1) === LF ? 2 : 1; line++; continue; }
    const start = pos, startLine = line;
    const fields: FieldSpan[] = [];
    for (;;) {
      const fStart = pos;
      if (quoting && text.charCodeAt(pos) === QUOTE) {
        let i = pos + 1, seg = i, value = '';
        for (;;) {
          if (i >= n) { value += text.slice(seg, n); break; }
          const ch = text.charCodeAt(i);
          if (ch === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) { value += text.slice(seg, i + 1); i += 2; seg = i; continue; }
            value += text.slice(seg, i); i++; break;
          }
          if (ch === LF || (ch === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        // Characters after the closing quote belong to the field (csv-parse would reject them).
        const tail = i;
        while (i < n) { const ch = text.charCodeAt(i); if (ch === d || ch === LF || ch === CR) break; i++; }
        fields.push({ start: fStart, end: i, quoted: true, value: value + text.slice(tail, i) });
        pos = i;
      } else {
        let i = pos;
        while (i < n) { const ch = text.charCodeAt(i); if (ch === d || ch === LF || ch === CR) break; i++; }
        fields.push({ start: fStart, end: i, quoted: false, value: text.slice(fStart, i) });
        pos = i;
      }
      if (pos < n && text.charCodeAt(pos) === d) { pos++; continue; }
      break;
    }
    const end = pos, endLine = line;
    if (text.charCodeAt(pos) === CR) { pos += text.charCodeAt(pos + 1) === LF ? 2 : 1; line++; }
    else if (text.charCodeAt(pos) === LF) { pos++; line++; }
    yield { start, end, line: startLine, endLine, fields };
  }
}

/** The first record of `text`, e.g. one row's text. */
export function firstRecord(text: string, delimiter: string, quoting = true): DelimitedRecord | undefined {
  const r = delimitedRecords(text, delimiter, quoting).next();
  return r.done ? undefined : r.value;
}

/**
 * A field's text for `value`, keeping the old field's quoting; quotes it anyway when it must.
 * Without quoting (TSV) a value holding the delimiter or a line break cannot be written: undefined.
 */
export function formatDelimitedField(value: string, wasQuoted: boolean, delimiter: string, quoting = true): string | undefined {
  const breaks = value.includes(delimiter) || value.includes('\n') || value.includes('\r');
  if (!quoting) return breaks ? undefined : value;
  return wasQuoted || breaks || value.includes('"') ? `"${value.replace(/"/g, '""')}"` : value;
}
