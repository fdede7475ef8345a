import assert from 'node:assert/strict';
import fc from 'fast-check';
import { throttle } from '../../src/extension/logic/throttle';

/** A clock and timers that move only when told to. */
function fakeTime() {
  let t = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    now: () => t,
    timer: {
      set: (fn: () => void, ms: number) => { timers.set(next, { at: t + ms, fn }); return next++; },
      clear: (h: unknown) => { timers.delete(h as number); },
    },
    advance(ms: number) {
      const end = t + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = end;
    },
    pending: () => timers.size,
  };
}

describe('extension: throttle (progress updates)', () => {
  it('delivers the first value at once, then at most one per interval, the newest always last', () => {
    const time = fakeTime();
    const got: [number, number][] = [];
    const th = throttle((v: number) => got.push([time.now(), v]), 100, time.now, time.timer);
    th.push(1);
    time.advance(30); th.push(2);
    time.advance(30); th.push(3);
    time.advance(100);
    th.push(4);
    time.advance(10); th.push(5);
    th.flush();
    // 4 (at 160) waits for 200, and is replaced by 5 before; flush delivers 5 at once
    assert.deepEqual(got, [[0, 1], [100, 3], [170, 5]]);
    assert.equal(time.pending(), 0);
  });

  it('cancel drops the waiting value', () => {
    const time = fakeTime();
    const got: number[] = [];
    const th = throttle((v: number) => got.push(v), 100, time.now, time.timer);
    th.push(1); th.push(2); th.cancel();
    time.advance(500);
    assert.deepEqual(got, [1]);
  });

  it('for any pushes: deliveries are at least the interval apart, each value is one pushed, and the last pushed is delivered', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 250 }), { minLength: 1, maxLength: 40 }), (gaps) => {
      const time = fakeTime();
      const got: [number, number][] = [];
      const th = throttle((v: number) => got.push([time.now(), v]), 100, time.now, time.timer);
      gaps.forEach((gap, i) => { time.advance(gap); th.push(i); });
      time.advance(1000);
      for (let i = 1; i < got.length; i++) assert.ok(got[i][0] - got[i - 1][0] >= 100);
      assert.deepEqual(got.map(([, v]) => v), [...new Set(got.map(([, v]) => v))].sort((a, b) => a - b));
      assert.equal(got[got.length - 1][1], gaps.length - 1);
    }));
  });
});
