/**
 * OTLP export: the calls as OpenTelemetry spans with the GenAI semantic-convention
 * attributes (v1.41 names), in one OTLP/JSON `ExportTraceServiceRequest`
 * (`DIR/traces.otlp.json`), and optionally sent to an OTLP/HTTP endpoint (JSON
 * encoding), so traces already on disk reach Jaeger, Phoenix, Langfuse or any
 * OpenTelemetry backend.
 *
 * - Each session is one trace (each trace, for calls read with a trace id): a
 *   root span `session <id>` (kind INTERNAL, from the session's start to its
 *   end) with one child span per call.
 * - A call is a span `chat <model>` (kind CLIENT) from `started_at` for
 *   `duration_s`, with `gen_ai.operation.name`, `gen_ai.request.model`,
 *   `gen_ai.response.model`, `gen_ai.provider.name`, `gen_ai.conversation.id`,
 *   `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`,
 *   `gen_ai.usage.cache_read.input_tokens`, `gen_ai.usage.cache_creation.input_tokens`,
 *   `gen_ai.usage.reasoning.output_tokens`, `gen_ai.response.finish_reasons`,
 *   `gen_ai.response.time_to_first_chunk`, and `error.type` with an ERROR
 *   status for a failed call; plus `tracebook.request_id`, `tracebook.cost_usd`
 *   and `tracebook.status`.
 * - A pending call (no outcome yet) is a span of zero length with an unset
 *   status and `tracebook.status = "pending"`.
 * - Trace and span ids are the frame's `trace_id`/`span_id` when they are valid
 *   OTLP ids (calls read from OTLP keep theirs), else derived by SHA-256 from the
 *   session and request ids, the file, line and start (calls of one line without a
 *   request id, as Codex's OpenTelemetry events give them, are distinct spans; a
 *   call whose id another call of the export has already, as a response's
 *   sub-requests of one line and start do, takes the next of `… #2`, `… #3`), so
 *   exporting twice gives the same ids.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import { createHash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import type { TraceSet } from "../frames/columns.ts";
import { UserError } from "../log/mod.ts";
import { SETTLE_CALLS, settleWhenGrown } from "../load/_memory.ts";

/** OTLP span kinds (`opentelemetry.proto.trace.v1.Span.SpanKind`). */
const KIND_INTERNAL = 1, KIND_CLIENT = 3;
/** OTLP status codes. */
const STATUS_ERROR = 2;

/** Provider names of the GenAI semantic conventions, from genai-prices' provider ids. */
const PROVIDER_NAMES: Record<string, string> = {
  google: "gcp.gemini",
  mistral: "mistral_ai",
  "x-ai": "x_ai",
  azure: "azure.ai.openai",
  bedrock: "aws.bedrock",
};

/** An OTLP/JSON `KeyValue`. */
export interface OtlpKeyValue {
  /** The attribute's name. */
  key: string;
  /** The attribute's value. */
  value: OtlpAnyValue;
}
/** An OTLP/JSON `AnyValue` (int64 as a decimal string, as the JSON mapping has it). */
export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: OtlpAnyValue[] } };

/** An OTLP/JSON span. */
export interface OtlpSpan {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  /** The parent span's id, for a child span. */
  parentSpanId?: string;
  /** The span's name: `chat {model}` for a call, `session {id}` for its session's span. */
  name: string;
  /** The span kind (OTLP enum: 3 client for a call, 1 internal for a session). */
  kind: number;
  /** Start, nanoseconds since the epoch, as a decimal string. */
  startTimeUnixNano: string;
  /** End, nanoseconds since the epoch, as a decimal string. */
  endTimeUnixNano: string;
  /** The span's attributes. */
  attributes: OtlpKeyValue[];
  /** The span status: `{ code: 2, message }` for a failed call, else empty (unset). */
  status: { code?: number; message?: string };
}

