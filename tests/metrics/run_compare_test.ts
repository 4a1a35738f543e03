/**
 * Two runs compared as a library (`compareRuns`, `pairedComparison`, `evaluateGates`,
 * `assessDelta`) on hand-made frames; expected values by hand or from published examples.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  assessDelta,
  bootstrapMeanDifferences,
  compareGroups,
  compareRuns,
  evaluateGates,
  pairedComparison,
} from "../../src/metrics/mod.ts";
import { traceSet } from "./_frames.ts";

// R's ?wilcox.test example (Hollander & Wolfe 1973): x after, y before.
const X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
const Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

const NONE = pl.DataFrame({ session_id: [] as string[] });

function run(ids: string[], durations: number[], outputTokens: number) {
  return pl.DataFrame({
    request_id: ids,
    model: ids.map(() => "m"),
    status: ids.map(() => "ok"),
    duration_s: durations,
    input_tokens: ids.map(() => 100),
    output_tokens: ids.map(() => outputTokens),
  });
}

Deno.test("pairedComparison() pairs by request_id: Wilcoxon V = 40, p = 20/512 on the published pairs", () => {
  const ids = X.map((_, i) => `p${i + 1}`);
  const baseline = run([...ids, "only-base"], [...Y, 5], 50);
  const candidate = run([...ids, "only-cand-1", "only-cand-2"], [...X, 1, 2], 60);
  const p = pairedComparison({ calls: baseline, sessions: NONE }, {
    calls: candidate,
    sessions: NONE,
  })!;
  assert.deepEqual([p.by, p.pairs, p.baseline_only, p.candidate_only], ["request_id", 9, 1, 2]);
  assert.deepEqual(p.outcomes, {
    both_ok: 9,
    baseline_error_only: 0,
    candidate_error_only: 0,
    both_error: 0,
  });
  // Differences x − y sum to 3.887 (0.952 − 0.147 + 1.022 + 0.43 + 0.62 + 0.59 + 0.49 − 0.08 + 0.01).
  assert.ok(Math.abs(p.latency.mean_difference! - 3.887 / 9) < 1e-12);
  assert.ok(Math.abs(p.latency.median_difference! - 0.49) < 1e-12); // 5th of 9 sorted
  assert.equal(p.latency.test, "Wilcoxon signed-rank");
  assert.ok(Math.abs(p.latency.p_value! - 20 / 512) < 1e-12);
  assert.match(p.latency.warning!, /only 9 pairs/);
  const [low, high] = p.latency.ci95!;
  assert.ok(low < 3.887 / 9 && 3.887 / 9 < high && low >= -0.147 && high <= 1.022);
  // Output tokens +10 on every pair: the interval is the point; input tokens unchanged: p = 1.
  assert.deepEqual([p.output_tokens.mean_difference, p.output_tokens.ci95], [10, [10, 10]]);
  assert.deepEqual([p.input_tokens.mean_difference, p.input_tokens.p_value], [0, 1]);
  // Largest |difference| first: p3 (1.62 − 0.598 = 1.022), p1 (1.83 − 0.878 = 0.952), p5 (0.62).
  assert.equal(p.largest_by, "latency");
  assert.deepEqual(p.largest.slice(0, 3).map((c) => c.key), ["p3", "p1", "p5"]);
  assert.deepEqual(
    [p.largest[0]!.baseline.duration_s, p.largest[0]!.candidate.duration_s],
    [0.598, 1.62],
  );
});

Deno.test("pairedComparison() lists the largest pairs: |difference| first, ties by key, only `largest` of them", () => {
  // 30 keys k00 … k29, baseline 10 s each; candidate 10 + d with d = (i mod 7) − 3 for i = 0 … 29:
  // |d| = 3 for i mod 7 ∈ {0, 6}: i = 0, 6, 7, 13, 14, 20, 21, 27, 28 (nine keys, all at |3|).
  // With largest 5, the five smallest keys of those: k00, k06, k07, k13, k14 (ties by key).
  const ids = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, "0")}`);
  const d = ids.map((_, i) => (i % 7) - 3);
  // listed in reverse on the candidate's side: the order of the rows does not matter
  const base = run(ids, ids.map(() => 10), 5);
  const cand = run([...ids].reverse(), d.map((x) => 10 + x).reverse(), 5);
  const p = pairedComparison({ calls: base, sessions: NONE }, { calls: cand, sessions: NONE }, {
    largest: 5,
  })!;
  assert.deepEqual(p.largest.map((c) => c.key), ["k00", "k06", "k07", "k13", "k14"]);
  assert.deepEqual(p.largest.map((c) => c.difference), [-3, 3, -3, 3, -3]);
  assert.deepEqual(p.largest.map((c) => c.candidate.duration_s), [7, 13, 7, 13, 7]);
  // |d| = 2 next (i mod 7 ∈ {1, 5}): with 12 listed, the nine at 3, then k01, k05, k08
  const twelve = pairedComparison({ calls: base, sessions: NONE }, {
    calls: cand,
    sessions: NONE,
  }, { largest: 12 })!;
  assert.deepEqual(twelve.largest.slice(9).map((c) => c.key), ["k01", "k05", "k08"]);
  // the default lists 10; none with 0
  assert.equal(
    pairedComparison({ calls: base, sessions: NONE }, { calls: cand, sessions: NONE })!.largest
      .length,
    10,
  );
  assert.deepEqual(
    pairedComparison({ calls: base, sessions: NONE }, { calls: cand, sessions: NONE }, {
      largest: 0,
    })!
      .largest,
    [],
  );
});

Deno.test("pairedComparison(): no shared key is no pairing, unless the key was chosen", () => {
  const a = run(["a1", "a2"], [1, 2], 5), b = run(["b1"], [1], 5);
  assert.equal(pairedComparison({ calls: a, sessions: NONE }, { calls: b, sessions: NONE }), null);
  const chosen = pairedComparison({ calls: a, sessions: NONE }, { calls: b, sessions: NONE }, {
    by: "request_id",
  })!;
  assert.deepEqual([chosen.pairs, chosen.baseline_only, chosen.candidate_only], [0, 2, 1]);
  assert.equal(chosen.latency.p_value, null);
});

Deno.test("pairedComparison() by a session-metadata field; repeated keys are counted, not paired", () => {
  const calls = (sessions: string[], d: number[]) =>
    pl.DataFrame({
      session_id: sessions,
      file: sessions.map(() => "f"),
      model: sessions.map(() => "m"),
      status: sessions.map(() => "ok"),
      duration_s: d,
    });
  const sessions = (ids: string[], prompts: string[]) =>
    pl.DataFrame({ session_id: ids, file: ids.map(() => "f"), prompt: prompts });
  const p = pairedComparison(
    { calls: calls(["s1", "s2", "s2"], [1, 2, 9]), sessions: sessions(["s1", "s2"], ["A", "B"]) },
    { calls: calls(["t1", "t2"], [1.5, 4]), sessions: sessions(["t1", "t2"], ["A", "B"]) },
    { by: "prompt" },
  )!;
  // A: 1 → 1.5, B: 2 → 4 (the second call of s2 repeats B); mean (0.5 + 2)/2 = 1.25.
  assert.deepEqual([p.by, p.pairs, p.baseline_only, p.candidate_only], ["prompt", 2, 0, 0]);
  assert.deepEqual(p.duplicates, { baseline: 1, candidate: 0 });
  assert.equal(p.latency.mean_difference, 1.25);
  assert.throws(
    () =>
      pairedComparison({ calls: calls(["s1"], [1]), sessions: NONE }, {
        calls: calls(["t1"], [1]),
        sessions: NONE,
      }, { by: "colour" }),
    /Cannot pair or group by "colour"/,
  );
});

Deno.test("evaluateGates() with a significance level fails only on significant changes", () => {
  const d = (b: number, c: number, p: number | null) => ({ baseline: b, candidate: c, p_value: p });
  const deltas = {
    latency_p95: d(2, 3, 0.01), // +50%, significant
    latency_mean: d(2, 3, 0.2), // +50%, not significant at 0.05
    cost_per_call: d(1, 1.05, 0.001), // +5%: within 10%
  } as never;
  const candidate = { error_rate: 0.3, errors: 3, ok: 7 };
  const gates = evaluateGates(deltas, candidate, {
    maxP95Increase: 10,
    maxMeanIncrease: 10,
    maxCostIncrease: 10,
    maxErrorRate: 0.1,
    significance: 0.05,
  });
  // Error rate 3 of 10 > 10%: one-sided exact binomial P(X ≥ 3 | 10, 0.1)
  // = 1 − (0.9¹⁰ + 10·0.1·0.9⁹ + 45·0.01·0.9⁸) = 1 − (0.348678 + 0.387420 + 0.193710) = 0.070191:
  // not significant at 0.05, so the gate passes and says so.
  assert.deepEqual(gates.map((g) => [g.gate, g.passed]), [
    ["max_error_rate", true],
    ["max_p95_increase", false],
    ["max_mean_increase", true],
    ["max_cost_increase", true],
  ]);
  assert.ok(Math.abs(gates[0]!.p_value! - 0.0701908) < 1e-6, `${gates[0]!.p_value}`);
  assert.equal(
    gates[0]!.message,
    "error rate 30.0% is above the allowed 10% (p = 0.070, not significant at 0.05)",
  );
  assert.equal(
    gates[1]!.message,
    "gate failed: p95 latency rose 50.0% (2.00 s → 3.00 s), more than the allowed 10% (p = 0.010)",
  );
  assert.equal(
    gates[2]!.message,
    "mean latency rose 50.0% (2.00 s → 3.00 s), more than the allowed 10% (p = 0.200, not significant at 0.05)",
  );
  // Without a significance level the same limits fail on the point values alone.
  const plain = evaluateGates(deltas, candidate, { maxErrorRate: 0.1, maxMeanIncrease: 10 });
  assert.deepEqual(plain.map((g) => [g.passed, g.p_value]), [[false, null], [false, null]]);
});

Deno.test("assessDelta() reads the one BETTER table", () => {
  assert.equal(assessDelta("latency_p95", { change: 1 }), "worse");
  assert.equal(assessDelta("error_rate", { change: -0.1 }), "better");
  assert.equal(assessDelta("cost_per_call", { change: 0 }), "unchanged");
  assert.equal(assessDelta("tokens_per_call", { change: 5 }), null);
  assert.equal(assessDelta("calls", { change: 5 }), null);
});

Deno.test("compareRuns() on two groups: the sides are the by_group rows, deltas carry n and tests", () => {
  const calls = (group: string, d: number[], statuses: string[]) =>
    d.map((duration_s, i) => ({
      group,
      request_id: `${group}-${i}`,
      model: "m",
      status: statuses[i],
      duration_s,
      input_tokens: 10,
      output_tokens: 5,
    }));
  const traces = traceSet({
    calls: [
      ...calls("a", [1, 2, 3], ["ok", "ok", "ok"]),
      ...calls("b", [2, 3, 4, 5], ["ok", "ok", "ok", "error"]),
    ],
  });
  const r = compareRuns(traces, { baseline: "a", candidate: "b", now: new Date(0) });
  assert.equal(r.generated_at, "1970-01-01T00:00:00.000Z");
  assert.deepEqual([r.baseline.label, r.baseline.calls, r.candidate.calls], ["a", 3, 4]);
  // Latency [1,2,3] → [2,3,4]: mean 2 → 3; the error call is not a latency.
  const m = r.deltas.latency_mean;
  assert.deepEqual([m.baseline, m.candidate, m.change, m.n_baseline, m.n_candidate], [
    2,
    3,
    1,
    3,
    3,
  ]);
  // Error rate 0/3 → 1/4; Fisher: N 7, 1 error, 3 baseline calls: P(0) = C(6,3)/C(7,3) = 20/35,
  // P(1) = 15/35 ≤ P(0): p = 1.
  assert.equal(r.deltas.error_rate.p_value, 1);
  assert.equal(r.paired, null); // request ids differ
  assert.equal(r.significance, null);
  assert.deepEqual(r.gates, []);
  assert.throws(
    () => compareRuns(traces, { baseline: "a", candidate: "zzz" }),
    /candidate \(zzz\) has no model calls/,
  );
});

Deno.test("pairedComparison() without latencies (batch runs) lists the largest output-token differences", () => {
  const batch = (tokens: number[]) =>
    pl.DataFrame({
      request_id: ["a", "b", "c"],
      model: ["m", "m", "m"],
      status: ["ok", "ok", "ok"],
      output_tokens: tokens,
    });
  const p = pairedComparison({ calls: batch([10, 20, 30]), sessions: NONE }, {
    calls: batch([15, 5, 30]),
    sessions: NONE,
  })!;
  // Differences +5, −15, 0: largest |difference| first.
  assert.equal(p.largest_by, "output_tokens");
  assert.deepEqual(p.largest.map((c) => [c.key, c.difference]), [["b", -15], ["a", 5], ["c", 0]]);
  assert.equal(p.latency.n, 0);
  assert.equal(p.output_tokens.mean_difference, -10 / 3);
});

Deno.test("compareGroups() statistics: false leaves the deltas out", () => {
  const traces = traceSet({
    calls: [
      { model: "a", status: "ok", duration_s: 1 },
      { model: "b", status: "ok", duration_s: 2 },
    ],
  });
  assert.equal(compareGroups(traces, "model", { statistics: false }).deltas, null);
  assert.equal(compareGroups(traces, "model").deltas?.groups.length, 1);
});

Deno.test("compareRuns(): the cost interval is the same whether every call is priced (drawn with the tokens') or not", () => {
  // 30 calls a side, costs 0.001·i on the baseline and 0.002·i on the candidate (i = 1 … 30)
  const calls = (group: string, scale: number, priced: (i: number) => boolean) =>
    Array.from({ length: 30 }, (_, k) => ({
      group,
      request_id: `${group}-${k}`,
      model: "m",
      status: "ok",
      duration_s: 1 + k,
      input_tokens: 10 + k,
      output_tokens: 5,
      cost_usd: priced(k) ? scale * (k + 1) : null,
    }));
  const run = (priced: (i: number) => boolean) =>
    compareRuns(
      traceSet({ calls: [...calls("a", 0.001, () => true), ...calls("b", 0.002, priced)] }),
      { baseline: "a", candidate: "b", now: new Date(0), seed: 5 },
    ).deltas.cost_per_call;
  const costs = (scale: number, n: number) => Array.from({ length: n }, (_, k) => scale * (k + 1));
  // all priced: the interval the cost's own bootstrap gives
  const all = run(() => true);
  const [own] = bootstrapMeanDifferences([costs(0.001, 30)], [costs(0.002, 30)], { seed: 5 });
  assert.deepEqual([all.ci95, all.p_value], [own!.ci95, own!.p_value]);
  // the candidate's last 10 unpriced: a bootstrap of 30 and 20 costs, apart from the tokens'
  const some = run((k) => k < 20);
  const [apart] = bootstrapMeanDifferences([costs(0.001, 30)], [costs(0.002, 20)], { seed: 5 });
  assert.deepEqual([some.ci95, some.n_candidate], [apart!.ci95, 20]);
});
