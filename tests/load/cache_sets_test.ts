/**
 * Set entries of the cache (DESIGN.md, "The cache"; src/load/cache.ts): the
 * small files of a load share one entry, a warm load reads it, and the frames
 * are those of a load without the cache after any change of a file of the set.
 */
import assert from "node:assert/strict";
import {
  appendFileSync,
  existsSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { missing, ROOT, SHARED } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import type { LoadOptions } from "../../src/load/load_traces.ts";
import { findResume, readSet, readSetFiles, writeSet } from "../../src/load/cache.ts";
import { identity, markEntry } from "./_cache_entry.ts";

const at = (s: number) => `2025-04-08T10:00:${String(s).padStart(2, "0")}Z`;
const j = (o: object) => JSON.stringify(o) + "\n";
const req = (sid: string, id: string, model: string, s: number) =>
  j({ type: "llm_request", timestamp: at(s), session_id: sid, data: { request_id: id, model } });
const res = (sid: string, id: string, model: string, s: number, seconds: number) =>
  j({
    type: "llm_response",
    timestamp: at(s),
    session_id: sid,
    data: { request_id: id, model, duration_seconds: seconds, output: "ok" },
  });
/** `n` calls of session `sid`, model `model`, each answered in `seconds`. */
const calls = (sid: string, model: string, n: number, seconds = 1) => {
  let text = j({ type: "session_start", timestamp: at(0), session_id: sid });
  for (let k = 0; k < n; k++) {
    text += req(sid, `${sid}-r${k}`, model, 2 * k + 1);
    text += res(sid, `${sid}-r${k}`, model, 2 * k + 2, seconds);
  }
  return text;
};

/** The set entries and the per-file entries in a cache folder. */
function entries(cache: string): { sets: string[]; files: string[] } {
  if (!existsSync(cache)) return { sets: [], files: [] };
  const all = readdirSync(cache, { recursive: true }).map(String);
  return {
    sets: all.filter((f) => f.endsWith(".tbs")).sort(),
    files: all.filter((f) => f.endsWith(".tbc")).sort(),
  };
}

/** The lineage of the one set entry in a cache folder (its file's name). */
function theSet(cache: string): string {
  const { sets } = entries(cache);
  assert.equal(sets.length, 1, `one set entry: ${sets}`);
  return sets[0]!.split("/").at(-1)!.replace(/\.tbs$/, "");
}

/**
 * Rewrite the set entry with every call's model set to "from-the-set": a load
 * that shows it took those rows from the entry, not from the files.
 */
function markSet(cache: string): void {
  const lineage = theSet(cache);
  const entry = readSet(cache, lineage, (files) => new Set(files.map((f) => f.name)))!;
  const frames = entry.frames!;
  writeSet(cache, lineage, entry.files, {
    ...frames,
    calls: frames.calls.withColumns(pl.lit("from-the-set").alias("model")),
  });
}

/** Load with the cache and without it: the four frames must be equal. Returns the cached load. */
async function same(input: string | string[], cache: string, options: LoadOptions = {}) {
  const warm = await loadTraces(input, { ...options, cache });
  const none = await loadTraces(input, { ...options, cache: false });
  for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
    assert.deepEqual(warm[k].columns, none[k].columns, k);
    assert.deepEqual(warm[k].toRecords(), none[k].toRecords(), k);
  }
  assert.deepEqual(warm.files, none.files);
  assert.deepEqual(warm.formats, none.formats);
  return warm;
}

/** `calls` as `file model status`, the file by its name. */
const rows = (t: { calls: pl.DataFrame }) =>
  t.calls.select("file", "model", "status").rows().map(([f, m, s]) =>
    `${String(f).split("/").at(-1)} ${m} ${s}`
  );

/** Files f0 … f4 in `dir/traces`: file i holds session s<i> with i + 1 calls of model m<i>. */
function setup() {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-sets-test-" });
  const traces = join(dir, "traces");
  Deno.mkdirSync(traces);
  const file = (i: number) => join(traces, `f${i}.jsonl`);
  for (let i = 0; i < 5; i++) writeFileSync(file(i), calls(`s${i}`, `m${i}`, i + 1));
  return { dir, traces, cache: join(dir, "cache"), file };
}

