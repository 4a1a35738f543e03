/** LiveTotals (the running totals of `watch`) on hand-made events. */
import assert from "node:assert/strict";
import { LiveTotals } from "../../src/metrics/mod.ts";
import type { EventRecord } from "../../src/load/mod.ts";

const T0 = Date.parse("2025-01-01T00:00:00Z") * 1000; // µs

function event(type: string, request_id: string, seconds: number, more: Partial<EventRecord> = {}) {
  return {
    file: "f.jsonl",
    line: 1,
    type,
    ts: T0 + seconds * 1e6,
    session_id: "s",
    request_id,
    model: null,
    provider: null,
    duration: null,
    error: null,
    usage: null,
    ttft: null,
    finish_reason: null,
    retry_of: null,
    prompt_chars: null,
    output_chars: null,
    payload: null,
    metadata: null,
    ...more,
  } as EventRecord;
}

Deno.test("LiveTotals counts by the requested model: the o1-mini case is one row", () => {
  const totals = new LiveTotals(5);
  const errors = totals.add([
    event("llm_request", "a", 0, { model: "o1-mini" }),
    event("llm_request", "b", 1, { model: "o1-mini" }),
    event("llm_response", "a", 2, { model: "o1-mini-2024-09-12", duration: 2 }),
    event("llm_error", "b", 5, { duration: 4, error: "boom" }),
  ], []);
  assert.deepEqual(errors.map((e) => e.model), ["o1-mini"]);
  const s = totals.status(1);
  // One row: 2 requests, 1 response (served as o1-mini-2024-09-12), 1 error; p50 of [2] = 2.
  assert.deepEqual(s.by_model, {
    "o1-mini": { requests: 2, responses: 1, errors: 1, latency_p50_s: 2 },
  });
  assert.deepEqual([s.requests, s.responses, s.errors, s.pending, s.error_rate], [2, 1, 1, 0, 0.5]);
});
