/**
 * OpenTelemetry JS span dumps → spans → records (`_spans.ts` decides which
 * spans are model calls).
 *
 * Two shapes, each as JSON (one per line, pretty-printed and concatenated, or
 * an array) or as Node's (or Deno's) `console.dir` output, which is what the JS SDK's
 * `ConsoleSpanExporter` prints (JavaScript object notation: unquoted keys,
 * single-quoted strings, `undefined`, `[Object]` past depth 3; other lines of
 * the program's output between the spans, and the log records and metrics
 * that the console's other exporters print, are skipped with one warning):
 * - `ConsoleSpanExporter`'s object: `{resource: {attributes},
 *   instrumentationScope (instrumentationLibrary before SDK 2), traceId,
 *   parentId (SDK 1) | parentSpanContext: {spanId} (SDK 2), traceState, name,
 *   id, kind, timestamp (µs since the epoch), duration (µs), attributes,
 *   status: {code: 0 unset | 1 ok | 2 error, message?}, events: [{name,
 *   attributes, time: [sec, nanos]}], links}`;
 * - a `ReadableSpan` as `JSON.stringify` writes it: `{name, kind, spanContext
 *   (or _spanContext): {traceId, spanId}, parentSpanId | parentSpanContext,
 *   startTime: [sec, nanos], endTime, duration, ended, status, attributes,
 *   events, resource}`, or its fields written flat (`traceId`, `spanId`,
 *   `parentSpanId`: GitHub Copilot CLI's file exporter, one `{"type": "span", …}`
 *   per line, its `{"type": "metric", …}` lines skipped with one warning), or with
 *   OTLP's names and flat attributes (`startTimeUnixNano`, `status.code: "OK"`:
 *   the spans of CloudWatch's `aws/spans` log group, where Bedrock AgentCore's go;
 *   a span there with `durationNano` and no `endTimeUnixNano` ends at start + duration).
 *
 * Gemini CLI's telemetry outfile holds its spans, log records and metric exports so
 * (`JSON.stringify(…, null, 2)`): its own log records are calls and events (`_cli_events.ts`).
 *
 * Status code 2 (or an `exception` event) is an error; a span that has not
 * ended (`ended: false`, an `endTime` of `[0, 0]`, a negative duration) is
 * pending. The trace is the session unless an attribute names one.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import type { ImportedRecords } from "./_records.ts";
import { type Span, SpanList } from "./_spans.ts";
import { hexId, parentId, spanFile, type SpanRecord } from "./_span_values.ts";
import { DocumentTooLarge, textSource, type TraceSource } from "./source.ts";
import { first, isObj, json5Parse, num, type Obj, str, toMicros } from "./_util.ts";
import {
  addCliRecord,
  cliEventName,
  cliRecords,
  isCliLogDump,
  withCliCalls,
} from "./_cli_events.ts";

const contextOf = (v: Obj): Obj =>
  isObj(v.spanContext) ? v.spanContext : isObj(v._spanContext) ? v._spanContext : {};

/** True for a value shaped as a ConsoleSpanExporter object or a ReadableSpan. */
function isJsSpan(v: unknown): v is Obj {
  if (!isObj(v)) return false;
  const console = typeof v.traceId === "string" && typeof v.id === "string" &&
    ("timestamp" in v || "duration" in v) &&
    ("attributes" in v || "status" in v || "resource" in v);
  const readable = str(contextOf(v).traceId) !== null && str(contextOf(v).spanId) !== null &&
    ("startTime" in v || "name" in v);
  // a ReadableSpan's fields written flat, as GitHub Copilot CLI's file exporter does; or with
  // OTLP's time names and flat attributes, as CloudWatch's aws/spans log group holds the spans
  // of Bedrock AgentCore (a span of OTLP/JSON proper has its attributes as a list)
  const flat = typeof v.traceId === "string" && typeof v.spanId === "string" &&
    (Array.isArray(v.startTime) || ("startTimeUnixNano" in v && isObj(v.attributes)));
  return console || readable || flat;
}

