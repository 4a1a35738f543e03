/**
 * Token and cost metrics over the `calls` frame.
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";

/** Sum of a token column (0 when no call reports it). */
export function tokenSum(column: string): pl.Expr {
  return pl.col(column).sum().fillNull(0).cast(pl.Int64);
}

/** Number of calls that report any token usage. */
export function callsWithUsage(): pl.Expr {
  return pl.col("input_tokens").isNotNull().or(pl.col("output_tokens").isNotNull())
    .or(pl.col("total_tokens").isNotNull()).sum().cast(pl.Int64);
}

/** Total of `cost_usd` over priced calls; null when no call has a cost (never a silent 0). */
export function costTotal(): pl.Expr {
  return pl.when(pl.col("cost_usd").count().gt(0)).then(pl.col("cost_usd").sum()).otherwise(
    pl.lit(null).cast(pl.Float64),
  );
}

/** Number of calls with a cost. */
export function pricedCalls(): pl.Expr {
  return pl.col("cost_usd").count().cast(pl.Int64);
}

/** Mean cost of the priced calls (null when none). */
export function costPerCall(): pl.Expr {
  return pl.col("cost_usd").mean();
}

/**
 * The models whose cost is missing from the totals, sorted: a model with no call
 * priced (no known price, or no call reported usage), or with a call that
 * reported usage and still has no cost.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { unpricedModels } from "./tokens.ts";
 * const calls = pl.DataFrame({
 *   model: ["gpt-4o", "unknown"],
 *   input_tokens: [10, null], output_tokens: [5, null], cost_usd: [0.0001, null],
 * });
 * if (unpricedModels(calls).join() !== "unknown") throw new Error("bad");
 * ```
 */
export function unpricedModels(calls: pl.DataFrame): string[] {
  if (calls.height === 0) return [];
  const usage = pl.col("input_tokens").isNotNull().or(pl.col("output_tokens").isNotNull());
  const t = calls.groupBy("model").agg(
    pl.col("cost_usd").count().alias("priced"),
    pl.col("cost_usd").isNull().and(usage).sum().alias("missing"),
  ).filter(pl.col("priced").eq(0).or(pl.col("missing").gt(0))).sort("model");
  return t.getColumn("model").toArray() as string[];
}
