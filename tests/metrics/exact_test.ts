/**
 * exactMean / exactSampleStd equal Python's statistics.mean / statistics.stdev to the
 * last bit. The expected values were computed with CPython 3.11.7
 * (`statistics.mean(v)`, `statistics.stdev(v)`), printed with repr().
 */
import assert from "node:assert/strict";
import { exactMean, exactMeanStd, exactSampleStd } from "../../src/metrics/exact.ts";

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

Deno.test("exactMean() and exactSampleStd() agree between the double-partials path and the BigInt path", () => {
  // Values below 2^-400 take the BigInt path; scaling by 2^-450 is exact, and so is the
  // correctly rounded mean or std of the scaled values: the scaled result of the first path.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const scale = 2 ** -450;
  for (let k = 0; k < 300; k++) {
    const n = 1 + Math.floor(random() * 50);
    const values = Array.from(
      { length: n },
      () => (random() < 0.5 ? -1 : 1) * random() * 10 ** Math.floor(random() * 12 - 6),
    );
    const scaled = values.map((x) => x * scale);
    assert.equal(exactMean(scaled), exactMean(values)! * scale, `case ${k}: mean`);
    assert.equal(exactSampleStd(scaled), exactSampleStd(values)! * scale, `case ${k}: std`);
  }
  // Catastrophic cancellation: 1e16 + 1 − 1e16 is 1 exactly, over 3 values.
  assert.equal(exactMean([1e16, 1, -1e16]), 1 / 3);
  // 1e8 + 0.5, 1e8 − 0.5: mean 1e8, deviations ±0.5, squares 0.25 + 0.25 over n − 1 = 1.
  assert.equal(exactSampleStd([1e8 + 0.5, 1e8 - 0.5]), Math.sqrt(0.5));
});

Deno.test("exactMeanStd() gives exactMean() and exactSampleStd() from one pass", () => {
  for (const [i, c] of CASES.entries()) {
    assert.deepEqual(exactMeanStd(c.values), { mean: c.mean, std: c.stdev }, `case ${i}`);
  }
  assert.deepEqual(exactMeanStd([]), { mean: null, std: null });
  assert.deepEqual(exactMeanStd([24.989967823028564]), { mean: 24.989967823028564, std: 0 });
});
