/** The readable summary printed by `--format table`. */
import { baseName } from '../core/multi';
import { sampledLine } from '../core/sampledTriplets';
import type { AuditReport } from '../core/types';
import { forTerminal } from './terminal';

/** Shown on one line, cut to n characters: whitespace runs as one space, control characters as escapes (terminal.ts). */
const clip = (s: string, n: number) => { const t = forTerminal(s.replace(/\s+/g, ' ')); return t.length > n ? t.slice(0, n - 1) + '…' : t; };
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const f3 = (v: number | null) => (v === null ? '-' : v.toFixed(3));

export function formatTable(r: AuditReport, top: number): string {
  const s = r.summary, out: string[] = [];
  out.push(`${r.file}: ${r.rowCount} rows, ${r.format}, ${r.kind}` + (r.kind === 'labeled' ? ` (${r.labels.length} labels: ${r.labels.slice(0, 8).join(', ')}${r.labels.length > 8 ? ', …' : ''})` : ''));
  out.push(`model: ${r.model.description}`);
  out.push(`backend ${r.settings.backend}; margin ${r.settings.margin} (${r.settings.distance}); seed ${r.settings.seed}; ${r.settings.folds} folds; k ${r.settings.k}; ${r.timings.total.toFixed(1)} s`);
  out.push('');
  out.push(`triplets: ${s.easy} easy, ${s.semiHard} semi-hard, ${s.hard} hard`);
  if (r.sampledTriplets) out.push(`sampled: ${sampledLine(r.sampledTriplets, r.settings.margin, r.settings.distance)}`);
  out.push(`flags: ${s.mislabeled} mislabeled, ${s.marginViolation} margin-violation, ${s.triviallyEasy} trivially-easy, ${s.nearDuplicate} near-duplicate, ${s.invalid} invalid` +
    (r.kind === 'triplets' ? `, ${s.falseNegative ?? 0} false-negative` : ''));
  if (r.files) {
    // the splits side by side at the report's margin
    out.push('', 'files:');
    for (const file of r.files) {
      const rows = r.rows.slice(file.firstRow, file.firstRow + file.rows);
      const count = (p: (x: typeof rows[number]) => boolean) => rows.filter(p).length;
      const scored = count((x) => x.category !== null), hard = count((x) => x.category === 'hard');
      out.push(`  ${pad(baseName(file.path), 24)} ${pad(file.split, 5)} ${lpad(String(file.rows), 7)} rows: ${count((x) => x.category === 'easy')} easy, ` +
        `${count((x) => x.category === 'semi-hard')} semi-hard, ${hard} hard (${scored ? Math.round(100 * hard / scored) : 0}% hard); ` +
        `${count((x) => x.flags.includes('mislabeled'))} mislabeled, ${count((x) => x.flags.includes('leak'))} leak`);
    }
    out.push(`leaks: ${r.summary.leak ?? 0} rows repeat a row of another file (${r.leakRule ?? ''}); test files' rows ${r.settings.trainOnTest ? 'trained the models too' : 'trained no model'}`);
  }
  if (r.problems.length) {
    out.push('', `${r.problems.length} problem(s) in the file:`);
    for (const p of r.problems.slice(0, 10)) out.push(`  line ${p.line}: ${p.message}`);
    if (r.problems.length > 10) out.push(`  … and ${r.problems.length - 10} more`);
  }
  const ranked = r.rows.filter((x) => x.category !== null).sort((a, b) => b.suspicion - a.suspicion || a.row - b.row).slice(0, top);
  if (ranked.length) {
    out.push('', `most suspicious rows:`);
    const labeled = r.kind === 'labeled';
    const where = (x: AuditReport['rows'][number]) => (r.files && x.file !== undefined ? `${baseName(r.files[x.file].path)}:${x.line}` : String(x.line));
    const lineWidth = r.files ? 22 : 6;
    out.push(`  ${pad('line', lineWidth)} ${lpad('susp', 5)} ${pad('category', 9)} ${lpad('dAP', 6)} ${lpad('dAN', 6)} ${labeled ? pad('label -> suggested', 26) : pad('fix', 22)} text`);
    for (const x of ranked) {
      const what = labeled ? `${x.label ?? ''}${x.suggestedLabel ? ' -> ' + x.suggestedLabel : ''}` : (x.suggestedFix ?? '');
      const text = labeled ? x.text ?? '' : `${x.anchor} | + ${x.positive} | - ${x.negative}`;
      out.push(`  ${pad(where(x), lineWidth)} ${lpad(x.suspicion.toFixed(2), 5)} ${pad(x.category ?? '', 9)} ${lpad(f3(x.dAP), 6)} ${lpad(f3(x.dAN), 6)} ${pad(clip(what, 26), labeled ? 26 : 22)} ${clip(text, 70)}`);
    }
  }
  // every line once more: labels, file and column names, problems' messages come from the data too
  return out.map(forTerminal).join('\n') + '\n';
}
