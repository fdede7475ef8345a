/**
 * The part of the WebAssembly JS API the core's kernels use (src/core/bagKernel.ts, src/core/neighbours.ts), for the type
 * checks without DOM types (the host's and the core's); it merges with the stubs that
 * @types/emscripten and esbuild declare.
 */
declare namespace WebAssembly {
  class Module { constructor(bytes: Uint8Array); }
  class Instance { constructor(module: Module, imports?: object); readonly exports: object; }
  class Memory { readonly buffer: ArrayBuffer; grow(pages: number): number; }
  class Global { readonly value: unknown; }
  function validate(bytes: Uint8Array): boolean;
}
