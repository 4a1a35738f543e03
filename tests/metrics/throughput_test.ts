/**
 * callsOverTime on calls whose clock went wrong: a span of billions of buckets
 * lists the buckets holding calls instead of allocating every empty one.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { callsOverTime } from "../../src/metrics/throughput.ts";

Deno.test("callsOverTime: two calls 3,000 years apart in 1-minute buckets are two rows, not 1.6 billion", () => {
  const calls = pl.DataFrame({
    started_at: [new Date("2025-01-01T10:00:30Z"), new Date("5025-01-01T10:00:00Z")],
    status: ["ok", "error"],
  });
  const perMinute = callsOverTime(calls, { every: "1m" });
  assert.equal(perMinute.height, 2);
  assert.deepEqual(perMinute.getColumn("calls").toArray().map(Number), [1, 1]);
  assert.deepEqual(perMinute.getColumn("errors").toArray().map(Number), [0, 1]);
  // the first bucket starts at the minute of the first call
  assert.equal(
    (perMinute.getColumn("time").toArray()[0] as unknown as Date).toISOString(),
    "2025-01-01T10:00:00.000Z",
  );
});

Deno.test("callsOverTime: calls 10 minutes apart still fill the 9 empty minutes between them with 0", () => {
  const calls = pl.DataFrame({
    started_at: [new Date("2025-01-01T10:00:00Z"), new Date("2025-01-01T10:10:00Z")],
    status: ["ok", "ok"],
  });
  // 10:00 … 10:10 is 11 buckets: 1, nine 0s, 1
  assert.deepEqual(callsOverTime(calls).getColumn("calls").toArray().map(Number), [
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
  ]);
});
