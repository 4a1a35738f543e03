import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { summarize } from "../../src/metrics/mod.ts";
import { applyPrices } from "../../src/prices/mod.ts";
import { mixedTraceSet, traceSet } from "./_frames.ts";

/** Deep equality where numbers agree to 1e-12 (relative) and key order matters. */
export function assertClose(actual: unknown, expected: unknown, path = "summary"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    assert.ok(
      Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
      `${path}: ${actual} != ${expected}`,
    );
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === "object") {
    assert.ok(actual && typeof actual === "object", `${path}: not an object`);
    assert.deepEqual(Object.keys(actual as object), Object.keys(expected), `${path}: keys`);
    for (const [k, v] of Object.entries(expected)) {
      assertClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    }
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

const NOW = new Date("2025-02-03T04:05:06.000Z");
const priced = () => {
  const t = mixedTraceSet();
  return { ...t, calls: applyPrices(t.calls) };
};

// Hand-computed: see the fixture description in _frames.ts.
const CLAUDE = "claude-3-5-sonnet-20241022";
const EXPECTED_CONTRACT = {
  schema: "tracebook.summary/1",
  generated_at: "2025-02-03T04:05:06.000Z",
  inputs: ["mixed.jsonl"],
  request_count: 8, // 9 calls, one an orphan response
  response_count: 6, // r1 r2 r4 r5 r8 r9
  error_count: 2, // r3 r6
  // ok calls with duration > 0: [2, 4, 6, 10, 1] (r5's 0 s is left out)
  response_time: {
    count: 5,
    mean: 4.6,
    std: 3.5777087639996634,
    min: 1,
    max: 10,
    p50: 4,
    p90: 8.4,
    p95: 9.2,
    p99: 9.84,
  },
  models_used: { "gpt-4o": 4, [CLAUDE]: 3, "my-model": 1 }, // requests, first-requested order
  calls: { total: 9, ok: 6, error: 2, pending: 1 },
  tokens: { input: 4610, output: 1461, total: 6071, calls_with_usage: 6 },
  // gpt-4o: r1 0.0035 + r2 (1000×2.5 + 1000×1.25 + 300×10)/1e6 + r5 0.000035 + r8 0.00035; claude r4 (500×3 + 50×15)/1e6
  cost_usd: { total: 0.012885, priced_calls: 5, unpriced_models: ["my-model"] },
  sessions: { count: 2, complete: 1, unfinished: 1 },
  by_model: [
    {
      model: "gpt-4o",
      calls: 5,
      ok: 4,
      errors: 0,
      error_rate: 0,
      latency: { mean: 16 / 3, p50: 4, p90: 8.8, p95: 9.4, p99: 9.88, min: 2, max: 10 }, // [2, 4, 10]
      input_tokens: 3110,
      output_tokens: 411,
      cost_usd: 0.010635,
      pending: 1,
      error_rate_ci: [0, 0.4898908364545973],
      metrics: {},
    },
    {
      model: CLAUDE,
      calls: 3,
      ok: 1,
      errors: 2,
      error_rate: 2 / 3,
      latency: { mean: 6, p50: 6, p90: 6, p95: 6, p99: 6, min: 6, max: 6 },
      input_tokens: 500,
      output_tokens: 50,
      cost_usd: 0.00225,
      pending: 0,
      error_rate_ci: [0.20765960080204768, 0.9385080552796037],
      metrics: {},
    },
    {
      model: "my-model",
      calls: 1,
      ok: 1,
      errors: 0,
      error_rate: 0,
      latency: { mean: 1, p50: 1, p90: 1, p95: 1, p99: 1, min: 1, max: 1 },
      input_tokens: 1000,
      output_tokens: 1000,
      cost_usd: null,
      pending: 0,
      error_rate_ci: [0, 0.7934506856227626],
      metrics: {},
    },
  ],
  diagnostics: { count: 2, by_code: { invalid_json: 1, orphan_response: 1 } },
};

Deno.test("summarize() returns the summary.json contract, hand-computed on the mixed fixture", () => {
  const s = summarize(priced(), { now: NOW });
  const contractKeys = Object.keys(EXPECTED_CONTRACT);
  assert.deepEqual(
    Object.keys(s).slice(0, contractKeys.length),
    contractKeys,
    "contract keys first, in order",
  );
  const head = Object.fromEntries(contractKeys.map((k) => [k, s[k as keyof typeof s]]));
  assertClose(head, EXPECTED_CONTRACT);
});

Deno.test("summarize() adds the extra metrics after the contract keys", () => {
  const s = summarize(priced(), { now: NOW });
  assertClose(s.error_latency, {
    count: 2,
    mean: 2,
    std: Math.SQRT2,
    min: 1,
    max: 3,
    p50: 2,
    p90: 2.8,
    p95: 2.9,
    p99: 2.98,
  });
  assertClose(s.error_rate, { rate: 0.25, low: 0.07147921275210901, high: 0.5907245696898311 }); // Wilson, 2 of 8
  assertClose(s.ttft, {
    count: 2,
    mean: 1,
    std: Math.SQRT1_2,
    min: 0.5,
    max: 1.5,
    p50: 1,
    p90: 1.4,
    p95: 1.45,
    p99: 1.49,
  });
  // (4 − 0.5)/299 and (6 − 1.5)/49
  assert.equal(s.time_per_output_token.count, 2);
  assertClose(s.time_per_output_token.min, 0.011705685618729096);
  assertClose(s.time_per_output_token.max, 0.09183673469387756);
  // 100/2, 300/4, 50/6, 10/10, 1000/1
  assertClose(s.output_tokens_per_second.mean, 226.86666666666665);
  assertClose(s.output_tokens_per_second.p50, 50);
  assertClose(s.token_details, { cache_read: 1000, cache_write: 0, reasoning: 0 });
  assertClose(s.throughput, {
    first_call_at: "2025-01-01T00:00:00.000Z",
    last_call_at: "2025-01-01T00:02:31.000Z",
    span_s: 151,
    calls_per_minute: 540 / 151,
    peak_calls_per_minute: 5, // r1–r5 in the first minute
    peak_in_flight: 2, // r1 and r2; r7 (pending) and r8
  });
  // s1: union of [0,2] [1,5] [10,11] [20,26] [30,30] = 12 s of 60; s2 has no duration.
  assertClose(s.session_stats, {
    duration_s: {
      count: 1,
      mean: 60,
      std: 0,
      min: 60,
      max: 60,
      p50: 60,
      p90: 60,
      p95: 60,
      p99: 60,
    },
    calls_per_session: {
      count: 2,
      mean: 4.5,
      std: Math.SQRT1_2,
      min: 4,
      max: 5,
      p50: 4.5,
      p90: 4.9,
      p95: 4.95,
      p99: 4.99,
    },
    time_in_calls_s: 12,
    time_outside_calls_s: 48,
    share_in_calls: 0.2,
  });
  assertClose(s.top_errors, [{
    message: "Rate limit exceeded (<n>), request <id>",
    count: 2,
    share: 1,
    example: "Rate limit exceeded (429), request req_8f3k2j9d",
    models: [CLAUDE],
  }]);
  assertClose(s.data_quality, {
    diagnostics_by_code: { invalid_json: 1, orphan_response: 1 },
    diagnostics_by_severity: { error: 1, warning: 1 },
    orphan_responses: 1,
    pending_calls: 1,
    sessions_without_end: 1,
    unknown_model_calls: 0,
  });
  assertClose(s.metrics, {});
});

Deno.test("summarize() reports a user's named metric overall and per model", () => {
  const s = summarize(priced(), {
    now: NOW,
    metrics: { p75_latency: pl.col("duration_s").quantile(0.75, "linear") },
  });
  // Every call with a duration: [0, 1, 1, 2, 3, 4, 6, 10] → 4.5
  assertClose(s.metrics, { p75_latency: 4.5 });
  assertClose(s.by_model.map((m) => [m.model, m.metrics.p75_latency]), [
    ["gpt-4o", 5.5], // [0, 2, 4, 10]
    [CLAUDE, 4.5], // [1, 3, 6]
    ["my-model", 1],
  ]);
});

Deno.test("summarize() gives nulls, never zeros, for statistics over no values", () => {
  const s = summarize(traceSet({}), { now: NOW });
  assertClose(s.response_time, {
    count: 0,
    mean: null,
    std: null,
    min: null,
    max: null,
    p50: null,
    p90: null,
    p95: null,
    p99: null,
  });
  assertClose(s.cost_usd, { total: null, priced_calls: 0, unpriced_models: [] });
  assertClose(s.calls, { total: 0, ok: 0, error: 0, pending: 0 });
  assert.deepEqual(s.by_model, []);
  assert.deepEqual(s.models_used, {});
  assert.equal(s.error_rate.rate, null);
  assert.equal(s.throughput.calls_per_minute, null);
});

Deno.test("summarize() gives a standard deviation of 0 for one response, as the seed does", () => {
  const s = summarize(
    traceSet({
      calls: [{
        session_id: "s",
        request_id: "r",
        model: "unknown",
        status: "ok",
        duration_s: 24.989967823028564,
      }],
    }),
    { now: NOW },
  );
  assertClose(s.response_time, {
    count: 1,
    mean: 24.989967823028564,
    std: 0,
    min: 24.989967823028564,
    max: 24.989967823028564,
    p50: 24.989967823028564,
    p90: 24.989967823028564,
    p95: 24.989967823028564,
    p99: 24.989967823028564,
  });
  assert.deepEqual(s.cost_usd.unpriced_models, ["unknown"]);
});

Deno.test("summarize() output survives JSON round-trip unchanged (plain numbers, no bigint, no NaN)", () => {
  const s = summarize(priced(), { now: NOW });
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
});
