import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { realFixture } from "../../_helpers.ts";
import { fromTraceText, loadTraces } from "../../../src/load/mod.ts";
import { figures, figuresOfRows, fixture, load, rounded, rows, SPAN } from "./_helpers.ts";
import { otelPython } from "../../../src/load/formats/otel_python.ts";
import { textSource } from "../../../src/load/formats/source.ts";

/** µs since the epoch of an ISO time with a 6-digit fraction and `Z` (read here, not by tracebook). */
const isoMicros = (s: string) => Date.parse(`${s.slice(0, 19)}Z`) * 1000 + Number(s.slice(20, 26));

/** A span as `Span.to_json()` writes it, on one line: its ids `id` (and `parent`) repeated. */
const toJsonSpan = (
  id: string,
  parent: string | null,
  attributes: Record<string, unknown>,
  o: {
    name?: string;
    trace?: string;
    start?: string;
    end?: string;
    status?: Record<string, unknown>;
  } = {},
) =>
  JSON.stringify({
    name: o.name ?? "span",
    context: { trace_id: "0x" + (o.trace ?? "ab").repeat(16), span_id: "0x" + id.repeat(8) },
    parent_id: parent === null ? null : "0x" + parent.repeat(8),
    start_time: o.start ?? "2025-11-19T22:09:16.000000Z",
    end_time: o.end ?? "2025-11-19T22:09:18.000000Z",
    status: o.status ?? { status_code: "OK" },
    attributes,
  });

Deno.test("otel_python: the real promptflow dump is 1 call; the wrapper's __computed__ counts are not counted again", async () => {
  const path = realFixture("otel-python/promptflow-assistant-pf-demo.spans.json");
  if (!path) return;
  const t = await loadTraces(path);
  assert.equal(t.formats?.[path], "otel_python");
  // independent reading: the file is pretty-printed objects, each closing `}` at column 0
  const text = readFileSync(path, "utf8");
  const spans = JSON.parse(`[${text.trim().replace(/\n}\s*\n{/g, "\n},{")}]`) as {
    name: string;
    context: { trace_id: string; span_id: string };
    start_time: string;
    end_time: string;
    status: { status_code: string };
    attributes: Record<string, unknown>;
  }[];
  assert.equal(spans.length, 6);
  const llm = spans.filter((s) => s.attributes.span_type === "LLM");
  const expected = figuresOfRows(
    llm.map((s) => ({
      // the model rule: the request's model (`inputs.model`, the Azure deployment) groups
      model: JSON.parse(s.attributes.inputs as string).model,
      status: s.status.status_code === "ERROR" ? "error" : "ok",
      input_tokens: s.attributes["llm.usage.prompt_tokens"],
      output_tokens: s.attributes["llm.usage.completion_tokens"],
      duration_s: (isoMicros(s.end_time) - isoMicros(s.start_time)) / 1e6,
    })),
    SPAN,
  );
  // by hand: 1 call, gpt-35-turbo-1106 asked for, gpt-35-turbo served; 450 in, 17 out;
  // 20:40:31.943844 − 20:40:30.790768 = 1.153076 s
  assert.deepEqual(rounded(expected), {
    calls: 1,
    ok: 1,
    errors: 0,
    pending: 0,
    models: { "gpt-35-turbo-1106": 1 },
    input: 450,
    output: 17,
    cache_read: 0,
    latency: { n: 1, p50: 1.153076, max: 1.153076 },
  });
  assert.deepEqual(rounded(figures(t.calls, SPAN)), rounded(expected));
  const call = t.calls.toRecords()[0]!;
  assert.equal(call.served_model, "gpt-35-turbo");
  // ids without their 0x; the session is the trace
  assert.equal(call.span_id, "069795b63654ddfc");
  assert.equal(call.parent_span_id, "8fc272a9f8494244");
  assert.equal(call.session_id, "2003e6451fd0a4f57180c96bfb737ca2");
  // the text: the request's messages (inputs.messages) and the answer (llm.generated_message)
  const inputs = JSON.parse(llm[0]!.attributes.inputs as string) as {
    messages: { content: string }[];
  };
  const answer = JSON.parse(llm[0]!.attributes["llm.generated_message"] as string)
    .content as string;
  const codePoints = (s: string) => [...s].length;
  assert.equal(call.prompt_chars, inputs.messages.reduce((n, m) => n + codePoints(m.content), 0));
  assert.equal(call.output_chars, codePoints(answer));
  // every span is an event; 2 traces are 2 sessions; run_conversation ending before its
  // child starts is no problem
  assert.equal(t.events.height, 6);
  assert.equal(t.sessions.height, new Set(spans.map((s) => s.context.trace_id)).size);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("otel_python: errors (status, exception event), pending, wrappers, old resource, bad records", async () => {
  // written from the OpenTelemetry Python SDK's ReadableSpan.to_json() (one span per line)
  const path = fixture("otel_python_small.jsonl");
  const t = await loadTraces(path);
  assert.equal(t.formats?.[path], "otel_python");
  assert.deepEqual(
    rows(t.calls, "line", "span_id", "model", "served_model", "status", "error", "session_id"),
    [
      // line 1 is the invoke_agent span: its usage repeats the chat call's, not a call
      {
        line: 2,
        span_id: "0202020202020202",
        model: "gpt-4o",
        served_model: "gpt-4o-2024-08-06",
        status: "ok",
        error: null,
        session_id: "a".repeat(32),
      },
      {
        line: 3,
        span_id: "0303030303030303",
        model: "claude-3-5-haiku-20241022",
        served_model: null,
        status: "error",
        error: "rate limited",
        // trace bb names its session on line 4 (session.id)
        session_id: "sess-1",
      },
      {
        line: 4,
        span_id: "0404040404040404",
        model: "gpt-4o-mini",
        served_model: null,
        status: "pending",
        error: null,
        session_id: "sess-1",
      },
      {
        line: 5,
        span_id: "0505050505050505",
        model: "gpt-4o",
        served_model: null,
        status: "error",
        error: "boom",
        session_id: "c".repeat(32),
      },
    ],
  );
  // tokens: 100 + 7 in, 20 + 0 out, 40 cache read; latency over the ok call: 1.5 s
  assert.deepEqual(rounded(figures(t.calls, SPAN)), {
    calls: 4,
    ok: 1,
    errors: 2,
    pending: 1,
    models: { "claude-3-5-haiku-20241022": 1, "gpt-4o": 2, "gpt-4o-mini": 1 },
    input: 107,
    output: 20,
    cache_read: 40,
    latency: { n: 1, p50: 1.5, max: 1.5 },
  });
  assert.deepEqual(
    rows(t.calls, "duration_s").map((r) => r.duration_s),
    // 10:00:01.5 − 10:00:00; 10:01:00.25 − 10:01:00; pending; 10:02:02.1 − 10:02:00.1
    [1.5, 0.25, null, 2],
  );
  assert.deepEqual(
    rows(t.diagnostics, "line", "code", "severity"),
    [
      { line: 6, code: "otel_python_bad_span", severity: "error" },
      { line: 7, code: "otel_python_bad_time", severity: "warning" },
    ],
  );
  // the 6 spans are events; the sess-1 session is unfinished (a pending call)
  assert.equal(t.events.height, 6);
  // the old SDK's flat resource (trace cc) names the service too
  assert.deepEqual(rows(t.sessions, "session_id", "complete", "service_name"), [
    { session_id: "a".repeat(32), complete: true, service_name: "demo" },
    { session_id: "sess-1", complete: false, service_name: "demo" },
    { session_id: "c".repeat(32), complete: true, service_name: "old-sdk" },
    { session_id: "d".repeat(32), complete: true, service_name: "demo" },
  ]);
});

Deno.test("otel_python: a JSON array of the same spans reads as the same calls", () => {
  const text = readFileSync(fixture("otel_python_small.array.json"), "utf8");
  const t = fromTraceText(text, { file: "spans.json" });
  assert.deepEqual(
    rows(t.calls, "span_id", "status", "input_tokens"),
    [
      { span_id: "0202020202020202", status: "ok", input_tokens: 100 },
      { span_id: "0303030303030303", status: "error", input_tokens: 7 },
      { span_id: "0404040404040404", status: "pending", input_tokens: null },
      { span_id: "0505050505050505", status: "error", input_tokens: null },
    ],
  );
});

Deno.test("otel_python: a captured console: the program's prints between the spans are one warning", () => {
  const span = (id: string) =>
    JSON.stringify(
      {
        name: "chat gpt-4o",
        context: {
          trace_id: "0x" + "ef".repeat(16),
          span_id: "0x" + id.repeat(8),
          trace_state: "[]",
        },
        kind: "SpanKind.CLIENT",
        parent_id: null,
        start_time: "2024-05-01T10:00:00.000000Z",
        end_time: "2024-05-01T10:00:00.500000Z",
        status: { status_code: "UNSET" },
        attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o" },
        events: [],
        links: [],
        resource: { attributes: {}, schema_url: "" },
      },
      null,
      4,
    );
  const text = `Starting the app\n${span("01")}\nanswer: hello\n${span("02")}\n`;
  const t = fromTraceText(text, { file: "console.txt" });
  assert.equal(t.calls.height, 2);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity", "message"), [
    {
      line: 1,
      code: "other_output",
      severity: "warning",
      message: "2 lines of other output between the spans were skipped",
    },
  ]);
});

