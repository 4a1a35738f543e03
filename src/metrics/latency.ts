/**
 * Latency metrics. The population is the seed's: successful calls
 * (`llm_response` events, orphans included) with `duration_s > 0`. Error
 * latency is a separate population, never mixed in.
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import type { MetricSpec } from "./spec.ts";

/** Successful calls with a positive duration (the seed's response-time population). */
export function isLatencySample(): pl.Expr {
  return pl.col("status").eq(pl.lit("ok")).and(pl.col("duration_s").gt(0));
}

/** `duration_s` of the latency population. */
export function latency(): pl.Expr {
  return pl.col("duration_s").filter(isLatencySample());
}

/** `duration_s` of failed calls with a positive duration. */
export function errorLatency(): pl.Expr {
  return pl.col("duration_s").filter(
    pl.col("status").eq(pl.lit("error")).and(pl.col("duration_s").gt(0)),
  );
}

/** Time to first token of the calls that report one. */
export function ttft(): pl.Expr {
  return pl.col("ttft_s").filter(pl.col("ttft_s").isNotNull());
}

/**
 * Time per output token of streamed calls: `(duration_s − ttft_s) / (output_tokens − 1)`,
 * for successful calls with a TTFT and more than one output token.
 */
export function timePerOutputToken(): pl.Expr {
  const ok = pl.col("status").eq(pl.lit("ok")).and(pl.col("ttft_s").isNotNull())
    .and(pl.col("output_tokens").gt(1)).and(pl.col("duration_s").isNotNull());
  return pl.col("duration_s").sub(pl.col("ttft_s")).div(
    pl.col("output_tokens").cast(pl.Float64).sub(1),
  ).filter(ok);
}

/** Output tokens per second of each successful call with usage and a positive duration. */
export function outputTokensPerSecond(): pl.Expr {
  return pl.col("output_tokens").cast(pl.Float64).div(pl.col("duration_s"))
    .filter(isLatencySample().and(pl.col("output_tokens").isNotNull()));
}

/** Number of non-null values. */
export function count(values: pl.Expr): pl.Expr {
  return values.count().cast(pl.Int64);
}

/** Sample standard deviation (n − 1), 0 for one value, null for none (the seed's). */
export function sampleStd(values: pl.Expr): pl.Expr {
  return pl.when(values.count().eq(1)).then(pl.lit(0)).otherwise(values.std());
}

/** Quantile `q` with linear interpolation (numpy's default). */
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
