/**
 * A seeded synthetic audit report shaped like the engine's (ten neighbours, evidence lines with
 * a hinge line, suggested labels, near-duplicates, invalid rows, rows spanning two lines), for
 * benchmarks and equivalence tests at sizes a real audit would take minutes to produce. The
 * distances include exact ties and rows on the margin boundaries, where a category flips.
 */
import { Rng } from '../../src/core/rng';
import { buildRowVerdicts, summarize } from '../../src/core/rescore';
import type { AuditReport, DatasetKind, Neighbour, RowReport } from '../../src/core/types';

const LABELS = ['ABBR', 'DESC', 'ENTY', 'HUM', 'LOC', 'NUM'];
const q = JSON.stringify;

export interface SyntheticOptions { kind?: DatasetKind; seed?: number; margin?: number }

export function syntheticReport(n: number, opts: SyntheticOptions = {}): AuditReport {
  const kind = opts.kind ?? 'labeled';
  const margin = opts.margin ?? 0.2;
  const rng = new Rng(opts.seed ?? 5);
  const raw: RowReport[] = [];
  let line = 2;
  for (let i = 0; i < n; i++) {
    const span = rng.next() < 0.01 ? 2 : 1;
    const at = line;
    line += span;
    if (rng.next() < 0.005) {
      raw.push({
        row: i, line: at, endLine: at + span - 1, category: null, loss: null, dAP: null, dAN: null, suspicion: 0,
        flags: ['invalid'], fold: -1, neighbours: [], evidence: [rng.next() < 0.5 ? 'expected 2 fields, found 3' : 'empty label'],
      });
      continue;
    }
    const label = LABELS[rng.int(LABELS.length)];
    const dAP = 0.3 + 0.8 * rng.next();
    // mostly a gap around the margin; some exact ties and rows exactly on a boundary
    const u = rng.next();
    const dAN = u < 0.01 ? dAP : u < 0.02 ? dAP + margin : u < 0.03 ? dAP + 2 * margin : Math.max(0, dAP + 0.25 * rng.normal() + 0.1);
    const neighbours: Neighbour[] = [];
    for (let k = 0; k < 10; k++) neighbours.push({ row: rng.int(n), label: rng.next() < 0.8 ? label : LABELS[rng.int(LABELS.length)], distance: 0.05 + 0.05 * k + 0.02 * rng.next() });
    const suspicion = rng.next() < 0.9 ? 0.5 * rng.next() : 0.4 + 0.6 * rng.next();
    const other = LABELS[(LABELS.indexOf(label) + 1 + rng.int(LABELS.length - 1)) % LABELS.length];
    const row: RowReport = {
      row: i, line: at, endLine: at + span - 1, category: 'easy', loss: 0, dAP, dAN, suspicion, flags: [],
      fold: i % 5, neighbours, evidence: [],
    };
    if (kind === 'labeled') {
      row.label = label;
      if (suspicion >= 0.5 && rng.next() < 0.9) row.suggestedLabel = other;
      row.positiveRow = rng.int(n);
      row.negativeRow = rng.int(n);
      row.evidence = [
        `linear classifier (out-of-fold): P(${q(label)}) = ${Math.round(100 * (1 - suspicion))}%`,
        `kNN: ${Math.round(10 * (1 - suspicion))} of 10 nearest out-of-fold neighbours are labeled ${q(label)}`,
        `encoder head: P(${q(label)}) = ${Math.round(100 * (1 - suspicion))}%`,
      ];
      row.text = `synthetic question ${i} about ${label.toLowerCase()}: ${rng.next().toString(36).slice(2, 12)}`;
    } else {
      if (suspicion >= 0.5) row.suggestedFix = rng.next() < 0.5 ? 'swap-positive-negative' : 'replace-negative';
      row.evidence = [`d(a,p) ${dAP.toFixed(3)} vs d(a,n) ${dAN.toFixed(3)}`];
      row.anchor = `anchor ${i}`; row.positive = `positive ${i}`; row.negative = `negative ${i}`;
    }
    if (rng.next() < 0.01) {
      row.flags.push('near-duplicate');
      const j = rng.int(n);
      row.evidence.push(`near-duplicate of row ${j} (line ${j + 2}, label ${q(label)})`);
    }
    raw.push(row);
  }
  const settings: AuditReport['settings'] = {
    margin, distance: 'euclidean', seed: 42, folds: 5, k: 10, backend: 'synthetic', epochs: 0, dim: 64, mining: 'semi-hard', suspicionThreshold: 0.5,
  };
  // the engine's own verdicts, so that the rows carry a hinge line and flags as an audit leaves them
  const rows = buildRowVerdicts(raw, { margin, distance: 'euclidean', suspicionThreshold: settings.suspicionThreshold });
  return {
    version: 1, file: '/synthetic/report.csv', format: 'csv', kind, rowCount: n,
    columns: kind === 'labeled' ? { text: 'text', label: 'label' } : { anchor: 'anchor', positive: 'positive', negative: 'negative' },
    labels: kind === 'labeled' ? LABELS.slice() : [], settings,
    model: { description: 'synthetic report (benchmark and test input)', featureDim: 0, trainedRowsPerFold: [], epochsPerFold: [] },
    folds: [], neighbourSearch: 'exact', timings: {}, summary: summarize(rows), problems: [], rows,
  };
}