/** An OTLP/JSON `ExportTraceServiceRequest`. */
export interface OtlpRequest {
  /** Spans grouped by resource, then by instrumentation scope. */
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

/** Options of {@linkcode toOtlpRequest}. */
export interface OtlpExportOptions {
  /** `service.name` of the resource. @default {"tracebook"} */
  serviceName?: string;
}

function anyValue(v: unknown): OtlpAnyValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "bigint") return { intValue: v.toString() };
  if (typeof v === "number") {
    return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  }
  if (Array.isArray(v)) {
    return { arrayValue: { values: v.map(anyValue).filter((x) => x !== undefined) } };
  }
  return { stringValue: JSON.stringify(v) };
}

function attributes(entries: [string, unknown][]): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const [key, v] of entries) {
    const value = anyValue(v);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

const hex = (text: string, chars: number) =>
  createHash("sha256").update(text).digest("hex").slice(0, chars);
const HEX_ID = /^[0-9a-f]+$/;
const validId = (v: unknown, chars: number): v is string =>
  typeof v === "string" && v.length === chars && HEX_ID.test(v) && !/^0+$/.test(v);

/** Microseconds since the epoch (a Date, a number or a bigint) → nanoseconds as text. */
function micros(v: unknown): bigint | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : BigInt(v.getTime()) * 1000n;
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isFinite(v)) return BigInt(Math.round(v));
  return null;
}

type Row = Record<string, unknown>;

/**
 * The rows of a frame as objects, read column by column (nodejs-polars'
 * `toRecords()` is about 20 times slower on wide frames).
 */
function rows(df: pl.DataFrame): Row[] {
  const columns = df.columns.map((name) => [name, df.getColumn(name).toArray()] as const);
  const height = df.height; // a getter that asks Polars each time
  const out: Row[] = new Array(height);
  for (let i = 0; i < height; i++) {
    const row: Row = {};
    for (const [name, values] of columns) row[name] = values[i];
    out[i] = row;
  }
  return out;
}

/** The rows of `df` in order, `take(k)` giving the next `k`, made `chunk` rows at a time. */
function rowCursor(df: pl.DataFrame, chunk = 8192): { take(k: number): Row[] } {
  let buffered: Row[] = [], used = 0, next = 0;
  const height = df.height;
  return {
    take(k: number): Row[] {
      const out: Row[] = [];
      while (out.length < k) {
        if (used === buffered.length) {
          if (next >= height) break;
          buffered = rows(df.slice(next, chunk));
          next += buffered.length;
          used = 0;
        }
        const n = Math.min(k - out.length, buffered.length - used);
        for (let i = 0; i < n; i++) out.push(buffered[used + i]!);
        used += n;
      }
      return out;
    },
  };
}

/** Epoch µs of the datetime columns, read exactly (a JS Date keeps only milliseconds). */
function withMicros(df: pl.DataFrame, columns: string[]): pl.DataFrame {
  return df.withColumns(
    ...columns.filter((c) => df.columns.includes(c)).map((c) =>
      pl.col(c).cast(pl.Int64).alias(`__${c}_us`)
    ),
  );
}

/**
 * The calls of `traces` as one OTLP/JSON export request (one trace per session).
 *
 * @example
 * ```ts
 * import { fromTraceText } from "../load/mod.ts";
 * import { toOtlpRequest } from "./otlp.ts";
 * const traces = fromTraceText([
 *   '{"type":"llm_request","timestamp":"2025-04-08T09:00:00Z","session_id":"s","data":{"request_id":"r","model":"gpt-4o"}}',
 *   '{"type":"llm_response","timestamp":"2025-04-08T09:00:01.5Z","session_id":"s","data":{"request_id":"r","model":"gpt-4o","duration_seconds":1.5,"success":true,"usage":{"input_tokens":12,"output_tokens":3}}}',
 * ].join("\n"));
 * const spans = toOtlpRequest(traces).resourceSpans[0]!.scopeSpans[0]!.spans;
 * const call = spans.find((s) => s.name === "chat gpt-4o")!;
 * // 1.5 s after 2025-04-08T09:00:00Z (1744102800 s since the epoch)
 * if (call.startTimeUnixNano !== "1744102800000000000" || call.endTimeUnixNano !== "1744102801500000000") {
 *   throw new Error(JSON.stringify(call));
 * }
 * ```
 */
