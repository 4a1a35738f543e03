import assert from "node:assert/strict";
import { inFlight, inFlightSeries } from "../../src/figures/in_flight.ts";
import { at, callsFrame } from "./_calls.ts";
import { assertSnapshot, parseSvg, texts } from "./_snapshot.ts";

// A 0–10 s, B 5–15 s, C 10–20 s (starts as A ends), D pending from 12 s,
// and an orphan response with no start (left out).
const calls = callsFrame([
  { started_at: at(0), ended_at: at(10), duration_s: 10 },
  { started_at: at(5), ended_at: at(15), duration_s: 10 },
  { started_at: at(10), ended_at: at(20), duration_s: 10 },
  { started_at: at(12), status: "pending" },
  { ended_at: at(8), duration_s: 1, orphan: true },
]);

Deno.test("inFlightSeries() counts calls running from each change point on", () => {
  assert.deepEqual(
    inFlightSeries(calls).map((p) => [p.t.toISOString().slice(17, 19), p.in_flight]),
    [["00", 1], ["05", 2], ["10", 2], ["12", 3], ["15", 2], ["20", 1]],
  );
});

Deno.test("inFlight() draws the step series with its peak and the calls left in flight", async () => {
  const fig = await inFlight(calls);
  const root = parseSvg(fig.toSVG());
  assert.equal(root.querySelectorAll('g[aria-label="line"] path').length, 1);
  const all = texts(root);
  for (const t of ["Calls in Flight", "Calls in flight", "Time (UTC, 2025-04-08)"]) {
    assert.ok(all.includes(t), t);
  }
  assert.ok(all.includes("peak 3 at 2025-04-08 12:00:12 UTC; 1 still in flight at the end"));
  assert.deepEqual(fig.warnings, []);
  assertSnapshot("in_flight", fig.toSVG());
});

Deno.test("inFlight() reduces long series to the maximum per bucket", async () => {
  const many = callsFrame(
    Array.from(
      { length: 300 },
      (_, i) => ({ started_at: at(i), ended_at: at(i + 0.5), duration_s: 0.5 }),
    ),
  );
  const all = texts(parseSvg((await inFlight(many, { maxPoints: 100 })).toSVG()));
  assert.ok(
    all.includes("peak 1 at 2025-04-08 12:00:00 UTC; maximum per 10 seconds"),
    all.join(" | "),
  );
});

Deno.test("inFlight() of no timed call is an empty-state figure", async () => {
  assert.equal((await inFlight(callsFrame([]))).empty, true);
});
