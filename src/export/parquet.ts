/**
 * Parquet export: a Hive-partitioned dataset that DuckDB, Spark, Trino,
 * ClickHouse and Polars read as it is.
 *
 * ```
 * DIR/calls/date=2025-04-08/part-<run>.parquet   one folder per UTC start date of the calls
 * DIR/calls/date=unknown/part-<run>.parquet      calls with no start time
 * DIR/sessions/part-<run>.parquet
 * DIR/events/part-<run>.parquet
 * DIR/diagnostics/part-<run>.parquet
 * ```
 *
 * Every column of the frames is written, with its type (datetimes as UTC
 * timestamps in microseconds). The partition column `date` is in the folder
 * names only, as Hive partitioning has it. Each run writes files named after
 * the run, so `append` adds a run beside the earlier ones and never rewrites them.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TraceSet } from "../frames/columns.ts";
import { fileReady, FRAME_NAMES, runId } from "./_frames.ts";

/** Options of {@linkcode writeParquetDataset}. */
export interface ParquetExportOptions {
  /**
   * Add this run to the dataset already in the folder. Without it, the four
   * frame folders (and only those) are replaced.
   * @default {false}
   */
  append?: boolean;
  /** The run's name in the file names. @default a UTC time stamp and random digits */
  run?: string;
}

/** The partition value of each call: its UTC start date, `unknown` when it has none. */
export const CALL_DATE = "date";

/** `calls` with the partition column `date` (`YYYY-MM-DD` of `started_at` in UTC, or `unknown`). */
export function withCallDate(calls: pl.DataFrame): pl.DataFrame {
  return calls.withColumns(
    pl.col("started_at").dt.convertTimeZone("UTC").dt.strftime("%Y-%m-%d").fillNull(
      pl.lit("unknown"),
    ).alias(CALL_DATE),
  );
}

/**
 * Write `traces` as a Parquet dataset under `dir`; returns the files written.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { join } from "node:path";
 * import { tmpdir } from "node:os";
 * import { fromTraceText } from "../load/mod.ts";
 * import { writeParquetDataset } from "./parquet.ts";
 * const traces = fromTraceText(
 *   '{"type":"llm_request","timestamp":"2025-04-08T09:00:00Z","session_id":"s","data":{"request_id":"r","model":"m"}}\n',
 * );
 * const dir = mkdtempSync(join(tmpdir(), "tracebook-parquet-"));
 * const files = writeParquetDataset(traces, dir, { run: "example" });
 * if (!files[0]!.endsWith("calls/date=2025-04-08/part-example.parquet")) throw new Error(files[0]);
 * rmSync(dir, { recursive: true });
 * ```
 */
export function writeParquetDataset(
  traces: TraceSet,
  dir: string,
  options: ParquetExportOptions = {},
): string[] {
  const run = options.run ?? runId();
  const name = `part-${run}.parquet`;
  const written: string[] = [];
  if (!options.append) {
    for (const frame of FRAME_NAMES) rmSync(join(dir, frame), { recursive: true, force: true });
  }
  const write = (df: pl.DataFrame, folder: string) => {
    mkdirSync(folder, { recursive: true });
    const path = join(folder, name);
    if (existsSync(path)) {
      throw new Error(`Cannot export: ${path} already exists (run names must be unique).`);
    }
    df.writeParquet(path, { compression: "zstd" });
    written.push(path);
  };
  // calls: one folder per date; a run with no calls still writes the (empty) schema.
  const calls = withCallDate(fileReady(traces.calls));
  const parts = calls.height ? calls.partitionBy(CALL_DATE, true, true) : [calls];
  for (const part of parts) {
    const date = part.height ? String(part.getColumn(CALL_DATE).get(0)) : "unknown";
    write(part.drop(CALL_DATE), join(dir, "calls", `${CALL_DATE}=${date}`));
  }
  for (const frame of FRAME_NAMES.slice(1)) write(fileReady(traces[frame]), join(dir, frame));
  return written;
}
