/**
 * `callsExplorer`: the data of the report's Calls section, one plain JSON object the
 * page embeds (`<script type="application/json" id="tracebook-calls">`) and its
 * client script (`src/report/client/explorer.ts`) filters and opens: every call up to
 * a limit, with its messages, output, params, usage, error and timings, and for span
 * formats the spans of its trace (agent → model → tool) for a waterfall.
 *
 * ```
 * TraceSet ──► pickCalls (all, or slowest + failed + seeded sample) ──► explorerCall (texts clipped)
 *          └─► traceSpans (events with a span id, and the shown calls) ──► CallsExplorerData
 * ```
 *
 * Every string here comes from a trace and is untrusted: the page embeds it as JSON
 * made safe for a `<script>` block and the client writes it with `textContent` only.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import type { TraceSet } from "../frames/columns.ts";
import type { ReportInput } from "./input.ts";
import { formatInt, plural } from "../log/format.ts";
import { candidates } from "./tables.ts";
import type { CallTextReader } from "../load/call_texts.ts";

/** A text cut to at most the clip limit, with the full length of the original. */
export interface ClippedText {
  /** The text, or its first `limit` characters. */
  text: string;
  /** Characters (code points) of the whole text: more than `text` holds when it was cut. */
  chars: number;
}

/** One message of a call's prompt. */
export interface ExplorerMessage {
  /** `system`, `user`, `assistant`, `tool`, … (null when the message names none). */
  role: string | null;
  /** The message's text, clipped. */
  content: ClippedText;
}

/** Why a call is in the explorer when not every call fits. */
export type PickReason = "slowest" | "failed" | "sample";

/** One call of the explorer. Absent fields are unknown (null in the frame). */
export interface ExplorerCall {
  /** Position in `CallsExplorerData.calls`: the call's id in the page. */
  id: number;
  /** The session of the call. */
  session_id?: string;
  /** The request id. */
  request_id?: string;
  /** The requested model (the model rule). */
  model: string;
  /** The model the response named. */
  served_model?: string;
  /** The provider. */
  provider?: string;
  /** The comparison group (run) of the call. */
  group?: string;
  /** `ok` | `error` | `pending`. */
  status: string;
  /** The error message of a failed call, clipped. */
  error?: ClippedText;
  /** ISO 8601, UTC. */
  started_at?: string;
  /** When the call ended, ISO 8601 UTC. */
  ended_at?: string;
  /** Latency, seconds. */
  duration_s?: number;
  /** Seconds to the first token (streamed calls). */
  ttft_s?: number;
  /** Input tokens. */
  input_tokens?: number;
  /** Output tokens. */
  output_tokens?: number;
  /** Input + output tokens. */
  total_tokens?: number;
  /** Input tokens read from the prompt cache. */
  cache_read_tokens?: number;
  /** Input tokens written to the prompt cache. */
  cache_write_tokens?: number;
  /** Output tokens spent on reasoning. */
  reasoning_tokens?: number;
  /** The call's cost, when its model is priced. */
  cost_usd?: number;
  /** Why the response ended. */
  finish_reason?: string;
  /** The request id this call retries. */
  retry_of?: string;
  /** The format the call's file was read as. */
  format?: string;
  /** The file of the call. */
  file?: string;
  /** The 1-based line of the call. */
  line?: number;
  /** The trace id, for span formats. */
  trace_id?: string;
  /** The call's span id, for span formats. */
  span_id?: string;
  /** The parent span's id, for span formats. */
  parent_span_id?: string;
  /** Characters of the prompt and of the output (known even when the texts are not loaded). */
  prompt_chars?: number;
  /** Characters of the output. */
  output_chars?: number;
  /** The prompt's messages (texts loaded); at most `maxMessages`, first and last kept. */
  messages?: ExplorerMessage[];
  /** Messages left out of `messages` (the middle of a long conversation). */
  messages_omitted?: number;
  /** The output text, clipped (texts loaded). */
  output?: ClippedText;
  /** The request's parameters as JSON, when the frame has a `params` column. */
  params?: ClippedText;
  /** Why the call was picked, when not every call fits. */
  picked?: PickReason;
}

