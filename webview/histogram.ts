/**
 * Histogram of d(a,n) - d(a,p) over every row with a triplet, bars stacked by category at the
 * current margin, with the margin drawn as a line the user drags. Left of 0 is hard, between 0
 * and m semi-hard, right of m easy.
 */
import { CATEGORY_EASY, CATEGORY_HARD, CATEGORY_SEMI_HARD } from '../src/core/categories';
import { el, fmt } from './dom';
import type { AuditModel } from './model';
import type { Theme } from './theme';

const BINS = 60;
const PAD = { left: 40, right: 12, top: 10, bottom: 22 };

export class Histogram {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private lo = 0;
  private hi = 1;
  private gaps = new Float64Array(0);
  private readonly counts = new Uint32Array(BINS * 3);
  /** Counts at the current margin of the rows this histogram shows. */
  shares = { easy: 0, semiHard: 0, hard: 0 };
  /** True while the user drags the margin line. */
  dragging = false;
  private readonly resize: ResizeObserver;
  private readonly offTheme: () => void;
  /** A split's histogram shares the whole one's axis, so that the splits compare at a glance. */
  private readonly axis: Histogram | undefined;

  /** The valid-row positions this histogram counts (one split of a multi-file audit), or all. */
  private members: Uint32Array | undefined;
  private readonly height: number;
  private readonly title: string | undefined;

