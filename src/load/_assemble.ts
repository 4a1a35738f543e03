/**
 * Events → frames: the four DataFrames of the frame contract from the sorted
 * events, after pairing (`_pair.ts`) and sessions (`_sessions.ts`), built by
 * `_build_frame.ts` from the columns of the events' {@link EventTable}.
 *
 * @module
 */
import pl, { type DataType } from "../frames/polars.ts";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
} from "../frames/columns.ts";
import {
  ColumnBatch,
  dictionarySeries,
  frameFromRows,
  gatherAt,
  type Row,
  seriesOf,
} from "./_build_frame.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import {
  CODED_WIDTH,
  DURATION,
  EventTable,
  FINISH,
  MODEL,
  OUTPUT_CHARS,
  PROMPT_CHARS,
  PROVIDER,
  SESSION,
  type StringColumn,
  TTFT,
  TYPE,
  USAGE_AT,
} from "./_event_columns.ts";
import { settleMemory } from "./_memory.ts";
import { modelRule, pairEvents, type Pairs } from "./_pair.ts";
import { sessionRows } from "./_sessions.ts";

/**
 * The `calls` frame (before prices) straight from the table's columns, a
 * dozen columns to a Polars select (`ColumnBatch`): numbers through a
 * Float64Array, coded strings as codes gathered from the table's `dictionary`
 * (a Series, shared with the events frame) inside Polars, the request ids gathered
 * from the events frame's column (`eventIds`), errors and retries as arrays.
 * No string of a coded column is made in JS, and at most a dozen columns' raw
 * values are held beside the frame at a time (against an array of values per
 * column and call before): the four frames of 200,000 calls in 366–395 ms
 * against 388–436.
 */
