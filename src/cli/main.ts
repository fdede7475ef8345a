/**
 * `triplet-audit FILE [options]`: audits a dataset and writes the report.
 * Exit codes: 0 success, 2 unusable input (or bad arguments), 1 internal error.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { InputError } from '../core/dataset';
import { auditFile } from '../core/node/auditFile';
import { backendLabel } from '../core/node/backend';
import { reportJson } from '../core/reportJson';
import type { AuditReport } from '../core/types';
import { parseCli, USAGE, UsageError } from './args';
import { formatTable } from './table';
import { forTerminal, jsonForTerminal } from './terminal';
import { writePieces } from './write';

function* jsonText(report: AuditReport, tty: boolean): Generator<string> {
  for (const piece of reportJson(report)) yield tty ? jsonForTerminal(piece) : piece;
  yield '\n';
}

/** A line for standard error: whatever it quotes (file names, cells, arguments) shows its control characters as escapes. */
const say = (s: string) => process.stderr.write(`${forTerminal(s)}\n`);

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCli(argv, process.stdout.isTTY === true);
  } catch (e) {
    if (e instanceof UsageError) { say(`triplet-audit: ${e.message}`); process.stderr.write(`\n${USAGE}\n`); return 2; }
    throw e;
  }
  if (args === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  const log = (s: string) => { if (!args.quiet) say(s); };
  let lastStage = '';
  const report = await auditFile(args.file, args.options, {
    onProgress: (p) => {
      const key = `${p.stage}:${Math.floor(p.fraction * 20)}`;
      if (key !== lastStage) { lastStage = key; log(`[${String(Math.round(p.fraction * 100)).padStart(3)}%] ${p.message}`); }
    },
    onProblem: (line, message) => log(`${args.file}:${line}: ${message.replace(/^line \d+: /, '')}`),
  });
  log(`backend: ${backendLabel(report.settings.backend)}; done in ${report.timings.total.toFixed(1)} s`);
  const tty = !args.out && process.stdout.isTTY === true;
  const pieces: Iterable<string> = args.format === 'json' ? jsonText(report, tty) : [formatTable(report, args.top)];
  if (args.out) {
    const out = createWriteStream(args.out);
    await writePieces(out, pieces);
    out.end();
    await finished(out);
  } else await writePieces(process.stdout, pieces);
  if (args.html) {
    const { renderHtmlReport } = await import('../core/node/htmlReport');
    writeFileSync(args.html, renderHtmlReport(report));
    log(`HTML report: ${args.html}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof InputError) { say(`triplet-audit: ${e.message}`); process.exitCode = 2; return; }
    const err = e as NodeJS.ErrnoException;
    // the reader went away (e.g. `| head`): nothing left to tell anyone
    if (err?.code === 'EPIPE') return;
    say(`triplet-audit: internal error: ${(err?.message ?? String(e)).split('\n')[0]}`);
    if (process.env.TRIPLET_AUDIT_DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.exitCode = 1;
  },
);
