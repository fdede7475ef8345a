/**
 * The quick fixes under change, as a property: random relabel / swap / replace / mark-reviewed
 * fixes interleaved with a user's typing (letters in fields, rows inserted and deleted), undo and
 * redo, on CSV (quoted fields, embedded line breaks, CRLF), TSV and JSONL. After every step the file
 * is valid in its format; a fix applies exactly where the audited row is, or is refused, with the
 * reason, exactly when the row moved or changed; after undoing everything the file is byte for byte
 * what it was. The fixes run through the extension's own logic (src/extension/logic/rowFix.ts, the
 * same code fixes.ts gives VS Code); the document is a model with VS Code's line semantics and an
 * undo stack per document (the data file and its reviewed sidecar).
 */
import assert from 'node:assert/strict';
import { parse as parseSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { csvParse } from '../../src/core/node/readFile';
import { readDataset } from '../../src/core/read';
import type { FileFormat } from '../../src/core/types';
import { parseReviewed, serializeReviewed, withReviewed, emptyReviewed } from '../../src/extension/logic/reviewed';
import { objectMembers } from '../../src/extension/logic/jsonScan';
import { parseRecords, recordField } from '../../src/extension/logic/records';
import { digestText, type FileDigest } from '../../src/extension/logic/rowDigest';
import { checkRow, rowFixEdit, type AuditedRows, type DocLines, type RowFix } from '../../src/extension/logic/rowFix';

const RUNS = Number(process.env.EDIT_RUNS ?? 200);

/** A text document as VS Code holds it: text, lines split at \r\n, \r and \n, an undo and a redo stack. */
class Doc implements DocLines {
  private undos: Array<{ at: number; removed: string; inserted: string }> = [];
  private redos: Array<{ at: number; removed: string; inserted: string }> = [];
  constructor(public text: string) {}
  private get lines(): string[] { return this.text.split(/\r\n|\r|\n/); }
  get lineCount(): number { return this.lines.length; }
  lineText(line: number): string { return this.lines[line]; }
  /** Offset of a 0-based (line, character) position. */
  offsetAt(line: number, character: number): number {
    const re = /\r\n|\r|\n/g;
    let start = 0;
    for (let l = 0; l < line; l++) {
      const m = re.exec(this.text);
      assert.ok(m, `no line ${line}`);
      start = m.index + m[0].length;
    }
    return start + character;
  }
  edit(at: number, end: number, inserted: string): void {
    this.undos.push({ at, removed: this.text.slice(at, end), inserted });
    this.redos = [];
    this.text = this.text.slice(0, at) + inserted + this.text.slice(end);
  }
  undo(): boolean {
    const e = this.undos.pop();
    if (!e) return false;
    this.text = this.text.slice(0, e.at) + e.removed + this.text.slice(e.at + e.inserted.length);
    this.redos.push(e);
    return true;
  }
  redo(): boolean {
    const e = this.redos.pop();
    if (!e) return false;
    this.text = this.text.slice(0, e.at) + e.inserted + this.text.slice(e.at + e.removed.length);
    this.undos.push(e);
    return true;
  }
  get depth(): number { return this.undos.length; }
}

type Shape = 'labeled' | 'triplets';
interface Dataset { format: FileFormat; shape: Shape; text: string; eol: string }

const cell = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', ' ', ',', '"', 'é', '中', '😀', '\n', "'", '\\', '\t'), minLength: 1, maxLength: 8 });
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', ' ', 'é'), minLength: 1, maxLength: 6 });

function csvField(v: string, quote: boolean): string {
  return quote || /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A random dataset in one of the formats, with as many rows as the audit's checks need not. */
const datasets: fc.Arbitrary<Dataset> = fc.record({
  format: fc.constantFrom<FileFormat>('csv', 'tsv', 'jsonl'),
  shape: fc.constantFrom<Shape>('labeled', 'triplets'),
  crlf: fc.boolean(),
  rows: fc.array(fc.tuple(cell, cell, cell, fc.boolean()), { minLength: 3, maxLength: 10 }),
}).map(({ format, shape, crlf, rows }) => {
  const eol = crlf ? '\r\n' : '\n';
  const cols = shape === 'labeled' ? ['text', 'label'] : ['anchor', 'positive', 'negative'];
  // labels take turns, so that every file has more than one
  const values = rows.map(([a, b, c], i) => (shape === 'labeled' ? [a, ['x', 'y', 'zed', 'a b'][i % 4]] : [a, b, c]));
  let text: string;
  if (format === 'csv') {
    text = [cols.join(','), ...values.map((v, i) => v.map((x, k) => csvField(x, rows[i][3] && k === 0)).join(','))].join(eol) + eol;
  } else if (format === 'tsv') {
    // TSV has no quoting: no tab or line break inside a value
    text = [cols.join('\t'), ...values.map((v) => v.map((x) => x.replace(/[\t\r\n]/g, ' ')).join('\t'))].join(eol) + eol;
  } else {
    text = values.map((v) => JSON.stringify(Object.fromEntries(cols.map((c, k) => [c, v[k]])))).join(eol) + eol;
  }
  return { format, shape, text, eol };
});

/** Whether `text` is valid in `format` with the columns of `shape`; the records' values when it is. */
function validRecords(text: string, format: FileFormat, shape: Shape): string[][] {
  const width = shape === 'labeled' ? 2 : 3;
  if (format === 'csv') {
    const recs = parseSync(text, { skip_empty_lines: true, relax_column_count: false }) as string[][];
    assert.ok(recs.every((r) => r.length === width), 'a CSV record with another number of fields');
    return recs.slice(1);
  }
  if (format === 'tsv') {
    const lines = text.split(/\r\n|\r|\n/).filter((l) => l !== '');
    assert.ok(lines.every((l) => l.split('\t').length === width), 'a TSV line with another number of fields');
    return lines.slice(1).map((l) => l.split('\t'));
  }
  return text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '').map((l) => {
    const o = JSON.parse(l) as Record<string, string>;
    assert.ok(typeof o === 'object' && o !== null && !Array.isArray(o), 'a JSONL line that is not an object');
    return Object.values(o);
  });
}

/** Offsets where a letter may be typed, or deleted, without breaking the format: inside a field's value. */
function typingSpots(text: string, format: FileFormat): Array<{ from: number; to: number }> {
  const spots: Array<{ from: number; to: number }> = [];
  const parsed = parseRecords(text, format);
  for (const rec of parsed.records) {
    if (format === 'jsonl') {
      for (const m of objectMembers(text, rec.start) ?? []) if (text[m.valueStart] === '"') spots.push({ from: m.valueStart + 1, to: m.valueEnd - 1 });
    } else {
      for (const f of rec.fields ?? []) spots.push(f.quoted ? { from: f.start + 1, to: f.end - 1 } : { from: f.start, to: f.end });
    }
  }
  return spots;
}

/** A new row as the format writes it. */
function newRow(format: FileFormat, shape: Shape, v: string[]): string {
  const cols = shape === 'labeled' ? ['text', 'label'] : ['anchor', 'positive', 'negative'];
  const vals = cols.map((_, k) => v[k % v.length].replace(/[\t\r\n"\\,]/g, ' ') || 'w');
  if (format === 'jsonl') return JSON.stringify(Object.fromEntries(cols.map((c, k) => [c, vals[k]])));
  return vals.join(format === 'tsv' ? '\t' : ',');
}

type Step =
  | { kind: 'type'; pick: number; ch: string }
  | { kind: 'erase'; pick: number }
  | { kind: 'insertRow'; pick: number; values: string[] }
  | { kind: 'deleteRow'; pick: number }
  | { kind: 'relabel' | 'swap' | 'replace' | 'review'; pick: number; value: string }
  | { kind: 'undo' | 'redo'; sidecar: boolean };

const steps: fc.Arbitrary<Step[]> = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('type' as const), pick: fc.nat(), ch: fc.constantFrom('q', 'R', ' ', 'ü') }),
  fc.record({ kind: fc.constant('erase' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('insertRow' as const), pick: fc.nat(), values: fc.array(word, { minLength: 3, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('deleteRow' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constantFrom('relabel' as const, 'swap' as const, 'replace' as const, 'review' as const), pick: fc.nat(), value: cell }),
  fc.record({ kind: fc.constant('relabel' as const), pick: fc.nat(), value: fc.constantFrom('x', 'y', 'zed') }),
  fc.record({ kind: fc.constant('review' as const), pick: fc.nat(), value: fc.constant('') }),
  fc.record({ kind: fc.constantFrom('undo' as const, 'redo' as const), sidecar: fc.boolean() }),
  fc.record({ kind: fc.constant('redo' as const), sidecar: fc.constant(false) }),
), { minLength: 5, maxLength: 40 });

/** The audit of the text as the extension has it: the reader's row spans and the job's digest. */
async function audit(d: Dataset): Promise<AuditedRows & { columns: FileDigest['columns'] }> {
  async function* once() { yield d.text; }
  const ds = await readDataset(once(), { file: `data.${d.format}`, format: d.format, csvParse });
  const rows = ds.rows.map(({ row, line, endLine }) => ({ row, line, endLine }));
  const columns = ds.kind === 'labeled' ? { text: ds.columns.text, label: ds.columns.label } : ds.columns;
  return { rows, digest: digestText(d.text, d.format, columns, rows, 'h'), columns };
}

const counts = { runs: 0, steps: 0, applied: 0, refusedMoved: 0, refusedContent: 0, typed: 0, undone: 0, redone: 0, reviewed: 0, bytesLost: 0 };

async function run(d: Dataset, plan: Step[]): Promise<void> {
  const a = await audit(d);
  const doc = new Doc(d.text);
  const sidecar = new Doc(serializeReviewed(emptyReviewed(`data.${d.format}`)));
  const original = Buffer.from(d.text, 'utf8');
  counts.runs++;
  for (const s of plan) {
    counts.steps++;
    if (s.kind === 'undo' || s.kind === 'redo') {
      const target = s.sidecar ? sidecar : doc;
      if (s.kind === 'undo' ? target.undo() : target.redo()) counts[s.kind === 'undo' ? 'undone' : 'redone']++;
    } else if (s.kind === 'type' || s.kind === 'erase') {
      const spots = typingSpots(doc.text, d.format);
      if (!spots.length) continue;
      const spot = spots[s.pick % spots.length];
      if (s.kind === 'type') {
        // not right after a backslash in JSON (that would make an escape)
        const at = spot.from + (s.pick % (spot.to - spot.from + 1));
        // not right after a backslash in JSON (that would make an escape), nor inside a doubled quote ("") of CSV
        if (d.format === 'jsonl' && doc.text[at - 1] === '\\') continue;
        if (d.format === 'csv' && at > spot.from && doc.text[at - 1] === '"') continue;
        doc.edit(at, at, s.ch);
      } else {
        const letters = [...Array(spot.to - spot.from).keys()].map((k) => spot.from + k).filter((i) => /[a-zA-Z ]/.test(doc.text[i]) && doc.text[i - 1] !== '\\');
        if (!letters.length) continue;
        const at = letters[s.pick % letters.length];
        doc.edit(at, at + 1, '');
      }
      counts.typed++;
    } else if (s.kind === 'insertRow' || s.kind === 'deleteRow') {
      const recs = parseRecords(doc.text, d.format).records;
      if (!recs.length) continue;
      const rec = recs[s.pick % recs.length];
      const lineStart = doc.offsetAt(rec.line - 1, 0);
      if (s.kind === 'insertRow') doc.edit(lineStart, lineStart, newRow(d.format, d.shape, s.values) + d.eol);
      else {
        if (recs.length <= 1) continue;
        const next = rec.endLine < doc.lineCount ? doc.offsetAt(rec.endLine, 0) : doc.text.length;
        doc.edit(lineStart, next, '');
      }
      counts.typed++;
    } else {
      const f = s as Extract<Step, { value: string }>;
      const index = f.pick % a.rows.length;
      const r = a.rows[index];
      // the truth the refusal must match: are the audited lines still the audited row?
      const here = r.endLine <= doc.lineCount ? Array.from({ length: r.endLine - r.line + 1 }, (_, k) => doc.lineText(r.line - 1 + k)).join('\n') : undefined;
      const auditedText = d.text.split(/\r\n|\r|\n/).slice(r.line - 1, r.endLine).join('\n');
      const unmoved = here === auditedText;
      if (s.kind === 'review') {
        const check = checkRow(doc, a, index);
        assert.equal(check.ok, unmoved, `mark reviewed: ${check.ok ? 'applied to a moved row' : 'refused an unmoved row'}`);
        if (!check.ok) { assert.match(check.reason, /changed since the audit: the document was edited so that the row moved or its text differs/); counts.refusedMoved++; continue; }
        const parsed = parseReviewed(sidecar.text, `data.${d.format}`);
        assert.equal(parsed.error, undefined);
        sidecar.edit(0, sidecar.text.length, serializeReviewed(withReviewed(parsed.value, { rowHash: a.digest.rows[index].rowHash, line: r.line, reviewedAt: 't' })));
        counts.reviewed++;
        continue;
      }
      let fix: RowFix;
      if (f.kind === 'relabel') fix = { kind: 'relabel', label: f.value };
      else if (f.kind === 'swap') fix = { kind: 'swap' };
      else fix = { kind: 'replace', column: d.shape === 'labeled' ? 'text' : 'negative', text: f.value };
      const res = rowFixEdit(doc, a, index, fix);
      if (!res.ok) {
        if (!unmoved) { assert.match(res.reason, /changed since the audit/, res.reason); counts.refusedMoved++; continue; }
        // refused for what it would write or where: never for an unmoved row's place
        assert.doesNotMatch(res.reason, /changed since the audit/);
        assert.match(res.reason, /no label column|no positive\/negative columns|cannot hold|label is now/, res.reason);
        counts.refusedContent++;
        continue;
      }
      assert.ok(unmoved, 'a fix applied to a row that moved or changed');
      // the edit stays within the row's lines
      assert.ok(res.start.line >= r.line - 1 && res.end.line <= r.endLine - 1, 'the edit leaves the row');
      const before = validRecords(doc.text, d.format, d.shape);
      const at = doc.offsetAt(res.start.line, res.start.character);
      doc.edit(at, doc.offsetAt(res.end.line, res.end.character), res.newText);
      counts.applied++;
      const after = validRecords(doc.text, d.format, d.shape);
      assert.equal(after.length, before.length, 'a fix changed the number of rows');
      // the field now holds what the fix wrote
      const rec = parseRecords(doc.text, d.format).records.find((x) => x.line === r.line);
      assert.ok(rec, 'the row is not where it was');
      const field = (col: string) => recordField(doc.text, rec, parseRecords(doc.text, d.format).layout, col)?.value;
      if (fix.kind === 'relabel') assert.equal(field('label'), fix.label);
      if (fix.kind === 'replace') assert.equal(field(fix.column), fix.text);
    }
    validRecords(doc.text, d.format, d.shape);
    assert.equal(parseReviewed(sidecar.text, 'x').error, undefined);
  }
  while (doc.undo()) counts.undone++;
  while (sidecar.undo()) counts.undone++;
  const back = Buffer.from(doc.text, 'utf8');
  if (!back.equals(original)) counts.bytesLost += Math.abs(back.length - original.length) || 1;
  assert.ok(back.equals(original), 'after undoing everything the file differs from the original');
  assert.deepEqual(parseReviewed(sidecar.text, 'x').value.reviewed, []);
}

describe('edits under change (property): fixes, typing, undo and redo on CSV, TSV and JSONL', function () {
  this.timeout(120_000);
  after(() => {
    console.log(`      ${counts.runs} files, ${counts.steps} steps: ${counts.applied} fixes applied, ${counts.refusedMoved} refused (row moved or changed), `
      + `${counts.refusedContent} refused (value the format cannot hold), ${counts.reviewed} marks, ${counts.typed} typing edits, ${counts.undone} undos, ${counts.redone} redos; bytes lost: ${counts.bytesLost}`);
  });

  it(`${RUNS} random files and edit sequences: always valid, refusals exactly for moved rows, byte-identical after undoing all`, async () => {
    await fc.assert(fc.asyncProperty(datasets, steps, run), { numRuns: RUNS, seed: Number(process.env.EDIT_SEED ?? 15) });
    assert.ok(counts.applied > 0 && counts.refusedMoved > 0 && counts.undone > 0 && counts.redone > 0, JSON.stringify(counts));
  });

  it('a fix on a file that is not UTF-8 shown as UTF-8 is refused: saving it would write U+FFFD over the bytes', async () => {
    const d: Dataset = { format: 'csv', shape: 'labeled', text: 'text,label\ncaf\ufffd one,x\ntwo,y\nthree,x\n', eol: '\n' };
    const a = await audit(d);
    a.digest.lossy = true;
    const doc = new Doc(d.text);
    const refused = rowFixEdit(doc, a, 0, { kind: 'relabel', label: 'y' });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.reason, /not valid UTF-8 .*saving an edit would write \u{fffd} over every one of them/u);
    // opened in its own encoding (latin1), VS Code saves what it read: the fix may go ahead
    const latin = Object.assign(new Doc(d.text), { encoding: 'latin1' });
    assert.equal(rowFixEdit(latin, a, 0, { kind: 'relabel', label: 'y' }).ok, true);
  });
});
