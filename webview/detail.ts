/**
 * The selected row, with its evidence: the hinge arithmetic at the current margin, why it was
 * flagged, its nearest neighbours (labels, distances, their own text) and the fix the evidence
 * points to, with the same quick fixes the editor offers.
 */
import type { QuickFixKind } from '../src/protocol';
import { append, clear, dropdown, el, fmt } from './dom';
import type { AuditModel } from './model';
import { invisibleCount, visibleNodes } from './visible';

export interface DetailEvents {
  select(position: number, reveal: boolean): void;
  fix(position: number, fix: QuickFixKind, label?: string, replacement?: number): void;
}

/** An element showing dataset text with its invisible characters as markers (visible.ts). */
function textEl<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined>, text: string): HTMLElementTagNameMap[K] {
  const e = el(tag, attrs);
  for (const n of visibleNodes(document, text)) e.appendChild(n);
  return e;
}

const FIX_SENTENCE: Record<string, string> = {
  'swap-positive-negative': 'Swap the positive and the negative: the negative looks more like the anchor.',
  'replace-positive': 'Replace the positive: it looks unrelated to the anchor.',
  'replace-negative': 'Replace the negative: it looks relevant to the anchor (a false negative), or is a near-duplicate.',
};

export class DetailPane {
  readonly element: HTMLElement;
  private position = -1;
  /** The parts that follow the margin, updated in place while the margin moves. */
  private live: { chip: HTMLElement; hinge: HTMLElement; flags: HTMLElement } | undefined;

  constructor(private readonly model: AuditModel, private readonly standalone: boolean, private readonly events: DetailEvents) {
    this.element = el('section', { class: 'detail', 'aria-label': 'Selected row', 'aria-live': 'polite' });
    this.show(-1);
  }

  show(position: number): void {
    this.position = position;
    const root = this.element;
    clear(root);
    this.live = undefined;
    if (position < 0) {
      root.appendChild(el('p', { class: 'muted' }, 'Select a row in the table or on the map to see why it was flagged.'));
      return;
    }
    const m = this.model;
    const r = m.rows[position];
    const head = el('div', { class: 'detail-head' });
    const chip = el('span', { class: 'chip', 'data-category': m.categoryName(position) }, m.categoryName(position));
    append(head, el('h2', {}, `Row ${r.row} · ${m.files ? `${m.fileName(m.fileOf(position))} ` : ''}line ${r.line}${r.endLine !== r.line ? `–${r.endLine}` : ''}`), chip);
    if (!this.standalone) {
      const reveal = el('vscode-button', { appearance: 'secondary', 'aria-label': `Reveal row ${r.row} in the editor`, class: 'reveal-button' }, 'Reveal in editor');
      reveal.addEventListener('click', () => this.events.select(position, true));
      head.appendChild(reveal);
    }
    root.appendChild(head);
    root.appendChild(this.texts(position));
    const hidden = [r.text, r.anchor, r.positive, r.negative, r.label].reduce((n, t) => n + (t ? invisibleCount(t) : 0), 0);
    if (hidden > 0) {
      root.appendChild(el('p', { class: 'invisible-note' },
        `This row holds ${hidden} invisible character${hidden === 1 ? '' : 's'} (bidi controls, zero-width or control characters), each shown as a marker; hover one for its name.`));
    }
    const hinge = el('div', { class: 'hinge' });
    root.appendChild(hinge);
    const evidence = m.evidence(position);
    if (evidence.length) {
      root.appendChild(el('h3', {}, 'Why it was flagged'));
      const ul = el('ul', { class: 'evidence' });
      for (const e of evidence) ul.appendChild(textEl('li', {}, e));
      root.appendChild(ul);
    }
    const flags = el('p', { class: 'muted' });
    root.appendChild(flags);
    root.appendChild(this.neighbours(position));
    if (r.replacements?.length) root.appendChild(this.replacements(position));
    root.appendChild(this.fixes(position));
    this.live = { chip, hinge, flags };
    this.refresh();
  }

  get selected(): number { return this.position; }

