/**
 * exactMean / exactSampleStd equal Python's statistics.mean / statistics.stdev to the
 * last bit. The expected values were computed with CPython 3.11.7
 * (`statistics.mean(v)`, `statistics.stdev(v)`), printed with repr().
 */
import assert from "node:assert/strict";
import { exactMean, exactSampleStd } from "../../src/metrics/exact.ts";

const CASES: { values: number[]; mean: number; stdev: number }[] = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/metrics/python_statistics.json", import.meta.url)),
);

Deno.test("exactMean() and exactSampleStd() equal CPython's statistics module bit for bit", () => {
  assert.ok(CASES.length >= 10);
  for (const [i, c] of CASES.entries()) {
    assert.equal(exactMean(c.values), c.mean, `case ${i}: mean`);
    assert.equal(exactSampleStd(c.values), c.stdev, `case ${i}: stdev`);
  }
});

Deno.test("exactMean() and exactSampleStd() follow the seed for no and one value", () => {
  assert.equal(exactMean([]), null);
  assert.equal(exactSampleStd([]), null);
  assert.equal(exactSampleStd([24.989967823028564]), 0);
  assert.equal(exactMean([-1.5, 0.5]), -0.5);
});

Deno.test("exactSampleStd() matches the hand-computed analyze fixture and rejects non-finite values", () => {
  // statistics.stdev([2, 4, 3, 6]) == 1.707825127659933
  assert.equal(exactSampleStd([2, 4, 3, 6]), 1.707825127659933);
  assert.throws(() => exactMean([1, Number.NaN]), RangeError);
});
