/** Command-line arguments of `triplet-audit`, parsed with node:util's parseArgs. */
import { parseArgs } from 'node:util';
import type { AuditOptions, BackendName, DistanceName, Mining } from '../core/types';

export class UsageError extends Error {}

export const USAGE = `Usage: triplet-audit FILE [options]

Audits a triplet-loss dataset (CSV, TSV, JSONL or a JSON array): trains a triplet-loss encoder
with K-fold cross-fitting, scores every row as anchor and flags suspicious rows.

Options:
  --format json|table     output format (default: table on a terminal, json otherwise)
  --out FILE              write the report there instead of standard output
  --html FILE             also write a self-contained HTML report
  --margin M              triplet margin (default 0.2)
  --distance D            euclidean | squared-euclidean | cosine (default euclidean)
  --seed S                seed of every random choice (default 42)
  --folds K               cross-fitting folds (default 5)
  --k K                   neighbours in the kNN vote (default 10)
  --epochs N              training epochs per fold (default: chosen from the data size)
  --dim N                 embedding width (default 64)
  --mining semi-hard|batch-hard   online triplet mining for labeled rows (default semi-hard)
  --threshold T           suspicion at or above which a row is flagged mislabeled (default 0.5)
  --max-rows N            audit only the first N data rows
  --backend auto|node|wasm|cpu    TensorFlow.js backend (default auto)
  --workers N             threads training folds side by side (default: one per core, up to 4)
  --text-column C  --label-column C
  --anchor-column C  --positive-column C  --negative-column C
  --kind labeled|triplets force the dataset shape
  --top N                 rows listed by --format table (default 20)
  -q, --quiet             no progress on standard error
  -h, --help              this help`;

export interface CliArgs {
  file: string;
  format: 'json' | 'table';
  out?: string;
  html?: string;
  top: number;
  quiet: boolean;
  options: Partial<AuditOptions>;
}

function num(name: string, v: string | undefined, int: boolean, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min) throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'} >= ${min}, not ${JSON.stringify(v)}`);
  return n;
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
  return v as T;
}

export function parseCli(argv: string[], isTty: boolean): CliArgs | 'help' {
  const s = { type: 'string' } as const;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        format: s, out: s, html: s, margin: s, distance: s, seed: s, folds: s, k: s, epochs: s, dim: s, mining: s,
        threshold: s, 'max-rows': s, workers: s, backend: s, 'text-column': s, 'label-column': s, 'anchor-column': s,
        'positive-column': s, 'negative-column': s, kind: s, top: s,
        quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length ? 'give exactly one FILE' : 'no FILE given');
  const options: Partial<AuditOptions> = {
    margin: num('margin', v.margin, false, 0),
    distance: oneOf<DistanceName>('distance', v.distance, ['euclidean', 'squared-euclidean', 'cosine']),
    seed: num('seed', v.seed, true, -(2 ** 31)),
    folds: num('folds', v.folds, true, 2),
    k: num('k', v.k, true, 1),
    epochs: num('epochs', v.epochs, true, 1),
    dim: num('dim', v.dim, true, 2),
    mining: oneOf<Mining>('mining', v.mining, ['semi-hard', 'batch-hard']),
    suspicionThreshold: num('threshold', v.threshold, false, 0),
    maxRows: num('max-rows', v['max-rows'], true, 1),
    workers: num('workers', v.workers, true, 1),
    backend: oneOf<BackendName>('backend', v.backend, ['auto', 'node', 'wasm', 'cpu']),
    textColumn: v['text-column'], labelColumn: v['label-column'],
    anchorColumn: v['anchor-column'], positiveColumn: v['positive-column'], negativeColumn: v['negative-column'],
    kind: oneOf('kind', v.kind, ['labeled', 'triplets'] as const),
  };
  return {
    file: parsed.positionals[0],
    format: oneOf('format', v.format, ['json', 'table'] as const) ?? (isTty ? 'table' : 'json'),
    out: v.out, html: v.html, top: num('top', v.top, true, 0) ?? 20, quiet: !!v.quiet, options,
  };
}
