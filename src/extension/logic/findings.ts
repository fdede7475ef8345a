/**
 * What the editor shows for a report at the current margin: one finding per concern per row
 * (suspected mislabel, false negative, hard triplet, trivially easy, near-duplicate, invalid), with 0-based line
 * ranges for VS Code, and the counts for the status bar. Reviewed rows raise no findings.
 */
import { LEAK_PREFIX } from '../../core/leaks';
import { round3 } from '../../core/scoredView';
import type { AuditReport, RowReport } from '../../core/types';

export type FindingKind = 'mislabeled' | 'hard' | 'trivially-easy' | 'near-duplicate' | 'invalid' | 'leak' | 'false-negative';
export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type SeveritySettings = Record<FindingKind, SeverityName>;

/**
 * The Problems panel holds what is likely wrong in the data (suspected mislabels, leaks, invalid
 * rows); margin violations are what a margin makes of a good row, so they stay in the panel, the
 * hover and the status bar unless the user turns them on (on the bundled sample: 137 hard rows at
 * margin 0.2 against 25 suspected mislabels).
 */
export const DEFAULT_SEVERITIES: SeveritySettings = {
  mislabeled: 'warning', hard: 'off', 'trivially-easy': 'information', 'near-duplicate': 'information', invalid: 'error',
  leak: 'warning',
  'false-negative': 'warning',
};

export interface Finding {
  kind: FindingKind;
  row: number;
  /** 0-based lines of the row (report lines are 1-based). */
  startLine: number;
  endLine: number;
  severity: Exclude<SeverityName, 'off'>;
  message: string;
}

export const f3 = (v: number | null): string => (v === null ? '–' : round3(v));
const q = JSON.stringify;

/** 1-based report lines → 0-based editor lines. */
export function rowRange(r: Pick<RowReport, 'line' | 'endLine'>): { startLine: number; endLine: number } {
  const startLine = Math.max(0, r.line - 1);
  return { startLine, endLine: Math.max(startLine, r.endLine - 1) };
}

function nearest(r: RowReport, n = 3): string {
  if (!r.neighbours.length) return '';
  return ` Nearest: ${r.neighbours.slice(0, n).map((nb) => `row ${nb.row} ${q(nb.label)} at ${f3(nb.distance)}`).join(', ')}.`;
}

/** The first mined replacement negative of a row, as a sentence (empty when it has none). */
export function replacementHint(r: RowReport): string {
  const c = r.replacements?.[0];
  return c ? ` Replace the negative with row ${c.row}: ${q(c.text)} (d(a,n) ${f3(c.distance)}, rank ${c.rank}).` : '';
}

/** Whether row r raises a finding of `kind` at its report's margin (before severities and reviewed marks). */
export function raises(r: RowReport, kind: FindingKind): boolean {
  return kind === 'hard' ? r.category === 'hard' : r.flags.includes(kind);
}

/** The Problems-panel message of a finding of `kind` on row r (which raises it) at `settings`' margin. */
export function findingMessage(r: RowReport, kind: FindingKind, settings: Pick<AuditReport['settings'], 'margin' | 'distance'>): string {
  const { margin, distance } = settings;
  switch (kind) {
    case 'invalid': return `Invalid row: ${r.evidence.join('; ') || 'unusable'}`;
    case 'mislabeled': {
      const ev = r.evidence.filter((e) => !e.startsWith('hinge: ') && !e.startsWith('near-duplicate'));
      return r.label !== undefined
        ? `Suspected mislabel: labeled ${q(r.label)}, the evidence points to ${q(r.suggestedLabel ?? '?')} (suspicion ${f3(r.suspicion)}). ${ev.join('. ')}.${nearest(r)}`
        : `Suspicious triplet (suspicion ${f3(r.suspicion)})${r.suggestedFix ? `, suggested fix: ${r.suggestedFix}` : ''}. ${ev.join('. ')}.`;
    }
    case 'hard':
      return `Hard triplet at margin ${f3(margin)} (${distance}): d(a,n) ${f3(r.dAN)} <= d(a,p) ${f3(r.dAP)}, ` +
        `loss = max(${f3(r.dAP)} - ${f3(r.dAN)} + ${f3(margin)}, 0) = ${f3(r.loss)}.`;
    case 'trivially-easy':
      return r.trivial !== undefined
        ? `Trivially easy (score ${f3(r.trivial)}): the negative is as unrelated to the anchor as a random text of the file; ` +
          `d(a,n) ${f3(r.dAN)}, d(a,p) ${f3(r.dAP)} (${distance}), loss ${f3(r.loss)} at margin ${f3(margin)}.${replacementHint(r)}`
        : `Trivially easy at margin ${f3(margin)} (${distance}): d(a,n) ${f3(r.dAN)} >= d(a,p) ${f3(r.dAP)} + 2 × margin; loss 0, teaches nothing.`;
    case 'false-negative':
      return `False negative (P = ${f3(r.falseNegative ?? null)}): the negative reads as a positive of the anchor. ` +
        `${r.evidence.filter((e) => e.startsWith('false negative') || e.startsWith('the negative is the')).join('. ')}.${replacementHint(r)}`;
    case 'near-duplicate':
      return `Near-duplicate: ${r.evidence.find((e) => e.startsWith('near-duplicate')) ?? 'another row has nearly the same embedding'}.`;
    case 'leak':
      return `Leak between files: ${r.evidence.find((e) => e.startsWith(LEAK_PREFIX))?.slice(LEAK_PREFIX.length) ?? 'another file holds the same row'}.`;
  }
}

