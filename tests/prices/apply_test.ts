import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { calcPrice } from "@pydantic/genai-prices";
import { applyPrices, lookupPrice } from "../../src/prices/apply.ts";
import { ROOT } from "../_helpers.ts";

type Row = {
  model: string;
  provider?: string | null;
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_tokens?: number | null;
  cache_write_tokens?: number | null;
  cache_write_1h_tokens?: number | null;
  web_search_requests?: number | null;
  batch?: boolean | null;
  started_at?: Date | null;
};

function callsOf(rows: Row[]): pl.DataFrame {
  const col = <K extends keyof Row>(k: K) => rows.map((r) => r[k] ?? null);
  return pl.DataFrame([
    pl.Series("model", col("model"), pl.Utf8),
    pl.Series("provider", col("provider"), pl.Utf8),
    pl.Series("started_at", col("started_at"), pl.Datetime("us", "UTC")),
    pl.Series("input_tokens", col("input_tokens"), pl.Int64),
    pl.Series("output_tokens", col("output_tokens"), pl.Int64),
    pl.Series("cache_read_tokens", col("cache_read_tokens"), pl.Int64),
    pl.Series("cost_usd", rows.map(() => null), pl.Float64),
    pl.Series("cache_write_tokens", col("cache_write_tokens"), pl.Int64),
    pl.Series("cache_write_1h_tokens", col("cache_write_1h_tokens"), pl.Int64),
    pl.Series("web_search_requests", col("web_search_requests"), pl.Int64),
    pl.Series("batch", col("batch"), pl.Bool),
  ]);
}

const costs = (df: pl.DataFrame) => df.getColumn("cost_usd").toArray() as (number | null)[];
const close = (a: number | null, b: number, what: string) => {
  assert.ok(a !== null, `${what}: cost is null`);
  assert.ok(Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b), `${what}: ${a} != ${b}`);
};

Deno.test("applyPrices() prices gpt-4o from genai-prices' bundled data: $2.50/M input, $1.25/M cache read, $10/M output", () => {
  const out = applyPrices(callsOf([
    { model: "gpt-4o", input_tokens: 1000, output_tokens: 100 },
    { model: "gpt-4o", input_tokens: 1000, output_tokens: 100, cache_read_tokens: 200 },
  ]));
  const [a, b] = costs(out);
  close(a!, (1000 * 2.5 + 100 * 10) / 1e6, "no cache"); // 0.0035
  close(b!, (800 * 2.5 + 200 * 1.25 + 100 * 10) / 1e6, "200 cached"); // 0.00325
  assert.deepEqual(out.getColumn("provider").toArray(), ["openai", "openai"]);
});

Deno.test("applyPrices() rounds a cost to 10^-12 USD: gpt-4o's 20 input and 89 output tokens cost 0.00094, not 0.0009400000000000001", () => {
  // rates times counts in binary: 20 * 2.5e-6 + 89 * 1e-5 is 0.0009400000000000001
  assert.equal(20 * (2.5 / 1e6) + 89 * (10 / 1e6), 0.0009400000000000001);
  const out = applyPrices(callsOf([
    { model: "gpt-4o", input_tokens: 20, output_tokens: 89 },
    { model: "gpt-4o", input_tokens: 3, output_tokens: 7 },
  ]));
  // (20 * 2.5 + 89 * 10) / 10^6 and (3 * 2.5 + 7 * 10) / 10^6, as decimals
  assert.deepEqual(costs(out), [0.00094, 0.0000775]);
});

Deno.test("applyPrices() gives a null cost, never 0, for an unknown model and for a call without usage", () => {
  const out = applyPrices(callsOf([
    { model: "unknown", input_tokens: 10, output_tokens: 10 },
    { model: "gpt-4o" },
    { model: "gpt-4o", input_tokens: 0, output_tokens: 0 },
  ]));
  assert.deepEqual(costs(out), [null, null, 0]);
  assert.deepEqual(out.getColumn("provider").toArray(), [null, "openai", "openai"]);
});

Deno.test("applyPrices() keeps the trace's provider and prices with it; an unknown provider falls back to the model name", () => {
  const out = applyPrices(callsOf([
    { model: "llama-3.1-8b-instant", provider: "groq", input_tokens: 1000, output_tokens: 100 },
    { model: "llama-3.1-8b-instant", input_tokens: 1000, output_tokens: 100 },
    { model: "gpt-4o", provider: "my-gateway", input_tokens: 1000, output_tokens: 100 },
  ]));
  const c = costs(out);
  close(c[0]!, (1000 * 0.05 + 100 * 0.08) / 1e6, "groq llama");
  assert.equal(c[1], null, "without a provider the bundled data has no match for this name");
  close(c[2]!, 0.0035, "gpt-4o through a gateway");
  assert.deepEqual(out.getColumn("provider").toArray(), ["groq", null, "my-gateway"]);
});

