/**
 * The model rule downstream (DESIGN.md): tables group by the requested `model`,
 * served versions are detail, `served_model` can be grouped by; and one model has
 * the same numbers in every table (summary.by_model, the comparison by group).
 */
import assert from "node:assert/strict";
import {
  compareGroups,
  summarize,
  summarizeGroups,
  withCallDefaults,
} from "../../src/metrics/mod.ts";
import { groupComparison } from "../../src/report/groups.ts";
import { requestsPerModel } from "../../src/figures/models_used.ts";
import { renderSummaryText } from "../../src/report/summary_text.ts";
import { applyPrices } from "../../src/prices/mod.ts";
import { mixedTraceSet, traceSet } from "./_frames.ts";

/** Requests for o1-mini: two answered as o1-mini-2024-09-12, one failed (no served model). */
function o1mini(oldLoader = false) {
  const rows = [
    { request_id: "a", status: "ok", duration_s: 2, served: "o1-mini-2024-09-12" },
    { request_id: "b", status: "ok", duration_s: 4, served: "o1-mini-2024-09-12" },
    { request_id: "c", status: "error", duration_s: 1, served: null },
  ];
  const t = traceSet({
    calls: rows.map((r) =>
      oldLoader
        // The older loader: model = the response's model, request_model = the request's.
        ? {
          request_id: r.request_id,
          status: r.status,
          duration_s: r.duration_s,
          model: r.served ?? "o1-mini",
          request_model: "o1-mini",
        }
        : {
          request_id: r.request_id,
          status: r.status,
          duration_s: r.duration_s,
          model: "o1-mini",
          served_model: r.served,
        }
    ),
  });
  if (oldLoader) t.calls = t.calls.drop("served_model");
  return t;
}

for (const oldLoader of [false, true]) {
  Deno.test(`the o1-mini case is one o1-mini row with its error${oldLoader ? " (older loader's frame)" : ""}`, () => {
    const traces = o1mini(oldLoader);
    const s = summarize(traces);
    assert.deepEqual(s.models_used, { "o1-mini": 3 });
    assert.equal(s.by_model.length, 1);
    const m = s.by_model[0]!;
    // 1 error of 3 finished calls; latency over the two ok calls: mean (2 + 4)/2 = 3.
    assert.deepEqual(
      [m.model, m.calls, m.ok, m.errors, m.error_rate, m.latency.mean, m.served_models],
      ["o1-mini", 3, 2, 1, 1 / 3, 3, ["o1-mini-2024-09-12"]],
    );
    // The seed's bar chart counts the same requests.
    assert.deepEqual(requestsPerModel(withCallDefaults(traces.calls)), [
      { model: "o1-mini", requests: 3 },
    ]);
    // Grouping by served_model shows the versions; the failed call names none (last).
    const served = summarizeGroups(traces, "served_model");
    assert.deepEqual(served.map((g) => [g.group, g.calls, g.errors]), [
      ["o1-mini-2024-09-12", 2, 0],
      ["(none)", 1, 1],
    ]);
  });
}

Deno.test("one model has the same numbers in summary.by_model and in the comparison by model", () => {
  const t = mixedTraceSet();
  const traces = { ...t, calls: applyPrices(t.calls) };
  const byModel = summarize(traces).by_model;
  const byGroup = groupComparison(traces, "model").groups;
  assert.equal(byGroup.length, byModel.length);
  for (const { model, ...row } of byModel) {
    const { group, ...other } = byGroup.find((g) => g.group === model)!;
    assert.equal(group, model);
    assert.deepEqual(other, row, model);
  }
  // gpt-4o: cost per call is the mean over its 4 priced calls (0.010635 / 4), not
  // over its 5 calls (one pending, unpriced), in both.
  const gpt = byModel.find((m) => m.model === "gpt-4o")!;
  assert.ok(Math.abs(gpt.cost_per_call! - 0.010635 / 4) < 1e-15);
  // compareGroups' table holds the same value.
  const table = compareGroups(traces, "model").table.toRecords();
  const row = table.find((r) => r.model === "gpt-4o")!;
  assert.equal(row.cost_per_call, gpt.cost_per_call);
});

Deno.test("summary.txt lists the o1-mini row with the version it was served as", () => {
  const text = renderSummaryText(summarize(o1mini()));
  // 1 error of 3 finished calls = 33.3%; latencies [2, 4]: mean and p50 3, p95 2 + 0.95·2 = 3.9.
  assert.ok(
    text.includes(
      "\no1-mini: 3 calls, 2 ok, 1 errors (33.3%), mean 3.00 s, p50 3.00 s, p95 3.90 s, cost unpriced; served as o1-mini-2024-09-12\n",
    ),
    text,
  );
});
