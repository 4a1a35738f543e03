/**
 * MLflow trace JSON → spans → records (`_spans.ts` applies the call rules).
 *
 * Reads, one JSON value after the other (one per line, pretty-printed, or in
 * a top-level array):
 * - the trace artifact `traces.json`: `{"spans": [...]}` (MLflow 3: base64
 *   `trace_id`/`span_id`, `start_time_unix_nano`, `status.code: STATUS_CODE_*`);
 * - `mlflow.get_trace(id).to_json()`: `{"info": {...}, "data": {"spans": [...]}}`, with
 *   MLflow 2 spans (`context.span_id`, `parent_id`, `start_time`/`end_time` in ns,
 *   `status_code`) or MLflow 3 ones (also the newer `status.code: OK` and hex ids);
 * - records of `mlflow.search_traces()` written as JSON (`spans` beside the trace info);
 * - what `mlflow traces search --output json` prints: `{"traces": [{info, data}], "next_page_token"}`;
 * - single span objects whose attributes are MLflow's.
 *
 * The Python SDK writes every span attribute value as JSON text (`"\"CHAT_MODEL\""`): such
 * values are decoded before the conventions are read; the TypeScript SDK's are written as they
 * are (`"CHAT_MODEL"`, a session `"1001"`) and read so ({@link mlflowDecoded}: by the type's
 * quotes). Event attributes are written as they are by both. Spans of type `CHAT_MODEL` or `LLM` are calls
 * (a call-like span above another is a wrapper); the others are events `mlflow.<type>`.
 * Ids are turned into hex. Event times may be in µs while span times are in ns: both
 * are read by their size. The session is the trace's `mlflow.trace.session` (or a
 * `session.id` attribute), else the MLflow trace id (`info.trace_id` / `request_id` /
 * `mlflow.traceRequestId`). A trace whose info says `IN_PROGRESS` is unfinished.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { parseJsonValues } from "./_json_values.ts";
import type { ImportedRecords } from "./_records.ts";
import { mlflowDecoded, type Span, spansToRecords } from "./_spans.ts";
import { first, isObj, keyList, type Obj, str, toMicros } from "./_util.ts";
import { hexId, problemList, timeWarner } from "./_span_values.ts";

/**
 * The OTel trace id an MLflow 3 trace id names (`tr-` and the trace id's 32 hex digits, as
 * both MLflow SDKs make it), else null.
 */
function otelTraceIdOf(mlflowId: string | null): string | null {
  const m = /^tr-([0-9a-f]{32})$/i.exec(mlflowId ?? "");
  return m ? m[1]!.toLowerCase() : null;
}

/** True for one MLflow span (any schema): an id and MLflow's own attributes. */
function isMlflowSpan(v: unknown): v is Obj {
  return isObj(v) && ("span_id" in v || isObj(v.context)) && isObj(v.attributes) &&
    Object.keys(v.attributes).some((k) => k.startsWith("mlflow."));
}

/** The span list of a trace record (`spans`, or `data.spans`), or null. */
function spansOf(v: Obj): unknown[] | null {
  if (Array.isArray(v.spans)) return v.spans;
  if (isObj(v.data) && Array.isArray(v.data.spans)) return v.data.spans;
  return null;
}

/** True for a trace: an info with MLflow's ids, or a span list of MLflow spans. */
function isTrace(v: unknown): v is Obj {
  if (!isObj(v)) return false;
  const spans = spansOf(v);
  if (spans === null) return false;
  if (spans.length > 0) return isMlflowSpan(spans[0]);
  const info = isObj(v.info) ? v.info : v;
  return str(info.request_id) !== null || (str(info.trace_id) !== null && "trace_location" in info);
}

/**
 * What `mlflow traces search --output json` prints: `{traces: [trace.to_dict()],
 * next_page_token}` (MLflow's trace CLI, 3.x).
 */
function isSearchOutput(v: unknown): v is { traces: unknown[] } {
  return isObj(v) && Array.isArray(v.traces) && "next_page_token" in v &&
    v.traces.length > 0 && isTrace(v.traces[0]);
}

