import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  appendFileSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { ROOT, seeded } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { MAX_STORED_TEXT_CHARS } from "../../src/load/load_traces.ts";
import {
  cacheKey,
  CHUNK_EVENTS,
  findResume,
  MAX_SECTIONS,
  readCached,
  writeCached,
} from "../../src/load/cache.ts";
import { entryHeader, identity, markEntry } from "./_cache_entry.ts";

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
    const id = identity(file);
    // the entry holds this file's frames: change the entry and the load shows it (the proof it was read)
    const entry = readCached(cache, id)!;
    writeCached(cache, id, {
      ...entry,
      calls: entry.calls.withColumns(pl.lit("gpt-4o-cached").alias("model")),
    });
    const warm = await loadTraces(file, { cache });
    assert.deepEqual(warm.calls.getColumn("model").toArray(), ["gpt-4o-cached"]);
    writeCached(cache, id, entry);
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
    // same size and content, a new modification time: a new entry, the same frames; the
    // file's previous entry is replaced by it (one entry file per file: its path, inode, options)
    const before = entries(cache);
    const { lineage } = identity(file);
    const key = () => {
      const bytes = Deno.readFileSync(join(cache, lineage.slice(0, 2), `${lineage}.tbc`));
      const length = new DataView(bytes.buffer).getUint32(4);
      return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))).key;
    };
    const keyBefore = key();
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await models(file, cache), [["gpt-4c", 5]]);
    assert.deepEqual(entries(cache), before);
    assert.notEqual(key(), keyBefore);
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
    // a header whose frames' sections do not add up to its sections (the same bytes' length):
    // the entry is dropped, not read with its sections misplaced
    const bytes = readFileSync(path);
    const text = bytes.toString("latin1");
    assert.ok(text.includes('"sections":[1,1,1,1]'));
    writeFileSync(
      path,
      Buffer.from(text.replace('"sections":[1,1,1,1]', '"sections":[1,1,2,1]'), "latin1"),
    );
    const marked = readCached(cache, identity(file));
    assert.equal(marked, null);
    assert.equal(entries(cache).length, 0);
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

// ── growth: an appended file is read from where its entry stopped ─────────────────────────

const at = (s: number) => `2025-04-08T10:00:${String(s).padStart(2, "0")}Z`;
const j = (o: object) => JSON.stringify(o) + "\n";
const start = (s: number, sid = "s1") =>
  j({ type: "session_start", timestamp: at(s), session_id: sid });
const end = (s: number, sid = "s1") =>
  j({ type: "session_end", timestamp: at(s), session_id: sid, duration_seconds: s });
const req = (id: string, s: number, sid = "s1") =>
  j({
    type: "llm_request",
    timestamp: at(s),
    session_id: sid,
    data: { request_id: id, model: "gpt-4o" },
  });
const res = (id: string, s: number, seconds: number, sid = "s1") =>
  j({
    type: "llm_response",
    timestamp: at(s),
    session_id: sid,
    data: { request_id: id, duration_seconds: seconds, model: "gpt-4o", output: "hi" },
  });

/** The key options of a load with these options, for `file` read as a native trace. */
/** Where the file's entry says its reading stopped (null: no entry the file continues). */
function stopped(cache: string, file: string, options: { keepText?: boolean } = {}) {
  const r = findResume(cache, identity(file, options), file);
  return r && { offset: r.offset, lines: r.lines };
}

/** Load with the cache and without it: the four frames must be equal. Returns the cached load. */
async function same(input: string, cache: string, options: { keepText?: boolean } = {}) {
  const warm = await loadTraces(input, { ...options, cache });
  const none = await loadTraces(input, { ...options, cache: false });
  for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
    assert.deepEqual(warm[k].columns, none[k].columns, k);
    assert.deepEqual(warm[k].toRecords(), none[k].toRecords(), k);
  }
  return warm;
}

