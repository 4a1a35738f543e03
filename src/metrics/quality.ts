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
 * The problems a diagnostics frame stands for: each row's `count` (the lines past the first 100 of
 * a code in a file are one row; a warning folded over repeats says how many), 1 for a row without
 * one. A frame without the column counts its rows.
 */
function problems(frame: pl.DataFrame): pl.Expr {
  return frame.columns.includes("count")
    ? pl.col("count").fillNull(1).sum().cast(pl.Int64)
    : pl.len().cast(pl.Int64);
}

/**
 * The problems a diagnostics frame stands for, in all (see {@link countsBy}).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { problemCount } from "./quality.ts";
 * const diagnostics = pl.DataFrame({ code: ["bad_line", "bad_line"], count: [1, 150] });
 * if (problemCount(diagnostics) !== 151) throw new Error("the folded row counts its lines");
 * ```
 */
export function problemCount(frame: pl.DataFrame): number {
  if (frame.height === 0) return 0;
  return Number(frame.select(problems(frame).alias("__n")).getColumn("__n").get(0));
}

/**
 * The problems of a diagnostics frame by the values of a column, most first (ties by value), as an
 * ordered object: each row counts as many problems as its `count` says (the row that stands for
 * the lines past the first 100 of a code, a warning folded over its repeats), so the counts agree
 * with `validate`'s and `--strict`'s, and their sum is exact.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { countsBy } from "./quality.ts";
 * const diagnostics = pl.DataFrame({ code: ["b", "a", "c", "a", "b", "a"] });
 * // a: 3, then b: 2, then c: 1, in that order.
 * const counts = JSON.stringify(countsBy(diagnostics, "code"));
 * if (counts !== '{"a":3,"b":2,"c":1}') throw new Error(counts);
 * // a row standing for 150 lines past the first 100 counts them
 * const folded = pl.DataFrame({ code: ["a", "b"], count: [1, 150] });
 * if (JSON.stringify(countsBy(folded, "code")) !== '{"b":150,"a":1}') throw new Error();
 * ```
 */
export function countsBy(frame: pl.DataFrame, column: string): Record<string, number> {
  if (frame.height === 0) return {};
  const t = frame.groupBy(column).agg(problems(frame).alias("__n")).sort(
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
