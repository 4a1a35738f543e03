import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromTraceText } from "../../src/load/mod.ts";
import { dataQuality } from "../../src/metrics/quality.ts";
import { summarize } from "../../src/metrics/summary.ts";
import { writeParquetDataset } from "../../src/export/parquet.ts";
import { sqlViews } from "../../src/export/sql.ts";
import { duckdb } from "../export/_duckdb.ts";

// One call and 250 lines that are not JSON: the loader lists the first 100 and counts the other
// 150 in one row (memory stays bounded), so the diagnostics frame has 101 rows for 250 problems.
const BAD = 250;
const text = [
  '{"type":"llm_request","timestamp":"2025-04-08T10:00:00","session_id":"s","data":{"request_id":"r1","model":"gpt-4o"}}',
  '{"type":"llm_response","timestamp":"2025-04-08T10:00:02","session_id":"s","data":{"request_id":"r1","duration_seconds":2,"success":true}}',
  ...Array.from({ length: BAD }, (_, i) => `not json ${i}`),
].join("\n") + "\n";

Deno.test("the summary, the data-quality numbers and the SQL view count the problems a diagnostics row stands for, not its rows", async () => {
  const traces = fromTraceText(text, { file: "calls.jsonl" });
  assert.equal(traces.diagnostics.height, 101); // 100 listed + the row standing for the rest
  assert.equal(
    (traces.diagnostics.getColumn("count").toArray() as number[]).reduce((a, n) => a + n, 0),
    BAD,
  );
  const s = summarize(traces);
  assert.equal(s.diagnostics.count, BAD); // was 101
  assert.deepEqual(s.diagnostics.by_code, { invalid_json: BAD });
  const q = dataQuality(traces);
  assert.deepEqual(q.diagnostics_by_code, { invalid_json: BAD });
  assert.deepEqual(q.diagnostics_by_severity, { error: BAD });

  const dir = mkdtempSync(join(tmpdir(), "tracebook-problems-"));
  const db = await duckdb();
  try {
    writeParquetDataset(traces, dir);
    for (const statement of sqlViews({ dataset: dir, engine: "duckdb" }).split(/;\s*\n/)) {
      const sql = statement.replace(/^\s*--.*$/gm, "").trim();
      if (sql) await db.run(sql);
    }
    assert.deepEqual(await db.query("SELECT code, count FROM tb_diagnostics_by_code"), [
      { code: "invalid_json", count: BAD },
    ]);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
