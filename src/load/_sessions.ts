/**
 * Sessions: one row per session (start, end, calls, completeness) plus one
 * Utf8 column per session-metadata field.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import { SESSION_COLUMNS } from "../frames/columns.ts";
import type { Columns, Row } from "./_build_frame.ts";
import { CODED_WIDTH, DURATION, type EventTable, SESSION, TYPE } from "./_event_columns.ts";
import type { Pairs } from "./_pair.ts";

/** Metadata values as text: strings as they are, anything else as JSON. */
function metadataText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The column of a session-metadata field (prefixed when it would clash with a column of the contract). */
export function metadataColumn(key: string): string {
  return key in SESSION_COLUMNS || key === "" ? `metadata_${key}` : key;
}

/**
 * A session's duration in seconds from its start and end (µs): null when either is unknown, or
 * when they are one instant that no two records measured (`measured` false: the time of a single
 * record, its start standing for its end), which says nothing of how long the session lasted; a
 * span of 0 two records give (a start and an end written at the same instant) is 0.
 *
 * @example
 * ```ts
 * import { sessionDuration } from "./_sessions.ts";
 * if (sessionDuration(1_000_000, 3_500_000, true) !== 2.5) throw new Error();
 * if (sessionDuration(1_000_000, 1_000_000, false) !== null) throw new Error();
 * if (sessionDuration(1_000_000, 1_000_000, true) !== 0) throw new Error();
 * ```
 */
export function sessionDuration(
  start: number | null,
  end: number | null,
  measured: boolean,
): number | null {
  if (start === null || end === null || (end === start && !measured)) return null;
  return (end - start) / 1e6;
}

/**
 * One row per session, plus one Utf8 column per session-metadata field. A session starts at its
 * `session_start`, else at its first event or the start of a call whose request is not in the file
 * (its response's time less its duration); it ends at its `session_end`, else at its last event.
 * Its duration is `session_end`'s `duration_seconds`, else the time between, null for the single
 * time of a session of one event.
 */
export function sessionRows(
  t: EventTable,
  calls: Pairs,
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
    /** Its events (each at one time). */
    events: number;
  }
  // by the session's code in the table
  const sessions = new Map<number, S>();
  const metaNames = new Map<string, string>();
  const START = t.code("session_start"), END = t.code("session_end");
  const METADATA = t.code("session_metadata"), ERROR = t.code("llm_error");
  // events mostly come session after session: the last one's row is looked up once
  let last: S | undefined;
  let lastCode = -1;
  for (let i = 0; i < t.n; i++) {
    const code = t.codes[i * CODED_WIDTH + SESSION]!;
    let s = code === lastCode ? last : sessions.get(code);
    const ts = t.ts[i]!;
    if (!s) {
      s = {
        session_id: t.str(i, SESSION)!,
        file: t.file(i),
        start: null,
        end: null,
        endDuration: null,
        min: ts,
        max: ts,
        complete: false,
        calls: 0,
        errors: 0,
        meta: {},
        events: 0,
      };
      sessions.set(code, s);
    }
    last = s;
    lastCode = code;
    s.events++;
    if (ts < s.min) s.min = ts;
    if (ts > s.max) s.max = ts;
    const type = t.codes[i * CODED_WIDTH + TYPE]!;
    if (type === START && s.start === null) s.start = ts;
    if (type === END) {
      s.complete = true;
      s.end = ts;
      s.endDuration = t.num(i, DURATION);
    }
    const metadata = type === METADATA ? t.metadata.get(i) : undefined;
    if (metadata) {
      for (const [key, value] of Object.entries(metadata)) {
        let name = metaNames.get(key);
        if (!name) {
          name = metadataColumn(key);
          metaNames.set(key, name);
        }
        s.meta[name] = metadataText(value);
      }
    }
  }
  for (let k = 0; k < calls.request.length; k++) {
    const r = calls.request[k]!, o = calls.outcome[k]!;
    const s = sessions.get(t.codes[(r >= 0 ? r : o) * CODED_WIDTH + SESSION]!);
    if (!s) continue;
    s.calls++;
    if (o >= 0 && t.codes[o * CODED_WIDTH + TYPE] === ERROR) s.errors++;
    // a response whose request is not in the file started its duration before it (as the calls
    // frame starts it): the session began then at the latest
    const seconds = r < 0 && o >= 0 ? t.num(o, DURATION) : null;
    if (seconds !== null) {
      const start = t.ts[o]! - Math.round(seconds * 1e6);
      if (start < s.min) {
        s.min = start;
        s.events++;
      }
    }
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
      // one event's time, its start and end, is no duration
      duration_s: s.endDuration ?? sessionDuration(started, ended, s.events > 1),
      complete: s.complete,
      calls: s.calls,
      errors: s.errors,
    };
  });
  return { rows, columns };
}
