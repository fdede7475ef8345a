import { emptyNeighbours } from '../../src/core/neighbours';
import type { LabeledEvidence } from '../../src/core/score';

/** Evidence for `rows` labeled rows none of which has a neighbour (the kNN vote is then even). */
export function noNeighbours(rows: number): LabeledEvidence {
  const none = emptyNeighbours(rows, 1);
  return { k: 1, nnIds: none.ids, nnSims: none.sims, sameId: none.sameId, sameSim: none.sameSim, otherId: none.otherId, otherSim: none.otherSim };
}
