/**
 * npm run bench:quality [-- --seeds 1,2,3] [--rate 0.1] [--only trec,sms] [--cli-args "--epochs 3"] [--anchor] [--skip-clean]
 *   [--variants] [--baseline path/to/dist/cli.js]
 *
 * --baseline: another build of the CLI (e.g. a git worktree of an earlier commit) audits each
 * labeled copy too, in the same run, for its AP and its time: wall and CPU seconds of both (CPU
 * from /usr/bin/time, user + system, every thread), and their ratio. --variants adds labeled files
 * of other shapes made from the shared ones (bench/variants.py).
 *
 * For each dataset of ../shared/datasets: a corrupted copy made by ../shared/bench/make_noisy.py
 * (rate 0.1, seed 1 unless --seeds / --rate say otherwise), an audit with default settings through
 * the built CLI (timed end to end, as a user would run it), and average precision / precision at K
 * of the report's `suspicion` against the truth file (ties broken by row order). The anchor's
 * columns are ANCHORS.md's (measured at seed 1, rate 0.1); --anchor also runs the anchor's recipe
 * on each copy (bench/anchor.py, scikit-learn; Debian's python3-sklearn is installed if absent)
 * and compares with that, so that other seeds and rates have an anchor too.
 *
 * Explicit triplets (snli, mnli) get a second table, per error kind, next to the lexical anchor
 * (TF-IDF cosines of letter trigrams and words, the audit's own lexical features): swapped and
 * foreign positives (make_noisy.py's copy, ranked by `suspicion`, lexical sim(a,n) - sim(a,p)),
 * random negatives (bench/make_triplet_errors.py random-negative, ranked by `trivial`, lexical:
 * low sim(a,n)) and false negatives (make_triplet_errors.py false-negative, and --unlisted,
 * where the rows whose positives were taken are gone: ranked by `falseNegative`, lexical
 * sim(a,n) - sim(a,p)); with the flag's precision and recall, the audit's seconds, and for the
 * clean file the categories' shares at margin 0.2. --mine also runs `triplet-audit mine` on each
 * clean file: the share of anchors given negatives in the band and the mined negatives that are
 * an anchor's positive or a duplicate; --reaudit audits the mined file too (its categories under
 * new fold encoders).
 * The column "cleanAP" (labeled sets; n/a for triplets, whose scores a user's space does not
 * change; --skip-clean leaves it out): the same corrupted copy audited
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
import { SCORING, withFitted } from '../src/core/score';
import { featurize, rowDot, TRIPLET_FEATURIZER } from '../src/core/featurize';

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

/**
 * A CLI run with its wall and CPU seconds (user + system of the process and its threads, from
 * /usr/bin/time; NaN where that is missing).
 */
