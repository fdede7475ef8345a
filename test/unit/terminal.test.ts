/**
 * Terminal escape sequences in a dataset (texts, labels, column names, the file's name) never
 * reach the terminal raw: the CLI's table and its standard error show them as visible escapes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatTable } from '../../src/cli/table';
import { forTerminal } from '../../src/cli/terminal';
import { syntheticReport } from '../support/syntheticReport';

const ROOT = resolve(__dirname, '..', '..');
/** What a terminal acts on: C0 controls but the line feed, DEL, C1 controls (U+009B is an 8-bit CSI), bidi controls. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Sequences a hostile dataset could carry (OSC 8 hyperlinks, OSC 52 clipboard writes, title changes, screen clearing, ...). */
export const TERMINAL_PAYLOADS = [
  '\u001b[31mred\u001b[0m', '\u001b[2J\u001b[H', '\u001b]0;owned\u0007', '\u001b]8;;https://evil.test\u001b\\click\u001b]8;;\u001b\\',
  '\u001b]52;c;cm0gLXJmIH4=\u0007', '\u009b31m8-bit CSI', '\u001bP+q\u001b\\', '\u001b[6n', 'back\bspace\rcarriage', 'bell\u0007',
  'txt\u202eexe.bat', '\u2066isolate\u2069', 'nul\u0000byte', 'del\u007f', 'line\u2028separator',
];

describe('terminal: escape sequences never reach the CLI\'s output raw', () => {
  it('forTerminal shows every control character as an escape and leaves other text alone', () => {
    assert.equal(forTerminal('\u001b[31mred'), '\\e[31mred');
    assert.equal(forTerminal('\u009b31m'), '\\x9b31m');
    assert.equal(forTerminal('a\u202eb\tc\nd'), 'a\\u202eb\\tc\\nd');
    assert.equal(forTerminal('naïve 中文 😀 – ok'), 'naïve 中文 😀 – ok');
    for (const p of TERMINAL_PAYLOADS) assert.doesNotMatch(forTerminal(p), RAW, JSON.stringify(p));
  });

  it('the table shows hostile texts, labels, suggestions, problems and the file name escaped', () => {
    const r = syntheticReport(30, { seed: 3 });
    r.file = 'data\u001b]0;title\u0007.csv';
    r.labels = ['\u001b[2Jlabel', ...r.labels];
    r.rows.forEach((row, i) => {
      row.text = TERMINAL_PAYLOADS[i % TERMINAL_PAYLOADS.length];
      row.label = '\u009b1mbold';
      row.suggestedLabel = '\u202eevil';
      row.suspicion = 1 - i / 100;
    });
    r.problems = [{ line: 3, row: 1, message: 'line 3: \u001b[31minvalid JSON', severity: 'error' }];
    r.timings = { total: 1.5 };
    const table = formatTable(r, 30);
    assert.doesNotMatch(table, RAW);
    assert.match(table, /\\e\[31mred\\e\[0m/);
    assert.match(table, /\\x9b1mbold -> \\u202eevil/);
    assert.match(table, /data\\e\]0;title\\x07\.csv/);
  });

  it('the CLI on a hostile file (its name too): nothing raw on standard output or standard error', function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'ta-term-'));
    try {
      const rows = readFileSync(join(ROOT, 'test', 'fixtures', 'bad', 'bom_utf8.csv'), 'utf8').replace(/^\ufeff/, '').split('\r\n').filter(Boolean).slice(1);
      const hostile = rows.map((line, i) => {
        const comma = line.lastIndexOf(',');
        const text = `${line.slice(0, comma)} ${TERMINAL_PAYLOADS[i % TERMINAL_PAYLOADS.length]}`;
        return `"${text.replace(/"/g, '""')}",${i === 7 ? '\u001b[5mblink' : line.slice(comma + 1)}`;
      });
      // a ragged row, so that a problem goes to standard error too
      const file = join(dir, 'evil\u001b[31m\u202e.csv');
      writeFileSync(file, `text,label,\u001b]0;col\u0007\n${hostile.map((l) => `${l},x`).join('\n')}\nragged\u001b[2J,row,with,too,many\n`);
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), file, '--format', 'table', '--top', '40'], { encoding: 'utf8', timeout: 110_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stdout, RAW, 'standard output');
      assert.doesNotMatch(r.stderr, RAW, 'standard error');
      assert.match(r.stdout, /evil\\e\[31m\\u202e\.csv: 41 rows/);
      assert.match(r.stderr, /evil\\e\[31m\\u202e\.csv:\d+: expected 3 fields, found 5/);
      assert.match(r.stdout, /\\e\]0;owned\\x07/);
      // an unusable file: the one line of exit 2 is escaped too
      const empty = join(dir, '\u001b[2Jempty.csv');
      writeFileSync(empty, '');
      const e = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), empty, '-q'], { encoding: 'utf8' });
      assert.equal(e.status, 2);
      assert.equal(e.stderr, `triplet-audit: ${dir}/\\e[2Jempty.csv:1: the file is empty; a CSV dataset has a header line (e.g. text,label) and a row per line\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
