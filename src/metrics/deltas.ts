/**
 * The compared metrics of two runs and how their changes read: their names
 * ({@link DELTA_METRICS}, {@link DELTA_LABELS}), one {@link Delta} per metric, whether a
 * change is good news ({@link assessDelta}) and the text of a value or a p-value. No
 * statistics here (they are in `run_compare.ts` and `stats.ts`), so the report's
 * pages import this without the statistics libraries.
 *
 * @module
 */
import { formatFixed, formatPercent, formatPrecision } from "../log/format.ts";
import { BETTER } from "./group_summary.ts";

/** The compared metrics, in the order of the table and of `deltas`. */
export const DELTA_METRICS = [
  "calls",
  "error_rate",
  "latency_mean",
  "latency_p50",
  "latency_p95",
  "latency_p99",
  "cost_per_call",
  "tokens_per_call",
  "input_tokens_per_call",
  "output_tokens_per_call",
] as const;
/** A compared metric. */
export type DeltaMetric = (typeof DELTA_METRICS)[number];

/** The metrics' names in tables. */
export const DELTA_LABELS: Record<DeltaMetric, string> = {
  calls: "calls",
  error_rate: "error rate",
  latency_mean: "mean latency",
  latency_p50: "p50 latency",
  latency_p95: "p95 latency",
  latency_p99: "p99 latency",
  cost_per_call: "cost per call",
  tokens_per_call: "tokens per call",
  input_tokens_per_call: "input tokens per call",
  output_tokens_per_call: "output tokens per call",
};

/** One metric of both sides, how it changed, and how sure that is. */
export interface Delta {
  /** The baseline's value; null when it has none. */
  baseline: number | null;
  /** The candidate's value; null when it has none. */
  candidate: number | null;
  /** candidate − baseline; null when either is null. */
  change: number | null;
  /** change / baseline; null when either is null or the baseline is 0 (then 0 when both are 0). */
  relative_change: number | null;
  /** 95% interval of `change`; null when it cannot be computed (or for `calls`). */
  ci95: [number, number] | null;
  /** Two-sided p-value of "no change"; null when untested. */
  p_value: number | null;
  /** The test of `p_value` (`Mann–Whitney U`, `Fisher's exact`, `bootstrap`); null when untested. */
  test: string | null;
  /** How `ci95` was computed (`bootstrap`, `Newcombe`). */
  interval: string | null;
  /** Values behind the statistic on each side (latencies, finished calls, calls, priced calls). */
  n_baseline: number;
  /** Values behind the candidate's statistic. */
  n_candidate: number;
  /** Set when a side has fewer than `MIN_SAMPLE` values (`run_compare.ts`). */
  warning: string | null;
}

/**
 * Whether a change is good news: `worse` (a rise of latency, errors or cost),
 * `better` (a fall), `unchanged`, or null for metrics that are not judged (calls,
 * tokens) and changes that cannot be computed. Directions from `BETTER`.
 */
export function assessDelta(
  metric: DeltaMetric,
  d: Pick<Delta, "change">,
): "worse" | "better" | "unchanged" | null {
  const better = (BETTER as Record<string, "lower" | "higher">)[metric];
  if (!better || d.change === null) return null;
  if (d.change === 0) return "unchanged";
  return (d.change > 0) === (better === "lower") ? "worse" : "better";
}

const pct1 = (r: number) => formatPercent(r);

/** A p-value as text: `p = 0.031`, `p < 0.001`. */
export function formatP(p: number): string {
  return p < 0.001 ? "p < 0.001" : `p = ${formatFixed(p, 3)}`;
}

/** A metric's value as text: `5`, `20.0%`, `3.85 s`, `$0.000200`, `150.0`; `–` for null. */
export function formatDeltaValue(metric: DeltaMetric, x: number | null): string {
  if (x === null) return "–";
  if (metric === "calls") return String(x);
  if (metric === "error_rate") return pct1(x);
  if (metric === "cost_per_call") return `${x < 0 ? "−" : ""}$${formatPrecision(Math.abs(x), 3)}`;
  if (metric.endsWith("tokens_per_call")) return formatFixed(x, 1);
  return `${formatFixed(x, 2)} s`;
}