Deno.test("otel_python: a flat status_code / status_message (OpenInference span JSON) is the status", () => {
  const span = {
    name: "ChatCompletion",
    context: { trace_id: "0x" + "12".repeat(16), span_id: "0x" + "34".repeat(8) },
    parent_id: null,
    start_time: "2024-05-01T10:00:00.000000Z",
    end_time: "2024-05-01T10:00:01.000000Z",
    status_code: "ERROR",
    status_message: "context length exceeded",
    attributes: { "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini" },
  };
  const t = fromTraceText(JSON.stringify(span) + "\n", {
    file: "spans.jsonl",
    format: "otel_python",
  });
  assert.deepEqual(rows(t.calls, "model", "status", "error"), [
    { model: "gpt-4o-mini", status: "error", error: "context length exceeded" },
  ]);
});

Deno.test("otel_python: OpenLLMetry spans: llm.request.type chat is a call (older llm.* keys too), embedding is not", () => {
  const span = (id: string, name: string, attributes: Record<string, unknown>) =>
    JSON.stringify({
      name,
      context: {
        trace_id: "0x" + "56".repeat(16),
        span_id: "0x" + id.repeat(8),
        trace_state: "[]",
      },
      kind: "SpanKind.CLIENT",
      parent_id: null,
      start_time: "2024-05-01T10:00:00.000000Z",
      end_time: "2024-05-01T10:00:02.000000Z",
      status: { status_code: "OK" },
      attributes,
    });
  const text = [
    // OpenLLMetry 0.x: llm.request.model and llm.usage.* only
    span("01", "openai.chat", {
      "llm.request.type": "chat",
      "llm.vendor": "OpenAI",
      "llm.request.model": "gpt-3.5-turbo",
      "llm.response.model": "gpt-3.5-turbo-0125",
      "llm.usage.prompt_tokens": 13,
      "llm.usage.completion_tokens": 15,
    }),
    span("02", "openai.embeddings", {
      "llm.request.type": "embedding",
      "gen_ai.request.model": "text-embedding-3-small",
      "gen_ai.usage.prompt_tokens": 8,
    }),
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "spans.jsonl" });
  assert.deepEqual(
    rows(t.calls, "model", "served_model", "input_tokens", "output_tokens"),
    [{
      model: "gpt-3.5-turbo",
      served_model: "gpt-3.5-turbo-0125",
      input_tokens: 13,
      output_tokens: 15,
    }],
  );
  assert.equal(t.events.height, 2);
});

