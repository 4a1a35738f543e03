/**
 * `records`: the rows of a frame as plain objects, the values of
 * `DataFrame.toRecords()`, converted a column at a time.
 *
 * @module
 */
import type pl from "npm:nodejs-polars@0.25.2";

/** Nested types: converted by `toRecords()` itself. */
const NESTED = new Set(["List", "FixedSizeList", "Array", "Struct", "Object"]);

/**
 * The rows of `frame` as plain objects, one key per column in the frame's order:
 * the same values as `frame.toRecords()` (a datetime is a `Date`, a null is
 * `null`), about three times faster, since each column converts in one call
 * (`toRecords()` converts value by value: 45 ms for 5,000 rows of 31 columns,
 * this 15 ms). A frame with a nested column (a list, a struct) is converted by
 * `toRecords()`.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { records } from "./records.ts";
 * const frame = pl.DataFrame({ model: ["a", null], tokens: [3, 4] });
 * const rows = records(frame);
 * if (JSON.stringify(rows) !== '[{"model":"a","tokens":3},{"model":null,"tokens":4}]') {
 *   throw new Error(JSON.stringify(rows));
 * }
 * ```
 */
export function records(frame: pl.DataFrame): Record<string, unknown>[] {
  const series = frame.getColumns();
  if (series.some((s) => NESTED.has(s.dtype.variant))) {
    return frame.toRecords() as Record<string, unknown>[];
  }
  const names = frame.columns;
  const values = series.map((s) => s.toArray() as unknown[]);
  // Read once: `height` is a call into Polars (5,000 rows of 3 columns: 4.5 → 1.2 ms).
  const height = frame.height;
  const out = new Array<Record<string, unknown>>(height);
  for (let r = 0; r < height; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = values[c]![r];
    out[r] = row;
  }
  return out;
}
