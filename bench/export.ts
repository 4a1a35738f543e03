/**
 * Export benchmark: each format of `exportTraces` on a generated native trace of
 * N calls (default 200,000; `BENCH_EXPORT_CALLS` to change), then DuckDB running
 * the SQL views over the Parquet dataset. Prints a Markdown table of wall times
 * and output sizes. Files go to a temporary directory, removed at the end.
 * Run: `deno task bench export`.
 *
 * @module
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadTraces } from "../src/load/mod.ts";
import { EXPORT_FORMATS, exportTraces, sqlViews } from "../src/export/mod.ts";
import { writeNativeTrace } from "./_gen_native.ts";

const calls = Number(Deno.env.get("BENCH_EXPORT_CALLS") ?? 200_000);
const dir = Deno.makeTempDirSync({ prefix: "tracebook-bench-export-" });

function size(path: string): number {
  let total = 0;
  for (const e of Deno.readDirSync(path)) {
    const p = join(path, e.name);
    total += e.isDirectory ? size(p) : Deno.statSync(p).size;
  }
  return total;
}

try {
  const input = join(dir, "trace.jsonl");
  await writeNativeTrace(input, calls);
  const traces = await loadTraces(input);
  console.log(`| step | calls | wall (s) | output (MB) |`);
  console.log(`|---|---:|---:|---:|`);
  for (const format of EXPORT_FORMATS) {
    const t0 = performance.now();
    await exportTraces(traces, join(dir, format), { format });
    const s = (performance.now() - t0) / 1000;
    console.log(
      `| export ${format} | ${traces.calls.height} | ${s.toFixed(2)} | ${
        (size(join(dir, format)) / 1e6).toFixed(1)
      } |`,
    );
  }
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const t0 = performance.now();
  for (const statement of sqlViews({ dataset: join(dir, "parquet") }).split(/;\s*\n/)) {
    const sql = statement.replace(/^\s*--.*$/gm, "").trim();
    if (sql) await connection.run(sql);
  }
  await connection.runAndReadAll("SELECT * FROM tb_summary");
  await connection.runAndReadAll("SELECT * FROM tb_by_model");
  console.log(
    `| DuckDB: tb_summary and tb_by_model | ${traces.calls.height} | ${
      ((performance.now() - t0) / 1000).toFixed(2)
    } | |`,
  );
  connection.closeSync();
  db.closeSync();
} finally {
  Deno.removeSync(dir, { recursive: true });
}
