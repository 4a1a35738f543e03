/**
 * What the adapters of agent and CLI logs (Claude Code, Codex CLI, Anthropic
 * managed-agent events, Gemini CLI, ATIF) share: an empty call to fill in,
 * times that become warnings when unreadable, and event payloads kept small.
 *
 * @module
 */
import { normalizeUsage, usageIterations } from "../../schema/mod.ts";
import { countChars, type Diagnostic } from "../_event.ts";
import type { ParseOptions } from "./adapter.ts";
import type { ImportedCall } from "./_records.ts";
import { count, isObj, type Obj, str, toMicros } from "./_util.ts";

/**
 * Claude Code's own figures for a session, as session columns: what it estimated the session cost
 * (`reported_cost_usd`, its price, not tracebook's), its turns and wall time (`num_turns`,
 * `duration_ms`) and its time waiting on the API (`duration_api_ms`). Its headless output's
 * `result` line gives them (`total_cost_usd`, `num_turns`, `duration_ms`, `duration_api_ms`), its
 * transcript's `cost-state` line the cost and API time (`totalCostUSD`, `totalAPIDuration`, the
 * same running totals). Unknown figures (null) are left out.
 *
 * @example
 * ```ts
 * import { claudeCodeTotals } from "./_agent_logs.ts";
 * const meta = claudeCodeTotals({ costUsd: 0.002904, apiMs: 1245 });
 * if (meta.reported_cost_usd !== "0.002904" || meta.duration_api_ms !== "1245" || "num_turns" in meta) throw new Error();
 * ```
 */
export function claudeCodeTotals(totals: {
  costUsd: number | null;
  turns?: number | null;
  wallMs?: number | null;
  apiMs: number | null;
}): Record<string, string> {
  const meta: Record<string, string> = {};
  for (
    const [name, n] of [
      ["reported_cost_usd", totals.costUsd],
      ["num_turns", totals.turns ?? null],
      ["duration_ms", totals.wallMs ?? null],
      ["duration_api_ms", totals.apiMs],
    ] as const
  ) {
    if (n !== null) meta[name] = String(n);
  }
  return meta;
}

/**
 * A call with every measure unknown, `model` `"unknown"` and status `ok`:
 * adapters set what their format says.
 *
 * @example
 * ```ts
 * import { blankCall } from "./_agent_logs.ts";
 * const c = blankCall("f.jsonl", 3, "s1");
 * if (c.model !== "unknown" || c.input_tokens !== null || c.line !== 3) throw new Error();
 * ```
 */
export function blankCall(file: string, line: number, session_id: string): ImportedCall {
  return {
    session_id,
    request_id: null,
    model: "unknown",
    served_model: null,
    provider: null,
    started_at: null,
    ended_at: null,
    duration_s: null,
    status: "ok",
    error: null,
    input_tokens: null,
    output_tokens: null,
    total_tokens: null,
    cache_read_tokens: null,
    reasoning_tokens: null,
    ttft_s: null,
    prompt_chars: null,
    output_chars: null,
    file,
    line,
    finish_reason: null,
    cache_write_tokens: null,
  };
}

/**
 * A call that is only a failure (a request that got an error, no response):
 * {@link blankCall} with `fields` (its provider, request, start…), status
 * `error`, and no texts with `keepText`.
 *
 * @example
 * ```ts
 * import { errorCall } from "./_agent_logs.ts";
 * const c = errorCall("f.jsonl", 3, "s1", { provider: "google", error: "API Error: 429" }, true);
 * if (c.status !== "error" || c.model !== "unknown" || c.output !== null || c.line !== 3) throw new Error();
 * ```
 */
export function errorCall(
  file: string,
  line: number,
  session: string,
  fields: Partial<ImportedCall> & { error: string },
  keepText: boolean | undefined,
): ImportedCall {
  const call: ImportedCall = Object.assign(blankCall(file, line, session), fields, {
    status: "error" as const,
  });
  if (keepText) call.messages = call.output = null;
  return call;
}

/**
 * The failed request a Claude Code `model_fallback` line stands for: the one that made Claude Code
 * switch from `from` to `to` (`--fallback-model`: the third 529 in a row, trigger `overloaded`; a
 * 404 unknown model, `model_not_found`; a 500, `server_error`), which no other line records (no
 * `api_error` line in a transcript, no `api_retry` line in stream-json: 2.1.282 and 2.1.332). An
 * error call of `from` at the line's time, named by the line's `uuid`. The transcript writes the
 * line in camelCase (`originalModel`, `fallbackModel`), stream-json in snake_case
 * (`original_model`, `fallback_model`).
 *
 * @example
 * ```ts
 * import { fallbackCall } from "./_agent_logs.ts";
 * const c = fallbackCall("f.jsonl", 4, "s", null, { trigger: "overloaded", uuid: "u1",
 *   original_model: "claude-sonnet-4-5", fallback_model: "claude-haiku-4-5" }, false);
 * if (c?.model !== "claude-sonnet-4-5" || c.status !== "error" || c.request_id !== "u1") throw new Error();
 * if (c.error !== "failed, sent again to claude-haiku-4-5 (overloaded)") throw new Error(c.error ?? "");
 * ```
 */
