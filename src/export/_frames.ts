/**
 * What every export format shares: the frames it writes, in order, prepared for
 * writers that take only flat columns, and a unique name for one export run.
 *
 * @module
 */
import pl, { type DataType } from "../frames/polars.ts";
import type { TraceSet } from "../frames/columns.ts";

/** The frames of a `TraceSet` an export writes, in this order. */
export const FRAME_NAMES = ["calls", "sessions", "events", "diagnostics"] as const;

/** One of {@linkcode FRAME_NAMES}. */
export type FrameName = (typeof FRAME_NAMES)[number];

/** Rows written per frame. */
export type FrameCounts = Record<FrameName, number>;

/** Rows of each frame of `traces`. */
export function frameCounts(traces: TraceSet): FrameCounts {
  return Object.fromEntries(FRAME_NAMES.map((n) => [n, traces[n].height])) as FrameCounts;
}

const isNested = (dtype: DataType) => /^(List|Struct|Array|Object)/.test(dtypeName(dtype));

/** `"Utf8"`, `"Datetime"`, `"List"`, … for a Polars dtype. */
export function dtypeName(dtype: DataType): string {
  const json = JSON.parse(JSON.stringify(dtype)) as { DataType?: unknown } | string;
  const inner = typeof json === "object" && json !== null && "DataType" in json
    ? json.DataType
    : json;
  return typeof inner === "string" ? inner : Object.keys(inner as object)[0] ?? String(inner);
}

/**
 * `df` with every column kept (whatever the frames hold) but typed for files:
 * an all-null `Null` column becomes `Utf8` (Parquet readers differ on the null
 * type), and with `flat`, a nested column (list, struct) becomes its JSON text
 * (CSV has no nested values).
 */
export function fileReady(df: pl.DataFrame, options: { flat?: boolean } = {}): pl.DataFrame {
  const fixes: pl.Series[] = [];
  for (const name of df.columns) {
    const series = df.getColumn(name);
    const kind = dtypeName(series.dtype);
    if (kind === "Null") fixes.push(series.cast(pl.Utf8));
    else if (options.flat && isNested(series.dtype)) {
      const values = series.toArray().map((v) =>
        v === null || v === undefined
          ? null
          : JSON.stringify(v, (_k, x) => typeof x === "bigint" ? x.toString() : x)
      );
      fixes.push(pl.Series(name, values, pl.Utf8));
    }
  }
  return fixes.length ? df.withColumns(...fixes) : df;
}

/**
 * A name for one export run, unique across runs and machines: the UTC time to
 * the second and 8 random hex digits (`20250408T090417Z-1a2b3c4d`).
 */
export function runId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const random = crypto.getRandomValues(new Uint8Array(4));
  return `${stamp}-${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
