/**
 * The per-file columnar cache (DESIGN.md, "The cache"): the frames one file
 * loads into (calls before prices, sessions, events, diagnostics), written by
 * Polars (Parquet with LZ4 for a large frame: on 200k calls a 10 MB entry read
 * in about 0.2 s, against 135 MB and 0.6 s as Arrow IPC; Arrow IPC with LZ4
 * for a small one, see {@link writeFrame}), one entry file per trace file,
 * named by its lineage (the file's real path, inode and device, the loader's
 * version and the options that change what a file loads into) and holding the
 * key of the bytes it was written from (the lineage plus the file's size,
 * modification and change time). A missing, stale, partial or corrupt entry is
 * rebuilt, never trusted; entries are written to a temporary file and renamed,
 * so two processes writing one entry at once never leave half of one, and a
 * new entry of a file replaces its old one.
 *
 * A frame is stored in one section, or in several ({@link MAX_SECTIONS}: a
 * grown file's events, the old sections carried as they were); each section's
 * bytes carry their CRC-32, checked when the entry is read: the
 * `events` frame of a per-file entry is decoded only when first used
 * (`frames/lazy.ts`: most analyses never read it), from bytes read and checked
 * with the others, so that it is what decoding them at once would give.
 *
 * Prices: the calls of an entry are stored before prices, and with the
 * prices of its calls too ({@link KEPT_PRICES}, from `priceCalls`) with the
 * identity of what priced them (`priceIdentity`: genai-prices' version, the
 * overrides, list prices), so that a load priced the same way takes them
 * instead of pricing the calls again ({@link readCached}); any other load
 * prices the calls as stored.
 *
 * Growth: the entry of a native file also keeps where its reading stopped (the
 * byte after its last complete line, the lines before it), that part's events
 * as columns (`_event_columns.ts`, zstd) and bad lines, and samples of its
 * bytes, so that once the file has grown, {@link findResume} checks the old
 * bytes are still there; the loader then reads only the new bytes (`_append.ts`).
 *
 * Sets: the small files of one load share a set entry ({@link readSet},
 * {@link writeSet}), named by the load's inputs and options (`setLineage`),
 * holding their frames (`file` column kept) and each file's key, format and
 * group (files sharing sessions), so that a later load takes the unchanged
 * files from one read.
 *
 * @module
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from "node:fs";
import zlib from "node:zlib";
import { dirname, join } from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";
import pl from "../frames/polars.ts";
import type { ImportedFrames } from "./formats/_records.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import {
  decodeEvents,
  type EncodedEvents,
  encodeEvents,
  eventsOfSessions,
} from "./_event_columns.ts";
import { type PrefixSamples, prefixUnchanged } from "./_append.ts";
import type { CacheIdentity } from "./cache_key.ts";
import { unzstdSync } from "./_zstd.ts";
import { type LineStarts, lineStartsOf, rememberLineStarts } from "./_line_starts.ts";
import { lazyFrame, lazyProperty, withFrames } from "../frames/lazy.ts";

/** The CRC-32 of bytes (zlib's). */
const crc32 = (bytes: Uint8Array): number =>
  (zlib as unknown as { crc32(b: Uint8Array): number }).crc32(bytes);
export {
  type CacheIdentity,
  cacheIdentity,
  cacheKey,
  cacheKeyOptions,
  defaultCacheDir,
  type KeyOptions,
  loaderVersion,
  setLineage,
} from "./cache_key.ts";

const MAGIC = "TBC3";
const FRAMES = ["calls", "sessions", "events", "diagnostics"] as const;

/** The name of one of an entry's frames. */
type FrameName = (typeof FRAMES)[number];

/** Where a native file's reading stopped, stored in its entry. */
interface ResumeHeader {
  lineage: string;
  /** The file's size when the entry was written (its frames are of these bytes). */
  size: number;
  /** The byte after the last complete line read. */
  offset: number;
  /** Lines before `offset`. */
  lines: number;
  samples: PrefixSamples;
  /** The bad lines before `offset`, folded as the reader folds them. */
  diagnostics: Diagnostic[];
  keepText: boolean;
  /** The events before `offset`, in chunks (one per read: an append adds one). */
  chunks: ChunkHeader[];
}

/** One chunk of stored events: their count, the byte lengths of its parts (as stored: `sizes`), its compression. */
export interface ChunkHeader {
  n: number;
  parts: number[];
  sizes: number[];
  compression: "zstd" | "none";
  bytes: number;
}

/** Stored events as they are in an entry (compressed), to carry into the next entry unread. */
export interface StoredEvents {
  headers: ChunkHeader[];
  bytes: Uint8Array[];
}

interface Header {
  key: string;
  file: string;
  /** The identity (`priceIdentity`) of the prices kept in the calls' {@link KEPT_PRICES} columns. */
  prices?: string;
  columns: string[][];
  /** The CRC-32 of each section's bytes. */
  crc: number[];
  /** How each section is stored (absent: all Parquet). */
  formats?: FrameFormat[];
  /** The byte length of each section: the frames' sections one frame after the other. */
  lengths: number[];
  /** How many sections each frame is stored in ({@link FrameLayout}; absent: one each). */
  sections?: number[];
  resume?: ResumeHeader;
  /** Where the file's lines start (`_line_starts.ts`), for the file as its frames were read. */
  lines?: LineStarts;
}

/**
 * The header of a set entry: the frames of several small files read together,
 * `file` column kept, and each file's key.
 */
interface SetHeader {
  lineage: string;
  files: SetFile[];
  /** As {@link Header.prices}. */
  prices?: string;
  columns: string[][];
  /** The CRC-32 of each frame's bytes. */
  crc: number[];
  formats: FrameFormat[];
  lengths: number[];
  /** As {@link Header.sections} (a set's frames are always one section each). */
  sections?: number[];
}

/** How a frame is stored in an entry. */
type FrameFormat = "parquet" | "ipc";

