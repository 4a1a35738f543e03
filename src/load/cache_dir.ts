/**
 * Where the caches live (the per-file frames and the results of `analyze` and
 * `report`), apart from `cache_key.ts` and with no `node:` import: a replay of
 * the CLI from the results cache finds its entry without loading Deno's Node
 * compatibility layer (about 20 ms of a 0.05 s replay).
 *
 * @module
 */

interface NodeProcess {
  env: Record<string, string | undefined>;
  platform: string;
  getBuiltinModule(name: "node:os"): { homedir(): string };
}

/**
 * Where entries live: `$XDG_CACHE_HOME/tracebook`, else `~/.cache/tracebook`
 * (the home folder as Node's `os.homedir()` gives it: `$HOME` where it is set,
 * else the system's).
 *
 * @example
 * ```ts
 * import { defaultCacheDir } from "./cache_dir.ts";
 * const saved = Deno.env.get("XDG_CACHE_HOME");
 * Deno.env.set("XDG_CACHE_HOME", "/tmp/xdg");
 * if (defaultCacheDir() !== "/tmp/xdg/tracebook") throw new Error(defaultCacheDir());
 * if (saved === undefined) Deno.env.delete("XDG_CACHE_HOME");
 * else Deno.env.set("XDG_CACHE_HOME", saved);
 * ```
 */
export function defaultCacheDir(): string {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  const proc = (globalThis as { process?: NodeProcess }).process;
  const env = (name: string) => deno ? deno.env.get(name) : proc?.env[name];
  const xdg = env("XDG_CACHE_HOME");
  if (xdg && xdg.trim() !== "") return joinDir(xdg, "tracebook");
  const windows = deno ? deno.build.os === "windows" : proc?.platform === "win32";
  const home = (!windows && env("HOME")) || proc!.getBuiltinModule("node:os").homedir();
  return joinDir(joinDir(home, ".cache"), "tracebook");
}

/** `dir/name`, without doubling a separator `dir` ends with. */
function joinDir(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;
}