function callsFrame(
  t: EventTable,
  { request, outcome }: Pairs,
  group: string | null,
  keepText: boolean,
  eventIds: pl.Series,
  dictionary: pl.Series,
): pl.DataFrame {
  const m = request.length;
  const codes = t.codes;
  /** The request, else the outcome: the event that places a call in its file. */
  const anchor = new Int32Array(m);
  for (let k = 0; k < m; k++) anchor[k] = request[k]! >= 0 ? request[k]! : outcome[k]!;
  /** Code of field `field` of event `i` (0: null, or no event). */
  const codeOf = (i: number, field: number) => (i < 0 ? 0 : codes[i * CODED_WIDTH + field]!);
  const batch = new ColumnBatch(m);
  const coded = (name: string, code: (k: number) => number, values = dictionary) =>
    batch.codes(name, code, values);
  const constant = (name: string, value: string | null) => batch.constant(name, value);
  /** A string column of `value` of each call; with `any` false, a column of nulls made at once. */
  const strings = (name: string, value: (k: number) => string | null, any = true) => {
    // (a file with no error or retry: 200,000 nulls through a JS array took 35–39 ms a column)
    if (!any) return constant(name, null);
    const column = new Array<string | null>(m);
    for (let k = 0; k < m; k++) column[k] = value(k);
    batch.series(seriesOf(name, column, pl.Utf8));
  };
  const number = (name: string, dtype: DataType, value: (k: number) => number | null) =>
    batch.number(name, dtype, value);
  const plain = (values: StringColumn, i: number) => (i < 0 ? null : values.get(i));
  const text = (values: (string | null)[], i: number) => (i < 0 ? null : values[i] ?? null);
  /** A call's seconds from request to outcome: the outcome's own duration, else the time between. */
  const duration = (k: number): number | null => {
    const o = outcome[k]!, r = request[k]!;
    if (o < 0) return null;
    return t.num(o, DURATION) ?? (r >= 0 ? (t.ts[o]! - t.ts[r]!) / 1e6 : null);
  };
  const ofOutcome = (field: number) => (k: number) => {
    const o = outcome[k]!;
    return o < 0 ? null : t.num(o, field);
  };
  const usage = (field: number) => (k: number) => {
    const o = outcome[k]!;
    return o < 0 || !t.hasUsage[o] ? null : t.num(o, USAGE_AT + field);
  };
  const strOf = (i: number, field: number) => (i < 0 ? null : t.str(i, field));
  // "unknown" (the model rule's last resort) gets a code past the dictionary when no event has it
  const UNKNOWN = t.code("unknown") || t.dictionary.length + 1;
  const withUnknown = UNKNOWN > t.dictionary.length
    ? pl.Series("dictionary", [null, ...t.dictionary, "unknown"], pl.Utf8)
    : dictionary;
  const EMPTY = t.code(""); // a served model of "" is none, as in modelRule's caller before
  const RESPONSE = t.code("llm_response");
  const columns: Record<string, () => void> = {
    session_id: () => coded("session_id", (k) => codeOf(anchor[k]!, SESSION)),
    // gathered from the events' column: the same strings, not made again, their bytes shared
    // (a gather from a literal copied all 432,000 ids first: 42 → 13 ms, 32 → 3 MB for 200,000)
    request_id: () => batch.series(gatherAt(eventIds, anchor)),
    model: () =>
      coded("model", (k) => {
        const rule = modelRule(strOf(request[k]!, MODEL), strOf(outcome[k]!, MODEL));
        return t.code(rule) || UNKNOWN; // the rule gives one of its two models, or "unknown"
      }, withUnknown),
    served_model: () =>
      coded("served_model", (k) => {
        const served = codeOf(outcome[k]!, MODEL);
        return served === UNKNOWN || served === EMPTY ? 0 : served;
      }),
    provider: () =>
      coded("provider", (k) => codeOf(outcome[k]!, PROVIDER) || codeOf(request[k]!, PROVIDER)),
    started_at: () =>
      number("started_at", CALL_COLUMNS.started_at, (k) => {
        const r = request[k]!, o = outcome[k]!;
        if (r >= 0) return t.ts[r]!;
        const ended = o >= 0 ? t.ts[o]! : null;
        const seconds = duration(k);
        return ended !== null && seconds !== null ? ended - Math.round(seconds * 1e6) : null;
      }),
    ended_at: () =>
      number("ended_at", CALL_COLUMNS.ended_at, (k) => {
        const o = outcome[k]!;
        return o >= 0 ? t.ts[o]! : null;
      }),
    duration_s: () => number("duration_s", CALL_COLUMNS.duration_s, duration),
    status: () =>
      coded("status", (k) => {
        const o = outcome[k]!;
        return o < 0 ? 0 : codeOf(o, TYPE) === RESPONSE ? 1 : 2;
      }, pl.Series("status", ["pending", "ok", "error"], pl.Utf8)),
    error: () => strings("error", (k) => plain(t.error, outcome[k]!), t.error.anyValue()),
    input_tokens: () => number("input_tokens", pl.Int64, usage(0)),
    output_tokens: () => number("output_tokens", pl.Int64, usage(1)),
    total_tokens: () => number("total_tokens", pl.Int64, usage(2)),
    cache_read_tokens: () => number("cache_read_tokens", pl.Int64, usage(3)),
    reasoning_tokens: () => number("reasoning_tokens", pl.Int64, usage(5)),
    ttft_s: () => number("ttft_s", pl.Float64, ofOutcome(TTFT)),
    cost_usd: () => number("cost_usd", pl.Float64, () => null),
    prompt_chars: () =>
      number("prompt_chars", pl.Int64, (k) => {
        const r = request[k]!;
        return r < 0 ? null : t.num(r, PROMPT_CHARS);
      }),
    output_chars: () => number("output_chars", pl.Int64, ofOutcome(OUTPUT_CHARS)),
    format: () => constant("format", "native"),
    file: () => coded("file", (k) => t.fileCode[anchor[k]!]!, pl.Series("files", t.files, pl.Utf8)),
    line: () => number("line", pl.Int64, (k) => t.line[anchor[k]!]!),
    trace_id: () => constant("trace_id", null),
    span_id: () => constant("span_id", null),
    parent_span_id: () => constant("parent_span_id", null),
    group: () => constant("group", group),
    finish_reason: () => coded("finish_reason", (k) => codeOf(outcome[k]!, FINISH)),
    cache_write_tokens: () => number("cache_write_tokens", pl.Int64, usage(4)),
    cache_write_1h_tokens: () => number("cache_write_1h_tokens", pl.Int64, usage(6)),
    web_search_requests: () => number("web_search_requests", pl.Int64, usage(7)),
    orphan: () => batch.bool("orphan", Uint8Array.from(request.map((r) => (r < 0 ? 1 : 0)))),
    retry_of: () =>
      strings(
        "retry_of",
        (k) => plain(t.retryOf, request[k]!) ?? plain(t.retryOf, outcome[k]!) ?? null,
        t.retryOf.anyValue(),
      ),
    batch: () => batch.bool("batch", new Uint8Array(m)),
  };
  if (keepText) {
    const [messages, output, params] = t.texts ?? [[], [], []];
    columns.messages = () => strings("messages", (k) => text(messages, request[k]!));
    columns.output = () => strings("output", (k) => text(output, outcome[k]!));
    columns.params = () => strings("params", (k) => text(params, request[k]!));
  }
  const names = [...Object.keys(CALL_COLUMNS), ...Object.keys(CALL_EXTRA_COLUMNS)];
  if (keepText) names.push("messages", "output", "params");
  for (const name of names) columns[name]!();
  return batch.frame();
}

