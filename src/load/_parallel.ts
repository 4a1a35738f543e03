/**
 * The native reader over several threads: native files are cut into
 * line-aligned byte ranges, parsed by workers (`_parse_worker.ts`, each with
 * {@link parseTraceRange}, the one reader of the format) that pass their
 * events back as columns, while the calling thread joins them in file and
 * line order: the same events and diagnostics as reading the files one line
 * after the other, so pairing (after joining) is unchanged. Without workers
 * (small inputs, or a runtime where they cannot start) the calling thread reads
 * the files itself, with the same function.
 *
 * @module
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { Worker as NodeWorker } from "node:worker_threads";
import { Claims } from "./_claims.ts";
import { addLineStarts, LINE_START_SPACING, rememberLineStarts } from "./_line_starts.ts";
import type { Diagnostic } from "./_event.ts";
import { type EncodedEvents, EventTable, transferablesOf } from "./_event_columns.ts";
import {
  DEFAULT_MAX_LINE_BYTES,
  mergeRangeDiagnostics,
  type ParsedTrace,
  parseTraceRange,
  type RangeDiagnostics,
  type SampledLines,
  stampOf,
} from "./parse_trace_text.ts";

/** One range of one file. */
export interface RangeTask {
  id: number;
  path: string;
  file: string;
  /** Bytes of the range as planned (for progress). */
  bytes: number;
  options: {
    start: number;
    /** Undefined for a file's last range: to the end of the file as it is when read. */
    end?: number;
    timezone?: string;
    keepText?: boolean;
    maxLineBytes: number;
  };
}

/** A worker's answer: a range read, a range that could not be, or the end of its ranges. */
export type RangeReply =
  | {
    id: number;
    events: EncodedEvents;
    diagnostics: Diagnostic[];
    folded?: ParsedTrace["folded"];
    lines: number;
    starts: number[];
  }
  | { id: number; error: string }
  | { done: true };

/** A range read by a worker. */
export type RangeRead = Extract<RangeReply, { events: EncodedEvents }>;

/** Options of {@link readNativeFiles}. */
export interface ReadNativeOptions {
  timezone?: string;
  keepText?: boolean;
  maxLineBytes?: number;
  /** Progress in bytes of these files. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads that parse the ranges while the calling thread joins them
   * (0: the calling thread reads the files itself).
   * @default {the number of cores less one (at most 7) on 4 cores or more when the files hold 32 MB or more, else 0}
   */
  workers?: number;
  /** Bytes of a range (a larger file is cut into several). @default {total / (16 × workers), within 4 to 16 MB} */
  rangeBytes?: number;
  /**
   * The workers' module (tests give one that fails, to check that the calling
   * thread then reads the ranges left). @default {`_parse_worker.ts`}
   */
  workerModule?: URL;
  /** These files read already, one after the other (taken when they are exactly the files). */
  early?: EarlyReads;
}

/**
 * Below this many bytes in all, starting workers costs more than it saves;
 * from it on, the loader also collects its garbage once done (`_memory.ts`).
 */
export const LARGE_INPUT_BYTES = 32 * 1024 * 1024;

/** Fewer cores than this: no workers by default. */
const MIN_CORES = 4;

/** A file to read (with its size, when the caller knows it). */
export interface NativeFile {
  path: string;
  name: string;
  size?: number;
}

interface Range {
  file: number;
  start: number;
  end: number;
}

/** The first byte after the newline at or after `at`, or `size`. */
function lineStartFrom(fd: number, at: number, size: number): number {
  const buf = new Uint8Array(64 * 1024);
  for (let pos = at; pos < size;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (n === 0) break;
    const nl = buf.subarray(0, n).indexOf(10);
    if (nl >= 0) return pos + nl + 1;
    pos += n;
  }
  return size;
}

/** Line-aligned ranges of about `rangeBytes` covering each file, in file order. */
function planRanges(files: NativeFile[], sizes: number[], rangeBytes: number): Range[] {
  const ranges: Range[] = [];
  files.forEach((f, i) => {
    const size = sizes[i]!;
    if (size <= rangeBytes * 1.5) {
      ranges.push({ file: i, start: 0, end: size });
      return;
    }
    const fd = openSync(f.path, "r");
    try {
      let start = 0;
      while (start < size) {
        const end = size - start <= rangeBytes * 1.5
          ? size
          : lineStartFrom(fd, start + rangeBytes - 1, size);
        ranges.push({ file: i, start, end });
        start = end;
      }
    } finally {
      closeSync(fd);
    }
  });
  return ranges;
}

