/**
 * Worker-thread entry (dist/foldworker.js): runs what foldPool.ts sends, one request at a time:
 * the two passes of featurisation over a range of texts, and cross-fitting fold jobs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { countBuckets, featurizeRows, type FeaturizerOptions } from '../featurize';
import { runChoiceJob, runFold } from '../folds';
import { runTripletFold } from '../tripletFold';
import { initBackend } from './backend';
import type { BackendName } from '../types';
import type { FoldWorkerReply, FoldWorkerRequest } from './foldPool';

const port = parentPort;
if (!port) throw new Error('foldWorker must run in a worker thread');
const ready = initBackend((workerData as { backend: BackendName }).backend);
/** The texts of the last `count`, kept for the `rows` that follows it. */
let kept: { texts: string[]; opt: FeaturizerOptions } | undefined;

async function handle(req: FoldWorkerRequest, send: (m: FoldWorkerReply) => void): Promise<FoldWorkerReply> {
  switch (req.type) {
    case 'count': {
      kept = { texts: req.texts, opt: req.opt };
      const { df, distinct } = countBuckets(req.texts, req.opt);
      return { type: 'counted', df, distinct };
    }
    case 'rows': {
      if (!kept) throw new Error('internal: rows before count');
      const written = featurizeRows(kept.texts, kept.opt, req.vocab, req.indices, req.values, req.slot);
      kept = undefined;
      return { type: 'written', written };
    }
    case 'choice':
      return { type: 'chosen', losses: runChoiceJob(req.job) };
    case 'tripletFold':
      await ready;
      return { type: 'tripletDone', result: await runTripletFold(req.task, (fraction, stage) => send({ type: 'progress', f: req.task.f, fraction, stage })) };
    case 'fold':
      await ready;
      return { type: 'done', result: await runFold(req.task, (f, fraction, stage) => send({ type: 'progress', f, fraction, stage })) };
  }
}

port.on('message', (req: FoldWorkerRequest) => {
  const send = (m: FoldWorkerReply) => port.postMessage(m);
  handle(req, send).then(send, (e: Error) => send({ type: 'error', message: e?.message ?? String(e) }));
});
