import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fromEuclidean } from '../../src/core/categories';
import type { Dataset, LabeledDataset, TripletDataset } from '../../src/core/dataset';
import { normalizeText } from '../../src/core/featurize';
import { mineDataset, type MineOptions } from '../../src/core/mine';
import { cosToEuclidean, DEFAULT_MINING, inBand, mineForAnchor, passesPositiveFilter, type MiningOptions } from '../../src/core/mining';
import { auditDataset } from '../../src/core/audit';
import { withDefaults } from '../../src/core/node/auditFile';
import { initBackend } from '../../src/core/node/backend';
import { csvParse } from '../../src/core/node/readFile';
import { detectShape, readDataset } from '../../src/core/read';
import type { FileFormat } from '../../src/core/types';

const root = join(__dirname, '..', '..');

describe('mining: the band', () => {
  it('semi-hard is d(a,p) < d(a,n) < d(a,p) + m, both sides strict', () => {
    assert.equal(inBand(0.5, 0.5, 0.2, 'semi-hard'), false); // d(a,n) = d(a,p): hard
    assert.equal(inBand(0.5, 0.5000001, 0.2, 'semi-hard'), true);
    assert.equal(inBand(0.5, 0.6999999, 0.2, 'semi-hard'), true);
    assert.equal(inBand(0.5, 0.7, 0.2, 'semi-hard'), false); // d(a,p) + m = d(a,n): easy
    assert.equal(inBand(0.5, 0.4, 0.2, 'semi-hard'), false);
  });

  it('hard takes everything that carries loss; any takes everything', () => {
    assert.equal(inBand(0.5, 0.1, 0.2, 'hard'), true);
    assert.equal(inBand(0.5, 0.6999999, 0.2, 'hard'), true);
    assert.equal(inBand(0.5, 0.7, 0.2, 'hard'), false);
    assert.equal(inBand(0.5, 1.9, 0.2, 'any'), true);
  });

  it('the band is measured in the margin\'s distance', () => {
    // cos(a,p) = 0.8 -> Euclidean 0.632, squared 0.4; a candidate at cos 0.65 -> 0.837, squared 0.7
    const opts = { ...DEFAULT_MINING, positiveShare: 0, numNegatives: 5 };
    assert.deepEqual(mineForAnchor([0.65], 0.8, { ...opts, margin: 0.25 }).map((m) => m.candidate), [0]); // 0.632 < 0.837 < 0.882
    assert.deepEqual(mineForAnchor([0.65], 0.8, { ...opts, margin: 0.25, distance: 'squared-euclidean' }), []); // 0.4 + 0.25 < 0.7
    assert.deepEqual(mineForAnchor([0.65], 0.8, { ...opts, margin: 0.35, distance: 'squared-euclidean' }).map((m) => m.candidate), [0]);
  });
});

describe('mining: the positive-aware false-negative filter (NV-Retriever)', () => {
  it('skips a candidate more similar to the anchor than 95% of the positive, keeps one at exactly 95%', () => {
    assert.equal(passesPositiveFilter(0.77, 0.8, 0.95), false);
    assert.equal(passesPositiveFilter(0.76, 0.8, 0.95), true);
    assert.equal(passesPositiveFilter(0.99, 0.8, 0), true); // off
  });

  it('a likely false negative is skipped even when it is in the band, and the next candidate is taken', () => {
    // positive at cos 0.6 (d 0.894); candidates at cos 0.59 (d 0.906: semi-hard, but > 0.95 x 0.6 = 0.57) and 0.52 (d 0.980)
    const opts: MiningOptions = { ...DEFAULT_MINING, numNegatives: 1 };
    assert.deepEqual(mineForAnchor([0.59, 0.52], 0.6, opts).map((m) => m.candidate), [1]);
    assert.deepEqual(mineForAnchor([0.59, 0.52], 0.6, { ...opts, positiveShare: 0 }).map((m) => m.candidate), [0]);
  });
});

