/**
 * Just enough of a JSON scanner to find where a value sits in the text, so that an edit can
 * replace exactly those characters (JSON.parse forgets positions).
 */
export interface MemberSpan {
  key: string;
  /** Offsets of the member's value: [valueStart, valueEnd). */
  valueStart: number;
  valueEnd: number;
}

export function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}

/** Offset just past the JSON value that starts at `i`, or -1 when it is malformed or cut off. */
export function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const ch = text[j];
      if (ch === '"') { j = stringEnd(text, j) - 1; if (j < 0) return -1; }
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') { depth--; if (depth === 0) return j + 1; }
    }
    return -1;
  }
  let j = i;
  while (j < text.length && !',}] \t\r\n'.includes(text[j])) j++;
  return j > i ? j : -1;
}

/** The top-level members of the object whose `{` is at `open`; undefined when malformed. */
export function objectMembers(text: string, open: number): MemberSpan[] | undefined {
  if (text[open] !== '{') return undefined;
  const out: MemberSpan[] = [];
  let i = skipWs(text, open + 1);
  if (text[i] === '}') return out;
  for (;;) {
    if (text[i] !== '"') return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    let key: string;
    try { key = JSON.parse(text.slice(i, keyEnd)) as string; } catch { return undefined; }
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') return undefined;
    const vs = skipWs(text, i + 1);
    const ve = valueEnd(text, vs);
    if (ve < 0) return undefined;
    out.push({ key, valueStart: vs, valueEnd: ve });
    i = skipWs(text, ve);
    if (text[i] === ',') { i = skipWs(text, i + 1); continue; }
    return text[i] === '}' ? out : undefined;
  }
}

/** The elements of the array whose `[` is at `open`, as [start, end) offsets. */
export function arrayElements(text: string, open: number): { start: number; end: number }[] | undefined {
  if (text[open] !== '[') return undefined;
  const out: { start: number; end: number }[] = [];
  let i = skipWs(text, open + 1);
  if (text[i] === ']') return out;
  for (;;) {
    const end = valueEnd(text, i);
    if (end < 0) return undefined;
    out.push({ start: i, end });
    i = skipWs(text, end);
    if (text[i] === ',') { i = skipWs(text, i + 1); continue; }
    return text[i] === ']' ? out : undefined;
  }
}

/** The decoded value of a member as the report shows labels: strings as they are, others as JSON text. */
export function memberValue(text: string, m: MemberSpan): string {
  const raw = text.slice(m.valueStart, m.valueEnd);
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' ? v : raw;
  } catch { return raw; }
}

/** JSON text for a new label, keeping a number a number when the old value was one. */
export function formatJsonValue(value: string, oldRaw: string): string {
  const wasString = oldRaw.startsWith('"');
  if (!wasString && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return value;
  if (!wasString && (value === 'true' || value === 'false' || value === 'null')) return value;
  return JSON.stringify(value);
}