Deno.test("otel_python: log records and metric exports of the console exporters are one warning, not errors", () => {
  const span = {
    name: "chat gpt-4o",
    context: {
      trace_id: "0x" + "9a".repeat(16),
      span_id: "0x" + "bc".repeat(8),
      trace_state: "[]",
    },
    kind: "SpanKind.CLIENT",
    parent_id: null,
    start_time: "2024-05-01T10:00:00.000000Z",
    end_time: "2024-05-01T10:00:01.000000Z",
    status: { status_code: "UNSET" },
    attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o" },
  };
  // the shapes of LogRecord.to_json() and MetricsData.to_json(), shortened
  const log = {
    body: "hello",
    severity_number: 9,
    severity_text: "INFO",
    attributes: {},
    trace_id: "0x0",
  };
  const metrics = { resource_metrics: [] };
  const text = [log, span, metrics, log].map((v) => JSON.stringify(v, null, 4)).join("\n") + "\n";
  // detected although a log record comes first
  const t = fromTraceText(text, { file: "console.txt" });
  assert.equal(t.calls.height, 1);
  assert.deepEqual(rows(t.diagnostics, "code", "severity", "message"), [{
    code: "not_spans",
    severity: "warning",
    message:
      "2 log records and 1 metric exports of the OpenTelemetry console exporters are not spans (skipped)",
  }]);
});

Deno.test("otel_python read value by value: the reader's problems first, then the spans', 50 in all and one line for the rest", () => {
  // a print between the spans, then 60 records that are not spans (no context), then one span
  const bad = (i: number) =>
    JSON.stringify({ name: `bad ${i}`, start_time: "2024-05-01T10:00:00Z" });
  const good = JSON.stringify({
    name: "chat",
    context: { trace_id: "0xaa", span_id: "0x01" },
    parent_id: null,
    start_time: "2024-05-01T10:00:00Z",
    end_time: "2024-05-01T10:00:01Z",
    status: { status_code: "OK" },
    attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o" },
  });
  const text = ["a print", ...Array.from({ length: 60 }, (_, i) => bad(i)), good, ""].join("\n");
  const r = otelPython.parse!(textSource(text, "c.txt"), "c.txt", {});
  assert.equal(r.calls.length, 1);
  const d = r.diagnostics.map((x) => [x.line, x.code]);
  // sorted by line: the print's warning on line 1, the first 49 bad records (lines 2-50), then the
  // count of the 11 others at the last listed line
  assert.deepEqual(d, [
    [1, "other_output"],
    ...Array.from({ length: 49 }, (_, i) => [i + 2, "otel_python_bad_span"]),
    [50, "more_problems"],
  ]);
  assert.equal(
    r.diagnostics.at(-1)!.message,
    "11 more records of this file are not loaded (only the first 50 problems are listed)",
  );
});

Deno.test("otel_python: Microsoft Agent Framework's dump (each span printed at its start and at its end): 2 calls, the agent's sum not counted, finish reasons from their JSON text", async () => {
  const path = fixture("otel_python_agent_framework.excerpt.jsonl");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_python");
  // independent reading: the records are pretty-printed objects one after the other; the two
  // `chat` spans (gen_ai.operation.name) are the calls
  const text = readFileSync(path, "utf8");
  const records = JSON.parse(`[${text.trim().replace(/\n}\s*\n{/g, "\n},{")}]`) as {
    context: { span_id: string };
    start_time: string;
    end_time: string | null;
    attributes: Record<string, unknown>;
  }[];
  assert.equal(records.length, 21);
  // a span's last record is its whole one (a span printed at its start has no end yet)
  const spans = new Map(records.map((r) => [r.context.span_id, r]));
  assert.equal(spans.size, 11);
  const chats = [...spans.values()].filter((r) => r.attributes["gen_ai.operation.name"] === "chat");
  assert.equal(chats.length, 2);
  const calls = rows(
    t.calls.sort("started_at"),
    "model",
    "served_model",
    "input_tokens",
    "output_tokens",
    "finish_reason",
    "duration_s",
  );
  assert.deepEqual(
    calls.map((c) => ({ ...c, duration_s: Math.round((c.duration_s as number) * 1e6) / 1e6 })),
    chats.map((s) => ({
      model: s.attributes["gen_ai.request.model"],
      served_model: s.attributes["gen_ai.response.model"],
      input_tokens: s.attributes["gen_ai.usage.input_tokens"],
      output_tokens: s.attributes["gen_ai.usage.output_tokens"],
      // written as '["tool_calls"]' and '["stop"]': the reasons, not their JSON text
      finish_reason:
        (JSON.parse(s.attributes["gen_ai.response.finish_reasons"] as string) as string[])
          .join(","),
      duration_s: (isoMicros(s.end_time!) - isoMicros(s.start_time)) / 1e6,
    })),
  );
  // by hand: 145 + 201 in, 51 + 31 out (the invoke_agent span's 346 / 82 is their sum, not a call);
  // 19.503262 − 18.717057 = 0.786205 s and 19.835411 − 19.504277 = 0.331134 s
  assert.deepEqual(calls.map((c) => c.finish_reason), ["tool_calls", "stop"]);
  assert.equal(t.calls.getColumn("input_tokens").sum(), 346);
  assert.equal(t.calls.getColumn("output_tokens").sum(), 82);
  // 21 records of 11 spans: 10 repeats, one warning standing for them (the spans merged)
  assert.deepEqual(rows(t.diagnostics, "code", "severity", "count"), [
    { code: "duplicate_span", severity: "warning", count: records.length - spans.size },
  ]);
  assert.equal(t.events.height, spans.size);
});

