import assert from 'node:assert/strict';
import { scoreLabeled } from '../../src/core/score';
import { noNeighbours } from '../support/evidence';

describe('which rows get a suggested label (and so can be flagged mislabeled)', () => {
  // Three classes, no neighbours (the kNN vote is even), the head and the linear model agreeing: the
  // blend is then an increasing function of each probability, and confident learning's per-class
  // thresholds are the classes' mean self-confidence: a 0.5875, b 0.7667, c 0.95.
  const labels = ['a', 'b', 'c'], C = 3;
  const rows: [given: number, p: number[]][] = [
    [0, [0.9, 0.05, 0.05]],
    [0, [0.9, 0.05, 0.05]],
    [0, [0.35, 0.25, 0.4]], // suspicious (0.65), yet no other class reaches its threshold
    [1, [0.025, 0.95, 0.025]],
    [1, [0.025, 0.95, 0.025]],
    [1, [0.6, 0.4, 0]], // a reaches its threshold, but the row is the least suspicious of the three
    [0, [0.2, 0.8, 0]], // b reaches its threshold; the most suspicious row
    [2, [0.025, 0.025, 0.95]],
  ];
  const y = Int32Array.from(rows, ([c]) => c);
  const p = Float32Array.from(rows.flatMap(([, q]) => q));
  const ev = noNeighbours(rows.length);
  const scores = scoreLabeled({ y, probs: p, linear: p, classes: C, labels, ev });

  it('are as many as confident learning claims (rows 5 and 6 here), taken from the top of the suspicion ranking', () => {
    const bySuspicion = scores.map((_, i) => i).sort((a, b) => scores[b].suspicion - scores[a].suspicion);
    assert.deepEqual(bySuspicion.slice(0, 3), [6, 2, 5]);
    assert.deepEqual(scores.map((s) => s.suggested), [undefined, undefined, 2, undefined, undefined, undefined, 1, undefined]);
  });

  it('suggest confident learning\'s class where it names one, else the likeliest other class', () => {
    assert.equal(labels[scores[6].suggested!], 'b');
    assert.equal(labels[scores[2].suggested!], 'c'); // 0.40 against b's 0.25
  });
});
