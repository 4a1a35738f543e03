/**
 * One summary row per group of calls, the same everywhere: `summary.by_model`,
 * the report's comparison by a field (`by_group`), and both sides of `compare`
 * are {@link GroupMetrics} rows computed from one spec ({@link groupSpec}), so a
 * model has the same numbers in every table. {@link BETTER} says, once, which
 * direction of each ranked metric is better.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import type { TraceSet } from "../frames/columns.ts";
import {
  type GroupBy,
  type MetricSpec,
  type MetricValue,
  plainValue,
  summarizeBy,
} from "./spec.ts";
import { latency, outputTokensPerSecond, quantile, ttft } from "./latency.ts";
import {
  errorCount,
  errorRate,
  errorRateBound,
  errorRateColumns,
  okCount,
  pendingCount,
} from "./errors.ts";
import { costPerCall, costTotal, pricedCalls, tokenSum, tokenTotal } from "./tokens.ts";
import { withCallDefaults } from "./calls.ts";

/** Latency of successful responses with a duration (seconds); null over zero values. */
export interface LatencySummary {
  /** Mean latency. */
  mean: number | null;
  /** Median latency (linear interpolation, as every percentile here). */
  p50: number | null;
  /** 90th percentile. */
  p90: number | null;
  /** 95th percentile. */
  p95: number | null;
  /** 99th percentile. */
  p99: number | null;
  /** Shortest latency. */
  min: number | null;
  /** Longest latency. */
  max: number | null;
  /** How many latencies (the n of every statistic above). */
  count: number;
}

/**
 * The numbers of one group of calls (a model, a version, one side of a comparison).
 * The first keys are the `by_model` contract of `summary.json`; the rest are extras.
 */
export interface GroupMetrics {
  /** Every call of the group (ok, error, pending, orphans). */
  calls: number;
  /** Calls with status `ok`. */
  ok: number;
  /** Calls with status `error`. */
  errors: number;
  /** errors / (ok + errors); null when neither. */
  error_rate: number | null;
  /** Latency of the successful calls with a positive duration (the seed's population). */
  latency: LatencySummary;
  /** Input tokens of the group's calls (0 when none reports usage). */
  input_tokens: number;
  /** Output tokens of the group's calls (0 when none reports usage). */
  output_tokens: number;
  /** Null when no call of the group is priced (never a silent 0). */
  cost_usd: number | null;
  // Extras, after the contract keys.
  /** Calls still waiting for a response or error. */
  pending: number;
  /** Wilson 95% interval of `error_rate`. */
  error_rate_ci: [number, number] | null;
  /** The models the responses named (`served_model`), sorted: the versions behind `model`. */
  served_models: string[];
  /** Median time to first token of streamed calls. */
  ttft_p50: number | null;
  /** Median output tokens per second of successful calls. */
  output_tokens_per_second: number | null;
  /** (input + output tokens) / calls; null without calls. */
  tokens_per_call: number | null;
  /** input tokens / calls (a call without usage counts 0); null without calls. */
  input_tokens_per_call: number | null;
  /** output tokens / calls (a call without usage counts 0); null without calls. */
  output_tokens_per_call: number | null;
  /** Calls with a cost. */
  priced_calls: number;
  /** Mean cost of the priced calls (`cost_usd / priced_calls`); null when none is priced. */
  cost_per_call: number | null;
  /** Custom metrics (`summarize(…, { metrics })`) over this group's calls. */
  metrics: Record<string, MetricValue>;
}

/** One model in `summary.by_model`. */
export type ModelSummary = { model: string } & GroupMetrics;

/** One group of the comparison by a field (`by_group`, both sides of `compare`). */
export type GroupSummary = { group: string } & GroupMetrics;

/**
 * Which direction of a metric is better, for every ranked or judged metric: the
 * ★ of the report's tables, `compareGroups().best`, and worse/better in `compare`.
 * A metric not listed (calls, tokens) is not judged.
 */
export const BETTER = {
  error_rate: "lower",
  latency_mean: "lower",
  latency_p50: "lower",
  latency_p90: "lower",
  latency_p95: "lower",
  latency_p99: "lower",
  ttft_p50: "lower",
  output_tokens_per_second: "higher",
  cost_per_call: "lower",
} as const satisfies Record<string, "lower" | "higher">;

/** A metric with a better direction. */
export type RankedMetric = keyof typeof BETTER;

/**
 * A number of a group row, by name: `latency_<statistic>` (`latency_p95`) or a top-level
 * number (`error_rate`, `calls`, `cost_per_call`).
 */
