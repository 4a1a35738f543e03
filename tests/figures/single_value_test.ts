import assert from "node:assert/strict";
import { allFigures } from "../../src/figures/all_figures.ts";
import {
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
} from "../../src/frames/columns.ts";
import { at, callsFrame } from "./_calls.ts";
import { parseSvg } from "./_snapshot.ts";

const traces = (calls: ReturnType<typeof callsFrame>) => ({
  calls,
  sessions: emptyFrame(SESSION_COLUMNS),
  events: emptyFrame(EVENT_COLUMNS),
  diagnostics: emptyFrame(DIAGNOSTIC_COLUMNS),
  files: [],
  inputs: [],
});

/** The x-axis tick labels of a figure. */
function xTicks(svg: string): string[] {
  return [...parseSvg(svg).querySelectorAll('g[aria-label="x-axis tick label"] text')]
    .map((t) => t.textContent ?? "");
}

Deno.test("every figure of a single call has a proper axis (more than one tick) and no warning", async () => {
  const one = callsFrame([{
    started_at: at(0),
    ended_at: at(25),
    duration_s: 24.99,
    output_tokens: 300,
    cost_usd: 0.01,
  }]);
  for (const { name, figure } of await allFigures(traces(one))) {
    assert.deepEqual(figure.warnings, [], name);
    assert.equal(figure.empty, false, name);
    if (name !== "models_used" && name !== "cost_by_model") {
      assert.ok(xTicks(figure.toSVG()).length > 1, `${name}: ${xTicks(figure.toSVG())}`);
    }
  }
});

Deno.test("every figure of a single pending call renders without a degenerate scale", async () => {
  const pending = callsFrame([{ started_at: at(0), status: "pending" }]);
  const figures = await allFigures(traces(pending));
  const byName = Object.fromEntries(figures.map((f) => [f.name, f.figure]));
  for (const name of ["calls_over_time", "session_timeline", "in_flight"]) {
    assert.equal(byName[name]!.empty, false, name);
    assert.ok(xTicks(byName[name]!.toSVG()).length > 1, name);
    assert.deepEqual(byName[name]!.warnings, [], name);
  }
  for (const name of ["response_times", "latency_by_model", "tokens_vs_latency", "cost_by_model"]) {
    assert.equal(byName[name]!.empty, true, name);
  }
});
