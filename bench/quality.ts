/**
 * npm run bench:quality [-- --seeds 1,2,3] [--rate 0.1] [--only trec,sms] [--cli-args "--epochs 3"] [--anchor] [--skip-clean]
 *
 * For each dataset of ../shared/datasets: a corrupted copy made by ../shared/bench/make_noisy.py
 * (rate 0.1, seed 1 unless --seeds / --rate say otherwise), an audit with default settings through
 * the built CLI (timed end to end, as a user would run it), and average precision / precision at K
 * of the report's `suspicion` against the truth file (ties broken by row order). The anchor's
 * columns are ANCHORS.md's (measured at seed 1, rate 0.1); --anchor also runs the anchor's recipe
 * on each copy (bench/anchor.py, scikit-learn; Debian's python3-sklearn is installed if absent)
 * and compares with that, so that other seeds and rates have an anchor too.
 *
 * The column "cleanAP" (labeled sets; --skip-clean leaves it out): the same corrupted copy audited
 * with --embeddings of a model trained on the clean file (its audit's --save-embeddings: the
 * stacked out-of-fold embeddings, so each row is measured by a fold model that never saw it, whose
 * neighbours knew the true labels): an upper bound of what a user's good model buys the label
 * scores (its space gives the neighbours, their vote and the distances; the linear model and the
 * head stay the audit's own).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LabelSignals } from '../src/core/engineApi';
import { SCORING } from '../src/core/score';

const root = join(__dirname, '..');
const shared = join(root, '..', 'shared');

interface Dataset { key: string; file: string; mode: 'labels' | 'triplets'; anchorAP: number; anchorPK: number; anchorSeconds: number; dir?: string }

/** ../shared/bench/ANCHORS.md: cleanlab's recipe (TF-IDF + logistic regression) and lexical TF-IDF for triplets. */
const DATASETS: Dataset[] = [
  { key: 'trec', file: 'trec_train.csv', mode: 'labels', anchorAP: 0.863, anchorPK: 0.793, anchorSeconds: 26 },
  { key: 'sms', file: 'sms_spam.tsv', mode: 'labels', anchorAP: 0.967, anchorPK: 0.930, anchorSeconds: 5 },
  { key: 'agnews', file: 'ag_news_test.jsonl', mode: 'labels', anchorAP: 0.793, anchorPK: 0.751, anchorSeconds: 88 },
  { key: 'chnsenticorp', file: 'chnsenticorp_htl_all.jsonl', mode: 'labels', anchorAP: 0.749, anchorPK: 0.686, anchorSeconds: 28 },
  { key: 'snli', file: 'nli_triplets_snli_dev.jsonl', mode: 'triplets', anchorAP: 0.426, anchorPK: 0.468, anchorSeconds: 1 },
  { key: 'mnli', file: 'nli_triplets_mnli_dev_matched.jsonl', mode: 'triplets', anchorAP: 0.560, anchorPK: 0.536, anchorSeconds: 3 },
];

