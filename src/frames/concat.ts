/**
 * Concatenation of trace sets (e.g. labelled groups for a comparison).
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import {
  CALL_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  type TraceSet,
} from "./columns.ts";

/** Stack frames that may differ in extra Utf8 columns: missing columns become null. */
function stack(frames: pl.DataFrame[], base: Record<string, pl.DataType>): pl.DataFrame {
  if (frames.length === 0) return emptyFrame(base);
  const names: string[] = [];
  const dtypes = new Map<string, pl.DataType>();
  for (const f of frames) {
    for (const [name, dtype] of Object.entries(f.schema)) {
      if (!dtypes.has(name)) {
        names.push(name);
        dtypes.set(name, dtype as pl.DataType);
      }
    }
  }
  const aligned = frames.map((f) =>
    f.select(
      ...names.map((n) =>
        f.columns.includes(n) ? pl.col(n) : pl.lit(null).cast(dtypes.get(n)!).alias(n)
      ),
    )
  );
  return aligned.length === 1 ? aligned[0]! : pl.concat(aligned, { how: "vertical" });
}

/**
 * Concatenate trace sets: rows of each frame one after the other; `sessions`
 * keeps the union of the metadata columns (null where a set has none).
 *
 * @example
 * ```ts
 * import { concatTraceSets } from "./concat.ts";
 * const all = concatTraceSets([]);
 * if (all.calls.height !== 0) throw new Error("expected empty");
 * ```
 */
export function concatTraceSets(sets: TraceSet[]): TraceSet {
  return {
    calls: stack(sets.map((s) => s.calls), CALL_COLUMNS),
    sessions: stack(sets.map((s) => s.sessions), SESSION_COLUMNS),
    events: stack(sets.map((s) => s.events), EVENT_COLUMNS),
    diagnostics: stack(sets.map((s) => s.diagnostics), DIAGNOSTIC_COLUMNS),
    files: sets.flatMap((s) => s.files),
    inputs: sets.flatMap((s) => s.inputs),
    formats: Object.assign({}, ...sets.map((s) => s.formats ?? {})),
  };
}
