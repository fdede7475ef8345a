/**
 * `triplet-audit FILE [options]`: audits a dataset and writes the report.
 * Exit codes: 0 success, 2 unusable input (or bad arguments), 1 internal error.
 */
import { createWriteStream, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { InputError } from '../core/dataset';
import { auditFiles } from '../core/node/auditFile';
import { backendLabel } from '../core/node/backend';
import { reportJson } from '../core/reportJson';
import type { AuditReport } from '../core/types';
import { MINE_USAGE, parseCli, parseMineCli, USAGE, UsageError } from './args';
import { runMine } from './mine';
import { formatTable } from './table';
import { forTerminal, jsonForTerminal } from './terminal';
import { writePieces } from './write';

function* jsonText(report: AuditReport, tty: boolean): Generator<string> {
  for (const piece of reportJson(report)) yield tty ? jsonForTerminal(piece) : piece;
  yield '\n';
}

/** A line for standard error: whatever it quotes (file names, cells, arguments) shows its control characters as escapes. */
const say = (s: string) => process.stderr.write(`${forTerminal(s)}\n`);

/** A path the report would be written to that is the dataset itself (or the same file by another name). */
function overwritesInput(input: string, output: string | undefined): boolean {
  if (!output) return false;
  if (resolve(output) === resolve(input)) return true;
  try {
    const a = statSync(input), b = statSync(output);
    return a.dev === b.dev && a.ino === b.ino;
  } catch { return false; }
}

/** The report could not be written where asked: a usage problem, told as one line (exit 2). */
class OutputError extends Error {}

async function writeOut(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string' && err.code !== 'EPIPE') throw new OutputError(`cannot write ${path}: ${err.message}; choose another path`);
    throw e;
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'mine') {
    let mine;
    try {
      mine = parseMineCli(argv.slice(1));
    } catch (e) {
      if (e instanceof UsageError) { say(`triplet-audit mine: ${e.message}`); process.stderr.write(`\n${MINE_USAGE}\n`); return 2; }
      throw e;
    }
    if (mine === 'help') { process.stdout.write(MINE_USAGE + '\n'); return 0; }
    return runMine(mine);
  }
  let args;
  try {
    args = parseCli(argv, process.stdout.isTTY === true);
  } catch (e) {
    if (e instanceof UsageError) { say(`triplet-audit: ${e.message}`); process.stderr.write(`\n${USAGE}\n`); return 2; }
    throw e;
  }
  if (args === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  const log = (s: string) => { if (!args.quiet) say(s); };
  for (const [flag, out] of [['--out', args.out], ['--html', args.html], ['--save-embeddings', args.options.saveEmbeddings]] as const) {
    if (args.files.some((f) => overwritesInput(f, out))) {
      say(`triplet-audit: ${flag} ${out} is the dataset itself; writing the report there would overwrite it: choose another path`);
      return 2;
    }
  }
  let lastStage = '';
  const multi = args.files.length > 1;
  const report = await auditFiles(args.files, args.options, {
    onProgress: (p) => {
      const key = `${p.stage}:${Math.floor(p.fraction * 20)}`;
      if (key !== lastStage) { lastStage = key; log(`[${String(Math.round(p.fraction * 100)).padStart(3)}%] ${p.message}`); }
    },
    // several files: the message names its file
    onProblem: (line, message) => log(multi ? message : `${args.file}:${line}: ${message.replace(/^line \d+: /, '')}`),
    onSignals: args.signals ? (s) => writeFileSync(args.signals!, JSON.stringify(s)) : undefined,
  });
  log(`backend: ${backendLabel(report.settings.backend)}; done in ${report.timings.total.toFixed(1)} s (${(report.timings.cpu ?? 0).toFixed(1)} s of CPU)`);
  if (report.model.space) log(`space: ${report.model.space.description}`);
  if (args.options.saveModel) log(`saved the cross-fitted encoder (TensorFlow.js LayersModel) in ${args.options.saveModel}`);
  if (args.options.saveEmbeddings) log(`saved the stacked out-of-fold embeddings in ${args.options.saveEmbeddings} (metadata beside it)`);
  const tty = !args.out && process.stdout.isTTY === true;
  const pieces: Iterable<string> = args.format === 'json' ? jsonText(report, tty) : [formatTable(report, args.top)];
  const outFile = args.out;
  if (outFile) {
    await writeOut(outFile, async () => {
      const out = createWriteStream(outFile);
      const failed = new Promise<never>((_, reject) => out.once('error', reject));
      await Promise.race([(async () => { await writePieces(out, pieces); out.end(); await finished(out); })(), failed]);
    });
  } else await writePieces(process.stdout, pieces);
  const html = args.html;
  if (html) {
    const { renderHtmlReport } = await import('../core/node/htmlReport');
    await writeOut(html, async () => writeFileSync(html, renderHtmlReport(report)));
    log(`HTML report: ${html}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof InputError || e instanceof OutputError) { say(`triplet-audit: ${e.message}`); process.exitCode = 2; return; }
    const err = e as NodeJS.ErrnoException;
    // the reader went away (e.g. `| head`): nothing left to tell anyone
    if (err?.code === 'EPIPE') return;
    say(`triplet-audit: internal error: ${(err?.message ?? String(e)).split('\n')[0]}`);
    if (process.env.TRIPLET_AUDIT_DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.exitCode = 1;
  },
);
