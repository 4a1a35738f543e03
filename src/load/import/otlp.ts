/**
 * OTLP/JSON traces with OpenTelemetry GenAI attributes → imported records.
 *
 * Accepts `{"resourceSpans": [...]}` requests (one per line or pretty-printed),
 * bare `ResourceSpans` objects (`{"resource", "scopeSpans"}`) concatenated, and
 * JSON arrays of either. Every span is one event (`otel.<operation or name>`);
 * spans whose `gen_ai.operation.name` is `chat`, `text_completion` or
 * `generate_content` are also calls. Tokens come from those call spans only:
 * `invoke_agent` spans repeat the usage of their chats.
 *
 * @module
 */
import { countChars, type Diagnostic } from "../_event.ts";
import { parseJsonValues } from "./_json_values.ts";
import type { ImportedCall, ImportedEvent, ImportedRecords } from "./_records.ts";
import { importMessages } from "./messages.ts";

/** `gen_ai.operation.name` values of spans that are model calls. */
export const CALL_OPERATIONS: readonly string[] = ["chat", "text_completion", "generate_content"];

/** Attributes that may carry the time to first token, in seconds (the first present wins). */
const TTFT_KEYS = [
  "gen_ai.response.time_to_first_chunk",
  "gen_ai.server.time_to_first_token",
  "gen_ai.response.time_to_first_token",
];

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** An OTLP `AnyValue` as a plain value (`intValue` strings → numbers). */
export function anyValue(v: unknown): unknown {
  if (!isObj(v)) return null;
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
    return values.map(anyValue);
  }
  if ("kvlistValue" in v) return attributeMap(isObj(v.kvlistValue) ? v.kvlistValue.values : []);
  if ("bytesValue" in v) return v.bytesValue;
  return null;
}

/** OTLP `attributes` (`[{key, value}]`) as an object. */
export function attributeMap(list: unknown): Obj {
  const out: Obj = {};
  if (!Array.isArray(list)) return out;
  for (const a of list) {
    if (isObj(a) && typeof a.key === "string") out[a.key] = anyValue(a.value);
  }
  return out;
}

