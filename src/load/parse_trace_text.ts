/**
 * The text tier of the loader: trace text → valid events + diagnostics, line by
 * line (JSON.parse, then the zod schemas). `loadTraces` uses it for files that
 * the fast Polars reader cannot take whole.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type Diagnostic, type EventRecord, type RecordOptions, toEventRecord } from "./_event.ts";
import { messages } from "./messages.ts";
import type { EventTable } from "./_event_columns.ts";

export type { Diagnostic, EventRecord } from "./_event.ts";

import { DEFAULT_MAX_LINE_BYTES } from "./_limits.ts";

export { DEFAULT_MAX_LINE_BYTES };

/** Options of {@link parseTraceText}. */
export interface ParseTraceOptions {
  /**
   * IANA time zone of naive timestamps.
   * @default {"UTC"}
   */
  timezone?: string;
  /**
   * Keep the request messages (as JSON) and the response output text.
   * @default {false}
   */
  keepText?: boolean;
  /**
   * A line longer than this many bytes is reported (`line_too_long`) and not parsed.
   * @default {8388608}
   */
  maxLineBytes?: number;
  /** The first line number of `text` (when it is a slice of a file). @default {1} */
  firstLine?: number;
  /**
   * `text` ends the file: an unparseable last line with no newline is `truncated_line`.
   * @default {true}
   */
  endOfFile?: boolean;
}

/** What {@link parseTraceText} returns. */
export interface ParsedTrace {
  /** Valid events, in line order. */
  events: EventRecord[];
  /** One per bad line (severity `error`), in line order; past 100 of a code, one folded row. */
  diagnostics: Diagnostic[];
  /** Counts of diagnostics past the limit, per code (while parsing). */
  folded?: Map<
    string,
    {
      kept: number;
      count: number;
      first: number;
      last: number;
      file: string;
      severity: Diagnostic["severity"];
    }
  >;
}

/** A line of JSON white space only (space, tab, CR). */
const JSON_BLANK = /^[ \t\r]*$/;

/** Diagnostics of one code kept whole per file; the rest are counted in one folded row. */
export const DIAGNOSTICS_KEPT_PER_CODE = 100;

/**
 * Add a diagnostic, keeping memory bounded however many lines are bad: past
 * {@link DIAGNOSTICS_KEPT_PER_CODE} of one code in one file, the rest are
 * counted into one row per code (its `count`), appended by {@link foldDiagnostics}.
 * A row that already counts several lines (`count` > 1) is kept as it is.
 */
export function addDiagnostic(out: ParsedTrace, d: Diagnostic): void {
  if ((d.count ?? 1) > 1) {
    out.diagnostics.push(d);
    return;
  }
  const folded = (out.folded ??= new Map());
  const f = folded.get(d.code);
  if (!f) {
    folded.set(d.code, {
      kept: 1,
      count: 0,
      first: 0,
      last: 0,
      file: d.file,
      severity: d.severity,
    });
    out.diagnostics.push(d);
  } else if (f.kept < DIAGNOSTICS_KEPT_PER_CODE) {
    f.kept++;
    out.diagnostics.push(d);
  } else {
    if (f.count === 0) f.first = d.line;
    f.count++;
    f.last = d.line;
  }
}

/**
 * A list of diagnostics bounded as the line reader bounds its own: the first
 * {@link DIAGNOSTICS_KEPT_PER_CODE} per file and code, then one counting row each.
 *
 * @example
 * ```ts
 * import { boundDiagnostics } from "./parse_trace_text.ts";
 * const many = Array.from({ length: 250 }, (_, i) => ({ file: "f", line: i + 1, code: "x", message: "m", severity: "error" as const }));
 * const kept = boundDiagnostics(many);
 * if (kept.length !== 101 || kept[100]!.count !== 150) throw new Error();
 * ```
 */
