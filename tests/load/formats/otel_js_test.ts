import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromTraceText } from "../../../src/load/mod.ts";
import { inspectToValue, otelJs } from "../../../src/load/formats/otel_js.ts";
import { DocumentTooLarge, fileSource, textSource } from "../../../src/load/formats/source.ts";
import {
  AI_SDK_TOOL_ROUND_TRIP,
  figures,
  figuresOfRows,
  fixture,
  load,
  loadAs,
  rounded,
  rows,
  SPAN,
  TOKENS,
} from "./_helpers.ts";

Deno.test("otel_js: ConsoleSpanExporter output (console.dir) with other program output around it", async () => {
  // printed by @opentelemetry/sdk-trace 3.1.0's ConsoleSpanExporter under Node 20 (the
  // script made spans with fixed times), with two lines of the program's own output
  const path = fixture("otel_js_console.txt");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_js");
  // independent reading: each object ends with a `}` line; pick fields with patterns
  const objects = readFileSync(path, "utf8").split("\n}\n").filter((o) => o.includes("traceId:"));
  assert.equal(objects.length, 5);
  const field = (o: string, re: RegExp) => re.exec(o)?.[1];
  const calls = objects.filter((o) => /'gen_ai.operation.name': '(chat|text_completion)'/.test(o));
  const expected = figuresOfRows(
    calls.map((o) => ({
      model: field(o, /'gen_ai.request.model': '([^']+)'/),
      status: field(o, /status: \{ code: (\d)/) === "2" ? "error" : "ok",
      input_tokens: Number(field(o, /'gen_ai.usage.input_tokens': (\d+)/) ?? 0),
      output_tokens: Number(field(o, /'gen_ai.usage.output_tokens': (\d+)/) ?? 0),
      cache_read_tokens: Number(field(o, /'gen_ai.usage.cache_read.input_tokens': (\d+)/) ?? 0),
      duration_s: Number(field(o, /duration: (\d+)/)) / 1e6,
    })),
    SPAN,
  );
  // by hand: chat gpt-4o ok 1.5 s (100/20, 40 cached), chat claude error 0.25 s (7 in),
  // text_completion gpt-4o-mini ok 0.5 s (5/3); the invoke_agent wrapper repeats 100/20
  assert.deepEqual(rounded(expected), {
    calls: 3,
    ok: 2,
    errors: 1,
    pending: 0,
    models: { "claude-3-5-haiku-20241022": 1, "gpt-4o": 1, "gpt-4o-mini": 1 },
    input: 112,
    output: 23,
    cache_read: 40,
    latency: { n: 2, p50: 1, max: 1.5 },
  });
  assert.deepEqual(rounded(figures(t.calls, SPAN)), expected);
  assert.deepEqual(
    rows(t.calls, "model", "served_model", "error", "parent_span_id", "finish_reason"),
    [
      {
        model: "gpt-4o",
        served_model: "gpt-4o-2024-08-06",
        error: null,
        parent_span_id: "7c7179f710fcfad2",
        finish_reason: "stop",
      },
      {
        model: "claude-3-5-haiku-20241022",
        served_model: null,
        error: "rate limited",
        parent_span_id: "7c7179f710fcfad2",
        finish_reason: null,
      },
      {
        model: "gpt-4o-mini",
        served_model: null,
        error: null,
        parent_span_id: "7c7179f710fcfad2",
        finish_reason: null,
      },
    ],
  );
  assert.equal(t.events.height, 5);
  assert.deepEqual(rows(t.sessions, "session_id", "service_name"), [
    { session_id: "b7a31bb69dda16751589667f24aa4b59", service_name: "chat-app" },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 1, code: "other_output", severity: "warning" },
  ]);
});

Deno.test("otel_js: ReadableSpan JSON (JSON.stringify of SDK spans): [sec, nanos] times, an unended span is pending", async () => {
  // JSON.stringify of @opentelemetry/sdk-trace 3.1.0 spans under Node 20 (one ended, one still open)
  const path = fixture("otel_js_readable.json");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_js");
  assert.deepEqual(
    rows(t.calls, "span_id", "model", "status", "input_tokens", "output_tokens", "duration_s"),
    [
      // startTime [1714557600, 0] → endTime [1714557602, 0]: 2 s
      {
        span_id: "bf702436114a00d2",
        model: "gpt-4o",
        status: "ok",
        input_tokens: 11,
        output_tokens: 4,
        duration_s: 2,
      },
      // endTime [0, 0], _ended false
      {
        span_id: "3d33949d51816dcf",
        model: "gpt-4o-mini",
        status: "pending",
        input_tokens: null,
        output_tokens: null,
        duration_s: null,
      },
    ],
  );
  // resource stored as _rawAttributes entries
  assert.deepEqual(rows(t.sessions, "service_name", "complete"), [
    { service_name: "chat-app", complete: true },
    { service_name: "chat-app", complete: false },
  ]);
});

Deno.test("otel_js: SDK 1.x ConsoleSpanExporter objects as JSON lines (parentId, instrumentationLibrary)", async () => {
  // written from SDK 1.x's ConsoleSpanExporter._exportInfo (open-telemetry/opentelemetry-js source),
  // with Vercel AI SDK span names and attributes
  const path = fixture("otel_js_v1.jsonl");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_js");
  // ai.generateText (line 1) has no gen_ai.* keys: an event; its doGenerate child is the call
  assert.deepEqual(rounded(figures(t.calls, SPAN)), {
    calls: 2,
    ok: 1,
    errors: 1,
    pending: 0,
    models: { "gpt-4o-mini": 2 },
    input: 20,
    output: 8,
    cache_read: 0,
    latency: { n: 1, p50: 1.1, max: 1.1 },
  });
  assert.deepEqual(rows(t.calls, "line", "parent_span_id", "error"), [
    { line: 2, parent_span_id: "00f067aa0ba902b7", error: null },
    { line: 3, parent_span_id: null, error: "fetch failed" },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code"), [{
    line: 4,
    code: "otel_js_bad_span",
  }]);
});

Deno.test("otel_js: Node's inspect notation: undefined, placeholders, class names, long strings, BigInt", () => {
  const text = [
    "<ref *1> {",
    "  traceId: 'ab',",
    "  parentId: undefined,",
    "  id: 'cd',",
    "  resource: Resource { attributes: [Object: null prototype] { 'service.name': \"it's\" } },",
    "  attributes: { nested: [ [Array], [Object], [Function: f], [Circular *1] ], big: 12n, s: 'a' +",
    "    'b', list: [ 1, 2, ... 98 more items ], tpl: `x'y` },",
    "  status: { code: -1 }",
    "}",
  ].join("\n");
  assert.deepEqual(inspectToValue(text), {
    traceId: "ab",
    parentId: null,
    id: "cd",
    resource: { attributes: { "service.name": "it's" } },
    attributes: { nested: [null, null, null, null], big: 12, s: "ab", list: [1, 2], tpl: "x'y" },
    status: { code: -1 },
  });
  // a JSON array of console objects reads too
  const span = {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    id: "b7ad6b7169203331",
    name: "chat",
    timestamp: 1700000000000000,
    duration: 250000,
    attributes: { "gen_ai.request.model": "m" },
    status: { code: 0 },
  };
  const t = fromTraceText(JSON.stringify([span]), { file: "spans.json" });
  assert.deepEqual(rows(t.calls, "model", "duration_s"), [{
    model: "m",
    duration_s: 0.25,
  }]);
});

