/** `deno task test`: the arguments it gives `deno test`, and the cache folder the suite runs with. */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { testArgs, testEnv } from "../../scripts/test.ts";
import { defaultCacheDir } from "../../src/load/cache_dir.ts";

Deno.test("testArgs: the whole suite by default, else the paths and options given", () => {
  assert.deepEqual(testArgs([]), ["test", "-A", "--parallel", "--doc", "tests/", "src/"]);
  assert.deepEqual(testArgs(["tests/load/", "--filter", "cache"]), [
    "test",
    "-A",
    "--parallel",
    "--doc",
    "tests/load/",
    "--filter",
    "cache",
  ]);
});

Deno.test("testEnv: the suite's cache and temporary folder, both inside its own folder", () => {
  assert.deepEqual(testEnv("/tmp/suite"), {
    TRACEBOOK_CACHE_DIR: "/tmp/suite/cache",
    TMPDIR: "/tmp/suite/tmp",
  });
});

Deno.test("run by deno task test, the default cache and the temporary folder are the suite's", () => {
  const own = Deno.env.get("TRACEBOOK_CACHE_DIR");
  if (own === undefined) return; // run by `deno test` directly: the user's cache, as they chose
  assert.match(own, /tracebook-suite-[^/]+\/cache$/);
  assert.equal(defaultCacheDir(), own);
  // a test's temporary folder is made inside the suite's, and goes with it
  assert.equal(tmpdir(), own.replace(/cache$/, "tmp"));
  const dir = Deno.makeTempDirSync();
  assert.ok(dir.startsWith(own.replace(/cache$/, "tmp")), dir);
  Deno.removeSync(dir);
});