export function toOtlpRequest(traces: TraceSet, options: OtlpExportOptions = {}): OtlpRequest {
  const spans: OtlpSpan[] = [];
  for (const trace of otlpTraces(traces)) for (const span of trace) spans.push(span);
  return otlpRequestOf(spans, options);
}

/** The request that holds `spans` (one resource, one scope). */
function otlpRequestOf(spans: OtlpSpan[], options: OtlpExportOptions): OtlpRequest {
  return {
    resourceSpans: [{
      resource: { attributes: attributes([["service.name", options.serviceName ?? "tracebook"]]) },
      scopeSpans: [{ scope: { name: "tracebook" }, spans }],
    }],
  };
}

/**
 * Write `traces` as the OTLP/JSON file of {@link toOtlpRequest} (the same
 * bytes, then a newline; given the request itself, from its spans), one trace's spans at a time, from the calls' rows
 * made a slice at a time: neither the spans nor the rows are ever all held,
 * nor the whole text (200,000 calls, 784 MB: a peak of 1,788 MiB when the
 * request was made and stringified whole, 905 MiB with the spans written as
 * they come, 589–630 MiB with the rows of the columns a span reads made by
 * slices, 425–428 MiB settling the memory as the spans' garbage grows).
 *
 * @example
 * ```ts
 * import { fromTraceText } from "../load/mod.ts";
 * import { toOtlpRequest, writeOtlpFile } from "./otlp.ts";
 * const traces = fromTraceText([
 *   '{"type":"llm_request","timestamp":"2025-04-08T09:00:00Z","session_id":"s","data":{"request_id":"r","model":"gpt-4o"}}',
 *   '{"type":"llm_response","timestamp":"2025-04-08T09:00:01.5Z","session_id":"s","data":{"request_id":"r","model":"gpt-4o","duration_seconds":1.5}}',
 * ].join("\n"));
 * const path = Deno.makeTempFileSync();
 * await writeOtlpFile(traces, path);
 * const text = JSON.stringify(toOtlpRequest(traces)) + "\n";
 * if (Deno.readTextFileSync(path) !== text) throw new Error("from the traces");
 * await writeOtlpFile(toOtlpRequest(traces), path); // a request already made: the same bytes
 * if (Deno.readTextFileSync(path) !== text) throw new Error("from the request");
 * const named = toOtlpRequest(traces, { serviceName: "app" }); // its own resource kept
 * await writeOtlpFile(named, path);
 * if (Deno.readTextFileSync(path) !== JSON.stringify(named) + "\n") throw new Error("its resource");
 * ```
 */
export async function writeOtlpFile(
  source: TraceSet | OtlpRequest,
  path: string,
  options: OtlpExportOptions = {},
): Promise<void> {
  // a request already made (to post it too) is written from its spans, not made again
  const made = "resourceSpans" in source ? source : null;
  const set = made ? null : source as TraceSet;
  const resource = made ? made.resourceSpans[0]! : null;
  const traces = resource ? [resource.scopeSpans[0]!.spans] : otlpTraces(set!);
  const large = set !== null && set.calls.height >= SETTLE_CALLS;
  // the request with no span (a given one's own resource and scope: `options` made it), cut where
  // its spans go: the last array of the text
  const empty = JSON.stringify(
    resource
      ? {
        resourceSpans: [{
          ...resource,
          scopeSpans: [{ ...resource.scopeSpans[0]!, spans: [] }],
        }],
      }
      : otlpRequestOf([], options),
  );
  const at = empty.lastIndexOf("[]") + 1;
  const fd = openSync(path, "w");
  const utf8 = new TextEncoder();
  const write = (text: string) => {
    const bytes = utf8.encode(text);
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
  };
  try {
    let text = empty.slice(0, at), first = true;
    for (const trace of traces) {
      for (const span of trace) {
        text += (first ? "" : ",") + JSON.stringify(span);
        first = false;
        if (text.length >= 1 << 20) {
          write(text);
          text = "";
          // the spans and rows written are garbage that V8 lets pile up (~190 MB for 200,000
          // calls): settled at every 128 MB of growth (589–630 → 425–428 MiB, 2.0–2.2 → 2.6–2.9 s;
          // at every 64 MB, 368–375 MiB but 3.5 s)
          if (large) await settleWhenGrown(128 * 1024 * 1024);
        }
      }
    }
    write(text + empty.slice(at) + "\n");
  } finally {
    closeSync(fd);
  }
}

