/**
 * OpenTelemetry Go SDK span JSON → spans → records (`_spans.ts` decides which
 * spans are model calls).
 *
 * What the Go SDK's `stdouttrace` exporter prints: one JSON object per span
 * (`encoding/json` of a `tracetest.SpanStub`), tab-indented and concatenated
 * with `WithPrettyPrint()`, else one per line. Go's field names: `{Name,
 * SpanContext: {TraceID, SpanID, TraceFlags, TraceState, Remote}, Parent:
 * {…} (all zeros for a root), SpanKind (1 internal, 2 server, 3 client, 4
 * producer, 5 consumer), StartTime, EndTime (RFC 3339 with ns and the zone's
 * offset), Attributes: [{Key, Value: {Type: "STRING" | "INT64" | "FLOAT64" |
 * "BOOL" | "STRINGSLICE" | …, Value}}], Events: [{Name, Attributes,
 * DroppedAttributeCount, Time}], Links, Status: {Code: "Unset" | "Error" |
 * "Ok", Description}, DroppedAttributes, DroppedEvents, DroppedLinks,
 * ChildSpanCount, Resource: [{Key, Value}], InstrumentationScope (SDK 1.x
 * before it: InstrumentationLibrary): {Name, Version, SchemaURL}}`. Also read:
 * the stdout exporter of the SDK before 1.0 (a JSON array of spans,
 * `ParentSpanID`, `StatusCode`/`StatusMessage`, `MessageEvents`), and the
 * program's own output between the spans (skipped with one warning).
 *
 * `WithoutTimestamps()` writes every time as Go's zero time
 * (`0001-01-01T00:00:00Z`): such a span has no time, yet it ended (the SDK
 * exports ended spans only), one `otel_go_no_times` warning for the file.
 * Status `Error` (or an `exception` event, as `span.RecordError` adds) is an
 * error. The trace is the session unless an attribute names one.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { ImportedRecords } from "./_records.ts";
import { type Span, SpanList } from "./_spans.ts";
import { hexId, parentId, spanFile, type SpanRecord } from "./_span_values.ts";
import { textSource, type TraceSource } from "./source.ts";
import { first, isObj, type Obj, str, toMicros } from "./_util.ts";

/** Go's zero time, which `WithoutTimestamps()` writes for every time. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/** `trace.SpanKind`'s names, as Go's `String()` gives them. */
const KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"];

/** True for a value shaped as one span of `stdouttrace` (a `SpanStub`, or a pre-1.0 `SpanSnapshot`). */
function isGoSpan(v: unknown): v is Obj {
  if (!isObj(v) || !isObj(v.SpanContext)) return false;
  const ctx = v.SpanContext;
  return typeof ctx.TraceID === "string" && typeof ctx.SpanID === "string" &&
    ("StartTime" in v || "Parent" in v || "ParentSpanID" in v);
}

/** The start of a span as `stdouttrace` writes it, at the start of a line (after other output too). */
const SPAN_START =
  /^\[?\s*\{\s*"Name":\s*"(?:[^"\\\n]|\\.)*",\s*"SpanContext":\s*\{\s*"TraceID":\s*"[0-9a-f]{32}"/m;

function detect(s: FormatSample): boolean {
  if (s.values.length > 0) {
    const v = Array.isArray(s.values[0]) ? s.values[0][0] : s.values[0];
    return isGoSpan(v);
  }
  // a first span longer than the sample, or a console whose first lines are the program's own
  // (read only then: the head of a file whose values were read is not read again, as every
  // detector before native keeps it)
  return SPAN_START.test(s.head.slice(0, 256 * 1024));
}

/**
 * Go's attribute list (`[{Key, Value: {Type, Value}}]`) → flat attributes, each
 * value as its type says (slices as arrays; an `INT64` past 2^53 is rounded).
 *
 * @example
 * ```ts
 * import { goAttributes } from "./otel_go.ts";
 * const a = goAttributes([
 *   { Key: "gen_ai.usage.input_tokens", Value: { Type: "INT64", Value: 120 } },
 *   { Key: "gen_ai.response.finish_reasons", Value: { Type: "STRINGSLICE", Value: ["stop"] } },
 * ]);
 * if (a["gen_ai.usage.input_tokens"] !== 120 || (a["gen_ai.response.finish_reasons"] as string[])[0] !== "stop") throw new Error();
 * ```
 */
export function goAttributes(list: unknown): Obj {
  const out: Obj = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.Key !== "string") continue;
    out[kv.Key] = isObj(kv.Value) ? kv.Value.Value ?? null : null;
  }
  return out;
}

