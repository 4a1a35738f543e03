/**
 * What the span-dump adapters (OpenTelemetry Python and JS dumps, Jaeger,
 * Zipkin) share: the file's JSON values with top-level arrays opened, and a
 * bounded list of problems (one per unreadable record, at most
 * {@link MAX_PROBLEMS}, then one line that says how many more there were).
 *
 * @module
 */
import type { Diagnostic } from "../_event.ts";
import { textSource, type TraceSource } from "./source.ts";
import { type Span, spansToRecords } from "./_spans.ts";
import type { ImportedRecords } from "./_records.ts";
import type { ParseOptions } from "./adapter.ts";
import { toMicros } from "./_util.ts";

/** Problems reported one by one; past this many, one summary line. */
export const MAX_PROBLEMS = 50;

/** One top-level record of a span file: its value, the line it starts on and its path. */
export interface SpanRecord {
  value: unknown;
  line: number;
  /**
   * `""` for a top-level value, `"[3]"` for an element of a top-level array,
   * `"data[3]"` for an element of a document's array read apart (`members`).
   */
  path: string;
}

/** The records of a span file and the problem list that goes with them. */
export interface SpanFile {
  /** The records, when read at once ({@link readSpanFile}; none kept by {@link SpanFileReader.read}). */
  records: SpanRecord[];
  diagnostics: Diagnostic[];
  /** Report a record that is not read (bounded). */
  problem(line: number, code: string, message: string, severity?: Diagnostic["severity"]): void;
  /**
   * Count a record that is readable but not a span (`"log records"`): one
   * `not_spans` warning in all, at the first one's line.
   */
  skip(what: string, line: number): void;
  /** The records of the spans read: calls, events, sessions and the diagnostics. */
  finish(spans: Span[], prefix: string, options: ParseOptions): ImportedRecords;
}

/** A span file read value by value ({@link spanFile}): {@link SpanFile} once `read` has run. */
export interface SpanFileReader extends SpanFile {
  /**
   * Read `source`: `onRecord` for each record, in order, none held. The
   * problems reported meanwhile are listed after the reader's own, as when
   * the records were read first.
   */
  read(
    source: TraceSource,
    onRecord: (r: SpanRecord) => void,
    options?: { members?: readonly string[] },
  ): void;
}

/**
 * A span file to read from a source (JSON Lines, pretty-printed values
 * concatenated, or one document): every top-level value, the elements of
 * top-level arrays as records of their own (`levels` = 2 also opens arrays
 * inside them: Zipkin's list of traces). `otherOutput`: text between the values
 * is a console exporter's neighbours (the program's own prints), one warning
 * in all.
 *
 * @example
 * ```ts
 * import { spanFile } from "./_span_values.ts";
 * import { textSource } from "./source.ts";
 * const f = spanFile("x.json");
 * const lines: number[] = [];
 * f.read(textSource('{"a":1}\n{"b":2}\n'), (r) => {
 *   lines.push(r.line);
 *   f.problem(r.line, "x_bad", "not a span");
 * });
 * if (lines.join() !== "1,2" || f.diagnostics.length !== 2) throw new Error();
 * ```
 */
export function spanFile(
  file: string,
  levels = 1,
  options: { otherOutput?: boolean } = {},
): SpanFileReader {
  const diagnostics: Diagnostic[] = [];
  // the problems reported while the values are read, before the reader's own are known
  let early: Parameters<SpanFile["problem"]>[] | null = null;
  let dropped = 0;
  const problem: SpanFile["problem"] = (line, code, message, severity = "error") => {
    if (early !== null) {
      if (early.length < MAX_PROBLEMS) early.push([line, code, message, severity]);
      else dropped++;
    } else if (diagnostics.length < MAX_PROBLEMS) {
      diagnostics.push({ file, line, code, message, severity });
    } else dropped++;
  };
  const skipped = new Map<string, number>();
  let firstSkipped = 0;
  return {
    records: [],
    diagnostics,
    problem,
    read(source, onRecord, readOptions) {
      early = [];
      const open = (value: unknown, line: number, path: string, depth: number) => {
        if (Array.isArray(value) && depth < levels) {
          value.forEach((v, i) => open(v, line, `${path}[${i}]`, depth + 1));
        } else onRecord({ value, line, path });
      };
      // an element a document's array gave apart (`members`) is a record at its path
      let read = source.values(
        ({ value, line, path }) =>
          path === undefined ? open(value, line, "", 0) : onRecord({ value, line, path }),
        { members: readOptions?.members },
      );
      // a console exporter's output mixed with the program's own prints: one warning, not one per line
      const stray = read.filter((d) => d.code === "stray_text");
      if (options.otherOutput && stray.length > 0) {
        read = read.filter((d) => d.code !== "stray_text");
        read.push({
          file,
          line: stray[0]!.line,
          code: "other_output",
          message: `${stray.length} lines of other output between the spans were skipped`,
          severity: "warning",
        });
      }
      diagnostics.push(...read);
      const reported = early;
      early = null;
      for (const args of reported) problem(...args);
    },
    skip(what, line) {
      skipped.set(what, (skipped.get(what) ?? 0) + 1);
      firstSkipped ||= line;
    },
    finish(spans, prefix, options) {
      if (skipped.size > 0) {
        const list = [...skipped].map(([what, n]) => `${n} ${what}`).join(" and ");
        diagnostics.push({
          file,
          line: firstSkipped,
          code: "not_spans",
          message: `${list} of the OpenTelemetry console exporters are not spans (skipped)`,
          severity: "warning",
        });
      }
      if (dropped > 0) {
        diagnostics.push({
          file,
          line: diagnostics.at(-1)?.line ?? 1,
          code: "more_problems",
          message:
            `${dropped} more records of this file are not loaded (only the first ${MAX_PROBLEMS} problems are listed)`,
          severity: "error",
        });
      }
      return spansToRecords(
        spans,
        file,
        {
          eventPrefix: prefix,
          keepText: options.keepText,
          textsOf: options.textsOf,
          textLines: options.textLines,
          textIds: options.textIds,
        },
        diagnostics,
      );
    },
  };
}

