/**
 * Anthropic's server-side web searches (`usage.server_tool_use.web_search_requests` in a Claude API
 * response) are counted in `web_search_requests` and priced beside the tokens, in every reader of an
 * Anthropic usage object: Claude Code's transcripts and its stream-json result (`modelUsage`'s
 * `webSearchRequests`), Message Batches results, the native format's `data.usage`, managed-agent
 * events' `model_usage`, spans that keep Anthropic's message (MLflow, OpenInference, Genkit) and
 * tracebook's own OTLP export (`tracebook.web_search_requests`).
 *
 * Every call below is claude-sonnet-4-20250514 with 1,000 input tokens, 100 output and 3 web searches.
 * genai-prices' Anthropic prices for it: input $3/M, output $15/M, web searches $10 per 1,000:
 * 1000 × 3/1e6 + 100 × 15/1e6 + 3 × 10/1000 = 0.003 + 0.0015 + 0.03 = $0.0345 (tokens alone, the
 * cost before: $0.0045). A batch result's tokens are at half that (the batch rate), its searches not:
 * 0.0045 × 0.5 + 0.03 = $0.03225.
 * @module
 */
import assert from "node:assert/strict";
import { fromTraceText } from "../../../src/load/mod.ts";
import { toOtlpRequest } from "../../../src/export/otlp.ts";
import { rows } from "./_helpers.ts";

const MODEL = "claude-sonnet-4-20250514";
const USAGE = {
  input_tokens: 1000,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: 100,
  server_tool_use: { web_search_requests: 3, web_fetch_requests: 0 },
  service_tier: "standard",
};

const priced = (text: string, file: string) =>
  rows(fromTraceText(text, { file }).calls, "format", "web_search_requests", "cost_usd");

Deno.test("web searches: a Claude Code transcript's response, its usage repeated on each line of its blocks", () => {
  const assistant = (uuid: string, content: unknown) =>
    JSON.stringify({
      parentUuid: "u-1",
      isSidechain: false,
      type: "assistant",
      message: {
        id: "msg_01",
        type: "message",
        role: "assistant",
        model: MODEL,
        content: [content],
        stop_reason: "end_turn",
        usage: USAGE,
      },
      requestId: "req_01",
      uuid,
      timestamp: "2026-12-02T15:48:05.216Z",
      sessionId: "s-1",
      version: "2.1.332",
    });
  const text = [
    JSON.stringify({
      parentUuid: null,
      isSidechain: false,
      type: "user",
      message: { role: "user", content: "What is new in Deno?" },
      uuid: "u-1",
      timestamp: "2026-12-02T15:48:02.930Z",
      sessionId: "s-1",
      version: "2.1.332",
    }),
    assistant("a-1", { type: "server_tool_use", id: "srvtoolu_1", name: "web_search" }),
    assistant("a-2", { type: "text", text: "Deno 2.9 is out." }),
  ].join("\n");
  assert.deepEqual(priced(text, "session.jsonl"), [
    { format: "claude_code", web_search_requests: 3, cost_usd: 0.0345 },
  ]);
});

Deno.test("web searches: Claude Code's stream-json result, by model (modelUsage) and without it (usage)", () => {
  const result = (extra: Record<string, unknown>) =>
    JSON.stringify({
      type: "result",
      subtype: "success",
      is_error: false,
      duration_ms: 9000,
      duration_api_ms: 8000,
      num_turns: 2,
      result: "Deno 2.9 is out.",
      session_id: "s-2",
      total_cost_usd: 0.0345,
      usage: USAGE,
      ...extra,
    });
  const byModel = result({
    modelUsage: {
      [MODEL]: {
        inputTokens: 1000,
        outputTokens: 100,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0,
        webSearchRequests: 3,
        costUSD: 0.0345,
      },
    },
  });
  for (const text of [byModel, result({})]) {
    const got = priced(text, "result.json");
    assert.equal(got.length, 1);
    assert.equal(got[0]!.web_search_requests, 3);
  }
  // by model, the model is known: priced
  assert.equal(priced(byModel, "result.json")[0]!.cost_usd, 0.0345);
});

Deno.test("web searches: a Message Batches result, its tokens at the batch rate, its searches not", () => {
  const text = JSON.stringify({
    custom_id: "r1",
    result: {
      type: "succeeded",
      message: {
        id: "msg_01",
        type: "message",
        role: "assistant",
        model: MODEL,
        content: [{ type: "text", text: "Deno 2.9 is out." }],
        stop_reason: "end_turn",
        usage: USAGE,
      },
    },
  });
  assert.deepEqual(priced(text, "batch_results.jsonl"), [
    { format: "anthropic_batch", web_search_requests: 3, cost_usd: 0.03225 },
  ]);
});

