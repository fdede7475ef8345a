/**
 * The extension host's re-scoring as it was before the typed-array path (commit deb65d0), kept
 * verbatim: the oracle that test/unit/rescore-columns.test.ts compares the new path with, and the
 * "before" of bench/rescore.ts. Not used by the product. Issue 13's rules are written in as plainly:
 * the `false-negative` flag (kept, and it keeps the row out of `mislabeled`), the trivially-easy
 * flag of a scored triplet (its score, and d(a,p) < d(a,n)), and the replacements' distances.
 */
import { classify, fromEuclidean, isTriviallyEasy, toEuclidean, tripletLoss } from '../../src/core/categories';
import type { AuditReport, DistanceName, Flag, RowReport, Summary } from '../../src/core/types';
import { FLAGS } from '../../src/core/types';
import type { Finding, FindingCounts, FindingKind, SeveritySettings } from '../../src/extension/logic/findings';

const HINGE = 'hinge: ';
const f3 = (v: number) => (Math.round(v * 1000) / 1000).toString();

interface Scoring { margin: number; distance: DistanceName; suspicionThreshold: number }

function applyVerdict(r: RowReport, s: Scoring, labeled: boolean): RowReport {
  if (r.dAP === null || r.dAN === null) return r;
  const category = classify(r.dAP, r.dAN, s.margin);
  const loss = tripletLoss(r.dAP, r.dAN, s.margin);
  const flags = new Set<Flag>(r.flags.filter((f) => f === 'near-duplicate' || f === 'invalid' || f === 'false-negative'));
  if (r.suspicion >= s.suspicionThreshold && (!labeled || r.suggestedLabel !== undefined) && !flags.has('false-negative')) flags.add('mislabeled');
  if (category !== 'easy') flags.add('margin-violation');
  if (r.trivial === undefined ? isTriviallyEasy(r.dAP, r.dAN, s.margin) : r.trivial >= 0.5 && r.dAP < r.dAN) flags.add('trivially-easy');
  const hinge = `${HINGE}L = max(d(a,p) - d(a,n) + m, 0) = max(${f3(r.dAP)} - ${f3(r.dAN)} + ${f3(s.margin)}, 0) = ${f3(loss)} (${s.distance}): ${category}`;
  return {
    ...r, category, loss, flags: FLAGS.filter((f) => flags.has(f)),
    evidence: [...r.evidence.filter((e) => !e.startsWith(HINGE)), hinge],
  };
}

function convertDistances(r: RowReport, from: DistanceName, to: DistanceName): RowReport {
  if (from === to) return r;
  const c = (d: number) => fromEuclidean(toEuclidean(d, from), to);
  return {
    ...r,
    dAP: r.dAP === null ? null : c(r.dAP),
    dAN: r.dAN === null ? null : c(r.dAN),
    neighbours: r.neighbours.map((nb) => ({ ...nb, distance: c(nb.distance) })),
    ...(r.replacements ? { replacements: r.replacements.map((m) => ({ ...m, distance: c(m.distance) })) } : {}),
  };
}

export function rescoreReportBefore(report: AuditReport, margin: number, distance: DistanceName): AuditReport {
  const s: Scoring = { margin, distance, suspicionThreshold: report.settings.suspicionThreshold };
  const rows = report.rows.map((r) => applyVerdict(convertDistances(r, report.settings.distance, distance), s, report.kind === 'labeled'));
  return { ...report, settings: { ...report.settings, margin, distance }, rows, summary: summarizeBefore(rows) };
}

export function summarizeBefore(rows: readonly RowReport[]): Summary {
  const s: Summary = { easy: 0, semiHard: 0, hard: 0, mislabeled: 0, triviallyEasy: 0, marginViolation: 0, nearDuplicate: 0, invalid: 0 };
  for (const r of rows) {
    if (r.category === 'easy') s.easy++;
    else if (r.category === 'semi-hard') s.semiHard++;
    else if (r.category === 'hard') s.hard++;
    for (const f of r.flags) {
      if (f === 'mislabeled') s.mislabeled++;
      else if (f === 'trivially-easy') s.triviallyEasy++;
      else if (f === 'margin-violation') s.marginViolation++;
      else if (f === 'near-duplicate') s.nearDuplicate++;
      else if (f === 'false-negative') s.falseNegative = (s.falseNegative ?? 0) + 1;
      else s.invalid++;
    }
  }
  return s;
}

const ff3 = (v: number | null): string => (v === null ? '–' : (Math.round(v * 1000) / 1000).toString());
const q = JSON.stringify;

function rowRange(r: Pick<RowReport, 'line' | 'endLine'>): { startLine: number; endLine: number } {
  const startLine = Math.max(0, r.line - 1);
  return { startLine, endLine: Math.max(startLine, r.endLine - 1) };
}

function nearest(r: RowReport, n = 3): string {
  if (!r.neighbours.length) return '';
  return ` Nearest: ${r.neighbours.slice(0, n).map((nb) => `row ${nb.row} ${q(nb.label)} at ${ff3(nb.distance)}`).join(', ')}.`;
}

