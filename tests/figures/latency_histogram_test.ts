import assert from "node:assert/strict";
import { latencyHistogram } from "../../src/figures/latency_histogram.ts";
import { at, callsFrame } from "./_calls.ts";
import { assertSnapshot, markElements, parseSvg, texts } from "./_snapshot.ts";

// Five completed calls (1, 2, 2, 3, 10 s), plus rows the seed leaves out:
// an error, a pending call and a response with duration 0.
const calls = callsFrame([
  { started_at: at(0), ended_at: at(1), duration_s: 1 },
  { started_at: at(0), ended_at: at(2), duration_s: 2 },
  { started_at: at(1), ended_at: at(3), duration_s: 2 },
  { started_at: at(1), ended_at: at(4), duration_s: 3 },
  { started_at: at(2), ended_at: at(12), duration_s: 10, orphan: true },
  { status: "error", started_at: at(3), ended_at: at(8), duration_s: 5, error: "boom" },
  { status: "pending", started_at: at(4) },
  { started_at: at(5), ended_at: at(5), duration_s: 0 },
]);

Deno.test("latencyHistogram() draws 10 equal-width bins of completed calls with numpy's counts", async () => {
  const fig = await latencyHistogram(calls);
  const root = parseSvg(fig.toSVG());
  const bars = markElements(root, "rect", "rect");
  assert.equal(bars.length, 10);
  assert.deepEqual(
    bars.map((b) => b.querySelector("title")?.textContent),
    [
      "1.000–1.900 s: 1",
      "1.900–2.800 s: 2",
      "2.800–3.700 s: 1",
      "3.700–4.600 s: 0",
      "4.600–5.500 s: 0",
      "5.500–6.400 s: 0",
      "6.400–7.300 s: 0",
      "7.300–8.200 s: 0",
      "8.200–9.100 s: 0",
      "9.100–10.000 s: 1",
    ],
  );
  // Equal widths, and heights proportional to the counts 1, 2, 1, …, 1.
  const widths = bars.map((b) => Number(b.getAttribute("width")));
  assert.ok(widths.every((w) => Math.abs(w - widths[0]!) < 1e-9));
  const heights = bars.map((b) => Number(b.getAttribute("height") ?? 0));
  assert.ok(Math.abs(heights[1]! - 2 * heights[0]!) < 1e-9);
  assert.equal(heights[3], 0);
  assert.deepEqual(fig.warnings, []);
  assert.equal(fig.empty, false);
});

Deno.test("latencyHistogram() is titled and labelled as the seed's figure", async () => {
  const all = texts(parseSvg((await latencyHistogram(calls)).toSVG()));
  for (const label of ["Distribution of Response Times", "Response Time (seconds)", "Frequency"]) {
    assert.ok(all.includes(label), `missing ${label}`);
  }
  assert.ok(all.includes("5 completed calls, 10 bins"));
});

Deno.test("latencyHistogram() matches its golden SVG", async () => {
  assertSnapshot("latency_histogram", (await latencyHistogram(calls)).toSVG());
});

Deno.test("latencyHistogram() of a single call draws one bar of height 1 centred on it", async () => {
  const fig = await latencyHistogram(
    callsFrame([{ started_at: at(0), ended_at: at(2.5), duration_s: 2.5 }]),
  );
  const bars = markElements(parseSvg(fig.toSVG()), "rect", "rect");
  assert.equal(bars.length, 10);
  assert.deepEqual(
    bars.map((b) => b.querySelector("title")?.textContent).filter((t) => !t?.endsWith(": 0")),
    ["2.500–2.600 s: 1"],
  );
  assert.deepEqual(fig.warnings, []);
});

Deno.test("latencyHistogram() of no completed call is an empty-state figure with a message", async () => {
  for (const frame of [callsFrame([]), callsFrame([{ status: "error", duration_s: 1 }])]) {
    const fig = await latencyHistogram(frame);
    assert.equal(fig.empty, true);
    const all = texts(parseSvg(fig.toSVG()));
    assert.deepEqual(all, [
      "Distribution of Response Times",
      "No completed calls with a response time",
    ]);
  }
  assertSnapshot("latency_histogram_empty", (await latencyHistogram(callsFrame([]))).toSVG());
});

Deno.test("latencyHistogram() names the missing column of a frame that breaks the contract", async () => {
  const { default: pl } = await import("nodejs-polars");
  await assert.rejects(
    () => latencyHistogram(pl.DataFrame({ status: ["ok"] })),
    {
      name: "TypeError",
      message: 'Cannot draw latencyHistogram(): the calls frame has no column "duration_s"',
    },
  );
});
