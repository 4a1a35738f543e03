/**
 * A tiny builder of `calls` frames for figure tests: rows as plain objects,
 * every contract column present with its dtype (src/frames/columns.ts).
 * @module
 */
import pl from "nodejs-polars";
import { CALL_COLUMNS, CALL_EXTRA_COLUMNS, DATETIME_UTC } from "../../src/frames/columns.ts";

/** One call; omitted fields take the defaults below, timestamps are ISO strings in UTC. */
export type CallRow = Partial<
  Record<keyof typeof CALL_COLUMNS | keyof typeof CALL_EXTRA_COLUMNS, unknown>
>;

/** A calls frame with every contract and extra column, in contract order. */
export function callsFrame(rows: CallRow[]): pl.DataFrame {
  const columns = { ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS } as Record<string, pl.DataType>;
  const defaults: CallRow = { session_id: "s1", model: "gpt-4o", status: "ok", orphan: false };
  const series = Object.entries(columns).map(([name, dtype]) => {
    const values = rows.map((r, i) => {
      const v = (r as Record<string, unknown>)[name] ??
        (name === "request_id" ? `r${i + 1}` : (defaults as Record<string, unknown>)[name]) ?? null;
      return dtype.equals(DATETIME_UTC) && typeof v === "string" ? new Date(v) : v;
    });
    if (dtype.equals(DATETIME_UTC)) {
      return values.every((v) => v === null)
        ? pl.Series(name, values, pl.Datetime("ms")).cast(DATETIME_UTC)
        : pl.Series(name, values).cast(DATETIME_UTC);
    }
    return pl.Series(name, values, dtype);
  });
  return pl.DataFrame(series);
}

/** An ISO time `s` seconds after 2025-04-08T12:00:00Z. */
export function at(s: number): string {
  return new Date(Date.UTC(2025, 3, 8, 12, 0, 0) + s * 1000).toISOString();
}
