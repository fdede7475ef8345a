/** Writes text pieces to a stream in ~1 MB writes, waiting whenever the stream asks to. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export async function writePieces(out: Writable, pieces: Iterable<string>): Promise<void> {
  let buf: string[] = [], size = 0;
  const flush = async () => {
    if (buf.length === 0) return;
    const ok = out.write(buf.join(''));
    buf = []; size = 0;
    if (!ok) await once(out, 'drain');
  };
  for (const p of pieces) {
    buf.push(p); size += p.length;
    if (size >= 1 << 20) await flush();
  }
  await flush();
}
