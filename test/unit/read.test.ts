import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parse as parseSync } from 'csv-parse/sync';
import { InputError, type Dataset, type LabeledDataset, type TripletDataset } from '../../src/core/dataset';
import { csvParse, readDatasetFile } from '../../src/core/node/readFile';
import { csvRecords, detectShape, formatFromPath, readDataset, type CsvRecord } from '../../src/core/read';
import type { ColumnOptions, FileFormat } from '../../src/core/types';

const fixtures = resolve(__dirname, '../fixtures');
const fixture = (name: string) => join(fixtures, name);
const datasets = resolve(__dirname, '../../../shared/datasets');

/** The text in chunks of `size` characters, counting how many were taken. */
function chunked(text: string, size: number, taken = { n: 0 }): AsyncIterable<string> {
  return (async function* () {
    for (let i = 0; i < text.length; i += size) {
      taken.n++;
      yield text.slice(i, i + size);
    }
  })();
}

function read(text: string, format: FileFormat, options: ColumnOptions & { maxRows?: number } = {}, size = 5): Promise<Dataset> {
  return readDataset(chunked(text, size), { ...options, file: `mem.${format}`, format, csvParse });
}

async function records(text: string, size: number, delimiter: ',' | '\t' = ','): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of csvRecords(chunked(text, size), { delimiter, quote: delimiter === ',', parse: csvParse })) out.push(r);
  return out;
}

function labeled(d: Dataset): LabeledDataset {
  assert.equal(d.kind, 'labeled');
  return d as LabeledDataset;
}

async function inputError(p: Promise<unknown>, pattern: RegExp, line?: number): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.match(e.message, pattern);
    if (line !== undefined) assert.equal(e.line, line);
    return e;
  }
  assert.fail(`expected an InputError matching ${pattern}`);
}

const spans = (d: Dataset) => d.rows.map((r) => [r.row, r.line, r.endLine]);

describe('read: CSV line numbers', () => {
  for (const size of [1, 2, 3, 7, 1 << 16]) {
    it(`a quoted field spanning 3 lines, doubled quotes, blank lines (chunks of ${size})`, async () => {
      const text = readFileSync(fixture('quoted_newlines.csv'), 'utf8');
      const d = labeled(await read(text, 'csv', {}, size));
      assert.deepEqual(spans(d), [[0, 2, 4], [1, 5, 5], [2, 7, 7], [3, 8, 8]]);
      assert.equal(d.rows[0].text, 'first line\nsecond line\nthird line');
      assert.equal(d.rows[2].text, 'say "hi", please');
      assert.deepEqual(d.problems, []);
    });
  }

  it('CRLF with a BOM, a quoted CRLF and a blank line', async () => {
    for (const size of [1, 4, 100]) {
      const d = labeled(await read(readFileSync(fixture('crlf_bom.csv'), 'utf8'), 'csv', {}, size));
      assert.deepEqual(d.header, ['text', 'label']);
      assert.deepEqual(spans(d), [[0, 2, 2], [1, 3, 4], [2, 6, 6], [3, 7, 7]]);
      assert.deepEqual(d.rows.map((r) => r.text), ['alpha', 'two\r\nlines', 'gamma, with comma', 'delta']);
      assert.deepEqual(d.rows.map((r) => r.label), ['x', 'y', 'x', 'y']);
    }
  });

  it('blank lines at the start, between rows and at the end are skipped; mixed line endings', async () => {
    const d = labeled(await read('\n\ntext,label\n\na,x\n\n\nb,y\r\n\r\nc,x\n\n', 'csv', {}, 3));
    assert.deepEqual(spans(d), [[0, 5, 5], [1, 8, 8], [2, 10, 10]]);
    assert.deepEqual(d.rows.map((r) => r.text), ['a', 'b', 'c']);
  });

  it('the last row without a final line break', async () => {
    const d = labeled(await read('text,label\r\n"a\r\nb",x\r\nc,y', 'csv', {}, 2));
    assert.deepEqual(spans(d), [[0, 2, 3], [1, 4, 4]]);
    assert.equal(d.rows[1].label, 'y');
  });

  it('property: RFC 4180 tables come back with the same fields and the right lines', async () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '"', ',', '\n', '\r', '\r\n', 'é', '😀'), maxLength: 6 });
    const table = fc.integer({ min: 1, max: 4 }).chain((cols) =>
      fc.array(fc.array(field, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 6 }),
    );
    const file = fc.record({
      rows: table,
      eols: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 7, maxLength: 7 }),
      blanks: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 7, maxLength: 7 }),
      bom: fc.boolean(),
      finalEol: fc.boolean(),
      size: fc.integer({ min: 1, max: 9 }),
    });
    await fc.assert(
      fc.asyncProperty(file, async ({ rows, eols, blanks, bom, finalEol, size }) => {
        let text = bom ? '\ufeff' : '';
        const expected: Array<{ fields: string[]; line: number; endLine: number }> = [];
        const lineAt = (offset: number) => (text.slice(0, offset).match(/\r\n|\r|\n/g) ?? []).length + 1;
        rows.forEach((fields, i) => {
          const eol = eols[i];
          text += eol.repeat(blanks[i]);
          const start = text.length;
          text += fields.map(quote).join(',');
          expected.push({ fields, line: lineAt(start), endLine: lineAt(text.length) });
          if (i < rows.length - 1 || finalEol) text += eol;
        });
        const got = (await records(text, size)).map((r) => ({ fields: r.fields ?? [], line: r.line, endLine: r.endLine }));
        assert.deepEqual(got, expected);
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });
});

