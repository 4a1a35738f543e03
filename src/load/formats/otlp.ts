/**
 * OTLP/JSON traces (OpenTelemetry's JSON encoding of an export request) →
 * spans → records (`_spans.ts` decides which spans are model calls).
 *
 * Accepts `{"resourceSpans": [...]}` requests (one per line or pretty-printed),
 * bare `ResourceSpans` objects (`{"resource", "scopeSpans"}`) concatenated, and
 * JSON arrays of either; also the requests other writers wrap: Grafana Tempo's
 * trace (`{"batches": [ResourceSpans]}`, what Grafana's "Download traces" saves;
 * its API v2's `{"trace": {"resourceSpans"}}`), pages of OTLP spans of Phoenix's
 * REST API (`{"data": [span], "next_cursor"}`) and oteltest's file
 * (`{"trace_requests": [{"pbreq": {"resourceSpans"}}], "metric_requests", …}`).
 * Every span is one event (`otel.<operation or name>`). The GenAI events logged beside
 * the spans (`resourceLogs`: `gen_ai.user.message`, `gen_ai.choice`, … or
 * `gen_ai.client.inference.operation.details`, each naming its span) give a call's
 * prompt and output texts when its span's attributes do not hold them. The agent CLIs' own log
 * events (Claude Code's `claude_code.api_request`, Codex's `codex.sse_event`, …) are calls and
 * events (`_cli_events.ts`); metric exports are counted in one warning.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { Diagnostic } from "../_event.ts";
import type { ImportedRecords } from "./_records.ts";
import { textSource, type TraceSource } from "./source.ts";
import { messageList, messageText, SpanList, spansToRecords } from "./_spans.ts";
import { countChars } from "../_event.ts";
import { isObj, type Obj, str } from "./_util.ts";
import { hexId, problemList } from "./_span_values.ts";
import { importMessages } from "./messages.ts";
import { addCliRecord, cliEventName, cliRecords, withCliCalls } from "./_cli_events.ts";

export { CALL_OPERATIONS } from "./_spans.ts";

/**
 * Levels of nested `arrayValue`s and `kvlistValue`s read; deeper values are
 * `"…"`, as an event's payload shows anything nested past 6 levels (a file of
 * 50,000 nested arrays crashed the reader with a stack overflow).
 */
const MAX_VALUE_DEPTH = 64;

/**
 * An OTLP `AnyValue` as a plain value (`intValue` strings → numbers). Its value is
 * the field that is set: a field written as `null` is unset (protobuf's JSON
 * mapping), as serializers that write every field of the oneof put it
 * (`{"string_value": null, "int_value": 120, …}`: Phoenix's OTLP span export).
 */
export function anyValue(value: unknown, depth = 0): unknown {
  if (!isObj(value)) return null;
  let v = value;
  if (Object.values(v).some((x) => x === null)) {
    v = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
  }
  if (depth >= MAX_VALUE_DEPTH && ("arrayValue" in v || "kvlistValue" in v)) return "…";
  if ("stringValue" in v) return v.stringValue;
  if ("intValue" in v) {
    const n = typeof v.intValue === "string" ? Number(v.intValue) : v.intValue;
    return typeof n === "number" && Number.isFinite(n) ? n : null;
  }
  if ("doubleValue" in v) {
    const n = typeof v.doubleValue === "string" ? Number(v.doubleValue) : v.doubleValue;
    return typeof n === "number" ? n : null;
  }
  if ("boolValue" in v) return v.boolValue;
  if ("arrayValue" in v) {
    const values = isObj(v.arrayValue) && Array.isArray(v.arrayValue.values)
      ? v.arrayValue.values
      : [];
    return values.map((x) => anyValue(x, depth + 1));
  }
  if ("kvlistValue" in v) {
    return attributeMap(isObj(v.kvlistValue) ? v.kvlistValue.values : [], depth + 1);
  }
  if ("bytesValue" in v) return v.bytesValue;
  return null;
}

