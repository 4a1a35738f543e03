/**
 * Claude Code headless output (`claude -p … --output-format stream-json
 * --verbose`, and `--output-format json`) → imported records.
 *
 * stream-json is one JSON object per line, every line with `type` and the
 * snake_case `session_id` (transcripts write `sessionId`, with `timestamp`,
 * `uuid`, `parentUuid`): `{type: "system", subtype: "init", session_id, model,
 * tools, apiKeySource, …}`, `{type: "assistant", message: {id, model, content,
 * stop_reason, usage}, parent_tool_use_id, session_id}`, `{type: "user", …}`,
 * other `system` subtypes and `stream_event` lines, and last `{type: "result",
 * subtype: "success" | "error_max_turns" | "error_during_execution" | …,
 * is_error, duration_ms, duration_api_ms, num_turns, result, errors?,
 * total_cost_usd, usage, modelUsage?}`. `--output-format json` prints that
 * `result` object alone.
 * - A model call is one API response: Claude Code writes a response as one
 *   `assistant` line per content block with the same `message.id`, each
 *   repeating `message.usage`; the lines are grouped by `message.id` and their
 *   usage counted once (the largest value of each field). Its request id is
 *   the API's that Claude Code writes on the lines (`request_id`, as a
 *   transcript's `requestId`; 2.1.197 writes it, 2.1.19 did not), else
 *   `message.id`: a call that the session's transcript, loaded too, holds (by
 *   its request id, else its message id) is counted once, from the transcript
 *   (`../_copies.ts`). Subagent responses
 *   (`parent_tool_use_id` set) are calls of the same session. Model
 *   `message.model`; tokens as Anthropic counts them (`input_tokens` without
 *   the cache, `cache_read_input_tokens`, `cache_creation_input_tokens`), the
 *   cache added to the input (the whole prompt, as every format's).
 * - With `--include-partial-messages`, `stream_event` lines carry the raw API
 *   events of each response: its `message_delta` gives the response's final
 *   usage (the assistant lines repeat the usage of `message_start`, written
 *   before the answer, with an output count of 1 or 2) and stop reason, which
 *   the call takes (each usage field at its largest). The stream of events is
 *   followed per session and `parent_tool_use_id`; `message_start` names the
 *   message.
 * - The lines have no times: `started_at` and `duration_s` are null (a line
 *   that does carry a `timestamp` is read). The `result` line's
 *   `total_cost_usd`, `num_turns`, `duration_ms`, `duration_api_ms` and
 *   `subtype` go to the session (columns `reported_cost_usd`, `num_turns`,
 *   `duration_ms`, `duration_api_ms`, `result_subtype`); its `usage` and
 *   `modelUsage` are the session's totals and are NOT another call. A session
 *   with several results (a process fed several prompts writes one per prompt)
 *   sums their `num_turns` and `duration_ms`, and takes the last one's running
 *   totals (`total_cost_usd`, `duration_api_ms`, `modelUsage`).
 * - Errors: an assistant line Claude Code wrote for a failed request (model
 *   `<synthetic>` with text `API Error…`, `isApiErrorMessage`, or an `error`
 *   field) is an error call. A `result` with `is_error: true` and subtype
 *   `success` is a failed API request too (its `result` is the message): one
 *   error call when the session shows none already. Error subtypes
 *   (`error_max_turns`, `error_during_execution`, …) end the run, not a
 *   request: they are the session's `result_subtype` and an event, not calls.
 *   A `system` `model_fallback` line (`--fallback-model`) is an error call of
 *   its `original_model`, the request that made Claude Code switch, as a
 *   transcript's (`fallbackCall`); error lines after it name its `fallback_model`.
 *   Error calls name the model of the `init` line (the session's model, as the
 *   answers name it: a Bedrock id or Vertex name without its provider's
 *   spelling, a model without the context-window tag Claude Code adds,
 *   `claude-opus-4-7[1m]`), else `unknown`. A session with no `result` line is unfinished (`complete:
 *   false`).
 * - A session with a `result` but no assistant lines (the `--output-format
 *   json` object, or such objects one per line) is one call per model of
 *   `modelUsage` (named without its context-window tag: `claude-opus-4-7[1m]`
 *   is `claude-opus-4-7`) standing for all of that model's requests of the
 *   session (its tokens), with `duration_api_ms` as the duration when there is
 *   one model; without `modelUsage` (older versions) one call with the result's
 *   `usage` (when it counts any token) and model `unknown`. Such a result with
 *   `is_error` and subtype `success` adds its error call to those. Beside the
 *   session's transcript, which holds its requests one by one, these calls
 *   give way to the transcript's (`../_copies.ts`).
 * - When the result's `modelUsage` counts more tokens for a model than the
 *   session's calls hold, one `usage_not_in_stream` warning says so (Claude
 *   Code makes some requests, e.g. titles on a small model, outside the
 *   stream; those tokens are not calls here). A result without `modelUsage`
 *   whose usage is exactly the calls' with the input and cache counts doubled
 *   (Claude Code 1.0.x adds each answer's `message_delta` usage to its
 *   `message_start`'s) is one `result_usage_doubled` warning instead.
 * - Every line is an event `claude_code_stream.<type>[.<subtype>]`.
 *
 * @module
 */
