/**
 * `triplet-audit mine FILE --out triplets.jsonl`: reads the file (labeled rows, pairs or
 * triplets), mines negatives (core/mine.ts) with the fold encoders on a pool of threads, writes
 * the triplets and prints the categories before and after.
 */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { extname } from 'node:path';
import { withDefaults } from '../core/node/auditFile';
import { initBackend } from '../core/node/backend';
import { FoldPool } from '../core/node/foldPool';
import { readDatasetFile } from '../core/node/readFile';
import { mineDataset, type CategoryTally, type MineResult, type MinedTriplet } from '../core/mine';
import { writePieces } from './write';
import type { MineArgs } from './args';

function* csvLines(triplets: readonly MinedTriplet[]): Generator<string> {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  yield 'anchor,positive,negative\r\n';
  for (const t of triplets) yield `${q(t.anchor)},${q(t.positive)},${q(t.negative)}\r\n`;
}

function* jsonLines(triplets: readonly MinedTriplet[]): Generator<string> {
  for (const t of triplets) yield JSON.stringify({ anchor: t.anchor, positive: t.positive, negative: t.negative }) + '\n';
}

const pct = (k: number, n: number) => (n ? `${(100 * k / n).toFixed(1)}%` : '-');

export function tallyLine(name: string, t: CategoryTally): string {
  const n = t.easy + t['semi-hard'] + t.hard;
  return `${name}: ${n} triplets: ${t.easy} easy (${pct(t.easy, n)}), ${t['semi-hard']} semi-hard (${pct(t['semi-hard'], n)}), ${t.hard} hard (${pct(t.hard, n)})`;
}

/** The summary `mine` prints: what it read, the categories before and after, and its checks. */
export function mineSummary(r: MineResult, file: string, out: string): string {
  const kept = r.triplets.filter((t) => t.source === 'kept').length, mined = r.triplets.length - kept;
  const beforeName = r.input === 'triplets' ? 'before (the given negatives)' : r.input === 'pairs' ? 'before (a random negative: another anchor\'s positive)' : 'before (a random negative: a row of another label)';
  return [
    `${file}: ${r.rows} ${r.input === 'labeled' ? 'labeled rows' : r.input} read; ${r.description}`,
    tallyLine(beforeName, r.before),
    tallyLine('after', r.after),
    `${r.mined} of ${r.rows} anchors got mined negatives (${pct(r.mined, r.rows)}), ${r.noCandidate} had no candidate in the band` +
      (kept ? ` (their ${kept} triplets are written with their own negatives)` : ''),
    `mined negatives in the band: ${r.inBand} of ${mined}; the anchor's own positive, the anchor or a near-duplicate of either: ${r.ownPositiveOrDuplicate}`,
    `wrote ${r.triplets.length} triplets to ${out}`,
  ].join('\n');
}

export async function runMine(args: MineArgs): Promise<number> {
  const log = (s: string) => { if (!args.quiet) process.stderr.write(s + '\n'); };
  const opts = withDefaults(args.options);
  const pool = new FoldPool(opts.backend, opts.workers || undefined);
  try {
    const ds = await readDatasetFile(args.file, { ...opts, maxRows: undefined });
    for (const p of ds.problems) log(`${args.file}:${p.line}: ${p.message}`);
    await initBackend(opts.backend);
    let last = '';
    const result = await mineDataset(ds, { ...args.mining, seed: opts.seed, folds: opts.folds, epochs: opts.epochs, dim: opts.dim }, pool.runTripletFolds, {
      onProgress: (fraction, message) => {
        const key = `${Math.floor(fraction * 20)}`;
        if (key !== last) { last = key; log(`[${String(Math.round(fraction * 100)).padStart(3)}%] ${message}`); }
      },
    });
    const stream = createWriteStream(args.out);
    await writePieces(stream, extname(args.out).toLowerCase() === '.csv' ? csvLines(result.triplets) : jsonLines(result.triplets));
    stream.end();
    await finished(stream);
    process.stdout.write(mineSummary(result, args.file, args.out) + '\n');
    return 0;
  } finally {
    pool.close();
  }
}