describe('mining: mineForAnchor', () => {
  const opts = (o: Partial<MiningOptions>): MiningOptions => ({ ...DEFAULT_MINING, numNegatives: 50, ...o });

  it('every pick passes every rule, picks come hardest first, and ranks count the candidates left after exclusion', () => {
    fc.assert(fc.property(
      fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }), fc.float({ min: -1, max: 1, noNaN: true }),
      fc.float({ min: Math.fround(0.01), max: 1, noNaN: true }), fc.constantFrom<MiningOptions['band']>('semi-hard', 'hard', 'any'),
      fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 40 }), fc.uniqueArray(fc.nat(59), { maxLength: 10 }),
      (cos, cp, margin, band, rangeMin, rangeMax, excl) => {
        const ex = new Set(excl);
        const o = opts({ margin, band, rangeMin, rangeMax });
        const picks = mineForAnchor(cos, cp, o, (c) => ex.has(c));
        const dAP = cosToEuclidean(cp);
        const order = cos.map((_, c) => c).filter((c) => !ex.has(c)).sort((a, b) => cos[b] - cos[a] || a - b);
        for (let k = 0; k < picks.length; k++) {
          const p = picks[k];
          assert.ok(!ex.has(p.candidate));
          assert.ok(inBand(dAP, cosToEuclidean(cos[p.candidate]), margin, band));
          assert.ok(passesPositiveFilter(cos[p.candidate], cp, o.positiveShare));
          assert.equal(order[p.rank - 1], p.candidate);
          if (rangeMin > 1) assert.ok(p.rank >= rangeMin);
          if (rangeMax > 0) assert.ok(p.rank <= rangeMax);
          if (k > 0) assert.ok(p.rank > picks[k - 1].rank);
        }
        // nothing that passes is left out: the picks are all of them, up to numNegatives
        const lo = Math.max(1, rangeMin || 1), hi = rangeMax > 0 ? rangeMax : order.length;
        const all = order.filter((c, r) => r + 1 >= lo && r + 1 <= hi && inBand(dAP, cosToEuclidean(cos[c]), margin, band) && passesPositiveFilter(cos[c], cp, o.positiveShare));
        assert.deepEqual(picks.map((p) => p.candidate), all.slice(0, o.numNegatives));
      }), { numRuns: 300 });
  });

  it('EBR\'s ranks 101-500: nothing from the top 100', () => {
    const cos = Array.from({ length: 800 }, (_, c) => 0.9 - c / 1000);
    const picks = mineForAnchor(cos, 0.95, { ...DEFAULT_MINING, band: 'any', positiveShare: 0, rangeMin: 101, rangeMax: 500, numNegatives: 3 });
    assert.deepEqual(picks.map((p) => [p.candidate, p.rank]), [[100, 101], [101, 102], [102, 103]]);
    assert.equal(fromEuclidean(cosToEuclidean(0.5), 'cosine').toFixed(6), '0.500000');
  });
});

function read(text: string, format: FileFormat): Promise<Dataset> {
  return readDataset((async function* () { yield text; })(), { file: `mem.${format}`, format, csvParse });
}

describe('pairs: a new input shape', () => {
  it('detects (anchor, positive) columns by name, and two varying text columns', async () => {
    assert.equal((await read('query,pos\nhow tall is it,it is tall\nwhere is it,it is here\n', 'csv')).kind, 'pairs');
    const two = await read(Array.from({ length: 30 }, (_, i) => JSON.stringify({ s1: `a cat sat ${i} times`, s2: `the cat sat down, ${i}` })).join('\n') + '\n', 'jsonl');
    assert.equal(two.kind, 'pairs');
    assert.deepEqual((two as unknown as { columns: object }).columns, { anchor: 's1', positive: 's2' });
  });

  it('leaves text with a label, and triplets, as they were', async () => {
    assert.equal((await read('text,label\ngood movie,pos\nbad movie,neg\nfine film,pos\nawful,neg\n', 'csv')).kind, 'labeled');
    assert.equal((await read('anchor,positive,negative\na,b,c\nd,e,f\n', 'csv')).kind, 'triplets');
    // a label by name keeps a pair-classification file labeled
    assert.equal(detectShape(['sentence1', 'sentence2', 'label'], [['a', 'b', 'x'], ['c', 'd', 'y']]).kind, 'labeled');
  });

  it('the audit refuses pairs with a pointer to `mine`', async () => {
    const ds = await read('query,pos\nhow tall is it,it is tall\nwhere is it,it is here\n', 'csv');
    await assert.rejects(auditDataset(ds, withDefaults(), 'cpu'), /pairs.*triplet-audit mine/);
  });
});