/**
 * Parquet for a large frame (200,000 calls: read in 20 ms, against 90 ms as
 * Arrow IPC with LZ4), Arrow IPC with LZ4 for a small one (writing Parquet
 * costs about 6 ms a frame whatever its size: 1,000 files of 50 calls took 6.6
 * s, as IPC 0.13 s, for the same bytes).
 */
const frameFormat = (df: pl.DataFrame): FrameFormat => (df.height >= 10_000 ? "parquet" : "ipc");

/**
 * A frame's bytes in its {@link frameFormat}, encoded on the calling thread
 * (`writeParquet` keeps a frame in one row group, read back in one chunk).
 * Encoded by a lazy sink on Polars' threads instead (as before 2026-12-01),
 * the 432,000 events of 200,000 calls took 741 ms of CPU and 31,000 page
 * faults against 196–220 ms and 5,000–7,000 here, the calls 276–342 ms against
 * 184–252; a cold `analyze` of the 784 MB file, 4 rounds alternated: 6.04–7.84
 * s against 5.95–7.57 s (0.09–0.42 s less in each round), 253,000–267,000 page
 * faults against 231,000–240,000, its peak 3–15 MiB higher (379–393 MiB
 * against 376–379). On 2 cores the sink's work on other threads took the calling
 * thread's place in any case.
 */
function writeFrame(df: pl.DataFrame): Uint8Array {
  if (frameFormat(df) === "ipc") {
    return df.writeIPC({ compression: "lz4" } as Parameters<pl.DataFrame["writeIPC"]>[0]);
  }
  return df.writeParquet({ compression: "lz4" }) as unknown as Uint8Array;
}

/** The lists of {@link watchEntries} being kept (one per load under way). */
const watching = new Set<Set<string>>();

/** Note that the entry file at `path` was read or written, for each load watching. */
function touched(path: string): void {
  for (const list of watching) list.add(path);
}

/**
 * Start listing the entry files read or written (per-file and set entries),
 * until the returned function is called; it returns them. Loads that run at
 * the same time each get every entry touched meanwhile (more than their own:
 * a list is only ever checked, never trusted to be complete of others').
 *
 * @example
 * ```ts
 * import { watchEntries } from "./cache.ts";
 * const stop = watchEntries();
 * if (stop().length !== 0) throw new Error("nothing was read");
 * ```
 */
export function watchEntries(): () => string[] {
  const list = new Set<string>();
  watching.add(list);
  return () => {
    watching.delete(list);
    return [...list];
  };
}

/** Which entry: one file per lineage, holding the key of the file's bytes it was written from. */
export type EntryId = Pick<CacheIdentity, "key" | "lineage">;

/** A file's entry: named by its lineage, so that a new entry of the file replaces the old one. */
const entryPath = (dir: string, lineage: string) =>
  join(dir, lineage.slice(0, 2), `${lineage}.tbc`);

/** The bytes of an entry's sections: its frames, then a per-file entry's stored events. */
const entryBytes = (header: Header | SetHeader) =>
  header.lengths.reduce((a, b) => a + b, 0) +
  (("resume" in header ? header.resume?.chunks.reduce((a, c) => a + c.bytes, 0) : 0) ?? 0);

/**
 * An entry file's header and where its sections start, or null: missing, or
 * (with `accept` false) another key; partial or corrupt: removed. `accept`
 * throws on a header it cannot use.
 */
function openEntry<H extends Header | SetHeader>(
  path: string,
  magic: string,
  accept: (header: H) => boolean,
): { header: H; at: number; fd: number } | null {
  touched(path);
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
    if (text.decode(head.subarray(0, 4)) !== magic) throw new Error("bad magic");
    const headerLength = new DataView(head.buffer).getUint32(4);
    const bytes = new Uint8Array(headerLength);
    if (readSync(fd, bytes, 0, headerLength, 8) !== headerLength) throw new Error("partial");
    const header = JSON.parse(text.decode(bytes)) as H;
    sectionsOf(header); // throws on a header whose sections do not add up
    if (!accept(header)) {
      closeSync(fd);
      return null; // the entry of the file as it was: not these bytes
    }
    const at = 8 + headerLength;
    const stat = fstatSync(fd);
    if (at + entryBytes(header) !== stat.size) throw new Error("partial");
    used(path, stat.mtimeMs);
    return { header, at, fd };
  } catch {
    closeSync(fd);
    rmSync(path, { force: true }); // partial or corrupt: drop it, the caller rebuilds it
    return null;
  }
}

/**
 * A per-file entry's header and where its sections start (with `key`, only the
 * entry of those bytes), or null (missing, another key; partial or corrupt: removed).
 */
