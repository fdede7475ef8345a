/**
 * At most one call per interval, the newest value always delivered: an audit reports progress
 * tens of times a second, and every report the host passes on is a message to the editor's window
 * and a repaint of its notification and status bar. A value that comes sooner than `everyMs` after
 * the last one delivered waits (replaced by any newer one) until the interval is over.
 */
export interface Throttled<T> {
  push(value: T): void;
  /** Delivers the waiting value now, if any. */
  flush(): void;
  /** Drops the waiting value. */
  cancel(): void;
}

export function throttle<T>(deliver: (value: T) => void, everyMs: number,
  now: () => number = Date.now, timer: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void } = {
    set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  }): Throttled<T> {
  let last = -Infinity;
  let waiting: { value: T } | undefined;
  let handle: unknown;
  const flush = () => {
    if (handle !== undefined) { timer.clear(handle); handle = undefined; }
    if (!waiting) return;
    const { value } = waiting;
    waiting = undefined;
    last = now();
    deliver(value);
  };
  return {
    push(value) {
      waiting = { value };
      const wait = last + everyMs - now();
      if (wait <= 0) flush();
      else handle ??= timer.set(flush, wait);
    },
    flush,
    cancel() {
      if (handle !== undefined) timer.clear(handle);
      handle = undefined;
      waiting = undefined;
    },
  };
}
