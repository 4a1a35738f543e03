/**
 * Firebase Genkit's traces: its model actions read as calls by the span rules (`_spans.ts`) in
 * every span format, and its trace store (`.genkit/traces/<traceId>`) read as the `genkit` format.
 *
 * The fixtures are excerpts of one Genkit app (genkit 1.42.0, `@genkit-ai/compat-oai` and
 * `@genkit-ai/google-genai` 1.42.0, Node 20) run against a local mock of OpenAI's Chat Completions
 * and Gemini's generateContent, whose every count and text was chosen there:
 * - OpenAI `gpt-4o-mini`, served as `gpt-4o-mini-2024-07-18`: "Say hello." → "Hello from mock
 *   OpenAI." with usage 1000 prompt (800 cached), 200 completion (150 reasoning), 1200 total; a
 *   prompt "FAIL now." refused with a 400 ("mock bad request"); a flow `weatherFlow` whose generate
 *   called the tool getWeather (120/15/135, `tool_calls`), then answered "It is sunny in Paris."
 *   (160 prompt, 64 cached, 12 completion, 172 total);
 * - Gemini `gemini-2.5-flash`: system "Be brief." and "Say hello." → "Hello from mock Gemini."
 *   with usageMetadata 2000 prompt (1500 cached), 100 tool-use prompt, 40 candidates, 300 thoughts,
 *   2440 total; streamed, "Stream please." → "Gemini " + "streams." with 30 prompt, 9 candidates,
 *   21 thoughts, 60 total; a prompt "FAIL now." refused with a 400 ("mock invalid argument").
 * A second app, with `@genkit-ai/anthropic` 0.3.0 against a mock of Anthropic's Messages API, is
 * described at its test.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixture, loadAs, rows, TOKENS } from "./_helpers.ts";
import { loadTraces } from "../../../src/load/mod.ts";
import { parseGenkitText } from "../../../src/load/formats/genkit.ts";

const CALL = ["model", "served_model", "provider", "status", ...TOKENS];

Deno.test("otel_js: Genkit's model actions are calls, its generate steps that repeat their usage are events; the thinking Genkit counts apart is output", async () => {
  // ConsoleSpanExporter (SDK 1.25.1, given to Genkit's enableTelemetry as a span processor): the
  // two Gemini generates, each a `generate` util span above its model action span
  const t = await loadAs(fixture("otel_js_genkit_1.42.0.txt"), "otel_js");
  assert.deepEqual(rows(t.calls, ...CALL, "prompt_chars", "output_chars", "finish_reason"), [
    {
      model: "gemini-2.5-flash", // googleai/gemini-2.5-flash: the plugin's namespace is the provider
      served_model: "gemini-2.5-flash", // the response's modelVersion
      provider: "google",
      status: "ok",
      input_tokens: 2000 + 100, // the prompt and the tools' prompt (Genkit's inputTokens: 2000)
      output_tokens: 40 + 300, // the answer and the thinking (Genkit's outputTokens: 40)
      total_tokens: 2440,
      cache_read_tokens: 1500,
      reasoning_tokens: 300,
      prompt_chars: "Be brief.".length + "Say hello.".length, // 19
      output_chars: "Hello from mock Gemini.".length, // 23
      finish_reason: "STOP",
    },
    {
      model: "gemini-2.5-flash",
      served_model: null, // the streamed response Genkit keeps names no modelVersion
      provider: "google",
      status: "ok",
      input_tokens: 30,
      output_tokens: 9 + 21,
      total_tokens: 60,
      cache_read_tokens: null,
      reasoning_tokens: 21,
      prompt_chars: "Stream please.".length, // 14
      output_chars: "Gemini streams.".length, // 15
      finish_reason: "STOP",
    },
  ]);
  assert.equal(t.events.height, 4);
  assert.equal(t.diagnostics.height, 0);
  // Gemini 2.5 Flash: $0.30/M input, $0.03/M cache reads, $2.50/M output:
  // 600 × 0.30 + 1500 × 0.03 + 340 × 2.50 = 180 + 45 + 850 = 1075 per million
  const cost = t.calls.getColumn("cost_usd").toArray()[0] as number;
  assert.ok(Math.abs(cost - 0.001075) < 1e-12, String(cost));
});

Deno.test("otlp: a Genkit model action over compat-oai takes the cache reads, reasoning and served model of the OpenAI response it keeps (raw); a failed action is an error call", async () => {
  // the OTLP/JSON requests of @opentelemetry/exporter-trace-otlp-http 0.52.1, one a line: the
  // OpenAI call and the refused one, each with its generate span (resource and stack trace trimmed)
  const t = await loadAs(fixture("otlp_genkit_1.42.0.jsonl"), "otlp");
  assert.deepEqual(
    rows(t.calls, ...CALL, "error", "prompt_chars", "output_chars", "finish_reason"),
    [
      {
        model: "gpt-4o-mini",
        served_model: "gpt-4o-mini-2024-07-18",
        provider: "openai",
        status: "ok",
        input_tokens: 1000,
        output_tokens: 200,
        total_tokens: 1200,
        cache_read_tokens: 800, // only in raw.usage.prompt_tokens_details
        reasoning_tokens: 150, // only in raw.usage.completion_tokens_details
        error: null,
        prompt_chars: "Say hello.".length, // 10
        output_chars: "Hello from mock OpenAI.".length, // 23
        finish_reason: "stop",
      },
      {
        model: "gpt-4o-mini",
        served_model: null,
        provider: "openai",
        status: "error",
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        cache_read_tokens: null,
        reasoning_tokens: null,
        error: "INVALID_ARGUMENT: 400 mock bad request",
        prompt_chars: "FAIL now.".length, // 9
        output_chars: null,
        finish_reason: null,
      },
    ],
  );
  assert.equal(t.events.height, 4);
});

Deno.test("otlp: a Genkit model action over @genkit-ai/anthropic counts the cache reads and writes of Anthropic's message (raw) in its input, as Genkit's inputTokens do not", async () => {
  // the OTLP/JSON requests of @opentelemetry/exporter-trace-otlp-http 0.52.1 for genkit 1.42.0 and
  // @genkit-ai/anthropic 0.3.0 (@anthropic-ai/sdk 0.97.1) against a local mock of the Messages API
  // (ANTHROPIC_BASE_URL), served as claude-sonnet-4-5-20250929: system "Be brief." and "Say hello."
  // → "Hello from mock Claude." with usage {input_tokens: 40, cache_read_input_tokens: 2000,
  // cache_creation_input_tokens: 500, output_tokens: 120}; streamed, "Stream please." → "Streamed
  // " + "Claude." with {25, 1000 read, 0 written, 30 output}; the two model action spans alone
  // (resource trimmed)
  const t = await loadAs(fixture("otlp_genkit_anthropic_0.3.0.jsonl"), "otlp");
  assert.deepEqual(
    rows(t.calls, ...CALL, "cache_write_tokens", "cost_usd", "prompt_chars", "finish_reason"),
    [
      {
        model: "claude-sonnet-4-5",
        served_model: "claude-sonnet-4-5-20250929",
        provider: "anthropic",
        status: "ok",
        input_tokens: 40 + 2000 + 500, // Genkit's inputTokens: 40
        output_tokens: 120,
        total_tokens: 40 + 2000 + 500 + 120,
        cache_read_tokens: 2000,
        reasoning_tokens: null,
        cache_write_tokens: 500,
        // Sonnet 4.5 per million: $3 input, $0.30 cache read, $3.75 cache write, $15 output
        cost_usd: (40 * 3 + 2000 * 0.3 + 500 * 3.75 + 120 * 15) / 1e6, // 0.004395
        prompt_chars: "Be brief.".length + "Say hello.".length, // 19
        finish_reason: "end_turn",
      },
      {
        model: "claude-sonnet-4-5",
        served_model: "claude-sonnet-4-5-20250929",
        provider: "anthropic",
        status: "ok",
        input_tokens: 25 + 1000,
        output_tokens: 30,
        total_tokens: 25 + 1000 + 30,
        cache_read_tokens: 1000,
        reasoning_tokens: null,
        cache_write_tokens: 0,
        cost_usd: (25 * 3 + 1000 * 0.3 + 30 * 15) / 1e6, // 0.000825
        prompt_chars: "Stream please.".length, // 14
        finish_reason: "end_turn",
      },
    ],
  );
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("genkit: a trace store file's model actions are calls, its flow, generate steps and tool are events; a tool's result given back counts in the prompt", async () => {
  // .genkit/traces/d1fc63ce845a6561630dbe6d9fe30af1 as Genkit's telemetry server 1.42.0 wrote it
  const t = await loadAs(fixture("genkit_1.42.0_flow_trace.json"), "genkit");
  assert.deepEqual(
    rows(t.calls, ...CALL, "prompt_chars", "output_chars", "finish_reason", "span_id"),
    [
      {
        model: "gpt-4o-mini",
        served_model: "gpt-4o-mini-2024-07-18",
        provider: "openai",
        status: "ok",
        input_tokens: 120,
        output_tokens: 15,
        total_tokens: 135,
        cache_read_tokens: null,
        reasoning_tokens: null,
        prompt_chars: "Weather in Paris?".length, // 17
        output_chars: 0, // a tool request alone
        finish_reason: "tool_calls",
        span_id: "4f25b57729a55619",
      },
      {
        model: "gpt-4o-mini",
        served_model: "gpt-4o-mini-2024-07-18",
        provider: "openai",
        status: "ok",
        input_tokens: 160,
        output_tokens: 12,
        total_tokens: 172,
        cache_read_tokens: 64,
        reasoning_tokens: null,
        prompt_chars: "Weather in Paris?".length + "sunny in Paris".length, // 17 + 14
        output_chars: "It is sunny in Paris.".length, // 21
        finish_reason: "stop",
        span_id: "1c6fddfdf797cbf8",
      },
    ],
  );
  // the first call's startTime 1796227936816 and endTime 1796227936999.823 (ms)
  assert.equal(t.calls.getColumn("duration_s").toArray()[0], 0.183823);
  assert.deepEqual(t.events.getColumn("type").toArray().sort(), [
    "genkit.generate",
    "genkit.generate",
    "genkit.getWeather",
    "genkit.openai/gpt-4o-mini",
    "genkit.openai/gpt-4o-mini",
    "genkit.weatherFlow",
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "calls"), [
    { session_id: "d1fc63ce845a6561630dbe6d9fe30af1", calls: 2 },
  ]);
});

Deno.test("genkit: a failed model action in the trace store is an error call (status code 2, its exception time event)", async () => {
  const t = await loadAs(fixture("genkit_1.42.0_error_trace.json"), "genkit");
  assert.deepEqual(rows(t.calls, "model", "provider", "status", "error", "duration_s"), [
    {
      model: "gemini-2.5-flash",
      provider: "google",
      status: "error",
      error:
        "INVALID_ARGUMENT: Error fetching from http://127.0.0.1:18431/v1beta/models/gemini-2.5-flash:generateContent: [400 Bad Request] mock invalid argument",
      duration_s: 0.179149, // 1796227936776.1492 − 1796227936597 ms
    },
  ]);
});

Deno.test("genkit: a span that is not one, an unended span and a model named without a namespace", () => {
  const model = {
    "genkit:type": "action",
    "genkit:metadata:subtype": "model",
    "genkit:name": "echoModel",
  };
  const r = parseGenkitText(
    JSON.stringify({
      traceId: "ab",
      spans: {
        c1: { spanId: "c1", traceId: "ab", startTime: 1700000000000, attributes: model },
        c2: "not a span",
      },
    }),
    "ab",
  );
  assert.deepEqual(r.calls.map((c) => [c.model, c.provider, c.status]), [
    ["echoModel", null, "pending"],
  ]);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.message]), [
    ["genkit_bad_span", 'span "c2" is not loaded: it is not a span object'],
  ]);
});

// Genkit's sessions, in a real run of each of its session APIs against a mock model plugin
// (`mock/echo`: "hello" → "answer 1", 12 in / 3 out; "again" → "answer 2", 20 in / 5 out), two
// turns, each its own trace, sent to @genkit-ai/telemetry-server's trace store. The fixtures hold
// the two trace store files one per line, without their `render` spans and the texts of the
// spans that are not model actions:
// - genkit 1.42.0, `defineAgent(…).chat()`, `send` twice: the agent's action span names its
//   session as `genkit:metadata:agent:sessionId` (`setCustomMetadataAttributes` in agent.js);
// - genkit 1.38.0, `createSession().chat()`, `send` twice: the chat's `send` span names it as
//   `genkit:sessionId` (SESSION_ID_ATTR in chat.js, beside `genkit:threadName`).
const AGENT_SESSION = "0fc8f61d-02c9-4a83-b8f3-d58542182c03";
const CHAT_SESSION = "9204d701-1f20-4348-9635-ce4614b873f7";

Deno.test("genkit: the session an agent (genkit:metadata:agent:sessionId) or a chat (genkit:sessionId) names is the session of its turns' traces", async () => {
  for (
    const [name, session, traces] of [
      ["genkit_1.42.0_agent_traces.jsonl", AGENT_SESSION, [
        "d5e1d1cc0f444c7650417b15e159217c",
        "7abbd726d7a3c8663fd3b925f1ec1233",
      ]],
      ["genkit_1.38.0_chat_traces.jsonl", CHAT_SESSION, [
        "de3dc44c6be1c3a454fc2fc2130e4e58",
        "9ac29702b85c1920ff5bddbbf2468f6a",
      ]],
    ] as const
  ) {
    const t = await loadAs(fixture(name), "genkit");
    assert.deepEqual(rows(t.calls, "session_id", "trace_id", "input_tokens", "output_tokens"), [
      { session_id: session, trace_id: traces[0], input_tokens: 12, output_tokens: 3 },
      { session_id: session, trace_id: traces[1], input_tokens: 20, output_tokens: 5 },
    ], name);
    // one session of both turns (was one per trace)
    assert.deepEqual(rows(t.sessions, "session_id", "calls"), [{ session_id: session, calls: 2 }]);
  }
});

Deno.test("genkit: a folder given finds the trace store files under it (.genkit/traces/<traceId>), not its index", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-genkit-" });
  try {
    // the project folder as the telemetry server leaves it: one file a trace, and its index
    Deno.mkdirSync(join(dir, ".genkit", "traces"), { recursive: true });
    Deno.mkdirSync(join(dir, ".genkit", "traces_idx"), { recursive: true });
    Deno.writeTextFileSync(
      join(dir, ".genkit", "traces_idx", "genkit.metadata"),
      '{"version":"1"}',
    );
    const lines = Deno.readTextFileSync(fixture("genkit_1.42.0_agent_traces.jsonl")).trim()
      .split("\n");
    for (const line of lines) {
      Deno.writeTextFileSync(join(dir, ".genkit", "traces", JSON.parse(line).traceId), line);
    }
    const t = await loadTraces(dir, { cache: false });
    assert.deepEqual(t.files, [
      join(dir, ".genkit", "traces", "7abbd726d7a3c8663fd3b925f1ec1233"),
      join(dir, ".genkit", "traces", "d5e1d1cc0f444c7650417b15e159217c"),
    ]);
    assert.deepEqual(rows(t.sessions, "session_id", "calls"), [
      { session_id: AGENT_SESSION, calls: 2 },
    ]);
    assert.equal(t.calls.getColumn("format").toArray().join(), "genkit,genkit");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
