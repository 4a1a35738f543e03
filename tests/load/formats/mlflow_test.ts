import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import pl from "nodejs-polars";
import { realFixture } from "../../_helpers.ts";
import { detectFormat, fromTraceText, sampleFile } from "../../../src/load/mod.ts";
import { parseMlflowText } from "../../../src/load/formats/mlflow.ts";
import { fixture, load, loadAs, rows } from "./_helpers.ts";

// Hand-written fixtures, from MLflow's documented shapes (mlflow/entities/span.py and
// trace_info.py): an MLflow 2 `Trace.to_json()` (context ids in 0x hex, ns times,
// status_code) and MLflow 3 ones one per line (info.trace_id, trace_metadata, span dict v4).
const V2 = fixture("mlflow2_trace.json");
const V3 = fixture("mlflow3_traces.jsonl");

Deno.test("mlflow: an MLflow 2 Trace.to_json(): CHAT_MODEL spans are calls, the CHAIN root is not, exception events are errors", async () => {
  const t = await loadAs(V2, "mlflow");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "session_id",
      "model",
      "served_model",
      "status",
      "error",
      "parent_span_id",
    ),
    [
      {
        request_id: "00000000000000a2",
        session_id: "tr-abc", // info.request_id
        model: "gpt-4o-mini", // mlflow.spanInputs.model (the request)
        served_model: "gpt-4o-mini-2024-07-18", // mlflow.spanOutputs.model (the response)
        status: "ok",
        error: null,
        parent_span_id: "00000000000000a1",
      },
      {
        request_id: "00000000000000a3",
        session_id: "tr-abc",
        model: "gpt-4o", // invocation_params.model_name (LangChain)
        served_model: null,
        status: "error",
        error: "Rate limit reached", // status_message is empty: the exception event's message
        parent_span_id: "00000000000000a1",
      },
    ],
  );
  // the root CHAIN's usage (150/20) is not a call's
  assert.deepEqual(
    rows(
      t.calls,
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "duration_s",
    ),
    [
      // 0.1 s → 1.6 s
      {
        input_tokens: 100,
        output_tokens: 20,
        total_tokens: 120,
        cache_read_tokens: 30,
        duration_s: 1.5,
      },
      // 2.0 s → 2.5 s
      {
        input_tokens: 50,
        output_tokens: 0,
        total_tokens: 50,
        cache_read_tokens: null,
        duration_s: 0.5,
      },
    ],
  );
  assert.deepEqual(t.events.groupBy("type").len().sort("type").toRecords(), [
    { type: "mlflow.chain", len: 1 },
    { type: "mlflow.chat_model", len: 2 },
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "duration_s", "complete", "calls", "errors"), [
    { session_id: "tr-abc", duration_s: 4, complete: true, calls: 2, errors: 1 },
  ]);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("mlflow: MLflow 3 traces one per line: mlflow.llm.model, the session in trace_metadata, IN_PROGRESS unfinished", async () => {
  const t = await loadAs(V3, "mlflow");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "session_id",
      "model",
      "provider",
      "status",
      "input_tokens",
      "output_tokens",
      "cache_write_tokens",
      "duration_s",
      "line",
    ),
    [
      {
        request_id: "a1b2c3d4e5f60718",
        session_id: "chat-42", // trace_metadata["mlflow.trace.session"]
        model: "claude-sonnet-4",
        provider: "anthropic",
        status: "ok",
        input_tokens: 12,
        output_tokens: 8,
        cache_write_tokens: 4,
        duration_s: 2.5,
        line: 1,
      },
      {
        request_id: "b1b2c3d4e5f60718",
        session_id: "tr-222", // no session: the trace id
        model: "gpt-4.1",
        provider: "openai", // none in the file: the price table's, for gpt-4.1
        status: "pending", // end_time_unix_nano null
        input_tokens: null,
        output_tokens: null,
        cache_write_tokens: null,
        duration_s: null,
        line: 2,
      },
    ],
  );
  // the span dict v4 names the OTel trace apart from the MLflow id
  assert.deepEqual(rows(t.calls, "trace_id"), [{ trace_id: "0000000000000000000000000000abcd" }, {
    trace_id: "tr-222",
  }]);
  assert.deepEqual(rows(t.sessions.sort("session_id"), "session_id", "complete"), [
    { session_id: "chat-42", complete: true },
    { session_id: "tr-222", complete: false },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code"), [{
    line: 3,
    code: "mlflow_unknown_record",
  }]);
});

