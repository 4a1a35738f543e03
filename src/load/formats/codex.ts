/**
 * OpenAI Codex CLI rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`)
 * → imported records.
 *
 * Lines `{timestamp, type, payload}`: `session_meta` (`payload.id` is the
 * session, `model_provider`), `turn_context` (`payload.model`: the model of the
 * calls that follow), `event_msg` (`payload.type` `token_count`,
 * `task_started`, `task_complete`, `turn_aborted`, `error`, `stream_error`,
 * `agent_message`, …) and `response_item` (messages, reasoning, tool calls).
 * - A model call is a `token_count` event whose `info.total_token_usage`
 *   differs from the previous non-null one (Codex repeats unchanged counts, and
 *   `info: null` carries rate limits only); the call's own usage is
 *   `info.last_token_usage` (else the difference of the totals).
 *   `input_tokens` includes `cached_input_tokens` (→ `cache_read_tokens`) and,
 *   in newer versions, `cache_write_input_tokens` (→ `cache_write_tokens`), and
 *   `output_tokens` includes `reasoning_output_tokens` (→ `reasoning_tokens`),
 *   as OpenAI counts them; both are kept as written. Older versions wrote the
 *   usage flat in the event (`{type: "token_count", input_tokens, …}`, one per
 *   response): each is one call.
 * - Errors: each `event_msg` of type `error` (the turn failed) or
 *   `stream_error` (an attempt failed and is retried; Codex 0.20 wrote it as a
 *   `background_event` "stream error: …; retrying …") is one call with status
 *   `error` and its message (a `sandbox_error` is not a model call: event only),
 *   and so is a `task_complete` with an `error` in a turn that had no error
 *   event (Codex 0.17x says a failed turn only there).
 * - Latency only for a turn of one call: its `task_complete` gives the turn's
 *   `duration_ms` and `time_to_first_token_ms` (Codex 0.12x), which are the
 *   call's, and the turn's start is the call's. Otherwise `duration_s` is null
 *   and `started_at` is the time of the token count (when the response ended),
 *   or of the error. The assistant text written since the previous call is
 *   the call's output (`output_chars`): Codex writes each answer twice, as an
 *   `agent_message` event before the response's `token_count` and as an
 *   assistant `response_item` (after that count in Codex 0.3x-0.4x, before it
 *   later), so the events are read when the file has any, else the items.
 * - The model is the latest `turn_context.payload.model` (else
 *   `session_meta.payload.model`, else `unknown`). A turn started and never
 *   completed or aborted leaves the session unfinished.
 * - A forked session (`session_meta.payload.forked_from_id`: `codex fork`, a
 *   sub-agent spawned with the parent's context) starts with the parent's
 *   rollout copied in: the parent's own `session_meta`, turns and
 *   `token_count` events, written again at the fork's time (codex-rs persists
 *   `InitialHistory::Forked` items as-is). Those copies are the parent's calls,
 *   already in the parent's file: they are events, not calls, up to this
 *   session's first own turn — the first `turn_context` whose `turn_id` (a
 *   UUIDv7) was minted at or after the fork (the time of this session's UUIDv7
 *   id, else its `session_meta` timestamp). One `copied_history` warning
 *   counts the token counts passed over. (Files whose turns carry no UUIDv7
 *   `turn_id` are read whole.) A forked session's first count with no
 *   `last_token_usage` holds the parent's running total: a baseline, not a call.
 * - Older rollouts (first line `{id, timestamp, instructions}`, or `{id,
 *   timestamp}` in the first codex-rs releases of May 2025, then bare
 *   response items) record no token usage: their lines are events and no call
 *   is counted (one warning says so). So is a rollout of the current format with
 *   no usage at all (no `token_count`, or only `info: null` ones, as Codex writes
 *   them for a provider that gives none): one `no_token_usage` warning counts
 *   the turns the model answered (an assistant message or tool call), each once
 *   — a turn is its `turn_id`, else its `user_message` (0.47 writes a
 *   `turn_context` again for a retried stream); a turn interrupted or failed
 *   before any answer is not one of them.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { countChars } from "../_event.ts";
import { blankCall, contentText, notAnObject, timeReader } from "./_agent_logs.ts";
import { parseJsonRecords } from "./_json_values.ts";
import type { ImportedCall, ImportedRecords } from "./_records.ts";
import { compactPayload, count, isObj, type Obj, str } from "./_util.ts";

/**
 * A turn that made one model call, and no other (a local tool's result would have been sent back
 * in a second), is that call: the turn's `task_complete` (Codex 0.12x) gives its time
 * (`duration_ms`, from the turn's start) and its time to the first token.
 */