/**
 * What the console's other exporters print beside the spans (and Copilot CLI's
 * file exporter writes between them): the kind, or null for another record.
 */
function neighbourKind(v: unknown): string | null {
  if (!isObj(v)) return null;
  if ("body" in v && ("severityText" in v || "severityNumber" in v)) return "log records";
  // a log record as `JSON.stringify` writes the SDK's (`{hrTime, attributes, _body}`: Gemini CLI's
  // telemetry outfile)
  if (("_body" in v || "body" in v) && Array.isArray(v.hrTime)) return "log records";
  // the console's `{descriptor, dataPoints}`; Copilot CLI's `{"type": "metric", name, dataPoints}`;
  // a ResourceMetrics as `JSON.stringify` writes it (Gemini CLI's outfile)
  if ("dataPoints" in v && ("descriptor" in v || v.type === "metric")) return "metric exports";
  if (Array.isArray(v.scopeMetrics)) return "metric exports";
  return null;
}

/** The start of Node's `console.dir` of a ConsoleSpanExporter object. */
const INSPECT_SPAN =
  /^\{\s*\n?\s*(resource|instrumentationScope|instrumentationLibrary|traceId):\s/m;
// Node quotes strings with ', Deno and Bun with "
const INSPECT_IDS = /\btraceId: (['"])[0-9a-f]{32}\1[\s\S]*?\bid: (['"])[0-9a-f]{16}\2/;

function detect(s: FormatSample): boolean {
  if (s.values.length > 0) {
    // the first span, after nothing but log records and metric exports
    const i = s.values.findIndex((v) => neighbourKind(v) === null);
    return i >= 0 && isJsSpan(s.values[i]);
  }
  // deno-lint-ignore no-control-regex
  const head = s.head.slice(0, 256 * 1024).replace(/\x1b\[[0-9;]*m/g, ""); // colours of a terminal capture
  return INSPECT_SPAN.test(head) && INSPECT_IDS.test(head);
}

/** Patterns of `util.inspect` output outside strings that JSON5 does not read. */
const INSPECT_NULL =
  /^\[(?:Object|Array|Function[^\]\n]*|AsyncFunction[^\]\n]*|class [^\]\n]*|Getter|Setter|Getter\/Setter|Circular \*\d+)\]/;
const INSPECT_SKIP =
  /^(?:<ref \*\d+>\s*|\[Object: null prototype\]\s*|\.\.\. \d+ more (?:items?|characters?|bytes?))/;

/** A JavaScript string literal (`'…'`, `"…"` or a template without substitutions) → its value. */
function stringValue(literal: string): string {
  if (literal.startsWith("`")) {
    const body = literal.slice(1, -1).replace(/\\`/g, "`").replace(/'/g, "\\'");
    return json5Parse(`'${body}'`) as string;
  }
  return json5Parse(literal) as string;
}

/**
 * Node's `util.inspect` text of one object → JSON text. Strings are copied
 * (adjacent ones joined by `+` are one), `undefined` and `[Object]`-style
 * placeholders become null, class names before `{`/`[` and `... n more items`
 * are dropped; the rest is JSON5 (unquoted keys, trailing commas).
 *
 * @example
 * ```ts
 * import { inspectToValue } from "./otel_js.ts";
 * const v = inspectToValue("{\n  traceId: 'ab',\n  parentId: undefined,\n  attributes: { 'gen_ai.request.model': 'gpt-4o', n: [Array] },\n  resource: Resource { attributes: {} },\n}") as Record<string, unknown>;
 * if (v.traceId !== "ab" || v.parentId !== null || (v.attributes as Record<string, unknown>)["gen_ai.request.model"] !== "gpt-4o") throw new Error();
 * ```
 */
export function inspectToValue(text: string): unknown {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === "`") {
      let value = "";
      // one literal, then any `+ 'more'` continuations (long strings in older Node)
      for (;;) {
        const quote = text[i]!;
        let j = i + 1;
        while (j < n && text[j] !== quote) j += text[j] === "\\" ? 2 : 1;
        value += stringValue(text.slice(i, j + 1));
        i = j + 1;
        const more = /^\s*\+\s*(?=['"`])/.exec(text.slice(i, i + 256));
        if (!more) break;
        i += more[0].length;
      }
      out += JSON.stringify(value);
      continue;
    }
    if (c === "[" || c === "<" || c === ".") {
      const rest = text.slice(i, i + 256);
      const symbolKey = /^\[Symbol\(([^)\n]*)\)\]/.exec(rest);
      if (symbolKey) {
        out += JSON.stringify(`Symbol(${symbolKey[1]})`);
        i += symbolKey[0].length;
        continue;
      }
      const nul = INSPECT_NULL.exec(rest);
      if (nul) {
        out += "null";
        i += nul[0].length;
        continue;
      }
      const skip = INSPECT_SKIP.exec(rest);
      if (skip) {
        i += skip[0].length;
        continue;
      }
    }
    if (/[A-Za-z_$]/.test(c)) {
      const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 256))![0];
      const after = text.slice(i + word.length, i + word.length + 64);
      const symbol = word === "Symbol" ? /^\([^)\n]*\)/.exec(after) : null;
      if (/^\s*:/.test(after)) out += word; // a key
      else if (word === "undefined") out += "null";
      else if (symbol) {
        out += "null";
        i += symbol[0].length;
      } else if (/^(true|false|null|Infinity|NaN)$/.test(word)) out += word;
      else {
        // a class name before an object or array (`Resource {`, `Map(2) {`, `Uint8Array(3) [`)
        const prefix = /^(\(\d+\))?\s*(?=[{[])/.exec(after);
        if (!prefix) throw new Error(`unexpected ${JSON.stringify(word)}`);
        i += prefix[0].length;
      }
      i += word.length;
      continue;
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      // a Date prints as its ISO text, unquoted
      const date = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/.exec(text.slice(i, i + 40));
      if (date) {
        out += JSON.stringify(date[0]);
        i += date[0].length;
        continue;
      }
      const numeral = /^-?[\d.]+(?:e[+-]?\d+)?n?/i.exec(text.slice(i, i + 64));
      if (numeral) {
        out += numeral[0].replace(/n$/, ""); // a BigInt is printed as 123n
        i += numeral[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return json5Parse(out);
}

/**
 * The objects of a `console.dir` log, each given to `onObject` with the line it
 * starts on: from a line starting with `{` to a line starting with `}` (Node
 * prints top-level objects that way; an object left open runs to the end).
 * Returns how many lines were outside them. An object past the source's
 * `maxBytes` is not held whole: {@link DocumentTooLarge}.
 */
function inspectObjects(
  source: TraceSource,
  onObject: (line: number, text: string) => void,
): number {
  let open: string[] | null = null;
  let start = 0, other = 0, openChars = 0;
  source.lines((raw, line) => {
    // deno-lint-ignore no-control-regex
    let l = raw.replace(/\x1b\[[0-9;]*m/g, "");
    if (line === 1) l = l.replace(/^\uFEFF/, "");
    if (open !== null) {
      open.push(l);
      openChars += l.length + 1;
      if (openChars > source.maxBytes) throw new DocumentTooLarge(openChars);
      if (l.startsWith("}")) {
        onObject(start, open.join("\n"));
        open = null;
      }
    } else if (!l.startsWith("{")) {
      if (l.trim() !== "") other++;
    } else if (!/}\s*$/.test(l) || l.trim() === "{") {
      open = [l];
      openChars = l.length;
      start = line;
    } else onObject(line, l);
  });
  if (open !== null) onObject(start, (open as string[]).join("\n"));
  return other;
}

/** A resource's attributes, whichever way the SDK version stores them. */
function resourceAttributes(r: unknown): Obj {
  if (!isObj(r)) return {};
  for (const k of ["attributes", "_attributes", "_syncAttributes", "_memoizedAttributes"]) {
    if (isObj(r[k])) return r[k] as Obj;
  }
  if (Array.isArray(r._rawAttributes)) {
    return Object.fromEntries(
      r._rawAttributes.filter((e) => Array.isArray(e) && typeof e[0] === "string"),
    );
  }
  return {};
}

/** An `[sec, nanos]` time; `[0, 0]` (a span not ended) is null. */
function hrMicros(v: unknown): number | null {
  if (Array.isArray(v) && v[0] === 0 && v[1] === 0) return null;
  return toMicros(v).us;
}

/** One record → a span, or the reason it is not one. */
function toSpan(v: unknown, line: number): Span | string {
  if (!isObj(v)) return "it is not a span object";
  const ctx = contextOf(v);
  const traceId = hexId(first(v.traceId, ctx.traceId)),
    spanId = hexId(first(v.id, v.spanId, ctx.spanId));
  if (traceId === null) return `"traceId" is missing`;
  if (spanId === null) return `"id" is missing`;
  const parentContext = isObj(v.parentSpanContext) ? v.parentSpanContext : {};
  let start: number | null, end: number | null;
  if ("startTimeUnixNano" in v) {
    start = toMicros(v.startTimeUnixNano).us;
    end = toMicros(v.endTimeUnixNano).us;
    // CloudWatch's aws/spans may give a span's duration alone (`durationNano`, in nanoseconds)
    const d = num(v.durationNano);
    if (
      end === null && start !== null && d !== null && d >= 0 && (v.endTimeUnixNano ?? null) === null
    ) {
      end = start + Math.round(d / 1000);
    }
  } else if ("startTime" in v) {
    start = hrMicros(v.startTime);
    end = hrMicros(v.endTime);
    const d = Array.isArray(v.duration) ? toMicros(v.duration).us : null;
    if (end === null && start !== null && d !== null && d >= 0 && !Array.isArray(v.endTime)) {
      end = start + d;
    }
  } else {
    start = toMicros(v.timestamp, "us").us;
    const d = num(v.duration);
    end = start !== null && d !== null && d >= 0 ? start + d : null;
  }
  if (v.ended === false || v._ended === false) end = null;
  const status = isObj(v.status) ? v.status : {};
  // 0 unset | 1 ok | 2 error, or the names (`OK`, `STATUS_CODE_ERROR`) as aws/spans writes them
  const code = num(status.code) ??
    ({ UNSET: 0, OK: 1, ERROR: 2 } as Record<string, number>)[
      String(status.code ?? "").toUpperCase().replace(/^STATUS_CODE_/, "")
    ] ?? null;
  return {
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parentId(first(v.parentId, v.parentSpanId, parentContext.spanId)),
    name: str(v.name),
    kind: v.kind ?? null,
    start_us: start,
    end_us: end,
    status: code === 2 ? "error" : code === 1 ? "ok" : "unset",
    status_message: str(status.message),
    attributes: isObj(v.attributes) ? v.attributes : {},
    events: Array.isArray(v.events)
      ? v.events.filter(isObj).map((e) => ({
        name: str(e.name) ?? "",
        ts: toMicros(e.time).us,
        attributes: isObj(e.attributes) ? e.attributes : {},
      }))
      : [],
    line,
    resource: resourceAttributes(v.resource),
    // the instrumentation that made it: instrumentationScope since SDK 2, instrumentationLibrary
    // before; CloudWatch's aws/spans, OTLP's `scope`
    scope: first(
      ...[v.instrumentationScope, v.instrumentationLibrary, v.scope].map((o) =>
        isObj(o) ? str(o.name) : null
      ),
    ),
  };
}

/**
 * Parse the text of an OpenTelemetry JS span dump (JSON or `console.dir`
 * output) into calls, events (one per span, `otel.<name>`) and diagnostics.
 *
 * @example
 * ```ts
 * import { parseOtelJsText } from "./otel_js.ts";
 * const text = `{
 *   resource: { attributes: { 'service.name': 'app' } },
 *   instrumentationScope: { name: 'ai', version: undefined, schemaUrl: undefined },
 *   traceId: '0af7651916cd43dd8448eb211c80319c',
 *   parentSpanContext: undefined,
 *   traceState: undefined,
 *   name: 'chat gpt-4o',
 *   id: 'b7ad6b7169203331',
 *   kind: 2,
 *   timestamp: 1700000000000000,
 *   duration: 1250000,
 *   attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
 *   status: { code: 0 },
 *   events: [],
 *   links: []
 * }
 * `;
 * const c = parseOtelJsText(text, "app.log").calls[0]!;
 * if (c.model !== "gpt-4o" || c.duration_s !== 1.25 || c.span_id !== "b7ad6b7169203331") throw new Error();
 * ```
 */
export function parseOtelJsText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  return parseOtelJs(textSource(text, file), file, options);
}

/** {@link parseOtelJsText} of a source read object by object (a file never held whole). */
function parseOtelJs(
  source: TraceSource,
  file: string,
  options: ParseOptions,
  lighten = true,
): ImportedRecords {
  const f = spanFile(file);
  const spans = new SpanList(options, lighten);
  // the agent CLIs' own log records (Gemini CLI's outfile): calls and events
  const cli = cliRecords();
  // the console's log-record and metric exporters print to the same stream: counted, not spans
  const readRecord = ({ value, line, path }: SpanRecord) => {
    if (isCliLogDump(value)) {
      const name = cliEventName(value.attributes as Obj, value._body ?? value.body)!;
      const ts = hrMicros(value.hrTime);
      addCliRecord(cli, { name, attributes: value.attributes as Obj, ts, line }, file);
      return;
    }
    const kind = neighbourKind(value);
    if (kind !== null) {
      f.skip(kind, line);
      return;
    }
    const span = toSpan(value, line);
    if (typeof span === "string") {
      f.problem(
        line,
        "otel_js_bad_span",
        `${path ? `span ${path}` : "span"} is not loaded: ${span}`,
      );
    } else spans.push(span);
  };
  // JSON (`{"…`, `[{"…`, `[]`), else console output (`{\n  resource: …`)
  const json = /^\s*(\[\s*)*(\{\s*["}]|\])/.test(
    source.head().replace(/^\uFEFF/, "").slice(0, 256),
  );
  if (json) f.read(source, readRecord);
  else {
    const other = inspectObjects(source, (line, text) => {
      let value: unknown;
      try {
        value = inspectToValue(text);
      } catch (e) {
        f.problem(
          line,
          "otel_js_bad_object",
          `object is not readable console output (${(e as Error).message})`,
        );
        return;
      }
      readRecord({ value, line, path: "" });
    });
    if (other > 0) {
      f.problem(
        1,
        "other_output",
        `${other} lines of other output between the spans were skipped`,
        "warning",
      );
    }
  }
  // several records of one span merge whole: read again, nothing lightened
  if (spans.duplicated) return parseOtelJs(source, file, options, false);
  const records = f.finish(spans.spans, "otel", options);
  withCliCalls(records, cli);
  return records;
}

/** OpenTelemetry JS span dumps. */
export const otelJs: FormatAdapter = {
  name: "otel_js",
  title: "OpenTelemetry JS span dumps (ConsoleSpanExporter output, ReadableSpan JSON)",
  reads:
    "spans with gen_ai.* (or OpenInference llm.*) attributes are calls; wrapper spans that repeat usage and other spans are events; status code 2 is an error, an unended span is pending; the trace is the session",
  example:
    "{ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanContext: undefined, name: 'chat gpt-4o', id: 'b7ad6b7169203331', kind: 2, timestamp: 1700000000000000, duration: 1250000, attributes: {…}, status: { code: 0 }, events: [] }",
  detect,
  parse: (source, file, options) => parseOtelJs(source, file, options),
  textsByCall: true,
};
