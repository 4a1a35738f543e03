/**
 * Claude Code session transcripts (`~/.claude/projects/<dir>/<session>.jsonl`)
 * → imported records.
 *
 * One JSON object per line; `type` is `user`, `assistant`, `system`,
 * `attachment`, `file-history-snapshot`, `summary`, … (unknown types occur).
 * - A model call is one API response. Claude Code writes a response as one
 *   `assistant` line per content block, each repeating the same
 *   `message.usage`: the lines are grouped by `requestId` (else `message.id`)
 *   and their usage is counted once (the largest value of each field, as a
 *   response streamed over several lines only grows; a response copied again
 *   into the same file, e.g. by a resumed session, is still one call, and so
 *   is a line without `requestId` whose `message.id` a line with one wrote:
 *   1.0.59 writes each answer again so, as the history of a next prompt fed
 *   on standard input; a content block written again adds no output). Model:
 *   the line's `requestedModel` (the model the request asked for, as sent:
 *   an alias such as `sonnet` resolved, without a `[1m]` tag; Claude Code
 *   2.1.307 and 2.1.332 write it), else `message.model`; `served_model` is
 *   `message.model` (an API answering a request of `claude-sonnet-5-5` as
 *   `claude-sonnet-5-5-20990101`). Tokens:
 *   `message.usage.input_tokens` (Anthropic's: without the cache),
 *   `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens`.
 * - Errors: every `system` line with `subtype: "api_error"` (one failed
 *   attempt, retried; its request id `error.requestID`, 2.1.332's `requestId`) and every `assistant` line with `isApiErrorMessage: true`
 *   (or model `"<synthetic>"` whose text starts with `API Error`) is one call
 *   with status `error` and no tokens. Its model is the one the failed
 *   request asked for, where the file states it: the `params.model` of the
 *   session's last `api-request` line before it that no answer names (2.1.307+
 *   write one per attempt), else the model an unknown-model error names
 *   (`not_found_error` "model: …"). Else it is inferred: the model in force,
 *   that of the session's call before it in its chain (main or sidechain), else
 *   of the call after it, a `model_fallback` line between them telling which
 *   (`originalModel` before it, `fallbackModel` after); else `unknown`. A
 *   `model_fallback` line is one more error call, of its `originalModel`: the
 *   request that failed and made Claude Code switch, which no `api_error` line
 *   records (2.1.282, 2.1.332), unless the session's last `api-request` line
 *   of that model is one an error line follows.
 *   Other `"<synthetic>"` lines are not model calls (events only).
 * - A request's time: Claude Code 2.1.307 and 2.1.332 (not 2.1.282) write
 *   an `api-request` line as each request is made (its `id`, `timestamp`, `params.model`), and
 *   the assistant lines of its answer name it (`requestRef`). Such a call
 *   starts at the request's line and ends at the response's last line: each
 *   line is stamped as its content block ends, so the last is the end of the
 *   answer's last block (the `message_delta` after it is not stamped, and
 *   follows it at once); `duration_s` is that span. The first line is the end
 *   of the first block, not its first token: no time to first token. Without
 *   a request line (older versions, or one the file lacks) `duration_s` is
 *   null and `started_at` is the time of the response's first line (early
 *   versions wrote `durationMs` on assistant lines: then it is the duration).
 * - Claude Code's own running totals, its `cost-state` line (written again
 *   as they grow; the last counts): `totalCostUSD` and `totalAPIDuration`
 *   are the session's `reported_cost_usd` and `duration_api_ms`, as the
 *   headless output's `result` line gives them (`claudeCodeTotals`). Its
 *   `totalDuration` runs from the process's start, not the result's
 *   `duration_ms`: left in the event.
 * - Session: `sessionId` (subagent sidechains carry their parent's and stay in
 *   it); lines without one (`file-history-snapshot`) take the file's first
 *   `sessionId`, else the file name. Lines without `timestamp` are events with
 *   no time. Every line is an event `claude_code.<type>[.<subtype>]`.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import {
  addResponseLine,
  type AnthropicResponse,
  anthropicResponse,
  claudeCodeTotals,
  contentText,
  errorCall,
  fallbackCall,
  fallbackModels,
  finishResponses,
  notAnObject,
  timeReader,
} from "./_agent_logs.ts";
import { parseJsonRecords } from "./_json_values.ts";
import type { ImportedCall, ImportedRecords, ImportedSession } from "./_records.ts";
import { compactPayload, count, isObj, num, type Obj, str } from "./_util.ts";

/** Line types that only Claude Code writes (with a `sessionId`). */
const META_TYPES = new Set([
  "file-history-snapshot",
  "summary",
  "last-prompt",
  "permission-mode",
  "ai-title",
  "queue-operation",
  "attachment",
]);

