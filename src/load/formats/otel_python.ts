/**
 * OpenTelemetry Python SDK span JSON → spans → records (`_spans.ts` decides
 * which spans are model calls).
 *
 * What the Python SDK's `ReadableSpan.to_json()` writes, and so what its
 * `ConsoleSpanExporter` prints (one pretty-printed object per span,
 * concatenated): `{name, context: {trace_id, span_id, trace_state}, kind,
 * parent_id, start_time, end_time, status: {status_code, description?},
 * attributes, events: [{name, timestamp, attributes}], links, resource:
 * {attributes, schema_url}}`, with ids as `"0x…"` hex and ISO 8601 times.
 * Also read: one span per line (`to_json(indent=None)`), JSON arrays of spans,
 * older SDKs' flat `resource` (the attributes themselves), and the span dicts
 * of Google ADK's API server and VeADK's tracer (`{name, span_id, trace_id,
 * start_time, end_time, attributes, parent_span_id}`: integer ids, ns times), and the
 * spans of mozilla-ai's any-agent traces (`AgentTrace` dumped as JSON, `{spans: [...],
 * final_output}`: `context` and `parent` with integer ids, ns times, a lower-case
 * status; past 2^53 an id is rounded as it is read, the same for a span and its
 * children's parent). The program's
 * own output between the spans (a captured console) is skipped with one warning,
 * and so are the log records and metric exports that the console's other
 * exporters print to the same stream.
 *
 * Status `ERROR` (or an `exception` event) is an error; a span with no
 * `end_time` is pending. The trace is the session unless an attribute names one.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { ImportedRecords } from "./_records.ts";
import { type Span, SpanList } from "./_spans.ts";
import { hexId, parentId, spanFile } from "./_span_values.ts";
import { textSource, type TraceSource } from "./source.ts";
import { isObj, type Obj, str, toMicros } from "./_util.ts";

/** True for a value shaped as one span of `to_json()` (or of any-agent's `AgentSpan`: integer ids). */
function isPythonSpan(v: unknown): v is Obj {
  if (!isObj(v) || !isObj(v.context)) return false;
  if (hexId(v.context.trace_id) === null || hexId(v.context.span_id) === null) return false;
  if (!("start_time" in v || "parent_id" in v || "end_time" in v)) return false;
  // MLflow 2 wrote spans of the same shape with JSON-encoded attributes: its own adapter reads them
  return !(isObj(v.attributes) && Object.keys(v.attributes).some((k) => k.startsWith("mlflow.")));
}

/**
 * A span as Google ADK's API server (`/debug/trace`) and VeADK's tracer write it:
 * `{name, span_id, trace_id, start_time, end_time, attributes, parent_span_id}`,
 * ids as integers and times in ns.
 */
function isAdkSpan(v: unknown): v is Obj {
  return isObj(v) && !("context" in v) && typeof v.start_time === "number" &&
    (typeof v.span_id === "number" || typeof v.span_id === "string") && "trace_id" in v &&
    isObj(v.attributes) && !Object.keys(v.attributes).some((k) => k.startsWith("mlflow."));
}

/** The start of a span as `to_json()` writes it, at the start of a line (after other output too). */
const SPAN_START =
  /^\{\s*"name":\s*("(?:[^"\\\n]|\\.)*"|null),\s*"context":\s*\{\s*"trace_id":\s*"0x[0-9a-f]{32}"/m;

/** A log record or metric export of the Python console exporters (printed beside the spans). */
const isConsoleNeighbour = (v: unknown): boolean =>
  isObj(v) &&
  ("resource_metrics" in v || ("body" in v && ("severity_text" in v || "severity_number" in v)));

/**
 * A document that holds its spans in `spans` beside other members (any-agent's
 * `AgentTrace`: `{spans, final_output}`): its first span, else null.
 */
const wrappedSpan = (v: unknown): unknown =>
  isObj(v) && Array.isArray(v.spans) && !("resourceSpans" in v) ? v.spans[0] ?? null : null;

function detect(s: FormatSample): boolean {
  if (s.values.length > 0) {
    // the first span, after nothing but the console's log records and metric exports
    const i = s.values.findIndex((v) => !isConsoleNeighbour(v));
    const span = i < 0 ? null : wrappedSpan(s.values[i]) ?? s.values[i];
    return isPythonSpan(span) || isAdkSpan(span);
  }
  // a first span longer than the sample (its keys and the context's), or a console
  // whose first line is the program's own output
  const keys = s.keys.includes("context") &&
    (s.keys.includes("parent_id") || s.keys.includes("start_time")) &&
    /"trace_id"\s*:\s*"0x/.test(s.head);
  return keys || SPAN_START.test(s.head.slice(0, 256 * 1024));
}

function statusOf(status: unknown): Span["status"] {
  const code = isObj(status) ? str(status.status_code) : null;
  // older SDKs: "StatusCode.ERROR"
  const name = code?.replace(/^StatusCode\./, "").toUpperCase();
  return name === "ERROR" ? "error" : name === "OK" ? "ok" : "unset";
}

