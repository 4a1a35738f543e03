/**
 * concatTraceSets(): the frames of trace sets one after the other; a set's events frame
 * not yet made (a cached load's) is stacked only when the result's is read.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { concatTraceSets } from "../../src/frames/concat.ts";
import { emptyFrame, EVENT_COLUMNS, type TraceSet } from "../../src/frames/columns.ts";
import { lazyFrame } from "../../src/frames/lazy.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";

/** A trace set of `traces`' frames whose events frame is made on first read, counted. */
function lazyEvents(traces: TraceSet, made: { n: number }): TraceSet {
  const { calls, sessions, diagnostics, files, inputs, formats } = traces;
  return lazyFrame({ calls, sessions, diagnostics, files, inputs, formats }, "events", () => {
    made.n++;
    return traces.events;
  });
}

Deno.test("concatTraceSets() stacks lazy events frames only when its events are read", async () => {
  const [first, second] = [...Deno.readDirSync(join(ROOT, "traces"))]
    .map((e) => e.name).filter((n) => n.endsWith(".jsonl")).sort();
  const a = await loadTraces(join(ROOT, "traces", first!));
  const b = await loadTraces(join(ROOT, "traces", second!));
  assert.ok(a.events.height > 0 && b.events.height > 0);
  const made = { n: 0 };
  const both = concatTraceSets([lazyEvents(a, made), lazyEvents(b, made)]);
  assert.equal(made.n, 0, "made before use");
  assert.equal(both.calls.height, a.calls.height + b.calls.height);
  // the key keeps its place among the frames
  assert.deepEqual(Object.keys(both).slice(0, 4), ["calls", "sessions", "events", "diagnostics"]);
  // the rows of a's events, then b's, as an eager concatenation gives them
  const lines = (df: pl.DataFrame) => df.getColumn("line").toArray().map(Number);
  assert.deepEqual(lines(both.events), [...lines(a.events), ...lines(b.events)]);
  assert.equal(made.n, 2);
  assert.equal(both.events.height, a.events.height + b.events.height);
  assert.equal(made.n, 2, "made once");
});

Deno.test("concatTraceSets() of made frames stacks their events at once", () => {
  const events = (type: string) =>
    pl.concat([emptyFrame(EVENT_COLUMNS), pl.DataFrame({ type: [type] })], { how: "diagonal" });
  const set = (type: string): TraceSet => ({
    calls: pl.DataFrame({}),
    sessions: pl.DataFrame({}),
    events: events(type),
    diagnostics: pl.DataFrame({}),
    files: [],
    inputs: [],
  });
  const both = concatTraceSets([set("custom_a"), set("custom_b")]);
  assert.equal(Object.getOwnPropertyDescriptor(both, "events")?.get, undefined);
  assert.deepEqual(both.events.getColumn("type").toArray(), ["custom_a", "custom_b"]);
});
