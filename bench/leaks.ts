/**
 * npm run bench:leaks [-- --seeds 1,2,3] [--plants 150] [--file ag_news_test.jsonl] [--text text]
 *
 * Leak detection between files: train / dev / test splits (60 / 20 / 20%) of a shared dataset,
 * with `plants` rows copied across them (bench/plantLeaks.ts: exact, case, punctuation, one word
 * replaced / deleted / inserted, in turn), audited as three files by the built CLI. Reports:
 *   - recall: planted copies flagged `leak`, by edit;
 *   - on the clean splits (no plants), the rows flagged `leak`: the "false leaks" (they include
 *     the dataset's own repeated items, which are real leaks; the exact ones are counted apart);
 *   - time: the three-file audit end to end, beside the same rows audited as one file in the same
 *     run (the reference), and the leak search's own seconds (report.timings.leaks).
 * --big N: the leak search alone (findLeaks, as the audit runs it) on N rows of the shared large
 * file (bench/bigFile.ts) split 80 / 10 / 10, beside featurising them (its input), in one run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditReport } from '../src/core/types';
import { EDITS, plantSplits, readJsonl, toJsonl, writeSplits, type Plant } from './plantLeaks';
import { bigFile } from './bigFile';
import { featurize, DEFAULT_FEATURIZER } from '../src/core/featurize';
import { findLeaks, type LeakItem } from '../src/core/leaks';
import { readDatasetFile } from '../src/core/node/readFile';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');

function audit(files: string[], out: string): { report: AuditReport; seconds: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('nice', ['-n', '5', process.execPath, cli, ...files, '--format', 'json', '-q', '--out', out], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`audit of ${files.join(' ')} failed: ${r.stderr}`);
  return { report: JSON.parse(readFileSync(out, 'utf8')) as AuditReport, seconds };
}

const key = (file: number, line: number) => `${file}:${line}`;

async function big(n: number): Promise<void> {
  const ds = await readDatasetFile(bigFile(n));
  if (ds.kind !== 'labeled') throw new Error('the big file is labeled rows');
  const texts = ds.rows.filter((r) => !r.invalid).map((r) => r.text ?? '');
  const t0 = process.hrtime.bigint();
  const x = featurize(texts, DEFAULT_FEATURIZER);
  const t1 = process.hrtime.bigint();
  const file = (i: number) => (i < 0.8 * texts.length ? 0 : i < 0.9 * texts.length ? 1 : 2);
  const items: LeakItem[] = texts.map((text, i) => ({ text, row: i, file: file(i), x: i, query: true }));
  const found = await findLeaks(items, x, 1);
  const t2 = process.hrtime.bigint();
  console.log(`${texts.length} rows split 80/10/10: featurising ${(Number(t1 - t0) / 1e9).toFixed(1)} s, leak search ${(Number(t2 - t1) / 1e9).toFixed(1)} s (${found.size} rows in leak pairs; one thread, machine shared)`);
}

function main(): void {
  const { values } = parseArgs({ options: { seeds: { type: 'string' }, plants: { type: 'string' }, file: { type: 'string' }, text: { type: 'string' }, big: { type: 'string' } } });
  if (values.big) { void big(Number(values.big)); return; }
  const seeds = (values.seeds ?? '1,2,3').split(',').map(Number);
  const plants = Number(values.plants ?? 150);
  const name = values.file ?? 'ag_news_test.jsonl';
  const rows = readJsonl(join(root, '..', 'shared', 'datasets', name));
  const work = mkdtempSync(join(tmpdir(), 'ta-leaks-'));
  console.log(`${name}: ${rows.length} rows split 60/20/20, ${plants} planted per seed; work in ${work}`);
  const byEdit = new Map<string, { found: number; all: number }>(EDITS.map((e) => [e, { found: 0, all: 0 }]));
  let found = 0, planted = 0, cleanRows = 0, cleanFlagged = 0, cleanExact = 0, extraPlanted = 0;
  const times: { three: number; one: number; leaks: number }[] = [];
  for (const seed of seeds) {
    const dir = join(work, String(seed));
    const s = plantSplits(rows, values.text ?? 'text', seed, plants);
    const files = writeSplits(dir, s);
    const one = join(dir, 'all.jsonl');
    writeFileSync(one, s.planted.map(toJsonl).join(''));
    const ref = audit([one], join(dir, 'one.json'));
    const three = audit(files.planted, join(dir, 'planted.json'));
    const clean = audit(files.clean, join(dir, 'clean.json'));
    const flagged = new Set(three.report.rows.filter((r) => r.flags.includes('leak')).map((r) => key(r.file ?? -1, r.line)));
    const ends = new Set<string>();
    s.plants.forEach((p: Plant) => {
      const hit = flagged.has(key(p.file, p.line));
      found += hit ? 1 : 0; planted++;
      const e = byEdit.get(p.edit)!; e.all++; e.found += hit ? 1 : 0;
      ends.add(key(p.file, p.line)); ends.add(key(p.sourceFile, p.sourceLine));
    });
    const extra = [...flagged].filter((k) => !ends.has(k)).length;
    extraPlanted += extra;
    const cleanLeaks = clean.report.rows.filter((r) => r.flags.includes('leak'));
    cleanRows += clean.report.rowCount; cleanFlagged += cleanLeaks.length; cleanExact += cleanLeaks.filter((r) => r.leak?.exact).length;
    times.push({ three: three.seconds, one: ref.seconds, leaks: three.report.timings.leaks ?? NaN });
    console.log(`seed ${seed}: planted ${s.plants.length}, found ${s.plants.filter((p) => flagged.has(key(p.file, p.line))).length}; ` +
      `other rows flagged in the planted splits ${extra}; clean splits: ${cleanLeaks.length} of ${clean.report.rowCount} rows flagged ` +
      `(${cleanLeaks.filter((r) => r.leak?.exact).length} exact); ` +
      `time: three files ${three.seconds.toFixed(1)} s, the same rows as one file ${ref.seconds.toFixed(1)} s, leak search ${(three.report.timings.leaks ?? NaN).toFixed(2)} s`);
  }
  const pct = (a: number, b: number) => `${(100 * a / Math.max(b, 1)).toFixed(1)}%`;
  console.log(`recall: ${found} / ${planted} = ${pct(found, planted)}; by edit: ${[...byEdit].map(([e, v]) => `${e} ${v.found}/${v.all}`).join(', ')}`);
  console.log(`clean splits: ${cleanFlagged} of ${cleanRows} rows flagged leak = ${pct(cleanFlagged, cleanRows)} (${cleanExact} of them exact repeats); ` +
    `planted splits: ${extraPlanted} rows flagged besides the plants and their sources`);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`time (median of ${times.length}): three files ${med(times.map((t) => t.three)).toFixed(1)} s, the same rows as one file ${med(times.map((t) => t.one)).toFixed(1)} s ` +
    `(ratio ${med(times.map((t) => t.three / t.one)).toFixed(2)}), leak search ${med(times.map((t) => t.leaks)).toFixed(2)} s; machine shared, wall times noisy`);
}

main();