/** OTLP `attributes` (`[{key, value}]`) as an object. */
export function attributeMap(list: unknown, depth = 0): Obj {
  const out: Obj = {};
  if (!Array.isArray(list)) return out;
  for (const a of list) {
    if (isObj(a) && typeof a.key === "string") out[a.key] = anyValue(a.value, depth);
  }
  return out;
}

/** The last µs a date can hold (9999-12-31). */
const MAX_US = 253402300799999999;

/** Nanoseconds (string or number) → µs, or null when not a non-negative integer. */
function nanosToMicros(v: unknown): { us: number; ns: bigint } | null {
  let ns: bigint;
  if (typeof v === "string" && /^\d+$/.test(v)) ns = BigInt(v);
  else if (typeof v === "number" && Number.isInteger(v) && v >= 0) ns = BigInt(v);
  else return null;
  return { us: Number(ns / 1000n), ns };
}

function isErrorStatus(status: unknown): boolean {
  if (!isObj(status)) return false;
  return status.code === 2 || status.code === "2" || status.code === "STATUS_CODE_ERROR" ||
    status.code === "ERROR";
}

/** Options of {@link parseOtlpText}. */
export interface ParseOtlpOptions {
  /** Keep the input messages (JSON) and the output text of call spans. @default {false} */
  keepText?: boolean;
  /** With `keepText`, the calls whose texts are kept (`ParseOptions.textsOf`). */
  textsOf?: ParseOptions["textsOf"];
  /** With `textsOf`, the lines of its calls (`ParseOptions.textLines`). */
  textLines?: ParseOptions["textLines"];
}

/**
 * Parse the text of an OTLP/JSON trace file into calls, events (one per span)
 * and diagnostics. Lines are the 1-based line where each top-level object starts.
 *
 * @example
 * ```ts
 * import { parseOtlpText } from "./otlp.ts";
 * const span = {
 *   traceId: "t1", spanId: "s1", name: "chat gpt-4o",
 *   startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000001500000000",
 *   attributes: [
 *     { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
 *     { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
 *     { key: "gen_ai.usage.input_tokens", value: { intValue: "12" } },
 *   ],
 * };
 * const r = parseOtlpText(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), "a.jsonl");
 * if (r.calls[0]!.duration_s !== 1.5 || r.calls[0]!.input_tokens !== 12) throw new Error("wrong");
 * ```
 */
export function parseOtlpText(
  text: string,
  file: string,
  options: ParseOtlpOptions = {},
): ImportedRecords {
  return parseOtlp(textSource(text, file), file, options);
}

