/** The summary line: counts at the current margin and distance, and what produced the report. */
import { append, el, fmt } from './dom';
import type { AuditModel, Counts } from './model';

const ITEMS: readonly { key: keyof Counts; text: string; title: string }[] = [
  { key: 'easy', text: 'easy', title: 'd(a,p) + m ≤ d(a,n): loss 0' },
  { key: 'semiHard', text: 'semi-hard', title: 'd(a,p) < d(a,n) < d(a,p) + m: loss in (0, m)' },
  { key: 'hard', text: 'hard', title: 'd(a,n) ≤ d(a,p): loss ≥ m' },
  { key: 'mislabeled', text: 'suspected mislabels', title: 'rows whose label disagrees with where their embedding sits' },
  { key: 'triviallyEasy', text: 'trivially easy', title: 'labeled rows: easy by at least one more margin; explicit triplets: a negative as unrelated to the anchor as a random text of the file' },
  { key: 'falseNegative', text: 'false negatives', title: 'explicit triplets: a negative that reads as a positive of its anchor' },
  { key: 'nearDuplicate', text: 'near-duplicates', title: 'rows (or negatives) that nearly repeat another' },
  { key: 'marginViolation', text: 'margin violations', title: 'triplets that carry loss (semi-hard or hard)' },
  { key: 'invalid', text: 'invalid', title: 'rows that could not be scored' },
];

export class Summary {
  readonly element: HTMLElement;
  private readonly values = new Map<keyof Counts, HTMLElement>();
  private readonly setting: HTMLElement;

  constructor(private readonly model: AuditModel) {
    this.element = el('section', { class: 'summary', 'aria-label': 'Summary' });
    const counts = el('div', { class: 'counts' });
    for (const item of ITEMS) {
      if (item.key === 'falseNegative' && model.report.kind !== 'triplets') continue;
      const box = el('span', { class: 'count', 'data-count': item.key, title: item.title });
      const badge = el('vscode-badge', { class: 'count-value' });
      this.values.set(item.key, badge);
      append(box, badge, el('span', {}, item.text));
      counts.appendChild(box);
    }
    this.setting = el('span', { class: 'count-setting muted' });
    counts.appendChild(this.setting);
    const r = model.report;
    const meta = el('div', { class: 'meta muted' },
      `${r.rowCount} rows (${r.kind === 'labeled' ? `labeled, ${r.labels.length} labels` : 'explicit triplets'}) · backend ${r.settings.backend} · model: ${r.model.description} · k = ${r.settings.k} · neighbours ${r.neighbourSearch}`);
    append(this.element, counts, meta);
    this.update();
  }

  update(): void {
    const c = this.model.counts;
    for (const [key, badge] of this.values) badge.textContent = String(c[key]);
    this.setting.textContent = `at m = ${fmt(this.model.margin)} (${this.model.distance})`;
  }
}