/** --variants: labeled files of other shapes made from the shared ones (bench/variants.py), with no ANCHORS.md figures. */
function variants(): Dataset[] {
  const dir = join(root, 'bench', 'out', 'variants');
  const r = spawnSync('python3', [join(__dirname, 'variants.py'), dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`variants.py failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((file) => ({ key: file.replace(/\.[a-z]+$/, ''), file, dir, mode: 'labels' as const, anchorAP: NaN, anchorPK: NaN, anchorSeconds: NaN }));
}

/** Average precision and precision at K (K = number of corrupted rows) of a ranking by score. */
export function rankQuality(scores: number[], truth: Set<number>): { ap: number; pk: number } {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const K = truth.size;
  let hits = 0, sum = 0, pk = 0;
  order.forEach((i, r) => {
    if (truth.has(i)) { hits++; sum += hits / (r + 1); }
    if (r === K - 1) pk = hits / K;
  });
  return { ap: K ? sum / K : 0, pk };
}

/** A python3 with scikit-learn (Debian's, installed when no python3 has it), or undefined. */
function sklearnPython(): string | undefined {
  const has = (py: string) => spawnSync(py, ['-c', 'import sklearn, scipy'], { stdio: 'ignore' }).status === 0;
  for (const py of ['python3', '/usr/bin/python3']) if (has(py)) return py;
  console.log('scikit-learn is missing: installing python3-sklearn (apt)');
  spawnSync('apt-get', ['install', '-y', '-q', 'python3-sklearn'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return has('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
}

/**
 * The anchor's recipe on one corrupted copy (bench/anchor.py), cached in bench/out/ by the copy's
 * sha256 (the recipe takes 25-75 s a file and does not change).
 */
function recipe(py: string, mode: Dataset['mode'], noisy: string, truthFile: string): { ap: number; pk: number; seconds: number } {
  const key = createHash('sha256').update(readFileSync(noisy)).update(readFileSync(truthFile)).digest('hex').slice(0, 16);
  const cache = join(root, 'bench', 'out', `recipe-${key}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8'));
  const r = spawnSync(py, [join(__dirname, 'anchor.py'), mode, noisy, truthFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`anchor.py failed on ${noisy}: ${r.stderr}`);
  mkdirSync(dirname(cache), { recursive: true });
  writeFileSync(cache, r.stdout);
  return JSON.parse(r.stdout) as { ap: number; pk: number; seconds: number };
}

/** Index of the largest value of p[o..o+C) (the first on ties). */
function argmax(p: ArrayLike<number>, o: number, C: number): number {
  let b = 0;
  for (let c = 1; c < C; c++) if (p[o + c] > p[o + b]) b = c;
  return b;
}

/**
 * Per signal of a labeled audit (`--signals`): the AP of ranking rows by 1 - p(given label), and
 * the accuracy of its argmax against the clean labels. "encoder" is the encoder's own score (its
 * head and the kNN vote in its space, as the audit weighs them, without the linear model).
 */
function signalQuality(sig: LabelSignals, rowCount: number, truth: Map<number, string>, weights: { head: number; knn: number }) {
  const C = sig.labels.length, n = sig.y.length;
  const probs = { ...sig.probs };
  const w = weights.head + weights.knn;
  probs.encoder = sig.probs.head.map((h, i) => (weights.head * h + weights.knn * sig.probs.knn[i]) / w);
  const out: Record<string, { ap: number; acc: number }> = {};
  for (const [name, p] of Object.entries(probs)) {
    const scores = new Array<number>(rowCount).fill(-1);
    let right = 0;
    for (let i = 0; i < n; i++) {
      scores[sig.rows[i]] = 1 - p[i * C + sig.y[i]];
      const clean = truth.get(sig.rows[i]) ?? sig.labels[sig.y[i]];
      if (sig.labels[argmax(p, i * C, C)] === clean) right++;
    }
    out[name] = { ap: rankQuality(scores, new Set(truth.keys())).ap, acc: right / n };
  }
  return out;
}

function main(): void {
  const { values } = parseArgs({ options: { seeds: { type: 'string' }, rate: { type: 'string' }, only: { type: 'string' }, 'cli-args': { type: 'string' }, anchor: { type: 'boolean' }, 'skip-clean': { type: 'boolean' }, variants: { type: 'boolean' } } });
  const clean = !values['skip-clean'];
  const seeds = (values.seeds ?? '1').split(',').map(Number);
  const rates = (values.rate ?? '0.1').split(',');
  const py = values.anchor ? sklearnPython() : undefined;
  if (values.anchor && !py) throw new Error('--anchor needs scikit-learn (python3-sklearn could not be installed)');
  const only = values.only?.split(',');
  const extra = values['cli-args']?.split(' ').filter(Boolean) ?? [];
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build');
  const work = mkdtempSync(join(tmpdir(), 'ta-quality-'));
  const line = (cols: string[]) => console.log(cols.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(9))).join(' '));
  line(['dataset', 'seed', 'rate', 'rows', 'corrupt', 'AP', 'P@K', 'seconds', 'anchorAP', 'anchor s', 'AP>anch',
    'encAP', 'linAP', 'enc/lin', 'kNNacc', 'linAcc', 'headAcc',
    ...(py ? ['recipeAP', 'recipe s', 'AP-recipe'] : []), ...(clean ? ['cleanAP', 'cleanP@K'] : [])]);
  /** The clean file's stacked out-of-fold embeddings (one audit per dataset, with the same settings). */
  const cleanSpace = new Map<string, string | undefined>();
  const spaceOf = (d: Dataset): string | undefined => {
    if (d.mode !== 'labels') return undefined; // explicit triplets have no encoder to save
    if (!cleanSpace.has(d.key)) {
      const npy = join(work, `${d.key}.clean.npy`);
      const r = spawnSync(process.execPath, [cli, join(d.dir ?? join(shared, 'datasets'), d.file), '--format', 'json', '-q', '--out', join(work, `${d.key}.clean.json`), '--save-embeddings', npy, ...extra], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`audit of the clean ${d.file} failed (${r.status}): ${r.stderr}`);
      cleanSpace.set(d.key, npy);
    }
    return cleanSpace.get(d.key);
  };
  let rows = 0, corrupt = 0, seconds = 0, wins = 0, runs = 0, recipeWins = 0;
  const datasets = [...DATASETS, ...(values.variants ? variants() : [])];
  for (const d of datasets.filter((x) => !only || only.includes(x.key))) {
    for (const rate of rates) {
      for (const seed of seeds) {
        const noisy = join(work, `${seed}_${rate}_${d.file}`), truthFile = `${noisy}.truth.json`, signals = `${noisy}.signals.json`;
        const mk = spawnSync('python3', [join(shared, 'bench', 'make_noisy.py'), d.mode, join(d.dir ?? join(shared, 'datasets'), d.file), noisy, truthFile, '--rate', rate, '--seed', String(seed)], { encoding: 'utf8' });
        if (mk.status !== 0) throw new Error(`make_noisy.py failed on ${d.file}: ${mk.stderr}`);
        const corrupted = (JSON.parse(readFileSync(truthFile, 'utf8')) as { corrupted: { row: number; was?: string }[] }).corrupted;
        const truth = new Map<number, string>(corrupted.map((c) => [c.row, c.was ?? '']));
        const truthRows = new Set(truth.keys());
        const t0 = process.hrtime.bigint();
        const run = spawnSync(process.execPath, [cli, noisy, '--format', 'json', '-q', ...(d.mode === 'labels' ? ['--signals', signals] : []), ...extra], { encoding: 'utf8', maxBuffer: 1 << 30 });
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        if (run.status !== 0) throw new Error(`audit of ${d.file} failed (${run.status}): ${run.stderr}`);
        const report = JSON.parse(run.stdout) as { rows: { suspicion: number }[] };
        const q = rankQuality(report.rows.map((r) => r.suspicion), truthRows);
        rows += report.rows.length; corrupt += truth.size; seconds += s; runs++;
        const anchorKnown = rate === '0.1' && seed === 1 && !d.dir;
        if (anchorKnown && q.ap > d.anchorAP) wins++;
        const sq = d.mode === 'labels' ? signalQuality(JSON.parse(readFileSync(signals, 'utf8')) as LabelSignals, report.rows.length, truth, SCORING) : undefined;
        const own = py ? recipe(py, d.mode, noisy, truthFile) : undefined;
        if (own && q.ap > own.ap) recipeWins++;
        let withClean: { ap: number; pk: number } | undefined;
        const space = clean ? spaceOf(d) : undefined;
        if (space) {
          const r2 = spawnSync(process.execPath, [cli, noisy, '--format', 'json', '-q', '--embeddings', space, ...extra], { encoding: 'utf8', maxBuffer: 1 << 30 });
          if (r2.status !== 0) throw new Error(`audit of ${d.file} with the clean embeddings failed (${r2.status}): ${r2.stderr}`);
          withClean = rankQuality((JSON.parse(r2.stdout) as { rows: { suspicion: number }[] }).rows.map((r) => r.suspicion), truthRows);
        }
        const f3 = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));
        line([d.key, String(seed), rate, String(report.rows.length), String(truth.size), q.ap.toFixed(3), q.pk.toFixed(3), s.toFixed(1),
          anchorKnown ? d.anchorAP.toFixed(3) : '-', d.dir ? '-' : String(d.anchorSeconds), anchorKnown ? (q.ap > d.anchorAP ? 'yes' : 'no') : '-',
          f3(sq?.encoder.ap), f3(sq?.linear.ap), sq ? (sq.encoder.ap / sq.linear.ap).toFixed(2) : '-',
          f3(sq?.knn.acc), f3(sq?.linear.acc), f3(sq?.head.acc),
          ...(own ? [own.ap.toFixed(3), own.seconds.toFixed(1), (q.ap - own.ap >= 0 ? '+' : '') + (q.ap - own.ap).toFixed(3)] : []),
          ...(clean ? (withClean ? [withClean.ap.toFixed(3), withClean.pk.toFixed(3)] : ['n/a', 'n/a']) : [])]);
      }
    }
  }
  console.log(`total: ${runs} audits, ${rows} rows, ${corrupt} corrupted, ${seconds.toFixed(1)} s; AP above ANCHORS.md (seed 1, rate 0.1) in ${wins} runs` +
    (py ? `; AP above the recipe run on the same copy in ${recipeWins}/${runs}` : ''));
}

if (require.main === module) main();
