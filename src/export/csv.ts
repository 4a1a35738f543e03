/**
 * CSV export: one file per frame, `DIR/calls.csv`, `DIR/sessions.csv`,
 * `DIR/events.csv`, `DIR/diagnostics.csv`, with a header row. Every column of
 * the frames is written; datetimes as ISO 8601 with the UTC offset, nulls as
 * empty fields, nested values (if a frame ever has any) as JSON text.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TraceSet } from "../frames/columns.ts";
import { fileReady, FRAME_NAMES } from "./_frames.ts";

/**
 * Write one CSV file per frame into `dir`; returns the files written.
 *
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { join } from "node:path";
 * import { tmpdir } from "node:os";
 * import { fromTraceText } from "../load/mod.ts";
 * import { writeCsvFiles } from "./csv.ts";
 * const traces = fromTraceText(
 *   '{"type":"llm_request","timestamp":"2025-04-08T09:00:00Z","session_id":"s","data":{"request_id":"r","model":"m"}}\n',
 * );
 * const dir = mkdtempSync(join(tmpdir(), "tracebook-csv-"));
 * const [calls] = writeCsvFiles(traces, dir);
 * const lines = readFileSync(calls!, "utf8").trim().split("\n");
 * if (lines.length !== 2 || !lines[0]!.startsWith("session_id,request_id,model")) throw new Error(lines[0]);
 * rmSync(dir, { recursive: true });
 * ```
 */
export function writeCsvFiles(traces: TraceSet, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return FRAME_NAMES.map((frame) => {
    const path = join(dir, `${frame}.csv`);
    fileReady(traces[frame], { flat: true }).writeCSV(path);
    return path;
  });
}
