import assert from "node:assert/strict";
import { fromTraceText } from "../../../src/load/mod.ts";
import { figures, fixture, load, rounded, rows, SPAN } from "./_helpers.ts";

Deno.test("zipkin: a list of traces: string tags parsed, wrappers, error tag, otel status, pending, shared spans", async () => {
  // written from the Zipkin v2 API documentation (zipkin2 JSON; the first span is the API's own example)
  const path = fixture("zipkin_small.json");
  const t = await load(path);
  assert.equal(t.formats?.[path], "zipkin");
  assert.deepEqual(
    rows(
      t.calls,
      "span_id",
      "parent_span_id",
      "model",
      "served_model",
      "status",
      "error",
      "finish_reason",
      "session_id",
    ),
    [
      // invoke_agent (a1) repeats the usage of chat (a2): an event; a2's shared server half is a span of its own
      {
        span_id: "00000000000000a2",
        parent_span_id: "00000000000000a1",
        model: "gpt-4o",
        served_model: "gpt-4o-2024-08-06",
        status: "ok",
        error: null,
        finish_reason: "stop",
        session_id: "5af7183fb1d4cf5f",
      },
      {
        span_id: "00000000000000b1",
        parent_span_id: null,
        model: "claude-3-5-haiku-20241022",
        served_model: null,
        status: "error",
        error: "rate limited",
        finish_reason: null,
        session_id: "86154a4ba6e91385",
      },
      {
        span_id: "00000000000000b2",
        parent_span_id: null,
        model: "gpt-4o-mini",
        served_model: null,
        status: "error",
        error: "boom",
        finish_reason: null,
        session_id: "86154a4ba6e91385",
      },
      {
        span_id: "00000000000000b3",
        parent_span_id: null,
        model: "gpt-4o-mini",
        served_model: null,
        status: "pending",
        error: null,
        finish_reason: null,
        session_id: "86154a4ba6e91385",
      },
    ],
  );
  // tokens from string tags: "100" + "7" in, "20" out, "40" cache read; the ok call: 1500000 µs
  assert.deepEqual(rounded(figures(t.calls, SPAN)), {
    calls: 4,
    ok: 1,
    errors: 2,
    pending: 1,
    models: { "claude-3-5-haiku-20241022": 1, "gpt-4o": 1, "gpt-4o-mini": 2 },
    input: 107,
    output: 20,
    cache_read: 40,
    latency: { n: 1, p50: 1.5, max: 1.5 },
  });
  // 8 spans are events (no duplicate warning for the shared server half); "oops" is one problem
  assert.equal(t.events.height, 8);
  assert.deepEqual(rows(t.diagnostics, "code", "severity"), [
    { code: "zipkin_bad_span", severity: "error" },
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "complete", "service_name"), [
    { session_id: "5af7183fb1d4cf5f", complete: true, service_name: "backend" },
    { session_id: "86154a4ba6e91385", complete: false, service_name: "backend" },
  ]);
});

Deno.test("zipkin: an array of spans and spans one per line", () => {
  const span = {
    traceId: "463ac35c9f6413ad48485a3953bb6124",
    id: "a2fb4a1d1a96d312",
    name: "chat",
    timestamp: 1700000000000000,
    duration: 2500000,
    localEndpoint: { serviceName: "app" },
    tags: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.output_tokens": "9" },
  };
  for (const text of [JSON.stringify([span], null, 2), JSON.stringify(span) + "\n"]) {
    const t = fromTraceText(text, { file: "spans.json" });
    assert.deepEqual(rows(t.calls, "model", "output_tokens", "duration_s", "status"), [
      { model: "gpt-4o", output_tokens: 9, duration_s: 2.5, status: "ok" },
    ]);
  }
});

Deno.test("zipkin: v1 spans' binaryAnnotations are read as tags (error included)", () => {
  // Zipkin v1 JSON (api/v1/spans): string annotations and binaryAnnotations with endpoints
  const span = {
    traceId: "a2fb4a1d1a96d312",
    id: "0020000000000001",
    name: "chat",
    timestamp: 1700000000000000,
    duration: 400000,
    annotations: [{ timestamp: 1700000000000000, value: "cs", endpoint: { serviceName: "app" } }],
    binaryAnnotations: [
      { key: "gen_ai.request.model", value: "gpt-4o", endpoint: { serviceName: "app" } },
      { key: "gen_ai.usage.input_tokens", value: "30" },
      { key: "error", value: "timeout" },
    ],
  };
  const t = fromTraceText(JSON.stringify([span]), { file: "v1.json" });
  assert.deepEqual(
    rows(t.calls, "model", "input_tokens", "status", "error", "duration_s"),
    [
      { model: "gpt-4o", input_tokens: 30, status: "error", error: "timeout", duration_s: 0.4 },
    ],
  );
});
