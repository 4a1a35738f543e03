/**
 * The per-file columnar cache (DESIGN.md, "The cache"): the frames one file
 * loads into (calls before prices, sessions, events, diagnostics), written by
 * Polars as Parquet (LZ4; measured on 200k calls: a 10 MB entry read in about
 * 0.2 s, against 135 MB and 0.6 s as Arrow IPC) in one entry file per trace file, keyed by the file's path, size,
 * modification time, inode and device, the loader's version and the options
 * that change what a file loads into. A missing, stale, partial or corrupt
 * entry is rebuilt, never trusted; entries are written to a temporary file and
 * renamed, so two processes writing one entry at once never leave half of one.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { fileURLToPath } from "node:url";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";
import pl from "npm:nodejs-polars@0.25.2";
import type { ImportedFrames } from "./formats/_records.ts";

/** Bumped by hand for a change the source hash below cannot see (e.g. a dependency's). */
const CACHE_FORMAT = "tbc1";

let version: string | null = null;

/**
 * The loader's version, part of every key, so that a tracebook whose loader
 * reads files differently never reads an older entry: a hash of the source of
 * everything that decides what a file loads into (`src/load`, `src/schema`,
 * `src/frames`, `src/prices`), or of the bundle this module was built into.
 *
 * @example
 * ```ts
 * import { loaderVersion } from "./cache.ts";
 * if (!/^tbc1-[0-9a-f]{16}$/.test(loaderVersion())) throw new Error(loaderVersion());
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

/** Where entries live: `$XDG_CACHE_HOME/tracebook`, else `~/.cache/tracebook`. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.trim() !== "" ? xdg : join(homedir(), ".cache"), "tracebook");
}

const MAGIC = "TBC1";
const FRAMES = ["calls", "sessions", "events", "diagnostics"] as const;

/**
 * The key of a file's entry, or null when the file cannot be keyed (gone, not a
 * regular file): any change of the file (size, modification or change time,
 * inode, device, path), of the loader's version or of the options gives another key.
 *
 * @example
 * ```ts
 * import { cacheKey } from "./cache.ts";
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
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    const identity = {
      v: version,
      path: realpathSync(path),
      size: st.size,
      mtime: st.mtimeMs,
      ctime: st.ctimeMs,
      ino: st.ino,
      dev: st.dev,
      options,
    };
    return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
  } catch {
    return null;
  }
}

/**
 * A file's frames from the cache, or null when there is no usable entry. The
 * `file` column, the same on every row of an entry, is stored once and put back.
 */
export function readCached(dir: string, key: string): ImportedFrames | null {
  const path = join(dir, key.slice(0, 2), `${key}.tbc`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  try {
    const text = new TextDecoder();
    if (text.decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error("bad magic");
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0);
    const header = JSON.parse(text.decode(bytes.subarray(8, 8 + headerLength))) as {
      key: string;
      file: string;
      columns: string[][];
      lengths: number[];
    };
    if (header.key !== key || header.lengths.length !== FRAMES.length) {
      throw new Error("bad header");
    }
    let at = 8 + headerLength;
    if (at + header.lengths.reduce((a, b) => a + b, 0) !== bytes.length) throw new Error("partial");
    const frames: Record<string, pl.DataFrame> = {};
    for (const [i, name] of FRAMES.entries()) {
      const n = header.lengths[i]!;
      const df = pl.readParquet(Buffer.from(bytes.buffer, bytes.byteOffset + at, n));
      frames[name] = df.withColumns(pl.lit(header.file).cast(pl.Utf8).alias("file")).select(
        ...header.columns[i]!,
      );
      at += n;
    }
    return frames as unknown as ImportedFrames;
  } catch {
    // partial or corrupt: drop it, the caller rebuilds it
    rmSync(path, { force: true });
    return null;
  }
}

/** Write a file's frames (atomically: a temporary file, then a rename). Failures are ignored. */
export function writeCached(dir: string, key: string, frames: ImportedFrames): void {
  const folder = join(dir, key.slice(0, 2));
  const path = join(folder, `${key}.tbc`);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    const files = new Set<string>();
    for (const name of FRAMES) {
      for (const f of frames[name].getColumn("file").unique().toArray()) files.add(String(f));
    }
    if (files.size > 1) return; // not one file's frames: not an entry
    const buffers = FRAMES.map((name) =>
      frames[name].drop("file").writeParquet({ compression: "lz4" })
    );
    const header = new TextEncoder().encode(
      JSON.stringify({
        key,
        file: [...files][0] ?? "",
        columns: FRAMES.map((name) => frames[name].columns),
        lengths: buffers.map((b) => b.length),
      }),
    );
    const head = new Uint8Array(8);
    head.set(new TextEncoder().encode(MAGIC));
    new DataView(head.buffer).setUint32(4, header.length);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, head);
      writeSync(fd, header);
      for (const b of buffers) writeSync(fd, b);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true }); // a cache that cannot be written is only slower
  }
}
