/**
 * Phoenix / OpenInference span exports → spans → records (`_spans.ts` applies
 * the call rules and reads the OpenInference attributes: `llm.model_name`,
 * `llm.token_count.*`, `llm.invocation_parameters`, `session.id`, …).
 *
 * Reads Phoenix's own exports (OTLP files with OpenInference attributes are the
 * `otlp` adapter's), and Arize AX's (`{spans: [{name, context, kind, …, attributes:
 * {"openinference.span.kind", …}}]}`, and its dataframes, which name the kind only as
 * `attributes.openinference.span.kind`):
 * - span objects `{name, context: {trace_id, span_id}, span_kind, parent_id, start_time,
 *   end_time, status_code, status_message, attributes, events}`, one per line,
 *   pretty-printed or in an array, pages of Phoenix's REST API (`{data: [...], next_cursor}`),
 *   and the traces its CLI writes (`px traces`: `{traceId, spans, rootSpan, …}`, one per file or
 *   in an array; `rootSpan` repeats a span and is not read again);
 *   `attributes` nested (`{"llm": {"token_count": {"prompt": 12}}}`) or with dotted keys;
 * - `get_spans_dataframe()` written by pandas' `to_json`: records (`orient="records"`,
 *   `lines=True` too) with the columns `context.span_id`, `span_kind`,
 *   `attributes.llm.token_count.prompt`, …; `orient="columns"`, `"index"` and `"split"`.
 *   Times are ISO text or epoch numbers (pandas writes milliseconds), counts may be floats;
 * - the same dataframe written by `to_csv`, with or without its index: empty cells are
 *   absent, and lists and dicts (`events`) are Python's `repr()` of them.
 *
 * Spans of kind `LLM` are calls (an LLM span above another is a wrapper); the
 * others (CHAIN, TOOL, AGENT, RETRIEVER, EMBEDDING, …) are events `openinference.<kind>`.
 * `status_code: ERROR` or an `exception` event is an error, no `end_time` is pending;
 * the session is `session.id`, else the trace.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { Diagnostic } from "../_event.ts";
import type { ImportedRecords } from "./_records.ts";
import { textSource, type TraceSource } from "./source.ts";
import { SpanList, spansToRecords } from "./_spans.ts";
import { first, isObj, keyList, type Obj, pythonLiteral, str, toMicros } from "./_util.ts";
import { csvHeader, csvRows, looksLikeCsv } from "./_csv.ts";
import { problemList, timeWarner } from "./_span_values.ts";

/** The columns of a span: `context.span_id` or the nested `context`. */
const CONTEXT_KEYS = ["context", "context.span_id", "context.trace_id"];

/** True for one Phoenix span (a span object or a dataframe record). */
function isPhoenixSpan(v: unknown): v is Obj {
  // Arize's dataframes name the kind only as an attribute column
  return isObj(v) && ("span_kind" in v || "attributes.openinference.span.kind" in v) &&
    CONTEXT_KEYS.some((k) => k in v);
}

/**
 * A span whose kind is only among its attributes, with `context: {trace_id, span_id}`: Arize
 * AX's span export (its `kind` is OpenTelemetry's span kind, often `""`). Read inside a
 * {@link isSpanList} only: OpenTelemetry Python's dumps have this shape too, and are theirs.
 */
function isAttributedSpan(v: unknown): v is Obj {
  return isObj(v) && isObj(v.context) && typeof v.context.span_id === "string" &&
    isObj(v.attributes) && "openinference.span.kind" in v.attributes;
}

/**
 * `{spans: [span, …]}`: Arize AX's span export (`ax spans export`), and a trace as Phoenix's
 * CLI writes it (`px traces DIR`, `px traces --format json`, `px trace ID`: `{traceId, spans,
 * rootSpan, startTime, endTime, duration, status}`, its spans those of the REST API and
 * `rootSpan` a copy of one of them, not read again).
 */
