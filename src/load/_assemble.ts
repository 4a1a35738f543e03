/**
 * Events → frames: the four DataFrames of the frame contract from the sorted
 * events, after pairing (`_pair.ts`) and sessions (`_sessions.ts`), built by
 * `_build_frame.ts`.
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
} from "../frames/columns.ts";
import { type Columns, frameFromColumns, frameFromRows, type Row } from "./_build_frame.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import { modelOf, pairCalls, type Slot } from "./_pair.ts";
import { sessionRows } from "./_sessions.ts";

/** The columns of `calls` (before prices), one array per column. */
function callColumns(
  slots: Slot[],
  group: string | null,
  keepText: boolean,
): Record<string, unknown[]> {
  const n = slots.length;
  const col = () => new Array<unknown>(n);
  const c = {
    session_id: col(),
    request_id: col(),
    model: col(),
    served_model: col(),
    provider: col(),
    started_at: col(),
    ended_at: col(),
    duration_s: col(),
    status: col(),
    error: col(),
    input_tokens: col(),
    output_tokens: col(),
    total_tokens: col(),
    cache_read_tokens: col(),
    reasoning_tokens: col(),
    ttft_s: col(),
    cost_usd: new Array<unknown>(n).fill(null),
    prompt_chars: col(),
    output_chars: col(),
    format: new Array<unknown>(n).fill("native"),
    file: col(),
    line: col(),
    trace_id: new Array<unknown>(n).fill(null),
    span_id: new Array<unknown>(n).fill(null),
    parent_span_id: new Array<unknown>(n).fill(null),
    group: new Array<unknown>(n).fill(group),
    finish_reason: col(),
    cache_write_tokens: col(),
    orphan: col(),
    retry_of: col(),
    batch: new Array<unknown>(n).fill(false),
  } satisfies Record<keyof typeof CALL_COLUMNS | keyof typeof CALL_EXTRA_COLUMNS, unknown[]>;
  const text = keepText ? { messages: col(), output: col(), params: col() } : null;
  for (let i = 0; i < n; i++) {
    const { request, outcome } = slots[i]!;
    const anchor = (request ?? outcome)!;
    const ended = outcome?.ts ?? null;
    const duration = outcome
      ? outcome.duration ?? (request ? (outcome.ts - request.ts) / 1e6 : null)
      : null;
    const usage = outcome?.usage ?? null;
    c.session_id[i] = anchor.session_id;
    c.request_id[i] = anchor.request_id;
    c.model[i] = modelOf(request, outcome);
    c.served_model[i] = outcome?.model && outcome.model !== "unknown" ? outcome.model : null;
    c.provider[i] = outcome?.provider ?? request?.provider ?? null;
    c.started_at[i] = request?.ts ??
      (ended !== null && duration !== null ? ended - Math.round(duration * 1e6) : null);
    c.ended_at[i] = ended;
    c.duration_s[i] = duration;
    c.status[i] = !outcome ? "pending" : outcome.type === "llm_response" ? "ok" : "error";
    c.error[i] = outcome?.error ?? null;
    c.input_tokens[i] = usage?.input_tokens ?? null;
    c.output_tokens[i] = usage?.output_tokens ?? null;
    c.total_tokens[i] = usage?.total_tokens ?? null;
    c.cache_read_tokens[i] = usage?.cache_read_tokens ?? null;
    c.reasoning_tokens[i] = usage?.reasoning_tokens ?? null;
    c.ttft_s[i] = outcome?.ttft ?? null;
    c.prompt_chars[i] = request?.prompt_chars ?? null;
    c.output_chars[i] = outcome?.output_chars ?? null;
    c.file[i] = anchor.file;
    c.line[i] = anchor.line;
    c.finish_reason[i] = outcome?.finish_reason ?? null;
    c.cache_write_tokens[i] = usage?.cache_write_tokens ?? null;
    c.orphan[i] = !request;
    c.retry_of[i] = request?.retry_of ?? outcome?.retry_of ?? null;
    if (text) {
      text.messages[i] = request?.messages ?? null;
      text.output[i] = outcome?.output ?? null;
      text.params[i] = request?.params ?? null;
    }
  }
  return text ? { ...c, ...text } : c;
}

/** The four frames (before prices) from sorted events and the bad-line diagnostics. */
export function assembleFrames(
  events: EventRecord[],
  diagnostics: Diagnostic[],
  options: { group?: string | null; keepText?: boolean },
): {
  calls: pl.DataFrame;
  sessions: pl.DataFrame;
  events: pl.DataFrame;
  diagnostics: pl.DataFrame;
} {
  const { calls, warnings } = pairCalls(events);
  const callColumnTypes: Columns = { ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS };
  if (options.keepText) {
    Object.assign(callColumnTypes, { messages: pl.Utf8, output: pl.Utf8, params: pl.Utf8 });
  }
  const sessions = sessionRows(events, calls);
  const allDiagnostics = [...diagnostics, ...warnings].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line
  );
  const n = events.length;
  const eventColumns: Record<keyof typeof EVENT_COLUMNS, unknown[]> = {
    file: new Array(n),
    line: new Array(n),
    type: new Array(n),
    timestamp: new Array(n),
    session_id: new Array(n),
    request_id: new Array(n),
    payload: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    eventColumns.file[i] = e.file;
    eventColumns.line[i] = e.line;
    eventColumns.type[i] = e.type;
    eventColumns.timestamp[i] = e.ts;
    eventColumns.session_id[i] = e.session_id;
    eventColumns.request_id[i] = e.request_id;
    eventColumns.payload[i] = e.payload;
  }
  return {
    calls: frameFromColumns(
      callColumns(calls, options.group ?? null, options.keepText ?? false),
      callColumnTypes,
    ),
    sessions: frameFromRows(sessions.rows, sessions.columns),
    events: frameFromColumns(eventColumns, EVENT_COLUMNS),
    diagnostics: frameFromRows(
      allDiagnostics.map((d) => ({ ...d, count: d.count ?? 1 })) as unknown as Row[],
      DIAGNOSTIC_COLUMNS,
    ),
  };
}
