/** LiveTotals (the running totals of `watch`) on hand-made events. */
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LiveStatus, LiveTotals, summarize } from "../../src/metrics/mod.ts";
import { type EventRecord, loadTraces } from "../../src/load/mod.ts";
import { TraceTail } from "../../src/load/tail.ts";
import { ev } from "../load/_events.ts";

const T0 = Date.parse("2025-01-01T00:00:00Z") * 1000; // µs

/** An event of session s in f.jsonl, `seconds` after T0 (the loader's record, as `ev` builds it). */
function event(type: string, request_id: string, seconds: number, more: Partial<EventRecord> = {}) {
  return ev(1, type, request_id, {
    file: "f.jsonl",
    ts: T0 + seconds * 1e6,
    session_id: "s",
    ...more,
  });
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
    "o1-mini": { requests: 2, responses: 1, errors: 1, pending: 0, latency_p50_s: 2 },
  });
  assert.deepEqual([s.requests, s.responses, s.errors, s.pending, s.error_rate], [2, 1, 1, 0, 0.5]);
});

const TRICKY = new URL("../fixtures/watch/tricky.jsonl", import.meta.url);

/** The fixture fed to a TraceTail in appends of the given sizes (cycled), one poll after each. */
async function watchInPieces(sizes: number[]): Promise<LiveStatus> {
  const bytes = readFileSync(TRICKY);
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "tricky.jsonl");
  writeFileSync(path, "");
  const tail = TraceTail.open([path]);
  const totals = new LiveTotals(60);
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    appendFileSync(path, bytes.subarray(at, at + n));
    at += n;
    const u = await tail.poll();
    totals.add(u.events, u.diagnostics);
  }
  const last = await tail.poll({ final: true });
  totals.add(last.events, last.diagnostics);
  Deno.removeSync(dir, { recursive: true });
  return totals.status(1);
}

Deno.test("watch's totals equal summarize(loadTraces()) however the lines are split between polls", async () => {
  const summary = summarize(await loadTraces(TRICKY.pathname));
  // the independent path: the loader's calls, counted by summarize
  const expected = {
    requests: summary.request_count,
    responses: summary.response_count,
    errors: summary.error_count,
    pending: summary.calls.pending,
    by_model: Object.fromEntries(summary.by_model.map((m) => [m.model, {
      requests: summary.models_used[m.model] ?? 0,
      responses: m.ok,
      errors: m.errors,
      pending: m.pending,
    }])),
  };
  // By hand (tests/fixtures/watch/tricky.jsonl): requests a b c d e x x p = 8; ok: a (answered 15
  // lines later), b, c (answered before its request), the first x, the orphan y and b's second
  // response = 6; errors: d, e and the orphan z = 3; pending: the second x and p = 2.
  assert.deepEqual([expected.requests, expected.responses, expected.errors, expected.pending], [
    8,
    6,
    3,
    2,
  ]);
  // The model rule: b has no model (the response's, gpt-4o-2024-08-06); d asked for "unknown"
  // (the error's, o1-mini-2024-09-12); e's error names none (o1-mini, requested); z names none.
  const row = (requests: number, responses: number, errors: number, pending: number) => ({
    requests,
    responses,
    errors,
    pending,
  });
  const byHand = {
    "claude-3-5-sonnet": row(1, 1, 0, 0),
    "gpt-4o": row(2, 4, 0, 0), // a and the first x; responses a, x, y, b's second
    "gpt-4o-2024-08-06": row(1, 1, 0, 0),
    "gpt-4o-mini": row(2, 0, 0, 2), // the second x and p
    "o1-mini": row(1, 0, 1, 0),
    "o1-mini-2024-09-12": row(1, 0, 1, 0),
    unknown: row(0, 0, 1, 0),
  };
  assert.deepEqual(expected.by_model, byHand);
  for (const sizes of [[3120], [37, 211, 5, 400, 1, 150], [1], [149, 152]]) {
    const s = await watchInPieces(sizes);
    const byModel = Object.fromEntries(
      Object.entries(s.by_model).map(([k, { latency_p50_s: _, ...m }]) => [k, m]),
    );
    assert.deepEqual(
      {
        requests: s.requests,
        responses: s.responses,
        errors: s.errors,
        pending: s.pending,
        by_model: byModel,
      },
      expected,
      `appends of ${sizes.join(", ")} bytes`,
    );
  }
});