import { normalizeUsage } from "../../schema/mod.ts";
import { bedrockModel } from "../../prices/_rates.ts";
import { countChars } from "../_event.ts";
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import {
  addResponseLine,
  ANTHROPIC_USAGE_FIELDS,
  type AnthropicResponse,
  anthropicResponse,
  blankCall,
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

/**
 * Line types of stream-json: the messages, and the other lines Claude Code writes between them
 * (a `rate_limit_event` each turn since 2.1.x, tool heartbeats, the control protocol's answers).
 */
const TYPES = new Set([
  "system",
  "assistant",
  "user",
  "result",
  "stream_event",
  "rate_limit_event",
  "tool_progress",
  "tool_use_summary",
  "auth_status",
  "control_request",
  "control_response",
]);

/** A result object (the last stream-json line, or the whole `--output-format json` output). */
const isResult = (v: Obj): boolean =>
  v.type === "result" && typeof v.session_id === "string" &&
  ("is_error" in v || "duration_ms" in v || "num_turns" in v || "total_cost_usd" in v);

/**
 * The `--output-format json` result of Claude Code before it had a `type`:
 * `{role: "system", cost_usd, duration_ms, duration_api_ms, result, session_id}`
 * (a session's cost and times, no model or tokens).
 */
const isOldResult = (v: unknown): v is Obj =>
  isObj(v) && v.type === undefined && v.role === "system" && typeof v.session_id === "string" &&
  typeof v.cost_usd === "number";

/** True for one object shaped like a stream-json line that says it is one. */
function isStreamLine(v: unknown): boolean {
  if (isOldResult(v)) return true;
  if (!isObj(v) || typeof v.type !== "string" || typeof v.session_id !== "string") return false;
  if (v.type === "system") return v.subtype === "init";
  if (v.type === "assistant") return isObj(v.message) && "parent_tool_use_id" in v;
  return isResult(v);
}

function detect(s: FormatSample): boolean {
  if (s.values.length === 0) {
    const k = s.keys;
    return k.includes("type") && k.includes("session_id") && !k.includes("sessionId") &&
      (k.includes("subtype") || k.includes("parent_tool_use_id"));
  }
  const lines = s.values.slice(0, 50);
  // transcripts (camelCase sessionId) and other formats' objects are not this one
  if (lines.some((v) => isObj(v) && ("sessionId" in v || "parentUuid" in v))) return false;
  const typed = lines.filter((v) => isObj(v) && TYPES.has(v.type as string) || isOldResult(v))
    .length;
  return typed >= 0.8 * lines.length && lines.some(isStreamLine);
}

/** The text of an API error that Claude Code wrote as an assistant line, or null. */
function apiErrorOf(v: Obj, message: Obj): string | null {
  const text = contentText(message.content)?.trim() ?? "";
  const synthetic = message.model === "<synthetic>";
  if (v.isApiErrorMessage === true || (synthetic && /^API Error/i.test(text)) || str(v.error)) {
    return text || str(v.error) || "API error";
  }
  return null;
}

/** The message of a failed result: `errors`, else `result`, else the subtype. */
function resultError(v: Obj): string {
  const errors = Array.isArray(v.errors) ? v.errors.filter((e) => typeof e === "string") : [];
  return errors.length ? errors.join("; ") : str(v.result) ?? str(v.subtype) ?? "error";
}

interface Session {
  id: string;
  model: string | null;
  responses: number;
  errors: number;
  result: { line: number; v: Obj } | null;
  /**
   * The turns and wall time of every result of the session, summed: a process fed several
   * prompts (stream-json input) writes a result per prompt, each with its own `num_turns` and
   * `duration_ms`, where `total_cost_usd`, `duration_api_ms` and `modelUsage` run on (the last
   * result's are the session's). Null when no result gave one.
   */
  turns: number | null;
  wall: number | null;
}

/**
 * Parse Claude Code's headless output: stream-json lines, or `--output-format
 * json` result objects.
 *
 * @example
 * ```ts
 * import { parseClaudeCodeStreamText } from "./claude_code_stream.ts";
 * const usage = { input_tokens: 3, output_tokens: 20, cache_read_input_tokens: 100 };
 * const lines = [
 *   { type: "system", subtype: "init", session_id: "s1", model: "claude-sonnet-4-5", tools: [] },
 *   { type: "assistant", session_id: "s1", parent_tool_use_id: null,
 *     message: { id: "msg_1", model: "claude-sonnet-4-5", content: [{ type: "text", text: "Hi" }], usage } },
 *   { type: "assistant", session_id: "s1", parent_tool_use_id: null,
 *     message: { id: "msg_1", model: "claude-sonnet-4-5", content: [{ type: "tool_use" }], usage } },
 *   { type: "result", subtype: "success", is_error: false, session_id: "s1", num_turns: 1,
 *     total_cost_usd: 0.01, usage: { input_tokens: 3, output_tokens: 20 } },
 * ];
 * const r = parseClaudeCodeStreamText(lines.map((l) => JSON.stringify(l)).join("\n"), "run.jsonl");
 * // two lines of one response: one call, usage once; the result line is not a call
 * if (r.calls.length !== 1 || r.calls[0]!.output_tokens !== 20 || r.events.length !== 4) throw new Error();
 * ```
 */
export function parseClaudeCodeStreamText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonRecords(text, file);
  const time = timeReader(file, diagnostics, options.timezone);
  const records: ImportedRecords = { calls: [], events: [], diagnostics, sessions: [] };
  const fileSession = values.map((v) => (isObj(v.value) ? str(v.value.session_id) : null))
    .find((s) => s) ?? file;
  const sessions = new Map<string, Session>();
  const sessionOf = (id: string) => {
    let s = sessions.get(id);
    if (!s) {
      sessions.set(
        id,
        s = { id, model: null, responses: 0, errors: 0, result: null, turns: null, wall: null },
      );
    }
    return s;
  };
  const responses = new Map<string, AnthropicResponse>();
  // --include-partial-messages: the message each stream of raw API events is in (by session and
  // parent tool use), and the final usage a message_delta gave a message not yet seen
  const streaming = new Map<string, string>();
  const lateUsage = new Map<string, Obj>();
  const retries = { count: 0, line: 0, errors: new Set<string>() };
  const failed = (line: number, s: Session, ts: number | null, id: string | null, e: string) => {
    const fields = {
      provider: "anthropic",
      request_id: id,
      // named as the answers name it (the init line's Bedrock id or Vertex name is the same model)
      model: s.model === null ? "unknown" : modelName(s.model),
      started_at: ts,
      error: e,
    };
    records.calls.push(errorCall(file, line, s.id, fields, options.keepText));
    s.errors++;
  };
  for (const { line, value: v } of values) {
    if (!isObj(v)) {
      diagnostics.push(notAnObject(file, line, "a Claude Code stream-json line"));
      continue;
    }
    const type = str(v.type) ?? (isOldResult(v) ? "result" : "unknown");
    const subtype = str(v.subtype);
    const ts = time(v.timestamp, line);
    const s = sessionOf(str(v.session_id) ?? fileSession);
    const message = isObj(v.message) ? v.message : null;
    // an answer's API request id, which Claude Code writes on its lines (`request_id`, as a
    // transcript's `requestId`; 2.1.197 does, 2.1.19 did not), else its message id
    const requestId = type === "assistant" ? str(v.request_id) ?? str(message?.id) : null;
    records.events.push({
      file,
      line,
      type: `claude_code_stream.${type}${subtype ? `.${subtype}` : ""}`,
      ts,
      end: null,
      session_id: s.id,
      request_id: requestId,
      payload: compactPayload(v),
    });
    if (type === "system" && subtype === "init") {
      s.model ??= str(v.model);
      continue;
    }
    if (type === "system" && subtype === "model_fallback") {
      // the request that made Claude Code switch models, which no api_retry line records
      // (fallbackCall, as a transcript's model_fallback line); error lines after it are of the
      // fallback model. An error assistant line is a request Claude Code gave up on, never one it
      // sent again: no line counts this one twice (not in s.errors: no error line of its own)
      const call = fallbackCall(file, line, s.id, ts, v, options.keepText);
      if (call !== null) records.calls.push(call);
      s.model = fallbackModels(v).to ?? s.model;
      continue;
    }
    if (type === "system" && subtype === "api_retry") {
      // a request the API refused and Claude Code sent again: not a call (the retry that answers
      // is one), counted in one warning
      retries.count++;
      retries.line ||= line;
      retries.errors.add([str(v.error), num(v.error_status)].filter((x) => x !== null).join(" "));
      continue;
    }
    if (type === "result") {
      s.result = { line, v };
      const turns = num(v.num_turns), wall = num(v.duration_ms);
      if (turns !== null) s.turns = (s.turns ?? 0) + turns;
      if (wall !== null) s.wall = (s.wall ?? 0) + wall;
      continue;
    }
    if (type === "stream_event" && isObj(v.event)) {
      // the raw API events of a response: its final usage (the output count the assistant lines,
      // written as it starts, lack) and stop reason are in its message_delta
      const stream = `${s.id}\u0000${str(v.parent_tool_use_id) ?? ""}`;
      const event = v.event;
      if (event.type === "message_start" && isObj(event.message) && str(event.message.id)) {
        streaming.set(stream, str(event.message.id)!);
      } else if (event.type === "message_delta" && isObj(event.usage) && streaming.has(stream)) {
        const id = streaming.get(stream)!;
        const final = {
          usage: event.usage,
          stop_reason: isObj(event.delta) ? event.delta.stop_reason : null,
        };
        const r = responses.get(id);
        if (r) addResponseLine(r, final);
        else lateUsage.set(id, final);
      }
      continue;
    }
    if (type !== "assistant" || message === null) continue;
    const apiError = apiErrorOf(v, message);
    if (apiError !== null) {
      failed(line, s, ts, requestId ?? str(v.uuid), apiError);
      continue;
    }
    const model = str(message.model);
    if (model === "<synthetic>") continue; // written by Claude Code itself, not a response
    const key = str(message.id) ?? `line ${line}`;
    let r = responses.get(key);
    if (!r) {
      r = anthropicResponse(file, line, s.id, requestId, model, ts);
      responses.set(key, r);
      records.calls.push(r.call);
      s.responses++;
    }
    addResponseLine(r, message);
    const final = lateUsage.get(key);
    if (final) {
      addResponseLine(r, final);
      lateUsage.delete(key);
    }
  }
  records.calls.push(...finishResponses(responses.values(), options, diagnostics));
  if (retries.count > 0) {
    const why = [...retries.errors].filter((e) => e !== "").join(", ");
    diagnostics.push({
      file,
      line: retries.line,
      code: "api_retries",
      message: `Claude Code retried a request ${retries.count} time${retries.count > 1 ? "s" : ""}${
        why ? ` (${why})` : ""
      }: the refused attempts are not calls`,
      severity: "warning",
      count: retries.count,
    });
  }
  for (const s of sessions.values()) {
    const told: ImportedSession = { session_id: s.id, complete: s.result !== null };
    records.sessions!.push(told);
    if (s.result === null) continue;
    const { line, v } = s.result;
    const meta = claudeCodeTotals({
      costUsd: num(v.total_cost_usd === undefined ? v.cost_usd : v.total_cost_usd),
      turns: s.turns,
      wallMs: s.wall,
      apiMs: num(v.duration_api_ms),
    });
    if (str(v.subtype)) meta.result_subtype = str(v.subtype)!;
    told.metadata = meta;
    const ts = time(v.timestamp, line);
    const failedRequest = v.is_error === true && (v.subtype === "success" || !str(v.subtype));
    if (s.responses === 0) resultCalls(records, file, line, s, v, ts, options);
    else {
      finalOutputs(records, s, v);
      checkAgainstModelUsage(records, file, line, s, v);
    }
    if (failedRequest && s.errors === 0) failed(line, s, ts, null, resultError(v));
  }
  return records;
}

