/**
 * Events → frames: pairing of requests with their outcome, sessions, and the
 * four DataFrames of the frame contract.
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
} from "../frames/columns.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import { messages } from "./messages.ts";

type Columns = Record<string, pl.DataType>;
type Row = Record<string, unknown>;

/** Build a DataFrame with exactly `columns` (in order) from row objects. */
export function frameFromRows(rows: Row[], columns: Columns): pl.DataFrame {
  return frameFromColumns(
    Object.fromEntries(
      Object.keys(columns).map((name) => [name, rows.map((r) => r[name] ?? null)]),
    ),
    columns,
  );
}

/** Build a DataFrame with exactly `columns` (in order) from one array of values per column. */
export function frameFromColumns(
  values: Record<string, unknown[]>,
  columns: Columns,
): pl.DataFrame {
  return pl.DataFrame(
    Object.entries(columns).map(([name, dtype]) => seriesOf(name, values[name]!, dtype)),
  );
}

/**
 * A Series of `dtype` from plain values (null for a missing value). Numbers go
 * through a Float64Array and strings through a dictionary of their distinct
 * values (one JS→Rust conversion per distinct string): each value crossing into
 * Polars alone costs ~0.2 µs. Values of another kind than the column's take the
 * plain `pl.Series` constructor, as before.
 */
function seriesOf(name: string, values: unknown[], dtype: pl.DataType): pl.Series {
  if (values.length > 0) {
    const variant = dtype.variant as string;
    const fast = variant === "Utf8" || variant === "String"
      ? stringSeries(name, values)
      : variant === "Float64"
      ? numberSeries(name, values, false)
      : variant === "Int64" || variant === "Datetime"
      ? numberSeries(name, values, true)
      : variant === "Bool"
      ? boolSeries(name, values)
      : null;
    if (fast) return variant === "Datetime" ? fast.cast(dtype) : fast;
  }
  if (values.includes(undefined)) values = values.map((v) => v ?? null);
  if (dtype.variant === "Datetime") {
    return pl.Series(name, values as (number | null)[], pl.Int64).cast(dtype);
  }
  return pl.Series(name, values, dtype);
}

/** Float64 (or Int64 when `integer`) from numbers and nulls, or null for any other value. */
function numberSeries(name: string, values: unknown[], integer: boolean): pl.Series | null {
  const n = values.length;
  const array = new Float64Array(n);
  let nulls = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      array[i] = NaN;
      nulls = true;
    } else if (
      typeof v === "number" && (integer ? Number.isSafeInteger(v) : v === v) && !Object.is(v, -0)
    ) {
      array[i] = v;
    } else return null;
  }
  const series = pl.Series(name, array);
  if (!nulls && !integer) return series;
  let expr = pl.col(name);
  if (nulls) expr = expr.fillNan(null as unknown as number);
  if (integer) expr = expr.cast(pl.Int64);
  return pl.DataFrame([series]).select(expr.alias(name)).getColumn(name);
}

/** Values looked at before choosing between a dictionary and one-by-one conversion. */
const SAMPLE = 4096;

/** Utf8 from strings and nulls, or null for any other value. */
function stringSeries(name: string, values: unknown[]): pl.Series | null {
  const n = values.length;
  const codes = new Uint32Array(n);
  const index = new Map<string, number>();
  const dictionary: (string | null)[] = [];
  let nullCode = -1;
  for (let i = 0; i < n; i++) {
    // mostly distinct values (ids): the dictionary would not pay, convert them one by one
    if (i === SAMPLE && dictionary.length * 4 > SAMPLE) {
      return allStrings(values, i) ? pl.Series(name, values, pl.Utf8) : null;
    }
    const v = values[i];
    if (v === null || v === undefined) {
      if (nullCode < 0) {
        nullCode = dictionary.length;
        dictionary.push(null);
      }
      codes[i] = nullCode;
    } else if (typeof v === "string") {
      let code = index.get(v);
      if (code === undefined) {
        code = dictionary.length;
        dictionary.push(v);
        index.set(v, code);
      }
      codes[i] = code;
    } else return null;
  }
  return dictionarySeries(name, codes, dictionary);
}

