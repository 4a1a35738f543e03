import assert from "node:assert/strict";
import { ecdfPoints, latencyEcdf } from "../../src/figures/latency_ecdf.ts";
import { callsFrame } from "./_calls.ts";
import { sampleCalls } from "./_sample.ts";
import { assertSnapshot, parseSvg, texts, tickLabels } from "./_snapshot.ts";

// gpt-4o: 3, 1, 4, 2 s and one error (left out); o1-mini: 2, 6 s and a pending call.
const calls = callsFrame([
  { model: "gpt-4o", duration_s: 3 },
  { model: "gpt-4o", duration_s: 1 },
  { model: "gpt-4o", duration_s: 4 },
  { model: "gpt-4o", duration_s: 2 },
  { model: "gpt-4o", duration_s: 9, status: "error" },
  { model: "o1-mini", duration_s: 6 },
  { model: "o1-mini", duration_s: 2 },
  { model: "o1-mini", status: "pending" },
]);

Deno.test("ecdfPoints() steps by 1/n at each sorted successful duration, per model", () => {
  const of = (model: string) =>
    ecdfPoints(calls).filter((p) => p.model === model).map((p) => [p.x, p.y]);
  // gpt-4o sorted: 1, 2, 3, 4 → 1/4, 2/4, 3/4, 4/4 after a start at (1, 0).
  assert.deepEqual(of("gpt-4o"), [[1, 0], [1, 0.25], [2, 0.5], [3, 0.75], [4, 1]]);
  // o1-mini sorted: 2, 6 → 1/2, 2/2.
  assert.deepEqual(of("o1-mini"), [[2, 0], [2, 0.5], [6, 1]]);
});

Deno.test("ecdfPoints() keeps evenly spaced ranks and the last one beyond maxPoints", () => {
  const many = callsFrame(Array.from({ length: 10 }, (_, i) => ({ duration_s: i + 1 })));
  // 10 durations, at most 4 points: step ceil(10/4) = 3 → ranks 3, 6, 9 and the last, 10.
  assert.deepEqual(ecdfPoints(many, 4).map((p) => [p.x, p.y]), [
    [1, 0],
    [3, 0.3],
    [6, 0.6],
    [9, 0.9],
    [10, 1],
  ]);
});

Deno.test("ecdfPoints() keeps a compare page's runs apart", () => {
  const runs = callsFrame([
    { group: "base", duration_s: 1 },
    { group: "cand", duration_s: 2 },
    { group: "cand", duration_s: 4 },
  ]);
  assert.deepEqual(ecdfPoints(runs).map((p) => [p.group, p.x, p.y]), [
    ["base", 1, 0],
    ["base", 1, 1],
    ["cand", 2, 0],
    ["cand", 2, 0.5],
    ["cand", 4, 1],
  ]);
});

Deno.test("latencyEcdf() draws one step line per model, percent ticks, the median and p95 guides", async () => {
  const fig = await latencyEcdf(calls);
  const root = parseSvg(fig.toSVG());
  assert.equal(root.querySelectorAll('g[aria-label="line"] path').length, 2);
  assert.deepEqual(tickLabels(root, "y-axis").at(-1), "100%");
  const all = texts(root);
  for (
    const t of [
      "Latency ECDF by Model",
      "6 completed calls of 2 models",
      "Share of calls",
      "gpt-4o",
      "o1-mini",
    ]
  ) {
    assert.ok(all.includes(t), t);
  }
  assert.deepEqual(fig.warnings, []);
  assertSnapshot("latency_ecdf", fig.toSVG());
  assertSnapshot("latency_ecdf_sample", (await latencyEcdf(sampleCalls())).toSVG());
});

Deno.test("latencyEcdf() draws one panel per run on a compare page", async () => {
  const runs = callsFrame([
    { group: "baseline", model: "gpt-4o", duration_s: 1 },
    { group: "baseline", model: "gpt-4o", duration_s: 2 },
    { group: "candidate", model: "gpt-4o", duration_s: 3 },
  ]);
  const fig = await latencyEcdf(runs, { height: 200 });
  const root = parseSvg(fig.toSVG());
  assert.deepEqual(tickLabels(root, "fy-axis" as "y-axis"), ["baseline", "candidate"]);
  assert.equal(root.querySelectorAll('g[aria-label="line"] path').length, 2);
  assert.ok(texts(root).includes("3 completed calls of 1 model; one panel per run"));
});

Deno.test("latencyEcdf() of no completed call is an empty-state figure", async () => {
  assert.equal((await latencyEcdf(callsFrame([{ status: "pending" }]))).empty, true);
});
