/**
 * Whether a dataset has enough rows to audit meaningfully. Every score is out-of-fold: a row is
 * judged by models trained on the other folds. With one row of a label, no model that judges it
 * ever saw that label, so it is "mislabeled" whatever it says; with a handful of rows a fold's
 * models learn nothing, and every row comes out hard and suspicious. Such a report is noise that
 * looks like findings (a 2-row file reported both rows as mislabeled near-duplicates), so the audit
 * refuses with a message that says what is missing instead.
 */
import type { Dataset, LabeledRow } from '../dataset';
import { InputError } from '../dataset';

/** A label is learned out of fold when each fold's training rows hold about two of it: 3 rows with 5 folds. */
export const MIN_ROWS_PER_LABEL = 3;
/** Rows each fold needs, so that its models are trained on more than a few rows. */
export const MIN_ROWS_PER_FOLD = 4;
/** Triplets each fold needs (the pair model learns from the other folds' triplets). */
export const MIN_TRIPLETS_PER_FOLD = 4;

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;

/** Throws InputError when `ds` has too few usable rows for `folds` folds (the setting, before it is capped by the row count). */
export function checkEnoughRows(ds: Dataset, folds: number): void {
  // (a pairs file is not audited: the audit says so, pointing to `triplet-audit mine`)
  if (ds.kind === 'pairs') return;
  const usable = ds.rows.filter((r) => r.invalid === undefined);
  const perFold = ds.kind === 'labeled' ? MIN_ROWS_PER_FOLD : MIN_TRIPLETS_PER_FOLD;
  const what = ds.kind === 'labeled' ? 'row' : 'triplet';
  const k = Math.max(2, folds);
  if (ds.kind === 'labeled') checkLabels(ds.file, usable as LabeledRow[], ds.columns.label);
  if (usable.length < perFold * k) {
    const fewer = Math.floor(usable.length / perFold);
    const advice = fewer >= 2 && fewer < k
      ? `use ${fewer} folds (--folds ${fewer}, or tripletAudit.folds) or add ${what}s`
      : `add ${what}s: ${n(perFold * 2)} at the least, with 2 folds`;
    throw new InputError(`too few ${what}s to audit: ${plural(usable.length, `usable ${what}`)} for ${k} folds; each fold's models are `
      + `trained on the other folds and need at least ${perFold} ${what}s per fold (${n(perFold * k)} in all), or the findings are noise; ${advice}`, ds.file);
  }
}

function checkLabels(file: string, rows: LabeledRow[], column: string): void {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const enough = [...counts.values()].filter((c) => c >= MIN_ROWS_PER_LABEL).length;
  const rare = [...counts].filter(([, c]) => c < MIN_ROWS_PER_LABEL);
  const rareRows = rare.reduce((s, [, c]) => s + c, 0);
  const shown = (list: Array<[string, number]>) => list.slice(0, 5).map(([l, c]) => `${JSON.stringify(l.length > 30 ? `${l.slice(0, 30)}...` : l)}: ${c}`).join(', ')
    + (list.length > 5 ? `, and ${n(list.length - 5)} more` : '');
  const col = JSON.stringify(column);
  if (enough < 2) {
    throw new InputError(`too few rows per label to audit: ${plural(counts.size, 'label')} in column ${col} (${shown([...counts])}), `
      + `${enough === 0 ? 'none' : 'only one'} with at least ${MIN_ROWS_PER_LABEL} rows; a label with fewer is never seen by the models that judge its rows, `
      + `so they would all be "mislabeled"; add rows, at least ${MIN_ROWS_PER_LABEL} for each of 2 labels or more`, file);
  }
  // Most rows under labels that hardly repeat: the column is an id or a text, not a label.
  if (rareRows > rows.length / 2) {
    throw new InputError(`column ${col} does not look like labels: ${plural(counts.size, 'distinct value')} among ${plural(rows.length, 'usable row')}, `
      + `and ${plural(rareRows, 'row')} (most) have a value found fewer than ${MIN_ROWS_PER_LABEL} times (${shown(rare)}); `
      + 'name the label column with --label-column (tripletAudit.columns.label in VS Code), or merge rare labels', file);
  }
}