Deno.test("applyPrices() follows Anthropic's convention when cache tokens exceed input_tokens", () => {
  // claude-3-5-sonnet: $3/M input, $0.30/M cache read, $3.75/M cache write, $15/M output.
  const out = applyPrices(callsOf([
    {
      model: "claude-3-5-sonnet-20241022",
      input_tokens: 100,
      output_tokens: 50,
      cache_read_tokens: 1000,
      cache_write_tokens: 500,
    },
  ]));
  close(costs(out)[0]!, (100 * 3 + 1000 * 0.3 + 500 * 3.75 + 50 * 15) / 1e6, "claude");
});

Deno.test("applyPrices() prices writes to the 1-hour cache at their own rate (Anthropic's: 2× input, where 5-minute writes are 1.25×)", () => {
  // Claude Sonnet 4 (Anthropic's price list): input $3/M, 5-minute cache write $3.75/M, 1-hour
  // cache write $6/M, output $15/M; input_tokens without the cache, as Anthropic counts them
  const out = applyPrices(callsOf([
    {
      model: "claude-sonnet-4-20250514",
      provider: "anthropic",
      input_tokens: 1000,
      cache_write_tokens: 10_000,
      cache_write_1h_tokens: 4000,
      output_tokens: 100,
    },
    // all writes to the 1-hour cache; and a count above the writes is taken as all of them
    {
      model: "claude-sonnet-4-20250514",
      provider: "anthropic",
      input_tokens: 0,
      cache_write_tokens: 2000,
      cache_write_1h_tokens: 2000,
    },
    {
      model: "claude-sonnet-4-20250514",
      provider: "anthropic",
      input_tokens: 0,
      cache_write_tokens: 2000,
      cache_write_1h_tokens: 9999,
    },
    // a model with no 1-hour price (gpt-4o has no cache-write price): the count changes nothing
    { model: "gpt-4o", input_tokens: 1000, cache_write_1h_tokens: 500 },
  ]));
  const [a, b, c, d] = costs(out);
  close(a!, (1000 * 3 + 6000 * 3.75 + 4000 * 6 + 100 * 15) / 1e6, "5-minute and 1-hour writes"); // 0.051
  close(b!, (2000 * 6) / 1e6, "all 1-hour");
  close(c!, (2000 * 6) / 1e6, "1-hour count above the writes");
  close(d!, (1000 * 2.5) / 1e6, "no 1-hour price");
});

Deno.test("applyPrices() prices Pydantic AI's provider:model names as the model (openai:gpt-4o is gpt-4o)", () => {
  const out = applyPrices(callsOf([
    { model: "openai:gpt-4o", input_tokens: 1000, output_tokens: 100 },
    { model: "anthropic:claude-sonnet-4-20250514", input_tokens: 1000, output_tokens: 100 },
    // a colon that names no provider is part of the model's name: unpriced, not guessed
    { model: "acme:gpt-4o", input_tokens: 1000, output_tokens: 100 },
  ]));
  const [a, b, c] = costs(out);
  close(a!, (1000 * 2.5 + 100 * 10) / 1e6, "openai:gpt-4o"); // $2.50/M in, $10/M out
  close(b!, (1000 * 3 + 100 * 15) / 1e6, "anthropic:claude-sonnet-4"); // $3/M in, $15/M out
  assert.equal(c, null);
});

Deno.test("applyPrices() uses tiered prices by prompt size (gemini-2.5-pro above 200k tokens)", () => {
  const out = applyPrices(callsOf([
    { model: "gemini-2.5-pro", input_tokens: 200_000, output_tokens: 100 },
    { model: "gemini-2.5-pro", input_tokens: 200_001, output_tokens: 100 },
  ]));
  const [a, b] = costs(out);
  close(a!, (200_000 * 1.25 + 100 * 10) / 1e6, "at the threshold: base tier");
  close(b!, (200_001 * 2.5 + 100 * 15) / 1e6, "above it: upper tier");
});