Deno.test("mlflow: spans MLflow exported as OTLP keep their JSON-encoded values: decoded before the call rules", () => {
  const attr = (key: string, value: unknown) => ({
    key,
    value: { stringValue: JSON.stringify(value) },
  });
  const span = (
    id: string,
    parent: string,
    type: string,
    extra: { key: string; value: unknown }[],
  ) => ({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: id,
    parentSpanId: parent,
    name: type,
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000800000000",
    attributes: [attr("mlflow.spanType", type), attr("mlflow.traceRequestId", "tr-9"), ...extra],
  });
  const doc = {
    resourceSpans: [{
      scopeSpans: [{
        spans: [
          span("00000000000000b1", "", "AGENT", [
            attr("mlflow.chat.tokenUsage", { input_tokens: 9, output_tokens: 9 }),
          ]),
          span("00000000000000b2", "00000000000000b1", "CHAT_MODEL", [
            attr("model", "gpt-4o-mini"),
            attr("mlflow.chat.tokenUsage", { input_tokens: 7, output_tokens: 2, total_tokens: 9 }),
          ]),
        ],
      }],
    }],
  };
  const t = fromTraceText(JSON.stringify(doc), { file: "mlflow-otlp.json" });
  // the CHAT_MODEL span is the one call (0.8 s); the AGENT span's usage is not counted
  assert.deepEqual(
    rows(
      t.calls,
      "format",
      "request_id",
      "model",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "duration_s",
    ),
    [
      {
        format: "otlp",
        request_id: "00000000000000b2",
        model: "gpt-4o-mini",
        input_tokens: 7,
        output_tokens: 2,
        total_tokens: 9,
        duration_s: 0.8,
      },
    ],
  );
});

Deno.test("mlflow: an MLflow 2 autolog artifact without mlflow.chat.tokenUsage: the response's usage (OpenAI, LangChain)", async () => {
  const path = fixture("mlflow2_autolog_artifact.json");
  const t = await loadAs(path, "mlflow");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "served_model",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "reasoning_tokens",
      "duration_s",
    ),
    [
      // OpenAI autolog: the request's `model` attribute, the response's model and usage
      {
        request_id: "0000000000000c02",
        model: "gpt-4o-mini",
        served_model: "gpt-4o-mini-2024-07-18",
        input_tokens: 30,
        output_tokens: 12,
        total_tokens: 42,
        cache_read_tokens: 10,
        reasoning_tokens: 0,
        duration_s: 1,
      },
      // LangChain autolog: invocation_params.model_name, llm_output's model and token_usage
      {
        request_id: "0000000000000c03",
        model: "gpt-4o",
        served_model: "gpt-4o-2024-08-06",
        input_tokens: 100,
        output_tokens: 50,
        total_tokens: 150,
        cache_read_tokens: null,
        reasoning_tokens: null,
        duration_s: 2,
      },
    ],
  );
  // the OpenAI call's text: its arguments' messages ("hi") and first choice ("hello")
  assert.deepEqual(rows(t.calls, "prompt_chars", "output_chars", "finish_reason"), [
    { prompt_chars: 2, output_chars: 5, finish_reason: "stop" },
    { prompt_chars: null, output_chars: null, finish_reason: null },
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "calls"), [{ session_id: "r-1", calls: 2 }]);
});

