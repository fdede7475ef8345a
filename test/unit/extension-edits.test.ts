import assert from 'node:assert/strict';
import { parse as parseSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { delimitedRecords, formatDelimitedField } from '../../src/extension/logic/delimited';
import { relabelEdit, swapEdit, toPosition, type RowEdit } from '../../src/extension/logic/fieldEdits';
import { arrayElements, formatJsonValue, objectMembers } from '../../src/extension/logic/jsonScan';
import { parseRecords, recordField, type Layout } from '../../src/extension/logic/records';

const apply = (text: string, e: RowEdit) => text.slice(0, e.start) + e.newText + text.slice(e.end);
const csv: Layout = { format: 'csv', header: ['text', 'label'] };
const tsv: Layout = { format: 'tsv', header: ['text', 'label'] };

function relabel(row: string, layout: Layout, label: string, expected?: string): string {
  const r = relabelEdit(row, layout, 0, 'label', label, expected);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return apply(row, r.edit);
}

describe('extension: delimited tokenizer', () => {
  it('keeps each field\'s exact span, quoting and value', () => {
    const text = 'text,label\n"a, ""b""",x\nplain,"y"\n';
    const recs = [...delimitedRecords(text, ',')];
    assert.equal(recs.length, 3);
    const f = recs[1].fields;
    assert.equal(text.slice(f[0].start, f[0].end), '"a, ""b"""');
    assert.equal(f[0].value, 'a, "b"');
    assert.equal(f[0].quoted, true);
    assert.deepEqual(recs.map((r) => [r.line, r.endLine]), [[1, 1], [2, 2], [3, 3]]);
  });

  it('counts lines inside quoted fields, CRLF and blank lines', () => {
    const text = 'text,label\r\n"one\r\ntwo",a\r\n\r\nthree,b';
    const recs = [...delimitedRecords(text, ',')];
    assert.deepEqual(recs.map((r) => [r.line, r.endLine, r.fields[1].value]), [[1, 1, 'label'], [2, 3, 'a'], [5, 5, 'b']]);
  });

  it('agrees with csv-parse on random files', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', 'é', '\t') , maxLength: 6 });
    fc.assert(fc.property(fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 6 }), fc.boolean(), (rows, crlf) => {
      const eol = crlf ? '\r\n' : '\n';
      const text = rows.map(([a, b]) => `${formatDelimitedField(a, false, ',')},${formatDelimitedField(b, a.length % 2 === 0, ',')}`).join(eol) + eol;
      const ours = [...delimitedRecords(text, ',')].map((r) => r.fields.map((f) => f.value));
      const theirs = parseSync(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
      // csv-parse drops a record that is a single empty field; so do we (it is an empty line)
      assert.deepEqual(ours, theirs.filter((r) => !(r.length === 1 && r[0] === '')));
    }), { numRuns: 300 });
  });
});

describe('extension: relabel edits keep the file\'s quoting', () => {
  it('replaces exactly the label field in CSV', () => {
    assert.equal(relabel('hello world,sports', csv, 'business'), 'hello world,business');
    assert.equal(relabel('"hello, world","sports"', csv, 'business'), '"hello, world","business"');
    assert.equal(relabel('hi,sports', csv, 'a,b'), 'hi,"a,b"');
    assert.equal(relabel('hi,"sports"', csv, 'say "x"'), 'hi,"say ""x"""');
    assert.equal(relabel('"multi\nline",sports', csv, 'world'), '"multi\nline",world');
  });

  it('handles TSV as the engine reads it: no quoting, quotes are characters', () => {
    assert.equal(relabel('a, b\tsports', tsv, 'x,y'), 'a, b\tx,y');
    assert.equal(relabel('say "hi\tsports', tsv, 'a "b"'), 'say "hi\ta "b"');
    assert.equal(relabel('x\t"q"', tsv, 'z', '"q"'), 'x\tz');
    const r = relabelEdit('a\tb', tsv, 0, 'label', 'x\ty');
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /TSV field cannot hold/);
    const recs = [...delimitedRecords('text\tlabel\n"a\tb"\tc\n', '\t', false)];
    assert.deepEqual(recs[1].fields.map((f) => f.value), ['"a', 'b"', 'c']);
  });

  it('replaces JSONL values and keeps numbers numbers', () => {
    const j: Layout = { format: 'jsonl', header: [] };
    assert.equal(relabel('{"text": "a \\"q\\"", "label": "sports", "x": 1}', j, 'world'), '{"text": "a \\"q\\"", "label": "world", "x": 1}');
    assert.equal(relabel('{"text":"a","label":3}', j, '1'), '{"text":"a","label":1}');
    assert.equal(relabel('{"text":"a","label":3}', j, 'cat'), '{"text":"a","label":"cat"}');
    assert.equal(relabel('{"label":"a"}', j, 'é "b"'), '{"label":"é \\"b\\""}');
  });

  it('finds the right object of a JSON array written on one line', () => {
    const j: Layout = { format: 'json', header: [] };
    const row = '[{"text":"a","label":"x"}, {"text":"b","label":"y"}]';
    const r = relabelEdit(row, j, 1, 'label', 'z', 'y');
    assert.ok(r.ok);
    assert.equal(apply(row, r.edit), '[{"text":"a","label":"x"}, {"text":"b","label":"z"}]');
    const tail = '  }, {"text": "c", "label": "q"},';
    const t = relabelEdit(tail, j, 0, 'label', 'w');
    assert.ok(t.ok);
    assert.equal(apply(tail, t.edit), '  }, {"text": "c", "label": "w"},');
  });

  it('refuses when the label is not the audited one or the field is missing', () => {
    const r = relabelEdit('hi,world', csv, 0, 'label', 'x', 'sports');
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /now "world"/);
    assert.equal(relabelEdit('hi', csv, 0, 'label', 'x').ok, false);
    assert.equal(relabelEdit('{"text":"a"}', { format: 'jsonl', header: [] }, 0, 'label', 'x').ok, false);
  });

  it('round-trips: relabel then relabel back restores the row byte for byte', () => {
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', ' ', '\t', 'ü'), maxLength: 5 });
    fc.assert(fc.property(field, field, field, fc.boolean(), fc.constantFrom<Layout>(csv, tsv), (text, label, next, quoted, layout) => {
      const tab = layout.format === 'tsv';
      const d = tab ? '\t' : ',';
      if (tab) fc.pre(![text, label, next].some((v) => /[\t\n\r]/.test(v)));
      const row = `${formatDelimitedField(text, !tab, d, !tab)}${d}${formatDelimitedField(label, quoted && !tab, d, !tab)}`;
      const edited = relabel(row, layout, next);
      const rec = [...delimitedRecords(edited, d, !tab)][0];
      assert.equal(rec.fields[1].value, next);
      assert.equal(rec.fields[0].value, text);
      // a label that had to be quoted leaves the field quoted; otherwise relabeling back is exact
      if (tab || quoted || formatDelimitedField(next, false, d) === next) assert.equal(relabel(edited, layout, label), row);
    }), { numRuns: 300 });
  });
});

