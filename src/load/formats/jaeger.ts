/**
 * Jaeger JSON (the query API `/api/traces`, and the Jaeger UI's "Download
 * JSON") → spans → records (`_spans.ts` decides which spans are model calls).
 *
 * Reads `{data: [trace], total, limit, offset, errors}`, a bare array of
 * traces, a single trace `{traceID, spans, processes, warnings}`, and spans
 * one per line. A span is `{traceID, spanID, operationName, references:
 * [{refType, traceID, spanID}], startTime (µs since the epoch), duration (µs),
 * tags: [{key, type, value}], logs: [{timestamp, fields}], processID}`; its
 * parent is its `CHILD_OF` reference (`FOLLOWS_FROM` is a link, not a parent),
 * and the process's `serviceName` and tags are its resource. Jaeger's
 * protobuf-JSON spelling (`traceId`, `spanId`, `vType`/`vStr`/`vInt64`…, RFC
 * 3339 `startTime`, `"0.005s"` durations, an inline `process`) is read too,
 * and so is the API v3 answer (`/api/v3/traces`: OTLP/JSON in `{result:
 * {resourceSpans}}`, read by the OTLP reader).
 *
 * Failed: tag `otel.status_code` = `ERROR` (message: `otel.status_description`),
 * tag `error` = true, or a log whose `event` field is `exception`. A span
 * with no duration is pending. A span listed twice in its trace (Jaeger
 * keeps duplicates and warns) is one span. Jaeger keeps only the tree the
 * references give: a model call whose parent was lost is read on its own,
 * so a `gen_ai.request.model` span and a `gen_ai.usage.*` span in different
 * traces are two calls (the second with the model `unknown`); in one trace,
 * the outer span is a wrapper and the inner one is the call, with the outer
 * one's model.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { ImportedRecords } from "./_records.ts";
import { SpanList } from "./_spans.ts";
import { hexId, parentId, spanFile, type SpanRecord } from "./_span_values.ts";
import { textSource, type TraceSource } from "./source.ts";
import { arrayTag, isObj, num, type Obj, str, toMicros } from "./_util.ts";
import { parseOtlpText } from "./otlp.ts";

/** A Jaeger tag's value: `{key, type, value}`, or the protobuf-JSON `{key, vType, vStr | vInt64 | …}`. */
function tagValue(t: Obj): unknown {
  if ("value" in t) {
    const type = str(t.type)?.toLowerCase();
    if ((type === "int64" || type === "float64") && typeof t.value === "string") {
      return num(t.value) ?? t.value;
    }
    if (type === "bool" && typeof t.value === "string") return t.value === "true";
    // OpenTelemetry's array attributes arrive as JSON text
    return arrayTag(t.value);
  }
  for (const k of ["vStr", "vBool", "vFloat64", "vBinary"]) if (k in t) return t[k];
  if ("vInt64" in t) return num(t.vInt64) ?? t.vInt64;
  // protobuf JSON leaves out default values: a string tag with "" has no vStr
  return str(t.vType) === "BOOL"
    ? false
    : str(t.vType) === "INT64" || str(t.vType) === "FLOAT64"
    ? 0
    : "";
}

/** Jaeger tags (`[{key, type, value}]`) as an object. */
export function tagMap(list: unknown): Obj {
  const out: Obj = {};
  if (!Array.isArray(list)) return out;
  for (const t of list) if (isObj(t) && typeof t.key === "string") out[t.key] = tagValue(t);
  return out;
}

const isTrace = (v: unknown): v is Obj =>
  isObj(v) && Array.isArray(v.spans) && ("traceID" in v || "processes" in v);
const isSpan = (v: unknown): v is Obj =>
  isObj(v) && "operationName" in v && ("spanID" in v || "spanId" in v) &&
  ("traceID" in v || "traceId" in v);

/** Jaeger's API v3 answer (`/api/v3/traces`): OTLP/JSON wrapped in `{result: {resourceSpans}}`. */
const isApiV3 = (v: unknown): v is { result: Obj } =>
  isObj(v) && isObj(v.result) && Array.isArray(v.result.resourceSpans);

function detect(s: FormatSample): boolean {
  const v = s.values[0];
  if (isApiV3(v)) return true;
  if (isObj(v) && Array.isArray(v.data)) {
    // an answer with no trace: Jaeger's query API's own keys say what it is
    if (v.data.length === 0) {
      return /"traceID"/.test(s.head) ||
        ["total", "limit", "offset", "errors"].every((k) => k in v);
    }
    return isTrace(v.data[0]);
  }
  if (isTrace(v) || isSpan(v)) return true;
  if (s.values.length > 0) return false;
  // a first object longer than the sample
  const spans = /"spanID"\s*:/.test(s.head) && /"operationName"\s*:/.test(s.head);
  return spans &&
    (s.keys.includes("data") || (s.keys.includes("traceID") && s.keys.includes("spans")));
}

