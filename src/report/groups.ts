/**
 * The report's comparison by a field (`report --group-by FIELD`, `compare`): the
 * fields one can group by, and one {@link GroupSummary} row per group, from
 * `compareGroups`.
 *
 * @module
 */
import { SESSION_COLUMNS, type TraceSet } from "../frames/columns.ts";
import pl from "../frames/polars.ts";
import { groupDeltas, type GroupSummary, summarizeGroups } from "../metrics/mod.ts";
import type { GroupComparison, ModelSummary } from "./input.ts";
import { withFrames } from "../frames/lazy.ts";

/** The calls columns one can group by. */
export const CALL_GROUP_FIELDS = [
  "model",
  "served_model",
  "provider",
  "file",
  "session_id",
  "group",
] as const;

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

/**
 * One row per group of `by` (a field of {@link groupByFields}): the same
 * `GroupSummary` rows as `summary.by_model` (`summarizeGroups`). Rows are sorted by
 * group, except that the labels of `order` come first, in that order (e.g. the
 * baseline before the candidate). `deltas` compares each group with the reference
 * (the first of `order`, else the group with the most calls), with statistics.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { groupComparison } from "./groups.ts";
 * const calls = pl.DataFrame({ model: ["a", "b", "b"], status: ["ok", "ok", "error"], duration_s: [1, 2, 3] });
 * const traces = { calls, sessions: pl.DataFrame({ session_id: [] }) } as never;
 * const { groups } = groupComparison(traces, "model", ["b"]);
 * // b first (ordered), 1 error of 2 calls; then a.
 * if (groups.map((g) => `${g.group}:${g.error_rate}`).join() !== "b:0.5,a:0") throw new Error("bad");
 * ```
 */
export function groupComparison(
  traces: TraceSet,
  by: string,
  order: string[] = [],
  options: { deltas?: boolean } = {},
): GroupComparison {
  const groups = summarizeGroups(traces, by);
  const rank = (g: GroupSummary) => {
    const i = order.indexOf(g.group);
    return i < 0 ? order.length : i;
  };
  groups.sort((a, b) => rank(a) - rank(b)); // stable: the rest keep their order
  return {
    by,
    groups,
    deltas: options.deltas === false ? null : groupDeltas(traces, by, { order }),
  };
}

/**
 * Each run's `by_model` rows (the runs are the `group` labels of a comparison),
 * marked with the run, in the order of `runs`: a comparison's model table keeps the
 * runs apart.
 */
export function modelsByRun(traces: TraceSet, runs: string[]): ModelSummary[] {
  return runs.flatMap((run) =>
    summarizeGroups(
      withFrames(traces, { calls: traces.calls.filter(pl.col("group").eq(pl.lit(run))) }),
      "model",
    )
      .sort((a, b) => b.calls - a.calls || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
      .map(({ group, ...row }) => ({ model: group, run, ...row }))
  );
}