  /** Updates what follows the margin: category, hinge arithmetic, flags. */
  refresh(): void {
    const i = this.position;
    if (!this.live || i < 0) return;
    const m = this.model;
    const cat = m.categoryName(i);
    this.live.chip.textContent = cat;
    this.live.chip.dataset.category = cat;
    clear(this.live.hinge);
    this.fillHinge(this.live.hinge, i);
    const flags = m.flags(i);
    const r = m.rows[i];
    const scores = r.trivial !== undefined ? ` · trivially easy ${fmt(r.trivial, 3)} · false negative ${fmt(r.falseNegative ?? 0, 3)}` : '';
    this.live.flags.textContent = `Suspicion ${fmt(r.suspicion, 3)}${scores} · flags: ${flags.length ? flags.join(', ') : 'none'} · scored by fold ${r.fold}'s model (it did not train on this row)`;
  }

  private texts(i: number): HTMLElement {
    const r = this.model.rows[i];
    const box = el('div', { class: 'texts' });
    if (this.model.report.kind === 'triplets') {
      for (const [name, text] of [['anchor', r.anchor], ['positive', r.positive], ['negative', r.negative]] as const) {
        append(box, el('div', { class: 'field-name' }, name), textEl('div', { class: 'field-text' }, text ?? ''));
      }
    } else {
      append(box, el('div', { class: 'field-name' }, 'text'), textEl('div', { class: 'field-text' }, r.text ?? ''));
      const label = textEl('div', { class: 'field-text' }, r.label ?? '');
      if (r.suggestedLabel !== undefined) label.append(' → suggested: ', textEl('strong', {}, r.suggestedLabel));
      append(box, el('div', { class: 'field-name' }, 'label'), label);
      for (const [name, row] of [['positive', r.positiveRow], ['negative', r.negativeRow]] as const) {
        if (row === undefined) continue;
        append(box, el('div', { class: 'field-name' }, name), this.rowLink(row));
      }
    }
    // a leak: the row of another file it repeats
    if (r.leak !== undefined) append(box, el('div', { class: 'field-name' }, 'repeats'), this.rowLink(r.leak.row));
    return box;
  }

  private fillHinge(box: HTMLElement, i: number): void {
    const m = this.model;
    const d = m.distances(i);
    if (!d) {
      box.appendChild(el('p', {}, 'This row has no triplet (it is invalid), so it has no loss.'));
      return;
    }
    const loss = Math.max(d.dAP - d.dAN + m.margin, 0);
    const why = d.dAN <= d.dAP ? 'd(a,n) ≤ d(a,p): ordered wrong, so hard (loss ≥ m)'
      : d.dAP + m.margin <= d.dAN ? 'd(a,p) + m ≤ d(a,n): easy (loss 0, teaches nothing)'
        : 'd(a,p) < d(a,n) < d(a,p) + m: semi-hard (ordered right, inside the margin)';
    append(box,
      el('div', { class: 'mono' }, `d(a,p) = ${fmt(d.dAP)}   d(a,n) = ${fmt(d.dAN)}   m = ${fmt(m.margin)}   (${m.distance})`),
      el('div', { class: 'mono' }, `L = max(d(a,p) − d(a,n) + m, 0) = max(${fmt(d.dAP)} − ${fmt(d.dAN)} + ${fmt(m.margin)}, 0) = ${fmt(loss)}`),
      el('div', {}, why));
  }