/** A duration: µs as a number, or protobuf JSON's `"1.5s"`. */
function durationMicros(v: unknown): number | null {
  if (typeof v === "string" && /^\d+(\.\d+)?s$/.test(v)) {
    return Math.round(Number(v.slice(0, -1)) * 1e6);
  }
  const n = num(v);
  return n !== null && n >= 0 ? n : null;
}

/**
 * The parent of a span: its `CHILD_OF` reference (else `parentSpanID`).
 * `FOLLOWS_FROM` is a link (OpenTelemetry's links become it), not a parent: a
 * retried call that follows the failed one does not make that one a wrapper.
 */
function parentOf(span: Obj): string | null {
  const refs = Array.isArray(span.references) ? span.references.filter(isObj) : [];
  const ref = refs.find((r) => str(r.refType)?.toUpperCase() === "CHILD_OF");
  return parentId(ref ? ref.spanID ?? ref.spanId : span.parentSpanID ?? span.parentSpanId);
}

/**
 * Parse the text of a Jaeger JSON file into calls, events (one per span,
 * `jaeger.<operationName>`) and diagnostics.
 *
 * @example
 * ```ts
 * import { parseJaegerText } from "./jaeger.ts";
 * const span = {
 *   traceID: "ab", spanID: "01", operationName: "chat gpt-4o", references: [],
 *   startTime: 1700000000000000, duration: 1500000, processID: "p1", logs: [],
 *   tags: [
 *     { key: "gen_ai.operation.name", type: "string", value: "chat" },
 *     { key: "gen_ai.request.model", type: "string", value: "gpt-4o" },
 *     { key: "gen_ai.usage.input_tokens", type: "int64", value: 12 },
 *     { key: "error", type: "bool", value: true },
 *   ],
 * };
 * const doc = { data: [{ traceID: "ab", spans: [span], processes: { p1: { serviceName: "api", tags: [] } } }] };
 * const c = parseJaegerText(JSON.stringify(doc), "traces.json").calls[0]!;
 * if (c.duration_s !== 1.5 || c.input_tokens !== 12 || c.status !== "error") throw new Error();
 * ```
 */
export function parseJaegerText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  return parseJaeger(textSource(text, file), file, options);
}

/**
 * {@link parseJaegerText} of a source read trace by trace: the traces of a
 * document's `data` are read as they come (`members`), and their spans are
 * lightened as they are read (`SpanList`), so a file is never held whole.
 */
