import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  appendFileSync,
  readdirSync,
  renameSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { cacheKey, readCached, writeCached } from "../../src/load/cache.ts";

const ev = (type: string, ts: string, data?: Record<string, unknown>) =>
  JSON.stringify({ type, timestamp: ts, session_id: "s1", ...(data ? { data } : {}) });
const call = (id: string, model: string, seconds: number) =>
  [
    ev("llm_request", "2025-04-08T10:00:01", { request_id: id, model }),
    ev("llm_response", "2025-04-08T10:00:03", {
      request_id: id,
      duration_seconds: seconds,
      model,
      output: "ok",
    }),
  ].join("\n") + "\n";

/** Every entry file of a cache folder. */
function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".tbc")).sort();
}

async function models(path: string, cache: string): Promise<[string, number][]> {
  const t = await loadTraces(path, { cache });
  return t.calls.select("model", "duration_s").rows() as [string, number][];
}

function setup(): { dir: string; cache: string; file: string } {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-test-" });
  const file = join(dir, "run.jsonl");
  writeFileSync(file, call("a", "gpt-4o", 2));
  return { dir, cache: join(dir, "cache"), file };
}

Deno.test("the cache: a second load of an unchanged file reads its entry, with equal frames", async () => {
  const { dir, cache, file } = setup();
  try {
    const cold = await loadTraces(file, { cache });
    assert.equal(entries(cache).length, 1);
    const key = entries(cache)[0]!.replace(/^.*\//, "").replace(/\.tbc$/, "");
    // the entry holds this file's frames: change the entry and the load shows it (the proof it was read)
    const entry = readCached(cache, key)!;
    writeCached(cache, key, {
      ...entry,
      calls: entry.calls.withColumns(pl.lit("gpt-4o-cached").alias("model")),
    });
    const warm = await loadTraces(file, { cache });
    assert.deepEqual(warm.calls.getColumn("model").toArray(), ["gpt-4o-cached"]);
    writeCached(cache, key, entry);
    const again = await loadTraces(file, { cache });
    for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
      assert.deepEqual(again[k].toRecords(), cold[k].toRecords(), k);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the cache is never wrong: edited, truncated, appended, replaced, touched", async () => {
  const { dir, cache, file } = setup();
  try {
    assert.deepEqual(await models(file, cache), [["gpt-4o", 2]]);
    // edited in place (same size, other content)
    writeFileSync(file, call("a", "gpt-4b", 3));
    assert.deepEqual(await models(file, cache), [["gpt-4b", 3]]);
    // appended
    appendFileSync(file, call("b", "o1-mini", 4));
    assert.deepEqual(await models(file, cache), [["gpt-4b", 3], ["o1-mini", 4]]);
    // truncated back to its first call
    truncateSync(file, Buffer.byteLength(call("a", "gpt-4b", 3)));
    assert.deepEqual(await models(file, cache), [["gpt-4b", 3]]);
    // replaced by another file (a new inode) of the same size and time
    const other = join(dir, "other.jsonl");
    writeFileSync(other, call("a", "gpt-4c", 5));
    const st = statSync(file);
    utimesSync(other, st.atime, st.mtime);
    renameSync(other, file);
    assert.deepEqual(await models(file, cache), [["gpt-4c", 5]]);
    // same size and content, a new modification time: a new entry, the same frames
    const before = entries(cache).length;
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await models(file, cache), [["gpt-4c", 5]]);
    assert.equal(entries(cache).length, before + 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a partial or corrupt cache entry is rebuilt, never trusted", async () => {
  const { dir, cache, file } = setup();
  try {
    await loadTraces(file, { cache });
    const [entry] = entries(cache);
    const path = join(cache, entry!);
    // partial: cut in the middle
    truncateSync(path, Math.floor(statSync(path).size / 2));
    assert.deepEqual(await models(file, cache), [["gpt-4o", 2]]);
    const rebuilt = statSync(path).size;
    // corrupt: garbage of the same size
    writeFileSync(path, new Uint8Array(rebuilt).fill(7));
    assert.deepEqual(await models(file, cache), [["gpt-4o", 2]]);
    assert.equal(statSync(path).size, rebuilt);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("two processes writing the same entry at once leave one whole entry", async () => {
  const { dir, cache, file } = setup();
  try {
    const code = `import { loadTraces } from ${JSON.stringify(join(ROOT, "src/load/mod.ts"))};
for (let i = 0; i < 5; i++) {
  const t = await loadTraces(${JSON.stringify(file)}, { cache: ${JSON.stringify(cache)} });
  if (t.calls.getColumn("model").get(0) !== "gpt-4o") Deno.exit(3);
  // force a rewrite next time: remove the entry
  for (const e of Deno.readDirSync(${
      JSON.stringify(cache)
    })) if (e.isDirectory) for (const f of Deno.readDirSync(${
      JSON.stringify(cache)
    } + "/" + e.name)) try { Deno.removeSync(${
      JSON.stringify(cache)
    } + "/" + e.name + "/" + f.name); } catch { /* the other one */ }
}`;
    const run = () =>
      new Promise<number>((resolve) => {
        const p = new Deno.Command(Deno.execPath(), {
          args: ["eval", "--no-check", code],
          cwd: ROOT,
        }).spawn();
        p.status.then((s) => resolve(s.code));
      });
    const codes = await Promise.all([run(), run()]);
    assert.deepEqual(codes, [0, 0]);
    // no temporary file left behind, and what is there reads right
    assert.deepEqual(
      readdirSync(cache, { recursive: true }).map(String).filter((f) => f.endsWith(".tmp")),
      [],
    );
    assert.deepEqual(await models(file, cache), [["gpt-4o", 2]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a new tracebook version never reads an older entry", () => {
  const { dir, file } = setup();
  try {
    const a = cacheKey(file, {}, "1");
    const b = cacheKey(file, {}, "2");
    assert.ok(a && b && a !== b);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--no-cache (cache: false) writes nothing", async () => {
  const { dir, cache, file } = setup();
  try {
    await loadTraces(file, { cache: false });
    assert.throws(() => readdirSync(cache));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a request and its response in two files pair, with the cache cold, warm, and with one file cached", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-test-" });
  try {
    const cache = join(dir, "cache");
    const [request, response] = call("a", "gpt-4o", 2).trim().split("\n");
    writeFileSync(join(dir, "a.jsonl"), request + "\n");
    writeFileSync(join(dir, "b.jsonl"), response + "\n");
    writeFileSync(join(dir, "c.jsonl"), call("c", "o1-mini", 1).replaceAll('"s1"', '"s2"'));
    const expected = [["gpt-4o", "ok", 2, false], ["o1-mini", "ok", 1, false]];
    const rows = async (c: string | false) =>
      (await loadTraces(dir, { cache: c })).calls.select("model", "status", "duration_s", "orphan")
        .rows();
    assert.deepEqual(await rows(false), expected);
    assert.deepEqual(await rows(cache), expected); // cold
    // only c.jsonl has an entry: a.jsonl and b.jsonl share a session and are never cached apart
    assert.equal(entries(cache).length, 1);
    assert.deepEqual(await rows(cache), expected); // warm
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
