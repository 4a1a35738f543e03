/**
 * Firebase Genkit's trace store → spans → records (`_spans.ts` decides which
 * spans are model calls: Genkit's model actions).
 *
 * Genkit's telemetry server (`genkit start`, the Developer UI) keeps each trace
 * its apps send it (`GENKIT_TELEMETRY_SERVER`, `POST /api/traces`) as one JSON
 * file, `.genkit/traces/<traceId>` (no extension), a `TraceData`: `{traceId,
 * displayName, startTime, endTime, spans: {<spanId>: SpanData}}`; a `SpanData`
 * is `{spanId, traceId, parentSpanId?, startTime, endTime (ms since the epoch,
 * fractional), attributes (flat: `genkit:type`, `genkit:name`, `genkit:input`,
 * `genkit:output`, …), displayName, instrumentationLibrary: {name, version},
 * spanKind, status: {code: 0 unset | 1 ok | 2 error, message?}, timeEvents:
 * {timeEvent: [{time, annotation: {description, attributes}}]}}`. The bodies the
 * apps post are the same objects: several, one per line or concatenated, are
 * read as the file's traces, a span sent twice (started, then ended) as one.
 *
 * Status code 2 (or an `exception` time event) is an error; a span with no end
 * (`endTime` 0 or missing: the real-time processor's started spans) is pending.
 * The session is the one a Genkit agent or chat names (`genkit:metadata:agent:sessionId`,
 * `genkit:sessionId`: `_spans.ts`), each of its turns a trace of its own; else the trace.
 * A folder given is searched for these files (`inputs.ts`).
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { ImportedRecords } from "./_records.ts";
import { SpanList } from "./_spans.ts";
import { hexId, parentId, spanFile } from "./_span_values.ts";
import { textSource, type TraceSource } from "./source.ts";
import { isObj, num, type Obj, str, toMicros } from "./_util.ts";

/** True for a `TraceData`: a trace id and its spans keyed by their ids (not a list). */
function isTraceData(v: unknown): v is Obj {
  return isObj(v) && typeof v.traceId === "string" && isObj(v.spans) &&
    Object.values(v.spans).every((s) => isObj(s) && "spanId" in s);
}

function detect(s: FormatSample): boolean {
  if (s.values.length > 0) return !s.array && isTraceData(s.values[0]);
  // a first trace longer than the sample
  return s.keys.includes("traceId") &&
    /^\s*\{[^]*?"spans"\s*:\s*\{\s*"[0-9a-f]+"\s*:\s*\{\s*"spanId"/
      .test(s.head.slice(0, 65536));
}

/** A time of the store (ms since the epoch, fractional) in µs; 0 or none is no time. */
function msTime(v: unknown): { us: number | null; problem?: string } {
  return num(v) === 0 ? { us: null } : toMicros(v, "ms");
}

/**
 * Parse the text of Genkit trace store files (`TraceData`s) into calls, events
 * (one per span, `genkit.<name>`) and diagnostics.
 *
 * @example
 * ```ts
 * import { parseGenkitText } from "./genkit.ts";
 * const span = {
 *   spanId: "b", traceId: "t", parentSpanId: "a", startTime: 1700000000000, endTime: 1700000001500,
 *   displayName: "openai/gpt-4o-mini", status: { code: 0 }, timeEvents: { timeEvent: [] },
 *   attributes: { "genkit:type": "action", "genkit:metadata:subtype": "model", "genkit:name": "openai/gpt-4o-mini",
 *     "genkit:output": JSON.stringify({ usage: { inputTokens: 12, outputTokens: 3 } }) },
 * };
 * const c = parseGenkitText(JSON.stringify({ traceId: "t", spans: { b: span } }), "t").calls[0]!;
 * if (c.duration_s !== 1.5 || c.input_tokens !== 12 || c.model !== "gpt-4o-mini") throw new Error();
 * ```
 */
export function parseGenkitText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  return parseGenkit(textSource(text, file), file, options);
}

/** {@link parseGenkitText} of a source read value by value. */
function parseGenkit(
  source: TraceSource,
  file: string,
  options: ParseOptions,
  lighten = true,
): ImportedRecords {
  const f = spanFile(file);
  const spans = new SpanList(options, lighten);
  f.read(source, ({ value, line, path }) => {
    const where = path ? `trace ${path}` : "trace";
    if (!isObj(value) || !isObj(value.spans)) {
      f.problem(line, "genkit_bad_trace", `${where} is not loaded: it has no "spans" object`);
      return;
    }
    const trace = hexId(value.traceId);
    for (const [key, s] of Object.entries(value.spans)) {
      const bad = (reason: string) =>
        f.problem(line, "genkit_bad_span", `span ${JSON.stringify(key)} is not loaded: ${reason}`);
      if (!isObj(s)) {
        bad("it is not a span object");
        continue;
      }
      const traceId = hexId(s.traceId) ?? trace, id = hexId(s.spanId) ?? hexId(key);
      if (traceId === null || id === null) {
        bad(`"${traceId === null ? "traceId" : "spanId"}" is missing`);
        continue;
      }
      const start = msTime(s.startTime), end = msTime(s.endTime);
      for (const [name, t] of [["startTime", start], ["endTime", end]] as const) {
        if (t.problem) {
          f.problem(
            line,
            "genkit_bad_time",
            `span ${JSON.stringify(id)}: "${name}": ${t.problem}`,
            "warning",
          );
        }
      }
      const status = isObj(s.status) ? s.status : {};
      const events = isObj(s.timeEvents) && Array.isArray(s.timeEvents.timeEvent)
        ? s.timeEvents.timeEvent.filter(isObj)
        : [];
      const library = isObj(s.instrumentationLibrary) ? s.instrumentationLibrary : {};
      spans.push({
        trace_id: traceId,
        span_id: id,
        parent_span_id: parentId(s.parentSpanId),
        name: str(s.displayName),
        kind: s.spanKind ?? null,
        start_us: start.us,
        end_us: end.us,
        status: status.code === 2 ? "error" : status.code === 1 ? "ok" : "unset",
        status_message: str(status.message),
        attributes: isObj(s.attributes) ? s.attributes : {},
        events: events.map((e) => {
          const note = isObj(e.annotation) ? e.annotation : {};
          return {
            name: str(note.description) ?? "event",
            ts: msTime(e.time).us,
            attributes: isObj(note.attributes) ? note.attributes : {},
          };
        }),
        line,
        scope: str(library.name),
      });
    }
  });
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseGenkit(source, file, options, false);
  return f.finish(spans.spans, "genkit", options);
}

/** Firebase Genkit's trace store. */
export const genkit: FormatAdapter = {
  name: "genkit",
  title: "Firebase Genkit trace store (.genkit/traces/<traceId>, TraceData JSON)",
  reads:
    "Genkit's model actions (genkit:type action, genkit:metadata:subtype model) are calls; flows, generate steps and tools are events; status code 2 or an exception event is an error, no endTime is pending; the session is the one a Genkit agent or chat names (genkit:metadata:agent:sessionId, genkit:sessionId), else the trace",
  example:
    '{"traceId": "4fc3…", "displayName": "weatherFlow", "spans": {"e7b2…": {"spanId": "e7b2…", "startTime": 1796227604909, "endTime": 1796227605062.8, "attributes": {"genkit:type": "action", "genkit:metadata:subtype": "model", "genkit:name": "openai/gpt-4o-mini"}}}}',
  detect,
  parse: (source, file, options) => parseGenkit(source, file, options),
  textsByCall: true,
};
