/**
 * Fuzzing the readers (src/core/read) with fast-check: random CSV / TSV / JSONL / JSON text built
 * from the characters that matter (quotes, delimiters, every line ending, a BOM, NUL, U+FFFD,
 * astral and lone surrogates, broken JSON), fed in chunks of random sizes. The readers never throw
 * anything but a ReadError / InputError, and every row they return maps to the lines it came from:
 * the rows are in order and do not overlap, and a readable row's lines, parsed on their own, give
 * back exactly its values.
 *
 * `npm test` runs FUZZ_RUNS (default 250) cases of each property; `npm run fuzz` runs 10,000.
 */
import assert from 'node:assert/strict';
import { parse as parseSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { InputError } from '../../src/core/dataset';
import { csvParse } from '../../src/core/node/readFile';
import { readDataset, readTable, ReadError, type Table } from '../../src/core/read';
import type { FileFormat } from '../../src/core/types';

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const stats = { cases: 0, rows: 0, readable: 0, refused: 0 };

function chunked(text: string, sizes: number[]): AsyncIterable<string> {
  return (async function* () {
    let i = 0, k = 0;
    while (i < text.length) {
      const n = sizes[k++ % sizes.length];
      yield text.slice(i, i + n);
      i += n;
    }
  })();
}

/** The text's lines as editors count them (\r\n, \r, \n), without their breaks, and with them. */
function linesOf(text: string): { bare: string[]; raw: string[] } {
  const raw = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  return { raw, bare: raw.map((l) => l.replace(/(?:\r\n|\r|\n)$/, '')) };
}

const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 });

/** Text for a delimited file: the characters a CSV / TSV reader must get right. */
function delimitedText(delimiter: string): fc.Arbitrary<string> {
  const unit = fc.constantFrom('a', 'b', 'x y', '"', '""', delimiter, delimiter, '\n', '\r\n', '\r', 'é', '😀', '\0', '\ufffd', '\ufeff', '\ud800', ' ', 'label', 'text');
  return fc.tuple(fc.constantFrom('', '\ufeff'), fc.constantFrom('text,label', 'anchor,positive,negative', 'a,b,c,d', ''), fc.string({ unit, maxLength: 120 }))
    .map(([bom, header, body]) => `${bom}${header.replace(/,/g, delimiter)}\n${body}`);
}

/** Rows in order, not overlapping, inside the text (a JSON array may put several on one line). */
function checkSpans(table: Table, lineCount: number, shareLines = false): void {
  let last = table.headerLine ?? 0;
  table.records.forEach((r, i) => {
    assert.equal(r.row, i, 'rows are numbered in order');
    assert.ok(r.line >= 1 && r.line <= r.endLine && r.endLine <= Math.max(1, lineCount), `row ${i}: lines ${r.line}-${r.endLine} of ${lineCount}`);
    assert.ok(r.line > last || (shareLines && r.line === last), `row ${i} starts at line ${r.line}, inside the row before (ends ${last})`);
    last = r.endLine;
    assert.ok(r.values !== undefined || typeof r.error === 'string', 'a row is readable or says why not');
  });
}

