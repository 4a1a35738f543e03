/**
 * `tableEqual`: compare a whole DataFrame with the table a test expects, written as
 * plain columns (`{ model: ["a", "b"], calls: [2, 1] }`), as Arquero's tests do.
 * Column names and order, row count and every cell are checked; a failure names the
 * columns and the cells that differ, then shows the whole diff.
 *
 * @module
 */
import assert, { AssertionError } from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type pl from "nodejs-polars";

/** The frame as plain columns: `{ name: [cell, …] }`, in the frame's column order. */
export function columnsOf(frame: pl.DataFrame): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of frame.columns) out[name] = [...frame.getColumn(name).toArray()];
  return out;
}

const show = (v: unknown) =>
  v instanceof Date
    ? (Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString())
    : typeof v === "bigint"
    ? `${v}n`
    : JSON.stringify(v);

/** The differences between two column objects, one line each (at most 3 cells per column). */
export function tableDiff(
  actual: Record<string, unknown[]>,
  expected: Record<string, unknown[]>,
): string[] {
  const lines: string[] = [];
  const names = Object.keys(actual);
  const want = Object.keys(expected);
  if (!isDeepStrictEqual(names, want)) {
    lines.push(`columns: expected [${want.join(", ")}], got [${names.join(", ")}]`);
  }
  for (const name of want.filter((n) => n in actual)) {
    const a = actual[name]!;
    const e = expected[name]!;
    if (a.length !== e.length) {
      lines.push(`${name}: expected ${e.length} rows, got ${a.length}`);
      continue;
    }
    const rows = e.flatMap((v, i) => isDeepStrictEqual(a[i], v) ? [] : [i]);
    for (const i of rows.slice(0, 3)) {
      lines.push(`${name}[${i}]: expected ${show(e[i])}, got ${show(a[i])}`);
    }
    if (rows.length > 3) lines.push(`${name}: ${rows.length - 3} more rows differ`);
  }
  return lines;
}

/**
 * Assert that `actual` holds exactly the columns of `expected`, in that order, with
 * those values. Cells compare with `deepStrictEqual` (a `Datetime` cell is a `Date`).
 * Its own tests are in `tests/table_helper_test.ts`.
 */
export function tableEqual(
  actual: pl.DataFrame,
  expected: Record<string, unknown[]>,
  message?: string,
): void {
  const columns = columnsOf(actual);
  const diff = tableDiff(columns, expected);
  if (diff.length === 0) return;
  const head = `${message ? `${message}: ` : ""}tables differ\n  ${diff.join("\n  ")}`;
  try {
    assert.deepStrictEqual(columns, expected);
  } catch (e) {
    if (e instanceof AssertionError) {
      throw new AssertionError({ message: `${head}\n\n${e.message}`, actual: columns, expected });
    }
    throw e;
  }
  throw new AssertionError({ message: head, actual: columns, expected });
}
