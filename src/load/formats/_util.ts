/**
 * Small readers that every adapter uses on untrusted JSON values: type guards,
 * numbers and strings that are only taken when they are what they say, and
 * times in every shape real files write them.
 *
 * @module
 */
import { parseTimestamp } from "../timestamp.ts";
// Deferred: json5 runs on the first Python literal read, not on import.
import defer * as json5 from "npm:json5@2.2.3";

/** A plain JSON object. */
export type Obj = Record<string, unknown>;

/**
 * JSON5's `parse` (JavaScript literals: single quotes, unquoted keys, trailing
 * commas): the loader's one use of json5, a CommonJS module whose exports a
 * namespace import holds as `default` (Deno's, and esbuild's in the bundle).
 *
 * @example
 * ```ts
 * import { json5Parse } from "./_util.ts";
 * if (JSON.stringify(json5Parse("{a: 'b', c: [1,],}")) !== '{"a":"b","c":[1]}') throw new Error();
 * ```
 */
export function json5Parse(text: string): unknown {
  return (json5 as unknown as { default: typeof json5 }).default.parse(text);
}

/** True for a plain object (not null, not an array). */
export const isObj = (v: unknown): v is Obj =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A non-empty string, else null. */
export const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** A finite number (or a numeric string), else null. */
export const num = (v: unknown): number | null => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
};

/** A non-negative integer count (or a numeric string of one), else null; beyond 2^53 → null. */
export const count = (v: unknown): number | null => {
  const n = num(v);
  return n !== null && Number.isSafeInteger(Math.trunc(n)) && n >= 0 ? Math.trunc(n) : null;
};

/** The value at a dotted path (`a.b.c`; a key holding dots is tried whole first). */
export function at(obj: unknown, path: string): unknown {
  if (!isObj(obj)) return undefined;
  if (path in obj) return obj[path];
  const dot = path.indexOf(".");
  if (dot < 0) return undefined;
  // try the longest key prefix first: attributes often hold dotted keys
  for (let i = path.lastIndexOf("."); i > 0; i = path.lastIndexOf(".", i - 1)) {
    const head = path.slice(0, i);
    if (head in obj) return at(obj[head], path.slice(i + 1));
  }
  return undefined;
}

/**
 * The first five keys of an object, quoted and comma-separated, for a message naming what a
 * record holds; `""` for anything else.
 *
 * @example
 * ```ts
 * import { keyList } from "./_util.ts";
 * if (keyList({ a: 1, b: 2 }) !== '"a", "b"' || keyList([1]) !== "") throw new Error();
 * ```
 */
export function keyList(v: unknown): string {
  return isObj(v) ? Object.keys(v).slice(0, 5).map((k) => JSON.stringify(k)).join(", ") : "";
}

/** The first of the values that is not null or undefined. */
export function first<T>(...values: (T | null | undefined)[]): T | null {
  for (const v of values) if (v !== null && v !== undefined) return v;
  return null;
}

/** The unit of a bare number of time. */
export type TimeUnit = "s" | "ms" | "us" | "ns";

/** The sentinel some writers use for "no time" (Go's zero time). */
const ZERO_TIME = /^0001-01-01T00:00:00(\.0+)?(Z|[+-]00:?00)?$/;

/**
 * What a Gemini usage's total holds beyond the parts it names (the prompt, the candidates,
 * and the thoughts and tool-use prompt when given): the thinking the writer left unnamed.
 * Gemini's `totalTokenCount` counts the prompt, the candidates and the thoughts, and some
 * writers give the thoughts only inside it (Gemini CLI's stream-json stats, Langfuse's traces
 * of Google's Vertex AI SDK, a Gemini CLI 0.3x `-o json` run that says `thoughts: 0`); they are
 * billed as output. 0 when the total, the prompt or the candidates are not given, or the total
 * holds nothing more.
 *
 * @example
 * ```ts
 * import { unnamedThinking } from "./_util.ts";
 * if (unnamedThinking(2023, 5, 845) !== 1173) throw new Error("the rest");
 * if (unnamedThinking(2061, 6, 2055) !== 0 || unnamedThinking(null, 5, 845) !== 0) throw new Error();
 * if (unnamedThinking(20372, 18983, 419, 0, 0) !== 970) throw new Error("thoughts 0, tool 0");
 * ```
 */
export function unnamedThinking(
  total: number | null,
  prompt: number | null,
  candidates: number | null,
  ...named: (number | null)[]
): number {
  if (total === null || prompt === null || candidates === null) return 0;
  const rest = total - prompt - candidates - named.reduce<number>((a, n) => a + (n ?? 0), 0);
  return rest > 0 ? rest : 0;
}

/** Result of {@link toMicros}: µs since the epoch, or null with a reason when unreadable. */
export type Micros = { us: number | null; problem?: string };