export function fallbackCall(
  file: string,
  line: number,
  session: string,
  ts: number | null,
  v: Obj,
  keepText: boolean | undefined,
): ImportedCall | null {
  const { from, to } = fallbackModels(v);
  if (from === null) return null;
  const why = [str(v.trigger), str(v.content)].filter((x) => x !== null).join(": ");
  const fields = {
    provider: "anthropic",
    request_id: str(v.uuid),
    started_at: ts,
    error: `failed, sent again to ${to ?? "the fallback model"}${why ? ` (${why})` : ""}`,
  };
  const call = errorCall(file, line, session, fields, keepText);
  call.model = from;
  return call;
}

/** The models a `model_fallback` line names, in either case: `from` before it, `to` after. */
export function fallbackModels(v: Obj): { from: string | null; to: string | null } {
  return {
    from: str(v.originalModel) ?? str(v.original_model),
    to: str(v.fallbackModel) ?? str(v.fallback_model),
  };
}

/**
 * Reads times of one file: µs since the epoch, or null; an unreadable time is
 * one warning diagnostic (`bad_time`) naming the line, never a crash.
 *
 * @example
 * ```ts
 * import { timeReader } from "./_agent_logs.ts";
 * const diagnostics: import("../_event.ts").Diagnostic[] = [];
 * const time = timeReader("f.jsonl", diagnostics);
 * if (time("1970-01-01T00:00:01Z", 1) !== 1_000_000) throw new Error("iso");
 * if (time("yesterday", 2) !== null || diagnostics.length !== 1) throw new Error("warning");
 * if (time(undefined, 3) !== null || diagnostics.length !== 1) throw new Error("absent is no problem");
 * ```
 */
export function timeReader(
  file: string,
  diagnostics: Diagnostic[],
  timezone?: string,
): (value: unknown, line: number) => number | null {
  return (value, line) => {
    const { us, problem } = toMicros(value, undefined, timezone);
    if (problem) {
      diagnostics.push({
        file,
        line,
        code: "bad_time",
        message: `${problem} (kept with no time)`,
        severity: "warning",
      });
    }
    return us;
  };
}

/**
 * The error of a line that is not a JSON object, in a format whose every line is one.
 *
 * @example
 * ```ts
 * import { notAnObject } from "./_agent_logs.ts";
 * const d = notAnObject("f.jsonl", 4, "a Codex rollout line");
 * if (d.message !== "value is not a JSON object (a Codex rollout line is one)") throw new Error();
 * if (d.code !== "not_an_object" || d.line !== 4 || d.severity !== "error") throw new Error();
 * ```
 */
export function notAnObject(file: string, line: number, what: string): Diagnostic {
  return {
    file,
    line,
    code: "not_an_object",
    message: `value is not a JSON object (${what} is one)`,
    severity: "error",
  };
}

/**
 * The text of message content as agent logs write it: a string, or blocks
 * `[{type: "text" | "output_text", text}]` (other blocks are skipped). Null
 * when there is none.
 *
 * @example
 * ```ts
 * import { contentText } from "./_agent_logs.ts";
 * if (contentText([{ type: "text", text: "a" }, { type: "tool_use" }, { text: "b" }]) !== "ab") throw new Error();
 * if (contentText("hi") !== "hi" || contentText(42) !== null) throw new Error();
 * ```
 */
export function contentText(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return null;
  const texts = content
    .map((b) =>
      isObj(b) && (b.type === "text" || b.type === "output_text" || b.type === undefined)
        ? b.text
        : null
    )
    .filter((t): t is string => typeof t === "string");
  return texts.length ? texts.join("") : null;
}

/**
 * Lines of a text: `offsetOf(line)` is where a 1-based line starts, and
 * `lineAt(offset)` the line holding a character. For the lines of the parts of
 * one JSON document (a chat's messages, a trajectory's steps), found with
 * `text.indexOf(…)`.
 *
 * @example
 * ```ts
 * import { textLines } from "./_agent_logs.ts";
 * const text = '{\n  "a": 1,\n  "id": "x"\n}';
 * const { lineAt, offsetOf } = textLines(text);
 * if (lineAt(text.indexOf('"id"')) !== 3 || offsetOf(2) !== 2 || lineAt(0) !== 1) throw new Error();
 * ```
 */
