import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pl from "nodejs-polars";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { writeParquetDataset } from "../../src/export/parquet.ts";
import { FRAME_NAMES } from "../../src/export/_frames.ts";
import type { TraceSet } from "../../src/frames/columns.ts";
import { duckdb, lit } from "./_duckdb.ts";

/** DuckDB's name of each Polars dtype the frames use. */
function duckType(dtype: pl.DataType): string {
  const s = JSON.stringify(dtype);
  if (s.includes("Datetime")) return "TIMESTAMP WITH TIME ZONE";
  if (s.includes("Int64")) return "BIGINT";
  if (s.includes("Float64")) return "DOUBLE";
  if (s.includes("Bool")) return "BOOLEAN";
  if (s.includes("String") || s.includes("Utf8")) return "VARCHAR";
  throw new Error(`no DuckDB type for ${s}`);
}

/** The bundled traces, with two calls moved to the next day and one without a start time. */
async function traces(): Promise<TraceSet> {
  const t = await loadTraces(join(ROOT, "traces"));
  const calls = t.calls.withRowIndex("__i").withColumns(
    pl.when(pl.col("__i").eq(0)).then(pl.lit(null).cast(pl.Datetime("us", "UTC")))
      .when(pl.col("__i").isIn([1, 2])).then(
        pl.col("started_at").cast(pl.Int64).add(86_400_000_000).cast(pl.Datetime("us", "UTC")),
      )
      .otherwise(pl.col("started_at")).alias("started_at"),
  ).drop("__i");
  return { ...t, calls };
}

Deno.test("the Parquet dataset reads back in DuckDB: counts, sums, types and date partitions equal the frames", async () => {
  const t = await traces();
  const dir = mkdtempSync(join(tmpdir(), "tracebook-parquet-"));
  const db = await duckdb();
  try {
    const files = writeParquetDataset(t, dir, { run: "r1" });
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)).sort(), [
      "calls/date=2025-04-08/part-r1.parquet", // the run starts at 2025-04-08T09:00 UTC (traces/README.md)
      "calls/date=2025-04-09/part-r1.parquet", // the two calls moved a day on
      "calls/date=unknown/part-r1.parquet", // the call with no start time
      "diagnostics/part-r1.parquet",
      "events/part-r1.parquet",
      "sessions/part-r1.parquet",
    ]);
    const calls = `read_parquet(${lit(`${dir}/calls/*/*.parquet`)}, hive_partitioning = true)`;
    // 90 calls, 6 sessions, 231 events, 0 diagnostics (traces/README.md, tests/bundle).
    const [c] = await db.query(`SELECT COUNT(*) AS n FROM ${calls}`);
    assert.equal(c!.n, 90);
    for (const [frame, n] of [["sessions", 6], ["events", 231], ["diagnostics", 0]] as const) {
      const [r] = await db.query(
        `SELECT COUNT(*) AS n FROM read_parquet(${lit(`${dir}/${frame}/*.parquet`)})`,
      );
      assert.equal(r!.n, n, frame);
    }
    const byDate = await db.query(
      `SELECT CAST(date AS VARCHAR) AS date, COUNT(*) AS n FROM ${calls} GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(byDate, [
      { date: "2025-04-08", n: 87 },
      { date: "2025-04-09", n: 2 },
      { date: "unknown", n: 1 },
    ]);
    // The partition is the UTC date of started_at.
    const [mismatch] = await db.query(
      `SELECT COUNT(*) AS n FROM ${calls} WHERE started_at IS NOT NULL AND
         strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%d') <> CAST(date AS VARCHAR)`,
    );
    assert.equal(mismatch!.n, 0);

    // Every column, in order, with its type; sums of every numeric column equal the frame's.
    for (const frame of FRAME_NAMES) {
      const df = t[frame];
      const source = frame === "calls"
        ? calls
        : `read_parquet(${lit(`${dir}/${frame}/*.parquet`)})`;
      const described = await db.query(`DESCRIBE SELECT * FROM ${source}`);
      const expected = df.columns.map((name) => ({
        name,
        type: duckType(df.getColumn(name).dtype),
      }));
      if (frame === "calls") expected.push({ name: "date", type: "VARCHAR" });
      assert.deepEqual(
        described.map((d) => ({ name: d.column_name, type: d.column_type })),
        expected,
        frame,
      );
      for (const name of df.columns) {
        const type = duckType(df.getColumn(name).dtype);
        if (type !== "BIGINT" && type !== "DOUBLE") continue;
        const [r] = await db.query(`SELECT SUM(${name}) AS s, COUNT(${name}) AS n FROM ${source}`);
        const series = df.getColumn(name);
        assert.equal(r!.n, series.len() - series.nullCount(), `${frame}.${name} count`);
        const sum = series.nullCount() === series.len() ? null : Number(series.sum());
        if (type === "BIGINT") assert.equal(r!.s, sum, `${frame}.${name} sum`);
        else {assert.ok(
            Math.abs((r!.s as number) - sum!) <= 1e-9 * Math.abs(sum!),
            `${frame}.${name} sum`,
          );}
      }
    }
    // Datetimes keep their microseconds.
    const [first] = await db.query(
      `SELECT epoch_us(MIN(started_at)) AS us FROM ${calls}`,
    );
    const frameMin = t.calls.select(pl.col("started_at").cast(pl.Int64).min()).row(0)[0];
    assert.equal(first!.us, Number(frameMin));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("--append adds a run beside the earlier files and never rewrites them; without it the frames are replaced", async () => {
  const t = await traces();
  const dir = mkdtempSync(join(tmpdir(), "tracebook-append-"));
  const db = await duckdb();
  try {
    const first = writeParquetDataset(t, dir, { run: "a" });
    const before = first.map((f) => ({ f, bytes: readFileSync(f), mtime: statSync(f).mtimeMs }));
    await new Promise((r) => setTimeout(r, 20));
    writeParquetDataset(t, dir, { run: "b", append: true });
    for (const { f, bytes, mtime } of before) {
      assert.deepEqual(readFileSync(f), bytes, f);
      assert.equal(statSync(f).mtimeMs, mtime, f);
    }
    assert.deepEqual(readdirSync(join(dir, "sessions")).sort(), [
      "part-a.parquet",
      "part-b.parquet",
    ]);
    const [n] = await db.query(
      `SELECT COUNT(*) AS n FROM read_parquet(${
        lit(`${dir}/calls/*/*.parquet`)
      }, hive_partitioning = true)`,
    );
    assert.equal(n!.n, 180); // 2 runs × 90 calls
    // The same run name twice is refused, never overwritten.
    assert.throws(() => writeParquetDataset(t, dir, { run: "b", append: true }), /already exists/);
    // Without --append: only this run's files remain.
    writeParquetDataset(t, dir, { run: "c" });
    assert.deepEqual(readdirSync(join(dir, "sessions")), ["part-c.parquet"]);
    assert.deepEqual(readdirSync(join(dir, "calls", "date=2025-04-08")), ["part-c.parquet"]);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