export function boundDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const byFile = new Map<string, ParsedTrace>();
  for (const d of list) {
    let out = byFile.get(d.file);
    if (!out) byFile.set(d.file, out = { events: [], diagnostics: [] });
    addDiagnostic(out, d);
  }
  return [...byFile.values()].flatMap((out) => {
    foldDiagnostics(out);
    return out.diagnostics;
  });
}

/** Append one row per code whose diagnostics were counted past the limit. */
export function foldDiagnostics(out: ParsedTrace): void {
  for (const [code, f] of out.folded ?? []) {
    if (f.count === 0) continue;
    out.diagnostics.push({
      file: f.file,
      line: f.first,
      code,
      message: messages.foldedDiagnostics(f.count, code, f.first, f.last),
      severity: f.severity,
      count: f.count,
    });
  }
  out.folded = undefined;
}

/**
 * A line that does not parse may be a cut-off fragment with a whole event glued
 * after it (a writer that crashed mid-line, then appended). The event that
 * starts at the last `{"` from which the rest parses, or null.
 */
export function gluedEvent(raw: string): { at: number; value: unknown } | null {
  let tries = 0;
  for (
    let at = raw.indexOf('{"', 1);
    at > 0 && tries < 32;
    at = raw.indexOf('{"', at + 1), tries++
  ) {
    try {
      const value = JSON.parse(raw.slice(at));
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        return {
          at,
          value,
        };
      }
    } catch { /* not from here */ }
  }
  return null;
}

/** UTF-8 byte length of `s`, exact (only computed when it could matter). */
function byteLength(s: string, limit: number): number {
  if (s.length * 3 <= limit) return s.length;
  return new TextEncoder().encode(s).length;
}

/** How one piece of text is parsed by {@link parseLines}. */
interface LinesOptions {
  file: string;
  limit: number;
  /** Line number of the first line of the text. */
  firstLine: number;
  /** The text ends the file (an unparseable last line with no newline is `truncated_line`). */
  endOfFile: boolean;
  record: RecordOptions;
  /** Where the events go (else into `out.events`). */
  table?: EventTable;
}

/**
 * Parse the lines of `text` into `out`. Returns the number of lines seen
 * (newlines, plus one for a last line without a newline).
 */
function parseLines(text: string, options: LinesOptions, out: ParsedTrace): number {
  const { file, limit, firstLine: first, record, table } = options;
  const { events } = out;
  const keep = table ? (e: EventRecord) => table.push(e) : (e: EventRecord) => events.push(e);
  const endsWithNewline = text.endsWith("\n") || !options.endOfFile;
  let start = 0;
  let index = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = first + index;
    index++;
    let raw = text.slice(start, end);
    start = end + 1;
    if (raw.charCodeAt(raw.length - 1) === 13 /* \r */) raw = raw.slice(0, -1);
    // a line that starts with "{" is not blank: skip the check in the common case. Only
    // JSON's own white space makes a blank line: NBSP, U+2028 or a stray BOM is a bad line
    if (raw.charCodeAt(0) !== 123 && JSON_BLANK.test(raw)) continue;
    const bytes = byteLength(raw, limit);
    if (bytes > limit) {
      addDiagnostic(out, {
        file,
        line,
        code: "line_too_long",
        message: messages.lineTooLong(bytes, limit),
        severity: "error",
      });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      const isLast = start >= text.length && !endsWithNewline;
      const glued = isLast ? null : gluedEvent(raw);
      if (glued) {
        // the fragment is one bad line; the event after it is kept
        addDiagnostic(out, {
          file,
          line,
          code: "truncated_line",
          message: messages.gluedFragment(glued.at),
          severity: "error",
        });
        const result = toEventRecord(glued.value, file, line, record);
        if ("code" in result) addDiagnostic(out, { ...result, severity: "warning" });
        else keep(result);
        continue;
      }
      addDiagnostic(
        out,
        isLast
          ? {
            file,
            line,
            code: "truncated_line",
            message: messages.truncatedLine(),
            severity: "error",
          }
          : {
            file,
            line,
            code: "invalid_json",
            message: messages.invalidJson((err as Error).message),
            severity: "error",
          },
      );
      continue;
    }
    const result = toEventRecord(value, file, line, record);
    if ("code" in result) addDiagnostic(out, result);
    else keep(result);
  }
  return index;
}

