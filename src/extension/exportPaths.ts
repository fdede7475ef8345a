/** Where an export may not write (no `vscode`: the unit tests check it). */
import * as path from 'node:path';
import { sidecarPath } from './logic/reviewed';

/**
 * What a cleaned copy written to `outputs` would overwrite of the source's: the dataset itself or
 * its reviewed marks (by path, as the file system compares them; the job checks the files too).
 */
export function overwrites(source: string, outputs: Array<[string, string]>): string | undefined {
  const key = (p: string) => (process.platform === 'win32' || process.platform === 'darwin' ? path.resolve(p).toLowerCase() : path.resolve(p));
  const kept = new Map([[key(source), `the dataset ${path.basename(source)}`], [key(sidecarPath(source)), `the reviewed marks of ${path.basename(source)}`]]);
  for (const [what, p] of outputs) {
    const hit = kept.get(key(p));
    if (hit) return `${what} would be written over ${hit}`;
  }
  return undefined;
}
