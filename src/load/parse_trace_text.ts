/**
 * The text tier of the loader: trace text → valid events + diagnostics, line by
 * line (JSON.parse, then the zod schemas). `loadTraces` uses it for files that
 * the fast Polars reader cannot take whole.
 *
 * @module
 */
import { type Diagnostic, type EventRecord, type RecordOptions, toEventRecord } from "./_event.ts";
import { messages } from "./messages.ts";

export type { Diagnostic, EventRecord } from "./_event.ts";

/** The default of {@link ParseTraceOptions.maxLineBytes}: 8 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

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
  /** One per bad line (severity `error`), in line order. */
  diagnostics: Diagnostic[];
}

/** UTF-8 byte length of `s`, exact (only computed when it could matter). */
function byteLength(s: string, limit: number): number {
  if (s.length * 3 <= limit) return s.length;
  return new TextEncoder().encode(s).length;
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
export function parseTraceText(text: string, file: string, options: ParseTraceOptions = {}): ParsedTrace {
  const events: EventRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  const limit = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const first = options.firstLine ?? 1;
  const recordOptions: RecordOptions = { timezone: options.timezone, keepText: options.keepText };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const endsWithNewline = text.endsWith("\n") || options.endOfFile === false;
  let start = 0;
  let index = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = first + index;
    index++;
    let raw = text.slice(start, end);
    start = end + 1;
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    if (raw.trim() === "") continue;
    const bad = (code: string, message: string) =>
      diagnostics.push({ file, line, code, message, severity: "error" });
    const bytes = byteLength(raw, limit);
    if (bytes > limit) {
      bad("line_too_long", messages.lineTooLong(bytes, limit));
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      const isLast = start >= text.length && !endsWithNewline;
      if (isLast) bad("truncated_line", messages.truncatedLine());
      else bad("invalid_json", messages.invalidJson((err as Error).message));
      continue;
    }
    const result = toEventRecord(value, file, line, recordOptions);
    if ("code" in result) diagnostics.push(result);
    else events.push(result);
  }
  return { events, diagnostics };
}
