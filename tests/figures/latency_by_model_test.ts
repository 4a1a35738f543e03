import assert from "node:assert/strict";
import { latencyBoxes, latencyByModel } from "../../src/figures/latency_by_model.ts";
import { callsFrame } from "./_calls.ts";
import { assertSnapshot, markElements, parseSvg, texts, tickLabels } from "./_snapshot.ts";

const LLAMA = "accounts/fireworks/models/llama-v3p1-70b-instruct";
// LLAMA: 1, 2, 3, 4, 100 s → q1 2, median 3, q3 4, fences −1 and 7: whiskers 1–4, 100 an outlier.
// gpt-4o: one call of 5 s. Errors and pending calls are not latencies.
const calls = callsFrame([
  ...[1, 2, 3, 4, 100].map((d) => ({ model: LLAMA, duration_s: d })),
  { model: "gpt-4o", duration_s: 5 },
  { model: "gpt-4o", duration_s: 0.5, status: "error" },
  { model: "o1-mini", status: "pending" },
]);

Deno.test("latencyBoxes() computes quartiles with linear interpolation and 1.5 × IQR whiskers", () => {
  const { boxes, outliers } = latencyBoxes(calls);
  assert.deepEqual(boxes, [
    { model: LLAMA, count: 5, low: 1, q1: 2, median: 3, q3: 4, high: 4 },
    { model: "gpt-4o", count: 1, low: 5, q1: 5, median: 5, q3: 5, high: 5 },
  ]);
  assert.deepEqual(outliers.toRecords(), [{ model: LLAMA, duration_s: 100 }]);
});

Deno.test("latencyByModel() draws a box per model, fastest median first, and the outliers as dots", async () => {
  const fig = await latencyByModel(calls);
  const root = parseSvg(fig.toSVG());
  assert.deepEqual(tickLabels(root, "y-axis"), [LLAMA, "gpt-4o"]);
  assert.equal(markElements(root, "bar", "rect").length, 2);
  assert.equal(markElements(root, "dot", "circle").length, 1);
  const all = texts(root);
  for (const t of ["Latency by Model", "Response Time (seconds)", "n=5", "n=1"]) {
    assert.ok(all.includes(t), t);
  }
  assert.deepEqual(fig.warnings, []);
  assertSnapshot("latency_by_model", fig.toSVG());
});

Deno.test("latencyByModel() of no completed call is an empty-state figure", async () => {
  const fig = await latencyByModel(callsFrame([{ status: "error", duration_s: 2 }]));
  assert.equal(fig.empty, true);
  assert.deepEqual(texts(parseSvg(fig.toSVG())), [
    "Latency by Model",
    "No completed calls with a response time",
  ]);
});
