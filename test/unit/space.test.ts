import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { auditFile, auditFiles } from '../../src/core/node/auditFile';
import { initBackend } from '../../src/core/node/backend';
import { Encoder, DEFAULT_ENCODER, forwardWeights } from '../../src/core/encoder';
import { featurize, TRIPLET_FEATURIZER } from '../../src/core/featurize';
import { halfToFloat, readNpy, writeNpy } from '../../src/core/npy';
import { Rng } from '../../src/core/rng';
import { InputError } from '../../src/core/dataset';
import { classify } from '../../src/core/categories';
import { readJsonl, toJsonl } from '../../bench/plantLeaks';
import type { AuditReport } from '../../src/core/types';

const root = join(__dirname, '..', '..');
const sample = join(root, 'media', 'sample.csv');
const SNLI = join(root, '..', 'shared', 'datasets', 'nli_triplets_snli_dev.jsonl');
const quick = { maxRows: 240, epochs: 2, folds: 3, backend: 'cpu' as const };

/** Saves a LayersModel to `dir` as model.json + weights.bin (what tfjs's file:// handler writes). */
async function saveLayers(model: tfl.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (art) => {
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(art.weightData as ArrayBuffer));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: art.modelTopology, format: art.format, weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/** The same distances within float error, hence the same categories except on an exact boundary. */
function assertReproduced(made: AuditReport, again: AuditReport, what: string): void {
  assert.equal(again.rows.length, made.rows.length);
  let worst = 0, boundary = 0;
  made.rows.forEach((r, i) => {
    const s = again.rows[i];
    if (r.dAP === null) { assert.equal(s.dAP, null); return; }
    worst = Math.max(worst, Math.abs(r.dAP - s.dAP!), Math.abs(r.dAN! - s.dAN!));
    const m = made.settings.margin;
    const nearEdge = Math.min(Math.abs(r.dAN! - r.dAP!), Math.abs(r.dAN! - r.dAP! - m)) < 1e-4;
    if (nearEdge) { boundary++; return; }
    assert.equal(s.category, r.category, `${what}: row ${i}`);
    assert.equal(s.category, classify(s.dAP!, s.dAN!, m));
  });
  assert.ok(worst < 1e-4, `${what}: distances differ by up to ${worst}`);
  assert.ok(boundary <= 2, `${what}: ${boundary} rows on a category boundary`);
}

describe('.npy files', () => {
  it('round-trips float32 and reads float16 / float64 / big-endian', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5);
    const back = readNpy(writeNpy(data, [4, 3]));
    assert.deepEqual(back.shape, [4, 3]);
    assert.deepEqual([...back.data], [...data]);
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x3555), 0.333251953125);
    // a hand-written float16 and a big-endian float64 file
    const make = (descr: string, shape: string, body: Uint8Array) => {
      let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape}), }`;
      h += ' '.repeat(64 - ((10 + h.length + 1) % 64)) + '\n';
      const out = new Uint8Array(10 + h.length + body.length);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8]);
      for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
      out.set(body, 10 + h.length);
      return out;
    };
    assert.deepEqual([...readNpy(make('<f2', '2,', Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]))).data], [1, -2]);
    const be = new Uint8Array(8); new DataView(be.buffer).setFloat64(0, 0.25, false);
    assert.deepEqual([...readNpy(make('>f8', '1, 1', be)).data], [0.25]);
    assert.throws(() => readNpy(make('<i4', '1,', new Uint8Array(4))), /float16, float32 or float64/);
    assert.throws(() => readNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), /not a \.npy file/);
    assert.throws(() => readNpy(make('<f4', '3,', new Uint8Array(8))), /holds 2 values, its shape \(3\) says 3/);
  });
});

describe('the user\'s own space', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'ta-space-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let made: AuditReport;

  before(async () => {
    await initBackend('cpu');
    made = await auditFile(sample, { ...quick, saveModel: join(dir, 'model'), saveEmbeddings: join(dir, 'emb.npy') });
  });

  it('Encoder.exportWeights gives the forward shape: relu(x E + b1) W2, normalised, is what embed computes', async () => {
    const texts = readFileSync(sample, 'utf8').split('\n').slice(1, 121).map((l) => l.slice(0, l.lastIndexOf(',')));
    const x = featurize(texts);
    const y = Int32Array.from(texts, (_, i) => i % 3);
    const enc = new Encoder({ ...DEFAULT_ENCODER, dim: 16, classes: 3 }, new Rng(3));
    try {
      const rows = Int32Array.from(texts.keys());
      await enc.trainLabeled(x, rows, y, 2, new Rng(4));
      const { z } = await enc.embed(x, rows);
      const w = enc.exportWeights();
      assert.equal(w.E.length, x.cols * w.hidden);
      assert.equal(w.W2.length, w.hidden * 16);
      const mine = forwardWeights(w, x, rows);
      let worst = 0;
      for (let i = 0; i < z.length; i++) worst = Math.max(worst, Math.abs(z[i] - mine[i]));
      assert.ok(worst < 1e-5, `forward differs by ${worst}`);
    } finally { enc.dispose(); }
  });

  it('--save-embeddings and --save-model write the stacked out-of-fold encoder and its rows', () => {
    const npy = readNpy(readFileSync(join(dir, 'emb.npy')));
    assert.deepEqual(npy.shape, [240, 3 * 64]);
    const meta = JSON.parse(readFileSync(join(dir, 'emb.npy.triplet-audit.json'), 'utf8'));
    assert.equal(meta.folds, 3);
    assert.equal(meta.rows.length, 240);
    assert.deepEqual(meta.rows.map((r: { fold: number }) => r.fold), made.rows.map((r) => r.fold));
    const decl = JSON.parse(readFileSync(join(dir, 'model', 'triplet-audit-model.json'), 'utf8'));
    assert.equal(decl.input.type, 'text');
    assert.equal(decl.input.vocabulary.buckets.length, made.model.featureDim);
    assert.deepEqual(decl.output, { folds: 3, dim: 64 });
    const model = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8'));
    assert.equal(model.format, 'layers-model');
  });

  it('an audit with --embeddings reproduces the audit that saved them (distances within float error, same categories)', async () => {
    const again = await auditFile(sample, { ...quick, embeddings: [join(dir, 'emb.npy')] });
    assertReproduced(made, again, '--embeddings');
    assert.equal(again.model.space?.rule, 'out-of-fold');
    assert.equal(again.model.space?.folds, 3);
    assert.ok(again.model.description.startsWith('space: '));
    assert.deepEqual(again.settings.embeddings, [join(dir, 'emb.npy')]);
    assert.equal(again.summary.mislabeled, made.summary.mislabeled);
  });

  it('an audit with --model (the saved LayersModel, run by TensorFlow.js) reproduces it too', async () => {
    const again = await auditFile(sample, { ...quick, model: join(dir, 'model') });
    assertReproduced(made, again, '--model');
    assert.equal(again.model.space?.source, 'model');
    assert.equal(again.model.space?.rule, 'out-of-fold');
    assert.equal(again.settings.model, join(dir, 'model'));
    // the map is fold 0's block, as the audit that saved it mapped fold 0's model
    assert.ok(again.map && made.map);
    let worst = 0;
    made.map.x.forEach((v, i) => { worst = Math.max(worst, Math.abs(Math.abs(v) - Math.abs(again.map!.x[i]))); });
    assert.ok(worst < 1e-3, `map differs by ${worst}`);
  });

  it('rows that are not the saved ones get one space (the mean of the fold embeddings), and the report says so', async () => {
    const edited = join(dir, 'edited.csv');
    const lines = readFileSync(sample, 'utf8').split('\n');
    lines[5] = `Edited question number five ?${lines[5].slice(lines[5].lastIndexOf(','))}`;
    writeFileSync(edited, lines.join('\n'));
    const other = await auditFile(edited, { ...quick, embeddings: [join(dir, 'emb.npy')] });
    assert.equal(other.model.space?.rule, 'one-space');
    assert.match(other.model.space!.description, /239 of 240 rows/);
    assert.ok(other.rows.every((r) => r.category === classify(r.dAP!, r.dAN!, other.settings.margin)));
  });

  it('a plain embeddings file is one space; its rows are checked: count, width, NaN, each error names the file and line or index', async () => {
    const n = 240, dim = 8;
    const rng = new Rng(5);
    const values = Float32Array.from({ length: n * dim }, () => rng.normal());
    writeFileSync(join(dir, 'plain.npy'), writeNpy(values, [n, dim]));
    const plain = await auditFile(sample, { ...quick, embeddings: [join(dir, 'plain.npy')] });
    assert.equal(plain.model.space?.rule, 'one-space');
    assert.equal(plain.model.space?.dim, 8);
    assert.match(plain.model.description, /as that model sees the data/);
    assert.equal(plain.embedding?.dim, 8);
    // each row's d(a,n) is its nearest other-label row of the other folds in that space
    writeFileSync(join(dir, 'short.npy'), writeNpy(values.subarray(0, (n - 1) * dim), [n - 1, dim]));
    await assert.rejects(auditFile(sample, { ...quick, embeddings: [join(dir, 'short.npy')] }),
      (e: Error) => e instanceof InputError && e.message === `${join(dir, 'short.npy')}: 239 vectors for the 240 data rows of sample.csv (one per data row, in file order, the header not counted)`);
    const nan = Float32Array.from(values); nan[7 * dim + 2] = NaN;
    writeFileSync(join(dir, 'nan.npy'), writeNpy(nan, [n, dim]));
    await assert.rejects(auditFile(sample, { ...quick, embeddings: [join(dir, 'nan.npy')] }), /nan\.npy: vector 7 \(data row 7 of sample\.csv\) holds NaN at index 2/);
    const jsonl = Array.from({ length: n }, (_, i) => JSON.stringify(Array.from(values.subarray(i * dim, (i + 1) * dim))));
    jsonl[10] = JSON.stringify([1, 2, 3]);
    writeFileSync(join(dir, 'bad.jsonl'), jsonl.join('\n') + '\n');
    await assert.rejects(auditFile(sample, { ...quick, embeddings: [join(dir, 'bad.jsonl')] }), /bad\.jsonl:11: 3 numbers; line 1 has 8/);
    await assert.rejects(auditFile(sample, { ...quick, model: dir }), /triplet-audit-model\.json is missing/);
  });

  it('a user\'s LayersModel on numeric columns, declared in triplet-audit-model.json, measures the rows', async () => {
    const csv = join(dir, 'numbers.csv');
    const rng = new Rng(9);
    const rows = Array.from({ length: 90 }, (_, i) => [rng.normal() + (i % 3), rng.normal(), rng.normal() * 2, ['a', 'b', 'c'][i % 3]]);
    writeFileSync(csv, 'f1,f2,f3,label\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
    const W = [[1, 0], [0, 1], [0.5, 0.5]];
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, useBias: false, weights: [tf.tensor2d(W)] })] });
    await saveLayers(model, join(dir, 'user'));
    model.dispose();
    writeFileSync(join(dir, 'user', 'triplet-audit-model.json'), JSON.stringify({ format: 'triplet-audit-model', version: 1, input: { type: 'columns', columns: ['f1', 'f2', 'f3'], tensors: 'dense' } }));
    const r = await auditFile(csv, { ...quick, maxRows: 0, model: join(dir, 'user') });
    assert.equal(r.model.space?.dim, 2);
    // d(a,p) of a row: Euclidean between the normalised outputs of it and its positive row
    const out = (i: number) => { const v = [0, 1].map((d) => W.reduce((s, w, c) => s + Number(rows[i][c]) * w[d], 0)); const nrm = Math.hypot(...v); return v.map((t) => t / nrm); };
    for (const row of r.rows.slice(0, 20)) {
      const a = out(row.row), p = out(row.positiveRow!);
      assert.ok(Math.abs(Math.hypot(a[0] - p[0], a[1] - p[1]) - row.dAP!) < 1e-4);
    }
  });

  it('a GraphModel folder (as tensorflowjs_converter writes it) runs too', async () => {
    const g = join(dir, 'graph');
    mkdirSync(g, { recursive: true });
    const W = Float32Array.from([1, 0, 0, 1, 0.5, 0.5]);
    writeFileSync(join(g, 'w.bin'), Buffer.from(W.buffer));
    writeFileSync(join(g, 'model.json'), JSON.stringify({
      format: 'graph-model', generatedBy: 'hand', convertedBy: 'hand',
      modelTopology: {
        node: [
          { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '3' }] } } } },
          { name: 'W', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '2' }] } } }, dtype: { type: 'DT_FLOAT' } } },
          { name: 'out', op: 'MatMul', input: ['x', 'W'], attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } } },
        ],
        library: {}, versions: {},
      },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'W', shape: [3, 2], dtype: 'float32' }] }],
    }));
    writeFileSync(join(g, 'triplet-audit-model.json'), JSON.stringify({ format: 'triplet-audit-model', version: 1, input: { type: 'columns', columns: ['f1', 'f2', 'f3'], tensors: 'dense' }, description: 'a hand-written graph' }));
    const viaGraph = await auditFile(join(dir, 'numbers.csv'), { ...quick, maxRows: 0, model: g });
    const viaLayers = await auditFile(join(dir, 'numbers.csv'), { ...quick, maxRows: 0, model: join(dir, 'user') });
    assert.match(viaGraph.model.space!.description, /GraphModel/);
    viaGraph.rows.forEach((r, i) => assert.ok(Math.abs(r.dAN! - viaLayers.rows[i].dAN!) < 1e-5));
  });

  it('explicit triplets: three vectors per row (.npy [rows, 3, dim]) or one per text (JSONL), d(a,p) and d(a,n) measured in them', async () => {
    const tri = join(dir, 'snli.jsonl');
    const rows = readJsonl(SNLI).slice(0, 60);
    writeFileSync(tri, toJsonl(rows));
    const texts = [...new Set(rows.flatMap((r) => [String(r.anchor), String(r.positive), String(r.negative)]))];
    const rng = new Rng(11), dim = 6;
    const vec = new Map(texts.map((t) => [t, Array.from({ length: dim }, () => rng.normal())]));
    writeFileSync(join(dir, 'texts.jsonl'), texts.map((t) => JSON.stringify({ text: t, embedding: vec.get(t) })).join('\n') + '\n');
    const arr = new Float32Array(rows.length * 3 * dim);
    rows.forEach((r, i) => [r.anchor, r.positive, r.negative].forEach((t, k) => arr.set(vec.get(String(t))!, (i * 3 + k) * dim)));
    writeFileSync(join(dir, 'tri.npy'), writeNpy(arr, [rows.length, 3, dim]));
    const byText = await auditFile(tri, { ...quick, embeddings: [join(dir, 'texts.jsonl')] });
    const byRow = await auditFile(tri, { ...quick, embeddings: [join(dir, 'tri.npy')] });
    const norm = (v: number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
    const d = (a: number[], b: number[]) => Math.hypot(...norm(a).map((x, k) => x - norm(b)[k]));
    byText.rows.forEach((r, i) => {
      const t = rows[i];
      assert.ok(Math.abs(r.dAP! - d(vec.get(String(t.anchor))!, vec.get(String(t.positive))!)) < 1e-5);
      assert.ok(Math.abs(r.dAN! - d(vec.get(String(t.anchor))!, vec.get(String(t.negative))!)) < 1e-5);
      assert.equal(byRow.rows[i].dAN, r.dAN);
      assert.equal(r.category, classify(r.dAP!, r.dAN!, byText.settings.margin));
    });
    assert.equal(byText.model.space?.rule, 'one-space');
    assert.ok(byText.map, 'explicit triplets get a map from the user\'s space');
    writeFileSync(join(dir, 'few.jsonl'), texts.slice(1).map((t) => JSON.stringify({ text: t, embedding: vec.get(t) })).join('\n') + '\n');
    await assert.rejects(auditFile(tri, { ...quick, embeddings: [join(dir, 'few.jsonl')] }), /few\.jsonl: no vector for the .* text of snli\.jsonl line \d+/);
  });

  it('several files: one embeddings file per data file, or one for all', async () => {
    const lines = readFileSync(sample, 'utf8').split('\n');
    const a = join(dir, 'part_train.csv'), b = join(dir, 'part_test.csv');
    writeFileSync(a, [lines[0], ...lines.slice(1, 151)].join('\n') + '\n');
    writeFileSync(b, [lines[0], ...lines.slice(151, 241)].join('\n') + '\n');
    const dim = 5, rng = new Rng(2);
    const all = Float32Array.from({ length: 240 * dim }, () => rng.normal());
    writeFileSync(join(dir, 'all.npy'), writeNpy(all, [240, dim]));
    writeFileSync(join(dir, 'pa.npy'), writeNpy(all.subarray(0, 150 * dim), [150, dim]));
    writeFileSync(join(dir, 'pb.npy'), writeNpy(all.subarray(150 * dim), [90, dim]));
    const one = await auditFiles([a, b], { ...quick, maxRows: 0, embeddings: [join(dir, 'all.npy')] });
    const two = await auditFiles([a, b], { ...quick, maxRows: 0, embeddings: [join(dir, 'pa.npy'), join(dir, 'pb.npy')] });
    assert.deepEqual(one.rows.map((r) => r.dAN), two.rows.map((r) => r.dAN));
    await assert.rejects(auditFiles([a, b], { ...quick, maxRows: 0, embeddings: [join(dir, 'pb.npy'), join(dir, 'pa.npy')] }), /pb\.npy: 90 vectors for the 150 data rows of part_train\.csv/);
  });
});

describe('saving the cross-fitted encoder of explicit triplets', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'ta-space-tri-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tri = join(dir, 'snli.jsonl'), other = join(dir, 'other.jsonl');
  const opts = { ...quick, maxRows: 0 };
  let made: AuditReport;

  before(async () => {
    await initBackend('cpu');
    const rows = readJsonl(SNLI);
    writeFileSync(tri, toJsonl(rows.slice(0, 150)));
    writeFileSync(other, toJsonl(rows.slice(150, 300)));
    made = await auditFile(tri, { ...opts, saveModel: join(dir, 'model'), saveEmbeddings: join(dir, 'emb.npy') });
  });

  it('writes three stacked vectors per row ([rows, 3, K dim]), the rows\' folds and text hashes, and the triplet featurizer\'s vocabulary', () => {
    const npy = readNpy(readFileSync(join(dir, 'emb.npy')));
    assert.deepEqual(npy.shape, [150, 3, 3 * 64]);
    const meta = JSON.parse(readFileSync(join(dir, 'emb.npy.triplet-audit.json'), 'utf8'));
    assert.equal(meta.kind, 'triplets');
    assert.equal(meta.folds, 3);
    assert.deepEqual(meta.rows.map((r: { fold: number }) => r.fold), made.rows.map((r) => r.fold));
    // each of the row's three vectors is unit length in every fold block (the fold encoders' own output)
    for (let q = 0; q < 3 * 150; q += 37) {
      for (let f = 0; f < 3; f++) {
        const v = npy.data.subarray(q * 192 + f * 64, q * 192 + f * 64 + 64);
        assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4);
      }
    }
    const decl = JSON.parse(readFileSync(join(dir, 'model', 'triplet-audit-model.json'), 'utf8'));
    assert.equal(decl.input.type, 'text');
    assert.deepEqual(decl.input.featurizer, TRIPLET_FEATURIZER);
    assert.equal(decl.input.vocabulary.buckets.length, made.model.featureDim);
    assert.deepEqual(decl.output, { folds: 3, dim: 64 });
    assert.equal(decl.rows.length, 150);
  });

  it('an audit with --embeddings reproduces it: each triplet in its fold\'s block, the same distances and categories', async () => {
    const again = await auditFile(tri, { ...opts, embeddings: [join(dir, 'emb.npy')] });
    assertReproduced(made, again, '--embeddings');
    assert.equal(again.model.space?.rule, 'out-of-fold');
    assert.match(again.model.space!.description, /three texts measured in the space of the fold that never saw its anchor/);
    assert.deepEqual(again.rows.map((r) => r.suspicion), made.rows.map((r) => r.suspicion));
  });

  it('an audit with --model (the saved LayersModel, run by TensorFlow.js on the featurised texts) reproduces it too', async () => {
    const again = await auditFile(tri, { ...opts, model: join(dir, 'model') });
    assertReproduced(made, again, '--model');
    assert.equal(again.model.space?.source, 'model');
    assert.equal(again.model.space?.rule, 'out-of-fold');
    assert.ok(again.map && made.map);
    let worst = 0;
    made.map.x.forEach((v, i) => { worst = Math.max(worst, Math.abs(Math.abs(v) - Math.abs(again.map!.x[i]))); });
    assert.ok(worst < 1e-3, `map differs by ${worst}`);
  });

  it('rows it was not saved with are measured in one space, the mean of the fold blocks: by the model as from the saved vectors', async () => {
    const lines = readFileSync(tri, 'utf8').split('\n');
    const edited = join(dir, 'edited.jsonl');
    lines[4] = JSON.stringify({ anchor: 'An edited anchor about a dog on a beach.', positive: 'A dog is outside.', negative: 'A cat sleeps indoors.' });
    writeFileSync(edited, lines.join('\n'));
    const viaModel = await auditFile(edited, { ...opts, model: join(dir, 'model') });
    assert.equal(viaModel.model.space?.rule, 'one-space');
    assert.match(viaModel.model.space!.description, /149 of 150 rows/);
    // the unedited rows' distances, computed here from the saved .npy: each text the normalised mean of its normalised fold blocks
    const npy = readNpy(readFileSync(join(dir, 'emb.npy')));
    const mean = (q: number) => {
      const m = new Float64Array(64);
      for (let f = 0; f < 3; f++) {
        const v = npy.data.subarray(q * 192 + f * 64, q * 192 + f * 64 + 64), nv = Math.hypot(...v);
        v.forEach((t, d) => { m[d] += t / nv; });
      }
      const nm = Math.hypot(...m);
      return Array.from(m, (t) => t / nm);
    };
    const dist = (a: number[], b: number[]) => Math.hypot(...a.map((t, d) => t - b[d]));
    let worst = 0;
    viaModel.rows.forEach((r, i) => {
      assert.equal(r.category, classify(r.dAP!, r.dAN!, viaModel.settings.margin));
      if (i === 4) return;
      const [a, p, n] = [0, 1, 2].map((k) => mean(3 * i + k));
      worst = Math.max(worst, Math.abs(r.dAP! - dist(a, p)), Math.abs(r.dAN! - dist(a, n)));
    });
    assert.ok(worst < 1e-4, `one space: the model's distances differ from the saved vectors' by ${worst}`);
  });

  it('the saved model embeds another file\'s texts sensibly: it orders its triplets about as well as that file\'s own audit', async () => {
    const own = await auditFile(other, opts);
    const viaModel = await auditFile(other, { ...opts, model: join(dir, 'model') });
    assert.equal(viaModel.model.space?.rule, 'one-space');
    assert.match(viaModel.model.space!.description, /0 of 150 rows/);
    const ordered = (r: AuditReport) => r.rows.filter((x) => x.dAP! < x.dAN!).length / r.rows.length;
    // trained on 100 other triplets for 2 epochs: well above chance (0.5), near the file's own cross-fitted encoder
    assert.ok(ordered(viaModel) > 0.6, `ordered ${ordered(viaModel)}`);
    assert.ok(ordered(viaModel) > ordered(own) - 0.1, `ordered ${ordered(viaModel)} against the file's own ${ordered(own)}`);
  });

  it('an anchor repeated as its own positive is at distance 0, in the audit and in its saved space (not sqrt(2 - 2 cos) of float32 norms)', async () => {
    // 30 such rows: a float32 norm is as often below 1 as above, where sqrt(2 - 2 cos) read ~0.0004
    const rows = readJsonl(SNLI).slice(0, 150).map((r, i) => (i % 5 === 4 ? { ...r, positive: r.anchor } : r));
    const same = join(dir, 'same.jsonl');
    writeFileSync(same, toJsonl(rows));
    const own = await auditFile(same, { ...opts, saveEmbeddings: join(dir, 'same.npy') });
    const again = await auditFile(same, { ...opts, embeddings: [join(dir, 'same.npy')] });
    assertReproduced(own, again, 'd(a,a)');
    for (let i = 4; i < 150; i += 5) {
      assert.ok(own.rows[i].dAP! < 1e-6, `row ${i}: d(a,a) = ${own.rows[i].dAP}`);
      assert.ok(again.rows[i].dAP! < 1e-6);
    }
  });

  it('refuses saved embeddings of the other shape or of another file, naming the file', async () => {
    await assert.rejects(auditFile(sample, { ...quick, embeddings: [join(dir, 'emb.npy')] }),
      (e: Error) => e instanceof InputError && e.message.startsWith(`${join(dir, 'emb.npy')}: these embeddings were saved by an audit of explicit triplets (three vectors per row: anchor, positive, negative), but sample.csv holds labeled rows`));
    writeFileSync(join(dir, 'longer.jsonl'), toJsonl(readJsonl(SNLI).slice(0, 200)));
    await assert.rejects(auditFile(join(dir, 'longer.jsonl'), { ...opts, embeddings: [join(dir, 'emb.npy')] }), /emb\.npy: 450 vectors for the 200 data rows of longer\.jsonl \(explicit triplets: three per row, anchor, positive, negative\)/);
    // a labeled audit's saved embeddings (metadata without a kind: files saved before triplets were) on a triplet file
    const labeledDir = join(dir, 'labeled');
    await auditFile(sample, { ...quick, saveEmbeddings: join(labeledDir, 'emb.npy') });
    const metaFile = join(labeledDir, 'emb.npy.triplet-audit.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    assert.equal(meta.kind, 'labeled');
    delete meta.kind;
    writeFileSync(metaFile, JSON.stringify(meta));
    await assert.rejects(auditFile(tri, { ...opts, embeddings: [join(labeledDir, 'emb.npy')] }),
      /emb\.npy: these embeddings were saved by an audit of labeled rows \(one vector per row\), but snli\.jsonl holds explicit triplets/);
  });
});
