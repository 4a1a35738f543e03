/**
 * Metric specs: a metric is a Polars aggregation expression over the `calls`
 * frame; a spec `{ name: metric }` combines them, applied overall
 * ({@link aggregate}) or per group ({@link summarizeBy}).
 *
 * @module
 */
import pl from "../frames/polars.ts";

/** One metric: an aggregation expression, or a builder returning one. */
export type Metric = pl.Expr | (() => pl.Expr);

/** Named metrics: `{ p75_latency: pl.col("duration_s").quantile(0.75, "linear") }`. */
export type MetricSpec = Record<string, Metric>;

/** A plain value of a metric in a summary. */
export type MetricValue = number | string | boolean | null;

/** What to group by: column names, expressions (e.g. {@link timeBucket}), or a mix. */
export type GroupBy = string | pl.Expr | (string | pl.Expr)[];

/**
 * The expressions of a spec, each aliased to its name.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { specExprs } from "./spec.ts";
 * const calls = pl.DataFrame({ duration_s: [1, 2, 6] });
 * const out = calls.select(...specExprs({ calls: pl.len(), slowest: () => pl.col("duration_s").max() }));
 * if (out.columns.join() !== "calls,slowest" || out.row(0).join() !== "3,6") throw new Error("spec");
 * ```
 */
export function specExprs(spec: MetricSpec): pl.Expr[] {
  return Object.entries(spec).map(([name, m]) => (typeof m === "function" ? m() : m).alias(name));
}

/** A value from Polars as plain JSON: bigint → number, NaN/±Infinity → null, Date → ISO string. */
export function plainValue(v: unknown): MetricValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === "string" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

/**
 * Evaluate a spec over a whole frame: one plain value per metric.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * const calls = pl.DataFrame({ duration_s: [1, 2, 3, 4] });
 * const m = aggregate(calls, { p75: pl.col("duration_s").quantile(0.75, "linear") });
 * if (m.p75 !== 3.25) throw new Error(`expected 3.25, got ${m.p75}`);
 * ```
 */
export function aggregate(frame: pl.DataFrame, spec: MetricSpec): Record<string, MetricValue> {
  const exprs = specExprs(spec);
  if (exprs.length === 0) return {};
  const row = frame.select(...exprs).toRecords()[0] ?? {};
  return Object.fromEntries(Object.keys(spec).map((k) => [k, plainValue(row[k])]));
}

function byExprs(by: GroupBy): pl.Expr[] {
  return (Array.isArray(by) ? by : [by]).map((b) => (typeof b === "string" ? pl.col(b) : b));
}

/** Options of {@link summarizeBy}. */
export interface SummarizeByOptions {
  /**
   * The `sessions` frame: when a `by` column is not in `calls` (a session-metadata
   * field such as `user` or `project`), it is joined from here by `session_id`.
   */
  sessions?: pl.DataFrame;
}

/**
 * One row per group with one column per metric, sorted by the group keys.
 * Groups: any `calls` column (`model`, `session_id`, `file`, `provider`, `status`,
 * `group`), a session-metadata field (pass `sessions`), or an expression such as
 * `timeBucket("1h")`.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { summarizeBy } from "./spec.ts";
 * const calls = pl.DataFrame({ model: ["a", "b", "a"], duration_s: [1, 5, 3] });
 * const t = summarizeBy(calls, "model", { calls: pl.len(), mean: pl.col("duration_s").mean() });
 * // model | calls | mean
 * // a     | 2     | 2
 * // b     | 1     | 5
 * if (t.getColumn("mean").toArray().join() !== "2,5") throw new Error("bad");
 * ```
 */
export function summarizeBy(
  calls: pl.DataFrame,
  by: GroupBy,
  spec: MetricSpec,
  options: SummarizeByOptions = {},
): pl.DataFrame {
  let frame = calls;
  const names = (Array.isArray(by) ? by : [by]).filter((b): b is string => typeof b === "string");
  const fromSessions = names.filter((n) => !calls.columns.includes(n));
  if (fromSessions.length) {
    const sessions = options.sessions;
    const absent = fromSessions.filter((n) => !sessions?.columns.includes(n));
    if (absent.length) {
      throw new RangeError(
        `Cannot group by ${absent.map((a) => JSON.stringify(a)).join(", ")}: not a column of calls${
          sessions ? " or sessions" : " (pass `sessions` to group by session metadata)"
        }.`,
      );
    }
    frame = frame.join(
      sessions!.select("session_id", ...fromSessions).unique({
        subset: "session_id",
        keep: "first",
      }),
      {
        on: "session_id",
        how: "left",
      },
    );
  }
  const keys = byExprs(by);
  const out = frame.groupBy(keys as never).agg(...specExprs(spec));
  const keyNames = out.columns.slice(0, keys.length);
  return keyNames.length ? out.sort(keyNames, false, true as never) : out;
}

/**
 * A time bucket to group by: `started_at` truncated to `every` (Polars duration
 * strings: `"1m"`, `"15m"`, `"1h"`, `"1d"`), named `bucket`.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { summarizeBy, timeBucket } from "./spec.ts";
 * const at = (hhmm: string) => new Date(`2025-01-01T${hhmm}:00Z`);
 * const calls = pl.DataFrame({ started_at: [at("10:05"), at("10:40"), at("11:10")] });
 * const perHour = summarizeBy(calls, timeBucket("1h"), { calls: pl.len() });
 * // 10:05 and 10:40 fall in the 10:00 bucket, 11:10 in the 11:00 one.
 * const counts = perHour.getColumn("calls").toArray().map(Number);
 * if (counts.join() !== "2,1") throw new Error(counts.join());
 * ```
 */
export function timeBucket(every = "1h", column = "started_at"): pl.Expr {
  return pl.col(column).dt.truncate(every).alias("bucket");
}
