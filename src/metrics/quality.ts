/**
 * Data quality: the loader's diagnostics, orphan responses, pending calls and
 * sessions without an end.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import type { TraceSet } from "../frames/columns.ts";
import { plainValue } from "./spec.ts";

/** The data-quality section of the summary. */
export interface DataQuality {
  /** Diagnostics by code, most frequent first (ties by code). */
  diagnostics_by_code: Record<string, number>;
  /** Diagnostics by severity (`error`: line not loaded, `warning`: loaded but suspicious). */
  diagnostics_by_severity: Record<string, number>;
  /** Responses with no request (counted as the seed counts them). */
  orphan_responses: number;
  /** Requests with no response or error. */
  pending_calls: number;
  /** Sessions with no `session_end` (crashed or still running). */
  sessions_without_end: number;
  /** Calls whose model is `"unknown"` (no event named one). */
  unknown_model_calls: number;
}

/**
 * Counts of a column, most frequent first (ties by value), as an ordered object.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { countsBy } from "./quality.ts";
 * const diagnostics = pl.DataFrame({ code: ["b", "a", "c", "a", "b", "a"] });
 * // a: 3, then b: 2, then c: 1, in that order.
 * const counts = JSON.stringify(countsBy(diagnostics, "code"));
 * if (counts !== '{"a":3,"b":2,"c":1}') throw new Error(counts);
 * ```
 */
export function countsBy(frame: pl.DataFrame, column: string): Record<string, number> {
  if (frame.height === 0) return {};
  const t = frame.groupBy(column).agg(pl.len().cast(pl.Int64).alias("__n")).sort(
    ["__n", column],
    [true, false] as never,
  );
  return Object.fromEntries(
    t.toRecords().map((r) => [String(r[column]), plainValue(r.__n) as number]),
  );
}

/**
 * The data-quality numbers of a trace set.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { dataQuality } from "./quality.ts";
 * const q = dataQuality(await loadTraces("traces/"));
 * // traces/: 6 session_start but 5 session_end lines; 90 requests, 83 responses, 6 errors.
 * if (q.sessions_without_end !== 1 || q.pending_calls !== 1) throw new Error(JSON.stringify(q));
 * ```
 */
export function dataQuality(traces: TraceSet): DataQuality {
  const { calls, sessions, diagnostics } = traces;
  // Counted in one pass, not as the heights of filtered copies of the calls (50,000 rows
  // of every column for 50,000 unknown-model calls, kept until a collection).
  const count = (rows: pl.Expr) => rows.sum().cast(pl.Int64);
  const [counts] = calls.select(
    (calls.columns.includes("orphan") ? count(pl.col("orphan").eq(true)) : pl.lit(0))
      .alias("orphan"),
    count(pl.col("status").eq(pl.lit("pending"))).alias("pending"),
    count(pl.col("model").eq(pl.lit("unknown"))).alias("unknown"),
  ).toRecords();
  const n = (v: unknown) => (plainValue(v) as number | null) ?? 0;
  return {
    diagnostics_by_code: countsBy(diagnostics, "code"),
    diagnostics_by_severity: countsBy(diagnostics, "severity"),
    orphan_responses: n(counts?.orphan),
    pending_calls: n(counts?.pending),
    sessions_without_end: sessions.filter(pl.col("complete").not()).height,
    unknown_model_calls: n(counts?.unknown),
  };
}
