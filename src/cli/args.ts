/** Command-line arguments of `triplet-audit`, parsed with node:util's parseArgs. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_MINING, EBR_RANKS, type MiningBand, type MiningOptions } from '../core/mining';
import type { AuditOptions, BackendName, ColumnOptions, DistanceName, Mining, SplitName } from '../core/types';
import { SPLITS } from '../core/types';

export class UsageError extends Error {}

export const USAGE = `Usage: triplet-audit FILE [FILE...] [options]
       triplet-audit mine FILE --out triplets.jsonl [mining options]   (triplet-audit mine --help)

Audits a triplet-loss dataset (CSV, TSV, JSONL or a JSON array): trains a triplet-loss encoder
with K-fold cross-fitting, scores every row as anchor and flags suspicious rows. Several files
(e.g. train.jsonl dev.jsonl test.jsonl) are audited together as one dataset with splits: each
row keeps its file and line, rows repeated across files are flagged as leaks, and rows of test
files (by name: test, eval, holdout) are scored but never train the models.

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
  --threshold T           suspicion at or above which a row is flagged mislabeled (default 0.5;
                          labeled rows: also among as many of the most suspicious rows as
                          confident learning counts label errors)
  --max-rows N            audit only the first N data rows
  --backend auto|node|wasm|cpu    TensorFlow.js backend (default auto)
  --workers N             threads training folds side by side (default: one per core, up to 4)
  --text-column C  --label-column C
  --anchor-column C  --positive-column C  --negative-column C
  --kind labeled|triplets force the dataset shape
  --map FILE:ROLE=COLUMN[,ROLE=COLUMN]  name one file's columns (several files; ROLE: text, label,
                          anchor, positive, negative, vector); repeat for other files
  --splits S,S,...        each file's split (train, dev, test, other), in order (default: from the names)
  --train-on-test         let rows of test files train the models too
  --embeddings FILE       measure the categories in your own space: a .npy (float32/float16,
                          [rows, dim]; triplets [rows, 3, dim] or [3 x rows, dim]) or a JSONL of
                          vectors, rows in file order; one per data file, or one for all
  --model DIR             ... or in the space of a TensorFlow.js model folder (model.json, its
                          weights and triplet-audit-model.json declaring its input)
  --save-model DIR        save the audit's cross-fitted encoder there (TensorFlow.js LayersModel)
  --save-embeddings FILE  save its stacked out-of-fold embeddings (.npy, metadata beside it)
  --top N                 rows listed by --format table (default 20)
  --signals FILE          labeled rows: write each out-of-fold label signal (JSON) for bench:quality
  -q, --quiet             no progress on standard error
  -h, --help              this help`;

export interface CliArgs {
  file: string;
  /** Every FILE given (file is the first). */
  files: string[];
  format: 'json' | 'table';
  out?: string;
  html?: string;
  signals?: string;
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

const s = { type: 'string' } as const;

/** The options the audit and `mine` share: training settings, columns, shape, quiet and help. */
const SHARED_OPTIONS = {
  margin: s, distance: s, seed: s, folds: s, epochs: s, dim: s, 'text-column': s, 'label-column': s, 'anchor-column': s,
  'positive-column': s, 'negative-column': s, kind: s, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
} as const;

/** parseArgs with positionals, strict; its complaints as UsageErrors. */
function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The shared options' training settings and columns as audit options (--kind, whose shapes differ, aside). */
function sharedAuditOptions(v: Partial<Record<'seed' | 'folds' | 'epochs' | 'dim' | 'text-column' | 'label-column' | 'anchor-column' | 'positive-column' | 'negative-column', string>>): Partial<AuditOptions> {
  return {
    seed: num('seed', v.seed, true, -(2 ** 31)), folds: num('folds', v.folds, true, 2), epochs: num('epochs', v.epochs, true, 1),
    dim: num('dim', v.dim, true, 2),
    textColumn: v['text-column'], labelColumn: v['label-column'], anchorColumn: v['anchor-column'],
    positiveColumn: v['positive-column'], negativeColumn: v['negative-column'],
  };
}

