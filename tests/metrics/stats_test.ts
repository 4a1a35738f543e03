/**
 * The statistics of comparisons against values computed independently: by hand
 * (arithmetic in the comments), by a direct definition in the test, or published
 * examples of each test.
 */
import assert from "node:assert/strict";
import {
  bootstrapDifference,
  bootstrapMean,
  bootstrapMeans,
  bootstrapResamples,
  fisherExact,
  mannWhitneyU,
  midranks,
  newcombeInterval,
  quantileSorted,
  seededUint32,
  wilcoxonSignedRank,
} from "../../src/metrics/mod.ts";
import { bootstrapMeanDifferences } from "../../src/metrics/stats.ts";

const close = (actual: number | null | undefined, expected: number, tol: number, what: string) =>
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected} ± ${tol}, got ${actual}`,
  );

Deno.test("quantileSorted() interpolates linearly, as numpy.percentile", () => {
  const v = [1, 2, 4, 6, 10];
  // positions q·4: 0.5 → 2 (4); 0.95 → 3.8: 6 + 0.8·4 = 9.2; 0.99 → 3.96: 6 + 0.96·4 = 9.84
  close(quantileSorted(v, 0.5), 4, 1e-12, "p50");
  close(quantileSorted(v, 0.95), 9.2, 1e-12, "p95");
  close(quantileSorted(v, 0.99), 9.84, 1e-12, "p99");
  assert.equal(quantileSorted([7], 0.9), 7);
  assert.equal(quantileSorted([], 0.5), null);
});

Deno.test("midranks() gives ties their mean rank and counts Σ(t³ − t)", () => {
  const { ranks, ties } = midranks([2, 1, 2, 3, 2]);
  // sorted 1 | 2 2 2 | 3: ranks 1 | 3 3 3 | 5; one tie of 3: 27 − 3 = 24
  assert.deepEqual([...ranks], [3, 1, 3, 5, 3]);
  assert.equal(ties, 24);
});

Deno.test("mannWhitneyU(): U is the count of (candidate > baseline) pairs, ties ½", () => {
  const b = [3.1, 1.2, 5.5, 2.2, 2.2, 9.0, 4.4];
  const c = [2.2, 6.1, 7.3, 5.5, 8.8, 3.3];
  let u = 0;
  for (const y of c) for (const x of b) u += y > x ? 1 : y === x ? 0.5 : 0;
  const r = mannWhitneyU(b, c)!;
  assert.equal(r.statistic, u);
  // Identical samples: U = n²/2 = μ, z = 0 after the continuity correction, p = 1.
  assert.equal(mannWhitneyU([1, 2, 3], [1, 2, 3])!.p_value, 1);
  assert.equal(mannWhitneyU([], [1]), null);
  assert.equal(mannWhitneyU([2, 2], [2, 2]), null); // all tied: no variance
});

Deno.test("mannWhitneyU() p-value by hand: [1,2,3] vs [4,5,6]", () => {
  // U = 9, μ = 4.5, σ² = 3·3·7/12 = 5.25, z = (4.5 − 0.5)/2.291288 = 1.745743,
  // p = 2·(1 − Φ(1.745743)) = 2·0.040428 = 0.080856 (SciPy: 0.0808556).
  close(mannWhitneyU([1, 2, 3], [4, 5, 6])!.p_value, 0.0808556, 1e-6, "p");
  // Swapping the sides gives U' = n1·n2 − U = 0 and the same two-sided p.
  const swapped = mannWhitneyU([4, 5, 6], [1, 2, 3])!;
  assert.equal(swapped.statistic, 0);
  close(swapped.p_value, 0.0808556, 1e-6, "p swapped");
});

Deno.test("fisherExact(): Fisher's tea-tasting table and an extreme table", () => {
  // [[3, 1], [1, 3]]: P(x) = C(4,x)·C(4,4−x)/C(8,4) = 1, 16, 36, 16, 1 over 70;
  // tables no more likely than 16/70: 1 + 16 + 16 + 1 = 34 → 0.485714.
  close(fisherExact(3, 4, 1, 4)!.p_value, 34 / 70, 1e-12, "tea");
  // [[0, 10], [10, 0]]: only x = 0 and x = 10 have P = 1/C(20,10) = 1/184756.
  close(fisherExact(0, 10, 10, 10)!.p_value, 2 / 184756, 1e-15, "extreme");
  assert.equal(fisherExact(0, 0, 1, 2), null);
});

Deno.test("newcombeInterval(): Newcombe (1998) example (a) and a zero-event side", () => {
  // 56/70 − 48/80 = 0.2; Newcombe's method 10: 0.0524 to 0.3339.
  const [low, high] = newcombeInterval(48, 80, 56, 70)!;
  close(low, 0.0524, 5e-5, "low");
  close(high, 0.3339, 5e-5, "high");
  // 0/4 → 1/5 (worked in tests/cli/compare_test.ts): [−0.316541, +0.624466].
  const [l2, h2] = newcombeInterval(0, 4, 1, 5)!;
  close(l2, -0.316541, 1e-6, "low 0/4");
  close(h2, 0.624466, 1e-6, "high 0/4");
  assert.equal(newcombeInterval(0, 0, 1, 5), null);
});

Deno.test("wilcoxonSignedRank(): R's ?wilcox.test example (Hollander & Wolfe), V = 40, p = 10/256", () => {
  const x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  // Differences ranked by size: the two negatives (−0.08, −0.147) have ranks 2 and 3,
  // so V = 45 − 5 = 40; exactly 10 of the 2⁹ = 512 sign patterns have V ≥ 40 or ≤ 5: p = 20/512.
  const r = wilcoxonSignedRank(x.map((v, i) => v - y[i]!))!;
  assert.equal(r.statistic, 40);
  close(r.p_value, 20 / 512, 1e-12, "p");
  assert.equal(wilcoxonSignedRank([0, 0]), null);
});

Deno.test("bootstrap intervals: exact on constant samples, seeded, near the normal theory on large ones", () => {
  const same = bootstrapDifference([2, 2, 2, 2], [5, 5, 5], ["mean", "p50", "p95"]);
  assert.deepEqual(same, { mean: [3, 3], p50: [3, 3], p95: [3, 3] });
  assert.deepEqual(bootstrapDifference([], [1], ["mean"]), { mean: null });
  assert.deepEqual(bootstrapMean([4, 4]), [4, 4]);

  // 400 values evenly spread on [0, 1) and the same shifted by 0.5: the mean
  // difference is 0.5; each side's variance ≈ 1/12, so the standard error is
  // √(2 · (1/12) / 400) = 0.020412 and the normal 95% interval 0.5 ± 0.040008.
  const b = Array.from({ length: 400 }, (_, i) => i / 400);
  const c = b.map((v) => v + 0.5);
  const { mean } = bootstrapDifference(b, c, ["mean"], { seed: 7 });
  close(mean![0], 0.5 - 0.040008, 0.006, "low");
  close(mean![1], 0.5 + 0.040008, 0.006, "high");
  // The same seed gives the same interval; another seed another one.
  assert.deepEqual(bootstrapDifference(b, c, ["mean"], { seed: 7 }).mean, mean);
  assert.notDeepEqual(bootstrapDifference(b, c, ["mean"], { seed: 8 }).mean, mean);
  // One side's mean: (0 + … + 399)/400/400 = 399/800 = 0.49875 ± 1.96·√((1/12)/400) = ± 0.028290.
  const one = bootstrapMean(b, { seed: 3 })!;
  close(one[0], 0.49875 - 1.96 * Math.sqrt(1 / 12 / 400), 0.005, "mean low");
  close(one[1], 0.49875 + 1.96 * Math.sqrt(1 / 12 / 400), 0.005, "mean high");
});

Deno.test("bootstrapMeans(): samples of one length drawn together give each its own bootstrapMean interval", () => {
  // One side's mean of 400 evenly spread values, as above: 0.49875 ± 0.028290 near the normal theory.
  const b = Array.from({ length: 400 }, (_, i) => i / 400);
  const doubled = b.map((v) => 2 * v), constant = b.map(() => 3);
  const [x, y, z] = bootstrapMeans([b, doubled, constant], { seed: 3 });
  assert.deepEqual(x, bootstrapMean(b, { seed: 3 }));
  assert.deepEqual(y, bootstrapMean(doubled, { seed: 3 }));
  // each resample's mean of 2v is twice that of v (the same draws): the interval doubles exactly
  assert.deepEqual(y, [2 * x![0], 2 * x![1]]);
  assert.deepEqual(z, [3, 3]);
  assert.deepEqual(bootstrapMeans([[], []]), [null, null]);
  assert.throws(() => bootstrapMeans([[1, 2], [1]]), /samples of one length/);
});

Deno.test("bootstrap intervals by their definition: each resample n seeded draws, its mean over the drawn indexes", () => {
  // The definition, written out: resample r draws n indexes ⌊u · n / 2³²⌋ from the seeded
  // generator, and its mean is the sum of value × times drawn over the indexes drawn, in index
  // order, over n; the interval is the 2.5% and 97.5% quantiles of the sorted means.
  const byDefinition = (values: number[], seed: number, resamples: number) => {
    const next = seededUint32(seed), n = values.length, means: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const times = new Array<number>(n).fill(0);
      for (let k = 0; k < n; k++) times[Math.floor((next() * n) / 2 ** 32)]!++;
      let sum = 0;
      for (let i = 0; i < n; i++) if (times[i]! > 0) sum += times[i]! * values[i]!;
      means.push(sum / n);
    }
    means.sort((a, b) => a - b);
    // the quantiles of a 95% level, as the level gives them: (1 ∓ 0.95) / 2
    return [quantileSorted(means, (1 - 0.95) / 2), quantileSorted(means, (1 + 0.95) / 2)];
  };
  const values = [0.1, -2.5, 3.75, 1e-9, 0.3, -0.7, 12, 0.1, 5.5];
  assert.deepEqual(
    bootstrapMean(values, { seed: 11, resamples: 50 }),
    byDefinition(values, 11, 50),
  );
  assert.deepEqual(
    bootstrapMean(values, { seed: 2, resamples: 999 }),
    byDefinition(values, 2, 999),
  );
});

Deno.test("bootstrap intervals: a value that is not finite reaches only the resamples that draw it", () => {
  // [x, 1, 1]: a resample that never draws index 0 (a share of (2/3)³ ≈ 0.30 of them) has the
  // mean 3/3 = 1 exactly; one that draws it has the mean x (±∞ or NaN). NaN and +∞ sort last,
  // so the 2.5% quantile falls among the 1s: 1, for NaN and +∞ alike.
  for (const x of [NaN, Infinity]) {
    assert.equal(bootstrapMean([x, 1, 1], { seed: 3 })![0], 1, `mean, ${x}`);
    // candidate [2, 2, x] against baseline 1, 1, 1: a difference of 2 − 1 = 1 where x is not
    // drawn, else x − 1 (+∞ or NaN, last again)
    assert.equal(bootstrapDifference([1, 1, 1], [2, 2, x], ["mean"], { seed: 3 }).mean![0], 1);
    assert.equal(bootstrapMeanDifferences([[1, 1, 1]], [[2, 2, x]], { seed: 3 })[0]!.ci95[0], 1);
  }
});

Deno.test("wilcoxonSignedRank() with ties: the normal approximation with tie and continuity corrections (R's)", () => {
  // |d| = 1, 1, 2, 1 → ranks 2, 2, 4, 2 (three tied 1s share rank 2); V = 2 + 2 + 4 = 8.
  // mean 4·5/4 = 5; variance 4·5·9/24 − (3³ − 3)/48 = 7.5 − 0.5 = 7;
  // z = (|8 − 5| − 0.5)/√7 = 0.944911; p = 2·(1 − Φ(0.944911)) = 0.3447 (R: V = 8, p-value = 0.3447).
  const r = wilcoxonSignedRank([1, 1, 2, -1])!;
  assert.equal(r.statistic, 8);
  close(r.p_value, 0.3447, 1e-4, "p");
});

Deno.test("bootstrapResamples() caps the draws of large samples, never below 400", () => {
  assert.equal(bootstrapResamples(10, 2000), 2000);
  assert.equal(bootstrapResamples(40_000, 2000), 1000); // 4e7 / 4e4
  assert.equal(bootstrapResamples(10_000_000, 2000), 400);
  assert.equal(bootstrapResamples(10_000_000, 100), 100); // asked for fewer
});
