/**
 * Beside the histogram, for labeled rows: the share of easy / semi-hard / hard among the training
 * triplets a semi-hard miner would draw (the report's sampled triplets), at the current margin and
 * distance, and the margin the data suggests.
 */
import { sampledLine } from '../src/core/sampledTriplets';
import { el } from './dom';
import type { AuditModel } from './model';

export class SampledTripletsLine {
  readonly element: HTMLElement;

  constructor(private readonly model: AuditModel) {
    this.element = el('div', { class: 'sampled-triplets muted', 'aria-live': 'polite', title: model.report.sampledTriplets?.description ?? '' });
    this.update();
  }

  update(): void {
    const t = this.model.report.sampledTriplets;
    this.element.hidden = !t;
    if (t) this.element.textContent = `Sampled triplets: ${sampledLine(t, this.model.margin, this.model.distance)}`;
  }
}