function timeSoleCall(calls: ImportedCall[], start: number | null, done: Obj): void {
  const ms = count(done.duration_ms);
  if (calls.length !== 1 || calls[0]!.status !== "ok" || start === null || ms === null) return;
  const call = calls[0]!;
  call.started_at = start;
  call.duration_s = ms / 1000;
  call.ended_at = start + ms * 1000;
  const ttft = count(done.time_to_first_token_ms);
  if (ttft !== null && ttft <= ms) call.ttft_s = ttft / 1000;
}

/** Line types of the current rollout format. */
const LINE_TYPES = new Set([
  "session_meta",
  "turn_context",
  "event_msg",
  "response_item",
  "compacted",
]);

const isRolloutLine = (v: unknown) =>
  isObj(v) && typeof v.type === "string" && LINE_TYPES.has(v.type) && isObj(v.payload) &&
  "timestamp" in v;

/** An item of an older rollout: a response item (`{type: "message", …}`) or `{record_type: "state"}`. */
const isOldItem = (v: unknown) =>
  isObj(v) && (typeof v.record_type === "string" ||
    (typeof v.type === "string" && !("payload" in v) && !("timestamp" in v)));

/**
 * An older rollout: first line `{id, timestamp, instructions, git?}`, or `{id, timestamp, git?}`
 * alone (the first codex-rs releases, npm 0.1.2505… of May 2025, wrote no `instructions`), then
 * response items.
 */
const isOldRollout = (values: unknown[]) => {
  const v = values[0];
  if (!isObj(v) || typeof v.id !== "string" || !("timestamp" in v) || "type" in v) return false;
  if ("instructions" in v) return true;
  return Object.keys(v).every((k) => k === "id" || k === "timestamp" || k === "git") &&
    values.length > 1 && values.slice(1, 20).every(isOldItem);
};

function detect(s: FormatSample): boolean {
  // lines gathered into one array (jq -s) are judged by their elements; an array of nothing known is not
  if (s.array && s.values.length === 0) return false;
  if (s.values.length === 0) {
    return s.keys.includes("payload") && s.keys.includes("type") && s.keys.includes("timestamp");
  }
  return s.values.slice(0, 20).some(isRolloutLine) || isOldRollout(s.values);
}

/**
 * The usage fields of a Codex `TokenUsage` (rollouts) or of a `turn.completed`
 * usage (`codex exec --json`), as counts (null when absent).
 */
export function codexUsage(u: unknown): {
  input: number | null;
  cached: number | null;
  output: number | null;
  reasoning: number | null;
  total: number | null;
  cacheWrite: number | null;
} {
  const o = isObj(u) ? u : {};
  return {
    input: count(o.input_tokens),
    cached: count(o.cached_input_tokens),
    output: count(o.output_tokens),
    reasoning: count(o.reasoning_output_tokens),
    total: count(o.total_tokens),
    cacheWrite: count(o.cache_write_input_tokens),
  };
}

type Usage = ReturnType<typeof codexUsage>;

/** A call's tokens from a Codex usage (input includes cached and cache writes, output includes reasoning). */
function setUsage(call: ImportedCall, u: Usage): void {
  call.input_tokens = u.input;
  call.cache_read_tokens = u.cached;
  call.output_tokens = u.output;
  call.reasoning_tokens = u.reasoning;
  call.cache_write_tokens = u.cacheWrite;
  call.total_tokens = u.total ??
    (u.input !== null && u.output !== null ? u.input + u.output : null);
}

const minus = (a: number | null, b: number | null) => (a === null ? null : a - (b ?? 0));

/** The time a UUIDv7 was minted (its first 48 bits, ms since the epoch) in µs; null for other ids. */
function uuidV7Micros(id: unknown): number | null {
  if (typeof id !== "string" || !/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/i.test(id)) return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16) * 1000;
}

/** A response item or event that is the model's answer: an assistant message or a tool call. */
function isAnswer(type: string, payload: Obj): boolean {
  const kind = payload.type;
  if (type === "event_msg") return kind === "agent_message";
  if (type !== "response_item") return false;
  return (kind === "message" && payload.role === "assistant") || kind === "function_call" ||
    kind === "custom_tool_call" || kind === "local_shell_call";
}