/** The parsed range: its events in the joined table (read here, from event `from` on), or encoded (by a worker). */
interface RangeResult {
  events: EventTable | EncodedEvents;
  from?: number;
  diagnostics: Diagnostic[];
  folded?: ParsedTrace["folded"];
  lines: number;
  /** Where lines start (`ParsedRange.starts`: lines numbered from 1 at the range's start). */
  starts: number[];
}

/**
 * Workers by default: not on fewer than 4 cores. On this project's 2-core
 * machine (200,000 calls, 784 MB, without the cache; each process timed whole:
 * wall, user + system time, peak RSS), 2 workers against none:
 * - `loadTraces`, when the host gave both cores: 1.74–1.86 s against
 *   2.11–2.29 s, but 2.77–2.97 s of CPU against 2.45–2.72, and a peak of
 *   381–397 MB against 356–371;
 * - `analyze`: 2.63–2.73 s against 2.87–3.02 s, a peak of 383–408 MB against
 *   403–417 (its peak comes later, when the calling thread's heap is smaller
 *   for not having parsed), 4.03–4.20 s of CPU against 3.57–3.80;
 * - when the host did not give both cores (two busy processes ran at half
 *   speed each, from one minute to the next), `loadTraces` took 2.96–3.31 s
 *   against 2.49–2.86.
 * The workers' memory is their isolates (25 MB each before any work, 7 more
 * with zod, which the reader imports), their heaps (about 35 MB each) and
 * their allocator arenas (20 MB less with `MALLOC_ARENA_MAX=1`), against the
 * calling thread's parsing garbage they spare (its heap 70 MB instead of 150).
 */
function workerCount(total: number, options: ReadNativeOptions): number {
  if (options.workers !== undefined) return Math.max(0, Math.floor(options.workers));
  // no Web Worker global (Node): the worker module, TypeScript with npm: imports, would not run
  if (total < LARGE_INPUT_BYTES || typeof Worker === "undefined") return 0;
  const cores = coreCount();
  return cores < MIN_CORES ? 0 : Math.min(7, cores - 1);
}

/** The machine's cores (1 where the runtime does not say). */
const coreCount = () => typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 1 : 1;

/** Native files to parse of this many bytes or more in one load: two workers on 2 or 3 cores too. */
const LARGE_ON_FEW_CORES = 256 * 1024 ** 2;

/**
 * The workers for every read of a load that parses `bytes` of native files
 * (in passes), where they differ from each read's own default: 2 on 2 or 3
 * cores for 256 MiB or more. Their time is paid back: one 784 MB file,
 * `analyze` (writing the cache) on 2 cores took 2.37–2.60 s against 2.71–2.82
 * s, peaking at 449–472 MiB against 433–484 (6 runs each, alternated: their
 * memory, about 70 MB, is gone before the report's peak once each worker's
 * end is awaited); 10 files, 7.8 GB, `analyze --no-cache` took 18.9 s against
 * 21.4 s. They take about 0.25 s more CPU, and are slower when the host does
 * not give both cores (see {@link workerCount}).
 *
 * @example
 * ```ts
 * import { loadWorkers } from "./_parallel.ts";
 * // a small load keeps each read's own default
 * if (loadWorkers(100 * 1024 ** 2) !== undefined) throw new Error();
 * ```
 */
export function loadWorkers(bytes: number): number | undefined {
  if (typeof Worker === "undefined") return undefined;
  const cores = coreCount();
  return cores >= 2 && cores < MIN_CORES && bytes >= LARGE_ON_FEW_CORES ? 2 : undefined;
}

/** Bytes joined from which the joined table's final size is foreseen (a small first file could mislead). */
const RESERVE_AFTER_BYTES = 4 << 20;

/** The largest range a worker reads at once: the events of a range are in memory twice (read, then joined). */
const MAX_RANGE_BYTES = 16 << 20;

/**
 * Bytes a worker decodes at a time: below V8's large-object size (128 KB), so
 * that a slice's text is young garbage, not old: one worker's collections took
 * 0.25 s for 784 MB with 64 KB slices, 0.43 s with 1 MB ones.
 */
const WORKER_SLICE_BYTES = 64 * 1024;

