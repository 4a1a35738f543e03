/**
 * Statistics of comparisons on plain numbers: the one quantile function (linear,
 * numpy's default), seeded bootstrap intervals, the Mann–Whitney U test, the
 * Wilcoxon signed-rank test, Fisher's exact test and Newcombe's interval of a
 * difference of two proportions.
 *
 * Distributions come from stdlib (`@stdlib/stats-base-dists-*`, maintained and
 * tested against R and SciPy); the seeded generator is stdlib's Mersenne Twister,
 * so an interval is the same on every run and machine.
 *
 * @module
 */
// Deferred: stdlib evaluates on first use, not when tracebook is imported (see _stdlib.ts).
import defer * as stdlib from "./_stdlib.ts";
import { wilsonInterval, Z95 } from "./errors.ts";

/**
 * Quantile `q` of ascending `sorted` values with linear interpolation (numpy's
 * default, and Polars' `"linear"`): the value at position q·(n − 1); null for none.
 *
 * @example
 * ```ts
 * import { quantileSorted } from "./stats.ts";
 * // numpy.percentile([1, 2, 4, 6, 10], 90) = 6 + 0.6·(10 − 6) = 8.4 (position 0.9·4 = 3.6)
 * if (Math.abs(quantileSorted([1, 2, 4, 6, 10], 0.9)! - 8.4) > 1e-12) throw new Error("bad");
 * ```
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = q * (n - 1);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The statistics a bootstrap can resample. */
export type Statistic = "mean" | "p50" | "p90" | "p95" | "p99";

const QUANTILE_OF: Record<Exclude<Statistic, "mean">, number> = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
};

/** A statistic of ascending `sorted` values. */
export function statistic(sorted: ArrayLike<number>, stat: Statistic): number | null {
  if (sorted.length === 0) return null;
  if (stat === "mean") {
    let s = 0;
    for (let i = 0; i < sorted.length; i++) s += sorted[i]!;
    return s / sorted.length;
  }
  return quantileSorted(sorted, QUANTILE_OF[stat]);
}

/** A seeded generator of uniform 32-bit integers (stdlib's Mersenne Twister). */
export type Uint32Generator = () => number;

/** A seeded generator of uniform 32-bit integers (stdlib's 32-bit Mersenne Twister). */
export function seededUint32(seed: number): Uint32Generator {
  return stdlib.mt19937.factory({ seed: (seed >>> 0) || 1 }) as unknown as Uint32Generator;
}

const TWO_32 = 4294967296;

/**
 * One bootstrap resample of n values, as multiplicities: how many times each index
 * was drawn (n draws with replacement). Statistics are then read from the counts in
 * O(n), without sorting the resample.
 */
function resampleCounts(n: number, next: Uint32Generator, counts: Uint32Array): void {
  counts.fill(0);
  const scale = n / TWO_32;
  // next() · n / 2³² lies in [0, n): `>>> 0` truncates it, which is its floor
  for (let i = 0; i < n; i++) counts[(next() * scale) >>> 0]!++;
}

/**
 * Whether every value is finite: then a resample's sums can take every index, its
 * count 0 included (0 · x = 0 adds nothing), instead of skipping the zero counts, a
 * branch the processor mispredicts for a third of the indexes (about e⁻¹ of them are
 * not drawn). With an infinite or NaN value, 0 · x is NaN: those skip.
 */
function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/** Σ count · value over a resample's `counts`, in index order (`finite`: {@link allFinite}). */
function countedSum(values: ArrayLike<number>, counts: Uint32Array, finite: boolean): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const k = counts[i]!;
    if (finite || k !== 0) sum += k * values[i]!;
  }
  return sum;
}

/** At most this many draws per bootstrap of one sample (resamples × n). */
export const MAX_BOOTSTRAP_DRAWS = 40_000_000;
/** A bootstrap never uses fewer resamples than this (unless asked to). */
export const MIN_BOOTSTRAP_RESAMPLES = 400;

/**
 * How many resamples a bootstrap of `n` values makes: `resamples`, fewer for large
 * samples so that resamples × n stays under {@link MAX_BOOTSTRAP_DRAWS}, but at least
 * {@link MIN_BOOTSTRAP_RESAMPLES} (a large sample's interval needs fewer resamples).
 *
 * @example
 * ```ts
 * import { bootstrapResamples } from "./stats.ts";
 * if (bootstrapResamples(1_000, 2000) !== 2000) throw new Error("small: all");
 * if (bootstrapResamples(100_000, 2000) !== 400) throw new Error("large: 4e7 / 1e5 = 400");
 * ```
 */