Deno.test("web searches: the native format's data.usage, in Anthropic's shape or ours; none is null", () => {
  const call = (id: string, usage: unknown) =>
    [
      {
        type: "llm_request",
        timestamp: "2026-12-02T15:48:02",
        session_id: "s-3",
        data: { request_id: id, model: MODEL, params: {}, messages: [] },
      },
      {
        type: "llm_response",
        timestamp: "2026-12-02T15:48:05",
        session_id: "s-3",
        data: {
          request_id: id,
          duration_seconds: 3,
          success: true,
          model: MODEL,
          output: "Deno 2.9 is out.",
          usage,
        },
      },
    ].map((e) => JSON.stringify(e)).join("\n");
  const text = [
    call("a", USAGE),
    call("b", { input_tokens: 1000, output_tokens: 100, web_search_requests: 3 }),
    call("c", { input_tokens: 1000, output_tokens: 100 }),
  ].join("\n");
  assert.deepEqual(priced(text, "calls.jsonl"), [
    { format: "native", web_search_requests: 3, cost_usd: 0.0345 },
    { format: "native", web_search_requests: 3, cost_usd: 0.0345 },
    { format: "native", web_search_requests: null, cost_usd: 0.0045 },
  ]);
});

Deno.test("web searches: a per-call log's column (as export writes it) or Anthropic's usage in it", () => {
  const text = [
    {
      request_id: "a",
      model: MODEL,
      input_tokens: 1000,
      output_tokens: 100,
      web_search_requests: 3,
    },
    { request_id: "b", model: MODEL, usage: USAGE },
  ].map((r) => JSON.stringify(r)).join("\n");
  assert.deepEqual(priced(text, "calls.jsonl"), [
    { format: "generic", web_search_requests: 3, cost_usd: 0.0345 },
    { format: "generic", web_search_requests: 3, cost_usd: 0.0345 },
  ]);
});

Deno.test("web searches: tracebook's OTLP export keeps them, and its spans read back at the same cost", () => {
  const text = [
    {
      type: "llm_request",
      timestamp: "2026-12-02T15:48:02",
      session_id: "s-4",
      data: { request_id: "a", model: MODEL, params: {}, messages: [] },
    },
    {
      type: "llm_response",
      timestamp: "2026-12-02T15:48:05",
      session_id: "s-4",
      data: {
        request_id: "a",
        duration_seconds: 3,
        success: true,
        model: MODEL,
        output: "Deno 2.9 is out.",
        usage: USAGE,
      },
    },
  ].map((e) => JSON.stringify(e)).join("\n");
  const t = fromTraceText(text, { file: "calls.jsonl" });
  const exported = JSON.stringify(
    toOtlpRequest({ ...t, files: ["calls.jsonl"], inputs: ["calls.jsonl"] }),
  );
  assert.ok(exported.includes('"tracebook.web_search_requests"'));
  // $0.0345 before and after (the module's doc); without the searches it came back at $0.0045
  assert.deepEqual(priced(exported + "\n", "exported.json"), [
    { format: "otlp", web_search_requests: 3, cost_usd: 0.0345 },
  ]);
});

Deno.test("web searches: a managed-agent session's model request (its end's model_usage)", () => {
  const text = [
    {
      id: "sevt_a",
      type: "span.model_request_start",
      processed_at: "2026-12-02T15:48:02.000Z",
    },
    {
      id: "sevt_a_end",
      type: "span.model_request_end",
      processed_at: "2026-12-02T15:48:05.000Z",
      model_request_start_id: "sevt_a",
      model: MODEL,
      is_error: false,
      model_usage: USAGE,
    },
  ].map((e) => JSON.stringify(e)).join("\n");
  assert.deepEqual(priced(text, "events.jsonl"), [
    { format: "anthropic_agent_events", web_search_requests: 3, cost_usd: 0.0345 },
  ]);
});

Deno.test("web searches: spans that keep Anthropic's message (MLflow's outputs, OpenInference's output.value, Genkit's raw)", () => {
  const message = JSON.stringify({
    id: "msg_01",
    type: "message",
    role: "assistant",
    model: MODEL,
    content: [{ type: "text", text: "Deno 2.9 is out." }],
    stop_reason: "end_turn",
    usage: USAGE,
  });
  const span = (attributes: Record<string, string>) =>
    JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [] },
        scopeSpans: [{
          scope: { name: "test" },
          spans: [{
            traceId: "0af7651916cd43dd8448eb211c80319c",
            spanId: "b7ad6b7169203331",
            name: "chat",
            startTimeUnixNano: "1777802400000000000",
            endTimeUnixNano: "1777802403000000000",
            attributes: Object.entries(attributes).map(([key, v]) => ({
              key,
              value: { stringValue: v },
            })),
          }],
        }],
      }],
    }) + "\n";
  const cases: Record<string, Record<string, string>> = {
    mlflow: {
      "mlflow.spanType": "CHAT_MODEL",
      "mlflow.spanInputs": JSON.stringify({ model: MODEL, messages: [] }),
      "mlflow.spanOutputs": message,
    },
    openinference: {
      "openinference.span.kind": "LLM",
      "llm.model_name": MODEL,
      "output.value": message,
    },
    genkit: {
      "genkit:type": "action",
      "genkit:metadata:subtype": "model",
      "genkit:name": `anthropic/${MODEL}`,
      "genkit:output": `{"usage":{"inputTokens":1000,"outputTokens":100},"raw":${message}}`,
    },
  };
  for (const [name, attributes] of Object.entries(cases)) {
    const got = rows(
      fromTraceText(span(attributes), { file: `${name}.json` }).calls,
      "input_tokens",
      "web_search_requests",
      "cost_usd",
    );
    assert.deepEqual(got, [{ input_tokens: 1000, web_search_requests: 3, cost_usd: 0.0345 }], name);
  }
});
