/**
 * The fast reader: a clean native trace file through Polars' NDJSON reader with
 * an explicit schema (no inference; `messages`/`output` text never reaches JS).
 *
 * Polars is more lenient than the zod schemas (it turns a number into a string
 * where a string is expected, reads `null` as absent, skips blank lines), so
 * every row it returns is checked; a row that could hide such a difference, and
 * every custom or metadata event (whose payload we need), is validated again
 * line by line with JSON.parse and zod. Anything the fast reader cannot take
 * (a parse error, a BOM, a blank line, a long line, too many such rows) returns
 * `null` and the caller falls back to {@link parseTraceText} for the whole file.
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { Buffer } from "node:buffer";
import { closeSync, openSync, readSync } from "node:fs";
import { type Diagnostic, type EventRecord, type RecordOptions, toEventRecord } from "./_event.ts";
import { parseTimestamp } from "./timestamp.ts";
import { messages } from "./messages.ts";

const count = pl.Int64;

/**
 * The Polars schema of the fields the loader reads, declared beside the zod
 * schemas of `src/schema/events.ts` (a test checks that they agree). Text
 * fields are declared so that their length is computed inside Polars.
 */
export const FAST_SCHEMA = {
  type: pl.Utf8,
  timestamp: pl.Utf8,
  session_id: pl.Utf8,
  duration_seconds: pl.Float64,
  data: pl.Struct({
    request_id: pl.Utf8,
    model: pl.Utf8,
    params: pl.Struct({ __tracebook_probe: pl.Bool }),
    messages: pl.List(pl.Struct({ content: pl.Utf8 })),
    provider: pl.Utf8,
    operation: pl.Utf8,
    stream: pl.Bool,
    retry_of: pl.Utf8,
    duration_seconds: pl.Float64,
    success: pl.Bool,
    output: pl.Utf8,
    usage: pl.Struct({
      input_tokens: count,
      output_tokens: count,
      total_tokens: count,
      cache_read_tokens: count,
      cache_write_tokens: count,
      reasoning_tokens: count,
      prompt_tokens: count,
      completion_tokens: count,
      cache_read_input_tokens: count,
      cache_creation_input_tokens: count,
      prompt_tokens_details: pl.Struct({ cached_tokens: count }),
      completion_tokens_details: pl.Struct({ reasoning_tokens: count }),
    }),
    ttft_seconds: pl.Float64,
    finish_reason: pl.Utf8,
    error: pl.Utf8,
    error_type: pl.Utf8,
  }),
};