export type MetricName =
  | {
    [K in keyof GroupMetrics]: GroupMetrics[K] extends number | null ? K : never;
  }[keyof GroupMetrics]
  | `latency_${Exclude<keyof LatencySummary, "count">}`;

/**
 * A metric's value in a row: the ranked metrics (`BETTER`), the compared ones
 * (`DELTA_METRICS`) and the ★ of the report's tables. A row written by an older version
 * may lack a metric: null.
 *
 * @example
 * ```ts
 * import { metricValue } from "./group_summary.ts";
 * const row = { error_rate: 0.25, latency: { mean: 1.5, p95: 3 } };
 * if (metricValue(row, "latency_p95") !== 3) throw new Error("latency_p95");
 * if (metricValue(row, "error_rate") !== 0.25) throw new Error("error_rate");
 * if (metricValue(row, "cost_per_call") !== null) throw new Error("a missing metric is null");
 * ```
 */
export function metricValue(
  row: Partial<Omit<GroupMetrics, "latency">> & { latency: Partial<LatencySummary> },
  metric: MetricName,
): number | null {
  if (metric.startsWith("latency_")) {
    return row.latency[metric.slice("latency_".length) as keyof LatencySummary] ?? null;
  }
  return (row[metric as Exclude<MetricName, `latency_${string}`>] as number | null | undefined) ??
    null;
}

/**
 * The spec of one group row: its columns are the flat names of {@link GroupMetrics}
 * (`latency_p95`, `error_rate_low`, …), as `compareGroups().table` shows them.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { groupSpec } from "./group_summary.ts";
 * const calls = pl.DataFrame({
 *   status: ["ok", "ok", "error"], duration_s: [1, 3, 2],
 *   input_tokens: [10, 20, null], output_tokens: [5, 5, null], cost_usd: [0.5, 0.25, null],
 *   served_model: ["m-1", "m-1", null],
 * }).withColumns(
 *   pl.lit(null).cast(pl.Float64).alias("ttft_s"),
 *   pl.lit(null).cast(pl.Int64).alias("total_tokens"),
 * );
 * const row = aggregate(calls, groupSpec());
 * // 3 calls, 1 of the 3 finished failed; latency of the 2 successes: (1 + 3) / 2 = 2;
 * // cost 0.5 + 0.25 = 0.75 over 2 priced calls.
 * if (row.calls !== 3 || row.error_rate !== 1 / 3 || row.latency_mean !== 2) throw new Error("row");
 * if (row.cost_usd !== 0.75 || row.cost_per_call !== 0.375) throw new Error("cost");
 * ```
 */
export function groupSpec(): MetricSpec {
  return {
    calls: () => pl.len().cast(pl.Int64),
    ok: okCount,
    errors: errorCount,
    pending: pendingCount,
    error_rate: errorRate,
    error_rate_low: () => errorRateBound("low"),
    error_rate_high: () => errorRateBound("high"),
    latency_count: () => latency().count().cast(pl.Int64),
    latency_mean: () => latency().mean(),
    latency_p50: () => quantile(latency(), 0.5),
    latency_p90: () => quantile(latency(), 0.9),
    latency_p95: () => quantile(latency(), 0.95),
    latency_p99: () => quantile(latency(), 0.99),
    latency_min: () => latency().min().cast(pl.Float64),
    latency_max: () => latency().max().cast(pl.Float64),
    ttft_p50: () => quantile(ttft(), 0.5),
    output_tokens_per_second: () => quantile(outputTokensPerSecond(), 0.5),
    input_tokens: () => tokenSum("input_tokens"),
    output_tokens: () => tokenSum("output_tokens"),
    tokens: tokenTotal,
    priced_calls: pricedCalls,
    cost_usd: costTotal,
    cost_per_call: costPerCall,
    served_models: () => pl.col("served_model").dropNulls().unique().sort(),
  };
}

const num = (v: unknown): number | null => {
  const p = plainValue(v);
  return typeof p === "number" ? p : null;
};

/** The served models of a row as a sorted list of strings. */
function servedList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v)
    ? v
    : typeof (v as { toArray?: () => unknown[] }).toArray === "function"
    ? (v as { toArray: () => unknown[] }).toArray()
    : [];
  return items.filter((x) => x !== null && x !== undefined).map(String).sort();
}