/**
 * The calls of a result with no assistant lines before it (`--output-format
 * json`): one per model of `modelUsage`, else one with `usage`.
 */
function resultCalls(
  records: ImportedRecords,
  file: string,
  line: number,
  s: Session,
  v: Obj,
  ts: number | null,
  options: ParseOptions,
): void {
  const byModel = isObj(v.modelUsage)
    ? Object.entries(v.modelUsage).filter(([, u]) => isObj(u))
    : [];
  const apiMs = num(v.duration_api_ms);
  const text = str(v.result);
  const make = (model: string | null, usage: Obj) => {
    const call = blankCall(file, line, s.id);
    call.model = model === null ? "unknown" : withoutContextTag(model);
    call.served_model = model === null ? null : withoutContextTag(model);
    call.provider = "anthropic";
    call.started_at = ts;
    const u = normalizeUsage(usage);
    Object.assign(call, {
      input_tokens: u.input_tokens,
      output_tokens: u.output_tokens,
      total_tokens: u.total_tokens,
      cache_read_tokens: u.cache_read_tokens,
      cache_write_tokens: u.cache_write_tokens,
      cache_write_1h_tokens: u.cache_write_1h_tokens,
      web_search_requests: u.web_search_requests,
    });
    if (str(v.subtype) && v.subtype !== "success") call.finish_reason = str(v.subtype);
    else if (str(v.stop_reason)) call.finish_reason = str(v.stop_reason);
    records.calls.push(call);
    return call;
  };
  if (byModel.length > 0) {
    const hour = hourWrites(v, byModel.map(([, m]) => count((m as Obj).cacheCreationInputTokens)));
    byModel.forEach(([model, raw], i) => {
      const call = make(model, { ...modelUsage(raw as Obj), cache_write_1h_tokens: hour[i] });
      // the session's API time and final text are not split by model: given with one model only
      if (byModel.length === 1) {
        if (apiMs !== null && apiMs >= 0) call.duration_s = apiMs / 1000;
        withText(call, text, options);
      } else withText(call, null, options);
    });
  } else if (
    isObj(v.usage) && ANTHROPIC_USAGE_FIELDS.some((f) => (count((v.usage as Obj)[f]) ?? 0) > 0)
  ) {
    // without modelUsage (older versions); a usage of zeros (a request that failed) is no call
    const call = make(null, v.usage);
    if (apiMs !== null && apiMs >= 0) call.duration_s = apiMs / 1000;
    withText(call, text, options);
  }
}