const callsOf = (t: { calls: pl.DataFrame }) =>
  t.calls.select("request_id", "model", "status", "duration_s", "line").rows();
const diagnosticsOf = (t: { diagnostics: pl.DataFrame }) =>
  t.diagnostics.select("line", "code", "count").rows();

function grownSetup() {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-growth-test-" });
  return { dir, cache: join(dir, "cache"), file: join(dir, "run.jsonl") };
}

Deno.test("growth: an appended file equals a load of the whole file: pairing across the offset, a session ended, bad lines, a partial line completed", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    const complete = start(0) + req("a", 1) + res("a", 2, 1) + req("b", 3) + "not json\n";
    const c = req("c", 4);
    writeFileSync(file, complete + c.slice(0, 25)); // line 6 is being written
    const cold = await same(file, cache);
    assert.deepEqual(callsOf(cold), [["a", "gpt-4o", "ok", 1, 2], [
      "b",
      "gpt-4o",
      "pending",
      null,
      4,
    ]]);
    assert.deepEqual(diagnosticsOf(cold), [[5, "invalid_json", 1], [6, "truncated_line", 1]]);
    // the entry stops after line 5: line 6 has no newline yet
    assert.deepEqual(stopped(cache, file), { offset: Buffer.byteLength(complete), lines: 5 });

    // line 6 ends; 7: b's response (its request is before the offset), 8: c's, 9: a bad line,
    // 10: the session ends, 11: a request
    appendFileSync(
      file,
      c.slice(25) + res("b", 5, 2) + res("c", 6, 3) + "{bad\n" + end(7) + req("d", 8),
    );
    const grown = await same(file, cache);
    assert.deepEqual(callsOf(grown), [
      ["a", "gpt-4o", "ok", 1, 2],
      ["b", "gpt-4o", "ok", 2, 4],
      ["c", "gpt-4o", "ok", 3, 6],
      ["d", "gpt-4o", "pending", null, 11],
    ]);
    assert.deepEqual(diagnosticsOf(grown), [[5, "invalid_json", 1], [9, "invalid_json", 1]]);
    assert.deepEqual(grown.sessions.select("session_id", "complete", "calls").rows(), [[
      "s1",
      true,
      4,
    ]]);
    assert.deepEqual(grown.events.getColumn("line").toArray(), [1, 2, 3, 4, 6, 7, 8, 10, 11]);
    assert.deepEqual(stopped(cache, file), { offset: statSync(file).size, lines: 11 });
    assert.equal(entries(cache).length, 1); // the new entry replaced the old one
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: only the new bytes are read (the entry's events are used, not the file's old lines)", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // line 4 (c's request) is being written
    writeFileSync(file, start(0) + req("a", 1) + req("b", 2) + req("c", 3).slice(0, 30));
    await loadTraces(file, { cache });
    markEntry(cache, file, "a");
    appendFileSync(file, req("c", 3).slice(30) + res("a", 3, 2) + res("b", 4, 2) + req("d", 5));
    const t = await loadTraces(file, { cache });
    // a's request (line 2) comes from the entry; c's (line 4, completed) and d's (line 7) from
    // the new bytes
    assert.deepEqual(callsOf(t), [
      ["a", "from-the-entry", "ok", 2, 2],
      ["b", "gpt-4o", "ok", 2, 3],
      ["c", "gpt-4o", "pending", null, 4],
      ["d", "gpt-4o", "pending", null, 7],
    ]);
    assert.equal(t.diagnostics.height, 0); // the cut line 4 is whole now
    // and the next append reads on from the entry written by that load
    appendFileSync(file, res("c", 6, 1));
    const again = await loadTraces(file, { cache });
    assert.deepEqual(again.calls.getColumn("model").toArray(), [
      "from-the-entry",
      "gpt-4o",
      "gpt-4o",
      "gpt-4o",
    ]);
    assert.deepEqual(again.calls.getColumn("status").toArray(), ["ok", "ok", "ok", "pending"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: a truncated, edited, replaced or edited-then-appended file is read whole", async () => {
  const { dir, cache, file } = grownSetup();
  const old = start(0) + req("a", 1) + res("a", 2, 1) + req("b", 3);
  const marked = async () => {
    writeFileSync(file, old);
    await loadTraces(file, { cache });
    markEntry(cache, file, "a");
  };
  const models = async () => (await same(file, cache)).calls.getColumn("model").toArray();
  try {
    // touched only (same bytes, a new time): the same size is no growth, so it is read whole
    await marked();
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await models(), ["gpt-4o", "gpt-4o"]);

    // truncated: shorter than where the entry stopped
    await marked();
    truncateSync(file, Buffer.byteLength(start(0) + req("a", 1)));
    assert.deepEqual(await models(), ["gpt-4o"]);

    // edited in place, same size: a's model gpt-4o → gpt-4x
    await marked();
    writeFileSync(file, old.replace('"gpt-4o"', '"gpt-4x"'));
    assert.deepEqual(await models(), ["gpt-4x", "gpt-4o"]);

    // edited, then appended: the stored samples of the old bytes differ
    await marked();
    writeFileSync(file, old.replace('"gpt-4o"', '"gpt-4y"') + res("b", 4, 1));
    assert.deepEqual(await models(), ["gpt-4y", "gpt-4o"]);

    // truncated to nothing, then written again past the old offset
    await marked();
    writeFileSync(file, "");
    appendFileSync(file, req("z", 1) + req("y", 2) + req("x", 3) + req("w", 4) + req("v", 5));
    assert.deepEqual((await same(file, cache)).calls.getColumn("request_id").toArray(), [
      "z",
      "y",
      "x",
      "w",
      "v",
    ]);

    // replaced (another inode) by the same bytes and more
    await marked();
    const other = join(dir, "other.jsonl");
    writeFileSync(other, old + res("b", 4, 1));
    renameSync(other, file);
    assert.deepEqual(await models(), ["gpt-4o", "gpt-4o"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: in a long file, an edit of the first or of the last bytes before the offset is seen, and an edit of the same length anywhere", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // 2,000 requests (about 250 KB): past the 32 KB read whole, so the prefix is sampled
    let old = start(0, "s0");
    for (let i = 0; i < 2000; i++) old += req(`r${i}`, i % 60, "s0");
    assert.ok(old.length > 200_000);
    for (const edit of [1, old.length - 30]) {
      writeFileSync(file, old);
      await loadTraces(file, { cache });
      markEntry(cache, file, "r0");
      // one byte changed (a digit of a timestamp or the model's name), same length, then appended
      const i = old.indexOf("gpt-4o", edit);
      writeFileSync(file, old.slice(0, i) + "gpt-4x" + old.slice(i + 6) + res("r0", 59, 1, "s0"));
      const t = await same(file, cache);
      assert.ok(!t.calls.getColumn("model").toArray().includes("from-the-entry"));
      assert.equal(t.calls.filter(pl.col("model").eq(pl.lit("gpt-4x"))).height, 1);
    }
    // a byte in the middle changed, same length, nothing appended: the same size is no growth,
    // wherever the samples are
    writeFileSync(file, old);
    await loadTraces(file, { cache });
    markEntry(cache, file, "r0");
    const i = old.indexOf("gpt-4o", Math.floor(old.length / 2) + 123);
    writeFileSync(file, old.slice(0, i) + "gpt-4x" + old.slice(i + 6));
    const t = await same(file, cache);
    assert.ok(!t.calls.getColumn("model").toArray().includes("from-the-entry"));
    assert.equal(t.calls.filter(pl.col("model").eq(pl.lit("gpt-4x"))).height, 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: blank lines and CRLF before the offset, a blank unfinished line, texts kept", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // lines 1–4: a request ending in CRLF, an empty line, a line of spaces, a tab not ended yet
    writeFileSync(file, req("a", 1).replace("\n", "\r\n") + "\n" + "   \n" + "\t");
    for (const options of [{}, { keepText: true }]) {
      await same(file, cache, options);
      // 3 lines end before the offset: the tab line (4) is not ended
      assert.deepEqual(stopped(cache, file, options), {
        offset: Buffer.byteLength(req("a", 1)) + 1 + 1 + 4,
        lines: 3,
      });
    }
    markEntry(cache, file, "a"); // the entry without texts
    appendFileSync(file, "\n" + res("a", 2, 1)); // line 4 ends; the response is line 5
    const t = await loadTraces(file, { cache });
    assert.deepEqual(callsOf(t), [["a", "from-the-entry", "ok", 1, 1]]);
    assert.deepEqual(t.events.getColumn("line").toArray(), [1, 5]);
    assert.deepEqual(stopped(cache, file)?.lines, 5);
    const texts = await same(file, cache, { keepText: true });
    assert.deepEqual(callsOf(texts), [["a", "gpt-4o", "ok", 1, 1]]);
    assert.deepEqual(texts.calls.getColumn("output").toArray(), ["hi"]);
    assert.deepEqual(stopped(cache, file, { keepText: true })?.lines, 5);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: bad lines past the listing limit are counted across appends as in one read", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    writeFileSync(file, req("a", 1) + "oops\n".repeat(60));
    await same(file, cache);
    // 60 + 60 bad lines (lines 2–121): 100 listed, then one row counting 20 (lines 102–121)
    appendFileSync(file, "oops\n".repeat(60));
    const first = await same(file, cache);
    assert.deepEqual(diagnosticsOf(first).at(-1), [102, "invalid_json", 20]);
    assert.equal(first.diagnostics.height, 101);
    // where the reading stopped, for the next append
    assert.deepEqual(stopped(cache, file)?.lines, 121);
    // 10 more (lines 122–131): the counting row grows to 30
    appendFileSync(file, "oops\n".repeat(10));
    assert.deepEqual(diagnosticsOf(await same(file, cache)).at(-1), [102, "invalid_json", 30]);
    assert.deepEqual(stopped(cache, file)?.lines, 131);
    // a good line after them: the row is kept as it was (its last line is still 131)
    appendFileSync(file, res("a", 2, 1));
    const last = await same(file, cache);
    assert.deepEqual(stopped(cache, file)?.lines, 132);
    assert.match(String(last.diagnostics.getColumn("message").get(100)), /lines 102 to 131/);
    assert.deepEqual(callsOf(last), [["a", "gpt-4o", "ok", 1, 1]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: one file of a folder grows; the other is read from its entry", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-growth-test-" });
  try {
    const cache = join(dir, "cache");
    const a = join(dir, "traces", "a.jsonl"), b = join(dir, "traces", "b.jsonl");
    Deno.mkdirSync(join(dir, "traces"));
    writeFileSync(a, start(0, "sa") + req("a1", 1, "sa"));
    writeFileSync(b, start(0, "sb") + req("b1", 1, "sb") + res("b1", 2, 1, "sb"));
    await same(join(dir, "traces"), cache);
    appendFileSync(a, res("a1", 3, 2, "sa") + end(4, "sa"));
    await same(join(dir, "traces"), cache);
    markEntry(cache, a, "a1");
    appendFileSync(a, req("a2", 5, "sa"));
    const t = await loadTraces(join(dir, "traces"), { cache });
    assert.deepEqual(t.calls.select("request_id", "model", "status", "duration_s").rows(), [
      ["a1", "from-the-entry", "ok", 2],
      ["a2", "gpt-4o", "pending", null],
      ["b1", "gpt-4o", "ok", 1],
    ]);
    assert.deepEqual(t.sessions.select("session_id", "complete").rows(), [["sa", true], [
      "sb",
      false,
    ]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: a stored event chunk that is corrupt is read only if needed, and then the file is read whole", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    writeFileSync(file, start(0, "s1") + req("a", 1, "s1") + start(2, "s2") + req("b", 3, "s2"));
    await same(file, cache); // the entry, with its stored events
    // garbage in the middle of the stored chunk (the entry's last bytes; its frames are checked)
    const { lineage } = identity(file);
    const entry = join(cache, lineage.slice(0, 2), `${lineage}.tbc`);
    const bytes = Deno.readFileSync(entry);
    const length = new DataView(bytes.buffer).getUint32(4);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
    // the chunk is the last section; its first part holds the events' lines
    const [chunk] = header.resume.chunks as { bytes: number; sizes: number[] }[];
    const first = bytes.length - chunk!.bytes;
    assert.ok(chunk!.sizes[0]! > 8);
    bytes.fill(0x55, first + 4, first + chunk!.sizes[0]! - 4);
    Deno.writeFileSync(entry, bytes);
    assert.equal(chunksOf(cache, file), 1);
    // a new session: no stored event is needed (the chunk's lines are never decompressed), the
    // frames are the entry's and the new lines': read from the entry, which gains a chunk
    appendFileSync(file, start(4, "s3") + req("c", 5, "s3"));
    assert.deepEqual(callsOf(await same(file, cache)).map((c) => c[0]), ["a", "b", "c"]);
    assert.equal(chunksOf(cache, file), 2, "the growth path, not a whole read");
    // the response of a stored request: the corrupt chunk is needed, so the file is read whole
    // (from the corrupt entry put back: the last load copied its chunk into the new entry)
    Deno.writeFileSync(entry, bytes);
    appendFileSync(file, res("a", 6, 5, "s1"));
    const t = await same(file, cache);
    assert.deepEqual(callsOf(t)[0], ["a", "gpt-4o", "ok", 5, 2]);
    assert.equal(chunksOf(cache, file), 1, "read whole, its entry written anew");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/**
 * The number of event chunks in the file's current entry (a whole read writes one per
 * CHUNK_EVENTS events or fewer, each append adds one).
 */
function chunksOf(cache: string, file: string): number {
  const header = entryHeader(cache, file) as { resume?: { chunks: unknown[] } };
  return header.resume?.chunks.length ?? 0;
}

Deno.test("growth: random traces written in random pieces (lines cut anywhere) load as the whole file each time", async () => {
  // a small deterministic generator (mulberry32), so that a failure can be replayed
  const random = seeded(13);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const { dir, cache, file } = grownSetup();
  try {
    for (let round = 0; round < 6; round++) {
      rmSync(file, { force: true });
      let text = start(0, "s0"); // a first line that tells the format
      // every third round, half the lines bad: more than 100 of a code, counted past the listing limit
      const many = round % 3 === 2;
      for (let i = 0; i < (many ? 300 : 120); i++) {
        if (many && random() < 0.5) {
          text += pick(["oops\n", '{"type":"llm_request"}\n']);
          continue;
        }
        const sid = pick(["s0", "s1", "s2", "s3"]);
        const rid = pick(["r0", "r1", "r2", "r3", "r4", "r5"]);
        const s = i % 60;
        const kind = random();
        if (kind < 0.3) text += req(rid, s, sid);
        else if (kind < 0.55) text += res(rid, s, 1 + (i % 5), sid);
        else if (kind < 0.6) {
          text += j({
            type: "llm_error",
            timestamp: at(s),
            session_id: sid,
            data: { request_id: rid, error: "boom" },
          });
        } else if (kind < 0.67) text += start(s, sid);
        else if (kind < 0.72) text += end(s, sid);
        else if (kind < 0.8) {
          text += j({
            type: "session_metadata",
            timestamp: at(s),
            session_id: sid,
            data: { [pick(["user", "file", "team", ""])]: pick(["a", "b", 3]) },
          });
        } else if (kind < 0.88) {
          text += j({ type: "step", timestamp: at(s), session_id: sid, data: { i } });
        } else if (kind < 0.94) text += "oops\n";
        else text += pick(["\n", "  \n", "\r\n"]);
      }
      // written in 5 to 9 pieces cut at any byte, each followed by a load with the cache
      const cuts = Array.from(
        { length: 4 + Math.floor(random() * 5) },
        () => Math.floor(random() * text.length),
      ).sort((a, b) => a - b);
      let written = 0;
      for (const cut of [...cuts, text.length]) {
        appendFileSync(file, text.slice(written, cut));
        written = cut;
        await same(file, cache);
      }
      assert.ok(chunksOf(cache, file) > 1, `round ${round}: the appends were read from the entry`);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: a file read whole with more than 100 bad lines of a code keeps its place too", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // line 1 a request, lines 2–151 bad (100 listed, 50 counted), line 152 cut
    writeFileSync(file, req("a", 1) + "oops\n".repeat(150) + res("a", 2, 1).slice(0, 20));
    const cold = await same(file, cache);
    assert.deepEqual(diagnosticsOf(cold).slice(-2), [[102, "invalid_json", 50], [
      152,
      "truncated_line",
      1,
    ]]);
    // the 151 lines before the cut one were counted
    assert.deepEqual(stopped(cache, file), {
      offset: Buffer.byteLength(req("a", 1)) + 150 * 5,
      lines: 151,
    });
    appendFileSync(file, res("a", 2, 1).slice(20) + "oops\n");
    const grown = await same(file, cache);
    assert.deepEqual(diagnosticsOf(grown).at(-1), [102, "invalid_json", 51]);
    assert.deepEqual(callsOf(grown), [["a", "gpt-4o", "ok", 1, 1]]);
    assert.deepEqual(stopped(cache, file)?.lines, 153);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: after many appends the stored events are merged into fewer chunks, and still load right", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    writeFileSync(file, start(0));
    await loadTraces(file, { cache });
    for (let i = 0; i < 40; i++) {
      appendFileSync(file, req(`r${i}`, i % 60));
      await loadTraces(file, { cache });
      assert.ok(chunksOf(cache, file) <= 32);
    }
    const t = await same(file, cache);
    assert.equal(t.calls.height, 40);
    assert.deepEqual(stopped(cache, file)?.lines, 41);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("growth: texts too long to keep (keepText) leave the entry no place to read on from; a growth reads the file whole", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // 17 outputs of 4 MiB (a line stays under the 8 MiB limit): 71,303,168 characters, past
    // MAX_STORED_TEXT_CHARS (64 MiB = 67,108,864)
    const big = "x".repeat(4 * 1024 * 1024);
    const calls = Array.from({ length: 17 }, (_, i) =>
      [
        ev("llm_request", "2025-04-08T10:00:01", { request_id: `r${i}`, model: "gpt-4o" }),
        ev("llm_response", "2025-04-08T10:00:03", {
          request_id: `r${i}`,
          duration_seconds: 2,
          model: "gpt-4o",
          output: big,
        }),
      ].join("\n"));
    writeFileSync(file, calls.join("\n") + "\n");
    assert.ok(17 * big.length > MAX_STORED_TEXT_CHARS);
    const first = await same(file, cache, { keepText: true });
    assert.equal(first.calls.height, 17);
    assert.equal(first.diagnostics.height, 0); // every line read
    assert.equal(entries(cache).length, 1); // the entry is written (the frames), without a place
    assert.equal(stopped(cache, file, { keepText: true }), null);
    appendFileSync(file, call("j", "gpt-4o", 2));
    const grown = await same(file, cache, { keepText: true });
    assert.deepEqual(callsOf(grown).map((c) => c[0]), [
      ...Array.from({ length: 17 }, (_, i) => `r${i}`),
      "j",
    ]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

/** The entry's sections of each frame (calls, sessions, events, diagnostics), and the bytes of the events' sections. */
function sectionsOf(cache: string, file: string): { counts: number[]; events: Uint8Array[] } {
  const header = entryHeader(cache, file);
  const counts = header.sections ?? [1, 1, 1, 1];
  const { lineage } = identity(file);
  const bytes = Deno.readFileSync(join(cache, lineage.slice(0, 2), `${lineage}.tbc`));
  let at = 8 + new DataView(bytes.buffer).getUint32(4);
  const sections = header.lengths.map((n) => bytes.subarray(at, at += n));
  // the events' sections come after those of the calls and the sessions
  const first = counts[0]! + counts[1]!;
  return { counts, events: sections.slice(first, first + counts[2]!) };
}

Deno.test("growth: new rows after the old ones add a section of events to the entry, the old ones carried as stored, until they are merged", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    writeFileSync(file, start(0) + req("a", 1) + res("a", 2, 1));
    await same(file, cache);
    assert.deepEqual(sectionsOf(cache, file).counts, [1, 1, 1, 1]);
    // MAX_SECTIONS - 1 growths of a new session each: one section more each time, the sections
    // before carried byte for byte
    for (let i = 1; i < MAX_SECTIONS; i++) {
      const before = sectionsOf(cache, file).events;
      appendFileSync(file, req(`n${i}`, 2 + i, `s${i + 1}`) + res(`n${i}`, 3 + i, 1, `s${i + 1}`));
      const t = await same(file, cache);
      const after = sectionsOf(cache, file);
      assert.deepEqual(after.counts, [1, 1, i + 1, 1]);
      assert.deepEqual(after.events.slice(0, i), before);
      assert.equal(t.calls.height, i + 1);
      assert.equal(t.events.height, 3 + 2 * i);
    }
    // one more: the events encoded whole again, in one section
    appendFileSync(file, req("last", 40, "s99") + res("last", 41, 1, "s99"));
    const merged = await same(file, cache);
    assert.deepEqual(sectionsOf(cache, file).counts, [1, 1, 1, 1]);
    assert.equal(merged.calls.height, MAX_SECTIONS + 1);
    // a new call of an old session: the old events are still all kept first, and carried
    appendFileSync(file, req("b", 50) + res("b", 51, 1));
    const touched = await same(file, cache);
    assert.deepEqual(sectionsOf(cache, file).counts, [1, 1, 2, 1]);
    assert.deepEqual(callsOf(touched).map((c) => c[0]).slice(-2), ["last", "b"]);
    // the file read from its entry after growths: the same frames
    await same(file, cache);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("growth: an old last line without its newline is read again; its event is not carried, the entry's events are encoded whole", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // line 4 is whole JSON without its newline yet: it gave an event after the entry's lines
    const c = req("c", 4, "s2");
    writeFileSync(file, start(0) + req("a", 1) + res("a", 2, 1) + c.trimEnd());
    assert.equal((await same(file, cache)).calls.height, 2);
    appendFileSync(file, "\n" + req("d", 5, "s3") + res("d", 6, 1, "s3"));
    const t = await same(file, cache);
    assert.deepEqual(sectionsOf(cache, file).counts, [1, 1, 1, 1]);
    assert.deepEqual(callsOf(t).map((r) => [r[0], r[2]]), [["a", "ok"], ["c", "pending"], [
      "d",
      "ok",
    ]]);
    // a cut last line gives no event (a bad line until it is whole): the old events are carried
    writeFileSync(file, start(0) + req("a", 1) + res("a", 2, 1) + c.slice(0, 30));
    await same(file, cache);
    appendFileSync(file, c.slice(30) + req("d", 5, "s3") + res("d", 6, 1, "s3"));
    assert.deepEqual(callsOf(await same(file, cache)).map((r) => r[0]), ["a", "c", "d"]);
    assert.deepEqual(sectionsOf(cache, file).counts, [1, 1, 2, 1]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("growth: the stored events are chunks of at most CHUNK_EVENTS; a growth touching the last sessions decompresses only their chunk; many appends merge the chunks after the full ones", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // 11,000 sessions of a start, a request and a response: 33,000 events, two chunks
    const time = (i: number) => new Date(Date.UTC(2025, 3, 8) + i * 1000).toISOString();
    const session = (i: number) =>
      j({ type: "session_start", timestamp: time(i), session_id: `s${i}` }) +
      j({
        type: "llm_request",
        timestamp: time(i),
        session_id: `s${i}`,
        data: { request_id: `r${i}`, model: "gpt-4o" },
      }) +
      j({
        type: "llm_response",
        timestamp: time(i),
        session_id: `s${i}`,
        data: { request_id: `r${i}`, duration_seconds: 1, model: "gpt-4o" },
      });
    const sessions = 11_000;
    writeFileSync(file, Array.from({ length: sessions }, (_, i) => session(i)).join(""));
    assert.equal((await same(file, cache)).events.height, 3 * sessions);
    assert.equal(CHUNK_EVENTS, 32_768);
    assert.equal(chunksOf(cache, file), 2); // 32,768 + 232 events
    // garbage in the first chunk's lines (its codes and dictionary intact)
    const { lineage } = identity(file);
    const entry = join(cache, lineage.slice(0, 2), `${lineage}.tbc`);
    const bytes = Deno.readFileSync(entry);
    const { resume } = entryHeader(cache, file) as unknown as {
      resume: { chunks: { bytes: number; sizes: number[] }[] };
    };
    const [first, second] = resume.chunks;
    const at = bytes.length - first!.bytes - second!.bytes;
    bytes.fill(0x55, at + 4, at + first!.sizes[0]! - 4);
    Deno.writeFileSync(entry, bytes);
    // a call of the last session, whose events are all in the second chunk: the growth path
    // (the first chunk's lines never decompressed), the entry gaining a chunk
    const last = `s${sessions - 1}`;
    appendFileSync(file, req("late", 1, last) + res("late", 2, 1, last));
    const grown = await same(file, cache);
    assert.equal(grown.calls.filter(pl.col("session_id").eq(pl.lit(last))).height, 2);
    assert.equal(chunksOf(cache, file), 3, "the growth path, not a whole read");
    // a call of the first session: its chunk is needed and corrupt, the file is read whole
    appendFileSync(file, req("early", 3, "s0") + res("early", 4, 1, "s0"));
    await same(file, cache);
    assert.equal(chunksOf(cache, file), 2, "read whole: 33,004 events in two chunks");
    // 31 appends: past 32 chunks, those after the full first one are encoded again as one
    for (let i = 0; i < 31; i++) {
      appendFileSync(file, req(`m${i}`, 5, last));
      await loadTraces(file, { cache });
    }
    assert.equal(chunksOf(cache, file), 2);
    const merged = await same(file, cache);
    assert.equal(merged.events.height, 3 * sessions + 4 + 31);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("growth: a touched old session keeps its place among the sessions, a new one comes after every old one, old warnings stay", async () => {
  const { dir, cache, file } = grownSetup();
  try {
    // s2's response to an unknown request: an orphan_response warning, kept when s2 is touched
    writeFileSync(
      file,
      start(0, "s1") + start(1, "s2") + res("x", 2, 1, "s2") + start(3, "s3") + req("a", 4, "s3"),
    );
    await same(file, cache);
    appendFileSync(file, req("b", 5, "s4") + req("c", 6, "s2") + res("a", 7, 2, "s3"));
    const t = await same(file, cache);
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), ["s1", "s2", "s3", "s4"]);
    assert.deepEqual(diagnosticsOf(t).map((d) => d[1]), ["orphan_response"]);
    assert.ok(chunksOf(cache, file) > 1, "the growth path, not a whole read");
  } finally {
    rmSync(dir, { recursive: true });
  }
});