export function textLines(text: string): {
  lineAt: (offset: number) => number;
  offsetOf: (line: number) => number;
} {
  const starts: number[] = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return {
    offsetOf: (line) => starts[Math.max(0, Math.min(line, starts.length) - 1)]!,
    lineAt: (offset) => {
      let lo = 0, hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    },
  };
}

/** The base name of a path (for messages). */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/**
 * One Anthropic API response being assembled from its lines: Claude Code
 * (transcripts and `-p` stream-json alike) writes a response as one line per
 * content block, each repeating the message's usage.
 */
export interface AnthropicResponse {
  call: ImportedCall;
  usage: Record<string, number>;
  output: string[];
  /** Its usage's `iterations`, as its last line giving them wrote them (null: none). */
  iterations?: unknown[] | null;
}

/** The usage fields of an Anthropic message. */
export const ANTHROPIC_USAGE_FIELDS: readonly string[] = [
  "input_tokens",
  "output_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
];

/** A new response of `model` (requested and served), first seen at `ts`, with no line added yet. */
export function anthropicResponse(
  file: string,
  line: number,
  session: string,
  requestId: string | null,
  model: string | null,
  ts: number | null,
): AnthropicResponse {
  const call = blankCall(file, line, session);
  call.request_id = requestId;
  call.model = model ?? "unknown";
  call.served_model = model;
  call.provider = "anthropic";
  call.started_at = ts;
  return { call, usage: {}, output: [] };
}

/**
 * One more line of a response: each usage field at its largest so far (the
 * lines repeat the usage, never to be added up), its stop reason, its text.
 */
export function addResponseLine(r: AnthropicResponse, message: Obj): void {
  const model = str(message.model);
  if (r.call.served_model === null && model) r.call.model = r.call.served_model = model;
  const usage = isObj(message.usage) ? message.usage : {};
  const keep = (field: string, value: unknown) => {
    const n = count(value);
    if (n !== null && (r.usage[field] === undefined || n > r.usage[field]!)) r.usage[field] = n;
  };
  for (const field of ANTHROPIC_USAGE_FIELDS) keep(field, usage[field]);
  // of the cache writes, those to the 1-hour cache (priced apart)
  if (isObj(usage.cache_creation)) {
    keep("cache_write_1h_tokens", usage.cache_creation.ephemeral_1h_input_tokens);
  }
  // the server-side web searches (billed per search)
  if (isObj(usage.server_tool_use)) {
    keep("web_search_requests", usage.server_tool_use.web_search_requests);
  }
  // the thinking share of the output (output_tokens_details.thinking_tokens): Claude Code 2.1.332
  // writes 0 where the API gave none, so only a count above 0 is one
  const thinking = normalizeUsage(usage).reasoning_tokens;
  if (thinking !== null && thinking > 0) keep("reasoning_tokens", thinking);
  // its sub-requests (compaction, an advisor's), read once the response is whole
  if (Array.isArray(usage.iterations) && usage.iterations.length > 0) {
    r.iterations = usage.iterations;
  }
  const stop = str(message.stop_reason);
  if (stop) r.call.finish_reason = stop;
  const out = contentText(message.content);
  if (out !== null) r.output.push(out);
}

/**
 * The calls of a response's sub-requests ({@link usageIterations}: the compaction and advisor
 * iterations of its usage's `iterations`) beside `call`, the response's: of the same session,
 * request, file, line and start, with no latency and no texts (null with `keepText`); a span's
 * (one with a `span_id`) are its children. `uncounted` is what the other iterations hold.
 *
 * @example
 * ```ts
 * import { blankCall, iterationCalls } from "./_agent_logs.ts";
 * const call = Object.assign(blankCall("f", 1, "s"), { model: "claude-sonnet-4-5", request_id: "r" });
 * const { calls } = iterationCalls(call, [{ type: "compaction", input_tokens: 9, output_tokens: 1 }], false);
 * if (calls[0]?.model !== "claude-sonnet-4-5" || calls[0].input_tokens !== 9 || calls[0].request_id !== "r") throw new Error();
 * ```
 */
export function iterationCalls(
  call: ImportedCall,
  iterations: unknown,
  keepText: boolean | undefined,
): { calls: ImportedCall[]; uncounted: { tokens: number; types: string[] } } {
  const { calls, uncounted } = usageIterations({ iterations }, call.model);
  const subs = calls.map(({ model, usage }) => {
    const sub = blankCall(call.file, call.line, call.session_id);
    Object.assign(sub, {
      request_id: call.request_id,
      model: model ?? "unknown",
      served_model: model,
      provider: call.provider,
      started_at: call.started_at,
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      total_tokens: usage.total_tokens,
      cache_read_tokens: usage.cache_read_tokens,
      cache_write_tokens: usage.cache_write_tokens,
      cache_write_1h_tokens: usage.cache_write_1h_tokens,
      reasoning_tokens: usage.reasoning_tokens,
    });
    if (call.span_id) {
      Object.assign(sub, { trace_id: call.trace_id, span_id: null, parent_span_id: call.span_id });
    }
    if (keepText) sub.messages = sub.output = null;
    return sub;
  });
  return { calls: subs, uncounted };
}

