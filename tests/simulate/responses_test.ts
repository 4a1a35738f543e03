// deno-lint-ignore-file no-explicit-any -- tests read SDK-shaped JSON
/** src/simulate/_responses.ts: a drawn call's response in each provider's SDK shape. */
import assert from "node:assert/strict";
import { profileOf } from "../../src/simulate/models.ts";
import type { Plan, SessionContext } from "../../src/simulate/_plan.ts";
import { responseOf, streamOf } from "../../src/simulate/_responses.ts";

/** A call of `model`: 100 input tokens (30 cached), 20 output, 5 reasoning; 1 s to 3 s. */
function plan(model: string): Plan {
  return {
    profile: profileOf(model),
    request: { model, messages: [], temperature: 0, max_tokens: 1024 },
    startUs: 1_000_000,
    ttftUs: 1_500_000,
    endUs: 3_000_000,
    output: "abcd",
    inputTokens: 100,
    outputTokens: 20,
    cachedTokens: 30,
    reasoningTokens: 5,
    finishLength: false,
  };
}

Deno.test("responseOf() writes usage as each SDK does", () => {
  const openai = responseOf(plan("gpt-4o")) as Record<string, any>;
  assert.deepEqual(openai.usage, {
    prompt_tokens: 100,
    completion_tokens: 25, // output 20 + reasoning 5
    total_tokens: 125,
    prompt_tokens_details: { cached_tokens: 30 },
    completion_tokens_details: { reasoning_tokens: 5 },
  });
  assert.equal(openai.choices[0].finish_reason, "stop");
  const anthropic = responseOf(plan("claude-3-5-sonnet-20241022")) as Record<string, any>;
  // Anthropic's input_tokens leave out the cache: 100 − 30
  assert.deepEqual(anthropic.usage, {
    input_tokens: 70,
    output_tokens: 20,
    cache_read_input_tokens: 30,
  });
  assert.equal(anthropic.stop_reason, "end_turn");
  const gemini = responseOf(plan("gemini-1.5-pro")) as Record<string, any>;
  assert.deepEqual(gemini.usageMetadata, {
    promptTokenCount: 100,
    candidatesTokenCount: 20,
    totalTokenCount: 120,
    cachedContentTokenCount: 30,
  });
});

Deno.test("streamOf() moves the simulated clock to the first token, the middle and the end", async () => {
  const ctx = { nowUs: 0 } as SessionContext;
  const seen: number[] = [];
  const texts: string[] = [];
  for await (const chunk of streamOf(ctx, plan("gpt-4o"))) {
    seen.push(ctx.nowUs);

    const c = (chunk as any).choices[0]?.delta?.content;
    if (c) texts.push(c);
  }
  // ttft 1.5 s; middle 1.5 + (3 − 1.5) / 2 = 2.25 s; end 3 s (then the usage chunk)
  assert.deepEqual(seen, [1_500_000, 2_250_000, 3_000_000, 3_000_000]);
  assert.deepEqual(texts, ["ab", "cd"]);
});
