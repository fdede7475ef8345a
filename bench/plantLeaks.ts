/**
 * Train / dev / test splits of one JSONL dataset, with rows planted across them: the planting
 * script of the leak benchmark (bench/leaks.ts) and of the multi-file editor test.
 *
 *   tsx bench/plantLeaks.ts IN.jsonl OUTDIR [--seed 1] [--plants 100] [--rows N] [--text text]
 *
 * writes OUTDIR/train.jsonl, dev.jsonl, test.jsonl (60 / 20 / 20% of the rows, shuffled, seeded),
 * the same with the plants (OUTDIR/planted/), and OUTDIR/truth.json: for every planted row, its
 * file and 1-based line, the row it copies (file, line) and the edit. A plant is a copy of a row of
 * one split inserted into another split (train -> dev, train -> test, dev -> test in turn), with
 * one of the light edits a real leak carries, in turn: none, case, punctuation, one word replaced,
 * one word deleted, one word inserted.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng';

export type EditKind = 'exact' | 'case' | 'punctuation' | 'word-replaced' | 'word-deleted' | 'word-inserted';
export const EDITS: readonly EditKind[] = ['exact', 'case', 'punctuation', 'word-replaced', 'word-deleted', 'word-inserted'];
export const SPLIT_NAMES = ['train', 'dev', 'test'] as const;
/** Which split a plant copies from and lands in, in turn. */
const ROUTES: readonly [number, number][] = [[0, 1], [0, 2], [1, 2]];

export interface Plant {
  /** Where the copy is: split index and 1-based line. */
  file: number;
  line: number;
  /** The row it copies: split index and 1-based line (in the planted files). */
  sourceFile: number;
  sourceLine: number;
  edit: EditKind;
}

export interface PlantedSplits {
  /** Rows of each split without plants, and with them. */
  clean: Record<string, unknown>[][];
  planted: Record<string, unknown>[][];
  plants: Plant[];
}

const WORD = /[\p{L}\p{N}]{3,}/gu;