Deno.test("applyPrices() prices Anthropic's server-side web searches at $10 per 1,000 beside the tokens, at that price in a batch too", () => {
  // Claude Sonnet 4 (genai-prices' Anthropic prices): input $3/M, output $15/M, web searches
  // $10 per 1,000 (web_searches_kcount: 10), so $0.01 a search
  const sonnet = { model: "claude-sonnet-4-20250514", provider: "anthropic" };
  const out = applyPrices(callsOf([
    { ...sonnet, input_tokens: 1000, output_tokens: 100, web_search_requests: 3 },
    { ...sonnet, input_tokens: 1000, output_tokens: 100, web_search_requests: 0 },
    { ...sonnet, input_tokens: 1000, output_tokens: 100 },
    // a batch result: its tokens at half the list price, its searches not
    { ...sonnet, input_tokens: 1000, output_tokens: 100, web_search_requests: 3, batch: true },
    // a model with no search price: the count changes nothing
    { model: "gpt-3.5-turbo-0125", input_tokens: 1000, web_search_requests: 2 },
  ]));
  const [a, b, c, d, e] = costs(out);
  // 1000 × $3/M + 100 × $15/M + 3 × $0.01 = 0.003 + 0.0015 + 0.03
  close(a!, 0.0345, "3 searches");
  close(b!, 0.0045, "no search");
  close(c!, 0.0045, "no count");
  // (0.003 + 0.0015) × 0.5 + 0.03
  close(d!, 0.03225, "a batch result's searches");
  close(e!, 0.0005, "no search price"); // 1000 × $0.50/M
  // as genai-prices' calcPrice prices the same usage (its key for them: web_searches)
  const want = calcPrice(
    { input_tokens: 1000, output_tokens: 100, web_searches: 3 } as never,
    "claude-sonnet-4-20250514",
    { providerId: "anthropic" },
  )!.total_price;
  close(a!, want, "calcPrice");
});

