/** src/load/_build_frame.ts: frames with exactly the contract's columns, from JS values. */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { frameFromItems, frameFromRows } from "../../src/load/_build_frame.ts";
import { tableEqual } from "../_table.ts";

const COLUMNS = {
  model: pl.Utf8,
  calls: pl.Int64,
  mean_s: pl.Float64,
  ok: pl.Bool,
  at: pl.Datetime("us", "UTC"),
};

const dtypes = (df: pl.DataFrame) => df.columns.map((c) => String(df.getColumn(c).dtype));

Deno.test("frameFromRows() keeps the columns' order and dtypes and fills a missing field with null", () => {
  const df = frameFromRows(
    [
      { calls: 2, model: "a", mean_s: 1.5, ok: true, at: 1_000_000, extra: "dropped" },
      { model: "b", calls: null, ok: false }, // mean_s and at missing
    ],
    COLUMNS,
  );
  tableEqual(df, {
    model: ["a", "b"],
    calls: [2, null],
    mean_s: [1.5, null],
    ok: [true, false],
    at: [new Date("1970-01-01T00:00:01.000Z"), null], // 1,000,000 µs
  });
  assert.deepEqual(dtypes(df), [
    "DataType(String)",
    "DataType(Int64)",
    "DataType(Float64)",
    "DataType(Bool)",
    "DataType(Datetime(us,UTC))",
  ]);
});

Deno.test("frameFromItems() converts many repeated strings, numbers, booleans and nulls", () => {
  const n = 5000; // above the 4,096 values sampled before choosing a dictionary
  const df = frameFromItems(
    Array.from({ length: n }, (_, i) => i),
    COLUMNS,
    {
      model: (i) => (i % 3 === 0 ? null : `m${i % 2}`),
      calls: (i) => i,
      mean_s: (i) => (i === 7 ? null : i / 4),
      ok: (i) => i % 2 === 0,
      at: () => null,
    },
  );
  assert.equal(df.height, n);
  // i = 0..5: null, m1, m0, null, m0, m1
  assert.deepEqual(df.getColumn("model").head(6).toArray(), [null, "m1", "m0", null, "m0", "m1"]);
  assert.equal(df.getColumn("model").nullCount(), Math.ceil(n / 3)); // i ≡ 0 (mod 3): 1667
  assert.equal(df.getColumn("calls").sum(), (n * (n - 1)) / 2); // 0 + … + 4999 = 12,497,500
  assert.deepEqual(df.getColumn("mean_s").slice(6, 3).toArray(), [1.5, null, 2]);
  assert.equal(df.getColumn("at").nullCount(), n);
});

Deno.test("frameFromItems() gathers a column of numbers that meets another value as values", () => {
  // -0 is not a plain number for the Float64Array path (its sign would be kept, but the
  // contract's other paths leave it to the Series constructor): the column is gathered again
  const rows = [{ calls: 1 }, { calls: 2 }];
  const df = frameFromItems(rows, { calls: pl.Int64, twice: pl.Float64 }, {
    calls: (r) => r.calls,
    twice: (r) => (r.calls === 2 ? -0 : r.calls * 2),
  });
  assert.deepEqual(df.getColumn("calls").toArray().map(Number), [1, 2]);
  assert.ok(Object.is(df.getColumn("twice").get(1), -0));
  assert.equal(df.getColumn("twice").get(0), 2);
});
