/**
 * The rows table: an ARIA grid, virtualized (only the rows in view, plus a few, are in the DOM;
 * their elements are reused as the view scrolls). Keyboard: arrows, Page Up/Down, Home/End move
 * the selection, Enter reveals the row in the editor.
 */
import { el } from './dom';
import type { Column } from './columns';
import type { AuditModel } from './model';
import type { RowView } from './rowView';

export const ROW_HEIGHT = 24;
const OVERSCAN = 6;

export interface TableEvents {
  /** The selection moved; `reveal` when the user clicked a row (or pressed Enter). */
  select(position: number, reveal: boolean): void;
}

export class Table {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly headerCells: HTMLElement[] = [];
  private readonly pool: HTMLElement[] = [];
  private selected = -1;
  private scheduled = false;
  private readonly resize: ResizeObserver;

  constructor(private readonly model: AuditModel, private readonly view: RowView,
    private readonly columns: readonly Column[], private readonly events: TableEvents) {
    this.element = el('div', {
      role: 'grid', class: 'grid', tabindex: 0, 'aria-label': 'Triplets: one row per data row',
      'aria-colcount': columns.length, 'aria-multiselectable': 'false',
    });
    this.element.style.setProperty('--grid-columns', columns.map((c) => c.width).join(' '));
    const header = el('div', { role: 'row', class: 'grid-row grid-header', 'aria-rowindex': 1 });
    columns.forEach((c, k) => {
      const cell = el('div', { role: 'columnheader', class: `cell col-${c.id}`, 'aria-colindex': k + 1, 'aria-sort': 'none' });
      const button = el('button', { type: 'button', class: 'sort-button', 'aria-label': `Sort by ${c.title}` }, c.title);
      button.addEventListener('click', () => this.toggleSort(c));
      cell.appendChild(button);
      header.appendChild(cell);
      this.headerCells.push(cell);
    });
    const head = el('div', { role: 'rowgroup', class: 'grid-head' });
    head.appendChild(header);
    this.viewport = el('div', { role: 'rowgroup', class: 'grid-viewport' });
    this.canvas = el('div', { class: 'grid-canvas' });
    this.viewport.appendChild(this.canvas);
    this.element.append(head, this.viewport);
    this.viewport.addEventListener('scroll', () => { head.scrollLeft = this.viewport.scrollLeft; this.schedule(); });
    this.element.addEventListener('keydown', this.keydown);
    this.canvas.addEventListener('click', this.click);
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.viewport);
    this.refresh();
  }

  get selectedPosition(): number { return this.selected; }

  get scrollTop(): number { return this.viewport.scrollTop; }
  set scrollTop(v: number) { this.viewport.scrollTop = v; this.render(); }

  dispose(): void { this.resize.disconnect(); }

  /** The view's rows or order changed: resize the scroll area and redraw the rows in view. */
  refresh(): void {
    this.element.setAttribute('aria-rowcount', String(this.view.length + 1));
    this.canvas.style.height = `${this.view.length * ROW_HEIGHT}px`;
    this.headerCells.forEach((cell, k) => {
      const sorted = this.columns[k].id === this.view.sortColumn;
      cell.setAttribute('aria-sort', sorted ? (this.view.sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    this.render();
  }

  /** Selects a row position (or -1); scrolls it into view when asked. */
  select(position: number, scroll: boolean): void {
    this.selected = position;
    if (scroll && position >= 0) {
      const k = this.view.indexOf(position);
      if (k >= 0) {
        const top = k * ROW_HEIGHT, h = this.viewport.clientHeight;
        if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
        else if (top + ROW_HEIGHT > this.viewport.scrollTop + h) this.viewport.scrollTop = top + ROW_HEIGHT - h;
      }
    }
    this.render();
  }

  focus(): void { this.element.focus(); }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.render(); });
  }

  /** Fills the pooled row elements with the rows in view. */
  render(): void {
    const total = this.view.length;
    const height = this.viewport.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, Math.ceil((this.viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const needed = Math.max(0, last - first);
    while (this.pool.length < needed) this.pool.push(this.newRow());
    let activeId = '';
    for (let p = 0; p < this.pool.length; p++) {
      const rowEl = this.pool[p];
      if (p >= needed) { rowEl.hidden = true; rowEl.removeAttribute('id'); continue; }
      const k = first + p;
      const i = this.view.order[k];
      rowEl.hidden = false;
      this.fillRow(rowEl, k, i);
      if (i === this.selected) activeId = rowEl.id;
    }
    if (activeId) this.element.setAttribute('aria-activedescendant', activeId);
    else this.element.removeAttribute('aria-activedescendant');
  }

  private newRow(): HTMLElement {
    const rowEl = el('div', { role: 'row', class: 'grid-row', 'aria-selected': 'false' });
    this.columns.forEach((c, k) => {
      rowEl.appendChild(el('div', { role: 'gridcell', class: `cell col-${c.id}${c.numeric ? ' numeric' : ''}`, 'aria-colindex': k + 1 }));
    });
    this.canvas.appendChild(rowEl);
    return rowEl;
  }

  private fillRow(rowEl: HTMLElement, k: number, i: number): void {
    const m = this.model;
    rowEl.id = `grid-row-${i}`;
    rowEl.dataset.position = String(i);
    rowEl.style.transform = `translateY(${k * ROW_HEIGHT}px)`;
    rowEl.setAttribute('aria-rowindex', String(k + 2));
    const sel = i === this.selected;
    rowEl.setAttribute('aria-selected', String(sel));
    rowEl.classList.toggle('selected', sel);
    const cat = m.categoryName(i);
    rowEl.dataset.category = cat;
    const cells = rowEl.children;
    for (let c = 0; c < this.columns.length; c++) {
      const cell = cells[c] as HTMLElement;
      const text = this.columns[c].text(m, i);
      if (cell.textContent !== text) {
        cell.textContent = text;
        // the full text on hover where the column cuts it
        if (text.length > 24) cell.title = text; else cell.removeAttribute('title');
      }
      if (this.columns[c].id === 'category') cell.dataset.category = cat;
    }
    const r = m.rows[i];
    const flags = m.flags(i);
    rowEl.setAttribute('aria-label', `Row ${r.row}, line ${r.line}${m.files ? ` of ${m.fileName(m.fileOf(i))}` : ''}, ${cat}${r.label !== undefined ? `, label ${r.label}` : ''}${flags.length ? `, flags: ${flags.join(', ')}` : ''}`);
  }

  private toggleSort(c: Column): void {
    const dir = this.view.sortColumn === c.id && this.view.sortDir === 'asc' ? 'desc' : 'asc';
    this.view.setSort(c.id, dir);
  }

  private readonly click = (e: MouseEvent): void => {
    const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.grid-row');
    const pos = rowEl?.dataset.position;
    if (pos === undefined) return;
    this.element.focus({ preventScroll: true });
    this.events.select(Number(pos), true);
  };

  private readonly keydown = (e: KeyboardEvent): void => {
    if (e.target !== this.element) return;
    const total = this.view.length;
    if (total === 0) return;
    const k = this.selected >= 0 ? this.view.indexOf(this.selected) : -1;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    let next: number;
    switch (e.key) {
      case 'ArrowDown': next = k < 0 ? 0 : Math.min(total - 1, k + 1); break;
      case 'ArrowUp': next = k < 0 ? 0 : Math.max(0, k - 1); break;
      case 'PageDown': next = Math.min(total - 1, Math.max(k, 0) + page); break;
      case 'PageUp': next = Math.max(0, k - page); break;
      case 'Home': next = 0; break;
      case 'End': next = total - 1; break;
      case 'Enter':
        if (this.selected >= 0) this.events.select(this.selected, true);
        e.preventDefault();
        return;
      default: return;
    }
    e.preventDefault();
    this.events.select(this.view.order[next], false);
  };
}