/** One record → a span, or the reason it is not one. `time` reads (and warns of) a time. */
function toSpan(
  v: unknown,
  line: number,
  time: (value: unknown, what: string) => number | null,
): Span | string {
  if (!isObj(v)) {
    return `it is ${
      Array.isArray(v) ? "an array" : JSON.stringify(v)?.slice(0, 40)
    }, not a span object`;
  }
  const ctx = isObj(v.SpanContext) ? v.SpanContext : {};
  const traceId = hexId(ctx.TraceID), spanId = hexId(ctx.SpanID);
  if (traceId === null) return `"SpanContext.TraceID" is missing`;
  if (spanId === null) return `"SpanContext.SpanID" is missing`;
  const zero = v.StartTime === GO_ZERO_TIME && v.EndTime === GO_ZERO_TIME;
  const start = zero ? null : time(v.StartTime, `span ${JSON.stringify(spanId)}: "StartTime"`);
  const end = zero ? null : time(v.EndTime, `span ${JSON.stringify(spanId)}: "EndTime"`);
  // SDK 1.x: `Status: {Code, Description}`; before 1.0, `StatusCode` and `StatusMessage`
  const status = isObj(v.Status) ? v.Status : { Code: v.StatusCode, Description: v.StatusMessage };
  const code = String(status.Code ?? "").toUpperCase();
  const kind = typeof v.SpanKind === "number" ? KINDS[v.SpanKind] ?? v.SpanKind : v.SpanKind;
  const events = first(v.Events, v.MessageEvents);
  return {
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parentId(isObj(v.Parent) ? v.Parent.SpanID : v.ParentSpanID),
    name: str(v.Name),
    kind: kind ?? null,
    start_us: start,
    end_us: end,
    // the SDK exports ended spans only: one written without times ended all the same
    ended: zero || undefined,
    status: code === "ERROR" ? "error" : code === "OK" ? "ok" : "unset",
    status_message: str(status.Description),
    attributes: goAttributes(v.Attributes),
    events: Array.isArray(events)
      ? events.filter(isObj).map((e) => ({
        name: str(e.Name) ?? "",
        ts: e.Time === GO_ZERO_TIME ? null : toMicros(e.Time).us,
        attributes: goAttributes(e.Attributes),
      }))
      : [],
    line,
    resource: goAttributes(v.Resource),
    scope: first(
      ...[v.InstrumentationScope, v.InstrumentationLibrary].map((o) =>
        isObj(o) ? str(o.Name) : null
      ),
    ),
  };
}

/**
 * Parse the text of what OpenTelemetry Go's `stdouttrace` exporter printed into
 * calls, events (one per span, `otel.<name>`) and diagnostics.
 *
 * @example
 * ```ts
 * import { parseOtelGoText } from "./otel_go.ts";
 * const span = {
 *   Name: "chat gpt-4o",
 *   SpanContext: { TraceID: "fa058fb093f0752acf19859996af69c2", SpanID: "913ef3ba6c0d1485" },
 *   Parent: { TraceID: "00000000000000000000000000000000", SpanID: "0000000000000000" },
 *   SpanKind: 3,
 *   StartTime: "2024-05-01T10:00:00.133456789+02:00",
 *   EndTime: "2024-05-01T10:00:01.383456789+02:00",
 *   Attributes: [
 *     { Key: "gen_ai.operation.name", Value: { Type: "STRING", Value: "chat" } },
 *     { Key: "gen_ai.request.model", Value: { Type: "STRING", Value: "gpt-4o" } },
 *     { Key: "gen_ai.usage.input_tokens", Value: { Type: "INT64", Value: 120 } },
 *   ],
 *   Status: { Code: "Unset", Description: "" },
 * };
 * const c = parseOtelGoText(JSON.stringify(span, null, "\t") + "\n", "spans.json").calls[0]!;
 * if (c.span_id !== "913ef3ba6c0d1485" || c.duration_s !== 1.25 || c.input_tokens !== 120) throw new Error();
 * ```
 */
export function parseOtelGoText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  return parseOtelGo(textSource(text, file), file, options);
}

/** {@link parseOtelGoText} of a source read value by value (a file never held whole). */
function parseOtelGo(
  source: TraceSource,
  file: string,
  options: ParseOptions,
  lighten = true,
): ImportedRecords {
  const f = spanFile(file, 1, { otherOutput: true });
  const spans = new SpanList(options, lighten);
  let untimed = 0, firstUntimed = 0;
  const read = ({ value, line, path }: SpanRecord) => {
    const where = path ? `span ${path}` : "span";
    const time = (v: unknown, what: string) => {
      const t = toMicros(v, undefined, options.timezone);
      if (t.problem) f.problem(line, "otel_go_bad_time", `${what}: ${t.problem}`, "warning");
      return t.us;
    };
    const span = toSpan(value, line, time);
    if (typeof span === "string") {
      f.problem(line, "otel_go_bad_span", `${where} is not loaded: ${span}`);
      return;
    }
    if (span.ended) {
      untimed++;
      firstUntimed ||= line;
    }
    spans.push(span);
  };
  f.read(source, read);
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseOtelGo(source, file, options, false);
  if (untimed > 0) {
    f.problem(
      firstUntimed,
      "otel_go_no_times",
      `${untimed} spans were printed without their times (Go's zero time ${GO_ZERO_TIME}: stdouttrace.WithoutTimestamps()): their calls have no time or duration`,
      "warning",
    );
  }
  return f.finish(spans.spans, "otel", options);
}

/** OpenTelemetry Go SDK span JSON. */
export const otelGo: FormatAdapter = {
  name: "otel_go",
  title: "OpenTelemetry Go span JSON (the stdouttrace exporter)",
  reads:
    "spans with gen_ai.* (or OpenInference llm.*) attributes are calls; wrapper spans that repeat usage and other spans are events; status Error is an error; the trace is the session",
  example:
    '{"Name": "chat gpt-4o", "SpanContext": {"TraceID": "fa05…", "SpanID": "913e…"}, "Parent": {…}, "SpanKind": 3, "StartTime": "2024-05-01T10:00:00.133456789+02:00", "EndTime": "…", "Attributes": [{"Key": "gen_ai.request.model", "Value": {"Type": "STRING", "Value": "gpt-4o"}}], "Status": {"Code": "Unset"}}',
  detect,
  parse: (source, file, options) => parseOtelGo(source, file, options),
  textsByCall: true,
};