function detect(s: FormatSample): boolean {
  const v = s.values[0];
  if (v !== undefined) return isTrace(v) || isMlflowSpan(v) || isSearchOutput(v);
  // a first trace longer than the sample: its keys and MLflow's attribute names
  return (s.keys.includes("spans") || (s.keys.includes("info") && s.keys.includes("data")) ||
    s.keys[0] === "traces") &&
    /"mlflow\.(spanType|traceRequestId|spanInputs)"/.test(s.head);
}

/** What the trace info says of a trace: its id, session and whether it finished. */
interface TraceInfo {
  id: string | null;
  session: string | null;
  inProgress: boolean;
}

function infoOf(v: Obj): TraceInfo {
  const info = isObj(v.info) ? v.info : v;
  // metadata values are plain strings, not JSON text as span attributes are: a session "1001"
  // stays text
  const meta: Obj = {
    ...(isObj(info.request_metadata) ? info.request_metadata : {}),
    ...(isObj(info.trace_metadata) ? info.trace_metadata : {}),
  };
  const state = str(first(info.state, info.status));
  return {
    id: first(str(info.trace_id), str(info.request_id)),
    session: str(meta["mlflow.trace.session"]),
    inProgress: state === "IN_PROGRESS",
  };
}

/**
 * Parse the text of an MLflow trace file into calls, events and diagnostics.
 *
 * @example
 * ```ts
 * import { parseMlflowText } from "./mlflow.ts";
 * const span = (id: string, parent: string, type: string, attrs: Record<string, unknown>) => ({
 *   trace_id: "AAAAAAAAAAAAAAAAAAAAAQ==", span_id: id, parent_span_id: parent, name: type,
 *   start_time_unix_nano: 1_700_000_000_000_000_000, end_time_unix_nano: 1_700_000_002_000_000_000,
 *   status: { code: "STATUS_CODE_OK" },
 *   attributes: Object.fromEntries(Object.entries({ "mlflow.spanType": type, ...attrs })
 *     .map(([k, v]) => [k, JSON.stringify(v)])),
 * });
 * const r = parseMlflowText(JSON.stringify({ spans: [
 *   span("AAAAAAAAAAE=", "", "CHAIN", { "mlflow.traceRequestId": "tr-1" }),
 *   span("AAAAAAAAAAI=", "AAAAAAAAAAE=", "CHAT_MODEL",
 *     { model_name: "llama3.1", usage: { prompt_tokens: 10, completion_tokens: 2 } }),
 * ] }), "traces.json");
 * if (r.calls.length !== 1 || r.calls[0]!.input_tokens !== 10 || r.calls[0]!.session_id !== "tr-1") throw new Error();
 * if (r.calls[0]!.span_id !== "0000000000000002" || r.calls[0]!.duration_s !== 2) throw new Error();
 * ```
 */
