import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTraces } from "../../src/load/mod.ts";
import { pruneEntries } from "../../src/load/cache.ts";
import { callLines } from "./_lines.ts";

const DAY = 86_400;

/** A trace of `n` calls of 1 s in session `session`. */
const trace = (session: string, n: number) =>
  Array.from({ length: n }, (_, i) => callLines(session, `${session}-${i}`, "gpt-4o", 1)).join("");

/** The entry files of a cache folder, by path. */
function entryFiles(cache: string): string[] {
  if (!existsSync(cache)) return [];
  return readdirSync(cache, { recursive: true }).map(String)
    .filter((f) => f.endsWith(".tbc")).map((f) => join(cache, f)).sort();
}

/** Three files, each loaded alone into `cache`: their entries, oldest (2 days) to newest (now). */
async function threeEntries(dir: string, cache: string): Promise<string[]> {
  const now = Date.now() / 1000;
  const made: string[] = [];
  for (const [i, name] of ["a", "b", "c"].entries()) {
    const file = join(dir, `${name}.jsonl`);
    writeFileSync(file, trace(name, 5 + i));
    const before = new Set(entryFiles(cache));
    await loadTraces(file, { cache });
    const entry = entryFiles(cache).find((e) => !before.has(e))!;
    const age = [2 * DAY, DAY, 0][i]!;
    utimesSync(entry, now - age, now - age);
    made.push(entry);
  }
  return made;
}

Deno.test("cache pruning: past the budget, the least recently used entries go, to 80% of it", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-prune-" });
  try {
    const cache = join(dir, "cache");
    const [a, b, c] = await threeEntries(dir, cache);
    const sizeC = statSync(c!).size;
    // within the budget: nothing goes
    const total = [a, b, c].reduce((sum, e) => sum + statSync(e!).size, 0);
    assert.deepEqual(pruneEntries(cache, total, new Set()), []);
    // a budget of 1.25 × c: a, then b go (c alone is 80% of it); c, the newest, stays
    assert.deepEqual(pruneEntries(cache, sizeC * 1.25, new Set()), [a, b]);
    assert.deepEqual(entryFiles(cache), [c]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cache pruning: kept entries stay whatever the budget; old temporary files go, the results cache stays", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-prune-" });
  try {
    const cache = join(dir, "cache");
    const [a, b, c] = await threeEntries(dir, cache);
    const folder = join(cache, "ab");
    Deno.mkdirSync(folder, { recursive: true });
    const oldTmp = join(folder, "x.tbc.1.abc.tmp"), newTmp = join(folder, "y.tbc.1.abc.tmp");
    writeFileSync(oldTmp, "half an entry");
    writeFileSync(newTmp, "being written");
    const hours = (h: number) => Date.now() / 1000 - h * 3600;
    utimesSync(oldTmp, hours(2), hours(2));
    Deno.mkdirSync(join(cache, "results"));
    const result = join(cache, "results", "r.tbr");
    writeFileSync(result, new Uint8Array(10_000));
    utimesSync(result, hours(100), hours(100));
    assert.deepEqual(pruneEntries(cache, 0, new Set([a!])), [b, c]);
    assert.deepEqual(entryFiles(cache), [a]);
    assert.equal(existsSync(oldTmp), false);
    assert.equal(existsSync(newTmp), true);
    assert.equal(existsSync(result), true);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cache pruning: reading an entry last used days ago makes it recent", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-prune-" });
  try {
    const cache = join(dir, "cache");
    const [a] = await threeEntries(dir, cache);
    assert.ok(Date.now() - statSync(a!).mtimeMs > DAY * 1000);
    const t = await loadTraces(join(dir, "a.jsonl"), { cache });
    assert.equal(t.calls.height, 5);
    assert.ok(Date.now() - statSync(a!).mtimeMs < 60_000, "read now: its time is now");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cache pruning: a process writing an entry prunes the folder to TRACEBOOK_CACHE_MAX_BYTES, keeping its own", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-prune-" });
  try {
    const cache = join(dir, "cache");
    const [a, b, c] = await threeEntries(dir, cache);
    const sizeC = statSync(c!).size;
    Deno.removeSync(c!); // the other process writes it again
    const file = join(dir, "c.jsonl");
    const script = `import { loadTraces } from ${
      JSON.stringify(new URL("../../src/load/mod.ts", import.meta.url).href)
    };\nawait loadTraces(${JSON.stringify(file)}, { cache: ${JSON.stringify(cache)} });\n`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      // a + b + c is over 1.1 × c: a and b go; c, written by that process, stays
      env: { TRACEBOOK_CACHE_MAX_BYTES: String(Math.floor(sizeC * 1.1)) },
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(entryFiles(cache), [c]);
    assert.equal(existsSync(a!) || existsSync(b!), false);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