/**
 * A worker's young generation (MB): its garbage is collected often, and its
 * heap stays small (V8's default let each worker's grow to 64 MB of new space,
 * 150 MB in all, and the two workers' peak 160 MB above the calling thread's).
 */
const WORKER_YOUNG_MB = 8;

/**
 * Native files read on the calling thread one after the other into one table,
 * each as soon as its caller knows it is native, as {@link readNativeFiles}
 * reads them without workers (the same function, the same table, the same
 * results); {@link readNativeFiles} then takes them when it is given exactly
 * these files. `loadTraces` reads a file here right after detecting its
 * format, while the lines detection parsed are at hand: the reader takes their
 * values (`head`) instead of parsing them again, and nothing of them is held
 * from one file to the next. 1,000 files of 160 KB (50,000 calls): detection
 * parsed 46% of their lines a second time.
 */
export class EarlyReads {
  /** The events of the files read, in order. */
  readonly table: EventTable;
  /** The names of the files read, in order. */
  readonly names: string[] = [];
  /** What each file's read gave (its events in {@link table} from `from` on). */
  readonly reads: RangeResult[] = [];
  readonly #total: number;
  readonly #options: ReadNativeOptions;
  #bytes = 0;
  #done = 0;
  #reserved = false;
  #taken = false;

  /**
   * For files of `total` bytes in all (or more: room for their events is made
   * from it), read with these options (`onProgress` is told of `total`).
   */
  constructor(total: number, options: ReadNativeOptions) {
    this.#total = total;
    this.#options = options;
    this.table = new EventTable(options.keepText ?? false, 64 * 1024);
  }

  /** Whether {@link readNativeFiles} reads files of `total` bytes on the calling thread (no workers). */
  static fit(total: number, options: ReadNativeOptions): boolean {
    return workerCount(total, options) === 0;
  }

