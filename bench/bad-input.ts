/**
 * `npm run bench:bad-input`: the peak memory of the CLI on each large bad input (the corpus's
 * generated cases, and a 20 MB JSONL with a broken line every thousand), beside its peak on a
 * clean file of the same size, measured in the same run. The issue's bound: a bad file never takes
 * more than 2x the memory of a clean file of its size.
 *
 *     npm run bench:bad-input [-- --width 500] [--only line_50mb.csv,...]    (--width: texts of the clean CSV files)
 *
 * Peak RSS is the process's own (getrusage's ru_maxrss via process.resourceUsage, at exit; the
 * fold threads are threads of the same process). Wall time is reported, but the machine is shared.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeCleanFile, writeLargeCases } from '../test/support/badCorpus';

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const widthAt = process.argv.indexOf('--width');
const width = widthAt >= 0 ? Number(process.argv[widthAt + 1]) : 500;

interface Run { code: number | null; peakMB: number; seconds: number; last: string }

/** Runs the CLI on `file` at niceness 5 and reads its peak RSS from a preload that writes it at exit. */
async function measure(file: string, dir: string): Promise<Run> {
  const peakFile = join(dir, `peak-${Date.now()}-${Math.random()}.txt`);
  const preload = join(dir, 'peak.js');
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`);
  const t0 = Date.now();
  const child = spawn('nice', ['-n', '5', process.execPath, '--require', preload, CLI, file, '--format', 'json', '--out', join(dir, 'report.json'), '-q'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const [code] = await once(child, 'close') as [number | null];
  const kb = Number(readFileSync(peakFile, 'utf8'));
  return { code, peakMB: Math.round(kb / 1024), seconds: (Date.now() - t0) / 1000, last: stderr.trim().split('\n').at(-1)?.slice(0, 110) ?? '' };
}

/** A JSON Lines file of about `bytes` bytes whose every thousandth line is broken (or not: its clean reference). */
async function brokenEveryThousand(path: string, bytes: number, broken = true): Promise<void> {
  const out = createWriteStream(path);
  const labels = ['NUM', 'DESC', 'HUM', 'LOC', 'ENTY', 'ABBR'];
  for (let i = 0, size = 0; size < bytes; i++) {
    const text = `What is question number ${i} about ${labels[i % 6].toLowerCase()} and ${'word '.repeat(i % 20)}?`;
    const line = broken && i % 1000 === 999 ? `{"text": ${JSON.stringify(text)}, "label": \n` : `${JSON.stringify({ text, label: labels[i % 6] })}\n`;
    size += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ta-bench-bad-'));
  try {
    const large = await writeLargeCases(join(dir, 'large'));
    const jsonl = join(dir, 'large', 'broken_every_1000.jsonl');
    await brokenEveryThousand(jsonl, 20 << 20);
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;
    const cases = Object.fromEntries(Object.entries({ ...large, 'broken_every_1000.jsonl': jsonl }).filter(([name]) => !only || only.includes(name)));
    console.log(`clean references: the same size in bytes as each bad file; for the broken JSONL, the same lines unbroken; else TREC-like questions in 6 labels, texts of ~${width} characters`);
    console.log('case                      size MB  exit  peak MB  clean peak MB  ratio  s (bad / clean)');
    for (const [name, path] of Object.entries(cases)) {
      const size = statSync(path).size;
      const clean = join(dir, `clean-${name}`.replace(/\.\w+$/, name.endsWith('.jsonl') ? '.jsonl' : '.csv'));
      if (name === 'broken_every_1000.jsonl') await brokenEveryThousand(clean, 20 << 20, false);
      else await writeCleanFile(clean, size, width);
      const bad = await measure(path, dir);
      const ref = await measure(clean, dir);
      rmSync(clean);
      const ratio = bad.peakMB / ref.peakMB;
      console.log(`${name.padEnd(25)} ${(size / 2 ** 20).toFixed(1).padStart(7)}  ${String(bad.code).padStart(4)}  ${String(bad.peakMB).padStart(7)}  ${String(ref.peakMB).padStart(13)}  ${ratio.toFixed(2).padStart(5)}  ${bad.seconds.toFixed(1)} / ${ref.seconds.toFixed(1)}${ref.code !== 0 ? ` (clean exit ${ref.code}: ${ref.last})` : ''}`);
      if (bad.code !== 0) console.log(`${''.padEnd(25)} ${bad.last}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