function timedCli(cli: string, args: string[]): { status: number | null; stdout: string; stderr: string; wall: number; cpu: number } {
  const t0 = process.hrtime.bigint();
  const viaTime = existsSync('/usr/bin/time');
  const r = viaTime
    ? spawnSync('/usr/bin/time', ['-f', 'TA_CPU %U %S', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /TA_CPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

/** Index of the largest value of p[o..o+C) (the first on ties). */
function argmax(p: ArrayLike<number>, o: number, C: number): number {
  let b = 0;
  for (let c = 1; c < C; c++) if (p[o + c] > p[o + b]) b = c;
  return b;
}

/**
 * Per signal of a labeled audit (`--signals`): the AP of ranking rows by 1 - its label score (the
 * given label's out-of-fold probability, averaged with the fitted one where the audit does so,
 * score.ts withFitted), and the accuracy of its out-of-fold argmax against the clean labels.
 * "encoder" is the encoder's own score (its head and the kNN vote in its space, as the audit weighs
 * them, without the linear model).
 */
function signalQuality(sig: LabelSignals, rowCount: number, truth: Map<number, string>, weights: { head: number; knn: number }) {
  const C = sig.labels.length, n = sig.y.length;
  const probs = { ...sig.probs };
  const w = weights.head + weights.knn;
  const given = (name: string, p: number[], i: number) => withFitted(p[i * C + sig.y[i]], sig.fitted?.[name]?.[i] ?? NaN);
  const encoder = (i: number) => (weights.head * given('head', sig.probs.head, i) + weights.knn * sig.probs.knn[i * C + sig.y[i]]) / w;
  probs.encoder = sig.probs.head.map((h, i) => (weights.head * h + weights.knn * sig.probs.knn[i]) / w);
  const out: Record<string, { ap: number; acc: number }> = {};
  for (const [name, p] of Object.entries(probs)) {
    const scores = new Array<number>(rowCount).fill(-1);
    let right = 0;
    for (let i = 0; i < n; i++) {
      scores[sig.rows[i]] = 1 - (name === 'encoder' ? encoder(i) : given(name, p, i));
      const clean = truth.get(sig.rows[i]) ?? sig.labels[sig.y[i]];
      if (sig.labels[argmax(p, i * C, C)] === clean) right++;
    }
    out[name] = { ap: rankQuality(scores, new Set(truth.keys())).ap, acc: right / n };
  }
  return out;
}

function main(): void {
  const { values } = parseArgs({ options: { seeds: { type: 'string' }, rate: { type: 'string' }, only: { type: 'string' }, 'cli-args': { type: 'string' }, anchor: { type: 'boolean' }, 'skip-clean': { type: 'boolean' }, variants: { type: 'boolean' }, mine: { type: 'boolean' }, reaudit: { type: 'boolean' }, baseline: { type: 'string' } } });
  const baseline = values.baseline;
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
    ...(py ? ['recipeAP', 'recipe s', 'AP-recipe'] : []), ...(clean ? ['cleanAP', 'cleanP@K'] : []),
    ...(baseline ? ['baseAP', 'base s', 'CPU s', 'base CPU', 'CPU/base'] : [])]);
  /** The clean file's stacked out-of-fold embeddings (one audit per dataset, with the same settings). */
  const cleanSpace = new Map<string, string | undefined>();
  const spaceOf = (d: Dataset): string | undefined => {
    // explicit triplets: n/a. Their encoder is saved too, but a user's space gives a triplet file
    // only its distances and categories (the error scores stay the audit's own: the same AP), and
    // a corrupted copy's changed rows are other texts than the clean file's vectors
    if (d.mode !== 'labels') return undefined;
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
        const run = timedCli(cli, [noisy, '--format', 'json', '-q', ...(d.mode === 'labels' ? ['--signals', signals] : []), ...extra]);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        if (run.status !== 0) throw new Error(`audit of ${d.file} failed (${run.status}): ${run.stderr}`);
        const base = baseline && d.mode === 'labels' ? timedCli(baseline, [noisy, '--format', 'json', '-q', ...extra]) : undefined;
        if (base && base.status !== 0) throw new Error(`the baseline's audit of ${d.file} failed (${base.status}): ${base.stderr}`);
        const baseAP = base ? rankQuality((JSON.parse(base.stdout) as { rows: { suspicion: number }[] }).rows.map((r) => r.suspicion), truthRows).ap : undefined;
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
          ...(clean ? (withClean ? [withClean.ap.toFixed(3), withClean.pk.toFixed(3)] : ['n/a', 'n/a']) : []),
          ...(baseline ? (base ? [baseAP!.toFixed(3), base.wall.toFixed(1), run.cpu.toFixed(1), base.cpu.toFixed(1), (run.cpu / base.cpu).toFixed(2)] : ['-', '-', '-', '-', '-']) : [])]);
      }
    }
  }
  console.log(`total: ${runs} audits, ${rows} rows, ${corrupt} corrupted, ${seconds.toFixed(1)} s; AP above ANCHORS.md (seed 1, rate 0.1) in ${wins} runs` +
    (py ? `; AP above the recipe run on the same copy in ${recipeWins}/${runs}` : ''));
  const triplets = DATASETS.filter((x) => x.mode === 'triplets' && (!only || only.includes(x.key)));
  for (const rate of triplets.length ? rates : []) tripletKinds(triplets, seeds, rate, cli, extra, work, !!values.mine, !!values.reaudit);
}

