/**
 * Error metrics: counts, the error rate with its Wilson 95% interval, and the
 * most frequent error messages, normalized so that ids and numbers do not split them.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import { plainValue } from "./spec.ts";

const status = (s: string) => pl.col("status").eq(pl.lit(s));

/** Number of calls with status `ok`. */
export function okCount(): pl.Expr {
  return status("ok").sum().cast(pl.Int64);
}

/**
 * Number of calls with status `error`.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { errorCount } from "./errors.ts";
 * const calls = pl.DataFrame({ status: ["ok", "error", "pending", "error"] });
 * if (aggregate(calls, { errors: errorCount() }).errors !== 2) throw new Error("2");
 * ```
 */
export function errorCount(): pl.Expr {
  return status("error").sum().cast(pl.Int64);
}

/** Number of calls still pending (a request with no response or error). */
export function pendingCount(): pl.Expr {
  return status("pending").sum().cast(pl.Int64);
}

/**
 * errors / (ok + errors), pending excluded; null when there is neither.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate } from "./spec.ts";
 * import { errorRate } from "./errors.ts";
 * const calls = pl.DataFrame({ status: ["ok", "ok", "ok", "error", "pending"] });
 * // 1 / (3 + 1) = 0.25: the pending call is not counted.
 * if (aggregate(calls, { rate: errorRate() }).rate !== 0.25) throw new Error("0.25");
 * ```
 */
export function errorRate(): pl.Expr {
  return errorRateOf(okCount(), errorCount());
}

/** {@linkcode errorRate} of two counts (aggregations, or columns of counted calls). */
function errorRateOf(ok: pl.Expr, errors: pl.Expr): pl.Expr {
  const n = ok.add(errors);
  return pl.when(n.gt(0)).then(errors.cast(pl.Float64).div(n)).otherwise(
    pl.lit(null).cast(pl.Float64),
  );
}

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * A bound of the Wilson score interval of the error rate (95% by default):
 * `(p + z²/2n ∓ z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)`; null when n = 0.
 */
export function errorRateBound(side: "low" | "high", z = Z95): pl.Expr {
  return errorRateBoundOf(okCount(), errorCount(), side, z);
}

/** {@linkcode errorRateBound} of two counts (aggregations, or columns of counted calls). */
function errorRateBoundOf(ok: pl.Expr, errors: pl.Expr, side: "low" | "high", z: number): pl.Expr {
  const n = ok.add(errors).cast(pl.Float64);
  const p = errors.cast(pl.Float64).div(n);
  const z2 = z * z;
  const center = p.add(pl.lit(z2).div(n.mul(2)));
  const half = p.mul(pl.lit(1).sub(p)).div(n).add(pl.lit(z2).div(n.mul(n).mul(4))).pow(0.5).mul(z);
  const bound = (side === "low" ? center.sub(half) : center.add(half)).div(
    pl.lit(1).add(pl.lit(z2).div(n)),
  );
  const clamped = side === "low"
    ? pl.when(bound.lt(0)).then(pl.lit(0)).otherwise(bound)
    : pl.when(bound.gt(1)).then(pl.lit(1)).otherwise(bound);
  return pl.when(n.gt(0)).then(clamped).otherwise(pl.lit(null).cast(pl.Float64));
}

/**
 * `error_rate`, `error_rate_low` and `error_rate_high` ({@linkcode errorRate},
 * {@linkcode errorRateBound}) from the columns `ok` and `errors` of a table of counts:
 * the same numbers, computed once per row of counts instead of from the calls again.
 * Each bound's formula holds the two counts about twenty times; over the calls of a
 * group-by, each is a comparison of every status (30 ms for 200,000 calls).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { errorRateColumns } from "./errors.ts";
 * const counts = pl.DataFrame({ ok: [3, 0], errors: [1, 0] });
 * const rates = counts.select(...errorRateColumns("ok", "errors"));
 * // 1 / (3 + 1) = 0.25; no finished call: null.
 * if (rates.getColumn("error_rate").toArray().join() !== "0.25,") throw new Error("rate");
 * ```
 */
export function errorRateColumns(ok: string, errors: string): pl.Expr[] {
  const [k, e] = [pl.col(ok), pl.col(errors)];
  return [
    errorRateOf(k, e).alias("error_rate"),
    errorRateBoundOf(k, e, "low", Z95).alias("error_rate_low"),
    errorRateBoundOf(k, e, "high", Z95).alias("error_rate_high"),
  ];
}

