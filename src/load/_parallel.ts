/**
 * The native reader over several threads: native files are cut into
 * line-aligned byte ranges, parsed by Web Workers (`_parse_worker.ts`) and
 * the calling thread (each with {@link parseTraceRange}, the one reader of
 * the format; a worker passes its events back as columns), and joined
 * back in file and line order: the same events and diagnostics as reading
 * the files one line after the other, so pairing (after joining) is unchanged.
 * Small inputs, and runtimes without module workers, are read in the calling
 * thread by the same function.
 *
 * @module
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { Diagnostic } from "./_event.ts";
import { type EncodedEvents, EventTable } from "./_event_columns.ts";
import {
  DEFAULT_MAX_LINE_BYTES,
  mergeRangeDiagnostics,
  type ParsedTrace,
  parseTraceRange,
  type RangeDiagnostics,
} from "./parse_trace_text.ts";

/** One range of one file for a worker. */
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

/** A worker's answer to a {@link RangeTask}. */
export type RangeReply =
  | {
    id: number;
    events: EncodedEvents;
    diagnostics: Diagnostic[];
    folded?: ParsedTrace["folded"];
    lines: number;
  }
  | { id: number; error: string };

/** Options of {@link readNativeFiles}. */
export interface ReadNativeOptions {
  timezone?: string;
  keepText?: boolean;
  maxLineBytes?: number;
  /** Progress in bytes of these files. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads besides the calling thread, which parses ranges too (0: the
   * calling thread alone).
   * @default {the number of cores less one (at most 7) on 4 cores or more when the files hold 32 MB or more, else 0}
   */
  workers?: number;
  /** Bytes of a range (a larger file is cut into several). @default {total / (4 × threads), within 4 to 64 MB} */
  rangeBytes?: number;
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

/** The parsed range: its events in a table (read here), or encoded (by a worker). */
interface RangeResult {
  events: EventTable | EncodedEvents;
  diagnostics: Diagnostic[];
  folded?: ParsedTrace["folded"];
  lines: number;
}

function workerCount(total: number, options: ReadNativeOptions): number {
  if (options.workers !== undefined) return Math.max(0, Math.floor(options.workers));
  if (total < LARGE_INPUT_BYTES || typeof Worker === "undefined") return 0;
  const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 1 : 1;
  // on 2 shared cores, one worker measured slower than none (200,000 calls: 5.6–7.4 s against
  // 2.9–5.1 s, and 170 MB more): its start, the copies and a second heap's garbage collection
  // were not paid back
  return cores < MIN_CORES ? 0 : Math.min(7, cores - 1);
}

/**
 * Events (in a table) and bad-line diagnostics of native files, in file then
 * line order, exactly as reading each file with `parseTraceFile`, but with the
 * files cut into ranges parsed in worker threads and the calling thread.
 */
export async function readNativeFiles(
  files: NativeFile[],
  options: ReadNativeOptions = {},
): Promise<{ events: EventTable; diagnostics: Diagnostic[] }> {
  const sizes = files.map((f) => f.size ?? statSync(f.path).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const workers = workerCount(total, options);
  const rangeBytes = options.rangeBytes ??
    Math.min(64 << 20, Math.max(4 << 20, Math.ceil(total / (4 * (workers + 1)))));
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
  const events = new EventTable(keepText, 64 * 1024);
  const diagnostics: Diagnostic[] = [];
  let joined = 0;
  let file = -1;
  let offset = 0;
  let parts: RangeDiagnostics[] = [];
  const flush = () => {
    for (const d of mergeRangeDiagnostics(parts)) diagnostics.push(d);
    parts = [];
  };
  const joinReady = () => {
    for (; joined < ranges.length && results[joined]; joined++) {
      const range = ranges[joined]!;
      const r = results[joined]!;
      results[joined] = undefined;
      if (range.file !== file) {
        flush();
        file = range.file;
        offset = 0;
      }
      if (r.events instanceof EventTable) {
        // a table read in place is the joined table itself
        if (r.events !== events) events.append(r.events, offset);
      } else events.appendEncoded(r.events, files[range.file]!.name, offset);
      parts.push({ diagnostics: r.diagnostics, folded: r.folded, lineOffset: offset });
      offset += r.lines;
    }
  };
  // a range read in the calling thread, into a table of its own
  const local = (task: RangeTask): RangeResult => {
    const table = new EventTable(keepText);
    return {
      ...parseTraceRange(task.path, task.file, { ...task.options, into: table }),
      events: table,
    };
  };
  if (workers === 0) {
    // each file is one range, read in order: straight into the joined table
    for (const task of tasks) {
      const read = parseTraceRange(task.path, task.file, {
        ...task.options,
        into: events,
        onBytes: (n) => options.onProgress?.(done += n, total),
      });
      results[task.id] = { ...read, events };
    }
  } else {
    await runParallel(
      tasks,
      Math.min(workers, tasks.length - 1),
      results,
      (task) => {
        done += task.bytes;
        options.onProgress?.(done, total);
      },
      local,
      joinReady,
    );
  }
  joinReady(); // the rest: every result is in now
  flush();
  // the parsed JSON is garbage now, but no collection is forced here: V8 collects it while the
  // frames are built, and the loader forces one after that (`readFiles`); one here as well cost
  // 0.15–0.3 s on 200,000 calls for 14 MB less at the peak
  options.onProgress?.(total, total);
  return { events, diagnostics };
}

/**
 * Run the tasks on `count` module workers and the calling thread, each taking
 * the next task when done (a worker has two queued, so that it never waits
 * while the calling thread parses); `between` runs in the calling thread
 * between its tasks. A worker that cannot start (a runtime or
 * bundle without the worker module) leaves its tasks to the calling thread.
 */
async function runParallel(
  tasks: RangeTask[],
  count: number,
  results: (RangeResult | undefined)[],
  onDone: (task: RangeTask) => void,
  local: (task: RangeTask) => RangeResult,
  between: () => void,
): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const fail = (err: unknown) => (failed ??= err);
  const take = () => (failed === null && next < tasks.length ? tasks[next++]! : null);
  const runs: Promise<void>[] = [];
  for (let i = 0; i < count; i++) runs.push(workerRun(take, results, onDone, local, fail));
  while (true) {
    const task = take();
    if (!task) break;
    try {
      results[task.id] = local(task);
      onDone(task);
    } catch (err) {
      fail(err);
      break;
    }
    // let the workers' answers in (and give them their next task), and join what is ready
    await new Promise((resolve) => setTimeout(resolve, 0));
    between();
  }
  await Promise.all(runs);
  if (failed !== null) throw failed;
}

/** One worker taking tasks until there are none left; resolves when it has stopped. */
function workerRun(
  take: () => RangeTask | null,
  results: (RangeResult | undefined)[],
  onDone: (task: RangeTask) => void,
  local: (task: RangeTask) => RangeResult,
  fail: (err: unknown) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./_parse_worker.ts", import.meta.url), { type: "module" });
    } catch {
      resolve();
      return;
    }
    const pending = new Map<number, RangeTask>();
    const post = () => {
      const task = take();
      if (!task) return;
      pending.set(task.id, task);
      worker.postMessage(task);
    };
    const stop = () => {
      worker.terminate();
      resolve();
    };
    worker.onmessage = (e: MessageEvent<RangeReply>) => {
      const reply = e.data;
      const task = pending.get(reply.id)!;
      pending.delete(reply.id);
      if ("error" in reply) fail(new Error(reply.error));
      else {
        results[reply.id] = reply;
        onDone(task);
      }
      post();
      if (pending.size === 0) stop();
    };
    worker.onerror = (e: ErrorEvent) => {
      // the worker could not run: its tasks are read here
      e.preventDefault();
      worker.terminate();
      try {
        for (const task of pending.values()) {
          results[task.id] = local(task);
          onDone(task);
        }
      } catch (err) {
        fail(err);
      }
      resolve();
    };
    post();
    post();
    if (pending.size === 0) stop();
  });
}
