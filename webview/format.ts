/** Number formatting for the panel (no DOM: the table's cell texts use it, and run in plain Node in the unit tests). */

/** Formats a distance or loss for display: 4 significant digits, no exponent for usual sizes. */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-4) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toString();
}
