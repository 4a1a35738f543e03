import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pl from "nodejs-polars";
import { fromTraceText } from "../../src/load/mod.ts";
import { dtypeName, fileReady, runId } from "../../src/export/_frames.ts";
import { writeCsvFiles } from "../../src/export/csv.ts";
import { writeParquetDataset } from "../../src/export/parquet.ts";
import { duckdb, lit } from "./_duckdb.ts";

const LINE =
  '{"type":"llm_request","timestamp":"2025-04-08T09:00:00Z","session_id":"s","data":{"request_id":"r","model":"m"}}';

Deno.test("fileReady(): a Null column becomes Utf8; with flat, a list column becomes its JSON text", () => {
  const df = pl.DataFrame({ a: [1, 2] }).withColumns(
    pl.lit(null).alias("nothing"),
    pl.Series("tags", [["x", "y"], ["z"]]),
  );
  assert.equal(dtypeName(df.getColumn("nothing").dtype), "Null");
  const ready = fileReady(df);
  assert.equal(dtypeName(ready.getColumn("nothing").dtype), "String");
  assert.equal(dtypeName(ready.getColumn("tags").dtype), "List"); // Parquet keeps lists
  const flat = fileReady(df, { flat: true });
  assert.deepEqual(flat.getColumn("tags").toArray(), ['["x","y"]', '["z"]']);
  assert.deepEqual(flat.columns, ["a", "nothing", "tags"]);
});

Deno.test("a column the frames gain later (a list, an all-null one) is exported too: CSV as JSON text, Parquet as its type", async () => {
  const t = fromTraceText(LINE + "\n");
  const calls = t.calls.withColumns(
    pl.Series("tags", [["a", "b"]]),
    pl.lit(null).alias("future"),
  );
  const dir = mkdtempSync(join(tmpdir(), "tracebook-newcols-"));
  const db = await duckdb();
  try {
    writeCsvFiles({ ...t, calls }, join(dir, "csv"));
    const [header, row] = readFileSync(join(dir, "csv", "calls.csv"), "utf8").trim().split("\n");
    assert.ok(header!.endsWith(",tags,future"), header);
    assert.ok(row!.endsWith(',"[""a"",""b""]",'), row);
    writeParquetDataset({ ...t, calls }, join(dir, "pq"), { run: "x" });
    const [r] = await db.query(
      `SELECT len(tags) AS n, tags[2] AS second, future, typeof(tags) AS t, typeof(future) AS f FROM read_parquet(${
        lit(`${dir}/pq/calls/*/*.parquet`)
      })`,
    );
    assert.deepEqual(r, { n: 2, second: "b", future: null, t: "VARCHAR[]", f: "VARCHAR" });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("runId(): the UTC time to the second and 8 random hex digits, different each time", () => {
  const id = runId(new Date("2025-04-08T09:04:17.786Z"));
  assert.match(id, /^20250408T090417Z-[0-9a-f]{8}$/);
  assert.notEqual(runId(new Date(0)), runId(new Date(0)));
});
