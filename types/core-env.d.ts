/**
 * The few host APIs the pure core uses, which Node, workers and browsers all provide. Only the
 * core's type check (tsconfig.core.json) sees this file; elsewhere the real declarations apply.
 */
interface AbortSignal {
  readonly aborted: boolean;
}
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function atob(data: string): string;