function readHeader(
  dir: string,
  lineage: string,
  key?: string,
): { header: Header; at: number; fd: number } | null {
  return openEntry<Header>(entryPath(dir, lineage), MAGIC, (header) => {
    if (typeof header.key !== "string") throw new Error("bad header");
    return key === undefined || header.key === key;
  });
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
 * A frame's bytes as stored in an entry: a section, carried into the next
 * entry of a grown file as it is (its rows are the first of the new frame's).
 */
export interface StoredSection {
  bytes: Uint8Array;
  format: FrameFormat;
  crc: number;
}

/**
 * An entry's frames beyond their first section: a grown file whose new rows
 * all come after the old ones (new sessions, the common growth) keeps the old
 * frame's sections unread and adds its new rows as one more, rather than
 * encoding every row again; past {@link MAX_SECTIONS} the frame is encoded
 * whole again. Only the per-file entry of a native file grows so.
 */
export const MAX_SECTIONS = 8;

/** The sections of each frame of an entry (one each unless {@link Header.sections} says), checked to add up. */
function sectionsOf(header: Header | SetHeader): number[] {
  const counts = header.sections ?? FRAMES.map(() => 1);
  const n = Array.isArray(header.lengths) ? header.lengths.length : -1;
  if (
    !Array.isArray(counts) || counts.length !== FRAMES.length ||
    !counts.every((c) => Number.isInteger(c) && c >= 1) ||
    counts.reduce((a, b) => a + b, 0) !== n
  ) {
    throw new Error("bad header");
  }
  return counts;
}

/** A frame stored in sections, as {@link readCached} can give them (`keep`) for the file's next entry. */
export interface StoredFrame {
  sections: StoredSection[];
  /** The frame's columns as stored (`file` included: it is put back on reading). */
  columns: string[];
}

/**
 * The four frames stored in an open entry from `at`, in their columns' order
 * (`file` put back if given), each from its sections (one after the other);
 * with `keep`, each frame's sections too, as stored.
 */
function readFrames(
  fd: number,
  at: number,
  header: Header | SetHeader,
  file?: string,
  lazyEvents = false,
  keep?: Partial<Record<FrameName, StoredFrame>>,
): ImportedFrames {
  const frames: Record<string, pl.DataFrame> = {};
  if (!Array.isArray(header.crc) || header.crc.length !== header.lengths.length) {
    throw new Error("bad header");
  }
  const counts = sectionsOf(header);
  let k = 0;
  for (const [i, name] of FRAMES.entries()) {
    const sections: StoredSection[] = [];
    for (let j = 0; j < counts[i]!; j++, k++) {
      const bytes = readAt(fd, at, header.lengths[k]!);
      // every section checked now: one decoded later (`lazyFrame`) is then as it was written
      if (crc32(bytes) !== header.crc[k]) throw new Error("corrupt");
      sections.push({ bytes, format: header.formats?.[k] ?? "parquet", crc: header.crc[k]! });
      at += bytes.length;
    }
    if (keep) keep[name] = { sections, columns: header.columns[i]! };
    let held: StoredSection[] | null = sections;
    const decode = () => {
      const parts = held!.map(({ bytes, format }) => {
        const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
        return format === "ipc" ? pl.readIPC(buffer) : pl.readParquet(buffer);
      });
      held = null;
      let df = parts.length === 1
        ? parts[0]!
        : pl.concat(parts, { how: "vertical", rechunk: false });
      if (file !== undefined) df = df.withColumns(pl.lit(file).cast(pl.Utf8).alias("file"));
      return df.select(...header.columns[i]!);
    };
    if (name === "events" && lazyEvents) lazyFrame(frames, name, decode);
    else frames[name] = decode();
  }
  return frames as unknown as ImportedFrames;
}

/**
 * The columns of a calls frame that keep its calls' `cost_usd` and `provider`
 * as priced (`priceCalls`), beside the columns before prices: in an entry, and
 * in the frames of a load until they replace those (named with a control
 * character, so that no metadata field clashes).
 */
export const KEPT_PRICES = { cost: "\u0001cost_usd", provider: "\u0001provider" } as const;

/** Whether a calls frame holds the {@link KEPT_PRICES} columns. */
export const hasKeptPrices = (calls: pl.DataFrame): boolean =>
  calls.columns.includes(KEPT_PRICES.cost);

/** Frames without the {@link KEPT_PRICES} columns (as they are when they hold none). */
export function dropKeptPrices(frames: ImportedFrames): ImportedFrames {
  if (!hasKeptPrices(frames.calls)) return frames;
  return withFrames(frames, { calls: frames.calls.drop(KEPT_PRICES.cost, KEPT_PRICES.provider) });
}

/**
 * A file's frames from the cache, or null when there is no usable entry. The
 * `file` column, the same on every row of an entry, is stored once and put back.
 * With `prices` (a `priceIdentity`), the calls also hold the {@link KEPT_PRICES}
 * columns when the entry kept its prices under that identity. With `keep`,
 * each frame's sections as stored are put in it (for {@link writeCached}'s
 * `carried`).
 */
export function readCached(
  dir: string,
  id: EntryId,
  prices?: string,
  keep?: Partial<Record<FrameName, StoredFrame>>,
): ImportedFrames | null {
  const found = readHeader(dir, id.lineage, id.key);
  if (!found) return null;
  const { header, fd } = found;
  try {
    const frames = readFrames(fd, found.at, header, header.file, true, keep);
    if (validLineStarts(header.lines)) {
      rememberLineStarts(header.file, header.lines, header.lines.starts);
    }
    return prices !== undefined && header.prices === prices ? frames : dropKeptPrices(frames);
  } catch {
    rmSync(entryPath(dir, id.lineage), { force: true });
    return null;
  } finally {
    closeSync(fd);
  }
}

/** What a native file's entry keeps to read on from where it stopped. */
export interface ResumeState {
  /** The file's size the entry's frames are of. */
  size: number;
  /** The byte after the last complete line read. */
  offset: number;
  /** Lines before `offset`. */
  lines: number;
  /** Samples of the bytes before `offset` (`prefixSamples`). */
  samples: PrefixSamples;
  /**
   * The events of the lines before `offset` (after those of `before`), as
   * stored chunks ({@link encodeChunks}; null when they cannot be stored: the
   * entry then keeps no place to read on from).
   */
  events: EventChunk[] | null;
  /** The previous entry's events, kept as they are stored (the lines before theirs). */
  before?: StoredEvents;
  /** The bad lines before `offset`, folded as the reader folds them. */
  diagnostics: Diagnostic[];
  /** Whether the events hold their texts. */
  keepText: boolean;
}

/**
 * Chunks past this many are merged when an entry is written: those from the
 * first that is not full (the appends' chunks, after the full ones of the
 * file's first read) are encoded again as full chunks.
 */
const MAX_CHUNKS = 32;

/**
 * The events one stored chunk holds at most: a growth that touches a few old
 * sessions decompresses only the chunks that hold their events (those of a
 * live trace's open sessions are its last), where one chunk of a whole file's
 * events had every part decompressed (200,000 calls, 432,000 events, an old
 * session touched: 0.71 s and 41,000 page faults to find and assemble the
 * touched sessions' events, against 0.25 s from 14 chunks).
 */
export const CHUNK_EVENTS = 32_768;

/** `node:zlib`'s Zstandard compressor (where the runtime has it; reading is `_zstd.ts`'). */
type Zstd = { zstdCompressSync?: (b: Uint8Array, options?: unknown) => Uint8Array };

/** Events encoded as one stored chunk. */
export interface EventChunk {
  header: ChunkHeader;
  bytes: Uint8Array;
}

/**
 * Events as one stored chunk: the typed arrays of `encodeEvents`, then its
 * texts (UTF-8) and metadata (JSON), compressed with zstd. Null when a text
 * holds a lone surrogate (UTF-8 cannot keep it: such a file is read whole).
 */
export function encodeChunk(
  events: EventRecord[] | EncodedEvents,
  keepText: boolean,
): EventChunk | null {
  const encoded = Array.isArray(events) ? encodeEvents(events, keepText) : events;
  const texts = [encoded.dictionary.text, encoded.plain.text, encoded.text?.text ?? ""];
  if (!texts.every((t) => (t as unknown as { isWellFormed(): boolean }).isWellFormed())) {
    return null;
  }
  const raw = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const utf8 = new TextEncoder();
  const parts = [
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
  // each part compressed apart (no copy of them all in one buffer)
  const zstd = (zlib as unknown as Zstd).zstdCompressSync;
  // level 1: on 200,000 calls 2.8 MB in 50 ms, against 1.8 MB in 95 ms at the default level
  const param = (zlib.constants as Record<string, number | undefined>).ZSTD_c_compressionLevel;
  const level = param === undefined ? undefined : { params: { [param]: 1 } };
  const stored = parts.map((p) => (zstd ? zstd(p, level) : p));
  const bytes = new Uint8Array(stored.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of stored) {
    bytes.set(p, at);
    at += p.length;
  }
  return {
    header: {
      n: encoded.n,
      parts: parts.map((p) => p.length),
      sizes: stored.map((p) => p.length),
      compression: zstd ? "zstd" : "none",
      bytes: bytes.length,
    },
    bytes,
  };
}

/**
 * Events as stored chunks of at most {@link CHUNK_EVENTS} each (one chunk
 * when there are none), or null when one cannot be stored ({@link encodeChunk}).
 * `block(from, to)` gives the events from `from` to `to` (excluded) of `n`.
 *
 * @example
 * ```ts
 * import { CHUNK_EVENTS, encodeChunks } from "./cache.ts";
 * import { parseTraceText } from "./parse_trace_text.ts";
 * const events = parseTraceText('{"type":"session_start","timestamp":"2025-04-08T09:00:00Z","session_id":"s"}\n', "f.jsonl").events;
 * const chunks = encodeChunks(events.length, (from, to) => events.slice(from, to), false)!;
 * if (chunks.length !== 1 || chunks[0]!.header.n !== 1 || CHUNK_EVENTS < 1) throw new Error();
 * ```
 */
export function encodeChunks(
  n: number,
  block: (from: number, to: number) => EventRecord[] | EncodedEvents,
  keepText: boolean,
): EventChunk[] | null {
  const chunks: EventChunk[] = [];
  for (let from = 0; from < n || from === 0; from += CHUNK_EVENTS) {
    const chunk = encodeChunk(block(from, Math.min(n, from + CHUNK_EVENTS)), keepText);
    if (!chunk) return null;
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * The encoded events of one stored chunk, each part decompressed when it is
 * first read: a grown file whose new lines touch no stored session reads only
 * the codes and the dictionary of its stored events (432,000 events: 515 ms
 * and 29,000 page faults for opening every part, most of it for nothing).
 * The parts' sizes are checked at once; a part that does not decompress to
 * its size throws when it is read ({@link openWholeChunk} reads them all).
 */
function openChunk(header: ChunkHeader, stored: Uint8Array, keepText: boolean): EncodedEvents {
  const starts: number[] = [];
  let at = 0;
  for (const size of header.sizes) {
    starts.push(at);
    at += size;
  }
  // the 12 parts encodeChunk writes, one after the other to the chunk's end
  if (at !== stored.length || header.sizes.length !== 12 || header.parts.length !== 12) {
    throw new Error("corrupt");
  }
  /** Part `k`, decompressed, in a buffer of its own (aligned for a typed array). */
  const part = (k: number): Uint8Array => {
    const raw = stored.subarray(starts[k]!, starts[k]! + header.sizes[k]!);
    let bytes = header.compression === "zstd" ? unzstdSync(raw) : raw;
    if (bytes.length !== header.parts[k]) throw new Error("corrupt");
    if (bytes.byteOffset % 8 !== 0 || header.compression !== "zstd") {
      bytes = Uint8Array.prototype.slice.call(bytes); // a copy (a Buffer's slice is a view)
    }
    return bytes;
  };
  const view = <T>(
    k: number,
    make: new (b: ArrayBufferLike, at: number, n: number) => T,
    size: number,
  ) =>
  () => {
    const bytes = part(k);
    return new make(bytes.buffer, bytes.byteOffset, bytes.length / size);
  };
  const text = new TextDecoder();
  /** A packed string column: its text (part `t`) and its lengths (part `lengths`). */
  const packed = (t: number, lengths: number) =>
    lazy({}, { text: () => text.decode(part(t)), lengths: view(lengths, Int32Array, 4) });
  // every part holds n values: the lines' size tells n without decompressing them
  if (header.parts[0] !== header.n * 8) throw new Error("corrupt");
  // the parts in the order encodeChunk writes them, each made on first read (`lazyProperty`)
  const encoded = lazy({
    n: header.n,
    dictionary: packed(8, 5),
    plain: packed(9, 6),
    ...(keepText ? { text: packed(10, 7) } : {}),
  }, {
    line: view(0, Float64Array, 8),
    ts: view(1, Float64Array, 8),
    numbers: view(2, Float64Array, 8),
    hasUsage: view(3, Uint8Array, 1),
    codes: view(4, Uint32Array, 4),
    metadata: () => JSON.parse(text.decode(part(11))),
  });
  return encoded as unknown as EncodedEvents;
}

/** `target` with a {@link lazyProperty} for each of `makers`. */
function lazy<T extends object>(target: T, makers: Record<string, () => unknown>): T {
  for (const [key, make] of Object.entries(makers)) lazyProperty(target, key, make);
  return target;
}

/**
 * {@link openChunk} with every part read now: a chunk that cannot be read
 * throws here, not when one of its parts is first used.
 */
function openWholeChunk(header: ChunkHeader, stored: Uint8Array, keepText: boolean): EncodedEvents {
  const encoded = openChunk(header, stored, keepText);
  // each getter read once: every part decompressed and checked
  const { dictionary, plain, text } = encoded;
  void [encoded.line, encoded.ts, encoded.numbers, encoded.hasUsage, encoded.codes];
  void encoded.metadata;
  for (const packed of [dictionary, plain, ...(text ? [text] : [])]) {
    void [packed.text, packed.lengths];
  }
  return encoded;
}

/**
 * Stored events of a file, decoded in line order (all of them, or those of
 * some sessions), and the metadata of every stored `session_metadata` event.
 */
export function storedEvents(
  stored: StoredEvents,
  file: string,
  keepText: boolean,
  sessions?: Set<string>,
): { events: EventRecord[]; metadata: Record<string, unknown>[] } {
  const events: EventRecord[] = [];
  const metadata: Record<string, unknown>[] = [];
  stored.headers.forEach((header, i) => {
    const encoded = openChunk(header, stored.bytes[i]!, keepText);
    for (const [, m] of encoded.metadata) metadata.push(m);
    const only = sessions ? eventsOfSessions(encoded, sessions) : undefined;
    if (only && only.length === 0) return;
    for (const e of decodeEvents(encoded, file, 0, keepText, only)) events.push(e);
  });
  return { events, metadata };
}

/**
 * {@link storedEvents} of a whole file in line order, `size` events at a time
 * (every chunk opened first: one that cannot be read throws here, before any
 * batch): the records of one batch are made only when it is taken (a file's stored
 * events are one record each: 432,000 of them, ~300 MB of JavaScript objects,
 * where a batch of 50,000 is a ninth of it).
 *
 * @example
 * ```ts
 * import { encodeChunk, storedEventBatches } from "./cache.ts";
 * import { parseTraceText } from "./parse_trace_text.ts";
 * const lines = ["a", "b", "c"].map((id) => JSON.stringify({ type: "llm_request", timestamp: "2025-04-08T09:00:00Z", session_id: "s", data: { request_id: id, model: "m" } }));
 * const chunk = encodeChunk(parseTraceText(lines.join("\n"), "f.jsonl").events, false)!;
 * const batches = [...storedEventBatches({ headers: [chunk.header], bytes: [chunk.bytes] }, "f.jsonl", false, 2)];
 * if (batches.map((b) => b.map((e) => e.request_id).join("")).join(",") !== "ab,c") throw new Error();
 * ```
 */
export function storedEventBatches(
  stored: StoredEvents,
  file: string,
  keepText: boolean,
  size: number,
): Generator<EventRecord[]> {
  // every chunk opened (decompressed, checked) first: one that cannot be fails here, before any
  // batch is taken, so that a caller never has part of the events
  const opened = stored.headers.map((header, i) =>
    openWholeChunk(header, stored.bytes[i]!, keepText)
  );
  return (function* () {
    for (const encoded of opened) {
      for (let from = 0; from < encoded.n; from += size) {
        const only = new Int32Array(Math.min(size, encoded.n - from)).map((_, j) => from + j);
        yield decodeEvents(encoded, file, 0, keepText, only);
      }
    }
  })();
}

/** Folders of entries made by this process (each is made once). */
const made = new Set<string>();

/**
 * Write a file's frames (atomically: a temporary file, then a rename, which
 * replaces the file's previous entry), with where its reading stopped for a
 * native file, and the calls' {@link KEPT_PRICES} columns when they hold them,
 * under the identity `prices` (without it, they are not written). The entry is
 * in place when this returns. Failures are ignored.
 *
 * `carried` names frames whose first rows are the sections of the file's
 * previous entry, as read ({@link readCached}'s `keep`), and whose other
 * rows are `rest`: those sections are written as they are, and `rest` as one
 * more ({@link MAX_SECTIONS}), the frame in `frames` not read at all (a
 * lazy `events` stays so). `rest` has the stored columns, in their order.
 */
export function writeCached(
  dir: string,
  id: EntryId,
  frames: ImportedFrames,
  resume?: ResumeState,
  prices?: string | null,
  carried?: Partial<Record<FrameName, StoredFrame & { rest: pl.DataFrame }>>,
): void {
  const { key, lineage } = id;
  if (!prices) frames = dropKeptPrices(frames);
  const kept = hasKeptPrices(frames.calls);
  try {
    // the rows of each frame as written: a carried frame's are its sections, then `rest` (with
    // the same columns: else, as past MAX_SECTIONS, the frame is encoded whole)
    const parts = FRAMES.map((name) => {
      const c = carried?.[name];
      const fits = c && c.sections.length < MAX_SECTIONS &&
        c.rest.columns.join("\u0000") === c.columns.join("\u0000");
      return fits ? { sections: c.sections, rest: c.rest, columns: c.columns } : null;
    });
    const files = new Set<string>();
    FRAMES.forEach((name, i) => {
      const df = parts[i]?.rest ?? frames[name];
      for (const f of df.getColumn("file").unique().toArray()) files.add(String(f));
    });
    if (files.size > 1) return; // not one file's frames: not an entry
    const file = [...files][0] ?? "";
    const path = entryPath(dir, lineage);
    const starts = lineStartsOf(file);
    const stored: FramePart[][] = FRAMES.map((name, i) => {
      const p = parts[i];
      if (!p) return [{ rows: frames[name].drop("file") }];
      const carry = p.sections.map((section) => ({ section }));
      return p.rest.height ? [...carry, { rows: p.rest.drop("file") }] : carry;
    });
    const sections: Uint8Array[] = [];
    let resumeHeader: ResumeHeader | undefined;
    if (resume) {
      const before = resume.before ?? { headers: [], bytes: [] };
      let chunks = resume.events && {
        headers: [...before.headers, ...resume.events.map((c) => c.header)],
        bytes: [...before.bytes, ...resume.events.map((c) => c.bytes)],
      };
      // many appends: the chunks from the first that is not full encoded again, as full ones
      const from = chunks?.headers.findIndex((h) => h.n < CHUNK_EVENTS) ?? -1;
      if (chunks && chunks.headers.length > MAX_CHUNKS && from >= 0) {
        const tail = { headers: chunks.headers.slice(from), bytes: chunks.bytes.slice(from) };
        const events = storedEvents(tail, file, resume.keepText).events;
        const merged = encodeChunks(
          events.length,
          (a, b) => events.slice(a, b),
          resume.keepText,
        );
        chunks = merged && {
          headers: [...chunks.headers.slice(0, from), ...merged.map((c) => c.header)],
          bytes: [...chunks.bytes.slice(0, from), ...merged.map((c) => c.bytes)],
        };
      }
      if (chunks) {
        for (const b of chunks.bytes) sections.push(b);
        resumeHeader = {
          lineage,
          size: resume.size,
          offset: resume.offset,
          lines: resume.lines,
          samples: resume.samples,
          diagnostics: resume.diagnostics,
          keepText: resume.keepText,
          chunks: chunks.headers,
        };
      }
    }
    writeEntry(path, MAGIC, stored, sections, (layout) => ({
      key,
      file,
      ...(kept ? { prices: prices! } : {}),
      columns: FRAMES.map((name, i) => parts[i]?.columns ?? frames[name].columns),
      ...layout,
      ...(resumeHeader ? { resume: resumeHeader } : {}),
      // the file's line starts, when its read kept them and it is still as it was then
      ...(starts ? { lines: starts } : {}),
    }));
  } catch {
    // stored events or a resume state that cannot be made: no entry, the cache is only slower
  }
}

/** Line starts as an entry's header holds them: pairs of whole numbers, lines increasing. */
function validLineStarts(x: unknown): x is LineStarts {
  if (typeof x !== "object" || x === null) return false;
  const { size, mtimeMs, ino, starts } = x as Record<string, unknown>;
  if (![size, mtimeMs, ino].every((n) => typeof n === "number" && Number.isFinite(n))) return false;
  if (!Array.isArray(starts) || starts.length % 2 !== 0) return false;
  for (let i = 0; i < starts.length; i += 2) {
    const line = starts[i], offset = starts[i + 1];
    if (!Number.isSafeInteger(line) || !Number.isSafeInteger(offset) || line < 1 || offset < 0) {
      return false;
    }
    if (i > 0 && !(line > starts[i - 2] && offset > starts[i - 1])) return false;
  }
  return true;
}

/** A frame's part as it goes into an entry: rows to encode, or a section carried as it is. */
type FramePart = { rows: pl.DataFrame } | { section: StoredSection };

/** Where an entry's frames are: each section's length, CRC-32 and format, and each frame's count of sections. */
interface FrameLayout {
  lengths: number[];
  crc: number[];
  formats: FrameFormat[];
  sections: number[];
}

/**
 * Write the entry file at `path`: its frames' parts encoded ({@link writeFrame};
 * a carried section as it is), then the header `header` makes of their
 * {@link FrameLayout}, then the sections and the `sections` after them
 * ({@link writeEntryFile}), before this returns. Frames that cannot be
 * encoded leave no entry (never an error: the cache is only slower).
 */
function writeEntry(
  path: string,
  magic: string,
  frames: FramePart[][],
  sections: Uint8Array[],
  header: (layout: FrameLayout) => Header | SetHeader,
): void {
  touched(path);
  try {
    makeFolder(path);
    const encoded = frames.flat().map((part): StoredSection => {
      if ("section" in part) return part.section;
      const bytes = writeFrame(part.rows);
      return { bytes, format: frameFormat(part.rows), crc: crc32(bytes) };
    });
    const head = header({
      lengths: encoded.map((e) => e.bytes.length),
      crc: encoded.map((e) => e.crc),
      formats: encoded.map((e) => e.format),
      sections: frames.map((f) => f.length),
    });
    writeEntryFile(path, magic, head, [...encoded.map((e) => e.bytes), ...sections]);
  } catch {
    // frames that cannot be encoded: no entry, the cache is only slower
  }
}

/** Make the folder of the entry file `path` (once per process). */
function makeFolder(path: string): void {
  const folder = dirname(path);
  if (!made.has(folder)) {
    mkdirSync(folder, { recursive: true });
    made.add(folder);
  }
}

/** A name beside `path` for this process's temporary files (each ends in `.tmp`: old ones are pruned). */
function temporaryPath(path: string): string {
  return `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
}

/**
 * Write an entry file ({@link writeEntry} has made its folder): the magic, the
 * header's length and the header (JSON), then the sections, to a temporary
 * file beside `path`, renamed to `path` (so that a reader sees the old entry or
 * the whole new one). Failures are ignored: a cache that cannot be written is
 * only slower.
 */
function writeEntryFile(
  path: string,
  magic: string,
  header: Header | SetHeader,
  buffers: Uint8Array[],
): void {
  const tmp = `${temporaryPath(path)}.tmp`;
  try {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const head = new Uint8Array(8);
    head.set(new TextEncoder().encode(magic));
    new DataView(head.buffer).setUint32(4, json.length);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, head);
      writeSync(fd, json);
      for (const b of buffers) writeSync(fd, b);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    used(path, Date.now());
    written(path, 8 + json.length + buffers.reduce((sum, b) => sum + b.length, 0));
  } catch {
    rmSync(tmp, { force: true });
  }
}

// ── the cache's size: the least recently used entries go ───────────────────────────────

/** Bytes of entries (per-file and set) a cache folder keeps by default: past them, the least recently used go. */
export const DEFAULT_CACHE_MAX_BYTES = 2 * 1024 ** 3;

/**
 * The bytes of entries a cache folder keeps: `TRACEBOOK_CACHE_MAX_BYTES` when
 * it is a whole number of bytes, else {@link DEFAULT_CACHE_MAX_BYTES}.
 */
export function cacheMaxBytes(): number {
  const value = process.env.TRACEBOOK_CACHE_MAX_BYTES?.trim();
  return value && /^[0-9]+$/.test(value) ? Number(value) : DEFAULT_CACHE_MAX_BYTES;
}

/** An entry read longer ago than this has its time set to now when read again (its last use). */
const TOUCH_AFTER_MS = 3_600_000;

/** Entries this process read or wrote: its own pruning leaves them. */
const usedHere = new Set<string>();

/** Note an entry read or written; one last used over an hour ago gets now as its time. */
function used(path: string, mtimeMs: number): void {
  usedHere.add(path);
  const now = Date.now();
  if (now - mtimeMs > TOUCH_AFTER_MS) {
    try {
      utimesSync(path, now / 1000, now / 1000);
    } catch { /* not ours to touch: it is only pruned sooner */ }
  }
}

/** Bytes written since this process last pruned (the first write prunes). */
let writtenSincePrune = Infinity;

/** Prune after this many bytes of entries written (and at a process's first write). */
const PRUNE_AFTER_BYTES = 256 * 1024 * 1024;

/** After writing an entry: prune its cache folder at the first write and every {@link PRUNE_AFTER_BYTES}. */
function written(path: string, bytes: number): void {
  writtenSincePrune += bytes;
  if (writtenSincePrune < PRUNE_AFTER_BYTES) return;
  writtenSincePrune = 0;
  // an entry is <dir>/<2 hex>/<lineage>.tbc or <dir>/sets/<lineage>.tbs
  pruneEntries(dirname(dirname(path)));
}

/** A file or folder's name in a cache folder that holds entries: two hex digits, or `sets`. */
const ENTRY_FOLDER = /^(?:[0-9a-f]{2}|sets)$/;

/**
 * Keep a cache folder's entries (per-file and set entries; not the results
 * cache's, which keeps its newest 32) within `maxBytes`: when they hold more,
 * the least recently used (an entry's time is when it was written, or read
 * after an hour) are removed until they hold at most 80% of it, except those
 * in `keep` (by default the entries this process read or wrote). Temporary
 * files over an hour old (left by a process that died while writing) are
 * removed too. Returns the entries removed. Runs by itself when a process
 * writes its first entry and after every 256 MB written.
 *
 * @example
 * ```ts
 * import { pruneEntries } from "./cache.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/ab`);
 * Deno.writeFileSync(`${dir}/ab/old.tbc`, new Uint8Array(600));
 * Deno.utimeSync(`${dir}/ab/old.tbc`, 1, 1);
 * Deno.writeFileSync(`${dir}/ab/new.tbc`, new Uint8Array(600));
 * // 1,200 bytes in a budget of 1,000: the older goes (600 bytes are within 800)
 * const removed = pruneEntries(dir, 1000, new Set());
 * if (removed.length !== 1 || !removed[0]!.endsWith("old.tbc")) throw new Error(String(removed));
 * ```
 */
export function pruneEntries(
  dir: string,
  maxBytes: number = cacheMaxBytes(),
  keep: ReadonlySet<string> = usedHere,
): string[] {
  const now = Date.now();
  const remove = (path: string) => rmSync(path, { force: true });
  const entries: CacheFile[] = [];
  let total = 0;
  for (const file of cacheFiles(dir)) {
    if (file.kind === "tmp") {
      if (now - file.mtime > TOUCH_AFTER_MS) remove(file.path);
    } else {
      entries.push(file);
      total += file.size;
    }
  }
  if (total <= maxBytes) return [];
  const removed: string[] = [];
  entries.sort((a, b) => a.mtime - b.mtime);
  for (const entry of entries) {
    if (total <= maxBytes * 0.8) break;
    if (keep.has(entry.path)) continue;
    remove(entry.path);
    total -= entry.size;
    removed.push(entry.path);
  }
  return removed;
}

/** A file of a cache folder's entries: a per-file entry, a set entry, or a temporary file being written. */
export interface CacheFile {
  path: string;
  size: number;
  /** Its modification time in ms (when written, or last read after an hour: its last use). */
  mtime: number;
  kind: "file" | "set" | "tmp";
}

/**
 * The entries and temporary files of a cache folder: `<dir>/<2 hex>/*.tbc`,
 * `<dir>/sets/*.tbs` and the `.tmp` files beside them; nothing else the
 * folder holds (none when it does not exist). What {@link pruneEntries} and
 * the `cache` command go by.
 *
 * @example
 * ```ts
 * import { cacheFiles } from "./cache.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/ab`);
 * Deno.writeFileSync(`${dir}/ab/x.tbc`, new Uint8Array(600));
 * Deno.writeTextFileSync(`${dir}/ab/notes.txt`, "not an entry");
 * const files = cacheFiles(dir);
 * if (files.length !== 1 || files[0]!.kind !== "file" || files[0]!.size !== 600) throw new Error();
 * ```
 */
export function cacheFiles(dir: string): CacheFile[] {
  const files: CacheFile[] = [];
  let folders: string[];
  try {
    folders = readdirSync(dir);
  } catch {
    return files; // no cache folder (yet)
  }
  for (const folder of folders) {
    if (!ENTRY_FOLDER.test(folder)) continue;
    let names: string[];
    try {
      names = readdirSync(join(dir, folder));
    } catch {
      continue; // not a folder, or removed meanwhile
    }
    for (const name of names) {
      const kind = name.endsWith(".tmp")
        ? "tmp"
        : name.endsWith(".tbc")
        ? "file"
        : name.endsWith(".tbs")
        ? "set"
        : null;
      if (kind === null) continue;
      const path = join(dir, folder, name);
      try {
        const { size, mtimeMs } = statSync(path);
        files.push({ path, size, mtime: mtimeMs, kind });
      } catch { /* removed meanwhile */ }
    }
  }
  return files;
}

// ── set entries: many small files in one entry ──────────────────────────────────────────

const SET_MAGIC = "TBS2";

/** A file of a set entry. */
export interface SetFile {
  /** The file's name in the frames. */
  name: string;
  /** Its per-file key (`cacheIdentity`) when its rows were written. */
  key: string;
  /** The format it was read as (detected: its key includes it). */
  format: string;
  /**
   * Files with the same group share sessions (their rows depend on each other):
   * they are taken from the entry only together. A file whose sessions are its
   * own has a group of its own.
   */
  group: number;
}

/** A set entry: its files, and the frames of those chosen. */
export interface SetEntry {
  files: SetFile[];
  /** The rows of the chosen files, in the entry's order (null: none chosen). */
  frames: ImportedFrames | null;
}

/** A set's entry file, named by the set's lineage (`setLineage`: the inputs of a load and its options). */
const setPath = (dir: string, lineage: string) => join(dir, "sets", `${lineage}.tbs`);

/** The open set entry of a lineage, its header checked (null: none; partial or corrupt: removed). */
const openSet = (dir: string, lineage: string) =>
  openEntry<SetHeader>(setPath(dir, lineage), SET_MAGIC, (header) => {
    if (header.lineage !== lineage || !Array.isArray(header.files)) throw new Error("bad header");
    return true;
  });

/** The files of a set entry (null: none, partial or corrupt), its frames unread. */
export function readSetFiles(dir: string, lineage: string): SetFile[] | null {
  const found = openSet(dir, lineage);
  if (!found) return null;
  closeSync(found.fd);
  return found.header.files;
}

/**
 * The set entry of a lineage (null: none, or partial or corrupt: removed), with
 * the rows of the files `choose` keeps (it sees the entry's files); with `prices`,
 * their calls hold the {@link KEPT_PRICES} columns when the entry kept its
 * prices under that identity (as {@link readCached}).
 */
export function readSet(
  dir: string,
  lineage: string,
  choose: (files: SetFile[]) => Set<string>,
  prices?: string,
): SetEntry | null {
  const found = openSet(dir, lineage);
  if (!found) return null;
  const { header, fd } = found;
  try {
    const files = header.files;
    const chosen = choose(files);
    if (chosen.size === 0) return { files, frames: null };
    const whole = files.every((f) => chosen.has(f.name));
    // all of it taken: its events made on first use, as a per-file entry's
    let frames = readFrames(fd, found.at, header, undefined, whole);
    if (prices === undefined || header.prices !== prices) frames = dropKeptPrices(frames);
    if (whole) return { files, frames };
    const keep = pl.col("file").isIn([...chosen]);
    return {
      files,
      frames: {
        calls: frames.calls.filter(keep),
        sessions: frames.sessions.filter(keep),
        events: frames.events.filter(keep),
        diagnostics: frames.diagnostics.filter(keep),
      },
    };
  } catch {
    rmSync(setPath(dir, lineage), { force: true });
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Write a set entry (atomically, replacing the set's previous one): the frames
 * of `files`, read together, with their calls' {@link KEPT_PRICES} columns when
 * they hold them, under the identity `prices` (without it, they are not written).
 * Failures are ignored.
 */
export function writeSet(
  dir: string,
  lineage: string,
  files: SetFile[],
  frames: ImportedFrames,
  prices?: string | null,
): void {
  if (!prices) frames = dropKeptPrices(frames);
  const kept = hasKeptPrices(frames.calls);
  const stored = FRAMES.map((name) => [{ rows: frames[name] }]);
  writeEntry(setPath(dir, lineage), SET_MAGIC, stored, [], (layout) => ({
    lineage,
    files,
    ...(kept ? { prices: prices! } : {}),
    columns: FRAMES.map((name) => frames[name].columns),
    ...layout,
  }));
}

/** A native file's previous entry that its bytes now continue: read on from `offset`. */
export interface Resume {
  /** The entry's key. */
  key: string;
  /** The file's size the entry's frames are of. */
  size: number;
  /** The byte after the last complete line the entry read. */
  offset: number;
  /** Lines before `offset`. */
  lines: number;
  /** The bad lines before `offset`, folded. */
  diagnostics: Diagnostic[];
  /** Whether the stored events hold their texts. */
  keepText: boolean;
  /** The stored events before `offset`, as stored (read from the entry; null if it is unreadable). */
  stored(): StoredEvents | null;
}

/**
 * The current entry of a file's lineage (same path, inode, device, options and
 * version), to read on from: when it is the entry of the file as it is (its
 * key), or when the file has only grown since: it is longer than it was, and
 * the sampled bytes before the entry's offset (`prefixSamples`: the first and
 * last 16 KiB, 16 blocks of 4 KiB between; all of them up to 32 KiB) are
 * unchanged. A file of the same size with another key was edited in place (or
 * only touched): null, as otherwise (the file is then read whole).
 */
export function findResume(dir: string, id: CacheIdentity, path: string): Resume | null {
  const found = readHeader(dir, id.lineage);
  if (!found) return null;
  const { header, fd: entry } = found;
  try {
    const resume = header.resume;
    if (!resume || resume.lineage !== id.lineage) return null;
    if (header.key !== id.key) {
      let fd: number;
      try {
        fd = openSync(path, "r");
      } catch {
        return null;
      }
      try {
        const size = fstatSync(fd).size;
        if (size <= resume.size || !prefixUnchanged(fd, resume.samples)) return null;
      } finally {
        closeSync(fd);
      }
    }
    // the stored events read now, from this entry (another process may replace it meanwhile)
    let stored: StoredEvents;
    try {
      let at = found.at + header.lengths.reduce((a, b) => a + b, 0);
      const bytes = resume.chunks.map((c) => {
        const b = readAt(entry, at, c.bytes);
        at += c.bytes;
        return b;
      });
      stored = { headers: resume.chunks, bytes };
    } catch {
      rmSync(entryPath(dir, id.lineage), { force: true });
      return null;
    }
    return {
      key: header.key,
      size: resume.size,
      offset: resume.offset,
      lines: resume.lines,
      diagnostics: resume.diagnostics,
      keepText: resume.keepText,
      stored: () => stored,
    };
  } finally {
    closeSync(entry);
  }
}
