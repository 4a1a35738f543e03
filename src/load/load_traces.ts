/**
 * The path tier of the loader: trace files, directories and globs → `TraceSet`.
 *
 * ```
 * inputs ─► findTraceInputs ─► stageInputs (stdin, pipes, gzip → temporary files)
 *        ─► per file: sampleFile ─► detectFormat (or --format)
 *             native ─► line by line (parseTraceFile) ─► events ─► pairCalls / sessions ─► frames ─┐
 *             other ──► adapter.parse(source) ─► records ─► assembleImportedFrames ───────────────┼► merge ─► applyPrices
 *             none ───► a `not_a_trace` warning (an error for a file named by the user) ─────────┘
 * ```
 *
 * Without the cache, a load read in one pass on the calling thread reads each
 * native file right after detecting it (`EarlyReads`, `earlyReads`), taking
 * the values, text and bytes its sample already has: each file is read,
 * decoded and parsed once.
 *
 * Before reading, each file's cache entry (`cache.ts`): an unchanged file's
 * frames are read from it; a native file that has only grown is read from
 * where its entry stopped (`readGrown`). The small files of a load share one
 * set entry instead (`openSmallSet`): the unchanged ones are taken from it.
 * A per-file entry also keeps its calls' prices (`withKeptPrices`): when every
 * part of a load holds prices of this load's identity (`priceIdentity`), they
 * are taken instead of pricing the calls again.
 *
 * @module
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import pl from "../frames/polars.ts";
import { applyPrices, type PriceOverrides } from "../prices/mod.ts";
import { priceCalls, priceIdentity } from "../prices/apply.ts";
import { concatTraceSets } from "../frames/concat.ts";
import { SESSION_COLUMNS, type TraceSet } from "../frames/columns.ts";
import { UserError } from "../log/mod.ts";
import type { Diagnostic } from "./_event.ts";
import { assembleFrames, assembleTableFrames } from "./_assemble.ts";
import type { EventTable } from "./_event_columns.ts";
import {
  type CacheIdentity,
  cacheIdentity,
  cacheKeyOptions,
  defaultCacheDir,
  dropKeptPrices,
  encodeChunks,
  findResume,
  hasKeptPrices,
  KEPT_PRICES,
  readCached,
  readSet,
  readSetFiles,
  type ResumeState,
  type SetFile,
  setLineage,
  storedEvents,
  type StoredFrame,
  watchEntries,
  writeCached,
  writeSet,
} from "./cache.ts";
import { metadataColumn } from "./_sessions.ts";
import { byteString, lastLineEnd, prefixSamples, readNativeFrom } from "./_append.ts";
import { extendLineStarts } from "./_line_starts.ts";
import type { FormatAdapter, ParseOptions } from "./formats/adapter.ts";
import {
  assembleImportedFrames,
  type ImportedFrames,
  type ImportedRecords,
} from "./formats/_records.ts";
import { describeSample, detectFormat, formatByName } from "./formats/registry.ts";
import { sampleFileLines, sampleOfText } from "./formats/sample.ts";
import { DocumentTooLarge, fileSource, textSource, type TraceSource } from "./formats/source.ts";
import { fileStat, findTraceInputs, foundSize, stageInputs, type TraceInput } from "./inputs.ts";
import { messages } from "./messages.ts";
import {
  boundDiagnostics,
  DEFAULT_MAX_LINE_BYTES,
  DIAGNOSTICS_KEPT_PER_CODE,
  mergeRangeDiagnostics,
  parseTraceText,
  type RangeDiagnostics,
} from "./parse_trace_text.ts";
import {
  EarlyReads,
  endKeptWorkers,
  keepWorkers,
  LARGE_INPUT_BYTES,
  loadWorkers,
  readNativeFiles,
} from "./_parallel.ts";
import {
  collectGarbage,
  KEEP_FREED_SHARE,
  keepFreedMemoryBelow,
  releaseFreedMemory,
  settleMemory,
  trimOnFree,
} from "./_memory.ts";
import { checkTimezone } from "./timestamp.ts";
import { keepLoad, loadKey, recentLoad } from "./_recent.ts";
import { lazyFrame, withFrames } from "../frames/lazy.ts";
import { dropCopiedCalls } from "./_copies.ts";

/** Options of {@link loadTraces}. */
export interface LoadOptions {
  /**
   * IANA time zone of naive timestamps (no `Z`, no offset).
   * @default {"UTC"}
   */
  timezone?: string;
  /**
   * Throw one {@link UserError} listing the first bad lines instead of reporting
   * them in `diagnostics` (warnings such as orphans do not fail).
   * @default {false}
   */
  strict?: boolean;
  /**
   * Add `messages` (JSON) and `output` text columns to `calls`. Reads every file
   * line by line (slower).
   * @default {false}
   */
  keepText?: boolean;
  /** A label put in the `group` column of `calls` (for comparisons). @default {null} */
  group?: string;
  /** Per-model price overrides, passed to `applyPrices`. */
  prices?: PriceOverrides;
  /** A longer line is reported as `line_too_long` and skipped. @default {8388608} (8 MiB) */
  maxLineBytes?: number;
  /**
   * The per-file columnar cache (DESIGN.md, "The cache"): a directory, or false
   * to bypass it. A later load of an unchanged file reads its frames from there.
   * @default {defaultCacheDir()} (`$XDG_CACHE_HOME/tracebook`, else `~/.cache/tracebook`)
   */
  cache?: string | false;
  /** Progress in bytes, for a progress bar: called as files are read. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Read every file as this format (a name of `deno task formats`) instead of
   * detecting each file's format from its first bytes.
   */
  format?: string;
  /**
   * Field mapping for per-call logs (`generic` format): our column → the log's
   * field path, e.g. `{ model: "engine", duration_ms: "elapsed" }`.
   */
  map?: Record<string, string>;
  /** Price batch results at list prices instead of the provider's batch rate. @default {false} */
  listPrices?: boolean;
  /**
   * Worker threads that parse ranges of lines of native files while the
   * calling thread joins them (0: the calling thread reads the files itself).
   * The frames are the same whatever the number.
   * @default {the number of cores less one (at most 7) on 4 cores or more, for 32 MB of native files or more; 2 on 2 or 3 cores for a load of 256 MiB of native files or more; else 0}
   */
  workers?: number;
  /**
   * Files not in the cache are read in passes of at most this many bytes (a
   * larger file is a pass of its own): one pass's events are in memory at
   * once. Sessions that continue from a pass into another are read again
   * together, so the frames are the same whatever the size.
   * @default {268435456} (256 MiB)
   */
  passBytes?: number;
  /**
   * Files below this size, when a load has 4 or more of them, share one cache
   * entry (a set entry, named by the load's inputs and options, holding each
   * file's key): a later load of the same inputs reads it at once, and reads
   * again only the files that changed, were added, or share a session with
   * one that did. Larger files (and the files of a load with fewer small
   * ones) keep an entry each, and their growth is read from where it stopped.
   * 0: every file has its own entry.
   * @default {1048576} (1 MiB)
   */
  smallFileBytes?: number;
}

/** Events (in a table) and bad-line diagnostics of native files, in file then line order (parsed on worker threads). */
export function readTraceFiles(
  inputs: (string | (TraceInput & { size?: number }))[],
  options: LoadOptions = {},
  early?: EarlyReads,
): Promise<NativeRead> {
  const files = inputs.map((f) => typeof f === "string" ? { path: f, name: f } : f);
  return readNativeFiles(files, { ...nativeOptions(options), early });
}

/** The options of the native reader in those of a load. */
const nativeOptions = (options: LoadOptions) => ({
  timezone: options.timezone,
  keepText: options.keepText,
  maxLineBytes: options.maxLineBytes,
  onProgress: options.onProgress,
  workers: options.workers,
});