/**
 * Complete the calls of assembled responses: their usage normalized once, the
 * characters of their text, and the text itself with `keepText`. A response whose usage has
 * `iterations` has its sub-requests ({@link usageIterations}: server-side compaction's, an advisor
 * tool's) returned as calls of their own, of the same request (its id, line and start, no
 * latency, no texts); its iterations of other types are not counted, and with `diagnostics` are
 * one `iterations_not_counted` warning per file saying how many tokens they hold.
 *
 * @example
 * ```ts
 * import { addResponseLine, anthropicResponse, finishResponses } from "./_agent_logs.ts";
 * const r = anthropicResponse("f.jsonl", 1, "s", "msg_1", "claude-sonnet-4-6", null);
 * const usage = { input_tokens: 3, output_tokens: 20 };
 * addResponseLine(r, { usage, content: [{ type: "text", text: "Hi" }] });
 * addResponseLine(r, { usage, content: [{ type: "text", text: "!" }], stop_reason: "end_turn" });
 * finishResponses([r], {});
 * if (r.call.output_tokens !== 20 || r.call.output_chars !== 3 || r.call.finish_reason !== "end_turn") throw new Error();
 * // an advisor's sub-inference is a call of its model
 * const a = anthropicResponse("f.jsonl", 2, "s", "req_2", "claude-sonnet-4-6", null);
 * addResponseLine(a, { usage: { input_tokens: 3, output_tokens: 2, iterations: [
 *   { type: "advisor_message", model: "claude-opus-4-6", input_tokens: 500, output_tokens: 30 },
 *   { type: "message", input_tokens: 3, output_tokens: 2 },
 * ] } });
 * const [advisor] = finishResponses([a], {});
 * if (advisor?.model !== "claude-opus-4-6" || advisor.input_tokens !== 500 || advisor.request_id !== "req_2") throw new Error();
 * ```
 */
export function finishResponses(
  responses: Iterable<AnthropicResponse>,
  options: ParseOptions,
  diagnostics?: Diagnostic[],
): ImportedCall[] {
  const subCalls: ImportedCall[] = [];
  const uncounted = { responses: 0, tokens: 0, types: new Set<string>(), line: Infinity, file: "" };
  for (const r of responses) {
    const u = normalizeUsage(r.usage);
    Object.assign(r.call, {
      input_tokens: u.input_tokens,
      output_tokens: u.output_tokens,
      total_tokens: u.total_tokens,
      cache_read_tokens: u.cache_read_tokens,
      cache_write_tokens: u.cache_write_tokens,
      cache_write_1h_tokens: u.cache_write_1h_tokens,
      web_search_requests: u.web_search_requests,
      reasoning_tokens: u.reasoning_tokens,
    });
    const output = r.output.length ? r.output.join("") : null;
    r.call.output_chars = output === null ? null : countChars(output);
    if (options.keepText) {
      r.call.messages = null;
      r.call.output = output;
    }
    if (!r.iterations) continue;
    const { calls, uncounted: rest } = iterationCalls(r.call, r.iterations, options.keepText);
    subCalls.push(...calls);
    if (rest.tokens > 0) {
      uncounted.responses++;
      uncounted.tokens += rest.tokens;
      for (const t of rest.types) uncounted.types.add(t);
      if (r.call.line < uncounted.line) {
        [uncounted.line, uncounted.file] = [r.call.line, r.call.file];
      }
    }
  }
  if (diagnostics && uncounted.responses > 0) {
    const { file, line, responses: n, tokens, types } = uncounted;
    diagnostics.push(iterationsNotCounted(file, line, n, tokens, [...types]));
  }
  return subCalls;
}

/**
 * The warning of a file whose `n` responses hold iterations {@link usageIterations} does not read
 * (`tokens` in all, of `types`), at the first one's line: one per file.
 *
 * @example
 * ```ts
 * import { iterationsNotCounted } from "./_agent_logs.ts";
 * const d = iterationsNotCounted("f.jsonl", 3, 2, 80, ["fallback_message"]);
 * if (d.message !== "2 responses hold usage.iterations of type fallback_message whose usage (80 tokens) is not counted") throw new Error();
 * ```
 */
export function iterationsNotCounted(
  file: string,
  line: number,
  n: number,
  tokens: number,
  types: string[],
): Diagnostic {
  return {
    file,
    line,
    code: "iterations_not_counted",
    message: `${n} response${n > 1 ? "s" : ""} hold${n > 1 ? "" : "s"} usage.iterations of type ${
      types.join(", ")
    } whose usage (${tokens} tokens) is not counted`,
    severity: "warning",
    count: n,
  };
}