/** The text with one light edit (the edit is deterministic given rng). */
export function editText(text: string, edit: EditKind, rng: Rng, vocabulary: readonly string[]): string {
  switch (edit) {
    case 'exact': return text;
    case 'case': {
      const lower = text.toLowerCase();
      return lower !== text ? lower : text.toUpperCase();
    }
    case 'punctuation': {
      const stripped = text.replace(/[,;:!?."'()]/g, '');
      return stripped !== text ? stripped : `${text}.`;
    }
    default: {
      const words = [...text.matchAll(WORD)];
      if (words.length === 0) return `${text} ${vocabulary[rng.int(vocabulary.length)]}`;
      const w = words[rng.int(words.length)];
      const at = w.index ?? 0, end = at + w[0].length;
      let other = vocabulary[rng.int(vocabulary.length)];
      for (let t = 0; t < 8 && other.toLowerCase() === w[0].toLowerCase(); t++) other = vocabulary[rng.int(vocabulary.length)];
      if (edit === 'word-replaced') return text.slice(0, at) + other + text.slice(end);
      if (edit === 'word-deleted') return (text.slice(0, at) + text.slice(end)).replace(/ {2,}/, ' ');
      return `${text.slice(0, at)}${other} ${text.slice(at)}`;
    }
  }
}

/**
 * Splits `rows` 60 / 20 / 20 after a seeded shuffle and plants `plants` edited copies across the
 * splits (each at a seeded position of its split; the edits cycle through EDITS).
 */
export function plantSplits(rows: readonly Record<string, unknown>[], textKey: string, seed: number, plants: number): PlantedSplits {
  const rng = new Rng(seed);
  const order = rows.map((_, i) => i);
  rng.shuffle(order);
  const cut1 = Math.round(rows.length * 0.6), cut2 = Math.round(rows.length * 0.8);
  const clean = [order.slice(0, cut1), order.slice(cut1, cut2), order.slice(cut2)].map((ix) => ix.map((i) => rows[i]));
  const vocabulary = [...new Set(rows.slice(0, 2000).flatMap((r) => String(r[textKey]).match(WORD) ?? []))];
  // each copy, as (target split, position among that split's clean rows, source split, source index)
  const chosen = new Set<string>();
  const inserts: { to: number; at: number; from: number; src: number; edit: EditKind; row: Record<string, unknown> }[] = [];
  for (let p = 0; p < plants; p++) {
    const [from, to] = ROUTES[p % ROUTES.length];
    let src = rng.int(clean[from].length);
    for (let t = 0; t < 100 && chosen.has(`${from}:${src}`); t++) src = rng.int(clean[from].length);
    chosen.add(`${from}:${src}`);
    const edit = EDITS[Math.floor(p / ROUTES.length) % EDITS.length];
    const row = { ...clean[from][src], [textKey]: editText(String(clean[from][src][textKey]), edit, rng, vocabulary) };
    inserts.push({ to, at: rng.int(clean[to].length + 1), from, src, edit, row });
  }
  // planted splits: the clean rows with the copies inserted (positions in clean-row terms)
  const planted: Record<string, unknown>[][] = [];
  const lineOf: Map<number, number>[] = [];
  for (let s = 0; s < 3; s++) {
    const here = inserts.filter((x) => x.to === s).sort((a, b) => a.at - b.at);
    const out: Record<string, unknown>[] = [];
    const lines = new Map<number, number>();
    let k = 0;
    for (let i = 0; i <= clean[s].length; i++) {
      while (k < here.length && here[k].at === i) { (here[k] as { line?: number }).line = out.length + 1; out.push(here[k].row); k++; }
      if (i < clean[s].length) { lines.set(i, out.length + 1); out.push(clean[s][i]); }
    }
    planted.push(out);
    lineOf.push(lines);
  }
  const plantsOut: Plant[] = inserts.map((x) => ({
    file: x.to, line: (x as { line?: number }).line ?? 0, sourceFile: x.from, sourceLine: lineOf[x.from].get(x.src) ?? 0, edit: x.edit,
  }));
  return { clean, planted, plants: plantsOut.sort((a, b) => a.file - b.file || a.line - b.line) };
}

export function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function toJsonl(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** Writes the splits (clean in `dir`, planted in `dir/planted`) and truth.json; returns the file paths. */
export function writeSplits(dir: string, s: PlantedSplits): { clean: string[]; planted: string[]; truth: string } {
  mkdirSync(join(dir, 'planted'), { recursive: true });
  const clean = SPLIT_NAMES.map((n, i) => { const f = join(dir, `${n}.jsonl`); writeFileSync(f, toJsonl(s.clean[i])); return f; });
  const planted = SPLIT_NAMES.map((n, i) => { const f = join(dir, 'planted', `${n}.jsonl`); writeFileSync(f, toJsonl(s.planted[i])); return f; });
  const truth = join(dir, 'truth.json');
  writeFileSync(truth, JSON.stringify({ files: SPLIT_NAMES.map((n) => `${n}.jsonl`), plants: s.plants }, null, 1) + '\n');
  return { clean, planted, truth };
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string' }, plants: { type: 'string' }, rows: { type: 'string' }, text: { type: 'string' } } });
  if (positionals.length !== 2) throw new Error('usage: tsx bench/plantLeaks.ts IN.jsonl OUTDIR [--seed 1] [--plants 100] [--rows N] [--text text]');
  let rows = readJsonl(positionals[0]);
  if (values.rows) rows = rows.slice(0, Number(values.rows));
  const s = plantSplits(rows, values.text ?? 'text', Number(values.seed ?? 1), Number(values.plants ?? 100));
  const out = writeSplits(positionals[1], s);
  console.log(`${out.planted.join(', ')}: ${s.planted.map((x) => x.length).join(' / ')} rows, ${s.plants.length} planted; truth in ${out.truth}`);
}

if (require.main === module) main();
