/**
 * The metrics through the real loader: the mixed fixture (tests/fixtures/metrics/
 * mixed.jsonl, the JSONL twin of mixedTraceSet()) and the real native traces.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadTraces } from "../../src/load/mod.ts";
import { compareGroups, summarize } from "../../src/metrics/mod.ts";
import { realFixture } from "../_helpers.ts";
import { assertClose, EXPECTED_CONTRACT } from "./_frames.ts";

const MIXED = fileURLToPath(new URL("../fixtures/metrics/mixed.jsonl", import.meta.url));
const NOW = new Date("2025-02-03T04:05:06.000Z");

Deno.test("summarize(loadTraces(mixed.jsonl)) equals the hand-computed summary", async () => {
  const s = summarize(await loadTraces([MIXED]), { now: NOW });
  const keys = Object.keys(EXPECTED_CONTRACT);
  const head = Object.fromEntries(keys.map((k) => [k, s[k as keyof typeof s]]));
  assertClose(head, { ...EXPECTED_CONTRACT, inputs: [MIXED] });
  // The loader gives the unfinished session s2 a duration up to its last event (31 s).
  assertClose(s.session_stats.time_in_calls_s, 12 + 14);
  assertClose(s.session_stats.time_outside_calls_s, 48 + 17);
  assert.equal(s.data_quality.orphan_responses, 1);
  assert.equal(s.data_quality.sessions_without_end, 1);
  assert.equal(s.top_errors[0]?.count, 2);
});

Deno.test("loadTraces() with --prices overrides prices my-model in the summary", async () => {
  const traces = await loadTraces([MIXED], { prices: { "my-model": { input: 1, output: 2 } } });
  const s = summarize(traces, { now: NOW });
  assertClose(s.cost_usd, {
    total: 0.012885 + (1000 * 1 + 1000 * 2) / 1e6,
    priced_calls: 6,
    unpriced_models: [],
  });
});

Deno.test("compareGroups() on loaded traces ranks by model", async () => {
  const { best } = compareGroups(await loadTraces([MIXED]));
  assert.equal(best.find((b) => b.metric === "latency_p50")?.group, "my-model");
});

Deno.test("seed parity on the real native traces: 1 request, 1 response, 0 errors, 24.99 s, unknown: 1", async () => {
  const dir = realFixture("native/");
  if (!dir) return;
  const s = summarize(await loadTraces([dir]), { now: NOW });
  assert.equal(s.request_count, 1);
  assert.equal(s.response_count, 1);
  assert.equal(s.error_count, 0);
  assert.equal(s.response_time.count, 1);
  assert.equal(s.response_time.mean, 24.989967823028564); // the seed prints 24.99
  assert.equal(s.response_time.std, 0);
  assert.deepEqual(s.models_used, { unknown: 1 });
  assert.deepEqual(s.sessions, { count: 2, complete: 1, unfinished: 1 });
  assert.deepEqual(s.cost_usd, { total: null, priced_calls: 0, unpriced_models: ["unknown"] });
  assert.deepEqual(s.calls, { total: 1, ok: 1, error: 0, pending: 0 });
});