  private neighbours(i: number): HTMLElement {
    const m = this.model;
    const r = m.rows[i];
    const box = el('div', { class: 'neighbours' });
    if (!r.neighbours.length) return box;
    box.appendChild(el('h3', {}, `Nearest neighbours (${m.distance})`));
    const table = el('table', { class: 'neighbour-table' });
    const head = el('tr');
    for (const h of ['#', 'row', 'label', 'distance', 'text']) head.appendChild(el('th', { scope: 'col' }, h));
    table.appendChild(head);
    r.neighbours.forEach((nb, k) => {
      const tr = el('tr', { class: nb.label !== r.label ? 'other-label' : undefined });
      const other = m.rows[m.positionOfRow(nb.row)];
      append(tr, el('td', {}, String(k + 1)));
      const link = el('td');
      link.appendChild(this.rowLink(nb.row, false));
      append(tr, link, textEl('td', {}, nb.label), el('td', { class: 'numeric' }, fmt(m.convert(nb.distance))),
        textEl('td', { class: 'nb-text' }, other?.text ?? other?.anchor ?? ''));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  /** The mined replacement negatives (semi-hard at the audit's margin), each with a button that puts it in the row. */
  private replacements(i: number): HTMLElement {
    const m = this.model;
    const r = m.rows[i];
    const box = el('div', { class: 'replacements' });
    box.appendChild(el('h3', {}, `Replacement negatives, mined at the audit's margin (${m.distance})`));
    box.appendChild(el('p', { class: 'muted' }, `Texts of this file in the semi-hard band of this row's out-of-fold encoder at margin ${fmt(m.report.settings.margin)}, hardest first; none is an anchor's positive or a near-duplicate of the anchor or the positive.`));
    const table = el('table', { class: 'replacement-table' });
    const head = el('tr');
    for (const h of ['#', 'row', 'd(a,n)', 'rank', 'text', '']) head.appendChild(el('th', { scope: 'col' }, h));
    table.appendChild(head);
    r.replacements!.forEach((c, k) => {
      const tr = el('tr');
      const link = el('td');
      link.appendChild(this.rowLink(c.row, false));
      append(tr, el('td', {}, String(k + 1)), link, el('td', { class: 'numeric' }, fmt(m.convert(c.distance))), el('td', { class: 'numeric' }, String(c.rank)),
        textEl('td', { class: 'nb-text' }, `${c.field}: ${c.text}`));
      const cell = el('td');
      if (!this.standalone) {
        const use = el('vscode-button', { appearance: 'secondary', 'aria-label': `Replace the negative with row ${c.row}'s ${c.field}` }, 'Use as negative');
        use.addEventListener('click', () => this.events.fix(i, 'replace-negative', undefined, k));
        cell.appendChild(use);
      }
      tr.appendChild(cell);
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (!this.standalone && r.flags.includes('false-negative')) {
      const move = el('vscode-button', { appearance: 'secondary', 'aria-label': 'Make the negative the positive, with the first replacement as the negative' }, 'Make the negative the positive');
      move.addEventListener('click', () => this.events.fix(i, 'negative-to-positive', undefined, 0));
      box.appendChild(move);
    }
    return box;
  }

  /** A button that selects another row (and reveals it in the editor when there is one). */
  private rowLink(row: number, withText = true): HTMLElement {
    const m = this.model;
    const pos = m.positionOfRow(row);
    const other = pos >= 0 ? m.rows[pos] : undefined;
    const where = other && m.files ? `${m.fileName(m.fileOf(pos))} line ${other.line}` : `line ${other?.line}`;
    const text = withText && other ? `row ${row} (${where}${other.label !== undefined ? `, ${other.label}` : ''}): ${other.text ?? other.anchor ?? ''}` : `row ${row}`;
    const b = textEl('button', { type: 'button', class: 'link-button', 'aria-label': `Select row ${row}` }, text);
    b.addEventListener('click', () => { if (pos >= 0) this.events.select(pos, true); });
    return b;
  }

  private fixes(i: number): HTMLElement {
    const m = this.model;
    const r = m.rows[i];
    const box = el('div', { class: 'fixes' });
    box.appendChild(el('h3', {}, 'Suggested fix'));
    const sentence = r.suggestedLabel !== undefined ? `Relabel as “${r.suggestedLabel}”: the neighbours point there.`
      : r.suggestedFix ? FIX_SENTENCE[r.suggestedFix] ?? r.suggestedFix : 'None: nothing points to a different label or triplet.';
    box.appendChild(textEl('p', {}, sentence));
    if (this.standalone) {
      box.appendChild(el('p', { class: 'muted' }, 'Open the report in VS Code to apply fixes (this standalone page has no editor).'));
      return box;
    }
    const buttons = el('div', { class: 'fix-buttons' });
    if (m.report.kind === 'labeled' && m.report.labels.length) {
      const current = r.suggestedLabel ?? m.report.labels.find((l) => l !== r.label) ?? m.report.labels[0];
      const choose = dropdown('Label to relabel the row as', m.report.labels.map((l) => ({ value: l, text: l })), current);
      const relabel = el('vscode-button', { 'aria-label': 'Relabel the row as the chosen label' }, 'Relabel');
      relabel.addEventListener('click', () => this.events.fix(i, 'relabel', choose.value));
      append(buttons, choose, relabel);
    }
    if (m.report.kind === 'triplets') {
      const swap = el('vscode-button', { 'aria-label': 'Swap the positive and the negative' }, 'Swap positive/negative');
      swap.addEventListener('click', () => this.events.fix(i, 'swap'));
      buttons.appendChild(swap);
    }
    const reviewed = el('vscode-button', { appearance: 'secondary', 'aria-label': 'Mark the row as reviewed' }, 'Mark reviewed');
    reviewed.addEventListener('click', () => this.events.fix(i, 'mark-reviewed'));
    buttons.appendChild(reviewed);
    box.appendChild(buttons);
    return box;
  }
}
