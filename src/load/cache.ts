/**
 * The per-file columnar cache (DESIGN.md, "The cache"): the frames one file
 * loads into (calls before prices, sessions, events, diagnostics), written by
 * Polars as Parquet (LZ4; measured on 200k calls: a 10 MB entry read in about
 * 0.2 s, against 135 MB and 0.6 s as Arrow IPC) in one entry file per trace
 * file, keyed by the file's path, size, modification time, inode and device,
 * the loader's version and the options that change what a file loads into. A
 * missing, stale, partial or corrupt entry is rebuilt, never trusted; entries
 * are written to a temporary file and renamed, so two processes writing one
 * entry at once never leave half of one.
 *
 * Growth: the entry of a native file also keeps where its reading stopped (the
 * byte after its last complete line, the lines before it), that part's events
 * as columns (`_event_columns.ts`, zstd) and bad lines, and samples of its
 * bytes. An index per file (path, inode, device, options and version: its
 * lineage) names the file's current entry, so that once the file has grown,
 * {@link findResume} finds the old entry and checks the old bytes are still
 * there; the loader then reads only the new bytes (`_append.ts`). A new entry
 * of a lineage replaces the old one.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { fileURLToPath } from "node:url";
import { homedir } from "node:os";
import zlib from "node:zlib";
import { join } from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";
import pl from "npm:nodejs-polars@0.25.2";
import type { ImportedFrames } from "./formats/_records.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import { decodeEvents, type EncodedEvents, encodeEvents } from "./_event_columns.ts";
import { type PrefixSamples, prefixUnchanged } from "./_append.ts";

/** Bumped by hand for a change the source hash below cannot see (e.g. a dependency's). */
const CACHE_FORMAT = "tbc2";

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
 * if (!/^tbc2-[0-9a-f]{16}$/.test(loaderVersion())) throw new Error(loaderVersion());
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

const MAGIC = "TBC2";
const FRAMES = ["calls", "sessions", "events", "diagnostics"] as const;

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
  return cacheIdentity(path, options, version)?.key ?? null;
}

/** Where a native file's reading stopped, stored in its entry. */
interface ResumeHeader {
  lineage: string;
  /** The byte after the last complete line read. */
  offset: number;
  /** Lines before `offset`. */
  lines: number;
  samples: PrefixSamples;
  /** The bad lines before `offset`, folded as the reader folds them. */
  diagnostics: Diagnostic[];
  keepText: boolean;
  /** Events before `offset`: their count, the byte lengths of the blob's parts, and its compression. */
  events: { n: number; parts: number[]; compression: "zstd" | "none"; bytes: number };
}

interface Header {
  key: string;
  file: string;
  columns: string[][];
  lengths: number[];
  resume?: ResumeHeader;
}

const entryPath = (dir: string, key: string) => join(dir, key.slice(0, 2), `${key}.tbc`);
const indexPath = (dir: string, lineage: string) =>
  join(dir, lineage.slice(0, 2), `${lineage}.tbi`);

/** An entry's header and where its sections start, or null (missing, partial or corrupt: removed). */
function readHeader(dir: string, key: string): { header: Header; at: number; fd: number } | null {
  const path = entryPath(dir, key);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const head = new Uint8Array(8);
    if (readSync(fd, head, 0, 8, 0) !== 8) throw new Error("partial");
    const text = new TextDecoder();
    if (text.decode(head.subarray(0, 4)) !== MAGIC) throw new Error("bad magic");
    const headerLength = new DataView(head.buffer).getUint32(4);
    const bytes = new Uint8Array(headerLength);
    if (readSync(fd, bytes, 0, headerLength, 8) !== headerLength) throw new Error("partial");
    const header = JSON.parse(text.decode(bytes)) as Header;
    if (header.key !== key || header.lengths.length !== FRAMES.length) {
      throw new Error("bad header");
    }
    const at = 8 + headerLength;
    const total = at + header.lengths.reduce((a, b) => a + b, 0) +
      (header.resume?.events.bytes ?? 0);
    if (total !== fstatSync(fd).size) throw new Error("partial");
    return { header, at, fd };
  } catch {
    closeSync(fd);
    rmSync(path, { force: true }); // partial or corrupt: drop it, the caller rebuilds it
    return null;
  }
}

/** `length` bytes of an open file from `at`, or an error. */
function readAt(fd: number, at: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const n = readSync(fd, bytes, done, length - done, at + done);
    if (n === 0) throw new Error("partial");
    done += n;
  }
  return bytes;
}

/**
 * A file's frames from the cache, or null when there is no usable entry. The
 * `file` column, the same on every row of an entry, is stored once and put back.
 */
