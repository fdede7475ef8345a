/**
 * Text from a dataset (cells, labels, column and file names, JSON error context) on its way to a
 * terminal. A terminal acts on control characters: ESC starts a sequence that can move the
 * cursor, recolour or hide text, set the window title or write a hyperlink; an 8-bit CSI (U+009B)
 * does the same without ESC; bidi controls reorder what follows on the line (so a table can show
 * one thing and hold another). Each becomes a visible escape instead, so what reaches the
 * terminal is what the data holds, and nothing in it acts.
 */

/** C0 controls, DEL, C1 controls, bidi embeddings / overrides / isolates / marks, line and paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One line of text, safe to print: every control character shown as an escape (\e, \x9b, \u202e, ...). */
export function forTerminal(s: string): string {
  return s.replace(UNSAFE, escape);
}

/** JSON text with C1 controls, bidi controls and U+2028/9 escaped as \uXXXX (the same JSON values; C0 are escaped by JSON.stringify already). */
export function jsonForTerminal(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