Deno.test("applyPrices() equals calcPrice call by call on varied usage, tiers and time-of-day prices", () => {
  const models: [string, string | null][] = [
    ["gpt-4o", null],
    ["gpt-4o-mini", null],
    ["o3-mini", null],
    ["gpt-3.5-turbo-0125", null],
    ["claude-sonnet-4-20250514", "anthropic"],
    ["claude-3-5-sonnet-20241022", null],
    ["gemini-2.5-pro", null],
    ["deepseek-chat", null],
    ["llama-3.1-8b-instant", "groq"],
  ];
  let seed = 7;
  const rnd = (k: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % k;
  const rows: Row[] = [];
  for (let i = 0; i < 400; i++) {
    const [model, provider] = models[i % models.length]!;
    const input = rnd(400_000);
    rows.push({
      model,
      provider,
      input_tokens: input,
      output_tokens: rnd(5000),
      cache_read_tokens: rnd(3) === 0 ? null : rnd(input + 1),
      started_at: new Date(Date.UTC(2025, 0, 1 + rnd(300), rnd(24), rnd(60), rnd(60))),
    });
  }
  const got = costs(applyPrices(callsOf(rows)));
  rows.forEach((r, i) => {
    const usage: Record<string, number> = {
      input_tokens: r.input_tokens!,
      output_tokens: r.output_tokens!,
    };
    if (r.cache_read_tokens !== null && r.cache_read_tokens !== undefined) {
      usage.cache_read_tokens = r.cache_read_tokens;
    }
    const want =
      calcPrice(usage, r.model, { providerId: r.provider ?? undefined, timestamp: r.started_at! })!
        .total_price;
    close(got[i]!, want, `row ${i} ${r.model}`);
  });
});

Deno.test("applyPrices() lets overrides win over the bundled data and add models", () => {
  const overrides = {
    "gpt-4o": { input: 1, output: 2 },
    "my-model": { input: 0.5, output: 1.5, cache_read: 0.05, provider: "acme" },
  };
  const out = applyPrices(
    callsOf([
      { model: "gpt-4o", input_tokens: 1000, output_tokens: 100 },
      { model: "my-model", input_tokens: 1000, output_tokens: 100, cache_read_tokens: 400 },
    ]),
    { overrides },
  );
  const [a, b] = costs(out);
  close(a!, (1000 * 1 + 100 * 2) / 1e6, "overridden gpt-4o");
  close(b!, (600 * 0.5 + 400 * 0.05 + 100 * 1.5) / 1e6, "my-model");
  assert.deepEqual(out.getColumn("provider").toArray(), ["openai", "acme"]);
});

Deno.test("applyPrices() keeps every other column and the row order, and adds cost_usd when absent", () => {
  const calls = pl.DataFrame({
    model: ["unknown", "gpt-4o"],
    input_tokens: [1, 1000],
    output_tokens: [1, 100],
    x: ["a", "b"],
  });
  const out = applyPrices(calls);
  assert.deepEqual(out.columns, [
    "model",
    "input_tokens",
    "output_tokens",
    "x",
    "cost_usd",
    "provider",
  ]);
  assert.deepEqual(out.getColumn("x").toArray(), ["a", "b"]);
  assert.equal(costs(out)[0], null);
});

Deno.test("applyPrices() never touches the network (fetch stubbed to throw)", () => {
  const original = globalThis.fetch;
  let fetched = 0;
  globalThis.fetch = (() => {
    fetched++;
    throw new Error("network access is forbidden in this test");
  }) as typeof fetch;
  try {
    applyPrices(
      callsOf([{ model: "gpt-4o", input_tokens: 1, output_tokens: 1 }, {
        model: "deepseek-chat",
        input_tokens: 1,
        output_tokens: 1,
        started_at: new Date(),
      }]),
    );
  } finally {
    globalThis.fetch = original;
  }
  assert.equal(fetched, 0);
  // every file of src/prices/ (mod.ts until the split into apply.ts and overrides.ts)
  const dir = join(ROOT, "src/prices");
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    assert.doesNotMatch(
      readFileSync(join(dir, name), "utf8"),
      /updatePrices\s*\(|waitForUpdate|REMOTE_DATA_JSON_URL|enableAutoUpdate/,
      name,
    );
  }
});

Deno.test("lookupPrice() names the provider and model genai-prices matched, or null", () => {
  assert.equal(lookupPrice("gpt-3.5-turbo-0125")?.model, "gpt-3.5-turbo");
  assert.equal(lookupPrice("gpt-3.5-turbo-0125")?.provider, "openai");
  assert.equal(lookupPrice("unknown"), null);
  assert.equal(
    lookupPrice("mine", { overrides: { mine: { input: 1, output: 1 } } })?.model,
    "mine",
  );
});

Deno.test("applyPrices() prices a router's provider/model name (LiteLLM, OpenRouter, Gemini's models/) as the model after the last slash", () => {
  const out = applyPrices(callsOf([
    { model: "openai/gpt-4o", input_tokens: 1000, output_tokens: 100 },
    { model: "openrouter/openai/gpt-4o", input_tokens: 1000, output_tokens: 100 },
    { model: "azure/my-deployment", input_tokens: 1000, output_tokens: 100 },
    // a first part that is no provider of the data: a local model named like a hosted one
    { model: "lemonade/openai/deepseek-r1-8b-FLM", input_tokens: 1000, output_tokens: 100 },
  ]));
  const [a, b, c, d] = costs(out);
  // gpt-4o's list price: $2.50/M input, $10/M output
  close(a!, (1000 * 2.5 + 100 * 10) / 1e6, "openai/gpt-4o"); // 0.0035
  close(b!, (1000 * 2.5 + 100 * 10) / 1e6, "openrouter/openai/gpt-4o");
  // a deployment's own name is no model the data knows: no cost, never 0
  assert.equal(c, null);
  assert.equal(d, null);
  // the name as written stays the call's model
  assert.deepEqual(out.getColumn("model").toArray(), [
    "openai/gpt-4o",
    "openrouter/openai/gpt-4o",
    "azure/my-deployment",
    "lemonade/openai/deepseek-r1-8b-FLM",
  ]);
  assert.equal(lookupPrice("anthropic/claude-opus-4-5-20251101")?.model, "claude-opus-4-5");
});

Deno.test("applyPrices() prices Vertex AI's resource names of models (projects/…/publishers/…/models/…) as the model after models/", () => {
  // the model of a Vertex call as Langfuse's trace of Google's SDK records it (langfuse/langfuse,
  // worker/src/__tests__/chatml/framework-traces/vertex-ai-2025-08-01.trace.json)
  const out = applyPrices(callsOf([
    {
      model:
        "projects/vertex-ai-integration-467711/locations/europe-central2/publishers/google/models/gemini-2.5-flash",
      input_tokens: 1000,
      output_tokens: 100,
    },
    { model: "publishers/google/models/gemini-2.5-flash", input_tokens: 1000, output_tokens: 100 },
    // Claude on Vertex (an `@` version): Vertex's price of Claude Sonnet 4
    {
      model: "projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514",
      input_tokens: 1000,
      output_tokens: 100,
    },
    // not a resource name: a folder-like name is no model
    { model: "projects/p/models/gemini-2.5-flash", input_tokens: 1000, output_tokens: 100 },
  ]));
  const [a, b, c, d] = costs(out);
  // Gemini 2.5 Flash's list price: $0.30/M input, $2.50/M output
  close(a!, (1000 * 0.3 + 100 * 2.5) / 1e6, "the full resource name");
  close(b!, (1000 * 0.3 + 100 * 2.5) / 1e6, "from publishers/ on");
  // Claude Sonnet 4 on Vertex: $3/M input, $15/M output
  close(c!, (1000 * 3 + 100 * 15) / 1e6, "Claude on Vertex");
  assert.equal(d, null);
  // the name as written stays the call's model
  assert.equal(out.getColumn("model").get(1), "publishers/google/models/gemini-2.5-flash");
});

Deno.test("applyPrices() prices Amazon Bedrock's model ids (cross-region profiles too) at Bedrock's rates, whatever provider the trace names", () => {
  // Claude Code on Bedrock names its models so in its result's modelUsage (a real Harbor run,
  // benchflow-ai/skillsbench-trajectories): us.anthropic.claude-sonnet-4-5-20250929-v1:0
  const out = applyPrices(callsOf([
    {
      model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      provider: "anthropic",
      input_tokens: 1000,
      output_tokens: 100,
    },
    {
      model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      input_tokens: 1000,
      output_tokens: 100,
    },
    {
      model: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
      input_tokens: 1000,
      output_tokens: 100,
    },
    { model: "us.amazon.nova-pro-v1:0", input_tokens: 1000, output_tokens: 100 },
  ]));
  const [a, b, c, d] = costs(out);
  // Bedrock's list prices: Sonnet 4.5 in a geographic (regional) profile $3.30/M input, $16.50/M
  // output (10% over the global $3/$15); Haiku 4.5 regional $1.10/$5.50; Nova Pro $0.80/$3.20
  close(a!, (1000 * 3.3 + 100 * 16.5) / 1e6, "us.anthropic sonnet 4.5"); // 0.00495
  close(b!, (1000 * 3 + 100 * 15) / 1e6, "global.anthropic sonnet 4.5"); // 0.0045
  close(c!, (1000 * 1.1 + 100 * 5.5) / 1e6, "us.anthropic haiku 4.5"); // 0.00165
  close(d!, (1000 * 0.8 + 100 * 3.2) / 1e6, "us.amazon nova pro"); // 0.00112
  assert.equal(lookupPrice("us.anthropic.claude-sonnet-4-5-20250929-v1:0")?.provider, "aws");
  // a dotted name of no Bedrock vendor is not tried as one
  assert.equal(lookupPrice("acme.claude-sonnet-4-5-v1:0"), null);
});

Deno.test("applyPrices() prices a Bedrock model id without its vendor (nova-pro-v1:0) under a provider naming Bedrock, as the vendor's id on Bedrock", () => {
  // OpenLLMetry JS's Bedrock instrumentation records amazon.nova-pro-v1:0 as nova-pro-v1:0 with
  // gen_ai.provider.name aws.bedrock; OpenInference's with llm.provider aws
  const out = applyPrices(callsOf([
    { model: "nova-pro-v1:0", provider: "aws.bedrock", input_tokens: 1000, output_tokens: 100 },
    { model: "nova-pro-v1:0", provider: "aws", input_tokens: 1000, output_tokens: 100 },
    {
      model: "llama3-70b-instruct-v1:0",
      provider: "bedrock",
      input_tokens: 1000,
      output_tokens: 100,
    },
    // no provider naming Bedrock: not guessed
    { model: "nova-pro-v1:0", input_tokens: 1000, output_tokens: 100 },
  ]));
  const [a, b, c, d] = costs(out);
  // Bedrock's list prices: Nova Pro $0.80/M input, $3.20/M output; Llama 3 70B $2.65/$3.50
  close(a!, (1000 * 0.8 + 100 * 3.2) / 1e6, "nova pro, aws.bedrock"); // 0.00112
  close(b!, (1000 * 0.8 + 100 * 3.2) / 1e6, "nova pro, aws"); // 0.00112
  close(c!, (1000 * 2.65 + 100 * 3.5) / 1e6, "llama3 70b"); // 0.003
  assert.equal(d, null);
  // the name as written stays the call's model
  assert.equal(out.getColumn("model").get(0), "nova-pro-v1:0");
});