function isSpanList(v: unknown): v is { spans: unknown[] } {
  return isObj(v) && Array.isArray(v.spans) && v.spans.length > 0 &&
    (isPhoenixSpan(v.spans[0]) || isAttributedSpan(v.spans[0]));
}

/** `{data: [spans], next_cursor}` of the REST API. */
function isPage(v: unknown): v is Obj {
  return isObj(v) && Array.isArray(v.data) && "next_cursor" in v && isPhoenixSpan(v.data[0]);
}

/** A dataframe written with `orient="columns"`: each column an object keyed by the index. */
function isColumns(v: unknown): v is Obj {
  return isObj(v) && isObj(v.span_kind) && CONTEXT_KEYS.some((k) => k in v) && !isObj(v.context);
}

/** A dataframe written with `orient="index"`: rows keyed by the index (the span id). */
function isIndex(v: unknown): v is Obj {
  if (!isObj(v)) return false;
  const rows = Object.values(v);
  return rows.length > 0 && rows.every(isObj) && "span_kind" in (rows[0] as Obj) &&
    !("span_kind" in v);
}

/** A dataframe written with `orient="split"`: `{columns, index, data}`. */
function isSplit(v: unknown): v is Obj {
  return isObj(v) && Array.isArray(v.columns) && Array.isArray(v.data) &&
    v.columns.includes("span_kind");
}

/** A header of `get_spans_dataframe()` written by pandas' `to_csv`. */
function isSpanHeader(columns: string[]): boolean {
  return columns.includes("span_kind") && CONTEXT_KEYS.some((k) => columns.includes(k));
}

/**
 * A row of the dataframe's CSV as its JSON record: an empty cell (NaN, None) is
 * absent, and a list or dict (`events`, `attributes.llm.input_messages`) is read
 * from Python's `repr()` of it; numbers and times stay text, which the span
 * readers take.
 */
function csvRecord(row: Record<string, string>): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === "" || k === "") continue;
    const t = v.trimStart();
    const literal = t.startsWith("[") || t.startsWith("{") ? pythonLiteral(v) : undefined;
    out[k] = literal ?? v;
  }
  return out;
}

function detect(s: FormatSample): boolean {
  const v = s.values[0];
  // a sample with JSON values starts with `{` or `[`, so it is no CSV: its head (the first MiB,
  // read when asked for) is not read for it, as native detection never reads it (1,000 native
  // files of 160-190 KB, loadTraces without the cache: 2.9-3.0 s -> 2.5-2.6 s, 123,000 -> 67,000
  // page faults, peak 304 -> 205 MB)
  if (v === undefined && looksLikeCsv(s.head)) return isSpanHeader(csvHeader(s.head));
  if (v !== undefined) {
    return isPhoenixSpan(v) || isPage(v) || isIndex(v) || isSplit(v) || isSpanList(v);
  }
  // a first value longer than the sample: its keys
  return (s.keys.includes("span_kind") && CONTEXT_KEYS.some((k) => s.keys.includes(k))) ||
    (s.keys[0] === "traceId" && s.keys[1] === "spans" && /"span_kind"\s*:/.test(s.head) &&
      /"context"\s*:/.test(s.head)) ||
    (s.keys.length === 1 && s.keys[0] === "spans" && /"context"\s*:/.test(s.head) &&
      /"openinference\.span\.kind"\s*:/.test(s.head));
}

/**
 * Attributes as dotted keys: nested objects are opened (`{"llm": {"model_name": …}}` →
 * `llm.model_name`), and so are lists of objects (`llm.input_messages.0.message.content`);
 * the dataframe's `attributes.` prefix is taken off.
 */
function flatten(value: unknown, prefix: string, out: Obj, depth = 0): Obj {
  const open = depth < 12 &&
    (isObj(value) || (Array.isArray(value) && value.length > 0 && value.every(isObj)));
  if (!open) {
    if (prefix !== "" && value !== null && value !== undefined) out[prefix] = value;
    return out;
  }
  for (const [k, v] of Object.entries(value as Obj)) {
    flatten(v, prefix === "" ? k : `${prefix}.${k}`, out, depth + 1);
  }
  return out;
}

