/**
 * NumPy's .npy format (numpy.lib.format, versions 1.0-3.0), enough for embedding matrices:
 * reading little- or big-endian float16 / float32 / float64 arrays in C order into Float32Array,
 * and writing float32 ones. Pure: bytes in, bytes out.
 */

export interface NpyArray {
  shape: number[];
  /** The values in C order, as float32. */
  data: Float32Array;
  /** The stored type, as NumPy writes it ('<f4', '<f2', ...). */
  descr: string;
}

export class NpyError extends Error {}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The header's Python dict literal as JSON-ish fields: descr, fortran_order, shape. */
function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) throw new NpyError(`unreadable .npy header ${JSON.stringify(text.trim().slice(0, 80))}`);
  const dims = shape.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new NpyError(`bad shape (${shape}) in the .npy header`);
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** IEEE half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number, start: number;
  if (major === 1) { headerLen = view.getUint16(8, true); start = 10; } else if (major === 2 || major === 3) { headerLen = view.getUint32(8, true); start = 12; } else throw new NpyError(`.npy version ${major} is not supported`);
  if (start + headerLen > bytes.length) throw new NpyError('the .npy header runs past the end of the file');
  // the header is ASCII (latin-1 in 1.0 / 2.0, UTF-8 in 3.0: the same for the dict NumPy writes)
  const header = parseHeader(String.fromCharCode(...bytes.subarray(start, start + headerLen)));
  if (header.fortran) throw new NpyError('Fortran-ordered arrays are not supported: save it with numpy.ascontiguousarray');
  const m = /^([<>|=])([fiu])(\d+)$/.exec(header.descr);
  if (!m || m[2] !== 'f' || !['2', '4', '8'].includes(m[3])) throw new NpyError(`dtype ${header.descr}: use float16, float32 or float64`);
  const little = m[1] !== '>';
  const size = Number(m[3]);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const from = start + headerLen;
  if (from + count * size > bytes.length) throw new NpyError(`the file holds ${Math.floor((bytes.length - from) / size)} values, its shape (${header.shape.join(', ')}) says ${count}`);
  const data = new Float32Array(count);
  for (let i = 0, o = from; i < count; i++, o += size) {
    data[i] = size === 4 ? view.getFloat32(o, little) : size === 8 ? view.getFloat64(o, little) : halfToFloat(view.getUint16(o, little));
  }
  return { shape: header.shape, data, descr: header.descr };
}

/** A float32 .npy (version 1.0, little-endian, C order) of `data` with `shape`. */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape (${shape.join(', ')}) holds ${count} values, not ${data.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // the data starts on a multiple of 64 bytes; the header ends with a newline
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const o = 10 + header.length;
  for (let i = 0; i < data.length; i++) view.setFloat32(o + 4 * i, data[i], true);
  return out;
}
