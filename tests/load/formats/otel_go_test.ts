/**
 * The `otel_go` adapter on what OpenTelemetry Go's `stdouttrace` exporter printed
 * (SDK 1.1.0, Debian's golang-opentelemetry-otel-dev, Go 1.19): a program made an
 * `invoke_agent` span over two `chat` spans with fixed times (its start
 * 2024-05-01T10:00:00.123456789+02:00), the second failing (`RecordError`,
 * status Error). The expected values are read off the fixtures by hand.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromTraceText } from "../../../src/load/mod.ts";
import { fixture, load, loadAs, rows } from "./_helpers.ts";

const CALL = [
  "model",
  "served_model",
  "status",
  "error",
  "started_at",
  "duration_s",
  "input_tokens",
  "output_tokens",
  "finish_reason",
  "line",
  "span_id",
  "parent_span_id",
];

/** The two calls of a fixture: `lines` where each span starts, `ids` its span and parent ids. */
const expectedCalls = (lines: [number, number], ids: [string, string, string]) => [
  {
    model: "gpt-4o",
    served_model: "gpt-4o-2024-08-06",
    status: "ok",
    error: null,
    // 10:00:00.133456789+02:00 → 08:00:00.133456 UTC (µs, the ns cut); ends 10:00:01.383456789
    started_at: new Date(Date.UTC(2024, 4, 1, 8, 0, 0, 133)),
    duration_s: 1.25,
    input_tokens: 120,
    output_tokens: 35,
    finish_reason: "stop",
    line: lines[0],
    span_id: ids[0],
    parent_span_id: ids[2],
  },
  {
    model: "gpt-4o-mini",
    served_model: null,
    status: "error",
    // the status's Description (RecordError's exception.message is the longer text)
    error: "rate limit exceeded",
    // 10:00:01.423456789 → 10:00:01.923456789
    started_at: new Date(Date.UTC(2024, 4, 1, 8, 0, 1, 423)),
    duration_s: 0.5,
    input_tokens: null,
    output_tokens: null,
    finish_reason: null,
    line: lines[1],
    span_id: ids[1],
    parent_span_id: ids[2],
  },
];

Deno.test("otel_go: stdouttrace.WithPrettyPrint() output with the program's own line between the spans: 2 calls (1 error), the agent span an event, one other_output warning", async () => {
  const path = fixture("otel_go_1.1.0_pretty.txt");
  const t = await loadAs(path, "otel_go");
  // the spans open on lines 1, 127 and 216; the program printed line 126
  assert.deepEqual(
    rows(t.calls, ...CALL),
    expectedCalls([1, 127], ["1ab60f028e9d78aa", "2cdeb85f5b6f0c69", "c8d49bd964e8eed6"]),
  );
  assert.deepEqual(rows(t.events, "type", "line"), [
    { type: "otel.chat", line: 1 },
    { type: "otel.chat", line: 127 },
    { type: "otel.invoke_agent", line: 216 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "message", "severity"), [{
    line: 126,
    code: "other_output",
    message: "1 lines of other output between the spans were skipped",
    severity: "warning",
  }]);
  // the trace is the session: the agent span's 10:00:00.123456789 to 10:00:02.023456789
  assert.deepEqual(
    rows(t.sessions, "session_id", "duration_s", "complete", "calls", "errors", "service_name"),
    [{
      session_id: "494c4a0e69001327b30bb280767f3b4b",
      duration_s: 1.9,
      complete: true,
      calls: 2,
      errors: 1,
      service_name: "genai-go-demo",
    }],
  );
});

Deno.test("otel_go: the prompt and answer of gen_ai.input.messages / gen_ai.output.messages (STRING attributes) are the call's texts", async () => {
  const t = await load(fixture("otel_go_1.1.0_pretty.txt"));
  // "Plan a day in Lyon." is 19 characters, "Morning: Fourvière. Afternoon: Vieux Lyon." 42
  assert.deepEqual(rows(t.calls, "prompt_chars", "output_chars"), [
    { prompt_chars: 19, output_chars: 42 },
    { prompt_chars: null, output_chars: null },
  ]);
});

Deno.test("otel_go: stdouttrace's compact output (one span a line) reads as the pretty one", async () => {
  const t = await loadAs(fixture("otel_go_1.1.0.jsonl"), "otel_go");
  assert.deepEqual(
    rows(t.calls, ...CALL),
    expectedCalls([1, 2], ["3524692966d5f0af", "77632df0a1cadb76", "70c6eaaec79f1017"]),
  );
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("otel_go: stdouttrace.WithoutTimestamps() (Go's zero time everywhere): the calls have no time yet ended (ok and error, not pending), one otel_go_no_times warning", async () => {
  const t = await loadAs(fixture("otel_go_1.1.0_no_times.jsonl"), "otel_go");
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "status",
      "error",
      "started_at",
      "ended_at",
      "duration_s",
      "input_tokens",
    ),
    [
      {
        model: "gpt-4o",
        status: "ok",
        error: null,
        started_at: null,
        ended_at: null,
        duration_s: null,
        input_tokens: 120,
      },
      {
        model: "gpt-4o-mini",
        status: "error",
        error: "rate limit exceeded",
        started_at: null,
        ended_at: null,
        duration_s: null,
        input_tokens: null,
      },
    ],
  );
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 1, code: "otel_go_no_times", severity: "warning" },
  ]);
  assert.deepEqual(rows(t.sessions, "complete", "calls", "errors"), [
    { complete: true, calls: 2, errors: 1 },
  ]);
});

