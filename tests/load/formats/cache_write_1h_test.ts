/**
 * Anthropic's cache writes to the 1-hour cache, priced at 2× input (5-minute
 * writes at 1.25×), read from every format that records them apart: Langfuse's
 * usage details, OpenTelemetry spans (LangChain's token details, Anthropic's
 * usage in a response, the Vercel AI SDK's provider metadata, tracebook's own
 * export) and LiteLLM's usage object.
 */
import assert from "node:assert/strict";
import { fromTraceText } from "../../../src/load/mod.ts";
import { toOtlpRequest } from "../../../src/export/otlp.ts";
import { rows } from "./_helpers.ts";

// One call of claude-sonnet-4-6: 10 input tokens besides the cache, 100 output, 1,000 written to
// the cache, 400 of them for 5 minutes and 600 for an hour. Anthropic's prices per million
// tokens: input $3, output $15, a 5-minute write $3.75, a 1-hour write $6:
// 10*3 + 100*15 + 400*3.75 + 600*6 = 30 + 1500 + 1500 + 3600 = 6630 -> $0.00663
const COST = 0.00663;
// the same writes all priced as 5-minute ones: 30 + 1500 + 1000*3.75 = 5280 -> $0.00528
const COST_5M = 0.00528;

const costs = (text: string, file: string) => {
  const t = fromTraceText(text, { file });
  return {
    t,
    tokens: rows(t.calls, "cache_write_tokens", "cache_write_1h_tokens"),
    cost: t.calls.getColumn("cost_usd").toArray() as number[],
  };
};
const near = (a: number | undefined, b: number) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("1-hour cache writes: Langfuse's usage details (its price keys, and LangChain's through its handler)", () => {
  const observation = (id: string, usageDetails: Record<string, number>) =>
    JSON.stringify({
      id,
      traceId: "t-1",
      type: "GENERATION",
      startTime: "2026-05-03T10:00:00.000Z",
      endTime: "2026-05-03T10:00:02.000Z",
      model: "claude-sonnet-4-6",
      usageDetails,
    });
  const text = [
    // Langfuse's own keys for Anthropic: the writes split by TTL
    observation("o-1", {
      input: 10,
      output: 100,
      input_cache_creation_5m: 400,
      input_cache_creation_1h: 600,
    }),
    // LangChain's input_token_details as Langfuse's callback handler names them (input_<key>),
    // its `input` lowered by each of them, down to 0: the TTL split is part of the writes
    observation("o-2", {
      input: 0,
      output: 100,
      input_cache_creation: 1000,
      input_ephemeral_5m_input_tokens: 400,
      input_ephemeral_1h_input_tokens: 600,
    }),
    // only the total: the writes are 5-minute ones
    observation("o-3", { input: 10, output: 100, input_cache_creation: 1000 }),
  ].join("\n") + "\n";
  const { tokens, cost } = costs(text, "observations.jsonl");
  assert.deepEqual(tokens, [
    { cache_write_tokens: 1000, cache_write_1h_tokens: 600 },
    { cache_write_tokens: 1000, cache_write_1h_tokens: 600 },
    { cache_write_tokens: 1000, cache_write_1h_tokens: null },
  ]);
  near(cost[0], COST);
  // no input besides the cache (the handler's 0): 100*15 + 400*3.75 + 600*6 = 6600 -> $0.0066
  near(cost[1], 0.0066);
  near(cost[2], COST_5M);
});

/** An OTLP/JSON chat span of claude-sonnet-4-6 with 10 input and 100 output tokens and `attributes`. */
const span = (attributes: Record<string, string | number>) =>
  JSON.stringify({
    resourceSpans: [{
      scopeSpans: [{
        spans: [{
          traceId: "0af7651916cd43dd8448eb211c80319c",
          spanId: "b7ad6b7169203331",
          name: "chat claude-sonnet-4-6",
          startTimeUnixNano: "1777802400000000000",
          endTimeUnixNano: "1777802402000000000",
          attributes: Object.entries({
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "claude-sonnet-4-6",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 100,
            ...attributes,
          }).map(([key, v]) =>
            typeof v === "number"
              ? { key, value: { intValue: String(v) } }
              : { key, value: { stringValue: v } }
          ),
        }],
      }],
    }],
  }) + "\n";

