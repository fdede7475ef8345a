/** The benchmarks' large labeled files: ../shared/bench/make_big.py output, cached under the OS temp folder. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BENCH_CACHE = join(tmpdir(), 'triplet-audit-bench');

/** The path of a `rows`-row file, made on first use (make_big.py is seeded: same rows every time). */
export function bigFile(rows: number): string {
  mkdirSync(BENCH_CACHE, { recursive: true });
  const file = join(BENCH_CACHE, `big_${rows}.csv`);
  if (!existsSync(file)) {
    const r = spawnSync('python3', [join(__dirname, '..', '..', 'shared', 'bench', 'make_big.py'), String(rows), file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make_big.py failed: ${r.stderr}`);
  }
  return file;
}