/** One span of a trace, for the waterfall. */
export interface ExplorerSpan {
  /** The span id. */
  span_id: string;
  /** The parent span's id; null for a root. */
  parent_span_id: string | null;
  /** The span's name. */
  name: string;
  /** `agent` (agent, chain, workflow), `model` (a model call), `tool`, or `span`. */
  kind: "agent" | "model" | "tool" | "span";
  /** ISO 8601, UTC; null when the format gives no time. */
  start: string | null;
  /** Null when the span's end is not recorded. */
  end: string | null;
  /** How the span ended; null when unknown. */
  status: "ok" | "error" | "pending" | null;
  /** The explorer id of the call this span is, when the call is shown. */
  call?: number;
}

/** How the calls were picked when there were more than the limit. */
export interface CallSelection {
  /** The most calls shown. */
  limit: number;
  /** The seed of the random sample. */
  seed: number;
  /** Slowest calls picked. */
  slowest: number;
  /** Failed calls picked. */
  failed: number;
  /** Failed calls in all (more than `failed` when they were sampled too). */
  failed_total: number;
  /** Calls picked at random from the rest. */
  sample: number;
  /** The rule in one sentence, shown on the page. */
  rule: string;
}

/** The Calls section's data. */
export interface CallsExplorerData {
  /** Calls in the traces. */
  total: number;
  /** The calls shown. */
  calls: ExplorerCall[];
  /** Null when every call is shown. */
  selection: CallSelection | null;
  /** Whether the prompts and outputs were loaded (`report --outputs`, `keepText`). */
  texts: boolean;
  /** The clip limit of every text, in characters (lower than asked when `textBudget` required). */
  text_limit: number;
  /** The page's budget of text characters, when it lowered `text_limit`; else null. */
  text_budget: number | null;
  /** Spans per trace id, for the traces of the shown calls (span formats only). */
  traces: Record<string, ExplorerSpan[]>;
  /** Spans left out by the per-trace and total caps. */
  spans_omitted: number;
  /** The comparison groups (runs of a compare page) in the frame's order; empty for none. */
  groups: string[];
}

/** Options of {@linkcode callsExplorer}. */
export interface CallsExplorerOptions {
  /** At most this many calls. @default {5000} */
  limit?: number;
  /** Seed of the random sample beyond the limit. @default {1} */
  seed?: number;
  /** Texts (messages, output, params, errors) are cut to this many characters. @default {4000} */
  textLimit?: number;
  /** At most this many messages per call, the first and the last halves kept. @default {40} */
  maxMessages?: number;
  /**
   * At most this many characters of text (messages, outputs, params, errors) in the page:
   * beyond it, every text is clipped to the one lower limit that fits (long texts are cut
   * first, short ones kept whole).
   * @default {8000000}
   */
  textBudget?: number;
  /** At most this many spans per trace. @default {500} */
  maxSpansPerTrace?: number;
  /** At most this many spans in all. @default {20000} */
  maxSpans?: number;
}

/** The default options. */
export const EXPLORER_DEFAULTS: Required<CallsExplorerOptions> = {
  limit: 5000,
  seed: 1,
  textLimit: 4000,
  maxMessages: 40,
  textBudget: 8_000_000,
  maxSpansPerTrace: 500,
  maxSpans: 20000,
};

// --- small value helpers -------------------------------------------------------

type Row = Record<string, unknown>;

const str = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : String(v);
const num = (v: unknown): number | undefined => {
  if (v === null || v === undefined) return undefined;
  const n = typeof v === "bigint" ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : undefined;
};
const iso = (v: unknown): string | undefined =>
  v instanceof Date ? (Number.isNaN(v.getTime()) ? undefined : v.toISOString()) : str(v);

/**
 * `text` cut to at most `limit` code points (never inside a surrogate pair), with
 * its full length in code points.
 *
 * @example
 * ```ts
 * import { clipText } from "./calls_explorer.ts";
 * const c = clipText("abcdef", 4);
 * if (c.text !== "abcd" || c.chars !== 6) throw new Error("wrong clip");
 * ```
 */
