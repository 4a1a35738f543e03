/**
 * The records of the other formats turned into frames (`assembleImportedFrames`):
 * the columns a call or event leaves out, and records given up as they are used.
 * @module
 */
import assert from "node:assert/strict";
import {
  assembleImportedFrames,
  type ImportedCall,
  type ImportedRecords,
} from "../../../src/load/formats/_records.ts";
import { blankCall } from "../../../src/load/formats/_agent_logs.ts";
import { columnsOf } from "../../_table.ts";

const call = (line: number, extra: Partial<ImportedCall> = {}): ImportedCall => ({
  ...blankCall("f", line, "s"),
  request_id: `r${line}`,
  model: "m",
  started_at: 1_700_000_000_000_000 + line,
  status: "pending",
  input_tokens: line,
  ...extra,
});

/** Two calls and two events, out of line order. */
function records(): ImportedRecords {
  return {
    calls: [call(3, { trace_id: "t", batch: true, params: '{"a":1}' }), call(1)],
    events: [
      {
        file: "f",
        line: 4,
        type: "x.b",
        ts: null,
        end: null,
        session_id: "s",
        request_id: null,
        payload: '{"b":2}',
      },
      {
        file: "f",
        line: 2,
        type: "x.a",
        ts: 5,
        end: null,
        session_id: "s",
        request_id: "r1",
        payload: null,
      },
    ],
    diagnostics: [],
  };
}

Deno.test("assembleImportedFrames: rows in line order, the columns a record leaves out filled", () => {
  const frames = assembleImportedFrames(records(), { group: "g", keepText: true });
  const calls = columnsOf(frames.calls);
  assert.deepEqual(calls.line, [1, 3]);
  assert.deepEqual(calls.input_tokens, [1, 3]);
  assert.deepEqual(calls.trace_id, [null, "t"]);
  assert.deepEqual(calls.batch, [false, true]);
  assert.deepEqual(calls.group, ["g", "g"]);
  assert.deepEqual(calls.orphan, [false, false]);
  assert.deepEqual(calls.retry_of, [null, null]);
  assert.deepEqual(calls.cost_usd, [null, null]);
  assert.deepEqual(calls.params, [null, '{"a":1}']);
  assert.deepEqual(calls.messages, [null, null]);
  assert.deepEqual(columnsOf(frames.events), {
    file: ["f", "f"],
    line: [2, 4],
    type: ["x.a", "x.b"],
    timestamp: [new Date(0), null],
    session_id: ["s", "s"],
    request_id: ["r1", null],
    payload: [null, '{"b":2}'],
  });
});

Deno.test("assembleImportedFrames: records given up (consume) make the same frames; their events are let go before the calls' frame", () => {
  const kept = assembleImportedFrames(records());
  const given = records();
  const seen: number[] = [];
  const frames = assembleImportedFrames(given, {
    consume: () => seen.push(given.events.length),
  });
  assert.deepEqual(seen, [0]);
  for (const name of ["calls", "sessions", "events", "diagnostics"] as const) {
    assert.deepEqual(columnsOf(frames[name]), columnsOf(kept[name]), name);
  }
});