export function bootstrapResamples(n: number, resamples: number): number {
  const budget = Math.floor(MAX_BOOTSTRAP_DRAWS / Math.max(1, n));
  return Math.max(Math.min(resamples, budget), Math.min(resamples, MIN_BOOTSTRAP_RESAMPLES));
}

/** The statistics of a resample given by `counts` over ascending `sorted`. */
function statsOfCounts(
  sorted: ArrayLike<number>,
  counts: Uint32Array,
  stats: readonly Statistic[],
  finite: boolean,
): number[] {
  const n = sorted.length;
  // Positions (0-based, in the resample's sorted order) each quantile needs.
  const wanted: number[] = [];
  for (const s of stats) {
    if (s === "mean") continue;
    const h = QUANTILE_OF[s] * (n - 1);
    wanted.push(Math.floor(h), Math.min(Math.floor(h) + 1, n - 1));
  }
  const order = [...new Set(wanted)].sort((a, b) => a - b);
  const at = new Map<number, number>();
  let sum = 0, seen = 0, k = 0;
  // the next position wanted (none: past every count)
  let want = order.length ? order[0]! : Infinity;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    // a count of 0 moves neither the sum (finite values) nor the positions seen
    if (finite || c !== 0) sum += c * sorted[i]!;
    seen += c;
    while (want < seen) {
      at.set(want, sorted[i]!);
      want = ++k < order.length ? order[k]! : Infinity;
    }
  }
  return stats.map((s) => {
    if (s === "mean") return sum / n;
    const h = QUANTILE_OF[s] * (n - 1);
    const lo = Math.floor(h), hi = Math.min(lo + 1, n - 1);
    return at.get(lo)! + (h - lo) * (at.get(hi)! - at.get(lo)!);
  });
}

/** Options of the bootstrap functions. */
export interface BootstrapOptions {
  /** Resamples. @default 2000 */
  resamples?: number;
  /** Seed of the generator: the same seed gives the same interval. @default 1 */
  seed?: number;
  /** Confidence level. @default 0.95 */
  level?: number;
}

const ascending = (values: ArrayLike<number>): Float64Array => Float64Array.from(values).sort();

/**
 * Percentile bootstrap 95% intervals of `stat(candidate) − stat(baseline)` for each
 * statistic: each side resampled independently (with replacement, seeded), the
 * difference recomputed `resamples` times, and its 2.5% and 97.5% quantiles taken.
 * Null for a statistic when either side is empty.
 *
 * @example
 * ```ts
 * import { bootstrapDifference } from "./stats.ts";
 * // Every resample of constant sides has the same means: the interval is the point.
 * const { mean } = bootstrapDifference([1, 1, 1], [3, 3, 3, 3], ["mean"]);
 * if (mean![0] !== 2 || mean![1] !== 2) throw new Error(`got ${mean}`);
 * ```
 */
export function bootstrapDifference(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  stats: readonly Statistic[],
  options: BootstrapOptions = {},
): Record<Statistic, [number, number] | null> {
  const out = Object.fromEntries(stats.map((s) => [s, null])) as Record<
    Statistic,
    [number, number] | null
  >;
  if (baseline.length === 0 || candidate.length === 0 || stats.length === 0) return out;
  const b = ascending(baseline), c = ascending(candidate);
  const resamples = bootstrapResamples(Math.max(b.length, c.length), options.resamples ?? 2000);
  const level = options.level ?? 0.95;
  const next = seededUint32(options.seed ?? 1);
  const cb = new Uint32Array(b.length), cc = new Uint32Array(c.length);
  const diffs = stats.map(() => new Float64Array(resamples));
  const fb = allFinite(b), fc = allFinite(c);
  for (let r = 0; r < resamples; r++) {
    resampleCounts(b.length, next, cb);
    resampleCounts(c.length, next, cc);
    const sb = statsOfCounts(b, cb, stats, fb), sc = statsOfCounts(c, cc, stats, fc);
    stats.forEach((_, i) => (diffs[i]![r] = sc[i]! - sb[i]!));
  }
  stats.forEach((s, i) => {
    const d = diffs[i]!.sort();
    out[s] = [quantileSorted(d, (1 - level) / 2)!, quantileSorted(d, (1 + level) / 2)!];
  });
  return out;
}