interface TripletRow { anchor: string; positive: string; negative: string }
interface AuditedRow { suspicion: number; trivial?: number; falseNegative?: number; flags: string[]; category: string | null }

/** The audit of a file through the built CLI, timed: its rows and seconds. */
function audit(cli: string, file: string, extra: string[]): { rows: AuditedRow[]; seconds: number; cpu: number } {
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [cli, file, '--format', 'json', '-q', ...extra], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (run.status !== 0) throw new Error(`audit of ${file} failed (${run.status}): ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { rows: AuditedRow[]; timings: Record<string, number> };
  return { rows: report.rows, seconds, cpu: report.timings.cpu ?? NaN };
}

/** sim(a,p) and sim(a,n) per row: TF-IDF cosines of letter trigrams and words (the audit's lexical features). */
function lexical(rows: TripletRow[]): { ap: Float32Array; an: Float32Array } {
  const n = rows.length;
  const x = featurize([...rows.map((r) => r.anchor), ...rows.map((r) => r.positive), ...rows.map((r) => r.negative)], TRIPLET_FEATURIZER);
  return { ap: Float32Array.from(rows, (_, i) => rowDot(x, i, x, n + i)), an: Float32Array.from(rows, (_, i) => rowDot(x, i, x, 2 * n + i)) };
}

/** Precision and recall of a flag against the truth. */
function flagQuality(flagged: boolean[], truth: Set<number>): { p: number; r: number; n: number } {
  let hit = 0, n = 0;
  flagged.forEach((f, i) => { if (f) { n++; if (truth.has(i)) hit++; } });
  return { p: n ? hit / n : 0, r: truth.size ? hit / truth.size : 0, n };
}

function tripletKinds(datasets: Dataset[], seeds: number[], rate: string, cli: string, extra: string[], work: string, mine: boolean, reaudit: boolean): void {
  console.log('\nexplicit triplets, per error kind (lexical: TF-IDF cosines of letter trigrams and words; flag: the row\'s own flag)');
  const line = (cols: string[]) => console.log(cols.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 8 : 18) : c.padStart(9))).join(' '));
  line(['dataset', 'kind', 'seed', 'rows', 'corrupt', 'AP', 'lexicalAP', 'flag P', 'flag R', 'flagged', 'seconds', 'CPU s']);
  const read = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TripletRow);
  for (const d of datasets) {
    const source = join(shared, 'datasets', d.file);
    // the clean file: the categories at margin 0.2 and the audit's time
    const clean = audit(cli, source, extra);
    const share = (c: string) => (clean.rows.filter((r) => r.category === c).length / clean.rows.length * 100).toFixed(1);
    console.log(`${d.key} as shipped: ${clean.rows.length} triplets audited in ${clean.seconds.toFixed(1)} s (${clean.cpu.toFixed(1)} s of CPU); at margin 0.2 easy ${share('easy')}%, semi-hard ${share('semi-hard')}%, hard ${share('hard')}%; ` +
      `flagged trivially easy ${clean.rows.filter((r) => r.flags.includes('trivially-easy')).length}, false negative ${clean.rows.filter((r) => r.flags.includes('false-negative')).length}, mislabeled ${clean.rows.filter((r) => r.flags.includes('mislabeled')).length}`);
    for (const seed of seeds) {
      const copies: { kind: string; file: string; truthFile: string; make: string[] }[] = [
        { kind: 'swap+foreign', file: join(work, `${seed}_noisy_${d.file}`), truthFile: '', make: [join(shared, 'bench', 'make_noisy.py'), 'triplets'] },
        { kind: 'random-negative', file: join(work, `${seed}_rn_${d.file}`), truthFile: '', make: [join(__dirname, 'make_triplet_errors.py'), 'random-negative'] },
        { kind: 'false-negative', file: join(work, `${seed}_fn_${d.file}`), truthFile: '', make: [join(__dirname, 'make_triplet_errors.py'), 'false-negative'] },
        { kind: 'false-neg. unlisted', file: join(work, `${seed}_fnu_${d.file}`), truthFile: '', make: [join(__dirname, 'make_triplet_errors.py'), 'false-negative', '--unlisted'] },
      ];
      for (const c of copies) {
        c.truthFile = `${c.file}.truth.json`;
        const [script, mode, ...flags] = c.make;
        const mk = spawnSync('python3', [script, mode, source, c.file, c.truthFile, '--rate', rate, '--seed', String(seed), ...flags], { encoding: 'utf8' });
        if (mk.status !== 0) throw new Error(`${script} failed on ${d.file}: ${mk.stderr}`);
        const truth = (JSON.parse(readFileSync(c.truthFile, 'utf8')) as { corrupted: { row: number; how: string }[] }).corrupted;
        const rows = read(c.file);
        const { rows: out, seconds, cpu } = audit(cli, c.file, extra);
        const lex = lexical(rows);
        const lexMargin = Array.from(lex.an, (v, i) => v - lex.ap[i]);
        const row = (kind: string, score: number[], lexScore: number[], flag: string, t: Set<number>, skip: Set<number>) => {
          // the other kind of the same copy stays out of the ranking
          const keep = score.map((_, i) => i).filter((i) => !skip.has(i));
          const tt = new Set(keep.map((i, k) => (t.has(i) ? k : -1)).filter((k) => k >= 0));
          const q = rankQuality(keep.map((i) => score[i]), tt), lq = rankQuality(keep.map((i) => lexScore[i]), tt);
          const fq = flagQuality(keep.map((i) => out[i].flags.includes(flag)), tt);
          line([d.key, kind, String(seed), String(keep.length), String(tt.size), q.ap.toFixed(3), lq.ap.toFixed(3), fq.p.toFixed(2), fq.r.toFixed(2), String(fq.n), seconds.toFixed(1), cpu.toFixed(1)]);
        };
        const all = new Set(truth.map((x) => x.row));
        if (c.kind === 'swap+foreign') {
          const susp = out.map((r) => r.suspicion);
          const swapped = new Set(truth.filter((x) => x.how === 'swapped').map((x) => x.row)), foreign = new Set(truth.filter((x) => x.how !== 'swapped').map((x) => x.row));
          row('swap+foreign', susp, lexMargin, 'mislabeled', all, new Set());
          row('  swapped', susp, lexMargin, 'mislabeled', swapped, foreign);
          row('  foreign positive', susp, lexMargin, 'mislabeled', foreign, swapped);
        } else if (c.kind === 'random-negative') {
          row('random-negative', out.map((r) => r.trivial ?? 0), Array.from(lex.an, (v) => -v), 'trivially-easy', all, new Set());
        } else {
          row(c.kind, out.map((r) => r.falseNegative ?? 0), lexMargin, 'false-negative', all, new Set());
        }
      }
    }
    if (mine) mineCheck(d, cli, work, reaudit, extra);
  }
}

/** `triplet-audit mine` on the clean file: its printed summary, and with --reaudit the mined file's categories under a new audit. */
function mineCheck(d: Dataset, cli: string, work: string, reaudit: boolean, extra: string[]): void {
  const out = join(work, `mined_${d.file}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'mine', join(shared, 'datasets', d.file), '--out', out, '-q'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`mine failed on ${d.file}: ${r.stderr}`);
  console.log(`${d.key} mine (${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s):\n  ${r.stdout.trim().split('\n').join('\n  ')}`);
  if (!reaudit) return;
  const { rows, seconds } = audit(cli, out, extra);
  const share = (c: string) => (rows.filter((x) => x.category === c).length / rows.length * 100).toFixed(1);
  console.log(`  the mined file re-audited (new fold encoders, which trained on the other folds' mined triplets; ${seconds.toFixed(1)} s): easy ${share('easy')}%, semi-hard ${share('semi-hard')}%, hard ${share('hard')}%`);
}



if (require.main === module) main();