/**
 * A time in any shape real files use → µs since the epoch:
 * ISO 8601 (0–9 fraction digits, `Z`, offsets, naive = UTC or `timezone`; a
 * calendar date alone is its midnight),
 * numbers and numeric strings in `unit` (or guessed from their size when `unit`
 * is absent: s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns), `[seconds, nanos]` tuples.
 * `0001-01-01T00:00:00Z` is a null time with a problem; so is an out-of-range one.
 *
 * @example
 * ```ts
 * import { toMicros } from "./_util.ts";
 * if (toMicros("1970-01-01T00:00:01.5Z").us !== 1_500_000) throw new Error("iso");
 * if (toMicros([1, 500_000_000]).us !== 1_500_000) throw new Error("tuple");
 * if (toMicros(1_700_000_000_123, undefined).us !== 1_700_000_000_123_000) throw new Error("ms");
 * if (toMicros("0001-01-01T00:00:00Z").us !== null) throw new Error("zero");
 * if (toMicros("2026-07-08").us !== Date.UTC(2026, 6, 8) * 1000) throw new Error("date");
 * if (toMicros("2026-02-30").us !== null) throw new Error("no such day");
 * ```
 */
export function toMicros(v: unknown, unit?: TimeUnit, timezone?: string): Micros {
  if (v === null || v === undefined || v === "") return { us: null };
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") {
    return checked(v[0] * 1e6 + Math.trunc(v[1] / 1000));
  }
  if (typeof v === "string") {
    const t = v.trim();
    if (ZERO_TIME.test(t)) return { us: null, problem: `time ${t} is the zero-time sentinel` };
    if (/^-?\d+(\.\d+)?$/.test(t)) {
      if (/^\d{16,}$/.test(t) && (unit === "ns" || (!unit && t.length >= 18))) {
        return checked(Number(BigInt(t) / 1000n));
      }
      return toMicros(Number(t), unit, timezone);
    }
    // a calendar date alone (a per-day usage log's `2026-07-08`): its midnight, in `timezone`
    const day = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00` : t;
    const us = parseTimestamp(day, { timezone }) ?? jsDateText(t);
    return us === null
      ? { us: null, problem: `time ${JSON.stringify(t)} is not a date` }
      : checked(us);
  }
  if (typeof v === "number" && Number.isFinite(v)) {
    const u = unit ??
      (Math.abs(v) < 1e11 ? "s" : Math.abs(v) < 1e14 ? "ms" : Math.abs(v) < 1e17 ? "us" : "ns");
    const us = u === "s" ? v * 1e6 : u === "ms" ? v * 1e3 : u === "us" ? v : v / 1e3;
    return checked(Math.round(us));
  }
  return { us: null, problem: `time ${JSON.stringify(v)?.slice(0, 40)} is not a date` };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const JS_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-])(\d{2})(\d{2})(?: \([^)]*\))?$/;

/**
 * JavaScript's `Date.prototype.toString()` text, as JavaScript writers print a date (Portkey's
 * log export: `Mon Aug 10 2026 12:00:00 GMT+0000 (Coordinated Universal Time)`) → µs, else null.
 *
 * @example
 * ```ts
 * import { toMicros } from "./_util.ts";
 * const t = toMicros("Mon Aug 10 2026 14:00:00 GMT+0200 (Central European Summer Time)");
 * if (t.us !== Date.UTC(2026, 7, 10, 12) * 1000) throw new Error(String(t.us));
 * ```
 */
function jsDateText(text: string): number | null {
  const m = JS_DATE.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!);
  const [day, year, h, mi, s, oh, om] = [2, 3, 4, 5, 6, 8, 9].map((i) => Number(m[i]));
  if (month < 0 || day! < 1 || day! > 31 || h! > 23 || mi! > 59 || s! > 59 || om! > 59) return null;
  const wall = Date.UTC(year!, month, day!, h!, mi!, s!);
  // a day past the month's end rolls over: no such date
  if (new Date(wall).getUTCDate() !== day) return null;
  const offset = (m[7] === "-" ? -1 : 1) * (oh! * 60 + om!);
  return (wall - offset * 60_000) * 1000;
}

/** Dates JavaScript (and Polars' µs datetimes) can hold: years 0001–9999. */
const MIN_US = -62135596800000000, MAX_US = 253402300799999999;

/** Whether a µs time is one a date can hold (years 0001–9999). */
export function inDateRange(us: number): boolean {
  return Number.isFinite(us) && us >= MIN_US && us <= MAX_US;
}

function checked(us: number): Micros {
  return inDateRange(us) ? { us } : { us: null, problem: `time is out of the range of a date` };
}

/** Seconds between two µs times, or null. */
export function secondsBetween(start: number | null, end: number | null): number | null {
  return start === null || end === null ? null : (end - start) / 1e6;
}

/** Longest string kept whole in an event payload. */
const PAYLOAD_STRING = 300;

/**
 * The clips' mark while a payload is written: JSON.stringify writes this control
 * character as the escape `\u0001`, which then becomes `\u2026` (`…`). Written as
 * `…` itself, the mark would make V8 hold every clipped payload at two bytes a
 * character (a string holding one character past Latin-1 is held at two): a
 * Phoenix span file's 100,000 payloads took 200 MB instead of 100.
 */
const MARK = "\u0001";

/**
 * A JSON value made small enough for an event's payload (every format's events,
 * spans included): strings past 300 characters are clipped (with their length
 * noted), arrays past 20 elements are cut, objects nested past 6 levels become
 * `"…"`. Still valid JSON; the mark `…` is written as the escape `\u2026`.
 *
 * @example
 * ```ts
 * import { compactPayload } from "./_util.ts";
 * const json = compactPayload({ a: "x".repeat(1000), b: [1, 2] });
 * if (!json.includes("\\u2026 (1000 characters)")) throw new Error(json);
 * const p = JSON.parse(json);
 * if (p.a !== "x".repeat(300) + "… (1000 characters)" || p.b.length !== 2) throw new Error();
 * ```
 */
export function compactPayload(value: unknown): string {
  // a text of the value that holds the mark, or its escape's letters: the mark written as `…`
  let marked = false;
  const clip = (v: unknown, depth: number, mark: string): unknown => {
    if (typeof v === "string") {
      // only the part kept is written: a long text is looked through for 300 characters
      const kept = v.length > PAYLOAD_STRING ? v.slice(0, PAYLOAD_STRING) : v;
      if (kept.includes(MARK) || kept.includes("u0001")) marked = true;
      return kept === v ? v : `${kept}${mark} (${v.length} characters)`;
    }
    if (Array.isArray(v)) {
      if (depth > 6) return mark;
      const kept = v.slice(0, 20).map((x) => clip(x, depth + 1, mark));
      if (v.length > 20) kept.push(`${mark} (${v.length} elements)`);
      return kept;
    }
    if (isObj(v)) {
      if (depth > 6) return mark;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k.includes(MARK) || k.includes("u0001")) marked = true;
        out[k] = clip(x, depth + 1, mark);
      }
      return out;
    }
    return v;
  };
  const json = JSON.stringify(clip(value, 0, MARK)) ?? "null";
  if (!marked) return json.includes("\\u0001") ? json.split("\\u0001").join("\\u2026") : json;
  return JSON.stringify(clip(value, 0, "…")) ?? "null";
}

/**
 * A value that may be an array written as its JSON text: Zipkin's and
 * Jaeger's string tags (OpenTelemetry's array attributes), and writers that
 * set an array attribute as a string (`gen_ai.response.finish_reasons` =
 * `"[\"stop\"]"`, Microsoft Agent Framework). A JSON array's text
 * (`["stop"]`) is read as the array; anything else is returned as it is.
 *
 * @example
 * ```ts
 * import { arrayTag } from "./_util.ts";
 * if ((arrayTag('["stop"]') as string[])[0] !== "stop" || arrayTag("[x") !== "[x") throw new Error();
 * ```
 */
export function arrayTag(value: unknown): unknown {
  if (typeof value !== "string" || !value.startsWith("[") || !value.endsWith("]")) return value;
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : value;
  } catch {
    return value; // a string that only looks like an array
  }
}

/**
 * An object, or the JSON text of one (attributes and metadata written as
 * text: Braintrust's `braintrust.metrics`, Langfuse's `metadata`), else null.
 *
 * @example
 * ```ts
 * import { jsonObject } from "./_util.ts";
 * if (jsonObject('{"a": 1}')?.a !== 1 || jsonObject("[1]") !== null || jsonObject("{x") !== null) throw new Error();
 * ```
 */
export function jsonObject(v: unknown): Obj | null {
  if (isObj(v)) return v;
  if (typeof v !== "string" || !v.trimStart().startsWith("{")) return null;
  try {
    const o = JSON.parse(v);
    return isObj(o) ? o : null;
  } catch {
    return null;
  }
}

/** Python's words outside strings (None, True, False, nan, inf), or a quoted string. */
const PY_TOKEN = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\b(None|True|False|nan|inf)\b/g;

/** JSON5's spelling of Python's words. */
const PY_WORDS: Record<string, string> = {
  None: "null",
  True: "true",
  False: "false",
  nan: "NaN",
  inf: "Infinity",
};

/**
 * The value of Python's `repr()` of a literal (what pandas' `to_csv` writes for
 * a cell holding a list or a dict: `[{'name': 'exception', 'attributes': {…}}]`),
 * read as JSON5 once `None`, `True`, `False`, `nan` and `inf` outside strings
 * are JSON5's words; undefined when it is not such a literal.
 *
 * @example
 * ```ts
 * import { pythonLiteral } from "./_util.ts";
 * const v = pythonLiteral("[{'name': 'exception', 'ok': False, 'n': None, 'text': \"it's\"}]");
 * if (JSON.stringify(v) !== '[{"name":"exception","ok":false,"n":null,"text":"it\'s"}]') throw new Error();
 * if (pythonLiteral("not python") !== undefined) throw new Error();
 * ```
 */
export function pythonLiteral(text: string): unknown {
  const json = text.replace(PY_TOKEN, (m, word?: string) => word ? PY_WORDS[word]! : m);
  try {
    return json5Parse(json);
  } catch {
    return undefined;
  }
}