/**
 * Percentile bootstrap interval of the mean of `values` (e.g. paired differences),
 * seeded; null for no values.
 *
 * @example
 * ```ts
 * import { bootstrapMean } from "./stats.ts";
 * const [low, high] = bootstrapMean([2, 2, 2])!;
 * if (low !== 2 || high !== 2) throw new Error("constant values: the interval is the point");
 * ```
 */
export function bootstrapMean(
  values: ArrayLike<number>,
  options: BootstrapOptions = {},
): [number, number] | null {
  return bootstrapMeans([values], options)[0]!;
}

/**
 * {@link bootstrapMean} of several samples of one length at once: with one
 * seed, a bootstrap of n values draws the same resamples whatever the values,
 * so each resample is drawn once and read for every sample (a comparison's
 * paired latency, tokens and cost: 200,000 pairs each, one draw of 400 × 200,000
 * instead of four). Each interval equals the one {@link bootstrapMean} gives.
 *
 * @example
 * ```ts
 * import { bootstrapMean, bootstrapMeans } from "./stats.ts";
 * const a = [1, 5, 2, 8, 3], b = [0.5, 0.1, 0.9, 0.3, 0.2];
 * const [ia, ib] = bootstrapMeans([a, b], { seed: 7 });
 * if (String(ia) !== String(bootstrapMean(a, { seed: 7 })) || String(ib) !== String(bootstrapMean(b, { seed: 7 }))) {
 *   throw new Error("not the separate intervals");
 * }
 * ```
 */
export function bootstrapMeans(
  samples: ArrayLike<number>[],
  options: BootstrapOptions = {},
): ([number, number] | null)[] {
  const n = samples[0]?.length ?? 0;
  if (samples.some((s) => s.length !== n)) {
    throw new RangeError("bootstrapMeans takes samples of one length.");
  }
  if (n === 0) return samples.map(() => null);
  const v = samples.map((s) => Float64Array.from(s));
  const resamples = bootstrapResamples(n, options.resamples ?? 2000);
  const level = options.level ?? 0.95;
  const next = seededUint32(options.seed ?? 1);
  const counts = new Uint32Array(n);
  const means = v.map(() => new Float64Array(resamples));
  const finite = v.map(allFinite);
  for (let r = 0; r < resamples; r++) {
    resampleCounts(n, next, counts);
    for (let j = 0; j < v.length; j++) means[j]![r] = countedSum(v[j]!, counts, finite[j]!) / n;
  }
  return means.map((m) => {
    m.sort();
    return [quantileSorted(m, (1 - level) / 2)!, quantileSorted(m, (1 + level) / 2)!];
  });
}

/** A bootstrap interval of a difference of means and its p-value. */
export interface BootstrapMeanDifference {
  /** 95% (or `level`) interval of mean(candidate) − mean(baseline). */
  ci95: [number, number];
  /**
   * Two-sided p-value of "no difference": twice the smaller share of resampled
   * differences on either side of 0, with the +1 correction, at most 1.
   */
  p_value: number;
}

/**
 * Percentile bootstrap of mean(candidate) − mean(baseline) for several columns
 * measured on the same rows (e.g. total, input and output tokens per call): each
 * side's rows are resampled once per resample, seeded, and every column's means are
 * read from the same resample. One result per column; null when a side has no row.
 *
 * @example
 * ```ts
 * import { bootstrapMeanDifferences } from "./stats.ts";
 * // Every row of each side is equal: every resample differs by exactly 2 (and by 0).
 * const [a, b] = bootstrapMeanDifferences([[1, 1], [5, 5]], [[3, 3, 3], [5, 5, 5]]);
 * if (a!.ci95.join() !== "2,2" || a!.p_value >= 0.001) throw new Error(`a ${a!.ci95} ${a!.p_value}`);
 * if (b!.ci95.join() !== "0,0" || b!.p_value !== 1) throw new Error("b");
 * ```
 */
