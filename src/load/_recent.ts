/**
 * The last load, while its caller still holds what it returned: a notebook's
 * cell `traces = await loadTraces("traces/")` run again gets the frames it
 * already has (copies of them: a Polars clone shares the columns' memory)
 * instead of reading the cache entries again, when nothing they came from has
 * changed:
 * - the same inputs expanding to the same files, each with the same stamp
 *   (real path, size, modification and change time, inode, device: the same
 *   test as the per-file cache, `fileStamp`), stamped before they were read;
 * - the same options (but the progress callback), the same cache folder, the
 *   same UTC day (a call with no time is priced at the day's prices);
 * - every cache entry the load looked for, read or wrote, with the same stamp
 *   (an entry removed, rewritten, corrupted or written since is a miss, and
 *   the load reads as usual, rebuilding what it must).
 *
 * Only the last load is kept, and only while the `TraceSet` it returned is
 * reachable (a `WeakRef`): once the caller lets it go, so does this module,
 * and memory stays what the caller holds. A load with `cache: false` neither
 * uses nor keeps it; neither does one with an input that cannot be stamped
 * (standard input, a compressed file read through a temporary copy).
 *
 * @module
 */
import type { TraceSet } from "../frames/columns.ts";
import { fileStamp } from "./cache_dir.ts";
import { withFrames } from "../frames/lazy.ts";

/** What a load is, for {@link recentLoad}: its inputs, files, their stamps, options. */
export type LoadKey = string;

interface Recent {
  key: LoadKey;
  /** Each entry file the load looked for, read or wrote, with its stamp then (null: there was none). */
  entries: [string, string | null][];
  /** The load's frames, copied (the caller's may be changed in place). */
  traces: TraceSet;
  /** The set last returned: the memory is kept only while the caller holds it. */
  held: WeakRef<TraceSet>;
}

let recent: Recent | null = null;

/** Forget the load whose returned set was collected (unless a later return is held). */
const forget = new FinalizationRegistry<Recent>((r) => {
  if (recent === r && r.held.deref() === undefined) recent = null;
});

/**
 * The key of a load of `inputs` expanding to `files` (path and name each) with
 * `options`, or null when it is not to be kept: no cache, or a file without a
 * stamp. Take it before the files are read, so that a file changed while it is
 * read is a miss the next time.
 */
export function loadKey(
  inputs: string[],
  files: { path: string; name: string }[],
  extra: unknown,
  options: Record<string, unknown> & { cache?: string | false },
  cacheDir: string | false,
): LoadKey | null {
  if (cacheDir === false) return null;
  const stamps: string[] = [];
  for (const f of files) {
    // a staged copy (standard input, a decompressed file) is not the input: nothing to stamp
    if (f.path !== f.name) return null;
    const stamp = fileStamp(f.path);
    if (stamp === null) return null;
    stamps.push(stamp);
  }
  const { onProgress: _, cache: __, ...rest } = options;
  // the UTC day: a call with no time is priced at today's prices (`applyPrices`)
  const day = new Date().toISOString().slice(0, 10);
  return JSON.stringify([inputs, files.map((f) => f.name), stamps, extra, rest, cacheDir, day]);
}

/**
 * Copies of a set's frames and lists (the columns' memory shared); a frame not
 * yet made (`frames/lazy.ts`) is copied when it is.
 */
function copy(t: TraceSet): TraceSet {
  return withFrames(t, {
    files: [...t.files],
    inputs: [...t.inputs],
    formats: t.formats ? { ...t.formats } : undefined,
  }, true);
}

/**
 * The frames of the last load when it had `key`, its caller still holds them
 * and none of its cache entries changed; else null (and the last load is
 * forgotten when it can no longer be used).
 */
export function recentLoad(key: LoadKey): TraceSet | null {
  const r = recent;
  if (!r || r.key !== key) return null;
  if (
    r.held.deref() === undefined || r.entries.some(([path, stamp]) => fileStamp(path) !== stamp)
  ) {
    recent = null;
    return null;
  }
  const out = copy(r.traces);
  r.held = new WeakRef(out);
  forget.register(out, r);
  return out;
}

/**
 * Keep `traces`, just returned by a load with `key` that looked for, read or
 * wrote the cache entries `entries`, while its caller holds it.
 */
export function keepLoad(key: LoadKey, traces: TraceSet, entries: string[]): void {
  const stamped = entries.map((path): [string, string | null] => [path, fileStamp(path)]);
  const r: Recent = { key, entries: stamped, traces: copy(traces), held: new WeakRef(traces) };
  recent = r;
  forget.register(traces, r);
}
