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
import { type Columns, frameFromItems, frameFromRows, type Row } from "./_build_frame.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import type { Usage } from "../schema/mod.ts";
import { modelOf, pairCalls, type Slot } from "./_pair.ts";
import { sessionRows } from "./_sessions.ts";

type Getter<T> = (item: T) => unknown;

/** A call's seconds from request to outcome: the outcome's own duration, else the time between. */
function durationOf({ request, outcome }: Slot): number | null {
  if (!outcome) return null;
  return outcome.duration ?? (request ? (outcome.ts - request.ts) / 1e6 : null);
}

/** The request, else the outcome: the event that places a call in its file. */
const anchorOf = (s: Slot) => (s.request ?? s.outcome)!;

/** Each column of `calls` (before prices) from a call's request and outcome. */
function callGetters(
  group: string | null,
  keepText: boolean,
): Record<keyof typeof CALL_COLUMNS | keyof typeof CALL_EXTRA_COLUMNS, Getter<Slot>> & {
  messages?: Getter<Slot>;
  output?: Getter<Slot>;
  params?: Getter<Slot>;
} {
  const none = () => null;
  const usage = (key: keyof Usage): Getter<Slot> => (s) => s.outcome?.usage?.[key] ?? null;
  const getters = {
    session_id: (s: Slot) => anchorOf(s).session_id,
    request_id: (s: Slot) => anchorOf(s).request_id,
    model: (s: Slot) => modelOf(s.request, s.outcome),
    served_model: ({ outcome }: Slot) =>
      outcome?.model && outcome.model !== "unknown" ? outcome.model : null,
    provider: ({ request, outcome }: Slot) => outcome?.provider ?? request?.provider ?? null,
    started_at: (s: Slot) => {
      if (s.request) return s.request.ts;
      const ended = s.outcome?.ts ?? null;
      const duration = durationOf(s);
      return ended !== null && duration !== null ? ended - Math.round(duration * 1e6) : null;
    },
    ended_at: ({ outcome }: Slot) => outcome?.ts ?? null,
    duration_s: durationOf,
    status: ({ outcome }: Slot) =>
      !outcome ? "pending" : outcome.type === "llm_response" ? "ok" : "error",
    error: ({ outcome }: Slot) => outcome?.error ?? null,
    input_tokens: usage("input_tokens"),
    output_tokens: usage("output_tokens"),
    total_tokens: usage("total_tokens"),
    cache_read_tokens: usage("cache_read_tokens"),
    reasoning_tokens: usage("reasoning_tokens"),
    ttft_s: ({ outcome }: Slot) => outcome?.ttft ?? null,
    cost_usd: none,
    prompt_chars: ({ request }: Slot) => request?.prompt_chars ?? null,
    output_chars: ({ outcome }: Slot) => outcome?.output_chars ?? null,
    format: () => "native",
    file: (s: Slot) => anchorOf(s).file,
    line: (s: Slot) => anchorOf(s).line,
    trace_id: none,
    span_id: none,
    parent_span_id: none,
    group: () => group,
    finish_reason: ({ outcome }: Slot) => outcome?.finish_reason ?? null,
    cache_write_tokens: usage("cache_write_tokens"),
    orphan: ({ request }: Slot) => !request,
    retry_of: ({ request, outcome }: Slot) => request?.retry_of ?? outcome?.retry_of ?? null,
    batch: () => false,
  };
  if (!keepText) return getters;
  return {
    ...getters,
    messages: ({ request }: Slot) => request?.messages ?? null,
    output: ({ outcome }: Slot) => outcome?.output ?? null,
    params: ({ request }: Slot) => request?.params ?? null,
  };
}

/** Each column of `events` from an event. */
const EVENT_GETTERS: Record<keyof typeof EVENT_COLUMNS, Getter<EventRecord>> = {
  file: (e) => e.file,
  line: (e) => e.line,
  type: (e) => e.type,
  timestamp: (e) => e.ts,
  session_id: (e) => e.session_id,
  request_id: (e) => e.request_id,
  payload: (e) => e.payload,
};

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
  return {
    // one column at a time (the events' first: they are the most rows)
    events: frameFromItems(events, EVENT_COLUMNS, EVENT_GETTERS),
    calls: frameFromItems(
      calls,
      callColumnTypes,
      callGetters(options.group ?? null, options.keepText ?? false),
    ),
    sessions: frameFromRows(sessions.rows, sessions.columns),
    diagnostics: frameFromRows(
      allDiagnostics.map((d) => ({ ...d, count: d.count ?? 1 })) as unknown as Row[],
      DIAGNOSTIC_COLUMNS,
    ),
  };
}
