/**
 * Exact mean and sample standard deviation, rounded once, as Python's
 * `statistics.mean` and `statistics.stdev` (3.11+) compute them: the sums are
 * exact (every double is a dyadic rational, summed as a BigInt), and the mean
 * and the square root of the variance are each correctly rounded to a double.
 * So the seed's numbers match to the last bit, not only to two decimals.
 *
 * @module
 */

const SCRATCH = new DataView(new ArrayBuffer(8));

/** `x` (finite) as `mantissa * 2 ** exponent` with an integer mantissa. */
function decompose(x: number): [bigint, number] {
  SCRATCH.setFloat64(0, x);
  const hi = SCRATCH.getUint32(0);
  const lo = SCRATCH.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biased === 0) {
    exponent = -1074; // subnormal (or zero)
  } else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  return [sign * mantissa, exponent];
}

/** Correctly rounded (half to even) `num / den * 2 ** scale` for `num >= 0`, `den > 0`. */
function ratioToNumber(num: bigint, den: bigint, scale = 0): number {
  if (num === 0n) return 0;
  // Shift so that the integer quotient has at least 66 bits: 53 kept, the rest for rounding.
  const shift = Math.max(0, 66 - (num.toString(2).length - den.toString(2).length));
  const scaled = num << BigInt(shift);
  let q = scaled / den;
  if (q * den !== scaled) q |= 1n; // sticky bit: the exact value lies above q
  return Number(q) * 2 ** (scale - shift);
}

/** Floor of the square root of a non-negative BigInt (Newton's method). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Correctly rounded `sqrt(num / den * 2 ** scale)`, `scale` even, for `num >= 0`, `den > 0`. */
function sqrtRatioToNumber(num: bigint, den: bigint, scale: number): number {
  if (num === 0n) return 0;
  // Want a root of at least 66 bits: the radicand needs about 132 bits.
  let shift = Math.max(0, 132 - (num.toString(2).length - den.toString(2).length));
  if ((shift + scale) % 2 !== 0) shift++;
  const scaled = num << BigInt(shift);
  const radicand = scaled / den;
  let root = isqrt(radicand);
  if (radicand * den !== scaled || root * root !== radicand) root |= 1n; // sticky bit
  return Number(root) * 2 ** ((scale - shift) / 2);
}

interface ExactSums {
  n: number;
  /** Σ x as an integer, in units of 2 ** exponent. */
  s1: bigint;
  /** Σ x² in units of 2 ** (2 * exponent). */
  s2: bigint;
  exponent: number;
}

/**
 * An exact running sum of doubles as non-overlapping partials (Shewchuk; Python's
 * `math.fsum`), in a fixed typed array: doubles in the range summed here need at most
 * about 35 partials, and a sum that would need more than the room left reports it
 * (`add` returns false) so the caller can take the BigInt path.
 */
class Partials {
  readonly #p = new Float64Array(128);
  #n = 0;

  /** Add `x`; false when the partials would not fit. */
  add(x: number): boolean {
    const p = this.#p;
    let i = 0;
    for (let j = 0; j < this.#n; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (i >= p.length) return false;
    p[i++] = x;
    this.#n = i;
    return true;
  }

  /** The partials. */
  values(): number[] {
    return Array.from(this.#p.subarray(0, this.#n));
  }
}

/** The exact sum of `partials` as `[integer, exponent]` (value = integer × 2 ** exponent). */
function partialsToInteger(partials: number[]): [bigint, number] {
  const parts = partials.filter((p) => p !== 0).map(decompose);
  if (parts.length === 0) return [0n, 0];
  const exponent = Math.min(...parts.map((p) => p[1]));
  let sum = 0n;
  for (const [m, e] of parts) sum += m << BigInt(e - exponent);
  return [sum, exponent];
}

/** 2 ** 27 + 1: Dekker's splitter, for the exact square of a double. */
const SPLITTER = 134217729;
/** Values whose squares and their rounding errors stay normal doubles: the float path is exact. */
const FLOAT_SAFE_MIN = 2 ** -400;
const FLOAT_SAFE_MAX = 2 ** 400;

/**
 * The exact Σx and Σx² in doubles: Σx as partials, each x² as its rounded square
 * plus the exact rounding error (Dekker's product), added to partials of Σx². No
 * BigInt per value; null when a value is out of the range where this is exact.
 */
function floatSums(values: ArrayLike<number>, squares: boolean): ExactSums | null {
  const p1 = new Partials();
  const p2 = new Partials();
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`Cannot sum a non-finite value: ${x}`);
    if (x === 0) continue;
    const a = Math.abs(x);
    if (a < FLOAT_SAFE_MIN || a > FLOAT_SAFE_MAX || !p1.add(x)) return null;
    if (!squares) continue;
    const sq = x * x;
    const c = SPLITTER * x;
    const hi = c - (c - x);
    const lo = x - hi;
    const err = lo * lo - (((sq - hi * hi) - hi * lo) - lo * hi);
    if (!p2.add(sq) || (err !== 0 && !p2.add(err))) return null;
  }
  const [s1, e1] = partialsToInteger(p1.values());
  const [s2, e2] = partialsToInteger(p2.values());
  // Σx in units of 2 ** exponent, Σx² in units of 2 ** (2 · exponent).
  const exponent = Math.min(e1, Math.floor(e2 / 2));
  return {
    n: values.length,
    s1: s1 << BigInt(e1 - exponent),
    s2: s2 << BigInt(e2 - 2 * exponent),
    exponent,
  };
}