/**
 * How a rollout's lines name their turn: by `turn_id` (task_started, turn_context) where the file
 * has them; else each `user_message` event starts one (Codex 0.47 writes a `turn_context` for every
 * request of a turn, a retried one too); else each `turn_context` does. Null: the line starts none.
 */
function turnKeyOf(
  values: { line: number; value: unknown }[],
): (v: Obj, line: number) => string | null {
  const payloadOf = (v: unknown) => (isObj(v) && isObj(v.payload) ? v.payload : null);
  const starts = (v: unknown, kind: string) =>
    isObj(v) && v.type === "event_msg" && payloadOf(v)?.type === kind;
  if (
    values.some(({ value: v }) =>
      isObj(v) && v.type === "turn_context" && str(payloadOf(v)?.turn_id)
    )
  ) {
    return (v) =>
      v.type === "turn_context" || starts(v, "task_started") ? str(payloadOf(v)?.turn_id) : null;
  }
  if (values.some(({ value: v }) => starts(v, "user_message"))) {
    return (v, line) => (starts(v, "user_message") ? `line ${line}` : null);
  }
  return (v, line) => (v.type === "turn_context" ? `line ${line}` : null);
}

/**
 * Parse the text of a Codex CLI rollout file.
 *
 * @example
 * ```ts
 * import { parseCodexText } from "./codex.ts";
 * const usage = { input_tokens: 100, cached_input_tokens: 80, output_tokens: 10, reasoning_output_tokens: 4, total_tokens: 110 };
 * const lines = [
 *   { timestamp: "2026-01-01T00:00:00Z", type: "session_meta", payload: { id: "s1", model_provider: "openai" } },
 *   { timestamp: "2026-01-01T00:00:01Z", type: "turn_context", payload: { model: "gpt-5-codex" } },
 *   { timestamp: "2026-01-01T00:00:05Z", type: "event_msg", payload: { type: "token_count", info: { total_token_usage: usage, last_token_usage: usage } } },
 *   { timestamp: "2026-01-01T00:00:06Z", type: "event_msg", payload: { type: "token_count", info: { total_token_usage: usage, last_token_usage: usage } } },
 * ];
 * const r = parseCodexText(lines.map((l) => JSON.stringify(l)).join("\n"), "rollout.jsonl");
 * // the repeated count is not a second call
 * if (r.calls.length !== 1 || r.calls[0]!.cache_read_tokens !== 80 || r.calls[0]!.model !== "gpt-5-codex") throw new Error();
 * ```
 */