/** A string Polars may have made from a non-string JSON value. */
const COERCED = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false)$|^[[{]/;
/** The same test as {@link COERCED}, as Polars expressions (anchored: cheap on long text). */
const coerced = (e: pl.Expr) =>
  e.str.contains(String.raw`^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false)$`).or(e.str.slice(0, 1).str.contains(String.raw`^[\[{]`));

const FAST_TYPES = new Set(["session_start", "session_end", "llm_request", "llm_response", "llm_error"]);

/** Rows validated again in JS above this share make the whole file fall back. */
const MAX_RECHECK_SHARE = 0.25;
const CHUNK = 8 * 1024 * 1024;

interface LineIndex {
  /** Byte offset of each line start. */
  starts: Float64Array;
  count: number;
  /** Lines (0-based) that hold the text `null` (explicit nulls must be validated by zod). */
  nullLines: number[];
  /** Why the file cannot take the fast path, if it cannot. */
  reject?: string;
}

/** Pass 1: line starts, the lines that hold the text `null`, and the cheap reasons to fall back. */
function indexLines(path: string, size: number, maxLineBytes: number, onBytes: (n: number) => void): LineIndex {
  let starts = new Float64Array(1024);
  let count = 0;
  const nullLines: number[] = [];
  const push = (start: number) => {
    if (count === starts.length) {
      const grown = new Float64Array(starts.length * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[count++] = start;
  };
  const decoder = new TextDecoder();
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(CHUNK);
    let offset = 0;
    let lineStart = 0;
    while (offset < size) {
      // read whole lines: the chunk starts at the current line start
      const n = readSync(fd, buf, 0, CHUNK, lineStart);
      if (n <= 0) break;
      if (lineStart === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        return { starts, count, nullLines, reject: "bom" };
      }
      const last = n < CHUNK && lineStart + n >= size ? n : buf.lastIndexOf(10, n - 1) + 1;
      if (last <= 0) return { starts, count, nullLines, reject: "long line" };
      const view = buf.subarray(0, last);
      // `null` rarely occurs: search the decoded text, then map to lines lazily
      const text = decoder.decode(view);
      let nextNull = text.indexOf("null");
      let textPos = 0;
      let p = 0;
      while (p < last) {
        let nl = view.indexOf(10, p);
        if (nl < 0) nl = last;
        if (nl - p > maxLineBytes) return { starts, count, nullLines, reject: "long line" };
        push(lineStart + p);
        if (nextNull >= 0) {
          // advance the text position to the end of this line
          const textEnd = text.indexOf("\n", textPos);
          const lineTextEnd = textEnd < 0 ? text.length : textEnd;
          if (nextNull < lineTextEnd) {
            nullLines.push(count - 1);
            nextNull = text.indexOf("null", lineTextEnd);
          }
          textPos = lineTextEnd + 1;
        }
        p = nl + 1;
      }
      lineStart += last;
      offset = lineStart;
      onBytes(last);
    }
  } finally {
    closeSync(fd);
  }
  return { starts, count, nullLines };
}

/** Return `null` (read line by line); say why on stderr when `TRACEBOOK_DEBUG` is set. */
function fallBack(file: string, reason: string): null {
  let debug = false;
  try {
    debug = !!Deno.env.get("TRACEBOOK_DEBUG");
  } catch { /* no env permission */ }
  if (debug) console.error(`tracebook: ${file}: read line by line (${reason})`);
  return null;
}

/** Options of {@link readTraceFileFast}. */
export interface FastReadOptions extends RecordOptions {
  maxLineBytes: number;
  /** Called with a number of bytes just processed (the caller completes the count). */
  onBytes?: (n: number) => void;
}

/**
 * Read one native trace file fast, or return `null` when it must be read line by line.
 * `file` is the name to report; `path` the file to open.
 */
export async function readTraceFileFast(
  path: string,
  file: string,
  size: number,
  options: FastReadOptions,
): Promise<{ events: EventRecord[]; diagnostics: Diagnostic[] } | null> {
  const report = options.onBytes ?? (() => {});
  const index = indexLines(path, size, options.maxLineBytes, (n) => report(Math.floor(n / 2)));
  if (index.reject) return fallBack(file, index.reject);
  if (index.count === 0) return { events: [], diagnostics: [] };
  const d = pl.col("data");
  const field = (name: string) => d.struct.field(name);
  const usage = (name: string) => field("usage").struct.field(name).alias(`u_${name}`);
  let df: pl.DataFrame;
  try {
    df = await pl.scanJson(path, { schema: FAST_SCHEMA, inferSchemaLength: 0 }).select(
      pl.col("type"),
      pl.col("timestamp"),
      pl.col("session_id"),
      pl.col("duration_seconds").alias("top_duration"),
      ...["request_id", "model", "provider", "operation", "retry_of", "duration_seconds", "ttft_seconds", "finish_reason", "error", "error_type"]
        .map((n) => field(n).alias(`d_${n}`)),
      ...["input_tokens", "output_tokens", "total_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "prompt_tokens", "completion_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"]
        .map(usage),
      field("usage").struct.field("prompt_tokens_details").struct.field("cached_tokens").alias("u_cached"),
      field("usage").struct.field("completion_tokens_details").struct.field("reasoning_tokens").alias("u_reasoning"),
      field("output").str.lengths().alias("output_chars"),
      coerced(field("output")).alias("output_odd"),
      field("messages").lst.eval(pl.element().struct.field("content").str.lengths().cast(pl.Int64)).lst.sum()
        .alias("prompt_chars"), // the cast inside eval avoids a Polars 0.25 panic (String vs UInt32) on some files
      field("messages").lst.eval(coerced(pl.element().struct.field("content")).cast(pl.Int32))
        .lst.sum().alias("messages_odd"),
      field("messages").isNull().alias("no_messages"),
    ).collect();
  } catch (err) {
    return fallBack(file, `Polars: ${(err as Error).message.split("\n")[0]}`);
  }
  if (df.height !== index.count) return fallBack(file, `${df.height} rows for ${index.count} lines (blank lines?)`);
  const col = (name: string) => df.getColumn(name).toArray() as unknown[];
  const c = Object.fromEntries(df.columns.map((name) => [name, col(name)])) as Record<string, unknown[]>;
  const usageColumns = df.columns.filter((name) => name.startsWith("u_")).map((name) => c[name]!);
  const recheck = new Set<number>();
  for (const i of index.nullLines) recheck.add(i);
  const events: (EventRecord | undefined)[] = new Array(df.height);
  const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null);
  const nonNegative = (v: unknown) => v === null || (num(v) ?? -1) >= 0;
  const plainString = (v: unknown) => typeof v === "string" && !COERCED.test(v);
  const optionalString = (v: unknown) => v === null || plainString(v);
  for (let i = 0; i < df.height; i++) {
    if (recheck.has(i)) continue;
    const type = c.type![i] as string | null;
    const session = c.session_id![i];
    const ts = typeof c.timestamp![i] === "string" ? parseTimestamp(c.timestamp![i] as string, options) : null;
    if (type === null || !FAST_TYPES.has(type) || ts === null || !plainString(session)) {
      recheck.add(i);
      continue;
    }
    const llm = type.startsWith("llm_");
    const duration = num(llm ? c.d_duration_seconds![i] : type === "session_end" ? c.top_duration![i] : null);
    let ok = true;
    if (llm) {
      ok = plainString(c.d_request_id![i]) && optionalString(c.d_model![i]) && optionalString(c.d_provider![i]) &&
        optionalString(c.d_operation![i]) && optionalString(c.d_retry_of![i]);
      if (type === "llm_request") ok &&= !c.messages_odd![i];
      else ok &&= duration !== null && duration >= 0;
      if (type === "llm_response") {
        ok &&= nonNegative(c.d_ttft_seconds![i]) && optionalString(c.d_finish_reason![i]) && !c.output_odd![i];
        for (const u of usageColumns) ok &&= nonNegative(u[i]);
      }
      if (type === "llm_error") ok &&= plainString(c.d_error![i]) && optionalString(c.d_error_type![i]);
    } else if (type === "session_end") ok = duration !== null && duration >= 0;
    if (!ok) {
      recheck.add(i);
      continue;
    }
    events[i] = fastRecord(c, i, type, ts, file, duration);
  }
  if (recheck.size > index.count * MAX_RECHECK_SHARE && recheck.size > 1000) {
    return fallBack(file, `${recheck.size} of ${index.count} lines need a second look`);
  }
  const diagnostics: Diagnostic[] = [];
  if (recheck.size) {
    const fd = openSync(path, "r");
    try {
      for (const i of [...recheck].sort((a, b) => a - b)) {
        const start = index.starts[i]!;
        const end = i + 1 < index.count ? index.starts[i + 1]! : size;
        const bytes = Buffer.alloc(end - start);
        readSync(fd, bytes, 0, bytes.length, start);
        const text = bytes.toString("utf8").replace(/\r?\n$/, "");
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (err) {
          diagnostics.push({
            file,
            line: i + 1,
            code: "invalid_json",
            message: messages.invalidJson((err as Error).message),
            severity: "error",
          });
          continue;
        }
        const result = toEventRecord(value, file, i + 1, options);
        if ("code" in result) diagnostics.push(result);
        else events[i] = result;
      }
    } finally {
      closeSync(fd);
    }
  }
  return { events: events.filter((e): e is EventRecord => e !== undefined), diagnostics };
}

function fastRecord(
  c: Record<string, unknown[]>,
  i: number,
  type: string,
  ts: number,
  file: string,
  duration: number | null,
): EventRecord {
  const s = (name: string) => (c[name]![i] ?? null) as string | null;
  const n = (name: string) => {
    const v = c[name]![i];
    return typeof v === "bigint" ? Number(v) : (v ?? null) as number | null;
  };
  const llm = type.startsWith("llm_");
  let usage = null;
  if (type === "llm_response") {
    const input = n("u_input_tokens") ?? n("u_prompt_tokens");
    const output = n("u_output_tokens") ?? n("u_completion_tokens");
    const values = {
      input_tokens: input,
      output_tokens: output,
      total_tokens: n("u_total_tokens") ?? (input !== null && output !== null ? input + output : null),
      cache_read_tokens: n("u_cache_read_tokens") ?? n("u_cache_read_input_tokens") ?? n("u_cached"),
      cache_write_tokens: n("u_cache_write_tokens") ?? n("u_cache_creation_input_tokens"),
      reasoning_tokens: n("u_reasoning_tokens") ?? n("u_reasoning"),
    };
    // `usage` absent altogether and `usage: {}` both give all-null tokens, as in the JS path
    usage = values;
  }
  return {
    file,
    line: i + 1,
    type,
    ts,
    session_id: s("session_id")!,
    request_id: llm ? s("d_request_id") : null,
    model: llm ? s("d_model") : null,
    provider: llm ? s("d_provider") : null,
    duration,
    error: type === "llm_error" ? s("d_error") : null,
    usage,
    ttft: type === "llm_response" ? n("d_ttft_seconds") : null,
    finish_reason: type === "llm_response" ? s("d_finish_reason") : null,
    retry_of: llm ? s("d_retry_of") : null,
    prompt_chars: type === "llm_request" && !c.no_messages![i] ? n("prompt_chars") ?? 0 : null,
    output_chars: type === "llm_response" ? n("output_chars") : null,
    payload: null,
    metadata: null,
  };
}