/** The fixture's chat span, on one line, changed by `f`. */
function chatSpan(f: (span: Record<string, unknown>) => void): string {
  const span = JSON.parse(
    readFileSync(fixture("otel_go_1.1.0.jsonl"), "utf8").split("\n")[0]!,
  ) as Record<string, unknown>;
  f(span);
  return JSON.stringify(span);
}

Deno.test("otel_go: a later SDK's InstrumentationScope, program output before the first span, and a record that is no span (one error naming its line)", () => {
  const scoped = chatSpan((s) => {
    s.InstrumentationScope = s.InstrumentationLibrary;
    delete s.InstrumentationLibrary;
  });
  const noId = chatSpan((s) => {
    s.SpanContext = { TraceID: "a5ed5e885135d29879bc7593cc555749" };
  });
  const t = fromTraceText(`starting planner\n${scoped}\n${noId}\n`, { file: "go.log" });
  assert.equal(t.formats?.["go.log"], "otel_go");
  assert.deepEqual(rows(t.calls, "model", "input_tokens", "duration_s", "line"), [
    { model: "gpt-4o", input_tokens: 120, duration_s: 1.25, line: 2 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "message", "severity"), [
    {
      line: 1,
      code: "other_output",
      message: "1 lines of other output between the spans were skipped",
      severity: "warning",
    },
    {
      line: 3,
      code: "otel_go_bad_span",
      message: 'span is not loaded: "SpanContext.SpanID" is missing',
      severity: "error",
    },
  ]);
});

Deno.test("otel_go: the stdout exporter before SDK 1.0 (an array of spans; ParentSpanID, StatusCode, StatusMessage, MessageEvents)", () => {
  // the shape of the exporter's output shown in public examples of SDK 0.20 (net/http spans)
  const old = {
    SpanContext: { TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331" },
    ParentSpanID: "00f067aa0ba902b7",
    SpanKind: 3,
    Name: "chat gpt-4o",
    StartTime: "2021-06-01T12:00:00.5Z",
    EndTime: "2021-06-01T12:00:02Z",
    Attributes: [
      { Key: "gen_ai.operation.name", Value: { Type: "STRING", Value: "chat" } },
      { Key: "gen_ai.request.model", Value: { Type: "STRING", Value: "gpt-4o" } },
      { Key: "gen_ai.usage.output_tokens", Value: { Type: "INT64", Value: 7 } },
    ],
    MessageEvents: null,
    Links: null,
    StatusCode: "Error",
    StatusMessage: "upstream timeout",
    DroppedAttributeCount: 0,
    ChildSpanCount: 0,
    Resource: [{ Key: "service.name", Value: { Type: "STRING", Value: "old" } }],
    InstrumentationLibrary: { Name: "otelhttp", Version: "semver:0.20.0" },
  };
  const t = fromTraceText(JSON.stringify([old], null, 8), { file: "old.json" });
  assert.equal(t.formats?.["old.json"], "otel_go");
  // 12:00:00.5 → 12:00:02: 1.5 s
  assert.deepEqual(
    rows(t.calls, "model", "status", "error", "duration_s", "output_tokens", "parent_span_id"),
    [{
      model: "gpt-4o",
      status: "error",
      error: "upstream timeout",
      duration_s: 1.5,
      output_tokens: 7,
      parent_span_id: "00f067aa0ba902b7",
    }],
  );
});