Deno.test("otel_python: Semantic Kernel's console output (operation chat.completions, tokens as gen_ai.response.prompt_tokens, texts in gen_ai.content.* events) is 1 call", async () => {
  // the console output in microsoft/semantic-kernel's python/samples/demos/telemetry/README.md
  const path = fixture("otel_python_semantic_kernel.console.txt");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_python");
  // independent reading: pretty-printed objects one after the other; spans have a `context`,
  // the last record is a log record
  const text = readFileSync(path, "utf8");
  const records = JSON.parse(`[${text.trim().replace(/\n}\s*\n{/g, "\n},{")}]`) as {
    context?: { span_id: string };
    start_time: string;
    end_time: string;
    attributes: Record<string, unknown>;
  }[];
  const spans = records.filter((r) => r.context !== undefined);
  assert.equal(spans.length, 3);
  const chats = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat.completions");
  assert.equal(chats.length, 1);
  const chat = chats[0]!;
  assert.deepEqual(
    rounded(figures(t.calls, SPAN)),
    rounded(figuresOfRows(
      chats.map((s) => ({
        model: s.attributes["gen_ai.request.model"],
        status: "ok",
        input_tokens: s.attributes["gen_ai.response.prompt_tokens"],
        output_tokens: s.attributes["gen_ai.response.completion_tokens"],
        duration_s: (isoMicros(s.end_time) - isoMicros(s.start_time)) / 1e6,
      })),
      SPAN,
    )),
  );
  // by hand: gpt-4o, 16 in, 28 out; 23:13:17.311909 − 23:13:14.625156 = 2.686753 s
  assert.deepEqual(rounded(figures(t.calls, SPAN)), {
    calls: 1,
    ok: 1,
    errors: 0,
    pending: 0,
    models: { "gpt-4o": 1 },
    input: 16,
    output: 28,
    cache_read: 0,
    latency: { n: 1, p50: 2.686753, max: 2.686753 },
  });
  assert.equal(t.calls.toRecords()[0]!.span_id, chat.context!.span_id.slice(2));
  // the texts are in the span's gen_ai.content.prompt / gen_ai.content.completion events
  const events = (chat as unknown as { events: { attributes: Record<string, string> }[] }).events;
  const textOf = (json: string) =>
    (JSON.parse(json) as { content: string }[]).reduce((n, m) => n + [...m.content].length, 0);
  assert.deepEqual(rows(t.calls, "prompt_chars", "output_chars"), [{
    prompt_chars: textOf(events[0]!.attributes["gen_ai.prompt"]!), // 36
    output_chars: textOf(events[1]!.attributes["gen_ai.completion"]!), // 170
  }]);
  // the other two spans are events; the log record is one warning
  assert.equal(t.events.height, 3);
  assert.deepEqual(rows(t.diagnostics, "code"), [{ code: "not_spans" }]);
});

Deno.test("otel_python: Pydantic AI's usage details (gen_ai.usage.details.cache_read_tokens, reasoning_tokens) are the cache reads and reasoning", async () => {
  // the attributes of a real Pydantic AI 1.25.1 span (see SPAN_FIXTURES.md), as to_json() writes them
  const path = fixture("otel_python_pydantic_ai_details.json");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_python");
  const span = JSON.parse(readFileSync(path, "utf8")) as {
    start_time: string;
    end_time: string;
    attributes: Record<string, unknown>;
  };
  const a = span.attributes;
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "reasoning_tokens",
    ),
    [{
      model: a["gen_ai.request.model"],
      input_tokens: a["gen_ai.usage.input_tokens"], // 19611
      output_tokens: a["gen_ai.usage.output_tokens"], // 118
      cache_read_tokens: a["gen_ai.usage.details.cache_read_tokens"], // 84
      reasoning_tokens: a["gen_ai.usage.details.reasoning_tokens"], // 76
    }],
  );
  // 05:20:49.806246 − 05:20:46.905730 = 2.900516 s (Logfire's own `duration` of the span)
  assert.deepEqual(rounded(figures(t.calls, SPAN)).latency, {
    n: 1,
    p50: (isoMicros(span.end_time) - isoMicros(span.start_time)) / 1e6,
    max: 2.900516,
  });
});

Deno.test("otel_python: Strands Agents' chat span: cache writes as gen_ai.usage.cache_write_input_tokens", () => {
  // written from strands-agents/sdk-python src/strands/telemetry/tracer.py (end_model_invoke_span:
  // prompt/completion and input/output tokens, cache_read_input_tokens, cache_write_input_tokens)
  const span = {
    name: "chat",
    context: { trace_id: "0x" + "ab".repeat(16), span_id: "0x" + "cd".repeat(8) },
    kind: "SpanKind.INTERNAL",
    parent_id: "0x" + "ef".repeat(8),
    start_time: "2025-11-19T22:09:16.000000Z",
    end_time: "2025-11-19T22:09:19.500000Z",
    status: { status_code: "OK" },
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "strands-agents",
      "gen_ai.request.model": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      "gen_ai.usage.prompt_tokens": 2021,
      "gen_ai.usage.input_tokens": 2021,
      "gen_ai.usage.completion_tokens": 320,
      "gen_ai.usage.output_tokens": 320,
      "gen_ai.usage.total_tokens": 2341,
      "gen_ai.usage.cache_read_input_tokens": 1500,
      "gen_ai.usage.cache_write_input_tokens": 480,
    },
  };
  const t = fromTraceText(JSON.stringify(span) + "\n", { file: "strands.jsonl" });
  assert.deepEqual(
    rows(t.calls, "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"),
    [
      { input_tokens: 2021, output_tokens: 320, cache_read_tokens: 1500, cache_write_tokens: 480 },
    ],
  );
});