/** Throw the strict-mode {@link UserError} when any line was bad. */
function checkStrict(diagnostics: Diagnostic[] | pl.DataFrame): void {
  const list = Array.isArray(diagnostics)
    ? diagnostics
    : diagnostics.filter(pl.col("severity").eq(pl.lit("error"))).head(5)
      .toRecords() as unknown as Diagnostic[];
  const bad = list.filter((d) => d.severity === "error");
  if (!Array.isArray(diagnostics)) {
    const total = diagnostics.filter(pl.col("severity").eq(pl.lit("error"))).getColumn("count")
      .sum() as number;
    if (total === 0) return;
    const first = bad.map((d) => `${d.file}:${d.line}: ${d.message}`);
    throw new UserError(messages.strict(total, first));
  }
  if (bad.length === 0) return;
  const first = bad.slice(0, 5).map((d) => `${d.file}:${d.line}: ${d.message}`);
  throw new UserError(messages.strict(bad.length, first));
}

/** One file to load, with the adapter of its format and its size when it was planned. */
interface FilePlan {
  input: TraceInput;
  adapter: FormatAdapter;
  size: number;
  /** Its cache identity, when it was made before the plan (a file of a set entry). */
  id?: CacheIdentity;
  /** A native file read already, right after its detection (see {@link earlyReads}). */
  early?: EarlyReads;
}

/** Records of one file of a non-native format, the `format` of its calls set. */
function readFormatFile({ input, adapter }: FilePlan, options: LoadOptions): ImportedRecords {
  try {
    return parseWith(adapter, fileSource(input.path, input.name), input.name, options);
  } catch (e) {
    // an adapter that reads the whole text, of a file too large to hold in one piece
    if (!(e instanceof DocumentTooLarge)) throw e;
    return {
      calls: [],
      events: [],
      diagnostics: [{
        file: input.name,
        line: 1,
        code: "file_too_large",
        message: messages.fileTooLarge(e.bytes, adapter.title),
        severity: "error",
      }],
    };
  }
}

/**
 * The records of a source read by a non-native adapter, as both tiers keep them:
 * diagnostics bounded as the line reader bounds its own, each call's `format` set.
 */
function parseWith(
  adapter: FormatAdapter,
  source: TraceSource,
  file: string,
  options: ParseOptions,
): ImportedRecords {
  const records = adapter.parse!(source, file, options);
  records.diagnostics = boundDiagnostics(records.diagnostics);
  for (const c of records.calls) Object.assign(c, { format: adapter.name });
  return records;
}

/** Events and bad lines of native files, as read (kept to cache where each file's reading stopped). */
interface NativeRead {
  events: EventTable;
  diagnostics: Diagnostic[];
}

/** The events of one file in a table read with others (`from` to `to`, excluded), and its bad lines. */
interface FileRead {
  table: EventTable;
  from: number;
  to: number;
  diagnostics: Diagnostic[];
}

/**
 * Frames of files read together (so that calls and sessions pair across them),
 * before prices; `prepare` sees the events and bad lines of the native files
 * before they are assembled (to cache where each file's reading stopped).
 */
async function readFiles(
  plans: FilePlan[],
  options: LoadOptions,
  prepare?: (read: NativeRead) => void,
): Promise<ImportedFrames> {
  const native = plans.filter((p) => !p.adapter.parse);
  const others = plans.filter((p) => p.adapter.parse);
  const frameOptions = { keepText: options.keepText };
  const parts: ImportedFrames[] = [];
  if (native.length) {
    const large = native.reduce((sum, p) => sum + p.size, 0) >= LARGE_INPUT_BYTES;
    parts.push(await readNative(native, options, large, prepare));
    // the events are garbage now: return their memory before the caller allocates more
    if (large) collectGarbage();
  }
  if (others.length) {
    const all: ImportedRecords = { calls: [], events: [], diagnostics: [], sessions: [] };
    for (const plan of others) {
      // loops, not push(...): a spread of a few hundred thousand records overflows the stack
      const r = readFormatFile(plan, options);
      // the garbage of parsing it goes before the next file or the frames
      if (plan.size >= LARGE_INPUT_BYTES) collectGarbage();
      for (const c of r.calls) all.calls.push(c);
      for (const e of r.events) all.events.push(e);
      for (const d of r.diagnostics) all.diagnostics.push(d);
      for (const x of r.sessions ?? []) all.sessions!.push(x);
      // moved, not copied: the file's own lists are emptied, so that nothing left holding them
      // (V8 keeps this loop's last `r` alive past the loop) holds the events once the frames'
      // assembly lets them go (a 319 MB Phoenix span file: `report` peaked at 502–507 MiB,
      // 438–440 so)
      r.calls.length = r.events.length = r.diagnostics.length = 0;
      if (r.sessions) r.sessions.length = 0;
    }
    const large = others.reduce((sum, p) => sum + p.size, 0) >= LARGE_INPUT_BYTES;
    // the events' payloads are collected once their frame is built, before the calls' frame
    parts.push(
      assembleImportedFrames(all, { ...frameOptions, consume: large ? collectGarbage : undefined }),
    );
    // the records and the intermediates of their frames go before the caller allocates more
    // (a 314 MB OpenAI Batch file: `report` peaked at 493 MiB against 527 without)
    if (large) await settleMemory();
  }
  return concatFrames(parts);
}

/**
 * The frames of native files read together. The garbage of parsing is collected
 * (`large`), then the events of the cache entries are encoded, then the frames
 * are built from the table, which they consume (`assembleTableFrames`: the
 * encoding's garbage goes at its settling): 200,000 calls writing an entry
 * peaked at 453–457 MiB encoding before the collection, 400–415 after it, in
 * the same time (and at 645–730 MB encoding after assembly, before the table
 * was consumed). The events are held only by this function's frame: once it
 * returns, the caller's collection takes them.
 */
async function readNative(
  native: FilePlan[],
  options: LoadOptions,
  large: boolean,
  prepare?: (read: NativeRead) => void,
): Promise<ImportedFrames> {
  const read = await readTraceFiles(
    native.map((p) => ({ ...p.input, size: p.size })),
    options,
    native[0]?.early,
  );
  if (large) collectGarbage();
  prepare?.(read);
  const frameOptions = { keepText: options.keepText };
  return await assembleTableFrames(read.events, read.diagnostics, frameOptions, large);
}

/** Frames one after the other, rows ordered by file then line. */
function concatFrames(parts: ImportedFrames[]): ImportedFrames {
  if (parts.length === 1) return parts[0]!;
  const empty = { files: [], inputs: [] };
  const both = concatTraceSets(parts.map((p) => ({ ...p, ...empty })));
  // parts that follow each other in file order (the common case: one pass after another)
  // need no sort, which would copy every frame once more
  const byFileLine = (df: pl.DataFrame) =>
    inOrder(df, true) ? df : df.sort(["file", "line"], false, true, true);
  return {
    calls: byFileLine(both.calls),
    sessions: inOrder(both.sessions, false)
      ? both.sessions
      : both.sessions.sort("file", false, true, true),
    events: byFileLine(both.events),
    diagnostics: byFileLine(both.diagnostics),
  };
}

/** The options of a load that price its calls. */
const priceOptions = (options: LoadOptions) => ({
  overrides: options.prices,
  listPrices: options.listPrices,
});

/**
 * Frames whose calls also hold their prices ({@link KEPT_PRICES}), and the
 * identity those are kept under (`priceCalls`); when they cannot be kept (a
 * call priced at the current time), the frames as they are and null.
 */
function withKeptPrices(
  frames: ImportedFrames,
  options: LoadOptions,
): { frames: ImportedFrames; prices: string | null } {
  const { calls, identity } = priceCalls(frames.calls, priceOptions(options));
  if (identity === null) return { frames, prices: null };
  const kept = frames.calls.withColumns(
    calls.getColumn("cost_usd").alias(KEPT_PRICES.cost),
    calls.getColumn("provider").alias(KEPT_PRICES.provider),
  );
  return { frames: withFrames(frames, { calls: kept }), prices: identity };
}

/** Calls whose {@link KEPT_PRICES} columns take the place of `cost_usd` and `provider`. */
const takeKeptPrices = (calls: pl.DataFrame) =>
  calls.withColumns(
    pl.col(KEPT_PRICES.cost).alias("cost_usd"),
    pl.col(KEPT_PRICES.provider).alias("provider"),
  ).drop(KEPT_PRICES.cost, KEPT_PRICES.provider);

