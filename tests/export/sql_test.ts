import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { summarize } from "../../src/metrics/summary.ts";
import { writeParquetDataset } from "../../src/export/parquet.ts";
import { SQL_VIEW_NAMES, sqlViews } from "../../src/export/sql.ts";
import { duckdb } from "./_duckdb.ts";

/** Equal to 12 significant digits (SQL sums and interpolations may differ in the last bits). */
function close(actual: unknown, expected: number | null, what: string) {
  if (expected === null) return assert.equal(actual, null, what);
  assert.equal(typeof actual, "number", `${what}: ${actual}`);
  const a = actual as number;
  assert.ok(
    Math.abs(a - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
    `${what}: ${a} vs ${expected}`,
  );
}

/** The statements of a script (no statement of ours has a ';' inside it). */
const statements = (sql: string) =>
  sql.split(/;\s*\n/).map((s) => s.replace(/^\s*--.*$/gm, "").trim()).filter(Boolean);

Deno.test("the SQL views, run in DuckDB over the exported Parquet dataset, give the numbers summarize() gives on traces/", async () => {
  const traces = await loadTraces(join(ROOT, "traces"));
  const s = summarize(traces);
  const dir = mkdtempSync(join(tmpdir(), "tracebook-sql-"));
  const db = await duckdb();
  try {
    writeParquetDataset(traces, dir);
    for (const statement of statements(sqlViews({ dataset: dir, engine: "duckdb" }))) {
      await db.run(statement);
    }
    const views = await db.query(
      "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name",
    );
    assert.deepEqual(views.map((v) => v.view_name), [...SQL_VIEW_NAMES].sort());

    // The bundled traces: 90 requests, 83 responses, 6 errors, 1 pending (traces/README.md).
    const [row] = await db.query("SELECT * FROM tb_summary");
    const sum = row!;
    assert.deepEqual(
      [sum.calls, sum.request_count, sum.response_count, sum.error_count, sum.pending],
      [90, 90, 83, 6, 1],
    );
    assert.deepEqual(
      [sum.calls, sum.request_count, sum.response_count, sum.error_count, sum.pending],
      [s.calls.total, s.request_count, s.response_count, s.error_count, s.calls.pending],
    );
    close(sum.error_rate, 6 / 89, "error_rate"); // errors / (ok + errors)
    close(sum.error_rate, s.error_rate.rate, "error_rate vs summarize");
    const rt = s.response_time;
    assert.equal(sum.latency_count, rt.count);
    for (const k of ["mean", "std", "min", "max", "p50", "p90", "p95", "p99"] as const) {
      close(sum[`latency_${k}`], rt[k], `latency_${k}`);
    }
    assert.equal(sum.input_tokens, s.tokens.input);
    assert.equal(sum.output_tokens, s.tokens.output);
    assert.equal(sum.total_tokens, s.tokens.total);
    close(sum.cost_usd, s.cost_usd.total, "cost_usd");
    assert.equal(sum.priced_calls, s.cost_usd.priced_calls);

    // Per model, in summarize()'s order (most calls first).
    const byModel = await db.query("SELECT * FROM tb_by_model ORDER BY calls DESC, model");
    assert.deepEqual(byModel.map((m) => m.model), s.by_model.map((m) => m.model));
    for (const [i, m] of s.by_model.entries()) {
      const r = byModel[i]!;
      assert.deepEqual(
        [r.calls, r.response_count, r.error_count, r.pending, r.input_tokens, r.output_tokens],
        [m.calls, m.ok, m.errors, m.pending, m.input_tokens, m.output_tokens],
        m.model,
      );
      close(r.error_rate, m.error_rate, `${m.model} error_rate`);
      for (const k of ["mean", "p50", "p90", "p95", "p99", "min", "max"] as const) {
        close(r[`latency_${k}`], m.latency[k], `${m.model} latency_${k}`);
      }
      close(r.cost_usd, m.cost_usd, `${m.model} cost_usd`);
    }
    // gpt-4o: 39 calls, 3 errors → 3/39 (the README's "7.7% errors")
    close(byModel.find((m) => m.model === "gpt-4o")!.error_rate, 3 / 39, "gpt-4o error rate");

    const used = await db.query("SELECT * FROM tb_models_used ORDER BY requests DESC, model");
    assert.deepEqual(
      Object.fromEntries(used.map((u) => [u.model, u.requests])),
      s.models_used,
    );
    const [sessions] = await db.query("SELECT * FROM tb_session_summary");
    assert.deepEqual(sessions, { sessions: 6, complete: 5, unfinished: 1 });
    assert.deepEqual(await db.query("SELECT * FROM tb_diagnostics_by_code"), []);
    const days = await db.query("SELECT day, calls FROM tb_by_day ORDER BY day");
    assert.deepEqual(days, [{ day: "2025-04-08", calls: 90 }]);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("sqlViews(): only the table definitions differ between DuckDB and Spark, and paths are quoted", () => {
  const duck = sqlViews({ dataset: "s3://b/it's", engine: "duckdb" });
  const spark = sqlViews({ dataset: "s3://b/it's", engine: "spark" });
  assert.match(
    duck,
    /CREATE OR REPLACE TEMPORARY VIEW tb_calls AS SELECT \* FROM read_parquet\('s3:\/\/b\/it''s\/calls\/\*\/\*\.parquet', hive_partitioning = true, union_by_name = true\);/,
  );
  assert.match(
    spark,
    /CREATE OR REPLACE TEMPORARY VIEW tb_calls USING parquet OPTIONS \(path 's3:\/\/b\/it''s\/calls', mergeSchema 'true'\);/,
  );
  const portable = (sql: string) =>
    statements(sql).filter((x) => !/VIEW tb_(calls|sessions|events|diagnostics) /.test(x));
  assert.deepEqual(portable(duck), portable(spark));
  // No engine-specific function in the portable part.
  for (const statement of portable(duck)) {
    assert.doesNotMatch(statement, /quantile_cont|percentile\(|FILTER \(|read_parquet|::/i);
  }
});