export function clipText(text: string, limit: number): ClippedText {
  let chars = 0;
  let cut = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (chars === limit && cut < 0) cut = i;
    chars++;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return { text: cut < 0 ? text : text.slice(0, cut), chars };
}

/** A message's content as text: a string as is, text parts joined, anything else as JSON. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content) && content.length > 0) {
    const parts = content.map((p) =>
      typeof p === "string"
        ? p
        : p && typeof p === "object" && typeof (p as Row).text === "string"
        ? (p as Row).text as string
        : p && typeof p === "object" && typeof (p as Row).content === "string"
        ? (p as Row).content as string
        : null
    );
    if (parts.every((p) => p !== null)) return parts.join("\n");
  }
  return JSON.stringify(content, null, 2) ?? "";
}

/**
 * The messages of a prompt (the `messages` column: JSON of the request's message
 * list) as role and text, clipped; at most `max`, the first and last halves kept.
 *
 * @example
 * ```ts
 * import { parseMessages } from "./calls_explorer.ts";
 * const m = parseMessages('[{"role":"user","content":"Hi"}]', 100, 40);
 * if (m.messages[0]!.role !== "user" || m.messages[0]!.content.text !== "Hi") throw new Error();
 * ```
 */
export function parseMessages(
  json: string,
  textLimit: number,
  max: number,
): { messages: ExplorerMessage[]; omitted: number } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { messages: [{ role: null, content: clipText(json, textLimit) }], omitted: 0 };
  }
  const list = Array.isArray(value) ? value : [value];
  const head = Math.ceil(max / 2);
  const kept = list.length > max
    ? [...list.slice(0, head), ...list.slice(list.length - (max - head))]
    : list;
  const messages = kept.map((m): ExplorerMessage => {
    if (m && typeof m === "object" && !Array.isArray(m)) {
      const o = m as Row;
      const role = typeof o.role === "string" ? o.role : typeof o.type === "string" ? o.type : null;
      const content = "content" in o
        ? o.content
        : "text" in o
        ? o.text
        : "parts" in o
        ? o.parts
        : o;
      return { role, content: clipText(contentText(content), textLimit) };
    }
    return { role: null, content: clipText(contentText(m), textLimit) };
  });
  return { messages, omitted: list.length - kept.length };
}

// --- picking the calls -----------------------------------------------------------

/**
 * The row numbers of the calls to show: all of them up to `limit`; beyond it the
 * slowest (a fifth of the limit, finished calls by duration), the failed ones (up to
 * two fifths, a seeded sample when there are more) and a seeded random sample of
 * the others for the rest, each row with why it was picked.
 */
function pickCalls(
  calls: pl.DataFrame,
  limit: number,
  seed: number,
): { rows: Map<number, PickReason | undefined>; selection: CallSelection | null } {
  const n = calls.height;
  if (n <= limit) {
    return { rows: new Map(Array.from({ length: n }, (_, i) => [i, undefined])), selection: null };
  }
  const keys = calls.select("status", "duration_s").withRowIndex("__row");
  const rowsOf = (frame: pl.DataFrame) =>
    (frame.getColumn("__row").toArray() as unknown[]).map(Number);
  const picked = new Map<number, PickReason | undefined>();
  const slowestQuota = Math.floor(limit / 5);
  const finished = keys.filter(
    pl.col("status").neq(pl.lit("pending")).and(pl.col("duration_s").isNotNull()),
  );
  const slowest = rowsOf(
    candidates(finished, "duration_s", true, slowestQuota)
      .sort(["duration_s", "__row"], [true, false])
      .head(slowestQuota),
  );
  for (const r of slowest) picked.set(r, "slowest");
  const failedQuota = Math.floor((2 * limit) / 5);
  const failedAll = keys.filter(pl.col("status").eq(pl.lit("error")));
  const failedLeft = failedAll.filter(pl.col("__row").isIn(slowest).not());
  const failed = failedLeft.height <= failedQuota
    ? rowsOf(failedLeft)
    : rowsOf(failedLeft.sample({ n: failedQuota, seed }));
  for (const r of failed) picked.set(r, "failed");
  const others = keys.filter(pl.col("__row").isIn([...picked.keys()]).not());
  const sampleSize = Math.min(limit - picked.size, others.height);
  const sample = rowsOf(others.sample({ n: sampleSize, seed }));
  for (const r of sample) picked.set(r, "sample");
  const failedText = failed.length === failedLeft.height
    ? `every failed call not among them (${formatInt(failed.length)})`
    : `a random sample of ${formatInt(failed.length)} of the ${
      formatInt(failedLeft.height)
    } failed calls not among them`;
  const rule = `Showing ${plural(picked.size, "call")} of ${formatInt(n)} ` +
    `(limit ${formatInt(limit)}): the ${plural(slowest.length, "slowest call")} ` +
    `(a fifth of the limit), ${failedText}, and a random sample of ${
      formatInt(sample.length)
    } of the other calls (seed ${seed}).`;
  return {
    rows: picked,
    selection: {
      limit,
      seed,
      slowest: slowest.length,
      failed: failed.length,
      failed_total: failedAll.height,
      sample: sample.length,
      rule,
    },
  };
}