export function parseMlflowText(
  text: string,
  file: string,
  options: Pick<ParseOptions, "keepText" | "textsOf"> = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonValues(text, file);
  const spans: Span[] = [];
  const unfinished = new Set<string>();
  const problem = problemList(file, diagnostics);
  const time = timeWarner(problem, "mlflow_bad_time");

  /** The spans of one trace (or of lone spans: `info` null), with the trace's session. */
  const readTrace = (list: unknown[], info: TraceInfo | null, line: number, path: string) => {
    const good = list.filter((s, i) => {
      if (
        isObj(s) && (str(s.span_id) ?? (isObj(s.context) ? str(s.context.span_id) : null)) !== null
      ) return true;
      problem(line, "mlflow_bad_span", `${path}[${i}] is not an MLflow span (it has no "span_id")`);
      return false;
    }) as Obj[];
    // Python's values are JSON text, the TypeScript SDK's are written as they are
    const attrsOf = good.map((s) => mlflowDecoded(isObj(s.attributes) ? s.attributes : {}));
    // the first that names one, in this order (loops, not spread arguments: a trace may hold
    // more spans than a call takes arguments)
    const firstOf = (read: (a: Obj) => string | null) => {
      for (const a of attrsOf) {
        const v = read(a);
        if (v !== null) return v;
      }
      return null;
    };
    const session = info?.session ??
      firstOf((a) => first(str(a["mlflow.trace.session"]), str(a["session.id"]))) ??
      info?.id ?? firstOf((a) => str(a["mlflow.traceRequestId"]));
    for (const [i, s] of good.entries()) {
      const a = attrsOf[i]!;
      const ctx = isObj(s.context) ? s.context : {};
      // the MLflow id before the span's own trace id: the TypeScript SDK encodes its "tr-…" id,
      // prefix and all, into the base64 `trace_id` ("tr-bfee…" as 00f5fe…)
      const traceId = hexId(s.otel_trace_id) ??
        otelTraceIdOf(str(a["mlflow.traceRequestId"]) ?? info?.id ?? null) ??
        hexId(first(ctx.trace_id, s.trace_id)) ?? info?.id ?? file;
      const spanId = hexId(first(s.span_id, ctx.span_id))!;
      const status = isObj(s.status) ? s.status : {};
      const code = String(first(status.code, s.status_code) ?? "");
      const type = str(a["mlflow.spanType"]);
      spans.push({
        trace_id: traceId,
        span_id: spanId,
        parent_span_id: hexId(first(s.parent_span_id, s.parent_id)),
        name: str(s.name),
        kind: type,
        start_us: time(
          first(s.start_time_unix_nano, s.start_time),
          line,
          `span ${spanId} start time`,
        ),
        end_us: time(first(s.end_time_unix_nano, s.end_time), line, `span ${spanId} end time`),
        status: /ERROR$/.test(code) || code === "2"
          ? "error"
          : /OK$/.test(code) || code === "1"
          ? "ok"
          : "unset",
        status_message: str(first(status.message, s.status_message)),
        attributes: a,
        events: Array.isArray(s.events)
          ? s.events.filter(isObj).map((e) => ({
            name: str(e.name) ?? "",
            // µs in the artifact, ns in MLflow 2: read by size
            ts: toMicros(first(e.time_unix_nano, e.timestamp)).us,
            // written as they are (exception.message), by both SDKs
            attributes: isObj(e.attributes) ? e.attributes : {},
          }))
          : [],
        line,
        session_id: session,
        event_type: type?.toLowerCase() ?? null,
      });
      if (info?.inProgress) unfinished.add(session ?? traceId);
    }
  };

  const read = (v: unknown, line: number, path: string) => {
    if (Array.isArray(v) && path === "") v.forEach((x, i) => read(x, line, `[${i}]`));
    else if (isObj(v) && spansOf(v) !== null) {
      readTrace(
        spansOf(v)!,
        infoOf(v),
        line,
        `${path}${Array.isArray(v.spans) ? "spans" : "data.spans"}`,
      );
    } else if (isSearchOutput(v)) v.traces.forEach((x, i) => read(x, line, `${path}traces[${i}].`));
    else if (isMlflowSpan(v)) readTrace([v], null, line, path || "span");
    else {
      const keys = keyList(v);
      problem(
        line,
        "mlflow_unknown_record",
        `${path || "record"} is neither an MLflow trace nor an MLflow span${
          keys ? ` (keys ${keys})` : ""
        }`,
      );
    }
  };
  for (const { value, line } of values) read(value, line, "");
  const records = spansToRecords(
    spans,
    file,
    { eventPrefix: "mlflow", keepText: options.keepText, textsOf: options.textsOf },
    diagnostics,
  );
  for (const id of unfinished) {
    const known = records.sessions?.find((s) => s.session_id === id);
    if (known) known.complete = false;
    else (records.sessions ??= []).push({ session_id: id, complete: false });
  }
  return records;
}

/** MLflow trace JSON. */
export const mlflow: FormatAdapter = {
  name: "mlflow",
  title: "MLflow traces (JSON)",
  reads:
    "spans of type CHAT_MODEL or LLM are calls (wrappers and other spans are events); attribute values written as JSON text (the Python SDK's) are decoded; status ERROR or an exception event is an error, no end time is pending; the MLflow trace (or its session) is the session",
  example:
    '{"spans": [{"trace_id": "6l/06qOC…", "span_id": "+qUWgBryba0=", "parent_span_id": "ruJn…", "name": "Ollama.achat_1", "start_time_unix_nano": 1752749886957836400, "end_time_unix_nano": …, "status": {"code": "STATUS_CODE_OK"}, "attributes": {"mlflow.spanType": "\\"CHAT_MODEL\\"", "model_name": "\\"llama3.1:latest\\"", "usage": "{\\"prompt_tokens\\": 1647, …}"}}]}',
  detect,
  parse: (source, file, options) => parseMlflowText(source.text(), file, options),
};
