/**
 * What format detection sees of a file: its first bytes, parsed as far as they
 * go (see {@link FormatSample}).
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { FormatSample } from "./adapter.ts";
import { firstObjectKeys } from "./_first_keys.ts";
import { parseJsonValues } from "./_json_values.ts";
import { type FileStamp, type SampledLines, stampOf } from "../parse_trace_text.ts";

/** Bytes of a file that detection reads. */
export const SAMPLE_BYTES = 1024 * 1024;

/** At most this many values are parsed for a sample. */
const MAX_VALUES = 50;

/** Lines of something else before the first JSON object that detection looks past. */
const MAX_NOISE_LINES = 10;

/**
 * The text from its first line that opens a JSON object (or an array of
 * objects) when at most {@link MAX_NOISE_LINES} lines of something else come
 * first: a cut-off first line (`tail -c`, an interrupted copy) or a banner. The
 * reader then reports those lines as bad lines instead of the whole file being
 * "not a trace".
 */
export function pastNoise(text: string): string {
  const opens = /^[ \t]*(\{|\[\s*\{)/;
  if (opens.test(text) || /^\s*$/.test(text) || /^\s*[{[]/.test(text)) return text;
  let at = 0;
  for (let i = 0; i < MAX_NOISE_LINES; i++) {
    const nl = text.indexOf("\n", at);
    if (nl < 0) return text;
    at = nl + 1;
    if (opens.test(text.slice(at, at + 256))) return text.slice(at);
  }
  return text;
}

/**
 * The first {@link MAX_VALUES} values of a text of one JSON object per line,
 * parsed line by line (the common case, several times faster than the general
 * scan), or null when any line up to there is something else (blank lines
 * aside): then {@link parseJsonValues} reads the text, as it always could.
 */
function objectLines(text: string): unknown[] | null {
  const values: unknown[] = [];
  for (let at = 0; at < text.length && values.length < MAX_VALUES;) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end).trim();
    at = end + 1;
    if (line === "") continue;
    if (line.charCodeAt(0) !== 123 /* { */) return null;
    try {
      const value = JSON.parse(line);
      if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
      values.push(value);
    } catch {
      if (end < text.length) return null;
      // the last line, cut where the sample ends: the general scan of it alone gives what it
      // gives of the whole text there (it starts a line, outside any value)
      for (const v of parseJsonValues(line, "", MAX_VALUES - values.length).values) {
        values.push(v.value);
      }
    }
  }
  return values;
}

/** The `head` of a sample of a text: a BOM left by the decoder dropped, then {@link pastNoise}. */
function headOf(text: string): string {
  return pastNoise(text.replace(/^\uFEFF/, ""));
}

/**
 * The sample of a text's beginning. The elements of a top-level array count as
 * values, so an array of spans is sampled like spans one per line. A few lines
 * of something else before the first JSON object are passed over.
 *
 * @example
 * ```ts
 * import { sampleOfText } from "./sample.ts";
 * const s = sampleOfText('{"a":1}\n{"b":2}\n{"c":', "x.jsonl");
 * if (s.values.length !== 2 || s.keys[0] !== "a" || s.array) throw new Error("wrong");
 * // a cut-off first line is passed over
 * const t = sampleOfText('"b":2}\n{"a":1}\n', "tail.jsonl");
 * if (t.values.length !== 1 || t.keys[0] !== "a") throw new Error("wrong");
 * ```
 */
export function sampleOfText(head: string, file: string): FormatSample {
  const text = headOf(head);
  const trimmed = text.trimStart();
  const array = trimmed.startsWith("[");
  const { keys } = firstObjectKeys(text);
  let values: unknown[] = [];
  if (trimmed.startsWith("{") || array) {
    // an array's elements are read as values of their own (commas are stray text)
    const body = array ? trimmed.slice(1) : text;
    values = (array ? null : objectLines(text)) ??
      parseJsonValues(body.slice(0, 4 * SAMPLE_BYTES), file, MAX_VALUES).values.map((v) => v.value);
    if (array && values.length === 1 && Array.isArray(values[0])) values = values[0] as unknown[];
  }
  return { head: text, values, keys, array, file };
}

/**
 * Bytes of whole lines {@link sampleOfLines} decodes first (then all it has
 * when its lines are not there): below V8's large-object size (128 KB).
 */
const DECODE_BYTES = 120 * 1024;

/** The first read of {@link sampleFile}. */
const FIRST_READ_BYTES = 64 * 1024;

/** The buffer of {@link sampleFile} (it reads synchronously: one at a time), kept between files. */
let scratch: Uint8Array | null = null;

/** Decodes the samples (UTF-8, a BOM dropped, bad bytes replaced; no state between calls). */
const utf8 = new TextDecoder();

/**
 * The sample of a file: its first {@link SAMPLE_BYTES} bytes.
 *
 * The first {@link FIRST_READ_BYTES} are read first, then as many more as the
 * lines so far say the first {@link MAX_VALUES} lines take: when these lines
 * are all one JSON object each (the common case) and the file starts with the
 * first of them, the values and keys are those of the whole sample already
 * (each line is parsed alone, and these lines are complete), and the rest is
 * not read. The `head` of that sample is read when it is asked for (the same
 * first {@link SAMPLE_BYTES} bytes, decoded as below): native detection does
 * not ask, so a folder of many small JSON Lines files is detected without
 * reading and decoding them whole. Any other file is sampled whole.
 *
 * @example
 * ```ts
 * import { sampleFile } from "./sample.ts";
 * const s = sampleFile("traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl");
 * if (s.keys[0] !== "type") throw new Error("wrong");
 * ```
 */
export function sampleFile(path: string, name: string = path): FormatSample {
  return sampleFileLines(path, name).sample;
}

/**
 * {@link sampleFile}, with the lines its values were parsed from when the
 * native reader would read them alike (see {@link SampledLines}): the loader
 * reads such a file right after detecting it, taking these values instead of
 * parsing the lines again.
 */
export function sampleFileLines(
  path: string,
  name: string = path,
  options: { whole?: boolean; size?: number } = {},
): { sample: FormatSample; lines?: SampledLines } {
  const fd = openSync(path, "r");
  try {
    const buf = scratch ??= new Uint8Array(SAMPLE_BYTES);
    if (options.whole) {
      // a file that ends within its first MiB is sampled from one read, without a stat: it ends
      // there when it has the size it was known to have (`size`), or when nothing follows
      const got = readSync(fd, buf, 0, SAMPLE_BYTES, 0);
      if (got < SAMPLE_BYTES && (got === options.size || readSync(fd, buf, got, 1, got) === 0)) {
        const stamp = { size: got, mtimeMs: NaN, ino: null };
        const sample = sampleOfLines(buf.subarray(0, got), path, Math.max(got, 1), name, stamp);
        if (sample !== null && typeof sample === "object") return sample;
        return { sample: sampleOfText(utf8.decode(buf.subarray(0, got)), name) };
      }
    }
    const stat = fstatSync(fd);
    const size = Math.min(SAMPLE_BYTES, Math.max(stat.size, 1));
    let got = 0, lines = true; // `lines`: the first lines may yet decide the sample
    for (let want = options.whole ? size : Math.min(FIRST_READ_BYTES, size);;) {
      const n = readSync(fd, buf, got, want - got, got);
      got += n;
      if (n === 0 || got >= size) break;
      want = size;
      if (!lines) continue;
      const sample = sampleOfLines(buf.subarray(0, got), path, size, name, stat);
      if (sample === null) lines = false;
      // at least twice as much each time: a long first line (no newline yet) read a byte
      // at a time scanned the buffer once per byte (a 10 MB line: 9 minutes)
      else if (typeof sample === "number") want = Math.min(size, Math.max(sample, 2 * got));
      else return sample;
    }
    // the whole sample read (a file read whole at once, or one shorter than the first read)
    const sample = lines ? sampleOfLines(buf.subarray(0, got), path, size, name, stat) : null;
    if (sample !== null && typeof sample === "object") return sample;
    const text = sampleOfText(utf8.decode(buf.subarray(0, got)), name);
    if (text.values.length === 0 && stat.size > got) text.values = longFirstLine(fd, text);
    return { sample: text };
  } finally {
    closeSync(fd);
  }
}

/** The longest first line {@link longFirstLine} reads to find the first value. */
const LONG_LINE_BYTES = 64 * 1024 * 1024;

/**
 * The first value of a file whose first line is longer than the sample (one
 * call with a long prompt, an image in a message): that line read whole, a
 * MiB at a time up to {@link LONG_LINE_BYTES}, when the file starts an object
 * there and the line is one JSON value; else none, as before (a document of
 * one long line is detected by its keys). A 20 MB first line had made a
 * per-call log "not a trace file".
 */
function longFirstLine(fd: number, sample: FormatSample): unknown[] {
  if (!/^\s*\{/.test(sample.head)) return [];
  // where the line ends, looked for a MiB at a time (nothing held but one MiB)
  const chunk = new Uint8Array(SAMPLE_BYTES);
  let end = -1;
  for (let at = 0; end < 0 && at < LONG_LINE_BYTES;) {
    const n = readSync(fd, chunk, 0, chunk.length, at);
    if (n === 0) return [];
    const nl = chunk.subarray(0, n).indexOf(10);
    if (nl >= 0) end = at + nl;
    at += n;
  }
  if (end < 0) return [];
  const line = new Uint8Array(end);
  if (readSync(fd, line, 0, end, 0) !== end) return [];
  try {
    // the decoder drops a BOM; a first line of something else is no value
    const value = JSON.parse(utf8.decode(line));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? [value] : [];
  } catch {
    return [];
  }
}

/**
 * The sample of a file whose first bytes `bytes` (of the `size` bytes sampled)
 * hold its first object and {@link MAX_VALUES} complete lines of one object
 * each (blank lines aside). Else the bytes to read for that many lines (as
 * many for each as the lines so far took, and a little more), or null when the
 * file is not read that way (it does not start with `{`, or a line is not one
 * object): then the whole sample is read as always.
 *
 * Given those lines, {@link sampleOfText} of the whole sample reads the same:
 * the text starts with `{` (no noise to pass over, not an array), its keys are
 * those of the first object (closed in these lines), its values those of the
 * first lines, each parsed alone. A newline byte is never inside a character,
 * so the text decoded up to one is the start of the whole text.
 */
function sampleOfLines(
  bytes: Uint8Array,
  path: string,
  size: number,
  name: string,
  stat: FileStamp,
): { sample: FormatSample; lines?: SampledLines } | number | null {
  const whole = bytes.lastIndexOf(10) + 1; // the bytes of whole lines
  if (whole === 0) return 2 * bytes.length;
  // the lines within the first DECODE_BYTES are decoded first: a longer text would be allocated
  // in the old generation (V8's large objects), and few files need more for their first lines
  let end = bytes.length > DECODE_BYTES ? bytes.lastIndexOf(10, DECODE_BYTES - 1) + 1 : whole;
  if (end === 0) end = whole;
  let text = "", at = 0, filled = 0;
  for (;;) {
    // as the whole sample's text is made (headOf), when no noise is passed over
    text = utf8.decode(bytes.subarray(0, end)).replace(/^\uFEFF/, "");
    if (!/^\s*\{/.test(text)) return null;
    // the lines objectLines() reads as values: those not blank
    at = 0, filled = 0;
    for (
      let nl = text.indexOf("\n");
      nl >= 0 && filled < MAX_VALUES;
      nl = text.indexOf("\n", at)
    ) {
      if (text.charCodeAt(at) === 123 /* { */ || text.slice(at, nl).trim() !== "") filled++;
      at = nl + 1;
    }
    if (filled >= MAX_VALUES || end === whole) break;
    end = whole;
  }
  if (filled < MAX_VALUES) {
    return filled ? Math.ceil((end * MAX_VALUES * 1.1) / filled) + 1024 : 2 * bytes.length;
  }
  // a line that is not one object stays so in more bytes: the whole sample's general scan then
  const values = objectLines(text.slice(0, at));
  if (values === null || values.length < MAX_VALUES) return null;
  const { keys, closed } = firstObjectKeys(text.slice(0, at));
  if (!closed) return null;
  let head: string | undefined;
  const sample: FormatSample = {
    get head() {
      return head ??= readHead(path, size);
    },
    values,
    keys,
    array: false,
    file: name,
  };
  const lines = linesOf(text, at, bytes, end, values, stat);
  return lines ? { sample, lines } : { sample };
}

/**
 * The lines of {@link SampledLines}: those of `text` up to `stop` (just after
 * a newline), whose values are `values`; `text` is the first `end` of the
 * `bytes` read decoded (a BOM dropped), ending with a newline. Null when a
 * line is not read alike.
 */
function linesOf(
  text: string,
  stop: number,
  bytes: Uint8Array,
  end: number,
  values: unknown[],
  stat: FileStamp,
): SampledLines | null {
  const out: { line: number; value: unknown }[] = [];
  let line = 0, at = 0;
  for (let nl = text.indexOf("\n"); nl >= 0 && nl < stop; nl = text.indexOf("\n", at)) {
    line++;
    let end = nl;
    if (text.charCodeAt(end - 1) === 13 /* \r */ && end > at) end--;
    if (text.charCodeAt(at) === 123 /* { */) {
      if (text.charCodeAt(end - 1) !== 125 /* } */ || out.length === values.length) return null;
      out.push({ line, value: values[out.length] });
    } else if (!/^[ \t\r]*$/.test(text.slice(at, end))) return null;
    at = nl + 1;
  }
  if (out.length !== values.length || line === 0) return null;
  // the byte after the last of these lines: as many newlines back from the end as follow it
  let byte = stop;
  if (text.length !== end) {
    // not ASCII only (or a BOM dropped): count the newlines after the lines, from the end
    let after = 0;
    for (let nl = text.indexOf("\n", stop); nl >= 0; nl = text.indexOf("\n", nl + 1)) after++;
    byte = end; // just after a newline: the start of a line
    for (let k = 0; k < after; k++) byte = bytes.lastIndexOf(10, byte - 2) + 1;
  }
  return {
    bytes: byte,
    lines: line,
    values: out,
    stamp: stampOf(stat),
    text: text.slice(stop),
    textBytes: end - byte,
    rest: bytes.subarray(end),
    whole: bytes.length === stat.size,
  };
}

/** The `head` of the sample of the first `size` bytes of a file (read when it is asked for). */
function readHead(path: string, size: number): string {
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(size);
    let got = 0;
    for (let n = 1; n > 0 && got < size; got += n) n = readSync(fd, buf, got, size - got, got);
    return headOf(utf8.decode(buf.subarray(0, got)));
  } finally {
    closeSync(fd);
  }
}