  /** Read the next file (its `size` as planned); `head`: its first lines as its detection parsed them. */
  read(file: NativeFile & { size: number }, head?: SampledLines): void {
    const from = this.table.n;
    const o = this.#options;
    const read = parseTraceRange(file.path, file.name, {
      timezone: o.timezone,
      keepText: o.keepText,
      maxLineBytes: o.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      into: this.table,
      head,
      onBytes: o.onProgress && ((n) => o.onProgress!(this.#done += n, this.#total)),
    });
    this.reads.push({ ...read, events: this.table, from });
    this.names.push(file.name);
    this.#bytes += file.size;
    if (!this.#reserved && this.#bytes >= Math.min(this.#total, RESERVE_AFTER_BYTES)) {
      // as readNativeFiles does: room for all the events at once, foreseen from the first files'
      this.#reserved = true;
      this.table.reserve(Math.ceil(this.table.n / Math.max(1, this.#bytes) * this.#total * 1.125));
    }
  }

  /** These reads, when they are of exactly `files` (in order), once; else null. */
  take(files: NativeFile[]): EarlyReads | null {
    if (this.#taken || files.length !== this.names.length) return null;
    if (!files.every((f, i) => f.name === this.names[i])) return null;
    this.#taken = true;
    return this;
  }
}

/**
 * Events (in a table) and bad-line diagnostics of native files, in file then
 * line order, exactly as reading each file with `parseTraceFile`, but with the
 * files cut into ranges parsed in worker threads while the calling thread joins them.
 */
export async function readNativeFiles(
  files: NativeFile[],
  options: ReadNativeOptions = {},
): Promise<{ events: EventTable; diagnostics: Diagnostic[] }> {
  const sizes = files.map((f) => f.size ?? statSync(f.path).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const early = options.early?.take(files) ?? null;
  const workers = early ? 0 : workerCount(total, options);
  const rangeBytes = options.rangeBytes ??
    Math.min(MAX_RANGE_BYTES, Math.max(4 << 20, Math.ceil(total / (16 * Math.max(1, workers)))));
  // in the calling thread, a file is one range (read in slices all the same)
  const ranges = workers > 0
    ? planRanges(files, sizes, rangeBytes)
    : files.map((_, i) => ({ file: i, start: 0, end: sizes[i]! }));
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const tasks: RangeTask[] = ranges.map((r, id) => ({
    id,
    path: files[r.file]!.path,
    file: files[r.file]!.name,
    bytes: r.end - r.start,
    options: {
      start: r.start,
      // a file's last range reads to its end as it is then (it may have grown since it was sized)
      end: r.end < sizes[r.file]! ? r.end : undefined,
      timezone: options.timezone,
      keepText: options.keepText,
      maxLineBytes,
    },
  }));
  let done = 0;
  options.onProgress?.(0, total);
  const results = new Array<RangeResult | undefined>(tasks.length);
  // join in order, as results come: lines continue from range to range of a file
  const keepText = options.keepText ?? false;
  const events = early?.table ?? new EventTable(keepText, 64 * 1024);
  const diagnostics: Diagnostic[] = [];
  let joined = 0;
  let joinedBytes = 0;
  let reserved = early !== null; // the early reads made their room
  early?.reads.forEach((r, i) => results[i] = r); // one range a file, without workers
  let file = -1;
  let offset = 0;
  let parts: RangeDiagnostics[] = [];
  // where each file's lines start, kept for reading its calls' texts again (`_line_starts.ts`):
  // for a file of a size that can hold two starts, as it is now and still of the size it was
  // planned for (an early read parsed it already)
  const stamps = files.map((f, i) => {
    if (sizes[i]! < 2 * LINE_START_SPACING || f.path !== f.name) return null;
    try {
      const stamp = stampOf(statSync(f.path));
      return stamp.size === sizes[i] ? stamp : null;
    } catch {
      return null;
    }
  });
  let starts: number[] = [];
  let lastStart = 0;
  const keepStarts = () => {
    if (file >= 0 && stamps[file]) rememberLineStarts(files[file]!.name, stamps[file]!, starts);
    starts = [];
    lastStart = 0;
  };
  const flush = () => {
    for (const d of mergeRangeDiagnostics(parts)) diagnostics.push(d);
    parts = [];
  };
  const joinReady = (): number => {
    for (; joined < ranges.length && results[joined]; joined++) {
      const range = ranges[joined]!;
      const r = results[joined]!;
      results[joined] = undefined;
      if (range.file !== file) {
        flush();
        keepStarts();
        file = range.file;
        offset = 0;
      }
      if (stamps[file]) lastStart = addLineStarts(starts, r.starts, offset, lastStart);
      if (r.events instanceof EventTable) {
        // a range read in place: its lines count from 1 at its start, moved after the file's before it
        if (offset > 0) { for (let j = r.from!; j < events.n; j++) events.line[j]! += offset; }
      } else {
        events.appendEncoded(r.events, files[range.file]!.name, offset);
        // the worker's arrays are copied: free them now, not at a collection that may be far
        for (const b of transferablesOf(r.events)) b.transfer?.(0);
      }
      parts.push({ diagnostics: r.diagnostics, folded: r.folded, lineOffset: offset });
      offset += r.lines;
      joinedBytes += range.end - range.start;
      if (!reserved && ranges.length > 1 && joinedBytes >= Math.min(total, RESERVE_AFTER_BYTES)) {
        // room for all the events at once, foreseen from the first ranges': no copies as it grows
        reserved = true;
        events.reserve(Math.ceil(events.n / joinedBytes * total * 1.125));
      }
    }
    return joined;
  };
  /** Read the next range to join here, straight into the joined table. */
  const inPlace = (task: RangeTask): void => {
    const from = events.n;
    const read = parseTraceRange(task.path, task.file, {
      ...task.options,
      into: events,
      onBytes: (n) => options.onProgress?.(done += n, total),
    });
    results[task.id] = { ...read, events, from };
    joinReady();
  };
  if (workers > 0 && tasks.length > 1) {
    const module = options.workerModule ?? new URL("./_parse_worker.ts", import.meta.url);
    await runParallel(
      module,
      tasks,
      Math.min(workers, tasks.length),
      results,
      joinReady,
      (task) => {
        options.onProgress?.(done += task.bytes, total);
      },
    );
  }
  // every range not read by a worker (all of them without workers), in order
  for (let i = joinReady(); i < tasks.length; i = joinReady()) inPlace(tasks[i]!);
  flush();
  keepStarts();
  // the parsed JSON is garbage now, but no collection is forced here: V8 collects it while the
  // frames are built, and the loader forces one after that (`readFiles`); one here as well cost
  // 0.15–0.3 s on 200,000 calls for 14 MB less at the peak
  options.onProgress?.(total, total);
  return { events, diagnostics };
}

/** What the calling thread posts to a worker: all the tasks and the shared claims. */
export interface WorkerStart {
  tasks: RangeTask[];
  slots: Int32Array;
  window: number;
  sliceBytes: number;
}

/**
 * Read the tasks on `count` workers, which take them in order (see
 * {@link Claims}) and post back each range; `join` (in the calling thread)
 * joins what is ready and returns how many ranges are joined. A worker that
 * cannot start or stops early stops them all: the calling thread then reads
 * the ranges left.
 */
async function runParallel(
  module: URL,
  tasks: RangeTask[],
  count: number,
  results: (RangeResult | undefined)[],
  join: () => number,
  progress: (task: RangeTask) => void,
): Promise<void> {
  const claims = Claims.create(tasks.length, 2 * count + 1);
  const start: WorkerStart = {
    tasks,
    slots: claims.slots,
    window: claims.window,
    sliceBytes: WORKER_SLICE_BYTES,
  };
  let failed: unknown = null;
  const runs: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    runs.push(
      workerRun(module, start, (reply) => {
        results[reply.id] = reply;
        progress(tasks[reply.id]!);
        claims.joined(join());
      }, (err) => {
        if (err !== undefined) failed ??= err;
        claims.stop();
      }),
    );
  }
  await Promise.all(runs);
  if (failed !== null) throw failed;
}

/** Workers done with a read and kept for the next one ({@link keepWorkers}), by module. */
const idle = new Map<string, NodeWorker[]>();

/** Whether workers done with a read are kept for the next ({@link keepWorkers}). */
let keeping = false;

/**
 * Keep the workers of the reads from now on for the next read (`true`: the
 * passes of a load but its last, one per file of 256 MiB or more), rather than
 * start two again for each (about 70 ms of the calling thread, and the
 * workers' own start: their isolates and imports), or (`false`) let each
 * read's workers end with it, their ends awaited (their isolates and heaps
 * freed before the read's frames are built). Kept workers that no read took
 * again are ended by {@link endKeptWorkers}, which whoever keeps them calls
 * when done (a kept worker would hold the process open).
 *
 * @example
 * ```ts
 * import { endKeptWorkers, keepWorkers } from "./_parallel.ts";
 * keepWorkers(true);
 * keepWorkers(false);
 * await endKeptWorkers(); // none kept: resolves at once
 * ```
 */
export function keepWorkers(on: boolean): void {
  keeping = on;
}

/** End the workers {@link keepWorkers} kept, and wait for their ends. */
export async function endKeptWorkers(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map((w) => w.terminate().then(() => {}, () => {})));
}

/**
 * A new worker, which leaves the kept ones when it ends, and whose errors while
 * it is kept are not thrown (a run listens for them while it reads).
 */
function kept(module: URL, worker: NodeWorker): NodeWorker {
  worker.on("error", () => {});
  worker.on("exit", () => {
    const list = idle.get(module.href);
    const at = list?.indexOf(worker) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  });
  return worker;
}

/** One worker reading ranges until there are none left; resolves when it has stopped. */
function workerRun(
  module: URL,
  start: WorkerStart,
  onRange: (reply: RangeRead) => void,
  onStop: (err?: unknown) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let worker: NodeWorker;
    try {
      worker = idle.get(module.href)?.pop() ?? kept(
        module,
        new NodeWorker(module, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } }),
      );
    } catch {
      onStop();
      resolve();
      return;
    }
    let stopped = false;
    const stop = (clean: boolean, err?: unknown) => {
      if (stopped) return;
      stopped = true;
      worker.off("message", onMessage).off("error", onFailure).off("exit", onFailure);
      if (clean && keeping) {
        // done with its ranges: kept for the load's next read
        if (!idle.has(module.href)) idle.set(module.href, []);
        idle.get(module.href)!.push(worker);
        resolve();
        return;
      }
      if (!clean) onStop(err);
      // resolved once the worker's thread has ended, its isolate and heap freed: the load's
      // settling then gives their pages back
      worker.terminate().then(() => resolve(), () => resolve());
    };
    const onMessage = (reply: RangeReply) => {
      if (stopped) return; // after a failure, the calling thread reads the ranges left
      if ("done" in reply) stop(true);
      else if ("error" in reply) stop(false, new Error(reply.error));
      else onRange(reply);
    };
    // the worker could not run, or ended before its last range: the ranges left are read here
    const onFailure = () => stop(false);
    worker.on("message", onMessage);
    worker.on("error", onFailure);
    worker.on("exit", onFailure);
    worker.postMessage(start);
  });
}
