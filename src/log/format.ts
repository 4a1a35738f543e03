/**
 * Numbers as text, in one place for every stage: the text summary, the HTML report,
 * figures, notebooks and the CLI's printing.
 *
 * One rounding rule everywhere: the exact value of the double, an exact tie rounded
 * half to even, as Python's `format(x, ".2f")` (the seed's `summary.txt`) does.
 * JavaScript's `toFixed` and `toPrecision` round an exact tie up instead
 * (`(0.125).toFixed(2) === "0.13"`, Python prints `0.12`); only exact ties differ.
 *
 * Functions named `format*` take `null` or `undefined` (and non-finite numbers) where a
 * table may hold no value and print {@linkcode MISSING} for them.
 *
 * @module
 */

/** The text for a missing value in a table or a card: an en dash. */
export const MISSING = "–";

/** `abs` (finite, >= 0) as its exact decimal digits: integer part and fraction part. */
function exactDecimal(abs: number): [string, string] {
  if (abs >= 1e21) return [BigInt(abs).toString(), ""]; // doubles this large are integers
  // 100 decimals hold every tie a shorter rounding can meet (a tie at digit d has d+1 digits).
  const [int, frac = ""] = abs.toFixed(100).split(".");
  return [int!, frac.replace(/0+$/, "")];
}

/** Add one to a string of decimal digits (`"" + 1` is `"1"`). */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === "9") i--;
  if (i < 0) return `1${"0".repeat(digits.length)}`;
  return `${digits.slice(0, i)}${Number(digits[i]) + 1}${"0".repeat(digits.length - i - 1)}`;
}

/**
 * `abs` (finite, >= 0) rounded half to even at `decimals` places (negative: tens,
 * hundreds…), written with `max(decimals, 0)` decimals.
 */
function roundHalfEven(abs: number, decimals: number): string {
  const [int, frac] = exactDecimal(abs);
  const all = int + frac.padEnd(Math.max(decimals, 0), "0");
  const keep = int.length + decimals; // how many leading digits stay
  let head = keep > 0 ? all.slice(0, keep) : "";
  if (keep >= 0) {
    const rest = all.slice(keep);
    const first = rest[0] ?? "0";
    const oddLast = Number(head[head.length - 1] ?? "0") % 2 === 1;
    if (first > "5" || (first === "5" && (/[1-9]/.test(rest.slice(1)) || oddLast))) {
      head = increment(head);
    }
  }
  if (decimals <= 0) {
    const whole = head.replace(/^0+(?=\d)/, "") || "0";
    return whole === "0" ? "0" : whole + "0".repeat(-decimals);
  }
  head = head.padStart(decimals + 1, "0");
  return `${head.slice(0, -decimals).replace(/^0+(?=\d)/, "")}.${head.slice(-decimals)}`;
}

/**
 * `x` with `digits` decimals exactly as Python's `f"{x:.{digits}f}"` prints it: an
 * exact tie rounds half to even; `nan`, `inf` and `-inf` as Python writes them.
 *
 * @example Ties go to the even digit; 2.675 is just below its tie as a double
 * ```ts
 * import { formatFixed } from "./format.ts";
 * if (formatFixed(0.125, 2) !== "0.12") throw new Error("half to even"); // toFixed: 0.13
 * if (formatFixed(2.675, 2) !== "2.67") throw new Error("2.67499999999999982236431605997495353221893310546875");
 * if (formatFixed(24.989967823028564, 2) !== "24.99") throw new Error("rounds up");
 * ```
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const out = toFixedRounds(abs, digits) ? abs.toFixed(digits) : roundHalfEven(abs, digits);
  return negative ? `-${out}` : out;
}

/**
 * Whether `abs.toFixed(digits)` is `abs` rounded half to even: when `abs` is not an exact
 * tie at `digits` decimals (`toFixed` rounds exactly otherwise), about ten times faster
 * than writing its exact digits. A double's fraction of `b` bits has exactly `b` decimals
 * (2^-b = 5^b / 10^b), the last a 5, so `abs` is a tie exactly when its fraction has
 * `digits + 1` bits: times 2^(digits + 1), an odd integer (an exact product).
 */
