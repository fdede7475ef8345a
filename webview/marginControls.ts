/**
 * The margin controls: a slider and a number field (kept in step with the histogram's line),
 * the framework presets (each names its distance) plus a margin suggested by the data, and
 * the distance the margin is measured in.
 */
import { MARGIN_PRESETS } from '../src/core/categories';
import type { DistanceName } from '../src/core/types';
import { DISTANCES } from '../src/protocol';
import { append, dropdown, el, type ValueElement } from './dom';
import type { AuditModel } from './model';

export interface MarginEvents {
  margin(value: number): void;
  distance(distance: DistanceName, margin: number): void;
}

/** A step of about 1/1000 of the range, rounded to 1, 2 or 5 times a power of ten. */
export function marginStep(range: number): number {
  const raw = Math.max(range, 1e-6) / 1000;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? raw);
}

/** Rounds to the step, so that the shown value is exactly the margin in use. */
export function roundMargin(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return Math.max(step, Number((Math.round(v / step) * step).toFixed(decimals)));
}

export class MarginControls {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly field: ValueElement;
  private readonly distance: ValueElement;
  private readonly presets: ValueElement;

  constructor(private readonly model: AuditModel, private max: number, private readonly events: MarginEvents) {
    this.element = el('section', { class: 'margin-controls', 'aria-label': 'Margin' });
    const step = marginStep(max);
    this.slider = el('input', { type: 'range', min: step, max, step, class: 'margin-slider', 'aria-label': 'Margin' });
    this.slider.addEventListener('input', () => this.events.margin(Number(this.slider.value)));
    this.field = el('vscode-text-field', { class: 'margin-field', 'aria-label': 'Margin value', size: 8 }) as ValueElement;
    this.field.addEventListener('change', () => this.commitField());
    this.field.addEventListener('keydown', (e: KeyboardEvent) => { if (e.key === 'Enter') this.commitField(); });
    this.distance = dropdown('Distance the margin is measured in', DISTANCES.map((d) => ({ value: d, text: d })), model.distance);
    this.distance.classList.add('distance-select');
    this.distance.addEventListener('change', () => this.events.distance(this.distance.value as DistanceName, this.model.margin));
    const suggested = model.dataMargin();
    const options = [{ value: '', text: 'Presets…' },
      ...MARGIN_PRESETS.map((p) => ({ value: p.id, text: `${p.label}: ${p.margin} (${p.distance})` })),
      { value: 'data', text: `Suggested by this data: ${suggested} (${model.distance})` }];
    this.presets = dropdown('Margin presets', options, '');
    this.presets.classList.add('preset-select');
    this.presets.addEventListener('change', () => {
      const id = this.presets.value;
      const p = MARGIN_PRESETS.find((x) => x.id === id);
      if (p) this.events.distance(p.distance, p.margin);
      else if (id === 'data') this.events.margin(this.model.dataMargin());
      this.presets.value = '';
    });
    append(this.element, el('label', { class: 'control-label' }, 'Margin m'), this.slider, this.field,
      el('label', { class: 'control-label' }, 'distance'), this.distance, this.presets);
    this.update();
  }

  /** The histogram's axis grew (a larger margin or another distance). */
  setMax(max: number): void {
    if (max === this.max) return;
    this.max = max;
    const step = marginStep(max);
    this.slider.max = String(max);
    this.slider.min = String(step);
    this.slider.step = String(step);
  }

  get step(): number { return marginStep(this.max); }

  update(): void {
    const m = this.model.margin;
    if (Number(this.slider.value) !== m) this.slider.value = String(m);
    this.slider.setAttribute('aria-valuetext', `${m} (${this.model.distance})`);
    if (this.field.value !== String(m)) this.field.value = String(m);
    if (this.distance.value !== this.model.distance) this.distance.value = this.model.distance;
  }

  private commitField(): void {
    const v = Number(this.field.value.trim());
    if (Number.isFinite(v) && v > 0) this.events.margin(v);
    else this.field.value = String(this.model.margin);
  }
}