export function parseCodexText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonRecords(text, file);
  const time = timeReader(file, diagnostics, options.timezone);
  const records: ImportedRecords = { calls: [], events: [], diagnostics, sessions: [] };
  const head = values.slice(0, 20).map((v) => v.value);
  if (isOldRollout(head)) return parseOldRollout(values, file, records, time);
  const meta = values.map((v) => v.value).find((v) =>
    isObj(v) && v.type === "session_meta" && isObj(v.payload)
  );
  const metaPayload = isObj(meta) && isObj(meta.payload) ? meta.payload : {};
  const session = str(metaPayload.id) ?? file;
  const provider = str(metaPayload.model_provider);
  let model = str(metaPayload.model);
  // a forked session: the parent's rollout copied before this session's first own turn
  const forkedFrom = str(metaPayload.forked_from_id);
  const forkAt = forkedFrom === null
    ? null
    : uuidV7Micros(metaPayload.id) ?? time(metaPayload.timestamp, values[0]?.line ?? 1);
  let copying = forkAt !== null &&
    values.some(({ value: v }) =>
      isObj(v) && v.type === "turn_context" && isObj(v.payload) &&
      uuidV7Micros(v.payload.turn_id) !== null
    );
  let copiedCounts = 0;
  let copiedLine = 0;
  let previous: Usage | null = null;
  let previousKey: string | null = null;
  let turnOpen = false;
  // the open turn's start and the calls made in it (a turn of one call is timed by its turn)
  let turnStart: number | null = null;
  let turnCalls: ImportedCall[] = [];
  let texts: string[] = []; // assistant message text since the last call: the next call's output
  // each answer is an agent_message event written before its response's token count, and a
  // response item written after it in Codex 0.3x-0.4x: the events are the texts when written
  const answersAsEvents = values.some(({ value: v }) =>
    isObj(v) && v.type === "event_msg" && isObj(v.payload) && v.payload.type === "agent_message"
  );
  // the turns the model answered, and the token counts that carry usage: a rollout with answered
  // turns and no usage recorded none (below). A turn is its turn_id where the file has them
  // (Codex 0.5x on), else a user_message event (0.47 writes a turn_context again for a retried
  // stream), else a turn_context; an answer is an assistant message or a tool call
  const turnKey = turnKeyOf(values);
  let turn: string | null = null, turnLine = 1;
  const answered = new Map<string, number>(); // turn → the line it started
  let usageCounts = 0;
  for (const { line, value: v } of values) {
    if (!isObj(v)) {
      diagnostics.push(notAnObject(file, line, "a Codex rollout line"));
      continue;
    }
    const type = str(v.type) ?? "unknown";
    const payload: Obj = isObj(v.payload) ? v.payload : {};
    const kind = str(payload.type);
    const ts = time(v.timestamp, line);
    records.events.push({
      file,
      line,
      type: `codex.${type}${kind ? `.${kind}` : ""}`,
      ts,
      end: null,
      session_id: session,
      request_id: str(payload.turn_id),
      payload: compactPayload(payload),
    });
    const lineTurn = turnKey(v, line);
    if (lineTurn !== null && lineTurn !== turn) [turn, turnLine] = [lineTurn, line];
    if (isAnswer(type, payload) && !answered.has(turn ?? "")) answered.set(turn ?? "", turnLine);
    if (
      type === "event_msg" && kind === "token_count" &&
      (isObj(payload.info) || count(payload.input_tokens) !== null)
    ) usageCounts++;
    if (copying) {
      const minted = type === "turn_context" ? uuidV7Micros(payload.turn_id) : null;
      if (minted !== null && minted >= forkAt!) copying = false; // this session's first own turn
      else {
        if (type === "event_msg" && kind === "token_count" && isObj(payload.info)) {
          // the parent's count: not a call, but the running total this session continues from
          const total = codexUsage(payload.info.total_token_usage);
          const key = JSON.stringify(total);
          if (key !== previousKey) {
            copiedCounts++;
            copiedLine ||= line;
          }
          previous = total;
          previousKey = key;
        } else if (type === "turn_context") model = str(payload.model) ?? model;
        continue;
      }
    }
    if (type === "response_item" && kind === "message" && payload.role === "assistant") {
      const text = answersAsEvents ? null : contentText(payload.content);
      if (text !== null) texts.push(text);
      continue;
    }
    if (type === "turn_context") {
      model = str(payload.model) ?? model;
      continue;
    }
    if (type !== "event_msg") continue;
    if (kind === "agent_message") {
      const text = str(payload.message);
      if (text !== null) texts.push(text);
      continue;
    }
    if (kind === "task_started") {
      turnOpen = true;
      turnStart = ts;
      turnCalls = [];
    }
    if (kind === "task_complete") timeSoleCall(turnCalls, turnStart, payload);
    if (kind === "task_complete" || kind === "turn_aborted") turnOpen = false;
    // a turn that failed says so in its task_complete only (Codex 0.17x writes no error event
    // for it): one error call, unless the turn's error event made it already
    const turnErrors = turnCalls.some((c) => c.status === "error");
    const failedTurn = kind === "task_complete" && payload.error !== undefined &&
      payload.error !== null && !turnErrors;
    const newCall = () => {
      const call = blankCall(file, line, session);
      call.model = model ?? "unknown";
      call.provider = provider;
      call.started_at = ts;
      if (options.keepText) call.messages = call.output = null;
      records.calls.push(call);
      turnCalls.push(call);
      return call;
    };
    /** A successful call takes the assistant text written since the previous call. */
    const withOutput = (call: ImportedCall) => {
      const output = texts.length ? texts.join("\n") : null;
      texts = [];
      call.output_chars = output === null ? null : countChars(output);
      if (options.keepText) call.output = output;
      return call;
    };
    // a retried stream: Codex 0.20, before its stream_error event, said it in a background_event
    // ("stream error: …; retrying 1/5 in 200ms…")
    const streamError = kind === "stream_error" ||
      (kind === "background_event" &&
        /^stream error: .*; retrying \d+\/\d+/s.test(str(payload.message) ?? ""));
    if (kind === "error" || streamError || failedTurn) {
      const nested = isObj(payload.error) ? payload.error : null;
      const info = payload.codex_error_info ?? nested?.codex_error_info;
      if (info === "sandbox_error") continue;
      const call = newCall();
      texts = [];
      call.status = "error";
      // the message, or an error object's (`error: {kind: "rate_limit", message}`)
      const message = str(payload.message) ?? str(nested?.message) ?? str(payload.error) ??
        (streamError ? "stream error" : "Codex error");
      const detail = typeof info === "string"
        ? info
        : isObj(info)
        ? Object.keys(info)[0]
        : str(nested?.kind) ?? null;
      call.error = `${message}${detail && !message.includes(detail) ? ` (${detail})` : ""}${
        streamError ? " (retried)" : ""
      }`;
      continue;
    }
    if (kind !== "token_count") continue;
    if (!("info" in payload) && count(payload.input_tokens) !== null) {
      // older versions: the event is the usage of the response just completed
      setUsage(withOutput(newCall()), codexUsage(payload));
      continue;
    }
    if (!isObj(payload.info)) continue;
    const total = codexUsage(payload.info.total_token_usage);
    const key = JSON.stringify(total);
    if (key === previousKey) continue;
    if (!isObj(payload.info.last_token_usage) && previous === null && forkedFrom !== null) {
      // a forked session's first running total includes the parent's usage: a baseline
      previous = total;
      previousKey = key;
      continue;
    }
    const last = isObj(payload.info.last_token_usage)
      ? codexUsage(payload.info.last_token_usage)
      : previous === null
      ? total
      : {
        input: minus(total.input, previous.input),
        cached: minus(total.cached, previous.cached),
        output: minus(total.output, previous.output),
        reasoning: minus(total.reasoning, previous.reasoning),
        total: minus(total.total, previous.total),
        cacheWrite: minus(total.cacheWrite, previous.cacheWrite),
      };
    previous = total;
    previousKey = key;
    setUsage(withOutput(newCall()), last);
  }
  if (copiedCounts > 0) {
    diagnostics.push({
      file,
      line: copiedLine,
      code: "copied_history",
      message:
        `session ${session} is forked from ${forkedFrom}: its first lines copy the parent's rollout, whose ${copiedCounts} token count${
          copiedCounts > 1 ? "s are" : " is"
        } the parent's calls (in the parent's file), not this session's`,
      severity: "warning",
      count: copiedCounts,
    });
  }
  if (answered.size > 0 && usageCounts === 0) {
    // Codex writes each response's usage in a token_count event (with `info: null` when the
    // provider gave none): without any, the answered turns' model calls cannot be counted (as in
    // an older rollout), which the file must not hide
    const n = answered.size;
    diagnostics.push({
      file,
      line: Math.min(...answered.values()),
      code: "no_token_usage",
      message: `this Codex rollout has ${n} turn${
        n > 1 ? "s" : ""
      } answered by the model but no token usage (no token_count event carries any): ${
        n > 1 ? "their" : "its"
      } model calls are not counted`,
      severity: "warning",
    });
  }
  if (turnOpen) records.sessions!.push({ session_id: session, complete: false });
  return records;
}

