/** The `tableEqual` helper the frame assertions use (tests/_table.ts). */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { tableDiff, tableEqual } from "./_table.ts";

const frame = () =>
  pl.DataFrame({ model: ["a", "b", "c"], calls: [2, 1, 4] }).withColumn(
    pl.col("calls").cast(pl.Int64),
  );

Deno.test("tableEqual() passes on the same columns, order and cells", () => {
  tableEqual(frame(), { model: ["a", "b", "c"], calls: [2, 1, 4] });
});

Deno.test("tableEqual() names the cells that differ", () => {
  assert.throws(
    () => tableEqual(frame(), { model: ["a", "b", "c"], calls: [2, 3, 4] }, "by model"),
    {
      name: "AssertionError",
      message: /^by model: tables differ\n {2}calls\[1\]: expected 3, got 1\n/,
    },
  );
});

Deno.test("tableDiff() reports column order, missing rows and at most three cells per column", () => {
  assert.deepEqual(tableDiff({ b: [1], a: [1] }, { a: [1], b: [1] }), [
    "columns: expected [a, b], got [b, a]",
  ]);
  assert.deepEqual(tableDiff({ a: [1, 2] }, { a: [1] }), ["a: expected 1 rows, got 2"]);
  assert.deepEqual(tableDiff({ a: [0, 0, 0, 0, 0] }, { a: [1, 1, 1, 1, 1] }), [
    "a[0]: expected 1, got 0",
    "a[1]: expected 1, got 0",
    "a[2]: expected 1, got 0",
    "a: 2 more rows differ",
  ]);
  assert.deepEqual(tableDiff({ t: [new Date(0)] }, { t: [new Date(1000)] }), [
    "t[0]: expected 1970-01-01T00:00:01.000Z, got 1970-01-01T00:00:00.000Z",
  ]);
});
