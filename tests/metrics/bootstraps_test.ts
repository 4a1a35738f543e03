/**
 * The bootstraps of a comparison shared with a helper thread: each result is the
 * one its function gives when called directly, whichever thread ran it.
 */
import assert from "node:assert/strict";
import {
  type BootstrapCall,
  bootstrapHelper,
  runBootstraps,
  shareBootstraps,
} from "../../src/metrics/_bootstraps.ts";
import {
  bootstrapDifference,
  bootstrapMeanDifferences,
  bootstrapMeans,
} from "../../src/metrics/stats.ts";

/** n values spread over [0, 100) in a scrambled order (k shifts them). */
const spread = (n: number, k: number) =>
  Float64Array.from({ length: n }, (_, i) => ((i * 7919 + k) % 1009) / 10.09);

const a = spread(3000, 1), b = spread(3500, 2), c = spread(3000, 3);
const calls: BootstrapCall[] = [
  { fn: "bootstrapDifference", baseline: a, candidate: b, stats: ["mean", "p95"], options: {} },
  { fn: "bootstrapMeans", samples: [a, c], options: { seed: 4 } },
  { fn: "bootstrapMeanDifferences", baseline: [a, c], candidate: [b, b], options: { seed: 5 } },
  { fn: "bootstrapMeans", samples: [b], options: { seed: 6, resamples: 500 } },
  { fn: "bootstrapDifference", baseline: c, candidate: a, stats: ["p50"], options: { seed: 9 } },
  // one column a side, then none: their results, as the function gives them
  { fn: "bootstrapMeanDifferences", baseline: [c], candidate: [a], options: { seed: 10 } },
  { fn: "bootstrapMeanDifferences", baseline: [], candidate: [], options: {} },
];
const direct = [
  bootstrapDifference(a, b, ["mean", "p95"]),
  bootstrapMeans([a, c], { seed: 4 }),
  bootstrapMeanDifferences([a, c], [b, b], { seed: 5 }),
  bootstrapMeans([b], { seed: 6, resamples: 500 }),
  bootstrapDifference(c, a, ["p50"], { seed: 9 }),
  bootstrapMeanDifferences([c], [a], { seed: 10 }),
  [],
];

Deno.test("runBootstraps(): shared with the helper thread, each result is its function's, in order", async () => {
  // this machine has 2 cores or more (CI's has 2): a helper starts and loads
  assert.ok(navigator.hardwareConcurrency >= 2, "a machine of 2 cores or more");
  assert.equal(await bootstrapHelper(), true);
  // every call on the helper (the calling thread only waits), then shared with it
  const threads: string[] = [];
  const helped = runBootstraps(calls, {
    sharedFrom: 0,
    caller: false,
    onRun: (i, t) => (threads[i] = t),
  });
  assert.deepEqual(helped, direct);
  assert.deepEqual(threads, calls.map(() => "helper"));
  const ran: string[] = [];
  assert.deepEqual(runBootstraps(calls, { sharedFrom: 0, onRun: (i, t) => (ran[i] = t) }), direct);
  assert.equal(ran.length, calls.length);
});

Deno.test("runBootstraps(): below the draws worth sharing, every call on the calling thread", () => {
  const threads: string[] = [];
  // 7 calls of 0 to 13,000 values, 2,000 resamples: 110 million draws, below 1e9
  const here = runBootstraps(calls, { sharedFrom: 1e9, onRun: (i, t) => (threads[i] = t) });
  assert.deepEqual(here, direct);
  assert.deepEqual(threads, calls.map(() => "caller"));
});

Deno.test("runBootstraps(): a call that throws throws its own error, whichever thread took it", () => {
  const bad: BootstrapCall = { fn: "bootstrapMeans", samples: [a, b], options: {} };
  for (const order of [[calls[0]!, bad], [bad, calls[0]!], [calls[0]!, calls[1]!, bad, bad]]) {
    assert.throws(() => runBootstraps(order, { sharedFrom: 0 }), /samples of one length/);
    // raised on the helper: run again here, the same error
    assert.throws(
      () => runBootstraps(order, { sharedFrom: 0, caller: false }),
      /samples of one length/,
    );
  }
});

Deno.test("shareBootstraps(): a second set run while the first is under way, each its own results", async () => {
  assert.equal(await bootstrapHelper(), true);
  // as a comparison does: the deltas' bootstraps handed over, the pairs' run meanwhile, then both
  const first = shareBootstraps(calls.slice(0, 3), { sharedFrom: 0 });
  const second = runBootstraps(calls.slice(3), { sharedFrom: 0 });
  assert.deepEqual(second, direct.slice(3));
  assert.deepEqual(first.results(), direct.slice(0, 3));
  // and all of them in one set
  const again = shareBootstraps(calls, { sharedFrom: 0 });
  assert.deepEqual(again.results(), direct);
});
