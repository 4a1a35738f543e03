/**
 * `deno task test [args…]`: the test suite, `deno test -A --parallel --doc`
 * on `tests/` and `src/` (or on the paths and options given), in a folder of
 * its own, removed after the run: `TRACEBOOK_CACHE_DIR` is its `cache/`, so
 * the suite starts from an empty cache every time and neither reads nor fills
 * the user's `~/.cache/tracebook` (a run writes about a hundred entries), and
 * `TMPDIR` is its `tmp/`, so the temporary folders of the tests and of the
 * programs they run (about two hundred a run) go with it. Deno's own cache is
 * untouched. The exit code is `deno test`'s.
 *
 * @module
 */
import { join } from "node:path";

/** The arguments of `deno test`: the suite's, then the paths and options given (all of `tests/` and `src/` when none). */
export function testArgs(args: string[]): string[] {
  return ["test", "-A", "--parallel", "--doc", ...(args.length ? args : ["tests/", "src/"])];
}

/** The environment of the suite in its folder `root`: its cache and its temporary folder. */
export function testEnv(root: string): Record<string, string> {
  return { TRACEBOOK_CACHE_DIR: join(root, "cache"), TMPDIR: join(root, "tmp") };
}

if (import.meta.main) {
  const root = Deno.makeTempDirSync({ prefix: "tracebook-suite-" });
  const env = testEnv(root);
  Deno.mkdirSync(env.TMPDIR!);
  let code = 1;
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: testArgs(Deno.args),
      env,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    ({ code } = await child.status);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
  Deno.exit(code);
}