/**
 * The Wilson score interval of k successes in n trials, in plain numbers.
 *
 * @example
 * ```ts
 * import { wilsonInterval } from "./errors.ts";
 * const [low, high] = wilsonInterval(1, 4)!;
 * if (Math.abs(low - 0.0455873) > 1e-6 || Math.abs(high - 0.6993582) > 1e-6) throw new Error("bad");
 * ```
 */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const p = k / n, z2 = z * z;
  const center = p + z2 / (2 * n);
  const half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  const d = 1 + z2 / n;
  return [Math.max(0, (center - half) / d), Math.min(1, (center + half) / d)];
}

/** The rules of {@link normalizeErrorMessage}, applied in order. */
export const ERROR_NORMALIZATION: readonly [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>"],
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<time>"],
  // Tokens of 8+ characters mixing letters and digits: request ids, hashes, keys.
  [/\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{8,}\b/g, "<id>"],
  [/\b0x[0-9a-f]+\b/gi, "<id>"],
  // Standalone numbers, with an optional time unit.
  [/\b\d+(?:\.\d+)?(?:ms|s|m|h)?\b/g, "<n>"],
  [/\s+/g, " "],
];

/**
 * Normalize an error message so that ids, uuids, numbers and times do not split
 * one kind of error.
 *
 * @example
 * ```ts
 * import { normalizeErrorMessage } from "./errors.ts";
 * const a = normalizeErrorMessage("Rate limit (429), retry in 2.5s, request req_8f3k2j9d");
 * const b = normalizeErrorMessage("Rate limit (429), retry in 7s, request req_1a2b3c4d");
 * if (a !== b || a !== "Rate limit (<n>), retry in <n>, request <id>") throw new Error(a);
 * ```
 */
export function normalizeErrorMessage(message: string): string {
  let s = message;
  for (const [pattern, value] of ERROR_NORMALIZATION) s = s.replace(pattern, value);
  return s.trim();
}

/** Options of {@link topErrors}. */
export interface TopErrorsOptions {
  /** How many messages to keep. @default 10 */
  limit?: number;
}

/** One row of {@link topErrors}. */
export interface TopError {
  /** The message normalized by `normalizeErrorMessage` (ids, numbers and times as placeholders). */
  message: string;
  /** How many failed calls have it. */
  count: number;
  /** count / failed calls. */
  share: number;
  /** One original message, the first seen. */
  example: string;
  /** The models of those calls, sorted. */
  models: string[];
}

/**
 * The most frequent error messages of failed calls, normalized
 * ({@link normalizeErrorMessage}), most frequent first (ties by message), with
 * their share of the errors, one original example and the models affected.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { topErrors } from "./errors.ts";
 * const calls = pl.DataFrame({
 *   status: ["error", "error", "ok"],
 *   model: ["a", "b", "a"],
 *   error: ["Timeout after 30s (req 7f3a9b2c11)", "Timeout after 60s (req 0b1c2d3e4f)", null],
 * });
 * const top = topErrors(calls);
 * if (top[0]?.message !== "Timeout after <n> (req <id>)" || top[0].count !== 2) throw new Error("bad");
 * ```
 */
export function topErrors(calls: pl.DataFrame, options: TopErrorsOptions = {}): TopError[] {
  const failed = calls.filter(pl.col("status").eq(pl.lit("error")));
  if (failed.height === 0) return [];
  // Normalize each distinct message once, then group.
  const distinct = failed.select(pl.col("error").fillNull(pl.lit("(no message)")).unique())
    .getColumn("error").toArray() as string[];
  const normal = pl.DataFrame([
    pl.Series("__raw", distinct, pl.Utf8),
    pl.Series("message", distinct.map(normalizeErrorMessage), pl.Utf8),
  ]);
  const rows = failed
    .withRowIndex("__i")
    .select("__i", pl.col("error").fillNull(pl.lit("(no message)")).alias("__raw"), pl.col("model"))
    .join(normal, { on: "__raw", how: "left" })
    .groupBy("message")
    .agg(
      pl.len().cast(pl.Int64).alias("count"),
      pl.col("__raw").sortBy("__i").first().alias("example"),
      pl.col("model").unique().sort().alias("models"),
    )
    .sort(["count", "message"], [true, false] as never)
    .head(options.limit ?? 10)
    .toRecords();
  return rows.map((r) => ({
    message: String(r.message),
    count: plainValue(r.count) as number,
    share: (plainValue(r.count) as number) / failed.height,
    example: String(r.example),
    models: [...(r.models as unknown as string[])],
  }));
}