/**
 * Of each model's cache writes (`modelUsage`, which does not split them), those to the 1-hour
 * cache, priced apart: the result's `usage.cache_creation` splits the writes of the session's main
 * model (Claude Code 2.1 writes its prompts to the 1-hour cache). All of a model's writes when the
 * 1-hour writes are at least all the models' writes; those of the only model that writes; else
 * none is known (null).
 */
function hourWrites(v: Obj, writes: (number | null)[]): (number | null)[] {
  const split = isObj(v.usage) && isObj(v.usage.cache_creation) ? v.usage.cache_creation : null;
  const hour = split === null ? null : count(split.ephemeral_1h_input_tokens);
  const unknown = writes.map(() => null);
  if (hour === null) return unknown;
  const all = writes.reduce<number>((a, w) => a + (w ?? 0), 0);
  if (hour >= all) return writes.map((w) => w ?? null);
  const writing = writes.filter((w) => (w ?? 0) > 0);
  return writing.length === 1
    ? writes.map((w) => (w ?? 0) > 0 ? Math.min(hour, w!) : w ?? null)
    : unknown;
}

/**
 * A model's name as the API answers it: `modelUsage` names the model as requested, which on
 * Amazon Bedrock is its id (`us.anthropic.claude-sonnet-4-5-20250929-v1:0`) and on Vertex AI has
 * an `@` (`claude-sonnet-4-5@20250929`), while the assistant lines name the model
 * (`claude-sonnet-4-5-20250929`).
 */