/**
 * {@link spanFile} of a text, its records read at once (`records`): for the
 * formats that look at every record before reading any (Jaeger's API v3).
 *
 * @example
 * ```ts
 * import { readSpanFile } from "./_span_values.ts";
 * const f = readSpanFile('[{"a":1},{"b":2}]\n{"c":3}\n', "x.json");
 * if (f.records.length !== 3 || f.records[1]!.path !== "[1]" || f.records[2]!.line !== 2) throw new Error();
 * ```
 */
export function readSpanFile(
  text: string,
  file: string,
  levels = 1,
  options: { otherOutput?: boolean } = {},
): SpanFile {
  const f = spanFile(file, levels, options);
  f.read(textSource(text, file), (r) => f.records.push(r));
  return f;
}

/**
 * The problem list of a span format that reports every problem (no bound, unlike
 * {@link readSpanFile}'s): one diagnostic of `file` a call, an error unless told.
 *
 * @example
 * ```ts
 * import { problemList } from "./_span_values.ts";
 * const diagnostics: import("../_event.ts").Diagnostic[] = [];
 * problemList("f.json", diagnostics)(3, "x_bad", "why", "warning");
 * if (diagnostics[0]?.line !== 3 || diagnostics[0]?.severity !== "warning") throw new Error();
 * ```
 */
export function problemList(file: string, diagnostics: Diagnostic[]): SpanFile["problem"] {
  return (line, code, message, severity = "error") => {
    diagnostics.push({ file, line, code, message, severity });
  };
}

/**
 * A reader of span times: µs since the epoch, or null; an unreadable time is one `code`
 * warning, "`what`: why (read as no time)", and the span is kept with no time.
 *
 * @example
 * ```ts
 * import { problemList, timeWarner } from "./_span_values.ts";
 * const diagnostics: import("../_event.ts").Diagnostic[] = [];
 * const time = timeWarner(problemList("f.json", diagnostics), "x_bad_time");
 * if (time("1970-01-01T00:00:01Z", 1, "span a start") !== 1_000_000) throw new Error("iso");
 * if (time("soon", 2, "span a end") !== null) throw new Error("no time");
 * if (!diagnostics[0]?.message.startsWith("span a end: ")) throw new Error(diagnostics[0]?.message);
 * ```
 */
export function timeWarner(
  problem: SpanFile["problem"],
  code: string,
): (value: unknown, line: number, what: string) => number | null {
  return (value, line, what) => {
    const t = toMicros(value);
    if (t.problem) problem(line, code, `${what}: ${t.problem} (read as no time)`, "warning");
    return t.us;
  };
}

/** An 8-byte span id or a 16-byte trace id in base64: 12 and 24 characters, padded. */
const BASE64_ID = /^(?:[A-Za-z0-9+/]{11}=|[A-Za-z0-9+/]{22}==)$/;

/**
 * A hex id without its `0x` prefix (OpenTelemetry Python writes `0x…`), lower-cased.
 * An id written as a JSON integer (Google ADK's span dicts) is its hex; past 2^53 it was
 * rounded when the JSON was read, the same for a span and its children's parent ids.
 * An id's bytes in base64 (protobuf's JSON printers, where OTLP/JSON writes hex; MLflow 3's
 * trace artifact) are its hex.
 *
 * @example
 * ```ts
 * import { hexId } from "./_span_values.ts";
 * if (hexId("0x5B8A") !== "5b8a" || hexId("K1hO3xWK4TI=") !== "2b584edf158ae132") throw new Error();
 * ```
 */
export function hexId(v: unknown): string | null {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return BigInt(v).toString(16);
  if (typeof v !== "string" || v === "") return null;
  if (BASE64_ID.test(v)) {
    return [...atob(v)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  }
  const id = v.replace(/^0x/i, "");
  return id === "" ? null : /^[0-9a-fA-F]+$/.test(id) ? id.toLowerCase() : v;
}

/** A parent span id: {@link hexId}, with an all-zero id read as "no parent". */
export function parentId(v: unknown): string | null {
  const id = hexId(v);
  return id === null || /^0+$/.test(id) ? null : id;
}
