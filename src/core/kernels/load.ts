/** Compiles a kernel module from its base64 text once; null where WebAssembly (SIMD) is missing. */
const cache = new Map<string, WebAssembly.Module | null>();

export function kernelModule(base64: string): WebAssembly.Module | null {
  if (cache.has(base64)) return cache.get(base64)!;
  let mod: WebAssembly.Module | null = null;
  try {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    mod = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    mod = null;
  }
  cache.set(base64, mod);
  return mod;
}

/** A fresh instance of `mod` with at least `bytes` of memory; returns its exports. */
export function instantiate<T extends { memory: WebAssembly.Memory }>(mod: WebAssembly.Module, bytes: number): T {
  const ex = new WebAssembly.Instance(mod, {}).exports as unknown as T;
  reserve(ex.memory, bytes);
  return ex;
}

/** Grows `memory` to at least `bytes` (views of its old buffer are detached when it grows). */
export function reserve(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536), have = memory.buffer.byteLength / 65536;
  if (pages > have) memory.grow(pages - have);
}

/**
 * Lays out a module's memory: `take(bytes)` returns the next 16-byte aligned offset (SIMD loads
 * want it) and `size` the bytes needed so far.
 */
export function arena(): { take(bytes: number): number; readonly size: number } {
  let end = 0;
  return {
    take(bytes: number): number { const at = end; end = (end + bytes + 15) & ~15; return at; },
    get size() { return end; },
  };
}