function parseJaeger(
  source: TraceSource,
  file: string,
  options: ParseOptions,
  lighten = true,
): ImportedRecords {
  const f = spanFile(file);
  const spans = new SpanList(options, lighten);
  // API v3 answers are read by the OTLP reader when they are the whole file
  const v3: SpanRecord[] = [];
  let jaegerRecords = false;

  const readSpan = (span: unknown, resourceOf: (span: Obj) => Obj, line: number, where: string) => {
    const bad = (reason: string) =>
      f.problem(line, "jaeger_bad_span", `${where} is not loaded: ${reason}`);
    if (!isObj(span)) return bad("it is not an object");
    const traceId = hexId(span.traceID ?? span.traceId), spanId = hexId(span.spanID ?? span.spanId);
    if (traceId === null) return bad(`"traceID" is missing`);
    if (spanId === null) return bad(`"spanID" is missing`);
    const start = toMicros(span.startTime, typeof span.startTime === "number" ? "us" : undefined);
    if (start.problem) {
      f.problem(
        line,
        "jaeger_bad_time",
        `${where} ${JSON.stringify(spanId)}: "startTime": ${start.problem}`,
        "warning",
      );
    }
    const duration = durationMicros(span.duration);
    const tags = tagMap(span.tags);
    const events = (Array.isArray(span.logs) ? span.logs.filter(isObj) : []).map((log) => {
      const fields = tagMap(log.fields);
      const { event, ...attributes } = fields;
      return {
        name: str(event) ?? str(fields.message) ?? "log",
        ts: toMicros(log.timestamp, typeof log.timestamp === "number" ? "us" : undefined).us,
        attributes,
      };
    });
    const code = str(tags["otel.status_code"])?.toUpperCase();
    const errorTag = tags.error === true || tags.error === "true";
    spans.push({
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: parentOf(span),
      name: str(span.operationName),
      kind: tags["span.kind"] ?? null,
      start_us: start.us,
      end_us: start.us !== null && duration !== null ? start.us + duration : null,
      status: code === "ERROR" || errorTag ? "error" : code === "OK" ? "ok" : "unset",
      status_message: str(tags["otel.status_description"]) ?? str(tags["error.message"]),
      attributes: tags,
      events,
      line,
      resource: isObj(span.process) ? processResource(span.process) : resourceOf(span),
    });
  };

  const readTrace = (trace: Obj, line: number, where: string) => {
    // a span's resource is its process's: one object for the spans of a process
    const processes = isObj(trace.processes) ? trace.processes : {};
    const resources = new Map<string, Obj>();
    const resourceOf = (span: Obj) => {
      const id = String(span.processID);
      let resource = resources.get(id);
      if (resource === undefined) {
        resource = processResource(isObj(processes[id]) ? processes[id] as Obj : {});
        resources.set(id, resource);
      }
      return resource;
    };
    (trace.spans as unknown[]).forEach((s, i) =>
      readSpan(s, resourceOf, line, `${where}.spans[${i}]`)
    );
  };

  f.read(source, (record) => {
    const { value, line, path } = record;
    const element = /^data\[\d+\]$/.test(path); // a trace of a document's `data`, read apart
    if (!element && isApiV3(value)) {
      v3.push(record);
      return;
    }
    jaegerRecords = true;
    if (isObj(value) && Array.isArray(value.data)) {
      // the traces of the document's `data` came apart, before it (holes in its place); what is
      // left is not a trace
      value.data.forEach((t, i) => {
        if (isTrace(t)) readTrace(t, line, `${path}data[${i}]`);
        else notATrace(line, `${path}data[${i}]`);
      });
      for (const e of Array.isArray(value.errors) ? value.errors : []) {
        const msg = isObj(e) ? str(e.msg) ?? JSON.stringify(e) : JSON.stringify(e);
        f.problem(
          line,
          "jaeger_query_error",
          `the Jaeger query reported an error: ${msg}`,
          "warning",
        );
      }
    } else if (isTrace(value)) readTrace(value, line, path || "trace");
    else if (element) notATrace(line, path);
    else if (isSpan(value)) readSpan(value, () => ({}), line, path ? `span ${path}` : "span");
    else {
      f.problem(
        line,
        "jaeger_bad_trace",
        `${path || "value"} is not loaded: it is neither a Jaeger trace nor a span`,
      );
    }
  }, { members: ["data"] });

  function notATrace(line: number, where: string): void {
    f.problem(
      line,
      "jaeger_bad_trace",
      `${where} is not loaded: it is not a trace (no "spans" array)`,
    );
  }

  if (v3.length > 0 && !jaegerRecords) {
    // API v3: the OTLP reader reads each answer's `result`, one line per answer as in the file
    const lines: string[] = [];
    for (const r of v3) {
      while (lines.length < r.line - 1) lines.push("");
      lines.push(JSON.stringify((r.value as { result: Obj }).result));
    }
    const records = parseOtlpText(lines.join("\n"), file, options);
    records.diagnostics.unshift(...f.diagnostics);
    return records;
  }
  for (const r of v3) {
    f.problem(
      r.line,
      "jaeger_bad_trace",
      `${r.path || "value"} is not loaded: it is neither a Jaeger trace nor a span`,
    );
  }
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseJaeger(source, file, options, false);
  return f.finish(spans.spans, "jaeger", options);
}

/** A Jaeger process (`{serviceName, tags}`) as a span's resource. */
function processResource(process: Obj): Obj {
  const resource: Obj = { ...tagMap(process.tags) };
  if (str(process.serviceName) !== null) resource["service.name"] = process.serviceName;
  return resource;
}

/** Jaeger JSON. */
export const jaeger: FormatAdapter = {
  name: "jaeger",
  title: "Jaeger JSON (query API, UI download)",
  reads:
    "spans whose tags carry gen_ai.* (or OpenInference llm.*) keys are calls; wrapper spans that repeat usage and other spans are events; tag otel.status_code=ERROR, error=true or an exception log is an error; the trace is the session",
  example:
    '{"data": [{"traceID": "3118…", "spans": [{"spanID": "622a…", "operationName": "chat", "references": [], "startTime": 1782706637344294, "duration": 5175, "tags": [{"key": "gen_ai.request.model", "type": "string", "value": "gpt-4o"}]}], "processes": {…}}]}',
  detect,
  parse: (source, file, options) => parseJaeger(source, file, options),
  textsByCall: true,
};
