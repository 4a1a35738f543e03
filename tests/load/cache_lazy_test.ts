/**
 * A load from a cache entry decodes its `events` frame on first use (`frames/lazy.ts`),
 * from bytes read and checked (CRC-32) with the others: the same frame as a load
 * without the cache, whatever happens to the entry meanwhile; an entry whose bytes
 * were changed in place is rebuilt.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { loadTraces } from "../../src/load/mod.ts";
import { readCached, writeCached } from "../../src/load/cache.ts";
import { callLines } from "./_lines.ts";
import { identity } from "./_cache_entry.ts";

function setup(): { dir: string; cache: string; file: string } {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-lazy-test-" });
  const file = join(dir, "run.jsonl");
  writeFileSync(
    file,
    callLines("s1", "a", "gpt-4o", 2) + callLines("s1", "b", "gpt-4o-mini", 3) +
      JSON.stringify({ type: "custom", timestamp: "2025-04-08T10:00:05", session_id: "s1" }) + "\n",
  );
  return { dir, cache: join(dir, "cache"), file };
}

/** The one entry file of a cache folder. */
function entryOf(cache: string): string {
  const [entry] = readdirSync(cache, { recursive: true }).map(String).filter((f) =>
    f.endsWith(".tbc")
  );
  return join(cache, entry!);
}

/**
 * Write the file's entry by a load with other options than the tests' next load (empty
 * overrides: the same prices), so that this load is not the one `_recent.ts` gives back
 * to the next: that one reads the entry.
 */
async function writeEntry(file: string, cache: string): Promise<void> {
  await loadTraces(file, { cache, prices: {} });
}

const isLazy = (t: object, key: string) =>
  Object.getOwnPropertyDescriptor(t, key)?.get !== undefined;

const records = (t: { events: { toRecords(): unknown[] } }) => t.events.toRecords();

Deno.test("a load from the entry makes its events on first use, as they were when it loaded, whatever happens to the entry", async () => {
  const { dir, cache, file } = setup();
  try {
    const cold = await loadTraces(file, { cache: false });
    // 2 calls of 2 lines and a custom event: 5 events
    assert.equal(cold.events.height, 5);
    await writeEntry(file, cache);
    const warm = await loadTraces(file, { cache });
    assert.equal(isLazy(warm, "events"), true);
    assert.equal(isLazy(warm, "calls"), false);
    assert.deepEqual(Object.keys(warm).sort(), Object.keys(cold).sort());
    // the entry removed before the events are read: they are the ones loaded
    rmSync(cache, { recursive: true });
    assert.deepEqual(records(warm), records(cold));
    assert.equal(isLazy(warm, "events"), false); // made once, then an ordinary property
    assert.equal(warm.events, warm.events);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("lazy events: a spread sees them, an assignment replaces them, a reload held twice gives two copies", async () => {
  const { dir, cache, file } = setup();
  try {
    const cold = await loadTraces(file, { cache: false });
    await writeEntry(file, cache);
    const warm = await loadTraces(file, { cache });
    assert.equal(isLazy(warm, "events"), true);
    assert.deepEqual(records({ ...warm }), records(cold));
    // the caller's last load still held: the same load again gives a copy (`_recent.ts`)
    const again = await loadTraces(file, { cache });
    assert.notEqual(again.events, warm.events);
    assert.deepEqual(records(again), records(cold));
    const other = cold.events.head(1);
    warm.events = other;
    assert.equal(warm.events, other);
    assert.equal(again.events.height, 5);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an entry whose bytes were changed in place (same size) is rebuilt, in any of its frames", async () => {
  const { dir, cache, file } = setup();
  try {
    const cold = await loadTraces(file, { cache: false });
    await loadTraces(file, { cache });
    const path = entryOf(cache);
    const whole = readFileSync(path);
    // the layout, read here: "TBC3", the header's length (4 bytes, big-endian), the header
    // (JSON), then the frames' sections (calls, sessions, events, diagnostics) of `lengths` bytes
    assert.equal(new TextDecoder().decode(whole.subarray(0, 4)), "TBC3");
    const headerLength = new DataView(whole.buffer, whole.byteOffset).getUint32(4);
    const header = JSON.parse(new TextDecoder().decode(whole.subarray(8, 8 + headerLength)));
    const lengths = header.lengths as number[];
    for (const section of [0, 2]) { // calls, events
      const start = 8 + headerLength + lengths.slice(0, section).reduce((a, b) => a + b, 0);
      const changed = Uint8Array.from(whole);
      const middle = start + Math.floor(lengths[section]! / 2);
      changed[middle] = changed[middle]! ^ 0xff;
      writeFileSync(path, changed);
      const t = await loadTraces(file, { cache });
      assert.deepEqual(records(t), records(cold), `section ${section}`);
      assert.deepEqual(t.calls.toRecords(), cold.calls.toRecords(), `section ${section}`);
      // rebuilt: the byte changed is the written one again
      assert.equal(readFileSync(path)[middle], whole[middle], `section ${section}`);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a large frame's Parquet is one row group: read back in one chunk (300,000 events)", async () => {
  const { dir, cache, file } = setup();
  try {
    const t = await loadTraces(file, { cache: false });
    const n = 300_000;
    const events = pl.DataFrame([
      pl.Series("file", Array(n).fill(file), pl.Utf8),
      pl.Series("line", Array.from({ length: n }, (_, i) => i + 1), pl.Int64),
      pl.Series("type", Array(n).fill("custom"), pl.Utf8),
      pl.Series("session_id", Array(n).fill("s1"), pl.Utf8),
    ]);
    writeCached(cache, identity(file), { ...t, events });
    const back = readCached(cache, identity(file))!;
    assert.equal(back.events.height, n);
    assert.deepEqual(back.events.getColumn("line").chunkLengths(), [n]);
    // lines 1..n: their sum is n(n+1)/2 = 45,000,150,000
    assert.equal(back.events.getColumn("line").sum(), 45_000_150_000);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a load taking a whole set entry (small files) makes its events on first use too", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-lazy-test-" });
  try {
    const cache = join(dir, "cache");
    const folder = join(dir, "traces");
    Deno.mkdirSync(folder);
    // four small files (a set entry from 4 on): 2 calls of 2 lines each, 4 events a file
    for (let k = 0; k < 4; k++) {
      writeFileSync(
        join(folder, `f${k}.jsonl`),
        callLines(`s${k}`, `a${k}`, "gpt-4o", 2) + callLines(`s${k}`, `b${k}`, "gpt-4o", 3),
      );
    }
    const cold = await loadTraces(folder, { cache: false });
    assert.equal(cold.events.height, 16);
    await writeEntry(folder, cache);
    const warm = await loadTraces(folder, { cache });
    assert.equal(isLazy(warm, "events"), true);
    rmSync(cache, { recursive: true });
    assert.deepEqual(records(warm), records(cold));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