/** The calls' columns a call's span is made of (`__…_us`: the times in microseconds, `withMicros`). */
const SPAN_COLUMNS = [
  "__started_at_us",
  "__ended_at_us",
  "duration_s",
  "status",
  "error",
  "model",
  "request_model",
  "served_model",
  "provider",
  "request_id",
  "span_id",
  "file",
  "line",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cache_write_1h_tokens",
  "web_search_requests",
  "reasoning_tokens",
  "finish_reason",
  "ttft_s",
  "cost_usd",
];

/** The spans of `traces`, one trace at a time: its session's root span, then its calls'. */
function* otlpTraces(traces: TraceSet): Generator<OtlpSpan[]> {
  const sessions = rows(withMicros(traces.sessions, ["started_at", "ended_at"]));
  const sessionById = new Map(sessions.map((s) => [String(s.session_id), s]));
  const metadataColumns = traces.sessions.columns.slice(8); // after the contract columns

  // One trace per trace id the calls came with, else one per session, in the order of their
  // first call; found from two columns, the calls' rows then made a slice at a time
  const traceIds = traces.calls.getColumn("trace_id").toArray();
  const sessionIds = traces.calls.getColumn("session_id").toArray();
  const bySession = new Map<string, string>();
  const byTrace = new Map<string, { sessionId: string; at: number[] }>();
  for (let i = 0; i < traceIds.length; i++) {
    const sessionId = String(sessionIds[i] ?? "");
    const raw: unknown = traceIds[i];
    let traceId: string | undefined = validId(raw, 32) ? raw : bySession.get(sessionId);
    if (traceId === undefined) bySession.set(sessionId, traceId = hex(`trace ${sessionId}`, 32));
    let trace = byTrace.get(traceId);
    if (!trace) byTrace.set(traceId, trace = { sessionId, at: [] });
    trace.at.push(i);
  }
  const order = [...byTrace.values()].flatMap((t) => t.at);
  // only the columns a span reads, in the traces' order
  const timed = withMicros(traces.calls, ["started_at", "ended_at"]);
  const calls = rowCursor(
    timed.select(
      ...SPAN_COLUMNS.filter((c) => timed.columns.includes(c)).map((c) => pl.col(c).gather(order)),
    ),
  );

  // the span ids derived so far (two calls of one request, line and start get distinct ones)
  const derived = new Set<string>();
  for (const [traceId, { sessionId, at }] of byTrace) {
    const rows = calls.take(at.length);
    const rootId = hex(`session ${sessionId} ${traceId}`, 16);
    const callSpans: OtlpSpan[] = [];
    for (const call of rows) {
      // No start (an orphan response): its end less its duration, else a zero-length span at its end.
      const ended = micros(call.__ended_at_us);
      const start = micros(call.__started_at_us) ??
        (ended !== null && typeof call.duration_s === "number"
          ? ended - BigInt(Math.round(call.duration_s * 1e6))
          : ended);
      if (start === null) continue; // a call with no time at all cannot be a span
      const startNs = start * 1000n;
      const duration = typeof call.duration_s === "number" ? call.duration_s : null;
      const endNs = duration !== null
        ? startNs + BigInt(Math.round(duration * 1e9))
        : call.status === "pending"
        ? startNs
        : (micros(call.__ended_at_us) ?? start) * 1000n;
      const model = String(call.model ?? "unknown");
      const requestModel = typeof call.request_model === "string" ? call.request_model : model;
      const served = typeof call.served_model === "string"
        ? call.served_model
        : call.status === "ok"
        ? model
        : null;
      const provider = typeof call.provider === "string"
        ? PROVIDER_NAMES[call.provider] ?? call.provider
        : null;
      const failed = call.status === "error";
      let spanId = validId(call.span_id, 16) ? call.span_id : null;
      if (spanId === null) {
        const key = `call ${sessionId} ${call.request_id} ${call.file} ${call.line} ${startNs}`;
        spanId = hex(key, 16);
        for (let n = 2; derived.has(spanId); n++) spanId = hex(`${key} #${n}`, 16);
        derived.add(spanId);
      }
      callSpans.push({
        traceId,
        spanId,
        parentSpanId: rootId,
        name: `chat ${requestModel}`,
        kind: KIND_CLIENT,
        startTimeUnixNano: startNs.toString(),
        endTimeUnixNano: (endNs < startNs ? startNs : endNs).toString(),
        attributes: attributes([
          ["gen_ai.operation.name", "chat"],
          ["gen_ai.request.model", requestModel],
          ["gen_ai.response.model", served],
          ["gen_ai.provider.name", provider],
          ["gen_ai.conversation.id", sessionId],
          ["gen_ai.usage.input_tokens", call.input_tokens],
          ["gen_ai.usage.output_tokens", call.output_tokens],
          ["gen_ai.usage.cache_read.input_tokens", call.cache_read_tokens],
          ["gen_ai.usage.cache_creation.input_tokens", call.cache_write_tokens],
          // of them, those to the 1-hour cache (priced apart; no GenAI convention names them)
          ["tracebook.cache_write_1h_tokens", call.cache_write_1h_tokens],
          // Anthropic's server-side web searches, priced per search (no GenAI convention either)
          ["tracebook.web_search_requests", call.web_search_requests],
          ["gen_ai.usage.reasoning.output_tokens", call.reasoning_tokens],
          ["gen_ai.response.finish_reasons", call.finish_reason ? [call.finish_reason] : null],
          [
            "gen_ai.response.time_to_first_chunk",
            typeof call.ttft_s === "number" ? call.ttft_s : null,
          ],
          ["error.type", failed ? "_OTHER" : null],
          ["tracebook.request_id", call.request_id],
          ["tracebook.status", call.status],
          ["tracebook.cost_usd", typeof call.cost_usd === "number" ? call.cost_usd : null],
        ]),
        status: failed ? { code: STATUS_ERROR, message: String(call.error ?? "error") } : {},
      });
    }
    if (!callSpans.length) continue;
    const session = sessionById.get(sessionId);
    const starts = callSpans.map((s) => BigInt(s.startTimeUnixNano));
    const ends = callSpans.map((s) => BigInt(s.endTimeUnixNano));
    const min = (xs: bigint[]) => xs.reduce((a, b) => (b < a ? b : a));
    const max = (xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a));
    const sessionStart = micros(session?.__started_at_us);
    const sessionEnd = micros(session?.__ended_at_us);
    const rootStart = min([...starts, ...(sessionStart !== null ? [sessionStart * 1000n] : [])]);
    const rootEnd = max([...ends, ...(sessionEnd !== null ? [sessionEnd * 1000n] : [])]);
    yield [{
      traceId,
      spanId: rootId,
      name: `session ${sessionId}`,
      kind: KIND_INTERNAL,
      startTimeUnixNano: rootStart.toString(),
      endTimeUnixNano: rootEnd.toString(),
      attributes: attributes([
        ["gen_ai.conversation.id", sessionId],
        ...metadataColumns.map((c): [string, unknown] => [`tracebook.session.${c}`, session?.[c]]),
      ]),
      status: {},
    }, ...callSpans];
  }
}

