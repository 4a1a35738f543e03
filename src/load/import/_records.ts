/**
 * What the importers produce (calls, events, diagnostics of foreign files) and
 * its assembly into the four frames of the contract, with sessions derived
 * from the events.
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
} from "../../frames/columns.ts";
import type { Diagnostic } from "../_event.ts";
import { frameFromRows } from "../_assemble.ts";

/** One model call of a foreign file, with the columns of `calls` (timestamps in µs). */
export interface ImportedCall {
  session_id: string;
  request_id: string | null;
  model: string;
  provider: string | null;
  started_at: number | null;
  ended_at: number | null;
  duration_s: number | null;
  status: "ok" | "error";
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  reasoning_tokens: number | null;
  ttft_s: number | null;
  prompt_chars: number | null;
  output_chars: number | null;
  file: string;
  line: number;
  finish_reason: string | null;
  cache_write_tokens: number | null;
  request_model: string;
  messages?: string | null;
  output?: string | null;
}

/** One event of a foreign file (an OTLP span, a Batch output line). */
export interface ImportedEvent {
  file: string;
  line: number;
  type: string;
  /** Start, µs since the epoch (null when the format gives no time). */
  ts: number | null;
  /** End, µs since the epoch, for the session's `ended_at` (null: same as `ts`). */
  end: number | null;
  session_id: string;
  request_id: string | null;
  payload: string | null;
  /** Session metadata this event carries (e.g. the OTLP resource's `service.name`). */
  metadata?: Record<string, string>;
}

/** Everything read from foreign files. */
export interface ImportedRecords {
  calls: ImportedCall[];
  events: ImportedEvent[];
  diagnostics: Diagnostic[];
}

/** Options of the frame assembly. */
export interface ImportFrameOptions {
  /** Label of the `group` column. @default {null} */
  group?: string | null;
  /** Add `messages` and `output` columns to `calls`. @default {false} */
  keepText?: boolean;
}

/** The four frames (before prices). */
export interface ImportedFrames {
  calls: pl.DataFrame;
  sessions: pl.DataFrame;
  events: pl.DataFrame;
  diagnostics: pl.DataFrame;
}

const byFileLine = (a: { file: string; line: number }, b: { file: string; line: number }) =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;

/**
 * Sessions of imported records: one per `session_id` (an OTLP trace, a Batch
 * file), from the earliest event start to the latest event end; always
 * complete (these formats only hold finished work).
 */
function sessionRows(
  records: ImportedRecords,
): { rows: Record<string, unknown>[]; columns: Record<string, pl.DataType> } {
  interface S {
    session_id: string;
    file: string;
    min: number | null;
    max: number | null;
    calls: number;
    errors: number;
    meta: Record<string, string>;
  }
  const sessions = new Map<string, S>();
  const metaNames = new Set<string>();
  for (const e of records.events) {
    let s = sessions.get(e.session_id);
    if (!s) {
      s = {
        session_id: e.session_id,
        file: e.file,
        min: null,
        max: null,
        calls: 0,
        errors: 0,
        meta: {},
      };
      sessions.set(e.session_id, s);
    }
    const end = e.end ?? e.ts;
    if (e.ts !== null && (s.min === null || e.ts < s.min)) s.min = e.ts;
    if (end !== null && (s.max === null || end > s.max)) s.max = end;
    for (const [key, value] of Object.entries(e.metadata ?? {})) {
      metaNames.add(key);
      s.meta[key] ??= value;
    }
  }
  for (const c of records.calls) {
    const s = sessions.get(c.session_id);
    if (!s) continue;
    s.calls++;
    if (c.status === "error") s.errors++;
  }
  const columns: Record<string, pl.DataType> = { ...SESSION_COLUMNS };
  for (const name of metaNames) if (!(name in SESSION_COLUMNS)) columns[name] = pl.Utf8;
  const rows = [...sessions.values()].map((s) => ({
    ...s.meta,
    session_id: s.session_id,
    file: s.file,
    started_at: s.min,
    ended_at: s.max,
    duration_s: s.min !== null && s.max !== null ? (s.max - s.min) / 1e6 : null,
    complete: true,
    calls: s.calls,
    errors: s.errors,
  }));
  return { rows, columns };
}

/** Assemble imported records into the frames of the contract (`src/frames/columns.ts`). */
export function assembleImportedFrames(
  records: ImportedRecords,
  options: ImportFrameOptions = {},
): ImportedFrames {
  const group = options.group ?? null;
  const callColumns: Record<string, pl.DataType> = { ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS };
  if (options.keepText) Object.assign(callColumns, { messages: pl.Utf8, output: pl.Utf8 });
  const calls = [...records.calls].sort(byFileLine).map((c) => ({
    ...c,
    cost_usd: null,
    group,
    orphan: false,
    retry_of: null,
  }));
  const events = [...records.events].sort(byFileLine).map((e) => ({
    file: e.file,
    line: e.line,
    type: e.type,
    timestamp: e.ts,
    session_id: e.session_id,
    request_id: e.request_id,
    payload: e.payload,
  }));
  const sessions = sessionRows({ ...records, events: [...records.events].sort(byFileLine) });
  return {
    calls: frameFromRows(calls as unknown as Record<string, unknown>[], callColumns),
    sessions: frameFromRows(sessions.rows, sessions.columns),
    events: frameFromRows(events, EVENT_COLUMNS),
    diagnostics: frameFromRows(
      [...records.diagnostics].sort(byFileLine) as unknown as Record<string, unknown>[],
      DIAGNOSTIC_COLUMNS,
    ),
  };
}
