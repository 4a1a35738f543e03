/**
 * Latency metrics. The population is the seed's: successful calls
 * (`llm_response` events, orphans included) with `duration_s > 0`. Error
 * latency is a separate population, never mixed in.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import type { MetricSpec } from "./spec.ts";

/**
 * Successful calls with a positive duration (the seed's response-time population).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { isLatencySample } from "./latency.ts";
 * const calls = pl.DataFrame({ status: ["ok", "ok", "error"], duration_s: [2, 0, 5] });
 * // Only the first: the second has no duration, the third failed.
 * if (calls.filter(isLatencySample()).height !== 1) throw new Error("sample");
 * ```
 */
export function isLatencySample(): pl.Expr {
  return pl.col("status").eq(pl.lit("ok")).and(pl.col("duration_s").gt(0));
}

/**
 * `duration_s` of the latency population.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { latency } from "./latency.ts";
 * const calls = pl.DataFrame({ status: ["ok", "ok", "error"], duration_s: [2, 4, 30] });
 * // The failed call's 30 s is left out: (2 + 4) / 2 = 3.
 * if (aggregate(calls, { mean: latency().mean() }).mean !== 3) throw new Error("mean");
 * ```
 */
export function latency(): pl.Expr {
  return pl.col("duration_s").filter(isLatencySample());
}

/**
 * `duration_s` of failed calls with a positive duration.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { errorLatency } from "./latency.ts";
 * const calls = pl.DataFrame({ status: ["ok", "error", "error"], duration_s: [2, 30, 0] });
 * // Only the failed call that took time: 30.
 * if (aggregate(calls, { max: errorLatency().max() }).max !== 30) throw new Error("max");
 * ```
 */
export function errorLatency(): pl.Expr {
  return pl.col("duration_s").filter(
    pl.col("status").eq(pl.lit("error")).and(pl.col("duration_s").gt(0)),
  );
}

/**
 * Time to first token of the calls that report one.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { ttft } from "./latency.ts";
 * const calls = pl.DataFrame({ ttft_s: [0.5, null, 1.5] });
 * // Two calls report one: (0.5 + 1.5) / 2 = 1.
 * const m = aggregate(calls, { n: ttft().count(), mean: ttft().mean() });
 * if (m.n !== 2 || m.mean !== 1) throw new Error(JSON.stringify(m));
 * ```
 */
export function ttft(): pl.Expr {
  return pl.col("ttft_s").filter(pl.col("ttft_s").isNotNull());
}

/**
 * Time per output token of streamed calls: `(duration_s − ttft_s) / (output_tokens − 1)`,
 * for successful calls with a TTFT and more than one output token.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { timePerOutputToken } from "./latency.ts";
 * const calls = pl.DataFrame({
 *   status: ["ok", "ok"], duration_s: [3, 2], ttft_s: [1, null], output_tokens: [5, 10],
 * });
 * // The first only (the second has no TTFT): (3 − 1) / (5 − 1) = 0.5 s per token.
 * if (aggregate(calls, { tpot: timePerOutputToken().mean() }).tpot !== 0.5) throw new Error("tpot");
 * ```
 */
export function timePerOutputToken(): pl.Expr {
  const ok = pl.col("status").eq(pl.lit("ok")).and(pl.col("ttft_s").isNotNull())
    .and(pl.col("output_tokens").gt(1)).and(pl.col("duration_s").isNotNull());
  return pl.col("duration_s").sub(pl.col("ttft_s")).div(
    pl.col("output_tokens").cast(pl.Float64).sub(1),
  ).filter(ok);
}

/**
 * Output tokens per second of each successful call with usage and a positive duration.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { outputTokensPerSecond } from "./latency.ts";
 * const calls = pl.DataFrame({
 *   status: ["ok", "ok", "error"], duration_s: [2, 4, 1], output_tokens: [100, null, 50],
 * });
 * // The first only (no usage on the second, the third failed): 100 / 2 = 50.
 * if (aggregate(calls, { tps: outputTokensPerSecond().max() }).tps !== 50) throw new Error("tps");
 * ```
 */
export function outputTokensPerSecond(): pl.Expr {
  return pl.col("output_tokens").cast(pl.Float64).div(pl.col("duration_s"))
    .filter(isLatencySample().and(pl.col("output_tokens").isNotNull()));
}

/** Number of non-null values. */
export function count(values: pl.Expr): pl.Expr {
  return values.count().cast(pl.Int64);
}

/**
 * Sample standard deviation (n − 1), 0 for one value, null for none (the seed's).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { sampleStd } from "./latency.ts";
 * const calls = pl.DataFrame({ x: [2, 4, 6] });
 * // Mean 4, squared deviations 4 + 0 + 4 = 8, over n − 1 = 2: variance 4, std 2.
 * if (aggregate(calls, { std: sampleStd(pl.col("x")) }).std !== 2) throw new Error("std");
 * if (aggregate(calls.head(1), { std: sampleStd(pl.col("x")) }).std !== 0) throw new Error("one");
 * ```
 */
export function sampleStd(values: pl.Expr): pl.Expr {
  return pl.when(values.count().eq(1)).then(pl.lit(0)).otherwise(values.std());
}

/**
 * Quantile `q` with linear interpolation (numpy's default).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { quantile } from "./latency.ts";
 * const calls = pl.DataFrame({ x: [10, 20, 30, 40, 50] });
 * // Position 0.9 × 4 = 3.6: 40 + 0.6 × (50 − 40) = 46.
 * if (aggregate(calls, { p90: quantile(pl.col("x"), 0.9) }).p90 !== 46) throw new Error("p90");
 * ```
 */
export function quantile(values: pl.Expr, q: number): pl.Expr {
  return values.quantile(q, "linear");
}

/** The statistics of DESIGN.md's `response_time`. */
export const STAT_NAMES = [
  "count",
  "mean",
  "std",
  "min",
  "max",
  "p50",
  "p90",
  "p95",
  "p99",
] as const;

/**
 * A spec of the statistics of `values` (count, mean, sample std, min, max,
 * p50/p90/p95/p99 linear), named `${prefix}_${stat}` (or `stat` alone when
 * `prefix` is empty).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { latency, statsSpec } from "./latency.ts";
 * const calls = pl.DataFrame({ status: ["ok", "ok", "error"], duration_s: [1, 3, 9] });
 * const s = aggregate(calls, statsSpec(latency()));
 * if (s.mean !== 2 || s.p90 !== 2.8) throw new Error("bad");
 * ```
 */
export function statsSpec(
  values: pl.Expr,
  prefix = "",
  stats: readonly (typeof STAT_NAMES)[number][] = STAT_NAMES,
): MetricSpec {
  const name = (s: string) => (prefix ? `${prefix}_${s}` : s);
  const all: Record<(typeof STAT_NAMES)[number], () => pl.Expr> = {
    count: () => count(values),
    mean: () => values.mean(),
    std: () => sampleStd(values),
    min: () => values.min().cast(pl.Float64),
    max: () => values.max().cast(pl.Float64),
    p50: () => quantile(values, 0.5),
    p90: () => quantile(values, 0.9),
    p95: () => quantile(values, 0.95),
    p99: () => quantile(values, 0.99),
  };
  return Object.fromEntries(stats.map((s) => [name(s), all[s]]));
}