export function bootstrapMeanDifferences(
  baseline: ArrayLike<number>[],
  candidate: ArrayLike<number>[],
  options: BootstrapOptions = {},
): (BootstrapMeanDifference | null)[] {
  const nb = baseline[0]?.length ?? 0, nc = candidate[0]?.length ?? 0;
  if (nb === 0 || nc === 0) return baseline.map(() => null);
  const b = baseline.map((col) => Float64Array.from(col));
  const c = candidate.map((col) => Float64Array.from(col));
  const resamples = bootstrapResamples(Math.max(nb, nc), options.resamples ?? 2000);
  const level = options.level ?? 0.95;
  const next = seededUint32(options.seed ?? 1);
  const cb = new Uint32Array(nb), cc = new Uint32Array(nc);
  const diffs = b.map(() => new Float64Array(resamples));
  const fb = b.map(allFinite), fc = c.map(allFinite);
  for (let r = 0; r < resamples; r++) {
    resampleCounts(nb, next, cb);
    resampleCounts(nc, next, cc);
    for (let j = 0; j < b.length; j++) {
      diffs[j]![r] = countedSum(c[j]!, cc, fc[j]!) / nc - countedSum(b[j]!, cb, fb[j]!) / nb;
    }
  }
  return diffs.map((d) => {
    let below = 0, above = 0;
    for (const x of d) {
      if (x <= 0) below++;
      if (x >= 0) above++;
    }
    d.sort();
    return {
      ci95: [quantileSorted(d, (1 - level) / 2)!, quantileSorted(d, (1 + level) / 2)!],
      p_value: Math.min(1, 2 * (Math.min(below, above) + 1) / (resamples + 1)),
    };
  });
}

/** A test's result. */
export interface TestResult {
  /** The test's statistic (U, V, …). */
  statistic: number;
  /** Two-sided p-value. */
  p_value: number;
}

/** Midranks (1-based; ties share their mean rank) of `values`, and Σ(t³ − t) over ties. */
export function midranks(values: ArrayLike<number>): { ranks: Float64Array; ties: number } {
  const n = values.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  let ties = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[idx[j + 1]!] === values[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]!] = rank;
    const t = j - i + 1;
    ties += t * t * t - t;
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * The Mann–Whitney U test (two-sided), normal approximation with tie and
 * continuity corrections (SciPy's `mannwhitneyu(method="asymptotic")`): U is the
 * candidate's statistic, U = R − n(n + 1)/2 over the candidate's ranks. Null when
 * either side is empty or every value is tied.
 *
 * @example
 * ```ts
 * import { mannWhitneyU } from "./stats.ts";
 * // Ranks of [1, 2, 3] ∪ [4, 5, 6]: the candidate has 4 + 5 + 6 = 15, U = 15 − 6 = 9.
 * // μ = 3·3/2 = 4.5, σ² = 3·3·7/12 = 5.25, z = (9 − 4.5 − 0.5)/√5.25 = 1.7457, p = 0.0809.
 * const r = mannWhitneyU([1, 2, 3], [4, 5, 6])!;
 * if (r.statistic !== 9 || Math.abs(r.p_value - 0.0808556) > 1e-6) throw new Error(`${r.p_value}`);
 * ```
 */
export function mannWhitneyU(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
): TestResult | null {
  const n1 = baseline.length, n2 = candidate.length;
  if (n1 === 0 || n2 === 0) return null;
  const all = new Float64Array(n1 + n2);
  all.set(Float64Array.from(baseline), 0);
  all.set(Float64Array.from(candidate), n1);
  const { ranks, ties } = midranks(all);
  let r2 = 0;
  for (let i = n1; i < n1 + n2; i++) r2 += ranks[i]!;
  const u = r2 - n2 * (n2 + 1) / 2;
  const n = n1 + n2;
  const mu = n1 * n2 / 2;
  const variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)));
  if (!(variance > 0)) return null;
  const z = Math.max(0, Math.abs(u - mu) - 0.5) / Math.sqrt(variance);
  return { statistic: u, p_value: Math.min(1, 2 * (1 - stdlib.normalCdf(z, 0, 1))) };
}

