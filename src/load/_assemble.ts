/**
 * Events → frames: pairing of requests with their outcome, sessions, and the
 * four DataFrames of the frame contract.
 *
 * @module
 */
import pl from "nodejs-polars";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
} from "../frames/columns.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import { messages } from "./messages.ts";

type Columns = Record<string, pl.DataType>;
type Row = Record<string, unknown>;

/** One model call while being assembled. */
interface CallRow {
  session_id: string;
  request_id: string | null;
  model: string;
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
  cost_usd: number | null;
  prompt_chars: number | null;
  output_chars: number | null;
  file: string;
  line: number;
  group: string | null;
  finish_reason: string | null;
  cache_write_tokens: number | null;
  orphan: boolean;
  retry_of: string | null;
  request_model: string | null;
  messages?: string | null;
  output?: string | null;
}

/** Build a DataFrame with exactly `columns` (in order) from row objects. */
export function frameFromRows(rows: Row[], columns: Columns): pl.DataFrame {
  return pl.DataFrame(
    Object.entries(columns).map(([name, dtype]) => seriesOf(name, rows.map((r) => r[name] ?? null), dtype)),
  );
}

function seriesOf(name: string, values: unknown[], dtype: pl.DataType): pl.Series {
  if (dtype.variant === "Datetime") {
    return pl.Series(name, values as (number | null)[], pl.Int64).cast(dtype);
  }
  return pl.Series(name, values, dtype);
}

const isOutcome = (type: string) => type === "llm_response" || type === "llm_error";

function modelOf(request: EventRecord | undefined, outcome: EventRecord | undefined): string {
  const responseModel = outcome?.model ?? null;
  if (responseModel !== null && responseModel !== "unknown") return responseModel;
  return request?.model ?? responseModel ?? "unknown";
}

function callRow(
  request: EventRecord | undefined,
  outcome: EventRecord | undefined,
  group: string | null,
  keepText: boolean,
): CallRow {
  const anchor = (request ?? outcome)!;
  const ended = outcome?.ts ?? null;
  const duration = outcome ? outcome.duration ?? (request ? (outcome.ts - request.ts) / 1e6 : null) : null;
  const started = request?.ts ?? (ended !== null && duration !== null ? ended - Math.round(duration * 1e6) : null);
  const usage = outcome?.usage ?? null;
  const row: CallRow = {
    session_id: anchor.session_id,
    request_id: anchor.request_id,
    model: modelOf(request, outcome),
    provider: outcome?.provider ?? request?.provider ?? null,
    started_at: started,
    ended_at: ended,
    duration_s: duration,
    status: !outcome ? "pending" : outcome.type === "llm_response" ? "ok" : "error",
    error: outcome?.error ?? null,
    input_tokens: usage?.input_tokens ?? null,
    output_tokens: usage?.output_tokens ?? null,
    total_tokens: usage?.total_tokens ?? null,
    cache_read_tokens: usage?.cache_read_tokens ?? null,
    reasoning_tokens: usage?.reasoning_tokens ?? null,
    ttft_s: outcome?.ttft ?? null,
    cost_usd: null,
    prompt_chars: request?.prompt_chars ?? null,
    output_chars: outcome?.output_chars ?? null,
    file: anchor.file,
    line: anchor.line,
    group,
    finish_reason: outcome?.finish_reason ?? null,
    cache_write_tokens: usage?.cache_write_tokens ?? null,
    orphan: !request,
    retry_of: request?.retry_of ?? outcome?.retry_of ?? null,
    request_model: request ? request.model ?? "unknown" : null,
  };
  if (keepText) {
    row.messages = request?.messages ?? null;
    row.output = outcome?.output ?? null;
  }
  return row;
}

/**
 * Pair requests with their outcome by (`session_id`, `request_id`): each
 * `llm_response`/`llm_error` takes the first request of its key that has no
 * outcome yet, whatever the order of lines. Keeps the invariant the metrics
 * rely on: one call per request, plus one orphan call per outcome without one.
 */
