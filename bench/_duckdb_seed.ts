/**
 * The peer of the benchmark: DuckDB (`@duckdb/node-api`) reading a native trace
 * with `read_json` and computing the seed's numbers (counts, response-time mean,
 * min, max, sample standard deviation, percentiles, requests per model). Run as
 * its own process so that its wall time and peak RSS are its own.
 *
 * Usage: `deno run -A bench/_duckdb_seed.ts FILE`
 *
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";

const file = Deno.args[0]!;
const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
const src = `read_json(${JSON.stringify(file).replaceAll('"', "'")}, format = 'newline_delimited')`;
const summary = await con.runAndReadAll(`
  WITH e AS (SELECT type, data FROM ${src}),
  r AS (SELECT CAST(data.duration_seconds AS DOUBLE) AS d FROM e WHERE type = 'llm_response')
  SELECT
    (SELECT count(*) FROM e WHERE type = 'llm_request') AS requests,
    (SELECT count(*) FROM e WHERE type = 'llm_response') AS responses,
    (SELECT count(*) FROM e WHERE type = 'llm_error') AS errors,
    avg(d), min(d), max(d), stddev_samp(d),
    quantile_cont(d, [0.5, 0.9, 0.95, 0.99])
  FROM r WHERE d > 0`);
const models = await con.runAndReadAll(
  `SELECT data.model AS model, count(*) FROM ${src} WHERE type = 'llm_request' GROUP BY 1 ORDER BY 2 DESC`,
);
console.log(
  JSON.stringify({ summary: summary.getRows()[0]?.map(String), models: models.getRows().length }),
);
