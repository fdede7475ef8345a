/**
 * A dataset file's bytes as text: UTF-8 (with or without a byte order mark), or UTF-16 (little or
 * big endian) when the file says so with its byte order mark, as Excel's "Unicode Text" and
 * PowerShell write it, or when its first bytes are plainly UTF-16 (every other byte zero). Invalid
 * UTF-8 decodes to U+FFFD, which the reader reports on the rows that hold it. The engine (reading),
 * the job (digest, cleaned copy) and the CLI decode a file the same way, so that their lines and
 * hashes agree with each other and with the editor's.
 */
import { StringDecoder } from 'node:string_decoder';

export type TextEncodingName = 'utf8' | 'utf16le' | 'utf16be';

/** Bytes looked at to tell UTF-16 without a byte order mark. */
const SNIFF_BYTES = 4096;

/** The encoding of a file from its first bytes. */
export function encodingOf(head: Uint8Array): TextEncodingName {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  // No mark: text in UTF-16 has a zero in every other byte for ASCII characters (and UTF-8 text
  // has none, but for NUL characters). Zeros in most odd bytes and almost no even ones: little
  // endian; the other way round: big endian.
  const n = Math.min(head.length, SNIFF_BYTES) & ~1;
  if (n < 4) return 'utf8';
  let evenZero = 0, oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > 0.4 * pairs && evenZero < 0.05 * pairs) return 'utf16le';
  if (evenZero > 0.4 * pairs && oddZero < 0.05 * pairs) return 'utf16be';
  return 'utf8';
}

/** Decodes chunks of bytes in one encoding, keeping a character split across two chunks whole. */
export class ChunkDecoder {
  private readonly decoder: StringDecoder;
  /** A big-endian chunk's odd last byte, waiting for its pair. */
  private carry: Buffer | undefined;

  constructor(readonly encoding: TextEncodingName) {
    this.decoder = new StringDecoder(encoding === 'utf8' ? 'utf8' : 'utf16le');
  }

  write(chunk: Buffer): string {
    return this.decoder.write(this.encoding === 'utf16be' ? this.swap(chunk) : chunk);
  }

  /** The rest; an odd last byte of a UTF-16 file cannot be a character and is dropped. */
  end(): string {
    this.carry = undefined;
    return this.decoder.end();
  }

  /** Big endian to little endian, pairing an odd byte with the next chunk's first. */
  private swap(chunk: Buffer): Buffer {
    const b = this.carry ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk);
    const even = b.length & ~1;
    this.carry = even < b.length ? b.subarray(even) : undefined;
    return b.subarray(0, even).swap16();
  }
}

/** Decodes a stream of byte chunks, choosing the encoding from its first bytes. */
export async function* decodeChunks(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let decoder: ChunkDecoder | undefined;
  let head: Buffer[] = [];
  let headBytes = 0;
  for await (const chunk of chunks) {
    if (!decoder) {
      // wait for enough bytes to tell the encoding (a stream's first chunk is usually 64 KB)
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < SNIFF_BYTES) continue;
      const first = Buffer.concat(head);
      head = [];
      decoder = new ChunkDecoder(encodingOf(first));
      const s = decoder.write(first);
      if (s) yield s;
      continue;
    }
    const s = decoder.write(chunk);
    if (s) yield s;
  }
  if (!decoder) {
    const first = Buffer.concat(head);
    decoder = new ChunkDecoder(encodingOf(first));
    const s = decoder.write(first);
    if (s) yield s;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** A whole file's bytes as text, and the encoding they were in. */
export function decodeBytes(bytes: Buffer): { text: string; encoding: TextEncodingName } {
  const decoder = new ChunkDecoder(encodingOf(bytes));
  return { text: decoder.write(bytes) + decoder.end(), encoding: decoder.encoding };
}

/** Text back to bytes in `encoding` (a byte order mark in the text is kept as it is). */
export function encodeText(text: string, encoding: TextEncodingName): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const b = Buffer.from(text, 'utf16le');
  return encoding === 'utf16be' ? b.swap16() : b;
}
