/**
 * `cache [info|dir|clear] [--cache-dir DIR] [--json]`: where the cache is, what
 * it holds, and emptying it. `info` (the default) counts the per-file and set
 * entries (`src/load/cache.ts`), the results of `analyze` and `report`
 * (`results_cache.ts`) and temporary files, with their bytes and the size the
 * entries are kept to; `dir` prints the folder; `clear` removes those files and
 * the folders they leave empty, and nothing else: a `--cache-dir` pointed at a
 * folder of other things loses none of them.
 *
 * @module
 */
import { rmdirSync, rmSync } from "node:fs";
import type { Command } from "npm:commander@15.1.0";
import { cacheFiles, cacheMaxBytes } from "../../load/cache.ts";
import { defaultCacheDir } from "../../load/cache_dir.ts";
import { UserError } from "../../log/mod.ts";
import { formatBytes } from "../../log/format.ts";
import { escapeControl } from "../../log/terminal.ts";
import { resultsDir, resultsFiles } from "../results_cache.ts";

/** What a cache folder holds, as `cache --json` prints it. */
export interface CacheInfo {
  dir: string;
  /** Per-file entries (`.tbc`). */
  files: { count: number; bytes: number };
  /** Set entries (`.tbs`: many small files in one). */
  sets: { count: number; bytes: number };
  /** Results of `analyze` and `report` runs and their recorded command lines. */
  results: { count: number; bytes: number };
  /** Files being written, or left by a process that died while writing. */
  temporary: { count: number; bytes: number };
  /** The bytes of entries (per-file and set) the folder is kept to (`TRACEBOOK_CACHE_MAX_BYTES`). */
  maxBytes: number;
}

/** The parts of a cache folder {@link CacheInfo} counts. */
type Part = "files" | "sets" | "results" | "temporary";

/** Every file of the cache folder `dir` that is the cache's, with its part. */
function ownFiles(dir: string): { path: string; size: number; part: Part }[] {
  const parts = { file: "files", set: "sets", tmp: "temporary" } as const;
  return [
    ...cacheFiles(dir).map((f) => ({ path: f.path, size: f.size, part: parts[f.kind] })),
    ...resultsFiles(resultsDir(dir)).map((f) => ({
      path: f.path,
      size: f.size,
      part: f.kind === "tmp" ? "temporary" as const : "results" as const,
    })),
  ];
}

/**
 * What the cache folder `dir` holds.
 *
 * @example
 * ```ts
 * import { cacheInfo } from "./cache.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/ab`);
 * Deno.writeFileSync(`${dir}/ab/x.tbc`, new Uint8Array(600));
 * const info = cacheInfo(dir);
 * if (info.files.count !== 1 || info.files.bytes !== 600 || info.sets.count !== 0) throw new Error();
 * ```
 */
export function cacheInfo(dir: string): CacheInfo {
  const info: CacheInfo = {
    dir,
    files: { count: 0, bytes: 0 },
    sets: { count: 0, bytes: 0 },
    results: { count: 0, bytes: 0 },
    temporary: { count: 0, bytes: 0 },
    maxBytes: cacheMaxBytes(),
  };
  for (const f of ownFiles(dir)) {
    const part = info[f.part];
    part.count++;
    part.bytes += f.size;
  }
  return info;
}

/**
 * Remove the cache's files from `dir` (entries, results, temporary files) and
 * the folders of them left empty; returns how many files and bytes went.
 * Nothing else in `dir` is touched.
 *
 * @example
 * ```ts
 * import { clearCache } from "./cache.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/ab`);
 * Deno.writeFileSync(`${dir}/ab/x.tbc`, new Uint8Array(600));
 * Deno.writeTextFileSync(`${dir}/notes.txt`, "mine");
 * const removed = clearCache(dir);
 * if (removed.count !== 1 || removed.bytes !== 600) throw new Error(JSON.stringify(removed));
 * // the emptied entry folder went; the file that is not the cache's stayed
 * if ([...Deno.readDirSync(dir)].map((e) => e.name).join() !== "notes.txt") throw new Error();
 * ```
 */
export function clearCache(dir: string): { count: number; bytes: number } {
  const removed = { count: 0, bytes: 0 };
  const folders = new Set<string>();
  for (const f of ownFiles(dir)) {
    rmSync(f.path, { force: true });
    removed.count++;
    removed.bytes += f.size;
    folders.add(f.path.slice(0, Math.max(f.path.lastIndexOf("/"), f.path.lastIndexOf("\\"))));
  }
  for (const folder of folders) {
    try {
      rmdirSync(folder); // only when empty: a folder holding anything else stays
    } catch { /* not empty, or gone */ }
  }
  return removed;
}

/** The text `cache info` prints. */
export function cacheInfoText(info: CacheInfo): string {
  const part = (p: { count: number; bytes: number }, one: string, many: string) =>
    `${p.count.toLocaleString("en")} ${p.count === 1 ? one : many}, ${formatBytes(p.bytes)}`;
  const entries = info.files.bytes + info.sets.bytes;
  return [
    `Cache folder: ${escapeControl(info.dir)}`,
    `Entries: ${part(info.files, "file entry", "file entries")}; ${
      part(info.sets, "set entry", "set entries")
    } (${formatBytes(entries)} of ${formatBytes(info.maxBytes)} kept: TRACEBOOK_CACHE_MAX_BYTES)`,
    `Results of analyze and report: ${part(info.results, "file", "files")}`,
    `Temporary files: ${part(info.temporary, "file", "files")}`,
  ].join("\n");
}

/** Options of the `cache` command. */
export interface CacheOptions {
  /** `--cache-dir DIR` (commander gives `false` for `--no-cache`, which this command has not). */
  cacheDir?: string;
  json?: boolean;
}

const ACTIONS = ["info", "dir", "clear"] as const;

/** Run `cache ACTION`; returns the exit code. */
export function runCache(action: string, options: CacheOptions): number {
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new UserError(`Unknown cache action '${action}': use info, dir or clear.`, {
      exitCode: 2,
    });
  }
  const dir = options.cacheDir ?? defaultCacheDir();
  if (action === "dir") {
    console.log(options.json ? JSON.stringify({ dir }) : escapeControl(dir));
  } else if (action === "clear") {
    const removed = clearCache(dir);
    if (options.json) console.log(JSON.stringify({ dir, removed }));
    else {
      console.log(
        `Removed ${removed.count.toLocaleString("en")} ${removed.count === 1 ? "file" : "files"} (${
          formatBytes(removed.bytes)
        }) from ${escapeControl(dir)}.`,
      );
    }
  } else {
    const info = cacheInfo(dir);
    console.log(options.json ? JSON.stringify(info, null, 2) : cacheInfoText(info));
  }
  return 0;
}

/** Define the `cache` command. */
export function define(cmd: Command): void {
  cmd
    .argument(
      "[action]",
      "info (what the cache holds), dir (its folder) or clear (empty it)",
      "info",
    )
    .option(
      "--cache-dir <dir>",
      "the cache folder (default: $TRACEBOOK_CACHE_DIR, else $XDG_CACHE_HOME/tracebook, else ~/.cache/tracebook)",
    )
    .option("--json", "print JSON")
    .action((action: string, opts: CacheOptions) => {
      Deno.exitCode = runCache(action, opts);
    });
}
