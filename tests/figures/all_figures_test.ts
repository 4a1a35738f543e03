import assert from "node:assert/strict";
import { allFigures, FIGURE_NAMES } from "../../src/figures/all_figures.ts";
import {
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  type TraceSet,
} from "../../src/frames/columns.ts";
import { callsFrame } from "./_calls.ts";
import { sampleCalls } from "./_sample.ts";
import { modelsUsed } from "../../src/figures/models_used.ts";

function traces(calls: TraceSet["calls"]): TraceSet {
  return {
    calls,
    sessions: emptyFrame(SESSION_COLUMNS),
    events: emptyFrame(EVENT_COLUMNS),
    diagnostics: emptyFrame(DIAGNOSTIC_COLUMNS),
    files: [],
    inputs: [],
  };
}

Deno.test("allFigures() returns the nine figures in report order, without Plot warnings", async () => {
  const figures = await allFigures(traces(sampleCalls()));
  assert.deepEqual(figures.map((f) => f.name), [...FIGURE_NAMES]);
  assert.deepEqual(figures.map((f) => f.title), [
    "Distribution of Response Times",
    "Models Used",
    "Latency by Model",
    "Latency ECDF by Model",
    "Calls and Errors over Time",
    "Session Timeline",
    "Tokens vs Latency",
    "Cost by Model",
    "Calls in Flight",
  ]);
  for (const { name, figure } of figures) {
    assert.deepEqual(figure.warnings, [], name);
    assert.equal(figure.empty, false, name);
    assert.equal(figure.width, 720, name);
  }
});

Deno.test("allFigures() of an empty trace set gives empty-state figures, not an error", async () => {
  const figures = await allFigures(traces(callsFrame([])), { width: 600 });
  assert.equal(figures.length, 9);
  for (const { name, figure } of figures) {
    assert.equal(figure.empty, true, name);
    assert.equal(figure.width, 600, name);
    assert.ok(figure.toPNG().length > 0, name);
  }
});

Deno.test("allFigures() uses a figure already drawn as it is, and draws the others", async () => {
  const calls = sampleCalls();
  const models = await modelsUsed(calls);
  const figures = await allFigures(traces(calls), { drawn: { models_used: models } });
  assert.deepEqual(figures.map((f) => f.name), [...FIGURE_NAMES]);
  // the same object, not a second drawing
  assert.equal(figures[FIGURE_NAMES.indexOf("models_used")]!.figure, models);
  // the others drawn as without `drawn`: the same SVG, byte for byte
  const fresh = await allFigures(traces(calls));
  for (const [i, { name, figure }] of figures.entries()) {
    assert.equal(figure.toSVG(), fresh[i]!.figure.toSVG(), name);
  }
});
