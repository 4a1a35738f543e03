/**
 * The report's "Baseline vs candidate" section (`ReportInput.comparison`, from
 * `compare`): absent from the default report, escaped, the verdict sentence.
 * The exact rows of the compare fixtures are in tests/cli/compare_test.ts.
 */
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { renderReport } from "../../src/report/render.ts";
import {
  DELTA_METRICS,
  type GateResult,
  gateVerdict,
  type RunComparison,
} from "../../src/report/comparison.ts";
import { SAMPLE_INPUT, XSS } from "../fixtures/report/sample_input.ts";

const delta = {
  baseline: 1,
  candidate: 2,
  change: 1,
  relative_change: 1,
  ci95: null,
  p_value: null,
  test: null,
  interval: null,
  n_baseline: 1,
  n_candidate: 1,
  warning: null,
};
const gate = (passed: boolean, message = "p95 latency rose 100.0%"): GateResult => ({
  gate: "max_p95_increase",
  metric: "latency_p95",
  limit: 10,
  value: 100,
  passed,
  p_value: null,
  test: null,
  message: passed ? message : `gate failed: ${message}`,
});

function comparison(over: Partial<RunComparison> = {}): RunComparison {
  return {
    baseline: "base",
    candidate: "candidate",
    deltas: Object.fromEntries(DELTA_METRICS.map((m) => [m, delta])) as RunComparison["deltas"],
    gates: [],
    ...over,
  };
}

Deno.test("the default report has no Baseline vs candidate section, link or styles", () => {
  const html = renderReport(SAMPLE_INPUT);
  const doc = new JSDOM(html).window.document;
  assert.equal(doc.querySelector("#comparison"), null);
  assert.equal(doc.querySelector('a[href="#comparison"]'), null);
  assert.ok(!html.includes("td.good"));
  assert.equal(doc.querySelector("main > section")!.id, "overview");
});

Deno.test("the Baseline vs candidate section escapes labels and gate sentences", () => {
  const html = renderReport({
    ...SAMPLE_INPUT,
    comparison: comparison({
      baseline: XSS.title,
      candidate: XSS.model,
      gates: [gate(false, XSS.error)],
    }),
  });
  for (const payload of [XSS.title, XSS.model, XSS.error]) {
    assert.ok(!html.includes(payload), `the raw payload ${payload} is not in the HTML`);
  }
  const doc = new JSDOM(html).window.document;
  assert.equal(doc.querySelectorAll("script").length, 2);
  const th = [...doc.querySelectorAll("#table-deltas thead th")].map((e) => e.textContent);
  assert.deepEqual(th.slice(1, 3), [XSS.title, XSS.model]);
  assert.equal(doc.querySelector("#comparison .gate-sentence")!.textContent, XSS.error);
  assert.equal(doc.querySelector("#comparison .verdict")!.textContent, "The gate failed");
  assert.equal(doc.querySelector("nav a")!.getAttribute("href"), "#comparison");
  assert.ok(html.includes("td.good"));
});

Deno.test("gateVerdict() counts the failed gates", () => {
  assert.equal(gateVerdict([]), "No gates set");
  assert.equal(gateVerdict([gate(true)]), "The gate passed");
  assert.equal(gateVerdict([gate(false)]), "The gate failed");
  assert.equal(gateVerdict([gate(true), gate(true), gate(true)]), "All 3 gates passed");
  assert.equal(gateVerdict([gate(false), gate(true), gate(false)]), "2 of 3 gates failed");
});

Deno.test("the Assessment cell marks a change that is not significant at 5% (ns, p in the tooltip)", () => {
  const deltas = Object.fromEntries(
    DELTA_METRICS.map((m) => [m, delta]),
  ) as RunComparison["deltas"];
  deltas.latency_mean = { ...delta, p_value: 0.2 };
  deltas.latency_p95 = { ...delta, p_value: 0.001 };
  const doc =
    new JSDOM(renderReport({ ...SAMPLE_INPUT, comparison: comparison({ deltas }) })).window
      .document;
  const cell = (label: string) =>
    [...doc.querySelectorAll("#table-deltas tbody tr")].find((tr) =>
      tr.querySelector("td")!.textContent === label
    )!.querySelectorAll("td")[5]!;
  assert.equal(cell("mean latency").className, "assessment bad ns");
  assert.equal(cell("mean latency").title, "not significant at the 5% level (p = 0.200)");
  assert.equal(cell("p95 latency").className, "assessment bad");
  assert.equal(cell("p95 latency").title, "significant at the 5% level (p = 0.001)");
  assert.equal(cell("p95 latency").textContent, "worse");
});