const real = realFixture("mlflow/llamaindex-ollama-6eebff57.traces.json");
Deno.test({
  name:
    "mlflow: the real LlamaIndex/Ollama artifact: 6 CHAT_MODEL calls, 5 ok and 1 pending, the error on the CHAIN root",
  ignore: real === undefined,
  async fn() {
    // independent reading: plain JSON.parse, attribute values decoded one by one
    // deno-lint-ignore no-explicit-any
    const spans: any[] = JSON.parse(readFileSync(real!, "utf8")).spans;
    // deno-lint-ignore no-explicit-any
    const attr = (s: any, k: string) =>
      s.attributes[k] === undefined ? undefined : JSON.parse(s.attributes[k]);
    const chat = spans.filter((s) => attr(s, "mlflow.spanType") === "CHAT_MODEL");
    const ended = chat.filter((s) => s.end_time_unix_nano !== null);
    const usage = ended.map((s) => attr(s, "usage"));
    const durations = ended.map((s) => (s.end_time_unix_nano - s.start_time_unix_nano) / 1e9).sort((
      a,
      b,
    ) => a - b);
    assert.equal(chat.length, 6);
    assert.equal(ended.length, 5);
    // no CHAT_MODEL span is below another one (their parents are the invoke_llm CHAIN spans)
    const chatIds = new Set(chat.map((s) => s.span_id));
    assert.ok(chat.every((s) => !chatIds.has(s.parent_span_id)));
    const input = usage.reduce((a, u) => a + u.prompt_tokens, 0);
    const output = usage.reduce((a, u) => a + u.completion_tokens, 0);
    // by hand: 1647 + 1743 + 2028 + 2314 + 2499 and 62 + 40 + 143 + 71 + 119
    assert.equal(input, 10231);
    assert.equal(output, 435);

    assert.equal(detectFormat(sampleFile(real!))?.name, "mlflow");
    const t = await load(real!);
    assert.equal(t.diagnostics.height, 0);
    assert.equal(t.calls.height, 6);
    assert.deepEqual(t.calls.groupBy("status").len().sort("status").toRecords(), [
      { status: "ok", len: 5 },
      { status: "pending", len: 1 },
    ]);
    assert.deepEqual([...new Set(t.calls.getColumn("model").toArray())], ["llama3.1:latest"]);
    assert.equal(t.calls.getColumn("input_tokens").sum(), input);
    assert.equal(t.calls.getColumn("output_tokens").sum(), output);
    assert.equal(t.calls.getColumn("total_tokens").sum(), input + output);
    assert.equal(t.calls.getColumn("cache_read_tokens").nullCount(), 6);
    // latency: tracebook keeps µs; the file's ns differ by less than 1 µs per end
    const got = (t.calls.getColumn("duration_s").toArray().filter((d) => d !== null) as number[])
      .sort((a, b) => a - b);
    assert.equal(got.length, durations.length);
    got.forEach((d, i) => assert.ok(Math.abs(d - durations[i]!) < 2e-6, `${d} vs ${durations[i]}`));
    // by hand, end − start in ns: achat_1 5298904400, achat_2 3272645400, achat_3 11290540500,
    // achat_4 5764588700, achat_5 9540426600: p50 (3rd of 5) is achat_4, max achat_3
    // (JSON.parse holds these ns in doubles: 256 ns apart)
    [3.2726454, 5.2989044, 5.7645887, 9.5404266, 11.2905405].forEach((d, i) =>
      assert.ok(Math.abs(durations[i]! - d) < 5e-7)
    );
    // the pending call is Ollama.achat_6 ("4zySQymwZf4=" in base64)
    assert.deepEqual(rows(t.calls.filter(pl.col("status").eq(pl.lit("pending"))), "request_id"), [
      { request_id: "e33c924329b065fe" },
    ]);
    // 42 spans: 28 CHAIN (2 ERROR, not calls), 8 TOOL, 6 CHAT_MODEL; one unfinished session
    assert.equal(t.events.height, spans.length);
    assert.deepEqual(t.events.groupBy("type").len().sort("type").toRecords(), [
      { type: "mlflow.chain", len: 28 },
      { type: "mlflow.chat_model", len: 6 },
      { type: "mlflow.tool", len: 8 },
    ]);
    // the failures are on CHAIN spans (Workflow.run: CancelledError; ReActOutputParser.parse_5):
    // kept on their events, not calls
    const failed = spans.filter((s) => s.status.code === "STATUS_CODE_ERROR").map((s) => s.name)
      .sort();
    assert.deepEqual(failed, ["ReActOutputParser.parse_5", "Workflow.run"]);
    const failedEvents = t.events.filter(pl.col("payload").str.contains(`"status":"error"`, true));
    assert.deepEqual(
      failedEvents.getColumn("payload").toArray().map((p) => JSON.parse(p as string).name).sort(),
      failed,
    );
    assert.deepEqual(rows(t.sessions, "session_id", "complete", "calls", "errors"), [
      // mlflow.traceRequestId
      { session_id: "6eebff57412c4286bee9120e3202ec2d", complete: false, calls: 6, errors: 0 },
    ]);
  },
});

