/** src/load/_event_columns.ts: the EventTable holds events as columns and gives them back unchanged. */
import assert from "node:assert/strict";
import { decodeEvents, EventTable, MODEL, SESSION } from "../../src/load/_event_columns.ts";
import { ev, usage } from "./_events.ts";

const b = { file: "b.jsonl", session_id: "s2" };
const records = [
  ev(1, "session_start", null),
  ev(2, "session_metadata", null, { metadata: { user: "u" }, payload: '{"user":"u"}' }),
  ev(3, "llm_request", "r1", { model: "m", prompt_chars: 12, retry_of: "r0" }),
  ev(4, "llm_response", "r1", { model: "m-1", usage, ttft: 0.25, output_chars: 7, duration: 1.5 }),
  ev(1, "llm_request", "r2", { ...b, provider: "p" }),
  ev(2, "llm_error", "r2", { ...b, error: "boom", duration: 0.5 }),
  ev(3, "session_end", null, { ...b, duration: 2 }),
];

Deno.test("EventTable: each event comes back as the record it was made from, file and numbers included", () => {
  const table = EventTable.from(records, false);
  assert.equal(table.n, 7);
  assert.deepEqual(table.files, ["a.jsonl", "b.jsonl"]);
  assert.deepEqual(table.records(), records);
  // coded strings share one dictionary: s1, s2, the types and models once each
  assert.equal(table.str(4, SESSION), "s2");
  assert.equal(table.str(3, MODEL), "m-1");
  assert.equal(table.code("no such value"), 0);
});

Deno.test("EventTable: keepText keeps messages, output and params per event", () => {
  const texts = records.map((r, i) => ({
    ...r,
    messages: i === 2 ? "[]" : null,
    output: i === 3 ? "hi" : null,
    params: null,
  }));
  assert.deepEqual(EventTable.from(texts, true).records(), texts);
});

Deno.test("EventTable.encode of one file's range decodes to that file's events, with only its strings", () => {
  const table = EventTable.from(records, false);
  const second = table.encode(4, 7);
  assert.equal(second.n, 3);
  // its dictionary: s2, and the types and provider of its three events (llm_request, p, llm_error, session_end)
  const dictionary = second.dictionary.lengths.length;
  assert.equal(dictionary, 5);
  assert.deepEqual(decodeEvents(second, "b.jsonl", 0, false), records.slice(4));
  // lines moved by an offset, as a later range of a file
  assert.deepEqual(
    decodeEvents(second, "b.jsonl", 10, false).map((e) => e.line),
    [11, 12, 13],
  );
});

Deno.test("EventTable.append and appendEncoded join ranges in order, lines moved by their offset", () => {
  const first = EventTable.from(records.slice(0, 4), false);
  const rest = EventTable.from(records.slice(4), false);
  const joined = new EventTable(false, 1); // grows from one event
  joined.append(first);
  joined.appendEncoded(rest.encode(), "b.jsonl", 100);
  assert.equal(joined.n, 7);
  assert.deepEqual(joined.records().slice(0, 4), records.slice(0, 4));
  assert.deepEqual(
    joined.records().slice(4),
    records.slice(4).map((e) => ({ ...e, line: e.line + 100 })),
  );
});

Deno.test("EventTable.appendEncoded into a table that keeps text: the encoding's texts, or nulls when it has none", () => {
  const texts = records.slice(0, 4).map((r, i) => ({
    ...r,
    messages: i === 2 ? '[{"role":"user","content":"hi"}]' : null,
    output: i === 3 ? "hello" : null,
    params: i === 2 ? '{"temperature":0}' : null,
  }));
  const joined = new EventTable(true, 1);
  joined.appendEncoded(EventTable.from(texts, true).encode(), "a.jsonl", 0);
  // an encoding without texts (read without keepText): its three texts are null
  joined.appendEncoded(EventTable.from(records.slice(4), false).encode(), "b.jsonl", 0);
  assert.equal(joined.n, 7);
  assert.deepEqual(joined.records().slice(0, 4), texts);
  assert.deepEqual(
    joined.records().slice(4),
    records.slice(4).map((e) => ({ ...e, messages: null, output: null, params: null })),
  );
});

Deno.test("EventTable.reserve makes room at once: the events pushed after it come back unchanged", () => {
  const table = new EventTable(false, 2);
  table.push(records[0]!);
  table.reserve(1000);
  table.reserve(10); // less than there is room for: nothing changes
  for (const e of records.slice(1)) table.push(e);
  assert.equal(table.n, 7);
  assert.deepEqual(table.records(), records);
});
