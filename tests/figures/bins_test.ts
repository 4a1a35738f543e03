import assert from "node:assert/strict";
import { histogramBins } from "../../src/figures/_bins.ts";

// Expected counts and edges are numpy's `np.histogram(x, bins=10)` for the same x.

Deno.test("histogramBins() counts [1, 2, 2, 3, 10] in 10 bins of width 0.9 as numpy does", () => {
  const bins = histogramBins([1, 2, 2, 3, 10], 10);
  assert.deepEqual(bins.map((b) => b.count), [1, 2, 1, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(bins[0]!.x0, 1);
  assert.equal(bins[9]!.x1, 10);
  assert.ok(Math.abs(bins[1]!.x0 - 1.9) < 1e-12);
});

Deno.test("histogramBins() closes the last bin only: 0..10 puts 9 and 10 together", () => {
  const xs = Array.from({ length: 11 }, (_, i) => i);
  assert.deepEqual(histogramBins(xs, 10).map((b) => b.count), [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
});

Deno.test("histogramBins() corrects values that float rounding puts across an edge", () => {
  const xs = Array.from({ length: 31 }, (_, i) => 0.1 * i);
  assert.deepEqual(histogramBins(xs, 10).map((b) => b.count), [3, 3, 3, 3, 3, 3, 3, 3, 3, 4]);
  const ys = [0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0];
  assert.deepEqual(histogramBins(ys, 10).map((b) => b.count), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
});

Deno.test("histogramBins() spreads a single distinct value over [v − 0.5, v + 0.5]", () => {
  const bins = histogramBins([5, 5], 10);
  assert.deepEqual(bins.map((b) => b.count), [0, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
  assert.equal(bins[0]!.x0, 4.5);
  assert.equal(bins[9]!.x1, 5.5);
});

Deno.test("histogramBins() returns no bins for no finite values", () => {
  assert.deepEqual(histogramBins([], 10), []);
  assert.deepEqual(histogramBins([NaN, Infinity], 10), []);
});