function hint(r: RowReport): string {
  const c = r.replacements?.[0];
  return c ? ` Replace the negative with row ${c.row}: ${q(c.text)} (d(a,n) ${ff3(c.distance)}, rank ${c.rank}).` : '';
}

function messages(r: RowReport, report: AuditReport): Partial<Record<FindingKind, string>> {
  const { margin, distance } = report.settings;
  const out: Partial<Record<FindingKind, string>> = {};
  const ev = r.evidence.filter((e) => !e.startsWith('hinge: ') && !e.startsWith('near-duplicate'));
  if (r.flags.includes('invalid')) out.invalid = `Invalid row: ${r.evidence.join('; ') || 'unusable'}`;
  if (r.flags.includes('mislabeled')) {
    out.mislabeled = r.label !== undefined
      ? `Suspected mislabel: labeled ${q(r.label)}, the evidence points to ${q(r.suggestedLabel ?? '?')} (suspicion ${ff3(r.suspicion)}). ${ev.join('. ')}.${nearest(r)}`
      : `Suspicious triplet (suspicion ${ff3(r.suspicion)})${r.suggestedFix ? `, suggested fix: ${r.suggestedFix}` : ''}. ${ev.join('. ')}.`;
  }
  if (r.category === 'hard') {
    out.hard = `Hard triplet at margin ${ff3(margin)} (${distance}): d(a,n) ${ff3(r.dAN)} <= d(a,p) ${ff3(r.dAP)}, ` +
      `loss = max(${ff3(r.dAP)} - ${ff3(r.dAN)} + ${ff3(margin)}, 0) = ${ff3(r.loss)}.`;
  }
  if (r.flags.includes('trivially-easy')) {
    out['trivially-easy'] = r.trivial !== undefined
      ? `Trivially easy (score ${ff3(r.trivial)}): the negative is as unrelated to the anchor as a random text of the file; ` +
        `d(a,n) ${ff3(r.dAN)}, d(a,p) ${ff3(r.dAP)} (${distance}), loss ${ff3(r.loss)} at margin ${ff3(margin)}.${hint(r)}`
      : `Trivially easy at margin ${ff3(margin)} (${distance}): d(a,n) ${ff3(r.dAN)} >= d(a,p) ${ff3(r.dAP)} + 2 × margin; loss 0, teaches nothing.`;
  }
  if (r.flags.includes('false-negative')) {
    out['false-negative'] = `False negative (P = ${ff3(r.falseNegative ?? null)}): the negative reads as a positive of the anchor. ` +
      `${r.evidence.filter((e) => e.startsWith('false negative') || e.startsWith('the negative is the')).join('. ')}.${hint(r)}`;
  }
  if (r.flags.includes('near-duplicate')) {
    out['near-duplicate'] = `Near-duplicate: ${r.evidence.find((e) => e.startsWith('near-duplicate')) ?? 'another row has nearly the same embedding'}.`;
  }
  return out;
}

const ORDER: readonly FindingKind[] = ['invalid', 'mislabeled', 'false-negative', 'hard', 'near-duplicate', 'trivially-easy'];

export function findingsBefore(report: AuditReport, reviewed: ReadonlySet<number>, severities: SeveritySettings): Finding[] {
  const out: Finding[] = [];
  for (const r of report.rows) {
    if (reviewed.has(r.row) && !r.flags.includes('invalid')) continue;
    const msgs = messages(r, report);
    for (const kind of ORDER) {
      const message = msgs[kind];
      const severity = severities[kind];
      if (message === undefined || severity === 'off') continue;
      out.push({ kind, row: r.row, ...rowRange(r), severity, message });
    }
  }
  return out;
}

export function countFindingsBefore(report: AuditReport, reviewed: ReadonlySet<number>): FindingCounts {
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
    if (r.flags.includes('false-negative')) c.falseNegative++;
  }
  return c;
}

export function findingStopsBefore(list: readonly Finding[]): { row: number; startLine: number; endLine: number }[] {
  const seen = new Set<number>();
  const out: { row: number; startLine: number; endLine: number }[] = [];
  for (const f of list) {
    if (f.kind === 'trivially-easy' || seen.has(f.row)) continue;
    seen.add(f.row);
    out.push({ row: f.row, startLine: f.startLine, endLine: f.endLine });
  }
  return out.sort((a, b) => a.startLine - b.startLine || a.row - b.row);
}

/** What AuditController.derive() computed before (minus the vscode calls): the view, its findings, the flagged rows. */
export function deriveBefore(audited: AuditReport, reviewed: ReadonlySet<number>, severities: SeveritySettings, margin: number, distance: DistanceName):
  { view: AuditReport; findings: Finding[]; flagged: Set<number> } {
  const view = rescoreReportBefore(audited, margin, distance);
  const list = findingsBefore(view, reviewed, severities);
  return { view, findings: list, flagged: new Set(list.map((f) => f.row)) };
}