/**
 * The values at `indices` of `frame`, in that order, one array per column; the
 * columns that hold only nulls there are left out (a call reads them as absent).
 * No object per row: the calls are built from these arrays directly.
 */
function gather(
  frame: pl.DataFrame,
  indices: number[],
  texts?: CallTextReader,
): Map<string, unknown[]> {
  const columns = new Map<string, unknown[]>();
  if (indices.length === 0) return columns;
  const rows = frame.select(pl.all().gather(indices));
  for (const series of rows.getColumns()) {
    if (series.nullCount() < series.length) columns.set(series.name, series.toArray());
  }
  // the texts read as arrays: held once, not also in a frame (`report --outputs`' peak)
  const read = texts?.textColumns(rows);
  if (read) {
    for (const [name, values] of Object.entries(read) as [string, (string | null)[]][]) {
      if (values.some((v) => v !== null)) columns.set(name, values);
    }
  }
  return columns;
}

/** The call at `row` of gathered columns (`gather`), shown as `id`. */
function explorerCall(
  columns: Map<string, unknown[]>,
  row: number,
  id: number,
  picked: PickReason | undefined,
  o: Required<CallsExplorerOptions>,
): ExplorerCall {
  const r = (key: string): unknown => columns.get(key)?.[row];
  const call: ExplorerCall = {
    id,
    model: str(r("model")) ?? "unknown",
    status: str(r("status")) ?? "pending",
  };
  const set = <K extends keyof ExplorerCall>(key: K, value: ExplorerCall[K] | undefined) => {
    if (value !== undefined) call[key] = value;
  };
  for (
    const key of [
      "session_id",
      "request_id",
      "served_model",
      "provider",
      "group",
      "finish_reason",
      "retry_of",
      "format",
      "file",
      "trace_id",
      "span_id",
      "parent_span_id",
    ] as const
  ) set(key, str(r(key)));
  if (call.served_model === call.model) delete call.served_model;
  set("started_at", iso(r("started_at")));
  set("ended_at", iso(r("ended_at")));
  for (
    const key of [
      "duration_s",
      "ttft_s",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
      "reasoning_tokens",
      "cost_usd",
      "line",
      "prompt_chars",
      "output_chars",
    ] as const
  ) set(key, num(r(key)));
  const error = str(r("error"));
  if (error !== undefined) call.error = clipText(error, o.textLimit);
  const messages = str(r("messages"));
  if (messages !== undefined) {
    const parsed = parseMessages(messages, o.textLimit, o.maxMessages);
    call.messages = parsed.messages;
    if (parsed.omitted) call.messages_omitted = parsed.omitted;
  }
  const output = str(r("output"));
  if (output !== undefined) call.output = clipText(output, o.textLimit);
  const params = r("params");
  if (params !== null && params !== undefined) {
    call.params = clipText(
      typeof params === "string" ? params : JSON.stringify(params),
      o.textLimit,
    );
  }
  if (picked) call.picked = picked;
  return call;
}

