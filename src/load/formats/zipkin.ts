/**
 * Zipkin v2 JSON → spans → records (`_spans.ts` decides which spans are
 * model calls).
 *
 * Reads what Zipkin's v2 API takes and gives (`POST /api/v2/spans`, `GET
 * /api/v2/trace/{id}`: an array of spans; `GET /api/v2/traces`: an array of
 * traces, each an array of spans), and spans one per line. A span is
 * `{traceId, id, parentId?, name, kind, timestamp (µs since the epoch),
 * duration (µs), localEndpoint: {serviceName}, remoteEndpoint, annotations:
 * [{timestamp, value}], tags: {string: string}, shared?}`.
 *
 * Zipkin v1's `binaryAnnotations` are read as tags.
 * Tag values are strings: token counts and times are read from their text,
 * and a tag holding a JSON array (`["stop"]`) is read as the array.
 * Failed: tag `error` present (its text is the message unless it is empty or
 * `true`), or tag `otel.status_code` = `ERROR` (message:
 * `otel.status_description`). A span with no duration is pending. The
 * server half of an RPC that shares its client's id (`shared: true`) is a
 * span of its own. The trace is the session.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { ImportedRecords } from "./_records.ts";
import { SpanList } from "./_spans.ts";
import { hexId, parentId, spanFile } from "./_span_values.ts";
import { textSource, type TraceSource } from "./source.ts";
import { arrayTag, isObj, num, type Obj, str, toMicros } from "./_util.ts";

/** True for an object shaped as a Zipkin v2 span (and not an OpenTelemetry JS console span). */
function isZipkinSpan(v: unknown): v is Obj {
  if (!isObj(v) || typeof v.traceId !== "string" || typeof v.id !== "string") return false;
  if ("attributes" in v || "resource" in v || "status" in v || "spanId" in v) return false;
  return ["timestamp", "duration", "localEndpoint", "tags", "annotations", "name", "kind"].some((
    k,
  ) => k in v);
}

function detect(s: FormatSample): boolean {
  const v = s.values[0];
  if (s.values.length > 0) return isZipkinSpan(Array.isArray(v) ? v[0] : v);
  // a first span longer than the sample
  return /^\s*\[?\s*\[?\s*\{\s*"traceId"\s*:/.test(s.head) && /"localEndpoint"\s*:/.test(s.head) &&
    !/"attributes"\s*:/.test(s.head.slice(0, 4096));
}

/** Zipkin's string tags, with JSON arrays read as arrays. */
function tagsOf(v: unknown): Obj {
  const out: Obj = {};
  if (!isObj(v)) return out;
  for (const [k, value] of Object.entries(v)) out[k] = arrayTag(value);
  return out;
}

/** Zipkin v1's `binaryAnnotations` as v2 tags. */
function binaryAnnotations(v: unknown): Obj {
  if (!Array.isArray(v)) return {};
  return Object.fromEntries(
    v.filter((b) => isObj(b) && typeof b.key === "string").map((
      b,
    ) => [b.key, String(b.value ?? "")]),
  );
}

/**
 * Parse the text of a Zipkin v2 JSON file into calls, events (one per span,
 * `zipkin.<name>`) and diagnostics.
 *
 * @example
 * ```ts
 * import { parseZipkinText } from "./zipkin.ts";
 * const span = {
 *   traceId: "5af7183fb1d4cf5f", id: "352bff9a74ca9ad2", name: "chat gpt-4o", kind: "CLIENT",
 *   timestamp: 1700000000000000, duration: 1500000, localEndpoint: { serviceName: "app" },
 *   tags: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": "12" },
 * };
 * const c = parseZipkinText(JSON.stringify([span]), "spans.json").calls[0]!;
 * if (c.duration_s !== 1.5 || c.input_tokens !== 12 || c.status !== "ok") throw new Error();
 * ```
 */
export function parseZipkinText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  return parseZipkin(textSource(text, file), file, options);
}

/** {@link parseZipkinText} of a source read value by value (a file never held whole). */
function parseZipkin(
  source: TraceSource,
  file: string,
  options: ParseOptions,
  lighten = true,
): ImportedRecords {
  const f = spanFile(file, 2);
  const spans = new SpanList(options, lighten);
  f.read(source, ({ value, line, path }) => {
    const where = path ? `span ${path}` : "span";
    const bad = (reason: string) =>
      f.problem(line, "zipkin_bad_span", `${where} is not loaded: ${reason}`);
    if (!isObj(value)) {
      bad("it is not a span object");
      return;
    }
    const traceId = hexId(value.traceId), id = hexId(value.id);
    if (traceId === null || id === null) {
      bad(`"${traceId === null ? "traceId" : "id"}" is missing`);
      return;
    }
    const start = toMicros(value.timestamp, "us");
    if (start.problem) {
      f.problem(
        line,
        "zipkin_bad_time",
        `${where} ${JSON.stringify(id)}: "timestamp": ${start.problem}`,
        "warning",
      );
    }
    const duration = num(value.duration);
    // Zipkin v1 (`binaryAnnotations: [{key, value}]`) gives the same tags
    const tags = tagsOf({
      ...binaryAnnotations(value.binaryAnnotations),
      ...(isObj(value.tags) ? value.tags : {}),
    });
    const code = str(tags["otel.status_code"])?.toUpperCase();
    const errorTag = "error" in tags;
    const errorText = str(tags.error) === "true" ? null : str(tags.error);
    const local = isObj(value.localEndpoint) ? value.localEndpoint : {};
    spans.push({
      trace_id: traceId,
      span_id: value.shared === true ? `${id}:shared` : id,
      parent_span_id: parentId(value.parentId),
      name: str(value.name),
      kind: value.kind ?? null,
      start_us: start.us,
      end_us: start.us !== null && duration !== null && duration >= 0 ? start.us + duration : null,
      status: code === "ERROR" || errorTag ? "error" : code === "OK" ? "ok" : "unset",
      status_message: str(tags["otel.status_description"]) ?? errorText,
      attributes: tags,
      events: (Array.isArray(value.annotations) ? value.annotations.filter(isObj) : []).map((
        a,
      ) => ({
        name: str(a.value) ?? "annotation",
        ts: toMicros(a.timestamp, "us").us,
        attributes: {},
      })),
      line,
      resource: str(local.serviceName) === null ? {} : { "service.name": local.serviceName },
    });
  });
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseZipkin(source, file, options, false);
  return f.finish(spans.spans, "zipkin", options);
}

/** Zipkin v2 JSON. */
export const zipkin: FormatAdapter = {
  name: "zipkin",
  title: "Zipkin v2 JSON (API v2 spans and traces)",
  reads:
    "spans whose tags carry gen_ai.* (or OpenInference llm.*) keys are calls (string tag values parsed); wrapper spans that repeat usage and other spans are events; tag error or otel.status_code=ERROR is an error, no duration is pending; the trace is the session",
  example:
    '[{"traceId": "5af7183fb1d4cf5f", "id": "352bff9a74ca9ad2", "name": "chat gpt-4o", "kind": "CLIENT", "timestamp": 1700000000000000, "duration": 1500000, "localEndpoint": {"serviceName": "app"}, "tags": {"gen_ai.usage.input_tokens": "12"}}]',
  detect,
  parse: (source, file, options) => parseZipkin(source, file, options),
  textsByCall: true,
};