/** True for one object that is a Claude Code transcript line. */
function isClaudeLine(v: unknown): boolean {
  if (!isObj(v) || typeof v.type !== "string") return false;
  if (v.type === "file-history-snapshot" && "snapshot" in v) return true;
  if (v.type === "summary" && "leafUuid" in v) return true;
  if (typeof v.sessionId !== "string") return false;
  return "uuid" in v || "parentUuid" in v || "leafUuid" in v || META_TYPES.has(v.type);
}

function detect(s: FormatSample): boolean {
  // lines gathered into one array (jq -s) are judged by their elements; an array of nothing known is not
  if (s.array && s.values.length === 0) return false;
  if (s.values.length === 0) {
    const k = s.keys;
    // a first line longer than the sample (a big snapshot or tool result): its keys
    return k.includes("type") &&
      ((k.includes("sessionId") && (k.includes("uuid") || k.includes("parentUuid"))) ||
        (k.includes("messageId") && k.includes("snapshot")) || k.includes("leafUuid"));
  }
  return s.values.some(isClaudeLine);
}

/**
 * The error object of an Anthropic SDK error's message, `<status> <JSON body>` (`529
 * {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`), which Claude Code
 * 2.1.332 writes as the `api_error` line's `error.message` without the body apart; else null.
 */
function sdkErrorBody(message: string | null): Obj | null {
  const body = message?.match(/^\d{3} (\{.*\})$/s)?.[1];
  if (body === undefined) return null;
  try {
    const v: unknown = JSON.parse(body);
    return isObj(v) && isObj(v.error) ? v.error : null;
  } catch {
    return null;
  }
}

/**
 * The model an API error names: the API refuses a request of a model it does not serve with
 * `not_found_error` "model: <name>", which Claude Code keeps in the error's text (1.0.x: `API
 * Error: 404 {…}`), in `errorDetails` or in an `api_error` line's `error.message`. Else null.
 */
