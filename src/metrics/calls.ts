/**
 * The `calls` frame as every metric reads it: the optional columns a hand-made
 * frame may lack added as nulls, and the model rule of DESIGN.md (`model` is the
 * requested model, `served_model` what the response names) applied to frames
 * from an older loader that still had `request_model`.
 *
 * @module
 */
import pl, { type DataType } from "../frames/polars.ts";

/** The call columns a summary needs, added as nulls when a hand-made frame lacks them. */
const OPTIONAL_CALL_COLUMNS: Record<string, DataType> = {
  provider: pl.Utf8,
  started_at: pl.Datetime("us", "UTC"),
  ended_at: pl.Datetime("us", "UTC"),
  duration_s: pl.Float64,
  error: pl.Utf8,
  input_tokens: pl.Int64,
  output_tokens: pl.Int64,
  total_tokens: pl.Int64,
  cache_read_tokens: pl.Int64,
  cache_write_tokens: pl.Int64,
  reasoning_tokens: pl.Int64,
  ttft_s: pl.Float64,
  cost_usd: pl.Float64,
  file: pl.Utf8,
  line: pl.Int64,
  orphan: pl.Bool,
  served_model: pl.Utf8,
};

/**
 * The model rule on a `calls` frame: `model` the requested model, `served_model`
 * the response's. A frame with `served_model` already follows it and is returned
 * as is; one from the older loader (`model` the response's, `request_model` the
 * request's) is rewritten to it (`served_model` then only for successful calls).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { withModelRule } from "./calls.ts";
 * const old = pl.DataFrame({
 *   model: ["o1-mini-2024-09-12", "o1-mini"],
 *   request_model: ["o1-mini", "o1-mini"],
 *   status: ["ok", "error"],
 * });
 * const calls = withModelRule(old);
 * if (calls.getColumn("model").toArray().join() !== "o1-mini,o1-mini") throw new Error("model");
 * if (calls.getColumn("served_model").toArray().join() !== "o1-mini-2024-09-12,") throw new Error("served");
 * ```
 */
export function withModelRule(calls: pl.DataFrame): pl.DataFrame {
  if (calls.columns.includes("served_model") || !calls.columns.includes("request_model")) {
    return calls;
  }
  // Only a response names a served model (an error or a pending call took the request's).
  const named = pl.col("model").neq(pl.lit("unknown")).and(
    calls.columns.includes("status") ? pl.col("status").eq(pl.lit("ok")) : pl.lit(true),
  );
  const served = pl.when(named).then(pl.col("model")).otherwise(pl.lit(null).cast(pl.Utf8));
  return calls.withColumns(
    pl.col("request_model").fillNull(pl.col("model")).alias("model"),
    served.alias("served_model"),
  );
}

/**
 * `calls` with every column the metrics read (missing optional ones as nulls) and
 * the model rule applied ({@link withModelRule}).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { withCallDefaults } from "./calls.ts";
 * const calls = withCallDefaults(pl.DataFrame({ model: ["a"], status: ["ok"] }));
 * if (!calls.columns.includes("cost_usd") || calls.getColumn("cost_usd").nullCount() !== 1) {
 *   throw new Error("cost_usd should be added as null");
 * }
 * ```
 */
export function withCallDefaults(calls: pl.DataFrame): pl.DataFrame {
  const ruled = withModelRule(calls);
  const missing = Object.entries(OPTIONAL_CALL_COLUMNS).filter(([name]) =>
    !ruled.columns.includes(name)
  );
  if (missing.length === 0) return ruled;
  return ruled.withColumns(
    ...missing.map(([name, dtype]) =>
      (name === "orphan" ? pl.lit(false) : pl.lit(null).cast(dtype)).alias(name)
    ),
  );
}