describe('mineDataset', function () {
  this.timeout(120_000);
  const opts: MineOptions = { ...DEFAULT_MINING, seed: 7, folds: 3, epochs: 2, dim: 16 };
  const lines = readFileSync(join(root, '..', 'shared', 'datasets', 'nli_triplets_snli_dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 150);

  before(() => initBackend('cpu'));

  it('is deterministic: the same file and seed give the same triplets, byte for byte', async () => {
    const ds = await read(lines.join('\n') + '\n', 'jsonl');
    const a = await mineDataset(ds, opts), b = await mineDataset(ds, opts);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.ok(a.mined > 0);
    const c = await mineDataset(ds, { ...opts, seed: 8 });
    assert.notEqual(JSON.stringify(c.triplets), JSON.stringify(a.triplets));
  });

  it('triplets: mined negatives are in the band, never the anchor or one of its positives', async () => {
    const ds = (await read(lines.join('\n') + '\n', 'jsonl')) as TripletDataset;
    const r = await mineDataset(ds, opts);
    assert.equal(r.input, 'triplets');
    assert.equal(r.mined + r.noCandidate, r.rows);
    const positives = new Map<string, Set<string>>();
    for (const row of ds.rows) {
      const k = normalizeText(row.anchor);
      positives.set(k, (positives.get(k) ?? new Set()).add(normalizeText(row.positive)));
    }
    for (const t of r.triplets.filter((x) => x.source === 'mined')) {
      assert.equal(t.category, 'semi-hard');
      assert.ok(t.dAP < t.dAN && t.dAN < t.dAP + opts.margin);
      assert.ok(!positives.get(normalizeText(t.anchor))!.has(normalizeText(t.negative)));
      assert.notEqual(normalizeText(t.negative), normalizeText(t.anchor));
    }
    assert.equal(r.ownPositiveOrDuplicate, 0);
    assert.equal(r.inBand, r.triplets.filter((x) => x.source === 'mined').length);
    assert.equal(r.before.easy + r.before['semi-hard'] + r.before.hard, r.rows);
  });

  it('pairs and labeled rows: a labeled row\'s negative never has its label', async () => {
    const pairs = await read(lines.map((l) => { const o = JSON.parse(l); return JSON.stringify({ query: o.anchor, pos: o.positive }); }).join('\n') + '\n', 'jsonl');
    const rp = await mineDataset(pairs, opts);
    assert.equal(rp.input, 'pairs');
    assert.ok(rp.triplets.length > 0 && rp.triplets.every((t) => t.source === 'mined'));
    const text = readFileSync(join(root, 'media', 'sample.csv'), 'utf8').split('\n').slice(0, 200).join('\n') + '\n';
    const ds = (await read(text, 'csv')) as LabeledDataset;
    const rl = await mineDataset(ds, opts);
    assert.equal(rl.input, 'labeled');
    const labelOf = new Map(ds.rows.map((row) => [row.text, row.label]));
    assert.ok(rl.triplets.length > 0);
    for (const t of rl.triplets) {
      assert.equal(labelOf.get(t.positive), labelOf.get(t.anchor));
      assert.notEqual(labelOf.get(t.negative), labelOf.get(t.anchor));
    }
  });
});