function modelInError(...texts: unknown[]): string | null {
  for (const t of texts) {
    const m = typeof t === "string"
      ? t.match(/not_found_error\\?"\s*,\s*\\?"message\\?"\s*:\s*\\?"model: ([^"\\\s]+)/)
      : null;
    if (m) return m[1]!;
  }
  return null;
}

/** The message of an `api_error` line's `error` (nested as Claude Code writes it). */
function apiErrorText(v: Obj): string {
  const e = v.error;
  const parts: string[] = [];
  if (typeof e === "string") parts.push(e);
  else if (isObj(e)) {
    const inner = isObj(e.error)
      ? (isObj(e.error.error) ? e.error.error : e.error)
      : sdkErrorBody(str(e.message));
    const message = str(inner?.message) ?? str(e.message) ??
      (isObj(e.cause) ? str(e.cause.code) ?? str(e.cause.message) : null);
    const status = count(e.status);
    if (status !== null) parts.push(`HTTP ${status}`);
    if (message) parts.push(message);
    else if (str(inner?.type)) parts.push(str(inner?.type)!);
  }
  if (parts.length === 0 && typeof v.content === "string" && v.content) parts.push(v.content);
  const attempt = count(v.retryAttempt), max = count(v.maxRetries);
  const text = parts.length ? parts.join(": ") : "API error";
  return attempt !== null
    ? `${text} (attempt ${attempt}${max !== null ? ` of ${max}` : ""}, retried)`
    : text;
}

/** A `model_fallback` line: from its line on, the session's requests ask for `to`, not `from`. */
interface Fallback {
  line: number;
  session_id: string;
  from: string | null;
  to: string | null;
}

/**
 * The model of failed requests no line names (Claude Code before 2.1.307 writes no `api-request`
 * line, and its error lines name no model): the model in force, that of the call before it in its
 * session and chain (main or sidechain), else of the call after it (a session whose first request
 * failed: the retry's). A `model_fallback` line between them (`--fallback-model`, after repeated
 * 529s) says which: its `originalModel` before it, its `fallbackModel` after. An inference, said
 * so in the README; `served_model` stays null.
 */
function inferErrorModels(
  calls: ImportedCall[],
  unstated: ImportedCall[],
  chainOf: Map<ImportedCall, boolean>,
  fallbacks: Fallback[],
): void {
  if (unstated.length === 0) return;
  const todo = new Set(unstated);
  const chain = (c: { session_id: string }) =>
    `${c.session_id}\u0000${chainOf.get(c as ImportedCall) ?? false}`;
  // in line order (a call is pushed as its first line is read): the call before, then after
  const inOrder = [...calls, ...fallbacks].sort((a, b) => a.line - b.line);
  for (const [order, forward] of [[inOrder, true], [inOrder.toReversed(), false]] as const) {
    const last = new Map<string, string>();
    for (const c of order) {
      if (!("model" in c)) {
        const model = forward ? c.to : c.from;
        if (model) last.set(chain(c), model);
      } else if (!todo.has(c)) {
        if (c.model !== "unknown") last.set(chain(c), c.model);
      } else if (last.has(chain(c))) {
        c.model = last.get(chain(c))!;
        todo.delete(c);
      }
    }
  }
}

/**
 * Parse the text of a Claude Code session transcript.
 *
 * @example
 * ```ts
 * import { parseClaudeCodeText } from "./claude_code.ts";
 * const usage = { input_tokens: 3, output_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 };
 * const line = (block: string, ts: string) => JSON.stringify({
 *   type: "assistant", sessionId: "s1", uuid: ts, parentUuid: null, timestamp: ts, requestId: "req_1",
 *   message: { id: "msg_1", model: "claude-sonnet-4-6", content: [{ type: block }], usage },
 * });
 * const text = [line("thinking", "2026-01-01T00:00:01Z"), line("tool_use", "2026-01-01T00:00:02Z")].join("\n");
 * const r = parseClaudeCodeText(text, "s.jsonl");
 * // two lines of one response: one call, its usage counted once
 * if (r.calls.length !== 1 || r.calls[0]!.output_tokens !== 20 || r.events.length !== 2) throw new Error();
 * ```
 */
export function parseClaudeCodeText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonRecords(text, file);
  const time = timeReader(file, diagnostics, options.timezone);
  const records: ImportedRecords = { calls: [], events: [], diagnostics };
  const fileSession =
    values.map((v) => (isObj(v.value) ? str(v.value.sessionId) : null)).find((s) => s) ?? file;
  const responses = new Map<string, AnthropicResponse>();
  // each response by its message id, and the content blocks each has had
  const byMessage = new Map<string, AnthropicResponse>();
  const blocks = new Map<AnthropicResponse, Set<string>>();
  // the api-request lines (when each request was made), and of each response the request its
  // lines name (requestRef) and the time of its last line
  const requests = new Map<string, number | null>();
  const spans = new Map<AnthropicResponse, { request: string | null; end: number | null }>();
  // each session's last cost-state line: Claude Code's running totals
  const totals = new Map<string, Obj>();
  // each session's last turn line: one that waits for the model (a tool's result, an answer that
  // asked for a tool) leaves the session unfinished (a transcript has no end marker)
  const waiting = new Map<string, boolean>();
  // each session's latest api-request line not yet answered (2.1.307+): the model it asked for
  const pending = new Map<string, { id: string; model: string | null }>();
  // each session's latest api-request line of each model, and the request lines an answer or an
  // error line accounts for: a model_fallback line's failed request is one no line accounts for
  const lastRequest = new Map<string, string>();
  const recorded = new Set<string>();
  // the chain (main or sidechain) of each call, and the error calls whose model no line states
  const chainOf = new Map<ImportedCall, boolean>();
  const unstated: ImportedCall[] = [];
  const fallbacks: Fallback[] = [];
  const failed = (
    line: number,
    v: Obj,
    session: string,
    ts: number | null,
    requestId: string | null,
    error: string,
    named: string | null,
  ) => {
    const fields = { provider: "anthropic", request_id: requestId, started_at: ts, error };
    const call = errorCall(file, line, session, fields, options.keepText);
    // the model the failed request asked for: the line's, the api-request line it follows, the
    // model an error of an unknown model names; else inferred below from the session's calls
    const model = str(v.requestedModel) ?? pending.get(session)?.model ?? named;
    if (pending.has(session)) recorded.add(pending.get(session)!.id);
    if (model) call.model = model;
    else unstated.push(call);
    chainOf.set(call, v.isSidechain === true);
    records.calls.push(call);
  };
  for (const { line, value: v } of values) {
    if (!isObj(v)) {
      diagnostics.push(notAnObject(file, line, "a Claude Code transcript line"));
      continue;
    }
    const type = str(v.type) ?? "unknown";
    const subtype = str(v.subtype);
    const ts = time(v.timestamp, line);
    const session = str(v.sessionId) ?? fileSession;
    const message = isObj(v.message) ? v.message : null;
    records.events.push({
      file,
      line,
      type: `claude_code.${type}${subtype ? `.${subtype}` : ""}`,
      ts,
      end: null,
      session_id: session,
      request_id: str(v.requestId) ?? str(message?.id),
      payload: compactPayload(v),
    });
    if (type === "system" && subtype === "api_error") {
      const e = isObj(v.error) ? v.error : null;
      failed(
        line,
        v,
        session,
        ts,
        str(e?.requestID) ?? str(e?.requestId) ?? str(e?.request_id) ?? str(v.uuid),
        apiErrorText(v),
        modelInError(e?.message, JSON.stringify(e?.error ?? null)),
      );
      continue;
    }
    if ((type === "user" || type === "assistant") && message !== null && v.isMeta !== true) {
      const blocks = Array.isArray(message.content) ? message.content : [];
      waiting.set(
        session,
        type === "user"
          ? blocks.some((b) => isObj(b) && b.type === "tool_result")
          : message.stop_reason === "tool_use",
      );
    }
    if (type === "system" && subtype === "model_fallback") {
      const { from, to } = fallbackModels(v);
      if (v.isSidechain !== true) fallbacks.push({ line, session_id: session, from, to });
      // the request that failed and made Claude Code switch models (fallbackCall), unless its
      // api-request line (2.1.307+) is one an error line follows
      const request = from === null ? undefined : lastRequest.get(`${session}\u0000${from}`);
      const call = request !== undefined && recorded.has(request)
        ? null
        : fallbackCall(file, line, session, ts, v, options.keepText);
      if (call !== null) {
        if (request !== undefined) recorded.add(request);
        chainOf.set(call, v.isSidechain === true);
        records.calls.push(call);
      }
    }
    if (type === "api-request" && str(v.id)) {
      requests.set(str(v.id)!, ts);
      const params = isObj(v.params) ? v.params : null;
      pending.set(session, { id: str(v.id)!, model: str(params?.model) });
      if (str(params?.model)) lastRequest.set(`${session}\u0000${str(params?.model)}`, str(v.id)!);
    }
    if (type === "cost-state") totals.set(session, v);
    if (type !== "assistant" || message === null) continue;
    const model = str(message.model);
    const apiError = v.isApiErrorMessage === true ||
      (model === "<synthetic>" && /^API Error/i.test(contentText(message.content)?.trim() ?? ""));
    if (apiError) {
      const status = count(v.apiErrorStatus);
      const text = contentText(message.content) ?? str(v.error) ?? "API error";
      failed(
        line,
        v,
        session,
        ts,
        str(v.requestId) ?? str(message.id) ?? str(v.uuid),
        status !== null && !text.includes(String(status)) ? `HTTP ${status}: ${text}` : text,
        modelInError(text, v.errorDetails),
      );
      continue;
    }
    if (model === "<synthetic>") continue; // a message Claude Code wrote itself, not a response
    const key = str(v.requestId) ?? str(message.id) ?? `line ${line}`;
    const messageId = str(message.id);
    // a line without its requestId whose message a line with one wrote (1.0.59 writes each answer
    // again, without it, as history for the next prompt of a --input-format stream-json run)
    let r = responses.get(key) ?? (messageId === null ? undefined : byMessage.get(messageId));
    if (!r) {
      r = anthropicResponse(file, line, session, str(v.requestId) ?? messageId, model, ts);
      records.calls.push(r.call);
      chainOf.set(r.call, v.isSidechain === true);
    } else if (str(v.requestId) && r.call.request_id === messageId) {
      r.call.request_id = str(v.requestId);
    }
    responses.set(key, r);
    if (messageId !== null && !byMessage.has(messageId)) byMessage.set(messageId, r);
    // a content block written again (a copy of the response) is not more output
    const block = JSON.stringify(message.content ?? null);
    const seen = blocks.get(r) ?? new Set<string>();
    blocks.set(r, seen);
    if (seen.has(block)) continue;
    seen.add(block);
    if (str(v.requestRef) && pending.get(session)?.id === str(v.requestRef)) {
      pending.delete(session);
    }
    if (str(v.requestRef)) recorded.add(str(v.requestRef)!);
    if (r.call.started_at === null) r.call.started_at = ts;
    addResponseLine(r, message);
    const requested = str(v.requestedModel);
    if (requested) r.call.model = requested;
    const span = spans.get(r) ?? { request: null, end: null };
    span.request ??= str(v.requestRef);
    if (ts !== null && (span.end === null || ts > span.end)) span.end = ts;
    spans.set(r, span);
    const ms = typeof v.durationMs === "number" && v.durationMs >= 0 ? v.durationMs : null;
    if (ms !== null && (r.call.duration_s === null || ms / 1000 > r.call.duration_s)) {
      r.call.duration_s = ms / 1000;
    }
  }
  for (const [r, { request, end }] of spans) {
    const start = request === null ? null : requests.get(request) ?? null;
    if (start === null || end === null || end < start) continue;
    Object.assign(r.call, { started_at: start, ended_at: end, duration_s: (end - start) / 1e6 });
  }
  const subCalls = finishResponses(new Set(responses.values()), options, diagnostics);
  inferErrorModels(records.calls, unstated, chainOf, fallbacks);
  // a response's sub-requests (compaction, an advisor's) after the error models are inferred
  records.calls.push(...subCalls);
  const told = new Map<string, ImportedSession>();
  for (const [session_id, w] of waiting) {
    if (w) told.set(session_id, { session_id, complete: false });
  }
  for (const [session_id, v] of totals) {
    const metadata = claudeCodeTotals({
      costUsd: num(v.totalCostUSD),
      apiMs: num(v.totalAPIDuration),
    });
    if (Object.keys(metadata).length === 0) continue;
    told.set(session_id, { ...told.get(session_id) ?? { session_id }, metadata });
  }
  if (told.size > 0) records.sessions = [...told.values()];
  return records;
}

/** Claude Code session transcripts. */
export const claudeCode: FormatAdapter = {
  name: "claude_code",
  title: "Claude Code session transcript",
  reads:
    "one call per API response (assistant lines grouped by requestId, usage counted once); api_error lines and API error messages are errors; latency from the api-request line its answer names (2.1.307+); session = sessionId",
  example:
    '{"type": "assistant", "sessionId": "…", "requestId": "req_…", "timestamp": "…", "message": {"model": "claude-sonnet-4-6", "usage": {…}}}',
  detect,
  parse: (source, file, options) => parseClaudeCodeText(source.text(), file, options),
};