export function readCached(dir: string, key: string): ImportedFrames | null {
  const found = readHeader(dir, key);
  if (!found) return null;
  const { header, fd } = found;
  try {
    let at = found.at;
    const frames: Record<string, pl.DataFrame> = {};
    for (const [i, name] of FRAMES.entries()) {
      const n = header.lengths[i]!;
      const bytes = readAt(fd, at, n);
      const df = pl.readParquet(Buffer.from(bytes.buffer, bytes.byteOffset, n));
      frames[name] = df.withColumns(pl.lit(header.file).cast(pl.Utf8).alias("file")).select(
        ...header.columns[i]!,
      );
      at += n;
    }
    return frames as unknown as ImportedFrames;
  } catch {
    rmSync(entryPath(dir, key), { force: true });
    return null;
  } finally {
    closeSync(fd);
  }
}

/** What a native file's entry keeps to read on from where it stopped. */
export interface ResumeState {
  /** The byte after the last complete line read. */
  offset: number;
  /** Lines before `offset`. */
  lines: number;
  /** Samples of the bytes before `offset` (`prefixSamples`). */
  samples: PrefixSamples;
  /** The events of the lines before `offset`. */
  events: EventRecord[];
  /** Their bad lines, folded as the reader folds them. */
  diagnostics: Diagnostic[];
  /** Whether the events hold their texts. */
  keepText: boolean;
}

/** The parts of the events blob: typed arrays, then texts (UTF-8), then the metadata (JSON). */
function eventParts(encoded: EncodedEvents): Uint8Array[] | null {
  const texts = [encoded.dictionary.text, encoded.plain.text, encoded.text?.text ?? ""];
  // a lone surrogate would not survive UTF-8: such a file is read whole next time
  if (!texts.every((t) => (t as unknown as { isWellFormed(): boolean }).isWellFormed())) {
    return null;
  }
  const raw = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const utf8 = new TextEncoder();
  return [
    raw(encoded.line),
    raw(encoded.ts),
    raw(encoded.numbers),
    raw(encoded.hasUsage),
    raw(encoded.codes),
    raw(encoded.dictionary.lengths),
    raw(encoded.plain.lengths),
    raw(encoded.text?.lengths ?? new Int32Array(0)),
    ...texts.map((t) => utf8.encode(t)),
    utf8.encode(JSON.stringify(encoded.metadata)),
  ];
}

/** The events of an entry's blob. */
function decodeParts(blob: Uint8Array, resume: ResumeHeader, file: string): EventRecord[] {
  let at = 0;
  let next = 0;
  const part = () => {
    const n = resume.events.parts[next++]!;
    const bytes = Uint8Array.prototype.slice.call(blob, at, at + n); // a copy, aligned (not Buffer's view)
    at += n;
    return bytes.buffer;
  };
  const text = new TextDecoder();
  const line = new Float64Array(part());
  const ts = new Float64Array(part());
  const numbers = new Float64Array(part());
  const hasUsage = new Uint8Array(part());
  const codes = new Uint32Array(part());
  const dictionaryLengths = new Int32Array(part());
  const plainLengths = new Int32Array(part());
  const textLengths = new Int32Array(part());
  const dictionary = text.decode(part());
  const plain = text.decode(part());
  const texts = text.decode(part());
  const metadata = JSON.parse(text.decode(part())) as EncodedEvents["metadata"];
  const encoded: EncodedEvents = {
    n: resume.events.n,
    line,
    ts,
    numbers,
    hasUsage,
    codes,
    dictionary: { text: dictionary, lengths: dictionaryLengths },
    plain: { text: plain, lengths: plainLengths },
    metadata,
    ...(resume.keepText ? { text: { text: texts, lengths: textLengths } } : {}),
  };
  if (line.length !== encoded.n) throw new Error("corrupt");
  return decodeEvents(encoded, file, 0, resume.keepText);
}

type Zstd = {
  zstdCompressSync?: (b: Uint8Array) => Uint8Array;
  zstdDecompressSync?: (b: Uint8Array) => Uint8Array;
};

/**
 * Write a file's frames (atomically: a temporary file, then a rename), with
 * where its reading stopped for a native file. With a lineage, the entry
 * becomes the file's current one and the lineage's previous entry is removed.
 * Failures are ignored.
 */