export function pairCalls(
  events: EventRecord[],
  options: { group?: string | null; keepText?: boolean } = {},
): { calls: CallRow[]; warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  const group = options.group ?? null;
  const keepText = options.keepText ?? false;
  const byKey = new Map<string, { request: EventRecord; outcome?: EventRecord }[]>();
  const slots: { request?: EventRecord; outcome?: EventRecord }[] = [];
  for (const e of events) {
    if (e.type !== "llm_request") continue;
    const key = `${e.session_id}\u0000${e.request_id}`;
    const slot = { request: e };
    const list = byKey.get(key);
    if (list) {
      warnings.push({
        file: e.file,
        line: e.line,
        code: "duplicate_request_id",
        message: messages.duplicateRequestId(e.request_id ?? "", list[0]!.request.line),
        severity: "warning",
      });
      list.push(slot);
    } else byKey.set(key, [slot]);
    slots.push(slot);
  }
  for (const e of events) {
    if (!isOutcome(e.type)) continue;
    const list = byKey.get(`${e.session_id}\u0000${e.request_id}`);
    const free = list?.find((s) => !s.outcome);
    if (free) {
      free.outcome = e;
      continue;
    }
    warnings.push({
      file: e.file,
      line: e.line,
      code: list ? "duplicate_outcome" : "orphan_response",
      message: list
        ? messages.duplicateOutcome(e.type, e.request_id ?? "")
        : messages.orphanResponse(e.type, e.request_id ?? ""),
      severity: "warning",
    });
    slots.push({ outcome: e });
  }
  slots.sort((a, b) => {
    const x = (a.request ?? a.outcome)!, y = (b.request ?? b.outcome)!;
    return x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line;
  });
  return { calls: slots.map((s) => callRow(s.request, s.outcome, group, keepText)), warnings };
}

/** Metadata values as text: strings as they are, anything else as JSON. */
function metadataText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One row per session, plus one Utf8 column per session-metadata field. */
export function sessionRows(events: EventRecord[], calls: CallRow[]): { rows: Row[]; columns: Columns } {
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
  for (const e of events) {
    let s = sessions.get(e.session_id);
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
          name = key in SESSION_COLUMNS || key === "" ? `metadata_${key}` : key;
          metaNames.set(key, name);
        }
        s.meta[name] = metadataText(value);
      }
    }
  }
  for (const c of calls) {
    const s = sessions.get(c.session_id);
    if (!s) continue;
    s.calls++;
    if (c.status === "error") s.errors++;
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

/** The four frames (before prices) from sorted events and the bad-line diagnostics. */
export function assembleFrames(
  events: EventRecord[],
  diagnostics: Diagnostic[],
  options: { group?: string | null; keepText?: boolean },
): { calls: pl.DataFrame; sessions: pl.DataFrame; events: pl.DataFrame; diagnostics: pl.DataFrame } {
  const { calls, warnings } = pairCalls(events, options);
  const callColumns: Columns = { ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS };
  if (options.keepText) Object.assign(callColumns, { messages: pl.Utf8, output: pl.Utf8 });
  const sessions = sessionRows(events, calls);
  const allDiagnostics = [...diagnostics, ...warnings].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line
  );
  const eventRows = events.map((e) => ({
    file: e.file,
    line: e.line,
    type: e.type,
    timestamp: e.ts,
    session_id: e.session_id,
    request_id: e.request_id,
    payload: e.payload,
  }));
  return {
    calls: frameFromRows(calls as unknown as Row[], callColumns),
    sessions: frameFromRows(sessions.rows, sessions.columns),
    events: frameFromRows(eventRows, EVENT_COLUMNS),
    diagnostics: frameFromRows(allDiagnostics as unknown as Row[], DIAGNOSTIC_COLUMNS),
  };
}
