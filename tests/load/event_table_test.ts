/** src/load/_event_columns.ts: the EventTable holds events as columns and gives them back unchanged. */
import assert from "node:assert/strict";
import {
  decodeEvents,
  EventTable,
  MODEL,
  SESSION,
  StringColumn,
} from "../../src/load/_event_columns.ts";
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

Deno.test("StringColumn: values pushed, appended and packed come back as a plain array holds them", () => {
  // a seeded walk of pushes (nulls, empty strings, past one run), appends of parts of other
  // columns, reads and packs of ranges, each checked against an array of the same values
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const value =
    () => (random() < 0.2 ? null : random() < 0.1 ? "" : `v${Math.floor(random() * 1e6)}`);
  for (let trial = 0; trial < 100; trial++) {
    const column = new StringColumn(1 + Math.floor(random() * 5));
    const expected: (string | null)[] = [];
    for (let step = Math.floor(random() * 1200); step > 0; step--) {
      const r = random();
      if (r < 0.55) {
        const v = value();
        column.push(v);
        expected.push(v);
      } else if (r < 0.6) {
        const values = Array.from({ length: Math.floor(random() * 300) }, value);
        const from = Math.floor(random() * values.length);
        column.appendColumn(StringColumn.of(values), from);
        expected.push(...values.slice(from));
      } else if (r < 0.7 && expected.length) {
        const i = Math.floor(random() * expected.length);
        assert.equal(column.get(i), expected[i], `trial ${trial}: value ${i}`);
      } else if (r < 0.78 && expected.length) {
        // reads in order, with gaps of 0 to 40 (found from the last value read, or from a mark)
        for (let i = Math.floor(random() * expected.length); i < expected.length;) {
          assert.equal(column.get(i), expected[i], `trial ${trial}: value ${i} in order`);
          i += Math.floor(random() * 41);
          if (random() < 0.05) break;
        }
      } else if (r < 0.8 && expected.length) {
        // the whole column packed: its runs joined into one, then read on from where it was
        assert.equal(column.pack().text, expected.filter((v) => v !== null).join(""));
      } else if (expected.length) {
        const from = Math.floor(random() * expected.length);
        const to = from + Math.floor(random() * (expected.length - from + 1));
        const packed = column.pack(from, to);
        const part = expected.slice(from, to);
        assert.equal(packed.text, part.filter((v) => v !== null).join(""));
        assert.deepEqual([...packed.lengths], part.map((v) => (v === null ? -1 : v.length)));
      }
    }
    assert.equal(column.length, expected.length);
    assert.deepEqual(column.values(), expected);
    const whole = column.pack();
    assert.equal(whole.text, expected.filter((v) => v !== null).join(""));
  }
});