/**
 * Fisher's exact test (two-sided) of `k1` events in `n1` trials against `k2` in
 * `n2`: the sum of the hypergeometric probabilities of the tables no more likely
 * than the one observed (R's `fisher.test`). Null when a side has no trials.
 *
 * @example
 * ```ts
 * import { fisherExact } from "./stats.ts";
 * // Fisher's tea-tasting table [[3, 1], [1, 3]]: p = (1 + 16 + 16 + 1)/70 = 0.4857.
 * const r = fisherExact(3, 4, 1, 4)!;
 * if (Math.abs(r.p_value - 34 / 70) > 1e-9) throw new Error(`${r.p_value}`);
 * ```
 */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): TestResult | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const N = n1 + n2, K = k1 + k2;
  const lo = Math.max(0, K - n2), hi = Math.min(K, n1);
  const observed = stdlib.hypergeometricPmf(k1, N, K, n1);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const px = stdlib.hypergeometricPmf(x, N, K, n1);
    if (px <= observed * (1 + 1e-7)) p += px;
  }
  return { statistic: k1, p_value: Math.min(1, p) };
}

/**
 * Newcombe's hybrid score interval (his method 10) of the difference of two
 * proportions `k2/n2 − k1/n1` (candidate − baseline), from the two Wilson
 * intervals; null when a side has no trials.
 *
 * @example
 * ```ts
 * import { newcombeInterval } from "./stats.ts";
 * // Newcombe (1998), example (a): 56/70 − 48/80 = 0.2, 95% interval 0.0524 to 0.3339.
 * const [low, high] = newcombeInterval(48, 80, 56, 70)!;
 * if (Math.abs(low - 0.0524) > 5e-5 || Math.abs(high - 0.3339) > 5e-5) throw new Error(`${low} ${high}`);
 * ```
 */
export function newcombeInterval(
  k1: number,
  n1: number,
  k2: number,
  n2: number,
  z = Z95,
): [number, number] | null {
  const w1 = wilsonInterval(k1, n1, z), w2 = wilsonInterval(k2, n2, z);
  if (!w1 || !w2) return null;
  const p1 = k1 / n1, p2 = k2 / n2, d = p2 - p1;
  const [l1, u1] = w1, [l2, u2] = w2;
  return [
    d - Math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
    d + Math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2),
  ];
}

/**
 * The Wilcoxon signed-rank test (two-sided) of paired `differences` against 0, as
 * R's `wilcox.test`: zero differences dropped; exact (stdlib's `wilcoxon`) below 50
 * pairs without ties, else the normal approximation with tie and continuity
 * corrections. Null when every difference is zero or there is none.
 *
 * @example
 * ```ts
 * import { wilcoxonSignedRank } from "./stats.ts";
 * // Hollander & Wolfe (1973) depression scores, as in R's ?wilcox.test: V = 40, p = 0.03906.
 * const x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
 * const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
 * const r = wilcoxonSignedRank(x.map((v, i) => v - y[i]!))!;
 * if (r.statistic !== 40 || Math.abs(r.p_value - 0.0390625) > 1e-9) throw new Error(`${r.p_value}`);
 * ```
 */
export function wilcoxonSignedRank(differences: ArrayLike<number>): TestResult | null {
  const d = Array.from(differences).filter((x) => Number.isFinite(x) && x !== 0);
  if (d.length === 0) return null;
  const abs = d.map(Math.abs);
  const { ranks, ties } = midranks(abs);
  if (d.length < 50 && ties === 0) {
    // Exact, through stdlib (as R's wilcox.test for fewer than 50 untied pairs).
    const r = stdlib.wilcoxon(d, { alternative: "two-sided" }) as {
      statistic: number;
      pValue: number;
    };
    return { statistic: r.statistic, p_value: Math.min(1, r.pValue) };
  }
  // The normal approximation with tie and continuity corrections (R's `correct = TRUE`),
  // in O(n log n): stdlib's takes quadratic time on large samples.
  const n = d.length;
  let v = 0;
  for (let i = 0; i < n; i++) if (d[i]! > 0) v += ranks[i]!;
  const mean = n * (n + 1) / 4;
  const variance = n * (n + 1) * (2 * n + 1) / 24 - ties / 48;
  if (!(variance > 0)) return { statistic: v, p_value: 1 };
  const z = Math.max(0, Math.abs(v - mean) - 0.5) / Math.sqrt(variance);
  return { statistic: v, p_value: Math.min(1, 2 * (1 - stdlib.normalCdf(z, 0, 1))) };
}
