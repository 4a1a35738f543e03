/**
 * Sessions: one row per session (start, end, calls, completeness) plus one
 * Utf8 column per session-metadata field.
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { SESSION_COLUMNS } from "../frames/columns.ts";
import type { Columns, Row } from "./_build_frame.ts";
import type { EventRecord } from "./_event.ts";
import type { Slot } from "./_pair.ts";

/** Metadata values as text: strings as they are, anything else as JSON. */
function metadataText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The column of a session-metadata field (prefixed when it would clash with a column of the contract). */
export function metadataColumn(key: string): string {
  return key in SESSION_COLUMNS || key === "" ? `metadata_${key}` : key;
}

/** One row per session, plus one Utf8 column per session-metadata field. */
export function sessionRows(
  events: EventRecord[],
  calls: Slot[],
): { rows: Row[]; columns: Columns } {
  interface S {
    session_id: string;
    file: string;
    start: number | null;
    end: number | null;
    endDuration: number | null;
    min: number;
    max: number;
    complete: boolean;
    calls: number;
    errors: number;
    meta: Record<string, string | null>;
  }
  const sessions = new Map<string, S>();
  const metaNames = new Map<string, string>();
  // events mostly come session after session: the last one's row is looked up once
  let last: S | undefined;
  for (const e of events) {
    let s = last !== undefined && last.session_id === e.session_id
      ? last
      : sessions.get(e.session_id);
    if (!s) {
      s = {
        session_id: e.session_id,
        file: e.file,
        start: null,
        end: null,
        endDuration: null,
        min: e.ts,
        max: e.ts,
        complete: false,
        calls: 0,
        errors: 0,
        meta: {},
      };
      sessions.set(e.session_id, s);
    }
    last = s;
    if (e.ts < s.min) s.min = e.ts;
    if (e.ts > s.max) s.max = e.ts;
    if (e.type === "session_start" && s.start === null) s.start = e.ts;
    if (e.type === "session_end") {
      s.complete = true;
      s.end = e.ts;
      s.endDuration = e.duration;
    }
    if (e.type === "session_metadata" && e.metadata) {
      for (const [key, value] of Object.entries(e.metadata)) {
        let name = metaNames.get(key);
        if (!name) {
          name = metadataColumn(key);
          metaNames.set(key, name);
        }
        s.meta[name] = metadataText(value);
      }
    }
  }
  for (const c of calls) {
    const s = sessions.get((c.request ?? c.outcome)!.session_id);
    if (!s) continue;
    s.calls++;
    if (c.outcome?.type === "llm_error") s.errors++;
  }
  const columns: Columns = { ...SESSION_COLUMNS };
  for (const name of metaNames.values()) columns[name] = pl.Utf8;
  const rows = [...sessions.values()].map((s) => {
    const started = s.start ?? s.min;
    const ended = s.end ?? s.max;
    return {
      ...s.meta,
      session_id: s.session_id,
      file: s.file,
      started_at: started,
      ended_at: ended,
      duration_s: s.endDuration ?? (ended - started) / 1e6,
      complete: s.complete,
      calls: s.calls,
      errors: s.errors,
    };
  });
  return { rows, columns };
}