function toFixedRounds(abs: number, digits: number): boolean {
  if (!Number.isInteger(digits) || digits < 0 || digits > 100 || abs >= 1e21) return false;
  const scaled = (abs - Math.floor(abs)) * 2 ** (digits + 1);
  return !Number.isInteger(scaled) || scaled % 2 === 0;
}

/**
 * `x` to `digits` significant digits as `Number.prototype.toPrecision` writes it
 * (trailing zeros kept, an exponent from `1e-7` down or from `10 ** digits` up),
 * with an exact tie rounded half to even.
 *
 * @example
 * ```ts
 * import { formatPrecision } from "./format.ts";
 * if (formatPrecision(0.0044, 3) !== "0.00440") throw new Error("keeps zeros");
 * if (formatPrecision(0.0625, 2) !== "0.062") throw new Error("tie to even"); // toPrecision: 0.063
 * if (formatPrecision(123456, 3) !== "1.23e+5") throw new Error("exponent");
 * ```
 */
export function formatPrecision(x: number, digits: number): string {
  if (!Number.isFinite(x) || x === 0) return x.toPrecision(digits);
  const abs = Math.abs(x);
  // The exponent after rounding; a tie never moves it (…95 rounds up both ways).
  const e = Number(abs.toExponential(digits - 1).split("e")[1]);
  const fixed = roundHalfEven(abs, digits - 1 - e);
  let out = fixed;
  if (e < -6 || e >= digits) {
    const sig = fixed.replace(".", "").replace(/^0+/, "").slice(0, digits);
    out = `${sig[0]}${digits > 1 ? `.${sig.slice(1)}` : ""}e${e < 0 ? "-" : "+"}${Math.abs(e)}`;
  }
  return x < 0 ? `-${out}` : out;
}

/**
 * `x` to at most `digits` significant digits, trailing zeros dropped (JavaScript's
 * shortest form of the rounded number): `0.0044`, `12.5`, `12350`.
 *
 * @example
 * ```ts
 * import { formatSignificant } from "./format.ts";
 * if (formatSignificant(1 / 3, 4) !== "0.3333") throw new Error("4 digits");
 * if (formatSignificant(2.5, 6) !== "2.5") throw new Error("no trailing zeros");
 * ```
 */
export function formatSignificant(x: number, digits: number): string {
  return String(Number(formatPrecision(x, digits)));
}

/**
 * `toLocaleString("en-US")`'s format, made once: `toLocaleString` makes a formatter at
 * every call (about 10 µs; a report formats thousands of counts). Made on first use:
 * the first `Intl` formatter of a process costs 10–30 ms (ICU's data), which importing
 * tracebook or a replay of `analyze` should not pay.
 */
let enUs: Intl.NumberFormat | undefined;

/**
 * A count with thousands separators, rounded to a whole number: `12,345`.
 *
 * @example
 * ```ts
 * import { formatInt, MISSING } from "./format.ts";
 * if (formatInt(1234567) !== "1,234,567") throw new Error("separators");
 * if (formatInt(null) !== MISSING) throw new Error("missing");
 * ```
 */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return MISSING;
  return (enUs ??= new Intl.NumberFormat("en-US")).format(Math.round(n));
}

/**
 * `1 call`, `2 calls`: a count ({@link formatInt}) and its noun, singular or plural.
 *
 * @example
 * ```ts
 * import { plural } from "./format.ts";
 * if (plural(1, "session") !== "1 session" || plural(1200, "session") !== "1,200 sessions") throw new Error();
 * if (plural(2, "entry", "entries") !== "2 entries") throw new Error();
 * ```
 */
export function plural(n: number, noun: string, nouns: string = `${noun}s`): string {
  return `${formatInt(n)} ${n === 1 ? noun : nouns}`;
}