/** {@link parseOtlpText} of a source read value by value (a file never held whole). */
function parseOtlp(
  source: TraceSource,
  file: string,
  options: ParseOtlpOptions,
  lighten = true,
): ImportedRecords {
  const spans = new SpanList(options, lighten);
  // the adapter's own problems, after the reader's (as when the values were read first)
  const own: Diagnostic[] = [];
  const problem = problemList(file, own);

  const readSpan = (
    span: unknown,
    path: string,
    line: number,
    resource: Obj,
    scope: string | null = null,
  ) => {
    const bad = (reason: string) =>
      problem(line, "otlp_bad_span", importMessages.otlpBadSpan(path, reason));
    if (!isObj(span)) return bad("not an object");
    const traceId = hexId(span.traceId), spanId = hexId(span.spanId);
    if (traceId === null) return bad(`"traceId" is missing`);
    if (spanId === null) return bad(`"spanId" is missing`);
    const start = nanosToMicros(span.startTimeUnixNano);
    if (start === null) return bad(`"startTimeUnixNano" is not an integer of nanoseconds`);
    // an absent or zero end time: the span never ended (pending)
    const endRaw = span.endTimeUnixNano;
    const end = endRaw === undefined || endRaw === null || endRaw === "0" || endRaw === 0
      ? null
      : nanosToMicros(endRaw);
    if (
      end === null && !(endRaw === undefined || endRaw === null || endRaw === "0" || endRaw === 0)
    ) {
      return bad(`"endTimeUnixNano" is not an integer of nanoseconds`);
    }
    if (start.us > MAX_US || (end !== null && end.us > MAX_US)) {
      return bad("a time is out of the range of a date");
    }
    const status = isObj(span.status) ? span.status : {};
    spans.push({
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: hexId(span.parentSpanId),
      name: str(span.name),
      kind: span.kind ?? null,
      start_us: start.us,
      end_us: end?.us ?? null,
      duration_s: end === null ? null : Number(end.ns - start.ns) / 1e9,
      status: isErrorStatus(status)
        ? "error"
        : status.code === 1 || status.code === "STATUS_CODE_OK"
        ? "ok"
        : "unset",
      status_message: str(status.message),
      attributes: attributeMap(span.attributes),
      events: Array.isArray(span.events)
        ? span.events.filter(isObj).map((e) => ({
          name: str(e.name) ?? "",
          ts: nanosToMicros(e.timeUnixNano)?.us ?? null,
          attributes: attributeMap(e.attributes),
        }))
        : [],
      line,
      resource,
      scope,
    });
  };

  const readResourceSpans = (rs: unknown, path: string, line: number) => {
    if (!isObj(rs)) return problem(line, "otlp_not_spans", importMessages.otlpNotSpans(rs));
    const scopes = rs.scopeSpans ?? rs.instrumentationLibrarySpans;
    if (!Array.isArray(scopes)) {
      return problem(
        line,
        "otlp_bad_object",
        importMessages.otlpNotArray(`${path}.scopeSpans`, scopes),
      );
    }
    const resource = attributeMap(isObj(rs.resource) ? rs.resource.attributes : undefined);
    for (const [i, scope] of scopes.entries()) {
      const spans = isObj(scope) ? scope.spans : undefined;
      // the instrumentation that made them (`instrumentationLibrary` in OTLP before 0.15)
      const made = isObj(scope) ? scope.scope ?? scope.instrumentationLibrary : undefined;
      const scopeName = isObj(made) ? str(made.name) : null;
      if (!Array.isArray(spans)) {
        problem(
          line,
          "otlp_bad_object",
          importMessages.otlpNotArray(`${path}.scopeSpans[${i}].spans`, spans),
        );
        continue;
      }
      for (const [j, span] of spans.entries()) {
        readSpan(span, `${path}.scopeSpans[${i}].spans[${j}]`, line, resource, scopeName);
      }
    }
  };

  // the GenAI events logged beside the spans, by the span they name
  const logged = new Map<string, LoggedTexts>();
  // the agent CLIs' own events (Claude Code's, Gemini CLI's): calls and events
  const cli = cliRecords();
  const readResourceLogs = (list: unknown[], line: number) => {
    for (const rl of list) {
      const scopes = isObj(rl) ? rl.scopeLogs ?? rl.instrumentationLibraryLogs : undefined;
      if (!Array.isArray(scopes)) continue;
      for (const scope of scopes) {
        const records = isObj(scope) ? scope.logRecords : undefined;
        if (!Array.isArray(records)) continue;
        for (const r of records) {
          if (!isObj(r)) continue;
          const attributes = attributeMap(r.attributes);
          readLogRecord(r, attributes, logged);
          const name = cliEventName(attributes, anyValue(r.body), r.eventName);
          if (name === null) continue;
          // a time of 0 is unset (Codex writes only the observed time)
          const ts = [r.timeUnixNano, r.observedTimeUnixNano].map((t) => nanosToMicros(t)?.us)
            .find((us) => us !== undefined && us > 0);
          addCliRecord(cli, { name, attributes, ts: ts ?? null, line }, file);
        }
      }
    }
  };
  // metric exports (the CLIs export their usage as metrics too, sums the events give call by
  // call): counted, not read
  let metrics = 0, firstMetrics = 0;

  /** `prefix` is `""` for a top-level object, `"[i]."` for an element of a top-level array. */
  const readValue = (value: unknown, prefix: string, line: number) => {
    // the protobuf field names (`resource_spans`, `string_value`: protobuf's JSON printers with
    // the proto names kept) are the same fields
    if (isObj(value) && SNAKE_KEYS.some((k) => k in (value as Obj))) value = camelKeys(value);
    const logs = isObj(value) && Array.isArray(value.resourceLogs);
    if (logs) readResourceLogs((value as Obj).resourceLogs as unknown[], line);
    const metricExport = isObj(value) && Array.isArray(value.resourceMetrics);
    if (metricExport && metrics++ === 0) firstMetrics = line;
    if (Array.isArray(value) && prefix === "") {
      for (const [i, v] of value.entries()) readValue(v, `[${i}].`, line);
    } else if (isObj(value) && "resourceSpans" in value) {
      if (!Array.isArray(value.resourceSpans)) {
        return problem(
          line,
          "otlp_bad_object",
          importMessages.otlpNotArray(`${prefix}resourceSpans`, value.resourceSpans),
        );
      }
      for (const [i, rs] of value.resourceSpans.entries()) {
        readResourceSpans(rs, `${prefix}resourceSpans[${i}]`, line);
      }
    } else if (isObj(value) && ("scopeSpans" in value || "instrumentationLibrarySpans" in value)) {
      readResourceSpans(value, prefix === "" ? "ResourceSpans" : prefix.slice(0, -1), line);
    } else if (isTempoV1(value)) {
      // Grafana Tempo's trace (`/api/traces/<id>`, Grafana's "Download traces"): the
      // ResourceSpans as `batches`
      for (const [i, rs] of value.batches.entries()) {
        readResourceSpans(rs, `${prefix}batches[${i}]`, line);
      }
    } else if (isTempoV2(value)) {
      // Tempo's API v2 (`/api/v2/traces/<id>`): the request in `trace`
      readValue(value.trace, `${prefix}trace.`, line);
    } else if (isSpanPage(value)) {
      // Phoenix's REST API (`/v1/projects/{id}/spans/otlpv1`): a page of OTLP spans, written
      // with the protobuf field names
      for (const [j, span] of value.data.entries()) {
        readSpan(camelKeys(span), `${prefix}data[${j}]`, line, {});
      }
    } else if (isOteltest(value)) {
      // oteltest's output: each OTLP/HTTP request it received, decoded, as `pbreq`
      for (const [i, request] of value.trace_requests.entries()) {
        const pbreq = isObj(request) ? request.pbreq : undefined;
        readValue(pbreq ?? request, `${prefix}trace_requests[${i}].pbreq.`, line);
      }
      // its metric requests (each an OTLP metric export) are not read: said as those are
      const metricRequests = Array.isArray(value.metric_requests)
        ? value.metric_requests.length
        : 0;
      if (metricRequests > 0 && metrics === 0) firstMetrics = line;
      metrics += metricRequests;
    } else if (!logs && !metricExport) {
      problem(line, "otlp_not_spans", importMessages.otlpNotSpans(value));
    }
  };

  const diagnostics = source.values(({ line, value }) => readValue(value, "", line));
  for (const d of own) diagnostics.push(d);
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseOtlp(source, file, options, false);
  if (metrics > 0) {
    diagnostics.push({
      file,
      line: firstMetrics,
      code: "otlp_metrics",
      message: importMessages.otlpMetrics(metrics),
      severity: "warning",
    });
  }
  const records = spansToRecords(spans.spans, file, options, diagnostics);
  if (logged.size > 0) withLoggedTexts(records, logged, options);
  withCliCalls(records, cli);
  return records;
}

