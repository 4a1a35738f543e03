import assert from "node:assert/strict";
import { costByModel, costPerModel } from "../../src/figures/cost_by_model.ts";
import { callsFrame } from "./_calls.ts";
import { assertSnapshot, markElements, parseSvg, texts, tickLabels } from "./_snapshot.ts";

const SONNET = "claude-3-5-sonnet-20241022";
const calls = callsFrame([
  { model: "gpt-4o", cost_usd: 0.01 },
  { model: "gpt-4o", cost_usd: 0.02 },
  { model: SONNET, cost_usd: 0.05 },
  { model: SONNET, status: "error" },
  { model: "o1-mini" },
  { model: "my-finetune" },
]);

Deno.test("costPerModel() sums priced calls per model and lists unpriced models, never as $0", () => {
  const { priced, unpriced } = costPerModel(calls);
  assert.deepEqual(priced.map((p) => [p.model, +p.cost_usd.toFixed(12), p.calls]), [
    [SONNET, 0.05, 1],
    ["gpt-4o", 0.03, 2],
  ]);
  assert.deepEqual(unpriced, ["my-finetune", "o1-mini"]);
});

Deno.test("costByModel() draws bars highest first, labelled in dollars, naming unpriced models", async () => {
  const fig = await costByModel(calls);
  const root = parseSvg(fig.toSVG());
  assert.deepEqual(tickLabels(root, "y-axis"), [SONNET, "gpt-4o"]);
  const bars = markElements(root, "bar", "rect");
  assert.equal(bars.length, 2);
  const widths = bars.map((b) => Number(b.getAttribute("width")));
  assert.ok(Math.abs(widths[0]! / widths[1]! - 5 / 3) < 1e-9);
  const all = texts(root);
  for (
    const t of [
      "Cost by Model",
      "$0.05",
      "$0.03",
      "Cost (USD)",
      "$0.08 in total; no price for my-finetune, o1-mini",
    ]
  ) {
    assert.ok(all.includes(t), t);
  }
  assert.deepEqual(fig.warnings, []);
  assertSnapshot("cost_by_model", fig.toSVG());
});

Deno.test("costByModel() with no priced call is an empty-state figure that still names the unpriced models", async () => {
  const fig = await costByModel(callsFrame([{ model: "o1-mini" }]));
  assert.equal(fig.empty, true);
  assert.deepEqual(texts(parseSvg(fig.toSVG())), [
    "Cost by Model",
    "No price for o1-mini",
    "No priced calls",
  ]);
});