Deno.test("otel_python: OpenLLMetry's reasoning count (llm.usage.reasoning_tokens) is the call's reasoning, 0 kept as 0", () => {
  const span = (id: string, reasoning: number) =>
    toJsonSpan(id, null, {
      "llm.request.type": "chat",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "o4-mini",
      "gen_ai.usage.input_tokens": 2256,
      "gen_ai.usage.output_tokens": 130,
      "llm.usage.total_tokens": 2386,
      "llm.usage.reasoning_tokens": reasoning,
    }, { name: "openai.chat" });
  const t = fromTraceText(`${span("01", 57)}\n${span("02", 0)}\n`, { file: "o.jsonl" });
  assert.deepEqual(rows(t.calls, "output_tokens", "reasoning_tokens"), [
    { output_tokens: 130, reasoning_tokens: 57 },
    { output_tokens: 130, reasoning_tokens: 0 },
  ]);
});

Deno.test("otel_python: OpenInference's llm.finish_reason, the AI SDK's provider named with its API, a wrapper's finish reason for its one call", () => {
  const span = toJsonSpan;
  const lines = [
    // OpenInference's JS OpenAI instrumentation
    span("01", null, {
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4o-mini",
      "llm.token_count.prompt": 21,
      "llm.token_count.completion": 9,
      "llm.finish_reason": "stop",
    }),
    // the Vercel AI SDK's call span
    span("02", null, {
      "gen_ai.system": "openai.chat",
      "ai.model.provider": "openai.chat",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 15,
      "gen_ai.usage.output_tokens": 12,
    }),
    // OpenLLMetry's span above the Anthropic SDK's own, which records no finish reason
    span("03", null, {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-20250514",
      "gen_ai.usage.input_tokens": 50,
      "gen_ai.usage.output_tokens": 25,
      "gen_ai.response.finish_reasons": ["stop"],
    }),
    // Mastra's chat span (the AI SDK's provider id in gen_ai.system only)
    span("05", null, {
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "openai.responses",
      "gen_ai.request.model": "gpt-4.1",
      "gen_ai.usage.input_tokens": 15,
      "gen_ai.usage.output_tokens": 12,
    }),
    span("04", "03", {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-20250514",
      "gen_ai.usage.input_tokens": 50,
      "gen_ai.usage.output_tokens": 25,
    }),
  ];
  const t = fromTraceText(lines.join("\n") + "\n", { file: "s.jsonl" });
  assert.deepEqual(rows(t.calls, "span_id", "provider", "finish_reason"), [
    // no provider named: the price lookup infers it from the model
    { span_id: "01".repeat(8), provider: "openai", finish_reason: "stop" },
    { span_id: "02".repeat(8), provider: "openai", finish_reason: null },
    { span_id: "05".repeat(8), provider: "openai", finish_reason: null }, // Mastra's
    { span_id: "04".repeat(8), provider: "anthropic", finish_reason: "stop" },
  ]);
});

Deno.test("otel_python: an OpenInference answer written as parts (message.contents) is the output's text; a status message's stack is not the error", () => {
  const stack =
    "500 mock 500 server_error\n\nError: 500 mock 500 server_error\n    at APIError.generate (file:///app/node_modules/openai/error.mjs:62:20)";
  const lines = [
    // OpenInference's JS OpenAI instrumentation, a Responses API answer
    toJsonSpan("01", null, {
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4.1",
      "llm.token_count.prompt": 66,
      "llm.token_count.completion": 8,
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.contents.0.message_content.type": "text",
      "llm.output_messages.0.message.contents.0.message_content.text": "Done: result computed.",
    }),
    toJsonSpan("02", null, {
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4o-mini",
    }, { status: { status_code: "ERROR", description: stack } }),
  ];
  const t = fromTraceText(lines.join("\n") + "\n", { file: "oi.jsonl" });
  assert.deepEqual(rows(t.calls, "status", "output_chars", "error"), [
    { status: "ok", output_chars: [..."Done: result computed."].length, error: null }, // 22
    { status: "error", output_chars: null, error: "500 mock 500 server_error" },
  ]);
});

Deno.test("otel_python: OpenLLMetry's indexed messages (gen_ai.prompt.0.content, gen_ai.completion.0.content) are the call's texts", async () => {
  const path = fixture("otel_python_openllmetry_indexed.json");
  const t = await load(path);
  const a = (JSON.parse(readFileSync(path, "utf8")) as { attributes: Record<string, unknown> })
    .attributes;
  const chars = (s: unknown) => [...(s as string)].length;
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "served_model",
      "input_tokens",
      "output_tokens",
      "prompt_chars",
      "output_chars",
    ),
    [{
      model: a["gen_ai.request.model"],
      served_model: a["gen_ai.response.model"],
      input_tokens: a["gen_ai.usage.prompt_tokens"], // 12
      output_tokens: a["gen_ai.usage.completion_tokens"], // 16
      prompt_chars: chars(a["gen_ai.prompt.0.content"]), // 21
      output_chars: chars(a["gen_ai.completion.0.content"]), // 52
    }],
  );
  // the texts themselves, when kept
  const kept = await loadTraces(path, { cache: false, keepText: true });
  assert.deepEqual(rows(kept.calls, "messages", "output"), [{
    messages: a["gen_ai.prompt.0.content"],
    output: a["gen_ai.completion.0.content"],
  }]);
});