/** The texts of a call's GenAI events, logged apart from its span. */
interface LoggedTexts {
  input: string[];
  output: string[];
  /**
   * The later conventions' texts: each `…inference.operation.details` event holds the whole
   * call's messages, so a later one replaces an earlier one (Gemini CLI writes two for a failed
   * request, the request's and the error's, each with the same system instructions and prompt).
   */
  details: { input: string | null; output: string | null };
  finish: string | null;
}

/** The roles of the GenAI events of the first conventions, one event a message. */
const MESSAGE_EVENTS = new Set([
  "gen_ai.system.message",
  "gen_ai.user.message",
  "gen_ai.assistant.message",
  "gen_ai.tool.message",
]);

/**
 * The text of a logged message's body (`{content, role}`, Gemini's content being a
 * `{parts, role}` of its own), as a span's messages are read; `<elided>` (no text captured)
 * and a message without text are none.
 */
function bodyText(body: unknown): string | null {
  if (body === "<elided>" || (isObj(body) && body.content === "<elided>")) return null;
  const message = isObj(body) && isObj(body.content) ? body.content : body;
  const text = messageText([message]);
  return text === "" ? null : text;
}

/** One OTLP log record (its attributes decoded): a GenAI event's texts, kept under the span it names. */
function readLogRecord(r: Obj, attributes: Obj, logged: Map<string, LoggedTexts>): void {
  const name = str(r.eventName) ?? str(attributes["event.name"]);
  const spanId = hexId(r.spanId);
  if (name === null || spanId === null || !name.startsWith("gen_ai.")) return;
  const texts = logged.get(spanId) ??
    { input: [], output: [], details: { input: null, output: null }, finish: null };
  const body = anyValue(r.body);
  const add = (list: string[], text: string | null) => text !== null && list.push(text);
  if (MESSAGE_EVENTS.has(name)) add(texts.input, bodyText(body));
  else if (name === "gen_ai.choice") {
    const choice = isObj(body) ? body : {};
    add(texts.output, bodyText(choice.message ?? choice));
    texts.finish ??= str(choice.finish_reason);
  } else {
    // the later conventions' one event of a call: its messages as the span's attributes hold them
    const instructions = messageList(attributes["gen_ai.system_instructions"]);
    const input = (instructions ? messageText([{ parts: instructions }]) ?? "" : "") +
      (messageText(messageList(attributes["gen_ai.input.messages"])) ?? "");
    const output = messageText(messageList(attributes["gen_ai.output.messages"]));
    if (input !== "") texts.details.input = input;
    if (output) texts.details.output = output;
  }
  logged.set(spanId, texts);
}

