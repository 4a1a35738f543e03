/**
 * Scatter figures over more points than their limit draw exactly the limit, evenly
 * sampled (row ⌊i · n / limit⌋), and their subtitle says how many of how many.
 */
import assert from "node:assert/strict";
import { latencyByModel } from "../../src/figures/latency_by_model.ts";
import { sessionTimeline } from "../../src/figures/session_timeline.ts";
import { tokensVsLatency } from "../../src/figures/tokens_vs_latency.ts";
import { at, callsFrame } from "./_calls.ts";
import { markElements, parseSvg, texts } from "./_snapshot.ts";

Deno.test("tokensVsLatency() over 6,000 calls draws exactly 5,000, evenly sampled, and says so", async () => {
  // Call i (0-based) has i + 1 output tokens, so a dot's tokens name its row.
  const calls = callsFrame(
    Array.from({ length: 6000 }, (_, i) => ({ output_tokens: i + 1, duration_s: 1 })),
  );
  const root = parseSvg((await tokensVsLatency(calls)).toSVG());
  const dots = markElements(root, "dot", "circle");
  assert.equal(dots.length, 5000);
  // Dot i is row ⌊i · 6000 / 5000⌋ = ⌊1.2 i⌋: rows 0, 1, 2, 3, 4, 6, … and 5998 (i = 4999).
  const tokens = dots.map((d) =>
    Number(/: (\d+) tokens/.exec(d.querySelector("title")!.textContent!)![1])
  );
  assert.deepEqual(tokens.slice(0, 6), [1, 2, 3, 4, 5, 7]);
  assert.equal(tokens.at(-1), 5999);
  assert.ok(
    texts(root).includes("showing 5,000 of 6,000 completed calls with usage, sampled evenly"),
    texts(root).join(" | "),
  );
});

Deno.test("tokensVsLatency() at or below its limit draws every call and says nothing of sampling", async () => {
  const calls = callsFrame(
    Array.from({ length: 40 }, (_, i) => ({ output_tokens: i + 1, duration_s: 1 })),
  );
  const root = parseSvg((await tokensVsLatency(calls, { maxPoints: 40 })).toSVG());
  assert.equal(markElements(root, "dot", "circle").length, 40);
  assert.ok(texts(root).includes("40 completed calls with usage"));
  assert.ok(!texts(root).some((t) => t.includes("sampled")));
});

Deno.test("sessionTimeline() over 2,500 calls of one session draws exactly 2,000 and says so", async () => {
  const calls = callsFrame(
    Array.from({ length: 2500 }, (_, i) => ({
      session_id: "s",
      started_at: at(i),
      ended_at: at(i + 0.5),
      duration_s: 0.5,
    })),
  );
  const root = parseSvg((await sessionTimeline(calls)).toSVG());
  // All 2,000 drawn calls finished: one bar each.
  assert.equal(markElements(root, "bar", "rect").length, 2000);
  assert.ok(
    texts(root).includes("showing 2,000 of 2,500 calls in 1 session, sampled evenly"),
    texts(root).join(" | "),
  );
});

Deno.test("latencyByModel() draws at most maxOutliers dots, evenly sampled, and says so", async () => {
  // Twenty calls of 1 s among 24: q1 at rank 0.25 × 23 = 5.75 and q3 at 0.75 × 23 = 17.25
  // are both 1 s, IQR 0, so 10, 20, 30 and 40 s are the 4 outliers.
  const durations = [...Array(20).fill(1), 10, 20, 30, 40];
  const calls = callsFrame(durations.map((duration_s) => ({ duration_s })));
  const root = parseSvg((await latencyByModel(calls, { maxOutliers: 2 })).toSVG());
  // Rows ⌊0 · 4 / 2⌋ = 0 and ⌊1 · 4 / 2⌋ = 2 of the outliers by duration: 10 s and 30 s,
  // drawn where the x axis labels 10 and 30.
  const tickX = new Map(
    [...root.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => [
      t.textContent,
      /translate\(([\d.]+),/.exec(t.getAttribute("transform")!)![1],
    ]),
  );
  const dots = markElements(root, "dot", "circle").map((d) => d.getAttribute("cx"));
  assert.deepEqual(dots, [tickX.get("10"), tickX.get("30")]);
  // The subtitle wraps over lines.
  assert.ok(texts(root).join(" ").includes("showing 2 of 4 outliers, sampled evenly"));
});
