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
  const text = pastNoise(head.replace(/^\uFEFF/, ""));
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
 * The sample of a file: its first {@link SAMPLE_BYTES} bytes.
 *
 * @example
 * ```ts
 * import { sampleFile } from "./sample.ts";
 * const s = sampleFile("traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl");
 * if (s.keys[0] !== "type") throw new Error("wrong");
 * ```
 */
export function sampleFile(path: string, name: string = path): FormatSample {
  const fd = openSync(path, "r");
  try {
    const size = Math.min(SAMPLE_BYTES, Math.max(fstatSync(fd).size, 1));
    const buf = new Uint8Array(size);
    const n = readSync(fd, buf, 0, size, 0);
    return sampleOfText(new TextDecoder().decode(buf.subarray(0, n)), name);
  } finally {
    closeSync(fd);
  }
}