/** A call whose span holds no prompt (or output) takes the one its logged events give. */
function withLoggedTexts(
  records: ImportedRecords,
  logged: Map<string, LoggedTexts>,
  options: ParseOptions,
): void {
  for (const call of records.calls) {
    const texts = call.span_id ? logged.get(call.span_id) : undefined;
    if (texts === undefined) continue;
    const input = texts.details.input === null
      ? texts.input
      : [...texts.input, texts.details.input];
    const output = texts.details.output === null
      ? texts.output
      : [...texts.output, texts.details.output];
    if (call.prompt_chars === null && input.length > 0) {
      const prompt = input.join("");
      call.prompt_chars = countChars(prompt);
      if (options.keepText) call.messages = prompt;
    }
    if (call.output_chars === null && output.length > 0) {
      const text = output.join("");
      call.output_chars = countChars(text);
      if (options.keepText) call.output = text;
    }
    call.finish_reason ??= texts.finish;
  }
}

/** ResourceSpans: an object with its scope spans (or their older name). */
const isResourceSpans = (v: unknown) =>
  isObj(v) && ("scopeSpans" in v || "instrumentationLibrarySpans" in v);

/**
 * Grafana Tempo's trace (its API's `/api/traces/<id>`, the file Grafana's
 * inspector downloads with "Download traces"): `{batches: [ResourceSpans]}`.
 */
const isTempoV1 = (v: unknown): v is { batches: unknown[] } =>
  isObj(v) && Array.isArray(v.batches) && v.batches.length > 0 && isResourceSpans(v.batches[0]);

/** Tempo's API v2 trace (`/api/v2/traces/<id>`): `{trace: {resourceSpans}, metrics?}`. */
const isTempoV2 = (v: unknown): v is { trace: Obj } =>
  isObj(v) && isObj(v.trace) && Array.isArray(v.trace.resourceSpans);

/** An OTLP span: its id and start, spelled with the protobuf field names or not. */
const isOtlpSpan = (v: unknown) =>
  isObj(v) && ("span_id" in v || "spanId" in v) &&
  ("start_time_unix_nano" in v || "startTimeUnixNano" in v);

