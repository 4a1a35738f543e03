import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { summarize } from "../../src/metrics/mod.ts";
import { lazyFrame } from "../../src/frames/lazy.ts";
import { modelsByRun } from "../../src/report/groups.ts";
import { applyPrices } from "../../src/prices/mod.ts";
import { assertClose, CLAUDE, EXPECTED_CONTRACT, mixedTraceSet, traceSet } from "./_frames.ts";

const NOW = new Date("2025-02-03T04:05:06.000Z");
const priced = () => {
  const t = mixedTraceSet();
  return { ...t, calls: applyPrices(t.calls) };
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

Deno.test("summarize() reads only its columns, yet a custom metric reads any column of calls", () => {
  const base = priced();
  // A wide text column the summary never reads: 9 calls, every other one with a long prompt.
  const prompts = Array.from(
    { length: base.calls.height },
    (_, i) => (i % 2 === 0 ? "x".repeat(10_000) : null),
  );
  const wide = { ...base, calls: base.calls.withColumns(pl.Series("messages", prompts, pl.Utf8)) };
  const metrics = { with_prompt: pl.col("messages").isNotNull().sum().cast(pl.Int64) };
  const narrow = summarize(base, { now: NOW });
  const s = summarize(wide, { now: NOW, metrics });
  // Rows 0, 2, 4, 6 and 8 of 9 have a prompt: 5.
  assert.equal(s.metrics.with_prompt, 5);
  assert.equal(s.by_model.reduce((n, m) => n + (m.metrics.with_prompt as number), 0), 5);
  const strip = (x: typeof s) => ({
    ...x,
    metrics: {},
    by_model: x.by_model.map((m) => ({ ...m, metrics: {} })),
  });
  assert.deepEqual(strip(s), strip(narrow));
});

Deno.test("summarize(): the tokens' total counts a call's input and output as far as it reports them", async () => {
  const { fromTraceText } = await import("../../src/load/mod.ts");
  const ev = (type: string, ts: string, data: Record<string, unknown>) =>
    JSON.stringify({ type, timestamp: ts, session_id: "s", data });
  const text = [
    ev("llm_request", "2025-01-01T00:00:00", { request_id: "a", model: "m" }),
    ev("llm_response", "2025-01-01T00:00:01", {
      request_id: "a",
      duration_seconds: 1,
      usage: { input_tokens: 100 }, // input only: no output reported
    }),
    ev("llm_request", "2025-01-01T00:00:02", { request_id: "b", model: "m" }),
    ev("llm_response", "2025-01-01T00:00:03", {
      request_id: "b",
      duration_seconds: 1,
      usage: { input_tokens: 10, output_tokens: 5 },
    }),
    ev("llm_request", "2025-01-01T00:00:04", { request_id: "c", model: "m" }),
    ev("llm_response", "2025-01-01T00:00:05", {
      request_id: "c",
      duration_seconds: 1,
      usage: { total_tokens: 1000 }, // a total only
    }),
  ].join("\n");
  const s = summarize(await fromTraceText(text), { now: NOW });
  // 100 + (10 + 5) + 1000: never below the 110 input tokens the calls report
  assert.deepEqual([s.tokens.input, s.tokens.output, s.tokens.total], [110, 5, 1115]);
  // the model's tokens per call count the same: 1115 / 3
  assert.equal(s.by_model[0]!.tokens_per_call, 1115 / 3);
});

Deno.test("summarize(): peak_in_flight ends a pending call at its session's last event, as the figure draws it", () => {
  // by hand: session a (crashed: its last event at 00:06) holds a call 00:00–00:10 and one pending
  // from 00:04; session b, two calls 00:20–00:30 and 00:22–00:28. At most 2 calls at once
  // (00:04–00:06, 00:22–00:28); the pending call counted to the end of the run made it 3.
  const T = (s: string) => `2025-01-01T00:00:${s}Z`;
  const c = (session_id: string, request_id: string, start: string, end: string | null) => ({
    session_id,
    request_id,
    model: "gpt-4o",
    file: "f.jsonl",
    started_at: T(start),
    ended_at: end === null ? null : T(end),
    duration_s: end === null ? null : Number(end) - Number(start),
    status: end === null ? "pending" : "ok",
  });
  const s = summarize(traceSet({
    calls: [
      c("a", "r1", "00", "10"),
      c("a", "r2", "04", null),
      c("b", "r3", "20", "30"),
      c("b", "r4", "22", "28"),
    ],
    sessions: [
      { session_id: "a", file: "f.jsonl", started_at: T("00"), ended_at: T("06"), complete: false },
      { session_id: "b", file: "f.jsonl", started_at: T("20"), ended_at: T("30"), complete: true },
    ],
  }));
  assert.equal(s.throughput.peak_in_flight, 2);
});

Deno.test("summarize() and modelsByRun() never make a trace set's lazy events frame", () => {
  // a cached load makes its events frame when it is first read: the summary needs none of it
  const t = priced();
  let made = 0;
  const lazy = lazyFrame(
    {
      calls: t.calls.withColumns(pl.lit("run a").alias("group")),
      sessions: t.sessions,
      diagnostics: t.diagnostics,
      files: t.files,
      inputs: t.inputs,
    },
    "events",
    () => {
      made++;
      return t.events;
    },
  );
  const s = summarize(lazy, { now: NOW });
  assert.equal(made, 0, "summarize() made the events frame");
  // the data quality of the fixture as its hand-computed counts give it, as without the lazy frame
  assert.deepEqual(s.data_quality, summarize(t, { now: NOW }).data_quality);
  const rows = modelsByRun(lazy, ["run a"]);
  assert.equal(made, 0, "modelsByRun() made the events frame");
  assert.deepEqual(rows.map((r) => [r.model, r.run, r.calls]), [
    ...summarize(t, { now: NOW }).by_model.map((m) => [m.model, "run a", m.calls]),
  ]);
  // still there when asked for
  assert.equal(lazy.events.height, t.events.height);
  assert.equal(made, 1);
});