/**
 * The `events` frame's columns made of JS strings, one per event: the ids and
 * the payloads (made first: once they are, the table's strings, most of its
 * heap, can go before the other columns are built). A call's request and
 * outcome hold the same id (pairing matched them by it): it crosses into
 * Polars once and the two rows share its bytes, gathered by code (200,000
 * calls: 70–76 ms against 85–87, and 5 MiB less at the peak, median of 8).
 */
function eventStrings(
  t: EventTable,
  { request, outcome }: Pairs,
): { request_id: pl.Series; payload: pl.Series } {
  const n = t.n, ids = t.requestId;
  const codes = new Uint32Array(n); // 0: null
  const values: (string | null)[] = [null];
  for (let k = 0; k < request.length; k++) {
    const r = request[k]!, o = outcome[k]!;
    const id = ids.get(r >= 0 ? r : o);
    if (id === null) continue;
    const code = values.push(id) - 1;
    if (r >= 0) codes[r] = code;
    if (o >= 0) codes[o] = code;
  }
  // events of no call (and any other event holding an id): an entry each
  for (let i = 0; i < n; i++) {
    if (codes[i] !== 0) continue;
    const id = ids.get(i);
    if (id !== null) codes[i] = values.push(id) - 1;
  }
  return {
    request_id: dictionarySeries("request_id", codes, values),
    payload: seriesOf("payload", t.payload.values(), pl.Utf8),
  };
}

/**
 * The `events` frame straight from the table's columns: numbers from its typed
 * arrays, coded strings gathered from its dictionary by their codes (no value
 * per event crosses into Polars but the ids and payloads, made before:
 * `strings`): 0.15 → about 0.05 s for 432,000 events, against a getter per
 * column and event.
 */
function eventsFrame(
  t: EventTable,
  strings: { request_id: pl.Series; payload: pl.Series },
  dictionary: pl.Series,
): pl.DataFrame {
  const n = t.n;
  const batch = new ColumnBatch(n);
  const coded = (name: string, field: number) =>
    batch.codes(name, (i) => t.codes[i * CODED_WIDTH + field]!, dictionary);
  const columns: Record<keyof typeof EVENT_COLUMNS, () => void> = {
    file: () => batch.codes("file", t.fileCode.subarray(0, n), t.files),
    line: () => batch.number("line", EVENT_COLUMNS.line, (i) => t.line[i]!),
    type: () => coded("type", TYPE),
    timestamp: () => batch.number("timestamp", EVENT_COLUMNS.timestamp, (i) => t.ts[i]!),
    session_id: () => coded("session_id", SESSION),
    request_id: () => batch.series(strings.request_id),
    payload: () => batch.series(strings.payload),
  };
  for (const column of Object.values(columns)) column();
  return batch.frame();
}

