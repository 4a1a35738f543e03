import assert from "node:assert/strict";
import { appendFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTraces } from "../../src/load/mod.ts";
import { watchEntries } from "../../src/load/cache.ts";
import { collectGarbage } from "../../src/load/_memory.ts";
import { loadKey } from "../../src/load/_recent.ts";
import { callLines as call } from "./_lines.ts";

function setup(): { dir: string; cache: string; file: string } {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-recent-test-" });
  const file = join(dir, "run.jsonl");
  writeFileSync(file, call("s1", "a", "gpt-4o", 2) + call("s1", "b", "gpt-4o-mini", 1.5));
  return { dir, cache: join(dir, "cache"), file };
}

/** The entries a load looks for, reads or writes (none when it gives back the last load). */
async function touching<T>(load: () => Promise<T>): Promise<{ result: T; entries: string[] }> {
  const stop = watchEntries();
  try {
    const result = await load();
    return { result, entries: stop() };
  } finally {
    stop();
  }
}

const durations = (t: { calls: { getColumn(n: string): { toArray(): unknown[] } } }) =>
  t.calls.getColumn("duration_s").toArray();

Deno.test("recent: the same load again, its result held, gives equal frames without touching the cache", async () => {
  const { dir, cache, file } = setup();
  try {
    const first = await loadTraces(file, { cache });
    assert.deepEqual(durations(first), [2, 1.5]);
    const again = await touching(() => loadTraces(file, { cache }));
    assert.deepEqual(again.entries, []);
    assert.deepEqual(durations(again.result), [2, 1.5]);
    assert.deepEqual(again.result.files, [file]);
    // copies: changing what was returned does not change the next load's
    again.result.files.push("not a file");
    const third = await loadTraces(file, { cache });
    assert.deepEqual(third.files, [file]);
    assert.notEqual(third.calls, again.result.calls);
    // the first is still what it was
    assert.equal(first.calls.height, 2);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("recent: a file appended to, another option or a changed entry is loaded again", async () => {
  const { dir, cache, file } = setup();
  try {
    const first = await loadTraces(file, { cache });
    appendFileSync(file, call("s1", "c", "gpt-4o", 4));
    const grown = await touching(() => loadTraces(file, { cache }));
    // the third call (4 s) is there: read from the entry and the appended bytes
    assert.deepEqual(durations(grown.result), [2, 1.5, 4]);
    assert.ok(grown.entries.length > 0);
    // another time zone is another load (naive times move by two hours in Paris in April)
    const paris = await touching(() => loadTraces(file, { cache, timezone: "Europe/Paris" }));
    assert.ok(paris.entries.length > 0);
    const utc = grown.result.calls.getColumn("started_at").toArray() as unknown as Date[];
    const cet = paris.result.calls.getColumn("started_at").toArray() as unknown as Date[];
    assert.equal(utc[0]!.getTime() - cet[0]!.getTime(), 2 * 3600 * 1000);
    // an entry rewritten behind the load's back (here: emptied) is a miss, and is rebuilt
    const held = await loadTraces(file, { cache, timezone: "Europe/Paris" });
    const entryFiles = readdirSync(cache, { recursive: true }).map(String)
      .filter((f) => f.endsWith(".tbc"));
    for (const f of entryFiles) writeFileSync(join(cache, f), "");
    const rebuilt = await touching(() => loadTraces(file, { cache, timezone: "Europe/Paris" }));
    assert.ok(rebuilt.entries.length > 0);
    assert.deepEqual(durations(rebuilt.result), durations(held));
    assert.equal(first.calls.height, 2);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("recent: once the result is collected, the next load reads the cache", async () => {
  const { dir, cache, file } = setup();
  try {
    await loadTraces(file, { cache }); // not held
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    const next = await touching(() => loadTraces(file, { cache }));
    assert.ok(next.entries.length > 0, "the entry was read");
    assert.deepEqual(durations(next.result), [2, 1.5]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("recent: a folder of small files (a set entry): a file changed is seen", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-recent-set-" });
  try {
    const cache = join(dir, "cache");
    const folder = join(dir, "runs");
    Deno.mkdirSync(folder);
    for (let i = 0; i < 5; i++) {
      writeFileSync(join(folder, `run${i}.jsonl`), call(`s${i}`, `r${i}`, "gpt-4o", i + 1));
    }
    const first = await loadTraces(folder, { cache });
    const sum = (t: typeof first) => (durations(t) as number[]).reduce((a, b) => a + b, 0);
    assert.equal(sum(first), 1 + 2 + 3 + 4 + 5);
    assert.deepEqual((await touching(() => loadTraces(folder, { cache }))).entries, []);
    appendFileSync(join(folder, "run2.jsonl"), call("s2", "extra", "gpt-4o", 10));
    const changed = await loadTraces(folder, { cache });
    assert.equal(sum(changed), 15 + 10);
    // a file added to the folder is another list of files: seen too
    writeFileSync(join(folder, "run9.jsonl"), call("s9", "r9", "gpt-4o", 100));
    assert.equal(sum(await loadTraces(folder, { cache })), 25 + 100);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("recent: no cache, a staged input: nothing is kept", () => {
  const files = [{ path: "/x/run.jsonl", name: "/x/run.jsonl" }];
  assert.equal(loadKey(["/x"], files, [], {}, false), null);
  // a decompressed copy is not the input
  assert.equal(
    loadKey(["a.jsonl.gz"], [{ path: "/tmp/copy", name: "a.jsonl.gz" }], [], {}, "/c"),
    null,
  );
  // a file that cannot be stamped (gone)
  assert.equal(loadKey(["/x"], files, [], {}, "/c"), null);
});