/** Values from `from` on are strings or nulls. */
function allStrings(values: unknown[], from: number): boolean {
  for (let i = from; i < values.length; i++) {
    const v = values[i];
    if (v !== null && typeof v !== "string") return false;
  }
  return true;
}

/** Utf8 Series `dictionary[codes[i]]`, gathered inside Polars. */
function dictionarySeries(
  name: string,
  codes: Uint32Array,
  dictionary: (string | null)[],
): pl.Series {
  return pl.DataFrame([pl.Series("codes", codes)])
    .select(
      pl.lit(pl.Series(name, dictionary, pl.Utf8)).explode().gather(pl.col("codes")).alias(name),
    )
    .getColumn(name);
}

/** Bool from booleans (no nulls), or null otherwise. */
function boolSeries(name: string, values: unknown[]): pl.Series | null {
  const n = values.length;
  const array = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === true) array[i] = 1;
    else if (v !== false) return null;
  }
  return pl.Series(name, array).cast(pl.Bool);
}

const isOutcome = (type: string) => type === "llm_response" || type === "llm_error";

/**
 * The model rule (DESIGN.md): the model the request asked for; when no request
 * names one (or names `"unknown"`), the model the response names; else `"unknown"`.
 */
function modelOf(request: EventRecord | undefined, outcome: EventRecord | undefined): string {
  const requested = request?.model ?? null;
  if (requested !== null && requested !== "unknown") return requested;
  return outcome?.model ?? requested ?? "unknown";
}

/** A call being assembled: its request, its outcome, or both. */
interface Slot {
  request?: EventRecord;
  outcome?: EventRecord;
}

/**
 * Pair requests with their outcome by (`session_id`, `request_id`): each
 * `llm_response`/`llm_error` takes the first request of its key that has no
 * outcome yet, whatever the order of lines. Keeps the invariant the metrics
 * rely on: one call per request, plus one orphan call per outcome without one.
 * Calls come in file then line order of their request (of the outcome for an orphan).
 */
export function pairCalls(events: EventRecord[]): { calls: Slot[]; warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  // session_id → request_id → its slot (or slots, for a duplicated request_id); nested maps
  // spare a concatenated key per event
  const bySession = new Map<string, Map<string | null, Slot | Slot[]>>();
  const slots: Slot[] = [];
  for (const e of events) {
    if (e.type !== "llm_request") continue;
    let byRequest = bySession.get(e.session_id);
    if (!byRequest) bySession.set(e.session_id, byRequest = new Map());
    const slot: Slot = { request: e };
    const found = byRequest.get(e.request_id);
    if (found) {
      const list = Array.isArray(found) ? found : [found];
      warnings.push({
        file: e.file,
        line: e.line,
        code: "duplicate_request_id",
        message: messages.duplicateRequestId(e.request_id ?? "", list[0]!.request!.line),
        severity: "warning",
      });
      list.push(slot);
      byRequest.set(e.request_id, list);
    } else byRequest.set(e.request_id, slot);
    slots.push(slot);
  }
  for (const e of events) {
    if (!isOutcome(e.type)) continue;
    const found = bySession.get(e.session_id)?.get(e.request_id);
    const free = found === undefined
      ? undefined
      : Array.isArray(found)
      ? found.find((s) => !s.outcome)
      : found.outcome
      ? undefined
      : found;
    if (free) {
      free.outcome = e;
      continue;
    }
    warnings.push({
      file: e.file,
      line: e.line,
      code: found ? "duplicate_outcome" : "orphan_response",
      message: found
        ? messages.duplicateOutcome(e.type, e.request_id ?? "")
        : messages.orphanResponse(e.type, e.request_id ?? ""),
      severity: "warning",
    });
    slots.push({ outcome: e });
  }
  const before = (a: Slot, b: Slot) => {
    const x = (a.request ?? a.outcome)!, y = (b.request ?? b.outcome)!;
    return x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line;
  };
  // requests come in event order, so the sort is needed only when orphans were appended
  let sorted = true;
  for (let i = 1; i < slots.length && sorted; i++) sorted = before(slots[i - 1]!, slots[i]!) <= 0;
  if (!sorted) slots.sort(before);
  return { calls: slots, warnings };
}

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

/** Metadata values as text: strings as they are, anything else as JSON. */
function metadataText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
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