/** An older rollout: events only (it records no token usage). */
function parseOldRollout(
  values: { line: number; value: unknown }[],
  file: string,
  records: ImportedRecords,
  time: (v: unknown, line: number) => number | null,
): ImportedRecords {
  const header = values[0]!.value as Obj;
  const session = str(header.id) ?? file;
  for (const { line, value: v } of values) {
    if (!isObj(v)) continue;
    const kind = line === values[0]!.line
      ? "session_meta"
      : str(v.type) ?? str(v.record_type) ?? "unknown";
    records.events.push({
      file,
      line,
      type: `codex.${kind}`,
      ts: time(v.timestamp, line),
      end: null,
      session_id: session,
      request_id: null,
      payload: compactPayload(v),
    });
  }
  records.diagnostics.push({
    file,
    line: values[0]!.line,
    code: "no_token_usage",
    message:
      "an older Codex rollout (first line {id, timestamp, …}) records no token usage: its lines are events and no model call is counted",
    severity: "warning",
  });
  return records;
}

/** OpenAI Codex CLI rollouts. */
export const codex: FormatAdapter = {
  name: "codex",
  title: "OpenAI Codex CLI rollout",
  reads:
    "one call per token_count whose total usage changed (its last_token_usage; cached input and reasoning kept apart); error and stream_error events are errors; no latency; session = session_meta id",
  example:
    '{"timestamp": "…", "type": "event_msg", "payload": {"type": "token_count", "info": {"total_token_usage": {…}, "last_token_usage": {…}}}}',
  detect,
  parse: (source, file, options) => parseCodexText(source.text(), file, options),
};
