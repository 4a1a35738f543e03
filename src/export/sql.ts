/**
 * The summary as SQL views over the exported Parquet dataset, in SQL that
 * DuckDB and Spark SQL (3.3 or later) both run: only the table definitions at
 * the top differ by engine; every summary view is the same text.
 *
 * Portable choices: `CREATE OR REPLACE TEMPORARY VIEW` (both engines), `CASE
 * WHEN` inside aggregates instead of `FILTER (WHERE …)`, percentiles as the
 * standard `PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY x)` (linear interpolation,
 * numpy's default, which DuckDB also calls `quantile_cont` and Spark also calls
 * `percentile`), `STDDEV_SAMP`, `CAST(… AS DOUBLE | BIGINT | STRING)`, and no
 * quoted identifiers.
 *
 * The views, each a summary number of `summarize()` by name:
 *
 * | view | one row per | columns |
 * |---|---|---|
 * | `tb_calls`, `tb_sessions`, `tb_events`, `tb_diagnostics` | row of the frame | every column of the frame (`tb_calls` adds the partition column `date`) |
 * | `tb_call_facts` | call | `model`, `day`, `latency_s` (the `response_time` population: ok and `duration_s > 0`, else null), flags `is_request`, `is_ok`, `is_error`, `is_pending`, tokens, cost |
 * | `tb_summary` | (one row) | `calls`, `request_count`, `response_count`, `error_count`, `pending`, `error_rate`, `latency_count`, `latency_mean`, `latency_std`, `latency_min`, `latency_max`, `latency_p50`/`p90`/`p95`/`p99`, `input_tokens`, `output_tokens`, `total_tokens`, `cost_usd`, `priced_calls` |
 * | `tb_by_model` | model | the same columns, per model |
 * | `tb_by_day` | UTC date of the call's start | the same columns, per day |
 * | `tb_models_used` | model | `requests` (non-orphan calls) |
 * | `tb_session_summary` | (one row) | `sessions`, `complete`, `unfinished` |
 * | `tb_diagnostics_by_code` | diagnostic code | `code`, `count` |
 *
 * @module
 */

/** The engines whose table definitions {@linkcode sqlViews} writes. */
export const SQL_ENGINES = ["duckdb", "spark"] as const;

/** One of {@linkcode SQL_ENGINES}. */
export type SqlEngine = (typeof SQL_ENGINES)[number];

/** The views {@linkcode sqlViews} creates, in order. */
export const SQL_VIEW_NAMES = [
  "tb_calls",
  "tb_sessions",
  "tb_events",
  "tb_diagnostics",
  "tb_call_facts",
  "tb_summary",
  "tb_by_model",
  "tb_by_day",
  "tb_models_used",
  "tb_session_summary",
  "tb_diagnostics_by_code",
] as const;