  /**
   * `onMargin` receives margins the user picks by dragging or clicking. `split`: a small histogram
   * of some rows only (one file of a multi-file audit), titled, drawn on `axis`'s range.
   */
  constructor(private readonly model: AuditModel, private readonly theme: Theme, private readonly onMargin: (m: number, done: boolean) => void,
    split?: { members: Uint32Array; title: string; axis: Histogram }) {
    this.members = split?.members;
    this.title = split?.title;
    this.axis = split?.axis;
    this.height = split ? 96 : 150;
    this.element = el('div', { class: split ? 'histogram histogram-split' : 'histogram' });
    this.canvas = el('canvas', {
      role: 'img', class: 'histogram-canvas',
      'aria-label': 'Histogram of d(a,n) minus d(a,p); drag the margin line to change the margin',
    });
    if (split) this.element.append(el('div', { class: 'histogram-title' }, split.title), this.canvas);
    else {
      const legend = el('div', { class: 'histogram-legend muted' });
      for (const [cat, text] of [['hard', 'hard: d(a,n) ≤ d(a,p)'], ['semi-hard', 'semi-hard: inside the margin'], ['easy', 'easy: beyond the margin']]) {
        legend.appendChild(el('span', { class: 'chip', 'data-category': cat }, text));
      }
      legend.appendChild(el('span', {}, 'x: d(a,n) − d(a,p) · drag the margin line'));
      this.element.append(this.canvas, legend);
    }
    this.canvas.addEventListener('pointerdown', this.pointerDown);
    this.canvas.addEventListener('pointermove', this.pointerMove);
    this.canvas.addEventListener('pointerup', this.pointerUp);
    this.canvas.addEventListener('pointercancel', this.pointerUp);
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.element);
    this.offTheme = theme.onChange.on(() => this.draw());
    this.distanceChanged();
  }


  /** Recomputes the gaps and the axis range (a new report or distance). */
  distanceChanged(): void {
    const m = this.model;
    const n = this.members ? this.members.length : m.validCount;
    this.gaps = new Float64Array(n);
    let lo = 0, hi = m.margin;
    for (let t = 0; t < n; t++) {
      const j = this.members ? this.members[t] : t;
      const g = m.dAN[j] - m.dAP[j];
      this.gaps[t] = g;
      if (g < lo) lo = g;
      if (g > hi) hi = g;
    }
    const pad = (hi - lo) * 0.04 || 0.1;
    this.lo = this.axis ? this.axis.lo : lo - pad;
    this.hi = this.axis ? this.axis.hi : hi + pad;
    this.update();
  }

  /** The largest margin the axis shows. */
  get axisMax(): number { return this.hi; }

  /** Re-bins by category at the current margin and redraws. */
  update(): void {
    const m = this.model;
    if (this.axis) { this.lo = this.axis.lo; this.hi = this.axis.hi; }
    if (m.margin > this.hi) this.hi = m.margin * 1.05;
    this.counts.fill(0);
    const w = (this.hi - this.lo) / BINS;
    const g = this.gaps, cat = m.cat, members = this.members;
    const c = { easy: 0, semiHard: 0, hard: 0 };
    for (let t = 0; t < g.length; t++) {
      let b = Math.floor((g[t] - this.lo) / w);
      if (b < 0) b = 0; else if (b >= BINS) b = BINS - 1;
      const k = cat[members ? members[t] : t];
      this.counts[b * 3 + k]++;
      if (k === CATEGORY_HARD) c.hard++; else if (k === CATEGORY_SEMI_HARD) c.semiHard++; else c.easy++;
    }
    this.shares = c;
    const share = (x: number) => `${Math.round(100 * x / Math.max(1, g.length))}%`;
    this.canvas.setAttribute('aria-label', `${this.title ? `${this.title}: h` : 'H'}istogram of d(a,n) minus d(a,p) at margin ${fmt(m.margin)}: ` +
      `${c.hard} hard (${share(c.hard)}), ${c.semiHard} semi-hard (${share(c.semiHard)}), ${c.easy} easy (${share(c.easy)}). Drag the margin line to change the margin.`);
    this.draw();
  }

  dispose(): void { this.resize.disconnect(); this.offTheme(); }

  private xOf(v: number, width: number): number {
    return PAD.left + ((v - this.lo) / (this.hi - this.lo)) * (width - PAD.left - PAD.right);
  }

  private valueAt(px: number, width: number): number {
    return this.lo + ((px - PAD.left) / (width - PAD.left - PAD.right)) * (this.hi - this.lo);
  }

  private draw(): void {
    const rect = this.element.getBoundingClientRect();
    const width = Math.max(200, Math.floor(rect.width));
    const height = this.height;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== width * dpr || this.canvas.height !== height * dpr) {
      this.canvas.width = width * dpr;
      this.canvas.height = height * dpr;
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const colours = this.theme.categoryColours();
    const fg = this.theme.colour('--vscode-foreground', '#cccccc');
    const muted = this.theme.colour('--vscode-descriptionForeground', '#9d9d9d');
    const plotH = height - PAD.top - PAD.bottom;
    let max = 1;
    for (let b = 0; b < BINS; b++) max = Math.max(max, this.counts[b * 3] + this.counts[b * 3 + 1] + this.counts[b * 3 + 2]);
    const bw = (width - PAD.left - PAD.right) / BINS;
    for (let b = 0; b < BINS; b++) {
      let y = PAD.top + plotH;
      for (const c of [CATEGORY_HARD, CATEGORY_SEMI_HARD, CATEGORY_EASY]) {
        const h = (this.counts[b * 3 + c] / max) * plotH;
        if (h <= 0) continue;
        ctx.fillStyle = colours[c];
        ctx.fillRect(PAD.left + b * bw + 0.5, y - h, Math.max(1, bw - 1), h);
        y -= h;
      }
    }
    ctx.strokeStyle = muted;
    ctx.fillStyle = muted;
    ctx.font = this.theme.font(11);
    ctx.beginPath();
    ctx.moveTo(PAD.left, PAD.top + plotH + 0.5);
    ctx.lineTo(width - PAD.right, PAD.top + plotH + 0.5);
    ctx.stroke();
    ctx.textAlign = 'center';
    for (const t of ticks(this.lo, this.hi, Math.max(2, Math.floor(width / 90)))) {
      const x = this.xOf(t, width);
      ctx.fillText(fmt(t, 3), x, height - 6);
    }
    ctx.textAlign = 'right';
    ctx.fillText(String(max), PAD.left - 4, PAD.top + 9);
    ctx.fillText('0', PAD.left - 4, PAD.top + plotH);
    // the hard / semi-hard boundary (0) and the margin
    const x0 = Math.round(this.xOf(0, width)) + 0.5;
    ctx.setLineDash([3, 3]);
    ctx.strokeStyle = fg;
    ctx.beginPath(); ctx.moveTo(x0, PAD.top); ctx.lineTo(x0, PAD.top + plotH); ctx.stroke();
    ctx.setLineDash([]);
    const xm = Math.round(this.xOf(this.model.margin, width)) + 0.5;
    ctx.strokeStyle = this.theme.colour('--vscode-focusBorder', '#0078d4');
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(xm, PAD.top - 4); ctx.lineTo(xm, PAD.top + plotH); ctx.stroke();
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillRect(xm - 4, PAD.top - 6, 8, 8);
    ctx.lineWidth = 1;
    ctx.textAlign = 'left';
    ctx.fillStyle = fg;
    ctx.fillText(`m = ${fmt(this.model.margin)}`, Math.min(xm + 6, width - 70), PAD.top + 10);
  }

  private marginAt(e: PointerEvent): number {
    const rect = this.canvas.getBoundingClientRect();
    const v = this.valueAt(e.clientX - rect.left, rect.width);
    return Math.max(v, 0);
  }

  private readonly pointerDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    this.dragging = true;
    this.canvas.setPointerCapture(e.pointerId);
    this.onMargin(this.marginAt(e), false);
  };

  private readonly pointerMove = (e: PointerEvent): void => {
    if (!this.dragging) {
      const rect = this.canvas.getBoundingClientRect();
      const near = Math.abs(e.clientX - rect.left - this.xOf(this.model.margin, rect.width)) < 6;
      this.canvas.classList.toggle('near-margin', near);
      return;
    }
    this.onMargin(this.marginAt(e), false);
  };

  private readonly pointerUp = (e: PointerEvent): void => {
    if (!this.dragging) return;
    this.dragging = false;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.onMargin(this.marginAt(e), true);
  };
}

/** About `count` round tick values in [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(Math.abs(t) < step / 1e6 ? 0 : t);
  return out;
}
