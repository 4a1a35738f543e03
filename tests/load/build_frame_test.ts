/** src/load/_build_frame.ts: frames with exactly the contract's columns, from JS values. */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  ColumnBatch,
  frameFromItems,
  frameFromRows,
  gatherAt,
} from "../../src/load/_build_frame.ts";
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

Deno.test("ColumnBatch: numbers with nulls, codes, constants and booleans, in the order added, past one select", () => {
  const rows = 5;
  const batch = new ColumnBatch(rows);
  // more columns than one select takes: the order must hold across selects
  for (let c = 0; c < 14; c++) {
    batch.number(`f${c}`, pl.Float64, (k) => (k === c % rows ? null : k + c / 2));
  }
  batch.number("i", pl.Int64, (k) => (k === 2 ? null : 10 * k));
  batch.number("t", pl.Datetime("us", "UTC"), (k) => 1_000_000 * k);
  batch.codes("s", Uint32Array.from([0, 1, 2, 1, 0]), [null, "a", "b"]);
  batch.codes("shared", (k) => (k % 2 === 0 ? 2 : 0), pl.Series("d", [null, "a", "b"], pl.Utf8));
  batch.constant("native", "native");
  batch.constant("none", null);
  batch.bool("b", Uint8Array.from([1, 0, 0, 1, 1]));
  const df = batch.frame();
  assert.deepEqual(df.columns, [
    ...Array.from({ length: 14 }, (_, c) => `f${c}`),
    "i",
    "t",
    "s",
    "shared",
    "native",
    "none",
    "b",
  ]);
  assert.equal(df.height, rows);
  assert.deepEqual(df.getColumn("f0").toArray(), [null, 1, 2, 3, 4]);
  assert.deepEqual(df.getColumn("f13").toArray(), [6.5, 7.5, 8.5, null, 10.5]);
  assert.deepEqual(df.getColumn("i").toArray(), [0, 10, null, 30, 40]);
  assert.equal(df.getColumn("i").dtype.variant, "Int64");
  assert.equal(String(df.getColumn("t").dtype), String(pl.Datetime("us", "UTC")));
  assert.deepEqual(df.getColumn("t").cast(pl.Int64).toArray(), [0, 1e6, 2e6, 3e6, 4e6]);
  assert.deepEqual(df.getColumn("s").toArray(), [null, "a", "b", "a", null]);
  assert.deepEqual(df.getColumn("shared").toArray(), ["b", null, "b", null, "b"]);
  assert.deepEqual(df.getColumn("native").toArray(), Array(rows).fill("native"));
  assert.deepEqual(df.getColumn("none").toArray(), Array(rows).fill(null));
  assert.equal(df.getColumn("none").dtype.variant, "String");
  assert.deepEqual(df.getColumn("b").toArray(), [true, false, false, true, true]);
});

Deno.test("ColumnBatch: a value a number column does not hold as it is, and no rows at all", () => {
  const batch = new ColumnBatch(3);
  // -0 and a fraction in an Int64 column go through the plain Series constructor, as frameFromItems sends them
  batch.number("i", pl.Int64, (k) => [1, 2.5, 3][k]);
  batch.number("z", pl.Float64, (k) => (k === 0 ? -0 : k));
  const df = batch.frame();
  assert.deepEqual(df.getColumn("i").toArray(), [1, 2, 3]);
  assert.ok(Object.is(df.getColumn("z").get(0), -0));
  const empty = new ColumnBatch(0);
  empty.number("n", pl.Int64, () => 1);
  empty.codes("s", new Uint32Array(0), [null]);
  empty.constant("c", "x");
  const none = empty.frame();
  assert.equal(none.height, 0);
  assert.deepEqual(none.dtypes.map((d) => d.variant), ["Int64", "String", "String"]);
});

Deno.test("gatherAt() takes the values at the indexes, in their order, with repeats and nulls", () => {
  const values = pl.Series("v", ["a", null, "c", "d"], pl.Utf8);
  // fewer indexes than values: the padding (zeros) is cut off
  const got = gatherAt(values, Int32Array.of(3, 1, 3));
  assert.equal(got.name, "v");
  assert.deepEqual(got.toArray(), ["d", null, "d"]);
  assert.equal(gatherAt(values, new Int32Array(0)).length, 0);
  // more indexes than values: the same values, the other way
  assert.deepEqual(gatherAt(values, Int32Array.of(0, 0, 2, 2, 3)).toArray(), [
    "a",
    "a",
    "c",
    "c",
    "d",
  ]);
});
