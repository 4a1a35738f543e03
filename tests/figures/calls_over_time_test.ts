import assert from "node:assert/strict";
import { callBuckets, callsOverTimeFigure } from "../../src/figures/calls_over_time.ts";
import { at, callsFrame } from "./_calls.ts";
import { assertSnapshot, markElements, parseSvg, texts } from "./_snapshot.ts";

// Minute 0: an ok call and an error; minute 1: an ok call and a pending one;
// minute 2: an ok call and an orphan response (the loader gives it the start
// its duration implies); a call with no start time is left out.
const calls = callsFrame([
  { started_at: at(0), ended_at: at(2), duration_s: 2 },
  { started_at: at(10), ended_at: at(11), duration_s: 1, status: "error" },
  { started_at: at(70), ended_at: at(72), duration_s: 2 },
  { started_at: at(75), status: "pending" },
  { started_at: at(130), ended_at: at(131), duration_s: 1 },
  { started_at: at(137), ended_at: at(140), duration_s: 3, orphan: true },
  { ended_at: at(150), duration_s: 3, orphan: true },
]);

Deno.test("callBuckets() counts calls per minute and status, stacked ok, error, pending", () => {
  const { buckets, interval } = callBuckets(calls, { interval: "1m" });
  assert.equal(interval.name, "minute");
  assert.deepEqual(
    buckets.map((b) => [b.start.toISOString().slice(11, 19), b.status, b.calls, b.y1, b.y2]),
    [
      ["12:00:00", "ok", 1, 0, 1],
      ["12:00:00", "error", 1, 1, 2],
      ["12:01:00", "ok", 1, 0, 1],
      ["12:01:00", "pending", 1, 1, 2],
      ["12:02:00", "ok", 2, 0, 2],
    ],
  );
  assert.equal(buckets[0]!.end.toISOString(), "2025-04-08T12:01:00.000Z");
});

Deno.test("callBuckets() picks the narrowest interval giving at most maxBuckets buckets", () => {
  // A 140 s span: 140 buckets of 1 s > 60, 28 of 5 s; 14 of 10 s > 5, 4.7 of 30 s.
  assert.equal(callBuckets(calls).interval.every, "5s");
  assert.equal(callBuckets(calls, { maxBuckets: 5 }).interval.every, "30s");
});

Deno.test("callsOverTimeFigure() draws the stacked segments with a status legend", async () => {
  const fig = await callsOverTimeFigure(calls, { interval: "1m" });
  const root = parseSvg(fig.toSVG());
  assert.equal(markElements(root, "rect", "rect").length, 5);
  const all = texts(root);
  for (
    const t of [
      "Calls and Errors over Time",
      "ok (4)",
      "error (1)",
      "pending (1)",
      "Calls per minute",
      "Time (UTC, 2025-04-08)",
    ]
  ) {
    assert.ok(all.includes(t), t);
  }
  assert.ok(all.includes("6 calls, 1 error, per minute"));
  assert.deepEqual(fig.warnings, []);
  assertSnapshot("calls_over_time", fig.toSVG());
});

Deno.test("callsOverTimeFigure() rejects an interval outside its ladder", async () => {
  await assert.rejects(() => callsOverTimeFigure(calls, { interval: "7m" }), RangeError);
});

Deno.test("callsOverTimeFigure() of a single call draws one bar; of none an empty-state figure", async () => {
  const one = await callsOverTimeFigure(
    callsFrame([{ started_at: at(0), ended_at: at(1), duration_s: 1 }]),
  );
  assert.equal(markElements(parseSvg(one.toSVG()), "rect", "rect").length, 1);
  assert.deepEqual(one.warnings, []);
  const none = await callsOverTimeFigure(callsFrame([]));
  assert.equal(none.empty, true);
});
