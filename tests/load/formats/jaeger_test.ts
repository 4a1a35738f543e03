import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { realFixture } from "../../_helpers.ts";
import { fromTraceText } from "../../../src/load/mod.ts";
import { figures, figuresOfRows, fixture, load, rounded, rows, SPAN } from "./_helpers.ts";

type Tag = { key: string; value: unknown };
type JSpan = {
  traceID: string;
  spanID: string;
  operationName: string;
  duration: number;
  tags: Tag[];
};

Deno.test("jaeger: the real lab file: the duplicate span is one span; predict (model) and generate-tokens (tokens) are 3 calls", async () => {
  const path = realFixture("jaeger/day23-lab-mock-llm.traces.json");
  if (!path) return;
  const t = await load(path);
  assert.equal(t.formats?.[path], "jaeger");
  // independent reading: every span of data[].spans once (by trace and span id); a call is a
  // span with a gen_ai model or token tag (no gen_ai.operation.name in this file); no span
  // has references, so none is a wrapper; no otel.status_code / error tag: all ok
  const doc = JSON.parse(readFileSync(path, "utf8")) as { data: { spans: JSpan[] }[] };
  const spans = new Map<string, JSpan>();
  for (const trace of doc.data) {
    for (const s of trace.spans) spans.set(`${s.traceID}/${s.spanID}`, s);
  }
  assert.equal(spans.size, 10); // 11 span records, one a duplicate
  const tag = (s: JSpan, k: string) => s.tags.find((x) => x.key === k)?.value;
  const KEYS = ["gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"];
  const calls = [...spans.values()].filter((s) => KEYS.some((k) => tag(s, k) !== undefined));
  const expected = figuresOfRows(
    calls.map((s) => ({
      model: tag(s, "gen_ai.request.model") ?? "unknown",
      status: tag(s, "error") === true ? "error" : "ok",
      input_tokens: tag(s, "gen_ai.usage.input_tokens"),
      output_tokens: tag(s, "gen_ai.usage.output_tokens"),
      duration_s: s.duration / 1e6,
    })),
    SPAN,
  );
  // by hand: predict 69340 µs and 69710 µs (llama3-mock, no tokens); generate-tokens
  // 230892 µs with 10 in / 14 out and no model; p50 of [0.06934, 0.06971, 0.230892] = 0.06971
  assert.deepEqual(rounded(expected), {
    calls: 3,
    ok: 3,
    errors: 0,
    pending: 0,
    models: { "llama3-mock": 2, unknown: 1 },
    input: 10,
    output: 14,
    cache_read: 0,
    latency: { n: 3, p50: 0.06971, max: 0.230892 },
  });
  assert.deepEqual(rounded(figures(t.calls, SPAN)), expected);
  // 10 spans are 10 events in 10 sessions (one per trace); one warning for the duplicate
  assert.equal(t.events.height, 10);
  assert.equal(t.sessions.height, 10);
  assert.deepEqual(rows(t.diagnostics, "code", "severity"), [
    { code: "duplicate_span", severity: "warning" },
  ]);
  assert.deepEqual(
    rows(t.calls, "span_id", "finish_reason").at(-1),
    { span_id: "102a4c89a17d1fdb", finish_reason: "stop" },
  );
});

