/**
 * What format adapters produce (calls, events, sessions and diagnostics of one
 * file) and its assembly into the four frames of the contract.
 *
 * @module
 */
import pl, { type DataType } from "../../frames/polars.ts";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
} from "../../frames/columns.ts";
import type { Diagnostic } from "../_event.ts";
import { frameFromItems, frameFromRows } from "../_build_frame.ts";
import { sessionDuration } from "../_sessions.ts";
import { inDateRange } from "./_util.ts";

/** One model call of a file, with the columns of `calls` (timestamps in µs since the epoch). */
export interface ImportedCall {
  session_id: string;
  request_id: string | null;
  /** The model the request asked for; else the one the response names; else `"unknown"`. */
  model: string;
  /** The model the response names (null when none does). */
  served_model: string | null;
  provider: string | null;
  started_at: number | null;
  ended_at: number | null;
  duration_s: number | null;
  status: "ok" | "error" | "pending";
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
  /** Of the cache writes, those to a 1-hour cache (Anthropic's extended lifetime). */
  cache_write_1h_tokens?: number | null;
  /** Server-side web searches the model ran (Anthropic's `server_tool_use.web_search_requests`). */
  web_search_requests?: number | null;
  /** Span tree ids, where the format has one. */
  trace_id?: string | null;
  span_id?: string | null;
  parent_span_id?: string | null;
  /** Priced at the provider's batch rate (batch results). */
  batch?: boolean;
  messages?: string | null;
  output?: string | null;
  /** The request's parameters as JSON, when the format records them (with keepText). */
  params?: string | null;
}

/** One event of a file (a span, a batch line, a log record). */
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

/** What an adapter knows of a session beyond its events (all optional). */
export interface ImportedSession {
  session_id: string;
  /** False for a session that never finished (no end record, a pending call). @default {true} */
  complete?: boolean;
  started_at?: number | null;
  ended_at?: number | null;
  metadata?: Record<string, string>;
}

/** Everything read from one or more files. */
export interface ImportedRecords {
  calls: ImportedCall[];
  events: ImportedEvent[];
  diagnostics: Diagnostic[];
  sessions?: ImportedSession[];
}

