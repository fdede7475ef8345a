/**
 * Several files audited as one dataset with splits (train / dev / test): the files must have the
 * same shape and columns (or be mapped to them), their rows are numbered one after the other, and
 * each row keeps its file and its line in it.
 */
import type { Dataset, DatasetFile, LabeledDataset, TripletDataset } from './dataset';
import { InputError } from './dataset';
import type { SplitName } from './types';

/**
 * A file's split from its name: a word of the base name (split at anything that is not a letter
 * or digit) that says it. "test", "eval", "holdout" -> test; "dev", "val", "valid" -> dev;
 * "train" -> train; anything else -> other (which, like train and dev, trains the models).
 */
export function splitFromName(path: string): SplitName {
  const base = (path.split(/[\\/]/).pop() ?? path).replace(/\.[^.]*$/, '').toLowerCase();
  const words = base.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const has = (re: RegExp) => words.some((w) => re.test(w));
  if (has(/^(test|tests|testing|eval|evaluation|holdout|heldout)$/)) return 'test';
  if (has(/^(dev|devel|development|val|valid|validation)$/)) return 'dev';
  if (has(/^(train|training|trn)$/)) return 'train';
  return 'other';
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function describeShape(ds: Dataset): string {
  const c = ds.columns as Record<string, unknown>;
  const cols = Object.entries(c).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
  return ds.kind === 'labeled' ? `labeled rows (${(ds as LabeledDataset).input}: ${cols})` : `explicit triplets (${cols})`;
}

/**
 * One dataset of `parts` (read in this order), or an InputError that names the file whose shape
 * or columns differ from the first file's. `mapped[i]` says that the user named file i's columns
 * (then its column names may differ from the first file's; its shape may not).
 */
export function combineDatasets(parts: readonly Dataset[], splits: readonly SplitName[], mapped: readonly boolean[] = []): Dataset {
  if (parts.length < 2) throw new Error('combineDatasets: give two files or more');
  const pairs = parts.find((d) => d.kind === 'pairs');
  if (pairs) throw new InputError('the file holds (anchor, positive) pairs and no negatives to audit: mine negatives for it with `triplet-audit mine FILE --out triplets.jsonl`', pairs.file);
  const first = parts[0];
  parts.forEach((ds, i) => {
    if (i === 0) return;
    const refuse = (why: string): never => {
      throw new InputError(`${why}. Files audited together must have the same shape and columns as the first, ${baseName(first.file)} (${describeShape(first)}); ` +
        `this one is ${describeShape(ds)}. Map its columns (triplet-audit: --map ${baseName(ds.file)}:text=COLUMN,label=COLUMN; ` +
        'the extension: the "files" entry of the tripletAudit.columns setting), or audit the files apart', ds.file);
    };
    if (ds.kind !== first.kind) refuse(`it holds ${ds.kind === 'labeled' ? 'labeled rows' : 'explicit triplets'}, ${baseName(first.file)} ${first.kind === 'labeled' ? 'labeled rows' : 'explicit triplets'}`);
    if (ds.kind === 'labeled') {
      const a = first as LabeledDataset;
      if (ds.input !== a.input) refuse(`its rows are ${ds.input}, ${baseName(first.file)}'s are ${a.input}`);
      if (ds.input !== 'text') {
        const width = (d: LabeledDataset) => d.rows.find((r) => r.features)?.features?.length ?? 0;
        if (width(ds) !== width(a)) refuse(`its rows have ${width(ds)} numbers, ${baseName(first.file)}'s ${width(a)}`);
      }
    }
    if (!mapped[i] && JSON.stringify(ds.columns) !== JSON.stringify(first.columns)) refuse('its columns differ');
  });
  const files: DatasetFile[] = [];
  let next = 0;
  const problems: Dataset['problems'] = [];
  parts.forEach((ds, f) => {
    const firstRow = next;
    for (const r of ds.rows) { r.row += firstRow; r.file = f; }
    for (const p of ds.problems) problems.push({ ...p, file: f, row: p.row === undefined ? undefined : p.row + firstRow, message: `${baseName(ds.file)}: ${p.message}` });
    next += ds.rows.length;
    files.push({ file: ds.file, format: ds.format, header: ds.header, split: splits[f] ?? splitFromName(ds.file), firstRow, rows: ds.rows.length, columns: ds.columns as DatasetFile['columns'] });
  });
  const base = { file: parts.map((d) => d.file).join(' + '), format: first.format, header: first.header, problems, files };
  if (first.kind === 'labeled') {
    return { ...base, kind: 'labeled', input: (first as LabeledDataset).input, columns: (first as LabeledDataset).columns,
      rows: (parts as LabeledDataset[]).flatMap((d) => d.rows) } satisfies LabeledDataset;
  }
  return { ...base, kind: 'triplets', columns: (first as TripletDataset).columns, rows: (parts as TripletDataset[]).flatMap((d) => d.rows) } satisfies TripletDataset;
}

/**
 * 1 for each valid row that may train a model: all rows, except those of test files unless
 * `trainOnTest`; undefined for one file (everything trains).
 */
export function trainableRows(ds: Dataset, valid: readonly { file?: number }[], trainOnTest: boolean): Uint8Array | undefined {
  if (!ds.files) return undefined;
  const test = ds.files.map((f) => f.split === 'test' && !trainOnTest);
  const out = Uint8Array.from(valid, (r) => (r.file !== undefined && test[r.file] ? 0 : 1));
  if (!out.some((v) => v === 1)) {
    throw new InputError('every file is a test split (by its name or --splits), so no rows are left to train on: name the splits ' +
      '(--splits train,dev,test) or let test rows train (--train-on-test)', ds.file);
  }
  return out;
}