Deno.test("otel_python: LangSmith's OpenTelemetry export: its prompt-template run (also named chat) is not a call; its token details (Python's notation) are read", () => {
  // written from langsmith/_internal/otel/_otel_exporter.py: gen_ai.operation.name is the run type
  // mapped by WELL_KNOWN_OPERATION_NAMES, where both "llm" and "prompt" become "chat"
  const span = (
    id: string,
    name: string,
    parent: string | null,
    attributes: Record<string, unknown>,
  ) =>
    JSON.stringify({
      name,
      context: { trace_id: "0x" + "7a".repeat(16), span_id: "0x" + id.repeat(8) },
      parent_id: parent === null ? null : "0x" + parent.repeat(8),
      start_time: "2025-06-01T10:00:00.000000Z",
      end_time: "2025-06-01T10:00:01.500000Z",
      status: { status_code: "OK" },
      attributes,
    });
  const text = [
    span("01", "RunnableSequence", null, {
      "langsmith.span.kind": "chain",
      "gen_ai.operation.name": "chain",
    }),
    span("02", "ChatPromptTemplate", "01", {
      "langsmith.span.kind": "prompt",
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "langchain",
    }),
    span("03", "ChatOpenAI", "01", {
      "langsmith.span.kind": "llm",
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.input_tokens": 25,
      "gen_ai.usage.output_tokens": 7,
      // _set_io_attributes: str() of usage_metadata's details, Python's notation
      "gen_ai.usage.input_token_details": "{'audio': 0, 'cache_read': 10, 'cache_creation': 4}",
      "gen_ai.usage.output_token_details": "{'audio': 0, 'reasoning': 2}",
    }),
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "langsmith.jsonl" });
  assert.deepEqual(
    rows(
      t.calls,
      "span_id",
      "model",
      "input_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
      "reasoning_tokens",
    ),
    [{
      span_id: "03".repeat(8),
      model: "gpt-4o-mini",
      input_tokens: 25,
      cache_read_tokens: 10,
      cache_write_tokens: 4,
      reasoning_tokens: 2,
    }],
  );
  assert.equal(t.events.height, 3);
});

/** VeADK's tracing dump (Google ADK's span dicts): the spans of the fixture, read independently. */
const veadkSpans = () =>
  JSON.parse(readFileSync(fixture("otel_python_veadk_adk.json"), "utf8")) as {
    name: string;
    start_time: number;
    end_time: number;
    attributes: Record<string, unknown>;
  }[];