Deno.test("otel_js: Node 20's console.dir of awkward values (multi-line strings, long arrays, depth, Symbol, BigInt, Date)", () => {
  // printed by `node -e 'console.dir(o, { depth: 3 })'` (Node 20) for an object made to hold them
  const v = inspectToValue(readFileSync(fixture("otel_js_inspect_edges.txt"), "utf8")) as {
    attributes: Record<string, unknown>;
  };
  const a = v.attributes;
  assert.equal(a["gen_ai.prompt"], "line one is here\nline two is there\n".repeat(5));
  assert.equal(a.quote, 'it\'s "x" `y`');
  // 120 numbers, of which Node prints 100 and "... 20 more items"
  assert.deepEqual(a.arr, Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(a.deep, { a: { b: null } });
  assert.deepEqual(
    [a.sym, a.big, a.date, a.nul, a.und, a.neg],
    [null, 10, "1970-01-01T00:00:00.000Z", null, null, -1.5e-7],
  );
});

Deno.test("otel_js: log records and metrics of the console exporters beside the spans are one warning", () => {
  // the shapes ConsoleLogRecordExporter and ConsoleMetricExporter print (console.dir), shortened
  const log =
    "{\n  resource: { attributes: {} },\n  timestamp: 1714557600000000,\n  traceId: undefined,\n" +
    "  severityText: 'INFO',\n  severityNumber: 9,\n  body: 'hello',\n  attributes: {}\n}";
  const metric =
    "{\n  descriptor: { name: 'gen_ai.client.token.usage', unit: '{token}' },\n  dataPointType: 0,\n" +
    "  dataPoints: [ [Object] ]\n}";
  const span =
    "{\n  resource: { attributes: {} },\n  traceId: '0af7651916cd43dd8448eb211c80319c',\n" +
    "  parentSpanContext: undefined,\n  name: 'chat',\n  id: 'b7ad6b7169203331',\n  kind: 2,\n" +
    "  timestamp: 1714557600000000,\n  duration: 1000000,\n" +
    "  attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },\n" +
    "  status: { code: 0 },\n  events: [],\n  links: []\n}";
  const t = fromTraceText([log, span, metric].join("\n") + "\n", { file: "console.txt" });
  assert.deepEqual(rows(t.calls, "model", "duration_s"), [{
    model: "gpt-4o",
    duration_s: 1,
  }]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity", "message"), [{
    line: 1,
    code: "not_spans",
    severity: "warning",
    message:
      "1 log records and 1 metric exports of the OpenTelemetry console exporters are not spans (skipped)",
  }]);
});

Deno.test("otel_js: ConsoleSpanExporter output printed by Deno (double-quoted strings)", async () => {
  // printed by @opentelemetry/sdk-trace 3.1.0's ConsoleSpanExporter under Deno 2.9.6 (NO_COLOR=1)
  const path = fixture("otel_js_deno_console.txt");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_js");
  // duration 750000 µs ok (12 in, 5 out); 100000 µs with status code 2
  assert.deepEqual(rounded(figures(t.calls, SPAN)), {
    calls: 2,
    ok: 1,
    errors: 1,
    pending: 0,
    models: { "gpt-4o-mini": 2 },
    input: 12,
    output: 5,
    cache_read: 0,
    latency: { n: 1, p50: 0.75, max: 0.75 },
  });
  assert.deepEqual(rows(t.calls, "error").map((r) => r.error), [
    null,
    "400 bad request",
  ]);
});

