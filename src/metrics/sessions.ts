/**
 * Session metrics: one row per session with its calls, errors, tokens, cost and
 * the time spent inside model calls versus outside.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import { DATETIME_UTC } from "../frames/columns.ts";

/**
 * Seconds covered by the union of the call intervals of each session (calls that
 * overlap are counted once), as a frame `session_id`, `time_in_calls_s`.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { timeInCalls } from "./sessions.ts";
 * const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 10, 0, s));
 * const calls = pl.DataFrame({
 *   session_id: ["s", "s", "s"],
 *   started_at: [at(0), at(5), at(20)],
 *   ended_at: [at(10), at(12), at(25)],
 * });
 * // [0, 10] ∪ [5, 12] = [0, 12], plus [20, 25]: 12 + 5 = 17 s.
 * const t = timeInCalls(calls).getColumn("time_in_calls_s").toArray();
 * if (t.join() !== "17") throw new Error(t.join());
 * ```
 */
export function timeInCalls(calls: pl.DataFrame): pl.DataFrame {
  const us = (c: string) => pl.col(c).cast(DATETIME_UTC).cast(pl.Int64);
  // Each step is its own column, computed once: an expression holding the window
  // three times over (and that one three times again) evaluates it nine times.
  const prevEnd = pl.col("__p");
  const from = pl.col("__f");
  return calls.lazy()
    .filter(pl.col("started_at").isNotNull().and(pl.col("ended_at").isNotNull()))
    .select(pl.col("session_id"), us("started_at").alias("__s"), us("ended_at").alias("__e"))
    .sort(["session_id", "__s"])
    // End of everything seen before this call in the session.
    .withColumns(pl.col("__e").cumMax().shift(1).over("session_id").alias("__p"))
    .withColumns(
      pl.when(prevEnd.isNull().or(prevEnd.lt(pl.col("__s")))).then(pl.col("__s"))
        .otherwise(prevEnd).alias("__f"),
    )
    .select(
      pl.col("session_id"),
      pl.when(pl.col("__e").gt(from)).then(pl.col("__e").sub(from)).otherwise(pl.lit(0))
        .cast(pl.Float64).div(1e6).alias("__covered"),
    )
    .groupBy("session_id")
    .agg(pl.col("__covered").sum().alias("time_in_calls_s"))
    .collectSync();
}

/**
 * The `sessions` frame with, per session: `calls`, `errors` and `pending` counted
 * from `calls`, `input_tokens`, `output_tokens`, `cost_usd` (null when no call is
 * priced), `time_in_calls_s` (union of call intervals) and
 * `time_outside_calls_s` (`duration_s` − time in calls, null without a duration).
 * Sessions with calls but no session row (no `session_start`) are added.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { sessionTable } from "./sessions.ts";
 * const traces = await loadTraces("traces/");
 * const table = sessionTable(traces.calls, traces.sessions).sort("cost_usd", true);
 * // traces/: 6 files of one session each, 90 llm_request lines in all (grep -c).
 * const calls = table.getColumn("calls").toArray().map(Number).reduce((a, b) => a + b, 0);
 * if (table.height !== 6 || calls !== 90) throw new Error(`${table.height} sessions, ${calls} calls`);
 * ```
 */
export function sessionTable(calls: pl.DataFrame, sessions: pl.DataFrame): pl.DataFrame {
  const perSession = calls.groupBy("session_id").agg(
    pl.len().cast(pl.Int64).alias("__calls"),
    pl.col("status").eq(pl.lit("error")).sum().cast(pl.Int64).alias("__errors"),
    pl.col("status").eq(pl.lit("pending")).sum().cast(pl.Int64).alias("pending"),
    pl.col("input_tokens").sum().fillNull(0).cast(pl.Int64).alias("input_tokens"),
    pl.col("output_tokens").sum().fillNull(0).cast(pl.Int64).alias("output_tokens"),
    pl.when(pl.col("cost_usd").count().gt(0)).then(pl.col("cost_usd").sum()).otherwise(
      pl.lit(null).cast(pl.Float64),
    ).alias("cost_usd"),
    pl.col("started_at").min().alias("__first"),
    pl.col("ended_at").max().alias("__last"),
  ).join(timeInCalls(calls), { on: "session_id", how: "left" });
  const known = sessions.select("session_id");
  const extra = perSession.join(known, { on: "session_id", how: "anti" });
  let base = sessions;
  if (extra.height) {
    // Calls of a session with no session events: add it, unfinished.
    const rows = extra.select(
      pl.col("session_id"),
      pl.lit(null).cast(pl.Utf8).alias("file"),
      pl.col("__first").cast(DATETIME_UTC).alias("started_at"),
      pl.lit(null).cast(DATETIME_UTC).alias("ended_at"),
      pl.lit(null).cast(pl.Float64).alias("duration_s"),
      pl.lit(false).alias("complete"),
      pl.col("__calls").alias("calls"),
      pl.col("__errors").alias("errors"),
    );
    base = pl.concat([sessions, rows], { how: "diagonal" } as never);
  }
  return base
    .join(perSession, { on: "session_id", how: "left" })
    .withColumns(
      pl.col("__calls").fillNull(0).cast(pl.Int64).alias("calls"),
      pl.col("__errors").fillNull(0).cast(pl.Int64).alias("errors"),
      pl.col("pending").fillNull(0).cast(pl.Int64),
      pl.col("input_tokens").fillNull(0).cast(pl.Int64),
      pl.col("output_tokens").fillNull(0).cast(pl.Int64),
      pl.col("time_in_calls_s").fillNull(0),
    )
    .withColumns(
      pl.when(pl.col("duration_s").isNull()).then(pl.lit(null).cast(pl.Float64))
        .otherwise(pl.col("duration_s").sub(pl.col("time_in_calls_s"))).alias(
          "time_outside_calls_s",
        ),
    )
    .drop(["__calls", "__errors", "__first", "__last"]);
}
