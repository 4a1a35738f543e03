import assert from "node:assert/strict";
import { tokensVsLatency } from "../../src/figures/tokens_vs_latency.ts";
import { callsFrame } from "./_calls.ts";
import { assertSnapshot, markElements, parseSvg, texts } from "./_snapshot.ts";

const calls = callsFrame([
  { model: "gpt-4o", output_tokens: 100, input_tokens: 10, duration_s: 1 },
  { model: "gpt-4o", output_tokens: 400, input_tokens: 20, duration_s: 3 },
  { model: "o1-mini", output_tokens: 250, input_tokens: 30, duration_s: 6 },
  { model: "o1-mini", duration_s: 2 }, // no usage
  { model: "o1-mini", output_tokens: 50, status: "error", duration_s: 1 },
]);

Deno.test("tokensVsLatency() draws a dot per completed call with usage, coloured by model", async () => {
  const fig = await tokensVsLatency(calls);
  const root = parseSvg(fig.toSVG());
  const dots = markElements(root, "dot", "circle");
  assert.deepEqual(dots.map((d) => d.querySelector("title")?.textContent), [
    "gpt-4o: 100 tokens, 1.000 s",
    "gpt-4o: 400 tokens, 3.000 s",
    "o1-mini: 250 tokens, 6.000 s",
  ]);
  assert.equal(new Set(dots.map((d) => d.getAttribute("stroke"))).size, 2);
  const all = texts(root);
  for (
    const t of [
      "Tokens vs Latency",
      "Output tokens",
      "Response Time (seconds)",
      "gpt-4o",
      "o1-mini",
    ]
  ) {
    assert.ok(all.includes(t), t);
  }
  assert.ok(all.includes("3 completed calls with usage; 1 without usage left out"));
  assert.deepEqual(fig.warnings, []);
  assertSnapshot("tokens_vs_latency", fig.toSVG());
});

Deno.test("tokensVsLatency() plots another token column and samples to maxPoints", async () => {
  const root = parseSvg(
    (await tokensVsLatency(calls, { tokens: "input_tokens", maxPoints: 2 })).toSVG(),
  );
  assert.equal(markElements(root, "dot", "circle").length, 2);
  assert.ok(texts(root).includes("Input tokens"));
  // 3 completed calls with usage, 2 drawn.
  assert.ok(
    texts(root).some((t) =>
      t.startsWith("showing 2 of 3 completed calls with usage, sampled evenly")
    ),
  );
});

Deno.test("tokensVsLatency() without usage is an empty-state figure", async () => {
  const fig = await tokensVsLatency(callsFrame([{ duration_s: 1 }]));
  assert.equal(fig.empty, true);
  assert.deepEqual(texts(parseSvg(fig.toSVG())), [
    "Tokens vs Latency",
    "No completed calls with token usage",
  ]);
});