/**
 * The frames with floats in one chunk, as a single read builds them. Frames
 * from the cache (Parquet row groups) or joined from several units come in
 * chunks, and Polars sums floats chunk by chunk: a mean over the same rows
 * could then differ in its last digit from the same run without the cache. A
 * frame already in one chunk is not copied. `events` holds no float (its sums
 * are exact in any chunks) and is the largest: it is left as it is (2,000,000
 * calls in 10 files: 1.1 GB less at the peak).
 */
function contiguous(frames: ImportedFrames): ImportedFrames {
  return withFrames(frames, {
    calls: frames.calls.rechunk(),
    sessions: frames.sessions.rechunk(),
    diagnostics: frames.diagnostics.rechunk(),
  });
}

/** The rows of `df` are in file (then, with `lines`, line) order already. */
function inOrder(df: pl.DataFrame, lines: boolean): boolean {
  if (df.height < 2) return true;
  const file = pl.col("file"), before = pl.col("file").shift(1);
  const line = pl.col("line"), lineBefore = pl.col("line").shift(1);
  const back = lines
    ? file.lt(before).or(file.eq(before).and(line.lt(lineBefore)))
    : file.lt(before);
  return df.select(back.any().alias("back")).getColumn("back").toArray()[0] !== true;
}

/**
 * The default of {@link LoadOptions.passBytes}: the events of one pass are in
 * memory at once, so that 10 files of 780 MB read one after the other peak at
 * about one file's events, not ten (2,000,000 calls: 3.7 GB peak RSS, against
 * 6.8 GB read in one pass).
 */
const PASS_BYTES = 256 * 1024 * 1024;

/** `files` (indexes into `sizes`), in order, cut into runs of at most `limit` bytes. */
function passes(files: number[], sizes: number[], limit: number): number[][] {
  const out: number[][] = [];
  let bytes = Infinity;
  for (const i of files) {
    if (bytes + sizes[i]! > limit) {
      out.push([]);
      bytes = 0;
    }
    out.at(-1)!.push(i);
    bytes += sizes[i]!;
  }
  return out;
}

/**
 * Frames of every file: those of unchanged files from the cache, those of
 * grown native files from their entry and their new bytes ({@link readGrown}),
 * the others read together in passes of up to {@link LoadOptions.passBytes} (calls pairing
 * across the files of a pass), then cached file by file, except files whose
 * sessions continue in another file. When a load has {@link MIN_SET_FILES} or more small
 * files ({@link LoadOptions.smallFileBytes}), they share one set entry instead
 * ({@link openSmallSet}). When a cached file or a pass shares a session with
 * another, those files are read again together, so that a request and its
 * response in two files still pair: the cache never changes a result.
 * Also returns the bytes of the files that were parsed (not taken from the cache).
 */
