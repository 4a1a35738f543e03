/** src/simulate/_plan.ts: one drawn call keeps the invariants the trace relies on. */
import assert from "node:assert/strict";
import { Random } from "../../src/simulate/prng.ts";
import { profileOf } from "../../src/simulate/models.ts";
import { makePlan, MAX_TOKENS, type SessionContext } from "../../src/simulate/_plan.ts";

function context(errorRate: number): SessionContext {
  const models = ["gpt-4o", "claude-3-5-sonnet-20241022"].map(profileOf);
  return {
    rng: new Random(3),
    nowUs: 1_000_000,
    models,
    primary: models[0]!,
    errorRate,
    streamRate: 0.5,
    result: {
      files: [],
      sessions: 1,
      unfinishedSessions: 0,
      calls: 0,
      responses: 0,
      errors: 0,
      pending: 0,
      retries: 0,
      streamed: 0,
    },
    totalCalls: 0,
    onProgress: undefined,
    category: "Tax",
  };
}

Deno.test("makePlan() draws calls that start after now, end after their first token and fit max_tokens", () => {
  const ctx = context(0);
  for (let i = 0; i < 500; i++) {
    const p = makePlan(ctx, ["a", "b"], undefined);
    assert.ok(p.startUs >= ctx.nowUs && p.startUs <= ctx.nowUs + 15_000, "starts within 15 ms");
    assert.ok(p.ttftUs >= p.startUs && p.endUs >= p.ttftUs, "start ≤ first token ≤ end");
    assert.ok(p.outputTokens >= 1 && p.outputTokens <= MAX_TOKENS);
    assert.equal(p.finishLength, p.outputTokens === MAX_TOKENS);
    assert.ok(p.cachedTokens >= 0 && p.cachedTokens < p.inputTokens);
    assert.equal(p.failure, undefined, "error rate 0: no failure");
    assert.equal(p.request.model, p.profile.name);
  }
});

Deno.test("makePlan() retries with the failed call's model and a copy of its request, and counts it", () => {
  const ctx = context(0);
  const failed = makePlan(ctx, ["a"], undefined);
  failed.requestId = "r1";
  const retry = makePlan(ctx, ["a"], failed);
  assert.equal(retry.profile, failed.profile);
  assert.deepEqual(retry.request, failed.request);
  assert.notEqual(retry.request, failed.request); // a copy: the tracer keys calls by request object
  assert.equal(retry.retryOf, "r1");
  assert.equal(ctx.result.retries, 1);
});