describe('read: CSV bad rows, property', () => {
  it('bad rows (stray quotes, bad closing quotes spanning lines) between good rows get exact spans', async () => {
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n'), maxLength: 4 });
    const good = fc.tuple(field, field).map(([a, b]) => ({ text: `${quote(a)},${quote(b)}`, bad: false }));
    // Each bad row closes any quote it opens, so it is exactly one record for csv-parse.
    const bad = fc.tuple(fc.integer({ min: 0, max: 9 }), eol, eol).map(([k, e, e2]) => ({
      text: [`a"b,x`, `x,a"b`, `"a"b${e}c",x`, `x,"a"b${e}c"`, `"a${e}b",c"d`, `a"b"c,"d"e"`, `"a""b"c",x`,
        `sp"am "he said "hi"",b`, `"x${e}y",z,"a"b${e}c${e2}d"`, `"q"w${e}"e"`][k],
      bad: true,
    }));
    const rows = fc.array(fc.tuple(fc.oneof(good, bad), eol, fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(rows, fc.integer({ min: 1, max: 6 }), async (list, size) => {
        let text = '';
        const lineAt = (offset: number) => (text.slice(0, offset).match(/\r\n|\r|\n/g) ?? []).length + 1;
        const expected: Array<[number, number, boolean]> = [];
        for (const [row, eolAfter, blanks] of list) {
          text += eolAfter.repeat(blanks);
          const start = text.length;
          text += row.text;
          expected.push([lineAt(start), lineAt(text.length), row.bad]);
          text += eolAfter;
        }
        const got = (await records(text, size)).map((r): [number, number, boolean] => [r.line, r.endLine, r.fields === undefined]);
        assert.deepEqual(got, expected, JSON.stringify(text));
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });
});

/** RFC 4180: quote a field holding a quote, comma or line break (and empty fields, so no line is blank). */
function quote(s: string): string {
  return s === '' || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

describe('read: bad rows', () => {
  it('CSV: wrong field counts and a stray quote are problems; the rest is read', async () => {
    const d = labeled(await readDatasetFile(fixture('bad_rows.csv')));
    assert.equal(d.rows.length, 6);
    assert.deepEqual(spans(d), [[0, 2, 2], [1, 3, 3], [2, 4, 4], [3, 5, 5], [4, 6, 6], [5, 7, 7]]);
    assert.deepEqual(d.rows.map((r) => r.invalid === undefined), [true, false, true, false, false, true]);
    assert.deepEqual(d.problems.map((p) => [p.line, p.row, p.severity]), [[3, 1, 'error'], [5, 3, 'error'], [6, 4, 'error']]);
    assert.equal(d.problems[0].message, 'line 3: expected 2 fields, found 3');
    assert.match(d.problems[1].message, /^line 5: a quote \(\"\) inside an unquoted field/);
    assert.equal(d.problems[2].message, 'line 6: empty label (column "label")');
    assert.equal(d.rows[1].invalid, 'expected 2 fields, found 3');
    assert.deepEqual(d.rows.filter((r) => !r.invalid).map((r) => r.text), ['good one', 'good two', 'good three']);
  });

  it('CSV: several quote errors in one row make one invalid row', async () => {
    const d = labeled(await read('text,label\nok,a\nsp"am "he said "hi"",b\n"x"y"z",b\nfine,b\n', 'csv', {}, 3));
    assert.deepEqual(spans(d), [[0, 2, 2], [1, 3, 3], [2, 4, 4], [3, 5, 5]]);
    assert.deepEqual(d.rows.map((r) => !!r.invalid), [false, true, true, false]);
    assert.match(d.problems[1].message, /^line 4: a closing quote is followed by "y" instead of a delimiter/);
  });

  it('CSV: a bad row after a multi-line quoted CRLF field keeps the lines right', async () => {
    const d = labeled(await read('text,label\r\n"a\r\nb\r\nc",x\r\nba"d,y\r\n"e\r\nf",y\r\ng,x\r\n', 'csv', {}, 4));
    assert.deepEqual(spans(d), [[0, 2, 4], [1, 5, 5], [2, 6, 7], [3, 8, 8]]);
    assert.ok(d.rows[1].invalid);
  });

  it('JSONL: invalid JSON, a non-object and a missing label are problems; the rest is read', async () => {
    const d = labeled(await readDatasetFile(fixture('bad_rows.jsonl')));
    assert.deepEqual(spans(d), [[0, 1, 1], [1, 2, 2], [2, 3, 3], [3, 5, 5], [4, 6, 6], [5, 7, 7]]);
    assert.deepEqual(d.problems.map((p) => p.line), [2, 3, 5]);
    assert.match(d.problems[0].message, /^line 2: invalid JSON at the end of the text: expected a value$/);
    assert.equal(d.problems[1].message, 'line 3: expected a JSON object, found array');
    assert.equal(d.problems[2].message, 'line 5: missing label (column "label")');
    assert.deepEqual(d.rows.map((r) => r.label), ['a', '', '', '', '1', 'true']);
    assert.deepEqual(d.header, ['text', 'label']);
  });

  it('an unterminated quote: that row is a problem, the rows before and after it are read', async () => {
    const d = labeled(await readDatasetFile(fixture('unterminated.csv')));
    assert.deepEqual(spans(d), [[0, 2, 2], [1, 3, 3], [2, 4, 4], [3, 5, 5]]);
    assert.equal(d.problems.length, 1);
    assert.equal(d.problems[0].line, 4);
    assert.match(d.problems[0].message, /^line 4: unterminated quote: .*the row is skipped and the rows after it are read from the next line/);
    assert.ok(d.rows[2].invalid);
    assert.equal(d.rows[3].text, 'four');
    for (const size of [1, 3, 64]) {
      const e = labeled(await read('text,label\r\none,a\r\n"x,b\r\n\r\nthree,c\r\n"y,d\r\nfive,e\r\n', 'csv', {}, size));
      assert.deepEqual(e.rows.map((r) => [r.line, r.endLine, r.invalid ? 'bad' : r.text]), [[2, 2, 'one'], [3, 3, 'bad'], [5, 5, 'three'], [6, 6, 'bad'], [7, 7, 'five']]);
    }
  });

  it('an unterminated quote on the last line, or in the header', async () => {
    const d = labeled(await read('text,label\none,a\ntwo,b\n"three,c\n', 'csv'));
    assert.match(d.problems[0].message, /^line 4: unterminated quote: a quoted field in this row is never closed, so the line was read as one field/);
    await inputError(read('text,label\n"two,b\n', 'csv'), /^mem\.csv:2: no usable rows: the one row has a problem, the first at line 2: unterminated quote/, 2);
    await inputError(read('"text,label\none,a\n', 'csv'), /header cannot be read: unterminated quote/, 1);
  });

  it('a JSON line that is not an object, or a JSON array file that is not an array', async () => {
    await inputError(read('{"a": 1}', 'json'), /expected a JSON array of objects, found object/);
    await inputError(read('[{"text": "x", "label": "a"},\n {"text": oops}]', 'json'), /^mem\.json:2: invalid JSON/, 2);
  });
});

describe('read: files that cannot be audited', () => {
  it('empty file, header only, empty JSONL / JSON', async () => {
    await inputError(readDatasetFile(fixture('empty.csv')), /empty\.csv:1: the file is empty; a CSV dataset has a header line/, 1);
    await inputError(readDatasetFile(fixture('header_only.csv')), /:1: the file has a header but no data rows; add rows/, 1);
    await inputError(read('\n\n  \n', 'jsonl'), /the file is empty; a JSON Lines dataset has one object per line/);
    await inputError(read('[]', 'json'), /the JSON array is empty/);
  });

  it('only one class', async () => {
    await inputError(readDatasetFile(fixture('one_class.csv')), /:1: only one label \("same" in column "label"\) among the 3 usable rows; an audit tells labels apart/, 1);
  });

  it('no usable rows', async () => {
    await inputError(read('text,label\na,b,c\nd,e,f\n', 'csv'), /no usable rows: all 2 rows have problems, the first at line 2: expected 2 fields, found 3; fix the rows/, 2);
  });

  it('a column asked for that is not there names the columns that exist', async () => {
    const e = await inputError(readDatasetFile(fixture('one_class.csv'), { textColumn: 'review' }), /no column "review" \(asked for as the text column\); the 2 columns are: "text", "label"/);
    assert.equal(e.line, 1, 'the header\'s line');
    await inputError(read('{"q": "x", "p": "y", "n": "z"}', 'jsonl', { kind: 'triplets', anchorColumn: 'query' }), /no column "query"/);
  });

  it('no label or text column found', async () => {
    await inputError(read('foo,bar,baz\nx,y,z\nu,v,w\n', 'csv'), /:1: no label column found; the 3 columns are: "foo", "bar", "baz"; name the columns with --text-column/, 1);
    await inputError(read('{"query": "x", "negative": "z", "label": "a"}', 'jsonl', { kind: 'triplets' }), /no positive column found/);
  });

  it('unknown extension, missing file', async () => {
    await inputError(readDatasetFile(fixture('data.xlsx')), /unknown file type/);
    await inputError(readDatasetFile(fixture('nope.csv')), /nope\.csv: no such file; check the path$/);
  });
});

describe('read: shapes', () => {
  it('formats by extension', () => {
    assert.deepEqual(['a.csv', 'b.TSV', 'c.tab', 'd.jsonl', 'e.ndjson', 'f.json', 'g.txt', 'csv'].map(formatFromPath), ['csv', 'tsv', 'tsv', 'jsonl', 'jsonl', 'json', undefined, undefined]);
  });

  it('detectShape: triplet synonyms, label and text names, fallbacks', () => {
    const row = (n: number) => Array.from({ length: n }, (_, i) => `value ${i}`);
    assert.deepEqual(detectShape(['Query', 'Pos', 'hard_negative', 'label'], [row(4)]), { kind: 'triplets', columns: { anchor: 'Query', positive: 'Pos', negative: 'hard_negative' } });
    assert.deepEqual(detectShape(['sentence1', 'sentence2', 'sentence3'], [row(3)]).kind, 'triplets');
    assert.deepEqual(detectShape(['sentence1', 'sentence2', 'label'], [row(3)]), { kind: 'labeled', input: 'text', columns: { label: 'label', text: 'sentence1' } });
    assert.deepEqual(detectShape(['text', 'label', 'fine_label'], [['q', 'DESC', 'DESC:manner']]), { kind: 'labeled', input: 'text', columns: { label: 'label', text: 'text' } });
    // two columns, no names: the label has fewer distinct values
    const two = [['long text one', 'x'], ['long text two', 'x'], ['long text three', 'y']];
    assert.deepEqual(detectShape(['a1', 'b1'], two), { kind: 'labeled', input: 'text', columns: { label: 'b1', text: 'a1' } });
    // no text name: the longest strings
    assert.deepEqual(detectShape(['intent', 'short', 'long'], [['i', 'ab', 'a longer string'], ['j', 'cd', 'another long one']]), { kind: 'labeled', input: 'text', columns: { label: 'intent', text: 'long' } });
    // options override detection
    assert.deepEqual(detectShape(['anchor', 'positive', 'negative'], [row(3)], { kind: 'labeled', textColumn: 'anchor', labelColumn: 'negative' }), { kind: 'labeled', input: 'text', columns: { label: 'negative', text: 'anchor' } });
    assert.deepEqual(detectShape(['text', 'label', 'fine_label'], [['q', 'DESC', 'DESC:manner']], { labelColumn: 'FINE_LABEL' }).kind, 'labeled');
    assert.deepEqual(detectShape(['x', 'y', 'z'], [row(3)], { anchorColumn: 'z', positiveColumn: 'x', negativeColumn: 'y' }), { kind: 'triplets', columns: { anchor: 'z', positive: 'x', negative: 'y' } });
  });

  it('numeric feature columns (the id column left out, the non-numeric column as the label)', async () => {
    const d = labeled(await readDatasetFile(fixture('features.csv')));
    assert.equal(d.input, 'features');
    assert.deepEqual(d.columns, { label: 'species', features: ['f1', 'f2', 'f3'] });
    assert.ok(d.rows[0].features instanceof Float32Array);
    assert.deepEqual([...(d.rows[0].features ?? [])], [0.5, 1.5, -2]);
    assert.deepEqual([...(d.rows[1].features ?? [])], [Math.fround(1e-3), 2, 3.25]);
    assert.equal(d.rows[0].text, undefined);
    assert.equal(d.problems.length, 1);
    assert.equal(d.problems[0].message, 'line 4: column "f1": "abc" is not a number');
    assert.ok(d.rows[2].invalid);
  });

  it('explicit feature columns and label', async () => {
    const d = labeled(await read('a,b,c\n1,2,x\n3,4,y\n', 'csv', { featureColumns: ['a', 'b'], labelColumn: 'c' }));
    assert.deepEqual(d.columns, { label: 'c', features: ['a', 'b'] });
    assert.deepEqual(d.rows.map((r) => [...(r.features ?? [])]), [[1, 2], [3, 4]]);
  });

  it('a vector column in JSONL (a wrong length is a problem)', async () => {
    const d = labeled(await readDatasetFile(fixture('vectors.jsonl')));
    assert.equal(d.input, 'vector');
    assert.deepEqual(d.columns, { label: 'label', vector: 'embedding' });
    assert.deepEqual([...(d.rows[3].features ?? [])], [-1, 0.5, 200]);
    assert.equal(d.problems[0].message, 'line 3: column "embedding": the vector has 2 values, expected 3');
    assert.ok(d.rows[2].invalid);
  });

  it('a vector column in CSV as "[0.1, 0.2]" or "0.1 0.2" strings', async () => {
    const d = labeled(await readDatasetFile(fixture('vectors.csv')));
    assert.equal(d.input, 'vector');
    assert.deepEqual(d.rows.map((r) => [...(r.features ?? [])]), [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [1, 2, 3]].map((v) => v.map(Math.fround)));
    assert.deepEqual(d.problems, []);
  });

  it('a JSON array: the line where each object starts and ends', async () => {
    const d = labeled(await readDatasetFile(fixture('array.json')));
    assert.deepEqual(spans(d), [[0, 2, 5], [1, 6, 6], [2, 7, 7], [3, 8, 11]]);
    assert.equal(d.rows[3].text, 'fourth, [with] {brackets} and "quotes"');
    assert.equal(d.problems[0].message, 'line 7: expected a JSON object, found number');
  });

  it('TSV: quotes are ordinary characters', async () => {
    const d = labeled(await readDatasetFile(fixture('quotes.tsv')));
    assert.deepEqual(d.rows.map((r) => r.text), ['He said "hi', '"Free" entry, reply ""now""', 'ok "']);
    assert.deepEqual(spans(d), [[0, 2, 2], [1, 3, 3], [2, 4, 4]]);
  });

  it('a BOM is dropped in TSV, JSONL and JSON', async () => {
    assert.deepEqual((await read('\ufefflabel\ttext\na\tx\nb\ty\n', 'tsv')).header, ['label', 'text']);
    assert.deepEqual((await read('\ufeff{"text": "x", "label": 1}\n{"text": "y", "label": 2}\n', 'jsonl', {}, 1)).header, ['text', 'label']);
    assert.deepEqual((await read('\ufeff[{"text": "x", "label": 1}, {"text": "y", "label": 2}]', 'json')).header, ['text', 'label']);
  });

  it('JSONL header: keys in first-seen order over the file', async () => {
    const d = await read('{"label": "a", "text": "x"}\n{"text": "y", "id": 7, "label": "b"}\n{"extra": null, "text": "z", "label": "a"}\n', 'jsonl');
    assert.deepEqual(d.header, ['label', 'text', 'id', 'extra']);
  });

  it('maxRows stops reading', async () => {
    const line = '{"text": "some words here", "label": "a"}\n{"text": "other words", "label": "b"}\n';
    const text = line.repeat(5000);
    const taken = { n: 0 };
    const d = await readDataset(chunked(text, 64, taken), { file: 'm.jsonl', format: 'jsonl', maxRows: 10 });
    assert.equal(d.rows.length, 10);
    assert.ok(taken.n < 20, `read ${taken.n} chunks`);
    const csvTaken = { n: 0 };
    const c = await readDataset(chunked('text,label\n' + 'x,a\ny,b\n'.repeat(5000), 64, csvTaken), { file: 'm.csv', format: 'csv', maxRows: 7, csvParse });
    assert.deepEqual(spans(c).at(-1), [6, 8, 8]);
    assert.ok(csvTaken.n < 10, `read ${csvTaken.n} chunks`);
    assert.equal((await readDatasetFile(fixture('array.json'), { maxRows: 2 })).rows.length, 2);
  });
});

describe('read: the shared datasets', function () {
  before(function () {
    if (!existsSync(datasets)) this.skip();
  });
  const file = (name: string) => join(datasets, name);

  it('trec_train.csv (CRLF): 5452 labeled rows, coarse label, fields as csv-parse/sync reads them', async () => {
    const d = labeled(await readDatasetFile(file('trec_train.csv')));
    assert.equal(d.rows.length, 5452);
    assert.deepEqual(d.header, ['text', 'label', 'fine_label']);
    assert.deepEqual(d.columns, { label: 'label', text: 'text' });
    assert.deepEqual([...new Set(d.rows.map((r) => r.label))].sort(), ['ABBR', 'DESC', 'ENTY', 'HUM', 'LOC', 'NUM']);
    const oracle = parseSync(readFileSync(file('trec_train.csv'), 'utf8'), { bom: true }) as string[][];
    d.rows.forEach((r, i) => {
      assert.deepEqual([r.row, r.line, r.endLine, r.text, r.label], [i, i + 2, i + 2, oracle[i + 1][0], oracle[i + 1][1]]);
      assert.ok(!r.text?.endsWith('\r'));
    });
    assert.equal(d.rows[0].text, 'How did serfdom develop in and then leave Russia ?');
    assert.match(d.rows[65].text ?? '', /sisterðcity/);
    assert.deepEqual(d.problems, []);
    const fine = labeled(await readDatasetFile(file('trec_train.csv'), { labelColumn: 'fine_label' }));
    assert.equal(fine.rows[0].label, 'DESC:manner');
  });

  it('sms_spam.tsv: 5574 rows, each equal to splitting its line at the tab, row i at line i+2', async () => {
    const d = labeled(await readDatasetFile(file('sms_spam.tsv')));
    assert.equal(d.rows.length, 5574);
    assert.deepEqual(d.columns, { label: 'label', text: 'text' });
    const lines = readFileSync(file('sms_spam.tsv'), 'utf8').split('\n');
    d.rows.forEach((r, i) => {
      const [label, text] = lines[i + 1].split('\t');
      assert.deepEqual([r.line, r.endLine, r.label, r.text, r.invalid], [i + 2, i + 2, label, text, undefined]);
    });
    assert.equal(d.rows[0].line, 2);
    assert.equal(d.rows.filter((r) => r.label === 'spam').length, 747);
    assert.ok(d.rows.filter((r) => r.text?.includes('"')).length > 100);
    assert.deepEqual(d.problems, []);
  });

  it('ag_news_test.jsonl: 7600 rows, 4 classes of 1900', async () => {
    const d = labeled(await readDatasetFile(file('ag_news_test.jsonl')));
    assert.equal(d.rows.length, 7600);
    assert.equal(d.input, 'text');
    const counts = new Map<string, number>();
    for (const r of d.rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), { Business: 1900, 'Sci/Tech': 1900, Sports: 1900, World: 1900 });
    assert.deepEqual([d.rows[0].line, d.rows[7599].line], [1, 7600]);
    assert.match(d.rows[0].text ?? '', /^Fears for T N pension after talks\. /);
  });

  it('chnsenticorp_htl_all.jsonl: 7766 rows, the empty review kept with a warning', async () => {
    const d = labeled(await readDatasetFile(file('chnsenticorp_htl_all.jsonl')));
    assert.equal(d.rows.length, 7766);
    assert.deepEqual(d.columns, { label: 'label', text: 'text' });
    assert.equal(d.rows.filter((r) => r.label === '1').length, 5322);
    const empty = d.rows.filter((r) => r.text === '');
    assert.deepEqual(empty.map((r) => [r.row, r.line, r.label, r.invalid]), [[6374, 6375, '0', undefined]]);
    assert.deepEqual(d.problems, [{ line: 6375, row: 6374, message: 'line 6375: empty text (column "text")', severity: 'warning' }]);
  });

  for (const [name, n] of [['nli_triplets_snli_dev.jsonl', 3253], ['nli_triplets_mnli_dev_matched.jsonl', 3315]] as const) {
    it(`${name}: ${n} triplets`, async () => {
      const d = (await readDatasetFile(file(name))) as TripletDataset;
      assert.equal(d.kind, 'triplets');
      assert.equal(d.rows.length, n);
      assert.deepEqual(d.columns, { anchor: 'anchor', positive: 'positive', negative: 'negative' });
      const lines = readFileSync(file(name), 'utf8').split('\n');
      for (const i of [0, 1, 100, n - 1]) {
        const r = d.rows[i];
        const o = JSON.parse(lines[i]) as { anchor: string; positive: string; negative: string };
        assert.deepEqual([r.line, r.anchor, r.positive, r.negative], [i + 1, o.anchor, o.positive, o.negative]);
      }
      assert.deepEqual(d.problems, []);
    });
  }
});

describe('read: progress', () => {
  it('tells how much of the file has been read, rising to all of it, and reads the same rows as without', async () => {
    const file = join(__dirname, '..', '..', '..', 'shared', 'datasets', 'ag_news_test.jsonl');
    const seen: number[] = [];
    const d = await readDatasetFile(file, {}, (f) => seen.push(f));
    assert.ok(seen.length >= 10, `only ${seen.length} reports for a 2 MB file`);
    assert.ok(seen.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > seen[i - 1])), 'the fractions do not rise');
    assert.equal(seen[seen.length - 1], 1);
    assert.deepEqual(d, await readDatasetFile(file));
  });
});