/** readDataset too (shape, rows, checks): only a ReadError / InputError may come out. */
async function datasetOrInputError(text: string, format: FileFormat, chunks: number[]): Promise<void> {
  try {
    await readDataset(chunked(text, chunks), { file: `fuzz.${format}`, format, csvParse });
  } catch (e) {
    assert.ok(e instanceof InputError, `readDataset threw ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'a message of one line');
    stats.refused++;
  }
}

async function tableOrReadError(text: string, format: FileFormat, chunks: number[]): Promise<Table | undefined> {
  try {
    return await readTable(chunked(text, chunks), { file: `fuzz.${format}`, format, csvParse });
  } catch (e) {
    assert.ok(e instanceof ReadError, `the reader threw ${String(e)}`);
    return undefined;
  }
}

describe(`read (fuzz): ${RUNS} random files per property never crash the readers, and every row maps to its lines`, function () {
  this.timeout(30 * 60_000);
  after(() => console.log(`      ${stats.cases} files: ${stats.rows} rows (${stats.readable} readable, checked against their own lines), ${stats.refused} files refused with an InputError; no other error`));

  for (const format of ['csv', 'tsv'] as const) {
    it(`${format.toUpperCase()}: quotes, delimiters, CR / LF / CRLF, BOM, NUL, U+FFFD, surrogates`, async () => {
      const delimiter = format === 'tsv' ? '\t' : ',';
      await fc.assert(fc.asyncProperty(delimitedText(delimiter), sizes, async (text, chunks) => {
        stats.cases++;
        const table = await tableOrReadError(text, format, chunks);
        await datasetOrInputError(text, format, chunks);
        if (!table) return;
        const { bare, raw } = linesOf(text);
        checkSpans(table, bare.length);
        for (const r of table.records) {
          stats.rows++;
          if (!r.values) continue;
          stats.readable++;
          // the row's own lines, read alone, are exactly this row
          const own = raw.slice(r.line - 1, r.endLine).join('').replace(/(?:\r\n|\r|\n)$/, '');
          // (a BOM is one only at the file's start: inside, it is a character of the field)
          const alone = parseSync(own, { bom: false, delimiter, quote: format === 'csv' ? '"' : null, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
          assert.deepEqual(alone, [r.values], `lines ${r.line}-${r.endLine}: ${JSON.stringify(own)}`);
        }
      }), { numRuns: RUNS, seed: SEED });
    });
  }

  it('JSONL: objects, other values, broken lines, blank lines, CR / LF / CRLF', async () => {
    const value = fc.oneof(fc.json(), fc.constantFrom('{"text": "a", "label": "b"}', '{"text": "x\\ny", "label": 1}', '{"a": 1,}', '{"a": "unterminated', '[1, 2]', '42', 'null', '{}', '{"k": "\\ud800"}', '\u0000', '{"t":"é😀"}', ' ', ''));
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(value, eol), { maxLength: 12 }), fc.boolean(), sizes, async (lines, bom, chunks) => {
      stats.cases++;
      const text = (bom ? '\ufeff' : '') + lines.map(([v, e]) => v + e).join('');
      const table = await tableOrReadError(text, 'jsonl', chunks);
      await datasetOrInputError(text, 'jsonl', chunks);
      assert.ok(table, 'JSONL reading never refuses a file outright');
      const { bare } = linesOf(text.replace(/^\ufeff/, ''));
      checkSpans(table, bare.length);
      const nonBlank = bare.map((l, i) => ({ l, line: i + 1 })).filter((x) => x.l.trim() !== '');
      assert.equal(table.records.length, nonBlank.length, 'one row per non-blank line');
      table.records.forEach((r, i) => {
        stats.rows++;
        assert.equal(r.line, nonBlank[i].line);
        assert.equal(r.endLine, r.line, 'a JSONL row is one line');
        let parsed: unknown, ok = true;
        try { parsed = JSON.parse(nonBlank[i].l); } catch { ok = false; }
        const isObject = ok && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        assert.equal(r.values !== undefined, isObject, `line ${r.line}: ${nonBlank[i].l}`);
        if (r.values) {
          stats.readable++;
          const byKey = Object.fromEntries(table.header.map((k, j) => [k, r.values![j]]).filter(([, v]) => v !== undefined));
          assert.deepEqual(byKey, parsed);
        } else assert.ok(!r.error?.includes('\n'), 'an error of one line');
      });
    }), { numRuns: RUNS, seed: SEED });
  });

  it('JSON arrays: objects spread over lines, whitespace, and broken JSON', async () => {
    const obj = fc.dictionary(fc.constantFrom('text', 'label', 'x', 'é'), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), { maxKeys: 3 });
    const ws = fc.constantFrom('', ' ', '\n', '\r\n', '\r', '\n  ');
    const element = fc.oneof({ weight: 5, arbitrary: obj.map((o) => JSON.stringify(o, null, Object.keys(o).length % 2 ? 2 : undefined)) }, fc.constantFrom('1', '"s"', '[]', 'null'));
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(ws, element, ws), { maxLength: 8 }), fc.constantFrom('', ',', ']', '{', '"'), sizes, async (els, tail, chunks) => {
      stats.cases++;
      const text = `[${els.map(([a, e, b]) => a + e + b).join(',')}]${tail}`;
      const table = await tableOrReadError(text, 'json', chunks);
      await datasetOrInputError(text, 'json', chunks);
      let valid = true;
      try { JSON.parse(text); } catch { valid = false; }
      if (!valid || els.length === 0) { assert.equal(table, undefined, 'an invalid or empty array is refused'); return; }
      assert.ok(table);
      checkSpans(table, linesOf(text).bare.length, true);
      // each element's first line: where its text starts
      let offset = 1;
      els.forEach(([a, e, b], i) => {
        stats.rows++;
        const start = offset + a.length;
        const line = (text.slice(0, start).match(/\r\n|\r|\n/g) ?? []).length + 1;
        const end = (text.slice(0, start + e.length - 1).match(/\r\n|\r|\n/g) ?? []).length + 1;
        assert.deepEqual([table.records[i].line, table.records[i].endLine], [line, end], `element ${i}`);
        if (table.records[i].values) stats.readable++;
        offset = start + e.length + b.length + 1;
      });
    }), { numRuns: RUNS, seed: SEED });
  });
});