/** The number of call spans (`gen_ai.operation.name` set) in a request. */
export function callSpanCount(request: OtlpRequest): number {
  return request.resourceSpans.flatMap((r) => r.scopeSpans).flatMap((s) => s.spans)
    .filter((s) => s.attributes.some((a) => a.key === "gen_ai.operation.name")).length;
}

/** Options of {@linkcode postOtlp}. */
export interface PostOtlpOptions {
  /** Extra HTTP headers (an API key of the collector, …). */
  headers?: Record<string, string>;
  /** Spans per request: large exports go in several requests. @default {5000} */
  batchSpans?: number;
}

/** What {@linkcode postOtlp} sent. */
export interface PostOtlpResult {
  /** The traces endpoint posted to (`/v1/traces` added when missing). */
  url: string;
  /** HTTP requests sent. */
  requests: number;
  /** Spans sent. */
  spans: number;
  /** Spans the receiver said it rejected (OTLP partial success). */
  rejectedSpans: number;
}

/**
 * The traces endpoint of `url`: a URL with no path gets OTLP's `/v1/traces`
 * (as `OTEL_EXPORTER_OTLP_ENDPOINT` does); any other URL is used as it is.
 */
export function tracesEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--endpoint ${url} is not a URL (e.g. http://localhost:4318/v1/traces).`, {
      exitCode: 2,
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UserError(`--endpoint ${url} must be an http:// or https:// URL.`, { exitCode: 2 });
  }
  if (parsed.pathname === "/" || parsed.pathname === "") parsed.pathname = "/v1/traces";
  return parsed.toString();
}