function modelName(model: string): string {
  return bedrockModel(withoutContextTag(model)).replace("@", "-");
}

/**
 * A model named without the context-window tag Claude Code puts after a model it runs with a
 * larger window (`claude-opus-4-7[1m]`, 1M tokens: the init line's `model` and the result's
 * `modelUsage` keys, while the API is asked for, and answers with, `claude-opus-4-7`).
 */
function withoutContextTag(model: string): string {
  return model.replace(/\[\w+\]$/, "");
}

/** A model's `modelUsage` (camelCase) in Anthropic's names, for {@link normalizeUsage}. */
function modelUsage(m: Obj): Obj {
  return {
    input_tokens: m.inputTokens,
    output_tokens: m.outputTokens,
    cache_read_input_tokens: m.cacheReadInputTokens,
    cache_creation_input_tokens: m.cacheCreationInputTokens,
    web_search_requests: m.webSearchRequests,
    // 2.1.332's thinking share of the output; 0 where the API gave none (as on the lines)
    reasoning_tokens: (count(m.thinkingTokens) ?? 0) > 0 ? m.thinkingTokens : null,
  };
}

/**
 * A model's one call in the stream, whose input and cache counts are all the result's
 * `modelUsage` gives that model, had all its output too: the assistant line's count is the one
 * the response started with (Claude Code writes the line before the last count arrives), the
 * result's is the final one. With several calls of a model, how its output splits between them
 * is not written anywhere: they keep their counts (and `usage_not_in_stream` says so).
 */