/**
 * Parse the text of a native trace file. Each non-blank line becomes either an
 * event or exactly one diagnostic; blank lines, a UTF-8 BOM and CRLF line ends
 * are accepted silently. An unparseable last line with no newline is reported
 * as `truncated_line`.
 *
 * @example
 * ```ts
 * import { parseTraceText } from "./parse_trace_text.ts";
 * const text = '{"type":"session_start","timestamp":"2025-04-08T19:42:09","session_id":"s"}\n{oops\n';
 * const { events, diagnostics } = parseTraceText(text, "a.jsonl");
 * if (events.length !== 1 || diagnostics[0]?.line !== 2) throw new Error("wrong");
 * ```
 */
export function parseTraceText(
  text: string,
  file: string,
  options: ParseTraceOptions = {},
): ParsedTrace {
  const out: ParsedTrace = { events: [], diagnostics: [] };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  parseLines(text, {
    file,
    limit: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    firstLine: options.firstLine ?? 1,
    endOfFile: options.endOfFile ?? true,
    record: { timezone: options.timezone, keepText: options.keepText },
  }, out);
  foldDiagnostics(out);
  return out;
}

/**
 * Bytes read and decoded at a time by {@link parseTraceFile} (grown for a longer
 * line). 1 MB slices, against 4 MB, stay in the processor's cache while they are
 * decoded and parsed: `loadTraces` of 200,000 calls (784 MB) peaked at 367–375
 * MB instead of 409–419, in 1.75–1.84 s of user time instead of 1.82–2.05 (16 MB:
 * 515–520 MB, 2.07–2.11 s).
 */
const SLICE_BYTES = 1024 * 1024;

/** The read buffer of {@link parseTraceRange} (it reads synchronously: one range at a time per thread). */
let scratch: Uint8Array | null = null;

// as decoding the whole file at once: one BOM is dropped by the first decode (of a range that
// starts the file), and parseTraceText drops one more; later slices keep theirs (a BOM mid-file is
// text). Without `stream`, a decode keeps no state: one decoder each serves every range.
const firstDecoder = new TextDecoder();
const laterDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Options of {@link parseTraceFile}. */
export interface ParseTraceFileOptions extends Omit<ParseTraceOptions, "firstLine" | "endOfFile"> {
  /** Called with the number of bytes parsed, after each slice. */
  onBytes?: (bytes: number) => void;
  /** Bytes read and decoded at a time (grown for a longer line). @default {1048576} */
  sliceBytes?: number;
}

/** Options of {@link parseTraceRange}. */
export interface ParseTraceRangeOptions extends ParseTraceFileOptions {
  /** The first byte: the start of a line. @default {0} */
  start?: number;
  /** The byte after the last: just after a newline, or the end of the file. @default {the file's size} */
  end?: number;
  /**
   * Put the events in this table (lines numbered from 1 at `start`), not in
   * the result's `events`: each record is copied into its columns as it is
   * parsed, so that no record outlives its line.
   */
  into?: EventTable;
  /**
   * The file's first lines as its format's detection parsed them
   * (`sampleFileLines`): a range from the start of the file takes their values
   * instead of parsing these lines again, when the file is as it was when
   * they were read, and reads on after them.
   */
  head?: SampledLines;
}

/**
 * The first lines of a file as its sample parsed them, for the native reader
 * to take instead of parsing them again (`sampleFileLines` in `formats/sample.ts`). Only lines
 * the reader reads as the sample did: each is blank as the reader takes it
 * (spaces, tabs, CR) or is one object from its first byte to its last (but a
 * final CR), so that the reader's `JSON.parse` of it is the sample's of it
 * trimmed, and gives the same value.
 */
