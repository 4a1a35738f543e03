import assert from "node:assert/strict";
import { modelsUsed, requestsPerModel } from "../../src/figures/models_used.ts";
import { callsFrame } from "./_calls.ts";
import { assertSnapshot, markElements, parseSvg, texts, tickLabels } from "./_snapshot.ts";

const LLAMA = "accounts/fireworks/models/llama-v3p1-70b-instruct";
const SONNET = "claude-3-5-sonnet-20241022";

// Requests: gpt-4o 3, o1-mini 1, claude 3 (one error, one pending), llama 2,
// plus an orphan response of gpt-4o, which has no request and is not counted.
const calls = callsFrame([
  { model: "gpt-4o" },
  { model: SONNET },
  { model: "gpt-4o" },
  { model: LLAMA },
  { model: SONNET, status: "error" },
  { model: "o1-mini" },
  { model: "gpt-4o" },
  { model: LLAMA },
  { model: SONNET, status: "pending" },
  { model: "gpt-4o", orphan: true },
]);

Deno.test("requestsPerModel() counts requests per model, most first, ties by name, orphans left out", () => {
  assert.deepEqual(requestsPerModel(calls), [
    { model: SONNET, requests: 3 },
    { model: "gpt-4o", requests: 3 },
    { model: LLAMA, requests: 2 },
    { model: "o1-mini", requests: 1 },
  ]);
});

Deno.test("modelsUsed() draws one bar per model in that order with heights 3, 3, 2, 1", async () => {
  const fig = await modelsUsed(calls);
  const root = parseSvg(fig.toSVG());
  const bars = markElements(root, "bar", "rect");
  assert.deepEqual(bars.map((b) => b.querySelector("title")?.textContent), [
    `${SONNET}: 3 requests`,
    "gpt-4o: 3 requests",
    `${LLAMA}: 2 requests`,
    "o1-mini: 1 requests",
  ]);
  const heights = bars.map((b) => Number(b.getAttribute("height")));
  assert.ok(Math.abs(heights[0]! - heights[1]!) < 1e-9);
  assert.ok(Math.abs(heights[0]! / heights[3]! - 3) < 1e-9);
  assert.ok(Math.abs(heights[2]! / heights[3]! - 2) < 1e-9);
  assert.deepEqual(fig.warnings, []);
});

Deno.test("modelsUsed() is titled and labelled as the seed's figure and shows full model names", async () => {
  const root = parseSvg((await modelsUsed(calls)).toSVG());
  const all = texts(root);
  for (const label of ["Models Used", "Model", "Number of Requests", "9 requests, 4 models"]) {
    assert.ok(all.includes(label), `missing ${label}`);
  }
  assert.deepEqual(tickLabels(root, "x-axis"), [SONNET, "gpt-4o", LLAMA, "o1-mini"]);
  assert.deepEqual(tickLabels(root, "y-axis"), ["0", "1", "2", "3"]);
});

Deno.test("modelsUsed() rotates long model names and leaves room for them under and left of the axis", async () => {
  const root = parseSvg((await modelsUsed(calls)).toSVG());
  const rotations = (r: Element) =>
    [...r.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) =>
      /rotate\((-?\d+)\)/.exec(t.getAttribute("transform") ?? "")?.[1] ?? "0"
    );
  assert.deepEqual(rotations(root), ["-30", "-30", "-30", "-30"]);
  // The figure grows by the room the rotated names take.
  assert.ok(Number(root.getAttribute("height")) > 560);
  const short = parseSvg((await modelsUsed(callsFrame([{ model: "a" }, { model: "b" }]))).toSVG());
  assert.deepEqual(rotations(short), ["0", "0"]);
});

Deno.test("modelsUsed() matches its golden SVG", async () => {
  assertSnapshot("models_used", (await modelsUsed(calls)).toSVG());
});

Deno.test("modelsUsed() of no request is an empty-state figure", async () => {
  for (const frame of [callsFrame([]), callsFrame([{ orphan: true }])]) {
    const fig = await modelsUsed(frame);
    assert.equal(fig.empty, true);
    assert.deepEqual(texts(parseSvg(fig.toSVG())), ["Models Used", "No model requests"]);
  }
});