export function parseCli(argv: string[], isTty: boolean): CliArgs | 'help' {
  const parsed = parseOptions(argv, {
    ...SHARED_OPTIONS, format: s, out: s, html: s, k: s, mining: s,
    threshold: s, 'max-rows': s, workers: s, backend: s, top: s, signals: s,
    map: { type: 'string', multiple: true }, splits: s, 'train-on-test': { type: 'boolean' },
    embeddings: { type: 'string', multiple: true }, model: s, 'save-model': s, 'save-embeddings': s,
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length === 0) throw new UsageError('no FILE given');
  const files = parsed.positionals;
  if (new Set(files).size !== files.length) throw new UsageError('a FILE is given twice');
  if (v.embeddings && v.model) throw new UsageError('give --embeddings or --model, not both');
  if (v.embeddings && v.embeddings.length !== 1 && v.embeddings.length !== files.length) {
    throw new UsageError(`--embeddings: give one file for all ${files.length} data files, or one per data file (${v.embeddings.length} given)`);
  }
  const options: Partial<AuditOptions> = {
    ...sharedAuditOptions(v),
    margin: num('margin', v.margin, false, 0),
    distance: oneOf<DistanceName>('distance', v.distance, ['euclidean', 'squared-euclidean', 'cosine']),
    k: num('k', v.k, true, 1),
    mining: oneOf<Mining>('mining', v.mining, ['semi-hard', 'batch-hard']),
    suspicionThreshold: num('threshold', v.threshold, false, 0),
    maxRows: num('max-rows', v['max-rows'], true, 1),
    workers: num('workers', v.workers, true, 1),
    backend: oneOf<BackendName>('backend', v.backend, ['auto', 'node', 'wasm', 'cpu']),
    kind: oneOf('kind', v.kind, ['labeled', 'triplets'] as const),
    fileColumns: v.map ? parseMaps(v.map, files) : undefined,
    splits: v.splits !== undefined ? parseSplits(v.splits, files.length) : undefined,
    trainOnTest: v['train-on-test'] ? true : undefined,
    embeddings: v.embeddings, model: v.model, saveModel: v['save-model'], saveEmbeddings: v['save-embeddings'],
  };
  return {
    file: files[0], files,
    format: oneOf('format', v.format, ['json', 'table'] as const) ?? (isTty ? 'table' : 'json'),
    out: v.out, html: v.html, signals: v.signals, top: num('top', v.top, true, 0) ?? 20, quiet: !!v.quiet, options,
  };
}

export const MINE_USAGE = `Usage: triplet-audit mine FILE --out triplets.jsonl [options]

Turns labeled rows (text, label), (anchor, positive) pairs or triplets into triplets with mined
negatives: a triplet encoder is cross-fitted on the file, and each anchor's negatives are the
file's own texts, ranked in the space of the fold model that never trained on the anchor, that
fall in the band, pass the positive-aware filter and are neither the anchor's positives nor
near-duplicates. Prints the categories of the triplets before (given or random negatives) and after.

Options:
  --out FILE              where the triplets go (.jsonl, or .csv); required
  --num-negatives K       negatives per anchor, one triplet each (default 3)
  --margin M              the band's margin (default 0.2); --distance D its distance (default euclidean)
  --band B                semi-hard: d(a,p) < d(a,n) < d(a,p) + m (default); hard: d(a,n) < d(a,p) + m; any
  --range-min A --range-max B   only candidates ranked A..B by similarity to the anchor (1 = most similar)
  --ebr                   EBR's ranks 101-500 (Huang et al. 2020): --range-min 101 --range-max 500
  --positive-share S      skip candidates more similar to the anchor than S x the positive (default 0.95; 0: off)
  --seed S --folds K --epochs N --dim N   as for the audit
  --text-column C --label-column C --anchor-column C --positive-column C --negative-column C
  --kind labeled|triplets|pairs           force the input shape
  -q, --quiet             no progress on standard error
  -h, --help              this help`;

export interface MineArgs {
  file: string;
  out: string;
  quiet: boolean;
  mining: MiningOptions;
  options: Partial<AuditOptions>;
}

export function parseMineCli(argv: string[]): MineArgs | 'help' {
  const parsed = parseOptions(argv, {
    ...SHARED_OPTIONS, out: s, 'num-negatives': s, band: s, 'range-min': s, 'range-max': s, ebr: { type: 'boolean' }, 'positive-share': s,
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length ? 'give exactly one FILE' : 'no FILE given');
  if (!v.out) throw new UsageError('--out FILE is required (where the mined triplets go)');
  if (v.ebr && (v['range-min'] !== undefined || v['range-max'] !== undefined)) throw new UsageError('--ebr sets --range-min and --range-max: give one or the other');
  const rangeMin = v.ebr ? EBR_RANKS.rangeMin : num('range-min', v['range-min'], true, 0) ?? DEFAULT_MINING.rangeMin;
  const rangeMax = v.ebr ? EBR_RANKS.rangeMax : num('range-max', v['range-max'], true, 0) ?? DEFAULT_MINING.rangeMax;
  if (rangeMax > 0 && rangeMin > rangeMax) throw new UsageError(`--range-min ${rangeMin} is above --range-max ${rangeMax}`);
  const share = num('positive-share', v['positive-share'], false, 0) ?? DEFAULT_MINING.positiveShare;
  if (share > 1) throw new UsageError('--positive-share must be a number in [0, 1]');
  const margin = num('margin', v.margin, false, 0) ?? DEFAULT_MINING.margin;
  if (!(margin > 0)) throw new UsageError('--margin must be a number > 0');
  return {
    file: parsed.positionals[0], out: v.out, quiet: !!v.quiet,
    mining: {
      numNegatives: num('num-negatives', v['num-negatives'], true, 1) ?? DEFAULT_MINING.numNegatives,
      margin, distance: oneOf<DistanceName>('distance', v.distance, ['euclidean', 'squared-euclidean', 'cosine']) ?? DEFAULT_MINING.distance,
      band: oneOf<MiningBand>('band', v.band, ['semi-hard', 'hard', 'any']) ?? DEFAULT_MINING.band,
      rangeMin, rangeMax, positiveShare: share,
    },
    options: {
      ...sharedAuditOptions(v),
      kind: oneOf('kind', v.kind, ['labeled', 'triplets', 'pairs'] as const),
    },
  };
}

const ROLES: Record<string, keyof ColumnOptions> = {
  text: 'textColumn', label: 'labelColumn', anchor: 'anchorColumn', positive: 'positiveColumn', negative: 'negativeColumn', vector: 'vectorColumn',
};

/** --map FILE:ROLE=COLUMN[,ROLE=COLUMN] (repeatable) as per-file column options. */
function parseMaps(maps: string[], files: string[]): NonNullable<ColumnOptions['fileColumns']> {
  const out: NonNullable<ColumnOptions['fileColumns']> = {};
  for (const m of maps) {
    const at = m.lastIndexOf(':', m.indexOf('='));
    if (at <= 0) throw new UsageError(`--map ${JSON.stringify(m)}: write FILE:ROLE=COLUMN[,ROLE=COLUMN]`);
    const file = m.slice(0, at);
    if (!files.some((f) => f === file || f.split(/[\\/]/).pop() === file)) throw new UsageError(`--map names ${JSON.stringify(file)}, which is not a FILE given`);
    const cols: Record<string, string> = {};
    for (const pair of m.slice(at + 1).split(',')) {
      const eq = pair.indexOf('=');
      const role = pair.slice(0, eq).trim(), column = pair.slice(eq + 1);
      if (eq <= 0 || !column || !(role in ROLES)) throw new UsageError(`--map ${JSON.stringify(m)}: ${JSON.stringify(pair)} is not ROLE=COLUMN (ROLE: ${Object.keys(ROLES).join(', ')})`);
      cols[ROLES[role]] = column;
    }
    out[file] = { ...out[file], ...cols };
  }
  return out;
}

function parseSplits(v: string, count: number): SplitName[] {
  const splits = v.split(',').map((x) => x.trim());
  const bad = splits.find((x) => !(SPLITS as readonly string[]).includes(x));
  if (bad !== undefined) throw new UsageError(`--splits: ${JSON.stringify(bad)} is not one of ${SPLITS.join(', ')}`);
  if (splits.length !== count) throw new UsageError(`--splits names ${splits.length} split(s) for ${count} file(s): give one per FILE, in order`);
  return splits as SplitName[];
}
