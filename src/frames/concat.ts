/**
 * Concatenation of trace sets (e.g. labelled groups for a comparison).
 *
 * @module
 */
import pl, { type DataType } from "./polars.ts";
import { lazyFrame, pendingMaker } from "./lazy.ts";
import {
  CALL_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  type TraceSet,
} from "./columns.ts";

/**
 * `pl.concat` of many frames, 32 at a time then those results: one concat of
 * 1,000 small frames took 1.5–2 s, in 32s 0.15–0.6 s (a folder of 1,000 cached files).
 */
function concatMany(frames: pl.DataFrame[]): pl.DataFrame {
  while (frames.length > 1) {
    const next: pl.DataFrame[] = [];
    for (let i = 0; i < frames.length; i += 32) {
      const group = frames.slice(i, i + 32);
      next.push(group.length === 1 ? group[0]! : pl.concat(group, { how: "vertical" }));
    }
    frames = next;
  }
  return frames[0]!;
}

/** Stack frames that may differ in extra Utf8 columns: missing columns become null. */
function stack(frames: pl.DataFrame[], base: Record<string, DataType>): pl.DataFrame {
  if (frames.length === 0) return emptyFrame(base);
  // the same columns everywhere (the common case): no schema to read (slow, per frame), no select
  const first = frames[0]!.columns;
  const same = frames.every((f) => {
    const c = f.columns;
    return c.length === first.length && c.every((n, i) => n === first[i]);
  });
  if (same) return concatMany(frames);
  const names: string[] = [];
  const dtypes = new Map<string, DataType>();
  for (const f of frames) {
    for (const [name, dtype] of Object.entries(f.schema)) {
      if (!dtypes.has(name)) {
        names.push(name);
        dtypes.set(name, dtype as DataType);
      }
    }
  }
  const aligned = frames.map((f) => {
    const has = new Set(f.columns); // read once: each read crosses into Polars
    return f.select(
      ...names.map((n) => has.has(n) ? pl.col(n) : pl.lit(null).cast(dtypes.get(n)!).alias(n)),
    );
  });
  return concatMany(aligned);
}

/**
 * Concatenate trace sets: rows of each frame one after the other; `sessions`
 * keeps the union of the metadata columns (null where a set has none). When a
 * set's `events` is not yet made (a load from the cache makes it on first
 * read), the result's `events` is stacked on its own first read.
 *
 * @example
 * ```ts
 * import { concatTraceSets } from "./concat.ts";
 * const all = concatTraceSets([]);
 * if (all.calls.height !== 0) throw new Error("expected empty");
 * ```
 */
export function concatTraceSets(sets: TraceSet[]): TraceSet {
  // a set's events not yet made (a cached load's) are stacked when the result's are first read,
  // never for a result that does not read them (`compare`: 2 runs of 200,000 calls decoded
  // and copied twice for nothing); the closure holds the makers and frames, not the sets
  const events = sets.map((s) => pendingMaker<pl.DataFrame>(s, "events") ?? s.events);
  const stackEvents = () =>
    stack(events.map((e) => typeof e === "function" ? e() : e), EVENT_COLUMNS);
  const lazy = events.some((e) => typeof e === "function");
  const out: TraceSet = {
    calls: stack(sets.map((s) => s.calls), CALL_COLUMNS),
    sessions: stack(sets.map((s) => s.sessions), SESSION_COLUMNS),
    events: lazy ? undefined as unknown as pl.DataFrame : stackEvents(),
    diagnostics: stack(sets.map((s) => s.diagnostics), DIAGNOSTIC_COLUMNS),
    files: sets.flatMap((s) => s.files),
    inputs: sets.flatMap((s) => s.inputs),
    formats: Object.assign({}, ...sets.map((s) => s.formats ?? {})),
  };
  // (the key keeps its place: a lazy property is defined over it)
  return lazy ? lazyFrame(out, "events", stackEvents) : out;
}
