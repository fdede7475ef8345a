/** sha256 of a file's bytes, streamed so that a large file never blocks the extension host. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