/** A record of a {@link groupSpec} table as a {@link GroupMetrics} row. */
export function groupRow(
  r: Record<string, unknown>,
  metrics: Record<string, MetricValue> = {},
): GroupMetrics {
  const calls = num(r.calls) ?? 0;
  const input = num(r.input_tokens) ?? 0;
  const output = num(r.output_tokens) ?? 0;
  const low = num(r.error_rate_low), high = num(r.error_rate_high);
  const perCall = (x: number) => (calls > 0 ? x / calls : null);
  return {
    calls,
    ok: num(r.ok) ?? 0,
    errors: num(r.errors) ?? 0,
    error_rate: num(r.error_rate),
    latency: {
      mean: num(r.latency_mean),
      p50: num(r.latency_p50),
      p90: num(r.latency_p90),
      p95: num(r.latency_p95),
      p99: num(r.latency_p99),
      min: num(r.latency_min),
      max: num(r.latency_max),
      count: num(r.latency_count) ?? 0,
    },
    input_tokens: input,
    output_tokens: output,
    cost_usd: num(r.cost_usd),
    pending: num(r.pending) ?? 0,
    error_rate_ci: low === null || high === null ? null : [low, high],
    served_models: servedList(r.served_models),
    ttft_p50: num(r.ttft_p50),
    output_tokens_per_second: num(r.output_tokens_per_second),
    // the calls' tokens in all, as the summary's total counts them (`callTokens`)
    tokens_per_call: perCall(num(r.tokens) ?? input + output),
    input_tokens_per_call: perCall(input),
    output_tokens_per_call: perCall(output),
    priced_calls: num(r.priced_calls) ?? 0,
    cost_per_call: num(r.cost_per_call),
    metrics,
  };
}

/** Options of {@link groupTable} and {@link summarizeGroups}. */
export interface GroupOptions {
  /** Custom metrics to add to each row (`row.metrics`). */
  metrics?: MetricSpec;
}

/**
 * The {@link groupSpec} table of `traces` by `by` (a calls column, a
 * session-metadata field, or several), sorted by the group keys, with the model
 * rule applied first.
 */
export function groupTable(traces: TraceSet, by: GroupBy): pl.DataFrame {
  const spec = groupSpec();
  // The error rate and its interval from each group's counts (`errorRateColumns`), not
  // from its calls: the same numbers, without counting the statuses ~90 times.
  const { error_rate: _, error_rate_low: _low, error_rate_high: _high, ...counted } = spec;
  const table = summarizeBy(withCallDefaults(traces.calls), by, counted, {
    sessions: traces.sessions,
  }).withColumns(...errorRateColumns("ok", "errors"));
  const keys = table.columns.slice(0, table.width - Object.keys(spec).length);
  return table.select(...keys, ...Object.keys(spec));
}

/**
 * One {@link GroupSummary} row per value of `by` (a calls column or a
 * session-metadata field), sorted by the value; calls without one are the group
 * `(none)`.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { summarizeGroups } from "./group_summary.ts";
 * const calls = pl.DataFrame({
 *   model: ["a", "a", "b"], status: ["ok", "error", "ok"], duration_s: [2, 1, 4],
 *   served_model: ["a-1", null, "b-2"], input_tokens: [10, null, 30], output_tokens: [5, null, 5],
 *   cost_usd: [0.5, null, 1],
 * });
 * const rows = summarizeGroups({ calls, sessions: pl.DataFrame({ session_id: [] }) } as never, "model");
 * // a: 2 calls, 1 error of 2 → 0.5; latency [2]; (10 + 5) / 2 calls = 7.5 tokens per call;
 * // cost per priced call 0.5 / 1.
 * const a = rows[0]!;
 * if (a.group !== "a" || a.error_rate !== 0.5 || a.latency.mean !== 2) throw new Error("a");
 * if (a.tokens_per_call !== 7.5 || a.cost_per_call !== 0.5 || a.served_models.join() !== "a-1") {
 *   throw new Error("a extras");
 * }
 * ```
 */
export function summarizeGroups(
  traces: TraceSet,
  by: string,
  options: GroupOptions = {},
): GroupSummary[] {
  const table = groupTable(traces, by);
  const custom = options.metrics ?? {};
  const customRows = Object.keys(custom).length
    ? new Map(
      summarizeBy(withCallDefaults(traces.calls), by, custom, { sessions: traces.sessions })
        .toRecords().map((r) => [String(r[by] ?? "(none)"), r]),
    )
    : new Map<string, Record<string, unknown>>();
  return table.toRecords().map((r) => {
    const group = r[by] === null || r[by] === undefined ? "(none)" : String(r[by]);
    const c = customRows.get(group);
    const metrics = Object.fromEntries(Object.keys(custom).map((k) => [k, plainValue(c?.[k])]));
    return { group, ...groupRow(r, metrics) };
  });
}
