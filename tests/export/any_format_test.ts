import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pl from "nodejs-polars";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { UserError } from "../../src/log/mod.ts";
import { exportTraces, OTLP_FILE } from "../../src/export/mod.ts";
import { duckdb, lit } from "./_duckdb.ts";

const FIXTURES = join(ROOT, "tests", "load", "formats", "fixtures");

Deno.test("export works from every input format the loader's fixtures hold: Parquet rows and OTLP calls equal the loaded frames", async () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(jsonl|json|csv|txt)$/.test(f)).sort();
  const db = await duckdb();
  let exported = 0;
  try {
    for (const file of files) {
      // Some fixtures are not trace files on their own (a mapping, a file that needs --map).
      const traces = await loadTraces(join(FIXTURES, file)).catch((e) => {
        if (e instanceof UserError) return undefined;
        throw e;
      });
      if (!traces || traces.calls.height === 0) continue;
      const dir = mkdtempSync(join(tmpdir(), "tracebook-any-"));
      try {
        await exportTraces(traces, join(dir, "pq"));
        const [r] = await db.query(
          `SELECT COUNT(*) AS n, COALESCE(SUM(input_tokens), 0) AS input FROM read_parquet(${
            lit(`${dir}/pq/calls/*/*.parquet`)
          }, hive_partitioning = true, union_by_name = true)`,
        );
        assert.deepEqual(r, {
          n: traces.calls.height,
          input: Number(traces.calls.getColumn("input_tokens").sum() ?? 0),
        }, file);
        // OTLP keeps every call that has a time; read back, the same count.
        await exportTraces(traces, join(dir, "otlp"), { format: "otlp" });
        const back = await loadTraces(join(dir, "otlp", OTLP_FILE));
        const timed = traces.calls.filter(
          pl.col("started_at").isNotNull().or(pl.col("ended_at").isNotNull()),
        );
        assert.equal(back.calls.height, timed.height, file);
        // Calls that came with OTLP trace ids keep them (those OTLP keeps: with a time).
        if (traces.calls.columns.includes("trace_id")) {
          const valid = new Set(
            timed.getColumn("trace_id").toArray().filter((t): t is string =>
              typeof t === "string" && /^[0-9a-f]{32}$/.test(t)
            ),
          );
          const kept = new Set(back.calls.getColumn("trace_id").toArray() as string[]);
          for (const id of valid) assert.ok(kept.has(id), `${file}: trace ${id}`);
        }
        exported++;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    db.close();
  }
  assert.ok(exported >= 10, `only ${exported} fixtures had calls`);
});
