/**
 * The trace writer starts each line on a fresh line: appending to a file whose
 * last line was cut off (a killed process, a full disk) leaves the fragment as
 * one bad line and the next event intact.
 * @module
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { FileTraceWriter, Tracer } from "../../src/tracing/mod.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { tempDir } from "./_util.ts";

const COMPLETE = '{"type":"session_start","timestamp":"2025-04-08T19:42:09","session_id":"old"}\n';
const FRAGMENT = '{"type":"llm_request","timestamp":"2025-04-08T19:4';

Deno.test("a tracer appending to a file whose last line was cut starts on a fresh line", async () => {
  const file = `${tempDir()}/trace_cut.jsonl`;
  writeFileSync(file, COMPLETE + FRAGMENT);
  const tracer = new Tracer({ file, sessionId: "new", endOnExit: false });
  await tracer.close();
  const lines = readFileSync(file, "utf8").split("\n");
  assert.equal(lines[0] + "\n", COMPLETE);
  assert.equal(lines[1], FRAGMENT, "the fragment stays one line of its own");
  assert.match(lines[2]!, /^\{"type":"session_start",.*"session_id":"new"\}$/);
  assert.match(lines[3]!, /^\{"type":"session_end",.*"session_id":"new",/);
  assert.equal(lines[4], "", "the file ends with a newline");
  const traces = await loadTraces([file]);
  assert.equal(traces.diagnostics.height, 1, "only the fragment is a bad line");
  assert.equal(traces.diagnostics.getColumn("line").toArray()[0], 2);
});

Deno.test("a file that ends with a newline, or an empty one, gets no extra blank line", () => {
  for (const start of ["", COMPLETE]) {
    const file = `${tempDir()}/t.jsonl`;
    writeFileSync(file, start);
    const w = new FileTraceWriter(file);
    w.write('{"type":"x"}\n');
    w.write('{"type":"y"}\n');
    w.close();
    assert.equal(readFileSync(file, "utf8"), start + '{"type":"x"}\n{"type":"y"}\n');
  }
});