Deno.test("jaeger: CHILD_OF wrappers, otel.status_code, error tag + exception log, pending, query errors", async () => {
  // written from the Jaeger query API's JSON (/api/traces) as the Jaeger UI downloads it
  const path = fixture("jaeger_small.json");
  const t = await load(path);
  assert.equal(t.formats?.[path], "jaeger");
  assert.deepEqual(
    rows(
      t.calls,
      "span_id",
      "parent_span_id",
      "model",
      "served_model",
      "status",
      "error",
      "session_id",
    ),
    [
      // predict (a2) names the model and wraps generate-tokens (a3), which counts the tokens
      {
        span_id: "a3",
        parent_span_id: "a2",
        model: "llama3-8b",
        served_model: null,
        status: "ok",
        error: null,
        session_id: "t1",
      },
      {
        span_id: "b1",
        parent_span_id: null,
        model: "gpt-4o",
        served_model: null,
        status: "error",
        error: "rate limited",
        session_id: "t2",
      },
      {
        span_id: "c1",
        parent_span_id: null,
        model: "gpt-4o",
        served_model: null,
        status: "error",
        error: "timeout",
        session_id: "t3",
      },
      // FOLLOWS_FROM c1 is a link, not a parent: c1 stays a call
      {
        span_id: "c2",
        parent_span_id: null,
        model: "gpt-4o",
        served_model: "gpt-4o-2024-08-06",
        status: "ok",
        error: null,
        session_id: "t3",
      },
      {
        span_id: "d1",
        parent_span_id: null,
        model: "gpt-4o-mini",
        served_model: null,
        status: "pending",
        error: null,
        session_id: "t4",
      },
    ],
  );
  // tokens 12 + 7 + 100 ("100" is a string tag) in, 30 + 20 out, 40 cache read;
  // ok latencies 0.4 s and 1.0 s: p50 = 0.7
  assert.deepEqual(rounded(figures(t.calls, SPAN)), {
    calls: 5,
    ok: 2,
    errors: 2,
    pending: 1,
    models: { "gpt-4o": 3, "gpt-4o-mini": 1, "llama3-8b": 1 },
    input: 119,
    output: 50,
    cache_read: 40,
    latency: { n: 2, p50: 0.7, max: 1 },
  });
  assert.equal(t.events.height, 8);
  // an OpenTelemetry array attribute arrives as JSON text ('["stop"]')
  assert.deepEqual(rows(t.calls, "finish_reason").map((r) => r.finish_reason), [
    "stop", // a3: the singular gen_ai.response.finish_reason
    null,
    null,
    "stop",
    null,
  ]);
  // the query's error at the document's line; the trace without spans at its own line (read
  // trace by trace, each trace has the line it starts on: the fifth `    {` of data)
  const text = readFileSync(path, "utf8").split("\n");
  const traceLines = text.flatMap((l, i) => l === "    {" ? [i + 1] : []);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 1, code: "jaeger_query_error", severity: "warning" },
    { line: traceLines[4], code: "jaeger_bad_trace", severity: "error" },
  ]);
  // each call is on its trace's line
  assert.deepEqual(
    [...new Set(rows(t.calls, "line").map((r) => r.line))],
    traceLines.slice(0, 4),
  );
  assert.deepEqual(
    rows(t.sessions, "session_id", "complete", "service_name").at(-1),
    { session_id: "t4", complete: false, service_name: "inference-api" },
  );
});

Deno.test("jaeger: a bare array of traces, a single trace, and the protobuf-JSON spelling", () => {
  const trace = {
    traceID: "t1",
    spans: [{
      traceID: "t1",
      spanID: "s1",
      operationName: "chat",
      references: [],
      startTime: 1714557600000000,
      duration: 2000000,
      tags: [{ key: "gen_ai.request.model", type: "string", value: "m" }],
      processID: "p1",
    }],
    processes: { p1: { serviceName: "svc", tags: [] } },
  };
  for (const text of [JSON.stringify([trace]), JSON.stringify(trace, null, 2)]) {
    const t = fromTraceText(text, { file: "x.json" });
    assert.deepEqual(rows(t.calls, "model", "duration_s"), [{
      model: "m",
      duration_s: 2,
    }]);
  }
  // Jaeger's protobuf JSON (api_v2): camelCase ids, vType tags, RFC 3339 times, "1.5s" durations
  const span = {
    traceId: "AAAAAAAAAAE=",
    spanId: "AAAAAAAAAAI=",
    operationName: "chat",
    references: [{ traceId: "AAAAAAAAAAE=", spanId: "AAAAAAAAAAM=", refType: "CHILD_OF" }],
    startTime: "2024-05-01T10:00:00.250Z",
    duration: "1.5s",
    tags: [
      { key: "gen_ai.operation.name", vStr: "chat" },
      { key: "gen_ai.request.model", vStr: "gpt-4o" },
      { key: "gen_ai.usage.input_tokens", vType: "INT64", vInt64: "12" },
      { key: "error", vType: "BOOL", vBool: true },
    ],
    process: { serviceName: "svc" },
  };
  const t = fromTraceText(JSON.stringify(span) + "\n", { file: "spans.jsonl" });
  assert.deepEqual(
    rows(t.calls, "model", "input_tokens", "duration_s", "status", "parent_span_id"),
    [{
      model: "gpt-4o",
      input_tokens: 12,
      duration_s: 1.5,
      status: "error",
      // the ids' bytes in base64, read as hex: 00 00 00 00 00 00 00 03
      parent_span_id: "0000000000000003",
    }],
  );
  assert.equal(
    rows(t.calls, "started_at")[0]!.started_at?.valueOf(),
    Date.UTC(2024, 4, 1, 10, 0, 0, 250),
  );
});

Deno.test("jaeger: the API v3 answer ({result: {resourceSpans}}, OTLP/JSON) is read by the OTLP reader", () => {
  const span = {
    traceId: "5b8aa5a2d2c872e8321cf37308d69df2",
    spanId: "051581bf3cb55c13",
    name: "chat gpt-4o",
    startTimeUnixNano: "1714557600000000000",
    endTimeUnixNano: "1714557601500000000",
    status: { code: 2, message: "overloaded" },
    attributes: [
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
      { key: "gen_ai.usage.input_tokens", value: { intValue: "21" } },
    ],
  };
  const answer = {
    result: { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] },
  };
  const t = fromTraceText(JSON.stringify(answer), { file: "trace.json" });
  assert.deepEqual(
    rows(t.calls, "model", "status", "error", "input_tokens", "duration_s", "line"),
    [
      {
        model: "gpt-4o",
        status: "error",
        error: "overloaded",
        input_tokens: 21,
        duration_s: 1.5,
        line: 1,
      },
    ],
  );
});

