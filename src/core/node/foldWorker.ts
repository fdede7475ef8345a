/** Worker-thread entry (dist/foldworker.js): runs cross-fitting fold tasks sent by foldPool.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { runFold, type FoldTask } from '../folds';
import { initBackend } from './backend';
import type { BackendName } from '../types';
import type { FoldWorkerReply } from './foldPool';

const port = parentPort;
if (!port) throw new Error('foldWorker must run in a worker thread');
const ready = initBackend((workerData as { backend: BackendName }).backend);

port.on('message', (task: FoldTask) => {
  const send = (m: FoldWorkerReply) => port.postMessage(m);
  ready
    .then(() => runFold(task, (f, fraction, stage) => send({ type: 'progress', f, fraction, stage })))
    .then((result) => send({ type: 'done', result }), (e: Error) => send({ type: 'error', message: e?.message ?? String(e) }));
});