/**
 * Seconds (without the unit): 3 decimals under one second, else 2, as `summary.txt`;
 * a time that 3 decimals would print as `0.000` (a cache hit, a local model) keeps two
 * significant digits instead (`0.00045`), down to nanoseconds.
 *
 * @example
 * ```ts
 * import { formatSeconds } from "./format.ts";
 * if (formatSeconds(0.4567) !== "0.457" || formatSeconds(12.345) !== "12.35") throw new Error();
 * if (formatSeconds(0.000452) !== "0.00045" || formatSeconds(0) !== "0.000") throw new Error();
 * ```
 */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return MISSING;
  const abs = Math.abs(s);
  if (abs > 0 && abs < 0.0005) {
    return formatFixed(s, Math.min(9, 1 - Math.floor(Math.log10(abs))));
  }
  return formatFixed(s, abs < 1 ? 3 : 2);
}

/**
 * A rate in [0, 1] as a percentage: `12.5%` (one decimal unless `digits` says).
 *
 * @example
 * ```ts
 * import { formatPercent } from "./format.ts";
 * if (formatPercent(0.125) !== "12.5%" || formatPercent(1 / 3, 2) !== "33.33%") throw new Error();
 * ```
 */
export function formatPercent(r: number | null | undefined, digits: number = 1): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return MISSING;
  return `${formatFixed(r * 100, digits)}%`;
}

/**
 * US dollars: cents with separators from $1 up (`$1,234.50`), below that up to 6
 * decimals and at least 2 (`$0.0044`, `$0.10`); `$0.00` for zero.
 *
 * @example
 * ```ts
 * import { formatUsd } from "./format.ts";
 * if (formatUsd(1234.5) !== "$1,234.50" || formatUsd(0.0044) !== "$0.0044") throw new Error();
 * ```
 */
export function formatUsd(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  if (x === 0) return "$0.00";
  if (Math.abs(x) >= 1) {
    return `$${Number(formatFixed(x, 2)).toLocaleString("en-US", { minimumFractionDigits: 2 })}`;
  }
  const text = formatFixed(x, 6).replace(/0+$/, "");
  const decimals = text.split(".")[1]?.length ?? 0;
  return `$${decimals < 2 ? formatFixed(x, 2) : text}`;
}

/**
 * `x` with at most `digits` decimals, trailing zeros dropped: a limit or a setting
 * as short text (`10`, `12.5`).
 *
 * @example
 * ```ts
 * import { formatTrimmed } from "./format.ts";
 * if (formatTrimmed(12.5, 6) !== "12.5" || formatTrimmed(10, 6) !== "10") throw new Error();
 * if (formatTrimmed(0.1 + 0.2, 6) !== "0.3") throw new Error("float noise dropped");
 * ```
 */
export function formatTrimmed(x: number, digits: number): string {
  return String(Number(formatFixed(x, digits)));
}

/**
 * US dollars, short for a label: cents with separators from $1 up (`$12.30`), else
 * three significant digits (`$0.0781`, `$0.0001`).
 *
 * @example
 * ```ts
 * import { formatUsdShort } from "./format.ts";
 * if (formatUsdShort(1234.5) !== "$1,234.50" || formatUsdShort(0.078125) !== "$0.0781") throw new Error();
 * ```
 */
export function formatUsdShort(x: number): string {
  if (Math.abs(x) >= 1) {
    return `$${Number(formatFixed(x, 2)).toLocaleString("en-US", { minimumFractionDigits: 2 })}`;
  }
  return `$${formatSignificant(x, 3)}`;
}

/**
 * Bytes as people read them: `0 B`, `512 B`, `1.5 KB`, `13.0 MB`, `2.0 GB` (powers of 1,000).
 *
 * @example
 * ```ts
 * import { formatBytes } from "./format.ts";
 * const shown = [999, 1_060_000, 2 * 1024 ** 3].map(formatBytes);
 * if (shown.join() !== "999 B,1.1 MB,2.1 GB") throw new Error(shown.join());
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1000, unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
