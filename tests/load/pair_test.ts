/** src/load/_pair.ts: requests paired with their outcome, and the model rule. */
import assert from "node:assert/strict";
import { modelOf, pairCalls } from "../../src/load/_pair.ts";
import { ev } from "./_events.ts";

/** Each call as `request line → outcome line` (`-` for none). */
const shape = (calls: ReturnType<typeof pairCalls>["calls"]) =>
  calls.map((c) => `${c.request?.line ?? "-"}→${c.outcome?.line ?? "-"}`);

Deno.test("pairCalls() pairs each outcome with the first open request of its key, whatever the line order", () => {
  const { calls, warnings } = pairCalls([
    ev(2, "llm_response", "b"), // b's response is written before its request
    ev(3, "llm_request", "a"),
    ev(4, "llm_request", "b"),
    ev(5, "llm_error", "a"),
    ev(6, "llm_request", "c"), // never answered: a pending call
  ]);
  assert.deepEqual(shape(calls), ["3→5", "4→2", "6→-"]);
  assert.deepEqual(warnings, []);
});

Deno.test("pairCalls() keeps an orphan outcome as its own call, in line order, with a warning", () => {
  const { calls, warnings } = pairCalls([
    ev(1, "llm_request", "a"),
    ev(2, "llm_response", "zz"), // no request zz
    ev(3, "llm_response", "a"),
  ]);
  assert.deepEqual(shape(calls), ["1→3", "-→2"]); // by the line of the request, else of the outcome
  assert.deepEqual(warnings.map((w) => `${w.line} ${w.code} ${w.severity}`), [
    "2 orphan_response warning",
  ]);
  // an orphan before every request sorts first
  const early = pairCalls([
    ev(1, "llm_error", "x"),
    ev(2, "llm_request", "a"),
    ev(3, "llm_response", "a"),
  ]);
  assert.deepEqual(shape(early.calls), ["-→1", "2→3"]);
});

Deno.test("pairCalls() gives a duplicated request id its own call and a second outcome a warning", () => {
  const { calls, warnings } = pairCalls([
    ev(1, "llm_request", "a"),
    ev(2, "llm_request", "a"), // the same id again: a second call
    ev(3, "llm_response", "a"), // → line 1
    ev(4, "llm_response", "a"), // → line 2
    ev(5, "llm_response", "a"), // no open request left: an orphan
  ]);
  assert.deepEqual(shape(calls), ["1→3", "2→4", "-→5"]);
  assert.deepEqual(warnings.map((w) => `${w.line} ${w.code}`), [
    "2 duplicate_request_id",
    "5 duplicate_outcome",
  ]);
});

Deno.test("modelOf() follows the model rule: requested, else the response's, else unknown", () => {
  const req = (model: string | null) => ev(1, "llm_request", "a", { model });
  const res = (model: string | null) => ev(2, "llm_response", "a", { model });
  assert.equal(modelOf(req("gpt-4o"), res("gpt-4o-2024-08-06")), "gpt-4o");
  assert.equal(modelOf(req(null), res("gpt-4o-2024-08-06")), "gpt-4o-2024-08-06");
  assert.equal(modelOf(req("unknown"), res("claude")), "claude");
  assert.equal(modelOf(req("unknown"), res(null)), "unknown");
  assert.equal(modelOf(undefined, res(null)), "unknown");
  assert.equal(modelOf(req("gpt-4o"), undefined), "gpt-4o");
});
