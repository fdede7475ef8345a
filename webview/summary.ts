/** The summary line: counts at the current margin and distance, and what produced the report. */
import { append, clear, el, fmt } from './dom';
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

const LEAK_ITEM: { key: keyof Counts; text: string; title: string } = { key: 'leak', text: 'leaks', title: 'rows that repeat a row of another file (the same text, or lightly edited)' };

export class Summary {
  readonly element: HTMLElement;
  private readonly values = new Map<keyof Counts, HTMLElement>();
  private readonly setting: HTMLElement;

  /** Multi-file audits: one line per file at the current margin (the splits side by side). */
  private readonly splits: HTMLElement | undefined;

  constructor(private readonly model: AuditModel) {
    this.element = el('section', { class: 'summary', 'aria-label': 'Summary' });
    const counts = el('div', { class: 'counts' });
    const items = model.files ? [...ITEMS.slice(0, 3), LEAK_ITEM, ...ITEMS.slice(3)] : ITEMS;
    for (const item of items) {
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
    if (model.files) {
      this.splits = el('table', { class: 'splits', 'aria-label': 'Each file (split) at the current margin' });
      append(this.element, counts, this.splits, meta);
      if (r.leakRule) meta.appendChild(el('div', {}, `Leaks: ${r.leakRule}. Test files' rows ${r.settings.trainOnTest ? 'trained the models too (train on test is on)' : 'trained no model: they are scored only'}.`));
    } else append(this.element, counts, meta);
    this.update();
  }

  private updateSplits(): void {
    const t = this.splits, files = this.model.files;
    if (!t || !files) return;
    clear(t);
    const head = el('tr', {});
    for (const h of ['file', 'split', 'rows', 'hard', 'semi-hard', 'easy', 'suspected mislabels', 'leaks']) head.appendChild(el('th', { scope: 'col' }, h));
    t.appendChild(head);
    const pct = (x: number, n: number) => `${x} (${n ? Math.round(100 * x / n) : 0}%)`;
    this.model.fileCounts().forEach((c, f) => {
      const scored = c.rows - c.invalid;
      const tr = el('tr', { 'data-file': f });
      for (const v of [this.model.fileName(f), files[f].split, String(c.rows), pct(c.hard, scored), pct(c.semiHard, scored), pct(c.easy, scored), String(c.mislabeled), String(c.leak)]) {
        tr.appendChild(el('td', {}, v));
      }
      t.appendChild(tr);
    });
  }

  update(): void {
    const c = this.model.counts;
    for (const [key, badge] of this.values) badge.textContent = String(c[key]);
    this.setting.textContent = `at m = ${fmt(this.model.margin)} (${this.model.distance})`;
    this.updateSplits();
  }
}