/** The rows of a dataframe written column-wise or index-wise, with the index as `__index`. */
function rowsOfColumns(v: Obj): Obj[] {
  const rows = new Map<string, Obj>();
  for (const [col, cells] of Object.entries(v)) {
    if (!isObj(cells)) continue;
    for (const [index, cell] of Object.entries(cells)) {
      let row = rows.get(index);
      if (!row) rows.set(index, row = { __index: index });
      row[col] = cell;
    }
  }
  return [...rows.values()];
}

function rowsOfSplit(v: Obj): Obj[] {
  const columns = v.columns as unknown[];
  const index = Array.isArray(v.index) ? v.index : [];
  return (v.data as unknown[]).filter(Array.isArray).map((cells, i) => {
    const row: Obj = { __index: index[i] ?? null };
    columns.forEach((c, j) => row[String(c)] = (cells as unknown[])[j]);
    return row;
  });
}

/**
 * Parse the text of a Phoenix span export into calls, events and diagnostics.
 *
 * @example
 * ```ts
 * import { parseOpenInferenceText } from "./openinference.ts";
 * const rows = [
 *   { name: "agent", span_kind: "AGENT", "context.span_id": "a", "context.trace_id": "t", parent_id: null,
 *     start_time: 1700000000000, end_time: 1700000003000, status_code: "OK" },
 *   { name: "ChatCompletion", span_kind: "LLM", "context.span_id": "b", "context.trace_id": "t", parent_id: "a",
 *     start_time: 1700000000500, end_time: 1700000002000, status_code: "OK",
 *     "attributes.llm.model_name": "gpt-4o-mini", "attributes.llm.token_count.prompt": 12.0,
 *     "attributes.llm.token_count.completion": 3.0 },
 * ];
 * const r = parseOpenInferenceText(JSON.stringify(rows), "spans.json");
 * if (r.calls.length !== 1 || r.calls[0]!.input_tokens !== 12 || r.calls[0]!.duration_s !== 1.5) throw new Error();
 * if (r.events.map((e) => e.type).join() !== "openinference.agent,openinference.llm") throw new Error();
 * ```
 */
export function parseOpenInferenceText(
  text: string,
  file: string,
  options: Pick<ParseOptions, "keepText" | "textsOf"> = {},
): ImportedRecords {
  return parseOpenInference(textSource(text, file), file, options);
}