Deno.test("mlflow: a trace of 100,000 spans reads (its session found without one argument per span), the session named by its last span", () => {
  const n = 100_000;
  const spans = Array.from({ length: n }, (_, i) => ({
    trace_id: "t",
    span_id: `s${i}`,
    parent_span_id: "",
    name: "step",
    start_time_unix_nano: 1_700_000_000_000_000_000 + i * 1_000_000,
    end_time_unix_nano: 1_700_000_000_001_000_000 + i * 1_000_000,
    attributes: {
      "mlflow.spanType": '"CHAIN"',
      ...(i === n - 1 ? { "mlflow.trace.session": '"conversation-7"' } : {}),
    },
    events: [],
  }));
  const r = parseMlflowText(JSON.stringify({ spans }), "big.json");
  assert.equal(r.calls.length, 0);
  assert.equal(r.events.length, n);
  assert.deepEqual([...new Set(r.events.map((e) => e.session_id))], ["conversation-7"]);
});

Deno.test("mlflow: what `mlflow traces search --output json` prints ({traces: [trace.to_dict()], next_page_token}): two Databricks traces, one call failed with an exception event", async () => {
  type MlSpan = {
    span_id: string;
    start_time_unix_nano: number;
    end_time_unix_nano: number;
    status: { code: string };
    events: { name: string; attributes: Record<string, string> }[];
    attributes: Record<string, string>;
  };
  const path = fixture("mlflow3_cli_search_databricks.json");
  // read here: every attribute value is JSON text
  const doc = JSON.parse(readFileSync(path, "utf8")) as {
    traces: { info: { trace_id: string }; data: { spans: MlSpan[] } }[];
  };
  const expected = doc.traces.flatMap((t) =>
    t.data.spans
      .filter((s) => JSON.parse(s.attributes["mlflow.spanType"]!) === "CHAT_MODEL")
      .map((s) => {
        const usage = s.attributes["mlflow.chat.tokenUsage"];
        const exception = s.events.find((e) => e.name === "exception");
        return {
          session_id: t.info.trace_id,
          request_id: s.span_id,
          status: s.status.code === "STATUS_CODE_ERROR" ? "error" : "ok",
          error: exception?.attributes["exception.message"] ?? null,
          // the requested model, as the post printed it
          model: JSON.parse(s.attributes["model"]!),
          served_model: s.attributes["mlflow.spanOutputs"]
            ? JSON.parse(s.attributes["mlflow.spanOutputs"]).model // gpt-4.1-2025-04-14
            : null,
          input_tokens: usage ? JSON.parse(usage).input_tokens : null, // 27
          output_tokens: usage ? JSON.parse(usage).output_tokens : null, // 641
          duration_s: (s.end_time_unix_nano - s.start_time_unix_nano) / 1e9,
        };
      })
  );
  assert.equal(expected.length, 2);
  const t = await loadAs(path, "mlflow");
  const got = rows(
    t.calls,
    "session_id",
    "request_id",
    "status",
    "error",
    "model",
    "served_model",
    "input_tokens",
    "output_tokens",
    "duration_s",
  );
  assert.deepEqual(
    got.map((r) => ({ ...r, duration_s: Math.round((r.duration_s as number) * 1e6) })),
    expected.map((r) => ({ ...r, duration_s: Math.round(r.duration_s * 1e6) })),
  );
  // each trace is a session, and the AGENT roots are events
  assert.equal(t.sessions.height, 2);
  assert.equal(t.events.height, 4);
});