// --- spans -------------------------------------------------------------------------

function parsePayload(payload: unknown): Row {
  if (typeof payload !== "string") return {};
  try {
    const v = JSON.parse(payload);
    return v && typeof v === "object" && !Array.isArray(v) ? v as Row : {};
  } catch {
    return {};
  }
}

/** The kind of a span from its name, event type and attributes. */
function spanKind(name: string, type: string, attributes: Row): ExplorerSpan["kind"] {
  const op = [
    attributes["gen_ai.operation.name"],
    attributes["mlflow.spanType"],
    attributes["span_type"],
    attributes["openinference.span.kind"],
    attributes["langfuse.observation.type"],
    type,
    name,
  ].filter((v) => typeof v === "string").join(" ").toLowerCase();
  if (/tool|function_call|retriever/.test(op)) return "tool";
  if (/agent|chain|workflow|invoke/.test(op)) return "agent";
  if (/chat|llm|generation|completion|generate_content|chat_model/.test(op)) return "model";
  return "span";
}

function spanStatus(status: unknown): ExplorerSpan["status"] {
  if (status === null || status === undefined) return null;
  const code = typeof status === "object"
    ? (status as Row).code ?? (status as Row).status_code
    : status;
  const text = String(code ?? "").toUpperCase(); // 2 / STATUS_CODE_ERROR / "error", 1 / OK / "ok"
  if (text === "2" || text.includes("ERROR")) return "error";
  if (text === "1" || text.includes("OK")) return "ok";
  return null;
}

/**
 * The spans of the traces of `shown` calls: the events of a span format (their
 * payload names the `trace_id` and `parent_span_id`, the `request_id` is the span
 * id; `trace_id`/`span_id`/`parent_span_id` columns are read when the events frame
 * has them), merged with the shown calls that have a span id (their end and status).
 */
function traceSpans(
  traces: TraceSet,
  shown: ExplorerCall[],
  o: Required<CallsExplorerOptions>,
): { traces: Record<string, ExplorerSpan[]>; omitted: number } {
  const withSpan = shown.filter((c) => c.trace_id !== undefined && c.span_id !== undefined);
  const wanted = new Set(withSpan.map((c) => c.trace_id!));
  const out = new Map<string, Map<string, ExplorerSpan>>();
  if (wanted.size === 0) return { traces: {}, omitted: 0 };
  const { events } = traces;
  const has = (c: string) => events.columns.includes(c);
  // A trace's span events are in the sessions of its calls.
  const sessions = [...new Set(withSpan.map((c) => c.session_id).filter((v) => v !== undefined))];
  const spanEvents = has("span_id") && has("trace_id")
    ? events.filter(pl.col("span_id").isNotNull().and(pl.col("trace_id").isIn([...wanted])))
    : has("payload")
    ? events.filter(
      pl.col("session_id").isIn(sessions).and(
        pl.col("payload").str.contains("parent_span_id", true),
      ),
    )
    : events.head(0);
  const extra = ["span_id", "parent_span_id", "trace_id", "ended_at", "name"].filter(has);
  const rows = spanEvents.height
    ? spanEvents.select(
      ...new Set(["type", "timestamp", "session_id", "request_id", "payload", ...extra]),
    ).sort("timestamp", false, true).toRecords() as Row[]
    : [];
  let omitted = 0;
  let count = 0;
  for (const r of rows) {
    const payload = parsePayload(r.payload);
    const trace = str(r.trace_id) ?? str(payload.trace_id) ?? str(r.session_id);
    const span = str(r.span_id) ?? str(payload.span_id) ?? str(r.request_id);
    if (trace === undefined || span === undefined || !wanted.has(trace)) continue;
    let spans = out.get(trace);
    if (!spans) out.set(trace, spans = new Map());
    if (spans.has(span)) continue;
    if (spans.size >= o.maxSpansPerTrace || count >= o.maxSpans) {
      omitted++;
      continue;
    }
    const attributes = (payload.attributes && typeof payload.attributes === "object"
      ? payload.attributes
      : {}) as Row;
    const type = str(r.type) ?? "";
    const name = str(r.name) ?? str(payload.name) ?? type.replace(/^otel\./, "");
    const start = iso(r.timestamp) ?? null;
    // The end: an `ended_at` column, else the payload's `ended_at`, or start + `duration_s`.
    const duration = num(payload.duration_s);
    const end = iso(r.ended_at) ?? str(payload.ended_at) ??
      (start !== null && duration !== undefined
        ? new Date(Date.parse(start) + duration * 1000).toISOString()
        : null);
    spans.set(span, {
      span_id: span,
      parent_span_id: str(r.parent_span_id) ?? str(payload.parent_span_id) ?? null,
      name,
      kind: spanKind(name, type, attributes),
      start,
      end,
      status: spanStatus(payload.status),
    });
    count++;
  }
  // The shown calls are their spans (with their end and status), or add them.
  for (const c of withSpan) {
    const trace = c.trace_id!;
    const span = c.span_id!;
    let spans = out.get(trace);
    if (!spans) out.set(trace, spans = new Map());
    const found = spans.get(span);
    const status = c.status === "ok" || c.status === "error" || c.status === "pending"
      ? c.status
      : null;
    if (found) {
      Object.assign(found, {
        kind: "model",
        call: c.id,
        start: found.start ?? c.started_at ?? null,
        end: c.ended_at ?? found.end,
        status,
      });
    } else if (spans.size < o.maxSpansPerTrace) {
      spans.set(span, {
        span_id: span,
        parent_span_id: c.parent_span_id ?? null,
        name: c.model,
        kind: "model",
        start: c.started_at ?? null,
        end: c.ended_at ?? null,
        status,
        call: c.id,
      });
    } else omitted++;
  }
  const result: Record<string, ExplorerSpan[]> = {};
  for (const [trace, spans] of out) {
    // A trace of one span without parent or children has no tree to draw.
    if (spans.size > 1) result[trace] = [...spans.values()];
  }
  return { traces: result, omitted };
}

