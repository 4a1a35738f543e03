/**
 * Files not in the cache are read in passes of at most `passBytes` (so that the
 * events of ten large files are never in memory at once); a session that
 * continues from one pass into another is read again with it, so the frames do
 * not depend on the passes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadTraces } from "../../src/load/mod.ts";
import { summarize } from "../../src/metrics/summary.ts";
import type { TraceSet } from "../../src/frames/columns.ts";

const line = (
  type: string,
  second: number,
  session: string,
  data?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) =>
  JSON.stringify({
    type,
    timestamp: `2025-04-08T10:00:${String(second).padStart(2, "0")}`,
    session_id: session,
    ...(data ? { data } : {}),
    ...extra,
  });

/** a.jsonl: s1's request r1; b.jsonl: r1's response, then s2's call r2; c.jsonl: s3's pending r3. */
function writeFiles(dir: string): string[] {
  const files = {
    "a.jsonl": [
      line("session_start", 0, "s1"),
      line("llm_request", 1, "s1", { request_id: "r1", model: "m1" }),
    ],
    "b.jsonl": [
      line("llm_response", 4, "s1", { request_id: "r1", duration_seconds: 3 }),
      line("session_end", 5, "s1", undefined, { duration_seconds: 5 }),
      line("llm_request", 6, "s2", { request_id: "r2", model: "m2" }),
      line("llm_error", 8, "s2", { request_id: "r2", duration_seconds: 2, error: "boom" }),
    ],
    "c.jsonl": [line("llm_request", 9, "s3", { request_id: "r3", model: "m3" })],
  };
  return Object.entries(files).map(([name, lines]) => {
    const path = join(dir, name);
    Deno.writeTextFileSync(path, lines.join("\n") + "\n");
    return path;
  });
}

/** The calls as `request_id status duration_s file:line`, in frame order. */
const calls = (t: TraceSet) =>
  t.calls.select("request_id", "status", "duration_s", "file", "line").toRecords().map((r) =>
    `${r.request_id} ${r.status} ${r.duration_s} ${String(r.file).split("/").at(-1)}:${r.line}`
  );

Deno.test("a request and its response in files read in separate passes still pair", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const files = writeFiles(dir);
    const cache = join(dir, "cache");
    // one byte per pass: each file is a pass of its own
    const expected = [
      "r1 ok 3 a.jsonl:2", // its response (3 s) is in b.jsonl, another pass
      "r2 error 2 b.jsonl:3",
      "r3 pending null c.jsonl:1",
    ];
    const apart = await loadTraces(files, { cache: false, passBytes: 1 });
    assert.deepEqual(calls(apart), expected);
    assert.equal(apart.diagnostics.height, 0);
    // s1 spans a.jsonl and b.jsonl: one session row, complete (its session_end is in b.jsonl)
    const sessions = apart.sessions.select("session_id", "complete").toRecords();
    assert.deepEqual(sessions.map((r) => `${r.session_id} ${r.complete}`).sort(), [
      "s1 true",
      "s2 false",
      "s3 false",
    ]);
    // the same with the cache, cold then warm, and in one pass
    assert.deepEqual(calls(await loadTraces(files, { cache, passBytes: 1 })), expected);
    assert.deepEqual(calls(await loadTraces(files, { cache, passBytes: 1 })), expected);
    assert.deepEqual(calls(await loadTraces(files, { cache: false })), expected);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("progress over several passes rises to the total bytes", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const files = writeFiles(dir);
    const total = files.reduce((sum, f) => sum + Deno.statSync(f).size, 0);
    const seen: number[] = [];
    await loadTraces(files, {
      cache: false,
      passBytes: 1,
      onProgress: (done, all) => {
        assert.equal(all, total);
        seen.push(done);
      },
    });
    assert.equal(seen.at(-1), total);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `${seen}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("frames read apart come out in file then line order, sorted only when they are not", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const [a, b, c] = writeFiles(dir);
    // c.jsonl shares no session: cached alone first, it comes back before the fresh a and b
    // (the cached units, then the passes), and the frames are sorted into file order
    const cache = join(dir, "cache");
    await loadTraces([c!], { cache });
    const expected = ["r1 ok 3 a.jsonl:2", "r2 error 2 b.jsonl:3", "r3 pending null c.jsonl:1"];
    const mixed = await loadTraces([a!, b!, c!], { cache, passBytes: 1 });
    assert.deepEqual(calls(mixed), expected);
    const events = mixed.events.select("file", "line").toRecords().map((r) =>
      `${String(r.file).split("/").at(-1)}:${r.line}`
    );
    // a.jsonl 2 lines, b.jsonl 4, c.jsonl 1, in that order
    assert.deepEqual(events, [
      "a.jsonl:1",
      "a.jsonl:2",
      "b.jsonl:1",
      "b.jsonl:2",
      "b.jsonl:3",
      "b.jsonl:4",
      "c.jsonl:1",
    ]);
    assert.deepEqual(
      mixed.sessions.getColumn("file").toArray().map((f) => String(f).split("/").at(-1)),
      ["a.jsonl", "b.jsonl", "c.jsonl"],
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("summaries are the same whether the frames come from files or from the cache, to the last digit", async () => {
  // traces/: 6 files, read in one pass without the cache, or each from its own cache entry and
  // joined (smallFileBytes 0), or from their one set entry; a float sum over frames in several
  // chunks could differ in its last digit
  const dir = Deno.makeTempDirSync();
  try {
    const traces = new URL("../../traces/", import.meta.url).pathname;
    const now = new Date("2026-01-01T00:00:00Z");
    const fresh = summarize(await loadTraces(traces, { cache: false }), { now });
    for (const smallFileBytes of [0, undefined]) {
      const cache = join(dir, String(smallFileBytes));
      await loadTraces(traces, { cache, smallFileBytes });
      const cached = summarize(await loadTraces(traces, { cache, smallFileBytes }), { now });
      assert.equal(JSON.stringify(cached), JSON.stringify(fresh));
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