function finalOutputs(records: ImportedRecords, s: Session, v: Obj): void {
  if (!isObj(v.modelUsage)) return;
  for (const [model, raw] of Object.entries(v.modelUsage)) {
    if (!isObj(raw)) continue;
    const name = modelName(model);
    const calls = records.calls.filter((c) =>
      c.session_id === s.id && c.status === "ok" && modelName(c.model) === name
    );
    const output = count(raw.outputTokens);
    const call = calls[0];
    if (calls.length !== 1 || output === null || call!.output_tokens === null) continue;
    const all = normalizeUsage(modelUsage(raw));
    const same = (mine: number | null | undefined, theirs: number | null | undefined) =>
      (mine ?? 0) === (theirs ?? 0);
    if (
      !same(call!.input_tokens, all.input_tokens) ||
      !same(call!.cache_read_tokens, all.cache_read_tokens) ||
      !same(call!.cache_write_tokens, all.cache_write_tokens) ||
      output <= call!.output_tokens
    ) continue;
    if (call!.total_tokens !== null && call!.total_tokens !== undefined) {
      call!.total_tokens += output - call!.output_tokens;
    }
    call!.output_tokens = output;
    call!.reasoning_tokens ??= all.reasoning_tokens;
  }
}

/**
 * One `usage_not_in_stream` warning when the result's `modelUsage` counts more
 * tokens for a model than the session's calls hold (requests Claude Code made
 * outside the stream, or responses written with their count as it started).
 */
