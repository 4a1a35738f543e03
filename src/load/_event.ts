/**
 * The loader's internal event record (one valid trace line, reduced to what
 * the frames need) and its construction from a parsed JSON value.
 *
 * @module
 */
import { describeIssue, normalizeUsage, type Usage, validateEvent } from "../schema/mod.ts";
import { parseTimestamp } from "./timestamp.ts";
import { messages } from "./messages.ts";

/** One valid event, reduced to what the frames need. */
export interface EventRecord {
  /** The file the line came from. */
  file: string;
  /** 1-based line. */
  line: number;
  /** The event type (`llm_request`, `session_start`, a custom type, …). */
  type: string;
  /** Microseconds since the epoch, UTC. */
  ts: number;
  /** The session the event belongs to. */
  session_id: string;
  /** `data.request_id` of a request, response or error; null otherwise. */
  request_id: string | null;
  /** `data.model`: the requested model on a request, the served one on a response. */
  model: string | null;
  /** `data.provider`, when the trace names one. */
  provider: string | null;
  /** `data.duration_seconds`, or the top-level one of `session_end`. */
  duration: number | null;
  /** The error message of an `llm_error`. */
  error: string | null;
  /** The token usage of a response, normalized. */
  usage: Usage | null;
  /** Seconds to the first token of a streamed response. */
  ttft: number | null;
  /** Why the response ended (`stop`, `length`, …). */
  finish_reason: string | null;
  /** The request id this request retries. */
  retry_of: string | null;
  /** Characters of the request's messages. */
  prompt_chars: number | null;
  /** Characters of the response's output. */
  output_chars: number | null;
  /** JSON of `data` for custom and `session_metadata` events. */
  payload: string | null;
  /** The `data` of a `session_metadata` event. */
  metadata: Record<string, unknown> | null;
  /** With `keepText`: the request's messages as JSON. */
  messages?: string | null;
  /** With `keepText`: the request's params as JSON. */
  params?: string | null;
  /** With `keepText`: the response's output. */
  output?: string | null;
}

/**
 * An event of which only what places it is known (its file, line, type, time,
 * session and request id); every other field null.
 *
 * @example
 * ```ts
 * import { bareEvent } from "./_event.ts";
 * const e = bareEvent({ file: "a.jsonl", line: 3, type: "llm_request", ts: 0, session_id: "s", request_id: "r" });
 * if (e.model !== null || e.usage !== null || e.line !== 3) throw new Error();
 * ```
 */
export function bareEvent(
  e: Pick<EventRecord, "file" | "line" | "type" | "ts" | "session_id" | "request_id">,
): EventRecord {
  return {
    ...e,
    model: null,
    provider: null,
    duration: null,
    error: null,
    usage: null,
    ttft: null,
    finish_reason: null,
    retry_of: null,
    prompt_chars: null,
    output_chars: null,
    payload: null,
    metadata: null,
  };
}

/** One problem of one line. */
export interface Diagnostic {
  /** The file with the problem. */
  file: string;
  /** The 1-based line (0 for a problem of the whole file). */
  line: number;
  /** A stable code (`invalid_json`, `invalid_field`, `line_too_long`, …; README lists them). */
  code: string;
  /** One sentence saying what is wrong. */
  message: string;
  /** `error`: the line was not loaded; `warning`: loaded, but suspicious. */
  severity: "error" | "warning";
  /**
   * Problems this row stands for: 1, or more for the row that counts the lines past the listing
   * limit, or for a warning an adapter folds (Claude Code's retries, copied calls: their number).
   */
  count?: number;
}

/** Options the record builders need. */
export interface RecordOptions {
  timezone?: string;
  keepText?: boolean;
  /**
   * Strings seen so far (type, session_id, model, provider): a repeated value is
   * stored once, which saves memory and speeds up pairing and the string columns.
   */
  strings?: Map<string, string>;
  /**
   * The text parsed holds only ASCII characters (its UTF-16 length equals its
   * UTF-8 byte length): a string's length is its number of code points, so
   * character counts need no scan for surrogate pairs.
   */
  ascii?: boolean;
}

function badLine(file: string, line: number, code: string, message: string): Diagnostic {
  return { file, line, code, message, severity: "error" };
}

/** The one copy of `s` in `strings` (repeated ids and names then share one string). */
function intern(strings: Map<string, string>, s: string): string {
  const found = strings.get(s);
  if (found !== undefined) return found;
  strings.set(s, s);
  return s;
}

function internOrNull(strings: Map<string, string>, v: unknown): string | null {
  return typeof v === "string" ? intern(strings, v) : null;
}

