/**
 * Number formatting shared by the text summary and the HTML report.
 *
 * @module
 */

/**
 * Format `x` with `digits` decimals exactly as Python's `f"{x:.{digits}f}"` does,
 * so `summary.txt` prints the seed's numbers to the last digit. JavaScript's
 * `toFixed` rounds an exact tie up (`(0.125).toFixed(2) === "0.13"`); Python
 * rounds it to even (`"0.12"`). Only exactly representable ties differ.
 *
 * @example
 * ```ts
 * import { formatFixed } from "./format.ts";
 * if (formatFixed(0.125, 2) !== "0.12") throw new Error("half to even");
 * if (formatFixed(24.989967823028564, 2) !== "24.99") throw new Error("round");
 * ```
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  // The exact decimal expansion of a double that is a tie has few digits; 60 is plenty.
  const exact = abs.toFixed(Math.min(100, digits + 60));
  const dot = exact.indexOf(".");
  const tail = exact.slice(dot + 1 + digits);
  let out: string;
  if (/^50*$/.test(tail)) {
    const kept = exact.slice(0, dot + 1 + digits).replace(/\.$/, "");
    const last = Number(kept[kept.length - 1]);
    out = last % 2 === 0 ? kept : abs.toFixed(digits);
  } else {
    out = abs.toFixed(digits);
  }
  return negative ? `-${out}` : out;
}
