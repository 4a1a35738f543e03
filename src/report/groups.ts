/**
 * The report's comparison by a field (`report --group-by FIELD`, `compare`): the
 * fields one can group by, and one {@link GroupSummary} row per group, from
 * `compareGroups`.
 *
 * @module
 */
import { SESSION_COLUMNS, type TraceSet } from "../frames/columns.ts";
import { compareGroups, plainValue } from "../metrics/mod.ts";
import type { GroupComparison, GroupSummary } from "./input.ts";

/** The calls columns one can group by. */
export const CALL_GROUP_FIELDS = ["model", "provider", "file", "session_id", "group"] as const;

/**
 * The fields `traces` can be grouped by: {@link CALL_GROUP_FIELDS}, then the
 * session-metadata fields (`version`, `planner_model`, …) present in `sessions`.
 */
export function groupByFields(traces: TraceSet): string[] {
  const metadata = traces.sessions.columns.filter((c) =>
    !(c in SESSION_COLUMNS) && !(CALL_GROUP_FIELDS as readonly string[]).includes(c)
  );
  return [...CALL_GROUP_FIELDS, ...metadata];
}

const num = (v: unknown): number | null => {
  const p = plainValue(v);
  return typeof p === "number" ? p : null;
};

/**
 * One row per group of `by` (a field of {@link groupByFields}), with the metrics of
 * `compareGroups`. Rows are sorted by group, except that the labels of `order` come
 * first, in that order (e.g. the baseline before the candidate).
 *
 * @example
 * ```ts ignore
 * const { groups } = groupComparison(traces, "version");
 * groups.map((g) => [g.group, g.latency.p95]);
 * ```
 */
export function groupComparison(
  traces: TraceSet,
  by: string,
  order: string[] = [],
): GroupComparison {
  const { table } = compareGroups(traces, by);
  const groups = table.toRecords().map((r): GroupSummary => {
    const calls = num(r.calls) ?? 0;
    const input = num(r.input_tokens) ?? 0;
    const output = num(r.output_tokens) ?? 0;
    const low = num(r.error_rate_low), high = num(r.error_rate_high);
    return {
      group: r[by] === null || r[by] === undefined ? "(none)" : String(r[by]),
      calls,
      ok: num(r.ok) ?? 0,
      errors: num(r.errors) ?? 0,
      pending: num(r.pending) ?? 0,
      error_rate: num(r.error_rate),
      error_rate_ci: low === null || high === null ? null : [low, high],
      latency: {
        count: num(r.latency_count) ?? 0,
        mean: num(r.latency_mean),
        p50: num(r.latency_p50),
        p90: num(r.latency_p90),
        p95: num(r.latency_p95),
        p99: num(r.latency_p99),
        max: num(r.latency_max),
      },
      ttft_p50: num(r.ttft_p50),
      output_tokens_per_second: num(r.output_tokens_per_second),
      input_tokens: input,
      output_tokens: output,
      tokens_per_call: calls > 0 ? (input + output) / calls : null,
      cost_usd: num(r.cost_usd),
      cost_per_call: num(r.cost_per_call),
    };
  });
  const rank = (g: GroupSummary) => {
    const i = order.indexOf(g.group);
    return i < 0 ? order.length : i;
  };
  groups.sort((a, b) => rank(a) - rank(b)); // stable: the rest keep compareGroups' order
  return { by, groups };
}