/** Options of {@linkcode sqlViews}. */
export interface SqlViewsOptions {
  /**
   * Where the Parquet dataset is (`deno task export --to DIR`): a folder, or an
   * object-store URL such as `s3://bucket/tracebook` (both engines read those
   * with their usual credentials setup).
   * @default {"analysis/export"}
   */
  dataset?: string;
  /** The SQL dialect of the views. @default {"duckdb"} */
  engine?: SqlEngine;
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

function tableDefinitions(dataset: string, engine: SqlEngine): string[] {
  const base = dataset.replace(/\/+$/, "");
  if (engine === "duckdb") {
    const read = (glob: string, hive = false) =>
      `SELECT * FROM read_parquet(${quote(`${base}/${glob}`)}${
        hive ? ", hive_partitioning = true" : ""
      }, union_by_name = true)`;
    return [
      `CREATE OR REPLACE TEMPORARY VIEW tb_calls AS ${read("calls/*/*.parquet", true)};`,
      `CREATE OR REPLACE TEMPORARY VIEW tb_sessions AS ${read("sessions/*.parquet")};`,
      `CREATE OR REPLACE TEMPORARY VIEW tb_events AS ${read("events/*.parquet")};`,
      `CREATE OR REPLACE TEMPORARY VIEW tb_diagnostics AS ${read("diagnostics/*.parquet")};`,
    ];
  }
  const using = (folder: string) =>
    `USING parquet OPTIONS (path ${quote(`${base}/${folder}`)}, mergeSchema 'true')`;
  return ["calls", "sessions", "events", "diagnostics"].map((f) =>
    `CREATE OR REPLACE TEMPORARY VIEW tb_${f} ${using(f)};`
  );
}

/** The aggregate columns of `tb_summary`, `tb_by_model` and `tb_by_day`. */
const AGGREGATES = [
  "COUNT(*) AS calls",
  "CAST(COALESCE(SUM(is_request), 0) AS BIGINT) AS request_count",
  "CAST(COALESCE(SUM(is_ok), 0) AS BIGINT) AS response_count",
  "CAST(COALESCE(SUM(is_error), 0) AS BIGINT) AS error_count",
  "CAST(COALESCE(SUM(is_pending), 0) AS BIGINT) AS pending",
  "CAST(SUM(is_error) AS DOUBLE) / NULLIF(SUM(is_ok) + SUM(is_error), 0) AS error_rate",
  "COUNT(latency_s) AS latency_count",
  "AVG(latency_s) AS latency_mean",
  "CASE WHEN COUNT(latency_s) = 1 THEN CAST(0 AS DOUBLE) ELSE STDDEV_SAMP(latency_s) END AS latency_std",
  "MIN(latency_s) AS latency_min",
  "MAX(latency_s) AS latency_max",
  ...[50, 90, 95, 99].map((p) =>
    `PERCENTILE_CONT(${p / 100}) WITHIN GROUP (ORDER BY latency_s) AS latency_p${p}`
  ),
  "CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT) AS input_tokens",
  "CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) AS output_tokens",
  // a call's total, else its input plus output as far as it reports them (`tokenTotal` in metrics)
  "CAST(COALESCE(SUM(COALESCE(total_tokens, CASE WHEN input_tokens IS NOT NULL OR output_tokens IS NOT NULL THEN COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) END)), 0) AS BIGINT) AS total_tokens",
  "SUM(cost_usd) AS cost_usd",
  "COUNT(cost_usd) AS priced_calls",
];

const aggregates = (indent: string) => AGGREGATES.map((a) => `${indent}${a}`).join(",\n");

/**
 * The SQL script: table definitions for `engine` over `dataset`, then the
 * portable summary views.
 *
 * @example
 * ```ts
 * import { sqlViews } from "./sql.ts";
 * const duck = sqlViews({ dataset: "out", engine: "duckdb" });
 * const spark = sqlViews({ dataset: "out", engine: "spark" });
 * // Only the four table definitions differ.
 * const tail = (s: string) => s.slice(s.indexOf("CREATE OR REPLACE TEMPORARY VIEW tb_call_facts"));
 * if (tail(duck) !== tail(spark)) throw new Error("the summary views differ by engine");
 * ```
 */
export function sqlViews(options: SqlViewsOptions = {}): string {
  const engine = options.engine ?? "duckdb";
  const dataset = options.dataset ?? "analysis/export";
  const views = [
    `-- tracebook summary views over the Parquet dataset ${dataset} (engine: ${engine}).`,
    "-- Generated by `deno task sql`; only the four table definitions below depend on the engine.",
    "",
    ...tableDefinitions(dataset, engine),
    "",
    `CREATE OR REPLACE TEMPORARY VIEW tb_call_facts AS
SELECT
  model,
  CAST(date AS STRING) AS day,
  status,
  duration_s,
  CASE WHEN status = 'ok' AND duration_s > 0 THEN duration_s END AS latency_s,
  CASE WHEN COALESCE(orphan, FALSE) THEN 0 ELSE 1 END AS is_request,
  CASE WHEN status = 'ok' THEN 1 ELSE 0 END AS is_ok,
  CASE WHEN status = 'error' THEN 1 ELSE 0 END AS is_error,
  CASE WHEN status = 'pending' THEN 1 ELSE 0 END AS is_pending,
  input_tokens,
  output_tokens,
  total_tokens,
  cost_usd
FROM tb_calls;`,
    `CREATE OR REPLACE TEMPORARY VIEW tb_summary AS
SELECT
${aggregates("  ")}
FROM tb_call_facts;`,
    `CREATE OR REPLACE TEMPORARY VIEW tb_by_model AS
SELECT
  model,
${aggregates("  ")}
FROM tb_call_facts
GROUP BY model;`,
    `CREATE OR REPLACE TEMPORARY VIEW tb_by_day AS
SELECT
  day,
${aggregates("  ")}
FROM tb_call_facts
GROUP BY day;`,
    `CREATE OR REPLACE TEMPORARY VIEW tb_models_used AS
SELECT model, COUNT(*) AS requests
FROM tb_call_facts
WHERE is_request = 1
GROUP BY model;`,
    `CREATE OR REPLACE TEMPORARY VIEW tb_session_summary AS
SELECT
  COUNT(*) AS sessions,
  CAST(COALESCE(SUM(CASE WHEN complete THEN 1 ELSE 0 END), 0) AS BIGINT) AS complete,
  CAST(COALESCE(SUM(CASE WHEN complete THEN 0 ELSE 1 END), 0) AS BIGINT) AS unfinished
FROM tb_sessions;`,
    `CREATE OR REPLACE TEMPORARY VIEW tb_diagnostics_by_code AS
SELECT code, CAST(SUM(COALESCE(count, 1)) AS BIGINT) AS count
FROM tb_diagnostics
GROUP BY code;`,
    "",
    "-- e.g. SELECT * FROM tb_by_model ORDER BY calls DESC, model;",
    "",
  ];
  return views.join("\n");
}
