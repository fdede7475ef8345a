/**
 * Picks the TensorFlow.js backend: `auto` tries the native @tensorflow/tfjs-node (an optional
 * dependency whose install needs a download that is not always possible), then wasm, then cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendName } from '../types';

const WASM_FILE = 'tfjs-backend-wasm.wasm';

/** Where the wasm binaries are: next to the bundle (dist/), else in node_modules. */
function wasmDir(): string | undefined {
  const candidates = [__dirname, join(__dirname, '..', '..', '..', 'dist')];
  try { candidates.push(dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${WASM_FILE}`))); } catch { /* not resolvable */ }
  return candidates.find((d) => existsSync(join(d, WASM_FILE)));
}

function loadNative(): boolean {
  try {
    // marked external in the build: resolved at run time, when it is installed
    require('@tensorflow/tfjs-node');
    return tf.findBackend('tensorflow') !== undefined;
  } catch {
    return false;
  }
}

async function trySet(name: string): Promise<boolean> {
  try { return await tf.setBackend(name); } catch { return false; }
}

/** Activates a backend and returns the name of the one that runs. Throws if a forced one cannot. */
export async function initBackend(want: BackendName): Promise<string> {
  const errors: string[] = [];
  const tryNode = async () => (loadNative() && (await trySet('tensorflow'))) || (errors.push('node: @tensorflow/tfjs-node is not installed or did not load'), false);
  const tryWasm = async () => {
    const dir = wasmDir();
    if (!dir) { errors.push(`wasm: ${WASM_FILE} not found`); return false; }
    setWasmPaths(dir + '/');
    return (await trySet('wasm')) || (errors.push('wasm: the backend did not initialise'), false);
  };
  const order: Record<BackendName, (() => Promise<boolean>)[]> = {
    auto: [tryNode, tryWasm, () => trySet('cpu')],
    node: [tryNode],
    wasm: [tryWasm],
    cpu: [() => trySet('cpu')],
  };
  for (const attempt of order[want]) {
    if (await attempt()) { await tf.ready(); return tf.getBackend(); }
  }
  throw new Error(`backend ${want} is not available (${errors.join('; ')})`);
}

export function backendLabel(name: string): string {
  if (name === 'tensorflow') return 'node (tfjs-node, native TensorFlow)';
  return name;
}