export function writeCached(
  dir: string,
  key: string,
  frames: ImportedFrames,
  lineage?: string,
  resume?: ResumeState,
): void {
  const folder = join(dir, key.slice(0, 2));
  const path = entryPath(dir, key);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    const files = new Set<string>();
    for (const name of FRAMES) {
      for (const f of frames[name].getColumn("file").unique().toArray()) files.add(String(f));
    }
    if (files.size > 1) return; // not one file's frames: not an entry
    const buffers: Uint8Array[] = FRAMES.map((name) =>
      frames[name].drop("file").writeParquet({ compression: "lz4" })
    );
    let resumeHeader: ResumeHeader | undefined;
    const parts = lineage && resume
      ? eventParts(encodeEvents(resume.events, resume.keepText))
      : null;
    if (lineage && resume && parts) {
      const raw = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
      let at = 0;
      for (const p of parts) {
        raw.set(p, at);
        at += p.length;
      }
      const zstd = (zlib as unknown as Zstd).zstdCompressSync;
      const blob = zstd ? zstd(raw) : raw;
      buffers.push(blob);
      resumeHeader = {
        lineage,
        offset: resume.offset,
        lines: resume.lines,
        samples: resume.samples,
        diagnostics: resume.diagnostics,
        keepText: resume.keepText,
        events: {
          n: resume.events.length,
          parts: parts.map((p) => p.length),
          compression: zstd ? "zstd" : "none",
          bytes: blob.length,
        },
      };
    }
    const header = new TextEncoder().encode(
      JSON.stringify(
        {
          key,
          file: [...files][0] ?? "",
          columns: FRAMES.map((name) => frames[name].columns),
          lengths: buffers.slice(0, FRAMES.length).map((b) => b.length),
          ...(resumeHeader ? { resume: resumeHeader } : {}),
        } satisfies Header,
      ),
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
    if (lineage) setCurrent(dir, lineage, key);
  } catch {
    rmSync(tmp, { force: true }); // a cache that cannot be written is only slower
  }
}

/** Make `key` the lineage's current entry (atomically) and remove the one it replaces. */
function setCurrent(dir: string, lineage: string, key: string): void {
  const path = indexPath(dir, lineage);
  let previous: string | null = null;
  try {
    previous = JSON.parse(readFileSync(path, "utf8")).key;
  } catch { /* none yet */ }
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(join(dir, lineage.slice(0, 2)), { recursive: true });
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, JSON.stringify({ key }));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true });
    return;
  }
  if (previous && previous !== key && /^[0-9a-f]{64}$/.test(previous)) {
    rmSync(entryPath(dir, previous), { force: true });
  }
}

/** A native file's previous entry that its bytes now continue: read on from `offset`. */
export interface Resume {
  /** The byte after the last complete line the entry read. */
  offset: number;
  /** Lines before `offset`. */
  lines: number;
  /** The bad lines before `offset`, folded. */
  diagnostics: Diagnostic[];
  /** The events before `offset` (decoded from the entry when called; null if it is corrupt). */
  events(): EventRecord[] | null;
}

/**
 * The previous entry of a file's lineage (same path, inode, device, options and
 * version) when the file has only grown since: it is at least as long as the
 * entry's offset and the sampled bytes before the offset (`prefixSamples`:
 * the first and last 16 KiB, 16 blocks of 4 KiB between; all of them up to 32
 * KiB) are unchanged. Null otherwise (the file is then read whole).
 */
export function findResume(dir: string, lineage: string, path: string): Resume | null {
  let key: string;
  try {
    key = JSON.parse(readFileSync(indexPath(dir, lineage), "utf8")).key;
    if (!/^[0-9a-f]{64}$/.test(key)) return null;
  } catch {
    return null;
  }
  const found = readHeader(dir, key);
  if (!found) return null;
  closeSync(found.fd);
  const { header } = found;
  const resume = header.resume;
  if (!resume || resume.lineage !== lineage) return null;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    if (fstatSync(fd).size < resume.offset || !prefixUnchanged(fd, resume.samples)) return null;
  } finally {
    closeSync(fd);
  }
  const blobAt = found.at + header.lengths.reduce((a, b) => a + b, 0);
  const entryFile = entryPath(dir, key);
  return {
    offset: resume.offset,
    lines: resume.lines,
    diagnostics: resume.diagnostics,
    events: () => {
      try {
        const fd = openSync(entryFile, "r");
        let blob: Uint8Array;
        try {
          blob = readAt(fd, blobAt, resume.events.bytes);
        } finally {
          closeSync(fd);
        }
        if (resume.events.compression === "zstd") {
          const unzstd = (zlib as unknown as Zstd).zstdDecompressSync;
          if (!unzstd) return null;
          blob = unzstd(blob);
        }
        return decodeParts(blob, resume, header.file);
      } catch {
        rmSync(entryFile, { force: true });
        return null;
      }
    },
  };
}
