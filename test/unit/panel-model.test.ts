/**
 * The panel shows the same thing from the report as audited (plus margin, distance and reviewed
 * rows) as it showed from the report the host used to re-score and strip of reviewed rows' flags
 * before posting it. Both go through JSON (what postMessage does); the old path is fed to the old
 * row model (test/support/beforePanelModel.ts), the new one to webview/model.ts; every row is
 * compared on everything the table, the detail pane, the map and the summary read.
 */
import * as assert from 'node:assert/strict';
import { ReportColumns, ScoredView } from '../../src/core/scoredView';
import type { AuditReport, DatasetKind, DistanceName } from '../../src/core/types';
import { withoutReviewed } from '../../src/extension/logic/reviewed';
import { ReportAssembly, splitReport } from '../../src/reportParts';
import { columnsFor } from '../../webview/columns';
import { AuditModel } from '../../webview/model';
import { AuditModelBefore } from '../support/beforePanelModel';
import { syntheticReport } from '../support/syntheticReport';

const URI = 'file:///d.csv';
const HINGE = 'hinge: ';
const viaJson = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;

/** What the panel used to be sent: the whole report re-scored at the host's margin, reviewed rows' flags removed. */
function before(audited: AuditReport, margin: number, distance: DistanceName, reviewed: ReadonlySet<number>): AuditModelBefore {
  const sent = withoutReviewed(new ScoredView(new ReportColumns(audited), margin, distance).report(), reviewed);
  return new AuditModelBefore(viaJson(sent), URI, 1, margin, distance);
}

/** What the panel is sent now: the audited report in parts, with the margin, distance and reviewed rows. */
function after(audited: AuditReport, margin: number, distance: DistanceName, reviewed: ReadonlySet<number>): AuditModel {
  const split = splitReport(audited, { reportId: 1, fileUri: URI, margin, distance, reviewed }, 97);
  const a = new ReportAssembly(viaJson(split.start));
  for (let k = 0; k < split.start.parts; k++) assert.ok(a.add(viaJson(split.part(k))));
  const start = a.start;
  return new AuditModel(a.report(), start.fileUri, start.reportId, start.margin, start.distance, start.reviewed);
}

/** Distances equal, or (`tolerance` > 0) equal to that relative precision. */
function near(x: number | undefined, y: number | undefined, tolerance: number, what: string): void {
  if (tolerance === 0 || x === undefined || y === undefined) { assert.equal(x, y, what); return; }
  assert.ok(Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(x)), `${what}: ${x} vs ${y}`);
}

/** Everything the panel reads from its model, row by row. */
function assertShowsTheSame(old: AuditModelBefore, now: AuditModel, tolerance = 0): void {
  assert.equal(now.n, old.n);
  assert.equal(now.margin, old.margin);
  assert.equal(now.distance, old.distance);
  // (the model before leaks had no leak count; a one-file report has none)
  const { leak, ...counts } = now.counts;
  assert.equal(leak, 0);
  assert.deepEqual(counts, old.counts, 'summary counts');
  assert.deepEqual([...now.validRows], [...old.validRows]);
  const columns = columnsFor(now.report.kind);
  const oldAsModel = old as unknown as AuditModel;
  for (let i = 0; i < now.n; i++) {
    const o = old.rows[i], r = now.rows[i];
    const what = `row ${r.row}`;
    // what no margin changes: the table's text columns, the detail pane's fields, the links
    for (const k of ['row', 'line', 'endLine', 'label', 'suggestedLabel', 'suggestedFix', 'positiveRow', 'negativeRow', 'fold', 'suspicion', 'text', 'anchor', 'positive', 'negative'] as const) {
      assert.equal(r[k], o[k], `${what}: ${k}`);
    }
    assert.equal(now.category(i), old.category(i), `${what}: category`);
    assert.equal(now.categoryName(i), old.categoryName(i), `${what}: category name`);
    const dn = now.distances(i), dold = old.distances(i);
    assert.equal(dn === undefined, dold === undefined, `${what}: has a triplet`);
    near(dn?.dAP, dold?.dAP, tolerance, `${what}: d(a,p)`);
    near(dn?.dAN, dold?.dAN, tolerance, `${what}: d(a,n)`);
    near(now.loss(i), old.loss(i), tolerance, `${what}: loss`);
    assert.deepEqual(now.flags(i), old.flags(i), `${what}: flags`);
    for (const f of ['mislabeled', 'near-duplicate'] as const) assert.equal(now.hasFlag(i, f), old.hasFlag(i, f), `${what}: map ring (${f})`);
    assert.deepEqual(now.evidence(i), o.evidence.filter((e) => !e.startsWith(HINGE)), `${what}: evidence`);
    assert.equal(r.neighbours.length, o.neighbours.length);
    r.neighbours.forEach((nb, k) => {
      assert.equal(nb.row, o.neighbours[k].row);
      assert.equal(nb.label, o.neighbours[k].label);
      near(now.convert(nb.distance), old.convert(o.neighbours[k].distance), tolerance, `${what}: neighbour ${k} distance`);
    });
    if (tolerance === 0) {
      for (const c of columns) assert.equal(c.text(now, i), c.text(oldAsModel, i), `${what}: column ${c.id}`);
    }
  }
}