/** Options of the frame assembly. */
export interface ImportFrameOptions {
  /** Label of the `group` column. @default {null} */
  group?: string | null;
  /** Add `messages` and `output` columns to `calls`. @default {false} */
  keepText?: boolean;
  /**
   * The records are the caller's to give up: their events are dropped once the
   * events' frame is built, and this is called (to collect them) before the
   * calls' frame is built.
   */
  consume?: () => void;
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
 * Sessions of records: one per `session_id`, from the earliest event or call
 * start to the latest end; complete unless an adapter says otherwise or a
 * call is still pending. Its duration is that span, and null when no span of
 * time is known: one instant, the time of a single timed event (and of the
 * calls of its line), with no record that ends after it starts (see
 * `sessionDuration` in `../_sessions.ts`).
 */
function sessionRows(
  records: ImportedRecords,
): { rows: Record<string, unknown>[]; columns: Record<string, DataType> } {
  interface S {
    session_id: string;
    file: string;
    min: number | null;
    max: number | null;
    calls: number;
    errors: number;
    pending: number;
    meta: Record<string, string>;
    /** Events with a time, and whether a record gave an end of its own (a span). */
    timed: number;
    spanned: boolean;
  }
  const sessions = new Map<string, S>();
  const metaNames = new Set<string>();
  const get = (id: string, file: string) => {
    let s = sessions.get(id);
    if (!s) {
      s = {
        session_id: id,
        file,
        min: null,
        max: null,
        calls: 0,
        errors: 0,
        pending: 0,
        meta: {},
        timed: 0,
        spanned: false,
      };
      sessions.set(id, s);
    }
    return s;
  };
  const span = (s: S, start: number | null, end: number | null) => {
    if (start !== null && (s.min === null || start < s.min)) s.min = start;
    if (end !== null && (s.max === null || end > s.max)) s.max = end;
  };
  /** A record's start, and its own end (null: none, the start stands for it). */
  const record = (s: S, start: number | null, end: number | null) => {
    span(s, start, end ?? start);
    if (start !== null && end !== null) s.spanned = true;
  };
  const addMeta = (s: S, meta: Record<string, string> | undefined) => {
    for (const [key, value] of Object.entries(meta ?? {})) {
      metaNames.add(key);
      s.meta[key] ??= value;
    }
  };
  for (const e of records.events) {
    const s = get(e.session_id, e.file);
    record(s, e.ts, e.end);
    if (e.ts !== null) s.timed++;
    addMeta(s, e.metadata);
  }
  for (const c of records.calls) {
    const s = get(c.session_id, c.file);
    record(s, c.started_at, c.ended_at);
    s.calls++;
    if (c.status === "error") s.errors++;
    if (c.status === "pending") s.pending++;
  }
  const told = new Map((records.sessions ?? []).map((s) => [s.session_id, s]));
  // every file's word on a session read from several (a Claude Code session's stream-json output
  // and its transcript): the metadata of each, not only the last's
  for (const t of records.sessions ?? []) {
    const s = sessions.get(t.session_id);
    if (!s) continue;
    if (t.started_at != null) s.min = t.started_at;
    if (t.ended_at != null) s.max = t.ended_at;
    if (t.started_at != null && t.ended_at != null) s.spanned = true;
    addMeta(s, t.metadata);
  }
  const columns: Record<string, DataType> = { ...SESSION_COLUMNS };
  for (const name of metaNames) if (!(name in SESSION_COLUMNS)) columns[name] = pl.Utf8;
  const rows = [...sessions.values()].map((s) => ({
    ...s.meta,
    session_id: s.session_id,
    file: s.file,
    started_at: s.min,
    ended_at: s.max,
    duration_s: sessionDuration(s.min, s.max, s.timed > 1 || s.spanned),
    complete: told.get(s.session_id)?.complete ?? s.pending === 0,
    calls: s.calls,
    errors: s.errors,
  }));
  return { rows, columns };
}

/**
 * Times no date can hold (an adapter's arithmetic on a time of 1e20, a start
 * plus an absurd duration) become null, with one warning per file counting
 * them: the frames never hold a time a Date cannot show.
 */
function dropImpossibleTimes(records: ImportedRecords): void {
  const bad = new Map<string, Set<number>>();
  const check = (file: string, line: number, us: number | null | undefined): boolean => {
    if (us === null || us === undefined || inDateRange(us)) return false;
    let lines = bad.get(file);
    if (!lines) bad.set(file, lines = new Set());
    lines.add(line);
    return true;
  };
  for (const c of records.calls) {
    const start = check(c.file, c.line, c.started_at), end = check(c.file, c.line, c.ended_at);
    if (start) c.started_at = null;
    if (end) c.ended_at = null;
    if (
      (start || end) &&
      !(c.duration_s !== null && Number.isFinite(c.duration_s) && Math.abs(c.duration_s) < 1e9)
    ) {
      c.duration_s = null;
    }
  }
  for (const e of records.events) {
    if (check(e.file, e.line, e.ts)) e.ts = null;
    if (check(e.file, e.line, e.end)) e.end = null;
  }
  for (const [file, lines] of bad) {
    let first = Infinity, last = -Infinity;
    for (const l of lines) [first, last] = [Math.min(first, l), Math.max(last, l)];
    const n = lines.size;
    records.diagnostics.push({
      file,
      line: first,
      code: "time_out_of_range",
      message: n === 1
        ? "a time is out of the range of a date (years 0001 to 9999); read as no time"
        : `${n} records hold a time out of the range of a date (years 0001 to 9999; lines ${first} to ${last}); read as no time`,
      severity: "warning",
    });
  }
}

/** Assemble records into the frames of the contract (`src/frames/columns.ts`). */
export function assembleImportedFrames(
  records: ImportedRecords,
  options: ImportFrameOptions = {},
): ImportedFrames {
  dropImpossibleTimes(records);
  const group = options.group ?? null;
  const callColumns: Record<string, DataType> = { ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS };
  if (options.keepText) {
    Object.assign(callColumns, { messages: pl.Utf8, output: pl.Utf8, params: pl.Utf8 });
  }
  const sortedEvents = [...records.events].sort(byFileLine);
  const sessions = sessionRows({ ...records, events: sortedEvents });
  // the events first: their payloads are most of the records, and once their frame is built the
  // caller's records may let them go before the calls' frame is built (`consume`)
  const events = frameFromItems(sortedEvents, EVENT_COLUMNS, {
    file: (e) => e.file ?? null,
    line: (e) => e.line ?? null,
    type: (e) => e.type ?? null,
    timestamp: (e) => e.ts ?? null,
    session_id: (e) => e.session_id ?? null,
    request_id: (e) => e.request_id ?? null,
    payload: (e) => e.payload ?? null,
  });
  sortedEvents.length = 0;
  if (options.consume) {
    records.events.length = 0;
    options.consume();
  }
  const extra: Record<string, (c: ImportedCall) => unknown> = {
    trace_id: (c) => c.trace_id ?? null,
    span_id: (c) => c.span_id ?? null,
    parent_span_id: (c) => c.parent_span_id ?? null,
    batch: (c) => c.batch ?? false,
    cost_usd: () => null,
    group: () => group,
    orphan: () => false,
    retry_of: () => null,
    params: (c) => c.params ?? null,
  };
  const calls = frameFromItems(
    [...records.calls].sort(byFileLine),
    callColumns,
    Object.fromEntries(
      Object.keys(callColumns).map((name) => [
        name,
        extra[name] ??
          ((c: ImportedCall) => (c as unknown as Record<string, unknown>)[name] ?? null),
      ]),
    ),
  );
  return {
    calls,
    sessions: frameFromRows(sessions.rows, sessions.columns),
    events,
    diagnostics: frameFromRows(
      [...records.diagnostics].sort(byFileLine).map((d) => ({
        ...d,
        count: d.count ?? 1,
      })) as unknown as Record<
        string,
        unknown
      >[],
      DIAGNOSTIC_COLUMNS,
    ),
  };
}

/**
 * Whether a parse with these options keeps `call`'s texts: with `keepText`,
 * for the calls `textsOf` names (every call without it).
 *
 * @example
 * ```ts
 * import { keepsTexts } from "./_records.ts";
 * const call = { request_id: "a" } as Parameters<typeof keepsTexts>[1];
 * if (keepsTexts({}, call) || !keepsTexts({ keepText: true }, call)) throw new Error();
 * if (keepsTexts({ keepText: true, textsOf: (c) => c.request_id === "b" }, call)) throw new Error();
 * ```
 */
export function keepsTexts(
  options: { keepText?: boolean; textsOf?: (call: ImportedCall) => boolean },
  call: ImportedCall,
): boolean {
  return (options.keepText ?? false) && (options.textsOf?.(call) ?? true);
}
