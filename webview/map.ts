/**
 * A 2-D map of the embeddings on a canvas: every point drawn (nothing sampled), coloured by label
 * (by category for explicit triplets), flagged rows ringed. Hover shows the row, click selects it.
 * PCA comes with the report; UMAP runs in the page when the report carries the embeddings.
 */
import { CATEGORY_NAMES } from '../src/core/categories';
import { append, clear, el } from './dom';
import type { AuditModel } from './model';
import type { Theme } from './theme';
import { runUmap, type UmapJob } from './umap';

export interface MapEvents { select(position: number, reveal: boolean): void }

interface Layout { method: 'pca' | 'umap'; x: Float64Array; y: Float64Array }

const HOVER_PX = 8;
const MARKED = ['mislabeled', 'false-negative', 'near-duplicate'] as const;

export class MapView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly pcaButton: HTMLElement;
  private readonly umapButton: HTMLElement;
  private layouts: { pca?: Layout; umap?: Layout } = {};
  private layout: Layout | undefined;
  /** Screen position of each row position (NaN when not drawn), for hover and click. */
  private sx = new Float32Array(0);
  private sy = new Float32Array(0);
  private selected = -1;
  private job: UmapJob | undefined;
  private readonly resize: ResizeObserver;
  private readonly offTheme: () => void;
  private readonly labelIndex = new Map<string, number>();

  constructor(private readonly model: AuditModel, private readonly theme: Theme, private readonly events: MapEvents) {
    this.element = el('section', { class: 'map', 'aria-label': 'Map of the embeddings' });
    const bar = el('div', { class: 'map-bar' });
    this.pcaButton = el('vscode-button', { appearance: 'secondary', 'aria-label': 'Show the PCA map' }, 'PCA');
    this.umapButton = el('vscode-button', { appearance: 'secondary', 'aria-label': 'Compute and show a UMAP map' }, 'UMAP');
    this.progress = el('span', { class: 'map-progress', hidden: true });
    this.caption = el('span', { class: 'map-caption muted', role: 'status' });
    append(bar, this.pcaButton, this.umapButton, this.progress, this.caption);
    this.canvas = el('canvas', { class: 'map-canvas', role: 'img', 'aria-label': 'Scatter plot of the embeddings; hover shows a row, click selects it' });
    this.tooltip = el('div', { class: 'map-tooltip', role: 'tooltip', hidden: true });
    this.legend = el('div', { class: 'map-legend' });
    const stage = el('div', { class: 'map-stage' });
    append(stage, this.canvas, this.tooltip);
    append(this.element, bar, stage, this.legend);
    model.report.labels.forEach((l, k) => this.labelIndex.set(l, k));

    const map = model.report.map;
    if (map && map.x.length === model.n && map.y.length === model.n) {
      this.layouts.pca = { method: 'pca', x: Float64Array.from(map.x), y: Float64Array.from(map.y) };
    }
    this.pcaButton.addEventListener('click', () => this.show('pca'));
    this.umapButton.addEventListener('click', () => this.show('umap'));
    this.setDisabled(this.pcaButton, !this.layouts.pca, 'This report has no PCA map.');
    const emb = model.report.embedding;
    const canUmap = !!emb && emb.dim > 0 && emb.values.length === emb.dim * model.n && model.validCount > 3;
    if (!canUmap) {
      const why = model.report.kind === 'triplets'
        ? 'Explicit triplets are scored by a pair model, which has no embeddings to map.'
        : 'UMAP needs the embeddings, and this report does not carry them (the engine keeps them for smaller files only).';
      this.setDisabled(this.umapButton, true, why);
      const note = el('span', { class: 'muted umap-note', id: 'umap-why' }, 'UMAP: no embeddings in this report');
      note.title = why;
      this.umapButton.setAttribute('aria-describedby', 'umap-why');
      bar.insertBefore(note, this.progress);
    }
    this.canvas.addEventListener('pointermove', this.hover);
    this.canvas.addEventListener('pointerleave', () => { this.tooltip.hidden = true; });
    // The point is picked when the button goes down: focusing on mousedown may scroll the page
    // (and the canvas under the pointer) before `click` fires.
    this.canvas.addEventListener('pointerdown', (e) => { this.pressed = this.pick(e); });
    this.canvas.addEventListener('click', this.click);
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(stage);
    this.offTheme = theme.onChange.on(() => this.draw());
    this.renderLegend();
    this.show('pca');
  }

  dispose(): void {
    this.job?.cancel();
    this.resize.disconnect();
    this.offTheme();
  }

  get method(): 'pca' | 'umap' | undefined { return this.layout?.method; }

  select(position: number): void {
    this.selected = position;
    this.draw();
  }

  /** The flags that ring points changed (reviewed marks). */
  flagsChanged(): void { this.draw(); }

  /** Colours follow the margin only for explicit triplets (coloured by category). */
  marginChanged(): void {
    if (this.model.report.kind === 'triplets') { this.renderLegend(); this.draw(); }
  }

  show(method: 'pca' | 'umap'): void {
    const ready = this.layouts[method];
    if (ready) { this.layout = ready; this.updateCaption(); this.draw(); return; }
    if (method === 'pca') { this.layout = undefined; this.updateCaption(); this.draw(); return; }
    this.startUmap();
  }

  private startUmap(): void {
    const emb = this.model.report.embedding;
    if (!emb || this.job) return;
    const ring = el('vscode-progress-ring', { 'aria-label': 'UMAP is running' });
    const text = el('span');
    const cancel = el('vscode-button', { appearance: 'secondary', 'aria-label': 'Cancel UMAP' }, 'Cancel');
    clear(this.progress);
    append(this.progress, ring, text, cancel);
    this.progress.hidden = false;
    const job = runUmap(emb, this.model.validRows, this.model.report.settings.seed, (_f, message) => { text.textContent = message; });
    this.job = job;
    cancel.addEventListener('click', () => job.cancel());
    job.result.then((r) => {
      if (r) {
        const x = new Float64Array(this.model.n).fill(NaN), y = new Float64Array(this.model.n).fill(NaN);
        this.model.validRows.forEach((i, j) => { x[i] = r.x[j]; y[i] = r.y[j]; });
        this.layouts.umap = { method: 'umap', x, y };
        this.layout = this.layouts.umap;
      }
    }, (e: unknown) => { this.caption.textContent = `UMAP failed: ${String(e)}`; })
      .finally(() => {
        this.job = undefined;
        this.progress.hidden = true;
        this.updateCaption();
        this.draw();
      });
  }

  private setDisabled(button: HTMLElement, disabled: boolean, why: string): void {
    if (disabled) { button.setAttribute('disabled', ''); button.setAttribute('title', why); }
  }

  private drawn(): number {
    let n = 0;
    for (let i = 0; i < this.model.n; i++) if (this.model.validPos[i] >= 0) n++;
    return n;
  }

  private updateCaption(): void {
    const m = this.model;
    if (!this.layout) {
      this.caption.textContent = m.report.kind === 'triplets' ? 'No map: explicit triplets are scored by a pair model, without embeddings.' : 'No map in this report.';
      return;
    }
    const n = this.drawn();
    const missing = m.n - n;
    const what = this.layout.method === 'pca' ? 'PCA of the embeddings' : 'UMAP of the embeddings (seeded)';
    this.caption.textContent = `${what} · all ${n} points drawn, none sampled${missing ? ` · ${missing} invalid row(s) have no point` : ''}`;
  }

  private colourOf(i: number, colours: string[]): string {
    const m = this.model;
    if (m.report.kind === 'triplets') return colours[m.category(i)] ?? colours[0];
    return this.theme.labelColour(this.labelIndex.get(m.rows[i].label ?? '') ?? 0);
  }

  private renderLegend(): void {
    clear(this.legend);
    const m = this.model;
    const entries = m.report.kind === 'triplets'
      ? CATEGORY_NAMES.map((c, k) => ({ text: c, colour: this.theme.categoryColours()[k] }))
      : m.report.labels.map((l, k) => ({ text: l, colour: this.theme.labelColour(k) }));
    for (const e of entries) {
      const item = el('span', { class: 'legend-item' });
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = e.colour;
      append(item, swatch, document.createTextNode(e.text));
      this.legend.appendChild(item);
    }
    this.legend.appendChild(el('span', { class: 'legend-item muted' }, '○ ringed: mislabeled or near-duplicate'));
  }

  private draw(): void {
    const stage = this.canvas.parentElement as HTMLElement;
    const width = Math.max(120, Math.floor(stage.clientWidth));
    const height = Math.max(120, Math.floor(stage.clientHeight));
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== width * dpr || this.canvas.height !== height * dpr) {
      this.canvas.width = width * dpr; this.canvas.height = height * dpr;
      this.canvas.style.width = `${width}px`; this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const m = this.model;
    const L = this.layout;
    this.sx = new Float32Array(m.n).fill(NaN);
    this.sy = new Float32Array(m.n).fill(NaN);
    if (!L) {
      ctx.fillStyle = this.theme.colour('--vscode-descriptionForeground', '#9d9d9d');
      ctx.font = this.theme.font(12);
      ctx.fillText('No map in this report.', 12, 24);
      return;
    }
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < m.n; i++) {
      if (m.validPos[i] < 0 || !Number.isFinite(L.x[i]) || !Number.isFinite(L.y[i])) continue;
      x0 = Math.min(x0, L.x[i]); x1 = Math.max(x1, L.x[i]); y0 = Math.min(y0, L.y[i]); y1 = Math.max(y1, L.y[i]);
    }
    const pad = 10;
    const s = Math.min((width - 2 * pad) / (x1 - x0 || 1), (height - 2 * pad) / (y1 - y0 || 1));
    const ox = (width - s * (x1 - x0)) / 2, oy = (height - s * (y1 - y0)) / 2;
    const size = m.n > 20000 ? 1.5 : m.n > 2000 ? 2.5 : 3.5;
    // bucket the points by colour so each colour is set once (100,000 points draw in a few ms)
    const colours = this.theme.categoryColours();
    const key = new Int32Array(m.n).fill(-1);
    const palette: string[] = [];
    const slot = new Map<string, number>();
    const marked: number[] = [];
    for (let i = 0; i < m.n; i++) {
      if (m.validPos[i] < 0 || !Number.isFinite(L.x[i]) || !Number.isFinite(L.y[i])) continue;
      this.sx[i] = ox + (L.x[i] - x0) * s;
      this.sy[i] = height - (oy + (L.y[i] - y0) * s);
      const c = this.colourOf(i, colours);
      let k = slot.get(c);
      if (k === undefined) { k = palette.length; palette.push(c); slot.set(c, k); }
      key[i] = k;
      if (MARKED.some((f) => m.hasFlag(i, f))) marked.push(i);
    }
    ctx.globalAlpha = 0.85;
    for (let k = 0; k < palette.length; k++) {
      ctx.fillStyle = palette[k];
      for (let i = 0; i < m.n; i++) if (key[i] === k) ctx.fillRect(this.sx[i] - size / 2, this.sy[i] - size / 2, size, size);
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = this.theme.colour('--vscode-foreground', '#cccccc');
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const i of marked) { ctx.moveTo(this.sx[i] + size + 1.5, this.sy[i]); ctx.arc(this.sx[i], this.sy[i], size + 1.5, 0, 2 * Math.PI); }
    ctx.stroke();
    if (this.selected >= 0 && Number.isFinite(this.sx[this.selected])) {
      ctx.strokeStyle = this.theme.colour('--vscode-focusBorder', '#0078d4');
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(this.sx[this.selected], this.sy[this.selected], size + 5, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  /** The drawn point nearest to the pointer, within a few pixels, or -1. */
  private pick(e: MouseEvent): number {
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left, y = e.clientY - rect.top;
    let best = -1, bestD = HOVER_PX * HOVER_PX;
    for (let i = 0; i < this.sx.length; i++) {
      const dx = this.sx[i] - x, dy = this.sy[i] - y;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  private readonly hover = (e: PointerEvent): void => {
    const i = this.pick(e);
    if (i < 0) { this.tooltip.hidden = true; this.canvas.classList.remove('pointing'); return; }
    const m = this.model, r = m.rows[i];
    this.canvas.classList.add('pointing');
    this.tooltip.textContent = `Row ${r.row} · line ${r.line} · ${r.label ?? m.categoryName(i)}\n${r.text ?? r.anchor ?? ''}`;
    this.tooltip.hidden = false;
    const rect = this.canvas.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(e.clientX - rect.left + 12, rect.width - 220)}px`;
    this.tooltip.style.top = `${e.clientY - rect.top + 12}px`;
  };

  private pressed = -1;
  private readonly click = (e: MouseEvent): void => {
    const i = this.pressed >= 0 ? this.pressed : this.pick(e);
    this.pressed = -1;
    if (i >= 0) this.events.select(i, true);
  };
}