async function loadFrames(
  plans: FilePlan[],
  options: LoadOptions,
  inputs: string[],
): Promise<{ frames: ImportedFrames; parsedBytes: number }> {
  const dir = options.cache === false ? null : options.cache ?? defaultCacheDir();
  // staged inputs (stdin, pipes, gzip) are temporary copies: nothing to key them by
  const ids = plans.map((plan) => {
    if (plan.id) return plan.id; // made when the plan was (a file of a set entry, unchanged)
    return dir && plan.input.path === plan.input.name
      ? cacheIdentity(plan.input.path, cacheKeyOptions(options, plan.adapter.name, plan.input.name))
      : null;
  });
  const sizes = plans.map((p) => p.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  options.onProgress?.(0, total);
  // the prices an entry kept are taken when this load prices calls the same way
  const prices = dir ? priceIdentity(priceOptions(options)) : undefined;
  const set = dir ? openSmallSet(dir, plans, ids, options, inputs, prices!) : null;
  const inSet = new Set(set?.members);
  const cached: (ImportedFrames | null)[] = plans.map((_, i) =>
    ids[i] && !inSet.has(i) ? readCached(dir!, ids[i]!, prices) : null
  );
  plans.forEach((plan, i) => {
    if (!cached[i] && ids[i] && !inSet.has(i) && !plan.adapter.parse) {
      cached[i] = readGrown(dir!, plan, ids[i]!, options);
    }
  });
  const reused = new Set(set?.reused);
  const missing = plans.flatMap((_, i) => (cached[i] || reused.has(i) ? [] : [i]));
  const cachedBytes = sizes.reduce(
    (sum, size, i) => (cached[i] || reused.has(i) ? sum + size : sum),
    0,
  );
  // the units read apart: each cached file, the set's files taken from its entry, and each
  // pass over the other files
  const units: { frames: ImportedFrames; plans: number[] }[] = plans.flatMap((_, i) =>
    cached[i] ? [{ frames: cached[i]!, plans: [i] }] : []
  );
  if (set?.frames) units.push({ frames: set.frames, plans: set.reused });
  const setUnit = set?.frames ? units.length - 1 : -1;
  let doneBefore = cachedBytes;
  // a large load is read by workers on 2 or 3 cores too, whatever the size of each pass
  const nativeBytes = missing.reduce(
    (sum, i) => (plans[i]!.adapter.parse ? sum : sum + sizes[i]!),
    0,
  );
  const workers = options.workers ?? loadWorkers(nativeBytes);
  if (workers !== undefined) options = { ...options, workers };
  /** Read the files of one pass, cache them, and add them to the units. */
  const readPass = async (pass: number[]) => {
    const before = doneBefore;
    const onProgress = options.onProgress &&
      ((done: number) => options.onProgress!(before + done, total));
    // the set's files are cached with the set, after all passes
    const keyed = pass.flatMap((i) =>
      ids[i] && !inSet.has(i) ? [{ plan: plans[i]!, id: ids[i]! }] : []
    );
    // where each keyed native file's reading stopped, its events encoded once the frames are built
    const states = new Map<string, ResumeState | null>();
    let fresh = await readFiles(
      pass.map((i) => plans[i]!),
      { ...options, onProgress: onProgress || undefined },
      keyed.length ? (read) => prepareStates(read, keyed, options, states) : undefined,
    );
    if (dir) {
      // priced here (once for the pass) to be kept in the entries (the files' and the set's);
      // the load then takes them
      const kept = withKeptPrices(fresh, options);
      fresh = kept.frames;
      if (keyed.length) cacheFileByFile(dir, fresh, keyed, states, options, kept.prices);
    }
    units.push({ frames: fresh, plans: pass });
    doneBefore += pass.reduce((sum, i) => sum + sizes[i]!, 0);
  };
  const all = passes(missing, sizes, options.passBytes ?? PASS_BYTES);
  try {
    for (const [n, pass] of all.entries()) {
      // the workers of a pass kept for the next; those of the last end with its read, before
      // its frames are built (kept until the load's end, one 784 MB file's analyze peaked at
      // 0.71× the input instead of 0.59×)
      keepWorkers(n < all.length - 1);
      await readPass(pass);
    }
  } finally {
    keepWorkers(false);
    await endKeptWorkers();
  }
  options.onProgress?.(total, total);
  // prices taken from the units only when every unit holds them (the same columns in all)
  if (!units.every((u) => hasKeptPrices(u.frames.calls))) {
    for (const u of units) u.frames = dropKeptPrices(u.frames);
  }
  const { frames, joint } = await joinUnits(units, plans, options);
  // the set's entry is written again when it no longer holds exactly the set's files as they are
  if (set && (set.stale || joint.has(setUnit))) {
    cacheSmallSet(dir!, set, frames, plans, ids, options, prices!);
  }
  return { frames, parsedBytes: total - cachedBytes };
}

/**
 * The frames of units read apart, in file then line order; units that share a
 * session (`joint`) are read again together.
 */
async function joinUnits(
  units: { frames: ImportedFrames; plans: number[] }[],
  plans: FilePlan[],
  options: LoadOptions,
): Promise<{ frames: ImportedFrames; joint: Set<number> }> {
  const joint = new Set<number>();
  if (units.length === 1) return { frames: units[0]!.frames, joint };
  const owners = new Map<string, Set<number>>();
  units.forEach((u, n) => {
    for (const id of u.frames.sessions.getColumn("session_id").toArray() as string[]) {
      let set = owners.get(id);
      if (!set) owners.set(id, set = new Set());
      set.add(n);
    }
  });
  for (const set of owners.values()) if (set.size > 1) { for (const n of set) joint.add(n); }
  if (joint.size === 0) return { frames: concatFrames(units.map((u) => u.frames)), joint };
  const again = [...joint].flatMap((n) => units[n]!.plans).sort((a, b) => a - b);
  const together = await readFiles(again.map((i) => plans[i]!), {
    ...options,
    onProgress: undefined,
  });
  return {
    frames: concatFrames([
      // `together` is read again, without prices: none are taken
      ...units.filter((_, n) => !joint.has(n)).map((u) => dropKeptPrices(u.frames)),
      together,
    ]),
    joint,
  };
}

// ── many small files: one set entry ───────────────────────────────────────────────────────

/**
 * The default of {@link LoadOptions.smallFileBytes}. The same 50,000 calls in
 * files of 160 KB to 3.9 MB, warm from per-file entries against no cache: 1,000
 * files of 160 KB 1.6–2.1 s against 0.9 s, 500 of 330 KB about even, 100 of 1.8
 * MB 0.31 s against 0.9 s; from one set entry 0.08–0.13 s at every size. Above
 * it, a file keeps its growth path, and the set (written again whole when one
 * of its files changes) stays small.
 */
const SMALL_FILE_BYTES = 1024 * 1024;

/**
 * A load with at least this many small files keeps them in one set entry; with
 * fewer, each keeps its own entry (and its place for growth and `watch`).
 */
const MIN_SET_FILES = 4;

/** The lineage of the set entry of a load's inputs (resolved: `traces/` and `./traces` are one). */
const setLineageOf = (inputs: string[], options: LoadOptions) =>
  setLineage(
    inputs.map((input) => (input === "-" ? input : resolve(input))),
    cacheKeyOptions(options, options.format ?? "", ""),
  );

/**
 * The files of the set entry of a load's inputs that are as they were when it
 * was written, with their format and identity: an unchanged file's format is
 * known without sampling it (its key, made with that format, is the stored one;
 * the key covers its bytes and the loader's version, and so the detection).
 */
function knownFiles(
  inputs: string[],
  staged: TraceInput[],
  options: LoadOptions,
): Map<string, { adapter: FormatAdapter; id: CacheIdentity }> {
  const known = new Map<string, { adapter: FormatAdapter; id: CacheIdentity }>();
  if (options.cache === false || options.format) return known;
  const files = readSetFiles(options.cache ?? defaultCacheDir(), setLineageOf(inputs, options));
  if (!files) return known;
  const stored = new Map(files.map((f) => [f.name, f]));
  for (const input of staged) {
    const f = stored.get(input.name);
    if (!f || input.path !== input.name) continue;
    const id = cacheIdentity(input.path, cacheKeyOptions(options, f.format, f.name));
    if (id?.key !== f.key) continue;
    try {
      known.set(f.name, { adapter: formatByName(f.format), id });
    } catch { /* a format no longer known: detected */ }
  }
  return known;
}

/** The small files of a load and what their set entry gave. */
interface SmallSet {
  lineage: string;
  /** The plans of the small files (keyed, below the size), in order. */
  members: number[];
  /** The members whose rows were taken from the entry. */
  reused: number[];
  /** Their rows (null: none). */
  frames: ImportedFrames | null;
  /** The entry's files as written (null: no entry). */
  stored: SetFile[] | null;
  /** The entry is not exactly the members as they are (missing, changed, added, removed). */
  stale: boolean;
}

/**
 * The small files of a load ({@link LoadOptions.smallFileBytes}) and their rows
 * from the set entry of the load's inputs (`setLineage`), or null when there are
 * fewer than {@link MIN_SET_FILES}. A file is taken from the entry when its key
 * is the one stored (it is unchanged) and so are those of every file it shares
 * a session with (its group); the others are read.
 */
function openSmallSet(
  dir: string,
  plans: FilePlan[],
  ids: (CacheIdentity | null)[],
  options: LoadOptions,
  inputs: string[],
  prices: string,
): SmallSet | null {
  const limit = options.smallFileBytes ?? SMALL_FILE_BYTES;
  const members = plans.flatMap((p, i) => (ids[i] && p.size < limit ? [i] : []));
  if (members.length < MIN_SET_FILES) return null;
  const lineage = setLineageOf(inputs, options);
  const keyOf = new Map(members.map((i) => [plans[i]!.input.name, ids[i]!.key]));
  let taken = new Set<string>();
  const entry = readSet(dir, lineage, (files) => {
    // a group is taken when all its files are unchanged members
    const broken = new Set<number>();
    for (const f of files) if (keyOf.get(f.name) !== f.key) broken.add(f.group);
    return taken = new Set(files.filter((f) => !broken.has(f.group)).map((f) => f.name));
  }, prices);
  if (!entry?.frames) taken = new Set();
  const reused = members.filter((i) => taken.has(plans[i]!.input.name));
  const stale = !entry || reused.length !== members.length ||
    entry.files.length !== members.length;
  return {
    lineage,
    members,
    reused,
    frames: entry?.frames ?? null,
    stored: entry?.files ?? null,
    stale,
  };
}

/**
 * Write the set entry from the frames of the whole load: the rows of the
 * members still unchanged since they were read, except files whose sessions
 * continue in a file kept out of the set (a large one, one that changed while
 * read, staged input), directly or through other files: their rows depend on
 * it. Each file's group is that of the files it shares sessions with.
 */
function cacheSmallSet(
  dir: string,
  set: SmallSet,
  frames: ImportedFrames,
  plans: FilePlan[],
  ids: (CacheIdentity | null)[],
  options: LoadOptions,
  prices: string,
): void {
  const members = set.members.filter((i) => unchanged(plans[i]!, ids[i]!, options));
  const index = new Map(members.map((i, n) => [plans[i]!.input.name, n]));
  // union-find over the members: files that share a session are one group
  const parent = members.map((_, n) => n);
  const root = (n: number): number => {
    while (parent[n] !== n) n = parent[n] = parent[parent[n]!]!;
    return n;
  };
  const out = new Set<number>(); // roots of groups with a file outside the set
  const pairs = pl.concat([
    frames.events.select("session_id", "file"),
    frames.calls.select("session_id", "file"),
    frames.sessions.select("session_id", "file"),
  ]).unique();
  const files = new Map<string, string[]>();
  const sessionIds = pairs.getColumn("session_id").toArray() as (string | null)[];
  const fileNames = pairs.getColumn("file").toArray() as string[];
  sessionIds.forEach((s, k) => {
    const key = String(s);
    let list = files.get(key);
    if (!list) files.set(key, list = []);
    list.push(fileNames[k]!);
  });
  const outside: number[] = [];
  for (const list of files.values()) {
    if (list.length < 2) continue;
    const ns = list.map((f) => index.get(f));
    const inside = ns.filter((n): n is number => n !== undefined);
    for (const n of inside.slice(1)) parent[root(n)] = root(inside[0]!);
    if (inside.length < ns.length && inside.length) outside.push(inside[0]!);
  }
  for (const n of outside) out.add(root(n));
  const groups = new Map<number, number>();
  const kept: SetFile[] = [];
  members.forEach((i, n) => {
    const r = root(n);
    if (out.has(r)) return;
    if (!groups.has(r)) groups.set(r, groups.size);
    kept.push({
      name: plans[i]!.input.name,
      key: ids[i]!.key,
      format: plans[i]!.adapter.name,
      group: groups.get(r)!,
    });
  });
  const same = set.stored?.length === kept.length &&
    set.stored.every((f, k) =>
      f.name === kept[k]!.name && f.key === kept[k]!.key && f.format === kept[k]!.format &&
      f.group === kept[k]!.group
    );
  if (same) return;
  const names = kept.map((f) => f.name);
  const keep = pl.col("file").isIn(names);
  const all = kept.length === plans.length;
  writeSet(
    dir,
    set.lineage,
    kept,
    all ? frames : {
      calls: frames.calls.filter(keep),
      sessions: frames.sessions.filter(keep),
      events: frames.events.filter(keep),
      diagnostics: frames.diagnostics.filter(keep),
    },
    prices,
  );
}

/** Folded bad lines as a range of {@link mergeRangeDiagnostics} (a folded row: its code's count). */
function asRange(diagnostics: Diagnostic[]): RangeDiagnostics {
  const list: Diagnostic[] = [];
  const folded: NonNullable<RangeDiagnostics["folded"]> = new Map();
  for (const d of diagnostics) {
    if ((d.count ?? 1) > 1) {
      folded.set(d.code, {
        kept: DIAGNOSTICS_KEPT_PER_CODE,
        count: d.count!,
        first: d.line,
        last: d.line, // unknown here: the row is put back whole when nothing was added to it
        file: d.file,
        severity: d.severity,
      });
    } else list.push(d);
  }
  return { diagnostics: list, folded, lineOffset: 0 };
}

/** The bad lines of ranges read one after the other, the first one's folded rows kept as they were. */
function mergeAfter(before: Diagnostic[], ranges: RangeDiagnostics[]): Diagnostic[] {
  const merged = mergeRangeDiagnostics([asRange(before), ...ranges]);
  const old = new Map(before.filter((d) => (d.count ?? 1) > 1).map((d) => [d.code, d]));
  return merged.map((d) => {
    const o = old.get(d.code);
    return o && (d.count ?? 1) > 1 && o.count === d.count ? o : d;
  });
}

/**
 * Whether a file still has the key it had before it was read: if not, it
 * changed while it was read, and an entry would not be what its key says.
 */
function unchanged(plan: FilePlan, id: CacheIdentity, options: LoadOptions): boolean {
  const { path, name } = plan.input;
  return cacheIdentity(path, cacheKeyOptions(options, plan.adapter.name, name))?.key === id.key;
}

/** Working columns of {@link splice}, named with a control character so that no real metadata field clashes. */
const FIRST = "\u0001first", RANK = "\u0001rank";

/** The codes of the warnings pairing gives (`_pair.ts`): no line's own problem has them. */
const PAIRING_CODES = ["duplicate_request_id", "duplicate_outcome", "orphan_response"];

/**
 * The frames of a native file that has only grown since its cache entry was
 * written (`findResume`): the lines after the entry's offset are read by
 * `readNativeFrom` (the path `watch` reads by too), and only the sessions they
 * touch are assembled again, from the entry's stored events of those sessions
 * and the new ones (so a request before the offset pairs with its response
 * after it); the rows of the other sessions are the entry's. Pairing, sessions
 * and their warnings never cross sessions, so the frames equal those of a
 * read of the whole file. The new entry replaces the old one. Null when the
 * file did not only grow (it is then read whole).
 */
function readGrown(
  dir: string,
  plan: FilePlan,
  id: CacheIdentity,
  options: LoadOptions,
): ImportedFrames | null {
  const { path, name } = plan.input;
  const found = findResume(dir, id, path);
  if (!found) return null;
  // the frames of the file as it was (its last line too), with their prices when kept alike, and
  // their sections as stored
  const prices = priceIdentity(priceOptions(options));
  const sections: { events?: StoredFrame } = {};
  const old = readCached(dir, { key: found.key, lineage: id.lineage }, prices, sections);
  const stored = old && found.stored();
  if (!old || !stored) return null;
  const keepText = options.keepText ?? false;
  const read = readNativeFrom(path, name, {
    start: found.offset,
    firstLine: found.lines + 1,
    end: id.size,
    final: true,
    timezone: options.timezone,
    keepText,
    maxLineBytes: options.maxLineBytes,
  });
  const lines = found.lines;
  // the old bytes' line starts (kept from the old entry), and the new bytes'
  try {
    extendLineStarts(name, found.size, read.starts, statSync(path));
  } catch {
    // gone since: its texts are not read from an index
  }
  const fresh = read.last?.events.length ? read.events.concat(read.last.events) : read.events;
  // the sessions of the new lines, and that of an event of the old unfinished last line (bytes
  // after the old offset: without them no old event is after `lines`, its events not decoded)
  const touched = new Set(fresh.map((e) => e.session_id));
  const unfinished = found.offset < found.size;
  if (unfinished) {
    const after = old.events.filter(pl.col("line").gt(lines));
    for (const s of after.getColumn("session_id").toArray() as string[]) touched.add(s);
  }
  // a stored chunk that does not decompress to what its header says (its parts are read as they
  // are needed): the file is read whole, and its entry written anew
  let before: ReturnType<typeof storedEvents>;
  try {
    before = storedEvents(stored, name, keepText, touched);
  } catch {
    return null;
  }
  // the stored columns opened to find those sessions are garbage now (little else is on the heap)
  if (id.size >= LARGE_INPUT_BYTES) collectGarbage();
  const part = assembleFrames(before.events.concat(fresh), [], { keepText });
  const complete = mergeAfter(found.diagnostics, [read.diagnostics]);
  const diagnostics = read.last
    ? mergeAfter(found.diagnostics, [read.diagnostics, read.last.diagnostics])
    : complete;
  // session-metadata columns in the order their fields first appear, as a whole read gives them
  const columns = [...Object.keys(SESSION_COLUMNS)];
  const seen = new Set(columns);
  const metadata = before.metadata.concat(
    fresh.flatMap((e) => e.type === "session_metadata" && e.metadata ? [e.metadata] : []),
  );
  for (const m of metadata) {
    for (const key of Object.keys(m)) {
      const column = metadataColumn(key);
      if (!seen.has(column)) columns.push(column);
      seen.add(column);
    }
  }
  // the old calls' prices taken when kept alike: only the calls assembled again are priced
  const pricedPart = hasKeptPrices(old.calls) ? withKeptPrices(part, options) : null;
  const reuse = pricedPart?.prices === prices;
  const spliced = splice(
    reuse ? old : dropKeptPrices(old),
    reuse ? pricedPart!.frames : part,
    [...touched],
    { lines, unfinished },
    diagnostics,
    columns,
  );
  const { frames, prices: kept } = reuse
    ? { frames: spliced.frames, prices }
    : withKeptPrices(spliced.frames, options);
  const fd = openSync(path, "r");
  let samples;
  try {
    samples = prefixSamples(fd, read.offset);
  } finally {
    closeSync(fd);
  }
  if (unchanged(plan, id, options)) {
    // new events only after the old ones: the old events are written as they are stored (the
    // calls, read by every load, are written whole: from one section a load of the entry takes
    // them as they are, where sections would be joined into one chunk again, about 0.2 s on
    // 200,000 calls)
    const rest = spliced.appendedEvents;
    writeCached(
      dir,
      id,
      frames,
      {
        size: id.size,
        offset: read.offset,
        lines: lines + read.lines,
        samples,
        events: encodeChunks(read.events.length, (a, b) => read.events.slice(a, b), keepText),
        before: stored,
        diagnostics: complete,
        keepText,
      },
      kept,
      rest && sections.events ? { events: { ...sections.events, rest } } : {},
    );
  }
  return frames;
}

/**
 * The frames of a grown file: the rows of the sessions not touched from `old`
 * (the file as its entry had it, up to line `lines`; `unfinished`: its last
 * line had no newline yet, so events after `lines` may be there), those of
 * the touched sessions from `part` (assembled again), in the order of a whole
 * read: calls, events and warnings by line, sessions by their first line; the
 * bad lines are `parsed` (the whole file's, folded). When the old last line
 * was complete, the old events are all kept first as they are and not even
 * decoded (the new frame's `events` is made on first use, `frames/lazy.ts`):
 * a touched session keeps its old row's place (its first line is before every
 * new line: no first line is computed), new sessions come after every old
 * one, and the old pairing warnings are placed by session (from the events)
 * only when a session is touched and there are some. `appendedEvents` are the
 * events after the old ones, for the entry to add to the old events as they
 * are stored (`writeCached`'s `carried`); null where the old events are not
 * all kept.
 */
function splice(
  old: ImportedFrames,
  part: ImportedFrames,
  touched: string[],
  { lines, unfinished }: { lines: number; unfinished: boolean },
  parsed: Diagnostic[],
  sessionColumns: string[],
): { frames: ImportedFrames; appendedEvents: pl.DataFrame | null } {
  const isTouched = pl.col("session_id").isIn(touched);
  const firstLine = (events: pl.DataFrame) =>
    events.groupBy("session_id").agg(pl.col("line").min().alias(FIRST));
  const newEvents = part.events.filter(pl.col("line").gt(lines));
  const calls = spliceCalls(old.calls, part.calls, touched);
  const oldTouched = touched.length > 0 && old.sessions.filter(isTouched).height > 0;
  // warnings of the sessions not touched (a warning is on the line of its event), then the new ones
  const oldWarnings = (events: () => pl.DataFrame) => {
    const pairing = old.diagnostics
      .filter(pl.col("code").isIn(PAIRING_CODES).and(pl.col("line").lessThanEquals(lines)));
    if (!oldTouched || pairing.height === 0) return pairing;
    return pairing.join(events().select("line", "session_id"), { on: "line" })
      .filter(isTouched.not())
      .drop("session_id");
  };
  if (!unfinished) {
    // every old row first, as it is; a touched session's row in its place, assembled again
    const sessions = oldTouched
      ? sessionsInPlace(old.sessions, part.sessions, isTouched)
      : pl.concat([old.sessions, part.sessions], { how: "diagonal" });
    const frames = lazyFrame(
      {
        calls,
        sessions: sessions.select(...sessionColumns),
        diagnostics: diagnosticsAfter(oldWarnings(() => old.events), part.diagnostics, parsed),
      },
      "events",
      () => pl.concat([old.events, newEvents], { how: "vertical", rechunk: false }),
    );
    return { frames, appendedEvents: newEvents };
  }
  // the old events up to `lines`: all of them unless the old last line gave events (no copy then)
  const oldLast = old.events.height ? Number(old.events.getColumn("line").max()) : 0;
  const keptEvents = oldLast <= lines
    ? old.events
    : old.events.filter(pl.col("line").lessThanEquals(lines));
  const sessions = pl.concat([
    old.sessions.filter(isTouched.not()).join(firstLine(keptEvents), { on: "session_id" }),
    part.sessions.join(firstLine(part.events), { on: "session_id" }),
  ], { how: "diagonal" }).sort(FIRST).select(...sessionColumns);
  // the new events appended as chunks of their own: the old ones not copied
  const events = pl.concat([keptEvents, newEvents], { how: "vertical", rechunk: false });
  return {
    frames: {
      calls,
      sessions,
      events,
      diagnostics: diagnosticsAfter(oldWarnings(() => keptEvents), part.diagnostics, parsed),
    },
    appendedEvents: keptEvents === old.events ? newEvents : null,
  };
}

/**
 * The sessions of a grown file whose new lines touch old sessions (and none
 * of its old lines was unfinished): the old rows in their order, each touched
 * one replaced by its row assembled again (`part`'s), then the new sessions in
 * `part`'s order. A session's first line is before every new line, so its
 * place among the old sessions (ordered by first line) is its old one, and the
 * new sessions' first lines are after every old one's.
 */
function sessionsInPlace(
  old: pl.DataFrame,
  part: pl.DataFrame,
  isTouched: pl.Expr,
): pl.DataFrame {
  const place = (df: pl.DataFrame) =>
    df.withRowIndex(FIRST).withColumns(pl.col(FIRST).cast(pl.Int64));
  const places = place(old).select("session_id", FIRST);
  const after = pl.lit(old.height).cast(pl.Int64);
  const again = place(part).rename({ [FIRST]: RANK })
    .join(places, { on: "session_id", how: "left" })
    .withColumns(pl.col(FIRST).fillNull(pl.col(RANK).add(after)))
    .drop(RANK);
  return pl.concat([place(old).filter(isTouched.not()), again], { how: "diagonal" })
    .sort(FIRST)
    .drop(FIRST);
}

/**
 * A grown file's diagnostics: the bad lines `parsed` (the whole file's,
 * folded), then by line the old pairing warnings kept and the new ones, as a
 * whole read sorts them (by line, a line's own problem before its warning).
 */
function diagnosticsAfter(
  oldWarnings: pl.DataFrame,
  newWarnings: pl.DataFrame,
  parsed: Diagnostic[],
): pl.DataFrame {
  const warnings = pl.concat([oldWarnings, newWarnings]).sort("line");
  const bad = assembleFrames([], parsed, {}).diagnostics;
  const rank = (df: pl.DataFrame, from: number) =>
    df.withColumns(pl.Series(RANK, Array.from({ length: df.height }, (_, i) => from + i)));
  return pl.concat([rank(bad, 0), rank(warnings, bad.height)])
    .sort(["line", RANK]).drop(RANK);
}

/**
 * The calls of a grown file: the old calls of the sessions not touched, then
 * those of `part`, by line. Appended calls of new sessions (the common growth)
 * come after every old call and no old call goes: the old frame is kept as it
 * is, the new calls as a chunk of their own (no copy of the old calls, which
 * a filter and a sort made twice). With the old events kept whole too
 * (`splice`), 2,000 calls appended to 200,000 (784 MB) load at a peak of
 * 438–443 MiB against 541–562 (0.58–0.59× the grown file against
 * 0.72–0.74×; 5 runs each, alternated), in 0.65–0.67 s against 0.68–0.73.
 * Otherwise one lazy query filters, concatenates and sorts them inside Polars.
 */
function spliceCalls(old: pl.DataFrame, part: pl.DataFrame, touched: string[]): pl.DataFrame {
  const line = (df: pl.DataFrame, end: "min" | "max") =>
    df.height ? Number(df.getColumn("line")[end]()) : end === "min" ? Infinity : -Infinity;
  const isTouched = pl.col("session_id").isIn(touched);
  // the lines first (two numbers), then whether an old call is of a touched session
  const after = line(part, "min") > line(old, "max");
  if (
    after && (old.height === 0 || touched.length === 0 || old.filter(isTouched).height === 0)
  ) {
    return pl.concat([old, part], { how: "vertical", rechunk: false });
  }
  return pl.concat([old.lazy().filter(isTouched.not()), part.lazy()], {
    how: "vertical",
    rechunk: false,
  }).sort("line").collectSync();
}

/**
 * Characters of texts (`keepText`) past which a file's events are not kept to
 * read on from when it grows: the stored events join them into one string,
 * which V8 caps at about 512 million characters (a 784 MB file of 200,000
 * calls holds about 700 million in its prompts and outputs: `compare` and
 * `report --outputs` crashed writing its entry), and which would hold as much
 * memory again. The file is then read whole on its next growth.
 */
export const MAX_STORED_TEXT_CHARS = 64 * 1024 * 1024;

/** JSON's white space within a line (space, tab, CR): a line of only these is blank. */
const isBlankByte = (b: number) => b === 32 || b === 9 || b === 13;

/** Newlines in the first `end` bytes of an open file. */
function countLines(fd: number, end: number): number {
  const buf = new Uint8Array(Math.min(end, 4 * 1024 * 1024));
  let lines = 0;
  for (let at = 0; at < end;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - at), at);
    if (n === 0) break;
    const bytes = byteString(buf, n);
    for (let i = bytes.indexOf("\n"); i >= 0; i = bytes.indexOf("\n", i + 1)) lines++;
    at += n;
  }
  return lines;
}

