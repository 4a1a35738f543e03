/**
 * Clocks and the timestamp format of the seed: naive ISO 8601 as Python's
 * `datetime.isoformat()` writes it (microseconds, the fraction dropped when it
 * is zero). We write UTC wall-clock time without an offset; the loader reads
 * naive timestamps as UTC.
 *
 * @module
 */

/** A clock: epoch milliseconds (fractions allowed, kept to the microsecond) or a `Date`. */
export type Clock = () => number | Date;

/** The default clock: wall time with sub-millisecond resolution. */
export const systemClock: Clock = () => performance.timeOrigin + performance.now();

/** Read a clock as whole epoch microseconds. */
export function readMicros(clock: Clock): number {
  const t = clock();
  const ms = typeof t === "number" ? t : t.getTime();
  return Math.round(ms * 1000);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Format epoch microseconds as a naive ISO timestamp, as Python's
 * `isoformat()` does: `2025-04-08T19:42:09.122347`, or `2025-04-08T19:42:09`
 * when the microseconds are 0.
 *
 * @example
 * ```ts
 * import { formatNaiveIso } from "./_time.ts";
 * const text = formatNaiveIso(Date.UTC(2025, 3, 8, 19, 42, 9) * 1000 + 122347);
 * if (text !== "2025-04-08T19:42:09.122347") throw new Error(text); // month 3 is April
 * if (formatNaiveIso(Date.UTC(2025, 0, 1) * 1000) !== "2025-01-01T00:00:00") throw new Error("no µs");
 * ```
 */
export function formatNaiveIso(micros: number): string {
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const d = new Date(seconds * 1000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${
    pad(d.getUTCDate(), 2)
  }T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return fraction === 0 ? base : `${base}.${pad(fraction, 6)}`;
}

/** Seconds between two epoch-microsecond instants, never negative, to the microsecond. */
export function secondsBetween(startMicros: number, endMicros: number): number {
  return Math.max(0, endMicros - startMicros) / 1e6;
}