/** Every clipped text of the calls. */
function textsOf(calls: ExplorerCall[]): ClippedText[] {
  return calls.flatMap((c) => [
    ...(c.messages ?? []).map((m) => m.content),
    ...[c.output, c.params, c.error].filter((t): t is ClippedText => t !== undefined),
  ]);
}

/**
 * Fit the calls' texts into `budget` characters: the largest limit L ≤ `limit` such
 * that the texts cut to L hold at most `budget` characters in all (short texts keep
 * whole, the longest are cut first). Re-clips the texts in place, keeping their full
 * lengths, and returns L.
 */
function fitTextBudget(calls: ExplorerCall[], limit: number, budget: number): number {
  const texts = textsOf(calls);
  const lengths = texts.map((t) => t.text.length);
  const total = (l: number) => lengths.reduce((sum, n) => sum + Math.min(n, l), 0);
  if (total(limit) <= budget) return limit;
  let lo = 0;
  let hi = limit;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  for (const t of texts) t.text = clipText(t.text, lo).text;
  return lo;
}

/**
 * The Calls section's data from a `TraceSet`: every call when there are at most
 * `limit`, else the slowest fifth of the limit, the failed calls (up to two fifths)
 * and a seeded random sample of the others, with the rule in one sentence. Calls are
 * listed by start time. Texts (messages, output, params, errors) are clipped to
 * `textLimit` characters with their full length kept. For span formats, the spans of
 * each shown call's trace.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { callsExplorer } from "./calls_explorer.ts";
 * // 8 calls, one failed; the slowest takes 9 s.
 * const calls = pl.DataFrame({
 *   model: ["gpt-4o", "gpt-4o", "o1-mini", "gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o"],
 *   status: ["ok", "error", "ok", "ok", "ok", "ok", "ok", "ok"],
 *   duration_s: [1.5, 0.2, 9.0, 1, 1, 1, 1, 1],
 *   started_at: [1, 2, 3, 4, 5, 6, 7, 8].map((s) => new Date(Date.UTC(2025, 3, 8, 10, 0, s))),
 * });
 * const empty = pl.DataFrame({});
 * const traces = { calls, sessions: empty, events: empty, diagnostics: empty, files: [], inputs: [] };
 * const data = callsExplorer(traces, { limit: 5 });
 * // A fifth of 5 is the 1 slowest (9 s), two fifths allow 2 failed (there is 1), 3 sampled.
 * const s = data.selection!;
 * if (data.total !== 8 || data.calls.length !== 5 || s.slowest !== 1 || s.failed !== 1 || s.sample !== 3) {
 *   throw new Error("wrong selection");
 * }
 * if (data.calls.find((c) => c.picked === "slowest")!.duration_s !== 9) throw new Error("wrong slowest");
 * ```
 */
