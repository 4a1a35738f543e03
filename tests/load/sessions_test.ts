/** src/load/_sessions.ts: one row per session, with its metadata as columns. */
import assert from "node:assert/strict";
import { EventTable } from "../../src/load/_event_columns.ts";
import { pairEvents } from "../../src/load/_pair.ts";
import { sessionRows } from "../../src/load/_sessions.ts";
import { ev } from "./_events.ts";

Deno.test("sessionRows() counts calls and errors and takes start, end and duration from the session events", () => {
  const s2 = { session_id: "s2", file: "b.jsonl" };
  const events = [
    ev(1, "session_start", null),
    ev(2, "session_metadata", null, { metadata: { user: "bob", file: "x", tags: ["a"] } }),
    ev(3, "llm_request", "a"),
    ev(4, "llm_error", "a"),
    ev(5, "llm_request", "b"),
    ev(9, "session_end", null, { duration: 7.5 }), // its own duration wins over 9 − 1 = 8 s
    ev(20, "llm_request", "c", s2), // no start or end: first and last event
    ev(23, "llm_response", "c", s2),
  ];
  const table = EventTable.from(events, false);
  const { rows, columns } = sessionRows(table, pairEvents(table));
  // a field named like a session column is prefixed; anything not a string is JSON
  assert.deepEqual(Object.keys(columns).slice(-3), ["user", "metadata_file", "tags"]);
  assert.deepEqual(rows, [
    {
      user: "bob",
      metadata_file: "x",
      tags: '["a"]',
      session_id: "s1",
      file: "a.jsonl",
      started_at: 1_000_000,
      ended_at: 9_000_000,
      duration_s: 7.5,
      complete: true,
      calls: 2, // a (error) and b (pending)
      errors: 1,
    },
    {
      session_id: "s2",
      file: "b.jsonl",
      started_at: 20_000_000,
      ended_at: 23_000_000,
      duration_s: 3, // 23 − 20 s
      complete: false,
      calls: 1,
      errors: 0,
    },
  ]);
});

Deno.test("sessionRows(): a session of one event has no duration (its one time is no span); a response whose request is not in the file starts the session its duration earlier", () => {
  const only = (id: string) => ({ session_id: id });
  const events = [
    // s1: a session_start alone, at 1 s (a run that wrote nothing else)
    ev(1, "session_start", null),
    // s2: a response alone at 10 s, 2.5 s long (its request line lost): the call ran 7.5 to 10 s
    ev(10, "llm_response", "r", { ...only("s2"), duration: 2.5 }),
    // s3: a response alone with no duration: one time
    ev(20, "llm_response", "q", only("s3")),
    // s4: a session_start and session_end at the same time (two records, 0 s apart) is 0 s long
    ev(30, "session_start", null, only("s4")),
    ev(30, "session_end", null, { ...only("s4"), line: 31 }),
  ];
  const table = EventTable.from(events, false);
  const { rows } = sessionRows(table, pairEvents(table));
  assert.deepEqual(
    rows.map((r) => [r.session_id, r.started_at, r.ended_at, r.duration_s]),
    [
      ["s1", 1_000_000, 1_000_000, null],
      ["s2", 7_500_000, 10_000_000, 2.5], // 10 − 2.5 s to 10 s
      ["s3", 20_000_000, 20_000_000, null],
      ["s4", 30_000_000, 30_000_000, 0],
    ],
  );
});