/** The four frames (before prices). */
type Frames = {
  calls: pl.DataFrame;
  sessions: pl.DataFrame;
  events: pl.DataFrame;
  diagnostics: pl.DataFrame;
};

/**
 * The frames in steps: each `yield` is a point where letting the garbage of
 * the step before go lowers the peak memory ({@link assembleTableFrames}).
 * The events frame first: the calls take their request ids from it. Its ids
 * and payloads first of all, so that their strings (most of the table's heap)
 * can go before its other columns are built, then the calls; with `consume`,
 * the table's columns are let go as soon as no frame still to build reads
 * them (the table is left unusable).
 */
function* frameSteps(
  t: EventTable,
  diagnostics: Diagnostic[],
  options: { group?: string | null; keepText?: boolean },
  consume: boolean,
): Generator<void, Frames> {
  const pairs = pairEvents(t);
  const sessions = sessionRows(t, pairs);
  const allDiagnostics = [...diagnostics, ...pairs.warnings].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line
  );
  const strings = eventStrings(t, pairs);
  // the calls take their ids from the events frame: the ids' strings (most of the heap) can go,
  // before the rest of the events frame is built
  if (consume) t.release(["requestId", "payload"]);
  yield;
  // the coded fields' values, one Series for both frames (code 0 is null)
  const dictionary = pl.Series("dictionary", [null, ...t.dictionary], pl.Utf8);
  const events = eventsFrame(t, strings, dictionary);
  yield;
  const ids = events.getColumn("request_id");
  const calls = callsFrame(
    t,
    pairs,
    options.group ?? null,
    options.keepText ?? false,
    ids,
    dictionary,
  );
  if (consume) {
    t.release(["fileCode", "line", "ts", "numbers", "hasUsage", "codes", "error", "retryOf"]);
    t.release(["texts", "metadata"]);
  }
  return {
    events,
    calls,
    sessions: frameFromRows(sessions.rows, sessions.columns),
    diagnostics: frameFromRows(
      allDiagnostics.map((d) => ({ ...d, count: d.count ?? 1 })) as unknown as Row[],
      DIAGNOSTIC_COLUMNS,
    ),
  };
}

/**
 * The four frames (before prices) from events in file then line order (a
 * table, or records) and the bad-line diagnostics.
 */
export function assembleFrames(
  events: EventTable | EventRecord[],
  diagnostics: Diagnostic[],
  options: { group?: string | null; keepText?: boolean },
): Frames {
  const t = Array.isArray(events) ? EventTable.from(events, options.keepText ?? false) : events;
  const steps = frameSteps(t, diagnostics, options, Array.isArray(events));
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * {@link assembleFrames} of a table it consumes: the table's columns are let
 * go as soon as the frames left to build no longer read them, and with
 * `settle`, the memory is settled (`settleMemory`) at each step: after the
 * events' ids and payloads, after the rest of the events frame, so that the
 * garbage of building one part (the table's strings; Polars' intermediates,
 * freed only between tasks) is not still held while the next is built. On
 * 200,000 calls (432,000 events) the loader alone peaked at 473–477 MiB
 * building the calls after the events with the whole table held, and at
 * 397–412 MiB settling between the events frame and the calls frame, in about
 * the same CPU time (about 40 ms more for the collection, the calls frame
 * itself about 20 ms faster). Then, with glibc trimming as it frees
 * (`trimOnFree`), building the events frame was the peak of a cold `analyze`
 * (410–419 MiB: its ids and payloads still held as JS strings while its
 * other columns were built); settled after the ids and payloads too, the
 * events frame peaks at about 290 MiB and the load at about 375 (the calls).
 */
export async function assembleTableFrames(
  t: EventTable,
  diagnostics: Diagnostic[],
  options: { group?: string | null; keepText?: boolean },
  settle: boolean,
): Promise<Frames> {
  const steps = frameSteps(t, diagnostics, options, true);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (settle) await settleMemory();
  }
}