/**
 * Where a native file read whole stopped, to cache with its entry: the byte
 * after its last complete line, the lines before it, and their events and bad
 * lines (a last line with no newline yet is left out: the next read completes
 * it). Every line that is not blank (or is longer than the limit) gives an
 * event or a bad line, so the number of lines is the last such line's number
 * plus the blank lines after it, read backwards from the end; when that cannot
 * be told so (bad lines counted past the listing limit, a long blank run), the
 * newlines are counted. Null when the unfinished last line was counted past the
 * limit: the file is then read whole next time.
 */
function stoppedAt(
  path: string,
  size: number,
  read: FileRead,
  maxLineBytes: number,
): ResumeState | null {
  const { table, from, to, diagnostics } = read;
  const folded = diagnostics.some((d) => (d.count ?? 1) > 1);
  let maxLine = to > from ? table.line[to - 1]! : 0;
  for (const d of diagnostics) if ((d.count ?? 1) === 1 && d.line > maxLine) maxLine = d.line;
  const fd = openSync(path, "r");
  try {
    const offset = lastLineEnd(fd, 0, size);
    const state = (lines: number): ResumeState => {
      // the events of the lines before: the file's events are in line order
      let end = to;
      while (end > from && table.line[end - 1]! > lines) end--;
      return {
        size,
        offset,
        lines,
        samples: prefixSamples(fd, offset),
        // encoded now: the table is not held past the frames' assembly; texts too long to keep
        // (their one string) leave the entry no place to read on from: read whole when it grows
        events: table.textChars(from, end) <= MAX_STORED_TEXT_CHARS
          ? encodeChunks(end - from, (a, b) => table.encode(from + a, from + b), table.keepText)
          : null,
        diagnostics: diagnostics.filter((d) => d.line <= lines),
        keepText: table.keepText,
      };
    };
    if (offset === 0) return state(0);
    if (offset < size) {
      // a last line with no newline: if it is not blank (or too long), it gave the last event or bad line
      let gave = size - offset > maxLineBytes;
      if (!gave) {
        const rest = new Uint8Array(size - offset);
        readSync(fd, rest, 0, rest.length, offset);
        gave = !rest.every(isBlankByte);
      }
      if (gave) {
        if (!folded) return state(maxLine - 1);
        const lines = countLines(fd, offset);
        return maxLine === lines + 1 ? state(lines) : null; // else it was counted in a folded row
      }
    }
    if (folded) return state(countLines(fd, offset));
    // the blank lines before the offset, back to the last line that is not blank
    const buf = new Uint8Array(Math.min(offset, 64 * 1024));
    let newlines = 0;
    for (let stop = offset; stop > 0;) {
      // a blank run that long may hold a line over the limit (a bad line): count
      if (offset - stop > maxLineBytes) return state(countLines(fd, offset));
      const from = Math.max(0, stop - buf.length);
      const n = readSync(fd, buf, 0, stop - from, from);
      for (let i = n - 1; i >= 0; i--) {
        const b = buf[i]!;
        if (b === 10) newlines++;
        else if (!isBlankByte(b)) {
          // the line of this byte is the last one that gave something (a BOM alone gives nothing)
          return state(maxLine === 0 ? countLines(fd, offset) : maxLine + newlines - 1);
        }
      }
      stop = from;
    }
    return state(newlines); // only blank lines
  } finally {
    closeSync(fd);
  }
}

