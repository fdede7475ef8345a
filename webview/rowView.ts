/**
 * Which rows the table shows, in which order: filters (category, flag, label, text) and a sort
 * on any column. Sorting by category or loss uses d(a,p) - d(a,n), which orders both at every
 * margin, so moving the margin never re-sorts; it only re-filters when a filter depends on it.
 */
import type { Flag } from '../src/core/types';
import { Emitter } from './emitter';
import { CATEGORY_INVALID, type AuditModel } from './model';

export type ColumnId = 'row' | 'file' | 'line' | 'text' | 'anchor' | 'positive' | 'negative' | 'label' | 'category' | 'loss' | 'suspicion' | 'flags' | 'suggested';
export type SortDir = 'asc' | 'desc';

export interface Filters {
  category: 'all' | 'easy' | 'semi-hard' | 'hard' | 'invalid';
  flag: 'any' | 'none' | Flag;
  label: string;
  search: string;
  /** Multi-file audits: the file shown (-1: all). */
  file?: number;
}

export const NO_FILTERS: Filters = { category: 'all', flag: 'any', label: '', search: '' };
const CATEGORY_CODES: Record<Filters['category'], number> = { all: -1, easy: 0, 'semi-hard': 1, hard: 2, invalid: CATEGORY_INVALID };

export class RowView {
  /** Row positions in sort order (all rows), then the filtered subsequence the table shows. */
  private sorted: Uint32Array;
  order: Uint32Array;
  sortColumn: ColumnId = 'row';
  sortDir: SortDir = 'asc';
  filters: Filters = { ...NO_FILTERS };
  readonly onChange = new Emitter<void>();
  private haystack: string[] | undefined;

  constructor(private readonly model: AuditModel) {
    this.sorted = new Uint32Array(model.n).map((_, i) => i);
    this.order = this.sorted;
  }

  get length(): number { return this.order.length; }

  /** True when the visible set depends on the margin. */
  get marginDependent(): boolean {
    const f = this.filters.flag;
    return (this.filters.category !== 'all' && this.filters.category !== 'invalid') || f === 'trivially-easy' || f === 'margin-violation' || f === 'none';
  }

  setSort(column: ColumnId, dir: SortDir): void {
    this.sortColumn = column;
    this.sortDir = dir;
    this.sorted = sortRows(this.model, column, dir);
    this.refilter();
  }

  setFilters(f: Partial<Filters>): void {
    this.filters = { ...this.filters, ...f };
    this.refilter();
  }

  /** Call after a margin change: re-filters only when a filter depends on the margin. */
  marginChanged(): void {
    if (this.sortColumn === 'flags') this.setSort('flags', this.sortDir);
    else if (this.marginDependent) this.refilter();
  }

  /** Call after the flags that no margin changes changed (reviewed marks): re-sorts by flags, re-filters by a flag. */
  flagsChanged(): void {
    if (this.sortColumn === 'flags') this.setSort('flags', this.sortDir);
    else if (this.filters.flag !== 'any') this.refilter();
  }

  /** Call after a distance change: d(a,p) - d(a,n) keeps its sign but not its order. */
  distanceChanged(): void {
    this.setSort(this.sortColumn, this.sortDir);
  }

  indexOf(position: number): number {
    const o = this.order;
    for (let k = 0; k < o.length; k++) if (o[k] === position) return k;
    return -1;
  }

  refilter(): void {
    const { category, flag, label, search } = this.filters;
    const file = this.filters.file ?? -1;
    const m = this.model;
    const code = CATEGORY_CODES[category];
    const needle = search.trim().toLowerCase();
    const hay = needle ? this.texts() : undefined;
    if (code < 0 && flag === 'any' && !label && !needle && file < 0) {
      this.order = this.sorted;
    } else {
      const out = new Uint32Array(this.sorted.length);
      let k = 0;
      for (const i of this.sorted) {
        if (code >= 0 && m.category(i) !== code) continue;
        if (label && m.rows[i].label !== label) continue;
        if (file >= 0 && m.fileOf(i) !== file) continue;
        if (flag === 'none' ? m.flags(i).length > 0 : flag !== 'any' && !m.hasFlag(i, flag)) continue;
        if (hay && !hay[i].includes(needle)) continue;
        out[k++] = i;
      }
      this.order = out.subarray(0, k);
    }
    this.onChange.fire();
  }

  /** Lower-cased searchable text per row, built on the first search. */
  private texts(): string[] {
    if (!this.haystack) {
      this.haystack = this.model.rows.map((r) =>
        [r.text, r.anchor, r.positive, r.negative, r.label, r.suggestedLabel].filter((s) => s !== undefined).join('\n').toLowerCase());
    }
    return this.haystack;
  }
}

/** Rows with no value for the column (invalid rows, unlabeled) sort last in both directions. */
function sortRows(model: AuditModel, column: ColumnId, dir: SortDir): Uint32Array {
  const n = model.n;
  const idx = Array.from({ length: n }, (_, i) => i);
  const sign = dir === 'asc' ? 1 : -1;
  const str = stringKey(model, column);
  if (str) {
    idx.sort((a, b) => {
      const x = str[a], y = str[b];
      if (x === y) return a - b;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return (x < y ? -1 : 1) * sign || a - b;
    });
  } else {
    const key = numericKey(model, column);
    idx.sort((a, b) => {
      const x = key[a], y = key[b];
      const xn = Number.isNaN(x), yn = Number.isNaN(y);
      if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1;
      return x === y ? a - b : (x - y) * sign;
    });
  }
  return Uint32Array.from(idx);
}

function stringKey(model: AuditModel, column: ColumnId): (string | undefined)[] | undefined {
  const rows = model.rows;
  const lower = (s: string | undefined) => s?.toLowerCase();
  switch (column) {
    case 'text': return rows.map((r) => lower(r.text));
    case 'anchor': return rows.map((r) => lower(r.anchor));
    case 'positive': return rows.map((r) => lower(r.positive));
    case 'negative': return rows.map((r) => lower(r.negative));
    case 'label': return rows.map((r) => r.label);
    case 'suggested': return rows.map((r) => r.suggestedLabel ?? r.suggestedFix);
    default: return undefined;
  }
}

function numericKey(model: AuditModel, column: ColumnId): Float64Array {
  const key = new Float64Array(model.n).fill(NaN);
  for (let i = 0; i < model.n; i++) {
    const r = model.rows[i];
    const j = model.validPos[i];
    switch (column) {
      case 'row': key[i] = r.row; break;
      case 'file': key[i] = (r.file ?? 0) * 1e9 + r.line; break;
      case 'line': key[i] = r.line; break;
      case 'suspicion': key[i] = r.suspicion; break;
      // hard > semi-hard > easy and loss both grow with d(a,p) - d(a,n) at any margin
      case 'category': case 'loss': if (j >= 0) key[i] = model.dAP[j] - model.dAN[j]; break;
      case 'flags': key[i] = flagWeight(model, i); break;
      default: key[i] = i;
    }
  }
  return key;
}

/** Mislabeled first, then false negative, near-duplicate, margin violation, trivially easy, invalid. */
function flagWeight(model: AuditModel, i: number): number {
  let w = 0;
  for (const f of model.flags(i)) {
    w += f === 'mislabeled' ? 32 : f === 'false-negative' ? 16 : f === 'near-duplicate' ? 8 : f === 'margin-violation' ? 4 : f === 'trivially-easy' ? 2 : 1;
  }
  return w;
}
