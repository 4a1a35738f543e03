/** src/load/_assemble.ts: the calls frame from the table's columns, and a table consumed while the frames are built. */
import assert from "node:assert/strict";
import { assembleFrames, assembleTableFrames } from "../../src/load/_assemble.ts";
import { EventTable } from "../../src/load/_event_columns.ts";
import { ev, usage } from "./_events.ts";

// events at `line` seconds: ts = line × 1e6 µs
const records = [
  ev(1, "session_start", null),
  // r1: asked for "unknown", served "m-1": the served one is the model
  ev(2, "llm_request", "r1", { model: "unknown", provider: "p-req", prompt_chars: 12 }),
  ev(3, "llm_response", "r1", { model: "m-1", usage, ttft: 0.25, output_chars: 7, duration: 1.5 }),
  // r2: asked for "m", the response names "" (no served model), the provider comes from the request
  ev(4, "llm_request", "r2", { model: "m", provider: "p-req", retry_of: "r1" }),
  ev(5, "llm_error", "r2", { model: "", error: "boom", finish_reason: "error" }),
  // r3: an outcome without a request (orphan), its own duration of 2 s
  ev(6, "llm_response", "r3", { model: "unknown", duration: 2, provider: "p-out" }),
  // r4: pending
  ev(7, "llm_request", "r4"),
];

/** Column `name` of a frame as an array. */
const col = (df: { getColumn(n: string): { toArray(): unknown[] } }, name: string) =>
  df.getColumn(name).toArray();

Deno.test("calls: the model rule, served model, provider, status and times from the table's columns", () => {
  const { calls } = assembleFrames(records, [], {});
  // calls in line order of their request (of the outcome for the orphan r3, line 6)
  assert.deepEqual(col(calls, "request_id"), ["r1", "r2", "r3", "r4"]);
  // r1 asked "unknown" → the response's "m-1"; r2 asked "m"; r3 names only "unknown"; r4 none → "unknown"
  assert.deepEqual(col(calls, "model"), ["m-1", "m", "unknown", "unknown"]);
  // "unknown" and "" are no served model
  assert.deepEqual(col(calls, "served_model"), ["m-1", null, null, null]);
  // the outcome's provider, else the request's
  assert.deepEqual(col(calls, "provider"), ["p-req", "p-req", "p-out", null]);
  assert.deepEqual(col(calls, "status"), ["ok", "error", "ok", "pending"]);
  assert.deepEqual(col(calls, "error"), [null, "boom", null, null]);
  // r1 1.5 s (its own), r2 5 − 4 = 1 s, r3 2 s (its own), r4 pending
  assert.deepEqual(col(calls, "duration_s"), [1.5, 1, 2, null]);
  // r3 has no request: it started 2 s before its response at 6 s, at 4 s
  const seconds = (v: unknown) => v === null ? null : (v as Date).getTime() / 1000;
  assert.deepEqual(col(calls, "started_at").map(seconds), [2, 4, 4, 7]);
  assert.deepEqual(col(calls, "ended_at").map(seconds), [3, 5, 6, null]);
  assert.deepEqual(col(calls, "input_tokens"), [10, null, null, null]);
  assert.deepEqual(col(calls, "cache_write_tokens"), [2, null, null, null]);
  assert.deepEqual(col(calls, "reasoning_tokens"), [null, null, null, null]);
  assert.deepEqual(col(calls, "prompt_chars"), [12, null, null, null]);
  assert.deepEqual(col(calls, "output_chars"), [7, null, null, null]);
  assert.deepEqual(col(calls, "ttft_s"), [0.25, null, null, null]);
  assert.deepEqual(col(calls, "line"), [2, 4, 6, 7]);
  assert.deepEqual(col(calls, "orphan"), [false, false, true, false]);
  assert.deepEqual(col(calls, "retry_of"), [null, "r1", null, null]);
  assert.deepEqual(col(calls, "finish_reason"), [null, "error", null, null]);
  assert.deepEqual(col(calls, "format"), ["native", "native", "native", "native"]);
  assert.deepEqual(col(calls, "file"), ["a.jsonl", "a.jsonl", "a.jsonl", "a.jsonl"]);
  assert.deepEqual(col(calls, "session_id"), ["s1", "s1", "s1", "s1"]);
  assert.deepEqual(col(calls, "trace_id"), [null, null, null, null]);
  assert.deepEqual(col(calls, "batch"), [false, false, false, false]);
  assert.equal(calls.getColumn("cost_usd").nullCount(), 4);
});

Deno.test("calls: no event names the model 'unknown', and no calls at all", () => {
  const { calls } = assembleFrames([ev(1, "llm_request", "r1"), ev(2, "llm_error", "r1")], [], {});
  assert.deepEqual(col(calls, "model"), ["unknown"]);
  const none = assembleFrames([ev(1, "session_start", null)], [], {});
  assert.equal(none.calls.height, 0);
  // the same columns and dtypes as a frame with calls
  assert.deepEqual(none.calls.dtypes.map(String), calls.dtypes.map(String));
  assert.deepEqual(none.calls.columns, calls.columns);
});

Deno.test("assembleTableFrames: the frames of assembleFrames, the table's columns let go", async () => {
  const whole = assembleFrames(records, [], { keepText: false });
  const table = EventTable.from(records, false);
  const frames = await assembleTableFrames(table, [], {}, true);
  for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
    assert.ok(frames[k].frameEqual(whole[k], true), k);
  }
  assert.equal(table.numbers.length, 0);
  assert.equal(table.requestId.length, 0);
  assert.equal(table.codes.length, 0);
  assert.equal(table.texts, null);
});

Deno.test("events: each event's request id, a call's request and outcome sharing one string", async () => {
  const events = [
    ev(1, "session_start", null),
    ev(2, "llm_request", "a"), // a: paired with line 4
    ev(3, "llm_request", "b"), // b: twice; the first takes line 5's response, the second pends
    ev(4, "llm_response", "a"),
    ev(5, "llm_response", "b"),
    ev(6, "llm_request", "b"),
    ev(7, "llm_error", "c"), // c: an outcome without a request (an orphan call)
    ev(8, "step_done", "d"), // d: in no call, still its event's id
    ev(9, "llm_request", null), // a request without an id, and its response
    ev(10, "llm_response", null),
  ];
  // read off the list above, line by line
  const expected = [null, "a", "b", "a", "b", "b", "c", "d", null, null];
  const frames = assembleFrames(events, [], {});
  assert.deepEqual(col(frames.events, "request_id"), expected);
  // calls in line order of their request (of the outcome for the orphan c): a, b, b, c, the null pair
  assert.deepEqual(col(frames.calls, "request_id"), ["a", "b", "b", "c", null]);
  assert.deepEqual(col(frames.calls, "status"), ["ok", "ok", "pending", "error", "ok"]);
  // and from a table, settled between the steps
  const table = await assembleTableFrames(EventTable.from(events, false), [], {}, true);
  assert.deepEqual(col(table.events, "request_id"), expected);
  assert.ok(table.calls.frameEqual(frames.calls, true));
});
