/**
 * `triplet-audit FILE [options]`: audits a dataset and writes the report.
 * Exit codes: 0 success, 2 unusable input (or bad arguments), 1 internal error.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { InputError } from '../core/dataset';
import { auditFiles } from '../core/node/auditFile';
import { backendLabel } from '../core/node/backend';
import { reportJson } from '../core/reportJson';
import type { AuditReport } from '../core/types';
import { MINE_USAGE, parseCli, parseMineCli, USAGE, UsageError } from './args';
import { runMine } from './mine';
import { formatTable } from './table';
import { writePieces } from './write';

function* jsonText(report: AuditReport): Generator<string> {
  yield* reportJson(report);
  yield '\n';
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'mine') {
    let mine;
    try {
      mine = parseMineCli(argv.slice(1));
    } catch (e) {
      if (e instanceof UsageError) { process.stderr.write(`triplet-audit mine: ${e.message}\n\n${MINE_USAGE}\n`); return 2; }
      throw e;
    }
    if (mine === 'help') { process.stdout.write(MINE_USAGE + '\n'); return 0; }
    return runMine(mine);
  }
  let args;
  try {
    args = parseCli(argv, process.stdout.isTTY === true);
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`triplet-audit: ${e.message}\n\n${USAGE}\n`); return 2; }
    throw e;
  }
  if (args === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  const log = (s: string) => { if (!args.quiet) process.stderr.write(s + '\n'); };
  let lastStage = '';
  const multi = args.files.length > 1;
  const report = await auditFiles(args.files, args.options, {
    onProgress: (p) => {
      const key = `${p.stage}:${Math.floor(p.fraction * 20)}`;
      if (key !== lastStage) { lastStage = key; log(`[${String(Math.round(p.fraction * 100)).padStart(3)}%] ${p.message}`); }
    },
    // several files: the message names its file
    onProblem: (line, message) => log(multi ? message : `${args.file}:${line}: ${message}`),
    onSignals: args.signals ? (s) => writeFileSync(args.signals!, JSON.stringify(s)) : undefined,
  });
  log(`backend: ${backendLabel(report.settings.backend)}; done in ${report.timings.total.toFixed(1)} s (${(report.timings.cpu ?? 0).toFixed(1)} s of CPU)`);
  if (report.model.space) log(`space: ${report.model.space.description}`);
  if (args.options.saveModel) log(`saved the cross-fitted encoder (TensorFlow.js LayersModel) in ${args.options.saveModel}`);
  if (args.options.saveEmbeddings) log(`saved the stacked out-of-fold embeddings in ${args.options.saveEmbeddings} (metadata beside it)`);
  const pieces: Iterable<string> = args.format === 'json' ? jsonText(report) : [formatTable(report, args.top)];
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
    if (e instanceof InputError) { process.stderr.write(`triplet-audit: ${e.message}\n`); process.exitCode = 2; return; }
    const err = e as NodeJS.ErrnoException;
    // the reader went away (e.g. `| head`): nothing left to tell anyone
    if (err?.code === 'EPIPE') return;
    process.stderr.write(`triplet-audit: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.TRIPLET_AUDIT_DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.exitCode = 1;
  },
);
