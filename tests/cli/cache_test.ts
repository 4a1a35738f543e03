/**
 * `deno task cache`: what a cache folder holds (`info`, text and JSON), its folder (`dir`), and
 * emptying it (`clear`) without touching anything else the folder holds; then on a real cache
 * written by `analyze`.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../_helpers.ts";
import { scratch } from "./_results.ts";

async function cache(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), "cache", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env,
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Every file below `dir`, as paths relative to it, sorted. */
function walk(dir: string): string[] {
  const found: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else found.push(relative(dir, path));
    }
  };
  visit(dir);
  return found.sort();
}

/** A cache folder of known files: the cache's own and others that are not. */
function folder(): string {
  const dir = Deno.makeTempDirSync({ prefix: "tb-cache-cmd-" });
  const files: Record<string, number> = {
    "ab/x.tbc": 600, // per-file entries: 650 bytes
    "ab/y.tbc": 50,
    "sets/s.tbs": 450, // a set entry
    "results/r.tbr": 100, // results: 110 bytes
    "results/r.argv": 10,
    "results/q.tmp": 7, // temporary: 12 bytes
    "cd/w.tmp": 5,
    // not the cache's: kept by clear, not counted by info
    "notes.txt": 3,
    "ab/notes.txt": 4,
    "other/z.tbc": 9, // not an entry folder (two hex digits or `sets`)
    "results/readme.md": 2,
  };
  for (const [name, size] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), new Uint8Array(size));
  }
  return dir;
}

Deno.test("cache --json: the entries, results and temporary files of a folder, counted and summed, nothing else", async () => {
  const dir = folder();
  try {
    const r = await cache(["--cache-dir", dir, "--json"], { TRACEBOOK_CACHE_MAX_BYTES: "5000" });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      dir,
      files: { count: 2, bytes: 650 },
      sets: { count: 1, bytes: 450 },
      results: { count: 2, bytes: 110 },
      temporary: { count: 2, bytes: 12 },
      maxBytes: 5000,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cache (info): the same as text, with the default size kept (2 GiB = 2.1 GB)", async () => {
  const dir = folder();
  try {
    const r = await cache(["info", "--cache-dir", dir], { TRACEBOOK_CACHE_MAX_BYTES: "" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        `Cache folder: ${dir}`,
        // 650 + 450 = 1,100 bytes = 1.1 KB; 2 GiB = 2,147,483,648 bytes = 2.1 GB
        "Entries: 2 file entries, 650 B; 1 set entry, 450 B (1.1 KB of 2.1 GB kept: TRACEBOOK_CACHE_MAX_BYTES)",
        "Results of analyze and report: 2 files, 110 B",
        "Temporary files: 2 files, 12 B",
        "",
      ].join("\n"),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cache clear: the cache's files go, with the folders they leave empty; nothing else", async () => {
  const dir = folder();
  try {
    const r = await cache(["clear", "--cache-dir", dir]);
    assert.equal(r.code, 0, r.stderr);
    // 7 files: 650 + 450 + 110 + 12 = 1,222 bytes
    assert.equal(r.stdout, `Removed 7 files (1.2 KB) from ${dir}.\n`);
    assert.deepEqual(walk(dir), ["ab/notes.txt", "notes.txt", "other/z.tbc", "results/readme.md"]);
    assert.ok(!existsSync(join(dir, "sets")) && !existsSync(join(dir, "cd")), "emptied folders");
    // a second clear finds nothing
    const again = await cache(["clear", "--cache-dir", dir, "--json"]);
    assert.deepEqual(JSON.parse(again.stdout), { dir, removed: { count: 0, bytes: 0 } });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cache dir: the folder, from --cache-dir, TRACEBOOK_CACHE_DIR or XDG_CACHE_HOME; an unknown action is a usage error", async () => {
  assert.equal((await cache(["dir", "--cache-dir", "/tmp/somewhere"])).stdout, "/tmp/somewhere\n");
  // the suite runs with TRACEBOOK_CACHE_DIR set (`deno task test`): emptied, XDG_CACHE_HOME decides
  const xdg = await cache(["dir"], { XDG_CACHE_HOME: "/tmp/xdg-home", TRACEBOOK_CACHE_DIR: "" });
  assert.equal(xdg.stdout, "/tmp/xdg-home/tracebook\n");
  const own = await cache(["dir"], {
    XDG_CACHE_HOME: "/tmp/xdg-home",
    TRACEBOOK_CACHE_DIR: "/tmp/tb",
  });
  assert.equal(own.stdout, "/tmp/tb\n");
  // a folder's name cannot write to the terminal: its control characters are shown escaped
  const odd = await cache(["dir", "--cache-dir", "/tmp/a\u001b[2Jb"]);
  assert.ok(!odd.stdout.includes("\u001b"), JSON.stringify(odd.stdout));
  const bad = await cache(["purge"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "error: Unknown cache action 'purge': use info, dir or clear.\n");
});

Deno.test("cache on the entries analyze wrote: counted as they are on disk, then cleared, and analyze reads again", async () => {
  const s = scratch();
  try {
    const analyze = () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(ROOT, "src/cli/main.ts"),
          "analyze",
          s.traces,
          "--output-dir",
          join(s.dir, "out"),
          "--quiet",
          "--cache-dir",
          s.cache,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
    assert.equal((await analyze()).code, 0);
    // what the folder holds, by its own walk: entries by their endings, results in results/
    const files = walk(s.cache);
    const bytes = (names: string[]) =>
      names.reduce((n, f) => n + statSync(join(s.cache, f)).size, 0);
    const tbc = files.filter((f) => f.endsWith(".tbc"));
    const tbs = files.filter((f) => f.endsWith(".tbs"));
    const results = files.filter((f) => f.startsWith("results/"));
    assert.ok(tbc.length + tbs.length > 0 && results.length === 2, files.join());
    const info = JSON.parse((await cache(["--cache-dir", s.cache, "--json"])).stdout);
    assert.deepEqual(info.files, { count: tbc.length, bytes: bytes(tbc) });
    assert.deepEqual(info.sets, { count: tbs.length, bytes: bytes(tbs) });
    assert.deepEqual(info.results, { count: 2, bytes: bytes(results) });
    const total = bytes(files);
    const cleared = JSON.parse((await cache(["clear", "--cache-dir", s.cache, "--json"])).stdout);
    assert.deepEqual(cleared.removed, { count: files.length, bytes: total });
    assert.deepEqual(existsSync(s.cache) ? walk(s.cache) : [], []);
    // the next analyze parses again and writes its entries anew
    assert.equal((await analyze()).code, 0);
    assert.equal(walk(s.cache).length, files.length);
  } finally {
    s.done();
  }
});
