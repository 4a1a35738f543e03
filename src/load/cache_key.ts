/**
 * The keys of the per-file cache (DESIGN.md, "The cache"): the loader's
 * version, the options that change what a file loads into, and a file's
 * identity; and the name of a set entry (the small files of one load). Apart
 * from `cache.ts` (which reads and writes the entries, with Polars) so that a
 * key is made without loading the loader: the results cache of `analyze` and
 * `report` keys its replays by these.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MAX_LINE_BYTES } from "./_limits.ts";

/** Bumped by hand for a change the source hash below cannot see (e.g. a dependency's). */
const CACHE_FORMAT = "tbc3";

let version: string | null = null;

/**
 * The loader's version, part of every key, so that a tracebook whose loader
 * reads files differently never reads an older entry: a hash of the source of
 * everything that decides what a file loads into (`src/load`, `src/schema`,
 * `src/frames`, `src/prices`), or of the bundle this module was built into.
 *
 * @example
 * ```ts
 * import { loaderVersion } from "./cache_key.ts";
 * if (!/^tbc3-[0-9a-f]{16}$/.test(loaderVersion())) throw new Error(loaderVersion());
 * ```
 */
export function loaderVersion(): string {
  if (version !== null) return version;
  const hash = createHash("sha256");
  const here = fileURLToPath(new URL(".", import.meta.url));
  const roots = ["../load", "../schema", "../frames", "../prices"].map((r) => join(here, r));
  let found = 0;
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (name.endsWith(".ts")) {
        hash.update(name).update(readFileSync(path));
        found++;
      } else if (!name.includes(".")) walk(path);
    }
  };
  for (const root of roots) walk(root);
  if (found === 0) {
    // bundled: the bundle itself
    try {
      hash.update(readFileSync(fileURLToPath(import.meta.url)));
    } catch { /* no file to read: the format alone */ }
  }
  version = `${CACHE_FORMAT}-${hash.digest("hex").slice(0, 16)}`;
  return version;
}

/** Where entries live (see `cache_dir.ts`, which has no `node:` import). */
export { defaultCacheDir } from "./cache_dir.ts";

/** The options of a file's load that are part of its key, in one order. */
export interface KeyOptions {
  timezone: string | null;
  keepText: boolean;
  maxLineBytes: number;
  map: Record<string, string> | null;
  format: string;
  /** The file's name as reported in the frames. */
  name: string;
}

/**
 * The options of a load that are part of a file's key, in one order (the
 * loader and `watch` key files by it).
 */
export function cacheKeyOptions(
  options: {
    timezone?: string;
    keepText?: boolean;
    maxLineBytes?: number;
    map?: Record<string, string>;
  },
  format: string,
  name: string,
): KeyOptions {
  return {
    timezone: options.timezone ?? null,
    keepText: options.keepText ?? false,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    map: options.map ?? null,
    format,
    name,
  };
}

/** The identity of a file's entry: its key, and its lineage (the key less size and times). */
export interface CacheIdentity {
  /** Changes with any change of the file. */
  key: string;
  /** The same while the file only grows (same path, inode and device, options and version). */
  lineage: string;
  size: number;
}

/**
 * The key and lineage of a file's entry, or null when the file cannot be keyed
 * (gone, not a regular file).
 */
export function cacheIdentity(
  path: string,
  options: KeyOptions | Record<string, unknown>,
  version: string = loaderVersion(),
): CacheIdentity | null {
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    const real = realpathSync(path);
    const sha = (x: unknown) => createHash("sha256").update(JSON.stringify(x)).digest("hex");
    const key = sha({
      v: version,
      path: real,
      size: st.size,
      mtime: st.mtimeMs,
      ctime: st.ctimeMs,
      ino: st.ino,
      dev: st.dev,
      options,
    });
    const lineage = sha({ v: version, path: real, ino: st.ino, dev: st.dev, options });
    return { key, lineage, size: st.size };
  } catch {
    return null;
  }
}

/**
 * The key of a file's entry, or null when the file cannot be keyed (gone, not a
 * regular file): any change of the file (size, modification or change time,
 * inode, device, path), of the loader's version or of the options gives another key.
 *
 * @example
 * ```ts
 * import { cacheKey } from "./cache_key.ts";
 * const file = "traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl";
 * if (cacheKey(file, {}) === cacheKey(file, {}, "another version")) throw new Error();
 * if (cacheKey("no/such/file", {}) !== null) throw new Error();
 * ```
 */
export function cacheKey(
  path: string,
  options: Record<string, unknown>,
  version: string = loaderVersion(),
): string | null {
  return cacheIdentity(path, options, version)?.key ?? null;
}

/**
 * The lineage of a set entry (the small files of one load, kept together): the
 * load's inputs as given, resolved against the working directory by the caller
 * (`"-"` as it is), its options and the loader's version. The entry holds each
 * file's own key ({@link cacheIdentity}), so a load of the same inputs finds it
 * whatever files were added, removed or changed since.
 *
 * @example
 * ```ts
 * import { setLineage } from "./cache_key.ts";
 * if (setLineage(["/work/traces"], {}) === setLineage(["/work/traces"], { timezone: "Europe/Paris" })) throw new Error();
 * if (setLineage(["/work/traces"], {}) === setLineage(["/work/traces", "/work/more"], {})) throw new Error();
 * ```
 */
export function setLineage(
  inputs: string[],
  options: KeyOptions | Record<string, unknown>,
  version: string = loaderVersion(),
): string {
  return createHash("sha256").update(JSON.stringify({ v: version, set: inputs, options }))
    .digest("hex");
}
