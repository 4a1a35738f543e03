/**
 * Reading a native trace file from a byte offset: the one path by which both
 * the cache (an appended file is read from where its entry ended, `cache.ts`)
 * and `watch` (`TraceTail`, `tail.ts`) read new bytes. Only complete lines are
 * consumed: a last line with no newline yet is left for the next read (or
 * parsed as the end of the file when asked). Also the check that the bytes
 * before an offset are those read then ({@link prefixSamples}).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { EventRecord } from "./_event.ts";
import { type ParsedRange, parseTraceRange, type RangeDiagnostics } from "./parse_trace_text.ts";

/** Options of {@link readNativeFrom}. */
export interface ReadFromOptions {
  /** The first byte to read: the start of a line. */
  start: number;
  /** The line number of the line at `start`. */
  firstLine: number;
  /** Read up to this byte (the file's size when it was keyed). @default {the file's size now} */
  end?: number;
  /** Also parse a last line with no newline, as the end of the file. @default {false} */
  final?: boolean;
  /** Bytes from `start` up to this one are known to hold no newline (a long line being written). */
  noNewlineBefore?: number;
  timezone?: string;
  keepText?: boolean;
  maxLineBytes?: number;
  /** Bytes parsed, as the reading goes. */
  onBytes?: (bytes: number) => void;
}

/** What {@link readNativeFrom} read. */
export interface ReadFrom {
  /** Valid events of the complete lines, numbered in the file. */
  events: EventRecord[];
  /** Their bad lines, not yet folded (for `mergeRangeDiagnostics`). */
  diagnostics: RangeDiagnostics;
  /** The byte after the last complete line: where the next read starts. */
  offset: number;
  /** Complete lines read. */
  lines: number;
  /** The bytes seen (the file's size, or `end`). */
  size: number;
  /** With `final`, the last line with no newline, parsed (null when there is none). */
  last: { events: EventRecord[]; diagnostics: RangeDiagnostics } | null;
  /** Where the complete lines start (`ParsedRange.starts`), lines numbered in the file. */
  starts: number[];
}

const NEWLINE = 10;

/**
 * Bytes `0` to `end` of `bytes` as a string of one character per byte
 * (Latin-1), so that a character's index is its byte's offset: to find
 * newlines, which a string's `indexOf("\n")` finds 3–4 times faster than a
 * `Uint8Array`'s `indexOf(10)` (every line of a 784 MB file, read included:
 * 0.18–0.24 s against 0.55–0.87 s). Never text: each byte of a UTF-8
 * character over U+007F is a character of its own here.
 *
 * @example
 * ```ts
 * import { byteString } from "./_append.ts";
 * const bytes = new TextEncoder().encode("é\n{}\n"); // é is 2 bytes
 * if (byteString(bytes).indexOf("\n") !== 2) throw new Error("an index is a byte offset");
 * if (byteString(bytes, 3).length !== 3) throw new Error("up to end");
 * ```
 */
export function byteString(bytes: Uint8Array, end: number = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString("latin1");
}

/**
 * The byte after the last newline in bytes `start` to `end` of a file, or
 * `start` when there is none (read backwards, down to `floor` at most).
 */
export function lastLineEnd(fd: number, start: number, end: number, floor = start): number {
  const buf = new Uint8Array(64 * 1024);
  for (let stop = end; stop > Math.max(start, floor);) {
    const from = Math.max(start, floor, stop - buf.length);
    const n = readSync(fd, buf, 0, stop - from, from);
    const nl = buf.subarray(0, n).lastIndexOf(NEWLINE);
    if (nl >= 0) return from + nl + 1;
    stop = from;
  }
  return start;
}

/** The events and diagnostics of a parsed range, lines moved to the file's numbering. */
function numbered(range: ParsedRange, firstLine: number) {
  const offset = firstLine - 1;
  if (offset) { for (const e of range.events) e.line += offset; }
  return {
    events: range.events,
    diagnostics: { diagnostics: range.diagnostics, folded: range.folded, lineOffset: offset },
  };
}

/**
 * Read the complete lines of a native trace file from byte `start` on with
 * the loader's one line reader (`parseTraceRange`), numbered from
 * `firstLine`: the events and bad lines exactly as a read of the whole file
 * gives them for those lines, and where the next read starts.
 *
 * @example
 * ```ts
 * import { readNativeFrom } from "./_append.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".jsonl" });
 * const line = '{"type":"session_start","timestamp":"2025-04-08T19:42:09","session_id":"s"}\n';
 * Deno.writeTextFileSync(file, line + line + line.slice(0, 20)); // the third line is not ended yet
 * const r = readNativeFrom(file, "f.jsonl", { start: line.length, firstLine: 2 });
 * // one complete line read (line 2); the next read starts at the third
 * if (r.lines !== 1 || r.events[0]!.line !== 2 || r.offset !== 2 * line.length || r.last !== null) throw new Error();
 * Deno.removeSync(file);
 * ```
 */
