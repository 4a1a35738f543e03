/**
 * records(): the rows of a frame as plain objects, converted a column at a time,
 * with the values toRecords() gives.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { records } from "../../src/frames/records.ts";

Deno.test("records: strings, integers, floats, booleans, datetimes and nulls, keys in column order", () => {
  const frame = pl.DataFrame({
    model: ["gpt-4o", null],
    duration_s: [1.5, null],
    ok: [true, null],
    started_at: [new Date("2025-04-08T10:00:00Z"), null],
  }).withColumns(pl.Series("line", [7, 8], pl.Int64));
  const rows = records(frame);
  assert.equal(rows.length, 2);
  assert.deepEqual(Object.keys(rows[0]!), ["model", "duration_s", "ok", "started_at", "line"]);
  assert.deepEqual(rows[0], {
    model: "gpt-4o",
    duration_s: 1.5,
    ok: true,
    started_at: new Date("2025-04-08T10:00:00Z"),
    line: 7,
  });
  assert.deepEqual(rows[1], { model: null, duration_s: null, ok: null, started_at: null, line: 8 });
  assert.deepEqual(rows, frame.toRecords());
});

Deno.test("records: a frame with a list column converts as toRecords() does; no rows give []", () => {
  const frame = pl.DataFrame({ model: ["a", "b"], served: [["a-1", "a-2"], []] });
  assert.deepEqual(records(frame), [
    { model: "a", served: ["a-1", "a-2"] },
    { model: "b", served: [] },
  ]);
  assert.deepEqual(records(frame.head(0)), []);
});