Deno.test("jaeger: OpenLLMetry's LangChain span with the model \"unknown\": the model is LangChain's ls_model_name, the finish reason read from its JSON text", async () => {
  const path = fixture("jaeger_openllmetry_litellm.json");
  const t = await load(path);
  const doc = JSON.parse(readFileSync(path, "utf8")) as { data: { spans: JSpan[] }[] };
  const span = doc.data[0]!.spans[0]!;
  const tag = (k: string) => span.tags.find((x) => x.key === k)?.value;
  // the file's own placeholders: no model named where the GenAI conventions put it
  assert.equal(tag("gen_ai.request.model"), "unknown");
  assert.equal(tag("gen_ai.response.model"), "unknown");
  assert.deepEqual(
    rows(t.calls, "model", "served_model", "input_tokens", "output_tokens", "finish_reason"),
    [{
      model: tag("traceloop.association.properties.ls_model_name"), // anthropic/claude-opus-4-5-20251101
      served_model: null,
      input_tokens: tag("gen_ai.usage.input_tokens"), // 805
      output_tokens: tag("gen_ai.usage.output_tokens"), // 77
      finish_reason: "tool_call", // written '["tool_call"]'
    }],
  );
  assert.equal(t.calls.getColumn("duration_s").get(0), span.duration / 1e6); // 8.314813 s
});

Deno.test("jaeger: what is not a trace in data is named by its own index, the traces around it read apart", () => {
  const trace = (id: string) => ({
    traceID: id,
    spans: [{
      traceID: id,
      spanID: `${id}s`,
      operationName: "chat",
      references: [],
      startTime: 1714557600000000,
      duration: 1000000,
      tags: [{ key: "gen_ai.request.model", type: "string", value: "m" }],
      processID: "p1",
    }],
    processes: { p1: { serviceName: "svc", tags: [] } },
  });
  // by hand: data[1] (a number) and data[3] (a string) are not traces; 0, 2 and 4 are
  const doc = { data: [trace("t0"), 1, trace("t2"), "x", trace("t4")] };
  for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
    const t = fromTraceText(text, { file: "d.json" });
    assert.equal(t.calls.height, 3);
    assert.deepEqual(
      rows(t.diagnostics, "code", "message").map((d) => (d.message as string).split(" ")[0]),
      ["data[1]", "data[3]"],
    );
  }
});

Deno.test("jaeger: a query answer that found no trace is a Jaeger answer with no call, not 'not a trace file'", () => {
  // the query API's own keys: {data, total, limit, offset, errors}
  const empty = JSON.stringify({ data: [], total: 0, limit: 0, offset: 0, errors: null });
  const t = fromTraceText(empty, { file: "answer.json" });
  assert.equal(t.formats?.["answer.json"], "jaeger");
  assert.equal(t.calls.height, 0);
  assert.equal(t.diagnostics.height, 0);
  // an object with an empty data list and nothing of Jaeger's is still not claimed
  assert.throws(() => fromTraceText(JSON.stringify({ data: [], page: 1 }), { file: "other.json" }));
});

Deno.test("jaeger: a span's otel.scope.name tag names its instrumentation (OpenLLMetry JS's Anthropic one: the cache added to its input)", () => {
  const span = (scope: string) => ({
    traceID: "1",
    spanID: "2",
    operationName: "chat claude-sonnet-4-5",
    references: [],
    startTime: 1796215137599000,
    duration: 238197,
    tags: [
      { key: "otel.scope.name", type: "string", value: scope },
      { key: "gen_ai.operation.name", type: "string", value: "chat" },
      { key: "gen_ai.request.model", type: "string", value: "claude-sonnet-4-5" },
      { key: "gen_ai.usage.input_tokens", type: "int64", value: 5000 },
      { key: "gen_ai.usage.cache_read.input_tokens", type: "int64", value: 800 },
      { key: "gen_ai.usage.cache_creation.input_tokens", type: "int64", value: 200 },
    ],
  });
  const input = (scope: string) =>
    fromTraceText(JSON.stringify({ data: [{ traceID: "1", spans: [span(scope)] }] }), {
      file: "t.json",
    }).calls.getColumn("input_tokens").toArray();
  assert.deepEqual(input("@traceloop/instrumentation-anthropic"), [5000 + 800 + 200]);
  assert.deepEqual(input("opentelemetry.instrumentation.anthropic"), [5000]);
});