export interface SampledLines {
  /** The byte after the last of these lines (just after a newline). */
  bytes: number;
  /** The lines (blank ones too). */
  lines: number;
  /** Each line that is not blank and its value, in order. */
  values: { line: number; value: unknown }[];
  /** The file when it was sampled: lines read later are these only if it is still so. */
  stamp: FileStamp;
  /**
   * The whole lines the sample decoded after these (the text of the next
   * `textBytes` bytes): the reader parses them without decoding them again.
   */
  text: string;
  textBytes: number;
  /**
   * The bytes the sample read after `text` (a view of its buffer, valid until
   * the next sample is taken): the reader goes on from them.
   */
  rest: Uint8Array;
  /** The sample read the whole file (as its size was then): `rest` ends it. */
  whole: boolean;
}

/** What tells that a file was not written since it was sampled (or read). */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number | null;
}

/** The stamp of a file as `statSync` or `fstatSync` gives it. */
export const stampOf = (st: FileStamp): FileStamp => ({
  size: st.size,
  mtimeMs: st.mtimeMs,
  ino: st.ino,
});

/** Whether two stamps are of the same file, not written in between. */
export const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

/** What {@link parseTraceRange} returns: diagnostics not yet folded, lines numbered from 1 at `start`. */
export interface ParsedRange extends ParsedTrace {
  /** Lines of the range (the line number of its first line is 1 plus the lines before it). */
  lines: number;
  /**
   * Where lines start (`_line_starts.ts`): (line, byte offset in the file) pairs,
   * flat, lines numbered as the range's: the start of each slice read.
   */
  starts: number[];
}

/**
 * Parse the lines of bytes `start` to `end` of a native trace file, numbered
 * from 1, as {@link parseTraceFile} parses them in the whole file: a range that
 * starts the file drops a BOM, a range that ends the file may end with a
 * truncated line. Its diagnostics are bounded but not folded: the per-code
 * counts past the limit are in `folded`, for {@link mergeRangeDiagnostics}.
 */