Deno.test("1-hour cache writes: OpenTelemetry spans (LangChain's details, Anthropic's usage, the AI SDK's metadata)", () => {
  const cases: Record<string, Record<string, string | number>> = {
    // LangSmith's OpenTelemetry export of LangChain's usage_metadata (Python's spelling)
    langsmith: {
      "gen_ai.usage.input_token_details": JSON.stringify({
        cache_creation: 1000,
        ephemeral_5m_input_tokens: 400,
        ephemeral_1h_input_tokens: 600,
      }),
    },
    // LangSmith's JS SDK spells it `1hr`
    langsmith_js: {
      "gen_ai.usage.input_token_details": JSON.stringify({
        cache_creation: 1000,
        ephemeral_1hr_input_tokens: 600,
      }),
    },
    // MLflow's autolog of an Anthropic call: the response's own usage
    mlflow: {
      "mlflow.spanOutputs": JSON.stringify({
        model: "claude-sonnet-4-6",
        usage: {
          input_tokens: 10,
          output_tokens: 100,
          cache_creation_input_tokens: 1000,
          cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
        },
      }),
    },
    // the Vercel AI SDK: Anthropic's usage in its provider metadata
    ai_sdk: {
      "gen_ai.usage.cache_creation.input_tokens": 1000,
      "ai.response.providerMetadata": JSON.stringify({
        anthropic: {
          cacheCreationInputTokens: 1000,
          usage: {
            cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
          },
        },
      }),
    },
  };
  for (const [name, attributes] of Object.entries(cases)) {
    const { tokens, cost } = costs(span(attributes), `${name}.json`);
    assert.deepEqual(tokens, [{ cache_write_tokens: 1000, cache_write_1h_tokens: 600 }], name);
    near(cost[0], COST);
  }
  // the semantic conventions' total alone: 5-minute writes
  const total = costs(span({ "gen_ai.usage.cache_creation.input_tokens": 1000 }), "total.json");
  assert.deepEqual(total.tokens, [{ cache_write_tokens: 1000, cache_write_1h_tokens: null }]);
  near(total.cost[0], COST_5M);
});

Deno.test("1-hour cache writes: tracebook's OTLP export keeps them, and its spans read back at the same cost", () => {
  const { t, cost } = costs(
    span({
      "gen_ai.usage.input_token_details": JSON.stringify({
        cache_creation: 1000,
        ephemeral_1h_input_tokens: 600,
      }),
    }),
    "run.json",
  );
  near(cost[0], COST);
  const exported = JSON.stringify(
    toOtlpRequest({ ...t, files: ["run.json"], inputs: ["run.json"] }),
  );
  assert.ok(exported.includes('"tracebook.cache_write_1h_tokens"'));
  const back = costs(exported + "\n", "exported.json");
  assert.deepEqual(back.tokens, [{ cache_write_tokens: 1000, cache_write_1h_tokens: 600 }]);
  near(back.cost[0], COST);
});

Deno.test("1-hour cache writes: LiteLLM's usage object (its payload's metadata.usage_object)", () => {
  // LiteLLM's StandardLoggingPayload: prompt_tokens holds the cache writes (OpenAI's way)
  const payload = (details: Record<string, unknown>) =>
    JSON.stringify({
      id: "c1",
      model: "claude-sonnet-4-6",
      custom_llm_provider: "anthropic",
      status: "success",
      startTime: 1777802400.0,
      endTime: 1777802402.0,
      prompt_tokens: 1010,
      completion_tokens: 100,
      total_tokens: 1110,
      metadata: {
        usage_object: {
          prompt_tokens: 1010,
          completion_tokens: 100,
          total_tokens: 1110,
          prompt_tokens_details: { cached_tokens: 0, ...details },
        },
      },
    });
  const text = [
    payload({
      cache_creation_tokens: 1000,
      cache_creation_token_details: {
        ephemeral_5m_input_tokens: 400,
        ephemeral_1h_input_tokens: 600,
      },
    }),
    payload({ cache_creation_tokens: 1000 }),
  ].join("\n") + "\n";
  const { tokens, cost } = costs(text, "payloads.jsonl");
  assert.deepEqual(tokens, [
    { cache_write_tokens: 1000, cache_write_1h_tokens: 600 },
    { cache_write_tokens: 1000, cache_write_1h_tokens: null },
  ]);
  near(cost[0], COST);
  near(cost[1], COST_5M);
});