/** Nanoseconds (string or number) → µs, or null when not a non-negative integer. */
function nanosToMicros(v: unknown): { us: number; ns: bigint } | null {
  let ns: bigint;
  if (typeof v === "string" && /^\d+$/.test(v)) ns = BigInt(v);
  else if (typeof v === "number" && Number.isInteger(v) && v >= 0) ns = BigInt(v);
  else return null;
  return { us: Number(ns / 1000n), ns };
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const int = (
  v: unknown,
): number | null => (typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Messages of `gen_ai.input.messages` / `gen_ai.output.messages` (JSON text or a value). */
function messageList(v: unknown): unknown[] | null {
  let value = v;
  if (typeof v === "string") {
    try {
      value = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return Array.isArray(value) ? value : null;
}

/** Text of the messages: `text` parts (GenAI semantic conventions) and string `content`. */
function messageText(list: unknown[] | null): string | null {
  if (!list) return null;
  const texts: string[] = [];
  for (const m of list) {
    if (!isObj(m)) continue;
    if (typeof m.content === "string") texts.push(m.content);
    if (Array.isArray(m.parts)) {
      for (const p of m.parts) {
        if (isObj(p) && p.type === "text" && typeof p.content === "string") texts.push(p.content);
      }
    }
  }
  return texts.join("");
}

function chars(list: unknown[] | null): number | null {
  const text = messageText(list);
  return text === null ? null : countChars(text);
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
  const { values, diagnostics } = parseJsonValues(text, file);
  const calls: ImportedCall[] = [];
  const events: ImportedEvent[] = [];
  const seen = new Map<string, number>();
  const problem = (
    line: number,
    code: string,
    message: string,
    severity: Diagnostic["severity"] = "error",
  ) => diagnostics.push({ file, line, code, message, severity });

  const readSpan = (span: unknown, path: string, line: number, resource: Obj) => {
    if (!isObj(span)) {
      return problem(line, "otlp_bad_span", importMessages.otlpBadSpan(path, "not an object"));
    }
    const traceId = str(span.traceId), spanId = str(span.spanId);
    if (traceId === null) {
      return problem(
        line,
        "otlp_bad_span",
        importMessages.otlpBadSpan(path, `"traceId" is missing`),
      );
    }
    if (spanId === null) {
      return problem(
        line,
        "otlp_bad_span",
        importMessages.otlpBadSpan(path, `"spanId" is missing`),
      );
    }
    const start = nanosToMicros(span.startTimeUnixNano), end = nanosToMicros(span.endTimeUnixNano);
    if (start === null) {
      return problem(
        line,
        "otlp_bad_span",
        importMessages.otlpBadSpan(path, `"startTimeUnixNano" is not an integer of nanoseconds`),
      );
    }
    if (end === null) {
      return problem(
        line,
        "otlp_bad_span",
        importMessages.otlpBadSpan(path, `"endTimeUnixNano" is not an integer of nanoseconds`),
      );
    }
    const key = `${traceId}\u0000${spanId}`;
    const firstLine = seen.get(key);
    if (firstLine !== undefined) {
      problem(
        line,
        "duplicate_span",
        importMessages.otlpDuplicateSpan(spanId, firstLine),
        "warning",
      );
    } else seen.set(key, line);

    const attrs = attributeMap(span.attributes);
    const operation = str(attrs["gen_ai.operation.name"]);
    const name = str(span.name);
    const status = span.status;
    const failed = isErrorStatus(status);
    const errorText = failed
      ? str(isObj(status) ? status.message : null) ?? str(attrs["error.type"]) ??
        importMessages.spanError()
      : null;
    const serviceName = str(resource["service.name"]);
    events.push({
      file,
      line,
      type: `otel.${operation ?? name ?? "span"}`,
      ts: start.us,
      end: end.us,
      session_id: traceId,
      request_id: spanId,
      payload: JSON.stringify({
        name,
        kind: span.kind ?? null,
        parent_span_id: str(span.parentSpanId),
        status: isObj(status) && Object.keys(status).length ? status : null,
        attributes: attrs,
      }),
      metadata: serviceName === null ? undefined : { service_name: serviceName },
    });
    if (operation === null || !CALL_OPERATIONS.includes(operation)) return;

    const model = str(attrs["gen_ai.response.model"]) ?? str(attrs["gen_ai.request.model"]) ??
      "unknown";
    const input = int(attrs["gen_ai.usage.input_tokens"]) ??
      int(attrs["gen_ai.usage.prompt_tokens"]);
    const output = int(attrs["gen_ai.usage.output_tokens"]) ??
      int(attrs["gen_ai.usage.completion_tokens"]);
    const finish = attrs["gen_ai.response.finish_reasons"];
    const inputMessages = messageList(attrs["gen_ai.input.messages"]);
    const outputMessages = messageList(attrs["gen_ai.output.messages"]);
    const call: ImportedCall = {
      session_id: traceId,
      request_id: spanId,
      model,
      provider: str(attrs["gen_ai.provider.name"]) ?? str(attrs["gen_ai.system"]),
      started_at: start.us,
      ended_at: end.us,
      duration_s: Number(end.ns - start.ns) / 1e9,
      status: failed ? "error" : "ok",
      error: errorText,
      input_tokens: input,
      output_tokens: output,
      total_tokens: int(attrs["gen_ai.usage.total_tokens"]) ??
        (input !== null && output !== null ? input + output : null),
      cache_read_tokens: int(attrs["gen_ai.usage.cache_read.input_tokens"]) ??
        int(attrs["gen_ai.usage.cache_read_input_tokens"]),
      reasoning_tokens: int(attrs["gen_ai.usage.reasoning.output_tokens"]) ??
        int(attrs["gen_ai.usage.reasoning_tokens"]),
      ttft_s: TTFT_KEYS.map((k) => num(attrs[k])).find((v) => v !== null) ?? null,
      prompt_chars: chars(inputMessages),
      output_chars: chars(outputMessages),
      file,
      line,
      finish_reason: Array.isArray(finish)
        ? (finish.filter((f) => typeof f === "string").join(",") || null)
        : str(finish),
      cache_write_tokens: int(attrs["gen_ai.usage.cache_creation.input_tokens"]) ??
        int(attrs["gen_ai.usage.cache_creation_input_tokens"]),
      request_model: str(attrs["gen_ai.request.model"]) ?? model,
    };
    if (options.keepText) {
      call.messages = inputMessages ? JSON.stringify(inputMessages) : null;
      call.output = messageText(outputMessages);
    }
    calls.push(call);
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
      if (!Array.isArray(spans)) {
        problem(
          line,
          "otlp_bad_object",
          importMessages.otlpNotArray(`${path}.scopeSpans[${i}].spans`, spans),
        );
        continue;
      }
      for (const [j, span] of spans.entries()) {
        readSpan(span, `${path}.scopeSpans[${i}].spans[${j}]`, line, resource);
      }
    }
  };

  /** `prefix` is `""` for a top-level object, `"[i]."` for an element of a top-level array. */
  const readValue = (value: unknown, prefix: string, line: number) => {
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
    } else problem(line, "otlp_not_spans", importMessages.otlpNotSpans(value));
  };

  for (const { line, value } of values) readValue(value, "", line);
  diagnostics.sort((a, b) => a.line - b.line);
  return { calls, events, diagnostics };
}