Deno.test("otel_python: any-agent's trace ({spans, final_output}: integer ids in context and parent, ns times) gives its call_llm spans", async () => {
  const path = fixture("otel_python_any_agent.json");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_python");
  // independent reading: the spans whose operation is call_llm are the calls, the others events
  const doc = JSON.parse(readFileSync(path, "utf8")) as {
    spans: { start_time: number; end_time: number; attributes: Record<string, unknown> }[];
  };
  const llm = doc.spans.filter((s) => s.attributes["gen_ai.operation.name"] === "call_llm");
  assert.equal(llm.length, 3);
  assert.deepEqual(
    rows(t.calls.sort("started_at"), "model", "input_tokens", "output_tokens", "status"),
    llm.map((s) => ({
      model: s.attributes["gen_ai.request.model"], // gpt-4.1-mini
      input_tokens: s.attributes["gen_ai.usage.input_tokens"], // 286, 369, 393
      output_tokens: s.attributes["gen_ai.usage.output_tokens"], // 18, 15, 25
      status: "ok",
    })),
  );
  // ns read as JSON numbers (past 2^53, rounded), to the µs: about 1.02, 1.22 and 1.06 s
  assert.deepEqual(
    rows(t.calls.sort("started_at"), "duration_s").map((r) => r.duration_s),
    llm.map((s) => Math.round((s.end_time - s.start_time) / 1e3) / 1e6),
  );
  // the calls are the invoke_agent span's children: their parent is its context's id, in hex, and
  // the session is the trace. The ids are integers past 2^53 (64 and 128 bits): read here from
  // their digits (every number kept as its source text), they must not be rounded
  const exact = JSON.parse(
    readFileSync(path, "utf8"),
    ((_key: string, value: unknown, context: { source?: string }) =>
      typeof value === "number" ? context.source : value) as unknown as (
        key: string,
        value: unknown,
      ) => unknown,
  ) as { spans: { context: { span_id: string; trace_id: string }; attributes: never }[] };
  const agent = exact.spans.find((s) =>
    (s.attributes as Record<string, unknown>)["gen_ai.operation.name"] === "invoke_agent"
  )!;
  assert.deepEqual(
    [...new Set(t.calls.getColumn("parent_span_id").toArray())],
    [BigInt(agent.context.span_id).toString(16)], // ca1b55023c47b442 (14563327288122258498)
  );
  assert.deepEqual(
    [...new Set(t.calls.getColumn("session_id").toArray())],
    [BigInt(agent.context.trace_id).toString(16)], // 5bd831fbd796d49b53551d2e5b9a2396
  );
  assert.equal(t.events.height, doc.spans.length);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("otel_python: Google ADK's span dicts (VeADK's tracing dump: integer ids, ns times) are read: 4 call_llm calls", async () => {
  const path = fixture("otel_python_veadk_adk.json");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_python");
  const spans = veadkSpans();
  assert.equal(spans.length, 10);
  // the calls are the LLM spans (openinference.span.kind), ADK's call_llm
  const llm = spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");
  assert.equal(llm.length, 4);
  assert.deepEqual(
    rows(t.calls.sort("started_at"), "model", "input_tokens", "session_id"),
    llm.map((s) => ({
      model: s.attributes["gen_ai.request.model"],
      input_tokens: s.attributes["gen_ai.usage.input_tokens"], // 487, 547, 584, 644
      session_id: s.attributes["session.id"],
    })),
  );
  // ns read as JSON numbers (past 2^53, rounded), to the µs: 11.53865, 4.43672, 7.689213, 7.538963 s
  assert.deepEqual(
    rows(t.calls.sort("started_at"), "duration_s").map((r) => r.duration_s),
    llm.map((s) => Math.round((s.end_time - s.start_time) / 1e3) / 1e6),
  );
  // one session over the two traces (two turns); every span an event
  assert.equal(t.sessions.height, 1);
  assert.equal(t.events.height, spans.length);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("otel_python: Google ADK's call_llm: the output is the recorded response's (ADK 1.x wrote the total as gen_ai.usage.output_tokens)", async () => {
  const t = await load(fixture("otel_python_veadk_adk.json"));
  const llm = veadkSpans().filter((s) => s.attributes["openinference.span.kind"] === "LLM");
  const usage = (s: { attributes: Record<string, unknown> }) =>
    JSON.parse(s.attributes["gcp.vertex.agent.llm_response"] as string).usage_metadata as {
      candidates_token_count: number;
      total_token_count: number;
    };
  assert.deepEqual(
    rows(t.calls.sort("started_at"), "output_tokens", "total_tokens"),
    llm.map((s) => ({
      // 496, 132, 316, 256 (gen_ai.usage.output_tokens says 983, 679, 900, 900: the totals)
      output_tokens: usage(s).candidates_token_count,
      total_tokens: usage(s).total_token_count,
    })),
  );
  // OpenInference's count on the same spans agrees: 496 + 132 + 316 + 256 = 1200
  assert.equal(t.calls.getColumn("output_tokens").sum(), 1200);
});

Deno.test("otel_python: Google ADK's session (gcp.vertex.agent.session_id) and Gemini's thoughts in its recorded response", () => {
  // written from google/adk-python telemetry: trace_call_llm sets gcp.vertex.agent.session_id and
  // records the LlmResponse (model_dump_json) with Gemini's usage_metadata
  const span = (trace: string, id: string, usage: Record<string, number>) =>
    JSON.stringify({
      name: "call_llm",
      context: { trace_id: "0x" + trace.repeat(16), span_id: "0x" + id.repeat(8) },
      parent_id: null,
      start_time: "2025-10-01T09:00:00.000000Z",
      end_time: "2025-10-01T09:00:02.000000Z",
      status: { status_code: "UNSET" },
      attributes: {
        "gen_ai.system": "gcp.vertex.agent",
        "gen_ai.request.model": "gemini-2.5-flash",
        "gcp.vertex.agent.session_id": "adk-session-1",
        "gcp.vertex.agent.llm_response": JSON.stringify({ usage_metadata: usage }),
        "gen_ai.usage.input_tokens": usage.prompt_token_count,
        "gen_ai.usage.output_tokens": usage.candidates_token_count,
      },
    });
  const text = [
    span("a1", "01", {
      prompt_token_count: 100,
      candidates_token_count: 20,
      total_token_count: 150,
      thoughts_token_count: 30,
      cached_content_token_count: 60,
    }),
    span("b2", "02", {
      prompt_token_count: 200,
      candidates_token_count: 10,
      tool_use_prompt_token_count: 40,
      total_token_count: 250,
    }),
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "adk.jsonl" });
  assert.deepEqual(
    rows(
      t.calls,
      "session_id",
      "input_tokens",
      "output_tokens",
      "reasoning_tokens",
      "cache_read_tokens",
    ),
    [
      // thinking is billed as output: 20 + 30
      {
        session_id: "adk-session-1",
        input_tokens: 100,
        output_tokens: 50,
        reasoning_tokens: 30,
        cache_read_tokens: 60,
      },
      // the tools' prompt is billed as input: 200 + 40
      {
        session_id: "adk-session-1",
        input_tokens: 240,
        output_tokens: 10,
        reasoning_tokens: null,
        cache_read_tokens: null,
      },
    ],
  );
  // two traces (two turns), one session
  assert.equal(t.sessions.height, 1);
});

Deno.test("otel_python: Google ADK's call_llm: a tool's result given back as a function_response part counts in the prompt", () => {
  // written from google/adk-python telemetry: trace_call_llm records the LlmRequest as its
  // pydantic model dumps it (snake_case parts, unset fields null)
  const contents = [
    { role: "user", parts: [{ text: "Weather?", function_response: null }] },
    { role: "model", parts: [{ function_call: { name: "w", args: { city: "Paris" } } }] },
    { role: "user", parts: [{ function_response: { name: "w", response: { result: "18C" } } }] },
  ];
  const text = JSON.stringify({
    name: "call_llm",
    context: { trace_id: "0x" + "c3".repeat(16), span_id: "0x" + "03".repeat(8) },
    parent_id: null,
    start_time: "2025-10-01T09:00:00.000000Z",
    end_time: "2025-10-01T09:00:02.000000Z",
    status: { status_code: "UNSET" },
    attributes: {
      "gen_ai.system": "gcp.vertex.agent",
      "gen_ai.request.model": "gemini-2.5-flash",
      "gcp.vertex.agent.llm_request": JSON.stringify({ model: "gemini-2.5-flash", contents }),
      "gen_ai.usage.input_tokens": 100,
      "gen_ai.usage.output_tokens": 10,
    },
  }) + "\n";
  const t = fromTraceText(text, { file: "adk.jsonl" });
  // "Weather?" (8) and the tool's result as JSON text, '{"result":"18C"}' (16); the call is none
  assert.deepEqual(rows(t.calls, "prompt_chars"), [{ prompt_chars: 8 + 16 }]);
});

Deno.test("otel_python: Logfire's OpenAI spans: cached and reasoning tokens from the response it records", async () => {
  // a real Logfire Responses API span (SPAN_FIXTURES.md): its usage in the `response` attribute
  const path = fixture("otel_python_logfire_responses.json");
  const t = await load(path);
  const a = (JSON.parse(readFileSync(path, "utf8")) as { attributes: Record<string, string> })
    .attributes;
  const usage = JSON.parse(a.response!).usage;
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "served_model",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "reasoning_tokens",
    ),
    [{
      model: "gpt-4o",
      served_model: "gpt-4o-2024-08-06",
      input_tokens: usage.input_tokens, // 702
      output_tokens: usage.output_tokens, // 22
      cache_read_tokens: usage.input_tokens_details.cached_tokens, // 0, was unknown
      reasoning_tokens: usage.output_tokens_details.reasoning_tokens, // 0, was unknown
    }],
  );
  // Chat Completions: `response_data` (written from logfire's OpenAI integration: {message, usage})
  const chat = {
    name: "Chat Completion with 'gpt-4o-mini'",
    context: { trace_id: "0x" + "4c".repeat(16), span_id: "0x" + "4d".repeat(8) },
    parent_id: null,
    start_time: "2025-05-01T08:00:00.000000Z",
    end_time: "2025-05-01T08:00:01.000000Z",
    status: { status_code: "UNSET" },
    attributes: {
      "logfire.msg_template": "Chat Completion with {request_data[model]!r}",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.input_tokens": 2100,
      "gen_ai.usage.output_tokens": 40,
      "response_data": JSON.stringify({
        message: { role: "assistant", content: "ok" },
        usage: {
          prompt_tokens: 2100,
          completion_tokens: 40,
          prompt_tokens_details: { cached_tokens: 1920 },
        },
      }),
    },
  };
  const c = fromTraceText(JSON.stringify(chat) + "\n", { file: "logfire.jsonl" });
  assert.deepEqual(rows(c.calls, "cache_read_tokens"), [{ cache_read_tokens: 1920 }]);
});

Deno.test("otel_python: Haystack's own tracing (haystack.component.run spans): its generators are the calls, model and usage from the reply's meta", async () => {
  // tests/load/formats/fixtures/otel_python_haystack.console.txt: written from Haystack 2.x's
  // source in the shape of the Python SDK's ConsoleSpanExporter (SPAN_FIXTURES.md): three
  // pipeline runs with content tracing on, a ChatPromptBuilder then an OpenAIChatGenerator, an
  // OpenAIGenerator, and an OpenAIChatGenerator that fails with a 429
  const path = fixture("otel_python_haystack.console.txt");
  const text = readFileSync(path, "utf8");
  type Rec = {
    name: string;
    start_time: string;
    end_time: string;
    status: { status_code: string };
    attributes: Record<string, unknown>;
  };
  const spans = JSON.parse(`[${text.trim().replace(/\n}\s*\n{/g, "\n},{")}]`) as Rec[];
  // independent reading: a component whose type ends in Generator is a call; its output's
  // first reply's meta (a chat reply) or first meta (a text generator) has the model and usage
  const generators = spans.filter((s) =>
    String(s.attributes["haystack.component.type"] ?? "").endsWith("Generator")
  );
  const metaOf = (s: Rec) => {
    const out = JSON.parse(String(s.attributes["haystack.component.output"] ?? "{}"));
    return (typeof out.replies?.[0] === "object" ? out.replies[0].meta : out.meta?.[0]) ?? {};
  };
  const expected = figuresOfRows(
    generators.map((s) => ({
      model: metaOf(s).model ?? "unknown",
      status: s.status.status_code === "ERROR" ? "error" : "ok",
      input_tokens: metaOf(s).usage?.prompt_tokens ?? 0,
      output_tokens: metaOf(s).usage?.completion_tokens ?? 0,
      cache_read_tokens: metaOf(s).usage?.prompt_tokens_details?.cached_tokens ?? 0,
      duration_s: (isoMicros(s.end_time) - isoMicros(s.start_time)) / 1e6,
    })),
    SPAN,
  );
  // by hand: gpt-4o-mini 1310/9 (1152 cached) in 1.142758 s, gpt-3.5-turbo-instruct 7/16 in
  // 0.642314 s, a failed call (no reply, so no model)
  assert.deepEqual(rounded(expected), {
    calls: 3,
    ok: 2,
    errors: 1,
    pending: 0,
    models: { "gpt-3.5-turbo-instruct": 1, "gpt-4o-mini-2024-07-18": 1, unknown: 1 },
    input: 1317,
    output: 25,
    cache_read: 1152,
    latency: { n: 2, p50: (1.142758 + 0.642314) / 2, max: 1.142758 },
  });
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_python");
  assert.deepEqual(rounded(figures(t.calls, SPAN)), expected);
  assert.deepEqual(rows(t.calls, "finish_reason", "prompt_chars", "output_chars"), [
    // the user message's text and the reply's
    {
      finish_reason: "stop",
      prompt_chars:
        "Answer from the context.\nContext: Paris is the capital of France.\nQuestion: What is the capital of France?"
          .length,
      output_chars: "The capital of France is Paris.".length,
    },
    {
      finish_reason: "length",
      prompt_chars: "Write a haiku about Paris.".length,
      output_chars: "Seine light on old stones,\nbridges hum".length,
    },
    { finish_reason: null, prompt_chars: "Summarise the report.".length, output_chars: null },
  ]);
  // every span is an event too (7: three pipeline runs, a prompt builder, three generators)
  assert.equal(t.events.height, spans.length);
});