function checkAgainstModelUsage(
  records: ImportedRecords,
  file: string,
  line: number,
  s: Session,
  v: Obj,
): void {
  // every token: the whole prompt (its cache inside it) and the output
  const tokens = (c: Pick<ImportedCall, "input_tokens" | "output_tokens">) =>
    (c.input_tokens ?? 0) + (c.output_tokens ?? 0);
  const short: string[] = [];
  const models = isObj(v.modelUsage) ? Object.entries(v.modelUsage) : [];
  if (models.length === 0 && isObj(v.usage)) {
    // no modelUsage (older versions), or an empty one (a run stopped at its turn limit): the
    // result's usage, the session's main model's, against all the session's calls
    const result = normalizeUsage(v.usage);
    const reported = tokens(result);
    const calls = records.calls.filter((c) => c.session_id === s.id);
    const seen = calls.reduce((a, c) => a + tokens(c), 0);
    if (seen < reported && doubled(result, calls)) {
      records.diagnostics.push({
        file,
        line,
        code: "result_usage_doubled",
        message:
          `the result's usage (${reported} tokens) is the session's assistant lines' (${seen}) with their input and cache counts doubled and each answer's first output count added, as Claude Code 1.0.x sums each answer's message_start and message_delta usage: no request was made outside the stream; the calls keep the assistant lines' counts (the result's total_cost_usd is priced on the doubled ones)`,
        severity: "warning",
      });
      return;
    }
    if (seen < reported) short.push(`${seen} of ${reported}`);
  }
  for (const [model, raw] of models) {
    if (!isObj(raw)) continue;
    const reported = tokens(normalizeUsage(modelUsage(raw)));
    const name = modelName(model);
    const seen = records.calls
      .filter((c) => c.session_id === s.id && modelName(c.model) === name)
      .reduce((a, c) => a + tokens(c), 0);
    // named as its calls are (`claude-opus-5`, not the context window's `claude-opus-5[1m]`)
    if (seen < reported) short.push(`${withoutContextTag(model)}: ${seen} of ${reported}`);
  }
  if (short.length === 0) return;
  records.diagnostics.push({
    file,
    line,
    code: "usage_not_in_stream",
    message: `the result's ${
      models.length === 0 ? "usage" : "modelUsage"
    } counts more tokens than the session's assistant lines hold (${
      short.join("; ")
    }): requests Claude Code made outside the stream (titles, sub-agents' own) are not calls here, and a response written with its count as it started counts that`,
    severity: "warning",
  });
}

/**
 * True when a result's usage is exactly what Claude Code 1.0.x writes for the session's calls:
 * it adds each answer's `message_delta` usage to its `message_start`'s, and the API repeats the
 * input and cache counts in `message_delta`, so they are doubled, and the output gains the count
 * the answer started with (at most its final one). A request outside the stream would add input.
 */
function doubled(
  result: Pick<
    ImportedCall,
    "input_tokens" | "output_tokens" | "cache_read_tokens" | "cache_write_tokens"
  >,
  calls: ImportedCall[],
): boolean {
  const sum = (f: "input_tokens" | "output_tokens" | "cache_read_tokens" | "cache_write_tokens") =>
    calls.reduce((a, c) => a + (c[f] ?? 0), 0);
  const [input, output] = [sum("input_tokens"), sum("output_tokens")];
  const got = (f: "output_tokens" | "cache_read_tokens" | "cache_write_tokens") => result[f] ?? 0;
  return input > 0 && (result.input_tokens ?? 0) === 2 * input &&
    got("cache_read_tokens") === 2 * sum("cache_read_tokens") &&
    got("cache_write_tokens") === 2 * sum("cache_write_tokens") &&
    got("output_tokens") >= output && got("output_tokens") <= 2 * output;
}

function withText(call: ImportedCall, text: string | null, options: ParseOptions): void {
  call.output_chars = text === null ? null : countChars(text);
  if (options.keepText) {
    call.messages = null;
    call.output = text;
  }
}

/** Claude Code `-p` output: `--output-format stream-json` and `--output-format json`. */
export const claudeCodeStream: FormatAdapter = {
  name: "claude_code_stream",
  title: "Claude Code headless output (stream-json / json)",
  reads:
    "stream-json: one call per assistant message.id (usage counted once; the result line's usage is the session's total, not a call); API error messages and an is_error success result are errors; no times; session = session_id with the result's cost, turns and durations. json (result only): one call per modelUsage model standing for the session",
  example:
    '{"type": "assistant", "message": {"id": "msg_…", "model": "claude-sonnet-4-5", "usage": {…}}, "parent_tool_use_id": null, "session_id": "…"}',
  detect,
  parse: (source, file, options) => parseClaudeCodeStreamText(source.text(), file, options),
};