/**
 * A page of Phoenix's REST API of OTLP spans (`/v1/projects/{id}/spans/otlpv1`, what
 * its TypeScript client's `getSpans` returns): `{data: [span], next_cursor}`.
 */
const isSpanPage = (v: unknown): v is { data: unknown[] } =>
  isObj(v) && Array.isArray(v.data) && "next_cursor" in v && v.data.length > 0 &&
  isOtlpSpan(v.data[0]);

/**
 * The JSON file oteltest (OpenTelemetry Python's test runner for instrumented
 * scripts) writes: the OTLP/HTTP requests it received, decoded, each
 * `{pbreq: {resourceSpans}, headers}` in `trace_requests` (beside
 * `metric_requests`, each an OTLP metric export, and `log_requests`).
 */
const isOteltest = (v: unknown): v is { trace_requests: unknown[]; metric_requests: unknown } =>
  isObj(v) && Array.isArray(v.trace_requests) && "metric_requests" in v &&
  v.trace_requests.every((r) => isObj(r) && "pbreq" in r);

/**
 * OTLP/JSON in another writer's envelope ({@link isTempoV1}, {@link isTempoV2},
 * {@link isSpanPage}, {@link isOteltest}): the first value when the sample holds
 * it whole, else the first object's keys and what the sample shows of it.
 */
function isEnvelope(s: FormatSample): boolean {
  const v = s.values[0];
  if (v !== undefined) return isTempoV1(v) || isTempoV2(v) || isSpanPage(v) || isOteltest(v);
  const scopes = /"(?:scopeSpans|instrumentationLibrarySpans)"\s*:/.test(s.head);
  return (s.keys[0] === "batches" && scopes) ||
    (s.keys[0] === "trace" && /^\s*\{\s*"trace"\s*:\s*\{\s*"resourceSpans"\s*:/.test(s.head)) ||
    (s.keys[0] === "data" && /^\s*\{\s*"data"\s*:\s*\[\s*\{/.test(s.head) &&
      /"start_time_unix_nano"\s*:/.test(s.head) && /"span_id"\s*:/.test(s.head)) ||
    (s.keys.includes("trace_requests") && s.keys.includes("metric_requests"));
}

/** The top-level keys of OTLP/JSON written with the protobuf field names. */
const SNAKE_TOP = ["resource_spans", "scope_spans", "instrumentation_library_spans"];

/**
 * A file's first request may be of log records or metrics (their batch flushed first): OTLP all
 * the same.
 */
const LOG_TOP = ["resourceLogs", "resource_logs", "resourceMetrics", "resource_metrics"];

/** The requests written with the protobuf field names, spans', log records' or metrics'. */
const SNAKE_KEYS = [...SNAKE_TOP, "resource_logs", "resource_metrics"];

/**
 * A value with every object key in lowerCamelCase (`start_time_unix_nano` →
 * `startTimeUnixNano`): OTLP/JSON's own spelling of the protobuf field names.
 * OTLP holds no map of free keys (attributes are `{key, value}` lists), so
 * every object key is a field name.
 */
function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (!isObj(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = camelKeys(x);
  }
  return out;
}

/** OTLP/JSON traces. */
export const otlp: FormatAdapter = {
  name: "otlp",
  title: "OTLP/JSON traces (OpenTelemetry)",
  reads:
    "spans with gen_ai.* (or OpenInference llm.*) attributes are calls, and Claude Code's, Gemini CLI's and Codex CLI's request log events (a span of the same request is one call with them); wrapper spans that repeat usage and tool spans are events; the trace is the session",
  example:
    '{"resourceSpans": [{"resource": {...}, "scopeSpans": [{"spans": [{"traceId", "spanId", "name": "chat gpt-4o", "attributes": [...]}]}]}]}',
  detect: (s) =>
    ["resourceSpans", "scopeSpans", "instrumentationLibrarySpans", ...SNAKE_TOP, ...LOG_TOP].some((
      k,
    ) => s.keys.includes(k)) || isEnvelope(s),
  parse: (source, file, options) => parseOtlp(source, file, options),
  textsByCall: true,
};