describe('extension: swap edits', () => {
  const trip: Layout = { format: 'csv', header: ['anchor', 'positive', 'negative'] };
  it('exchanges positive and negative, each keeping its own quoting', () => {
    const row = 'q,"p, 1",n';
    const r = swapEdit(row, trip, 0, 'positive', 'negative');
    assert.ok(r.ok);
    assert.equal(apply(row, r.edit), 'q,n,"p, 1"');
  });
  it('works on JSONL whatever the key order', () => {
    const row = '{"negative": "n", "anchor": "a", "positive": "p"}';
    const r = swapEdit(row, { format: 'jsonl', header: [] }, 0, 'positive', 'negative');
    assert.ok(r.ok);
    assert.equal(apply(row, r.edit), '{"negative": "p", "anchor": "a", "positive": "n"}');
  });
  it('swapping twice is the identity', () => {
    const f = fc.string({ unit: fc.constantFrom('x', ',', '"', ' '), maxLength: 4 });
    fc.assert(fc.property(f, f, f, (a, p, n) => {
      const row = [a, p, n].map((v, i) => formatDelimitedField(v, i === 1, ',')).join(',');
      const once = swapEdit(row, trip, 0, 'positive', 'negative');
      assert.ok(once.ok);
      const swapped = apply(row, once.edit);
      const twice = swapEdit(swapped, trip, 0, 'positive', 'negative');
      assert.ok(twice.ok);
      assert.equal(apply(swapped, twice.edit), row);
    }));
  });
});

describe('extension: positions and JSON scanning', () => {
  it('maps row offsets to 0-based document positions', () => {
    assert.deepEqual(toPosition('ab\ncd,x', 5, 10), { line: 11, character: 2 });
    assert.deepEqual(toPosition('abc', 1, 0), { line: 0, character: 1 });
  });
  it('scans members and elements with their spans', () => {
    const t = '{"a": [1, {"b": "}"}], "c": "x\\"y"}';
    const m = objectMembers(t, 0);
    assert.ok(m);
    assert.deepEqual(m.map((x) => [x.key, t.slice(x.valueStart, x.valueEnd)]), [['a', '[1, {"b": "}"}]'], ['c', '"x\\"y"']]);
    assert.deepEqual(arrayElements('[ 1 , "a" ]', 0), [{ start: 2, end: 3 }, { start: 6, end: 9 }]);
    assert.equal(objectMembers('{"a" 1}', 0), undefined);
    assert.equal(formatJsonValue('2', '"1"'), '"2"');
  });
  it('finds records and fields in whole files of each format', () => {
    const j = parseRecords('[\n  {"text": "a", "label": "x"},\n  {"text": "b",\n   "label": "y"}\n]\n', 'json');
    assert.deepEqual(j.records.map((r) => [r.line, r.endLine]), [[2, 2], [3, 4]]);
    const l = parseRecords('{"label":"x"}\n\n  {"label":"y"}  \n', 'jsonl');
    assert.deepEqual(l.records.map((r) => r.line), [1, 3]);
    const text = '\uFEFFtext,label\na,x\n';
    const c = parseRecords(text, 'csv');
    assert.deepEqual(c.layout.header, ['text', 'label']);
    const f = recordField(text, c.records[0], c.layout, 'label');
    assert.equal(f?.value, 'x');
  });
});
