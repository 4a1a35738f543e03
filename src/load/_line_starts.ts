/**
 * Where lines start in a native trace file: a sparse index of (line, byte
 * offset) pairs that the reader records as it parses (the start of a slice it
 * decodes, at most one every {@link LINE_START_SPACING} bytes) and the cache
 * entry keeps, so that reading the shown calls' texts again
 * (`call_texts.ts`) seeks to the nearest line start before each wanted line
 * instead of reading the file from its start. An index is kept per path with
 * the file's size, modification time and inode when it was read, and used only
 * while the file is exactly that one; without it the texts' pass reads the
 * whole file, as it always did.
 *
 * @module
 */
import { statSync } from "node:fs";
import { type FileStamp, sameStamp, stampOf } from "./parse_trace_text.ts";

/**
 * Bytes between two recorded line starts, at least: the texts' pass reads the
 * bytes from the last start before a wanted line to the first start after it.
 * The parse workers read slices of 64 KiB, the calling thread slices of 1 MiB,
 * each starting at a line's start (less than a slice after the last): half a
 * worker's slice keeps every start of theirs unless lines are longer than
 * that. A 784 MB file has about 12,000 (0.2 MB of its entry's header).
 */
export const LINE_START_SPACING = 32 * 1024;

/**
 * A file's line starts: `starts` holds (line, byte offset) pairs, flat, lines
 * increasing; used only while the file's stat gives the stamp they are of.
 */
export interface LineStarts extends FileStamp {
  starts: number[];
}

/** Files whose line starts are kept at most (the oldest go first). */
const KEPT_FILES = 256;

const known = new Map<string, LineStarts>();

/**
 * Pairs `starts` (lines from 1 at a range's start) of a range moved after
 * `lines` lines, and thinned to one every {@link LINE_START_SPACING} bytes
 * after `after` (the offset of the last start kept before them), into `into`.
 * Returns the offset of the last start kept.
 */
export function addLineStarts(
  into: number[],
  starts: number[],
  lines: number,
  after: number,
): number {
  for (let i = 0; i + 1 < starts.length; i += 2) {
    const offset = starts[i + 1]!;
    if (into.length > 0 && offset - after < LINE_START_SPACING) continue;
    into.push(starts[i]! + lines, offset);
    after = offset;
  }
  return after;
}

/**
 * Keep `starts` of the file at `path` as it was (`stamp`); an index of
 * fewer than two starts is not kept (the file's start is known without one).
 *
 * @example
 * ```ts
 * import { lineStartsOf, rememberLineStarts } from "./_line_starts.ts";
 * rememberLineStarts("/nowhere.jsonl", { size: 10, mtimeMs: 1, ino: 2 }, [1, 0, 5, 300000]);
 * // the file is not as it was (it does not exist): no index
 * if (lineStartsOf("/nowhere.jsonl") !== null) throw new Error();
 * ```
 */
export function rememberLineStarts(path: string, stamp: FileStamp, starts: number[]): void {
  known.delete(path);
  if (starts.length < 4) return;
  known.set(path, { ...stampOf(stamp), starts });
  if (known.size > KEPT_FILES) known.delete(known.keys().next().value!);
}

/**
 * The line starts kept for `path`, when the file is still the one they are of
 * (`stamp`, else its stat now); null when none are kept or it changed.
 */
export function lineStartsOf(path: string, stamp?: FileStamp): LineStarts | null {
  const kept = known.get(path);
  if (!kept) return null;
  let now = stamp;
  if (!now) {
    try {
      now = statSync(path);
    } catch {
      return null;
    }
  }
  return sameStamp(now, kept) ? kept : null;
}

/**
 * The line starts kept for `path` as it was at `size` bytes, followed by
 * `more` (line starts of the bytes it has grown by, lines in the file's
 * numbering), kept for the file as it is now (`stamp`); nothing when no
 * index of the file at that size is kept.
 */
export function extendLineStarts(
  path: string,
  size: number,
  more: number[],
  stamp: FileStamp,
): void {
  const kept = known.get(path);
  if (!kept || kept.size !== size) return;
  const starts = kept.starts.slice();
  addLineStarts(starts, more, 0, starts[starts.length - 1]!);
  rememberLineStarts(path, stamp, starts);
}

/** Forget every index kept (tests). */
export function forgetLineStarts(): void {
  known.clear();
}

/**
 * The recorded starts around `line`: the last at or before it, as `[line,
 * offset]` (null when none is: the file's start then), and the offset of the
 * first after it (`Infinity` when none is): the line's bytes are between them.
 *
 * @example
 * ```ts
 * import { startsAround } from "./_line_starts.ts";
 * const starts = [1, 0, 40, 300000, 90, 600000];
 * if (JSON.stringify(startsAround(starts, 39)) !== "[[1,0],300000]") throw new Error();
 * if (JSON.stringify(startsAround(starts, 40)) !== "[[40,300000],600000]") throw new Error();
 * if (startsAround(starts, 1000)[1] !== Infinity) throw new Error();
 * ```
 */
export function startsAround(starts: number[], line: number): [[number, number] | null, number] {
  let lo = 0, hi = starts.length / 2 - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[2 * mid]! <= line) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const next = 2 * (found + 1) < starts.length ? starts[2 * (found + 1) + 1]! : Infinity;
  return [found < 0 ? null : [starts[2 * found]!, starts[2 * found + 1]!], next];
}