Deno.test("sets: a warm load of many small files reads their one set entry", async () => {
  const { dir, traces, cache } = setup();
  try {
    const cold = await same(traces, cache);
    // 1 + 2 + 3 + 4 + 5 calls, all answered
    assert.equal(cold.calls.height, 15);
    assert.equal(cold.calls.filter(pl.col("status").eq(pl.lit("ok"))).height, 15);
    // one set entry, no per-file entry
    assert.deepEqual(entries(cache).files, []);
    const lineage = theSet(cache);
    assert.deepEqual(
      readSetFiles(cache, lineage)!.map((f) => [f.name.split("/").at(-1), f.format]),
      [0, 1, 2, 3, 4].map((i) => [`f${i}.jsonl`, "native"]),
    );
    // the warm load takes every row from the entry, and does not write it again
    markSet(cache);
    const path = join(cache, "sets", `${lineage}.tbs`);
    const before = statSync(path);
    const warm = await loadTraces(traces, { cache });
    assert.deepEqual(warm.calls.getColumn("model").unique().toArray(), ["from-the-set"]);
    assert.equal(warm.calls.height, 15);
    const after = statSync(path);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
    // the same inputs written otherwise name the same entry; another option another one
    assert.equal(
      (await loadTraces(`${traces}/`, { cache })).calls.getColumn("model").get(0),
      "from-the-set",
    );
    await loadTraces(traces, { cache, timezone: "Europe/Paris" });
    assert.equal(entries(cache).sets.length, 2);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: only the files that changed are read again; the others come from the entry", async () => {
  const { dir, traces, cache, file } = setup();
  try {
    await loadTraces(traces, { cache });
    markSet(cache);
    // f2 edited in place, same size: m2 → m9 in its 3 calls
    writeFileSync(file(2), calls("s2", "m9", 3));
    const t = await loadTraces(traces, { cache });
    // f0, f1 (1 + 2 calls), f3, f4 (4 + 5) from the entry; f2 read again
    assert.deepEqual(rows(t), [
      "f0.jsonl from-the-set ok",
      ...Array(2).fill("f1.jsonl from-the-set ok"),
      ...Array(3).fill("f2.jsonl m9 ok"),
      ...Array(4).fill("f3.jsonl from-the-set ok"),
      ...Array(5).fill("f4.jsonl from-the-set ok"),
    ]);
    // the entry was written again with f2 as it is now: the next load reads all of it
    const again = await loadTraces(traces, { cache });
    assert.deepEqual(rows(again), rows(t));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: a file edited, appended, added or removed gives the frames of a load without the cache", async () => {
  const { dir, traces, cache, file } = setup();
  const files = () => readSetFiles(cache, theSet(cache))!.map((f) => f.name.split("/").at(-1));
  try {
    await same(traces, cache);
    // edited: another size
    writeFileSync(file(1), calls("s1", "m1", 2, 7));
    let t = await same(traces, cache);
    assert.deepEqual(
      t.calls.filter(pl.col("model").eq(pl.lit("m1"))).getColumn("duration_s").toArray(),
      [7, 7],
    );
    // appended: a request whose response is not written yet (a pending call), then its response
    appendFileSync(file(3), req("s3", "late", "m3", 50));
    t = await same(traces, cache);
    assert.deepEqual(rows(t).filter((r) => r.startsWith("f3")).at(-1), "f3.jsonl m3 pending");
    appendFileSync(file(3), res("s3", "late", "m3", 52, 2));
    t = await same(traces, cache);
    assert.equal(t.calls.height, 16); // 15 + the late call
    // added
    writeFileSync(file(5), calls("s5", "m5", 6));
    t = await same(traces, cache);
    assert.equal(t.calls.height, 22); // 16 + 6
    assert.deepEqual(files(), [
      "f0.jsonl",
      "f1.jsonl",
      "f2.jsonl",
      "f3.jsonl",
      "f4.jsonl",
      "f5.jsonl",
    ]);
    // removed
    rmSync(file(0));
    t = await same(traces, cache);
    assert.equal(t.calls.height, 21); // 22 − f0's 1
    assert.deepEqual(files(), ["f1.jsonl", "f2.jsonl", "f3.jsonl", "f4.jsonl", "f5.jsonl"]);
    // and warm again, unchanged
    await same(traces, cache);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: files that share a session are taken from the entry only together", async () => {
  const { dir, traces, cache, file } = setup();
  try {
    // session x: its request in f0 (appended), its response in f1
    appendFileSync(file(0), req("x", "xr", "mx", 30));
    appendFileSync(file(1), res("x", "xr", "mx", 33, 3));
    const cold = await same(traces, cache);
    const x = (t: { calls: pl.DataFrame }) =>
      t.calls.filter(pl.col("request_id").eq(pl.lit("xr"))).select("status", "duration_s").rows();
    assert.deepEqual(x(cold), [["ok", 3]]);
    const groups = readSetFiles(cache, theSet(cache))!.map((f) => f.group);
    assert.equal(groups[0], groups[1]);
    assert.equal(new Set(groups).size, 4); // f0 and f1 together, f2, f3, f4 apart
    // f1 loses the response: f0's call is pending now, though f0 did not change
    writeFileSync(file(1), calls("s1", "m1", 2));
    assert.deepEqual(x(await same(traces, cache)), [["pending", null]]);
    // a new file answers it
    writeFileSync(file(6), res("x", "xr", "mx", 40, 10));
    assert.deepEqual(x(await same(traces, cache)), [["ok", 10]]);
    // warm
    assert.deepEqual(x(await same(traces, cache)), [["ok", 10]]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: a small file sharing a session with a large one is kept out of the set", async () => {
  const { dir, traces, cache, file } = setup();
  try {
    // session y: its request in f0 (small), its response in big.jsonl, padded past the limit
    appendFileSync(file(0), req("y", "yr", "my", 30));
    const big = join(traces, "big.jsonl");
    writeFileSync(big, res("y", "yr", "my", 34, 4) + calls("b", "mb", 20));
    const options = { smallFileBytes: statSync(big).size };
    const y = (t: { calls: pl.DataFrame }) =>
      t.calls.filter(pl.col("request_id").eq(pl.lit("yr"))).select("status", "duration_s").rows();
    assert.deepEqual(y(await same(traces, cache, options)), [["ok", 4]]);
    // f0's rows depend on big.jsonl: not in the set; big.jsonl shares a session: no entry
    assert.deepEqual(
      readSetFiles(cache, theSet(cache))!.map((f) => f.name.split("/").at(-1)),
      ["f1.jsonl", "f2.jsonl", "f3.jsonl", "f4.jsonl"],
    );
    assert.equal(entries(cache).files.length, 0);
    assert.deepEqual(y(await same(traces, cache, options)), [["ok", 4]]);
    // the response goes: f0's call is pending
    writeFileSync(big, calls("b", "mb", 21));
    assert.ok(statSync(big).size >= options.smallFileBytes);
    assert.deepEqual(y(await same(traces, cache, options)), [["pending", null]]);
    assert.deepEqual(y(await same(traces, cache, options)), [["pending", null]]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: a corrupt or partial set entry is rebuilt, never trusted", async () => {
  const { dir, traces, cache } = setup();
  try {
    await same(traces, cache);
    const path = join(cache, "sets", `${theSet(cache)}.tbs`);
    const size = statSync(path).size;
    truncateSync(path, Math.floor(size / 2));
    assert.equal((await same(traces, cache)).calls.height, 15);
    assert.equal(statSync(path).size, size);
    writeFileSync(path, new Uint8Array(size).fill(7));
    assert.equal((await same(traces, cache)).calls.height, 15);
    assert.equal(statSync(path).size, size);
    // a header that lies about its frames: cut after the header, the right length given back
    const bytes = Deno.readFileSync(path);
    const headerEnd = 8 + new DataView(bytes.buffer).getUint32(4);
    writeFileSync(
      path,
      new Uint8Array([...bytes.subarray(0, headerEnd), ...new Uint8Array(size - headerEnd)]),
    );
    assert.equal((await same(traces, cache)).calls.height, 15);
    assert.deepEqual(
      Deno.readFileSync(path).subarray(headerEnd, headerEnd + 8),
      bytes.subarray(headerEnd, headerEnd + 8),
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: two processes writing the same set entry at once leave one whole entry", async () => {
  const { dir, traces, cache } = setup();
  try {
    const code = `import { loadTraces } from ${JSON.stringify(join(ROOT, "src/load/mod.ts"))};
const sets = ${JSON.stringify(join(cache, "sets"))};
for (let i = 0; i < 5; i++) {
  const t = await loadTraces(${JSON.stringify(traces)}, { cache: ${JSON.stringify(cache)} });
  if (t.calls.height !== 15) Deno.exit(3);
  // force a rewrite next time: remove the entry
  try { for (const f of Deno.readDirSync(sets)) Deno.removeSync(sets + "/" + f.name); } catch { /* the other one */ }
}`;
    const run = () =>
      new Deno.Command(Deno.execPath(), { args: ["eval", "--no-check", code], cwd: ROOT })
        .spawn().status.then((s) => s.code);
    assert.deepEqual(await Promise.all([run(), run()]), [0, 0]);
    // no temporary file left behind, and what is there reads right
    const all = existsSync(cache) ? readdirSync(cache, { recursive: true }).map(String) : [];
    assert.deepEqual(all.filter((f) => f.endsWith(".tmp")), []);
    assert.equal((await same(traces, cache)).calls.height, 15);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: a large file keeps its own entry and is read from where it stopped when it grows", async () => {
  const { dir, traces, cache, file } = setup();
  try {
    // f4 holds 5 calls (the largest file); the others at most 4: a limit between them
    const limit = statSync(file(4)).size;
    assert.ok(statSync(file(3)).size < limit);
    const options = { smallFileBytes: limit };
    await same(traces, cache, options);
    assert.equal(entries(cache).sets.length, 1);
    assert.deepEqual(entries(cache).files.length, 1);
    assert.ok(findResume(cache, identity(file(4)), file(4)));
    assert.deepEqual(
      readSetFiles(cache, theSet(cache))!.map((f) => f.name.split("/").at(-1)),
      ["f0.jsonl", "f1.jsonl", "f2.jsonl", "f3.jsonl"],
    );
    // f4's request s4-r0 marked in its entry; a call appended to f4: read from the entry on
    markEntry(cache, file(4), "s4-r0");
    appendFileSync(file(4), req("s4", "s4-r5", "m4", 30));
    const t = await loadTraces(traces, { cache, ...options });
    assert.deepEqual(
      t.calls.filter(pl.col("file").eq(pl.lit(file(4)))).select("request_id", "model", "status")
        .rows(),
      [
        ["s4-r0", "from-the-entry", "ok"],
        ...[1, 2, 3, 4].map((k) => [`s4-r${k}`, "m4", "ok"]),
        ["s4-r5", "m4", "pending"],
      ],
    );
    // with smallFileBytes 0 every file has its own entry
    const own = join(dir, "own");
    await same(traces, own, { smallFileBytes: 0 });
    assert.deepEqual(entries(own), {
      sets: [],
      files: entries(own).files,
    });
    assert.equal(entries(own).files.length, 5);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: a load of fewer than 4 small files keeps an entry per file", async () => {
  const { dir, file, cache } = setup();
  try {
    await same([file(0), file(1), file(2)], cache);
    assert.equal(entries(cache).sets.length, 0);
    assert.equal(entries(cache).files.length, 3);
    await same([file(0), file(1), file(2), file(3)], cache);
    assert.equal(entries(cache).sets.length, 1);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("sets: the frames of traces/, the test fixtures and the real fixtures are those of a load without the cache, cold and warm, all in the set or the larger files apart", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-sets-test-" });
  try {
    const inputs = [
      join(ROOT, "traces"),
      join(ROOT, "tests/fixtures"),
      join(ROOT, "tests/load/formats/fixtures"),
    ];
    const real = `${SHARED}fixtures/real`;
    if (!missing("../shared/fixtures/real", existsSync(real))) inputs.push(real);
    for (const input of [...inputs, inputs]) {
      const cache = join(dir, String(Math.random()).slice(2));
      // every file in the set (a limit above them all)
      const options = { smallFileBytes: 1 << 30 };
      const cold = await same(input, cache, options);
      assert.ok(cold.files.length >= 4, `${input}: ${cold.files.length} files`);
      assert.equal(entries(cache).sets.length, 1, String(input));
      await same(input, cache, options);
    }
    // all of them at once, files of 16 KiB or more apart (the set's rows filtered out of the load's)
    const cache = join(dir, "mixed");
    const options = { smallFileBytes: 16 * 1024 };
    await same(inputs, cache, options);
    await same(inputs, cache, options);
    assert.equal(entries(cache).sets.length, 1);
    assert.ok(entries(cache).files.length > 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