/** Where the reading of each keyed native file stopped, by name (see {@link stoppedAt}). */
function prepareStates(
  read: NativeRead,
  keyed: { plan: FilePlan; id: CacheIdentity }[],
  options: LoadOptions,
  states: Map<string, ResumeState | null>,
): void {
  const native = new Map(
    keyed.filter((k) => !k.plan.adapter.parse).map((k) => [k.plan.input.name, k]),
  );
  if (native.size === 0) return;
  // each file's events (a run of them: they come in file order) and bad lines
  const byFile = new Map<string, FileRead>();
  const of = (file: string) => {
    let r = byFile.get(file);
    if (!r) byFile.set(file, r = { table: read.events, from: 0, to: 0, diagnostics: [] });
    return r;
  };
  const table = read.events;
  for (let start = 0, i = 1; start < table.n; i++) {
    if (i === table.n || table.fileCode[i] !== table.fileCode[start]) {
      const file = table.file(start);
      if (native.has(file)) Object.assign(of(file), { from: start, to: i });
      start = i;
    }
  }
  for (const d of read.diagnostics) if (native.has(d.file)) of(d.file).diagnostics.push(d);
  for (const [name, { plan, id }] of native) {
    const state = stoppedAt(
      plan.input.path,
      id.size,
      of(name),
      options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    );
    states.set(name, state);
  }
}

