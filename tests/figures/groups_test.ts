/**
 * Compare pages: every figure keeps the baseline's and the candidate's calls apart
 * (one panel per run, or one box, bar, row or line per run), and axis titles stay
 * clear of wide tick labels.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { allFigures } from "../../src/figures/all_figures.ts";
import { latencyEcdf } from "../../src/figures/latency_ecdf.ts";
import { latencyHistogram } from "../../src/figures/latency_histogram.ts";
import {
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
} from "../../src/frames/columns.ts";
import { at, callsFrame } from "./_calls.ts";
import { parseSvg, texts, tickLabels } from "./_snapshot.ts";

// Baseline (session b1): gpt-4o 0–1 s and 1–3 s, o1-mini failing 4–4.5 s.
// Candidate (session c1): gpt-4o 0–3 s and 1–4 s, o1-mini pending from 2 s.
const base = { group: "baseline", session_id: "b1" };
const cand = { group: "candidate", session_id: "c1" };
const calls = callsFrame([
  { ...base, started_at: at(0), ended_at: at(1), duration_s: 1, output_tokens: 10, cost_usd: 0.01 },
  { ...base, started_at: at(1), ended_at: at(3), duration_s: 2, output_tokens: 10, cost_usd: 0.01 },
  {
    ...base,
    model: "o1-mini",
    started_at: at(4),
    ended_at: at(4.5),
    duration_s: 0.5,
    status: "error",
  },
  { ...cand, started_at: at(0), ended_at: at(3), duration_s: 3, output_tokens: 10, cost_usd: 0.01 },
  { ...cand, started_at: at(1), ended_at: at(4), duration_s: 3, output_tokens: 10, cost_usd: 0.01 },
  { ...cand, model: "o1-mini", started_at: at(2), status: "pending" },
]);

const figures = async () =>
  Object.fromEntries(
    (await allFigures({
      calls,
      sessions: emptyFrame(SESSION_COLUMNS),
      events: emptyFrame(EVENT_COLUMNS),
      diagnostics: emptyFrame(DIAGNOSTIC_COLUMNS),
      files: [],
      inputs: [],
    })).map((f) => [f.name, parseSvg(f.figure.toSVG())]),
  );

const fyLabels = (root: Element) => tickLabels(root, "fy-axis" as "y-axis");
const titles = (root: Element) =>
  [...root.querySelectorAll("title")].map((t) => t.textContent ?? "").slice(1); // 1st: the figure's

Deno.test("every figure of a compare page keeps the baseline and the candidate apart", async () => {
  const f = await figures();
  // One panel per run.
  for (
    const name of [
      "response_times",
      "models_used",
      "calls_over_time",
      "tokens_vs_latency",
      "latency_ecdf",
    ]
  ) {
    assert.deepEqual(fyLabels(f[name]!), ["baseline", "candidate"], name);
    assert.ok(texts(f[name]!).some((t) => t.endsWith("one panel per run")), name);
  }
  // Requests per model and run: 2 gpt-4o and 1 o1-mini on each side.
  assert.deepEqual(titles(f.models_used!).sort(), [
    "gpt-4o: 2 requests",
    "gpt-4o: 2 requests",
    "o1-mini: 1 requests",
    "o1-mini: 1 requests",
  ]);
  // One box per model and run (only gpt-4o succeeded), coloured by run, with a legend.
  assert.deepEqual(tickLabels(f.latency_by_model!, "y-axis"), [
    "gpt-4o · baseline",
    "gpt-4o · candidate",
  ]);
  assert.ok(texts(f.latency_by_model!).includes("candidate"));
  // Cost per model and run: $0.02 on each side.
  assert.deepEqual(tickLabels(f.cost_by_model!, "y-axis"), [
    "gpt-4o · baseline",
    "gpt-4o · candidate",
  ]);
  assert.deepEqual(titles(f.cost_by_model!), [
    "gpt-4o (baseline): $0.02 over 2 priced calls",
    "gpt-4o (candidate): $0.02 over 2 priced calls",
  ]);
  // Each run's sessions on their own rows.
  assert.deepEqual(tickLabels(f.session_timeline!, "y-axis"), ["baseline · b1", "candidate · c1"]);
  // One line per run: the baseline never has two calls at once (one ends at 1 s as the next
  // starts); the candidate has three from 2 s (the pending call lasts until c1's last time, 4 s).
  assert.ok(
    texts(f.in_flight!).join(" ").includes(
      "baseline: peak 1 at 2025-04-08 12:00:00 UTC; candidate: peak 3 at 2025-04-08 12:00:02 UTC",
    ),
    texts(f.in_flight!).join(" | "),
  );
  assert.equal(f.in_flight!.querySelectorAll('g[aria-label="line"] path').length, 2);
});

/** Where the y-axis title ends and where the widest tick label (`em` wide at 13 px) starts, in x. */
function titleAndTicks(
  svg: string,
  em: number,
): { titleEnd: number; tickStart: number; last: string } {
  const root = parseSvg(svg);
  const xOf = (transform: string | null) =>
    Number(/translate\(([-\d.]+)/.exec(transform ?? "")![1]);
  const tickGroup = root.querySelector('g[aria-label="y-axis tick label"]')!;
  // Tick labels end at the axis (their translate) minus their own offset (the group's, −9).
  const tickEnd = xOf(tickGroup.querySelector("text")!.getAttribute("transform")) +
    xOf(tickGroup.getAttribute("transform"));
  const labelGroup = root.querySelector('g[aria-label="y-axis label"]')!;
  const labelX = xOf(labelGroup.querySelector("text")!.getAttribute("transform")) +
    xOf(labelGroup.getAttribute("transform"));
  assert.ok(labelX >= 0, `the title is inside the figure (x = ${labelX})`);
  // The rotated title is one line of 13 px from its x.
  return {
    titleEnd: labelX + 13,
    tickStart: tickEnd - em * 13,
    last: tickLabels(root, "y-axis").at(-1)!,
  };
}

Deno.test("a y-axis title stays clear of the tick labels of 100,000 calls", async () => {
  // 100,000 calls: 85,714 of 1 s and 14,286 of 3 s (every 7th); the ticks reach 90,000.
  const big = pl.DataFrame({
    status: Array(100_000).fill("ok"),
    duration_s: Array.from({ length: 100_000 }, (_, i) => (i % 7 === 0 ? 3 : 1)),
  });
  // "90,000" in DejaVu Sans (the widest font of the stack) at 13 px: five digits of
  // 0.636 em and a comma of 0.318 em, 3.498 em = 45.5 px.
  const t = titleAndTicks((await latencyHistogram(big)).toSVG(), 3.498);
  assert.equal(t.last, "90,000");
  assert.ok(
    t.titleEnd < t.tickStart,
    `the title ends (${t.titleEnd}) before the ticks (${t.tickStart})`,
  );
});

Deno.test("the latency ECDF's y-axis title stays clear of its percent labels", async () => {
  // "100%" in DejaVu Sans at 13 px: three digits of 0.636 em and a percent sign of 0.95 em,
  // 2.858 em = 37.2 px (the title had sat on the labels of 30%–50%)
  const one = calls.filter(pl.col("group").eq(pl.lit("baseline"))); // one run: no panels
  const t = titleAndTicks((await latencyEcdf(one)).toSVG(), 2.858);
  assert.equal(t.last, "100%");
  assert.ok(
    t.titleEnd < t.tickStart,
    `the title ends (${t.titleEnd}) before the ticks (${t.tickStart})`,
  );
});
