/**
 * Entries of large frames (10,000 rows or more: Parquet): each is in place when
 * the load is done, and reads back to the frames of the file.
 */
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { loadTraces } from "../../src/load/mod.ts";
import { readCached, writeCached } from "../../src/load/cache.ts";
import { callLines } from "./_lines.ts";
import { identity } from "./_cache_entry.ts";

/** Calls of the test file: a Parquet frame's worth (past 10,000 rows). */
const CALLS = 12_000;

/** Call k lasts (k mod 7) + 0.5 seconds, on gpt-4o when k is even, else gpt-4o-mini, 100 per session. */
function setup(): { dir: string; file: string; cache: string } {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-writes-" });
  const file = join(dir, "big.jsonl");
  const lines: string[] = [];
  for (let k = 0; k < CALLS; k++) {
    const model = k % 2 === 0 ? "gpt-4o" : "gpt-4o-mini";
    lines.push(callLines(`s${Math.floor(k / 100)}`, `r${k}`, model, (k % 7) + 0.5));
  }
  writeFileSync(file, lines.join(""));
  return { dir, file, cache: join(dir, "cache") };
}

/** Every entry file of a cache folder. */
const entries = (cache: string) =>
  readdirSync(cache, { recursive: true }).map(String).filter((f) => f.endsWith(".tbc"));

/** The sum of (k mod 7) + 0.5 over k < CALLS, counted apart from the loader. */
function expectedSeconds(): number {
  let sum = 0;
  for (let k = 0; k < CALLS; k++) sum += (k % 7) + 0.5;
  return sum;
}

Deno.test("cache writes: an entry of 12,000 calls is in place when loadTraces returns and reads back equal", async () => {
  const { dir, file, cache } = setup();
  try {
    const cold = await loadTraces(file, { cache });
    assert.equal(entries(cache).length, 1);
    assert.equal(cold.calls.height, CALLS);
    assert.equal(cold.sessions.height, CALLS / 100);
    assert.equal(cold.calls.getColumn("duration_s").sum(), expectedSeconds());
    // the frames from the entry equal those of the file read again (frameEqual: a failing
    // deepEqual of 24,000 records would print a diff too large to be of use)
    const warm = await loadTraces(file, { cache });
    const none = await loadTraces(file, { cache: false });
    for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
      assert.deepEqual(warm[k].columns, none[k].columns, k);
      assert.ok(warm[k].frameEqual(none[k], true), `${k} differ`);
    }
    // an entry rewritten with another model: in place once written
    const stored = readCached(cache, identity(file))!;
    writeCached(cache, identity(file), {
      ...stored,
      calls: stored.calls.withColumns(pl.lit("from-the-entry").alias("model")),
    });
    const marked = await loadTraces(file, { cache });
    assert.deepEqual(marked.calls.getColumn("model").unique().toArray(), ["from-the-entry"]);
    assert.equal(marked.calls.getColumn("duration_s").sum(), expectedSeconds());
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