/**
 * Write the cache entry of each file of frames read together, except files
 * that share a session with another file (their frames depend on it), with
 * where the reading of a native file stopped, and the prices the calls hold
 * ({@link withKeptPrices}) under the identity `prices`.
 */
function cacheFileByFile(
  dir: string,
  frames: ImportedFrames,
  keyed: { plan: FilePlan; id: CacheIdentity }[],
  states: Map<string, ResumeState | null>,
  options: LoadOptions,
  prices: string | null,
): void {
  const write = (plan: FilePlan, id: CacheIdentity, frames: ImportedFrames) => {
    if (!unchanged(plan, id, options)) return;
    writeCached(dir, id, frames, states.get(plan.input.name) ?? undefined, prices);
  };
  if (keyed.length === 1 && frames.sessions.getColumn("file").nUnique() <= 1) {
    write(keyed[0]!.plan, keyed[0]!.id, frames);
    return;
  }
  const spans = frames.events.select("session_id", "file")
    .vstack(frames.calls.select("session_id", "file"))
    .unique()
    .groupBy("session_id")
    .agg(pl.col("file").nUnique().alias("n"))
    .filter(pl.col("n").gt(1));
  const shared = new Set(
    frames.events.join(spans.select("session_id"), { on: "session_id" }).getColumn("file").unique()
      .toArray() as string[],
  );
  const parts = (df: pl.DataFrame) => {
    const map = new Map<string, pl.DataFrame>();
    if (df.height) {
      for (const part of df.partitionBy("file")) {
        map.set(String(part.getColumn("file").get(0)), part);
      }
    }
    return map;
  };
  const split = {
    calls: parts(frames.calls),
    sessions: parts(frames.sessions),
    events: parts(frames.events),
    diagnostics: parts(frames.diagnostics),
  };
  for (const { plan, id } of keyed) {
    const name = plan.input.name;
    if (shared.has(name)) continue;
    const of = (k: keyof typeof split) => split[k].get(name) ?? frames[k].head(0);
    write(plan, id, {
      calls: of("calls"),
      sessions: of("sessions"),
      events: of("events"),
      diagnostics: of("diagnostics"),
    });
  }
}

/**
 * Load trace files of any format tracebook reads into the frames of the
 * contract (`src/frames/columns.ts`). Inputs are files, directories (searched
 * recursively for `*.jsonl`, `*.json`, `*.ndjson` and `.gz` forms), globs and
 * `-` (standard input). Each file's format is detected from its first bytes
 * (`options.format` overrides it). Lenient by default: every non-blank line of
 * a native file is an event or one row of `diagnostics`; a file of no known
 * format is one `not_a_trace` warning, or a {@link UserError} when the user
 * named it; a run with no trace at all throws. Each file's frames are cached
 * (`options.cache`; small files together, `options.smallFileBytes`).
 *
 * @example
 * ```ts
 * import { loadTraces } from "./load_traces.ts";
 * const traces = await loadTraces("traces/");
 * if (traces.calls.height === 0 || traces.formats?.[traces.files[0]!] !== "native") throw new Error();
 * ```
 */