/** The order of a row's findings. */
export const FINDING_ORDER: readonly FindingKind[] = ['invalid', 'leak', 'mislabeled', 'false-negative', 'hard', 'near-duplicate', 'trivially-easy'];

/**
 * Every finding of a whole report, in row order. The extension host does not call this on a
 * re-score: FindingTable gives the same from typed columns and builds a message only where one is
 * shown (test/unit/rescore-columns.test.ts holds both to the code they replaced).
 */
export function findings(report: AuditReport, reviewed: ReadonlySet<number>, severities: SeveritySettings): Finding[] {
  const out: Finding[] = [];
  for (const r of report.rows) {
    if (reviewed.has(r.row) && !r.flags.includes('invalid')) continue;
    for (const kind of FINDING_ORDER) {
      const severity = severities[kind];
      if (severity === 'off' || !raises(r, kind)) continue;
      out.push({ kind, row: r.row, ...rowRange(r), severity, message: findingMessage(r, kind, report.settings) });
    }
  }
  return out;
}

export interface FindingCounts { mislabeled: number; hard: number; semiHard: number; easy: number; triviallyEasy: number; nearDuplicate: number; invalid: number; reviewed: number; leak: number; falseNegative: number }

/** Counts at the report's margin; reviewed rows count only as reviewed. */
export function countFindings(report: AuditReport, reviewed: ReadonlySet<number>): FindingCounts {
  const c: FindingCounts = { mislabeled: 0, hard: 0, semiHard: 0, easy: 0, triviallyEasy: 0, nearDuplicate: 0, invalid: 0, reviewed: 0, leak: 0, falseNegative: 0 };
  for (const r of report.rows) {
    if (r.flags.includes('invalid')) { c.invalid++; continue; }
    if (reviewed.has(r.row)) { c.reviewed++; continue; }
    if (r.category === 'hard') c.hard++;
    else if (r.category === 'semi-hard') c.semiHard++;
    else if (r.category === 'easy') c.easy++;
    if (r.flags.includes('mislabeled')) c.mislabeled++;
    if (r.flags.includes('trivially-easy')) c.triviallyEasy++;
    if (r.flags.includes('near-duplicate')) c.nearDuplicate++;
    if (r.flags.includes('leak')) c.leak++;
    if (r.flags.includes('false-negative')) c.falseNegative++;
  }
  return c;
}

export function statusText(c: FindingCounts): string {
  return `$(beaker) ${c.mislabeled} mislabeled · ${c.hard} hard · ${c.semiHard} semi-hard · ${c.triviallyEasy} trivially easy${c.leak ? ` · ${c.leak} leaks` : ''}`;
}

/** Rows that raise a finding, sorted by line: the stops of next/previous suspicious row. */
export function findingStops(list: readonly Finding[]): { row: number; startLine: number; endLine: number }[] {
  const seen = new Set<number>();
  const out: { row: number; startLine: number; endLine: number }[] = [];
  for (const f of list) {
    if (f.kind === 'trivially-easy' || seen.has(f.row)) continue;
    seen.add(f.row);
    out.push({ row: f.row, startLine: f.startLine, endLine: f.endLine });
  }
  return out.sort((a, b) => a.startLine - b.startLine || a.row - b.row);
}

/** The next (dir 1) or previous (dir -1) stop from the cursor's line, wrapping around. */
export function nextStop<T extends { startLine: number; endLine: number }>(stops: readonly T[], cursorLine: number, dir: 1 | -1): T | undefined {
  if (!stops.length) return undefined;
  if (dir === 1) return stops.find((s) => s.startLine > cursorLine) ?? stops[0];
  for (let i = stops.length - 1; i >= 0; i--) if (stops[i].endLine < cursorLine) return stops[i];
  return stops[stops.length - 1];
}
