/** Filters above the table: category, flag, label and a text search, with the row count. */
import { FLAGS } from '../src/core/types';
import { append, dropdown, el, type ValueElement } from './dom';
import { debounce } from './events';
import type { AuditModel } from './model';
import type { Filters, RowView } from './rowView';

export class FilterBar {
  readonly element: HTMLElement;
  private readonly count: HTMLElement;

  constructor(private readonly model: AuditModel, private readonly view: RowView) {
    this.element = el('div', { class: 'filter-bar', role: 'search', 'aria-label': 'Filter the rows' });
    const f = view.filters;
    const category = dropdown('Filter by category', [
      { value: 'all', text: 'All categories' }, { value: 'easy', text: 'easy' }, { value: 'semi-hard', text: 'semi-hard' },
      { value: 'hard', text: 'hard' }, { value: 'invalid', text: 'invalid' }], f.category);
    category.addEventListener('change', () => view.setFilters({ category: category.value as Filters['category'] }));
    const flag = dropdown('Filter by flag', [{ value: 'any', text: 'Any flags' }, { value: 'none', text: 'No flags' },
      ...FLAGS.map((x) => ({ value: x, text: x }))], f.flag);
    flag.addEventListener('change', () => view.setFilters({ flag: flag.value as Filters['flag'] }));
    let label: ValueElement | undefined;
    if (model.report.kind === 'labeled') {
      const l = dropdown('Filter by label', [{ value: '', text: 'All labels' }, ...model.report.labels.map((x) => ({ value: x, text: x }))], f.label);
      l.addEventListener('change', () => view.setFilters({ label: l.value }));
      label = l;
    }
    let file: ValueElement | undefined;
    if (model.files) {
      const d = dropdown('Filter by file', [{ value: '-1', text: 'All files' },
        ...model.files.map((x, k) => ({ value: String(k), text: `${model.fileName(k)} (${x.split})` }))], String(f.file ?? -1));
      d.addEventListener('change', () => view.setFilters({ file: Number(d.value) }));
      file = d;
    }
    const search = el('vscode-text-field', { placeholder: 'Search text…', 'aria-label': 'Search the rows\' text', class: 'search-field' }) as ValueElement;
    search.value = f.search;
    const onSearch = debounce(() => view.setFilters({ search: search.value }), 150);
    search.addEventListener('input', onSearch);
    this.count = el('span', { class: 'row-count muted', role: 'status' });
    append(this.element, file, category, flag, label, search, this.count);
    this.update();
  }

  update(): void {
    this.count.textContent = `${this.view.length} of ${this.model.n} rows`;
  }
}
