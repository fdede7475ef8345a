/**
 * One report on screen: builds the components, routes the margin, the selection and the fixes
 * between them and the host, and keeps the view state that survives hiding the panel.
 */
import type { AuditReport, DistanceName } from '../src/core/types';
import type { QuickFixKind } from '../src/protocol';
import { columnsFor } from './columns';
import { DetailPane } from './detail';
import { append, el } from './dom';
import { debounce, perFrame } from './events';
import { FilterBar } from './filterBar';
import { Histogram } from './histogram';
import type { HostBridge, PersistedState } from './host';
import { MapView } from './map';
import { MarginControls, roundMargin } from './marginControls';
import { AuditModel } from './model';
import { NO_FILTERS, RowView } from './rowView';
import { Summary } from './summary';
import { Table } from './table';
import type { Theme } from './theme';

/** The name of the performance measure around one re-classification and redraw. */
export const MARGIN_MEASURE = 'triplet-audit:margin';
const ECHO_MS = 3000;

/** Times a margin change (re-classification and every redraw that follows); only the latest is kept. */
function measured(change: () => void): void {
  const start = performance.now();
  change();
  performance.clearMeasures(MARGIN_MEASURE);
  performance.measure(MARGIN_MEASURE, { start, end: performance.now() });
}

/** A report the host sent, put back together from its parts, with the margin to show it at. */
export interface ShownReport {
  reportId: number;
  fileUri: string;
  /** As audited: its rows' categories, margin flags and hinge lines are not read. */
  report: AuditReport;
  margin: number;
  distance: DistanceName;
  /** Data-row numbers marked reviewed. */
  reviewed: readonly number[];
}

export class App {
  readonly element: HTMLElement;
  readonly model: AuditModel;
  private readonly view: RowView;
  private readonly summary: Summary;
  private readonly histogram: Histogram;
  /** Multi-file audits: one small histogram per file, side by side, on the whole histogram's axis. */
  private readonly splitHistograms: Histogram[] = [];
  private readonly controls: MarginControls;
  private readonly filters: FilterBar;
  private readonly table: Table;
  private readonly detail: DetailPane;
  private readonly map: MapView;
  private readonly disposers: (() => void)[] = [];
  private readonly postMargin = perFrame(() => {
    const { margin, distance } = this.model;
    const now = performance.now();
    this.sent = this.sent.filter((s) => now - s.at < ECHO_MS);
    this.sent.push({ margin, distance, at: now });
    this.host.post({ type: 'marginChanged', margin, distance });
  });
  /** Margins this panel sent recently, to recognise their echoes from the host. */
  private sent: { margin: number; distance: DistanceName; at: number }[] = [];
  private readonly saveState = debounce(() => { if (!this.disposed) this.host.saveState(this.snapshot()); }, 200);
  private disposed = false;

  constructor(msg: ShownReport, private readonly host: HostBridge, theme: Theme, restored: PersistedState | undefined) {
    const model = new AuditModel(msg.report, msg.fileUri, msg.reportId, msg.margin, msg.distance, msg.reviewed);
    this.model = model;
    this.view = new RowView(model);
    const same = restored?.fileUri === msg.fileUri ? restored : undefined;
    if (same?.filters) this.view.filters = { ...NO_FILTERS, ...same.filters };
    const columns = columnsFor(model.report.kind, model.files !== undefined);
    const sort = same?.sort && columns.some((c) => c.id === same.sort?.column) ? same.sort : undefined;
    if (sort) this.view.setSort(sort.column, sort.dir === 'desc' ? 'desc' : 'asc'); else this.view.refilter();

    this.summary = new Summary(model);
    this.histogram = new Histogram(model, theme, (m) => this.userMargin(m, true));
    this.controls = new MarginControls(model, this.histogram.axisMax, {
      margin: (m) => this.userMargin(m, false),
      distance: (d, m) => this.userDistance(d, m),
    });
    this.filters = new FilterBar(model, this.view);
    const select = (i: number, reveal: boolean) => this.select(i, reveal, true);
    this.table = new Table(model, this.view, columns, { select });
    this.detail = new DetailPane(model, host.standalone, { select, fix: (i, fix, label, replacement) => this.fix(i, fix, label, replacement) });
    this.map = new MapView(model, theme, { select });

    this.element = el('div', { class: 'app' });
    const left = el('div', { class: 'pane-left' });
    const right = el('div', { class: 'pane-right' });
    const tableBox = el('section', { class: 'table-box', 'aria-label': 'Rows' });
    append(tableBox, this.filters.element, this.table.element);
    append(left, this.controls.element, this.histogram.element);
    if (model.files) {
      const row = el('div', { class: 'split-histograms', 'aria-label': 'Each file\'s histogram' });
      model.validByFile().forEach((members, f) => {
        const h = new Histogram(model, theme, (m) => this.userMargin(m, true), { members, title: `${model.fileName(f)} (${model.files?.[f].split})`, axis: this.histogram });
        this.splitHistograms.push(h);
        row.appendChild(h.element);
      });
      left.appendChild(row);
    }
    left.appendChild(tableBox);
    append(right, this.detail.element, this.map.element);
    const body = el('div', { class: 'panes' });
    append(body, left, right);
    append(this.element, this.summary.element, body);

    this.disposers.push(
      model.onChange.on(() => this.marginApplied()),
      this.view.onChange.on(() => { this.table.refresh(); this.filters.update(); this.saveState(); }),
    );
    this.table.element.addEventListener('scroll', () => this.saveState(), true);
    if (same?.selectedRow !== undefined) {
      const pos = model.positionOfRow(same.selectedRow);
      if (pos >= 0) this.select(pos, false, false);
    }
    if (same?.scrollTop) {
      const top = same.scrollTop;
      requestAnimationFrame(() => { this.table.scrollTop = top; });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposers) d();
    this.model.onChange.clear();
    this.view.onChange.clear();
    this.histogram.dispose();
    for (const h of this.splitHistograms) h.dispose();
    this.table.dispose();
    this.map.dispose();
    this.element.remove();
  }

