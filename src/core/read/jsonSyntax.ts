/**
 * Where JSON text that JSON.parse refused goes wrong, and what was expected there. V8's messages
 * give no position for some errors ("Unexpected token ']', ..." for a trailing comma) and quote a
 * piece of the text, which may hold line breaks or terminal escapes: a message naming a line must
 * be one line of our own words. A non-recursive scan, so that deep nesting cannot overflow a stack.
 */

export interface JsonSyntaxError {
  /** Offset of the first character that cannot continue valid JSON (text.length: it ends too soon). */
  offset: number;
  /** What is wrong there, in words: mostly "expected ..." (what would have been valid). */
  problem: string;
}

const WS = new Set([32, 9, 10, 13]);

/** The first syntax error of `text` as one JSON value (surrounding whitespace allowed), or undefined. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  /** Open containers: '[' or '{'. */
  const stack: number[] = [];
  let i = 0;
  const n = text.length;
  const skip = () => { while (i < n && WS.has(text.charCodeAt(i))) i++; };
  const fail = (what: string, asIs = false): JsonSyntaxError => ({ offset: i, problem: asIs ? what : `expected ${what}` });
  /** Reads one scalar or opens a container at i; returns an error, or undefined when done. */
  const value = (): JsonSyntaxError | undefined => {
    skip();
    if (i >= n) return fail('a value');
    const c = text[i];
    if (c === '{' || c === '[') { stack.push(c.charCodeAt(0)); i++; return undefined; }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) { i += word.length; return undefined; }
    }
    return fail(c === "'" ? 'a value (strings take double quotes)' : 'a value');
  };
  const string = (): JsonSyntaxError | undefined => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) { i++; return undefined; }
      if (c === 10 || c === 13) return fail('a closing quote (") before the line ends');
      if (c < 32) return fail('a control character inside a string (write it as \\u00XX)', true);
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { i += 2; return fail('four hex digits after \\u'); }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else { i++; return fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)'); }
        continue;
      }
      i++;
    }
    return fail('a closing quote (")');
  };
  const number = (): JsonSyntaxError | undefined => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-') return fail('a number');
    i += m[0].length;
    return undefined;
  };

  let opened = false;
  const open = (): JsonSyntaxError | undefined => {
    const before = stack.length;
    const e = value();
    opened = stack.length > before;
    return e;
  };
  let err = open();
  if (err) return err;
  // After each value (or a container just opened): inside a container, its end or a separator
  // and the next member; at the top, the end of the text.
  for (;;) {
    const top = stack[stack.length - 1];
    skip();
    if (top === undefined) return i < n ? fail('the end of the text after the value (one JSON value per line)') : undefined;
    const object = top === 123;
    const close = object ? '}' : ']';
    if (text[i] === close) { stack.pop(); i++; opened = false; continue; }
    if (!opened) {
      if (text[i] !== ',') return fail(`',' or '${close}' after a value`);
      const comma = i;
      i++;
      skip();
      if (text[i] === close) { i = comma; return fail(`a ${object ? 'member' : 'value'} after this ',' (a trailing comma is not JSON)`); }
    }
    if (object) {
      skip();
      if (text[i] !== '"') return fail(opened ? "a member name in double quotes or '}'" : 'a member name in double quotes');
      err = string();
      if (err) return err;
      skip();
      if (text[i] !== ':') return fail("':' after a member name");
      i++;
    }
    err = open();
    if (err) return err;
  }
}

/** "line 3, column 7" of an offset, counting lines as editors do ("\r\n", "\r", "\n"). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) { line++; start = k + 1; }
  }
  return { line, column: offset - start + 1 };
}

/** The one-line description of why `text` is not JSON (JSON.parse refused it), and the line of the error. */
export function describeJsonError(text: string, withLine: boolean): { message: string; line: number } {
  const e = jsonSyntaxError(text);
  if (!e) return { message: 'invalid JSON', line: 1 };
  const { line, column } = lineColumn(text, e.offset);
  const where = e.offset >= text.length ? 'at the end of the text' : `at ${withLine ? `line ${line}, ` : ''}column ${column}`;
  return { message: `invalid JSON ${where}: ${e.problem}`, line };
}