// The MLflow TypeScript SDK's Trace.toJson() of a tool round trip (two chat completions and a
// tool under a traced `weatherAgent`, tracedOpenAI against a mock server whose usage is fixed:
// 80/15 with 0 cached, then 110/9 with 64 cached), trimmed (the tool schema, response ids).
// The SDK (mlflow/mlflow libs/typescript/core, span.ts toJson) writes attribute values as they
// are, not as JSON text; `updateCurrentTrace({metadata})` gave the session "1001". Source:
// QA capture of 2026-12-02, /tmp/h5/run (see the QA report's SOURCES.md).
const TS_SDK = fixture("mlflow_ts_sdk_trace.json");

Deno.test('mlflow: the TypeScript SDK\'s Trace.toJson(): trace metadata is plain text, a session "1001" is the session', async () => {
  const t = await loadAs(TS_SDK, "mlflow");
  // MLflow's trace metadata values are strings as they are (the session "1001" is not JSON
  // text to decode into the number 1001): both calls are in it, and the session is complete
  assert.deepEqual(rows(t.calls, "session_id", "input_tokens", "cache_read_tokens"), [
    { session_id: "1001", input_tokens: 80, cache_read_tokens: 0 },
    { session_id: "1001", input_tokens: 110, cache_read_tokens: 64 },
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "calls", "complete"), [
    { session_id: "1001", calls: 2, complete: true },
  ]);
});

Deno.test("mlflow: the TypeScript SDK's base64 trace_id (its tr- id encoded, prefix and all) reads as the OTel trace id the MLflow id names", async () => {
  const t = await loadAs(TS_SDK, "mlflow");
  // the spans' "APX+7vO8P93/ijt2u/ZUug==" decodes to 00f5feeef3bc…54ba: the SDK encoded
  // "tr-bfeeef3b…a00a" as hex, "tr" as 00 and "-b" as f5; the trace is the hex after "tr-",
  // which MLflow makes of the OTel trace id
  assert.deepEqual(rows(t.calls, "trace_id", "span_id", "parent_span_id"), [
    {
      trace_id: "bfeeef3bc3fddff8a3b76bbf654ba00a",
      span_id: "645ae9454e3a069e", // "ZFrpRU46Bp4=" (Completions_1)
      parent_span_id: "a257f11a8073d1d9", // "olfxGoBz0dk=" (weatherAgent)
    },
    {
      trace_id: "bfeeef3bc3fddff8a3b76bbf654ba00a",
      span_id: "a9895974aa94832b", // "qYlZdKqUgys=" (Completions_2)
      parent_span_id: "a257f11a8073d1d9",
    },
  ]);
});

// The MLflow TypeScript SDK's Trace.toJson() of a Responses API call (tracedOpenAI's
// `responses.create({model: "gpt-5-mini", input: "What is 2+2?"})`) and of an Anthropic message
// (tracedAnthropic's `messages.create`, "Say hi in French"), one per line, against a mock server
// whose answers are fixed ("Four." and "Bonjour!"); trimmed (the request and response previews).
// Source: QA capture of 2026-12-02, /tmp/h5/run (see the QA report's SOURCES.md).
const TS_SDK_RESPONSES_ANTHROPIC = fixture("mlflow_ts_sdk_responses_anthropic.jsonl");

/** A lone MLflow span of the TypeScript SDK (values as they are) with these inputs and outputs. */
const tsSpan = (inputs: unknown, outputs: unknown) =>
  JSON.stringify({
    trace_id: "AAAAAAAAAAAAAAAAAAAAAQ==",
    span_id: "AAAAAAAAAAE=",
    parent_span_id: "",
    name: "Responses",
    start_time_unix_nano: 1_700_000_000_000_000_000,
    end_time_unix_nano: 1_700_000_001_000_000_000,
    status: { code: "STATUS_CODE_OK" },
    attributes: {
      "mlflow.traceRequestId": "tr-00000000000000000000000000000001",
      "mlflow.spanType": "LLM",
      "mlflow.spanInputs": inputs,
      "mlflow.spanOutputs": outputs,
    },
  });