export function callsExplorer(
  traces: TraceSet,
  options: CallsExplorerOptions = {},
  texts?: CallTextReader,
): CallsExplorerData {
  // Options left undefined keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Required<CallsExplorerOptions> = { ...EXPLORER_DEFAULTS, ...given };
  if (!Number.isInteger(o.limit) || o.limit < 0) {
    throw new RangeError(`The calls limit must be an integer of at least 0, got ${o.limit}.`);
  }
  const { calls } = traces;
  const { rows, selection } = pickCalls(calls, o.limit, o.seed);
  const indices = [...rows.keys()];
  // List by start time (unknown last), then by row: the frame's order.
  const order = calls.height && indices.length
    ? (calls.select(pl.col("started_at")).withRowIndex("__row")
      .filter(pl.col("__row").isIn(indices))
      .sort(["started_at", "__row"], false, true)
      .getColumn("__row").toArray() as unknown[]).map(Number)
    : [];
  const columns = gather(calls, order, texts);
  const shown = order.map((row, i) => explorerCall(columns, i, i, rows.get(row), o));
  const textLimit = fitTextBudget(shown, o.textLimit, o.textBudget);
  const spans = traceSpans(traces, shown, o);
  return {
    total: calls.height,
    calls: shown,
    selection,
    texts: calls.columns.includes("messages") || calls.columns.includes("output") ||
      texts !== undefined,
    text_limit: textLimit,
    text_budget: textLimit < o.textLimit ? o.textBudget : null,
    traces: spans.traces,
    spans_omitted: spans.omitted,
    groups: calls.columns.includes("group") && calls.height
      ? (calls.getColumn("group").dropNulls().unique({ maintainOrder: true }).toArray() as string[])
      : [],
  };
}

/** A `ReportInput` with the Calls section's data (`buildReportInput` adds it). */
export type ReportInputWithCalls = ReportInput & {
  /** The call explorer's data; absent leaves the Calls section out. */
  calls?: CallsExplorerData;
};

/** What the Calls section's template prints around the explorer (all text, escaped). */
export interface CallsSectionView {
  /** The embedded data, made safe for `<script type="application/json">`. */
  json: string;
  /** Sentences above the explorer: what is shown, the clip limit, the texts. */
  lead: string[];
}

/** The Calls section's sentences and embedded JSON, from its data. */
export function callsSectionView(
  data: CallsExplorerData,
  jsonForScript: (value: unknown) => string,
): CallsSectionView {
  const how = "Filter the calls, then open one to see its prompt, output and timings.";
  const lead = data.selection ? [`${data.selection.rule} ${how}`] : [
    `${data.total === 1 ? "One call" : `All ${formatInt(data.total)} calls`}. ${how}`,
  ];
  lead.push(
    data.texts
      ? `Texts longer than ${formatInt(data.text_limit)} characters are clipped${
        data.text_budget === null
          ? ""
          : ` (to keep the page under ${formatInt(data.text_budget)} characters of text)`
      }, with their full length shown.`
      : "Prompts and outputs were not loaded: run the report with --outputs to see them.",
  );
  const traces = Object.keys(data.traces).length;
  if (traces) {
    lead.push(
      `${formatInt(traces)} ${
        traces === 1 ? "trace has" : "traces have"
      } spans: a call's detail shows its trace as a waterfall (agent → model → tool).`,
    );
  }
  return { json: jsonForScript(data), lead };
}