/** Rows marked reviewed: every 41st, and the first of each kind of flagged row (mislabeled, near-duplicate, invalid). */
function someReviewed(report: AuditReport): Set<number> {
  const out = new Set(report.rows.filter((_, i) => i % 41 === 3).map((r) => r.row));
  for (const f of ['mislabeled', 'near-duplicate', 'invalid'] as const) {
    const r = report.rows.find((x) => x.flags.includes(f));
    if (r) out.add(r.row);
  }
  return out;
}

describe('panel: what it shows from the audited report equals what it showed from the re-scored one', () => {
  for (const kind of ['labeled', 'triplets'] as DatasetKind[]) {
    const audited = syntheticReport(3000, { kind, seed: kind === 'labeled' ? 21 : 22 });
    const reviewed = someReviewed(audited);

    it(`${kind}: the inputs cover every case (mislabeled, suspicious but not flagged, near-duplicate, invalid, reviewed)`, () => {
      const flagged = (f: string) => audited.rows.some((r) => r.flags.includes(f as never) && reviewed.has(r.row));
      assert.ok(flagged('near-duplicate') && flagged('invalid'));
      if (kind === 'labeled') {
        assert.ok(flagged('mislabeled'));
        assert.ok(audited.rows.some((r) => r.suspicion >= 0.5 && r.suggestedLabel === undefined && r.dAP !== null), 'suspicious without a suggestion');
      }
    });

    for (const [margin, distance] of [[0.2, 'euclidean'], [0.35, 'euclidean'], [0.05, 'euclidean'], [0.1, 'cosine'], [1, 'squared-euclidean']] as [number, DistanceName][]) {
      it(`${kind}, host at m = ${margin} (${distance}), reviewed rows and none`, () => {
        assertShowsTheSame(before(audited, margin, distance, reviewed), after(audited, margin, distance, reviewed));
        assertShowsTheSame(before(audited, margin, distance, new Set()), after(audited, margin, distance, new Set()));
      });
    }

    it(`${kind}: the same after the margin moves in the panel, and after the reviewed marks change`, () => {
      const old = before(audited, 0.2, 'euclidean', reviewed), now = after(audited, 0.2, 'euclidean', reviewed);
      for (const m of [0.01, 0.13, 0.4, 0.9]) {
        old.setMargin(m);
        now.setMargin(m);
        assertShowsTheSame(old, now);
      }
      // the host sends new marks: the model takes them as a re-sent report would have set them
      const fewer = new Set([...reviewed].slice(0, 3));
      assert.equal(now.setReviewed([...fewer]), true);
      assert.equal(now.setReviewed([...fewer].reverse()), false, 'the same marks change nothing');
      const resent = before(audited, 0.2, 'euclidean', fewer);
      resent.setMargin(0.9);
      assertShowsTheSame(resent, now);
    });

    it(`${kind}: a distance picked in the panel gives the same up to rounding when the host's distance was not the audit's`, () => {
      // before, the host had converted the distances once and the panel converted them again;
      // now the panel converts from the audit's distance in one step
      const old = before(audited, 0.1, 'cosine', reviewed), now = after(audited, 0.1, 'cosine', reviewed);
      for (const d of ['squared-euclidean', 'euclidean'] as DistanceName[]) {
        old.setDistance(d, 0.3);
        now.setDistance(d, 0.3);
        assertShowsTheSame(old, now, 1e-12);
      }
    });
  }
});
