/**
 * Where the caches live (the per-file frames and the results of `analyze` and
 * `report`) and how a file is told unchanged without reading it (its stamp),
 * apart from `cache_key.ts` and with no `node:` import: a replay of the CLI
 * from the results cache finds its entry without loading Deno's Node
 * compatibility layer (about 20 ms of a 0.05 s replay).
 *
 * @module
 */

import { deno } from "./_runtime.ts";

/** What these functions take from Node's `process` (the npm package), where Deno is not. */
interface NodeProcess {
  env: Record<string, string | undefined>;
  platform: string;
  getBuiltinModule(name: "node:os"): { homedir(): string };
  getBuiltinModule(name: "node:fs"): {
    statSync(path: string | URL): {
      isFile(): boolean;
      size: number;
      mtimeMs: number;
      ctimeMs: number;
      ino: number;
      dev: number;
    };
    realpathSync(path: string | URL): string;
  };
}

/** Node's `process` (Deno has one too). */
const nodeProcess = () => (globalThis as { process?: NodeProcess }).process;

/**
 * Where entries live: `$TRACEBOOK_CACHE_DIR` when it is set (the folder
 * itself), else `$XDG_CACHE_HOME/tracebook`, else `~/.cache/tracebook` (the
 * home folder as Node's `os.homedir()` gives it: `$HOME` where it is set, else
 * the system's). `deno task test` sets `TRACEBOOK_CACHE_DIR` to a folder of
 * its own, so that the suite neither reads nor fills the user's cache.
 *
 * @example
 * ```ts
 * import { defaultCacheDir } from "./cache_dir.ts";
 * const saved = ["TRACEBOOK_CACHE_DIR", "XDG_CACHE_HOME"].map((k) => [k, Deno.env.get(k)] as const);
 * Deno.env.delete("TRACEBOOK_CACHE_DIR");
 * Deno.env.set("XDG_CACHE_HOME", "/tmp/xdg");
 * if (defaultCacheDir() !== "/tmp/xdg/tracebook") throw new Error(defaultCacheDir());
 * Deno.env.set("TRACEBOOK_CACHE_DIR", "/tmp/tb-cache");
 * if (defaultCacheDir() !== "/tmp/tb-cache") throw new Error(defaultCacheDir());
 * for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
 * ```
 */
export function defaultCacheDir(): string {
  const proc = nodeProcess();
  const env = (name: string) => deno ? deno.env.get(name) : proc?.env[name];
  const own = env("TRACEBOOK_CACHE_DIR");
  if (own && own.trim() !== "") return own;
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

/**
 * A file's stamp: its real path, size, modification and change times, inode
 * and device, or null when it is not a regular file (or is gone), or the system
 * gives no modification time (an edit could not be seen). Any change of the
 * file changes its change time at least.
 *
 * @example
 * ```ts
 * import { fileStamp } from "./cache_dir.ts";
 * const path = Deno.makeTempFileSync();
 * const before = fileStamp(path);
 * Deno.writeTextFileSync(path, "grown");
 * if (before === null || fileStamp(path) === before) throw new Error("an edit changes the stamp");
 * if (fileStamp(Deno.makeTempDirSync()) !== null) throw new Error("a folder has no stamp");
 * ```
 */
export function fileStamp(path: string | URL): string | null {
  try {
    if (!deno) {
      // Node (the npm package)
      const fs = nodeProcess()!.getBuiltinModule("node:fs");
      const st = fs.statSync(path);
      if (!st.isFile()) return null;
      return JSON.stringify([
        fs.realpathSync(path),
        st.size,
        st.mtimeMs,
        st.ctimeMs,
        st.ino,
        st.dev,
      ]);
    }
    const st = deno.statSync(path);
    if (!st.isFile || st.mtime === null) return null;
    const times = [st.mtime?.getTime() ?? null, st.ctime?.getTime() ?? null];
    return JSON.stringify([deno.realPathSync(path), st.size, ...times, st.ino, st.dev]);
  } catch {
    return null;
  }
}