Deno.test("mlflow: a Responses API call's texts are its request's input and its response's message items", async () => {
  const t = await loadAs(TS_SDK_RESPONSES_ANTHROPIC, "mlflow");
  // the request's input "What is 2+2?" is 12 characters, the answer's output_text "Four." 5
  assert.deepEqual(rows(t.calls.head(1), "served_model", "prompt_chars", "output_chars"), [
    { served_model: "gpt-5-mini-2025-08-07", prompt_chars: 12, output_chars: 5 },
  ]);
  // instructions are a system prompt; input items: a message of input_text parts, a function
  // call (no text), the tool's output given back; the output's reasoning and function call items
  // have no text
  const r = parseMlflowText(
    tsSpan({
      model: "gpt-5-mini",
      instructions: "Be brief.", // 9
      input: [
        { role: "user", content: [{ type: "input_text", text: "Weather?" }] }, // 8
        { type: "function_call", call_id: "c1", name: "weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "c1", output: "18C" }, // 3
      ],
    }, {
      object: "response",
      output: [
        { type: "reasoning", id: "rs_1", summary: [] },
        {
          type: "message",
          role: "assistant",
          content: [{ type: "output_text", text: "It is 18C.", annotations: [] }], // 10
        },
      ],
    }),
    "responses.json",
  );
  // 9 + 8 + 3 = 20; 10
  assert.deepEqual(r.calls.map((c) => [c.prompt_chars, c.output_chars]), [[20, 10]]);
});

Deno.test("mlflow: an Anthropic message's texts: the response's text blocks are the output, the request's system is in the prompt", async () => {
  const t = await loadAs(TS_SDK_RESPONSES_ANTHROPIC, "mlflow");
  // the request's "Say hi in French" is 16 characters, the answer's text block "Bonjour!" 8
  assert.deepEqual(
    rows(t.calls.tail(1), "served_model", "finish_reason", "prompt_chars", "output_chars"),
    [{
      served_model: "claude-sonnet-4-5-20250929",
      finish_reason: "end_turn",
      prompt_chars: 16,
      output_chars: 8,
    }],
  );
  // the system as text, or as text blocks; a tool_use block of the answer has no text
  const answer = {
    type: "message",
    role: "assistant",
    content: [
      { type: "text", text: "Let me check." }, // 13
      { type: "tool_use", id: "tu_1", name: "weather", input: { city: "Paris" } },
    ],
    stop_reason: "tool_use",
  };
  const question = [{ role: "user", content: "Weather?" }]; // 8
  for (
    const system of [
      "Be brief.", // 9
      [{ type: "text", text: "Be " }, { type: "text", text: "brief." }], // 3 + 6
    ]
  ) {
    const r = parseMlflowText(
      tsSpan({ model: "claude-sonnet-4-5", system, messages: question }, answer),
      "anthropic.json",
    );
    // 9 + 8 = 17; 13
    assert.deepEqual(r.calls.map((c) => [c.prompt_chars, c.output_chars]), [[17, 13]]);
  }
});

Deno.test("mlflow: an Anthropic call's tokenUsage, Anthropic's input_tokens, leaves out the cache: its reads and writes are added to the input and total", async () => {
  // the TypeScript SDK's tracedAnthropic span (TS_SDK_RESPONSES_ANTHROPIC): the mock's usage
  // {input_tokens: 12, cache_creation_input_tokens: 2000, cache_read_input_tokens: 3000,
  // output_tokens: 40}; the SDK writes mlflow.chat.tokenUsage {input_tokens: 12, output_tokens: 40,
  // total_tokens: 52} (Anthropic's input_tokens, as MLflow's Python autolog of Anthropic does) and
  // keeps the message in mlflow.spanOutputs
  const t = await loadAs(TS_SDK_RESPONSES_ANTHROPIC, "mlflow");
  assert.deepEqual(
    rows(
      t.calls.tail(1),
      "input_tokens",
      "total_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
      "cost_usd",
    ),
    [{
      input_tokens: 12 + 3000 + 2000,
      total_tokens: 12 + 3000 + 2000 + 40,
      cache_read_tokens: 3000,
      cache_write_tokens: 2000,
      // Claude Sonnet 4.5: $3/M input, $0.30/M cache reads, $3.75/M 5-minute writes, $15/M output:
      // 12 × 3 + 3000 × 0.3 + 2000 × 3.75 + 40 × 15 = 36 + 900 + 7500 + 600 = 9036 per million
      cost_usd: 0.009036,
    }],
  );
  // a span that records no tokenUsage (MLflow's Python autolog before 2.20): the message's usage
  // alone, read the same way
  const message =
    JSON.parse(readFileSync(TS_SDK_RESPONSES_ANTHROPIC, "utf8").trim().split("\n")[1]!)
      .data.spans[0].attributes["mlflow.spanOutputs"];
  const r = parseMlflowText(
    tsSpan({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }] }, message),
    "anthropic.json",
  );
  assert.deepEqual(r.calls.map((c) => [c.input_tokens, c.total_tokens]), [[5012, 5052]]);
});

