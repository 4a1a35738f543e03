/**
 * Token and cost metrics over the `calls` frame.
 *
 * @module
 */
import pl from "../frames/polars.ts";

/**
 * Sum of a token column (0 when no call reports it).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { tokenSum } from "./tokens.ts";
 * const calls = pl.DataFrame({ input_tokens: [10, null, 5], cache_read_tokens: [null, null, null] });
 * // 10 + 5 = 15; a column no call reports sums to 0, not null.
 * const m = aggregate(calls, { input: tokenSum("input_tokens"), cached: tokenSum("cache_read_tokens") });
 * if (m.input !== 15 || m.cached !== 0) throw new Error(JSON.stringify(m));
 * ```
 */
export function tokenSum(column: string): pl.Expr {
  return pl.col(column).sum().fillNull(0).cast(pl.Int64);
}

/**
 * A call's tokens in all: its `total_tokens`, else its input and output tokens
 * as far as it reports them (a log with input counts only, an embeddings call:
 * the input), null when it reports none. The one rule behind the total
 * ({@link tokenTotal}) and every "tokens per call".
 */
export function callTokens(): pl.Expr {
  const input = pl.col("input_tokens"), output = pl.col("output_tokens");
  return pl.when(pl.col("total_tokens").isNotNull()).then(pl.col("total_tokens"))
    .when(input.isNotNull().or(output.isNotNull())).then(input.fillNull(0).add(output.fillNull(0)))
    .otherwise(pl.lit(null).cast(pl.Int64));
}

/**
 * Sum of the calls' tokens in all (0 when no call reports any): each call's
 * `total_tokens`, else its input plus output tokens as far as it reports them,
 * so that the total is never below the input the calls report.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { tokenTotal } from "./tokens.ts";
 * const calls = pl.DataFrame([
 *   pl.Series("input_tokens", [100, 10, null], pl.Int64),
 *   pl.Series("output_tokens", [null, 5, null], pl.Int64),
 *   pl.Series("total_tokens", [null, 15, null], pl.Int64),
 * ]);
 * // 100 (input only) + 15; the call reporting nothing adds nothing
 * if (aggregate(calls, { t: tokenTotal() }).t !== 115) throw new Error();
 * ```
 */
export function tokenTotal(): pl.Expr {
  return callTokens().sum().fillNull(0).cast(pl.Int64);
}

/** Number of calls that report any token usage. */
export function callsWithUsage(): pl.Expr {
  return pl.col("input_tokens").isNotNull().or(pl.col("output_tokens").isNotNull())
    .or(pl.col("total_tokens").isNotNull()).sum().cast(pl.Int64);
}

/**
 * Total of `cost_usd` over priced calls; null when no call has a cost (never a silent 0).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { costTotal } from "./tokens.ts";
 * const calls = pl.DataFrame({ cost_usd: [0.25, null, 0.5] });
 * if (aggregate(calls, { cost: costTotal() }).cost !== 0.75) throw new Error("0.25 + 0.5");
 * const unpriced = pl.DataFrame([pl.Series("cost_usd", [null, null], pl.Float64)]);
 * if (aggregate(unpriced, { cost: costTotal() }).cost !== null) throw new Error("not null");
 * ```
 */
export function costTotal(): pl.Expr {
  return pl.when(pl.col("cost_usd").count().gt(0)).then(pl.col("cost_usd").sum()).otherwise(
    pl.lit(null).cast(pl.Float64),
  );
}

/** Number of calls with a cost. */
export function pricedCalls(): pl.Expr {
  return pl.col("cost_usd").count().cast(pl.Int64);
}

/**
 * Mean cost of the priced calls (null when none).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { costPerCall } from "./tokens.ts";
 * const calls = pl.DataFrame({ cost_usd: [0.25, null, 0.5] });
 * // Over the two priced calls: (0.25 + 0.5) / 2 = 0.375.
 * if (aggregate(calls, { c: costPerCall() }).c !== 0.375) throw new Error("0.375");
 * ```
 */
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
