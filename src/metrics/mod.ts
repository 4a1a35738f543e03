/**
 * Metrics: small builders returning Polars expressions (`pl.Expr`), combined by
 * a spec `{ name: metric }` and applied overall (`aggregate`) or per group
 * (`summarizeBy`: model, session, file, provider, session metadata, time bucket);
 * `summarize` builds the `summary.json` object, `compareGroups` the comparison
 * table of the report. Metrics never read files or draw.
 *
 * @example Add a metric of your own
 * ```ts ignore
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { summarize, summarizeBy, timeBucket } from "./mod.ts";
 * const p75 = pl.col("duration_s").quantile(0.75, "linear");
 * summarize(traces, { metrics: { p75_latency: p75 } }).by_model[0]!.metrics.p75_latency;
 * summarizeBy(traces.calls, timeBucket("1h"), { calls: pl.len(), p75_latency: p75 });
 * ```
 *
 * @module
 */
export * from "./spec.ts";
export * from "./latency.ts";
export * from "./errors.ts";
export * from "./tokens.ts";
export * from "./throughput.ts";
export * from "./sessions.ts";
export * from "./quality.ts";
export * from "./exact.ts";
export * from "./calls.ts";
export * from "./group_summary.ts";
export * from "./summary.ts";
export * from "./compare.ts";
export * from "./stats.ts";
export * from "./run_compare.ts";
export * from "./live_totals.ts";