/** A high surrogate: the only code unit after which a string can hold fewer code points than units. */
const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/**
 * Number of Unicode code points of `s` (as Python's `len` and Polars' `str.lengths` count).
 * `ascii`: `s` comes from text known to hold only ASCII (its length is the count, no scan).
 */
export function countChars(s: string, ascii = false): number {
  let n = s.length;
  if (ascii || !HIGH_SURROGATE.test(s)) return n;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Characters of message contents: a string `content` counts whole; a list of
 * parts counts the `text` of each part. Null when there are no messages.
 */
export function promptChars(msgs: unknown, ascii = false): number | null {
  if (!Array.isArray(msgs)) return null;
  let n = 0;
  for (const m of msgs) {
    const content = m && typeof m === "object" ? (m as Record<string, unknown>).content : undefined;
    if (typeof content === "string") n += countChars(content, ascii);
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = part && typeof part === "object"
          ? (part as Record<string, unknown>).text
          : undefined;
        if (typeof text === "string") n += countChars(text, ascii);
      }
    }
  }
  return n;
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optionalString(v: unknown): boolean {
  return v === undefined || typeof v === "string";
}

function optionalBoolean(v: unknown): boolean {
  return v === undefined || typeof v === "boolean";
}

function nonNegative(v: unknown): boolean {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

/** A token count of `usageSchema`: absent, null, or a non-negative safe integer. */
function tokenCount(v: unknown): boolean {
  return v === undefined || v === null || (Number.isSafeInteger(v) && (v as number) >= 0);
}

function usageValid(u: unknown): boolean {
  if (u === undefined) return true;
  if (!isObject(u)) return false;
  if (
    !tokenCount(u.input_tokens) || !tokenCount(u.output_tokens) || !tokenCount(u.total_tokens) ||
    !tokenCount(u.cache_read_tokens) || !tokenCount(u.cache_write_tokens) ||
    !tokenCount(u.reasoning_tokens) || !tokenCount(u.cache_write_1h_tokens) ||
    !tokenCount(u.web_search_requests) ||
    !tokenCount(u.prompt_tokens) || !tokenCount(u.completion_tokens) ||
    !tokenCount(u.cache_read_input_tokens) ||
    !tokenCount(u.cache_creation_input_tokens)
  ) return false;
  const details = (v: unknown, key: string) =>
    v === undefined || v === null || (isObject(v) && tokenCount(v[key]));
  return details(u.prompt_tokens_details, "cached_tokens") &&
    details(u.completion_tokens_details, "reasoning_tokens") &&
    details(u.input_tokens_details, "cached_tokens") &&
    details(u.output_tokens_details, "reasoning_tokens") &&
    details(u.cache_creation, "ephemeral_1h_input_tokens") &&
    details(u.server_tool_use, "web_search_requests");
}

/**
 * A hand-written check of the zod schemas (`src/schema/events.ts`) for a JSON
 * value whose `type` is a non-empty string and whose `timestamp` parsed (so it
 * matches `TIMESTAMP_PATTERN`). True only when `validateEvent` would succeed
 * (a test holds them together); false sends the value to zod, which then
 * decides and explains. It checks only JSON values (from `JSON.parse`).
 */
export function fastValid(obj: Record<string, unknown>): boolean {
  if (typeof obj.session_id !== "string") return false;
  const d = obj.data;
  switch (obj.type) {
    case "session_start":
      return true;
    case "session_end":
      return nonNegative(obj.duration_seconds);
    case "session_metadata":
      return isObject(d);
    case "llm_request":
      return isObject(d) && typeof d.request_id === "string" && optionalString(d.model) &&
        (d.params === undefined || isObject(d.params)) &&
        (d.messages === undefined || Array.isArray(d.messages)) &&
        optionalString(d.provider) && optionalString(d.operation) && optionalBoolean(d.stream) &&
        optionalString(d.retry_of);
    case "llm_response":
      return isObject(d) && typeof d.request_id === "string" && nonNegative(d.duration_seconds) &&
        optionalBoolean(d.success) && optionalString(d.model) &&
        (d.output === null || optionalString(d.output)) &&
        usageValid(d.usage) && (d.ttft_seconds === undefined || nonNegative(d.ttft_seconds)) &&
        (d.finish_reason === null || optionalString(d.finish_reason)) &&
        optionalString(d.provider) &&
        optionalString(d.operation) && optionalBoolean(d.stream) && optionalString(d.retry_of);
    case "llm_error":
      return isObject(d) && typeof d.request_id === "string" && nonNegative(d.duration_seconds) &&
        optionalBoolean(d.success) && typeof d.error === "string" && optionalString(d.error_type) &&
        optionalString(d.provider) && optionalString(d.retry_of);
    default:
      return d === undefined || isObject(d);
  }
}

/**
 * Validate one parsed JSON value and reduce it to an {@link EventRecord}, or
 * return the one diagnostic that explains why the line is not loaded.
 */
export function toEventRecord(
  value: unknown,
  file: string,
  line: number,
  options: RecordOptions,
): EventRecord | Diagnostic {
  const bad = (code: string, message: string): Diagnostic => badLine(file, line, code, message);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return bad("not_an_object", messages.notAnObject(got));
  }
  const obj = value as Record<string, unknown>;
  if (!("type" in obj)) return bad("missing_type", messages.missingType());
  if (typeof obj.type !== "string" || obj.type === "") {
    return bad("bad_type", messages.badType(obj.type));
  }
  if (!("timestamp" in obj)) return bad("missing_timestamp", messages.missingTimestamp());
  if (typeof obj.timestamp !== "string") {
    return bad("bad_timestamp", messages.badTimestamp(obj.timestamp));
  }
  const ts = parseTimestamp(obj.timestamp, options);
  if (ts === null) return bad("bad_timestamp", messages.badTimestamp(obj.timestamp));
  if (!fastValid(obj)) {
    const result = validateEvent(obj);
    if (!result.success) return bad("invalid_field", describeIssue(result.error, obj));
  }
  const type = obj.type;
  const data = (obj.data && typeof obj.data === "object" ? obj.data : {}) as Record<
    string,
    unknown
  >;
  let llm = false, custom = false, noPayload = false;
  switch (type) {
    case "llm_request":
    case "llm_response":
    case "llm_error":
      llm = noPayload = true;
      break;
    case "session_start":
    case "session_end":
      noPayload = true;
      break;
    case "session_metadata":
      break;
    default:
      custom = true;
  }
  const strings = options.strings;
  const record: EventRecord = {
    file,
    line,
    type: strings ? intern(strings, type) : type,
    ts,
    session_id: strings ? intern(strings, obj.session_id as string) : obj.session_id as string,
    request_id: llm || custom ? str(data.request_id) : null,
    model: llm ? (strings ? internOrNull(strings, data.model) : str(data.model)) : null,
    provider: llm ? (strings ? internOrNull(strings, data.provider) : str(data.provider)) : null,
    duration: type === "session_end"
      ? num(obj.duration_seconds)
      : llm
      ? num(data.duration_seconds)
      : null,
    error: type === "llm_error" ? str(data.error) : null,
    usage: type === "llm_response" && data.usage != null ? normalizeUsage(data.usage) : null,
    ttft: type === "llm_response" ? num(data.ttft_seconds) : null,
    finish_reason: type === "llm_response" ? str(data.finish_reason) : null,
    retry_of: llm ? str(data.retry_of) : null,
    prompt_chars: type === "llm_request" ? promptChars(data.messages, options.ascii) : null,
    output_chars: type === "llm_response" && typeof data.output === "string"
      ? countChars(data.output, options.ascii)
      : null,
    payload: noPayload || obj.data === undefined ? null : JSON.stringify(obj.data),
    metadata: type === "session_metadata" ? data : null,
  };
  if (options.keepText) Object.assign(record, eventTexts(type, data));
  return record;
}

/** The texts `keepText` keeps of an event. */
export interface EventTexts {
  /** A request's messages, as JSON. */
  messages: string | null;
  /** A response's output. */
  output: string | null;
  /** A request's params, as JSON. */
  params: string | null;
}

/**
 * The texts of an event of `type` with `data` (a valid event's): what
 * `keepText` keeps, and what `call_texts.ts` reads again for the calls a page
 * shows.
 *
 * @example
 * ```ts
 * import { eventTexts } from "./_event.ts";
 * const t = eventTexts("llm_request", { messages: [{ role: "user", content: "Hi" }], params: { n: 1 } });
 * if (t.messages !== '[{"role":"user","content":"Hi"}]' || t.params !== '{"n":1}' || t.output !== null) throw new Error();
 * ```
 */
export function eventTexts(type: unknown, data: Record<string, unknown>): EventTexts {
  return {
    messages: type === "llm_request" && data.messages !== undefined
      ? JSON.stringify(data.messages)
      : null,
    output: type === "llm_response" ? str(data.output) : null,
    params: type === "llm_request" && data.params !== undefined && data.params !== null
      ? JSON.stringify(data.params)
      : null,
  };
}