export async function loadTraces(
  inputs: string | string[],
  options: LoadOptions = {},
): Promise<TraceSet> {
  const list = typeof inputs === "string" ? [inputs] : [...inputs];
  if (options.timezone) checkTimezone(options.timezone);
  const forced = options.format ? formatByName(options.format) : null;
  const found = await findTraceInputs(list);
  const { inputs: staged, cleanup, diagnostics: unreadable } = await stageInputs(found.inputs);
  // the cache entries this load reads or writes (stopped in any case, kept only with its result)
  const stopWatching = watchEntries();
  try {
    // the caller's last load, when it still holds it and nothing changed (`_recent.ts`)
    const key = loadKey(
      list,
      staged,
      [found.diagnostics, unreadable],
      { ...options },
      options.cache === false ? false : options.cache ?? defaultCacheDir(),
    );
    const held = key === null ? null : recentLoad(key);
    if (held) return held;
    const plans: FilePlan[] = [];
    const formats: Record<string, string> = {};
    const fileDiagnostics: Diagnostic[] = [...found.diagnostics, ...unreadable];
    // the files a set entry holds as they are: their format is known
    const known = knownFiles(list, staged, options);
    const early = forced ? null : earlyReads(staged, options);
    if (early) options = { ...options, onProgress: early.onProgress };
    // the allocator set before a large input is read (early reads go on in the loop below), and
    // its freed memory kept for reuse below half the input's size (`keepFreedMemoryBelow`)
    const prepareLarge = (bytes: number[]) => {
      const total = bytes.reduce((a, b) => a + b, 0);
      if (total < LARGE_INPUT_BYTES) return;
      trimOnFree();
      keepFreedMemoryBelow(KEEP_FREED_SHARE * total);
    };
    if (early) prepareLarge(early.sizes);
    for (const [k, input] of staged.entries()) {
      const was = known.get(input.name);
      // read early, a file is sampled from one read of its first MiB, which the reader goes on from
      const sampled = forced || was
        ? null
        : sampleFileLines(input.path, input.name, { whole: early !== null, size: early?.sizes[k] });
      const sample = sampled?.sample;
      const adapter = forced ?? was?.adapter ?? detectFormat(sample!);
      if (!adapter) {
        const looks = describeSample(sample!, input.parquet);
        if (input.named) throw new UserError(messages.notATrace(input.name, looks));
        fileDiagnostics.push({
          file: input.name,
          line: 1,
          code: "not_a_trace",
          message: messages.notATraceDiagnostic(looks),
          severity: "warning",
        });
        continue;
      }
      formats[input.name] = adapter.name;
      if (early && !adapter.parse) {
        // read now, taking the lines its detection parsed (see EarlyReads)
        const size = early.sizes[k]!;
        early.reads.read({ ...input, size }, sampled?.lines);
        plans.push({ input, adapter, size, early: early.reads });
        continue;
      }
      plans.push(
        was
          ? { input, adapter, size: was.id.size, id: was.id }
          : { input, adapter, size: early?.sizes[k] ?? statSync(input.path).size },
      );
    }
    if (plans.length === 0) throw new UserError(messages.noTraceAtAll(list));
    prepareLarge(plans.map((p) => p.size));
    let { frames, parsedBytes } = await loadFrames(plans, options, list);
    // the calls' prices, when every part of the load holds them (from an entry, or priced to be kept)
    const priced = hasKeptPrices(frames.calls);
    if (priced) frames = withFrames(frames, { calls: takeKeptPrices(frames.calls) });
    // calls a continued session copied from an earlier file: counted once (`_copies.ts`)
    const copies = dropCopiedCalls(
      frames.calls,
      frames.sessions,
      Object.values(formats),
      () => frames.events,
    );
    if (copies) {
      frames = withFrames(frames, { calls: copies.calls, sessions: copies.sessions });
      fileDiagnostics.push(...copies.warnings);
    }
    if (fileDiagnostics.length) {
      frames = concatFrames([
        frames,
        assembleImportedFrames({ calls: [], events: [], diagnostics: fileDiagnostics }),
      ]);
    }
    frames = contiguous(frames);
    if (options.strict) checkStrict(frames.diagnostics);
    const calls = options.group === undefined
      ? frames.calls
      : frames.calls.withColumns(pl.lit(options.group).cast(pl.Utf8).alias("group"));
    // the frames of a cache entry not yet read stay so (`events`, made on first use)
    const traces: TraceSet = withFrames(frames as TraceSet, {
      calls: priced ? calls : applyPrices(calls, priceOptions(options)),
      files: staged.map((i) => i.name),
      inputs: list,
      formats,
    });
    // the intermediates of building the frames are freed: give their pages back before the
    // caller's summaries and figures allocate theirs. Frames read from the cache leave little
    // garbage: the pages already free are given back, without a collection (200,000 calls, 12
    // loads from the entry: 54-72 ms each instead of 115-130, the process at 390-410 MiB
    // after them instead of 270-300, below a cold load's peak)
    if (parsedBytes >= LARGE_INPUT_BYTES) await settleMemory();
    else if (plans.reduce((sum, p) => sum + p.size, 0) >= LARGE_INPUT_BYTES) releaseFreedMemory();
    const entries = stopWatching();
    if (key !== null) keepLoad(key, traces, entries);
    return traces;
  } finally {
    stopWatching();
    cleanup();
  }
}

/**
 * A load without the cache whose files are read in one pass on the calling
 * thread reads each native file right after detecting its format (see
 * {@link EarlyReads}), with the sizes of its files; null for any other load.
 * Progress goes on from the bytes read early (`onProgress`: the caller's,
 * never going back).
 */
function earlyReads(
  staged: TraceInput[],
  options: LoadOptions,
): { reads: EarlyReads; sizes: number[]; onProgress?: LoadOptions["onProgress"] } | null {
  if (options.cache !== false) return null;
  const sizes = staged.map((input) => foundSize(input) ?? fileStat(input.path).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  // one pass, without workers: as loadFrames would read these files
  if (total > (options.passBytes ?? PASS_BYTES)) return null;
  const workers = options.workers ?? loadWorkers(total);
  if (!EarlyReads.fit(total, { workers })) return null;
  const caller = options.onProgress;
  let best = 0;
  const onProgress = caller && ((done: number, all: number) => {
    if (done >= best) caller(best = done, all);
  });
  return {
    reads: new EarlyReads(total, { ...nativeOptions(options), onProgress }),
    sizes,
    onProgress,
  };
}

/** Options of {@link fromTraceText}. */
export interface FromTraceTextOptions extends Omit<LoadOptions, "cache" | "onProgress"> {
  /** The name reported in the `file` columns. @default {"<text>"} */
  file?: string;
}

/**
 * Build a `TraceSet` from the text of a trace file of any format (e.g. in a
 * notebook or a test): the format is detected from the text unless
 * `options.format` names it.
 *
 * @example
 * ```ts
 * import { fromTraceText } from "./load_traces.ts";
 * const t = fromTraceText('{"type":"llm_request","timestamp":"2025-04-08T19:42:09","session_id":"s","data":{"request_id":"r"}}\n');
 * if (t.calls.getColumn("status").get(0) !== "pending") throw new Error("wrong");
 * const b = fromTraceText('{"custom_id":"r1","response":null,"error":{"code":"expired","message":"Batch expired"}}\n');
 * if (b.calls.getColumn("error").get(0) !== "Batch expired" || b.formats?.["<text>"] !== "openai_batch") throw new Error();
 * ```
 */
export function fromTraceText(text: string, options: FromTraceTextOptions = {}): TraceSet {
  if (options.timezone) checkTimezone(options.timezone);
  const file = options.file ?? "<text>";
  const sample = sampleOfText(text.slice(0, 4 * 1024 * 1024), file);
  const adapter = options.format ? formatByName(options.format) : detectFormat(sample);
  if (!adapter) throw new UserError(messages.notATrace(file, describeSample(sample)));
  const frameOptions = { group: options.group ?? null, keepText: options.keepText };
  let frames: ImportedFrames;
  if (adapter.parse) {
    const records = parseWith(adapter, textSource(text, file), file, options);
    if (options.strict) checkStrict(records.diagnostics);
    frames = assembleImportedFrames(records, frameOptions);
  } else {
    const { events, diagnostics } = parseTraceText(text, file, options);
    if (options.strict) checkStrict(diagnostics);
    frames = assembleFrames(events, diagnostics, frameOptions);
  }
  return {
    ...frames,
    calls: applyPrices(frames.calls, { overrides: options.prices, listPrices: options.listPrices }),
    files: [file],
    inputs: [file],
    formats: { [file]: adapter.name },
  };
}

/**
 * Load labelled groups of inputs (e.g. `{ "gpt-4o": [...], "o1-mini": [...] }`)
 * into one `TraceSet` whose `calls.group` holds the label, for comparisons.
 *
 * @example
 * ```ts
 * import { loadTraceGroups } from "./load_traces.ts";
 * const t = await loadTraceGroups({ early: ["traces/trace_[0-9]*.jsonl"], late: ["traces/trace_[a-f]*.jsonl"] });
 * if (t.calls.getColumn("group").unique().len() !== 2) throw new Error("two groups");
 * ```
 */
export async function loadTraceGroups(
  groups: Record<string, string[]>,
  options: Omit<LoadOptions, "group"> = {},
): Promise<TraceSet> {
  const sets: TraceSet[] = [];
  for (const [label, inputs] of Object.entries(groups)) {
    sets.push(await loadTraces(inputs, { ...options, group: label }));
  }
  return concatTraceSets(sets);
}
