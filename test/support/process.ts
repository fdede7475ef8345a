/** Whether process `pid` still runs: it answers signal 0 and (Linux) is not a zombie. */
import { readFileSync } from 'node:fs';

export function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  if (process.platform !== 'linux') return true;
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}
