/** The hover of an audited row as Markdown: category, distances, loss, flags, evidence, neighbours. */
import type { AuditReport, RowReport } from '../../core/types';
import { f3 } from './findings';

/** Escapes text for Markdown (labels and evidence come from the user's data). */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function hoverMarkdown(r: RowReport, report: { settings: Pick<AuditReport['settings'], 'margin' | 'distance'> }, lineOfRow: (row: number) => number | string | undefined, reviewed: boolean): string {
  const { margin, distance } = report.settings;
  const md: string[] = [];
  md.push(`**Triplet Audit** · row ${r.row} · ${r.category ?? 'invalid'} at margin ${f3(margin)} (${distance})${reviewed ? ' · reviewed' : ''}`);
  md.push('');
  md.push(`d(a,p) = ${f3(r.dAP)} · d(a,n) = ${f3(r.dAN)} · loss = ${f3(r.loss)} · suspicion = ${f3(r.suspicion)}` +
    (r.trivial !== undefined ? ` · trivially easy = ${f3(r.trivial)} · false negative = ${f3(r.falseNegative ?? null)}` : ''));
  if (r.label !== undefined) {
    md.push('');
    md.push(`label: \`${escapeMarkdown(r.label)}\`${r.suggestedLabel !== undefined ? ` → suggested \`${escapeMarkdown(r.suggestedLabel)}\`` : ''}`);
  }
  if (r.suggestedFix) { md.push(''); md.push(`suggested fix: ${r.suggestedFix}`); }
  if (r.flags.length) { md.push(''); md.push(`flags: ${r.flags.join(', ')}`); }
  if (r.evidence.length) {
    md.push('');
    for (const e of r.evidence) md.push(`- ${escapeMarkdown(e)}`);
  }
  if (r.replacements?.length) {
    md.push('');
    md.push('| replacement negative | row | d(a,n) | rank |');
    md.push('|---|---:|---:|---:|');
    for (const c of r.replacements) md.push(`| ${escapeMarkdown(c.text)} | ${c.row} | ${f3(c.distance)} | ${c.rank} |`);
  }
  if (r.neighbours.length) {
    md.push('');
    md.push('| neighbour | line | label | distance |');
    md.push('|---:|---:|---|---:|');
    for (const nb of r.neighbours) {
      md.push(`| ${nb.row} | ${escapeMarkdown(String(lineOfRow(nb.row) ?? ''))} | ${escapeMarkdown(nb.label)} | ${f3(nb.distance)} |`);
    }
  }
  return md.join('\n');
}