/**
 * Parse the text of an OpenTelemetry Python span dump into calls, events (one
 * per span, `otel.<name>`) and diagnostics.
 *
 * @example
 * ```ts
 * import { parseOtelPythonText } from "./otel_python.ts";
 * const span = {
 *   name: "chat gpt-4o", context: { trace_id: "0xaa", span_id: "0x01", trace_state: "[]" },
 *   kind: "SpanKind.CLIENT", parent_id: null,
 *   start_time: "2024-04-30T20:40:30.000000Z", end_time: "2024-04-30T20:40:31.250000Z",
 *   status: { status_code: "UNSET" },
 *   attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 9 },
 *   events: [], links: [], resource: { attributes: { "service.name": "app" }, schema_url: "" },
 * };
 * const r = parseOtelPythonText(JSON.stringify(span, null, 4) + "\n", "spans.json");
 * const c = r.calls[0]!;
 * if (c.trace_id !== "aa" || c.span_id !== "01" || c.duration_s !== 1.25 || c.input_tokens !== 9) throw new Error();
 * ```
 */
export function parseOtelPythonText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  return parseOtelPython(textSource(text, file), file, options);
}

/** {@link parseOtelPythonText} of a source read value by value (a file never held whole). */
function parseOtelPython(
  source: TraceSource,
  file: string,
  options: ParseOptions,
  lighten = true,
): ImportedRecords {
  const f = spanFile(file, 1, { otherOutput: true });
  const spans = new SpanList(options, lighten);
  // the console's log and metric exporters print to the same stream: counted, not spans
  const read = ({ value, line, path }: { value: unknown; line: number; path: string }) => {
    const where = path ? `span ${path}` : "span";
    const bad = (reason: string) =>
      f.problem(line, "otel_python_bad_span", `${where} is not loaded: ${reason}`);
    // a document holding its spans in `spans` (any-agent's): its spans were read apart (`spans[i]`),
    // leaving holes, else they are read here; the rest of it is no span
    if (!path && isObj(value) && Array.isArray(value.spans) && !("context" in value)) {
      (value.spans as unknown[]).forEach((span, i) =>
        read({ value: span, line, path: `spans[${i}]` })
      );
      return;
    }
    if (!isObj(value)) {
      bad(
        `it is ${
          Array.isArray(value) ? "an array" : JSON.stringify(value)?.slice(0, 40)
        }, not a span object`,
      );
      return;
    }
    const kind = !isConsoleNeighbour(value)
      ? null
      : "resource_metrics" in value
      ? "metric exports"
      : "log records";
    if (kind !== null) {
      f.skip(kind, line);
      return;
    }
    // Google ADK's span dicts: the ids beside the name
    const context = isObj(value.context) ? value.context : isAdkSpan(value) ? value : {};
    const traceId = hexId(context.trace_id), spanId = hexId(context.span_id);
    if (traceId === null || spanId === null) {
      bad(`"context.${traceId === null ? "trace_id" : "span_id"}" is missing`);
      return;
    }
    const time = (key: string) => {
      const t = toMicros(value[key], undefined, options.timezone);
      if (t.problem) {
        f.problem(
          line,
          "otel_python_bad_time",
          `${where} ${JSON.stringify(spanId)}: "${key}": ${t.problem}`,
          "warning",
        );
      }
      return t.us;
    };
    const resource = isObj(value.resource)
      ? isObj(value.resource.attributes) ? value.resource.attributes : value.resource
      : {};
    // `status: {status_code, description}`; Phoenix/OpenInference span JSON puts them at the top level
    const status = isObj(value.status)
      ? value.status
      : { status_code: value.status_code, description: value.status_message };
    spans.push({
      trace_id: traceId,
      span_id: spanId,
      // any-agent's AgentSpan: the parent's context, `parent: {trace_id, span_id}`
      parent_span_id: parentId(
        value.parent_id ?? value.parent_span_id ??
          (isObj(value.parent) ? value.parent.span_id : undefined),
      ),
      name: str(value.name),
      kind: value.kind ?? null,
      start_us: time("start_time"),
      end_us: time("end_time"),
      status: statusOf(status),
      status_message: str(status.description),
      attributes: isObj(value.attributes) ? value.attributes : {},
      events: Array.isArray(value.events)
        ? value.events.filter(isObj).map((e) => ({
          name: str(e.name) ?? "",
          ts: toMicros(e.timestamp, undefined, options.timezone).us,
          attributes: isObj(e.attributes) ? e.attributes : {},
        }))
        : [],
      line,
      resource,
    });
  };
  f.read(source, read, { members: ["spans"] });
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseOtelPython(source, file, options, false);
  return f.finish(spans.spans, "otel", options);
}

/** OpenTelemetry Python SDK span JSON. */
export const otelPython: FormatAdapter = {
  name: "otel_python",
  title: "OpenTelemetry Python span JSON (ConsoleSpanExporter, Span.to_json())",
  reads:
    "spans with gen_ai.* / OpenInference llm.* / promptflow (span_type LLM) attributes are calls; wrapper spans that repeat usage and other spans are events; status ERROR is an error, no end_time is pending; the trace is the session",
  example:
    '{"name": "chat gpt-4o", "context": {"trace_id": "0x5b8a…", "span_id": "0x051f…"}, "parent_id": null, "start_time": "2024-04-30T20:40:30.790768Z", "end_time": "…", "status": {"status_code": "OK"}, "attributes": {…}}',
  detect,
  parse: (source, file, options) => parseOtelPython(source, file, options),
  textsByCall: true,
};