function exactSums(values: ArrayLike<number>, squares = true): ExactSums {
  return floatSums(values, squares) ?? bigintSums(values);
}

/** Σx and Σx² with one BigInt per value: exact for any finite doubles (the fallback). */
function bigintSums(values: ArrayLike<number>): ExactSums {
  const parts: [bigint, number][] = [];
  let exponent = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`Cannot sum a non-finite value: ${v}`);
    const p = decompose(v);
    parts.push(p);
    if (p[0] !== 0n && p[1] < exponent) exponent = p[1];
  }
  if (exponent === Infinity) exponent = 0;
  let s1 = 0n;
  let s2 = 0n;
  for (const [m, e] of parts) {
    const x = m << BigInt(e - exponent);
    s1 += x;
    s2 += x * x;
  }
  return { n: values.length, s1, s2, exponent };
}

/**
 * The mean of `values`, exact and rounded once, as Python's `statistics.mean`;
 * `null` for no values.
 *
 * @example
 * ```ts
 * import { exactMean } from "./exact.ts";
 * if (exactMean([0.1, 0.2, 0.3]) !== 0.2) throw new Error("statistics.mean gives 0.2");
 * ```
 */
export function exactMean(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  const { n, s1, exponent } = exactSums(values, false);
  const negative = s1 < 0n;
  const m = ratioToNumber(negative ? -s1 : s1, BigInt(n), exponent);
  return negative ? -m : m;
}

/**
 * The sample standard deviation (n − 1) of `values`, exact and rounded once, as
 * Python's `statistics.stdev` (3.11+); 0 for one value (the seed's rule), `null` for none.
 *
 * @example
 * ```ts
 * import { exactSampleStd } from "./exact.ts";
 * if (exactSampleStd([2, 4, 3, 6]) !== 1.707825127659933) throw new Error("statistics.stdev");
 * ```
 */
export function exactSampleStd(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  if (values.length === 1) return 0;
  const { n, s1, s2, exponent } = exactSums(values);
  const bn = BigInt(n);
  // Σ(x − mean)² / (n − 1) = (n·Σx² − (Σx)²) / (n·(n − 1)), in units of 2 ** (2·exponent).
  return sqrtRatioToNumber(bn * s2 - s1 * s1, bn * (bn - 1n), 2 * exponent);
}

/**
 * {@link exactMean} and {@link exactSampleStd} of the same values from one pass over them.
 *
 * @example
 * ```ts
 * import { exactMeanStd } from "./exact.ts";
 * const { mean, std } = exactMeanStd([2, 4, 3, 6]);
 * if (mean !== 3.75 || std !== 1.707825127659933) throw new Error(`${mean} ${std}`);
 * ```
 */
export function exactMeanStd(
  values: ArrayLike<number>,
): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null };
  const { n, s1, s2, exponent } = exactSums(values);
  const negative = s1 < 0n;
  const m = ratioToNumber(negative ? -s1 : s1, BigInt(n), exponent);
  if (n === 1) return { mean: negative ? -m : m, std: 0 };
  const bn = BigInt(n);
  return {
    mean: negative ? -m : m,
    std: sqrtRatioToNumber(bn * s2 - s1 * s1, bn * (bn - 1n), 2 * exponent),
  };
}
