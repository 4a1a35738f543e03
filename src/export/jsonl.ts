/**
 * JSON Lines export: one file per frame, `DIR/calls.jsonl`, … , one JSON object
 * per row with every column of the frame (nulls as `null`, datetimes as ISO
 * 8601 strings with the UTC offset).
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TraceSet } from "../frames/columns.ts";
import { fileReady, FRAME_NAMES } from "./_frames.ts";

/**
 * Write one JSON Lines file per frame into `dir`; returns the files written.
 *
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { join } from "node:path";
 * import { tmpdir } from "node:os";
 * import { fromTraceText } from "../load/mod.ts";
 * import { writeJsonlFiles } from "./jsonl.ts";
 * const traces = fromTraceText(
 *   '{"type":"llm_request","timestamp":"2025-04-08T09:00:00Z","session_id":"s","data":{"request_id":"r","model":"m"}}\n',
 * );
 * const dir = mkdtempSync(join(tmpdir(), "tracebook-jsonl-"));
 * const [calls] = writeJsonlFiles(traces, dir);
 * const row = JSON.parse(readFileSync(calls!, "utf8").trim());
 * if (row.model !== "m" || row.status !== "pending") throw new Error(JSON.stringify(row));
 * rmSync(dir, { recursive: true });
 * ```
 */
export function writeJsonlFiles(traces: TraceSet, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return FRAME_NAMES.map((frame) => {
    const path = join(dir, `${frame}.jsonl`);
    fileReady(traces[frame]).writeJSON(path, { format: "lines" });
    return path;
  });
}