export function readNativeFrom(path: string, file: string, options: ReadFromOptions): ReadFrom {
  const { start, firstLine } = options;
  let size: number;
  let offset: number;
  const fd = openSync(path, "r");
  try {
    size = options.end ?? fstatSync(fd).size;
    offset = size > start ? lastLineEnd(fd, start, size, options.noNewlineBefore) : start;
  } finally {
    closeSync(fd);
  }
  const parse = { timezone: options.timezone, keepText: options.keepText };
  const limit = options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes };
  const empty = { events: [], diagnostics: { diagnostics: [], lineOffset: 0 } };
  let lines = 0;
  let read: { events: EventRecord[]; diagnostics: RangeDiagnostics } = empty;
  let starts: number[] = [];
  if (offset > start) {
    const range = parseTraceRange(path, file, {
      ...parse,
      ...limit,
      start,
      end: offset,
      onBytes: options.onBytes,
    });
    lines = range.lines;
    read = numbered(range, firstLine);
    starts = range.starts.map((x, i) => (i % 2 === 0 ? x + firstLine - 1 : x));
  }
  let last = null;
  if (options.final && size > offset) {
    const range = parseTraceRange(path, file, { ...parse, ...limit, start: offset, end: size });
    last = numbered(range, firstLine + lines);
  }
  return { ...read, offset, lines, size, last, starts };
}

/** Bytes hashed at the start and at the end of a prefix. */
const EDGE_BYTES = 16 * 1024;
/** Blocks hashed in between, evenly spaced. */
const MIDDLE_BLOCKS = 16;
const BLOCK_BYTES = 4096;

/** Which bytes of a file's first `offset` bytes are checked, and their hash. */
export interface PrefixSamples {
  /** [start, length] of each sample. */
  ranges: [number, number][];
  /** SHA-256 of the samples' bytes, one after the other. */
  sha256: string;
}

function sampleRanges(offset: number): [number, number][] {
  if (offset <= 2 * EDGE_BYTES) return offset > 0 ? [[0, offset]] : [];
  const ranges: [number, number][] = [[0, EDGE_BYTES]];
  const middle = offset - 2 * EDGE_BYTES;
  for (let i = 0; i < MIDDLE_BLOCKS; i++) {
    const at = EDGE_BYTES + Math.floor((middle - BLOCK_BYTES) * (i + 0.5) / MIDDLE_BLOCKS);
    if (middle >= BLOCK_BYTES) ranges.push([at, BLOCK_BYTES]);
  }
  ranges.push([offset - EDGE_BYTES, EDGE_BYTES]);
  return ranges;
}

function hashRanges(fd: number, ranges: [number, number][]): string | null {
  const hash = createHash("sha256");
  const buf = new Uint8Array(EDGE_BYTES);
  for (const [at, length] of ranges) {
    for (let done = 0; done < length;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, length - done), at + done);
      if (n === 0) return null; // the file is shorter now
      hash.update(buf.subarray(0, n));
      done += n;
    }
  }
  return hash.digest("hex");
}

/**
 * Samples of the bytes before `offset` of an open file: all of them up to 32
 * KiB; past that, the first and the last 16 KiB and 16 blocks of 4 KiB evenly
 * spaced in between. A rewrite of other bytes of the middle is not seen.
 *
 * @example
 * ```ts
 * import { prefixSamples, prefixUnchanged } from "./_append.ts";
 * import { openSync, closeSync, writeFileSync } from "node:fs";
 * const file = Deno.makeTempFileSync();
 * writeFileSync(file, "abc\ndef\n");
 * let fd = openSync(file, "r");
 * const samples = prefixSamples(fd, 4);
 * closeSync(fd);
 * writeFileSync(file, "abc\nxyz\n"); // after the offset: still the same prefix
 * fd = openSync(file, "r");
 * if (!prefixUnchanged(fd, samples)) throw new Error();
 * closeSync(fd);
 * writeFileSync(file, "abd\ndef\n");
 * fd = openSync(file, "r");
 * if (prefixUnchanged(fd, samples)) throw new Error();
 * closeSync(fd);
 * Deno.removeSync(file);
 * ```
 */
export function prefixSamples(fd: number, offset: number): PrefixSamples {
  const ranges = sampleRanges(offset);
  return { ranges, sha256: hashRanges(fd, ranges) ?? "" };
}

/** Whether the sampled bytes of an open file are still those of {@link prefixSamples}. */
export function prefixUnchanged(fd: number, samples: PrefixSamples): boolean {
  return hashRanges(fd, samples.ranges) === samples.sha256;
}