Deno.test("mlflow: the TypeScript SDK's span values are read as they are written: a span's session.id \"1001\" is the session", () => {
  const span = JSON.parse(tsSpan({ messages: [{ role: "user", content: "Hi" }] }, null));
  span.attributes["session.id"] = "1001"; // as the SDK writes it, text (not JSON text)
  span.attributes["mlflow.chat.tokenUsage"] = { input_tokens: 3, output_tokens: 1 };
  // a bare traces.json: no trace info, so the session is the span's, else the trace's id
  const r = parseMlflowText(JSON.stringify({ spans: [span] }), "traces.json");
  assert.deepEqual(r.calls.map((c) => [c.session_id, c.input_tokens, c.prompt_chars]), [
    ["1001", 3, 2],
  ]);
});

Deno.test("mlflow: an Anthropic request's tool_result blocks (text, or text blocks) count in the prompt, as a tool message's content does", () => {
  // a tool round trip as Anthropic's Messages API docs write it: the question, the answer that
  // asked for the tool, the tool's result given back in a user message
  const answer = {
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: "It is 18C and sunny." }], // 20
    stop_reason: "end_turn",
  };
  for (
    const content of [
      "18C, sunny", // 10
      [{ type: "text", text: "18C" }, { type: "text", text: ", sunny" }], // 3 + 7
    ]
  ) {
    const messages = [
      { role: "user", content: "What's the weather in Paris?" }, // 28
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me check." }, // 13
          { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content }] },
    ];
    const r = parseMlflowText(
      tsSpan({ model: "claude-sonnet-4-5", max_tokens: 100, messages }, answer),
      "anthropic.json",
    );
    // 28 + 13 + 10 = 51; 20
    assert.deepEqual(r.calls.map((c) => [c.prompt_chars, c.output_chars]), [[51, 20]]);
  }
});

Deno.test("mlflow: a Responses API call cut short has its incomplete_details.reason as its finish reason, as openai_batch reads it", async () => {
  // the captured call's response is "completed", with no incomplete_details: no finish reason
  const t = await loadAs(TS_SDK_RESPONSES_ANTHROPIC, "mlflow");
  assert.deepEqual(rows(t.calls.head(1), "finish_reason"), [{ finish_reason: null }]);
  // a response cut short as the Responses API reference writes one: status "incomplete" and why
  const r = parseMlflowText(
    tsSpan({ model: "gpt-5-mini", input: "Write a long poem." }, {
      object: "response",
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output: [{ type: "reasoning", id: "rs_1", summary: [] }],
    }),
    "responses.json",
  );
  assert.deepEqual(r.calls.map((c) => c.finish_reason), ["max_output_tokens"]);
});