  /**
   * The host (a command, a setting) set the margin or distance. Echoes of what this panel sent in
   * the last seconds, and anything arriving mid-drag, are ignored: the user's hand wins.
   */
  hostMargin(margin: number, distance: DistanceName): void {
    const now = performance.now();
    this.sent = this.sent.filter((s) => now - s.at < ECHO_MS);
    if (this.histogram.dragging || this.sent.some((s) => s.margin === margin && s.distance === distance)) return;
    if (margin === this.model.margin && distance === this.model.distance) return;
    if (distance !== this.model.distance) this.applyDistance(distance, margin, true);
    else measured(() => this.model.setMargin(margin, true));
  }

  /** The same audit re-scored (after a margin change): keep everything, adopt its id. */
  rescored(reportId: number, margin: number, distance: DistanceName): void {
    this.model.reportId = reportId;
    this.hostMargin(margin, distance);
  }

  /** The host's reviewed marks changed: every flag, count and evidence list that shows them is redrawn. */
  setReviewed(reviewed: readonly number[]): void {
    if (!this.model.setReviewed(reviewed)) return;
    this.summary.update();
    this.view.flagsChanged();
    this.table.render();
    this.detail.show(this.detail.selected);
    this.map.flagsChanged();
  }

  private userMargin(value: number, round: boolean): void {
    const m = round ? roundMargin(value, this.controls.step) : value;
    if (m === this.model.margin || !(m > 0)) return;
    measured(() => this.model.setMargin(m));
    this.postMargin();
  }

  private userDistance(distance: DistanceName, margin: number): void {
    this.applyDistance(distance, margin, false);
    this.postMargin();
  }

  private applyDistance(distance: DistanceName, margin: number, fromHost: boolean): void {
    const changed = distance !== this.model.distance;
    this.model.setDistance(distance, margin, fromHost);
    if (changed) {
      this.histogram.distanceChanged();
      for (const h of this.splitHistograms) h.distanceChanged();
      this.controls.setMax(this.histogram.axisMax);
      this.view.distanceChanged();
      this.detail.show(this.detail.selected);
    }
  }

  /** Everything that follows the margin, redrawn after each re-classification. */
  private marginApplied(): void {
    this.histogram.update();
    for (const h of this.splitHistograms) h.update();
    this.controls.setMax(this.histogram.axisMax);
    this.controls.update();
    this.summary.update();
    this.view.marginChanged();
    this.table.render();
    this.detail.refresh();
    this.map.marginChanged();
  }

  private select(position: number, reveal: boolean, scroll: boolean): void {
    this.table.select(position, scroll);
    if (this.detail.selected !== position) this.detail.show(position);
    this.map.select(position);
    this.saveState();
    const r = this.model.rows[position];
    if (reveal && r) this.host.post({ type: 'reveal', reportId: this.model.reportId, row: r.row, line: r.line });
  }

  private fix(position: number, fix: QuickFixKind, label?: string, replacement?: number): void {
    const r = this.model.rows[position];
    if (!r) return;
    this.host.post(fix === 'relabel' ? { type: 'applyFix', reportId: this.model.reportId, row: r.row, fix, label }
      : replacement !== undefined ? { type: 'applyFix', reportId: this.model.reportId, row: r.row, fix, replacement }
        : { type: 'applyFix', reportId: this.model.reportId, row: r.row, fix });
  }

  /** The view state to keep across hiding and reloading. */
  snapshot(): PersistedState {
    const sel = this.table.selectedPosition;
    return {
      v: 1, fileUri: this.model.fileUri,
      sort: { column: this.view.sortColumn, dir: this.view.sortDir },
      filters: { ...this.view.filters },
      selectedRow: sel >= 0 ? this.model.rows[sel].row : undefined,
      scrollTop: this.table.scrollTop,
    };
  }
}