Deno.test("otel_js: a terminal capture with colours reads as the plain output", () => {
  const plain = readFileSync(fixture("otel_js_deno_console.txt"), "utf8");
  // what a colour terminal shows: strings green, numbers yellow
  const coloured = plain.replace(/("[^"\n]*")/g, "\x1b[32m$1\x1b[39m").replace(
    /: (\d+)/g,
    ": \x1b[33m$1\x1b[39m",
  );
  assert.notEqual(coloured, plain);
  const t = fromTraceText(coloured, { file: "capture.txt" });
  assert.deepEqual(rows(t.calls, "model", "duration_s"), [
    { model: "gpt-4o-mini", duration_s: 0.75 },
    { model: "gpt-4o-mini", duration_s: 0.1 },
  ]);
});

Deno.test("otel_js: a console dump opened by a BOM reads as without it, from a file or a string", () => {
  // its first line opens a span
  const text = readFileSync(fixture("otel_js_deno_console.txt"), "utf8");
  const plain = otelJs.parse!(textSource(text, "f"), "f", {});
  assert.equal(plain.calls.length, 2);
  const path = Deno.makeTempFileSync({ suffix: ".txt" });
  try {
    Deno.writeTextFileSync(path, "\ufeff" + text);
    assert.deepEqual(otelJs.parse!(fileSource(path, "f"), "f", {}), plain);
    assert.deepEqual(otelJs.parse!(textSource("\ufeff" + text, "f"), "f", {}), plain);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("otel_js: a console object left open past the source's limit is not held: file_too_large", () => {
  const path = Deno.makeTempFileSync({ suffix: ".txt" });
  try {
    // an object opened on line 2 and never closed: 50 lines of 40 characters
    Deno.writeTextFileSync(path, "a print\n{\n" + `  name: '${"x".repeat(30)}',\n`.repeat(50));
    assert.throws(
      () => otelJs.parse!(fileSource(path, "f", { maxBytes: 1000 }), "f", {}),
      (e: unknown) => e instanceof DocumentTooLarge && e.bytes > 1000 && e.bytes < 1100,
    );
    // within the limit, it is one unreadable object
    const r = otelJs.parse!(fileSource(path, "f", { maxBytes: 10_000 }), "f", {});
    assert.deepEqual(r.diagnostics.map((d) => [d.line, d.code]), [
      [1, "other_output"],
      [2, "otel_js_bad_object"],
    ]);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("otel_js: GitHub Copilot CLI's file exporter ({type: span} lines, ReadableSpan fields flat): 1 call, its cache writes", async () => {
  // three real lines of a Copilot CLI 1.0.78-2 otel JSONL file (SPAN_FIXTURES.md)
  const path = fixture("otel_js_copilot_cli.jsonl");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_js");
  // independent reading: one span per line; `chat` spans are the calls
  const spans = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l)) as {
    startTime: [number, number];
    endTime: [number, number];
    attributes: Record<string, unknown>;
  }[];
  const chats = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat");
  assert.equal(chats.length, 1);
  const a = chats[0]!.attributes;
  const micros = ([s, ns]: [number, number]) => s * 1e6 + ns / 1e3;
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
      "reasoning_tokens",
      "ttft_s",
      "session_id",
    ),
    [{
      model: a["gen_ai.request.model"], // claude-opus-4.6
      input_tokens: a["gen_ai.usage.input_tokens"], // 22799
      output_tokens: a["gen_ai.usage.output_tokens"], // 77
      cache_read_tokens: a["gen_ai.usage.cache_read.input_tokens"], // 13013
      cache_write_tokens: a["gen_ai.usage.cache_creation.input_tokens"], // 9776
      reasoning_tokens: a["gen_ai.usage.reasoning.output_tokens"], // 13
      ttft_s: a["gen_ai.response.time_to_first_chunk"], // 2.582014965
      session_id: a["gen_ai.conversation.id"],
    }],
  );
  // [1785773061, 496000000] − [1785773057, 791000000] = 3.705 s
  assert.deepEqual(rounded(figures(t.calls, SPAN)).latency, {
    n: 1,
    p50: (micros(chats[0]!.endTime) - micros(chats[0]!.startTime)) / 1e6,
    max: 3.705,
  });
  // the two tool spans are events; nothing is a problem
  assert.equal(t.events.height, spans.length);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("otel_js: Copilot CLI 1.0.86's names: cache writes as gen_ai.usage.cache_write.input_tokens, metric lines skipped", () => {
  // written from the shape of Copilot CLI 1.0.86's file exporter (a metric line may come first)
  const metric = {
    type: "metric",
    name: "gen_ai.client.token.usage",
    unit: "{token}",
    dataPoints: [{ attributes: { "gen_ai.token.type": "input" }, value: { count: 1, sum: 17114 } }],
  };
  const span = {
    type: "span",
    traceId: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    spanId: "c000000000000000",
    parentSpanId: "a000000000000001",
    name: "chat auto",
    kind: 2,
    startTime: [1789796621, 310000000],
    endTime: [1789796624, 368000000],
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "auto",
      "gen_ai.response.model": "gpt-5.6-luna",
      "gen_ai.usage.input_tokens": 17114,
      "gen_ai.usage.output_tokens": 48,
      "gen_ai.usage.cache_write.input_tokens": 17111,
      "gen_ai.usage.reasoning.output_tokens": 29,
    },
    status: { code: 0 },
    events: [],
  };
  const t = fromTraceText(`${JSON.stringify(metric)}\n${JSON.stringify(span)}\n`, {
    file: "copilot-otel.jsonl",
  });
  assert.equal(t.formats?.["copilot-otel.jsonl"], "otel_js");
  assert.deepEqual(rows(t.calls, "model", "served_model", "cache_write_tokens", "duration_s"), [
    // 24.368 − 21.310 = 3.058 s
    { model: "auto", served_model: "gpt-5.6-luna", cache_write_tokens: 17111, duration_s: 3.058 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "code", "count"), [{ code: "not_spans", count: 1 }]);
});

Deno.test("otel_js: Bedrock AgentCore's spans as CloudWatch's aws/spans holds them (OTLP names, flat attributes): read; the agent's usage, with no model call in its trace, one call for its run", async () => {
  // the three example spans of AWS's AgentCore guide "Understanding input spans" (SPAN_FIXTURES.md)
  const path = fixture("otel_js_agentcore_aws_spans.jsonl");
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_js");
  const spans = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l)) as {
    attributes: Record<string, unknown>;
  }[];
  // an invoke_agent span (its usage the sum of its calls', which the guide does not show), a
  // LangGraph workflow and a tool: no model call among them, so the agent's run stands for its
  // calls (one call, its tokens not dropped), with a warning
  const agent = spans[0]!.attributes;
  assert.equal(agent["gen_ai.operation.name"], "invoke_agent");
  assert.deepEqual(rows(t.calls, "model", "input_tokens", "output_tokens"), [{
    model: agent["gen_ai.request.model"], // us.anthropic.claude-3-7-sonnet-20250219-v1:0
    input_tokens: agent["gen_ai.usage.input_tokens"], // 2021
    output_tokens: agent["gen_ai.usage.output_tokens"], // 320
  }]);
  assert.equal(t.events.height, spans.length);
  // one session.id over both traces
  assert.deepEqual(rows(t.sessions, "session_id"), [{
    session_id: spans[0]!.attributes["session.id"],
  }]);
  assert.deepEqual(rows(t.diagnostics, "code", "severity"), [
    { code: "agent_run_as_call", severity: "warning" },
  ]);
  // a Strands chat span in the same shape (written from strands/telemetry/tracer.py) is a call
  const chat = {
    traceId: "691e400b638f5225711e80da37a4b0bd",
    spanId: "0f1e2d3c4b5a6978",
    parentSpanId: "e79d2156ac138f63",
    scope: { name: "strands.telemetry.tracer", version: "" },
    name: "chat",
    kind: "INTERNAL",
    startTimeUnixNano: 1763590156000000000,
    endTimeUnixNano: 1763590158500000000,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 100,
      "gen_ai.usage.cache_read_input_tokens": 0,
      "gen_ai.usage.cache_write_input_tokens": 0,
      "session.id": "s",
    },
    status: { code: "ERROR" },
  };
  const c = fromTraceText(JSON.stringify(chat) + "\n", { file: "aws-spans.jsonl" });
  // 1763590158.5 − 1763590156.0 = 2.5 s; status code "ERROR" is an error
  assert.deepEqual(rows(c.calls, "input_tokens", "duration_s", "status"), [
    { input_tokens: 1000, duration_s: 2.5, status: "error" },
  ]);
});

Deno.test("otel_js: an aws/spans span that gives its duration alone (durationNano, no endTimeUnixNano) ends at start + duration", () => {
  // the Strands chat span above as CloudWatch may hold it: its start and durationNano only, as
  // numbers and as the strings of OTLP's JSON
  const span = {
    traceId: "691e400b638f5225711e80da37a4b0bd",
    spanId: "0f1e2d3c4b5a6978",
    name: "chat",
    kind: "INTERNAL",
    startTimeUnixNano: 1763590156000000000,
    durationNano: 2500000000,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 100,
    },
    status: { code: "OK" },
  };
  const text = [
    span,
    {
      ...span,
      spanId: "1f1e2d3c4b5a6978",
      startTimeUnixNano: "1763590160000000000",
      durationNano: "750000000",
    },
  ].map((s) => JSON.stringify(s)).join("\n") + "\n";
  const c = fromTraceText(text, { file: "aws-spans.jsonl" });
  assert.equal(c.formats?.["aws-spans.jsonl"], "otel_js");
  // 1763590156 s + 2.5 s; 1763590160 s + 0.75 s (before: no end, no latency, pending)
  assert.deepEqual(rows(c.calls, "started_at", "ended_at", "duration_s", "status"), [
    {
      started_at: new Date(1763590156000),
      ended_at: new Date(1763590158500),
      duration_s: 2.5,
      status: "ok",
    },
    {
      started_at: new Date(1763590160000),
      ended_at: new Date(1763590160750),
      duration_s: 0.75,
      status: "ok",
    },
  ]);
});

Deno.test("otel_js: the Vercel AI SDK 7's telemetry (@ai-sdk/otel): reasoning, cache and first-chunk time of its usage details", async () => {
  // printed by @opentelemetry/sdk-trace-base 2's ConsoleSpanExporter under Node 20, of ai 7.0.173
  // with @ai-sdk/otel 1.0.173 (SPAN_FIXTURES.md): generateText with a tool (two model calls),
  // streamText, a failed call, once through its OpenTelemetry integration (GenAI names) and once
  // through its LegacyOpenTelemetry one (ai.* names); mock models of ai/test gave the usage
  for (
    const [name, chatSpan] of [
      ["otel_js_ai_sdk7_otel.txt", /name: 'chat /],
      ["otel_js_ai_sdk7_legacy.txt", /name: 'ai\.(generateText\.doGenerate|streamText\.doStream)'/],
    ] as const
  ) {
    const path = fixture(name);
    // independent reading: each object ends with a `}` line; pick fields with patterns
    const objects = readFileSync(path, "utf8").split("\n}\n").filter((o) => chatSpan.test(o));
    const field = (o: string, re: RegExp) => {
      const v = re.exec(o)?.[1];
      return v === undefined ? null : Number(v);
    };
    const expected = objects.map((o) => ({
      status: field(o, /status: \{ code: (\d)/) === 2 ? "error" : "ok",
      cache_read_tokens: field(o, /'ai\.usage\.inputTokenDetails\.cacheReadTokens': (\d+)/) ??
        field(o, /'gen_ai\.usage\.cache_read\.input_tokens': (\d+)/),
      cache_write_tokens: field(o, /'ai\.usage\.inputTokenDetails\.cacheWriteTokens': (\d+)/) ??
        field(o, /'gen_ai\.usage\.cache_creation\.input_tokens': (\d+)/),
      reasoning_tokens: field(o, /'ai\.usage\.outputTokenDetails\.reasoningTokens': (\d+)/),
      ttft_s: field(o, /'gen_ai\.client\.operation\.time_to_first_chunk': ([\d.e-]+)/) ??
        ((ms) => ms === null ? null : ms / 1000)(
          field(o, /'ai\.response\.msToFirstChunk': ([\d.e-]+)/),
        ),
    }));
    // the mock usage: reasoning 128 and 0 on the two generateText calls, 0 on the stream; the
    // stream's 20 cache reads and 10 cache writes; no usage on the failed call
    assert.deepEqual(
      expected.map((e) => [e.status, e.reasoning_tokens, e.cache_write_tokens]),
      [["ok", 128, 0], ["ok", 0, 0], ["ok", 0, 10], ["error", null, null]],
    );
    const t = await load(path);
    assert.equal(t.formats?.[path], "otel_js");
    assert.deepEqual(
      rows(
        t.calls,
        "status",
        "cache_read_tokens",
        "cache_write_tokens",
        "reasoning_tokens",
        "ttft_s",
      ),
      expected,
    );
    assert.equal(t.calls.getColumn("ttft_s").toArray().filter((v) => v !== null).length, 1);
  }
});

Deno.test("otel_js: the Vercel AI SDK 3.2's spans: the answer as ai.result.text, the first chunk as an ai.stream.firstChunk event alone", async () => {
  // printed by @opentelemetry/sdk-trace-base 1.15.2's ConsoleSpanExporter under Node 20 for ai
  // 3.2.45 with @ai-sdk/openai 0.0.40 against a local mock (SPAN_FIXTURES.md): generateText
  // answering "Hello from mock." (16 characters) and streamText "Hello stream!" (13); the system
  // "You are terse." (14) and the prompt "Say hi." (7)
  const t = await load(fixture("otel_js_ai_sdk3_2.txt"));
  assert.deepEqual(
    rows(t.calls, "input_tokens", "output_tokens", "prompt_chars", "output_chars", "ttft_s"),
    [
      {
        input_tokens: 1200,
        output_tokens: 300,
        prompt_chars: 14 + 7,
        output_chars: 16,
        ttft_s: null,
      },
      {
        input_tokens: 2200,
        output_tokens: 400,
        prompt_chars: 14 + 7,
        output_chars: 13,
        // the doStream span starts at 1796223970080000 µs (timestamp) and its ai.stream.firstChunk
        // event is at [1796223970, 524545282]: 0.524545 - 0.080000 = 0.444545 s
        ttft_s: 0.444545,
      },
    ],
  );
});

Deno.test("otel_js: the Vercel AI SDK's Anthropic provider before AI SDK 6 leaves the cache out of its input: added to it and to the total", async () => {
  // printed by @opentelemetry/sdk-trace-base 2.0.1's ConsoleSpanExporter under Node 20 for ai
  // 5.0.60 with @ai-sdk/anthropic 2.0.23 against a local mock (SPAN_FIXTURES.md): generateText
  // answered usage {input_tokens: 50, cache_read_input_tokens: 3000, cache_creation_input_tokens:
  // 500, output_tokens: 120}, streamText {60, 4000, 200, 140}; the spans give Anthropic's
  // input_tokens as the input (ai.usage.promptTokens 50, ai.usage.inputTokens 60), the generateText
  // span's cache reads only in its provider metadata's usage
  const t = await load(fixture("otel_js_ai_sdk5_anthropic.txt"));
  assert.deepEqual(rows(t.calls, ...TOKENS, "cache_write_tokens"), [
    {
      input_tokens: 50 + 3000 + 500,
      output_tokens: 120,
      total_tokens: 50 + 3000 + 500 + 120,
      cache_read_tokens: 3000,
      reasoning_tokens: null,
      cache_write_tokens: 500,
    },
    {
      input_tokens: 60 + 4000 + 200,
      output_tokens: 140,
      total_tokens: 60 + 4000 + 200 + 140,
      cache_read_tokens: 4000,
      reasoning_tokens: null,
      cache_write_tokens: 200,
    },
  ]);
  // ai 4.3.19 with @ai-sdk/anthropic 1.2.12 (its doGenerate span's attributes, same mock) names the
  // cache in its provider metadata; ai 6.0.326 with @ai-sdk/anthropic 3.0.140 counts it in its
  // input, with its usage details beside it: read as written
  const span = (attributes: Record<string, unknown>) =>
    JSON.stringify({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      id: "b7ad6b7169203331",
      name: "ai.generateText.doGenerate",
      timestamp: 1700000000000000,
      duration: 300000,
      attributes: {
        "ai.model.provider": "anthropic.messages",
        "ai.model.id": "claude-3-5-sonnet-20241022",
        "gen_ai.request.model": "claude-3-5-sonnet-20241022",
        ...attributes,
      },
      status: { code: 0 },
    }) + "\n";
  const v4 = fromTraceText(
    span({
      "ai.response.providerMetadata":
        '{"anthropic":{"cacheCreationInputTokens":500,"cacheReadInputTokens":3000}}',
      "ai.usage.promptTokens": 50,
      "ai.usage.completionTokens": 120,
    }),
    { file: "ai4.json" },
  );
  const v6 = fromTraceText(
    span({
      "ai.usage.inputTokens": 3550,
      "ai.usage.inputTokenDetails.noCacheTokens": 50,
      "ai.usage.inputTokenDetails.cacheReadTokens": 3000,
      "ai.usage.inputTokenDetails.cacheWriteTokens": 500,
      "ai.usage.outputTokens": 120,
      "ai.usage.totalTokens": 3670,
    }),
    { file: "ai6.json" },
  );
  for (const t of [v4, v6]) {
    assert.deepEqual(rows(t.calls, "input_tokens", "total_tokens", "cache_read_tokens"), [
      {
        input_tokens: 50 + 3000 + 500,
        total_tokens: 50 + 3000 + 500 + 120,
        cache_read_tokens: 3000,
      },
    ]);
  }
});

Deno.test("otel_js: the Vercel AI SDK's Bedrock Converse and Vertex Anthropic providers before AI SDK 6 leave the cache out of their input: added to it and to the total", async () => {
  // printed by @opentelemetry/sdk-trace-base 1.30.1's ConsoleSpanExporter under Node 20 for ai
  // 4.3.19 with @ai-sdk/amazon-bedrock 2.2.9 and @ai-sdk/google-vertex 2.2.7 against a local mock
  // (SPAN_FIXTURES.md): Bedrock's Converse answered usage {inputTokens: 70, cacheReadInputTokens:
  // 2500, cacheWriteInputTokens: 300, outputTokens: 110}, ConverseStream's metadata {80, 3500,
  // 100, 130}; Vertex's rawPredict Anthropic's {input_tokens: 40, cache_read_input_tokens: 2000,
  // cache_creation_input_tokens: 600, output_tokens: 90}. The spans give Bedrock's inputTokens and
  // Anthropic's input_tokens as the input (ai.usage.promptTokens 70, 80, 40), Bedrock's cache in
  // the provider metadata's bedrock.usage
  const t = await load(fixture("otel_js_ai_sdk4_bedrock_vertex.txt"));
  assert.deepEqual(rows(t.calls, "provider", ...TOKENS, "cache_write_tokens"), [
    {
      provider: "amazon-bedrock",
      input_tokens: 70 + 2500 + 300,
      output_tokens: 110,
      total_tokens: 70 + 2500 + 300 + 110,
      cache_read_tokens: 2500,
      reasoning_tokens: null,
      cache_write_tokens: 300,
    },
    {
      provider: "amazon-bedrock",
      input_tokens: 80 + 3500 + 100,
      output_tokens: 130,
      total_tokens: 80 + 3500 + 100 + 130,
      cache_read_tokens: 3500,
      reasoning_tokens: null,
      cache_write_tokens: 100,
    },
    {
      provider: "vertex.anthropic.messages",
      input_tokens: 40 + 2000 + 600,
      output_tokens: 90,
      total_tokens: 40 + 2000 + 600 + 90,
      cache_read_tokens: 2000,
      reasoning_tokens: null,
      cache_write_tokens: 600,
    },
  ]);
});

Deno.test("otel_js: the Vercel AI SDK 5's generateText over Bedrock's Converse API records the cache writes and not the reads: the writes counted, one cache_reads_not_recorded warning", async () => {
  // printed by @opentelemetry/sdk-trace-base 2.12.1's ConsoleSpanExporter (NodeTracerProvider)
  // under Node 20 for ai 5.0.277 and @ai-sdk/amazon-bedrock 3.0.137 against a local mock of
  // Converse (SPAN_FIXTURES.md): generateText with a cachePoint after the system message, answered
  // with usage {inputTokens: 70, cacheReadInputTokens: 2500, cacheWriteInputTokens: 300,
  // outputTokens: 110}. The result's usage had the reads (cachedInputTokens 2500); the spans only
  // ai.usage.promptTokens 70 and the provider metadata's bedrock.usage {cacheWriteInputTokens: 300}
  const path = fixture("otel_js_ai_sdk5_bedrock_generate.txt");
  const t = await load(path);
  assert.deepEqual(rows(t.calls, ...TOKENS, "cache_write_tokens"), [{
    input_tokens: 70 + 300, // Bedrock billed 70 + 2500 + 300 = 2870: the reads are nowhere in the file
    output_tokens: 110,
    total_tokens: 70 + 300 + 110,
    cache_read_tokens: null,
    reasoning_tokens: null,
    cache_write_tokens: 300,
  }]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity", "count"), [{
    line: 1, // the doGenerate span, printed first
    code: "cache_reads_not_recorded",
    severity: "warning",
    count: 1,
  }]);
  // its streamText (ai.usage.cachedInputTokens) and AI SDK 6 (ai.usage.inputTokenDetails.*) record
  // them, and so did AI SDK 4's provider (bedrock.usage.cacheReadInputTokens): no warning
  const text = readFileSync(path, "utf8");
  for (
    const more of [
      "'ai.usage.cachedInputTokens': 2500,",
      "'ai.usage.inputTokenDetails.cacheReadTokens': 2500,",
    ]
  ) {
    const r = fromTraceText(
      text.replace("'ai.usage.promptTokens': 70,", `${more}\n    'ai.usage.promptTokens': 70,`),
      {
        file: "f.txt",
        format: "otel_js",
      },
    );
    assert.deepEqual(rows(r.diagnostics, "code"), []);
  }
  const v4 = fromTraceText(
    text.replaceAll(
      '{"cacheWriteInputTokens":300}',
      '{"cacheReadInputTokens":2500,"cacheWriteInputTokens":300}',
    ),
    { file: "f.txt", format: "otel_js" },
  );
  assert.deepEqual(rows(v4.calls, "input_tokens", "cache_read_tokens"), [
    { input_tokens: 70 + 2500 + 300, cache_read_tokens: 2500 },
  ]);
  assert.deepEqual(rows(v4.diagnostics, "code"), []);
});

Deno.test("otel_js: Google ADK for TypeScript's call_llm spans: Gemini's usage, system instruction and answer in the camelCase request and response it records", async () => {
  // printed by @opentelemetry/sdk-trace-base 2.12.1's ConsoleSpanExporter under Node 20 for
  // @google/adk 2.0.0 (@google/genai 2.32.0) against a local mock of the Gemini API
  // (SPAN_FIXTURES.md): an agent with a tool, session sess-tool, whose first request was answered
  // with a function call and usageMetadata {promptTokenCount: 1000, cachedContentTokenCount: 600,
  // candidatesTokenCount: 20, thoughtsTokenCount: 50, toolUsePromptTokenCount: 30,
  // totalTokenCount: 1100}, its second with a thought and "Sunny in Paris." and {1200, 800, 40,
  // 100, 60, 1400}; then a streamed answer, "Hello from Gemini", in session sess-stream, {500, -,
  // 25, 15, -, 540}. The spans write promptTokenCount and candidatesTokenCount alone as
  // gen_ai.usage.input_tokens and output_tokens (1000 and 20)
  const t = await load(fixture("otel_js_google_adk_2.0.0.txt"));
  assert.deepEqual(
    rows(t.calls, "session_id", "model", ...TOKENS, "prompt_chars", "output_chars"),
    [
      {
        session_id: "sess-tool",
        model: "gemini-2.5-flash",
        input_tokens: 1000 + 30, // the prompt and the tools' prompt, as Gemini bills them
        output_tokens: 20 + 50, // the answer and the thinking
        total_tokens: 1100,
        cache_read_tokens: 600,
        reasoning_tokens: 50,
        // ADK's system instruction, 'You are an agent. Your internal name is "weather_agent".'
        // (56 characters), two newlines and "You are terse." (14), then "Weather in Paris?" (17)
        prompt_chars: 56 + 2 + 14 + 17,
        output_chars: 0, // a function call alone
      },
      {
        session_id: "sess-tool",
        model: "gemini-2.5-flash",
        input_tokens: 1200 + 60,
        output_tokens: 40 + 100,
        total_tokens: 1400,
        cache_read_tokens: 800,
        reasoning_tokens: 100,
        // the same, then the tool's result given back as a functionResponse part, its response
        // {"city":"Paris","weather":"sunny"} as JSON text (34); the model's functionCall is none
        prompt_chars: 56 + 2 + 14 + 17 + '{"city":"Paris","weather":"sunny"}'.length,
        output_chars: "Sunny in Paris.".length, // not the thought
      },
      {
        session_id: "sess-stream",
        model: "gemini-2.5-flash",
        input_tokens: 500,
        output_tokens: 25 + 15,
        total_tokens: 540,
        cache_read_tokens: null,
        reasoning_tokens: 15,
        // 'You are an agent. Your internal name is "chat_agent".' (53), "\n\n", "You are terse."
        // and "Say hello." (10)
        prompt_chars: 53 + 2 + 14 + 10,
        output_chars: "Hello from Gemini".length,
      },
    ],
  );
});

Deno.test("otel_js: Google ADK's call_llm spans name the agent framework (gen_ai.system gcp.vertex.agent), not a provider: the provider is the model's", async () => {
  // the fixture of the test above: ADK writes 'gen_ai.system': 'gcp.vertex.agent' on every
  // call_llm span and names no provider; gemini-2.5-flash is Google's (genai-prices)
  const text = readFileSync(fixture("otel_js_google_adk_2.0.0.txt"), "utf8");
  assert.equal(text.match(/'gen_ai\.system': 'gcp\.vertex\.agent'/g)?.length, 3);
  const t = await load(fixture("otel_js_google_adk_2.0.0.txt"));
  assert.deepEqual(rows(t.calls, "model", "provider"), [
    { model: "gemini-2.5-flash", provider: "google" },
    { model: "gemini-2.5-flash", provider: "google" },
    { model: "gemini-2.5-flash", provider: "google" },
  ]);
});

Deno.test("otel_js: Google ADK for TypeScript's call_llm span of a response Gemini gave without content: an error call, ADK's errorCode its error", async () => {
  // printed by @opentelemetry/sdk-trace-base 2.12.1's ConsoleSpanExporter under Node 20 for
  // @google/adk 2.0.0 against a local mock of the Gemini API (SPAN_FIXTURES.md), two runs of an
  // agent: the mock answered HTTP 200 with a prompt blocked ({promptFeedback: {blockReason:
  // "PROHIBITED_CONTENT"}, usageMetadata: {promptTokenCount: 12}}) and with a candidate stopped for
  // safety, no content ({finishReason: "SAFETY"}, {promptTokenCount: 14}). ADK records each
  // response as its errorCode, with an unset status and no modelVersion (ADK for TypeScript keeps
  // none of a response)
  const t = await load(fixture("otel_js_google_adk_2.0.0_refused.txt"));
  assert.deepEqual(
    rows(t.calls, "session_id", "status", "error", "input_tokens", "finish_reason", "served_model"),
    [
      {
        session_id: "sess-blocked",
        status: "error",
        error: "PROHIBITED_CONTENT",
        input_tokens: 12,
        finish_reason: null,
        served_model: null,
      },
      {
        session_id: "sess-safety",
        status: "error",
        error: "SAFETY",
        input_tokens: 14,
        finish_reason: "safety",
        served_model: null,
      },
    ],
  );
  // ADK for Python's response (pydantic's names), with a finish message
  const span = (response: unknown) =>
    JSON.stringify({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      parentSpanContext: undefined,
      name: "call_llm",
      id: "b7ad6b7169203331",
      kind: 0,
      timestamp: 1700000000000000,
      duration: 250000,
      attributes: {
        "gen_ai.request.model": "gemini-2.5-flash",
        "gcp.vertex.agent.llm_response": JSON.stringify(response),
      },
      status: { code: 0 },
      events: [],
    });
  const py = fromTraceText(
    span({
      error_code: "MAX_TOKENS",
      error_message: "Output limit reached.",
      finish_reason: "MAX_TOKENS",
    }),
    { file: "adk.json", format: "otel_js" },
  );
  assert.deepEqual(rows(py.calls, "status", "error"), [
    { status: "error", error: "MAX_TOKENS: Output limit reached." },
  ]);
});

Deno.test("otel_js: Mastra 0.24's OpenTelemetry exporter: its model_generation span is the call, cache reads as gen_ai.usage.cached_input_tokens", async () => {
  // printed by @opentelemetry/sdk-trace-base's ConsoleSpanExporter given to @mastra/otel-exporter
  // 0.3.3 (`exporter:`) for @mastra/core 0.24.9 under Node 20 (SPAN_FIXTURES.md): an agent run of
  // two model steps and a tool call, the model a stub LanguageModelV2 answering with fixed usage
  const path = fixture("otel_js_mastra_0.24.txt");
  const objects = readFileSync(path, "utf8").split("\n}\n").filter((o) => o.includes("traceId:"));
  const field = (o: string, re: RegExp) => re.exec(o)?.[1];
  // independent reading: the model_generation spans are the calls (their model steps carry no usage)
  const calls = objects.filter((o) => o.includes("'mastra.span.type': 'model_generation'"));
  assert.equal(calls.length, 1);
  assert.equal(objects.filter((o) => /'gen_ai\.usage\.input_tokens'/.test(o)).length, 1);
  const expected = figuresOfRows(
    calls.map((o) => ({
      model: field(o, /'gen_ai.request.model': '([^']+)'/),
      status: "ok",
      input_tokens: Number(field(o, /'gen_ai.usage.input_tokens': (\d+)/)),
      output_tokens: Number(field(o, /'gen_ai.usage.output_tokens': (\d+)/)),
      cache_read_tokens: Number(field(o, /'gen_ai.usage.cached_input_tokens': (\d+)/)),
      duration_s: Number(field(o, /duration: (\d+)/)) / 1e6,
    })),
    SPAN,
  );
  // the stub's two steps: 1200 + 1420 in, 180 + 64 out, 1024 + 1152 cached; 170 ms
  assert.deepEqual(rounded(expected), {
    calls: 1,
    ok: 1,
    errors: 0,
    pending: 0,
    models: { "gpt-5-mini": 1 },
    input: 2620,
    output: 244,
    cache_read: 2176,
    latency: { n: 1, p50: 0.17, max: 0.17 },
  });
  const t = await load(path);
  assert.equal(t.formats?.[path], "otel_js");
  assert.deepEqual(rounded(figures(t.calls, SPAN)), expected);
  assert.deepEqual(t.calls.getColumn("reasoning_tokens").toArray(), [128]); // 128 + 0
  assert.equal(t.events.height, objects.length);
});

Deno.test("otel_js: the Vercel AI SDK's tool results in ai.prompt.messages (tool-result parts) are part of the prompt's characters, an object as its JSON text", async () => {
  // the same run through AI SDK 7's two integrations: its second generateText call's prompt is
  // "What is the weather in Paris?" (29 characters) and the tool's result "sunny in Paris" (14),
  // a `tool-result` part's output {type: "text"} in the legacy one's ai.prompt.messages, a GenAI
  // tool_call_response part in the other's gen_ai.input.messages: 29 + 14 = 43 in both
  for (const name of ["otel_js_ai_sdk7_legacy.txt", "otel_js_ai_sdk7_otel.txt"]) {
    const t = await load(fixture(name));
    assert.deepEqual(t.calls.getColumn("prompt_chars").toArray().slice(0, 2), [29, 43], name);
  }
  // ai 6.0.326's second doGenerate span of a generateText with a tool, run against a local mock
  // of OpenAI's chat API (its other attributes left out): the result is an object, output
  // {type: "json", value}; the model is given its JSON text
  const span = {
    traceId: "deaac33c9b1a43ff51cd402870656575",
    id: "faa6b4f1ba34d17a",
    name: "ai.generateText.doGenerate",
    kind: 2,
    timestamp: 1796213308189000,
    duration: 32829.152,
    attributes: {
      "ai.operationId": "ai.generateText.doGenerate",
      "ai.model.provider": "openai.chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "ai.prompt.messages": JSON.stringify(AI_SDK_TOOL_ROUND_TRIP),
      "ai.usage.inputTokens": 120,
      "ai.usage.outputTokens": 7,
    },
    status: { code: 0 },
    events: [],
  };
  const t = fromTraceText(JSON.stringify(span) + "\n", { file: "ai6.json" });
  // "Be brief." 9 + "Weather in Paris?" 17 + '{"city":"Paris","forecast":"sunny","celsius":21}' 48
  assert.equal('{"city":"Paris","forecast":"sunny","celsius":21}'.length, 48);
  assert.deepEqual(t.calls.getColumn("prompt_chars").toArray(), [9 + 17 + 48]);
});

Deno.test("otel_js: OpenLLMetry JS's Anthropic instrumentation (instrumentationScope) counts the cache it records beside its input in the input", async () => {
  // ConsoleSpanExporter (sdk-trace-base 2.12.1) of @traceloop/instrumentation-anthropic 0.27.0,
  // against a local mock: gen_ai.usage.input_tokens 5000, cache_read.input_tokens 800,
  // cache_creation.input_tokens 200, total_tokens 5020
  const t = await load(fixture("otel_js_openllmetry_anthropic.txt"));
  assert.deepEqual(rows(t.calls, "input_tokens", "total_tokens", "cache_read_tokens"), [
    { input_tokens: 5000 + 800 + 200, total_tokens: 5020 + 800 + 200, cache_read_tokens: 800 },
  ]);
});

Deno.test("otel_js: OpenLLMetry JS's and OpenInference's Bedrock instrumentations name a Nova model without its vendor (nova-pro-v1:0), priced as Bedrock's amazon.nova-pro-v1:0", async () => {
  // ConsoleSpanExporter (sdk-trace-base 2.12.1) of @traceloop/instrumentation-bedrock 0.27.0 and
  // of @arizeai/openinference-instrumentation-bedrock 0.5.1, for InvokeModel and Converse of
  // @aws-sdk/client-bedrock-runtime 3.1164.0 on amazon.nova-pro-v1:0 / us.amazon.nova-pro-v1:0
  // against a local mock answering InvokeModel with usage {inputTokens: 300, outputTokens: 25}
  // (OpenLLMetry records no usage for Converse)
  const t = await load(fixture("otel_js_bedrock_nova.txt"));
  // Nova Pro on Bedrock: $0.80/M input, $3.20/M output: 300 × 0.8 + 25 × 3.2 = 320 per million
  const cost = (300 * 0.8 + 25 * 3.2) / 1e6; // 0.00032
  assert.deepEqual(rows(t.calls, "model", "provider", "input_tokens", "cost_usd"), [
    { model: "nova-pro-v1:0", provider: "aws.bedrock", input_tokens: 300, cost_usd: cost },
    { model: "nova-pro-v1:0", provider: "aws.bedrock", input_tokens: null, cost_usd: null },
    { model: "nova-pro-v1:0", provider: "aws", input_tokens: 300, cost_usd: cost },
  ]);
});

Deno.test("otel_js: OpenInference's Bedrock instrumentation (its scope) counts the cache in the input: recorded beside it (InvokeModel) or in the Converse response it records", async () => {
  // ConsoleSpanExporter (sdk-trace-base 2.12.1) of @arizeai/openinference-instrumentation-bedrock
  // 0.5.1 for @aws-sdk/client-bedrock-runtime 3.1164.0 against a local mock: Converse answering
  // usage {inputTokens: 120, outputTokens: 35, totalTokens: 1355, cacheReadInputTokens: 1000,
  // cacheWriteInputTokens: 200} (the span: prompt 120, total 1355, the cache only in output.value);
  // ConverseStream {inputTokens: 50, outputTokens: 12, totalTokens: 362, cacheReadInputTokens: 300}
  // (the span: prompt 50, total 362, no cache count anywhere); InvokeModel with an Anthropic body,
  // usage {input_tokens: 80, output_tokens: 20, cache_read_input_tokens: 2000,
  // cache_creation_input_tokens: 500} (the span: prompt 80, cache_read 2000, cache_write 500)
  const t = await load(fixture("otel_js_openinference_bedrock.txt"));
  assert.deepEqual(rows(t.calls, ...TOKENS, "cache_write_tokens", "cost_usd"), [
    {
      input_tokens: 120 + 1000 + 200,
      output_tokens: 35,
      total_tokens: 1355,
      cache_read_tokens: 1000,
      reasoning_tokens: null,
      cache_write_tokens: 200,
      // Claude 3.5 Haiku: $0.80/M input, $0.08/M cache read, $1/M cache write, $4/M output:
      // 120 × 0.8 + 1000 × 0.08 + 200 × 1 + 35 × 4 = 96 + 80 + 200 + 140 = 516 per million
      cost_usd: 0.000516,
    },
    {
      // the 300 cached tokens its total counts are named nowhere: read as written
      input_tokens: 50,
      output_tokens: 12,
      total_tokens: 362,
      cache_read_tokens: null,
      reasoning_tokens: null,
      cache_write_tokens: null,
      cost_usd: (50 * 0.8 + 12 * 4) / 1e6, // 0.000088
    },
    {
      input_tokens: 80 + 2000 + 500,
      output_tokens: 20,
      total_tokens: 80 + 2000 + 500 + 20,
      cache_read_tokens: 2000,
      reasoning_tokens: null,
      cache_write_tokens: 500,
      // Claude 3.5 Sonnet v2: $3/M input, $0.30/M read, $3.75/M write, $15/M output:
      // 80 × 3 + 2000 × 0.3 + 500 × 3.75 + 20 × 15 = 240 + 600 + 1875 + 300 = 3015 per million
      cost_usd: 0.003015,
    },
  ]);
});

Deno.test("otel_js: OpenInference's Bedrock instrumentation leaves an InvokeModel Anthropic body's system out of its messages: the request's (input.value) is in the prompt", async () => {
  // the same capture: Converse's system is a message of its own (llm.input_messages.0, role
  // system), InvokeModel's ("system": "You answer briefly.") is only in input.value
  const t = await load(fixture("otel_js_openinference_bedrock.txt"));
  assert.deepEqual(rows(t.calls, "prompt_chars", "output_chars"), [
    // "You are a geography tutor." 26 + "What is the capital of France?" 30; "Paris is the capital
    // of France." 31
    { prompt_chars: 26 + 30, output_chars: 31 },
    { prompt_chars: 10, output_chars: 19 }, // "Say hello."; "Hello from Bedrock!"
    // "You answer briefly." 19 + "What is six times seven?" 24 (was 24); "The answer is 42." 17
    { prompt_chars: 19 + 24, output_chars: 17 },
  ]);
});

Deno.test("otel_js: OpenInference's Bedrock instrumentation records a cross-region model id cut to its vendor (amazon): the request's modelId is the model", async () => {
  // ConsoleSpanExporter (sdk-trace-base 2.12.1) of @arizeai/openinference-instrumentation-bedrock
  // 0.5.1: a Converse of us.amazon.nova-pro-v1:0 (@aws-sdk/client-bedrock-runtime 3.1164.0)
  // against a local mock answering usage {inputTokens: 120, outputTokens: 35, totalTokens: 1355,
  // cacheReadInputTokens: 1000, cacheWriteInputTokens: 200}; the span says llm.model_name "amazon"
  const t = await load(fixture("otel_js_openinference_bedrock_cross_region.txt"));
  assert.deepEqual(rows(t.calls, "model", "served_model", "provider", "input_tokens", "cost_usd"), [
    {
      model: "us.amazon.nova-pro-v1:0", // was "amazon", unpriced
      served_model: "us.amazon.nova-pro-v1:0",
      provider: "aws",
      input_tokens: 120 + 1000 + 200,
      // Nova Pro on Bedrock: $0.80/M input (cache writes are input), $0.20/M cache reads, $3.20/M
      // output: 120 × 0.8 + 200 × 0.8 + 1000 × 0.2 + 35 × 3.2 = 96 + 160 + 200 + 112 = 568 per million
      cost_usd: 0.000568,
    },
  ]);
});

Deno.test("otel_js: Gemini CLI's telemetry outfile: its llm_call spans are its calls, with the tokens, duration and errors of its api_response and api_error events; its log records are events, not spans", async () => {
  // Gemini CLI 0.61.0 (settings.json telemetry {enabled, target: "local", outfile}) run twice
  // against a local mock of streamGenerateContent: a list_directory round trip (the mock's
  // usageMetadata {promptTokenCount: 1000, cachedContentTokenCount: 600, candidatesTokenCount: 40,
  // thoughtsTokenCount: 25, totalTokenCount: 1065}, then {1300, 900, 20, 0, 1320}), and a prompt
  // whose first request the mock answered with a 503 (retried); an excerpt of the file it wrote
  const t = await loadAs(fixture("otel_js_gemini_cli_0.61.0_outfile.json"), "otel_js");
  const ok = "146366dc-aa37-41f6-913a-e25a7e4e7d7a",
    retried = "04faebf1-38cc-45d0-8065-d39a7973e704";
  assert.deepEqual(
    rows(
      t.calls,
      "session_id",
      "request_id",
      "model",
      "served_model",
      "provider",
      "status",
      "line",
    ),
    [
      // the span's requested model; the version the response named (the mock's modelVersion)
      {
        session_id: ok,
        request_id: "a2e51ab5cd0bfd06",
        model: "gemini-2.5-flash",
        served_model: "gemini-2.5-flash-001",
        provider: "google",
        status: "ok",
        line: 1,
      },
      {
        session_id: ok,
        request_id: "f1d0081d7088cc5b",
        model: "gemini-2.5-flash",
        served_model: "gemini-2.5-flash-001",
        provider: "google",
        status: "ok",
        line: 50,
      },
      {
        session_id: retried,
        request_id: "671a7b1c1cdd04a3",
        model: "gemini-2.5-flash",
        served_model: null,
        provider: "google",
        status: "error",
        line: 373,
      },
    ],
  );
  assert.deepEqual(rows(t.calls, ...TOKENS), [
    // input: the prompt, cache included (+ tool_token_count 0); output: the answer + the thinking
    {
      input_tokens: 1000,
      output_tokens: 40 + 25,
      total_tokens: 1065,
      cache_read_tokens: 600,
      reasoning_tokens: 25,
    },
    {
      input_tokens: 1300,
      output_tokens: 20 + 0,
      total_tokens: 1320,
      cache_read_tokens: 900,
      reasoning_tokens: 0,
    },
    {
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      cache_read_tokens: null,
      reasoning_tokens: null,
    },
  ]);
  assert.equal(
    t.calls.getColumn("error").toArray()[2],
    '{"error":{"code":503,"message":"mock: overloaded","status":"UNAVAILABLE"}}',
  );
  // one call a request: 2 spans' calls and 2 responses are 2 calls, not 4; the log records are
  // events of their names (no longer spans repeating the llm_call span, nor bad spans)
  assert.deepEqual(
    (t.events.getColumn("type").toArray() as string[]).filter((x) => x.startsWith("gemini_cli.")),
    [
      "gemini_cli.api_request",
      "gemini_cli.api_response",
      "gemini_cli.api_request",
      "gemini_cli.api_response",
      "gemini_cli.api_request",
      "gemini_cli.api_error",
    ],
  );
  assert.deepEqual(rows(t.diagnostics, "code"), []);
});