export function parseTraceRange(
  path: string,
  file: string,
  options: ParseTraceRangeOptions = {},
): ParsedRange {
  const out: ParsedTrace = { events: [], diagnostics: [] };
  const start = options.start ?? 0;
  // where the text of each slice starts: a line's start (thinned when kept: `addLineStarts`)
  const starts: number[] = [];
  const lineStart = (offset: number) => {
    starts.push(lines.firstLine, offset);
  };
  const lines: LinesOptions = {
    file,
    limit: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    firstLine: 1,
    endOfFile: false,
    // records going into a table die young: its dictionary, not interning, stores repeats once
    record: {
      timezone: options.timezone,
      keepText: options.keepText,
      strings: options.into ? undefined : new Map(),
    },
    table: options.into,
  };
  // without an end, read to the end of the file as it is then (it may have grown)
  const stop = options.end ?? Infinity;
  const head = options.head;
  // (its lines and the text after them within the limit: no line of them is too long)
  const usable = head !== undefined && start === 0 &&
    head.bytes + head.textBytes <= Math.min(stop, lines.limit);
  // a whole file in its sample, read to its end: the file as the sample read it, no more to read
  const inHand = usable && head.whole && options.end === undefined;
  const fd = inHand ? -1 : openSync(path, "r");
  try {
    const stat = inHand ? null : fstatSync(fd);
    const size = stat?.size ?? head!.stamp.size;
    const endsFile = options.end === undefined || options.end >= size;
    let pos = start;
    // the first lines, parsed already: taken when the file is as it was then
    const headTaken = usable && (stat === null || sameStamp(head.stamp, stat));
    if (headTaken) {
      // as parseLines takes the value of each line (the sample's lines are those on which
      // its JSON.parse and the sample's agree: see SampledLines)
      const { table, record } = lines;
      for (const { line, value } of head.values) {
        const result = toEventRecord(value, file, line, record);
        if ("code" in result) addDiagnostic(out, result);
        else if (table) table.push(result);
        else out.events.push(result);
      }
      pos = head.bytes;
      lines.firstLine = head.lines + 1;
      options.onBytes?.(head.bytes);
    }
    // the thread's read buffer, kept from range to range (a new one for each of 1,000 small
    // files cost 60 ms of zeroing and page faults); grown for a long line, and then this range's own
    const slice = options.sliceBytes ?? SLICE_BYTES;
    if (scratch?.length !== slice) scratch = new Uint8Array(Math.max(1, slice));
    let buf = scratch;
    let have = 0;
    // the lines the sample decoded after its values (no line of them over the limit), then the
    // bytes it read after those: neither read nor decoded again
    if (headTaken) {
      const { text, textBytes } = head;
      lines.record.ascii = text.length === textBytes && text.indexOf("\\u") < 0;
      lines.endOfFile = false; // whole lines: none is cut
      lineStart(pos);
      lines.firstLine += parseLines(text, lines, out);
      options.onBytes?.(textBytes);
      pos += textBytes;
      if (head.rest.length > 0 && pos + head.rest.length <= stop) {
        if (head.rest.length >= buf.length) buf = new Uint8Array(2 * head.rest.length);
        buf.set(head.rest);
        have = head.rest.length;
        pos += have;
      }
    }
    let first = start === 0 && !headTaken;
    while (true) {
      if (have === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = pos < stop && fd >= 0
        ? readSync(fd, buf, have, Math.min(buf.length - have, stop - pos), pos)
        : 0;
      pos += n;
      const filled = have + n;
      const eof = n === 0;
      const end = eof ? filled : filled === 0 ? 0 : buf.lastIndexOf(10, filled - 1) + 1;
      if (end === 0 && !eof && filled > lines.limit) {
        // a line over the limit: count its bytes and drop them as they come, never holding it whole
        const skip = skipLine(fd, buf, filled, pos, stop);
        pos = skip.pos;
        addDiagnostic(out, {
          file,
          line: lines.firstLine,
          code: "line_too_long",
          message: messages.lineTooLong(skip.bytes, lines.limit),
          severity: "error",
        });
        lines.firstLine++;
        options.onBytes?.(skip.bytes + 1);
        first = false;
        if (skip.eof) break;
        have = skip.have;
        continue;
      }
      if (end === 0 && !eof) {
        have = filled; // no whole line yet: read on (a line longer than the buffer grows it)
        continue;
      }
      let text = (first ? firstDecoder : laterDecoder).decode(buf.subarray(0, end));
      // as many UTF-16 units as UTF-8 bytes: every byte was ASCII (a BOM or any other
      // character takes fewer units than bytes); and no \u escape, which could make a
      // surrogate pair of ASCII text: then a parsed string's length is its count of code points
      lines.record.ascii = text.length === end && text.indexOf("\\u") < 0;
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      lines.endOfFile = eof && endsFile;
      // the slice's text starts at the file's byte pos - filled (a line's start, or the range's)
      lineStart(pos - filled);
      lines.firstLine += parseLines(text, lines, out);
      options.onBytes?.(end);
      first = false;
      if (eof) break;
      buf.copyWithin(0, end, filled);
      have = filled - end;
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  return { ...out, lines: lines.firstLine - 1, starts };
}

/**
 * Parse a native trace file as {@link parseTraceText} parses its whole text, but
 * reading line-aligned slices of a few MB, so that neither the file's text nor
 * its parsed JSON is ever held whole (only the events, reduced to what the
 * frames need).
 *
 * @example
 * ```ts
 * import { parseTraceFile, parseTraceText } from "./parse_trace_text.ts";
 * const file = "traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl";
 * const { events, diagnostics } = parseTraceFile(file, file);
 * const whole = parseTraceText(Deno.readTextFileSync(file), file);
 * if (events.length === 0 || events.length !== whole.events.length || diagnostics.length !== 0) throw new Error();
 * ```
 */
export function parseTraceFile(
  path: string,
  file: string,
  options: ParseTraceFileOptions = {},
): ParsedTrace {
  const { events, diagnostics, folded } = parseTraceRange(path, file, options);
  const out: ParsedTrace = { events, diagnostics, folded };
  foldDiagnostics(out);
  return out;
}

/** The diagnostics of one range of a file for {@link mergeRangeDiagnostics}. */
export interface RangeDiagnostics {
  /** As {@link ParsedRange}: lines numbered from 1 at the range's start. */
  diagnostics: Diagnostic[];
  folded?: ParsedTrace["folded"];
  /** Lines of the file before the range. */
  lineOffset: number;
}

/**
 * The diagnostics of a file read in consecutive ranges, in order, numbered in
 * the file and bounded then folded exactly as {@link parseTraceFile} does for the
 * whole file: a range that folded a code has kept its first
 * {@link DIAGNOSTICS_KEPT_PER_CODE} of it, so the file's first ones are kept.
 *
 * @example
 * ```ts
 * import { mergeRangeDiagnostics } from "./parse_trace_text.ts";
 * const d = (line: number) => ({ file: "f", line, code: "x", message: "m", severity: "error" as const });
 * const a = { diagnostics: [d(1), d(2)], lineOffset: 0 };
 * const b = { diagnostics: Array.from({ length: 100 }, (_, i) => d(i + 1)), lineOffset: 10,
 *   folded: new Map([["x", { kept: 100, count: 5, first: 101, last: 105, file: "f", severity: "error" as const }]]) };
 * const all = mergeRangeDiagnostics([a, b]);
 * // 2 + 100 + 5 lines: 100 listed (1, 2, 11 … 108), then 7 counted: 109, 110 and 111 … 115
 * if (all.length !== 101 || all[99]!.line !== 108 || all[100]!.count !== 7 || all[100]!.line !== 109) throw new Error();
 * ```
 */
export function mergeRangeDiagnostics(ranges: RangeDiagnostics[]): Diagnostic[] {
  const out: ParsedTrace = { events: [], diagnostics: [] };
  for (const range of ranges) {
    const offset = range.lineOffset;
    for (const d of range.diagnostics) {
      addDiagnostic(out, offset ? { ...d, line: d.line + offset } : d);
    }
    for (const [code, f] of range.folded ?? []) {
      if (f.count === 0) continue;
      const all = out.folded!.get(code)!; // the range kept its first ones: the code is there, full
      if (all.count === 0) all.first = f.first + offset;
      all.count += f.count;
      all.last = f.last + offset;
    }
  }
  foldDiagnostics(out);
  return out.diagnostics;
}

/**
 * Read past the rest of a line whose first `have` bytes are in `buf`, from
 * byte `pos` on, stopping at `stop`: returns its length in bytes, the bytes
 * after its newline moved to the start of `buf` (`have`) and the next byte to
 * read (`pos`), or `eof` when the range ended first.
 */
function skipLine(
  fd: number,
  buf: Uint8Array,
  have: number,
  pos: number,
  stop: number,
): { bytes: number; have: number; pos: number; eof: boolean } {
  let bytes = have;
  while (true) {
    const n = pos < stop ? readSync(fd, buf, 0, Math.min(buf.length, stop - pos), pos) : 0;
    pos += n;
    if (n === 0) return { bytes, have: 0, pos, eof: true };
    const nl = buf.subarray(0, n).indexOf(10);
    if (nl >= 0) {
      buf.copyWithin(0, nl + 1, n);
      return { bytes: bytes + nl, have: n - nl - 1, pos, eof: false };
    }
    bytes += n;
  }
}