/**
 * POST `request` to an OTLP/HTTP endpoint as JSON (`Content-Type:
 * application/json`), whole traces per request, at most `batchSpans` spans each.
 * A refused request (a status other than 2xx, or no connection) is a
 * `UserError` naming the endpoint and its answer.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { postOtlp, toOtlpRequest } from "./otlp.ts";
 * // A stand-in OTLP receiver on this machine, counting the spans it is sent.
 * let received = 0;
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
 *   const body = await req.json();
 *   for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) received += ss.spans.length;
 *   return Response.json({});
 * });
 * const request = toOtlpRequest(await loadTraces("traces/"));
 * const spans = request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
 * const sent = await postOtlp(request, `http://127.0.0.1:${server.addr.port}`, { batchSpans: 50 });
 * await server.shutdown();
 * // The path is added; every span arrives once, in several requests of whole traces.
 * if (sent.url !== `http://127.0.0.1:${server.addr.port}/v1/traces`) throw new Error(sent.url);
 * if (sent.spans !== spans.length || received !== spans.length || sent.requests < 2) {
 *   throw new Error(JSON.stringify(sent));
 * }
 * ```
 */
export async function postOtlp(
  request: OtlpRequest,
  url: string,
  options: PostOtlpOptions = {},
): Promise<PostOtlpResult> {
  const endpoint = tracesEndpoint(url);
  const limit = options.batchSpans ?? 5000;
  const result: PostOtlpResult = { url: endpoint, requests: 0, spans: 0, rejectedSpans: 0 };
  for (const rs of request.resourceSpans) {
    for (const scope of rs.scopeSpans) {
      // Keep each trace's spans together.
      const batches: OtlpSpan[][] = [[]];
      let lastTrace = "";
      for (const span of scope.spans) {
        const current = batches[batches.length - 1]!;
        if (current.length >= limit && span.traceId !== lastTrace) batches.push([]);
        batches[batches.length - 1]!.push(span);
        lastTrace = span.traceId;
      }
      for (const spans of batches.filter((b) => b.length)) {
        const body: OtlpRequest = {
          resourceSpans: [{ resource: rs.resource, scopeSpans: [{ scope: scope.scope, spans }] }],
        };
        let response: Response;
        try {
          response = await fetch(endpoint, {
            method: "POST",
            headers: { "content-type": "application/json", ...options.headers },
            body: JSON.stringify(body),
          });
        } catch (err) {
          throw new UserError(
            `Cannot send the traces to ${endpoint}: ${(err as Error).message}.`,
          );
        }
        const text = await response.text();
        if (!response.ok) {
          throw new UserError(
            `The OTLP endpoint ${endpoint} answered ${response.status} ${response.statusText}${
              text ? `: ${text.slice(0, 200)}` : ""
            }.`,
          );
        }
        try {
          const answer = text ? JSON.parse(text) : {};
          result.rejectedSpans += Number(answer?.partialSuccess?.rejectedSpans ?? 0) || 0;
        } catch { /* a receiver may answer with no JSON */ }
        result.requests++;
        result.spans += spans.length;
      }
    }
  }
  return result;
}