/** {@link parseOpenInferenceText} of a source read value by value (a file never held whole). */
function parseOpenInference(
  source: TraceSource,
  file: string,
  options: Pick<ParseOptions, "keepText" | "textsOf" | "textLines" | "textIds">,
  lighten = true,
): ImportedRecords {
  const spans = new SpanList(options, lighten);
  // the adapter's own problems, after the reader's (as when the values were read first)
  const own: Diagnostic[] = [];
  const problem = problemList(file, own);
  const time = timeWarner(problem, "openinference_bad_time");
  let row = 0;

  const readSpan = (r: Obj, line: number) => {
    row++;
    const ctx = isObj(r.context) ? r.context : {};
    const traceId = str(first(ctx.trace_id, r["context.trace_id"], r.trace_id));
    // a dataframe written without its index may have lost the span id: the row stands alone
    const spanId = str(first(ctx.span_id, r["context.span_id"], r.span_id, r.__index)) ??
      `row-${row}`;
    // attributes: nested or dotted, under `attributes` or as `attributes.*` columns
    const attributes = flatten(isObj(r.attributes) ? r.attributes : {}, "", {});
    for (const [k, x] of Object.entries(r)) {
      if (k.startsWith("attributes.")) flatten(x, k.slice("attributes.".length), attributes);
    }
    const kind = str(first(r.span_kind, attributes["openinference.span.kind"]));
    if (kind !== null) attributes["openinference.span.kind"] ??= kind;
    const status = String(
      first(r.status_code, isObj(r.status) ? r.status.status_code ?? r.status.code : null) ?? "",
    )
      .replace(/^StatusCode\./, "").replace(/^STATUS_CODE_/, "").toUpperCase();
    spans.push({
      trace_id: traceId ?? file,
      span_id: spanId,
      parent_span_id: str(first(r.parent_id, r.parent_span_id)),
      name: str(r.name),
      kind,
      start_us: time(r.start_time, line, `span ${spanId} start_time`),
      end_us: time(r.end_time, line, `span ${spanId} end_time`),
      status: status === "ERROR" ? "error" : status === "OK" ? "ok" : "unset",
      status_message: str(r.status_message),
      attributes,
      events: Array.isArray(r.events)
        ? r.events.filter(isObj).map((e) => ({
          name: str(e.name) ?? "",
          ts: toMicros(first(e.timestamp, e.time)).us,
          attributes: flatten(isObj(e.attributes) ? e.attributes : {}, "", {}),
        }))
        : [],
      line,
      event_type: kind?.toLowerCase() ?? null,
    });
  };

  const read = (v: unknown, line: number, path: string) => {
    if (Array.isArray(v) && path === "") v.forEach((x, i) => read(x, line, `[${i}]`));
    else if (isPage(v)) (v.data as unknown[]).forEach((x, i) => read(x, line, `${path}data[${i}]`));
    // a list of spans (a trace of Phoenix's CLI: its rootSpan repeats one)
    else if (isSpanList(v)) {
      v.spans.forEach((x, i) =>
        isAttributedSpan(x) ? readSpan(x, line) : read(x, line, `${path}spans[${i}]`)
      );
    } else if (isColumns(v)) rowsOfColumns(v).forEach((x) => readSpan(x, line));
    else if (isSplit(v)) rowsOfSplit(v).forEach((x) => readSpan(x, line));
    else if (isPhoenixSpan(v)) readSpan(v, line);
    else if (isIndex(v)) {
      for (const [index, x] of Object.entries(v)) readSpan({ __index: index, ...(x as Obj) }, line);
    } else {
      const keys = keyList(v);
      problem(
        line,
        "openinference_unknown_record",
        `${path || "record"} is not a Phoenix span (it needs "span_kind" and "context")${
          keys ? `: keys ${keys}` : ""
        }`,
      );
    }
  };
  const diagnostics = looksLikeCsv(source.head())
    ? csvRows(source, file, (line, row) => readSpan(csvRecord(row as Record<string, string>), line))
    : source.values(({ value, line }) => read(value, line, ""));
  for (const d of own) diagnostics.push(d);
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseOpenInference(source, file, options, false);
  return spansToRecords(
    spans.spans,
    file,
    {
      eventPrefix: "openinference",
      keepText: options.keepText,
      textsOf: options.textsOf,
      textLines: options.textLines,
      textIds: options.textIds,
    },
    diagnostics,
  );
}

/** Phoenix / OpenInference span exports. */
export const openinference: FormatAdapter = {
  name: "openinference",
  title: "Phoenix / OpenInference span exports",
  reads:
    "spans of kind LLM are calls (llm.model_name, llm.token_count.*); wrappers and CHAIN, TOOL, AGENT, RETRIEVER… spans are events; status_code ERROR or an exception event is an error, no end_time is pending; session.id (else the trace) is the session",
  example:
    '{"name": "ChatCompletion", "span_kind": "LLM", "context.span_id": "5b8a…", "context.trace_id": "0af7…", "parent_id": null, "start_time": 1700000000000, "end_time": 1700000001500, "status_code": "OK", "attributes.llm.model_name": "gpt-4o-mini", "attributes.llm.token_count.prompt": 12.0}',
  detect,
  parse: (source, file, options) => parseOpenInference(source, file, options),
  textsByCall: true,
};
