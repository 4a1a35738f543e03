/**
 * `compareGroups`: the model (or group) comparison table of the report, and
 * which group is best on each metric.
 *
 * @module
 */
import type pl from "npm:nodejs-polars@0.25.2";
import type { TraceSet } from "../frames/columns.ts";
import { type GroupBy, plainValue } from "./spec.ts";
import { BETTER, groupTable, type RankedMetric } from "./group_summary.ts";
import { type GroupDeltas, groupDeltas, type GroupDeltasOptions } from "./run_compare.ts";

/** A metric of the comparison and which direction is better. */
export interface ComparedMetric {
  /** Column of the table. */
  metric: RankedMetric;
  /** Human label. */
  label: string;
  /** Which direction is better. */
  better: "lower" | "higher";
}

const LABELS: Record<RankedMetric, string> = {
  error_rate: "Error rate",
  latency_mean: "Mean latency (s)",
  latency_p50: "p50 latency (s)",
  latency_p90: "p90 latency (s)",
  latency_p95: "p95 latency (s)",
  latency_p99: "p99 latency (s)",
  ttft_p50: "p50 time to first token (s)",
  output_tokens_per_second: "Output tokens per second (median)",
  cost_per_call: "Cost per priced call (USD)",
};

/** The metrics {@link compareGroups} ranks, in table order (directions from `BETTER`). */
export const COMPARED_METRICS: readonly ComparedMetric[] = (
  [
    "error_rate",
    "latency_mean",
    "latency_p50",
    "latency_p95",
    "ttft_p50",
    "output_tokens_per_second",
    "cost_per_call",
  ] as const
).map((metric) => ({ metric, label: LABELS[metric], better: BETTER[metric] }));

/** Options of {@link compareGroups}. */
export interface CompareGroupsOptions extends GroupDeltasOptions {
  /**
   * Compare each group with the reference, with bootstrap intervals and tests
   * (`deltas`). They cost about O(resamples × calls): `false` leaves them out when
   * only the table and the best groups are wanted.
   * @default {true}
   */
  statistics?: boolean;
}

/** The best group on one metric. */
export interface Best extends ComparedMetric {
  /** The best group's label, or null when no group has a value. */
  group: string | null;
  /** The best value; null when no group has one. */
  value: number | null;
  /** Other groups with exactly the same value. */
  tied: string[];
}

/** The result of {@link compareGroups}. */
export interface Comparison {
  /** One row per group: the group column(s), then the `groupSpec` metrics. */
  table: pl.DataFrame;
  /** The best group on each of {@link COMPARED_METRICS}. */
  best: Best[];
  /**
   * Each group against a reference group, with 95% intervals, p-values, tests and n
   * (null with fewer than two groups, or when `by` is not one field name).
   */
  deltas: GroupDeltas | null;
}

/**
 * Compare groups of calls (by `model` by default; also `provider`, `group`,
 * `file`, a session-metadata field, or several columns): a table of error rate
 * (with its Wilson interval), latency, TTFT, throughput, tokens and cost, and
 * which group is best on each metric (lower error rate, latency and cost;
 * higher tokens per second). Groups with no value for a metric do not compete.
 * With one field, each group is also compared with a reference group (the one
 * with the most calls, or `options.reference`): `deltas`, with statistics.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { compareGroups } from "./compare.ts";
 * const calls = pl.DataFrame({
 *   model: ["a", "a", "a", "b", "b"], status: ["ok", "ok", "ok", "ok", "ok"],
 *   duration_s: [1, 2, 3, 0.5, 0.7],
 * });
 * const { best, deltas } = compareGroups({ calls, sessions: pl.DataFrame({ session_id: [] }) } as never);
 * // b is faster at p95 (0.5 + 0.95·0.2 = 0.69 s against 2.9 s); a, with more calls, is the reference.
 * if (best.find((b) => b.metric === "latency_p95")?.group !== "b") throw new Error("best");
 * if (deltas?.reference !== "a" || deltas.groups[0]!.deltas.latency_mean.change !== 0.6 - 2) {
 *   throw new Error("deltas");
 * }
 * ```
 */
export function compareGroups(
  traces: TraceSet,
  by: GroupBy = "model",
  options: CompareGroupsOptions = {},
): Comparison {
  const table = groupTable(traces, by);
  const keyCount = Array.isArray(by) ? by.length : 1;
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
  const deltas = typeof by === "string" && options.statistics !== false
    ? groupDeltas(traces, by, options)
    : null;
  return { table, best, deltas };
}
