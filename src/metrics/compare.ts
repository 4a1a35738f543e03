/**
 * `compareGroups`: the model (or group) comparison table of the report, and
 * which group is best on each metric.
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import type { TraceSet } from "../frames/columns.ts";
import { type GroupBy, type MetricSpec, plainValue, summarizeBy } from "./spec.ts";
import { latency, outputTokensPerSecond, quantile, ttft } from "./latency.ts";
import { errorCount, errorRate, errorRateBound, okCount, pendingCount } from "./errors.ts";
import { costPerCall, costTotal, tokenSum } from "./tokens.ts";
import { withCallDefaults } from "./summary.ts";

/** A metric of the comparison and which direction is better. */
export interface ComparedMetric {
  /** Column of the table. */
  metric: string;
  /** Human label. */
  label: string;
  better: "lower" | "higher";
}

/** The metrics {@link compareGroups} ranks, in table order. */
export const COMPARED_METRICS: readonly ComparedMetric[] = [
  { metric: "error_rate", label: "Error rate", better: "lower" },
  { metric: "latency_mean", label: "Mean latency (s)", better: "lower" },
  { metric: "latency_p50", label: "p50 latency (s)", better: "lower" },
  { metric: "latency_p95", label: "p95 latency (s)", better: "lower" },
  { metric: "ttft_p50", label: "p50 time to first token (s)", better: "lower" },
  {
    metric: "output_tokens_per_second",
    label: "Output tokens per second (median)",
    better: "higher",
  },
  { metric: "cost_per_call", label: "Cost per priced call (USD)", better: "lower" },
];

/** The spec of the comparison table. */
export function comparisonSpec(): MetricSpec {
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
    latency_p95: () => quantile(latency(), 0.95),
    latency_p99: () => quantile(latency(), 0.99),
    ttft_p50: () => quantile(ttft(), 0.5),
    output_tokens_per_second: () => quantile(outputTokensPerSecond(), 0.5),
    input_tokens: () => tokenSum("input_tokens"),
    output_tokens: () => tokenSum("output_tokens"),
    cost_usd: costTotal,
    cost_per_call: costPerCall,
    // Appended (the report's group table shows them as the model table does).
    latency_p90: () => quantile(latency(), 0.9),
    latency_max: () => latency().max(),
  };
}

/** The best group on one metric. */
export interface Best extends ComparedMetric {
  /** The best group's label, or null when no group has a value. */
  group: string | null;
  value: number | null;
  /** Other groups with exactly the same value. */
  tied: string[];
}

/** The result of {@link compareGroups}. */
export interface Comparison {
  /** One row per group: the group column(s), then the {@link comparisonSpec} metrics. */
  table: pl.DataFrame;
  /** The best group on each of {@link COMPARED_METRICS}. */
  best: Best[];
}

/**
 * Compare groups of calls (by `model` by default; also `provider`, `group`,
 * `file`, a session-metadata field, or several columns): a table of error rate
 * (with its Wilson interval), latency, TTFT, throughput, tokens and cost, and
 * which group is best on each metric (lower error rate, latency and cost;
 * higher tokens per second). Groups with no value for a metric do not compete.
 *
 * @example
 * ```ts ignore
 * const { table, best } = compareGroups(traces, "model");
 * best.find((b) => b.metric === "latency_p95")?.group; // the fastest model at p95
 * ```
 */
export function compareGroups(traces: TraceSet, by: GroupBy = "model"): Comparison {
  const calls = withCallDefaults(traces.calls);
  const table = summarizeBy(calls, by, comparisonSpec(), { sessions: traces.sessions });
  const keyCount = table.width - Object.keys(comparisonSpec()).length;
  const keys = table.columns.slice(0, keyCount);
  const rows = table.toRecords();
  const label = (r: Record<string, unknown>) =>
    keys.map((k) => String(r[k] ?? "(none)")).join(" / ");
  const best = COMPARED_METRICS.map((m): Best => {
    let group: string | null = null, value: number | null = null, tied: string[] = [];
    for (const r of rows) {
      const v = plainValue(r[m.metric]);
      if (typeof v !== "number") continue;
      if (value === null || (m.better === "lower" ? v < value : v > value)) {
        value = v;
        group = label(r);
        tied = [];
      } else if (v === value) {
        tied.push(label(r));
      }
    }
    return { ...m, group, value, tied };
  });
  return { table, best };
}
